//
// upa-release kiosk mode: the full-screen release station (ncurses).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Idle screen ("Tap your badge") -> PAM (auth.c) -> the user's jobs -> pick
// some or all -> per-job progress (fetched bytes, in CUPS, printing, done)
// -> log out after completion or --idle-timeout.  Works on a Linux console
// or any terminal of 80x24 or more.  Before fetching, the queue is checked
// (stopped, not accepting, media-empty, offline...) and another queue of the
// station offered instead.  Log messages go to stderr when it is not the
// terminal, else to syslog, never onto the screen.
//

#include "release.h"
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <syslog.h>
#include <ncurses.h>


//
// Local types...
//

typedef enum kjob_state_e		// Progress of one job on screen
{
  KJOB_WAITING,				// Not started
  KJOB_FETCHING,			// Bytes flowing into CUPS
  KJOB_IN_CUPS,				// Released to CUPS, queued
  KJOB_PRINTING,			// CUPS job processing
  KJOB_DONE,				// CUPS job completed
  KJOB_FAILED				// Not released or not printed
} kjob_state_t;

typedef struct kjob_s			// One job of the session
{
  rel_job_t	*job;			// Listed job
  bool		selected;		// Picked by the user
  kjob_state_t	state;			// Progress
  long long	bytes;			// Bytes streamed
  int		cups_job_id;		// CUPS job-id once created
  char		note[256];		// Why it failed / what the queue cannot honour
} kjob_t;

typedef struct kiosk_s			// Station state
{
  rel_station_t	*st;			// Options, config, CUPS, journal
  rel_card_t	*card;			// Badge reader
  rel_pcsc_t	*pcsc;			// PC/SC card reader or NULL
  int		num_queues;		// Queues of the station
  upa_device_t	*devs[REL_MAX_QUEUES];	// Their devices (NULL = not registered)
  char		qstate[REL_MAX_QUEUES][256];
					// "ready" or why not
  bool		qready[REL_MAX_QUEUES];	// Ready?
  time_t	qchecked;		// When the queue states were read
  int		current;		// Queue in use
  char		upn[256];		// Signed-in user
  char		user_uri[512];		// mailto:UPN
  upa_client_t	*client;		// Cloud session of the current queue
  int		client_queue;		// Queue the client belongs to
  rel_job_t	*jobs;			// The user's jobs
  int		num_jobs;		// Number of jobs
  kjob_t	*kjobs;			// Session view of the jobs
  int		cursor;			// Highlighted job
  char		status[512];		// Status line
  struct timespec last_draw;		// Progress redraw throttle
} kiosk_t;


//
// Local globals...
//

static bool	kiosk_syslog = false;	// Log to syslog (stderr is the screen)
static char	kiosk_lastlog[512] = "";// Last warning/error logged


//
// Local functions...
//

static void	center(int row, int attrs, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void	check_queues(kiosk_t *k, bool force);
static bool	choose_queue(kiosk_t *k);
static void	draw_header(kiosk_t *k, const char *title);
static void	draw_footer(const char *keys);
static void	draw_idle(kiosk_t *k);
static void	draw_jobs(kiosk_t *k, bool progress);
static void	end_session(kiosk_t *k);
static void	follow_printing(kiosk_t *k);
static void	format_age(time_t t, char *s, size_t ssize);
static void	format_left(time_t expires, char *s, size_t ssize);
static void	kiosk_log(void *data, upa_loglevel_t level, const char *message);
static bool	pin_cb(void *data, const char *prompt, char *pin, size_t pinsize);
static void	progress_cb(void *data, const upa_release_t *progress);
static void	release_selected(kiosk_t *k);
static void	session(kiosk_t *k);
static void	show_message(kiosk_t *k, const char *title, const char *message, int seconds);
static int	wait_badge(kiosk_t *k, char *badge, size_t badgesize);
static int	wait_key(int timeout_ms);


//
// 'relKiosk()' - Run the release station until interrupted.
//

int					// O - Exit status
relKiosk(rel_station_t *st)		// I - Station
{
  kiosk_t	k;			// Station state
  int		i;			// Looping var
  char		badge[REL_BADGE_MAX + 1],
					// Badge read
		message[512];		// Authentication message
  rel_auth_t	auth;			// Authentication outcome
  int		status = REL_EXIT_RELEASED;
					// Exit status


  memset(&k, 0, sizeof(k));
  k.st           = st;
  k.num_queues   = st->opts->num_queues;
  k.client_queue = -1;

  // Logging must never write over the screen
  kiosk_syslog = isatty(2);
  if (kiosk_syslog)
    openlog("upa-release", LOG_PID, LOG_LPR);
  upaLogSetCallback(kiosk_log, NULL);

  for (i = 0; i < k.num_queues; i ++)
  {
    if ((k.devs[i] = upaDeviceFindQueue(st->cfg, st->opts->queues[i])) == NULL)
      upaLog(UPA_LOG_ERROR, "Queue %s: %s", st->opts->queues[i], upaLastErrorString());
  }

  if ((k.card = relCardOpen(st->opts->card_device)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    status = REL_EXIT_USAGE;
    goto done;
  }

  // The PC/SC reader is watched by a thread; a missing pcscd or reader is
  // shown on the idle screen and retried, never fatal
  if (st->opts->card_pcsc && (k.pcsc = relPcscOpen(st->opts->pcsc_reader)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    status = REL_EXIT_USAGE;
    goto done;
  }

  setlocale(LC_ALL, "");
  if (!initscr())
  {
    fputs("upa-release: cannot use this terminal\n", stderr);
    status = REL_EXIT_USAGE;
    goto done;
  }

  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  if (has_colors())
  {
    start_color();
    use_default_colors();
    init_pair(1, COLOR_WHITE, COLOR_BLUE);
    init_pair(2, COLOR_RED, -1);
    init_pair(3, COLOR_GREEN, -1);
  }

  upaLog(UPA_LOG_INFO, "Release station started for %s", st->opts->printer);

  for (;;)
  {
    if (wait_badge(&k, badge, sizeof(badge)) < 0)
      break;

    draw_header(&k, "Checking your badge...");
    center(LINES / 2, A_BOLD, "Checking your badge...");
    refresh();

    auth = relAuthenticate(st->opts->pam_service, st->opts->station, badge, pin_cb, &k, k.upn, sizeof(k.upn), message, sizeof(message));
    explicit_bzero(badge, sizeof(badge));

    if (auth != REL_AUTH_OK)
    {
      upaLog(UPA_LOG_INFO, "Badge refused: %s", message);
      show_message(&k, "Sign-in failed", message, 4);
      continue;
    }

    relUserURI(k.upn, k.user_uri, sizeof(k.user_uri));
    upaLog(UPA_LOG_INFO, "%s signed in", k.upn);

    session(&k);
    end_session(&k);
  }

  endwin();

  done:

  end_session(&k);
  relCardClose(k.card);
  relPcscClose(k.pcsc);
  for (i = 0; i < k.num_queues; i ++)
    upaDeviceDelete(k.devs[i]);

  return (status);
}


//
// 'center()' - Print a centered line.
//

static void
center(int        row,			// I - Screen row
       int        attrs,		// I - Attributes
       const char *format,		// I - printf format
       ...)				// I - Arguments
{
  char		line[1024];		// Line
  va_list	ap;			// Arguments
  int		len;			// Length


  va_start(ap, format);
  vsnprintf(line, sizeof(line), format, ap);
  va_end(ap);

  len = (int)strlen(line);
  if (len > COLS - 2)
    len = COLS - 2;

  move(row, 0);
  clrtoeol();
  attron(attrs);
  mvaddnstr(row, (COLS - len) / 2, line, len);
  attroff(attrs);
}


//
// 'check_queues()' - Read the state of the station's queues (every 5 s).
//

static void
check_queues(kiosk_t *k,		// I - Station
             bool    force)		// I - Check now
{
  int	i;				// Looping var
  char	why[256];			// Why not ready


  if (!force && time(NULL) - k->qchecked < 5)
    return;

  for (i = 0; i < k->num_queues; i ++)
  {
    if (!k->devs[i])
    {
      k->qready[i] = false;
      snprintf(k->qstate[i], sizeof(k->qstate[i]), "not registered with Universal Print");
    }
    else if ((k->qready[i] = upaCupsQueueReady(k->st->cups, k->devs[i]->queue, why, sizeof(why))) == true)
      snprintf(k->qstate[i], sizeof(k->qstate[i]), "ready");
    else
      snprintf(k->qstate[i], sizeof(k->qstate[i]), "%s", why);
  }

  k->qchecked = time(NULL);
}


//
// 'choose_queue()' - Make the current queue a ready one if there is one.
//

static bool				// O - true if the current queue is ready
choose_queue(kiosk_t *k)		// I - Station
{
  int	i;				// Looping var


  // Each session starts at the station's first queue
  check_queues(k, true);
  k->current = 0;

  if (k->qready[k->current])
    return (true);

  for (i = 0; i < k->num_queues; i ++)
  {
    if (k->qready[i])
    {
      k->current = i;
      return (true);
    }
  }

  return (false);
}


//
// 'draw_footer()' - Show the key help on the last line.
//

static void
draw_footer(const char *keys)		// I - Key help
{
  move(LINES - 1, 0);
  clrtoeol();
  attron(A_REVERSE);
  mvaddnstr(LINES - 1, 0, keys, COLS);
  attroff(A_REVERSE);
}


//
// 'draw_header()' - Clear the screen and draw the title bar.
//

static void
draw_header(kiosk_t    *k,		// I - Station
            const char *title)		// I - Title
{
  char		right[300],		// Right side
		clock[32];		// Time of day
  time_t	now = time(NULL);	// Current time
  struct tm	tmbuf;			// Local time


  erase();
  strftime(clock, sizeof(clock), "%H:%M", localtime_r(&now, &tmbuf));
  snprintf(right, sizeof(right), "%s: %s  %s", k->st->opts->queues[k->current], k->qready[k->current] ? "ready" : "not ready", clock);

  attron(has_colors() ? COLOR_PAIR(1) | A_BOLD : A_REVERSE);
  move(0, 0);
  hline(' ', COLS);
  mvaddnstr(0, 1, title, COLS - 2);
  if ((int)strlen(right) + (int)strlen(title) + 4 < COLS)
    mvaddstr(0, COLS - (int)strlen(right) - 1, right);
  attroff(has_colors() ? COLOR_PAIR(1) | A_BOLD : A_REVERSE);
}


//
// 'draw_idle()' - The waiting screen.
//

static void
draw_idle(kiosk_t *k)			// I - Station
{
  int	i;				// Looping var
  int	row;				// Screen row
  char	why[256];			// Why the card reader is not usable


  check_queues(k, false);
  draw_header(k, "Universal Print release station");

  center(LINES / 2 - 2, A_BOLD, "Tap your badge to print your documents");

  if (k->pcsc && !relPcscStatus(k->pcsc, why, sizeof(why)))
  {
    if (has_colors())
      attron(COLOR_PAIR(2));
    center(LINES / 2 - 1, A_BOLD, "Card reader not available: %s", why);
    if (has_colors())
      attroff(COLOR_PAIR(2));
  }

  row = LINES / 2 + 1;
  for (i = 0; i < k->num_queues && row < LINES - 2; i ++, row ++)
  {
    if (!k->qready[i] && has_colors())
      attron(COLOR_PAIR(2));
    center(row, 0, "Printer %s: %s", k->st->opts->queues[i], k->qstate[i]);
    if (!k->qready[i] && has_colors())
      attroff(COLOR_PAIR(2));
  }

  draw_footer(" Tap your badge on the reader");
  refresh();
}


//
// 'draw_jobs()' - The job list, with selection or with progress.
//

static void
draw_jobs(kiosk_t *k,			// I - Station
          bool    progress)		// I - Show progress instead of details
{
  int		i,			// Looping var
		row,			// Screen row
		first = 0,		// First job shown
		visible;		// Rows for jobs
  char		title[512],		// Title
		line[1024],		// One row
		when[32],		// Submitted
		left[32],		// Time left
		extra[64],		// Colour/duplex
		pages[16];		// Pages
  kjob_t	*kj;			// Current job


  snprintf(title, sizeof(title), "%s - %d job%s", k->upn, k->num_jobs, k->num_jobs == 1 ? "" : "s");
  draw_header(k, title);

  visible = LINES - 7;
  if (visible < 1)
    visible = 1;
  if (k->cursor >= visible)
    first = k->cursor - visible + 1;

  attron(A_BOLD);
  if (progress)
    mvaddnstr(2, 0, "     Document                         Progress", COLS);
  else
    mvaddnstr(2, 0, "     Document                      Pages Submitted  Left    Format Options", COLS);
  attroff(A_BOLD);

  for (i = first, row = 3; i < k->num_jobs && row < 3 + visible; i ++, row ++)
  {
    kj = k->kjobs + i;

    if (progress)
    {
      char state[300];			// Progress text

      switch (kj->state)
      {
        case KJOB_WAITING :
            snprintf(state, sizeof(state), "%s", kj->selected ? "waiting" : "-");
            break;
        case KJOB_FETCHING :
            snprintf(state, sizeof(state), "fetching %lld KB", kj->bytes / 1024);
            break;
        case KJOB_IN_CUPS :
            snprintf(state, sizeof(state), "sent to printer (%lld KB)", kj->bytes / 1024);
            break;
        case KJOB_PRINTING :
            snprintf(state, sizeof(state), "printing");
            break;
        case KJOB_DONE :
            snprintf(state, sizeof(state), "done");
            break;
        case KJOB_FAILED :
            snprintf(state, sizeof(state), "failed: %s", kj->note);
            break;
      }

      snprintf(line, sizeof(line), "     %-32.32s %s", kj->job->info.name[0] ? kj->job->info.name : "(untitled)", state);
    }
    else
    {
      format_age(kj->job->info.created, when, sizeof(when));
      format_left(kj->job->expires, left, sizeof(left));

      if (kj->job->info.pages > 0)
        snprintf(pages, sizeof(pages), "%d", kj->job->info.pages);
      else
        snprintf(pages, sizeof(pages), "?");

      snprintf(extra, sizeof(extra), "%s%s%s", !strcmp(kj->job->color, "monochrome") ? "mono" : kj->job->color[0] ? "colour" : "", kj->job->color[0] && kj->job->sides[0] ? " " : "", !strncmp(kj->job->sides, "two-sided", 9) ? "duplex" : kj->job->sides[0] ? "simplex" : "");
      if (kj->job->info.copies > 1)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " x%d", kj->job->info.copies);

      snprintf(line, sizeof(line), " %c[%c] %-29.29s %5s %-10s %-7s %-6.6s %s", i == k->cursor ? '>' : ' ', kj->selected ? 'x' : ' ', kj->job->info.name[0] ? kj->job->info.name : "(untitled)", pages, when, left, !strcmp(kj->job->info.format, "application/pdf") ? "PDF" : strstr(kj->job->info.format, "xps") ? "XPS" : kj->job->info.format[0] ? kj->job->info.format : "?", extra);
    }

    if (!progress && i == k->cursor)
      attron(A_REVERSE);
    if (progress && kj->state == KJOB_FAILED && has_colors())
      attron(COLOR_PAIR(2));
    if (progress && kj->state == KJOB_DONE && has_colors())
      attron(COLOR_PAIR(3));
    mvaddnstr(row, 0, line, COLS);
    attroff(A_REVERSE | COLOR_PAIR(2) | COLOR_PAIR(3));
  }

  // Status: what the queue cannot honour, errors, hints
  move(LINES - 3, 0);
  clrtoeol();
  mvaddnstr(LINES - 3, 1, k->status, COLS - 2);

  if (progress)
    draw_footer(" Printing... please wait");
  else if (k->num_queues > 1)
    draw_footer(" Up/Down: move  Space: select  A: select all  Enter: print selected  P: print all  Tab: other printer  Esc: log out");
  else
    draw_footer(" Up/Down: move  Space: select  A: select all  Enter: print selected  P: print all  Esc: log out");

  refresh();
}


//
// 'end_session()' - Forget the signed-in user.
//

static void
end_session(kiosk_t *k)			// I - Station
{
  if (k->upn[0])
    upaLog(UPA_LOG_INFO, "%s signed out", k->upn);

  upaClientDelete(k->client);
  k->client       = NULL;
  k->client_queue = -1;
  free(k->jobs);
  free(k->kjobs);
  k->jobs      = NULL;
  k->kjobs     = NULL;
  k->num_jobs  = 0;
  k->cursor    = 0;
  k->status[0] = '\0';
  explicit_bzero(k->upn, sizeof(k->upn));
  explicit_bzero(k->user_uri, sizeof(k->user_uri));
}


//
// 'follow_printing()' - Poll CUPS until the released jobs are printed.
//

static void
follow_printing(kiosk_t *k)		// I - Station
{
  time_t	deadline = time(NULL) + k->st->opts->print_wait;
					// Stop following then
  int		i,			// Looping var
		busy;			// Jobs still in CUPS
  ipp_jstate_t	state;			// CUPS job state
  const char	*queue = k->devs[k->current]->queue;
					// Queue


  do
  {
    for (i = 0, busy = 0; i < k->num_jobs; i ++)
    {
      kjob_t *kj = k->kjobs + i;	// Job

      if (kj->state != KJOB_IN_CUPS && kj->state != KJOB_PRINTING)
        continue;

      if ((state = upaCupsJobState(k->st->cups, queue, kj->cups_job_id)) == IPP_JSTATE_PROCESSING)
        kj->state = KJOB_PRINTING;
      else if (state == IPP_JSTATE_COMPLETED)
      {
        kj->state = KJOB_DONE;
        upaLog(UPA_LOG_INFO, "Cloud job %d printed as CUPS job %s-%d", kj->job->info.id, queue, kj->cups_job_id);
      }
      else if (state == IPP_JSTATE_ABORTED || state == IPP_JSTATE_CANCELED)
      {
        kj->state = KJOB_FAILED;
        snprintf(kj->note, sizeof(kj->note), "the printer %s the job", state == IPP_JSTATE_ABORTED ? "aborted" : "canceled");
      }
      else if (state == IPP_JSTATE_STOPPED)
        snprintf(k->status, sizeof(k->status), "Printer %s has stopped: ask for help or try another printer", queue);

      if (kj->state == KJOB_IN_CUPS || kj->state == KJOB_PRINTING)
        busy ++;
    }

    draw_jobs(k, true);

    if (busy == 0 || time(NULL) >= deadline)
      break;
  }
  while (wait_key(1000) == ERR);

  if (busy > 0)
    snprintf(k->status, sizeof(k->status), "Your documents are queued at %s and will print shortly.", queue);
}


//
// 'format_age()' - "14:03" today, else "Mar 3 14:03".
//

static void
format_age(time_t t,			// I - Time
           char   *s,			// O - String
           size_t ssize)		// I - Size of string
{
  struct tm	tmt,			// Time
		tmnow;			// Now
  time_t	now = time(NULL);	// Current time


  if (t <= 0)
  {
    snprintf(s, ssize, "?");
    return;
  }

  localtime_r(&t, &tmt);
  localtime_r(&now, &tmnow);

  if (tmt.tm_yday == tmnow.tm_yday && tmt.tm_year == tmnow.tm_year)
    strftime(s, ssize, "%H:%M", &tmt);
  else
    strftime(s, ssize, "%b %d", &tmt);
}


//
// 'format_left()' - Time left before expiry: "2d 3h", "5h", "12m", "?".
//

static void
format_left(time_t expires,		// I - Expiry (0 = unknown)
            char   *s,			// O - String
            size_t ssize)		// I - Size of string
{
  long	left = (long)(expires - time(NULL));
					// Seconds left


  if (expires <= 0)
    snprintf(s, ssize, "-");
  else if (left <= 0)
    snprintf(s, ssize, "expired");
  else if (left >= 86400)
    snprintf(s, ssize, "%ldd %ldh", left / 86400, (left % 86400) / 3600);
  else if (left >= 3600)
    snprintf(s, ssize, "%ldh", left / 3600);
  else
    snprintf(s, ssize, "%ldm", (left + 59) / 60);
}


//
// 'kiosk_log()' - Log to stderr (not the terminal) or syslog.
//

static void
kiosk_log(void           *data,		// I - Callback data (unused)
          upa_loglevel_t level,		// I - Level
          const char     *message)	// I - Message
{
  (void)data;

  if (level <= UPA_LOG_WARN)
    snprintf(kiosk_lastlog, sizeof(kiosk_lastlog), "%s", message);

  if (kiosk_syslog)
    syslog(level == UPA_LOG_ERROR ? LOG_ERR : level == UPA_LOG_WARN ? LOG_WARNING : level == UPA_LOG_INFO ? LOG_INFO : LOG_DEBUG, "%s", message);
  else
    fprintf(stderr, "upa-release: %s%s\n", level == UPA_LOG_DEBUG ? "debug: " : "", message);
}


//
// 'pin_cb()' - Ask for a PIN on screen (hidden, 30 s).
//

static bool				// O - true if entered
pin_cb(void       *data,		// I - Station
       const char *prompt,		// I - PAM prompt
       char       *pin,			// O - PIN
       size_t     pinsize)		// I - Size of PIN
{
  kiosk_t	*k = (kiosk_t *)data;	// Station
  size_t	len = 0;		// Length
  int		ch;			// Key
  char		stars[64];		// Echo


  for (;;)
  {
    memset(stars, '*', len < sizeof(stars) - 1 ? len : sizeof(stars) - 1);
    stars[len < sizeof(stars) - 1 ? len : sizeof(stars) - 1] = '\0';

    draw_header(k, "Sign in");
    center(LINES / 2 - 1, A_BOLD, "%s", prompt && *prompt ? prompt : "PIN:");
    center(LINES / 2 + 1, 0, "[%-8s]", stars);
    draw_footer(" Type your PIN, then Enter.  Esc: cancel");
    refresh();

    if ((ch = wait_key(30000)) == ERR || ch == 27)
      break;
    else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
    {
      pin[len] = '\0';
      return (len > 0);
    }
    else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len > 0)
      len --;
    else if (ch >= ' ' && ch <= '~' && len + 1 < pinsize)
      pin[len ++] = (char)ch;
  }

  explicit_bzero(pin, pinsize);

  return (false);
}


//
// 'progress_cb()' - Release progress from libupa.
//

static void
progress_cb(void                *data,	// I - Job
            const upa_release_t *progress)
					// I - Progress
{
  kiosk_t		*k = (kiosk_t *)data;
					// Station
  int			i;		// Looping var
  kjob_t		*kj = NULL;	// Job
  struct timespec	now;		// Current time


  for (i = 0; i < k->num_jobs; i ++)
    if (k->kjobs[i].job->info.id == progress->cloud_job_id)
      kj = k->kjobs + i;

  if (!kj)
    return;

  kj->bytes       = progress->bytes;
  kj->cups_job_id = progress->cups_job_id;
  kj->state       = progress->stage == UPA_RSTAGE_RELEASED ? KJOB_IN_CUPS : KJOB_FETCHING;

  // Redraw at most 10 times a second while bytes flow
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (progress->stage == UPA_RSTAGE_FETCHING && (now.tv_sec - k->last_draw.tv_sec) * 1000 + (now.tv_nsec - k->last_draw.tv_nsec) / 1000000 < 100)
    return;

  k->last_draw = now;
  draw_jobs(k, true);
}


//
// 'release_selected()' - Release the selected jobs at the current queue.
//

static void
release_selected(kiosk_t *k)		// I - Station
{
  int		i,			// Looping var
		released = 0,		// Jobs released
		failed = 0;		// Jobs that failed
  upa_release_t	result;			// One release
  const char	*queue = k->devs[k->current]->queue;
					// Queue
  char		unsupported[1024] = "";	// What the queue cannot honour


  if (k->client_queue != k->current)
  {
    upaClientDelete(k->client);
    if ((k->client = upaClientCreate(k->st->cfg, k->devs[k->current])) == NULL)
    {
      snprintf(k->status, sizeof(k->status), "Cannot reach Universal Print: %s", upaLastErrorString());
      k->client_queue = -1;
      return;
    }
    k->client_queue = k->current;
  }

  k->status[0] = '\0';

  for (i = 0; i < k->num_jobs; i ++)
  {
    kjob_t	*kj = k->kjobs + i;	// Job
    bool	ok;			// Released?

    if (!kj->selected)
      continue;

    kj->state = KJOB_FETCHING;
    draw_jobs(k, true);

    ok = upaReleaseJob(k->client, k->st->cups, k->st->journal, queue, k->user_uri, kj->job->info.id, progress_cb, k, &result);

    if (!ok && upaLastError() == UPA_ERROR_AUTH)
    {
      // The token expired while the user was choosing and a renewal was
      // refused once: renew explicitly and retry once
      char	token[4096];		// New token

      upaLog(UPA_LOG_INFO, "Cloud job %d: %s; renewing the device token and retrying", kj->job->info.id, upaLastErrorString());
      upaReleaseClear(&result);
      if (upaClientGetToken(k->client, true, token, sizeof(token)))
        ok = upaReleaseJob(k->client, k->st->cups, k->st->journal, queue, k->user_uri, kj->job->info.id, progress_cb, k, &result);
      explicit_bzero(token, sizeof(token));
    }

    if (ok)
    {
      released ++;
      kj->state       = KJOB_IN_CUPS;
      kj->cups_job_id = result.cups_job_id;
      kj->bytes       = result.bytes;

      if (result.ticket.unsupported[0] && strlen(unsupported) + strlen(result.ticket.unsupported) + 2 < sizeof(unsupported))
        snprintf(unsupported + strlen(unsupported), sizeof(unsupported) - strlen(unsupported), "%s%s", unsupported[0] ? "," : "", result.ticket.unsupported);
      if (result.ticket.ignored[0])
        upaLog(UPA_LOG_WARN, "Cloud job %d: not carried over to CUPS: %s", kj->job->info.id, result.ticket.ignored);
    }
    else
    {
      upa_error_t err = upaLastError();	// Why

      failed ++;
      kj->state = KJOB_FAILED;

      if (err == UPA_ERROR_NOT_FETCHABLE || err == UPA_ERROR_NOT_POSSIBLE || err == UPA_ERROR_NOT_FOUND)
        snprintf(kj->note, sizeof(kj->note), "no longer available (released at another printer or canceled)");
      else if (err == UPA_ERROR_BUSY && strstr(upaLastErrorString(), "another station"))
        snprintf(kj->note, sizeof(kj->note), "being released at another station");
      else if (err == UPA_ERROR_NETWORK || err == UPA_ERROR_BUSY)
        snprintf(kj->note, sizeof(kj->note), "Universal Print is not reachable; try again");
      else if (err == UPA_ERROR_CUPS)
        snprintf(kj->note, sizeof(kj->note), "the printer refused it");
      else
        snprintf(kj->note, sizeof(kj->note), "%s", upaLastErrorString());

      upaLog(UPA_LOG_WARN, "%s: cloud job %d not released at %s: %s", k->upn, kj->job->info.id, queue, upaLastErrorString());
    }

    upaReleaseClear(&result);
    draw_jobs(k, true);
  }

  // (libupa has logged it, per job)
  if (unsupported[0])
    snprintf(k->status, sizeof(k->status), "%s cannot honour: %s", queue, unsupported);

  upaLog(UPA_LOG_INFO, "%s released %d job(s) at %s, %d failed", k->upn, released, queue, failed);

  if (released > 0)
    follow_printing(k);
  else
    draw_jobs(k, true);

  center(LINES - 4, A_BOLD, "%s  Logging out...", released > 0 && failed == 0 ? "All done." : released > 0 ? "Some documents could not be printed." : "Nothing was printed.");
  refresh();
  wait_key(failed ? 8000 : 4000);
}


//
// 'session()' - One signed-in user: list, pick, release.
//

static void
session(kiosk_t *k)			// I - Station
{
  int		i,			// Looping var
		ch,			// Key
		idle = 0,		// Seconds without a key
		count;			// Selected jobs
  char		why[256];		// Why a queue is not ready


  choose_queue(k);

  if (!k->devs[k->current])
  {
    show_message(k, "Not available", "This station's printer is not registered with Universal Print.", 5);
    return;
  }

  draw_header(k, k->upn);
  center(LINES / 2, A_BOLD, "Looking for your documents...");
  refresh();

  if ((k->client = upaClientCreate(k->st->cfg, k->devs[k->current])) == NULL || (k->num_jobs = relGetJobs(k->client, k->user_uri, k->st->opts->job_lifetime, &k->jobs)) < 0)
  {
    upaLog(UPA_LOG_ERROR, "Cannot list the jobs of %s: %s", k->upn, upaLastErrorString());
    k->num_jobs = 0;
    show_message(k, k->upn, "Universal Print is not reachable right now. Please try again later.", 5);
    return;
  }

  k->client_queue = k->current;

  if (k->num_jobs == 0)
  {
    upaLog(UPA_LOG_INFO, "No jobs for %s", k->upn);
    show_message(k, k->upn, "No print jobs available", 5);
    return;
  }

  if ((k->kjobs = calloc((size_t)k->num_jobs, sizeof(kjob_t))) == NULL)
    return;

  for (i = 0; i < k->num_jobs; i ++)
    k->kjobs[i].job = k->jobs + i;

  if (!k->qready[k->current])
    snprintf(k->status, sizeof(k->status), "%s cannot print now (%s).", k->st->opts->queues[k->current], k->qstate[k->current]);

  for (;;)
  {
    draw_jobs(k, false);

    if ((ch = wait_key(1000)) == ERR)
    {
      if (++ idle >= k->st->opts->idle_timeout)
      {
        upaLog(UPA_LOG_INFO, "%s: idle timeout", k->upn);
        return;
      }
      continue;
    }

    idle = 0;

    switch (ch)
    {
      case KEY_UP :
      case 'k' :
          if (k->cursor > 0)
            k->cursor --;
          break;

      case KEY_DOWN :
      case 'j' :
          if (k->cursor < k->num_jobs - 1)
            k->cursor ++;
          break;

      case ' ' :
          k->kjobs[k->cursor].selected = !k->kjobs[k->cursor].selected;
          break;

      case 'a' :
      case 'A' :
          for (i = 0, count = 0; i < k->num_jobs; i ++)
            count += k->kjobs[i].selected;
          for (i = 0; i < k->num_jobs; i ++)
            k->kjobs[i].selected = count < k->num_jobs;
          break;

      case '\t' :
          if (k->num_queues > 1)
          {
            k->current = (k->current + 1) % k->num_queues;
            check_queues(k, true);
            if (k->qready[k->current])
              snprintf(k->status, sizeof(k->status), "Printing to %s.", k->st->opts->queues[k->current]);
            else
              snprintf(k->status, sizeof(k->status), "%s cannot print now (%s).", k->st->opts->queues[k->current], k->qstate[k->current]);
          }
          break;

      case 'p' :
      case 'P' :
      case '\n' :
      case '\r' :
      case KEY_ENTER :
          for (i = 0, count = 0; i < k->num_jobs; i ++)
          {
            if (ch == 'p' || ch == 'P')
              k->kjobs[i].selected = true;
            count += k->kjobs[i].selected;
          }

          if (count == 0)
          {
            // Enter with nothing selected prints the highlighted job
            k->kjobs[k->cursor].selected = true;
          }

          // Gate on the printer: never fetch into one that cannot print
          if (!k->devs[k->current] || !upaCupsQueueReady(k->st->cups, k->devs[k->current]->queue, why, sizeof(why)))
          {
            int other = -1;		// A ready queue

            if (!k->devs[k->current])
              snprintf(why, sizeof(why), "%s is not registered with Universal Print", k->st->opts->queues[k->current]);

            check_queues(k, true);
            for (i = 0; i < k->num_queues; i ++)
              if (k->qready[i] && other < 0)
                other = i;

            upaLog(UPA_LOG_WARN, "%s: not releasing: %s", k->upn, why);

            if (other >= 0)
              snprintf(k->status, sizeof(k->status), "Cannot print: %s. Press Tab to print at %s instead.", why, k->st->opts->queues[other]);
            else
              snprintf(k->status, sizeof(k->status), "Cannot print: %s. Your documents stay in the cloud; try another printer.", why);
            break;
          }

          release_selected(k);
          return;

      case 27 :
      case 'q' :
      case 'Q' :
      case 'x' :
          return;

      default :
          break;
    }
  }
}


//
// 'show_message()' - Show a message until a key or a timeout.
//

static void
show_message(kiosk_t    *k,		// I - Station
             const char *title,		// I - Title
             const char *message,	// I - Message
             int        seconds)	// I - Timeout
{
  draw_header(k, title);
  center(LINES / 2, A_BOLD, "%s", message);
  draw_footer(" Press any key");
  refresh();
  wait_key(seconds * 1000);
}


//
// 'wait_badge()' - Show the idle screen until a badge is read.
//

static int				// O - 0 = badge read, -1 = quit
wait_badge(kiosk_t *k,			// I - Station
           char    *badge,		// O - Badge
           size_t  badgesize)		// I - Size of badge
{
  struct pollfd	fds[3];			// Terminal and readers
  int		nfds,			// Number of descriptors
		card = -1,		// Index of the evdev reader
		pcsc = -1,		// Index of the PC/SC reader
		ch,			// Key
		r;			// Feed result
  char		message[256];		// Why a card was not read


  relCardReset(k->card);
  relPcscReset(k->pcsc);		// Taps during the last session are not sign-ins

  for (;;)
  {
    draw_idle(k);

    fds[0].fd     = 0;
    fds[0].events = POLLIN;
    nfds          = 1;

    if (relCardFD(k->card) >= 0)
    {
      card             = nfds ++;
      fds[card].fd     = relCardFD(k->card);
      fds[card].events = POLLIN;
    }

    if (relPcscFD(k->pcsc) >= 0)
    {
      pcsc             = nfds ++;
      fds[pcsc].fd     = relPcscFD(k->pcsc);
      fds[pcsc].events = POLLIN;
    }

    if (poll(fds, (nfds_t)nfds, 1000) < 0)
    {
      if (errno == EINTR)
        continue;
      return (-1);
    }

    if (pcsc >= 0 && (fds[pcsc].revents & POLLIN))
    {
      if ((r = relPcscRead(k->pcsc, badge, badgesize, message, sizeof(message))) == 1)
        return (0);
      else if (r < 0)
        show_message(k, "Sign-in failed", message, 3);
    }

    if (card >= 0 && (fds[card].revents & (POLLIN | POLLERR | POLLHUP)))
    {
      if ((r = relCardRead(k->card, badge, badgesize)) == 1)
        return (0);
      else if (r < 0 && (fds[card].revents & (POLLERR | POLLHUP)))
      {
        upaLog(UPA_LOG_ERROR, "%s", upaLastErrorString());
        return (-1);
      }
      else if (r < 0)
        show_message(k, "Sign-in failed", "Badge not recognised", 3);
    }

    if (fds[0].revents & (POLLHUP | POLLERR))
      return (-1);

    if (fds[0].revents & POLLIN)
    {
      // Without --card-device the reader types on this terminal
      timeout(0);
      while ((ch = getch()) != ERR)
      {
        if (ch == KEY_RESIZE || relCardFD(k->card) >= 0)
          continue;

        if ((r = relCardFeed(k->card, ch == KEY_ENTER ? '\n' : ch, badge, badgesize)) == 1)
          return (0);
        else if (r < 0)
          show_message(k, "Sign-in failed", "Badge not recognised", 3);
      }
    }
  }
}


//
// 'wait_key()' - Wait for a key up to a timeout.
//

static int				// O - Key or ERR
wait_key(int timeout_ms)		// I - Timeout in milliseconds
{
  int	ch;				// Key


  timeout(timeout_ms);
  do
  {
    ch = getch();
  }
  while (ch == KEY_RESIZE);

  return (ch);
}
