//
// Universal Print badge collection management for libupa: write, read and
// delete badge -> user mappings in the tenant's badge collection.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// protocol.md §7 "Badge management" (private preview, graph.print host,
// delegated PrintBadges.ReadWrite):
//   GET|POST {base}/print/badgeCollections      POST {} -> 202 {id, collectionId},
//                                                409 when the tenant has one
//   GET  {base}/print/operations/{id}            status.state running ->
//                                                succeeded|failed (Retry-After)
//   POST {base}/print/badgeCollections/{cid}/badges {id, upn[, userId]} -> 201, 409
//   GET|PATCH|DELETE {base}/print/badgeCollections/{cid}/badges/{badgeId}
//
// {base} is BadgeURL (cfg->badge_url): Universal Print's own "graph.print"
// host (https://graph.print.microsoft.com/v1.0 and its national-cloud
// twins, set by the Cloud preset; protocol.md §1), or for "Cloud custom"
// GraphURL, e.g. the emulator's https://127.0.0.1:PORT/v1.0.  Nothing here retries a
// POST: a badge that already exists is reported (EXISTS), never re-pointed.
//
// Badge IDs are secrets of a kind (they open a user's jobs): they appear in
// request bodies and URL paths only, never in logs or error messages.
// Tokens are never logged either.
//
// The admin token comes from the caller or from CloudAdminTokenFile, a JSON
// file (0600, root) written by "upactl badge login" holding the client id,
// tenant, authority and the current refresh token; upaBadgeCloudAdminToken()
// trades the refresh token for an access token under a lock and saves the
// rotated refresh token atomically before returning.
//

#include "upa-private.h"
#include "badge.h"
#include "oauth.h"
#include <fcntl.h>
#include <time.h>
#include <sys/file.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

#define BADGECLOUD_MAX_BODY	(1024 * 1024)
					// Largest response parsed
#define BADGECLOUD_MAX_LOGIN	32768	// Largest token file read


//
// Local functions...
//

static upa_badge_cloud_t badgecloud_do(upa_http_t *http, const char *method, const char *url, const char *token, json_object *body, upa_http_response_t *resp);
static json_object	*badgecloud_parse(const char *body, size_t len);
static const char	*badgecloud_string(json_object *json, const char *key);
static bool		badgecloud_url(const upa_config_t *cfg, const char *cid, const char *id, char *url, size_t urlsize);
static void		badgecloud_wipe_response(upa_http_response_t *resp);


//
// 'upaBadgeCloudString()' - Name of a badge management outcome (for logs).
//

const char *				// O - Name
upaBadgeCloudString(
    upa_badge_cloud_t result)		// I - Outcome
{
  static const char * const names[] =	// Names
  {
    "ok", "exists", "not-found", "bad-request", "unauthorized", "forbidden",
    "server-error", "network", "protocol", "failed", "config"
  };


  if ((int)result < 0 || (size_t)result >= sizeof(names) / sizeof(names[0]))
    return ("unknown");

  return (names[result]);
}


//
// 'upaBadgeCloudStatus()' - Map an HTTP status (and error body) to an outcome.
//
// 2xx is OK.  For errors the service's own message (Graph
// {"error":{"code","message"}} or OAuth-style {"error","error_description"})
// goes into the last error; 0 means no response.
//

upa_badge_cloud_t			// O - Outcome
upaBadgeCloudStatus(int        status,	// I - HTTP status (0 = none)
                    const char *body,	// I - Response body or `NULL`
                    size_t     len)	// I - Body length
{
  json_object		*json,		// Body
			*err;		// "error" member
  const char		*code = NULL,	// Error code
			*msg = NULL;	// Error message
  upa_badge_cloud_t	ret;		// Outcome
  char			details[512] = "";
					// Service's words


  if (status >= 200 && status < 300)
    return (UPA_BADGE_CLOUD_OK);

  if (status == 0)
  {
    upaSetError(UPA_ERROR_NETWORK, "Badge collection: no response from the cloud.");
    return (UPA_BADGE_CLOUD_NETWORK);
  }

  if ((json = badgecloud_parse(body, len)) != NULL)
  {
    if (json_object_object_get_ex(json, "error", &err) && json_object_is_type(err, json_type_object))
    {
      code = badgecloud_string(err, "code");
      msg  = badgecloud_string(err, "message");
    }
    else
    {
      code = badgecloud_string(json, "error");
      msg  = badgecloud_string(json, "error_description");
    }

    if (code || msg)
      snprintf(details, sizeof(details), ": %s%s%s", code ? code : "", code && msg ? " - " : "", msg ? msg : "");
  }

  switch (status)
  {
    case 400 :
        ret = UPA_BADGE_CLOUD_BAD_REQUEST;
        upaSetError(UPA_ERROR_HTTP, "Badge collection: request refused (HTTP 400%s).", details);
        break;
    case 401 :
        ret = UPA_BADGE_CLOUD_UNAUTHORIZED;
        upaSetError(UPA_ERROR_AUTH, "Badge collection: admin token refused (HTTP 401%s).", details);
        break;
    case 403 :
        ret = UPA_BADGE_CLOUD_FORBIDDEN;
        upaSetError(UPA_ERROR_AUTH, "Badge collection: forbidden (HTTP 403%s); the signed-in admin needs PrintBadges.ReadWrite.", details);
        break;
    case 404 :
        ret = UPA_BADGE_CLOUD_NOT_FOUND;
        upaSetError(UPA_ERROR_NOT_FOUND, "Badge collection: not found (HTTP 404%s).", details);
        break;
    case 409 :
        ret = UPA_BADGE_CLOUD_EXISTS;
        upaSetError(UPA_ERROR_HTTP, "Badge collection: already exists (HTTP 409%s).", details);
        break;
    default :
        ret = UPA_BADGE_CLOUD_SERVER_ERROR;
        upaSetError(status == 429 || status == 503 ? UPA_ERROR_BUSY : UPA_ERROR_HTTP, "Badge collection: request failed (HTTP %d%s).", status, details);
        break;
  }

  json_object_put(json);

  return (ret);
}


//
// 'upaBadgeCloudParseCreate()' - Parse the 202 answer to POST /print/badgeCollections.
//
// {"id":"<operation id>","collectionId":"<collection id>"}
//

upa_badge_cloud_t			// O - OK or PROTOCOL
upaBadgeCloudParseCreate(
    const char *body,			// I - Response body
    size_t     len,			// I - Body length
    char       *opid,			// O - Operation id
    size_t     opidsize,		// I - Size of opid buffer
    char       *cid,			// O - Collection id ("" when not given)
    size_t     cidsize)			// I - Size of cid buffer
{
  json_object		*json;		// Body
  const char		*s;		// Member
  upa_badge_cloud_t	ret = UPA_BADGE_CLOUD_PROTOCOL;
					// Outcome


  if (opid && opidsize)
    *opid = '\0';
  if (cid && cidsize)
    *cid = '\0';

  if (!opid || !opidsize || !cid || !cidsize)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudParseCreate: bad arguments.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  if ((json = badgecloud_parse(body, len)) == NULL)
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection create: the answer is not a JSON object.");
  else if ((s = badgecloud_string(json, "id")) == NULL || !*s || !upaCopyString(opid, s, opidsize) || strpbrk(s, "/?#% "))
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection create: the answer has no usable operation id.");
  else if ((s = badgecloud_string(json, "collectionId")) != NULL && (!upaCopyString(cid, s, cidsize) || strpbrk(s, "/?#% ")))
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection create: unusable collectionId.");
  else
    ret = UPA_BADGE_CLOUD_OK;

  if (ret != UPA_BADGE_CLOUD_OK)
  {
    *opid = '\0';
    *cid  = '\0';
  }

  json_object_put(json);

  return (ret);
}


//
// 'upaBadgeCloudParseOperation()' - Parse GET /print/operations/{id}.
//
// {"id","status":{"state":"notStarted|running|succeeded|failed",
// "description"},"collectionId"}: OK with *done false while it runs, OK with
// *done true once succeeded, FAILED when failed.
//

upa_badge_cloud_t			// O - OK, FAILED or PROTOCOL
upaBadgeCloudParseOperation(
    const char *body,			// I - Response body
    size_t     len,			// I - Body length
    bool       *done,			// O - Operation succeeded?
    char       *cid,			// O - Collection id when given, else unchanged
    size_t     cidsize)			// I - Size of cid buffer
{
  json_object		*json,		// Body
			*status;	// "status"
  const char		*state = NULL,	// status.state
			*desc,		// status.description
			*s;		// collectionId
  upa_badge_cloud_t	ret = UPA_BADGE_CLOUD_PROTOCOL;
					// Outcome


  if (!done)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudParseOperation: bad arguments.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  *done = false;

  if ((json = badgecloud_parse(body, len)) == NULL)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection operation: the answer is not a JSON object.");
    return (UPA_BADGE_CLOUD_PROTOCOL);
  }

  if (json_object_object_get_ex(json, "status", &status) && json_object_is_type(status, json_type_object))
    state = badgecloud_string(status, "state");
  else
    status = NULL;

  if (!state)
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection operation: the answer has no status.state.");
  else if (!strcmp(state, "succeeded"))
  {
    if ((s = badgecloud_string(json, "collectionId")) != NULL && cid && cidsize && (strpbrk(s, "/?#% ") || !upaCopyString(cid, s, cidsize)))
      upaSetError(UPA_ERROR_PROTOCOL, "Badge collection operation: unusable collectionId.");
    else
    {
      *done = true;
      ret   = UPA_BADGE_CLOUD_OK;
    }
  }
  else if (!strcmp(state, "failed"))
  {
    desc = status ? badgecloud_string(status, "description") : NULL;
    upaSetError(UPA_ERROR_HTTP, "Badge collection operation failed%s%s.", desc ? ": " : "", desc ? desc : "");
    ret = UPA_BADGE_CLOUD_FAILED;
  }
  else if (!strcmp(state, "notStarted") || !strcmp(state, "running"))
    ret = UPA_BADGE_CLOUD_OK;
  else
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection operation: unknown state \"%.32s\".", state);

  json_object_put(json);

  return (ret);
}


//
// 'upaBadgeCloudParseCollections()' - Parse GET /print/badgeCollections.
//
// {"value":[{"id":"<cid>"},...]}: the tenant's (first) collection; NOT_FOUND
// when the list is empty.
//

upa_badge_cloud_t			// O - OK, NOT_FOUND or PROTOCOL
upaBadgeCloudParseCollections(
    const char *body,			// I - Response body
    size_t     len,			// I - Body length
    char       *cid,			// O - Collection id
    size_t     cidsize)			// I - Size of cid buffer
{
  json_object		*json,		// Body
			*list;		// "value"
  const char		*s;		// id
  upa_badge_cloud_t	ret = UPA_BADGE_CLOUD_PROTOCOL;
					// Outcome


  if (!cid || !cidsize)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudParseCollections: bad arguments.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  *cid = '\0';

  if ((json = badgecloud_parse(body, len)) == NULL)
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collections: the answer is not a JSON object.");
  else if (!json_object_object_get_ex(json, "value", &list) || !json_object_is_type(list, json_type_array))
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collections: the answer has no \"value\" list.");
  else if (json_object_array_length(list) == 0)
  {
    upaSetError(UPA_ERROR_NOT_FOUND, "The tenant has no badge collection yet (create one with \"upactl badge collection create\").");
    ret = UPA_BADGE_CLOUD_NOT_FOUND;
  }
  else if ((s = badgecloud_string(json_object_array_get_idx(list, 0), "id")) == NULL || !*s || strpbrk(s, "/?#% ") || !upaCopyString(cid, s, cidsize))
  {
    *cid = '\0';
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collections: the first collection has no usable id.");
  }
  else
    ret = UPA_BADGE_CLOUD_OK;

  json_object_put(json);

  return (ret);
}


//
// 'upaBadgeCloudParseBadge()' - Parse a badge resource {"id","upn","userId"}.
//
// Only the owner is returned: the id is what the caller asked for.
//

upa_badge_cloud_t			// O - OK or PROTOCOL
upaBadgeCloudParseBadge(
    const char       *body,		// I - Response body
    size_t           len,		// I - Body length
    upa_badge_user_t *user)		// O - Owner
{
  json_object		*json;		// Body
  const char		*s;		// Member
  upa_badge_cloud_t	ret = UPA_BADGE_CLOUD_PROTOCOL;
					// Outcome


  if (!user)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudParseBadge: bad arguments.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  memset(user, 0, sizeof(upa_badge_user_t));

  if ((json = badgecloud_parse(body, len)) == NULL)
    upaSetError(UPA_ERROR_PROTOCOL, "Badge: the answer is not a JSON object.");
  else if ((s = badgecloud_string(json, "upn")) == NULL || !upaBadgeValidUPN(s) || !strchr(s, '@'))
    upaSetError(UPA_ERROR_PROTOCOL, "Badge: the answer has no usable upn.");
  else
  {
    upaCopyString(user->upn, s, sizeof(user->upn));
    if ((s = badgecloud_string(json, "userId")) != NULL)
      upaCopyString(user->user_id, s, sizeof(user->user_id));
    ret = UPA_BADGE_CLOUD_OK;
  }

  json_object_put(json);

  return (ret);
}


//
// 'upaBadgeCloudCollectionCreate()' - Create the tenant's badge collection.
//
// POST {} -> 202 {id, collectionId}, then poll the operation honouring
// Retry-After (1 s when absent) for up to max_wait seconds (0 = 600).
// EXISTS (409) when the tenant already has one: find it with
// upaBadgeCloudCollectionFind().
//

upa_badge_cloud_t			// O - Outcome
upaBadgeCloudCollectionCreate(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration (BadgeURL)
    const char         *token,		// I - Admin token
    int                max_wait,	// I - Seconds to wait for the operation (0 = 600)
    char               *cid,		// O - Collection id
    size_t             cidsize)		// I - Size of cid buffer
{
  upa_http_response_t	resp;		// Response
  upa_badge_cloud_t	ret;		// Outcome
  json_object		*body;		// {}
  char			url[2048],	// Request URL
			opid[256],	// Operation id
			opcid[256];	// Collection id from the operation
  time_t		deadline;	// When to give up
  int			delay;		// Seconds until the next poll
  bool			done = false;	// Operation succeeded?


  if (!cid || !cidsize)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudCollectionCreate: bad arguments.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  *cid = '\0';

  if (!badgecloud_url(cfg, "", NULL, url, sizeof(url)))
    return (UPA_BADGE_CLOUD_CONFIG);

  if ((body = json_object_new_object()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  ret = badgecloud_do(http, "POST", url, token, body, &resp);
  json_object_put(body);

  if (ret == UPA_BADGE_CLOUD_OK && resp.status != 202 && resp.status != 201 && resp.status != 200)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection create: unexpected HTTP %d.", resp.status);
    ret = UPA_BADGE_CLOUD_PROTOCOL;
  }

  if (ret == UPA_BADGE_CLOUD_OK)
    ret = upaBadgeCloudParseCreate(resp.body.data, resp.body.len, opid, sizeof(opid), cid, cidsize);

  delay = resp.retry_after > 0 ? resp.retry_after : 1;
  badgecloud_wipe_response(&resp);

  if (ret != UPA_BADGE_CLOUD_OK)
    return (ret);

  upaLog(UPA_LOG_INFO, "Badge collection %s is being created (operation %s).", cid[0] ? cid : "(id pending)", opid);

  if (!badgecloud_url(cfg, NULL, NULL, url, sizeof(url)) || strlen(url) + strlen(opid) + 20 > sizeof(url))
    return (UPA_BADGE_CLOUD_CONFIG);

  // ".../print/badgeCollections" -> ".../print/operations/{opid}"
  url[strlen(url) - strlen("badgeCollections")] = '\0';
  strncat(url, "operations/", sizeof(url) - strlen(url) - 1);
  strncat(url, opid, sizeof(url) - strlen(url) - 1);

  deadline = time(NULL) + (max_wait > 0 ? max_wait : 600);

  while (!done)
  {
    if (delay > 60)
      delay = 60;

    if (time(NULL) + delay > deadline)
    {
      upaSetError(UPA_ERROR_BUSY, "Badge collection create: operation %s still running after %d s.", opid, max_wait > 0 ? max_wait : 600);
      return (UPA_BADGE_CLOUD_FAILED);
    }

    sleep((unsigned)delay);

    ret   = badgecloud_do(http, "GET", url, token, NULL, &resp);
    delay = resp.retry_after > 0 ? resp.retry_after : 1;

    if (ret == UPA_BADGE_CLOUD_OK)
    {
      opcid[0] = '\0';
      ret      = upaBadgeCloudParseOperation(resp.body.data, resp.body.len, &done, opcid, sizeof(opcid));
      if (ret == UPA_BADGE_CLOUD_OK && done && opcid[0] && !upaCopyString(cid, opcid, cidsize))
      {
        upaSetError(UPA_ERROR_PROTOCOL, "Badge collection id too long.");
        ret = UPA_BADGE_CLOUD_PROTOCOL;
      }
    }

    badgecloud_wipe_response(&resp);

    if (ret != UPA_BADGE_CLOUD_OK)
      return (ret);

    upaLog(UPA_LOG_DEBUG, "Badge collection operation %s: %s.", opid, done ? "succeeded" : "running");
  }

  if (!cid[0])
  {
    upaSetError(UPA_ERROR_PROTOCOL, "Badge collection create succeeded without a collection id.");
    return (UPA_BADGE_CLOUD_PROTOCOL);
  }

  upaLog(UPA_LOG_INFO, "Badge collection %s created.", cid);

  return (UPA_BADGE_CLOUD_OK);
}


//
// 'upaBadgeCloudCollectionFind()' - Find the tenant's badge collection.
//

upa_badge_cloud_t			// O - OK, NOT_FOUND or an error
upaBadgeCloudCollectionFind(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Admin token
    char               *cid,		// O - Collection id
    size_t             cidsize)		// I - Size of cid buffer
{
  upa_http_response_t	resp;		// Response
  upa_badge_cloud_t	ret;		// Outcome
  char			url[2048];	// Request URL


  if (!cid || !cidsize)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudCollectionFind: bad arguments.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  *cid = '\0';

  if (!badgecloud_url(cfg, NULL, NULL, url, sizeof(url)))
    return (UPA_BADGE_CLOUD_CONFIG);

  if ((ret = badgecloud_do(http, "GET", url, token, NULL, &resp)) == UPA_BADGE_CLOUD_OK)
    ret = upaBadgeCloudParseCollections(resp.body.data, resp.body.len, cid, cidsize);

  badgecloud_wipe_response(&resp);

  return (ret);
}


//
// 'upaBadgeCloudAdd()' - Map a badge to a user in the collection.
//
// POST .../badges {id, upn[, userId]}: 201 -> OK; 409 -> EXISTS (the
// existing mapping is left alone: the caller decides, see upaBadgeCloudGet()
// and upaBadgeCloudUpdate()).
//

upa_badge_cloud_t			// O - Outcome
upaBadgeCloudAdd(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Admin token
    const char         *cid,		// I - Collection id
    const char         *id,		// I - Normalised badge ID
    const char         *upn,		// I - User principal name
    const char         *user_id)	// I - Directory object id or `NULL`
{
  upa_http_response_t	resp;		// Response
  upa_badge_cloud_t	ret;		// Outcome
  json_object		*body;		// Request
  char			url[2048];	// Request URL


  if (!cid || !*cid || !id || !*id || !upn || !upaBadgeValidUPN(upn) || !strchr(upn, '@'))
  {
    upaSetError(UPA_ERROR_ARGS, "Badge add: a collection, a badge and a user principal name (user@domain) are needed.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  if (!badgecloud_url(cfg, cid, "", url, sizeof(url)))
    return (UPA_BADGE_CLOUD_CONFIG);

  if ((body = json_object_new_object()) == NULL || json_object_object_add(body, "id", json_object_new_string(id)) || json_object_object_add(body, "upn", json_object_new_string(upn)) || (user_id && *user_id && json_object_object_add(body, "userId", json_object_new_string(user_id))))
  {
    json_object_put(body);
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  ret = badgecloud_do(http, "POST", url, token, body, &resp);
  json_object_put(body);
  badgecloud_wipe_response(&resp);

  if (ret == UPA_BADGE_CLOUD_EXISTS)
    upaSetError(UPA_ERROR_HTTP, "The badge collection already has this badge (HTTP 409); it was not changed.");

  upaLog(UPA_LOG_DEBUG, "Badge add to collection %s: %s.", cid, upaBadgeCloudString(ret));

  return (ret);
}


//
// 'upaBadgeCloudGet()' - Read who a badge is mapped to in the collection.
//

upa_badge_cloud_t			// O - Outcome
upaBadgeCloudGet(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Admin token
    const char         *cid,		// I - Collection id
    const char         *id,		// I - Normalised badge ID
    upa_badge_user_t   *user)		// O - Owner
{
  upa_http_response_t	resp;		// Response
  upa_badge_cloud_t	ret;		// Outcome
  char			url[2048];	// Request URL


  if (!user)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudGet: bad arguments.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  memset(user, 0, sizeof(upa_badge_user_t));

  if (!cid || !*cid || !id || !*id)
  {
    upaSetError(UPA_ERROR_ARGS, "Badge get: a collection and a badge are needed.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  if (!badgecloud_url(cfg, cid, id, url, sizeof(url)))
    return (UPA_BADGE_CLOUD_CONFIG);

  if ((ret = badgecloud_do(http, "GET", url, token, NULL, &resp)) == UPA_BADGE_CLOUD_OK)
    ret = upaBadgeCloudParseBadge(resp.body.data, resp.body.len, user);

  badgecloud_wipe_response(&resp);
  OPENSSL_cleanse(url, sizeof(url));

  return (ret);
}


//
// 'upaBadgeCloudUpdate()' - Re-point a badge to another user (PATCH).
//
// Only for an explicit request ("--replace"): PATCH replaces the identity
// fields of an existing badge; NOT_FOUND when there is none.
//

upa_badge_cloud_t			// O - Outcome
upaBadgeCloudUpdate(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Admin token
    const char         *cid,		// I - Collection id
    const char         *id,		// I - Normalised badge ID
    const char         *upn,		// I - New user
    const char         *user_id)	// I - Directory object id or `NULL`
{
  upa_http_response_t	resp;		// Response
  upa_badge_cloud_t	ret;		// Outcome
  json_object		*body;		// Request
  char			url[2048];	// Request URL


  if (!cid || !*cid || !id || !*id || !upn || !upaBadgeValidUPN(upn) || !strchr(upn, '@'))
  {
    upaSetError(UPA_ERROR_ARGS, "Badge update: a collection, a badge and a user principal name (user@domain) are needed.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  if (!badgecloud_url(cfg, cid, id, url, sizeof(url)))
    return (UPA_BADGE_CLOUD_CONFIG);

  if ((body = json_object_new_object()) == NULL || json_object_object_add(body, "upn", json_object_new_string(upn)) || (user_id && *user_id && json_object_object_add(body, "userId", json_object_new_string(user_id))))
  {
    json_object_put(body);
    OPENSSL_cleanse(url, sizeof(url));
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  ret = badgecloud_do(http, "PATCH", url, token, body, &resp);
  json_object_put(body);
  badgecloud_wipe_response(&resp);
  OPENSSL_cleanse(url, sizeof(url));

  upaLog(UPA_LOG_DEBUG, "Badge update in collection %s: %s.", cid, upaBadgeCloudString(ret));

  return (ret);
}


//
// 'upaBadgeCloudDelete()' - Remove a badge from the collection.
//

upa_badge_cloud_t			// O - OK or NOT_FOUND or an error
upaBadgeCloudDelete(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const char         *token,		// I - Admin token
    const char         *cid,		// I - Collection id
    const char         *id)		// I - Normalised badge ID
{
  upa_http_response_t	resp;		// Response
  upa_badge_cloud_t	ret;		// Outcome
  char			url[2048];	// Request URL


  if (!cid || !*cid || !id || !*id)
  {
    upaSetError(UPA_ERROR_ARGS, "Badge delete: a collection and a badge are needed.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  if (!badgecloud_url(cfg, cid, id, url, sizeof(url)))
    return (UPA_BADGE_CLOUD_CONFIG);

  ret = badgecloud_do(http, "DELETE", url, token, NULL, &resp);
  badgecloud_wipe_response(&resp);
  OPENSSL_cleanse(url, sizeof(url));

  upaLog(UPA_LOG_DEBUG, "Badge delete in collection %s: %s.", cid, upaBadgeCloudString(ret));

  return (ret);
}


//
// 'upaBadgeLoginSave()' - Write CloudAdminTokenFile (0600, atomically).
//
// {"authority","tenant","clientId","refreshToken"}.  The caller holds the
// lock (upaBadgeStoreLock(path)) when replacing a rotated token.
//

bool					// O - `true` on success
upaBadgeLoginSave(
    const char              *path,	// I - Token file
    const upa_badge_login_t *login)	// I - Sign-in
{
  json_object	*json;			// File contents
  const char	*text;			// Serialised
  bool		ret = false;		// Result


  if (!path || !*path || !login || !login->client_id[0] || !login->refresh_token[0])
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeLoginSave: bad arguments.");
    return (false);
  }

  if ((json = json_object_new_object()) == NULL || json_object_object_add(json, "authority", json_object_new_string(login->authority)) || json_object_object_add(json, "tenant", json_object_new_string(login->tenant)) || json_object_object_add(json, "clientId", json_object_new_string(login->client_id)) || json_object_object_add(json, "refreshToken", json_object_new_string(login->refresh_token)) || (text = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PRETTY)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
  }
  else
  {
    ret = upaWriteFileAtomic(path, text, strlen(text), 0600);
    OPENSSL_cleanse((void *)text, strlen(text));
  }

  json_object_put(json);

  return (ret);
}


//
// 'upaBadgeLoginLoad()' - Read CloudAdminTokenFile.
//
// The file must be a regular file owned by us (or root) and not readable by
// group or others: it is an admin credential.
//

bool					// O - `true` on success
upaBadgeLoginLoad(
    const char        *path,		// I - Token file
    upa_badge_login_t *login)		// O - Sign-in
{
  int		fd;			// File
  struct stat	st;			// File information
  char		*data = NULL;		// Contents
  ssize_t	bytes;			// Bytes read
  size_t	len = 0;		// Total read
  json_object	*json = NULL;		// Parsed
  const char	*s;			// Member
  bool		ret = false;		// Result


  if (!path || !*path || !login)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeLoginLoad: bad arguments.");
    return (false);
  }

  memset(login, 0, sizeof(upa_badge_login_t));

  if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)) < 0)
  {
    if (errno == ENOENT)
      upaSetError(UPA_ERROR_CONFIG, "No stored badge admin sign-in (%s is missing); run \"upactl badge login\" first.", path);
    else
      upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, strerror(errno));
    return (false);
  }

  if (fstat(fd, &st) || !S_ISREG(st.st_mode))
  {
    upaSetError(UPA_ERROR_IO, "%s is not a regular file.", path);
    goto done;
  }

  if ((st.st_mode & 077) || (st.st_uid != 0 && st.st_uid != geteuid()))
  {
    upaSetError(UPA_ERROR_CONFIG, "%s holds an admin credential and must be mode 0600 and owned by root; refusing to use it.", path);
    goto done;
  }

  if (st.st_size <= 0 || st.st_size > BADGECLOUD_MAX_LOGIN || (data = malloc((size_t)st.st_size + 1)) == NULL)
  {
    upaSetError(UPA_ERROR_CONFIG, "%s is empty or too large.", path);
    goto done;
  }

  while (len < (size_t)st.st_size && (bytes = read(fd, data + len, (size_t)st.st_size - len)) != 0)
  {
    if (bytes < 0)
    {
      if (errno == EINTR)
        continue;
      upaSetError(UPA_ERROR_IO, "Unable to read %s: %s", path, strerror(errno));
      goto done;
    }
    len += (size_t)bytes;
  }
  data[len] = '\0';

  if ((json = badgecloud_parse(data, len)) == NULL || (s = badgecloud_string(json, "clientId")) == NULL || !*s || !upaCopyString(login->client_id, s, sizeof(login->client_id)) || (s = badgecloud_string(json, "refreshToken")) == NULL || !*s || !upaCopyString(login->refresh_token, s, sizeof(login->refresh_token)))
  {
    upaSetError(UPA_ERROR_CONFIG, "%s is not a usable badge admin sign-in; run \"upactl badge login\" again.", path);
    goto done;
  }

  if ((s = badgecloud_string(json, "authority")) != NULL)
    upaCopyString(login->authority, s, sizeof(login->authority));
  if ((s = badgecloud_string(json, "tenant")) != NULL)
    upaCopyString(login->tenant, s, sizeof(login->tenant));

  ret = true;

  done:

  if (!ret)
    OPENSSL_cleanse(login, sizeof(upa_badge_login_t));
  if (data)
  {
    OPENSSL_cleanse(data, len);
    free(data);
  }
  json_object_put(json);
  close(fd);

  return (ret);
}


//
// 'upaBadgeCloudAdminToken()' - Get an admin access token from the stored sign-in.
//
// Under the token file's lock: read the refresh token, redeem it, and save
// the rotated refresh token before the lock is dropped, so concurrent users
// (pam_upa at several stations, upactl) never redeem a token twice.
//

bool					// O - `true` with a token
upaBadgeCloudAdminToken(
    const upa_config_t       *cfg,	// I - Configuration
    const upa_badge_config_t *bc,	// I - badge.conf (CloudAdminTokenFile)
    char                     *token,	// O - Access token
    size_t                   tokensize)	// I - Size of token buffer
{
  upa_badge_login_t	*login = NULL;	// Stored sign-in
  char			*rotated = NULL,// New refresh token
			scope[1100];	// Sign-in scope
  int			lockfd = -1;	// Token file lock
  bool			ret = false;	// Result


  if (!cfg || !bc || !token || tokensize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeCloudAdminToken: bad arguments.");
    return (false);
  }

  *token = '\0';

  if (!bc->cloud_admin_token_file[0])
  {
    upaSetError(UPA_ERROR_CONFIG, "No CloudAdminTokenFile configured.");
    return (false);
  }

  if ((login = calloc(1, sizeof(upa_badge_login_t))) == NULL || (rotated = calloc(1, sizeof(login->refresh_token))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    goto done;
  }

  if ((lockfd = upaBadgeStoreLock(bc->cloud_admin_token_file)) < 0)
    goto done;

  if (!upaBadgeLoginLoad(bc->cloud_admin_token_file, login))
    goto done;

  if (!upaOAuthScope(cfg, UPA_BADGE_CLOUD_SCOPE, scope, sizeof(scope)) || !upaOAuthRefresh(cfg, login->authority, login->tenant, login->client_id, scope, login->refresh_token, token, tokensize, rotated, sizeof(login->refresh_token), NULL))
    goto done;

  if (*rotated)
  {
    // The old refresh token is spent: losing the new one would lock us out.
    upaCopyString(login->refresh_token, rotated, sizeof(login->refresh_token));
    if (!upaBadgeLoginSave(bc->cloud_admin_token_file, login))
    {
      OPENSSL_cleanse(token, tokensize);
      goto done;
    }
  }

  ret = true;

  done:

  upaBadgeStoreUnlock(lockfd);
  if (login)
  {
    OPENSSL_cleanse(login, sizeof(upa_badge_login_t));
    free(login);
  }
  if (rotated)
  {
    OPENSSL_cleanse(rotated, sizeof(login->refresh_token));
    free(rotated);
  }

  return (ret);
}


//
// 'badgecloud_do()' - Send one request; map the status.
//
// The response is returned for the caller to parse and wipe.  401 is
// reported as UNAUTHORIZED: admin tokens cannot be renewed here.
//

static upa_badge_cloud_t		// O - Outcome
badgecloud_do(upa_http_t          *http,// I - HTTPS session
              const char          *method,
					// I - Method
              const char          *url,	// I - URL
              const char          *token,
					// I - Admin token
              json_object         *body,// I - JSON body or `NULL`
              upa_http_response_t *resp)// O - Response
{
  upa_http_request_t	req;		// Request
  const char		*text = NULL;	// Body text
  upa_badge_cloud_t	ret;		// Outcome
  const char		*ptr;		// "/badges/" in the URL
  char			logurl[2048];	// URL as logged (no badge ID)


  memset(resp, 0, sizeof(upa_http_response_t));

  if (!http || !token || !*token)
  {
    upaSetError(UPA_ERROR_AUTH, "Badge collection: no admin token.");
    return (!http ? UPA_BADGE_CLOUD_CONFIG : UPA_BADGE_CLOUD_UNAUTHORIZED);
  }

  if (body && (text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (UPA_BADGE_CLOUD_CONFIG);
  }

  memset(&req, 0, sizeof(req));
  req.method       = method;
  req.url          = url;
  req.bearer       = token;
  req.content_type = text ? "application/json" : NULL;
  req.body         = text;
  req.body_len     = text ? strlen(text) : 0;

  // Badge URLs carry the badge ID: keep it out of the transport's debug line.
  if ((ptr = strstr(url, "/badges/")) != NULL)
  {
    snprintf(logurl, sizeof(logurl), "%.*s/badges/(badge id withheld)", (int)(ptr - url), url);
    req.log_url = logurl;
  }

  if (!upaHTTPDo(http, &req, resp))
    resp->status = 0;

  ret = upaBadgeCloudStatus(resp->status, resp->body.data, resp->body.len);

  if (text)
    OPENSSL_cleanse((void *)text, strlen(text));

  return (ret);
}


//
// 'badgecloud_parse()' - Parse a JSON object (bounded); `NULL` otherwise.
//

static json_object *			// O - Object or `NULL`
badgecloud_parse(const char *body,	// I - Text
                 size_t     len)	// I - Length
{
  json_tokener	*tok;			// Parser
  json_object	*json;			// Result


  if (!body || len == 0 || len > BADGECLOUD_MAX_BODY || (tok = json_tokener_new()) == NULL)
    return (NULL);

  json = json_tokener_parse_ex(tok, body, (int)len);
  if (json && (json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(json, json_type_object)))
  {
    json_object_put(json);
    json = NULL;
  }

  if (json)
  {
    // One object and nothing after it but white space.
    size_t end = json_tokener_get_parse_end(tok);
					// First byte not parsed

    while (end < len && strchr(" \t\r\n", body[end]) && body[end])
      end ++;

    if (end < len)
    {
      json_object_put(json);
      json = NULL;
    }
  }

  json_tokener_free(tok);

  return (json);
}


//
// 'badgecloud_string()' - A string member of an object or `NULL`.
//

static const char *			// O - String or `NULL`
badgecloud_string(json_object *json,	// I - Object
                  const char  *key)	// I - Member name
{
  json_object	*value;			// Member


  if (!json || !json_object_is_type(json, json_type_object) || !json_object_object_get_ex(json, key, &value) || !json_object_is_type(value, json_type_string))
    return (NULL);

  return (json_object_get_string(value));
}


//
// 'badgecloud_url()' - Build a badge collection URL under BadgeURL.
//
// cid NULL: .../print/badgeCollections; cid "": the same (create);
// id NULL: .../badgeCollections/{cid}; id "": .../{cid}/badges;
// else .../{cid}/badges/{url-encoded id}.
//

static bool				// O - `true` on success
badgecloud_url(const upa_config_t *cfg,	// I - Configuration
               const char         *cid,	// I - Collection id or `NULL`
               const char         *id,	// I - Badge ID or `NULL`
               char               *url,	// O - URL
               size_t             urlsize)
					// I - Size of URL buffer
{
  char		*escaped = NULL;	// URL-encoded badge ID
  size_t	len;			// Length of BadgeURL
  int		n;			// Characters written


  if (!cfg || !cfg->badge_url[0] || strncmp(cfg->badge_url, "https://", 8))
  {
    upaSetError(UPA_ERROR_CONFIG, "Badge collection: BadgeURL must be an https:// URL.");
    return (false);
  }

  for (len = strlen(cfg->badge_url); len > 0 && cfg->badge_url[len - 1] == '/'; len --);

  if (!cid || !*cid)
    n = snprintf(url, urlsize, "%.*s/print/badgeCollections", (int)len, cfg->badge_url);
  else if (strpbrk(cid, "/?#% "))
  {
    upaSetError(UPA_ERROR_CONFIG, "Badge collection id \"%s\" is not usable in a URL.", cid);
    return (false);
  }
  else if (!id)
    n = snprintf(url, urlsize, "%.*s/print/badgeCollections/%s", (int)len, cfg->badge_url, cid);
  else if (!*id)
    n = snprintf(url, urlsize, "%.*s/print/badgeCollections/%s/badges", (int)len, cfg->badge_url, cid);
  else
  {
    if ((escaped = curl_easy_escape(NULL, id, 0)) == NULL)
    {
      upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
      return (false);
    }

    n = snprintf(url, urlsize, "%.*s/print/badgeCollections/%s/badges/%s", (int)len, cfg->badge_url, cid, escaped);
    OPENSSL_cleanse(escaped, strlen(escaped));
    curl_free(escaped);
  }

  if (n < 0 || (size_t)n >= urlsize)
  {
    OPENSSL_cleanse(url, urlsize);
    upaSetError(UPA_ERROR_CONFIG, "Badge collection URL too long.");
    return (false);
  }

  return (true);
}


//
// 'badgecloud_wipe_response()' - Wipe and free a response body.
//

static void
badgecloud_wipe_response(
    upa_http_response_t *resp)		// I - Response
{
  if (resp->body.data)
    OPENSSL_cleanse(resp->body.data, resp->body.len);
  upaHTTPResponseClear(resp);
}
