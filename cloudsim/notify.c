//
// Event notifications for upa-cloudsim (RFC 3995/3996 "ippget", as PWG
// 5100.18 proxies use them): Create-Printer-Subscriptions, Get-Notifications
// with notify-wait long polling, Renew-Subscription and Cancel-Subscription.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// A subscription belongs to the device that created it and only ever carries
// events for jobs that device may see without naming a user: its direct jobs
// and jobs it has acknowledged.  Held jobs never produce job-fetchable events,
// so notifications cannot reveal them.  Get-Notifications with notify-wait
// holds the request (tenant lock released) for up to CS_NOTIFY_WAIT seconds.
//

#include "cloudsim.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


//
// Local functions...
//

static void	add_note(cs_sub_t *sub, const char *event, cs_job_t *job);
static ipp_t	*cancel_subscription(cs_tenant_t *tenant, const char *device, ipp_t *request);
static ipp_t	*create_subscriptions(cs_tenant_t *tenant, const char *device, ipp_t *request);
static void	expire_subs(cs_tenant_t *tenant);
static cs_sub_t	*find_sub(cs_tenant_t *tenant, int id);
static ipp_t	*get_notifications(cs_server_t *server, cs_tenant_t *tenant, const char *device, ipp_t *request);
static ipp_t	*get_subscriptions(cs_server_t *server, cs_tenant_t *tenant, const char *device, ipp_t *request);
static void	sub_attrs(cs_server_t *server, cs_sub_t *sub, ipp_t *ipp);
static ipp_t	*renew_subscription(cs_tenant_t *tenant, const char *device, ipp_t *request);
static ipp_t	*sub_lookup(cs_tenant_t *tenant, const char *device, ipp_t *request, cs_sub_t **sub);


//
// 'csNotify()' - Record job events for the subscriptions that may see them.
//
// Call with the tenant locked.  "event" is CS_EV_JOB_STATE or 0; a
// job-fetchable event is added once when the job first becomes fetchable.
//

void
csNotify(cs_tenant_t *tenant,		// I - Tenant
         cs_job_t    *job,		// I - Job
         unsigned    event)		// I - Event mask
{
  size_t	i;			// Looping var
  const char	*target;		// Device that may hear about the job
  bool		fetchable;		// Newly fetchable?
  bool		added = false;		// Any event added?


  if (!job->started)
    return;

  target    = job->acquired_by[0] ? job->acquired_by : job->held ? NULL : job->printer;
  fetchable = !job->fetchable_noted && csJobIsFetchable(job);

  if (fetchable)
  {
    cs_fault_t	fault;			// lose-event fault

    job->fetchable_noted = true;

    // A lost notification: only when some subscription would have heard it
    for (i = 0; i < tenant->num_subs; i ++)
    {
      cs_sub_t *sub = tenant->subs[i];	// Subscription

      if (!sub->job_id && target && !strcasecmp(sub->device, target) && (sub->events & CS_EV_JOB_FETCHABLE))
        break;
    }

    if (i < tenant->num_subs && tenant->server && csFaultTake(tenant->server, "lose-event", "ipp", IPP_OP_GET_NOTIFICATIONS, &fault))
    {
      csLog(tenant->server, 0, "fault %d: lost the job-fetchable event of job %d", fault.id, job->id);
      fetchable = false;
    }
  }

  for (i = 0; i < tenant->num_subs; i ++)
  {
    cs_sub_t *sub = tenant->subs[i];	// Subscription

    // Job subscriptions follow their job; printer subscriptions their device.
    if (sub->job_id ? sub->job_id != job->id : (!target || strcasecmp(sub->device, target)))
      continue;

    if (fetchable && (sub->events & CS_EV_JOB_FETCHABLE))
    {
      add_note(sub, "job-fetchable", job);
      added = true;
    }

    if ((event & CS_EV_JOB_STATE) && (sub->events & CS_EV_JOB_STATE))
    {
      add_note(sub, "job-state-changed", job);
      added = true;
    }
  }

  if (added)
    pthread_cond_broadcast(&tenant->changed);
}


//
// 'csNotifyHandle()' - Answer a subscription operation from a device.
//
// Call with the tenant locked (Get-Notifications may wait, unlocking it).
//

ipp_t *					// O - Response
csNotifyHandle(cs_server_t *server,	// I - Server
               cs_tenant_t *tenant,	// I - Tenant
               const char  *device,	// I - Calling device
               ipp_t       *request)	// I - Request
{
  expire_subs(tenant);

  switch (ippGetOperation(request))
  {
    case IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS :
        return (create_subscriptions(tenant, device, request));
    case IPP_OP_GET_NOTIFICATIONS :
        return (get_notifications(server, tenant, device, request));
    case IPP_OP_RENEW_SUBSCRIPTION :
        return (renew_subscription(tenant, device, request));
    case IPP_OP_CREATE_JOB_SUBSCRIPTIONS :
        return (create_subscriptions(tenant, device, request));
    case IPP_OP_GET_SUBSCRIPTION_ATTRIBUTES :
    case IPP_OP_GET_SUBSCRIPTIONS :
        return (get_subscriptions(server, tenant, device, request));
    default :
        return (cancel_subscription(tenant, device, request));
  }
}


//
// 'csNotifyPoll()' - Add job-fetchable events for jobs whose delay ended.
//

void
csNotifyPoll(cs_tenant_t *tenant)	// I - Tenant (locked)
{
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_jobs; i ++)
  {
    cs_job_t *job = tenant->jobs[i];	// Job

    if (!job->fetchable_noted && csJobIsFetchable(job))
      csNotify(tenant, job, 0);
  }
}


//
// 'csNotifyStop()' - End all long polls (shutdown).
//

void
csNotifyStop(cs_tenant_t *tenant)	// I - Tenant
{
  pthread_mutex_lock(&tenant->lock);
  tenant->stopping = true;
  pthread_cond_broadcast(&tenant->changed);
  pthread_mutex_unlock(&tenant->lock);
}


//
// 'add_note()' - Append an event to a subscription's ring.
//

static void
add_note(cs_sub_t   *sub,		// I - Subscription
         const char *event,		// I - Event keyword
         cs_job_t   *job)		// I - Job
{
  cs_note_t	*note;			// New event


  if (sub->num_notes == CS_MAX_NOTES)
  {
    memmove(sub->notes, sub->notes + 1, (CS_MAX_NOTES - 1) * sizeof(cs_note_t));
    sub->num_notes --;
  }

  note            = sub->notes + sub->num_notes ++;
  note->seq       = sub->next_seq ++;
  note->time      = time(NULL);
  note->event     = event;
  note->job_id    = job->id;
  note->job_state = (int)job->state;
}


//
// 'cancel_subscription()' - Cancel-Subscription.
//

static ipp_t *				// O - Response
cancel_subscription(cs_tenant_t *tenant,// I - Tenant
                    const char  *device,// I - Device
                    ipp_t       *request)
					// I - Request
{
  cs_sub_t	*sub;			// Subscription
  ipp_t		*response;		// Error response
  size_t	i;			// Looping var


  if ((response = sub_lookup(tenant, device, request, &sub)) != NULL)
    return (response);

  for (i = 0; i < tenant->num_subs; i ++)
  {
    if (tenant->subs[i] == sub)
    {
      tenant->subs[i] = tenant->subs[-- tenant->num_subs];
      break;
    }
  }

  free(sub);
  tenant->dirty = tenant->dirty || tenant->keep_subs;

  return (csIPPResponse(request, IPP_STATUS_OK, NULL));
}


//
// 'create_subscriptions()' - Create-Printer-Subscriptions (ippget only).
//

static ipp_t *				// O - Response
create_subscriptions(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *device,		// I - Device
    ipp_t       *request)		// I - Request
{
  static const char * const names[] =	// Event keywords, in CS_EV_* bit order
  {
    "job-fetchable", "job-state-changed", "job-config-changed", "printer-config-changed",
    "printer-state-changed", "document-state-changed", "document-config-changed"
  };
  ipp_t			*response = csIPPResponse(request, IPP_STATUS_OK, NULL);
					// Response
  ipp_attribute_t	*attr;		// Current attribute
  bool			in_group = false;
					// Inside a subscription group?
  bool			substituted = false;
					// Values ignored or substituted?
  int			created = 0;	// Subscriptions created
  unsigned		events = 0;	// Event mask
  int			lease = 0;	// notify-lease-duration
  bool			ippget = false;	// notify-pull-method=ippget?
  bool			bad = false;	// Unusable group?
  int			job_id = 0;	// notify-job-id
  bool			job_subs = ippGetOperation(request) == IPP_OP_CREATE_JOB_SUBSCRIPTIONS;
					// Create-Job-Subscriptions?


  // Walk the groups; a separator (NULL name) or the end finishes a group.
  for (attr = ippFirstAttribute(request); ; attr = ippNextAttribute(request))
  {
    const char	*name = attr ? ippGetName(attr) : NULL;
					// Attribute name
    bool	subgroup = attr && ippGetGroupTag(attr) == IPP_TAG_SUBSCRIPTION;
					// Subscription group attribute?

    if (in_group && (!attr || !name || !subgroup))
    {
      cs_sub_t *sub;			// New subscription

      in_group = false;

      if (job_subs)
      {
        cs_job_t *job = csTenantFindJob(tenant, job_id);
					// Job

        // A device may only follow jobs it can see without naming a user.
        if (!job || (strcmp(device, "admin") && strcasecmp(job->acquired_by, device) && (job->held || strcasecmp(job->printer, device))))
          bad = true;
        if (!events)
          events = CS_EV_JOB_STATE;
      }

      if (bad || !ippget || !events)
      {
        ippAddInteger(response, IPP_TAG_SUBSCRIPTION, IPP_TAG_ENUM, "notify-status-code", IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES);
        ippAddSeparator(response);
      }
      else if (csGrow(&tenant->subs, tenant->num_subs, sizeof(cs_sub_t *)) && (sub = calloc(1, sizeof(cs_sub_t))) != NULL)
      {
        sub->id       = tenant->next_sub_id ++;
        sub->events   = events;
        sub->lease    = lease;
        sub->expires  = lease > 0 ? time(NULL) + lease : 0;
        sub->next_seq = 1;
        sub->job_id   = job_subs ? job_id : 0;
        snprintf(sub->device, sizeof(sub->device), "%s", device);
        tenant->subs[tenant->num_subs ++] = sub;
        tenant->dirty = true;		// next_sub_id (and the subscription) are saved

        ippAddInteger(response, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-subscription-id", sub->id);
        ippAddInteger(response, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", lease);
        ippAddSeparator(response);
        created ++;
      }
    }

    if (!attr)
      break;

    if (!subgroup || !name)
      continue;

    if (!in_group)
    {
      in_group = true;
      events   = 0;
      lease    = 0;
      ippget   = false;
      bad      = false;
      job_id   = 0;
    }

    if (!strcmp(name, "notify-pull-method"))
      ippget = ippGetValueTag(attr) == IPP_TAG_KEYWORD && !strcmp(ippGetString(attr, 0, NULL), "ippget");
    else if (!strcmp(name, "notify-job-id"))
    {
      if (!job_subs || ippGetValueTag(attr) != IPP_TAG_INTEGER)
        bad = true;
      else
        job_id = ippGetInteger(attr, 0);
    }
    else if (!strcmp(name, "notify-recipient-uri"))
      bad = true;			// Push notifications are not offered
    else if (!strcmp(name, "notify-lease-duration"))
    {
      if (ippGetValueTag(attr) != IPP_TAG_INTEGER || (lease = ippGetInteger(attr, 0)) < 0)
        bad = true;
    }
    else if (!strcmp(name, "notify-events"))
    {
      int i, j;				// Looping vars

      for (i = 0; i < ippGetCount(attr); i ++)
      {
        const char *kw = ippGetString(attr, i, NULL);
					// Event keyword

        for (j = 0; j < (int)(sizeof(names) / sizeof(names[0])); j ++)
        {
          if (kw && !strcmp(kw, names[j]))
          {
            events |= 1U << j;
            break;
          }
        }

        if (j >= (int)(sizeof(names) / sizeof(names[0])))
          substituted = true;		// Unsupported event: ignored
      }
    }
  }

  if (created == 0)
    ippSetStatusCode(response, IPP_STATUS_ERROR_IGNORED_ALL_SUBSCRIPTIONS);
  else if (substituted)
    ippSetStatusCode(response, IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED);

  return (response);
}


//
// 'expire_subs()' - Drop subscriptions whose lease ended.
//

static void
expire_subs(cs_tenant_t *tenant)	// I - Tenant
{
  time_t	now = time(NULL);	// Current time
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_subs;)
  {
    if (tenant->subs[i]->expires && tenant->subs[i]->expires <= now)
    {
      free(tenant->subs[i]);
      tenant->subs[i] = tenant->subs[-- tenant->num_subs];
    }
    else
      i ++;
  }
}


//
// 'find_sub()' - Find a subscription by id.
//

static cs_sub_t *			// O - Subscription or `NULL`
find_sub(cs_tenant_t *tenant,		// I - Tenant
         int         id)		// I - Subscription id
{
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_subs; i ++)
  {
    if (tenant->subs[i]->id == id)
      return (tenant->subs[i]);
  }

  return (NULL);
}


//
// 'get_notifications()' - Get-Notifications, waiting with notify-wait.
//

static ipp_t *				// O - Response
get_notifications(cs_server_t *server,	// I - Server
                  cs_tenant_t *tenant,	// I - Tenant
                  const char  *device,	// I - Device
                  ipp_t       *request)	// I - Request
{
  ipp_attribute_t	*ids,		// notify-subscription-ids
			*seqs,		// notify-sequence-numbers
			*attr;		// Other attribute
  bool			wait = false;	// notify-wait
  time_t		deadline;	// End of the wait
  ipp_t			*response;	// Response
  int			i,		// Looping var
			count,		// Number of ids
			found;		// Events found
  char			uri[1024];	// Printer URI


  if ((ids = ippFindAttribute(request, "notify-subscription-ids", IPP_TAG_ZERO)) == NULL || ippGetValueTag(ids) != IPP_TAG_INTEGER)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing notify-subscription-ids."));

  if ((seqs = ippFindAttribute(request, "notify-sequence-numbers", IPP_TAG_ZERO)) != NULL && ippGetValueTag(seqs) != IPP_TAG_INTEGER)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Bad notify-sequence-numbers."));

  if ((attr = ippFindAttribute(request, "notify-wait", IPP_TAG_BOOLEAN)) != NULL)
    wait = ippGetBoolean(attr, 0) != 0;

  count = ippGetCount(ids);
  for (i = 0; i < count; i ++)
  {
    cs_sub_t *sub = find_sub(tenant, ippGetInteger(ids, i));
					// Subscription

    if (!sub)
      return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "No such subscription."));
    if (strcmp(device, "admin") && strcasecmp(sub->device, device))
      return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "Subscription belongs to another output device."));
  }

  deadline = time(NULL) + CS_NOTIFY_WAIT;

  for (;;)
  {
    struct timespec	ts;		// Wait end

    csNotifyPoll(tenant);

    for (i = 0, found = 0; i < count; i ++)
    {
      cs_sub_t	*sub = find_sub(tenant, ippGetInteger(ids, i));
					// Subscription
      int	first = seqs && i < ippGetCount(seqs) ? ippGetInteger(seqs, i) : 1;
					// First wanted sequence number
      size_t	j;			// Looping var

      for (j = 0; sub && j < sub->num_notes; j ++)
        if (sub->notes[j].seq >= first)
          found ++;
    }

    if (found || !wait || tenant->stopping || time(NULL) >= deadline)
      break;

    // One-second slices so that slow-release jobs are noticed.
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec ++;
    pthread_cond_timedwait(&tenant->changed, &tenant->lock, &ts);
  }

  response = csIPPResponse(request, IPP_STATUS_OK, NULL);
  ippAddInteger(response, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-get-interval", CS_NOTIFY_WAIT);
  ippAddInteger(response, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "printer-up-time", (int)(time(NULL) - tenant->start_time) + 1);

  snprintf(uri, sizeof(uri), "ipps://%s/printers/%s", server->hostport, device);

  for (i = 0; i < count; i ++)
  {
    cs_sub_t	*sub = find_sub(tenant, ippGetInteger(ids, i));
					// Subscription (may have been canceled meanwhile)
    int		first = seqs && i < ippGetCount(seqs) ? ippGetInteger(seqs, i) : 1;
					// First wanted sequence number
    size_t	j;			// Looping var

    for (j = 0; sub && j < sub->num_notes; j ++)
    {
      cs_note_t *note = sub->notes + j;	// Event

      if (note->seq < first)
        continue;

      ippAddSeparator(response);
      ippAddString(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_CHARSET, "notify-charset", NULL, "utf-8");
      ippAddString(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_LANGUAGE, "notify-natural-language", NULL, "en");
      ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "notify-subscription-id", sub->id);
      ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "notify-sequence-number", note->seq);
      ippAddString(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_KEYWORD, "notify-subscribed-event", NULL, note->event);
      ippAddString(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_URI, "notify-printer-uri", NULL, uri);
      ippAddString(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_TEXT, "notify-text", NULL, note->event);
      ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "notify-job-id", note->job_id);
      ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "job-id", note->job_id);
      ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_ENUM, "job-state", note->job_state);
      ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "printer-up-time", (int)(note->time - tenant->start_time) + 1);
    }
  }

  return (response);
}


//
// 'get_subscriptions()' - Get-Subscription-Attributes and Get-Subscriptions.
//

static ipp_t *				// O - Response
get_subscriptions(cs_server_t *server,	// I - Server
                  cs_tenant_t *tenant,	// I - Tenant
                  const char  *device,	// I - Caller ("admin" or a device)
                  ipp_t       *request)	// I - Request
{
  ipp_t			*response;	// Response
  cs_sub_t		*sub;		// Subscription
  ipp_attribute_t	*attr;		// notify-job-id / limit
  int			job_id = 0,	// Job filter
			limit = 0,	// Maximum returned
			count = 0;	// Returned
  size_t		i;		// Looping var


  if (ippGetOperation(request) == IPP_OP_GET_SUBSCRIPTION_ATTRIBUTES)
  {
    if ((response = sub_lookup(tenant, device, request, &sub)) != NULL)
      return (response);

    response = csIPPResponse(request, IPP_STATUS_OK, NULL);
    sub_attrs(server, sub, response);
    return (response);
  }

  if ((attr = ippFindAttribute(request, "notify-job-id", IPP_TAG_INTEGER)) != NULL)
    job_id = ippGetInteger(attr, 0);
  if ((attr = ippFindAttribute(request, "limit", IPP_TAG_INTEGER)) != NULL)
    limit = ippGetInteger(attr, 0);

  response = csIPPResponse(request, IPP_STATUS_OK, NULL);

  for (i = 0; i < tenant->num_subs && (limit <= 0 || count < limit); i ++)
  {
    sub = tenant->subs[i];

    if ((strcmp(device, "admin") && strcasecmp(sub->device, device)) || sub->job_id != job_id)
      continue;

    ippAddSeparator(response);
    sub_attrs(server, sub, response);
    count ++;
  }

  if (count == 0)
    ippSetStatusCode(response, IPP_STATUS_ERROR_NOT_FOUND);

  return (response);
}


//
// 'sub_attrs()' - Add a subscription's attributes.
//

static void
sub_attrs(cs_server_t *server,		// I - Server
          cs_sub_t    *sub,		// I - Subscription
          ipp_t       *ipp)		// I - Message
{
  static const char * const names[] =	// Event keywords, in CS_EV_* bit order
  {
    "job-fetchable", "job-state-changed", "job-config-changed", "printer-config-changed",
    "printer-state-changed", "document-state-changed", "document-config-changed"
  };
  const char	*events[8];		// Events
  int		num_events = 0,		// Number of events
		i;			// Looping var
  char		uri[1024];		// Printer URI


  for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i ++)
    if (sub->events & (1U << i))
      events[num_events ++] = names[i];

  snprintf(uri, sizeof(uri), "ipps://%s/printers/%s", server->hostport, sub->device);

  ippAddInteger(ipp, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-subscription-id", sub->id);
  ippAddStrings(ipp, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-events", num_events, NULL, events);
  ippAddInteger(ipp, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", sub->lease);
  ippAddString(ipp, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-pull-method", NULL, "ippget");
  ippAddString(ipp, IPP_TAG_SUBSCRIPTION, IPP_TAG_URI, "notify-printer-uri", NULL, uri);
  ippAddString(ipp, IPP_TAG_SUBSCRIPTION, IPP_TAG_NAME, "notify-subscriber-user-name", NULL, sub->device);
  if (sub->job_id)
    ippAddInteger(ipp, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-job-id", sub->job_id);
}


//
// 'renew_subscription()' - Renew-Subscription.
//

static ipp_t *				// O - Response
renew_subscription(cs_tenant_t *tenant,	// I - Tenant
                   const char  *device,	// I - Device
                   ipp_t       *request)// I - Request
{
  cs_sub_t		*sub;		// Subscription
  ipp_t			*response;	// Response
  ipp_attribute_t	*attr;		// notify-lease-duration
  int			lease = 0;	// New lease


  if ((response = sub_lookup(tenant, device, request, &sub)) != NULL)
    return (response);

  if ((attr = ippFindAttribute(request, "notify-lease-duration", IPP_TAG_ZERO)) != NULL)
  {
    if (ippGetValueTag(attr) != IPP_TAG_INTEGER || (lease = ippGetInteger(attr, 0)) < 0)
      return (csIPPResponse(request, IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "Bad notify-lease-duration."));
  }

  sub->lease   = lease;
  sub->expires = lease > 0 ? time(NULL) + lease : 0;
  tenant->dirty = tenant->dirty || tenant->keep_subs;

  response = csIPPResponse(request, IPP_STATUS_OK, NULL);
  ippAddInteger(response, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", lease);

  return (response);
}


//
// 'sub_lookup()' - Find the subscription named by notify-subscription-id.
//

static ipp_t *				// O - Error response or `NULL`
sub_lookup(cs_tenant_t *tenant,		// I - Tenant
           const char  *device,		// I - Device
           ipp_t       *request,	// I - Request
           cs_sub_t    **sub)		// O - Subscription
{
  ipp_attribute_t	*attr;		// notify-subscription-id


  if ((attr = ippFindAttribute(request, "notify-subscription-id", IPP_TAG_ZERO)) == NULL || ippGetValueTag(attr) != IPP_TAG_INTEGER || ippGetGroupTag(attr) != IPP_TAG_OPERATION)
    return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "Missing notify-subscription-id."));

  if ((*sub = find_sub(tenant, ippGetInteger(attr, 0))) == NULL)
    return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_FOUND, "No such subscription."));

  if (strcmp(device, "admin") && strcasecmp((*sub)->device, device))
    return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "Subscription belongs to another output device."));

  return (NULL);
}
