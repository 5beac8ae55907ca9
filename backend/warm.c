//
// A warm guardian for the "upa" backend: upa-backend started ahead of time,
// waiting for the launcher (launch.c) to hand it a job.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// A launcher that found none waiting starts "upa-backend --warm", as root,
// detached, in the context cupsd gave its job (credentials, limits,
// priority).  It loads its libraries, then waits on a SOCK_SEQPACKET socket
// in a root-only folder (UPA_WARM_DIR, $UPA_WARM_DIR for tests) for
// connections from root, until UPA_WARM_SECONDS pass without one.  For each
// it forks a guardian for that job: the job's descriptors become its 0-4,
// the job's environment and working directory its own, and main() runs the
// job as if cupsd had started it, with the launcher as its front
// (upaBackendSetFront()).
//
// Only one waits at a time: a new one gives up when another answers on the
// socket, and a waiting one gives up when its socket is gone or replaced
// (the folder removed, another one renamed over it).
//

#include "upa-backend.h"
#include "file.h"
#include "warm.h"
#include "sigloop.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


//
// Local types...
//

typedef struct warm_guard_s		// A running job's guardian
{
  pid_t		pid;			// Guardian
  int		fd;			// Our end of its socket pair
  pid_t		target;			// Its real backend, once it said so
} warm_guard_t;


//
// Local globals...
//

static char	**warm_args = NULL;	// The job's argv (its strings and environ point into one message)


//
// Local functions...
//

static bool	warm_address(struct sockaddr_un *addr, const char *dir, const char *name);
static int	warm_listen(int dfd, const char *dir, ino_t *ino);
static bool	warm_ours(int dfd, ino_t ino);
static void	warm_prepare(void);
static bool	warm_replaced(void);
static bool	warm_spare(int lfd, int ctl, int *argc, char ***argv);
static bool	warm_guard_read(warm_guard_t *g, bool *started);
static bool	warm_take(int fd, int *argc, char ***argv);


//
// 'upaBackendWarmWait()' - Wait for jobs; in a fork() per job, return with it.
//
// The process that waits never runs a job itself.  It keeps one fork() of
// itself, the spare, waiting in accept(): the spare takes the next
// launcher, tells us (a byte on their socket pair) and returns true with
// the job's argc/argv (allocated once, kept for the guardian's life) and
// the launcher as its front.  We fork the next spare once that job's real
// backend runs (its guardian's "P"), so neither our fork() nor the fresh
// child's first copy-on-write faults compete for the CPU with the job's own
// start (on two cores they did: 16.7 ms from launcher to real backend
// against 12 ms without them).  A launcher waiting in the listening queue
// meanwhile (another queue's job), a guardian that ended, or
// UPA_WARM_SPARE_MS without a "P" (a job that prints nothing) has the spare
// forked at once.  A fork() of a process that has loaded its libraries
// costs a fraction of an exec() that loads them again.
//
// The socket pair stays open for the job: a guardian has given up root
// while its real backend runs as cupsd would run it, so we pass its
// SIGTERMs on (warm_guard_read()), which saves the signal relay process a
// cold run starts.  So we stop taking jobs after UPA_WARM_SECONDS without
// one (no job running), or when we must give up (see above), and return
// false (exit quietly) once no guardian is left; the spare leaves with us.
//

bool					// O - `true` in a job's guardian
upaBackendWarmWait(int  *argc,		// O - Job's argc
                   char ***argv)	// O - Job's argv
{
  const char	*dir;			// Socket folder
  int		dfd,			// Folder
		lfd,			// Listening socket
		ctl = -1,		// Our end of the spare's socket pair
		pair[2],		// New socket pair
		failed = 0,		// Spares in a row that ended without a job
		i;			// Looping var
  pid_t		pid,			// Forked process
		spare = -1;		// The spare
  ino_t		ino;			// Our socket's inode
  struct stat	info;			// Folder information
  time_t	end = time(NULL) + UPA_WARM_SECONDS;
					// When to give up
  warm_guard_t	*guards = NULL;		// Guardians of running jobs
  int		nguards = 0,		// Number of them
		aguards = 0;		// Room for them
  struct pollfd	*pfds = NULL;		// Spare and guardians
  long long	spare_at = 0;		// When the next spare is due (upaBackendNowMS())


  if (geteuid() != 0)
    return (false);

  if ((dir = secure_getenv("UPA_WARM_DIR")) == NULL || !*dir)
    dir = UPA_WARM_DIR;

  // A folder only root may use: made here, or already there exactly so
  if (mkdir(dir, 0700) && errno != EEXIST)
    return (false);
  if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    return (false);
  if (fstat(dfd, &info) || info.st_uid != 0 || (info.st_mode & 077))
  {
    close(dfd);
    return (false);
  }

  if ((lfd = warm_listen(dfd, dir, &ino)) < 0)
  {
    close(dfd);
    return (false);
  }

  warm_prepare();

  while (lfd >= 0 || nguards > 0)
  {
    int		npfds = 0,		// Descriptors to poll
		first,			// Index of the first guardian in pfds
		listening = -1,		// Index of lfd in pfds
		timeout = 1000;		// Poll timeout in ms
    char	msg[16];		// Message of the spare or a guardian
    ssize_t	bytes;			// Its length
    long long	now;			// upaBackendNowMS()

    while (waitpid(-1, NULL, WNOHANG) > 0);
					// Guardians and spares that ended

    // A spare waiting in accept() once it is due (not again at once after
    // one that ended without a job: that is retried at the next check, a
    // second later)
    now = upaBackendNowMS();
    if (lfd >= 0 && ctl < 0 && failed < 2 && now >= spare_at)
    {
      if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair))
        pid = -1;
      else if ((pid = fork()) == 0)
      {
        for (i = 0; i < nguards; i ++)
          close(guards[i].fd);
        free(guards);
        free(pfds);
        close(pair[0]);
        close(dfd);
        if (warm_spare(lfd, pair[1], argc, argv))
          return (true);
        _exit(0);
      }
      else
      {
        close(pair[1]);
        if (pid < 0)
          close(pair[0]);
      }

      if (pid > 0)
      {
        ctl   = pair[0];
        spare = pid;
      }
      else
        failed = 2;			// Try again a second later
    }

    if (nguards + 1 > aguards)
    {
      warm_guard_t	*g;		// Bigger table
      struct pollfd	*p;		// Bigger poll list

      if ((g = realloc(guards, (size_t)(aguards + 16) * sizeof(warm_guard_t))) != NULL)
        guards = g;
      if ((p = realloc(pfds, (size_t)(aguards + 18) * sizeof(struct pollfd))) != NULL)
        pfds = p;
      if (g && p)
        aguards += 16;
      else if (!pfds)
        break;				// Out of memory: the jobs go on without us
    }

    if (ctl >= 0)
    {
      pfds[npfds].fd      = ctl;
      pfds[npfds].events  = POLLIN;
      pfds[npfds].revents = 0;
      npfds ++;
    }
    else if (lfd >= 0 && failed < 2)
    {
      // No spare yet: a launcher in the listening queue calls for one now
      pfds[npfds].fd      = lfd;
      pfds[npfds].events  = POLLIN;
      pfds[npfds].revents = 0;
      listening = npfds ++;
      if (spare_at - now < timeout)
        timeout = spare_at > now ? (int)(spare_at - now) : 0;
    }
    first = npfds;
    for (i = 0; i < nguards; i ++, npfds ++)
    {
      pfds[npfds].fd      = guards[i].fd;
      pfds[npfds].events  = POLLIN;
      pfds[npfds].revents = 0;
    }

    if (poll(pfds, (nfds_t)npfds, timeout) < 0 && errno != EINTR)
      break;

    if (listening >= 0 && pfds[listening].revents)
      spare_at = 0;

    // The guardians' requests first (the spare may join them below)
    for (i = nguards - 1; i >= 0; i --)
    {
      bool	started = false;	// Its real backend runs now?

      if (!pfds[first + i].revents)
        continue;

      if (!warm_guard_read(guards + i, &started))
      {
        close(guards[i].fd);
        guards[i] = guards[-- nguards];
        spare_at  = 0;
      }
      else if (started)
        spare_at = 0;
    }

    if (ctl >= 0 && pfds[0].revents)
    {
      // A byte: the spare took a job (and is its guardian now); end of
      // file: it ended without one.  Either way the next spare is forked.
      if ((bytes = recv(ctl, msg, sizeof(msg), MSG_DONTWAIT)) == 1 && msg[0] == 'T' && nguards < aguards)
      {
        guards[nguards].pid    = spare;
        guards[nguards].fd     = ctl;
        guards[nguards].target = 0;
        nguards ++;
        failed   = 0;
        spare_at = upaBackendNowMS() + UPA_WARM_SPARE_MS;
      }
      else
      {
        if (bytes <= 0)
          failed ++;
        close(ctl);
      }

      ctl   = -1;
      spare = -1;
      end   = time(NULL) + UPA_WARM_SECONDS;
    }
    else if (ctl < 0)
      failed = 0;

    // While a job runs we stay; otherwise we give up after the quiet time
    if (nguards > 0)
      end = time(NULL) + UPA_WARM_SECONDS;

    if (lfd >= 0 && (!warm_ours(dfd, ino) || warm_replaced() || time(NULL) >= end))
    {
      // Take no more jobs (the folder gone, another one took over, our
      // program replaced by an upgrade, or nothing to do): the spare sees
      // its pair close and leaves, the running jobs keep us
      if (time(NULL) >= end && warm_ours(dfd, ino))
        unlinkat(dfd, UPA_WARM_SOCKET, 0);
      close(lfd);
      lfd = -1;
      if (ctl >= 0)
      {
        close(ctl);
        ctl = -1;
      }
    }
  }

  for (i = 0; i < nguards; i ++)
    close(guards[i].fd);
  free(guards);
  free(pfds);
  if (ctl >= 0)
    close(ctl);
  if (lfd >= 0)
    close(lfd);
  close(dfd);

  return (false);
}


//
// 'warm_spare()' - Wait in accept() for the next launcher, and take its job.
//
// Returns true in the job's guardian, which keeps "ctl" (upaBackendSetWarmRelay());
// false when the waiting process has ended (the other end of "ctl"
// closed) or the launcher went away.
//

static bool				// O - `true` with a job
warm_spare(int  lfd,			// I - Listening socket
           int  ctl,			// I - Socket pair to the waiting process
           int  *argc,			// O - Job's argc
           char ***argv)		// O - Job's argv
{
  struct pollfd	pfd[2];			// Listening socket and socket pair
  struct ucred	cred;			// Launcher's credentials
  socklen_t	credlen;		// Their size
  int		fd;			// Launcher
  ssize_t	bytes;			// Bytes sent


  pfd[0].fd     = lfd;
  pfd[0].events = POLLIN;
  pfd[1].fd     = ctl;
  pfd[1].events = POLLIN;

  for (;;)
  {
    pfd[0].revents = pfd[1].revents = 0;
    if (poll(pfd, 2, -1) < 0)
    {
      if (errno == EINTR)
        continue;
      return (false);
    }

    if (pfd[1].revents)
      return (false);			// The waiting process is gone

    if (!(pfd[0].revents & POLLIN) || (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
      continue;

    credlen = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) || cred.uid != 0)
    {
      close(fd);
      continue;
    }

    // Above the job's descriptors (0-4), which warm_take() sets
    if (fd < 10)
    {
      int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
					// Its copy

      close(fd);
      if ((fd = high) < 0)
        continue;
    }

    break;
  }

  // Ours now: the waiting process forks the next spare
  close(lfd);
  while ((bytes = send(ctl, "T", 1, MSG_NOSIGNAL)) < 0 && errno == EINTR);
  if (bytes != 1 || ctl < 10)
  {
    int high = bytes == 1 ? fcntl(ctl, F_DUPFD_CLOEXEC, 10) : -1;
					// Above the job's descriptors

    close(ctl);
    ctl = high;
  }

  if (!warm_take(fd, argc, argv))
  {
    if (ctl >= 0)
      close(ctl);
    return (false);			// The launcher runs the job itself
  }

  upaBackendSetFront(fd);
  upaBackendSetWarmRelay(ctl);
  return (true);
}


//
// 'warm_guard_read()' - Act on a guardian's message.
//
// "P" and a pid: the real backend it started (the first one counts; then
// "started" is set); "T": pass a SIGTERM on to it, checked
// (upaSigTermChild()).  End of file: the job is over.
//

static bool				// O - `false` when the guardian is gone
warm_guard_read(warm_guard_t *g,	// I - Guardian
                bool         *started)	// O - Set when its real backend started
{
  char		msg[16];		// Message
  ssize_t	bytes;			// Its length
  int32_t	pid;			// Real backend


  if ((bytes = recv(g->fd, msg, sizeof(msg), MSG_DONTWAIT)) == 0)
    return (false);
  else if (bytes < 0)
    return (errno == EINTR || errno == EAGAIN);

  if (msg[0] == 'P' && bytes == 1 + (ssize_t)sizeof(pid) && !g->target)
  {
    memcpy(&pid, msg + 1, sizeof(pid));
    if (pid > 1)
    {
      g->target = (pid_t)pid;
      *started  = true;
    }
  }
  else if (msg[0] == 'T' && g->target > 0)
    upaSigTermChild(g->pid, g->target);

  return (true);
}


//
// 'upaBackendWarmDone()' - Give the launcher the job's exit status.
//

void
upaBackendWarmDone(int status)		// I - Exit status
{
  unsigned char	msg[2];			// "S" and the status
  int		fd = upaBackendFrontFD();
					// Socket to the launcher
  ssize_t	bytes;			// Bytes sent (nobody to tell on error)


  if (fd < 0)
    return;

  msg[0] = 'S';
  msg[1] = (unsigned char)status;
  bytes  = send(fd, msg, sizeof(msg), MSG_NOSIGNAL);
  (void)bytes;

  // Said once: the launcher exits now
  close(fd);
  upaBackendSetFront(-1);
}


//
// 'upaBackendWarmRelease()' - Let the launcher, and cupsd, go before the job's last records are durable.
//
// Called once the records of the job's end are written and visible, their
// fsync() left for later (upaOutboxDeferSync()): cupsd then starts the
// queue's next job while we finish.  A rerun of this job (cupsd crashed and
// requeued it) takes the printing lock and finds those records, so the lock
// goes first.  cupsd ends a job once its status pipe is closed and the
// process it started has exited, so the job's descriptors go next; what we
// print after this goes nowhere.  A power loss before the fsync() costs
// what one during the job's last page costs: cupsd has not written the
// job's end either (it writes job files later still), and the job prints
// again from the start, as plain CUPS does.  Cold runs keep the old order.
// When /dev/null cannot be opened nothing is released: the status goes at
// exit, as in a run that did not defer.
//

void
upaBackendWarmRelease(upa_backend_t *be,// I - Backend state
                      int           status)
					// I - Exit status
{
  int	nullfd,				// /dev/null
	i;				// Looping var


  if (upaBackendFrontFD() < 0 || (nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
    return;

  if (be->print_lock >= 0)
  {
    close(be->print_lock);
    be->print_lock = -1;
  }

  fflush(NULL);
  for (i = 0; i < 5; i ++)
  {
    if (i < 3 || (i == 3 && be->fd3_open) || (i == 4 && be->fd4_open))
      dup2(nullfd, i);
  }
  close(nullfd);

  upaBackendWarmDone(status);
}


//
// 'warm_address()' - Make the address of a name in the socket folder.
//

static bool				// O - `true` when it fits
warm_address(struct sockaddr_un *addr,	// O - Address
             const char         *dir,	// I - Folder
             const char         *name)	// I - Name in it
{
  memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;

  return ((size_t)snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s", dir, name) < sizeof(addr->sun_path));
}


//
// 'warm_listen()' - Listen on the folder's socket, unless another guardian does.
//
// The socket is bound under a name of its own and renamed into place, so a
// launcher never finds a socket that does not listen yet.
//

static int				// O - Listening socket or -1
warm_listen(int        dfd,		// I - Folder
            const char *dir,		// I - Its path
            ino_t      *ino)		// O - Socket file's inode
{
  struct sockaddr_un	addr;		// Address
  char			tmpname[64];	// Name before the rename
  int			fd;		// Socket
  struct stat		info;		// Socket file


  // Another guardian already waiting?
  if (!warm_address(&addr, dir, UPA_WARM_SOCKET) || (fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
    return (-1);
  if (!connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
  {
    close(fd);
    return (-1);
  }
  close(fd);

  snprintf(tmpname, sizeof(tmpname), "%s.%d", UPA_WARM_SOCKET, (int)getpid());
  unlinkat(dfd, tmpname, 0);

  if (!warm_address(&addr, dir, tmpname) || (fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
    return (-1);

  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4) || fstatat(dfd, tmpname, &info, AT_SYMLINK_NOFOLLOW) || renameat(dfd, tmpname, dfd, UPA_WARM_SOCKET))
  {
    unlinkat(dfd, tmpname, 0);
    close(fd);
    return (-1);
  }

  *ino = info.st_ino;

  return (fd);
}


//
// 'warm_ours()' - Is the folder's socket still the one we listen on?
//

static bool				// O - `true` if so
warm_ours(int   dfd,			// I - Folder
          ino_t ino)			// I - Our socket's inode
{
  struct stat	info;			// Socket file


  return (!fstatat(dfd, UPA_WARM_SOCKET, &info, AT_SYMLINK_NOFOLLOW) && info.st_ino == ino);
}


//
// 'warm_prepare()' - Do once here what each guardian would do again.
//
// Every job looks accounts up (the C library then loads its NSS modules,
// about 1.5 ms of dynamic linking) and makes its first big allocation
// (which consolidates every small free chunk left by the libraries'
// start-up: copy-on-write faults all over the heap of a fork).  The
// launcher starts us with LD_BIND_NOW for the same reason: no lazy
// binding, so no symbol lookup and no GOT page copied in each guardian.
// Nothing that depends on the job or on our identity is kept: libcups'
// cupsUser() is not called here (it caches the name it finds).
//

static void
warm_prepare(void)
{
  (void)getpwnam(UPA_CUPS_USER);
  (void)getpwnam(UPA_BACKEND_USER);
  (void)getgrnam(UPA_CUPS_USER);
  endpwent();
  endgrent();

  malloc_trim(0);
}


//
// 'warm_replaced()' - Has our program been removed or replaced (an upgrade)?
//

static bool				// O - `true` if so
warm_replaced(void)
{
  char		path[PATH_MAX];		// Our program
  ssize_t	len;			// Its length


  if ((len = readlink("/proc/self/exe", path, sizeof(path) - 1)) < 0)
    return (false);			// No /proc: cannot tell
  path[len] = '\0';

  return (len > 10 && !strcmp(path + len - 10, " (deleted)"));
}


//
// 'warm_take()' - Receive a job and make it this process' own.
//

static bool				// O - `true` when the job is ours
warm_take(int  fd,			// I - Socket to the launcher
          int  *argc,			// O - Job's argc
          char ***argv)			// O - Job's argv
{
  upa_warm_hdr_t hdr;			// Message header
  char		*buf,			// Message (kept: argv and environ point into it)
		*ptr,			// Position in it
		*end,			// Its end
		**args = NULL;		// Job's argv
  ssize_t	bytes;			// Message length
  int		fds[UPA_WARM_MAX_FDS],	// Descriptors received
		high[UPA_WARM_MAX_FDS],	// Their copies above the job's numbers
		nfds = 0,		// Number of them
		expect = 1,		// Number expected (the cwd)
		i, j;			// Looping vars
  uint32_t	n;			// Looping var
  struct iovec	iov;			// Message data
  struct msghdr	msg;			// Message
  upa_warm_cmsg_t control;		// SCM_RIGHTS
  struct cmsghdr *cmsg;			// Control message


  if ((buf = malloc(UPA_WARM_MAX + 1)) == NULL)
    return (false);

  memset(&msg, 0, sizeof(msg));
  iov.iov_base       = buf;
  iov.iov_len        = UPA_WARM_MAX;
  msg.msg_iov        = &iov;
  msg.msg_iovlen     = 1;
  msg.msg_control    = control.buf;
  msg.msg_controllen = sizeof(control.buf);

  while ((bytes = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR);

  for (cmsg = bytes >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
  {
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
    {
      int count = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
					// Descriptors in this message

      for (i = 0; i < count; i ++)
      {
        int rfd;			// Received descriptor

        memcpy(&rfd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
        if (nfds < UPA_WARM_MAX_FDS)
          fds[nfds ++] = rfd;
        else
          close(rfd);
      }
    }
  }

  // A whole message of the same version with every descriptor it names
  if (bytes >= (ssize_t)sizeof(hdr))
    memcpy(&hdr, buf, sizeof(hdr));
  for (i = 0; i < 5; i ++)
    if (bytes >= (ssize_t)sizeof(hdr) && (hdr.fd_mask & (1U << i)))
      expect ++;

  if (bytes < (ssize_t)sizeof(hdr) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || memcmp(hdr.magic, UPA_WARM_MAGIC, sizeof(hdr.magic)) || (hdr.fd_mask & 7) != 7 || (hdr.fd_mask & ~0x1fU) || nfds != expect || (hdr.argc != 6 && hdr.argc != 7) || hdr.envc > UPA_WARM_MAX / 2)
    goto fail;

  // The strings: argc + envc of them, each ending inside the message
  buf[bytes] = '\0';
  end        = buf + bytes;
  if ((args = calloc(hdr.argc + hdr.envc + 2, sizeof(char *))) == NULL)
    goto fail;

  for (n = 0, ptr = buf + sizeof(hdr); n < hdr.argc + hdr.envc; n ++)
  {
    if (ptr >= end)
      goto fail;
    args[n < hdr.argc ? n : n + 1] = ptr;
    ptr += strlen(ptr) + 1;
  }
  if (ptr != end)
    goto fail;

  // The job's descriptors become 0-4 (first moved above them, as a received
  // one may already have such a number); 3 and 4 closed when not passed
  for (i = 0; i < nfds; i ++)
  {
    if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
    {
      for (j = 0; j < i; j ++)
        close(high[j]);
      goto fail;
    }
    close(fds[i]);
    fds[i] = -1;
  }
  nfds --;				// The last is the working directory

  if (fchdir(high[nfds]))
  {
    for (i = 0; i <= nfds; i ++)
      close(high[i]);
    goto fail;
  }
  close(high[nfds]);

  close(3);
  close(4);
  for (i = 0, j = 0; i < 5; i ++)
  {
    if (hdr.fd_mask & (1U << i))
    {
      dup2(high[j], i);			// No close-on-exec: the real backend gets them
      close(high[j ++]);
    }
  }

  umask((mode_t)(hdr.umask & 0777));

  // The job's environment replaces the one we were started with
  clearenv();
  for (n = 0; n < hdr.envc; n ++)
    putenv(args[hdr.argc + 1 + n]);

  // Accepted: from here on the job is ours, whatever happens
  while ((bytes = send(fd, "A", 1, MSG_NOSIGNAL)) < 0 && errno == EINTR);
  if (bytes != 1)
    _exit(0);				// The launcher is gone and runs nothing: neither do we

  *argc     = (int)hdr.argc;
  *argv     = args;
  warm_args = args;

  return (true);

  fail:

  for (i = 0; i < nfds; i ++)
    if (fds[i] >= 0)
      close(fds[i]);
  free(args);
  free(buf);

  return (false);
}
