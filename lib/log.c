//
// Logging for libupa: one callback per process, installed by the program.
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
  return (log_level);
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

void
upaLogv(upa_loglevel_t level,		// I - Level
        const char     *format,		// I - printf-style message
        va_list        ap)		// I - Arguments
{
  char	message[2048];			// Formatted line


  if (!log_cb || level < log_level)
    return;

  vsnprintf(message, sizeof(message), format, ap);
  (*log_cb)(log_data, level, message);
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
