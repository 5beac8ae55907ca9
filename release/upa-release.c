//
// upa-release: release a user's held Universal Print jobs to a CUPS queue.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//
//   upa-release --kiosk --printer QUEUE[,QUEUE...] [kiosk options]
//   upa-release --printer QUEUE --user UPN (--all | --job ID... | --list)
//               [--json] [-c CONFIG] [-v]
//   upa-release --recover [-c CONFIG] [-v]
//
// The release logic lives in libupa (release.c); this file parses options,
// opens CUPS and the journal, recovers interrupted releases (always first)
// and hands over to the kiosk (kiosk.c) or the scripting mode (script.c).
// Exit status: see release.h and doc/upa-release.1.
//

#include "release.h"
#include <grp.h>
#include <signal.h>
#include <json-c/json.h>

#ifndef PACKAGE_VERSION
#  define PACKAGE_VERSION "unknown"
#endif // !PACKAGE_VERSION


//
// Local functions...
//

static bool	caller_may_choose_user(const upa_config_t *cfg);
static void	log_cb(void *data, upa_loglevel_t level, const char *message);
static bool	parse_ids(rel_opts_t *opts, const char *arg);
static bool	parse_int(const char *arg, const char *value, int min, int max, int *result);
static bool	parse_queues(rel_opts_t *opts, const char *arg);
static int	usage(FILE *fp, int status);


//
// 'main()' - Parse options, recover, and run the chosen mode.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  rel_opts_t		opts;		// Options
  rel_station_t		st;		// Station state
  int			i;		// Looping var
  int			status = REL_EXIT_USAGE;
					// Exit status
  bool			privileged = getuid() != geteuid() || getgid() != getegid();
					// Running setuid/setgid?


  signal(SIGPIPE, SIG_IGN);
  memset(&opts, 0, sizeof(opts));
  memset(&st, 0, sizeof(st));
  opts.pam_service  = "upa-release";
  opts.idle_timeout = 60;
  opts.print_wait   = 60;
  opts.message_time = 4;

  // A setgid program must not take its configuration from the caller
  if (privileged)
    unsetenv("UPA_CONFIG");

  for (i = 1; i < argc; i ++)
  {
    const char *arg = argv[i];		// Current argument

    if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
      return (usage(stdout, REL_EXIT_RELEASED));
    else if (!strcmp(arg, "--version"))
    {
      puts("upa-release (cups-upa) " PACKAGE_VERSION);
      return (REL_EXIT_RELEASED);
    }
    else if (!strcmp(arg, "--all"))
      opts.all = true;
    else if (!strcmp(arg, "--list"))
      opts.list = true;
    else if (!strcmp(arg, "--json"))
      opts.json = true;
    else if (!strcmp(arg, "--recover"))
      opts.recover = true;
    else if (!strcmp(arg, "--kiosk"))
      opts.kiosk = true;
    else if (!strcmp(arg, "--card-pcsc") || !strncmp(arg, "--card-pcsc=", 12))
    {
      opts.card_pcsc   = true;
      opts.pcsc_reader = arg[11] == '=' && arg[12] ? arg + 12 : NULL;
    }
    else if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose"))
      opts.verbose = true;
    else if (!strcmp(arg, "--printer") || !strcmp(arg, "-p") || !strcmp(arg, "--user") || !strcmp(arg, "-u") || !strcmp(arg, "-c") || !strcmp(arg, "--config") || !strcmp(arg, "--job") || !strcmp(arg, "-j") || !strcmp(arg, "--pam-service") || !strcmp(arg, "--card-device") || !strcmp(arg, "--station") || !strcmp(arg, "--idle-timeout") || !strcmp(arg, "--print-wait") || !strcmp(arg, "--job-lifetime") || !strcmp(arg, "--helper") || !strcmp(arg, "--message-time"))
    {
      const char *value;		// Option value

      if (++ i >= argc || !argv[i][0])
      {
        fprintf(stderr, "upa-release: %s needs a value\n", arg);
        return (usage(stderr, REL_EXIT_USAGE));
      }

      value = argv[i];

      if (!strcmp(arg, "--printer") || !strcmp(arg, "-p"))
      {
        if (!parse_queues(&opts, value))
          return (usage(stderr, REL_EXIT_USAGE));
      }
      else if (!strcmp(arg, "--user") || !strcmp(arg, "-u"))
        opts.user = value;
      else if (!strcmp(arg, "-c") || !strcmp(arg, "--config"))
        opts.config = value;
      else if (!strcmp(arg, "--pam-service"))
        opts.pam_service = value;
      else if (!strcmp(arg, "--card-device"))
        opts.card_device = value;
      else if (!strcmp(arg, "--station"))
        opts.station = value;
      else if (!strcmp(arg, "--helper"))
        opts.helper = value;
      else if (!strcmp(arg, "--message-time"))
      {
        if (!parse_int(arg, value, 1, 600, &opts.message_time))
          return (REL_EXIT_USAGE);
      }
      else if (!strcmp(arg, "--idle-timeout"))
      {
        if (!parse_int(arg, value, 5, 3600, &opts.idle_timeout))
          return (REL_EXIT_USAGE);
      }
      else if (!strcmp(arg, "--print-wait"))
      {
        if (!parse_int(arg, value, 0, 3600, &opts.print_wait))
          return (REL_EXIT_USAGE);
      }
      else if (!strcmp(arg, "--job-lifetime"))
      {
        if (!parse_int(arg, value, 0, 365 * 86400, &opts.job_lifetime))
          return (REL_EXIT_USAGE);
      }
      else if (!parse_ids(&opts, value))
        return (usage(stderr, REL_EXIT_USAGE));
    }
    else if (opts.num_ids > 0 && arg[0] != '-')
    {
      // "--job 1 2 3"
      if (!parse_ids(&opts, arg))
        return (usage(stderr, REL_EXIT_USAGE));
    }
    else
    {
      fprintf(stderr, "upa-release: unknown option \"%s\"\n", arg);
      return (usage(stderr, REL_EXIT_USAGE));
    }
  }

  // Check what to do...
  if (opts.kiosk)
  {
    if (opts.all || opts.list || opts.num_ids > 0 || opts.user || opts.json)
    {
      fputs("upa-release: --kiosk takes no --user, --all, --job, --list or --json\n", stderr);
      return (usage(stderr, REL_EXIT_USAGE));
    }

    if (opts.num_queues == 0)
    {
      fputs("upa-release: --kiosk needs --printer QUEUE[,QUEUE...]\n", stderr);
      return (usage(stderr, REL_EXIT_USAGE));
    }

    if (!isatty(0) || !isatty(1))
    {
      fputs("upa-release: --kiosk needs a terminal (a Linux console or a terminal emulator)\n", stderr);
      return (REL_EXIT_USAGE);
    }
    if (!opts.helper && geteuid() != 0)
      opts.helper = REL_HELPER_SOCKET;
  }
  else if (opts.helper)
  {
    fputs("upa-release: --helper is for --kiosk\n", stderr);
    return (usage(stderr, REL_EXIT_USAGE));
  }
  else
  {
    if ((opts.all ? 1 : 0) + (opts.list ? 1 : 0) + (opts.num_ids > 0 ? 1 : 0) > 1)
    {
      fputs("upa-release: use only one of --all, --job and --list\n", stderr);
      return (usage(stderr, REL_EXIT_USAGE));
    }

    if (!opts.all && !opts.list && opts.num_ids == 0 && !opts.recover)
    {
      fputs("upa-release: say what to do: --kiosk, --all, --job ID, --list or --recover\n", stderr);
      return (usage(stderr, REL_EXIT_USAGE));
    }

    if ((opts.all || opts.list || opts.num_ids > 0) && (!opts.printer || !opts.user))
    {
      fputs("upa-release: --printer QUEUE and --user UPN are required\n", stderr);
      return (usage(stderr, REL_EXIT_USAGE));
    }

    if (opts.num_queues > 1)
    {
      fputs("upa-release: give one --printer QUEUE outside --kiosk\n", stderr);
      return (usage(stderr, REL_EXIT_USAGE));
    }

    if (opts.user && !relUserURI(opts.user, NULL, 0))
    {
      fprintf(stderr, "upa-release: \"%s\" is not a user principal name (user@domain)\n", opts.user);
      return (REL_EXIT_USAGE);
    }
  }

  if (opts.config && privileged && getuid() != 0)
  {
    fputs("upa-release: -c is not allowed when upa-release runs setgid; use the default configuration\n", stderr);
    return (REL_EXIT_USAGE);
  }

  // Load configuration and set up logging...
  upaLogSetCallback(log_cb, NULL);
  upaLogSetLevel(UPA_LOG_WARN);

  st.opts = &opts;

  if (opts.kiosk && opts.helper)
  {
    // The unprivileged kiosk: the helper has the configuration, the PAM
    // service, CUPS and the journal; this process only draws and reads keys
    if (strcmp(opts.pam_service, "upa-release"))
    {
      fputs("upa-release: --pam-service is chosen by the release helper (upa-release-helper --pam-service), not by a kiosk using --helper\n", stderr);
      return (REL_EXIT_DENIED);
    }
    upaLogSetLevel(opts.verbose ? UPA_LOG_DEBUG : UPA_LOG_INFO);
    return (relKiosk(&st));
  }

  if ((st.cfg = upaConfigLoad(opts.config)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    return (REL_EXIT_USAGE);
  }

  // Results go to stdout; stderr gets warnings and errors (everything with -v)
  upaLogSetLevel(opts.verbose ? UPA_LOG_DEBUG : st.cfg->log_level > UPA_LOG_WARN ? st.cfg->log_level : UPA_LOG_WARN);

  // Naming the user (or the PAM stack that names one) releases someone's
  // jobs without their badge: only for those who hold the device keys anyway
  if ((opts.user || strcmp(opts.pam_service, "upa-release")) && !caller_may_choose_user(st.cfg))
  {
    fprintf(stderr, "upa-release: %s is only allowed for root and members of group \"%s\" (DeviceGroup); users release their own jobs at a --kiosk station\n", opts.user ? "--user" : "--pam-service", st.cfg->device_group);
    status = REL_EXIT_DENIED;
    goto done;
  }

  // Root's recovery acts on the journal (it cancels and releases CUPS jobs),
  // so only root writes it: others may only look (upa(8), ACCOUNTS)
  if (geteuid() != 0 && !opts.list)
  {
    fprintf(stderr, "upa-release: releasing needs root: only root writes the release journal (%s/journal) that recovery acts on; members of group \"%s\" may --list, users release their own jobs at a --kiosk station\n", st.cfg->state_dir, st.cfg->device_group);
    status = REL_EXIT_DENIED;
    goto done;
  }

  // Local CUPS and the journal: recovery comes before anything new
  if ((st.cups = upaCupsConnect(st.cfg)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    status = relErrorExit(upaLastError());
    goto done;
  }

  // A DeviceGroup member's --list has nothing to recover or record
  if (geteuid() == 0)
  {
    if ((st.journal = upaJournalOpen(st.cfg)) == NULL)
    {
      fprintf(stderr, "upa-release: cannot open the release journal: %s\n", upaLastErrorString());
      status = REL_EXIT_USAGE;
      goto done;
    }

    if ((i = upaReleaseRecover(st.cfg, st.cups, st.journal)) < 0)
    {
      fprintf(stderr, "upa-release: recovery of interrupted releases failed: %s\n", upaLastErrorString());
      status = relErrorExit(upaLastError());
      goto done;
    }
    else if (i > 0)
      fprintf(stderr, "upa-release: recovered %d interrupted release(s)%s\n", i, opts.verbose ? "" : " (-v shows what was done)");

    // Forget releases finished long ago; a failure only delays that
    if (upaJournalCompact(st.journal, UPA_JOURNAL_KEEP) < 0)
      fprintf(stderr, "upa-release: warning: cannot compact the release journal: %s\n", upaLastErrorString());
  }

  if (opts.kiosk)
    status = relKiosk(&st);
  else if (!opts.all && !opts.list && opts.num_ids == 0)
    status = REL_EXIT_RELEASED;		// --recover only
  else
    status = relScript(&st);

  done:

  upaJournalClose(st.journal);
  httpClose(st.cups);
  upaConfigDelete(st.cfg);

  return (status);
}


//
// 'relErrorExit()' - Map an error class to an exit status.
//

int					// O - Exit status
relErrorExit(upa_error_t err)		// I - Error class
{
  switch (err)
  {
    case UPA_ERROR_NETWORK :
    case UPA_ERROR_BUSY :
    case UPA_ERROR_SERVER :
    case UPA_ERROR_HTTP :
    case UPA_ERROR_PROTOCOL :
    case UPA_ERROR_IPP :
    case UPA_ERROR_NOT_FOUND :
    case UPA_ERROR_NOT_FETCHABLE :
    case UPA_ERROR_NOT_POSSIBLE :
        return (REL_EXIT_CLOUD);

    case UPA_ERROR_AUTH :
    case UPA_ERROR_DEVICE :
        return (REL_EXIT_AUTH);

    case UPA_ERROR_CUPS :
        return (REL_EXIT_CUPS);

    default :
        return (REL_EXIT_USAGE);
  }
}


//
// 'caller_may_choose_user()' - Is the real user root or in DeviceGroup?
//
// The real IDs and the supplementary groups are the caller's even when the
// program runs setgid; the effective group is not looked at.
//

static bool				// O - true if allowed
caller_may_choose_user(const upa_config_t *cfg)
					// I - Configuration
{
  struct group	*grp;			// DeviceGroup
  gid_t		*groups;		// Supplementary groups
  int		i,			// Looping var
		num_groups;		// Number of groups
  bool		member = false;		// Result


  if (getuid() == 0)
    return (true);

  if (!cfg->device_group[0] || (grp = getgrnam(cfg->device_group)) == NULL)
    return (false);

  if (getgid() == grp->gr_gid)
    return (true);

  if ((num_groups = getgroups(0, NULL)) <= 0 || (groups = calloc((size_t)num_groups, sizeof(gid_t))) == NULL)
    return (false);

  if ((num_groups = getgroups(num_groups, groups)) > 0)
  {
    for (i = 0; i < num_groups && !member; i ++)
      member = groups[i] == grp->gr_gid;
  }

  free(groups);

  return (member);
}


//
// 'log_cb()' - Print libupa messages on stderr.
//

static void
log_cb(void           *data,		// I - Callback data (unused)
       upa_loglevel_t level,		// I - Level
       const char     *message)		// I - Message
{
  (void)data;

  if (level == UPA_LOG_DEBUG)
    fprintf(stderr, "upa-release: debug: %s\n", message);
  else
    fprintf(stderr, "upa-release: %s\n", message);
}


//
// 'parse_ids()' - Add job IDs from "ID" or "ID,ID,...".
//

static bool				// O - true if valid
parse_ids(rel_opts_t *opts,		// I - Options
          const char *arg)		// I - Argument
{
  const char	*ptr = arg;		// Pointer into argument
  char		*end;			// End of number
  long		id;			// Job ID


  while (*ptr)
  {
    id = strtol(ptr, &end, 10);
    if (end == ptr || id <= 0 || id > 0x7fffffff || (*end && *end != ','))
    {
      fprintf(stderr, "upa-release: bad job ID \"%s\"\n", arg);
      return (false);
    }

    if (opts->num_ids >= REL_MAX_IDS)
    {
      fputs("upa-release: too many job IDs\n", stderr);
      return (false);
    }

    opts->ids[opts->num_ids ++] = (int)id;
    ptr = *end ? end + 1 : end;
  }

  return (true);
}


//
// 'parse_int()' - Parse a bounded integer option value.
//

static bool				// O - true if valid
parse_int(const char *arg,		// I - Option name
          const char *value,		// I - Value
          int        min,		// I - Smallest allowed
          int        max,		// I - Largest allowed
          int        *result)		// O - Value
{
  char	*end;				// End of number
  long	n = strtol(value, &end, 10);	// Number


  if (end == value || *end || n < min || n > max)
  {
    fprintf(stderr, "upa-release: %s needs a number from %d to %d\n", arg, min, max);
    return (false);
  }

  *result = (int)n;

  return (true);
}


//
// 'parse_queues()' - Add queues from "Q" or "Q,Q,...".
//

static bool				// O - true if valid
parse_queues(rel_opts_t *opts,		// I - Options
             const char *arg)		// I - Argument
{
  const char	*ptr,			// One name
		*next;			// Next name
  size_t	len;			// Length of the name


  for (ptr = arg; ptr; ptr = next)
  {
    if ((next = strchr(ptr, ',')) != NULL)
      len = (size_t)(next ++ - ptr);
    else
      len = strlen(ptr);

    if (len == 0 || len > 127 || strcspn(ptr, " \t/#\\\"'") < len)
    {
      fprintf(stderr, "upa-release: bad queue name \"%.*s\"\n", (int)(len > 127 ? 127 : len), ptr);
      return (false);
    }

    if (opts->num_queues >= REL_MAX_QUEUES)
    {
      fprintf(stderr, "upa-release: at most %d queues per station\n", REL_MAX_QUEUES);
      return (false);
    }

    memcpy(opts->queue_names[opts->num_queues], ptr, len);
    opts->queue_names[opts->num_queues][len] = '\0';
    opts->queues[opts->num_queues] = opts->queue_names[opts->num_queues];
    opts->num_queues ++;
  }

  opts->printer = opts->queues[0];

  return (true);
}


//
// 'usage()' - Show program usage.
//

static int				// O - Exit status
usage(FILE *fp,				// I - Output
      int  status)			// I - Exit status
{
  fputs("Usage: upa-release --kiosk --printer QUEUE[,QUEUE...] [options]\n"
        "       upa-release --printer QUEUE --user UPN (--all | --job ID... | --list) [options]\n"
        "       upa-release --recover [options]\n"
        "\n"
        "Release Universal Print jobs held for a user to a local CUPS queue.\n"
        "\n"
        "Options:\n"
        "  --kiosk              Full-screen release station: badge, PAM, job list\n"
        "  -p, --printer QUEUE  CUPS queue(s) registered with Universal Print\n"
        "  -u, --user UPN       User whose jobs to release (user@domain; root\n"
        "                       only; DeviceGroup members may --list)\n"
        "  --all                Release all of the user's jobs\n"
        "  -j, --job ID[,ID]    Release these jobs (repeatable)\n"
        "  --list               List the user's jobs and release nothing\n"
        "  --json               Print results as JSON\n"
        "  --recover            Finish releases an earlier crash interrupted\n"
        "                       (always done first by root; alone, it is all that\n"
        "                       is done)\n"
        "  -c, --config FILE    Configuration file (default $UPA_CONFIG or " UPA_CONFIG_FILE ")\n"
        "  -v, --verbose        Show progress and debug messages\n"
        "  --help               Show this help\n"
        "  --version            Show the version\n"
        "\n"
        "Kiosk options:\n"
        "  --pam-service NAME   PAM service (default upa-release; root and\n"
        "                       DeviceGroup members only)\n"
        "  --card-device DEV    Read badges from an evdev keyboard wedge (grabbed)\n"
        "  --card-pcsc[=NAME]   Read card UIDs from a PC/SC reader (the first one,\n"
        "                       or the first whose name contains NAME)\n"
        "  --station NAME       Station name for PAM and the logs\n"
        "  --helper SOCKET      Release helper to use (default " REL_HELPER_SOCKET ";\n"
        "                       root without --helper runs one itself)\n"
        "  --message-time SECS  Show a refused sign-in for SECS or until a key (default 4)\n"
        "  --idle-timeout SECS  Log out after SECS without a key (default 60)\n"
        "  --print-wait SECS    Follow printing for up to SECS (default 60)\n"
        "  --job-lifetime SECS  How long the cloud holds a job, to show time left\n"
        "\n"
        "Exit status: 0 released, 1 usage/config error, 2 no jobs, 3 some jobs failed,\n"
        "4 cloud unreachable/busy, 5 authentication/device error, 6 CUPS/queue not ready,\n"
        "7 --user (or --pam-service) not allowed for this caller.\n", fp);

  return (status);
}
