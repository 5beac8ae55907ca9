//
// Privileges of the "upa" backend.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// cupsd starts backends with only the CUPS user's primary group (it calls
// setgroups() with that one group), so lp's membership in DeviceGroup never
// reaches a backend run as lp, and the device keys stay out of reach.  The
// backend is therefore installed 0700 and started as root: it reads its
// configuration, starts the real backend exactly as cupsd would have (as
// root when that file is root-only, otherwise as the CUPS user), and then
// drops itself for good to the CUPS user with DeviceGroup as its only group
// before any cloud traffic.  Installed 0755 it simply runs as lp, as before.
//

#include "upa-backend.h"
#include <errno.h>
#include <grp.h>
#include <pwd.h>


//
// 'upaBackendPrepareUsers()' - Look up the CUPS user before forking.
//

void
upaBackendPrepareUsers(
    upa_backend_t *be)			// I - Backend state
{
  struct passwd	*pw;			// CUPS user
  struct group	*grp;			// DeviceGroup


  be->cups_uid = (uid_t)-1;
  be->cups_gid = (gid_t)-1;
  be->key_gid  = (gid_t)-1;

  if (geteuid() != 0)
    return;

  if ((pw = getpwnam(UPA_CUPS_USER)) != NULL)
  {
    be->cups_uid = pw->pw_uid;
    be->cups_gid = pw->pw_gid;
    be->key_gid  = pw->pw_gid;
  }

  if (be->cfg && be->cfg->device_group[0] && (grp = getgrnam(be->cfg->device_group)) != NULL)
    be->key_gid = grp->gr_gid;
}


//
// 'upaBackendDropChild()' - In the child: become what cupsd would have run.
//
// Only async-signal-safe calls: this runs between fork() and exec().
//

bool					// O - true on success
upaBackendDropChild(upa_backend_t *be)	// I - Backend state
{
  if (geteuid() != 0 || be->real_as_root)
    return (true);

  if (be->cups_uid == (uid_t)-1)
    return (false);

  return (!setgroups(1, &be->cups_gid) && !setgid(be->cups_gid) && !setuid(be->cups_uid) && setuid(0) != 0);
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

  if (be->cups_uid == (uid_t)-1)
  {
    fprintf(stderr, "ERROR: The CUPS user \"%s\" does not exist; the upa backend will not keep running as root.\n", UPA_CUPS_USER);
    return (false);
  }

  if (setgroups(1, &be->key_gid) || setgid(be->key_gid) || setuid(be->cups_uid))
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
