//
// "upactl device": per-device settings of a registered queue.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Settings live in the device's device.conf (lib/device.c).  Today there is
// one: "direct" - whether the upa-sync service (lib/connector.c) prints the
// jobs sent straight to this printer as they arrive, without a badge.  A
// running "upactl sync --watch" picks a change up at its next pass.
//

#include "upactl.h"
#include <string.h>
#include <strings.h>


//
// 'upactlCmdDevice()' - Run "device set QUEUE direct on|off" or "device show QUEUE".
//

int					// O - Exit status
upactlCmdDevice(upactl_t *ctl,		// I - Global state
                int      argc,		// I - Number of arguments
                char     *argv[])	// I - Arguments
{
  upa_device_t	*dev;			// Device
  bool		on;			// New setting
  int		status = UPACTL_OK;	// Exit status


  if (argc == 2 && !strcmp(argv[1], "--help"))
    return (upactlUsage("device", stdout, UPACTL_OK));

  if (argc == 3 && !strcmp(argv[1], "show"))
    on = false;
  else if (argc == 5 && !strcmp(argv[1], "set") && !strcmp(argv[3], "direct") && (!strcasecmp(argv[4], "on") || !strcasecmp(argv[4], "off")))
    on = !strcasecmp(argv[4], "on");
  else
    return (upactlUsage("device", stderr, UPACTL_USAGE));

  if (!upactlLoadConfig(ctl))
    return (UPACTL_FAILED);

  if ((dev = upaDeviceFindQueue(ctl->cfg, argv[2])) == NULL)
    return (upactlFail("%s", upaLastErrorString()));

  if (!strcmp(argv[1], "show"))
  {
    printf("%s: device %s, direct %s\n", dev->queue, dev->id, dev->direct ? "on" : "off");
  }
  else if (dev->direct == on)
  {
    printf("%s: direct printing is already %s.\n", dev->queue, on ? "on" : "off");
  }
  else
  {
    dev->direct = on;
    if (!upaDeviceSave(ctl->cfg, dev))
      status = upactlFail("cannot save device %s (%s): run upactl as root", dev->id, upaLastErrorString());
    else
      printf("%s: direct printing %s (the upa-sync service follows within %s).\n", dev->queue, on ? "on" : "off", "30 seconds");
  }

  upaDeviceDelete(dev);

  return (status);
}
