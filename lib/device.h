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
  // Every string is allocated, owned by the device and never NULL ("" when
  // unset): change one with upaDeviceSetString().  A service holds a
  // thousand of these twice, so they take what their values need, not
  // 9 KiB of fixed buffers each.
  char		*id;			// cloud_device_id (also Graph printer id, JWT iss)
  char		*queue;			// Local CUPS queue name
  char		*name;			// Friendly name registered
  char		*token_url;		// device_token_url
  char		*client_id;		// printer_client_id
  char		*redirect_uri;		// printer_redirect_uri
  char		*resource;		// mcp_svc_resource_id
  char		*printer_uri;		// ipps://<print host>/printers/<id>
  char		*previous_uri;		// Queue's device URI before registration
  time_t	registered;		// When registered
  bool		direct;			// Print direct (non-held) jobs as they arrive?
  char		*dir;			// The device's folder
  char		*key_file;		// <dir>/key.pem
  char		*cert_file;		// <dir>/cert.pem
} upa_device_t;

// upaDeviceNew(), upaDeviceCopy(), upaDeviceLoad() and upaDeviceFindQueue()
// return a device the caller frees with upaDeviceDelete().
extern upa_device_t	*upaDeviceNew(const upa_config_t *cfg, const char *id);
extern upa_device_t	*upaDeviceCopy(const upa_device_t *dev);
extern bool		upaDeviceSetString(char **field, const char *value);
extern bool		upaDeviceSetStringf(char **field, const char *format, ...) __attribute__((format(printf, 2, 3)));
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
