//
// Device discovery for the "upa" backend (argc == 1, "lpinfo -v").
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One line for the scheme itself, then one per registered device that has a
// real device URI to wrap:
//
//   network upa "Unknown" "Universal Print Anywhere (wraps another device URI)"
//   network upa://<id>/<previous-uri> "Unknown" "<name> (Universal Print)"
//

#include "upa-backend.h"


//
// 'upaBackendDiscover()' - List the "upa" scheme and every registered device.
//
// Configuration problems must not break "lpinfo -v": they only hide the
// device lines.  stdout is the report; diagnostics go to stderr (the log).
//

int					// O - Exit status
upaBackendDiscover(void)
{
  upa_config_t	*cfg;			// Configuration
  upa_device_t	**devices = NULL;	// Registered devices
  int		i,			// Looping var
		num_devices = 0;	// Number of devices
  char		uri[2048],		// Device URI
		info[512];		// Device info


  cupsBackendReport("network", "upa", "Unknown", "Universal Print Anywhere (wraps another device URI)", NULL, NULL);

  if ((cfg = upaConfigLoad(NULL)) != NULL)
  {
    if ((num_devices = upaDeviceList(cfg, &devices)) < 0)
    {
      fprintf(stderr, "DEBUG: upa: %s\n", upaLastErrorString());
      num_devices = 0;
    }
  }
  else
    fprintf(stderr, "DEBUG: upa: %s\n", upaLastErrorString());

  for (i = 0; i < num_devices; i ++)
  {
    if (!devices[i]->previous_uri[0])
      continue;				// Nothing to wrap

    snprintf(uri, sizeof(uri), "upa://%s/%s", devices[i]->id, devices[i]->previous_uri);
    snprintf(info, sizeof(info), "%s (Universal Print)", devices[i]->name[0] ? devices[i]->name : devices[i]->queue);
    cupsBackendReport("network", uri, "Unknown", info, NULL, NULL);
  }

  upaDeviceListDelete(devices, num_devices);
  upaConfigDelete(cfg);

  return (CUPS_BACKEND_OK);
}
