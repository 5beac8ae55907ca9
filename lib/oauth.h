//
// OAuth 2.0 device authorization grant (RFC 8628) against Microsoft Entra ID,
// for the admin sign-in that registration and unregistration need.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// POST {authority}/{tenant}/oauth2/v2.0/devicecode (client_id, scope) returns
// device_code, user_code, verification_uri, interval and expires_in; the
// program shows the code and URL, then upaOAuthDeviceCodeWait() polls
// POST {authority}/{tenant}/oauth2/v2.0/token with
// grant_type=urn:ietf:params:oauth:grant-type:device_code until the admin
// signed in, honouring authorization_pending and slow_down and stopping on
// expired_token, access_denied or any other error.  Tokens are never logged.
//

#ifndef UPA_OAUTH_H
#  define UPA_OAUTH_H
#  include <stdbool.h>
#  include <stddef.h>
#  include <time.h>
#  include "config.h"

#  define UPA_OAUTH_AUTHORITY	"https://login.microsoftonline.com"
					// Default authority (commercial cloud)
#  define UPA_OAUTH_TENANT	"organizations"
					// Default tenant (any work account)
#  define UPA_OAUTH_SCOPE	".default"
					// Scope of the admin token (Printers.Create),
					// after SignInResource (upaOAuthScope())

typedef struct upa_devcode_s		// One pending device-code sign-in
{
  char		token_url[1024];	// Token endpoint to poll
  char		client_id[256];		// Application (client) id
  char		device_code[2048];	// device_code (secret: never shown)
  char		user_code[64];		// Code the admin types
  char		verification_uri[1024];	// Where to type it
  char		message[1024];		// Service's own instruction text, or ""
  int		interval;		// Seconds between polls
  time_t	expires;		// When the code expires
  char		refresh_token[8192];	// Set by upaOAuthDeviceCodeWait() when the scope had
					// offline_access (secret: never shown), else ""
} upa_devcode_t;

typedef bool (*upa_cancel_cb_t)(void *data);
					// Returns true to stop waiting

// "{SignInResource}/{what}", e.g. "https://print.print.azure.us/.default".
extern bool	upaOAuthScope(const upa_config_t *cfg, const char *what, char *scope, size_t scopesize);
extern bool	upaOAuthDeviceCodeStart(const upa_config_t *cfg, const char *authority, const char *tenant, const char *client_id, const char *scope, upa_devcode_t *dc);
extern bool	upaOAuthDeviceCodeWait(const upa_config_t *cfg, upa_devcode_t *dc, int max_wait, upa_cancel_cb_t cancel_cb, void *cbdata, char *token, size_t tokensize);
extern void	upaOAuthDeviceCodeClear(upa_devcode_t *dc);

// grant_type=refresh_token: a new access token and, when the service rotates
// it (Entra always does), a new refresh token that replaces the old one (the
// old one may no longer work: save the new one before using the access
// token).  new_refresh is "" when the service kept the old one.
extern bool	upaOAuthRefresh(const upa_config_t *cfg, const char *authority, const char *tenant, const char *client_id, const char *scope, const char *refresh_token, char *token, size_t tokensize, char *new_refresh, size_t new_refresh_size, int *expires_in);

#endif // !UPA_OAUTH_H
