//
// Tenant model for upa-cloudsim: users, access lists, pull printers, shares,
// badges, visibility of held jobs and service limits.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The tenant configuration is JSON (--tenant-config FILE or POST /sim/tenant):
//
//   {"users":[{"upn":"alice@example.com","id":"<guid>"}],
//    "pullPrinters":[{"id":"pull2","name":"Floor 2","members":["<id or name>"],
//                     "allowedUsers":["alice@example.com"]}],
//    "badges":[{"badgeId":"0042","upn":"alice@example.com"}],
//    "badgeLookup":{"enabled":true,"permission":true},
//    "retention":SECONDS, "slowRelease":SECONDS}
//
// Omitted "members"/"allowedUsers" mean every device/user.  Entries with an
// existing id replace it; nothing is removed.  Call with the tenant locked.
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


//
// Local functions...
//

static const char *get_str(json_object *obj, const char *key);
static bool	set_pull(cs_tenant_t *tenant, json_object *obj, char *err, size_t errsize);


//
// 'csAccessAllows()' - May a user print through an access list?
//

bool					// O - `true` if allowed
csAccessAllows(cs_access_t *access,	// I - Access list
               const char  *upn)	// I - User
{
  size_t	i;			// Looping var


  if (access->all)
    return (true);

  for (i = 0; upn && i < access->num_users; i ++)
  {
    if (!strcasecmp(access->users[i], upn))
      return (true);
  }

  return (false);
}


//
// 'csAccessFree()' - Free an access list's users.
//

void
csAccessFree(cs_access_t *access)	// I - Access list
{
  size_t	i;			// Looping var


  for (i = 0; i < access->num_users; i ++)
    free(access->users[i]);

  free(access->users);
  access->users     = NULL;
  access->num_users = 0;
}


//
// 'csAccessJSON()' - Describe an access list (null = all users).
//

json_object *				// O - Array or `NULL`
csAccessJSON(cs_access_t *access)	// I - Access list
{
  json_object	*array;			// UPN array
  size_t	i;			// Looping var


  if (access->all)
    return (NULL);

  array = json_object_new_array();
  for (i = 0; i < access->num_users; i ++)
    json_object_array_add(array, json_object_new_string(access->users[i]));

  return (array);
}


//
// 'csAccessSet()' - Set an access list from a JSON array (NULL = all users).
//

void
csAccessSet(cs_access_t *access,	// I - Access list
            json_object *users)		// I - Array of UPNs or `NULL`
{
  size_t	i,			// Looping var
		count;			// Number of values


  csAccessFree(access);

  if (!users || !json_object_is_type(users, json_type_array))
  {
    access->all = true;
    return;
  }

  access->all = false;
  count       = json_object_array_length(users);

  if (count == 0 || (access->users = calloc(count, sizeof(char *))) == NULL)
    return;

  for (i = 0; i < count; i ++)
  {
    const char *upn = json_object_get_string(json_object_array_get_idx(users, i));
					// UPN

    if (upn && *upn)
      access->users[access->num_users ++] = strdup(upn);
  }
}


//
// 'csJobAccess()' - The access list that governs a job.
//

cs_access_t *				// O - Access list or `NULL` for none
csJobAccess(cs_tenant_t *tenant,	// I - Tenant
            cs_job_t    *job)		// I - Job
{
  cs_share_t	*share;			// Share
  cs_pull_t	*pull;			// Pull printer


  if (job->share[0] && (share = csTenantFindShare(tenant, job->share)) != NULL)
    return (&share->access);

  if ((pull = csTenantFindPull(tenant, job->printer)) != NULL)
    return (&pull->access);

  return (NULL);
}


//
// 'csJobVisibleTo()' - May a device see a job at all?
//
// Direct jobs: only their device.  Held jobs: member devices of the pull
// printer (or the shared device itself), while the owner is still allowed
// to print there.  The caller still decides whether the owner must be named.
//

bool					// O - `true` if visible
csJobVisibleTo(cs_tenant_t *tenant,	// I - Tenant
               cs_job_t    *job,	// I - Job
               cs_device_t *dev)	// I - Device
{
  cs_pull_t	*pull;			// Pull printer
  cs_access_t	*access;		// Access list


  if (!job->started)
    return (false);

  if (!job->held)
    return (!strcasecmp(job->printer, dev->id));

  if ((pull = csTenantFindPull(tenant, job->printer)) != NULL)
  {
    if (!csPullHasMember(pull, dev))
      return (false);
  }
  else if (strcasecmp(job->printer, dev->id))
    return (false);

  return ((access = csJobAccess(tenant, job)) == NULL || csAccessAllows(access, job->user));
}


//
// 'csTenantAddShare()' - Add a share of a device or pull printer.
//

cs_share_t *				// O - Share or `NULL`
csTenantAddShare(cs_tenant_t *tenant,	// I - Tenant
                 const char  *name,	// I - Display name
                 const char  *printer)	// I - Printer id
{
  cs_share_t	*share;			// Share


  if (!csGrow(&tenant->shares, tenant->num_shares, sizeof(cs_share_t *)) || (share = calloc(1, sizeof(cs_share_t))) == NULL)
    return (NULL);

  csUUID(share->id, sizeof(share->id));
  share->name       = strdup(name);
  share->access.all = true;
  share->created    = time(NULL);
  // Shares of a pull printer always hold jobs.
  share->hold       = csTenantFindPull(tenant, printer) != NULL;
  snprintf(share->printer, sizeof(share->printer), "%s", printer);

  tenant->shares[tenant->num_shares ++] = share;
  tenant->dirty = true;

  return (share);
}


//
// 'csTenantCheckLimits()' - Check the service limits before creating a job.
//
// Returns 0 if allowed, 1 when the 10-minute rate is exceeded (retry later),
// 2 when too many jobs are active on the printer, 3 when the user has too many
// active jobs there.  Active = not terminal and not waiting for release.
//

int					// O - 0 or limit number
csTenantCheckLimits(cs_server_t *server,// I - Server
                    const char  *printer,
					// I - Printer id
                    const char  *user,	// I - Owner UPN
                    int         *retry_after)
					// O - Seconds until the rate limit allows a job
{
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  time_t	now = time(NULL),	// Current time
		oldest = now;		// Oldest job in the window
  int		recent = 0,		// Jobs created in the last 10 minutes
		active = 0,		// Active jobs on the printer
		mine = 0;		// Active jobs of the user
  size_t	i;			// Looping var


  *retry_after = 0;

  for (i = 0; i < tenant->num_jobs; i ++)
  {
    cs_job_t *job = tenant->jobs[i];	// Job

    if (strcasecmp(job->printer, printer))
      continue;

    if (job->created > now - 600)
    {
      recent ++;
      if (job->created < oldest)
        oldest = job->created;
    }

    if (!csJobIsTerminal(job) && !csJobIsReleasable(job))
    {
      active ++;
      if (!strcasecmp(job->user, user))
        mine ++;
    }
  }

  if (server->limits.jobs_per_10min > 0 && recent >= server->limits.jobs_per_10min)
  {
    *retry_after = (int)(oldest + 600 - now) + 1;
    return (1);
  }

  if (server->limits.concurrent > 0 && active >= server->limits.concurrent)
  {
    *retry_after = 30;
    return (2);
  }

  if (server->limits.per_user > 0 && mine >= server->limits.per_user)
  {
    *retry_after = 30;
    return (3);
  }

  return (0);
}


//
// 'csTenantConfigure()' - Apply a tenant configuration object.
//

bool					// O - `true` on success
csTenantConfigure(cs_tenant_t *tenant,	// I - Tenant
                  json_object *config,	// I - Configuration
                  char        *err,	// O - Error message
                  size_t      errsize)	// I - Size of error buffer
{
  json_object	*value,			// Member
		*item;			// Array element
  size_t	i;			// Looping var


  if (!json_object_is_type(config, json_type_object))
  {
    snprintf(err, errsize, "the configuration must be a JSON object");
    return (false);
  }

  if (json_object_object_get_ex(config, "users", &value))
  {
    for (i = 0; i < json_object_array_length(value); i ++)
    {
      const char *upn, *id;		// Fields
      cs_user_t	*user;			// User

      item = json_object_array_get_idx(value, i);
      if ((upn = get_str(item, "upn")) == NULL || !strchr(upn, '@'))
      {
        snprintf(err, errsize, "users[%u].upn must be a UPN", (unsigned)i);
        return (false);
      }

      if ((user = csTenantUser(tenant, upn, true)) != NULL && (id = get_str(item, "id")) != NULL)
        snprintf(user->id, sizeof(user->id), "%s", id);
    }
  }

  if (json_object_object_get_ex(config, "pullPrinters", &value))
  {
    for (i = 0; i < json_object_array_length(value); i ++)
    {
      if (!set_pull(tenant, json_object_array_get_idx(value, i), err, errsize))
        return (false);
    }
  }

  if (json_object_object_get_ex(config, "badges", &value))
  {
    for (i = 0; i < json_object_array_length(value); i ++)
    {
      const char *badge, *upn;		// Fields

      item = json_object_array_get_idx(value, i);
      if ((badge = get_str(item, "badgeId")) == NULL || (upn = get_str(item, "upn")) == NULL || !strchr(upn, '@'))
      {
        snprintf(err, errsize, "badges[%u] needs badgeId and upn", (unsigned)i);
        return (false);
      }

      csTenantSetBadge(tenant, badge, upn, get_str(item, "collection"));
    }
  }

  if (json_object_object_get_ex(config, "badgeLookup", &value))
  {
    if (json_object_object_get_ex(value, "enabled", &item))
      tenant->badges_enabled = json_object_get_boolean(item);
    if (json_object_object_get_ex(value, "permission", &item))
      tenant->badges_permission = json_object_get_boolean(item);
  }

  if (json_object_object_get_ex(config, "retention", &value))
    tenant->retention = json_object_get_int(value);
  if (json_object_object_get_ex(config, "slowRelease", &value))
    tenant->slow_release = json_object_get_int(value);

  tenant->dirty = true;

  return (true);
}


//
// 'csTenantDeleteBadge()' - Remove a badge.
//

bool					// O - `true` if it existed
csTenantDeleteBadge(cs_tenant_t *tenant,// I - Tenant
                    const char  *badge)	// I - Badge id
{
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_badges; i ++)
  {
    if (!strcmp(tenant->badges[i]->badge, badge))
    {
      free(tenant->badges[i]->badge);
      free(tenant->badges[i]->upn);
      free(tenant->badges[i]->collection);
      free(tenant->badges[i]);
      tenant->badges[i] = tenant->badges[-- tenant->num_badges];
      tenant->dirty     = true;
      return (true);
    }
  }

  return (false);
}


//
// 'csTenantFindBadge()' - Find a badge by id (exact match).
//

cs_badge_t *				// O - Badge or `NULL`
csTenantFindBadge(cs_tenant_t *tenant,	// I - Tenant
                  const char  *badge)	// I - Badge id
{
  size_t	i;			// Looping var


  for (i = 0; badge && i < tenant->num_badges; i ++)
  {
    if (!strcmp(tenant->badges[i]->badge, badge))
      return (tenant->badges[i]);
  }

  return (NULL);
}


//
// 'csTenantFindShare()' - Find a share by id.
//

cs_share_t *				// O - Share or `NULL`
csTenantFindShare(cs_tenant_t *tenant,	// I - Tenant
                  const char  *id)	// I - Share id
{
  size_t	i;			// Looping var


  for (i = 0; id && i < tenant->num_shares; i ++)
  {
    if (!strcasecmp(tenant->shares[i]->id, id))
      return (tenant->shares[i]);
  }

  return (NULL);
}


//
// 'csTenantFindUserId()' - Find a user by object id.
//

cs_user_t *				// O - User or `NULL`
csTenantFindUserId(cs_tenant_t *tenant,	// I - Tenant
                   const char  *id)	// I - Object id
{
  size_t	i;			// Looping var


  for (i = 0; id && i < tenant->num_users; i ++)
  {
    if (!strcasecmp(tenant->users[i]->id, id))
      return (tenant->users[i]);
  }

  return (NULL);
}


//
// 'csTenantJSON()' - Describe the tenant model (for GET /sim/tenant).
//

json_object *				// O - JSON object
csTenantJSON(cs_tenant_t *tenant)	// I - Tenant
{
  json_object	*obj = json_object_new_object(),
					// Object
		*array,			// Arrays
		*item,			// Elements
		*members;		// Member list
  size_t	i, j;			// Looping vars


  json_object_object_add(obj, "tenantId", json_object_new_string(tenant->id));

  array = json_object_new_array();
  for (i = 0; i < tenant->num_users; i ++)
  {
    item = json_object_new_object();
    json_object_object_add(item, "upn", json_object_new_string(tenant->users[i]->upn));
    json_object_object_add(item, "id", json_object_new_string(tenant->users[i]->id));
    json_object_array_add(array, item);
  }
  json_object_object_add(obj, "users", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_pulls; i ++)
  {
    cs_pull_t *pull = tenant->pulls[i];	// Pull printer

    item = json_object_new_object();
    json_object_object_add(item, "id", json_object_new_string(pull->id));
    json_object_object_add(item, "name", json_object_new_string(pull->name));
    if (pull->all_devices)
      members = NULL;
    else
    {
      members = json_object_new_array();
      for (j = 0; j < pull->num_members; j ++)
        json_object_array_add(members, json_object_new_string(pull->members[j]));
    }
    json_object_object_add(item, "members", members);
    json_object_object_add(item, "allowedUsers", csAccessJSON(&pull->access));
    json_object_array_add(array, item);
  }
  json_object_object_add(obj, "pullPrinters", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_shares; i ++)
  {
    cs_share_t *share = tenant->shares[i];
					// Share

    item = json_object_new_object();
    json_object_object_add(item, "id", json_object_new_string(share->id));
    json_object_object_add(item, "displayName", json_object_new_string(share->name));
    json_object_object_add(item, "printer", json_object_new_string(share->printer));
    json_object_object_add(item, "holdJobsForSecureRelease", json_object_new_boolean(share->hold));
    json_object_object_add(item, "allowedUsers", csAccessJSON(&share->access));
    json_object_array_add(array, item);
  }
  json_object_object_add(obj, "shares", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_badges; i ++)
  {
    item = json_object_new_object();
    json_object_object_add(item, "badgeId", json_object_new_string(tenant->badges[i]->badge));
    json_object_object_add(item, "upn", json_object_new_string(tenant->badges[i]->upn));
    json_object_array_add(array, item);
  }
  json_object_object_add(obj, "badges", array);

  item = json_object_new_object();
  json_object_object_add(item, "enabled", json_object_new_boolean(tenant->badges_enabled));
  json_object_object_add(item, "permission", json_object_new_boolean(tenant->badges_permission));
  json_object_object_add(obj, "badgeLookup", item);
  json_object_object_add(obj, "retention", json_object_new_int(tenant->retention));
  json_object_object_add(obj, "slowRelease", json_object_new_int(tenant->slow_release));

  return (obj);
}


//
// 'csTenantMayPrint()' - May a user submit to a printer (and share)?
//

bool					// O - `true` if allowed
csTenantMayPrint(cs_tenant_t *tenant,	// I - Tenant
                 const char  *printer,	// I - Printer id
                 const char  *share,	// I - Share id or `NULL`
                 const char  *user)	// I - UPN
{
  cs_share_t	*sh;			// Share
  cs_pull_t	*pull;			// Pull printer


  if (share && (sh = csTenantFindShare(tenant, share)) != NULL)
    return (csAccessAllows(&sh->access, user));

  if ((pull = csTenantFindPull(tenant, printer)) != NULL)
    return (csAccessAllows(&pull->access, user));

  return (true);
}


//
// 'csTenantSetBadge()' - Add or replace a badge.
//

cs_badge_t *				// O - Badge or `NULL`
csTenantSetBadge(cs_tenant_t *tenant,	// I - Tenant
                 const char  *badge,	// I - Badge id
                 const char  *upn,	// I - Owner
                 const char  *collection)
					// I - Collection or `NULL`
{
  cs_badge_t	*b;			// Badge


  csTenantUser(tenant, upn, true);
  tenant->dirty = true;

  if ((b = csTenantFindBadge(tenant, badge)) != NULL)
  {
    free(b->upn);
    b->upn = strdup(upn);
    return (b);
  }

  if (!csGrow(&tenant->badges, tenant->num_badges, sizeof(cs_badge_t *)) || (b = calloc(1, sizeof(cs_badge_t))) == NULL)
    return (NULL);

  b->badge      = strdup(badge);
  b->upn        = strdup(upn);
  b->collection = collection ? strdup(collection) : NULL;

  tenant->badges[tenant->num_badges ++] = b;

  return (b);
}


//
// 'csTenantUser()' - Find a user by UPN, optionally creating it.
//

cs_user_t *				// O - User or `NULL`
csTenantUser(cs_tenant_t *tenant,	// I - Tenant
             const char  *upn,		// I - UPN
             bool        create)	// I - Create if missing?
{
  cs_user_t	*user;			// User
  size_t	i;			// Looping var


  for (i = 0; upn && i < tenant->num_users; i ++)
  {
    if (!strcasecmp(tenant->users[i]->upn, upn))
      return (tenant->users[i]);
  }

  if (!create || !upn || !csGrow(&tenant->users, tenant->num_users, sizeof(cs_user_t *)) || (user = calloc(1, sizeof(cs_user_t))) == NULL)
    return (NULL);

  user->upn = strdup(upn);
  csUUID(user->id, sizeof(user->id));

  tenant->users[tenant->num_users ++] = user;
  tenant->dirty = true;

  return (user);
}


//
// 'get_str()' - Get a non-empty string member.
//

static const char *			// O - String or `NULL`
get_str(json_object *obj,		// I - Object
        const char  *key)		// I - Member name
{
  json_object	*value;			// Member


  if (!json_object_object_get_ex(obj, key, &value) || !json_object_is_type(value, json_type_string) || !json_object_get_string_len(value))
    return (NULL);

  return (json_object_get_string(value));
}


//
// 'set_pull()' - Add or replace a pull printer from JSON.
//

static bool				// O - `true` on success
set_pull(cs_tenant_t *tenant,		// I - Tenant
         json_object *obj,		// I - Pull printer object
         char        *err,		// O - Error message
         size_t      errsize)		// I - Size of error buffer
{
  const char	*id = get_str(obj, "id"),
		*name = get_str(obj, "name");
					// Fields
  cs_pull_t	*pull;			// Pull printer
  json_object	*members,		// Member list
		*users;			// Allowed users
  size_t	i;			// Looping var


  if (!id || strlen(id) >= sizeof(pull->id) || strchr(id, '/') || csTenantFindDevice(tenant, id))
  {
    snprintf(err, errsize, "pullPrinters[].id is missing or invalid");
    return (false);
  }

  if ((pull = csTenantFindPull(tenant, id)) == NULL && (pull = csTenantAddPull(tenant, id, name ? name : id)) == NULL)
  {
    snprintf(err, errsize, "out of memory");
    return (false);
  }

  if (name)
  {
    free(pull->name);
    pull->name = strdup(name);
  }

  for (i = 0; i < pull->num_members; i ++)
    free(pull->members[i]);
  free(pull->members);
  pull->members     = NULL;
  pull->num_members = 0;
  pull->all_devices = true;

  if (json_object_object_get_ex(obj, "members", &members) && json_object_is_type(members, json_type_array))
  {
    size_t count = json_object_array_length(members);
					// Number of members

    pull->all_devices = false;
    if (count > 0 && (pull->members = calloc(count, sizeof(char *))) != NULL)
    {
      for (i = 0; i < count; i ++)
      {
        const char *m = json_object_get_string(json_object_array_get_idx(members, i));

        if (m && *m)
          pull->members[pull->num_members ++] = strdup(m);
      }
    }
  }

  users = NULL;
  json_object_object_get_ex(obj, "allowedUsers", &users);
  csAccessSet(&pull->access, users);

  tenant->dirty = true;

  return (true);
}
