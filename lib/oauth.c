//
// OAuth 2.0 device authorization grant (RFC 8628) for the admin sign-in.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Microsoft identity platform v2.0 endpoints:
//   POST {authority}/{tenant}/oauth2/v2.0/devicecode  client_id, scope
//   POST {authority}/{tenant}/oauth2/v2.0/token       grant_type=
//        urn:ietf:params:oauth:grant-type:device_code, client_id, device_code
//        (or grant_type=refresh_token, client_id, refresh_token[, scope])
// Errors come as {"error": "...", "error_description": "..."} with HTTP 400.
//

#include "upa-private.h"
#include "oauth.h"
#include <time.h>
#include <curl/curl.h>

#define UPA_OAUTH_MAX_INTERVAL	60	// Never wait longer than this between polls


//
// Local functions...
//

static const char	*oauth_string(json_object *json, const char *key);
static json_object	*oauth_post(upa_http_t *http, const char *url, const char *body, int *status);
static bool		oauth_form_add(upa_buffer_t *buf, const char *name, const char *value);
static bool		oauth_base(const upa_config_t *cfg, const char *authority, const char *tenant, char *base, size_t basesize);


//
// 'upaOAuthDeviceCodeClear()' - Wipe a device-code state.
//

void
upaOAuthDeviceCodeClear(upa_devcode_t *dc)	// I - State
{
  if (dc)
    explicit_bzero(dc, sizeof(upa_devcode_t));
}


//
// 'upaOAuthScope()' - Build a scope on Universal Print's Entra resource.
//
// The resource is "https://print.print.microsoft.com" in the commercial and
// GCC clouds and "https://print.print.azure.us" in GCC High and DoD
// (SignInResource, set by the Cloud preset).
//

bool					// O - `true` on success
upaOAuthScope(const upa_config_t *cfg,	// I - Configuration
              const char         *what,	// I - ".default", ".default offline_access"...
              char               *scope,// O - Scope
              size_t             scopesize)
					// I - Size of scope buffer
{
  const char	*resource;		// Resource URI


  if (!cfg || !what || !scope || scopesize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaOAuthScope: bad arguments.");
    return (false);
  }

  resource = cfg->resource_url[0] ? cfg->resource_url : "https://print.print.microsoft.com";

  if ((size_t)snprintf(scope, scopesize, "%s/%s", resource, what) >= scopesize)
  {
    upaSetError(UPA_ERROR_ARGS, "Sign-in scope too long.");
    return (false);
  }

  return (true);
}


//
// 'upaOAuthDeviceCodeStart()' - Ask the authority for a device code.
//

bool					// O - `true` on success
upaOAuthDeviceCodeStart(
    const upa_config_t *cfg,		// I - Configuration (CAFile, proxy, timeout)
    const char         *authority,	// I - Authority URL or `NULL` for AuthorityURL
    const char         *tenant,		// I - Tenant id/domain or `NULL` ("organizations")
    const char         *client_id,	// I - Application (client) id
    const char         *scope,		// I - Scope or `NULL` (Universal Print)
    upa_devcode_t      *dc)		// O - Pending sign-in
{
  upa_http_t	*http = NULL;		// HTTPS session
  upa_buffer_t	form;			// Form body
  json_object	*json = NULL,		// Response
		*value;			// One member
  char		defscope[1100],		// Default scope
		base[1000],		// {authority}/{tenant}/oauth2/v2.0
		url[1200];		// Device code endpoint
  const char	*s;			// String member
  int		status = 0,		// HTTP status
		expires_in;		// Code lifetime
  bool		ret = false;		// Return value


  memset(&form, 0, sizeof(form));

  if (!cfg || !client_id || !*client_id || !dc)
  {
    upaSetError(UPA_ERROR_ARGS, "The device-code sign-in needs the application (client) id of the cups-upa app registration.");
    return (false);
  }

  memset(dc, 0, sizeof(upa_devcode_t));

  if ((!scope || !*scope) && upaOAuthScope(cfg, UPA_OAUTH_SCOPE, defscope, sizeof(defscope)))
    scope = defscope;

  if (!oauth_base(cfg, authority, tenant, base, sizeof(base)))
    return (false);

  snprintf(url, sizeof(url), "%s/devicecode", base);
  snprintf(dc->token_url, sizeof(dc->token_url), "%s/token", base);
  upaCopyString(dc->client_id, client_id, sizeof(dc->client_id));

  if (!oauth_form_add(&form, "client_id", client_id) || !oauth_form_add(&form, "scope", scope))
    goto done;

  if ((http = upaHTTPCreate(cfg)) == NULL)
    goto done;

  if ((json = oauth_post(http, url, form.data, &status)) == NULL)
    goto done;

  if (status != 200)
  {
    const char *err = oauth_string(json, "error"),
					// Error code
	       *desc = oauth_string(json, "error_description");
					// Description

    upaSetError(status == 401 || status == 403 || (err && !strcmp(err, "unauthorized_client")) ? UPA_ERROR_AUTH : UPA_ERROR_HTTP, "The sign-in service refused to start a device-code sign-in (HTTP %d, %s): %s", status, err ? err : "no error code", desc ? desc : "no details given");
    goto done;
  }

  if ((s = oauth_string(json, "device_code")) == NULL || !*s || !upaCopyString(dc->device_code, s, sizeof(dc->device_code)) ||
      (s = oauth_string(json, "user_code")) == NULL || !*s || !upaCopyString(dc->user_code, s, sizeof(dc->user_code)))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The sign-in service sent no usable device_code/user_code.");
    goto done;
  }

  // RFC 8628 says verification_uri; Entra's v1 endpoint said verification_url.
  if (((s = oauth_string(json, "verification_uri")) == NULL && (s = oauth_string(json, "verification_url")) == NULL) || !*s)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The sign-in service sent no verification_uri.");
    goto done;
  }
  upaCopyString(dc->verification_uri, s, sizeof(dc->verification_uri));

  if ((s = oauth_string(json, "message")) != NULL)
    upaCopyString(dc->message, s, sizeof(dc->message));

  dc->interval = 5;
  if (json_object_object_get_ex(json, "interval", &value) && json_object_get_int(value) > 0)
    dc->interval = json_object_get_int(value) > UPA_OAUTH_MAX_INTERVAL ? UPA_OAUTH_MAX_INTERVAL : json_object_get_int(value);

  expires_in = 900;
  if (json_object_object_get_ex(json, "expires_in", &value) && json_object_get_int(value) > 0)
    expires_in = json_object_get_int(value);
  dc->expires = time(NULL) + expires_in;

  upaLog(UPA_LOG_DEBUG, "Device code issued (user code %s, poll every %d s, valid %d s).", dc->user_code, dc->interval, expires_in);
  ret = true;

  done:

  if (!ret)
    upaOAuthDeviceCodeClear(dc);
  upaBufferClear(&form);
  json_object_put(json);
  upaHTTPDelete(http);

  return (ret);
}


//
// 'upaOAuthDeviceCodeWait()' - Poll the token endpoint until the admin signed in.
//

bool					// O - `true` with the access token
upaOAuthDeviceCodeWait(
    const upa_config_t *cfg,		// I - Configuration
    upa_devcode_t      *dc,		// I - Pending sign-in (from upaOAuthDeviceCodeStart)
    int                max_wait,	// I - Give up after this many seconds (0 = until the code expires)
    upa_cancel_cb_t    cancel_cb,	// I - Cancel callback or `NULL`
    void               *cbdata,		// I - Callback data
    char               *token,		// O - Access token
    size_t             tokensize)	// I - Size of token buffer
{
  upa_http_t	*http = NULL;		// HTTPS session
  upa_buffer_t	form;			// Form body
  json_object	*json = NULL;		// Response
  const char	*err,			// "error"
		*s;			// access_token
  time_t	deadline;		// When to give up
  int		status,			// HTTP status
		interval;		// Current poll interval
  bool		ret = false;		// Return value


  memset(&form, 0, sizeof(form));

  if (!cfg || !dc || !dc->device_code[0] || !token || tokensize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaOAuthDeviceCodeWait: bad arguments.");
    return (false);
  }

  *token = '\0';
  explicit_bzero(dc->refresh_token, sizeof(dc->refresh_token));

  deadline = dc->expires;
  if (max_wait > 0 && time(NULL) + max_wait < deadline)
    deadline = time(NULL) + max_wait;

  interval = dc->interval > 0 ? dc->interval : 5;

  if (!oauth_form_add(&form, "grant_type", "urn:ietf:params:oauth:grant-type:device_code") || !oauth_form_add(&form, "client_id", dc->client_id) || !oauth_form_add(&form, "device_code", dc->device_code))
    goto done;

  if ((http = upaHTTPCreate(cfg)) == NULL)
    goto done;

  for (;;)
  {
    // Wait first: the admin cannot have signed in yet.
    for (int i = 0; i < interval; i ++)
    {
      if (cancel_cb && (cancel_cb)(cbdata))
      {
        upaSetError(UPA_ERROR_CANCELED, "Sign-in canceled.");
        goto done;
      }
      if (time(NULL) >= deadline)
        break;
      sleep(1);
    }

    if (time(NULL) >= deadline)
    {
      if (deadline >= dc->expires)
        upaSetError(UPA_ERROR_AUTH, "The sign-in code %s expired before the sign-in was completed; run the command again.", dc->user_code);
      else
        upaSetError(UPA_ERROR_AUTH, "Nobody completed the sign-in with code %s within %d s; run the command again.", dc->user_code, max_wait);
      goto done;
    }

    json_object_put(json);
    if ((json = oauth_post(http, dc->token_url, form.data, &status)) == NULL)
      goto done;

    if (status == 200)
    {
      if ((s = oauth_string(json, "access_token")) == NULL || !*s)
      {
        upaSetError(UPA_ERROR_PROTOCOL, "The sign-in service answered without an access_token.");
        goto done;
      }
      if (!upaCopyString(token, s, tokensize))
      {
        explicit_bzero(token, tokensize);
        upaSetError(UPA_ERROR_ARGS, "The admin token does not fit the buffer (%zu bytes).", tokensize);
        goto done;
      }
      // Only with offline_access in the scope; kept for later refreshes.
      if ((s = oauth_string(json, "refresh_token")) != NULL && !upaCopyString(dc->refresh_token, s, sizeof(dc->refresh_token)))
      {
        explicit_bzero(token, tokensize);
        explicit_bzero(dc->refresh_token, sizeof(dc->refresh_token));
        upaSetError(UPA_ERROR_PROTOCOL, "The refresh token is longer than %zu bytes.", sizeof(dc->refresh_token) - 1);
        goto done;
      }
      upaLog(UPA_LOG_INFO, "Admin signed in.");
      ret = true;
      goto done;
    }

    err = oauth_string(json, "error");

    if (err && !strcmp(err, "authorization_pending"))
    {
      upaLog(UPA_LOG_DEBUG, "Sign-in pending.");
      continue;
    }
    else if (err && !strcmp(err, "slow_down"))
    {
      // RFC 8628 §3.5: add 5 seconds to the interval for this and later polls.
      interval = interval + 5 > UPA_OAUTH_MAX_INTERVAL ? UPA_OAUTH_MAX_INTERVAL : interval + 5;
      upaLog(UPA_LOG_DEBUG, "Sign-in service asked to slow down, polling every %d s.", interval);
      continue;
    }
    else if (err && (!strcmp(err, "expired_token") || !strcmp(err, "code_expired")))
    {
      upaSetError(UPA_ERROR_AUTH, "The sign-in code %s expired before the sign-in was completed; run the command again.", dc->user_code);
      goto done;
    }
    else if (err && (!strcmp(err, "access_denied") || !strcmp(err, "authorization_declined")))
    {
      upaSetError(UPA_ERROR_AUTH, "The sign-in was declined; sign in as a Printer Administrator and run the command again.");
      goto done;
    }
    else
    {
      const char *desc = oauth_string(json, "error_description");
					// Details

      upaSetError(status == 401 || status == 403 ? UPA_ERROR_AUTH : UPA_ERROR_HTTP, "The sign-in failed (HTTP %d, %s): %s", status, err ? err : "no error code", desc ? desc : "no details given");
      goto done;
    }
  }

  done:

  if (form.data)
    explicit_bzero(form.data, form.len);
  upaBufferClear(&form);
  json_object_put(json);
  upaHTTPDelete(http);

  return (ret);
}


//
// 'upaOAuthRefresh()' - Trade a refresh token for a new access token.
//
// POST {authority}/{tenant}/oauth2/v2.0/token grant_type=refresh_token.
// The service rotates refresh tokens: the caller must save new_refresh
// (when not "") in place of the old one.  invalid_grant (used, revoked or
// expired refresh token) is UPA_ERROR_AUTH: the admin must sign in again.
//

bool					// O - `true` on success
upaOAuthRefresh(
    const upa_config_t *cfg,		// I - Configuration (CAFile, proxy, timeout)
    const char         *authority,	// I - Authority URL or `NULL` for AuthorityURL
    const char         *tenant,		// I - Tenant or `NULL` ("organizations")
    const char         *client_id,	// I - Application (client) id
    const char         *scope,		// I - Scope or `NULL` (the one originally granted)
    const char         *refresh_token,	// I - Refresh token
    char               *token,		// O - Access token
    size_t             tokensize,	// I - Size of token buffer
    char               *new_refresh,	// O - Rotated refresh token or ""
    size_t             new_refresh_size,// I - Size of new_refresh buffer
    int                *expires_in)	// O - Access token lifetime in seconds or `NULL`
{
  upa_http_t	*http = NULL;		// HTTPS session
  upa_buffer_t	form;			// Form body
  json_object	*json = NULL,		// Response
		*value;			// One member
  char		base[1000],		// {authority}/{tenant}/oauth2/v2.0
		url[1200];		// Token endpoint
  const char	*s;			// String member
  int		status = 0;		// HTTP status
  bool		ret = false;		// Return value


  memset(&form, 0, sizeof(form));

  if (expires_in)
    *expires_in = 0;

  if (!cfg || !client_id || !*client_id || !refresh_token || !*refresh_token || !token || tokensize == 0 || !new_refresh || new_refresh_size == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaOAuthRefresh: bad arguments.");
    return (false);
  }

  *token       = '\0';
  *new_refresh = '\0';

  if (!oauth_base(cfg, authority, tenant, base, sizeof(base)))
    return (false);
  snprintf(url, sizeof(url), "%s/token", base);

  if (!oauth_form_add(&form, "grant_type", "refresh_token") || !oauth_form_add(&form, "client_id", client_id) || !oauth_form_add(&form, "refresh_token", refresh_token) || (scope && *scope && !oauth_form_add(&form, "scope", scope)))
    goto done;

  if ((http = upaHTTPCreate(cfg)) == NULL)
    goto done;

  if ((json = oauth_post(http, url, form.data, &status)) == NULL)
    goto done;

  if (status != 200)
  {
    const char *err = oauth_string(json, "error"),
					// Error code
	       *desc = oauth_string(json, "error_description");
					// Description

    if (err && !strcmp(err, "invalid_grant"))
      upaSetError(UPA_ERROR_AUTH, "The stored admin sign-in is no longer valid (invalid_grant: used, revoked or expired); sign in again.");
    else
      upaSetError(status == 401 || status == 403 || (err && (!strcmp(err, "invalid_client") || !strcmp(err, "unauthorized_client"))) ? UPA_ERROR_AUTH : status == 429 || status >= 500 ? UPA_ERROR_BUSY : UPA_ERROR_HTTP, "The sign-in service refused the refresh token (HTTP %d, %s): %s", status, err ? err : "no error code", desc ? desc : "no details given");
    goto done;
  }

  if ((s = oauth_string(json, "access_token")) == NULL || !*s)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The sign-in service answered without an access_token.");
    goto done;
  }

  if (!upaCopyString(token, s, tokensize))
  {
    upaSetError(UPA_ERROR_ARGS, "The access token does not fit the buffer (%zu bytes).", tokensize);
    goto done;
  }

  if ((s = oauth_string(json, "refresh_token")) != NULL && *s && !upaCopyString(new_refresh, s, new_refresh_size))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The new refresh token is longer than %zu bytes.", new_refresh_size - 1);
    goto done;
  }

  if (expires_in && json_object_object_get_ex(json, "expires_in", &value))
    *expires_in = json_object_get_int(value);

  upaLog(UPA_LOG_DEBUG, "Admin token refreshed%s.", *new_refresh ? " (refresh token rotated)" : "");
  ret = true;

  done:

  if (!ret)
  {
    explicit_bzero(token, tokensize);
    explicit_bzero(new_refresh, new_refresh_size);
  }
  if (form.data)
    explicit_bzero(form.data, form.len);
  upaBufferClear(&form);
  json_object_put(json);
  upaHTTPDelete(http);

  return (ret);
}


//
// 'oauth_base()' - "{authority}/{tenant}/oauth2/v2.0" from the arguments/config.
//

static bool				// O - `true` on success
oauth_base(const upa_config_t *cfg,	// I - Configuration
           const char         *authority,
					// I - Authority or `NULL`
           const char         *tenant,	// I - Tenant or `NULL`
           char               *base,	// O - Base URL
           size_t             basesize)	// I - Size of base buffer
{
  size_t	len;			// Length of authority


  if (!authority || !*authority)
    authority = cfg->authority_url[0] ? cfg->authority_url : UPA_OAUTH_AUTHORITY;
  if (!tenant || !*tenant)
    tenant = UPA_OAUTH_TENANT;

  if (strncmp(authority, "https://", 8))
  {
    upaSetError(UPA_ERROR_ARGS, "Authority URL \"%s\" must start with https://.", authority);
    return (false);
  }

  for (len = strlen(authority); len > 0 && authority[len - 1] == '/'; len --);
  if ((size_t)snprintf(base, basesize, "%.*s/%s/oauth2/v2.0", (int)len, authority, tenant) >= basesize)
  {
    upaSetError(UPA_ERROR_ARGS, "Authority URL or tenant too long.");
    return (false);
  }

  return (true);
}


//
// 'oauth_form_add()' - Append "name=value" (URL-encoded) to a form body.
//

static bool				// O - `true` on success
oauth_form_add(upa_buffer_t *buf,	// I - Form body
               const char   *name,	// I - Name
               const char   *value)	// I - Value
{
  char	*escaped;			// Escaped value
  bool	ok;				// Appended?


  if ((escaped = curl_easy_escape(NULL, value, 0)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  ok = (buf->len == 0 || upaBufferAppend(buf, "&", 1)) && upaBufferAppend(buf, name, strlen(name)) && upaBufferAppend(buf, "=", 1) && upaBufferAppend(buf, escaped, strlen(escaped));

  explicit_bzero(escaped, strlen(escaped));
  curl_free(escaped);

  return (ok);
}


//
// 'oauth_post()' - POST a form and parse the JSON answer (any status).
//

static json_object *			// O - JSON object or `NULL`
oauth_post(upa_http_t *http,		// I - HTTPS session
           const char *url,		// I - URL
           const char *body,		// I - Form body
           int        *status)		// O - HTTP status
{
  upa_http_request_t	req;		// Request
  upa_http_response_t	resp;		// Response
  json_object		*json = NULL;	// Parsed body


  memset(&req, 0, sizeof(req));
  req.method       = "POST";
  req.url          = url;
  req.content_type = "application/x-www-form-urlencoded";
  req.body         = body;
  req.body_len     = strlen(body);

  *status = 0;

  if (!upaHTTPDo(http, &req, &resp))
    return (NULL);

  *status = resp.status;

  if (!resp.body.data || (json = json_tokener_parse(resp.body.data)) == NULL || !json_object_is_type(json, json_type_object))
  {
    json_object_put(json);
    json = NULL;
    upaSetError(UPA_ERROR_PROTOCOL, "The sign-in service answered HTTP %d without a JSON object.", resp.status);
  }

  if (resp.body.data)
    explicit_bzero(resp.body.data, resp.body.len);
  upaHTTPResponseClear(&resp);

  return (json);
}


//
// 'oauth_string()' - Get a string member of a JSON object.
//

static const char *			// O - String or `NULL`
oauth_string(json_object *json,		// I - Object
             const char  *key)		// I - Member name
{
  json_object	*value;			// Value


  if (!json || !json_object_object_get_ex(json, key, &value) || !json_object_is_type(value, json_type_string))
    return (NULL);

  return (json_object_get_string(value));
}
