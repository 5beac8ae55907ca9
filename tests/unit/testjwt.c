//
// Unit tests for lib/jwt.c: base64url, RS256 JWT signing, key and certificate loading.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The signature is verified independently with OpenSSL's EVP_DigestVerify,
// and a tampered token must fail verification, so a broken signer cannot pass.
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "upa.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>


//
// Local globals...
//

static char	tmpdir[256];		// Scratch folder for this run
static EVP_PKEY	*test_key;		// RSA-2048 key shared by the tests
static X509	*test_cert;		// Self-signed certificate for test_key


//
// 'b64url_decode()' - Decode base64url (test-side, via OpenSSL) into a malloc'd buffer.
//

static unsigned char *			// O - Bytes (NUL-terminated) or NULL
b64url_decode(const char *s,		// I - Encoded string
              size_t     slen,		// I - Length of encoded string
              size_t     *len)		// O - Decoded length
{
  char		*std;			// Standard alphabet with padding
  unsigned char	*out;			// Decoded bytes
  size_t	i,			// Looping var
		padded = (slen + 3) / 4 * 4;
					// Padded length
  int		n;			// Decoded length incl. padding bytes


  std = calloc(1, padded + 1);
  out = calloc(1, padded + 1);
  assert_non_null(std);
  assert_non_null(out);

  for (i = 0; i < slen; i ++)
  {
    // The encoder must never emit the standard alphabet or padding.
    assert_true(s[i] != '+' && s[i] != '/' && s[i] != '=');
    std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
  }
  for (; i < padded; i ++)
    std[i] = '=';

  n = EVP_DecodeBlock(out, (unsigned char *)std, (int)padded);
  assert_true(n >= 0);

  // EVP_DecodeBlock() counts the padding as zero bytes.
  *len = (size_t)n - (padded - slen);
  out[*len] = '\0';
  free(std);

  return (out);
}


//
// 'setup()' - Make a key pair and a self-signed certificate.
//

static int				// O - 0 on success
setup(void **state)
{
  EVP_PKEY_CTX	*ctx;			// Key generation context
  X509_NAME	*name;			// Certificate name


  (void)state;

  snprintf(tmpdir, sizeof(tmpdir), "/tmp/testjwt.XXXXXX");
  if (!mkdtemp(tmpdir))
    return (-1);

  ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0 || EVP_PKEY_keygen(ctx, &test_key) <= 0)
    return (-1);
  EVP_PKEY_CTX_free(ctx);

  test_cert = X509_new();
  X509_set_version(test_cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(test_cert), 42);
  X509_gmtime_adj(X509_getm_notBefore(test_cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(test_cert), 3600);
  X509_set_pubkey(test_cert, test_key);
  name = X509_get_subject_name(test_cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"testjwt", -1, -1, 0);
  X509_set_issuer_name(test_cert, name);
  if (X509_sign(test_cert, test_key, EVP_sha256()) <= 0)
    return (-1);

  return (0);
}


//
// 'teardown()' - Free the key and remove scratch files.
//

static int				// O - 0 on success
teardown(void **state)
{
  char	path[512];			// File


  (void)state;

  EVP_PKEY_free(test_key);
  X509_free(test_cert);

  snprintf(path, sizeof(path), "%s/key.pem", tmpdir);
  unlink(path);
  snprintf(path, sizeof(path), "%s/cert.pem", tmpdir);
  unlink(path);
  snprintf(path, sizeof(path), "%s/junk.pem", tmpdir);
  unlink(path);
  rmdir(tmpdir);

  return (0);
}


//
// 'test_base64url()' - Known vectors (RFC 4648 §10 plus URL-safe characters).
//

static void
test_base64url(void **state)
{
  static const struct
  {
    const char	*hex;			// Input bytes in hex
    const char	*b64;			// Expected output
  } vectors[] =
  {
    { "", "" },
    { "66", "Zg" },			// 2 padding characters dropped
    { "666f", "Zm8" },			// 1 padding character dropped
    { "666f6f", "Zm9v" },
    { "666f6f62", "Zm9vYg" },
    { "666f6f6261", "Zm9vYmE" },
    { "666f6f626172", "Zm9vYmFy" },
    { "fbff", "-_8" },			// "+/8=" in the standard alphabet
    { "fffefd", "__79" },
    { "3e3fffbf", "Pj__vw" }
  };
  size_t	i, j;			// Looping vars


  (void)state;

  for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i ++)
  {
    unsigned char	bytes[16];	// Input bytes
    size_t		len = strlen(vectors[i].hex) / 2;
					// Number of bytes
    char		*s;		// Encoded

    for (j = 0; j < len; j ++)
    {
      unsigned int b;			// One byte

      assert_int_equal(sscanf(vectors[i].hex + 2 * j, "%2x", &b), 1);
      bytes[j] = (unsigned char)b;
    }

    s = upaBase64URLEncode(bytes, len);
    assert_non_null(s);
    assert_string_equal(s, vectors[i].b64);
    free(s);
  }
}


//
// 'test_key_cert_load()' - upaKeyLoad() and upaCertLoadDER64() on good and bad files.
//

static void
test_key_cert_load(void **state)
{
  char		keyfile[512],		// Key file
		certfile[512],		// Certificate file
		junkfile[512];		// Not PEM
  FILE		*fp;			// File
  EVP_PKEY	*key;			// Loaded key
  char		*der64;			// Loaded certificate
  unsigned char	*der = NULL;		// Expected DER
  int		derlen;			// Length of DER
  char		*expected;		// Expected base64


  (void)state;

  snprintf(keyfile, sizeof(keyfile), "%s/key.pem", tmpdir);
  snprintf(certfile, sizeof(certfile), "%s/cert.pem", tmpdir);
  snprintf(junkfile, sizeof(junkfile), "%s/junk.pem", tmpdir);

  fp = fopen(keyfile, "w");
  assert_non_null(fp);
  assert_int_equal(PEM_write_PrivateKey(fp, test_key, NULL, NULL, 0, NULL, NULL), 1);
  fclose(fp);

  fp = fopen(certfile, "w");
  assert_non_null(fp);
  assert_int_equal(PEM_write_X509(fp, test_cert), 1);
  fclose(fp);

  fp = fopen(junkfile, "w");
  assert_non_null(fp);
  fputs("this is not PEM\n", fp);
  fclose(fp);

  // Key round trip.
  key = upaKeyLoad(keyfile);
  assert_non_null(key);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  assert_int_equal(EVP_PKEY_eq(key, test_key), 1);
#else
  assert_int_equal(EVP_PKEY_cmp(key, test_key), 1);
#endif // OPENSSL_VERSION_NUMBER >= 0x30000000L
  EVP_PKEY_free(key);

  // Missing and junk files are device errors that name the file.
  assert_null(upaKeyLoad("/nonexistent/key.pem"));
  assert_int_equal(upaLastError(), UPA_ERROR_DEVICE);
  assert_non_null(strstr(upaLastErrorString(), "/nonexistent/key.pem"));

  assert_null(upaKeyLoad(junkfile));
  assert_int_equal(upaLastError(), UPA_ERROR_DEVICE);

  // Certificate: base64 of the DER, standard alphabet, no armour.
  der64 = upaCertLoadDER64(certfile);
  assert_non_null(der64);

  derlen = i2d_X509(test_cert, &der);
  assert_true(derlen > 0);
  expected = calloc(1, (size_t)(4 * ((derlen + 2) / 3) + 1));
  assert_non_null(expected);
  EVP_EncodeBlock((unsigned char *)expected, der, derlen);
  assert_string_equal(der64, expected);
  assert_null(strchr(der64, '\n'));
  assert_null(strstr(der64, "BEGIN"));

  free(expected);
  OPENSSL_free(der);
  free(der64);

  assert_null(upaCertLoadDER64(junkfile));
  assert_int_equal(upaLastError(), UPA_ERROR_DEVICE);
  assert_null(upaCertLoadDER64("/nonexistent/cert.pem"));
  assert_int_equal(upaLastError(), UPA_ERROR_DEVICE);
}


//
// 'verify_jwt()' - Check a JWT's RS256 signature with test_key.
//

static int				// O - 1 if valid, 0 if not
verify_jwt(const char *jwt)		// I - JWT
{
  const char	*dot2 = strrchr(jwt, '.');
					// Before the signature
  unsigned char	*sig;			// Signature
  size_t	siglen;			// Its length
  EVP_MD_CTX	*ctx;			// Verify context
  int		ret;			// Result


  assert_non_null(dot2);

  sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &siglen);
  ctx = EVP_MD_CTX_new();
  assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, test_key), 1);
  ret = EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)jwt, (size_t)(dot2 - jwt));
  EVP_MD_CTX_free(ctx);
  free(sig);

  return (ret == 1);
}


//
// 'test_sign()' - Sign a JWT and check header, claims and signature.
//

static void
test_sign(void **state)
{
  json_object	*claims,		// Claims to sign
		*header,		// Decoded header
		*decoded,		// Decoded claims
		*value;			// One value
  char		*jwt,			// Signed JWT
		*tampered;		// Copy with a changed claim
  const char	*dot1,			// First dot
		*dot2;			// Second dot
  unsigned char	*text;			// Decoded part
  size_t	len;			// Its length
  const char	*x5c = "MIIBdGVzdA==";	// Stand-in certificate (any base64)


  (void)state;

  claims = json_object_new_object();
  json_object_object_add(claims, "request_nonce", json_object_new_string("AQAB-nonce/+="));
  json_object_object_add(claims, "grant_type", json_object_new_string("device_token"));
  json_object_object_add(claims, "resource", json_object_new_string("https://print.print.microsoft.com"));
  json_object_object_add(claims, "client_id", json_object_new_string("client-1"));
  json_object_object_add(claims, "redirect_uri", json_object_new_string("https://login.microsoftonline.com/common/oauth2/nativeclient"));
  json_object_object_add(claims, "iss", json_object_new_string("6f1c2d3e-0000-4000-8000-000000000001"));

  jwt = upaJWTSign(test_key, x5c, claims);
  assert_non_null(jwt);

  // Three base64url parts.
  dot1 = strchr(jwt, '.');
  assert_non_null(dot1);
  dot2 = strchr(dot1 + 1, '.');
  assert_non_null(dot2);
  assert_null(strchr(dot2 + 1, '.'));

  // Header: alg, typ, x5c as a one-element array.
  text = b64url_decode(jwt, (size_t)(dot1 - jwt), &len);
  header = json_tokener_parse((char *)text);
  free(text);
  assert_non_null(header);
  assert_true(json_object_object_get_ex(header, "alg", &value));
  assert_string_equal(json_object_get_string(value), "RS256");
  assert_true(json_object_object_get_ex(header, "typ", &value));
  assert_string_equal(json_object_get_string(value), "JWT");
  assert_true(json_object_object_get_ex(header, "x5c", &value));
  assert_true(json_object_is_type(value, json_type_array));
  assert_int_equal(json_object_array_length(value), 1);
  assert_string_equal(json_object_get_string(json_object_array_get_idx(value, 0)), x5c);
  json_object_put(header);

  // Claims survive unchanged.
  text = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &len);
  decoded = json_tokener_parse((char *)text);
  free(text);
  assert_non_null(decoded);
  assert_true(json_object_object_get_ex(decoded, "request_nonce", &value));
  assert_string_equal(json_object_get_string(value), "AQAB-nonce/+=");
  assert_true(json_object_object_get_ex(decoded, "grant_type", &value));
  assert_string_equal(json_object_get_string(value), "device_token");
  assert_true(json_object_object_get_ex(decoded, "iss", &value));
  assert_string_equal(json_object_get_string(value), "6f1c2d3e-0000-4000-8000-000000000001");
  assert_true(json_object_object_get_ex(decoded, "redirect_uri", &value));
  assert_string_equal(json_object_get_string(value), "https://login.microsoftonline.com/common/oauth2/nativeclient");
  json_object_put(decoded);

  // RS256 signature: valid as signed, invalid once a claim byte changes.
  assert_int_equal(verify_jwt(jwt), 1);

  tampered = strdup(jwt);
  assert_non_null(tampered);
  tampered[dot1 - jwt + 5] = tampered[dot1 - jwt + 5] == 'A' ? 'B' : 'A';
  assert_int_equal(verify_jwt(tampered), 0);
  free(tampered);

  // 256-byte signature for RSA-2048: 342 base64url characters.
  assert_int_equal(strlen(dot2 + 1), 342);

  free(jwt);

  // No certificate: no x5c member.
  jwt = upaJWTSign(test_key, NULL, claims);
  assert_non_null(jwt);
  dot1 = strchr(jwt, '.');
  text = b64url_decode(jwt, (size_t)(dot1 - jwt), &len);
  header = json_tokener_parse((char *)text);
  free(text);
  assert_non_null(header);
  assert_false(json_object_object_get_ex(header, "x5c", &value));
  json_object_put(header);
  assert_int_equal(verify_jwt(jwt), 1);
  free(jwt);

  // Bad arguments.
  assert_null(upaJWTSign(NULL, x5c, claims));

  json_object_put(claims);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_base64url),
    cmocka_unit_test(test_key_cert_load),
    cmocka_unit_test(test_sign)
  };

  return (cmocka_run_group_tests(tests, setup, teardown));
}
