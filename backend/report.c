//
// Job reporting for the "upa" backend: Update-Job-Status through the outbox.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Every update is written to the durable outbox (lib/outbox.h) and nothing
// else happens on the print path.  When the sync service runs (it holds the
// outbox's service lock, lib/outboxwatch.c) it is woken by the new record
// and delivers it over its kept connection; otherwise a detached,
// short-lived flusher process (upaBackendSpawnFlusher()) delivers it.
// Either way older records go first, so the cloud sees the updates of a
// device in order.  An update the cloud cannot take
// now (unreachable, 429/5xx) waits for the next flusher, "upactl outbox
// flush" or the sync service.  So the backend never widens cupsd's requeue
// window: once the real backend has finished, only the (fsync'd) outbox
// write stands between its exit status and ours, with SIGTERM blocked.
//
// A job cupsd runs again (requeued by a cupsd restart or crash) whose
// completion is in the outbox already is not printed again (upa.c).
//
// Cloud state for each outcome (exactly one terminal state per job):
//
//   real backend                    CUPS job           cloud (output-device-job-state)
//   ------------------------------  -----------------  --------------------------------------
//   starts                          processing         processing, job-printing
//   exits 0                         completed          completed (+ impressions)
//   exits 5 (CANCEL)                canceled           canceled, job-canceled-at-device + why
//   exits 1 (FAILED) or crashes,    aborted            aborted, aborted-by-system + last ERROR:
//     error-policy abort-job
//   exits 1 or crashes, other       pending / stopped  processing-stopped (a later run reports
//     error-policy (retry-job,                          the end)
//     retry-current-job, stop-printer)
//   exits 3 (HOLD)                  held               pending-held, job-hold-until-specified
//   exits 2, 4, 6, 7                pending / stopped  processing-stopped
//   SIGTERM, CUPS job canceled      canceled           canceled, job-canceled-at-device
//   SIGTERM, job held               held               pending-held
//   SIGTERM, job requeued/shutdown  pending            processing-stopped
//

#include "upa-backend.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>


//
// Local functions...
//

static bool		error_policy(upa_backend_t *be, char *policy, size_t policysize);
static bool		open_outbox(upa_backend_t *be);


//
// 'upaBackendFlushOutbox()' - Deliver what earlier runs left for this device.
//

void
upaBackendFlushOutbox(upa_backend_t *be)// I - Backend state
{
  if (!be->cfg || !be->dev || !open_outbox(be))
    return;

  if (upaOutboxCountDevice(be->outbox, be->dev->id) <= 0)
    return;				// The common case: nothing to do, no traffic

  upaBackendDeliver(be);
}


//
// 'upaBackendReport()' - Queue one state of the linked job for the cloud.
//
// Best effort for the job: a failure never changes its outcome in CUPS.
//

bool					// O - true if the state is durable
upaBackendReport(upa_backend_t *be,	// I - Backend state
                 ipp_jstate_t  state,	// I - output-device-job-state
                 const char    *reason,	// I - output-device-job-state-reasons keyword
                 const char    *message,// I - output-device-job-state-message or NULL
                 int           impressions)
					// I - job-impressions-completed or -1
{
  upa_jobstatus_t	js;		// Status to send
  const char		*user_uri;	// requesting-user-uri or NULL
  char			errbuf[1024];	// Library error message
  sigset_t		mask,		// SIGTERM blocked
			oldmask;	// Previous mask
  bool			ok;		// Queued?


  if (!be->cfg || !be->dev || be->link.job_id <= 0 || be->terminal_sent)
    return (false);

  memset(&js, 0, sizeof(js));
  js.state       = state;
  js.reasons[0]  = reason;
  js.message     = message;
  js.impressions = impressions;
  user_uri       = be->link.user_uri[0] ? be->link.user_uri : NULL;

  if (state >= IPP_JSTATE_CANCELED)
    be->terminal_sent = true;

  // A cupsd restart now must not stop us between the real backend's end
  // and the durable record of it (the handler only counts and forwards)
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, &oldmask);

  ok = open_outbox(be) && upaOutboxAddJobStatus(be->outbox, be->dev->id, user_uri, be->link.job_id, &js);

  sigprocmask(SIG_SETMASK, &oldmask, NULL);

  if (!ok)
  {
    // No durable outbox (disk full, CacheDir unusable): the reconciler
    // (upa-release, upa-sync) reports the job from CUPS' view later.
    fprintf(stderr, "WARNING: Job status \"%s\" for Universal Print job %d could not be queued (%s); it will be reported from the print server's job history.\n", ippEnumString("job-state", (int)state), be->link.job_id, upaBackendLastError(errbuf, sizeof(errbuf)));
    return (false);
  }

  fprintf(stderr, "DEBUG: upa: Universal Print job %d: \"%s\" queued for the cloud.\n", be->link.job_id, ippEnumString("job-state", (int)state));

  upaBackendDeliver(be);

  return (true);
}


//
// 'upaBackendDeliver()' - Have the outbox delivered: by the sync service, else a flusher.
//
// Asked after the record is in place (renamed; durable, except at a warm
// run's end: upaBackendReportDefer()): a service that holds the lock now
// was watching the outbox before it took the lock, or delivers everything
// once after taking it, so it sees the record (lib/outboxwatch.c).  When
// unsure, a flusher is forked as before.
//

void
upaBackendDeliver(upa_backend_t *be)	// I - Backend state
{
  if (be->deliver_held)
  {
    be->deliver_due = true;
    return;
  }

  if (be->cfg && upaOutboxServiceRunning(be->cfg))
  {
    fprintf(stderr, "DEBUG: upa: The sync service delivers the outbox.\n");
    return;
  }

  upaBackendSpawnFlusher(be);
}


//
// 'upaBackendDeliverHeld()' - Deliver once what the end of the job queued.
//
// The final job state and the printer state as the job leaves it are
// queued one after the other; without the sync service each delivery
// would start a flusher of its own.
//

void
upaBackendDeliverHeld(upa_backend_t *be)// I - Backend state
{
  bool	due = be->deliver_due;		// Asked for while held?


  be->deliver_held = false;
  be->deliver_due  = false;

  if (due)
    upaBackendDeliver(be);
}


//
// 'upaBackendSpawnFlusher()' - Deliver the device's outbox from a detached process.
//
// The flusher is "upactl outbox flush --device ID --wait SECONDS", run as
// the backend account in a grandchild in its own session with /dev/null for
// stdio and every other descriptor closed: cupsd neither waits for it nor
// reads its output, and stopping the job does not stop it.  It waits for a
// flusher already running for the device (upaOutboxDeliver()), so no
// record is left behind, and gives up after UPA_BE_FLUSH_SECONDS * 6.  A
// program of its own, so the backend does not load the cloud client
// (libcurl and its dependencies) for every job.  UPA_UPACTL (cupsd's
// SetEnv, for tests) names another upactl.
//

void
upaBackendSpawnFlusher(upa_backend_t *be)
					// I - Backend state
{
  pid_t		pid;			// Child
  int		fd,			// /dev/null
		status;			// Child status
  const char	*upactl;		// Program
  char		seconds[16],		// Time limit
		*argv[8];		// Its arguments


  if (!be->outbox || !be->dev || getenv("UPA_BACKEND_NO_FLUSHER"))
    return;

  fflush(stderr);

  if ((pid = fork()) < 0)
  {
    fprintf(stderr, "DEBUG: upa: Cannot start the outbox flusher: %s\n", strerror(errno));
    return;
  }
  else if (pid > 0)
  {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR);
    fputs("DEBUG: upa: Started the outbox flusher.\n", stderr);
    return;
  }

  // Child: let go of cupsd's pipes first
  if ((fd = open("/dev/null", O_RDWR)) >= 0)
  {
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
      close(fd);
  }
  upaBackendCloseFrom(3);

  signal(SIGTERM, SIG_DFL);
  setsid();

  if ((pid = fork()) != 0)
    _exit(pid < 0 ? 1 : 0);

  snprintf(seconds, sizeof(seconds), "%d", UPA_BE_FLUSH_SECONDS * 6);
  argv[0] = "upactl";
  argv[1] = "outbox";
  argv[2] = "flush";
  argv[3] = "--device";
  argv[4] = be->dev->id;
  argv[5] = "--wait";
  argv[6] = seconds;
  argv[7] = NULL;

  if ((upactl = secure_getenv("UPA_UPACTL")) == NULL || !*upactl)
    upactl = UPA_SBINDIR "/upactl";

  execv(upactl, argv);
  _exit(1);
}


//
// 'upaBackendReportFinal()' - Report how the job ended (see the table at the top).
//

void
upaBackendReportFinal(upa_backend_t *be,// I - Backend state
                      int           status,
					// I - Real backend's exit status
                      bool          signaled,
					// I - Killed by a signal?
                      int           signum)
					// I - Signal number
{
  char		message[512],		// Status message
		policy[64];		// printer-error-policy
  int		impressions;		// Impressions completed
  ipp_jstate_t	cups_state;		// Job state in CUPS after SIGTERM


  impressions = be->impressions_total >= 0 ? be->impressions_total : be->impressions > 0 ? be->impressions : -1;

  if (upa_job_canceled && !be->term_forwarded && !signaled && status == CUPS_BACKEND_OK)
  {
    // The SIGTERM never reached the real backend (a shutdown or pause once
    // the printer had all of the job, or it came as the backend ended): it
    // printed.  Queued before we exit, so a requeued run does not print it
    // again.
    fputs("DEBUG: upa: Job finished after cupsd stopped it; reporting it printed.\n", stderr);
  }
  else if (upa_job_canceled)
  {
    // SIGTERM means cancel, hold or cupsd shutdown: only a job CUPS itself
    // no longer intends to print is canceled in the cloud.  When cupsd does
    // not answer (shutdown), the job is requeued and printed later.
    cups_state = upaBackendCupsJobState(be);
    fprintf(stderr, "DEBUG: upa: Job state in CUPS after SIGTERM: %d.\n", (int)cups_state);

    if (cups_state == IPP_JSTATE_CANCELED || cups_state == IPP_JSTATE_ABORTED)
      upaBackendReport(be, IPP_JSTATE_CANCELED, "job-canceled-at-device", "Canceled on the print server.", impressions);
    else if (cups_state == IPP_JSTATE_HELD)
      upaBackendReport(be, IPP_JSTATE_HELD, "job-hold-until-specified", "Held on the print server.", impressions);
    else
      upaBackendReport(be, IPP_JSTATE_STOPPED, "none", "Stopped on the print server; printing will resume.", impressions);
    return;
  }

  switch (signaled ? CUPS_BACKEND_FAILED : status)
  {
    case CUPS_BACKEND_OK :
        upaBackendReport(be, IPP_JSTATE_COMPLETED, "job-completed-successfully", NULL, impressions);
        break;

    case CUPS_BACKEND_CANCEL :
        // cupsd cancels the job ("Job canceled at printer").
        if (be->last_error[0])
          snprintf(message, sizeof(message), "The printer could not print the job: %s", be->last_error);
        else
          snprintf(message, sizeof(message), "The printer's \"%s\" backend canceled the job.", be->scheme);
        upaBackendReport(be, IPP_JSTATE_CANCELED, "job-canceled-at-device", message, impressions);
        break;

    case CUPS_BACKEND_FAILED :
        // What cupsd does now depends on the queue's error policy.
        if (signaled)
          snprintf(message, sizeof(message), "The printer's \"%s\" backend crashed (signal %d).", be->scheme, signum);
        else if (be->last_error[0])
          snprintf(message, sizeof(message), "%s", be->last_error);
        else
          snprintf(message, sizeof(message), "The printer's \"%s\" backend failed.", be->scheme);

        if (!error_policy(be, policy, sizeof(policy)))
          snprintf(policy, sizeof(policy), "unknown");
        fprintf(stderr, "DEBUG: upa: printer-error-policy is %s.\n", policy);

        if (!strcmp(policy, "abort-job"))
        {
          upaBackendReport(be, IPP_JSTATE_ABORTED, "aborted-by-system", message, impressions);
        }
        else
        {
          strncat(message, !strcmp(policy, "stop-printer") ? " The printer is stopped on the print server." : " The print server will retry.", sizeof(message) - strlen(message) - 1);
          upaBackendReport(be, IPP_JSTATE_STOPPED, !strcmp(policy, "stop-printer") ? "printer-stopped" : "none", message, impressions);
        }
        break;

    case CUPS_BACKEND_HOLD :
        upaBackendReport(be, IPP_JSTATE_HELD, "job-hold-until-specified", "The job is held on the print server.", impressions);
        break;

    case CUPS_BACKEND_STOP :
        upaBackendReport(be, IPP_JSTATE_STOPPED, "printer-stopped", "The printer is stopped on the print server.", impressions);
        break;

    case CUPS_BACKEND_AUTH_REQUIRED :
        upaBackendReport(be, IPP_JSTATE_STOPPED, "none", "The printer needs authentication on the print server.", impressions);
        break;

    default :
        // RETRY, RETRY_CURRENT and reserved codes: the job is printed later.
        snprintf(message, sizeof(message), "The printer's \"%s\" backend asked to retry (status %d).", be->scheme, status);
        upaBackendReport(be, IPP_JSTATE_STOPPED, "none", message, impressions);
        break;
  }
}


//
// 'upaBackendReportDefer()' - Leave the fsync() of the job's last records for later (warm run).
//
// Only when the launcher can be told the job's status before they are
// durable (upaBackendWarmRelease()); a cold run has nobody to tell earlier.
//

bool					// O - `true` when deferred
upaBackendReportDefer(upa_backend_t *be)// I - Backend state
{
  if (upaBackendFrontFD() < 0 || !be->cfg || !be->dev || !open_outbox(be))
    return (false);

  upaOutboxDeferSync(be->outbox);

  return (true);
}


//
// 'upaBackendReportSync()' - Make the records deferred by upaBackendReportDefer() durable.
//

void
upaBackendReportSync(upa_backend_t *be)	// I - Backend state
{
  char	errbuf[1024];			// Library error message


  // After upaBackendWarmRelease() stderr is /dev/null: the kernel logs the
  // disk's error, the record itself is written and will be delivered
  if (be->outbox && !upaOutboxSync(be->outbox))
    fprintf(stderr, "WARNING: The job's outcome could not be made durable (%s).\n", upaBackendLastError(errbuf, sizeof(errbuf)));
}


//
// 'upaBackendCupsJobState()' - Ask cupsd for the state of our job.
//
// Within a few seconds: a cupsd that is shutting down may accept the
// connection and never answer.
//

ipp_jstate_t				// O - Job state, IPP_JSTATE_PENDING if unknown
upaBackendCupsJobState(upa_backend_t *be)// I - Backend state
{
  const char	*queue = getenv("PRINTER");
					// CUPS queue
  http_t	*http;			// Connection to cupsd
  ipp_jstate_t	state = IPP_JSTATE_PENDING;
					// Job state


  if (queue && be->cfg && (http = upaCupsConnect(be->cfg)) != NULL)
  {
    httpSetTimeout(http, UPA_BE_CUPSD_TIMEOUT, NULL, NULL);
    state = upaCupsJobState(http, queue, atoi(be->job_id));
    httpClose(http);
  }

  return (state);
}


//
// 'error_policy()' - Ask cupsd for the queue's printer-error-policy.
//

static bool				// O - true if known
error_policy(upa_backend_t *be,		// I - Backend state
             char          *policy,	// O - Policy keyword
             size_t        policysize)	// I - Size of policy
{
  const char	*queue = getenv("PRINTER");
					// CUPS queue
  http_t	*http;			// Connection to cupsd
  ipp_t		*request,		// Get-Printer-Attributes
		*response;		// Answer
  ipp_attribute_t *attr;		// printer-error-policy
  char		uri[1024];		// printer-uri
  bool		ret = false;		// Result


  if (!queue || !be->cfg || (http = upaCupsConnect(be->cfg)) == NULL)
    return (false);

  httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof(uri), "ipp", NULL, "localhost", 0, "/printers/%s", queue);
  request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", NULL, "printer-error-policy");

  if ((response = cupsDoRequest(http, request, "/")) != NULL)
  {
    if ((attr = ippFindAttribute(response, "printer-error-policy", IPP_TAG_NAME)) != NULL || (attr = ippFindAttribute(response, "printer-error-policy", IPP_TAG_KEYWORD)) != NULL)
    {
      snprintf(policy, policysize, "%s", ippGetString(attr, 0, NULL));
      ret = true;
    }
    ippDelete(response);
  }

  if (!ret)
    fprintf(stderr, "DEBUG: upa: Could not get printer-error-policy of %s: %s\n", queue, cupsLastErrorString());

  httpClose(http);

  return (ret);
}


//
// 'open_outbox()' - Open the outbox on first use.
//

static bool				// O - true if open
open_outbox(upa_backend_t *be)		// I - Backend state
{
  if (!be->outbox && be->cfg)
    be->outbox = upaOutboxOpen(be->cfg);

  return (be->outbox != NULL);
}
