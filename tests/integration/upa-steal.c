//
// upa-steal: acknowledge a cloud job as another registered device (tests).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
//   upa-steal QUEUE JOB-ID UPN
//
// Claims JOB-ID for the device of QUEUE with Acknowledge-Job, as a release
// at another printer would, so the tests can take a job away from a
// station between its list and its release.  Exit 0 when the cloud agreed.
//

#include "upa.h"
#include <stdio.h>
#include <stdlib.h>


//
// 'main()' - Acknowledge the job.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  upa_config_t	*cfg;			// Configuration
  upa_device_t	*dev;			// Device of the queue
  upa_client_t	*client;		// Cloud session
  char		uri[512];		// mailto:UPN
  bool		ok;			// Acknowledged?


  if (argc != 4 || atoi(argv[2]) <= 0)
  {
    fputs("Usage: upa-steal QUEUE JOB-ID UPN\n", stderr);
    return (1);
  }

  snprintf(uri, sizeof(uri), "mailto:%s", argv[3]);

  if ((cfg = upaConfigLoad(NULL)) == NULL || (dev = upaDeviceFindQueue(cfg, argv[1])) == NULL || (client = upaClientCreate(cfg, dev)) == NULL)
  {
    fprintf(stderr, "upa-steal: %s\n", upaLastErrorString());
    return (1);
  }

  if ((ok = upaInfraAcknowledgeJob(client, uri, atoi(argv[2]), "taken by upa-steal")) == false)
    fprintf(stderr, "upa-steal: %s\n", upaLastErrorString());

  upaClientDelete(client);
  upaDeviceDelete(dev);
  upaConfigDelete(cfg);

  return (ok ? 0 : 1);
}
