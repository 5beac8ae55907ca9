//
// Small file and string helpers shared by libupa sources.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upa-private.h"
#include <time.h>
#include "file.h"
#include <fcntl.h>
#include <grp.h>


//
// 'upaCopyString()' - Copy a string into a fixed buffer, always terminated.
//

bool					// O - true if it fit
upaCopyString(char       *dst,		// I - Destination
              const char *src,		// I - Source (NULL = "")
              size_t     dstsize)	// I - Size of destination
{
  size_t	len;			// Source length


  if (!src)
    src = "";

  len = strlen(src);
  if (len < dstsize)
  {
    memcpy(dst, src, len + 1);
    return (true);
  }

  if (dstsize > 0)
  {
    memcpy(dst, src, dstsize - 1);
    dst[dstsize - 1] = '\0';
  }

  return (false);
}


//
// 'upaNowMS()' - Monotonic time in milliseconds.
//

long long				// O - Milliseconds
upaNowMS(void)
{
  struct timespec	ts;		// Current time


  clock_gettime(CLOCK_MONOTONIC, &ts);

  return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}


//
// 'upaMakeDirs()' - Create a directory and any missing parents.
//
// Missing parents get 0755 so the CUPS user can reach what lies below; only
// the directory itself gets "mode" (on its descriptor: see file.c).  An
// existing directory is kept as it is; something that exists but is not a
// directory, or a symbolic link on the way, is an error.
//

bool					// O - true on success
upaMakeDirs(const char *path,		// I - Directory
            mode_t     mode)		// I - Mode for the directory itself
{
  int	fd;				// Directory


  if ((fd = upaFileOpenDir(path, true, mode, NULL)) < 0)
    return (false);

  close(fd);

  return (true);
}


//
// 'upaMakeSharedDir()' - Create a folder the DeviceGroup shares (03770).
//
// The folder is made with mkdirat(), opened again with O_NOFOLLOW, checked
// to be the directory we made, and only then given to the group with its
// mode, on the descriptor.  An existing folder keeps the administrator's
// choice of mode.
//

bool					// O - true if it exists now
upaMakeSharedDir(const char *path,	// I - Folder
                 const char *group)	// I - DeviceGroup or NULL
{
  int	fd;				// Folder


  if ((fd = upaFileOpenDir(path, true, UPA_FILE_SHARED_DIR_MODE, group)) < 0)
    return (false);

  close(fd);

  return (true);
}


//
// 'upaSetGroup()' - Give a file or directory to a group (e.g. DeviceGroup).
//
// Only root can do this; for anyone else it is a no-op, since a file created
// by a member of the group normally has the right group already.  By path,
// the file is opened without following links and only changed when root
// owns it.
//

bool					// O - true on success or nothing to do
upaSetGroup(const char *path,		// I - File or directory
            int        fd,		// I - Open descriptor (-1 to use path)
            const char *group)		// I - Group name or NULL/""
{
  struct group	*grp;			// Group entry
  struct stat	info;			// File information
  int		dfd,			// Folder of path
		pfd = -1;		// Descriptor opened here
  const char	*name;			// Last component of path
  bool		ret = true;		// Return value


  if (!group || !*group || geteuid() != 0)
    return (true);

  if ((grp = getgrnam(group)) == NULL)
  {
    upaSetError(UPA_ERROR_CONFIG, "Group \"%s\" does not exist (create it or change DeviceGroup).", group);
    return (false);
  }

  if (fd < 0)
  {
    if ((dfd = upaFileOpenParent(path, &name)) < 0)
      return (false);

    pfd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    close(dfd);

    if (pfd < 0)
    {
      upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", path, errno == ELOOP ? "a symbolic link" : strerror(errno));
      return (false);
    }

    if (fstat(pfd, &info) || (!S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode)) || info.st_uid != 0)
    {
      upaSetError(UPA_ERROR_IO, "Refusing to give %s to group %s: not a file or folder of root's.", path, group);
      close(pfd);
      return (false);
    }

    fd = pfd;
  }

  if (fchown(fd, (uid_t)-1, grp->gr_gid))
  {
    upaSetError(UPA_ERROR_IO, "Unable to give %s to group %s: %s", path, group, strerror(errno));
    ret = false;
  }

  if (pfd >= 0)
    close(pfd);

  return (ret);
}


//
// 'upaShareFile()' - Make a shared file readable by the DeviceGroup (0640).
//
// Also takes the group write bit off a file an earlier version shared 0660.
//

void
upaShareFile(int        fd,		// I - Open file
             const char *path,		// I - Its name (for messages)
             const char *group)		// I - DeviceGroup or NULL
{
  if (!upaFileShare(fd, path, UPA_FILE_SHARED_MODE, group, false))
    upaLog(UPA_LOG_DEBUG, "%s", upaLastErrorString());
}


//
// 'upaWriteFileAtomic()' - Write a file via temp file + fsync + rename.
//
// Readers see either the old or the new contents, never half a file.
//

bool					// O - true on success
upaWriteFileAtomic(const char *path,	// I - Destination
                   const void *data,	// I - Contents
                   size_t     len,	// I - Length of contents
                   mode_t     mode)	// I - File mode
{
  return (upaWriteFileAtomicGroup(path, data, len, mode, NULL));
}


//
// 'upaWriteFileAtomicGroup()' - Same, giving the file to a group first.
//
// The folder is opened without following links (file.c) and the file is
// written and renamed relative to it.
//

bool					// O - true on success
upaWriteFileAtomicGroup(
    const char *path,			// I - Destination
    const void *data,			// I - Contents
    size_t     len,			// I - Length of contents
    mode_t     mode,			// I - File mode
    const char *group)			// I - Group or NULL
{
  int		dfd;			// Folder
  const char	*name;			// File name in folder
  bool		ret;			// Return value


  if ((dfd = upaFileOpenParent(path, &name)) < 0)
    return (false);

  ret = upaFileWriteAtomicAt(dfd, path, name, data, len, mode, group);
  close(dfd);

  return (ret);
}

