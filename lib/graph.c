//
// Microsoft Graph printer resource: GET, PATCH (JSON or IPP group), DELETE.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// PATCH /print/printers/{id} with "Content-Type: application/ipp" carries
// only a printer-attributes group: libcups encodes a message holding just
// that group and the 8-byte header and the end-of-attributes tag are cut
// off (Microsoft's sample body has neither).  Graph errors look like
// {"error": {"code": "...", "message": "..."}}.
//

#include "upa-private.h"
#include "graph.h"
#include <ctype.h>
#include <curl/curl.h>


//
// Local functions...
//

static bool	graph_error(const upa_http_response_t *resp, const char *what, const char *id);
static bool	graph_is_error(const upa_http_response_t *resp);
static bool	graph_do(upa_http_t *http, const upa_config_t *cfg, const char *method, const char *token, const char *id, const char *ctype, const void *body, size_t len, upa_http_response_t *resp);


//
// 'upaCloudDate()' - Get the Date header of a cloud URL.
//

bool					// O - `true` with the date
upaCloudDate(const upa_config_t *cfg,	// I - Configuration
             const char         *url,	// I - URL (any path; HEAD is sent)
             time_t             *date)	// O - Server date
{
  upa_http_t		*http;		// HTTPS session
  upa_http_request_t	req;		// Request
  upa_http_response_t	resp;		// Response
  bool			ok;		// Response arrived?


  *date = 0;

  if ((http = upaHTTPCreate(cfg)) == NULL)
    return (false);

  memset(&req, 0, sizeof(req));
  memset(&resp, 0, sizeof(resp));
  req.method = "HEAD";
  req.url    = url;

  ok = upaHTTPDo(http, &req, &resp);
  *date = resp.date;
  upaHTTPResponseClear(&resp);
  upaHTTPDelete(http);

  if (!ok)
    return (false);

  if (*date <= 0)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "%s sent no Date header.", url);
    return (false);
  }

  return (true);
}


//
// 'upaGraphDeletePrinter()' - Delete a printer (admin).
//

bool					// O - `true` when deleted or already gone
upaGraphDeletePrinter(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *admin_token,	// I - Admin bearer token
    const char         *id,		// I - Printer id
    bool               *gone)		// O - `true` if the cloud did not know it (404) or `NULL`
{
  upa_http_response_t	resp;		// Response
  bool			ret;		// Return value


  if (gone)
    *gone = false;

  if (!graph_do(http, cfg, "DELETE", admin_token, id, NULL, NULL, 0, &resp))
    return (false);

  if (resp.status == 200 || resp.status == 202 || resp.status == 204)
  {
    ret = true;
  }
  else if (resp.status == 404 && graph_is_error(&resp))
  {
    // Deleted already (in the portal, or a previous attempt): the goal is
    // met.  Only a Graph error body says so; a bare 404 means a wrong URL.
    upaLog(UPA_LOG_INFO, "Graph does not know printer %s any more.", id);
    if (gone)
      *gone = true;
    ret = true;
  }
  else if (resp.status == 404)
  {
    upaSetError(UPA_ERROR_HTTP, "%s answered HTTP 404 without a Graph error: is GraphURL (%s) right?", cfg->graph_url, cfg->graph_url);
    ret = false;
  }
  else
    ret = graph_error(&resp, "delete", id);

  upaHTTPResponseClear(&resp);

  return (ret);
}


//
// 'upaGraphEncodePrinterGroup()' - Encode only a printer-attributes group.
//

bool					// O - `true` on success
upaGraphEncodePrinterGroup(
    ipp_t        *printer_attrs,	// I - Attributes (printer group ones are used)
    upa_buffer_t *buf)			// O - Group bytes (appended)
{
  ipp_t			*group;		// Message with only the group
  ipp_attribute_t	*attr,		// Source attribute
			*copy;		// Copy
  upa_buffer_t		enc;		// Whole encoded message
  int			count = 0;	// Attributes copied
  bool			ret = false;	// Return value


  memset(&enc, 0, sizeof(enc));

  if (!printer_attrs || !buf)
  {
    upaSetError(UPA_ERROR_ARGS, "upaGraphEncodePrinterGroup: bad arguments.");
    return (false);
  }

  // ippNew() has no operation attributes: the first group written is ours.
  if ((group = ippNew()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  for (attr = ippFirstAttribute(printer_attrs); attr; attr = ippNextAttribute(printer_attrs))
  {
    if (!ippGetName(attr) || ippGetGroupTag(attr) == IPP_TAG_OPERATION)
      continue;

    if ((copy = ippCopyAttribute(group, attr, 0)) == NULL)
    {
      upaSetError(UPA_ERROR_MEMORY, "Unable to copy printer attribute %s.", ippGetName(attr));
      goto done;
    }
    ippSetGroupTag(group, &copy, IPP_TAG_PRINTER);
    count ++;
  }

  if (count == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "No printer attributes to send.");
    goto done;
  }

  if (!upaIPPEncode(group, &enc))
    goto done;

  // 8-byte header (version, operation/status, request-id), then the group
  // starting with its tag, then the end tag.
  if (enc.len < 10 || (enc.data[8] & 255) != IPP_TAG_PRINTER || (enc.data[enc.len - 1] & 255) != IPP_TAG_END)
  {
    upaSetError(UPA_ERROR_INTERNAL, "Unexpected IPP encoding of the printer attributes.");
    goto done;
  }

  ret = upaBufferAppend(buf, enc.data + 8, enc.len - 9);

  done:

  upaBufferClear(&enc);
  ippDelete(group);

  return (ret);
}


//
// 'upaGraphGetPrinter()' - Get a printer object.
//

json_object *				// O - Printer object (caller puts) or `NULL`
upaGraphGetPrinter(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Bearer token
    const char         *id)		// I - Printer id
{
  upa_http_response_t	resp;		// Response
  json_object		*json = NULL;	// Printer


  if (!graph_do(http, cfg, "GET", token, id, NULL, NULL, 0, &resp))
    return (NULL);

  if (resp.status != 200)
    graph_error(&resp, "read", id);
  else if (!resp.body.data || (json = json_tokener_parse(resp.body.data)) == NULL || !json_object_is_type(json, json_type_object))
  {
    json_object_put(json);
    json = NULL;
    upaSetError(UPA_ERROR_PROTOCOL, "Graph sent no JSON object for printer %s.", id);
  }

  upaHTTPResponseClear(&resp);

  return (json);
}


//
// 'upaGraphPatchPrinterIPP()' - PATCH a printer with an IPP attribute group.
//

bool					// O - `true` on success
upaGraphPatchPrinterIPP(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Device token
    const char         *id,		// I - Printer id
    ipp_t              *printer_attrs)	// I - Attributes
{
  upa_buffer_t		body;		// Group bytes
  upa_http_response_t	resp;		// Response
  bool			ret;		// Return value


  memset(&body, 0, sizeof(body));

  if (!upaGraphEncodePrinterGroup(printer_attrs, &body))
    return (false);

  ret = graph_do(http, cfg, "PATCH", token, id, "application/ipp", body.data, body.len, &resp);
  upaBufferClear(&body);

  if (!ret)
    return (false);

  // 204 per the Graph documentation; accept 200 too.
  if (resp.status != 204 && resp.status != 200)
    ret = graph_error(&resp, "update (IPP attributes of)", id);

  upaHTTPResponseClear(&resp);

  return (ret);
}


//
// 'upaGraphPatchPrinterJSON()' - PATCH a printer with JSON properties.
//

bool					// O - `true` on success
upaGraphPatchPrinterJSON(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Device token
    const char         *id,		// I - Printer id
    json_object        *changes)	// I - Properties to change
{
  const char		*text;		// Serialized body
  upa_http_response_t	resp;		// Response
  bool			ret;		// Return value


  if (!changes)
  {
    upaSetError(UPA_ERROR_ARGS, "upaGraphPatchPrinterJSON: nothing to change.");
    return (false);
  }

  text = json_object_to_json_string_ext(changes, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

  if (!graph_do(http, cfg, "PATCH", token, id, "application/json", text, strlen(text), &resp))
    return (false);

  ret = resp.status == 200 || resp.status == 204 || graph_error(&resp, "update", id);

  upaHTTPResponseClear(&resp);

  return (ret);
}


//
// 'upaGraphPrinterURL()' - Build <GraphURL>/print/printers/<id>.
//

bool					// O - `true` if it fit
upaGraphPrinterURL(const upa_config_t *cfg,	// I - Configuration
                   const char         *id,	// I - Printer id
                   char               *url,	// O - URL
                   size_t             urlsize)	// I - Size of url
{
  size_t	len;			// Length of GraphURL without trailing slashes
  char		*escaped;		// Escaped id
  int		n;			// Length written


  if (!cfg || !id || !*id || !cfg->graph_url[0])
  {
    upaSetError(UPA_ERROR_CONFIG, "No GraphURL configured.");
    return (false);
  }

  for (len = strlen(cfg->graph_url); len > 0 && cfg->graph_url[len - 1] == '/'; len --);

  if ((escaped = curl_easy_escape(NULL, id, 0)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  n = snprintf(url, urlsize, "%.*s/print/printers/%s", (int)len, cfg->graph_url, escaped);
  curl_free(escaped);

  if (n < 0 || (size_t)n >= urlsize)
  {
    upaSetError(UPA_ERROR_CONFIG, "GraphURL is too long.");
    return (false);
  }

  return (true);
}


//
// 'graph_do()' - Send one request about a printer.
//

static bool				// O - `true` when a response arrived
graph_do(upa_http_t          *http,	// I - HTTPS session
         const upa_config_t  *cfg,	// I - Configuration
         const char          *method,	// I - Method
         const char          *token,	// I - Bearer token
         const char          *id,	// I - Printer id
         const char          *ctype,	// I - Content type or `NULL`
         const void          *body,	// I - Body or `NULL`
         size_t              len,	// I - Body length
         upa_http_response_t *resp)	// O - Response
{
  upa_http_request_t	req;		// Request
  char			url[2048];	// Printer URL


  memset(resp, 0, sizeof(upa_http_response_t));

  if (!http || !token || !*token)
  {
    upaSetError(UPA_ERROR_ARGS, "Graph %s of printer %s: no session or token.", method, id ? id : "(none)");
    return (false);
  }

  if (!upaGraphPrinterURL(cfg, id, url, sizeof(url)))
    return (false);

  memset(&req, 0, sizeof(req));
  req.method       = method;
  req.url          = url;
  req.content_type = ctype;
  req.bearer       = token;
  req.body         = body;
  req.body_len     = len;

  return (upaHTTPDo(http, &req, resp));
}


//
// 'graph_is_error()' - Is a response body a Graph error ({"error": {"code": ...}})?
//

static bool				// O - `true` if so
graph_is_error(const upa_http_response_t *resp)
					// I - Response
{
  json_object	*json,			// Body
		*err,			// "error"
		*code;			// "code"
  bool		ret = false;		// Return value


  if (resp->body.data && (json = json_tokener_parse(resp->body.data)) != NULL)
  {
    ret = json_object_is_type(json, json_type_object) && json_object_object_get_ex(json, "error", &err) && json_object_is_type(err, json_type_object) && json_object_object_get_ex(err, "code", &code);
    json_object_put(json);
  }

  return (ret);
}


//
// 'graph_error()' - Set the error for a failed Graph response.
//

static bool				// O - Always `false`
graph_error(const upa_http_response_t *resp,
					// I - Response
            const char                *what,
					// I - "update", "delete", ...
            const char                *id)
					// I - Printer id
{
  json_object	*json = NULL,		// Body
		*err,			// "error"
		*value;			// "code"/"message"
  const char	*code = NULL,		// Error code
		*message = NULL;	// Error message
  char		text[200];		// Plain-text excerpt


  if (resp->body.data && (json = json_tokener_parse(resp->body.data)) != NULL && json_object_is_type(json, json_type_object) && json_object_object_get_ex(json, "error", &err))
  {
    if (json_object_is_type(err, json_type_object))
    {
      if (json_object_object_get_ex(err, "code", &value))
        code = json_object_get_string(value);
      if (json_object_object_get_ex(err, "message", &value))
        message = json_object_get_string(value);
    }
    else if (json_object_is_type(err, json_type_string))
    {
      code = json_object_get_string(err);
      if (json_object_object_get_ex(json, "error_description", &value))
        message = json_object_get_string(value);
    }
  }

  if (!message && resp->body.len > 0)
  {
    size_t i;				// Looping var

    for (i = 0; i < sizeof(text) - 1 && i < resp->body.len && resp->body.data[i] != '\n'; i ++)
      text[i] = isprint(resp->body.data[i] & 255) ? resp->body.data[i] : '?';
    text[i] = '\0';
    message = text;
  }

  if (resp->status == 401)
    upaSetError(UPA_ERROR_AUTH, "Graph refused the token to %s printer %s (HTTP 401): %s", what, id, message ? message : "no details given");
  else if (resp->status == 403)
    upaSetError(UPA_ERROR_AUTH, "Graph does not allow this app to %s printer %s (HTTP 403, %s): %s", what, id, code ? code : "forbidden", message ? message : "no details given");
  else if (resp->status == 404 && graph_is_error(resp))
    upaSetError(UPA_ERROR_NOT_FOUND, "Graph has no printer %s (HTTP 404): deleted in the portal? Register the queue again.", id);
  else if (resp->status == 404)
    upaSetError(UPA_ERROR_HTTP, "The Graph URL answered HTTP 404 without a Graph error for printer %s: is GraphURL right?", id);
  else if (resp->status == 429 || resp->status == 503)
  {
    if (resp->retry_after > 0)
      upaSetError(UPA_ERROR_BUSY, "Graph is busy (HTTP %d); retry after %d s.", resp->status, resp->retry_after);
    else
      upaSetError(UPA_ERROR_BUSY, "Graph is busy (HTTP %d).", resp->status);
    upaSetRetryAfter(resp->retry_after);
  }
  else
    upaSetError(UPA_ERROR_HTTP, "Graph refused to %s printer %s (HTTP %d, %s): %s", what, id, resp->status, code ? code : "no error code", message ? message : "no details given");

  json_object_put(json);

  return (false);
}
