//
// Test/control API for upa-cloudsim (/sim/...): submit jobs as a user, read
// job and device state, health check.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
//   GET  /sim/health                 200 once ready (no auth)
//   POST /sim/jobs?user=UPN&name=NAME&format=MIME[&copies=N&sides=KW&media=KW
//        &print-color-mode=KW][&printer=ID]  body = document -> 201 {"id": N, "createdMs": epoch ms}
//   GET  /sim/jobs                   {"jobs": [...]}
//   GET  /sim/jobs/ID                job object
//   POST /sim/jobs/ID/cancel         cancel as the user would (job object)
//   GET  /sim/devices                {"devices": [...]}
//   GET  /sim/devices/ID             device object
//   GET|POST|DELETE /sim/faults      list / arm (JSON object, array or
//                                    "KIND,key=value" text) / disarm all
//   GET|POST /sim/tenant             tenant model / apply a configuration
//   POST /sim/badges {"badgeId","upn"}, DELETE /sim/badges/ID
//   POST /sim/tokens {"upn"}         user (delegated) token for Graph
//   GET|POST /sim/limits             service limits {"jobsPer10Min",
//                                    "concurrent","perUser"} (0 = off)
//   POST /sim/devicecode, DELETE /sim/refresh-tokens, GET /sim/oauth
//                                    OAuth sign-in control (oauth.c)
//
// Only the static --admin-token opens /sim, never a delegated admin token.
//

#include "cloudsim.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


//
// Local functions...
//

static json_object *attr_json(ipp_attribute_t *attr);
static json_object *attrs_json(ipp_t *ipp);
static enum MHD_Result cancel_job(cs_request_t *req, int id);
static enum MHD_Result create_job(cs_request_t *req);
static enum MHD_Result faults(cs_request_t *req);
static enum MHD_Result respond(cs_request_t *req, unsigned status, json_object *obj);
static enum MHD_Result tenant_admin(cs_request_t *req);
static json_object *device_json(cs_device_t *dev);
static bool	in_list(const char *value, const char * const *list);
static json_object *job_json(cs_job_t *job);
static int	parse_id(const char *s);
static json_object *value_json(ipp_attribute_t *attr, int i);


//
// 'csSimHandle()' - Answer /sim/...
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csSimHandle(cs_request_t *req)		// I - Request
{
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  const char	*path = req->path + 4;	// Path after "/sim"
  bool		get = !strcmp(req->method, MHD_HTTP_METHOD_GET),
		post = !strcmp(req->method, MHD_HTTP_METHOD_POST);
					// Method
  json_object	*obj = NULL;		// Response body
  enum MHD_Result ret;			// Result
  int		id;			// Job id
  size_t	i;			// Looping var


  if (!strcmp(path, "/health"))
  {
    if (!get)
      return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use GET"));

    obj = json_object_new_object();
    json_object_object_add(obj, "status", json_object_new_string("ok"));
    ret = csHTTPRespondJSON(req, MHD_HTTP_OK, obj);
    json_object_put(obj);
    return (ret);
  }

  if (!csHTTPIsStaticAdmin(req))
    return (csHTTPRespondError(req, MHD_HTTP_UNAUTHORIZED, "unauthorized", "the --admin-token bearer token is required"));

  if (!strcmp(path, "/devicecode") || !strcmp(path, "/refresh-tokens") || !strcmp(path, "/oauth"))
    return (csOAuthSim(req));

  if (!strcmp(path, "/jobs") && post)
    return (create_job(req));

  if (!strcmp(path, "/faults"))
    return (faults(req));

  if (!strcmp(path, "/tenant") || !strncmp(path, "/badges", 7) || !strcmp(path, "/tokens") || !strcmp(path, "/limits"))
    return (tenant_admin(req));

  if (post && !strncmp(path, "/jobs/", 6) && (id = parse_id(path + 6)) > 0 && strstr(path + 6, "/cancel") && !strcmp(strchr(path + 6, '/'), "/cancel"))
    return (cancel_job(req, id));

  if (!get)
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "not_found", "no such resource"));

  csTenantLock(tenant);

  if (!strcmp(path, "/jobs"))
  {
    json_object *jobs = json_object_new_array();
					// Job list

    for (i = 0; i < tenant->num_jobs; i ++)
      json_object_array_add(jobs, job_json(tenant->jobs[i]));

    obj = json_object_new_object();
    json_object_object_add(obj, "jobs", jobs);
  }
  else if (!strncmp(path, "/jobs/", 6))
  {
    cs_job_t *job;			// Job

    if ((id = parse_id(path + 6)) > 0 && !strchr(path + 6, '/') && (job = csTenantFindJob(tenant, id)) != NULL)
      obj = job_json(job);
  }
  else if (!strcmp(path, "/devices"))
  {
    json_object *devices = json_object_new_array();
					// Device list

    for (i = 0; i < tenant->num_devices; i ++)
      json_object_array_add(devices, device_json(tenant->devices[i]));

    obj = json_object_new_object();
    json_object_object_add(obj, "devices", devices);
  }
  else if (!strncmp(path, "/devices/", 9))
  {
    cs_device_t *dev;			// Device

    if ((dev = csTenantFindDevice(tenant, path + 9)) != NULL)
      obj = device_json(dev);
  }

  csTenantUnlock(tenant);

  if (!obj)
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "not_found", "no such resource"));

  ret = csHTTPRespondJSON(req, MHD_HTTP_OK, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'csSimWantsDocument()' - Is this a job submission whose body is a document?
//

bool					// O - `true` for POST /sim/jobs with the --admin-token
csSimWantsDocument(cs_request_t *req)	// I - Request
{
  return (!strcmp(req->method, MHD_HTTP_METHOD_POST) && !strcmp(req->path, "/sim/jobs") && csHTTPIsStaticAdmin(req));
}


//
// 'attr_json()' - Convert an IPP attribute to JSON (scalar or array).
//

static json_object *			// O - JSON value
attr_json(ipp_attribute_t *attr)	// I - Attribute
{
  int		i,			// Looping var
		count = ippGetCount(attr);
					// Number of values
  json_object	*array;			// Array of values


  if (count == 1)
    return (value_json(attr, 0));

  array = json_object_new_array();
  for (i = 0; i < count; i ++)
    json_object_array_add(array, value_json(attr, i));

  return (array);
}


//
// 'attrs_json()' - Convert the attributes of an IPP message or collection.
//

static json_object *			// O - JSON object
attrs_json(ipp_t *ipp)			// I - Message or collection
{
  json_object		*obj = json_object_new_object();
					// Object
  ipp_attribute_t	*attr;		// Current attribute


  for (attr = ippFirstAttribute(ipp); attr; attr = ippNextAttribute(ipp))
  {
    if (ippGetName(attr))
      json_object_object_add(obj, ippGetName(attr), attr_json(attr));
  }

  return (obj);
}


//
// 'cancel_job()' - Cancel a job as its owner would.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
cancel_job(cs_request_t *req,		// I - Request
           int          id)		// I - Job id
{
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  cs_job_t	*job;			// Job
  json_object	*obj = NULL;		// Response
  unsigned	status = MHD_HTTP_OK;	// HTTP status
  enum MHD_Result ret;			// Result


  csTenantLock(tenant);

  if ((job = csTenantFindJob(tenant, id)) == NULL)
    status = MHD_HTTP_NOT_FOUND;
  else if (csJobIsTerminal(job))
    status = MHD_HTTP_CONFLICT;
  else
  {
    job->state     = IPP_JSTATE_CANCELED;
    job->fetchable = false;
    csJobAddEvent(job, "canceled", NULL, "canceled by the user");
    obj = job_json(job);
  }

  csTenantUnlock(tenant);

  if (!obj)
    return (csHTTPRespondError(req, status, status == MHD_HTTP_NOT_FOUND ? "not_found" : "conflict", status == MHD_HTTP_NOT_FOUND ? "no such job" : "job is already in a terminal state"));

  ret = csHTTPRespondJSON(req, status, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'create_job()' - Submit a job as a user (the document is the body).
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
create_job(cs_request_t *req)		// I - Request
{
  static const char * const sides_values[] = { "one-sided", "two-sided-long-edge", "two-sided-short-edge", NULL };
  static const char * const color_values[] = { "auto", "auto-monochrome", "bi-level", "color", "highlight", "monochrome", "process-bi-level", "process-monochrome", NULL };
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  const char	*user = csHTTPArg(req, "user"),
		*name = csHTTPArg(req, "name"),
		*format = csHTTPArg(req, "format"),
		*copies = csHTTPArg(req, "copies"),
		*sides = csHTTPArg(req, "sides"),
		*media = csHTTPArg(req, "media"),
		*color = csHTTPArg(req, "print-color-mode"),
		*printer = csHTTPArg(req, "printer");
					// Query arguments
  int		ncopies = 1;		// Copies
  int		retry;			// Retry-After for limits
  bool		held;			// Held on a pull printer?
  cs_job_t	*job;			// New job
  json_object	*obj;			// Response
  struct timespec now;			// When the job was added
  enum MHD_Result ret;			// Result


  if (!user || !*user || !strchr(user, '@'))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "user=UPN is required"));

  if (copies)
  {
    char *end;				// End of number
    long n;				// Value

    errno = 0;
    n     = strtol(copies, &end, 10);
    if (errno || *end || end == copies || n < 1 || n > 9999)
      return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "copies must be 1..9999"));
    ncopies = (int)n;
  }

  if (sides && !in_list(sides, sides_values))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "unsupported sides"));
  if (color && !in_list(color, color_values))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "unsupported print-color-mode"));
  if (media && (!*media || strspn(media, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(media)))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "media must be a keyword"));
  if (format && (!*format || !strchr(format, '/')))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "format must be a MIME type"));

  if (!req->docpath || req->doclen == 0)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "the document must be the request body"));
  if (req->doc_failed)
    return (csHTTPRespondError(req, req->doclen > CS_MAX_DOCUMENT ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_INTERNAL_SERVER_ERROR, "invalid_request", "cannot store the document"));

  csTenantLock(tenant);

  if (!printer || csTenantFindPull(tenant, printer))
  {
    held    = true;
    printer = printer ? printer : CS_PULL_ID;
  }
  else if (csTenantFindDevice(tenant, printer))
  {
    held = false;
  }
  else
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "not_found", "no such printer"));
  }

  if (!csTenantMayPrint(tenant, printer, NULL, user))
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_FORBIDDEN, "forbidden", "the user is not allowed to print to this printer"));
  }

  if (csTenantCheckLimits(req->server, printer, user, &retry))
  {
    char value[16];			// Retry-After

    csTenantUnlock(tenant);
    obj = json_object_new_object();
    json_object_object_add(obj, "error", json_object_new_string("too_many_requests"));
    json_object_object_add(obj, "error_description", json_object_new_string("service limit reached (jobs per 10 minutes or concurrent jobs)"));
    snprintf(value, sizeof(value), "%d", retry);
    ret = csHTTPRespondHeaders(req, 429, obj, "Retry-After", value);
    json_object_put(obj);
    return (ret);
  }

  if ((job = csTenantAddJob(tenant, req->docid, printer, held, user, name && *name ? name : "Untitled", format ? format : "application/pdf", req->docpath, req->doclen)) == NULL)
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "out of memory"));
  }

  job->copies = ncopies;
  csJobSetString(&job->sides, sides);
  csJobSetString(&job->media, media);
  csJobSetString(&job->color_mode, color);

  obj = json_object_new_object();
  json_object_object_add(obj, "id", json_object_new_int(job->id));
  // When the job became visible, for latency figures (the answer itself can
  // reach the submitter after the job has been printed)
  clock_gettime(CLOCK_REALTIME, &now);
  json_object_object_add(obj, "createdMs", json_object_new_int64((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000));

  csTenantUnlock(tenant);

  // The job owns the document file now.
  free(req->docpath);
  req->docpath = NULL;

  ret = csHTTPRespondJSON(req, MHD_HTTP_CREATED, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'device_json()' - Describe a device.
//

static json_object *			// O - JSON object
device_json(cs_device_t *dev)		// I - Device
{
  json_object	*obj = json_object_new_object();
					// Object
  char		date[32];		// Registration time


  json_object_object_add(obj, "id", json_object_new_string(dev->id));
  json_object_object_add(obj, "name", json_object_new_string(dev->name));
  json_object_object_add(obj, "manufacturer", json_object_new_string(dev->manufacturer));
  json_object_object_add(obj, "model", json_object_new_string(dev->model));
  json_object_object_add(obj, "registeredDateTime", json_object_new_string(csISOTime(dev->registered, date, sizeof(date))));
  json_object_object_add(obj, "attributes", attrs_json(dev->attrs));
  json_object_object_add(obj, "tokenRequests", json_object_new_int(dev->token_requests));
  json_object_object_add(obj, "deregistered", json_object_new_boolean(dev->deregistered));
  json_object_object_add(obj, "paused", json_object_new_boolean(dev->paused));
  json_object_object_add(obj, "disabled", json_object_new_boolean(dev->disabled));

  return (obj);
}


//
// 'in_list()' - Is a value in a NULL-terminated list?
//

static bool				// O - `true` if so
in_list(const char         *value,	// I - Value
        const char * const *list)	// I - List
{
  for (; *list; list ++)
  {
    if (!strcmp(value, *list))
      return (true);
  }

  return (false);
}


//
// 'job_json()' - Describe a job (Graph-like names).
//

static json_object *			// O - JSON object
job_json(cs_job_t *job)			// I - Job
{
  json_object	*obj = json_object_new_object(),
					// Object
		*reasons = json_object_new_array(),
					// Reasons
		*history = json_object_new_array();
					// History
  char		date[32];		// Time string
  size_t	i;			// Looping var
  const char	*state = ippEnumString("job-state", (int)job->state);
					// State keyword


  json_object_object_add(obj, "id", json_object_new_int(job->id));
  json_object_object_add(obj, "user", json_object_new_string(job->user));
  json_object_object_add(obj, "name", json_object_new_string(job->name));
  json_object_object_add(obj, "printer", json_object_new_string(job->printer));
  json_object_object_add(obj, "held", json_object_new_boolean(job->held));
  json_object_object_add(obj, "format", json_object_new_string(job->format));
  json_object_object_add(obj, "size", json_object_new_int64((int64_t)job->size));
  json_object_object_add(obj, "copies", json_object_new_int(job->copies));
  json_object_object_add(obj, "sides", job->sides ? json_object_new_string(job->sides) : NULL);
  json_object_object_add(obj, "media", job->media ? json_object_new_string(job->media) : NULL);
  json_object_object_add(obj, "printColorMode", job->color_mode ? json_object_new_string(job->color_mode) : NULL);
  json_object_object_add(obj, "createdDateTime", json_object_new_string(csISOTime(job->created, date, sizeof(date))));
  json_object_object_add(obj, "state", json_object_new_string(state));
  json_object_object_add(obj, "stateCode", json_object_new_int((int)job->state));
  json_object_object_add(obj, "isFetchable", json_object_new_boolean(csJobIsFetchable(job)));
  json_object_object_add(obj, "acquiredBy", job->acquired_by[0] ? json_object_new_string(job->acquired_by) : NULL);
  json_object_object_add(obj, "acknowledgedDateTime", job->acknowledged ? json_object_new_string(csISOTime(job->acknowledged, date, sizeof(date))) : NULL);
  json_object_object_add(obj, "impressionsCompleted", json_object_new_int(job->impressions));

  for (i = 0; i < job->num_reasons; i ++)
    json_object_array_add(reasons, json_object_new_string(job->reasons[i]));
  json_object_object_add(obj, "reasons", reasons);
  json_object_object_add(obj, "message", job->message ? json_object_new_string(job->message) : NULL);

  for (i = 0; i < job->num_events; i ++)
  {
    cs_event_t	*ev = job->events + i;	// Event
    json_object	*e = json_object_new_object();
					// Event object

    json_object_object_add(e, "time", json_object_new_string(csISOTime(ev->time, date, sizeof(date))));
    json_object_object_add(e, "event", json_object_new_string(ev->what ? ev->what : ""));
    json_object_object_add(e, "device", ev->device[0] ? json_object_new_string(ev->device) : NULL);
    json_object_object_add(e, "stateCode", json_object_new_int(ev->state));
    json_object_object_add(e, "reasons", ev->reasons ? json_object_new_string(ev->reasons) : NULL);
    json_object_object_add(e, "message", ev->message ? json_object_new_string(ev->message) : NULL);
    json_object_object_add(e, "impressionsCompleted", json_object_new_int(ev->impressions));
    json_object_array_add(history, e);
  }
  json_object_object_add(obj, "history", history);
  json_object_object_add(obj, "started", json_object_new_boolean(job->started));
  json_object_object_add(obj, "share", job->share[0] ? json_object_new_string(job->share) : NULL);
  json_object_object_add(obj, "documentState", json_object_new_int(job->doc_state));
  json_object_object_add(obj, "documentAcknowledged", json_object_new_boolean(job->doc_acked));

  return (obj);
}


//
// 'parse_id()' - Parse a positive job id at the start of a path segment.
//

static int				// O - Id or 0
parse_id(const char *s)			// I - Text
{
  long	n = 0;				// Value


  if (*s < '1' || *s > '9')
    return (0);

  for (; *s >= '0' && *s <= '9'; s ++)
  {
    n = n * 10 + (*s - '0');
    if (n > 0x7fffffff)
      return (0);
  }

  return ((*s == '\0' || *s == '/') ? (int)n : 0);
}


//
// 'value_json()' - Convert one value of an IPP attribute to JSON.
//

static json_object *			// O - JSON value
value_json(ipp_attribute_t *attr,	// I - Attribute
           int             i)		// I - Value index
{
  switch (ippGetValueTag(attr))
  {
    case IPP_TAG_INTEGER :
    case IPP_TAG_ENUM :
        return (json_object_new_int(ippGetInteger(attr, i)));

    case IPP_TAG_BOOLEAN :
        return (json_object_new_boolean(ippGetBoolean(attr, i)));

    case IPP_TAG_BEGIN_COLLECTION :
        return (attrs_json(ippGetCollection(attr, i)));

    case IPP_TAG_RANGE :
        {
          int		upper,		// Upper bound
			lower = ippGetRange(attr, i, &upper);
					// Lower bound
          json_object	*obj = json_object_new_object();
					// Range

          json_object_object_add(obj, "lower", json_object_new_int(lower));
          json_object_object_add(obj, "upper", json_object_new_int(upper));
          return (obj);
        }

    case IPP_TAG_RESOLUTION :
        {
          int		yres;		// Feed resolution
          ipp_res_t	units;		// Units
          int		xres = ippGetResolution(attr, i, &yres, &units);
					// Cross-feed resolution
          char		buf[64];	// Text

          snprintf(buf, sizeof(buf), "%dx%d%s", xres, yres, units == IPP_RES_PER_INCH ? "dpi" : "dpcm");
          return (json_object_new_string(buf));
        }

    case IPP_TAG_DATE :
        {
          char	buf[32];		// Time string

          return (json_object_new_string(csISOTime(ippDateToTime(ippGetDate(attr, i)), buf, sizeof(buf))));
        }

    case IPP_TAG_STRING :
        {
          int		len;		// Length
          const void	*data = ippGetOctetString(attr, i, &len);
					// Octets
          char		*b64 = csBase64Encode(data, (size_t)len, false);
					// Encoded
          json_object	*obj = json_object_new_string(b64 ? b64 : "");
					// Value

          free(b64);
          return (obj);
        }

    default :
        {
          const char *s = ippGetString(attr, i, NULL);
					// String value

          return (s ? json_object_new_string(s) : NULL);
        }
  }
}


//
// 'faults()' - GET/POST/DELETE /sim/faults.
//
// Besides the counted faults of fault.c, POST accepts three settings:
// {"kind":"slow-release","seconds":N} (new jobs become fetchable N seconds
// after submission), {"kind":"token-lifetime","seconds":N} (tokens issued from
// now on) and {"kind":"expire-tokens"} (every issued token is expired now).
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
faults(cs_request_t *req)		// I - Request
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  json_object	*body,			// Request body
		*obj,			// Response
		*ids;			// Armed fault ids
  size_t	i,			// Looping var
		count;			// Number of faults in the body
  char		err[256];		// Error message


  if (!strcmp(req->method, MHD_HTTP_METHOD_DELETE))
  {
    csFaultClear(server);
    csTenantLock(tenant);
    tenant->slow_release = 0;
    tenant->dirty        = true;
    csTenantUnlock(tenant);
    return (csHTTPRespond(req, MHD_HTTP_NO_CONTENT, NULL, "", 0));
  }

  if (!strcmp(req->method, MHD_HTTP_METHOD_GET))
  {
    obj = json_object_new_object();
    json_object_object_add(obj, "faults", csFaultList(server));
    json_object_object_add(obj, "fired", csFaultFired(server));
    csTenantLock(tenant);
    json_object_object_add(obj, "slowRelease", json_object_new_int(tenant->slow_release));
    csTenantUnlock(tenant);
    json_object_object_add(obj, "tokenLifetime", json_object_new_int(server->token_lifetime));
    return (respond(req, MHD_HTTP_OK, obj));
  }

  if (strcmp(req->method, MHD_HTTP_METHOD_POST))
    return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use GET, POST or DELETE"));

  if (!req->buf || (body = (req->buf[0] == '{' || req->buf[0] == '[') ? csHTTPBodyJSON(req) : csFaultParseSpec((char *)req->buf)) == NULL)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "the body must be a fault object, an array of them, or KIND[,key=value...]"));

  if (json_object_is_type(body, json_type_object))
  {
    json_object *array = json_object_new_array();
					// One-element array

    json_object_array_add(array, body);
    body = array;
  }

  ids   = json_object_new_array();
  count = json_object_array_length(body);

  for (i = 0; i < count; i ++)
  {
    json_object	*f = json_object_array_get_idx(body, i),
					// Fault
		*kind = NULL,		// kind
		*seconds = NULL;	// seconds
    const char	*k;			// Kind string
    int		id;			// Fault id

    json_object_object_get_ex(f, "kind", &kind);
    json_object_object_get_ex(f, "seconds", &seconds);
    k = kind ? json_object_get_string(kind) : "";

    if (!strcmp(k, "slow-release") || !strcmp(k, "token-lifetime"))
    {
      int n = seconds ? json_object_get_int(seconds) : -1;
					// Seconds

      if (n < 0 || (n == 0 && !strcmp(k, "token-lifetime")))
      {
        json_object_put(body);
        json_object_put(ids);
        return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "seconds must be a positive number"));
      }

      if (!strcmp(k, "token-lifetime"))
        server->token_lifetime = n;
      else
      {
        csTenantLock(tenant);
        tenant->slow_release = n;
        tenant->dirty        = true;
        csTenantUnlock(tenant);
      }
      csLog(server, 0, "%s set to %d seconds", k, n);
      continue;
    }
    else if (!strcmp(k, "expire-tokens"))
    {
      csTenantLock(tenant);
      csTenantExpireTokens(tenant);
      csTenantUnlock(tenant);
      csLog(server, 0, "every access token expired");
      continue;
    }

    if ((id = csFaultAdd(server, f, err, sizeof(err))) < 0)
    {
      json_object_put(body);
      json_object_put(ids);
      return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", err));
    }

    json_object_array_add(ids, json_object_new_int(id));
  }

  json_object_put(body);

  obj = json_object_new_object();
  json_object_object_add(obj, "ids", ids);

  return (respond(req, MHD_HTTP_CREATED, obj));
}


//
// 'respond()' - Send a JSON object and free it.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
respond(cs_request_t *req,		// I - Request
        unsigned     status,		// I - HTTP status
        json_object  *obj)		// I - Body (freed)
{
  enum MHD_Result ret = csHTTPRespondJSON(req, status, obj);
					// Result

  json_object_put(obj);

  return (ret);
}


//
// 'tenant_admin()' - /sim/tenant, /sim/badges, /sim/tokens and /sim/limits.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
tenant_admin(cs_request_t *req)		// I - Request
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  const char	*path = req->path + 4;	// After "/sim"
  bool		get = !strcmp(req->method, MHD_HTTP_METHOD_GET),
		post = !strcmp(req->method, MHD_HTTP_METHOD_POST),
		del = !strcmp(req->method, MHD_HTTP_METHOD_DELETE);
					// Method
  json_object	*body = req->buf ? csHTTPBodyJSON(req) : NULL,
					// Request body
		*obj = NULL,		// Response
		*value;			// Member
  char		err[256] = "";		// Error
  unsigned	status = MHD_HTTP_OK;	// HTTP status


  csTenantLock(tenant);

  if (!strcmp(path, "/tenant") && get)
    obj = csTenantJSON(tenant);
  else if (!strcmp(path, "/tenant") && post)
  {
    if (!body || !csTenantConfigure(tenant, body, err, sizeof(err)))
    {
      status = MHD_HTTP_BAD_REQUEST;
      if (!err[0])
        snprintf(err, sizeof(err), "the body must be a JSON tenant configuration");
    }
    else
      obj = csTenantJSON(tenant);
  }
  else if (!strcmp(path, "/badges") && post)
  {
    const char *badge = body && json_object_object_get_ex(body, "badgeId", &value) ? json_object_get_string(value) : NULL,
	       *upn = body && json_object_object_get_ex(body, "upn", &value) ? json_object_get_string(value) : NULL;
					// Fields
    cs_user_t  *u;			// Owner

    if (!badge || !*badge || !upn || !strchr(upn, '@'))
    {
      status = MHD_HTTP_BAD_REQUEST;
      snprintf(err, sizeof(err), "badgeId and upn are required");
    }
    else
    {
      csTenantSetBadge(tenant, badge, upn, NULL);
      u   = csTenantUser(tenant, upn, true);
      obj = json_object_new_object();
      json_object_object_add(obj, "badgeId", json_object_new_string(badge));
      json_object_object_add(obj, "upn", json_object_new_string(upn));
      json_object_object_add(obj, "userId", json_object_new_string(u ? u->id : ""));
      status = MHD_HTTP_CREATED;
    }
  }
  else if (!strncmp(path, "/badges/", 8) && del)
  {
    if (!csTenantDeleteBadge(tenant, path + 8))
    {
      status = MHD_HTTP_NOT_FOUND;
      snprintf(err, sizeof(err), "no such badge");
    }
    else
      status = MHD_HTTP_NO_CONTENT;
  }
  else if (!strcmp(path, "/tokens") && post)
  {
    const char *upn = body && json_object_object_get_ex(body, "upn", &value) ? json_object_get_string(value) : NULL;
					// User
    char	token[64];		// New token

    if (!upn || !strchr(upn, '@') || !csRandomToken(token, sizeof(token), 32))
    {
      status = MHD_HTTP_BAD_REQUEST;
      snprintf(err, sizeof(err), "upn is required");
    }
    else
    {
      csTenantUser(tenant, upn, true);
      csTenantAddUserToken(tenant, token, upn, time(NULL) + server->token_lifetime);
      obj = json_object_new_object();
      json_object_object_add(obj, "access_token", json_object_new_string(token));
      json_object_object_add(obj, "token_type", json_object_new_string("Bearer"));
      json_object_object_add(obj, "expires_in", json_object_new_int(server->token_lifetime));
    }
  }
  else if (!strcmp(path, "/limits") && (get || post))
  {
    if (post && body)
    {
      if (json_object_object_get_ex(body, "jobsPer10Min", &value))
        server->limits.jobs_per_10min = json_object_get_int(value);
      if (json_object_object_get_ex(body, "concurrent", &value))
        server->limits.concurrent = json_object_get_int(value);
      if (json_object_object_get_ex(body, "perUser", &value))
        server->limits.per_user = json_object_get_int(value);
      if (json_object_object_get_ex(body, "retention", &value))
        tenant->retention = json_object_get_int(value);
      tenant->dirty = true;
    }
    obj = json_object_new_object();
    json_object_object_add(obj, "jobsPer10Min", json_object_new_int(server->limits.jobs_per_10min));
    json_object_object_add(obj, "concurrent", json_object_new_int(server->limits.concurrent));
    json_object_object_add(obj, "perUser", json_object_new_int(server->limits.per_user));
    json_object_object_add(obj, "retention", json_object_new_int(tenant->retention));
  }
  else
  {
    status = MHD_HTTP_NOT_FOUND;
    snprintf(err, sizeof(err), "no such resource");
  }

  csTenantUnlock(tenant);
  json_object_put(body);

  if (err[0])
    return (csHTTPRespondError(req, status, status == MHD_HTTP_NOT_FOUND ? "not_found" : "invalid_request", err));

  if (!obj)
    return (csHTTPRespond(req, status, NULL, "", 0));

  return (respond(req, status, obj));
}
