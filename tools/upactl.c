//
// upactl: administer cups-upa (register queues, sync them, list cloud jobs, status).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//
//   upactl [-c CONFIG] [-v] COMMAND [command options] [arguments]
//
// Commands live in one table (name, function, usage, summary); a new
// command is one function (in a cmd-*.c file) and one table row.  Exit
// status: 0 success, 1 failure (one line "upactl: <what failed>: <what to
// do>" on stderr), 2 usage error.
//

#include "upactl.h"
#ifdef UPACTL_HAVE_BADGE
#  include "badge.h"
#endif // UPACTL_HAVE_BADGE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>


//
// Types...
//

typedef struct upactl_cmd_s		// One command
{
  const char		*name;		// Command name
  upactl_cmd_cb_t	cb;		// Function
  const char		*usage;		// Arguments
  const char		*summary;	// One-line description
} upactl_cmd_t;


//
// Globals...
//

volatile sig_atomic_t	upactl_stop = 0;// Set by SIGINT/SIGTERM


//
// Local functions...
//

#ifdef UPACTL_HAVE_BADGE
static int	cmd_badge(upactl_t *ctl, int argc, char *argv[]);
#endif // UPACTL_HAVE_BADGE
static const upactl_cmd_t *find_command(const char *name);
static void	log_cb(void *data, upa_loglevel_t level, const char *message);
static void	sig_handler(int sig);
static int	usage(FILE *fp, int status);


//
// Commands...
//

#define UPACTL_SIGNIN_USAGE "[--admin-token TOKEN | --client-id ID [--tenant T] [--authority URL] [--signin-timeout S]]"

static const upactl_cmd_t commands[] =
{
  { "register", upactlCmdRegister, UPACTL_SIGNIN_USAGE " [--name NAME] [--manufacturer M] [--model M] [--max-wait S] [--no-sync] [--direct] QUEUE|--all", "Register CUPS queues as Universal Print printers." },
  { "unregister", upactlCmdUnregister, UPACTL_SIGNIN_USAGE " [--keep-cloud] [--force] QUEUE", "Restore a queue and delete its Universal Print printer." },
  { "sync", upactlCmdSync, "[--force] [--dry-run] [--via infra|graph|both] QUEUE|--all | --watch [--interval S] [--debounce S] [--sweep S]", "Push queue capabilities and state to Universal Print." },
  { "device", upactlCmdDevice, "set QUEUE direct on|off | show QUEUE", "Change or show the per-device settings of a registered queue." },
  { "status", upactlCmdStatus, "[--json] [--check]", "Show every registered printer and its state." },
  { "list", upactlCmdList, "", "List the CUPS queues and which are registered." },
  { "doctor", upactlCmdDoctor, "[--offline]", "Check configuration, keys, permissions, clock and cloud; say what to fix." },
  { "jobs", upactlCmdJobs, "[--user UPN] QUEUE", "List the cloud print jobs waiting for a queue." },
  { "outbox", upactlCmdOutbox, "flush [--now] [--device ID [--wait SECONDS]]|list", "Deliver or list job status updates waiting for the cloud." },
#ifdef UPACTL_HAVE_BADGE
  { "badge", cmd_badge, "add|remove|test|import|list|init ...", "Manage badge to user mappings (\"upactl badge --help\")." },
#endif // UPACTL_HAVE_BADGE
};


//
// 'main()' - Parse global options and run a command.
//

int					// O - Exit status
main(int  argc,				// I - Number of command-line args
     char *argv[])			// I - Command-line arguments
{
  upactl_t		ctl;		// Global state
  const upactl_cmd_t	*cmd;		// Command to run
  int			i;		// Looping var
  int			status;		// Exit status


  memset(&ctl, 0, sizeof(ctl));

  for (i = 1; i < argc && argv[i][0] == '-'; i ++)
  {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
    {
      return (usage(stdout, UPACTL_OK));
    }
    else if (!strcmp(argv[i], "--version"))
    {
      puts("upactl (cups-upa) " PACKAGE_VERSION);
      return (UPACTL_OK);
    }
    else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
    {
      ctl.verbose = true;
    }
    else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config"))
    {
      if (++ i >= argc)
      {
        fputs("upactl: -c needs a configuration file name.\n", stderr);
        return (usage(stderr, UPACTL_USAGE));
      }
      ctl.config_path = argv[i];
    }
    else if (!strncmp(argv[i], "--config=", 9))
    {
      ctl.config_path = argv[i] + 9;
    }
    else
    {
      fprintf(stderr, "upactl: unknown option \"%s\".\n", argv[i]);
      return (usage(stderr, UPACTL_USAGE));
    }
  }

  if (i >= argc)
  {
    fputs("upactl: no command given.\n", stderr);
    return (usage(stderr, UPACTL_USAGE));
  }

  if ((cmd = find_command(argv[i])) == NULL)
  {
    fprintf(stderr, "upactl: unknown command \"%s\".\n", argv[i]);
    return (usage(stderr, UPACTL_USAGE));
  }

  upaLogSetCallback(log_cb, NULL);
  upaLogSetLevel(ctl.verbose ? UPA_LOG_DEBUG : UPA_LOG_WARN);

  status = (cmd->cb)(&ctl, argc - i, argv + i);

  upaConfigDelete(ctl.cfg);

  return (status);
}


//
// 'upactlCatchSignals()' - Let SIGINT/SIGTERM end long waits cleanly.
//

void
upactlCatchSignals(void)
{
  struct sigaction action;		// Signal action


  memset(&action, 0, sizeof(action));
  action.sa_handler = sig_handler;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGHUP, &action, NULL);
}


//
// 'upactlDisplayURI()' - Make a device URI safe to show (no credentials).
//

void
upactlDisplayURI(const char *uri,	// I - Device URI
                 char       *buffer,	// O - URI to show
                 size_t     bufsize)	// I - Size of buffer
{
  const char	*real;			// Real URI inside upa://


  if (!strncmp(uri, "upa://", 6) && (real = strchr(uri + 6, '/')) != NULL)
  {
    char	inner[1024];		// Real URI without credentials
    int		idlen = (int)(real - uri);
					// Length of "upa://<id>"

    upaCupsStripCredentials(real + 1, inner, sizeof(inner));
    snprintf(buffer, bufsize, "%.*s/%s", idlen, uri, inner);
  }
  else
    upaCupsStripCredentials(uri, buffer, bufsize);
}


//
// 'upactlFail()' - Print "upactl: <what failed>: <what to do>" and return 1.
//

int					// O - UPACTL_FAILED
upactlFail(const char *format,		// I - "what failed: what to do" (printf format)
           ...)				// I - Arguments
{
  va_list	ap;			// Arguments


  fputs("upactl: ", stderr);
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  putc('\n', stderr);

  return (UPACTL_FAILED);
}


//
// 'upactlGetOption()' - Match "--name value" or "--name=value".
//

bool					// O - true if argv[*i] was this option
upactlGetOption(int        argc,	// I - Number of arguments
                char       *argv[],	// I - Arguments
                int        *i,		// IO - Current index
                const char *name,	// I - Option name
                const char **value)	// O - Value
{
  size_t	len = strlen(name);	// Length of name


  if (!strcmp(argv[*i], name))
  {
    if (*i + 1 >= argc)
    {
      // Missing value: leave it to the caller's usage error.
      *value = "";
      return (true);
    }

    *value = argv[++ *i];
    return (true);
  }
  else if (!strncmp(argv[*i], name, len) && argv[*i][len] == '=')
  {
    *value = argv[*i] + len + 1;
    return (true);
  }

  return (false);
}


//
// 'upactlLoadConfig()' - Load the configuration once (say why if it fails).
//

bool					// O - true on success
upactlLoadConfig(upactl_t *ctl)		// I - Global state
{
  if (ctl->cfg)
    return (true);

  if ((ctl->cfg = upaConfigLoad(ctl->config_path)) == NULL)
  {
    upactlFail("cannot load the configuration (%s): fix the file or name another one with -c", upaLastErrorString());
    return (false);
  }

  return (true);
}


//
// 'upactlTokenState()' - Describe the cached device token (never the token).
//

void
upactlTokenState(upactl_t           *ctl,
					// I - Global state
                 const upa_device_t *dev,
					// I - Device
                 char               *buffer,
					// O - Description
                 size_t             bufsize,
					// I - Size of buffer
                 time_t             *expires)
					// O - Expiry time (0 = no usable cached token) or NULL
{
  char		path[1400];		// Cache file
  json_object	*json,			// Cache contents
		*value;			// "expires"
  time_t	when,			// Expiry time
		now = time(NULL);	// Current time
  char		text[64];		// Expiry as text
  struct tm	tmbuf;			// Local time


  if (expires)
    *expires = 0;

  snprintf(path, sizeof(path), "%s/tokens/%s.json", ctl->cfg->cache_dir, dev->id);

  if (access(path, F_OK))
  {
    snprintf(buffer, bufsize, "none (a token is fetched on first use)");
    return;
  }
  else if (access(path, R_OK))
  {
    snprintf(buffer, bufsize, "unreadable (%s: %s)", path, strerror(errno));
    return;
  }

  if ((json = json_object_from_file(path)) == NULL || !json_object_object_get_ex(json, "expires", &value) || (when = (time_t)json_object_get_int64(value)) <= 0)
  {
    snprintf(buffer, bufsize, "unusable (%s); it is replaced on next use", path);
    json_object_put(json);
    return;
  }

  json_object_put(json);

  if (expires)
    *expires = when;

  if (localtime_r(&when, &tmbuf))
    strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &tmbuf);
  else
    snprintf(text, sizeof(text), "%lld", (long long)when);

  if (when > now)
    snprintf(buffer, bufsize, "valid for %ld min (until %s)", (long)((when - now) / 60), text);
  else
    snprintf(buffer, bufsize, "expired %ld min ago (%s); renewed on next use", (long)((now - when) / 60), text);
}


//
// 'upactlUsage()' - Show the usage of one command.
//

int					// O - status
upactlUsage(const char *name,		// I - Command name
            FILE       *fp,		// I - Where to print
            int        status)		// I - Exit status to return
{
  const upactl_cmd_t *cmd = find_command(name);
					// Command


  if (cmd)
    fprintf(fp, "Usage: upactl [-c CONFIG] [-v] %s %s\n%s\n", cmd->name, cmd->usage, cmd->summary);

  return (status);
}


#ifdef UPACTL_HAVE_BADGE
//
// 'cmd_badge()' - Run "upactl badge ..." (tools/badge.c).
//

static int				// O - Exit status
cmd_badge(upactl_t *ctl,		// I - Global state
          int      argc,		// I - Number of arguments
          char     *argv[])		// I - Arguments
{
  // The badge file commands work without a cups-upa.conf; cloud lookups
  // load it on demand.
  if (!ctl->cfg)
    ctl->cfg = upaConfigLoad(ctl->config_path);

  return (upactlBadge(ctl->cfg, argc, argv));
}
#endif // UPACTL_HAVE_BADGE


//
// 'find_command()' - Look a command up by name.
//

static const upactl_cmd_t *		// O - Command or NULL
find_command(const char *name)		// I - Name
{
  size_t	i;			// Looping var


  for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i ++)
  {
    if (!strcmp(commands[i].name, name))
      return (commands + i);
  }

  return (NULL);
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

  fprintf(stderr, "upactl: %s: %s\n", upaLogLevelString(level), message);
}


//
// 'sig_handler()' - Remember that we were asked to stop.
//

static void
sig_handler(int sig)			// I - Signal
{
  (void)sig;

  upactl_stop = 1;
}


//
// 'usage()' - Show the global usage.
//

static int				// O - status
usage(FILE *fp,				// I - Where to print
      int  status)			// I - Exit status to return
{
  size_t	i;			// Looping var


  if (fp == stderr)
  {
    fputs("Try \"upactl --help\".\n", fp);
    return (status);
  }

  fputs("Usage: upactl [-c CONFIG] [-v] COMMAND [options] [arguments]\n"
        "       upactl --help | --version\n"
        "\n"
        "Options:\n"
        "  -c CONFIG   Use this configuration file (default: $UPA_CONFIG or " UPA_CONFIG_FILE ")\n"
        "  -v          Show what the library does (debug messages on stderr)\n"
        "\n"
        "Commands:\n", fp);

  for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i ++)
    fprintf(fp, "  %-10s  %s\n", commands[i].name, commands[i].summary);

  fputs("\n\"upactl COMMAND --help\" shows the options of a command.\n", fp);

  return (status);
}
