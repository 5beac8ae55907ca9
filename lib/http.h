//
// Cloud HTTPS transport for libupa (libcurl).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One upa_http_t wraps one libcurl easy handle so connections are reused.
// TLS verification is always on; CAFile adds a trust anchor; Proxy is
// honoured.  Not thread-safe: one handle per thread.
//
// Deadlines (Timeout N, cfg->timeout):
// - the connection (DNS, TCP, TLS) must stand within N s, else "Cannot
//   reach <host>: no connection within N s";
// - a request whose answer is collected (data_cb == NULL) must be answered
//   completely within N s, else "<host> did not answer within N s";
// - a streamed request (data_cb != NULL) must have its response headers, and
//   with stream_head also the header part at the start of the body (the IPP
//   response of Fetch-Document), within N s of the start; the data_cb calls
//   upaHTTPBodyStarted() once that part is complete;
// - after that the body streams for as long as it keeps flowing: it fails
//   when nothing arrives for UPA_HTTP_RATE_WINDOW(N) s (a stall) or when
//   less than UPA_HTTP_MIN_RATE bytes/s arrive on average over such a window
//   (a trickle), so a 1 GB document on a 2 MB/s link is fine but a server
//   sending 100 bytes/s cannot hold a release (and a kiosk user) for hours.
// A body cut short (Content-Length not reached, chunked stream without its
// last chunk, connection reset) is an error, never a success, whatever was
// delivered before.  upaLastErrorMaybeApplied() tells whether a failed
// request may have been applied (error.h).
//

#ifndef UPA_HTTP_H
#  define UPA_HTTP_H
#  include <stdbool.h>
#  include <stddef.h>
#  include <time.h>
#  include "config.h"

typedef struct upa_buffer_s		// Growable byte buffer (always NUL-terminated)
{
  char		*data;			// Bytes (owned), NULL when empty
  size_t	len;			// Bytes used
  size_t	size;			// Bytes allocated
} upa_buffer_t;

extern bool		upaBufferAppend(upa_buffer_t *buf, const void *data, size_t len);
extern void		upaBufferClear(upa_buffer_t *buf);

#  define UPA_HTTP_MIN_RATE	1024	// Slowest acceptable streamed body (bytes/s on average)
#  define UPA_HTTP_RATE_WINDOW(t) ((t) > 30 ? (t) : 30)
					// Seconds over which the rate is measured and
					// after which a stall fails (Timeout, at least 30)

typedef bool (*upa_http_data_cb_t)(void *data, const char *buffer, size_t len);
					// Receives response body bytes; false aborts the transfer
					// (UPA_ERROR_CANCELED unless the callback set another error)

typedef struct upa_http_s upa_http_t;	// One HTTPS session (opaque)

typedef struct upa_http_request_s	// One request
{
  const char	*method;		// "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
  const char	*url;			// Absolute URL
  const char	*log_url;		// What the debug log shows instead of url (it holds an ID), or NULL
  const char	*content_type;		// Request Content-Type or NULL
  const char	*bearer;		// Bearer token or NULL (never logged)
  const char	*basic_user;		// HTTP Basic user name or NULL (pwg profile; never with bearer)
  const char	*basic_password;	// HTTP Basic password (never logged)
  const void	*body;			// Request body or NULL
  size_t	body_len;		// Body length
  upa_http_data_cb_t data_cb;		// Stream the response body here, or NULL to collect it
  void		*data_cbdata;		// Data for data_cb
  bool		stream_head;		// data_cb only: the body opens with a header part that must
					// arrive within Timeout too; data_cb calls upaHTTPBodyStarted()
} upa_http_request_t;

typedef struct upa_http_response_s	// One response
{
  int		status;			// HTTP status (0 = no response)
  char		content_type[256];	// Response Content-Type
  int		retry_after;		// Retry-After seconds, or 0
  time_t	date;			// Date header, or 0 (always 0 for a request on a loop)
  bool		basic_wanted;		// WWW-Authenticate offers Basic (a 401 from a pwg-profile server)
  bool		bearer_wanted;		// WWW-Authenticate offers Bearer (a 401 from Universal Print)
  upa_buffer_t	body;			// Collected body when data_cb == NULL (caller clears)
  long long	received;		// Body bytes received (also on failure)
  bool		cut_short;		// The body ended before its announced end (upaHTTPDo() failed)
} upa_http_response_t;

extern upa_http_t	*upaHTTPCreate(const upa_config_t *cfg);
extern void		upaHTTPDelete(upa_http_t *http);
extern bool		upaHTTPDo(upa_http_t *http, const upa_http_request_t *req, upa_http_response_t *resp);
extern void		upaHTTPResponseClear(upa_http_response_t *resp);

// Many sessions on one thread (the direct-printing connector): a loop holds
// a few libcurl multi handles, each session staying on one of them, whose
// connection caches the sessions share.
// upaHTTPStart() sets a request up exactly as upaHTTPDo() does (headers,
// TLS, proxy, CA store, deadlines) and returns at once; upaHTTPLoopRun()
// moves every transfer and sleeps until one needs attention (or
// upaHTTPLoopWakeup(), callable from any thread); upaHTTPLoopNext() hands
// back each session whose request ended, and upaHTTPFinish() returns what
// upaHTTPDo() would have (collected answers only, no data_cb).  A loop and
// its sessions' requests belong to one thread; upaHTTPCancel() stops a
// request; cancel every request before upaHTTPLoopDelete().
typedef struct upa_http_loop_s upa_http_loop_t;
					// Requests of many sessions on one thread (opaque)

extern upa_http_loop_t	*upaHTTPLoopCreate(void);
extern void		upaHTTPLoopDelete(upa_http_loop_t *loop);
extern upa_http_t	*upaHTTPLoopNext(upa_http_loop_t *loop, void **data);
extern bool		upaHTTPLoopRun(upa_http_loop_t *loop, int timeout_ms);
extern void		upaHTTPLoopWakeup(upa_http_loop_t *loop);
extern bool		upaHTTPStart(upa_http_t *http, upa_http_loop_t *loop, const upa_http_request_t *req, upa_http_response_t *resp, void *data);
extern bool		upaHTTPFinish(upa_http_t *http);
extern void		upaHTTPCancel(upa_http_t *http);
// Close the connections kept for upaHTTPDo() (a loop session after an
// occasional blocking request, such as a token request).
extern void		upaHTTPDropConnections(upa_http_t *http);

// Called from a data_cb of a stream_head request: the header part is
// complete, the body rules (stall, minimum rate) apply from now on.
extern void		upaHTTPBodyStarted(upa_http_t *http);

#endif // !UPA_HTTP_H
