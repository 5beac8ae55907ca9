//
// IPP INFRA operations (PWG 5100.18) for upa-cloudsim: Get-Jobs, Fetch-Job,
// Acknowledge-Job, Fetch-Document, Acknowledge-Document, Update-Job-Status,
// Update-Document-Status, Update-Active-Jobs, Update-Output-Device-Attributes,
// Get-Output-Device-Attributes, Deregister-Output-Device and the subscription
// operations (notify.c), with Universal Print's semantics where they are known
// (protocol.md §4, §5, §8, §12).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Visibility rules:
//   - a direct job (submitted to a device) is seen only by that device;
//   - a held job (on a pull printer, or on a share that holds jobs) is seen
//     by member devices only while its owner is on the access list, and only
//     when the request names the owner (requesting-user-uri, and my-jobs=true
//     for Get-Jobs), or once that device has acknowledged it;
//   - after Acknowledge-Job only the bound device may fetch the document
//     or update the job.
//

#include "cloudsim.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


//
// Local types...
//

typedef struct infra_s			// One INFRA request being answered
{
  cs_request_t	*req;			// HTTP request
  cs_server_t	*server;		// Server
  cs_tenant_t	*tenant;		// Tenant (locked)
  cs_device_t	*dev;			// Calling device
  ipp_t		*request;		// Request message
  const char	*upn;			// requesting-user-uri UPN or `NULL`
} infra_t;


//
// Local functions...
//

static ipp_t	*acknowledge_document(infra_t *ctx);
static ipp_t	*acknowledge_job(infra_t *ctx);
static ipp_t	*deregister_output_device(infra_t *ctx);
static ipp_t	*get_output_device_attributes(infra_t *ctx);
static ipp_t	*update_active_jobs(infra_t *ctx);
static ipp_t	*update_document_status(infra_t *ctx);
static ipp_t	*fetch_document(infra_t *ctx, int *docfd);
static ipp_t	*fetch_job(infra_t *ctx);
static ipp_t	*find_job(infra_t *ctx, cs_job_t **job, bool need_user);
static ipp_t	*get_jobs(infra_t *ctx);
static bool	is_bound_to(cs_job_t *job, cs_device_t *dev);
static ipp_t	*update_job_status(infra_t *ctx);
static ipp_t	*update_output_device_attributes(infra_t *ctx);


//
// 'csInfraHandle()' - Answer an INFRA request from a device.
//

ipp_t *					// O - Response
csInfraHandle(cs_request_t *req,	// I - HTTP request
              ipp_t        *request,	// I - IPP request
              int          *docfd)	// O - Document to send, or -1
{
  ipp_op_t		op = ippGetOperation(request);
					// Operation
  infra_t		ctx;		// Request context
  ipp_attribute_t	*attr;		// Attribute
  const char		*uuid;		// output-device-uuid value
  char			id[256];	// Printer id from printer-uri
  int			status;		// printer-uri check
  bool			present;	// requesting-user-uri present?
  ipp_t			*response;	// Response


  *docfd = -1;

  switch (op)
  {
    case IPP_OP_GET_JOBS :
    case IPP_OP_FETCH_JOB :
    case IPP_OP_ACKNOWLEDGE_JOB :
    case IPP_OP_FETCH_DOCUMENT :
    case IPP_OP_UPDATE_JOB_STATUS :
    case IPP_OP_UPDATE_OUTPUT_DEVICE_ATTRIBUTES :
    case IPP_OP_ACKNOWLEDGE_DOCUMENT :
    case IPP_OP_UPDATE_DOCUMENT_STATUS :
    case IPP_OP_UPDATE_ACTIVE_JOBS :
    case IPP_OP_GET_OUTPUT_DEVICE_ATTRIBUTES :
    case IPP_OP_DEREGISTER_OUTPUT_DEVICE :
    case IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS :
    case IPP_OP_GET_NOTIFICATIONS :
    case IPP_OP_RENEW_SUBSCRIPTION :
    case IPP_OP_CANCEL_SUBSCRIPTION :
        break;

    default :
        return (csIPPResponse(request, IPP_STATUS_ERROR_OPERATION_NOT_SUPPORTED, "Operation not supported."));
  }

  // printer-uri: the caller's own printer.  Microsoft's IppLibrary omits it in
  // Update-Job-Status and the service accepts that.
  status = csIPPPrinterId(request, id, sizeof(id));
  if (req->server->profile_pwg && !req->compat)
  {
    // --profile pwg: one Infrastructure Printer; the output device is named
    // by output-device-uuid (pwg.c).
    const char	*odu;			// output-device-uuid value

    if (status != 1 || strcmp(id, "infra"))
      return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "printer-uri is not this Infrastructure Printer (ipps://HOST:PORT/printers/infra)."));

    if ((attr = ippFindAttribute(request, "output-device-uuid", IPP_TAG_ZERO)) == NULL || (odu = ippGetString(attr, 0, NULL)) == NULL || strncasecmp(odu, "urn:uuid:", 9) || !odu[9] || strlen(odu + 9) >= sizeof(req->device))
      return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing or bad output-device-uuid."));

    snprintf(req->device, sizeof(req->device), "%s", odu + 9);

    // A new output device introduces itself with Update-Output-Device-Attributes.
    csTenantLock(req->server->tenant);
    if (!csTenantFindDevice(req->server->tenant, req->device))
    {
      if (op == IPP_OP_UPDATE_OUTPUT_DEVICE_ATTRIBUTES)
      {
        if (csTenantAddOutputDevice(req->server->tenant, req->device, NULL))
          csLog(req->server, 1, "output device %s introduced itself", req->device);
      }
      else
      {
        csTenantUnlock(req->server->tenant);
        return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "Unknown output device: introduce it with Update-Output-Device-Attributes first."));
      }
    }
    csTenantUnlock(req->server->tenant);
  }
  else
  {
    if (status == 0 && op != IPP_OP_UPDATE_JOB_STATUS)
      return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing printer-uri."));
    if (status < 0 || (status == 1 && strcasecmp(id, req->device)))
      return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "printer-uri is not this device."));
  }

  // output-device-uuid: Microsoft's code sends it as uri, charset or text.
  // The subscription operations are printer operations and may omit it.
  if ((attr = ippFindAttribute(request, "output-device-uuid", IPP_TAG_ZERO)) == NULL && (op == IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS || op == IPP_OP_GET_NOTIFICATIONS || op == IPP_OP_RENEW_SUBSCRIPTION || op == IPP_OP_CANCEL_SUBSCRIPTION))
  {
    csTenantLock(req->server->tenant);
    response = csTenantFindDevice(req->server->tenant, req->device) ? csNotifyHandle(req->server, req->server->tenant, req->device, request) : csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "Device is no longer registered.");
    csTenantUnlock(req->server->tenant);
    return (response);
  }

  // On the conformance port Get-Jobs (an RFC 8011 operation) may omit
  // output-device-uuid, as the PWG reference server allows: the path names
  // the device.  The bearer-token endpoint stays strict.
  if (!attr && op == IPP_OP_GET_JOBS && req->compat)
    uuid = NULL;
  else if (!attr || ippGetGroupTag(attr) != IPP_TAG_OPERATION)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing output-device-uuid."));
  else if ((ippGetValueTag(attr) != IPP_TAG_URI && ippGetValueTag(attr) != IPP_TAG_CHARSET && ippGetValueTag(attr) != IPP_TAG_TEXT) || ippGetCount(attr) != 1 || (uuid = ippGetString(attr, 0, NULL)) == NULL)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Bad output-device-uuid."));

  if (uuid && (strncasecmp(uuid, "urn:uuid:", 9) || strcasecmp(uuid + 9, req->device)))
  {
    csLog(req->server, 1, "output-device-uuid \"%s\" is not urn:uuid:%s", uuid, req->device);
    return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "output-device-uuid is not this device."));
  }

  ctx.req     = req;
  ctx.server  = req->server;
  ctx.tenant  = req->server->tenant;
  ctx.request = request;

  if ((ctx.upn = csIPPUserUPN(request, &present)) == NULL && present)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "requesting-user-uri must be mailto:UPN."));

  csTenantLock(ctx.tenant);

  if ((ctx.dev = csTenantFindDevice(ctx.tenant, req->device)) == NULL)
  {
    response = csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "Device is no longer registered.");
  }
  else if (ctx.dev->deregistered && op != IPP_OP_UPDATE_OUTPUT_DEVICE_ATTRIBUTES)
  {
    response = csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "Output device is deregistered; send Update-Output-Device-Attributes first.");
  }
  else
  {
    switch (op)
    {
      case IPP_OP_GET_JOBS :
          response = get_jobs(&ctx);
          break;
      case IPP_OP_FETCH_JOB :
          response = fetch_job(&ctx);
          break;
      case IPP_OP_ACKNOWLEDGE_JOB :
          response = acknowledge_job(&ctx);
          break;
      case IPP_OP_FETCH_DOCUMENT :
          response = fetch_document(&ctx, docfd);
          break;
      case IPP_OP_UPDATE_JOB_STATUS :
          response = update_job_status(&ctx);
          break;
      case IPP_OP_ACKNOWLEDGE_DOCUMENT :
          response = acknowledge_document(&ctx);
          break;
      case IPP_OP_UPDATE_DOCUMENT_STATUS :
          response = update_document_status(&ctx);
          break;
      case IPP_OP_UPDATE_ACTIVE_JOBS :
          response = update_active_jobs(&ctx);
          break;
      case IPP_OP_GET_OUTPUT_DEVICE_ATTRIBUTES :
          response = get_output_device_attributes(&ctx);
          break;
      case IPP_OP_DEREGISTER_OUTPUT_DEVICE :
          response = deregister_output_device(&ctx);
          break;
      case IPP_OP_UPDATE_OUTPUT_DEVICE_ATTRIBUTES :
          response = update_output_device_attributes(&ctx);
          break;
      default :
          response = csNotifyHandle(ctx.server, ctx.tenant, ctx.dev->id, request);
          break;
    }
  }

  csTenantUnlock(ctx.tenant);

  return (response);
}


//
// 'acknowledge_job()' - Bind a fetchable job to the calling device.
//
// A fetch-status-code other than successful-ok means the device declines the
// job: it is recorded and the job stays fetchable.
//

static ipp_t *				// O - Response
acknowledge_job(infra_t *ctx)		// I - Request context
{
  cs_job_t		*job;		// Job
  ipp_t			*response;	// Error response
  ipp_attribute_t	*attr;		// Attribute
  const char		*message = NULL;// fetch-status-message


  cs_fault_t		fault;		// Injected fault


  if ((response = find_job(ctx, &job, true)) != NULL)
    return (response);

  // Injected race: another printer released the job since Get-Jobs.
  if (!job->acquired_by[0] && csJobIsFetchable(job) && csFaultTake(ctx->server, "steal", "ipp", IPP_OP_ACKNOWLEDGE_JOB, &fault))
  {
    snprintf(job->acquired_by, sizeof(job->acquired_by), "%s", CS_PHANTOM_ID);
    job->acknowledged = time(NULL);
    job->fetchable    = false;
    csJobAddEvent(job, "acknowledged", CS_PHANTOM_ID, "released at another printer (injected)");
  }

  if ((job->acquired_by[0] && !is_bound_to(job, ctx->dev)) || !csJobIsFetchable(job))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FETCHABLE, "Job is not fetchable."));

  if ((attr = ippFindAttribute(ctx->request, "fetch-status-message", IPP_TAG_ZERO)) != NULL && (ippGetValueTag(attr) == IPP_TAG_TEXT || ippGetValueTag(attr) == IPP_TAG_TEXTLANG))
    message = ippGetString(attr, 0, NULL);

  if ((attr = ippFindAttribute(ctx->request, "fetch-status-code", IPP_TAG_ENUM)) != NULL && ippGetInteger(attr, 0) != IPP_STATUS_OK)
  {
    csJobAddEvent(job, "fetch-declined", ctx->dev->id, message);
    return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
  }

  snprintf(job->acquired_by, sizeof(job->acquired_by), "%s", ctx->dev->id);
  job->acknowledged = time(NULL);
  job->fetchable    = false;

  csJobAddEvent(job, "acknowledged", ctx->dev->id, message);

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'fetch_document()' - Send the job's document after the response.
//
// Universal Print allows the owner to fetch before Acknowledge-Job (preview);
// --strict-ack-first rejects that like the PWG reference server.
//

static ipp_t *				// O - Response
fetch_document(infra_t *ctx,		// I - Request context
               int     *docfd)		// O - Document file
{
  cs_job_t		*job;		// Job
  ipp_t			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  bool			bound;		// Bound to the caller?
  int			fd;		// Document file


  if ((attr = ippFindAttribute(ctx->request, "document-number", IPP_TAG_ZERO)) == NULL || ippGetValueTag(attr) != IPP_TAG_INTEGER || ippGetCount(attr) != 1)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing or bad document-number."));

  if ((response = find_job(ctx, &job, false)) != NULL)
    return (response);

  bound = is_bound_to(job, ctx->dev);

  if (!bound)
  {
    if (job->held && !ctx->upn)
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "requesting-user-uri of the job owner is required."));

    if (job->acquired_by[0])
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is assigned to another output device."));

    if (ctx->server->strict_ack_first)
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Acknowledge-Job first."));
  }

  if ((!bound && !csJobIsFetchable(job)) || csJobIsTerminal(job))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FETCHABLE, "Job is not fetchable."));

  if (ippGetInteger(attr, 0) != 1)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such document."));

  if ((attr = ippFindAttribute(ctx->request, "document-format-accepted", IPP_TAG_MIMETYPE)) != NULL)
  {
    int	i,				// Looping var
	count = ippGetCount(attr);	// Number of values

    for (i = 0; i < count; i ++)
    {
      const char *format = ippGetString(attr, i, NULL);
					// Accepted format

      if (format && (!strcasecmp(format, job->format) || !strcasecmp(format, "application/octet-stream")))
        break;
    }

    // No conversion service here: say so instead of sending the wrong format.
    if (i >= count)
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, "Document format not accepted."));
  }

  if ((fd = open(job->docpath, O_RDONLY | O_CLOEXEC)) < 0)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_INTERNAL, "Document is unavailable."));

  csJobAddEvent(job, "document-fetched", ctx->dev->id, NULL);

  {
    cs_fault_t	fault;			// Injected fault

    if (csFaultTake(ctx->server, "drop", "ipp", IPP_OP_FETCH_DOCUMENT, &fault))
    {
      ctx->req->drop_bytes = fault.bytes;
      ctx->req->drop_close = true;
    }
  }

  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "compression", NULL, "none");
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, job->format);
  ippAddInteger(response, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "document-number", 1);

  *docfd = fd;

  return (response);
}


//
// 'fetch_job()' - Return a job's attributes.
//
// Allowed whatever the job state, so the device can see canceled jobs.
//

static ipp_t *				// O - Response
fetch_job(infra_t *ctx)			// I - Request context
{
  cs_job_t	*job;			// Job
  ipp_t		*response,		// Response
		*attrs;			// Job attributes


  if ((response = find_job(ctx, &job, true)) != NULL)
    return (response);

  if (job->acquired_by[0] && !is_bound_to(job, ctx->dev))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is assigned to another output device."));

  attrs = ippNew();
  csIPPAddJobAttrs(ctx->server, job, attrs);

  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
  csIPPCopyRequested(response, attrs, ctx->request, NULL);
  ippDelete(attrs);

  return (response);
}


//
// 'find_job()' - Look up job-id and check that the caller may see it.
//
// "need_user" requires the owner's requesting-user-uri for held jobs.
//

static ipp_t *				// O - Error response or `NULL`
find_job(infra_t  *ctx,			// I - Request context
         cs_job_t **job,		// O - Job
         bool     need_user)		// I - Owner required for held jobs?
{
  ipp_attribute_t	*attr;		// job-id


  *job = NULL;

  if ((attr = ippFindAttribute(ctx->request, "job-id", IPP_TAG_ZERO)) == NULL || ippGetGroupTag(attr) != IPP_TAG_OPERATION || ippGetValueTag(attr) != IPP_TAG_INTEGER || ippGetCount(attr) != 1)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing or bad job-id."));

  if ((*job = csTenantFindJob(ctx->tenant, ippGetInteger(attr, 0))) == NULL)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such job."));

  if (!csJobVisibleTo(ctx->tenant, *job, ctx->dev))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such job."));

  if ((*job)->held && !is_bound_to(*job, ctx->dev) && (ctx->upn ? strcasecmp(ctx->upn, (*job)->user) != 0 : need_user))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "requesting-user-uri is not the job owner."));

  return (NULL);
}


//
// 'get_jobs()' - List the jobs this device may see.
//

static ipp_t *				// O - Response
get_jobs(infra_t *ctx)			// I - Request context
{
  ipp_attribute_t	*attr;		// Attribute
  const char		*which = "not-completed";
					// which-jobs (RFC 8011 default)
  bool			my_jobs = false;// my-jobs
  int			limit = 0;	// limit, 0 = none
  int			count = 0;	// Jobs returned
  size_t		i;		// Looping var
  ipp_t			*response;	// Response


  if ((attr = ippFindAttribute(ctx->request, "which-jobs", IPP_TAG_ZERO)) != NULL)
  {
    which = ippGetValueTag(attr) == IPP_TAG_KEYWORD ? ippGetString(attr, 0, NULL) : "";

    if (!which || (strcmp(which, "fetchable") && strcmp(which, "not-completed") && strcmp(which, "completed") && strcmp(which, "all")))
    {
      response = csIPPResponse(ctx->request, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Unsupported which-jobs.");
      attr     = ippCopyAttribute(response, attr, 0);
      ippSetGroupTag(response, &attr, IPP_TAG_UNSUPPORTED_GROUP);
      return (response);
    }
  }

  if ((attr = ippFindAttribute(ctx->request, "my-jobs", IPP_TAG_BOOLEAN)) != NULL)
    my_jobs = ippGetBoolean(attr, 0) != 0;

  if ((attr = ippFindAttribute(ctx->request, "limit", IPP_TAG_INTEGER)) != NULL)
    limit = ippGetInteger(attr, 0);

  if (my_jobs && !ctx->upn)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "my-jobs needs requesting-user-uri."));

  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);

  // A paused printer (Pause-Printer) gets nothing to fetch.
  if (ctx->dev->paused && !strcmp(which, "fetchable"))
    return (response);

  for (i = 0; i < ctx->tenant->num_jobs && (limit <= 0 || count < limit); i ++)
  {
    cs_job_t	*job = ctx->tenant->jobs[i];
					// Job
    bool	mine = my_jobs && !strcasecmp(ctx->upn, job->user);
					// Requested user's job?
    bool	visible;		// Visible to this device?
    ipp_t	*attrs;			// Job attributes

    // Held jobs are revealed only for their owner, or once acknowledged.
    if (!csJobVisibleTo(ctx->tenant, job, ctx->dev))
      visible = false;
    else if (job->held)
      visible = mine || (is_bound_to(job, ctx->dev) && !my_jobs);
    else
      visible = mine || !my_jobs;

    if (!visible)
      continue;

    if (!strcmp(which, "fetchable") ? !csJobIsFetchable(job) : !strcmp(which, "not-completed") ? csJobIsTerminal(job) : !strcmp(which, "completed") ? !csJobIsTerminal(job) : false)
      continue;

    attrs = ippNew();
    csIPPAddJobAttrs(ctx->server, job, attrs);

    ippAddSeparator(response);
    csIPPCopyRequested(response, attrs, ctx->request, "job-id job-uri");
    ippDelete(attrs);

    count ++;
  }

  return (response);
}


//
// 'is_bound_to()' - Has the device acknowledged the job?
//

static bool				// O - `true` if bound to dev
is_bound_to(cs_job_t    *job,		// I - Job
            cs_device_t *dev)		// I - Device
{
  return (job->acquired_by[0] && !strcasecmp(job->acquired_by, dev->id));
}


//
// 'update_job_status()' - Apply the device's job status.
//
// Only the bound device may update; a job in a terminal state cannot change
// any more (Universal Print answers server-error-internal-error).
//

static ipp_t *				// O - Response
update_job_status(infra_t *ctx)		// I - Request context
{
  cs_job_t		*job;		// Job
  ipp_t			*response;	// Response
  ipp_attribute_t	*attr,		// Current attribute
			*state = NULL,	// output-device-job-state
			*reasons = NULL,// output-device-job-state-reasons
			*message = NULL,// output-device-job-state-message
			*impressions = NULL;
					// job-impressions-completed
  ipp_attribute_t	*bad = NULL;	// Unsupported value


  if ((response = find_job(ctx, &job, false)) != NULL)
    return (response);

  if (!is_bound_to(job, ctx->dev))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is not assigned to this output device."));

  if (csJobIsTerminal(job))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_INTERNAL, "Job is already in a terminal state."));

  for (attr = ippFirstAttribute(ctx->request); attr; attr = ippNextAttribute(ctx->request))
  {
    const char *name = ippGetName(attr);// Attribute name

    if (ippGetGroupTag(attr) != IPP_TAG_JOB || !name)
      continue;

    if (!strcmp(name, "output-device-job-state"))
    {
      if (ippGetValueTag(attr) != IPP_TAG_ENUM || ippGetCount(attr) != 1 || ippGetInteger(attr, 0) < IPP_JSTATE_PENDING || ippGetInteger(attr, 0) > IPP_JSTATE_COMPLETED)
        bad = attr;
      else
        state = attr;
    }
    else if (!strcmp(name, "output-device-job-state-reasons"))
    {
      if (ippGetValueTag(attr) != IPP_TAG_KEYWORD)
        bad = attr;
      else
        reasons = attr;
    }
    else if (!strcmp(name, "output-device-job-state-message"))
    {
      if (ippGetValueTag(attr) != IPP_TAG_TEXT && ippGetValueTag(attr) != IPP_TAG_TEXTLANG)
        bad = attr;
      else
        message = attr;
    }
    else if (!strcmp(name, "job-impressions-completed"))
    {
      if (ippGetValueTag(attr) != IPP_TAG_INTEGER || ippGetCount(attr) != 1 || ippGetInteger(attr, 0) < 0)
        bad = attr;
      else
        impressions = attr;
    }
  }

  if (bad)
  {
    response = csIPPResponse(ctx->request, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Bad job status attribute.");
    attr     = ippCopyAttribute(response, bad, 0);
    ippSetGroupTag(response, &attr, IPP_TAG_UNSUPPORTED_GROUP);
    return (response);
  }

  if (!state && !reasons && !message && !impressions)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "No job status attributes."));

  if (state)
    job->state = (ipp_jstate_t)ippGetInteger(state, 0);
  if (reasons)
    csJobSetReasons(job, reasons);
  if (message)
    csJobSetString(&job->message, ippGetString(message, 0, NULL));
  if (impressions)
    job->impressions = ippGetInteger(impressions, 0);

  csJobAddEvent(job, "status", ctx->dev->id, message ? ippGetString(message, 0, NULL) : NULL);

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'update_output_device_attributes()' - Store the device's printer attributes.
//
// Each attribute sent replaces the stored attribute of the same name.
//

static ipp_t *				// O - Response
update_output_device_attributes(
    infra_t *ctx)			// I - Request context
{
  ipp_attribute_t	*attr,		// Request attribute
			*old;		// Stored attribute


  for (attr = ippFirstAttribute(ctx->request); attr; attr = ippNextAttribute(ctx->request))
  {
    const char *name = ippGetName(attr);// Attribute name

    if (ippGetGroupTag(attr) != IPP_TAG_PRINTER || !name)
      continue;

    if ((old = ippFindAttribute(ctx->dev->attrs, name, IPP_TAG_ZERO)) != NULL)
      ippDeleteAttribute(ctx->dev->attrs, old);

    ippCopyAttribute(ctx->dev->attrs, attr, 0);
  }

  ctx->dev->deregistered = false;
  ctx->tenant->dirty     = true;

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'acknowledge_document()' - Acknowledge-Document: the device has the document.
//

static ipp_t *				// O - Response
acknowledge_document(infra_t *ctx)	// I - Request context
{
  cs_job_t		*job;		// Job
  ipp_t			*response;	// Error response
  ipp_attribute_t	*attr;		// Attribute


  if ((attr = ippFindAttribute(ctx->request, "document-number", IPP_TAG_ZERO)) == NULL || ippGetValueTag(attr) != IPP_TAG_INTEGER || ippGetCount(attr) != 1)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing or bad document-number."));

  if ((response = find_job(ctx, &job, false)) != NULL)
    return (response);

  if (!is_bound_to(job, ctx->dev))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is not assigned to this output device."));

  if (ippGetInteger(attr, 0) != 1)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such document."));

  if (csJobIsTerminal(job))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FETCHABLE, "Job is in a terminal state."));

  job->doc_acked = true;
  csJobAddEvent(job, "document-acknowledged", ctx->dev->id, NULL);

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'deregister_output_device()' - Deregister-Output-Device.
//
// The device keeps its registration (as in Universal Print) but stops being
// an output device until it sends Update-Output-Device-Attributes again; its
// subscriptions end.
//

static ipp_t *				// O - Response
deregister_output_device(infra_t *ctx)	// I - Request context
{
  size_t	i;			// Looping var


  for (i = 0; i < ctx->tenant->num_subs;)
  {
    if (!strcasecmp(ctx->tenant->subs[i]->device, ctx->dev->id))
    {
      free(ctx->tenant->subs[i]);
      ctx->tenant->subs[i] = ctx->tenant->subs[-- ctx->tenant->num_subs];
    }
    else
      i ++;
  }

  ctx->dev->deregistered = true;
  ctx->tenant->dirty     = true;

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'get_output_device_attributes()' - Return what the device reported.
//

static ipp_t *				// O - Response
get_output_device_attributes(
    infra_t *ctx)			// I - Request context
{
  ipp_t	*response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
					// Response

  csIPPCopyRequested(response, ctx->dev->attrs, ctx->request, NULL);

  return (response);
}


//
// 'update_active_jobs()' - Reconcile the device's job list with the cloud.
//
// The response lists, in job-ids/output-device-job-states, the jobs whose
// cloud state differs from the device's (with the cloud state) plus active
// jobs bound to the device that it did not mention; unknown ids come back in
// the unsupported group.
//

static ipp_t *				// O - Response
update_active_jobs(infra_t *ctx)	// I - Request context
{
  ipp_attribute_t	*ids,		// job-ids
			*states;	// output-device-job-states
  ipp_t			*response;	// Response
  int			i,		// Looping var
			count,		// Number of ids
			num_diff = 0,	// Differing jobs
			num_unknown = 0;// Unknown jobs
  int			*diff_ids,	// Differing job ids
			*diff_states,	// Their cloud states
			*unknown;	// Unknown ids
  size_t		j;		// Looping var


  ids    = ippFindAttribute(ctx->request, "job-ids", IPP_TAG_ZERO);
  states = ippFindAttribute(ctx->request, "output-device-job-states", IPP_TAG_ZERO);

  if (!ids || !states || ippGetValueTag(ids) != IPP_TAG_INTEGER || ippGetValueTag(states) != IPP_TAG_ENUM || ippGetCount(ids) != ippGetCount(states))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "job-ids and output-device-job-states are required and must have the same count."));

  count       = ippGetCount(ids);
  diff_ids    = calloc((size_t)count + ctx->tenant->num_jobs + 1, sizeof(int));
  diff_states = calloc((size_t)count + ctx->tenant->num_jobs + 1, sizeof(int));
  unknown     = calloc((size_t)count + 1, sizeof(int));

  if (!diff_ids || !diff_states || !unknown)
  {
    free(diff_ids);
    free(diff_states);
    free(unknown);
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_INTERNAL, "Out of memory."));
  }

  for (i = 0; i < count; i ++)
  {
    cs_job_t *job = csTenantFindJob(ctx->tenant, ippGetInteger(ids, i));
					// Job

    if (!job || !is_bound_to(job, ctx->dev))
      unknown[num_unknown ++] = ippGetInteger(ids, i);
    else if ((int)job->state != ippGetInteger(states, i))
    {
      diff_ids[num_diff]      = job->id;
      diff_states[num_diff ++] = (int)job->state;
    }
  }

  for (j = 0; j < ctx->tenant->num_jobs; j ++)
  {
    cs_job_t *job = ctx->tenant->jobs[j];
					// Job

    if (!is_bound_to(job, ctx->dev) || csJobIsTerminal(job))
      continue;

    for (i = 0; i < count && ippGetInteger(ids, i) != job->id; i ++);

    if (i >= count)
    {
      diff_ids[num_diff]      = job->id;
      diff_states[num_diff ++] = (int)job->state;
    }
  }

  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
  if (num_diff > 0)
  {
    ippAddIntegers(response, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-ids", num_diff, diff_ids);
    ippAddIntegers(response, IPP_TAG_OPERATION, IPP_TAG_ENUM, "output-device-job-states", num_diff, diff_states);
  }
  if (num_unknown > 0)
    ippAddIntegers(response, IPP_TAG_UNSUPPORTED_GROUP, IPP_TAG_INTEGER, "job-ids", num_unknown, unknown);

  free(diff_ids);
  free(diff_states);
  free(unknown);

  return (response);
}


//
// 'update_document_status()' - Update-Document-Status from the bound device.
//

static ipp_t *				// O - Response
update_document_status(infra_t *ctx)	// I - Request context
{
  cs_job_t		*job;		// Job
  ipp_t			*response;	// Error response
  ipp_attribute_t	*attr,		// Attribute
			*num;		// document-number
  bool			any = false;	// Any status attribute?


  if ((num = ippFindAttribute(ctx->request, "document-number", IPP_TAG_ZERO)) == NULL || ippGetValueTag(num) != IPP_TAG_INTEGER || ippGetCount(num) != 1)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing or bad document-number."));

  if ((response = find_job(ctx, &job, false)) != NULL)
    return (response);

  if (!is_bound_to(job, ctx->dev))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is not assigned to this output device."));

  if (ippGetInteger(num, 0) != 1)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such document."));

  if (csJobIsTerminal(job))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_INTERNAL, "Job is already in a terminal state."));

  for (attr = ippFirstAttribute(ctx->request); attr; attr = ippNextAttribute(ctx->request))
  {
    const char *name = ippGetName(attr);// Attribute name

    if (ippGetGroupTag(attr) != IPP_TAG_DOCUMENT || !name)
      continue;

    if (!strcmp(name, "output-device-document-state"))
    {
      if (ippGetValueTag(attr) != IPP_TAG_ENUM || ippGetInteger(attr, 0) < IPP_DSTATE_PENDING || ippGetInteger(attr, 0) > IPP_DSTATE_COMPLETED)
      {
        response = csIPPResponse(ctx->request, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Bad output-device-document-state.");
        attr     = ippCopyAttribute(response, attr, 0);
        ippSetGroupTag(response, &attr, IPP_TAG_UNSUPPORTED_GROUP);
        return (response);
      }
      job->doc_state = ippGetInteger(attr, 0);
      any            = true;
    }
    else if (!strcmp(name, "output-device-document-state-reasons") || !strcmp(name, "output-device-document-state-message") || !strcmp(name, "impressions-completed") || !strcmp(name, "media-sheets-completed") || !strcmp(name, "pages-completed"))
      any = true;
  }

  if (!any)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "No document status attributes."));

  csJobAddEvent(job, "document-status", ctx->dev->id, NULL);

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}
