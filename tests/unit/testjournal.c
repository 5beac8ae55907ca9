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
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>


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
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 1, 11, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 1, 11, "mailto:alice@contoso.com", NULL));
  // Job 2: all the way -> not pending
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 2, 12, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 2, 12, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKED, DEV_A, 2, 12, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_RELEASED, DEV_A, 2, 12, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_DONE, DEV_A, 2, 12, "mailto:alice@contoso.com", NULL));
  // Job 3: acked -> pending at "acked"
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 3, 13, "mailto:bob@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKED, DEV_A, 3, 13, "mailto:bob@contoso.com", NULL));
  // Job 4: canceled -> not pending; job 5: aborted -> not pending
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 4, 14, "mailto:bob@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CANCELED, DEV_A, 4, 14, "mailto:bob@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 5, 15, NULL, NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ABORTED, DEV_A, 5, 15, NULL, NULL));

  // Bad records are refused, not written
  assert_false(upaJournalRecord(journal, UPA_JSTEP_CREATED, "dev with space", 6, 16, NULL, NULL));
  assert_false(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 0, 16, NULL, NULL));

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
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CANCELED, DEV_A, 1, 11, "mailto:alice@contoso.com", NULL));
  upaJournalClose(journal);
  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 1);
  assert_int_equal(entries[0].cloud_job_id, 3);
  free(entries);
  upaJournalClose(journal);

  // The file is 0640: root acts on its records, nobody else writes them
  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  assert_int_equal(stat(path, &info), 0);
  assert_int_equal(info.st_mode & 0777, 0640);

  // A journal an earlier version made 0660 loses its group write bit when
  // root opens it
  if (geteuid() == 0)
  {
    assert_int_equal(chmod(path, 0660), 0);
    assert_non_null(journal = upaJournalOpen(cfg));
    upaJournalClose(journal);
    assert_int_equal(stat(path, &info), 0);
    assert_int_equal(info.st_mode & 0777, 0640);
  }

  free(cfg);
}


//
// 'test_key()' - A CUPS job's key is kept across records and proves the job.
//

static void
test_key(void **state)
{
  upa_config_t		*cfg = new_config("key");
					// Configuration
  upa_journal_t		*journal,	// Journal (writer)
			*reader;	// Journal (read-only, the backend's)
  upa_jentry_t		*entries,	// Pending entries
			last;		// Last record
  int			n,		// Number of entries
			i;		// The entry of cloud job 40
  static const char	*key = "urn:uuid:0f1e2d3c-0000-4000-8000-000000000042@1796560000",
					// CUPS job key (job-uuid@time-at-creation)
			*uuid = "urn:uuid:0f1e2d3c-0000-4000-8000-000000000043";
					// job-uuid alone (a record written before keys)


  (void)state;

  assert_non_null(journal = upaJournalOpen(cfg));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 40, 401, "mailto:alice@contoso.com", key));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 40, 401, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKING, DEV_A, 40, 401, "mailto:alice@contoso.com", NULL));
  assert_false(upaJournalRecord(journal, UPA_JSTEP_ACKED, DEV_A, 40, 401, NULL, "urn:uuid:with space"));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_RELEASED, DEV_A, 41, 411, "mailto:alice@contoso.com", uuid));

  // The backend proves its job by id and key, read-only
  assert_non_null(reader = upaJournalOpenReadOnly(cfg));
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 40, 401, key, &last), 1);
  assert_int_equal(last.step, UPA_JSTEP_ACKING);
  assert_string_equal(last.key, key);
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 40, 401, "urn:uuid:another-job-same-id@1796560000", &last), 0);
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 40, 402, key, &last), 0);
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 41, 401, key, &last), 0);
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_B, 40, 401, key, &last), 0);
  // The lost job's id and job-uuid on a job made after a cupsd crash: the
  // submitter chose the uuid, cupsd set a later time-at-creation
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 40, 401, "urn:uuid:0f1e2d3c-0000-4000-8000-000000000042@1796560007", &last), 0);
  // A job whose key cannot be told proves nothing against a recorded key
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 40, 401, NULL, &last), 0);
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 40, 401, "", &last), 0);
  // A record of the job-uuid alone is matched by the key's uuid part
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 41, 411, "urn:uuid:0f1e2d3c-0000-4000-8000-000000000043@1796560001", &last), 1);
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 41, 411, "urn:uuid:0f1e2d3c-0000-4000-8000-0000000000431@1796560001", &last), 0);
  assert_int_equal(upaJournalFindCupsJob(reader, DEV_A, 41, 411, uuid, &last), 0);
  assert_false(upaJournalRecord(reader, UPA_JSTEP_DONE, DEV_A, 40, 401, NULL, NULL));
  upaJournalClose(reader);

  // A crash in the Acknowledge-Job round trip: "acking" is pending, key kept
  upaJournalClose(journal);
  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 2);
  i = entries[0].cloud_job_id == 40 ? 0 : 1;
  assert_int_equal(entries[i].cloud_job_id, 40);
  assert_int_equal(entries[i].step, UPA_JSTEP_ACKING);
  assert_string_equal(entries[i].key, key);
  assert_string_equal(entries[1 - i].key, uuid);
  free(entries);
  upaJournalClose(journal);

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
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 21, 31, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 21, 31, "mailto:alice@contoso.com", NULL));
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
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 22, 32, "mailto:carol@contoso.com", NULL));
  upaJournalClose(journal);

  // A tear right after a field would parse if merely terminated
  assert_non_null(fp = fopen(path, "a"));
  fputs("1795317399 released " DEV_A " 22 32 ", fp);
  fclose(fp);
  assert_non_null(journal = upaJournalOpen(cfg));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 22, 32, "mailto:carol@contoso.com", NULL));
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
// 'test_last_large()' - upaJournalLast() reads backwards across blocks.
//
// The last record of a release is found from the end of a journal of
// several 64 KiB blocks, with the CUPS job-id and uuid of earlier records
// carried over as a forward read does, a torn tail, and overlong garbage
// lines (one longer than a block) skipped.
//

static void
test_last_large(void **state)
{
  upa_config_t	*cfg = new_config("large");
					// Configuration
  upa_journal_t	*journal;		// Journal
  upa_jentry_t	last;			// Last record
  char		path[1200],		// Journal file
		*garbage;		// Overlong line
  FILE		*fp;			// Journal stream
  int		i;			// Looping var
  static const char *uuid = "urn:uuid:0f1e2d3c-0000-4000-8000-000000000077@1796560077";
					// CUPS job key


  (void)state;

  assert_non_null(journal = upaJournalOpen(cfg));
  // The very first line of the file
  assert_true(upaJournalAppend(journal, UPA_JSTEP_DONE, DEV_A, 5, 50, "mailto:first@contoso.com", NULL, false));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 7, 70, "mailto:alice@contoso.com", uuid));
  for (i = 0; i < 1500; i ++)
    assert_true(upaJournalAppend(journal, UPA_JSTEP_DONE, DEV_A, 1000 + i, 2000 + i, "mailto:filler@contoso.com", NULL, false));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_FETCHED, DEV_A, 7, 0, "mailto:alice@contoso.com", NULL));
  upaJournalClose(journal);

  // Garbage: one line longer than a record, one longer than a block
  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  assert_non_null(garbage = malloc(70001));
  memset(garbage, 'x', 70000);
  garbage[70000] = '\0';
  assert_non_null(fp = fopen(path, "a"));
  fprintf(fp, "%.3000s\n%s\n", garbage, garbage);
  fclose(fp);
  free(garbage);

  assert_non_null(journal = upaJournalOpen(cfg));
  for (i = 0; i < 1500; i ++)
    assert_true(upaJournalAppend(journal, UPA_JSTEP_DONE, DEV_B, 7, 3000 + i, NULL, NULL, false));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKING, DEV_A, 7, 70, "mailto:alice@contoso.com", NULL));
  upaJournalClose(journal);

  // The crash: half a record of job 7 without its newline
  assert_non_null(fp = fopen(path, "a"));
  fputs("1795317399 acked " DEV_A " 7 70 mailto:alice@contoso.com", fp);
  fclose(fp);

  assert_non_null(journal = upaJournalOpenReadOnly(cfg));
  assert_int_equal(upaJournalLast(journal, DEV_A, 7, &last), 1);
  assert_int_equal(last.step, UPA_JSTEP_ACKING);
  assert_int_equal(last.cups_job_id, 70);
  assert_string_equal(last.key, uuid);
  assert_string_equal(last.user_uri, "mailto:alice@contoso.com");
  assert_int_equal(upaJournalFindCupsJob(journal, DEV_A, 7, 70, uuid, &last), 1);
  assert_int_equal(upaJournalLast(journal, DEV_A, 5, &last), 1);
  assert_int_equal(last.cups_job_id, 50);
  assert_int_equal(upaJournalLast(journal, DEV_B, 7, &last), 1);
  assert_int_equal(last.cups_job_id, 3000 + 1499);
  assert_int_equal(upaJournalLast(journal, NULL, 1000, &last), 1);
  assert_int_equal(last.cups_job_id, 2000);
  assert_int_equal(upaJournalLast(journal, DEV_A, 6, &last), 0);
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
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 7, 41, "mailto:alice@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_B, 7, 51, "mailto:bob@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_ACKED, DEV_B, 7, 51, "mailto:bob@contoso.com", NULL));
  assert_true(upaJournalRecord(journal, UPA_JSTEP_RELEASED, DEV_A, 8, 42, "mailto:alice@contoso.com", NULL));
  upaJournalClose(journal);

  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 3);
  assert_non_null(e = find(entries, n, DEV_A, 7));
  assert_int_equal(e->step, UPA_JSTEP_CREATED);
  assert_int_equal(e->cups_job_id, 41);
  assert_non_null(e = find(entries, n, DEV_B, 7));
  assert_int_equal(e->step, UPA_JSTEP_ACKED);
  assert_int_equal(e->cups_job_id, 51);
  // "released" stays open until its outcome is queued (the reconciler's)
  assert_non_null(e = find(entries, n, DEV_A, 8));
  assert_int_equal(e->step, UPA_JSTEP_RELEASED);
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

  assert_true(upaJournalRecord(station1, UPA_JSTEP_CREATED, DEV_A, 9, 61, "mailto:alice@contoso.com", NULL));

  // Station 2 starts up and recovers: station 1's release is left alone...
  n = upaJournalPending(station2, &entries);
  assert_int_equal(n, 0);

  // ...and it cannot start the same cloud job twice
  assert_false(upaJournalRecord(station2, UPA_JSTEP_CREATED, DEV_A, 9, 62, "mailto:alice@contoso.com", NULL));
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
// 'test_shared_modes()' - Release locks are usable by the whole DeviceGroup.
//
// Stations run as root or as DeviceGroup members; the first one creates the
// lock folder, whatever its umask, and every other one must create locks in
// it (a 0750 folder made by root locked the members out).
//

static void
test_shared_modes(void **state)
{
  upa_config_t	*cfg = new_config("modes");
					// Configuration
  upa_journal_t	*journal;		// Journal
  char		path[1300];		// Lock folder or file
  struct stat	info;			// File information
  mode_t	old_umask = umask(022);	// Typical umask


  (void)state;

  assert_non_null(journal = upaJournalOpen(cfg));
  assert_int_equal(upaJournalLock(journal, DEV_A, 77), 1);

  snprintf(path, sizeof(path), "%s/locks", cfg->state_dir);
  assert_int_equal(stat(path, &info), 0);
  assert_int_equal(info.st_mode & 07777, 03770);

  snprintf(path, sizeof(path), "%s/locks/%s-77", cfg->state_dir, DEV_A);
  assert_int_equal(stat(path, &info), 0);
  assert_int_equal(info.st_mode & 0777, 0640);

  upaJournalUnlock(journal, DEV_A, 77);
  upaJournalClose(journal);
  umask(old_umask);
  free(cfg);
}


//
// 'write_lines()' - Append raw lines to a journal file (records "days" old).
//

static void
write_lines(const char *path,		// I - Journal file
            const char *text)		// I - Lines
{
  FILE	*fp;				// File


  assert_non_null(fp = fopen(path, "a"));
  fputs(text, fp);
  assert_int_equal(fclose(fp), 0);
}


//
// 'count_lines()' - Count lines of a file that contain a string.
//

static int				// O - Number of lines
count_lines(const char *path,		// I - File
            const char *text)		// I - String ("" = every line)
{
  FILE	*fp;				// File
  char	line[2048];			// Line
  int	count = 0;			// Result


  assert_non_null(fp = fopen(path, "r"));
  while (fgets(line, sizeof(line), fp))
    if (strstr(line, text))
      count ++;
  fclose(fp);

  return (count);
}


//
// 'mixed_text()' - Old finished, old unfinished and recent records.
//
// Pending afterwards: DEV_A 4 (fetched, CUPS 14), DEV_A 5 (acked, CUPS 15),
// DEV_A 7 (acked, CUPS 17).  Droppable: 8 records of DEV_A 1-3, a line
// ended with CAN (torn, then written after) and, with torn_end, a last line
// without its newline.
//

static void
mixed_text(char   *text,		// O - Lines
           size_t textsize,		// I - Size of text
           bool   torn_end)		// I - End with a torn record?
{
  long long	old = (long long)time(NULL) - 40 * 86400,
					// 40 days ago
		now = (long long)time(NULL) - 60;
					// A minute ago


  snprintf(text, textsize,
           "%lld created " DEV_A " 1 11 mailto:alice@contoso.com\n"
           "%lld fetched " DEV_A " 1 11 mailto:alice@contoso.com\n"
           "%lld acked " DEV_A " 1 11 mailto:alice@contoso.com\n"
           "%lld created " DEV_A " 4 14 mailto:bob@contoso.com\n"
           "%lld done " DEV_A " 1 11 mailto:alice@contoso.com\n"
           "%lld created " DEV_A " 2 12 -\n"
           "%lld canceled " DEV_A " 2 12 -\n"
           "%lld crea\030\n"
           "%lld fetched " DEV_A " 4 14 mailto:bob@contoso.com\n"
           "%lld created " DEV_A " 3 13 -\n"
           "%lld aborted " DEV_A " 3 13 -\n"
           "%lld created " DEV_A " 5 15 -\n"
           "%lld acked " DEV_A " 5 0 -\n"
           "%lld created " DEV_A " 7 16 -\n"
           "%lld canceled " DEV_A " 7 16 -\n"
           "%lld created " DEV_A " 7 17 -\n"
           "%lld acked " DEV_A " 7 17 -\n"
           "%lld done " DEV_B " 1 21 -\n"
           "%lld created " DEV_A " 6 18 -\n"
           "%lld done " DEV_A " 6 18 -\n"
           "%lld future-step " DEV_A " 9 19 -\n"
           "%s",
           old, old, old, old, old, old, old, old, old, old, old, old, old, old, old, now, now, now, now, now, old, torn_end ? "1 create" : "");
}


//
// 'mixed_journal()' - Append mixed_text() to a journal file.
//

static void
mixed_journal(const char *path)		// I - Journal file
{
  char	text[4096];			// Lines


  mixed_text(text, sizeof(text), true);
  write_lines(path, text);
}


//
// 'check_pending_with()' - Pending releases of mixed_journal(), from a fresh handle.
//

static void
check_pending_with(upa_config_t *cfg,	// I - Configuration
                   bool         with_last)
					// I - Check recent finished releases too?
{
  upa_journal_t		*journal;	// Journal
  upa_jentry_t		*entries = NULL;// Pending entries
  const upa_jentry_t	*e;		// One entry
  upa_jentry_t		last;		// Last record
  int			n;		// Number of entries


  assert_non_null(journal = upaJournalOpen(cfg));
  n = upaJournalPending(journal, &entries);
  assert_int_equal(n, 3);
  assert_non_null(e = find(entries, n, DEV_A, 4));
  assert_int_equal(e->step, UPA_JSTEP_FETCHED);
  assert_int_equal(e->cups_job_id, 14);
  assert_string_equal(e->user_uri, "mailto:bob@contoso.com");
  assert_non_null(e = find(entries, n, DEV_A, 5));
  assert_int_equal(e->step, UPA_JSTEP_ACKED);
  assert_int_equal(e->cups_job_id, 15);
  assert_non_null(e = find(entries, n, DEV_A, 7));
  assert_int_equal(e->step, UPA_JSTEP_ACKED);
  assert_int_equal(e->cups_job_id, 17);
  free(entries);

  if (!with_last)
  {
    upaJournalClose(journal);
    return;
  }

  // Recent finished releases keep guarding against a second release
  assert_int_equal(upaJournalLast(journal, DEV_A, 6, &last), 1);
  assert_int_equal(last.step, UPA_JSTEP_DONE);
  assert_int_equal(upaJournalLast(journal, DEV_B, 1, &last), 1);
  assert_int_equal(last.step, UPA_JSTEP_DONE);
  assert_int_equal(last.cups_job_id, 21);

  upaJournalClose(journal);
}


//
// 'check_pending()' - Pending and recent finished releases of mixed_journal().
//

static void
check_pending(upa_config_t *cfg)	// I - Configuration
{
  check_pending_with(cfg, true);
}


//
// 'check_pending_only()' - Pending releases of mixed_journal() only.
//

static void
check_pending_only(upa_config_t *cfg)	// I - Configuration
{
  check_pending_with(cfg, false);
}


//
// 'test_compact()' - Old finished releases go, everything else stays.
//

static void
test_compact(void **state)
{
  upa_config_t	*cfg = new_config("compact");
					// Configuration
  upa_journal_t	*journal;		// Journal
  upa_jentry_t	last;			// Last record
  char		path[1200];		// Journal file
  struct stat	before,			// File before
		after;			// File after


  (void)state;

  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  assert_non_null(journal = upaJournalOpen(cfg));
  mixed_journal(path);
  check_pending(cfg);
  assert_int_equal(stat(path, &before), 0);

  assert_int_equal(upaJournalCompact(journal, -1), -1);
  assert_int_equal(upaJournalCompact(journal, UPA_JOURNAL_KEEP), 10);

  assert_int_equal(stat(path, &after), 0);
  assert_true(before.st_ino != after.st_ino);
  assert_int_equal(after.st_mode & 07777, 0640);
  assert_int_equal(count_lines(path, ""), 12);
  assert_int_equal(count_lines(path, DEV_A " 1 "), 0);
  assert_int_equal(count_lines(path, DEV_A " 2 "), 0);
  assert_int_equal(count_lines(path, DEV_A " 3 "), 0);
  assert_int_equal(count_lines(path, DEV_A " 4 "), 2);
  assert_int_equal(count_lines(path, DEV_A " 7 "), 4);
  assert_int_equal(count_lines(path, "future-step"), 1);
  assert_int_equal(count_lines(path, "\030"), 0);
  check_pending(cfg);

  // The same handle goes on working on the new file
  assert_int_equal(upaJournalLast(journal, DEV_A, 1, &last), 0);
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CREATED, DEV_A, 30, 40, NULL, NULL));
  assert_int_equal(count_lines(path, DEV_A " 30 40"), 1);

  // Nothing more to drop: not rewritten
  assert_int_equal(upaJournalCompact(journal, UPA_JOURNAL_KEEP), 0);
  assert_int_equal(stat(path, &before), 0);
  assert_true(before.st_ino == after.st_ino);

  // max_age 0: every release finished before this second goes (the one
  // canceled just now stays), unfinished ones stay
  assert_true(upaJournalRecord(journal, UPA_JSTEP_CANCELED, DEV_A, 30, 40, NULL, NULL));
  assert_int_equal(upaJournalCompact(journal, 0), 3);
  assert_int_equal(count_lines(path, "released"), 0);
  assert_int_equal(count_lines(path, DEV_A " 7 "), 4);
  assert_int_equal(count_lines(path, DEV_A " 30 "), 2);
  check_pending_only(cfg);

  upaJournalClose(journal);
  free(cfg);
}


//
// 'test_compact_leftover()' - A compaction that died leaves a file behind.
//

static void
test_compact_leftover(void **state)
{
  upa_config_t	*cfg = new_config("leftover");
					// Configuration
  upa_journal_t	*journal;		// Journal
  char		path[1200],		// Journal file
		tmppath[1300],		// Left-over
		victim[1300];		// File a symlink points at
  struct stat	info;			// File information


  (void)state;

  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  snprintf(tmppath, sizeof(tmppath), "%s/journal.compact", cfg->state_dir);
  snprintf(victim, sizeof(victim), "%s/leftover/victim", tmpdir);

  assert_non_null(journal = upaJournalOpen(cfg));
  mixed_journal(path);

  // Died mid-write: half a new journal beside the complete old one
  write_lines(tmppath, "1 created " DEV_A " 4 14 -\n1 relea");
  check_pending(cfg);

  assert_int_equal(upaJournalCompact(journal, UPA_JOURNAL_KEEP), 10);
  assert_int_equal(access(tmppath, F_OK), -1);
  check_pending(cfg);

  // A left-over that is a symbolic link is removed, never written through
  write_lines(victim, "keep me\n");
  assert_int_equal(symlink(victim, tmppath), 0);
  write_lines(path, "1 created " DEV_A " 50 0 -\n1 canceled " DEV_A " 50 0 -\n");
  assert_int_equal(upaJournalCompact(journal, UPA_JOURNAL_KEEP), 2);
  assert_int_equal(lstat(tmppath, &info), -1);
  assert_int_equal(count_lines(victim, ""), 1);
  assert_int_equal(count_lines(victim, "keep me"), 1);
  check_pending(cfg);

  upaJournalClose(journal);
  free(cfg);
}


//
// 'test_compact_kill()' - SIGKILL at any moment of a compaction loses nothing.
//

static void
test_compact_kill(void **state)
{
  upa_config_t	*cfg = new_config("kill");
					// Configuration
  upa_journal_t	*journal;		// Journal
  char		path[1200],		// Journal file
		tmppath[1300],		// Compaction file
		text[4096];		// Records around the old ones
  FILE		*fp;			// Journal stream
  int		i,			// Looping var
		round,			// Kill round
		leftovers = 0,		// Kills that left the new file
		finished = 0;		// Compactions that completed
  long long	old = (long long)time(NULL) - 40 * 86400;
					// 40 days ago
  struct timespec start,		// Calibration start
		end;			// Calibration end
  long		usecs = 0;		// Duration of one compaction
  pid_t		pid;			// Child


  (void)state;

  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  snprintf(tmppath, sizeof(tmppath), "%s/journal.compact", cfg->state_dir);
  assert_non_null(journal = upaJournalOpen(cfg));
  upaJournalClose(journal);

  for (round = -1; round < 24; round ++)
  {
    // A big journal: 12000 old finished records around the pending ones
    unlink(path);
    assert_non_null(fp = fopen(path, "w"));
    for (i = 100; i < 3100; i ++)
    {
      fprintf(fp, "%lld created " DEV_B " %d %d -\n%lld fetched " DEV_B " %d %d -\n%lld acked " DEV_B " %d %d -\n%lld done " DEV_B " %d %d -\n", old, i, i, old, i, i, old, i, i, old, i, i);
      if (i == 1000)
      {
        mixed_text(text, sizeof(text), false);
        fputs(text, fp);
      }
    }
    assert_int_equal(fclose(fp), 0);
    chmod(path, 0660);

    if (round < 0)
    {
      // Calibrate: how long does one compaction take here?
      assert_non_null(journal = upaJournalOpen(cfg));
      clock_gettime(CLOCK_MONOTONIC, &start);
      assert_true(upaJournalCompact(journal, UPA_JOURNAL_KEEP) > 12000);
      clock_gettime(CLOCK_MONOTONIC, &end);
      upaJournalClose(journal);
      usecs = (end.tv_sec - start.tv_sec) * 1000000 + (end.tv_nsec - start.tv_nsec) / 1000;
      check_pending(cfg);
      continue;
    }

    if ((pid = fork()) == 0)
    {
      upa_journal_t *child;		// Child's journal
      int	rc;			// Exit status

      if ((child = upaJournalOpen(cfg)) == NULL)
        _exit(1);
      rc = upaJournalCompact(child, UPA_JOURNAL_KEEP) > 0 ? 0 : 2;
      upaJournalClose(child);		// (valgrind checks the child's leaks too)
      free(cfg);
      _exit(rc);
    }

    assert_true(pid > 0);
    usleep((useconds_t)(usecs * round / 16));
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &i, 0), pid);
    if (WIFEXITED(i))
    {
      assert_int_equal(WEXITSTATUS(i), 0);
      finished ++;
    }

    if (access(tmppath, F_OK) == 0)
      leftovers ++;

    // Whatever the moment: the same releases are pending
    check_pending(cfg);
  }

  print_message("compaction took %ld us; %d of 24 killed children finished, %d left the new file behind\n", usecs, finished, leftovers);

  assert_non_null(journal = upaJournalOpen(cfg));
  assert_true(upaJournalCompact(journal, UPA_JOURNAL_KEEP) >= 0);
  assert_int_equal(access(tmppath, F_OK), -1);
  assert_int_equal(count_lines(path, DEV_B), 1);
  upaJournalClose(journal);
  check_pending(cfg);
  free(cfg);
}


//
// 'test_compact_stale_handle()' - A handle opened before a compaction writes into the new file.
//

static void
test_compact_stale_handle(void **state)
{
  upa_config_t	*cfg = new_config("stale");
					// Configuration
  upa_journal_t	*station1,		// Opened before
		*station2;		// Compacts
  upa_jentry_t	last;			// Last record
  char		path[1200];		// Journal file


  (void)state;

  snprintf(path, sizeof(path), "%s/journal", cfg->state_dir);
  assert_non_null(station1 = upaJournalOpen(cfg));
  mixed_journal(path);
  assert_non_null(station2 = upaJournalOpen(cfg));
  assert_int_equal(upaJournalCompact(station2, UPA_JOURNAL_KEEP), 10);

  // station1's descriptor is the replaced file: the record must not go there
  assert_true(upaJournalRecord(station1, UPA_JSTEP_CREATED, DEV_A, 60, 70, "mailto:alice@contoso.com", NULL));
  assert_int_equal(count_lines(path, DEV_A " 60 70"), 1);
  assert_int_equal(upaJournalLast(station2, DEV_A, 60, &last), 1);
  assert_int_equal(last.step, UPA_JSTEP_CREATED);
  assert_int_equal(upaJournalLast(station1, DEV_A, 1, &last), 0);

  upaJournalClose(station1);
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
    cmocka_unit_test(test_key),
    cmocka_unit_test(test_last_large),
    cmocka_unit_test(test_live),
    cmocka_unit_test(test_shared_modes),
    cmocka_unit_test(test_compact),
    cmocka_unit_test(test_compact_leftover),
    cmocka_unit_test(test_compact_kill),
    cmocka_unit_test(test_compact_stale_handle)
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
