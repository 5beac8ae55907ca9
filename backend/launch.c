//
// The "upa" backend as cupsd starts it: a launcher linked to the C library
// only, which hands the job to a warm guardian.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The backend proper (upa-backend, upa.c) links libcups and its 30
// libraries: loading them took 12-15 ms of every job's critical path, more
// than anything the backend does itself.  So a job goes, when it can, to a
// "warm guardian": upa-backend started ahead of time with --warm (libraries
// loaded, waiting on a root-only socket; warm.c).  The launcher passes it
// the job (argv, environment, descriptors 0-4, working directory; warm.h)
// and stays behind as the front, as split_front() in run.c does: it passes
// each SIGTERM on as a byte, dies with cupsd's SIGKILL (the guardian sees
// end of file), and exits with the status the guardian sends back.  The
// waiting upa-backend forks a guardian per job and goes on waiting.
//
// Without one waiting (the first job, 5 quiet minutes, a run not as root,
// device discovery) the launcher starts one for the jobs after its own and
// execv()s upa-backend itself, which is the backend's whole path.
// SIGTERM stays blocked from start to execv(): one that arrives meanwhile
// is delivered to upa-backend's handler, never lost.
//

#include "config.h"
#include "warm.h"
#include <cups/backend.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef UPA_PKGLIBEXECDIR
#  define UPA_PKGLIBEXECDIR "/usr/libexec/cups-upa"
#endif // !UPA_PKGLIBEXECDIR

extern char **environ;


//
// Local globals...
//

static volatile sig_atomic_t front_fd = -1;
					// Socket to the guardian (SIGTERM bytes)


//
// Local functions...
//

static int	front_wait(int fd);
static void	front_sigterm(int sig);
static bool	hand_over(int fd, unsigned fd_mask, int argc, char *argv[]);
static const char *program_path(void);
static void	start_warm(const char *program);
static int	warm_connect(void);


//
// 'main()' - Hand the job to a warm guardian, or run upa-backend.
//

int					// O - Exit status (the guardian's)
main(int  argc,				// I - Number of command-line args
     char *argv[])			// I - Command-line arguments
{
  const char	*program;		// upa-backend
  sigset_t	mask;			// SIGTERM
  int		fd;			// Socket to a warm guardian
  unsigned	fd_mask = 0;		// Descriptors 0-4 that cupsd opened
  const char	*warm = secure_getenv("UPA_WARM");
					// "no" turns warm guardians off
  bool		job = (argc == 6 || argc == 7) && geteuid() == 0 && !(warm && (!strcmp(warm, "0") || !strcasecmp(warm, "no") || !strcasecmp(warm, "off")));
					// A job, run as root, warm guardians on?


  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, NULL);

  // The job's descriptors, before we open any of our own
  for (fd = 0; fd < 5; fd ++)
    if (fcntl(fd, F_GETFD) >= 0)
      fd_mask |= 1U << fd;

  if ((program = program_path()) == NULL)
    return (CUPS_BACKEND_STOP);

  if (job && (fd = warm_connect()) >= 0)
  {
    if (hand_over(fd, fd_mask, argc, argv))
      return (front_wait(fd));

    close(fd);
  }

  if (job)
    start_warm(program);

  execv(program, argv);
  fprintf(stderr, "ERROR: Cannot run the upa backend %s: %s\n", program, strerror(errno));

  return (CUPS_BACKEND_STOP);
}


//
// 'front_sigterm()' - Pass a SIGTERM on to the guardian.
//

static void
front_sigterm(int sig)			// I - Signal number (unused)
{
  ssize_t bytes;			// Bytes written (nothing to do on error)

  (void)sig;
  bytes = send(front_fd, "T", 1, MSG_NOSIGNAL);
  (void)bytes;
}


//
// 'front_wait()' - Be the front: pass SIGTERMs on, exit with the guardian's status.
//

static int				// O - Exit status
front_wait(int fd)			// I - Socket to the guardian
{
  struct sigaction	action;		// SIGTERM action
  sigset_t		mask;		// SIGTERM
  unsigned char		msg[16];	// Message from the guardian
  ssize_t		bytes;		// Its length


  front_fd = fd;
  memset(&action, 0, sizeof(action));
  sigemptyset(&action.sa_mask);
  action.sa_handler = front_sigterm;
  sigaction(SIGTERM, &action, NULL);

  // The job's descriptors are the guardian's now (our socket is above
  // them; stderr stays open for nothing, which cupsd does not mind)
  close(0);
  close(1);
  close(3);
  close(4);

  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &mask, NULL);

  for (;;)
  {
    if ((bytes = recv(fd, msg, sizeof(msg), 0)) >= 2 && msg[0] == 'S')
      return (msg[1]);
    else if (bytes == 0 || (bytes < 0 && errno != EINTR))
      return (CUPS_BACKEND_FAILED);	// The guardian died
  }
}


//
// 'hand_over()' - Send the job to a warm guardian; true once it took it.
//
// The guardian answers before it does anything with the job, so on false
// nothing of the job has started and the caller runs it itself.
//

static bool				// O - `true` when the guardian has the job
hand_over(int      fd,			// I - Socket to the guardian
          unsigned fd_mask,		// I - Descriptors 0-4 of the job
          int      argc,		// I - Number of command-line args
          char     *argv[])		// I - Command-line arguments
{
  upa_warm_hdr_t hdr;			// Message header
  char		*buf,			// Message
		*ptr;			// Position in it
  size_t	len = sizeof(hdr),	// Message length
		n;			// String length
  int		i,			// Looping var
		fds[UPA_WARM_MAX_FDS],	// Descriptors to pass
		nfds = 0,		// Number of them
		cwd;			// Working directory
  mode_t	mask;			// umask
  struct iovec	iov;			// Message data
  struct msghdr	msg;		// Message
  upa_warm_cmsg_t control;		// SCM_RIGHTS
  struct cmsghdr *cmsg;			// Its header
  char		answer;			// "A"
  ssize_t	bytes;			// Bytes sent or read


  memset(&hdr, 0, sizeof(hdr));
  memcpy(hdr.magic, UPA_WARM_MAGIC, sizeof(hdr.magic));
  hdr.argc = (uint32_t)argc;

  for (i = 0; i < argc; i ++)
    len += strlen(argv[i]) + 1;
  for (i = 0; environ[i]; i ++)
    len += strlen(environ[i]) + 1;
  hdr.envc = (uint32_t)i;

  if (len > UPA_WARM_MAX || (buf = malloc(len)) == NULL)
    return (false);

  // Descriptors: 0-2 always, 3 and 4 when cupsd opened them, then the cwd
  if ((fd_mask & 7) != 7)
  {
    free(buf);
    return (false);
  }
  for (i = 0; i < 5; i ++)
    if (fd_mask & (1U << i))
      fds[nfds ++] = i;
  hdr.fd_mask = fd_mask;

  if ((cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
  {
    free(buf);
    return (false);
  }
  fds[nfds ++] = cwd;

  mask       = umask(0);
  umask(mask);
  hdr.umask  = (uint32_t)mask;

  memcpy(buf, &hdr, sizeof(hdr));
  ptr = buf + sizeof(hdr);
  for (i = 0; i < argc; i ++, ptr += n)
    memcpy(ptr, argv[i], n = strlen(argv[i]) + 1);
  for (i = 0; environ[i]; i ++, ptr += n)
    memcpy(ptr, environ[i], n = strlen(environ[i]) + 1);

  memset(&msg, 0, sizeof(msg));
  memset(&control, 0, sizeof(control));
  iov.iov_base       = buf;
  iov.iov_len        = len;
  msg.msg_iov        = &iov;
  msg.msg_iovlen     = 1;
  msg.msg_control    = control.buf;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
  cmsg               = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level   = SOL_SOCKET;
  cmsg->cmsg_type    = SCM_RIGHTS;
  cmsg->cmsg_len     = CMSG_LEN(sizeof(int) * (size_t)nfds);
  memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * (size_t)nfds);

  while ((bytes = sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR);

  free(buf);
  close(cwd);

  if (bytes != (ssize_t)len)
    return (false);

  // No time limit: only the answer or the guardian's end (end of file)
  // tells whether it has the job, and running it twice is never an option
  while ((bytes = recv(fd, &answer, 1, 0)) < 0 && errno == EINTR);

  return (bytes == 1 && answer == 'A');
}


//
// 'program_path()' - Find upa-backend: a file only root may change.
//

static const char *			// O - Path or `NULL`
program_path(void)
{
  const char	*program;		// upa-backend
  struct stat	info;			// Its file


  if ((program = secure_getenv("UPA_BACKEND_PROGRAM")) == NULL || !*program)
    program = UPA_PKGLIBEXECDIR "/upa-backend";

  if (stat(program, &info))
  {
    fprintf(stderr, "ERROR: Cannot find the upa backend %s: %s\n", program, strerror(errno));
    return (NULL);
  }
  else if (!S_ISREG(info.st_mode) || (info.st_uid != 0 && info.st_uid != geteuid()) || (info.st_mode & (S_IWGRP | S_IWOTH)))
  {
    fprintf(stderr, "ERROR: Not running the upa backend %s: it is not a file only root may change.\n", program);
    return (NULL);
  }

  return (program);
}


//
// 'start_warm()' - Start the waiting upa-backend for the jobs after this one, detached.
//
// It is not our child (a double fork): it outlives this job, in a session
// of its own, with nothing of the job's.  It gives up by itself when
// another one already waits.
//

static void
start_warm(const char *program)		// I - upa-backend
{
  pid_t		pid;			// First child
  int		nullfd;			// /dev/null
  sigset_t	mask;			// Nothing blocked
  char		*args[3];		// Its arguments


  args[0] = "upa-backend";
  args[1] = "--warm";
  args[2] = NULL;

  if ((pid = fork()) == 0)
  {
    setsid();

    if (fork() == 0)
    {
      if ((nullfd = open("/dev/null", O_RDWR)) < 0 || dup2(nullfd, 0) < 0 || dup2(nullfd, 1) < 0 || dup2(nullfd, 2) < 0)
        _exit(1);
      closefrom(3);

      signal(SIGTERM, SIG_DFL);
      sigemptyset(&mask);
      sigprocmask(SIG_SETMASK, &mask, NULL);

      // All symbols bound at start-up, once, not lazily in each guardian
      // (warm.c); a guardian's job gets the job's environment, not ours
      setenv("LD_BIND_NOW", "1", 1);

      execv(program, args);
    }

    _exit(0);
  }
  else if (pid > 0)
  {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR);
  }
}


//
// 'warm_connect()' - Connect to a warm guardian (root's, and only root's).
//

static int				// O - Socket or -1
warm_connect(void)
{
  const char		*dir;		// Its folder
  struct sockaddr_un	addr;		// Its address
  struct ucred		cred;		// Its credentials
  socklen_t		credlen = sizeof(cred);
					// Their size
  int			fd;		// Socket


  if ((dir = secure_getenv("UPA_WARM_DIR")) == NULL || !*dir)
    dir = UPA_WARM_DIR;

  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir, UPA_WARM_SOCKET) >= sizeof(addr.sun_path))
    return (-1);

  if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
    return (-1);

  // Above the job's descriptors (0-4), which it must not be taken for
  if (fd < 10)
  {
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
					// Its copy

    close(fd);
    if ((fd = high) < 0)
      return (-1);
  }

  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) || cred.uid != 0)
  {
    close(fd);
    return (-1);
  }

  return (fd);
}
