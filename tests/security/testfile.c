//
// upaFileRename() and upaFileUnlink() against links swapped in for folders.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// lib/journal.c and lib/outbox.c rename and remove records under StateDir
// (issue 15): a folder of the path replaced by a link (as a DeviceGroup
// member could do in a group-writable folder) must make both refuse, and
// the file the link points at must stay as it was.  The scratch folder is
// writable by others (mode 01777 like /tmp), so even root's own links in it
// are not trusted.  Summary on stdout, one line per check.
//

#include "upa.h"
#include "file.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


//
// Local globals...
//

static int	failures = 0;		// Failed checks


//
// Local functions...
//

static void	check(const char *what, bool ok);
static bool	exists(const char *dir, const char *name);
static void	touch(const char *dir, const char *name);


//
// 'main()' - Run the checks.
//

int					// O - Exit status
main(void)
{
  char		top[256],		// Scratch folder
		real[512],		// Its "state" folder
		victim[512],		// A folder the attacker points at
		link[512],		// "state-link" -> victim
		from[1024],		// Rename source
		to[1024],		// Rename target
		cmd[600];		// Clean-up command


  snprintf(top, sizeof(top), "%s/testfile.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(top) || chmod(top, 01777))
  {
    perror(top);
    return (1);
  }

  snprintf(real, sizeof(real), "%s/state", top);
  snprintf(victim, sizeof(victim), "%s/victim", top);
  snprintf(link, sizeof(link), "%s/state-link", top);
  if (mkdir(real, 0770) || mkdir(victim, 0700) || symlink(victim, link))
  {
    perror(top);
    return (1);
  }

  touch(real, "journal.compact");
  touch(real, "record.json");
  touch(victim, "journal.compact");
  touch(victim, "record.json");

  // Through the link: refused, the victim's files untouched
  snprintf(from, sizeof(from), "%s/journal.compact", link);
  snprintf(to, sizeof(to), "%s/journal", link);
  check("rename through a linked folder is refused", upaFileRename(from, to) < 0 && exists(victim, "journal.compact") && !exists(victim, "journal"));

  snprintf(from, sizeof(from), "%s/journal.compact", real);
  check("rename into a linked folder is refused", upaFileRename(from, to) < 0 && exists(real, "journal.compact") && !exists(victim, "journal"));

  snprintf(from, sizeof(from), "%s/record.json", link);
  check("unlink through a linked folder is refused", upaFileUnlink(from) < 0 && exists(victim, "record.json"));

  // The real folder: works, and the errno of a missing file is ENOENT
  snprintf(from, sizeof(from), "%s/journal.compact", real);
  snprintf(to, sizeof(to), "%s/journal", real);
  check("rename in a real folder", upaFileRename(from, to) == 0 && exists(real, "journal") && !exists(real, "journal.compact"));

  snprintf(from, sizeof(from), "%s/record.json", real);
  snprintf(to, sizeof(to), "%s/record.json.bad", real);
  check("rename to .bad in a real folder", upaFileRename(from, to) == 0 && exists(real, "record.json.bad"));
  check("unlink in a real folder", upaFileUnlink(to) == 0 && !exists(real, "record.json.bad"));
  check("unlink of a missing file says ENOENT", upaFileUnlink(to) < 0 && errno == ENOENT);
  check("rename of a missing file says ENOENT", upaFileRename(to, from) < 0 && errno == ENOENT);

  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
  if (system(cmd))
    printf("# could not remove %s\n", top);

  return (failures ? 1 : 0);
}


//
// 'check()' - Report one check.
//

static void
check(const char *what,			// I - Description
      bool       ok)			// I - Passed?
{
  printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
  if (!ok)
    failures ++;
}


//
// 'exists()' - Tell whether a file exists in a folder.
//

static bool				// O - true if it exists
exists(const char *dir,			// I - Folder
       const char *name)		// I - File name
{
  char		path[1024];		// File
  struct stat	info;			// File information


  snprintf(path, sizeof(path), "%s/%s", dir, name);

  return (!lstat(path, &info));
}


//
// 'touch()' - Make an empty file.
//

static void
touch(const char *dir,			// I - Folder
      const char *name)			// I - File name
{
  char	path[1024];			// File
  FILE	*fp;				// Stream


  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if ((fp = fopen(path, "w")) == NULL)
  {
    perror(path);
    exit(1);
  }

  fclose(fp);
}
