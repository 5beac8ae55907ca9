//
// Per-thread "last error" for libupa.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upa-private.h"


//
// Local globals (per thread: every thread has its own last error)...
//

static __thread upa_error_t	last_error = UPA_ERROR_NONE;
					// Last error class
static __thread ipp_status_t	last_ipp = IPP_STATUS_OK;
					// Last IPP status seen with an error
static __thread char		last_message[1024] = "";
					// Last error message
static __thread int		last_retry_after = 0;
					// Retry-After of the last busy error
static __thread bool		last_maybe_applied = false;
					// May the failed request have been applied?


//
// 'upaClearError()' - Forget the last error.
//

void
upaClearError(void)
{
  last_error      = UPA_ERROR_NONE;
  last_ipp        = IPP_STATUS_OK;
  last_message[0] = '\0';
  last_retry_after = 0;
  last_maybe_applied = false;
}


//
// 'upaErrorName()' - Return a short name for an error class.
//

const char *				// O - Name
upaErrorName(upa_error_t err)		// I - Error class
{
  static const char * const names[] =	// Names in enum order
  {
    "none", "memory", "internal", "arguments", "config", "io", "device",
    "network", "auth", "busy", "http", "protocol", "ipp", "not-found",
    "not-fetchable", "not-possible", "cups", "canceled", "server"
  };

  if ((size_t)err < sizeof(names) / sizeof(names[0]))
    return (names[err]);
  else
    return ("unknown");
}


//
// 'upaLastError()' - Return the last error class of this thread.
//

upa_error_t				// O - Error class
upaLastError(void)
{
  return (last_error);
}


//
// 'upaLastErrorMaybeApplied()' - May the request of the last error have been applied by the server?
//
// True when the request had been sent and no usable answer came back (see
// error.h); false for failures before sending and for well-formed refusals.
//

bool					// O - `true` if the outcome is unknown
upaLastErrorMaybeApplied(void)
{
  return (last_error != UPA_ERROR_NONE && last_maybe_applied);
}


//
// 'upaLastErrorString()' - Return the last error message of this thread.
//

const char *				// O - Message ("" if none)
upaLastErrorString(void)
{
  return (last_message);
}


//
// 'upaLastIPPStatus()' - Return the IPP status of the last IPP error.
//

ipp_status_t				// O - IPP status (IPP_STATUS_OK if none)
upaLastIPPStatus(void)
{
  return (last_ipp);
}


//
// 'upaLastRetryAfter()' - Return the Retry-After of the last busy error.
//

int					// O - Seconds or 0
upaLastRetryAfter(void)
{
  return (last_error == UPA_ERROR_BUSY ? last_retry_after : 0);
}


//
// 'upaSetErrorMaybeApplied()' - Mark the last error as "the request may have been applied".
//
// Call it right after upaSetError() when the request had left and the
// answer was missing, cut short or garbled.
//

void
upaSetErrorMaybeApplied(bool maybe)	// I - `true` if the outcome is unknown
{
  last_maybe_applied = maybe;
}


//
// 'upaSetRetryAfter()' - Attach a Retry-After to the last (busy) error.
//

void
upaSetRetryAfter(int seconds)		// I - Seconds (clamped to 0..86400)
{
  last_retry_after = seconds < 0 ? 0 : seconds > 86400 ? 86400 : seconds;
}


//
// 'upaSetError()' - Set the last error and log it at debug level.
//

void
upaSetError(upa_error_t err,		// I - Error class
            const char  *format,	// I - printf-style message
            ...)			// I - Arguments
{
  va_list	ap;			// Argument pointer


  va_start(ap, format);
  vsnprintf(last_message, sizeof(last_message), format, ap);
  va_end(ap);

  // Messages quote server replies and job strings; programs print them to
  // terminals and as CUPS "ERROR:" lines, where a newline or ESC would forge
  // output (issue 15 item 8).
  upaTextStripControl(last_message, sizeof(last_message), last_message);

  last_error         = err;
  last_retry_after   = 0;
  last_maybe_applied = false;
  if (err != UPA_ERROR_IPP && err != UPA_ERROR_NOT_FOUND && err != UPA_ERROR_NOT_FETCHABLE && err != UPA_ERROR_NOT_POSSIBLE && err != UPA_ERROR_BUSY)
    last_ipp = IPP_STATUS_OK;

  upaLog(UPA_LOG_DEBUG, "error (%s): %s", upaErrorName(err), last_message);
}


//
// 'upaSetIPPError()' - Set the last error from an IPP status.
//
// The IPP-INFRA status codes that mean "this job is not yours to print any
// more" get their own classes so callers never retry them blindly.
//

void
upaSetIPPError(ipp_status_t status,	// I - IPP status
               const char   *message)	// I - status-message or NULL
{
  upa_error_t	err;			// Error class
  const char	*name = ippErrorString(status);
					// Status keyword

  // libcups 2.4 has no name for the IPP-INFRA status.
  if (status == IPP_STATUS_ERROR_NOT_FETCHABLE)
    name = "client-error-not-fetchable";


  switch (status)
  {
    case IPP_STATUS_ERROR_NOT_FOUND :
        err = UPA_ERROR_NOT_FOUND;
        break;
    case IPP_STATUS_ERROR_NOT_FETCHABLE :
        err = UPA_ERROR_NOT_FETCHABLE;
        break;
    case IPP_STATUS_ERROR_NOT_POSSIBLE :
    case IPP_STATUS_ERROR_NOT_AUTHORIZED :
        err = UPA_ERROR_NOT_POSSIBLE;
        break;
    case IPP_STATUS_ERROR_BUSY :
    case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE :
        err = UPA_ERROR_BUSY;
        break;
    case IPP_STATUS_ERROR_FORBIDDEN :
    case IPP_STATUS_ERROR_NOT_AUTHENTICATED :
        err = UPA_ERROR_AUTH;
        break;
    case IPP_STATUS_ERROR_INTERNAL :
    case IPP_STATUS_ERROR_DEVICE :
    case IPP_STATUS_ERROR_TEMPORARY :
        // A server fault, not an answer about the job: it may pass.  (Universal
        // Print also says internal-error to an update of a terminal job; only
        // a Fetch-Job can tell the two apart.)
        err = UPA_ERROR_SERVER;
        break;
    default :
        err = UPA_ERROR_IPP;
        break;
  }

  if (message && *message && strcmp(message, name))
    upaSetError(err, "%s (%s)", message, name);
  else
    upaSetError(err, "%s", name);

  last_ipp = status;
}
