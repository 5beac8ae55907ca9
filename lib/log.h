//
// Logging for libupa: an injected callback, installed once by each program.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The backend logs as "DEBUG:/INFO:/ERROR:" lines on stderr, the PAM module
// through pam_syslog(), upactl to stderr.  With no callback, the library is
// silent.  Never log secrets (tokens, keys, badge IDs, PINs).
//
// A program installs one callback for the process (upaLogSetCallback(), at
// start-up, before threads).  Code that runs inside another program's
// threads (pam_upa.so) installs its own for the calling thread only
// (upaLogSetThreadCallback()/upaLogClearThreadCallback()).  Every line is
// stripped of control characters before the callback sees it.
//

#ifndef UPA_LOG_H
#  define UPA_LOG_H
#  include <stdarg.h>

typedef enum upa_loglevel_e		// Log levels, most verbose first
{
  UPA_LOG_DEBUG,			// Diagnostics for developers
  UPA_LOG_INFO,				// Progress an admin may want to see
  UPA_LOG_WARN,				// Something odd, but work goes on
  UPA_LOG_ERROR				// Something failed
} upa_loglevel_t;

typedef void (*upa_log_cb_t)(void *data, upa_loglevel_t level, const char *message);
					// Receives one formatted line, without newline

extern void		upaLogSetCallback(upa_log_cb_t cb, void *data);
extern void		upaLogSetThreadCallback(upa_log_cb_t cb, void *data, upa_loglevel_t level);
extern void		upaLogClearThreadCallback(void);
extern void		upaLogSetLevel(upa_loglevel_t level);
extern upa_loglevel_t	upaLogGetLevel(void);
extern void		upaLog(upa_loglevel_t level, const char *format, ...) __attribute__((format(printf, 2, 3)));
extern void		upaLogv(upa_loglevel_t level, const char *format, va_list ap);
extern const char	*upaLogLevelString(upa_loglevel_t level);
extern int		upaLogLevelValue(const char *name);

#endif // !UPA_LOG_H
