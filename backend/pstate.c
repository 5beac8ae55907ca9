//
// Printer state for the "upa" backend: STATE: reasons to the cloud.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The real backend tells cupsd about the printer with "STATE: +reason",
// "STATE: -reason" and "STATE: reason,reason" (replace) lines.  We keep the
// same set, restricted to the IPP printer-state-reasons keywords the cloud
// understands (RFC 8011, PWG 5100.9; with their -report/-warning/-error
// suffix), and queue it in the outbox (lib/outbox.h) together with
// printer-state (stopped when a reason is an error, else processing while
// printing, idle at the end) and printer-state-message; the sync service
// or the flusher sends it with Update-Output-Device-Attributes, behind the
// device's job states.
//
// Debounced: a change is queued once the set has been stable for
// UPA_BE_DEBOUNCE_MS, and only when it differs from what was last queued
// for the device (kept in <CacheDir>/printer-state/<id> across runs), so a
// job without printer trouble costs no cloud traffic at all.  CUPS' own
// reasons (cups-*, com.vendor-*) and transient ones stay local.
//

#include "upa-backend.h"
#include "file.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include <time.h>


//
// Local globals...
//

static const char * const cloud_reasons[] =
{					// Reasons the cloud gets (base keywords)
  "connecting-to-device",
  "cover-open",
  "developer-empty",
  "developer-low",
  "door-open",
  "fuser-over-temp",
  "fuser-under-temp",
  "input-tray-missing",
  "interlock-open",
  "interpreter-resource-unavailable",
  "marker-supply-empty",
  "marker-supply-low",
  "marker-waste-almost-full",
  "marker-waste-full",
  "media-empty",
  "media-jam",
  "media-low",
  "media-needed",
  "moving-to-paused",
  "offline",
  "opc-life-over",
  "opc-near-eol",
  "other",
  "output-area-almost-full",
  "output-area-full",
  "output-tray-missing",
  "paused",
  "shutdown",
  "spool-area-full",
  "stopped-partly",
  "stopping",
  "timed-out",
  "toner-empty",
  "toner-low"
};

static const char * const error_reasons[] =
{					// Reasons that stop the printer without a suffix
  "cover-open",
  "developer-empty",
  "door-open",
  "input-tray-missing",
  "interlock-open",
  "marker-supply-empty",
  "marker-waste-full",
  "media-empty",
  "media-jam",
  "media-needed",
  "offline",
  "opc-life-over",
  "output-area-full",
  "output-tray-missing",
  "paused",
  "shutdown",
  "spool-area-full",
  "toner-empty"
};


//
// Local functions...
//

static bool	base_in(const char *keyword, const char * const *list, size_t count, const char **suffix);
static void	build_key(upa_backend_t *be, bool final, char *key, size_t keysize, ipp_pstate_t *state);
static bool	load_pushed(upa_backend_t *be);
static bool	push_state(upa_backend_t *be, ipp_pstate_t state);
static void	reason_add(upa_pstate_t *ps, const char *keyword);
static void	reason_remove(upa_pstate_t *ps, const char *keyword);
static void	save_pushed(upa_backend_t *be);


//
// 'upaBackendNowMS()' - Monotonic time in milliseconds.
//

long long				// O - Milliseconds
upaBackendNowMS(void)
{
  struct timespec ts;			// Current time


  clock_gettime(CLOCK_MONOTONIC, &ts);

  return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}


//
// 'upaBackendStateLine()' - Apply one "STATE:" line (text after the colon).
//

void
upaBackendStateLine(upa_backend_t *be,	// I - Backend state
                    const char    *text)// I - "[+|-]reason[,reason...]"
{
  upa_pstate_t	*ps = &be->pstate;	// Printer state
  char		copy[1024],		// Copy of the list
		*keyword,		// Current keyword
		*next;			// Next keyword
  int		op;			// '+', '-' or '=' (replace)
  char		before[1100],		// Key before the change
		after[1100];		// Key after it
  ipp_pstate_t	state;			// Computed printer-state


  // The printer state belongs to the queue's own device (a job released by
  // another device reports its job status through that one).
  if (!ps->disabled && be->dev && strcmp(be->dev->id, be->device_id))
    ps->disabled = true;

  if (ps->disabled || !be->dev)
    return;

  while (*text == ' ' || *text == '\t')
    text ++;

  if (*text == '+' || *text == '-')
    op = *text++;
  else
    op = '=';

  build_key(be, false, before, sizeof(before), &state);

  snprintf(copy, sizeof(copy), "%s", text);
  if (op == '=')
    ps->num_reasons = 0;

  for (keyword = copy; keyword && *keyword; keyword = next)
  {
    if ((next = strpbrk(keyword, ", \t")) != NULL)
      *next++ = '\0';

    if (!*keyword || !strcmp(keyword, "none"))
      continue;

    if (op == '-')
      reason_remove(ps, keyword);
    else if (base_in(keyword, cloud_reasons, sizeof(cloud_reasons) / sizeof(cloud_reasons[0]), NULL))
      reason_add(ps, keyword);
  }

  build_key(be, false, after, sizeof(after), &state);

  // Start (not restart) the quiet period on a change: a printer flapping
  // between two states still gets an update every UPA_BE_DEBOUNCE_MS.
  if (strcmp(before, after) && !ps->due)
    ps->due = upaBackendNowMS() + UPA_BE_DEBOUNCE_MS;
}


//
// 'upaBackendStatePoll()' - Push the printer state if a change is due (or at the end).
//

void
upaBackendStatePoll(upa_backend_t *be,	// I - Backend state
                    bool          final)// I - Job over: push now, printer idle
{
  upa_pstate_t	*ps = &be->pstate;	// Printer state
  char		key[1100];		// Current key
  ipp_pstate_t	state;			// printer-state


  // Never queued as root (the outbox belongs to the backend account)
  if (ps->disabled || !be->cfg || !be->dev || !be->dropped || strcmp(be->dev->id, be->device_id))
    return;

  if (!final && (!ps->due || upaBackendNowMS() < ps->due))
    return;

  ps->due = 0;

  if (!ps->loaded && !load_pushed(be))
    snprintf(ps->pushed, sizeof(ps->pushed), "3|");	// Nothing known: idle, no reasons
  ps->loaded = true;

  build_key(be, final, key, sizeof(key), &state);
  if (!strcmp(key, ps->pushed))
    return;

  if (push_state(be, state))
  {
    snprintf(ps->pushed, sizeof(ps->pushed), "%s", key);
    save_pushed(be);
    ps->pushes ++;
  }
  else if (!final)
  {
    ps->due = upaBackendNowMS() + 30000;	// Try again later in this run
  }
}


//
// 'upaBackendStateTimeout()' - Milliseconds until a push is due, -1 for none.
//

int					// O - Milliseconds or -1
upaBackendStateTimeout(upa_backend_t *be)// I - Backend state
{
  long long	left;			// Time left


  if (!be->pstate.due)
    return (-1);

  left = be->pstate.due - upaBackendNowMS();

  return (left < 0 ? 0 : left > 60000 ? 60000 : (int)left);
}


//
// 'base_in()' - Is the keyword (without -report/-warning/-error) in a list?
//

static bool				// O - true if listed
base_in(const char         *keyword,	// I - Keyword
        const char * const *list,	// I - Base keywords
        size_t             count,	// I - Number of keywords
        const char         **suffix)	// O - Suffix ("" if none) or NULL
{
  static const char * const suffixes[] = { "-report", "-warning", "-error" };
  size_t	i,			// Looping var
		len = strlen(keyword),	// Length of keyword
		baselen = len;		// Length without suffix
  const char	*sfx = "";		// Suffix found


  for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i ++)
  {
    size_t slen = strlen(suffixes[i]);	// Length of suffix

    if (len > slen && !strcmp(keyword + len - slen, suffixes[i]))
    {
      baselen = len - slen;
      sfx     = suffixes[i];
      break;
    }
  }

  if (suffix)
    *suffix = sfx;

  for (i = 0; i < count; i ++)
  {
    if (strlen(list[i]) == baselen && !strncmp(list[i], keyword, baselen))
      return (true);
  }

  return (false);
}


//
// 'build_key()' - "state|reason,reason" for the current state.
//

static void
build_key(upa_backend_t *be,		// I - Backend state
          bool          final,		// I - Job over?
          char          *key,		// O - Key
          size_t        keysize,	// I - Size of key
          ipp_pstate_t  *state)		// O - printer-state
{
  upa_pstate_t	*ps = &be->pstate;	// Printer state
  int		i;			// Looping var
  const char	*suffix;		// Severity suffix
  bool		error = false;		// Any error reason?
  size_t	len;			// Length so far


  for (i = 0; i < ps->num_reasons; i ++)
  {
    base_in(ps->reasons[i], cloud_reasons, sizeof(cloud_reasons) / sizeof(cloud_reasons[0]), &suffix);
    if (!strcmp(suffix, "-error") || (!*suffix && base_in(ps->reasons[i], error_reasons, sizeof(error_reasons) / sizeof(error_reasons[0]), NULL)))
      error = true;
  }

  *state = error ? IPP_PSTATE_STOPPED : final ? IPP_PSTATE_IDLE : IPP_PSTATE_PROCESSING;

  snprintf(key, keysize, "%d|", (int)*state);
  for (i = 0; i < ps->num_reasons; i ++)
  {
    len = strlen(key);
    snprintf(key + len, keysize - len, "%s%s", i ? "," : "", ps->reasons[i]);
  }
}


//
// 'load_pushed()' - Read what was last sent for the device.
//

static bool				// O - true if known
load_pushed(upa_backend_t *be)		// I - Backend state
{
  char		path[1300];		// State file
  FILE		*fp;			// File
  struct stat	ours,			// Our record
		theirs;			// upactl sync's record
  bool		ret = false;		// Result


  snprintf(path, sizeof(path), "%s/printer-state/%s", be->cfg->cache_dir, be->dev->id);
  if ((fp = upaFileOpenStream(path)) != NULL)
  {
    if (fgets(be->pstate.pushed, sizeof(be->pstate.pushed), fp))
    {
      be->pstate.pushed[strcspn(be->pstate.pushed, "\r\n")] = '\0';
      ret = true;
    }

    // "upactl sync" pushes printer state too (lib/sync.c): if it did after
    // us, the cloud holds its view and ours is no guide to what it shows.
    if (ret && !fstat(fileno(fp), &ours))
    {
      snprintf(path, sizeof(path), "%s/sync/%s.json", be->cfg->state_dir, be->dev->id);
      if (!stat(path, &theirs) && theirs.st_mtime >= ours.st_mtime)
        be->pstate.pushed[0] = '\0';
    }
    fclose(fp);
  }

  return (ret);
}


//
// 'push_state()' - Queue Update-Output-Device-Attributes in the outbox.
//
// The sync service (or the flusher) sends it: the backend makes no cloud
// round trip of its own, during the job or after the real backend ended.
//

static bool				// O - true on success
push_state(upa_backend_t *be,		// I - Backend state
           ipp_pstate_t  state)		// I - printer-state
{
  upa_pstate_t	*ps = &be->pstate;	// Printer state
  const char	*reasons[UPA_BE_MAX_REASONS];
					// Reason pointers
  int		i;			// Looping var
  char		errbuf[1024];		// Error message


  for (i = 0; i < ps->num_reasons; i ++)
    reasons[i] = ps->reasons[i];

  if (!be->outbox || !upaOutboxAddPrinterState(be->outbox, be->dev->id, state, ps->num_reasons, reasons, state == IPP_PSTATE_STOPPED && be->last_error[0] ? be->last_error : NULL))
  {
    fprintf(stderr, "DEBUG: upa: Printer state not queued: %s\n", be->outbox ? upaBackendLastError(errbuf, sizeof(errbuf)) : "no outbox");
    return (false);
  }

  fprintf(stderr, "DEBUG: upa: Printer state %d (%s) queued for Universal Print.\n", (int)state, ps->num_reasons ? ps->reasons[0] : "none");
  upaBackendDeliver(be);

  return (true);
}


//
// 'reason_add()' - Add a reason (replacing the same base with another severity).
//

static void
reason_add(upa_pstate_t *ps,		// I - Printer state
           const char   *keyword)	// I - Keyword
{
  int	i;				// Looping var


  for (i = 0; i < ps->num_reasons; i ++)
  {
    if (!strcmp(ps->reasons[i], keyword))
      return;
  }

  if (ps->num_reasons < UPA_BE_MAX_REASONS && strlen(keyword) < sizeof(ps->reasons[0]))
    snprintf(ps->reasons[ps->num_reasons ++], sizeof(ps->reasons[0]), "%s", keyword);
}


//
// 'reason_remove()' - Remove a reason.
//

static void
reason_remove(upa_pstate_t *ps,		// I - Printer state
              const char   *keyword)	// I - Keyword
{
  int	i;				// Looping var


  for (i = 0; i < ps->num_reasons; i ++)
  {
    if (!strcmp(ps->reasons[i], keyword))
    {
      ps->num_reasons --;
      memmove(ps->reasons[i], ps->reasons[i + 1], (size_t)(ps->num_reasons - i) * sizeof(ps->reasons[0]));
      return;
    }
  }
}


//
// 'save_pushed()' - Remember what was sent for the device.
//

static void
save_pushed(upa_backend_t *be)		// I - Backend state
{
  char		dir[1100],		// Folder
		path[1300],		// State file
		text[1110];		// Contents
  int		fd;			// File
  ssize_t	len;			// Length of text


  snprintf(dir, sizeof(dir), "%s/printer-state", be->cfg->cache_dir);
  // Shared like the token cache: the backend and root (upactl) write it.
  // Made, opened and given its mode relative to folder descriptors, never
  // through a link (lib/file.c); 0640 despite cupsd's umask 077.
  if ((fd = upaFileOpenDir(dir, true, UPA_FILE_SHARED_DIR_MODE, be->cfg->device_group)) < 0)
  {
    fprintf(stderr, "DEBUG: upa: Unable to create %s: %s\n", dir, upaLastErrorString());
    return;
  }
  close(fd);

  snprintf(path, sizeof(path), "%s/%s", dir, be->dev->id);
  len = (ssize_t)snprintf(text, sizeof(text), "%s\n", be->pstate.pushed);
  if ((fd = upaFileOpen(path, O_WRONLY | O_CREAT | O_TRUNC, UPA_FILE_SHARED_MODE, be->cfg->device_group)) < 0)
  {
    fprintf(stderr, "DEBUG: upa: Unable to open %s: %s\n", path, upaLastErrorString());
    return;
  }

  if (write(fd, text, (size_t)len) != len)
    fprintf(stderr, "DEBUG: upa: Unable to write %s: %s\n", path, strerror(errno));
  close(fd);
}
