//
// Unit tests for lib/client.c: IPP request building, encode/decode, error paths,
// and the transport (lib/http.c) against a scripted local HTTPS server:
// deadlines, cut bodies, garbage and server errors, caller aborts.
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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>


//
// Local types...
//

typedef struct expect_s			// One expected attribute
{
  const char	*name;			// Name
  ipp_tag_t	value_tag;		// Value tag
  const char	*value;			// First value as a string ("true" for booleans)
} expect_t;


typedef enum fault_e			// What the scripted server does
{
  FAULT_NONE,				// A proper answer (IPP + document for Fetch-Document)
  FAULT_SILENT,				// Read the request, answer nothing
  FAULT_TRICKLE_HEAD,			// HTTP headers, then the IPP part one byte every 100 ms
  FAULT_TRICKLE_BODY,			// IPP part at once, then the document at 200 bytes/s
  FAULT_CUT_LENGTH,			// Content-Length larger than what is sent, then close
  FAULT_CUT_CHUNKED,			// Chunked, document half sent, no last chunk, close
  FAULT_HTTP_500,			// HTTP 500 (no IPP)
  FAULT_HTTP_502,			// HTTP 502 with an HTML page
  FAULT_HTTP_400,			// HTTP 400 (a well-formed refusal)
  FAULT_HTML_200,			// HTTP 200 with an HTML error page
  FAULT_IPP_NO_END,			// IPP answer without its end tag (Content-Length right)
  FAULT_IPP_500,			// Well-formed IPP server-error-internal-error
  FAULT_IPP_NOT_FOUND			// Well-formed IPP client-error-not-found
} fault_t;

typedef struct fault_case_s		// A fault and the error it must give
{
  fault_t	fault;			// What the server does
  upa_error_t	err;			// Expected class
  bool		maybe;			// Expected outcome-unknown flag
  const char	*text;			// Expected message part
} fault_case_t;

typedef struct server_s			// A scripted HTTPS server (child process)
{
  pid_t		pid;			// Child
  int		port;			// Port on 127.0.0.1
  upa_config_t	*cfg;			// Configuration pointing at it
  upa_device_t	*dev;			// Device with a cached token
  upa_client_t	*client;		// Client
} server_t;


//
// Local globals...
//

static char		tmpdir[256];	// Scratch folder for this run
static upa_config_t	*cfg;		// Test configuration
static upa_device_t	*dev;		// Test device (in memory)

#define TEST_DEVICE_ID	"6f1c2d3e-0000-4000-8000-000000000001"
#define TEST_DEVICE_ID2	"6f1c2d3e-0000-4000-8000-0000000000f2"
#define TEST_TIMEOUT	2		// Timeout of the server tests (seconds)
#define TEST_DOC_SIZE	200000		// Document bytes the server sends

static char		certfile[512],	// Server certificate (also the CAFile)
			keyfile[512];	// Server key
static char		hslog[600];	// Where the server notes each handshake: "full" or "resumed"


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
// 'make_cert()' - Write a self-signed CA certificate for 127.0.0.1 and its
//                 key (a new key each time).
//

static int				// O - 0 on success
make_cert(const char *crtpath,		// I - Certificate file
          const char *keypath)		// I - Key file
{
  EVP_PKEY		*key;		// Key
  X509			*cert;		// Certificate
  X509_NAME		*name;		// Subject/issuer
  X509_EXTENSION	*ext;		// Extension
  X509V3_CTX		v3;		// Extension context
  FILE			*fp;		// File


  if ((key = EVP_EC_gen("P-256")) == NULL)
    return (-1);

  cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1, 0);
  X509_set_issuer_name(cert, name);

  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
  if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "IP:127.0.0.1")) == NULL)
    return (-1);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE")) == NULL)
    return (-1);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);

  if (!X509_sign(cert, key, EVP_sha256()))
    return (-1);

  if ((fp = fopen(keypath, "w")) == NULL)
    return (-1);
  PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
  fclose(fp);

  if ((fp = fopen(crtpath, "w")) == NULL)
    return (-1);
  PEM_write_X509(fp, cert);
  fclose(fp);

  X509_free(cert);
  EVP_PKEY_free(key);

  return (0);
}


//
// 'ssl_write_all()' - Write all bytes to a TLS connection.
//

static bool				// O - `true` on success
ssl_write_all(SSL        *ssl,		// I - Connection
              const void *data,		// I - Bytes
              size_t     len)		// I - Number of bytes
{
  const char	*ptr = (const char *)data;
					// Current position
  int		bytes;			// Bytes written


  while (len > 0)
  {
    if ((bytes = SSL_write(ssl, ptr, len > 16384 ? 16384 : (int)len)) <= 0)
      return (false);

    ptr += bytes;
    len -= (size_t)bytes;
  }

  return (true);
}


//
// 'ssl_chunk()' - Write one HTTP/1.1 chunk.
//

static bool				// O - `true` on success
ssl_chunk(SSL        *ssl,		// I - Connection
          const void *data,		// I - Bytes
          size_t     len)		// I - Number of bytes
{
  char	line[32];			// Chunk size line


  snprintf(line, sizeof(line), "%zx\r\n", len);

  return (ssl_write_all(ssl, line, strlen(line)) && ssl_write_all(ssl, data, len) && ssl_write_all(ssl, "\r\n", 2));
}


//
// 'server_answer()' - Build the IPP answer to a request.
//

static void
server_answer(ipp_t        *request,	// I - Request (or NULL)
              ipp_status_t status,	// I - Status to answer
              upa_buffer_t *buf)	// O - Encoded answer
{
  ipp_t	*response = ippNew();		// Answer


  ippSetVersion(response, 2, 0);
  ippSetStatusCode(response, status);
  ippSetRequestId(response, request ? ippGetRequestId(request) : 1);
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", NULL, "utf-8");
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", NULL, "en-us");
  if (status >= IPP_STATUS_ERROR_BAD_REQUEST)
    ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", NULL, "Scripted failure.");
  if (request && ippGetOperation(request) == IPP_OP_FETCH_DOCUMENT && status == IPP_STATUS_OK)
  {
    ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "compression", NULL, "none");
    ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, "application/pdf");
    // Padding so a trickled IPP part takes long enough to be noticed.
    ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", NULL, "Document follows. ................................................................................................................................................................................................");
  }

  memset(buf, 0, sizeof(upa_buffer_t));
  upaIPPEncode(response, buf);
  ippDelete(response);
}


//
// 'server_conn()' - Serve one connection according to the fault.
//

static void
server_conn(SSL     *ssl,		// I - Connection
            fault_t fault)		// I - What to do
{
  char		head[8192],		// Request headers
		*end,			// End of the headers
		*cl;			// Content-Length
  size_t	len = 0,		// Bytes read
		body_len = 0;		// Request body length
  int		bytes;			// Bytes read
  upa_buffer_t	body,			// Request body
		answer;			// IPP answer
  ipp_t		*request;		// Decoded request
  char		hdr[512];		// Response headers
  char		doc[4096];		// Document bytes
  size_t	i,			// Looping var
		sent;			// Document bytes sent
  bool		fetch;			// Fetch-Document?


  // Read the headers and the body of the request.
  while ((end = strstr(head, "\r\n\r\n")) == NULL || len == 0)
  {
    if (len >= sizeof(head) - 1 || (bytes = SSL_read(ssl, head + len, (int)(sizeof(head) - 1 - len))) <= 0)
      return;
    len += (size_t)bytes;
    head[len] = '\0';
  }

  if ((cl = strstr(head, "Content-Length:")) != NULL)
    body_len = (size_t)strtoul(cl + 15, NULL, 10);

  memset(&body, 0, sizeof(body));
  end += 4;
  upaBufferAppend(&body, end, len - (size_t)(end - head));
  while (body.len < body_len)
  {
    char	temp[4096];		// Read buffer

    if ((bytes = SSL_read(ssl, temp, sizeof(temp))) <= 0)
      return;
    upaBufferAppend(&body, temp, (size_t)bytes);
  }

  request = upaIPPDecode(body.data, body.len, NULL, NULL);
  upaBufferClear(&body);
  fetch = request && ippGetOperation(request) == IPP_OP_FETCH_DOCUMENT;

  // (A request that does not decode, a body damaged on the way, fails)
  server_answer(request, !request ? IPP_STATUS_ERROR_BAD_REQUEST : fault == FAULT_IPP_500 ? IPP_STATUS_ERROR_INTERNAL : fault == FAULT_IPP_NOT_FOUND ? IPP_STATUS_ERROR_NOT_FOUND : IPP_STATUS_OK, &answer);
  ippDelete(request);

  for (i = 0; i < sizeof(doc); i ++)
    doc[i] = (char)('A' + i % 26);

  switch (fault)
  {
    case FAULT_SILENT :
        sleep(60);
        break;

    case FAULT_TRICKLE_HEAD :
        snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        if (!ssl_write_all(ssl, hdr, strlen(hdr)))
          break;
        for (i = 0; i < answer.len; i ++)
        {
          if (!ssl_chunk(ssl, answer.data + i, 1))
            break;
          usleep(100000);
        }
        break;

    case FAULT_TRICKLE_BODY :
        snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        if (!ssl_write_all(ssl, hdr, strlen(hdr)) || !ssl_chunk(ssl, answer.data, answer.len))
          break;
        for (i = 0; i < 6000; i ++)		// 10 minutes at most
        {
          if (!ssl_chunk(ssl, doc, 20))
            break;
          usleep(100000);
        }
        break;

    case FAULT_CUT_LENGTH :
        snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", answer.len + (fetch ? TEST_DOC_SIZE : 100));
        if (!ssl_write_all(ssl, hdr, strlen(hdr)) || !ssl_write_all(ssl, answer.data, answer.len))
          break;
        for (sent = 0; fetch && sent < TEST_DOC_SIZE / 2; sent += sizeof(doc))
          if (!ssl_write_all(ssl, doc, sizeof(doc)))
            break;
        break;

    case FAULT_CUT_CHUNKED :
        snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        if (!ssl_write_all(ssl, hdr, strlen(hdr)) || !ssl_chunk(ssl, answer.data, fetch ? answer.len : answer.len / 2))
          break;
        for (sent = 0; fetch && sent < TEST_DOC_SIZE / 2; sent += sizeof(doc))
          if (!ssl_chunk(ssl, doc, sizeof(doc)))
            break;
        break;

    case FAULT_HTTP_500 :
        snprintf(hdr, sizeof(hdr), "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        ssl_write_all(ssl, hdr, strlen(hdr));
        break;

    case FAULT_HTTP_502 :
    case FAULT_HTTP_400 :
    case FAULT_HTML_200 :
        {
          static const char html[] = "<html><body><h1>Bad Gateway</h1></body></html>\n";

          snprintf(hdr, sizeof(hdr), "HTTP/1.1 %s\r\nContent-Type: text/html\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", fault == FAULT_HTTP_502 ? "502 Bad Gateway" : fault == FAULT_HTTP_400 ? "400 Bad Request" : "200 OK", sizeof(html) - 1);
          if (ssl_write_all(ssl, hdr, strlen(hdr)))
            ssl_write_all(ssl, html, sizeof(html) - 1);
        }
        break;

    case FAULT_IPP_NO_END :
        // The last byte of an encoded IPP message is its end tag.
        snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", answer.len - 1);
        if (ssl_write_all(ssl, hdr, strlen(hdr)))
          ssl_write_all(ssl, answer.data, answer.len - 1);
        break;

    default :
        snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", answer.len + (fetch && fault == FAULT_NONE ? TEST_DOC_SIZE : 0));
        if (!ssl_write_all(ssl, hdr, strlen(hdr)) || !ssl_write_all(ssl, answer.data, answer.len))
          break;
        for (sent = 0; fetch && fault == FAULT_NONE && sent < TEST_DOC_SIZE; sent += i)
        {
          i = TEST_DOC_SIZE - sent < sizeof(doc) ? TEST_DOC_SIZE - sent : sizeof(doc);
          if (!ssl_write_all(ssl, doc, i))
            break;
        }
        break;
  }

  upaBufferClear(&answer);
}


//
// 'server_config()' - Write and load a configuration for a scripted server.
//

static upa_config_t *			// O - Configuration
server_config(const char *name,		// I - File name prefix
              int        port,		// I - Server port
              const char *ca_file)	// I - CAFile
{
  char		path[600];		// Configuration file
  FILE		*fp;			// File
  upa_config_t	*config;		// Configuration


  snprintf(path, sizeof(path), "%s/%s%d.conf", tmpdir, name, port);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp, "Cloud custom\nRegisterURL https://127.0.0.1:%d\nPrintURL https://127.0.0.1:%d\nGraphURL https://127.0.0.1:%d/v1.0\nStateDir %s/state\nCacheDir %s/cache\nCAFile %s\nTimeout %d\n", port, port, port, tmpdir, tmpdir, ca_file, TEST_TIMEOUT);
  fclose(fp);

  config = upaConfigLoad(path);
  assert_non_null(config);

  return (config);
}


//
// 'server_start()' - Start a scripted HTTPS server and a client for it.
//

static void
server_start(server_t *srv,		// O - Server
             fault_t  fault)		// I - What it does
{
  int			fd;		// Listening socket
  struct sockaddr_in	addr;		// Address
  socklen_t		addrlen = sizeof(addr);
					// Address length
  char			path[600],	// Config/token file
			cmd[1200];	// mkdir command
  FILE			*fp;		// File


  memset(srv, 0, sizeof(server_t));

  fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family      = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
  assert_int_equal(listen(fd, 8), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &addrlen), 0);
  srv->port = ntohs(addr.sin_port);
  snprintf(hslog, sizeof(hslog), "%s/handshakes-%d", tmpdir, srv->port);

  if ((srv->pid = fork()) == 0)
  {
    // Child: serve connections until killed (or the test dies).
    SSL_CTX	*ctx;			// TLS context

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
      _exit(1);

    signal(SIGPIPE, SIG_IGN);

    ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_file(ctx, certfile, SSL_FILETYPE_PEM) != 1 || SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM) != 1)
      _exit(1);

    for (;;)
    {
      int	cfd;			// Connection
      SSL	*ssl;			// TLS connection

      if ((cfd = accept(fd, NULL, NULL)) < 0)
        continue;

      // One process per connection, so a silent one does not block the next.
      if (fork() == 0)
      {
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        ssl = SSL_new(ctx);
        SSL_set_fd(ssl, cfd);
        if (SSL_accept(ssl) == 1)
        {
          FILE *hs = fopen(hslog, "a");	// Handshake log

          if (hs)
          {
            fputs(SSL_session_reused(ssl) ? "resumed\n" : "full\n", hs);
            fclose(hs);
          }

          server_conn(ssl, fault);
          SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        close(cfd);
        _exit(0);
      }

      close(cfd);
      while (waitpid(-1, NULL, WNOHANG) > 0);
    }
  }

  assert_true(srv->pid > 0);
  close(fd);

  // A configuration and device for it, with a cached token so no token
  // endpoint is needed.
  srv->cfg = server_config("server", srv->port, certfile);
  srv->dev = upaDeviceNew(srv->cfg, TEST_DEVICE_ID2);
  assert_non_null(srv->dev);
  assert_true(upaDeviceSetStringf(&srv->dev->printer_uri, "ipps://127.0.0.1:%d/printers/%s", srv->port, TEST_DEVICE_ID2));

  snprintf(cmd, sizeof(cmd), "mkdir -p '%s/cache/tokens'", tmpdir);
  assert_int_equal(system(cmd), 0);
  snprintf(path, sizeof(path), "%s/cache/tokens/%s.json", tmpdir, TEST_DEVICE_ID2);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp, "{\"access_token\":\"test-token\",\"expires\":%ld,\"obtained\":%ld}\n", (long)time(NULL) + 86400, (long)time(NULL));
  fclose(fp);

  srv->client = upaClientCreate(srv->cfg, srv->dev);
  assert_non_null(srv->client);
}


//
// 'server_stop()' - Stop a scripted server and free its client.
//

static void
server_stop(server_t *srv)		// I - Server
{
  int	status;				// Exit status


  upaClientDelete(srv->client);
  upaDeviceDelete(srv->dev);
  upaConfigDelete(srv->cfg);

  if (srv->pid > 0)
  {
    kill(srv->pid, SIGKILL);
    while (waitpid(srv->pid, &status, 0) < 0 && errno == EINTR);
  }
}


//
// 'server_send()' - Send a Get-Jobs through upaClientSend().
//

static ipp_t *				// O - Response or NULL
server_send(server_t *srv)		// I - Server
{
  ipp_t	*request = upaClientNewRequest(srv->client, IPP_OP_GET_JOBS, NULL);
					// Request


  assert_non_null(request);

  return (upaClientSend(srv->client, request));
}


//
// 'server_fetch()' - Fetch document 1 of job 7 through upaClientSendStream().
//

static bool				// O - Result of upaClientSendStream()
server_fetch(server_t        *srv,	// I - Server
             upa_docdata_cb_t data_cb,	// I - Data callback
             void            *cbdata)	// I - Its data
{
  ipp_t	*request = upaClientNewRequest(srv->client, IPP_OP_FETCH_DOCUMENT, NULL);
					// Request


  assert_non_null(request);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", 7);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "document-number", 1);

  return (upaClientSendStream(srv->client, request, NULL, data_cb, cbdata));
}


//
// 'count_cb()' - Count document bytes.
//

static bool				// O - `true` to go on
count_cb(void       *data,		// I - Byte counter
         const char *buffer,		// I - Bytes
         size_t     len)		// I - Number of bytes
{
  (void)buffer;

  *(long long *)data += (long long)len;

  return (true);
}


//
// 'cancel_cb()' - Stop at the first document bytes, as a canceling user would.
//

static bool				// O - Always `false`
cancel_cb(void       *data,		// I - Byte counter
          const char *buffer,		// I - Bytes
          size_t     len)		// I - Number of bytes
{
  (void)buffer;

  *(long long *)data += (long long)len;

  return (false);
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

  snprintf(certfile, sizeof(certfile), "%s/server.crt", tmpdir);
  snprintf(keyfile, sizeof(keyfile), "%s/server.key", tmpdir);
  if (make_cert(certfile, keyfile))
    return (-1);

  if (!upaDeviceSetStringf(&dev->printer_uri, "ipps://127.0.0.1:1/printers/%s", TEST_DEVICE_ID))
    return (-1);
  if (!upaDeviceSetString(&dev->token_url, "https://127.0.0.1:1/tenant/oauth2/token"))
    return (-1);
  if (!upaDeviceSetString(&dev->client_id, "client-1"))
    return (-1);
  if (!upaDeviceSetString(&dev->resource, "https://print.print.microsoft.com"))
    return (-1);
  if (!upaDeviceSetString(&dev->redirect_uri, "https://login.microsoftonline.com/common/oauth2/nativeclient"))
    return (-1);

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
// 'test_trickle_head()' - An IPP part trickling in fails after Timeout, as a timeout.
//

static void
test_trickle_head(void **state)
{
  server_t	srv;			// Server
  long long	bytes = 0;		// Document bytes
  char		expect[64];		// Expected message part


  (void)state;

  // Fetch-Document: the HTTP headers come at once, the IPP part at 10
  // bytes/s (about 40 s): more than Timeout, but fast enough for any
  // low-speed check.
  server_start(&srv, FAULT_TRICKLE_HEAD);
  assert_false(server_fetch(&srv, count_cb, &bytes));
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  snprintf(expect, sizeof(expect), "did not answer within %d s", TEST_TIMEOUT);
  assert_non_null(strstr(upaLastErrorString(), expect));
  assert_null(strstr(upaLastErrorString(), "Cannot reach"));
  assert_true(upaLastErrorMaybeApplied());
  assert_int_equal(bytes, 0);

  // The same for a collected answer.
  assert_null(server_send(&srv));
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  assert_non_null(strstr(upaLastErrorString(), expect));
  assert_true(upaLastErrorMaybeApplied());
  server_stop(&srv);

  // And for an answer that never comes.
  server_start(&srv, FAULT_SILENT);
  assert_null(server_send(&srv));
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  assert_non_null(strstr(upaLastErrorString(), expect));
  assert_true(upaLastErrorMaybeApplied());
  assert_false(server_fetch(&srv, count_cb, &bytes));
  assert_non_null(strstr(upaLastErrorString(), expect));
  assert_true(upaLastErrorMaybeApplied());
  server_stop(&srv);
}


//
// 'test_trickle_body()' - A document trickling in below the minimum rate fails after the rate window.
//

static void
test_trickle_body(void **state)
{
  server_t	srv;			// Server
  long long	bytes = 0;		// Document bytes
  char		expect[128];		// Expected message part


  (void)state;

  // 200 bytes/s would take days for a real document; the rule gives up
  // after one window (30 s with Timeout 2) instead of waiting forever.
  server_start(&srv, FAULT_TRICKLE_BODY);
  assert_false(server_fetch(&srv, count_cb, &bytes));
  assert_true(bytes > 0);
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  snprintf(expect, sizeof(expect), "sent less than %d bytes/s over %d s", UPA_HTTP_MIN_RATE, UPA_HTTP_RATE_WINDOW(TEST_TIMEOUT));
  assert_non_null(strstr(upaLastErrorString(), expect));
  assert_true(upaLastErrorMaybeApplied());
  server_stop(&srv);
}


//
// 'test_fetch_ok()' - A complete document arrives whole and succeeds.
//

static void
test_fetch_ok(void **state)
{
  server_t	srv;			// Server
  long long	bytes = 0;		// Document bytes


  (void)state;

  server_start(&srv, FAULT_NONE);
  assert_true(server_fetch(&srv, count_cb, &bytes));
  assert_int_equal(bytes, TEST_DOC_SIZE);
  server_stop(&srv);
}


//
// 'test_tls_trust()' - The shared CA store trusts CAFile and nothing else.
//
// Every connection of a process verifies against one CA store (lib/http.c):
// a client whose CAFile is another CA must fail against the server, also
// after a client of the same process trusted it, and the first one must
// still work afterwards.
//

static void
test_tls_trust(void **state)
{
  server_t	srv;			// Server
  ipp_t		*response;		// Response
  char		other[600],		// The other CA's file
		okey[600];		// Its key
  upa_config_t	*ocfg;			// Configuration trusting the other CA
  upa_device_t	*odev;			// Device for it
  upa_client_t	*oclient;		// Client for it


  (void)state;

  server_start(&srv, FAULT_NONE);
  response = server_send(&srv);
  assert_non_null(response);
  ippDelete(response);

  // A CA for the same name, with another key
  snprintf(other, sizeof(other), "%s/other-ca.crt", tmpdir);
  snprintf(okey, sizeof(okey), "%s/other-ca.key", tmpdir);
  assert_int_equal(make_cert(other, okey), 0);

  ocfg = server_config("other", srv.port, other);
  assert_non_null(odev = upaDeviceNew(ocfg, TEST_DEVICE_ID2));
  assert_true(upaDeviceSetStringf(&odev->printer_uri, "ipps://127.0.0.1:%d/printers/%s", srv.port, TEST_DEVICE_ID2));
  assert_non_null(oclient = upaClientCreate(ocfg, odev));

  // The other CA does not vouch for the server: no answer, a TLS error
  response = upaClientSend(oclient, upaClientNewRequest(oclient, IPP_OP_GET_JOBS, NULL));
  assert_null(response);
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  print_message("%s\n", upaLastErrorString());
  assert_non_null(strstr(upaLastErrorString(), "certificate"));

  // A new connection of a client with the right CAFile is trusted again
  upaClientDelete(srv.client);
  assert_non_null(srv.client = upaClientCreate(srv.cfg, srv.dev));
  response = server_send(&srv);
  assert_non_null(response);
  ippDelete(response);

  upaClientDelete(oclient);
  upaDeviceDelete(odev);
  upaConfigDelete(ocfg);
  server_stop(&srv);
}


//
// 'test_cut_body()' - A document cut short is an error naming what arrived.
//

static void
test_cut_body(void **state)
{
  server_t	srv;			// Server
  long long	bytes = 0;		// Document bytes
  char		expect[128];		// Expected message part
  ipp_t		*response;		// Response


  (void)state;

  // Content-Length not reached.
  server_start(&srv, FAULT_CUT_LENGTH);
  assert_false(server_fetch(&srv, count_cb, &bytes));
  assert_true(bytes > 0 && bytes < TEST_DOC_SIZE);
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  snprintf(expect, sizeof(expect), "document from 127.0.0.1:%d was cut short after %lld bytes", srv.port, bytes);
  assert_non_null(strstr(upaLastErrorString(), expect));
  assert_true(upaLastErrorMaybeApplied());

  // A collected answer shorter than its Content-Length.
  response = server_send(&srv);
  assert_null(response);
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  assert_non_null(strstr(upaLastErrorString(), "was cut short after"));
  assert_true(upaLastErrorMaybeApplied());
  server_stop(&srv);

  // Chunked without its last chunk.
  bytes = 0;
  server_start(&srv, FAULT_CUT_CHUNKED);
  assert_false(server_fetch(&srv, count_cb, &bytes));
  assert_true(bytes > 0 && bytes < TEST_DOC_SIZE);
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  snprintf(expect, sizeof(expect), "document from 127.0.0.1:%d was cut short after %lld bytes", srv.port, bytes);
  assert_non_null(strstr(upaLastErrorString(), expect));
  assert_true(upaLastErrorMaybeApplied());

  // Half an IPP answer, chunked without its last chunk.
  assert_null(server_send(&srv));
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  assert_non_null(strstr(upaLastErrorString(), "was cut short after"));
  assert_true(upaLastErrorMaybeApplied());
  server_stop(&srv);
}


//
// 'test_maybe_applied()' - Which failures leave the outcome open.
//

static void
test_maybe_applied(void **state)
{
  server_t	srv;			// Server
  int		fd;			// Socket
  struct sockaddr_in addr;		// Address
  socklen_t	addrlen = sizeof(addr);	// Address length
  int		port;			// Closed port
  static const fault_case_t cases[] =
  {
    { FAULT_HTTP_500, UPA_ERROR_SERVER, true, "HTTP 500" },
    { FAULT_HTTP_502, UPA_ERROR_SERVER, true, "HTTP 502" },
    { FAULT_HTML_200, UPA_ERROR_PROTOCOL, true, "not IPP" },
    { FAULT_IPP_NO_END, UPA_ERROR_PROTOCOL, true, "truncated" },
    { FAULT_HTTP_400, UPA_ERROR_HTTP, false, "HTTP 400" },
    { FAULT_IPP_500, UPA_ERROR_SERVER, false, "server-error-internal-error" },
    { FAULT_IPP_NOT_FOUND, UPA_ERROR_NOT_FOUND, false, "client-error-not-found" }
  };
  size_t	i;			// Looping var


  (void)state;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i ++)
  {
    print_message("fault %d\n", (int)cases[i].fault);

    server_start(&srv, cases[i].fault);
    assert_null(server_send(&srv));
    assert_int_equal(upaLastError(), cases[i].err);
    assert_non_null(strstr(upaLastErrorString(), cases[i].text));
    assert_int_equal(upaLastErrorMaybeApplied(), cases[i].maybe);
    assert_null(strstr(upaLastErrorString(), ".."));
    server_stop(&srv);
  }

  // Connection refused: nothing was sent.
  fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family      = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &addrlen), 0);
  port = ntohs(addr.sin_port);

  server_start(&srv, FAULT_NONE);
  // Point the client at the port nobody listens on (bound, not listening).
  snprintf(srv.cfg->print_url, sizeof(srv.cfg->print_url), "https://127.0.0.1:%d", port);
  assert_null(server_send(&srv));
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);
  assert_non_null(strstr(upaLastErrorString(), "Cannot reach"));
  assert_false(upaLastErrorMaybeApplied());
  assert_null(strstr(upaLastErrorString(), ".."));
  server_stop(&srv);
  close(fd);

  // upaSetError() forgets the flag.
  upaSetError(UPA_ERROR_NETWORK, "test");
  upaSetErrorMaybeApplied(true);
  assert_true(upaLastErrorMaybeApplied());
  upaSetError(UPA_ERROR_NETWORK, "test");
  assert_false(upaLastErrorMaybeApplied());
  upaClearError();
  assert_false(upaLastErrorMaybeApplied());
}


//
// 'server_send_loop()' - Send a Get-Jobs through upaClientStart() on a loop.
//
// Runs the loop until it hands the client's session back, then returns
// what upaClientFinish() gives.
//

static ipp_t *				// O - Response or NULL
server_send_loop(server_t        *srv,	// I - Server
                 upa_http_loop_t *loop)	// I - Loop
{
  ipp_t		*request = upaClientNewRequest(srv->client, IPP_OP_GET_JOBS, NULL);
					// Request
  upa_http_t	*http;			// Finished session
  void		*data = NULL;		// Its data
  int		marker;			// What the loop must hand back


  assert_non_null(request);
  assert_true(upaClientStart(srv->client, loop, request, &marker));

  // A request already in flight refuses another
  request = upaClientNewRequest(srv->client, IPP_OP_GET_JOBS, NULL);
  assert_non_null(request);
  assert_false(upaHTTPStart(upaClientGetHTTP(srv->client), loop, &(upa_http_request_t){ .method = "POST", .url = "https://127.0.0.1:1/" }, &(upa_http_response_t){ 0 }, NULL));
  ippDelete(request);

  while ((http = upaHTTPLoopNext(loop, &data)) == NULL)
    assert_true(upaHTTPLoopRun(loop, 1000));

  assert_ptr_equal(http, upaClientGetHTTP(srv->client));
  assert_ptr_equal(data, &marker);
  assert_null(upaHTTPLoopNext(loop, &data));

  return (upaClientFinish(srv->client));
}


//
// 'test_loop()' - Requests on a loop end as upaClientSend() does.
//

static void
test_loop(void **state)
{
  server_t		srv;		// Server
  upa_http_loop_t	*loop;		// Loop
  ipp_t			*response;	// Response
  static const fault_case_t cases[] =
  {
    { FAULT_SILENT, UPA_ERROR_NETWORK, true, "did not answer within" },
    { FAULT_HTTP_500, UPA_ERROR_SERVER, true, "HTTP 500" },
    { FAULT_HTML_200, UPA_ERROR_PROTOCOL, true, "not IPP" },
    { FAULT_IPP_NO_END, UPA_ERROR_PROTOCOL, true, "truncated" },
    { FAULT_CUT_LENGTH, UPA_ERROR_NETWORK, true, "cut short" },
    { FAULT_HTTP_400, UPA_ERROR_HTTP, false, "HTTP 400" },
    { FAULT_IPP_NOT_FOUND, UPA_ERROR_NOT_FOUND, false, "client-error-not-found" }
  };
  size_t		i;		// Looping var


  (void)state;

  loop = upaHTTPLoopCreate();
  assert_non_null(loop);

  // A proper answer, twice on the same session
  server_start(&srv, FAULT_NONE);
  for (i = 0; i < 2; i ++)
  {
    response = server_send_loop(&srv, loop);
    assert_non_null(response);
    assert_int_equal(ippGetStatusCode(response), IPP_STATUS_OK);
    ippDelete(response);
    assert_false(upaClientTokenRefused(srv.client));
  }
  server_stop(&srv);

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i ++)
  {
    print_message("fault %d\n", (int)cases[i].fault);

    server_start(&srv, cases[i].fault);
    assert_null(server_send_loop(&srv, loop));
    assert_int_equal(upaLastError(), cases[i].err);
    assert_non_null(strstr(upaLastErrorString(), cases[i].text));
    assert_int_equal(upaLastErrorMaybeApplied(), cases[i].maybe);
    server_stop(&srv);
  }

  // A request canceled in flight (the server never answers) is forgotten:
  // the loop hands nothing back and the session can be deleted
  server_start(&srv, FAULT_SILENT);
  {
    ipp_t *request = upaClientNewRequest(srv.client, IPP_OP_GET_JOBS, NULL);
					// Request
    void  *data;			// Data of a finished request

    assert_true(upaClientStart(srv.client, loop, request, NULL));
    assert_true(upaHTTPLoopRun(loop, 100));
    upaClientCancel(srv.client);
    assert_true(upaHTTPLoopRun(loop, 100));
    assert_null(upaHTTPLoopNext(loop, &data));
  }
  server_stop(&srv);

  upaHTTPLoopDelete(loop);
}


//
// 'handshakes()' - Count the server's handshakes of one kind so far.
//

static int				// O - Number of "full" or "resumed" lines
handshakes(const char *kind)		// I - "full" or "resumed"
{
  FILE	*fp;				// Log
  char	line[64];			// Line
  int	count = 0;			// Count


  if ((fp = fopen(hslog, "r")) == NULL)
    return (0);

  while (fgets(line, sizeof(line), fp))
    if (!strncmp(line, kind, strlen(kind)) && line[strlen(kind)] == '\n')
      count ++;

  fclose(fp);

  return (count);
}


//
// 'test_tls_resume()' - Sessions trusting the same CA file share TLS sessions.
//
// A second client (a connector's next channel) resumes the server's TLS
// session instead of a full handshake, on a loop as with upaClientSend();
// a client trusting another CA file never resumes a session the first one
// verified.  A request too large for one socket write still goes out whole
// on a loop, which now gives libcurl's upload buffer back once a request is
// sent (http_loop_sent()).
//

static void
test_tls_resume(void **state)
{
  server_t		srv;		// Server
  ipp_t			*request,	// Request
			*response;	// Response
  upa_client_t		*other;		// Second client, same configuration
  upa_device_t		*odev;		// Its device
  upa_config_t		*ocfg;		// Configuration with a copy of the CA file
  upa_client_t		*oclient;	// Client for it
  upa_http_loop_t	*loop;		// Loop
  char			copy[600],	// Copy of the CA file
			cmd[1400],	// cp command
			text[1000];	// Padding value
  int			i;		// Looping var


  (void)state;

  server_start(&srv, FAULT_NONE);

  // The first connection of the process (to this server) is a full handshake
  response = server_send(&srv);
  assert_non_null(response);
  ippDelete(response);
  assert_int_equal(handshakes("full"), 1);
  assert_int_equal(handshakes("resumed"), 0);

  // Another client of the same configuration resumes (its own first request)
  assert_non_null(odev = upaDeviceNew(srv.cfg, TEST_DEVICE_ID2));
  assert_true(upaDeviceSetStringf(&odev->printer_uri, "ipps://127.0.0.1:%d/printers/%s", srv.port, TEST_DEVICE_ID2));
  assert_non_null(other = upaClientCreate(srv.cfg, odev));
  response = upaClientSend(other, upaClientNewRequest(other, IPP_OP_GET_JOBS, NULL));
  assert_non_null(response);
  assert_int_equal(ippGetStatusCode(response), IPP_STATUS_OK);
  ippDelete(response);
  assert_int_equal(handshakes("full"), 1);
  assert_int_equal(handshakes("resumed"), 1);

  // On a loop too, with a request of about 2 MB: many socket writes
  loop = upaHTTPLoopCreate();
  assert_non_null(loop);
  upaClientDelete(other);
  assert_non_null(other = upaClientCreate(srv.cfg, odev));
  request = upaClientNewRequest(other, IPP_OP_GET_JOBS, NULL);
  assert_non_null(request);
  memset(text, 'x', sizeof(text) - 1);
  text[sizeof(text) - 1] = '\0';
  for (i = 0; i < 2000; i ++)
  {
    text[i % (sizeof(text) - 1)] = (char)('a' + i % 26);
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_TEXT, "job-name", NULL, text);
  }
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "fetchable");
  assert_true(upaClientStart(other, loop, request, NULL));
  while (!upaHTTPLoopNext(loop, NULL))
    assert_true(upaHTTPLoopRun(loop, 1000));
  response = upaClientFinish(other);
  assert_non_null(response);
  // Bad request, had the body been damaged (the server decodes it whole)
  assert_int_equal(ippGetStatusCode(response), IPP_STATUS_OK);
  ippDelete(response);
  assert_int_equal(handshakes("full"), 1);
  assert_int_equal(handshakes("resumed"), 2);
  upaHTTPLoopDelete(loop);

  // The same CA under another file name: another cache, a full handshake
  snprintf(copy, sizeof(copy), "%s/ca-copy.crt", tmpdir);
  snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", certfile, copy);
  assert_int_equal(system(cmd), 0);
  ocfg = server_config("copy", srv.port, copy);
  assert_non_null(oclient = upaClientCreate(ocfg, odev));
  response = upaClientSend(oclient, upaClientNewRequest(oclient, IPP_OP_GET_JOBS, NULL));
  assert_non_null(response);
  ippDelete(response);
  assert_int_equal(handshakes("full"), 2);
  assert_int_equal(handshakes("resumed"), 2);

  upaClientDelete(oclient);
  upaConfigDelete(ocfg);
  upaClientDelete(other);
  upaDeviceDelete(odev);
  server_stop(&srv);
}


//
// 'test_cancel()' - A data callback that stops the transfer cancels it.
//

static void
test_cancel(void **state)
{
  server_t	srv;			// Server
  long long	bytes = 0;		// Document bytes


  (void)state;

  server_start(&srv, FAULT_NONE);
  assert_false(server_fetch(&srv, cancel_cb, &bytes));
  assert_true(bytes > 0);
  assert_int_equal(upaLastError(), UPA_ERROR_CANCELED);
  assert_false(upaLastErrorMaybeApplied());
  server_stop(&srv);
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
    cmocka_unit_test(test_send_errors),
    cmocka_unit_test(test_fetch_ok),
    cmocka_unit_test(test_tls_trust),
    cmocka_unit_test(test_tls_resume),
    cmocka_unit_test(test_trickle_head),
    cmocka_unit_test(test_trickle_body),
    cmocka_unit_test(test_cut_body),
    cmocka_unit_test(test_maybe_applied),
    cmocka_unit_test(test_cancel),
    cmocka_unit_test(test_loop)
  };

  return (cmocka_run_group_tests(tests, setup, teardown));
}
