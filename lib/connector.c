//
// The direct-printing connector (connector.h): one event channel per
// device with direct printing on, each printing through lib/release.c.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One event thread holds every channel: each device has one upa_client_t
// (one easy handle, so its TLS session and connection are reused) whose
// requests run on one loop (upaHTTPLoop*() in lib/http.c: a few libcurl
// multi handles on one epoll descriptor; upaClientStart()/upaClientFinish()
// in lib/client.c).  The
// requests of a channel - Create-Printer-Subscriptions, Get-Jobs (the
// sweep), Renew-Subscription, the Get-Notifications long poll and
// Cancel-Subscription - are all started there and never block it; a
// channel waiting (back-off, notify-get-interval, start spreading) is a
// timer of that thread.  A channel whose request ended takes its next step
// at once; the thread looks at every channel only when a timer is due or
// another thread handed a channel back, added or stopped one.
//
// What may block goes to a bounded pool of CONN_WORKERS threads: printing
// (conn_print() -> upaReleaseJob(), with a release session per device kept
// for a minute after its last job) and getting a device token (a cache
// read, or the network when it is due or was refused: HTTP 401).  A device
// is in exactly one place at a time - waiting for its timer, in a request
// on the loop, queued for a worker, or with a worker - so its fields belong
// to whichever thread has it, and only the "where"/"stop"/
// "subscribed" flags, the work queue and the counters are shared (under
// conn->lock).
//
// Measured (tests/bench/bench-connector.sh, doc/design.md): 1 000 devices
// 99-107 MiB, 1.0-1.45 % of a core idle (a thread per device: 250 MiB,
// 2.75 %), a job for one of them p50 408 ms.  The 64 MiB and 1 % goals
// are not met yet: the requests themselves (2 000 long polls a minute,
// TLS, the kernel) and ~65 KiB of libcurl and OpenSSL state per
// connection remain.
//
// Stopping a device (upaConnectorUpdate()) stops its request in flight,
// lets a release in progress finish, cancels its subscription and drops
// it.  upaConnectorDelete() waits for the releases in progress, cancels the
// requests in flight, asks the cloud to cancel the subscriptions for up to
// CONN_QUIT_MS, and frees everything.
//

#include "upa-private.h"
#include "connector.h"
#include "infra.h"
#include "release.h"
#include <pthread.h>

#define CONN_LEASE		3600	// notify-lease-duration asked for (seconds)
#define CONN_STACK		(512 * 1024)
					// Thread stack size (event thread and workers)
#define CONN_WORKERS		3	// Worker threads (printing, tokens)
#define CONN_MAX_BACKOFF	30	// Longest back-off (seconds)
#define CONN_POLL_TIMEOUT	45	// Least request deadline for a long poll (seconds)
#define CONN_MAX_PENDING	256	// Jobs remembered from events before a sweep takes over
#define CONN_RCLIENT_IDLE	60	// Seconds an unused release session is kept
#define CONN_SPREAD_MS		20	// Start channels this far apart (50 a second)
#define CONN_TOKEN_MARGIN	600	// Renew a token (in a worker) this long before it ends
#define CONN_TOKEN_HOLD_MS	5000	// ... and not again this soon after a success
#define CONN_QUIT_MS		2000	// Longest wait for Cancel-Subscription answers at delete
#define CONN_MAX_SLEEP_MS	60000	// Longest sleep of the event thread


//
// Local types...
//

typedef enum conn_where_e		// Where a device is
{
  CONN_IDLE,				// Waiting for its timer (event thread)
  CONN_LOOP,				// Request in flight on the loop (event thread)
  CONN_QUEUED,				// In the work queue
  CONN_WORKING				// With a worker
} conn_where_t;

typedef enum conn_op_e			// Request in flight
{
  CONN_OP_NONE,				// None
  CONN_OP_SUBSCRIBE,			// Create-Printer-Subscriptions
  CONN_OP_SWEEP,			// Get-Jobs which-jobs=fetchable
  CONN_OP_RENEW,			// Renew-Subscription
  CONN_OP_POLL,				// Get-Notifications notify-wait
  CONN_OP_CANCEL			// Cancel-Subscription (stopping)
} conn_op_t;

typedef enum conn_work_e		// Work for a worker
{
  CONN_WORK_TOKEN,			// Get (or renew) the device token
  CONN_WORK_PRINT			// Print jobs
} conn_work_t;

typedef struct conn_dev_s		// One device's channel
{
  upa_connector_t *conn;		// Connector
  upa_device_t	*dev;			// Device (copy, owned)

  // Shared, guarded by conn->lock
  conn_where_t	where;			// Where it is
  bool		stop;			// Asked to stop
  bool		subscribed;		// Holds a subscription
  bool		seen;			// Still listed at the last update (main thread)
  struct conn_dev_s *next_work;		// Next in the work queue

  // Owned by the thread that has the device
  upa_client_t	*client;		// Channel session (requests on the loop)
  upa_client_t	*rclient;		// Release session (workers; kept while jobs come)
  time_t	rclient_used;		// When it was last used
  conn_op_t	op;			// Request in flight
  time_t	op_started;		// When it started
  conn_work_t	work;			// Work asked for
  int		*ids;			// Jobs to print (malloc'd)
  int		num_ids;		// Number of them
  bool		ids_sweep;		// ... found by a sweep (not by events)?
  bool		have_token;		// A token was got once
  bool		token_refused;		// The cloud refused the token (HTTP 401)
  bool		token_retry;		// Renewed after a 401: another one is final
  long long	token_hold_ms;		// No token work before then unless refused (monotonic ms)
  long long	wake_ms;		// Next step (monotonic ms)
  int		sub_id;			// Subscription (0 = none)
  int		seq;			// Next notify-sequence-number wanted
  int		up_time;		// Last printer-up-time seen
  time_t	renew_at;		// Renew the lease then (0 = never)
  time_t	next_sweep;		// Next Get-Jobs sweep (0 = now)
  bool		sweep_unsubscribed;	// Sweep now although subscribing failed
  bool		sweep_phased;		// The sweeps' phase was chosen
  int		backoff;		// Current back-off (seconds, 0 = none)
  int		*pending;		// Job ids announced by events (malloc'd, at most CONN_MAX_PENDING)
  int		num_pending,		// Number of them
		alloc_pending;		// Allocated
} conn_dev_t;

struct upa_connector_s			// All channels
{
  const upa_config_t *cfg;		// Configuration (borrowed)
  upa_config_t	poll_cfg;		// The same with a deadline fit for long polls
  int		sweep;			// Seconds between sweeps
  upa_http_loop_t *loop;		// Requests of every channel
  pthread_t	thread;			// Event thread
  bool		thread_running;		// Started?
  pthread_t	workers[CONN_WORKERS];	// Worker threads
  int		num_workers;		// Number started
  int		started;		// Channels started (start spreading)
  long long	due;			// Event thread: earliest wake_ms of an idle channel since its last scan

  // Guarded by lock
  pthread_mutex_t lock;			// Guards what follows
  pthread_cond_t cond;			// Work queued, or quitting
  bool		quit;			// Connector being deleted
  bool		rescan;			// Another thread made a channel idle, added or stopped one
  conn_dev_t	**devs;			// Channels (added by the main thread, removed by the event thread)
  int		num_devs;		// Number of channels
  conn_dev_t	*work_first,		// Work queue
		*work_last;
  long long	printed,		// Jobs handed to CUPS
		events,			// Events received
		sweeps;			// Sweeps done
};


//
// Local functions...
//

static void	conn_count(upa_connector_t *conn, long long *counter, long long n);
static bool	conn_done(conn_dev_t *d);
static void	conn_drop(conn_dev_t *d);
static void	conn_fail(conn_dev_t *d, const char *what);
static void	conn_free(conn_dev_t *d);
static bool	conn_idle(conn_dev_t *d);
static void	conn_later(conn_dev_t *d, long long now);
static time_t	conn_next_sweep(conn_dev_t *d);
static void	*conn_loop_thread(void *data);
static void	conn_poll_done(conn_dev_t *d, ipp_t *response);
static bool	conn_print(conn_dev_t *d, const int *job_ids, int num_job_ids);
static void	conn_queue(conn_dev_t *d, conn_work_t work);
static void	conn_set_where(conn_dev_t *d, conn_where_t where);
static void	conn_set_subscribed(conn_dev_t *d, bool subscribed);
static bool	conn_start(conn_dev_t *d, conn_op_t op);
static void	conn_settle(conn_dev_t *d, bool step);
static bool	conn_step(conn_dev_t *d, long long now);
static bool	conn_stopping(conn_dev_t *d);
static void	conn_sweep_done(conn_dev_t *d, ipp_t *response);
static void	*conn_worker(void *data);


//
// 'upaConnectorCreate()' - Create a connector (no channel runs yet).
//

upa_connector_t *			// O - Connector or `NULL`
upaConnectorCreate(
    const upa_config_t *cfg,		// I - Configuration (borrowed)
    int                sweep)		// I - Seconds between sweeps (0 = default)
{
  upa_connector_t	*conn;		// Connector
  pthread_attr_t	attr;		// Thread attributes
  int			err;		// pthread_create() error


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

  // Created here, on the caller's thread: libcurl's global set-up is not
  // thread-safe in older versions
  if ((conn->loop = upaHTTPLoopCreate()) == NULL)
  {
    upaConnectorDelete(conn);
    return (NULL);
  }

  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, CONN_STACK);

  if ((err = pthread_create(&conn->thread, &attr, conn_loop_thread, conn)) != 0)
  {
    pthread_attr_destroy(&attr);
    upaSetError(UPA_ERROR_INTERNAL, "Cannot start the connector's event thread: %s", strerror(err));
    upaConnectorDelete(conn);
    return (NULL);
  }
  conn->thread_running = true;

  while (conn->num_workers < CONN_WORKERS)
  {
    if ((err = pthread_create(conn->workers + conn->num_workers, &attr, conn_worker, conn)) != 0)
    {
      pthread_attr_destroy(&attr);
      upaSetError(UPA_ERROR_INTERNAL, "Cannot start a connector worker: %s", strerror(err));
      upaConnectorDelete(conn);
      return (NULL);
    }
    conn->num_workers ++;
  }

  pthread_attr_destroy(&attr);

  return (conn);
}


//
// 'upaConnectorDelete()' - Stop every channel and free the connector.
//
// A release in progress is finished first; requests in flight are
// canceled.
//

void
upaConnectorDelete(upa_connector_t *conn)// I - Connector
{
  int	i;				// Looping var


  if (!conn)
    return;

  pthread_mutex_lock(&conn->lock);
  conn->quit = true;
  for (i = 0; i < conn->num_devs; i ++)
    conn->devs[i]->stop = true;
  pthread_cond_broadcast(&conn->cond);
  pthread_mutex_unlock(&conn->lock);

  upaHTTPLoopWakeup(conn->loop);

  // Workers finish the job at hand (conn_print() stops between jobs)
  for (i = 0; i < conn->num_workers; i ++)
    pthread_join(conn->workers[i], NULL);

  if (conn->thread_running)
    pthread_join(conn->thread, NULL);

  for (i = 0; i < conn->num_devs; i ++)
    conn_free(conn->devs[i]);
  free(conn->devs);

  upaHTTPLoopDelete(conn->loop);
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
  int		i, j;			// Looping vars
  int		running = 0;		// Channels running
  long long	now = upaNowMS();	// Current time


  if (!conn || num_devices < 0 || (num_devices > 0 && !devices))
  {
    upaSetError(UPA_ERROR_ARGS, "upaConnectorUpdate: bad arguments.");
    return (-1);
  }

  pthread_mutex_lock(&conn->lock);

  for (j = 0; j < conn->num_devs; j ++)
    conn->devs[j]->seen = false;

  for (i = 0; i < num_devices; i ++)
  {
    conn_dev_t	*d = NULL;		// Channel
    conn_dev_t	**temp;			// Grown list

    if (!devices[i] || !devices[i]->direct)
      continue;

    for (j = 0; j < conn->num_devs; j ++)
    {
      if (!conn->devs[j]->stop && !strcmp(conn->devs[j]->dev->id, devices[i]->id) && !strcmp(conn->devs[j]->dev->queue, devices[i]->queue))
      {
        d       = conn->devs[j];
        d->seen = true;
        break;
      }
    }

    if (d)
    {
      running ++;
      continue;
    }

    // A new channel; many starting at once would all subscribe, read a
    // token and sweep in the same second
    if ((d = calloc(1, sizeof(conn_dev_t))) == NULL || (d->dev = upaDeviceCopy(devices[i])) == NULL || (temp = realloc(conn->devs, (size_t)(conn->num_devs + 1) * sizeof(conn_dev_t *))) == NULL)
    {
      if (d)
        upaDeviceDelete(d->dev);
      free(d);
      upaLog(UPA_LOG_ERROR, "Connector: out of memory for %s.", devices[i]->queue);
      continue;
    }

    d->conn    = conn;
    d->seen    = true;
    d->where   = CONN_IDLE;
    d->seq     = 1;
    d->wake_ms = now + CONN_SPREAD_MS * (conn->started ++ % 2000);

    conn->devs = temp;
    conn->devs[conn->num_devs ++] = d;
    running ++;

    upaLog(UPA_LOG_INFO, "Direct printing on for %s (device %s).", d->dev->queue, d->dev->id);
  }

  // Stop what is gone or off
  for (j = 0; j < conn->num_devs; j ++)
  {
    if (!conn->devs[j]->seen && !conn->devs[j]->stop)
    {
      conn->devs[j]->stop = true;
      upaLog(UPA_LOG_INFO, "Direct printing off for %s (device %s).", conn->devs[j]->dev->queue, conn->devs[j]->dev->id);
    }
  }

  conn->rescan = true;			// New channels, stopped ones

  pthread_mutex_unlock(&conn->lock);

  upaHTTPLoopWakeup(conn->loop);

  return (running);
}


//
// 'conn_count()' - Add to a connector counter.
//

static void
conn_count(upa_connector_t *conn,	// I - Connector
           long long       *counter,	// I - Counter of conn
           long long       n)		// I - Amount
{
  pthread_mutex_lock(&conn->lock);
  *counter += n;
  pthread_mutex_unlock(&conn->lock);
}


//
// 'conn_done()' - Handle the end of a device's request (event thread).
//

static bool				// O - `false` when the channel was dropped (freed)
conn_done(conn_dev_t *d)		// I - Channel
{
  conn_op_t		op = d->op;	// Request that ended
  ipp_t			*response;	// Its response
  time_t		now = time(NULL);
					// Current time
  int			granted;	// Lease granted


  response = upaClientFinish(d->client);
  d->op    = CONN_OP_NONE;
  conn_set_where(d, CONN_IDLE);
  d->wake_ms = 0;

  if (op == CONN_OP_CANCEL)
  {
    ippDelete(response);
    conn_drop(d);
    return (false);
  }

  if (!response && upaClientTokenRefused(d->client) && !d->token_retry)
  {
    // Renewed (in a worker: it needs the network), then the same step again
    d->token_retry   = true;
    d->token_refused = true;
    conn_queue(d, CONN_WORK_TOKEN);
    return (true);
  }

  d->token_retry = false;		// One renewal per request, as upaClientSend()

  switch (op)
  {
    case CONN_OP_SUBSCRIBE :
        if (response && (d->sub_id = upaInfraSubscriptionId(response, CONN_LEASE, &granted)) > 0)
        {
          upaLog(UPA_LOG_DEBUG, "Direct printing on %s: subscription %d (lease %d s).", d->dev->queue, d->sub_id, granted);
          d->seq        = 1;
          d->up_time    = 0;
          d->renew_at   = granted > 0 ? now + (granted > 2 ? granted / 2 : 1) : 0;
          d->next_sweep = 0;		// A new subscription: events may have been missed
          conn_set_subscribed(d, true);
        }
        else
        {
          d->sub_id = 0;
          conn_fail(d, "Create-Printer-Subscriptions");
          // Without events the sweep still finds the jobs
          if (now >= d->next_sweep)
            d->sweep_unsubscribed = true;
          conn_later(d, upaNowMS());
        }
        break;

    case CONN_OP_SWEEP :
        conn_sweep_done(d, response);
        break;

    case CONN_OP_RENEW :
        if (response)
          d->renew_at = now + CONN_LEASE / 2;
        else if (upaLastError() == UPA_ERROR_NOT_FOUND)
        {
          d->sub_id = 0;
          conn_set_subscribed(d, false);
        }
        else
        {
          conn_fail(d, "Renew-Subscription");
          conn_later(d, upaNowMS());
        }
        break;

    case CONN_OP_POLL :
        conn_poll_done(d, response);
        break;

    default :
        break;
  }

  ippDelete(response);

  return (true);
}


//
// 'conn_drop()' - Remove a stopped device and free it (event thread).
//

static void
conn_drop(conn_dev_t *d)		// I - Channel
{
  upa_connector_t	*conn = d->conn;// Connector
  int			i;		// Looping var


  pthread_mutex_lock(&conn->lock);
  for (i = 0; i < conn->num_devs; i ++)
  {
    if (conn->devs[i] == d)
    {
      conn->devs[i] = conn->devs[-- conn->num_devs];
      break;
    }
  }
  pthread_mutex_unlock(&conn->lock);

  conn_free(d);
}


//
// 'conn_fail()' - Log a failure and back off (Retry-After when the server said so).
//

static void
conn_fail(conn_dev_t *d,		// I - Channel
          const char *what)		// I - What failed
{
  int	retry = upaLastError() == UPA_ERROR_BUSY ? upaLastRetryAfter() : 0;
					// Retry-After


  d->backoff = d->backoff ? 2 * d->backoff : 1;
  if (d->backoff > CONN_MAX_BACKOFF)
    d->backoff = CONN_MAX_BACKOFF;
  if (retry > d->backoff)
    d->backoff = retry > 3600 ? 3600 : retry;

  upaLog(UPA_LOG_WARN, "Direct printing on %s: %s failed (%s); trying again in %d s.", d->dev->queue, what, upaLastErrorString(), d->backoff);
}


//
// 'conn_free()' - Free a device's channel (no request in flight, no worker).
//

static void
conn_free(conn_dev_t *d)		// I - Channel
{
  upaClientDelete(d->client);
  upaClientDelete(d->rclient);
  free(d->ids);
  free(d->pending);
  upaDeviceDelete(d->dev);
  free(d);
}


//
// 'conn_later()' - Wait for the back-off before the next step.
//
// A subscribed channel whose sweep is due sooner waits only until then.
//

static void
conn_later(conn_dev_t *d,		// I - Channel
           long long  now)		// I - Current time (ms)
{
  long long	wait = 1000LL * d->backoff;
					// Wait (ms)
  time_t	t = time(NULL);		// Current time


  if (d->sub_id && d->next_sweep > t && 1000LL * (d->next_sweep - t) < wait)
    wait = 1000LL * (d->next_sweep - t);

  d->wake_ms = now + wait;
}


//
// 'conn_loop_thread()' - The event thread: every channel's requests and timers.
//

static void *				// O - NULL
conn_loop_thread(void *data)		// I - Connector
{
  upa_connector_t	*conn = (upa_connector_t *)data;
					// Connector
  conn_dev_t		**list = NULL;	// Snapshot of the channels
  unsigned char		*where = NULL;	// Their "where" (and stop) then
  int			alloc = 0,	// Allocated entries
			num,		// Channels
			i;		// Looping var
  upa_http_t		*http;		// Session whose request ended
  void			*udata;		// Its channel
  long long		now;		// Current time (ms)
  bool			quit = false,	// Leaving?
			scan;		// Look at every channel?


  conn->due = 0;

  while (!quit)
  {
    // A channel's request ending is handled at once (conn_done() and
    // conn_settle() below), so the channels need a look only when a timer
    // is due or another thread changed one: with 1 000 channels a look at
    // every one for each socket event was a good part of the idle CPU.
    //
    // Snapshot: only this thread moves a device out of CONN_IDLE/CONN_LOOP
    // and frees devices, so what is seen idle stays so until handled here
    now = upaNowMS();

    pthread_mutex_lock(&conn->lock);
    quit         = conn->quit;
    scan         = conn->rescan || now >= conn->due;
    conn->rescan = false;
    num          = scan ? conn->num_devs : 0;
    if (num > alloc)
    {
      conn_dev_t	**tlist;	// New list
      unsigned char	*twhere;	// New flags

      if ((tlist = realloc(list, (size_t)num * sizeof(conn_dev_t *))) != NULL)
        list = tlist;
      if ((twhere = realloc(where, (size_t)num)) != NULL)
        where = twhere;
      if (tlist && twhere)
        alloc = num;
      else
        num = alloc;
    }
    for (i = 0; i < num; i ++)
    {
      list[i]  = conn->devs[i];
      where[i] = (unsigned char)(list[i]->where | (list[i]->stop ? 0x80 : 0));
    }
    pthread_mutex_unlock(&conn->lock);

    if (quit)
      break;

    if (scan)
      conn->due = now + CONN_MAX_SLEEP_MS;

    for (i = 0; i < num; i ++)
    {
      conn_dev_t *d = list[i];		// Channel

      if ((where[i] & 0x7f) == CONN_LOOP && (where[i] & 0x80) && d->op != CONN_OP_CANCEL)
      {
        // Stopping: the long poll is not waited for
        upaClientCancel(d->client);
        d->op = CONN_OP_NONE;
        conn_set_where(d, CONN_IDLE);
        d->wake_ms = 0;
      }
      else if ((where[i] & 0x7f) != CONN_IDLE)
        continue;

      if (d->wake_ms <= now || (where[i] & 0x80))
      {
        if (conn_step(d, now))		// (false: d was freed)
          conn_settle(d, false);
      }
      else if (d->wake_ms < conn->due)
        conn->due = d->wake_ms;
    }

    if (!upaHTTPLoopRun(conn->loop, (int)(conn->due - now)))
    {
      upaLog(UPA_LOG_ERROR, "Connector: %s", upaLastErrorString());
      usleep(100000);			// Never spin
    }

    while ((http = upaHTTPLoopNext(conn->loop, &udata)) != NULL)
    {
      conn_dev_t *d = (conn_dev_t *)udata;
					// Channel

      if (conn_done(d))			// (false: d was freed)
        conn_settle(d, true);
    }
  }

  // Leaving: cancel the requests in flight, then ask the cloud to cancel
  // the subscriptions (their leases end anyway), for a short while
  now  = upaNowMS();
  num  = 0;
  for (i = 0; i < conn->num_devs; i ++)
  {
    conn_dev_t		*d = conn->devs[i];
					// Channel
    conn_where_t	w;		// Where it is

    pthread_mutex_lock(&conn->lock);
    w = d->where;
    pthread_mutex_unlock(&conn->lock);

    if (w == CONN_QUEUED || w == CONN_WORKING)
      continue;				// A worker has it (Delete waits for it)

    if (w == CONN_LOOP)
      upaClientCancel(d->client);
    conn_set_where(d, CONN_IDLE);
    d->op = CONN_OP_NONE;

    // (A token that ended meanwhile is not renewed now: the lease ends anyway)
    if (d->sub_id > 0 && d->client && !upaClientTokenDue(d->client, 0))
    {
      ipp_t *request = upaClientNewRequest(d->client, IPP_OP_CANCEL_SUBSCRIPTION, NULL);
					// Cancel-Subscription

      if (request)
      {
        ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-id", d->sub_id);
        if (upaClientStart(d->client, conn->loop, request, d))	// (consumes request)
        {
          conn_set_where(d, CONN_LOOP);
          num ++;
        }
      }
    }
  }

  while (num > 0 && upaNowMS() - now < CONN_QUIT_MS)
  {
    upaHTTPLoopRun(conn->loop, (int)(CONN_QUIT_MS - (upaNowMS() - now)));
    while ((http = upaHTTPLoopNext(conn->loop, &udata)) != NULL)
    {
      conn_dev_t *d = (conn_dev_t *)udata;
					// Channel

      ippDelete(upaClientFinish(d->client));
      conn_set_where(d, CONN_IDLE);
      num --;
    }
  }

  for (i = 0; i < conn->num_devs; i ++)
  {
    conn_dev_t	*d = conn->devs[i];	// Channel
    bool	inloop;			// Request still in flight?

    pthread_mutex_lock(&conn->lock);
    inloop = d->where == CONN_LOOP;
    pthread_mutex_unlock(&conn->lock);

    if (inloop)
    {
      upaClientCancel(d->client);
      conn_set_where(d, CONN_IDLE);
    }
  }

  free(list);
  free(where);

  return (NULL);
}


//
// 'conn_next_sweep()' - When the next regular sweep of a channel is due.
//
// Channels start (and subscribe, and sweep) together; the first regular
// sweep of each comes at a random point of the interval, so that their
// sweeps are spread evenly over it instead of all falling into the same
// seconds.
//

static time_t				// O - Time of the next sweep
conn_next_sweep(conn_dev_t *d)		// I - Channel
{
  int	interval = d->conn->sweep;	// Seconds to the next one


  if (!d->sweep_phased)
  {
    d->sweep_phased = true;
    interval        = 1 + (int)(random() % interval);
  }

  return (time(NULL) + interval);
}


//
// 'conn_poll_done()' - Handle a Get-Notifications answer (event thread).
//

static void
conn_poll_done(conn_dev_t *d,		// I - Channel
               ipp_t      *response)	// I - Response or `NULL`
{
  upa_connector_t	*conn = d->conn;// Connector
  upa_notify_info_t	info;		// Get-Notifications operation attributes
  upa_event_t		*events = NULL;	// Events
  int			num_events,	// Number of events
			i;		// Looping var
  bool			gap = false;	// Events missing?
  time_t		now = time(NULL);
					// Current time


  if (!response)
  {
    if (upaLastError() == UPA_ERROR_NOT_FOUND || upaLastError() == UPA_ERROR_NOT_POSSIBLE)
    {
      // The server restarted or dropped the subscription (or, having
      // forgotten it, gave its id to another device): subscribe again
      // (and sweep: what arrived meanwhile has no event for us)
      upaLog(UPA_LOG_INFO, "Direct printing on %s: subscription %d is gone (%s); subscribing again.", d->dev->queue, d->sub_id, upaLastErrorString());
      d->sub_id = 0;
      conn_set_subscribed(d, false);
    }
    else
    {
      conn_fail(d, "Get-Notifications");
      d->next_sweep = 0;		// The channel was down: sweep after the back-off
      conn_later(d, upaNowMS());
    }
    return;
  }

  if ((num_events = upaInfraEventList(response, d->sub_id, &info, &events)) < 0)
  {
    conn_fail(d, "reading the Get-Notifications answer");
    d->next_sweep = 0;
    conn_later(d, upaNowMS());
    return;
  }

  d->backoff = 0;

  // An idle channel keeps one connection only
  if (d->rclient && now - d->rclient_used > CONN_RCLIENT_IDLE)
  {
    upaClientDelete(d->rclient);
    d->rclient = NULL;
  }

  if (info.up_time > 0 && d->up_time > 0 && info.up_time < d->up_time)
  {
    // The server restarted but kept the subscription: the events it
    // held were lost with it
    upaLog(UPA_LOG_INFO, "Direct printing on %s: the cloud restarted (printer-up-time went back); sweeping.", d->dev->queue);
    gap = true;
  }
  if (info.up_time > 0)
    d->up_time = info.up_time;

  if (num_events > 0)
    conn_count(conn, &conn->events, num_events);

  for (i = 0; i < num_events; i ++)
  {
    upa_event_t	*ev = events + i;	// Event
    int		j;			// Looping var

    if (ev->seq < d->seq)
      continue;				// Seen before
    if (ev->seq > d->seq)
      gap = true;			// Some were lost (the server's ring overflowed)
    d->seq = ev->seq + 1;

    if (ev->job_id <= 0)
      continue;
    if (strcmp(ev->event, "job-fetchable") && (strcmp(ev->event, "job-state-changed") || ev->job_state != IPP_JSTATE_PENDING))
      continue;

    for (j = 0; j < d->num_pending && d->pending[j] != ev->job_id; j ++);
    if (j < d->num_pending)
      continue;				// job-fetchable can repeat
    if (d->num_pending >= d->alloc_pending && d->alloc_pending < CONN_MAX_PENDING)
    {
      // Most channels never see a job: no room is kept until one comes
      int	alloc = d->alloc_pending ? 2 * d->alloc_pending : 8;
					// New size
      int	*temp;			// New array

      if (alloc > CONN_MAX_PENDING)
        alloc = CONN_MAX_PENDING;
      if ((temp = realloc(d->pending, (size_t)alloc * sizeof(int))) != NULL)
      {
        d->pending       = temp;
        d->alloc_pending = alloc;
      }
    }

    if (d->num_pending < d->alloc_pending)
      d->pending[d->num_pending ++] = ev->job_id;
    else
      gap = true;			// Let the sweep find the rest
  }

  free(events);

  if (gap)
  {
    upaLog(UPA_LOG_DEBUG, "Direct printing on %s: events may have been missed; sweeping.", d->dev->queue);
    d->next_sweep = 0;
  }

  // notify-get-interval: a server that answered at once with nothing
  // (no notify-wait) is not asked again before it said
  if (num_events == 0 && info.get_interval > 0)
  {
    int wait = info.get_interval - (int)(now - d->op_started);
					// Seconds left

    if (d->next_sweep > 0 && d->next_sweep - now < wait)
      wait = (int)(d->next_sweep - now);
    if (wait > 0)
      d->wake_ms = upaNowMS() + 1000LL * wait;
  }
}


//
// 'conn_print()' - Print cloud jobs through the journaled release path (worker).
//
// Returns false when a job could not be printed for a reason that may pass
// (cupsd down, network, busy cloud): the caller sweeps again after a back-off.
//

static bool				// O - `false` to retry later
conn_print(conn_dev_t *d,		// I - Channel
           const int  *job_ids,		// I - Cloud job ids
           int        num_job_ids)	// I - Number of job ids
{
  const upa_config_t	*cfg = d->conn->cfg;
					// Configuration
  upa_journal_t		*journal = NULL;// Release journal
  http_t		*cups = NULL;	// Local cupsd
  bool			ok = true;	// Everything settled?
  int			i;		// Looping var


  if (num_job_ids <= 0)
    return (true);

  if ((journal = upaJournalOpen(cfg)) == NULL)
  {
    conn_fail(d, "opening the release journal");
    ok = false;
    goto done;
  }

  if ((cups = upaCupsConnect(cfg)) == NULL)
  {
    conn_fail(d, "connecting to CUPS");
    ok = false;
    goto done;
  }

  // The release session (configured Timeout) outlives one batch while
  // jobs keep coming: no new TLS session and token read per job
  if (!d->rclient && (d->rclient = upaClientCreate(cfg, d->dev)) == NULL)
  {
    conn_fail(d, "creating a cloud session");
    ok = false;
    goto done;
  }

  d->rclient_used = time(NULL);

  for (i = 0; i < num_job_ids && !conn_stopping(d); i ++)
  {
    upa_release_t	result;		// Release result

    if (upaReleaseJob(d->rclient, cups, journal, d->dev->queue, NULL, job_ids[i], NULL, NULL, &result))
    {
      upaLog(UPA_LOG_INFO, "Direct job %d printing on %s as CUPS job %d.", job_ids[i], d->dev->queue, result.cups_job_id);
      conn_count(d->conn, &d->conn->printed, 1);
    }
    else
    {
      upa_error_t err = upaLastError();	// Why not

      if (err == UPA_ERROR_NOT_FETCHABLE || err == UPA_ERROR_NOT_FOUND || err == UPA_ERROR_NOT_POSSIBLE || (err == UPA_ERROR_BUSY && result.held_here))
      {
        // Not ours to print (any more): released before, gone, taken by
        // another printer, a job held for release - or another release or
        // recovery holds it, and recovery settles it
        upaLog(UPA_LOG_DEBUG, "Direct job %d on %s: %s", job_ids[i], d->dev->queue, upaLastErrorString());
      }
      else
      {
        // cupsd down, network, busy cloud...: the job waits in the cloud
        // (or in the journal, for recovery); sweep again later
        conn_fail(d, "printing a direct job");
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

  return (ok);
}


//
// 'conn_queue()' - Hand a device to the workers (event thread).
//

static void
conn_queue(conn_dev_t  *d,		// I - Channel
           conn_work_t work)		// I - Work to do
{
  upa_connector_t	*conn = d->conn;// Connector


  d->work = work;

  pthread_mutex_lock(&conn->lock);
  d->where     = CONN_QUEUED;
  d->next_work = NULL;
  if (conn->work_last)
    conn->work_last->next_work = d;
  else
    conn->work_first = d;
  conn->work_last = d;
  pthread_cond_signal(&conn->cond);
  pthread_mutex_unlock(&conn->lock);
}


//
// 'conn_set_subscribed()' - Set the "subscribed" flag (for the counters).
//

static void
conn_set_subscribed(conn_dev_t *d,	// I - Channel
                    bool       subscribed)
					// I - Holds a subscription?
{
  pthread_mutex_lock(&d->conn->lock);
  d->subscribed = subscribed;
  pthread_mutex_unlock(&d->conn->lock);
}


//
// 'conn_set_where()' - Set where a device is.
//

static void
conn_set_where(conn_dev_t   *d,		// I - Channel
               conn_where_t where)	// I - Where it is now
{
  pthread_mutex_lock(&d->conn->lock);
  d->where = where;
  pthread_mutex_unlock(&d->conn->lock);
}


//
// 'conn_settle()' - After a channel's request ended (step: take its next step when due) or it took a step: note its timer (event thread).
//

static void
conn_settle(conn_dev_t *d,		// I - Channel
            bool       step)		// I - Take the next step when it is due?
{
  upa_connector_t	*conn = d->conn;// Connector
  long long		now = upaNowMS();
					// Current time (ms)


  if (!conn_idle(d))
    return;				// In a request, or a worker's

  // A step that fails backs off, so one step at most here
  if (step && d->wake_ms <= now && (!conn_step(d, now) || !conn_idle(d)))
    return;				// Dropped (freed), or busy again

  if (d->wake_ms < conn->due)
    conn->due = d->wake_ms;
}


//
// 'conn_idle()' - Is a channel waiting for its timer (any thread)?
//

static bool				// O - `true` when idle
conn_idle(conn_dev_t *d)		// I - Channel
{
  bool	idle;				// Result


  pthread_mutex_lock(&d->conn->lock);
  idle = d->where == CONN_IDLE;
  pthread_mutex_unlock(&d->conn->lock);

  return (idle);
}


//
// 'conn_start()' - Start a request of a channel on the loop (event thread).
//

static bool				// O - `true` when started
conn_start(conn_dev_t *d,		// I - Channel
           conn_op_t  op)		// I - Request
{
  upa_connector_t	*conn = d->conn;// Connector
  ipp_t			*request = NULL;// Request


  switch (op)
  {
    case CONN_OP_SUBSCRIBE :
        request = upaInfraNewCreateSubscription(d->client, CONN_LEASE);
        break;
    case CONN_OP_SWEEP :
        // No requesting-user-uri: the cloud lists only the direct jobs of
        // this printer, never jobs held for release
        conn_count(conn, &conn->sweeps, 1);
        request = upaInfraNewGetJobs(d->client, NULL);
        break;
    case CONN_OP_RENEW :
        request = upaInfraNewRenewSubscription(d->client, d->sub_id, CONN_LEASE);
        break;
    case CONN_OP_POLL :
        request = upaInfraNewGetNotifications(d->client, d->sub_id, d->seq, true);
        break;
    case CONN_OP_CANCEL :
        if ((request = upaClientNewRequest(d->client, IPP_OP_CANCEL_SUBSCRIPTION, NULL)) != NULL)
          ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-id", d->sub_id);
        break;
    default :
        break;
  }

  if (!request || !upaClientStart(d->client, conn->loop, request, d))
    return (false);

  d->op         = op;
  d->op_started = time(NULL);
  conn_set_where(d, CONN_LOOP);

  return (true);
}


//
// 'conn_step()' - Take a waiting channel's next step (event thread).
//

static bool				// O - `false` when the channel was dropped (freed)
conn_step(conn_dev_t *d,		// I - Channel
          long long  now)		// I - Current time (ms)
{
  time_t	t = time(NULL);		// Current time
  static const char * const what[] =	// Request names for messages
  {
    "", "Create-Printer-Subscriptions", "Get-Jobs", "Renew-Subscription", "Get-Notifications", "Cancel-Subscription"
  };
  conn_op_t	op;			// Next request


  if (conn_stopping(d))
  {
    // Leave quietly: the subscription is canceled when we can, else its
    // lease ends
    if (d->sub_id > 0 && d->client && !upaClientTokenDue(d->client, 0) && conn_start(d, CONN_OP_CANCEL))
    {
      d->sub_id = 0;
      conn_set_subscribed(d, false);
      return (true);
    }

    conn_drop(d);
    return (false);
  }

  d->wake_ms = 0;

  if (!d->client && (d->client = upaClientCreate(&d->conn->poll_cfg, d->dev)) == NULL)
  {
    conn_fail(d, "creating a cloud session");
    conn_later(d, now);
    return (true);
  }

  // The token: read (or renewed) by a worker, never on this thread
  if (d->token_refused || (now >= d->token_hold_ms && upaClientTokenDue(d->client, CONN_TOKEN_MARGIN)))
  {
    conn_queue(d, CONN_WORK_TOKEN);
    return (true);
  }

  if (!d->sub_id)
  {
    // 1. A subscription (without one the sweep still finds the jobs)
    op = d->sweep_unsubscribed ? CONN_OP_SWEEP : CONN_OP_SUBSCRIBE;
  }
  else if (d->num_pending > 0)
  {
    // 2. Jobs announced by events: the list goes to the worker as it is
    free(d->ids);
    d->ids           = d->pending;
    d->num_ids       = d->num_pending;
    d->ids_sweep     = false;
    d->pending       = NULL;
    d->num_pending   = 0;
    d->alloc_pending = 0;
    conn_queue(d, CONN_WORK_PRINT);
    return (true);
  }
  else if (t >= d->next_sweep)
    op = CONN_OP_SWEEP;			// 3. The sweep when due
  else if (d->renew_at && t >= d->renew_at)
    op = CONN_OP_RENEW;			// 4. The lease
  else
    op = CONN_OP_POLL;			// 5. Wait for events

  if (!conn_start(d, op))
  {
    conn_fail(d, what[op]);
    if (op == CONN_OP_POLL)
      d->next_sweep = 0;
    d->sweep_unsubscribed = false;
    conn_later(d, now);
  }

  return (true);
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
// 'conn_sweep_done()' - Handle a Get-Jobs answer: print what it lists (event thread).
//

static void
conn_sweep_done(conn_dev_t *d,		// I - Channel
                ipp_t      *response)	// I - Response or `NULL`
{
  upa_jobinfo_t	*jobs = NULL;		// Jobs listed
  int		num_jobs,		// Number of jobs
		i;			// Looping var


  d->sweep_unsubscribed = false;

  if (!response)
  {
    conn_fail(d, "Get-Jobs");
    conn_later(d, upaNowMS());
    return;
  }

  if ((num_jobs = upaInfraJobList(response, &jobs)) < 0)
  {
    conn_fail(d, "reading the Get-Jobs answer");
    conn_later(d, upaNowMS());
    return;
  }

  if (num_jobs > 0 && (d->ids = calloc((size_t)num_jobs, sizeof(int))) == NULL)
  {
    free(jobs);
    upaSetError(UPA_ERROR_MEMORY, "Out of memory for the job list.");
    conn_fail(d, "the sweep");
    conn_later(d, upaNowMS());
    return;
  }

  d->num_ids = 0;
  for (i = 0; i < num_jobs; i ++)
  {
    // A job held (for release or by its owner) is never printed here
    if (jobs[i].state == IPP_JSTATE_HELD || jobs[i].state >= IPP_JSTATE_CANCELED)
      continue;

    d->ids[d->num_ids ++] = jobs[i].id;
  }

  free(jobs);

  upaLog(UPA_LOG_DEBUG, "Direct printing on %s: sweep, %d job(s) to print.", d->dev->queue, d->num_ids);

  if (d->num_ids > 0)
  {
    d->ids_sweep = true;
    conn_queue(d, CONN_WORK_PRINT);
    return;
  }

  free(d->ids);
  d->ids        = NULL;
  d->next_sweep = conn_next_sweep(d);
  d->backoff    = 0;
}


//
// 'conn_worker()' - A worker: print jobs and get tokens for the channels.
//

static void *				// O - NULL
conn_worker(void *data)			// I - Connector
{
  upa_connector_t	*conn = (upa_connector_t *)data;
					// Connector
  conn_dev_t		*d;		// Channel at hand
  char			*token;		// Token buffer
  const size_t		tokensize = 16384;
					// Its size
  bool			ok;		// Work done?


  if ((token = malloc(tokensize)) == NULL)
    return (NULL);

  for (;;)
  {
    pthread_mutex_lock(&conn->lock);
    while (!conn->quit && !conn->work_first)
      pthread_cond_wait(&conn->cond, &conn->lock);

    if (conn->quit)
    {
      pthread_mutex_unlock(&conn->lock);
      break;
    }

    d = conn->work_first;
    if ((conn->work_first = d->next_work) == NULL)
      conn->work_last = NULL;
    d->next_work = NULL;
    d->where     = CONN_WORKING;
    pthread_mutex_unlock(&conn->lock);

    ok = true;

    if (d->work == CONN_WORK_TOKEN)
    {
      // Renewed when it is due or was refused; the first time the cache
      // is read (and renewed there when it must be)
      if (!conn_stopping(d))
      {
        if (upaClientGetToken(d->client, d->token_refused || d->have_token, token, tokensize))
        {
          d->have_token    = true;
          d->token_refused = false;
          // Never a loop of token work, whatever the cache says
          d->token_hold_ms = upaNowMS() + CONN_TOKEN_HOLD_MS;
        }
        else
        {
          conn_fail(d, "getting the device token");
          ok = false;
        }
        explicit_bzero(token, tokensize);
        // The token request's connection is not kept: the channel's
        // connection lives in the loop
        upaHTTPDropConnections(upaClientGetHTTP(d->client));
      }
    }
    else
    {
      if (conn_print(d, d->ids, d->num_ids))
      {
        if (d->ids_sweep)
        {
          d->next_sweep = conn_next_sweep(d);
          d->backoff    = 0;
        }
      }
      else
      {
        ok = false;
        if (!d->ids_sweep)
          d->next_sweep = 0;		// After the back-off
      }

      free(d->ids);
      d->ids     = NULL;
      d->num_ids = 0;
    }

    // Back to the event thread
    if (ok)
      d->wake_ms = 0;
    else
      conn_later(d, upaNowMS());

    pthread_mutex_lock(&conn->lock);
    d->where     = CONN_IDLE;
    conn->rescan = true;
    pthread_mutex_unlock(&conn->lock);

    upaHTTPLoopWakeup(conn->loop);
  }

  free(token);

  return (NULL);
}
