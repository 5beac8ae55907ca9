//
// upactl: administer cups-upa (register queues, list cloud jobs, status).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//
//   upactl [-c CONFIG] [-v] COMMAND [command options] [arguments]
//
// Commands live in one table (name, function, usage, summary); a new
// command is one function and one table row.  Exit status: 0 success,
// 1 failure (one line "upactl: <what failed>: <what to do>" on stderr),
// 2 usage error.
//

#include <config.h>			// autoconf's (PACKAGE_VERSION); lib/config.h comes via upa.h
#include "upa.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>


//
// Constants...
//

#define UPACTL_OK	0		// Success
#define UPACTL_FAILED	1		// Something failed
#define UPACTL_USAGE	2		// Bad command line


//
// Types...
//

typedef struct upactl_s			// Global state of one run
{
  const char	*config_path;		// -c CONFIG or NULL (UPA_CONFIG or default)
  bool		verbose;		// -v given?
  upa_config_t	*cfg;			// Loaded configuration (lazily)
} upactl_t;

typedef int (*upactl_cmd_cb_t)(upactl_t *ctl, int argc, char *argv[]);
					// Runs one command; argv[0] is the command name

typedef struct upactl_cmd_s		// One command
{
  const char		*name;		// Command name
  upactl_cmd_cb_t	cb;		// Function
  const char		*usage;		// Arguments
  const char		*summary;	// One-line description
} upactl_cmd_t;


//
// Local functions...
//

static int	cmd_jobs(upactl_t *ctl, int argc, char *argv[]);
static int	cmd_register(upactl_t *ctl, int argc, char *argv[]);
static int	cmd_status(upactl_t *ctl, int argc, char *argv[]);
static void	display_uri(const char *uri, char *buffer, size_t bufsize);
static int	fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static const upactl_cmd_t *find_command(const char *name);
static bool	get_option(int argc, char *argv[], int *i, const char *name, const char **value);
static bool	get_queue_info(http_t *http, const char *queue, char *make_model, size_t mmsize, bool *exists);
static bool	load_config(upactl_t *ctl);
static void	log_cb(void *data, upa_loglevel_t level, const char *message);
static void	strip_credentials(const char *uri, char *buffer, size_t bufsize);
static void	token_cache_state(upactl_t *ctl, const upa_device_t *dev, char *buffer, size_t bufsize);
static int	usage(FILE *fp, int status);
static int	usage_command(const upactl_cmd_t *cmd, FILE *fp, int status);


//
// Commands (later: "login" for device-code sign-in, "sync", "doctor",
// "unregister" slot in here).
//

static const upactl_cmd_t commands[] =
{
  { "register", cmd_register, "[--admin-token TOKEN] [--name NAME] [--manufacturer M] [--model M] QUEUE", "Register a CUPS queue as a Universal Print printer." },
  { "jobs", cmd_jobs, "[--user UPN] QUEUE", "List the cloud print jobs waiting for a queue." },
  { "status", cmd_status, "[--check]", "Show every registered printer and its state." }
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
// 'cmd_jobs()' - List cloud jobs for a queue (a user's held jobs, or direct jobs).
//

static int				// O - Exit status
cmd_jobs(upactl_t *ctl,			// I - Global state
         int      argc,			// I - Number of arguments
         char     *argv[])		// I - Arguments
{
  const char	*user = NULL,		// --user UPN
		*queue = NULL;		// QUEUE
  char		user_uri[512];		// mailto:UPN
  upa_device_t	*dev;			// Device of the queue
  upa_client_t	*client;		// Cloud session
  ipp_t		*response;		// Get-Jobs response
  upa_jobinfo_t	*jobs = NULL;		// Jobs
  int		i,			// Looping var
		num_jobs;		// Number of jobs
  int		status = UPACTL_OK;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
      return (usage_command(find_command("jobs"), stdout, UPACTL_OK));
    else if (get_option(argc, argv, &i, "--user", &user))
      continue;
    else if (argv[i][0] == '-' || queue)
      return (usage_command(find_command("jobs"), stderr, UPACTL_USAGE));
    else
      queue = argv[i];
  }

  if (!queue || (user && !*user))
    return (usage_command(find_command("jobs"), stderr, UPACTL_USAGE));

  if (!load_config(ctl))
    return (UPACTL_FAILED);

  if ((dev = upaDeviceFindQueue(ctl->cfg, queue)) == NULL)
  {
    if (upaLastError() == UPA_ERROR_DEVICE || upaLastError() == UPA_ERROR_NONE)
      return (fail("no Universal Print printer for queue \"%s\": register it with \"upactl register %s\"", queue, queue));
    return (fail("cannot read the device store (%s): run upactl as root or as a member of group %s", upaLastErrorString(), ctl->cfg->device_group));
  }

  if (user)
  {
    // Accept "alice@example.com" and "mailto:alice@example.com".
    if (!strncasecmp(user, "mailto:", 7))
      user += 7;
    snprintf(user_uri, sizeof(user_uri), "mailto:%s", user);
  }

  if ((client = upaClientCreate(ctl->cfg, dev)) == NULL)
  {
    status = fail("cannot open a cloud session for %s (%s): check the configuration and the device files (upactl -v status --check)", queue, upaLastErrorString());
    upaDeviceDelete(dev);
    return (status);
  }

  if ((response = upaInfraGetJobs(client, user ? user_uri : NULL)) == NULL)
  {
    status = fail("Get-Jobs for %s failed (%s): check the network and \"upactl status --check\"", queue, upaLastErrorString());
  }
  else if ((num_jobs = upaInfraJobList(response, &jobs)) < 0)
  {
    status = fail("cannot read the job list for %s (%s): run with -v and report the problem", queue, upaLastErrorString());
  }
  else if (num_jobs == 0)
  {
    if (user)
      printf("No print jobs for %s at %s.\n", user, queue);
    else
      printf("No direct print jobs at %s.\n", queue);
  }
  else
  {
    printf("%-8s %-30s %-28s %-20s %8s  %s\n", "ID", "NAME", "OWNER", "FORMAT", "SIZE", "CREATED");

    for (i = 0; i < num_jobs; i ++)
    {
      char	size[32],		// Size string
		created[64];		// Creation time string
      struct tm	tmbuf;			// Local time

      if (jobs[i].size_k > 0)
        snprintf(size, sizeof(size), "%lldk", jobs[i].size_k);
      else
        snprintf(size, sizeof(size), "-");

      if (jobs[i].created > 0 && localtime_r(&jobs[i].created, &tmbuf))
        strftime(created, sizeof(created), "%Y-%m-%d %H:%M", &tmbuf);
      else
        snprintf(created, sizeof(created), "-");

      printf("%-8d %-30.30s %-28.28s %-20.20s %8s  %s\n", jobs[i].id, jobs[i].name[0] ? jobs[i].name : "-", jobs[i].owner[0] ? jobs[i].owner : jobs[i].owner_uri[0] ? jobs[i].owner_uri : "-", jobs[i].format[0] ? jobs[i].format : "-", size, created);
    }
  }

  free(jobs);
  ippDelete(response);
  upaClientDelete(client);
  upaDeviceDelete(dev);

  return (status);
}


//
// 'cmd_register()' - Register a queue and wrap its device URI.
//
// The queue is changed last, and only after the device is stored; if CUPS
// refuses the new device URI the device is removed again so the queue is
// exactly as it was.
//

static int				// O - Exit status
cmd_register(upactl_t *ctl,		// I - Global state
             int      argc,		// I - Number of arguments
             char     *argv[])		// I - Arguments
{
  const char	*admin_token = NULL,	// --admin-token or UPA_ADMIN_TOKEN
		*name = NULL,		// --name
		*manufacturer = NULL,	// --manufacturer
		*model = NULL,		// --model
		*queue = NULL;		// QUEUE
  int		i;			// Looping var
  http_t	*http;			// Connection to cupsd
  char		old_uri[1024],		// Queue's device URI
		new_uri[1024],		// upa://<id>/<old_uri>
		shown[2100],		// URI without credentials
		make_model[256] = "",	// printer-make-and-model
		mfg[256],		// Default manufacturer
		*mdl;			// Default model
  bool		exists = false;		// Queue exists?
  upa_device_t	*dev;			// Device
  upa_regparams_t params;		// Registration parameters
  int		status = UPACTL_OK;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
      return (usage_command(find_command("register"), stdout, UPACTL_OK));
    else if (get_option(argc, argv, &i, "--admin-token", &admin_token) || get_option(argc, argv, &i, "--name", &name) || get_option(argc, argv, &i, "--manufacturer", &manufacturer) || get_option(argc, argv, &i, "--model", &model))
      continue;
    else if (argv[i][0] == '-' || queue)
      return (usage_command(find_command("register"), stderr, UPACTL_USAGE));
    else
      queue = argv[i];
  }

  if (!queue)
    return (usage_command(find_command("register"), stderr, UPACTL_USAGE));

  if (!admin_token)
    admin_token = getenv("UPA_ADMIN_TOKEN");
  if (!admin_token || !*admin_token)
  {
    fputs("upactl: register needs an admin token: set UPA_ADMIN_TOKEN (or pass --admin-token); sign-in with a device code comes in a later release.\n", stderr);
    return (UPACTL_USAGE);
  }

  if (!load_config(ctl))
    return (UPACTL_FAILED);

  if ((http = upaCupsConnect(ctl->cfg)) == NULL)
    return (fail("cannot connect to CUPS (%s): start cupsd or fix CupsServer in %s", upaLastErrorString(), ctl->cfg->path[0] ? ctl->cfg->path : "cups-upa.conf"));

  if (!get_queue_info(http, queue, make_model, sizeof(make_model), &exists))
  {
    httpClose(http);
    if (!exists)
    {
      fprintf(stderr, "upactl: no queue named \"%s\" on this server (lpstat -p lists them)\n", queue);
      return (UPACTL_FAILED);
    }
    return (fail("cannot read queue %s (%s): check that cupsd is running", queue, cupsLastErrorString()));
  }

  if (!upaCupsGetDeviceURI(http, queue, old_uri, sizeof(old_uri)))
  {
    status = fail("cannot read the device URI of %s (%s): run upactl as root", queue, upaLastErrorString());
    httpClose(http);
    return (status);
  }

  // Already registered?  Change nothing.
  if (!strncmp(old_uri, "upa://", 6))
  {
    char	id[128];		// Device id in the URI
    size_t	len = strcspn(old_uri + 6, "/");
					// Length of id

    snprintf(id, sizeof(id), "%.*s", (int)(len < sizeof(id) ? len : sizeof(id) - 1), old_uri + 6);
    printf("%s is already registered as %s\n", queue, id);
    httpClose(http);
    return (UPACTL_OK);
  }

  if ((dev = upaDeviceFindQueue(ctl->cfg, queue)) != NULL)
  {
    printf("%s is already registered as %s\n", queue, dev->id);
    display_uri(old_uri, shown, sizeof(shown));
    printf("Note: its device URI is \"%s\", not upa://%s/...; \"upactl status\" shows the mismatch.\n", shown, dev->id);
    upaDeviceDelete(dev);
    httpClose(http);
    return (UPACTL_OK);
  }
  else if (upaLastError() != UPA_ERROR_DEVICE && upaLastError() != UPA_ERROR_NONE)
  {
    status = fail("cannot read the device store (%s): run upactl as root", upaLastErrorString());
    httpClose(http);
    return (status);
  }

  // Manufacturer and model default to the queue's make and model.
  if (make_model[0])
  {
    snprintf(mfg, sizeof(mfg), "%s", make_model);
    if ((mdl = strchr(mfg, ' ')) != NULL)
    {
      *mdl++ = '\0';
      while (*mdl == ' ')
        mdl ++;
    }
    if (!mdl || !*mdl)
      mdl = make_model;
  }
  else
  {
    snprintf(mfg, sizeof(mfg), "Generic");
    mdl = "IPP Printer";
  }

  memset(&params, 0, sizeof(params));
  params.queue        = queue;
  params.name         = name ? name : queue;
  params.manufacturer = manufacturer ? manufacturer : mfg;
  params.model        = model ? model : mdl;
  params.admin_token  = admin_token;

  printf("Registering %s as \"%s\" (%s %s)...\n", queue, params.name, params.manufacturer, params.model);
  fflush(stdout);

  if ((dev = upaRegisterPrinter(ctl->cfg, &params)) == NULL)
  {
    status = fail("registration of %s failed (%s): check the admin token and the network (-v shows details)", queue, upaLastErrorString());
    httpClose(http);
    return (status);
  }

  // Remember the old URI, then wrap it.
  snprintf(dev->previous_uri, sizeof(dev->previous_uri), "%s", old_uri);
  if ((size_t)snprintf(new_uri, sizeof(new_uri), "upa://%s/%s", dev->id, old_uri) >= sizeof(new_uri))
  {
    upaDeviceRemove(ctl->cfg, dev);
    status = fail("device URI of %s is too long to wrap: shorten it with lpadmin -v; the cloud printer %s may need deleting in the Universal Print portal", queue, dev->id);
  }
  else if (!upaDeviceSave(ctl->cfg, dev))
  {
    status = fail("cannot save device %s (%s): fix the state directory and register again; the cloud printer %s may need deleting in the Universal Print portal", dev->id, upaLastErrorString(), dev->id);
    upaDeviceRemove(ctl->cfg, dev);
  }
  else if (!upaCupsSetDeviceURI(http, queue, new_uri))
  {
    char	err[1024];		// Error message (before removal resets it)

    snprintf(err, sizeof(err), "%s", upaLastErrorString());
    upaDeviceRemove(ctl->cfg, dev);
    status = fail("CUPS refused the new device URI of %s (%s): the queue is unchanged; run upactl as root and register again; the cloud printer %s may need deleting in the Universal Print portal (\"upactl unregister\" comes in a later release)", queue, err, dev->id);
  }
  else
    printf("Registered %s as Universal Print printer %s\n", queue, dev->id);

  upaDeviceDelete(dev);
  httpClose(http);

  return (status);
}


//
// 'cmd_status()' - Show every registered device.
//

static int				// O - Exit status
cmd_status(upactl_t *ctl,		// I - Global state
           int      argc,		// I - Number of arguments
           char     *argv[])		// I - Arguments
{
  bool		check = false;		// --check given?
  upa_device_t	**devices = NULL;	// Registered devices
  int		i,			// Looping var
		num_devices;		// Number of devices
  http_t	*http;			// Connection to cupsd
  char		uri[1024],		// Queue's device URI
		expect[1100],		// Expected URI prefix
		shown[2100],		// URI for display
		cache[1400];		// Token cache state
  int		status = UPACTL_OK;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
      return (usage_command(find_command("status"), stdout, UPACTL_OK));
    else if (!strcmp(argv[i], "--check"))
      check = true;
    else
      return (usage_command(find_command("status"), stderr, UPACTL_USAGE));
  }

  if (!load_config(ctl))
    return (UPACTL_FAILED);

  if ((num_devices = upaDeviceList(ctl->cfg, &devices)) < 0)
    return (fail("cannot read the device store (%s): run upactl as root or as a member of group %s", upaLastErrorString(), ctl->cfg->device_group));

  if (num_devices == 0)
  {
    printf("No printers are registered with Universal Print on this server (state directory %s).\n", ctl->cfg->state_dir);
    return (UPACTL_OK);
  }

  if ((http = upaCupsConnect(ctl->cfg)) == NULL)
    fprintf(stderr, "upactl: cannot connect to CUPS (%s): device URIs are not shown.\n", upaLastErrorString());

  for (i = 0; i < num_devices; i ++)
  {
    upa_device_t *dev = devices[i];	// Current device

    printf("%s\n", dev->queue);
    printf("  Cloud printer:  %s (%s)\n", dev->id, dev->name);

    snprintf(expect, sizeof(expect), "upa://%s/", dev->id);
    if (!http)
    {
      printf("  Device URI:     unknown (CUPS not reachable)\n");
    }
    else if (!upaCupsGetDeviceURI(http, dev->queue, uri, sizeof(uri)))
    {
      printf("  Device URI:     MISSING: %s\n", upaLastErrorString());
      status = UPACTL_FAILED;
    }
    else
    {
      display_uri(uri, shown, sizeof(shown));
      if (strncmp(uri, expect, strlen(expect)))
      {
        printf("  Device URI:     %s  MISMATCH: expected %s<printer URI>\n", shown, expect);
        status = UPACTL_FAILED;
      }
      else
        printf("  Device URI:     %s\n", shown);
    }

    token_cache_state(ctl, dev, cache, sizeof(cache));
    printf("  Token cache:    %s\n", cache);

    if (check)
    {
      upa_client_t	*client;	// Cloud session
      char		token[8192];	// Token (never shown)

      if ((client = upaClientCreate(ctl->cfg, dev)) != NULL && upaClientGetToken(client, false, token, sizeof(token)))
      {
        printf("  Cloud:          reachable, device token ok\n");
      }
      else
      {
        printf("  Cloud:          FAILED: %s\n", upaLastErrorString());
        status = UPACTL_FAILED;
      }

      memset(token, 0, sizeof(token));
      upaClientDelete(client);
    }
  }

  httpClose(http);
  upaDeviceListDelete(devices, num_devices);

  return (status);
}


//
// 'display_uri()' - Make a device URI safe to show (no credentials).
//

static void
display_uri(const char *uri,		// I - Device URI
            char       *buffer,		// O - URI to show
            size_t     bufsize)		// I - Size of buffer
{
  const char	*real;			// Real URI inside upa://


  if (!strncmp(uri, "upa://", 6) && (real = strchr(uri + 6, '/')) != NULL)
  {
    char	inner[1024];		// Real URI without credentials
    int		idlen = (int)(real - uri);
					// Length of "upa://<id>"

    strip_credentials(real + 1, inner, sizeof(inner));
    snprintf(buffer, bufsize, "%.*s/%s", idlen, uri, inner);
  }
  else
    strip_credentials(uri, buffer, bufsize);
}


//
// 'fail()' - Print "upactl: <what failed>: <what to do>" and return 1.
//

static int				// O - UPACTL_FAILED
fail(const char *format,		// I - "what failed: what to do" (printf format)
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
// 'get_option()' - Match "--name value" or "--name=value".
//

static bool				// O - true if argv[*i] was this option
get_option(int        argc,		// I - Number of arguments
           char       *argv[],		// I - Arguments
           int        *i,		// IO - Current index
           const char *name,		// I - Option name
           const char **value)		// O - Value
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
// 'get_queue_info()' - Check a queue exists and get its make and model.
//

static bool				// O - true if the queue exists
get_queue_info(http_t     *http,	// I - Connection to cupsd
               const char *queue,	// I - Queue name
               char       *make_model,	// O - printer-make-and-model
               size_t     mmsize,	// I - Size of make_model
               bool       *exists)	// O - false if CUPS says "not found"
{
  ipp_t		*request,		// Get-Printer-Attributes
		*response;		// Response
  ipp_attribute_t *attr;		// printer-make-and-model
  char		uri[1024];		// printer-uri
  static const char * const requested[] =
  {					// Attributes
    "printer-make-and-model",
    "printer-name"
  };


  *make_model = '\0';
  *exists     = true;

  httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof(uri), "ipp", NULL, "localhost", 0, "/printers/%s", queue);

  request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", (int)(sizeof(requested) / sizeof(requested[0])), NULL, requested);

  response = cupsDoRequest(http, request, "/");

  if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND)
  {
    *exists = false;
    ippDelete(response);
    return (false);
  }
  else if (cupsLastError() > IPP_STATUS_OK_CONFLICTING || !response)
  {
    ippDelete(response);
    return (false);
  }

  if ((attr = ippFindAttribute(response, "printer-make-and-model", IPP_TAG_TEXT)) != NULL)
    snprintf(make_model, mmsize, "%s", ippGetString(attr, 0, NULL));

  ippDelete(response);

  return (true);
}


//
// 'load_config()' - Load the configuration once (say why if it fails).
//

static bool				// O - true on success
load_config(upactl_t *ctl)		// I - Global state
{
  if (ctl->cfg)
    return (true);

  if ((ctl->cfg = upaConfigLoad(ctl->config_path)) == NULL)
  {
    fail("cannot load the configuration (%s): fix the file or name another one with -c", upaLastErrorString());
    return (false);
  }

  return (true);
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
// 'strip_credentials()' - Remove "user:password@" from a URI.
//

static void
strip_credentials(const char *uri,	// I - URI
                  char       *buffer,	// O - URI without credentials
                  size_t     bufsize)	// I - Size of buffer
{
  char		scheme[64],		// Scheme
		userpass[256],		// Username:password
		host[256],		// Host
		resource[1024];		// Resource
  int		port;			// Port


  if (httpSeparateURI(HTTP_URI_CODING_ALL, uri, scheme, sizeof(scheme), userpass, sizeof(userpass), host, sizeof(host), &port, resource, sizeof(resource)) >= HTTP_URI_STATUS_OK && userpass[0])
  {
    if (httpAssembleURI(HTTP_URI_CODING_ALL, buffer, (int)bufsize, scheme, NULL, host, port, resource) >= HTTP_URI_STATUS_OK)
      return;
  }

  snprintf(buffer, bufsize, "%s", uri);
}


//
// 'token_cache_state()' - Describe the cached device token (never the token).
//

static void
token_cache_state(upactl_t           *ctl,
					// I - Global state
                  const upa_device_t *dev,
					// I - Device
                  char               *buffer,
					// O - Description
                  size_t             bufsize)
					// I - Size of buffer
{
  char		path[1200];		// Cache file
  json_object	*json,			// Cache contents
		*value;			// "expires"
  time_t	expires,		// Expiry time
		now = time(NULL);	// Current time
  char		when[64];		// Expiry as text
  struct tm	tmbuf;			// Local time


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

  if ((json = json_object_from_file(path)) == NULL || !json_object_object_get_ex(json, "expires", &value) || (expires = (time_t)json_object_get_int64(value)) <= 0)
  {
    snprintf(buffer, bufsize, "unusable (%s); it is replaced on next use", path);
    json_object_put(json);
    return;
  }

  json_object_put(json);

  if (localtime_r(&expires, &tmbuf))
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tmbuf);
  else
    snprintf(when, sizeof(when), "%lld", (long long)expires);

  if (expires > now)
    snprintf(buffer, bufsize, "valid for %ld min (until %s)", (long)((expires - now) / 60), when);
  else
    snprintf(buffer, bufsize, "expired %ld min ago (%s); renewed on next use", (long)((now - expires) / 60), when);
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


//
// 'usage_command()' - Show the usage of one command.
//

static int				// O - status
usage_command(const upactl_cmd_t *cmd,	// I - Command
              FILE               *fp,	// I - Where to print
              int                status)// I - Exit status to return
{
  fprintf(fp, "Usage: upactl [-c CONFIG] [-v] %s %s\n%s\n", cmd->name, cmd->usage, cmd->summary);

  return (status);
}
