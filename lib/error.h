//
// Error model for libupa.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Functions report failure through their return value (false, NULL, -1) and
// leave the reason in a per-thread "last error" (like cupsLastError()), which
// the program turns into one clear line.  Messages say what failed and, where
// it helps, what to do; they never contain tokens, keys, badge IDs or PINs.
//

#ifndef UPA_ERROR_H
#  define UPA_ERROR_H
#  include <stdbool.h>
#  include <cups/ipp.h>

typedef enum upa_error_e		// Error classes, chosen so callers can map them to exit codes
{
  UPA_ERROR_NONE = 0,			// No error
  UPA_ERROR_MEMORY,			// Out of memory
  UPA_ERROR_INTERNAL,			// Bug or unexpected library failure
  UPA_ERROR_ARGS,			// Bad argument from the caller
  UPA_ERROR_CONFIG,			// Configuration file missing, unreadable or invalid
  UPA_ERROR_IO,				// Local file I/O failed
  UPA_ERROR_DEVICE,			// Unknown/unregistered device, or its key/cert unusable
  UPA_ERROR_NETWORK,			// No usable answer: DNS, connect, TLS ("Cannot reach"), timeout
					// ("did not answer within N s"), answer cut short
					// (see upaLastErrorMaybeApplied())
  UPA_ERROR_AUTH,			// Token refused (HTTP 401 after renewal, 403), registration refused
  UPA_ERROR_BUSY,			// Cloud asked us to come back later (HTTP 429/503, IPP busy/unavailable)
  UPA_ERROR_HTTP,			// Other unexpected HTTP status
  UPA_ERROR_PROTOCOL,			// Malformed or unexpected response (bad IPP, bad JSON)
  UPA_ERROR_IPP,			// IPP error status not covered below (see upaLastIPPStatus())
  UPA_ERROR_NOT_FOUND,			// IPP client-error-not-found: job or device gone (expired, deleted)
  UPA_ERROR_NOT_FETCHABLE,		// IPP client-error-not-fetchable: already claimed or not available
  UPA_ERROR_NOT_POSSIBLE,		// IPP not-possible/not-authorized: bound to another device or user
  UPA_ERROR_CUPS,			// Local CUPS refused or failed a request
  UPA_ERROR_CANCELED,			// Operation canceled by the caller (signal, callback)
  UPA_ERROR_SERVER			// Server error (HTTP 500/502/504, IPP server-error-internal-error,
					// -device-error, -temporary-error): may succeed later, retry with back-off
} upa_error_t;

extern upa_error_t	upaLastError(void);
extern const char	*upaLastErrorString(void);
extern ipp_status_t	upaLastIPPStatus(void);
extern const char	*upaErrorName(upa_error_t err);
extern void		upaSetError(upa_error_t err, const char *format, ...) __attribute__((format(printf, 2, 3)));
extern void		upaSetIPPError(ipp_status_t status, const char *message);
extern void		upaClearError(void);
// Seconds the cloud asked us to wait (Retry-After of an HTTP 429/503) with
// the last UPA_ERROR_BUSY, 0 if it named none; upaSetError() resets it.
extern int		upaLastRetryAfter(void);
extern void		upaSetRetryAfter(int seconds);
// Outcome unknown: true when the last error came after the request had been
// sent and no usable answer came back (a timeout after sending, a connection
// cut during the answer, HTTP 5xx, a body that is not IPP, an HTML error
// page, a truncated IPP answer or one without its end tag), so the cloud may
// have applied the request anyway: ask it (Fetch-Job) before deciding.
// False for failures before anything was sent (DNS, refused connection,
// TLS, no connection within Timeout), for well-formed HTTP 4xx answers and
// for well-formed IPP error answers.  upaSetError() (and so every new error)
// resets it; the code that knows marks it with upaSetErrorMaybeApplied().
extern bool		upaLastErrorMaybeApplied(void);
extern void		upaSetErrorMaybeApplied(bool maybe);

#endif // !UPA_ERROR_H
