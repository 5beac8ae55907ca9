//
// Local CUPS side of a release: a held job, streamed document, release/cancel.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Who owns the job, and who may release it (verified against cupsd 2.4 with
// Debian's stock <Policy default>):
//
// - Create-Job needs no authentication, so the job is owned by the
//   requesting-user-name we send (the user's UPN) - unless the request is
//   authenticated, in which case cupsd uses the authenticated name.  libcups
//   keeps the Authorization of an earlier 401 on the http_t and re-sends it
//   (over the domain socket: "PeerCred <cupsUser()>"), which would make root
//   the owner; so every request that names the owner first drops any cached
//   authorization.
// - Send-Document, Release-Job and Cancel-Job require "@OWNER @SYSTEM".  An
//   unauthenticated request passes @OWNER when requesting-user-name is the
//   owner, so we send the owner's name.  When that is refused, libcups
//   answers the 401 with PeerCred as the process user: root passes @SYSTEM
//   when root is in SystemGroup (Debian: "SystemGroup root lpadmin").
// - But only owners with a local account are ever named in those requests.
//   Debian's cupsd 2.4.2-3+deb12u10 (its fix for CVE-2026-27447) looks the
//   requesting user up with getpwnam() and uses the result unchecked in the
//   @OWNER test: naming a user without a passwd entry crashes the scheduler
//   (any "lp -U nosuchuser" does).  Cloud users usually have no local
//   account, so for them we act as the process user from the start.
//
// The same cupsd hangs in a loop that writes past its buffer, and crashes,
// when it starts a job that has a string attribute with white space in it
// (its new quoting in get_options() never steps over the space): any
// "lp 'my file.pdf'" does, through document-name-supplied.  So no such value
// reaches a job: document-name is left out when it has white space (the job
// keeps its title in job-name, which get_options() skips), and so is any
// ticket option whose value has white space.
//
// Both workarounds apply only where that cupsd is installed
// (upaCupsDaemonIsAffected()): 2.4.2-3+deb12u11 fixed both crashes, and the
// workarounds cost users their document names.
//

#include "upa-private.h"
#include <ctype.h>
#include <pwd.h>


//
// Local functions...
//

static void	assemble_printer_uri(char *uri, size_t urisize, const char *queue);
static const char *acting_user(const char *owner);
static bool	check_ipp(const char *what, const char *queue, int job_id);
static bool	has_space(const char *s);
static void	job_attr(ipp_attribute_t *attr, upa_cupsjob_t *info, int *id);
static bool	job_get_answer(const char *queue, int job_id, ipp_t *response, upa_cupsjob_t *info);
static ipp_t	*job_get_request(const char *queue, int job_id, int num_requested, const char * const *requested);
static bool	version_is_affected(const char *version);
static bool	job_request(http_t *http, ipp_op_t op, const char *what, const char *queue, int job_id, const char *user);
static const char *no_password_cb(const char *prompt, http_t *http, const char *method, const char *resource, void *data);
static const char *option_once(const char *argv5, const char *name, int num_options, cups_option_t *options);


//
// 'upaCupsDaemonIsAffected()' - Is the installed cupsd one that needs our workarounds?
//
// Debian's cups-daemon 2.4.2-3+deb12u10 crashes on a job string value with
// white space and on an @OWNER check for a user without a passwd entry.  The
// installed version is read from dpkg's status file (the package database,
// readable by everybody, no process started); a system without dpkg, or
// without cups-daemon in it, does not have that build.  Tests force a
// version with UPA_TEST_CUPSD_VERSION (never set it otherwise).  The answer
// is computed once per process: an upgrade restarts cupsd, and our programs
// are short-lived or started per job.
//

bool					// O - `true` if the workarounds apply
upaCupsDaemonIsAffected(void)
{
  static int	affected = -1;		// Cached answer
  const char	*forced;		// UPA_TEST_CUPSD_VERSION
  char		version[256] = "";	// Installed version


  if ((forced = getenv("UPA_TEST_CUPSD_VERSION")) != NULL)
    return (version_is_affected(forced));

  if (affected < 0)
  {
    upaCupsDaemonVersion(version, sizeof(version));
    affected = version_is_affected(version) ? 1 : 0;
    upaLog(UPA_LOG_DEBUG, "cups-daemon %s: %s", version[0] ? version : "(not a Debian package)", affected ? "Debian's deb12u10 build; its crashes are worked around" : "no workarounds needed");
  }

  return (affected == 1);
}


//
// 'upaCupsDaemonVersion()' - The installed Debian cups-daemon version, from dpkg's status file.
//

bool					// O - `true` if found
upaCupsDaemonVersion(char   *version,	// O - Version or ""
                     size_t versize)	// I - Size of version
{
  FILE		*fp;			// dpkg status file
  char		line[1024];		// Line
  bool		in_pkg = false,		// In the cups-daemon stanza?
		installed = false;	// Is it installed?
  char		found[256] = "";	// Its version


  if (versize > 0)
    *version = '\0';

  if ((fp = fopen("/var/lib/dpkg/status", "r")) == NULL)
    return (false);

  while (fgets(line, sizeof(line), fp))
  {
    line[strcspn(line, "\r\n")] = '\0';

    if (!line[0])
    {
      if (in_pkg)
        break;
      continue;
    }

    if (!strncmp(line, "Package: ", 9))
      in_pkg = !strcmp(line + 9, "cups-daemon");
    else if (in_pkg && !strncmp(line, "Status: ", 8))
      installed = strstr(line + 8, " installed") != NULL;
    else if (in_pkg && !strncmp(line, "Version: ", 9))
      upaCopyString(found, line + 9, sizeof(found));
  }

  fclose(fp);

  if (!installed || !found[0])
    return (false);

  upaCopyString(version, found, versize);
  return (true);
}


//
// 'version_is_affected()' - Is this cups-daemon version the deb12u10 build?
//

static bool				// O - `true` if affected
version_is_affected(const char *version)// I - Debian version
{
  return (version && !strcmp(version, "2.4.2-3+deb12u10"));
}


//
// 'upaCupsUserIsLocal()' - May "user" be named as a job owner in requests?
//
// True when the name has a passwd entry (see the top of this file for why
// nothing else may be).
//

bool					// O - `true` if "user" is a local account
upaCupsUserIsLocal(const char *user)	// I - User name
{
  return (user && *user && getpwnam(user) != NULL);
}


//
// 'upaCupsConnect()' - Connect to the local cupsd.
//
// cfg->cups_server is a domain socket path ("/run/cups/cups.sock"), a
// "host[:port]" or "" for libcups' own choice (CUPS_SERVER, client.conf).
//

http_t *				// O - Connection or NULL
upaCupsConnect(const upa_config_t *cfg)	// I - Configuration or NULL
{
  char		host[1024],		// Host name or socket path
		*colon;			// Port separator
  int		port;			// Port number
  http_t	*http;			// Connection


  // Never prompt on a terminal for a CUPS password (a kiosk would hang):
  // local identity comes from PeerCred or the request itself
  cupsSetPasswordCB2(no_password_cb, NULL);

  if (cfg && cfg->cups_server[0])
    upaCopyString(host, cfg->cups_server, sizeof(host));
  else
    upaCopyString(host, cupsServer(), sizeof(host));

  if (host[0] == '/')
  {
    // Domain socket: never encrypted
    http = httpConnect2(host, 0, NULL, AF_UNSPEC, HTTP_ENCRYPTION_NEVER, 1, 30000, NULL);
  }
  else
  {
    port = ippPort();

    // "host:port", "[v6addr]:port" or a bare host; a bare v6 address has no port
    if ((colon = strrchr(host, ':')) != NULL && (host[0] == '[' ? colon > strchr(host, ']') : strchr(host, ':') == colon))
    {
      *colon = '\0';
      port   = atoi(colon + 1);
    }

    if (host[0] == '[')
    {
      // Strip the brackets of an IPv6 literal
      size_t len = strlen(host);

      if (len > 2 && host[len - 1] == ']')
      {
        memmove(host, host + 1, len - 2);
        host[len - 2] = '\0';
      }
    }

    if (port <= 0 || port > 65535)
    {
      upaSetError(UPA_ERROR_CONFIG, "Bad CupsServer \"%s\": the port must be 1-65535", cfg ? cfg->cups_server : cupsServer());
      return (NULL);
    }

    http = httpConnect2(host, port, NULL, AF_UNSPEC, cupsEncryption(), 1, 30000, NULL);
  }

  if (!http)
  {
    upaSetError(UPA_ERROR_CUPS, "Cannot connect to the local CUPS server %s: %s; is cupsd running?", (cfg && cfg->cups_server[0]) ? cfg->cups_server : cupsServer(), cupsLastErrorString());
    return (NULL);
  }

  return (http);
}


//
// 'upaCupsCreateHeldJob()' - Create a job held indefinitely, owned by "user".
//
// The job carries the ticket options and the cloud link (upa-job-id,
// upa-device-id, upa-user-uri) as job attributes, which cupsd passes to the
// backend in argv[5].  upa-user-uri is a name, not a uri: cupsd leaves uri
// values out of argv[5].
//

int					// O - CUPS job-id or 0 on error
upaCupsCreateHeldJob(
    http_t              *http,		// I - Connection to cupsd
    const char          *queue,		// I - Queue name
    const char          *title,		// I - Job name
    const char          *user,		// I - Owner (requesting-user-name)
    int                 num_options,	// I - Number of ticket options
    cups_option_t       *options,	// I - Ticket options
    const upa_joblink_t *link,		// I - Cloud link or NULL
    char                *key,		// O - Job key (upaCupsJobKey()) or NULL
    size_t              keysize)	// I - Size of key
{
  ipp_t			*request,	// Create-Job request
			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  char			uri[1024];	// printer-uri
  int			job_id = 0;	// New job-id


  if (key && keysize > 0)
    *key = '\0';

  if (!http || !queue || !*queue)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsCreateHeldJob: no connection or queue");
    return (0);
  }

  assemble_printer_uri(uri, sizeof(uri), queue);

  request = ippNewRequest(IPP_OP_CREATE_JOB);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, (user && *user) ? user : cupsUser());
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, (title && *title) ? title : "Universal Print job");

  cupsEncodeOptions2(request, num_options, options, IPP_TAG_OPERATION);
  cupsEncodeOptions2(request, num_options, options, IPP_TAG_JOB);

  // Whatever the ticket said, the job waits for us
  while ((attr = ippFindAttribute(request, "job-hold-until", IPP_TAG_ZERO)) != NULL)
    ippDeleteAttribute(request, attr);
  ippAddString(request, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-hold-until", NULL, "indefinite");

  if (upaCupsDaemonIsAffected())
    upaCupsDropSpacedValues(request);

  if (link && link->job_id > 0)
  {
    ippAddInteger(request, IPP_TAG_JOB, IPP_TAG_INTEGER, UPA_OPTION_JOB_ID, link->job_id);
    if (link->device_id[0])
      ippAddString(request, IPP_TAG_JOB, IPP_TAG_NAME, UPA_OPTION_DEVICE_ID, NULL, link->device_id);
    if (link->user_uri[0])
      ippAddString(request, IPP_TAG_JOB, IPP_TAG_NAME, UPA_OPTION_USER_URI, NULL, link->user_uri);
  }

  // Ownership comes from requesting-user-name only when unauthenticated
  httpSetAuthString(http, NULL, NULL);

  response = cupsDoRequest(http, request, "/");

  if (check_ipp("create a held job on", queue, 0))
  {
    if ((attr = ippFindAttribute(response, "job-id", IPP_TAG_INTEGER)) != NULL)
      job_id = ippGetInteger(attr, 0);
    else
      upaSetError(UPA_ERROR_CUPS, "Local CUPS created a job on %s but returned no job-id", queue);
  }

  ippDelete(response);

  if (job_id > 0)
  {
    upa_cupsjob_t	info;		// The new job

    // Its key tells this job from a later one with the same id
    if (key && keysize > 0 && upaCupsJobGet(http, queue, job_id, &info))
      upaCupsJobKey(info.uuid, info.created, key, keysize);

    upaLog(UPA_LOG_DEBUG, "Created held CUPS job %s-%d for %s", queue, job_id, (user && *user) ? user : cupsUser());
  }

  return (job_id);
}


//
// 'upaCupsDropSpacedValues()' - Remove job attributes cupsd cannot start a job with.
//
// See the top of this file: a string value with white space crashes Debian's
// cupsd 2.4.2-3+deb12u10 when the job starts.  job-* attributes are safe
// (get_options() never passes them to filters).
//

void
upaCupsDropSpacedValues(ipp_t *request)	// I - Create-Job request
{
  ipp_attribute_t	*attr,		// Current attribute
			*next;		// Next attribute
  int			i,		// Looping var
			count;		// Number of values
  bool			spaced;		// Any value with white space?


  for (attr = ippFirstAttribute(request); attr; attr = next)
  {
    next = ippNextAttribute(request);

    if (ippGetGroupTag(attr) != IPP_TAG_JOB || !ippGetName(attr) || !strncmp(ippGetName(attr), "job-", 4))
      continue;

    switch (ippGetValueTag(attr))
    {
      case IPP_TAG_TEXT :
      case IPP_TAG_NAME :
      case IPP_TAG_TEXTLANG :
      case IPP_TAG_NAMELANG :
      case IPP_TAG_KEYWORD :
      case IPP_TAG_URI :
      case IPP_TAG_URISCHEME :
      case IPP_TAG_CHARSET :
      case IPP_TAG_LANGUAGE :
      case IPP_TAG_MIMETYPE :
          break;
      default :
          continue;
    }

    for (i = 0, count = ippGetCount(attr), spaced = false; i < count && !spaced; i ++)
      spaced = has_space(ippGetString(attr, i, NULL));

    if (spaced)
    {
      upaLog(UPA_LOG_WARN, "Not passing %s to CUPS: a value with white space crashes some cupsd versions (Debian 2.4.2-3+deb12u10)", ippGetName(attr));
      ippDeleteAttribute(request, attr);
    }
  }
}


//
// 'upaCupsStartDocument()' - Start streaming the (only) document of a job.
//
// Send-Document with last-document=true, sent as "user" (the owner): our own
// request rather than cupsStartDocument(), which always names cupsUser().
// Follow with upaCupsWriteData() and upaCupsFinishDocument(), or
// upaCupsAbortDocument() to throw the partial document away.
//

bool					// O - true if cupsd accepts the data
upaCupsStartDocument(
    http_t     *http,			// I - Connection to cupsd
    const char *queue,			// I - Queue name
    int        job_id,			// I - CUPS job-id
    const char *user,			// I - Owner (requesting-user-name)
    const char *docname,		// I - Document name or NULL
    const char *format)			// I - MIME type or NULL/"" (auto-type)
{
  ipp_t		*request;		// Send-Document request
  char		uri[1024];		// printer-uri
  http_status_t	status;			// HTTP status


  if (!http || !queue || job_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsStartDocument: bad arguments");
    return (false);
  }

  assemble_printer_uri(uri, sizeof(uri), queue);

  request = ippNewRequest(IPP_OP_SEND_DOCUMENT);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, (user = acting_user(user)) != NULL ? user : cupsUser());
  if (docname && *docname && (!has_space(docname) || !upaCupsDaemonIsAffected()))
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "document-name", NULL, docname);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, (format && *format) ? format : "application/octet-stream");
  ippAddBoolean(request, IPP_TAG_OPERATION, "last-document", 1);

  if (user)
    httpSetAuthString(http, NULL, NULL);

  status = cupsSendRequest(http, request, "/", CUPS_LENGTH_VARIABLE);
  ippDelete(request);

  if (status != HTTP_STATUS_CONTINUE)
  {
    // The request never got going: read whatever answer there is
    ippDelete(cupsGetResponse(http, "/"));
    if (cupsLastError() <= IPP_STATUS_OK_CONFLICTING)
      upaSetError(UPA_ERROR_CUPS, "Local CUPS refused the document for job %s-%d (HTTP %d)", queue, job_id, status);
    else
      check_ipp("send the document of", queue, job_id);
    return (false);
  }

  upaLog(UPA_LOG_DEBUG, "Streaming document into CUPS job %s-%d as %s", queue, job_id, (format && *format) ? format : "application/octet-stream");

  return (true);
}


//
// 'upaCupsWriteData()' - Stream document bytes into the started document.
//

bool					// O - true on success
upaCupsWriteData(http_t     *http,	// I - Connection to cupsd
                 const char *buffer,	// I - Bytes
                 size_t     len)	// I - Number of bytes
{
  http_status_t	status;			// HTTP status


  if (!http)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsWriteData: no connection");
    return (false);
  }

  if (len == 0)
    return (true);

  if ((status = cupsWriteRequestData(http, buffer, len)) != HTTP_STATUS_CONTINUE)
  {
    upaSetError(UPA_ERROR_CUPS, "Local CUPS stopped accepting the document (HTTP %d: %s)", status, cupsLastErrorString());
    return (false);
  }

  return (true);
}


//
// 'upaCupsFinishDocument()' - Finish the document and read cupsd's answer.
//

bool					// O - true if cupsd accepted the document
upaCupsFinishDocument(http_t     *http,	// I - Connection to cupsd
                      const char *queue)// I - Queue name (for messages)
{
  if (!http)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsFinishDocument: no connection");
    return (false);
  }

  ippDelete(cupsGetResponse(http, "/"));

  return (check_ipp("send the document to", queue, 0));
}


//
// 'upaCupsAbortDocument()' - Throw away a document being streamed.
//
// Finishing the chunked request would hand cupsd a truncated document that
// prints; breaking the connection makes cupsd discard it instead (the job
// stays held with no document).  The http_t is reconnected for further use.
//

bool					// O - true if reconnected
upaCupsAbortDocument(http_t *http)	// I - Connection to cupsd
{
  if (!http)
    return (false);

  httpShutdown(http);

  if (httpReconnect2(http, 30000, NULL))
  {
    upaSetError(UPA_ERROR_CUPS, "Cannot reconnect to the local CUPS server: %s", cupsLastErrorString());
    return (false);
  }

  return (true);
}


//
// 'upaCupsReleaseJob()' - Release a held job (as the process user).
//

bool					// O - true on success
upaCupsReleaseJob(http_t     *http,	// I - Connection to cupsd
                  const char *queue,	// I - Queue name
                  int        job_id)	// I - CUPS job-id
{
  return (job_request(http, IPP_OP_RELEASE_JOB, "release", queue, job_id, NULL));
}


//
// 'upaCupsReleaseJobAs()' - Release a held job as its owner.
//

bool					// O - true on success
upaCupsReleaseJobAs(http_t     *http,	// I - Connection to cupsd
                    const char *queue,	// I - Queue name
                    int        job_id,	// I - CUPS job-id
                    const char *user)	// I - Job owner or NULL
{
  return (job_request(http, IPP_OP_RELEASE_JOB, "release", queue, job_id, user));
}


//
// 'upaCupsCancelJob()' - Cancel a job (as the process user).
//

bool					// O - true on success
upaCupsCancelJob(http_t     *http,	// I - Connection to cupsd
                 const char *queue,	// I - Queue name
                 int        job_id)	// I - CUPS job-id
{
  return (job_request(http, IPP_OP_CANCEL_JOB, "cancel", queue, job_id, NULL));
}


//
// 'upaCupsCancelJobAs()' - Cancel a job as its owner.
//

bool					// O - true on success
upaCupsCancelJobAs(http_t     *http,	// I - Connection to cupsd
                   const char *queue,	// I - Queue name
                   int        job_id,	// I - CUPS job-id
                   const char *user)	// I - Job owner or NULL
{
  return (job_request(http, IPP_OP_CANCEL_JOB, "cancel", queue, job_id, user));
}


//
// 'upaCupsJobState()' - Get the state of a CUPS job.
//
// Returns 0 (not a valid state) with the last error set when the job cannot
// be queried, UPA_ERROR_NOT_FOUND when cupsd does not know it.
//

ipp_jstate_t				// O - Job state or 0
upaCupsJobState(http_t     *http,	// I - Connection to cupsd
                const char *queue,	// I - Queue name
                int        job_id)	// I - CUPS job-id
{
  int		docs;			// Number of documents


  return (upaCupsJobInfo(http, queue, job_id, &docs));
}


//
// 'upaCupsJobGet()' - Read a job's state, documents, uuid and cloud link.
//

bool					// O - true if the job exists
upaCupsJobGet(http_t        *http,	// I - Connection to cupsd
              const char    *queue,	// I - Queue name
              int           job_id,	// I - CUPS job-id
              upa_cupsjob_t *info)	// O - Job information
{
  if (info)
    memset(info, 0, sizeof(upa_cupsjob_t));

  if (!http || !queue || job_id <= 0 || !info)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsJobGet: bad arguments");
    return (false);
  }

  // cupsDoRequest() also authenticates (PeerCred) when cupsd asks
  return (job_get_answer(queue, job_id, cupsDoRequest(http, job_get_request(queue, job_id, 0, NULL), "/"), info));
}


//
// 'upaCupsJobGetSend()' - Send upaCupsJobGet()'s request, without waiting for the answer.
//

bool					// O - true if sent
upaCupsJobGetSend(http_t     *http,	// I - Connection to cupsd
                  const char *queue,	// I - Queue name
                  int        job_id)	// I - CUPS job-id
{
  ipp_t		*request;		// Get-Job-Attributes request
  http_status_t	status;			// HTTP status of the send


  if (!http || !queue || job_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsJobGetSend: bad arguments");
    return (false);
  }

  // As cupsDoRequest() does, up to the answer
  request = job_get_request(queue, job_id, 0, NULL);
  status  = cupsSendRequest(http, request, "/", ippLength(request));
  ippDelete(request);

  if (status != HTTP_STATUS_CONTINUE && status != HTTP_STATUS_OK)
  {
    upaSetError(UPA_ERROR_CUPS, "Unable to ask local CUPS about job %s-%d: %s", queue, job_id, cupsLastErrorString());
    return (false);
  }

  return (true);
}


//
// 'upaCupsJobGetAnswer()' - Read the answer to upaCupsJobGetSend().
//
// When cupsd wants authentication the request is made again with
// cupsDoRequest(), which gives it.
//

bool					// O - true if the job exists
upaCupsJobGetAnswer(http_t        *http,// I - Connection to cupsd
                    const char    *queue,
					// I - Queue name
                    int           job_id,
					// I - CUPS job-id
                    upa_cupsjob_t *info)// O - Job information
{
  ipp_t	*response;			// Response


  if (info)
    memset(info, 0, sizeof(upa_cupsjob_t));

  if (!http || !queue || job_id <= 0 || !info)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsJobGetAnswer: bad arguments");
    return (false);
  }

  response = cupsGetResponse(http, "/");
  if (!response && httpGetStatus(http) == HTTP_STATUS_UNAUTHORIZED)
    return (upaCupsJobGet(http, queue, job_id, info));

  return (job_get_answer(queue, job_id, response, info));
}


//
// 'job_get_answer()' - Take a Get-Job-Attributes answer apart (and free it).
//

static bool				// O - true if the job exists
job_get_answer(const char    *queue,	// I - Queue name
               int           job_id,	// I - CUPS job-id
               ipp_t         *response,	// I - Response or NULL
               upa_cupsjob_t *info)	// O - Job information
{
  ipp_attribute_t	*attr;		// Attribute
  bool			ok = false;	// Result


  if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND)
  {
    upaSetError(UPA_ERROR_NOT_FOUND, "CUPS job %s-%d does not exist", queue, job_id);
  }
  else if (check_ipp("query", queue, job_id))
  {
    for (attr = ippFirstAttribute(response); attr; attr = ippNextAttribute(response))
      job_attr(attr, info, NULL);

    ok = ippFindAttribute(response, "job-state", IPP_TAG_ENUM) != NULL;
    if (!ok)
      upaSetError(UPA_ERROR_CUPS, "Local CUPS returned no job-state for job %s-%d", queue, job_id);
  }

  ippDelete(response);

  return (ok);
}


//
// 'job_get_request()' - Make a Get-Job-Attributes request.
//
// "requested" NULL asks what upaCupsJobGet() needs.
//

static ipp_t *				// O - Request
job_get_request(const char        *queue,
					// I - Queue name
                int               job_id,
					// I - CUPS job-id
                int               num_requested,
					// I - Number of attributes asked, or 0
                const char *const *requested)
					// I - Attributes asked, or NULL
{
  ipp_t		*request;		// Get-Job-Attributes request
  char		uri[1024];		// printer-uri
  static const char * const get_requested[] =
  {					// What upaCupsJobGet() needs
    "job-state",
    "job-uuid",
    "number-of-documents",
    "time-at-creation",
    UPA_OPTION_JOB_ID,
    UPA_OPTION_DEVICE_ID,
    UPA_OPTION_USER_URI
  };


  if (!requested)
  {
    requested     = get_requested;
    num_requested = (int)(sizeof(get_requested) / sizeof(get_requested[0]));
  }

  assemble_printer_uri(uri, sizeof(uri), queue);

  request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", num_requested, NULL, requested);

  return (request);
}


//
// 'upaCupsLinkedJobs()' - List a queue's unfinished jobs that carry a cloud link.
//

int					// O - Number of jobs or -1
upaCupsLinkedJobs(http_t        *http,	// I - Connection to cupsd
                  const char    *queue,	// I - Queue name or `NULL` for all
                  upa_cupsjob_t **jobs,	// O - Jobs (malloc'd)
                  int           **ids)	// O - Their CUPS job-ids (malloc'd)
{
  ipp_t			*request,	// Get-Jobs request
			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  char			uri[1024];	// printer-uri
  int			count = 0,	// Jobs found
			alloc = 0,	// Allocated
			id;		// job-id of the current group
  upa_cupsjob_t		info;		// Current job
  static const char * const requested[] =
  {					// Attributes we need
    "job-id",
    "job-state",
    "job-uuid",
    "job-printer-uri",
    "time-at-creation",
    UPA_OPTION_JOB_ID,
    UPA_OPTION_DEVICE_ID
  };


  *jobs = NULL;
  *ids  = NULL;

  // "ipp://localhost/" asks cupsd for the jobs of every queue
  if (queue)
    assemble_printer_uri(uri, sizeof(uri), queue);
  else
    upaCopyString(uri, "ipp://localhost/", sizeof(uri));

  request = ippNewRequest(IPP_OP_GET_JOBS);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "not-completed");
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", (int)(sizeof(requested) / sizeof(requested[0])), NULL, requested);

  response = cupsDoRequest(http, request, "/");
  if (!check_ipp("list the jobs of", queue, 0))
  {
    ippDelete(response);
    return (-1);
  }

  memset(&info, 0, sizeof(info));
  id = 0;

  for (attr = ippFirstAttribute(response); ; attr = ippNextAttribute(response))
  {
    const char *name = attr ? ippGetName(attr) : NULL;
					// Attribute name

    if (!attr || !name)
    {
      // End of a job group: keep linked jobs
      if (id > 0 && info.link.job_id > 0 && info.link.device_id[0])
      {
        if (count >= alloc)
        {
          upa_cupsjob_t	*tjobs;		// New jobs array
          int		*tids;		// New ids array

          alloc = alloc ? alloc * 2 : 16;
          if ((tjobs = realloc(*jobs, (size_t)alloc * sizeof(upa_cupsjob_t))) == NULL)
            break;
          *jobs = tjobs;
          if ((tids = realloc(*ids, (size_t)alloc * sizeof(int))) == NULL)
            break;
          *ids = tids;
        }

        (*jobs)[count] = info;
        (*ids)[count]  = id;
        count ++;
      }

      memset(&info, 0, sizeof(info));
      id = 0;

      if (!attr)
        break;
      continue;
    }

    job_attr(attr, &info, &id);
  }

  ippDelete(response);

  return (count);
}


//
// 'upaCupsJobIsOurs()' - Is a CUPS job the one a release created?
//

bool					// O - true if it is
upaCupsJobIsOurs(
    const upa_cupsjob_t *info,		// I - Job information
    const char          *device_id,	// I - cloud_device_id
    int                 cloud_job_id,	// I - Cloud job-id
    const char          *recorded)	// I - Key recorded at creation, or NULL
{
  char	key[128];			// The job's key


  if (!info || !device_id || info->link.job_id != cloud_job_id || strcmp(info->link.device_id, device_id))
    return (false);

  upaCupsJobKey(info->uuid, info->created, key, sizeof(key));

  return (!recorded || upaCupsJobKeyMatches(recorded, key));
}


//
// 'upaCupsJobKey()' - Make a CUPS job's key from its job-uuid and time-at-creation.
//

bool					// O - true if both are known
upaCupsJobKey(const char *uuid,		// I - job-uuid
              time_t     created,	// I - time-at-creation
              char       *key,		// O - Key
              size_t     keysize)	// I - Size of key
{
  if (!key || keysize == 0)
    return (false);

  *key = '\0';

  if (!uuid || strncmp(uuid, "urn:uuid:", 9) || strchr(uuid, '@') || created <= 0)
    return (false);

  if ((size_t)snprintf(key, keysize, "%s@%lld", uuid, (long long)created) >= keysize)
  {
    *key = '\0';
    return (false);
  }

  return (true);
}


//
// 'upaCupsJobKeyMatches()' - Does a job's key match the recorded one?
//

bool					// O - true if it does
upaCupsJobKeyMatches(const char *recorded,
					// I - Recorded key, job-uuid (older records) or ""
                     const char *key)	// I - The job's key or ""
{
  size_t	len;			// Length of the uuid part


  if (!recorded || !*recorded)
    return (true);

  if (!key || !*key)
    return (false);

  if (strchr(recorded, '@'))
    return (!strcmp(recorded, key));

  // A journal written before keys recorded the job-uuid alone
  len = strlen(recorded);

  return (!strncmp(recorded, key, len) && key[len] == '@');
}


//
// 'upaCupsJobInfo()' - Get the state and number of documents of a CUPS job.
//
// A held job whose Send-Document was interrupted has no document: cupsd
// discards partial documents.
//

ipp_jstate_t				// O - Job state or 0
upaCupsJobInfo(http_t     *http,	// I - Connection to cupsd
               const char *queue,	// I - Queue name
               int        job_id,	// I - CUPS job-id
               int        *num_docs)	// O - number-of-documents
{
  ipp_t			*request,	// Get-Job-Attributes request
			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  ipp_jstate_t		state = (ipp_jstate_t)0;
					// Job state
  static const char * const requested[] =
  {					// Attributes we need
    "job-state",
    "number-of-documents"
  };


  if (num_docs)
    *num_docs = 0;

  if (!http || !queue || job_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsJobInfo: bad arguments");
    return ((ipp_jstate_t)0);
  }

  request  = job_get_request(queue, job_id, (int)(sizeof(requested) / sizeof(requested[0])), requested);
  response = cupsDoRequest(http, request, "/");

  if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND)
  {
    upaSetError(UPA_ERROR_NOT_FOUND, "CUPS job %s-%d does not exist", queue, job_id);
  }
  else if (check_ipp("query", queue, job_id))
  {
    if ((attr = ippFindAttribute(response, "job-state", IPP_TAG_ENUM)) != NULL)
      state = (ipp_jstate_t)ippGetInteger(attr, 0);
    else
      upaSetError(UPA_ERROR_CUPS, "Local CUPS returned no job-state for job %s-%d", queue, job_id);

    if (num_docs && (attr = ippFindAttribute(response, "number-of-documents", IPP_TAG_INTEGER)) != NULL)
      *num_docs = ippGetInteger(attr, 0);
  }

  ippDelete(response);

  return (state);
}


//
// 'upaCupsQueueReady()' - Check that a queue exists, accepts jobs and is not stopped.
//

bool					// O - true if ready
upaCupsQueueReady(http_t     *http,	// I - Connection to cupsd
                  const char *queue,	// I - Queue name
                  char       *why,	// O - Reason when not ready
                  size_t     whysize)	// I - Size of why
{
  ipp_t			*request,	// Get-Printer-Attributes request
			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  char			uri[1024],	// printer-uri
			reasons[512] = "",
					// printer-state-reasons (without "none")
			message[256] = "",
					// printer-state-message
			blocking[512] = "";
					// Reasons that stop printing
  size_t		rlen;		// Length of a reason
  ipp_pstate_t		state = IPP_PSTATE_IDLE;
					// printer-state
  bool			accepting = true;
					// printer-is-accepting-jobs
  bool			ready = false;	// Result
  int			i,		// Looping var
			count;		// Number of reasons
  static const char * const requested[] =
  {					// Attributes we need
    "printer-is-accepting-jobs",
    "printer-state",
    "printer-state-message",
    "printer-state-reasons"
  };


  if (why && whysize)
    *why = '\0';

  if (!http || !queue || !*queue)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsQueueReady: no connection or queue");
    return (false);
  }

  assemble_printer_uri(uri, sizeof(uri), queue);

  request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", (int)(sizeof(requested) / sizeof(requested[0])), NULL, requested);

  response = cupsDoRequest(http, request, "/");

  if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND)
  {
    if (why && whysize)
      snprintf(why, whysize, "queue %s does not exist in CUPS", queue);
    upaSetError(UPA_ERROR_CUPS, "Queue %s does not exist in CUPS", queue);
    ippDelete(response);
    return (false);
  }
  else if (!check_ipp("query", queue, 0))
  {
    if (why && whysize)
      snprintf(why, whysize, "%s", upaLastErrorString());
    ippDelete(response);
    return (false);
  }

  if ((attr = ippFindAttribute(response, "printer-state", IPP_TAG_ENUM)) != NULL)
    state = (ipp_pstate_t)ippGetInteger(attr, 0);
  if ((attr = ippFindAttribute(response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN)) != NULL)
    accepting = ippGetBoolean(attr, 0) != 0;
  if ((attr = ippFindAttribute(response, "printer-state-message", IPP_TAG_TEXT)) != NULL)
    upaCopyString(message, ippGetString(attr, 0, NULL), sizeof(message));
  if ((attr = ippFindAttribute(response, "printer-state-reasons", IPP_TAG_KEYWORD)) != NULL)
  {
    for (i = 0, count = ippGetCount(attr); i < count; i ++)
    {
      const char *reason = ippGetString(attr, i, NULL);
					// One reason
      size_t	len = strlen(reasons);	// Current length

      // "paused" just restates the stopped state
      if (!reason || !strcmp(reason, "none") || !strcmp(reason, "paused"))
        continue;

      snprintf(reasons + len, sizeof(reasons) - len, "%s%s", len ? ", " : "", reason);

      // Errors (RFC 8011 severity suffix) and an offline device block a release
      rlen = strlen(reason);
      if ((rlen > 6 && !strcmp(reason + rlen - 6, "-error")) || !strncmp(reason, "offline", 7) || !strcmp(reason, "media-empty") || !strcmp(reason, "media-jam") || !strcmp(reason, "door-open") || !strcmp(reason, "toner-empty") || !strcmp(reason, "marker-supply-empty"))
      {
        len = strlen(blocking);
        snprintf(blocking + len, sizeof(blocking) - len, "%s%s", len ? ", " : "", reason);
      }
    }
  }

  if (state == IPP_PSTATE_STOPPED)
  {
    if (why && whysize)
    {
      if (reasons[0])
        snprintf(why, whysize, "queue %s is stopped (%s)", queue, reasons);
      else if (message[0])
        snprintf(why, whysize, "queue %s is stopped (%s)", queue, message);
      else
        snprintf(why, whysize, "queue %s is stopped", queue);
    }
  }
  else if (!accepting)
  {
    if (why && whysize)
    {
      if (message[0])
        snprintf(why, whysize, "queue %s is not accepting jobs (%s)", queue, message);
      else
        snprintf(why, whysize, "queue %s is not accepting jobs", queue);
    }
  }
  else if (blocking[0])
  {
    // Idle or busy, but the printer reports it cannot print (out of paper,
    // jammed, offline...): the job would sit in CUPS while the user leaves
    if (why && whysize)
      snprintf(why, whysize, "printer %s cannot print now (%s)", queue, blocking);
  }
  else
    ready = true;

  if (!ready)
    upaSetError(UPA_ERROR_CUPS, "%s", why && whysize ? why : "queue not ready");

  ippDelete(response);

  return (ready);
}


//
// 'upaCupsGetDeviceURI()' - Get the device-uri of a queue.
//

bool					// O - true on success
upaCupsGetDeviceURI(http_t     *http,	// I - Connection to cupsd
                    const char *queue,	// I - Queue name
                    char       *uri,	// O - device-uri
                    size_t     urisize)	// I - Size of uri
{
  ipp_t			*request,	// CUPS-Get-Printers request
			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  bool			found = false;	// Found the queue?
  static const char * const requested[] =
  {					// Attributes we need
    "device-uri",
    "printer-name"
  };


  if (uri && urisize)
    *uri = '\0';

  if (!http || !queue || !*queue || !uri || urisize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsGetDeviceURI: bad arguments");
    return (false);
  }

  // CUPS-Get-Printers returns device-uri to anyone (Get-Printer-Attributes too,
  // but only for its own URI form); filter on first-printer-name + limit.
  request = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "first-printer-name", NULL, queue);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "limit", 1);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", (int)(sizeof(requested) / sizeof(requested[0])), NULL, requested);

  response = cupsDoRequest(http, request, "/");

  if (!check_ipp("list the printers of", queue, 0))
  {
    ippDelete(response);
    return (false);
  }

  for (attr = ippFirstAttribute(response); attr; attr = ippNextAttribute(response))
  {
    const char		*pname = NULL,	// printer-name
			*duri = NULL;	// device-uri

    if (ippGetGroupTag(attr) != IPP_TAG_PRINTER)
      continue;

    // Gather one printer group
    for (; attr && ippGetGroupTag(attr) == IPP_TAG_PRINTER; attr = ippNextAttribute(response))
    {
      const char *name = ippGetName(attr);
					// Attribute name

      if (!name)
        break;
      if (!strcmp(name, "printer-name") && ippGetValueTag(attr) == IPP_TAG_NAME)
        pname = ippGetString(attr, 0, NULL);
      else if (!strcmp(name, "device-uri") && ippGetValueTag(attr) == IPP_TAG_URI)
        duri = ippGetString(attr, 0, NULL);
    }

    if (pname && duri && !strcasecmp(pname, queue))
    {
      found = upaCopyString(uri, duri, urisize);
      if (!found)
        upaSetError(UPA_ERROR_INTERNAL, "Device URI of queue %s is too long", queue);
      ippDelete(response);
      return (found);
    }

    if (!attr)
      break;
  }

  ippDelete(response);

  upaSetError(UPA_ERROR_CUPS, "Queue %s does not exist in CUPS", queue);

  return (false);
}


//
// 'upaCupsSetDeviceURI()' - Change the device-uri of a queue (like lpadmin -v).
//
// An administrative operation: needs @SYSTEM (root over the domain socket).
//

bool					// O - true on success
upaCupsSetDeviceURI(http_t     *http,	// I - Connection to cupsd
                    const char *queue,	// I - Queue name
                    const char *uri)	// I - New device-uri
{
  ipp_t		*request;		// CUPS-Add-Modify-Printer request
  char		puri[1024];		// printer-uri


  if (!http || !queue || !*queue || !uri || !*uri)
  {
    upaSetError(UPA_ERROR_ARGS, "upaCupsSetDeviceURI: bad arguments");
    return (false);
  }

  assemble_printer_uri(puri, sizeof(puri), queue);

  request = ippNewRequest(IPP_OP_CUPS_ADD_MODIFY_PRINTER);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, puri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddString(request, IPP_TAG_PRINTER, IPP_TAG_URI, "device-uri", NULL, uri);

  ippDelete(cupsDoRequest(http, request, "/admin/"));

  if (!check_ipp("change the device URI of", queue, 0))
    return (false);

  upaLog(UPA_LOG_DEBUG, "Device URI of queue %s set", queue);

  return (true);
}


//
// 'upaJobLinkFromOptions()' - Read the cloud link from a job's options.
//

bool					// O - true if the job is linked to a cloud job
upaJobLinkFromOptions(
    int           num_options,		// I - Number of options
    cups_option_t *options,		// I - Options (argv[5] parsed)
    upa_joblink_t *link)		// O - Link
{
  const char	*value;			// Option value
  char		*end;			// End of number
  long		id;			// Job-id


  if (!link)
    return (false);

  memset(link, 0, sizeof(upa_joblink_t));

  if ((value = cupsGetOption(UPA_OPTION_JOB_ID, num_options, options)) == NULL)
    return (false);

  id = strtol(value, &end, 10);
  if (end == value || *end || id <= 0 || id > 0x7fffffff)
    return (false);

  if ((value = cupsGetOption(UPA_OPTION_DEVICE_ID, num_options, options)) == NULL || !*value)
    return (false);

  link->job_id = (int)id;
  upaCopyString(link->device_id, value, sizeof(link->device_id));

  if ((value = cupsGetOption(UPA_OPTION_USER_URI, num_options, options)) != NULL)
    upaCopyString(link->user_uri, value, sizeof(link->user_uri));

  return (true);
}


//
// 'upaJobUUIDFromOptions()' - Read the job-uuid cupsd put in a backend's argv[5].
//
// cupsd writes argv[5] from the job's attributes, job-uuid included, so the
// value is the one Get-Job-Attributes would answer with - and no more
// trustworthy: cupsd 2.4 keeps a job-uuid the submitter sent with
// Create-Job (so a job proves itself by its key, upaJobKeyFromOptions()).
// A submitter who sends one of another type gets a second job-uuid next to
// cupsd's own, and cupsParseOptions() keeps only the last: unless argv[5]
// holds exactly one (a value that merely looks like one also counts), the
// caller asks cupsd instead.
//

bool					// O - true if argv[5] names one job-uuid
upaJobUUIDFromOptions(
    const char    *argv5,		// I - Options as cupsd passed them
    int           num_options,		// I - Number of parsed options
    cups_option_t *options,		// I - Parsed options
    char          *uuid,		// O - job-uuid
    size_t        uuidsize)		// I - Size of uuid
{
  const char	*value;			// Parsed value


  if (uuid && uuidsize > 0)
    *uuid = '\0';

  if (!uuid || uuidsize == 0 || (value = option_once(argv5, "job-uuid", num_options, options)) == NULL || strncmp(value, "urn:uuid:", 9) || strlen(value) >= uuidsize)
    return (false);

  upaCopyString(uuid, value, uuidsize);

  return (true);
}


//
// 'upaJobKeyFromOptions()' - Read a job's key (job-uuid and time-at-creation) from argv[5].
//
// cupsd sets time-at-creation itself (a value the submitter sends is
// replaced), and writes it into argv[5] next to the job-uuid.  Exactly one
// of each, or the caller asks cupsd.
//

bool					// O - true if argv[5] names both once
upaJobKeyFromOptions(
    const char    *argv5,		// I - Options as cupsd passed them
    int           num_options,		// I - Number of parsed options
    cups_option_t *options,		// I - Parsed options
    char          *key,			// O - Key (upaCupsJobKey())
    size_t        keysize)		// I - Size of key
{
  char		uuid[64],		// job-uuid
		*end;			// End of the number
  const char	*value;			// time-at-creation
  long long	created;		// Its value


  if (key && keysize > 0)
    *key = '\0';

  if (!key || keysize == 0 || !upaJobUUIDFromOptions(argv5, num_options, options, uuid, sizeof(uuid)) || (value = option_once(argv5, "time-at-creation", num_options, options)) == NULL || !isdigit(*value & 255))
    return (false);

  errno   = 0;
  created = strtoll(value, &end, 10);
  if (*end || errno || created <= 0 || (long long)(time_t)created != created)
    return (false);

  return (upaCupsJobKey(uuid, (time_t)created, key, keysize));
}


//
// 'option_once()' - The value of an option argv[5] names exactly once.
//
// cupsParseOptions() keeps only the last of several, so argv[5] itself is
// counted (a value that merely looks like "name=" also counts).
//

static const char *			// O - Value or NULL
option_once(const char    *argv5,	// I - Options as cupsd passed them
            const char    *name,	// I - Option name
            int           num_options,	// I - Number of parsed options
            cups_option_t *options)	// I - Parsed options
{
  const char	*p;			// Looking at
  size_t	len = strlen(name);	// Length of the name
  int		count = 0;		// "name=" seen


  if (!argv5)
    return (NULL);

  for (p = argv5; (p = strstr(p, name)) != NULL; p += len)
  {
    if ((p == argv5 || isspace(p[-1] & 255)) && p[len] == '=')
      count ++;
  }

  return (count == 1 ? cupsGetOption(name, num_options, options) : NULL);
}


//
// 'acting_user()' - Whom to name in a request that cupsd checks for @OWNER.
//

static const char *			// O - Owner, or NULL for the process user
acting_user(const char *owner)		// I - Job owner or NULL
{
  if (!owner || !*owner)
    return (NULL);

  if (upaCupsDaemonIsAffected() && !upaCupsUserIsLocal(owner))
  {
    upaLog(UPA_LOG_DEBUG, "CUPS job owner \"%s\" has no local account: acting as %s", owner, cupsUser());
    return (NULL);
  }

  return (owner);
}


//
// 'assemble_printer_uri()' - Make the printer-uri of a local queue.
//

static void
assemble_printer_uri(char       *uri,	// O - URI
                     size_t     urisize,// I - Size of URI
                     const char *queue)	// I - Queue name
{
  httpAssembleURIf(HTTP_URI_CODING_ALL, uri, (int)urisize, "ipp", NULL, "localhost", 0, "/printers/%s", queue);
}


//
// 'check_ipp()' - Turn the last libcups status into the last upa error.
//

static bool				// O - true if the request succeeded
check_ipp(const char *what,		// I - What we tried ("release")
          const char *queue,		// I - Queue name
          int        job_id)		// I - Job-id or 0
{
  ipp_status_t	status = cupsLastError();
					// Status of the last request
  char		target[256];		// "job Floor3-17" or "queue Floor3"


  if (status <= IPP_STATUS_OK_CONFLICTING)
    return (true);

  if (job_id > 0)
    snprintf(target, sizeof(target), "job %s-%d", queue ? queue : "?", job_id);
  else if (queue)
    snprintf(target, sizeof(target), "queue %s", queue);
  else
    upaCopyString(target, "every queue", sizeof(target));

  if (status == IPP_STATUS_ERROR_FORBIDDEN || status == IPP_STATUS_ERROR_NOT_AUTHORIZED || status == IPP_STATUS_ERROR_NOT_AUTHENTICATED)
    upaSetError(UPA_ERROR_CUPS, "Local CUPS does not allow us to %s %s (%s): only the job owner or a CUPS SystemGroup member may (run as root with root in SystemGroup)", what, target, cupsLastErrorString());
  else
    upaSetError(UPA_ERROR_CUPS, "Local CUPS could not %s %s: %s", what, target, cupsLastErrorString());

  return (false);
}


//
// 'has_space()' - Does a string hold white space or control characters?
//

static bool				// O - `true` if it does
has_space(const char *s)		// I - String or NULL
{
  for (; s && *s; s ++)
    if (isspace(*s & 255) || iscntrl(*s & 255))
      return (true);

  return (false);
}


//
// 'job_attr()' - Take one job attribute of a Get-Job(s)-Attributes answer.
//

static void
job_attr(ipp_attribute_t *attr,		// I - Attribute
         upa_cupsjob_t   *info,		// IO - Job information
         int             *id)		// IO - job-id, or NULL
{
  const char	*name = ippGetName(attr);
					// Attribute name
  const char	*value = ippGetString(attr, 0, NULL);
					// String value or NULL
  ipp_tag_t	tag = ippGetValueTag(attr);
					// Value tag


  if (!name)
    return;

  if (id && !strcmp(name, "job-id") && tag == IPP_TAG_INTEGER)
    *id = ippGetInteger(attr, 0);
  else if (!strcmp(name, "job-state") && tag == IPP_TAG_ENUM)
    info->state = (ipp_jstate_t)ippGetInteger(attr, 0);
  else if (!strcmp(name, "number-of-documents") && tag == IPP_TAG_INTEGER)
    info->num_docs = ippGetInteger(attr, 0);
  else if (!strcmp(name, "job-uuid") && value)
    upaCopyString(info->uuid, value, sizeof(info->uuid));
  else if (!strcmp(name, "time-at-creation") && tag == IPP_TAG_INTEGER)
    info->created = (time_t)ippGetInteger(attr, 0);
  else if (!strcmp(name, "job-printer-uri") && value)
  {
    char	scheme[32],		// URI scheme
		userpass[256],		// User info
		host[256],		// Host
		resource[1024];		// Resource path
    int		port;			// Port

    // ipp://host/printers/NAME (a class is no queue of ours)
    if (httpSeparateURI(HTTP_URI_CODING_ALL, value, scheme, sizeof(scheme), userpass, sizeof(userpass), host, sizeof(host), &port, resource, sizeof(resource)) >= HTTP_URI_STATUS_OK && !strncmp(resource, "/printers/", 10) && !strchr(resource + 10, '/'))
      upaCopyString(info->queue, resource + 10, sizeof(info->queue));
  }
  else if (!strcmp(name, UPA_OPTION_JOB_ID))
    info->link.job_id = tag == IPP_TAG_INTEGER ? ippGetInteger(attr, 0) : value ? atoi(value) : 0;
  else if (!strcmp(name, UPA_OPTION_DEVICE_ID) && value)
    upaCopyString(info->link.device_id, value, sizeof(info->link.device_id));
  else if (!strcmp(name, UPA_OPTION_USER_URI) && value)
    upaCopyString(info->link.user_uri, value, sizeof(info->link.user_uri));
}


//
// 'job_request()' - Send Release-Job or Cancel-Job.
//

static bool				// O - true on success
job_request(http_t     *http,		// I - Connection to cupsd
            ipp_op_t   op,		// I - Operation
            const char *what,		// I - "release" or "cancel"
            const char *queue,		// I - Queue name
            int        job_id,		// I - CUPS job-id
            const char *user)		// I - Owner or NULL (process user)
{
  ipp_t		*request;		// Request
  char		uri[1024];		// printer-uri


  if (!http || !queue || job_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "Cannot %s a CUPS job: bad arguments", what);
    return (false);
  }

  assemble_printer_uri(uri, sizeof(uri), queue);

  request = ippNewRequest(op);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, (user = acting_user(user)) != NULL ? user : cupsUser());

  // As the owner: unauthenticated, so @OWNER is checked against the name;
  // libcups falls back to PeerCred (process user, @SYSTEM) on a 401.
  if (user)
    httpSetAuthString(http, NULL, NULL);

  ippDelete(cupsDoRequest(http, request, "/jobs/"));

  if (!check_ipp(what, queue, job_id))
    return (false);

  upaLog(UPA_LOG_DEBUG, "CUPS job %s-%d: %s done", queue, job_id, what);

  return (true);
}


//
// 'no_password_cb()' - Refuse to supply a password (no terminal prompts).
//

static const char *			// O - NULL (no password)
no_password_cb(const char *prompt,	// I - Prompt (unused)
               http_t     *http,	// I - Connection (unused)
               const char *method,	// I - HTTP method (unused)
               const char *resource,	// I - Resource (unused)
               void       *data)	// I - Callback data (unused)
{
  (void)prompt;
  (void)http;
  (void)method;
  (void)resource;
  (void)data;

  return (NULL);
}


//
// 'upaCupsStripCredentials()' - Remove "user:password@" from a device URI.
//
// URIs without credentials are copied verbatim (re-assembling would
// re-encode them).
//

void
upaCupsStripCredentials(
    const char *uri,			// I - URI
    char       *buffer,			// O - URI without credentials
    size_t     bufsize)			// I - Size of buffer
{
  char		scheme[64],		// Scheme
		userpass[256],		// Username:password
		host[256],		// Host
		resource[1024];		// Resource
  int		port;			// Port


  if (httpSeparateURI(HTTP_URI_CODING_ALL, uri, scheme, sizeof(scheme), userpass, sizeof(userpass), host, sizeof(host), &port, resource, sizeof(resource)) >= HTTP_URI_STATUS_OK && userpass[0])
  {
    if (httpAssembleURI(HTTP_URI_CODING_ALL, buffer, (int)bufsize, scheme, NULL, host, port, resource) >= HTTP_URI_STATUS_OK)
      return;
  }

  snprintf(buffer, bufsize, "%s", uri);
}
