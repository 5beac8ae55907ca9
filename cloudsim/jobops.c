//
// Job, document and printer administration operations for upa-cloudsim:
// the IPP Infrastructure Printer operations PWG 5100.18 §4.6 requires besides
// the INFRA ones (RFC 8011, RFC 3380, RFC 3998, PWG 5100.5/5100.11/5100.13).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Who may do what:
//   - the admin token acts for users (requesting-user-uri names the user; when
//     it is given, job operations are limited to that user's jobs) and for
//     the printer administrator (Pause-Printer, Enable-Printer, ...);
//   - a device token may only use Acknowledge-Identify-Printer,
//     Get-Printer-Supported-Values and the job subscription operations on
//     itself.
// Printer operations target a registered device (printer-uri); job
// submission also accepts pull printers.  Jobs have exactly one document.
// Print-URI and Send-URI accept only "data:" URIs (RFC 2397): the emulator
// has no network access to fetch anything else.
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

typedef struct jctx_s			// Operation context
{
  cs_request_t	*req;			// HTTP request
  cs_server_t	*server;		// Server
  cs_tenant_t	*tenant;		// Tenant (locked while handling)
  ipp_t		*request;		// IPP request
  char		printer[256];		// printer-uri id
  const char	*upn;			// requesting-user-uri UPN or NULL
} jctx_t;


//
// Local globals...
//

static const ipp_op_t job_ops[] =	// Operations implemented here
{
  IPP_OP_PRINT_URI,
  IPP_OP_VALIDATE_JOB,
  IPP_OP_CREATE_JOB,
  IPP_OP_SEND_DOCUMENT,
  IPP_OP_SEND_URI,
  IPP_OP_CANCEL_JOB,
  IPP_OP_GET_JOB_ATTRIBUTES,
  IPP_OP_HOLD_JOB,
  IPP_OP_RELEASE_JOB,
  IPP_OP_PAUSE_PRINTER,
  IPP_OP_RESUME_PRINTER,
  IPP_OP_SET_PRINTER_ATTRIBUTES,
  IPP_OP_SET_JOB_ATTRIBUTES,
  IPP_OP_GET_PRINTER_SUPPORTED_VALUES,
  IPP_OP_CREATE_JOB_SUBSCRIPTIONS,
  IPP_OP_GET_SUBSCRIPTION_ATTRIBUTES,
  IPP_OP_GET_SUBSCRIPTIONS,
  IPP_OP_ENABLE_PRINTER,
  IPP_OP_DISABLE_PRINTER,
  IPP_OP_PAUSE_PRINTER_AFTER_CURRENT_JOB,
  IPP_OP_HOLD_NEW_JOBS,
  IPP_OP_RELEASE_HELD_NEW_JOBS,
  IPP_OP_RESTART_PRINTER,
  IPP_OP_SHUTDOWN_PRINTER,
  IPP_OP_STARTUP_PRINTER,
  IPP_OP_CANCEL_CURRENT_JOB,
  IPP_OP_CANCEL_DOCUMENT,
  IPP_OP_GET_DOCUMENT_ATTRIBUTES,
  IPP_OP_GET_DOCUMENTS,
  IPP_OP_SET_DOCUMENT_ATTRIBUTES,
  IPP_OP_CANCEL_JOBS,
  IPP_OP_CANCEL_MY_JOBS,
  IPP_OP_CLOSE_JOB,
  IPP_OP_IDENTIFY_PRINTER,
  IPP_OP_VALIDATE_DOCUMENT,
  IPP_OP_ACKNOWLEDGE_IDENTIFY_PRINTER
};


//
// Local functions...
//

static ipp_t	*ack_identify(jctx_t *ctx);
static void	cancel(cs_job_t *job, const char *why);
static ipp_t	*cancel_many(jctx_t *ctx, ipp_op_t op);
static ipp_t	*create_job(jctx_t *ctx, bool with_uri);
static ipp_t	*document_attrs(jctx_t *ctx, bool all);
static ipp_t	*find_job(jctx_t *ctx, cs_job_t **job);
static ipp_t	*job_op(jctx_t *ctx, ipp_op_t op);
static ipp_t	*printer_op(jctx_t *ctx, ipp_op_t op);
static ipp_t	*send_data(jctx_t *ctx, cs_job_t *job, const char *path, off_t size);
static ipp_t	*send_document(jctx_t *ctx, bool with_uri);
static ipp_t	*set_job(jctx_t *ctx, cs_job_t *job);
static ipp_t	*unsupported(ipp_t *request, ipp_attribute_t *attr, ipp_status_t status, const char *message);
static char	*write_data_uri(jctx_t *ctx, const char *uri, off_t *size, ipp_status_t *status);


//
// 'csJobOpsHandle()' - Answer one of the operations in job_ops[].
//

ipp_t *					// O - Response
csJobOpsHandle(cs_request_t *req,	// I - HTTP request
               ipp_t        *request)	// I - IPP request
{
  ipp_op_t	op = ippGetOperation(request);
					// Operation
  jctx_t	ctx;			// Context
  bool		present;		// requesting-user-uri present?
  int		status;			// printer-uri check
  ipp_t		*response;		// Response


  memset(&ctx, 0, sizeof(ctx));
  ctx.req     = req;
  ctx.server  = req->server;
  ctx.tenant  = req->server->tenant;
  ctx.request = request;

  if ((status = csIPPPrinterId(request, ctx.printer, sizeof(ctx.printer))) == 0)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing printer-uri."));
  if (status < 0)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Bad printer-uri."));

  if ((ctx.upn = csIPPUserUPN(request, &present)) == NULL && present)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "requesting-user-uri must be mailto:UPN."));

  if (!req->is_admin)
  {
    // Devices act only on themselves, and only through a few operations.
    if (strcasecmp(ctx.printer, req->device))
      return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "printer-uri is not this device."));

    if (op != IPP_OP_ACKNOWLEDGE_IDENTIFY_PRINTER && op != IPP_OP_GET_PRINTER_SUPPORTED_VALUES && op != IPP_OP_CREATE_JOB_SUBSCRIPTIONS && op != IPP_OP_GET_SUBSCRIPTION_ATTRIBUTES && op != IPP_OP_GET_SUBSCRIPTIONS)
      return (csIPPResponse(request, IPP_STATUS_ERROR_FORBIDDEN, "This operation needs the user's or administrator's token."));
  }

  csTenantLock(ctx.tenant);

  switch (op)
  {
    case IPP_OP_CREATE_JOB_SUBSCRIPTIONS :
    case IPP_OP_GET_SUBSCRIPTION_ATTRIBUTES :
    case IPP_OP_GET_SUBSCRIPTIONS :
        response = csNotifyHandle(ctx.server, ctx.tenant, req->is_admin ? "admin" : req->device, request);
        break;

    case IPP_OP_PRINT_URI :
        response = create_job(&ctx, true);
        break;

    case IPP_OP_VALIDATE_JOB :
    case IPP_OP_CREATE_JOB :
        response = create_job(&ctx, false);
        break;

    case IPP_OP_SEND_DOCUMENT :
        response = send_document(&ctx, false);
        break;

    case IPP_OP_SEND_URI :
        response = send_document(&ctx, true);
        break;

    case IPP_OP_CANCEL_JOBS :
    case IPP_OP_CANCEL_MY_JOBS :
    case IPP_OP_CANCEL_CURRENT_JOB :
        response = cancel_many(&ctx, op);
        break;

    case IPP_OP_GET_DOCUMENTS :
        response = document_attrs(&ctx, true);
        break;

    case IPP_OP_GET_DOCUMENT_ATTRIBUTES :
        response = document_attrs(&ctx, false);
        break;

    case IPP_OP_ACKNOWLEDGE_IDENTIFY_PRINTER :
        response = ack_identify(&ctx);
        break;

    case IPP_OP_CANCEL_JOB :
    case IPP_OP_GET_JOB_ATTRIBUTES :
    case IPP_OP_HOLD_JOB :
    case IPP_OP_RELEASE_JOB :
    case IPP_OP_SET_JOB_ATTRIBUTES :
    case IPP_OP_CANCEL_DOCUMENT :
    case IPP_OP_SET_DOCUMENT_ATTRIBUTES :
    case IPP_OP_CLOSE_JOB :
    case IPP_OP_VALIDATE_DOCUMENT :
        response = job_op(&ctx, op);
        break;

    default :
        response = printer_op(&ctx, op);
        break;
  }

  csTenantUnlock(ctx.tenant);

  return (response);
}


//
// 'csJobOpsSupports()' - Is an operation implemented here?
//

bool					// O - `true` if so
csJobOpsSupports(ipp_op_t op)		// I - Operation
{
  size_t	i;			// Looping var


  for (i = 0; i < sizeof(job_ops) / sizeof(job_ops[0]); i ++)
  {
    if (job_ops[i] == op)
      return (true);
  }

  return (false);
}


//
// 'ack_identify()' - Acknowledge-Identify-Printer: hand pending actions to the device.
//

static ipp_t *				// O - Response
ack_identify(jctx_t *ctx)		// I - Context
{
  cs_device_t	*dev = csTenantFindDevice(ctx->tenant, ctx->req->device);
					// Device
  ipp_t		*response;		// Response
  char		actions[128],		// Copy of the actions
		*ptr,			// Current action
		*save = NULL;		// strtok_r state
  const char	*values[8];		// Action keywords
  int		count = 0;		// Number of actions


  if (!dev)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such printer."));

  if (!dev->identify[0])
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "No Identify-Printer request is pending."));

  snprintf(actions, sizeof(actions), "%s", dev->identify);
  for (ptr = strtok_r(actions, ",", &save); ptr && count < 8; ptr = strtok_r(NULL, ",", &save))
    values[count ++] = ptr;

  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
  ippAddStrings(response, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "identify-actions", count, NULL, values);
  if (dev->identify_message)
    ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_TEXT, "message", NULL, dev->identify_message);

  dev->identify[0] = '\0';
  csJobSetString(&dev->identify_message, NULL);

  return (response);
}


//
// 'cancel()' - Cancel a job.
//

static void
cancel(cs_job_t   *job,			// I - Job
       const char *why)			// I - Event message
{
  job->state     = IPP_JSTATE_CANCELED;
  job->fetchable = false;
  csJobAddEvent(job, "canceled", NULL, why);
}


//
// 'cancel_many()' - Cancel-Jobs, Cancel-My-Jobs and Cancel-Current-Job.
//

static ipp_t *				// O - Response
cancel_many(jctx_t   *ctx,		// I - Context
            ipp_op_t op)		// I - Operation
{
  ipp_attribute_t	*ids = ippFindAttribute(ctx->request, "job-ids", IPP_TAG_INTEGER);
					// job-ids
  size_t		i;		// Looping var
  int			j,		// Looping var
			count = 0;	// Jobs canceled


  if (op == IPP_OP_CANCEL_MY_JOBS && !ctx->upn)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Cancel-My-Jobs needs requesting-user-uri."));

  if (!csTenantFindDevice(ctx->tenant, ctx->printer) && !csTenantFindPull(ctx->tenant, ctx->printer))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such printer."));

  // Check job-ids first so that the operation is all-or-nothing.
  for (j = 0; ids && j < ippGetCount(ids); j ++)
  {
    cs_job_t *job = csTenantFindJob(ctx->tenant, ippGetInteger(ids, j));
					// Job

    if (!job || strcasecmp(job->printer, ctx->printer))
      return (unsupported(ctx->request, ids, IPP_STATUS_ERROR_NOT_FOUND, "No such job."));
    if (csJobIsTerminal(job))
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "A job is already in a terminal state."));
    if (op == IPP_OP_CANCEL_MY_JOBS && strcasecmp(job->user, ctx->upn))
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "Not your job."));
  }

  for (i = 0; i < ctx->tenant->num_jobs; i ++)
  {
    cs_job_t *job = ctx->tenant->jobs[i];
					// Job
    bool     listed = !ids;		// In job-ids?

    if (csJobIsTerminal(job))
      continue;

    for (j = 0; ids && j < ippGetCount(ids); j ++)
      if (ippGetInteger(ids, j) == job->id)
        listed = true;

    if (op == IPP_OP_CANCEL_CURRENT_JOB)
    {
      // The job the device is printing now.
      if (strcasecmp(job->acquired_by, ctx->printer) || job->state != IPP_JSTATE_PROCESSING)
        continue;
    }
    else if (!listed || strcasecmp(job->printer, ctx->printer) || (op == IPP_OP_CANCEL_MY_JOBS && strcasecmp(job->user, ctx->upn)))
      continue;

    cancel(job, ippOpString(op));
    count ++;

    if (op == IPP_OP_CANCEL_CURRENT_JOB)
      break;
  }

  if (op == IPP_OP_CANCEL_CURRENT_JOB && count == 0)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "No job is printing."));

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'create_job()' - Validate-Job, Create-Job and Print-URI.
//

static ipp_t *				// O - Response
create_job(jctx_t *ctx,			// I - Context
           bool   with_uri)		// I - Print-URI?
{
  ipp_op_t		op = ippGetOperation(ctx->request);
					// Operation
  ipp_attribute_t	*attr;		// Attribute
  cs_device_t		*dev = csTenantFindDevice(ctx->tenant, ctx->printer);
					// Target device
  bool			held = dev == NULL;
					// Held on a pull printer?
  const char		*format = "application/pdf",
			*name = "Untitled";
					// Job fields
  int			copies = 1,	// copies
			id,		// Job id
			retry;		// Retry-After for limits
  char			*path;		// Document file
  off_t			size = 0;	// Document size
  int			fd;		// Document file
  cs_job_t		*job;		// New job
  ipp_t			*response,	// Response
			*attrs;		// Job attributes
  ipp_status_t		status;		// data: URI status


  if (!dev && !csTenantFindPull(ctx->tenant, ctx->printer))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such printer."));

  if (dev && (dev->disabled || dev->shutdown))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS, "The printer is not accepting jobs."));

  if (!ctx->upn && op != IPP_OP_VALIDATE_JOB)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "requesting-user-uri mailto:UPN is required."));

  if (ctx->upn && !csTenantMayPrint(ctx->tenant, ctx->printer, NULL, ctx->upn))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "The user may not print to this printer."));

  if ((attr = ippFindAttribute(ctx->request, "document-format", IPP_TAG_ZERO)) != NULL)
  {
    format = ippGetString(attr, 0, NULL);
    if (ippGetValueTag(attr) != IPP_TAG_MIMETYPE || !format || (strcasecmp(format, "application/pdf") && strcasecmp(format, "application/oxps") && strcasecmp(format, "application/octet-stream")))
      return (unsupported(ctx->request, attr, IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, "Unsupported document-format."));
  }

  if ((attr = ippFindAttribute(ctx->request, "copies", IPP_TAG_ZERO)) != NULL && (ippGetValueTag(attr) != IPP_TAG_INTEGER || (copies = ippGetInteger(attr, 0)) < 1 || copies > 9999))
    return (unsupported(ctx->request, attr, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Bad copies."));

  if ((attr = ippFindAttribute(ctx->request, "job-name", IPP_TAG_NAME)) != NULL)
    name = ippGetString(attr, 0, NULL);

  if (op == IPP_OP_VALIDATE_JOB)
    return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));

  switch (csTenantCheckLimits(ctx->server, ctx->printer, ctx->upn, &retry))
  {
    case 1 :
        return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BUSY, "Too many jobs for this printer in 10 minutes."));
    case 2 :
    case 3 :
        return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_TOO_MANY_JOBS, "Too many active jobs."));
    default :
        break;
  }

  id = ctx->tenant->next_job_id ++;
  ctx->tenant->dirty = true;
  path = NULL;

  if (with_uri)
  {
    // The document id reservation above is ours; write under that id.
    if ((attr = ippFindAttribute(ctx->request, "document-uri", IPP_TAG_URI)) == NULL)
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing document-uri."));
    if ((path = write_data_uri(ctx, ippGetString(attr, 0, NULL), &size, &status)) == NULL)
      return (unsupported(ctx->request, attr, status, "document-uri must be a data: URI."));
  }
  else
  {
    char buf[1100];			// Path

    snprintf(buf, sizeof(buf), "%s/%d-1.doc", ctx->tenant->docdir, id);
    if ((fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
      return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_INTERNAL, "Cannot create the document."));
    close(fd);
    path = strdup(buf);
  }

  if ((job = csTenantAddJob(ctx->tenant, id, ctx->printer, held, ctx->upn, name, format, path, size)) == NULL)
  {
    unlink(path);
    free(path);
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_INTERNAL, "Out of memory."));
  }

  free(path);
  job->copies  = copies;
  job->started = with_uri;		// Create-Job: invisible until the document is complete

  if ((attr = ippFindAttribute(ctx->request, "sides", IPP_TAG_KEYWORD)) != NULL)
    csJobSetString(&job->sides, ippGetString(attr, 0, NULL));
  if ((attr = ippFindAttribute(ctx->request, "print-color-mode", IPP_TAG_KEYWORD)) != NULL)
    csJobSetString(&job->color_mode, ippGetString(attr, 0, NULL));
  if ((attr = ippFindAttribute(ctx->request, "media", IPP_TAG_KEYWORD)) != NULL)
    csJobSetString(&job->media, ippGetString(attr, 0, NULL));

  csNotify(ctx->tenant, job, 0);

  attrs = ippNew();
  csIPPAddJobAttrs(ctx->server, job, attrs);
  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
  csIPPCopyRequested(response, attrs, ctx->request, "job-id job-uri job-state job-state-reasons");
  ippDelete(attrs);

  return (response);
}


//
// 'document_attrs()' - Get-Documents and Get-Document-Attributes.
//

static ipp_t *				// O - Response
document_attrs(jctx_t *ctx,		// I - Context
               bool   all)		// I - Get-Documents?
{
  cs_job_t		*job;		// Job
  ipp_t			*response,	// Response
			*attrs;		// Document attributes
  ipp_attribute_t	*num;		// document-number
  char			uri[1024];	// URIs
  int			state;		// document-state


  if ((response = find_job(ctx, &job)) != NULL)
    return (response);

  if (!all && ((num = ippFindAttribute(ctx->request, "document-number", IPP_TAG_INTEGER)) == NULL || ippGetInteger(num, 0) != 1))
    return (csIPPResponse(ctx->request, num ? IPP_STATUS_ERROR_NOT_FOUND : IPP_STATUS_ERROR_BAD_REQUEST, num ? "No such document." : "Missing document-number."));

  state = job->doc_state ? job->doc_state : job->state == IPP_JSTATE_HELD ? IPP_DSTATE_PENDING : (int)job->state;
  if (state == IPP_JSTATE_HELD || state == IPP_JSTATE_STOPPED)
    state = state == IPP_JSTATE_HELD ? IPP_DSTATE_PENDING : IPP_DSTATE_PROCESSING;

  attrs = ippNew();
  ippAddInteger(attrs, IPP_TAG_DOCUMENT, IPP_TAG_INTEGER, "document-number", 1);
  ippAddInteger(attrs, IPP_TAG_DOCUMENT, IPP_TAG_INTEGER, "document-job-id", job->id);
  snprintf(uri, sizeof(uri), "ipps://%s/printers/%s", ctx->server->hostport, job->printer);
  ippAddString(attrs, IPP_TAG_DOCUMENT, IPP_TAG_URI, "document-printer-uri", NULL, uri);
  snprintf(uri, sizeof(uri), "ipps://%s/printers/%s/jobs/%d/documents/1", ctx->server->hostport, job->printer, job->id);
  ippAddString(attrs, IPP_TAG_DOCUMENT, IPP_TAG_URI, "document-uri", NULL, uri);
  ippAddString(attrs, IPP_TAG_DOCUMENT, IPP_TAG_MIMETYPE, "document-format", NULL, job->format);
  ippAddString(attrs, IPP_TAG_DOCUMENT, IPP_TAG_NAME, "document-name", NULL, job->doc_name ? job->doc_name : job->name);
  ippAddInteger(attrs, IPP_TAG_DOCUMENT, IPP_TAG_ENUM, "document-state", state);
  ippAddString(attrs, IPP_TAG_DOCUMENT, IPP_TAG_KEYWORD, "document-state-reasons", NULL, "none");
  ippAddInteger(attrs, IPP_TAG_DOCUMENT, IPP_TAG_INTEGER, "k-octets", (int)((job->size + 1023) / 1024));
  ippAddBoolean(attrs, IPP_TAG_DOCUMENT, "last-document", job->started);
  ippAddString(attrs, IPP_TAG_DOCUMENT, IPP_TAG_KEYWORD, "compression", NULL, "none");

  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
  if (all)
    ippAddSeparator(response);
  csIPPCopyRequested(response, attrs, ctx->request, all ? "document-number" : NULL);
  ippDelete(attrs);

  return (response);
}


//
// 'find_job()' - Find the job-id of the request on the request's printer.
//

static ipp_t *				// O - Error response or `NULL`
find_job(jctx_t   *ctx,			// I - Context
         cs_job_t **job)		// O - Job
{
  ipp_attribute_t	*attr;		// job-id


  if ((attr = ippFindAttribute(ctx->request, "job-id", IPP_TAG_ZERO)) == NULL || ippGetGroupTag(attr) != IPP_TAG_OPERATION || ippGetValueTag(attr) != IPP_TAG_INTEGER)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing or bad job-id."));

  if ((*job = csTenantFindJob(ctx->tenant, ippGetInteger(attr, 0))) == NULL || strcasecmp((*job)->printer, ctx->printer))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such job."));

  if (ctx->upn && strcasecmp((*job)->user, ctx->upn))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "Not your job."));

  return (NULL);
}


//
// 'job_op()' - Operations on one job.
//

static ipp_t *				// O - Response
job_op(jctx_t   *ctx,			// I - Context
       ipp_op_t op)			// I - Operation
{
  cs_job_t		*job;		// Job
  ipp_t			*response,	// Response
			*attrs;		// Job attributes
  ipp_attribute_t	*attr;		// Attribute


  if ((response = find_job(ctx, &job)) != NULL)
    return (response);

  switch (op)
  {
    case IPP_OP_GET_JOB_ATTRIBUTES :
        attrs = ippNew();
        csIPPAddJobAttrs(ctx->server, job, attrs);
        response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
        csIPPCopyRequested(response, attrs, ctx->request, NULL);
        ippDelete(attrs);
        return (response);

    case IPP_OP_CANCEL_JOB :
    case IPP_OP_CANCEL_DOCUMENT :
        if (op == IPP_OP_CANCEL_DOCUMENT && ((attr = ippFindAttribute(ctx->request, "document-number", IPP_TAG_INTEGER)) == NULL || ippGetInteger(attr, 0) != 1))
          return (csIPPResponse(ctx->request, attr ? IPP_STATUS_ERROR_NOT_FOUND : IPP_STATUS_ERROR_BAD_REQUEST, "Bad document-number."));
        if (csJobIsTerminal(job))
          return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is already in a terminal state."));
        cancel(job, ippOpString(op));
        return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));

    case IPP_OP_HOLD_JOB :
        if (job->acquired_by[0] || (job->state != IPP_JSTATE_PENDING && job->state != IPP_JSTATE_HELD))
          return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Only pending jobs can be held."));
        job->state     = IPP_JSTATE_HELD;
        job->fetchable = false;
        csJobAddEvent(job, "held", NULL, "Hold-Job");
        return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));

    case IPP_OP_RELEASE_JOB :
        if (job->state != IPP_JSTATE_HELD)
          return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is not held."));
        job->state     = IPP_JSTATE_PENDING;
        job->fetchable = true;
        csJobAddEvent(job, "released", NULL, "Release-Job");
        return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));

    case IPP_OP_SET_JOB_ATTRIBUTES :
        return (set_job(ctx, job));

    case IPP_OP_SET_DOCUMENT_ATTRIBUTES :
        if ((attr = ippFindAttribute(ctx->request, "document-number", IPP_TAG_INTEGER)) == NULL || ippGetInteger(attr, 0) != 1)
          return (csIPPResponse(ctx->request, attr ? IPP_STATUS_ERROR_NOT_FOUND : IPP_STATUS_ERROR_BAD_REQUEST, "Bad document-number."));
        if (csJobIsTerminal(job) || job->acquired_by[0])
          return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "The job can no longer change."));
        for (attr = ippFirstAttribute(ctx->request); attr; attr = ippNextAttribute(ctx->request))
        {
          if (ippGetGroupTag(attr) != IPP_TAG_DOCUMENT || !ippGetName(attr))
            continue;
          if (strcmp(ippGetName(attr), "document-name") || ippGetValueTag(attr) != IPP_TAG_NAME)
            return (unsupported(ctx->request, attr, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Only document-name can be set."));
          csJobSetString(&job->doc_name, ippGetString(attr, 0, NULL));
        }
        csJobAddEvent(job, "document-config-changed", NULL, NULL);
        return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));

    case IPP_OP_CLOSE_JOB :
        if (job->started)
          return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is already closed."));
        job->started = true;
        if (job->size == 0)
        {
          // Closed without a document: nothing to print.
          job->state     = IPP_JSTATE_ABORTED;
          job->fetchable = false;
        }
        csJobAddEvent(job, "closed", NULL, NULL);
        return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));

    default : // Validate-Document
        if ((attr = ippFindAttribute(ctx->request, "document-format", IPP_TAG_ZERO)) != NULL && (ippGetValueTag(attr) != IPP_TAG_MIMETYPE || (strcasecmp(ippGetString(attr, 0, NULL), "application/pdf") && strcasecmp(ippGetString(attr, 0, NULL), "application/oxps") && strcasecmp(ippGetString(attr, 0, NULL), "application/octet-stream"))))
          return (unsupported(ctx->request, attr, IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, "Unsupported document-format."));
        if (job->started)
          return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_MULTIPLE_JOBS_NOT_SUPPORTED, "The job already has its document."));
        return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
  }
}


//
// 'printer_op()' - Printer administration operations on a device.
//

static ipp_t *				// O - Response
printer_op(jctx_t   *ctx,		// I - Context
           ipp_op_t op)			// I - Operation
{
  cs_device_t		*dev = csTenantFindDevice(ctx->tenant, ctx->printer);
					// Device
  ipp_attribute_t	*attr;		// Attribute
  ipp_t			*response;	// Response
  size_t		i;		// Looping var


  if (!dev)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_FOUND, "No such output device (printer administration needs a registered device)."));

  switch (op)
  {
    case IPP_OP_PAUSE_PRINTER :
    case IPP_OP_PAUSE_PRINTER_AFTER_CURRENT_JOB :
        dev->paused = true;
        break;
    case IPP_OP_RESUME_PRINTER :
        dev->paused = false;
        break;
    case IPP_OP_ENABLE_PRINTER :
        dev->disabled = false;
        break;
    case IPP_OP_DISABLE_PRINTER :
        dev->disabled = true;
        break;
    case IPP_OP_SHUTDOWN_PRINTER :
        dev->shutdown = true;
        break;
    case IPP_OP_STARTUP_PRINTER :
        dev->shutdown = false;
        break;
    case IPP_OP_RESTART_PRINTER :
        dev->shutdown = false;
        dev->paused   = false;
        break;
    case IPP_OP_HOLD_NEW_JOBS :
        dev->hold_new = true;
        break;
    case IPP_OP_RELEASE_HELD_NEW_JOBS :
        dev->hold_new = false;
        for (i = 0; i < ctx->tenant->num_jobs; i ++)
        {
          cs_job_t *job = ctx->tenant->jobs[i];
					// Job

          if (job->state == IPP_JSTATE_HELD && !job->held && !strcasecmp(job->printer, dev->id))
          {
            job->state     = IPP_JSTATE_PENDING;
            job->fetchable = true;
            csJobAddEvent(job, "released", NULL, "Release-Held-New-Jobs");
          }
        }
        break;

    case IPP_OP_IDENTIFY_PRINTER :
        snprintf(dev->identify, sizeof(dev->identify), "display");
        if ((attr = ippFindAttribute(ctx->request, "identify-actions", IPP_TAG_ZERO)) != NULL)
        {
          int j;			// Looping var

          dev->identify[0] = '\0';
          for (j = 0; j < ippGetCount(attr); j ++)
          {
            const char *a = ippGetString(attr, j, NULL);
					// Action

            if (ippGetValueTag(attr) != IPP_TAG_KEYWORD || !a || (strcmp(a, "display") && strcmp(a, "flash") && strcmp(a, "sound")))
            {
              snprintf(dev->identify, sizeof(dev->identify), "display");
              return (unsupported(ctx->request, attr, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Unsupported identify-actions."));
            }
            if (j)
              strncat(dev->identify, ",", sizeof(dev->identify) - strlen(dev->identify) - 1);
            strncat(dev->identify, a, sizeof(dev->identify) - strlen(dev->identify) - 1);
          }
        }
        attr = ippFindAttribute(ctx->request, "message", IPP_TAG_TEXT);
        csJobSetString(&dev->identify_message, attr ? ippGetString(attr, 0, NULL) : NULL);
        break;

    case IPP_OP_SET_PRINTER_ATTRIBUTES :
        for (attr = ippFirstAttribute(ctx->request); attr; attr = ippNextAttribute(ctx->request))
        {
          const char *name = ippGetName(attr);
					// Attribute name
          ipp_attribute_t *old;		// Current value

          if (ippGetGroupTag(attr) != IPP_TAG_PRINTER || !name)
            continue;
          if ((strcmp(name, "printer-info") && strcmp(name, "printer-location")) || (ippGetValueTag(attr) != IPP_TAG_TEXT && ippGetValueTag(attr) != IPP_TAG_TEXTLANG) || ippGetCount(attr) != 1)
            return (unsupported(ctx->request, attr, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Only printer-info and printer-location can be set."));
          if ((old = ippFindAttribute(dev->attrs, name, IPP_TAG_ZERO)) != NULL)
            ippDeleteAttribute(dev->attrs, old);
          ippCopyAttribute(dev->attrs, attr, 0);
        }
        break;

    default : // Get-Printer-Supported-Values
        response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
        // RFC 3380: any text the administrator chooses.
        ippAddOutOfBand(response, IPP_TAG_PRINTER, IPP_TAG_ADMINDEFINE, "printer-info");
        ippAddOutOfBand(response, IPP_TAG_PRINTER, IPP_TAG_ADMINDEFINE, "printer-location");
        return (response);
  }

  ctx->tenant->dirty = true;

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'send_data()' - Attach a received document to a Create-Job job.
//

static ipp_t *				// O - Response
send_data(jctx_t     *ctx,		// I - Context
          cs_job_t   *job,		// I - Job
          const char *path,		// I - Received document
          off_t      size)		// I - Its size
{
  ipp_attribute_t	*attr;		// Attribute
  ipp_t			*response,	// Response
			*attrs;		// Job attributes


  if ((attr = ippFindAttribute(ctx->request, "last-document", IPP_TAG_ZERO)) == NULL || ippGetValueTag(attr) != IPP_TAG_BOOLEAN)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing last-document."));

  if (job->started || job->size > 0)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_MULTIPLE_JOBS_NOT_SUPPORTED, "Jobs have one document."));

  if (size > 0 && rename(path, job->docpath))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_INTERNAL, "Cannot store the document."));

  if ((attr = ippFindAttribute(ctx->request, "document-format", IPP_TAG_MIMETYPE)) != NULL)
    csJobSetString(&job->format, ippGetString(attr, 0, NULL));

  job->size = size;

  if (ippGetBoolean(ippFindAttribute(ctx->request, "last-document", IPP_TAG_BOOLEAN), 0))
  {
    job->started = true;
    if (size == 0)
    {
      job->state     = IPP_JSTATE_ABORTED;
      job->fetchable = false;
    }
    csJobAddEvent(job, "submitted", NULL, NULL);
  }

  attrs = ippNew();
  csIPPAddJobAttrs(ctx->server, job, attrs);
  response = csIPPResponse(ctx->request, IPP_STATUS_OK, NULL);
  csIPPCopyRequested(response, attrs, ctx->request, "job-id job-uri job-state job-state-reasons");
  ippDelete(attrs);

  return (response);
}


//
// 'send_document()' - Send-Document and Send-URI.
//

static ipp_t *				// O - Response
send_document(jctx_t *ctx,		// I - Context
              bool   with_uri)		// I - Send-URI?
{
  cs_job_t		*job;		// Job
  ipp_t			*response;	// Response
  ipp_attribute_t	*attr;		// document-uri
  char			*path;		// data: document
  off_t			size;		// Its size
  ipp_status_t		status;		// data: URI status


  if ((response = find_job(ctx, &job)) != NULL)
    return (response);

  if (csJobIsTerminal(job))
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "Job is in a terminal state."));

  if (!with_uri)
  {
    if (ctx->req->doc_failed)
      return (csIPPResponse(ctx->request, ctx->req->doclen > CS_MAX_DOCUMENT ? IPP_STATUS_ERROR_REQUEST_ENTITY : IPP_STATUS_ERROR_INTERNAL, "Unable to store the document."));

    response = send_data(ctx, job, ctx->req->docpath ? ctx->req->docpath : "", ctx->req->docpath ? ctx->req->doclen : 0);
    if (ippGetStatusCode(response) == IPP_STATUS_OK && ctx->req->docpath && ctx->req->doclen > 0)
    {
      free(ctx->req->docpath);		// Renamed into the job
      ctx->req->docpath = NULL;
    }
    return (response);
  }

  if ((attr = ippFindAttribute(ctx->request, "document-uri", IPP_TAG_URI)) == NULL)
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing document-uri."));

  if ((path = write_data_uri(ctx, ippGetString(attr, 0, NULL), &size, &status)) == NULL)
    return (unsupported(ctx->request, attr, status, "document-uri must be a data: URI."));

  response = send_data(ctx, job, path, size);
  if (ippGetStatusCode(response) != IPP_STATUS_OK || size == 0)
    unlink(path);
  free(path);

  return (response);
}


//
// 'set_job()' - Set-Job-Attributes on a job not yet acquired.
//

static ipp_t *				// O - Response
set_job(jctx_t   *ctx,			// I - Context
        cs_job_t *job)			// I - Job
{
  ipp_attribute_t	*attr;		// Attribute


  if (csJobIsTerminal(job) || job->acquired_by[0])
    return (csIPPResponse(ctx->request, IPP_STATUS_ERROR_NOT_POSSIBLE, "The job can no longer change."));

  // Check everything first, then apply.
  for (attr = ippFirstAttribute(ctx->request); attr; attr = ippNextAttribute(ctx->request))
  {
    const char	*name = ippGetName(attr);
					// Attribute name
    ipp_tag_t	tag = ippGetValueTag(attr);
					// Value tag

    if (ippGetGroupTag(attr) != IPP_TAG_JOB || !name)
      continue;

    if (!((!strcmp(name, "copies") && tag == IPP_TAG_INTEGER && ippGetInteger(attr, 0) >= 1 && ippGetInteger(attr, 0) <= 9999) || (!strcmp(name, "job-name") && tag == IPP_TAG_NAME) || ((!strcmp(name, "media") || !strcmp(name, "print-color-mode") || !strcmp(name, "sides")) && tag == IPP_TAG_KEYWORD)))
      return (unsupported(ctx->request, attr, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Attribute cannot be set."));
  }

  for (attr = ippFirstAttribute(ctx->request); attr; attr = ippNextAttribute(ctx->request))
  {
    const char *name = ippGetName(attr);// Attribute name

    if (ippGetGroupTag(attr) != IPP_TAG_JOB || !name)
      continue;

    if (!strcmp(name, "copies"))
      job->copies = ippGetInteger(attr, 0);
    else if (!strcmp(name, "job-name"))
      csJobSetString(&job->name, ippGetString(attr, 0, NULL));
    else if (!strcmp(name, "media"))
      csJobSetString(&job->media, ippGetString(attr, 0, NULL));
    else if (!strcmp(name, "print-color-mode"))
      csJobSetString(&job->color_mode, ippGetString(attr, 0, NULL));
    else
      csJobSetString(&job->sides, ippGetString(attr, 0, NULL));
  }

  csJobAddEvent(job, "job-config-changed", NULL, NULL);

  return (csIPPResponse(ctx->request, IPP_STATUS_OK, NULL));
}


//
// 'unsupported()' - Error response echoing an attribute in the unsupported group.
//

static ipp_t *				// O - Response
unsupported(ipp_t           *request,	// I - Request
            ipp_attribute_t *attr,	// I - Offending attribute
            ipp_status_t    status,	// I - Status
            const char      *message)	// I - Message
{
  ipp_t			*response = csIPPResponse(request, status, message);
					// Response
  ipp_attribute_t	*copy = ippCopyAttribute(response, attr, 0);
					// Copy


  ippSetGroupTag(response, &copy, IPP_TAG_UNSUPPORTED_GROUP);

  return (response);
}


//
// 'write_data_uri()' - Decode a data: URI (RFC 2397) into a new document file.
//

static char *				// O - Path (malloc'd) or `NULL`
write_data_uri(jctx_t       *ctx,	// I - Context
               const char   *uri,	// I - URI
               off_t        *size,	// O - Document size
               ipp_status_t *status)	// O - Error status
{
  const char	*comma;			// Start of data
  bool		base64;			// ;base64?
  unsigned char	*data;			// Decoded data
  size_t	len;			// Its length
  char		path[1100];		// File name
  int		fd;			// File
  static int	counter = 0;		// Unique suffix


  *status = IPP_STATUS_ERROR_URI_SCHEME;

  if (!uri || strncasecmp(uri, "data:", 5) || (comma = strchr(uri, ',')) == NULL)
    return (NULL);

  *status = IPP_STATUS_ERROR_DOCUMENT_ACCESS;
  base64  = comma - uri >= 12 && !strncasecmp(comma - 7, ";base64", 7);

  if (base64)
    data = csBase64Decode(comma + 1, strlen(comma + 1), false, &len);
  else if ((data = malloc(strlen(comma + 1) + 1)) != NULL)
  {
    if (!csURLDecode(comma + 1, strlen(comma + 1), (char *)data, strlen(comma + 1) + 1))
    {
      free(data);
      data = NULL;
    }
    else
      len = strlen((char *)data);
  }

  if (!data)
    return (NULL);

  snprintf(path, sizeof(path), "%s/uri-%d-%d.doc", ctx->tenant->docdir, (int)getpid(), ++ counter);
  if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 || write(fd, data, len) != (ssize_t)len)
  {
    if (fd >= 0)
      close(fd);
    unlink(path);
    free(data);
    *status = IPP_STATUS_ERROR_INTERNAL;
    return (NULL);
  }

  close(fd);
  free(data);
  *size = (off_t)len;

  return (strdup(path));
}
