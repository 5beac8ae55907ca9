//
// Capability and status sync: a local CUPS queue's attributes to Universal Print.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The queue's printer attributes are read from cupsd (Get-Printer-Attributes),
// reduced to what Universal Print uses (the Mopria-required set of
// protocol.md §5, printer-state, printer-state-reasons, printer-state-message,
// printer-is-accepting-jobs) plus job-release-action-supported =
// owner-authorized-badge, and pushed both ways Universal Print accepts:
// Update-Output-Device-Attributes over IPP-INFRA and Graph
// PATCH /print/printers/{id} (application/ipp group, then JSON status,
// isAcceptingJobs, capabilities, defaults).
//
// Only attributes whose value changed since the last successful sync are
// pushed (SHA-256 of each attribute's encoding, kept in
// <StateDir>/sync/<device-id>.json with the time of the last sync and the
// last error).  A failed push records the error and leaves the recorded
// values alone, so the next sync sends the same changes again.
//
// Profile pwg: no Graph; the output device is introduced to the
// Infrastructure Printer with every attribute (Update-Output-Device-
// Attributes) whenever PrinterURI differs from the one it was last
// introduced to (first sync, or the server changed), and the URI recorded.
//

#ifndef UPA_SYNC_H
#  define UPA_SYNC_H
#  include <stdbool.h>
#  include <time.h>
#  include <cups/cups.h>
#  include <json-c/json.h>
#  include "config.h"
#  include "device.h"

enum upa_syncflags_e			// upaSyncDevice() flags
{
  UPA_SYNC_FORCE = 1,			// Push every attribute, changed or not
  UPA_SYNC_NO_INFRA = 2,		// Skip Update-Output-Device-Attributes
  UPA_SYNC_NO_GRAPH = 4,		// Skip Graph PATCH
  UPA_SYNC_DRY_RUN = 8			// Compute the changes, push nothing, record nothing
};

typedef struct upa_syncstate_s		// What the state file says about a device
{
  char		queue[128];		// Queue name at the last sync
  time_t	last_sync;		// Last successful sync (0 = never)
  time_t	last_attempt;		// Last attempt (0 = never)
  char		last_error[1024];	// Error of the last attempt ("" = it worked)
  int		last_pushed;		// Attributes pushed by the last successful sync
  char		introduced[1024];	// Profile pwg: PrinterURI the output device was last introduced to ("" = never)
} upa_syncstate_t;

// The attributes to push for a queue (printer group; caller ippDelete()s).
extern ipp_t		*upaSyncQueueAttributes(http_t *cups, const char *queue);

// Graph JSON properties for those attributes: "status" and "isAcceptingJobs"
// (what), "capabilities" and "defaults" (caps).  Caller puts the object.
extern json_object	*upaSyncGraphJSON(ipp_t *attrs, bool status, bool caps);

// Read, compare, push and record one device.  *pushed (optional) receives
// the number of attributes pushed (0 = nothing had changed).
extern bool		upaSyncDevice(const upa_config_t *cfg, http_t *cups, const upa_device_t *dev, unsigned flags, int *pushed);

extern bool		upaSyncStateLoad(const upa_config_t *cfg, const char *id, upa_syncstate_t *state);
extern bool		upaSyncStateRemove(const upa_config_t *cfg, const char *id);

#endif // !UPA_SYNC_H
