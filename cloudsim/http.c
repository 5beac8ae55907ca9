//
// HTTP(S) request plumbing for upa-cloudsim (libmicrohttpd).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// libmicrohttpd pushes request bodies in pieces.  Each route picks a body
// mode when the headers arrive: JSON/form bodies are buffered (capped), job
// documents are streamed to a file, and IPP requests are buffered only until
// the IPP message parses, after which any document data goes to a file.
// Every request is logged in one line when it completes.
//

#include "cloudsim.h"
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <openssl/crypto.h>


//
// Local types...
//

typedef struct membuf_s			// Memory buffer for ippReadIO/ippWriteIO
{
  unsigned char	*data;			// Data
  size_t	len,			// Bytes used (write) / available (read)
		pos,			// Read position
		size;			// Allocated size (write)
} membuf_t;

typedef struct listener_s		// One listening daemon
{
  cs_server_t	*server;		// Server
  bool		compat;			// ipptool conformance port
} listener_t;

typedef struct reply_s			// Streamed response body (IPP answer, maybe a document)
{
  cs_tenant_t	*tenant;		// Tenant (its condition variable paces trickles)
  unsigned char	*ipp;			// Encoded IPP response
  size_t	ipplen;			// Length of IPP response
  size_t	ippsend;		// IPP bytes to send (fewer: close after them)
  int		fd;			// Document file or -1
  long		drop;			// Stop after this many document bytes (-1 = never)
  bool		drop_close;		// At "drop": close (else end the body cleanly)
  long		sent;			// Document bytes sent
  long		rate;			// Bytes per second (0 = full speed)
  struct timespec start;		// When the body started (for "rate")
  long		stall;			// Pause after this many document bytes (-1 = never)
  int		stall_seconds;		// ... for this long
} reply_t;


//
// Local globals...
//

static listener_t	listeners[2];	// Main and --ipptool-listen daemons


//
// Local functions...
//

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls);
static bool	append_buf(cs_request_t *req, const char *data, size_t len, size_t cap);
static void	connection_cb(void *cls, struct MHD_Connection *conn, void **socket_context, enum MHD_ConnectionNotificationCode toe);
static void	completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe);
static void	consume(cs_request_t *req, const char *data, size_t len);
static void	delay_request(cs_request_t *req, cs_fault_t *fault);
static enum MHD_Result queue_reply(cs_request_t *req, const char *type, reply_t *reply, uint64_t total);
static ssize_t	reply_cb(void *cls, uint64_t pos, char *buf, size_t max);
static void	reply_free(void *cls);
static bool	wait_until(cs_tenant_t *tenant, const struct timespec *deadline);
static const char *endpoint_class(const char *path);
static bool	is_token_path(const char *path);
static void	logger_cb(void *cls, const char *format, va_list ap) __attribute__((format(printf, 2, 0)));
static ssize_t	read_cb(membuf_t *mb, ipp_uchar_t *buffer, size_t bytes);
static void	try_parse_ipp(cs_request_t *req);
static void	write_doc(cs_request_t *req, const char *data, size_t len);
static ssize_t	write_cb(membuf_t *mb, ipp_uchar_t *buffer, size_t bytes);


//
// 'csHTTPArg()' - Get a query argument (decoded by libmicrohttpd).
//

const char *				// O - Value or `NULL`
csHTTPArg(cs_request_t *req,		// I - Request
          const char   *name)		// I - Argument name
{
  return (MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name));
}


//
// 'csHTTPBearer()' - Get the bearer token from the Authorization header.
//

const char *				// O - Token or `NULL`
csHTTPBearer(cs_request_t *req)		// I - Request
{
  const char	*auth = csHTTPHeader(req, MHD_HTTP_HEADER_AUTHORIZATION);
					// Authorization header


  if (!auth || strncasecmp(auth, "Bearer ", 7))
    return (NULL);

  for (auth += 7; *auth == ' '; auth ++);

  return (*auth ? auth : NULL);
}


//
// 'csHTTPHeader()' - Get a request header.
//

const char *				// O - Value or `NULL`
csHTTPHeader(cs_request_t *req,		// I - Request
             const char   *name)	// I - Header name
{
  return (MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name));
}


//
// 'csHTTPIsAdmin()' - Does the request carry an admin bearer token?
//
// Either the static --admin-token or a live delegated token that an
// administrator got from the OAuth token endpoint (oauth.c).  Takes the
// tenant lock: do not call it with the lock held.
//

bool					// O - `true` if so
csHTTPIsAdmin(cs_request_t *req)	// I - Request
{
  const char	*token = csHTTPBearer(req);
					// Bearer token
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  bool		valid;			// Delegated admin token?


  if (!token)
    return (false);

  if (csHTTPIsStaticAdmin(req))
    return (true);

  csTenantLock(tenant);
  valid = csTenantCheckAdminToken(tenant, token, NULL, 0);
  csTenantUnlock(tenant);

  return (valid);
}


//
// 'csHTTPIsStaticAdmin()' - Does the request carry the --admin-token?
//
// The /sim control API takes only this one: it is the test harness, not a
// service a signed-in administrator would reach.
//

bool					// O - `true` if so
csHTTPIsStaticAdmin(cs_request_t *req)	// I - Request
{
  const char	*token = csHTTPBearer(req);
					// Bearer token
  const char	*admin = req->server->tenant->admin_token;
					// Admin token


  return (token && strlen(token) == strlen(admin) && !CRYPTO_memcmp(token, admin, strlen(admin)));
}


//
// 'csHTTPRespond()' - Queue a response from a memory buffer.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csHTTPRespond(cs_request_t *req,	// I - Request
              unsigned     status,	// I - HTTP status
              const char   *type,	// I - Content-Type or `NULL`
              const void   *data,	// I - Body
              size_t       len)		// I - Length of body
{
  struct MHD_Response	*resp;		// Response
  enum MHD_Result	ret;		// Result


  if ((resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY)) == NULL)
    return (MHD_NO);

  if (type)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (status == MHD_HTTP_UNAUTHORIZED && req->server->profile_pwg && req->server->basic_auth && req->mode == CS_BODY_IPP)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"Infrastructure Printer\"");
  else if (status == MHD_HTTP_UNAUTHORIZED)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");

  ret = MHD_queue_response(req->conn, status, resp);
  MHD_destroy_response(resp);

  req->http_status = status;

  return (ret);
}


//
// 'csHTTPRespondError()' - Queue a JSON error {"error", "error_description"}.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csHTTPRespondError(cs_request_t *req,	// I - Request
                   unsigned     status,	// I - HTTP status
                   const char   *error,	// I - Error code
                   const char   *desc)	// I - Description
{
  json_object	*obj = json_object_new_object();
					// Body
  enum MHD_Result ret;			// Result


  json_object_object_add(obj, "error", json_object_new_string(error));
  json_object_object_add(obj, "error_description", json_object_new_string(desc));

  csLog(req->server, 1, "%s %s: %u %s", req->method, req->path, status, desc);

  ret = csHTTPRespondJSON(req, status, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'csHTTPRespondHeaders()' - Queue a JSON response with one extra header.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csHTTPRespondHeaders(cs_request_t *req,	// I - Request
                     unsigned     status,
					// I - HTTP status
                     json_object  *obj,	// I - Body or `NULL` for none
                     const char   *name,// I - Header name or `NULL`
                     const char   *value)
					// I - Header value
{
  size_t		len = 0;	// Length of JSON text
  const char		*text = obj ? json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len) : "";
					// JSON text
  struct MHD_Response	*resp;		// Response
  enum MHD_Result	ret;		// Result


  if ((resp = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY)) == NULL)
    return (MHD_NO);

  if (obj)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (status == MHD_HTTP_UNAUTHORIZED && req->server->profile_pwg && req->server->basic_auth && req->mode == CS_BODY_IPP)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"Infrastructure Printer\"");
  else if (status == MHD_HTTP_UNAUTHORIZED)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  if (name)
    MHD_add_response_header(resp, name, value);

  ret = MHD_queue_response(req->conn, status, resp);
  MHD_destroy_response(resp);

  req->http_status = status;

  return (ret);
}


//
// 'csHTTPBodyJSON()' - Parse a buffered JSON body.
//

json_object *				// O - JSON value or `NULL`
csHTTPBodyJSON(cs_request_t *req)	// I - Request
{
  if (!req->buf || !req->buflen || strlen((char *)req->buf) != req->buflen)
    return (NULL);

  return (json_tokener_parse((char *)req->buf));
}


//
// 'csHTTPEncodeIPP()' - Encode an IPP message into a new buffer.
//

unsigned char *				// O - Encoded message (free it) or `NULL`
csHTTPEncodeIPP(ipp_t  *ipp,		// I - Message
                size_t *len)		// O - Length
{
  membuf_t	mb = { NULL, 0, 0, 0 };	// Encoded message
  ipp_state_t	state;			// Write state


  *len = 0;

  ippSetState(ipp, IPP_STATE_IDLE);
  while ((state = ippWriteIO(&mb, (ipp_iocb_t)write_cb, 1, NULL, ipp)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
    {
      free(mb.data);
      return (NULL);
    }
  }

  *len = mb.len;

  return (mb.data);
}


//
// 'csHTTPRespondIPP()' - Queue an IPP response, optionally followed by a document.
//
// With a document the body has no length (libmicrohttpd sends it chunked)
// unless req->doc_length asks for a Content-Length.  req->drop_bytes,
// req->drop_close, req->stall_bytes/stall_seconds and req->rate carry the
// document and trickle faults.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csHTTPRespondIPP(cs_request_t *req,	// I - Request
                 ipp_t        *response,// I - IPP response
                 int          docfd)	// I - Document file or -1 (closed here)
{
  unsigned char		*data;		// Encoded response
  size_t		len;		// Length of encoded response
  reply_t		*reply;		// Streamed response state
  uint64_t		total;		// Content-Length or MHD_SIZE_UNKNOWN
  struct stat		info;		// Document file information
  enum MHD_Result	ret;		// Result


  if ((data = csHTTPEncodeIPP(response, &len)) == NULL)
  {
    if (docfd >= 0)
      close(docfd);
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "cannot encode IPP response"));
  }

  if (docfd < 0 && req->rate <= 0)
  {
    ret = csHTTPRespond(req, MHD_HTTP_OK, "application/ipp", data, len);
    free(data);
    return (ret);
  }

  if ((reply = calloc(1, sizeof(reply_t))) == NULL)
  {
    free(data);
    if (docfd >= 0)
      close(docfd);
    return (MHD_NO);
  }

  reply->tenant     = req->server->tenant;
  reply->ipp        = data;
  reply->ipplen     = len;
  reply->ippsend    = len;
  reply->fd         = docfd;
  reply->drop       = docfd >= 0 ? req->drop_bytes : -1;
  reply->drop_close = req->drop_close;
  reply->rate       = req->rate;
  reply->stall      = docfd >= 0 ? req->stall_bytes : -1;
  reply->stall_seconds = req->stall_seconds;
  total             = len;

  if (docfd >= 0)
  {
    if (req->doc_length && !fstat(docfd, &info))
    {
      // A clean short body announces what it sends; a cut one the full size.
      if (reply->drop >= 0 && !reply->drop_close && reply->drop < (long)info.st_size)
        total += (uint64_t)reply->drop;
      else
        total += (uint64_t)info.st_size;
    }
    else
      total = MHD_SIZE_UNKNOWN;
  }

  return (queue_reply(req, "application/ipp", reply, total));
}


//
// 'csHTTPRespondPartial()' - Queue a 200 response that breaks off early.
//
// Announces "announced" bytes (Content-Length), sends the first "send" bytes
// of "data" and then closes the connection; with send == len == announced it
// is an ordinary response.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csHTTPRespondPartial(cs_request_t *req,	// I - Request
                     const char   *type,// I - Content-Type
                     const void   *data,// I - Body
                     size_t       len,	// I - Length of body
                     size_t       send,	// I - Bytes to send
                     size_t       announced)
					// I - Content-Length
{
  reply_t	*reply;			// Streamed response state


  if ((reply = calloc(1, sizeof(reply_t))) == NULL || (reply->ipp = malloc(len ? len : 1)) == NULL)
  {
    free(reply);
    return (MHD_NO);
  }

  memcpy(reply->ipp, data, len);
  reply->tenant  = req->server->tenant;
  reply->ipplen  = len;
  reply->ippsend = send < len ? send : len;
  reply->fd      = -1;
  reply->drop    = -1;
  reply->stall   = -1;

  return (queue_reply(req, type, reply, announced));
}


//
// 'csHTTPWait()' - Wait a number of seconds without holding the tenant.
//

bool					// O - `false` if the server is stopping
csHTTPWait(cs_server_t *server,		// I - Server
           int         seconds)		// I - Seconds
{
  struct timespec	deadline;	// When to stop waiting


  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;

  return (wait_until(server->tenant, &deadline));
}


//
// 'csHTTPRespondJSON()' - Queue a JSON response.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csHTTPRespondJSON(cs_request_t *req,	// I - Request
                  unsigned     status,	// I - HTTP status
                  json_object  *obj)	// I - Body
{
  size_t	len;			// Length of JSON text
  const char	*text = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
					// JSON text


  return (csHTTPRespond(req, status, "application/json", text, len));
}


//
// 'csHTTPStart()' - Start the HTTPS server.
//

struct MHD_Daemon *			// O - Daemon or `NULL`
csHTTPStart(cs_server_t           *server,
					// I - Server
            const struct sockaddr *addr,// I - Listen address
            bool                  compat)
					// I - ipptool conformance port?
{
  unsigned	flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ERROR_LOG;
					// Daemon flags
  listener_t	*l;			// Listener


  if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
  {
    fputs("upa-cloudsim: libmicrohttpd was built without TLS support\n", stderr);
    return (NULL);
  }

  if (addr->sa_family == AF_INET6)
    flags |= MHD_USE_IPv6;

  // At most two daemons (main and conformance port); the listener must live
  // as long as its daemon, so it is static.  libmicrohttpd sets SO_REUSEADDR
  // (not SO_REUSEPORT) on the listening socket by default, so a restart after
  // kill -9 binds the same port at once (upa-cloudsim(8)).
  l         = listeners + (compat ? 1 : 0);
  l->server = server;
  l->compat = compat;

  return (MHD_start_daemon(flags, 0, NULL, NULL, access_cb, l,
                           MHD_OPTION_EXTERNAL_LOGGER, logger_cb, server,
                           MHD_OPTION_HTTPS_MEM_KEY, csCAServerKey(server->ca),
                           MHD_OPTION_HTTPS_MEM_CERT, csCAServerCert(server->ca),
                           MHD_OPTION_SOCK_ADDR, addr,
                           MHD_OPTION_CONNECTION_LIMIT, (unsigned)(server->connection_limit > 0 ? server->connection_limit : 256),
                           MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
                           MHD_OPTION_NOTIFY_COMPLETED, completed_cb, server,
                           MHD_OPTION_NOTIFY_CONNECTION, connection_cb, server,
                           MHD_OPTION_END));
}


//
// 'connection_cb()' - Offer TLS session tickets on a new connection.
//
// HTTPS front ends commonly resume TLS sessions (TLS 1.3 tickets), so a
// client that reconnects, or opens a connection per printer, skips the
// full handshake (whether Universal Print's does could not be checked from
// here); GnuTLS offers tickets only when the server enables them.
// One key for the process: a restarted emulator, like a new front-end
// node, does not know the tickets it gave before.
//

static void
connection_cb(
    void                  *cls,		// I - Server (unused)
    struct MHD_Connection *conn,	// I - Connection
    void                  **socket_context,
					// IO - Our data for the connection (unused)
    enum MHD_ConnectionNotificationCode toe)
					// I - Started or closed
{
  static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
					// Guards the key
  static gnutls_datum_t	key = { NULL, 0 };
					// Ticket key (kept for the process)
  const union MHD_ConnectionInfo *info;	// The connection's TLS session


  (void)cls;
  (void)socket_context;

  if (toe != MHD_CONNECTION_NOTIFY_STARTED)
    return;

  pthread_mutex_lock(&mutex);
  if (!key.data && gnutls_session_ticket_key_generate(&key) != GNUTLS_E_SUCCESS)
    key.data = NULL;
  pthread_mutex_unlock(&mutex);

  // Before the handshake (libmicrohttpd runs it when the first bytes come)
  if (key.data && (info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION)) != NULL && info->tls_session)
    gnutls_session_ticket_enable_server((gnutls_session_t)info->tls_session, &key);
}


//
// 'access_cb()' - libmicrohttpd request callback.
//
// Called once with the headers, then once per piece of body, then once more
// with no data when the body is complete: that is when we answer.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
access_cb(void                  *cls,	// I - Server
          struct MHD_Connection *conn,	// I - Connection
          const char            *url,	// I - Path
          const char            *method,// I - Method
          const char            *version,
					// I - HTTP version (unused)
          const char            *upload_data,
					// I - Body piece
          size_t                *upload_data_size,
					// IO - Size of body piece
          void                  **con_cls)
					// IO - Request state
{
  listener_t	*l = (listener_t *)cls;	// Listener
  cs_server_t	*server = l->server;	// Server
  cs_request_t	*req = (cs_request_t *)*con_cls;
					// Request
  bool		post;			// POST request?
  const char	*cls_name;		// Endpoint class
  cs_fault_t	fault;			// Injected fault


  (void)version;

  if (!req)
  {
    const union MHD_ConnectionInfo *info;
					// Client address

    if ((req = calloc(1, sizeof(cs_request_t))) == NULL)
      return (MHD_NO);

    req->server     = server;
    req->conn       = conn;
    req->method     = strdup(method);
    req->path       = strdup(url);
    req->docfd      = -1;
    req->compat     = l->compat;
    req->drop_bytes = -1;
    req->stall_bytes = -1;
    *con_cls        = req;

    if ((info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)) != NULL && info->client_addr)
    {
      const struct sockaddr *sa = info->client_addr;
					// Address

      getnameinfo(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), req->client, sizeof(req->client), NULL, 0, NI_NUMERICHOST);
    }

    post = !strcmp(method, MHD_HTTP_METHOD_POST);

    if (post && (!strcmp(url, "/printers") || !strncmp(url, "/printers/", 10)))
    {
      req->mode = CS_BODY_IPP;
      csIPPAuthorize(req);
    }
    else if (l->compat)
    {
      req->mode = CS_BODY_NONE;		// The conformance port only speaks IPP
    }
    else if (post && (!strcmp(url, "/api/v1.0/register") || is_token_path(url) || csOAuthIsPath(url) || !strncmp(url, "/api/v2.0/badges", 16)))
    {
      req->mode = CS_BODY_BUFFER;
    }
    else if (post && csSimWantsDocument(req))
    {
      req->mode = CS_BODY_FILE;
    }
    else if ((post || !strcmp(method, "PUT")) && !strncmp(url, "/sim/", 5))
    {
      req->mode = CS_BODY_BUFFER;
    }
    else if (!strncmp(url, "/v1.0/", 6) || !strncmp(url, "/uploadSessions/", 16))
    {
      req->mode = csGraphBodyMode(req);
    }
    else
    {
      req->mode = CS_BODY_NONE;
    }

    return (MHD_YES);
  }

  if (*upload_data_size > 0)
  {
    consume(req, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return (MHD_YES);
  }

  // The body is complete.
  if (req->docfd >= 0)
  {
    if (close(req->docfd))
      req->doc_failed = true;
    req->docfd = -1;
  }

  // Injected delays, then HTTP errors, come before anything else, like a
  // slow or failing front end's would.
  if ((cls_name = endpoint_class(url)) != NULL && csFaultTake(server, "delay", cls_name, req->ipp ? (int)ippGetOperation(req->ipp) : 0, &fault))
    delay_request(req, &fault);

  if (cls_name && csFaultTake(server, "http", cls_name, req->ipp ? (int)ippGetOperation(req->ipp) : 0, &fault))
    return (csFaultRespond(req, &fault));

  if (l->compat && req->mode != CS_BODY_IPP)
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "not_found", "this port only serves IPP (POST /printers/ID)"));

  if (req->http_error)
  {
    if (req->mode == CS_BODY_IPP && req->ipp && req->http_error != MHD_HTTP_UNAUTHORIZED)
      req->opname = ippOpString(ippGetOperation(req->ipp));

    return (csHTTPRespondError(req, (unsigned)req->http_error, req->http_error == MHD_HTTP_UNAUTHORIZED ? "unauthorized" : "invalid_request", req->error_desc ? req->error_desc : "request refused"));
  }

  if (req->too_large)
    return (csHTTPRespondError(req, MHD_HTTP_CONTENT_TOO_LARGE, "invalid_request", "request body too large"));

  if (req->mode == CS_BODY_IPP)
    return (csIPPHandle(req));
  else if (!strcmp(url, "/api/v1.0/register"))
    return (csRegisterHandle(req));
  else if (is_token_path(url))
    return (csTokenHandle(req));
  else if (csOAuthIsPath(url))
    return (csOAuthHandle(req));
  else if (!strncmp(url, "/sim/", 5))
    return (csSimHandle(req));
  else if (!strncmp(url, "/api/v2.0/badges", 16) || !strncmp(url, "/api/v1.0/badges/", 17) || !strncmp(url, "/v1.0/print/badgeCollections", 28) || !strncmp(url, "/v1.0/print/operations/", 23))
    return (csBadgeHandle(req));
  else if (!strncmp(url, "/v1.0/", 6) || !strncmp(url, "/uploadSessions/", 16))
    return (csGraphHandle(req));
  else if (!strcmp(url, "/printers") || !strncmp(url, "/printers/", 10))
    return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use POST for IPP"));
  else
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "not_found", "no such resource"));
}


//
// 'append_buf()' - Append body data to the request buffer (up to "cap").
//

static bool				// O - `false` when over the cap or out of memory
append_buf(cs_request_t *req,		// I - Request
           const char   *data,		// I - Data
           size_t       len,		// I - Length
           size_t       cap)		// I - Maximum size
{
  if (req->buflen + len > cap)
    return (false);

  if (req->buflen + len + 1 > req->bufsize)
  {
    size_t	newsize = req->bufsize ? req->bufsize : 4096;
					// New size
    unsigned char *newbuf;		// New buffer

    while (newsize < req->buflen + len + 1)
      newsize *= 2;

    if ((newbuf = realloc(req->buf, newsize)) == NULL)
      return (false);

    req->buf     = newbuf;
    req->bufsize = newsize;
  }

  memcpy(req->buf + req->buflen, data, len);
  req->buflen += len;
  req->buf[req->buflen] = '\0';		// Handy for JSON and form text

  return (true);
}


//
// 'completed_cb()' - Log and free a finished request.
//

static void
completed_cb(void                            *cls,
					// I - Server
             struct MHD_Connection           *conn,
					// I - Connection (unused)
             void                            **con_cls,
					// I - Request state
             enum MHD_RequestTerminationCode toe)
					// I - How it ended
{
  cs_server_t	*server = (cs_server_t *)cls;
					// Server
  cs_request_t	*req = (cs_request_t *)*con_cls;
					// Request


  (void)conn;

  if (!req)
    return;

  csLog(server, 0, "%s %s %s%s%s%s%s %u%s", req->client, req->method, req->path, req->opname ? " " : "", req->opname ? req->opname : "", req->has_ipp_status ? " " : "", req->has_ipp_status ? (req->ipp_status == IPP_STATUS_ERROR_NOT_FETCHABLE ? "client-error-not-fetchable" : ippErrorString(req->ipp_status)) : "", req->http_status, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed early)");

  if (req->docfd >= 0)
    close(req->docfd);

  // A document that no job took over is garbage.
  if (req->docpath)
  {
    unlink(req->docpath);
    free(req->docpath);
  }

  ippDelete(req->ipp);
  free(req->buf);
  free(req->error_desc);
  free(req->method);
  free(req->path);
  free(req);

  *con_cls = NULL;
}


//
// 'consume()' - Take one piece of request body.
//

static void
consume(cs_request_t *req,		// I - Request
        const char   *data,		// I - Data
        size_t       len)		// I - Length
{
  switch (req->mode)
  {
    case CS_BODY_NONE :
        break;

    case CS_BODY_BUFFER :
        if (!req->too_large && !append_buf(req, data, len, CS_MAX_BODY))
          req->too_large = true;
        break;

    case CS_BODY_FILE :
        write_doc(req, data, len);
        break;

    case CS_BODY_IPP :
        if (req->ipp)
        {
          if (req->docfd >= 0)
            write_doc(req, data, len);
        }
        else if (!req->ipp_error)
        {
          if (!append_buf(req, data, len, CS_MAX_BODY))
          {
            // Either an absurd IPP header or a body with no IPP in it.
            req->ipp_error = true;
          }
          else
          {
            try_parse_ipp(req);
          }
        }
        break;
  }
}


//
// 'delay_request()' - Hold a request for a "delay" fault's seconds.
//
// Waits on the tenant's condition variable, which releases the tenant lock
// while waiting, so that other requests go on; shutdown ends the wait.
//

static void
delay_request(cs_request_t *req,	// I - Request
              cs_fault_t   *fault)	// I - Fault
{
  csLog(req->server, 0, "fault %d: delaying %s %s by %d s", fault->id, req->method, req->path, fault->seconds);

  csHTTPWait(req->server, fault->seconds);
}


//
// 'endpoint_class()' - Endpoint class of a path for fault matching.
//

static const char *			// O - Class name or `NULL` (/sim)
endpoint_class(const char *path)	// I - URL path
{
  if (!strcmp(path, "/printers") || !strncmp(path, "/printers/", 10))
    return ("ipp");
  else if (!strcmp(path, "/api/v1.0/register"))
    return ("register");
  else if (!strncmp(path, "/api/v2.0/badges", 16) || !strncmp(path, "/api/v1.0/badges/", 17) || !strncmp(path, "/v1.0/print/badgeCollections", 28))
    return ("badge");
  else if (!strncmp(path, "/uploadSessions/", 16))
    return ("upload");
  else if (!strncmp(path, "/v1.0/", 6))
    return ("graph");
  else if (is_token_path(path))
    return ("token");
  else if (csOAuthIsPath(path))
    return ("oauth");
  else
    return (NULL);
}


//
// 'is_token_path()' - Is this the token endpoint (/<tenant>/oauth2/token)?
//

static bool				// O - `true` if so
is_token_path(const char *path)		// I - URL path
{
  const char	*slash;			// End of tenant segment


  return (path[0] == '/' && (slash = strchr(path + 1, '/')) != NULL && slash > path + 1 && !strcmp(slash, "/oauth2/token"));
}


//
// 'logger_cb()' - libmicrohttpd error log.
//

static void
logger_cb(void       *cls,		// I - Server
          const char *format,		// I - printf-style format
          va_list    ap)		// I - Arguments
{
  char	line[1024];			// Message
  size_t len;				// Length


  vsnprintf(line, sizeof(line), format, ap);

  // libmicrohttpd messages end with a newline; csLog adds its own.
  if ((len = strlen(line)) > 0 && line[len - 1] == '\n')
    line[len - 1] = '\0';

  csLog((cs_server_t *)cls, 1, "libmicrohttpd: %s", line);
}


//
// 'queue_reply()' - Queue a streamed response (reply_cb) with status 200.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
queue_reply(cs_request_t *req,		// I - Request
            const char   *type,		// I - Content-Type
            reply_t      *reply,	// I - Response state (freed by libmicrohttpd)
            uint64_t     total)		// I - Content-Length or MHD_SIZE_UNKNOWN
{
  struct MHD_Response	*resp;		// HTTP response
  enum MHD_Result	ret;		// Result


  clock_gettime(CLOCK_REALTIME, &reply->start);

  if ((resp = MHD_create_response_from_callback(total, 65536, reply_cb, reply, reply_free)) == NULL)
  {
    reply_free(reply);
    return (MHD_NO);
  }

  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");

  ret = MHD_queue_response(req->conn, MHD_HTTP_OK, resp);
  MHD_destroy_response(resp);
  req->http_status = MHD_HTTP_OK;

  return (ret);
}


//
// 'read_cb()' - ippReadIO callback reading from a memory buffer.
//

static ssize_t				// O - Bytes read, 0 at the end
read_cb(membuf_t    *mb,		// I - Buffer
        ipp_uchar_t *buffer,		// O - Destination
        size_t      bytes)		// I - Bytes wanted
{
  size_t	n = mb->len - mb->pos;	// Bytes available


  if (n > bytes)
    n = bytes;

  memcpy(buffer, mb->data + mb->pos, n);
  mb->pos += n;

  return ((ssize_t)n);
}


//
// 'reply_cb()' - Produce a streamed body: the IPP response, then the document.
//
// Returning MHD_CONTENT_READER_END_WITH_ERROR closes the connection, which is
// how the faults cut answers short.
//

static ssize_t				// O - Bytes or MHD_CONTENT_READER_END_*
reply_cb(void     *cls,			// I - Reply state
         uint64_t pos,			// I - Position in body
         char     *buf,			// O - Buffer
         size_t   max)			// I - Size of buffer
{
  reply_t	*reply = (reply_t *)cls;// Reply state
  ssize_t	bytes;			// Bytes read


  if (reply->rate > 0)
  {
    // Trickle: a tenth of a second's worth at a time, each piece no earlier
    // than its place in the stream allows.
    size_t		piece = reply->rate >= 10 ? (size_t)(reply->rate / 10) : 1;
					// Bytes in this piece
    uint64_t		end;		// Stream position after this piece
    struct timespec	deadline;	// When the piece may go

    if (max > piece)
      max = piece;

    end               = pos + max;
    deadline.tv_sec   = reply->start.tv_sec + (time_t)(end / (uint64_t)reply->rate);
    deadline.tv_nsec  = reply->start.tv_nsec + (long)((end % (uint64_t)reply->rate) * 1000000000ULL / (uint64_t)reply->rate);
    if (deadline.tv_nsec >= 1000000000L)
    {
      deadline.tv_sec ++;
      deadline.tv_nsec -= 1000000000L;
    }

    if (!wait_until(reply->tenant, &deadline))
      return (MHD_CONTENT_READER_END_WITH_ERROR);
  }

  if (pos < reply->ipplen)
  {
    size_t n;				// Bytes of IPP to send now

    if (pos >= reply->ippsend)
      return (MHD_CONTENT_READER_END_WITH_ERROR);

    n = reply->ippsend - (size_t)pos;
    if (n > max)
      n = max;

    memcpy(buf, reply->ipp + pos, n);
    return ((ssize_t)n);
  }

  // No document: anything asked for beyond the IPP response was announced
  // but never comes (a Content-Length larger than the body).
  if (reply->fd < 0)
    return (MHD_CONTENT_READER_END_WITH_ERROR);

  // Injected "drop"/"doc-cut"/"doc-short" faults: close the connection, or
  // end a well-formed body early.
  if (reply->drop >= 0)
  {
    if (reply->sent >= reply->drop)
      return (reply->drop_close ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM);
    if ((long)max > reply->drop - reply->sent)
      max = (size_t)(reply->drop - reply->sent);
  }

  // Injected "doc-stall" fault: nothing for a while, then the rest.
  if (reply->stall >= 0)
  {
    if (reply->sent >= reply->stall)
    {
      struct timespec	deadline;	// End of the pause

      reply->stall = -1;
      clock_gettime(CLOCK_REALTIME, &deadline);
      deadline.tv_sec += reply->stall_seconds;
      if (!wait_until(reply->tenant, &deadline))
        return (MHD_CONTENT_READER_END_WITH_ERROR);
    }
    else if ((long)max > reply->stall - reply->sent)
      max = (size_t)(reply->stall - reply->sent);
  }

  do
  {
    bytes = read(reply->fd, buf, max);
  }
  while (bytes < 0 && errno == EINTR);

  if (bytes == 0)
    return (MHD_CONTENT_READER_END_OF_STREAM);
  else if (bytes < 0)
    return (MHD_CONTENT_READER_END_WITH_ERROR);

  reply->sent += (long)bytes;

  return (bytes);
}


//
// 'reply_free()' - Free a streamed body's state.
//

static void
reply_free(void *cls)			// I - Reply state
{
  reply_t	*reply = (reply_t *)cls;// Reply state


  if (reply->fd >= 0)
    close(reply->fd);
  free(reply->ipp);
  free(reply);
}


//
// 'try_parse_ipp()' - Parse the buffered IPP message if it is complete.
//
// libcups' reader cannot resume, so this re-parses from the start each time
// more data arrives (the header is capped at CS_MAX_BODY).  Bytes after the
// end-of-attributes tag are document data.
//

static void
try_parse_ipp(cs_request_t *req)	// I - Request
{
  membuf_t	mb;			// Buffer
  ipp_t		*ipp = ippNew();	// Message
  ipp_state_t	state;			// Read state


  mb.data = req->buf;
  mb.len  = req->buflen;
  mb.pos  = 0;
  mb.size = 0;

  while ((state = ippReadIO(&mb, (ipp_iocb_t)read_cb, 1, NULL, ipp)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
    {
      // Incomplete (or malformed): decided when the body ends.
      ippDelete(ipp);
      return;
    }
  }

  req->ipp = ipp;

  if (csIPPWantsDocument(req))
  {
    if ((req->docfd = csTenantCreateDocument(req->server->tenant, &req->docid, &req->docpath)) < 0)
      req->doc_failed = true;
    else if (mb.pos < mb.len)
      write_doc(req, (const char *)req->buf + mb.pos, mb.len - mb.pos);
  }

  // The header is no longer needed in raw form.
  free(req->buf);
  req->buf     = NULL;
  req->buflen  = 0;
  req->bufsize = 0;
}


//
// 'write_doc()' - Append body data to the request's document file.
//

static void
write_doc(cs_request_t *req,		// I - Request
          const char   *data,		// I - Data
          size_t       len)		// I - Length
{
  if (req->doc_failed)
    return;

  if (req->docfd < 0 && req->mode == CS_BODY_FILE)
  {
    if ((req->docfd = csTenantCreateDocument(req->server->tenant, &req->docid, &req->docpath)) < 0)
    {
      req->doc_failed = true;
      return;
    }
  }

  if (req->doclen + (off_t)len > CS_MAX_DOCUMENT)
  {
    req->doclen    += (off_t)len;
    req->doc_failed = true;
    return;
  }

  while (len > 0)
  {
    ssize_t bytes = write(req->docfd, data, len);
					// Bytes written

    if (bytes < 0)
    {
      if (errno == EINTR)
        continue;

      req->doc_failed = true;
      return;
    }

    data        += bytes;
    len         -= (size_t)bytes;
    req->doclen += bytes;
  }
}


//
// 'wait_until()' - Wait for a time on the tenant's condition variable.
//
// The tenant lock is released while waiting, so other requests go on;
// shutdown ends the wait early.
//

static bool				// O - `false` if the server is stopping
wait_until(cs_tenant_t           *tenant,
					// I - Tenant
           const struct timespec *deadline)
					// I - When to stop waiting (CLOCK_REALTIME)
{
  struct timespec	now;		// Current time
  bool			stopping;	// Shutting down?


  pthread_mutex_lock(&tenant->lock);
  for (;;)
  {
    clock_gettime(CLOCK_REALTIME, &now);
    if (tenant->stopping || now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
      break;
    pthread_cond_timedwait(&tenant->changed, &tenant->lock, deadline);
  }
  stopping = tenant->stopping;
  pthread_mutex_unlock(&tenant->lock);

  return (!stopping);
}


//
// 'write_cb()' - ippWriteIO callback appending to a memory buffer.
//

static ssize_t				// O - Bytes written or -1
write_cb(membuf_t    *mb,		// I - Buffer
         ipp_uchar_t *buffer,		// I - Data
         size_t      bytes)		// I - Length
{
  if (mb->len + bytes > mb->size)
  {
    size_t	newsize = mb->size ? mb->size : 4096;
					// New size
    unsigned char *newdata;		// New buffer

    while (newsize < mb->len + bytes)
      newsize *= 2;

    if ((newdata = realloc(mb->data, newsize)) == NULL)
      return (-1);

    mb->data = newdata;
    mb->size = newsize;
  }

  memcpy(mb->data + mb->len, buffer, bytes);
  mb->len += bytes;

  return ((ssize_t)bytes);
}
