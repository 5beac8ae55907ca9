//
// Safe file operations under the shared folders (StateDir, CacheDir).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// See file.h: paths are walked one component at a time with O_NOFOLLOW,
// what is opened is checked with fstat(), and owners and modes are only
// changed on descriptors.  Folders are walked with O_PATH descriptors, so
// only search permission is needed on the way (as for a plain open()).
//

#include "upa-private.h"
#include "file.h"
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <pthread.h>
#include <sys/random.h>
#include <json-c/json.h>


//
// Local functions...
//

static int	file_step(int dfd, const char *name, const char *path, bool create, bool last, mode_t mode, const char *group);
static bool	file_sticky(int dfd);
static bool	file_trusted_link(int dfd, const char *name);
static bool	file_trusted_owner(uid_t owner);


//
// 'upaFileBackendUser()' - Get the account the backend works as.
//
// The answer is kept for BACKEND_USER_TTL seconds: every open of a shared
// file by root asks, and looking up an account that does not exist (the
// default "cups-upa" on most servers) probes every NSS source each time
// (about 45 files per lookup, several per released job).
//

#define BACKEND_USER_TTL	60	// Seconds a lookup is reused

bool					// O - true if found
upaFileBackendUser(uid_t  *uid,		// O - User ID or NULL
                   gid_t  *gid,		// O - Primary group or NULL
                   char   *name,	// O - Account name or NULL
                   size_t namesize)	// I - Size of name
{
  static pthread_mutex_t cache_mutex = PTHREAD_MUTEX_INITIALIZER;
					// Protects the cache
  static char	cache_for[256] = "";	// Test override the cache was made for
  static time_t	cache_time = 0;		// When it was looked up (0 = never)
  static bool	cache_found = false;	// Was an account found?
  static uid_t	cache_uid;		// Its uid
  static gid_t	cache_gid;		// Its primary group
  static char	cache_name[256];	// Its name
  struct passwd	*pw = NULL;		// Account
  const char	*user;			// Name to look up
  time_t	now = time(NULL);	// Current time
  bool		found;			// Result


  // secure_getenv(): never from the caller of a privileged program.
  if ((user = secure_getenv("UPA_TEST_BACKEND_USER")) != NULL && !*user)
    user = NULL;

  pthread_mutex_lock(&cache_mutex);

  if (!cache_time || now < cache_time || now - cache_time >= BACKEND_USER_TTL || strcmp(cache_for, user ? user : ""))
  {
    if (user)
      pw = getpwnam(user);
    else if ((pw = getpwnam(UPA_BACKEND_USER)) == NULL)
      pw = getpwnam(UPA_CUPS_USER);

    if ((cache_found = pw != NULL) == true)
    {
      cache_uid = pw->pw_uid;
      cache_gid = pw->pw_gid;
      upaCopyString(cache_name, pw->pw_name, sizeof(cache_name));
    }
    upaCopyString(cache_for, user ? user : "", sizeof(cache_for));
    cache_time = now;
  }

  if ((found = cache_found) == true)
  {
    if (uid)
      *uid = cache_uid;
    if (gid)
      *gid = cache_gid;
    if (name && namesize > 0)
      upaCopyString(name, cache_name, namesize);
  }

  pthread_mutex_unlock(&cache_mutex);

  if (!found)
  {
    upaSetError(UPA_ERROR_CONFIG, "Neither user \"%s\" nor \"%s\" exists.", UPA_BACKEND_USER, UPA_CUPS_USER);
    return (false);
  }

  return (true);
}


//
// 'upaFileOpen()' - Open a file by path, never following a link.
//

int					// O - File descriptor or -1
upaFileOpen(const char *path,		// I - File
            int        flags,		// I - open() flags
            mode_t     mode,		// I - Mode of a created file
            const char *group)		// I - Group of a created file or NULL
{
  int		dfd,			// Folder
		fd;			// File
  const char	*name;			// File name in folder


  if ((dfd = upaFileOpenParent(path, &name)) < 0)
    return (-1);

  fd = upaFileOpenAt(dfd, name, flags, mode, group);
  close(dfd);

  return (fd);
}


//
// 'upaFileOpenAt()' - Open a file in a folder fd, never following a link.
//

int					// O - File descriptor or -1
upaFileOpenAt(int        dfd,		// I - Folder
              const char *name,		// I - File name (no "/")
              int        flags,		// I - open() flags
              mode_t     mode,		// I - Mode of a created file
              const char *group)	// I - Group of a created file or NULL
{
  int		fd = -1;		// File
  struct stat	info;			// File information
  bool		created = false;	// Did we create it?
  int		err;			// Saved errno
  int		base = (flags & ~(O_CREAT | O_EXCL)) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
					// Flags for the open


  if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
  {
    upaSetError(UPA_ERROR_ARGS, "Bad file name \"%s\".", name ? name : "");
    return (-1);
  }

  if (flags & O_CREAT)
  {
    // Exclusive first: only a file we made ourselves gets our mode and group.
    if ((fd = openat(dfd, name, base | O_CREAT | O_EXCL, 0600)) >= 0)
      created = true;
    else if (errno != EEXIST || (flags & O_EXCL))
      goto error;
  }

  if (fd < 0 && (fd = openat(dfd, name, base)) < 0)
    goto error;

  if (fstat(fd, &info))
    goto error;

  if (!S_ISREG(info.st_mode))
  {
    upaSetError(UPA_ERROR_IO, "Refusing %s: not a regular file.", name);
    close(fd);
    return (-1);
  }

  // Root and the backend account only trust what one of them wrote.
  if (!created && !file_trusted_owner(info.st_uid))
  {
    upaSetError(UPA_ERROR_IO, "Refusing %s: owned by uid %d, neither root nor the backend account (remove it; only they write there).", name, (int)info.st_uid);
    close(fd);
    return (-1);
  }

  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK))
    goto error;

  if (created && !upaFileShare(fd, name, mode, group, file_sticky(dfd)))
    upaLog(UPA_LOG_DEBUG, "%s", upaLastErrorString());

  return (fd);

  error:

  err = errno;

  if (err == ELOOP || (err == ENXIO && !(flags & O_CREAT)))
    upaSetError(UPA_ERROR_IO, "Refusing %s: a symbolic link or special file.", name);
  else
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", name, strerror(err));

  if (fd >= 0)
  {
    if (created)
      unlinkat(dfd, name, 0);
    close(fd);
  }

  errno = err;

  return (-1);
}


//
// 'upaFileOpenDir()' - Open (and create) a folder, never following a link.
//
// The descriptor is an O_PATH one: use it with the *at() calls, or open "."
// in it to read or fsync the folder.
//

int					// O - Folder descriptor or -1
upaFileOpenDir(const char *path,	// I - Folder
               bool       create,	// I - Create missing folders?
               mode_t     mode,		// I - Mode of a created folder
               const char *group)	// I - Group of a created folder or NULL
{
  char		temp[1024],		// Copy of path
		*ptr,			// Current component
		*next;			// Next component
  int		dfd,			// Current folder
		fd;			// Next folder


  if (!path || !*path)
  {
    upaSetError(UPA_ERROR_ARGS, "Empty folder name.");
    return (-1);
  }

  if (!upaCopyString(temp, path, sizeof(temp)))
  {
    upaSetError(UPA_ERROR_IO, "Path too long: %s", path);
    return (-1);
  }

  if ((dfd = open(temp[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, strerror(errno));
    return (-1);
  }

  for (ptr = temp; *ptr == '/'; ptr ++);

  while (*ptr)
  {
    if ((next = strchr(ptr, '/')) != NULL)
    {
      *next++ = '\0';
      while (*next == '/')
        next ++;
    }
    else
      next = ptr + strlen(ptr);

    if (!strcmp(ptr, "."))
    {
      ptr = next;
      continue;
    }

    if (!strcmp(ptr, ".."))
    {
      upaSetError(UPA_ERROR_IO, "Refusing %s: \"..\" in a path.", path);
      close(dfd);
      return (-1);
    }

    fd = file_step(dfd, ptr, path, create, !*next, mode, group);
    close(dfd);
    if (fd < 0)
      return (-1);

    dfd = fd;
    ptr = next;
  }

  return (dfd);
}


//
// 'upaFileOpenParent()' - Open the folder of a file, never following a link.
//

int					// O - Folder descriptor or -1
upaFileOpenParent(const char *path,	// I - File
                  const char **name)	// O - Last component of path
{
  char		temp[1024];		// Folder part
  const char	*slash;			// Last slash
  int		fd;			// Folder


  if (!path || !*path || (slash = strrchr(path, '/')) == path + strlen(path) - 1)
  {
    upaSetError(UPA_ERROR_ARGS, "Bad file name \"%s\".", path ? path : "");
    return (-1);
  }

  if (!slash)
  {
    *name = path;
    return (upaFileOpenDir(".", false, 0, NULL));
  }

  if ((size_t)(slash - path) >= sizeof(temp))
  {
    upaSetError(UPA_ERROR_IO, "Path too long: %s", path);
    return (-1);
  }

  memcpy(temp, path, (size_t)(slash - path));
  temp[slash - path] = '\0';
  if (!temp[0])
    upaCopyString(temp, "/", sizeof(temp));

  if ((fd = upaFileOpenDir(temp, false, 0, NULL)) >= 0)
    *name = slash + 1;

  return (fd);
}


//
// 'upaFileShare()' - Give a file or folder we own its group and mode, by fd.
//

bool					// O - true on success
upaFileShare(int        fd,		// I - Open file or folder (not O_PATH)
             const char *path,		// I - Its name (for messages)
             mode_t     mode,		// I - Mode
             const char *group,		// I - Group or NULL
             bool       backend)	// I - Give a regular file root made to the backend account?
{
  struct stat	info;			// File information
  struct group	*grp;			// Group entry
  uid_t		uid = (uid_t)-1;	// New owner
  gid_t		gid = (gid_t)-1;	// New group
  bool		ret = true;		// Return value


  // Only the owner (or root, for a file it trusts) may change it; anyone
  // else found it shared already
  if (fstat(fd, &info) || (info.st_uid != geteuid() && geteuid() != 0))
    return (true);

  if (geteuid() == 0)
  {
    if (group && *group)
    {
      if ((grp = getgrnam(group)) != NULL)
        gid = grp->gr_gid;
      else
      {
        upaSetError(UPA_ERROR_CONFIG, "Group \"%s\" does not exist (create it or change DeviceGroup).", group);
        ret = false;
      }
    }

    // A shared file root makes in a sticky folder must stay replaceable by
    // the backend there: it belongs to the backend's account.
    if (backend && S_ISREG(info.st_mode) && info.st_uid == 0 && gid != (gid_t)-1)
      upaFileBackendUser(&uid, NULL, NULL, 0);

    // Nothing to change (a file opened again) costs no system call
    if (uid == info.st_uid)
      uid = (uid_t)-1;
    if (gid == info.st_gid)
      gid = (gid_t)-1;

    if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid))
    {
      upaSetError(UPA_ERROR_IO, "Unable to give %s to group %s: %s", path, group, strerror(errno));
      ret = false;
    }
  }

  if ((info.st_mode & 07777) != mode && fchmod(fd, mode))
  {
    upaSetError(UPA_ERROR_IO, "Unable to set mode of %s: %s", path, strerror(errno));
    ret = false;
  }

  return (ret);
}


//
// 'upaFileWriteAtomicAt()' - Write a file atomically inside a folder fd.
//

bool					// O - true on success
upaFileWriteAtomicAt(
    int        dfd,			// I - Folder
    const char *path,			// I - Whole path (for messages)
    const char *name,			// I - File name
    const void *data,			// I - Contents
    size_t     len,			// I - Length of contents
    mode_t     mode,			// I - File mode
    const char *group)			// I - Group or NULL
{
  char		temp[300];		// Temporary file
  int		fd = -1;		// File descriptor
  int		tries;			// Attempts at a unique name
  unsigned	rnd;			// Random part of the name
  const char	*ptr = (const char *)data;
					// Pointer into data
  ssize_t	bytes;			// Bytes written


  if (!name || !*name || strchr(name, '/') || strlen(name) > 200)
  {
    upaSetError(UPA_ERROR_ARGS, "Bad file name \"%s\".", name ? name : "");
    return (false);
  }

  for (tries = 0; tries < 100 && fd < 0; tries ++)
  {
    if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
      rnd = (unsigned)getpid() * 2654435761U + (unsigned)tries;

    snprintf(temp, sizeof(temp), "%s.%08x", name, rnd);
    if ((fd = openat(dfd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 && errno != EEXIST)
      break;
  }

  if (fd < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to create a temporary file for %s: %s", path, strerror(errno));
    return (false);
  }

  // Set the group before the rename so readers never see a file they can't open.
  if (!upaFileShare(fd, path, mode, group, file_sticky(dfd)))
  {
    close(fd);
    unlinkat(dfd, temp, 0);
    return (false);
  }

  while (len > 0)
  {
    if ((bytes = write(fd, ptr, len)) < 0)
    {
      if (errno == EINTR)
        continue;
      goto error;
    }

    ptr += bytes;
    len -= (size_t)bytes;
  }

  if (fsync(fd))
    goto error;

  if (close(fd))
  {
    fd = -1;
    goto error;
  }
  fd = -1;

  if (renameat(dfd, temp, dfd, name))
    goto error;

  return (true);

  error:

  upaSetError(UPA_ERROR_IO, "Unable to write %s: %s", path, strerror(errno));
  if (fd >= 0)
    close(fd);
  unlinkat(dfd, temp, 0);
  return (false);
}


//
// 'file_step()' - Open (and create) one folder below another.
//

static int				// O - Folder (O_PATH) or -1
file_step(int        dfd,		// I - Parent folder
          const char *name,		// I - Component
          const char *path,		// I - Whole path (for messages)
          bool       create,		// I - Create when missing?
          bool       last,		// I - Last component?
          mode_t     mode,		// I - Mode of the last one
          const char *group)		// I - Group of the last one or NULL
{
  int		fd,			// Folder
		rfd;			// Readable descriptor of it
  bool		made = false;		// Did we create it?
  struct stat	info,			// Folder information
		pinfo;			// Parent information
  uid_t		buid;			// Backend account


  if ((fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 && errno == ENOENT && create)
  {
    if (!mkdirat(dfd, name, 0700))
      made = true;
    else if (errno != EEXIST)
    {
      upaSetError(UPA_ERROR_IO, "Unable to create directory %s (in %s): %s", name, path, strerror(errno));
      return (-1);
    }

    fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }

  if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
  {
    // O_PATH | O_NOFOLLOW opens a link itself: only root's links in root's
    // own folders are followed.
    if (!file_trusted_link(dfd, name))
    {
      upaSetError(UPA_ERROR_IO, "Refusing %s: %s is a symbolic link or not a folder.", path, name);
      errno = ELOOP;
      return (-1);
    }

    fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  }

  if (fd < 0)
  {
    int err = errno;			// Why the open failed

    upaSetError(UPA_ERROR_IO, "Unable to open directory %s (in %s): %s", name, path, strerror(err));
    errno = err;
    return (-1);
  }

  if (fstat(fd, &info))
  {
    upaSetError(UPA_ERROR_IO, "Unable to check %s: %s", path, strerror(errno));
    close(fd);
    return (-1);
  }

  if (S_ISLNK(info.st_mode))
  {
    // O_PATH | O_DIRECTORY | O_NOFOLLOW never opens a link, but be sure.
    close(fd);
    if (!file_trusted_link(dfd, name) || (fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(fd, &info))
    {
      if (fd >= 0)
        close(fd);
      upaSetError(UPA_ERROR_IO, "Refusing %s: %s is a symbolic link.", path, name);
      return (-1);
    }
  }

  if (!S_ISDIR(info.st_mode))
  {
    upaSetError(UPA_ERROR_IO, "%s exists but is not a directory.", path);
    close(fd);
    return (-1);
  }

  // Root does not walk into a folder that another user made in a folder
  // others may write (e.g. a group member's "devices" made before root's).
  if (!made && geteuid() == 0 && info.st_uid != 0 && !fstat(dfd, &pinfo) && (pinfo.st_mode & 022) && (!upaFileBackendUser(&buid, NULL, NULL, 0) || info.st_uid != buid))
  {
    upaSetError(UPA_ERROR_IO, "Refusing %s: %s belongs to uid %d, in a folder others may write.", path, name, (int)info.st_uid);
    close(fd);
    errno = EPERM;
    return (-1);
  }

  if (made)
  {
    // Someone swapped another folder in between mkdirat() and openat():
    // it is not ours to give away.
    if (info.st_uid != geteuid())
    {
      upaSetError(UPA_ERROR_IO, "Refusing %s: replaced by a folder of uid %d while being created.", path, (int)info.st_uid);
      close(fd);
      return (-1);
    }

    if ((rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, strerror(errno));
      close(fd);
      return (-1);
    }

    if (!upaFileShare(rfd, path, last ? mode : 0755, last ? group : NULL, false))
      upaLog(UPA_LOG_DEBUG, "%s", upaLastErrorString());
    close(rfd);
  }

  return (fd);
}


//
// 'file_sticky()' - Is a folder sticky (a shared one, UPA_FILE_SHARED_DIR_MODE)?
//

static bool				// O - true if sticky
file_sticky(int dfd)			// I - Folder
{
  struct stat	info;			// Folder information


  return (!fstat(dfd, &info) && (info.st_mode & S_ISVTX));
}


//
// 'file_trusted_owner()' - May this process trust a file with this owner?
//
// Root and the backend account act on what is in the shared folders, whose
// group (DeviceGroup) may create files there: they trust only files root
// or the backend account own.  Anyone else reads what it can.
//

static bool				// O - true if trusted
file_trusted_owner(uid_t owner)		// I - Owner of the file
{
  uid_t	euid = geteuid(),		// Who we are
	buid;				// Backend account


  if (owner == 0)
    return (true);

  if (!upaFileBackendUser(&buid, NULL, NULL, 0))
    return (euid != 0);

  if (owner == buid)
    return (true);

  return (euid != 0 && euid != buid);
}


//
// 'file_trusted_link()' - Is a link the administrator's own choice?
//
// A link is followed only when root owns it and it lies in a folder that
// root owns and nobody else may write (e.g. /var/run -> /run).
//

static bool				// O - true if it may be followed
file_trusted_link(int        dfd,	// I - Folder
                  const char *name)	// I - Link name
{
  struct stat	dinfo,			// Folder information
		linfo;			// Link information


  if (fstatat(dfd, name, &linfo, AT_SYMLINK_NOFOLLOW) || !S_ISLNK(linfo.st_mode) || linfo.st_uid != 0)
    return (false);

  if (fstat(dfd, &dinfo) || dinfo.st_uid != 0 || (dinfo.st_mode & 022))
    return (false);

  return (true);
}


//
// 'upaFileUnlink()' - Remove a file, its folder walked without links.
//

int					// O - 0 on success, -1 and errno on error
upaFileUnlink(const char *path)		// I - File
{
  int		dfd;			// Folder
  const char	*name;			// File name in folder
  int		ret;			// Return value
  int		err;			// Saved errno


  if ((dfd = upaFileOpenParent(path, &name)) < 0)
  {
    if (errno == 0)
      errno = ENOENT;
    return (-1);
  }

  ret = unlinkat(dfd, name, 0);
  err = errno;
  close(dfd);
  errno = err;

  return (ret);
}


//
// 'upaFileRename()' - Rename a file, both folders walked without links.
//
// Each folder is opened as upaFileOpenDir() does (one component at a time,
// O_NOFOLLOW, checked with fstat()), then renameat() works between the two
// folder descriptors: a link swapped in for a folder of either path is
// refused, never followed.  The names themselves are not followed by
// rename() anyway (a link named "from" is renamed, not its target).
//

int					// O - 0 on success, -1 and errno on error
upaFileRename(const char *from,		// I - Current name
              const char *to)		// I - New name
{
  int		fromdfd,		// Folder of "from"
		todfd;			// Folder of "to"
  const char	*fromname,		// File name in its folder
		*toname;		// New name in its folder
  int		ret;			// Return value
  int		err;			// Saved errno


  errno = 0;
  if ((fromdfd = upaFileOpenParent(from, &fromname)) < 0)
  {
    if (errno == 0)
      errno = ENOENT;
    return (-1);
  }

  errno = 0;
  if ((todfd = upaFileOpenParent(to, &toname)) < 0)
  {
    err = errno ? errno : ENOENT;
    close(fromdfd);
    errno = err;
    return (-1);
  }

  ret = renameat(fromdfd, fromname, todfd, toname);
  err = errno;
  close(fromdfd);
  close(todfd);
  errno = err;

  return (ret);
}


//
// 'upaFileOpenStream()' - Open a file for reading as a stdio stream, safely.
//

FILE *					// O - Stream or NULL
upaFileOpenStream(const char *path)	// I - File
{
  int	fd;				// File
  FILE	*fp;				// Stream


  if ((fd = upaFileOpen(path, O_RDONLY, 0, NULL)) < 0)
    return (NULL);

  if ((fp = fdopen(fd, "r")) == NULL)
    close(fd);

  return (fp);
}


//
// 'upaFileOpenDirRead()' - Open a folder for readdir()/fsync(), safely.
//

int					// O - Readable folder descriptor or -1
upaFileOpenDirRead(const char *path)	// I - Folder
{
  int	pfd,				// O_PATH descriptor
	fd;				// Readable descriptor


  if ((pfd = upaFileOpenDir(path, false, 0, NULL)) < 0)
    return (-1);

  if ((fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, strerror(errno));

  close(pfd);

  return (fd);
}


//
// 'upaFileLoadJSON()' - Read a JSON file, never through a link.
//

json_object *				// O - JSON or NULL
upaFileLoadJSON(const char *path)	// I - File
{
  int		fd;			// File
  json_object	*json;			// Contents


  if ((fd = upaFileOpen(path, O_RDONLY, 0, NULL)) < 0)
    return (NULL);

  json = json_object_from_fd(fd);
  close(fd);

  return (json);
}
