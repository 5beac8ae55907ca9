//
// IPP-INFRA event notifications (RFC 3995/3996 "ippget", PWG 5100.18 §6):
// Create-Printer-Subscriptions, Get-Notifications, Renew-Subscription and
// Cancel-Subscription for one output device.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The operation group starts like every other INFRA request
// (upaClientNewRequest(): charset, language, printer-uri,
// output-device-uuid); the subscription attributes follow in a
// subscription group.  Nothing here is user-bound: a device's subscription
// carries events for its direct jobs and the jobs it acknowledged, never
// for jobs held for release (protocol.md §4.4).
//

#include "upa-private.h"
#include "infra-private.h"


//
// 'upaInfraCancelSubscription()' - Cancel a subscription (Cancel-Subscription).
//

bool					// O - `true` on success
upaInfraCancelSubscription(
    upa_client_t *client,		// I - Client
    int          sub_id)		// I - notify-subscription-id
{
  ipp_t	*request,			// Request
	*response;			// Response


  if (sub_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraCancelSubscription: bad arguments.");
    return (false);
  }

  if ((request = upaClientNewRequest(client, IPP_OP_CANCEL_SUBSCRIPTION, NULL)) == NULL)
    return (false);

  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-id", sub_id);

  if ((response = upaClientSend(client, request)) == NULL)
    return (false);

  ippDelete(response);

  return (true);
}


//
// 'upaInfraCreateSubscription()' - Subscribe to the device's job events.
//
// One printer subscription, notify-pull-method ippget, events
// job-fetchable and job-state-changed.  "lease" is the notify-lease-duration
// asked for (0 = as long as the server allows); the lease granted is
// returned in *granted (0 = none: it never ends).
//

int					// O - notify-subscription-id or 0 on error
upaInfraCreateSubscription(
    upa_client_t *client,		// I - Client
    int          lease,			// I - Lease asked for (seconds, 0 = no end)
    int          *granted)		// O - Lease granted (seconds, 0 = no end)
{
  ipp_t	*request,			// Request
	*response;			// Response
  int	sub_id;				// Subscription id


  if (granted)
    *granted = lease;

  if ((request = upaInfraNewCreateSubscription(client, lease)) == NULL)
    return (0);

  if ((response = upaClientSend(client, request)) == NULL)
    return (0);

  sub_id = upaInfraSubscriptionId(response, lease, granted);
  ippDelete(response);

  return (sub_id);
}


//
// 'upaInfraGetNotifications()' - Collect the events of a subscription.
//
// Asks for the events numbered "first_seq" and later; with "wait" the
// server may hold the request until one arrives (notify-wait, at most
// about 30 seconds).  An unknown subscription (the server restarted or the
// lease ended) is UPA_ERROR_NOT_FOUND: subscribe again.
//

int					// O - Number of events or -1 on error
upaInfraGetNotifications(
    upa_client_t      *client,		// I - Client
    int               sub_id,		// I - notify-subscription-id
    int               first_seq,	// I - First notify-sequence-number wanted
    bool              wait,		// I - notify-wait?
    upa_notify_info_t *info,		// O - What the response says besides the events
    upa_event_t       **events)		// O - Events (malloc'd, caller free()s) or `NULL`
{
  ipp_t			*request,	// Request
			*response;	// Response
  int			count;		// Number of events


  if (events)
    *events = NULL;
  if (info)
    memset(info, 0, sizeof(upa_notify_info_t));

  if (sub_id <= 0 || !events || !info)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraGetNotifications: bad arguments.");
    return (-1);
  }

  if ((request = upaInfraNewGetNotifications(client, sub_id, first_seq, wait)) == NULL)
    return (-1);

  if ((response = upaClientSend(client, request)) == NULL)
    return (-1);

  count = upaInfraEventList(response, sub_id, info, events);
  ippDelete(response);

  return (count);
}


//
// 'upaInfraEventList()' - Parse a Get-Notifications response.
//
// Event groups of another subscription, or without a
// notify-sequence-number, are skipped.
//

int					// O - Number of events or -1
upaInfraEventList(
    ipp_t             *response,	// I - Get-Notifications response
    int               sub_id,		// I - notify-subscription-id asked for
    upa_notify_info_t *info,		// O - Operation attributes
    upa_event_t       **events)		// O - Events (malloc'd, caller free()s) or `NULL`
{
  ipp_attribute_t	*attr;		// Attribute
  upa_event_t		*list = NULL,	// Events
			ev;		// Current event
  int			count = 0,	// Number of events
			alloc = 0;	// Allocated events
  bool			inevent = false;// Inside an event group?


  if (events)
    *events = NULL;
  if (info)
    memset(info, 0, sizeof(upa_notify_info_t));

  if (!response || !events || !info)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraEventList: bad arguments.");
    return (-1);
  }

  if ((attr = ippFindAttribute(response, "notify-get-interval", IPP_TAG_INTEGER)) != NULL && ippGetGroupTag(attr) == IPP_TAG_OPERATION)
    info->get_interval = ippGetInteger(attr, 0);
  if ((attr = ippFindAttribute(response, "printer-up-time", IPP_TAG_INTEGER)) != NULL && ippGetGroupTag(attr) == IPP_TAG_OPERATION)
    info->up_time = ippGetInteger(attr, 0);

  memset(&ev, 0, sizeof(ev));

  // One extra round with attr == NULL flushes the last group.
  for (attr = ippFirstAttribute(response);; attr = ippNextAttribute(response))
  {
    const char	*name = attr ? ippGetName(attr) : NULL;
					// Attribute name
    bool	endgroup = !attr || !name || ippGetGroupTag(attr) != IPP_TAG_EVENT_NOTIFICATION;
					// Does this attribute end an event group?

    if (inevent && endgroup)
    {
      inevent = false;

      if (ev.sub_id == sub_id && ev.seq > 0)
      {
        if (count >= alloc)
        {
          upa_event_t *temp;		// New list

          alloc = alloc ? 2 * alloc : 16;
          if ((temp = realloc(list, (size_t)alloc * sizeof(upa_event_t))) == NULL)
          {
            free(list);
            upaSetError(UPA_ERROR_MEMORY, "Out of memory for notifications.");
            return (-1);
          }
          list = temp;
        }

        list[count ++] = ev;
      }
      else
        upaLog(UPA_LOG_DEBUG, "Get-Notifications: ignored an event group without notify-sequence-number or of another subscription.");

      memset(&ev, 0, sizeof(ev));
    }

    if (!attr)
      break;

    if (endgroup)
      continue;

    inevent = true;

    if (!strcmp(name, "notify-subscription-id") && ippGetValueTag(attr) == IPP_TAG_INTEGER)
      ev.sub_id = ippGetInteger(attr, 0);
    else if (!strcmp(name, "notify-sequence-number") && ippGetValueTag(attr) == IPP_TAG_INTEGER)
      ev.seq = ippGetInteger(attr, 0);
    else if ((!strcmp(name, "notify-job-id") || (!strcmp(name, "job-id") && !ev.job_id)) && ippGetValueTag(attr) == IPP_TAG_INTEGER)
      ev.job_id = ippGetInteger(attr, 0);
    else if (!strcmp(name, "job-state") && ippGetValueTag(attr) == IPP_TAG_ENUM)
      ev.job_state = (ipp_jstate_t)ippGetInteger(attr, 0);
    else if (!strcmp(name, "notify-subscribed-event") && ippGetValueTag(attr) == IPP_TAG_KEYWORD)
      upaCopyString(ev.event, ippGetString(attr, 0, NULL), sizeof(ev.event));
  }

  *events = list;

  return (count);
}


//
// 'upaInfraRenewSubscription()' - Extend a subscription's lease (Renew-Subscription).
//

bool					// O - `true` on success
upaInfraRenewSubscription(
    upa_client_t *client,		// I - Client
    int          sub_id,		// I - notify-subscription-id
    int          lease)			// I - New lease (seconds, 0 = no end)
{
  ipp_t	*request,			// Request
	*response;			// Response


  if (sub_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraRenewSubscription: bad arguments.");
    return (false);
  }

  if ((request = upaInfraNewRenewSubscription(client, sub_id, lease)) == NULL)
    return (false);

  if ((response = upaClientSend(client, request)) == NULL)
    return (false);

  ippDelete(response);

  return (true);
}


//
// 'upaInfraNewCreateSubscription()' - Build a Create-Printer-Subscriptions request.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewCreateSubscription(
    upa_client_t *client,		// I - Client
    int          lease)			// I - Lease asked for (seconds, 0 = no end)
{
  static const char * const events[] =	// notify-events
  {
    "job-fetchable",
    "job-state-changed"
  };
  ipp_t		*request;		// Request


  if ((request = upaClientNewRequest(client, IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS, NULL)) == NULL)
    return (NULL);

  ippAddString(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-pull-method", NULL, "ippget");
  ippAddStrings(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-events", (int)(sizeof(events) / sizeof(events[0])), NULL, events);
  ippAddInteger(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", lease);

  return (request);
}


//
// 'upaInfraNewGetNotifications()' - Build a Get-Notifications request.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewGetNotifications(
    upa_client_t *client,		// I - Client
    int          sub_id,		// I - notify-subscription-id
    int          first_seq,		// I - First notify-sequence-number wanted
    bool         wait)			// I - notify-wait?
{
  ipp_t		*request;		// Request


  if (sub_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraNewGetNotifications: bad arguments.");
    return (NULL);
  }

  if ((request = upaClientNewRequest(client, IPP_OP_GET_NOTIFICATIONS, NULL)) == NULL)
    return (NULL);

  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-ids", sub_id);
  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-sequence-numbers", first_seq > 0 ? first_seq : 1);
  ippAddBoolean(request, IPP_TAG_OPERATION, "notify-wait", wait);

  return (request);
}


//
// 'upaInfraNewRenewSubscription()' - Build a Renew-Subscription request.
//

ipp_t *					// O - Request or `NULL`
upaInfraNewRenewSubscription(
    upa_client_t *client,		// I - Client
    int          sub_id,		// I - notify-subscription-id
    int          lease)			// I - New lease (seconds, 0 = no end)
{
  ipp_t		*request;		// Request


  if (sub_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaInfraNewRenewSubscription: bad arguments.");
    return (NULL);
  }

  if ((request = upaClientNewRequest(client, IPP_OP_RENEW_SUBSCRIPTION, NULL)) == NULL)
    return (NULL);

  ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-subscription-id", sub_id);
  ippAddInteger(request, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", lease);

  return (request);
}


//
// 'upaInfraSubscriptionId()' - Read a Create-Printer-Subscriptions response.
//

int					// O - notify-subscription-id or 0 on error
upaInfraSubscriptionId(
    ipp_t *response,			// I - Response
    int   lease,			// I - Lease asked for (the answer when none is said)
    int   *granted)			// O - Lease granted (seconds, 0 = no end) or `NULL`
{
  ipp_attribute_t	*attr;		// Attribute
  int			sub_id = 0;	// Subscription id


  if (granted)
    *granted = lease;

  for (attr = ippFirstAttribute(response); attr; attr = ippNextAttribute(response))
  {
    const char *name = ippGetName(attr);// Attribute name

    if (!name || ippGetGroupTag(attr) != IPP_TAG_SUBSCRIPTION || ippGetValueTag(attr) != IPP_TAG_INTEGER)
      continue;

    if (!strcmp(name, "notify-subscription-id") && !sub_id)
      sub_id = ippGetInteger(attr, 0);
    else if (!strcmp(name, "notify-lease-duration") && granted)
      *granted = ippGetInteger(attr, 0);
    else if (!strcmp(name, "notify-status-code") && !sub_id)
      break;
  }

  if (sub_id <= 0)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "Create-Printer-Subscriptions created no subscription.");
    return (0);
  }

  return (sub_id);
}
