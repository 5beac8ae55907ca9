//
// The direct-printing connector (connector.h): one event channel per
// device with direct printing on, each printing through lib/release.c.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One thread per device, with a small stack: it spends its life in a
// Get-Notifications long poll (the server holds it up to ~30 s), so the
// channel costs one HTTPS connection and one upa_client_t.  Printing uses a
// second client (the configured Timeout; the long poll may need more), kept
// for a minute after its last job, and opens the journal and a cupsd
// connection only for the jobs at hand.  Stopping waits
// for a release in progress to end; a thread still in a long poll then is
// left to the process exit (a killed poll loses nothing: the next run
// subscribes and sweeps again).
//

#include "upa-private.h"
#include "connector.h"
#include "infra.h"
#include "release.h"
#include <pthread.h>

#define CONN_LEASE		3600	// notify-lease-duration asked for (seconds)
#define CONN_STACK		(256 * 1024)
					// Thread stack size
#define CONN_MAX_BACKOFF	30	// Longest back-off (seconds)
#define CONN_POLL_TIMEOUT	45	// Least request deadline for a long poll (seconds)
#define CONN_MAX_PENDING	256	// Jobs remembered from events before a sweep takes over
#define CONN_RCLIENT_IDLE	60	// Seconds an unused release session is kept
#define CONN_SPREAD_MS		20	// Start channels this far apart (50 a second)


//
// Local types...
//

typedef struct conn_dev_s		// One device's channel
{
  upa_connector_t *conn;		// Connector
  upa_device_t	dev;			// Device (copy)
  pthread_t	thread;			// Its thread
  bool		running;		// Thread started and not joined?
  bool		stop;			// Asked to stop (guarded by conn->lock)
  bool		done;			// Thread finished (guarded by conn->lock)
  bool		busy;			// Inside a release (guarded by conn->lock)
  bool		seen;			// Still listed at the last update
  bool		subscribed;		// Holds a subscription (guarded by conn->lock)
  int		start_ms;		// Delay before the first request (spreads a mass start)
} conn_dev_t;

struct upa_connector_s			// All channels
{
  const upa_config_t *cfg;		// Configuration (borrowed)
  upa_config_t	poll_cfg;		// The same with a deadline fit for long polls
  int		sweep;			// Seconds between sweeps
  pthread_mutex_t lock;			// Guards the flags and counters
  pthread_cond_t cond;			// Signaled on stop
  conn_dev_t	**devs;			// Channels
  int		num_devs;		// Number of channels
  long long	printed,		// Jobs handed to CUPS
		events,			// Events received
		sweeps;			// Sweeps done
};

typedef struct conn_state_s		// What a channel thread keeps
{
  conn_dev_t	*d;			// Channel
  upa_client_t	*client;		// Long-poll session
  upa_client_t	*rclient;		// Release session (kept while jobs come)
  time_t	rclient_used;		// When it was last used
  int		sub_id;			// Subscription (0 = none)
  int		seq;			// Next notify-sequence-number wanted
  int		up_time;		// Last printer-up-time seen
  time_t	renew_at;		// Renew the lease then (0 = never)
  time_t	next_sweep;		// Next Get-Jobs sweep (0 = now)
  int		backoff;		// Current back-off (seconds, 0 = none)
  int		pending[CONN_MAX_PENDING];
					// Job ids announced by events
  int		num_pending;		// Number of them
} conn_state_t;


//
// Local functions...
//

static void	*conn_thread(void *data);
static void	conn_count(conn_dev_t *d, long long *counter, long long n);
static void	conn_fail(conn_state_t *st, const char *what);
static bool	conn_print(conn_state_t *st, const int *job_ids, int num_job_ids);
static void	conn_reap(upa_connector_t *conn, bool wait);
static bool	conn_stopping(conn_dev_t *d);
static bool	conn_sweep(conn_state_t *st);
static bool	conn_wait(conn_dev_t *d, int seconds);
static bool	conn_wait_ms(conn_dev_t *d, long ms);


//
// 'upaConnectorCreate()' - Create a connector (no channel runs yet).
//

upa_connector_t *			// O - Connector or `NULL`
upaConnectorCreate(
    const upa_config_t *cfg,		// I - Configuration (borrowed)
    int                sweep)		// I - Seconds between sweeps (0 = default)
{
  upa_connector_t	*conn;		// Connector


  if (!cfg)
  {
    upaSetError(UPA_ERROR_ARGS, "upaConnectorCreate: bad arguments.");
    return (NULL);
  }

  if ((conn = calloc(1, sizeof(upa_connector_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory for the connector.");
    return (NULL);
  }

  conn->cfg      = cfg;
  conn->poll_cfg = *cfg;
  conn->sweep    = sweep > 0 ? sweep : UPA_CONNECTOR_SWEEP;

  // The server holds a long poll up to ~30 s: the request deadline must be longer
  if (conn->poll_cfg.timeout < CONN_POLL_TIMEOUT)
    conn->poll_cfg.timeout = CONN_POLL_TIMEOUT;

  pthread_mutex_init(&conn->lock, NULL);
  pthread_cond_init(&conn->cond, NULL);

  return (conn);
}


//
// 'upaConnectorDelete()' - Stop every channel and free the connector.
//

void
upaConnectorDelete(upa_connector_t *conn)// I - Connector
{
  int	i;				// Looping var


  if (!conn)
    return;

  pthread_mutex_lock(&conn->lock);
  for (i = 0; i < conn->num_devs; i ++)
    conn->devs[i]->stop = true;
  pthread_cond_broadcast(&conn->cond);
  pthread_mutex_unlock(&conn->lock);

  conn_reap(conn, true);

  if (conn->num_devs > 0)
  {
    // Threads still in a long poll: they touch the connector when they
    // wake, so it stays allocated; the process is about to exit.
    upaLog(UPA_LOG_DEBUG, "Connector: %d channel(s) still in a long poll at exit.", conn->num_devs);
    return;
  }

  free(conn->devs);
  pthread_cond_destroy(&conn->cond);
  pthread_mutex_destroy(&conn->lock);
  free(conn);
}


//
// 'upaConnectorStats()' - Report the connector's counters.
//

void
upaConnectorStats(
    upa_connector_t       *conn,	// I - Connector
    upa_connector_stats_t *stats)	// O - Counters
{
  int	i;				// Looping var


  memset(stats, 0, sizeof(upa_connector_stats_t));

  if (!conn)
    return;

  pthread_mutex_lock(&conn->lock);
  for (i = 0; i < conn->num_devs; i ++)
  {
    if (!conn->devs[i]->stop)
    {
      stats->devices ++;
      if (conn->devs[i]->subscribed)
        stats->subscribed ++;
    }
  }
  stats->printed = conn->printed;
  stats->events  = conn->events;
  stats->sweeps  = conn->sweeps;
  pthread_mutex_unlock(&conn->lock);
}


//
// 'upaConnectorUpdate()' - Run a channel for every device with direct printing on.
//
// Devices not listed any more, or with direct printing off, are stopped
// (after the release in progress, if any); new ones are started.
//

int					// O - Channels running, -1 on error
upaConnectorUpdate(
    upa_connector_t *conn,		// I - Connector
    upa_device_t    **devices,		// I - Registered devices
    int             num_devices)	// I - Number of devices
{
  int			i, j;		// Looping vars
  int			running = 0;	// Channels running
  int			err;		// pthread_create() error
  int			started = 0;	// Channels started by this update
  pthread_attr_t	attr;		// Thread attributes


  if (!conn || num_devices < 0 || (num_devices > 0 && !devices))
  {
    upaSetError(UPA_ERROR_ARGS, "upaConnectorUpdate: bad arguments.");
    return (-1);
  }

  conn_reap(conn, false);

  pthread_mutex_lock(&conn->lock);
  for (j = 0; j < conn->num_devs; j ++)
    conn->devs[j]->seen = false;
  pthread_mutex_unlock(&conn->lock);

  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, CONN_STACK);

  for (i = 0; i < num_devices; i ++)
  {
    conn_dev_t	*d = NULL;		// Channel

    if (!devices[i] || !devices[i]->direct)
      continue;

    pthread_mutex_lock(&conn->lock);
    for (j = 0; j < conn->num_devs; j ++)
    {
      if (!conn->devs[j]->stop && !strcmp(conn->devs[j]->dev.id, devices[i]->id) && !strcmp(conn->devs[j]->dev.queue, devices[i]->queue))
      {
        d       = conn->devs[j];
        d->seen = true;
        break;
      }
    }
    pthread_mutex_unlock(&conn->lock);

    if (d)
    {
      running ++;
      continue;
    }

    // A new channel
    conn_dev_t **temp;			// Grown list

    if ((d = calloc(1, sizeof(conn_dev_t))) == NULL || (temp = realloc(conn->devs, (size_t)(conn->num_devs + 1) * sizeof(conn_dev_t *))) == NULL)
    {
      free(d);
      upaLog(UPA_LOG_ERROR, "Connector: out of memory for %s.", devices[i]->queue);
      continue;
    }

    d->conn     = conn;
    d->dev      = *devices[i];
    d->seen     = true;
    d->start_ms = CONN_SPREAD_MS * (started ++ % 2000);

    pthread_mutex_lock(&conn->lock);
    conn->devs = temp;
    conn->devs[conn->num_devs ++] = d;
    pthread_mutex_unlock(&conn->lock);

    if ((err = pthread_create(&d->thread, &attr, conn_thread, d)) != 0)
    {
      upaLog(UPA_LOG_ERROR, "Connector: cannot start the channel of %s: %s", d->dev.queue, strerror(err));
      pthread_mutex_lock(&conn->lock);
      d->stop = d->done = true;
      pthread_mutex_unlock(&conn->lock);
      continue;
    }

    d->running = true;
    running ++;
    upaLog(UPA_LOG_INFO, "Direct printing on for %s (device %s).", d->dev.queue, d->dev.id);
  }

  pthread_attr_destroy(&attr);

  // Stop what is gone or off
  pthread_mutex_lock(&conn->lock);
  for (j = 0; j < conn->num_devs; j ++)
  {
    if (!conn->devs[j]->seen && !conn->devs[j]->stop)
    {
      conn->devs[j]->stop = true;
      upaLog(UPA_LOG_INFO, "Direct printing off for %s (device %s).", conn->devs[j]->dev.queue, conn->devs[j]->dev.id);
    }
  }
  pthread_cond_broadcast(&conn->cond);
  pthread_mutex_unlock(&conn->lock);

  return (running);
}


//
// 'conn_count()' - Add to a connector counter.
//

static void
conn_count(conn_dev_t *d,		// I - Channel
           long long  *counter,		// I - Counter of d->conn
           long long  n)			// I - Amount
{
  pthread_mutex_lock(&d->conn->lock);
  *counter += n;
  pthread_mutex_unlock(&d->conn->lock);
}


//
// 'conn_fail()' - Log a failure and back off (Retry-After when the server said so).
//

static void
conn_fail(conn_state_t *st,		// I - Channel state
          const char   *what)		// I - What failed
{
  int	retry = upaLastError() == UPA_ERROR_BUSY ? upaLastRetryAfter() : 0;
					// Retry-After


  st->backoff = st->backoff ? 2 * st->backoff : 1;
  if (st->backoff > CONN_MAX_BACKOFF)
    st->backoff = CONN_MAX_BACKOFF;
  if (retry > st->backoff)
    st->backoff = retry > 3600 ? 3600 : retry;

  upaLog(UPA_LOG_WARN, "Direct printing on %s: %s failed (%s); trying again in %d s.", st->d->dev.queue, what, upaLastErrorString(), st->backoff);
}


//
// 'conn_print()' - Print cloud jobs through the journaled release path.
//
// Returns false when a job could not be printed for a reason that may pass
// (cupsd down, network, busy cloud): the caller sweeps again after a back-off.
//

static bool				// O - `false` to retry later
conn_print(conn_state_t *st,		// I - Channel state
           const int    *job_ids,	// I - Cloud job ids
           int          num_job_ids)	// I - Number of job ids
{
  conn_dev_t		*d = st->d;	// Channel
  const upa_config_t	*cfg = d->conn->cfg;
					// Configuration
  upa_client_t		*client;	// Release session
  upa_journal_t		*journal = NULL;// Release journal
  http_t		*cups = NULL;	// Local cupsd
  bool			ok = true;	// Everything settled?
  int			i;		// Looping var


  if (num_job_ids <= 0)
    return (true);

  pthread_mutex_lock(&d->conn->lock);
  d->busy = true;
  pthread_mutex_unlock(&d->conn->lock);

  if ((journal = upaJournalOpen(cfg)) == NULL)
  {
    conn_fail(st, "opening the release journal");
    ok = false;
    goto done;
  }

  if ((cups = upaCupsConnect(cfg)) == NULL)
  {
    conn_fail(st, "connecting to CUPS");
    ok = false;
    goto done;
  }

  // The release session (configured Timeout) outlives one batch while
  // jobs keep coming: no new TLS session and token read per job
  if (!st->rclient && (st->rclient = upaClientCreate(cfg, &d->dev)) == NULL)
  {
    conn_fail(st, "creating a cloud session");
    ok = false;
    goto done;
  }

  client           = st->rclient;
  st->rclient_used = time(NULL);

  for (i = 0; i < num_job_ids && !conn_stopping(d); i ++)
  {
    upa_release_t	result;		// Release result

    if (upaReleaseJob(client, cups, journal, d->dev.queue, NULL, job_ids[i], NULL, NULL, &result))
    {
      upaLog(UPA_LOG_INFO, "Direct job %d printing on %s as CUPS job %d.", job_ids[i], d->dev.queue, result.cups_job_id);
      conn_count(d, &d->conn->printed, 1);
    }
    else
    {
      upa_error_t err = upaLastError();	// Why not

      if (err == UPA_ERROR_NOT_FETCHABLE || err == UPA_ERROR_NOT_FOUND || err == UPA_ERROR_NOT_POSSIBLE || (err == UPA_ERROR_BUSY && result.held_here))
      {
        // Not ours to print (any more): released before, gone, taken by
        // another printer, a job held for release - or another release or
        // recovery holds it, and recovery settles it
        upaLog(UPA_LOG_DEBUG, "Direct job %d on %s: %s", job_ids[i], d->dev.queue, upaLastErrorString());
      }
      else
      {
        // cupsd down, network, busy cloud...: the job waits in the cloud
        // (or in the journal, for recovery); sweep again later
        conn_fail(st, "printing a direct job");
        ok = false;
      }

      if (!ok)
      {
        upaReleaseClear(&result);
        break;
      }
    }

    upaReleaseClear(&result);
  }

  done:

  if (cups)
    httpClose(cups);
  upaJournalClose(journal);

  pthread_mutex_lock(&d->conn->lock);
  d->busy = false;
  pthread_mutex_unlock(&d->conn->lock);

  return (ok);
}


//
// 'conn_reap()' - Join finished channel threads and drop them.
//
// With "wait", waits until no release is in progress (and half a second
// for the idle channels to leave).
//

static void
conn_reap(upa_connector_t *conn,	// I - Connector
          bool            wait)		// I - Wait for stopping threads?
{
  struct timespec	start,		// When the wait started
			now;		// Current time
  int			i;		// Looping var


  clock_gettime(CLOCK_MONOTONIC, &start);

  for (;;)
  {
    bool	busy = false;		// A release still running?
    bool	left = false;		// A thread still running?
    long	ms;			// Milliseconds waited

    pthread_mutex_lock(&conn->lock);
    for (i = 0; i < conn->num_devs;)
    {
      conn_dev_t *d = conn->devs[i];	// Channel

      if (d->stop && (d->done || !d->running))
      {
        pthread_mutex_unlock(&conn->lock);
        if (d->running)
          pthread_join(d->thread, NULL);
        pthread_mutex_lock(&conn->lock);
        conn->devs[i] = conn->devs[-- conn->num_devs];
        free(d);
        continue;
      }

      if (d->busy)
        busy = true;
      left = true;
      i ++;
    }
    pthread_mutex_unlock(&conn->lock);

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;

    // A release in progress is finished; threads waiting (not in a long
    // poll) leave at once, those in a long poll are not waited for
    if (!wait || !left || (!busy && ms >= 500))
      break;

    usleep(20000);
  }
}


//
// 'conn_stopping()' - Has the channel been asked to stop?
//

static bool				// O - `true` when stopping
conn_stopping(conn_dev_t *d)		// I - Channel
{
  bool	stop;				// Result


  pthread_mutex_lock(&d->conn->lock);
  stop = d->stop;
  pthread_mutex_unlock(&d->conn->lock);

  return (stop);
}


//
// 'conn_sweep()' - Get-Jobs which-jobs=fetchable, and print what it lists.
//

static bool				// O - `false` to retry later
conn_sweep(conn_state_t *st)		// I - Channel state
{
  ipp_t		*response;		// Get-Jobs response
  upa_jobinfo_t	*jobs = NULL;		// Jobs listed
  int		*ids = NULL;		// Jobs to print
  int		num_jobs,		// Number of jobs
		num_ids = 0,		// Number to print
		i;			// Looping var
  bool		ok;			// Result


  conn_count(st->d, &st->d->conn->sweeps, 1);

  // No requesting-user-uri: the cloud lists only the direct jobs of this
  // printer, never jobs held for release
  if ((response = upaInfraGetJobs(st->client, NULL)) == NULL)
  {
    conn_fail(st, "Get-Jobs");
    return (false);
  }

  num_jobs = upaInfraJobList(response, &jobs);
  ippDelete(response);

  if (num_jobs < 0)
  {
    conn_fail(st, "reading the Get-Jobs answer");
    return (false);
  }

  if (num_jobs > 0 && (ids = calloc((size_t)num_jobs, sizeof(int))) == NULL)
  {
    free(jobs);
    upaSetError(UPA_ERROR_MEMORY, "Out of memory for the job list.");
    conn_fail(st, "the sweep");
    return (false);
  }

  for (i = 0; i < num_jobs; i ++)
  {
    // A job held (for release or by its owner) is never printed here
    if (jobs[i].state == IPP_JSTATE_HELD || jobs[i].state >= IPP_JSTATE_CANCELED)
      continue;

    ids[num_ids ++] = jobs[i].id;
  }

  free(jobs);

  upaLog(UPA_LOG_DEBUG, "Direct printing on %s: sweep, %d job(s) to print.", st->d->dev.queue, num_ids);

  ok = conn_print(st, ids, num_ids);
  free(ids);

  return (ok);
}


//
// 'conn_thread()' - One device's channel.
//

static void *				// O - NULL
conn_thread(void *data)			// I - Channel
{
  conn_dev_t		*d = (conn_dev_t *)data;
					// Channel
  upa_connector_t	*conn = d->conn;// Connector
  conn_state_t		st;		// State


  memset(&st, 0, sizeof(st));
  st.d   = d;
  st.seq = 1;

  // Many channels starting at once would all subscribe, fetch a token and
  // sweep in the same second
  if (d->start_ms > 0)
    conn_wait_ms(d, d->start_ms);	// (the loop sees a stop at once)

  while (!conn_stopping(d))
  {
    time_t		now = time(NULL),
					// Current time
			started;	// Start of the long poll
    upa_notify_info_t	info;		// Get-Notifications operation attributes
    upa_event_t		*events = NULL;	// Events
    int			num_events,	// Number of events
			i;		// Looping var
    bool		gap = false;	// Events missing?

    if (st.backoff > 0)
    {
      int wait = st.backoff;		// Seconds to wait

      if (st.sub_id && st.next_sweep > now && st.next_sweep - now < wait)
        wait = (int)(st.next_sweep - now);
      if (conn_wait(d, wait))
        break;
      now = time(NULL);
    }

    if (!st.client && (st.client = upaClientCreate(&conn->poll_cfg, &d->dev)) == NULL)
    {
      conn_fail(&st, "creating a cloud session");
      continue;
    }

    // 1. A subscription; a new one means events may have been missed
    if (!st.sub_id)
    {
      int granted;			// Lease granted

      if ((st.sub_id = upaInfraCreateSubscription(st.client, CONN_LEASE, &granted)) > 0)
      {
        upaLog(UPA_LOG_DEBUG, "Direct printing on %s: subscription %d (lease %d s).", d->dev.queue, st.sub_id, granted);
        st.seq        = 1;
        st.up_time    = 0;
        st.renew_at   = granted > 0 ? now + (granted > 2 ? granted / 2 : 1) : 0;
        st.next_sweep = 0;
        pthread_mutex_lock(&conn->lock);
        d->subscribed = true;
        pthread_mutex_unlock(&conn->lock);
      }
      else
      {
        conn_fail(&st, "Create-Printer-Subscriptions");
        // Without events the sweep still finds the jobs
        if (now >= st.next_sweep && conn_sweep(&st))
          st.next_sweep = now + conn->sweep;
        continue;
      }
    }

    // 2. Jobs announced by events, then the sweep when due
    if (st.num_pending > 0)
    {
      int	n = st.num_pending;	// Jobs to print

      st.num_pending = 0;
      if (!conn_print(&st, st.pending, n))
      {
        st.next_sweep = 0;		// After the back-off
        continue;
      }
    }

    if (now >= st.next_sweep)
    {
      if (!conn_sweep(&st))
        continue;
      st.next_sweep = time(NULL) + conn->sweep;
      st.backoff    = 0;
    }

    // 3. The lease
    if (st.renew_at && now >= st.renew_at)
    {
      if (upaInfraRenewSubscription(st.client, st.sub_id, CONN_LEASE))
        st.renew_at = now + CONN_LEASE / 2;
      else if (upaLastError() == UPA_ERROR_NOT_FOUND)
      {
        st.sub_id = 0;
        continue;
      }
      else
      {
        conn_fail(&st, "Renew-Subscription");
        continue;
      }
    }

    // 4. Wait for events
    started    = time(NULL);
    num_events = upaInfraGetNotifications(st.client, st.sub_id, st.seq, true, &info, &events);

    if (num_events < 0)
    {
      if (upaLastError() == UPA_ERROR_NOT_FOUND || upaLastError() == UPA_ERROR_NOT_POSSIBLE)
      {
        // The server restarted or dropped the subscription (or, having
        // forgotten it, gave its id to another device): subscribe again
        // (and sweep: what arrived meanwhile has no event for us)
        upaLog(UPA_LOG_INFO, "Direct printing on %s: subscription %d is gone (%s); subscribing again.", d->dev.queue, st.sub_id, upaLastErrorString());
        st.sub_id = 0;
        pthread_mutex_lock(&conn->lock);
        d->subscribed = false;
        pthread_mutex_unlock(&conn->lock);
      }
      else
      {
        conn_fail(&st, "Get-Notifications");
        st.next_sweep = 0;		// The channel was down: sweep after the back-off
      }
      continue;
    }

    st.backoff = 0;

    // An idle channel keeps one connection only
    if (st.rclient && time(NULL) - st.rclient_used > CONN_RCLIENT_IDLE)
    {
      upaClientDelete(st.rclient);
      st.rclient = NULL;
    }

    if (info.up_time > 0 && st.up_time > 0 && info.up_time < st.up_time)
    {
      // The server restarted but kept the subscription: the events it
      // held were lost with it
      upaLog(UPA_LOG_INFO, "Direct printing on %s: the cloud restarted (printer-up-time went back); sweeping.", d->dev.queue);
      gap = true;
    }
    if (info.up_time > 0)
      st.up_time = info.up_time;

    if (num_events > 0)
      conn_count(d, &conn->events, num_events);

    for (i = 0; i < num_events; i ++)
    {
      upa_event_t	*ev = events + i;
					// Event
      int		j;		// Looping var

      if (ev->seq < st.seq)
        continue;			// Seen before
      if (ev->seq > st.seq)
        gap = true;			// Some were lost (the server's ring overflowed)
      st.seq = ev->seq + 1;

      if (ev->job_id <= 0)
        continue;
      if (strcmp(ev->event, "job-fetchable") && (strcmp(ev->event, "job-state-changed") || ev->job_state != IPP_JSTATE_PENDING))
        continue;

      for (j = 0; j < st.num_pending && st.pending[j] != ev->job_id; j ++);
      if (j < st.num_pending)
        continue;			// job-fetchable can repeat
      if (st.num_pending < CONN_MAX_PENDING)
        st.pending[st.num_pending ++] = ev->job_id;
      else
        gap = true;			// Let the sweep find the rest
    }

    free(events);

    if (gap)
    {
      upaLog(UPA_LOG_DEBUG, "Direct printing on %s: events may have been missed; sweeping.", d->dev.queue);
      st.next_sweep = 0;
    }

    // notify-get-interval: a server that answered at once with nothing
    // (no notify-wait) is not asked again before it said
    if (num_events == 0 && info.get_interval > 0)
    {
      int elapsed = (int)(time(NULL) - started);
					// Seconds the poll took
      int wait = info.get_interval - elapsed;
					// Seconds left

      if (st.next_sweep > 0 && st.next_sweep - time(NULL) < wait)
        wait = (int)(st.next_sweep - time(NULL));
      if (wait > 0 && conn_wait(d, wait))
        break;
    }
  }

  // Leave quietly: the subscription is canceled when we can, else its lease ends
  if (st.client && st.sub_id > 0)
    upaInfraCancelSubscription(st.client, st.sub_id);
  upaClientDelete(st.client);
  upaClientDelete(st.rclient);

  pthread_mutex_lock(&conn->lock);
  d->done       = true;
  d->subscribed = false;
  pthread_mutex_unlock(&conn->lock);

  return (NULL);
}


//
// 'conn_wait()' - Wait some seconds, or until asked to stop.
//

static bool				// O - `true` when stopping
conn_wait(conn_dev_t *d,		// I - Channel
          int        seconds)		// I - Seconds
{
  return (conn_wait_ms(d, seconds > 0 ? 1000L * seconds : 0));
}


//
// 'conn_wait_ms()' - Wait some milliseconds, or until asked to stop.
//

static bool				// O - `true` when stopping
conn_wait_ms(conn_dev_t *d,		// I - Channel
             long       ms)		// I - Milliseconds
{
  struct timespec	ts;		// Wait end
  bool			stop;		// Result


  clock_gettime(CLOCK_REALTIME, &ts);
  if (ms > 0)
  {
    ts.tv_sec  += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
    {
      ts.tv_sec ++;
      ts.tv_nsec -= 1000000000L;
    }
  }

  pthread_mutex_lock(&d->conn->lock);
  while (!d->stop)
  {
    if (pthread_cond_timedwait(&d->conn->cond, &d->conn->lock, &ts))
      break;
  }
  stop = d->stop;
  pthread_mutex_unlock(&d->conn->lock);

  return (stop);
}
