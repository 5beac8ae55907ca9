//
// The direct-printing connector: print the jobs sent straight to registered
// printers as they arrive (issue 18), inside the upa-sync service.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// For every device whose "Direct" setting is on (device.conf, upactl device
// set QUEUE direct on), the connector keeps an event channel to the cloud:
// an ippget printer subscription (job-fetchable, job-state-changed),
// Get-Notifications with notify-wait long polls, notify-sequence-numbers
// tracked so no event is asked for twice or skipped, notify-get-interval
// honoured, the lease renewed at half-time, a new subscription (and a sweep)
// after client-error-not-found.  A Get-Jobs which-jobs=fetchable sweep runs
// at start, after every (re)subscription, after a gap in the sequence or a
// server restart (printer-up-time going back) and every "sweep" seconds, so
// a lost event never loses a job.  Failures back off per device (1 s
// doubling to 30 s, or the server's Retry-After).
//
// Threads: one event thread runs every channel's requests on one libcurl
// multi handle (lib/http.c's loop on epoll: one HTTPS connection and one
// upa_client_t per device, nothing blocks there); a pool of 3 workers
// prints and gets device tokens (which may need the network).  A device
// is either with the event thread or with the work queue, never both.
//
// Each job is printed by upaReleaseJob() with no user (no
// requesting-user-uri): the same journaled, exactly-once path as a badge
// release, with the same owner rule (the cloud job's originating user,
// else the service's own user) and the same recovery (upaReleaseRecover(),
// which the service runs every 30 s).  Jobs held for release are never
// listed nor announced to a device without a user, and a listed job in
// state "held" is skipped: pull printing stays with the badge.
//
// Ownership: upaConnectorCreate() borrows cfg (it must outlive the
// connector), starts the event thread and the workers, and returns a
// connector the caller frees with upaConnectorDelete(), which lets a
// release in progress finish, cancels the requests in flight and stops
// every thread.  upaConnectorUpdate() copies what it needs from the
// devices it is given.  upaConnectorCreate/Update/Delete are called from
// one thread (the service's); upaConnectorStats() from any.
//

#ifndef UPA_CONNECTOR_H
#  define UPA_CONNECTOR_H
#  include <stdbool.h>
#  include "config.h"
#  include "device.h"

typedef struct upa_connector_s upa_connector_t;
					// Channels of all direct-printing devices (opaque)

typedef struct upa_connector_stats_s	// Counters of a connector
{
  int		devices;		// Channels running
  int		subscribed;		// ... of which hold a subscription now
  long long	printed;		// Jobs handed to CUPS since start
  long long	events;			// Events received since start
  long long	sweeps;			// Get-Jobs sweeps since start
} upa_connector_stats_t;

#  define UPA_CONNECTOR_SWEEP	300	// Default seconds between Get-Jobs sweeps (a safety net: events, gaps and restarts sweep at once)

extern upa_connector_t	*upaConnectorCreate(const upa_config_t *cfg, int sweep);
extern int		upaConnectorUpdate(upa_connector_t *conn, upa_device_t **devices, int num_devices);
extern void		upaConnectorStats(upa_connector_t *conn, upa_connector_stats_t *stats);
extern void		upaConnectorDelete(upa_connector_t *conn);

#endif // !UPA_CONNECTOR_H
