//
// Release journal: every step of every release, fsync'd, so any crash is recoverable.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// <StateDir>/journal, one record per line (see journal.h):
//
//   <time> <step> <device-id> <cloud-job-id> <cups-job-id> <user-uri or -> [<job-key>]
//
// Writers append under an exclusive flock() and fsync() before returning;
// readers take a shared flock().  A line without its newline (the process
// died mid-write) or that does not parse is skipped with a warning; the next
// writer ends a torn line with a CAN control character (so even a tear right
// at a field boundary never parses) and starts on a fresh line.
//
// upaJournalCompact() rewrites the journal without the records of old
// finished releases: it writes <StateDir>/journal.compact, fsync()s it and
// renames it over the journal while holding the exclusive lock of the old
// file.  Every lock taken here (journal_lock()) then checks that the name
// still points at the locked file and reopens it when not, so a process
// that opened the journal before a compaction never writes into (or reads)
// the replaced file.  A crash before the rename leaves the old journal
// untouched (the next compaction removes the left-over file); after it, the
// new journal already holds every record recovery needs.
//

#include "upa-private.h"
#include <ctype.h>
#include <fcntl.h>
#include <grp.h>
#include <stddef.h>
#include <sys/file.h>


//
// Constants...
//

#define JOURNAL_BLOCK		65536	// Bytes read at a time from the end
#define JOURNAL_LINE_MAX	2048	// Longer than any record written


//
// Types...
//

typedef struct journal_lock_s		// Lock on one release in flight
{
  char		device_id[128];		// cloud_device_id
  int		cloud_job_id;		// Cloud job-id
  int		fd;			// Locked file
  char		path[1300];		// Lock file
} journal_lock_t;

typedef struct journal_job_s		// Last record of one release (compaction)
{
  char		device_id[128];		// cloud_device_id ("" = free slot)
  int		cloud_job_id;		// Cloud job-id
  upa_jstep_t	step;			// Last step
  time_t	time;			// Time of the last record
  int		index;			// Index in upaJournalPending()'s array
} journal_job_t;

typedef struct journal_jobs_s		// Hash table of releases (compaction)
{
  size_t	count,			// Slots in use
		alloc;			// Slots (a power of 2, or 0)
  journal_job_t	*jobs;			// Slots
} journal_jobs_t;

struct upa_journal_s			// Open journal
{
  const upa_config_t *cfg;		// Configuration (borrowed)
  int		fd;			// File descriptor (O_APPEND)
  bool		readonly;		// Opened by upaJournalOpenReadOnly()?
  char		path[1100];		// Journal file
  char		lockdir[1100];		// Directory of release locks
  int		num_locks;		// Number of locks held
  journal_lock_t *locks;		// Locks held by this process
};


//
// Local functions...
//

static journal_lock_t *find_lock(upa_journal_t *journal, const char *device_id, int cloud_job_id);
static journal_job_t *jobs_find(journal_jobs_t *jobs, const char *device_id, int cloud_job_id, bool add);
static bool	journal_lock(upa_journal_t *journal, int op);
static int	lock_release(upa_journal_t *journal, const char *device_id, int cloud_job_id);
static int	open_file(upa_journal_t *journal);
static int	journal_scan_back(upa_journal_t *journal, off_t size, const char *device_id, int cloud_job_id, upa_jentry_t *entry);
static bool	parse_line(char *line, upa_jentry_t *entry);
static bool	safe_token(const char *s);
static void	unlock_release(upa_journal_t *journal, const char *device_id, int cloud_job_id);


//
// 'upaJournalOpen()' - Open (and create) the journal under cfg->state_dir.
//

upa_journal_t *				// O - Journal or NULL
upaJournalOpen(const upa_config_t *cfg)	// I - Configuration
{
  upa_journal_t	*journal;		// Journal


  if (!cfg || !cfg->state_dir[0])
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalOpen: no StateDir");
    return (NULL);
  }

  if (!upaMakeDirs(cfg->state_dir, 0755))
    return (NULL);

  if ((journal = calloc(1, sizeof(upa_journal_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    return (NULL);
  }

  journal->cfg = cfg;
  snprintf(journal->path, sizeof(journal->path), "%s/journal", cfg->state_dir);
  snprintf(journal->lockdir, sizeof(journal->lockdir), "%s/locks", cfg->state_dir);

  if ((journal->fd = open_file(journal)) < 0)
  {
    free(journal);
    return (NULL);
  }

  return (journal);
}


//
// 'upaJournalClose()' - Close the journal.
//

void
upaJournalClose(upa_journal_t *journal)	// I - Journal or NULL
{
  int	i;				// Looping var


  if (!journal)
    return;

  // Locks of unfinished releases just go: the journal says what to recover
  for (i = 0; i < journal->num_locks; i ++)
    close(journal->locks[i].fd);

  free(journal->locks);
  close(journal->fd);
  free(journal);
}


//
// 'upaJournalCompact()' - Drop the records of releases finished long ago.
//
// A release whose last record is released, canceled or aborted and older
// than max_age seconds loses all its records; every other record is kept in
// order, byte for byte, so recovery (which needs only the unfinished ones)
// and the double-release check of upaReleaseJob() (which needs "released"
// for as long as the cloud could still offer the job) see the same thing
// before and after.  Torn lines are dropped (no reader uses them); complete
// lines this version cannot parse are kept.  Nothing is rewritten when
// nothing is to be dropped.
//

int					// O - Records dropped or -1 on error
upaJournalCompact(upa_journal_t *journal,
					// I - Journal
                  int           max_age)// I - Keep finished releases this many seconds
{
  FILE		*fp = NULL,		// Journal stream
		*out = NULL;		// New journal stream
  int		fd = -1,		// Duplicate descriptor
		tmpfd = -1,		// New journal descriptor
		dirfd;			// State directory
  char		*line = NULL,		// Current line
		*copy = NULL;		// Line to parse
  size_t	linesize = 0,		// Size of line buffer
		copysize = 0,		// Size of copy buffer
		i;			// Looping var
  ssize_t	linelen;		// Length of line
  journal_jobs_t jobs;			// Last record of each release
  journal_job_t	*job;			// One release
  upa_jentry_t	entry;			// Parsed record
  time_t	cutoff;			// Finished before this: drop
  struct stat	info;			// Journal file information
  char		tmppath[1200],		// New journal
		*ptr;			// Pointer into path
  int		droppable = 0,		// Releases to forget
		dropped = 0,		// Records dropped
		result = -1;		// Result
  bool		created = false,	// Did we create the new file?
		renamed = false;	// New journal in place?


  memset(&jobs, 0, sizeof(jobs));

  if (!journal || max_age < 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalCompact: bad arguments");
    return (-1);
  }

  cutoff = time(NULL) - max_age;
  snprintf(tmppath, sizeof(tmppath), "%s.compact", journal->path);

  if (!journal_lock(journal, LOCK_EX))
    return (-1);

  // A compaction that died before its rename left its file: the journal
  // itself is complete, the left-over is not needed
  if (upaFileUnlink(tmppath) == 0)
    upaLog(UPA_LOG_WARN, "Release journal: removed %s left by an interrupted compaction", tmppath);
  else if (errno != ENOENT)
  {
    upaSetError(UPA_ERROR_IO, "Cannot remove %s: %s", tmppath, strerror(errno));
    goto done;
  }

  if ((fd = dup(journal->fd)) < 0 || lseek(fd, 0, SEEK_SET) < 0 || (fp = fdopen(fd, "r")) == NULL)
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    if (fd >= 0)
      close(fd);
    goto done;
  }

  // Pass 1: the last record of every release
  while ((linelen = getline(&line, &linesize, fp)) >= 0)
  {
    if (linelen == 0 || line[linelen - 1] != '\n')
      continue;

    line[linelen - 1] = '\0';
    if (!parse_line(line, &entry))
      continue;

    if ((job = jobs_find(&jobs, entry.device_id, entry.cloud_job_id, true)) == NULL)
      goto done;

    job->step = entry.step;
    job->time = entry.time;
  }

  if (ferror(fp))
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    goto done;
  }

  for (i = 0; i < jobs.alloc; i ++)
    if (jobs.jobs[i].device_id[0] && UPA_JSTEP_FINAL(jobs.jobs[i].step) && jobs.jobs[i].time < cutoff)
      droppable ++;

  if (droppable == 0)
  {
    result = 0;
    goto done;
  }

  // Pass 2: copy what stays into a new file with the journal's owner and mode
  if (fstat(journal->fd, &info))
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    goto done;
  }

  if ((tmpfd = upaFileOpen(tmppath, O_WRONLY | O_CREAT | O_EXCL, 0600, NULL)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Cannot create %s: %s", tmppath, strerror(errno));
    goto done;
  }

  created = true;

  if (fchmod(tmpfd, info.st_mode & 0750) || ((info.st_uid != geteuid() || info.st_gid != getegid()) && fchown(tmpfd, geteuid() == 0 ? info.st_uid : (uid_t)-1, info.st_gid)))
  {
    // Without the journal's group the backend could not read it
    upaSetError(UPA_ERROR_IO, "Cannot give %s the owner and mode of the journal: %s", tmppath, strerror(errno));
    goto done;
  }

  if ((out = fdopen(tmpfd, "w")) == NULL)
  {
    upaSetError(UPA_ERROR_IO, "Cannot write %s: %s", tmppath, strerror(errno));
    goto done;
  }

  tmpfd = -1;				// Closed with out

  if (fseek(fp, 0, SEEK_SET))
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    goto done;
  }

  while ((linelen = getline(&line, &linesize, fp)) >= 0)
  {
    bool keep;				// Copy this line?

    if (linelen == 0 || line[linelen - 1] != '\n')
    {
      dropped ++;			// Torn: no reader uses it
      continue;
    }

    if ((size_t)linelen > copysize)
    {
      char *temp;			// New buffer

      if ((temp = realloc(copy, (size_t)linelen)) == NULL)
      {
        upaSetError(UPA_ERROR_MEMORY, "Out of memory");
        goto done;
      }

      copy     = temp;
      copysize = (size_t)linelen;
    }

    memcpy(copy, line, (size_t)linelen - 1);
    copy[linelen - 1] = '\0';

    if (parse_line(copy, &entry))
    {
      job  = jobs_find(&jobs, entry.device_id, entry.cloud_job_id, false);
      keep = !job || !UPA_JSTEP_FINAL(job->step) || job->time >= cutoff;
    }
    else
    {
      // Torn records end with a control character; anything else may be
      // a record of a newer program: keep it
      memcpy(copy, line, (size_t)linelen - 1);
      for (ptr = copy, keep = true; *ptr; ptr ++)
        if (iscntrl(*ptr & 255))
          keep = false;
    }

    if (!keep)
      dropped ++;
    else if (fwrite(line, 1, (size_t)linelen, out) != (size_t)linelen)
      break;
  }

  if (ferror(fp))
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    goto done;
  }

  if (fflush(out) || ferror(out) || fsync(fileno(out)))
  {
    upaSetError(UPA_ERROR_IO, "Cannot write %s: %s", tmppath, strerror(errno));
    goto done;
  }

  // The switch: other processes notice it the next time they lock
  if (upaFileRename(tmppath, journal->path))
  {
    upaSetError(UPA_ERROR_IO, "Cannot replace the release journal %s: %s", journal->path, strerror(errno));
    goto done;
  }

  renamed = true;

  if ((dirfd = upaFileOpenDirRead(journal->cfg->state_dir)) >= 0)
  {
    if (fsync(dirfd))
      upaLog(UPA_LOG_WARN, "Cannot sync %s: %s", journal->cfg->state_dir, strerror(errno));
    close(dirfd);
  }

  upaLog(UPA_LOG_INFO, "Release journal %s: compacted, %d record(s) of %d release(s) finished over %d day(s) ago dropped", journal->path, dropped, droppable, max_age / 86400);
  result = dropped;

  done:

  if (out)
    fclose(out);
  if (tmpfd >= 0)
    close(tmpfd);
  if (created && !renamed)
    upaFileUnlink(tmppath);
  if (fp)
    fclose(fp);

  free(line);
  free(copy);
  free(jobs.jobs);

  flock(journal->fd, LOCK_UN);

  return (result);
}


//
// 'upaJournalGetConfig()' - Return the configuration of a journal.
//

const upa_config_t *			// O - Configuration (borrowed) or NULL
upaJournalGetConfig(upa_journal_t *journal)
					// I - Journal
{
  return (journal ? journal->cfg : NULL);
}


//
// 'upaJournalRecord()' - Append one record and fsync() it.
//

bool					// O - true once the record is on disk
upaJournalRecord(upa_journal_t *journal,// I - Journal
                 upa_jstep_t   step,	// I - Step reached
                 const char    *device_id,
					// I - cloud_device_id
                 int           cloud_job_id,
					// I - Cloud job-id
                 int           cups_job_id,
					// I - Local CUPS job-id (0 = none)
                 const char    *user_uri,
					// I - mailto:UPN or NULL
                 const char    *job_key)
					// I - CUPS job key or NULL
{
  return (upaJournalAppend(journal, step, device_id, cloud_job_id, cups_job_id, user_uri, job_key, true));
}


//
// 'upaJournalAppend()' - Append one record, with or without fsync().
//
// Without fsync() the record is durable with the next synced record (one
// file: fsync() writes every earlier write of it).  Group commit for the
// steps whose loss recovery treats exactly like the step before: see
// journal.h and doc/design.md.
//

bool					// O - true once written (synced if asked)
upaJournalAppend(upa_journal_t *journal,// I - Journal
                 upa_jstep_t   step,	// I - Step reached
                 const char    *device_id,
					// I - cloud_device_id
                 int           cloud_job_id,
					// I - Cloud job-id
                 int           cups_job_id,
					// I - Local CUPS job-id (0 = none)
                 const char    *user_uri,
					// I - mailto:UPN or NULL
                 const char    *job_key,
					// I - CUPS job key or NULL
                 bool          sync)	// I - fsync() before returning?
{
  char		line[1100];		// Record
  int		len;			// Length of record
  size_t	done = 0;		// Bytes written
  ssize_t	bytes;			// Bytes written by one write()
  struct stat	info;			// File information
  char		last;			// Last byte of the file
  bool		ok = false;		// Result


  if (!journal || journal->readonly || !device_id || !safe_token(device_id) || strlen(device_id) >= sizeof(((upa_jentry_t *)0)->device_id) || cloud_job_id <= 0 || cups_job_id < 0 || (user_uri && *user_uri && !safe_token(user_uri)) || (job_key && *job_key && (!safe_token(job_key) || strlen(job_key) >= sizeof(((upa_jentry_t *)0)->key))) || step < UPA_JSTEP_CREATED || step > UPA_JSTEP_DONE)
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalAppend: bad arguments");
    return (false);
  }

  if (job_key && *job_key)
    len = snprintf(line, sizeof(line), "%lld %s %s %d %d %s %s\n", (long long)time(NULL), upaJournalStepString(step), device_id, cloud_job_id, cups_job_id, (user_uri && *user_uri) ? user_uri : "-", job_key);
  else
    len = snprintf(line, sizeof(line), "%lld %s %s %d %d %s\n", (long long)time(NULL), upaJournalStepString(step), device_id, cloud_job_id, cups_job_id, (user_uri && *user_uri) ? user_uri : "-");
  if (len < 0 || (size_t)len >= sizeof(line))
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalRecord: record too long");
    return (false);
  }

  // A release in flight holds its lock until its final record
  if (step <= UPA_JSTEP_ACKED && !find_lock(journal, device_id, cloud_job_id))
  {
    int status = lock_release(journal, device_id, cloud_job_id);
					// Lock status

    if (status < 0)
      return (false);
    else if (status == 0)
    {
      upaSetError(UPA_ERROR_BUSY, "Cloud job %d is being released by another process", cloud_job_id);
      return (false);
    }
  }

  if (!journal_lock(journal, LOCK_EX))
    return (false);

  // Start on a fresh line after a torn record, ending the torn one with a
  // control character (CAN) so it can never parse as a valid record
  if (!fstat(journal->fd, &info) && info.st_size > 0 && pread(journal->fd, &last, 1, info.st_size - 1) == 1 && last != '\n')
  {
    if (write(journal->fd, "\030\n", 2) != 2)
      goto done;
  }

  while (done < (size_t)len)
  {
    if ((bytes = write(journal->fd, line + done, (size_t)len - done)) < 0)
    {
      if (errno == EINTR)
        continue;
      goto done;
    }

    done += (size_t)bytes;
  }

  if (sync && fsync(journal->fd))
    goto done;

  ok = true;

  done:

  if (!ok)
    upaSetError(UPA_ERROR_IO, "Cannot write the release journal %s: %s", journal->path, strerror(errno));

  flock(journal->fd, LOCK_UN);

  if (ok && step >= UPA_JSTEP_RELEASED)
    unlock_release(journal, device_id, cloud_job_id);

  if (ok)
    upaLog(UPA_LOG_DEBUG, "Journal: %s cloud job %d (CUPS job %d) on %s%s", upaJournalStepString(step), cloud_job_id, cups_job_id, device_id, sync ? "" : " (synced with the next record)");

  return (ok);
}


//
// 'upaJournalPending()' - List the releases a crash interrupted.
//
// For each (device, cloud job), the last record counts; it is pending when
// that step is not final (created, fetched, acking, acked or released) and
// no live process holds the release's lock.  *entries is a malloc'd array
// the caller free()s (NULL when there are none).
//

int					// O - Number of entries or -1
upaJournalPending(upa_journal_t *journal,
					// I - Journal
                  upa_jentry_t  **entries)
					// O - Pending entries
{
  FILE		*fp = NULL;		// Journal stream
  int		fd;			// Duplicate descriptor
  char		*line = NULL;		// Current line
  size_t	linesize = 0;		// Size of line buffer
  ssize_t	linelen;		// Length of line
  int		lineno = 0,		// Line number
		bad = 0;		// Unreadable lines
  upa_jentry_t	*all = NULL,		// Last record per job
		entry;			// Current record
  journal_jobs_t jobs;			// Index of all[] by release
  journal_job_t	*job;			// One release
  int		num_all = 0,		// Number of jobs seen
		alloc_all = 0,		// Allocated entries
		i,			// Looping var
		count = -1;		// Result


  memset(&jobs, 0, sizeof(jobs));

  if (entries)
    *entries = NULL;

  if (!journal || !entries)
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalPending: bad arguments");
    return (-1);
  }

  if (!journal_lock(journal, LOCK_SH))
    return (-1);

  // Read from the start through our own descriptor offset (reads ignore O_APPEND)
  if ((fd = dup(journal->fd)) < 0 || lseek(fd, 0, SEEK_SET) < 0 || (fp = fdopen(fd, "r")) == NULL)
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    if (fd >= 0)
      close(fd);
    goto done;
  }

  while ((linelen = getline(&line, &linesize, fp)) >= 0)
  {
    lineno ++;

    if (linelen == 0 || line[linelen - 1] != '\n')
    {
      // Torn last line: the process died before the record was complete
      upaLog(UPA_LOG_WARN, "Release journal %s: ignoring incomplete line %d (interrupted write)", journal->path, lineno);
      bad ++;
      continue;
    }

    line[linelen - 1] = '\0';
    if (!line[0])
      continue;

    if (!parse_line(line, &entry))
    {
      upaLog(UPA_LOG_WARN, "Release journal %s: ignoring unreadable line %d", journal->path, lineno);
      bad ++;
      continue;
    }

    if ((job = jobs_find(&jobs, entry.device_id, entry.cloud_job_id, true)) == NULL)
      goto done;

    if (job->index > 0)
    {
      // Keep the CUPS job-id and key once known; later records repeat them
      i = job->index - 1;
      if (entry.cups_job_id == 0)
        entry.cups_job_id = all[i].cups_job_id;
      if (!entry.key[0] && entry.cups_job_id == all[i].cups_job_id)
        upaCopyString(entry.key, all[i].key, sizeof(entry.key));
      all[i] = entry;
      continue;
    }

    if (num_all >= alloc_all)
    {
      upa_jentry_t *temp;		// New array
      int	newalloc = alloc_all ? alloc_all * 2 : 64;
					// New size

      if ((temp = realloc(all, (size_t)newalloc * sizeof(upa_jentry_t))) == NULL)
      {
        upaSetError(UPA_ERROR_MEMORY, "Out of memory");
        goto done;
      }

      all       = temp;
      alloc_all = newalloc;
    }

    job->index = num_all + 1;
    all[num_all ++] = entry;
  }

  if (ferror(fp))
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    goto done;
  }

  // Keep only the pending ones, in journal order, that no live process is
  // still working on (its final record needs our shared lock released, so
  // a lock held now means the release is really in flight)
  for (i = 0, count = 0; i < num_all; i ++)
  {
    if (UPA_JSTEP_FINAL(all[i].step))
      continue;

    if (find_lock(journal, all[i].device_id, all[i].cloud_job_id))
      continue;				// Our own release in flight

    switch (lock_release(journal, all[i].device_id, all[i].cloud_job_id))
    {
      case 1 :				// Its process is gone: ours to recover
          all[count ++] = all[i];
          break;
      case 0 :				// Another process is on it
          upaLog(UPA_LOG_DEBUG, "Release journal: cloud job %d is in progress elsewhere", all[i].cloud_job_id);
          break;
      default :				// Cannot tell: better leave it
          upaLog(UPA_LOG_WARN, "Release journal: %s", upaLastErrorString());
          break;
    }
  }

  if (count > 0)
  {
    *entries = all;
    all      = NULL;
  }

  if (bad)
    upaLog(UPA_LOG_DEBUG, "Release journal %s: %d line(s) ignored", journal->path, bad);

  done:

  free(line);
  free(all);
  free(jobs.jobs);
  if (fp)
    fclose(fp);

  flock(journal->fd, LOCK_UN);

  return (count);
}


//
// 'upaJournalOpenReadOnly()' - Open an existing journal for reading only.
//

upa_journal_t *				// O - Journal or NULL
upaJournalOpenReadOnly(
    const upa_config_t *cfg)		// I - Configuration
{
  upa_journal_t	*journal;		// Journal


  if (!cfg || !cfg->state_dir[0])
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalOpenReadOnly: no StateDir");
    return (NULL);
  }

  if ((journal = calloc(1, sizeof(upa_journal_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    return (NULL);
  }

  journal->cfg      = cfg;
  journal->readonly = true;
  snprintf(journal->path, sizeof(journal->path), "%s/journal", cfg->state_dir);
  snprintf(journal->lockdir, sizeof(journal->lockdir), "%s/locks", cfg->state_dir);

  if ((journal->fd = open_file(journal)) < 0)
  {
    free(journal);
    return (NULL);
  }

  return (journal);
}


//
// 'upaJournalFindCupsJob()' - Prove that a CUPS job is the one a release created.
//
// The last record of the release of (device_id, cloud_job_id) must name
// cups_job_id, and its recorded key, when known, must match job_key: a job
// whose options merely claim a cloud link (any user can set them), a reused
// CUPS job id, or a job made after a cupsd crash with the id and job-uuid
// of a lost one (a submitter may choose the job-uuid; cupsd sets
// time-at-creation) never matches.
//

int					// O - 1 = proven, 0 = not, -1 = error
upaJournalFindCupsJob(
    upa_journal_t *journal,		// I - Journal
    const char    *device_id,		// I - cloud_device_id
    int           cloud_job_id,		// I - Cloud job-id
    int           cups_job_id,		// I - CUPS job-id
    const char    *job_key,		// I - The CUPS job's key or NULL
    upa_jentry_t  *entry)		// O - Last record of the release
{
  int	status;				// Lookup status


  if (!device_id || cups_job_id <= 0 || !entry)
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalFindCupsJob: bad arguments");
    return (-1);
  }

  if ((status = upaJournalLast(journal, device_id, cloud_job_id, entry)) <= 0)
    return (status);

  if (entry->cups_job_id != cups_job_id)
    return (0);

  if (!upaCupsJobKeyMatches(entry->key, job_key))
    return (0);

  return (1);
}


//
// 'upaJournalLast()' - Find the last record of one cloud job.
//
// Read from the end (journal_scan_back()): a release's records are recent,
// and reading the whole journal for every job made each release and each
// backend run cost O(journal size).  The result is the same as reading
// forward: a record without a CUPS job-id (0) or job key takes them from
// the record before it, so the scan stops only at a record that has both.
//

int					// O - 1 = found, 0 = none, -1 = error
upaJournalLast(upa_journal_t *journal,	// I - Journal
               const char    *device_id,// I - cloud_device_id or NULL for any
               int           cloud_job_id,
					// I - Cloud job-id
               upa_jentry_t  *entry)	// O - Last record
{
  struct stat	info;			// Journal file
  int		found;			// Result


  if (!journal || cloud_job_id <= 0 || !entry)
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalLast: bad arguments");
    return (-1);
  }

  memset(entry, 0, sizeof(upa_jentry_t));

  if (!journal_lock(journal, LOCK_SH))
    return (-1);

  if (fstat(journal->fd, &info))
  {
    upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, strerror(errno));
    found = -1;
  }
  else
    found = journal_scan_back(journal, info.st_size, device_id, cloud_job_id, entry);

  flock(journal->fd, LOCK_UN);

  return (found);
}


//
// 'upaJournalLock()' - Take the in-flight lock of a release before its first record.
//

int					// O - 1 = locked, 0 = busy, -1 = error
upaJournalLock(upa_journal_t *journal,	// I - Journal
               const char    *device_id,// I - cloud_device_id
               int           cloud_job_id)
					// I - Cloud job-id
{
  int	status;				// Lock status


  if (!journal || !device_id || !safe_token(device_id) || strlen(device_id) >= sizeof(((journal_lock_t *)0)->device_id) || cloud_job_id <= 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaJournalLock: bad arguments");
    return (-1);
  }

  if (find_lock(journal, device_id, cloud_job_id))
    return (1);

  if ((status = lock_release(journal, device_id, cloud_job_id)) == 0)
    upaSetError(UPA_ERROR_BUSY, "Cloud job %d is being released by another process", cloud_job_id);

  return (status);
}


//
// 'upaJournalUnlock()' - Drop a release lock no journal record depends on.
//

void
upaJournalUnlock(upa_journal_t *journal,// I - Journal
                 const char    *device_id,
					// I - cloud_device_id
                 int           cloud_job_id)
					// I - Cloud job-id
{
  if (journal && device_id)
    unlock_release(journal, device_id, cloud_job_id);
}


//
// 'upaJournalStepString()' - Name of a step, as written in the journal.
//

const char *				// O - Step name
upaJournalStepString(upa_jstep_t step)	// I - Step
{
  switch (step)
  {
    case UPA_JSTEP_CREATED :
        return ("created");
    case UPA_JSTEP_FETCHED :
        return ("fetched");
    case UPA_JSTEP_ACKING :
        return ("acking");
    case UPA_JSTEP_ACKED :
        return ("acked");
    case UPA_JSTEP_RELEASED :
        return ("released");
    case UPA_JSTEP_CANCELED :
        return ("canceled");
    case UPA_JSTEP_ABORTED :
        return ("aborted");
    case UPA_JSTEP_DONE :
        return ("done");
  }

  return ("unknown");
}


//
// 'find_lock()' - Find a release lock held through this journal.
//

static journal_lock_t *			// O - Lock or NULL
find_lock(upa_journal_t *journal,	// I - Journal
          const char    *device_id,	// I - cloud_device_id
          int           cloud_job_id)	// I - Cloud job-id
{
  int	i;				// Looping var


  for (i = 0; i < journal->num_locks; i ++)
    if (journal->locks[i].cloud_job_id == cloud_job_id && !strcmp(journal->locks[i].device_id, device_id))
      return (journal->locks + i);

  return (NULL);
}


//
// 'jobs_find()' - Find (or add) a release in the compaction table.
//

static journal_job_t *			// O - Release or NULL
jobs_find(journal_jobs_t *jobs,		// I - Table
          const char     *device_id,	// I - cloud_device_id
          int            cloud_job_id,	// I - Cloud job-id
          bool           add)		// I - Add when missing?
{
  unsigned	hash = 2166136261u;	// FNV-1a hash
  const char	*ptr;			// Pointer into device_id
  size_t	i;			// Slot


  if (add && (jobs->count + 1) * 2 > jobs->alloc)
  {
    // Grow to keep the table at most half full
    journal_jobs_t	bigger;		// New table
    size_t		j;		// Looping var

    bigger.count = 0;
    bigger.alloc = jobs->alloc ? jobs->alloc * 2 : 64;
    if ((bigger.jobs = calloc(bigger.alloc, sizeof(journal_job_t))) == NULL)
    {
      upaSetError(UPA_ERROR_MEMORY, "Out of memory");
      return (NULL);
    }

    for (j = 0; j < jobs->alloc; j ++)
    {
      if (jobs->jobs[j].device_id[0])
        *jobs_find(&bigger, jobs->jobs[j].device_id, jobs->jobs[j].cloud_job_id, true) = jobs->jobs[j];
    }

    free(jobs->jobs);
    *jobs = bigger;
  }

  if (jobs->alloc == 0)
    return (NULL);

  for (ptr = device_id; *ptr; ptr ++)
    hash = (hash ^ (unsigned char)*ptr) * 16777619u;
  hash = (hash ^ (unsigned)cloud_job_id) * 16777619u;

  for (i = hash & (jobs->alloc - 1); jobs->jobs[i].device_id[0]; i = (i + 1) & (jobs->alloc - 1))
  {
    if (jobs->jobs[i].cloud_job_id == cloud_job_id && !strcmp(jobs->jobs[i].device_id, device_id))
      return (jobs->jobs + i);
  }

  if (!add)
    return (NULL);

  upaCopyString(jobs->jobs[i].device_id, device_id, sizeof(jobs->jobs[i].device_id));
  jobs->jobs[i].cloud_job_id = cloud_job_id;
  jobs->count ++;

  return (jobs->jobs + i);
}


//
// 'journal_lock()' - Lock the journal file that is under its name now.
//
// After a compaction renamed a new file over the journal, a descriptor
// opened earlier points at the old file: lock, compare, and reopen.
//

static bool				// O - true when locked
journal_lock(upa_journal_t *journal,	// I - Journal
             int           op)		// I - LOCK_SH or LOCK_EX
{
  struct stat	fdinfo,			// Locked file
		pathinfo;		// File under the name
  int		fd,			// New descriptor
		tries;			// Attempts


  for (tries = 0; tries < 10; tries ++)
  {
    while (flock(journal->fd, op))
    {
      if (errno != EINTR)
      {
        upaSetError(UPA_ERROR_IO, "Cannot lock the release journal %s: %s", journal->path, strerror(errno));
        return (false);
      }
    }

    if (!fstat(journal->fd, &fdinfo) && !lstat(journal->path, &pathinfo) && fdinfo.st_ino == pathinfo.st_ino && fdinfo.st_dev == pathinfo.st_dev)
      return (true);

    flock(journal->fd, LOCK_UN);

    if ((fd = open_file(journal)) < 0)
      return (false);

    close(journal->fd);
    journal->fd = fd;

    upaLog(UPA_LOG_DEBUG, "Release journal %s was replaced (compacted): reopened", journal->path);
  }

  upaSetError(UPA_ERROR_IO, "Cannot lock the release journal %s: it keeps changing", journal->path);

  return (false);
}


//
// 'lock_release()' - Take the lock of one release, without waiting.
//

static int				// O - 1 = locked, 0 = held elsewhere, -1 = error
lock_release(upa_journal_t *journal,	// I - Journal
             const char    *device_id,	// I - cloud_device_id
             int           cloud_job_id)// I - Cloud job-id
{
  journal_lock_t	*lock,		// New lock
			*temp;		// New array
  char			path[1300],	// Lock file
			*ptr;		// Pointer into path
  int			fd;		// Lock file descriptor
  int			stale = 0;	// Stale locks seen


  // Made like every shared folder (the backend account reads our records)
  if (!upaMakeSharedDir(journal->lockdir, journal->cfg->device_group))
    return (-1);

  snprintf(path, sizeof(path), "%s/%s-%d", journal->lockdir, device_id, cloud_job_id);
  for (ptr = path + strlen(journal->lockdir) + 1; *ptr; ptr ++)
    if (*ptr == '/')
      *ptr = '_';

  retry:

  if ((fd = upaFileOpen(path, O_RDWR | O_CREAT, UPA_FILE_SHARED_MODE, journal->cfg->device_group)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Cannot open the release lock %s: %s", path, strerror(errno));
    return (-1);
  }

  upaShareFile(fd, path, journal->cfg->device_group);

  while (flock(fd, LOCK_EX | LOCK_NB))
  {
    if (errno == EINTR)
      continue;

    close(fd);

    if (errno == EWOULDBLOCK)
      return (0);

    upaSetError(UPA_ERROR_IO, "Cannot lock %s: %s", path, strerror(errno));
    return (-1);
  }

  // The owner unlinks the file while still holding it (unlock_release()):
  // a lock on a name that now points elsewhere (or nowhere) is stale, and
  // keeping it would let two processes "hold" the same release
  {
    struct stat	fdinfo,			// Locked file
		pathinfo;		// File under the name now

    if (fstat(fd, &fdinfo) || stat(path, &pathinfo) || fdinfo.st_ino != pathinfo.st_ino || fdinfo.st_dev != pathinfo.st_dev)
    {
      close(fd);

      if (++ stale > 10)
      {
        upaSetError(UPA_ERROR_IO, "Cannot lock %s: it keeps changing", path);
        return (-1);
      }

      goto retry;
    }
  }

  if ((temp = realloc(journal->locks, (size_t)(journal->num_locks + 1) * sizeof(journal_lock_t))) == NULL)
  {
    close(fd);
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    return (-1);
  }

  journal->locks = temp;
  lock           = journal->locks + journal->num_locks ++;

  upaCopyString(lock->device_id, device_id, sizeof(lock->device_id));
  upaCopyString(lock->path, path, sizeof(lock->path));
  lock->cloud_job_id = cloud_job_id;
  lock->fd           = fd;

  return (1);
}


//
// 'unlock_release()' - Drop the lock of a finished release.
//
// The file is removed while still locked: whoever opens the name afterwards
// gets a fresh file, and the final record is already in the journal.
//

static void
unlock_release(upa_journal_t *journal,	// I - Journal
               const char    *device_id,// I - cloud_device_id
               int           cloud_job_id)
					// I - Cloud job-id
{
  journal_lock_t	*lock;		// Lock


  if ((lock = find_lock(journal, device_id, cloud_job_id)) == NULL)
    return;

  upaFileUnlink(lock->path);
  close(lock->fd);

  *lock = journal->locks[journal->num_locks - 1];
  journal->num_locks --;
}


//
// 'open_file()' - Open (and create) the journal file.
//

static int				// O - File descriptor or -1
open_file(upa_journal_t *journal)	// I - Journal
{
  int		fd;			// File descriptor
  bool		created = false;	// Did we create the file?


  if (journal->readonly)
    fd = upaFileOpen(journal->path, O_RDONLY, 0, NULL);
  else if ((fd = upaFileOpen(journal->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL, 0600, NULL)) >= 0)
    created = true;
  else if (errno == EEXIST)
    fd = upaFileOpen(journal->path, O_RDWR | O_APPEND, 0, NULL);

  if (fd < 0)
  {
    char reason[512];			// What upaFileOpen() said

    upaCopyString(reason, upaLastErrorString(), sizeof(reason));
    if (errno == EACCES && !journal->readonly && geteuid() != 0)
      upaSetError(UPA_ERROR_IO, "Cannot open the release journal %s: only root writes it (release as root, or through upa-release-helper(8))", journal->path);
    else
      upaSetError(UPA_ERROR_IO, "Cannot open the release journal: %s", reason);
    return (-1);
  }

  if (!created && !journal->readonly && geteuid() == 0)
  {
    // Root acts on these records (recovery cancels and releases CUPS jobs):
    // nobody else may write them.  An earlier version made it 0660.
    struct stat info;			// Journal information

    if (!fstat(fd, &info) && (info.st_mode & 022) && fchmod(fd, info.st_mode & 0750))
      upaLog(UPA_LOG_WARN, "Cannot take write access to %s from others: %s", journal->path, strerror(errno));
  }

  if (created)
  {
    // 0640 whatever the umask, group DeviceGroup when we may: root writes
    // it, the backend (working as its account) reads it
    struct group *grp;			// DeviceGroup

    if (fchmod(fd, 0640))
      upaLog(UPA_LOG_WARN, "Cannot set the mode of %s: %s", journal->path, strerror(errno));

    if (geteuid() == 0 && journal->cfg->device_group[0] && (grp = getgrnam(journal->cfg->device_group)) != NULL && fchown(fd, (uid_t)-1, grp->gr_gid))
      upaLog(UPA_LOG_WARN, "Cannot give %s to group %s: %s", journal->path, journal->cfg->device_group, strerror(errno));
  }

  return (fd);
}


//
// 'journal_scan_back()' - Find the last record of a release, reading backwards.
//
// Matching records are collected newest first until one names both a CUPS
// job-id and a job key (nothing before it can change the result), then
// folded oldest first exactly as a forward read does.  A last line without
// its newline is a torn record and is skipped, as forward.
//

static int				// O - 1 = found, 0 = none, -1 = error
journal_scan_back(upa_journal_t *journal,// I - Journal (locked)
                  off_t         size,	// I - File size
                  const char    *device_id,
					// I - cloud_device_id or NULL for any
                  int           cloud_job_id,
					// I - Cloud job-id
                  upa_jentry_t  *entry)	// O - Last record
{
  char		*buf;			// Block, then the carried partial line
  size_t	carry = 0;		// Bytes of a partial line kept at buf + JOURNAL_BLOCK
  off_t		pos = size;		// File bytes before pos are not read yet
  bool		at_end = true,		// Is the next line found the file's last?
		stop = false;		// Result complete?
  upa_jentry_t	*recs = NULL;		// Matching records, newest first
  int		num_recs = 0,		// Number of records
		i;			// Looping var


  if ((buf = malloc(2 * JOURNAL_BLOCK)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    return (-1);
  }

  while (!stop && pos > 0)
  {
    size_t	want = pos > JOURNAL_BLOCK ? JOURNAL_BLOCK : (size_t)pos;
					// Bytes to read
    char	*data = buf + JOURNAL_BLOCK - want;
					// Block, followed by the carried bytes
    ptrdiff_t	len = (ptrdiff_t)(want + carry),
					// Bytes in data
		end = len,		// End of the current line (index)
		nl;			// Its newline before it (index, -1 = none)
    ssize_t	bytes;			// Bytes read
    size_t	done = 0;		// Bytes read so far

    while (done < want)
    {
      if ((bytes = pread(journal->fd, data + done, want - done, pos - (off_t)want + (off_t)done)) < 0 && errno == EINTR)
        continue;
      if (bytes <= 0)
      {
        upaSetError(UPA_ERROR_IO, "Cannot read the release journal %s: %s", journal->path, bytes < 0 ? strerror(errno) : "file shrank");
        free(buf);
        free(recs);
        return (-1);
      }
      done += (size_t)bytes;
    }
    pos -= (off_t)want;

    // Lines from the end of data back to its first newline
    while (!stop && end >= 0)
    {
      for (nl = end - 1; nl >= 0 && data[nl] != '\n'; nl --);

      if (nl < 0 && pos > 0)
        break;				// The line starts in an earlier block

      if (at_end)
        at_end = false;			// Text after the last newline: torn
      else if (end - (nl + 1) < JOURNAL_LINE_MAX)
      {
        char		line[JOURNAL_LINE_MAX];
					// Current line
        upa_jentry_t	current;	// Its record

        memcpy(line, data + nl + 1, (size_t)(end - (nl + 1)));
        line[end - (nl + 1)] = '\0';

        if (line[0] && parse_line(line, &current) && current.cloud_job_id == cloud_job_id && (!device_id || !strcmp(current.device_id, device_id)))
        {
          upa_jentry_t *temp;		// Grown array

          if ((temp = realloc(recs, (size_t)(num_recs + 1) * sizeof(upa_jentry_t))) == NULL)
          {
            upaSetError(UPA_ERROR_MEMORY, "Out of memory");
            free(buf);
            free(recs);
            return (-1);
          }
          recs = temp;
          recs[num_recs ++] = current;

          if (current.cups_job_id != 0 && current.key[0])
            stop = true;
        }
      }
      // else: longer than any record written (garbage), skipped

      end = nl;				// -1 at the start of the file
    }

    if (stop || pos == 0)
      break;

    // Keep the partial line (data[0..end)) for the next, earlier block
    if (end >= (ptrdiff_t)JOURNAL_LINE_MAX)
    {
      // Longer than any record: skip back to the newline before it
      at_end = false;
      carry  = 0;
      while (pos > 0)
      {
        char	c;			// Byte

        if (pread(journal->fd, &c, 1, pos - 1) != 1 || c == '\n')
          break;
        pos --;
      }
      continue;
    }

    carry = (size_t)end;
    memmove(buf + JOURNAL_BLOCK, data, carry);
  }

  // Fold oldest first, as a forward read does
  for (i = num_recs - 1; i >= 0; i --)
  {
    upa_jentry_t current = recs[i];	// Current record

    if (current.cups_job_id == 0 && i < num_recs - 1)
      current.cups_job_id = entry->cups_job_id;
    if (!current.key[0] && i < num_recs - 1 && current.cups_job_id == entry->cups_job_id)
      upaCopyString(current.key, entry->key, sizeof(current.key));

    *entry = current;
  }

  free(buf);
  free(recs);

  return (num_recs > 0 ? 1 : 0);
}


//
// 'parse_line()' - Parse one complete record (modified in place).
//

static bool				// O - true if the line is a valid record
parse_line(char         *line,		// I - Line without newline
           upa_jentry_t *entry)		// O - Record
{
  char		*fields[7],		// Fields
		*ptr,			// Pointer into line
		*end;			// End of number
  int		num_fields = 0;		// Number of fields
  long long	when;			// Time
  long		cloud_id,		// Cloud job-id
		cups_id;		// CUPS job-id
  int		step;			// Step


  memset(entry, 0, sizeof(upa_jentry_t));

  // Records never contain control characters (a torn line ends with CAN)
  for (ptr = line; *ptr; ptr ++)
    if (iscntrl(*ptr & 255))
      return (false);

  for (ptr = line; *ptr;)
  {
    while (*ptr == ' ')
      ptr ++;
    if (!*ptr)
      break;

    if (num_fields >= 7)
      return (false);			// Too many fields

    fields[num_fields ++] = ptr;
    while (*ptr && *ptr != ' ')
      ptr ++;
    if (*ptr)
      *ptr++ = '\0';
  }

  if (num_fields != 6 && num_fields != 7)
    return (false);

  when = strtoll(fields[0], &end, 10);
  if (end == fields[0] || *end || when < 0)
    return (false);

  for (step = UPA_JSTEP_CREATED; step <= UPA_JSTEP_DONE; step ++)
    if (!strcmp(fields[1], upaJournalStepString((upa_jstep_t)step)))
      break;
  if (step > UPA_JSTEP_DONE)
    return (false);

  cloud_id = strtol(fields[3], &end, 10);
  if (end == fields[3] || *end || cloud_id <= 0 || cloud_id > 0x7fffffff)
    return (false);

  cups_id = strtol(fields[4], &end, 10);
  if (end == fields[4] || *end || cups_id < 0 || cups_id > 0x7fffffff)
    return (false);

  if (!upaCopyString(entry->device_id, fields[2], sizeof(entry->device_id)))
    return (false);
  if (strcmp(fields[5], "-") && !upaCopyString(entry->user_uri, fields[5], sizeof(entry->user_uri)))
    return (false);
  if (num_fields == 7 && !upaCopyString(entry->key, fields[6], sizeof(entry->key)))
    return (false);

  entry->time         = (time_t)when;
  entry->step         = (upa_jstep_t)step;
  entry->cloud_job_id = (int)cloud_id;
  entry->cups_job_id  = (int)cups_id;

  return (true);
}


//
// 'safe_token()' - Can this string be one journal field?
//

static bool				// O - true if no space/control characters
safe_token(const char *s)		// I - String
{
  if (!*s || strlen(s) > 511)
    return (false);

  for (; *s; s ++)
    if (isspace(*s & 255) || iscntrl(*s & 255))
      return (false);

  return (true);
}
