//
// Unit tests for lib/client.c: IPP request building, encode/decode, error paths.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
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
#include <sys/stat.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>


//
// Local types...
//

typedef struct expect_s			// One expected attribute
{
  const char	*name;			// Name
  ipp_tag_t	value_tag;		// Value tag
  const char	*value;			// First value as a string ("true" for booleans)
} expect_t;


//
// Local globals...
//

static char		tmpdir[256];	// Scratch folder for this run
static upa_config_t	*cfg;		// Test configuration
static upa_device_t	*dev;		// Test device (in memory)

#define TEST_DEVICE_ID	"6f1c2d3e-0000-4000-8000-000000000001"


//
// 'check_attrs()' - Check the exact attribute list of an operation group.
//

static void
check_attrs(ipp_t          *ipp,	// I - Message
            const expect_t *expect,	// I - Expected attributes
            size_t         count)	// I - Number of expected attributes
{
  ipp_attribute_t	*attr;		// Current attribute
  size_t		i = 0;		// Index into expect
  char			value[1024];	// Value as string


  for (attr = ippFirstAttribute(ipp); attr; attr = ippNextAttribute(ipp), i ++)
  {
    assert_true(i < count);
    assert_non_null(ippGetName(attr));
    assert_string_equal(ippGetName(attr), expect[i].name);
    assert_int_equal(ippGetGroupTag(attr), IPP_TAG_OPERATION);
    assert_int_equal(ippGetValueTag(attr), expect[i].value_tag);
    assert_int_equal(ippGetCount(attr), 1);
    ippAttributeString(attr, value, sizeof(value));
    assert_string_equal(value, expect[i].value);
  }

  assert_int_equal(i, count);
}


//
// 'setup()' - Write a config file and make an in-memory device.
//

static int				// O - 0 on success
setup(void **state)
{
  char	path[512],			// Config file
	contents[2048];			// Its contents
  FILE	*fp;				// File


  (void)state;

  snprintf(tmpdir, sizeof(tmpdir), "/tmp/testclient.XXXXXX");
  if (!mkdtemp(tmpdir))
    return (-1);

  snprintf(contents, sizeof(contents),
           "Cloud custom\n"
           "RegisterURL https://127.0.0.1:1\n"
           "PrintURL https://127.0.0.1:1\n"
           "GraphURL https://127.0.0.1:1/v1.0\n"
           "StateDir %s/state\n"
           "CacheDir %s/cache\n"
           "Timeout 5\n", tmpdir, tmpdir);

  snprintf(path, sizeof(path), "%s/cups-upa.conf", tmpdir);
  if ((fp = fopen(path, "w")) == NULL)
    return (-1);
  fputs(contents, fp);
  fclose(fp);

  if ((cfg = upaConfigLoad(path)) == NULL)
  {
    fprintf(stderr, "upaConfigLoad: %s\n", upaLastErrorString());
    return (-1);
  }

  if ((dev = upaDeviceNew(cfg, TEST_DEVICE_ID)) == NULL)
    return (-1);

  snprintf(dev->printer_uri, sizeof(dev->printer_uri), "ipps://127.0.0.1:1/printers/%s", TEST_DEVICE_ID);
  snprintf(dev->token_url, sizeof(dev->token_url), "https://127.0.0.1:1/tenant/oauth2/token");
  snprintf(dev->client_id, sizeof(dev->client_id), "client-1");
  snprintf(dev->resource, sizeof(dev->resource), "https://print.print.microsoft.com");
  snprintf(dev->redirect_uri, sizeof(dev->redirect_uri), "https://login.microsoftonline.com/common/oauth2/nativeclient");

  return (0);
}


//
// 'teardown()' - Free everything and remove scratch files.
//

static int				// O - 0 on success
teardown(void **state)
{
  char	cmd[600];			// Cleanup command


  (void)state;

  upaDeviceDelete(dev);
  upaConfigDelete(cfg);

  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  if (system(cmd))
    return (-1);

  return (0);
}


//
// 'test_new_request_user()' - A user-bound Get-Jobs and Fetch-Job.
//

static void
test_new_request_user(void **state)
{
  upa_client_t	*client;		// Client
  ipp_t		*request;		// Request
  int		major, minor;		// IPP version
  static const expect_t getjobs[] =
  {
    { "attributes-charset", IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_LANGUAGE, "en-us" },
    { "requesting-user-uri", IPP_TAG_URI, "mailto:alice@contoso.com" },
    { "requesting-user-name", IPP_TAG_NAME, "alice@contoso.com" },
    { "my-jobs", IPP_TAG_BOOLEAN, "true" },
    { "printer-uri", IPP_TAG_URI, "ipps://127.0.0.1:1/printers/" TEST_DEVICE_ID },
    { "output-device-uuid", IPP_TAG_URI, "urn:uuid:" TEST_DEVICE_ID }
  };
  static const expect_t fetchjob[] =
  {
    { "attributes-charset", IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_LANGUAGE, "en-us" },
    { "requesting-user-uri", IPP_TAG_URI, "mailto:alice@contoso.com" },
    { "requesting-user-name", IPP_TAG_NAME, "alice@contoso.com" },
    { "printer-uri", IPP_TAG_URI, "ipps://127.0.0.1:1/printers/" TEST_DEVICE_ID },
    { "output-device-uuid", IPP_TAG_URI, "urn:uuid:" TEST_DEVICE_ID }
  };


  (void)state;

  client = upaClientCreate(cfg, dev);
  assert_non_null(client);
  assert_ptr_equal(upaClientGetDevice(client), dev);
  assert_non_null(upaClientGetHTTP(client));

  request = upaClientNewRequest(client, IPP_OP_GET_JOBS, "mailto:alice@contoso.com");
  assert_non_null(request);
  assert_int_equal(ippGetOperation(request), IPP_OP_GET_JOBS);
  major = ippGetVersion(request, &minor);
  assert_int_equal(major, 2);
  assert_int_equal(minor, 0);
  assert_true(ippGetRequestId(request) > 0);
  check_attrs(request, getjobs, sizeof(getjobs) / sizeof(getjobs[0]));
  ippDelete(request);

  // my-jobs is for Get-Jobs only.
  request = upaClientNewRequest(client, IPP_OP_FETCH_JOB, "mailto:alice@contoso.com");
  assert_non_null(request);
  assert_int_equal(ippGetOperation(request), IPP_OP_FETCH_JOB);
  check_attrs(request, fetchjob, sizeof(fetchjob) / sizeof(fetchjob[0]));
  ippDelete(request);

  upaClientDelete(client);
}


//
// 'test_new_request_plain()' - A request not bound to a user.
//

static void
test_new_request_plain(void **state)
{
  upa_client_t	*client;		// Client
  ipp_t		*request;		// Request
  static const expect_t plain[] =
  {
    { "attributes-charset", IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_URI, "ipps://127.0.0.1:1/printers/" TEST_DEVICE_ID },
    { "output-device-uuid", IPP_TAG_URI, "urn:uuid:" TEST_DEVICE_ID }
  };


  (void)state;

  client = upaClientCreate(cfg, dev);
  assert_non_null(client);

  request = upaClientNewRequest(client, IPP_OP_GET_JOBS, NULL);
  assert_non_null(request);
  check_attrs(request, plain, sizeof(plain) / sizeof(plain[0]));
  ippDelete(request);

  upaClientDelete(client);
}


//
// 'test_encode_decode()' - Round trip, document data after the message, truncation, garbage.
//

static void
test_encode_decode(void **state)
{
  ipp_t			*ipp,		// Message
			*decoded;	// Decoded message
  ipp_attribute_t	*attr;		// Attribute
  upa_buffer_t		buf;		// Encoded bytes
  size_t		len,		// Length of message
			used,		// Bytes used by the decoder
			i;		// Looping var
  bool			incomplete;	// Truncated?
  static const char	doc[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
  static const char	garbage[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>";
  static const char * const reasons[] = { "job-fetchable", "job-printing" };


  (void)state;

  ipp = ippNew();
  ippSetVersion(ipp, 2, 0);
  ippSetStatusCode(ipp, IPP_STATUS_OK);
  ippSetRequestId(ipp, 1234);
  ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", NULL, "utf-8");
  ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", NULL, "en-us");
  ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, "application/pdf");
  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 14605388);
  ippAddStrings(ipp, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", 2, NULL, reasons);

  memset(&buf, 0, sizeof(buf));
  assert_true(upaIPPEncode(ipp, &buf));
  len = buf.len;
  assert_true(len > 8);

  // Plain round trip.
  decoded = upaIPPDecode(buf.data, buf.len, &used, &incomplete);
  assert_non_null(decoded);
  assert_int_equal(used, len);
  assert_false(incomplete);
  assert_int_equal(ippGetStatusCode(decoded), IPP_STATUS_OK);
  assert_int_equal(ippGetRequestId(decoded), 1234);
  attr = ippFindAttribute(decoded, "job-id", IPP_TAG_INTEGER);
  assert_non_null(attr);
  assert_int_equal(ippGetGroupTag(attr), IPP_TAG_JOB);
  assert_int_equal(ippGetInteger(attr, 0), 14605388);
  attr = ippFindAttribute(decoded, "job-state-reasons", IPP_TAG_KEYWORD);
  assert_non_null(attr);
  assert_int_equal(ippGetCount(attr), 2);
  assert_string_equal(ippGetString(attr, 1, NULL), "job-printing");
  ippDelete(decoded);

  // Document bytes after the message are not consumed.
  assert_true(upaBufferAppend(&buf, doc, sizeof(doc) - 1));
  decoded = upaIPPDecode(buf.data, buf.len, &used, &incomplete);
  assert_non_null(decoded);
  assert_int_equal(used, len);
  assert_memory_equal(buf.data + used, doc, sizeof(doc) - 1);
  ippDelete(decoded);

  // Every proper prefix of the message is incomplete, not malformed.
  for (i = 0; i < len; i ++)
  {
    incomplete = false;
    decoded    = upaIPPDecode(buf.data, i, &used, &incomplete);
    assert_null(decoded);
    assert_true(incomplete);
  }

  // Garbage is malformed.
  incomplete = true;
  assert_null(upaIPPDecode(garbage, sizeof(garbage) - 1, &used, &incomplete));
  assert_false(incomplete);

  // A bad version number is malformed even when short.
  incomplete = true;
  assert_null(upaIPPDecode("\x09\x00\x00\x00\x00\x00\x00\x01\x01", 9, &used, &incomplete));
  assert_false(incomplete);

  upaBufferClear(&buf);
  assert_null(buf.data);
  assert_int_equal(buf.len, 0);
  ippDelete(ipp);
}


//
// 'test_send_errors()' - Sending without a usable key or without a reachable cloud.
//

static void
test_send_errors(void **state)
{
  upa_client_t	*client;		// Client
  ipp_t		*request;		// Request
  EVP_PKEY_CTX	*ctx;			// Key generation context
  EVP_PKEY	*key = NULL;		// Device key
  X509		*cert;			// Device certificate
  X509_NAME	*name;			// Certificate name
  FILE		*fp;			// File


  (void)state;

  client = upaClientCreate(cfg, dev);
  assert_non_null(client);

  // No key: a device error naming the key file and the group to check.
  request = upaClientNewRequest(client, IPP_OP_GET_JOBS, NULL);
  assert_non_null(request);
  assert_null(upaClientSend(client, request));
  assert_int_equal(upaLastError(), UPA_ERROR_DEVICE);
  assert_non_null(strstr(upaLastErrorString(), dev->key_file));
  assert_non_null(strstr(upaLastErrorString(), "group"));

  // With a key and certificate the token endpoint is tried: nothing listens.
  {
    char cmd[1200];			// mkdir command

    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dev->dir);
    assert_int_equal(system(cmd), 0);
  }

  ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  assert_non_null(ctx);
  assert_true(EVP_PKEY_keygen_init(ctx) > 0);
  assert_true(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) > 0);
  assert_true(EVP_PKEY_keygen(ctx, &key) > 0);
  EVP_PKEY_CTX_free(ctx);

  cert = X509_new();
  X509_set_version(cert, 2);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"testclient", -1, -1, 0);
  X509_set_issuer_name(cert, name);
  assert_true(X509_sign(cert, key, EVP_sha256()) > 0);

  fp = fopen(dev->key_file, "w");
  assert_non_null(fp);
  PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
  fclose(fp);
  fp = fopen(dev->cert_file, "w");
  assert_non_null(fp);
  PEM_write_X509(fp, cert);
  fclose(fp);
  X509_free(cert);
  EVP_PKEY_free(key);

  request = upaClientNewRequest(client, IPP_OP_GET_JOBS, NULL);
  assert_non_null(request);
  assert_null(upaClientSend(client, request));
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  assert_non_null(strstr(upaLastErrorString(), "127.0.0.1:1"));

  upaClientDelete(client);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_new_request_user),
    cmocka_unit_test(test_new_request_plain),
    cmocka_unit_test(test_encode_decode),
    cmocka_unit_test(test_send_errors)
  };

  return (cmocka_run_group_tests(tests, setup, teardown));
}
