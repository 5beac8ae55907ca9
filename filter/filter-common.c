//
// Shared plumbing for the cups-upa CUPS filters (upa-xpstopdf, upa-pclmtopdf).
//
// The conversion runs in a child process with RLIMIT_AS/RLIMIT_CPU set; the
// parent only waits, forwards SIGTERM and, when the child dies from a signal
// (out of memory inside GLib aborts, CPU limit, crash), prints the single
// ERROR: line CUPS shows to the user and exits 1.  Filters therefore exit
// with 0 or 1 only, whatever the input does to the libraries.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "filter-common.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


//
// Defaults for the child's resource limits (environment overrides them).
//

#define UPA_FILTER_DEF_MEMORY_MB 2048	// RLIMIT_AS of the converting child
#define UPA_FILTER_DEF_CPU_SECS	1800	// RLIMIT_CPU of the converting child
#define UPA_FILTER_TERM_GRACE	10	// Seconds between SIGTERM and SIGKILL

#if defined(__SANITIZE_ADDRESS__)
#  define UPA_FILTER_ASAN 1		// ASan reserves terabytes: no RLIMIT_AS
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define UPA_FILTER_ASAN 1
#  endif
#endif


//
// Globals...
//

volatile sig_atomic_t	upa_filter_canceled = 0;
					// Child: SIGTERM seen

static volatile pid_t	child_pid = 0;	// Parent: converting child
static volatile sig_atomic_t parent_terminated = 0;
					// Parent: SIGTERM seen


//
// Local functions...
//

static void	child_sigterm(int sig);
static void	parent_sigalrm(int sig);
static void	parent_sigterm(int sig);


//
// 'upaFilterEnvLong()' - Read a numeric limit from the environment.
//

long					// O - Value
upaFilterEnvLong(const char *name,	// I - Environment variable
                 long       defval,	// I - Default value
                 long       minval,	// I - Minimum accepted value
                 long       maxval)	// I - Maximum accepted value
{
  const char	*value;			// Environment value
  char		*end;			// End of number
  long		num;			// Parsed number


  if ((value = getenv(name)) == NULL || !*value)
    return (defval);

  errno = 0;
  num   = strtol(value, &end, 10);
  if (errno || *end || num < minval || num > maxval)
  {
    fprintf(stderr, "DEBUG: Ignoring %s=\"%s\" (want %ld..%ld).\n", name, value, minval, maxval);
    return (defval);
  }

  return (num);
}


//
// 'upaFilterParseArgs()' - Parse the CUPS filter command line.
//
// Copies follow man 7 filter: a filter produces copies only when it was given
// a file name (argv[6]); reading stdin means an earlier filter did them.
//

bool					// O - `true` on success, `false` after printing usage
upaFilterParseArgs(
    int               argc,		// I - Number of arguments
    char              *argv[],		// I - Arguments
    const char        *name,		// I - Program name
    upa_filter_args_t *args)		// O - Parsed arguments
{
  const char	*val;			// Option value


  memset(args, 0, sizeof(upa_filter_args_t));
  args->name = name;

  // Until the conversion starts, SIGTERM only interrupts spooling (no SA_RESTART).
  struct sigaction action;		// Signal action

  memset(&action, 0, sizeof(action));
  action.sa_handler = child_sigterm;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL);
  signal(SIGPIPE, SIG_IGN);
  setbuf(stderr, NULL);

  if (argc < 6 || argc > 7)
  {
    fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", name);
    return (false);
  }

  args->job_id      = argv[1];
  args->user        = argv[2];
  args->title       = argv[3];
  args->num_options = cupsParseOptions(argv[5], 0, &args->options);
  args->filename    = argc == 7 ? argv[6] : NULL;
  args->copies      = 1;

  if (args->filename)
  {
    args->copies = atoi(argv[4]);
    if (args->copies < 1 || args->copies > 9999)
      args->copies = 1;
  }

  // Collation: IPP multiple-document-handling first, then the PPD-style option.
  if ((val = cupsGetOption("multiple-document-handling", args->num_options, args->options)) != NULL)
    args->collate = strcmp(val, "separate-documents-uncollated-copies") != 0;
  else if ((val = cupsGetOption("Collate", args->num_options, args->options)) != NULL)
    args->collate = !strcasecmp(val, "true") || !strcasecmp(val, "on") || !strcasecmp(val, "yes");
  else
    args->collate = false;

  return (true);
}


//
// 'upaFilterRun()' - Run the conversion in a resource-limited child process.
//

int					// O - Exit status (0 or 1)
upaFilterRun(const char        *name,	// I - Program name for messages
             upa_filter_func_t func,	// I - Conversion function
             void              *data)	// I - Its data
{
  long			memory_mb;	// Address space limit in MiB (0 = none)
  long			cpu_secs;	// CPU time limit in seconds (0 = none)
  pid_t			pid;		// Child process
  int			status;		// Child's exit status
  struct rusage		usage;		// Child's resource usage
  struct sigaction	action;		// Signal action
  struct rlimit		rl;		// Resource limit


  memory_mb = upaFilterEnvLong("UPA_FILTER_MAX_MEMORY", UPA_FILTER_DEF_MEMORY_MB, 0, 1L << 20);
  cpu_secs  = upaFilterEnvLong("UPA_FILTER_MAX_CPU", UPA_FILTER_DEF_CPU_SECS, 0, 86400L * 7);

  fflush(stdout);
  fflush(stderr);

  if ((pid = fork()) < 0)
  {
    fprintf(stderr, "ERROR: %s: Unable to start the conversion: %s\n", name, strerror(errno));
    return (1);
  }
  else if (pid == 0)
  {
    // Child: cancel cleanly between pages on SIGTERM, within hard limits.
    memset(&action, 0, sizeof(action));
    action.sa_handler = child_sigterm;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);

#ifndef UPA_FILTER_ASAN
    if (memory_mb > 0)
    {
      rl.rlim_cur = rl.rlim_max = (rlim_t)memory_mb * 1024 * 1024;
      if (setrlimit(RLIMIT_AS, &rl))
        fprintf(stderr, "DEBUG: setrlimit(RLIMIT_AS): %s\n", strerror(errno));
    }
#endif // !UPA_FILTER_ASAN

    if (cpu_secs > 0)
    {
      // SIGXCPU at the soft limit, SIGKILL a little later.
      rl.rlim_cur = (rlim_t)cpu_secs;
      rl.rlim_max = (rlim_t)cpu_secs + 5;
      if (setrlimit(RLIMIT_CPU, &rl))
        fprintf(stderr, "DEBUG: setrlimit(RLIMIT_CPU): %s\n", strerror(errno));
    }

    status = (*func)(data);
    fflush(stdout);
    fflush(stderr);
    _exit(status ? 1 : 0);
  }

  // Parent: forward SIGTERM, give the child a grace period, then SIGKILL.
  child_pid = pid;

  memset(&action, 0, sizeof(action));
  sigemptyset(&action.sa_mask);
  action.sa_handler = parent_sigterm;
  sigaction(SIGTERM, &action, NULL);
  action.sa_handler = parent_sigalrm;
  sigaction(SIGALRM, &action, NULL);

  while (wait4(pid, &status, 0, &usage) < 0)
  {
    if (errno != EINTR)
    {
      fprintf(stderr, "ERROR: %s: Lost the conversion process: %s\n", name, strerror(errno));
      return (1);
    }
  }

  alarm(0);
  child_pid = 0;

  fprintf(stderr, "DEBUG: %s: Converter used %ld KiB peak RSS, %ld.%03ld s CPU.\n", name, usage.ru_maxrss, (long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec), (long)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000 % 1000);

  if (WIFEXITED(status))
    return (WEXITSTATUS(status) ? 1 : 0);

  if (WIFSIGNALED(status))
  {
    int sig = WTERMSIG(status);		// Signal that ended the child

    if (parent_terminated)
    {
      fprintf(stderr, "DEBUG: %s: Conversion stopped (job canceled).\n", name);
    }
    else if (sig == SIGXCPU || (sig == SIGKILL && cpu_secs > 0 && usage.ru_utime.tv_sec + usage.ru_stime.tv_sec >= cpu_secs))
    {
      fprintf(stderr, "ERROR: %s: The document needs too much processing time (limit %ld seconds, signal %d).\n", name, cpu_secs, sig);
    }
    else
    {
      fprintf(stderr, "ERROR: %s: The document could not be converted: the converter stopped with signal %d (%s); it is malformed or needs more than %ld MiB of memory.\n", name, sig, strsignal(sig), memory_mb);
    }
  }

  return (1);
}


//
// 'upaFilterSpool()' - Make the input available as a seekable regular file.
//
// libgxps re-opens the package for every part and qpdf seeks, so stdin is
// copied to a temporary file in $TMPDIR (cupsd points it at its TempDir).
//

bool					// O - `true` on success, `false` after an ERROR: line
upaFilterSpool(
    const upa_filter_args_t *args,	// I - Filter arguments
    off_t                   max_bytes,	// I - Largest accepted input
    char                    *path,	// O - Path of a regular file
    size_t                  pathsize,	// I - Size of path buffer
    bool                    *is_temp)	// O - `true` when path must be unlinked
{
  const char	*tmpdir;		// Temporary directory
  int		fd;			// Temporary file
  char		buffer[65536];		// Copy buffer
  ssize_t	bytes;			// Bytes read
  off_t		total = 0;		// Bytes spooled
  struct stat	st;			// File information


  *is_temp = false;

  if (args->filename)
  {
    if (stat(args->filename, &st))
    {
      fprintf(stderr, "ERROR: %s: Unable to open print file \"%s\": %s\n", args->name, args->filename, strerror(errno));
      return (false);
    }
    if (S_ISREG(st.st_mode))
    {
      if (st.st_size > max_bytes)
      {
        fprintf(stderr, "ERROR: %s: The document is too large (%lld bytes, limit %lld).\n", args->name, (long long)st.st_size, (long long)max_bytes);
        return (false);
      }
      snprintf(path, pathsize, "%s", args->filename);
      return (true);
    }
  }

  if ((tmpdir = getenv("TMPDIR")) == NULL || !*tmpdir)
    tmpdir = "/tmp";

  snprintf(path, pathsize, "%s/upa-filter-XXXXXX", tmpdir);
  if ((fd = mkstemp(path)) < 0)
  {
    fprintf(stderr, "ERROR: %s: Unable to create a temporary file in \"%s\": %s\n", args->name, tmpdir, strerror(errno));
    return (false);
  }
  *is_temp = true;

  int in = 0;				// Input file descriptor

  if (args->filename && (in = open(args->filename, O_RDONLY)) < 0)
  {
    fprintf(stderr, "ERROR: %s: Unable to open print file \"%s\": %s\n", args->name, args->filename, strerror(errno));
    goto fail;
  }

  for (;;)
  {
    if ((bytes = read(in, buffer, sizeof(buffer))) < 0)
    {
      if (errno == EINTR && !upa_filter_canceled)
        continue;
      if (upa_filter_canceled)
        fprintf(stderr, "DEBUG: %s: Canceled while spooling.\n", args->name);
      else
        fprintf(stderr, "ERROR: %s: Unable to read the print data: %s\n", args->name, strerror(errno));
      goto fail;
    }
    else if (bytes == 0)
      break;

    if ((total += bytes) > max_bytes)
    {
      fprintf(stderr, "ERROR: %s: The document is too large (more than %lld bytes).\n", args->name, (long long)max_bytes);
      goto fail;
    }

    for (ssize_t done = 0, n; done < bytes; done += n)
    {
      if ((n = write(fd, buffer + done, (size_t)(bytes - done))) < 0)
      {
        if (errno == EINTR)
        {
          n = 0;
          continue;
        }
        fprintf(stderr, "ERROR: %s: Unable to write temporary file: %s\n", args->name, strerror(errno));
        goto fail;
      }
    }
  }

  if (in > 0)
    close(in);
  if (close(fd))
  {
    fprintf(stderr, "ERROR: %s: Unable to write temporary file: %s\n", args->name, strerror(errno));
    unlink(path);
    *is_temp = false;
    return (false);
  }

  fprintf(stderr, "DEBUG: %s: Spooled %lld bytes to \"%s\".\n", args->name, (long long)total, path);
  return (true);

  fail:

  if (in > 0)
    close(in);
  close(fd);
  unlink(path);
  *is_temp = false;
  return (false);
}


//
// 'child_sigterm()' - Note a cancellation; the page loop stops at the next page.
//

static void
child_sigterm(int sig)			// I - Signal number (unused)
{
  (void)sig;

  upa_filter_canceled = 1;
}


//
// 'parent_sigalrm()' - The child ignored SIGTERM for too long: kill it.
//

static void
parent_sigalrm(int sig)			// I - Signal number (unused)
{
  (void)sig;

  if (child_pid > 0)
    kill(child_pid, SIGKILL);
}


//
// 'parent_sigterm()' - Forward SIGTERM to the child and arm the grace timer.
//

static void
parent_sigterm(int sig)			// I - Signal number (unused)
{
  (void)sig;

  parent_terminated = 1;
  if (child_pid > 0)
  {
    kill(child_pid, SIGTERM);
    alarm(UPA_FILTER_TERM_GRACE);
  }
}
