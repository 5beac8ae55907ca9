//
// Running the real backend for the "upa" backend: fork/exec, stderr relay,
// SIGTERM forwarding.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The child gets exactly what cupsd gave us: argv (argv[0] without
// credentials, as cupsd does), the environment with DEVICE_URI set to the
// real URI, stdin (the print data with 6 arguments), fd 3 (back channel) and
// fd 4 (side channel).  Its stdout is ours (cupsd's), its stderr a pipe we
// relay line by line.  The print data never passes through this process,
// which is why wrapping costs next to nothing.
//

#include "upa-backend.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


//
// Globals (seen by the SIGTERM handler)...
//

volatile sig_atomic_t	upa_job_canceled = 0;
					// Number of SIGTERMs received
volatile sig_atomic_t	upa_child_pid = 0;
					// Real backend, once started


//
// Local functions...
//

static void	sigterm_handler(int sig);


//
// 'upaBackendInstallSignals()' - Ignore SIGPIPE, catch SIGTERM.
//

void
upaBackendInstallSignals(void)
{
  struct sigaction action;		// Signal action


  memset(&action, 0, sizeof(action));
  sigemptyset(&action.sa_mask);
  action.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &action, NULL);

  action.sa_handler = sigterm_handler;
  sigaction(SIGTERM, &action, NULL);
}


//
// 'upaBackendRun()' - Run the real backend, relay its stderr, wait for it.
//

int					// O - 0 when it ran, -1 if it could not start
upaBackendRun(upa_backend_t *be,	// I - Backend state
              int           *wstatus)	// O - Wait status
{
  int		errpipe[2];		// stderr of the child
  pid_t		pid;			// Child
  sigset_t	mask,			// SIGTERM blocked
		oldmask;		// Previous mask
  char		*child_argv[8];		// Child arguments
  char		buffer[65536];		// Line buffer (a pipe's capacity)
  size_t	used = 0;		// Bytes in buffer
  ssize_t	bytes;			// Bytes read
  char		*eol;			// End of line
  bool		reaped = false;		// Child waited for?
  struct pollfd	pfd;			// Poll on the pipe
  int		fd;			// Looping var


  if (pipe2(errpipe, O_CLOEXEC))
  {
    fprintf(stderr, "ERROR: Unable to create a pipe: %s\n", strerror(errno));
    return (-1);
  }

  child_argv[0] = be->real_argv0;
  child_argv[1] = (char *)be->job_id;
  child_argv[2] = (char *)be->user;
  child_argv[3] = (char *)be->title;
  child_argv[4] = (char *)be->copies;
  child_argv[5] = (char *)be->options;
  child_argv[6] = (char *)be->file;
  child_argv[7] = NULL;

  // Block SIGTERM across fork() so it is either forwarded to a known child
  // or seen by the child itself after exec.
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, &oldmask);

  if ((pid = fork()) == 0)
  {
    struct sigaction dfl;		// Default action


    // Child: default signal dispositions, stderr into the pipe, fds 0, 3
    // and 4 exactly as we got them, nothing else of ours.
    memset(&dfl, 0, sizeof(dfl));
    sigemptyset(&dfl.sa_mask);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);

    if (dup2(errpipe[1], 2) < 0)
      _exit(CUPS_BACKEND_FAILED);

    if (!be->fd3_open)
      close(3);
    if (!be->fd4_open)
      close(4);
    for (fd = 5; fd < 1024; fd ++)
      close(fd);

    setenv("DEVICE_URI", be->real_uri, 1);

    if (!upaBackendDropChild(be))
    {
      static const char msg[] = "ERROR: Unable to run the real backend as the CUPS user.\n";

      if (write(2, msg, sizeof(msg) - 1) < 0)
        _exit(CUPS_BACKEND_STOP);
      _exit(CUPS_BACKEND_STOP);
    }

    execv(be->real_backend, child_argv);

    fprintf(stderr, "ERROR: Unable to run %s: %s\n", be->real_backend, strerror(errno));
    _exit(CUPS_BACKEND_FAILED);
  }
  else if (pid < 0)
  {
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    fprintf(stderr, "ERROR: Unable to start the \"%s\" backend: %s\n", be->scheme, strerror(errno));
    close(errpipe[0]);
    close(errpipe[1]);
    return (-1);
  }

  upa_child_pid = (sig_atomic_t)pid;
  if (upa_job_canceled)
    kill(pid, SIGTERM);			// SIGTERM arrived before the child existed
  sigprocmask(SIG_SETMASK, &oldmask, NULL);

  close(errpipe[1]);

  // Root is no longer needed: drop it before any cloud traffic.
  upaBackendStarted(be);

  fprintf(stderr, "DEBUG: upa: Started backend \"%s\" (PID %d) for %s.\n", be->scheme, (int)pid, be->real_argv0);

  // Relay until EOF.  A grandchild may keep the pipe open after the backend
  // exits, so once the child is reaped only what is already there is read.
  pfd.fd     = errpipe[0];
  pfd.events = POLLIN;

  for (;;)
  {
    int	timeout = 1000,			// Poll timeout
	state_timeout = upaBackendStateTimeout(be),
					// Time until a printer state push
	ready;				// Poll result

    if (state_timeout >= 0 && state_timeout < timeout)
      timeout = state_timeout;
    if (reaped)
      timeout = 0;

    pfd.revents = 0;
    if ((ready = poll(&pfd, 1, timeout)) < 0 && errno != EINTR)
      break;

    if (ready > 0)
    {
      if ((bytes = read(errpipe[0], buffer + used, sizeof(buffer) - used - 1)) < 0)
      {
        if (errno == EINTR || errno == EAGAIN)
          continue;
        break;
      }
      else if (bytes == 0)
        break;

      used += (size_t)bytes;

      // Complete lines: look at each, then pass them all on in one write.
      if ((eol = memrchr(buffer, '\n', used)) != NULL)
      {
        size_t	block = (size_t)(eol - buffer + 1),
					// Bytes of complete lines
		start,			// Start of a line
		end;			// End of a line (after newline)

        for (start = 0; start < block; start = end)
        {
          end = (size_t)((char *)memchr(buffer + start, '\n', block - start) - buffer) + 1;
          upaBackendInspectLine(be, buffer + start, end - start);
        }

        upaBackendWriteAll(2, buffer, block);
        memmove(buffer, buffer + block, used - block);
        used -= block;
      }
      else if (used == sizeof(buffer) - 1)
      {
        // Overlong line: pass it on in pieces rather than stall.
        upaBackendRelayLine(be, buffer, used);
        used = 0;
      }

      // A backend at LogLevel debug writes a line per 8 KiB it sends: let
      // a few lines gather instead of waking up for each one (the pipe
      // holds 64 KiB, so the backend never waits for us).
      if ((size_t)bytes < sizeof(buffer) / 4)
      {
        struct timespec	nap = { 0, UPA_BE_RELAY_NAP_NS };
					// Nap time

        nanosleep(&nap, NULL);
      }
    }
    else if (ready == 0 && !reaped)
    {
      pid_t	wpid = waitpid(pid, wstatus, WNOHANG);
					// Result of waitpid

      if (wpid == pid || (wpid < 0 && errno == ECHILD))
        reaped = true;
    }
    else if (ready == 0)
      break;				// Reaped and nothing more to read

    // A debounced printer state change may be due.
    upaBackendStatePoll(be, false);
  }

  if (used > 0)
    upaBackendRelayLine(be, buffer, used);	// Last line without newline

  close(errpipe[0]);

  while (!reaped)
  {
    if (waitpid(pid, wstatus, 0) == pid || errno != EINTR)
      reaped = true;
  }

  upa_child_pid = 0;

  return (0);
}


//
// 'sigterm_handler()' - Remember the cancel and pass it to the real backend.
//
// Unlike backend/ipp.c we do not _exit() on a second SIGTERM: the real
// backend owns the device, and we must wait for it to report its status.
//

static void
sigterm_handler(int sig)		// I - Signal number (unused)
{
  static const char msg[] = "DEBUG: upa: Got SIGTERM, passing it to the backend.\n";
					// Message (async-signal-safe)
  int		saved_errno = errno;	// errno of the interrupted code
  ssize_t	bytes;			// Bytes written (nothing to do on error)


  (void)sig;

  upa_job_canceled = upa_job_canceled + 1;
  if (upa_child_pid > 0)
    kill((pid_t)upa_child_pid, SIGTERM);

  bytes = write(2, msg, sizeof(msg) - 1);
  (void)bytes;

  errno = saved_errno;
}
