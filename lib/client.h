//
// IPP-INFRA client for one registered device: IPP over HTTPS with the device token.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Requests are encoded and responses decoded by libcups (ippWriteIO /
// ippReadIO), POSTed to <PrintURL>/printers with "Authorization: Bearer" and
// "Content-Type: application/ipp", IPP version 2.0, incrementing request-id.
// On HTTP 401 the token is renewed once and the request repeated.
// Profile pwg: POSTed to the https form of PrinterURI with HTTP Basic
// (Credentials) or no authentication; a 401 is final.
//

#ifndef UPA_CLIENT_H
#  define UPA_CLIENT_H
#  include <stdbool.h>
#  include <cups/ipp.h>
#  include "config.h"
#  include "device.h"
#  include "http.h"

typedef struct upa_client_s upa_client_t;	// Cloud session for one device (opaque)

typedef bool (*upa_docstart_cb_t)(void *data, ipp_t *response);
					// Called once the IPP part of a Fetch-Document response is read
					// (document-format, compression, ...); false aborts
typedef bool (*upa_docdata_cb_t)(void *data, const char *buffer, size_t len);
					// Receives the document bytes that follow; false aborts

// cfg and dev are borrowed and must outlive the client.
extern upa_client_t	*upaClientCreate(const upa_config_t *cfg, const upa_device_t *dev);
extern void		upaClientDelete(upa_client_t *client);
extern const upa_device_t *upaClientGetDevice(upa_client_t *client);
extern upa_http_t	*upaClientGetHTTP(upa_client_t *client);
extern bool		upaClientGetToken(upa_client_t *client, bool renew, char *token, size_t tokensize);

// New request with the common operation attributes, in the order of the
// configuration's Profile.  universal-print: attributes-charset,
// attributes-natural-language, [requesting-user-uri, requesting-user-name,
// my-jobs (Get-Jobs only)] (when user_uri != NULL), printer-uri (the
// device's, fixed at registration), output-device-uuid, [job-id].  pwg (RFC
// 8011): attributes-charset, attributes-natural-language, printer-uri
// (PrinterURI of the configuration), [job-id], [requesting-user-name,
// requesting-user-uri, my-jobs], output-device-uuid.  job_id 0 = none.
extern ipp_t		*upaClientNewRequest(upa_client_t *client, ipp_op_t op, const char *user_uri);
extern ipp_t		*upaClientNewJobRequest(upa_client_t *client, ipp_op_t op, const char *user_uri, int job_id);

// Send a request (consumed, like cupsDoRequest) and return the response
// (caller ippDelete()s it) when the IPP status is successful-ok*; NULL with
// upaLastError() set otherwise (IPP status mapped per error.h).
extern ipp_t		*upaClientSend(upa_client_t *client, ipp_t *request);

// Same, for responses followed by document data (Fetch-Document): the data
// is streamed to data_cb, never held in memory whole.
extern bool		upaClientSendStream(upa_client_t *client, ipp_t *request, upa_docstart_cb_t start_cb, upa_docdata_cb_t data_cb, void *cbdata);

// The same without waiting, for many clients on one thread (lib/connector.c):
// upaClientStart() starts the request (consumed) on a loop (http.h) and
// returns; once upaHTTPLoopNext() returns upaClientGetHTTP(client),
// upaClientFinish() gives the response like upaClientSend(), except that a
// refused token (HTTP 401) is not renewed there: upaClientTokenRefused()
// says so.  upaClientTokenDue() tells when upaClientGetToken() (which may
// need the network) should run first.  One request per client at a time.
extern bool		upaClientStart(upa_client_t *client, upa_http_loop_t *loop, ipp_t *request, void *data);
extern ipp_t		*upaClientFinish(upa_client_t *client);
extern void		upaClientCancel(upa_client_t *client);
extern bool		upaClientTokenDue(upa_client_t *client, int seconds);
extern bool		upaClientTokenRefused(upa_client_t *client);

// Encode/decode helpers shared with tests.
extern bool		upaIPPEncode(ipp_t *ipp, upa_buffer_t *buf);
extern ipp_t		*upaIPPDecode(const char *data, size_t len, size_t *used, bool *incomplete);

#endif // !UPA_CLIENT_H
