//
// The release protocol (design.md): never lose a job, never print one twice.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Fetch-first (default): Fetch-Job -> held CUPS job (journal "created") ->
// Fetch-Document streamed into it ("fetched") -> "acking" -> Acknowledge-Job
// ("acked") -> Release-Job ("released").  Until "acking" is on disk nothing
// can be claimed in the cloud, so any failure before it just cancels the
// local job.
//
// Acknowledge-first (setting, or fallback when the server refuses
// Fetch-Document before Acknowledge-Job): held job ("created") -> "acking"
// -> Acknowledge-Job ("acked") -> Fetch-Document -> Release-Job
// ("released").  A claimed job whose document did not arrive is fetched
// again (the bound device may), by this run or by recovery.
//
// An Acknowledge-Job that failed without a clear refusal (no answer, a cut
// or garbled answer, a 5xx, a timeout) may still have been committed: the
// cloud is asked (Fetch-Job).  Bound to us and no longer fetchable: ours,
// go on.  Still fetchable: not committed, try again.  Gone or bound
// elsewhere: not ours, cancel the local copy.  No answer: keep the held job
// and the "acking" record, recovery settles it.
//
// A document is released only when complete: the HTTP body ended properly
// (libupa's transport) and its size matches what the cloud announced.
//
// "released" is not the end: upaReleaseRecover() keeps looking at a
// released job until its terminal state is queued for the cloud (the
// outbox "states" ledger), re-fetching a claimed job whose CUPS copy
// vanished before it started printing, and reporting "aborted" for one lost
// while printing.  Every CUPS job named by the journal is checked to be the
// one we created (upa-job-id, upa-device-id, and its key: job-uuid and
// time-at-creation) before it is released, canceled or reported.
//

#include "upa-private.h"
#include "outbox.h"


//
// Local types...
//

#define UPA_RELEASE_SETTLE_TIME(cfg) ((cfg)->timeout > 30 ? 2 * (cfg)->timeout : 60)
					// Age of an "acking" record before "still
					// fetchable" counts as "not taken"

typedef struct release_ctx_s		// One release in progress
{
  upa_client_t		*client;	// Cloud session
  http_t		*cups;		// Local cupsd
  upa_journal_t		*journal;	// Journal or NULL
  const char		*queue;		// CUPS queue
  const char		*device_id;	// cloud_device_id
  const char		*user_uri;	// mailto:UPN
  char			owner[256];	// CUPS job owner
  upa_release_t		*result;	// Result/progress
  upa_release_cb_t	cb;		// Progress callback
  void			*cbdata;	// Callback data
  char			format[128];	// document-format for CUPS
  char			job_format[128];// document-format of the cloud job (Fetch-Job)
  char			key[96];	// CUPS job key (upaCupsJobKey())
  long long		job_k_octets;	// job-k-octets from Fetch-Job, -1 = unknown
  long long		doc_k_octets;	// Size announced by Fetch-Document, -1 = unknown
  bool			started;	// Send-Document started?
} release_ctx_t;

typedef struct saved_error_s		// A saved last error
{
  upa_error_t		err;		// Class
  ipp_status_t		ipp;		// IPP status
  char			message[1024];	// Message
} saved_error_t;

typedef enum claim_e			// Who holds a cloud job, as Fetch-Job tells
{
  CLAIM_OURS,				// Bound to this device, not fetchable
  CLAIM_FETCHABLE,			// Nobody's yet: still fetchable
  CLAIM_NOT_OURS,			// Gone, terminal, or bound elsewhere
  CLAIM_UNKNOWN				// The cloud did not answer
} claim_t;

typedef enum ack_e			// Outcome of the Acknowledge-Job step
{
  ACK_OURS,				// Claimed ("acked" journaled)
  ACK_REFUSED,				// Proven not ours: cancel the local copy
  ACK_UNKNOWN				// Cannot tell: keep everything for recovery
} ack_t;


//
// Local functions...
//

static ack_t	acknowledge(release_ctx_t *ctx);
static bool	announced_size(release_ctx_t *ctx, long long *lo, long long *hi);
static claim_t	check_claim(upa_client_t *client, const char *user_uri, int cloud_job_id, char *why, size_t whysize);
static bool	cloud_settled(upa_error_t err);
static bool	definite_refusal(void);
static bool	doc_data_cb(void *data, const char *buffer, size_t len);
static bool	doc_start_cb(void *data, ipp_t *response);
static bool	fetch_document(release_ctx_t *ctx);
static bool	fetch_with_retries(release_ctx_t *ctx, bool claimed);
static bool	finish_claimed(release_ctx_t *ctx);
static bool	is_transient(upa_error_t err);
static bool	journal_step(release_ctx_t *ctx, upa_jstep_t step);
static void	progress(release_ctx_t *ctx, upa_rstage_t stage);
static bool	queue_outcome(const upa_config_t *cfg, const upa_jentry_t *e, ipp_jstate_t state, const char *reason, const char *message);
static int	recover_entry(const upa_config_t *cfg, http_t *cups, upa_journal_t *journal, upa_jentry_t *e);
static int	sweep_orphans(const upa_config_t *cfg, http_t *cups, upa_journal_t *journal);
static int	refetch(const upa_config_t *cfg, http_t *cups, upa_journal_t *journal, const upa_device_t *dev, upa_jentry_t *e);
static bool	release_job(upa_client_t *client, http_t *cups, upa_journal_t *journal, const char *queue, const char *user_uri, int cloud_job_id, upa_release_cb_t cb, void *cbdata, upa_release_t *result, bool *recorded);
static bool	report_aborted(upa_client_t *client, const char *user_uri, int cloud_job_id, const char *message);
static void	restore_error(const saved_error_t *saved, const char *suffix);
static void	save_error(saved_error_t *saved);
static bool	setup_ticket(release_ctx_t *ctx, ipp_t *job);
static void	undo_local(release_ctx_t *ctx, upa_jstep_t step);


//
// 'upaReleaseClear()' - Free what a release result holds.
//

void
upaReleaseClear(upa_release_t *result)	// I - Result
{
  if (!result)
    return;

  upaTicketClear(&result->ticket);
  memset(result, 0, sizeof(upa_release_t));
}


//
// 'upaReleaseJob()' - Release one cloud job to a CUPS queue.
//
// The release lock of the job is taken before anything else, and the
// journal consulted: another station releasing the same job through this
// device is refused ("busy"), and a job this server already released is
// never fetched again, even when the cloud would still hand it out.
//

bool					// O - true when the CUPS job is released
upaReleaseJob(upa_client_t     *client,	// I - Cloud session of the device
              http_t           *cups,	// I - Connection to the local cupsd
              upa_journal_t    *journal,// I - Release journal (NULL = none)
              const char       *queue,	// I - CUPS queue
              const char       *user_uri,
					// I - mailto:UPN of the releasing user
              int              cloud_job_id,
					// I - Cloud job-id
              upa_release_cb_t cb,	// I - Progress callback or NULL
              void             *cbdata,	// I - Callback data
              upa_release_t    *result)	// O - Result (upaReleaseClear() it)
{
  const upa_device_t	*dev;		// Device
  upa_jentry_t		last;		// Last journal record of the job
  bool			recorded = false;
					// Did the journal get a record?
  bool			ok;		// Result
  int			status;		// Lock/lookup status
  saved_error_t		saved;		// Error while unlocking


  if (!client || !cups || !queue || !*queue || cloud_job_id <= 0 || (dev = upaClientGetDevice(client)) == NULL)
  {
    if (result)
    {
      memset(result, 0, sizeof(upa_release_t));
      result->cloud_job_id = cloud_job_id;
    }

    upaSetError(UPA_ERROR_ARGS, "upaReleaseJob: bad arguments");
    return (false);
  }

  if (!journal)
    return (release_job(client, cups, NULL, queue, user_uri, cloud_job_id, cb, cbdata, result, &recorded));

  if ((status = upaJournalLock(journal, dev->id, cloud_job_id)) <= 0)
  {
    if (status == 0)
      upaSetError(UPA_ERROR_BUSY, "Cloud job %d is being released at another station right now", cloud_job_id);
    goto refused;
  }

  if ((status = upaJournalLast(journal, dev->id, cloud_job_id, &last)) < 0)
  {
    upaJournalUnlock(journal, dev->id, cloud_job_id);
    goto refused;
  }
  else if (status > 0 && (last.step == UPA_JSTEP_RELEASED || last.step == UPA_JSTEP_ACKED || last.step == UPA_JSTEP_DONE))
  {
    upaJournalUnlock(journal, dev->id, cloud_job_id);
    upaSetError(UPA_ERROR_NOT_FETCHABLE, "Cloud job %d was already released here (CUPS job %s-%d)", cloud_job_id, queue, last.cups_job_id);
    goto refused;
  }
  else if (status > 0 && !UPA_JSTEP_FINAL(last.step))
  {
    // A dead process left it half done: recovery settles it first, so the
    // document can never be in CUPS twice
    upaJournalUnlock(journal, dev->id, cloud_job_id);
    upaSetError(UPA_ERROR_BUSY, "Cloud job %d has an interrupted release; 'upa-release --recover' must finish it first", cloud_job_id);
    goto refused;
  }

  ok = release_job(client, cups, journal, queue, user_uri, cloud_job_id, cb, cbdata, result, &recorded);

  if (!ok && !recorded)
  {
    save_error(&saved);
    upaJournalUnlock(journal, dev->id, cloud_job_id);
    restore_error(&saved, NULL);
  }

  return (ok);

  refused:

  if (result)
  {
    memset(result, 0, sizeof(upa_release_t));
    result->cloud_job_id = cloud_job_id;
    result->held_here    = upaLastError() == UPA_ERROR_BUSY;
  }

  upaLog(UPA_LOG_INFO, "%s", upaLastErrorString());

  return (false);
}


//
// 'release_job()' - Release one cloud job (the lock is ours).
//

static bool				// O - true when the CUPS job is released
release_job(upa_client_t     *client,	// I - Cloud session of the device
            http_t           *cups,	// I - Connection to the local cupsd
            upa_journal_t    *journal,	// I - Release journal (NULL = none)
            const char       *queue,	// I - CUPS queue
            const char       *user_uri,	// I - mailto:UPN of the releasing user
            int              cloud_job_id,
					// I - Cloud job-id
            upa_release_cb_t cb,	// I - Progress callback or NULL
            void             *cbdata,	// I - Callback data
            upa_release_t    *result,	// O - Result (upaReleaseClear() it)
            bool             *recorded)	// O - Set once the journal has a record
{
  release_ctx_t		ctx;		// Release state
  upa_release_t		local;		// Result when the caller has none
  const upa_device_t	*dev;		// Device
  const upa_config_t	*cfg;		// Configuration (via the journal)
  upa_order_t		order;		// Fetch/Acknowledge order
  ipp_t			*job;		// Fetch-Job response
  ipp_attribute_t	*attr;		// Attribute
  upa_joblink_t		link;		// Link of the CUPS job to the cloud job
  saved_error_t		saved;		// Error while undoing


  if (!result)
    result = &local;

  memset(result, 0, sizeof(upa_release_t));
  result->cloud_job_id = cloud_job_id;

  dev   = upaClientGetDevice(client);
  cfg   = upaJournalGetConfig(journal);
  order = cfg ? cfg->release_order : UPA_ORDER_FETCH_FIRST;

  memset(&ctx, 0, sizeof(ctx));
  ctx.client    = client;
  ctx.cups      = cups;
  ctx.journal   = journal;
  ctx.queue     = queue;
  ctx.device_id = dev->id;
  ctx.user_uri  = user_uri;
  ctx.result    = result;
  ctx.cb        = cb;
  ctx.cbdata    = cbdata;

  // 1. Fetch-Job: the ticket, and whether the job is still worth printing
  if ((job = upaInfraFetchJob(client, user_uri, cloud_job_id)) == NULL)
    return (false);

  if ((attr = ippFindAttribute(job, "job-state", IPP_TAG_ENUM)) != NULL && ippGetInteger(attr, 0) >= IPP_JSTATE_CANCELED)
  {
    upaSetError(UPA_ERROR_NOT_FETCHABLE, "Cloud job %d is %s: there is nothing to print", cloud_job_id, ippEnumString("job-state", ippGetInteger(attr, 0)));
    ippDelete(job);
    return (false);
  }

  // Bound to a device (ours: another device's job fails Fetch-Job) and no
  // longer fetchable: it was released before, by this device
  if (ippFindAttribute(job, "output-device-assigned", IPP_TAG_ZERO) && (attr = ippFindAttribute(job, "job-state-reasons", IPP_TAG_KEYWORD)) != NULL && !ippContainsString(attr, "job-fetchable"))
  {
    upaSetError(UPA_ERROR_NOT_FETCHABLE, "Cloud job %d was already released at a printer: there is nothing to print", cloud_job_id);
    ippDelete(job);
    return (false);
  }

  setup_ticket(&ctx, job);
  ippDelete(job);

  progress(&ctx, UPA_RSTAGE_TICKET);

  // 2. A held CUPS job linked to the cloud job
  memset(&link, 0, sizeof(link));
  link.job_id = cloud_job_id;
  upaCopyString(link.device_id, dev->id, sizeof(link.device_id));
  upaCopyString(link.user_uri, user_uri, sizeof(link.user_uri));

  if ((result->cups_job_id = upaCupsCreateHeldJob(cups, queue, result->ticket.title, ctx.owner, result->ticket.num_options, result->ticket.options, &link, ctx.key, sizeof(ctx.key))) == 0)
    return (false);			// Nothing claimed, nothing to undo

  if (journal_step(&ctx, UPA_JSTEP_CREATED))
    *recorded = journal != NULL;
  else
  {
    // Without a journal record a crash could not be recovered: stop here
    save_error(&saved);
    upaCupsCancelJobAs(cups, queue, result->cups_job_id, ctx.owner);
    restore_error(&saved, NULL);
    return (false);
  }

  progress(&ctx, UPA_RSTAGE_CREATED);

  // 3. Claim first if so configured
  if (order == UPA_ORDER_ACK_FIRST)
    return (finish_claimed(&ctx));

  // 4. The document, streamed into the held job
  if (!fetch_with_retries(&ctx, false))
  {
    if (upaLastError() == UPA_ERROR_NOT_POSSIBLE && result->bytes == 0 && !result->cancel)
    {
      // PWG-style server: Acknowledge-Job must come first.  Nothing was
      // streamed, the held job is intact: claim, then fetch into it.
      upaLog(UPA_LOG_INFO, "Cloud refused Fetch-Document before Acknowledge-Job for job %d: acknowledging first", cloud_job_id);
      return (finish_claimed(&ctx));
    }

    // Nothing claimed: the cloud job stays fetchable
    save_error(&saved);
    undo_local(&ctx, UPA_JSTEP_CANCELED);
    restore_error(&saved, result->cancel ? NULL : "Nothing was printed; the job is still waiting in the cloud");
    return (false);
  }

  if (!journal_step(&ctx, UPA_JSTEP_FETCHED))
  {
    save_error(&saved);
    undo_local(&ctx, UPA_JSTEP_CANCELED);
    restore_error(&saved, NULL);
    return (false);
  }

  progress(&ctx, UPA_RSTAGE_FETCHED);

  // 5. Claim the job: if the cloud refuses (released elsewhere, expired...)
  // nothing prints and the cloud job is untouched
  switch (acknowledge(&ctx))
  {
    case ACK_OURS :
        break;

    case ACK_REFUSED :
        undo_local(&ctx, UPA_JSTEP_CANCELED);
        return (false);

    case ACK_UNKNOWN :
        return (false);			// Held, "acking": recovery settles it
  }

  progress(&ctx, UPA_RSTAGE_ACKED);

  // 6. Print it
  if (!upaCupsReleaseJobAs(cups, queue, result->cups_job_id, ctx.owner))
  {
    // Claimed and complete: the "acked" record lets recovery release it
    save_error(&saved);
    restore_error(&saved, "The job is held in CUPS and will be released by 'upa-release --recover'");
    return (false);
  }

  if (!journal_step(&ctx, UPA_JSTEP_RELEASED))
    upaLog(UPA_LOG_WARN, "Cloud job %d released as CUPS job %s-%d, but: %s", cloud_job_id, queue, result->cups_job_id, upaLastErrorString());

  progress(&ctx, UPA_RSTAGE_RELEASED);

  upaLog(UPA_LOG_INFO, "Released cloud job %d as CUPS job %s-%d (%lld bytes)", cloud_job_id, queue, result->cups_job_id, result->bytes);

  return (true);
}


//
// 'finish_claimed()' - Acknowledge-first: claim, fetch (again if needed), release.
//
// Once the job is ours the cloud keeps it for this device, so a document
// that did not arrive is fetched again; only when that keeps failing (or
// the user cancels) is the job reported to the cloud, and if even that
// fails the held job and the "acked" record stay for recovery.
//

static bool				// O - true when released
finish_claimed(release_ctx_t *ctx)	// I - Release state
{
  saved_error_t	saved;			// Fetch error
  char		message[1200];		// Status message for the cloud
  bool		canceled;		// Stopped by the user?


  switch (acknowledge(ctx))
  {
    case ACK_OURS :
        break;

    case ACK_REFUSED :
        undo_local(ctx, UPA_JSTEP_CANCELED);
        return (false);

    case ACK_UNKNOWN :
        return (false);
  }

  progress(ctx, UPA_RSTAGE_ACKED);

  if (fetch_with_retries(ctx, true))
  {
    progress(ctx, UPA_RSTAGE_FETCHED);

    if (!upaCupsReleaseJobAs(ctx->cups, ctx->queue, ctx->result->cups_job_id, ctx->owner))
    {
      save_error(&saved);
      restore_error(&saved, "The job is held in CUPS and will be released by 'upa-release --recover'");
      return (false);
    }

    if (!journal_step(ctx, UPA_JSTEP_RELEASED))
      upaLog(UPA_LOG_WARN, "Cloud job %d: %s", ctx->result->cloud_job_id, upaLastErrorString());

    progress(ctx, UPA_RSTAGE_RELEASED);

    upaLog(UPA_LOG_INFO, "Released cloud job %d as CUPS job %s-%d (%lld bytes)", ctx->result->cloud_job_id, ctx->queue, ctx->result->cups_job_id, ctx->result->bytes);
    return (true);
  }

  save_error(&saved);
  canceled = ctx->result->cancel || saved.err == UPA_ERROR_CANCELED;

  if (!canceled && is_transient(saved.err))
  {
    // The cloud may deliver later: keep the held job and "acked" record
    upaLog(UPA_LOG_WARN, "Cloud job %d: %s; it is held in CUPS and 'upa-release --recover' will fetch it again", ctx->result->cloud_job_id, saved.message);
    restore_error(&saved, "The job is held and will be fetched again by 'upa-release --recover'");
    return (false);
  }

  if (canceled)
    snprintf(message, sizeof(message), "Canceled by the user at the release station.");
  else
    snprintf(message, sizeof(message), "The print server could not fetch the document: %.900s", saved.message);

  if (canceled)
  {
    upa_jobstatus_t	status;		// Update-Job-Status payload

    memset(&status, 0, sizeof(status));
    status.state       = IPP_JSTATE_CANCELED;
    status.reasons[0]  = "job-canceled-by-user";
    status.message     = message;
    status.impressions = -1;

    if (upaInfraUpdateJobStatus(ctx->client, ctx->user_uri, ctx->result->cloud_job_id, &status) || cloud_settled(upaLastError()))
    {
      undo_local(ctx, UPA_JSTEP_ABORTED);
      restore_error(&saved, "The job was canceled");
      return (false);
    }
  }
  else if (report_aborted(ctx->client, ctx->user_uri, ctx->result->cloud_job_id, message))
  {
    undo_local(ctx, UPA_JSTEP_ABORTED);
    restore_error(&saved, "The job was reported aborted");
    return (false);
  }
  else if (cloud_settled(upaLastError()))
  {
    // The cloud refuses the status: the job is already over there (e.g.
    // canceled by the user), so there is nothing left to print or report
    upaLog(UPA_LOG_INFO, "Cloud job %d: %s", ctx->result->cloud_job_id, upaLastErrorString());
    undo_local(ctx, UPA_JSTEP_ABORTED);
    restore_error(&saved, NULL);
    return (false);
  }

  // Keep the held job and the "acked" record: recovery reports it later
  upaLog(UPA_LOG_WARN, "Cloud job %d: could not report the failure (%s); 'upa-release --recover' will", ctx->result->cloud_job_id, upaLastErrorString());
  restore_error(&saved, NULL);

  return (false);
}


//
// 'upaReleaseRecover()' - The reconciler: settle every open release nobody works on.
//

int					// O - Number of releases handled or -1
upaReleaseRecover(
    const upa_config_t *cfg,		// I - Configuration
    http_t             *cups,		// I - Connection to the local cupsd
    upa_journal_t      *journal)	// I - Release journal
{
  upa_jentry_t	*entries = NULL;	// Open releases
  int		num_entries,		// Number of open releases
		i,			// Looping var
		handled = 0;		// Releases moved on


  if (!cfg || !cups || !journal)
  {
    upaSetError(UPA_ERROR_ARGS, "upaReleaseRecover: bad arguments");
    return (-1);
  }

  // Held copies no journal record stands for (a release stopped between
  // Create-Job and its first record) would stay held forever
  handled = sweep_orphans(cfg, cups, journal);

  if ((num_entries = upaJournalPending(journal, &entries)) < 0)
    return (-1);

  for (i = 0; i < num_entries; i ++)
    if (recover_entry(cfg, cups, journal, entries + i) == 1)
      handled ++;

  free(entries);

  return (handled);
}


//
// 'recover_entry()' - Settle one open release.
//
//   last step       CUPS job (ours?)        what happens
//   --------------  ----------------------  ---------------------------------------
//   created/fetched any                     cancel ours (Acknowledge-Job never sent)
//   acking          -                       ask the cloud: ours -> as acked;
//                                           fetchable/not ours -> cancel ours;
//                                           no answer -> try again later
//   acked           held with document      release it
//                   held without document   fetch it again, release
//                   released already        "released"
//                   gone / not ours         fetch again into a new held job
//                   canceled/aborted        report that outcome, "done"
//   released        outcome queued          "done"
//                   pending/held/printing   nothing yet
//                   ended, outcome missing  queue the CUPS outcome, "done"
//                   gone / not ours         never started printing: fetch again;
//                                           started: report aborted, "done"
//

static int				// O - 1 = recovered, 2 = closed normally, 0 = left open, -1 = error
recover_entry(const upa_config_t *cfg,	// I - Configuration
              http_t             *cups,	// I - Connection to cupsd
              upa_journal_t      *journal,
					// I - Journal
              upa_jentry_t       *e)	// I - Open release
{
  upa_device_t	*dev;			// Device of the entry
  upa_client_t	*client = NULL;		// Cloud session
  upa_outbox_t	*ob = NULL;		// Outbox
  upa_cupsjob_t	info;			// CUPS job
  bool		exists,			// Does the CUPS job exist?
		ours = false;		// ... and is it the one we created?
  char		owner[256],		// CUPS job owner
		why[512];		// What the cloud says
  int		queued,			// State queued for the cloud
		ret = 0;		// Result
  claim_t	claim;			// Who holds the cloud job


  if ((dev = upaDeviceLoad(cfg, e->device_id)) == NULL)
  {
    upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: device %s: %s", e->cloud_job_id, e->device_id, upaLastErrorString());
    return (-1);
  }

  upaTicketUserFromURI(e->user_uri, owner, sizeof(owner));
  if (upaCupsDaemonIsAffected() && !upaCupsUserIsLocal(owner))
    owner[0] = '\0';			// Act as ourselves (root: @SYSTEM)

  // The CUPS job named by the journal, if it is still the one we created
  memset(&info, 0, sizeof(info));
  exists = e->cups_job_id > 0 && upaCupsJobGet(cups, dev->queue, e->cups_job_id, &info);
  if (!exists && e->cups_job_id > 0 && upaLastError() != UPA_ERROR_NOT_FOUND)
  {
    upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
    upaDeviceDelete(dev);
    return (-1);
  }

  if (exists)
  {
    ours = upaCupsJobIsOurs(&info, e->device_id, e->cloud_job_id, e->key);
    if (!ours)
      upaLog(UPA_LOG_WARN, "Recovery: CUPS job %s-%d is not the job created for cloud job %d (cupsd reused the id); it is left alone", dev->queue, e->cups_job_id, e->cloud_job_id);
  }

  switch (e->step)
  {
    case UPA_JSTEP_CREATED :
    case UPA_JSTEP_FETCHED :
        // Acknowledge-Job was never sent: nothing is claimed in the cloud
        if (ours && info.state < IPP_JSTATE_CANCELED && !upaCupsCancelJobAs(cups, dev->queue, e->cups_job_id, owner[0] ? owner : NULL))
        {
          upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
          ret = -1;
          break;
        }

        upaLog(UPA_LOG_INFO, "Recovery: cloud job %d was never claimed by this printer; %s, and the job is still waiting in the cloud", e->cloud_job_id, ours ? "its held CUPS copy was canceled" : "there was no CUPS copy to cancel");
        ret = upaJournalRecord(journal, UPA_JSTEP_CANCELED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
        break;

    case UPA_JSTEP_ACKING :
        // Acknowledge-Job may or may not have been committed: ask the cloud
        if ((client = upaClientCreate(cfg, dev)) == NULL)
        {
          ret = -1;
          break;
        }

        claim = check_claim(client, e->user_uri[0] ? e->user_uri : NULL, e->cloud_job_id, why, sizeof(why));

        if (claim == CLAIM_UNKNOWN)
        {
          upaLog(UPA_LOG_WARN, "Recovery: cannot tell yet whether cloud job %d is claimed by this printer (%s); its CUPS copy stays held", e->cloud_job_id, why);
          break;
        }
        else if (claim == CLAIM_FETCHABLE && time(NULL) - e->time < UPA_RELEASE_SETTLE_TIME(cfg))
        {
          // An Acknowledge-Job the cloud still holds may commit yet
          upaLog(UPA_LOG_INFO, "Recovery: cloud job %d is still fetchable, but its Acknowledge-Job is recent; deciding later", e->cloud_job_id);
          break;
        }
        else if (claim != CLAIM_OURS)
        {
          if (ours && info.state < IPP_JSTATE_CANCELED && !upaCupsCancelJobAs(cups, dev->queue, e->cups_job_id, owner[0] ? owner : NULL))
          {
            upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
            ret = -1;
            break;
          }

          upaLog(UPA_LOG_INFO, "Recovery: cloud job %d is not claimed by this printer (%s); its CUPS copy was canceled and nothing was printed", e->cloud_job_id, why);
          ret = upaJournalRecord(journal, UPA_JSTEP_CANCELED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
          break;
        }

        upaLog(UPA_LOG_INFO, "Recovery: the cloud confirms cloud job %d is claimed by this printer", e->cloud_job_id);
        if (!upaJournalRecord(journal, UPA_JSTEP_ACKED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key))
        {
          ret = -1;
          break;
        }
        e->step = UPA_JSTEP_ACKED;
        // Now an acked release...
        // Fall through

    case UPA_JSTEP_ACKED :
        if (ours && info.state == IPP_JSTATE_HELD && info.num_docs > 0)
        {
          // Claimed and complete: print it
          if (!upaCupsReleaseJobAs(cups, dev->queue, e->cups_job_id, owner[0] ? owner : NULL))
          {
            upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
            ret = -1;
            break;
          }

          upaLog(UPA_LOG_INFO, "Recovery: released CUPS job %s-%d of cloud job %d", dev->queue, e->cups_job_id, e->cloud_job_id);
          ret = upaJournalRecord(journal, UPA_JSTEP_RELEASED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
        }
        else if (ours && (info.state == IPP_JSTATE_PENDING || info.state == IPP_JSTATE_PROCESSING || info.state == IPP_JSTATE_STOPPED || info.state == IPP_JSTATE_COMPLETED))
        {
          upaLog(UPA_LOG_INFO, "Recovery: CUPS job %s-%d of cloud job %d was already released", dev->queue, e->cups_job_id, e->cloud_job_id);
          ret = upaJournalRecord(journal, UPA_JSTEP_RELEASED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
        }
        else if (ours && info.state >= IPP_JSTATE_CANCELED)
        {
          // Canceled in CUPS (by the user or an admin) before it printed
          snprintf(why, sizeof(why), "The job was %s on the print server before it printed.", info.state == IPP_JSTATE_CANCELED ? "canceled" : "aborted");
          ret = queue_outcome(cfg, e, info.state == IPP_JSTATE_CANCELED ? IPP_JSTATE_CANCELED : IPP_JSTATE_ABORTED, info.state == IPP_JSTATE_CANCELED ? "job-canceled-at-device" : "aborted-by-system", why) && upaJournalRecord(journal, UPA_JSTEP_DONE, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
        }
        else
        {
          // Held without its document, gone, or replaced: the cloud keeps the
          // job for this device, so fetch it again
          if (ours && info.state < IPP_JSTATE_CANCELED)
            upaCupsCancelJobAs(cups, dev->queue, e->cups_job_id, owner[0] ? owner : NULL);
          ret = refetch(cfg, cups, journal, dev, e);
        }
        break;

    case UPA_JSTEP_RELEASED :
        if ((ob = upaOutboxOpen(cfg)) == NULL)
        {
          ret = -1;
          break;
        }

        queued = upaOutboxJobState(ob, e->device_id, e->cloud_job_id);

        if (queued >= IPP_JSTATE_CANCELED)
        {
          // The backend queued the outcome: the outbox delivers it.  The
          // normal end of a release, not a recovery (2: not counted).
          ret = upaJournalRecord(journal, UPA_JSTEP_DONE, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 2 : -1;
        }
        else if (ours && info.state < IPP_JSTATE_CANCELED)
        {
          ret = 0;			// Waiting or printing: not our turn yet
        }
        else if (ours)
        {
          // Ended without the backend queueing its outcome (canceled while
          // waiting, or the backend died): CUPS' view is the truth
          ipp_jstate_t	state = info.state;
					// Final state

          if (state == IPP_JSTATE_COMPLETED)
            ret = queue_outcome(cfg, e, IPP_JSTATE_COMPLETED, "job-completed-successfully", NULL);
          else if (state == IPP_JSTATE_CANCELED)
            ret = queue_outcome(cfg, e, IPP_JSTATE_CANCELED, "job-canceled-at-device", "Canceled on the print server.");
          else
            ret = queue_outcome(cfg, e, IPP_JSTATE_ABORTED, "aborted-by-system", "The print server aborted the job.");

          ret = ret && upaJournalRecord(journal, UPA_JSTEP_DONE, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
        }
        else if (queued == IPP_JSTATE_PROCESSING || queued == IPP_JSTATE_STOPPED)
        {
          // Lost while printing: a second print could duplicate pages, so
          // the cloud is told instead
          upaLog(UPA_LOG_WARN, "Recovery: the CUPS job of cloud job %d vanished while printing; reporting it aborted rather than printing it again", e->cloud_job_id);
          ret = queue_outcome(cfg, e, IPP_JSTATE_ABORTED, "aborted-by-system", "The print server lost the job while printing it (local print service restarted); print it again if pages are missing.") && upaJournalRecord(journal, UPA_JSTEP_DONE, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
        }
        else
        {
          // Released but never started (cupsd lost it before writing its
          // job file): fetch it again
          upaLog(UPA_LOG_WARN, "Recovery: CUPS job %s-%d of cloud job %d vanished before it printed (local print service restarted); fetching it again", dev->queue, e->cups_job_id, e->cloud_job_id);
          ret = refetch(cfg, cups, journal, dev, e);
        }
        break;

    default :
        break;
  }

  upaOutboxClose(ob);
  upaClientDelete(client);
  upaDeviceDelete(dev);

  return (ret);
}


//
// 'sweep_orphans()' - Cancel held cloud-linked CUPS jobs no open release stands for.
//
// A release that died between Create-Job and its "created" record, or a
// copy left behind after its release ended, is held forever otherwise.  A
// job counts as an orphan only when it is held on the queue of the device
// its link names, the release lock of its cloud job is free (no station is
// between those two steps right now) and the journal's last record of that
// cloud job does not name it as an open release.
//
// One Get-Jobs for every queue, and the device store read only when a held
// linked job is found: a service running this every 30 s for 1 000
// registered queues spent most of its idle time on a Get-Jobs per queue and
// a read of every device.conf.
//

static int				// O - Orphans canceled
sweep_orphans(const upa_config_t *cfg,	// I - Configuration
              http_t             *cups,	// I - Connection to cupsd
              upa_journal_t      *journal)
					// I - Journal
{
  upa_device_t	**devices = NULL;	// Registered devices
  int		num_devices = 0,	// Number of devices
		d,			// Looping var
		i,			// Looping var
		num_jobs,		// Linked jobs
		num_held = 0,		// ... of which held
		*ids = NULL,		// Their CUPS job-ids
		canceled = 0;		// Orphans canceled
  upa_cupsjob_t	*jobs = NULL;		// Linked jobs of every queue
  upa_jentry_t	last;			// Last record of a release


  if ((num_jobs = upaCupsLinkedJobs(cups, NULL, &jobs, &ids)) <= 0)
    return (0);

  for (i = 0; i < num_jobs; i ++)
    if (jobs[i].state == IPP_JSTATE_HELD)
      num_held ++;

  if (num_held > 0)
    num_devices = upaDeviceList(cfg, &devices);

  for (i = 0; i < num_jobs; i ++)
  {
    upa_cupsjob_t *job = jobs + i;	// Current job

    if (job->state != IPP_JSTATE_HELD || !job->queue[0])
      continue;

    // The device whose queue holds the job, and which the link names
    for (d = 0; d < num_devices; d ++)
      if (devices[d]->queue[0] && !strcasecmp(devices[d]->queue, job->queue) && !strcmp(job->link.device_id, devices[d]->id))
        break;

    if (d >= num_devices)
      continue;

    if (upaJournalLock(journal, job->link.device_id, job->link.job_id) != 1)
      continue;				// A station is working on it

    if (upaJournalLast(journal, job->link.device_id, job->link.job_id, &last) > 0 && !UPA_JSTEP_FINAL(last.step) && last.cups_job_id == ids[i] && upaCupsJobIsOurs(job, job->link.device_id, job->link.job_id, last.key))
    {
      upaJournalUnlock(journal, job->link.device_id, job->link.job_id);
      continue;				// An open release: settled below
    }

    if (upaCupsCancelJobAs(cups, devices[d]->queue, ids[i], NULL))
    {
      upaLog(UPA_LOG_WARN, "Recovery: canceled held CUPS job %s-%d of cloud job %d: no release stands for it (one stopped before its journal record)", devices[d]->queue, ids[i], job->link.job_id);
      canceled ++;
    }
    else
      upaLog(UPA_LOG_WARN, "Recovery: cannot cancel the orphaned CUPS job %s-%d: %s", devices[d]->queue, ids[i], upaLastErrorString());

    upaJournalUnlock(journal, job->link.device_id, job->link.job_id);
  }

  free(jobs);
  free(ids);
  if (num_devices > 0)
    upaDeviceListDelete(devices, num_devices);

  return (canceled);
}


//
// 'refetch()' - Fetch a claimed job again into a new held CUPS job and release it.
//
// The job is bound to this device in the cloud, which lets it fetch the job
// again.  Journal: "acked" with the new CUPS job (so a crash here is again
// an acked release), then "released".  A job the cloud says is over is
// closed; a document that cannot be had is reported aborted.
//

static int				// O - 1 = moved on, 0 = try later, -1 = error
refetch(const upa_config_t *cfg,	// I - Configuration
        http_t             *cups,	// I - Connection to cupsd
        upa_journal_t      *journal,	// I - Journal
        const upa_device_t *dev,	// I - Device
        upa_jentry_t       *e)		// I - Release
{
  release_ctx_t		ctx;		// Release state
  upa_release_t		result;		// Progress
  upa_joblink_t		link;		// CUPS job link
  ipp_t			*job;		// Fetch-Job response
  ipp_attribute_t	*attr;		// Attribute
  int			ret = 0;	// Result
  saved_error_t		saved;		// Fetch error
  char			message[1200];	// Status for the cloud


  memset(&ctx, 0, sizeof(ctx));
  memset(&result, 0, sizeof(result));
  result.cloud_job_id = e->cloud_job_id;

  ctx.cups      = cups;
  ctx.journal   = journal;
  ctx.queue     = dev->queue;
  ctx.device_id = e->device_id;
  ctx.user_uri  = e->user_uri[0] ? e->user_uri : NULL;
  ctx.result    = &result;

  if ((ctx.client = upaClientCreate(cfg, dev)) == NULL)
    return (-1);

  if ((job = upaInfraFetchJob(ctx.client, ctx.user_uri, e->cloud_job_id)) == NULL)
  {
    if (cloud_settled(upaLastError()))
    {
      upaLog(UPA_LOG_WARN, "Recovery: cloud job %d cannot be fetched again (%s); closing it", e->cloud_job_id, upaLastErrorString());
      ret = upaJournalRecord(journal, UPA_JSTEP_ABORTED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
    }
    else
      upaLog(UPA_LOG_WARN, "Recovery: cloud job %d must be fetched again, but: %s; trying later", e->cloud_job_id, upaLastErrorString());
    goto done;
  }

  if ((attr = ippFindAttribute(job, "job-state", IPP_TAG_ENUM)) != NULL && ippGetInteger(attr, 0) >= IPP_JSTATE_CANCELED)
  {
    upaLog(UPA_LOG_INFO, "Recovery: cloud job %d is %s in the cloud already; nothing to print", e->cloud_job_id, ippEnumString("job-state", ippGetInteger(attr, 0)));
    ippDelete(job);
    ret = upaJournalRecord(journal, UPA_JSTEP_DONE, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
    goto done;
  }

  if ((attr = ippFindAttribute(job, "job-state-reasons", IPP_TAG_KEYWORD)) != NULL && ippContainsString(attr, "job-fetchable"))
  {
    // Not bound to this device after all (a journal record nobody's
    // Acknowledge-Job stands behind): fetching it would print a job the
    // cloud may hand to another printer too
    upaLog(UPA_LOG_WARN, "Recovery: cloud job %d is not claimed by this printer (still fetchable); closing the release, the job waits in the cloud", e->cloud_job_id);
    ippDelete(job);
    ret = upaJournalRecord(journal, UPA_JSTEP_CANCELED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri, e->key) ? 1 : -1;
    goto done;
  }

  setup_ticket(&ctx, job);
  ippDelete(job);

  memset(&link, 0, sizeof(link));
  link.job_id = e->cloud_job_id;
  upaCopyString(link.device_id, e->device_id, sizeof(link.device_id));
  upaCopyString(link.user_uri, e->user_uri, sizeof(link.user_uri));

  if ((result.cups_job_id = upaCupsCreateHeldJob(cups, dev->queue, result.ticket.title, ctx.owner, result.ticket.num_options, result.ticket.options, &link, ctx.key, sizeof(ctx.key))) == 0)
  {
    upaLog(UPA_LOG_WARN, "Recovery: cloud job %d: %s; trying later", e->cloud_job_id, upaLastErrorString());
    goto done;
  }

  if (!journal_step(&ctx, UPA_JSTEP_ACKED))
  {
    save_error(&saved);
    upaCupsCancelJobAs(cups, dev->queue, result.cups_job_id, ctx.owner);
    restore_error(&saved, NULL);
    ret = -1;
    goto done;
  }

  e->cups_job_id = result.cups_job_id;
  upaCopyString(e->key, ctx.key, sizeof(e->key));

  if (fetch_with_retries(&ctx, true))
  {
    if (!upaCupsReleaseJobAs(cups, dev->queue, result.cups_job_id, ctx.owner))
    {
      upaLog(UPA_LOG_WARN, "Recovery: cloud job %d: %s; trying later", e->cloud_job_id, upaLastErrorString());
      goto done;
    }

    upaLog(UPA_LOG_INFO, "Recovery: fetched cloud job %d again and released it as CUPS job %s-%d (%lld bytes)", e->cloud_job_id, dev->queue, result.cups_job_id, result.bytes);
    ret = journal_step(&ctx, UPA_JSTEP_RELEASED) ? 1 : -1;
    goto done;
  }

  save_error(&saved);
  if (is_transient(saved.err))
  {
    upaLog(UPA_LOG_WARN, "Recovery: cloud job %d: %s; trying later", e->cloud_job_id, saved.message);
    goto done;
  }

  snprintf(message, sizeof(message), "The print server could not fetch the document: %.900s", saved.message);
  if (report_aborted(ctx.client, ctx.user_uri, e->cloud_job_id, message) || cloud_settled(upaLastError()))
  {
    upaLog(UPA_LOG_WARN, "Recovery: cloud job %d reported aborted: %s", e->cloud_job_id, saved.message);
    undo_local(&ctx, UPA_JSTEP_ABORTED);
    ret = 1;
  }

  done:

  upaTicketClear(&result.ticket);
  upaClientDelete(ctx.client);

  return (ret);
}


//
// 'queue_outcome()' - Queue a terminal state for a released job in the outbox.
//

static bool				// O - true once durable
queue_outcome(const upa_config_t *cfg,	// I - Configuration
              const upa_jentry_t *e,	// I - Release
              ipp_jstate_t       state,	// I - Terminal state
              const char         *reason,
					// I - Reason keyword
              const char         *message)
					// I - Message or NULL
{
  upa_outbox_t		*ob;		// Outbox
  upa_jobstatus_t	status;		// Status
  bool			ok;		// Result


  if ((ob = upaOutboxOpen(cfg)) == NULL)
    return (false);

  memset(&status, 0, sizeof(status));
  status.state       = state;
  status.reasons[0]  = reason;
  status.message     = message;
  status.impressions = -1;

  if ((ok = upaOutboxAddJobStatus(ob, e->device_id, e->user_uri[0] ? e->user_uri : NULL, e->cloud_job_id, &status)) != false)
    upaLog(UPA_LOG_INFO, "Recovery: cloud job %d will be reported %s", e->cloud_job_id, ippEnumString("job-state", (int)state));
  else
    upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());

  upaOutboxClose(ob);

  return (ok);
}


//
// 'acknowledge()' - Acknowledge-Job with an outcome-unknown state.
//
// "acking" is journaled before the first request.  Any failure, even a
// clear refusal, is settled by asking the cloud (check_claim()): the
// request may have been committed although its answer was lost.
//

static ack_t				// O - Outcome
acknowledge(release_ctx_t *ctx)		// I - Release state
{
  int		attempt;		// Attempt number
  bool		uncertain = false,	// Could an earlier attempt have been committed?
		refused;		// Was the last answer a clear refusal?
  saved_error_t	saved;			// Error of the last attempt
  char		why[512];		// What Fetch-Job said
  claim_t	claim = CLAIM_UNKNOWN;	// Who holds the job
  int		job_id = ctx->result->cloud_job_id;
					// Cloud job-id


  memset(&saved, 0, sizeof(saved));
  why[0] = '\0';

  if (!journal_step(ctx, UPA_JSTEP_ACKING))
  {
    save_error(&saved);
    restore_error(&saved, "Nothing was printed; the job is still waiting in the cloud");
    return (ACK_REFUSED);
  }

  for (attempt = 0; attempt < 3; attempt ++)
  {
    if (attempt)
      sleep((unsigned)(2 * attempt));

    if (upaInfraAcknowledgeJob(ctx->client, ctx->user_uri, job_id, NULL))
    {
      claim = CLAIM_OURS;
      break;
    }

    save_error(&saved);

    // Even a clear "not fetchable" may be the answer to a request libcurl
    // sent again by itself after a connection died with no answer (it
    // does so on reused connections), so whatever the answer, the cloud
    // is asked whom the job belongs to
    if ((refused = definite_refusal()) == false)
    {
      uncertain = true;
      upaLog(UPA_LOG_WARN, "Acknowledge-Job for cloud job %d got no clear answer (%s); asking the cloud whether it was taken", job_id, saved.message);
    }

    if ((claim = check_claim(ctx->client, ctx->user_uri, job_id, why, sizeof(why))) == CLAIM_OURS || claim == CLAIM_NOT_OURS)
      break;

    if (claim == CLAIM_FETCHABLE && refused)
    {
      // Refused and not taken by anybody (e.g. not this user's job)
      snprintf(why, sizeof(why), "the cloud refused Acknowledge-Job");
      claim = CLAIM_NOT_OURS;
      break;
    }

    if (attempt < 2)
      upaLog(UPA_LOG_INFO, "Cloud job %d: %s; sending Acknowledge-Job again", job_id, why);
  }

  switch (claim)
  {
    case CLAIM_OURS :
        if (uncertain)
          upaLog(UPA_LOG_INFO, "Cloud job %d: the cloud confirms it is claimed by this printer", job_id);
        if (!journal_step(ctx, UPA_JSTEP_ACKED))
          upaLog(UPA_LOG_WARN, "Cloud job %d: %s", job_id, upaLastErrorString());
        return (ACK_OURS);

    case CLAIM_NOT_OURS :
        restore_error(&saved, NULL);
        upaSetError(saved.err, "%s. Cloud job %d is not claimed by this printer (%s); nothing was printed", saved.message, job_id, why);
        upaLog(UPA_LOG_INFO, "%s", upaLastErrorString());
        return (ACK_REFUSED);

    case CLAIM_FETCHABLE :
        if (uncertain)
        {
          // A request the cloud has not answered may still be in its hands
          // and commit later: "still fetchable" now proves nothing yet
          snprintf(why, sizeof(why), "the job was still fetchable, but an unanswered Acknowledge-Job may yet be carried out");
          break;
        }

        restore_error(&saved, NULL);
        upaSetError(saved.err, "%s. The cloud did not take Acknowledge-Job for cloud job %d; nothing was printed and the job is still waiting in the cloud", saved.message, job_id);
        upaLog(UPA_LOG_INFO, "%s", upaLastErrorString());
        return (ACK_REFUSED);

    case CLAIM_UNKNOWN :
    default :
        break;
  }

  restore_error(&saved, NULL);
  upaSetError(saved.err == UPA_ERROR_NONE ? UPA_ERROR_NETWORK : saved.err, "%s. Universal Print did not confirm whether cloud job %d is claimed by this printer (%s); it is held in CUPS as job %s-%d and 'upa-release --recover' settles it once the cloud answers", saved.message, job_id, why, ctx->queue, ctx->result->cups_job_id);
  upaLog(UPA_LOG_WARN, "%s", upaLastErrorString());

  return (ACK_UNKNOWN);
}


//
// 'announced_size()' - What the cloud said the document's size is.
//
// Fetch-Document's own size attributes come first; job-k-octets (Fetch-Job)
// counts only when the document arrives in the job's own format (a
// converted document has another size).  k-octets are rounded up.
//

static bool				// O - true if a size is known
announced_size(release_ctx_t *ctx,	// I - Release state
               long long     *lo,	// O - Smallest size in bytes
               long long     *hi)	// O - Largest size in bytes
{
  long long	k = -1;			// Kilo-octets


  if (ctx->doc_k_octets >= 0)
    k = ctx->doc_k_octets;
  else if (ctx->job_k_octets >= 0 && (!ctx->job_format[0] || !strcmp(ctx->job_format, ctx->format)))
    k = ctx->job_k_octets;

  if (k < 0)
    return (false);

  *lo = k > 0 ? (k - 1) * 1024 + 1 : 0;
  *hi = k * 1024;

  return (true);
}


//
// 'check_claim()' - Ask the cloud who holds a job (Fetch-Job).
//

static claim_t				// O - Who holds it
check_claim(upa_client_t *client,	// I - Cloud session
            const char   *user_uri,	// I - mailto:UPN or NULL
            int          cloud_job_id,	// I - Cloud job-id
            char         *why,		// O - What the cloud said
            size_t       whysize)	// I - Size of why
{
  ipp_t			*job;		// Fetch-Job response
  ipp_attribute_t	*attr;		// Attribute
  int			state;		// job-state
  claim_t		claim;		// Result


  if ((job = upaInfraFetchJob(client, user_uri, cloud_job_id)) == NULL)
  {
    snprintf(why, whysize, "%s", upaLastErrorString());

    switch (upaLastError())
    {
      case UPA_ERROR_NOT_FOUND :
      case UPA_ERROR_NOT_POSSIBLE :
          return (CLAIM_NOT_OURS);	// Gone, or bound to another device
      default :
          return (CLAIM_UNKNOWN);
    }
  }

  state = (attr = ippFindAttribute(job, "job-state", IPP_TAG_ENUM)) != NULL ? ippGetInteger(attr, 0) : 0;
  attr  = ippFindAttribute(job, "job-state-reasons", IPP_TAG_KEYWORD);

  if (state >= IPP_JSTATE_CANCELED)
  {
    snprintf(why, whysize, "the job is %s in the cloud", ippEnumString("job-state", state));
    claim = CLAIM_NOT_OURS;
  }
  else if (attr && ippContainsString(attr, "job-fetchable"))
  {
    snprintf(why, whysize, "the job is still fetchable");
    claim = CLAIM_FETCHABLE;
  }
  else
  {
    snprintf(why, whysize, "the job is bound to this printer");
    claim = CLAIM_OURS;
  }

  ippDelete(job);

  return (claim);
}


//
// 'cloud_settled()' - Did the cloud refuse a request for good?
//
// A well-formed IPP refusal (job already terminal, gone, not ours) means the
// cloud has settled the job; network, busy, token, device, HTTP and
// server-side failures may pass.
//

static bool				// O - true if retrying cannot help
cloud_settled(upa_error_t err)		// I - Error class of the refusal
{
  if (err == UPA_ERROR_IPP)
    return (upaLastIPPStatus() < IPP_STATUS_ERROR_INTERNAL);

  return (err == UPA_ERROR_NOT_FOUND || err == UPA_ERROR_NOT_FETCHABLE || err == UPA_ERROR_NOT_POSSIBLE);
}


//
// 'definite_refusal()' - Is the last error a clear "no" that cannot hide a commit?
//

static bool				// O - true for a well-formed IPP client error
definite_refusal(void)
{
  switch (upaLastError())
  {
    case UPA_ERROR_NOT_FETCHABLE :
    case UPA_ERROR_NOT_POSSIBLE :
    case UPA_ERROR_NOT_FOUND :
        return (true);
    case UPA_ERROR_IPP :
        return (upaLastIPPStatus() < IPP_STATUS_ERROR_INTERNAL);
    default :
        return (false);
  }
}


//
// 'doc_data_cb()' - Stream document bytes into the CUPS job.
//
// Send-Document starts with the first bytes, so a refused or empty fetch
// never leaves a document behind in the held job.
//

static bool				// O - true to continue
doc_data_cb(void       *data,		// I - Release state
            const char *buffer,		// I - Bytes
            size_t     len)		// I - Number of bytes
{
  release_ctx_t	*ctx = (release_ctx_t *)data;
					// Release state


  if (ctx->result->cancel)
  {
    upaSetError(UPA_ERROR_CANCELED, "The release of cloud job %d was canceled", ctx->result->cloud_job_id);
    return (false);
  }

  if (len == 0)
    return (true);

  if (!ctx->started)
  {
    if (!upaCupsStartDocument(ctx->cups, ctx->queue, ctx->result->cups_job_id, ctx->owner, ctx->result->ticket.title, ctx->format))
      return (false);

    ctx->started = true;
  }

  if (!upaCupsWriteData(ctx->cups, buffer, len))
    return (false);

  ctx->result->bytes += (long long)len;
  progress(ctx, UPA_RSTAGE_FETCHING);

  return (!ctx->result->cancel);
}


//
// 'doc_start_cb()' - Pick the document format and size from the Fetch-Document response.
//

static bool				// O - true to continue
doc_start_cb(void  *data,		// I - Release state
             ipp_t *response)		// I - IPP part of the response
{
  release_ctx_t		*ctx = (release_ctx_t *)data;
					// Release state
  ipp_attribute_t	*attr;		// Attribute
  static const char * const sizes[] =	// Size attributes, most specific first
  {
    "document-k-octets",
    "k-octets"
  };
  size_t		i;		// Looping var


  if ((attr = ippFindAttribute(response, "document-format", IPP_TAG_MIMETYPE)) != NULL && ippGetString(attr, 0, NULL))
    upaCopyString(ctx->format, ippGetString(attr, 0, NULL), sizeof(ctx->format));
  else if (ctx->result->ticket.format[0])
    upaCopyString(ctx->format, ctx->result->ticket.format, sizeof(ctx->format));
  else
    upaCopyString(ctx->format, "application/octet-stream", sizeof(ctx->format));

  if ((attr = ippFindAttribute(response, "compression", IPP_TAG_KEYWORD)) != NULL && strcmp(ippGetString(attr, 0, NULL), "none"))
    upaLog(UPA_LOG_WARN, "Cloud job %d: document compression \"%s\" is passed on as is", ctx->result->cloud_job_id, ippGetString(attr, 0, NULL));

  ctx->doc_k_octets = -1;
  for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && ctx->doc_k_octets < 0; i ++)
  {
    if ((attr = ippFindAttribute(response, sizes[i], IPP_TAG_INTEGER)) != NULL && ippGetInteger(attr, 0) >= 0)
      ctx->doc_k_octets = ippGetInteger(attr, 0);
  }

  upaLog(UPA_LOG_DEBUG, "Cloud job %d: document-format %s", ctx->result->cloud_job_id, ctx->format);

  return (true);
}


//
// 'fetch_document()' - Fetch-Document streamed straight into Send-Document.
//
// The document counts as complete only when the transfer ended cleanly and
// its size matches what the cloud announced; otherwise the partly sent
// document is thrown away, so the held job has no document and can be
// fetched into again.
//

static bool				// O - true if the document is complete in CUPS
fetch_document(release_ctx_t *ctx)	// I - Release state
{
  bool		ok;			// Fetch succeeded?
  saved_error_t	saved;			// Fetch error
  long long	lo,			// Smallest announced size
		hi;			// Largest announced size


  ctx->started       = false;
  ctx->format[0]     = '\0';
  ctx->doc_k_octets  = -1;
  ctx->result->bytes = 0;

  ok = upaInfraFetchDocument(ctx->client, ctx->user_uri, ctx->result->cloud_job_id, 1, doc_start_cb, doc_data_cb, ctx);

  if (ok && !ctx->started)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The cloud sent an empty document for job %d", ctx->result->cloud_job_id);
    ok = false;
  }
  else if (ok && announced_size(ctx, &lo, &hi) && (ctx->result->bytes < lo || ctx->result->bytes > hi))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The document of cloud job %d is incomplete: %lld bytes arrived, the cloud announced %lld to %lld", ctx->result->cloud_job_id, ctx->result->bytes, lo, hi);
    ok = false;
  }
  else if (ok)
  {
    // cupsd checks the document (format, size) now
    if (!upaCupsFinishDocument(ctx->cups, ctx->queue))
      ok = false;
    ctx->started = false;
  }

  if (!ok && ctx->started)
  {
    save_error(&saved);
    upaCupsAbortDocument(ctx->cups);
    restore_error(&saved, NULL);
    ctx->started = false;
  }

  return (ok);
}


//
// 'fetch_with_retries()' - Fetch the document, again after transient failures.
//
// An incomplete document counts as transient: the next fetch may be whole.
// Before the job is claimed a refusal of Fetch-Document (not-possible,
// Acknowledge-Job first) is returned at once for the caller's fallback.
//

static bool				// O - true if the document is complete in CUPS
fetch_with_retries(release_ctx_t *ctx,	// I - Release state
                   bool          claimed)
					// I - Is the job ours already?
{
  int	attempt;			// Attempt number


  for (attempt = 0; attempt < 3; attempt ++)
  {
    if (attempt)
    {
      upa_cupsjob_t	info;		// The held job as cupsd sees it

      sleep((unsigned)attempt);

      // Send-Document commits the document before it answers: when the
      // answer was lost (cupsd restarting) the whole document may be in the
      // held job already, and another fetch would add a second one.  A
      // document only ever reaches CUPS complete (checked before it is
      // finished), so one there means this fetch is done.
      if (!upaCupsJobGet(ctx->cups, ctx->queue, ctx->result->cups_job_id, &info))
      {
        upaSetError(UPA_ERROR_NETWORK, "Cannot tell whether CUPS job %s-%d has the document of cloud job %d: %s", ctx->queue, ctx->result->cups_job_id, ctx->result->cloud_job_id, upaLastErrorString());
        return (false);
      }

      // A cupsd that restarted may have lost the job and given its id to
      // another; only ours tells whether our document arrived
      if (!upaCupsJobIsOurs(&info, ctx->device_id, ctx->result->cloud_job_id, ctx->key))
      {
        upaSetError(UPA_ERROR_CUPS, "CUPS job %s-%d is no longer the one created for cloud job %d (the local print service restarted and lost it)", ctx->queue, ctx->result->cups_job_id, ctx->result->cloud_job_id);
        return (false);
      }

      if (info.num_docs > 0)
      {
        upaLog(UPA_LOG_INFO, "Cloud job %d: the document reached CUPS job %s-%d after all", ctx->result->cloud_job_id, ctx->queue, ctx->result->cups_job_id);
        return (true);
      }
    }

    if (fetch_document(ctx))
      return (true);

    if (ctx->result->cancel || upaLastError() == UPA_ERROR_CANCELED)
    {
      upaSetError(UPA_ERROR_CANCELED, "The release of cloud job %d was canceled", ctx->result->cloud_job_id);
      return (false);
    }

    if (!claimed && upaLastError() == UPA_ERROR_NOT_POSSIBLE && ctx->result->bytes == 0)
      return (false);

    if (!is_transient(upaLastError()) && upaLastError() != UPA_ERROR_PROTOCOL)
      return (false);

    if (attempt < 2)
    {
      saved_error_t	saved;		// Why it failed

      save_error(&saved);
      upaLog(UPA_LOG_WARN, "Fetching the document of cloud job %d failed (%s); fetching it again", ctx->result->cloud_job_id, saved.message);
      restore_error(&saved, NULL);
    }
  }

  return (false);
}


//
// 'is_transient()' - May a failed cloud request succeed when repeated?
//

static bool				// O - true for network/busy/server errors
is_transient(upa_error_t err)		// I - Error class
{
  if (err == UPA_ERROR_IPP)
    return (upaLastIPPStatus() >= IPP_STATUS_ERROR_INTERNAL);

  return (err == UPA_ERROR_NETWORK || err == UPA_ERROR_BUSY || err == UPA_ERROR_SERVER || err == UPA_ERROR_HTTP || err == UPA_ERROR_PROTOCOL);
}


//
// 'journal_step()' - Journal a step of the release in progress.
//
// Group commit: "created" and "fetched" are written without fsync() and
// made durable by the synced "acking" record that follows them before
// Acknowledge-Job, the first step nobody can take back (or by a synced
// "canceled" when the release stops earlier).  Losing them in a crash
// changes nothing: recovery treats "created" and "fetched" alike (cancel
// the held copy; nothing was claimed), and a held cloud-linked CUPS job no
// record stands for is cancelled by the orphan sweep the same way.  Every
// other step is synced before the next action, as before: "acking"
// before the claim, "acked" before Release-Job, and "released".
//

static bool				// O - true when written (durable when it must be)
journal_step(release_ctx_t *ctx,	// I - Release state
             upa_jstep_t   step)	// I - Step reached
{
  if (!ctx->journal)
    return (true);

  return (upaJournalAppend(ctx->journal, step, ctx->device_id, ctx->result->cloud_job_id, ctx->result->cups_job_id, ctx->user_uri, ctx->key, step != UPA_JSTEP_CREATED && step != UPA_JSTEP_FETCHED));
}


//
// 'progress()' - Report a stage to the caller.
//

static void
progress(release_ctx_t *ctx,		// I - Release state
         upa_rstage_t  stage)		// I - Stage reached
{
  ctx->result->stage = stage;

  if (ctx->cb)
    (ctx->cb)(ctx->cbdata, ctx->result);
}


//
// 'report_aborted()' - Tell the cloud a claimed job failed.
//

static bool				// O - true if the cloud took it
report_aborted(upa_client_t *client,	// I - Cloud session
               const char   *user_uri,	// I - mailto:UPN or NULL
               int          cloud_job_id,
					// I - Cloud job-id
               const char   *message)	// I - Why
{
  upa_jobstatus_t	status;		// Update-Job-Status payload


  memset(&status, 0, sizeof(status));
  status.state       = IPP_JSTATE_ABORTED;
  status.reasons[0]  = "aborted-by-system";
  status.message     = message;
  status.impressions = -1;

  return (upaInfraUpdateJobStatus(client, user_uri, cloud_job_id, &status));
}


//
// 'restore_error()' - Make a saved error the last error again.
//
// A suffix is added as its own sentence, without doubling the period the
// message may already end with.
//

static void
restore_error(const saved_error_t *saved,
					// I - Saved error
              const char          *suffix)
					// I - Sentence to add or NULL
{
  size_t	len = strlen(saved->message);
					// Length of message


  if (saved->ipp != IPP_STATUS_OK)
    upaSetIPPError(saved->ipp, NULL);

  if (suffix)
    upaSetError(saved->err, "%.*s. %s", (int)(len > 0 && saved->message[len - 1] == '.' ? len - 1 : len), saved->message, suffix);
  else
    upaSetError(saved->err, "%s", saved->message);
}


//
// 'save_error()' - Remember the last error across clean-up calls.
//

static void
save_error(saved_error_t *saved)	// O - Saved error
{
  size_t	len;			// Length of message


  saved->err = upaLastError();
  saved->ipp = upaLastIPPStatus();
  upaCopyString(saved->message, upaLastErrorString(), sizeof(saved->message));

  // Messages are joined into sentences: no trailing period of their own
  if ((len = strlen(saved->message)) > 0 && saved->message[len - 1] == '.')
    saved->message[len - 1] = '\0';

  if (saved->err == UPA_ERROR_NONE)
    saved->err = UPA_ERROR_INTERNAL;
}


//
// 'setup_ticket()' - Map the Fetch-Job answer: ticket, owner, announced size.
//

static bool				// O - true (the ticket always maps)
setup_ticket(release_ctx_t *ctx,	// I - Release state
             ipp_t         *job)	// I - Fetch-Job response
{
  ipp_attribute_t	*attr;		// Attribute
  upa_release_t		*result = ctx->result;
					// Result
  int			cloud_job_id = result->cloud_job_id;
					// Cloud job-id


  ctx->job_k_octets = (attr = ippFindAttribute(job, "job-k-octets", IPP_TAG_INTEGER)) != NULL ? ippGetInteger(attr, 0) : -1;
  if ((attr = ippFindAttribute(job, "document-format", IPP_TAG_MIMETYPE)) != NULL && ippGetString(attr, 0, NULL))
    upaCopyString(ctx->job_format, ippGetString(attr, 0, NULL), sizeof(ctx->job_format));

  // Universal Print holds one document per job (Graph: "only one
  // printDocument per printJob"); another INFRA server might not
  if ((attr = ippFindAttribute(job, "number-of-documents", IPP_TAG_INTEGER)) != NULL && ippGetInteger(attr, 0) > 1)
  {
    upaLog(UPA_LOG_WARN, "Cloud job %d has %d documents; only the first is printed (Universal Print jobs have one)", cloud_job_id, ippGetInteger(attr, 0));
    ctx->job_k_octets = -1;		// The job's size covers every document
  }

  upaTicketMap(job, &result->ticket);

  // What the queue cannot honour is reported (ticket.unsupported), not hidden
  upaTicketCheckQueue(ctx->cups, ctx->queue, &result->ticket);

  // The CUPS owner is the job's originating user; the releasing user if unknown
  if (result->ticket.user[0])
    upaCopyString(ctx->owner, result->ticket.user, sizeof(ctx->owner));
  else
    upaTicketUserFromURI(ctx->user_uri, ctx->owner, sizeof(ctx->owner));
  if (!ctx->owner[0])
    upaCopyString(ctx->owner, cupsUser(), sizeof(ctx->owner));

  return (true);
}


//
// 'undo_local()' - Cancel the local job and journal it, keeping the error.
//

static void
undo_local(release_ctx_t *ctx,		// I - Release state
           upa_jstep_t   step)		// I - Final record (canceled/aborted)
{
  saved_error_t	saved;			// The error that made us undo


  save_error(&saved);

  if (upaCupsCancelJobAs(ctx->cups, ctx->queue, ctx->result->cups_job_id, ctx->owner))
  {
    if (!journal_step(ctx, step))
      upaLog(UPA_LOG_WARN, "Cloud job %d: %s", ctx->result->cloud_job_id, upaLastErrorString());
  }
  else
  {
    // The journal keeps the last step: recovery cancels it later
    upaLog(UPA_LOG_ERROR, "Could not cancel held CUPS job %s-%d: %s", ctx->queue, ctx->result->cups_job_id, upaLastErrorString());
  }

  restore_error(&saved, NULL);
}
