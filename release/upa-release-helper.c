//
// upa-release-helper: the privileged helper of the upa-release kiosk.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//
//   upa-release-helper [--socket PATH] [--allow-user NAME]... [--allow-group NAME]...
//                      [--pam-service NAME] [--idle-expiry SECS] [--station-rate N]
//                      [-c CONFIG] [-v]
//
// Runs as root (upa-release-helper.service, socket-activated by
// upa-release-helper.socket, or started by hand).  Recovers interrupted
// releases, then serves kiosk UIs (helper.c).  Logs go to stderr (the
// journal under systemd).  See doc/upa-release-helper.8.
//

#include "release.h"
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <syslog.h>

#ifndef PACKAGE_VERSION
#  define PACKAGE_VERSION "unknown"
#endif // !PACKAGE_VERSION


//
// Local functions...
//

static void	log_cb(void *data, upa_loglevel_t level, const char *message);
static int	usage(FILE *fp, int status);


//
// 'main()' - Parse options, recover, serve.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  rel_helper_opts_t	opts;		// Helper options
  const char		*socket_path = REL_HELPER_SOCKET,
					// Socket path
			*config = NULL;	// Configuration file
  bool			verbose = false;// -v
  int			i,		// Looping var
			lfd,		// Listening socket
			status;		// Exit status
  http_t		*cups;		// CUPS, for recovery
  upa_journal_t		*journal;	// Journal, for recovery
  char			*end;		// End of a number
  long			n;		// Number


  signal(SIGPIPE, SIG_IGN);

  memset(&opts, 0, sizeof(opts));
  opts.pam_service  = "upa-release";
  opts.idle_expiry  = 120;
  opts.station_rate = 30;
  opts.fail_free    = 3;

  for (i = 1; i < argc; i ++)
  {
    const char *arg = argv[i];		// Current argument

    if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
      return (usage(stdout, 0));
    else if (!strcmp(arg, "--version"))
    {
      puts("upa-release-helper (cups-upa) " PACKAGE_VERSION);
      return (0);
    }
    else if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose"))
      verbose = true;
    else if (!strcmp(arg, "--socket") || !strcmp(arg, "--allow-user") || !strcmp(arg, "--allow-group") || !strcmp(arg, "--pam-service") || !strcmp(arg, "--idle-expiry") || !strcmp(arg, "--station-rate") || !strcmp(arg, "-c") || !strcmp(arg, "--config"))
    {
      const char *value;		// Option value

      if (++ i >= argc || !argv[i][0])
      {
        fprintf(stderr, "upa-release-helper: %s needs a value\n", arg);
        return (usage(stderr, 1));
      }
      value = argv[i];

      if (!strcmp(arg, "--socket"))
        socket_path = value;
      else if (!strcmp(arg, "--pam-service"))
        opts.pam_service = value;
      else if (!strcmp(arg, "-c") || !strcmp(arg, "--config"))
        config = value;
      else if (!strcmp(arg, "--allow-user"))
      {
        struct passwd *pw = getpwnam(value);
					// Account

        if (!pw || opts.num_uids >= (int)(sizeof(opts.uids) / sizeof(opts.uids[0])))
        {
          fprintf(stderr, "upa-release-helper: unknown user \"%s\"\n", value);
          return (1);
        }
        opts.uids[opts.num_uids ++] = pw->pw_uid;
      }
      else if (!strcmp(arg, "--allow-group"))
      {
        struct group *gr = getgrnam(value);
					// Group

        if (!gr || opts.num_gids >= (int)(sizeof(opts.gids) / sizeof(opts.gids[0])))
        {
          fprintf(stderr, "upa-release-helper: unknown group \"%s\"\n", value);
          return (1);
        }
        opts.gids[opts.num_gids ++] = gr->gr_gid;
      }
      else
      {
        n = strtol(value, &end, 10);
        if (end == value || *end || n < 0 || n > 3600 || (!strcmp(arg, "--idle-expiry") && n < 10))
        {
          fprintf(stderr, "upa-release-helper: bad value \"%s\" for %s\n", value, arg);
          return (1);
        }
        if (!strcmp(arg, "--idle-expiry"))
          opts.idle_expiry = (int)n;
        else
          opts.station_rate = (int)n;
      }
    }
    else
    {
      fprintf(stderr, "upa-release-helper: unknown option \"%s\"\n", arg);
      return (usage(stderr, 1));
    }
  }

  if (geteuid() != 0)
  {
    fputs("upa-release-helper: must run as root\n", stderr);
    return (1);
  }

  if (opts.num_uids == 0 && opts.num_gids == 0)
  {
    fputs("upa-release-helper: say who may connect: --allow-user NAME or --allow-group NAME\n", stderr);
    return (usage(stderr, 1));
  }

  upaLogSetCallback(log_cb, NULL);
  upaLogSetLevel(UPA_LOG_INFO);

  if ((opts.cfg = upaConfigLoad(config)) == NULL)
  {
    fprintf(stderr, "upa-release-helper: %s\n", upaLastErrorString());
    return (1);
  }

  upaLogSetLevel(verbose ? UPA_LOG_DEBUG : opts.cfg->log_level > UPA_LOG_INFO ? opts.cfg->log_level : UPA_LOG_INFO);

  // Recovery of interrupted releases comes before anything new; CUPS may
  // not be up yet at boot, which only delays it to the next start
  if ((cups = upaCupsConnect(opts.cfg)) == NULL)
    upaLog(UPA_LOG_WARN, "Cannot connect to CUPS to recover interrupted releases: %s", upaLastErrorString());
  else if ((journal = upaJournalOpen(opts.cfg)) == NULL)
    upaLog(UPA_LOG_ERROR, "Cannot open the release journal: %s", upaLastErrorString());
  else
  {
    if ((i = upaReleaseRecover(opts.cfg, cups, journal)) < 0)
      upaLog(UPA_LOG_ERROR, "Recovery of interrupted releases failed: %s", upaLastErrorString());
    else if (i > 0)
      upaLog(UPA_LOG_INFO, "Recovered %d interrupted release(s)", i);

    if (upaJournalCompact(journal, UPA_JOURNAL_KEEP) < 0)
      upaLog(UPA_LOG_WARN, "Cannot compact the release journal: %s", upaLastErrorString());

    upaJournalClose(journal);
  }
  httpClose(cups);

  if ((lfd = relHelperListen(socket_path)) < 0)
  {
    fprintf(stderr, "upa-release-helper: %s\n", upaLastErrorString());
    upaConfigDelete(opts.cfg);
    return (1);
  }

  status = relHelperDaemon(lfd, &opts);

  close(lfd);
  upaConfigDelete(opts.cfg);

  return (status);
}


//
// 'log_cb()' - Log to stderr (the journal under systemd).
//

static void
log_cb(void           *data,		// I - Callback data (unused)
       upa_loglevel_t level,		// I - Level
       const char     *message)		// I - Message
{
  (void)data;

  // "<N>" prefixes give the journal the priority (sd-daemon(3))
  fprintf(stderr, "<%d>upa-release-helper[%d]: %s%s\n", level == UPA_LOG_ERROR ? LOG_ERR : level == UPA_LOG_WARN ? LOG_WARNING : level == UPA_LOG_INFO ? LOG_INFO : LOG_DEBUG, (int)getpid(), level == UPA_LOG_DEBUG ? "debug: " : "", message);
}


//
// 'usage()' - Show program usage.
//

static int				// O - Exit status
usage(FILE *fp,				// I - Output
      int  status)			// I - Exit status
{
  fputs("Usage: upa-release-helper --allow-user NAME|--allow-group NAME [options]\n"
        "\n"
        "Privileged helper of the upa-release kiosk: PAM sign-in and release of\n"
        "the signed-in user's own jobs, for kiosk UIs of the allowed users.\n"
        "\n"
        "Options:\n"
        "  --socket PATH        Listen here (default " REL_HELPER_SOCKET ";\n"
        "                       a socket passed by systemd is used instead)\n"
        "  --allow-user NAME    Serve kiosks running as this user (repeatable)\n"
        "  --allow-group NAME   Serve kiosks of users in this group (repeatable)\n"
        "  --pam-service NAME   PAM service (default upa-release)\n"
        "  --idle-expiry SECS   End a session after SECS without a request (default 120)\n"
        "  --station-rate N     Sign-in attempts a minute per station (default 30, 0 = no limit)\n"
        "  -c, --config FILE    Configuration file (default $UPA_CONFIG or " UPA_CONFIG_FILE ")\n"
        "  -v, --verbose        Log debug messages\n"
        "  --help               Show this help\n"
        "  --version            Show the version\n", fp);

  return (status);
}
