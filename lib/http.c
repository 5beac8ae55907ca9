//
// Cloud HTTPS transport for libupa (libcurl).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One upa_http_t owns one libcurl easy handle and a multi handle of its
// own (made at the first upaHTTPDo()) that holds the connection cache;
// curl_easy_reset() between requests keeps the TLS session cache, and the
// multi handle the connection and DNS caches, so consecutive requests to
// the same host reuse one connection.
//
// A loop (upaHTTPLoop*(), upaHTTPStart()/upaHTTPFinish()) runs the
// requests of many sessions on one thread: one shared multi handle driven
// through libcurl's socket interface on epoll, so a wake-up costs what the
// ready sockets need; the set-up of a request and the reading of its
// outcome are those of upaHTTPDo() (http_begin(), http_end()).
//
// http_perform() is curl_easy_perform() with a longer sleep: libcurl's own
// loop wakes every second whatever the transfer, which for a connector
// holding a long poll per device was most of its idle CPU (1000 threads,
// 2 wake-ups a second each).  A collected answer has libcurl's own
// deadline (CURLOPT_TIMEOUT) and needs no ticks; a streamed one keeps the
// one-second ticks its stall and rate rules need (http_xferinfo_cb()).
//
// upaHTTPDo() returns true when an HTTP response arrived (whatever its
// status; callers check resp->status) and false with the last error set
// when there was none (transport failure) or a data callback aborted.  A
// data_cb only ever sees the body of a 2xx response: error bodies are
// collected in resp->body (capped) so callers can report the service's
// message.
//
// Every TLS connection of a process verifies against one shared CA store
// (http_ca_get()): libcurl would otherwise parse the CA bundle into each
// connection's own SSL_CTX, about 0.8 MiB per connection with a system
// bundle, which a connector holding a connection per device cannot afford.
// Likewise its sessions share one TLS session cache per CA file
// (http_share_get()): a new connection resumes the server's session instead
// of a full handshake, and holds a reference to that session's parsed
// server certificate and key instead of a copy of its own.
//

#include "upa-private.h"
#include <ctype.h>
#include <pthread.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#ifndef VERSION
#  define VERSION "0"
#endif // !VERSION

#define UPA_HTTP_ERRBODY_MAX	65536	// Most error-body bytes kept
#define UPA_HTTP_CA_CHECK	60	// Seconds between looks at the CA file
#define UPA_HTTP_TICK		1000	// Milliseconds between deadline checks of a streamed body
#define UPA_HTTP_SLEEP		60000	// Longest sleep of a collected transfer (ms; libcurl's timers cut it)
#define UPA_HTTP_UPLOAD_BUFFER	16384	// libcurl's upload buffer (its least; its default is 64 KiB)
#define UPA_HTTP_LOOP_BUFFER	1024	// libcurl's receive buffer for requests on a loop (its least)
#define UPA_HTTP_LOOP_SHARDS	64	// Multi handles of a loop (see upaHTTPLoopCreate())
#define UPA_HTTP_SHARES		4	// Most TLS session caches (CA files) of a process
#define UPA_HTTP_LOOP_WAKE	0xffffffffU
					// epoll tag of the wake-up descriptor


//
// Local types...
//

typedef enum http_why_e			// Why we stopped a transfer
{
  HTTP_WHY_NONE,			// We did not
  HTTP_WHY_DEADLINE,			// Answer (or its header part) not there within Timeout
  HTTP_WHY_STALL,			// Streamed body: nothing for the rate window
  HTTP_WHY_SLOW				// Streamed body: below the minimum rate
} http_why_t;

typedef struct http_xfer_s		// State of one transfer
{
  CURL		*curl;			// Easy handle
  const upa_http_request_t *req;	// Request
  upa_http_response_t *resp;		// Response
  bool		aborted;		// data_cb returned false
  long		timeout;		// Timeout in seconds
  long long	start;			// Start (monotonic ms)
  int		status;			// Status of the last status line
  bool		headers_done;		// Final response headers complete?
  bool		body_started;		// Body rules instead of the deadline?
  bool		no_date;		// Leave resp->date 0 (a loop request: nobody reads it)
  long long	window_start;		// Start of the rate window (ms)
  long long	window_bytes;		// Bytes received when it started
  long long	last_bytes;		// Bytes received at the last progress
  long long	last_time;		// When they last grew (ms)
  http_why_t	why;			// Why we stopped it
} http_xfer_t;

typedef struct http_shard_s		// One multi handle of a loop
{
  upa_http_loop_t *loop;		// Its loop
  unsigned	index;			// Its index there (the epoll tag of its sockets)
  CURLM		*multi;			// Multi handle (and connection cache) of its sessions
  long long	timer;			// When libcurl's timer is due (monotonic ms), -1 = none
} http_shard_t;

struct upa_http_loop_s			// Transfers of many sessions on one thread
{
  http_shard_t	shards[UPA_HTTP_LOOP_SHARDS];
					// Multi handles, sessions spread over them
  unsigned	next_shard;		// Shard of the next new session
  unsigned	next_done;		// Shard upaHTTPLoopNext() looks at first
  upa_http_t	*sent;			// Sessions whose request went out (http_loop_socket_cb())
  int		epfd;			// epoll descriptor: the sockets libcurl watches
  int		wakefd;			// eventfd of upaHTTPLoopWakeup()
};

struct upa_http_s			// One HTTPS session
{
  const upa_config_t *cfg;		// Configuration (borrowed)
  CURL		*curl;			// Easy handle (keeps the TLS session cache)
  CURLM		*multi;			// Its multi handle (keeps the connection cache)
  char		errbuf[CURL_ERROR_SIZE];// curl's error text
  http_xfer_t	*xfer;			// Transfer in progress or NULL
  http_xfer_t	run;			// State of the current transfer
  struct curl_slist *headers;		// Its request headers (hold the token)
  char		host[256];		// Its host, for messages
  X509_STORE	*ca_store;		// Our reference to the shared CA store or NULL
  upa_http_loop_t *loop;		// Loop running the transfer (upaHTTPStart()) or NULL
  unsigned	shard;			// Its shard there, plus one (0 = none chosen yet)
  void		*loop_data;		// Caller's data for that transfer
  CURLcode	result;			// Its result once the loop finished it
  bool		finished;		// Finished in the loop, upaHTTPFinish() not yet called?
  upa_http_t	*sent_next;		// Next in the loop's "sent" list
  bool		sent_listed;		// In that list?
};


//
// Local functions...
//

static X509_STORE	*http_ca_get(const char *ca_file);
static CURLSH	*http_share_get(const char *ca_file);
static void	http_share_lock(CURL *curl, curl_lock_data data, curl_lock_access access, void *ptr);
static void	http_share_unlock(CURL *curl, curl_lock_data data, void *ptr);
static CURLcode	http_ssl_ctx_cb(CURL *curl, void *ssl_ctx, void *data);
static bool	http_begin(upa_http_t *http, const upa_http_request_t *req, upa_http_response_t *resp);
static bool	http_end(upa_http_t *http, CURLcode cerr);
static bool	http_failed(upa_http_t *http, http_xfer_t *xfer, CURLcode cerr, const char *host);
static bool	http_init(void);
static void	http_loop_sent(upa_http_loop_t *loop);
static int	http_loop_socket_cb(CURL *curl, curl_socket_t s, int what, void *data, void *socketp);
static int	http_loop_timer_cb(CURLM *multi, long timeout_ms, void *data);
static CURLcode	http_perform(upa_http_t *http, bool ticks);
static CURLM	*http_shard_multi(http_shard_t *shard);
static size_t	http_header_cb(char *buffer, size_t size, size_t nitems, void *data);
static void	http_start_body(http_xfer_t *xfer);
static size_t	http_write_cb(char *ptr, size_t size, size_t nmemb, void *data);
static int	http_xferinfo_cb(void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);


//
// Local globals...
//

static pthread_mutex_t http_share_mutexes[CURL_LOCK_DATA_LAST] =
{					// http_share_lock(): one per kind of data
  // libcurl locks a share itself (attaching a handle) and its session
  // cache separately
  [0 ... CURL_LOCK_DATA_LAST - 1] = PTHREAD_MUTEX_INITIALIZER
};


//
// 'upaBufferAppend()' - Append bytes to a buffer, keeping it NUL-terminated.
//

bool					// O - `true` on success, `false` on out of memory
upaBufferAppend(upa_buffer_t *buf,	// I - Buffer
                const void   *data,	// I - Bytes
                size_t       len)	// I - Number of bytes
{
  if (!buf || (!data && len > 0))
  {
    upaSetError(UPA_ERROR_ARGS, "upaBufferAppend: bad arguments.");
    return (false);
  }

  if (buf->len + len + 1 > buf->size)
  {
    size_t	newsize;		// New allocation
    char	*newdata;		// New bytes

    newsize = buf->size ? buf->size : 1024;
    while (newsize < buf->len + len + 1)
    {
      if (newsize > SIZE_MAX / 2)
      {
        upaSetError(UPA_ERROR_MEMORY, "Buffer too large.");
        return (false);
      }
      newsize *= 2;
    }

    if ((newdata = realloc(buf->data, newsize)) == NULL)
    {
      upaSetError(UPA_ERROR_MEMORY, "Out of memory (%zu bytes).", newsize);
      return (false);
    }

    buf->data = newdata;
    buf->size = newsize;
  }

  if (len > 0)
    memcpy(buf->data + buf->len, data, len);
  buf->len += len;
  buf->data[buf->len] = '\0';

  return (true);
}


//
// 'upaBufferClear()' - Free a buffer's bytes and reset it.
//

void
upaBufferClear(upa_buffer_t *buf)	// I - Buffer
{
  if (!buf)
    return;

  free(buf->data);
  buf->data = NULL;
  buf->len  = 0;
  buf->size = 0;
}


//
// 'upaHTTPCreate()' - Create an HTTPS session.
//

upa_http_t *				// O - Session or `NULL` on error
upaHTTPCreate(const upa_config_t *cfg)	// I - Configuration (borrowed, must outlive the session)
{
  upa_http_t	*http;			// New session
  CURLSH	*share;			// TLS session cache of its CA file


  if (!cfg)
  {
    upaSetError(UPA_ERROR_ARGS, "upaHTTPCreate: no configuration.");
    return (NULL);
  }

  if (!http_init())
    return (NULL);

  if ((http = calloc(1, sizeof(upa_http_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  http->cfg = cfg;

  // The multi handle of upaHTTPDo() is made at its first use: a session
  // that only runs on a loop never needs one (each holds a wake-up socket
  // pair and ~30 KiB of hash tables)
  if ((http->curl = curl_easy_init()) == NULL)
  {
    free(http);
    upaSetError(UPA_ERROR_INTERNAL, "Cannot create a libcurl handle.");
    return (NULL);
  }

  // Before its first transfer (which would give it a cache of its own);
  // curl_easy_reset() keeps it.  No cache to share: the handle's own.
  if ((share = http_share_get(cfg->ca_file)) != NULL)
    curl_easy_setopt(http->curl, CURLOPT_SHARE, share);

  return (http);
}


//
// 'upaHTTPDelete()' - Close a session.
//

void
upaHTTPDelete(upa_http_t *http)		// I - Session
{
  if (!http)
    return;

  // The easy handle is in a multi handle only during a transfer
  upaHTTPCancel(http);
  curl_easy_cleanup(http->curl);
  if (http->multi)
    curl_multi_cleanup(http->multi);
  X509_STORE_free(http->ca_store);
  free(http);
}


//
// 'upaHTTPDo()' - Perform one request.
//

bool					// O - `true` when a response was received, `false` otherwise
upaHTTPDo(upa_http_t                *http,	// I - Session
          const upa_http_request_t  *req,	// I - Request
          upa_http_response_t       *resp)	// O - Response
{
  CURLcode	cerr;			// curl status


  if (!http || !req || !req->url || !req->method || !resp || http->loop || http->finished)
  {
    upaSetError(UPA_ERROR_ARGS, "upaHTTPDo: bad arguments.");
    return (false);
  }

  if (!http_begin(http, req, resp))
    return (false);

  http->xfer = &http->run;
  cerr       = http_perform(http, req->data_cb != NULL);
  http->xfer = NULL;

  return (http_end(http, cerr));
}


//
// 'upaHTTPFinish()' - End a request that a loop finished (upaHTTPLoopNext()).
//
// Returns what upaHTTPDo() would have returned for it; the response is in
// the upa_http_response_t given to upaHTTPStart().
//

bool					// O - `true` when a response was received, `false` otherwise
upaHTTPFinish(upa_http_t *http)		// I - Session
{
  if (!http || !http->finished)
  {
    upaSetError(UPA_ERROR_ARGS, "upaHTTPFinish: no finished request.");
    return (false);
  }

  http->finished = false;
  http->xfer     = NULL;

  return (http_end(http, http->result));
}


//
// 'upaHTTPCancel()' - Stop a request started with upaHTTPStart().
//
// Its connection is closed; nothing is reported.  Does nothing when no
// request runs.
//

void
upaHTTPCancel(upa_http_t *http)		// I - Session
{
  if (!http)
    return;

  if (http->loop)
  {
    curl_multi_remove_handle(http->loop->shards[http->shard - 1].multi, http->curl);
    http_loop_sent(http->loop);		// (whatever libcurl's callbacks listed)
  }

  http->loop     = NULL;
  http->finished = false;
  http->xfer     = NULL;

  for (struct curl_slist *h = http->headers; h; h = h->next)
    explicit_bzero(h->data, strlen(h->data));
  curl_slist_free_all(http->headers);
  http->headers = NULL;
  curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
}


//
// 'upaHTTPDropConnections()' - Close the connections a session keeps for upaHTTPDo().
//
// A session that mostly runs in a loop (whose connection cache holds its
// usual connection) uses this after an occasional upaHTTPDo() elsewhere
// (a token request), so that connection is not kept forever.
//

void
upaHTTPDropConnections(upa_http_t *http)// I - Session
{
  if (!http || http->loop || !http->multi)
    return;

  curl_multi_cleanup(http->multi);
  http->multi = NULL;			// Made again when needed
}


//
// 'upaHTTPLoopCreate()' - Create a loop that runs the requests of many sessions on one thread.
//
// libcurl's socket interface on epoll: each wake-up costs what the ready
// sockets need, not a look at every transfer (curl_multi_perform() and
// curl_multi_poll() walk them all, every time).
//
// The sessions are spread over UPA_HTTP_LOOP_SHARDS multi handles on the
// same epoll descriptor: libcurl 7.x walks every connection of a multi
// handle's cache when a request ends (curl_multi_remove_handle()) and when
// one starts (its search for a connection to reuse), which with a long
// poll per device on one handle was a quarter of a 1 000-device connector's
// idle CPU.  A session stays on its shard, so its connection is reused.
// Over HTTP/2 a shard's sessions share one connection (CURLOPT_PIPEWAIT),
// and libcurl 7.x runs every transfer of a connection at each of its
// socket events: 64 shards keep that to about 16 transfers for a thousand
// sessions.  A shard's multi handle costs about 12 KiB (libcurl's hash
// tables), so it is made when a session first lands on it: a server with a
// few devices pays for a few.
//

upa_http_loop_t *			// O - Loop or `NULL`
upaHTTPLoopCreate(void)
{
  upa_http_loop_t	*loop;		// New loop
  struct epoll_event	ev;		// Wake-up descriptor's event
  unsigned		i;		// Looping var


  if (!http_init())
    return (NULL);

  if ((loop = calloc(1, sizeof(upa_http_loop_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  loop->epfd   = epoll_create1(EPOLL_CLOEXEC);
  loop->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

  memset(&ev, 0, sizeof(ev));
  ev.events   = EPOLLIN;
  ev.data.u64 = (uint64_t)UPA_HTTP_LOOP_WAKE << 32;

  if (loop->epfd < 0 || loop->wakefd < 0 || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev))
  {
    upaSetError(UPA_ERROR_INTERNAL, "Cannot create an event loop: %s", strerror(errno));
    upaHTTPLoopDelete(loop);
    return (NULL);
  }

  for (i = 0; i < UPA_HTTP_LOOP_SHARDS; i ++)
  {
    http_shard_t *shard = loop->shards + i;
					// Shard

    shard->loop  = loop;
    shard->index = i;
    shard->timer = -1;
  }

  return (loop);
}


//
// 'http_shard_multi()' - Get a shard's multi handle, made on first use.
//

static CURLM *				// O - Multi handle or `NULL` (error set)
http_shard_multi(http_shard_t *shard)	// I - Shard
{
  if (!shard->multi)
  {
    if ((shard->multi = curl_multi_init()) == NULL)
    {
      upaSetError(UPA_ERROR_MEMORY, "Cannot create a libcurl multi handle.");
      return (NULL);
    }

    curl_multi_setopt(shard->multi, CURLMOPT_SOCKETFUNCTION, http_loop_socket_cb);
    curl_multi_setopt(shard->multi, CURLMOPT_SOCKETDATA, shard);
    curl_multi_setopt(shard->multi, CURLMOPT_TIMERFUNCTION, http_loop_timer_cb);
    curl_multi_setopt(shard->multi, CURLMOPT_TIMERDATA, shard);
  }

  return (shard->multi);
}


//
// 'upaHTTPLoopDelete()' - Free a loop (cancel its requests first) and close its connections.
//

void
upaHTTPLoopDelete(upa_http_loop_t *loop)// I - Loop
{
  unsigned	i;			// Looping var


  if (!loop)
    return;

  for (i = 0; i < UPA_HTTP_LOOP_SHARDS; i ++)
    if (loop->shards[i].multi)
      curl_multi_cleanup(loop->shards[i].multi);
  if (loop->epfd >= 0)
    close(loop->epfd);
  if (loop->wakefd >= 0)
    close(loop->wakefd);
  free(loop);
}


//
// 'upaHTTPLoopNext()' - Return a session whose request the loop finished.
//
// Call it after upaHTTPLoopRun() until it returns NULL; call
// upaHTTPFinish() on each session it returns.
//

upa_http_t *				// O - Session or `NULL` when none is finished
upaHTTPLoopNext(upa_http_loop_t *loop,	// I - Loop
                void            **data)	// O - Data given to upaHTTPStart()
{
  CURLMsg	*msg;			// Message
  int		left;			// Messages left
  upa_http_t	*http = NULL;		// Session
  unsigned	n;			// Shards looked at


  if (data)
    *data = NULL;

  if (!loop)
    return (NULL);

  for (n = 0; n < UPA_HTTP_LOOP_SHARDS; n ++, loop->next_done = (loop->next_done + 1) % UPA_HTTP_LOOP_SHARDS)
  {
    CURLM *multi = loop->shards[loop->next_done].multi;
					// Its multi handle (none yet: no sessions)

    while (multi && (msg = curl_multi_info_read(multi, &left)) != NULL)
    {
      if (msg->msg != CURLMSG_DONE || curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&http) != CURLE_OK || !http)
        continue;

      http->result   = msg->data.result;
      http->finished = true;
      http->loop     = NULL;
      // The connection goes back to the shard's cache, for the next request
      curl_multi_remove_handle(multi, http->curl);
      http_loop_sent(loop);

      if (data)
        *data = http->loop_data;

      return (http);
    }
  }

  return (NULL);
}


//
// 'upaHTTPLoopRun()' - Run the loop's transfers, sleeping until one needs attention.
//
// Sleeps at most timeout_ms (less when libcurl's timer is due, a socket
// is ready, or upaHTTPLoopWakeup() is called).
//

bool					// O - `true` on success
upaHTTPLoopRun(upa_http_loop_t *loop,	// I - Loop
               int             timeout_ms)
					// I - Longest sleep (ms)
{
  struct epoll_event	events[64];	// Ready descriptors
  int			num,		// Number of them
			i,		// Looping var
			running;	// Transfers running
  long long		now = upaNowMS();
					// Current time
  http_shard_t		*shard;		// Shard


  if (!loop)
    return (false);

  if (timeout_ms < 0)
    timeout_ms = 0;
  for (i = 0, shard = loop->shards; i < UPA_HTTP_LOOP_SHARDS; i ++, shard ++)
    if (shard->timer >= 0 && shard->timer - now < timeout_ms)
      timeout_ms = shard->timer > now ? (int)(shard->timer - now) : 0;

  if ((num = epoll_wait(loop->epfd, events, (int)(sizeof(events) / sizeof(events[0])), timeout_ms)) < 0)
  {
    if (errno == EINTR)
      return (true);

    upaSetError(UPA_ERROR_INTERNAL, "Event loop failed: %s", strerror(errno));
    return (false);
  }

  for (i = 0; i < num; i ++)
  {
    int		flags = 0;		// libcurl's event bits
    unsigned	tag = (unsigned)(events[i].data.u64 >> 32);
					// Shard (or the wake-up descriptor)
    curl_socket_t fd = (curl_socket_t)(events[i].data.u64 & 0xffffffffU);
					// Socket

    if (tag == UPA_HTTP_LOOP_WAKE)
    {
      uint64_t	count;			// Wake-ups

      while (read(loop->wakefd, &count, sizeof(count)) > 0);
      continue;
    }
    else if (tag >= UPA_HTTP_LOOP_SHARDS)
      continue;

    if (events[i].events & EPOLLIN)
      flags |= CURL_CSELECT_IN;
    if (events[i].events & EPOLLOUT)
      flags |= CURL_CSELECT_OUT;
    if (events[i].events & (EPOLLERR | EPOLLHUP))
      flags |= CURL_CSELECT_ERR;

    curl_multi_socket_action(loop->shards[tag].multi, fd, flags, &running);
    http_loop_sent(loop);
  }

  // libcurl's timers (connect and total deadlines, new transfers)
  now = upaNowMS();
  for (i = 0, shard = loop->shards; i < UPA_HTTP_LOOP_SHARDS; i ++, shard ++)
  {
    if (shard->timer >= 0 && now >= shard->timer)
    {
      shard->timer = -1;
      curl_multi_socket_action(shard->multi, CURL_SOCKET_TIMEOUT, 0, &running);
      http_loop_sent(loop);
    }
  }

  return (true);
}


//
// 'upaHTTPLoopWakeup()' - Wake a loop sleeping in upaHTTPLoopRun() (any thread).
//

void
upaHTTPLoopWakeup(upa_http_loop_t *loop)// I - Loop
{
  uint64_t	one = 1;		// Counter increment


  if (loop && loop->wakefd >= 0 && write(loop->wakefd, &one, sizeof(one)) < 0)
  {
    // EAGAIN: the counter is full, the loop wakes anyway
  }
}


//
// 'http_loop_sent()' - Give back the upload buffers of requests that went out.
//
// libcurl 7.88 copies an HTTPS request through a 16 KiB upload buffer (its
// least) and keeps it until the transfer ends, so every long poll waiting
// for its answer held one: 16 MiB for a thousand devices.  Once a transfer
// waits only to read (http_loop_socket_cb() saw CURL_POLL_IN, not INOUT),
// no byte of its request is left to send; setting the option again frees
// the buffer (libcurl makes a new one if it has to send again, a retry on
// a new connection).  Done here, after curl_multi_socket_action() returned,
// not inside libcurl's callback.
//

static void
http_loop_sent(upa_http_loop_t *loop)	// I - Loop
{
  upa_http_t	*http;			// Session


  while ((http = loop->sent) != NULL)
  {
    loop->sent        = http->sent_next;
    http->sent_next   = NULL;
    http->sent_listed = false;

    curl_easy_setopt(http->curl, CURLOPT_UPLOAD_BUFFERSIZE, (long)UPA_HTTP_UPLOAD_BUFFER);
  }
}


//
// 'http_loop_socket_cb()' - Watch (or stop watching) a socket for libcurl.
//

static int				// O - 0
http_loop_socket_cb(
    CURL          *curl,		// I - Easy handle
    curl_socket_t s,			// I - Socket
    int           what,			// I - CURL_POLL_*
    void          *data,		// I - Shard
    void          *socketp)		// I - Our data for the socket: non-NULL once added
{
  http_shard_t		*shard = (http_shard_t *)data;
					// Shard
  upa_http_loop_t	*loop = shard->loop;
					// Loop
  struct epoll_event	ev;		// Event wanted
  upa_http_t		*http = NULL;	// Session of the transfer


  // Reading only: the request went out (see http_loop_sent())
  if (what == CURL_POLL_IN && curl_easy_getinfo(curl, CURLINFO_PRIVATE, (char **)&http) == CURLE_OK && http && !http->sent_listed)
  {
    http->sent_listed = true;
    http->sent_next   = loop->sent;
    loop->sent        = http;
  }

  if (what == CURL_POLL_REMOVE)
  {
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, s, NULL);
    curl_multi_assign(shard->multi, s, NULL);
    return (0);
  }

  memset(&ev, 0, sizeof(ev));
  ev.data.u64 = ((uint64_t)shard->index << 32) | (uint32_t)s;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    ev.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    ev.events |= EPOLLOUT;

  if (socketp)
    epoll_ctl(loop->epfd, EPOLL_CTL_MOD, s, &ev);
  else if (!epoll_ctl(loop->epfd, EPOLL_CTL_ADD, s, &ev) || (errno == EEXIST && !epoll_ctl(loop->epfd, EPOLL_CTL_MOD, s, &ev)))
    curl_multi_assign(shard->multi, s, shard);

  return (0);
}


//
// 'http_loop_timer_cb()' - Note when libcurl wants its timer run.
//

static int				// O - 0
http_loop_timer_cb(CURLM *multi,	// I - Multi handle (unused)
                   long  timeout_ms,	// I - Milliseconds from now, -1 = none
                   void  *data)		// I - Shard
{
  http_shard_t	*shard = (http_shard_t *)data;
					// Shard


  (void)multi;

  shard->timer = timeout_ms < 0 ? -1 : upaNowMS() + timeout_ms;

  return (0);
}


//
// 'upaHTTPStart()' - Start a request on a loop and return at once.
//
// The request, its body and the response must stay valid until the loop
// finishes it (upaHTTPLoopNext() returns the session, then
// upaHTTPFinish()) or it is canceled (upaHTTPCancel()).  One request per
// session at a time; the session is used by the loop's thread until then.
//

bool					// O - `true` when started
upaHTTPStart(upa_http_t                *http,	// I - Session
             upa_http_loop_t           *loop,	// I - Loop
             const upa_http_request_t  *req,	// I - Request
             upa_http_response_t       *resp,	// O - Response (once finished)
             void                      *data)	// I - Data for upaHTTPLoopNext()
{
  CURLMcode	mres;			// Multi status
  CURLM		*multi;			// The session's shard's multi handle


  if (!http || !loop || !req || !req->url || !req->method || !resp || req->data_cb || http->loop || http->finished)
  {
    upaSetError(UPA_ERROR_ARGS, "upaHTTPStart: bad arguments.");
    return (false);
  }

  if (!http_begin(http, req, resp))
    return (false);

  curl_easy_setopt(http->curl, CURLOPT_PRIVATE, (char *)http);
  // Parsing every answer's Date header was a fortieth of a connector's idle
  // CPU; only "upactl doctor" reads it, through upaHTTPDo()
  http->run.no_date = true;
  // Many sessions wait on a loop, with small answers: a smaller receive
  // buffer (libcurl's default is 16 KiB, held by each transfer until it ends)
  curl_easy_setopt(http->curl, CURLOPT_BUFFERSIZE, (long)UPA_HTTP_LOOP_BUFFER);
  // Over HTTP/2 the sessions of a shard share one connection: a request
  // started while that connection is still being set up waits for it
  // instead of opening a connection of its own
  curl_easy_setopt(http->curl, CURLOPT_PIPEWAIT, 1L);

  http->loop_data = data;
  http->xfer      = &http->run;

  // A session keeps its shard (and so the connection it left in its cache)
  if (http->shard == 0 || http->shard > UPA_HTTP_LOOP_SHARDS)
  {
    http->shard      = loop->next_shard + 1;
    loop->next_shard = (loop->next_shard + 1) % UPA_HTTP_LOOP_SHARDS;
  }

  if ((multi = http_shard_multi(loop->shards + http->shard - 1)) == NULL)
  {
    upaHTTPCancel(http);
    return (false);
  }

  if ((mres = curl_multi_add_handle(multi, http->curl)) != CURLM_OK)
  {
    upaHTTPCancel(http);
    upaSetError(UPA_ERROR_INTERNAL, "Cannot start a request: %s", curl_multi_strerror(mres));
    return (false);
  }

  http->loop = loop;
  http_loop_sent(loop);

  return (true);
}


//
// 'http_begin()' - Set a request up on the session's easy handle.
//

static bool				// O - `true` on success
http_begin(upa_http_t                *http,	// I - Session
           const upa_http_request_t  *req,	// I - Request
           upa_http_response_t       *resp)	// O - Response
{
  CURL		*curl;			// Easy handle
  char		line[8192];		// Header line
  const upa_config_t *cfg;		// Configuration
  long		timeout;		// Timeout in seconds


  upaClearError();

  memset(resp, 0, sizeof(upa_http_response_t));

  curl = http->curl;
  cfg  = http->cfg;

  upaURLHost(req->url, http->host, sizeof(http->host));

  // Reset options but keep the connection/session caches of the handle.
  curl_easy_reset(curl);

  http->errbuf[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, http->errbuf);
  curl_easy_setopt(curl, CURLOPT_URL, req->url);
  // Bearer tokens only ever travel over TLS.
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif // LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "cups-upa/" VERSION);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  // Every HTTPS send goes through an upload buffer that the transfer keeps
  // until it ends, 64 KiB by default.  Our bodies are in memory and a TLS
  // record carries 16 KiB at most.  (A loop gives it back sooner:
  // http_loop_sent().)
  curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, (long)UPA_HTTP_UPLOAD_BUFFER);

  // TLS: verification is never turned off.  CAFile replaces the system store
  // for this handle (the emulator's CA); an empty CAFile keeps the default.
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  X509_STORE_free(http->ca_store);
  if ((http->ca_store = http_ca_get(cfg->ca_file)) != NULL && curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, http_ssl_ctx_cb) == CURLE_OK)
  {
    // The process's shared store: libcurl's own CA loading is turned off
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, http->ca_store);
    curl_easy_setopt(curl, CURLOPT_CAINFO, NULL);
    curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
  }
  else if (cfg->ca_file[0])
  {
    // No shared store (unreadable file: libcurl says why; another TLS library)
    curl_easy_setopt(curl, CURLOPT_CAINFO, cfg->ca_file);
  }

  if (cfg->proxy[0])
  {
    curl_easy_setopt(curl, CURLOPT_PROXY, cfg->proxy);
    curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  }

  // Deadlines (see http.h): libcurl's own connect timeout, a total timeout
  // for collected answers, and http_xferinfo_cb() for the rest.
  timeout = cfg->timeout > 0 ? cfg->timeout : 60;
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout);
  if (!req->data_cb)
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);

  // Method and body.
  if (!strcmp(req->method, "GET"))
  {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  else if (!strcmp(req->method, "HEAD"))
  {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  }
  else
  {
    if (!strcmp(req->method, "POST"))
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
    else
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);

    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
  }

  // Headers: no "Expect: 100-continue" round trip for our small bodies.
  http->headers = curl_slist_append(http->headers, "Expect:");
  if (req->content_type)
  {
    snprintf(line, sizeof(line), "Content-Type: %s", req->content_type);
    http->headers = curl_slist_append(http->headers, line);
  }
  if (req->basic_user && !req->bearer)
  {
    // libcurl encodes it; curl_easy_reset() forgets it before the next request.
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, req->basic_user);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, req->basic_password ? req->basic_password : "");
  }
  if (req->bearer)
  {
    snprintf(line, sizeof(line), "Authorization: Bearer %s", req->bearer);
    http->headers = curl_slist_append(http->headers, line);
    explicit_bzero(line, sizeof(line));
  }
  if (!http->headers)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, http->headers);

  // Response callbacks.
  memset(&http->run, 0, sizeof(http->run));
  http->run.curl    = curl;
  http->run.req     = req;
  http->run.resp    = resp;
  http->run.timeout = timeout;
  http->run.start   = upaNowMS();

  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_header_cb);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &http->run);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_write_cb);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &http->run);
  // A collected answer has CURLOPT_TIMEOUT: calling back into us at every
  // turn of the transfer would buy nothing (and over HTTP/2 libcurl runs
  // every transfer of a connection at each of its socket events)
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, http_xferinfo_cb);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &http->run);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, req->data_cb ? 0L : 1L);

  upaLog(UPA_LOG_DEBUG, "%s %s", req->method, req->log_url ? req->log_url : req->url);

  return (true);
}


//
// 'http_end()' - Collect the outcome of a transfer.
//

static bool				// O - `true` when a response was received, `false` otherwise
http_end(upa_http_t *http,		// I - Session
         CURLcode   cerr)		// I - Transfer result
{
  http_xfer_t	*xfer = &http->run;	// Transfer state
  const char	*host = http->host;	// Host for messages
  long		status = 0;		// HTTP status
  char		*ctype = NULL;		// Response Content-Type
  curl_off_t	received = 0;		// Body bytes received


  // The header list holds the bearer token: wipe it before freeing.
  for (struct curl_slist *h = http->headers; h; h = h->next)
    explicit_bzero(h->data, strlen(h->data));
  curl_slist_free_all(http->headers);
  http->headers = NULL;
  curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);

  curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &status);
  xfer->resp->status = (int)status;
  if (curl_easy_getinfo(http->curl, CURLINFO_SIZE_DOWNLOAD_T, &received) == CURLE_OK)
    xfer->resp->received = (long long)received;
  if (curl_easy_getinfo(http->curl, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype)
    snprintf(xfer->resp->content_type, sizeof(xfer->resp->content_type), "%s", ctype);

  if (xfer->aborted)
  {
    // The data callback stopped the transfer and (normally) said why; the
    // server had answered, so nothing is left in doubt.
    if (upaLastError() == UPA_ERROR_NONE)
      upaSetError(UPA_ERROR_CANCELED, "Transfer from %s canceled.", host);
    upaLog(UPA_LOG_DEBUG, "%s %s: aborted by the receiver", xfer->req->method, host);
    return (false);
  }

  if (cerr != CURLE_OK)
    return (http_failed(http, xfer, cerr, host));

  upaLog(UPA_LOG_DEBUG, "%s %s: HTTP %d (%s)", xfer->req->method, host, xfer->resp->status, xfer->resp->content_type[0] ? xfer->resp->content_type : "no content type");

  return (true);
}


//
// 'upaHTTPBodyStarted()' - The header part of a streamed body is complete.
//
// Called from the data_cb of a stream_head request: from now on the body
// is held to the stall and minimum-rate rules instead of the Timeout
// deadline.  Does nothing outside a transfer.
//

void
upaHTTPBodyStarted(upa_http_t *http)	// I - Session
{
  if (http && http->xfer && !http->xfer->body_started)
    http_start_body(http->xfer);
}


//
// 'upaHTTPResponseClear()' - Free a response's body.
//

void
upaHTTPResponseClear(
    upa_http_response_t *resp)		// I - Response
{
  if (!resp)
    return;

  upaBufferClear(&resp->body);
  resp->status          = 0;
  resp->content_type[0] = '\0';
  resp->retry_after     = 0;
  resp->date            = 0;
  resp->received        = 0;
  resp->cut_short       = false;
}


//
// 'http_failed()' - Set the error for a failed transfer.
//
// "Cannot reach" only when nothing was sent (DNS, connect, TLS, proxy);
// a timeout after sending is "did not answer within N s"; a body that
// ended early is "cut short".  Once the request was out the outcome is
// unknown (upaSetErrorMaybeApplied()).
//

static bool				// O - Always `false`
http_failed(upa_http_t  *http,		// I - Session
            http_xfer_t *xfer,		// I - Transfer state
            CURLcode    cerr,		// I - curl status
            const char  *host)		// I - Host for messages
{
  char		reason[CURL_ERROR_SIZE];// curl's reason, without a final period
  size_t	len;			// Length of reason
  curl_off_t	pretransfer = 0,	// Microseconds until the request went out
		received = 0;		// Body bytes received
  long		reqsize = 0;		// Request bytes sent
  bool		sent,			// Did (part of) the request leave?
		timedout;		// Was it a timeout?
  long		window = UPA_HTTP_RATE_WINDOW(xfer->timeout);
					// Rate window in seconds


  upaCopyString(reason, http->errbuf[0] ? http->errbuf : curl_easy_strerror(cerr), sizeof(reason));
  for (len = strlen(reason); len > 0 && (reason[len - 1] == '.' || isspace(reason[len - 1] & 255)); reason[-- len] = '\0');

  curl_easy_getinfo(http->curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  curl_easy_getinfo(http->curl, CURLINFO_REQUEST_SIZE, &reqsize);
  curl_easy_getinfo(http->curl, CURLINFO_SIZE_DOWNLOAD_T, &received);

  xfer->resp->received = (long long)received;

  sent     = reqsize > 0 || pretransfer > 0;
  timedout = cerr == CURLE_OPERATION_TIMEDOUT || xfer->why == HTTP_WHY_DEADLINE;

  // A proxy that refused the CONNECT (407, 401, 403...) got only the
  // CONNECT request: nothing reached the server
  {
    long connectcode = 0;		// Proxy's answer to CONNECT

    if (http->cfg->proxy[0] && curl_easy_getinfo(http->curl, CURLINFO_HTTP_CONNECTCODE, &connectcode) == CURLE_OK && connectcode != 0 && (connectcode < 200 || connectcode > 299))
      sent = false;
  }

  upaLog(UPA_LOG_DEBUG, "%s %s: curl error %d (%s), request %s, %s, %lld body bytes", xfer->req->method, host, (int)cerr, reason, sent ? "sent" : "not sent", xfer->headers_done ? "headers received" : "no headers", (long long)received);

  if (xfer->why == HTTP_WHY_STALL)
  {
    upaSetError(UPA_ERROR_NETWORK, "%s stopped sending for %ld s after %lld bytes.", host, window, (long long)received);
  }
  else if (xfer->why == HTTP_WHY_SLOW)
  {
    upaSetError(UPA_ERROR_NETWORK, "%s sent less than %d bytes/s over %ld s; gave up after %lld bytes.", host, UPA_HTTP_MIN_RATE, window, (long long)received);
  }
  else if (!sent)
  {
    if (timedout)
      snprintf(reason, sizeof(reason), "no connection within %ld s", xfer->timeout);

    if (http->cfg->proxy[0])
    {
      // Name the proxy (never its credentials): it is often the culprit
      char	proxy[256];		// Proxy host:port

      if (!upaURLHost(http->cfg->proxy, proxy, sizeof(proxy)))
        upaCopyString(proxy, "the configured one", sizeof(proxy));

      upaSetError(UPA_ERROR_NETWORK, "Cannot reach %s through proxy %s: %s.", host, proxy, reason);
    }
    else
      upaSetError(UPA_ERROR_NETWORK, "Cannot reach %s: %s.", host, reason);

    return (false);
  }
  else if (timedout)
  {
    if (xfer->headers_done && received > 0)
      upaSetError(UPA_ERROR_NETWORK, "%s did not answer within %ld s (the answer stopped after %lld bytes).", host, xfer->timeout, (long long)received);
    else
      upaSetError(UPA_ERROR_NETWORK, "%s did not answer within %ld s.", host, xfer->timeout);
  }
  else if (xfer->headers_done)
  {
    xfer->resp->cut_short = true;
    upaSetError(UPA_ERROR_NETWORK, "The answer from %s was cut short after %lld bytes (%s).", host, (long long)received, reason);
  }
  else
  {
    upaSetError(UPA_ERROR_NETWORK, "%s closed the connection without a complete answer (%s).", host, reason);
  }

  // The request was out: the server may have acted on it.
  upaSetErrorMaybeApplied(true);

  return (false);
}


//
// 'http_perform()' - Perform the transfer set up on the easy handle.
//
// Like curl_easy_perform(), on the session's own multi handle, sleeping
// until a socket or a libcurl timer (connect and total timeouts) needs
// attention: every UPA_HTTP_TICK ms for "ticks" (http_xferinfo_cb()
// enforces the deadlines of streamed bodies), else at most UPA_HTTP_SLEEP.
//

static CURLcode				// O - Transfer result
http_perform(upa_http_t *http,		// I - Session
             bool       ticks)		// I - Wake every UPA_HTTP_TICK ms?
{
  CURLcode	result = CURLE_OK;	// Transfer result
  CURLMcode	mres;			// Multi interface status
  CURLMsg	*msg;			// Message from the multi handle
  int		running = 1,		// Transfers running
		left;			// Messages left
  bool		done = false;		// Transfer finished?


  if (!http->multi && (http->multi = curl_multi_init()) == NULL)
    return (CURLE_OUT_OF_MEMORY);

  if ((mres = curl_multi_add_handle(http->multi, http->curl)) != CURLM_OK)
    return (mres == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT);

  while (!done)
  {
    if ((mres = curl_multi_perform(http->multi, &running)) == CURLM_OK)
    {
      while ((msg = curl_multi_info_read(http->multi, &left)) != NULL)
      {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == http->curl)
        {
          result = msg->data.result;
          done   = true;
        }
      }

      if (done)
        break;

      if (!running)
      {
        // Not done, yet nothing runs: cannot happen, but never spin
        result = CURLE_FAILED_INIT;
        break;
      }

      mres = curl_multi_poll(http->multi, NULL, 0, ticks ? UPA_HTTP_TICK : UPA_HTTP_SLEEP, NULL);
    }

    if (mres != CURLM_OK)
    {
      result = mres == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_BAD_FUNCTION_ARGUMENT;
      break;
    }
  }

  // The connection stays in the multi handle's cache for the next request
  curl_multi_remove_handle(http->multi, http->curl);

  return (result);
}


//
// 'http_header_cb()' - Look at response header lines (Retry-After, Date).
//

static size_t				// O - Bytes handled
http_header_cb(char   *buffer,		// I - Header line (not NUL-terminated)
               size_t size,		// I - Size of an item
               size_t nitems,		// I - Number of items
               void   *data)		// I - Transfer state
{
  http_xfer_t	*xfer = (http_xfer_t *)data;
					// Transfer state
  size_t	len = size * nitems;	// Line length
  char		line[1024],		// Copy of the line
		*value,			// Header value
		*end;			// End of value


  if (len >= 5 && !strncmp(buffer, "HTTP/", 5))
  {
    // New status line (after 100-continue or a proxy CONNECT): start over.
    const char *sp = memchr(buffer, ' ', len);
					// Space before the status code

    xfer->resp->retry_after  = 0;
    xfer->resp->date         = 0;
    xfer->resp->basic_wanted = false;
    xfer->resp->bearer_wanted = false;
    xfer->status             = sp && (size_t)(sp - buffer) + 4 <= len ? atoi(sp + 1) : 0;
    return (len);
  }

  if ((len == 2 && buffer[0] == '\r' && buffer[1] == '\n') || (len == 1 && buffer[0] == '\n'))
  {
    // End of a header block: the final one once the status is not 1xx
    // (a proxy's CONNECT answer never shows: CURLOPT_SUPPRESS_CONNECT_HEADERS).
    if (xfer->status >= 200 && !xfer->headers_done)
    {
      xfer->headers_done = true;

      // A plain streamed body follows the rules for bodies right away; one
      // with a header part waits for upaHTTPBodyStarted().
      if (xfer->req->data_cb && !xfer->req->stream_head && xfer->status < 300)
        http_start_body(xfer);
    }
    return (len);
  }

  if (len > 5 && len < sizeof(line) && !strncasecmp(buffer, "Date:", 5) && !xfer->no_date)
  {
    // The cloud's clock, for "upactl doctor".
    memcpy(line, buffer + 5, len - 5);
    line[len - 5] = '\0';
    xfer->resp->date = curl_getdate(line, NULL);
    return (len);
  }

  if (len > 17 && len < sizeof(line) && !strncasecmp(buffer, "WWW-Authenticate:", 17))
  {
    // Which server profile answered a 401 (client.c says so).
    memcpy(line, buffer + 17, len - 17);
    line[len - 17] = '\0';
    for (value = line; isspace(*value & 255); value ++);
    if (!strncasecmp(value, "Basic", 5))
      xfer->resp->basic_wanted = true;
    else if (!strncasecmp(value, "Bearer", 6))
      xfer->resp->bearer_wanted = true;
    return (len);
  }

  if (len < 12 || len >= sizeof(line) || strncasecmp(buffer, "Retry-After:", 12))
    return (len);

  memcpy(line, buffer, len);
  line[len] = '\0';

  for (value = line + 12; isspace(*value & 255); value ++);
  for (end = value + strlen(value); end > value && isspace(end[-1] & 255); *--end = '\0');

  if (isdigit(*value & 255))
  {
    long secs = strtol(value, NULL, 10);// Delay in seconds

    xfer->resp->retry_after = secs > 86400 ? 86400 : (int)secs;
  }
  else if (*value)
  {
    // HTTP-date form.
    time_t when = curl_getdate(value, NULL);
					// Absolute time
    time_t now = time(NULL);		// Current time

    if (when > now)
      xfer->resp->retry_after = (when - now) > 86400 ? 86400 : (int)(when - now);
  }

  return (len);
}


//
// 'http_write_cb()' - Receive response body bytes.
//

static size_t				// O - Bytes handled (anything else aborts)
http_write_cb(char   *ptr,		// I - Bytes
              size_t size,		// I - Size of an item
              size_t nmemb,		// I - Number of items
              void   *data)		// I - Transfer state
{
  http_xfer_t	*xfer = (http_xfer_t *)data;
					// Transfer state
  size_t	len = size * nmemb;	// Number of bytes
  long		status = 0;		// HTTP status so far


  curl_easy_getinfo(xfer->curl, CURLINFO_RESPONSE_CODE, &status);

  if (xfer->req->data_cb && status >= 200 && status < 300)
  {
    if (!(xfer->req->data_cb)(xfer->req->data_cbdata, ptr, len))
    {
      xfer->aborted = true;
      return (0);
    }

    return (len);
  }

  if (xfer->req->data_cb)
  {
    // Error body of a streamed request: keep the start for messages.
    if (xfer->resp->body.len < UPA_HTTP_ERRBODY_MAX)
    {
      size_t keep = UPA_HTTP_ERRBODY_MAX - xfer->resp->body.len;
					// Bytes to keep

      if (!upaBufferAppend(&xfer->resp->body, ptr, len < keep ? len : keep))
      {
        xfer->aborted = true;
        return (0);
      }
    }

    return (len);
  }

  if (!upaBufferAppend(&xfer->resp->body, ptr, len))
  {
    xfer->aborted = true;
    return (0);
  }

  return (len);
}


//
// 'http_start_body()' - Switch a streamed transfer from its deadline to the body rules.
//

static void
http_start_body(http_xfer_t *xfer)	// I - Transfer state
{
  curl_off_t	received = 0;		// Body bytes so far


  curl_easy_getinfo(xfer->curl, CURLINFO_SIZE_DOWNLOAD_T, &received);

  xfer->body_started = true;
  xfer->window_start = xfer->last_time = upaNowMS();
  xfer->window_bytes = xfer->last_bytes = (long long)received;
}


//
// 'http_xferinfo_cb()' - Enforce the deadlines (called at least once a second).
//

static int				// O - 0 to go on, 1 to stop
http_xferinfo_cb(void       *data,	// I - Transfer state
                 curl_off_t dltotal,	// I - Bytes expected (unused)
                 curl_off_t dlnow,	// I - Bytes received
                 curl_off_t ultotal,	// I - Bytes to send (unused)
                 curl_off_t ulnow)	// I - Bytes sent (unused)
{
  http_xfer_t	*xfer = (http_xfer_t *)data;
					// Transfer state
  long long	now = upaNowMS();	// Current time
  long long	window = 1000LL * UPA_HTTP_RATE_WINDOW(xfer->timeout);
					// Rate window in ms


  (void)dltotal;
  (void)ultotal;
  (void)ulnow;

  if (!xfer->body_started)
  {
    // Headers (and the header part of a streamed body) within Timeout.
    if (now - xfer->start > 1000LL * xfer->timeout)
    {
      xfer->why = HTTP_WHY_DEADLINE;
      return (1);
    }

    return (0);
  }

  // Streamed body: a stall of a whole window, or too few bytes over one.
  if ((long long)dlnow > xfer->last_bytes)
  {
    xfer->last_bytes = (long long)dlnow;
    xfer->last_time  = now;
  }
  else if (now - xfer->last_time >= window)
  {
    xfer->why = HTTP_WHY_STALL;
    return (1);
  }

  if (now - xfer->window_start >= window)
  {
    if ((long long)dlnow - xfer->window_bytes < UPA_HTTP_MIN_RATE * (window / 1000))
    {
      xfer->why = HTTP_WHY_SLOW;
      return (1);
    }

    xfer->window_start = now;
    xfer->window_bytes = (long long)dlnow;
  }

  return (0);
}


//
// 'http_ca_get()' - Get a reference to the process's shared CA store.
//
// Loaded from CAFile, or from libcurl's default bundle and folder (what it
// would have used itself), once per process and again when the file
// changes (looked at every UPA_HTTP_CA_CHECK seconds).  Returns a new
// reference (X509_STORE_free() it) or NULL when the file cannot be loaded;
// the caller then lets libcurl load it and report the error.
//

static X509_STORE *			// O - Store or NULL
http_ca_get(const char *ca_file)	// I - CAFile or ""
{
  static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
					// Protects the cache
  static X509_STORE	*store = NULL;	// Shared store
  static char		path[1024] = "";// File it came from
  static struct stat	loaded;		// The file's identity then
  static time_t		checked = 0;	// Last look at the file
  const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
					// libcurl's defaults
  const char		*file,		// File to load
			*dir = NULL;	// Hashed folder to look in
  struct stat		info;		// The file now
  time_t		now = time(NULL);
  X509_STORE		*ret = NULL,	// Return value
			*fresh;		// New store


  if (ca_file && *ca_file)
    file = ca_file;
  else
  {
#if LIBCURL_VERSION_NUM >= 0x074600
    file = cv->cainfo;
    dir  = cv->capath;
#else
    (void)cv;
    file = NULL;
#endif // LIBCURL_VERSION_NUM >= 0x074600
    if (!file)
      file = X509_get_default_cert_file();
  }

  pthread_mutex_lock(&mutex);

  if (store && !strcmp(path, file) && (now - checked < UPA_HTTP_CA_CHECK || (!stat(file, &info) && info.st_ino == loaded.st_ino && info.st_dev == loaded.st_dev && info.st_size == loaded.st_size && info.st_mtime == loaded.st_mtime)))
  {
    if (now - checked >= UPA_HTTP_CA_CHECK)
      checked = now;
  }
  else if (!stat(file, &info) && (fresh = X509_STORE_new()) != NULL)
  {
    if (X509_STORE_load_locations(fresh, file, dir) == 1)
    {
      X509_STORE_free(store);
      store   = fresh;
      loaded  = info;
      checked = now;
      upaCopyString(path, file, sizeof(path));
    }
    else
    {
      X509_STORE_free(fresh);
      X509_STORE_free(store);
      store   = NULL;
      path[0] = '\0';
    }
  }

  if (store && !strcmp(path, file) && X509_STORE_up_ref(store))
    ret = store;

  pthread_mutex_unlock(&mutex);

  return (ret);
}


//
// 'http_share_get()' - Get the process's TLS session cache for a CA file.
//
// One per CA file, so a session verified against one set of CAs is never
// resumed by a handle that trusts another (libcurl compares the CA
// options it knows of, and ours come from http_ssl_ctx_cb()).  Made once
// and kept for the life of the process; NULL when none can be made (the
// handle keeps its own cache, as libcurl does by default).
//

static CURLSH *				// O - Share or NULL
http_share_get(const char *ca_file)	// I - CAFile or ""
{
  static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
					// Guards the table
  static struct
  {
    char	*ca_file;		// Its CA file
    CURLSH	*share;			// Its cache
  }		shares[UPA_HTTP_SHARES];// Caches made so far
  CURLSH	*share = NULL;		// Cache found or made
  int		i;			// Looping var


  pthread_mutex_lock(&mutex);

  for (i = 0; i < UPA_HTTP_SHARES && shares[i].share; i ++)
  {
    if (!strcmp(shares[i].ca_file, ca_file))
    {
      share = shares[i].share;
      break;
    }
  }

  if (!share && i < UPA_HTTP_SHARES && (shares[i].ca_file = strdup(ca_file)) != NULL)
  {
    if ((share = curl_share_init()) != NULL &&
        (curl_share_setopt(share, CURLSHOPT_LOCKFUNC, http_share_lock) != CURLSHE_OK ||
         curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, http_share_unlock) != CURLSHE_OK ||
         curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK))
    {
      curl_share_cleanup(share);
      share = NULL;
    }

    if (share)
    {
      shares[i].share = share;
    }
    else
    {
      free(shares[i].ca_file);
      shares[i].ca_file = NULL;
    }
  }

  pthread_mutex_unlock(&mutex);

  return (share);
}


//
// 'http_share_lock()' - Lock a share's data (libcurl callback; any thread).
//

static void
http_share_lock(CURL             *curl,	// I - Easy handle (unused)
                curl_lock_data   data,	// I - What to lock
                curl_lock_access access,// I - Shared or single (unused: always single)
                void             *ptr)	// I - Unused
{
  (void)curl;
  (void)access;
  (void)ptr;

  if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
    pthread_mutex_lock(http_share_mutexes + data);
}


//
// 'http_share_unlock()' - Unlock a share's data (libcurl callback).
//

static void
http_share_unlock(CURL           *curl,	// I - Easy handle (unused)
                  curl_lock_data data,	// I - What to unlock
                  void           *ptr)	// I - Unused
{
  (void)curl;
  (void)ptr;

  if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
    pthread_mutex_unlock(http_share_mutexes + data);
}


//
// 'http_ssl_ctx_cb()' - Give a new connection the shared CA store.
//

static CURLcode				// O - CURLE_OK
http_ssl_ctx_cb(CURL *curl,		// I - Easy handle (unused)
                void *ssl_ctx,		// I - The connection's SSL_CTX
                void *data)		// I - Shared store
{
  (void)curl;

  // set1: the SSL_CTX takes its own reference (and drops libcurl's empty store)
  SSL_CTX_set1_cert_store((SSL_CTX *)ssl_ctx, (X509_STORE *)data);

  // An idle connection (a long poll waiting) gives its 2 x ~17 KiB record
  // buffers back instead of holding them
  SSL_CTX_set_mode((SSL_CTX *)ssl_ctx, SSL_MODE_RELEASE_BUFFERS);

  return (CURLE_OK);
}


//
// 'http_init()' - Initialize libcurl once.
//
// curl_global_init() is not thread-safe before 7.84; programs create their
// first session (or loop) from the main thread.
//

static bool				// O - `true` on success
http_init(void)
{
  static bool	initialized = false;	// curl_global_init() done?


  if (!initialized)
  {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    {
      upaSetError(UPA_ERROR_INTERNAL, "Cannot initialize libcurl.");
      return (false);
    }
    initialized = true;
  }

  return (true);
}


//
// 'upaURLHost()' - Get "host[:port]" of a URL, for messages.
//
// An explicit port is kept (the emulator runs on one).  When the URL does
// not parse, "host" gets the URL itself.
//

bool					// O - `true` if the URL parsed
upaURLHost(const char *url,		// I - URL
           char       *host,		// O - Host
           size_t     hostsize)		// I - Size of host
{
  // The last URL of this thread and its answer: a connector asks for the
  // same URL's host several times per request (every channel of a cloud
  // has the same endpoint), and libcurl's URL parser was a twentieth of
  // its idle CPU
  static __thread char	last_url[1024],	// URL looked up last
			last_host[256];	// Its answer
  static __thread bool	last_ok = false;// Did it parse?
  CURLU		*u;			// Parsed URL
  char		*h = NULL,		// Host part
		*p = NULL,		// Port part
		found[256];		// "host[:port]"
  bool		ret = false;		// Return value


  if (last_url[0] && !strcmp(url, last_url))
  {
    upaCopyString(host, last_ok ? last_host : url, hostsize);
    return (last_ok);
  }

  if ((u = curl_url()) == NULL)
  {
    upaCopyString(host, url, hostsize);
    return (false);
  }

  if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK)
  {
    if (curl_url_get(u, CURLUPART_PORT, &p, 0) == CURLUE_OK && p)
      snprintf(found, sizeof(found), "%s:%s", h, p);
    else
      snprintf(found, sizeof(found), "%s", h);
    ret = true;
  }

  curl_free(h);
  curl_free(p);
  curl_url_cleanup(u);

  upaCopyString(host, ret ? found : url, hostsize);

  // (A longer URL is not kept: the next call parses it again)
  if (strlen(url) < sizeof(last_url))
  {
    upaCopyString(last_url, url, sizeof(last_url));
    upaCopyString(last_host, ret ? found : "", sizeof(last_host));
    last_ok = ret;
  }
  else
    last_url[0] = '\0';

  return (ret);
}
