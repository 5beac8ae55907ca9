//
// Logging for libupa: one callback per process, installed by the program,
// or one per thread (a module loaded into someone else's process).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upa-private.h"


//
// Local globals (set once at program start-up, before any thread starts)...
//

static upa_log_cb_t	log_cb = NULL;	// Callback or NULL (silent)
static void		*log_data = NULL;
					// Callback data
static upa_loglevel_t	log_level = UPA_LOG_INFO;
					// Lowest level passed on


//
// Thread-local state (upaLogSetThreadCallback()): a module such as pam_upa
// runs in threads of a program it does not own, with a context on its own
// stack; a process-wide pointer to that context would be read by the other
// threads after it is gone.
//

static __thread bool		thread_set = false;
					// Thread callback installed?
static __thread upa_log_cb_t	thread_cb = NULL;
					// Thread callback or NULL (silent)
static __thread void		*thread_data = NULL;
					// Thread callback data
static __thread upa_loglevel_t	thread_level = UPA_LOG_INFO;
					// Thread's lowest level passed on


//
// 'upaLogSetCallback()' - Install the log callback (NULL = silent).
//

void
upaLogSetCallback(upa_log_cb_t cb,	// I - Callback
                  void         *data)	// I - Callback data
{
  log_cb   = cb;
  log_data = data;
}


//
// 'upaLogSetThreadCallback()' - Install a callback for the calling thread only.
//
// While installed it replaces the process-wide callback and level for this
// thread (and only this one).  Remove it with upaLogClearThreadCallback()
// before "data" goes out of scope.
//

void
upaLogSetThreadCallback(
    upa_log_cb_t   cb,			// I - Callback (NULL = silent)
    void           *data,		// I - Callback data
    upa_loglevel_t level)		// I - Lowest level passed on
{
  thread_cb    = cb;
  thread_data  = data;
  thread_level = level;
  thread_set   = true;
}


//
// 'upaLogClearThreadCallback()' - Go back to the process-wide callback in this thread.
//

void
upaLogClearThreadCallback(void)
{
  thread_set   = false;
  thread_cb    = NULL;
  thread_data  = NULL;
  thread_level = UPA_LOG_INFO;
}


//
// 'upaLogSetLevel()' - Set the lowest level passed to the callback.
//

void
upaLogSetLevel(upa_loglevel_t level)	// I - Level
{
  log_level = level;
}


//
// 'upaLogGetLevel()' - Get the lowest level passed to the callback.
//

upa_loglevel_t				// O - Level
upaLogGetLevel(void)
{
  return (thread_set ? thread_level : log_level);
}


//
// 'upaLog()' - Log a message.
//

void
upaLog(upa_loglevel_t level,		// I - Level
       const char     *format,		// I - printf-style message
       ...)				// I - Arguments
{
  va_list	ap;			// Argument pointer


  va_start(ap, format);
  upaLogv(level, format, ap);
  va_end(ap);
}


//
// 'upaLogv()' - Log a message (va_list form).
//
// The line is stripped of control characters and escape sequences first
// (upaTextStripControl()): messages quote job names, server errors and other
// text from outside, and a newline or an ESC in them would forge log lines,
// CUPS control lines ("ATTR:", "STATE:") or terminal output.
//

void
upaLogv(upa_loglevel_t level,		// I - Level
        const char     *format,		// I - printf-style message
        va_list        ap)		// I - Arguments
{
  char		message[2048];		// Formatted line
  upa_log_cb_t	cb;			// Callback
  void		*data;			// Callback data
  upa_loglevel_t minlevel;		// Lowest level passed on


  if (thread_set)
  {
    cb       = thread_cb;
    data     = thread_data;
    minlevel = thread_level;
  }
  else
  {
    cb       = log_cb;
    data     = log_data;
    minlevel = log_level;
  }

  if (!cb || level < minlevel)
    return;

  vsnprintf(message, sizeof(message), format, ap);
  upaTextStripControl(message, sizeof(message), message);
  (*cb)(data, level, message);
}


//
// 'upaLogLevelString()' - Return the name of a level.
//

const char *				// O - Name
upaLogLevelString(upa_loglevel_t level)	// I - Level
{
  switch (level)
  {
    case UPA_LOG_DEBUG :
        return ("debug");
    case UPA_LOG_INFO :
        return ("info");
    case UPA_LOG_WARN :
        return ("warn");
    default :
        return ("error");
  }
}


//
// 'upaLogLevelValue()' - Parse a level name; -1 if unknown.
//

int					// O - Level or -1
upaLogLevelValue(const char *name)	// I - Name
{
  if (!strcasecmp(name, "debug"))
    return (UPA_LOG_DEBUG);
  else if (!strcasecmp(name, "info"))
    return (UPA_LOG_INFO);
  else if (!strcasecmp(name, "warn") || !strcasecmp(name, "warning"))
    return (UPA_LOG_WARN);
  else if (!strcasecmp(name, "error"))
    return (UPA_LOG_ERROR);
  else
    return (-1);
}
