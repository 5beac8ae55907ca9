//
// Small file and string helpers shared by libupa sources.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upa-private.h"
#include <fcntl.h>
#include <grp.h>
#include <curl/curl.h>


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
// 'upaMakeDirs()' - Create a directory and any missing parents.
//
// Missing parents get 0755 so the CUPS user can reach what lies below; only
// the directory itself gets "mode".  Something that exists but is not a
// directory is an error.
//

bool					// O - true on success
upaMakeDirs(const char *path,		// I - Directory
            mode_t     mode)		// I - Mode for the directory itself
{
  struct stat	info;			// File information

  char	temp[1024],			// Copy of path
	*ptr;				// Pointer into copy


  if (!upaCopyString(temp, path, sizeof(temp)))
  {
    upaSetError(UPA_ERROR_IO, "Path too long: %s", path);
    return (false);
  }

  for (ptr = temp + 1; *ptr; ptr ++)
  {
    if (*ptr != '/')
      continue;

    *ptr = '\0';
    if (mkdir(temp, 0755) && errno != EEXIST)
    {
      upaSetError(UPA_ERROR_IO, "Unable to create directory %s: %s", temp, strerror(errno));
      return (false);
    }
    *ptr = '/';
  }

  if (mkdir(temp, mode) && errno != EEXIST)
  {
    upaSetError(UPA_ERROR_IO, "Unable to create directory %s: %s", temp, strerror(errno));
    return (false);
  }

  if (stat(temp, &info) || !S_ISDIR(info.st_mode))
  {
    upaSetError(UPA_ERROR_IO, "%s exists but is not a directory.", temp);
    return (false);
  }

  return (true);
}


//
// 'upaMakeSharedDir()' - Create a folder the DeviceGroup shares (02770).
//

bool					// O - true if it exists now
upaMakeSharedDir(const char *path,	// I - Folder
                 const char *group)	// I - DeviceGroup or NULL
{
  struct stat	info;			// Folder information


  if (!stat(path, &info))
  {
    // An admin's choice of mode is kept
    if (S_ISDIR(info.st_mode))
      return (true);

    upaSetError(UPA_ERROR_IO, "%s exists but is not a directory.", path);
    return (false);
  }

  if (!upaMakeDirs(path, 02770))
    return (false);

  if (chmod(path, 02770))
    upaLog(UPA_LOG_DEBUG, "Unable to set mode of %s: %s", path, strerror(errno));
  if (!upaSetGroup(path, -1, group))
    upaLog(UPA_LOG_DEBUG, "%s", upaLastErrorString());

  return (true);
}


//
// 'upaSetGroup()' - Give a file or directory to a group (e.g. DeviceGroup).
//
// Only root can do this; for anyone else it is a no-op, since a file created
// by a member of the group normally has the right group already.
//

bool					// O - true on success or nothing to do
upaSetGroup(const char *path,		// I - File or directory
            int        fd,		// I - Open descriptor (-1 to use path)
            const char *group)		// I - Group name or NULL/""
{
  struct group	*grp;			// Group entry


  if (!group || !*group || geteuid() != 0)
    return (true);

  if ((grp = getgrnam(group)) == NULL)
  {
    upaSetError(UPA_ERROR_CONFIG, "Group \"%s\" does not exist (create it or change DeviceGroup).", group);
    return (false);
  }

  if ((fd >= 0 ? fchown(fd, (uid_t)-1, grp->gr_gid) : chown(path, (uid_t)-1, grp->gr_gid)))
  {
    upaSetError(UPA_ERROR_IO, "Unable to give %s to group %s: %s", path, group, strerror(errno));
    return (false);
  }

  return (true);
}


//
// 'upaShareFile()' - Make a file we created usable by the DeviceGroup (0660).
//

void
upaShareFile(int        fd,		// I - Open file
             const char *path,		// I - Its name (for messages)
             const char *group)		// I - DeviceGroup or NULL
{
  struct stat	info;			// File information


  // Only the owner may change it; anyone else found it shared already
  if (fstat(fd, &info) || info.st_uid != geteuid())
    return;

  if (!upaSetGroup(path, fd, group))
    upaLog(UPA_LOG_DEBUG, "%s", upaLastErrorString());
  if ((info.st_mode & 0777) != 0660 && fchmod(fd, 0660))
    upaLog(UPA_LOG_DEBUG, "Unable to set mode of %s: %s", path, strerror(errno));
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

bool					// O - true on success
upaWriteFileAtomicGroup(
    const char *path,			// I - Destination
    const void *data,			// I - Contents
    size_t     len,			// I - Length of contents
    mode_t     mode,			// I - File mode
    const char *group)			// I - Group or NULL
{
  char		temp[1100];		// Temporary file
  int		fd;			// File descriptor
  const char	*ptr = (const char *)data;
					// Pointer into data
  ssize_t	bytes;			// Bytes written


  snprintf(temp, sizeof(temp), "%s.XXXXXX", path);
  if ((fd = mkstemp(temp)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to create %s: %s", temp, strerror(errno));
    return (false);
  }

  if (fchmod(fd, mode))
    goto error;

  // Set the group before the rename so readers never see a file they can't open.
  if (!upaSetGroup(temp, fd, group))
  {
    close(fd);
    unlink(temp);
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

  if (rename(temp, path))
    goto error;

  return (true);

  error:

  upaSetError(UPA_ERROR_IO, "Unable to write %s: %s", path, strerror(errno));
  if (fd >= 0)
    close(fd);
  unlink(temp);
  return (false);
}


//
// 'upaURLHost()' - Get "host[:port]" of a URL, for messages.
//
// An explicit port is kept (the emulator runs on one).  When the URL does
// not parse, "host" gets the URL itself.
//

bool					// O - `true` if the URL parsed
upaURLHost(const char *url,		// I - URL
           char       *host,		// O - Host
           size_t     hostsize)		// I - Size of host
{
  CURLU		*u;			// Parsed URL
  char		*h = NULL,		// Host part
		*p = NULL;		// Port part
  bool		ret = false;		// Return value


  snprintf(host, hostsize, "%s", url);

  if ((u = curl_url()) == NULL)
    return (false);

  if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK)
  {
    if (curl_url_get(u, CURLUPART_PORT, &p, 0) == CURLUE_OK && p)
      snprintf(host, hostsize, "%s:%s", h, p);
    else
      snprintf(host, hostsize, "%s", h);
    ret = true;
  }

  curl_free(h);
  curl_free(p);
  curl_url_cleanup(u);

  return (ret);
}
