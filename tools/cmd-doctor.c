//
// "upactl doctor": check what cups-upa needs and say what to fix.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Checks: the configuration, directories and their modes, DeviceGroup, each
// device's files (modes, owner, group), that a DeviceGroup member can read
// the key (tested in a child process that drops to that group), that key
// and certificate match and the certificate is valid, the queue's device
// URI, the cloud's reachability and clock (Date header), a device token
// and a Get-Jobs as each device, and the last sync error.  Every problem
// comes with a "fix:" line.
//
// Files are also checked as the user each program runs as (see
// doctor_programs[]): what root can read, the backend after its privilege
// drop may not (a CAFile in a 0700 folder, for instance).
//

#include "upactl.h"
#include "file.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define DOCTOR_SKEW_WARN	30	// Seconds of clock skew worth a warning
#define DOCTOR_SKEW_FAIL	300	// Seconds of clock skew that break tokens


//
// Local types...
//

typedef struct doctor_s			// Results
{
  int		problems,		// FAIL count
		warnings;		// WARN count
} doctor_t;

typedef struct doctor_file_s		// A file a program needs
{
  const char	*what;			// Description
  const char	*path;			// File
  int		amode;			// access() mode
} doctor_file_t;

typedef struct doctor_program_s		// A program and who it runs as
{
  const char	*name;			// What to call it
  const char	*(*user)(void);		// Its user
  bool		device_group;		// Is DeviceGroup its only group (else the user's own)?
  bool		needs_devices;		// Does it read the device keys and the token cache?
} doctor_program_t;


//
// Local functions...
//

static void	check_dir(doctor_t *d, const char *what, const char *path, const upa_config_t *cfg, bool group_writable);
static void	check_device(doctor_t *d, upactl_t *ctl, http_t *http, const upa_device_t *dev, bool offline);
static void	check_file(doctor_t *d, const char *path, mode_t want, bool need_group, const upa_config_t *cfg, const char *fix);
static bool	group_can_read(const char *path, const char *group, char *why, size_t whysize);
static void	check_as_programs(doctor_t *d, upactl_t *ctl, upa_device_t **devices, int num_devices);
static bool	can_access_as(const char *path, const char *user, const char *group, int amode, char *why, size_t whysize);
static const char *backend_user(void);
static const char *root_user(void);


//
// Local globals...
//

static const doctor_program_t doctor_programs[] =
{					// Who reads what
  { "the upa backend (after its privilege drop)", backend_user, true, true },
  { "upa-sync.service", root_user, false, true },
  { "the release station (upa-release, run as root)", root_user, false, true }
};
static void	report(doctor_t *d, int level, const char *fix, const char *format, ...) __attribute__((format(printf, 4, 5)));


//
// 'upactlCmdDoctor()' - Run the checks.
//

int					// O - Exit status
upactlCmdDoctor(upactl_t *ctl,		// I - Global state
                int      argc,		// I - Number of arguments
                char     *argv[])	// I - Arguments
{
  doctor_t	d;			// Results
  bool		offline = false;	// --offline?
  upa_device_t	**devices = NULL;	// Devices
  int		i,			// Looping var
		num_devices;		// Number of devices
  http_t	*http;			// Connection to cupsd
  struct group	*grp;			// DeviceGroup
  char		fix[1024];		// Fix text


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
      return (upactlUsage("doctor", stdout, UPACTL_OK));
    else if (!strcmp(argv[i], "--offline"))
      offline = true;
    else
      return (upactlUsage("doctor", stderr, UPACTL_USAGE));
  }

  memset(&d, 0, sizeof(d));

  // Configuration.
  if ((ctl->cfg = upaConfigLoad(ctl->config_path)) == NULL)
  {
    report(&d, 2, "correct the line named above, or name another file with -c / UPA_CONFIG", "configuration: %s", upaLastErrorString());
    printf("1 problem: fix it and run \"upactl doctor\" again.\n");
    return (UPACTL_FAILED);
  }

  report(&d, 0, NULL, "configuration %s (cloud %s)", ctl->cfg->path[0] ? ctl->cfg->path : "(built-in defaults)", ctl->cfg->cloud);
  printf("     register  %s\n     print     %s\n     graph     %s\n     sign-in   %s\n     badges    %s\n", ctl->cfg->register_url, ctl->cfg->print_url, ctl->cfg->graph_url, ctl->cfg->authority_url, ctl->cfg->badge_url);

  if (ctl->cfg->ca_file[0])
  {
    if (access(ctl->cfg->ca_file, R_OK))
      report(&d, 2, "point CAFile at a readable PEM file, or remove it to use the system trust store", "CAFile %s: %s", ctl->cfg->ca_file, strerror(errno));
    else
      report(&d, 0, NULL, "CAFile %s is readable", ctl->cfg->ca_file);
  }

  if (ctl->cfg->proxy[0])
  {
    char proxy[1024];			// Proxy URL without its password

    report(&d, 0, NULL, "cloud traffic goes through proxy %s", upaTextRedactURL(proxy, sizeof(proxy), ctl->cfg->proxy));
  }

  // Group and directories.
  if ((grp = getgrnam(ctl->cfg->device_group)) == NULL)
  {
    snprintf(fix, sizeof(fix), "groupadd --system %s", ctl->cfg->device_group);
    report(&d, 2, fix, "DeviceGroup %s does not exist", ctl->cfg->device_group);
  }
  else
  {
    const char		*buser = backend_user();
					// The backend's account
    struct passwd	*pw;		// passwd entry (getpwnam()'s static buffer)
    bool		member,		// Backend account in the group?
			lp_member;	// lp in the group?

    // One getpwnam() at a time: each call overwrites the last one's entry
    member    = (pw = getpwnam(buser)) != NULL && pw->pw_gid == grp->gr_gid;
    lp_member = (pw = getpwnam("lp")) != NULL && pw->pw_gid == grp->gr_gid;

    for (i = 0; grp->gr_mem[i]; i ++)
    {
      if (!strcmp(grp->gr_mem[i], buser))
        member = true;
      if (!strcmp(grp->gr_mem[i], "lp"))
        lp_member = true;
    }

    if (strcmp(buser, "lp"))
    {
      snprintf(fix, sizeof(fix), "usermod -g %s %s", ctl->cfg->device_group, buser);
      if (member)
        report(&d, 0, NULL, "user %s (the backend's account) is in DeviceGroup %s", buser, ctl->cfg->device_group);
      else
        report(&d, 2, fix, "user %s (the backend's account) is not in DeviceGroup %s: it cannot read the device keys", buser, ctl->cfg->device_group);

      // Every CUPS filter runs as lp, and sg lets a member switch groups
      // without a password: lp in the group hands the keys to any filter
      snprintf(fix, sizeof(fix), "gpasswd -d lp %s", ctl->cfg->device_group);
      if (lp_member)
        report(&d, 2, fix, "user lp is in DeviceGroup %s: every CUPS filter could read the device keys", ctl->cfg->device_group);
      else
        report(&d, 0, NULL, "user lp is not in DeviceGroup %s", ctl->cfg->device_group);
    }
    else
    {
      // A source install without the backend account: the backend works as lp
      snprintf(fix, sizeof(fix), "create the %s account (adduser --system --ingroup %s %s), then restart cupsd", UPA_BACKEND_USER, ctl->cfg->device_group, UPA_BACKEND_USER);
      report(&d, 1, fix, "there is no %s account: the backend works as lp, which every CUPS filter runs as", UPA_BACKEND_USER);
    }
  }

  check_dir(&d, "StateDir", ctl->cfg->state_dir, ctl->cfg, false);
  check_dir(&d, "CacheDir", ctl->cfg->cache_dir, ctl->cfg, true);

  // Devices.
  if ((num_devices = upaDeviceList(ctl->cfg, &devices)) < 0)
  {
    report(&d, 2, "run upactl doctor as root", "device store: %s", upaLastErrorString());
    num_devices = 0;
  }
  else if (num_devices == 0)
    report(&d, 0, NULL, "no registered printers (\"upactl register QUEUE\" adds one)");

  if ((http = upaCupsConnect(ctl->cfg)) == NULL)
    report(&d, 2, "start cupsd, or fix CupsServer in the configuration", "CUPS: %s", upaLastErrorString());
  else
    report(&d, 0, NULL, "CUPS answers at %s", ctl->cfg->cups_server[0] ? ctl->cfg->cups_server : cupsServer());

  // The cloud: reachable, and does it agree on the time?
  if (!offline)
  {
    const char	*urls[2];		// URLs to try
    const char	*names[2] = { "print service", "registration service" };
					// Their names
    time_t	date,			// Cloud's time
		now;			// Our time
    long	skew;			// Difference

    urls[0] = ctl->cfg->print_url;
    urls[1] = ctl->cfg->register_url;

    for (i = 0; i < 2; i ++)
    {
      if (i == 1 && !strcmp(urls[0], urls[1]))
        break;

      if (!upaCloudDate(ctl->cfg, urls[i], &date))
      {
        report(&d, 2, "check DNS, the firewall, Proxy and CAFile (TLS verification is always on)", "%s %s: %s", names[i], urls[i], upaLastErrorString());
        continue;
      }

      now  = time(NULL);
      skew = (long)(date - now);
      if (labs(skew) >= DOCTOR_SKEW_FAIL)
        report(&d, 2, "synchronize the clock (systemd-timesyncd, chrony or ntpsec)", "%s is reachable, but the clocks differ by %ld s: device tokens will be refused", names[i], skew);
      else if (labs(skew) >= DOCTOR_SKEW_WARN)
        report(&d, 1, "synchronize the clock (systemd-timesyncd, chrony or ntpsec)", "%s is reachable; the clocks differ by %ld s", names[i], skew);
      else
        report(&d, 0, NULL, "%s is reachable; clock skew %ld s", names[i], skew);
    }
  }

  for (i = 0; i < num_devices; i ++)
    check_device(&d, ctl, http, devices[i], offline);

  check_as_programs(&d, ctl, devices, num_devices);

  httpClose(http);
  upaDeviceListDelete(devices, num_devices);

  if (d.problems)
    printf("%d problem%s, %d warning%s: fix the lines marked FAIL and run \"upactl doctor\" again.\n", d.problems, d.problems == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s");
  else
    printf("No problems found (%d warning%s).\n", d.warnings, d.warnings == 1 ? "" : "s");

  return (d.problems ? UPACTL_FAILED : UPACTL_OK);
}


//
// 'check_device()' - Check one device.
//

static void
check_device(doctor_t           *d,	// I - Results
             upactl_t           *ctl,	// I - Global state
             http_t             *http,	// I - Connection to cupsd or NULL
             const upa_device_t *dev,	// I - Device
             bool               offline)// I - Skip the cloud?
{
  char		path[1200],		// device.conf
		fix[4096],		// Fix text
		why[512],		// Why a read failed
		uri[1024],		// Device URI
		prefix[256];		// upa://<id>/
  EVP_PKEY	*key = NULL;		// Device key
  X509		*cert = NULL;		// Certificate
  FILE		*fp;			// Certificate file
  upa_syncstate_t sync;			// Sync state


  printf("%s (cloud printer %s):\n", dev->queue, dev->id);

  snprintf(fix, sizeof(fix), "chgrp %s %s && chmod 0750 %s", ctl->cfg->device_group, dev->dir, dev->dir);
  check_file(d, dev->dir, 0750, true, ctl->cfg, fix);
  snprintf(path, sizeof(path), "%s/device.conf", dev->dir);
  snprintf(fix, sizeof(fix), "chown root:%s %s && chmod 0640 %s", ctl->cfg->device_group, path, path);
  check_file(d, path, 0640, true, ctl->cfg, fix);
  if (ctl->cfg->profile == UPA_PROFILE_PWG)
  {
    // Profile pwg: no key or certificate; the Credentials file instead.
    if (ctl->cfg->credentials[0])
    {
      snprintf(fix, sizeof(fix), "chown root:%s %s && chmod 0640 %s", ctl->cfg->device_group, ctl->cfg->credentials, ctl->cfg->credentials);
      check_file(d, ctl->cfg->credentials, 0640, true, ctl->cfg, fix);
      if (getuid() == 0 && !group_can_read(ctl->cfg->credentials, ctl->cfg->device_group, why, sizeof(why)))
        report(d, 2, fix, "  group %s cannot read the Credentials file: %s", ctl->cfg->device_group, why);
    }
    else
      report(d, 0, NULL, "  Profile pwg without Credentials: requests carry no authentication");
  }
  else
  {
    snprintf(fix, sizeof(fix), "chown root:%s %s && chmod 0640 %s", ctl->cfg->device_group, dev->key_file, dev->key_file);
    check_file(d, dev->key_file, 0640, true, ctl->cfg, fix);
    snprintf(fix, sizeof(fix), "chmod 0644 %s", dev->cert_file);
    check_file(d, dev->cert_file, 0644, false, ctl->cfg, fix);

    // What the backend (lp, a DeviceGroup member) really gets.
    if (getuid() == 0)
    {
      snprintf(fix, sizeof(fix), "make %s and every folder above it reachable by group %s (chgrp %s, chmod g+rx)", dev->key_file, ctl->cfg->device_group, ctl->cfg->device_group);
      if (group_can_read(dev->key_file, ctl->cfg->device_group, why, sizeof(why)))
        report(d, 0, NULL, "  group %s can read the key", ctl->cfg->device_group);
      else
        report(d, 2, fix, "  group %s cannot read the key: %s", ctl->cfg->device_group, why);
    }

    // Key and certificate.
    snprintf(fix, sizeof(fix), "restore the device folder from backup, or \"upactl unregister %s\" and register it again", dev->queue);
    if ((key = upaKeyLoad(dev->key_file)) == NULL)
      report(d, 2, fix, "  key: %s", upaLastErrorString());
    if ((fp = fopen(dev->cert_file, "r")) == NULL)
      report(d, 2, fix, "  certificate %s: %s", dev->cert_file, strerror(errno));
    else
    {
      if ((cert = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL)
        report(d, 2, fix, "  certificate %s is not a PEM certificate", dev->cert_file);
      fclose(fp);
    }

    if (key && cert)
    {
      if (X509_check_private_key(cert, key) != 1)
        report(d, 2, fix, "  certificate %s does not match key %s", dev->cert_file, dev->key_file);
      else if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0)
        report(d, 2, fix, "  certificate %s has expired", dev->cert_file);
      else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
        report(d, 2, "synchronize the clock", "  certificate %s is not valid yet (clock wrong?)", dev->cert_file);
      else
        report(d, 0, NULL, "  key and certificate match; certificate valid");
    }
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(cert);
  }

  // The queue.
  if (http)
  {
    snprintf(prefix, sizeof(prefix), "upa://%s/", dev->id);
    if (!upaCupsGetDeviceURI(http, dev->queue, uri, sizeof(uri)))
    {
      snprintf(fix, sizeof(fix), "\"upactl unregister --keep-cloud %s\" if the queue was deleted on purpose", dev->queue);
      report(d, 2, fix, "  queue: %s", upaLastErrorString());
    }
    else if (strncmp(uri, prefix, strlen(prefix)))
    {
      snprintf(fix, sizeof(fix), "lpadmin -p %s -v '%s<real device URI>'", dev->queue, prefix);
      report(d, 2, fix, "  the queue's device URI does not start with %s: jobs are not reported to the cloud", prefix);
    }
    else
      report(d, 0, NULL, "  the queue's device URI is wrapped");
  }

  // A device token and a real request as the device.
  if (!offline)
  {
    char	message[1024];		// Result

    if (upactlCloudCheck(ctl, dev, message, sizeof(message)))
      report(d, 0, NULL, "  cloud: %s", message);
    else
    {
      snprintf(fix, sizeof(fix), "see the message; if the cloud printer was deleted, \"upactl unregister --keep-cloud %s\" and register again", dev->queue);
      report(d, 2, fix, "  cloud: %s", message);
    }
  }

  if (upaSyncStateLoad(ctl->cfg, dev->id, &sync) && sync.last_error[0])
  {
    snprintf(fix, sizeof(fix), "fix the cause, then \"upactl sync %s\"", dev->queue);
    report(d, 1, fix, "  last sync failed: %s", sync.last_error);
  }
  else if (!sync.last_sync)
  {
    snprintf(fix, sizeof(fix), "\"upactl sync %s\" (or enable upa-sync.service)", dev->queue);
    report(d, 1, fix, "  never synced: Universal Print does not know the queue's capabilities");
  }
}


//
// 'backend_user()' - The user the upa backend runs as after its privilege drop.
//
// backend/privs.c: the backend account (lib/file.h upaFileBackendUser(),
// "cups-upa" unless configured otherwise) with DeviceGroup as its only group.
//

static const char *			// O - User name
backend_user(void)
{
  static char	name[256];		// Account name


  if (!name[0] && !upaFileBackendUser(NULL, NULL, name, sizeof(name)))
    snprintf(name, sizeof(name), "%s", UPA_CUPS_USER);

  return (name);
}


//
// 'root_user()' - For programs that run as root (upa-sync.service, the station).
//

static const char *			// O - User name
root_user(void)
{
  return ("root");
}


//
// 'check_as_programs()' - Check what each program must read, as its user.
//

static void
check_as_programs(
    doctor_t     *d,			// I - Results
    upactl_t     *ctl,			// I - Global state
    upa_device_t **devices,		// I - Devices
    int          num_devices)		// I - Number of devices
{
  size_t	p;			// Looping var
  int		i;			// Looping var
  char		why[512],		// Why not
		fix[2048];		// Fix text


  if (getuid() != 0)
  {
    report(d, 1, "run upactl doctor as root", "not root: files are not checked as the user each program runs as");
    return;
  }

  for (p = 0; p < sizeof(doctor_programs) / sizeof(doctor_programs[0]); p ++)
  {
    const doctor_program_t *prog = doctor_programs + p;
					// Current program
    const char	*user = (prog->user)();	// Its user
    const char	*group = prog->device_group ? ctl->cfg->device_group : NULL;
					// Its group, NULL for the user's own
    int		bad = 0;		// Problems found for it
    doctor_file_t files[3 + 2 * 64];	// What it needs
    int		num_files = 0;		// Number of files

    if (ctl->cfg->path[0])
      files[num_files ++] = (doctor_file_t){ "the configuration", ctl->cfg->path, R_OK };
    if (ctl->cfg->ca_file[0])
      files[num_files ++] = (doctor_file_t){ "CAFile", ctl->cfg->ca_file, R_OK };
    if (prog->needs_devices)
    {
      if (!access(ctl->cfg->cache_dir, F_OK))
        files[num_files ++] = (doctor_file_t){ "CacheDir (the shared token cache)", ctl->cfg->cache_dir, R_OK | W_OK | X_OK };
      if (ctl->cfg->profile == UPA_PROFILE_PWG && ctl->cfg->credentials[0])
        files[num_files ++] = (doctor_file_t){ "the Credentials file", ctl->cfg->credentials, R_OK };
      for (i = 0; i < num_devices && i < 64 && ctl->cfg->profile != UPA_PROFILE_PWG; i ++)
      {
        files[num_files ++] = (doctor_file_t){ "a device key", devices[i]->key_file, R_OK };
        files[num_files ++] = (doctor_file_t){ "a device certificate", devices[i]->cert_file, R_OK };
      }
    }

    for (i = 0; i < num_files; i ++)
    {
      if (can_access_as(files[i].path, user, group, files[i].amode, why, sizeof(why)))
        continue;

      bad ++;
      if (!strcmp(files[i].what, "CAFile"))
        snprintf(fix, sizeof(fix), "copy the certificate where %s can read it, e.g. \"install -m 0644 %s /etc/cups-upa/\", and point CAFile there (or chmod o+x every folder above it)", user, files[i].path);
      else if (group)
        snprintf(fix, sizeof(fix), "make %s and every folder above it reachable by %s or group %s (chgrp %s, chmod g+rx)", files[i].path, user, group, group);
      else
        snprintf(fix, sizeof(fix), "make %s and every folder above it reachable by %s", files[i].path, user);
      report(d, 2, fix, "%s, running as %s%s%s, cannot %s %s %s: %s", prog->name, user, group ? " with group " : "", group ? group : "", (files[i].amode & W_OK) ? "write to" : "read", files[i].what, files[i].path, why);
    }

    if (!bad)
      report(d, 0, NULL, "%s, running as %s%s%s, can read the %d file%s it needs", prog->name, user, group ? " with group " : "", group ? group : "", num_files, num_files == 1 ? "" : "s");
  }
}


//
// 'can_access_as()' - Check access(2) in a child that runs as a user.
//
// With a group, that group is the child's only one (as the backend drops
// privileges); without, the user's primary and supplementary groups.
//

static bool				// O - true if allowed
can_access_as(const char *path,		// I - File
              const char *user,		// I - User name
              const char *group,	// I - Only group, or NULL for the user's own
              int        amode,		// I - access() mode
              char       *why,		// O - Reason when not
              size_t     whysize)	// I - Size of why
{
  struct passwd	*pw;			// User
  struct group	*grp = NULL;		// Group
  gid_t		gid;			// Group id
  pid_t		pid;			// Child
  int		status,			// Child status
		fds[2],			// errno pipe
		err = EIO;		// Child's errno


  if ((pw = getpwnam(user)) == NULL)
  {
    snprintf(why, whysize, "no user %s", user);
    return (false);
  }

  if (group && (grp = getgrnam(group)) == NULL)
  {
    snprintf(why, whysize, "no group %s", group);
    return (false);
  }
  gid = grp ? grp->gr_gid : pw->pw_gid;

  if (pipe(fds))
  {
    snprintf(why, whysize, "%s", strerror(errno));
    return (false);
  }

  if ((pid = fork()) == 0)
  {
    int cerr = 0;			// errno

    close(fds[0]);
    if ((grp ? setgroups(1, &gid) : initgroups(user, gid)) || setgid(gid) || setuid(pw->pw_uid))
      cerr = errno ? errno : EPERM;
    else if (access(path, amode))
      cerr = errno;

    if (write(fds[1], &cerr, sizeof(cerr)) != sizeof(cerr))
      _exit(2);
    _exit(cerr ? 1 : 0);
  }

  close(fds[1]);

  if (pid < 0)
  {
    close(fds[0]);
    snprintf(why, whysize, "%s", strerror(errno));
    return (false);
  }

  if (read(fds[0], &err, sizeof(err)) != sizeof(err))
    err = EIO;
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR);

  if (err)
  {
    snprintf(why, whysize, "%s", strerror(err));
    return (false);
  }

  return (true);
}


//
// 'check_dir()' - Check a state/cache directory.
//

static void
check_dir(doctor_t           *d,	// I - Results
          const char         *what,	// I - Directive name
          const char         *path,	// I - Directory
          const upa_config_t *cfg,	// I - Configuration
          bool               group_writable)
					// I - Must DeviceGroup write it?
{
  struct stat	st;			// Information
  struct group	*grp = getgrnam(cfg->device_group);
					// DeviceGroup
  char		fix[1200];		// Fix text


  if (stat(path, &st))
  {
    snprintf(fix, sizeof(fix), "mkdir -p %s && chgrp %s %s && chmod %s %s", path, cfg->device_group, path, group_writable ? "3770" : "0750", path);
    report(d, group_writable ? 1 : 0, group_writable ? fix : NULL, "%s %s does not exist yet%s", what, path, group_writable ? " (created on first use)" : " (created at the first registration)");
    return;
  }

  if (st.st_mode & S_IWOTH)
  {
    snprintf(fix, sizeof(fix), "chmod o-w %s", path);
    report(d, 2, fix, "%s %s is writable by everybody", what, path);
  }
  else if (group_writable && (!grp || st.st_gid != grp->gr_gid || (st.st_mode & 070) != 070))
  {
    snprintf(fix, sizeof(fix), "chown root:%s %s && chmod 3770 %s", cfg->device_group, path, path);
    report(d, 2, fix, "%s %s is not writable by group %s: backends and release stations cannot share tokens", what, path, cfg->device_group);
  }
  else
    report(d, 0, NULL, "%s %s (mode %04o)", what, path, (unsigned)(st.st_mode & 07777));
}


//
// 'check_file()' - Check a file's mode, owner and group.
//

static void
check_file(doctor_t           *d,	// I - Results
           const char         *path,	// I - File
           mode_t             want,	// I - Expected mode
           bool               need_group,
					// I - Must belong to DeviceGroup?
           const upa_config_t *cfg,	// I - Configuration
           const char         *fix)	// I - How to fix
{
  struct stat	st;			// Information
  struct group	*grp = getgrnam(cfg->device_group);
					// DeviceGroup
  mode_t	mode;			// Permission bits


  if (stat(path, &st))
  {
    report(d, 2, fix, "  %s: %s", path, strerror(errno));
    return;
  }

  mode = st.st_mode & 07777;

  if (mode & S_IWOTH || ((want & S_IROTH) == 0 && (mode & S_IROTH)) || (mode & S_IWGRP && !S_ISDIR(st.st_mode)))
    report(d, 2, fix, "  %s has mode %04o (expected %04o): %s", path, (unsigned)mode, (unsigned)want, (want & S_IROTH) ? "others may change it" : "others may read it");
  else if (st.st_uid != 0)
    report(d, 2, fix, "  %s belongs to uid %u, not root", path, (unsigned)st.st_uid);
  else if (need_group && grp && st.st_gid != grp->gr_gid)
    report(d, 2, fix, "  %s belongs to group %u, not %s", path, (unsigned)st.st_gid, cfg->device_group);
  else if (need_group && !(mode & S_IRGRP))
    report(d, 2, fix, "  %s has mode %04o: group %s cannot read it", path, (unsigned)mode, cfg->device_group);
  else if (mode != want && !S_ISDIR(st.st_mode))
    report(d, 1, fix, "  %s has mode %04o (expected %04o)", path, (unsigned)mode, (unsigned)want);
  else
    report(d, 0, NULL, "  %s (mode %04o)", path, (unsigned)mode);
}


//
// 'group_can_read()' - Can a member of a group (not owner, not root) read a file?
//

static bool				// O - true if so
group_can_read(const char *path,	// I - File
               const char *group,	// I - Group
               char       *why,		// O - Reason when not
               size_t     whysize)	// I - Size of why
{
  struct group	*grp;			// Group
  struct passwd	*pw;			// Unprivileged user
  pid_t		pid;			// Child
  int		status,			// Child status
		fds[2];			// errno pipe


  if ((grp = getgrnam(group)) == NULL)
  {
    snprintf(why, whysize, "no group %s", group);
    return (false);
  }

  // A user that is neither root nor the owner: nobody, or lp.
  if ((pw = getpwnam("nobody")) == NULL && (pw = getpwnam("lp")) == NULL)
  {
    snprintf(why, whysize, "no unprivileged user to test with");
    return (false);
  }

  if (pipe(fds))
  {
    snprintf(why, whysize, "%s", strerror(errno));
    return (false);
  }

  if ((pid = fork()) == 0)
  {
    int fd;				// Key file
    int err = 0;			// errno

    close(fds[0]);
    if (setgroups(0, NULL) || setgid(grp->gr_gid) || setuid(pw->pw_uid))
      err = errno ? errno : EPERM;
    else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
      err = errno;
    else
      close(fd);

    if (write(fds[1], &err, sizeof(err)) != sizeof(err))
      _exit(2);
    _exit(err ? 1 : 0);
  }

  close(fds[1]);

  if (pid < 0)
  {
    close(fds[0]);
    snprintf(why, whysize, "%s", strerror(errno));
    return (false);
  }

  {
    int err = EIO;			// Child's errno

    if (read(fds[0], &err, sizeof(err)) != sizeof(err))
      err = EIO;
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR);

    if (err)
    {
      snprintf(why, whysize, "%s", strerror(err));
      return (false);
    }
  }

  return (true);
}


//
// 'report()' - Print one check result: 0 = ok, 1 = warning, 2 = problem.
//

static void
report(doctor_t   *d,			// I - Results
       int        level,		// I - 0 ok, 1 warn, 2 fail
       const char *fix,			// I - What to do, or NULL
       const char *format,		// I - Message (printf format)
       ...)				// I - Arguments
{
  va_list	ap;			// Arguments
  static const char * const labels[] = { "ok  ", "WARN", "FAIL" };
					// Labels


  printf("%s ", labels[level]);
  va_start(ap, format);
  vprintf(format, ap);
  va_end(ap);
  putchar('\n');

  if (fix && level > 0)
    printf("     fix: %s\n", fix);

  if (level == 1)
    d->warnings ++;
  else if (level == 2)
    d->problems ++;
}
