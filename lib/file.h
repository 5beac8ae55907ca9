//
// Safe file operations under the shared folders (StateDir, CacheDir).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Members of DeviceGroup can write in the shared folders, and root works
// there too (upactl, upa-release, the backend before its drop).  So nothing
// under them is ever opened, created, chowned or chmodded by path: every
// path is walked one component at a time relative to a directory fd with
// O_NOFOLLOW, a symbolic link is refused (unless root made it in a folder
// only root can write, i.e. the administrator's own choice, such as
// /var/run -> /run), what was opened is checked with fstat(), and modes and
// owners are changed only on the open descriptor.
//

#ifndef UPA_FILE_H
#  define UPA_FILE_H
#  include <stdbool.h>
#  include <stddef.h>
#  include <stdio.h>
#  include <sys/types.h>

#  ifndef UPA_BACKEND_USER
#    define UPA_BACKEND_USER "cups-upa"	// Account the backend works as (configure --with-backend-user)
#  endif
#  ifndef UPA_CUPS_USER
#    define UPA_CUPS_USER "lp"		// cupsd's User (cups-files.conf)
#  endif

#  define UPA_FILE_SHARED_DIR_MODE 03770	// Shared folder: setgid + sticky, root:DeviceGroup
#  define UPA_FILE_SHARED_MODE	0640	// Shared state file: root and the backend account write, DeviceGroup reads


// Open (and with "create", make) a folder; a folder made here gets "mode"
// and "group" on its descriptor.  Returns the descriptor or -1 (error set).
extern int	upaFileOpenDir(const char *path, bool create, mode_t mode, const char *group);

// Open the folder holding "path" (which must not end with "/"); "name" points
// at the last component inside "path".
extern int	upaFileOpenParent(const char *path, const char **name);

// Open a file relative to a folder fd, never following a link; a regular
// file only.  O_CREAT: a file we create gets "mode" and "group" on its fd.
// Root and the backend account refuse a file that neither of them owns.
// Returns the descriptor or -1 (error set).
extern int	upaFileOpenAt(int dfd, const char *name, int flags, mode_t mode, const char *group);

// Same, by path (the folders above are walked as upaFileOpenDir() does).
extern int	upaFileOpen(const char *path, int flags, mode_t mode, const char *group);

// Open a file for reading as a stdio stream (upaFileOpen(), O_RDONLY).
extern FILE	*upaFileOpenStream(const char *path);

// Open a folder readable (for fdopendir() or fsync()), walked as
// upaFileOpenDir() does.
extern int	upaFileOpenDirRead(const char *path);

// Read a JSON file (json-c), never through a link; NULL if absent or bad.
extern struct json_object *upaFileLoadJSON(const char *path);

// Give a file or folder we created to the group with the mode, on its fd.
// With "backend", a regular file root created (in a sticky folder) is given
// to the backend account, so the backend can still replace or remove it.
extern bool	upaFileShare(int fd, const char *path, mode_t mode, const char *group, bool backend);

// Write a whole file atomically inside a folder fd (temp + fsync + renameat).
extern bool	upaFileWriteAtomicAt(int dfd, const char *path, const char *name, const void *data, size_t len, mode_t mode, const char *group);

// unlink() with the folders walked as upaFileOpenDir() does (0 or -1/errno).
extern int	upaFileUnlink(const char *path);

// rename() with both folders walked as upaFileOpenDir() does (renameat()
// between the two folder fds; 0 or -1/errno).
extern int	upaFileRename(const char *from, const char *to);

// The account the backend works as: UPA_BACKEND_USER, or the CUPS user when
// that account does not exist (a source install).  The test suite names
// another account with UPA_TEST_BACKEND_USER in the environment.  The
// answer is reused for a minute (thread-safe).
extern bool	upaFileBackendUser(uid_t *uid, gid_t *gid, char *name, size_t namesize);

#endif // !UPA_FILE_H
