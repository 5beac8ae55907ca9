//
// Printer registration with Universal Print (protocol.md §2): key, CSR, /register, polling.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPA_REGISTER_H
#  define UPA_REGISTER_H
#  include <stdbool.h>
#  include "config.h"
#  include "device.h"

typedef struct upa_regparams_s		// What to register
{
  const char	*queue;			// Local CUPS queue
  const char	*name;			// Friendly name (default: queue)
  const char	*manufacturer;		// Manufacturer (required by the service)
  const char	*model;			// Model (required by the service)
  const char	*physical_id;		// device_id (physical device UUID) or NULL
  const char	*admin_token;		// Admin bearer token (delegated Printers.Create)
  int		max_wait;		// Seconds to keep polling a 202 (0 = 300)
} upa_regparams_t;

// Creates an RSA-2048 key and a PKCS#10 CSR, POSTs /api/v1.0/register, polls
// until 200 and stores key, certificate and the returned fields in the
// device store.  Returns the new device (caller upaDeviceDelete()s) or NULL;
// on failure nothing is left in the device store.
extern upa_device_t	*upaRegisterPrinter(const upa_config_t *cfg, const upa_regparams_t *params);

// Unregistration, in two steps so the caller can restore the queue's device
// URI in between: upaUnregisterCloud() deletes the cloud printer (Graph
// DELETE /print/printers/{id} with the admin token; a printer the cloud does
// not know counts as deleted, *gone says so), upaUnregisterLocal() removes
// the device from the device store with its token cache and sync state.
extern bool		upaUnregisterCloud(const upa_config_t *cfg, const upa_device_t *dev, const char *admin_token, bool *gone);
extern bool		upaUnregisterLocal(const upa_config_t *cfg, const upa_device_t *dev);

#endif // !UPA_REGISTER_H
