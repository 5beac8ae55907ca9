//
// Device store: one registered Universal Print printer per local CUPS queue.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Layout: <StateDir>/devices/<cloud-device-id>/
//   device.conf  (0640) "Directive value" lines: Queue, Name, TokenURL,
//                ClientId, RedirectURI, Resource, PrinterURI, PreviousURI, Registered,
//                Direct (yes/no: the upa-sync service prints direct jobs, lib/connector.c)
//   key.pem      (0640 root:<DeviceGroup>) RSA private key
//   cert.pem     (0644) certificate issued at registration
//

#ifndef UPA_DEVICE_H
#  define UPA_DEVICE_H
#  include <stdbool.h>
#  include <time.h>
#  include "config.h"

typedef struct upa_device_s		// One registered device
{
  char		id[128];		// cloud_device_id (also Graph printer id, JWT iss)
  char		queue[128];		// Local CUPS queue name
  char		name[256];		// Friendly name registered
  char		token_url[1024];	// device_token_url
  char		client_id[256];		// printer_client_id
  char		redirect_uri[1024];	// printer_redirect_uri
  char		resource[1024];		// mcp_svc_resource_id
  char		printer_uri[1024];	// ipps://<print host>/printers/<id>
  char		previous_uri[1024];	// Queue's device URI before registration
  time_t	registered;		// When registered
  bool		direct;			// Print direct (non-held) jobs as they arrive?
  char		dir[1024];		// The device's folder
  char		key_file[1024];		// <dir>/key.pem
  char		cert_file[1024];	// <dir>/cert.pem
} upa_device_t;

extern upa_device_t	*upaDeviceNew(const upa_config_t *cfg, const char *id);
extern upa_device_t	*upaDeviceLoad(const upa_config_t *cfg, const char *id);
extern upa_device_t	*upaDeviceFindQueue(const upa_config_t *cfg, const char *queue);
extern int		upaDeviceList(const upa_config_t *cfg, upa_device_t ***devices);
extern void		upaDeviceListDelete(upa_device_t **devices, int num_devices);
extern bool		upaDeviceStoreStamp(const upa_config_t *cfg, unsigned long long *stamp);
extern bool		upaDeviceSave(const upa_config_t *cfg, const upa_device_t *dev);
extern bool		upaDeviceRemove(const upa_config_t *cfg, const upa_device_t *dev);
extern void		upaDeviceDelete(upa_device_t *dev);
extern bool		upaDeviceUUID(const upa_device_t *dev, char *buffer, size_t bufsize);

#endif // !UPA_DEVICE_H
