//
// The release protocol (design.md): never lose a job, never print one twice.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// For one cloud job: Fetch-Job -> ticket -> held CUPS job -> Fetch-Document
// streamed into it -> Acknowledge-Job -> Release (ReleaseOrder fetch-first,
// the default), or Acknowledge-Job before Fetch-Document (acknowledge-first,
// also the automatic fallback when the server refuses Fetch-Document before
// Acknowledge-Job).  Every step is journaled before it is taken; the state
// machine, and what recovery does in each state, is in doc/design.md.
//
// Acknowledge-Job is the one step whose outcome may be unknown (the answer
// lost after the cloud committed it): the journal says "acking" before it is
// sent, and a failed or garbled answer is settled by asking the cloud
// (Fetch-Job).  The local copy is canceled only when the cloud proves the job
// is not ours; when the cloud cannot tell, the job stays held for recovery.
//

#ifndef UPA_RELEASE_H
#  define UPA_RELEASE_H
#  include <stdbool.h>
#  include <cups/cups.h>
#  include "client.h"
#  include "journal.h"
#  include "ticket.h"

typedef enum upa_rstage_e		// Progress stages reported to the caller
{
  UPA_RSTAGE_TICKET,			// Fetch-Job done, ticket mapped
  UPA_RSTAGE_CREATED,			// Held CUPS job created
  UPA_RSTAGE_FETCHING,			// Document bytes flowing (bytes updated)
  UPA_RSTAGE_FETCHED,			// Document complete in CUPS
  UPA_RSTAGE_ACKED,			// Cloud job bound to this printer
  UPA_RSTAGE_RELEASED			// CUPS job released for printing
} upa_rstage_t;

typedef struct upa_release_s		// Result and progress of one release
{
  int		cloud_job_id;		// Cloud job-id
  int		cups_job_id;		// Local CUPS job-id (0 = none)
  long long	bytes;			// Document bytes streamed
  upa_rstage_t	stage;			// Last stage reached
  upa_ticket_t	ticket;			// Mapped ticket (cleared by upaReleaseClear)
  bool		held_here;		// Refused because another station, or an
					// interrupted release awaiting recovery,
					// holds the job on this server
  bool		cancel;			// Set by the caller (from its progress
					// callback, through its own pointer) to
					// stop the release: before the job is
					// claimed nothing prints and the job stays
					// in the cloud; after, it is reported canceled
} upa_release_t;

typedef void (*upa_release_cb_t)(void *data, const upa_release_t *progress);

// Release one cloud job to "queue".  cups is a connection to the local cupsd.
// Returns true when the CUPS job has been released; on false, upaLastError()
// says why and the journal/cloud are consistent (nothing lost or duplicated).
extern bool	upaReleaseJob(upa_client_t *client, http_t *cups, upa_journal_t *journal, const char *queue, const char *user_uri, int cloud_job_id, upa_release_cb_t cb, void *cbdata, upa_release_t *result);
extern void	upaReleaseClear(upa_release_t *result);

// The reconciler: finish or undo the releases a crash interrupted, and
// settle released jobs whose outcome is not queued for the cloud yet (the
// CUPS job vanished in a cupsd crash, was replaced by another job with the
// same id, or ended without the backend reporting it).  Run at every
// upa-release start, by --recover and by the upa-sync service.  Returns the
// number of releases closed or moved on, -1 on error.
extern int	upaReleaseRecover(const upa_config_t *cfg, http_t *cups, upa_journal_t *journal);

#endif // !UPA_RELEASE_H
