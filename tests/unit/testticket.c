//
// Unit tests for lib/ticket.c (Fetch-Job attributes -> CUPS options) and
// upaJobLinkFromOptions(), upaJobUUIDFromOptions(), upaJobKeyFromOptions() and the job key of lib/cupsjob.c.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "upa.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


//
// 'new_response()' - A Fetch-Job response skeleton with one job group.
//

static ipp_t *				// O - Response
new_response(int job_id)		// I - job-id
{
  ipp_t	*response = ippNew();		// Response


  ippSetVersion(response, 2, 0);
  ippSetStatusCode(response, IPP_STATUS_OK);
  ippSetRequestId(response, 1);
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", NULL, "utf-8");
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", NULL, "en");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", IPP_JSTATE_HELD);

  return (response);
}


//
// 'encoded()' - Encode the ticket options as cupsd would see them.
//

static ipp_t *				// O - Job attributes
encoded(const upa_ticket_t *ticket)	// I - Ticket
{
  ipp_t	*ipp = ippNew();		// Attributes


  cupsEncodeOptions2(ipp, ticket->num_options, ticket->options, IPP_TAG_JOB);

  return (ipp);
}


//
// 'ignored_has()' - Is a name in the comma-separated ignored list?
//

static int				// O - 1 if present
ignored_has(const char *ignored,	// I - List
            const char *name)		// I - Name
{
  char	list[1100],			// Copy with commas around
	item[300];			// ",name,"


  snprintf(list, sizeof(list), ",%s,", ignored);
  snprintf(item, sizeof(item), ",%s,", name);

  return (strstr(list, item) != NULL);
}


//
// 'test_basic()' - The ticket of a typical Universal Print job.
//

static void
test_basic(void **state)
{
  ipp_t			*response = new_response(100001),
					// Fetch-Job response
			*ipp;		// Encoded options
  ipp_attribute_t	*attr;		// Attribute
  upa_ticket_t		ticket;		// Ticket
  int			n;		// Number of options
  int			upper;		// Range upper bound
  static const int	finishings[] = { IPP_FINISHINGS_STAPLE, IPP_FINISHINGS_PUNCH };


  (void)state;

  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, "Quarterly report");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_URI, "job-originating-user-uri", NULL, "mailto:alice@contoso.com");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", NULL, "Alice Example");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_MIMETYPE, "document-format", NULL, "application/pdf");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", 2);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "sides", NULL, "two-sided-long-edge");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "media", NULL, "iso_a4_210x297mm");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "print-color-mode", NULL, "monochrome");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_ENUM, "print-quality", IPP_QUALITY_HIGH);
  ippAddRange(response, IPP_TAG_JOB, "page-ranges", 1, 3);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "number-up", 2);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_ENUM, "orientation-requested", IPP_ORIENT_LANDSCAPE);
  ippAddIntegers(response, IPP_TAG_JOB, IPP_TAG_ENUM, "finishings", 2, finishings);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "output-bin", NULL, "face-down");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "sheet-collate", NULL, "uncollated");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", 196);

  n = upaTicketMap(response, &ticket);

  assert_int_equal(n, ticket.num_options);
  assert_string_equal(ticket.title, "Quarterly report");
  assert_string_equal(ticket.user, "alice@contoso.com");
  assert_string_equal(ticket.format, "application/pdf");
  assert_string_equal(ticket.ignored, "");
  assert_int_equal(ticket.k_octets, 196);	// The announced size, for the completeness check

  assert_string_equal(cupsGetOption("copies", n, ticket.options), "2");
  assert_string_equal(cupsGetOption("sides", n, ticket.options), "two-sided-long-edge");
  assert_string_equal(cupsGetOption("media", n, ticket.options), "iso_a4_210x297mm");
  assert_string_equal(cupsGetOption("print-color-mode", n, ticket.options), "monochrome");
  assert_string_equal(cupsGetOption("output-bin", n, ticket.options), "face-down");
  assert_string_equal(cupsGetOption("multiple-document-handling", n, ticket.options), "separate-documents-uncollated-copies");
  assert_null(cupsGetOption("job-name", n, ticket.options));
  assert_null(cupsGetOption("job-state", n, ticket.options));

  // What cupsd receives is the same IPP value
  ipp = encoded(&ticket);

  assert_non_null(attr = ippFindAttribute(ipp, "copies", IPP_TAG_INTEGER));
  assert_int_equal(ippGetInteger(attr, 0), 2);
  assert_non_null(attr = ippFindAttribute(ipp, "print-quality", IPP_TAG_ENUM));
  assert_int_equal(ippGetInteger(attr, 0), IPP_QUALITY_HIGH);
  assert_non_null(attr = ippFindAttribute(ipp, "orientation-requested", IPP_TAG_ENUM));
  assert_int_equal(ippGetInteger(attr, 0), IPP_ORIENT_LANDSCAPE);
  assert_non_null(attr = ippFindAttribute(ipp, "number-up", IPP_TAG_INTEGER));
  assert_int_equal(ippGetInteger(attr, 0), 2);
  assert_non_null(attr = ippFindAttribute(ipp, "finishings", IPP_TAG_ENUM));
  assert_int_equal(ippGetCount(attr), 2);
  assert_int_equal(ippGetInteger(attr, 0), IPP_FINISHINGS_STAPLE);
  assert_int_equal(ippGetInteger(attr, 1), IPP_FINISHINGS_PUNCH);
  assert_non_null(attr = ippFindAttribute(ipp, "page-ranges", IPP_TAG_RANGE));
  assert_int_equal(ippGetRange(attr, 0, &upper), 1);
  assert_int_equal(upper, 3);
  assert_non_null(attr = ippFindAttribute(ipp, "sides", IPP_TAG_KEYWORD));
  assert_string_equal(ippGetString(attr, 0, NULL), "two-sided-long-edge");

  ippDelete(ipp);
  upaTicketClear(&ticket);
  assert_int_equal(ticket.num_options, 0);
  assert_null(ticket.options);
  ippDelete(response);
}


//
// 'test_media_col()' - media-col with only dimensions becomes a PWG size name.
//

static void
test_media_col(void **state)
{
  ipp_t		*response,		// Fetch-Job response
		*col,			// media-col
		*size;			// media-size
  upa_ticket_t	ticket;			// Ticket


  (void)state;

  // A4 by dimensions
  response = new_response(7);
  col      = ippNew();
  size     = ippNew();
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", 21000);
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", 29700);
  ippAddCollection(col, IPP_TAG_ZERO, "media-size", size);
  ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-source", NULL, "tray-2");
  ippAddCollection(response, IPP_TAG_JOB, "media-col", col);
  ippDelete(size);
  ippDelete(col);

  upaTicketMap(response, &ticket);
  assert_string_equal(cupsGetOption("media", ticket.num_options, ticket.options), "iso_a4_210x297mm");
  assert_string_equal(cupsGetOption("media-source", ticket.num_options, ticket.options), "tray-2");
  assert_string_equal(ticket.title, "Universal Print job 7");
  assert_string_equal(ticket.user, "");
  assert_int_equal(ticket.k_octets, 0);		// No job-k-octets: unknown
  assert_string_equal(ticket.ignored, "");
  upaTicketClear(&ticket);
  ippDelete(response);

  // A size without a standard name: self-describing custom name
  response = new_response(8);
  col      = ippNew();
  size     = ippNew();
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", 10000);
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", 12345);
  ippAddCollection(col, IPP_TAG_ZERO, "media-size", size);
  ippAddCollection(response, IPP_TAG_JOB, "media-col", col);
  ippDelete(size);
  ippDelete(col);

  upaTicketMap(response, &ticket);
  assert_non_null(cupsGetOption("media", ticket.num_options, ticket.options));
  assert_non_null(strstr(cupsGetOption("media", ticket.num_options, ticket.options), "100x123.45mm"));
  upaTicketClear(&ticket);
  ippDelete(response);

  // An empty media-col cannot be mapped and says so
  response = new_response(9);
  col      = ippNew();
  ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-color", NULL, "blue");
  ippAddCollection(response, IPP_TAG_JOB, "media-col", col);
  ippDelete(col);

  upaTicketMap(response, &ticket);
  assert_null(cupsGetOption("media", ticket.num_options, ticket.options));
  assert_true(ignored_has(ticket.ignored, "media-col"));
  upaTicketClear(&ticket);
  ippDelete(response);
}


//
// 'test_ignored()' - Attributes that cannot be mapped are listed, not dropped.
//

static void
test_ignored(void **state)
{
  ipp_t		*response = new_response(42);
					// Fetch-Job response
  upa_ticket_t	ticket;			// Ticket


  (void)state;

  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "x-vendor-watermark", NULL, "confidential");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", 0);		// Out of range
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "number-up", 3);	// Not a CUPS layout
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-hold-until", NULL, "night");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "sides", NULL, "one-sided");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", NULL, "bob");

  upaTicketMap(response, &ticket);

  assert_true(ignored_has(ticket.ignored, "x-vendor-watermark"));
  assert_true(ignored_has(ticket.ignored, "copies"));
  assert_true(ignored_has(ticket.ignored, "number-up"));
  assert_true(ignored_has(ticket.ignored, "job-hold-until"));
  assert_false(ignored_has(ticket.ignored, "sides"));
  assert_false(ignored_has(ticket.ignored, "job-state"));
  assert_false(ignored_has(ticket.ignored, "job-id"));
  assert_null(cupsGetOption("copies", ticket.num_options, ticket.options));
  assert_null(cupsGetOption("job-hold-until", ticket.num_options, ticket.options));
  assert_string_equal(cupsGetOption("sides", ticket.num_options, ticket.options), "one-sided");
  assert_string_equal(ticket.user, "bob");
  assert_string_equal(ticket.title, "Universal Print job 42");

  upaTicketClear(&ticket);
  ippDelete(response);
}


//
// 'test_user_from_uri()' - UPNs become CUPS user names.
//

static void
test_user_from_uri(void **state)
{
  char	user[256];			// User name
  char	small[6];			// Too small buffer


  (void)state;

  upaTicketUserFromURI("mailto:alice@contoso.com", user, sizeof(user));
  assert_string_equal(user, "alice@contoso.com");

  upaTicketUserFromURI("MAILTO:Bob.Smith@Contoso.COM", user, sizeof(user));
  assert_string_equal(user, "Bob.Smith@Contoso.COM");

  upaTicketUserFromURI("mailto:carol%40fabrikam.com?subject=x", user, sizeof(user));
  assert_string_equal(user, "carol@fabrikam.com");

  upaTicketUserFromURI("mailto:-rm -rf /;$(id)@evil", user, sizeof(user));
  assert_string_equal(user, "rm-rfid@evil");

  upaTicketUserFromURI("dave", user, sizeof(user));
  assert_string_equal(user, "dave");

  upaTicketUserFromURI(NULL, user, sizeof(user));
  assert_string_equal(user, "");

  upaTicketUserFromURI("mailto:alice@contoso.com", small, sizeof(small));
  assert_string_equal(small, "alice");
}


//
// 'test_joblink()' - The link options a backend finds in argv[5].
//

static void
test_joblink(void **state)
{
  cups_option_t	*options = NULL;	// Options
  int		num_options;		// Number of options
  upa_joblink_t	link;			// Link


  (void)state;

  num_options = cupsParseOptions("copies=2 upa-job-id=100001 upa-device-id=6f1c2d3e-0000-4000-8000-000000000001 upa-user-uri=mailto:alice@contoso.com", 0, &options);
  assert_true(upaJobLinkFromOptions(num_options, options, &link));
  assert_int_equal(link.job_id, 100001);
  assert_string_equal(link.device_id, "6f1c2d3e-0000-4000-8000-000000000001");
  assert_string_equal(link.user_uri, "mailto:alice@contoso.com");
  cupsFreeOptions(num_options, options);

  options     = NULL;
  num_options = cupsParseOptions("copies=2 upa-job-id=12x upa-device-id=abc", 0, &options);
  assert_false(upaJobLinkFromOptions(num_options, options, &link));
  assert_int_equal(link.job_id, 0);
  cupsFreeOptions(num_options, options);

  options     = NULL;
  num_options = cupsParseOptions("copies=2", 0, &options);
  assert_false(upaJobLinkFromOptions(num_options, options, &link));
  cupsFreeOptions(num_options, options);
}


//
// 'check_option_cases()' - Run argv[5] cases through a "...FromOptions()" reader.
//

typedef struct option_case_s		// One argv[5] case
{
  const char	*argv5;			// Options as cupsd passes them
  const char	*value;			// Expected value or NULL (not found)
} option_case_t;

static void
check_option_cases(
    const option_case_t *cases,		// I - Cases
    size_t              num_cases,	// I - Number of cases
    bool                (*from_options)(const char *, int, cups_option_t *, char *, size_t),
					// I - Reader
    size_t              bufsize)	// I - Buffer size given to it (<= 128)
{
  size_t	i;			// Looping var
  char		value[128];		// Value read


  for (i = 0; i < num_cases; i ++)
  {
    cups_option_t	*options = NULL;// Options
    int			num_options = cupsParseOptions(cases[i].argv5, 0, &options);
					// Number of options
    bool		found = (*from_options)(cases[i].argv5, num_options, options, value, bufsize);
					// Found one?

    if (cases[i].value)
    {
      assert_true(found);
      assert_string_equal(value, cases[i].value);
    }
    else
    {
      assert_false(found);
      assert_string_equal(value, "");
    }

    cupsFreeOptions(num_options, options);
  }
}


//
// 'test_job_uuid()' - A backend takes the job-uuid from argv[5] only when it names one.
//

static void
test_job_uuid(void **state)
{
  static const option_case_t cases[] =
  {
    { "upa-job-id=100016 job-uuid=urn:uuid:e18c9c39-9cfb-3e99-5f2f-994fbe91ade1 job-originating-host-name=localhost", "urn:uuid:e18c9c39-9cfb-3e99-5f2f-994fbe91ade1" },
    { "job-uuid=urn:uuid:1", "urn:uuid:1" },
    // The submitter sent a job-uuid of another type: cupsd added its own
    { "job-uuid=urn:uuid:11111111-2222-3333-4444-555555555555 copies=1 job-uuid=urn:uuid:8a98dbec-d60f-3c10-5234-a80edb5f863a", NULL },
    // A value that looks like a second one: ask cupsd
    { "foo='a job-uuid=urn:uuid:2' job-uuid=urn:uuid:1", NULL },
    { "xjob-uuid=urn:uuid:1 copies=1", NULL },
    { "copies=1", NULL },
    { "job-uuid=uuid-1", NULL },
    { "job-uuid=urn:uuid:0123456789012345678901234567890123456789012345678901234567890123456789", NULL },
    { "", NULL }
  };
  char		uuid[64];		// job-uuid


  (void)state;

  check_option_cases(cases, sizeof(cases) / sizeof(cases[0]), upaJobUUIDFromOptions, 64);

  assert_false(upaJobUUIDFromOptions(NULL, 0, NULL, uuid, sizeof(uuid)));
}


//
// 'test_job_key()' - A job's key: its job-uuid and cupsd's time-at-creation, each named once.
//

static void
test_job_key(void **state)
{
  static const option_case_t cases[] =
  {
    // What cupsd 2.4 writes (the order it uses)
    { "upa-job-id=7 job-uuid=urn:uuid:ff7ef96c-55b5-3f5e-729b-8f2f1457f450 job-originating-host-name=localhost date-time-at-creation= date-time-at-processing= time-at-creation=1796568233 time-at-processing=1796568233", "urn:uuid:ff7ef96c-55b5-3f5e-729b-8f2f1457f450@1796568233" },
    { "time-at-creation=5 job-uuid=urn:uuid:1", "urn:uuid:1@5" },
    // Either one missing, twice, or not a plain positive number: ask cupsd
    { "job-uuid=urn:uuid:1", NULL },
    { "time-at-creation=5", NULL },
    { "job-uuid=urn:uuid:1 time-at-creation=5 time-at-creation=6", NULL },
    { "foo='a time-at-creation=6' job-uuid=urn:uuid:1 time-at-creation=5", NULL },
    { "job-uuid=urn:uuid:1 time-at-creation=", NULL },
    { "job-uuid=urn:uuid:1 time-at-creation=0", NULL },
    { "job-uuid=urn:uuid:1 time-at-creation=-5", NULL },
    { "job-uuid=urn:uuid:1 time-at-creation=5x", NULL },
    { "job-uuid=urn:uuid:1 time-at-creation=99999999999999999999999", NULL },
    { "job-uuid=urn:uuid:1@2 time-at-creation=5", NULL },
    { "xtime-at-creation=5 job-uuid=urn:uuid:1", NULL }
  };
  char		key[96];		// Key


  (void)state;

  check_option_cases(cases, sizeof(cases) / sizeof(cases[0]), upaJobKeyFromOptions, 96);

  // Made from what cupsd answers
  assert_true(upaCupsJobKey("urn:uuid:1", 5, key, sizeof(key)));
  assert_string_equal(key, "urn:uuid:1@5");
  assert_false(upaCupsJobKey("urn:uuid:1", 0, key, sizeof(key)));
  assert_string_equal(key, "");
  assert_false(upaCupsJobKey("", 5, key, sizeof(key)));
  assert_false(upaCupsJobKey(NULL, 5, key, sizeof(key)));
  assert_false(upaCupsJobKey("urn:uuid:0f1e2d3c-0000-4000-8000-000000000042", 1796560000, key, 20));
  assert_string_equal(key, "");

  // Matched against a record: the key itself, a job-uuid alone (older
  // journals), or nothing recorded yet
  assert_true(upaCupsJobKeyMatches("urn:uuid:1@5", "urn:uuid:1@5"));
  assert_false(upaCupsJobKeyMatches("urn:uuid:1@5", "urn:uuid:1@6"));
  assert_false(upaCupsJobKeyMatches("urn:uuid:1@5", ""));
  assert_false(upaCupsJobKeyMatches("urn:uuid:1@5", NULL));
  assert_true(upaCupsJobKeyMatches("urn:uuid:1", "urn:uuid:1@6"));
  assert_false(upaCupsJobKeyMatches("urn:uuid:1", "urn:uuid:12@6"));
  assert_false(upaCupsJobKeyMatches("urn:uuid:1", "urn:uuid:1"));
  assert_true(upaCupsJobKeyMatches("", "urn:uuid:1@5"));
  assert_true(upaCupsJobKeyMatches(NULL, NULL));
}


//
// 'test_spaced_values()' - Values cupsd cannot start a job with are dropped.
//

static void
test_spaced_values(void **state)
{
  ipp_t		*request;		// Create-Job request
  cups_option_t	*options = NULL;	// Ticket options
  int		num_options;		// Number of options
  static const char * const names[] = { "copies", "media", "output-bin", "my-text", "my-ctl", "upa-user-uri", "job-name", "sides" };
  static const bool kept[] = { true, false, true, false, false, true, true, true };
  size_t	i;			// Looping var


  (void)state;

  request     = ippNewRequest(IPP_OP_CREATE_JOB);
  num_options = cupsParseOptions("copies=2 media='iso a4' output-bin=top sides=one-sided", 0, &options);
  cupsEncodeOptions2(request, num_options, options, IPP_TAG_JOB);
  ippAddString(request, IPP_TAG_JOB, IPP_TAG_TEXT, "my-text", NULL, "tab\there");
  ippAddString(request, IPP_TAG_JOB, IPP_TAG_TEXT, "my-ctl", NULL, "bell\a");
  ippAddStrings(request, IPP_TAG_JOB, IPP_TAG_KEYWORD, "my-list", 2, NULL, (const char *[]){ "fine", "not fine" });
  ippAddString(request, IPP_TAG_JOB, IPP_TAG_NAME, "upa-user-uri", NULL, "mailto:alice@contoso.com");
  ippAddString(request, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, "Quarterly report.pdf");

  upaCupsDropSpacedValues(request);

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i ++)
  {
    if (kept[i])
      assert_non_null(ippFindAttribute(request, names[i], IPP_TAG_ZERO));
    else
      assert_null(ippFindAttribute(request, names[i], IPP_TAG_ZERO));
  }

  // One spaced value among several drops the attribute
  assert_null(ippFindAttribute(request, "my-list", IPP_TAG_ZERO));

  ippDelete(request);
  cupsFreeOptions(num_options, options);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_basic),
    cmocka_unit_test(test_media_col),
    cmocka_unit_test(test_ignored),
    cmocka_unit_test(test_user_from_uri),
    cmocka_unit_test(test_joblink),
    cmocka_unit_test(test_job_uuid),
    cmocka_unit_test(test_job_key),
    cmocka_unit_test(test_spaced_values)
  };


  return (cmocka_run_group_tests(tests, NULL, NULL));
}
