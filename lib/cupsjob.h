//
// Local CUPS side of a release: a held job, streamed document, release/cancel.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The CUPS job is linked to its cloud job by three job attributes that reach
// the backend in argv[5]: upa-job-id, upa-device-id, upa-user-uri.
//

#ifndef UPA_CUPSJOB_H
#  define UPA_CUPSJOB_H
#  include <stdbool.h>
#  include <cups/cups.h>
#  include "config.h"

#  define UPA_OPTION_JOB_ID	"upa-job-id"		// Cloud job-id (integer)
#  define UPA_OPTION_DEVICE_ID	"upa-device-id"		// cloud_device_id
#  define UPA_OPTION_USER_URI	"upa-user-uri"		// mailto:UPN of the releasing user

typedef struct upa_joblink_s		// Cloud link carried by a CUPS job
{
  int		job_id;			// Cloud job-id (0 = no link)
  char		device_id[128];		// cloud_device_id
  char		user_uri[512];		// mailto:UPN or ""
} upa_joblink_t;

// Connect to the local cupsd named by cfg->cups_server (or libcups' default).
extern http_t	*upaCupsConnect(const upa_config_t *cfg);

// Create a job held indefinitely, owned by "user", carrying the link; returns
// the CUPS job-id or 0.  key (may be NULL) gets the new job's key
// (upaCupsJobKey()), "" when cupsd did not tell its uuid and creation time.
extern int	upaCupsCreateHeldJob(http_t *http, const char *queue, const char *title, const char *user, int num_options, cups_option_t *options, const upa_joblink_t *link, char *key, size_t keysize);

typedef struct upa_cupsjob_s		// What cupsd says of one job
{
  ipp_jstate_t	state;			// job-state
  int		num_docs;		// number-of-documents
  char		uuid[64];		// job-uuid ("" = not told)
  time_t	created;		// time-at-creation (0 = not told)
  char		queue[128];		// Queue, from job-printer-uri ("" = not told)
  upa_joblink_t	link;			// upa-job-id, upa-device-id, upa-user-uri
} upa_cupsjob_t;

// Read a job's state, documents, uuid and cloud link: false with
// UPA_ERROR_NOT_FOUND when cupsd has no such job.
extern bool	upaCupsJobGet(http_t *http, const char *queue, int job_id, upa_cupsjob_t *info);
// The same in two steps, so the caller works while cupsd answers: send the
// request (false on error; then no answer is read), then read the answer
// (as upaCupsJobGet()).  Nothing else may use the connection in between.
extern bool	upaCupsJobGetSend(http_t *http, const char *queue, int job_id);
extern bool	upaCupsJobGetAnswer(http_t *http, const char *queue, int job_id, upa_cupsjob_t *info);

// The jobs of a queue (NULL: of every queue, in one request) that are not
// finished and carry a cloud link, for the reconciler's orphan sweep:
// count, -1 on error; *jobs is malloc'd (caller frees; NULL when none);
// ids[i] is the CUPS job-id of jobs[i], jobs[i].queue its queue.
extern int	upaCupsLinkedJobs(http_t *http, const char *queue, upa_cupsjob_t **jobs, int **ids);

// Is this the CUPS job a release created?  Its link must name the cloud job
// and device, and its key must match the recorded one (upaCupsJobKeyMatches())
// when that is known: cupsd reuses job ids after a crash, so an id alone
// proves nothing.
extern bool	upaCupsJobIsOurs(const upa_cupsjob_t *info, const char *device_id, int cloud_job_id, const char *recorded);

// A CUPS job's key, "<job-uuid>@<time-at-creation>", what a release records
// to know its job again: cupsd reuses ids after a crash and keeps a job-uuid
// the submitter sends (and any user may read another's job-uuid), but sets
// time-at-creation itself.  false (key "") unless both are known.
extern bool	upaCupsJobKey(const char *uuid, time_t created, char *key, size_t keysize);
// Does a job's key match the one recorded?  An empty record matches
// anything (not known yet); a record of the job-uuid alone (journals written
// before keys) is matched by the uuid part.
extern bool	upaCupsJobKeyMatches(const char *recorded, const char *key);
// Remove the job attributes (other than job-*) with a string value holding
// white space or control characters: Debian's cupsd 2.4.2-3+deb12u10 crashes
// starting such a job.  upaCupsCreateHeldJob() does this itself.
extern void	upaCupsDropSpacedValues(ipp_t *request);
extern bool	upaCupsStartDocument(http_t *http, const char *queue, int job_id, const char *user, const char *docname, const char *format);
extern bool	upaCupsWriteData(http_t *http, const char *buffer, size_t len);
extern bool	upaCupsFinishDocument(http_t *http, const char *queue);
extern bool	upaCupsReleaseJob(http_t *http, const char *queue, int job_id);
extern bool	upaCupsCancelJob(http_t *http, const char *queue, int job_id);
extern ipp_jstate_t upaCupsJobState(http_t *http, const char *queue, int job_id);

// Ownership (see cupsjob.c): Send-Document and Release/Cancel "As" the job
// owner pass cupsd's @OWNER check unauthenticated when the owner has a local
// account (upaCupsUserIsLocal()); otherwise they act as the process user,
// which must then be the owner or @SYSTEM.
extern bool	upaCupsReleaseJobAs(http_t *http, const char *queue, int job_id, const char *user);
extern bool	upaCupsCancelJobAs(http_t *http, const char *queue, int job_id, const char *user);
extern bool	upaCupsUserIsLocal(const char *user);
// Is the installed cupsd Debian's 2.4.2-3+deb12u10, which crashes on white
// space in job values and on @OWNER checks of users without an account?  The
// workarounds above apply only then (UPA_TEST_CUPSD_VERSION forces a version,
// for tests only).
extern bool	upaCupsDaemonIsAffected(void);
extern bool	upaCupsDaemonVersion(char *version, size_t versize);
// Throw a partly streamed document away (cupsd discards it; the job stays
// held, without document); the connection is re-established.
extern bool	upaCupsAbortDocument(http_t *http);
// Job state plus number-of-documents (0 after an aborted Send-Document).
extern ipp_jstate_t upaCupsJobInfo(http_t *http, const char *queue, int job_id, int *num_docs);

// Queue state for gating a release: true when the queue exists, is accepting
// jobs, not stopped and reports no error/offline printer-state-reasons
// (media-empty-error, offline-report...); otherwise false with a human reason.
extern bool	upaCupsQueueReady(http_t *http, const char *queue, char *why, size_t whysize);

// Device URI of a queue, and rewriting it (CUPS-Add-Modify-Printer, lpadmin -v).
extern bool	upaCupsGetDeviceURI(http_t *http, const char *queue, char *uri, size_t urisize);
extern bool	upaCupsSetDeviceURI(http_t *http, const char *queue, const char *uri);

// A device URI without "user:password@", as cupsd passes it in argv[0]
// (URIs without credentials are copied verbatim).
extern void	upaCupsStripCredentials(const char *uri, char *buffer, size_t bufsize);

// Read the link from a job's options (argv[5] in a backend).
extern bool	upaJobLinkFromOptions(int num_options, cups_option_t *options, upa_joblink_t *link);

// The job-uuid cupsd put in argv[5] (from the same job attribute that
// Get-Job-Attributes answers with); false unless argv[5] holds exactly one.
extern bool	upaJobUUIDFromOptions(const char *argv5, int num_options, cups_option_t *options, char *uuid, size_t uuidsize);
// The job's key (upaCupsJobKey()) from argv[5]: its one job-uuid and its one
// time-at-creation; false (key "") otherwise.
extern bool	upaJobKeyFromOptions(const char *argv5, int num_options, cups_option_t *options, char *key, size_t keysize);

#endif // !UPA_CUPSJOB_H
