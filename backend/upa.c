//
// "upa" backend for CUPS: print through the real device URI, report the job
// to Universal Print Anywhere.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//
//   upa                                           (device discovery)
//   upa job-id user title copies options [file]   (print a job)
//
// The device URI is "upa://<cloud-device-id>/<real-device-uri>".  The real
// backend ($CUPS_SERVERBIN/backend/<scheme>) does the printing, with the
// same arguments, DEVICE_URI set to the real URI, and stdin, the back
// channel (fd 3) and the side channel (fd 4) passed through unchanged.  Its
// stderr is relayed line by line and its exit status becomes ours, so CUPS'
// error-policy, retry and hold logic is untouched (run.c, relay.c).
//
// A job released from the cloud carries the options upa-job-id,
// upa-device-id and upa-user-uri (lib/cupsjob.h).  Only such a job is
// reported to the cloud (Update-Job-Status, report.c); every status goes
// through the durable outbox (lib/outbox.h) so none is lost when the cloud
// is down.  A plain job needs no configuration at all; when the queue's
// device is registered, its STATE: reasons still reach the cloud
// (Update-Output-Device-Attributes, pstate.c) and waiting outbox records
// are delivered.
//
// Exit status (always the real backend's when it ran):
//
//   situation                          exit status
//   ---------------------------------  -----------------------
//   argc not 1, 6 or 7                 CUPS_BACKEND_FAILED
//   bad upa:// URI, no/looping real    CUPS_BACKEND_STOP
//   backend
//   linked job, config/device/key      CUPS_BACKEND_STOP
//   unusable (misconfiguration)
//   real backend exits N               N
//   real backend killed by a signal    CUPS_BACKEND_FAILED (OK after our SIGTERM)
//   real backend cannot be started     CUPS_BACKEND_FAILED
//
// The cloud state for each outcome is in report.c.
//

#include "upa-backend.h"
#include <dlfcn.h>

// Built with AddressSanitizer (GCC says so one way, clang another)?
#if defined(__SANITIZE_ADDRESS__)
#  define UPA_BE_SANITIZED 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define UPA_BE_SANITIZED 1
#  endif
#endif
#ifndef UPA_BE_SANITIZED
#  define UPA_BE_SANITIZED 0
#endif

#ifndef UPA_CUPSFILTERS_LIB
#  define UPA_CUPSFILTERS_LIB "libcupsfilters.so.1"
#endif // !UPA_CUPSFILTERS_LIB
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


//
// Local functions...
//

static bool	find_real_backend(upa_backend_t *be);
static bool	parse_device_uri(upa_backend_t *be, const char *uri);
static bool	parse_real_uri(upa_backend_t *be, const char *real);
static bool	resolve_dnssd(upa_backend_t *be);
static int	run_job(int argc, char *argv[]);


//
// 'main()' - Run a job, after waiting for it when started warm (warm.c).
//

int					// O - Exit status (cups_backend_t)
main(int  argc,				// I - Number of command-line args
     char *argv[])			// I - Command-line arguments
{
  int	status;				// Exit status
  bool	warm = false;			// Job handed over by the launcher?


  if (argc == 2 && !strcmp(argv[1], "--warm"))
  {
    if (!upaBackendWarmWait(&argc, &argv))
      return (0);			// No job came

    warm = true;
    fprintf(stderr, "DEBUG: upa: Job handed over to warm guardian %d.\n", (int)getpid());
  }

  status = run_job(argc, argv);

  if (warm)
    upaBackendWarmDone(status);

#if !UPA_BE_SANITIZED
  // Everything of the job is written and durable: leave without the exit
  // handlers.  The destructors of libcups' 30 libraries cost about 2.5 ms
  // in the forked guardian (copy-on-write faults), and cupsd starts the
  // queue's next job only once we are gone.  (A sanitizer build exits
  // normally, so LeakSanitizer still checks the run.)
  fflush(NULL);
  _exit(status);
#else
  return (status);
#endif // !UPA_BE_SANITIZED
}


//
// 'run_job()' - Discover devices or print a job through the real backend.
//

static int				// O - Exit status (cups_backend_t)
run_job(int  argc,			// I - Number of command-line args
        char *argv[])			// I - Command-line arguments
{
  upa_backend_t	be;			// Backend state
  const char	*uri;			// Device URI
  int		wstatus = 0;		// Child's wait status
  int		status;			// Exit status
  int		run;			// upaBackendRun() result
  bool		deferred = false;	// Last records' fsync() after the launcher's status?


  // Status lines must never be buffered, a closed pipe must not kill us
  // before the real backend's status is relayed, and cupsd's SIGTERM
  // (cancel, hold, shutdown) must reach the real backend.
  setbuf(stderr, NULL);
  upaBackendInstallSignals();

  upaLogSetCallback(upaBackendLogCB, NULL);
  upaLogSetLevel(UPA_LOG_DEBUG);	// cupsd's LogLevel filters DEBUG: lines

  if (argc == 1)
    return (upaBackendDiscover());

  if (argc < 6 || argc > 7)
  {
    fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
    return (CUPS_BACKEND_FAILED);
  }

  memset(&be, 0, sizeof(be));
  be.job_id            = argv[1];
  be.user              = argv[2];
  be.title             = argv[3];
  be.copies            = argv[4];
  be.options           = argv[5];
  be.file              = argc == 7 ? argv[6] : NULL;
  be.impressions_total = -1;
  be.print_lock        = -1;
  be.fd3_open          = fcntl(3, F_GETFD) >= 0;
  be.fd4_open          = fcntl(4, F_GETFD) >= 0;

  // Device URI and real backend: anything wrong here is a queue
  // misconfiguration that retrying cannot fix.
  if ((uri = cupsBackendDeviceURI(argv)) == NULL)
  {
    fputs("ERROR: No device URI found in DEVICE_URI or argv[0].\n", stderr);
    return (CUPS_BACKEND_STOP);
  }

  if (!parse_device_uri(&be, uri))
  {
    char redacted[1024];		// URI without a password

    fprintf(stderr, "ERROR: Bad device URI \"%s\": expected upa://<cloud-device-id>/<real-device-uri>\n", upaTextRedactURL(redacted, sizeof(redacted), uri));
    return (CUPS_BACKEND_STOP);
  }

  // CUPS hides user:password@ of a device URI, but not inside upa://: every
  // user would read the printer's password in "lpstat -v"
  if (upaTextHasPassword(be.real_uri))
  {
    char redacted[1024];		// URI without the password

    fprintf(stderr, "ERROR: The device URI \"%s\" carries a password that every user can read (lpstat -v); set the printer's URI without it (lpadmin -p %s -v upa://%s/<real URI without user:password@>) and give the printer its credentials another way.\n", upaTextRedactURL(redacted, sizeof(redacted), uri), getenv("PRINTER") ? getenv("PRINTER") : "QUEUE", be.device_id);
    return (CUPS_BACKEND_STOP);
  }

  if (!find_real_backend(&be))
    return (CUPS_BACKEND_STOP);

  // A job released from the cloud carries its link in the options; only then
  // is the configuration (and the device key) required.
  be.num_options = cupsParseOptions(be.options, 0, &be.cups_options);
  upaJobLinkFromOptions(be.num_options, be.cups_options, &be.link);

  if (be.link.job_id > 0)
  {
    fprintf(stderr, "DEBUG: upa: Job is Universal Print job %d of device %s.\n", be.link.job_id, be.link.device_id[0] ? be.link.device_id : be.device_id);

    if (be.link.device_id[0] && strcmp(be.link.device_id, be.device_id) && !upaBackendLoadCloud(&be, true))
    {
      // The device came from the job, not from the queue: a value any
      // user can set never stops the queue
      fprintf(stderr, "WARNING: This job names Universal Print device %s, which is not registered here; printing it as a plain job.\n", be.link.device_id);
      be.link.job_id = 0;
      upaBackendLoadCloud(&be, true);
    }
    else if (!be.cfg && !upaBackendLoadCloud(&be, false))
    {
      // Leave with one identity (mixed real and effective ids would keep
      // the sanitizers' leak check from tracing us)
      upaBackendStateAccess(&be, false);
      cupsFreeOptions(be.num_options, be.cups_options);
      return (CUPS_BACKEND_STOP);
    }

    if (be.link.job_id > 0 && upaBackendCheckLink(&be) < 0)
    {
      // Printed before cupsd requeued it: the cloud has its outcome queued
      upaBackendStateAccess(&be, false);
      upaOutboxClose(be.outbox);
      upaDeviceDelete(be.dev);
      upaConfigDelete(be.cfg);
      cupsFreeOptions(be.num_options, be.cups_options);
      return (CUPS_BACKEND_OK);
    }
  }
  else
  {
    if (cupsGetOption(UPA_OPTION_JOB_ID, be.num_options, be.cups_options))
      fputs("DEBUG: upa: Ignoring an incomplete Universal Print link, printing it as a plain job.\n", stderr);
    else
      fputs("DEBUG: upa: Job has no Universal Print link, printing it as a plain job.\n", stderr);

    // Printer state and older outbox records still go to the cloud when the
    // queue's device is registered here; nothing is required.
    upaBackendLoadCloud(&be, true);
  }

  // Root again for the real backend (which cupsd might run as root)
  if (!upaBackendStateAccess(&be, false))
  {
    upaOutboxClose(be.outbox);
    upaDeviceDelete(be.dev);
    upaConfigDelete(be.cfg);
    cupsFreeOptions(be.num_options, be.cups_options);
    return (CUPS_BACKEND_STOP);
  }

  upaBackendPrepareUsers(&be);

  // A warm run: SIGTERMs the launcher passed on meanwhile
  upaBackendFrontRead();

  if (upa_job_canceled)
  {
    // Canceled before anything was sent to the printer.
    fputs("INFO: Job canceled before printing started.\n", stderr);
    if (!upaBackendDropPrivileges(&be))
      status = CUPS_BACKEND_STOP;
    else
    {
      be.term_forwarded = true;	// Nothing reached the printer
      if (be.link.job_id > 0)
        upaBackendReportFinal(&be, CUPS_BACKEND_OK, false, 0);
      status = CUPS_BACKEND_OK;
    }
  }
  else
  {
    // A linked job's SIGTERM is judged before it reaches the real backend
    // (run.c): a requeued job must not print twice.
    if (be.link.job_id > 0)
      upa_term_check = 1;

    // upaBackendStarted() reports "processing" once the real backend runs.
    run = upaBackendRun(&be, &wstatus);

    // What the job's end queues is delivered once, below
    be.deliver_held = true;

    if (run < 0)
    {
      // Could not start the real backend at all: a local problem CUPS can
      // retry (error policy); the cloud job is told when the job ends.
      status = CUPS_BACKEND_FAILED;
      snprintf(be.last_error, sizeof(be.last_error), "The print server could not start the printer's \"%s\" backend.", be.scheme);
      if (upaBackendDropPrivileges(&be))
        be.dropped = true;
      if (be.dropped && be.link.job_id > 0)
        upaBackendReportFinal(&be, CUPS_BACKEND_FAILED, false, 0);
    }
    else
    {
      if (WIFEXITED(wstatus))
        status = WEXITSTATUS(wstatus);
      else if (upa_job_canceled)
        status = CUPS_BACKEND_OK;	// Killed by our forwarded SIGTERM: a cancel, not a failure
      else
        status = CUPS_BACKEND_FAILED;

      if (WIFSIGNALED(wstatus))
        fprintf(stderr, "DEBUG: upa: Backend \"%s\" was terminated by signal %d.\n", be.scheme, WTERMSIG(wstatus));
      else
        fprintf(stderr, "DEBUG: upa: Backend \"%s\" exited with status %d.\n", be.scheme, status);

      // A warm run tells the launcher once the job's end is written,
      // before it is durable: cupsd starts the queue's next job meanwhile
      if (be.link.job_id > 0)
      {
        deferred = be.dropped && upaBackendReportDefer(&be);
        upaBackendReportFinal(&be, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : CUPS_BACKEND_FAILED, WIFSIGNALED(wstatus), WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
      }
    }

    // The printer state as the job leaves it (never pushed as root).
    if (be.dropped)
      upaBackendStatePoll(&be, true);

    // The deliverer needs the records visible, not durable (report.c)
    upaBackendDeliverHeld(&be);

    if (deferred)
    {
      upaBackendWarmRelease(&be, status);
      upaBackendReportSync(&be);
    }
  }

  upaBackendLinkForget(&be);
  upaOutboxClose(be.outbox);
  upaDeviceDelete(be.dev);
  upaConfigDelete(be.cfg);
  cupsFreeOptions(be.num_options, be.cups_options);

  return (status);
}


//
// 'upaBackendStarted()' - The real backend runs: drop root, report processing.
//
// Called by upaBackendRun() in the parent right after fork(), so the real
// backend got root when cupsd would have given it, and nothing of ours talks
// to the cloud as root.
//

void
upaBackendStarted(upa_backend_t *be)	// I - Backend state
{
  if (!upaBackendDropPrivileges(be))
  {
    // Keep relaying the real backend, but send nothing to the cloud as root.
    be->link.job_id = 0;
    return;
  }

  be->dropped = true;

  // Output starts now: report it (this also delivers what an earlier run
  // left in the outbox, first).
  if (be->link.job_id > 0)
    upaBackendReport(be, IPP_JSTATE_PROCESSING, "job-printing", NULL, -1);
  else
    upaBackendFlushOutbox(be);
}


//
// 'upaBackendLastError()' - Get libupa's last error, without a final period.
//

const char *				// O - Message
upaBackendLastError(char   *buffer,	// I - Buffer
                    size_t bufsize)	// I - Size of buffer
{
  size_t	len;			// Length


  snprintf(buffer, bufsize, "%s", upaLastErrorString());
  if ((len = strlen(buffer)) > 0 && buffer[len - 1] == '.')
    buffer[len - 1] = '\0';

  return (buffer);
}


//
// 'upaBackendLoadCloud()' - Load configuration and device.
//
// For a linked job everything here is misconfiguration (wrong file,
// unregistered device, unreadable key): the caller stops the queue so an
// admin fixes it, instead of retrying forever.  "quiet" (plain jobs) only
// logs DEBUG: lines and leaves the cloud off.
//

bool					// O - true on success
upaBackendLoadCloud(upa_backend_t *be,	// I - Backend state
                    bool          quiet)// I - Plain job: failures are not errors
{
  const char	*device_id;		// Device that fetched the job
  char		errbuf[1024];		// Library error message


  be->cloud_tried = true;

  if ((be->cfg = upaConfigLoad(NULL)) == NULL)
  {
    if (quiet)
      fprintf(stderr, "DEBUG: upa: No cloud reporting for this job (%s).\n", upaBackendLastError(errbuf, sizeof(errbuf)));
    else
      fprintf(stderr, "ERROR: Universal Print job %d cannot be reported (%s); fix the cups-upa configuration (UPA_CONFIG) and restart the queue.\n", be->link.job_id, upaBackendLastError(errbuf, sizeof(errbuf)));
    return (false);
  }

  // Everything under StateDir and CacheDir is read as the backend account
  if (!be->state_access && geteuid() == 0)
    upaBackendPrepareUsers(be);
  if (!upaBackendStateAccess(be, true) && geteuid() == 0)
    fputs("DEBUG: upa: Reading shared state as root (no backend account).\n", stderr);

  // A linked job: cupsd answers while the device is read (the connection
  // made with the same effective ids as before the split of the query)
  upaBackendLinkAsk(be);

  // Keep every cloud call of a backend run short: a slow cloud must not
  // hold the queue (the outbox keeps what could not be sent).
  if (be->cfg->timeout <= 0 || be->cfg->timeout > UPA_BE_CLOUD_TIMEOUT)
    be->cfg->timeout = UPA_BE_CLOUD_TIMEOUT;

  // The device that acknowledged the job is the only one allowed to update
  // it; normally it is the queue's own device.
  device_id = be->link.device_id[0] ? be->link.device_id : be->device_id;
  if (strcmp(device_id, be->device_id))
    fprintf(stderr, "DEBUG: upa: Job was released by device %s, not by this queue's device %s.\n", device_id, be->device_id);

  if ((be->dev = upaDeviceLoad(be->cfg, device_id)) == NULL)
  {
    if (quiet)
      fprintf(stderr, "DEBUG: upa: No cloud reporting for this job (%s).\n", upaBackendLastError(errbuf, sizeof(errbuf)));
    else
      fprintf(stderr, "ERROR: Universal Print device %s is not usable on this server (%s); register the queue again with \"upactl register\" or fix the device URI.\n", device_id, upaBackendLastError(errbuf, sizeof(errbuf)));
    upaBackendLinkForget(be);
    upaConfigDelete(be->cfg);
    be->cfg = NULL;
    return (false);
  }

  // Profile pwg: no device key; the Credentials file (if any) must be readable.
  if (be->cfg->profile == UPA_PROFILE_PWG)
  {
    if (be->cfg->credentials[0] && access(be->cfg->credentials, R_OK))
    {
      if (quiet)
        fprintf(stderr, "DEBUG: upa: No cloud reporting for this job (cannot read the Credentials file: %s).\n", strerror(errno));
      else
        fprintf(stderr, "ERROR: Cannot read the Credentials file %s of Profile pwg (%s); it must be mode 0640, group %s.\n", be->cfg->credentials, strerror(errno), be->cfg->device_group);
      upaBackendLinkForget(be);
      upaDeviceDelete(be->dev);
      upaConfigDelete(be->cfg);
      be->dev = NULL;
      be->cfg = NULL;
      return (false);
    }
  }
  else if (access(be->dev->key_file, R_OK))
  {
    if (quiet)
      fprintf(stderr, "DEBUG: upa: No cloud reporting for this job (cannot read %s: %s).\n", be->dev->key_file, strerror(errno));
    else
      fprintf(stderr, "ERROR: Cannot read the key of Universal Print device %s (%s: %s); the backend runs as user lp, which must be in group %s.\n", device_id, be->dev->key_file, strerror(errno), be->cfg->device_group);
    upaBackendLinkForget(be);
    upaDeviceDelete(be->dev);
    upaConfigDelete(be->cfg);
    be->dev = NULL;
    be->cfg = NULL;
    return (false);
  }

  return (true);
}


//
// 'upaBackendLogCB()' - Write libupa messages as CUPS status lines.
//
// Library errors are not job failures (the real backend decides those), so
// they become WARNING: lines at most; only the backend writes ERROR: lines.
//

void
upaBackendLogCB(void           *data,	// I - Callback data (unused)
                upa_loglevel_t level,	// I - Log level
                const char     *message)// I - Message
{
  const char	*prefix;		// Status line prefix
  char		line[2048],		// Message on one line
		*ptr;			// Pointer into line


  (void)data;

  // INFO: lines would become the queue's printer-state-message: library
  // progress is not printer state.
  switch (level)
  {
    case UPA_LOG_DEBUG :
    case UPA_LOG_INFO :
        prefix = "DEBUG: upa: ";
        break;
    default :
        prefix = "WARNING: ";
        break;
  }

  // One message, one status line.
  snprintf(line, sizeof(line), "%s", message);
  for (ptr = line; *ptr; ptr ++)
  {
    if (*ptr == '\n' || *ptr == '\r')
      *ptr = ' ';
  }

  fprintf(stderr, "%s%s\n", prefix, line);
}


//
// 'find_real_backend()' - Locate the backend for the real URI's scheme.
//

static bool				// O - true if usable
find_real_backend(upa_backend_t *be)	// I - Backend state
{
  const char	*serverbin;		// CUPS_SERVERBIN
  struct stat	info,			// Real backend
		self;			// This program


  if ((serverbin = getenv("CUPS_SERVERBIN")) == NULL || !*serverbin)
    serverbin = UPA_SERVERBIN;

  if (!strcmp(be->scheme, "upa"))
  {
    fprintf(stderr, "ERROR: Device URI wraps another upa:// URI: put the printer's own device URI after upa://%s/.\n", be->device_id);
    return (false);
  }

  snprintf(be->real_backend, sizeof(be->real_backend), "%s/backend/%s", serverbin, be->scheme);

  if (stat(be->real_backend, &info))
  {
    fprintf(stderr, "ERROR: No usable backend for \"%s\" URIs (%s: %s); check the device URI after upa://%s/.\n", be->scheme, be->real_backend, strerror(errno), be->device_id);
    return (false);
  }
  else if (!S_ISREG(info.st_mode))
  {
    fprintf(stderr, "ERROR: No usable backend for \"%s\" URIs (%s is not a file); check the device URI after upa://%s/.\n", be->scheme, be->real_backend, be->device_id);
    return (false);
  }
  // cupsd's own rule (scheduler/job.c): a backend without group/other
  // write or other execute permission runs as root.
  be->real_as_root = !(info.st_mode & (S_IWGRP | S_IWOTH | S_IXOTH));

  if (geteuid() != 0 && access(be->real_backend, X_OK))
  {
    // Root-only backends (usb, lpd, dnssd, serial on Debian) cannot run as
    // lp.  A DNS-SD URI can be resolved to the ipp/ipps/socket URI it stands
    // for, whose backend runs as lp.
    if ((!strcmp(be->scheme, "dnssd") || !strcmp(be->scheme, "mdns")) && resolve_dnssd(be))
      return (find_real_backend(be));

    fprintf(stderr, "ERROR: The \"%s\" backend (%s) only runs as root, but the upa backend runs as user lp: install the upa backend mode 0700 (as its packages do), or use a network URI (socket://, ipp://, ipps://) for this printer.\n", be->scheme, be->real_backend);
    return (false);
  }

  // Catch a "foo" backend that is a link to us: that would loop forever.
  if (!stat("/proc/self/exe", &self) && self.st_dev == info.st_dev && self.st_ino == info.st_ino)
  {
    fprintf(stderr, "ERROR: Backend \"%s\" is the upa backend itself; check the device URI after upa://%s/.\n", be->scheme, be->device_id);
    return (false);
  }

  fprintf(stderr, "DEBUG: upa: Real backend is %s.\n", be->real_backend);

  return (true);
}


//
// 'parse_device_uri()' - Split "upa://<id>/<real-uri>".
//

static bool				// O - true if well-formed
parse_device_uri(upa_backend_t *be,	// I - Backend state
                 const char    *uri)	// I - Device URI
{
  const char	*id,			// Start of device id
		*ptr;			// Pointer into URI
  size_t	idlen;			// Length of id


  if (strncmp(uri, "upa://", 6))
    return (false);

  // Device id: the same characters the device store accepts.
  for (id = uri + 6, ptr = id; *ptr && *ptr != '/'; ptr ++)
  {
    if (!((*ptr >= '0' && *ptr <= '9') || (*ptr >= 'a' && *ptr <= 'z') || (*ptr >= 'A' && *ptr <= 'Z') || *ptr == '-'))
      return (false);
  }

  idlen = (size_t)(ptr - id);
  if (*ptr != '/' || idlen == 0 || idlen >= sizeof(be->device_id))
    return (false);

  memcpy(be->device_id, id, idlen);
  be->device_id[idlen] = '\0';

  // Real URI: everything after that slash, verbatim.
  return (parse_real_uri(be, ptr + 1));
}


//
// 'parse_real_uri()' - Take the real URI and its scheme.
//

static bool				// O - true if well-formed
parse_real_uri(upa_backend_t *be,	// I - Backend state
               const char    *real)	// I - Real device URI
{
  const char	*ptr;			// Pointer into URI
  size_t	schemelen;		// Length of scheme


  // Its scheme names the backend program, so it must be a plain RFC 3986 scheme.
  for (ptr = real; *ptr && *ptr != ':'; ptr ++)
  {
    if (!((*ptr >= '0' && *ptr <= '9') || (*ptr >= 'a' && *ptr <= 'z') || (*ptr >= 'A' && *ptr <= 'Z') || *ptr == '+' || *ptr == '-' || *ptr == '.'))
      return (false);
  }

  schemelen = (size_t)(ptr - real);
  if (*ptr != ':' || schemelen == 0 || schemelen >= sizeof(be->scheme) || !((*real >= 'a' && *real <= 'z') || (*real >= 'A' && *real <= 'Z')) || strlen(real) >= sizeof(be->real_uri))
    return (false);

  memcpy(be->scheme, real, schemelen);
  be->scheme[schemelen] = '\0';
  memmove(be->real_uri, real, strlen(real) + 1);
  upaCupsStripCredentials(be->real_uri, be->real_argv0, sizeof(be->real_argv0));

  return (true);
}


//
// 'resolve_dnssd()' - Replace a dnssd:// real URI by the URI it resolves to.
//
// libcupsfilters' resolve_uri() asks Avahi (as any user) for the service and
// returns e.g. "ipp://host.local:631/ipp/print"; cups-filters' own
// implicitclass backend does the same.  The library is loaded only here:
// linked in, its dependencies (Avahi, D-Bus, image libraries, libstdc++)
// would cost every job several MiB and milliseconds.
//

static bool				// O - true if resolved to another scheme
resolve_dnssd(upa_backend_t *be)	// I - Backend state
{
  char		*resolved;		// Resolved URI
  char		old[sizeof(be->real_uri)];
					// URI before resolving
  bool		ret;			// Result
  void		*lib;			// libcupsfilters
  char		*(*resolve)(const char *);
					// resolve_uri()


  fprintf(stderr, "DEBUG: upa: Resolving %s (the \"%s\" backend needs root).\n", be->real_argv0, be->scheme);

  if ((lib = dlopen(UPA_CUPSFILTERS_LIB, RTLD_NOW | RTLD_LOCAL)) == NULL)
  {
    fprintf(stderr, "DEBUG: upa: Cannot resolve DNS-SD URIs: %s\n", dlerror());
    return (false);
  }

  *(void **)&resolve = dlsym(lib, "resolve_uri");
  if (!resolve || (resolved = resolve(be->real_uri)) == NULL)
  {
    fprintf(stderr, "DEBUG: upa: Could not resolve %s.\n", be->real_argv0);
    return (false);			// The library stays loaded: we exit soon
  }

  snprintf(old, sizeof(old), "%s", be->real_uri);
  ret = parse_real_uri(be, resolved) && strcmp(be->scheme, "dnssd") && strcmp(be->scheme, "mdns");
  free(resolved);

  if (!ret)
  {
    parse_real_uri(be, old);
    return (false);
  }

  fprintf(stderr, "DEBUG: upa: Resolved to %s.\n", be->real_argv0);

  return (true);
}


