//
// upa-release scripting mode: --list / --all / --job for other front ends and tests.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Output is stable: one line per job on stdout (or one JSON document with
// --json), diagnostics on stderr, exit codes from release.h.
//

#include "release.h"
#include <json-c/json.h>
#include <stdlib.h>
#include <signal.h>


//
// Local functions...
//

static void	json_print(json_object *json);
static int	list_jobs(const rel_opts_t *opts, rel_job_t *jobs, int num_jobs);
static void	progress_cb(void *data, const upa_release_t *progress);
static int	release_jobs(const rel_opts_t *opts, upa_client_t *client, http_t *cups, upa_journal_t *journal, const char *user_uri, rel_job_t *jobs, int num_jobs);


//
// 'relScript()' - List or release the jobs of --user at --printer.
//

int					// O - Exit status
relScript(rel_station_t *st)		// I - Station
{
  rel_opts_t	*opts = st->opts;	// Options
  upa_device_t	*dev = NULL;		// Device of the queue
  upa_client_t	*client = NULL;		// Cloud session
  rel_job_t	*jobs = NULL;		// Jobs waiting for the user
  int		num_jobs;		// Number of jobs
  char		user_uri[512],		// mailto:UPN
		why[1024];		// Why the queue is not ready
  int		status;			// Exit status


  relUserURI(opts->user, user_uri, sizeof(user_uri));

  // The queue and its cloud identity...
  if ((dev = upaDeviceFindQueue(st->cfg, opts->printer)) == NULL)
  {
    if (upaLastError() == UPA_ERROR_DEVICE)
      fprintf(stderr, "upa-release: queue %s is not registered with Universal Print: run 'upactl register %s'\n", opts->printer, opts->printer);
    else
      fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    return (relErrorExit(upaLastError()));
  }

  // Never fetch into a printer that cannot print
  if (!opts->list && !upaCupsQueueReady(st->cups, dev->queue, why, sizeof(why)))
  {
    fprintf(stderr, "upa-release: %s; fix the printer or release at another one\n", why);
    status = REL_EXIT_CUPS;
    goto done;
  }

  if ((client = upaClientCreate(st->cfg, dev)) == NULL)
  {
    fprintf(stderr, "upa-release: %s\n", upaLastErrorString());
    status = relErrorExit(upaLastError());
    goto done;
  }

  // The user's jobs...
  if ((num_jobs = relGetJobs(client, user_uri, opts->job_lifetime, &jobs)) < 0)
  {
    fprintf(stderr, "upa-release: cannot list the jobs of %s: %s\n", opts->user, upaLastErrorString());
    status = relErrorExit(upaLastError());
    goto done;
  }

  if (opts->list)
    status = list_jobs(opts, jobs, num_jobs);
  else
    status = release_jobs(opts, client, st->cups, st->journal, user_uri, jobs, num_jobs);

  done:

  free(jobs);
  upaClientDelete(client);
  upaDeviceDelete(dev);

  return (status);
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
list_jobs(const rel_opts_t *opts,	// I - Options
          rel_job_t            *jobs,	// I - Jobs
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
    if (jobs[i].info.state >= IPP_JSTATE_CANCELED)
      continue;

    shown ++;

    when[0] = '\0';
    if (jobs[i].info.created > 0)
    {
      struct tm tmbuf;			// Local time

      strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime_r(&jobs[i].info.created, &tmbuf));
    }

    if (json)
    {
      obj = json_object_new_object();
      json_object_object_add(obj, "id", json_object_new_int(jobs[i].info.id));
      json_object_object_add(obj, "name", json_object_new_string(jobs[i].info.name));
      json_object_object_add(obj, "owner", json_object_new_string(jobs[i].info.owner));
      json_object_object_add(obj, "state", json_object_new_string(ippEnumString("job-state", (int)jobs[i].info.state)));
      json_object_object_add(obj, "format", json_object_new_string(jobs[i].info.format));
      json_object_object_add(obj, "copies", json_object_new_int(jobs[i].info.copies));
      json_object_object_add(obj, "pages", json_object_new_int(jobs[i].info.pages));
      json_object_object_add(obj, "sizeK", json_object_new_int64(jobs[i].info.size_k));
      json_object_object_add(obj, "created", jobs[i].info.created > 0 ? json_object_new_int64((int64_t)jobs[i].info.created) : NULL);
      json_object_object_add(obj, "expires", jobs[i].expires > 0 ? json_object_new_int64((int64_t)jobs[i].expires) : NULL);
      json_object_object_add(obj, "sides", jobs[i].sides[0] ? json_object_new_string(jobs[i].sides) : NULL);
      json_object_object_add(obj, "printColorMode", jobs[i].color[0] ? json_object_new_string(jobs[i].color) : NULL);
      json_object_array_add(array, obj);
    }
    else
    {
      char name[sizeof(jobs[i].info.name)];
					// Job name without control characters (a tenant user chose it)

      upaTextStripControl(name, sizeof(name), jobs[i].info.name);
      printf("job %d '%s'", jobs[i].info.id, name[0] ? name : "(untitled)");
      if (jobs[i].info.pages > 0)
        printf(", %d page%s", jobs[i].info.pages, jobs[i].info.pages == 1 ? "" : "s");
      if (jobs[i].info.copies > 1)
        printf(", %d copies", jobs[i].info.copies);
      if (jobs[i].info.size_k > 0)
        printf(", %lld KB", jobs[i].info.size_k);
      if (when[0])
        printf(", sent %s", when);
      putchar('\n');
    }
  }

  if (json)
    json_print(json);
  else if (shown == 0)
    printf("no jobs waiting for %s\n", opts->user);

  return (shown > 0 ? REL_EXIT_RELEASED : REL_EXIT_NOJOBS);
}


//
// 'progress_cb()' - Show release progress with -v.
//

static void
progress_cb(void                *data,	// I - Options
            const upa_release_t *progress)
					// I - Progress
{
  const rel_opts_t	*opts = (const rel_opts_t *)data;
					// Options
  static const char * const stages[] =	// Stage names
  {
    "ticket mapped", "held CUPS job created", "fetching", "document complete", "claimed in the cloud", "released"
  };
  static const char * const stage_names[] =
  {					// Names for UPA_RELEASE_STOP_AT
    "ticket", "created", "fetching", "fetched", "acked", "released"
  };
  static const char	*stop_at = NULL;// Test hook
  static bool		checked = false,// Looked at the environment?
			stopped = false;// Stopped once already?


  if (!checked)
  {
    checked = true;
    if (getuid() == geteuid() && getgid() == getegid())
      stop_at = getenv("UPA_RELEASE_STOP_AT");
  }


  // Crash tests (tests/integration/release-races.sh): stop here so the test
  // can kill -9 the process at an exact step of the protocol
  if (stop_at && !strcmp(stop_at, stage_names[progress->stage]) && !stopped)
  {
    stopped = true;
    fprintf(stderr, "upa-release: UPA_RELEASE_STOP_AT=%s: stopping\n", stop_at);
    raise(SIGSTOP);
  }

  if (!opts->verbose || progress->stage == UPA_RSTAGE_FETCHING)
    return;

  fprintf(stderr, "upa-release: job %d: %s (CUPS job %d, %lld bytes)\n", progress->cloud_job_id, stages[progress->stage], progress->cups_job_id, progress->bytes);
}


//
// 'release_jobs()' - Release all or the requested jobs.
//

static int				// O - Exit status
release_jobs(
    const rel_opts_t *opts,		// I - Options
    upa_client_t         *client,	// I - Cloud session
    http_t               *cups,		// I - Local cupsd
    upa_journal_t        *journal,	// I - Journal
    const char           *user_uri,	// I - mailto:UPN
    rel_job_t            *jobs,		// I - Jobs waiting
    int                  num_jobs)	// I - Number of jobs
{
  int		i,			// Looping var
		j,			// Looping var
		num_todo = 0,		// Jobs to release
		released = 0,		// Jobs released
		failed = 0;		// Jobs that failed
  int		*todo;			// Cloud job-ids to release
  const char	**names;		// Their names
  int		status;			// Exit status
  upa_error_t	last_err = UPA_ERROR_NONE;
					// Class of the last failure
  bool		same_err = true;	// All failures of the same class?
  bool		stop = false;		// Give up on the remaining jobs?
  upa_release_t	result;			// One release
  json_object	*json = NULL,		// Document
		*array = NULL,		// Results
		*obj;			// One result


  // What to release: every job listed (--all), or the --job IDs
  todo  = calloc((size_t)(num_jobs > opts->num_ids ? num_jobs : opts->num_ids) + 1, sizeof(int));
  names = calloc((size_t)(num_jobs > opts->num_ids ? num_jobs : opts->num_ids) + 1, sizeof(char *));
  if (!todo || !names)
  {
    free(todo);
    free(names);
    fputs("upa-release: out of memory\n", stderr);
    return (REL_EXIT_SOMEFAILED);
  }

  if (opts->all)
  {
    for (i = 0; i < num_jobs; i ++)
    {
      if (jobs[i].info.state >= IPP_JSTATE_CANCELED)
        continue;

      names[num_todo]  = jobs[i].info.name;
      todo[num_todo ++] = jobs[i].info.id;
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

      free(todo);
      free(names);
      return (REL_EXIT_NOJOBS);
    }
  }
  else
  {
    for (i = 0; i < opts->num_ids; i ++)
    {
      names[num_todo]  = "";
      for (j = 0; j < num_jobs; j ++)
        if (jobs[j].info.id == opts->ids[i])
          names[num_todo] = jobs[j].info.name;
      todo[num_todo ++] = opts->ids[i];
    }

    if (num_jobs == 0)
    {
      fprintf(stderr, "upa-release: no jobs waiting for %s\n", opts->user);
      free(todo);
      free(names);
      return (REL_EXIT_NOJOBS);
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
      listed = jobs[j].info.id == todo[i] && jobs[j].info.state < IPP_JSTATE_CANCELED;

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
        if (result.ticket.unsupported[0])
          json_object_object_add(obj, "unsupported", json_object_new_string(result.ticket.unsupported));
        json_object_array_add(array, obj);
      }
      else
        printf("released job %d '%s' as CUPS job %s-%d (%lld bytes)\n", todo[i], result.ticket.title, opts->printer, result.cups_job_id, result.bytes);

      if (result.ticket.ignored[0])
        fprintf(stderr, "upa-release: job %d: not carried over to CUPS: %s\n", todo[i], result.ticket.ignored);
      if (result.ticket.unsupported[0])
        fprintf(stderr, "upa-release: job %d: queue %s cannot honour: %s\n", todo[i], opts->printer, result.ticket.unsupported);
    }
    else
    {
      const char	*message = stop ? "not attempted after the previous error" : upaLastErrorString();
					// Why
      upa_error_t	err = stop ? last_err : upaLastError();
					// Error class

      failed ++;

      // Another station (or an interrupted release) holds the job: a local
      // clash, not the cloud being busy (exit 3, not 4)
      if (!stop && result.held_here)
        err = UPA_ERROR_NOT_FETCHABLE;

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

  free(todo);
  free(names);

  if (failed == 0)
    status = REL_EXIT_RELEASED;
  else if (released == 0 && same_err && (last_err == UPA_ERROR_NETWORK || last_err == UPA_ERROR_BUSY || last_err == UPA_ERROR_SERVER || last_err == UPA_ERROR_AUTH || last_err == UPA_ERROR_DEVICE || last_err == UPA_ERROR_CUPS))
    status = relErrorExit(last_err);	// Nothing printed and one cause: say which
  else
    status = REL_EXIT_SOMEFAILED;

  return (status);
}


