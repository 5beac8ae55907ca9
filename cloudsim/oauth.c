//
// Administrator sign-in for upa-cloudsim: the OAuth 2.0 device authorization
// grant (RFC 8628) and the refresh_token grant, in the shapes of the
// Microsoft identity platform v2.0 endpoints, plus their /sim controls.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
//   POST /{tenant}/oauth2/v2.0/devicecode  client_id, scope
//        -> device_code, user_code, verification_uri, expires_in, interval, message
//   POST /{tenant}/oauth2/v2.0/token
//        grant_type=urn:ietf:params:oauth:grant-type:device_code, client_id, device_code
//        grant_type=refresh_token, client_id, refresh_token[, scope]
//        -> token_type, scope, expires_in, ext_expires_in, access_token
//           [, refresh_token when the scope has offline_access; always on refresh]
//
//   POST   /sim/devicecode     {"userCode","action":"approve"|"deny"|"slow_down","upn"}
//   DELETE /sim/refresh-tokens every refresh token becomes invalid
//   GET    /sim/oauth          counters and the device codes seen
//
// Any tenant string is accepted in the path.  Access tokens issued here are
// delegated admin tokens: csHTTPIsAdmin() accepts them until they expire
// (--user-token-lifetime).  Refresh tokens are single use: each refresh
// returns a new one and the old one is gone (rotation); they are saved with
// the tenant (persist.c).  Device codes live in memory only.
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/rand.h>


//
// Local constants...
//

#define DEVICE_CODE_GRANT	"urn:ietf:params:oauth:grant-type:device_code"
#define DEFAULT_DOMAIN		"contoso.com"
					// Domain of the auto-approving admin
#define POLL_SLACK		0.2	// Seconds a poll may come early without slow_down


//
// Local functions...
//

static enum MHD_Result device_code_grant(cs_request_t *req, cs_form_t *form);
static enum MHD_Result devicecode(cs_request_t *req, cs_form_t *form, const char *tenant_name);
static json_object *devcode_json(cs_devcode_t *dc);
static cs_devcode_t *find_user_code(cs_tenant_t *tenant, const char *user_code);
static bool	has_scope(const char *scope, const char *want);
static enum MHD_Result issue_tokens(cs_request_t *req, const char *client_id, const char *upn, const char *tenant_name, const char *scope, bool refresh);
static bool	known_client(cs_server_t *server, const char *client_id);
static double	now_real(void);
static bool	oauth_path(const char *path, char *tenant_name, size_t tenant_size, const char **endpoint);
static void	prune_codes(cs_tenant_t *tenant);
static enum MHD_Result refresh_grant(cs_request_t *req, cs_form_t *form);
static const char *state_name(cs_devcode_t *dc);


//
// 'csOAuthHandle()' - Answer /{tenant}/oauth2/v2.0/devicecode and .../token.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csOAuthHandle(cs_request_t *req)	// I - Request
{
  const char	*type = csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE);
					// Content-Type
  char		tenant_name[128];	// Tenant segment of the path
  const char	*endpoint;		// "devicecode" or "token"
  cs_form_t	*form;			// Form body
  const char	*grant;			// grant_type
  enum MHD_Result ret;			// Result


  if (!oauth_path(req->path, tenant_name, sizeof(tenant_name), &endpoint))
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "invalid_tenant", "bad tenant in the path"));

  if (strcmp(req->method, MHD_HTTP_METHOD_POST))
    return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use POST"));

  if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"));

  if ((form = csFormParse(req->buf ? (char *)req->buf : "", req->buflen)) == NULL)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "malformed form body"));

  if (!strcmp(endpoint, "devicecode"))
    ret = devicecode(req, form, tenant_name);
  else if ((grant = csFormGet(form, "grant_type")) == NULL || !*grant)
    ret = csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
  else if (!strcmp(grant, DEVICE_CODE_GRANT))
    ret = device_code_grant(req, form);
  else if (!strcmp(grant, "refresh_token"))
    ret = refresh_grant(req, form);
  else
    ret = csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "unsupported_grant_type", "only the device_code and refresh_token grants are supported");

  csFormDelete(form);

  return (ret);
}


//
// 'csOAuthIsPath()' - Is this /{tenant}/oauth2/v2.0/devicecode or .../token?
//

bool					// O - `true` if so
csOAuthIsPath(const char *path)		// I - URL path
{
  char		tenant_name[128];	// Tenant segment
  const char	*endpoint;		// Endpoint name


  return (oauth_path(path, tenant_name, sizeof(tenant_name), &endpoint));
}


//
// 'csOAuthSim()' - Answer /sim/devicecode, /sim/refresh-tokens and /sim/oauth.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csOAuthSim(cs_request_t *req)		// I - Request
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  const char	*path = req->path + 4;	// After "/sim"
  json_object	*obj = NULL,		// Response
		*body,			// Request body
		*value;			// Member
  unsigned	status = MHD_HTTP_OK;	// HTTP status
  char		err[256] = "";		// Error
  enum MHD_Result ret;			// Result
  size_t	i;			// Looping var


  if (!strcmp(path, "/oauth") && !strcmp(req->method, MHD_HTTP_METHOD_GET))
  {
    json_object	*codes = json_object_new_array();
					// Device codes

    csTenantLock(tenant);
    prune_codes(tenant);
    for (i = 0; i < tenant->num_devcodes; i ++)
      json_object_array_add(codes, devcode_json(tenant->devcodes[i]));

    obj = json_object_new_object();
    json_object_object_add(obj, "deviceCodeRequests", json_object_new_int(tenant->devcode_requests));
    json_object_object_add(obj, "tokenRequests", json_object_new_int(tenant->devcode_polls));
    json_object_object_add(obj, "refreshRequests", json_object_new_int(tenant->refresh_requests));
    json_object_object_add(obj, "refreshTokens", json_object_new_int((int)tenant->num_refresh));
    json_object_object_add(obj, "deviceCodes", codes);
    csTenantUnlock(tenant);
  }
  else if (!strcmp(path, "/refresh-tokens") && !strcmp(req->method, MHD_HTTP_METHOD_DELETE))
  {
    int	count;				// Tokens revoked

    csTenantLock(tenant);
    count = (int)tenant->num_refresh;
    while (tenant->num_refresh > 0)
      csTenantDeleteRefresh(tenant, tenant->refresh + tenant->num_refresh - 1);
    csTenantUnlock(tenant);

    csLog(server, 0, "revoked %d refresh tokens", count);

    obj = json_object_new_object();
    json_object_object_add(obj, "revoked", json_object_new_int(count));
  }
  else if (!strcmp(path, "/devicecode") && !strcmp(req->method, MHD_HTTP_METHOD_POST))
  {
    const char		*user_code,	// userCode
			*action,	// action
			*upn = NULL;	// upn
    cs_devcode_t	*dc;		// Device code

    if ((body = csHTTPBodyJSON(req)) == NULL || !json_object_is_type(body, json_type_object) || !json_object_object_get_ex(body, "userCode", &value) || (user_code = json_object_get_string(value)) == NULL || !json_object_object_get_ex(body, "action", &value) || (action = json_object_get_string(value)) == NULL)
    {
      json_object_put(body);
      return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "the body must be {\"userCode\",\"action\":\"approve\"|\"deny\"|\"slow_down\"[,\"upn\"]}"));
    }

    if (json_object_object_get_ex(body, "upn", &value) && json_object_is_type(value, json_type_string))
      upn = json_object_get_string(value);

    if (strcmp(action, "approve") && strcmp(action, "deny") && strcmp(action, "slow_down"))
    {
      json_object_put(body);
      return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "action must be approve, deny or slow_down"));
    }

    if (upn && !strchr(upn, '@'))
    {
      json_object_put(body);
      return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "upn must be a user principal name"));
    }

    csTenantLock(tenant);

    // Only a sign-in that is still open can be answered.
    if ((dc = find_user_code(tenant, user_code)) == NULL || dc->expires <= time(NULL) || (dc->state != CS_DC_PENDING && dc->state != CS_DC_APPROVED))
    {
      status = MHD_HTTP_NOT_FOUND;
      snprintf(err, sizeof(err), "no open sign-in with user code \"%s\"", user_code);
    }
    else if (!strcmp(action, "slow_down"))
    {
      dc->force_slow_down = true;
      obj = devcode_json(dc);
    }
    else
    {
      if (upn)
        snprintf(dc->upn, sizeof(dc->upn), "%s", upn);
      else
        snprintf(dc->upn, sizeof(dc->upn), "admin@%s", strchr(dc->tenant, '.') ? dc->tenant : DEFAULT_DOMAIN);

      dc->state = strcmp(action, "approve") ? CS_DC_DECLINED : CS_DC_APPROVED;
      csLog(server, 0, "device code %s %s by %s", dc->user_code, dc->state == CS_DC_APPROVED ? "approved" : "declined", dc->upn);
      obj = devcode_json(dc);
    }

    csTenantUnlock(tenant);
    json_object_put(body);
  }
  else
  {
    status = MHD_HTTP_METHOD_NOT_ALLOWED;
    snprintf(err, sizeof(err), "use GET /sim/oauth, POST /sim/devicecode or DELETE /sim/refresh-tokens");
  }

  if (err[0])
    return (csHTTPRespondError(req, status, status == MHD_HTTP_NOT_FOUND ? "not_found" : "invalid_request", err));

  ret = csHTTPRespondJSON(req, status, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'device_code_grant()' - Answer one poll of a device-code sign-in.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
device_code_grant(cs_request_t *req,	// I - Request
                  cs_form_t    *form)	// I - Form body
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  const char	*client_id = csFormGet(form, "client_id"),
		*device_code = csFormGet(form, "device_code");
					// Form fields
  cs_devcode_t	*dc = NULL;		// Device code
  double	now = now_real();	// Arrival time
  const char	*error = NULL,		// OAuth error
		*desc = NULL;		// Its description
  char		upn[256] = "",		// Approving administrator
		tenant_name[128] = "",	// Tenant of the sign-in
		*scope = NULL;		// Granted scope
  size_t	i;			// Looping var
  enum MHD_Result ret;			// Result


  csTenantLock(tenant);
  tenant->devcode_polls ++;

  for (i = 0; device_code && i < tenant->num_devcodes; i ++)
  {
    if (!strcmp(tenant->devcodes[i]->device_code, device_code))
    {
      dc = tenant->devcodes[i];
      break;
    }
  }

  if (!client_id || !*client_id)
  {
    error = "invalid_request";
    desc  = "AADSTS900144: The request body must contain the following parameter: 'client_id'.";
  }
  else if (!device_code || !*device_code)
  {
    error = "invalid_request";
    desc  = "AADSTS900144: The request body must contain the following parameter: 'device_code'.";
  }
  else if (!dc)
  {
    error = "bad_verification_code";
    desc  = "AADSTS70019: Verification code is unknown.";
  }
  else if (strcmp(dc->client_id, client_id))
  {
    error = "invalid_client";
    desc  = "AADSTS700016: The device code was issued to another application.";
  }
  else
  {
    double last = dc->last_poll;	// Previous poll

    if (dc->polls < CS_DC_MAX_POLLS)
      dc->poll_times[dc->polls] = now;
    dc->polls ++;
    dc->last_poll = now;

    if (dc->state == CS_DC_REDEEMED)
    {
      error = "invalid_grant";
      desc  = "AADSTS54005: The device code was already redeemed.";
    }
    else if (time(NULL) >= dc->expires)
    {
      error = "expired_token";
      desc  = "AADSTS70020: The provided value for the input parameter 'device_code' is no longer valid (expired).";
    }
    else if (dc->state == CS_DC_DECLINED)
    {
      error = "authorization_declined";
      desc  = "AADSTS70016: The user declined the sign-in.";
    }
    else if (dc->force_slow_down || (last > 0.0 && now - last < dc->interval - POLL_SLACK))
    {
      // RFC 8628 §3.5: the interval grows by 5 seconds for later polls too.
      dc->force_slow_down = false;
      dc->interval += 5;
      dc->slow_downs ++;
      error = "slow_down";
      desc  = "Polling too fast: wait longer between requests.";
    }
    else
    {
      if (dc->state == CS_DC_PENDING && server->devcode_approve_after > 0 && dc->polls >= server->devcode_approve_after)
      {
        dc->state = CS_DC_APPROVED;
        snprintf(dc->upn, sizeof(dc->upn), "admin@%s", strchr(dc->tenant, '.') ? dc->tenant : DEFAULT_DOMAIN);
        csLog(server, 0, "device code %s approved by %s (--devicecode-approve-after)", dc->user_code, dc->upn);
      }

      if (dc->state == CS_DC_APPROVED)
      {
        dc->state = CS_DC_REDEEMED;
        snprintf(upn, sizeof(upn), "%s", dc->upn);
        snprintf(tenant_name, sizeof(tenant_name), "%s", dc->tenant);
        scope = strdup(dc->scope);
      }
      else
      {
        error = "authorization_pending";
        desc  = "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.";
      }
    }
  }

  csTenantUnlock(tenant);

  if (error)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, error, desc));

  if (!scope)
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "out of memory"));

  ret = issue_tokens(req, client_id, upn, tenant_name, scope, has_scope(scope, "offline_access"));
  free(scope);

  return (ret);
}


//
// 'devicecode()' - Start a device-code sign-in.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
devicecode(cs_request_t *req,		// I - Request
           cs_form_t    *form,		// I - Form body
           const char   *tenant_name)	// I - Tenant segment of the path
{
  static const char letters[] = "BCDFGHJKLMNPQRSTVWXZ";
					// User code alphabet (no vowels: no words)
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  const char	*client_id = csFormGet(form, "client_id"),
		*scope = csFormGet(form, "scope");
					// Form fields
  cs_devcode_t	*dc;			// New device code
  unsigned char	rnd[8];			// Random bytes for the user code
  char		uri[512],		// verification_uri
		message[1024];		// message
  json_object	*obj;			// Response
  enum MHD_Result ret;			// Result
  size_t	i;			// Looping var


  csTenantLock(tenant);
  tenant->devcode_requests ++;
  csTenantUnlock(tenant);

  if (!client_id || !*client_id)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'client_id'."));
  if (!scope || !*scope)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'."));
  if (!known_client(server, client_id))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_client", "AADSTS700016: Application with the given identifier was not found in the directory."));
  if (strlen(client_id) >= sizeof(dc->client_id))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "client_id is too long"));

  if ((dc = calloc(1, sizeof(cs_devcode_t))) == NULL || (dc->scope = strdup(scope)) == NULL || !csRandomToken(dc->device_code, sizeof(dc->device_code), 48))
  {
    if (dc)
      free(dc->scope);
    free(dc);
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "out of memory or randomness"));
  }

  snprintf(dc->client_id, sizeof(dc->client_id), "%s", client_id);
  snprintf(dc->tenant, sizeof(dc->tenant), "%s", tenant_name);
  dc->interval = server->devcode_interval;
  dc->expires  = time(NULL) + server->devcode_lifetime;
  dc->state    = CS_DC_PENDING;

  csTenantLock(tenant);

  // A user code must name one open sign-in.
  do
  {
    if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
      memset(rnd, 0, sizeof(rnd));

    for (i = 0; i < 8; i ++)
      dc->user_code[i + (i >= 4)] = letters[rnd[i] % (sizeof(letters) - 1)];
    dc->user_code[4] = '-';
    dc->user_code[9] = '\0';
  }
  while (find_user_code(tenant, dc->user_code));

  prune_codes(tenant);

  if (!csGrow(&tenant->devcodes, tenant->num_devcodes, sizeof(cs_devcode_t *)))
  {
    csTenantUnlock(tenant);
    free(dc->scope);
    free(dc);
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "out of memory"));
  }

  tenant->devcodes[tenant->num_devcodes ++] = dc;

  snprintf(uri, sizeof(uri), "%s/devicelogin", server->base_url);
  snprintf(message, sizeof(message), "To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", uri, dc->user_code);

  obj = json_object_new_object();
  json_object_object_add(obj, "user_code", json_object_new_string(dc->user_code));
  json_object_object_add(obj, "device_code", json_object_new_string(dc->device_code));
  json_object_object_add(obj, "verification_uri", json_object_new_string(uri));
  json_object_object_add(obj, "expires_in", json_object_new_int(server->devcode_lifetime));
  json_object_object_add(obj, "interval", json_object_new_int(dc->interval));
  json_object_object_add(obj, "message", json_object_new_string(message));

  csLog(server, 0, "device code %s issued to client %s (tenant %s)", dc->user_code, client_id, tenant_name);

  csTenantUnlock(tenant);

  ret = csHTTPRespondJSON(req, MHD_HTTP_OK, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'devcode_json()' - Describe a device code for /sim (never the device_code).
//

static json_object *			// O - JSON object
devcode_json(cs_devcode_t *dc)		// I - Device code
{
  json_object	*obj = json_object_new_object(),
					// Object
		*times = json_object_new_array();
					// Poll times
  int		i;			// Looping var
  char		date[32];		// Expiry


  for (i = 0; i < dc->polls && i < CS_DC_MAX_POLLS; i ++)
    json_object_array_add(times, json_object_new_double(dc->poll_times[i]));

  json_object_object_add(obj, "userCode", json_object_new_string(dc->user_code));
  json_object_object_add(obj, "clientId", json_object_new_string(dc->client_id));
  json_object_object_add(obj, "tenant", json_object_new_string(dc->tenant));
  json_object_object_add(obj, "scope", json_object_new_string(dc->scope));
  json_object_object_add(obj, "state", json_object_new_string(state_name(dc)));
  json_object_object_add(obj, "upn", dc->upn[0] ? json_object_new_string(dc->upn) : NULL);
  json_object_object_add(obj, "interval", json_object_new_int(dc->interval));
  json_object_object_add(obj, "expiresDateTime", json_object_new_string(csISOTime(dc->expires, date, sizeof(date))));
  json_object_object_add(obj, "polls", json_object_new_int(dc->polls));
  json_object_object_add(obj, "slowDowns", json_object_new_int(dc->slow_downs));
  json_object_object_add(obj, "pollTimes", times);

  return (obj);
}


//
// 'find_user_code()' - Find a device code by user code (case and dashes ignored).
//

static cs_devcode_t *			// O - Device code or `NULL`
find_user_code(cs_tenant_t *tenant,	// I - Tenant
               const char  *user_code)	// I - User code
{
  char		want[32];		// Normalized code
  size_t	i,			// Looping var
		len;			// Length of want


  for (len = 0; *user_code && len < sizeof(want) - 1; user_code ++)
  {
    if (*user_code != '-' && *user_code != ' ')
      want[len ++] = *user_code;
  }
  want[len] = '\0';

  for (i = 0; i < tenant->num_devcodes; i ++)
  {
    const char	*code = tenant->devcodes[i]->user_code;
					// "ABCD-EFGH"

    if (len == 8 && !strncasecmp(code, want, 4) && !strncasecmp(code + 5, want + 4, 4))
      return (tenant->devcodes[i]);
  }

  return (NULL);
}


//
// 'has_scope()' - Does a space-separated scope list hold a value?
//

static bool				// O - `true` if so
has_scope(const char *scope,		// I - Scope list
          const char *want)		// I - Wanted scope
{
  size_t	wantlen = strlen(want);	// Length of want


  while (*scope)
  {
    size_t len = strcspn(scope, " ");	// Length of this scope

    if (len == wantlen && !strncmp(scope, want, len))
      return (true);

    scope += len;
    scope += strspn(scope, " ");
  }

  return (false);
}


//
// 'issue_tokens()' - Issue a delegated admin token (and a refresh token).
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
issue_tokens(cs_request_t *req,		// I - Request
             const char   *client_id,	// I - Application
             const char   *upn,		// I - Administrator
             const char   *tenant_name,	// I - Tenant segment of the sign-in
             const char   *scope,	// I - Granted scope
             bool         refresh)	// I - Issue a refresh token?
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  char		access[64],		// Access token
		rtoken[96];		// Refresh token
  json_object	*obj;			// Response
  enum MHD_Result ret;			// Result


  if (!csRandomToken(access, sizeof(access), 32) || (refresh && !csRandomToken(rtoken, sizeof(rtoken), 48)))
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "no randomness"));

  csTenantLock(tenant);
  csTenantAddAdminToken(tenant, access, upn, time(NULL) + server->user_token_lifetime);
  if (refresh && !csTenantAddRefresh(tenant, rtoken, client_id, upn, tenant_name, scope, time(NULL)))
    refresh = false;
  csTenantUnlock(tenant);

  csLog(server, 0, "issued a delegated admin token%s to %s (client %s)", refresh ? " and a refresh token" : "", upn, client_id);

  obj = json_object_new_object();
  json_object_object_add(obj, "token_type", json_object_new_string("Bearer"));
  json_object_object_add(obj, "scope", json_object_new_string(scope));
  json_object_object_add(obj, "expires_in", json_object_new_int(server->user_token_lifetime));
  json_object_object_add(obj, "ext_expires_in", json_object_new_int(server->user_token_lifetime));
  json_object_object_add(obj, "access_token", json_object_new_string(access));
  if (refresh)
    json_object_object_add(obj, "refresh_token", json_object_new_string(rtoken));

  ret = csHTTPRespondJSON(req, MHD_HTTP_OK, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'known_client()' - Is a client id registered (any, without --oauth-client-id)?
//

static bool				// O - `true` if known
known_client(cs_server_t *server,	// I - Server
             const char  *client_id)	// I - Client id
{
  int	i;				// Looping var


  if (server->num_client_ids == 0)
    return (true);

  for (i = 0; i < server->num_client_ids; i ++)
  {
    if (!strcmp(server->client_ids[i], client_id))
      return (true);
  }

  return (false);
}


//
// 'now_real()' - Current Unix time with sub-second precision.
//

static double				// O - Seconds since the epoch
now_real(void)
{
  struct timespec ts;			// Current time


  clock_gettime(CLOCK_REALTIME, &ts);

  return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}


//
// 'oauth_path()' - Split /{tenant}/oauth2/v2.0/{devicecode|token}.
//

static bool				// O - `true` for an OAuth v2.0 endpoint
oauth_path(const char *path,		// I - URL path
           char       *tenant_name,	// O - Tenant segment
           size_t     tenant_size,	// I - Size of tenant_name
           const char **endpoint)	// O - "devicecode" or "token"
{
  const char	*slash;			// End of the tenant segment


  if (path[0] != '/' || (slash = strchr(path + 1, '/')) == NULL || slash == path + 1 || (size_t)(slash - path - 1) >= tenant_size)
    return (false);

  if (!strcmp(slash, "/oauth2/v2.0/devicecode"))
    *endpoint = "devicecode";
  else if (!strcmp(slash, "/oauth2/v2.0/token"))
    *endpoint = "token";
  else
    return (false);

  memcpy(tenant_name, path + 1, (size_t)(slash - path - 1));
  tenant_name[slash - path - 1] = '\0';

  return (true);
}


//
// 'prune_codes()' - Forget device codes that expired more than 15 minutes ago.
//

static void
prune_codes(cs_tenant_t *tenant)	// I - Tenant (locked)
{
  time_t	old = time(NULL) - 900;	// Cut-off
  size_t	i, j;			// Looping vars


  for (i = 0, j = 0; i < tenant->num_devcodes; i ++)
  {
    cs_devcode_t *dc = tenant->devcodes[i];
					// Device code

    if (dc->expires < old)
    {
      free(dc->scope);
      free(dc);
    }
    else
      tenant->devcodes[j ++] = dc;
  }

  tenant->num_devcodes = j;
}


//
// 'refresh_grant()' - Redeem (and rotate) a refresh token.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
refresh_grant(cs_request_t *req,	// I - Request
              cs_form_t    *form)	// I - Form body
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  const char	*client_id = csFormGet(form, "client_id"),
		*token = csFormGet(form, "refresh_token"),
		*scope = csFormGet(form, "scope");
					// Form fields
  cs_refresh_t	*r = NULL;		// Refresh token
  char		upn[256] = "",		// Signed-in administrator
		tenant_name[128] = "",	// Tenant of the sign-in
		*granted = NULL;	// Scope of the new tokens
  const char	*error = NULL,		// OAuth error
		*desc = NULL;		// Description
  size_t	i;			// Looping var
  enum MHD_Result ret;			// Result


  csTenantLock(tenant);
  tenant->refresh_requests ++;

  for (i = 0; token && i < tenant->num_refresh; i ++)
  {
    if (!strcmp(tenant->refresh[i].value, token))
    {
      r = tenant->refresh + i;
      break;
    }
  }

  if (!client_id || !*client_id)
  {
    error = "invalid_request";
    desc  = "AADSTS900144: The request body must contain the following parameter: 'client_id'.";
  }
  else if (!token || !*token)
  {
    error = "invalid_request";
    desc  = "AADSTS900144: The request body must contain the following parameter: 'refresh_token'.";
  }
  else if (!r)
  {
    error = "invalid_grant";
    desc  = "AADSTS70008: The refresh token is unknown, was already used or was revoked.";
  }
  else if (strcmp(r->client_id, client_id))
  {
    error = "invalid_grant";
    desc  = "AADSTS70000: The refresh token was issued to another application.";
  }
  else
  {
    snprintf(upn, sizeof(upn), "%s", r->upn);
    snprintf(tenant_name, sizeof(tenant_name), "%s", r->tenant);
    granted = strdup(scope && *scope ? scope : r->scope);

    // Rotation: the token just used is gone.
    csTenantDeleteRefresh(tenant, r);
  }

  csTenantUnlock(tenant);

  if (error)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, error, desc));

  if (!granted)
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "out of memory"));

  ret = issue_tokens(req, client_id, upn, tenant_name, granted, true);
  free(granted);

  return (ret);
}


//
// 'state_name()' - Name the state of a device code.
//

static const char *			// O - State name
state_name(cs_devcode_t *dc)		// I - Device code
{
  if (dc->state == CS_DC_REDEEMED)
    return ("redeemed");
  else if (dc->state == CS_DC_DECLINED)
    return ("declined");
  else if (dc->expires <= time(NULL))
    return ("expired");
  else if (dc->state == CS_DC_APPROVED)
    return ("approved");
  else
    return ("pending");
}
