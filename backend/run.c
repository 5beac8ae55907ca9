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
// cupsd signals a job's processes by process group.  The real backend runs
// in a group of its own, so every SIGTERM reaches it through us, exactly
// once (a second SIGTERM makes CUPS' ipp backend quit without canceling the
// remote job).  Once root is dropped we may not signal it ourselves (it
// runs as lp or root, we as the backend account), so a small process with
// its credentials, the signal relay, sends it what we write to a pipe; the
// real backend dies with us (PR_SET_PDEATHSIG) as it would with our group.
//
// SIGTERM from cupsd means cancel, hold, pause or shutdown.  For a plain job
// it is passed on at once, as cupsd would deliver it.  For a linked job it
// is judged first (judge_sigterm()): a cancel or hold is passed on, but a
// shutdown or pause that arrives once the printer has all of the job's data
// is not, because cupsd will requeue the job and run it again: the real
// backend finishes, its success is queued for the cloud, and the requeued
// run finds that and does not print the job a second time (link.c).
//

#include "upa-backend.h"
#include "sigloop.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
volatile sig_atomic_t	upa_term_check = 0;
					// Linked job: judge SIGTERM before passing it on
static volatile sig_atomic_t upa_relay_fd = -1;
					// Pipe to the signal relay (or the warm relay)
static int		upa_warm_relay = -1;
					// Socket to the waiting warm upa-backend
static volatile sig_atomic_t upa_front_fd = -1;
					// Pipe from the front process (split run)
					// or socket from the launcher (warm run)
static bool		upa_front_remote = false;
					// Front is the launcher (warm.c): no split


//
// Local functions...
//

static bool	input_complete(upa_backend_t *be);
static int	open_pidfd(pid_t pid);
static void	pass_sigterm(upa_backend_t *be);
static pid_t	spawn_backend(upa_backend_t *be, char **argv, int errfd, const sigset_t *oldmask, pid_t parent);
static pid_t	fork_relay(upa_backend_t *be, pid_t child, int cmdfd);
static pid_t	spawn_relay(upa_backend_t *be, const char *program, pid_t child, int cmdfd);
static pid_t	start_relay(upa_backend_t *be, pid_t child);
static void	split_front(upa_backend_t *be);
static void	judge_sigterm(upa_backend_t *be);
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

  // The launcher (launch.c) leaves SIGTERM blocked across its execv(): one
  // that came while it tried a warm guardian is delivered now, to us
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &action.sa_mask, NULL);
}


//
// 'upaBackendSetFront()' - Take the launcher's socket as the front (warm run).
//
// The launcher that cupsd started is the front, as after split_front(): it
// passes each SIGTERM on as a byte, and end of file means cupsd killed it.
//

void
upaBackendSetFront(int fd)		// I - Socket to the launcher
{
  upa_front_fd     = fd;
  upa_front_remote = true;
}


//
// 'upaBackendSetWarmRelay()' - Let the waiting upa-backend pass SIGTERMs on (warm run).
//
// It runs as root and signals only a child of ours (warm.c), so no relay
// process is started for a warm run (start_relay()).
//

void
upaBackendSetWarmRelay(int fd)		// I - Socket pair to the waiting process, or -1
{
  upa_warm_relay = fd;
}


//
// 'upaBackendFrontFD()' - The socket to the launcher, or -1 when it is gone or not used.
//

int					// O - Socket or -1
upaBackendFrontFD(void)
{
  return (upa_front_remote ? upa_front_fd : -1);
}


//
// 'upaBackendFrontRead()' - Count the SIGTERMs the launcher passed on so far.
//
// Before the real backend runs nothing waits on the socket; this reads
// what is there without waiting.
//

void
upaBackendFrontRead(void)
{
  char		cmd[64];		// SIGTERM bytes
  ssize_t	bytes;			// Bytes read


  if (!upa_front_remote || upa_front_fd < 0)
    return;

  while ((bytes = recv(upa_front_fd, cmd, sizeof(cmd), MSG_DONTWAIT)) > 0)
    upa_job_canceled = upa_job_canceled + (sig_atomic_t)bytes;

  if (bytes == 0)
  {
    // cupsd killed the launcher: judged like a SIGTERM
    upa_job_canceled = upa_job_canceled + 1;
    close(upa_front_fd);
    upa_front_fd = -1;
  }
}


//
// 'upaBackendRun()' - Run the real backend, relay its stderr, wait for it.
//

int					// O - 0 when it ran, -1 if it could not start
upaBackendRun(upa_backend_t *be,	// I - Backend state
              int           *wstatus)	// O - Wait status
{
  int		errpipe[2];		// stderr of the child
  pid_t		pid,			// Child
		parent,			// This process
		relay;			// Signal relay
  sigset_t	mask,			// SIGTERM blocked
		oldmask;		// Previous mask
  char		*child_argv[8];		// Child arguments
  char		buffer[65536];		// Line buffer (a pipe's capacity)
  size_t	used = 0;		// Bytes in buffer
  ssize_t	bytes;			// Bytes read
  char		*eol;			// End of line
  bool		reaped = false;		// Child waited for?
  int		judged = 0;		// SIGTERMs judged so far
  struct pollfd	pfd[3];			// Poll on the pipe, the front and the child
  int		child_fd;		// pidfd of the child, or -1
  long long	now_ms,			// Time of a read
		last_read_ms = 0;	// Time of the read before


  // A linked job outlives cupsd's SIGKILL of its process group (see above);
  // a warm run is already apart from it
  if (upa_term_check && !upa_front_remote)
    split_front(be);

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

  parent = getpid();

  // The child inherits the environment: DEVICE_URI is the real URI from now
  // on (nothing of ours reads it again).
  setenv("DEVICE_URI", be->real_uri, 1);

  pid = spawn_backend(be, child_argv, errpipe[1], &oldmask, parent);

  if (pid < 0)
  {
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    fprintf(stderr, "ERROR: Unable to start the \"%s\" backend: %s\n", be->scheme, strerror(errno));
    close(errpipe[0]);
    close(errpipe[1]);
    return (-1);
  }

  setpgid(pid, pid);			// Either of us may run first
  upa_child_pid = (sig_atomic_t)pid;
  child_fd = open_pidfd(pid);
  relay = start_relay(be, pid);
  if (upa_job_canceled && !upa_term_check)
    pass_sigterm(be);			// SIGTERM arrived before the child existed
  sigprocmask(SIG_SETMASK, &oldmask, NULL);

  close(errpipe[1]);

  // Root is no longer needed: drop it before any cloud traffic.
  upaBackendStarted(be);

  fprintf(stderr, "DEBUG: upa: Started backend \"%s\" (PID %d) for %s.\n", be->scheme, (int)pid, be->real_argv0);

  // Relay until EOF.  A grandchild may keep the pipe open after the backend
  // exits, so once the child is reaped only what is already there is read.
  pfd[0].fd     = errpipe[0];
  pfd[0].events = POLLIN;
  pfd[1].fd     = upa_front_fd;		// SIGTERMs from the front, if split
  pfd[1].events = POLLIN;
  pfd[2].fd     = child_fd;		// Readable once the child has exited
  pfd[2].events = POLLIN;

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

    if (upa_term_check && !reaped && judged != upa_job_canceled)
    {
      judged = upa_job_canceled;
      judge_sigterm(be);
    }

    pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
    if ((ready = poll(pfd, 3, timeout)) < 0 && errno != EINTR)
      break;

    if (ready > 0 && pfd[2].revents)
    {
      // The child exited: reap it now, not at the next poll timeout (a
      // grandchild may keep the pipe open); what is in the pipe is still read
      pid_t	wpid = waitpid(pid, wstatus, WNOHANG);
					// Result of waitpid

      if (wpid == pid || (wpid < 0 && errno == ECHILD))
        reaped = true;
      pfd[2].fd = -1;
      ready --;
    }

    if (ready > 0 && pfd[1].revents)
    {
      // The front process passes on each SIGTERM as a byte; end of file
      // means cupsd killed it (SIGKILL: shutdown, or a cancel past its
      // kill delay), which is judged like a SIGTERM
      char	cmd[64];		// SIGTERM bytes

      if ((bytes = read(pfd[1].fd, cmd, sizeof(cmd))) > 0)
      {
        upa_job_canceled = upa_job_canceled + (sig_atomic_t)bytes;
      }
      else if (bytes == 0 || (errno != EINTR && errno != EAGAIN))
      {
        fputs("DEBUG: upa: cupsd killed the job's process group.\n", stderr);
        upa_job_canceled = upa_job_canceled + 1;
        close(pfd[1].fd);
        pfd[1].fd = upa_front_fd = -1;
      }
      ready --;

      // A warm run of a plain job: the SIGTERM that the signal handler
      // would have passed on (a linked job's is judged above)
      if (upa_front_remote && !upa_term_check && upa_job_canceled && !be->term_forwarded)
        pass_sigterm(be);
    }

    if (ready > 0 && pfd[0].revents)
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

      // A backend at LogLevel debug writes a line per 8 KiB it sends: when
      // lines come that fast, let a few gather instead of waking up for
      // each one (the pipe holds 64 KiB, so the backend never waits for
      // us).  A single line is not followed by a nap, and a nap ends when
      // the child exits: the end of file at the job's end is seen at once
      // (cupsd starts the queue's next job only after it).
      now_ms = upaBackendNowMS();
      if (!reaped && (size_t)bytes < sizeof(buffer) / 4 && now_ms - last_read_ms < UPA_BE_RELAY_NAP_NS / 1000000)
      {
        struct timespec	nap = { 0, UPA_BE_RELAY_NAP_NS };
					// Nap time
        struct pollfd	exited = { child_fd, POLLIN, 0 };
					// The child's exit

        if (child_fd < 0)
          nanosleep(&nap, NULL);
        else
          poll(&exited, 1, (int)(UPA_BE_RELAY_NAP_NS / 1000000));
      }
      last_read_ms = now_ms;
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
  if (child_fd >= 0)
    close(child_fd);

  while (!reaped)
  {
    if (waitpid(pid, wstatus, 0) == pid || errno != EINTR)
      reaped = true;
  }

  upa_child_pid = 0;

  if (upa_relay_fd >= 0)
  {
    // The relay ends when its pipe closes (the warm relay forgets us)
    int fd = upa_relay_fd;		// Its pipe or socket

    upa_relay_fd = -1;
    close(fd);
  }
  if (relay > 0)
    while (waitpid(relay, NULL, 0) < 0 && errno == EINTR);

  return (0);
}


//
// 'open_pidfd()' - Get a descriptor that becomes readable when a child exits.
//
// Returns -1 where the kernel has no pidfd_open() (before Linux 5.3): the
// relay then finds the exit at its poll timeout, as it always did.
//

static int				// O - pidfd (close-on-exec) or -1
open_pidfd(pid_t pid)			// I - Child process
{
#ifdef SYS_pidfd_open
  return ((int)syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return (-1);
#endif // SYS_pidfd_open
}


//
// 'input_complete()' - Has the real backend read all of the job's data?
//
// A file argument is complete by definition.  On stdin the data comes from
// the job's filters through a pipe we share with the real backend: it is
// complete when every writer has closed its end (the filters ended before
// cupsd stopped them) and nothing is left unread.
//

static bool				// O - true if all data was read
input_complete(upa_backend_t *be)	// I - Backend state
{
  struct pollfd	pfd;			// Poll on stdin
  int		unread = 0;		// Bytes still in the pipe


  if (be->file)
    return (true);

  pfd.fd      = 0;
  pfd.events  = POLLIN;
  pfd.revents = 0;

  if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLHUP))
    return (false);

  return (!ioctl(0, FIONREAD, &unread) && unread == 0);
}


//
// 'judge_sigterm()' - Pass a SIGTERM on, unless that would print the job twice.
//
// cupsd sets the job's state before it signals: canceled, aborted or held
// mean the job is not to be printed now, so the real backend stops.
// Anything else (pending or processing: shutdown, printer paused; or no
// answer: cupsd is going away) requeues the job: if the printer has all of
// its data the real backend is left to finish and the requeued run skips
// the job; otherwise the job is stopped and printed again, as CUPS does.
//

static void
judge_sigterm(upa_backend_t *be)	// I - Backend state
{
  ipp_jstate_t	state;			// Job state in cupsd


  state = upaBackendCupsJobState(be);

  if (state == IPP_JSTATE_CANCELED || state == IPP_JSTATE_ABORTED || state == IPP_JSTATE_HELD)
  {
    fprintf(stderr, "DEBUG: upa: SIGTERM: job is %s in cupsd, passing it to the backend.\n", ippEnumString("job-state", (int)state));
    upa_term_check     = 0;		// Later ones go straight through
    be->term_deferred  = false;
    pass_sigterm(be);
  }
  else if (input_complete(be))
  {
    if (!be->term_deferred)
      fputs("INFO: The printer has all of this job's data; letting it finish so that the job is not printed twice.\n", stderr);
    be->term_deferred = true;
  }
  else
  {
    fprintf(stderr, "DEBUG: upa: SIGTERM: job is %s in cupsd and not all of it was sent, passing it to the backend.\n", ippEnumString("job-state", (int)state));
    upa_term_check     = 0;
    be->term_deferred  = false;
    pass_sigterm(be);
  }
}


//
// 'pass_sigterm()' - Send SIGTERM to the real backend's process group.
//

static void
pass_sigterm(upa_backend_t *be)		// I - Backend state
{
  be->term_forwarded = true;

  if (upa_relay_fd < 0 || write(upa_relay_fd, "T", 1) != 1)
  {
    // No relay: signal it ourselves (works while we may)
    if (upa_child_pid > 0 && kill(-(pid_t)upa_child_pid, SIGTERM) && kill((pid_t)upa_child_pid, SIGTERM))
      fprintf(stderr, "DEBUG: upa: Unable to pass SIGTERM to the backend: %s\n", strerror(errno));
  }
}


//
// 'split_front()' - Leave cupsd's process group, keeping a front process in it.
//
// cupsd stops a job at shutdown with SIGKILL to the job's process group:
// a real backend that has sent the whole job but not yet ended is killed,
// its success never recorded, and the restarted cupsd prints the job again.
// So the run of a linked job goes on in a new process group (the
// "guardian": this function returns there), and the process cupsd started
// stays behind as the front: it passes each SIGTERM on as a byte on a pipe,
// dies with cupsd's SIGKILL (the guardian sees end of file), and otherwise
// exits with the guardian's exit status.  Without fork() the run goes on
// unsplit.
//

static volatile sig_atomic_t front_pipe = -1;
					// Front: write end of the pipe

static void
front_sigterm(int sig)			// I - Signal number (unused)
{
  ssize_t bytes;			// Bytes written (nothing to do on error)

  (void)sig;
  bytes = write(front_pipe, "T", 1);
  (void)bytes;
}

static void
split_front(upa_backend_t *be)		// I - Backend state
{
  int			fds[2];		// Pipe front -> guardian
  pid_t			guardian;	// Guardian process
  sigset_t		mask,		// SIGTERM blocked
			oldmask;	// Previous mask
  struct sigaction	action;		// SIGTERM action
  int			wstatus;	// Guardian's wait status


  if (pipe2(fds, O_CLOEXEC))
    return;

  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, &oldmask);

  if ((guardian = fork()) < 0)
  {
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    close(fds[0]);
    close(fds[1]);
    return;
  }
  else if (guardian == 0)
  {
    // Guardian: a process group of its own; SIGTERMs come through the pipe
    setpgid(0, 0);
    close(fds[1]);
    upa_front_fd = fds[0];
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    return;
  }

  // Front: nothing of the job's but the pipe, no root, wait
  front_pipe = fds[1];
  memset(&action, 0, sizeof(action));
  sigemptyset(&action.sa_mask);
  action.sa_handler = front_sigterm;
  sigaction(SIGTERM, &action, NULL);

  // Keep stderr and the pipe (as fd 3); one close_range() for the rest,
  // while the guardian waits for this CPU
  if (fds[1] != 3)
  {
    dup2(fds[1], 3);
    front_pipe = 3;
  }
  close(0);
  close(1);
  upaBackendCloseFrom(4);

  // Root is not needed to wait; if the drop fails the guardian says so
  if (geteuid() == 0 && be->work_uid != (uid_t)-1 && be->work_uid != 0 && be->key_gid != (gid_t)-1)
  {
    if (setgroups(1, &be->key_gid) || setgid(be->key_gid) || setuid(be->work_uid))
    {
      // Keep waiting: exiting now would tell cupsd the job ended
    }
  }

  sigprocmask(SIG_SETMASK, &oldmask, NULL);

  while (waitpid(guardian, &wstatus, 0) < 0)
  {
    if (errno != EINTR)
      _exit(CUPS_BACKEND_FAILED);
  }

  _exit(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : CUPS_BACKEND_FAILED);
}


//
// 'start_relay()' - Start the process that signals the real backend for us.
//
// It has the real backend's credentials (we will not, once root is
// dropped), ignores SIGTERM (cupsd's signals to our group) and sends
// SIGTERM to the real backend's group for every byte it reads; it ends at
// end of file, that is when we close the pipe or die.  It is the small
// program upa-sigrelay, started with vfork(): a fork() of this process
// would make each page either of us writes afterwards a copy-on-write
// fault (about 2 ms per job on a small virtual machine).  Without that
// program a fork() of ours does the same job.
//

static pid_t				// O - Relay, 0 for the warm relay, or -1
start_relay(upa_backend_t *be,		// I - Backend state
            pid_t         child)	// I - Real backend (group leader)
{
  int		cmd[2];			// Command pipe
  pid_t		pid = -1;		// Relay
  const char	*program;		// upa-sigrelay
  struct stat	info;			// Its file


  if (upa_warm_relay >= 0)
  {
    // A warm run: the waiting upa-backend is the relay, once told which
    // process is ours (a child it checks before each signal)
    char	msg[1 + sizeof(int32_t)];	// "P" and the PID
    int32_t	cpid = (int32_t)child;	// The PID
    int		fd = upa_warm_relay;	// The socket

    upa_warm_relay = -1;
    msg[0] = 'P';
    memcpy(msg + 1, &cpid, sizeof(cpid));
    if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) == (ssize_t)sizeof(msg))
    {
      upa_relay_fd = fd;
      return (0);
    }

    fprintf(stderr, "DEBUG: upa: The waiting upa-backend is gone (%s); starting a signal relay.\n", strerror(errno));
    close(fd);
  }

  if (pipe2(cmd, O_CLOEXEC))
    return (-1);

  if ((program = secure_getenv("UPA_SIGRELAY")) == NULL || !*program)
    program = UPA_PKGLIBEXECDIR "/upa-sigrelay";

  // Root runs it (with the real backend's credentials): only a program
  // nobody else may change
  if (stat(program, &info))
    fprintf(stderr, "DEBUG: upa: No signal relay program %s (%s).\n", program, strerror(errno));
  else if (!S_ISREG(info.st_mode) || (info.st_uid != 0 && info.st_uid != geteuid()) || (info.st_mode & (S_IWGRP | S_IWOTH)))
    fprintf(stderr, "DEBUG: upa: Not running the signal relay %s: it is not a file only root may change.\n", program);
  else
    pid = spawn_relay(be, program, child, cmd[0]);

  if (pid < 0)
    pid = fork_relay(be, child, cmd[0]);

  close(cmd[0]);

  if (pid < 0)
  {
    close(cmd[1]);
    return (-1);
  }

  upa_relay_fd = cmd[1];

  return (pid);
}


//
// 'spawn_relay()' - Start upa-sigrelay with vfork() and execv().
//
// As in spawn_backend(), the child makes system calls only.  A second pipe
// (close-on-exec) tells whether execv() worked: a byte means it did not.
//

static pid_t				// O - Relay or -1
spawn_relay(upa_backend_t *be,		// I - Backend state
            const char    *program,	// I - upa-sigrelay
            pid_t         child,	// I - Real backend
            int           cmdfd)	// I - Read end of the command pipe
{
  int			err[2];		// exec() failure pipe
  pid_t			pid;		// Relay
  char			pidstr[16],	// PID argument
			*argv[3],	// Arguments
			c;		// Failure byte
  struct sigaction	ign;		// Ignore action
  ssize_t		bytes;		// Bytes read or written


  if (pipe2(err, O_CLOEXEC))
    return (-1);

  snprintf(pidstr, sizeof(pidstr), "%d", (int)child);
  argv[0] = "upa-sigrelay";
  argv[1] = pidstr;
  argv[2] = NULL;

  memset(&ign, 0, sizeof(ign));
  sigemptyset(&ign.sa_mask);
  ign.sa_handler = SIG_IGN;

  if ((pid = vfork()) == 0)
  {
    // Child: SIGTERM ignored across exec, the command pipe as stdin, the
    // failure pipe as fd 1 (still close-on-exec), nothing else of ours
    sigaction(SIGTERM, &ign, NULL);

    if (dup2(cmdfd, 0) < 0 || (cmdfd == 0 && fcntl(0, F_SETFD, 0)) || (err[1] != 1 && dup3(err[1], 1, O_CLOEXEC) < 0))
      _exit(1);
    upaBackendCloseFrom(3);

    if (upaBackendDropChild(be))
      execv(program, argv);

    bytes = write(1, "E", 1);
    (void)bytes;
    _exit(1);
  }

  close(err[1]);

  // End of file: execv() worked (a read error leaves the relay in place:
  // if it is not there, pass_sigterm() signals the backend itself)
  while ((bytes = read(err[0], &c, 1)) < 0 && errno == EINTR);

  if (pid > 0 && bytes == 1)
  {
    // Could not run it: reap the child, fork a relay instead
    fprintf(stderr, "DEBUG: upa: Cannot run the signal relay %s.\n", program);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR);
    pid = -1;
  }

  close(err[0]);

  return (pid);
}


//
// 'fork_relay()' - Be the relay in a fork() of this process.
//

static pid_t				// O - Relay or -1
fork_relay(upa_backend_t *be,		// I - Backend state
           pid_t         child,		// I - Real backend (group leader)
           int           cmdfd)		// I - Read end of the command pipe
{
  pid_t	pid;				// Relay


  if ((pid = fork()) == 0)
  {
    struct sigaction	ign;		// Ignore action

    memset(&ign, 0, sizeof(ign));
    sigemptyset(&ign.sa_mask);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGTERM, &ign, NULL);

    if (cmdfd != 0 && dup2(cmdfd, 0) < 0)
      _exit(1);
    upaBackendCloseFrom(1);

    if (!upaBackendDropChild(be))
      _exit(1);

    upaSigRelayLoop(child);
    _exit(0);
  }

  return (pid);
}


//
// 'spawn_backend()' - Start the real backend with vfork() and execv().
//
// vfork(): copying our address space only to replace it costs more than
// the real backend's own run on a small job.  The child shares our memory
// until execv(), so it makes system calls only: no stdio, no malloc, no
// variable of ours written.  A function of its own, so that nothing of the
// caller's frame is live across vfork().
//

static pid_t				// O - Child or -1
spawn_backend(upa_backend_t   *be,	// I - Backend state
              char            **argv,	// I - Child arguments
              int             errfd,	// I - Write end of the stderr pipe
              const sigset_t  *oldmask,	// I - Signal mask for the child
              pid_t           parent)	// I - This process
{
  static const char	drop_msg[] = "ERROR: Unable to run the real backend as the CUPS user.\n",
			exec_msg[] = "ERROR: Unable to run the real backend ";
					// Messages (async-signal-safe)
  pid_t			pid;		// Child
  struct sigaction	dfl;		// Default action
  ssize_t		bytes;		// Bytes written (nothing to do on error)


  if ((pid = vfork()) != 0)
    return (pid);

  // Child: a process group of its own (cupsd's signals reach it through
  // us), default signal dispositions, stderr into the pipe, fds 0, 3
  // and 4 exactly as we got them, nothing else of ours.
  setpgid(0, 0);

  memset(&dfl, 0, sizeof(dfl));
  sigemptyset(&dfl.sa_mask);
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGTERM, &dfl, NULL);
  sigaction(SIGPIPE, &dfl, NULL);
  sigprocmask(SIG_SETMASK, oldmask, NULL);

  if (dup2(errfd, 2) < 0)
    _exit(CUPS_BACKEND_FAILED);

  if (!be->fd3_open)
    close(3);
  if (!be->fd4_open)
    close(4);
  upaBackendCloseFrom(5);

  if (!upaBackendDropChild(be))
  {
    bytes = write(2, drop_msg, sizeof(drop_msg) - 1);
    (void)bytes;
    _exit(CUPS_BACKEND_STOP);
  }

  // Die with us, as with our process group (set after the credential
  // change, which clears it)
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
    _exit(CUPS_BACKEND_FAILED);

  execv(be->real_backend, argv);

  // Which program (strerror() is not safe here; find_real_backend() has
  // already said why a missing one is missing)
  bytes = write(2, exec_msg, sizeof(exec_msg) - 1);
  bytes = write(2, be->real_backend, strlen(be->real_backend));
  bytes = write(2, ".\n", 2);
  (void)bytes;
  _exit(CUPS_BACKEND_FAILED);
}


//
// 'sigterm_handler()' - Remember the cancel; pass it on for a plain job.
//
// Unlike backend/ipp.c we do not _exit() on a second SIGTERM: the real
// backend owns the device, and we must wait for it to report its status.
// A linked job's SIGTERM is judged by the relay loop (judge_sigterm()).
//

static void
sigterm_handler(int sig)		// I - Signal number (unused)
{
  static const char msg[] = "DEBUG: upa: Got SIGTERM, passing it to the backend.\n",
		judge[] = "DEBUG: upa: Got SIGTERM, asking cupsd why.\n";
					// Messages (async-signal-safe)
  int		saved_errno = errno;	// errno of the interrupted code
  ssize_t	bytes;			// Bytes written (nothing to do on error)


  (void)sig;

  upa_job_canceled = upa_job_canceled + 1;
  if (upa_term_check)
  {
    bytes = write(2, judge, sizeof(judge) - 1);
  }
  else
  {
    if (upa_relay_fd < 0 || write(upa_relay_fd, "T", 1) != 1)
    {
      if (upa_child_pid > 0 && kill(-(pid_t)upa_child_pid, SIGTERM))
        kill((pid_t)upa_child_pid, SIGTERM);
    }
    bytes = write(2, msg, sizeof(msg) - 1);
  }
  (void)bytes;

  errno = saved_errno;
}
