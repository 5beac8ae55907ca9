//
// Private header for libupa sources: system headers and internal helpers.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPA_PRIVATE_H
#  define UPA_PRIVATE_H
#  include "config.h"		// lib/config.h (there is no autoconf config.h)
#  include "upa.h"
#  include "file.h"
#  include <errno.h>
#  include <stdarg.h>
#  include <stdio.h>
#  include <stdlib.h>
#  include <string.h>
#  include <strings.h>
#  include <unistd.h>
#  include <sys/stat.h>

// Copy a string into a fixed buffer, always NUL-terminated; true if it fit.
extern bool	upaCopyString(char *dst, const char *src, size_t dstsize);
// Monotonic time in milliseconds (deadlines and timers).
extern long long	upaNowMS(void);

// Create a directory and its parents (mode for the ones created).
extern bool	upaMakeDirs(const char *path, mode_t mode);

// Write a whole file atomically (temp file + fsync + rename), with mode
// (and group: root only, see upaSetGroup()).
extern bool	upaWriteFileAtomic(const char *path, const void *data, size_t len, mode_t mode);
extern bool	upaWriteFileAtomicGroup(const char *path, const void *data, size_t len, mode_t mode, const char *group);

// "host[:port]" of a URL for messages (the URL itself if it does not parse;
// http.c: libcurl parses it).
extern bool	upaURLHost(const char *url, char *host, size_t hostsize);

// Give a file (by path or fd) to a group when running as root.
extern bool	upaSetGroup(const char *path, int fd, const char *group);

// Folders and lock files shared by every process of the DeviceGroup
// (the backend as its own account, release stations, upactl as root): a
// missing folder is created 03770 (setgid + sticky, root:DeviceGroup), a file
// we own becomes 0640 (UPA_FILE_SHARED_MODE: only root and the backend
// account write what they act on), both given to the group when we are root (see
// file.h: never by path, never through a link).  mkdir() and open() apply
// the umask (cupsd runs backends with umask 077), so the mode is set
// explicitly afterwards.
extern bool	upaMakeSharedDir(const char *path, const char *group);
extern void	upaShareFile(int fd, const char *path, const char *group);

#endif // !UPA_PRIVATE_H
