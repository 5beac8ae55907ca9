//
// Graph job submission and status for upa-cloudsim: jobs on shares, upload
// sessions with Content-Range chunks, and the printJob resource.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Upload PUTs carry no Authorization: the session id in the URL (and its
// tempauthtoken) is the credential.  Each chunk is written straight into the
// job's document file at its offset while it arrives (see
// csGraphBodyMode()), so documents are never held in memory.
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
// Local functions...
//

static bool	parse_range(const char *value, off_t *first, off_t *last, off_t *total);
static bool	range_overlaps(cs_job_t *job, off_t first, off_t last);


//
// 'csGraphBodyMode()' - Choose the body handling for a Graph request.
//
// Upload PUTs stream into the job's document at the Content-Range offset;
// the range is checked before any byte is accepted.
//

cs_body_t				// O - Body mode
csGraphBodyMode(cs_request_t *req)	// I - Request
{
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  off_t		first, last, total;	// Content-Range
  size_t	i;			// Looping var
  cs_job_t	*job = NULL;		// Job being uploaded


  if (strncmp(req->path, "/uploadSessions/", 16))
    return (strcmp(req->method, MHD_HTTP_METHOD_GET) && strcmp(req->method, MHD_HTTP_METHOD_DELETE) ? CS_BODY_BUFFER : CS_BODY_NONE);

  if (strcmp(req->method, "PUT"))
    return (CS_BODY_NONE);

  if (!parse_range(csHTTPHeader(req, "Content-Range"), &first, &last, &total))
  {
    req->http_error = MHD_HTTP_BAD_REQUEST;
    req->error_desc = strdup("Content-Range: bytes FIRST-LAST/TOTAL is required");
    return (CS_BODY_NONE);
  }

  req->range_first = first;
  req->range_last  = last;
  req->range_total = total;

  csTenantLock(tenant);
  for (i = 0; i < tenant->num_jobs; i ++)
  {
    if (tenant->jobs[i]->upload[0] && !strcmp(tenant->jobs[i]->upload, req->path + 16))
    {
      job = tenant->jobs[i];
      break;
    }
  }

  if (!job || !csHTTPArg(req, "tempauthtoken") || strcmp(csHTTPArg(req, "tempauthtoken"), job->upload))
  {
    req->http_error = MHD_HTTP_NOT_FOUND;
    req->error_desc = strdup("no such upload session");
  }
  else if (total != job->expected || last >= total)
  {
    req->http_error = MHD_HTTP_BAD_REQUEST;
    req->error_desc = strdup("Content-Range does not match the upload session size");
  }
  else if (range_overlaps(job, first, last))
  {
    req->http_error = MHD_HTTP_RANGE_NOT_SATISFIABLE;
    req->error_desc = strdup("range already uploaded");
  }
  else if ((req->docfd = open(job->docpath, O_WRONLY | O_CLOEXEC)) < 0 || lseek(req->docfd, first, SEEK_SET) != first)
  {
    req->http_error = MHD_HTTP_INTERNAL_SERVER_ERROR;
    req->error_desc = strdup("cannot open the document");
  }
  csTenantUnlock(tenant);

  return (req->http_error ? CS_BODY_NONE : CS_BODY_FILE);
}

//
// 'csGraphJob()' - Describe a job as a Graph printJob.  Call with the tenant locked.
//

json_object *				// O - JSON object
csGraphJob(cs_server_t *server,		// I - Server
           cs_job_t    *job)		// I - Job
{
  json_object	*obj = json_object_new_object(),
					// Job
		*st = json_object_new_object(),
					// status
		*details = json_object_new_array(),
					// status.details
		*by = json_object_new_object(),
					// createdBy
		*docs = json_object_new_array(),
					// documents
		*doc = json_object_new_object(),
					// documents[0]
		*config;		// configuration
  char		buf[64];		// Strings
  const char	*state,			// status.state
		*desc;			// status.description


  (void)server;

  if (!job->started)
  {
    state = "pending";
    desc  = "Waiting for the document upload.";
    json_object_array_add(details, json_object_new_string("uploadPending"));
  }
  else if (csJobIsReleasable(job))
  {
    state = "pending";
    desc  = "Held for secure release.";
    json_object_array_add(details, json_object_new_string("releaseWait"));
  }
  else switch (job->state)
  {
    case IPP_JSTATE_HELD :
        state = "paused";
        desc  = "The job is held.";
        break;
    case IPP_JSTATE_PROCESSING :
        state = "processing";
        desc  = "The printer is printing the job.";
        break;
    case IPP_JSTATE_STOPPED :
        state = "stopped";
        desc  = "Processing stopped.";
        break;
    case IPP_JSTATE_CANCELED :
        state = "canceled";
        desc  = "The job was canceled.";
        break;
    case IPP_JSTATE_ABORTED :
        state = "aborted";
        desc  = "The job was aborted.";
        json_object_array_add(details, json_object_new_string("completedWithErrors"));
        break;
    case IPP_JSTATE_COMPLETED :
        state = "completed";
        desc  = "The job completed.";
        json_object_array_add(details, json_object_new_string("completedSuccessfully"));
        break;
    default :
        state = "pending";
        desc  = job->acquired_by[0] ? "The printer acquired the job." : "Waiting for the printer.";
        break;
  }

  snprintf(buf, sizeof(buf), "%d", job->id);
  json_object_object_add(obj, "id", json_object_new_string(buf));
  json_object_object_add(obj, "createdDateTime", json_object_new_string(csISOTime(job->created, buf, sizeof(buf))));
  json_object_object_add(by, "userPrincipalName", json_object_new_string(job->user));
  json_object_object_add(by, "displayName", json_object_new_string(job->user));
  json_object_object_add(obj, "createdBy", by);

  if (!job->config || (config = json_tokener_parse(job->config)) == NULL)
  {
    config = json_object_new_object();
    json_object_object_add(config, "copies", json_object_new_int(job->copies));
  }
  json_object_object_add(obj, "configuration", config);

  json_object_object_add(st, "state", json_object_new_string(state));
  json_object_object_add(st, "description", json_object_new_string(desc));
  json_object_object_add(st, "isAcquiredByPrinter", json_object_new_boolean(job->acquired_by[0] != '\0'));
  json_object_object_add(st, "details", details);
  json_object_object_add(obj, "status", st);
  json_object_object_add(obj, "isFetchable", json_object_new_boolean(csJobIsFetchable(job)));
  json_object_object_add(obj, "acknowledgedDateTime", job->acknowledged ? json_object_new_string(csISOTime(job->acknowledged, buf, sizeof(buf))) : NULL);
  json_object_object_add(obj, "redirectedFrom", NULL);
  json_object_object_add(obj, "redirectedTo", NULL);
  json_object_object_add(obj, "errorCode", json_object_new_int(job->state == IPP_JSTATE_ABORTED ? 1 : 0));

  json_object_object_add(doc, "id", json_object_new_string("1"));
  json_object_object_add(doc, "documentName", json_object_new_string(job->doc_name ? job->doc_name : job->name));
  json_object_object_add(doc, "contentType", json_object_new_string(job->format));
  json_object_object_add(doc, "size", json_object_new_int64((int64_t)(job->expected ? job->expected : job->size)));
  json_object_array_add(docs, doc);
  json_object_object_add(obj, "documents", docs);

  return (obj);
}

//
// 'csGraphCreateJob()' - Create a job on a share (user token).
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csGraphCreateJob(cs_graph_t      *ctx,		// I - Context
           cs_share_t  *share,		// I - Share
           unsigned    *status,		// O - HTTP status
           json_object **obj)		// O - Response
{
  cs_tenant_t	*tenant = ctx->tenant;	// Tenant
  json_object	*config = NULL,		// configuration
		*value;			// Member
  int		id,			// Job id
		retry,			// Retry-After
		fd;			// Document file
  char		path[1100],		// Document path
		header[16];		// Retry-After value
  cs_job_t	*job;			// New job


  *obj = NULL;

  if (!ctx->user[0])
    return (csGraphError(ctx->req, MHD_HTTP_FORBIDDEN, "AccessDenied", ctx->app ? "applications cannot print" : "use a user token (POST /sim/tokens) to print"));

  if (!csAccessAllows(&share->access, ctx->user))
    return (csGraphError(ctx->req, MHD_HTTP_FORBIDDEN, "AccessDenied", "the user is not allowed to use this share"));

  if (csTenantCheckLimits(ctx->server, share->printer, ctx->user, &retry))
  {
    json_object *err = json_object_new_object(),
		*e = json_object_new_object();
    enum MHD_Result ret;

    json_object_object_add(e, "code", json_object_new_string("TooManyRequests"));
    json_object_object_add(e, "message", json_object_new_string("service limit reached"));
    json_object_object_add(err, "error", e);
    snprintf(header, sizeof(header), "%d", retry);
    ret = csHTTPRespondHeaders(ctx->req, 429, err, "Retry-After", header);
    json_object_put(err);
    return (ret);
  }

  if (ctx->body)
    json_object_object_get_ex(ctx->body, "configuration", &config);

  id = tenant->next_job_id ++;
  snprintf(path, sizeof(path), "%s/%d-1.doc", tenant->docdir, id);
  if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
    return (csGraphError(ctx->req, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalServerError", "cannot create the document"));
  close(fd);

  if ((job = csTenantAddJob(tenant, id, share->printer, share->hold, ctx->user, "Untitled", "application/pdf", path, 0)) == NULL)
    return (csGraphError(ctx->req, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalServerError", "out of memory"));

  job->started = false;
  snprintf(job->share, sizeof(job->share), "%s", share->id);

  if (config)
  {
    const char *s;			// String value

    job->config = strdup(json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN));
    if (json_object_object_get_ex(config, "copies", &value) && json_object_get_int(value) >= 1)
      job->copies = json_object_get_int(value);
    if (json_object_object_get_ex(config, "duplexMode", &value) && (s = json_object_get_string(value)) != NULL)
      csJobSetString(&job->sides, !strcmp(s, "flipOnLongEdge") ? "two-sided-long-edge" : !strcmp(s, "flipOnShortEdge") ? "two-sided-short-edge" : "one-sided");
    if (json_object_object_get_ex(config, "colorMode", &value) && (s = json_object_get_string(value)) != NULL)
      csJobSetString(&job->color_mode, !strcmp(s, "color") ? "color" : !strcmp(s, "auto") ? "auto" : "monochrome");
    if (json_object_object_get_ex(config, "mediaSize", &value) && (s = json_object_get_string(value)) != NULL)
      csJobSetString(&job->media, !strcmp(s, "A4") ? "iso_a4_210x297mm" : !strcmp(s, "North America Letter") ? "na_letter_8.5x11in" : !strcmp(s, "North America Legal") ? "na_legal_8.5x14in" : !strcmp(s, "A3") ? "iso_a3_297x420mm" : s);
  }

  *obj    = csGraphJob(ctx->server, job);
  *status = MHD_HTTP_CREATED;

  return (MHD_YES);
}

//
// 'csGraphCreateUpload()' - createUploadSession for a job's document.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csGraphCreateUpload(cs_graph_t      *ctx,		// I - Context
              cs_job_t    *job,		// I - Job
              json_object **obj,	// O - Response
              unsigned    *status)	// O - HTTP status
{
  json_object	*props = NULL,		// properties
		*value,			// Member
		*ranges;		// nextExpectedRanges
  int64_t	size;			// Announced size
  char		url[1024],		// uploadUrl
		date[32];		// expirationDateTime


  *obj = NULL;

  if (job->started)
    return (csGraphError(ctx->req, MHD_HTTP_BAD_REQUEST, "BadRequest", "the job was already started"));

  if (!ctx->body || !json_object_object_get_ex(ctx->body, "properties", &props) || !json_object_object_get_ex(props, "size", &value) || (size = json_object_get_int64(value)) <= 0)
    return (csGraphError(ctx->req, MHD_HTTP_BAD_REQUEST, "BadRequest", "properties.size is required"));

  if (size > (int64_t)CS_MAX_DOCUMENT)
    return (csGraphError(ctx->req, MHD_HTTP_CONTENT_TOO_LARGE, "RequestEntityTooLarge", "documents are limited to 1 GB"));

  if (json_object_object_get_ex(props, "documentName", &value))
    csJobSetString(&job->doc_name, json_object_get_string(value));
  if (json_object_object_get_ex(props, "documentName", &value))
    csJobSetString(&job->name, json_object_get_string(value));
  if (json_object_object_get_ex(props, "contentType", &value))
    csJobSetString(&job->format, json_object_get_string(value));

  job->expected   = (off_t)size;
  job->size       = 0;
  job->num_ranges = 0;
  csRandomToken(job->upload, sizeof(job->upload), 24);
  ctx->tenant->dirty = true;

  snprintf(url, sizeof(url), "%s/uploadSessions/%s?tempauthtoken=%s", ctx->server->base_url, job->upload, job->upload);

  *obj   = json_object_new_object();
  ranges = json_object_new_array();
  json_object_array_add(ranges, json_object_new_string("0-"));
  json_object_object_add(*obj, "uploadUrl", json_object_new_string(url));
  json_object_object_add(*obj, "expirationDateTime", json_object_new_string(csISOTime(time(NULL) + 3600, date, sizeof(date))));
  json_object_object_add(*obj, "nextExpectedRanges", ranges);
  *status = MHD_HTTP_OK;

  return (MHD_YES);
}

//
// 'parse_range()' - Parse "bytes FIRST-LAST/TOTAL".
//

static bool				// O - `true` if valid
parse_range(const char *value,		// I - Header value
            off_t      *first,		// O - First byte
            off_t      *last,		// O - Last byte
            off_t      *total)		// O - Total size
{
  long long	a, b, t;		// Values
  int		n = 0;			// Characters consumed


  if (!value || sscanf(value, "bytes %lld-%lld/%lld%n", &a, &b, &t, &n) != 3 || value[n] || a < 0 || b < a || t <= 0)
    return (false);

  *first = (off_t)a;
  *last  = (off_t)b;
  *total = (off_t)t;

  return (true);
}

//
// 'range_overlaps()' - Does a byte range overlap what was received?
//

static bool				// O - `true` if it overlaps
range_overlaps(cs_job_t *job,		// I - Job
               off_t    first,		// I - First byte
               off_t    last)		// I - Last byte
{
  size_t	i;			// Looping var


  for (i = 0; i < job->num_ranges; i ++)
  {
    if (first <= job->ranges[i].last && last >= job->ranges[i].first)
      return (true);
  }

  return (false);
}

//
// 'csGraphUpload()' - Finish an upload PUT (the bytes are already in the document).
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csGraphUpload(cs_request_t *req)		// I - Request
{
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  cs_job_t	*job = NULL;		// Job
  json_object	*obj,			// Response
		*ranges;		// nextExpectedRanges
  size_t	i;			// Looping var
  off_t		received = 0,		// Bytes received so far
		next = 0;		// Next missing byte
  char		buf[64];		// Strings
  enum MHD_Result ret;			// Result


  if (strcmp(req->method, "PUT"))
    return (csGraphError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "BadRequest", "use PUT"));

  if (req->doc_failed || req->doclen != req->range_last - req->range_first + 1)
    return (csGraphError(req, MHD_HTTP_BAD_REQUEST, "BadRequest", "the body length does not match Content-Range"));

  csTenantLock(tenant);

  for (i = 0; i < tenant->num_jobs; i ++)
  {
    if (tenant->jobs[i]->upload[0] && !strcmp(tenant->jobs[i]->upload, req->path + 16))
    {
      job = tenant->jobs[i];
      break;
    }
  }

  if (!job || range_overlaps(job, req->range_first, req->range_last) || !csGrow(&job->ranges, job->num_ranges, sizeof(cs_range_t)))
  {
    csTenantUnlock(tenant);
    return (csGraphError(req, job ? MHD_HTTP_RANGE_NOT_SATISFIABLE : MHD_HTTP_NOT_FOUND, job ? "InvalidRange" : "ResourceNotFound", job ? "range already uploaded" : "no such upload session"));
  }

  job->ranges[job->num_ranges].first = req->range_first;
  job->ranges[job->num_ranges].last  = req->range_last;
  job->num_ranges ++;

  for (i = 0; i < job->num_ranges; i ++)
    received += job->ranges[i].last - job->ranges[i].first + 1;

  obj = json_object_new_object();

  if (received == job->expected)
  {
    job->size = job->expected;
    json_object_object_add(obj, "id", json_object_new_string("1"));
    json_object_object_add(obj, "documentName", json_object_new_string(job->doc_name ? job->doc_name : job->name));
    json_object_object_add(obj, "contentType", json_object_new_string(job->format));
    json_object_object_add(obj, "size", json_object_new_int64((int64_t)job->size));
    tenant->dirty = true;
    csTenantUnlock(tenant);
    ret = csHTTPRespondJSON(req, MHD_HTTP_CREATED, obj);
    json_object_put(obj);
    return (ret);
  }

  // The first gap: ranges are few, so a simple scan does.
  for (;;)
  {
    bool moved = false;

    for (i = 0; i < job->num_ranges; i ++)
    {
      if (job->ranges[i].first <= next && job->ranges[i].last >= next)
      {
        next  = job->ranges[i].last + 1;
        moved = true;
      }
    }

    if (!moved)
      break;
  }

  ranges = json_object_new_array();
  snprintf(buf, sizeof(buf), "%lld-", (long long)next);
  json_object_array_add(ranges, json_object_new_string(buf));
  json_object_object_add(obj, "expirationDateTime", json_object_new_string(csISOTime(time(NULL) + 3600, buf, sizeof(buf))));
  json_object_object_add(obj, "nextExpectedRanges", ranges);

  csTenantUnlock(tenant);

  ret = csHTTPRespondJSON(req, MHD_HTTP_ACCEPTED, obj);
  json_object_put(obj);

  return (ret);
}
