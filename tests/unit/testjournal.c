//
// Unit tests for lib/journal.c.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>


//
// Local globals...
//

static char	tmpdir[256];		// Scratch folder for this run
static int	warnings = 0;		// Warnings logged

#define DEV_A	"6f1c2d3e-0000-4000-8000-00000000000a"
#define DEV_B	"6f1c2d3e-0000-4000-8000-00000000000b"


//
// 'log_cb()' - Count warnings.
//

static void
log_cb(void           *data,		// I - Unused
       upa_loglevel_t level,		// I - Level
       const char     *message)		// I - Message
{
  (void)data;
  (void)message;

  if (level >= UPA_LOG_WARN)
    warnings ++;
}


//
// 'new_config()' - A configuration with its own StateDir.
//

static upa_config_t *			// O - Configuration
new_config(const char *name)		// I - Sub-folder name
{
  upa_config_t	*cfg = calloc(1, sizeof(upa_config_t));
					// Configuration


  assert_non_null(cfg);
  snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s/%s/state", tmpdir, name);

  return (cfg);
}


//
// 'find()' - Find a pending entry.
//

static const upa_jentry_t *		// O - Entry or NULL
find(const upa_jentry_t *entries,	// I - Entries
     int                num_entries,	// I - Number of entries
     const char         *device_id,	// I - Device
     int                cloud_job_id)	// I - Cloud job-id
{
  int	i;				// Looping var


  for (i = 0; i < num_entries; i ++)
    if (entries[i].cloud_job_id == cloud_job_id && !strcmp(entries[i].device_id, device_id))
      return (entries + i);

  return (NULL);
}


//
// 'test_pending()' - The last step of each job decides; finished jobs drop out.
//

static void
test_pending(void **state)
{
  upa_config_t		*cfg = new_config("pending");
					// Configuration
  upa_journal_t		*journal;	// Journal
  upa_jentry_t		*entries;	// Pending entries
  const upa_jentry_t	*e;		// One entry
  int			n;		// Number of entries
  char			path[1200];	// Journal file
  struct stat		info;		// File information


  (void)state;

  assert_non_null(journal = upaJournalOpen(cfg));
  assert_ptr_equal(upaJournalGetConfig(journal), cfg);

  // Job 1: created, fetched -> pending at "fetched"
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 1, 11, "mailto:alice@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 1, 11, "mailto:alice@contoso.com"));
  // Job 2: all the way -> not pending
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 2, 12, "mailto:alice@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 2, 12, "mailto:alice@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKED, DEV_A, 2, 12, "mailto:alice@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_RELEASED, DEV_A, 2, 12, "mailto:alice@contoso.com"));
  // Job 3: acked -> pending at "acked"
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 3, 13, "mailto:bob@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKED, DEV_A, 3, 13, "mailto:bob@contoso.com"));
  // Job 4: canceled -> not pending; job 5: aborted -> not pending
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 4, 14, "mailto:bob@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CANCELED, DEV_A, 4, 14, "mailto:bob@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 5, 15, NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ABORTED, DEV_A, 5, 15, NULL));

  // Bad records are refused, not written
  assert_false(upaJournalRecord(journal, UPA_JSTEP_CREATED, "dev with space", 6, 16, NULL));
  assert_false(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 0, 16, NULL));

  // Releases still in flight (this handle holds their locks) are not "interrupted"
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 0);
  assert_null(entries);

  // The process "crashes": a new one sees jobs 1 and 3
  upaJournalClose(journal);
  assert_non_null(journal = upaJournalOpen(cfg));

  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 2);
  assert_non_null(e = find(entries, n, DEV_A, 1));
  assert_int_equal(e->step, UPA_JSTEP_FETCHED);
  assert_int_equal(e->cups_job_id, 11);
  assert_string_equal(e->user_uri, "mailto:alice@contoso.com");
  assert_true(e->time > 0);
  assert_non_null(e = find(entries, n, DEV_A, 3));
  assert_int_equal(e->step, UPA_JSTEP_ACKED);
  assert_int_equal(e->cups_job_id, 13);
  assert_string_equal(e->user_uri, "mailto:bob@contoso.com");
  assert_null(find(entries, n, DEV_A, 2));
  assert_null(find(entries, n, DEV_A, 4));
  assert_null(find(entries, n, DEV_A, 5));
  free(entries);

  // Recovery finishes job 1; after a restart only job 3 is left
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CANCELED, DEV_A, 1, 11, "mailto:alice@contoso.com"));
  upaJournalClose(journal);
  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 1);
  assert_int_equal(entries[0].cloud_job_id, 3);
  free(entries);
  upaJournalClose(journal);

  // The file is 0660
  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  assert_int_equal(stat(path, &info), 0);
  assert_int_equal(info.st_mode & 0777, 0660);

  free(cfg);
}


//
// 'test_torn()' - A torn last line is ignored with a warning.
//

static void
test_torn(void **state)
{
  upa_config_t	*cfg = new_config("torn");
					// Configuration
  upa_journal_t	*journal;		// Journal
  upa_jentry_t	*entries;		// Pending entries
  int		n;			// Number of entries
  char		path[1200];		// Journal file
  FILE		*fp;			// Journal stream


  (void)state;

  assert_non_null(journal = upaJournalOpen(cfg));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 21, 31, "mailto:alice@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 21, 31, "mailto:alice@contoso.com"));
  upaJournalClose(journal);

  // The crash: half a record ("acked" for job 21) without its newline
  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  assert_non_null(fp = fopen(path, "a"));
  fputs("1795317399 acked " DEV_A " 21 3", fp);
  fclose(fp);

  warnings = 0;
  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 1);
  assert_int_equal(entries[0].cloud_job_id, 21);
  assert_int_equal(entries[0].step, UPA_JSTEP_FETCHED);
  assert_int_equal(entries[0].cups_job_id, 31);
  assert_true(warnings >= 1);
  free(entries);

  // A record after the torn line lands on a line of its own
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 22, 32, "mailto:carol@contoso.com"));
  upaJournalClose(journal);

  // A tear right after a field would parse if merely terminated
  assert_non_null(fp = fopen(path, "a"));
  fputs("1795317399 released " DEV_A " 22 32 ", fp);
  fclose(fp);
  assert_non_null(journal = upaJournalOpen(cfg));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 22, 32, "mailto:carol@contoso.com"));
  upaJournalClose(journal);

  // Garbage in the middle is skipped too
  assert_non_null(fp = fopen(path, "a"));
  fputs("this is not a record\n1795317399 bogus " DEV_A " 23 33 -\n", fp);
  fclose(fp);

  warnings = 0;
  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 2);
  assert_non_null(find(entries, n, DEV_A, 21));
  assert_non_null(find(entries, n, DEV_A, 22));
  assert_null(find(entries, n, DEV_A, 23));
  assert_int_equal(find(entries, n, DEV_A, 22)->step, UPA_JSTEP_FETCHED);
  assert_int_equal(warnings, 4);
  free(entries);
  upaJournalClose(journal);

  free(cfg);
}


//
// 'test_devices()' - Same cloud job-id on two devices: two releases.
//

static void
test_devices(void **state)
{
  upa_config_t		*cfg = new_config("devices");
					// Configuration
  upa_journal_t		*journal;	// Journal
  upa_jentry_t		*entries;	// Pending entries
  const upa_jentry_t	*e;		// One entry
  int			n;		// Number of entries


  (void)state;

  assert_non_null(journal = upaJournalOpen(cfg));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 7, 41, "mailto:alice@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_B, 7, 51, "mailto:bob@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKED, DEV_B, 7, 51, "mailto:bob@contoso.com"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_RELEASED, DEV_A, 8, 42, "mailto:alice@contoso.com"));
  upaJournalClose(journal);

  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 2);
  assert_non_null(e = find(entries, n, DEV_A, 7));
  assert_int_equal(e->step, UPA_JSTEP_CREATED);
  assert_int_equal(e->cups_job_id, 41);
  assert_non_null(e = find(entries, n, DEV_B, 7));
  assert_int_equal(e->step, UPA_JSTEP_ACKED);
  assert_int_equal(e->cups_job_id, 51);
  free(entries);
  upaJournalClose(journal);

  free(cfg);
}


//
// 'test_live()' - A release another process is doing is not "interrupted".
//

static void
test_live(void **state)
{
  upa_config_t	*cfg = new_config("live");
					// Configuration
  upa_journal_t	*station1,		// First release station
		*station2;		// Second release station
  upa_jentry_t	*entries;		// Pending entries
  int		n;			// Number of entries


  (void)state;

  assert_non_null(station1 = upaJournalOpen(cfg));
  assert_non_null(station2 = upaJournalOpen(cfg));

  assert_true(upaJournalRecord(station1, UPA_JSTEP_CREATED, DEV_A, 9, 61, "mailto:alice@contoso.com"));

  // Station 2 starts up and recovers: station 1's release is left alone...
  n = upaJournalPending(station2, &entries);
  assert_int_equal(n, 0);

  // ...and it cannot start the same cloud job twice
  assert_false(upaJournalRecord(station2, UPA_JSTEP_CREATED, DEV_A, 9, 62, "mailto:alice@contoso.com"));
  assert_int_equal(upaLastError(), UPA_ERROR_BUSY);

  // Station 1 dies: now it is station 2's to recover
  upaJournalClose(station1);
  n = upaJournalPending(station2, &entries);
  assert_int_equal(n, 1);
  assert_int_equal(entries[0].cups_job_id, 61);
  free(entries);

  upaJournalClose(station2);
  free(cfg);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_pending),
    cmocka_unit_test(test_torn),
    cmocka_unit_test(test_devices),
    cmocka_unit_test(test_live)
  };
  int	ret;				// Result
  char	command[300];			// Cleanup command


  snprintf(tmpdir, sizeof(tmpdir), "/tmp/testjournal.XXXXXX");
  if (!mkdtemp(tmpdir))
    return (1);

  upaLogSetCallback(log_cb, NULL);
  upaLogSetLevel(UPA_LOG_DEBUG);

  ret = cmocka_run_group_tests(tests, NULL, NULL);

  snprintf(command, sizeof(command), "rm -rf '%s'", tmpdir);
  if (system(command))
    ret = 1;

  return (ret);
}
