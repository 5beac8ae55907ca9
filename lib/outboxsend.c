//
// Durable outbox for job status updates: delivery to the cloud (see
// outbox.h for layout and rules; the queue is in outbox.c).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "outbox-private.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>


//
// Local functions...
//

static int	outbox_flush_one(upa_outbox_t *ob, const char *device_id, time_t deadline, bool ignore_backoff, int *pending);
static outbox_result_t outbox_send_printer(upa_client_t **client, upa_outbox_t *ob, const upa_device_t *dev, json_object *rec);
static bool	outbox_ledger_add(upa_outbox_t *ob, const char *ddir, int job_id);
static outbox_result_t outbox_verify(upa_client_t *client, const upa_device_t *dev, const char *user_uri, int job_id, int state, char *why, size_t whysize);
static void	outbox_backoff_write(upa_outbox_t *ob, const char *ddir, int attempts, time_t next);
static outbox_result_t outbox_send(upa_client_t **client, upa_outbox_t *ob, const upa_device_t *dev, json_object *rec);
static bool	*outbox_superseded(const char *ddir, const outbox_names_t *records);
static void	outbox_session_put(upa_outbox_t *ob, upa_device_t *dev, upa_client_t *client, time_t since, bool healthy);
static upa_device_t *outbox_session_take(upa_outbox_t *ob, const char *device_id, upa_client_t **client, time_t *since);
static outbox_result_t outbox_classify(upa_error_t err);
static void	outbox_close_sessions(upa_outbox_t *ob);


//
// 'upaOutboxKeepSessions()' - Keep cloud sessions open between flushes.
//
// For a long-lived deliverer (the sync service): each device's session
// (its TLS connection, kept alive by libcurl, and its token) is reused for
// OUTBOX_SESSION_AGE seconds instead of being set up for every flush.  A
// session that saw a transient failure or could not deliver is dropped, so
// the next flush starts afresh (device reloaded, new connection).  false
// closes every kept session.
//

void
upaOutboxKeepSessions(upa_outbox_t *ob,	// I - Outbox
                      bool         keep)// I - Keep them?
{
  if (!ob)
    return;

  ob->keep           = keep;
  ob->close_sessions = outbox_close_sessions;

  if (!keep)
    outbox_close_sessions(ob);
}


//
// 'outbox_close_sessions()' - Close every kept session.
//
// Called by upaOutboxClose() too, through the outbox (so that a program that
// only queues does not link the cloud client).
//

static void
outbox_close_sessions(upa_outbox_t *ob)	// I - Outbox
{
  int	i;				// Looping var


  for (i = 0; i < ob->num_sessions; i ++)
  {
    upaClientDelete(ob->sessions[i].client);
    upaDeviceDelete(ob->sessions[i].dev);
  }
  ob->num_sessions = 0;
}


//
// 'upaOutboxFlush()' - Deliver queued records of every device.
//

int					// O - Records delivered, -1 on error
upaOutboxFlush(upa_outbox_t *ob,	// I - Outbox
               int          *pending)	// O - Records left (may be `NULL`)
{
  return (upaOutboxFlushDevice(ob, NULL, 0, false, pending));
}


//
// 'upaOutboxFlushDevice()' - Deliver queued records of one device or all.
//

int					// O - Records delivered, -1 on error
upaOutboxFlushDevice(
    upa_outbox_t *ob,			// I - Outbox
    const char   *device_id,		// I - Device or `NULL` for all
    int          max_seconds,		// I - Time limit (0 = none)
    bool         ignore_backoff,	// I - Send even during back-off?
    int          *pending)		// O - Records left (may be `NULL`)
{
  outbox_names_t devices;		// Device folders
  size_t	i;			// Looping var
  int		delivered = 0,		// Records delivered
		left = 0,		// Records left
		n,			// Result for one device
		saved_timeout;		// Configured request timeout
  time_t	deadline;		// When to stop
  bool		error = false;		// Any device failed hard?


  if (pending)
    *pending = 0;

  if (!ob)
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxFlush: no outbox.");
    return (-1);
  }

  // A time limit also caps every request (connect and stall timeouts).
  saved_timeout = ob->cfg.timeout;
  deadline      = max_seconds > 0 ? time(NULL) + max_seconds : 0;
  if (max_seconds > 0 && (ob->cfg.timeout <= 0 || ob->cfg.timeout > max_seconds))
    ob->cfg.timeout = max_seconds;

  if (device_id)
  {
    if ((n = outbox_flush_one(ob, device_id, deadline, ignore_backoff, &left)) < 0)
      error = true;
    else
      delivered = n;
  }
  else if (upaOutboxListNames(ob->dir, false, &devices) >= 0)
  {
    for (i = 0; i < devices.count; i ++)
    {
      int	dleft = 0;		// Records left for this device

      if ((n = outbox_flush_one(ob, devices.names[i], deadline, ignore_backoff, &dleft)) < 0)
        error = true;
      else
        delivered += n;
      left += dleft;
    }

    upaOutboxNamesFree(&devices);
  }
  else if (access(ob->dir, F_OK))
    error = false;			// Nothing was ever queued
  else
    error = true;

  ob->cfg.timeout = saved_timeout;

  if (pending)
    *pending = left;

  return (error && delivered == 0 ? -1 : delivered);
}


//
// 'upaOutboxDeliver()' - Deliver one device's records, waiting for another deliverer.
//
// Unlike upaOutboxFlushDevice(), a device another process is delivering
// right now is waited for (up to max_seconds): the detached flusher a
// backend starts after queueing must not leave its record behind because an
// earlier flusher listed the folder just before the record was written.
//

int					// O - Records delivered, -1 on error
upaOutboxDeliver(upa_outbox_t *ob,	// I - Outbox
                 const char   *device_id,
					// I - Device
                 int          max_seconds,
					// I - Time limit (0 = none)
                 int          *pending)	// O - Records left (may be `NULL`)
{
  int	delivered;			// Result


  if (!ob || !device_id)
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxDeliver: bad arguments.");
    return (-1);
  }

  ob->wait  = true;
  delivered = upaOutboxFlushDevice(ob, device_id, max_seconds, false, pending);
  ob->wait  = false;

  return (delivered);
}


//
// 'outbox_backoff_write()' - Save a device's back-off state (attempts 0 = clear).
//

static void
outbox_backoff_write(upa_outbox_t *ob,	// I - Outbox
                     const char   *ddir,// I - Device folder
                     int          attempts,
					// I - Failed attempts
                     time_t       next)	// I - Next attempt
{
  char		path[1400],		// backoff file
		text[128];		// Contents


  snprintf(path, sizeof(path), "%s/backoff", ddir);

  if (attempts <= 0)
  {
    if (upaFileUnlink(path) && errno != ENOENT)
      upaLog(UPA_LOG_DEBUG, "Unable to remove %s: %s", path, strerror(errno));
    return;
  }

  snprintf(text, sizeof(text), "{\"attempts\":%d,\"next\":%lld}\n", attempts, (long long)next);
  if (!upaWriteFileAtomicGroup(path, text, strlen(text), UPA_FILE_SHARED_MODE, ob->cfg.device_group))
    upaLog(UPA_LOG_WARN, "Outbox: %s", upaLastErrorString());
}


//
// 'outbox_flush_one()' - Deliver the records of one device, in order.
//

static int				// O - Records delivered, -1 on error
outbox_flush_one(upa_outbox_t *ob,	// I - Outbox
                 const char   *device_id,// I - Device
                 time_t       deadline,	// I - Stop time (0 = none)
                 bool         ignore_backoff,
					// I - Send even during back-off?
                 int          *pending)	// O - Records left
{
  char		ddir[1300],		// Device folder
		path[1400];		// File
  outbox_names_t records;		// Records
  int		lockfd,			// Lock file
		attempts,		// Failed attempts so far
		delivered = 0,		// Records delivered
		n;			// Number of records
  size_t	i;			// Looping var
  time_t	next,			// Next attempt
		now = time(NULL),	// Current time
		since = 0;		// When the device was loaded
  upa_device_t	*dev = NULL;		// Device
  upa_client_t	*client = NULL;		// Cloud session
  bool		stop = false,		// Stop delivering?
		healthy = true,		// May the session be kept?
		unlinked = false,	// Records removed (folder to sync)?
		*superseded = NULL;	// Records a later one replaces


  *pending = 0;

  if (!upaOutboxDeviceDir(ob, device_id, false, ddir, sizeof(ddir)))
    return (-1);

  if ((n = upaOutboxListNames(ddir, true, &records)) <= 0)
    return (n < 0 && !access(ddir, F_OK) ? -1 : 0);

  *pending = n;

  upaOutboxBackoffRead(ddir, &attempts, &next);
  if (!ignore_backoff && next > now)
  {
    upaLog(UPA_LOG_DEBUG, "Outbox: %d record(s) of device %s wait for back-off (%d s).", n, device_id, (int)(next - now));
    upaOutboxNamesFree(&records);
    return (0);
  }

  // One deliverer per device: the others leave it alone (and count it).
  snprintf(path, sizeof(path), "%s/.lock", ddir);
  if ((lockfd = upaFileOpen(path, O_RDWR | O_CREAT, UPA_FILE_SHARED_MODE, ob->cfg.device_group)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, strerror(errno));
    upaOutboxNamesFree(&records);
    return (-1);
  }
  upaShareFile(lockfd, path, ob->cfg.device_group);

  while (flock(lockfd, LOCK_EX | LOCK_NB))
  {
    // A flusher queued behind a running one must not give up: the other
    // may have listed the records before ours was written
    if (ob->wait && (!deadline || time(NULL) < deadline))
    {
      struct timespec nap = { 0, 100000000 };
					// 100 ms

      nanosleep(&nap, NULL);
      continue;
    }

    upaLog(UPA_LOG_DEBUG, "Outbox: device %s is being delivered by another process.", device_id);
    close(lockfd);
    upaOutboxNamesFree(&records);
    return (0);
  }

  // Another process may have delivered some while we waited: list again.
  upaOutboxNamesFree(&records);
  if ((n = upaOutboxListNames(ddir, true, &records)) <= 0)
  {
    close(lockfd);
    *pending = 0;
    return (n < 0 ? -1 : 0);
  }
  *pending = n;

  // A session kept from an earlier flush (sync service), else a new one
  if ((dev = outbox_session_take(ob, device_id, &client, &since)) == NULL)
  {
    since = time(NULL);
    dev   = upaDeviceLoad(&ob->cfg, device_id);
  }

  if (!dev)
  {
    upaLog(UPA_LOG_WARN, "Outbox: %d status update(s) of device %s cannot be delivered: %s", n, device_id, upaLastErrorString());
    close(lockfd);
    upaOutboxNamesFree(&records);
    return (-1);
  }

  superseded = outbox_superseded(ddir, &records);

  for (i = 0; i < records.count && !stop; i ++)
  {
    json_object		*rec;		// Record
    json_object		*value;		// Member
    int			job_id = 0,	// Cloud job-id
			state = 0;	// State
    outbox_result_t	result;		// Send result

    if (deadline && time(NULL) >= deadline)
    {
      upaLog(UPA_LOG_DEBUG, "Outbox: time limit reached, %d record(s) of device %s left.", *pending, device_id);
      break;
    }

    snprintf(path, sizeof(path), "%s/%s", ddir, records.names[i]);
    if ((rec = upaFileLoadJSON(path)) == NULL || !json_object_is_type(rec, json_type_object))
    {
      char bad[1500];			// Quarantined name

      // Never block the queue on a damaged record: keep it aside for an admin.
      upaLog(UPA_LOG_WARN, "Outbox: damaged record %s set aside (.bad).", path);
      snprintf(bad, sizeof(bad), "%s.bad", path);
      if (upaFileRename(path, bad))
        upaFileUnlink(path);
      json_object_put(rec);
      (*pending) --;
      continue;
    }

    if (json_object_object_get_ex(rec, "job", &value))
      job_id = json_object_get_int(value);
    if (json_object_object_get_ex(rec, "state", &value))
      state = json_object_get_int(value);

    if (job_id > 0 && upaOutboxLedgerHas(ddir, job_id))
    {
      // A replay (crash after sending, before removing): never send twice.
      upaLog(UPA_LOG_WARN, "Outbox: dropping %s for job %d of device %s: its terminal state was delivered already.", ippEnumString("job-state", state), job_id, device_id);
      result = OUTBOX_DROP;
    }
    else if (superseded && superseded[i])
    {
      upaLog(UPA_LOG_DEBUG, "Outbox: %s of job %d of device %s not sent: a later update of the job replaces it.", ippEnumString("job-state", state), job_id, device_id);
      result = OUTBOX_DROP;
    }
    else
      result = outbox_send(&client, ob, dev, rec);

    json_object_put(rec);

    switch (result)
    {
      case OUTBOX_SENT :
      case OUTBOX_ALREADY :
          if (upaOutboxIsTerminal(state) && !outbox_ledger_add(ob, ddir, job_id))
          {
            // Without the ledger entry a replay could send it twice: keep
            // the record, the cloud answers "already terminal" next time.
            upaLog(UPA_LOG_WARN, "Outbox: %s", upaLastErrorString());
            stop = true;
            break;
          }

          upaFileUnlink(path);
          unlinked = true;
          (*pending) --;
          if (result == OUTBOX_SENT || upaOutboxIsTerminal(state))
            delivered ++;
          attempts = 0;
          break;

      case OUTBOX_DROP :
          upaFileUnlink(path);
          unlinked = true;
          (*pending) --;
          break;

      case OUTBOX_RETRY :
          {
            int	wait = upaLastRetryAfter(),
					// Retry-After from the cloud, 0 if none
		backoff;		// Exponential back-off

            attempts ++;
            backoff = OUTBOX_BACKOFF_MIN << (attempts > 8 ? 7 : attempts - 1);
            if (backoff > OUTBOX_BACKOFF_MAX)
              backoff = OUTBOX_BACKOFF_MAX;
            if (wait <= 0)
              wait = backoff;

            upaLog(UPA_LOG_INFO, "Outbox: cloud not reachable for device %s (%s); %d update(s) kept, next attempt in %d s.", device_id, upaLastErrorString(), *pending, wait);
            outbox_backoff_write(ob, ddir, attempts, time(NULL) + wait);
            stop    = true;
            healthy = false;
          }
          break;

      case OUTBOX_STUCK :
          upaLog(UPA_LOG_WARN, "Outbox: %d update(s) of device %s kept: %s", *pending, device_id, upaLastErrorString());
          stop    = true;
          healthy = false;
          break;
    }
  }

  // One folder sync for all removals: a removal the crash undoes only
  // replays a record, and the ledger (synced before the removal) drops a
  // replay of a job whose terminal state went out.
  if (unlinked)
    upaOutboxSyncDir(ddir);

  if (attempts == 0)
    outbox_backoff_write(ob, ddir, 0, 0);

  outbox_session_put(ob, dev, client, since, healthy);
  free(superseded);
  upaOutboxNamesFree(&records);
  close(lockfd);			// Releases the lock

  return (delivered);
}


//
// 'outbox_superseded()' - Mark the job states that a later record of the same job replaces.
//
// The cloud keeps a job's latest state, so a non-terminal state (processing,
// stopped, held) queued before another state of the same job need not be
// sent: a job that ends before its "processing" went out costs one
// Update-Job-Status instead of two, and an outage's backlog shrinks to a
// job's last state.  Only records that load count as "later" (a damaged one
// is set aside and replaces nothing); terminal states are always sent.
// Returns a malloc'd flag per record (free it), or NULL (skip nothing).
//

typedef struct outbox_jobrec_s		// One job record, for sorting
{
  int		job_id;			// Cloud job-id
  size_t	index;			// Position in the queue
  bool		terminal;		// Terminal state (or none: never skipped)?
} outbox_jobrec_t;

static int				// O - Result of comparison
outbox_jobrec_compare(const void *a,	// I - First record
                      const void *b)	// I - Second record
{
  const outbox_jobrec_t	*ra = (const outbox_jobrec_t *)a,
			*rb = (const outbox_jobrec_t *)b;

  if (ra->job_id != rb->job_id)
    return (ra->job_id < rb->job_id ? -1 : 1);
  else
    return (ra->index < rb->index ? -1 : ra->index > rb->index);
}

static bool *				// O - Flags or NULL
outbox_superseded(
    const char           *ddir,		// I - Device folder
    const outbox_names_t *records)	// I - Its records, in order
{
  outbox_jobrec_t	*jobs;		// Job records
  bool			*superseded = NULL;
					// Flags
  size_t		i,		// Looping var
			n = 0;		// Job records
  char			path[1400];	// Record file


  if (records->count < 2 || (jobs = calloc(records->count, sizeof(outbox_jobrec_t))) == NULL)
    return (NULL);			// Send everything: slower, never wrong

  for (i = 0; i < records->count; i ++)
  {
    json_object	*rec,			// Record
		*value;			// Member

    snprintf(path, sizeof(path), "%s/%s", ddir, records->names[i]);
    if ((rec = upaFileLoadJSON(path)) == NULL)
      continue;

    if (json_object_is_type(rec, json_type_object) && json_object_object_get_ex(rec, "job", &value) && (jobs[n].job_id = json_object_get_int(value)) > 0)
    {
      jobs[n].index    = i;
      jobs[n].terminal = !json_object_object_get_ex(rec, "state", &value) || upaOutboxIsTerminal(json_object_get_int(value));
      n ++;
    }

    json_object_put(rec);
  }

  qsort(jobs, n, sizeof(outbox_jobrec_t), outbox_jobrec_compare);

  if ((superseded = calloc(records->count, sizeof(bool))) != NULL)
  {
    for (i = 0; i + 1 < n; i ++)
      superseded[jobs[i].index] = jobs[i].job_id == jobs[i + 1].job_id && !jobs[i].terminal;
  }

  free(jobs);

  return (superseded);
}


//
// 'outbox_ledger_add()' - Remember a job whose terminal update was delivered.
//
// The ledger keeps the last OUTBOX_LEDGER_MAX ids: old jobs are long gone
// from the cloud by then.
//

static bool				// O - `true` on success
outbox_ledger_add(upa_outbox_t *ob,	// I - Outbox
                  const char   *ddir,	// I - Device folder
                  int          job_id)	// I - Cloud job-id
{
  char		path[1400],		// Ledger
		line[32];		// One line


  snprintf(path, sizeof(path), "%s/delivered", ddir);
  snprintf(line, sizeof(line), "%d\n", job_id);

  return (upaOutboxAppendLine(ob, path, line, OUTBOX_LEDGER_MAX));
}


//
// 'outbox_send()' - Send one record and classify the outcome.
//

static outbox_result_t			// O - Outcome
outbox_send(upa_client_t       **client,// IO - Cloud session (created on first use)
            upa_outbox_t       *ob,	// I - Outbox
            const upa_device_t *dev,	// I - Device
            json_object        *rec)	// I - Record
{
  upa_jobstatus_t js;			// Status
  json_object	*value,			// Member
		*reasons;		// Reasons array
  const char	*user_uri = NULL;	// requesting-user-uri
  int		job_id = 0;		// Cloud job-id
  size_t	i,			// Looping var
		count;			// Number of reasons
  upa_error_t	err;			// Error class
  outbox_result_t result;		// Verdict


  if (json_object_object_get_ex(rec, "kind", &value) && !strcmp(json_object_get_string(value), OUTBOX_KIND_PRINTER))
    return (outbox_send_printer(client, ob, dev, rec));

  memset(&js, 0, sizeof(js));
  js.impressions = -1;

  if (json_object_object_get_ex(rec, "job", &value))
    job_id = json_object_get_int(value);
  if (json_object_object_get_ex(rec, "state", &value))
    js.state = (ipp_jstate_t)json_object_get_int(value);
  if (json_object_object_get_ex(rec, "user", &value))
    user_uri = json_object_get_string(value);
  if (json_object_object_get_ex(rec, "message", &value))
    js.message = json_object_get_string(value);
  if (json_object_object_get_ex(rec, "impressions", &value))
    js.impressions = json_object_get_int(value);
  if (json_object_object_get_ex(rec, "reasons", &reasons) && json_object_is_type(reasons, json_type_array))
  {
    count = json_object_array_length(reasons);
    for (i = 0; i < count && i < 7; i ++)
      js.reasons[i] = json_object_get_string(json_object_array_get_idx(reasons, i));
  }

  if (job_id <= 0 || js.state < IPP_JSTATE_PENDING || js.state > IPP_JSTATE_COMPLETED)
  {
    upaLog(UPA_LOG_WARN, "Outbox: dropping a record without a valid job or state for device %s.", dev->id);
    return (OUTBOX_DROP);
  }

  if (!*client && (*client = upaClientCreate(&ob->cfg, dev)) == NULL)
    return (upaLastError() == UPA_ERROR_MEMORY ? OUTBOX_RETRY : OUTBOX_STUCK);

  if (upaInfraUpdateJobStatus(*client, user_uri, job_id, &js))
  {
    upaLog(UPA_LOG_DEBUG, "Outbox: delivered %s for job %d of device %s.", ippEnumString("job-state", (int)js.state), job_id, dev->id);
    return (OUTBOX_SENT);
  }

  // HTTP 5xx, IPP server errors: transient.  IPP internal-error is also
  // Universal Print's answer to an update of a job that is already
  // terminal: the cloud's view of the job decides below.
  if ((err = upaLastError()) == UPA_ERROR_SERVER && upaLastIPPStatus() != IPP_STATUS_ERROR_INTERNAL)
    return (OUTBOX_RETRY);
  else if (err != UPA_ERROR_SERVER && (result = outbox_classify(err)) != OUTBOX_DROP)
    return (result);

  // Any other refusal (IPP errors, Universal Print's server-error-internal-error
  // for an update of a terminal job, not-found, not-possible): only the
  // cloud's own view of the job decides whether the record can go
  {
    char	message[1024],		// Why the update failed
		why[1024];		// Why it may be dropped

    upaCopyString(message, upaLastErrorString(), sizeof(message));

    if ((result = outbox_verify(*client, dev, user_uri, job_id, (int)js.state, why, sizeof(why))) == OUTBOX_RETRY)
    {
      upaSetError(err, "%s", message);
      return (OUTBOX_RETRY);
    }

    upaLog(UPA_LOG_WARN, "Outbox: dropping %s of job %d for device %s (the cloud answered: %s): %s", ippEnumString("job-state", (int)js.state), job_id, dev->id, message, why);

    return (result);
  }
}


//
// 'outbox_send_printer()' - Send a printer state record and classify the outcome.
//

static outbox_result_t			// O - Outcome
outbox_send_printer(
    upa_client_t       **client,	// IO - Cloud session (created on first use)
    upa_outbox_t       *ob,		// I - Outbox
    const upa_device_t *dev,		// I - Device
    json_object        *rec)		// I - Record
{
  json_object	*value,			// Member
		*array;			// Reasons array
  const char	*reasons[OUTBOX_MAX_REASONS],
					// Reason keywords
		*message = "";		// printer-state-message
  int		state = 0,		// printer-state
		num_reasons = 0;	// Number of reasons
  size_t	i,			// Looping var
		count;			// Reasons in the record
  ipp_t		*attrs;			// Printer attributes
  bool		sent;			// Delivered?
  outbox_result_t result;		// Verdict


  if (json_object_object_get_ex(rec, "printer-state", &value))
    state = json_object_get_int(value);
  if (json_object_object_get_ex(rec, "message", &value))
    message = json_object_get_string(value);
  if (json_object_object_get_ex(rec, "reasons", &array) && json_object_is_type(array, json_type_array))
  {
    count = json_object_array_length(array);
    for (i = 0; i < count && num_reasons < OUTBOX_MAX_REASONS; i ++)
    {
      const char *keyword = json_object_get_string(json_object_array_get_idx(array, i));

      if (keyword && *keyword)
        reasons[num_reasons ++] = keyword;
    }
  }

  if (state < IPP_PSTATE_IDLE || state > IPP_PSTATE_STOPPED)
  {
    upaLog(UPA_LOG_WARN, "Outbox: dropping a printer state record without a valid printer-state for device %s.", dev->id);
    return (OUTBOX_DROP);
  }

  if (!*client && (*client = upaClientCreate(&ob->cfg, dev)) == NULL)
    return (upaLastError() == UPA_ERROR_MEMORY ? OUTBOX_RETRY : OUTBOX_STUCK);

  attrs = ippNew();
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", state);
  if (num_reasons > 0)
    ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-state-reasons", num_reasons, NULL, reasons);
  else
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-state-reasons", NULL, "none");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-state-message", NULL, message);

  sent = upaInfraUpdateOutputDeviceAttributes(*client, attrs);
  ippDelete(attrs);

  if (sent)
  {
    upaLog(UPA_LOG_DEBUG, "Outbox: delivered printer-state %s (%s) for device %s.", ippEnumString("printer-state", state), num_reasons ? reasons[0] : "none", dev->id);
    return (OUTBOX_SENT);
  }

  // Server errors are transient; a refusal (an IPP client error) drops the
  // record: the next state replaces this one
  if (upaLastError() == UPA_ERROR_SERVER)
    return (OUTBOX_RETRY);
  else if ((result = outbox_classify(upaLastError())) != OUTBOX_DROP)
    return (result);

  upaLog(UPA_LOG_WARN, "Outbox: dropping printer-state %s for device %s (the cloud answered: %s).", ippEnumString("printer-state", state), dev->id, upaLastErrorString());

  return (OUTBOX_DROP);
}


//
// 'outbox_classify()' - What a failed request means for its record.
//
// OUTBOX_RETRY for what passes (network, busy, HTTP, authentication,
// garbled answers, local trouble), OUTBOX_STUCK when this server cannot
// deliver (device, configuration), OUTBOX_DROP for anything else (the
// caller decides: server errors, IPP refusals).
//

static outbox_result_t			// O - Outcome
outbox_classify(upa_error_t err)	// I - Error class
{
  switch (err)
  {
    case UPA_ERROR_NETWORK :
    case UPA_ERROR_BUSY :
    case UPA_ERROR_HTTP :
    case UPA_ERROR_AUTH :
    case UPA_ERROR_PROTOCOL :
    case UPA_ERROR_MEMORY :
    case UPA_ERROR_IO :
    case UPA_ERROR_INTERNAL :
        return (OUTBOX_RETRY);

    case UPA_ERROR_DEVICE :
    case UPA_ERROR_CONFIG :
        return (OUTBOX_STUCK);

    default :
        return (OUTBOX_DROP);
  }
}


//
// 'outbox_verify()' - Decide about a refused update from the cloud's view of the job.
//
// OUTBOX_ALREADY when the cloud holds a terminal state for the job,
// OUTBOX_DROP when the job is gone or bound to another device, otherwise
// OUTBOX_RETRY: a record is dropped only when the cloud proves it useless.
//

static outbox_result_t			// O - Verdict
outbox_verify(upa_client_t       *client,
					// I - Cloud session
              const upa_device_t *dev,	// I - Device
              const char         *user_uri,
					// I - requesting-user-uri or `NULL`
              int                job_id,// I - Cloud job-id
              int                state,	// I - State we wanted to send
              char               *why,	// O - Reason for a drop
              size_t             whysize)
					// I - Size of why
{
  ipp_t			*job;		// Fetch-Job response
  ipp_attribute_t	*attr;		// job-state
  int			cloud_state;	// Job state in the cloud
  upa_error_t		err;		// Error class


  (void)dev;

  *why = '\0';

  if ((job = upaInfraFetchJob(client, user_uri, job_id)) == NULL)
  {
    err = upaLastError();

    if (err == UPA_ERROR_NOT_FOUND)
    {
      snprintf(why, whysize, "the job no longer exists in the cloud");
      return (OUTBOX_DROP);
    }
    else if (err == UPA_ERROR_NOT_POSSIBLE)
    {
      snprintf(why, whysize, "the job belongs to another printer or user");
      return (OUTBOX_DROP);
    }
    else if (err == UPA_ERROR_NOT_FETCHABLE)
    {
      snprintf(why, whysize, "the cloud no longer offers the job (not-fetchable)");
      return (OUTBOX_DROP);
    }

    upaLog(UPA_LOG_INFO, "Outbox: cannot check job %d in the cloud (%s); keeping its %s update.", job_id, upaLastErrorString(), ippEnumString("job-state", state));
    return (OUTBOX_RETRY);
  }

  cloud_state = (attr = ippFindAttribute(job, "job-state", IPP_TAG_ENUM)) != NULL ? ippGetInteger(attr, 0) : 0;
  ippDelete(job);

  if (upaOutboxIsTerminal(cloud_state))
  {
    snprintf(why, whysize, "the cloud holds the terminal state %s already", ippEnumString("job-state", cloud_state));
    return (OUTBOX_ALREADY);
  }

  upaLog(UPA_LOG_INFO, "Outbox: job %d is %s in the cloud; keeping its %s update for the next attempt.", job_id, cloud_state ? ippEnumString("job-state", cloud_state) : "of unknown state", ippEnumString("job-state", state));

  return (OUTBOX_RETRY);
}


//
// 'outbox_session_put()' - Keep a device's session, or close it.
//
// Ownership of dev and client passes to the outbox (kept) or they are freed.
//

static void
outbox_session_put(upa_outbox_t *ob,	// I - Outbox
                   upa_device_t *dev,	// I - Device
                   upa_client_t *client,// I - Session or NULL
                   time_t       since,	// I - When the device was loaded
                   bool         healthy)// I - Did the session work?
{
  if (ob->keep && healthy && dev && ob->num_sessions < OUTBOX_SESSIONS_MAX && time(NULL) - since < OUTBOX_SESSION_AGE)
  {
    ob->sessions[ob->num_sessions].dev    = dev;
    ob->sessions[ob->num_sessions].client = client;
    ob->sessions[ob->num_sessions].since  = since;
    ob->num_sessions ++;
    return;
  }

  upaClientDelete(client);
  upaDeviceDelete(dev);
}


//
// 'outbox_session_take()' - Take a kept session of a device out of the outbox.
//
// Returns the device (the caller owns it and *client) or NULL when none is
// kept or it is too old (then it is closed).
//

static upa_device_t *			// O - Device or NULL
outbox_session_take(
    upa_outbox_t *ob,			// I - Outbox
    const char   *device_id,		// I - Device
    upa_client_t **client,		// O - Its session or NULL
    time_t       *since)		// O - When the device was loaded
{
  int		i;			// Looping var
  upa_device_t	*dev;			// Device


  *client = NULL;

  for (i = 0; i < ob->num_sessions; i ++)
  {
    if (strcmp(ob->sessions[i].dev->id, device_id))
      continue;

    dev     = ob->sessions[i].dev;
    *client = ob->sessions[i].client;
    *since  = ob->sessions[i].since;

    ob->num_sessions --;
    if (i < ob->num_sessions)
      ob->sessions[i] = ob->sessions[ob->num_sessions];

    if (time(NULL) - *since >= OUTBOX_SESSION_AGE || time(NULL) < *since)
    {
      upaClientDelete(*client);
      upaDeviceDelete(dev);
      *client = NULL;
      return (NULL);
    }

    return (dev);
  }

  return (NULL);
}
