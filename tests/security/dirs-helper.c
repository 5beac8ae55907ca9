//
// Test helper for tests/security/dirs-*.sh: runs one libupa operation, as
// root programs (upactl, upa-release, the backend before its drop) do, so a
// test can attack it for real.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//   dirs-helper shared-dir PATH GROUP   upaMakeSharedDir(PATH, GROUP)
//   dirs-helper device CONF ID          upaDeviceLoad(); prints "queue=NAME"
//   dirs-helper sync CONF ID            upaSyncDevice() against a cupsd that
//                                       hangs up (records the failed attempt)
//   dirs-helper journal-add CONF DEV JOB CUPSJOB
//                                       records a release ("created") in the
//                                       release journal, as upa-release does
//   dirs-helper journal-pending CONF    prints the interrupted releases root's
//                                       recovery would act on, one per line
//   dirs-helper outbox-add CONF DEV JOB STATE
//                                       queues a job state for the cloud
//   dirs-helper outbox-state CONF DEV JOB
//                                       prints the state queued for a job
//                                       (the backend's print decision)
//   dirs-helper watch PATH TARGET STOP  the attacker: whenever PATH is a
//                                       folder, swap a link to TARGET in
//                                       (renameat2 RENAME_EXCHANGE), until
//                                       the file STOP exists
//
// Exit status: 0 on success, 1 when libupa refused or failed (message on
// stderr), 2 on usage errors.
//

#include "upa-private.h"		// upaMakeSharedDir()
#include "config.h"
#include "device.h"
#include "error.h"
#include "journal.h"
#include "outbox.h"
#include "sync.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


//
// Local functions...
//

static http_t	*hangup_server(void);
static int	records(int argc, char *argv[]);
static int	watch(const char *path, const char *target, const char *stop);


//
// 'main()' - Run one operation.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  upa_config_t	*cfg;			// Configuration
  upa_device_t	*dev;			// Device
  http_t	*cups;			// "cupsd" connection
  bool		ok;			// Result


  if (argc == 4 && !strcmp(argv[1], "shared-dir"))
  {
    if (!upaMakeSharedDir(argv[2], argv[3]))
    {
      fprintf(stderr, "dirs-helper: %s\n", upaLastErrorString());
      return (1);
    }

    return (0);
  }

  if (argc == 5 && !strcmp(argv[1], "watch"))
    return (watch(argv[2], argv[3], argv[4]));

  if (argc >= 3 && (!strncmp(argv[1], "journal-", 8) || !strncmp(argv[1], "outbox-", 7)))
    return (records(argc, argv));

  if (argc != 4 || (strcmp(argv[1], "device") && strcmp(argv[1], "sync")))
  {
    fputs("Usage: dirs-helper shared-dir PATH GROUP | device CONF ID | sync CONF ID | watch PATH TARGET STOP\n"
          "       dirs-helper journal-add CONF DEV JOB CUPSJOB | journal-pending CONF\n"
          "       dirs-helper outbox-add CONF DEV JOB STATE | outbox-state CONF DEV JOB\n", stderr);
    return (2);
  }

  if ((cfg = upaConfigLoad(argv[2])) == NULL)
  {
    fprintf(stderr, "dirs-helper: %s\n", upaLastErrorString());
    return (1);
  }

  if ((dev = upaDeviceLoad(cfg, argv[3])) == NULL)
  {
    fprintf(stderr, "dirs-helper: %s\n", upaLastErrorString());
    upaConfigDelete(cfg);
    return (1);
  }

  if (!strcmp(argv[1], "device"))
  {
    printf("queue=%s\n", dev->queue);
    ok = true;
  }
  else if ((cups = hangup_server()) == NULL)
  {
    perror("dirs-helper: local server");
    ok = false;
  }
  else
  {
    // The queue's attributes cannot be read: the attempt is recorded in
    // StateDir/sync, which is what is attacked.
    ok = upaSyncDevice(cfg, cups, dev, 0, NULL);
    if (!ok)
      fprintf(stderr, "dirs-helper: %s\n", upaLastErrorString());
    httpClose(cups);
    ok = true;
  }

  upaDeviceDelete(dev);
  upaConfigDelete(cfg);

  return (ok ? 0 : 1);
}


//
// 'hangup_server()' - Connect to a local socket that is then closed.
//

static http_t *				// O - Connection or NULL
hangup_server(void)
{
  int			fd;		// Listening socket
  struct sockaddr_in	addr;		// Its address
  socklen_t		addrlen = sizeof(addr);
					// Length of address
  http_t		*http;		// Connection


  if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
    return (NULL);

  memset(&addr, 0, sizeof(addr));
  addr.sin_family      = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 1) || getsockname(fd, (struct sockaddr *)&addr, &addrlen))
  {
    close(fd);
    return (NULL);
  }

  http = httpConnect2("127.0.0.1", ntohs(addr.sin_port), NULL, AF_INET, HTTP_ENCRYPTION_NEVER, 1, 5000, NULL);

  // Closing the listener resets the pending connection: every request fails.
  close(fd);

  return (http);
}


//
// 'watch()' - Swap a link in for every folder that appears at path.
//

static int				// O - Exit status
watch(const char *path,			// I - Where root makes its folder
      const char *target,		// I - What the link points to
      const char *stop)			// I - Stop when this exists
{
  char		link[1100];		// Prepared link
  struct stat	info;			// Information of path
  unsigned long	n = 0;			// Links made


  snprintf(link, sizeof(link), "%s.lnk", path);

  while (access(stop, F_OK))
  {
    if (lstat(path, &info) || !S_ISDIR(info.st_mode))
      continue;

    // Root's folder is there: exchange it with a link, atomically.
    unlink(link);
    if (symlink(target, link))
      continue;

    if (!syscall(SYS_renameat2, AT_FDCWD, link, AT_FDCWD, path, RENAME_EXCHANGE))
      n ++;
  }

  printf("swapped %lu times\n", n);

  return (0);
}


//
// 'records()' - The journal and outbox operations root acts on.
//

static int				// O - Exit status
records(int  argc,			// I - Number of arguments
        char *argv[])			// I - Arguments
{
  upa_config_t	*cfg;			// Configuration
  upa_journal_t	*journal = NULL;	// Release journal
  upa_outbox_t	*ob = NULL;		// Outbox
  upa_jentry_t	*entries = NULL;	// Interrupted releases
  upa_jobstatus_t js;			// Queued state
  int		i,			// Looping var
		n,			// Number of entries
		status = 1;		// Exit status


  if ((cfg = upaConfigLoad(argv[2])) == NULL)
  {
    fprintf(stderr, "dirs-helper: %s\n", upaLastErrorString());
    return (1);
  }

  if (argc == 6 && !strcmp(argv[1], "journal-add"))
  {
    if ((journal = upaJournalOpen(cfg)) != NULL && upaJournalRecord(journal, UPA_JSTEP_CREATED, argv[3], atoi(argv[4]), atoi(argv[5]), "mailto:alice@contoso.com", NULL))
      status = 0;
  }
  else if (argc == 3 && !strcmp(argv[1], "journal-pending"))
  {
    if ((journal = upaJournalOpen(cfg)) != NULL && (n = upaJournalPending(journal, &entries)) >= 0)
    {
      for (i = 0; i < n; i ++)
        printf("%s %s %d %d\n", upaJournalStepString(entries[i].step), entries[i].device_id, entries[i].cloud_job_id, entries[i].cups_job_id);
      free(entries);
      status = 0;
    }
  }
  else if (argc == 6 && !strcmp(argv[1], "outbox-add"))
  {
    memset(&js, 0, sizeof(js));
    js.state       = (ipp_jstate_t)atoi(argv[5]);
    js.impressions = -1;

    if ((ob = upaOutboxOpen(cfg)) != NULL && upaOutboxAddJobStatus(ob, argv[3], "mailto:alice@contoso.com", atoi(argv[4]), &js))
      status = 0;
  }
  else if (argc == 5 && !strcmp(argv[1], "outbox-state"))
  {
    if ((ob = upaOutboxOpen(cfg)) != NULL)
    {
      printf("%d\n", upaOutboxJobState(ob, argv[3], atoi(argv[4])));
      status = 0;
    }
  }
  else
  {
    fprintf(stderr, "dirs-helper: bad arguments for %s\n", argv[1]);
    status = 2;
  }

  if (status == 1)
    fprintf(stderr, "dirs-helper: %s\n", upaLastErrorString());

  upaJournalClose(journal);
  upaOutboxClose(ob);
  upaConfigDelete(cfg);

  return (status);
}
