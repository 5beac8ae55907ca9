//
// The release protocol (design.md): never lose a job, never print one twice.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Fetch-first (default): Fetch-Job -> held CUPS job (journal "created") ->
// Fetch-Document streamed into it ("fetched") -> Acknowledge-Job ("acked")
// -> Release-Job ("released").  Until Acknowledge-Job succeeds nothing is
// claimed in the cloud, so any failure just cancels the local job.
//
// Acknowledge-first (setting, or fallback when the server refuses
// Fetch-Document before Acknowledge-Job): held job ("created") ->
// Acknowledge-Job ("acked") -> Fetch-Document -> Release-Job ("released").
// The journal has no "fetched" record after "acked": recovery must know the
// job is claimed, and asks cupsd whether the document arrived.  A failed
// fetch of a claimed job is retried (transient errors), then reported
// "aborted" to the cloud; if even that fails the held job and the "acked"
// record stay for recovery.
//

#include "upa-private.h"


//
// Local types...
//

typedef struct release_ctx_s		// One release in progress
{
  upa_client_t		*client;	// Cloud session
  http_t		*cups;		// Local cupsd
  const char		*queue;		// CUPS queue
  const char		*user_uri;	// mailto:UPN
  const char		*owner;		// CUPS job owner
  upa_release_t		*result;	// Result/progress
  upa_release_cb_t	cb;		// Progress callback
  void			*cbdata;	// Callback data
  char			format[128];	// document-format for CUPS
  bool			started;	// Send-Document started?
} release_ctx_t;

typedef struct saved_error_s		// A saved last error
{
  upa_error_t		err;		// Class
  ipp_status_t		ipp;		// IPP status
  char			message[1024];	// Message
} saved_error_t;


//
// Local functions...
//

static bool	acknowledge(release_ctx_t *ctx);
static bool	release_job(upa_client_t *client, http_t *cups, upa_journal_t *journal, const char *queue, const char *user_uri, int cloud_job_id, upa_release_cb_t cb, void *cbdata, upa_release_t *result, bool *recorded);
static bool	cloud_settled(upa_error_t err);
static bool	doc_data_cb(void *data, const char *buffer, size_t len);
static bool	doc_start_cb(void *data, ipp_t *response);
static bool	fetch_document(release_ctx_t *ctx);
static bool	is_transient(upa_error_t err);
static void	progress(release_ctx_t *ctx, upa_rstage_t stage);
static bool	report_aborted(upa_client_t *client, const char *user_uri, int cloud_job_id, const char *message);
static void	restore_error(const saved_error_t *saved, const char *prefix);
static void	save_error(saved_error_t *saved);
static void	undo_local(release_ctx_t *ctx, upa_journal_t *journal, const char *device_id, upa_jstep_t step);


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
  else if (status > 0 && (last.step == UPA_JSTEP_RELEASED || last.step == UPA_JSTEP_ACKED))
  {
    upaJournalUnlock(journal, dev->id, cloud_job_id);
    upaSetError(UPA_ERROR_NOT_FETCHABLE, "Cloud job %d was already released here (CUPS job %s-%d)", cloud_job_id, queue, last.cups_job_id);
    goto refused;
  }
  else if (status > 0 && (last.step == UPA_JSTEP_CREATED || last.step == UPA_JSTEP_FETCHED))
  {
    // A dead process left it half done: recovery cancels that local job
    // first, so the document can never be in CUPS twice
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
  char			owner[256];	// CUPS job owner
  bool			acked = false;	// Acknowledge-Job done?
  saved_error_t		saved;		// Error while undoing
  int			attempt;	// Fetch attempt after acknowledge


  if (!result)
    result = &local;

  memset(result, 0, sizeof(upa_release_t));
  result->cloud_job_id = cloud_job_id;

  dev   = upaClientGetDevice(client);
  cfg   = upaJournalGetConfig(journal);
  order = cfg ? cfg->release_order : UPA_ORDER_FETCH_FIRST;

  memset(&ctx, 0, sizeof(ctx));
  ctx.client   = client;
  ctx.cups     = cups;
  ctx.queue    = queue;
  ctx.user_uri = user_uri;
  ctx.owner    = owner;
  ctx.result   = result;
  ctx.cb       = cb;
  ctx.cbdata   = cbdata;

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

  // Universal Print holds one document per job (Graph: "only one
  // printDocument per printJob"); another INFRA server might not
  if ((attr = ippFindAttribute(job, "number-of-documents", IPP_TAG_INTEGER)) != NULL && ippGetInteger(attr, 0) > 1)
    upaLog(UPA_LOG_WARN, "Cloud job %d has %d documents; only the first is printed (Universal Print jobs have one)", cloud_job_id, ippGetInteger(attr, 0));

  upaTicketMap(job, &result->ticket);
  ippDelete(job);

  // What the queue cannot honour is reported (ticket.unsupported), not hidden
  upaTicketCheckQueue(cups, queue, &result->ticket);

  // The CUPS owner is the job's originating user; the releasing user if unknown
  if (result->ticket.user[0])
    upaCopyString(owner, result->ticket.user, sizeof(owner));
  else
    upaTicketUserFromURI(user_uri, owner, sizeof(owner));
  if (!owner[0])
    upaCopyString(owner, cupsUser(), sizeof(owner));

  // On the deb12u10 cupsd, an owner without a local account is never named to cupsd after
  // Create-Job (cupsjob.c): we act for it as the process user, which only
  // root can do (@SYSTEM).  Any other process keeps the job in its own name.
  if (upaCupsDaemonIsAffected() && !upaCupsUserIsLocal(owner) && geteuid() != 0 && strcmp(owner, cupsUser()))
  {
    upaLog(UPA_LOG_INFO, "Cloud job %d: the CUPS job is owned by %s, not by %s, who has no local account (only root may release jobs in such a name)", cloud_job_id, cupsUser(), owner);
    upaCopyString(owner, cupsUser(), sizeof(owner));
  }

  progress(&ctx, UPA_RSTAGE_TICKET);

  // 2. A held CUPS job linked to the cloud job
  memset(&link, 0, sizeof(link));
  link.job_id = cloud_job_id;
  upaCopyString(link.device_id, dev->id, sizeof(link.device_id));
  upaCopyString(link.user_uri, user_uri, sizeof(link.user_uri));

  if ((result->cups_job_id = upaCupsCreateHeldJob(cups, queue, result->ticket.title, owner, result->ticket.num_options, result->ticket.options, &link)) == 0)
    return (false);			// Nothing claimed, nothing to undo

  if (journal && upaJournalRecord(journal, UPA_JSTEP_CREATED, dev->id, cloud_job_id, result->cups_job_id, user_uri))
    *recorded = true;
  else if (journal)
  {
    // Without a journal record a crash could not be recovered: stop here
    save_error(&saved);
    upaCupsCancelJobAs(cups, queue, result->cups_job_id, owner);
    restore_error(&saved, NULL);
    return (false);
  }

  progress(&ctx, UPA_RSTAGE_CREATED);

  // 3. Claim first if so configured
  if (order == UPA_ORDER_ACK_FIRST)
  {
    if (!acknowledge(&ctx))
    {
      undo_local(&ctx, journal, dev->id, UPA_JSTEP_CANCELED);
      return (false);
    }

    acked = true;
    if (journal && !upaJournalRecord(journal, UPA_JSTEP_ACKED, dev->id, cloud_job_id, result->cups_job_id, user_uri))
      upaLog(UPA_LOG_WARN, "Cloud job %d: %s", cloud_job_id, upaLastErrorString());

    progress(&ctx, UPA_RSTAGE_ACKED);
  }

  // 4. The document, streamed into the held job
  if (!fetch_document(&ctx))
  {
    if (!acked && upaLastError() == UPA_ERROR_NOT_POSSIBLE && result->bytes == 0)
    {
      // PWG-style server: Acknowledge-Job must come first.  Nothing was
      // streamed, the held job is intact: claim, then fetch into it.
      upaLog(UPA_LOG_INFO, "Cloud refused Fetch-Document before Acknowledge-Job for job %d: acknowledging first", cloud_job_id);

      if (!acknowledge(&ctx))
      {
        undo_local(&ctx, journal, dev->id, UPA_JSTEP_CANCELED);
        return (false);
      }

      acked = true;
      if (journal && !upaJournalRecord(journal, UPA_JSTEP_ACKED, dev->id, cloud_job_id, result->cups_job_id, user_uri))
        upaLog(UPA_LOG_WARN, "Cloud job %d: %s", cloud_job_id, upaLastErrorString());

      progress(&ctx, UPA_RSTAGE_ACKED);

      if (!fetch_document(&ctx))
        goto fetch_failed_after_ack;
    }
    else if (!acked)
    {
      // Nothing claimed: the cloud job stays fetchable
      undo_local(&ctx, journal, dev->id, UPA_JSTEP_CANCELED);
      return (false);
    }
    else
      goto fetch_failed_after_ack;
  }

  if (!acked)
  {
    if (journal && !upaJournalRecord(journal, UPA_JSTEP_FETCHED, dev->id, cloud_job_id, result->cups_job_id, user_uri))
    {
      undo_local(&ctx, journal, dev->id, UPA_JSTEP_CANCELED);
      return (false);
    }

    progress(&ctx, UPA_RSTAGE_FETCHED);

    // 5. Claim the job: if this fails (released elsewhere, expired...)
    // nothing prints and the cloud job is untouched
    if (!acknowledge(&ctx))
    {
      undo_local(&ctx, journal, dev->id, UPA_JSTEP_CANCELED);
      return (false);
    }

    acked = true;
    if (journal && !upaJournalRecord(journal, UPA_JSTEP_ACKED, dev->id, cloud_job_id, result->cups_job_id, user_uri))
      upaLog(UPA_LOG_WARN, "Cloud job %d: %s", cloud_job_id, upaLastErrorString());

    progress(&ctx, UPA_RSTAGE_ACKED);
  }
  else
    progress(&ctx, UPA_RSTAGE_FETCHED);

  // 6. Print it
  if (!upaCupsReleaseJobAs(cups, queue, result->cups_job_id, owner))
  {
    // Claimed and complete: the "acked" record lets recovery release it
    save_error(&saved);
    restore_error(&saved, "The job is held in CUPS and will be released by 'upa-release --recover'");
    return (false);
  }

  if (journal && !upaJournalRecord(journal, UPA_JSTEP_RELEASED, dev->id, cloud_job_id, result->cups_job_id, user_uri))
    upaLog(UPA_LOG_WARN, "Cloud job %d released as CUPS job %s-%d, but: %s", cloud_job_id, queue, result->cups_job_id, upaLastErrorString());

  progress(&ctx, UPA_RSTAGE_RELEASED);

  upaLog(UPA_LOG_INFO, "Released cloud job %d as CUPS job %s-%d (%lld bytes)", cloud_job_id, queue, result->cups_job_id, result->bytes);

  return (true);

  // The job is claimed by this device but its document did not arrive
  fetch_failed_after_ack:

  for (attempt = 1; attempt < 3 && is_transient(upaLastError()); attempt ++)
  {
    upaLog(UPA_LOG_WARN, "Fetching the document of cloud job %d failed (%s); retrying", cloud_job_id, upaLastErrorString());
    sleep((unsigned)(2 * attempt));

    if (fetch_document(&ctx))
    {
      progress(&ctx, UPA_RSTAGE_FETCHED);

      if (!upaCupsReleaseJobAs(cups, queue, result->cups_job_id, owner))
      {
        save_error(&saved);
        restore_error(&saved, "The job is held in CUPS and will be released by 'upa-release --recover'");
        return (false);
      }

      if (journal && !upaJournalRecord(journal, UPA_JSTEP_RELEASED, dev->id, cloud_job_id, result->cups_job_id, user_uri))
        upaLog(UPA_LOG_WARN, "Cloud job %d: %s", cloud_job_id, upaLastErrorString());

      progress(&ctx, UPA_RSTAGE_RELEASED);
      return (true);
    }
  }

  save_error(&saved);

  {
    char message[1024];			// Status message for the cloud

    snprintf(message, sizeof(message), "The print server could not fetch the document: %.900s", saved.message);

    if (report_aborted(client, user_uri, cloud_job_id, message))
    {
      undo_local(&ctx, journal, dev->id, UPA_JSTEP_ABORTED);
      restore_error(&saved, "The job was reported aborted");
    }
    else if (cloud_settled(upaLastError()))
    {
      // The cloud refuses the status: the job is already over there (e.g.
      // canceled by the user), so there is nothing left to print or report
      upaLog(UPA_LOG_INFO, "Cloud job %d: %s", cloud_job_id, upaLastErrorString());
      undo_local(&ctx, journal, dev->id, UPA_JSTEP_ABORTED);
      restore_error(&saved, NULL);
    }
    else
    {
      // Keep the held job and the "acked" record: recovery reports it later
      upaLog(UPA_LOG_WARN, "Cloud job %d: could not report it aborted (%s); 'upa-release --recover' will", cloud_job_id, upaLastErrorString());
      restore_error(&saved, NULL);
    }
  }

  return (false);
}


//
// 'upaReleaseRecover()' - Finish or undo the releases a crash interrupted.
//

int					// O - Number of entries handled or -1
upaReleaseRecover(
    const upa_config_t *cfg,		// I - Configuration
    http_t             *cups,		// I - Connection to the local cupsd
    upa_journal_t      *journal)	// I - Release journal
{
  upa_jentry_t	*entries = NULL;	// Pending releases
  int		num_entries,		// Number of pending releases
		i,			// Looping var
		handled = 0,		// Entries handled
		docs;			// number-of-documents of the CUPS job
  upa_device_t	*dev;			// Device of an entry
  upa_client_t	*client;		// Cloud session for reporting
  ipp_jstate_t	state;			// CUPS job state
  bool		gone;			// CUPS job does not exist any more?
  char		owner[256],		// CUPS job owner
		message[1024];		// Status message for the cloud


  if (!cfg || !cups || !journal)
  {
    upaSetError(UPA_ERROR_ARGS, "upaReleaseRecover: bad arguments");
    return (-1);
  }

  if ((num_entries = upaJournalPending(journal, &entries)) < 0)
    return (-1);

  for (i = 0; i < num_entries; i ++)
  {
    upa_jentry_t *e = entries + i;	// Current entry

    if ((dev = upaDeviceLoad(cfg, e->device_id)) == NULL)
    {
      upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: device %s: %s", e->cloud_job_id, e->device_id, upaLastErrorString());
      continue;
    }

    upaTicketUserFromURI(e->user_uri, owner, sizeof(owner));

    state = e->cups_job_id > 0 ? upaCupsJobInfo(cups, dev->queue, e->cups_job_id, &docs) : (ipp_jstate_t)0;
    gone  = e->cups_job_id <= 0 || (state == 0 && upaLastError() == UPA_ERROR_NOT_FOUND);

    if (state == 0 && !gone)
    {
      upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
      upaDeviceDelete(dev);
      continue;
    }

    if (e->step == UPA_JSTEP_CREATED || e->step == UPA_JSTEP_FETCHED)
    {
      // Never claimed in the cloud: undo locally, the job stays fetchable
      if (!gone && state < IPP_JSTATE_CANCELED)
      {
        if (!upaCupsCancelJobAs(cups, dev->queue, e->cups_job_id, owner))
        {
          upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
          upaDeviceDelete(dev);
          continue;
        }

        if (state != IPP_JSTATE_HELD)
          upaLog(UPA_LOG_WARN, "CUPS job %s-%d of unclaimed cloud job %d was not held any more", dev->queue, e->cups_job_id, e->cloud_job_id);
      }

      upaLog(UPA_LOG_INFO, "Recovery: canceled CUPS job %s-%d; cloud job %d was never claimed and is still waiting in the cloud", dev->queue, e->cups_job_id, e->cloud_job_id);

      if (upaJournalRecord(journal, UPA_JSTEP_CANCELED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri))
        handled ++;
    }
    else if (!gone && state == IPP_JSTATE_HELD && docs > 0)
    {
      // Claimed and complete: print it
      if (!upaCupsReleaseJobAs(cups, dev->queue, e->cups_job_id, owner))
      {
        upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
        upaDeviceDelete(dev);
        continue;
      }

      upaLog(UPA_LOG_INFO, "Recovery: released CUPS job %s-%d of cloud job %d", dev->queue, e->cups_job_id, e->cloud_job_id);

      if (upaJournalRecord(journal, UPA_JSTEP_RELEASED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri))
        handled ++;
    }
    else if (!gone && (state == IPP_JSTATE_PENDING || state == IPP_JSTATE_PROCESSING || state == IPP_JSTATE_STOPPED || state == IPP_JSTATE_COMPLETED))
    {
      // Released before the crash; the backend reports from here
      upaLog(UPA_LOG_INFO, "Recovery: CUPS job %s-%d of cloud job %d was already released", dev->queue, e->cups_job_id, e->cloud_job_id);

      if (upaJournalRecord(journal, UPA_JSTEP_RELEASED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri))
        handled ++;
    }
    else
    {
      // Claimed, but the document is missing or the local job is gone:
      // tell the cloud it failed rather than leave it hanging
      if ((client = upaClientCreate(cfg, dev)) == NULL)
      {
        upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
        upaDeviceDelete(dev);
        continue;
      }

      if (gone)
        snprintf(message, sizeof(message), "The print server lost the local print job");
      else
        snprintf(message, sizeof(message), "The print server was interrupted before the document was received");

      if (!report_aborted(client, e->user_uri[0] ? e->user_uri : NULL, e->cloud_job_id, message))
      {
        if (!cloud_settled(upaLastError()))
        {
          // Try again at the next recovery
          upaLog(UPA_LOG_ERROR, "Cannot recover cloud job %d: reporting it aborted failed: %s", e->cloud_job_id, upaLastErrorString());
          upaClientDelete(client);
          upaDeviceDelete(dev);
          continue;
        }

        // The cloud has settled the job itself (already terminal, gone...)
        upaLog(UPA_LOG_WARN, "Recovery: cloud job %d: %s", e->cloud_job_id, upaLastErrorString());
        snprintf(message, sizeof(message), "the cloud had already finished it");
      }

      upaClientDelete(client);

      if (!gone && state < IPP_JSTATE_CANCELED && !upaCupsCancelJobAs(cups, dev->queue, e->cups_job_id, owner))
        upaLog(UPA_LOG_WARN, "Recovery: cannot cancel CUPS job %s-%d: %s", dev->queue, e->cups_job_id, upaLastErrorString());

      upaLog(UPA_LOG_INFO, "Recovery: canceled CUPS job %s-%d; cloud job %d closed as aborted (%s)", dev->queue, e->cups_job_id, e->cloud_job_id, message);

      if (upaJournalRecord(journal, UPA_JSTEP_ABORTED, e->device_id, e->cloud_job_id, e->cups_job_id, e->user_uri))
        handled ++;
    }

    upaDeviceDelete(dev);
  }

  free(entries);

  return (handled);
}


//
// 'acknowledge()' - Acknowledge-Job, retrying transient failures.
//
// A lost answer may hide a successful claim; retrying is safe (the server
// accepts or says not-fetchable) and failing means canceling locally, so
// nothing prints twice either way.
//

static bool				// O - true if the job is ours
acknowledge(release_ctx_t *ctx)		// I - Release state
{
  int		attempt;		// Attempt number


  for (attempt = 0; attempt < 3; attempt ++)
  {
    if (attempt)
      sleep((unsigned)(2 * attempt));

    if (upaInfraAcknowledgeJob(ctx->client, ctx->user_uri, ctx->result->cloud_job_id, NULL))
      return (true);

    if (!is_transient(upaLastError()))
      break;

    upaLog(UPA_LOG_WARN, "Acknowledge-Job for cloud job %d failed (%s); retrying", ctx->result->cloud_job_id, upaLastErrorString());
  }

  {
    saved_error_t	saved;		// Cloud's answer
    char		suffix[256];	// What it means for the user

    save_error(&saved);
    snprintf(suffix, sizeof(suffix), "Cloud job %d was not claimed by this printer and nothing was printed", ctx->result->cloud_job_id);
    restore_error(&saved, suffix);
  }

  upaLog(UPA_LOG_INFO, "%s", upaLastErrorString());

  return (false);
}


//
// 'cloud_settled()' - Did the cloud refuse a status update for good?
//
// An IPP answer (job already terminal, gone, not ours) means the cloud has
// settled the job; network, busy, token, device and HTTP failures may pass.
//

static bool				// O - true if retrying cannot help
cloud_settled(upa_error_t err)		// I - Error class of the refusal
{
  return (err == UPA_ERROR_IPP || err == UPA_ERROR_NOT_FOUND || err == UPA_ERROR_NOT_FETCHABLE || err == UPA_ERROR_NOT_POSSIBLE || err == UPA_ERROR_PROTOCOL);
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

  return (true);
}


//
// 'doc_start_cb()' - Pick the document format from the Fetch-Document response.
//

static bool				// O - true to continue
doc_start_cb(void  *data,		// I - Release state
             ipp_t *response)		// I - IPP part of the response
{
  release_ctx_t		*ctx = (release_ctx_t *)data;
					// Release state
  ipp_attribute_t	*attr;		// Attribute


  if ((attr = ippFindAttribute(response, "document-format", IPP_TAG_MIMETYPE)) != NULL && ippGetString(attr, 0, NULL))
    upaCopyString(ctx->format, ippGetString(attr, 0, NULL), sizeof(ctx->format));
  else if (ctx->result->ticket.format[0])
    upaCopyString(ctx->format, ctx->result->ticket.format, sizeof(ctx->format));
  else
    upaCopyString(ctx->format, "application/octet-stream", sizeof(ctx->format));

  if ((attr = ippFindAttribute(response, "compression", IPP_TAG_KEYWORD)) != NULL && strcmp(ippGetString(attr, 0, NULL), "none"))
    upaLog(UPA_LOG_WARN, "Cloud job %d: document compression \"%s\" is passed on as is", ctx->result->cloud_job_id, ippGetString(attr, 0, NULL));

  upaLog(UPA_LOG_DEBUG, "Cloud job %d: document-format %s", ctx->result->cloud_job_id, ctx->format);

  return (true);
}


//
// 'fetch_document()' - Fetch-Document streamed straight into Send-Document.
//
// On failure a partly sent document is thrown away, so the held job has no
// document and can be fetched into again.
//

static bool				// O - true if the document is complete in CUPS
fetch_document(release_ctx_t *ctx)	// I - Release state
{
  bool		ok;			// Fetch succeeded?
  saved_error_t	saved;			// Fetch error


  ctx->started       = false;
  ctx->format[0]     = '\0';
  ctx->result->bytes = 0;

  ok = upaInfraFetchDocument(ctx->client, ctx->user_uri, ctx->result->cloud_job_id, 1, doc_start_cb, doc_data_cb, ctx);

  if (ok && !ctx->started)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The cloud sent an empty document for job %d", ctx->result->cloud_job_id);
    ok = false;
  }
  else if (ok)
  {
    // cupsd checks the document (format, size) now
    if (!upaCupsFinishDocument(ctx->cups, ctx->queue))
      ok = false;
    ctx->started = false;
  }
  else if (ctx->started)
  {
    save_error(&saved);
    upaCupsAbortDocument(ctx->cups);
    restore_error(&saved, NULL);
    ctx->started = false;
  }

  return (ok);
}


//
// 'is_transient()' - May a failed cloud request succeed when repeated?
//

static bool				// O - true for network/busy errors
is_transient(upa_error_t err)		// I - Error class
{
  return (err == UPA_ERROR_NETWORK || err == UPA_ERROR_BUSY);
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

static void
restore_error(const saved_error_t *saved,
					// I - Saved error
              const char          *suffix)
					// I - Sentence to add or NULL
{
  if (saved->ipp != IPP_STATUS_OK)
    upaSetIPPError(saved->ipp, NULL);

  if (suffix)
    upaSetError(saved->err, "%s. %s", saved->message, suffix);
  else
    upaSetError(saved->err, "%s", saved->message);
}


//
// 'save_error()' - Remember the last error across clean-up calls.
//

static void
save_error(saved_error_t *saved)	// O - Saved error
{
  saved->err = upaLastError();
  saved->ipp = upaLastIPPStatus();
  upaCopyString(saved->message, upaLastErrorString(), sizeof(saved->message));

  if (saved->err == UPA_ERROR_NONE)
    saved->err = UPA_ERROR_INTERNAL;
}


//
// 'undo_local()' - Cancel the local job and journal it, keeping the error.
//

static void
undo_local(release_ctx_t *ctx,		// I - Release state
           upa_journal_t *journal,	// I - Journal or NULL
           const char    *device_id,	// I - cloud_device_id
           upa_jstep_t   step)		// I - Final record (canceled/aborted)
{
  saved_error_t	saved;			// The error that made us undo


  save_error(&saved);

  if (upaCupsCancelJobAs(ctx->cups, ctx->queue, ctx->result->cups_job_id, ctx->owner))
  {
    if (journal && !upaJournalRecord(journal, step, device_id, ctx->result->cloud_job_id, ctx->result->cups_job_id, ctx->user_uri))
      upaLog(UPA_LOG_WARN, "Cloud job %d: %s", ctx->result->cloud_job_id, upaLastErrorString());
  }
  else
  {
    // The journal keeps the last step: recovery cancels it later
    upaLog(UPA_LOG_ERROR, "Could not cancel held CUPS job %s-%d: %s", ctx->queue, ctx->result->cups_job_id, upaLastErrorString());
  }

  restore_error(&saved, NULL);
}
