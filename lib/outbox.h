//
// Durable outbox for job status updates that could not reach the cloud yet.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Layout: <CacheDir>/outbox/                    02770 root:<DeviceGroup>
//           <cloud-device-id>/                  02770, one folder per device
//             <usec>-<pid>-<seq>.ujs            0640 (names sort in queueing order), one JSON record per update
//                                               (a job's status, or the printer's state: "kind")
//             backoff                           {"attempts": N, "next": T}
//             delivered                         cloud job ids whose terminal update
//                                               was delivered (one per line)
//             states                            "<job-id> <state>" for every update
//                                               queued (fsync'd after its record)
//             .lock                             flock()ed while a process delivers
//
// Every record is written with fsync (file and folder) before
// upaOutboxAddJobStatus() returns, so a status survives a crash, a
// reboot or a cloud outage.  Records of one device are delivered in the
// order they were queued (file names sort by time), by whichever process
// flushes first (backend run, "upactl outbox flush", sync service); the
// others skip a device that is being delivered.
//
// Delivery rules:
//   - success: the record is removed; a terminal state (canceled, aborted,
//     completed) adds the job to "delivered" so it is never sent twice;
//   - a non-terminal job state queued before another record of the same
//     job is removed unsent: the cloud keeps a job's latest state;
//   - cloud unreachable, HTTP 429/5xx, IPP busy/unavailable, token
//     trouble: delivery of that device stops; the next attempt waits for
//     Retry-After when the cloud sent one, else 5 s doubling up to 10 min;
//   - any other refusal (Universal Print answers server-error-internal-error
//     both to an update of a terminal job and when it fails itself, and
//     IPP client errors): the job is looked up with Fetch-Job.  The record
//     is dropped, with a warning saying why, only when the cloud holds a
//     terminal state for the job (a terminal record then counts as
//     delivered), the job is gone (not-found), bound elsewhere
//     (not-possible) or no longer offered (not-fetchable); otherwise it is
//     kept and retried with back-off like any transient failure.
//

#ifndef UPA_OUTBOX_H
#  define UPA_OUTBOX_H
#  include <signal.h>
#  include <stdbool.h>
#  include <time.h>
#  include "config.h"
#  include "infra.h"

typedef struct upa_outbox_s upa_outbox_t;	// Open outbox (opaque)

// <CacheDir>/outbox/, created 02770 DeviceGroup.  cfg is copied.
extern upa_outbox_t	*upaOutboxOpen(const upa_config_t *cfg);
extern void		upaOutboxClose(upa_outbox_t *ob);
// A long-lived deliverer keeps each device's cloud session (one TLS
// connection, kept alive) between flushes for up to 10 minutes; a session
// that failed is dropped.  false closes them.  upaOutboxClose() closes them.
extern void		upaOutboxKeepSessions(upa_outbox_t *ob, bool keep);

// After upaOutboxDeferSync(), each record is still written, fsync'd and
// renamed into place at once (visible to every process, whole), but the
// fsync() of its folder and of the "states" ledger line waits for
// upaOutboxSync() (upaOutboxClose() does it too): for a writer that lets
// another process go on as soon as the record exists (the backend and its
// launcher).  upaOutboxSync() returns false on an I/O error, and ends the
// deferral.
extern void		upaOutboxDeferSync(upa_outbox_t *ob);
extern bool		upaOutboxSync(upa_outbox_t *ob);

// Queue a Update-Job-Status for later delivery (durable: fsync'd, one record
// per update).  A terminal update for a job whose terminal update was
// already delivered is not queued again (returns true).
extern bool		upaOutboxAddJobStatus(upa_outbox_t *ob, const char *device_id, const char *user_uri, int job_id, const upa_jobstatus_t *status);
// Queue the printer's state (Update-Output-Device-Attributes: printer-state,
// printer-state-reasons, "none" when there are none, printer-state-message)
// behind the device's earlier records.  Durable like a job status; a state
// the cloud refuses is dropped with a warning (the next one replaces it).
extern bool		upaOutboxAddPrinterState(upa_outbox_t *ob, const char *device_id, ipp_pstate_t state, int num_reasons, const char * const *reasons, const char *message);

// Deliver queued records in order (per device), honouring Retry-After/back-off;
// returns the number delivered, -1 on error; *pending gets what is left.
// Idempotent on replay: a terminal update for a job is delivered once (a
// server answer "job already terminal" counts as delivered).
extern int		upaOutboxFlush(upa_outbox_t *ob, int *pending);

// Records waiting, for all devices.
extern int		upaOutboxCount(upa_outbox_t *ob);

// Additions (backend, upactl):

// Records waiting for one device.
extern int		upaOutboxCountDevice(upa_outbox_t *ob, const char *device_id);

// Flush one device (device_id) or all (NULL), spending at most max_seconds
// (0 = no limit; it also caps each cloud request); ignore_backoff sends now
// even when the last failure asked to wait ("upactl outbox flush --now").
extern int		upaOutboxFlushDevice(upa_outbox_t *ob, const char *device_id, int max_seconds, bool ignore_backoff, int *pending);

// When the next delivery attempt for a device is due (0 = now); device_id
// NULL: the latest of the devices that have records waiting.
extern time_t		upaOutboxNextAttempt(upa_outbox_t *ob, const char *device_id);

// Was the terminal update of this cloud job delivered already?
extern bool		upaOutboxIsDelivered(upa_outbox_t *ob, const char *device_id, int job_id);

// The state queued for a cloud job (its "states" ledger: the last terminal
// state queued, else the last one; delivered or not): 0 = none queued ever.
// The backend asks before printing (IPP_JSTATE_COMPLETED: printed already,
// cupsd requeued it) and the release reconciler before closing a release.
extern int		upaOutboxJobState(upa_outbox_t *ob, const char *device_id, int job_id);

// Serialize the printing of one device's linked jobs across backend runs:
// a job cupsd requeues while an orphaned earlier run (its cupsd was killed)
// still prints it waits here, then finds its completion queued.  Returns
// the locked descriptor (close it to unlock) or -1 (error, or *stop became
// non-zero while waiting).
extern int		upaOutboxLockPrinting(upa_outbox_t *ob, const char *device_id, const volatile sig_atomic_t *stop);

// Deliver one device like upaOutboxFlushDevice(), but wait (up to
// max_seconds) for a process delivering the same device instead of leaving.
extern int		upaOutboxDeliver(upa_outbox_t *ob, const char *device_id, int max_seconds, int *pending);


// The sync service's hold on delivery (lib/outboxwatch.c): it watches the
// outbox (inotify), then claims it (flock on <CacheDir>/outbox/.service,
// kept for its lifetime); a backend that finds it claimed leaves delivery
// to it instead of forking a flusher.
typedef struct upa_outbox_watch_s upa_outbox_watch_t;	// inotify watches (opaque)

// Lock descriptor to keep open, or -1 (UPA_ERROR_BUSY: another service).
extern int		upaOutboxServiceClaim(const upa_config_t *cfg);
// true only when a service holds the claim now (false when unsure).
extern bool		upaOutboxServiceRunning(const upa_config_t *cfg);
// Watch <CacheDir>/outbox (which must exist: upaOutboxOpen() first).
extern upa_outbox_watch_t *upaOutboxWatchOpen(const upa_config_t *cfg);
extern void		upaOutboxWatchClose(upa_outbox_watch_t *w);
extern int		upaOutboxWatchGetFD(upa_outbox_watch_t *w);
// Devices that got records since the last call (pointers valid until the
// next call), -1 = look at all, 0 = nothing.
extern int		upaOutboxWatchRead(upa_outbox_watch_t *w, const char **devices, int max_devices);

#endif // !UPA_OUTBOX_H
