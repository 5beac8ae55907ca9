//
// Device token (protocol.md §3): nonce, RS256 JWT with the device key, jwt-bearer.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Tokens are cached in <CacheDir>/tokens/<cloud-device-id>.json (0640,
// flock()ed; root and the backend account write it, DeviceGroup members read
// it) and shared by every process on the server (backend instances,
// release stations, upactl): one token request per device per lifetime.  A
// cached token is reused until 5 minutes before it expires.  After HTTP 401,
// pass the refused token as "rejected" (it may be the "token" buffer itself):
// the cache then yields a newer token another process obtained meanwhile, or
// a new one from the cloud, never the refused one again.
//

#ifndef UPA_TOKEN_H
#  define UPA_TOKEN_H
#  include <stdbool.h>
#  include <stddef.h>
#  include <time.h>
#  include <openssl/evp.h>
#  include <json-c/json.h>
#  include "config.h"
#  include "device.h"
#  include "http.h"

extern bool		upaTokenGet(upa_http_t *http, const upa_config_t *cfg, const upa_device_t *dev, const char *rejected, char *token, size_t tokensize, time_t *expires);
extern bool		upaTokenForget(const upa_config_t *cfg, const upa_device_t *dev);

// JWT helpers (jwt.c).  Results are malloc'd; the caller frees them.
extern char		*upaJWTSign(EVP_PKEY *key, const char *x5c, json_object *claims);
extern char		*upaBase64URLEncode(const void *data, size_t len);
extern EVP_PKEY		*upaKeyLoad(const char *filename);
extern char		*upaCertLoadDER64(const char *filename);

#endif // !UPA_TOKEN_H
