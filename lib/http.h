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

typedef bool (*upa_http_data_cb_t)(void *data, const char *buffer, size_t len);
					// Receives response body bytes; false aborts the transfer

typedef struct upa_http_s upa_http_t;	// One HTTPS session (opaque)

typedef struct upa_http_request_s	// One request
{
  const char	*method;		// "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
  const char	*url;			// Absolute URL
  const char	*log_url;		// What the debug log shows instead of url (it holds an ID), or NULL
  const char	*content_type;		// Request Content-Type or NULL
  const char	*bearer;		// Bearer token or NULL (never logged)
  const void	*body;			// Request body or NULL
  size_t	body_len;		// Body length
  upa_http_data_cb_t data_cb;		// Stream the response body here, or NULL to collect it
  void		*data_cbdata;		// Data for data_cb
} upa_http_request_t;

typedef struct upa_http_response_s	// One response
{
  int		status;			// HTTP status (0 = no response)
  char		content_type[256];	// Response Content-Type
  int		retry_after;		// Retry-After seconds, or 0
  time_t	date;			// Date header, or 0
  upa_buffer_t	body;			// Collected body when data_cb == NULL (caller clears)
} upa_http_response_t;

extern upa_http_t	*upaHTTPCreate(const upa_config_t *cfg);
extern void		upaHTTPDelete(upa_http_t *http);
extern bool		upaHTTPDo(upa_http_t *http, const upa_http_request_t *req, upa_http_response_t *resp);
extern void		upaHTTPResponseClear(upa_http_response_t *resp);

#endif // !UPA_HTTP_H
