//
// IPP-INFRA operations (PWG 5100.18) as Universal Print accepts them (protocol.md §4.3).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// user_uri is "mailto:UPN" for user-bound (badge/secure-release) calls, or
// NULL.  Every request carries output-device-uuid.  Errors: see error.h;
// UPA_ERROR_NOT_FETCHABLE / NOT_POSSIBLE / NOT_FOUND mean "this job is not
// yours to print any more" and must never be retried blindly.
//

#ifndef UPA_INFRA_H
#  define UPA_INFRA_H
#  include <stdbool.h>
#  include <time.h>
#  include <cups/ipp.h>
#  include "client.h"

typedef struct upa_jobinfo_s		// One job as listed by Get-Jobs / Fetch-Job
{
  int		id;			// job-id
  char		name[256];		// job-name
  char		owner[256];		// job-originating-user-name
  char		owner_uri[512];		// job-originating-user-uri (or "")
  ipp_jstate_t	state;			// job-state
  char		format[128];		// document-format (or "")
  int		copies;			// copies (1 if absent)
  int		pages;			// job-impressions / job-media-sheets (0 = unknown)
  long long	size_k;			// job-k-octets (0 = unknown)
  time_t	created;		// time-at-creation / date-time-at-creation (0 = unknown)
  bool		fetchable;		// job-state-reasons contains job-fetchable
  char		sides[64];		// sides (or "")
  char		color[64];		// print-color-mode (or "")
  time_t	retain_until;		// job-retain-until-time / job-expiration-time (0 = none)
} upa_jobinfo_t;

#  define UPA_INFRA_MAX_JOBS	10000	// Most distinct jobs a Get-Jobs answer may list

typedef struct upa_jobstatus_s		// Update-Job-Status payload
{
  ipp_jstate_t	state;			// output-device-job-state
  const char	*reasons[8];		// output-device-job-state-reasons (NULL-terminated; none = "none")
  const char	*message;		// output-device-job-state-message or NULL
  int		impressions;		// job-impressions-completed, -1 = unknown
} upa_jobstatus_t;

extern ipp_t	*upaInfraGetJobs(upa_client_t *client, const char *user_uri);
extern ipp_t	*upaInfraFetchJob(upa_client_t *client, const char *user_uri, int job_id);
extern bool	upaInfraFetchDocument(upa_client_t *client, const char *user_uri, int job_id, int doc_number, upa_docstart_cb_t start_cb, upa_docdata_cb_t data_cb, void *cbdata);
extern bool	upaInfraAcknowledgeJob(upa_client_t *client, const char *user_uri, int job_id, const char *message);
extern bool	upaInfraUpdateJobStatus(upa_client_t *client, const char *user_uri, int job_id, const upa_jobstatus_t *status);
extern bool	upaInfraUpdateOutputDeviceAttributes(upa_client_t *client, ipp_t *printer_attrs);

// Parse job groups of a Get-Jobs or Fetch-Job response; returns the count and a
// malloc'd array the caller free()s (NULL when there are none), -1 on error.
// Linear in the size of the answer.  Each job-id is kept once (its first
// group; duplicates are dropped with one warning).  Groups without a usable
// job-id (an integer > 0) are skipped with a warning, but when there were job
// groups and none is usable the answer is a UPA_ERROR_PROTOCOL error, not "no
// jobs"; more than UPA_INFRA_MAX_JOBS distinct jobs is UPA_ERROR_PROTOCOL too.
extern int	upaInfraJobList(ipp_t *response, upa_jobinfo_t **jobs);

// The document size a response announces, as the range of byte counts that
// agree with it.  Neither Universal Print nor PWG 5100.18 (ippserver) puts a
// size into the IPP part of a Fetch-Document answer (only document-format and
// compression), so in practice this reads job-k-octets of a Fetch-Job
// response (a single-document job: the job's size is the document's).  Looks
// for "k-octets" (PWG 5100.5 document attribute) first, then "job-k-octets"
// (RFC 8011), in any group.  Returns false when there is none, or when the
// response says "compression" other than "none" (the bytes that arrive are
// then not the announced ones).  Use it only when the Fetch-Document part
// does not say compression either.
extern bool	upaInfraDocumentSize(ipp_t *response, long long *octets_min, long long *octets_max);
// The byte counts that agree with a size in KiB (job-k-octets, k-octets,
// upa_ticket_t.k_octets): RFC 8011 rounds up, some servers round down or to
// the nearest, so this allows all three: (k - 1) KiB < bytes < (k + 1) KiB
// (0 -> 0..1023 bytes).
extern void	upaInfraSizeRange(long long k_octets, long long *octets_min, long long *octets_max);


// Event notifications (lib/infranotify.c): ippget printer subscriptions of
// the device, as PWG 5100.18 proxies use them (protocol.md §4.4).

typedef struct upa_event_s		// One event of a Get-Notifications answer
{
  int		sub_id;			// notify-subscription-id
  int		seq;			// notify-sequence-number
  int		job_id;			// notify-job-id (0 = none)
  ipp_jstate_t	job_state;		// job-state (0 = not sent)
  char		event[64];		// notify-subscribed-event
} upa_event_t;

typedef struct upa_notify_info_s	// Operation attributes of a Get-Notifications answer
{
  int		get_interval;		// notify-get-interval (0 = not sent)
  int		up_time;		// printer-up-time (0 = not sent)
} upa_notify_info_t;

extern int	upaInfraCreateSubscription(upa_client_t *client, int lease, int *granted);
extern int	upaInfraGetNotifications(upa_client_t *client, int sub_id, int first_seq, bool wait, upa_notify_info_t *info, upa_event_t **events);
extern int	upaInfraEventList(ipp_t *response, int sub_id, upa_notify_info_t *info, upa_event_t **events);
extern bool	upaInfraRenewSubscription(upa_client_t *client, int sub_id, int lease);
extern bool	upaInfraCancelSubscription(upa_client_t *client, int sub_id);

// The requests of the calls above (and of upaInfraGetJobs()) without
// sending them, for upaClientStart() (lib/connector.c's loop), and the
// reading of a Create-Printer-Subscriptions answer (0 with the error set
// when it created none; *granted as for upaInfraCreateSubscription()).
extern ipp_t	*upaInfraNewCreateSubscription(upa_client_t *client, int lease);
extern ipp_t	*upaInfraNewGetJobs(upa_client_t *client, const char *user_uri);
extern ipp_t	*upaInfraNewGetNotifications(upa_client_t *client, int sub_id, int first_seq, bool wait);
extern ipp_t	*upaInfraNewRenewSubscription(upa_client_t *client, int sub_id, int lease);
extern int	upaInfraSubscriptionId(ipp_t *response, int lease, int *granted);

#endif // !UPA_INFRA_H
