//
// upa-release badge input: PC/SC (contactless) card readers through pcsc-lite.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// With --card-pcsc a thread watches one PC/SC reader (the first whose name
// contains the given text, else the first one) with SCardGetStatusChange()
// and a short timeout.  When a card arrives it connects (shared, T=0 or
// T=1), sends the PC/SC Part 3 GET DATA pseudo-APDU FF CA 00 00 00, and
// turns the UID of a 90 00 answer into upper-case hex text: the badge that
// pam_upa's badge.conf normalisation then converts like any typed number.
// A card is read once per arrival: left on the reader it is one tap.
//
// The kiosk loop keeps polling descriptors: the thread writes one byte to a
// pipe for every event (badge, unreadable card, reader state change, log
// line) and relPcscRead() collects them on the kiosk's thread, which alone
// logs (libupa's logging is not meant for other threads) and draws.
// pcscd missing or restarted, no reader or a reader unplugged are retried
// for ever with back-off; relPcscStatus() says why no reader is usable.
// The UID is the badge number: it is never logged and is wiped after use.
//

#include "release.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>

#ifdef HAVE_PCSCLITE
#  include <pthread.h>
#  include <winscard.h>
#endif // HAVE_PCSCLITE


//
// 'relPcscUIDText()' - Turn a GET DATA (UID) response into badge text.
//
// The response is the UID followed by SW1 SW2; only 90 00 with 1 to 16 UID
// bytes is a UID.  The text is the bytes in the order the card sent them,
// two upper-case hex digits each ("04A23B1C").
//

int					// O - 1 = UID, 0 = other status word, -1 = malformed
relPcscUIDText(const unsigned char *resp,
					// I - Response (UID + SW1 SW2)
               size_t              resplen,
					// I - Length of response
               char                *badge,
					// O - Badge text
               size_t              badgesize,
					// I - Size of badge
               unsigned            *sw)	// O - Status word (0 if none)
{
  static const char hex[] = "0123456789ABCDEF";
					// Digits
  size_t	i,			// Looping var
		uidlen;			// UID bytes


  *sw = 0;
  if (badgesize > 0)
    badge[0] = '\0';

  if (resplen < 2)
    return (-1);

  *sw    = ((unsigned)resp[resplen - 2] << 8) | resp[resplen - 1];
  uidlen = resplen - 2;

  if (*sw != 0x9000)
    return (0);

  if (uidlen < 1 || uidlen > 16 || uidlen * 2 + 1 > badgesize)
    return (-1);

  for (i = 0; i < uidlen; i ++)
  {
    badge[2 * i]     = hex[resp[i] >> 4];
    badge[2 * i + 1] = hex[resp[i] & 15];
  }
  badge[2 * uidlen] = '\0';

  return (1);
}


#ifdef HAVE_PCSCLITE
//
// Local types...
//

#  define PCSC_MAX_LOGS		16	// Log lines kept until the kiosk reads them
#  define PCSC_MAX_BACKOFF	8	// Longest wait between pcscd retries (s)

typedef enum pcsc_event_e		// What the thread has for the kiosk
{
  PCSC_EV_NONE,				// Nothing
  PCSC_EV_BADGE,			// A card's UID
  PCSC_EV_UNREADABLE			// A card that could not be read
} pcsc_event_t;

struct rel_pcsc_s			// PC/SC reader
{
  char			match[256];	// Reader name must contain this ("" = any)
  pthread_t		thread;		// Watching thread
  bool			started;	// Thread running?
  int			pipefd[2];	// Wake-up pipe (thread -> kiosk)
  pthread_mutex_t	lock;		// Protects what follows
  bool			stop;		// Thread must end
  bool			have_ctx;	// ctx is valid
  SCARDCONTEXT		ctx;		// PC/SC context (SCardCancel() on close)
  bool			ready;		// A reader is watched
  char			status[256];	// Why not (for the idle screen)
  pcsc_event_t		event;		// Pending event
  char			badge[REL_BADGE_MAX];
					// Pending UID text
  char			message[256];	// Pending message for the user
  int			num_logs;	// Pending log lines
  upa_loglevel_t	log_levels[PCSC_MAX_LOGS];
					// Their levels
  char			logs[PCSC_MAX_LOGS][256];
					// Their text
};


//
// Local functions...
//

static bool	is_service_error(LONG rv);
static void	pcsc_log(rel_pcsc_t *pc, upa_loglevel_t level, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void	post_event(rel_pcsc_t *pc, pcsc_event_t event, const char *badge, const char *message);
static void	read_card(rel_pcsc_t *pc, SCARDCONTEXT ctx, const char *reader);
static void	set_status(rel_pcsc_t *pc, bool ready, const char *status);
static bool	stopping(rel_pcsc_t *pc);
static void	*watch_thread(void *data);
static void	wait_stop(rel_pcsc_t *pc, int seconds);
static void	wake(rel_pcsc_t *pc);


//
// 'relPcscOpen()' - Start watching a PC/SC reader.
//

rel_pcsc_t *				// O - Reader or NULL
relPcscOpen(const char *reader)		// I - Reader name substring or NULL for any
{
  rel_pcsc_t	*pc;			// Reader
  int		i;			// Looping var


  if ((pc = calloc(1, sizeof(rel_pcsc_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    return (NULL);
  }

  snprintf(pc->match, sizeof(pc->match), "%s", reader ? reader : "");
  snprintf(pc->status, sizeof(pc->status), "starting");
  pthread_mutex_init(&pc->lock, NULL);

  if (pipe2(pc->pipefd, O_CLOEXEC | O_NONBLOCK))
  {
    upaSetError(UPA_ERROR_IO, "Cannot create a pipe: %s", strerror(errno));
    pthread_mutex_destroy(&pc->lock);
    free(pc);
    return (NULL);
  }

  if ((i = pthread_create(&pc->thread, NULL, watch_thread, pc)) != 0)
  {
    upaSetError(UPA_ERROR_IO, "Cannot start the PC/SC thread: %s", strerror(i));
    relPcscClose(pc);
    return (NULL);
  }

  pc->started = true;

  return (pc);
}


//
// 'relPcscClose()' - Stop watching and free the reader.
//

void
relPcscClose(rel_pcsc_t *pc)		// I - Reader
{
  if (!pc)
    return;

  if (pc->started)
  {
    pthread_mutex_lock(&pc->lock);
    pc->stop = true;
    if (pc->have_ctx)
      SCardCancel(pc->ctx);		// Ends a waiting SCardGetStatusChange()
    pthread_mutex_unlock(&pc->lock);

    pthread_join(pc->thread, NULL);
  }

  close(pc->pipefd[0]);
  close(pc->pipefd[1]);
  pthread_mutex_destroy(&pc->lock);
  explicit_bzero(pc->badge, sizeof(pc->badge));
  free(pc);
}


//
// 'relPcscFD()' - The descriptor to poll for reader events.
//

int					// O - File descriptor or -1
relPcscFD(rel_pcsc_t *pc)		// I - Reader
{
  return (pc ? pc->pipefd[0] : -1);
}


//
// 'relPcscRead()' - Collect what the reader thread has (badge, failure, logs).
//

int					// O - 1 = badge, 0 = nothing for the user, -1 = card not read (message)
relPcscRead(rel_pcsc_t *pc,		// I - Reader
            char       *badge,		// O - Badge text
            size_t     badgesize,	// I - Size of badge
            char       *message,	// O - Message for the user
            size_t     msgsize)		// I - Size of message
{
  char			drain[64];	// Wake-up bytes
  int			i,		// Looping var
			num_logs,	// Log lines
			result = 0;	// Result
  upa_loglevel_t	levels[PCSC_MAX_LOGS];
					// Their levels
  char			logs[PCSC_MAX_LOGS][256];
					// Their text


  if (!pc)
    return (0);

  while (read(pc->pipefd[0], drain, sizeof(drain)) > 0);

  pthread_mutex_lock(&pc->lock);

  num_logs = pc->num_logs;
  memcpy(levels, pc->log_levels, sizeof(levels));
  memcpy(logs, pc->logs, sizeof(logs));
  pc->num_logs = 0;

  if (pc->event == PCSC_EV_BADGE && strlen(pc->badge) < badgesize)
  {
    snprintf(badge, badgesize, "%s", pc->badge);
    result = 1;
  }
  else if (pc->event != PCSC_EV_NONE)
  {
    snprintf(message, msgsize, "%s", pc->message);
    result = -1;
  }

  explicit_bzero(pc->badge, sizeof(pc->badge));
  pc->event = PCSC_EV_NONE;

  pthread_mutex_unlock(&pc->lock);

  for (i = 0; i < num_logs; i ++)
    upaLog(levels[i], "%s", logs[i]);

  return (result);
}


//
// 'relPcscReset()' - Drop a card read while nobody was waiting for one.
//
// A card tapped during a session is not a sign-in afterwards; a card still
// lying on the reader stays read (it is not read again until it is removed).
//

void
relPcscReset(rel_pcsc_t *pc)		// I - Reader
{
  if (!pc)
    return;

  pthread_mutex_lock(&pc->lock);
  explicit_bzero(pc->badge, sizeof(pc->badge));
  pc->event = PCSC_EV_NONE;
  pthread_mutex_unlock(&pc->lock);
}


//
// 'relPcscStatus()' - Is a reader usable?  If not, say why.
//

bool					// O - true if a reader is watched
relPcscStatus(rel_pcsc_t *pc,		// I - Reader
              char       *why,		// O - Why not
              size_t     whysize)	// I - Size of why
{
  bool	ready;				// Reader watched?


  if (!pc)
    return (true);

  pthread_mutex_lock(&pc->lock);
  ready = pc->ready;
  snprintf(why, whysize, "%s", pc->status);
  pthread_mutex_unlock(&pc->lock);

  return (ready);
}


//
// 'is_service_error()' - Does an error mean the PC/SC context is lost?
//

static bool				// O - true to re-establish the context
is_service_error(LONG rv)		// I - PC/SC error
{
  return (rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED || rv == SCARD_E_INVALID_HANDLE || rv == SCARD_F_COMM_ERROR || rv == SCARD_F_INTERNAL_ERROR || rv == SCARD_E_NO_MEMORY);
}


//
// 'pcsc_log()' - Queue a log line for the kiosk thread.
//

static void
pcsc_log(rel_pcsc_t     *pc,		// I - Reader
         upa_loglevel_t level,		// I - Level
         const char     *format,	// I - printf format
         ...)				// I - Arguments
{
  va_list	ap;			// Arguments


  pthread_mutex_lock(&pc->lock);
  if (pc->num_logs < PCSC_MAX_LOGS)
  {
    va_start(ap, format);
    vsnprintf(pc->logs[pc->num_logs], sizeof(pc->logs[0]), format, ap);
    va_end(ap);
    pc->log_levels[pc->num_logs ++] = level;
  }
  pthread_mutex_unlock(&pc->lock);

  wake(pc);
}


//
// 'post_event()' - Hand a read card over to the kiosk.
//

static void
post_event(rel_pcsc_t   *pc,		// I - Reader
           pcsc_event_t event,		// I - Event
           const char   *badge,		// I - UID text or NULL
           const char   *message)	// I - Message for the user or NULL
{
  pthread_mutex_lock(&pc->lock);
  pc->event = event;
  snprintf(pc->badge, sizeof(pc->badge), "%s", badge ? badge : "");
  snprintf(pc->message, sizeof(pc->message), "%s", message ? message : "");
  pthread_mutex_unlock(&pc->lock);

  wake(pc);
}


//
// 'read_card()' - Read the UID of the card on a reader and post it.
//

static void
read_card(rel_pcsc_t   *pc,		// I - Reader
          SCARDCONTEXT ctx,		// I - Context
          const char   *reader)		// I - Reader name
{
  static const BYTE get_uid[] = { 0xFF, 0xCA, 0x00, 0x00, 0x00 };
					// PC/SC Part 3 GET DATA (UID)
  SCARDHANDLE	card;			// Card connection
  DWORD		protocol,		// Active protocol
		resplen;		// Response length
  BYTE		resp[258];		// Response
  char		badge[REL_BADGE_MAX];	// UID text
  unsigned	sw;			// Status word
  LONG		rv;			// PC/SC result
  int		r;			// Conversion result


  if ((rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol)) != SCARD_S_SUCCESS)
  {
    pcsc_log(pc, UPA_LOG_WARN, "Reader %s: cannot connect to the card: %s (0x%08lX)", reader, pcsc_stringify_error(rv), (unsigned long)rv);

    if (rv == SCARD_W_REMOVED_CARD || rv == SCARD_E_NO_SMARTCARD)
      post_event(pc, PCSC_EV_UNREADABLE, NULL, "The card was removed too soon. Please tap it again and hold it still.");
    else if (!is_service_error(rv))
      post_event(pc, PCSC_EV_UNREADABLE, NULL, "This card could not be read.");
    return;
  }

  resplen = sizeof(resp);
  rv      = SCardTransmit(card, protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1, get_uid, sizeof(get_uid), NULL, resp, &resplen);

  SCardDisconnect(card, SCARD_LEAVE_CARD);

  if (rv != SCARD_S_SUCCESS)
  {
    pcsc_log(pc, UPA_LOG_WARN, "Reader %s: GET DATA (UID) failed: %s (0x%08lX)", reader, pcsc_stringify_error(rv), (unsigned long)rv);

    if (rv == SCARD_W_REMOVED_CARD || rv == SCARD_W_RESET_CARD || rv == SCARD_E_NO_SMARTCARD || rv == SCARD_E_NOT_TRANSACTED)
      post_event(pc, PCSC_EV_UNREADABLE, NULL, "The card was removed too soon. Please tap it again and hold it still.");
    else if (!is_service_error(rv))
      post_event(pc, PCSC_EV_UNREADABLE, NULL, "This card could not be read.");
    explicit_bzero(resp, sizeof(resp));
    return;
  }

  r = relPcscUIDText(resp, resplen, badge, sizeof(badge), &sw);
  explicit_bzero(resp, sizeof(resp));

  if (r == 1)
  {
    pcsc_log(pc, UPA_LOG_DEBUG, "Reader %s: card read", reader);
    post_event(pc, PCSC_EV_BADGE, badge, NULL);
  }
  else
  {
    if (r == 0)
      pcsc_log(pc, UPA_LOG_WARN, "Reader %s: the card does not give its UID (GET DATA status %04X)", reader, sw);
    else
      pcsc_log(pc, UPA_LOG_WARN, "Reader %s: malformed GET DATA answer (%u bytes)", reader, (unsigned)resplen);

    post_event(pc, PCSC_EV_UNREADABLE, NULL, "This card could not be read. Please use your badge.");
  }

  explicit_bzero(badge, sizeof(badge));
}


//
// 'set_status()' - Record whether a reader is usable (and log changes).
//

static void
set_status(rel_pcsc_t *pc,		// I - Reader
           bool       ready,		// I - Reader watched?
           const char *status)		// I - Why not (or the reader name)
{
  bool	changed;			// State changed?


  pthread_mutex_lock(&pc->lock);
  changed = pc->ready != ready || strcmp(pc->status, status);
  pc->ready = ready;
  snprintf(pc->status, sizeof(pc->status), "%s", status);
  pthread_mutex_unlock(&pc->lock);

  if (changed)
  {
    if (ready)
      pcsc_log(pc, UPA_LOG_INFO, "Reading badges from PC/SC reader %s", status);
    else
      pcsc_log(pc, UPA_LOG_WARN, "Card reader not available: %s", status);
  }
}


//
// 'stopping()' - Must the thread end?
//

static bool				// O - true to stop
stopping(rel_pcsc_t *pc)		// I - Reader
{
  bool	stop;				// Stop?


  pthread_mutex_lock(&pc->lock);
  stop = pc->stop;
  pthread_mutex_unlock(&pc->lock);

  return (stop);
}


//
// 'wait_stop()' - Sleep, waking early to stop.
//

static void
wait_stop(rel_pcsc_t *pc,		// I - Reader
          int        seconds)		// I - Seconds
{
  int	i;				// Looping var


  for (i = 0; i < seconds * 5 && !stopping(pc); i ++)
    usleep(200000);
}


//
// 'wake()' - Make the kiosk's poll() return.
//

static void
wake(rel_pcsc_t *pc)			// I - Reader
{
  ssize_t	bytes;			// Bytes written


  // A full pipe (EAGAIN) wakes the kiosk just as well
  bytes = write(pc->pipefd[1], "!", 1);
  (void)bytes;
}


//
// 'watch_thread()' - Find a reader, wait for cards, read them; for ever.
//

static void *				// O - NULL
watch_thread(void *data)		// I - Reader
{
  rel_pcsc_t		*pc = (rel_pcsc_t *)data;
					// Reader
  SCARDCONTEXT		ctx = 0;	// Context
  bool			have_ctx = false;
					// Context established?
  int			backoff = 1;	// Seconds before the next retry
  bool			seen = false;	// Card on the reader already read?
  DWORD			seen_count = 0;	// pcscd's event count of that card
  bool			relearn = false;// Adopt the next count (pcscd restarted)
  char			readers[8192],	// Reader names
			reader[256],	// Watched reader
			why[256];	// Status text
  const char		*r;		// Current name
  DWORD			len;		// Length of readers
  LONG			rv;		// PC/SC result
  SCARD_READERSTATE	state;		// Watched reader's state


  while (!stopping(pc))
  {
    if (!have_ctx)
    {
      if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx)) != SCARD_S_SUCCESS)
      {
        snprintf(why, sizeof(why), "%s (0x%08lX)", rv == SCARD_E_NO_SERVICE ? "the PC/SC service (pcscd) is not running" : pcsc_stringify_error(rv), (unsigned long)rv);
        set_status(pc, false, why);
        wait_stop(pc, backoff);
        if ((backoff *= 2) > PCSC_MAX_BACKOFF)
          backoff = PCSC_MAX_BACKOFF;
        continue;
      }

      pthread_mutex_lock(&pc->lock);
      pc->ctx      = ctx;
      pc->have_ctx = have_ctx = true;
      if (pc->stop)
        SCardCancel(ctx);
      pthread_mutex_unlock(&pc->lock);
    }

    // Choose the reader: the first one whose name contains the match text
    len = sizeof(readers);
    reader[0] = '\0';

    if ((rv = SCardListReaders(ctx, NULL, readers, &len)) == SCARD_S_SUCCESS)
    {
      for (r = readers; r < readers + len && *r; r += strlen(r) + 1)
      {
        if (!pc->match[0] || strstr(r, pc->match))
        {
          snprintf(reader, sizeof(reader), "%s", r);
          break;
        }
      }
    }
    else if (rv != SCARD_E_NO_READERS_AVAILABLE)
    {
      snprintf(why, sizeof(why), "%s (0x%08lX)", pcsc_stringify_error(rv), (unsigned long)rv);
      set_status(pc, false, why);
      goto lost;
    }

    if (!reader[0])
    {
      // Wait for a reader to be plugged in
      if (pc->match[0])
        snprintf(why, sizeof(why), "no reader named \"%.200s\" is connected", pc->match);
      else
        snprintf(why, sizeof(why), "no reader is connected");
      set_status(pc, false, why);

      memset(&state, 0, sizeof(state));
      state.szReader       = "\\\\?PnP?\\Notification";
      state.dwCurrentState = SCARD_STATE_UNAWARE;
      if ((rv = SCardGetStatusChange(ctx, 0, &state, 1)) == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT)
      {
        state.dwCurrentState = state.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
        rv = SCardGetStatusChange(ctx, 2000, &state, 1);
      }

      if (rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT || rv == SCARD_E_CANCELLED)
        continue;

      if (!is_service_error(rv))
      {
        // No PnP notification from this pcscd: poll the list instead
        wait_stop(pc, 1);
        continue;
      }

      snprintf(why, sizeof(why), "%s (0x%08lX)", pcsc_stringify_error(rv), (unsigned long)rv);
      set_status(pc, false, why);
      goto lost;
    }

    // Watch the reader until it goes away or pcscd does
    set_status(pc, true, reader);
    backoff = 1;

    memset(&state, 0, sizeof(state));
    state.szReader       = reader;
    state.dwCurrentState = SCARD_STATE_UNAWARE;

    while (!stopping(pc))
    {
      if ((rv = SCardGetStatusChange(ctx, 1000, &state, 1)) == SCARD_E_TIMEOUT)
        continue;
      else if (rv != SCARD_S_SUCCESS)
        break;

      state.dwCurrentState = state.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;

      if (state.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE | SCARD_STATE_IGNORE))
      {
        rv = SCARD_E_READER_UNAVAILABLE;
        break;
      }

      if (state.dwEventState & SCARD_STATE_PRESENT)
      {
        // One arrival is one tap: the high word counts pcscd's card events
        DWORD count = state.dwEventState >> 16;
					// Event count

        if (seen && (relearn || count == seen_count))
        {
          seen_count = count;
          relearn    = false;
          continue;
        }

        seen       = true;
        seen_count = count;

        if (state.dwEventState & SCARD_STATE_MUTE)
        {
          pcsc_log(pc, UPA_LOG_WARN, "Reader %s: the card does not answer", reader);
          post_event(pc, PCSC_EV_UNREADABLE, NULL, "This card could not be read.");
        }
        else
          read_card(pc, ctx, reader);
      }
      else if (state.dwEventState & SCARD_STATE_EMPTY)
      {
        if (seen)
          pcsc_log(pc, UPA_LOG_DEBUG, "Reader %s: card removed", reader);
        seen = relearn = false;
      }
    }

    if (rv == SCARD_E_CANCELLED || stopping(pc))
      break;

    if (!is_service_error(rv))
    {
      // Unplugged (or renamed): look for a reader again
      snprintf(why, sizeof(why), "reader %s is gone", reader);
      set_status(pc, false, why);
      seen = false;
      continue;
    }

    snprintf(why, sizeof(why), "%s (0x%08lX)", rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED || rv == SCARD_F_COMM_ERROR ? "the PC/SC service (pcscd) stopped" : pcsc_stringify_error(rv), (unsigned long)rv);
    set_status(pc, false, why);

    lost:

    // The context is lost (pcscd stopped or restarted): start over
    pthread_mutex_lock(&pc->lock);
    pc->have_ctx = have_ctx = false;
    pthread_mutex_unlock(&pc->lock);
    SCardReleaseContext(ctx);

    // pcscd's new event counts start over: a card seen before the outage
    // and still lying there is not read again; "seen_count" is re-learnt
    relearn = seen;

    wait_stop(pc, backoff);
    if ((backoff *= 2) > PCSC_MAX_BACKOFF)
      backoff = PCSC_MAX_BACKOFF;
  }

  pthread_mutex_lock(&pc->lock);
  if (pc->have_ctx)
  {
    pc->have_ctx = false;
    SCardReleaseContext(ctx);
  }
  pthread_mutex_unlock(&pc->lock);

  return (NULL);
}


#else
//
// Without pcsc-lite: --card-pcsc is refused at start-up.
//

struct rel_pcsc_s			// Never allocated
{
  int	unused;				// (C needs a member)
};


//
// 'relPcscOpen()' - Refuse: no PC/SC support.
//

rel_pcsc_t *				// O - NULL
relPcscOpen(const char *reader)		// I - Reader name substring (unused)
{
  (void)reader;

  upaSetError(UPA_ERROR_ARGS, "This upa-release was built without PC/SC support (pcsc-lite): --card-pcsc is not available");

  return (NULL);
}


//
// 'relPcscClose()' - Nothing to close.
//

void
relPcscClose(rel_pcsc_t *pc)		// I - Reader (unused)
{
  (void)pc;
}


//
// 'relPcscFD()' - No descriptor.
//

int					// O - -1
relPcscFD(rel_pcsc_t *pc)		// I - Reader (unused)
{
  (void)pc;

  return (-1);
}


//
// 'relPcscRead()' - Nothing is ever read.
//

int					// O - 0
relPcscRead(rel_pcsc_t *pc,		// I - Reader (unused)
            char       *badge,		// O - Badge text (unused)
            size_t     badgesize,	// I - Size of badge (unused)
            char       *message,	// O - Message (unused)
            size_t     msgsize)		// I - Size of message (unused)
{
  (void)pc;
  (void)badge;
  (void)badgesize;
  (void)message;
  (void)msgsize;

  return (0);
}


//
// 'relPcscReset()' - Nothing to reset.
//

void
relPcscReset(rel_pcsc_t *pc)		// I - Reader (unused)
{
  (void)pc;
}


//
// 'relPcscStatus()' - No reader, nothing to report.
//

bool					// O - true
relPcscStatus(rel_pcsc_t *pc,		// I - Reader (unused)
              char       *why,		// O - Why not
              size_t     whysize)	// I - Size of why
{
  (void)pc;

  snprintf(why, whysize, "no PC/SC support");

  return (true);
}
#endif // HAVE_PCSCLITE
