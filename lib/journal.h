//
// Release journal: every step of every release, fsync'd, so any crash is recoverable.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// <StateDir>/journal: append-only text, one record per line, written with
// O_APPEND and fsync()ed before the step it describes is taken further, under
// flock() so several release processes (stations' helpers, upactl) can share
// it.  Mode 0640, root:DeviceGroup: root acts on its records (recovery
// cancels and releases CUPS jobs), so only root writes it; the backend reads
// it as its own account to prove a job's cloud link:
//
//   <time> <step> <device-id> <cloud-job-id> <cups-job-id> <user-uri> [<job-key>]
//
// job-key is the CUPS job's key, "urn:uuid:...@<time-at-creation>"
// (upaCupsJobKey()); it proves that a CUPS job id named here still means the
// job we created: cupsd reuses ids after a crash, and keeps a job-uuid the
// submitter sends, but sets time-at-creation itself.  Older records hold
// the job-uuid alone (matched by it, upaCupsJobKeyMatches()), or have six
// fields.
//
// While a release is in flight its process holds an flock() on
// <StateDir>/locks/<device-id>-<cloud-job-id> (taken at "created", dropped
// after released/canceled/aborted), so upaJournalPending() returns only the
// releases whose process died, never one another station is still doing;
// it keeps the locks of what it returns until their final record.
//
// A release is open until its last record is final (done, canceled or
// aborted); "released" is not final: the job stays open until its terminal
// state is durably queued for the cloud (the backend's outbox ledger) or
// settled otherwise.  The reconciler (lib/release.c upaReleaseRecover())
// decides what each open release needs; doc/design.md has the table.
//
// upaJournalCompact() drops old finished releases by renaming a rewritten
// file over the journal; every lock checks the name still points at the
// open file and reopens it when not.
//

#ifndef UPA_JOURNAL_H
#  define UPA_JOURNAL_H
#  include <stdbool.h>
#  include <time.h>
#  include "config.h"

typedef enum upa_jstep_e		// Release steps, in protocol order
{
  UPA_JSTEP_CREATED,			// Held CUPS job created
  UPA_JSTEP_FETCHED,			// Document completely streamed into the held job
  UPA_JSTEP_ACKING,			// Acknowledge-Job sent: outcome unknown until the next record
  UPA_JSTEP_ACKED,			// Acknowledge-Job succeeded (job bound to this device)
  UPA_JSTEP_RELEASED,			// CUPS job released: open until its outcome is queued
  UPA_JSTEP_CANCELED,			// Final: local job canceled, cloud job untouched (still fetchable)
  UPA_JSTEP_ABORTED,			// Final: gave up; cloud told "aborted" (or settled it itself)
  UPA_JSTEP_DONE			// Final: terminal state durably queued for the cloud
} upa_jstep_t;

#  define UPA_JSTEP_FINAL(s)	((s) >= UPA_JSTEP_CANCELED)
					// Is this step the end of a release?

typedef struct upa_jentry_s		// Last known state of one release
{
  time_t	time;			// When the last step was written
  upa_jstep_t	step;			// Last step
  char		device_id[128];		// cloud_device_id
  int		cloud_job_id;		// Cloud job-id
  int		cups_job_id;		// Local CUPS job-id (0 = none yet)
  char		user_uri[512];		// mailto:UPN
  char		key[96];		// CUPS job key (job-uuid in older records, "" = unknown)
} upa_jentry_t;

typedef struct upa_journal_s upa_journal_t;	// Open journal (opaque)

extern upa_journal_t	*upaJournalOpen(const upa_config_t *cfg);
extern void		upaJournalClose(upa_journal_t *journal);
// job_key: the CUPS job's key or NULL (a later record without one keeps the
// key of an earlier record of the same release, like cups_job_id 0).
extern bool		upaJournalRecord(upa_journal_t *journal, upa_jstep_t step, const char *device_id, int cloud_job_id, int cups_job_id, const char *user_uri, const char *job_key);
// The same, fsync() only when "sync" (upaJournalRecord() = sync).  An
// unsynced record becomes durable with the next synced one (group commit);
// until then a crash may lose it, so use it only for a step whose loss
// recovery settles exactly like the step before, and never act on anything
// that needs the record before a synced one follows.
extern bool		upaJournalAppend(upa_journal_t *journal, upa_jstep_t step, const char *device_id, int cloud_job_id, int cups_job_id, const char *user_uri, const char *job_key, bool sync);

// The open releases nobody is working on (their process died, or they are
// released and wait for their outcome), each locked for the caller until its
// final record or upaJournalClose(): *entries is malloc'd (caller frees).
extern int		upaJournalPending(upa_journal_t *journal, upa_jentry_t **entries);

// The open release of a CUPS job, for the backend: 1 = a non-final release
// names this CUPS job, and job_key matches its recorded key when that is
// known (upaCupsJobKeyMatches(); an unknown job_key then does not), 0 = none,
// -1 = error.  Read-only, no locks taken.
extern int		upaJournalFindCupsJob(upa_journal_t *journal, const char *device_id, int cloud_job_id, int cups_job_id, const char *job_key, upa_jentry_t *entry);

// Open the journal read-only (backend: never creates or writes it).
extern upa_journal_t	*upaJournalOpenReadOnly(const upa_config_t *cfg);
extern const char	*upaJournalStepString(upa_jstep_t step);

// Take the in-flight lock of one release before any step (upaReleaseJob()
// does, before Fetch-Job, so two stations never fetch the same job through
// one device): 1 = locked (or already ours), 0 = another process has it
// (UPA_ERROR_BUSY set), -1 = error.  upaJournalUnlock() drops a lock that
// no record needs (the release stopped before "created").
extern int		upaJournalLock(upa_journal_t *journal, const char *device_id, int cloud_job_id);
extern void		upaJournalUnlock(upa_journal_t *journal, const char *device_id, int cloud_job_id);

// The last record of a cloud job (device_id NULL = any device): 1 = found,
// 0 = no record, -1 = error.
extern int		upaJournalLast(upa_journal_t *journal, const char *device_id, int cloud_job_id, upa_jentry_t *entry);

// Drop the records of releases whose last step is released, canceled or
// aborted and older than max_age seconds (atomic rewrite under the
// journal's exclusive lock; unfinished releases are never touched):
// records dropped, or -1.  upa-release runs it after recovery with
// UPA_JOURNAL_KEEP, which must outlast the time the cloud holds a job
// (a "released" record is what stops a second release of the same job).
#  define UPA_JOURNAL_KEEP	(30 * 86400)
					// Default max_age: 30 days
extern int		upaJournalCompact(upa_journal_t *journal, int max_age);

// The configuration the journal was opened with (borrowed: it must outlive
// the journal); upaReleaseJob() takes ReleaseOrder from it.
extern const upa_config_t *upaJournalGetConfig(upa_journal_t *journal);

#endif // !UPA_JOURNAL_H
