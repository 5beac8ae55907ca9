//
// Job ticket mapping: cloud job attributes (Fetch-Job) -> CUPS job options.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPA_TICKET_H
#  define UPA_TICKET_H
#  include <stddef.h>
#  include <cups/cups.h>

typedef struct upa_ticket_s		// A mapped job ticket
{
  char		title[256];		// job-name (or "Universal Print job N")
  char		user[256];		// Local user name for accounting (from the UPN)
  char		format[128];		// document-format from the job, or ""
  long long	k_octets;		// job-k-octets: document size in KiB, rounded up (0 = unknown)
  int		num_options;		// CUPS options
  cups_option_t	*options;		// CUPS options (owned; freed by upaTicketClear)
  char		ignored[1024];		// Comma-separated attributes that could not be mapped
  char		unsupported[1024];	// "name=value,..." the queue does not support (passed on, reported)
} upa_ticket_t;

// Map the job group of a Fetch-Job response (copies, sides, media/media-col,
// print-color-mode, print-quality, page-ranges, number-up, orientation-requested,
// finishings, output-bin, multiple-document-handling, job-name,
// job-originating-user-name) and keep job-k-octets for the size check of the
// fetched document (upaInfraDocumentSize()).  Returns the number of options (>= 0).
extern int		upaTicketMap(ipp_t *job_attrs, upa_ticket_t *ticket);
extern void		upaTicketClear(upa_ticket_t *ticket);
// Compare the options with the queue's *-supported attributes; what the
// queue cannot honour is listed in ticket->unsupported and logged.  Returns
// the number of such options, -1 when the queue cannot be asked.
extern int		upaTicketCheckQueue(http_t *http, const char *queue, upa_ticket_t *ticket);
extern void		upaTicketUserFromURI(const char *user_uri, char *user, size_t usersize);

#endif // !UPA_TICKET_H
