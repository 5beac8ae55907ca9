//
// Throwaway certificate authority for upa-cloudsim.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The CA directory holds ca.key/ca.pem (self-signed, CA:TRUE) and
// server.key/server.pem (TLS certificate for localhost, 127.0.0.1 and ::1,
// signed by the CA).  Missing or mismatched files are (re)created; keys are
// written 0600.  The CA also signs device certificates for registrations and
// verifies the x5c certificates of device token requests.
//

#include "cloudsim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>


//
// Types...
//

struct cs_ca_s				// Certificate authority
{
  EVP_PKEY	*key;			// CA private key
  X509		*cert;			// CA certificate
  X509_STORE	*store;			// Trust store holding only the CA
  char		*server_key_pem,	// Server key (PEM, for libmicrohttpd)
		*server_cert_pem;	// Server certificate (PEM)
};


//
// Local functions...
//

static bool	add_ext(X509 *cert, X509 *issuer, int nid, const char *value);
static X509	*load_cert(const char *path);
static EVP_PKEY	*load_key(const char *path);
static X509	*make_cert(EVP_PKEY *pubkey, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int days, const char *const *exts);
static char	*read_file(const char *path);
static bool	save_cert(const char *path, X509 *cert);
static bool	save_key(const char *path, EVP_PKEY *key);


//
// 'csCADelete()' - Free a CA.
//

void
csCADelete(cs_ca_t *ca)			// I - CA or `NULL`
{
  if (!ca)
    return;

  EVP_PKEY_free(ca->key);
  X509_free(ca->cert);
  X509_STORE_free(ca->store);
  free(ca->server_key_pem);
  free(ca->server_cert_pem);
  free(ca);
}


//
// 'csCAIssue()' - Issue a device certificate (CN=cn) for a verified CSR.
//

X509 *					// O - Certificate or `NULL`
csCAIssue(cs_ca_t    *ca,		// I - CA
          X509_REQ   *csr,		// I - Verified request
          const char *cn)		// I - Common name (device id)
{
  static const char * const exts[] =	// Device certificate extensions
  {
    "critical,CA:FALSE",
    "critical,digitalSignature,keyEncipherment",
    "clientAuth",
    NULL				// No subjectAltName
  };
  EVP_PKEY	*pubkey;		// Requester's key (borrowed)


  if ((pubkey = X509_REQ_get0_pubkey(csr)) == NULL)
    return (NULL);

  return (make_cert(pubkey, cn, ca->cert, ca->key, 365, exts));
}


//
// 'csCALoad()' - Load the CA directory, creating what is missing.
//

cs_ca_t *				// O - CA or `NULL` on error (logged)
csCALoad(const char *dir)		// I - CA directory
{
  static const char * const server_exts[] =
  {					// Server certificate extensions
    "critical,CA:FALSE",
    "critical,digitalSignature,keyEncipherment",
    "serverAuth",
    "DNS:localhost,IP:127.0.0.1,IP:::1"	// Names clients connect to
  };
  static const char * const ca_exts[] =	// CA certificate extensions
  {
    "critical,CA:TRUE",
    "critical,keyCertSign,cRLSign",
    NULL,
    NULL
  };
  cs_ca_t	*ca;			// CA
  char		ca_key[1024],		// ca.key
		ca_pem[1024],		// ca.pem
		srv_key[1024],		// server.key
		srv_pem[1024];		// server.pem
  EVP_PKEY	*skey = NULL;		// Server key
  X509		*scert = NULL;		// Server certificate
  bool		new_ca = false;		// Did we create the CA?


  if (mkdir(dir, 0700) && errno != EEXIST)
  {
    fprintf(stderr, "upa-cloudsim: cannot create CA directory \"%s\": %s\n", dir, strerror(errno));
    return (NULL);
  }

  snprintf(ca_key, sizeof(ca_key), "%s/ca.key", dir);
  snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", dir);
  snprintf(srv_key, sizeof(srv_key), "%s/server.key", dir);
  snprintf(srv_pem, sizeof(srv_pem), "%s/server.pem", dir);

  if ((ca = calloc(1, sizeof(cs_ca_t))) == NULL)
    return (NULL);

  // The CA: load both files or make a new pair.
  ca->key  = load_key(ca_key);
  ca->cert = load_cert(ca_pem);

  if (!ca->key || !ca->cert || X509_check_private_key(ca->cert, ca->key) != 1)
  {
    EVP_PKEY_free(ca->key);
    X509_free(ca->cert);
    ca->cert = NULL;

    if ((ca->key = EVP_RSA_gen(2048)) == NULL || (ca->cert = make_cert(ca->key, "upa-cloudsim test CA", NULL, ca->key, 3650, ca_exts)) == NULL)
      goto error;

    if (!save_key(ca_key, ca->key) || !save_cert(ca_pem, ca->cert))
      goto error;

    new_ca = true;
  }

  // The server: keep it only if it still matches its key and this CA.
  if (!new_ca)
  {
    skey  = load_key(srv_key);
    scert = load_cert(srv_pem);
  }

  if (!skey || !scert || X509_check_private_key(scert, skey) != 1 || X509_verify(scert, ca->key) != 1)
  {
    EVP_PKEY_free(skey);
    X509_free(scert);
    scert = NULL;

    if ((skey = EVP_RSA_gen(2048)) == NULL || (scert = make_cert(skey, "localhost", ca->cert, ca->key, 825, server_exts)) == NULL)
      goto error;

    if (!save_key(srv_key, skey) || !save_cert(srv_pem, scert))
      goto error;
  }

  EVP_PKEY_free(skey);
  skey = NULL;
  X509_free(scert);
  scert = NULL;

  // libmicrohttpd wants the PEM text itself.
  if ((ca->server_key_pem = read_file(srv_key)) == NULL || (ca->server_cert_pem = read_file(srv_pem)) == NULL)
    goto error;

  if ((ca->store = X509_STORE_new()) == NULL || X509_STORE_add_cert(ca->store, ca->cert) != 1)
    goto error;

  return (ca);

  error:

  fprintf(stderr, "upa-cloudsim: cannot set up the CA in \"%s\": %s\n", dir, ERR_peek_last_error() ? ERR_reason_error_string(ERR_peek_last_error()) : strerror(errno));
  EVP_PKEY_free(skey);
  X509_free(scert);
  csCADelete(ca);

  return (NULL);
}


//
// 'csCAParseCSR()' - Parse and check a DER PKCS#10 request.
//
// The request must parse completely, carry an RSA key of at least 2048 bits,
// be signed with sha256WithRSAEncryption and its self-signature must verify.
//

X509_REQ *				// O - Request or `NULL`
csCAParseCSR(const unsigned char *der,	// I - DER data
             size_t              derlen,// I - Length of DER data
             char                *err,	// O - Reason on failure
             size_t              errsize)// I - Size of reason buffer
{
  const unsigned char	*ptr = der;	// Parse pointer
  X509_REQ		*req;		// Request
  EVP_PKEY		*pkey;		// Public key (borrowed)


  if (derlen > 65536 || (req = d2i_X509_REQ(NULL, &ptr, (long)derlen)) == NULL)
  {
    snprintf(err, errsize, "not a DER PKCS#10 certificate request");
    return (NULL);
  }

  if (ptr != der + derlen)
  {
    snprintf(err, errsize, "trailing bytes after the certificate request");
    goto bad;
  }

  if ((pkey = X509_REQ_get0_pubkey(req)) == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
  {
    snprintf(err, errsize, "certificate request key is not RSA");
    goto bad;
  }

  if (EVP_PKEY_get_bits(pkey) < 2048)
  {
    snprintf(err, errsize, "certificate request RSA key has %d bits, at least 2048 needed", EVP_PKEY_get_bits(pkey));
    goto bad;
  }

  if (X509_REQ_get_signature_nid(req) != NID_sha256WithRSAEncryption)
  {
    snprintf(err, errsize, "certificate request is not signed with sha256WithRSAEncryption");
    goto bad;
  }

  if (X509_REQ_verify(req, pkey) != 1)
  {
    snprintf(err, errsize, "certificate request signature does not verify");
    goto bad;
  }

  ERR_clear_error();

  return (req);

  bad:

  ERR_clear_error();
  X509_REQ_free(req);

  return (NULL);
}


//
// 'csCAPEM()' - PEM-encode a certificate (malloc'd string).
//

char *					// O - PEM text or `NULL`
csCAPEM(X509 *cert)			// I - Certificate
{
  BIO		*bio;			// Memory BIO
  char		*data,			// BIO data
		*pem = NULL;		// Copy
  long		len;			// Length


  if ((bio = BIO_new(BIO_s_mem())) == NULL)
    return (NULL);

  if (PEM_write_bio_X509(bio, cert) == 1 && (len = BIO_get_mem_data(bio, &data)) > 0 && (pem = malloc((size_t)len + 1)) != NULL)
  {
    memcpy(pem, data, (size_t)len);
    pem[len] = '\0';
  }

  BIO_free(bio);

  return (pem);
}


//
// 'csCAServerCert()' - Server certificate PEM.
//

const char *				// O - PEM text
csCAServerCert(cs_ca_t *ca)		// I - CA
{
  return (ca->server_cert_pem);
}


//
// 'csCAServerKey()' - Server private key PEM.
//

const char *				// O - PEM text
csCAServerKey(cs_ca_t *ca)		// I - CA
{
  return (ca->server_key_pem);
}


//
// 'csCAVerify()' - Does a certificate chain to the CA?
//

bool					// O - `true` if it verifies
csCAVerify(cs_ca_t *ca,			// I - CA
           X509    *cert)		// I - Certificate
{
  X509_STORE_CTX	*ctx;		// Verification context
  bool			ret = false;	// Result


  if ((ctx = X509_STORE_CTX_new()) == NULL)
    return (false);

  if (X509_STORE_CTX_init(ctx, ca->store, cert, NULL) == 1)
  {
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
    ret = X509_verify_cert(ctx) == 1;
  }

  X509_STORE_CTX_free(ctx);
  ERR_clear_error();

  return (ret);
}


//
// 'add_ext()' - Add one X.509v3 extension in OpenSSL config syntax.
//

static bool				// O - `true` on success
add_ext(X509       *cert,		// I - Certificate
        X509       *issuer,		// I - Issuer certificate
        int        nid,			// I - Extension
        const char *value)		// I - Value
{
  X509V3_CTX		ctx;		// Extension context
  X509_EXTENSION	*ext;		// Extension
  bool			ret;		// Result


  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);

  if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
    return (false);

  ret = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);

  return (ret);
}


//
// 'load_cert()' - Load a PEM certificate, or NULL if missing/unreadable.
//

static X509 *				// O - Certificate or `NULL`
load_cert(const char *path)		// I - File
{
  FILE	*fp;				// File
  X509	*cert;				// Certificate


  if ((fp = fopen(path, "r")) == NULL)
    return (NULL);

  cert = PEM_read_X509(fp, NULL, NULL, NULL);
  fclose(fp);
  ERR_clear_error();

  return (cert);
}


//
// 'load_key()' - Load a PEM private key, or NULL if missing/unreadable.
//

static EVP_PKEY *			// O - Key or `NULL`
load_key(const char *path)		// I - File
{
  FILE		*fp;			// File
  EVP_PKEY	*key;			// Key


  if ((fp = fopen(path, "r")) == NULL)
    return (NULL);

  key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
  fclose(fp);
  ERR_clear_error();

  return (key);
}


//
// 'make_cert()' - Make and sign a certificate.
//
// "exts" lists basicConstraints, keyUsage, extendedKeyUsage and subjectAltName
// values (NULL to skip either of the last two).  With issuer == NULL the certificate is self-signed.
//

static X509 *				// O - Certificate or `NULL`
make_cert(EVP_PKEY          *pubkey,	// I - Subject key
          const char        *cn,	// I - Subject common name
          X509              *issuer,	// I - Issuer or `NULL` for self-signed
          EVP_PKEY          *issuer_key,// I - Signing key
          int               days,	// I - Validity in days
          const char *const *exts)	// I - Extension values
{
  X509		*cert;			// Certificate
  X509_NAME	*name;			// Subject name
  ASN1_INTEGER	*serial;		// Serial number
  BIGNUM	*bn;			// Random serial
  bool		ok;			// Success so far


  if ((cert = X509_new()) == NULL)
    return (NULL);

  // Random positive 127-bit serial numbers: unique without keeping state.
  ok = (bn = BN_new()) != NULL && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 && (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL;
  BN_free(bn);

  if (ok)
  {
    ok = X509_set_serialNumber(cert, serial) == 1;
    ASN1_INTEGER_free(serial);
  }

  ok = ok && X509_set_version(cert, 2) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != NULL;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400) != NULL;
  ok = ok && X509_set_pubkey(cert, pubkey) == 1;

  if (ok && (name = X509_NAME_new()) != NULL)
  {
    ok = X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"cups-upa cloudsim", -1, -1, 0) == 1 && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) == 1 && X509_set_subject_name(cert, name) == 1 && X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) == 1;
    X509_NAME_free(name);
  }
  else
    ok = false;

  if (!issuer)
    issuer = cert;

  ok = ok && add_ext(cert, issuer, NID_basic_constraints, exts[0]);
  ok = ok && add_ext(cert, issuer, NID_key_usage, exts[1]);
  ok = ok && (!exts[2] || add_ext(cert, issuer, NID_ext_key_usage, exts[2]));
  ok = ok && (!exts[3] || add_ext(cert, issuer, NID_subject_alt_name, exts[3]));
  ok = ok && add_ext(cert, issuer, NID_subject_key_identifier, "hash");
  ok = ok && add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always");
  ok = ok && X509_sign(cert, issuer_key, EVP_sha256()) > 0;

  if (!ok)
  {
    X509_free(cert);
    return (NULL);
  }

  return (cert);
}


//
// 'read_file()' - Read a small text file into a malloc'd string.
//

static char *				// O - Contents or `NULL`
read_file(const char *path)		// I - File
{
  FILE		*fp;			// File
  char		*data;			// Contents
  long		len;			// Length


  if ((fp = fopen(path, "r")) == NULL)
    return (NULL);

  if (fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 || len > 1024 * 1024 || fseek(fp, 0, SEEK_SET) || (data = malloc((size_t)len + 1)) == NULL)
  {
    fclose(fp);
    return (NULL);
  }

  if (fread(data, 1, (size_t)len, fp) != (size_t)len)
  {
    free(data);
    fclose(fp);
    return (NULL);
  }

  data[len] = '\0';
  fclose(fp);

  return (data);
}


//
// 'save_cert()' - Write a PEM certificate (0644) atomically.
//

static bool				// O - `true` on success
save_cert(const char *path,		// I - File
          X509       *cert)		// I - Certificate
{
  char	tmp[1100];			// Temporary file
  FILE	*fp;				// File
  int	fd;				// File descriptor
  bool	ok;				// Result


  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  unlink(tmp);

  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
    return (false);

  if ((fp = fdopen(fd, "w")) == NULL)
  {
    close(fd);
    return (false);
  }

  ok = PEM_write_X509(fp, cert) == 1;
  ok = (fclose(fp) == 0) && ok;

  return (ok && !rename(tmp, path));
}


//
// 'save_key()' - Write an unencrypted PEM private key (0600) atomically.
//

static bool				// O - `true` on success
save_key(const char *path,		// I - File
         EVP_PKEY   *key)		// I - Key
{
  char	tmp[1100];			// Temporary file
  FILE	*fp;				// File
  int	fd;				// File descriptor
  bool	ok;				// Result


  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  unlink(tmp);

  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
    return (false);

  if ((fp = fdopen(fd, "w")) == NULL)
  {
    close(fd);
    return (false);
  }

  ok = PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) == 1;
  ok = (fclose(fp) == 0) && ok;

  return (ok && !rename(tmp, path));
}
