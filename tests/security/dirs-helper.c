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
#include "sync.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


//
// Local functions...
//

static http_t	*hangup_server(void);
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

  if (argc != 4 || (strcmp(argv[1], "device") && strcmp(argv[1], "sync")))
  {
    fputs("Usage: dirs-helper shared-dir PATH GROUP | device CONF ID | sync CONF ID | watch PATH TARGET STOP\n", stderr);
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
