//
// IPP endpoint for upa-cloudsim: authentication, request checks, job
// attributes, Get-Printer-Attributes and Print-Job.  The INFRA operations are
// in infra.c.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Like Universal Print, the HTTP path is always /printers: the target printer
// is named by printer-uri inside the request, and the caller is the device
// the bearer token was issued to.  The admin token may only submit jobs.
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>


//
// Local types...
//

typedef struct filter_s			// requested-attributes filter
{
  ipp_attribute_t *requested;		// requested-attributes or `NULL`
  const char	*defaults;		// Names used when absent (`NULL` = all)
} filter_t;


//
// Local globals...
//

static const char * const job_template[] =
{					// Job template attribute names
  "copies",
  "finishings",
  "job-hold-until",
  "job-priority",
  "job-sheets",
  "media",
  "media-col",
  "multiple-document-handling",
  "number-up",
  "orientation-requested",
  "page-ranges",
  "print-color-mode",
  "print-quality",
  "printer-resolution",
  "sides"
};

static const ipp_op_t infra_ops[] =	// Operations answered here and in infra.c/notify.c
{
  IPP_OP_PRINT_JOB,
  IPP_OP_GET_JOBS,
  IPP_OP_GET_PRINTER_ATTRIBUTES,
  IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS,
  IPP_OP_RENEW_SUBSCRIPTION,
  IPP_OP_CANCEL_SUBSCRIPTION,
  IPP_OP_GET_NOTIFICATIONS,
  IPP_OP_ACKNOWLEDGE_DOCUMENT,
  IPP_OP_ACKNOWLEDGE_JOB,
  IPP_OP_FETCH_DOCUMENT,
  IPP_OP_FETCH_JOB,
  IPP_OP_GET_OUTPUT_DEVICE_ATTRIBUTES,
  IPP_OP_UPDATE_ACTIVE_JOBS,
  IPP_OP_DEREGISTER_OUTPUT_DEVICE,
  IPP_OP_UPDATE_DOCUMENT_STATUS,
  IPP_OP_UPDATE_JOB_STATUS,
  IPP_OP_UPDATE_OUTPUT_DEVICE_ATTRIBUTES
};


//
// Local functions...
//

static int	copy_cb(filter_t *filter, ipp_t *dst, ipp_attribute_t *attr);
static ipp_t	*get_printer_attributes(cs_request_t *req, ipp_t *request, const char *printer);

static ipp_t	*check_request(ipp_t *request);


//
// 'csIPPAddJobAttrs()' - Add all attributes of a job to the job group.
//
// Call with the tenant locked.
//

void
csIPPAddJobAttrs(cs_server_t *server,	// I - Server
                 cs_job_t    *job,	// I - Job
                 ipp_t       *ipp)	// I - Message to add to
{
  char			uri[1024];	// URIs
  const char		*reasons[64];	// job-state-reasons
  int			num_reasons = 0;// Number of reasons
  size_t		i;		// Looping var


  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", job->id);
  snprintf(uri, sizeof(uri), "ipps://%s/printers/%s/jobs/%d", server->hostport, job->printer, job->id);
  ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_URI, "job-uri", NULL, uri);
  snprintf(uri, sizeof(uri), "ipps://%s/printers/%s", server->hostport, job->printer);
  ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_URI, "job-printer-uri", NULL, uri);
  ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, job->name);
  ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", NULL, job->user);
  snprintf(uri, sizeof(uri), "mailto:%s", job->user);
  ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_URI, "job-originating-user-uri", NULL, uri);
  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", (int)job->state);

  if (csJobIsFetchable(job))
    reasons[num_reasons ++] = "job-fetchable";
  for (i = 0; i < job->num_reasons && num_reasons < (int)(sizeof(reasons) / sizeof(reasons[0])); i ++)
    reasons[num_reasons ++] = job->reasons[i];
  if (num_reasons == 0)
    reasons[num_reasons ++] = "none";
  ippAddStrings(ipp, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", num_reasons, NULL, reasons);

  if (job->message)
    ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_TEXT, "job-state-message", NULL, job->message);

  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", job->copies);
  if (job->sides)
    ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_KEYWORD, "sides", NULL, job->sides);
  if (job->media)
    ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_KEYWORD, "media", NULL, job->media);
  if (job->color_mode)
    ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_KEYWORD, "print-color-mode", NULL, job->color_mode);

  ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_MIMETYPE, "document-format", NULL, job->format);
  ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_NAME, "document-name", NULL, job->name);
  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_INTEGER, "number-of-documents", 1);
  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", (int)((job->size + 1023) / 1024));
  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions-completed", job->impressions);
  ippAddInteger(ipp, IPP_TAG_JOB, IPP_TAG_INTEGER, "time-at-creation", (int)(job->created - server->tenant->start_time) + 1);
  ippAddDate(ipp, IPP_TAG_JOB, "date-time-at-creation", ippTimeToDate(job->created));

  if (job->acquired_by[0])
  {
    ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_NAME, "output-device-assigned", NULL, job->acquired_by);
    snprintf(uri, sizeof(uri), "urn:uuid:%s", job->acquired_by);
    ippAddString(ipp, IPP_TAG_JOB, IPP_TAG_URI, "output-device-uuid-assigned", NULL, uri);
  }
}


//
// 'csIPPOperations()' - List the operations this server implements.
//

int					// O - Number of operations
csIPPOperations(int *ops,		// O - Operation codes
                int max)		// I - Size of array
{
  int	count = 0,			// Number of operations
	op;				// Current operation
  size_t i;				// Looping var


  for (i = 0; i < sizeof(infra_ops) / sizeof(infra_ops[0]) && count < max; i ++)
    ops[count ++] = (int)infra_ops[i];

  for (op = 1; op < 0x80 && count < max; op ++)
  {
    if (csJobOpsSupports((ipp_op_t)op))
      ops[count ++] = op;
  }

  return (count);
}


//
// 'csIPPAuthorize()' - Check the bearer token and content type of an IPP request.
//
// Called before the body arrives; failures are answered once it is read.
//

void
csIPPAuthorize(cs_request_t *req)	// I - Request
{
  const char	*type = csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE);
					// Content-Type
  const char	*token = csHTTPBearer(req);
					// Bearer token
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  bool		valid;			// Token valid?


  if (req->server->profile_pwg && !req->compat && !(token && csHTTPIsAdmin(req)))
  {
    // --profile pwg (pwg.c): HTTP Basic or nothing; device tokens mean
    // nothing here, the output device is named by output-device-uuid.
    if (!csPWGAuthorize(req))
      return;
  }
  else if (!token && req->compat)
  {
    // Conformance port (--ipptool-listen): the device named in the path.
    const char *id = !strncmp(req->path, "/printers/", 10) ? req->path + 10 : "";
					// Device id

    csTenantLock(tenant);
    valid = csTenantFindDevice(tenant, id) != NULL;
    csTenantUnlock(tenant);

    if (!valid)
    {
      req->http_error = MHD_HTTP_NOT_FOUND;
      req->error_desc = strdup("no such device: use /printers/<registered device id>");
      return;
    }

    snprintf(req->device, sizeof(req->device), "%s", id);
  }
  else if (!token)
  {
    req->http_error = MHD_HTTP_UNAUTHORIZED;
    req->error_desc = strdup("missing bearer token");
    return;
  }
  else if (csHTTPIsAdmin(req))
  {
    req->is_admin = true;
  }
  else
  {
    csTenantLock(tenant);
    valid = csTenantCheckToken(tenant, token, req->device, sizeof(req->device));
    csTenantUnlock(tenant);

    if (!valid)
    {
      req->http_error = MHD_HTTP_UNAUTHORIZED;
      req->error_desc = strdup("invalid or expired access token");
      return;
    }
  }

  if (!type || strncasecmp(type, "application/ipp", 15) || (type[15] && type[15] != ';' && type[15] != ' '))
  {
    req->http_error = MHD_HTTP_BAD_REQUEST;
    req->error_desc = strdup("Content-Type must be application/ipp");
  }
}


//
// 'csIPPCopyRequested()' - Copy the attributes named by requested-attributes.
//
// "defaults" is a space-separated list used when the request has no
// requested-attributes (NULL copies everything).
//

void
csIPPCopyRequested(ipp_t      *dst,	// I - Destination
                   ipp_t      *src,	// I - Source (one group)
                   ipp_t      *request,	// I - Request
                   const char *defaults)// I - Default names or `NULL`
{
  filter_t	filter;			// Filter


  filter.requested = ippFindAttribute(request, "requested-attributes", IPP_TAG_KEYWORD);
  filter.defaults  = defaults;

  ippCopyAttributes(dst, src, 0, (ipp_copycb_t)copy_cb, &filter);
}


//
// 'csIPPHandle()' - Answer a complete IPP request.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csIPPHandle(cs_request_t *req)		// I - Request
{
  ipp_t		*request = req->ipp,	// Request
		*response;		// Response
  int		docfd = -1;		// Document to send after the response
  enum MHD_Result ret;			// Result
  cs_fault_t	broken;			// commit/nocommit fault that fired
  bool		damaged = false;	// Damage the answer (broken)?


  if (!request)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "malformed IPP request"));

  req->opname = ippOpString(ippGetOperation(request));

  if ((response = check_request(request)) == NULL && req->server->profile_pwg && !req->is_admin && !req->compat)
    response = csPWGCheckRequest(request);

  if (response == NULL)
  {
    ipp_op_t	op = ippGetOperation(request);
					// Operation
    char	id[256];		// Printer id
    cs_fault_t	fault;			// Injected fault

    if (csFaultTake(req->server, "nocommit", "ipp", (int)op, &broken))
    {
      // Not carried out; the answer a successful operation without job or
      // printer groups would give, about to be damaged.
      response = csIPPResponse(request, IPP_STATUS_OK, NULL);
      damaged  = true;
    }
    else if (csFaultTake(req->server, "ipp-busy", "ipp", (int)op, &fault))
    {
      response = csIPPResponse(request, IPP_STATUS_ERROR_BUSY, "Service busy (injected fault).");
    }
    else if (req->is_admin)
    {
      // The admin token stands for users and the printer administrator.
      if (op == IPP_OP_PRINT_JOB)
        response = csIPPPrintJob(req, request);
      else if (op == IPP_OP_GET_PRINTER_ATTRIBUTES && csIPPPrinterId(request, id, sizeof(id)) == 1)
        response = get_printer_attributes(req, request, id);
      else if (csJobOpsSupports(op))
        response = csJobOpsHandle(req, request);
      else if (op == IPP_OP_GET_NOTIFICATIONS || op == IPP_OP_RENEW_SUBSCRIPTION || op == IPP_OP_CANCEL_SUBSCRIPTION)
      {
        // Job subscriptions made with the admin token belong to "admin".
        csTenantLock(req->server->tenant);
        response = csNotifyHandle(req->server, req->server->tenant, "admin", request);
        csTenantUnlock(req->server->tenant);
      }
      else
        response = csIPPResponse(request, IPP_STATUS_ERROR_FORBIDDEN, "Output device operations need a device token.");
    }
    else if (op == IPP_OP_GET_PRINTER_ATTRIBUTES && req->server->profile_pwg && !req->compat)
    {
      // --profile pwg: the Infrastructure Printer is where jobs are held.
      if (csIPPPrinterId(request, id, sizeof(id)) != 1 || strcmp(id, "infra"))
        response = csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "printer-uri is not this Infrastructure Printer (ipps://HOST:PORT/printers/infra).");
      else
        response = get_printer_attributes(req, request, CS_PULL_ID);
    }
    else if (op == IPP_OP_GET_PRINTER_ATTRIBUTES)
    {
      int	status = csIPPPrinterId(request, id, sizeof(id));
					// printer-uri check

      if (status == 0)
        response = csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing printer-uri.");
      else if (status < 0 || strcasecmp(id, req->device))
        response = csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "printer-uri is not this device.");
      else
        response = get_printer_attributes(req, request, req->device);
    }
    else if (op == IPP_OP_PRINT_JOB)
    {
      response = csIPPResponse(request, IPP_STATUS_ERROR_FORBIDDEN, "Devices cannot submit jobs.");
    }
    else if (csJobOpsSupports(op))
    {
      response = csJobOpsHandle(req, request);
    }
    else
    {
      response = csInfraHandle(req, request, &docfd);
    }

    // Faults on the way back: only answers of operations that really
    // happened (successful status) are damaged after a commit.
    if (!damaged && ippGetStatusCode(response) < IPP_STATUS_REDIRECTION_OTHER_SITE && csFaultTake(req->server, "commit", "ipp", (int)op, &broken))
      damaged = true;

    if (!damaged && op == IPP_OP_GET_JOBS && ippGetStatusCode(response) < IPP_STATUS_REDIRECTION_OTHER_SITE && csFaultTake(req->server, "dup-groups", "ipp", (int)op, &fault))
    {
      ipp_t *dup = csFaultDupGroups(response, &fault);
					// Answer with repeated groups

      csLog(req->server, 0, "fault %d: Get-Jobs job groups repeated %d times%s", fault.id, fault.repeat, fault.no_job_id ? ", without job-id" : "");
      ippDelete(response);
      response = dup;
    }

    if (!damaged && docfd >= 0 && (csFaultTake(req->server, "doc-short", "ipp", (int)op, &fault) || csFaultTake(req->server, "doc-cut", "ipp", (int)op, &fault)))
    {
      struct stat info;			// Document file information

      req->drop_bytes = fault.bytes;
      if (req->drop_bytes < 0)
        req->drop_bytes = fstat(docfd, &info) ? 0 : (long)(info.st_size / 2);
      req->drop_close = !strcmp(fault.kind, "doc-cut");
      req->doc_length = !fault.chunked;
      csLog(req->server, 0, "fault %d: %s after %ld document bytes (%s)", fault.id, fault.kind, req->drop_bytes, fault.chunked ? "chunked" : "Content-Length");
    }

    if (!damaged && docfd >= 0 && csFaultTake(req->server, "doc-stall", "ipp", (int)op, &fault))
    {
      struct stat info;			// Document file information

      req->stall_bytes   = fault.bytes;
      if (req->stall_bytes < 0)
        req->stall_bytes = fstat(docfd, &info) ? 0 : (long)(info.st_size / 2);
      req->stall_seconds = fault.seconds;
      csLog(req->server, 0, "fault %d: doc-stall for %d s after %ld document bytes", fault.id, fault.seconds, req->stall_bytes);
    }

    if (!damaged && csFaultTake(req->server, "trickle", "ipp", (int)op, &fault))
    {
      req->rate = fault.rate;
      csLog(req->server, 0, "fault %d: %s answer trickles at %ld bytes/s", fault.id, ippOpString(op), fault.rate);
    }
  }

  req->ipp_status     = ippGetStatusCode(response);
  req->has_ipp_status = true;

  if (damaged)
    ret = csFaultAnswer(req, &broken, request, response, docfd);
  else
    ret = csHTTPRespondIPP(req, response, docfd);
  ippDelete(response);

  return (ret);
}


//
// 'csIPPResponse()' - Make a response for a request.
//

ipp_t *					// O - Response
csIPPResponse(ipp_t        *request,	// I - Request
              ipp_status_t status,	// I - Status code
              const char   *message)	// I - status-message or `NULL`
{
  ipp_t			*response = ippNew();
					// Response
  int			major,		// Major version
			minor;		// Minor version
  ipp_attribute_t	*attr;		// Natural language


  major = ippGetVersion(request, &minor);
  if (major < 1 || major > 2)
  {
    major = 1;
    minor = 1;
  }

  ippSetVersion(response, major, minor);
  ippSetRequestId(response, ippGetRequestId(request));
  ippSetStatusCode(response, status);

  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", NULL, "utf-8");
  attr = ippFindAttribute(request, "attributes-natural-language", IPP_TAG_LANGUAGE);
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", NULL, attr ? ippGetString(attr, 0, NULL) : "en");

  if (message)
    ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", NULL, message);

  return (response);
}


//
// 'csIPPUserUPN()' - Get the UPN from requesting-user-uri (mailto:UPN).
//
// Returns NULL when absent ("*present" false) or not a mailto: URI with a
// non-empty address ("*present" true).
//

const char *				// O - UPN or `NULL`
csIPPUserUPN(ipp_t *request,		// I - Request
             bool  *present)		// O - Attribute present?
{
  ipp_attribute_t	*attr;		// requesting-user-uri
  const char		*uri;		// Value


  attr     = ippFindAttribute(request, "requesting-user-uri", IPP_TAG_ZERO);
  *present = attr != NULL;

  if (!attr || ippGetGroupTag(attr) != IPP_TAG_OPERATION || ippGetValueTag(attr) != IPP_TAG_URI || ippGetCount(attr) != 1)
    return (NULL);

  if ((uri = ippGetString(attr, 0, NULL)) == NULL || strncasecmp(uri, "mailto:", 7) || !uri[7] || !strchr(uri + 7, '@'))
    return (NULL);

  return (uri + 7);
}


//
// 'csIPPWantsDocument()' - Should the data after the IPP header be kept?
//

bool					// O - `true` for Print-Job/Send-Document from the admin
csIPPWantsDocument(cs_request_t *req)	// I - Request
{
  ipp_op_t op = ippGetOperation(req->ipp);
					// Operation

  return (req->is_admin && !req->http_error && (op == IPP_OP_PRINT_JOB || op == IPP_OP_SEND_DOCUMENT));
}


//
// 'check_request()' - Check version, request-id and the first attributes.
//
// Returns NULL if the request is fine, otherwise the error response.
//

static ipp_t *				// O - Error response or `NULL`
check_request(ipp_t *request)		// I - Request
{
  ipp_attribute_t	*attr;		// Current attribute
  int			major,		// Major version
			minor;		// Minor version
  const char		*charset;	// Charset value


  major = ippGetVersion(request, &minor);
  if (major < 1 || major > 2)
    return (csIPPResponse(request, IPP_STATUS_ERROR_VERSION_NOT_SUPPORTED, "Only IPP 1.x and 2.x are supported."));

  if (ippGetRequestId(request) <= 0)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Bad request-id."));

  // RFC 8011: attributes-charset then attributes-natural-language come first.
  attr = ippFirstAttribute(request);
  if (!attr || ippGetGroupTag(attr) != IPP_TAG_OPERATION || ippGetValueTag(attr) != IPP_TAG_CHARSET || strcmp(ippGetName(attr), "attributes-charset"))
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "attributes-charset must be the first attribute."));

  charset = ippGetString(attr, 0, NULL);

  attr = ippNextAttribute(request);
  if (!attr || ippGetGroupTag(attr) != IPP_TAG_OPERATION || ippGetValueTag(attr) != IPP_TAG_LANGUAGE || strcmp(ippGetName(attr), "attributes-natural-language"))
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "attributes-natural-language must be the second attribute."));

  if (!charset || (strcasecmp(charset, "utf-8") && strcasecmp(charset, "us-ascii")))
    return (csIPPResponse(request, IPP_STATUS_ERROR_CHARSET, "Unsupported attributes-charset."));

  return (NULL);
}


//
// 'copy_cb()' - Decide whether to copy an attribute (requested-attributes).
//

static int				// O - 1 to copy, 0 to skip
copy_cb(filter_t        *filter,	// I - Filter
        ipp_t           *dst,		// I - Destination (unused)
        ipp_attribute_t *attr)		// I - Attribute
{
  const char	*name = ippGetName(attr);
					// Attribute name
  bool		is_template = false;	// Job template attribute?
  size_t	i;			// Looping var
  int		count;			// Number of requested names


  (void)dst;

  if (!name)
    return (0);

  if (!filter->requested)
  {
    const char	*ptr;			// Pointer into defaults
    size_t	len = strlen(name);	// Length of name

    if (!filter->defaults)
      return (1);

    for (ptr = filter->defaults; (ptr = strstr(ptr, name)) != NULL; ptr += len)
    {
      if ((ptr == filter->defaults || ptr[-1] == ' ') && (ptr[len] == ' ' || !ptr[len]))
        return (1);
    }

    return (0);
  }

  for (i = 0; i < sizeof(job_template) / sizeof(job_template[0]); i ++)
  {
    if (!strcmp(name, job_template[i]))
    {
      is_template = true;
      break;
    }
  }

  count = ippGetCount(filter->requested);

  for (i = 0; i < (size_t)count; i ++)
  {
    const char *want = ippGetString(filter->requested, (int)i, NULL);
					// Requested name

    if (!want)
      continue;

    if (!strcmp(want, "all") || !strcmp(want, name))
      return (1);
    if (!strcmp(want, "job-template") && is_template && ippGetGroupTag(attr) == IPP_TAG_JOB)
      return (1);
    if (!strcmp(want, "job-description") && !is_template && ippGetGroupTag(attr) == IPP_TAG_JOB)
      return (1);
    if (!strcmp(want, "printer-description") && ippGetGroupTag(attr) == IPP_TAG_PRINTER)
      return (1);
  }

  return (0);
}


//
// 'get_printer_attributes()' - Answer Get-Printer-Attributes.
//
// Protocol attributes come first; attributes the device reported with
// Update-Output-Device-Attributes fill in the rest.
//

static ipp_t *				// O - Response
get_printer_attributes(
    cs_request_t *req,			// I - Request
    ipp_t        *request,		// I - Request message
    const char   *printer)		// I - Printer id (device or pull printer)
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  ipp_t		*response,		// Response
		*attrs = ippNew();	// All attributes
  cs_device_t	*dev;			// Device
  cs_pull_t	*pull;			// Pull printer


  csTenantLock(tenant);

  dev  = csTenantFindDevice(tenant, printer);
  pull = dev ? NULL : csTenantFindPull(tenant, printer);

  if (!dev && !pull)
  {
    csTenantUnlock(tenant);
    ippDelete(attrs);
    return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "No such printer."));
  }

  csTenantUnlock(tenant);

  csIPPPrinterAttrs(server, printer, attrs);


  response = csIPPResponse(request, IPP_STATUS_OK, NULL);
  csIPPCopyRequested(response, attrs, request, NULL);
  ippDelete(attrs);

  return (response);
}


//
// 'csIPPPrintJob()' - Create a job from an admin Print-Job (the user's submission).
//
// printer-uri names the pull printer (a held job) or a registered device (a
// direct job); requesting-user-uri names the owner.
//

ipp_t *					// O - Response
csIPPPrintJob(cs_request_t *req,	// I - Request
              ipp_t        *request)	// I - Request message
{
  cs_tenant_t		*tenant = req->server->tenant;
					// Tenant
  char			id[256];	// Printer id
  const char		*upn,		// Owner
			*name,		// Job name
			*format = "application/octet-stream",
					// Document format
			*sides = NULL,	// sides
			*media = NULL,	// media
			*color = NULL;	// print-color-mode
  bool			present;	// requesting-user-uri present?
  bool			held;		// Held on a pull printer?
  int			copies = 1;	// copies
  ipp_attribute_t	*attr;		// Attribute
  cs_job_t		*job;		// New job
  ipp_t			*response;	// Response
  ipp_t			*attrs;		// Job attributes
  cs_device_t		*dev = NULL;	// Target device
  int			limit,		// Limit hit
			retry;		// Retry-After


  if (csIPPPrinterId(request, id, sizeof(id)) != 1)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing or bad printer-uri."));

  if ((upn = csIPPUserUPN(request, &present)) == NULL)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "requesting-user-uri mailto:UPN is required."));

  if ((attr = ippFindAttribute(request, "job-name", IPP_TAG_NAME)) != NULL)
    name = ippGetString(attr, 0, NULL);
  else if ((attr = ippFindAttribute(request, "document-name", IPP_TAG_NAME)) != NULL)
    name = ippGetString(attr, 0, NULL);
  else
    name = "Untitled";

  if ((attr = ippFindAttribute(request, "document-format", IPP_TAG_MIMETYPE)) != NULL)
    format = ippGetString(attr, 0, NULL);

  if ((attr = ippFindAttribute(request, "copies", IPP_TAG_ZERO)) != NULL)
  {
    if (ippGetValueTag(attr) != IPP_TAG_INTEGER || ippGetCount(attr) != 1 || (copies = ippGetInteger(attr, 0)) < 1 || copies > 9999)
      return (csIPPResponse(request, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Bad copies."));
  }

  if ((attr = ippFindAttribute(request, "sides", IPP_TAG_KEYWORD)) != NULL)
    sides = ippGetString(attr, 0, NULL);
  if ((attr = ippFindAttribute(request, "media", IPP_TAG_ZERO)) != NULL && (ippGetValueTag(attr) == IPP_TAG_KEYWORD || ippGetValueTag(attr) == IPP_TAG_NAME))
    media = ippGetString(attr, 0, NULL);
  if ((attr = ippFindAttribute(request, "print-color-mode", IPP_TAG_KEYWORD)) != NULL)
    color = ippGetString(attr, 0, NULL);

  if (!req->docpath || req->doclen == 0)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "No document data."));

  if (req->doc_failed)
    return (csIPPResponse(request, req->doclen > CS_MAX_DOCUMENT ? IPP_STATUS_ERROR_REQUEST_ENTITY : IPP_STATUS_ERROR_INTERNAL, "Unable to store the document."));

  csTenantLock(tenant);

  if (csTenantFindPull(tenant, id))
    held = true;
  else if ((dev = csTenantFindDevice(tenant, id)) != NULL)
    held = false;
  else
  {
    csTenantUnlock(tenant);
    return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "No such printer."));
  }

  if (!held && (dev->disabled || dev->shutdown))
  {
    csTenantUnlock(tenant);
    return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS, "The printer is not accepting jobs."));
  }

  if (!csTenantMayPrint(tenant, id, NULL, upn))
  {
    csTenantUnlock(tenant);
    return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "The user may not print to this printer."));
  }

  // Service limits (documented in upa-cloudsim(8)): the 10-minute rate is
  // transient (server-error-busy), too many active jobs is
  // server-error-too-many-jobs.
  if ((limit = csTenantCheckLimits(req->server, id, upn, &retry)) != 0)
  {
    csTenantUnlock(tenant);
    return (csIPPResponse(request, limit == 1 ? IPP_STATUS_ERROR_BUSY : IPP_STATUS_ERROR_TOO_MANY_JOBS, limit == 1 ? "Too many jobs for this printer in 10 minutes." : "Too many active jobs."));
  }

  if ((job = csTenantAddJob(tenant, req->docid, id, held, upn, name, format, req->docpath, req->doclen)) == NULL)
  {
    csTenantUnlock(tenant);
    return (csIPPResponse(request, IPP_STATUS_ERROR_INTERNAL, "Out of memory."));
  }

  job->copies = copies;
  csJobSetString(&job->sides, sides);
  csJobSetString(&job->media, media);
  csJobSetString(&job->color_mode, color);

  // The job owns the document file now.
  free(req->docpath);
  req->docpath = NULL;

  attrs = ippNew();
  csIPPAddJobAttrs(req->server, job, attrs);
  csTenantUnlock(tenant);

  response = csIPPResponse(request, IPP_STATUS_OK, NULL);
  csIPPCopyRequested(response, attrs, request, "job-id job-uri job-state job-state-reasons");
  ippDelete(attrs);

  return (response);
}


//
// 'csIPPPrinterId()' - Get the printer id from printer-uri (ipps://HOST/printers/ID).
//
// Any host and port are accepted; only the path identifies the printer.
//

int					// O - 1 = found, 0 = missing, -1 = malformed
csIPPPrinterId(ipp_t  *request,		// I - Request
               char   *id,		// O - Printer id
               size_t idsize)		// I - Size of id buffer
{
  ipp_attribute_t	*attr;		// printer-uri
  char			scheme[32],	// URI scheme
			userpass[256],	// URI user:pass
			host[256],	// URI host
			resource[1024];	// URI path
  int			port;		// URI port


  *id = '\0';

  if ((attr = ippFindAttribute(request, "printer-uri", IPP_TAG_ZERO)) == NULL || ippGetGroupTag(attr) != IPP_TAG_OPERATION)
    return (0);

  if (ippGetValueTag(attr) != IPP_TAG_URI || ippGetCount(attr) != 1)
    return (-1);

  if (httpSeparateURI(HTTP_URI_CODING_ALL, ippGetString(attr, 0, NULL), scheme, sizeof(scheme), userpass, sizeof(userpass), host, sizeof(host), &port, resource, sizeof(resource)) < HTTP_URI_STATUS_OK)
    return (-1);

  if (strcmp(scheme, "ipps") || strncmp(resource, "/printers/", 10) || !resource[10] || strchr(resource + 10, '/') || strlen(resource + 10) >= idsize)
    return (-1);

  snprintf(id, idsize, "%s", resource + 10);

  return (1);
}
