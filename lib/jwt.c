//
// JWT helpers for the device token (protocol.md §3): base64url, RS256, key/cert loading.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// All encoding goes through OpenSSL (EVP_EncodeBlock, EVP_DigestSign, PEM and
// DER codecs) and json-c; nothing here is hand-rolled.
//

#include "upa-private.h"
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>


//
// Local functions...
//

static char	*jwt_base64(const void *data, size_t len);
static char	*jwt_json_b64url(json_object *obj);


//
// 'upaBase64URLEncode()' - Encode bytes as base64url without padding (RFC 7515).
//

char *					// O - Encoded string (malloc'd) or `NULL`
upaBase64URLEncode(const void *data,	// I - Bytes
                   size_t     len)	// I - Number of bytes
{
  char	*s,				// Encoded string
	*p;				// Pointer into string


  if ((s = jwt_base64(data, len)) == NULL)
    return (NULL);

  // Standard alphabet to the URL-safe one, padding dropped.
  for (p = s; *p; p ++)
  {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
    else if (*p == '=')
    {
      *p = '\0';
      break;
    }
  }

  return (s);
}


//
// 'upaCertLoadDER64()' - Load a PEM certificate and return its DER form in base64.
//

char *					// O - Base64 DER (standard alphabet, malloc'd) or `NULL`
upaCertLoadDER64(const char *filename)	// I - PEM certificate file
{
  FILE		*fp;			// File
  X509		*cert;			// Certificate
  unsigned char	*der = NULL;		// DER bytes
  int		derlen;			// DER length
  char		*b64;			// Result


  if (!filename)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCertLoadDER64: no file name.");
    return (NULL);
  }

  if ((fp = fopen(filename, "r")) == NULL)
  {
    upaSetError(UPA_ERROR_DEVICE, "Cannot read device certificate %s: %s.", filename, strerror(errno));
    return (NULL);
  }

  cert = PEM_read_X509(fp, NULL, NULL, NULL);
  fclose(fp);

  if (!cert)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_DEVICE, "Device certificate %s is not a PEM certificate.", filename);
    return (NULL);
  }

  derlen = i2d_X509(cert, &der);
  X509_free(cert);

  if (derlen <= 0)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_DEVICE, "Cannot encode device certificate %s.", filename);
    return (NULL);
  }

  b64 = jwt_base64(der, (size_t)derlen);
  OPENSSL_free(der);

  return (b64);
}


//
// 'upaJWTSign()' - Build and sign an RS256 JWT with an "x5c" header.
//

char *					// O - "header.claims.signature" (malloc'd) or `NULL`
upaJWTSign(EVP_PKEY    *key,		// I - RSA private key
           const char  *x5c,		// I - Base64 DER certificate or `NULL`
           json_object *claims)		// I - Claims object
{
  json_object	*header,		// Header object
		*x5carray;		// "x5c" array
  char		*header64 = NULL,	// Encoded header
		*claims64 = NULL,	// Encoded claims
		*input = NULL,		// Signing input
		*sig64 = NULL,		// Encoded signature
		*jwt = NULL;		// Result
  size_t	inputlen;		// Length of signing input
  EVP_MD_CTX	*mdctx = NULL;		// Digest context
  unsigned char	*sig = NULL;		// Signature bytes
  size_t	siglen = 0;		// Signature length


  if (!key || !claims)
  {
    upaSetError(UPA_ERROR_ARGS, "upaJWTSign: bad arguments.");
    return (NULL);
  }

  if ((header = json_object_new_object()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  json_object_object_add(header, "alg", json_object_new_string("RS256"));
  json_object_object_add(header, "typ", json_object_new_string("JWT"));
  if (x5c)
  {
    // A one-element array (RFC 7515 §4.1.6), as Microsoft's latest code sends.
    x5carray = json_object_new_array();
    json_object_array_add(x5carray, json_object_new_string(x5c));
    json_object_object_add(header, "x5c", x5carray);
  }

  header64 = jwt_json_b64url(header);
  json_object_put(header);
  claims64 = jwt_json_b64url(claims);

  if (!header64 || !claims64)
    goto done;

  inputlen = strlen(header64) + 1 + strlen(claims64);
  if ((input = malloc(inputlen + 1)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    goto done;
  }
  snprintf(input, inputlen + 1, "%s.%s", header64, claims64);

  if ((mdctx = EVP_MD_CTX_new()) == NULL ||
      EVP_DigestSignInit(mdctx, NULL, EVP_sha256(), NULL, key) != 1 ||
      EVP_DigestSign(mdctx, NULL, &siglen, (const unsigned char *)input, inputlen) != 1 ||
      (sig = OPENSSL_malloc(siglen)) == NULL ||
      EVP_DigestSign(mdctx, sig, &siglen, (const unsigned char *)input, inputlen) != 1)
  {
    unsigned long oerr = ERR_get_error();
					// OpenSSL error

    ERR_clear_error();
    upaSetError(UPA_ERROR_DEVICE, "Cannot sign the device token request: %s.", oerr ? ERR_reason_error_string(oerr) : "unknown OpenSSL error");
    goto done;
  }

  if ((sig64 = upaBase64URLEncode(sig, siglen)) == NULL)
    goto done;

  if ((jwt = malloc(inputlen + 1 + strlen(sig64) + 1)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    goto done;
  }
  snprintf(jwt, inputlen + 1 + strlen(sig64) + 1, "%s.%s", input, sig64);

  done:

  EVP_MD_CTX_free(mdctx);
  OPENSSL_free(sig);
  free(header64);
  free(claims64);
  free(input);
  free(sig64);

  return (jwt);
}


//
// 'upaKeyLoad()' - Load a PEM private key.
//

EVP_PKEY *				// O - Key or `NULL`
upaKeyLoad(const char *filename)	// I - PEM file
{
  FILE		*fp;			// File
  EVP_PKEY	*key;			// Key


  if (!filename)
  {
    upaSetError(UPA_ERROR_ARGS, "upaKeyLoad: no file name.");
    return (NULL);
  }

  if ((fp = fopen(filename, "r")) == NULL)
  {
    upaSetError(UPA_ERROR_DEVICE, "Cannot read device key %s: %s.", filename, strerror(errno));
    return (NULL);
  }

  key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
  fclose(fp);

  if (!key)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_DEVICE, "Device key %s is not a PEM private key.", filename);
    return (NULL);
  }

  return (key);
}


//
// 'jwt_base64()' - Encode bytes as standard base64 with padding.
//

static char *				// O - Encoded string (malloc'd) or `NULL`
jwt_base64(const void *data,		// I - Bytes
           size_t     len)		// I - Number of bytes
{
  char		*s;			// Encoded string
  size_t	slen;			// Allocated size


  if (!data && len > 0)
  {
    upaSetError(UPA_ERROR_ARGS, "Base64: no data.");
    return (NULL);
  }

  if (len > (size_t)(0x7fffffff / 4 * 3 - 3))
  {
    upaSetError(UPA_ERROR_ARGS, "Base64: data too large.");
    return (NULL);
  }

  slen = 4 * ((len + 2) / 3) + 1;
  if ((s = malloc(slen)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  // EVP_EncodeBlock() writes no newlines and NUL-terminates.
  EVP_EncodeBlock((unsigned char *)s, (const unsigned char *)(data ? data : ""), (int)len);

  return (s);
}


//
// 'jwt_json_b64url()' - Serialize a JSON object compactly and base64url it.
//

static char *				// O - Encoded string (malloc'd) or `NULL`
jwt_json_b64url(json_object *obj)	// I - Object
{
  const char	*json;			// Serialized JSON


  if ((json = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Cannot serialize JSON.");
    return (NULL);
  }

  return (upaBase64URLEncode(json, strlen(json)));
}
