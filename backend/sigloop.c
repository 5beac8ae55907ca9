//
// The signal relay's loop, shared by upa-sigrelay and the backend's
// fallback relay (backend/run.c).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Only the C library: upa-sigrelay links nothing else.
//

#include "sigloop.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>


//
// 'upaSigRelayLoop()' - Send SIGTERM to the real backend for every byte on fd 0.
//
// SIGTERM goes to the backend's process group (child leads it), else to
// the child alone.  Returns at end of file or on a read error.
//

void
upaSigRelayLoop(pid_t child)		// I - Real backend (group leader)
{
  char		c;			// Command byte
  ssize_t	bytes;			// Bytes read


  while ((bytes = read(0, &c, 1)) != 0)
  {
    if (bytes < 0 && errno != EINTR)
      break;
    else if (bytes == 1 && kill(-child, SIGTERM))
      kill(child, SIGTERM);
  }
}


//
// 'upaSigTermChild()' - SIGTERM a child of "parent": its group when it leads one.
//
// For the waiting warm upa-backend (root), which passes SIGTERMs on for its
// guardians once they no longer may (backend/warm.c): whatever a guardian
// asks, only a process whose parent is that guardian is signalled, checked
// in /proc right before the signal.  A pidfd taken before the check keeps
// the single-process signal on the process checked; a group is signalled
// only while its leader is that child (pid and group id cannot be reused
// before the guardian reaps it).
//

bool					// O - true when signalled
upaSigTermChild(pid_t parent,		// I - Guardian
                pid_t child)		// I - Its real backend
{
  char		path[64],		// /proc/<child>/stat
		buf[1024],		// Its contents
		*ptr,			// After the command name
		state;			// Process state
  int		fd,			// The file
		pidfd = -1,		// The child, pinned
		ppid,			// Its parent
		pgrp;			// Its process group
  ssize_t	bytes;			// Bytes read
  bool		done = false;		// Signalled?


  if (parent <= 1 || child <= 1 || child == parent)
    return (false);

#ifdef SYS_pidfd_open
  if ((pidfd = (int)syscall(SYS_pidfd_open, child, 0)) < 0 && errno != ENOSYS)
    return (false);			// No such process
#endif // SYS_pidfd_open

  snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
  if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
  {
    bytes = read(fd, buf, sizeof(buf) - 1);
    close(fd);

    // "pid (comm) state ppid pgrp ...": the name may hold spaces and ")"
    if (bytes > 0)
    {
      buf[bytes] = '\0';
      if ((ptr = strrchr(buf, ')')) != NULL && sscanf(ptr + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && ppid == (int)parent && state != 'Z')
      {
        if (pgrp == (int)child)
          done = !kill(-child, SIGTERM);

#ifdef SYS_pidfd_send_signal
        if (!done && pidfd >= 0)
          done = !syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
#endif // SYS_pidfd_send_signal
        if (!done && pidfd < 0)
          done = !kill(child, SIGTERM);
      }
    }
  }

  if (pidfd >= 0)
    close(pidfd);

  return (done);
}
