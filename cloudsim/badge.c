//
// Badge lookup and badge administration for upa-cloudsim (protocol.md §7, §8).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
//   POST /api/v2.0/badges/lookup {"badgeId"}     device token
//   GET  /api/v1.0/badges/{badgeId}              device token
//        200 {"badgeId","userURI":"mailto:UPN","userId"} | 400 empty id |
//        401 bad token | 403 tenant not enabled or no PrintBadges.Read
//        (badgeLookup switches in the tenant configuration) | 404 unknown |
//        500 with an "http,class=badge,status=500" fault
//
//   Administration (graph.print host paths, admin token):
//   GET|POST /v1.0/print/badgeCollections        POST {} -> 202 {id, collectionId}, 409 if one exists
//   GET  /v1.0/print/operations/{id}             running (Retry-After 1), then succeeded
//   DELETE /v1.0/print/badgeCollections/{cid}
//   POST /v1.0/print/badgeCollections/{cid}/badges {id, upn[, userId]} -> 201, 409 if exists
//   GET|PATCH|DELETE /v1.0/print/badgeCollections/{cid}/badges/{badgeId}
//   GET  /v1.0/print/badgeCollections/{cid}/badges -> 501 (not implemented by the service either)
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


//
// Local types...
//

typedef struct op_s			// Long-running badge collection operation
{
  char		id[CS_UUID_LEN];	// Operation id
  char		collection[CS_UUID_LEN];// Collection it creates
  int		polls;			// Polls answered so far
} op_t;


//
// Local globals...
//

static op_t	ops[64];		// Recent operations (guarded by the tenant lock)
static size_t	num_ops = 0;		// Number of operations


//
// Local functions...
//

static enum MHD_Result admin(cs_request_t *req);
static json_object *badge_json(cs_tenant_t *tenant, cs_badge_t *b);
static bool	has_collection(cs_tenant_t *tenant, const char *cid);
static enum MHD_Result lookup(cs_request_t *req, const char *badge);


//
// 'csBadgeHandle()' - Answer badge lookup and administration requests.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csBadgeHandle(cs_request_t *req)	// I - Request
{
  if (!strcmp(req->path, "/api/v2.0/badges/lookup"))
  {
    json_object	*body,			// Request body
		*id;			// badgeId
    enum MHD_Result ret;		// Result

    if (strcmp(req->method, MHD_HTTP_METHOD_POST))
      return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use POST"));

    body = csHTTPBodyJSON(req);
    ret  = lookup(req, body && json_object_object_get_ex(body, "badgeId", &id) && json_object_is_type(id, json_type_string) ? json_object_get_string(id) : "");
    json_object_put(body);
    return (ret);
  }
  else if (!strncmp(req->path, "/api/v1.0/badges/", 17))
  {
    if (strcmp(req->method, MHD_HTTP_METHOD_GET))
      return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use GET"));

    return (lookup(req, req->path + 17));
  }

  return (admin(req));
}


//
// 'admin()' - Badge collection and badge administration.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
admin(cs_request_t *req)		// I - Request
{
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  const char	*path = req->path + 11;	// After "/v1.0/print"
  bool		get = !strcmp(req->method, MHD_HTTP_METHOD_GET),
		post = !strcmp(req->method, MHD_HTTP_METHOD_POST),
		patch = !strcmp(req->method, "PATCH"),
		del = !strcmp(req->method, MHD_HTTP_METHOD_DELETE);
					// Method
  char		cid[64] = "",		// Collection id
		bid[512] = "";		// Badge id
  const char	*rest;			// Path after the collection id
  json_object	*obj = NULL,		// Response
		*body = NULL,		// Request body
		*value;			// Member
  unsigned	status = MHD_HTTP_OK;	// HTTP status
  const char	*error = NULL;		// Error description
  enum MHD_Result ret;			// Result
  size_t	i;			// Looping var


  if (!csHTTPIsAdmin(req))
    return (csHTTPRespondError(req, MHD_HTTP_UNAUTHORIZED, "unauthorized", "the admin (PrintBadges.ReadWrite) token is required"));

  if (req->buf)
    body = csHTTPBodyJSON(req);

  csTenantLock(tenant);

  if (!strncmp(path, "/operations/", 12))
  {
    for (i = 0; i < num_ops && strcmp(ops[i].id, path + 12); i ++);

    if (i >= num_ops || !get)
    {
      status = MHD_HTTP_NOT_FOUND;
      error  = "no such operation";
    }
    else
    {
      json_object *st = json_object_new_object();
					// Status

      // The first poll says "running" so that clients exercise Retry-After.
      json_object_object_add(st, "state", json_object_new_string(ops[i].polls ++ ? "succeeded" : "running"));
      obj = json_object_new_object();
      json_object_object_add(obj, "id", json_object_new_string(ops[i].id));
      json_object_object_add(obj, "status", st);
      json_object_object_add(obj, "collectionId", json_object_new_string(ops[i].collection));
    }
  }
  else if (!strcmp(path, "/badgeCollections"))
  {
    if (get)
    {
      json_object *list = json_object_new_array();
					// Collections

      for (i = 0; i < tenant->num_collections; i ++)
      {
        json_object *c = json_object_new_object();

        json_object_object_add(c, "id", json_object_new_string(tenant->collections[i]));
        json_object_array_add(list, c);
      }
      obj = json_object_new_object();
      json_object_object_add(obj, "value", list);
    }
    else if (!post)
    {
      status = MHD_HTTP_METHOD_NOT_ALLOWED;
      error  = "use GET or POST";
    }
    else if (tenant->num_collections > 0)
    {
      status = MHD_HTTP_CONFLICT;
      error  = "the tenant already has a badge collection";
    }
    else if (csGrow(&tenant->collections, tenant->num_collections, sizeof(char *)))
    {
      op_t *op = ops + (num_ops < 64 ? num_ops ++ : 63);
					// Operation

      csUUID(op->id, sizeof(op->id));
      csUUID(op->collection, sizeof(op->collection));
      op->polls = 0;
      tenant->collections[tenant->num_collections ++] = strdup(op->collection);
      tenant->dirty = true;

      obj = json_object_new_object();
      json_object_object_add(obj, "id", json_object_new_string(op->id));
      json_object_object_add(obj, "collectionId", json_object_new_string(op->collection));
      status = MHD_HTTP_ACCEPTED;
    }
  }
  else if (!strncmp(path, "/badgeCollections/", 18))
  {
    size_t len = strcspn(path + 18, "/");
					// Length of the collection id

    if (len < sizeof(cid))
    {
      memcpy(cid, path + 18, len);
      cid[len] = '\0';
    }
    rest = path + 18 + len;

    if (!has_collection(tenant, cid))
    {
      status = MHD_HTTP_NOT_FOUND;
      error  = "no such badge collection";
    }
    else if (!*rest && del)
    {
      for (i = 0; i < tenant->num_collections; i ++)
      {
        if (!strcmp(tenant->collections[i], cid))
        {
          free(tenant->collections[i]);
          tenant->collections[i] = tenant->collections[-- tenant->num_collections];
          break;
        }
      }
      for (i = 0; i < tenant->num_badges;)
      {
        if (tenant->badges[i]->collection && !strcmp(tenant->badges[i]->collection, cid))
          csTenantDeleteBadge(tenant, tenant->badges[i]->badge);
        else
          i ++;
      }
      tenant->dirty = true;
      status        = MHD_HTTP_NO_CONTENT;
    }
    else if (!strcmp(rest, "/badges") && get)
    {
      status = MHD_HTTP_NOT_IMPLEMENTED;
      error  = "listing badges is not implemented";
    }
    else if (!strcmp(rest, "/badges") && post)
    {
      const char *id = body && json_object_object_get_ex(body, "id", &value) ? json_object_get_string(value) : NULL,
		 *upn = body && json_object_object_get_ex(body, "upn", &value) ? json_object_get_string(value) : NULL;
					// Fields
      cs_badge_t *b;			// New badge

      if (!id || !*id || !upn || !strchr(upn, '@'))
      {
        status = MHD_HTTP_BAD_REQUEST;
        error  = "id and upn are required";
      }
      else if (csTenantFindBadge(tenant, id))
      {
        status = MHD_HTTP_CONFLICT;
        error  = "badge already exists";
      }
      else if ((b = csTenantSetBadge(tenant, id, upn, cid)) != NULL)
      {
        cs_user_t *u = csTenantUser(tenant, upn, true);
					// Owner

        if (u && json_object_object_get_ex(body, "userId", &value) && json_object_get_string_len(value) > 0)
          snprintf(u->id, sizeof(u->id), "%s", json_object_get_string(value));
        obj    = badge_json(tenant, b);
        status = MHD_HTTP_CREATED;
      }
    }
    else if (!strncmp(rest, "/badges/", 8) && strlen(rest + 8) < sizeof(bid) && rest[8])
    {
      cs_badge_t *b;			// Badge

      snprintf(bid, sizeof(bid), "%s", rest + 8);

      if ((b = csTenantFindBadge(tenant, bid)) == NULL || !b->collection || strcmp(b->collection, cid))
      {
        status = MHD_HTTP_NOT_FOUND;
        error  = "no such badge";
      }
      else if (get)
        obj = badge_json(tenant, b);
      else if (del)
      {
        csTenantDeleteBadge(tenant, bid);
        status = MHD_HTTP_NO_CONTENT;
      }
      else if (patch)
      {
        // PATCH replaces the identity fields.
        const char *upn = body && json_object_object_get_ex(body, "upn", &value) ? json_object_get_string(value) : NULL;

        if (!upn || !strchr(upn, '@'))
        {
          status = MHD_HTTP_BAD_REQUEST;
          error  = "upn is required";
        }
        else
        {
          cs_user_t *u;			// Owner

          b = csTenantSetBadge(tenant, bid, upn, cid);
          if ((u = csTenantUser(tenant, upn, true)) != NULL && json_object_object_get_ex(body, "userId", &value) && json_object_get_string_len(value) > 0)
            snprintf(u->id, sizeof(u->id), "%s", json_object_get_string(value));
          obj = badge_json(tenant, b);
        }
      }
      else
      {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        error  = "use GET, PATCH or DELETE";
      }
    }
    else
    {
      status = MHD_HTTP_NOT_FOUND;
      error  = "no such resource";
    }
  }
  else
  {
    status = MHD_HTTP_NOT_FOUND;
    error  = "no such resource";
  }

  csTenantUnlock(tenant);
  json_object_put(body);

  if (error)
    return (csHTTPRespondError(req, status, status == MHD_HTTP_CONFLICT ? "conflict" : status == MHD_HTTP_BAD_REQUEST ? "invalid_request" : "not_found", error));

  if (status == MHD_HTTP_ACCEPTED)
    ret = csHTTPRespondHeaders(req, status, obj, "Retry-After", "1");
  else if (!obj)
    ret = csHTTPRespond(req, status, NULL, "", 0);
  else
    ret = csHTTPRespondJSON(req, status, obj);

  json_object_put(obj);

  return (ret);
}


//
// 'badge_json()' - Describe a badge.
//

static json_object *			// O - JSON object
badge_json(cs_tenant_t *tenant,		// I - Tenant
           cs_badge_t  *b)		// I - Badge
{
  json_object	*obj = json_object_new_object();
					// Object
  cs_user_t	*u = csTenantUser(tenant, b->upn, false);
					// Owner


  json_object_object_add(obj, "id", json_object_new_string(b->badge));
  json_object_object_add(obj, "upn", json_object_new_string(b->upn));
  json_object_object_add(obj, "userId", u ? json_object_new_string(u->id) : NULL);

  return (obj);
}


//
// 'has_collection()' - Does a badge collection exist?
//

static bool				// O - `true` if so
has_collection(cs_tenant_t *tenant,	// I - Tenant
               const char  *cid)	// I - Collection id
{
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_collections; i ++)
  {
    if (!strcmp(tenant->collections[i], cid))
      return (true);
  }

  return (false);
}


//
// 'lookup()' - Resolve a badge for a device.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
lookup(cs_request_t *req,		// I - Request
       const char   *badge)		// I - Badge id
{
  cs_tenant_t	*tenant = req->server->tenant;
					// Tenant
  const char	*token = csHTTPBearer(req);
					// Bearer token
  char		device[CS_UUID_LEN];	// Device
  cs_badge_t	*b;			// Badge
  cs_user_t	*u;			// Owner
  json_object	*obj;			// Response
  char		uri[300];		// userURI
  enum MHD_Result ret;			// Result


  csTenantLock(tenant);

  if (!token || !csTenantCheckToken(tenant, token, device, sizeof(device)))
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_UNAUTHORIZED, "unauthorized", "a valid device access token is required"));
  }

  if (!tenant->badges_enabled || !tenant->badges_permission)
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_FORBIDDEN, "forbidden", !tenant->badges_enabled ? "the tenant is not enabled for badge release" : "the application lacks PrintBadges.Read"));
  }

  if (!*badge)
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "badgeId is empty"));
  }

  if ((b = csTenantFindBadge(tenant, badge)) == NULL)
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "not_found", "unknown badge"));
  }

  u = csTenantUser(tenant, b->upn, true);
  snprintf(uri, sizeof(uri), "mailto:%s", b->upn);

  obj = json_object_new_object();
  json_object_object_add(obj, "badgeId", json_object_new_string(b->badge));
  json_object_object_add(obj, "userURI", json_object_new_string(uri));
  json_object_object_add(obj, "userId", u ? json_object_new_string(u->id) : NULL);

  csTenantUnlock(tenant);

  ret = csHTTPRespondJSON(req, MHD_HTTP_OK, obj);
  json_object_put(obj);

  return (ret);
}
