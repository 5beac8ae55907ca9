//
// upa-release: release a user's held Universal Print jobs to a CUPS queue.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//
//   upa-release --printer QUEUE --user UPN (--all | --job ID... | --list)
//               [--json] [--recover] [-c CONFIG] [-v]
//   upa-release --recover [-c CONFIG] [-v]
//
// The logic lives in libupa (release.c); this program only parses options,
// opens the cloud session, CUPS and the journal, and reports.  Exit status:
//
//   0  every requested job was released
//   1  usage or configuration error
//   2  no jobs waiting for this user
//   3  some jobs failed (others may have printed)
//   4  cloud unreachable or busy
//   5  authentication or device error (token refused, device not registered)
//   6  local CUPS error or queue not ready
//

#include "upa.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#ifndef PACKAGE_VERSION
#  define PACKAGE_VERSION "unknown"
#endif // !PACKAGE_VERSION


//
// Exit codes...
//

#define EXIT_RELEASED	0		// All requested jobs released
#define EXIT_USAGE	1		// Usage or configuration error
#define EXIT_NOJOBS	2		// No jobs for this user
#define EXIT_SOMEFAILED	3		// Some jobs failed
#define EXIT_CLOUD	4		// Cloud unreachable/busy
#define EXIT_AUTH	5		// Authentication/device error
#define EXIT_CUPS	6		// Local CUPS/queue not ready


//
// Local types...
//

typedef struct release_opts_s		// Command-line options
{
  const char	*printer;		// --printer QUEUE
  const char	*user;			// --user UPN
  const char	*config;		// -c CONFIG
  bool		all;			// --all
  bool		list;			// --list
  bool		json;			// --json
  bool		recover;		// --recover
  bool		verbose;		// -v
  int		num_ids;		// Number of --job IDs
  int		ids[256];		// --job IDs
} release_opts_t;


//
// Local functions...
//

static int	error_exit(upa_error_t err);
static void	json_print(json_object *json);
static int	list_jobs(const release_opts_t *opts, upa_jobinfo_t *jobs, int num_jobs);
static void	log_cb(void *data, upa_loglevel_t level, const char *message);
static bool	parse_ids(release_opts_t *opts, const char *arg);
static void	progress_cb(void *data, const upa_release_t *progress);
static int	release_jobs(const release_opts_t *opts, upa_client_t *client, http_t *cups, upa_journal_t *journal, const char *user_uri, upa_jobinfo_t *jobs, int num_jobs);
static int	usage(FILE *fp, int status);


//
// 'main()' - Parse options and run the release.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  release_opts_t	opts;		// Options
  int			i;		// Looping var
  upa_config_t		*cfg = NULL;	// Configuration
  upa_device_t		*dev = NULL;	// Device of the queue
  upa_client_t		*client = NULL;	// Cloud session
  http_t		*cups = NULL;	// Local cupsd
  upa_journal_t		*journal = NULL;// Release journal
  ipp_t			*response = NULL;
					// Get-Jobs response
  upa_jobinfo_t		*jobs = NULL;	// Jobs waiting for the user
  int			num_jobs = 0;	// Number of jobs
  char			user_uri[512],	// mailto:UPN
			why[1024];	// Why the queue is not ready
  int			status = EXIT_USAGE;
					// Exit status
  bool			privileged = getuid() != geteuid() || getgid() != getegid();
					// Running setuid/setgid?


  signal(SIGPIPE, SIG_IGN);
  memset(&opts, 0, sizeof(opts));

  // A setgid program must not take its configuration from the caller
  if (privileged)
    unsetenv("UPA_CONFIG");

  for (i = 1; i < argc; i ++)
  {
    const char *arg = argv[i];		// Current argument

    if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
      return (usage(stdout, EXIT_RELEASED));
    else if (!strcmp(arg, "--version"))
    {
      puts("upa-release (cups-upa) " PACKAGE_VERSION);
      return (EXIT_RELEASED);
    }
    else if (!strcmp(arg, "--all"))
      opts.all = true;
    else if (!strcmp(arg, "--list"))
      opts.list = true;
    else if (!strcmp(arg, "--json"))
      opts.json = true;
    else if (!strcmp(arg, "--recover"))
      opts.recover = true;
    else if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose"))
      opts.verbose = true;
    else if (!strcmp(arg, "--printer") || !strcmp(arg, "-p") || !strcmp(arg, "--user") || !strcmp(arg, "-u") || !strcmp(arg, "-c") || !strcmp(arg, "--config") || !strcmp(arg, "--job") || !strcmp(arg, "-j"))
    {
      if (++ i >= argc || !argv[i][0])
      {
        fprintf(stderr, "upa-release: %s needs a value\n", arg);
        return (usage(stderr, EXIT_USAGE));
      }

      if (!strcmp(arg, "--printer") || !strcmp(arg, "-p"))
        opts.printer = argv[i];
      else if (!strcmp(arg, "--user") || !strcmp(arg, "-u"))
        opts.user = argv[i];
      else if (!strcmp(arg, "-c") || !strcmp(arg, "--config"))
        opts.config = argv[i];
      else if (!parse_ids(&opts, argv[i]))
        return (usage(stderr, EXIT_USAGE));
    }
    else if (opts.num_ids > 0 && arg[0] != '-')
    {
      // "--job 1 2 3"
      if (!parse_ids(&opts, arg))
        return (usage(stderr, EXIT_USAGE));
    }
    else
    {
      fprintf(stderr, "upa-release: unknown option \"%s\"\n", arg);
      return (usage(stderr, EXIT_USAGE));
    }
  }

  // Check what to do...
  if ((opts.all ? 1 : 0) + (opts.list ? 1 : 0) + (opts.num_ids > 0 ? 1 : 0) > 1)
  {
    fputs("upa-release: use only one of --all, --job and --list\n", stderr);
    return (usage(stderr, EXIT_USAGE));
  }

  if (!opts.all && !opts.list && opts.num_ids == 0 && !opts.recover)
  {
    fputs("upa-release: say what to do: --all, --job ID, --list or --recover\n", stderr);
    return (usage(stderr, EXIT_USAGE));
  }

  if ((opts.all || opts.list || opts.num_ids > 0) && (!opts.printer || !opts.user))
  {
    fputs("upa-release: --printer QUEUE and --user UPN are required\n", stderr);
    return (usage(stderr, EXIT_USAGE));
  }

  if (opts.config && privileged && getuid() != 0)
  {
    fputs("upa-release: -c is not allowed when upa-release runs setgid; use the default configuration\n", stderr);
    return (EXIT_USAGE);
  }

  if (opts.user)
  {
    if (!strncasecmp(opts.user, "mailto:", 7))
      snprintf(user_uri, sizeof(user_uri), "%s", opts.user);
    else
      snprintf(user_uri, sizeof(user_uri), "mailto:%s", opts.user);

    if (!strchr(user_uri, '@') || strpbrk(user_uri, " \t\r\n\"<>"))
    {
      fprintf(stderr, "upa-release: \"%s\" is not a user principal name (user@domain)\n", opts.user);
      return (EXIT_USAGE);
    }
  }

  // Load configuration and set up logging...
  upaLogSetCallback(log_cb, NULL);
  upaLogSetLevel(UPA_LOG_WARN);

  if ((cfg = upaConfigLoad(opts.config)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    return (EXIT_USAGE);
  }

  // Results go to stdout; stderr gets warnings and errors (everything with -v)
  upaLogSetLevel(opts.verbose ? UPA_LOG_DEBUG : cfg->log_level > UPA_LOG_WARN ? cfg->log_level : UPA_LOG_WARN);

  // Local CUPS and the journal: recovery comes before anything new
  if ((cups = upaCupsConnect(cfg)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    status = error_exit(upaLastError());
    goto done;
  }

  if ((journal = upaJournalOpen(cfg)) == NULL)
  {
    fprintf(stderr, "upa-release: cannot open the release journal: %s\n", upaLastErrorString());
    status = EXIT_USAGE;
    goto done;
  }

  if ((i = upaReleaseRecover(cfg, cups, journal)) < 0)
  {
    fprintf(stderr, "upa-release: recovery of interrupted releases failed: %s\n", upaLastErrorString());
    status = error_exit(upaLastError());
    goto done;
  }
  else if (i > 0)
    fprintf(stderr, "upa-release: recovered %d interrupted release(s)%s\n", i, opts.verbose ? "" : " (-v shows what was done)");

  if (!opts.all && !opts.list && opts.num_ids == 0)
  {
    status = EXIT_RELEASED;		// --recover only
    goto done;
  }

  // The queue and its cloud identity...
  if ((dev = upaDeviceFindQueue(cfg, opts.printer)) == NULL)
  {
    if (upaLastError() == UPA_ERROR_DEVICE)
      fprintf(stderr, "upa-release: queue %s is not registered with Universal Print: run 'upactl register %s'\n", opts.printer, opts.printer);
    else
      fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    status = error_exit(upaLastError());
    goto done;
  }

  if (!opts.list && !upaCupsQueueReady(cups, dev->queue, why, sizeof(why)))
  {
    fprintf(stderr, "upa-release: %s; fix the printer or release at another one\n", why);
    status = EXIT_CUPS;
    goto done;
  }

  if ((client = upaClientCreate(cfg, dev)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    status = error_exit(upaLastError());
    goto done;
  }

  // The user's jobs...
  if ((response = upaInfraGetJobs(client, user_uri)) == NULL)
  {
    fprintf(stderr, "upa-release: cannot list the jobs of %s: %s\n", opts.user, upaLastErrorString());
    status = error_exit(upaLastError());
    goto done;
  }

  if ((num_jobs = upaInfraJobList(response, &jobs)) < 0)
  {
    fprintf(stderr, "upa-release: cannot read the job list: %s\n", upaLastErrorString());
    status = EXIT_CLOUD;
    goto done;
  }

  if (opts.list)
    status = list_jobs(&opts, jobs, num_jobs);
  else
    status = release_jobs(&opts, client, cups, journal, user_uri, jobs, num_jobs);

  done:

  free(jobs);
  ippDelete(response);
  upaClientDelete(client);
  upaDeviceDelete(dev);
  upaJournalClose(journal);
  httpClose(cups);
  upaConfigDelete(cfg);

  return (status);
}


//
// 'error_exit()' - Map an error class to an exit status.
//

static int				// O - Exit status
error_exit(upa_error_t err)		// I - Error class
{
  switch (err)
  {
    case UPA_ERROR_NETWORK :
    case UPA_ERROR_BUSY :
    case UPA_ERROR_HTTP :
    case UPA_ERROR_PROTOCOL :
    case UPA_ERROR_IPP :
    case UPA_ERROR_NOT_FOUND :
    case UPA_ERROR_NOT_FETCHABLE :
    case UPA_ERROR_NOT_POSSIBLE :
        return (EXIT_CLOUD);

    case UPA_ERROR_AUTH :
    case UPA_ERROR_DEVICE :
        return (EXIT_AUTH);

    case UPA_ERROR_CUPS :
        return (EXIT_CUPS);

    default :
        return (EXIT_USAGE);
  }
}


//
// 'json_print()' - Print a JSON document on stdout and free it.
//

static void
json_print(json_object *json)		// I - Document
{
  puts(json_object_to_json_string_ext(json, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(json);
}


//
// 'list_jobs()' - Print the jobs waiting for the user.
//

static int				// O - Exit status
list_jobs(const release_opts_t *opts,	// I - Options
          upa_jobinfo_t        *jobs,	// I - Jobs
          int                  num_jobs)// I - Number of jobs
{
  int		i;			// Looping var
  int		shown = 0;		// Jobs shown
  char		when[64];		// Creation time
  json_object	*json = NULL,		// Document
		*array = NULL,		// Jobs
		*obj;			// One job


  if (opts->json)
  {
    json  = json_object_new_object();
    array = json_object_new_array();
    json_object_object_add(json, "printer", json_object_new_string(opts->printer));
    json_object_object_add(json, "user", json_object_new_string(opts->user));
    json_object_object_add(json, "jobs", array);
  }

  for (i = 0; i < num_jobs; i ++)
  {
    if (jobs[i].state >= IPP_JSTATE_CANCELED)
      continue;

    shown ++;

    when[0] = '\0';
    if (jobs[i].created > 0)
    {
      struct tm tmbuf;			// Local time

      strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime_r(&jobs[i].created, &tmbuf));
    }

    if (json)
    {
      obj = json_object_new_object();
      json_object_object_add(obj, "id", json_object_new_int(jobs[i].id));
      json_object_object_add(obj, "name", json_object_new_string(jobs[i].name));
      json_object_object_add(obj, "owner", json_object_new_string(jobs[i].owner));
      json_object_object_add(obj, "state", json_object_new_string(ippEnumString("job-state", (int)jobs[i].state)));
      json_object_object_add(obj, "format", json_object_new_string(jobs[i].format));
      json_object_object_add(obj, "copies", json_object_new_int(jobs[i].copies));
      json_object_object_add(obj, "pages", json_object_new_int(jobs[i].pages));
      json_object_object_add(obj, "sizeK", json_object_new_int64(jobs[i].size_k));
      json_object_object_add(obj, "created", jobs[i].created > 0 ? json_object_new_int64((int64_t)jobs[i].created) : NULL);
      json_object_array_add(array, obj);
    }
    else
    {
      printf("job %d '%s'", jobs[i].id, jobs[i].name[0] ? jobs[i].name : "(untitled)");
      if (jobs[i].pages > 0)
        printf(", %d page%s", jobs[i].pages, jobs[i].pages == 1 ? "" : "s");
      if (jobs[i].copies > 1)
        printf(", %d copies", jobs[i].copies);
      if (jobs[i].size_k > 0)
        printf(", %lld KB", jobs[i].size_k);
      if (when[0])
        printf(", sent %s", when);
      putchar('\n');
    }
  }

  if (json)
    json_print(json);
  else if (shown == 0)
    printf("no jobs waiting for %s\n", opts->user);

  return (shown > 0 ? EXIT_RELEASED : EXIT_NOJOBS);
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
parse_ids(release_opts_t *opts,		// I - Options
          const char     *arg)		// I - Argument
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

    if (opts->num_ids >= (int)(sizeof(opts->ids) / sizeof(opts->ids[0])))
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
// 'progress_cb()' - Show release progress with -v.
//

static void
progress_cb(void                *data,	// I - Options
            const upa_release_t *progress)
					// I - Progress
{
  const release_opts_t	*opts = (const release_opts_t *)data;
					// Options
  static const char * const stages[] =	// Stage names
  {
    "ticket mapped", "held CUPS job created", "fetching", "document complete", "claimed in the cloud", "released"
  };


  if (!opts->verbose || progress->stage == UPA_RSTAGE_FETCHING)
    return;

  fprintf(stderr, "upa-release: job %d: %s (CUPS job %d, %lld bytes)\n", progress->cloud_job_id, stages[progress->stage], progress->cups_job_id, progress->bytes);
}


//
// 'release_jobs()' - Release all or the requested jobs.
//

static int				// O - Exit status
release_jobs(
    const release_opts_t *opts,		// I - Options
    upa_client_t         *client,	// I - Cloud session
    http_t               *cups,		// I - Local cupsd
    upa_journal_t        *journal,	// I - Journal
    const char           *user_uri,	// I - mailto:UPN
    upa_jobinfo_t        *jobs,		// I - Jobs waiting
    int                  num_jobs)	// I - Number of jobs
{
  int		i,			// Looping var
		j,			// Looping var
		num_todo = 0,		// Jobs to release
		released = 0,		// Jobs released
		failed = 0;		// Jobs that failed
  int		todo[256];		// Cloud job-ids to release
  const char	*names[256];		// Their names
  upa_error_t	last_err = UPA_ERROR_NONE;
					// Class of the last failure
  bool		same_err = true;	// All failures of the same class?
  bool		stop = false;		// Give up on the remaining jobs?
  upa_release_t	result;			// One release
  json_object	*json = NULL,		// Document
		*array = NULL,		// Results
		*obj;			// One result


  // What to release...
  if (opts->all)
  {
    for (i = 0; i < num_jobs && num_todo < (int)(sizeof(todo) / sizeof(todo[0])); i ++)
    {
      if (jobs[i].state >= IPP_JSTATE_CANCELED)
        continue;

      names[num_todo]  = jobs[i].name;
      todo[num_todo ++] = jobs[i].id;
    }

    if (num_todo == 0)
    {
      if (opts->json)
      {
        json = json_object_new_object();
        json_object_object_add(json, "printer", json_object_new_string(opts->printer));
        json_object_object_add(json, "user", json_object_new_string(opts->user));
        json_object_object_add(json, "jobs", json_object_new_array());
        json_print(json);
      }
      else
        printf("no jobs waiting for %s\n", opts->user);

      return (EXIT_NOJOBS);
    }
  }
  else
  {
    for (i = 0; i < opts->num_ids; i ++)
    {
      names[num_todo]  = "";
      for (j = 0; j < num_jobs; j ++)
        if (jobs[j].id == opts->ids[i])
          names[num_todo] = jobs[j].name;
      todo[num_todo ++] = opts->ids[i];
    }

    if (num_jobs == 0)
    {
      fprintf(stderr, "upa-release: no jobs waiting for %s\n", opts->user);
      return (EXIT_NOJOBS);
    }
  }

  if (opts->json)
  {
    json  = json_object_new_object();
    array = json_object_new_array();
    json_object_object_add(json, "printer", json_object_new_string(opts->printer));
    json_object_object_add(json, "user", json_object_new_string(opts->user));
    json_object_object_add(json, "jobs", array);
  }

  // Release them, one at a time...
  for (i = 0; i < num_todo; i ++)
  {
    bool	ok;			// Released?
    bool	listed = opts->all;	// In the user's list?

    memset(&result, 0, sizeof(result));

    for (j = 0; !listed && j < num_jobs; j ++)
      listed = jobs[j].id == todo[i] && jobs[j].state < IPP_JSTATE_CANCELED;

    if (stop)
      ok = false;
    else if (!listed)
    {
      ok = false;
      upaSetError(UPA_ERROR_NOT_FOUND, "Job %d is not waiting for %s", todo[i], opts->user);
    }
    else
      ok = upaReleaseJob(client, cups, journal, opts->printer, user_uri, todo[i], progress_cb, (void *)opts, &result);

    if (ok)
    {
      released ++;

      if (json)
      {
        char cupsjob[300];		// "Floor3-17"

        snprintf(cupsjob, sizeof(cupsjob), "%s-%d", opts->printer, result.cups_job_id);
        obj = json_object_new_object();
        json_object_object_add(obj, "id", json_object_new_int(todo[i]));
        json_object_object_add(obj, "name", json_object_new_string(result.ticket.title));
        json_object_object_add(obj, "released", json_object_new_boolean(1));
        json_object_object_add(obj, "cupsJob", json_object_new_string(cupsjob));
        json_object_object_add(obj, "cupsJobId", json_object_new_int(result.cups_job_id));
        json_object_object_add(obj, "bytes", json_object_new_int64(result.bytes));
        if (result.ticket.ignored[0])
          json_object_object_add(obj, "ignored", json_object_new_string(result.ticket.ignored));
        json_object_array_add(array, obj);
      }
      else
        printf("released job %d '%s' as CUPS job %s-%d (%lld bytes)\n", todo[i], result.ticket.title, opts->printer, result.cups_job_id, result.bytes);
    }
    else
    {
      const char	*message = stop ? "not attempted after the previous error" : upaLastErrorString();
					// Why
      upa_error_t	err = stop ? last_err : upaLastError();
					// Error class

      failed ++;

      if (last_err != UPA_ERROR_NONE && err != last_err)
        same_err = false;
      last_err = err;

      if (json)
      {
        obj = json_object_new_object();
        json_object_object_add(obj, "id", json_object_new_int(todo[i]));
        json_object_object_add(obj, "name", json_object_new_string(names[i]));
        json_object_object_add(obj, "released", json_object_new_boolean(0));
        json_object_object_add(obj, "error", json_object_new_string(message));
        json_object_object_add(obj, "errorClass", json_object_new_string(upaErrorName(err)));
        json_object_array_add(array, obj);
      }

      fprintf(stderr, "upa-release: job %d%s%s%s not released: %s\n", todo[i], names[i][0] ? " '" : "", names[i], names[i][0] ? "'" : "", message);

      // Nothing else will work while the cloud, the device or CUPS is down
      if (err == UPA_ERROR_NETWORK || err == UPA_ERROR_AUTH || err == UPA_ERROR_DEVICE || err == UPA_ERROR_CUPS)
        stop = true;
    }

    upaReleaseClear(&result);
  }

  if (json)
  {
    json_object_object_add(json, "released", json_object_new_int(released));
    json_object_object_add(json, "failed", json_object_new_int(failed));
    json_print(json);
  }

  if (failed == 0)
    return (EXIT_RELEASED);

  // Nothing printed and one cause: say which
  if (released == 0 && same_err && (last_err == UPA_ERROR_NETWORK || last_err == UPA_ERROR_BUSY || last_err == UPA_ERROR_AUTH || last_err == UPA_ERROR_DEVICE || last_err == UPA_ERROR_CUPS))
    return (error_exit(last_err));

  return (EXIT_SOMEFAILED);
}


//
// 'usage()' - Show program usage.
//

static int				// O - Exit status
usage(FILE *fp,				// I - Output
      int  status)			// I - Exit status
{
  fputs("Usage: upa-release --printer QUEUE --user UPN (--all | --job ID... | --list) [options]\n"
        "       upa-release --recover [options]\n"
        "\n"
        "Release Universal Print jobs held for a user to a local CUPS queue.\n"
        "\n"
        "Options:\n"
        "  -p, --printer QUEUE  CUPS queue registered with Universal Print\n"
        "  -u, --user UPN       User whose jobs to release (user@domain)\n"
        "  --all                Release all of the user's jobs\n"
        "  -j, --job ID[,ID]    Release these jobs (repeatable)\n"
        "  --list               List the user's jobs and release nothing\n"
        "  --json               Print results as JSON\n"
        "  --recover            Finish releases an earlier crash interrupted\n"
        "                       (always done first; alone, it is all that is done)\n"
        "  -c, --config FILE    Configuration file (default $UPA_CONFIG or " UPA_CONFIG_FILE ")\n"
        "  -v, --verbose        Show progress and debug messages\n"
        "  --help               Show this help\n"
        "  --version            Show the version\n"
        "\n"
        "Exit status: 0 released, 1 usage/config error, 2 no jobs, 3 some jobs failed,\n"
        "4 cloud unreachable/busy, 5 authentication/device error, 6 CUPS/queue not ready.\n", fp);

  return (status);
}
