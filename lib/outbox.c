//
// Durable outbox for job status updates: the queue (see outbox.h for layout
// and rules; delivery is in outboxsend.c).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "outbox-private.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/time.h>


//
// Local functions...
//

static bool	outbox_defer(upa_outbox_t *ob, int fd);
static bool	outbox_sync_kept(upa_outbox_t *ob);
static bool	outbox_write(upa_outbox_t *ob, const char *ddir, json_object *rec);
static bool	outbox_states_add(upa_outbox_t *ob, const char *ddir, int job_id, int state);
static int	outbox_states_get(const char *ddir, int job_id);
static bool	outbox_valid_id(const char *id);


//
// 'upaOutboxAddJobStatus()' - Queue an Update-Job-Status for later delivery.
//

bool					// O - `true` once the record is on disk
upaOutboxAddJobStatus(
    upa_outbox_t          *ob,		// I - Outbox
    const char            *device_id,	// I - Device that reports the job
    const char            *user_uri,	// I - "mailto:UPN" or `NULL`
    int                   job_id,	// I - Cloud job-id
    const upa_jobstatus_t *status)	// I - Status
{
  char		ddir[1300];		// Device folder
  json_object	*rec,			// Record
		*reasons;		// Reasons array
  int		i;			// Looping var
  bool		ret;			// Result


  if (!ob || !device_id || job_id <= 0 || !status || status->state < IPP_JSTATE_PENDING || status->state > IPP_JSTATE_COMPLETED)
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxAddJobStatus: bad arguments.");
    return (false);
  }

  if (!upaOutboxDeviceDir(ob, device_id, true, ddir, sizeof(ddir)))
    return (false);

  if (upaOutboxIsTerminal((int)status->state) && upaOutboxLedgerHas(ddir, job_id))
  {
    upaLog(UPA_LOG_DEBUG, "Outbox: terminal state of job %d was delivered already, not queued again.", job_id);
    return (true);
  }

  rec = json_object_new_object();
  json_object_object_add(rec, "version", json_object_new_int(1));
  json_object_object_add(rec, "device", json_object_new_string(device_id));
  if (user_uri && *user_uri)
    json_object_object_add(rec, "user", json_object_new_string(user_uri));
  json_object_object_add(rec, "job", json_object_new_int(job_id));
  json_object_object_add(rec, "state", json_object_new_int((int)status->state));
  reasons = json_object_new_array();
  for (i = 0; i < 8 && status->reasons[i]; i ++)
  {
    if (status->reasons[i][0])
      json_object_array_add(reasons, json_object_new_string(status->reasons[i]));
  }
  json_object_object_add(rec, "reasons", reasons);
  if (status->message && *status->message)
    json_object_object_add(rec, "message", json_object_new_string(status->message));
  json_object_object_add(rec, "impressions", json_object_new_int(status->impressions));
  json_object_object_add(rec, "queued", json_object_new_int64((int64_t)time(NULL)));

  ret = outbox_write(ob, ddir, rec);
  json_object_put(rec);

  // The record first, then the states ledger: a crash in between leaves a
  // record that upaOutboxJobState() finds too, never a state without one
  if (ret)
    ret = outbox_states_add(ob, ddir, job_id, (int)status->state);

  if (ret)
    upaLog(UPA_LOG_DEBUG, "Outbox: queued %s for job %d of device %s.", ippEnumString("job-state", (int)status->state), job_id, device_id);

  return (ret);
}


//
// 'upaOutboxAddPrinterState()' - Queue the printer's state for later delivery.
//

bool					// O - `true` once the record is on disk
upaOutboxAddPrinterState(
    upa_outbox_t       *ob,		// I - Outbox
    const char         *device_id,	// I - Device
    ipp_pstate_t       state,		// I - printer-state
    int                num_reasons,	// I - Number of reasons
    const char * const *reasons,	// I - printer-state-reasons keywords
    const char         *message)	// I - printer-state-message or `NULL`
{
  char		ddir[1300];		// Device folder
  json_object	*rec,			// Record
		*array;			// Reasons array
  int		i;			// Looping var
  bool		ret;			// Result


  if (!ob || !device_id || state < IPP_PSTATE_IDLE || state > IPP_PSTATE_STOPPED || num_reasons < 0 || (num_reasons > 0 && !reasons))
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxAddPrinterState: bad arguments.");
    return (false);
  }

  if (!upaOutboxDeviceDir(ob, device_id, true, ddir, sizeof(ddir)))
    return (false);

  rec = json_object_new_object();
  json_object_object_add(rec, "version", json_object_new_int(1));
  json_object_object_add(rec, "kind", json_object_new_string(OUTBOX_KIND_PRINTER));
  json_object_object_add(rec, "device", json_object_new_string(device_id));
  json_object_object_add(rec, "printer-state", json_object_new_int((int)state));
  array = json_object_new_array();
  for (i = 0; i < num_reasons; i ++)
  {
    if (reasons[i] && reasons[i][0])
      json_object_array_add(array, json_object_new_string(reasons[i]));
  }
  json_object_object_add(rec, "reasons", array);
  if (message && *message)
    json_object_object_add(rec, "message", json_object_new_string(message));
  json_object_object_add(rec, "queued", json_object_new_int64((int64_t)time(NULL)));

  ret = outbox_write(ob, ddir, rec);
  json_object_put(rec);

  if (ret)
    upaLog(UPA_LOG_DEBUG, "Outbox: queued printer-state %s for device %s.", ippEnumString("printer-state", (int)state), device_id);

  return (ret);
}


//
// 'upaOutboxClose()' - Close the outbox.
//

void
upaOutboxClose(upa_outbox_t *ob)	// I - Outbox
{
  if (ob && ob->num_sync > 0)
    upaOutboxSync(ob);			// Never left undone
  if (ob && ob->close_sessions)
    (ob->close_sessions)(ob);
  free(ob);
}


//
// 'upaOutboxDeferSync()' - Leave the folder and ledger fsync() of new records to upaOutboxSync().
//

void
upaOutboxDeferSync(upa_outbox_t *ob)	// I - Outbox
{
  if (ob)
    ob->defer = true;
}


//
// 'upaOutboxSync()' - Make the records written since upaOutboxDeferSync() durable.
//

bool					// O - `true` when all is durable
upaOutboxSync(upa_outbox_t *ob)		// I - Outbox
{
  bool	ret;				// Result


  if (!ob)
    return (false);

  ret          = outbox_sync_kept(ob);
  ob->defer    = false;

  return (ret);
}


//
// 'outbox_defer()' - Keep a descriptor for upaOutboxSync(), or sync it now.
//
// Takes fd.  When no more can be kept, those kept are synced first, so the
// order written still holds.
//

static bool				// O - `true` when kept or synced
outbox_defer(upa_outbox_t *ob,		// I - Outbox
             int          fd)		// I - File or folder written
{
  bool	ret;				// Result


  if (!ob->defer)
  {
    if (!(ret = !fsync(fd)))
      upaSetError(UPA_ERROR_IO, "Unable to sync the outbox: %s", strerror(errno));
    close(fd);

    return (ret);
  }

  ret = ob->num_sync < OUTBOX_SYNC_MAX || outbox_sync_kept(ob);
  ob->sync_fds[ob->num_sync ++] = fd;

  return (ret);
}


//
// 'outbox_sync_kept()' - fsync() and close the descriptors kept, in the order written.
//
// Each record's folder comes before its ledger line, so what
// outbox_states_add() promises ("never a state without its record") holds
// once this returns.
//

static bool				// O - `true` when all is durable
outbox_sync_kept(upa_outbox_t *ob)	// I - Outbox
{
  int	i;				// Looping var
  bool	ret = true;			// Result


  for (i = 0; i < ob->num_sync; i ++)
  {
    if (fsync(ob->sync_fds[i]) && ret)
    {
      upaSetError(UPA_ERROR_IO, "Unable to sync the outbox: %s", strerror(errno));
      ret = false;
    }
    close(ob->sync_fds[i]);
  }

  ob->num_sync = 0;

  return (ret);
}


//
// 'upaOutboxCount()' - Count the records waiting, for all devices.
//

int					// O - Number of records, -1 on error
upaOutboxCount(upa_outbox_t *ob)	// I - Outbox
{
  return (upaOutboxCountDevice(ob, NULL));
}


//
// 'upaOutboxCountDevice()' - Count the records waiting for one device (or all: NULL).
//

int					// O - Number of records, -1 on error
upaOutboxCountDevice(
    upa_outbox_t *ob,			// I - Outbox
    const char   *device_id)		// I - Device or `NULL` for all
{
  outbox_names_t devices,		// Device folders
		records;		// Records
  char		ddir[1300];		// Device folder
  size_t	i;			// Looping var
  int		count = 0,		// Records
		n;			// Records of one device


  if (!ob)
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxCount: no outbox.");
    return (-1);
  }

  if (device_id)
  {
    if (!upaOutboxDeviceDir(ob, device_id, false, ddir, sizeof(ddir)))
      return (-1);

    if ((n = upaOutboxListNames(ddir, true, &records)) < 0)
      return (access(ddir, F_OK) ? 0 : -1);
    upaOutboxNamesFree(&records);

    return (n);
  }

  if (upaOutboxListNames(ob->dir, false, &devices) < 0)
    return (-1);

  for (i = 0; i < devices.count; i ++)
  {
    snprintf(ddir, sizeof(ddir), "%s/%s", ob->dir, devices.names[i]);
    if ((n = upaOutboxListNames(ddir, true, &records)) > 0)
      count += n;
    upaOutboxNamesFree(&records);
  }

  upaOutboxNamesFree(&devices);

  return (count);
}


//
// 'upaOutboxLockPrinting()' - Wait for and take a device's printing lock.
//

int					// O - Locked descriptor or -1
upaOutboxLockPrinting(
    upa_outbox_t                *ob,	// I - Outbox
    const char                  *device_id,
					// I - Device
    const volatile sig_atomic_t *stop)	// I - Give up when this becomes non-zero, or NULL
{
  char		ddir[1300],		// Device folder
		path[1400];		// Lock file
  int		fd;			// Lock file descriptor
  struct timespec nap = { 0, 1000000 };
					// 1 ms, doubling to 100 ms, between attempts


  if (!ob || !device_id || !upaOutboxDeviceDir(ob, device_id, true, ddir, sizeof(ddir)))
    return (-1);

  snprintf(path, sizeof(path), "%s/.printing", ddir);
  if ((fd = upaFileOpen(path, O_RDWR | O_CREAT | O_CLOEXEC, UPA_FILE_SHARED_MODE, ob->cfg.device_group)) < 0)
    return (-1);

  // Polled, so a SIGTERM (cancel) ends the wait even with SA_RESTART
  while (flock(fd, LOCK_EX | LOCK_NB))
  {
    if ((errno != EWOULDBLOCK && errno != EINTR) || (stop && *stop))
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        upaSetError(UPA_ERROR_IO, "Unable to lock %s: %s", path, strerror(errno));
      else
        upaSetError(UPA_ERROR_CANCELED, "Stopped while waiting for %s", path);
      close(fd);
      return (-1);
    }

    // The lock is most often held by the device's previous job in its last
    // milliseconds: a fixed 100 ms nap made the next job wait that long
    nanosleep(&nap, NULL);
    if (nap.tv_nsec < 100000000)
      nap.tv_nsec = nap.tv_nsec * 2 > 100000000 ? 100000000 : nap.tv_nsec * 2;
  }

  return (fd);
}


//
// 'upaOutboxJobState()' - The state queued for a cloud job.
//

int					// O - Job state, 0 if none
upaOutboxJobState(upa_outbox_t *ob,	// I - Outbox
                  const char   *device_id,
					// I - Device
                  int          job_id)	// I - Cloud job-id
{
  char	ddir[1300];			// Device folder
  int	state;				// State


  if (!ob || !device_id || job_id <= 0 || !upaOutboxDeviceDir(ob, device_id, false, ddir, sizeof(ddir)))
    return (0);

  if ((state = outbox_states_get(ddir, job_id)) == 0 && upaOutboxLedgerHas(ddir, job_id))
    state = IPP_JSTATE_ABORTED;		// Delivered by an older version: some terminal state

  return (state);
}


//
// 'upaOutboxIsDelivered()' - Was the terminal update of a job delivered already?
//

bool					// O - `true` if delivered
upaOutboxIsDelivered(
    upa_outbox_t *ob,			// I - Outbox
    const char   *device_id,		// I - Device
    int          job_id)		// I - Cloud job-id
{
  char	ddir[1300];			// Device folder


  if (!ob || !device_id || !upaOutboxDeviceDir(ob, device_id, false, ddir, sizeof(ddir)))
    return (false);

  return (upaOutboxLedgerHas(ddir, job_id));
}


//
// 'upaOutboxNextAttempt()' - When the next delivery for a device is due.
//

time_t					// O - Time, 0 = now
upaOutboxNextAttempt(
    upa_outbox_t *ob,			// I - Outbox
    const char   *device_id)		// I - Device, or `NULL` for the latest of all devices with records
{
  char		ddir[1300];		// Device folder
  int		attempts;		// Failed attempts
  time_t	next,			// Next attempt
		latest = 0,		// Latest of all devices
		now = time(NULL);	// Current time
  outbox_names_t devices;		// Device folders
  size_t	i;			// Looping var


  if (!ob)
    return (0);

  if (device_id)
  {
    if (!upaOutboxDeviceDir(ob, device_id, false, ddir, sizeof(ddir)))
      return (0);

    upaOutboxBackoffRead(ddir, &attempts, &next);

    return (next > now ? next : 0);
  }

  if (upaOutboxListNames(ob->dir, false, &devices) < 0)
    return (0);

  for (i = 0; i < devices.count; i ++)
  {
    if (upaOutboxCountDevice(ob, devices.names[i]) > 0 && (next = upaOutboxNextAttempt(ob, devices.names[i])) > latest)
      latest = next;
  }

  upaOutboxNamesFree(&devices);

  return (latest);
}


//
// 'upaOutboxOpen()' - Open (and create) <CacheDir>/outbox.
//

upa_outbox_t *				// O - Outbox or `NULL`
upaOutboxOpen(const upa_config_t *cfg)	// I - Configuration (copied)
{
  upa_outbox_t	*ob;			// Outbox


  if (!cfg || !cfg->cache_dir[0])
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxOpen: no CacheDir.");
    return (NULL);
  }

  if ((ob = calloc(1, sizeof(upa_outbox_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Unable to allocate the outbox.");
    return (NULL);
  }

  ob->cfg = *cfg;
  snprintf(ob->dir, sizeof(ob->dir), "%s/outbox", cfg->cache_dir);

  // Shared by backends (lp), upactl and the sync service (root).
  if (!upaMakeSharedDir(ob->dir, cfg->device_group))
  {
    free(ob);
    return (NULL);
  }

  return (ob);
}


//
// 'upaOutboxBackoffRead()' - Read a device's back-off state.
//

void
upaOutboxBackoffRead(const char *ddir,	// I - Device folder
                    int        *attempts,// O - Failed attempts
                    time_t     *next)	// O - Next attempt
{
  char		path[1400];		// backoff file
  json_object	*obj,			// File contents
		*value;			// Member


  *attempts = 0;
  *next     = 0;

  snprintf(path, sizeof(path), "%s/backoff", ddir);
  if (access(path, F_OK) || (obj = upaFileLoadJSON(path)) == NULL)
    return;

  if (json_object_object_get_ex(obj, "attempts", &value))
    *attempts = json_object_get_int(value);
  if (json_object_object_get_ex(obj, "next", &value))
    *next = (time_t)json_object_get_int64(value);

  json_object_put(obj);
}


//
// 'upaOutboxDeviceDir()' - Build (and create) <outbox>/<device-id>.
//

bool					// O - `true` on success
upaOutboxDeviceDir(upa_outbox_t *ob,	// I - Outbox
                  const char   *device_id,
					// I - Device
                  bool         create,	// I - Create it?
                  char         *path,	// O - Folder
                  size_t       pathsize)// I - Size of path
{
  if (!outbox_valid_id(device_id))
  {
    upaSetError(UPA_ERROR_ARGS, "Bad cloud device id \"%s\".", device_id ? device_id : "");
    return (false);
  }

  if ((size_t)snprintf(path, pathsize, "%s/%s", ob->dir, device_id) >= pathsize)
  {
    upaSetError(UPA_ERROR_ARGS, "Outbox path too long.");
    return (false);
  }

  if (create && access(path, F_OK))
  {
    if (!upaMakeSharedDir(path, ob->cfg.device_group))
      return (false);
    upaOutboxSyncDir(ob->dir);
  }

  return (true);
}


//
// 'outbox_write()' - Write one record durably (file and folder).
//

static bool				// O - `true` on success
outbox_write(upa_outbox_t *ob,		// I - Outbox
             const char   *ddir,	// I - Device folder
             json_object  *rec)		// I - Record
{
  char		path[1400];		// Record file
  const char	*text;			// Serialized record
  struct timeval now;			// Current time


  // Names sort in queueing order: microseconds, then our own counter for
  // records queued within the same microsecond.
  gettimeofday(&now, NULL);
  snprintf(path, sizeof(path), "%s/%016lld-%08d-%06u" OUTBOX_EXT, ddir, (long long)now.tv_sec * 1000000LL + now.tv_usec, (int)getpid(), ob->seq ++);

  text = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);

  if (!upaWriteFileAtomicGroup(path, text, strlen(text), UPA_FILE_SHARED_MODE, ob->cfg.device_group))
    return (false);

  if (ob->defer)
  {
    int dfd;				// Folder, synced later

    if ((dfd = upaFileOpenDirRead(ddir)) < 0)
      return (false);

    return (outbox_defer(ob, dfd));
  }

  return (upaOutboxSyncDir(ddir));
}


//
// 'upaOutboxSyncDir()' - Make a rename/unlink in a folder durable.
//

bool					// O - `true` on success
upaOutboxSyncDir(const char *dir)	// I - Folder
{
  int	fd;				// Folder descriptor
  bool	ret;				// Result


  if ((fd = upaFileOpenDirRead(dir)) < 0)
    return (false);

  if (!(ret = !fsync(fd)))
    upaSetError(UPA_ERROR_IO, "Unable to sync %s: %s", dir, strerror(errno));

  close(fd);

  return (ret);
}


//
// 'upaOutboxIsTerminal()' - Is a job state terminal?
//

bool					// O - `true` for canceled, aborted, completed
upaOutboxIsTerminal(int state)		// I - Job state
{
  return (state >= IPP_JSTATE_CANCELED);
}


//
// 'upaOutboxLedgerHas()' - Was the terminal update of a job delivered?
//

bool					// O - `true` if listed
upaOutboxLedgerHas(const char *ddir,	// I - Device folder
                  int        job_id)	// I - Cloud job-id
{
  char		path[1400],		// Ledger
		line[64];		// Line
  FILE		*fp;			// Ledger stream
  bool		found = false;		// Listed?


  snprintf(path, sizeof(path), "%s/delivered", ddir);
  if ((fp = upaFileOpenStream(path)) == NULL)
    return (false);

  while (!found && fgets(line, sizeof(line), fp))
    found = atoi(line) == job_id;

  fclose(fp);

  return (found);
}


//
// 'upaOutboxListNames()' - List records (*.ujs) or device folders, sorted.
//

int					// O - Number of names, -1 on error
upaOutboxListNames(const char     *dir,	// I - Folder
            bool           records,	// I - Records (true) or device folders (false)
            outbox_names_t *names)	// O - Names
{
  DIR		*dp;			// Folder
  int		dfd = -1;		// Its descriptor
  struct dirent	*de;			// Entry
  size_t	len,			// Name length
		extlen = strlen(OUTBOX_EXT);
					// Extension length
  char		**temp;			// New array


  names->names = NULL;
  names->count = 0;

  if ((dfd = upaFileOpenDirRead(dir)) < 0 || (dp = fdopendir(dfd)) == NULL)
  {
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", dir, strerror(errno));
    if (dfd >= 0)
      close(dfd);
    return (-1);
  }

  while ((de = readdir(dp)) != NULL)
  {
    len = strlen(de->d_name);

    if (records ? (len <= extlen || strcmp(de->d_name + len - extlen, OUTBOX_EXT) || de->d_name[0] == '.') : !outbox_valid_id(de->d_name))
      continue;

    if ((temp = realloc(names->names, (names->count + 1) * sizeof(char *))) == NULL || (temp[names->count] = strdup(de->d_name)) == NULL)
    {
      if (temp)
        names->names = temp;
      closedir(dp);
      upaOutboxNamesFree(names);
      upaSetError(UPA_ERROR_MEMORY, "Out of memory listing %s.", dir);
      return (-1);
    }

    names->names = temp;
    names->count ++;
  }

  closedir(dp);

  if (names->count > 1)
  {
    // Insertion sort: outboxes are short, and the order is what matters.
    size_t	i, j;			// Looping vars
    char	*name;			// Name being placed

    for (i = 1; i < names->count; i ++)
    {
      name = names->names[i];
      for (j = i; j > 0 && strcmp(names->names[j - 1], name) > 0; j --)
        names->names[j] = names->names[j - 1];
      names->names[j] = name;
    }
  }

  return ((int)names->count);
}


//
// 'upaOutboxNamesFree()' - Free a name list.
//

void
upaOutboxNamesFree(outbox_names_t *names)// I - Names
{
  size_t	i;			// Looping var


  for (i = 0; i < names->count; i ++)
    free(names->names[i]);
  free(names->names);

  names->names = NULL;
  names->count = 0;
}


//
// 'outbox_states_add()' - Remember the state queued for a job (durably).
//
// "states" keeps one line "<job-id> <state>" per queued update, so the
// backend (a requeued job that printed already) and the release reconciler
// (is the outcome of a released job queued?) can ask after the record itself
// was delivered and removed.  The newer half is kept past OUTBOX_STATES_MAX.
//

static bool				// O - `true` on success
outbox_states_add(upa_outbox_t *ob,	// I - Outbox
                  const char   *ddir,	// I - Device folder
                  int          job_id,	// I - Cloud job-id
                  int          state)	// I - Job state queued
{
  char		path[1400],		// Ledger
		line[64];		// One line


  snprintf(path, sizeof(path), "%s/states", ddir);
  snprintf(line, sizeof(line), "%d %d\n", job_id, state);

  return (upaOutboxAppendLine(ob, path, line, OUTBOX_STATES_MAX));
}


//
// 'upaOutboxAppendLine()' - Append a line to a ledger durably, keeping it short.
//
// One write() of a short line on an O_APPEND file is never interleaved.
// Past max_lines (of about 12 bytes) the newer half is kept; appends racing
// with the rewrite may be lost, which costs at most a needless check later
// (a ledger only ever answers "was this queued/delivered?"), never a status.
//

bool					// O - `true` on success
upaOutboxAppendLine(upa_outbox_t *ob,	// I - Outbox
                    const char   *path,	// I - Ledger
                    const char   *line,	// I - Line with its newline
                    int          max_lines)
					// I - Lines kept at most
{
  int		fd;			// File
  struct stat	info;			// File information
  bool		ret = true;		// Result


  if ((fd = upaFileOpen(path, O_WRONLY | O_APPEND | O_CREAT, UPA_FILE_SHARED_MODE, ob->cfg.device_group)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, strerror(errno));
    return (false);
  }

  upaShareFile(fd, path, ob->cfg.device_group);

  if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
  {
    upaSetError(UPA_ERROR_IO, "Unable to write %s: %s", path, strerror(errno));
    ret = false;
  }
  else if (ob->defer)
  {
    int kept;				// Same file, synced later

    if ((kept = dup(fd)) < 0 || !outbox_defer(ob, kept))
    {
      if (kept < 0)
        upaSetError(UPA_ERROR_IO, "Unable to write %s: %s", path, strerror(errno));
      ret = false;
    }
  }
  else if (fsync(fd))
  {
    upaSetError(UPA_ERROR_IO, "Unable to write %s: %s", path, strerror(errno));
    ret = false;
  }

  if (ret && !fstat(fd, &info) && info.st_size > (off_t)max_lines * 12 && !flock(fd, LOCK_EX | LOCK_NB))
  {
    char	*data,			// Whole ledger
		*keep;			// Start of the part kept
    ssize_t	len;			// Bytes read

    if ((data = malloc((size_t)info.st_size + 1)) != NULL && (len = pread(fd, data, (size_t)info.st_size, 0)) > 0)
    {
      data[len] = '\0';
      if ((keep = strchr(data + len / 2, '\n')) != NULL)
        ret = upaWriteFileAtomicGroup(path, keep + 1, strlen(keep + 1), UPA_FILE_SHARED_MODE, ob->cfg.device_group);
    }
    free(data);
  }

  close(fd);

  return (ret);
}


//
// 'outbox_states_get()' - The last state queued for a job.
//
// A terminal state wins over a later non-terminal one (a status that came
// in after the end changes nothing); 0 when nothing was ever queued.
//

static int				// O - Job state or 0
outbox_states_get(const char *ddir,	// I - Device folder
                  int        job_id)	// I - Cloud job-id
{
  char		path[1400],		// Ledger
		line[64],		// Line
		*ptr;			// Pointer into line
  FILE		*fp;			// Ledger stream
  int		fd,			// File
		state = 0,		// Last state
		lstate;			// State on one line


  snprintf(path, sizeof(path), "%s/states", ddir);
  if ((fd = upaFileOpen(path, O_RDONLY, 0, NULL)) < 0)
    return (0);

  if ((fp = fdopen(fd, "r")) == NULL)
  {
    close(fd);
    return (0);
  }

  while (fgets(line, sizeof(line), fp))
  {
    if (strtol(line, &ptr, 10) != job_id || *ptr != ' ')
      continue;

    lstate = (int)strtol(ptr + 1, NULL, 10);
    if (!upaOutboxIsTerminal(state) || upaOutboxIsTerminal(lstate))
      state = lstate;
  }

  fclose(fp);

  return (state);
}


//
// 'outbox_valid_id()' - Is this a safe cloud device id (folder name)?
//

static bool				// O - `true` if valid
outbox_valid_id(const char *id)		// I - Device id
{
  const char	*ptr;			// Pointer into id


  if (!id || !*id || strlen(id) > 127)
    return (false);

  for (ptr = id; *ptr; ptr ++)
  {
    if (!((*ptr >= '0' && *ptr <= '9') || (*ptr >= 'a' && *ptr <= 'z') || (*ptr >= 'A' && *ptr <= 'Z') || *ptr == '-'))
      return (false);
  }

  return (true);
}
