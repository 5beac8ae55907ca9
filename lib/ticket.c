//
// Job ticket mapping: cloud job attributes (Fetch-Job) -> CUPS job options.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Every job template attribute of the cloud job either becomes a CUPS option
// (in the string form cupsEncodeOptions2() turns back into the same IPP
// value) or is named in ticket->ignored: nothing is dropped silently.  Job
// description/status attributes (job-id, job-state, times, sizes...) are not
// part of the ticket and are skipped.
//

#include "upa-private.h"
#include <ctype.h>
#include <cups/pwg.h>


//
// Local functions...
//

static void	add_ignored(upa_ticket_t *ticket, const char *name);
static void	add_unsupported(upa_ticket_t *ticket, const char *name, const char *value);
static bool	value_supported(ipp_attribute_t *supported, const char *name, const char *value);
static bool	is_status_attr(const char *name);
static bool	map_media_col(upa_ticket_t *ticket, ipp_attribute_t *attr);
static bool	map_value_list(upa_ticket_t *ticket, ipp_attribute_t *attr, const char *option);


//
// 'upaTicketClear()' - Free the options of a ticket and reset it.
//

void
upaTicketClear(upa_ticket_t *ticket)	// I - Ticket
{
  if (!ticket)
    return;

  cupsFreeOptions(ticket->num_options, ticket->options);
  memset(ticket, 0, sizeof(upa_ticket_t));
}


//
// 'upaTicketMap()' - Map the job group of a Fetch-Job response onto CUPS options.
//
// The ticket is reset first (call upaTicketClear() when done).  Only the
// first job group is used; operation attributes are skipped.
//

int					// O - Number of options (>= 0)
upaTicketMap(ipp_t        *job_attrs,	// I - Fetch-Job response or job attributes
             upa_ticket_t *ticket)	// O - Mapped ticket
{
  ipp_attribute_t	*attr;		// Current attribute
  const char		*name;		// Attribute name
  ipp_tag_t		group;		// Attribute group
  ipp_tag_t		vtag;		// Value tag
  int			count;		// Number of values
  int			job_id = 0;	// job-id (for the default title)
  bool			in_job = false;	// Seen a job attribute yet?
  char			user_uri[512] = "",
					// job-originating-user-uri
			user_name[256] = "",
					// job-originating-user-name
			value[1024];	// Value string


  if (!ticket)
    return (0);

  memset(ticket, 0, sizeof(upa_ticket_t));

  if (!job_attrs)
  {
    upaCopyString(ticket->title, "Universal Print job", sizeof(ticket->title));
    return (0);
  }

  for (attr = ippFirstAttribute(job_attrs); attr; attr = ippNextAttribute(job_attrs))
  {
    name  = ippGetName(attr);
    group = ippGetGroupTag(attr);

    if (!name)
    {
      // Separator: a second job group is not ours
      if (in_job)
        break;
      continue;
    }

    if (group == IPP_TAG_OPERATION)
      continue;

    in_job = true;
    vtag   = ippGetValueTag(attr);
    count  = ippGetCount(attr);

    // Out-of-band values (no-value, unknown, unsupported) carry nothing to map
    if (vtag == IPP_TAG_NOVALUE || vtag == IPP_TAG_UNKNOWN || vtag == IPP_TAG_UNSUPPORTED_VALUE || vtag == IPP_TAG_DELETEATTR || vtag == IPP_TAG_DEFAULT || vtag == IPP_TAG_NOTSETTABLE || vtag == IPP_TAG_ADMINDEFINE)
      continue;

    if (!strcmp(name, "job-id") && vtag == IPP_TAG_INTEGER)
    {
      job_id = ippGetInteger(attr, 0);
    }
    else if (!strcmp(name, "job-name") && (vtag == IPP_TAG_NAME || vtag == IPP_TAG_NAMELANG))
    {
      upaCopyString(ticket->title, ippGetString(attr, 0, NULL), sizeof(ticket->title));
    }
    else if (!strcmp(name, "job-originating-user-uri") && vtag == IPP_TAG_URI)
    {
      upaCopyString(user_uri, ippGetString(attr, 0, NULL), sizeof(user_uri));
    }
    else if (!strcmp(name, "job-originating-user-name") && (vtag == IPP_TAG_NAME || vtag == IPP_TAG_NAMELANG))
    {
      upaCopyString(user_name, ippGetString(attr, 0, NULL), sizeof(user_name));
    }
    else if (!strcmp(name, "document-format") && vtag == IPP_TAG_MIMETYPE)
    {
      upaCopyString(ticket->format, ippGetString(attr, 0, NULL), sizeof(ticket->format));
    }
    else if (!strcmp(name, "job-k-octets") && vtag == IPP_TAG_INTEGER && count == 1)
    {
      // The announced size, for the completeness check of the document
      if (ippGetInteger(attr, 0) > 0)
        ticket->k_octets = ippGetInteger(attr, 0);
    }
    else if (!strcmp(name, "copies") && vtag == IPP_TAG_INTEGER && count == 1 && ippGetInteger(attr, 0) >= 1 && ippGetInteger(attr, 0) <= 9999)
    {
      snprintf(value, sizeof(value), "%d", ippGetInteger(attr, 0));
      ticket->num_options = cupsAddOption("copies", value, ticket->num_options, &ticket->options);
    }
    else if (!strcmp(name, "number-up") && vtag == IPP_TAG_INTEGER && count == 1)
    {
      int nup = ippGetInteger(attr, 0);	// number-up value

      if (nup == 1 || nup == 2 || nup == 4 || nup == 6 || nup == 9 || nup == 16)
      {
        snprintf(value, sizeof(value), "%d", nup);
        ticket->num_options = cupsAddOption("number-up", value, ticket->num_options, &ticket->options);
      }
      else
        add_ignored(ticket, name);
    }
    else if (!strcmp(name, "orientation-requested") && vtag == IPP_TAG_ENUM && count == 1 && ippGetInteger(attr, 0) >= IPP_ORIENT_PORTRAIT && ippGetInteger(attr, 0) <= IPP_ORIENT_NONE)
    {
      snprintf(value, sizeof(value), "%d", ippGetInteger(attr, 0));
      ticket->num_options = cupsAddOption("orientation-requested", value, ticket->num_options, &ticket->options);
    }
    else if (!strcmp(name, "print-quality") && vtag == IPP_TAG_ENUM && count == 1 && ippGetInteger(attr, 0) >= IPP_QUALITY_DRAFT && ippGetInteger(attr, 0) <= IPP_QUALITY_HIGH)
    {
      snprintf(value, sizeof(value), "%d", ippGetInteger(attr, 0));
      ticket->num_options = cupsAddOption("print-quality", value, ticket->num_options, &ticket->options);
    }
    else if (!strcmp(name, "finishings") && vtag == IPP_TAG_ENUM)
    {
      // Numeric list: cupsEncodeOptions2() knows finishings is an enum
      if (!map_value_list(ticket, attr, "finishings"))
        add_ignored(ticket, name);
    }
    else if (!strcmp(name, "page-ranges") && vtag == IPP_TAG_RANGE)
    {
      if (!map_value_list(ticket, attr, "page-ranges"))
        add_ignored(ticket, name);
    }
    else if ((!strcmp(name, "sides") || !strcmp(name, "print-color-mode") || !strcmp(name, "multiple-document-handling") || !strcmp(name, "media")) && vtag == IPP_TAG_KEYWORD && count == 1)
    {
      ticket->num_options = cupsAddOption(name, ippGetString(attr, 0, NULL), ticket->num_options, &ticket->options);
    }
    else if (!strcmp(name, "media") && (vtag == IPP_TAG_NAME || vtag == IPP_TAG_NAMELANG) && count == 1)
    {
      // A media name: keep it if it is (or maps to) a PWG size name
      pwg_media_t *pwg;			// Size information

      if ((pwg = pwgMediaForPWG(ippGetString(attr, 0, NULL))) == NULL)
        pwg = pwgMediaForLegacy(ippGetString(attr, 0, NULL));

      if (pwg && pwg->pwg)
        ticket->num_options = cupsAddOption("media", pwg->pwg, ticket->num_options, &ticket->options);
      else
        add_ignored(ticket, name);
    }
    else if (!strcmp(name, "media-col") && vtag == IPP_TAG_BEGIN_COLLECTION && count == 1)
    {
      if (!map_media_col(ticket, attr))
        add_ignored(ticket, name);
    }
    else if (!strcmp(name, "output-bin") && (vtag == IPP_TAG_KEYWORD || vtag == IPP_TAG_NAME) && count == 1)
    {
      ticket->num_options = cupsAddOption("output-bin", ippGetString(attr, 0, NULL), ticket->num_options, &ticket->options);
    }
    else if (!strcmp(name, "sheet-collate") && vtag == IPP_TAG_KEYWORD && count == 1)
    {
      // CUPS expresses collation with multiple-document-handling
      const char *collate = ippGetString(attr, 0, NULL);
					// collated or uncollated

      if (!strcmp(collate, "collated"))
        ticket->num_options = cupsAddOption("multiple-document-handling", "separate-documents-collated-copies", ticket->num_options, &ticket->options);
      else if (!strcmp(collate, "uncollated"))
        ticket->num_options = cupsAddOption("multiple-document-handling", "separate-documents-uncollated-copies", ticket->num_options, &ticket->options);
      else
        add_ignored(ticket, name);
    }
    else if (!is_status_attr(name))
    {
      // A template attribute we cannot (or may not) carry over
      add_ignored(ticket, name);
    }
  }

  // Title and user...
  if (!ticket->title[0])
  {
    if (job_id > 0)
      snprintf(ticket->title, sizeof(ticket->title), "Universal Print job %d", job_id);
    else
      upaCopyString(ticket->title, "Universal Print job", sizeof(ticket->title));
  }

  if (user_uri[0])
    upaTicketUserFromURI(user_uri, ticket->user, sizeof(ticket->user));
  if (!ticket->user[0] && user_name[0])
    upaTicketUserFromURI(user_name, ticket->user, sizeof(ticket->user));

  if (ticket->ignored[0])
    upaLog(UPA_LOG_INFO, "Job ticket: not carried over to CUPS: %s", ticket->ignored);

  return (ticket->num_options);
}


//
// 'upaTicketCheckQueue()' - Report the options a CUPS queue cannot honour.
//
// Options stay in the ticket (CUPS may still substitute sensibly, e.g. a
// simplex printer prints two-sided jobs one-sided); the caller shows
// ticket->unsupported to the user.  An option whose *-supported attribute
// the queue does not report at all cannot be honoured either.
//

int					// O - Number of unsupported options or -1
upaTicketCheckQueue(http_t       *http,	// I - Connection to cupsd
                    const char   *queue,// I - Queue name
                    upa_ticket_t *ticket)
					// IO - Ticket
{
  ipp_t			*request,	// Get-Printer-Attributes
			*response;	// Response
  ipp_attribute_t	*supported,	// name-supported
			*attr;		// requested-attributes
  char			uri[1024],	// printer-uri
			name[256];	// name-supported
  int			i,		// Looping var
			count = 0;	// Unsupported options


  if (!http || !queue || !ticket)
  {
    upaSetError(UPA_ERROR_ARGS, "upaTicketCheckQueue: bad arguments");
    return (-1);
  }

  ticket->unsupported[0] = '\0';

  if (ticket->num_options == 0)
    return (0);

  httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof(uri), "ipp", NULL, "localhost", 0, "/printers/%s", queue);
  request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  // Only the "<option>-supported" attributes the ticket needs: "all" made
  // cupsd send the whole queue (PPD-derived lists included) for every job
  if ((attr = ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", ticket->num_options, NULL, NULL)) != NULL)
  {
    for (i = 0; i < ticket->num_options; i ++)
    {
      snprintf(name, sizeof(name), "%s-supported", ticket->options[i].name);
      ippSetString(request, &attr, i, name);
    }
  }

  if ((response = cupsDoRequest(http, request, "/")) == NULL || cupsLastError() > IPP_STATUS_OK_EVENTS_COMPLETE)
  {
    upaSetIPPError(cupsLastError(), cupsLastErrorString());
    upaLog(UPA_LOG_WARN, "Cannot check the job ticket against queue %s: %s", queue, cupsLastErrorString());
    ippDelete(response);
    return (-1);
  }

  for (i = 0; i < ticket->num_options; i ++)
  {
    const char *option = ticket->options[i].name;
					// Option name

    // Collation is how copies are laid out; every CUPS queue does it
    if (!strcmp(option, "multiple-document-handling"))
      continue;

    if (!strcmp(option, "copies") || !strcmp(option, "page-ranges") || !strcmp(option, "number-up") || !strcmp(option, "orientation-requested"))
    {
      // CUPS filters do these for every queue it converts documents for
      snprintf(name, sizeof(name), "%s-supported", option);
      if ((supported = ippFindAttribute(response, name, IPP_TAG_ZERO)) == NULL || value_supported(supported, option, ticket->options[i].value))
        continue;
    }
    else
    {
      snprintf(name, sizeof(name), "%s-supported", option);
      if ((supported = ippFindAttribute(response, name, IPP_TAG_ZERO)) != NULL && value_supported(supported, option, ticket->options[i].value))
        continue;
    }

    add_unsupported(ticket, option, ticket->options[i].value);
    count ++;
  }

  ippDelete(response);

  if (count)
    upaLog(UPA_LOG_WARN, "Queue %s cannot honour: %s", queue, ticket->unsupported);

  return (count);
}


//
// 'upaTicketUserFromURI()' - Derive a CUPS user name from a user URI or name.
//
// "mailto:alice@contoso.com" -> "alice@contoso.com" (CUPS takes the full UPN as
// requesting-user-name).  Percent-escapes are decoded, "?..." dropped, and
// only characters that are safe in a CUPS user name (and in the shell and
// accounting tools that see it later) are kept: letters, digits and
// ". _ - @ + ~ ! # ^".  A leading "-" is dropped.
//

void
upaTicketUserFromURI(
    const char *user_uri,		// I - "mailto:UPN", a UPN or a user name
    char       *user,			// O - User name ("" if nothing usable)
    size_t     usersize)		// I - Size of user
{
  const char	*src;			// Pointer into URI
  char		*dst,			// Pointer into user
		*end;			// End of user
  int		ch;			// Current (decoded) character


  if (!user || usersize == 0)
    return;

  *user = '\0';
  if (!user_uri)
    return;

  src = user_uri;
  if (!strncasecmp(src, "mailto:", 7))
    src += 7;

  for (dst = user, end = user + usersize - 1; *src && *src != '?' && dst < end; src ++)
  {
    ch = *src & 255;

    if (ch == '%' && isxdigit(src[1] & 255) && isxdigit(src[2] & 255))
    {
      char hex[3] = { src[1], src[2], '\0' };
					// Escaped byte

      ch   = (int)strtol(hex, NULL, 16);
      src += 2;
    }

    if (ch < 128 && (isalnum(ch) || strchr("._-@+~!#^", ch)) && !(ch == '-' && dst == user))
      *dst++ = (char)ch;
  }

  *dst = '\0';
}


//
// 'add_ignored()' - Add an attribute name to the ignored list.
//

static void
add_ignored(upa_ticket_t *ticket,	// I - Ticket
            const char   *name)		// I - Attribute name
{
  size_t	len = strlen(ticket->ignored);
					// Current length
  size_t	need = strlen(name) + (len ? 1 : 0);
					// Room needed


  if (len + need + 4 < sizeof(ticket->ignored))
  {
    snprintf(ticket->ignored + len, sizeof(ticket->ignored) - len, "%s%s", len ? "," : "", name);
  }
  else if (len + 4 < sizeof(ticket->ignored) && (len < 3 || strcmp(ticket->ignored + len - 3, "...")))
  {
    // Say that the list is longer than we can hold
    snprintf(ticket->ignored + len, sizeof(ticket->ignored) - len, ",...");
  }
}


//
// 'add_unsupported()' - Add "name=value" to the unsupported list.
//

static void
add_unsupported(upa_ticket_t *ticket,	// I - Ticket
                const char   *name,	// I - Option name
                const char   *value)	// I - Option value
{
  size_t	len = strlen(ticket->unsupported);
					// Current length


  if (len + strlen(name) + strlen(value) + 6 < sizeof(ticket->unsupported))
    snprintf(ticket->unsupported + len, sizeof(ticket->unsupported) - len, "%s%s=%s", len ? "," : "", name, value);
  else if (len + 5 < sizeof(ticket->unsupported) && (len < 3 || strcmp(ticket->unsupported + len - 3, "...")))
    snprintf(ticket->unsupported + len, sizeof(ticket->unsupported) - len, ",...");
}


//
// 'value_supported()' - Is an option value among the supported values?
//
// Lists ("3,4" finishings, "1-2,5" page-ranges) need every value supported.
//

static bool				// O - true if supported
value_supported(ipp_attribute_t *supported,
					// I - name-supported attribute
                const char      *name,	// I - Option name
                const char      *value)	// I - Option value
{
  char		copy[1024],		// Copy of value
		*ptr,			// One value
		*next;			// Next value
  ipp_tag_t	vtag = ippGetValueTag(supported);
					// Value tag


  if (vtag == IPP_TAG_BOOLEAN)
    return (ippGetBoolean(supported, 0) != 0);

  upaCopyString(copy, value, sizeof(copy));

  for (ptr = copy; ptr && *ptr; ptr = next)
  {
    if ((next = strchr(ptr, ',')) != NULL)
      *next++ = '\0';

    if (vtag == IPP_TAG_INTEGER || vtag == IPP_TAG_ENUM || vtag == IPP_TAG_RANGE)
    {
      int	n;			// Numeric value
      char	*end;			// End of number

      n = (int)strtol(ptr, &end, 10);
      if (end == ptr || *end)
      {
        if (vtag != IPP_TAG_ENUM || (n = ippEnumValue(name, ptr)) <= 0)
          return (false);
      }

      if (!ippContainsInteger(supported, n))
        return (false);
    }
    else if (!ippContainsString(supported, ptr))
      return (false);
  }

  return (true);
}


//
// 'is_status_attr()' - Is this a job description/status attribute (not ticket)?
//

static bool				// O - true to skip silently
is_status_attr(const char *name)	// I - Attribute name
{
  static const char * const skip[] =	// Description/status attributes
  {
    "attributes-charset",
    "attributes-natural-language",
    "compression",
    "date-time-at-completed",
    "date-time-at-creation",
    "date-time-at-processing",
    "document-name",
    "document-name-supplied",
    "job-account-id",
    "job-id",
    "job-impressions",
    "job-impressions-completed",
    "job-k-octets",
    "job-k-octets-processed",
    "job-media-sheets",
    "job-media-sheets-completed",
    "job-more-info",
    "job-originating-host-name",
    "job-originating-user-name",
    "job-originating-user-uri",
    "job-pages",
    "job-pages-completed",
    "job-printer-up-time",
    "job-printer-uri",
    "job-state",
    "job-state-message",
    "job-state-reasons",
    "job-uri",
    "job-uuid",
    "number-of-documents",
    "number-of-intervening-jobs",
    "output-device-assigned",
    "output-device-job-state",
    "output-device-job-state-message",
    "output-device-job-state-reasons",
    "output-device-uuid-assigned",
    "time-at-completed",
    "time-at-creation",
    "time-at-processing"
  };
  size_t	i;			// Looping var


  for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i ++)
    if (!strcmp(name, skip[i]))
      return (true);

  return (false);
}


//
// 'map_media_col()' - Map media-col onto "media" (+ media-source/media-type).
//
// media-size-name wins; otherwise the x/y dimensions (hundredths of mm)
// become a PWG size name, self-describing for sizes without a standard name.
//

static bool				// O - true if mapped
map_media_col(upa_ticket_t    *ticket,	// I - Ticket
              ipp_attribute_t *attr)	// I - media-col attribute
{
  ipp_t			*col = ippGetCollection(attr, 0);
					// The collection
  ipp_attribute_t	*member,	// Member attribute
			*size,		// media-size member
			*dim;		// Dimension
  pwg_media_t		*pwg = NULL;	// Size information
  int			x = 0,		// x-dimension
			y = 0;		// y-dimension
  bool			mapped = false;	// Anything mapped?


  if (!col)
    return (false);

  if ((member = ippFindAttribute(col, "media-size-name", IPP_TAG_ZERO)) != NULL && (ippGetValueTag(member) == IPP_TAG_KEYWORD || ippGetValueTag(member) == IPP_TAG_NAME))
  {
    if ((pwg = pwgMediaForPWG(ippGetString(member, 0, NULL))) == NULL)
      pwg = pwgMediaForLegacy(ippGetString(member, 0, NULL));
  }

  if (!pwg && (size = ippFindAttribute(col, "media-size", IPP_TAG_BEGIN_COLLECTION)) != NULL)
  {
    ipp_t *sizecol = ippGetCollection(size, 0);
					// media-size collection

    if ((dim = ippFindAttribute(sizecol, "x-dimension", IPP_TAG_INTEGER)) != NULL)
      x = ippGetInteger(dim, 0);
    if ((dim = ippFindAttribute(sizecol, "y-dimension", IPP_TAG_INTEGER)) != NULL)
      y = ippGetInteger(dim, 0);

    if (x > 0 && y > 0)
      pwg = pwgMediaForSize(x, y);
  }

  if (pwg && pwg->pwg)
  {
    ticket->num_options = cupsAddOption("media", pwg->pwg, ticket->num_options, &ticket->options);
    mapped = true;
  }

  if ((member = ippFindAttribute(col, "media-source", IPP_TAG_ZERO)) != NULL && (ippGetValueTag(member) == IPP_TAG_KEYWORD || ippGetValueTag(member) == IPP_TAG_NAME))
  {
    ticket->num_options = cupsAddOption("media-source", ippGetString(member, 0, NULL), ticket->num_options, &ticket->options);
    mapped = true;
  }

  if ((member = ippFindAttribute(col, "media-type", IPP_TAG_ZERO)) != NULL && (ippGetValueTag(member) == IPP_TAG_KEYWORD || ippGetValueTag(member) == IPP_TAG_NAME))
  {
    ticket->num_options = cupsAddOption("media-type", ippGetString(member, 0, NULL), ticket->num_options, &ticket->options);
    mapped = true;
  }

  return (mapped);
}


//
// 'map_value_list()' - Map a multi-valued integer/enum/range attribute.
//
// Produces "4,5" or "1-3,7-7": the forms cupsEncodeOptions2() parses back.
//

static bool				// O - true if mapped
map_value_list(upa_ticket_t    *ticket,	// I - Ticket
               ipp_attribute_t *attr,	// I - Attribute
               const char      *option)	// I - Option name
{
  char		value[1024],		// Value string
		*ptr;			// Pointer into value
  int		i,			// Looping var
		count = ippGetCount(attr);
					// Number of values
  int		lower,			// Lower bound
		upper;			// Upper bound


  if (count < 1)
    return (false);

  for (i = 0, ptr = value; i < count; i ++)
  {
    size_t	left = sizeof(value) - (size_t)(ptr - value);
					// Room left
    int		len;			// Length written

    if (ippGetValueTag(attr) == IPP_TAG_RANGE)
    {
      lower = ippGetRange(attr, i, &upper);
      if (lower < 1 || upper < lower)
        return (false);
      len = snprintf(ptr, left, "%s%d-%d", i ? "," : "", lower, upper);
    }
    else
      len = snprintf(ptr, left, "%s%d", i ? "," : "", ippGetInteger(attr, i));

    if (len < 0 || (size_t)len >= left)
      return (false);

    ptr += len;
  }

  ticket->num_options = cupsAddOption(option, value, ticket->num_options, &ticket->options);

  return (true);
}
