//
// The sync service's hold on outbox delivery: presence lock and wake-ups.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The sync service ("upactl sync --watch") delivers the outbox over kept
// sessions and is woken by inotify as soon as a record lands; a backend
// that sees the service there leaves delivery to it instead of forking a
// flusher (and opening a TLS connection) for every job state.
//
// Presence: the service holds an exclusive flock() on
// <CacheDir>/outbox/.service for its lifetime; upaOutboxServiceRunning()
// tries a shared lock without waiting.  The kernel drops the lock when the
// service dies, so a crashed service is never taken for a running one.
//
// No wake-up is lost: the service sets up its watches *before* it takes the
// lock and delivers everything once after taking it, and a backend asks for
// the lock only *after* its record is durable.  So a record is either older
// than the first delivery, or its rename (IN_MOVED_TO of "*.ujs") is queued
// on the service's inotify descriptor, or the backend found no service and
// forked its own flusher.  An overflowing inotify queue (IN_Q_OVERFLOW)
// counts as "everything changed".  A record the service could not deliver
// now (cloud away) waits for its periodic pass, as with the flusher.
//

#include "upa-private.h"
#include "outbox.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>


//
// Constants...
//

#define WATCH_DEVICES_MAX	256	// Device folders watched
#define WATCH_MASK_DIR		(IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR | IN_DONT_FOLLOW)
#define WATCH_MASK_TOP		(IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW)


//
// Types...
//

struct upa_outbox_watch_s		// inotify watches on the outbox
{
  int		fd;			// inotify descriptor
  char		dir[1100];		// <CacheDir>/outbox
  int		top;			// Watch of the outbox folder
  int		num_devices;		// Device folders watched
  int		wds[WATCH_DEVICES_MAX];	// Their watch descriptors
  char		ids[WATCH_DEVICES_MAX][128];
					// Their device ids
};


//
// Local functions...
//

static void	watch_add_device(upa_outbox_watch_t *w, const char *name);
static bool	watch_is_device(const char *name);


//
// 'upaOutboxServiceClaim()' - Tell backends that the service delivers (hold the lock).
//
// Returns a descriptor to keep open for the lifetime of the service, or -1
// (UPA_ERROR_BUSY: another service holds it; the caller runs on without).
//

int					// O - Lock descriptor or -1
upaOutboxServiceClaim(const upa_config_t *cfg)
					// I - Configuration
{
  char	path[1200];			// Lock file
  int	fd,				// Lock file
	tries;				// Attempts


  if (!cfg || !cfg->cache_dir[0])
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxServiceClaim: no CacheDir.");
    return (-1);
  }

  snprintf(path, sizeof(path), "%s/outbox/.service", cfg->cache_dir);
  if ((fd = upaFileOpen(path, O_RDWR | O_CREAT, 0640, cfg->device_group)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, strerror(errno));
    return (-1);
  }

  // A backend testing for the service holds a shared lock for an instant
  for (tries = 0; flock(fd, LOCK_EX | LOCK_NB); tries ++)
  {
    struct timespec nap = { 0, 20000000 };
					// 20 ms

    if (errno != EWOULDBLOCK || tries >= 50)
    {
      upaSetError(errno == EWOULDBLOCK ? UPA_ERROR_BUSY : UPA_ERROR_IO, "Unable to lock %s: %s", path, errno == EWOULDBLOCK ? "another sync service holds it" : strerror(errno));
      close(fd);
      return (-1);
    }
    nanosleep(&nap, NULL);
  }

  return (fd);
}


//
// 'upaOutboxServiceRunning()' - Does a sync service deliver the outbox now?
//
// false when unsure (no lock file, cannot open it): the caller then
// delivers itself, which is always safe.
//

bool					// O - true if a service holds the lock
upaOutboxServiceRunning(const upa_config_t *cfg)
					// I - Configuration
{
  char	path[1200];			// Lock file
  int	fd;				// Lock file
  bool	running;			// Result


  if (!cfg || !cfg->cache_dir[0])
    return (false);

  snprintf(path, sizeof(path), "%s/outbox/.service", cfg->cache_dir);
  if ((fd = upaFileOpen(path, O_RDONLY, 0, NULL)) < 0)
    return (false);

  running = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
  close(fd);				// Drops our shared lock, if we got it

  return (running);
}


//
// 'upaOutboxWatchOpen()' - Watch the outbox for new records (inotify).
//
// The caller polls upaOutboxWatchGetFD() and calls upaOutboxWatchRead().
// Set up before upaOutboxServiceClaim() (see the top of this file).
//

upa_outbox_watch_t *			// O - Watch or NULL
upaOutboxWatchOpen(const upa_config_t *cfg)
					// I - Configuration
{
  upa_outbox_watch_t	*w;		// Watch
  DIR			*dir;		// Outbox folder
  struct dirent		*ent;		// Entry


  if (!cfg || !cfg->cache_dir[0])
  {
    upaSetError(UPA_ERROR_ARGS, "upaOutboxWatchOpen: no CacheDir.");
    return (NULL);
  }

  if ((w = calloc(1, sizeof(upa_outbox_watch_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  snprintf(w->dir, sizeof(w->dir), "%s/outbox", cfg->cache_dir);

  if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 || (w->top = inotify_add_watch(w->fd, w->dir, WATCH_MASK_TOP)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to watch %s: %s", w->dir, strerror(errno));
    upaOutboxWatchClose(w);
    return (NULL);
  }

  if ((dir = opendir(w->dir)) != NULL)
  {
    while ((ent = readdir(dir)) != NULL)
      watch_add_device(w, ent->d_name);
    closedir(dir);
  }

  return (w);
}


//
// 'upaOutboxWatchClose()' - Stop watching.
//

void
upaOutboxWatchClose(upa_outbox_watch_t *w)
					// I - Watch
{
  if (!w)
    return;

  if (w->fd >= 0)
    close(w->fd);
  free(w);
}


//
// 'upaOutboxWatchGetFD()' - Descriptor to poll() for POLLIN.
//

int					// O - inotify descriptor
upaOutboxWatchGetFD(upa_outbox_watch_t *w)
					// I - Watch
{
  return (w ? w->fd : -1);
}


//
// 'upaOutboxWatchRead()' - Read what happened; name the devices with new records.
//
// Sets devices[0..n-1] to pointers into the watch (valid until the next
// call); returns -1 (n = 0) when every device must be looked at (a new
// device folder, an overflowed queue), 0 when nothing relevant happened.
//

int					// O - Number of devices, -1 = all
upaOutboxWatchRead(upa_outbox_watch_t *w,// I - Watch
                   const char         **devices,
					// O - Devices with new records
                   int                max_devices)
					// I - Size of devices
{
  char		buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
					// Events
  ssize_t	len;			// Bytes read
  char		*ptr;			// Current event
  int		i,			// Looping var
		count = 0;		// Devices named
  bool		all = false;		// Look at every device?


  if (!w)
    return (0);

  while ((len = read(w->fd, buf, sizeof(buf))) > 0)
  {
    for (ptr = buf; ptr < buf + len; ptr += sizeof(struct inotify_event) + ((struct inotify_event *)ptr)->len)
    {
      const struct inotify_event *ev = (const struct inotify_event *)ptr;
					// Event

      if (ev->mask & IN_Q_OVERFLOW)
      {
        all = true;
        continue;
      }

      if (ev->wd == w->top)
      {
        // A new device folder: watch it, and look at it (its first record
        // may have landed before the watch)
        if (ev->len > 0 && (ev->mask & IN_ISDIR))
        {
          watch_add_device(w, ev->name);
          all = true;
        }
        continue;
      }

      // Only a record arriving matters (not our own .lock, backoff, states...)
      if (ev->len == 0 || strlen(ev->name) <= 4 || strcmp(ev->name + strlen(ev->name) - 4, ".ujs"))
        continue;

      for (i = 0; i < w->num_devices; i ++)
      {
        if (w->wds[i] == ev->wd)
          break;
      }

      if (i >= w->num_devices)
      {
        all = true;
        continue;
      }

      // Name each device once
      {
        int j;				// Looping var

        for (j = 0; j < count; j ++)
        {
          if (devices[j] == w->ids[i])
            break;
        }
        if (j >= count)
        {
          if (count < max_devices)
            devices[count ++] = w->ids[i];
          else
            all = true;
        }
      }
    }
  }

  return (all ? -1 : count);
}


//
// 'watch_add_device()' - Watch one device folder (if it is one and not yet watched).
//

static void
watch_add_device(upa_outbox_watch_t *w,	// I - Watch
                 const char         *name)
					// I - Folder name
{
  char	path[1300];			// Folder
  int	wd,				// Watch descriptor
	i;				// Looping var


  if (!watch_is_device(name) || w->num_devices >= WATCH_DEVICES_MAX)
    return;

  snprintf(path, sizeof(path), "%s/%s", w->dir, name);
  if ((wd = inotify_add_watch(w->fd, path, WATCH_MASK_DIR)) < 0)
    return;

  for (i = 0; i < w->num_devices; i ++)
  {
    if (w->wds[i] == wd)
      return;				// Same folder, already watched
  }

  w->wds[w->num_devices] = wd;
  upaCopyString(w->ids[w->num_devices], name, sizeof(w->ids[0]));
  w->num_devices ++;
}


//
// 'watch_is_device()' - Could a folder name be a device id?
//

static bool				// O - true if plausible
watch_is_device(const char *name)	// I - Name
{
  const char	*ptr;			// Pointer into name


  if (!*name || *name == '.' || strlen(name) >= 128)
    return (false);

  for (ptr = name; *ptr; ptr ++)
  {
    if (!isalnum(*ptr & 255) && *ptr != '-')
      return (false);
  }

  return (true);
}
