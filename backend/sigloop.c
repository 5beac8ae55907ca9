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
#include <signal.h>
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
