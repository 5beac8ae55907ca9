//
// "upactl sync": push queue capabilities and state to Universal Print.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// "sync QUEUE|--all" pushes what changed since the last sync (--force: all).
// "sync --watch" is the service (systemd/upa-sync.service): it subscribes to
// printer events on the local cupsd (Create-Printer-Subscriptions with
// notify-pull-method ippget, then Get-Notifications every half second),
// waits until a queue's events settle (--debounce, at most five times that
// after the first event), and syncs that queue; a full pass runs every
// --interval seconds and whenever the subscription is lost.  Without a
// subscription it compares the queues every two seconds instead.  It also
// delivers the job-status outbox: at once when a backend queues a record
// (inotify on the outbox, lib/outboxwatch.c; backends that see the service
// fork no flusher of their own), over one kept cloud session per device,
// and in a full pass every 30 s.
// It also runs the direct-printing connector (lib/connector.c) for the
// devices whose Direct setting is on (the device store is looked at every
// 30 s and read again only when its fingerprint changed; --sweep sets the
// seconds between its Get-Jobs sweeps).
//

#include "upactl.h"
#include "connector.h"
#include "outbox.h"
#include "release.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>

#define SYNC_LEASE		600	// Subscription lease (seconds)
#define SYNC_OUTBOX_EVERY	30	// Seconds between outbox deliveries
#define SYNC_POLL_EVERY		2000	// Milliseconds between polls without a subscription
#define SYNC_TICK		500	// Milliseconds between looks at cupsd's events
#define SYNC_DELIVER_SECONDS	30	// Time limit of one woken delivery
#define SYNC_BATCH_MS		200	// Delivery waits this long after a record lands
#define SYNC_BATCH_MAX		64	// Devices gathered in one batch


//
// Local types...
//

typedef struct sync_queue_s		// One watched device
{
  upa_device_t	*dev;			// Device (from the device list)
  long long	first_event,		// When it became dirty (ms), 0 = clean
		last_event;		// Latest event (ms)
} sync_queue_t;

typedef struct sync_batch_s		// Devices with records waiting for delivery
{
  long long	due;			// When to deliver (ms), 0 = nothing waits
  int		count;			// Number of devices
  char		ids[SYNC_BATCH_MAX][128];
					// Their ids
} sync_batch_t;


//
// Local functions...
//

static int	cancel_subscription(http_t *http, int sub_id);
static int	create_subscription(http_t *http);
static int	get_notifications(http_t *http, int sub_id, int *seq, sync_queue_t *queues, int num_queues, long long now);
static void	mark_dirty(sync_queue_t *queues, int num_queues, const char *name, long long now);
static long long now_ms(void);
static void	outbox_flush(upactl_t *ctl, upa_outbox_t *ob);
static void	outbox_batch_deliver(sync_batch_t *batch, upa_outbox_t *ob);
static void	outbox_wait(upactl_t *ctl, upa_outbox_t *ob, upa_outbox_watch_t *watch, sync_batch_t *batch, int ms);
static void	reconcile(upactl_t *ctl);
static bool	renew_subscription(http_t *http, int sub_id);
static bool	sync_one(upactl_t *ctl, http_t *http, const upa_device_t *dev, unsigned flags, bool quiet);
static void	direct_update(upactl_t *ctl, upa_connector_t *conn);
static int	sync_watch(upactl_t *ctl, unsigned flags, int interval, int debounce_ms, int sweep);


//
// 'upactlCmdSync()' - Sync one queue, all, or watch.
//

int					// O - Exit status
upactlCmdSync(upactl_t *ctl,		// I - Global state
              int      argc,		// I - Number of arguments
              char     *argv[])		// I - Arguments
{
  const char	*queue = NULL,		// QUEUE
		*via = NULL,		// --via
		*interval = NULL,	// --interval
		*debounce = NULL,	// --debounce
		*sweep = NULL;		// --sweep
  bool		all = false,		// --all?
		watch = false;		// --watch?
  unsigned	flags = 0;		// UPA_SYNC_* flags
  int		i,			// Looping var
		num_devices,		// Number of devices
		failed = 0;		// Failures
  upa_device_t	**devices = NULL;	// Devices
  http_t	*http;			// Connection to cupsd
  int		ival = 300,		// Full sync interval
		dms = 1000,		// Debounce in ms
		sweep_s = UPA_CONNECTOR_SWEEP;	// Direct printing sweep interval


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
      return (upactlUsage("sync", stdout, UPACTL_OK));
    else if (upactlGetOption(argc, argv, &i, "--via", &via) || upactlGetOption(argc, argv, &i, "--interval", &interval) || upactlGetOption(argc, argv, &i, "--debounce", &debounce) || upactlGetOption(argc, argv, &i, "--sweep", &sweep))
      continue;
    else if (!strcmp(argv[i], "--all"))
      all = true;
    else if (!strcmp(argv[i], "--watch"))
      watch = true;
    else if (!strcmp(argv[i], "--force"))
      flags |= UPA_SYNC_FORCE;
    else if (!strcmp(argv[i], "--dry-run"))
      flags |= UPA_SYNC_DRY_RUN;
    else if (argv[i][0] == '-' || queue)
      return (upactlUsage("sync", stderr, UPACTL_USAGE));
    else
      queue = argv[i];
  }

  if ((!!queue + all + watch) != 1)
    return (upactlUsage("sync", stderr, UPACTL_USAGE));

  if (via)
  {
    if (!strcmp(via, "infra"))
      flags |= UPA_SYNC_NO_GRAPH;
    else if (!strcmp(via, "graph"))
      flags |= UPA_SYNC_NO_INFRA;
    else if (strcmp(via, "both"))
      return (upactlUsage("sync", stderr, UPACTL_USAGE));
  }

  if (interval && (ival = atoi(interval)) < 10)
    return (upactlFail("--interval needs at least 10 seconds"));
  if (debounce && ((dms = (int)(atof(debounce) * 1000)) < 0 || dms > 60000))
    return (upactlFail("--debounce needs 0 to 60 seconds"));
  if (sweep && ((sweep_s = atoi(sweep)) < 1 || sweep_s > 86400 || !watch))
    return (upactlFail("--sweep needs --watch and 1 to 86400 seconds"));

  if (!upactlLoadConfig(ctl))
    return (UPACTL_FAILED);

  if (watch)
    return (sync_watch(ctl, flags, ival, dms, sweep_s));

  if ((http = upaCupsConnect(ctl->cfg)) == NULL)
    return (upactlFail("cannot connect to CUPS (%s): start cupsd or fix CupsServer", upaLastErrorString()));

  if (queue)
  {
    upa_device_t *dev;			// Device

    if ((dev = upaDeviceFindQueue(ctl->cfg, queue)) == NULL)
    {
      httpClose(http);
      if (upaLastError() == UPA_ERROR_DEVICE || upaLastError() == UPA_ERROR_NONE)
        return (upactlFail("%s is not registered: register it with \"upactl register %s\"", queue, queue));
      return (upactlFail("cannot read the device store (%s): run upactl as root", upaLastErrorString()));
    }

    failed = !sync_one(ctl, http, dev, flags, false);
    upaDeviceDelete(dev);
  }
  else if ((num_devices = upaDeviceList(ctl->cfg, &devices)) < 0)
  {
    httpClose(http);
    return (upactlFail("cannot read the device store (%s): run upactl as root", upaLastErrorString()));
  }
  else
  {
    if (num_devices == 0)
      printf("No printers are registered with Universal Print.\n");

    for (i = 0; i < num_devices; i ++)
    {
      if (!sync_one(ctl, http, devices[i], flags, false))
        failed ++;
    }

    upaDeviceListDelete(devices, num_devices);
  }

  httpClose(http);

  return (failed ? UPACTL_FAILED : UPACTL_OK);
}


//
// 'cancel_subscription()' - Cancel our subscription (on exit).
//

static int				// O - 0
cancel_subscription(http_t *http,	// I - Connection to cupsd
                    int    sub_id)	// I - Subscription
{
  ipp_t	*request;			// Cancel-Subscription


  if (sub_id <= 0)
    return (0);

  request = ippNewRequest(IPP_OP_CANCEL_SUBSCRIPTION);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, "ipp://localhost/");
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-id", sub_id);
  ippDelete(cupsDoRequest(http, request, "/"));

  return (0);
}


//
// 'create_subscription()' - Subscribe to printer events of every queue.
//

static int				// O - Subscription id or 0
create_subscription(http_t *http)	// I - Connection to cupsd
{
  ipp_t			*request,	// Create-Printer-Subscriptions
			*response;	// Response
  ipp_attribute_t	*attr;		// notify-subscription-id
  int			sub_id = 0;	// Result
  static const char * const events[] =
  {					// Events that change what we push
    "printer-added",
    "printer-config-changed",
    "printer-deleted",
    "printer-modified",
    "printer-state-changed"
  };


  request = ippNewRequest(IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, "ipp://localhost/");
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddString(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-pull-method", NULL, "ippget");
  ippAddStrings(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-events", (int)(sizeof(events) / sizeof(events[0])), NULL, events);
  ippAddInteger(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", SYNC_LEASE);

  response = cupsDoRequest(http, request, "/");

  if (response && cupsLastError() <= IPP_STATUS_OK_CONFLICTING && (attr = ippFindAttribute(response, "notify-subscription-id", IPP_TAG_INTEGER)) != NULL)
    sub_id = ippGetInteger(attr, 0);
  else
    upaLog(UPA_LOG_WARN, "CUPS refused a printer event subscription (%s); polling the queues instead.", cupsLastErrorString());

  ippDelete(response);

  return (sub_id);
}


//
// 'direct_update()' - Start/stop direct-printing channels as device settings say.
//

static void
direct_update(upactl_t        *ctl,	// I - Global state
              upa_connector_t *conn)	// I - Connector
{
  upa_device_t	**devices = NULL;	// Devices
  int		num_devices,		// Number of devices
		running = -1;		// Channels running
  upa_connector_stats_t stats;		// Counters
  static int	last_running = -1,	// Channels at the last update
		last_subscribed = -1;	// Subscribed at the last update
  static unsigned long long last_stamp = 0;
					// Device store fingerprint then
  static bool	have_stamp = false;	// ... known?
  unsigned long long stamp;		// Fingerprint now
  bool		changed;		// Store changed since?


  // The store is read again only when it changed: a thousand device.conf
  // files parsed every 30 s for nothing was the idle service's main cost
  changed = !upaDeviceStoreStamp(ctl->cfg, &stamp) || !have_stamp || stamp != last_stamp;

  if (changed)
  {
    if ((num_devices = upaDeviceList(ctl->cfg, &devices)) < 0)
    {
      upaLog(UPA_LOG_WARN, "Direct printing: cannot read the device store (%s).", upaLastErrorString());
      return;
    }

    if ((running = upaConnectorUpdate(conn, devices, num_devices)) >= 0)
    {
      last_stamp = stamp;
      have_stamp = true;
    }

    if (running >= 0 && running != last_running)
    {
      printf("Direct printing on for %d queue%s.\n", running, running == 1 ? "" : "s");
      fflush(stdout);
      last_running = running;
    }

    upaDeviceListDelete(devices, num_devices);
  }

  // What the channels did since the last update: one line when it changed
  upaConnectorStats(conn, &stats);
  if (stats.subscribed != last_subscribed && (stats.devices > 0 || last_subscribed > 0))
  {
    printf("Direct printing: %d of %d channel%s subscribed, %lld job%s printed, %lld event%s, %lld sweep%s.\n", stats.subscribed, stats.devices, stats.devices == 1 ? "" : "s", stats.printed, stats.printed == 1 ? "" : "s", stats.events, stats.events == 1 ? "" : "s", stats.sweeps, stats.sweeps == 1 ? "" : "s");
    fflush(stdout);
    last_subscribed = stats.subscribed;
  }
}


//
// 'get_notifications()' - Fetch new events and mark their queues dirty.
//

static int				// O - Number of events, -1 when the subscription is gone
get_notifications(http_t       *http,	// I - Connection to cupsd
                  int          sub_id,	// I - Subscription
                  int          *seq,	// IO - Next sequence number
                  sync_queue_t *queues,	// I - Watched queues
                  int          num_queues,
					// I - Number of queues
                  long long    now)	// I - Current time (ms)
{
  ipp_t			*request,	// Get-Notifications
			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  const char		*name = NULL;	// printer-name of an event
  int			events = 0;	// Events seen
  bool			in_event = false;
					// Inside an event group?


  request = ippNewRequest(IPP_OP_GET_NOTIFICATIONS);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, "ipp://localhost/");
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-ids", sub_id);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-sequence-numbers", *seq);

  response = cupsDoRequest(http, request, "/");

  if (!response || cupsLastError() > IPP_STATUS_OK_CONFLICTING)
  {
    upaLog(UPA_LOG_WARN, "Get-Notifications failed (%s); subscribing again.", cupsLastErrorString());
    ippDelete(response);
    return (-1);
  }

  for (attr = ippFirstAttribute(response); ; attr = ippNextAttribute(response))
  {
    if (!attr || !ippGetName(attr) || (in_event && ippGetGroupTag(attr) != IPP_TAG_EVENT_NOTIFICATION))
    {
      // End of one event group.
      if (in_event)
      {
        mark_dirty(queues, num_queues, name, now);
        events ++;
      }
      in_event = false;
      name     = NULL;
      if (!attr)
        break;
      continue;
    }

    if (ippGetGroupTag(attr) != IPP_TAG_EVENT_NOTIFICATION)
      continue;

    in_event = true;

    if (!strcmp(ippGetName(attr), "notify-sequence-number") && ippGetInteger(attr, 0) >= *seq)
      *seq = ippGetInteger(attr, 0) + 1;
    else if (!strcmp(ippGetName(attr), "printer-name"))
      name = ippGetString(attr, 0, NULL);
  }

  ippDelete(response);

  return (events);
}


//
// 'mark_dirty()' - Note an event for a queue (NULL = every queue).
//

static void
mark_dirty(sync_queue_t *queues,	// I - Watched queues
           int          num_queues,	// I - Number of queues
           const char   *name,		// I - Queue name or NULL
           long long    now)		// I - Current time (ms)
{
  int	i;				// Looping var


  for (i = 0; i < num_queues; i ++)
  {
    if (name && strcmp(name, queues[i].dev->queue))
      continue;

    if (!queues[i].first_event)
      queues[i].first_event = now;
    queues[i].last_event = now;
  }
}


//
// 'now_ms()' - Monotonic time in milliseconds.
//

static long long			// O - Milliseconds
now_ms(void)
{
  struct timespec ts;			// Current time


  clock_gettime(CLOCK_MONOTONIC, &ts);

  return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}


//
// 'reconcile()' - Settle open releases (lib/release.c upaReleaseRecover()).
//
// A released job whose CUPS copy vanished in a cupsd crash, or that ended
// without its outcome being queued, is found here even when no release
// station starts; a release in progress elsewhere holds its lock and is
// left alone.
//

static void
reconcile(upactl_t *ctl)		// I - Global state
{
  http_t	*cups;			// Connection to cupsd
  upa_journal_t	*journal;		// Release journal
  int		handled;		// Releases moved on


  if ((journal = upaJournalOpen(ctl->cfg)) == NULL)
  {
    upaLog(UPA_LOG_WARN, "Cannot open the release journal: %s", upaLastErrorString());
    return;
  }

  if ((cups = upaCupsConnect(ctl->cfg)) == NULL)
  {
    upaLog(UPA_LOG_DEBUG, "Reconciling releases later: %s", upaLastErrorString());
    upaJournalClose(journal);
    return;
  }

  if ((handled = upaReleaseRecover(ctl->cfg, cups, journal)) < 0)
    upaLog(UPA_LOG_WARN, "Reconciling releases failed: %s", upaLastErrorString());
  else if (handled > 0)
    upaLog(UPA_LOG_INFO, "Reconciled %d release(s)", handled);

  httpClose(cups);
  upaJournalClose(journal);
}


//
// 'outbox_flush()' - Deliver job status updates the backend could not.
//

static void
outbox_flush(upactl_t     *ctl,		// I - Global state
             upa_outbox_t *keep)	// I - Outbox kept open, or NULL
{
#ifdef UPA_OUTBOX_H
  upa_outbox_t	*ob = keep;		// Outbox
  int		pending = 0,		// Still pending
		delivered;		// Delivered now

  if (!ob && (ob = upaOutboxOpen(ctl->cfg)) == NULL)
  {
    upaLog(UPA_LOG_WARN, "Cannot open the outbox: %s", upaLastErrorString());
    return;
  }

  if ((delivered = upaOutboxFlush(ob, &pending)) < 0)
    upaLog(UPA_LOG_WARN, "Outbox delivery failed: %s", upaLastErrorString());
  else if (delivered > 0 || pending > 0)
    printf("Outbox: %d status update%s delivered, %d pending.\n", delivered, delivered == 1 ? "" : "s", pending);

  if (ob != keep)
    upaOutboxClose(ob);
  fflush(stdout);
#else
  (void)ctl;
#endif // UPA_OUTBOX_H
}


//
// 'outbox_batch_deliver()' - Deliver the devices a batch gathered.
//

static void
outbox_batch_deliver(sync_batch_t *batch,// IO - Batch (emptied)
                     upa_outbox_t *ob)	// I - Outbox (sessions kept)
{
  int	i,				// Looping var
	pending;			// Records left


  // Wait for a deliverer already at it (a flusher, "upactl outbox flush"):
  // it may have listed the folder before the record came
  for (i = 0; i < batch->count; i ++)
  {
    if (upaOutboxDeliver(ob, batch->ids[i], SYNC_DELIVER_SECONDS, &pending) < 0)
      upaLog(UPA_LOG_WARN, "Outbox delivery failed: %s", upaLastErrorString());
    else if (pending > 0)
      upaLog(UPA_LOG_INFO, "Outbox: %d status update%s of device %s pending.", pending, pending == 1 ? "" : "s", batch->ids[i]);
  }

  batch->count = 0;
  batch->due   = 0;
}


//
// 'outbox_wait()' - Wait up to "ms", delivering the records backends queue meanwhile.
//
// A record is delivered SYNC_BATCH_MS after it lands, with whatever its
// device queued meanwhile: a job that ends within that time sends its end
// state only (the outbox skips the "processing" that it replaces), and a
// busy device's records share one pass.  Without a watch this is a plain
// sleep (the full pass delivers).
//

static void
outbox_wait(upactl_t           *ctl,	// I - Global state
            upa_outbox_t       *ob,	// I - Outbox (sessions kept)
            upa_outbox_watch_t *watch,	// I - Outbox watch or NULL
            sync_batch_t       *batch,	// IO - Devices waiting for delivery
            int                ms)	// I - Milliseconds
{
  long long	end = now_ms() + ms,	// When to return
		now,			// Current time
		left;			// Milliseconds to wait
  struct pollfd	pfd;			// inotify descriptor
  const char	*devices[64];		// Devices with new records
  int		i, j,			// Looping vars
		n;			// Number of devices


  if (!watch || !ob)
  {
    usleep((useconds_t)ms * 1000);
    return;
  }

  while (!upactl_stop && (left = end - (now = now_ms())) > 0)
  {
    if (batch->due && batch->due <= now)
    {
      outbox_batch_deliver(batch, ob);
      continue;
    }

    if (batch->due && batch->due - now < left)
      left = batch->due - now;

    pfd.fd     = upaOutboxWatchGetFD(watch);
    pfd.events = POLLIN;

    if (poll(&pfd, 1, (int)left) <= 0 || !(pfd.revents & POLLIN))
      continue;

    if ((n = upaOutboxWatchRead(watch, devices, (int)(sizeof(devices) / sizeof(devices[0])))) < 0)
    {
      outbox_flush(ctl, ob);
      continue;
    }

    for (i = 0; i < n; i ++)
    {
      for (j = 0; j < batch->count; j ++)
      {
        if (!strcmp(batch->ids[j], devices[i]))
          break;
      }

      if (j < batch->count)
        continue;			// Already waiting

      if (batch->count >= SYNC_BATCH_MAX)
        outbox_batch_deliver(batch, ob);

      snprintf(batch->ids[batch->count ++], sizeof(batch->ids[0]), "%s", devices[i]);
      if (!batch->due)
        batch->due = now_ms() + SYNC_BATCH_MS;
    }
  }
}


//
// 'renew_subscription()' - Extend the subscription's lease.
//

static bool				// O - true on success
renew_subscription(http_t *http,	// I - Connection to cupsd
                   int    sub_id)	// I - Subscription
{
  ipp_t	*request;			// Renew-Subscription


  request = ippNewRequest(IPP_OP_RENEW_SUBSCRIPTION);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, "ipp://localhost/");
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-id", sub_id);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddInteger(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", SYNC_LEASE);
  ippDelete(cupsDoRequest(http, request, "/"));

  return (cupsLastError() <= IPP_STATUS_OK_CONFLICTING);
}


//
// 'sync_one()' - Sync one device and say what happened.
//

static bool				// O - true on success
sync_one(upactl_t           *ctl,	// I - Global state
         http_t             *http,	// I - Connection to cupsd
         const upa_device_t *dev,	// I - Device
         unsigned           flags,	// I - UPA_SYNC_* flags
         bool               quiet)	// I - Say nothing when nothing changed?
{
  int		pushed = 0;		// Attributes pushed
  char		stamp[32] = "";		// Time stamp (watch mode)
  time_t	now = time(NULL);	// Current time
  struct tm	tmbuf;			// Local time


  if (quiet && localtime_r(&now, &tmbuf))
    strftime(stamp, sizeof(stamp), "%H:%M:%S ", &tmbuf);

  if (!upaSyncDevice(ctl->cfg, http, dev, flags, &pushed))
  {
    upactlFail("%ssync of %s failed: %s", stamp, dev->queue, upaLastErrorString());
    return (false);
  }

  if (flags & UPA_SYNC_DRY_RUN)
    printf("%s%s: %d attribute%s would be sent.\n", stamp, dev->queue, pushed, pushed == 1 ? "" : "s");
  else if (pushed > 0)
    printf("%s%s: sent %d changed attribute%s to Universal Print.\n", stamp, dev->queue, pushed, pushed == 1 ? "" : "s");
  else if (!quiet)
    printf("%s: nothing changed since the last sync.\n", dev->queue);

  fflush(stdout);

  return (true);
}


//
// 'sync_watch()' - Run as a service: sync queues when they change.
//

static int				// O - Exit status
sync_watch(upactl_t *ctl,		// I - Global state
           unsigned flags,		// I - UPA_SYNC_* flags
           int      interval,		// I - Full pass every this many seconds
           int      debounce_ms,	// I - Quiet time before a sync (ms)
           int      sweep)		// I - Seconds between direct-printing sweeps
{
  upa_connector_t *conn;		// Direct-printing connector
  http_t	*http = NULL;		// Connection to cupsd
  upa_device_t	**devices = NULL;	// Devices
  sync_queue_t	*queues = NULL;		// Watched queues
  int		num_devices = 0,	// Number of devices
		sub_id = 0,		// Subscription id
		seq = 1,		// Next notification
		i;			// Looping var
  upa_outbox_t	*ob;			// Outbox, sessions kept
  upa_outbox_watch_t *watch = NULL;	// Its inotify watch
  sync_batch_t	batch = { 0, 0, { "" } };
					// Devices whose delivery waits
  int		claim = -1;		// Service lock (backends leave delivery to us)
  long long	now,			// Current time (ms)
		next_full = 0,		// Next full pass
		next_renew = 0,		// Next lease renewal
		next_outbox = 0,	// Next outbox delivery
		next_direct = 0,	// Next direct-printing device update
		next_poll = 0;		// Next poll (no subscription)


  upactlCatchSignals();
  flags &= ~(unsigned)UPA_SYNC_FORCE;

  printf("Watching the CUPS queues registered with Universal Print (full sync every %d s).\n", interval);
  fflush(stdout);

  // Watch first, then claim, then the first full delivery (next_outbox = 0):
  // no record queued by a backend that saw the claim can be missed
  if ((ob = upaOutboxOpen(ctl->cfg)) == NULL)
    upaLog(UPA_LOG_WARN, "Cannot open the outbox: %s; backends deliver their own job states", upaLastErrorString());
  else if ((watch = upaOutboxWatchOpen(ctl->cfg)) == NULL)
    upaLog(UPA_LOG_WARN, "Cannot watch the outbox: %s; backends deliver their own job states", upaLastErrorString());
  else if ((claim = upaOutboxServiceClaim(ctl->cfg)) < 0)
  {
    upaLog(UPA_LOG_WARN, "%s; backends deliver their own job states", upaLastErrorString());
    upaOutboxWatchClose(watch);
    watch = NULL;
  }
  upaOutboxKeepSessions(ob, true);
  if ((conn = upaConnectorCreate(ctl->cfg, sweep)) == NULL)
    upactlFail("cannot start direct printing (%s)", upaLastErrorString());

  while (!upactl_stop)
  {
    now = now_ms();

    if (conn && now >= next_direct)
    {
      // Before cupsd is needed: direct jobs wait in the cloud while it is down
      direct_update(ctl, conn);
      next_direct = now + SYNC_OUTBOX_EVERY * 1000LL;
    }

    if (!http)
    {
      if ((http = upaCupsConnect(ctl->cfg)) == NULL)
      {
        upactlFail("cannot connect to CUPS (%s); trying again in 5 s", upaLastErrorString());
        sleep(5);
        continue;
      }
      sub_id     = create_subscription(http);
      seq        = 1;
      next_renew = now + SYNC_LEASE * 500LL;
      next_full  = 0;			// Catch up on what happened meanwhile
    }

    if (now >= next_full)
    {
      // Reload the device list: queues may have been (un)registered.
      free(queues);
      upaDeviceListDelete(devices, num_devices);
      devices = NULL;
      queues  = NULL;

      if ((num_devices = upaDeviceList(ctl->cfg, &devices)) < 0)
      {
        upactlFail("cannot read the device store (%s); trying again in %d s", upaLastErrorString(), interval);
        num_devices = 0;
      }
      else if (num_devices > 0 && (queues = calloc((size_t)num_devices, sizeof(sync_queue_t))) == NULL)
      {
        upaDeviceListDelete(devices, num_devices);
        devices     = NULL;
        num_devices = 0;
      }

      for (i = 0; i < num_devices; i ++)
        queues[i].dev = devices[i];

      mark_dirty(queues, num_devices, NULL, now - debounce_ms);
      next_full = now + interval * 1000LL;
    }

    if (sub_id > 0)
    {
      if (now >= next_renew)
      {
        if (!renew_subscription(http, sub_id))
          sub_id = 0;
        next_renew = now + SYNC_LEASE * 500LL;
      }

      if (sub_id > 0 && get_notifications(http, sub_id, &seq, queues, num_devices, now) < 0)
      {
        // cupsd restarted or dropped the subscription: start over.
        httpClose(http);
        http = NULL;
        continue;
      }
    }
    else if (now >= next_poll)
    {
      // No subscription: let the change detection decide.
      mark_dirty(queues, num_devices, NULL, now - debounce_ms);
      next_poll = now + SYNC_POLL_EVERY;
    }

    for (i = 0; i < num_devices && !upactl_stop; i ++)
    {
      if (!queues[i].first_event)
        continue;

      if (now - queues[i].last_event < debounce_ms && now - queues[i].first_event < 5LL * debounce_ms)
        continue;

      queues[i].first_event = queues[i].last_event = 0;
      sync_one(ctl, http, queues[i].dev, flags, true);
    }

    if (now >= next_outbox)
    {
      reconcile(ctl);
      outbox_flush(ctl, ob);
      next_outbox = now + SYNC_OUTBOX_EVERY * 1000LL;
    }

    outbox_wait(ctl, ob, watch, &batch, SYNC_TICK);
  }

  if (ob)
    outbox_batch_deliver(&batch, ob);	// What landed just before the stop

  // Backends deliver for themselves again from here on
  if (claim >= 0)
    close(claim);
  upaOutboxWatchClose(watch);
  upaOutboxClose(ob);

  if (http)
  {
    cancel_subscription(http, sub_id);
    httpClose(http);
  }

  free(queues);
  upaDeviceListDelete(devices, num_devices);
  upaConnectorDelete(conn);

  printf("Stopped watching.\n");

  return (UPACTL_OK);
}
