//
// The cloud link of a job for the "upa" backend: proven, or printed as a plain job.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Any user can submit a job with upa-job-id and upa-device-id options, so
// the options alone prove nothing.  A link counts only when the release
// journal says a release of this server created this very CUPS job for
// that cloud job: the journal's last record of the release names this CUPS
// job id and key, its job-uuid and time-at-creation (cupsd reuses ids after
// a crash; a submitter may send any job-uuid, and any user may read another
// job's, but cupsd sets time-at-creation).  A job whose link is not proven
// prints as a plain job and touches no cloud job.  The key is read from
// argv[5], where cupsd writes both; only when argv[5] does not hold exactly
// one of each is cupsd asked (Get-Job-Attributes), which made the start of
// every linked job wait for cupsd while it was starting that job.
//
// Linked jobs of one printer print one at a time across backend runs
// (upaOutboxLockPrinting()): a job cupsd requeues while an orphaned run of
// it still prints (its cupsd was killed) waits for that run to end.  A
// proven job that cupsd runs a second time (requeued by a cupsd restart
// or crash after it printed) is not printed again when its completion is
// already queued for the cloud; "upa-reprint=true" on a job still pending
// prints it on purpose (and reports nothing: the cloud job is finished).
//

#include "upa-backend.h"
#include "journal.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>


//
// 'upaBackendLinkAsk()' - Find this job's key, or ask cupsd for it; upaBackendCheckLink() reads the answer.
//
// argv[5] normally names it.  Otherwise: cupsd takes a few milliseconds to
// answer while it starts the job, and the device and the journal are read
// meanwhile.  Nothing happens when the request cannot be sent:
// upaBackendCheckLink() then asks again, waiting.
//

void
upaBackendLinkAsk(upa_backend_t *be)	// I - Backend state
{
  const char	*queue = getenv("PRINTER");
					// CUPS queue
  char		errbuf[1024];		// Library error


  if (be->link.job_id <= 0 || be->link_query || be->link_key[0] || !be->cfg || !queue)
    return;

  if (upaJobKeyFromOptions(be->options, be->num_options, be->cups_options, be->link_key, sizeof(be->link_key)))
    return;

  fputs("DEBUG: upa: The job options do not name one job-uuid and one time-at-creation; asking cupsd.\n", stderr);

  if ((be->link_query = upaCupsConnect(be->cfg)) != NULL && !upaCupsJobGetSend(be->link_query, queue, atoi(be->job_id)))
  {
    fprintf(stderr, "DEBUG: upa: Cannot ask cupsd about job %s: %s\n", be->job_id, upaBackendLastError(errbuf, sizeof(errbuf)));
    httpClose(be->link_query);
    be->link_query = NULL;
  }
}


//
// 'upaBackendLinkForget()' - Close a pending upaBackendLinkAsk() unread.
//

void
upaBackendLinkForget(upa_backend_t *be)	// I - Backend state
{
  if (be->link_query)
  {
    httpClose(be->link_query);
    be->link_query = NULL;
  }
}


//
// 'upaBackendCheckLink()' - Prove the job's cloud link and decide whether to print.
//

int					// O - 1 = print and report, 0 = print as a plain job, -1 = do not print
upaBackendCheckLink(upa_backend_t *be)	// I - Backend state
{
  upa_journal_t	*journal;		// Release journal
  upa_jentry_t	entry;			// Its record of the release
  upa_cupsjob_t	info;			// This job as cupsd sees it
  const char	*queue = getenv("PRINTER"),
					// CUPS queue
		*reprint;		// upa-reprint option
  http_t	*http;			// Connection to cupsd
  int		job_id = atoi(be->job_id),
					// CUPS job-id
		status,			// Lookup status
		queued;			// State queued for the cloud
  char		errbuf[1024];		// Library error


  if (be->link.job_id <= 0 || !be->cfg || !be->dev)
  {
    upaBackendLinkForget(be);
    return (0);
  }

  // The journal is read while cupsd answers (upaBackendLinkAsk())
  journal = upaJournalOpenReadOnly(be->cfg);

  // This job's key: from what cupsd wrote into argv[5], or its answer
  memset(&info, 0, sizeof(info));
  if (!be->link_key[0] && (be->link_query || !upaJobKeyFromOptions(be->options, be->num_options, be->cups_options, be->link_key, sizeof(be->link_key))))
  {
    if ((http = be->link_query) != NULL)
    {
      be->link_query = NULL;
      if (!upaCupsJobGetAnswer(http, queue, job_id, &info))
        fprintf(stderr, "DEBUG: upa: Cannot read job %d from cupsd: %s\n", job_id, upaBackendLastError(errbuf, sizeof(errbuf)));
      httpClose(http);
    }
    else if (queue && (http = upaCupsConnect(be->cfg)) != NULL)
    {
      if (!upaCupsJobGet(http, queue, job_id, &info))
        fprintf(stderr, "DEBUG: upa: Cannot read job %d from cupsd: %s\n", job_id, upaBackendLastError(errbuf, sizeof(errbuf)));
      httpClose(http);
    }

    upaCupsJobKey(info.uuid, info.created, be->link_key, sizeof(be->link_key));
  }

  // Without a key, only a release that recorded none (it could not read
  // cupsd's answer) can stand for this job
  if (!journal)
    status = -1;
  else
    status = upaJournalFindCupsJob(journal, be->dev->id, be->link.job_id, job_id, be->link_key[0] ? be->link_key : NULL, &entry);

  upaJournalClose(journal);

  if (status <= 0)
  {
    if (status < 0)
      fprintf(stderr, "WARNING: Cannot check the Universal Print link of this job (%s); printing it without reporting to the cloud.\n", upaBackendLastError(errbuf, sizeof(errbuf)));
    else
      fputs("WARNING: This job names a Universal Print job that no release on this print server created; printing it as a plain job, without reporting to the cloud.\n", stderr);

    be->link.job_id = 0;
    return (0);
  }

  fprintf(stderr, "DEBUG: upa: Link to Universal Print job %d proven by the release journal (%s).\n", be->link.job_id, upaJournalStepString(entry.step));

  if ((reprint = cupsGetOption("upa-reprint", be->num_options, be->cups_options)) != NULL && (!strcasecmp(reprint, "true") || !strcasecmp(reprint, "yes") || !strcmp(reprint, "1")))
  {
    fprintf(stderr, "INFO: Printing Universal Print job %d again on request (upa-reprint); the cloud is not told.\n", be->link.job_id);
    be->link.job_id = 0;
    return (0);
  }

  if (!be->outbox)
    be->outbox = upaOutboxOpen(be->cfg);

  // An earlier run of this job may still be printing (its cupsd was killed
  // and the restarted one requeued the job): wait for it, then look
  if (be->outbox && be->print_lock < 0)
  {
    time_t start = time(NULL);		// When we started waiting

    if ((be->print_lock = upaOutboxLockPrinting(be->outbox, be->device_id, &upa_job_canceled)) < 0 && !upa_job_canceled)
      fprintf(stderr, "DEBUG: upa: No printing lock (%s).\n", upaBackendLastError(errbuf, sizeof(errbuf)));
    else if (time(NULL) - start > 1)
      fprintf(stderr, "DEBUG: upa: Waited %d s for an earlier run of this printer to finish.\n", (int)(time(NULL) - start));
  }

  queued = be->outbox ? upaOutboxJobState(be->outbox, be->dev->id, be->link.job_id) : 0;

  if (queued == IPP_JSTATE_COMPLETED)
  {
    fprintf(stderr, "INFO: Universal Print job %d was printed already; not printing it again (upa(8), REQUEUED JOBS, says how to print it on purpose).\n", be->link.job_id);
    return (-1);
  }
  else if (queued >= IPP_JSTATE_CANCELED)
  {
    fprintf(stderr, "INFO: Universal Print job %d was %s in the cloud already; printing it without reporting to the cloud.\n", be->link.job_id, ippEnumString("job-state", queued));
    be->terminal_sent = true;
  }

  return (1);
}
