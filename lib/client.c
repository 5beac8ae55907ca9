//
// IPP-INFRA client for one registered device: IPP over HTTPS with the device token.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// IPP messages are encoded and decoded by libcups (ippWriteIO/ippReadIO) on
// memory buffers; libcurl carries them.  For Fetch-Document the IPP response
// is followed by the document in the same HTTP body: it is parsed as soon as
// it is complete and the rest is streamed to the caller, so memory stays flat
// whatever the document size.
//

#include "upa-private.h"
#include <curl/curl.h>

#define UPA_IPP_MAX	(1024 * 1024)	// Largest IPP part of a streamed response
#define CLIENT_TOKEN_RECHECK 60		// Most seconds a token is reused without reading the cache
#define CLIENT_TOKEN_MAX 16384		// Longest device token


//
// Local types...
//

typedef struct client_pwg_s		// Profile pwg's endpoint and credentials
{
  char		url[2400];		// IPP endpoint (https form of PrinterURI)
  bool		basic;			// Send HTTP Basic credentials?
  char		user[256];		// Basic user name
  char		password[1024];		// Basic password (wiped on delete)
} client_pwg_t;

struct upa_client_s			// Cloud session for one device
{
  const upa_config_t *cfg;		// Configuration (borrowed)
  const upa_device_t *dev;		// Device (borrowed)
  upa_http_t	*http;			// HTTPS session
  char		*token;			// Current device token (malloc'd, NULL = none; wiped when freed)
  time_t	token_checked,		// When the token cache was last read
		token_expires,		// Expiry of the token
		token_life;		// Its life when first seen (seconds)
  int		request_id;		// Last request-id used
  client_pwg_t	*pwg;			// Profile pwg only (malloc'd: a connector holds a client per device)
  upa_buffer_t	abody;			// upaClientStart(): encoded request
  upa_http_request_t areq;		// ... its HTTP request
  upa_http_response_t aresp;		// ... its HTTP response
  char		*aurl;			// ... its URL (malloc'd)
  int		arequest_id;		// ... its request-id
  bool		token_refused;		// upaClientFinish() saw HTTP 401: renew the token, send again
};

typedef struct client_reader_s		// Memory reader for ippReadIO()
{
  const char	*data;			// Bytes
  size_t	len;			// Number of bytes
  size_t	pos;			// Bytes consumed
  bool		eof;			// A read wanted more than was there
} client_reader_t;

typedef struct client_stream_s		// State of a streamed response
{
  upa_client_t	*client;		// Client
  int		request_id;		// request-id sent
  const char	*host;			// Host (for messages)
  upa_docstart_cb_t start_cb;		// Start callback
  upa_docdata_cb_t data_cb;		// Data callback
  void		*cbdata;		// Callback data
  upa_buffer_t	head;			// Bytes of the IPP part so far
  ipp_t		*response;		// Parsed IPP response
  bool		delivered;		// Any document data passed on?
  long long	doc_bytes;		// Document bytes passed on
} client_stream_t;


//
// Local functions...
//

static bool	client_auth(upa_client_t *client, upa_http_request_t *req, bool renew, bool in_hand);
static bool	client_check_response(ipp_t *response, int request_id, const char *host);
static ipp_t	*client_decode(upa_client_t *client, const upa_http_response_t *resp, int request_id, const char *host);
static void	client_url(upa_client_t *client, char *url, size_t urlsize, char *host, size_t hostsize);
static bool	client_http_error(upa_client_t *client, const upa_http_response_t *resp, const char *host);
static ssize_t	client_read_cb(void *data, ipp_uchar_t *buffer, size_t bytes);
static bool	client_stream_cb(void *data, const char *buffer, size_t len);
static bool	client_token(upa_client_t *client, bool renew);
static void	client_free(upa_client_t *client);
static bool	client_set_token(upa_client_t *client, const char *token);
static ssize_t	client_write_cb(void *data, ipp_uchar_t *buffer, size_t bytes);


//
// 'upaClientCreate()' - Create a cloud session for a device.
//

upa_client_t *				// O - Client or `NULL`
upaClientCreate(const upa_config_t *cfg,// I - Configuration (borrowed)
                const upa_device_t *dev)// I - Device (borrowed)
{
  upa_client_t	*client;		// New client


  if (!cfg || !dev)
  {
    upaSetError(UPA_ERROR_ARGS, "upaClientCreate: bad arguments.");
    return (NULL);
  }

  if ((client = calloc(1, sizeof(upa_client_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  client->cfg = cfg;
  client->dev = dev;

  if (cfg->profile == UPA_PROFILE_PWG)
  {
    char	scheme[32],		// URI scheme
		userpass[256],		// User info (refused)
		host[256],		// Host
		resource[1024];		// Resource path
    int		port;			// Port

    // The Infrastructure Printer of the configuration, over https.
    if (httpSeparateURI(HTTP_URI_CODING_ALL, cfg->printer_uri, scheme, sizeof(scheme), userpass, sizeof(userpass), host, sizeof(host), &port, resource, sizeof(resource)) < HTTP_URI_STATUS_OK || strcmp(scheme, "ipps") || userpass[0])
    {
      upaSetError(UPA_ERROR_CONFIG, "PrinterURI %s is not a usable ipps:// URI (no user name or password in it).", cfg->printer_uri);
      client_free(client);
      return (NULL);
    }

    if ((client->pwg = calloc(1, sizeof(client_pwg_t))) == NULL)
    {
      upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
      client_free(client);
      return (NULL);
    }

    if (strchr(host, ':'))
      snprintf(client->pwg->url, sizeof(client->pwg->url), "https://[%s]:%d%s", host, port, resource);
    else
      snprintf(client->pwg->url, sizeof(client->pwg->url), "https://%s:%d%s", host, port, resource);

    if (cfg->credentials[0])
    {
      if (!upaConfigReadCredentials(cfg, client->pwg->user, sizeof(client->pwg->user), client->pwg->password, sizeof(client->pwg->password)))
      {
        client_free(client);
        return (NULL);
      }
      client->pwg->basic = true;
    }
  }

  if ((client->http = upaHTTPCreate(cfg)) == NULL)
  {
    client_free(client);
    return (NULL);
  }

  return (client);
}


//
// 'upaClientCancel()' - Stop a request started with upaClientStart().
//

void
upaClientCancel(upa_client_t *client)	// I - Client
{
  if (!client)
    return;

  upaHTTPCancel(client->http);
  upaBufferClear(&client->abody);
  upaHTTPResponseClear(&client->aresp);
  free(client->aurl);
  client->aurl = NULL;
  memset(&client->areq, 0, sizeof(client->areq));
}


//
// 'upaClientFinish()' - Collect the response of a request the loop finished.
//
// Call it when upaHTTPLoopNext() returns the client's session
// (upaClientGetHTTP()).  Returns what upaClientSend() would, except that an
// HTTP 401 is not retried here: upaClientTokenRefused() then says so, and
// the caller renews the token (upaClientGetToken() with renew, away from
// the loop: it may need the network) before sending again.
//

ipp_t *					// O - Response or `NULL`
upaClientFinish(upa_client_t *client)	// I - Client
{
  char		host[256];		// Host for messages
  ipp_t		*response = NULL;	// IPP response


  if (!client)
  {
    upaSetError(UPA_ERROR_ARGS, "upaClientFinish: no client.");
    return (NULL);
  }

  client->token_refused = false;
  upaURLHost(client->aurl ? client->aurl : "", host, sizeof(host));

  if (!upaHTTPFinish(client->http))
    goto done;

  if (client->aresp.status == 401 && !client->aresp.basic_wanted && client->cfg->profile != UPA_PROFILE_PWG)
  {
    upaLog(UPA_LOG_INFO, "Device token refused by %s.", host);
    client->token_refused = true;
  }

  if (client->aresp.status != 200)
  {
    client_http_error(client, &client->aresp, host);
    goto done;
  }

  response = client_decode(client, &client->aresp, client->arequest_id, host);

  done:

  upaBufferClear(&client->abody);
  upaHTTPResponseClear(&client->aresp);
  free(client->aurl);
  client->aurl = NULL;
  memset(&client->areq, 0, sizeof(client->areq));

  return (response);
}


//
// 'upaClientStart()' - Start sending a request on a loop and return at once.
//
// The request (consumed) is prepared as upaClientSend() does and started
// with upaHTTPStart(); "data" comes back from upaHTTPLoopNext().  The token
// in hand is used as is (the token cache is read only when the client has
// none): keep it fresh with upaClientTokenDue() and upaClientGetToken(),
// which may need the network.
//

bool					// O - `true` when started
upaClientStart(upa_client_t    *client,	// I - Client
               upa_http_loop_t *loop,	// I - Loop
               ipp_t           *request,// I - Request (consumed)
               void            *data)	// I - Data for upaHTTPLoopNext()
{
  char		url[2400],		// IPP endpoint
		host[256];		// Host for messages
  bool		ret = false;		// Return value


  if (!client || !loop || !request)
  {
    ippDelete(request);
    upaSetError(UPA_ERROR_ARGS, "upaClientStart: bad arguments.");
    return (false);
  }

  upaClientCancel(client);
  client_url(client, url, sizeof(url), host, sizeof(host));

  if (!client_auth(client, &client->areq, false, true))
    goto done;

  if ((client->aurl = strdup(url)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    goto done;
  }

  if (++ client->request_id <= 0)
    client->request_id = 1;
  client->arequest_id = client->request_id;
  ippSetRequestId(request, client->request_id);

  if (!upaIPPEncode(request, &client->abody))
    goto done;

  client->areq.method       = "POST";
  client->areq.url          = client->aurl;
  client->areq.content_type = "application/ipp";
  client->areq.body         = client->abody.data;
  client->areq.body_len     = client->abody.len;

  upaLog(UPA_LOG_DEBUG, "Sending %s (request-id %d) for device %s.", ippOpString(ippGetOperation(request)), client->request_id, client->dev->id);

  ret = upaHTTPStart(client->http, loop, &client->areq, &client->aresp, data);

  done:

  ippDelete(request);
  if (!ret)
    upaClientCancel(client);

  return (ret);
}


//
// 'upaClientTokenDue()' - Should the device token be renewed before a request?
//
// True when the client holds no token or it ends within "seconds" (or a
// quarter of its life, when that is less: short-lived tokens): call
// upaClientGetToken() (which may need the network) before upaClientStart().
// Always false for Profile pwg (no tokens).
//

bool					// O - `true` when a token is needed
upaClientTokenDue(upa_client_t *client,	// I - Client
                  int          seconds)	// I - Least remaining life wanted
{
  if (!client || client->cfg->profile == UPA_PROFILE_PWG)
    return (false);

  if (client->token_life > 0 && client->token_life / 4 < seconds)
    seconds = (int)(client->token_life / 4);

  return (!client->token || client->token_expires - time(NULL) < seconds);
}


//
// 'upaClientTokenRefused()' - Did the last upaClientFinish() see the token refused (HTTP 401)?
//

bool					// O - `true` when refused
upaClientTokenRefused(upa_client_t *client)
					// I - Client
{
  return (client ? client->token_refused : false);
}


//
// 'upaClientDelete()' - Free a cloud session.
//

void
upaClientDelete(upa_client_t *client)	// I - Client
{
  if (!client)
    return;

  upaClientCancel(client);
  upaHTTPDelete(client->http);
  client_free(client);
}


//
// 'upaClientGetDevice()' - Return the client's device.
//

const upa_device_t *			// O - Device (borrowed)
upaClientGetDevice(upa_client_t *client)// I - Client
{
  return (client ? client->dev : NULL);
}


//
// 'upaClientGetHTTP()' - Return the client's HTTPS session.
//

upa_http_t *				// O - Session (borrowed)
upaClientGetHTTP(upa_client_t *client)	// I - Client
{
  return (client ? client->http : NULL);
}


//
// 'upaClientGetToken()' - Get the device token (cached in the client and on disk).
//

bool					// O - `true` on success
upaClientGetToken(upa_client_t *client,	// I - Client
                  bool         renew,	// I - Force a new token
                  char         *token,	// O - Token
                  size_t       tokensize)
					// I - Size of token buffer
{
  if (!client || !token || tokensize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaClientGetToken: bad arguments.");
    return (false);
  }

  if (client->cfg->profile == UPA_PROFILE_PWG)
  {
    upaSetError(UPA_ERROR_CONFIG, "Profile pwg has no device tokens (HTTP Basic or no authentication).");
    return (false);
  }

  if (!client_token(client, renew))
    return (false);

  if (!upaCopyString(token, client->token, tokensize))
  {
    upaSetError(UPA_ERROR_ARGS, "Device token does not fit the buffer (%zu bytes).", tokensize);
    return (false);
  }

  return (true);
}


//
// 'upaClientNewJobRequest()' - Create a request for one job with the common attributes.
//
// universal-print (byte for byte what Universal Print gets): charset,
// language, [requesting-user-uri, requesting-user-name, my-jobs],
// printer-uri, output-device-uuid, job-id.  pwg (RFC 8011 section 4.1.5):
// charset, language, then the target (printer-uri, job-id), then
// [requesting-user-name, requesting-user-uri, my-jobs], output-device-uuid.
//

ipp_t *					// O - Request or `NULL`
upaClientNewJobRequest(
    upa_client_t *client,		// I - Client
    ipp_op_t     op,			// I - Operation
    const char   *user_uri,		// I - "mailto:UPN" or `NULL`
    int          job_id)		// I - Cloud job-id or 0 for a printer operation
{
  ipp_t		*request;		// Request
  char		uuid[256];		// output-device-uuid
  const char	*printer_uri;		// printer-uri
  const char	*upn = NULL;		// requesting-user-name
  bool		pwg;			// RFC 8011 order?


  if (!client)
  {
    upaSetError(UPA_ERROR_ARGS, "upaClientNewRequest: no client.");
    return (NULL);
  }

  pwg         = client->cfg->profile == UPA_PROFILE_PWG;
  printer_uri = pwg ? client->cfg->printer_uri : client->dev->printer_uri;

  if (!printer_uri[0])
  {
    upaSetError(UPA_ERROR_ARGS, "upaClientNewRequest: no device or printer URI.");
    return (NULL);
  }

  if (!upaDeviceUUID(client->dev, uuid, sizeof(uuid)))
  {
    upaSetError(UPA_ERROR_DEVICE, "Invalid cloud device id \"%s\".", client->dev->id);
    return (NULL);
  }

  // ippNew() rather than ippNewRequest(): the latter adds the locale's
  // natural language; the order below is exactly what each server expects.
  if ((request = ippNew()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  ippSetVersion(request, 2, 0);
  ippSetOperation(request, op);
  ippSetRequestId(request, client->request_id + 1);

  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", NULL, "utf-8");
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", NULL, "en-us");

  if (user_uri)
  {
    upn = user_uri;
    if (!strncasecmp(upn, "mailto:", 7))
      upn += 7;
  }

  if (pwg)
  {
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, printer_uri);
    if (job_id > 0)
      ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);

    if (user_uri)
    {
      ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, upn);
      ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "requesting-user-uri", NULL, user_uri);
      if (op == IPP_OP_GET_JOBS)
        ippAddBoolean(request, IPP_TAG_OPERATION, "my-jobs", 1);
    }

    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "output-device-uuid", NULL, uuid);
  }
  else
  {
    if (user_uri)
    {
      ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "requesting-user-uri", NULL, user_uri);
      ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, upn);
      if (op == IPP_OP_GET_JOBS)
        ippAddBoolean(request, IPP_TAG_OPERATION, "my-jobs", 1);
    }

    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, printer_uri);
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "output-device-uuid", NULL, uuid);
    if (job_id > 0)
      ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  }

  return (request);
}


//
// 'upaClientNewRequest()' - Create a request with the common operation attributes.
//

ipp_t *					// O - Request or `NULL`
upaClientNewRequest(
    upa_client_t *client,		// I - Client
    ipp_op_t     op,			// I - Operation
    const char   *user_uri)		// I - "mailto:UPN" or `NULL`
{
  return (upaClientNewJobRequest(client, op, user_uri, 0));
}


//
// 'upaClientSend()' - Send a request and return the response.
//

ipp_t *					// O - Response or `NULL`
upaClientSend(upa_client_t *client,	// I - Client
              ipp_t        *request)	// I - Request (consumed)
{
  upa_buffer_t		body;		// Encoded request
  upa_http_request_t	req;		// HTTP request
  upa_http_response_t	resp;		// HTTP response
  char			url[2400],	// IPP endpoint
			host[256];	// Host for messages
  ipp_t			*response = NULL;
					// IPP response
  int			attempt;	// Attempt number


  if (!client || !request)
  {
    ippDelete(request);
    upaSetError(UPA_ERROR_ARGS, "upaClientSend: bad arguments.");
    return (NULL);
  }

  client_url(client, url, sizeof(url), host, sizeof(host));

  memset(&body, 0, sizeof(body));
  memset(&resp, 0, sizeof(resp));

  for (attempt = 0; attempt < 2; attempt ++)
  {
    // Renew the token only after the service refused it once.
    if (!client_auth(client, &req, attempt > 0, false))
      goto done;

    if (++ client->request_id <= 0)
      client->request_id = 1;
    ippSetRequestId(request, client->request_id);

    upaBufferClear(&body);
    if (!upaIPPEncode(request, &body))
      goto done;

    req.method       = "POST";
    req.url          = url;
    req.content_type = "application/ipp";
    req.body         = body.data;
    req.body_len     = body.len;

    upaLog(UPA_LOG_DEBUG, "Sending %s (request-id %d) for device %s.", ippOpString(ippGetOperation(request)), client->request_id, client->dev->id);

    upaHTTPResponseClear(&resp);
    if (!upaHTTPDo(client->http, &req, &resp))
      goto done;

    if (resp.status == 401 && attempt == 0 && !resp.basic_wanted && client->cfg->profile != UPA_PROFILE_PWG)
    {
      upaLog(UPA_LOG_INFO, "Device token refused by %s, renewing it.", host);
      continue;
    }

    break;
  }

  if (resp.status != 200)
  {
    client_http_error(client, &resp, host);
    goto done;
  }

  response = client_decode(client, &resp, client->request_id, host);

  done:

  ippDelete(request);
  upaBufferClear(&body);
  upaHTTPResponseClear(&resp);

  return (response);
}


//
// 'upaClientSendStream()' - Send a request whose response is followed by document data.
//

bool					// O - `true` on success
upaClientSendStream(
    upa_client_t      *client,		// I - Client
    ipp_t             *request,		// I - Request (consumed)
    upa_docstart_cb_t start_cb,		// I - Called with the IPP response
    upa_docdata_cb_t  data_cb,		// I - Called with the document bytes
    void              *cbdata)		// I - Callback data
{
  upa_buffer_t		body;		// Encoded request
  upa_http_request_t	req;		// HTTP request
  upa_http_response_t	resp;		// HTTP response
  client_stream_t	stream;		// Stream state
  char			url[2400],	// IPP endpoint
			host[256];	// Host for messages
  int			attempt;	// Attempt number
  bool			ret = false;	// Return value


  if (!client || !request || !data_cb)
  {
    ippDelete(request);
    upaSetError(UPA_ERROR_ARGS, "upaClientSendStream: bad arguments.");
    return (false);
  }

  client_url(client, url, sizeof(url), host, sizeof(host));

  memset(&body, 0, sizeof(body));
  memset(&resp, 0, sizeof(resp));
  memset(&stream, 0, sizeof(stream));

  stream.client   = client;
  stream.host     = host;
  stream.start_cb = start_cb;
  stream.data_cb  = data_cb;
  stream.cbdata   = cbdata;

  for (attempt = 0; attempt < 2; attempt ++)
  {
    if (!client_auth(client, &req, attempt > 0, false))
      goto done;

    if (++ client->request_id <= 0)
      client->request_id = 1;
    ippSetRequestId(request, client->request_id);
    stream.request_id = client->request_id;

    upaBufferClear(&body);
    if (!upaIPPEncode(request, &body))
      goto done;

    req.method       = "POST";
    req.url          = url;
    req.content_type = "application/ipp";
    req.body         = body.data;
    req.body_len     = body.len;
    req.data_cb      = client_stream_cb;
    req.data_cbdata  = &stream;
    req.stream_head  = true;

    upaLog(UPA_LOG_DEBUG, "Sending %s (request-id %d) for device %s.", ippOpString(ippGetOperation(request)), client->request_id, client->dev->id);

    upaHTTPResponseClear(&resp);
    upaBufferClear(&stream.head);
    ippDelete(stream.response);
    stream.response  = NULL;
    stream.doc_bytes = 0;

    if (!upaHTTPDo(client->http, &req, &resp))
    {
      if (resp.cut_short && stream.response)
      {
        // The IPP part was fine, the document was not: say it in its words.
        upaSetError(UPA_ERROR_NETWORK, "The document from %s was cut short after %lld bytes.", host, stream.doc_bytes);
        upaSetErrorMaybeApplied(true);
      }
      goto done;
    }

    // Error bodies never reach the stream callback, so a 401 retry cannot
    // follow delivered data.
    if (resp.status == 401 && attempt == 0 && !stream.delivered && !resp.basic_wanted && client->cfg->profile != UPA_PROFILE_PWG)
    {
      upaLog(UPA_LOG_INFO, "Device token refused by %s, renewing it.", host);
      continue;
    }

    break;
  }

  if (resp.status != 200)
  {
    client_http_error(client, &resp, host);
    goto done;
  }

  if (!stream.response)
  {
    bool	incomplete = true;	// Truncated?
    size_t	used;			// Bytes of IPP
    ipp_t	*temp;			// Decoded response

    if (stream.head.len > 0 && (temp = upaIPPDecode(stream.head.data, stream.head.len, &used, &incomplete)) != NULL)
      ippDelete(temp);

    upaSetError(UPA_ERROR_PROTOCOL, "Malformed IPP response from %s: %s (%zu bytes).", host, incomplete ? "truncated" : "not IPP", stream.head.len);
    upaSetErrorMaybeApplied(true);
    goto done;
  }

  ret = true;

  done:

  ippDelete(request);
  ippDelete(stream.response);
  upaBufferClear(&stream.head);
  upaBufferClear(&body);
  upaHTTPResponseClear(&resp);

  return (ret);
}


//
// 'upaIPPDecode()' - Decode an IPP message from memory.
//
// Returns the message and the number of bytes it used (document data may
// follow), or NULL with "incomplete" telling whether more bytes could make
// it valid (true) or it is malformed (false).
//

ipp_t *					// O - Message or `NULL`
upaIPPDecode(const char *data,		// I - Bytes
             size_t     len,		// I - Number of bytes
             size_t     *used,		// O - Bytes used or `NULL`
             bool       *incomplete)	// O - `true` if truncated, `NULL` to ignore
{
  client_reader_t	reader;		// Reader state
  ipp_t			*ipp;		// Message
  ipp_state_t		state;		// Read state


  if (used)
    *used = 0;
  if (incomplete)
    *incomplete = false;

  if (!data && len > 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaIPPDecode: no data.");
    return (NULL);
  }

  if ((ipp = ippNew()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  // RFC 8010: version 1.x or 2.x, and a delimiter tag right after the
  // 8-byte header.  libcups reads on through text (an HTML error page,
  // say) as long-but-truncated attributes, so catch that here.
  if ((len > 0 && data[0] != 1 && data[0] != 2) || (len > 8 && (data[8] == 0 || (data[8] & 255) > 0x0f)))
  {
    ippDelete(ipp);
    return (NULL);
  }

  memset(&reader, 0, sizeof(reader));
  reader.data = data;
  reader.len  = len;

  // Blocking reads: libcups asks for exactly the bytes it needs, so running
  // out of them means "truncated", any other failure means "malformed".
  while ((state = ippReadIO(&reader, client_read_cb, 1, NULL, ipp)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
    {
      if (incomplete)
        *incomplete = reader.eof;
      ippDelete(ipp);
      return (NULL);
    }

    if (reader.pos >= reader.len)
    {
      if (incomplete)
        *incomplete = true;
      ippDelete(ipp);
      return (NULL);
    }
  }

  if (used)
    *used = reader.pos;

  return (ipp);
}


//
// 'upaIPPEncode()' - Encode an IPP message into a buffer.
//

bool					// O - `true` on success
upaIPPEncode(ipp_t        *ipp,		// I - Message
             upa_buffer_t *buf)		// I - Buffer to append to
{
  ipp_state_t	state;			// Write state


  if (!ipp || !buf)
  {
    upaSetError(UPA_ERROR_ARGS, "upaIPPEncode: bad arguments.");
    return (false);
  }

  ippSetState(ipp, IPP_STATE_IDLE);

  while ((state = ippWriteIO(buf, client_write_cb, 1, NULL, ipp)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
    {
      if (upaLastError() != UPA_ERROR_MEMORY)
        upaSetError(UPA_ERROR_INTERNAL, "Unable to encode IPP message: %s", cupsLastErrorString());
      return (false);
    }
  }

  return (true);
}


//
// 'client_auth()' - Start a request with the client's authentication.
//
// universal-print: the device token (renewed when asked); pwg: HTTP Basic
// with the Credentials file's user and password, or nothing.
//

static bool				// O - `true` on success
client_auth(upa_client_t       *client,	// I - Client
            upa_http_request_t *req,	// O - Request to fill in
            bool               renew,	// I - Renew the token
            bool               in_hand)	// I - Use a token in hand without reading the cache
{
  memset(req, 0, sizeof(upa_http_request_t));

  if (client->cfg->profile == UPA_PROFILE_PWG)
  {
    if (client->pwg && client->pwg->basic)
    {
      req->basic_user     = client->pwg->user;
      req->basic_password = client->pwg->password;
    }
    return (true);
  }

  // A loop request (upaClientStart()) uses the token in hand as is: its
  // caller keeps it fresh with upaClientTokenDue(), and reading the cache
  // was a file read per connector channel and minute
  if ((renew || !in_hand || !client->token) && !client_token(client, renew))
    return (false);

  req->bearer = client->token;

  return (true);
}


//
// 'client_check_response()' - Check request-id and IPP status of a response.
//

static bool				// O - `true` if successful-ok*
client_check_response(
    ipp_t      *response,		// I - Response
    int        request_id,		// I - request-id sent
    const char *host)			// I - Host
{
  ipp_status_t		status;		// IPP status
  ipp_attribute_t	*attr;		// status-message


  if (ippGetRequestId(response) != request_id)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "Malformed IPP response from %s: request-id %d does not match %d.", host, ippGetRequestId(response), request_id);
    upaSetErrorMaybeApplied(true);
    return (false);
  }

  status = ippGetStatusCode(response);
  if (status >= 0x0100)
  {
    attr = ippFindAttribute(response, "status-message", IPP_TAG_TEXT);
    upaLog(UPA_LOG_DEBUG, "%s answered %s (0x%04x).", host, ippErrorString(status), (unsigned)status);
    upaSetIPPError(status, attr ? ippGetString(attr, 0, NULL) : ippErrorString(status));
    return (false);
  }

  return (true);
}


//
// 'client_decode()' - Decode and check the IPP response of an HTTP 200 answer.
//

static ipp_t *				// O - Response or `NULL`
client_decode(
    upa_client_t              *client,	// I - Client
    const upa_http_response_t *resp,	// I - HTTP response
    int                       request_id,
					// I - request-id sent
    const char                *host)	// I - Host for messages
{
  ipp_t		*response;		// IPP response
  size_t	used;			// Bytes of IPP
  bool		incomplete;		// Truncated?


  (void)client;

  if ((response = upaIPPDecode(resp->body.data, resp->body.len, &used, &incomplete)) == NULL)
  {
    // Sent, answered, but not usably: the request may have been applied.
    upaSetError(UPA_ERROR_PROTOCOL, "Malformed IPP response from %s: %s (%zu bytes, Content-Type %s).", host, incomplete ? "truncated" : "not IPP", resp->body.len, resp->content_type[0] ? resp->content_type : "none");
    upaSetErrorMaybeApplied(true);
    return (NULL);
  }

  if (!client_check_response(response, request_id, host))
  {
    ippDelete(response);
    return (NULL);
  }

  return (response);
}


//
// 'client_url()' - The IPP endpoint of the client and its host (for messages).
//

static void
client_url(upa_client_t *client,	// I - Client
           char         *url,		// O - URL
           size_t       urlsize,	// I - Size of url
           char         *host,		// O - Host
           size_t       hostsize)	// I - Size of host
{
  // universal-print: PrintURL as it is now (tests change it on the fly).
  if (client->cfg->profile == UPA_PROFILE_PWG && client->pwg)
    upaCopyString(url, client->pwg->url, urlsize);
  else
    snprintf(url, urlsize, "%s/printers", client->cfg->print_url);
  upaURLHost(url, host, hostsize);
}


//
// 'client_http_error()' - Set the error for a non-200 IPP endpoint response.
//

static bool				// O - Always `false`
client_http_error(
    upa_client_t              *client,	// I - Client
    const upa_http_response_t *resp,	// I - Response
    const char                *host)	// I - Host
{
  if (resp->status == 401 && resp->bearer_wanted && client->cfg->profile == UPA_PROFILE_PWG)
    upaSetError(UPA_ERROR_AUTH, "%s wants a bearer token (HTTP 401), not HTTP Basic: it is not a PWG 5100.18 Infrastructure Printer as Profile pwg expects; for Universal Print use Profile universal-print in cups-upa.conf.", host);
  else if ((resp->status == 401 || resp->status == 403) && client->cfg->profile == UPA_PROFILE_PWG)
    upaSetError(UPA_ERROR_AUTH, "%s refused %s (HTTP %d): check Credentials in cups-upa.conf and that the server is a PWG 5100.18 Infrastructure Printer (Profile pwg).", host, client->pwg && client->pwg->basic ? "the Credentials user and password" : "a request without credentials", resp->status);
  else if (resp->status == 401 && resp->basic_wanted)
    upaSetError(UPA_ERROR_AUTH, "%s wants HTTP Basic authentication (HTTP 401), not a device token: it is not Universal Print; for a PWG 5100.18 Infrastructure Printer set Profile pwg in cups-upa.conf.", host);
  else if (resp->status == 401 || resp->status == 403)
    upaSetError(UPA_ERROR_AUTH, "%s refused the device token (HTTP %d).", host, resp->status);
  else if (resp->status == 429 || resp->status == 503)
  {
    if (resp->retry_after > 0)
      upaSetError(UPA_ERROR_BUSY, "%s is busy (HTTP %d), retry after %d s.", host, resp->status, resp->retry_after);
    else
      upaSetError(UPA_ERROR_BUSY, "%s is busy (HTTP %d).", host, resp->status);
    upaSetRetryAfter(resp->retry_after);
  }
  else if (resp->status >= 500 && resp->status <= 599)
    upaSetError(UPA_ERROR_SERVER, "%s failed with a server error (HTTP %d).", host, resp->status);
  else
    upaSetError(UPA_ERROR_HTTP, "%s answered HTTP %d to an IPP request.", host, resp->status);

  // A well-formed 4xx refused the request; a 5xx, or a status that makes no
  // sense here, leaves its outcome open.
  if (resp->status < 400 || resp->status > 499)
    upaSetErrorMaybeApplied(true);

  return (false);
}


//
// 'client_read_cb()' - ippReadIO() callback reading from memory.
//

static ssize_t				// O - Bytes read or -1
client_read_cb(void        *data,	// I - Reader
               ipp_uchar_t *buffer,	// O - Buffer
               size_t      bytes)	// I - Bytes wanted
{
  client_reader_t	*reader = (client_reader_t *)data;
					// Reader
  size_t		avail = reader->len - reader->pos;
					// Bytes available


  if (bytes > avail)
  {
    // Blocking reads of libcups want all or nothing: hand out nothing so
    // "used" stays exact and report end-of-data.
    reader->eof = true;
    return (-1);
  }

  memcpy(buffer, reader->data + reader->pos, bytes);
  reader->pos += bytes;

  return ((ssize_t)bytes);
}


//
// 'client_stream_cb()' - Receive the body of a streamed IPP response.
//

static bool				// O - `true` to continue, `false` to abort
client_stream_cb(void       *data,	// I - Stream state
                 const char *buffer,	// I - Bytes
                 size_t     len)	// I - Number of bytes
{
  client_stream_t	*stream = (client_stream_t *)data;
					// Stream state
  size_t		used;		// Bytes of IPP
  bool			incomplete;	// Truncated?
  ipp_t			*response;	// IPP response


  if (stream->response)
  {
    // Document data.
    stream->delivered = true;
    stream->doc_bytes += (long long)len;
    if (!(stream->data_cb)(stream->cbdata, buffer, len))
    {
      if (upaLastError() == UPA_ERROR_NONE)
        upaSetError(UPA_ERROR_CANCELED, "Document transfer canceled.");
      return (false);
    }

    return (true);
  }

  if (!upaBufferAppend(&stream->head, buffer, len))
    return (false);

  if ((response = upaIPPDecode(stream->head.data, stream->head.len, &used, &incomplete)) == NULL)
  {
    if (!incomplete)
    {
      upaSetError(UPA_ERROR_PROTOCOL, "Malformed IPP response from %s: not IPP.", stream->host);
      upaSetErrorMaybeApplied(true);
      return (false);
    }

    if (stream->head.len > UPA_IPP_MAX)
    {
      upaSetError(UPA_ERROR_PROTOCOL, "Malformed IPP response from %s: IPP part larger than %d bytes.", stream->host, UPA_IPP_MAX);
      upaSetErrorMaybeApplied(true);
      return (false);
    }

    return (true);
  }

  stream->response = response;

  if (!client_check_response(response, stream->request_id, stream->host))
    return (false);

  // The IPP part arrived in time: the document now streams under the body
  // rules (stall, minimum rate) instead of the Timeout deadline.
  upaHTTPBodyStarted(stream->client->http);

  if (stream->start_cb && !(stream->start_cb)(stream->cbdata, response))
  {
    if (upaLastError() == UPA_ERROR_NONE)
      upaSetError(UPA_ERROR_CANCELED, "Document transfer canceled.");
    return (false);
  }

  if (used < stream->head.len)
  {
    stream->delivered = true;
    stream->doc_bytes += (long long)(stream->head.len - used);
    if (!(stream->data_cb)(stream->cbdata, stream->head.data + used, stream->head.len - used))
    {
      if (upaLastError() == UPA_ERROR_NONE)
        upaSetError(UPA_ERROR_CANCELED, "Document transfer canceled.");
      return (false);
    }
  }

  upaBufferClear(&stream->head);

  return (true);
}


//
// 'client_token()' - Refresh the client's copy of the device token.
//

static bool				// O - `true` on success
client_token(upa_client_t *client,	// I - Client
             bool         renew)	// I - Force a new token
{
  time_t	expires;		// Expiry time
  char		token[CLIENT_TOKEN_MAX];
					// Token read
  time_t	now = time(NULL);	// Current time
  time_t	recheck;		// Seconds between reads of the cache


  // The file cache decides about expiry, but reading it (lock, open, parse)
  // for every request cost three reads per released job: the token in
  // hand is reused for a while, at most a tenth of its remaining life and
  // never past CLIENT_TOKEN_RECHECK seconds.  A token the cloud refuses
  // (HTTP 401) comes here with renew set and is renewed at once.
  if (!renew && client->token && now >= client->token_checked)
  {
    recheck = (client->token_expires - client->token_checked) / 10;
    if (recheck > CLIENT_TOKEN_RECHECK)
      recheck = CLIENT_TOKEN_RECHECK;
    if (now - client->token_checked < recheck)
      return (true);
  }

  // Read into the stack and keep only a copy of the token's own length: a
  // connector holds a client per device (a 16 KiB buffer each was 16 MiB
  // for 1 000 devices)
  if (!upaTokenGet(client->http, client->cfg, client->dev, renew ? (client->token ? client->token : "") : NULL, token, sizeof(token), &expires))
  {
    explicit_bzero(token, sizeof(token));
    client_set_token(client, NULL);
    client->token_checked = 0;
    return (false);
  }

  if (!token[0])
  {
    upaSetError(UPA_ERROR_AUTH, "No device token for device %s.", client->dev->id);
    client_set_token(client, NULL);
    client->token_checked = 0;
    return (false);
  }

  if ((!client->token || strcmp(client->token, token)) && !client_set_token(client, token))
  {
    explicit_bzero(token, sizeof(token));
    client->token_checked = 0;
    return (false);
  }
  explicit_bzero(token, sizeof(token));

  if (expires != client->token_expires)
    client->token_life = expires - now;	// A new token
  client->token_checked = now;
  client->token_expires = expires;

  return (true);
}


//
// 'client_free()' - Free a client's memory, wiping its secrets (not its HTTPS session).
//

static void
client_free(upa_client_t *client)	// I - Client
{
  client_set_token(client, NULL);
  if (client->pwg)
  {
    explicit_bzero(client->pwg, sizeof(client_pwg_t));
    free(client->pwg);
  }
  free(client);
}


//
// 'client_set_token()' - Replace the client's token (NULL: forget it), wiping the old one.
//

static bool				// O - `true` on success
client_set_token(upa_client_t *client,	// I - Client
                 const char   *token)	// I - New token or `NULL`
{
  char	*copy = NULL;			// New copy


  if (token && token[0] && (copy = strdup(token)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  if (client->token)
  {
    explicit_bzero(client->token, strlen(client->token));
    free(client->token);
  }
  client->token = copy;

  return (true);
}


//
// 'client_write_cb()' - ippWriteIO() callback appending to a buffer.
//

static ssize_t				// O - Bytes written or -1
client_write_cb(void        *data,	// I - Buffer
                ipp_uchar_t *buffer,	// I - Bytes
                size_t      bytes)	// I - Number of bytes
{
  if (!upaBufferAppend((upa_buffer_t *)data, buffer, bytes))
    return (-1);

  return ((ssize_t)bytes);
}
