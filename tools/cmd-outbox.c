//
// "upactl outbox": deliver or count the job status updates waiting for the cloud.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The outbox (lib/outbox.c) holds Update-Job-Status messages the backend
// could not deliver; "upactl sync --watch" flushes it every 30 seconds.
//

#include "upactl.h"
#include <time.h>
#include "outbox.h"
#include <string.h>


//
// 'upactlCmdOutbox()' - Run "outbox flush" or "outbox list".
//

int					// O - Exit status
upactlCmdOutbox(upactl_t *ctl,		// I - Global state
                int      argc,		// I - Number of arguments
                char     *argv[])	// I - Arguments
{
  bool		now = false;		// --now
  const char	*device_id = NULL;	// --device
  int		wait = 0,		// --wait seconds
		i;			// Looping var


  if (argc == 2 && !strcmp(argv[1], "--help"))
    return (upactlUsage("outbox", stdout, UPACTL_OK));
  else if (argc < 2 || (strcmp(argv[1], "flush") && strcmp(argv[1], "list")) || (!strcmp(argv[1], "list") && argc != 2))
    return (upactlUsage("outbox", stderr, UPACTL_USAGE));

  for (i = 2; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--now"))
      now = true;
    else if (!strcmp(argv[i], "--device") && i + 1 < argc)
      device_id = argv[++ i];
    else if (!strcmp(argv[i], "--wait") && i + 1 < argc && atoi(argv[i + 1]) > 0)
      wait = atoi(argv[++ i]);
    else
      return (upactlUsage("outbox", stderr, UPACTL_USAGE));
  }

  if (wait > 0 && (!device_id || now))
    return (upactlUsage("outbox", stderr, UPACTL_USAGE));

  if (!upactlLoadConfig(ctl))
    return (UPACTL_FAILED);

#ifdef UPA_OUTBOX_H
  {
    upa_outbox_t	*ob;		// Outbox
    int			count,		// Messages waiting
			pending = 0;	// Still pending after a flush
    int			status = UPACTL_OK;
					// Exit status

    if ((ob = upaOutboxOpen(ctl->cfg)) == NULL)
      return (upactlFail("cannot open the outbox (%s): run upactl as root", upaLastErrorString()));

    if (!strcmp(argv[1], "list"))
    {
      if ((count = upaOutboxCount(ob)) < 0)
        status = upactlFail("cannot read the outbox (%s)", upaLastErrorString());
      else
        printf("%d job status update%s waiting for the cloud.\n", count, count == 1 ? "" : "s");
    }
    else if ((count = wait > 0 ? upaOutboxDeliver(ob, device_id, wait, &pending) : upaOutboxFlushDevice(ob, device_id, 0, now, &pending)) < 0)
      status = upactlFail("outbox delivery failed (%s): check the network and \"upactl doctor\"", upaLastErrorString());
    else
    {
      time_t	next = upaOutboxNextAttempt(ob, NULL);
					// End of the back-off
      struct tm	tmbuf;			// Local time of next
      char	when[64];		// Formatted time

      localtime_r(&next, &tmbuf);
      strftime(when, sizeof(when), "%H:%M:%S", &tmbuf);

      if (pending > 0 && next > time(NULL))
        printf("%d job status update%s delivered, %d still pending: the cloud failed recently, so delivery backs off until %s (%d s; \"upactl outbox flush --now\" does not wait).\n", count, count == 1 ? "" : "s", pending, when, (int)(next - time(NULL)));
      else
        printf("%d job status update%s delivered, %d still pending.\n", count, count == 1 ? "" : "s", pending);
      if (pending > 0)
        status = UPACTL_FAILED;
    }

    upaOutboxClose(ob);
    return (status);
  }
#else
  return (upactlFail("this upactl was built without the outbox (lib/outbox.h): rebuild cups-upa"));
#endif // UPA_OUTBOX_H
}
