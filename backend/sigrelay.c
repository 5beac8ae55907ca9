//
// upa-sigrelay: pass SIGTERMs to the real backend for the "upa" backend.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage: upa-sigrelay PID, with the command pipe on standard input.
//
// The "upa" backend starts this with vfork() and execv() right after the
// real backend, with that backend's credentials, which the "upa" process
// gives up soon after (backend/run.c).  For every byte read it sends
// SIGTERM to the real backend's process group (PID leads it), else to PID;
// it ends at end of file, that is when the "upa" process closes the pipe or
// dies.  It ignores SIGTERM: cupsd's signals reach the real backend only
// through the "upa" process, exactly once.  A program of its own, linked to
// the C library only, because a fork() of the "upa" process costs every
// page either process writes afterwards.
//

#include "sigloop.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>


//
// 'main()' - Relay SIGTERMs until end of file.
//

int					// O - 0 at end of file, 1 on a usage error
main(int  argc,				// I - Number of command-line arguments
     char *argv[])			// I - Command-line arguments
{
  long		val;			// PID argument
  char		*end;			// End of the number
  pid_t		child;			// Real backend
  int		fd;			// /dev/null


  if (argc != 2 || (val = strtol(argv[1], &end, 10)) <= 1 || *end || val > INT_MAX)
    return (1);

  child = (pid_t)val;

  signal(SIGTERM, SIG_IGN);

  // Hold none of cupsd's pipes: the job's status pipe must close with the
  // "upa" process
  if ((fd = open("/dev/null", O_RDWR)) >= 0)
  {
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
      close(fd);
  }

  upaSigRelayLoop(child);

  return (0);
}
