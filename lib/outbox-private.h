//
// Private outbox state shared by the queue (outbox.c) and delivery
// (outboxsend.c).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Delivery lives in a file of its own so that a program that only queues
// (the upa backend) does not link the cloud client, libcurl and its
// dependencies: loading them costs more than a small job.
//

#ifndef UPA_OUTBOX_PRIVATE_H
#  define UPA_OUTBOX_PRIVATE_H
#  include "upa-private.h"
#  include "outbox.h"
#  include <json-c/json.h>


//
// Constants...
//

#define OUTBOX_BACKOFF_MIN	5	// First back-off, seconds
#define OUTBOX_BACKOFF_MAX	600	// Longest back-off, seconds
#define OUTBOX_LEDGER_MAX	4096	// Job ids kept in "delivered"
#define OUTBOX_STATES_MAX	65536	// Job states kept in "states"
#define OUTBOX_EXT		".ujs"	// Record file extension
#define OUTBOX_KIND_PRINTER	"printer-state"
					// "kind" of a printer state record
#define OUTBOX_MAX_REASONS	32	// printer-state-reasons sent at most
#define OUTBOX_SESSIONS_MAX	32	// Cloud sessions kept (upaOutboxKeepSessions())
#define OUTBOX_SESSION_AGE	600	// Seconds a kept session (and device) is reused
#define OUTBOX_SYNC_MAX		8	// Descriptors a deferred sync keeps (upaOutboxDeferSync())



//
// Types...
//

typedef struct outbox_session_s		// A cloud session kept between flushes
{
  upa_device_t	*dev;			// Device (loaded when the session began)
  upa_client_t	*client;		// Its session (NULL until first used)
  time_t	since;			// When the device was loaded
} outbox_session_t;

struct upa_outbox_s			// Open outbox
{
  upa_config_t	cfg;			// Copy of the configuration (timeout may be lowered)
  char		dir[1100];		// <CacheDir>/outbox
  unsigned	seq;			// Records queued by this process
  bool		wait;			// Wait for another deliverer (upaOutboxDeliver())?
  bool		keep;			// Keep sessions between flushes?
  void		(*close_sessions)(upa_outbox_t *ob);
					// Closes kept sessions (outboxsend.c), if any
  int		num_sessions;		// Sessions kept
  outbox_session_t sessions[OUTBOX_SESSIONS_MAX];
					// Sessions kept, one per device
  bool		defer;			// Folder and ledger fsync() left to upaOutboxSync()?
  int		num_sync;		// Descriptors waiting for that
  int		sync_fds[OUTBOX_SYNC_MAX];
					// Their descriptors, in the order written
};

typedef struct outbox_names_s		// Sorted file names
{
  char		**names;		// Names (malloc'd)
  size_t	count;			// Number of names
} outbox_names_t;

typedef enum outbox_result_e		// Outcome of sending one record
{
  OUTBOX_SENT,				// Delivered
  OUTBOX_ALREADY,			// Job already terminal in the cloud
  OUTBOX_DROP,				// Can never be delivered
  OUTBOX_RETRY,				// Try again later (back-off)
  OUTBOX_STUCK				// Cannot deliver from here (device/key), keep it
} outbox_result_t;



//
// Functions (outbox.c)...
//

// <outbox>/<device-id> in path (created with create); false for a bad id.
extern bool	upaOutboxDeviceDir(upa_outbox_t *ob, const char *device_id, bool create, char *path, size_t pathsize);
// fsync() a folder, making a rename or unlink in it durable.
extern bool	upaOutboxSyncDir(const char *dir);
extern bool	upaOutboxIsTerminal(int state);
// Is the job in the device's "delivered" ledger?
extern bool	upaOutboxLedgerHas(const char *ddir, int job_id);
// Records (*.ujs) or device folders of dir, sorted; free with upaOutboxNamesFree().
extern int	upaOutboxListNames(const char *dir, bool records, outbox_names_t *names);
extern void	upaOutboxNamesFree(outbox_names_t *names);
extern void	upaOutboxBackoffRead(const char *ddir, int *attempts, time_t *next);
// Append a line to a ledger ("states", "delivered") with fsync; past
// max_lines the older half goes.
extern bool	upaOutboxAppendLine(upa_outbox_t *ob, const char *path, const char *line, int max_lines);

#endif // !UPA_OUTBOX_PRIVATE_H
