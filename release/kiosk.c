//
// upa-release kiosk mode: the full-screen release station (ncurses).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Idle screen ("Tap your badge") -> sign-in -> the user's jobs -> pick
// some or all -> per-job progress (fetched bytes, in CUPS, printing, done)
// -> log out after completion or --idle-timeout.  Works on a Linux console
// or any terminal of 80x24 or more.  Before fetching, the queue is checked
// (stopped, not accepting, media-empty, offline...) and another queue of the
// station offered instead.  Log messages go to stderr when it is not the
// terminal (the journal under upa-kiosk@.service), else to syslog, never
// onto the screen.
//
// This program holds no privilege and decides nothing: the sign-in, the job
// list and the releases are requests to the release helper (helper.c, over
// proto.c) on --helper SOCKET, which authenticates the badge itself.  A root
// kiosk without --helper runs the helper in a child process.  The terminal
// is in raw mode: Ctrl-C, Ctrl-\ and Ctrl-Z are plain keys, and the
// signals are ignored too.
//

#include "release.h"
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <wchar.h>
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
  bool		canceling;		// The user asked to cancel its release
} kjob_t;

typedef struct kiosk_s			// Station state
{
  rel_station_t	*st;			// Options, config
  rel_card_t	*card;			// Badge reader
  rel_pcsc_t	*pcsc;			// PC/SC card reader or NULL
  int		hfd;			// Connection to the release helper (-1 = none)
  char		hwhy[256];		// Why there is none
  rel_helper_opts_t hopts;		// In-process helper options (root, no --helper)
  int		num_queues;		// Queues of the station
  bool		qregistered[REL_MAX_QUEUES];
					// Registered with Universal Print?
  char		qstate[REL_MAX_QUEUES][256];
					// "ready" or why not
  bool		qready[REL_MAX_QUEUES];	// Ready?
  time_t	qchecked;		// When the queue states were read
  int		current;		// Queue in use
  char		upn[256];		// Signed-in user
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
static int	draw_footer(const char *keys);
static void	draw_idle(kiosk_t *k);
static void	draw_jobs(kiosk_t *k, bool progress);
static void	end_session(kiosk_t *k);
static void	fit_text(const char *text, int width, bool middle, char *out, size_t outsize);
static void	follow_printing(kiosk_t *k, const char *queue);
static void	format_age(time_t t, char *s, size_t ssize);
static void	format_left(time_t expires, char *s, size_t ssize);
static bool	helper_call(kiosk_t *k, json_object *req, json_object **reply, kjob_t *kj);
static bool	helper_connect(kiosk_t *k);
static void	helper_disconnect(kiosk_t *k);
static bool	helper_ok(json_object *reply, char *message, size_t msgsize);
static void	kiosk_log(void *data, upa_loglevel_t level, const char *message);
static bool	pin_entry(kiosk_t *k, const char *prompt, char *pin, size_t pinsize);
static void	release_selected(kiosk_t *k);
static void	session(kiosk_t *k);
static void	show_message(kiosk_t *k, const char *title, const char *message, int seconds);
static int	wait_badge(kiosk_t *k, char *badge, size_t badgesize);
static int	wait_key(int timeout_ms);


//
// 'relKiosk()' - Run the release station until its terminal goes away.
//

int					// O - Exit status
relKiosk(rel_station_t *st)		// I - Station
{
  kiosk_t	k;			// Station state
  char		badge[REL_BADGE_MAX + 1],
					// Badge read
		message[512];		// Authentication message
  int		status = REL_EXIT_RELEASED;
					// Exit status
  json_object	*req,			// Sign-in request
		*reply;			// Its answer


  memset(&k, 0, sizeof(k));
  k.st         = st;
  k.num_queues = st->opts->num_queues;
  k.hfd        = -1;

  // The keyboard cannot stop the station: raw mode below, and the signals
  // its keys would send are ignored in case the terminal is not raw yet
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGTSTP, SIG_IGN);
  signal(SIGTTIN, SIG_IGN);
  signal(SIGTTOU, SIG_IGN);

  // Logging must never write over the screen
  kiosk_syslog = isatty(2);
  if (kiosk_syslog)
    openlog("upa-release", LOG_PID, LOG_LPR);
  upaLogSetCallback(kiosk_log, NULL);

  if (!st->opts->helper)
  {
    // Root without --helper: the helper is a child of this process
    k.hopts.cfg          = st->cfg;
    k.hopts.pam_service  = st->opts->pam_service;
    k.hopts.idle_expiry  = st->opts->idle_timeout + st->opts->print_wait + 120;
    k.hopts.station_rate = 0;
    k.hopts.fail_free    = 1000;
  }

  // Connect (or, as root, fork the helper) before the PC/SC thread starts;
  // a helper that is not there yet is retried from the idle screen
  helper_connect(&k);

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

  raw();
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

    req = relMsgNew("auth");
    json_object_object_add(req, "badge", json_object_new_string(badge));
    explicit_bzero(badge, sizeof(badge));

    if (!helper_call(&k, req, &reply, NULL))
    {
      show_message(&k, "Sign-in failed", "The sign-in service is not available. Please try again later.", st->opts->message_time);
      continue;
    }

    if (!helper_ok(reply, message, sizeof(message)))
    {
      json_object_put(reply);
      upaLog(UPA_LOG_INFO, "Badge refused: %s", message);
      show_message(&k, "Sign-in failed", message, st->opts->message_time);
      continue;
    }

    upaTextStripControl(k.upn, sizeof(k.upn), relMsgGetString(reply, "user") ? relMsgGetString(reply, "user") : "");
    json_object_put(reply);
    upaLog(UPA_LOG_INFO, "%s signed in", k.upn);

    session(&k);
    end_session(&k);
  }

  endwin();

  done:

  end_session(&k);
  helper_disconnect(&k);
  relCardClose(k.card);
  relPcscClose(k.pcsc);

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
  char		line[1024],		// Line
		fitted[1024];		// Cut to the screen
  va_list	ap;			// Arguments
  int		width;			// Display width


  va_start(ap, format);
  vsnprintf(line, sizeof(line), format, ap);
  va_end(ap);

  fit_text(line, COLS - 2, false, fitted, sizeof(fitted));
  if ((width = (int)mbstowcs(NULL, fitted, 0)) < 0)
    width = (int)strlen(fitted);
  if (width > COLS - 2)
    width = COLS - 2;

  move(row, 0);
  clrtoeol();
  attron(attrs);
  mvaddstr(row, (COLS - width) / 2, fitted);
  attroff(attrs);
}


//
// 'check_queues()' - Read the state of the station's queues (every 5 s).
//

static void
check_queues(kiosk_t *k,		// I - Station
             bool    force)		// I - Check now
{
  int		i;			// Looping var
  json_object	*req,			// Request
		*reply,			// Reply
		*array,			// Queue states
		*obj;			// One state
  const char	*state;			// State text


  if (!force && time(NULL) - k->qchecked < 5)
    return;

  req   = relMsgNew("status");
  array = json_object_new_array();
  for (i = 0; i < k->num_queues; i ++)
    json_object_array_add(array, json_object_new_string(k->st->opts->queues[i]));
  json_object_object_add(req, "queues", array);

  if (!helper_call(k, req, &reply, NULL))
  {
    for (i = 0; i < k->num_queues; i ++)
    {
      k->qready[i] = false;
      snprintf(k->qstate[i], sizeof(k->qstate[i]), "release service not available");
    }
  }
  else
  {
    if (!json_object_object_get_ex(reply, "queues", &array) || !json_object_is_type(array, json_type_array))
      array = NULL;

    for (i = 0; i < k->num_queues; i ++)
    {
      obj = array && i < (int)json_object_array_length(array) ? json_object_array_get_idx(array, (size_t)i) : NULL;
      if (obj && (state = relMsgGetString(obj, "state")) != NULL)
      {
        json_object *val;		// Boolean member

        k->qready[i]      = json_object_object_get_ex(obj, "ready", &val) && json_object_get_boolean(val);
        k->qregistered[i] = json_object_object_get_ex(obj, "registered", &val) && json_object_get_boolean(val);
        upaTextStripControl(k->qstate[i], sizeof(k->qstate[i]), state);
      }
      else
      {
        k->qready[i] = false;
        snprintf(k->qstate[i], sizeof(k->qstate[i]), "unknown");
      }
    }

    json_object_put(reply);
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
// 'draw_footer()' - Show the key help on the last line(s).
//
// Help that does not fit one line is broken at its double spaces onto the
// last two lines, so that no key is ever cut off (80x24 is the minimum).
//

static int				// O - Number of lines used
draw_footer(const char *keys)		// I - Key help
{
  char		first[512],		// First line
		*split = NULL,		// Break
		*ptr;			// Looking for breaks
  int		lines = 1;		// Lines used


  snprintf(first, sizeof(first), "%s", keys);

  if ((int)strlen(first) > COLS)
  {
    // Break at the last double space that fits
    for (ptr = strstr(first + 1, "  "); ptr && ptr - first <= COLS; ptr = strstr(ptr + 1, "  "))
      split = ptr;
  }

  move(LINES - 1, 0);
  clrtoeol();
  attron(A_REVERSE);
  if (split)
  {
    *split = '\0';
    move(LINES - 2, 0);
    clrtoeol();
    hline(' ', COLS);
    mvaddnstr(LINES - 2, 0, first, COLS);
    hline(' ', COLS);
    mvaddnstr(LINES - 1, 0, split + 1, COLS);
    lines = 2;
  }
  else
  {
    hline(' ', COLS);
    mvaddnstr(LINES - 1, 0, first, COLS);
  }
  attroff(A_REVERSE);

  return (lines);
}


//
// 'draw_header()' - Clear the screen and draw the title bar.
//

static void
draw_header(kiosk_t    *k,		// I - Station
            const char *title)		// I - Title
{
  char		right[300],		// Right side
		clock[32],		// Time of day
		fitted[512];		// Title cut to fit
  time_t	now = time(NULL);	// Current time
  struct tm	tmbuf;			// Local time
  int		room;			// Columns for the title


  erase();
  strftime(clock, sizeof(clock), "%H:%M", localtime_r(&now, &tmbuf));
  snprintf(right, sizeof(right), "%s: %s  %s", k->st->opts->queues[k->current], k->qready[k->current] ? "ready" : "not ready", clock);

  room = COLS - 2;
  if ((int)strlen(right) + (int)strlen(title) + 4 < COLS)
    room = COLS - (int)strlen(right) - 4;
  fit_text(title, room, false, fitted, sizeof(fitted));

  attron(has_colors() ? COLOR_PAIR(1) | A_BOLD : A_REVERSE);
  move(0, 0);
  hline(' ', COLS);
  mvaddstr(0, 1, fitted);
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


  if (k->hfd < 0)
    helper_connect(k);
  check_queues(k, false);
  draw_header(k, "Universal Print release station");

  center(LINES / 2 - 2, A_BOLD, "Tap your badge to print your documents");

  if (k->hfd < 0)
  {
    if (has_colors())
      attron(COLOR_PAIR(2));
    center(LINES / 2 - 1, A_BOLD, "Release service not available: %s", k->hwhy);
    if (has_colors())
      attroff(COLOR_PAIR(2));
  }
  else if (k->pcsc && !relPcscStatus(k->pcsc, why, sizeof(why)))
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
// The document name takes what the other columns leave; a name too long
// for it keeps its start and its end around "...", so that two long names
// that differ only at the end stay distinguishable.
//

static void
draw_jobs(kiosk_t *k,			// I - Station
          bool    progress)		// I - Show progress instead of details
{
  int		i,			// Looping var
		row,			// Screen row
		first = 0,		// First job shown
		visible,		// Rows for jobs
		namew,			// Width of the name column
		pnamew;			// Its width with progress
  char		title[512],		// Title
		line[1024],		// One row
		name[512],		// Name fitted to its column
		when[32],		// Submitted
		left[32],		// Time left
		extra[64],		// Colour/duplex
		pages[16];		// Pages
  kjob_t	*kj;			// Current job


  snprintf(title, sizeof(title), "%s - %d job%s", k->upn, k->num_jobs, k->num_jobs == 1 ? "" : "s");
  draw_header(k, title);

  visible = LINES - 8;
  if (visible < 1)
    visible = 1;
  if (k->cursor >= visible)
    first = k->cursor - visible + 1;

  // " >[x] " + name + " Pages Sent   Left    Format Options(17)"
  namew = COLS - 6 - 44;
  if (namew < 12)
    namew = 12;
  pnamew = namew + 6 > 32 ? 32 : namew + 6;

  attron(A_BOLD);
  if (progress)
    snprintf(line, sizeof(line), "     %-*s Progress", pnamew, "Document");
  else
    snprintf(line, sizeof(line), "     %-*s Pages Sent   Left    Format Options", namew, "Document");
  mvaddnstr(2, 0, line, COLS);
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
            if (kj->canceling)
              snprintf(state, sizeof(state), "canceling...");
            else
              snprintf(state, sizeof(state), "fetching %lld KB", kj->bytes / 1024);
            break;
        case KJOB_IN_CUPS :
            snprintf(state, sizeof(state), "%s", kj->note[0] ? kj->note : "sent to printer");
            break;
        case KJOB_PRINTING :
            snprintf(state, sizeof(state), "%s", kj->note[0] ? kj->note : "printing");
            break;
        case KJOB_DONE :
            snprintf(state, sizeof(state), "done");
            break;
        case KJOB_FAILED :
            snprintf(state, sizeof(state), "failed: %s", kj->note);
            break;
      }

      fit_text(kj->job->info.name[0] ? kj->job->info.name : "(untitled)", pnamew, true, name, sizeof(name));
      snprintf(line, sizeof(line), "     %s %s", name, state);
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

      fit_text(kj->job->info.name[0] ? kj->job->info.name : "(untitled)", namew, true, name, sizeof(name));
      snprintf(line, sizeof(line), " %c[%c] %s %5s %-6s %-7s %-6.6s %s", i == k->cursor ? '>' : ' ', kj->selected ? 'x' : ' ', name, pages, when, left, !strcmp(kj->job->info.format, "application/pdf") ? "PDF" : strstr(kj->job->info.format, "xps") ? "XPS" : kj->job->info.format[0] ? kj->job->info.format : "?", extra);
    }

    if (!progress && i == k->cursor)
      attron(A_REVERSE);
    if (progress && kj->state == KJOB_FAILED && has_colors())
      attron(COLOR_PAIR(2));
    if (progress && kj->state == KJOB_DONE && has_colors())
      attron(COLOR_PAIR(3));
    move(row, 0);
    clrtoeol();
    fit_text(line, COLS, false, name, sizeof(name));
    mvaddstr(row, 0, name);
    attroff(A_REVERSE | COLOR_PAIR(2) | COLOR_PAIR(3));
  }

  // Status: what the queue cannot honour, errors, hints
  move(LINES - 3, 0);
  clrtoeol();
  fit_text(k->status, COLS - 2, false, line, sizeof(line));
  mvaddstr(LINES - 3, 1, line);

  if (progress)
    draw_footer(" Printing... please wait  C: cancel my documents");
  else if (k->num_queues > 1)
    draw_footer(" Up/Down: move  Space: select  A: select all  Enter: print selected  P: print all  Tab: other printer  Esc: log out");
  else
    draw_footer(" Up/Down: move  Space: select  A: select all  Enter: print selected  P: print all  Esc: log out");

  refresh();
}


//
// 'end_session()' - Forget the signed-in user (here and in the helper).
//

static void
end_session(kiosk_t *k)			// I - Station
{
  json_object	*reply;			// Helper's answer


  if (k->upn[0])
  {
    upaLog(UPA_LOG_INFO, "%s signed out", k->upn);
    if (k->hfd >= 0 && helper_call(k, relMsgNew("logout"), &reply, NULL))
      json_object_put(reply);
  }

  free(k->jobs);
  free(k->kjobs);
  k->jobs      = NULL;
  k->kjobs     = NULL;
  k->num_jobs  = 0;
  k->cursor    = 0;
  k->status[0] = '\0';
  explicit_bzero(k->upn, sizeof(k->upn));
}


//
// 'fit_text()' - Fit text to a display width, keeping its start and end.
//
// "a-very-long-report-2026-03.pdf" at width 20 becomes "a-very-lo...-03.pdf"
// (middle, padded with spaces to the width: a column), or is cut at the end.
//

static void
fit_text(const char *text,		// I - Text (UTF-8)
         int        width,		// I - Display width
         bool       middle,		// I - Keep the end ("...") rather than cut it
         char       *out,		// O - Fitted text
         size_t     outsize)		// I - Size of out
{
  wchar_t	wtext[1024],		// Wide text
		wout[1100];		// Wide result
  size_t	len,			// Characters
		i,			// Looping var
		o = 0;			// Output characters
  int		w,			// Width so far
		cw,			// Width of one character
		head,			// Width kept at the start
		tail;			// Width kept at the end
  size_t	tstart;			// First character of the tail


  if (width < 1 || (len = mbstowcs(wtext, text, sizeof(wtext) / sizeof(wtext[0]) - 1)) == (size_t)-1)
  {
    // Not valid in this locale: plain bytes
    snprintf(out, outsize, "%-*.*s", width < 1 ? 0 : width, width < 1 ? 0 : width, text);
    return;
  }
  wtext[len] = L'\0';

  for (i = 0; i < len; i ++)
    if ((cw = wcwidth(wtext[i])) < 0)
      wtext[i] = L'?';

  if ((w = wcswidth(wtext, len)) <= width)
  {
    memcpy(wout, wtext, len * sizeof(wchar_t));
    o = len;
  }
  else if (width < 8 || !middle)
  {
    for (i = 0, w = 0; i < len && w + wcwidth(wtext[i]) <= width; i ++)
    {
      w += wcwidth(wtext[i]);
      wout[o ++] = wtext[i];
    }
  }
  else
  {
    // Keep a little more of the end: names differ there (dates, numbers)
    tail = (width - 3) / 2 + 1;
    head = width - 3 - tail;

    for (i = 0, w = 0; i < len && w + wcwidth(wtext[i]) <= head; i ++)
    {
      w += wcwidth(wtext[i]);
      wout[o ++] = wtext[i];
    }

    wout[o ++] = L'.';
    wout[o ++] = L'.';
    wout[o ++] = L'.';
    w += 3;

    for (tstart = len, cw = 0; tstart > i && cw + wcwidth(wtext[tstart - 1]) <= tail; tstart --)
      cw += wcwidth(wtext[tstart - 1]);

    for (; tstart < len; tstart ++)
      wout[o ++] = wtext[tstart];
    w += cw;
  }

  w = wcswidth(wout, o);
  while (middle && w < width && o < sizeof(wout) / sizeof(wout[0]) - 1)
  {
    wout[o ++] = L' ';
    w ++;
  }
  wout[o] = L'\0';

  if (wcstombs(out, wout, outsize) == (size_t)-1 || outsize == 0)
    snprintf(out, outsize, "%-*.*s", width, width, text);
  else
    out[outsize - 1] = '\0';
}


//
// 'follow_printing()' - Follow the released jobs in CUPS until printed.
//
// A printer that stops, goes offline or reports an error is shown as it
// happens, and if documents are still waiting at the end the user is told
// why instead of being logged out as if all had printed.  C cancels the
// user's documents that have not printed; any other key stops following.
//

static void
follow_printing(kiosk_t    *k,		// I - Station
                const char *queue)	// I - Queue
{
  time_t	deadline = time(NULL) + k->st->opts->print_wait;
					// Stop following then
  int		i,			// Looping var
		busy,			// Jobs still in CUPS
		ch;			// Key
  ipp_jstate_t	state;			// CUPS job state
  json_object	*req,			// Request
		*reply;			// Reply
  long long	value;			// Integer member
  const char	*why;			// Why the queue cannot print
  char		down[256] = "";		// Last reason the printer cannot print
  bool		ready;			// Queue ready?


  for (;;)
  {
    for (i = 0, busy = 0; i < k->num_jobs; i ++)
    {
      kjob_t *kj = k->kjobs + i;	// Job

      if (kj->state != KJOB_IN_CUPS && kj->state != KJOB_PRINTING)
        continue;

      req = relMsgNew("job-state");
      json_object_object_add(req, "queue", json_object_new_string(queue));
      json_object_object_add(req, "cups_job", json_object_new_int(kj->cups_job_id));

      if (!helper_call(k, req, &reply, NULL))
      {
        busy ++;
        continue;
      }

      state = relMsgGetInt(reply, "state", &value) ? (ipp_jstate_t)value : IPP_JSTATE_PENDING;
      json_object *val;			// Boolean member
      ready = !json_object_object_get_ex(reply, "ready", &val) || json_object_get_boolean(val);
      why   = relMsgGetString(reply, "why");

      if (!ready && why && *why)
        upaTextStripControl(down, sizeof(down), why);

      if (state == IPP_JSTATE_COMPLETED)
      {
        kj->state   = KJOB_DONE;
        kj->note[0] = '\0';
        upaLog(UPA_LOG_INFO, "CUPS job %s-%d printed", queue, kj->cups_job_id);
      }
      else if (state == IPP_JSTATE_ABORTED || state == IPP_JSTATE_CANCELED)
      {
        kj->state = KJOB_FAILED;
        snprintf(kj->note, sizeof(kj->note), "the printer %s the job", state == IPP_JSTATE_ABORTED ? "aborted" : "canceled");
      }
      else
      {
        kj->state = state == IPP_JSTATE_PROCESSING ? KJOB_PRINTING : KJOB_IN_CUPS;
        if (!ready)
          snprintf(kj->note, sizeof(kj->note), "waiting: the printer cannot print");
        else
          kj->note[0] = '\0';
      }

      json_object_put(reply);

      if (kj->state == KJOB_IN_CUPS || kj->state == KJOB_PRINTING)
        busy ++;
    }

    if (down[0] && busy > 0)
      snprintf(k->status, sizeof(k->status), "Not printing: %s. Ask for help or press C to cancel.", down);

    draw_jobs(k, true);

    if (busy == 0 || time(NULL) >= deadline)
      break;

    if ((ch = wait_key(1000)) == 'c' || ch == 'C')
    {
      // Cancel what has not printed, then show how that ended
      for (i = 0; i < k->num_jobs; i ++)
      {
        kjob_t *kj = k->kjobs + i;	// Job

        if (kj->state != KJOB_IN_CUPS && kj->state != KJOB_PRINTING)
          continue;

        req = relMsgNew("cancel");
        json_object_object_add(req, "queue", json_object_new_string(queue));
        json_object_object_add(req, "cups_job", json_object_new_int(kj->cups_job_id));
        if (helper_call(k, req, &reply, NULL))
        {
          if (helper_ok(reply, NULL, 0))
          {
            kj->state = KJOB_FAILED;
            snprintf(kj->note, sizeof(kj->note), "canceled by you");
          }
          json_object_put(reply);
        }
      }
      snprintf(k->status, sizeof(k->status), "Your documents that had not printed were canceled.");
      draw_jobs(k, true);
      return;
    }
    else if (ch != ERR)
      break;
  }

  if (busy > 0 && down[0])
    snprintf(k->status, sizeof(k->status), "NOT PRINTED YET: %s. Your documents wait in its queue; ask for help.", down);
  else if (busy > 0)
    snprintf(k->status, sizeof(k->status), "Your documents are queued at %s and will print shortly.", queue);

  draw_jobs(k, true);
}


//
// 'format_age()' - "14:03" today, else "Mar 03".
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
// 'helper_call()' - Send a request to the helper and wait for its answer.
//
// PIN prompts are answered from the keyboard and release progress updates
// "kj" on the way.  false means the helper is gone (the connection is
// closed; the next request reconnects, and the session is lost).
//

static bool				// O - true if *reply is set
helper_call(kiosk_t     *k,		// I - Station
            json_object *req,		// I - Request (released here)
            json_object **reply,	// O - Final answer
            kjob_t      *kj)		// I - Job being released or NULL
{
  json_object		*msg;		// Message from the helper
  const char		*prompt,	// PIN prompt
			*stage;		// Release stage
  long long		value;		// Integer member
  char			pin[256];	// PIN typed
  json_object		*answer;	// Our answer
  struct timespec	now;		// Current time
  bool			keyboard = true;// Watch the keyboard for C


  *reply = NULL;

  if (k->hfd < 0 && !helper_connect(k))
  {
    json_object_put(req);
    return (false);
  }

  if (!relMsgSend(k->hfd, req))
  {
    upaLog(UPA_LOG_ERROR, "The release helper went away");
    helper_disconnect(k);
    return (false);
  }

  for (;;)
  {
    if (kj)
    {
      // While a job is released, C asks the helper to cancel it
      struct pollfd	pfds[2];	// Helper and keyboard
      int		ch,		// Key
			r;		// Poll result

      pfds[0].fd      = k->hfd;
      pfds[0].events  = POLLIN;
      pfds[0].revents = 0;
      pfds[1].fd      = keyboard ? 0 : -1;
      pfds[1].events  = POLLIN;
      pfds[1].revents = 0;

      if ((r = poll(pfds, 2, 600000)) < 0 && errno == EINTR)
        continue;
      else if (r <= 0)
      {
        upaLog(UPA_LOG_ERROR, "The release helper does not answer");
        helper_disconnect(k);
        return (false);
      }

      if (pfds[1].revents & (POLLHUP | POLLERR | POLLNVAL))
        keyboard = false;		// The terminal went away: just wait

      if (!(pfds[0].revents & (POLLIN | POLLHUP | POLLERR)))
      {
        if (pfds[1].revents & POLLIN)
        {
          timeout(0);
          while ((ch = getch()) != ERR)
          {
            if ((ch == 'c' || ch == 'C') && !kj->canceling)
            {
              kj->canceling = true;
              snprintf(kj->note, sizeof(kj->note), "canceling...");
              draw_jobs(k, true);
              if (!relMsgSend(k->hfd, relMsgNew("cancel")))
              {
                helper_disconnect(k);
                return (false);
              }
            }
          }
        }
        continue;
      }
    }

    // A release may take long; the helper's own timeouts bound it
    if (relMsgRecv(k->hfd, 600000, &msg) != 1)
    {
      upaLog(UPA_LOG_ERROR, "The release helper went away");
      helper_disconnect(k);
      return (false);
    }

    if ((prompt = relMsgGetString(msg, "prompt")) != NULL)
    {
      char clean[256];			// Prompt without controls

      upaTextStripControl(clean, sizeof(clean), prompt);
      json_object_put(msg);

      if (pin_entry(k, clean, pin, sizeof(pin)))
      {
        answer = relMsgNew("answer");
        json_object_object_add(answer, "text", json_object_new_string(pin));
      }
      else
        answer = relMsgNew("cancel");
      explicit_bzero(pin, sizeof(pin));

      draw_header(k, "Checking your badge...");
      center(LINES / 2, A_BOLD, "Checking your badge...");
      refresh();

      if (!relMsgSend(k->hfd, answer))
      {
        helper_disconnect(k);
        return (false);
      }
    }
    else if ((stage = relMsgGetString(msg, "progress")) != NULL)
    {
      if (kj)
      {
        if (relMsgGetInt(msg, "bytes", &value))
          kj->bytes = value;
        if (relMsgGetInt(msg, "cups_job", &value))
          kj->cups_job_id = (int)value;
        kj->state = !strcmp(stage, "released") ? KJOB_IN_CUPS : KJOB_FETCHING;

        // Redraw at most 10 times a second while bytes flow
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (kj->state != KJOB_FETCHING || (now.tv_sec - k->last_draw.tv_sec) * 1000 + (now.tv_nsec - k->last_draw.tv_nsec) / 1000000 >= 100)
        {
          k->last_draw = now;
          draw_jobs(k, true);
        }
      }
      json_object_put(msg);
    }
    else
    {
      *reply = msg;
      return (true);
    }
  }
}


//
// 'helper_connect()' - Connect to the release helper (or start one, as root).
//

static bool				// O - true if connected
helper_connect(kiosk_t *k)		// I - Station
{
  struct sockaddr_un	addr;		// Socket address
  int			fd;		// Socket
  json_object		*req,		// Hello
			*reply = NULL;	// Answer
  char			message[256];	// Refusal


  helper_disconnect(k);

  if (!k->st->opts->helper)
  {
    if ((k->hfd = relHelperSpawn(&k->hopts)) < 0)
    {
      snprintf(k->hwhy, sizeof(k->hwhy), "%s", upaLastErrorString());
      return (false);
    }
  }
  else
  {
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
    {
      snprintf(k->hwhy, sizeof(k->hwhy), "%s", strerror(errno));
      return (false);
    }

    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", k->st->opts->helper);

    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
    {
      snprintf(k->hwhy, sizeof(k->hwhy), "%s: %s", k->st->opts->helper, strerror(errno));
      close(fd);
      return (false);
    }

    k->hfd = fd;
  }

  // Name the station (logs and PAM_RHOST); the helper answers ok, or
  // refuses a user it does not serve
  req = relMsgNew("hello");
  json_object_object_add(req, "station", json_object_new_string(k->st->opts->station ? k->st->opts->station : k->st->opts->printer));
  if (!relMsgSend(k->hfd, req) || relMsgRecv(k->hfd, 30000, &reply) != 1 || !helper_ok(reply, message, sizeof(message)))
  {
    snprintf(k->hwhy, sizeof(k->hwhy), "%s", reply ? message : "the helper does not answer");
    upaLog(UPA_LOG_ERROR, "Release helper: %s", k->hwhy);
    json_object_put(reply);
    helper_disconnect(k);
    return (false);
  }

  json_object_put(reply);
  k->hwhy[0]  = '\0';
  k->qchecked = 0;

  return (true);
}


//
// 'helper_disconnect()' - Close the connection to the helper.
//

static void
helper_disconnect(kiosk_t *k)		// I - Station
{
  if (k->hfd >= 0)
    close(k->hfd);

  k->hfd = -1;
}


//
// 'helper_ok()' - Did the helper say "ok"?  If not, why.
//

static bool				// O - true if ok
helper_ok(json_object *reply,		// I - Answer
          char        *message,		// O - Why not (sanitized) or NULL
          size_t      msgsize)		// I - Size of message
{
  json_object	*ok;			// "ok"
  const char	*text;			// "message"


  if (json_object_object_get_ex(reply, "ok", &ok) && json_object_is_type(ok, json_type_boolean) && json_object_get_boolean(ok))
    return (true);

  if (message && msgsize)
  {
    if ((text = relMsgGetString(reply, "message")) != NULL && *text)
      upaTextStripControl(message, msgsize, text);
    else
      snprintf(message, msgsize, "The request was refused");
  }

  return (false);
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
// 'pin_entry()' - Ask for a PIN on screen (hidden, 30 s).
//

static bool				// O - true if entered
pin_entry(kiosk_t    *k,		// I - Station
          const char *prompt,		// I - PAM prompt
          char       *pin,		// O - PIN
          size_t     pinsize)		// I - Size of PIN
{
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
    else if (ch >= ' ' && ch <= '~' && len + 1 < pinsize && len < 64)
      pin[len ++] = (char)ch;
  }

  explicit_bzero(pin, pinsize);

  return (false);
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
  const char	*queue = k->st->opts->queues[k->current];
					// Queue
  char		unsupported[1024] = "";	// What the queue cannot honour
  json_object	*req,			// Request
		*reply;			// Reply
  long long	value;			// Integer member
  const char	*text;			// String member


  k->status[0] = '\0';

  for (i = 0; i < k->num_jobs; i ++)
  {
    kjob_t	*kj = k->kjobs + i;	// Job

    if (!kj->selected)
      continue;

    kj->state = KJOB_FETCHING;
    draw_jobs(k, true);

    req = relMsgNew("release");
    json_object_object_add(req, "queue", json_object_new_string(queue));
    json_object_object_add(req, "job", json_object_new_int(kj->job->info.id));

    if (!helper_call(k, req, &reply, kj))
    {
      failed ++;
      kj->state = KJOB_FAILED;
      snprintf(kj->note, sizeof(kj->note), "the release service stopped; try again");
      draw_jobs(k, true);
      break;
    }

    if (helper_ok(reply, kj->note, sizeof(kj->note)))
    {
      released ++;
      kj->state = KJOB_IN_CUPS;
      kj->note[0] = '\0';
      if (relMsgGetInt(reply, "cups_job", &value))
        kj->cups_job_id = (int)value;
      if (relMsgGetInt(reply, "bytes", &value))
        kj->bytes = value;

      if ((text = relMsgGetString(reply, "unsupported")) != NULL && *text && strlen(unsupported) + strlen(text) + 2 < sizeof(unsupported))
      {
        char clean[512];		// Sanitized

        upaTextStripControl(clean, sizeof(clean), text);
        snprintf(unsupported + strlen(unsupported), sizeof(unsupported) - strlen(unsupported), "%s%s", unsupported[0] ? "," : "", clean);
      }
    }
    else
    {
      failed ++;
      kj->state = KJOB_FAILED;
      upaLog(UPA_LOG_WARN, "%s: cloud job %d not released at %s: %s", k->upn, kj->job->info.id, queue, kj->note);
    }

    json_object_put(reply);
    draw_jobs(k, true);
  }

  if (unsupported[0])
  {
    snprintf(k->status, sizeof(k->status), "%s cannot honour: %s", queue, unsupported);
    upaLog(UPA_LOG_INFO, "%s cannot honour: %s", queue, unsupported);
  }

  upaLog(UPA_LOG_INFO, "%s released %d job(s) at %s, %d failed", k->upn, released, queue, failed);

  if (released > 0)
    follow_printing(k, queue);
  else
    draw_jobs(k, true);

  for (i = 0; i < k->num_jobs; i ++)
    if (k->kjobs[i].state == KJOB_IN_CUPS || k->kjobs[i].state == KJOB_PRINTING)
      break;

  if (i < k->num_jobs && !strncmp(k->status, "NOT PRINTED", 11))
  {
    // The printer is down: say so and give the user time to read it
    center(LINES - 4, A_BOLD, "Your documents have not printed yet.  Logging out...");
    refresh();
    wait_key(15000);
    return;
  }

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
  json_object	*req,			// Request
		*reply,			// Reply
		*array,			// Jobs
		*obj;			// One job
  char		message[512];		// Why not
  long long	value;			// Integer member
  const char	*text;			// String member


  choose_queue(k);

  if (!k->qregistered[k->current])
  {
    show_message(k, "Not available", "This station's printer is not registered with Universal Print.", 5);
    return;
  }

  draw_header(k, k->upn);
  center(LINES / 2, A_BOLD, "Looking for your documents...");
  refresh();

  req = relMsgNew("list");
  json_object_object_add(req, "queue", json_object_new_string(k->st->opts->queues[k->current]));
  json_object_object_add(req, "lifetime", json_object_new_int(k->st->opts->job_lifetime));

  if (!helper_call(k, req, &reply, NULL) || !helper_ok(reply, message, sizeof(message)))
  {
    upaLog(UPA_LOG_ERROR, "Cannot list the jobs of %s: %s", k->upn, reply ? message : "the release helper went away");
    json_object_put(reply);
    show_message(k, k->upn, "Universal Print is not reachable right now. Please try again later.", 5);
    return;
  }

  if (!json_object_object_get_ex(reply, "jobs", &array) || !json_object_is_type(array, json_type_array))
    k->num_jobs = 0;
  else
    k->num_jobs = (int)json_object_array_length(array);

  if (k->num_jobs > REL_MAX_IDS)
    k->num_jobs = REL_MAX_IDS;

  if (k->num_jobs == 0)
  {
    json_object_put(reply);
    upaLog(UPA_LOG_INFO, "No jobs for %s", k->upn);
    show_message(k, k->upn, "No print jobs available", 5);
    return;
  }

  if ((k->jobs = calloc((size_t)k->num_jobs, sizeof(rel_job_t))) == NULL || (k->kjobs = calloc((size_t)k->num_jobs, sizeof(kjob_t))) == NULL)
  {
    json_object_put(reply);
    return;
  }

  for (i = 0; i < k->num_jobs; i ++)
  {
    rel_job_t *job = k->jobs + i;	// Job

    obj = json_object_array_get_idx(array, (size_t)i);
    k->kjobs[i].job = job;

    if (relMsgGetInt(obj, "id", &value))
      job->info.id = (int)value;
    if ((text = relMsgGetString(obj, "name")) != NULL)
      upaTextStripControl(job->info.name, sizeof(job->info.name), text);
    if ((text = relMsgGetString(obj, "format")) != NULL)
      upaTextStripControl(job->info.format, sizeof(job->info.format), text);
    if ((text = relMsgGetString(obj, "sides")) != NULL)
      upaTextStripControl(job->sides, sizeof(job->sides), text);
    if ((text = relMsgGetString(obj, "color")) != NULL)
      upaTextStripControl(job->color, sizeof(job->color), text);
    if (relMsgGetInt(obj, "copies", &value))
      job->info.copies = (int)value;
    if (relMsgGetInt(obj, "pages", &value))
      job->info.pages = (int)value;
    if (relMsgGetInt(obj, "size_k", &value))
      job->info.size_k = value;
    if (relMsgGetInt(obj, "created", &value))
      job->info.created = (time_t)value;
    if (relMsgGetInt(obj, "expires", &value))
      job->expires = (time_t)value;
  }

  json_object_put(reply);

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
          check_queues(k, true);
          if (!k->qready[k->current])
          {
            int other = -1;		// A ready queue

            for (i = 0; i < k->num_queues; i ++)
              if (k->qready[i] && other < 0)
                other = i;

            upaLog(UPA_LOG_WARN, "%s: not releasing: %s", k->upn, k->qstate[k->current]);

            if (other >= 0)
              snprintf(k->status, sizeof(k->status), "Cannot print: %s. Press Tab to print at %s instead.", k->qstate[k->current], k->st->opts->queues[other]);
            else
              snprintf(k->status, sizeof(k->status), "Cannot print: %s. Your documents stay in the cloud; try another printer.", k->qstate[k->current]);
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
          // Ctrl-C, Ctrl-\, Ctrl-Z and the rest: nothing
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
        show_message(k, "Sign-in failed", message, k->st->opts->message_time);
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
        show_message(k, "Sign-in failed", "Badge not recognised", k->st->opts->message_time);
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
          show_message(k, "Sign-in failed", "Badge not recognised", k->st->opts->message_time);
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
