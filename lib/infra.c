//
// IPP-INFRA operations (PWG 5100.18) as Universal Print accepts them (protocol.md §4.3).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Attribute order follows Microsoft's production code ("MinimalIpp"):
// the common part comes from upaClientNewRequest(), each operation appends
// its own attributes in the documented order.  The builders are separate
// from the senders so unit tests can check the exact requests
// (infra-private.h).
//

#include "upa-private.h"
#include "infra-private.h"


#define INFRA_JOB_SLOTS	32768		// Hash slots for job-ids (power of 2, > 2 * UPA_INFRA_MAX_JOBS)


//
// Local globals...
//

static const char * const infra_formats[] =
{					// document-format-accepted values
  "application/pdf",
  "application/oxps",
  "application/vnd.ms-xpsdocument",
  "image/pwg-raster",
  "image/urf",
  "application/PCLm",
  "application/octet-stream"
};


//
// Local functions...
//

static void	infra_copy_string(ipp_attribute_t *attr, char *dst, size_t dstsize);
static void	infra_parse_attr(ipp_attribute_t *attr, upa_jobinfo_t *job);


//
// 'upaInfraAcknowledgeJob()' - Claim a job for this device (Acknowledge-Job).
//

bool					// O - `true` on success
upaInfraAcknowledgeJob(
    upa_client_t *client,		// I - Client
    const char   *user_uri,		// I - "mailto:UPN" or `NULL`
    int          job_id,		// I - Cloud job-id
    const char   *message)		// I - fetch-status-message or `NULL`
{
  ipp_t	*request,			// Request
	*response;			// Response


  if ((request = upaInfraNewAcknowledgeJob(client, user_uri, job_id, message)) == NULL)
    return (false);

  if ((response = upaClientSend(client, request)) == NULL)
    return (false);

  ippDelete(response);

  return (true);
}


//
// 'upaInfraDocumentSize()' - Return the document size a response announces.
//
// See infra.h: "k-octets", then "job-k-octets"; none, or a compressed
// transfer, gives `false`.
//

bool					// O - `true` if a size was announced
upaInfraDocumentSize(
    ipp_t     *response,		// I - Fetch-Document IPP part or Fetch-Job response
    long long *octets_min,		// O - Fewest bytes that agree with it
    long long *octets_max)		// O - Most bytes that agree with it
{
  ipp_attribute_t	*attr;		// Size or compression attribute
  const char		*compression;	// compression value


  if (octets_min)
    *octets_min = 0;
  if (octets_max)
    *octets_max = 0;

  if (!response)
    return (false);

  if ((attr = ippFindAttribute(response, "compression", IPP_TAG_KEYWORD)) != NULL && (compression = ippGetString(attr, 0, NULL)) != NULL && strcmp(compression, "none"))
  {
    upaLog(UPA_LOG_DEBUG, "Document sent with compression %s: its size cannot be checked.", compression);
    return (false);
  }

  if ((attr = ippFindAttribute(response, "k-octets", IPP_TAG_INTEGER)) == NULL)
    attr = ippFindAttribute(response, "job-k-octets", IPP_TAG_INTEGER);

  if (!attr || ippGetCount(attr) != 1 || ippGetInteger(attr, 0) < 0)
    return (false);

  upaInfraSizeRange(ippGetInteger(attr, 0), octets_min, octets_max);

  return (true);
}


//
// 'upaInfraFetchDocument()' - Stream a job's document (Fetch-Document).
//

bool					// O - `true` on success
upaInfraFetchDocument(
    upa_client_t      *client,		// I - Client
    const char        *user_uri,	// I - "mailto:UPN" or `NULL`
    int               job_id,		// I - Cloud job-id
    int               doc_number,	// I - Document number (1-based)
    upa_docstart_cb_t start_cb,		// I - Called with the IPP response
    upa_docdata_cb_t  data_cb,		// I - Called with the document bytes
    void              *cbdata)		// I - Callback data
{
  ipp_t	*request;			// Request


  if ((request = upaInfraNewFetchDocument(client, user_uri, job_id, doc_number)) == NULL)
    return (false);

  return (upaClientSendStream(client, request, start_cb, data_cb, cbdata));
}


//
// 'upaInfraFetchJob()' - Get a job's ticket (Fetch-Job).
//

ipp_t *					// O - Response or `NULL`
upaInfraFetchJob(upa_client_t *client,	// I - Client
                 const char   *user_uri,// I - "mailto:UPN" or `NULL`
                 int          job_id)	// I - Cloud job-id
{
  ipp_t	*request;			// Request


  if ((request = upaInfraNewJobRequest(client, IPP_OP_FETCH_JOB, user_uri, job_id)) == NULL)
    return (NULL);

  return (upaClientSend(client, request));
}


//
// 'upaInfraGetJobs()' - List fetchable jobs (Get-Jobs).
//

ipp_t *					// O - Response or `NULL`
upaInfraGetJobs(upa_client_t *client,	// I - Client
                const char   *user_uri)	// I - "mailto:UPN" or `NULL`
{
  ipp_t	*request;			// Request


  if ((request = upaInfraNewGetJobs(client, user_uri)) == NULL)
    return (NULL);

  return (upaClientSend(client, request));
}


//
// 'upaInfraJobList()' - Parse the job groups of a Get-Jobs/Fetch-Job response.
//
// One pass over the attributes; the list grows geometrically and job-ids
// already seen are found in an open-addressing hash table, so even a
// hostile answer with tens of thousands of groups costs linear time.
//

int					// O - Number of jobs or -1
upaInfraJobList(ipp_t         *response,// I - Response
                upa_jobinfo_t **jobs)	// O - Jobs (malloc'd) or `NULL`
{
  ipp_attribute_t	*attr;		// Current attribute
  upa_jobinfo_t		*list = NULL,	// Jobs
			job;		// Current job
  int			count = 0,	// Number of jobs
			alloc = 0,	// Allocated jobs
			groups = 0,	// Job groups seen
			unusable = 0,	// Groups without a usable job-id
			dups = 0;	// Duplicate groups
  int			*seen = NULL;	// Hash table of job-ids (0 = free slot)
  bool			injob = false;	// Inside a job group?


  if (jobs)
    *jobs = NULL;

  if (!response || !jobs)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraJobList: bad arguments.");
    return (-1);
  }

  memset(&job, 0, sizeof(job));

  // One extra round with attr == NULL flushes the last group.
  for (attr = ippFirstAttribute(response);; attr = ippNextAttribute(response))
  {
    bool endgroup = !attr || !ippGetName(attr) || ippGetGroupTag(attr) != IPP_TAG_JOB;
					// Does this attribute end a job group?

    if (injob && endgroup)
    {
      injob = false;
      groups ++;

      if (job.id <= 0)
      {
        unusable ++;
      }
      else
      {
        unsigned	slot;		// Hash slot

        if (!seen && (seen = calloc(INFRA_JOB_SLOTS, sizeof(int))) == NULL)
          goto nomem;

        for (slot = ((unsigned)job.id * 2654435761U) & (INFRA_JOB_SLOTS - 1); seen[slot] && seen[slot] != job.id; slot = (slot + 1) & (INFRA_JOB_SLOTS - 1));

        if (seen[slot] == job.id)
        {
          // The first group of a job wins.
          dups ++;
        }
        else if (count >= UPA_INFRA_MAX_JOBS)
        {
          free(list);
          free(seen);
          upaSetError(UPA_ERROR_PROTOCOL, "The cloud listed more than %d jobs; not one of them is taken.", UPA_INFRA_MAX_JOBS);
          return (-1);
        }
        else
        {
          if (count >= alloc)
          {
            upa_jobinfo_t	*temp;	// Grown list
            int			newalloc = alloc ? 2 * alloc : 16;
					// New size

            if (newalloc > UPA_INFRA_MAX_JOBS)
              newalloc = UPA_INFRA_MAX_JOBS;

            if ((temp = realloc(list, (size_t)newalloc * sizeof(upa_jobinfo_t))) == NULL)
              goto nomem;

            list  = temp;
            alloc = newalloc;
          }

          seen[slot]     = job.id;
          list[count ++] = job;
        }
      }
    }

    if (!attr)
      break;

    if (endgroup)
      continue;

    if (!injob)
    {
      injob = true;
      memset(&job, 0, sizeof(job));
      job.copies = 1;
    }

    infra_parse_attr(attr, &job);
  }

  free(seen);

  if (groups > 0 && count == 0)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The cloud listed %d job%s without a usable job-id.", groups, groups == 1 ? "" : "s");
    return (-1);
  }

  if (unusable > 0)
    upaLog(UPA_LOG_WARN, "Ignoring %d of %d listed jobs: no usable job-id.", unusable, groups);
  if (dups > 0)
    upaLog(UPA_LOG_WARN, "The cloud listed %d job%s more than once; each is taken once.", dups, dups == 1 ? "" : "s");

  *jobs = list;

  return (count);

  nomem:

  free(list);
  free(seen);
  upaSetError(UPA_ERROR_MEMORY, "Out of memory.");

  return (-1);
}


//
// 'upaInfraNewAcknowledgeJob()' - Build an Acknowledge-Job request.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewAcknowledgeJob(
    upa_client_t *client,		// I - Client
    const char   *user_uri,		// I - "mailto:UPN" or `NULL`
    int          job_id,		// I - Cloud job-id
    const char   *message)		// I - fetch-status-message or `NULL`
{
  ipp_t	*request;			// Request


  if ((request = upaInfraNewJobRequest(client, IPP_OP_ACKNOWLEDGE_JOB, user_uri, job_id)) == NULL)
    return (NULL);

  if (message)
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_TEXT, "fetch-status-message", NULL, message);

  return (request);
}


//
// 'upaInfraNewFetchDocument()' - Build a Fetch-Document request.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewFetchDocument(
    upa_client_t *client,		// I - Client
    const char   *user_uri,		// I - "mailto:UPN" or `NULL`
    int          job_id,		// I - Cloud job-id
    int          doc_number)		// I - Document number
{
  ipp_t	*request;			// Request


  if (doc_number < 1)
  {
    upaSetError(UPA_ERROR_ARGS, "Bad document number %d.", doc_number);
    return (NULL);
  }

  if ((request = upaInfraNewJobRequest(client, IPP_OP_FETCH_DOCUMENT, user_uri, job_id)) == NULL)
    return (NULL);

  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "document-number", doc_number);
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format-accepted", (int)(sizeof(infra_formats) / sizeof(infra_formats[0])), NULL, infra_formats);

  return (request);
}


//
// 'upaInfraNewGetJobs()' - Build a Get-Jobs request for fetchable jobs.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewGetJobs(upa_client_t *client,// I - Client
                   const char   *user_uri)
					// I - "mailto:UPN" or `NULL`
{
  ipp_t	*request;			// Request


  if ((request = upaClientNewRequest(client, IPP_OP_GET_JOBS, user_uri)) == NULL)
    return (NULL);

  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "fetchable");
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", NULL, "all");

  return (request);
}


//
// 'upaInfraNewJobRequest()' - Build a request for one job (common part + job-id).
//

ipp_t *					// O - Request or `NULL`
upaInfraNewJobRequest(
    upa_client_t *client,		// I - Client
    ipp_op_t     op,			// I - Operation
    const char   *user_uri,		// I - "mailto:UPN" or `NULL`
    int          job_id)		// I - Cloud job-id
{
  if (job_id < 1)
  {
    upaSetError(UPA_ERROR_ARGS, "Bad cloud job id %d.", job_id);
    return (NULL);
  }

  // The client places job-id where the server profile wants it.
  return (upaClientNewJobRequest(client, op, user_uri, job_id));
}


//
// 'upaInfraNewUpdateJobStatus()' - Build an Update-Job-Status request.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewUpdateJobStatus(
    upa_client_t           *client,	// I - Client
    const char             *user_uri,	// I - "mailto:UPN" or `NULL`
    int                    job_id,	// I - Cloud job-id
    const upa_jobstatus_t  *status)	// I - New status
{
  ipp_t		*request;		// Request
  const char	*reasons[8];		// Reasons to send
  int		num_reasons = 0;	// Number of reasons
  int		i;			// Looping var


  if (!status || status->state < IPP_JSTATE_PENDING || status->state > IPP_JSTATE_COMPLETED)
  {
    upaSetError(UPA_ERROR_ARGS, "Bad output-device-job-state %d.", status ? (int)status->state : 0);
    return (NULL);
  }

  for (i = 0; i < 8 && status->reasons[i]; i ++)
  {
    if (status->reasons[i][0])
      reasons[num_reasons ++] = status->reasons[i];
  }
  if (num_reasons == 0)
    reasons[num_reasons ++] = "none";

  if ((request = upaInfraNewJobRequest(client, IPP_OP_UPDATE_JOB_STATUS, user_uri, job_id)) == NULL)
    return (NULL);

  // The status itself goes in a job group, as Microsoft's code sends it.
  ippAddInteger(request, IPP_TAG_JOB, IPP_TAG_ENUM, "output-device-job-state", (int)status->state);
  ippAddStrings(request, IPP_TAG_JOB, IPP_TAG_KEYWORD, "output-device-job-state-reasons", num_reasons, NULL, reasons);
  if (status->message && status->message[0])
    ippAddString(request, IPP_TAG_JOB, IPP_TAG_TEXT, "output-device-job-state-message", NULL, status->message);
  if (status->impressions >= 0)
    ippAddInteger(request, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions-completed", status->impressions);

  return (request);
}


//
// 'upaInfraNewUpdateOutputDeviceAttributes()' - Build an Update-Output-Device-Attributes request.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewUpdateOutputDeviceAttributes(
    upa_client_t *client,		// I - Client
    ipp_t        *printer_attrs)	// I - Attributes to set (not consumed)
{
  ipp_t			*request;	// Request
  ipp_attribute_t	*attr,		// Source attribute
			*copy;		// Copied attribute
  int			count = 0;	// Attributes copied


  if (!printer_attrs)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraUpdateOutputDeviceAttributes: no attributes.");
    return (NULL);
  }

  // Never user-bound: the device reports its own state.
  if ((request = upaClientNewRequest(client, IPP_OP_UPDATE_OUTPUT_DEVICE_ATTRIBUTES, NULL)) == NULL)
    return (NULL);

  for (attr = ippFirstAttribute(printer_attrs); attr; attr = ippNextAttribute(printer_attrs))
  {
    // Skip separators and operation attributes of a response passed as is.
    if (!ippGetName(attr) || ippGetGroupTag(attr) == IPP_TAG_OPERATION)
      continue;

    if ((copy = ippCopyAttribute(request, attr, 0)) == NULL)
    {
      ippDelete(request);
      upaSetError(UPA_ERROR_MEMORY, "Unable to copy printer attribute %s.", ippGetName(attr));
      return (NULL);
    }

    ippSetGroupTag(request, &copy, IPP_TAG_PRINTER);
    count ++;
  }

  if (count == 0)
  {
    ippDelete(request);
    upaSetError(UPA_ERROR_ARGS, "upaInfraUpdateOutputDeviceAttributes: no printer attributes.");
    return (NULL);
  }

  return (request);
}


//
// 'upaInfraSizeRange()' - Return the byte counts that agree with a size in KiB.
//

void
upaInfraSizeRange(long long k_octets,	// I - Size in KiB (rounded either way)
                  long long *octets_min,// O - Fewest bytes
                  long long *octets_max)// O - Most bytes
{
  if (k_octets < 0)
    k_octets = 0;

  if (octets_min)
    *octets_min = k_octets > 0 ? (k_octets - 1) * 1024 + 1 : 0;
  if (octets_max)
    *octets_max = (k_octets + 1) * 1024 - 1;
}


//
// 'upaInfraUpdateJobStatus()' - Report a job's state (Update-Job-Status).
//

bool					// O - `true` on success
upaInfraUpdateJobStatus(
    upa_client_t          *client,	// I - Client
    const char            *user_uri,	// I - "mailto:UPN" or `NULL`
    int                   job_id,	// I - Cloud job-id
    const upa_jobstatus_t *status)	// I - New status
{
  ipp_t	*request,			// Request
	*response;			// Response


  if ((request = upaInfraNewUpdateJobStatus(client, user_uri, job_id, status)) == NULL)
    return (false);

  if ((response = upaClientSend(client, request)) == NULL)
    return (false);

  ippDelete(response);

  return (true);
}


//
// 'upaInfraUpdateOutputDeviceAttributes()' - Report printer attributes (Update-Output-Device-Attributes).
//

bool					// O - `true` on success
upaInfraUpdateOutputDeviceAttributes(
    upa_client_t *client,		// I - Client
    ipp_t        *printer_attrs)	// I - Attributes (not consumed)
{
  ipp_t	*request,			// Request
	*response;			// Response


  if ((request = upaInfraNewUpdateOutputDeviceAttributes(client, printer_attrs)) == NULL)
    return (false);

  if ((response = upaClientSend(client, request)) == NULL)
    return (false);

  ippDelete(response);

  return (true);
}


//
// 'infra_copy_string()' - Copy the first string value of an attribute.
//

static void
infra_copy_string(ipp_attribute_t *attr,// I - Attribute
                  char            *dst,	// O - Destination
                  size_t          dstsize)
					// I - Size of destination
{
  const char	*s = ippGetString(attr, 0, NULL);
					// Value


  upaCopyString(dst, s ? s : "", dstsize);
}


//
// 'infra_parse_attr()' - Store one job attribute.
//

static void
infra_parse_attr(ipp_attribute_t *attr,	// I - Attribute
                 upa_jobinfo_t   *job)	// IO - Job
{
  const char	*name = ippGetName(attr);
					// Attribute name
  ipp_tag_t	tag = ippGetValueTag(attr);
					// Value tag
  int		i,			// Looping var
		count;			// Number of values


  if (!strcmp(name, "job-id") && tag == IPP_TAG_INTEGER)
  {
    job->id = ippGetInteger(attr, 0);
  }
  else if (!strcmp(name, "job-name") && (tag == IPP_TAG_NAME || tag == IPP_TAG_NAMELANG || tag == IPP_TAG_TEXT || tag == IPP_TAG_TEXTLANG))
  {
    infra_copy_string(attr, job->name, sizeof(job->name));
  }
  else if (!strcmp(name, "job-originating-user-name") && (tag == IPP_TAG_NAME || tag == IPP_TAG_NAMELANG || tag == IPP_TAG_TEXT || tag == IPP_TAG_TEXTLANG))
  {
    infra_copy_string(attr, job->owner, sizeof(job->owner));
  }
  else if (!strcmp(name, "job-originating-user-uri") && tag == IPP_TAG_URI)
  {
    infra_copy_string(attr, job->owner_uri, sizeof(job->owner_uri));
  }
  else if (!strcmp(name, "job-state") && tag == IPP_TAG_ENUM)
  {
    job->state = (ipp_jstate_t)ippGetInteger(attr, 0);
  }
  else if (!strcmp(name, "document-format") && tag == IPP_TAG_MIMETYPE)
  {
    infra_copy_string(attr, job->format, sizeof(job->format));
  }
  else if (!strcmp(name, "document-format-supplied") && tag == IPP_TAG_MIMETYPE && !job->format[0])
  {
    infra_copy_string(attr, job->format, sizeof(job->format));
  }
  else if (!strcmp(name, "copies") && tag == IPP_TAG_INTEGER)
  {
    if (ippGetInteger(attr, 0) > 0)
      job->copies = ippGetInteger(attr, 0);
  }
  else if (!strcmp(name, "job-impressions") && tag == IPP_TAG_INTEGER)
  {
    if (ippGetInteger(attr, 0) > 0)
      job->pages = ippGetInteger(attr, 0);
  }
  else if (!strcmp(name, "job-media-sheets") && tag == IPP_TAG_INTEGER)
  {
    if (job->pages == 0 && ippGetInteger(attr, 0) > 0)
      job->pages = ippGetInteger(attr, 0);
  }
  else if (!strcmp(name, "job-k-octets") && tag == IPP_TAG_INTEGER)
  {
    if (ippGetInteger(attr, 0) > 0)
      job->size_k = ippGetInteger(attr, 0);
  }
  else if (!strcmp(name, "date-time-at-creation") && tag == IPP_TAG_DATE)
  {
    job->created = ippDateToTime(ippGetDate(attr, 0));
  }
  else if (!strcmp(name, "time-at-creation") && tag == IPP_TAG_INTEGER)
  {
    // RFC 8011 makes this printer up-time; only trust values that look like
    // UNIX time, and never over date-time-at-creation.
    if (job->created == 0 && ippGetInteger(attr, 0) > 1000000000)
      job->created = (time_t)ippGetInteger(attr, 0);
  }
  else if (!strcmp(name, "sides") && tag == IPP_TAG_KEYWORD)
  {
    infra_copy_string(attr, job->sides, sizeof(job->sides));
  }
  else if (!strcmp(name, "print-color-mode") && tag == IPP_TAG_KEYWORD)
  {
    infra_copy_string(attr, job->color, sizeof(job->color));
  }
  else if ((!strcmp(name, "job-retain-until-time") || !strcmp(name, "job-expiration-time")) && tag == IPP_TAG_DATE)
  {
    job->retain_until = ippDateToTime(ippGetDate(attr, 0));
  }
  else if (!strcmp(name, "job-state-reasons") && tag == IPP_TAG_KEYWORD)
  {
    for (i = 0, count = ippGetCount(attr); i < count; i ++)
    {
      const char *reason = ippGetString(attr, i, NULL);
					// Reason keyword

      if (reason && !strcmp(reason, "job-fetchable"))
        job->fetchable = true;
    }
  }
}
