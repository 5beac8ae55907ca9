//
// Small file and string helpers shared by libupa sources.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upa-private.h"
#include <fcntl.h>
#include <libgen.h>


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

bool					// O - true on success
upaMakeDirs(const char *path,		// I - Directory
            mode_t     mode)		// I - Mode for directories created
{
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
    if (mkdir(temp, mode) && errno != EEXIST)
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

  return (true);
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
