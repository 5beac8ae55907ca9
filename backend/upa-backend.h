//
// Private header of the "upa" backend (upa-backend): shared state and the
// functions of each part (upa.c main/URI, run.c child, relay.c status lines,
// report.c job reporting, pstate.c printer state, discover.c discovery,
// warm.c a job handed over by the launcher, launch.c).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPA_BACKEND_H
#  define UPA_BACKEND_H
#  include "upa.h"
#  include "outbox.h"
#  include <cups/backend.h>
#  include <limits.h>
#  include <signal.h>
#  include <stdbool.h>
#  include <stdio.h>

#  ifndef UPA_SERVERBIN
#    define UPA_SERVERBIN "/usr/lib/cups"
#  endif // !UPA_SERVERBIN

#  define UPA_BE_CLOUD_TIMEOUT	15	// Seconds per cloud request from a backend
#  define UPA_BE_CUPSD_TIMEOUT	3.0	// Seconds for a job-state question to cupsd
#  define UPA_BE_FLUSH_SECONDS	10	// Time for one outbox flush
#  define UPA_BE_DEBOUNCE_MS	2000	// Printer state push: quiet time before sending
#  define UPA_BE_MAX_REASONS	16	// printer-state-reasons kept
#  define UPA_BE_RELAY_NAP_NS	2000000	// Let status lines gather for 2 ms between reads


//
// Types...
//

typedef struct upa_pstate_s		// Printer state as the real backend reports it
{
  char		reasons[UPA_BE_MAX_REASONS][64];
					// Reasons set by STATE: lines (cloud keywords only)
  int		num_reasons;		// Number of reasons
  char		pushed[1100];		// "state|reason,reason" last sent (or found on disk)
  long long	due;			// Monotonic ms when a push is due, 0 = none
  bool		loaded;			// pushed[] read from disk?
  bool		disabled;		// No cloud for this queue: never push
  int		pushes;			// Updates sent by this run
} upa_pstate_t;

typedef struct upa_backend_s		// State of one backend run
{
  // From the command line
  const char	*job_id;		// argv[1]
  const char	*user;			// argv[2]
  const char	*title;			// argv[3]
  const char	*copies;		// argv[4]
  const char	*options;		// argv[5]
  const char	*file;			// argv[6] or NULL (stdin)
  int		num_options;		// Parsed options
  cups_option_t	*cups_options;		// Parsed options

  // From the device URI
  char		device_id[128];		// Cloud device id in the URI
  char		real_uri[1024];		// Real device URI, verbatim (may hold credentials)
  char		real_argv0[1024];	// Real device URI without credentials
  char		scheme[64];		// Real URI scheme
  char		real_backend[PATH_MAX];	// $CUPS_SERVERBIN/backend/<scheme>
  bool		real_as_root;		// Would cupsd run the real backend as root?
  uid_t		cups_uid;		// CUPS user (when started as root)
  gid_t		cups_gid;		// Its primary group
  uid_t		work_uid;		// Backend account (cloud work, after dropping root)
  gid_t		key_gid;		// DeviceGroup (the group after dropping root)
  bool		dropped;		// Root dropped (or never had)?
  bool		state_access;		// Effective ids of the backend account (upaBackendStateAccess)?

  // Cloud link and state
  upa_joblink_t	link;			// Link from the job options
  upa_config_t	*cfg;			// Configuration, or NULL
  upa_device_t	*dev;			// Device reporting the job / owning the queue, or NULL
  upa_outbox_t	*outbox;		// Outbox, opened on first use
  http_t	*link_query;		// cupsd connection with this job's Get-Job-Attributes pending (link.c), or NULL
  char		link_key[96];		// This job's key from argv[5] ("" = ask cupsd)
  bool		cloud_tried;		// Tried to load cfg/dev for a plain job?
  bool		terminal_sent;		// Terminal job state reported (or queued)?
  bool		term_deferred;		// SIGTERM held back: the printer gets the whole job
  bool		term_forwarded;		// SIGTERM passed on to the real backend
  int		print_lock;		// Printing lock of the queue's device, or -1
  bool		deliver_held;		// Job ended: deliveries wait for upaBackendDeliverHeld()
  bool		deliver_due;		// ... and one was asked for

  // Child
  bool		fd3_open,		// Was fd 3 (back channel) open at start?
		fd4_open;		// Was fd 4 (side channel) open at start?
  int		impressions;		// Sum of "PAGE: n copies"
  int		impressions_total;	// Last "PAGE: total n", or -1
  char		last_error[256];	// Last "ERROR:" message of the real backend
  upa_pstate_t	pstate;			// Printer state
} upa_backend_t;


//
// Globals shared with the SIGTERM handler (run.c)...
//

extern volatile sig_atomic_t	upa_job_canceled;
					// Number of SIGTERMs received
extern volatile sig_atomic_t	upa_child_pid;
					// Real backend, once started
extern volatile sig_atomic_t	upa_term_check;
					// Linked job: SIGTERM is judged before it is passed on


//
// Functions...
//

// upa.c
extern const char *upaBackendLastError(char *buffer, size_t bufsize);
extern bool	upaBackendLoadCloud(upa_backend_t *be, bool quiet);
extern void	upaBackendLogCB(void *data, upa_loglevel_t level, const char *message);

// discover.c
extern int	upaBackendDiscover(void);

// run.c
extern int	upaBackendFrontFD(void);
extern void	upaBackendFrontRead(void);
extern void	upaBackendInstallSignals(void);
extern int	upaBackendRun(upa_backend_t *be, int *wstatus);
extern void	upaBackendSetFront(int fd);
extern void	upaBackendSetWarmRelay(int fd);
extern void	upaBackendStarted(upa_backend_t *be);

// warm.c
extern bool	upaBackendWarmWait(int *argc, char ***argv);
extern void	upaBackendWarmDone(int status);
extern void	upaBackendWarmRelease(upa_backend_t *be, int status);

// privs.c
#  ifndef UPA_CUPS_USER
#    define UPA_CUPS_USER "lp"		// cupsd's User (cups-files.conf)
#  endif
extern void	upaBackendPrepareUsers(upa_backend_t *be);
extern void	upaBackendCloseFrom(int lowfd);
extern bool	upaBackendDropChild(upa_backend_t *be);
extern bool	upaBackendDropPrivileges(upa_backend_t *be);
extern bool	upaBackendStateAccess(upa_backend_t *be, bool on);

// relay.c
extern void	upaBackendInspectLine(upa_backend_t *be, const char *line, size_t len);
extern void	upaBackendRelayLine(upa_backend_t *be, const char *line, size_t len);
extern bool	upaBackendWriteAll(int fd, const char *data, size_t len);

// report.c
extern void	upaBackendFlushOutbox(upa_backend_t *be);
extern bool	upaBackendReport(upa_backend_t *be, ipp_jstate_t state, const char *reason, const char *message, int impressions);
extern void	upaBackendSpawnFlusher(upa_backend_t *be);
// Leave delivery to the sync service when it runs, else upaBackendSpawnFlusher().
extern void	upaBackendDeliver(upa_backend_t *be);
// The one delivery of what the end of the job queued (final state, printer state).
extern void	upaBackendDeliverHeld(upa_backend_t *be);
extern int	upaBackendCheckLink(upa_backend_t *be);
extern void	upaBackendLinkAsk(upa_backend_t *be);
extern void	upaBackendLinkForget(upa_backend_t *be);
extern void	upaBackendReportFinal(upa_backend_t *be, int status, bool signaled, int signum);
// Warm run: leave the outbox's folder and ledger fsync() to upaBackendReportSync().
extern bool	upaBackendReportDefer(upa_backend_t *be);
extern void	upaBackendReportSync(upa_backend_t *be);
extern ipp_jstate_t upaBackendCupsJobState(upa_backend_t *be);

// pstate.c
extern void	upaBackendStateLine(upa_backend_t *be, const char *text);
extern void	upaBackendStatePoll(upa_backend_t *be, bool final);
extern int	upaBackendStateTimeout(upa_backend_t *be);
extern long long upaBackendNowMS(void);

#endif // !UPA_BACKEND_H
