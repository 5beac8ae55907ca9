//
// Unit tests for lib/infra.c: job list parsing and the IPP-INFRA request builders.
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
#include "infra-private.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


//
// Local types...
//

typedef struct expect_s			// One expected attribute
{
  const char	*name;			// Name
  ipp_tag_t	group_tag;		// Group
  ipp_tag_t	value_tag;		// Value tag
  const char	*value;			// All values as ippAttributeString() gives them
} expect_t;


//
// Local globals...
//

static char		tmpdir[256];	// Scratch folder for this run
static upa_config_t	*cfg;		// Test configuration
static upa_device_t	*dev;		// Test device (in memory)
static upa_client_t	*client;	// Client for the builders

#define TEST_DEVICE_ID	"6f1c2d3e-0000-4000-8000-000000000002"
#define TEST_PRINTER_URI "ipps://127.0.0.1:1/printers/" TEST_DEVICE_ID
#define TEST_UUID	"urn:uuid:" TEST_DEVICE_ID


//
// 'check_attrs()' - Check the exact attribute list of a message (through an encode/decode).
//

static void
check_attrs(ipp_t          *ipp,	// I - Message
            const expect_t *expect,	// I - Expected attributes
            size_t         count)	// I - Number of expected attributes
{
  ipp_attribute_t	*attr;		// Current attribute
  size_t		i = 0;		// Index into expect
  char			value[2048];	// Value as string
  upa_buffer_t		buf;		// Encoded message
  ipp_t			*decoded;	// Decoded message
  size_t		used;		// Bytes used
  bool			incomplete;	// Truncated?


  // Check what goes on the wire, not just the in-memory list.
  memset(&buf, 0, sizeof(buf));
  assert_true(upaIPPEncode(ipp, &buf));
  decoded = upaIPPDecode(buf.data, buf.len, &used, &incomplete);
  assert_non_null(decoded);
  assert_int_equal(used, buf.len);
  upaBufferClear(&buf);

  for (attr = ippFirstAttribute(decoded); attr; attr = ippNextAttribute(decoded), i ++)
  {
    assert_true(i < count);
    assert_non_null(ippGetName(attr));
    assert_string_equal(ippGetName(attr), expect[i].name);
    assert_int_equal(ippGetGroupTag(attr), expect[i].group_tag);
    assert_int_equal(ippGetValueTag(attr), expect[i].value_tag);
    ippAttributeString(attr, value, sizeof(value));
    assert_string_equal(value, expect[i].value);
  }

  assert_int_equal(i, count);
  assert_int_equal(ippGetOperation(decoded), ippGetOperation(ipp));

  ippDelete(decoded);
}


//
// 'new_response()' - Start a Get-Jobs response with its operation group.
//

static ipp_t *				// O - Response
new_response(void)
{
  ipp_t	*response = ippNew();		// Response


  ippSetVersion(response, 2, 0);
  ippSetStatusCode(response, IPP_STATUS_OK);
  ippSetRequestId(response, 1);
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", NULL, "utf-8");
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", NULL, "en-us");

  return (response);
}


//
// 'setup()' - Config, device and client for the builders.
//

static int				// O - 0 on success
setup(void **state)
{
  char	path[512];			// Config file
  FILE	*fp;				// File


  (void)state;

  snprintf(tmpdir, sizeof(tmpdir), "/tmp/testinfra.XXXXXX");
  if (!mkdtemp(tmpdir))
    return (-1);

  snprintf(path, sizeof(path), "%s/cups-upa.conf", tmpdir);
  if ((fp = fopen(path, "w")) == NULL)
    return (-1);
  fprintf(fp, "Cloud custom\nRegisterURL https://127.0.0.1:1\nPrintURL https://127.0.0.1:1\nGraphURL https://127.0.0.1:1/v1.0\nStateDir %s/state\nCacheDir %s/cache\n", tmpdir, tmpdir);
  fclose(fp);

  if ((cfg = upaConfigLoad(path)) == NULL || (dev = upaDeviceNew(cfg, TEST_DEVICE_ID)) == NULL)
    return (-1);

  if (!upaDeviceSetString(&dev->printer_uri, TEST_PRINTER_URI))
    return (-1);

  if ((client = upaClientCreate(cfg, dev)) == NULL)
    return (-1);

  return (0);
}


//
// 'teardown()' - Free everything.
//

static int				// O - 0 on success
teardown(void **state)
{
  char	cmd[600];			// Cleanup command


  (void)state;

  upaClientDelete(client);
  upaDeviceDelete(dev);
  upaConfigDelete(cfg);

  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);

  return (system(cmd) ? -1 : 0);
}


//
// 'test_joblist_empty()' - No job groups.
//

static void
test_joblist_empty(void **state)
{
  ipp_t		*response = new_response();
					// Response
  upa_jobinfo_t	*jobs = (upa_jobinfo_t *)1;
					// Jobs


  (void)state;

  assert_int_equal(upaInfraJobList(response, &jobs), 0);
  assert_null(jobs);
  ippDelete(response);

  assert_int_equal(upaInfraJobList(NULL, &jobs), -1);
}


//
// 'test_event_list()' - Get-Notifications answers: events, operation attributes, skipped groups.
//

static void
test_event_list(void **state)
{
  ipp_t			*response = new_response();
					// Response
  upa_event_t		*events = (upa_event_t *)1;
					// Events
  upa_notify_info_t	info;		// Operation attributes
  int			i;		// Looping var


  (void)state;

  // No events: successful-ok with an empty list is not an error
  assert_int_equal(upaInfraEventList(response, 7, &info, &events), 0);
  assert_null(events);
  assert_int_equal(info.get_interval, 0);

  ippAddInteger(response, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-get-interval", 30);
  ippAddInteger(response, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "printer-up-time", 1234);

  for (i = 0; i < 4; i ++)
  {
    ippAddSeparator(response);
    ippAddString(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_CHARSET, "notify-charset", NULL, "utf-8");
    // The third group is another subscription's, the fourth has no sequence number
    ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "notify-subscription-id", i == 2 ? 8 : 7);
    if (i != 3)
      ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "notify-sequence-number", 5 + i);
    ippAddString(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_KEYWORD, "notify-subscribed-event", NULL, i ? "job-state-changed" : "job-fetchable");
    ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_INTEGER, "notify-job-id", 100 + i);
    ippAddInteger(response, IPP_TAG_EVENT_NOTIFICATION, IPP_TAG_ENUM, "job-state", IPP_JSTATE_PENDING + i);
  }

  assert_int_equal(upaInfraEventList(response, 7, &info, &events), 2);
  assert_non_null(events);
  assert_int_equal(info.get_interval, 30);
  assert_int_equal(info.up_time, 1234);
  assert_int_equal(events[0].seq, 5);
  assert_int_equal(events[0].job_id, 100);
  assert_string_equal(events[0].event, "job-fetchable");
  assert_int_equal(events[0].job_state, IPP_JSTATE_PENDING);
  assert_int_equal(events[1].seq, 6);
  assert_int_equal(events[1].job_id, 101);
  assert_string_equal(events[1].event, "job-state-changed");
  assert_int_equal(events[1].job_state, IPP_JSTATE_HELD);
  free(events);

  ippDelete(response);

  assert_int_equal(upaInfraEventList(NULL, 7, &info, &events), -1);
}


//
// 'test_joblist_one()' - One job with every attribute.
//

static void
test_joblist_one(void **state)
{
  ipp_t		*response = new_response();
					// Response
  upa_jobinfo_t	*jobs = NULL;		// Jobs
  ipp_uchar_t	date[11];		// date-time-at-creation
  static const char * const reasons[] = { "job-incoming", "job-fetchable" };


  (void)state;

  memcpy(date, ippTimeToDate(1767225600), sizeof(date));	// 2026-01-01T00:00:00Z

  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 14605388);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_URI, "job-uri", NULL, TEST_PRINTER_URI "/jobs/14605388");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, "Quarterly report");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", NULL, "alice@contoso.com");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_URI, "job-originating-user-uri", NULL, "mailto:alice@contoso.com");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", IPP_JSTATE_HELD);
  ippAddStrings(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", 2, NULL, reasons);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_MIMETYPE, "document-format", NULL, "application/pdf");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", 3);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions", 12);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", 2048);
  ippAddDate(response, IPP_TAG_JOB, "date-time-at-creation", date);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "sides", NULL, "two-sided-long-edge");
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "print-color-mode", NULL, "monochrome");
  memcpy(date, ippTimeToDate(1767312000), sizeof(date));	// 2026-01-02T00:00:00Z
  ippAddDate(response, IPP_TAG_JOB, "job-retain-until-time", date);

  assert_int_equal(upaInfraJobList(response, &jobs), 1);
  assert_non_null(jobs);
  assert_int_equal(jobs[0].id, 14605388);
  assert_string_equal(jobs[0].name, "Quarterly report");
  assert_string_equal(jobs[0].owner, "alice@contoso.com");
  assert_string_equal(jobs[0].owner_uri, "mailto:alice@contoso.com");
  assert_int_equal(jobs[0].state, IPP_JSTATE_HELD);
  assert_string_equal(jobs[0].format, "application/pdf");
  assert_int_equal(jobs[0].copies, 3);
  assert_int_equal(jobs[0].pages, 12);
  assert_int_equal(jobs[0].size_k, 2048);
  assert_int_equal(jobs[0].created, 1767225600);
  assert_true(jobs[0].fetchable);
  assert_string_equal(jobs[0].sides, "two-sided-long-edge");
  assert_string_equal(jobs[0].color, "monochrome");
  assert_int_equal(jobs[0].retain_until, 1767312000);

  free(jobs);
  ippDelete(response);
}


//
// 'test_joblist_three()' - Three jobs, the middle one with only a job-id, through the wire.
//

static void
test_joblist_three(void **state)
{
  ipp_t		*response = new_response(),
					// Response
		*decoded;		// Response after encode/decode
  upa_jobinfo_t	*jobs = NULL;		// Jobs
  upa_buffer_t	buf;			// Encoded response
  size_t	used;			// Bytes used
  bool		incomplete;		// Truncated?


  (void)state;

  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 1);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, "first");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", IPP_JSTATE_PENDING);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", NULL, "job-fetchable");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-media-sheets", 4);
  ippAddSeparator(response);

  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 2);
  ippAddSeparator(response);

  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, "third");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 3);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_MIMETYPE, "document-format-supplied", NULL, "application/oxps");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", 0);	// Bogus: keep 1
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", NULL, "none");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", IPP_JSTATE_CANCELED);

  // Through the codec, as a real response arrives (separators become group tags).
  memset(&buf, 0, sizeof(buf));
  assert_true(upaIPPEncode(response, &buf));
  decoded = upaIPPDecode(buf.data, buf.len, &used, &incomplete);
  assert_non_null(decoded);
  upaBufferClear(&buf);
  ippDelete(response);

  assert_int_equal(upaInfraJobList(decoded, &jobs), 3);
  assert_non_null(jobs);

  assert_int_equal(jobs[0].id, 1);
  assert_string_equal(jobs[0].name, "first");
  assert_int_equal(jobs[0].state, IPP_JSTATE_PENDING);
  assert_true(jobs[0].fetchable);
  assert_int_equal(jobs[0].pages, 4);
  assert_int_equal(jobs[0].copies, 1);

  // Only a job-id: defaults everywhere.
  assert_int_equal(jobs[1].id, 2);
  assert_string_equal(jobs[1].name, "");
  assert_string_equal(jobs[1].owner, "");
  assert_string_equal(jobs[1].owner_uri, "");
  assert_string_equal(jobs[1].format, "");
  assert_int_equal(jobs[1].copies, 1);
  assert_int_equal(jobs[1].pages, 0);
  assert_int_equal(jobs[1].size_k, 0);
  assert_int_equal(jobs[1].created, 0);
  assert_false(jobs[1].fetchable);

  assert_int_equal(jobs[2].id, 3);
  assert_string_equal(jobs[2].name, "third");
  assert_string_equal(jobs[2].format, "application/oxps");
  assert_int_equal(jobs[2].copies, 1);
  assert_int_equal(jobs[2].state, IPP_JSTATE_CANCELED);
  assert_false(jobs[2].fetchable);

  free(jobs);
  ippDelete(decoded);
}


//
// 'test_joblist_dups()' - 20 000 job groups naming 100 jobs: each once, the first group wins.
//

static void
test_joblist_dups(void **state)
{
  ipp_t		*response = new_response();
					// Response
  upa_jobinfo_t	*jobs = NULL;		// Jobs
  char		name[64];		// job-name
  int		i;			// Looping var


  (void)state;

  for (i = 0; i < 20000; i ++)
  {
    if (i > 0)
      ippAddSeparator(response);

    snprintf(name, sizeof(name), "group %d", i);
    ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 1000 + i % 100);
    ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, name);
    ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", IPP_JSTATE_HELD);
  }

  assert_int_equal(upaInfraJobList(response, &jobs), 100);
  assert_non_null(jobs);

  for (i = 0; i < 100; i ++)
  {
    snprintf(name, sizeof(name), "group %d", i);
    assert_int_equal(jobs[i].id, 1000 + i);
    assert_string_equal(jobs[i].name, name);
  }

  free(jobs);
  ippDelete(response);
}


//
// 'test_joblist_cap()' - More than UPA_INFRA_MAX_JOBS distinct jobs is a protocol error.
//

static void
test_joblist_cap(void **state)
{
  ipp_t		*response = new_response();
					// Response
  upa_jobinfo_t	*jobs = (upa_jobinfo_t *)1;
					// Jobs
  int		i;			// Looping var
  char		expect[64];		// Expected message part


  (void)state;

  for (i = 0; i < UPA_INFRA_MAX_JOBS; i ++)
  {
    if (i > 0)
      ippAddSeparator(response);
    ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", i + 1);
  }

  // Exactly the cap is fine.
  assert_int_equal(upaInfraJobList(response, &jobs), UPA_INFRA_MAX_JOBS);
  assert_non_null(jobs);
  assert_int_equal(jobs[UPA_INFRA_MAX_JOBS - 1].id, UPA_INFRA_MAX_JOBS);
  free(jobs);

  // One more is not.
  ippAddSeparator(response);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", UPA_INFRA_MAX_JOBS + 1);

  assert_int_equal(upaInfraJobList(response, &jobs), -1);
  assert_null(jobs);
  assert_int_equal(upaLastError(), UPA_ERROR_PROTOCOL);
  snprintf(expect, sizeof(expect), "listed more than %d jobs", UPA_INFRA_MAX_JOBS);
  assert_non_null(strstr(upaLastErrorString(), expect));

  ippDelete(response);
}


//
// 'test_joblist_no_id()' - Job groups without a usable job-id.
//

static void
test_joblist_no_id(void **state)
{
  ipp_t		*response = new_response();
					// Response
  upa_jobinfo_t	*jobs = (upa_jobinfo_t *)1;
					// Jobs


  (void)state;

  // Only unusable groups: a protocol error, not "no jobs waiting".
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", NULL, "no id");
  ippAddSeparator(response);
  ippAddString(response, IPP_TAG_JOB, IPP_TAG_NAME, "job-id", NULL, "12");	// Not an integer
  ippAddSeparator(response);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 0);

  assert_int_equal(upaInfraJobList(response, &jobs), -1);
  assert_null(jobs);
  assert_int_equal(upaLastError(), UPA_ERROR_PROTOCOL);
  assert_non_null(strstr(upaLastErrorString(), "3 jobs without a usable job-id"));

  // With a usable one next to them: that one, the others skipped.
  ippAddSeparator(response);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 42);

  assert_int_equal(upaInfraJobList(response, &jobs), 1);
  assert_non_null(jobs);
  assert_int_equal(jobs[0].id, 42);
  free(jobs);

  ippDelete(response);
}


//
// 'test_getjobs_request()' - Get-Jobs for a user.
//

static void
test_getjobs_request(void **state)
{
  ipp_t	*request;			// Request
  static const expect_t expect[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "requesting-user-uri", IPP_TAG_OPERATION, IPP_TAG_URI, "mailto:bob@contoso.com" },
    { "requesting-user-name", IPP_TAG_OPERATION, IPP_TAG_NAME, "bob@contoso.com" },
    { "my-jobs", IPP_TAG_OPERATION, IPP_TAG_BOOLEAN, "true" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_PRINTER_URI },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "which-jobs", IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "fetchable" },
    { "requested-attributes", IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "all" }
  };


  (void)state;

  request = upaInfraNewGetJobs(client, "mailto:bob@contoso.com");
  assert_non_null(request);
  assert_int_equal(ippGetOperation(request), IPP_OP_GET_JOBS);
  check_attrs(request, expect, sizeof(expect) / sizeof(expect[0]));
  ippDelete(request);
}


//
// 'test_job_requests()' - Acknowledge-Job and Fetch-Document.
//

static void
test_job_requests(void **state)
{
  ipp_t	*request;			// Request
  static const expect_t ack[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_PRINTER_URI },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "job-id", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "42" },
    { "fetch-status-message", IPP_TAG_OPERATION, IPP_TAG_TEXT, "held in CUPS" }
  };
  static const expect_t fetch[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "requesting-user-uri", IPP_TAG_OPERATION, IPP_TAG_URI, "mailto:bob@contoso.com" },
    { "requesting-user-name", IPP_TAG_OPERATION, IPP_TAG_NAME, "bob@contoso.com" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_PRINTER_URI },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "job-id", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "42" },
    { "document-number", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "1" },
    { "document-format-accepted", IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "application/pdf,application/oxps,application/vnd.ms-xpsdocument,image/pwg-raster,image/urf,application/PCLm,application/octet-stream" }
  };


  (void)state;

  request = upaInfraNewAcknowledgeJob(client, NULL, 42, "held in CUPS");
  assert_non_null(request);
  assert_int_equal(ippGetOperation(request), IPP_OP_ACKNOWLEDGE_JOB);
  check_attrs(request, ack, sizeof(ack) / sizeof(ack[0]));
  ippDelete(request);

  // Without a message there is no fetch-status-message.
  request = upaInfraNewAcknowledgeJob(client, NULL, 42, NULL);
  assert_non_null(request);
  check_attrs(request, ack, sizeof(ack) / sizeof(ack[0]) - 1);
  ippDelete(request);

  request = upaInfraNewFetchDocument(client, "mailto:bob@contoso.com", 42, 1);
  assert_non_null(request);
  assert_int_equal(ippGetOperation(request), IPP_OP_FETCH_DOCUMENT);
  check_attrs(request, fetch, sizeof(fetch) / sizeof(fetch[0]));
  ippDelete(request);

  assert_null(upaInfraNewJobRequest(client, IPP_OP_FETCH_JOB, NULL, 0));
  assert_int_equal(upaLastError(), UPA_ERROR_ARGS);
}


//
// 'test_update_job_status()' - Update-Job-Status puts the state in a job group.
//

static void
test_update_job_status(void **state)
{
  ipp_t			*request;	// Request
  upa_jobstatus_t	status;		// Status to send
  static const expect_t aborted[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "requesting-user-uri", IPP_TAG_OPERATION, IPP_TAG_URI, "mailto:bob@contoso.com" },
    { "requesting-user-name", IPP_TAG_OPERATION, IPP_TAG_NAME, "bob@contoso.com" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_PRINTER_URI },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "job-id", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "7" },
    { "output-device-job-state", IPP_TAG_JOB, IPP_TAG_ENUM, "8" },
    { "output-device-job-state-reasons", IPP_TAG_JOB, IPP_TAG_KEYWORD, "aborted-by-system,document-format-error" },
    { "output-device-job-state-message", IPP_TAG_JOB, IPP_TAG_TEXT, "Printer rejected the document." },
    { "job-impressions-completed", IPP_TAG_JOB, IPP_TAG_INTEGER, "3" }
  };
  static const expect_t completed[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_PRINTER_URI },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "job-id", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "7" },
    { "output-device-job-state", IPP_TAG_JOB, IPP_TAG_ENUM, "9" },
    { "output-device-job-state-reasons", IPP_TAG_JOB, IPP_TAG_KEYWORD, "none" }
  };


  (void)state;

  memset(&status, 0, sizeof(status));
  status.state       = IPP_JSTATE_ABORTED;
  status.reasons[0]  = "aborted-by-system";
  status.reasons[1]  = "document-format-error";
  status.message     = "Printer rejected the document.";
  status.impressions = 3;

  request = upaInfraNewUpdateJobStatus(client, "mailto:bob@contoso.com", 7, &status);
  assert_non_null(request);
  assert_int_equal(ippGetOperation(request), IPP_OP_UPDATE_JOB_STATUS);
  check_attrs(request, aborted, sizeof(aborted) / sizeof(aborted[0]));
  ippDelete(request);

  // No reasons, message or impressions: "none" and nothing else.
  memset(&status, 0, sizeof(status));
  status.state       = IPP_JSTATE_COMPLETED;
  status.impressions = -1;

  request = upaInfraNewUpdateJobStatus(client, NULL, 7, &status);
  assert_non_null(request);
  check_attrs(request, completed, sizeof(completed) / sizeof(completed[0]));
  ippDelete(request);

  // Not a job state.
  status.state = (ipp_jstate_t)2;
  assert_null(upaInfraNewUpdateJobStatus(client, NULL, 7, &status));
  assert_int_equal(upaLastError(), UPA_ERROR_ARGS);
}


//
// 'test_update_output_device()' - Update-Output-Device-Attributes copies into a printer group.
//

static void
test_update_output_device(void **state)
{
  ipp_t	*attrs,				// Printer attributes
	*request;			// Request
  static const char * const formats[] = { "application/pdf", "image/pwg-raster" };
  static const expect_t expect[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_PRINTER_URI },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "printer-state", IPP_TAG_PRINTER, IPP_TAG_ENUM, "idle" },
    { "document-format-supported", IPP_TAG_PRINTER, IPP_TAG_MIMETYPE, "application/pdf,image/pwg-raster" },
    { "job-release-action-supported", IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "owner-authorized-badge" }
  };


  (void)state;

  // As a Get-Printer-Attributes response would hold them: the operation
  // group must not be copied.
  attrs = ippNew();
  ippAddString(attrs, IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", NULL, "utf-8");
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", IPP_PSTATE_IDLE);
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_MIMETYPE, "document-format-supported", 2, NULL, formats);
  ippAddString(attrs, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "job-release-action-supported", NULL, "owner-authorized-badge");

  request = upaInfraNewUpdateOutputDeviceAttributes(client, attrs);
  assert_non_null(request);
  assert_int_equal(ippGetOperation(request), IPP_OP_UPDATE_OUTPUT_DEVICE_ATTRIBUTES);
  check_attrs(request, expect, sizeof(expect) / sizeof(expect[0]));
  ippDelete(request);

  // The caller's attributes are untouched.
  assert_non_null(ippFindAttribute(attrs, "printer-state", IPP_TAG_ENUM));
  ippDelete(attrs);
}


//
// 'test_document_size()' - The announced document size and its range.
//

static void
test_document_size(void **state)
{
  ipp_t		*response;		// Response
  long long	lo,			// Fewest bytes
		hi;			// Most bytes


  (void)state;

  // A Fetch-Document part as Universal Print and ippserver send it: no size.
  response = new_response();
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "compression", NULL, "none");
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, "application/pdf");
  assert_false(upaInfraDocumentSize(response, &lo, &hi));

  // With a document size.
  ippAddInteger(response, IPP_TAG_DOCUMENT, IPP_TAG_INTEGER, "k-octets", 196);
  assert_true(upaInfraDocumentSize(response, &lo, &hi));
  assert_int_equal(lo, 195 * 1024 + 1);
  assert_int_equal(hi, 197 * 1024 - 1);
  ippDelete(response);

  // A Fetch-Job response: job-k-octets (200031 bytes = 196 KiB rounded up).
  response = new_response();
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 7);
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", 196);
  assert_true(upaInfraDocumentSize(response, &lo, &hi));
  assert_true(lo <= 200031 && 200031 <= hi);
  assert_false(lo <= 100015 && 100015 <= hi);	// Half of it does not pass
  ippDelete(response);

  // A compressed transfer cannot be compared.
  response = new_response();
  ippAddString(response, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "compression", NULL, "gzip");
  ippAddInteger(response, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", 196);
  assert_false(upaInfraDocumentSize(response, &lo, &hi));
  ippDelete(response);

  // Rounding either way, and the empty document.
  upaInfraSizeRange(1, &lo, &hi);
  assert_int_equal(lo, 1);
  assert_int_equal(hi, 2047);
  upaInfraSizeRange(0, &lo, &hi);
  assert_int_equal(lo, 0);
  assert_int_equal(hi, 1023);
}


//
// 'test_pwg_order()' - Profile pwg: RFC 8011 order, PrinterURI, requesting-user-name.
//
// attributes-charset, attributes-natural-language, then the target
// (printer-uri from the configuration, job-id), then requesting-user-name
// with requesting-user-uri, then the rest.  Universal Print's order (the
// tests above) puts requesting-user-uri before printer-uri, which the PWG
// reference server refuses with client-error-bad-request.
//

static void
test_pwg_order(void **state)
{
  char		path[512];		// Config file
  FILE		*fp;			// File
  upa_config_t	*pcfg;			// pwg configuration
  upa_client_t	*pclient;		// pwg client
  ipp_t		*request;		// Request
#define PWG_PRINTER_URI "ipps://infra.example.com:8443/ipp/print/floor3"
  static const expect_t getjobs[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, PWG_PRINTER_URI },
    { "requesting-user-name", IPP_TAG_OPERATION, IPP_TAG_NAME, "bob@contoso.com" },
    { "requesting-user-uri", IPP_TAG_OPERATION, IPP_TAG_URI, "mailto:bob@contoso.com" },
    { "my-jobs", IPP_TAG_OPERATION, IPP_TAG_BOOLEAN, "true" },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "which-jobs", IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "fetchable" },
    { "requested-attributes", IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "all" }
  };
  static const expect_t fetch[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, PWG_PRINTER_URI },
    { "job-id", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "42" },
    { "requesting-user-name", IPP_TAG_OPERATION, IPP_TAG_NAME, "bob@contoso.com" },
    { "requesting-user-uri", IPP_TAG_OPERATION, IPP_TAG_URI, "mailto:bob@contoso.com" },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "document-number", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "1" },
    { "document-format-accepted", IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "application/pdf,application/oxps,application/vnd.ms-xpsdocument,image/pwg-raster,image/urf,application/PCLm,application/octet-stream" }
  };
  static const expect_t ack[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, PWG_PRINTER_URI },
    { "job-id", IPP_TAG_OPERATION, IPP_TAG_INTEGER, "42" },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "fetch-status-message", IPP_TAG_OPERATION, IPP_TAG_TEXT, "held in CUPS" }
  };
  static const expect_t uoda[] =
  {
    { "attributes-charset", IPP_TAG_OPERATION, IPP_TAG_CHARSET, "utf-8" },
    { "attributes-natural-language", IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "en-us" },
    { "printer-uri", IPP_TAG_OPERATION, IPP_TAG_URI, PWG_PRINTER_URI },
    { "output-device-uuid", IPP_TAG_OPERATION, IPP_TAG_URI, TEST_UUID },
    { "printer-state", IPP_TAG_PRINTER, IPP_TAG_ENUM, "idle" }
  };
  ipp_t		*attrs;			// Printer attributes


  (void)state;

  snprintf(path, sizeof(path), "%s/pwg.conf", tmpdir);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp, "Profile pwg\nPrinterURI %s\nStateDir %s/state\nCacheDir %s/cache\n", PWG_PRINTER_URI, tmpdir, tmpdir);
  fclose(fp);

  pcfg = upaConfigLoad(path);
  assert_non_null(pcfg);
  assert_int_equal(pcfg->profile, UPA_PROFILE_PWG);
  assert_int_equal(pcfg->release_order, UPA_ORDER_ACK_FIRST);

  // The device's registered printer URI is not used: the configuration's is.
  pclient = upaClientCreate(pcfg, dev);
  assert_non_null(pclient);

  request = upaInfraNewGetJobs(pclient, "mailto:bob@contoso.com");
  assert_non_null(request);
  check_attrs(request, getjobs, sizeof(getjobs) / sizeof(getjobs[0]));
  ippDelete(request);

  request = upaInfraNewFetchDocument(pclient, "mailto:bob@contoso.com", 42, 1);
  assert_non_null(request);
  check_attrs(request, fetch, sizeof(fetch) / sizeof(fetch[0]));
  ippDelete(request);

  request = upaInfraNewAcknowledgeJob(pclient, NULL, 42, "held in CUPS");
  assert_non_null(request);
  check_attrs(request, ack, sizeof(ack) / sizeof(ack[0]));
  ippDelete(request);

  attrs = ippNew();
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", IPP_PSTATE_IDLE);
  request = upaInfraNewUpdateOutputDeviceAttributes(pclient, attrs);
  assert_non_null(request);
  check_attrs(request, uoda, sizeof(uoda) / sizeof(uoda[0]));
  ippDelete(request);
  ippDelete(attrs);

  // No device token in this profile.
  {
    char token[64];			// Token buffer

    assert_false(upaClientGetToken(pclient, false, token, sizeof(token)));
    assert_int_equal(upaLastError(), UPA_ERROR_CONFIG);
  }

  upaClientDelete(pclient);
  upaConfigDelete(pcfg);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_event_list),
    cmocka_unit_test(test_joblist_empty),
    cmocka_unit_test(test_joblist_one),
    cmocka_unit_test(test_joblist_three),
    cmocka_unit_test(test_joblist_dups),
    cmocka_unit_test(test_joblist_cap),
    cmocka_unit_test(test_joblist_no_id),
    cmocka_unit_test(test_getjobs_request),
    cmocka_unit_test(test_job_requests),
    cmocka_unit_test(test_update_job_status),
    cmocka_unit_test(test_update_output_device),
    cmocka_unit_test(test_document_size),
    cmocka_unit_test(test_pwg_order)
  };

  return (cmocka_run_group_tests(tests, setup, teardown));
}
