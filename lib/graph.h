//
// Microsoft Graph printer resource (protocol.md §7): GET, PATCH (JSON and
// application/ipp printer-attributes group) and DELETE /print/printers/{id}.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The caller supplies the bearer token: the device token (application
// permissions) for PATCH, an admin token for DELETE.  HTTP 401 is reported
// as UPA_ERROR_AUTH so the caller can renew the token and repeat.
//

#ifndef UPA_GRAPH_H
#  define UPA_GRAPH_H
#  include <stdbool.h>
#  include <time.h>
#  include <cups/ipp.h>
#  include <json-c/json.h>
#  include "config.h"
#  include "http.h"

extern bool		upaGraphPrinterURL(const upa_config_t *cfg, const char *id, char *url, size_t urlsize);
extern json_object	*upaGraphGetPrinter(upa_http_t *http, const upa_config_t *cfg, const char *token, const char *id);
extern bool		upaGraphPatchPrinterJSON(upa_http_t *http, const upa_config_t *cfg, const char *token, const char *id, json_object *changes);
extern bool		upaGraphPatchPrinterIPP(upa_http_t *http, const upa_config_t *cfg, const char *token, const char *id, ipp_t *printer_attrs);
extern bool		upaGraphDeletePrinter(upa_http_t *http, const upa_config_t *cfg, const char *admin_token, const char *id, bool *gone);

// The application/ipp PATCH body: only the printer-attributes group (tag
// 0x04 + attributes, no header, no end tag), encoded by libcups.
extern bool		upaGraphEncodePrinterGroup(ipp_t *printer_attrs, upa_buffer_t *buf);

// The cloud's clock: the Date header of a HEAD request to url (for clock
// skew checks); TLS and proxy as for every cloud request.
extern bool		upaCloudDate(const upa_config_t *cfg, const char *url, time_t *date);

#endif // !UPA_GRAPH_H
