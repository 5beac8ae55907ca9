//
// "upactl jobs": list the cloud print jobs waiting for a queue.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upactl.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


//
// 'upactlCmdJobs()' - List cloud jobs for a queue (a user's held jobs, or direct jobs).
//

int					// O - Exit status
upactlCmdJobs(upactl_t *ctl,		// I - Global state
              int      argc,		// I - Number of arguments
              char     *argv[])		// I - Arguments
{
  const char	*user = NULL,		// --user UPN
		*queue = NULL;		// QUEUE
  char		user_uri[512];		// mailto:UPN
  upa_device_t	*dev;			// Device of the queue
  upa_client_t	*client;		// Cloud session
  ipp_t		*response;		// Get-Jobs response
  upa_jobinfo_t	*jobs = NULL;		// Jobs
  int		i,			// Looping var
		num_jobs;		// Number of jobs
  int		status = UPACTL_OK;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
      return (upactlUsage("jobs", stdout, UPACTL_OK));
    else if (upactlGetOption(argc, argv, &i, "--user", &user))
      continue;
    else if (argv[i][0] == '-' || queue)
      return (upactlUsage("jobs", stderr, UPACTL_USAGE));
    else
      queue = argv[i];
  }

  if (!queue || (user && !*user))
    return (upactlUsage("jobs", stderr, UPACTL_USAGE));

  if (!upactlLoadConfig(ctl))
    return (UPACTL_FAILED);

  if ((dev = upaDeviceFindQueue(ctl->cfg, queue)) == NULL)
  {
    if (upaLastError() == UPA_ERROR_DEVICE || upaLastError() == UPA_ERROR_NONE)
      return (upactlFail("no Universal Print printer for queue \"%s\": register it with \"upactl register %s\"", queue, queue));
    return (upactlFail("cannot read the device store (%s): run upactl as root or as a member of group %s", upaLastErrorString(), ctl->cfg->device_group));
  }

  if (user)
  {
    // Accept "alice@example.com" and "mailto:alice@example.com".
    if (!strncasecmp(user, "mailto:", 7))
      user += 7;
    snprintf(user_uri, sizeof(user_uri), "mailto:%s", user);
  }

  if ((client = upaClientCreate(ctl->cfg, dev)) == NULL)
  {
    status = upactlFail("cannot open a cloud session for %s (%s): check the configuration and the device files (upactl -v status --check)", queue, upaLastErrorString());
    upaDeviceDelete(dev);
    return (status);
  }

  if ((response = upaInfraGetJobs(client, user ? user_uri : NULL)) == NULL)
  {
    status = upactlFail("Get-Jobs for %s failed (%s): check the network and \"upactl status --check\"", queue, upaLastErrorString());
  }
  else if ((num_jobs = upaInfraJobList(response, &jobs)) < 0)
  {
    status = upactlFail("cannot read the job list for %s (%s): run with -v and report the problem", queue, upaLastErrorString());
  }
  else if (num_jobs == 0)
  {
    if (user)
      printf("No print jobs for %s at %s.\n", user, queue);
    else
      printf("No direct print jobs at %s.\n", queue);
  }
  else
  {
    printf("%-8s %-30s %-28s %-20s %8s  %s\n", "ID", "NAME", "OWNER", "FORMAT", "SIZE", "CREATED");

    for (i = 0; i < num_jobs; i ++)
    {
      char	size[32],		// Size string
		created[64],		// Creation time string
		name[sizeof(jobs[i].name)],
					// Name without control characters
		owner[sizeof(jobs[i].owner_uri)],
					// Owner without control characters
		format[sizeof(jobs[i].format)];
					// Format without control characters
      struct tm	tmbuf;			// Local time

      if (jobs[i].size_k > 0)
        snprintf(size, sizeof(size), "%lldk", jobs[i].size_k);
      else
        snprintf(size, sizeof(size), "-");

      if (jobs[i].created > 0 && localtime_r(&jobs[i].created, &tmbuf))
        strftime(created, sizeof(created), "%Y-%m-%d %H:%M", &tmbuf);
      else
        snprintf(created, sizeof(created), "-");

      // Every string here comes from the cloud (any tenant user): never
      // let an ESC or another control character reach the terminal.
      upaTextStripControl(name, sizeof(name), jobs[i].name);
      upaTextStripControl(owner, sizeof(owner), jobs[i].owner[0] ? jobs[i].owner : jobs[i].owner_uri);
      upaTextStripControl(format, sizeof(format), jobs[i].format);

      printf("%-8d %-30.30s %-28.28s %-20.20s %8s  %s\n", jobs[i].id, name[0] ? name : "-", owner[0] ? owner : "-", format[0] ? format : "-", size, created);
    }
  }

  free(jobs);
  ippDelete(response);
  upaClientDelete(client);
  upaDeviceDelete(dev);

  return (status);
}
