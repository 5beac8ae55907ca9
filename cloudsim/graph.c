//
// Microsoft Graph subset for upa-cloudsim (protocol.md §5, §7 and the
// "Update printer" document): printers, shares, job submission with upload
// sessions, job status.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Tokens decide the permission type: the admin token, delegated admin tokens
// (OAuth sign-in, oauth.c) and user tokens (POST /sim/tokens) are delegated,
// a device access token is application (the app that registered that
// printer).
//
//   GET|PATCH /v1.0/print/printers/{id}        JSON, or application/ipp body
//                                              holding only a printer group (204)
//   DELETE /v1.0/print/printers/{id}           unregister (delegated admin): 204,
//                                              404 NotFound; see csTenantDeleteDevice()
//   GET  /v1.0/print/printers/{id}/jobs[/{jobId}]
//   POST /v1.0/print/shares                    {displayName, allowAllUsers, printer@odata.bind}
//   GET|PATCH|DELETE /v1.0/print/shares/{id}   holdJobsForSecureRelease, allowAllUsers, displayName
//   GET  /v1.0/print/shares/{id}/allowedUsers, POST .../allowedUsers/$ref,
//   DELETE .../allowedUsers/{userId}/$ref
//   POST /v1.0/print/shares/{id}/jobs          {configuration} (user token) -> 201
//   GET  /v1.0/print/shares/{id}/jobs/{jobId}
//   POST .../jobs/{jobId}/documents/{docId}/createUploadSession {properties}
//   PUT  /uploadSessions/{id}?tempauthtoken=   Content-Range chunks (202, 201, 416)
//   POST .../jobs/{jobId}/start
//

#include "cloudsim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


//
// Local types...
//


typedef struct membuf_s			// Memory reader for the IPP codec
{
  const unsigned char *data;		// Data
  size_t	len,			// Length
		pos;			// Position
} membuf_t;


//
// Local functions...
//

static char	*camel(const char *kw, char *buf, size_t bufsize);
static json_object *capabilities(cs_device_t *dev);
static enum MHD_Result patch_ipp(cs_graph_t *ctx, cs_device_t *dev);
static enum MHD_Result patch_printer(cs_graph_t *ctx, cs_device_t *dev, json_object **obj, unsigned *status);
static json_object *printer_json(cs_graph_t *ctx, cs_device_t *dev, cs_pull_t *pull);
static ssize_t	read_cb(membuf_t *mb, ipp_uchar_t *buf, size_t bytes);
static void	set_ipp(cs_device_t *dev, ipp_attribute_t *attr);
static json_object *share_json(cs_graph_t *ctx, cs_share_t *share);



//
// 'csGraphHandle()' - Answer a Graph request.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csGraphHandle(cs_request_t *req)	// I - Request
{
  cs_graph_t	ctx;			// Context
  const char	*token = csHTTPBearer(req),
					// Bearer token
		*path = req->path + 11;	// After "/v1.0/print"
  bool		get = !strcmp(req->method, MHD_HTTP_METHOD_GET),
		post = !strcmp(req->method, MHD_HTTP_METHOD_POST),
		patch = !strcmp(req->method, "PATCH"),
		del = !strcmp(req->method, MHD_HTTP_METHOD_DELETE);
					// Method
  char		id[128] = "",		// First id in the path
		sub[512] = "";		// Rest of the path
  json_object	*obj = NULL;		// Response
  unsigned	status = MHD_HTTP_OK;	// HTTP status
  enum MHD_Result ret = MHD_YES;	// Result
  bool		answered = false;	// Response already queued?
  bool		admin;			// Admin (static or delegated) token?


  if (!strncmp(req->path, "/uploadSessions/", 16))
    return (csGraphUpload(req));

  if (strncmp(req->path, "/v1.0/print/", 12))
    return (csGraphError(req, MHD_HTTP_NOT_FOUND, "ResourceNotFound", "no such resource"));

  memset(&ctx, 0, sizeof(ctx));
  ctx.req    = req;
  ctx.server = req->server;
  ctx.tenant = req->server->tenant;

  // csHTTPIsAdmin() takes the tenant lock itself.
  admin = token && csHTTPIsAdmin(req);

  csTenantLock(ctx.tenant);

  if (!token)
    ret = csGraphError(req, MHD_HTTP_UNAUTHORIZED, "InvalidAuthenticationToken", "a bearer token is required"), answered = true;
  else if (admin)
    ctx.app = false;
  else if (csTenantCheckToken(ctx.tenant, token, ctx.device, sizeof(ctx.device)))
    ctx.app = true;
  else if (!csTenantCheckUserToken(ctx.tenant, token, ctx.user, sizeof(ctx.user)))
    ret = csGraphError(req, MHD_HTTP_UNAUTHORIZED, "InvalidAuthenticationToken", "invalid or expired token"), answered = true;

  if (answered)
  {
    csTenantUnlock(ctx.tenant);
    return (ret);
  }

  if (req->buf && strncasecmp(csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE) ? csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE) : "", "application/ipp", 15))
  {
    if ((ctx.body = csHTTPBodyJSON(req)) == NULL || !json_object_is_type(ctx.body, json_type_object))
    {
      csTenantUnlock(ctx.tenant);
      json_object_put(ctx.body);
      return (csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "the body must be a JSON object"));
    }
  }

  // Split "/printers/{id}/rest" or "/shares/{id}/rest".
  {
    const char *p = !strncmp(path, "/printers/", 10) ? path + 10 : !strncmp(path, "/shares/", 8) ? path + 8 : NULL;
					// Start of the id

    if (p)
    {
      size_t len = strcspn(p, "/");	// Length of the id

      if (len < sizeof(id))
      {
        memcpy(id, p, len);
        id[len] = '\0';
        snprintf(sub, sizeof(sub), "%s", p + len);
      }
    }
  }

  if (!strncmp(path, "/printers/", 10))
  {
    cs_device_t	*dev = csTenantFindDevice(ctx.tenant, id);
					// Device
    cs_pull_t	*pull = dev ? NULL : csTenantFindPull(ctx.tenant, id);
					// Pull printer

    if (!dev && !pull)
      ret = csGraphError(req, MHD_HTTP_NOT_FOUND, del && !sub[0] ? "NotFound" : "ResourceNotFound", "no such printer"), answered = true;
    else if (!sub[0] && get)
      obj = printer_json(&ctx, dev, pull);
    else if (!sub[0] && del && (ctx.app || ctx.user[0]))
      ret = csGraphError(req, MHD_HTTP_FORBIDDEN, "AccessDenied", "deleting a printer needs a delegated administrator (Printer.FullControl.All)"), answered = true;
    else if (!sub[0] && del && !dev)
      ret = csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "pull printers cannot be deleted here"), answered = true;
    else if (!sub[0] && del)
    {
      csLog(ctx.server, 0, "deleted printer %s (\"%s\")", dev->id, dev->name);
      csTenantDeleteDevice(ctx.tenant, id);
      status = MHD_HTTP_NO_CONTENT;
    }
    else if (!sub[0] && patch && !dev)
      ret = csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "pull printers cannot be updated here"), answered = true;
    else if (!sub[0] && patch && !strncasecmp(csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE) ? csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE) : "", "application/ipp", 15))
      ret = patch_ipp(&ctx, dev), answered = true;
    else if (!sub[0] && patch)
      ret = patch_printer(&ctx, dev, &obj, &status), answered = obj == NULL;
    else if (get && (!strcmp(sub, "/jobs") || !strncmp(sub, "/jobs/", 6)) && ctx.app && strcasecmp(id, ctx.device))
      ret = csGraphError(req, MHD_HTTP_FORBIDDEN, "AccessDenied", "an application may only read the jobs of its own printer"), answered = true;
    else if (get && (!strcmp(sub, "/jobs") || !strncmp(sub, "/jobs/", 6)))
    {
      size_t	i;			// Looping var
      json_object *list = json_object_new_array();
					// Jobs
      int	jid = !strncmp(sub, "/jobs/", 6) ? atoi(sub + 6) : 0;
					// Job id

      for (i = 0; i < ctx.tenant->num_jobs; i ++)
      {
        cs_job_t *job = ctx.tenant->jobs[i];

        if (strcasecmp(job->printer, id) && strcasecmp(job->acquired_by, id))
          continue;
        if (ctx.user[0] && strcasecmp(ctx.user, job->user))
          continue;			// Users see their own jobs only
        if (jid && job->id != jid)
          continue;
        json_object_array_add(list, csGraphJob(ctx.server, job));
      }

      if (jid && json_object_array_length(list) == 0)
      {
        json_object_put(list);
        ret = csGraphError(req, MHD_HTTP_NOT_FOUND, "ResourceNotFound", "no such job"), answered = true;
      }
      else if (jid)
      {
        obj = json_object_get(json_object_array_get_idx(list, 0));
        json_object_put(list);
      }
      else
      {
        obj = json_object_new_object();
        json_object_object_add(obj, "value", list);
      }
    }
    else
      ret = csGraphError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "BadRequest", "unsupported method or path"), answered = true;
  }
  else if (!strcmp(path, "/shares") && (get || post))
  {
    if (get)
    {
      json_object *list = json_object_new_array();
      size_t	  i;

      for (i = 0; i < ctx.tenant->num_shares; i ++)
        json_object_array_add(list, share_json(&ctx, ctx.tenant->shares[i]));
      obj = json_object_new_object();
      json_object_object_add(obj, "value", list);
    }
    else if (ctx.app || ctx.user[0])
      ret = csGraphError(req, MHD_HTTP_FORBIDDEN, "AccessDenied", "creating shares needs the administrator"), answered = true;
    else
    {
      json_object	*value;		// Member
      const char	*bind = ctx.body && json_object_object_get_ex(ctx.body, "printer@odata.bind", &value) ? json_object_get_string(value) : NULL,
			*name = ctx.body && json_object_object_get_ex(ctx.body, "displayName", &value) ? json_object_get_string(value) : NULL,
			*pid = bind ? strstr(bind, "/printers/") : NULL;
					// Fields
      cs_share_t	*share;		// New share

      if (!pid || !name || (!csTenantFindDevice(ctx.tenant, pid + 10) && !csTenantFindPull(ctx.tenant, pid + 10)))
        ret = csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "displayName and printer@odata.bind naming a printer are required"), answered = true;
      else if ((share = csTenantAddShare(ctx.tenant, name, pid + 10)) == NULL)
        ret = csGraphError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalServerError", "out of memory"), answered = true;
      else
      {
        if (json_object_object_get_ex(ctx.body, "allowAllUsers", &value))
          share->access.all = json_object_get_boolean(value);
        obj    = share_json(&ctx, share);
        status = MHD_HTTP_CREATED;
      }
    }
  }
  else if (!strncmp(path, "/shares/", 8))
  {
    cs_share_t	*share = csTenantFindShare(ctx.tenant, id);
					// Share
    json_object	*value;			// Member

    if (!share)
      ret = csGraphError(req, MHD_HTTP_NOT_FOUND, "ResourceNotFound", "no such share"), answered = true;
    else if (!sub[0] && get)
      obj = share_json(&ctx, share);
    else if (!sub[0] && (patch || del) && (ctx.app || ctx.user[0]))
      ret = csGraphError(req, MHD_HTTP_FORBIDDEN, "AccessDenied", "changing shares needs the administrator"), answered = true;
    else if (!sub[0] && patch)
    {
      if (ctx.body && json_object_object_get_ex(ctx.body, "holdJobsForSecureRelease", &value))
        share->hold = json_object_get_boolean(value);
      if (ctx.body && json_object_object_get_ex(ctx.body, "allowAllUsers", &value))
        share->access.all = json_object_get_boolean(value);
      if (ctx.body && json_object_object_get_ex(ctx.body, "displayName", &value))
        csJobSetString(&share->name, json_object_get_string(value));
      ctx.tenant->dirty = true;
      obj = share_json(&ctx, share);
    }
    else if (!sub[0] && del)
    {
      size_t i;				// Looping var

      for (i = 0; i < ctx.tenant->num_shares; i ++)
      {
        if (ctx.tenant->shares[i] == share)
        {
          ctx.tenant->shares[i] = ctx.tenant->shares[-- ctx.tenant->num_shares];
          break;
        }
      }
      free(share->name);
      csAccessFree(&share->access);
      free(share);
      ctx.tenant->dirty = true;
      status            = MHD_HTTP_NO_CONTENT;
    }
    else if (!strcmp(sub, "/allowedUsers") && get)
    {
      json_object *list = json_object_new_array();
      size_t	  i;

      for (i = 0; i < share->access.num_users; i ++)
      {
        cs_user_t   *u = csTenantUser(ctx.tenant, share->access.users[i], true);
        json_object *o = json_object_new_object();

        json_object_object_add(o, "id", json_object_new_string(u ? u->id : ""));
        json_object_object_add(o, "userPrincipalName", json_object_new_string(share->access.users[i]));
        json_object_array_add(list, o);
      }
      obj = json_object_new_object();
      json_object_object_add(obj, "value", list);
    }
    else if ((!strcmp(sub, "/allowedUsers/$ref") && post) || (!strncmp(sub, "/allowedUsers/", 14) && del))
    {
      const char *ref = post ? (ctx.body && json_object_object_get_ex(ctx.body, "@odata.id", &value) ? json_object_get_string(value) : "") : sub + 14;
					// User reference
      const char *slash = strrchr(ref, '/');
      char	 who[512];		// User id or UPN
      cs_user_t	 *u;			// User

      snprintf(who, sizeof(who), "%s", post ? (slash ? slash + 1 : ref) : ref);
      if (del && strstr(who, "/$ref"))
        *strstr(who, "/$ref") = '\0';

      if (ctx.app || ctx.user[0])
        ret = csGraphError(req, MHD_HTTP_FORBIDDEN, "AccessDenied", "changing shares needs the administrator"), answered = true;
      else if ((u = csTenantFindUserId(ctx.tenant, who)) == NULL && (u = csTenantUser(ctx.tenant, who, strchr(who, '@') != NULL)) == NULL)
        ret = csGraphError(req, MHD_HTTP_NOT_FOUND, "ResourceNotFound", "no such user"), answered = true;
      else
      {
        json_object *list = csAccessJSON(&share->access);
					// Current users
        size_t	    i;

        if (!list)
          list = json_object_new_array();
        if (post)
          json_object_array_add(list, json_object_new_string(u->upn));
        else
        {
          json_object *kept = json_object_new_array();

          for (i = 0; i < json_object_array_length(list); i ++)
            if (strcasecmp(json_object_get_string(json_object_array_get_idx(list, i)), u->upn))
              json_object_array_add(kept, json_object_get(json_object_array_get_idx(list, i)));
          json_object_put(list);
          list = kept;
        }
        bool all = share->access.all;	// Keep allowAllUsers
        csAccessSet(&share->access, list);
        share->access.all = all;
        json_object_put(list);
        ctx.tenant->dirty = true;
        status            = MHD_HTTP_NO_CONTENT;
      }
    }
    else if (!strcmp(sub, "/jobs") && post)
      ret = csGraphCreateJob(&ctx, share, &status, &obj), answered = obj == NULL;
    else if (!strncmp(sub, "/jobs/", 6))
    {
      int	 jid = atoi(sub + 6);	// Job id
      cs_job_t	 *job = csTenantFindJob(ctx.tenant, jid);
					// Job
      const char *rest = sub + 6 + strspn(sub + 6, "0123456789");
					// After the job id

      if (!job || strcmp(job->share, share->id) || (ctx.user[0] && strcasecmp(ctx.user, job->user)))
        ret = csGraphError(req, MHD_HTTP_NOT_FOUND, "ResourceNotFound", "no such job"), answered = true;
      else if (!*rest && get)
        obj = csGraphJob(ctx.server, job);
      else if (!strncmp(rest, "/documents/", 11) && strstr(rest, "/createUploadSession") && post)
        ret = csGraphCreateUpload(&ctx, job, &obj, &status), answered = obj == NULL;
      else if (!strcmp(rest, "/start") && post)
      {
        if (job->started)
          ret = csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "the job was already started"), answered = true;
        else if (job->expected == 0 || job->size != job->expected)
          ret = csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "the document upload is not complete"), answered = true;
        else
        {
          job->started = true;
          job->ready   = time(NULL) + ctx.tenant->slow_release;
          job->upload[0] = '\0';
          csJobAddEvent(job, "started", NULL, NULL);
          obj = csGraphJob(ctx.server, job);
          json_object_object_get_ex(obj, "status", &value);
          value = json_object_get(value);
          json_object_put(obj);
          obj = value;
        }
      }
      else
        ret = csGraphError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "BadRequest", "unsupported method or path"), answered = true;
    }
    else
      ret = csGraphError(req, MHD_HTTP_NOT_FOUND, "ResourceNotFound", "no such resource"), answered = true;
  }
  else
    ret = csGraphError(req, MHD_HTTP_NOT_FOUND, "ResourceNotFound", "no such resource"), answered = true;

  csTenantUnlock(ctx.tenant);
  json_object_put(ctx.body);

  if (answered)
  {
    json_object_put(obj);
    return (ret);
  }

  if (!obj)
    return (csHTTPRespond(req, status, NULL, "", 0));

  ret = csHTTPRespondJSON(req, status, obj);
  json_object_put(obj);

  return (ret);
}



//
// 'camel()' - Convert a printer-state-reasons keyword to a Graph detail.
//
// "media-jam-error" -> "mediaJam"; the -report/-warning/-error suffix goes.
//

static char *				// O - Buffer
camel(const char *kw,			// I - Keyword
      char       *buf,			// O - Buffer
      size_t     bufsize)		// I - Size of buffer
{
  char		*out = buf;		// Output pointer
  size_t	len = strlen(kw);	// Keyword length
  bool		upper = false;		// Next letter upper case?


  if (len > 7 && !strcmp(kw + len - 7, "-report"))
    len -= 7;
  else if (len > 8 && !strcmp(kw + len - 8, "-warning"))
    len -= 8;
  else if (len > 6 && !strcmp(kw + len - 6, "-error"))
    len -= 6;

  for (; len > 0 && out < buf + bufsize - 1; kw ++, len --)
  {
    if (*kw == '-')
      upper = true;
    else
    {
      *out++ = upper && *kw >= 'a' && *kw <= 'z' ? (char)(*kw - 'a' + 'A') : *kw;
      upper  = false;
    }
  }

  *out = '\0';

  return (buf);
}


//
// 'capabilities()' - Derive printerCapabilities from the device's IPP attributes.
//

static json_object *			// O - JSON object
capabilities(cs_device_t *dev)		// I - Device
{
  json_object		*caps = json_object_new_object(),
					// Capabilities
			*list,		// Lists
			*range;		// copiesPerJob
  ipp_attribute_t	*attr;		// Attribute
  int			i,		// Looping var
			upper;		// Range upper bound


  range = json_object_new_object();
  json_object_object_add(range, "start", json_object_new_int(1));
  upper = 1;
  if ((attr = ippFindAttribute(dev->attrs, "copies-supported", IPP_TAG_RANGE)) != NULL)
    ippGetRange(attr, 0, &upper);
  json_object_object_add(range, "end", json_object_new_int(upper));
  json_object_object_add(caps, "copiesPerJob", range);

  list = json_object_new_array();
  for (attr = ippFindAttribute(dev->attrs, "document-format-supported", IPP_TAG_MIMETYPE), i = 0; attr && i < ippGetCount(attr); i ++)
    json_object_array_add(list, json_object_new_string(ippGetString(attr, i, NULL)));
  json_object_object_add(caps, "contentTypes", list);

  list = json_object_new_array();
  for (attr = ippFindAttribute(dev->attrs, "print-color-mode-supported", IPP_TAG_KEYWORD), i = 0; attr && i < ippGetCount(attr); i ++)
  {
    const char *m = ippGetString(attr, i, NULL);

    json_object_array_add(list, json_object_new_string(!strcmp(m, "color") ? "color" : !strcmp(m, "monochrome") ? "grayscale" : !strcmp(m, "bi-level") ? "blackAndWhite" : !strcmp(m, "auto") ? "auto" : m));
  }
  json_object_object_add(caps, "colorModes", list);

  list = json_object_new_array();
  for (attr = ippFindAttribute(dev->attrs, "sides-supported", IPP_TAG_KEYWORD), i = 0; attr && i < ippGetCount(attr); i ++)
  {
    const char *m = ippGetString(attr, i, NULL);

    json_object_array_add(list, json_object_new_string(!strcmp(m, "one-sided") ? "oneSided" : !strcmp(m, "two-sided-long-edge") ? "flipOnLongEdge" : !strcmp(m, "two-sided-short-edge") ? "flipOnShortEdge" : m));
  }
  json_object_object_add(caps, "duplexModes", list);

  list = json_object_new_array();
  for (attr = ippFindAttribute(dev->attrs, "media-supported", IPP_TAG_ZERO), i = 0; attr && i < ippGetCount(attr); i ++)
  {
    const char *m = ippGetString(attr, i, NULL);

    if (m)
      json_object_array_add(list, json_object_new_string(!strcmp(m, "iso_a4_210x297mm") ? "A4" : !strcmp(m, "na_letter_8.5x11in") ? "North America Letter" : !strcmp(m, "na_legal_8.5x14in") ? "North America Legal" : !strcmp(m, "iso_a3_297x420mm") ? "A3" : m));
  }
  json_object_object_add(caps, "mediaSizes", list);

  attr = ippFindAttribute(dev->attrs, "color-supported", IPP_TAG_BOOLEAN);
  json_object_object_add(caps, "isColorPrintingSupported", json_object_new_boolean(attr && ippGetBoolean(attr, 0)));

  list = json_object_new_array();
  for (attr = ippFindAttribute(dev->attrs, "printer-resolution-supported", IPP_TAG_RESOLUTION), i = 0; attr && i < ippGetCount(attr); i ++)
  {
    int		yres;			// Feed resolution
    ipp_res_t	units;			// Units

    json_object_array_add(list, json_object_new_int(ippGetResolution(attr, i, &yres, &units)));
  }
  json_object_object_add(caps, "dpis", list);

  return (caps);
}




//
// 'csGraphError()' - Graph-style error {"error":{"code","message"}}.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csGraphError(cs_request_t *req,		// I - Request
      unsigned     status,		// I - HTTP status
      const char   *code,		// I - Error code
      const char   *message)		// I - Message
{
  json_object	*obj = json_object_new_object(),
		*e = json_object_new_object();
					// Body
  enum MHD_Result ret;			// Result


  json_object_object_add(e, "code", json_object_new_string(code));
  json_object_object_add(e, "message", json_object_new_string(message));
  json_object_object_add(obj, "error", e);

  csLog(req->server, 1, "%s %s: %u %s", req->method, req->path, status, message);

  ret = csHTTPRespondJSON(req, status, obj);
  json_object_put(obj);

  return (ret);
}



//
// 'patch_ipp()' - PATCH a printer with an IPP printer attributes group.
//
// The body starts with the printer-attributes tag (0x04): no version,
// operation, request id or operation group, and possibly no end tag.  Each
// attribute replaces the stored attribute of the same name.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
patch_ipp(cs_graph_t      *ctx,		// I - Context
          cs_device_t *dev)		// I - Device
{
  cs_request_t	*req = ctx->req;	// Request
  unsigned char	*msg;			// Header + body + end tag
  membuf_t	mb;			// Reader
  ipp_t		*ipp;			// Parsed attributes
  ipp_state_t	state;			// Read state
  ipp_attribute_t *attr;		// Current attribute
  size_t	len = req->buflen;	// Body length
  int		count = 0;		// Attributes applied


  if (!ctx->app)
    return (csGraphError(req, MHD_HTTP_FORBIDDEN, "AccessDenied", "an IPP payload needs application permission (the printer's own token)"));
  if (strcasecmp(ctx->device, dev->id))
    return (csGraphError(req, MHD_HTTP_FORBIDDEN, "AccessDenied", "only the application that registered the printer may update it"));
  if (!req->buf || len < 1 || req->buf[0] != IPP_TAG_PRINTER)
    return (csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "the body must be only a printer attributes group (first byte 0x04)"));

  if ((msg = malloc(len + 9)) == NULL)
    return (csGraphError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalServerError", "out of memory"));

  // Synthesize an IPP/2.0 header so that libcups can decode the group.
  msg[0] = 2;
  msg[1] = 0;
  msg[2] = 0;
  msg[3] = 0;
  msg[4] = 0;
  msg[5] = 0;
  msg[6] = 0;
  msg[7] = 1;
  memcpy(msg + 8, req->buf, len);
  msg[8 + len] = IPP_TAG_END;

  mb.data = msg;
  mb.len  = len + 9;
  mb.pos  = 0;

  ipp = ippNew();
  while ((state = ippReadIO(&mb, (ipp_iocb_t)read_cb, 1, NULL, ipp)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
      break;
  }
  free(msg);

  // Any group but the printer group means operation attributes were sent.
  for (attr = ippFirstAttribute(ipp); attr && state == IPP_STATE_DATA; attr = ippNextAttribute(ipp))
  {
    if (ippGetGroupTag(attr) != IPP_TAG_PRINTER)
      state = IPP_STATE_ERROR;
  }

  if (state != IPP_STATE_DATA || !ippFirstAttribute(ipp))
  {
    ippDelete(ipp);
    return (csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "malformed printer attributes group"));
  }

  for (attr = ippFirstAttribute(ipp); attr; attr = ippNextAttribute(ipp))
  {
    if (ippGetName(attr))
    {
      set_ipp(dev, attr);
      count ++;
    }
  }

  ippDelete(ipp);
  ctx->tenant->dirty = true;
  csLog(ctx->server, 0, "PATCH printer %s: %d IPP attributes", dev->id, count);

  return (csHTTPRespond(req, MHD_HTTP_NO_CONTENT, NULL, "", 0));
}


//
// 'patch_printer()' - PATCH a printer with JSON.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
patch_printer(cs_graph_t      *ctx,		// I - Context
              cs_device_t *dev,		// I - Device
              json_object **obj,	// O - Response
              unsigned    *status)	// O - HTTP status
{
  static const char * const delegated[] = { "defaults", "location", "displayName", NULL };
  static const char * const application[] = { "defaults", "capabilities", "displayName", "manufacturer", "model", "status", "isAcceptingJobs", NULL };
  const char * const *allowed = ctx->app ? application : delegated;
					// Updatable properties
  ipp_t		*tmp;			// Attributes built from JSON
  char		msg[256];		// Error message
  size_t	i;			// Looping var


  *obj = NULL;

  if (ctx->app && strcasecmp(ctx->device, dev->id))
    return (csGraphError(ctx->req, MHD_HTTP_FORBIDDEN, "AccessDenied", "only the application that registered the printer may update it"));
  if (!ctx->app && ctx->user[0])
    return (csGraphError(ctx->req, MHD_HTTP_FORBIDDEN, "AccessDenied", "Printer.ReadWrite.All is required"));
  if (!ctx->body)
    return (csGraphError(ctx->req, MHD_HTTP_BAD_REQUEST, "BadRequest", "a JSON body is required"));

  json_object_object_foreach(ctx->body, key, val)
  {
    (void)val;

    for (i = 0; allowed[i] && strcmp(allowed[i], key); i ++);
    if (!allowed[i])
    {
      snprintf(msg, sizeof(msg), "property '%s' cannot be updated with %s permissions", key, ctx->app ? "application" : "delegated");
      return (csGraphError(ctx->req, MHD_HTTP_BAD_REQUEST, "BadRequest", msg));
    }
  }

  tmp = ippNew();

  json_object_object_foreach(ctx->body, name, value)
  {
    if (!strcmp(name, "manufacturer"))
      csJobSetString(&dev->manufacturer, json_object_get_string(value));
    else if (!strcmp(name, "model"))
      csJobSetString(&dev->model, json_object_get_string(value));
    else if (!strcmp(name, "isAcceptingJobs"))
      ippAddBoolean(tmp, IPP_TAG_PRINTER, "printer-is-accepting-jobs", json_object_get_boolean(value));
    else if (!strcmp(name, "status"))
    {
      json_object *v;			// Member

      if (json_object_object_get_ex(value, "state", &v))
      {
        const char *s = json_object_get_string(v);

        ippAddInteger(tmp, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", !strcmp(s, "processing") ? IPP_PSTATE_PROCESSING : !strcmp(s, "stopped") ? IPP_PSTATE_STOPPED : IPP_PSTATE_IDLE);
      }
      if (json_object_object_get_ex(value, "details", &v) && json_object_is_type(v, json_type_array))
      {
        // camelCase details back to keywords: mediaJam -> media-jam.
        const char	*kws[32];
        char		buf[32][64];
        int		n = 0;
        size_t		j;

        for (j = 0; j < json_object_array_length(v) && n < 32; j ++)
        {
          const char *d = json_object_get_string(json_object_array_get_idx(v, j));
          char	     *out = buf[n];

          for (; d && *d && out < buf[n] + 62; d ++)
          {
            if (*d >= 'A' && *d <= 'Z')
            {
              *out++ = '-';
              *out++ = (char)(*d - 'A' + 'a');
            }
            else
              *out++ = *d;
          }
          *out = '\0';
          kws[n] = buf[n];
          n ++;
        }
        if (n == 0)
          ippAddString(tmp, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-state-reasons", NULL, "none");
        else
          ippAddStrings(tmp, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-state-reasons", n, NULL, kws);
      }
      if (json_object_object_get_ex(value, "description", &v))
        ippAddString(tmp, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-state-message", NULL, json_object_get_string(v));
    }
    else
      json_object_object_add(dev->graph, name, json_object_get(value));
  }

  {
    ipp_attribute_t *attr;		// Attribute

    for (attr = ippFirstAttribute(tmp); attr; attr = ippNextAttribute(tmp))
      set_ipp(dev, attr);
  }
  ippDelete(tmp);

  ctx->tenant->dirty = true;
  *obj    = printer_json(ctx, dev, NULL);
  *status = MHD_HTTP_OK;

  return (MHD_YES);
}


//
// 'printer_json()' - Describe a printer.
//

static json_object *			// O - JSON object
printer_json(cs_graph_t      *ctx,		// I - Context
             cs_device_t *dev,		// I - Device or `NULL`
             cs_pull_t   *pull)		// I - Pull printer or `NULL`
{
  json_object		*obj = json_object_new_object(),
					// Printer
			*st = json_object_new_object(),
					// status
			*details = json_object_new_array(),
					// status.details
			*value;		// Graph property
  ipp_t			*attrs = ippNew();
					// Effective IPP attributes
  ipp_attribute_t	*attr;		// Attribute
  int			i,		// Looping var
			state;		// printer-state
  char			buf[64];	// Strings
  size_t		j;		// Looping var
  bool			shared = false;	// Any share?


  // Effective attributes, including cloud-side overrides (paused, ...).
  csTenantUnlock(ctx->tenant);
  csIPPPrinterAttrs(ctx->server, dev ? dev->id : pull->id, attrs);
  csTenantLock(ctx->tenant);

  state = (attr = ippFindAttribute(attrs, "printer-state", IPP_TAG_ENUM)) != NULL ? ippGetInteger(attr, 0) : IPP_PSTATE_IDLE;
  for (attr = ippFindAttribute(attrs, "printer-state-reasons", IPP_TAG_KEYWORD), i = 0; attr && i < ippGetCount(attr); i ++)
  {
    if (strcmp(ippGetString(attr, i, NULL), "none"))
      json_object_array_add(details, json_object_new_string(camel(ippGetString(attr, i, NULL), buf, sizeof(buf))));
  }

  json_object_object_add(st, "state", json_object_new_string(state == IPP_PSTATE_PROCESSING ? "processing" : state == IPP_PSTATE_STOPPED ? "stopped" : state == IPP_PSTATE_IDLE ? "idle" : "unknown"));
  json_object_object_add(st, "details", details);
  attr = ippFindAttribute(attrs, "printer-state-message", IPP_TAG_TEXT);
  json_object_object_add(st, "description", json_object_new_string(attr ? ippGetString(attr, 0, NULL) : ""));

  for (j = 0; j < ctx->tenant->num_shares; j ++)
    if (!strcasecmp(ctx->tenant->shares[j]->printer, dev ? dev->id : pull->id))
      shared = true;

  json_object_object_add(obj, "id", json_object_new_string(dev ? dev->id : pull->id));
  if (dev && json_object_object_get_ex(dev->graph, "displayName", &value))
    json_object_object_add(obj, "displayName", json_object_get(value));
  else
    json_object_object_add(obj, "displayName", json_object_new_string(dev ? dev->name : pull->name));
  json_object_object_add(obj, "manufacturer", json_object_new_string(dev ? dev->manufacturer : "Microsoft"));
  json_object_object_add(obj, "model", json_object_new_string(dev ? dev->model : "Universal Print Anywhere"));
  json_object_object_add(obj, "registeredDateTime", dev ? json_object_new_string(csISOTime(dev->registered, buf, sizeof(buf))) : NULL);
  json_object_object_add(obj, "status", st);
  json_object_object_add(obj, "isShared", json_object_new_boolean(shared));
  json_object_object_add(obj, "hasPhysicalDevice", json_object_new_boolean(dev != NULL));
  attr = ippFindAttribute(attrs, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
  json_object_object_add(obj, "isAcceptingJobs", json_object_new_boolean(!attr || ippGetBoolean(attr, 0)));
  json_object_object_add(obj, "location", dev && json_object_object_get_ex(dev->graph, "location", &value) ? json_object_get(value) : json_object_new_object());
  json_object_object_add(obj, "defaults", dev && json_object_object_get_ex(dev->graph, "defaults", &value) ? json_object_get(value) : json_object_new_object());

  if (dev && json_object_object_get_ex(dev->graph, "capabilities", &value))
    json_object_object_add(obj, "capabilities", json_object_get(value));
  else if (dev)
    json_object_object_add(obj, "capabilities", capabilities(dev));

  ippDelete(attrs);

  return (obj);
}



//
// 'read_cb()' - ippReadIO callback.
//

static ssize_t				// O - Bytes read
read_cb(membuf_t    *mb,		// I - Buffer
        ipp_uchar_t *buf,		// O - Destination
        size_t      bytes)		// I - Bytes wanted
{
  size_t n = mb->len - mb->pos;		// Bytes available

  if (n > bytes)
    n = bytes;

  memcpy(buf, mb->data + mb->pos, n);
  mb->pos += n;

  return ((ssize_t)n);
}


//
// 'set_ipp()' - Replace a device attribute.
//

static void
set_ipp(cs_device_t     *dev,		// I - Device
        ipp_attribute_t *attr)		// I - New attribute
{
  ipp_attribute_t	*old;		// Stored attribute


  if ((old = ippFindAttribute(dev->attrs, ippGetName(attr), IPP_TAG_ZERO)) != NULL)
    ippDeleteAttribute(dev->attrs, old);

  ippCopyAttribute(dev->attrs, attr, 0);
}


//
// 'share_json()' - Describe a share.
//

static json_object *			// O - JSON object
share_json(cs_graph_t     *ctx,		// I - Context
           cs_share_t *share)		// I - Share
{
  json_object	*obj = json_object_new_object();
					// Share
  char		buf[64];		// Date


  (void)ctx;

  json_object_object_add(obj, "id", json_object_new_string(share->id));
  json_object_object_add(obj, "displayName", json_object_new_string(share->name));
  json_object_object_add(obj, "createdDateTime", json_object_new_string(csISOTime(share->created, buf, sizeof(buf))));
  json_object_object_add(obj, "allowAllUsers", json_object_new_boolean(share->access.all));
  json_object_object_add(obj, "holdJobsForSecureRelease", json_object_new_boolean(share->hold));
  json_object_object_add(obj, "printerId", json_object_new_string(share->printer));

  return (obj);
}


