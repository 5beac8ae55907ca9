//
// Privileges of the "upa" backend.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The backend is installed 0700 and started by cupsd as root.  It reads its
// configuration, starts the real backend exactly as cupsd would have (as
// root when that file is root-only, otherwise as the CUPS user with its one
// group), and then drops itself for good, before any cloud traffic, to an
// account of its own: UPA_BACKEND_USER ("cups-upa", configure
// --with-backend-user) with DeviceGroup as its only group.  The CUPS user
// (lp) is never in DeviceGroup: every filter runs as lp, and "sg" would let
// any of them switch to the group without a password.  Where the account
// does not exist (a source install without the packages' accounts) the
// backend works as the CUPS user with DeviceGroup as its only group, and
// says so.  Installed 0755 it simply runs as lp, as before.
//

#include "upa-backend.h"
#include "file.h"
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>


//
// 'upaBackendPrepareUsers()' - Look up the CUPS user before forking.
//

void
upaBackendPrepareUsers(
    upa_backend_t *be)			// I - Backend state
{
  struct passwd	*pw;			// CUPS user
  struct group	*grp;			// DeviceGroup


  char		name[256];		// Backend account


  be->cups_uid = (uid_t)-1;
  be->cups_gid = (gid_t)-1;
  be->work_uid = (uid_t)-1;
  be->key_gid  = (gid_t)-1;

  if (geteuid() != 0)
    return;

  // The real backend runs as cupsd would run it.
  if ((pw = getpwnam(UPA_CUPS_USER)) != NULL)
  {
    be->cups_uid = pw->pw_uid;
    be->cups_gid = pw->pw_gid;
  }

  // Our own cloud work runs as the backend account.
  if (upaFileBackendUser(&be->work_uid, &be->key_gid, name, sizeof(name)))
  {
    if (strcmp(name, UPA_BACKEND_USER))
      fprintf(stderr, "DEBUG: upa: Account \"%s\" does not exist (or the tests chose another), working as \"%s\".\n", UPA_BACKEND_USER, name);
  }

  if (be->cfg && be->cfg->device_group[0] && (grp = getgrnam(be->cfg->device_group)) != NULL)
    be->key_gid = grp->gr_gid;
}


//
// 'upaBackendStateAccess()' - Read shared state as the backend account, or be root again.
//
// Run as root (mode 0700), we still decide before the real backend starts
// whether to print (journal, outbox, printing lock), and that backend may
// need root.  So root's permanent drop comes later, but every file under
// StateDir and CacheDir is opened with the effective identity of the
// backend account and DeviceGroup: the kernel, not only lib/file.c's
// checks, keeps a link in a shared folder from reaching a file only root
// may read.  The saved user id stays root, so no other process of that
// account may signal or trace us meanwhile.
//

bool					// O - true on success
upaBackendStateAccess(
    upa_backend_t *be,			// I - Backend state
    bool          on)			// I - true = backend account, false = root again
{
  static gid_t	saved_groups[64];	// Supplementary groups as started
  static int	num_saved = -1;		// Number of them


  if (on)
  {
    if (be->state_access || geteuid() != 0)
      return (true);

    if (be->cups_uid == (uid_t)-1 && be->work_uid == (uid_t)-1)
      upaBackendPrepareUsers(be);

    if (be->work_uid == (uid_t)-1 || be->work_uid == 0 || be->key_gid == (gid_t)-1)
      return (false);

    if ((num_saved = getgroups((int)(sizeof(saved_groups) / sizeof(saved_groups[0])), saved_groups)) < 0)
      num_saved = 0;

    if (setgroups(1, &be->key_gid) || setegid(be->key_gid) || seteuid(be->work_uid))
    {
      fprintf(stderr, "DEBUG: upa: Unable to read shared state as uid %d: %s\n", (int)be->work_uid, strerror(errno));
      upaBackendStateAccess(be, false);
      return (false);
    }

    be->state_access = true;
    fprintf(stderr, "DEBUG: upa: Reading shared state as uid %d, gid %d.\n", (int)be->work_uid, (int)be->key_gid);
    return (true);
  }

  // Root again, for the start of the real backend (and the drop after it)
  if (getuid() == 0 && geteuid() != 0)
  {
    if (seteuid(0) || setegid(getgid()) || (num_saved >= 0 && setgroups((size_t)num_saved, saved_groups)))
    {
      fprintf(stderr, "ERROR: Unable to regain root privileges to start the real backend: %s\n", strerror(errno));
      return (false);
    }
  }

  be->state_access = false;
  return (true);
}


//
// 'upaBackendCloseFrom()' - Close every descriptor from `lowfd` up.
//
// Only system calls: this runs between vfork() and exec().
//

void
upaBackendCloseFrom(int lowfd)		// I - First descriptor to close
{
  int	fd;				// Looping var


#ifdef SYS_close_range
  // One call instead of a thousand (Linux 5.9 and later)
  if (!syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0))
    return;
#endif // SYS_close_range

  for (fd = lowfd; fd < 1024; fd ++)
    close(fd);
}


//
// 'upaBackendDropChild()' - In the child: become what cupsd would have run.
//
// Only system calls: this runs between vfork() and exec(), where the C
// library's setuid() and friends (which would signal every thread of the
// process they think they are in) must not be used.
//

bool					// O - true on success
upaBackendDropChild(upa_backend_t *be)	// I - Backend state
{
  if (geteuid() != 0 || be->real_as_root)
    return (true);

  if (be->cups_uid == (uid_t)-1)
    return (false);

  return (!syscall(SYS_setgroups, 1, &be->cups_gid) && !syscall(SYS_setgid, be->cups_gid) && !syscall(SYS_setuid, be->cups_uid) && syscall(SYS_setuid, 0) != 0);
}


//
// 'upaBackendDropPrivileges()' - In the parent: drop root for good.
//

bool					// O - true on success
upaBackendDropPrivileges(
    upa_backend_t *be)			// I - Backend state
{
  if (geteuid() != 0)
    return (true);

  if (be->work_uid == (uid_t)-1 || be->key_gid == (gid_t)-1)
  {
    fprintf(stderr, "ERROR: Neither the account \"%s\" nor the CUPS user \"%s\" exists; the upa backend will not keep running as root.\n", UPA_BACKEND_USER, UPA_CUPS_USER);
    return (false);
  }

  if (be->work_uid == 0)
  {
    fputs("ERROR: The upa backend account is root; it will not keep running as root.\n", stderr);
    return (false);
  }

  if (setgroups(1, &be->key_gid) || setgid(be->key_gid) || setuid(be->work_uid))
  {
    fprintf(stderr, "ERROR: Unable to drop root privileges: %s\n", strerror(errno));
    return (false);
  }

  // Make sure the drop cannot be undone.
  if (setuid(0) == 0)
  {
    fputs("ERROR: Root privileges could be regained after dropping them.\n", stderr);
    return (false);
  }

  fprintf(stderr, "DEBUG: upa: Running as uid %d, gid %d after starting the real backend.\n", (int)getuid(), (int)getgid());

  return (true);
}
