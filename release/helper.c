//
// upa-release helper: the privileged half of the release station.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The kiosk UI (kiosk.c) runs as an unprivileged user and talks to this
// helper over a unix socket (proto.c: one JSON object per line).  The
// helper trusts nothing the UI says about who is signed in: "auth" runs the
// PAM stack itself, with the badge the UI read and the PIN the UI asks the
// user for when PAM wants one, and the session it opens belongs to that
// connection only.  A session may only:
//
//   list     the signed-in user's jobs (Get-Jobs with their mailto: URI)
//   release  one of the jobs listed to it, to a registered queue
//   job-state / cancel   the CUPS jobs it released
//   logout
//
// "status" (the queues' states) needs no session.  Sessions end after
// IdleExpiry seconds without a request.  Sign-in attempts are rate-limited
// per connection (a growing delay after failures, then the connection is
// closed) and per station (a token bucket per peer uid shared by all the
// connection processes).
//
// relHelperDaemon() accepts connections on a listening socket (its own or
// systemd's), checks SO_PEERCRED against the allowed users and groups and
// forks one process per connection, which calls relHelperServe().  A root
// kiosk without --helper runs relHelperServe() in a child over a
// socketpair (relHelperSpawn()).
//

#include "release.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>


//
// Local types...
//

typedef struct hlimit_slot_s		// Sign-in budget of one station
{
  uid_t		uid;			// Peer uid (the station's kiosk user)
  bool		used;			// Slot in use?
  double	tokens;			// Attempts left
  double	last;			// Last refill (monotonic seconds)
} hlimit_slot_t;

typedef struct hlimits_s		// Shared by all connection processes
{
  pthread_mutex_t lock;			// Process-shared lock
  hlimit_slot_t	slots[64];		// Stations
} hlimits_t;

typedef struct hreleased_s		// A CUPS job this session released
{
  char		queue[128];		// Queue
  int		cups_job_id;		// CUPS job-id
} hreleased_t;

typedef struct hconn_s			// One connection
{
  const rel_helper_opts_t *opts;	// Options
  int		fd;			// Socket
  uid_t		peer_uid;		// Peer uid
  char		station[64];		// Station name the UI gave (logs)
  char		pam_station[64];	// PAM_RHOST: the peer's user name (trusted)
  http_t	*cups;			// Local cupsd
  upa_journal_t	*journal;		// Release journal
  upa_client_t	*client;		// Cloud session
  upa_device_t	*dev;			// Its device (the client points into it)
  char		client_queue[128];	// Its queue
  int		failures;		// Sign-in failures in a row
  char		upn[256];		// Signed-in user ("" = none)
  char		user_uri[512];		// mailto:UPN
  time_t	last_request;		// Last request of the session
  int		num_listed;		// Jobs listed to the session
  int		listed[REL_MAX_IDS];	// Their cloud job-ids
  int		num_released;		// CUPS jobs released in the session
  hreleased_t	released[REL_MAX_IDS];	// Them
  int		cur_job;		// Cloud job being released (progress)
  upa_release_t	*cur_result;		// Its result (cancel flag)
  bool		hangup;			// The UI broke the protocol mid-release
  struct timespec last_progress;	// Progress message throttle
} hconn_t;


//
// Local globals...
//

static hlimits_t	*helper_limits = NULL;
					// Per-station budgets (shared mapping)
static volatile sig_atomic_t helper_stop = 0;
					// Daemon asked to stop


//
// Local functions...
//

static bool	check_queue_name(const char *queue);
static void	end_session(hconn_t *h);
static bool	get_client(hconn_t *h, const char *queue);
static json_object *error_reply(const char *error, const char *message);
static void	handle_auth(hconn_t *h, json_object *req);
static void	handle_cancel(hconn_t *h, json_object *req);
static void	handle_job_state(hconn_t *h, json_object *req);
static void	handle_list(hconn_t *h, json_object *req);
static void	handle_release(hconn_t *h, json_object *req);
static void	handle_status(hconn_t *h, json_object *req);
static bool	is_listed(hconn_t *h, int job_id);
static hreleased_t *find_released(hconn_t *h, const char *queue, int cups_job_id);
static bool	limit_take(uid_t uid, const rel_helper_opts_t *opts);
static bool	peer_allowed(int fd, const rel_helper_opts_t *opts, uid_t *uid);
static bool	pin_cb(void *data, const char *prompt, char *pin, size_t pinsize);
static void	progress_cb(void *data, const upa_release_t *progress);
static void	sig_stop(int sig);


//
// 'relHelperDaemon()' - Accept connections and serve each in a child.
//

int					// O - Exit status
relHelperDaemon(int                     lfd,
					// I - Listening socket
                const rel_helper_opts_t *opts)
					// I - Options
{
  int			cfd;		// Connection
  uid_t			uid;		// Peer uid
  pid_t			pid;		// Child
  struct sigaction	sa;		// Signal action
  pthread_mutexattr_t	mattr;		// Shared mutex
  struct pollfd		pfd;		// Poll
  int			children = 0;	// Connection processes running


  // Per-station budgets live in a shared anonymous mapping
  if ((helper_limits = mmap(NULL, sizeof(hlimits_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
  {
    upaLog(UPA_LOG_ERROR, "Cannot map the rate-limit table: %s", strerror(errno));
    return (1);
  }
  memset(helper_limits, 0, sizeof(hlimits_t));
  pthread_mutexattr_init(&mattr);
  pthread_mutexattr_setpshared(&mattr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&mattr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&helper_limits->lock, &mattr);
  pthread_mutexattr_destroy(&mattr);

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = sig_stop;
  sa.sa_flags   = 0;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  upaLog(UPA_LOG_INFO, "Release helper ready");

  while (!helper_stop)
  {
    // Reap the connection processes that ended
    while (children > 0 && waitpid(-1, NULL, WNOHANG) > 0)
      children --;

    pfd.fd     = lfd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, children > 0 ? 250 : 1000) <= 0)
      continue;

    if ((cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
    {
      if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
        upaLog(UPA_LOG_ERROR, "accept: %s", strerror(errno));
      continue;
    }

    if (!peer_allowed(cfd, opts, &uid))
    {
      json_object *reply = error_reply("denied", "This user may not use the release helper");
					// Refusal

      relMsgSend(cfd, reply);
      close(cfd);
      continue;
    }

    if (children >= REL_HELPER_MAX_CONN)
    {
      upaLog(UPA_LOG_WARN, "Release helper: %d connections already, refusing one from uid %u", children, (unsigned)uid);
      relMsgSend(cfd, error_reply("busy", "The release service is busy: try again"));
      close(cfd);
      continue;
    }

    if ((pid = fork()) < 0)
    {
      upaLog(UPA_LOG_ERROR, "fork: %s", strerror(errno));
      close(cfd);
      continue;
    }
    else if (pid == 0)
    {
      close(lfd);
      signal(SIGTERM, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      signal(SIGCHLD, SIG_DFL);
      _exit(relHelperServe(cfd, uid, opts));
    }

    children ++;
    close(cfd);
  }

  upaLog(UPA_LOG_INFO, "Release helper stopped");

  return (0);
}


//
// 'relHelperListen()' - Create the helper's listening socket (or take systemd's).
//

int					// O - Listening socket or -1
relHelperListen(const char *path)	// I - Socket path
{
  const char		*env;		// LISTEN_PID / LISTEN_FDS
  int			fd;		// Socket
  struct sockaddr_un	addr;		// Address
  mode_t		old;		// Old umask


  // Socket activation: LISTEN_FDS=1 for us means fd 3
  if ((env = getenv("LISTEN_PID")) != NULL && strtol(env, NULL, 10) == (long)getpid() && (env = getenv("LISTEN_FDS")) != NULL && !strcmp(env, "1"))
  {
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    return (3);
  }

  if (strlen(path) >= sizeof(addr.sun_path))
  {
    upaSetError(UPA_ERROR_ARGS, "Socket path %s is too long", path);
    return (-1);
  }

  if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "socket: %s", strerror(errno));
    return (-1);
  }

  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
  unlink(path);

  // Anyone may connect; SO_PEERCRED decides who is served
  old = umask(0111);
  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0)
  {
    umask(old);
    upaSetError(UPA_ERROR_IO, "%s: %s", path, strerror(errno));
    close(fd);
    return (-1);
  }
  umask(old);

  return (fd);
}


//
// 'relHelperServe()' - Serve one connection until it closes.
//

int					// O - Exit status
relHelperServe(int                     fd,
					// I - Connection
               uid_t                   peer_uid,
					// I - Peer uid (checked)
               const rel_helper_opts_t *opts)
					// I - Options
{
  hconn_t	h;			// Connection state
  json_object	*req;			// Request
  const char	*op;			// Operation
  int		r;			// Receive result
  struct passwd	*pw;			// Peer's account


  memset(&h, 0, sizeof(h));
  h.opts     = opts;
  h.fd       = fd;
  h.peer_uid = peer_uid;
  snprintf(h.station, sizeof(h.station), "uid %u", (unsigned)peer_uid);

  // PAM modules may count failures per PAM_RHOST: it must be something the
  // station cannot change at will, so it is the kiosk's account (a root
  // kiosk's own child helper takes the station name it was given)
  if (peer_uid != 0 && (pw = getpwuid(peer_uid)) != NULL)
    snprintf(h.pam_station, sizeof(h.pam_station), "%s", pw->pw_name);
  else
    snprintf(h.pam_station, sizeof(h.pam_station), "uid %u", (unsigned)peer_uid);

  if ((h.cups = upaCupsConnect(opts->cfg)) == NULL)
    upaLog(UPA_LOG_ERROR, "Cannot connect to CUPS: %s", upaLastErrorString());
  if ((h.journal = upaJournalOpen(opts->cfg)) == NULL)
    upaLog(UPA_LOG_ERROR, "Cannot open the release journal: %s", upaLastErrorString());

  for (;;)
  {
    // A session waits IdleExpiry seconds for its next request
    r = relMsgRecv(fd, h.upn[0] ? opts->idle_expiry * 1000 : -1, &req);

    if (r == -2 && h.upn[0])
    {
      upaLog(UPA_LOG_INFO, "%s: session expired (idle) at %s", h.upn, h.station);
      end_session(&h);
      continue;
    }
    else if (r <= 0)
      break;

    if (h.upn[0] && time(NULL) - h.last_request > opts->idle_expiry)
    {
      upaLog(UPA_LOG_INFO, "%s: session expired (idle) at %s", h.upn, h.station);
      end_session(&h);
    }

    if ((op = relMsgGetString(req, "op")) == NULL)
    {
      relMsgSend(fd, error_reply("protocol", "Missing \"op\""));
      json_object_put(req);
      break;
    }

    if (h.upn[0])
      h.last_request = time(NULL);

    if (!strcmp(op, "hello"))
    {
      static const char * const keys[] = { "op", "station", NULL };
      const char *station = relMsgGetString(req, "station");
					// Station name

      if (!relMsgOnly(req, keys))
        relMsgSend(fd, error_reply("protocol", "Unknown member"));
      else
      {
        if (station && *station)
        {
          char clean[64];		// Sanitized name

          upaTextStripControl(clean, sizeof(clean), station);
          snprintf(h.station, sizeof(h.station), "%s", clean);
          if (peer_uid == 0)
            snprintf(h.pam_station, sizeof(h.pam_station), "%s", clean);
        }
        relMsgSend(fd, error_reply(NULL, NULL));
      }
    }
    else if (!strcmp(op, "status"))
      handle_status(&h, req);
    else if (!strcmp(op, "auth"))
      handle_auth(&h, req);
    else if (!strcmp(op, "list"))
      handle_list(&h, req);
    else if (!strcmp(op, "release"))
      handle_release(&h, req);
    else if (!strcmp(op, "job-state"))
      handle_job_state(&h, req);
    else if (!strcmp(op, "cancel"))
      handle_cancel(&h, req);
    else if (!strcmp(op, "logout"))
    {
      end_session(&h);
      relMsgSend(fd, error_reply(NULL, NULL));
    }
    else
    {
      upaLog(UPA_LOG_WARN, "Release helper: unknown request \"%.32s\" from %s", op, h.station);
      relMsgSend(fd, error_reply("protocol", "Unknown request"));
    }

    json_object_put(req);

    if (h.hangup)
      break;
  }

  end_session(&h);
  upaJournalClose(h.journal);
  httpClose(h.cups);
  close(fd);

  return (0);
}


//
// 'relHelperSpawn()' - Run a helper in a child process over a socketpair.
//
// For a kiosk started as root without --helper: the child keeps root and
// the caller talks to it exactly as to the daemon.
//

int					// O - UI end of the socket or -1
relHelperSpawn(const rel_helper_opts_t *opts)
					// I - Options
{
  int	sv[2];				// Socket pair
  pid_t	pid;				// Child


  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
  {
    upaSetError(UPA_ERROR_IO, "socketpair: %s", strerror(errno));
    return (-1);
  }

  if ((pid = fork()) < 0)
  {
    upaSetError(UPA_ERROR_IO, "fork: %s", strerror(errno));
    close(sv[0]);
    close(sv[1]);
    return (-1);
  }
  else if (pid == 0)
  {
    int	nullfd;				// /dev/null

    close(sv[0]);
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    // Never read or write the kiosk's terminal
    if ((nullfd = open("/dev/null", O_RDWR)) >= 0)
    {
      dup2(nullfd, 0);
      dup2(nullfd, 1);
      if (nullfd > 2)
        close(nullfd);
    }
    _exit(relHelperServe(sv[1], getuid(), opts));
  }

  close(sv[1]);

  return (sv[0]);
}


//
// 'check_queue_name()' - Is a queue name sane (as --printer checks)?
//

static bool				// O - true if valid
check_queue_name(const char *queue)	// I - Queue name
{
  size_t len;				// Length


  return (queue && (len = strlen(queue)) > 0 && len < 128 && strcspn(queue, " \t/#\\\"'") == len);
}


//
// 'end_session()' - Forget the signed-in user.
//

static void
end_session(hconn_t *h)			// I - Connection
{
  if (h->upn[0])
    upaLog(UPA_LOG_INFO, "%s signed out at %s", h->upn, h->station);

  explicit_bzero(h->upn, sizeof(h->upn));
  explicit_bzero(h->user_uri, sizeof(h->user_uri));
  h->num_listed   = 0;
  h->num_released = 0;
  upaClientDelete(h->client);
  upaDeviceDelete(h->dev);
  h->client          = NULL;
  h->dev             = NULL;
  h->client_queue[0] = '\0';
}


//
// 'error_reply()' - {"ok":true} (error == NULL) or {"ok":false,"error":...,"message":...}.
//

static json_object *			// O - Reply
error_reply(const char *error,		// I - Error class or NULL
            const char *message)	// I - Message for the user or NULL
{
  json_object	*reply = relMsgNew(NULL);
					// Reply


  json_object_object_add(reply, "ok", json_object_new_boolean(error == NULL));
  if (error)
    json_object_object_add(reply, "error", json_object_new_string(error));
  if (message)
    json_object_object_add(reply, "message", json_object_new_string(message));

  return (reply);
}


//
// 'find_released()' - Find a CUPS job released in this session.
//

static hreleased_t *			// O - Job or NULL
find_released(hconn_t    *h,		// I - Connection
              const char *queue,	// I - Queue
              int        cups_job_id)	// I - CUPS job-id
{
  int	i;				// Looping var


  for (i = 0; i < h->num_released; i ++)
    if (h->released[i].cups_job_id == cups_job_id && !strcmp(h->released[i].queue, queue))
      return (h->released + i);

  return (NULL);
}


//
// 'get_client()' - The cloud session of a registered queue.
//

static bool				// O - true if ready
get_client(hconn_t    *h,		// I - Connection
           const char *queue)		// I - Queue
{
  upa_device_t	*dev;			// Device


  if (h->client && !strcmp(h->client_queue, queue))
    return (true);

  upaClientDelete(h->client);
  upaDeviceDelete(h->dev);
  h->client          = NULL;
  h->dev             = NULL;
  h->client_queue[0] = '\0';

  if ((dev = upaDeviceFindQueue(h->opts->cfg, queue)) == NULL)
    return (false);

  if ((h->client = upaClientCreate(h->opts->cfg, dev)) == NULL)
  {
    upaDeviceDelete(dev);
    return (false);
  }

  h->dev = dev;

  snprintf(h->client_queue, sizeof(h->client_queue), "%s", queue);

  return (true);
}


//
// 'handle_auth()' - Sign a user in through PAM.
//

static void
handle_auth(hconn_t     *h,		// I - Connection
            json_object *req)		// I - Request
{
  static const char * const keys[] = { "op", "badge", NULL };
  const char	*badge = relMsgGetString(req, "badge");
					// Badge text
  rel_auth_t	auth;			// Outcome
  char		upn[256],		// Authenticated user
		message[512];		// Message for the user
  json_object	*reply;			// Reply


  // A new sign-in ends any session of this connection first
  end_session(h);

  if (!relMsgOnly(req, keys) || !badge || !*badge || strlen(badge) > REL_BADGE_MAX || strpbrk(badge, "\r\n"))
  {
    upaLog(UPA_LOG_WARN, "Release helper: malformed sign-in request from %s", h->station);
    relMsgSend(h->fd, error_reply("protocol", "Malformed sign-in request"));
    return;
  }

  if (!limit_take(h->peer_uid, h->opts))
  {
    upaLog(UPA_LOG_WARN, "Release helper: too many sign-in attempts at %s", h->station);
    relMsgSend(h->fd, error_reply("throttled", "Too many attempts at this station: try again in a minute"));
    return;
  }

  auth = relAuthenticate(h->opts->pam_service, h->pam_station, badge, pin_cb, h, upn, sizeof(upn), message, sizeof(message));
  explicit_bzero((char *)badge, strlen(badge));

  if (auth == REL_AUTH_OK)
  {
    h->failures     = 0;
    h->last_request = time(NULL);
    snprintf(h->upn, sizeof(h->upn), "%s", upn);
    relUserURI(h->upn, h->user_uri, sizeof(h->user_uri));
    upaLog(UPA_LOG_INFO, "%s signed in at %s", h->upn, h->station);

    reply = error_reply(NULL, NULL);
    json_object_object_add(reply, "user", json_object_new_string(h->upn));
    relMsgSend(h->fd, reply);
  }
  else
  {
    char clean[512];			// Message without controls

    // Failures in a row slow this connection down, as pam_faildelay does
    h->failures ++;
    if (h->failures > h->opts->fail_free)
      sleep((unsigned)(h->failures - h->opts->fail_free > 5 ? 5 : h->failures - h->opts->fail_free));

    upaTextStripControl(clean, sizeof(clean), message);
    relMsgSend(h->fd, error_reply(auth == REL_AUTH_ERROR ? "error" : "denied", clean[0] ? clean : "Badge not recognised"));
  }

  explicit_bzero(upn, sizeof(upn));
}


//
// 'handle_cancel()' - Cancel a CUPS job this session released.
//

static void
handle_cancel(hconn_t     *h,		// I - Connection
              json_object *req)		// I - Request
{
  static const char * const keys[] = { "op", "queue", "cups_job", NULL };
  const char	*queue = relMsgGetString(req, "queue");
					// Queue
  long long	id = 0;			// CUPS job-id


  if (!h->upn[0])
    relMsgSend(h->fd, error_reply("session", "Not signed in"));
  else if (!relMsgOnly(req, keys) || !check_queue_name(queue) || !relMsgGetInt(req, "cups_job", &id) || id <= 0 || id > INT32_MAX)
    relMsgSend(h->fd, error_reply("protocol", "Malformed request"));
  else if (!find_released(h, queue, (int)id))
  {
    upaLog(UPA_LOG_WARN, "%s at %s: refused to cancel %s-%lld, not released in this session", h->upn, h->station, queue, id);
    relMsgSend(h->fd, error_reply("denied", "Not your job"));
  }
  else if (!upaCupsCancelJob(h->cups, queue, (int)id))
    relMsgSend(h->fd, error_reply("cups", upaLastErrorString()));
  else
  {
    upaLog(UPA_LOG_INFO, "%s canceled CUPS job %s-%lld at %s", h->upn, queue, id, h->station);
    relMsgSend(h->fd, error_reply(NULL, NULL));
  }
}


//
// 'handle_job_state()' - The state of a CUPS job this session released.
//

static void
handle_job_state(hconn_t     *h,	// I - Connection
                 json_object *req)	// I - Request
{
  static const char * const keys[] = { "op", "queue", "cups_job", NULL };
  const char	*queue = relMsgGetString(req, "queue");
					// Queue
  long long	id = 0;			// CUPS job-id
  ipp_jstate_t	state;			// Job state
  bool		ready;			// Queue ready?
  char		why[256],		// Why not
		clean[256];		// Sanitized
  json_object	*reply;			// Reply


  if (!h->upn[0])
    relMsgSend(h->fd, error_reply("session", "Not signed in"));
  else if (!relMsgOnly(req, keys) || !check_queue_name(queue) || !relMsgGetInt(req, "cups_job", &id) || id <= 0 || id > INT32_MAX)
    relMsgSend(h->fd, error_reply("protocol", "Malformed request"));
  else if (!find_released(h, queue, (int)id))
    relMsgSend(h->fd, error_reply("denied", "Not your job"));
  else
  {
    state = upaCupsJobState(h->cups, queue, (int)id);
    ready = upaCupsQueueReady(h->cups, queue, why, sizeof(why));
    upaTextStripControl(clean, sizeof(clean), why);

    reply = error_reply(NULL, NULL);
    json_object_object_add(reply, "state", json_object_new_int((int)state));
    json_object_object_add(reply, "ready", json_object_new_boolean(ready));
    json_object_object_add(reply, "why", json_object_new_string(clean));
    relMsgSend(h->fd, reply);
  }
}


//
// 'handle_list()' - The signed-in user's jobs.
//

static void
handle_list(hconn_t     *h,		// I - Connection
            json_object *req)		// I - Request
{
  static const char * const keys[] = { "op", "queue", "lifetime", NULL };
  const char	*queue = relMsgGetString(req, "queue");
					// Queue
  long long	lifetime = 0;		// Job lifetime
  rel_job_t	*jobs = NULL;		// Jobs
  int		i,			// Looping var
		num_jobs;		// Number of jobs
  json_object	*reply,			// Reply
		*array,			// Jobs
		*obj;			// One job
  char		clean[256];		// Sanitized string


  if (!h->upn[0])
  {
    upaLog(UPA_LOG_WARN, "Release helper: job list asked for without a sign-in at %s", h->station);
    relMsgSend(h->fd, error_reply("session", "Not signed in"));
    return;
  }

  if (!relMsgOnly(req, keys) || !check_queue_name(queue) || (json_object_object_get_ex(req, "lifetime", NULL) && (!relMsgGetInt(req, "lifetime", &lifetime) || lifetime < 0 || lifetime > 365 * 86400)))
  {
    relMsgSend(h->fd, error_reply("protocol", "Malformed request"));
    return;
  }

  if (!get_client(h, queue) || (num_jobs = relGetJobs(h->client, h->user_uri, (int)lifetime, &jobs)) < 0)
  {
    upaLog(UPA_LOG_ERROR, "Cannot list the jobs of %s: %s", h->upn, upaLastErrorString());
    relMsgSend(h->fd, error_reply(upaLastError() == UPA_ERROR_DEVICE || upaLastError() == UPA_ERROR_CONFIG ? "device" : "network", "Universal Print is not reachable right now. Please try again later."));
    return;
  }

  if (num_jobs > REL_MAX_IDS)
    num_jobs = REL_MAX_IDS;

  array = json_object_new_array();
  for (i = 0, h->num_listed = 0; i < num_jobs; i ++)
  {
    h->listed[h->num_listed ++] = jobs[i].info.id;

    obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_int(jobs[i].info.id));
    upaTextStripControl(clean, sizeof(clean), jobs[i].info.name);
    json_object_object_add(obj, "name", json_object_new_string(clean));
    upaTextStripControl(clean, sizeof(clean), jobs[i].info.format);
    json_object_object_add(obj, "format", json_object_new_string(clean));
    upaTextStripControl(clean, sizeof(clean), jobs[i].sides);
    json_object_object_add(obj, "sides", json_object_new_string(clean));
    upaTextStripControl(clean, sizeof(clean), jobs[i].color);
    json_object_object_add(obj, "color", json_object_new_string(clean));
    json_object_object_add(obj, "copies", json_object_new_int(jobs[i].info.copies));
    json_object_object_add(obj, "pages", json_object_new_int(jobs[i].info.pages));
    json_object_object_add(obj, "size_k", json_object_new_int64(jobs[i].info.size_k));
    json_object_object_add(obj, "created", json_object_new_int64((int64_t)jobs[i].info.created));
    json_object_object_add(obj, "expires", json_object_new_int64((int64_t)jobs[i].expires));
    json_object_array_add(array, obj);
  }

  free(jobs);

  reply = error_reply(NULL, NULL);
  json_object_object_add(reply, "jobs", array);
  relMsgSend(h->fd, reply);
}


//
// 'handle_release()' - Release one of the listed jobs.
//

static void
handle_release(hconn_t     *h,		// I - Connection
               json_object *req)	// I - Request
{
  static const char * const keys[] = { "op", "queue", "job", NULL };
  const char	*queue = relMsgGetString(req, "queue");
					// Queue
  long long	id = 0;			// Cloud job-id
  bool		ok;			// Released?
  upa_release_t	result;			// Result
  char		token[4096],		// Renewed token
		note[512],		// Why not
		why[256];		// Queue state
  json_object	*reply;			// Reply
  upa_error_t	err;			// Error class
  const char	*error;			// Error name


  if (!h->upn[0])
  {
    upaLog(UPA_LOG_WARN, "Release helper: release asked for without a sign-in at %s", h->station);
    relMsgSend(h->fd, error_reply("session", "Not signed in"));
    return;
  }

  if (!relMsgOnly(req, keys) || !check_queue_name(queue) || !relMsgGetInt(req, "job", &id) || id <= 0 || id > INT32_MAX)
  {
    relMsgSend(h->fd, error_reply("protocol", "Malformed request"));
    return;
  }

  if (!is_listed(h, (int)id))
  {
    upaLog(UPA_LOG_WARN, "%s at %s: refused to release cloud job %lld, not one of the user's listed jobs", h->upn, h->station, id);
    relMsgSend(h->fd, error_reply("denied", "Not your job"));
    return;
  }

  if (h->num_released >= REL_MAX_IDS)
  {
    relMsgSend(h->fd, error_reply("denied", "Too many jobs in one session"));
    return;
  }

  // Never fetch into a queue that cannot print
  if (!upaCupsQueueReady(h->cups, queue, why, sizeof(why)))
  {
    char clean[256];			// Sanitized

    upaTextStripControl(clean, sizeof(clean), why);
    relMsgSend(h->fd, error_reply("queue", clean));
    return;
  }

  if (!get_client(h, queue))
  {
    upaLog(UPA_LOG_ERROR, "Queue %s: %s", queue, upaLastErrorString());
    relMsgSend(h->fd, error_reply("device", "This printer is not registered with Universal Print"));
    return;
  }

  h->cur_job    = (int)id;
  h->cur_result = &result;
  memset(&result, 0, sizeof(result));

  ok = upaReleaseJob(h->client, h->cups, h->journal, queue, h->user_uri, (int)id, progress_cb, h, &result);

  if (!ok && upaLastError() == UPA_ERROR_AUTH)
  {
    // The token expired while the user was choosing and a renewal was
    // refused once: renew explicitly and retry once
    upaLog(UPA_LOG_INFO, "Cloud job %lld: %s; renewing the device token and retrying", id, upaLastErrorString());
    upaReleaseClear(&result);
    memset(&result, 0, sizeof(result));
    if (upaClientGetToken(h->client, true, token, sizeof(token)))
      ok = upaReleaseJob(h->client, h->cups, h->journal, queue, h->user_uri, (int)id, progress_cb, h, &result);
    explicit_bzero(token, sizeof(token));
  }

  if (ok)
  {
    hreleased_t *rel = h->released + h->num_released ++;
					// Remember it for job-state/cancel

    snprintf(rel->queue, sizeof(rel->queue), "%s", queue);
    rel->cups_job_id = result.cups_job_id;

    if (result.ticket.ignored[0])
      upaLog(UPA_LOG_WARN, "Cloud job %lld: not carried over to CUPS: %s", id, result.ticket.ignored);
    upaLog(UPA_LOG_INFO, "%s released cloud job %lld as CUPS job %s-%d at %s", h->upn, id, queue, result.cups_job_id, h->station);

    reply = error_reply(NULL, NULL);
    json_object_object_add(reply, "cups_job", json_object_new_int(result.cups_job_id));
    json_object_object_add(reply, "bytes", json_object_new_int64(result.bytes));
    json_object_object_add(reply, "unsupported", json_object_new_string(result.ticket.unsupported));
    relMsgSend(h->fd, reply);
  }
  else
  {
    err = upaLastError();

    if (err == UPA_ERROR_NOT_FETCHABLE || err == UPA_ERROR_NOT_POSSIBLE || err == UPA_ERROR_NOT_FOUND)
    {
      error = "gone";
      snprintf(note, sizeof(note), "no longer available (released at another printer or canceled)");
    }
    else if (result.held_here || (err == UPA_ERROR_BUSY && strstr(upaLastErrorString(), "another station")))
    {
      error = "elsewhere";
      snprintf(note, sizeof(note), "being released at another station");
    }
    else if (err == UPA_ERROR_NETWORK || err == UPA_ERROR_BUSY || err == UPA_ERROR_SERVER)
    {
      error = "network";
      snprintf(note, sizeof(note), "Universal Print is not reachable; try again");
    }
    else if (err == UPA_ERROR_CUPS)
    {
      error = "cups";
      snprintf(note, sizeof(note), "the printer refused it");
    }
    else if (err == UPA_ERROR_CANCELED || result.cancel)
    {
      error = "canceled";
      snprintf(note, sizeof(note), "canceled by you");
    }
    else
    {
      error = "other";
      upaTextStripControl(note, sizeof(note), upaLastErrorString());
    }

    upaLog(UPA_LOG_WARN, "%s: cloud job %lld not released at %s: %s", h->upn, id, queue, upaLastErrorString());
    relMsgSend(h->fd, error_reply(error, note));
  }

  upaReleaseClear(&result);
  h->cur_job    = 0;
  h->cur_result = NULL;
}


//
// 'handle_status()' - The states of some queues (no session needed).
//

static void
handle_status(hconn_t     *h,		// I - Connection
              json_object *req)		// I - Request
{
  static const char * const keys[] = { "op", "queues", NULL };
  json_object	*queues,		// Requested queues
		*reply,			// Reply
		*array,			// States
		*obj;			// One state
  size_t	i,			// Looping var
		count;			// Number of queues
  const char	*queue;			// Queue name
  upa_device_t	*dev;			// Its device
  char		why[256],		// Why not ready
		clean[256];		// Sanitized
  bool		ready;			// Ready?


  if (!relMsgOnly(req, keys) || !json_object_object_get_ex(req, "queues", &queues) || !json_object_is_type(queues, json_type_array) || (count = json_object_array_length(queues)) == 0 || count > REL_MAX_QUEUES)
  {
    relMsgSend(h->fd, error_reply("protocol", "Malformed request"));
    return;
  }

  for (i = 0; i < count; i ++)
  {
    obj = json_object_array_get_idx(queues, i);
    if (!json_object_is_type(obj, json_type_string) || !check_queue_name(json_object_get_string(obj)))
    {
      relMsgSend(h->fd, error_reply("protocol", "Bad queue name"));
      return;
    }
  }

  array = json_object_new_array();
  for (i = 0; i < count; i ++)
  {
    queue = json_object_get_string(json_object_array_get_idx(queues, i));
    obj   = json_object_new_object();

    if ((dev = upaDeviceFindQueue(h->opts->cfg, queue)) == NULL)
    {
      ready = false;
      snprintf(why, sizeof(why), "not registered with Universal Print");
    }
    else if ((ready = upaCupsQueueReady(h->cups, queue, why, sizeof(why))) == true)
      snprintf(why, sizeof(why), "ready");

    upaDeviceDelete(dev);
    upaTextStripControl(clean, sizeof(clean), why);

    json_object_object_add(obj, "name", json_object_new_string(queue));
    json_object_object_add(obj, "registered", json_object_new_boolean(dev != NULL));
    json_object_object_add(obj, "ready", json_object_new_boolean(ready));
    json_object_object_add(obj, "state", json_object_new_string(clean));
    json_object_array_add(array, obj);
  }

  reply = error_reply(NULL, NULL);
  json_object_object_add(reply, "queues", array);
  relMsgSend(h->fd, reply);
}


//
// 'is_listed()' - Was a cloud job listed to this session?
//

static bool				// O - true if listed
is_listed(hconn_t *h,			// I - Connection
          int     job_id)		// I - Cloud job-id
{
  int	i;				// Looping var


  for (i = 0; i < h->num_listed; i ++)
    if (h->listed[i] == job_id)
      return (true);

  return (false);
}


//
// 'limit_take()' - Take one sign-in attempt from a station's budget.
//

static bool				// O - true if allowed
limit_take(uid_t                   uid,	// I - Peer uid
           const rel_helper_opts_t *opts)
					// I - Options
{
  struct timespec	ts;		// Monotonic time
  double		now;		// Seconds
  int			i,		// Looping var
			slot = -1,	// Station's slot
			oldest = 0;	// Least recently used slot
  bool			ok;		// Result
  hlimit_slot_t		*s;		// Slot


  if (!helper_limits || opts->station_rate <= 0)
    return (true);

  clock_gettime(CLOCK_MONOTONIC, &ts);
  now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;

  if (pthread_mutex_lock(&helper_limits->lock) == EOWNERDEAD)
    pthread_mutex_consistent(&helper_limits->lock);

  for (i = 0; i < (int)(sizeof(helper_limits->slots) / sizeof(helper_limits->slots[0])); i ++)
  {
    if (helper_limits->slots[i].used && helper_limits->slots[i].uid == uid)
      slot = i;
    else if (!helper_limits->slots[i].used || helper_limits->slots[i].last < helper_limits->slots[oldest].last)
      oldest = i;
  }

  if (slot < 0)
  {
    slot      = oldest;
    s         = helper_limits->slots + slot;
    s->used   = true;
    s->uid    = uid;
    s->tokens = opts->station_rate;
    s->last   = now;
  }

  s = helper_limits->slots + slot;

  // Refill station_rate attempts a minute, up to station_rate
  s->tokens += (now - s->last) * opts->station_rate / 60.0;
  if (s->tokens > opts->station_rate)
    s->tokens = opts->station_rate;
  s->last = now;

  if ((ok = s->tokens >= 1.0) == true)
    s->tokens -= 1.0;

  pthread_mutex_unlock(&helper_limits->lock);

  return (ok);
}


//
// 'peer_allowed()' - Check a connection's peer credentials.
//

static bool				// O - true if allowed
peer_allowed(int                     fd,// I - Connection
             const rel_helper_opts_t *opts,
					// I - Options
             uid_t                   *uid)
					// O - Peer uid
{
  struct ucred	cred;			// Peer credentials
  socklen_t	len = sizeof(cred);	// Size
  struct passwd	*pw;			// Peer's account
  gid_t		groups[256];		// Its groups
  int		i,			// Looping var
		j,			// Looping var
		num_groups = (int)(sizeof(groups) / sizeof(groups[0]));
					// Number of groups


  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
  {
    upaLog(UPA_LOG_ERROR, "SO_PEERCRED: %s", strerror(errno));
    return (false);
  }

  *uid = cred.uid;

  if (cred.uid == 0)
    return (true);

  for (i = 0; i < opts->num_uids; i ++)
    if (opts->uids[i] == cred.uid)
      return (true);

  for (i = 0; i < opts->num_gids; i ++)
    if (opts->gids[i] == cred.gid)
      return (true);

  if (opts->num_gids > 0 && (pw = getpwuid(cred.uid)) != NULL && getgrouplist(pw->pw_name, pw->pw_gid, groups, &num_groups) >= 0)
  {
    for (i = 0; i < num_groups; i ++)
      for (j = 0; j < opts->num_gids; j ++)
        if (groups[i] == opts->gids[j])
          return (true);
  }

  upaLog(UPA_LOG_WARN, "Release helper: refused a connection from uid %u (pid %d): not an allowed kiosk user", (unsigned)cred.uid, (int)cred.pid);

  return (false);
}


//
// 'pin_cb()' - Ask the UI for the answer to a PAM prompt (a PIN).
//

static bool				// O - true if answered
pin_cb(void       *data,		// I - Connection
       const char *prompt,		// I - PAM prompt
       char       *pin,			// O - Answer
       size_t     pinsize)		// I - Size of pin
{
  static const char * const keys[] = { "op", "text", NULL };
  hconn_t	*h = (hconn_t *)data;	// Connection
  json_object	*msg,			// Prompt, then answer
		*answer = NULL;		// Answer
  const char	*op,			// Answer's op
		*text;			// Answer's text
  char		clean[256];		// Prompt without controls
  bool		ok = false;		// Result


  upaTextStripControl(clean, sizeof(clean), prompt ? prompt : "");

  msg = relMsgNew(NULL);
  json_object_object_add(msg, "prompt", json_object_new_string(clean[0] ? clean : "PIN:"));
  if (!relMsgSend(h->fd, msg))
    return (false);

  // The user has a minute to type the PIN
  if (relMsgRecv(h->fd, 60000, &answer) == 1 && (op = relMsgGetString(answer, "op")) != NULL && !strcmp(op, "answer") && relMsgOnly(answer, keys) && (text = relMsgGetString(answer, "text")) != NULL && *text && strlen(text) < pinsize && strlen(text) <= 64 && !strpbrk(text, "\r\n"))
  {
    snprintf(pin, pinsize, "%s", text);
    ok = true;
  }

  if (answer)
  {
    if ((text = relMsgGetString(answer, "text")) != NULL)
      explicit_bzero((char *)text, strlen(text));
    json_object_put(answer);
  }

  return (ok);
}


//
// 'progress_cb()' - Pass release progress to the UI.
//

static void
progress_cb(void                *data,	// I - Connection
            const upa_release_t *progress)
					// I - Progress
{
  hconn_t	*h = (hconn_t *)data;	// Connection
  json_object	*msg,			// Progress message
		*req;			// Request from the UI
  const char	*op;			// Its op
  struct pollfd	pfd;			// Poll
  struct timespec now;			// Current time
  static const char * const keys[] = { "op", NULL };


  if (progress->cloud_job_id != h->cur_job || !h->cur_result)
    return;

  // The only request allowed during a release is {"op":"cancel"}; anything
  // else, or the UI going away, cancels it as well and ends the connection
  pfd.fd     = h->fd;
  pfd.events = POLLIN;
  if (!h->cur_result->cancel && poll(&pfd, 1, 0) > 0)
  {
    if (relMsgRecv(h->fd, 1000, &req) == 1 && (op = relMsgGetString(req, "op")) != NULL && !strcmp(op, "cancel") && relMsgOnly(req, keys))
      upaLog(UPA_LOG_INFO, "%s canceled the release of cloud job %d at %s", h->upn, h->cur_job, h->station);
    else
    {
      upaLog(UPA_LOG_WARN, "%s: the station went away or broke the protocol while cloud job %d was released; canceling it", h->station, h->cur_job);
      h->hangup = true;
    }
    json_object_put(req);
    h->cur_result->cancel = true;
  }

  // At most 10 progress messages a second while bytes flow
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (progress->stage == UPA_RSTAGE_FETCHING && (now.tv_sec - h->last_progress.tv_sec) * 1000 + (now.tv_nsec - h->last_progress.tv_nsec) / 1000000 < 100)
    return;
  h->last_progress = now;

  msg = relMsgNew(NULL);
  json_object_object_add(msg, "progress", json_object_new_string(progress->stage == UPA_RSTAGE_RELEASED ? "released" : "fetching"));
  json_object_object_add(msg, "bytes", json_object_new_int64(progress->bytes));
  json_object_object_add(msg, "cups_job", json_object_new_int(progress->cups_job_id));
  relMsgSend(h->fd, msg);
}


//
// 'sig_stop()' - Stop the daemon.
//

static void
sig_stop(int sig)			// I - Signal
{
  (void)sig;

  helper_stop = 1;
}
