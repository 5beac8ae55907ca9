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
// error-policy, retry and hold logic is untouched.
//
// A job released from the cloud carries the options upa-job-id,
// upa-device-id and upa-user-uri (lib/cupsjob.h).  Only such a job is
// reported to the cloud (Update-Job-Status); a plain job makes no cloud
// traffic and needs no configuration at all.
//
// Exit status and cloud report (exactly one terminal state per job):
//
//   situation                          exit status              cloud state
//   ---------------------------------  -----------------------  ------------------------
//   argc not 1, 6 or 7                 CUPS_BACKEND_FAILED      -
//   bad upa:// URI, no/looping real    CUPS_BACKEND_STOP        -
//   backend
//   linked job, config/device/key      CUPS_BACKEND_STOP        -
//   unusable (misconfiguration)
//   real backend starts                -                        processing
//   real backend exits 0               0                        completed (+impressions)
//   real backend exits CANCEL (5)      5                        aborted, job-canceled-at-device
//   real backend exits 1-4, 6, 7       same                     processing-stopped (CUPS
//                                                               retries/holds/stops; a later
//                                                               run reports the final state)
//   real backend killed by a signal    CUPS_BACKEND_FAILED      processing-stopped
//   SIGTERM from cupsd, job canceled   child's status, or OK    canceled
//   SIGTERM, job held/requeued/unknown child's status, or OK    processing-stopped
//   cloud unreachable while reporting  unchanged                (INFO: line, printing goes on)
//

#include <config.h>			// autoconf's (PACKAGE_VERSION); lib/config.h comes via upa.h
#include "upa.h"
#include <cups/backend.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef UPA_SERVERBIN
#  define UPA_SERVERBIN "/usr/lib/cups"
#endif // !UPA_SERVERBIN


//
// Types...
//

typedef struct upa_backend_s		// State of one backend run
{
  // From the command line
  const char	*job_id;		// argv[1]
  const char	*user;			// argv[2]
  const char	*title;			// argv[3]
  const char	*copies;		// argv[4]
  const char	*options;		// argv[5]
  const char	*file;			// argv[6] or NULL (stdin)
  int		num_options;		// Parsed options
  cups_option_t	*cups_options;		// Parsed options

  // From the device URI
  char		device_id[128];		// Cloud device id in the URI
  char		real_uri[1024];		// Real device URI, verbatim (may hold credentials)
  char		real_argv0[1024];	// Real device URI without credentials
  char		scheme[64];		// Real URI scheme
  char		real_backend[PATH_MAX];	// $CUPS_SERVERBIN/backend/<scheme>

  // Cloud link and state (linked jobs only)
  upa_joblink_t	link;			// Link from the job options
  upa_config_t	*cfg;			// Configuration, or NULL
  upa_device_t	*dev;			// Device reporting the job, or NULL
  upa_client_t	*client;		// Cloud session, created on first report

  // Child
  bool		fd3_open,		// Was fd 3 (back channel) open at start?
		fd4_open;		// Was fd 4 (side channel) open at start?
  int		impressions;		// Sum of "PAGE: n copies"
  int		impressions_total;	// Last "PAGE: total n", or -1
} upa_backend_t;


//
// Globals: only what the SIGTERM handler must see.
//

static volatile sig_atomic_t	job_canceled = 0;
					// Number of SIGTERMs received
static volatile sig_atomic_t	child_pid = 0;
					// Real backend, once started


//
// Local functions...
//

static void	backend_log_cb(void *data, upa_loglevel_t level, const char *message);
static int	do_discovery(void);
static bool	find_real_backend(upa_backend_t *be);
static const char *last_error(char *buffer, size_t bufsize);
static bool	load_cloud_state(upa_backend_t *be);
static bool	parse_device_uri(upa_backend_t *be, const char *uri);
static void	relay_line(upa_backend_t *be, const char *line, size_t len);
static bool	report_status(upa_backend_t *be, ipp_jstate_t state, const char *reason, const char *message, int impressions);
static void	report_final(upa_backend_t *be, int status, bool signaled, int signum);
static int	run_real_backend(upa_backend_t *be, int *wstatus);
static void	sigterm_handler(int sig);
static void	strip_credentials(const char *uri, char *buffer, size_t bufsize);


//
// 'main()' - Discover devices or print a job through the real backend.
//

int					// O - Exit status (cups_backend_t)
main(int  argc,				// I - Number of command-line args
     char *argv[])			// I - Command-line arguments
{
  upa_backend_t	be;			// Backend state
  const char	*uri;			// Device URI
  struct sigaction action;		// Signal action
  int		wstatus = 0;		// Child's wait status
  int		status;			// Exit status


  // Status lines must never be buffered, a closed pipe must not kill us
  // before the real backend's status is relayed, and cupsd's SIGTERM
  // (cancel, hold, shutdown) must reach the real backend.
  setbuf(stderr, NULL);

  memset(&action, 0, sizeof(action));
  sigemptyset(&action.sa_mask);
  action.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &action, NULL);

  action.sa_handler = sigterm_handler;
  sigaction(SIGTERM, &action, NULL);

  upaLogSetCallback(backend_log_cb, NULL);
  upaLogSetLevel(UPA_LOG_DEBUG);	// cupsd's LogLevel filters DEBUG: lines

  if (argc == 1)
    return (do_discovery());

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
    fprintf(stderr, "ERROR: Bad device URI \"%s\": expected upa://<cloud-device-id>/<real-device-uri>\n", argv[0]);
    return (CUPS_BACKEND_STOP);
  }

  if (!find_real_backend(&be))
    return (CUPS_BACKEND_STOP);

  // A job released from the cloud carries its link in the options; only then
  // is the configuration (and the device key) needed.
  be.num_options = cupsParseOptions(be.options, 0, &be.cups_options);
  upaJobLinkFromOptions(be.num_options, be.cups_options, &be.link);

  if (be.link.job_id > 0)
  {
    fprintf(stderr, "DEBUG: upa: Job is Universal Print job %d of device %s.\n", be.link.job_id, be.link.device_id[0] ? be.link.device_id : be.device_id);

    if (!load_cloud_state(&be))
    {
      cupsFreeOptions(be.num_options, be.cups_options);
      return (CUPS_BACKEND_STOP);
    }
  }
  else if (cupsGetOption(UPA_OPTION_JOB_ID, be.num_options, be.cups_options))
    fprintf(stderr, "DEBUG: upa: Ignoring an incomplete Universal Print link (%s=\"%s\", %s=\"%s\"), printing it as a plain job.\n", UPA_OPTION_JOB_ID, cupsGetOption(UPA_OPTION_JOB_ID, be.num_options, be.cups_options), UPA_OPTION_DEVICE_ID, cupsGetOption(UPA_OPTION_DEVICE_ID, be.num_options, be.cups_options) ? cupsGetOption(UPA_OPTION_DEVICE_ID, be.num_options, be.cups_options) : "");
  else
    fputs("DEBUG: upa: Job has no Universal Print link, printing it as a plain job.\n", stderr);

  if (job_canceled)
  {
    // Canceled before anything was sent to the printer.
    fputs("INFO: Job canceled before printing started.\n", stderr);
    if (be.link.job_id > 0)
      report_final(&be, CUPS_BACKEND_OK, false, 0);
    status = CUPS_BACKEND_OK;
  }
  else
  {
    if (be.link.job_id > 0)
      report_status(&be, IPP_JSTATE_PROCESSING, "job-printing", NULL, -1);

    if ((status = run_real_backend(&be, &wstatus)) < 0)
    {
      // Could not start the real backend at all: a local problem CUPS can
      // retry; the cloud job stays "processing" and is reported by the next run.
      status = CUPS_BACKEND_FAILED;
      if (be.link.job_id > 0)
        report_status(&be, IPP_JSTATE_STOPPED, "none", "The print server could not start the printer's backend.", -1);
    }
    else
    {
      if (WIFEXITED(wstatus))
        status = WEXITSTATUS(wstatus);
      else if (job_canceled)
        status = CUPS_BACKEND_OK;	// Killed by our forwarded SIGTERM: a cancel, not a failure
      else
        status = CUPS_BACKEND_FAILED;

      if (WIFSIGNALED(wstatus))
        fprintf(stderr, "DEBUG: upa: Backend \"%s\" was terminated by signal %d.\n", be.scheme, WTERMSIG(wstatus));
      else
        fprintf(stderr, "DEBUG: upa: Backend \"%s\" exited with status %d.\n", be.scheme, status);

      if (be.link.job_id > 0)
        report_final(&be, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, WIFSIGNALED(wstatus), WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
    }
  }

  upaClientDelete(be.client);
  upaDeviceDelete(be.dev);
  upaConfigDelete(be.cfg);
  cupsFreeOptions(be.num_options, be.cups_options);

  return (status);
}


//
// 'backend_log_cb()' - Write libupa messages as CUPS status lines.
//
// Library errors are not job failures (the real backend decides those), so
// they become WARNING: lines; only the backend itself writes ERROR: lines.
//

static void
backend_log_cb(void           *data,	// I - Callback data (unused)
               upa_loglevel_t level,	// I - Log level
               const char     *message)	// I - Message
{
  const char	*prefix;		// Status line prefix
  char		line[2048],		// Message on one line
		*ptr;			// Pointer into line


  (void)data;

  switch (level)
  {
    case UPA_LOG_DEBUG :
        prefix = "DEBUG: upa: ";
        break;
    case UPA_LOG_INFO :
        prefix = "INFO: ";
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
// 'do_discovery()' - List the "upa" scheme and every registered device.
//
// Configuration problems must not break "lpinfo -v": they only hide the
// device lines.
//

static int				// O - Exit status
do_discovery(void)
{
  upa_config_t	*cfg;			// Configuration
  upa_device_t	**devices = NULL;	// Registered devices
  int		i,			// Looping var
		num_devices = 0;	// Number of devices
  char		uri[2048],		// Device URI
		info[512];		// Device info


  cupsBackendReport("network", "upa", "Unknown", "Universal Print Anywhere (wraps another device URI)", NULL, NULL);

  // The library must not write DEBUG:/WARNING: lines into discovery output
  // (stdout is the report; stderr goes to the log).
  if ((cfg = upaConfigLoad(NULL)) != NULL)
  {
    if ((num_devices = upaDeviceList(cfg, &devices)) < 0)
    {
      fprintf(stderr, "DEBUG: upa: %s\n", upaLastErrorString());
      num_devices = 0;
    }
  }
  else
    fprintf(stderr, "DEBUG: upa: %s\n", upaLastErrorString());

  for (i = 0; i < num_devices; i ++)
  {
    if (!devices[i]->previous_uri[0])
      continue;				// Nothing to wrap

    snprintf(uri, sizeof(uri), "upa://%s/%s", devices[i]->id, devices[i]->previous_uri);
    snprintf(info, sizeof(info), "%s (Universal Print)", devices[i]->name[0] ? devices[i]->name : devices[i]->queue);
    cupsBackendReport("network", uri, "Unknown", info, NULL, NULL);
  }

  upaDeviceListDelete(devices, num_devices);
  upaConfigDelete(cfg);

  return (CUPS_BACKEND_OK);
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

  if (stat(be->real_backend, &info) || access(be->real_backend, X_OK))
  {
    fprintf(stderr, "ERROR: No usable backend for \"%s\" URIs (%s: %s); check the device URI after upa://%s/.\n", be->scheme, be->real_backend, strerror(errno), be->device_id);
    return (false);
  }
  else if (!S_ISREG(info.st_mode))
  {
    fprintf(stderr, "ERROR: No usable backend for \"%s\" URIs (%s is not a file); check the device URI after upa://%s/.\n", be->scheme, be->real_backend, be->device_id);
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
// 'last_error()' - Get libupa's last error, without a final period, for embedding.
//

static const char *			// O - Message
last_error(char   *buffer,		// I - Buffer
           size_t bufsize)		// I - Size of buffer
{
  size_t	len;			// Length


  snprintf(buffer, bufsize, "%s", upaLastErrorString());
  if ((len = strlen(buffer)) > 0 && buffer[len - 1] == '.')
    buffer[len - 1] = '\0';

  return (buffer);
}


//
// 'load_cloud_state()' - Load configuration and device for a linked job.
//
// Everything here is misconfiguration (wrong file, unregistered device,
// unreadable key): the caller stops the queue so an admin fixes it, instead
// of retrying forever.
//

static bool				// O - true on success
load_cloud_state(upa_backend_t *be)	// I - Backend state
{
  const char	*device_id;		// Device that fetched the job
  char		errbuf[1024];		// Library error message


  if ((be->cfg = upaConfigLoad(NULL)) == NULL)
  {
    fprintf(stderr, "ERROR: Universal Print job %d cannot be reported (%s); fix the cups-upa configuration (UPA_CONFIG) and restart the queue.\n", be->link.job_id, last_error(errbuf, sizeof(errbuf)));
    return (false);
  }

  // The device that acknowledged the job is the only one allowed to update
  // it; normally it is the queue's own device.
  device_id = be->link.device_id[0] ? be->link.device_id : be->device_id;
  if (strcmp(device_id, be->device_id))
    fprintf(stderr, "DEBUG: upa: Job was released by device %s, not by this queue's device %s.\n", device_id, be->device_id);

  if ((be->dev = upaDeviceLoad(be->cfg, device_id)) == NULL)
  {
    fprintf(stderr, "ERROR: Universal Print device %s is not usable on this server (%s); register the queue again with \"upactl register\" or fix the device URI.\n", device_id, last_error(errbuf, sizeof(errbuf)));
    return (false);
  }

  if (access(be->dev->key_file, R_OK))
  {
    fprintf(stderr, "ERROR: Cannot read the key of Universal Print device %s (%s: %s); the backend runs as user lp, which must be in group %s.\n", device_id, be->dev->key_file, strerror(errno), be->cfg->device_group);
    return (false);
  }

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
		*real,			// Start of real URI
		*ptr;			// Pointer into URI
  size_t	idlen,			// Length of id
		schemelen;		// Length of real scheme


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

  // Real URI: everything after that slash, verbatim; its scheme names the
  // backend program, so it must be a plain RFC 3986 scheme.
  real = ptr + 1;
  for (ptr = real; *ptr && *ptr != ':'; ptr ++)
  {
    if (!((*ptr >= '0' && *ptr <= '9') || (*ptr >= 'a' && *ptr <= 'z') || (*ptr >= 'A' && *ptr <= 'Z') || *ptr == '+' || *ptr == '-' || *ptr == '.'))
      return (false);
  }

  schemelen = (size_t)(ptr - real);
  if (*ptr != ':' || schemelen == 0 || schemelen >= sizeof(be->scheme) || !((*real >= 'a' && *real <= 'z') || (*real >= 'A' && *real <= 'Z')) || strlen(real) >= sizeof(be->real_uri))
    return (false);

  memcpy(be->device_id, id, idlen);
  be->device_id[idlen] = '\0';
  memcpy(be->scheme, real, schemelen);
  be->scheme[schemelen] = '\0';
  snprintf(be->real_uri, sizeof(be->real_uri), "%s", real);
  strip_credentials(be->real_uri, be->real_argv0, sizeof(be->real_argv0));

  return (true);
}


//
// 'relay_line()' - Pass one status line of the real backend on, unchanged.
//
// Seam: the printer-state push (later) will also look at "STATE:" lines here.
//

static void
relay_line(upa_backend_t *be,		// I - Backend state
           const char    *line,		// I - Line (with newline, if any)
           size_t        len)		// I - Length of line
{
  int	page,				// Page number
	copies,				// Copies of that page
	total;				// Total impressions


  fwrite(line, 1, len, stderr);

  if (!strncmp(line, "PAGE:", 5) && len < 256)
  {
    char	temp[256];		// NUL-terminated copy


    memcpy(temp, line, len);
    temp[len] = '\0';

    if (sscanf(temp, "PAGE: total %d", &total) == 1)
    {
      if (total >= 0)
        be->impressions_total = total;
    }
    else if (sscanf(temp, "PAGE: %d %d", &page, &copies) == 2)
    {
      if (copies > 0 && be->impressions <= INT_MAX - copies)
        be->impressions += copies;
    }
  }
}


//
// 'report_status()' - Send one Update-Job-Status for the linked job.
//
// Best effort: a failure never changes the job's outcome in CUPS.
// TODO(outbox): queue failed updates in <CacheDir>/outbox and replay them
// from the next backend run or upactl, so a terminal state is never lost.
//

static bool				// O - true if the cloud accepted it
report_status(upa_backend_t *be,	// I - Backend state
              ipp_jstate_t  state,	// I - output-device-job-state
              const char    *reason,	// I - output-device-job-state-reasons keyword
              const char    *message,	// I - output-device-job-state-message or NULL
              int           impressions)// I - job-impressions-completed or -1
{
  upa_jobstatus_t	js;		// Status to send
  const char		*user_uri;	// requesting-user-uri or NULL
  char			errbuf[1024];	// Library error message


  if (!be->cfg || !be->dev || be->link.job_id <= 0)
    return (false);

  memset(&js, 0, sizeof(js));
  js.state       = state;
  js.reasons[0]  = reason;
  js.message     = message;
  js.impressions = impressions;
  user_uri       = be->link.user_uri[0] ? be->link.user_uri : NULL;

  if (!be->client && (be->client = upaClientCreate(be->cfg, be->dev)) == NULL)
  {
    fprintf(stderr, "INFO: Could not report job status to Universal Print (%s); printing goes on.\n", last_error(errbuf, sizeof(errbuf)));
    return (false);
  }

  if (!upaInfraUpdateJobStatus(be->client, user_uri, be->link.job_id, &js))
  {
    fprintf(stderr, "INFO: Could not report job status to Universal Print (%s); printing goes on.\n", last_error(errbuf, sizeof(errbuf)));
    return (false);
  }

  fprintf(stderr, "DEBUG: upa: Reported job %d as %s to Universal Print.\n", be->link.job_id, ippEnumString("job-state", (int)state));

  return (true);
}


//
// 'report_final()' - Report how the job ended (see the table at the top).
//

static void
report_final(upa_backend_t *be,		// I - Backend state
             int           status,	// I - Real backend's exit status, -1 if none
             bool          signaled,	// I - Killed by a signal?
             int           signum)	// I - Signal number
{
  char		message[256];		// Status message
  int		impressions;		// Impressions completed
  http_t	*http;			// Connection to cupsd
  ipp_jstate_t	cups_state = IPP_JSTATE_PENDING;
					// Job state in CUPS after SIGTERM
  const char	*queue = getenv("PRINTER");
					// CUPS queue


  impressions = be->impressions_total >= 0 ? be->impressions_total : be->impressions > 0 ? be->impressions : -1;

  if (job_canceled)
  {
    // SIGTERM means cancel, hold or cupsd shutdown: only a job CUPS itself
    // no longer intends to print is canceled in the cloud.  When cupsd does
    // not answer (shutdown), the job is requeued and printed later.
    if (queue && (http = upaCupsConnect(be->cfg)) != NULL)
    {
      cups_state = upaCupsJobState(http, queue, atoi(be->job_id));
      httpClose(http);
    }

    fprintf(stderr, "DEBUG: upa: Job state in CUPS after SIGTERM: %d.\n", (int)cups_state);

    if (cups_state == IPP_JSTATE_CANCELED || cups_state == IPP_JSTATE_ABORTED)
      report_status(be, IPP_JSTATE_CANCELED, "job-canceled-at-device", "Canceled on the print server.", impressions);
    else
      report_status(be, IPP_JSTATE_STOPPED, "none", "Stopped on the print server; printing will resume.", impressions);
  }
  else if (status == CUPS_BACKEND_OK)
  {
    report_status(be, IPP_JSTATE_COMPLETED, "job-completed-successfully", NULL, impressions);
  }
  else if (status == CUPS_BACKEND_CANCEL)
  {
    snprintf(message, sizeof(message), "The printer's \"%s\" backend canceled the job.", be->scheme);
    report_status(be, IPP_JSTATE_ABORTED, "job-canceled-at-device", message, impressions);
  }
  else
  {
    // Not terminal in CUPS: the job is retried, held, or waits for the
    // printer to be restarted.  The run that finishes it reports the end.
    if (signaled)
      snprintf(message, sizeof(message), "The printer's \"%s\" backend crashed (signal %d); the print server will retry.", be->scheme, signum);
    else if (status == CUPS_BACKEND_STOP)
      snprintf(message, sizeof(message), "The printer is stopped on the print server.");
    else if (status == CUPS_BACKEND_HOLD)
      snprintf(message, sizeof(message), "The job is held on the print server.");
    else if (status == CUPS_BACKEND_AUTH_REQUIRED)
      snprintf(message, sizeof(message), "The printer needs authentication on the print server.");
    else
      snprintf(message, sizeof(message), "The printer's \"%s\" backend failed (status %d); the print server will retry.", be->scheme, status);

    report_status(be, IPP_JSTATE_STOPPED, status == CUPS_BACKEND_STOP ? "printer-stopped" : "none", message, impressions);
  }
}


//
// 'run_real_backend()' - Run the real backend, relay its stderr, wait for it.
//

static int				// O - 0 when it ran, -1 if it could not start
run_real_backend(upa_backend_t *be,	// I - Backend state
                 int           *wstatus)// O - Wait status
{
  int		errpipe[2];		// stderr of the child
  pid_t		pid;			// Child
  sigset_t	mask,			// SIGTERM blocked
		oldmask;		// Previous mask
  char		*child_argv[8];		// Child arguments
  char		buffer[8192];		// Line buffer
  size_t	used = 0;		// Bytes in buffer
  ssize_t	bytes;			// Bytes read
  char		*eol;			// End of line
  bool		reaped = false;		// Child waited for?
  struct pollfd	pfd;			// Poll on the pipe
  int		fd;			// Looping var


  if (pipe2(errpipe, O_CLOEXEC))
  {
    fprintf(stderr, "ERROR: Unable to create a pipe: %s\n", strerror(errno));
    return (-1);
  }

  child_argv[0] = be->real_argv0;
  child_argv[1] = (char *)be->job_id;
  child_argv[2] = (char *)be->user;
  child_argv[3] = (char *)be->title;
  child_argv[4] = (char *)be->copies;
  child_argv[5] = (char *)be->options;
  child_argv[6] = (char *)be->file;
  child_argv[7] = NULL;

  // Block SIGTERM across fork() so it is either forwarded to a known child
  // or seen by the child itself after exec.
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, &oldmask);

  if ((pid = fork()) == 0)
  {
    struct sigaction dfl;		// Default action


    // Child: default signal dispositions, stderr into the pipe, fds 0, 3
    // and 4 exactly as we got them, nothing else of ours.
    memset(&dfl, 0, sizeof(dfl));
    sigemptyset(&dfl.sa_mask);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);

    if (dup2(errpipe[1], 2) < 0)
      _exit(CUPS_BACKEND_FAILED);

    if (!be->fd3_open)
      close(3);
    if (!be->fd4_open)
      close(4);
    for (fd = 5; fd < 1024; fd ++)
      close(fd);

    setenv("DEVICE_URI", be->real_uri, 1);
    execv(be->real_backend, child_argv);

    fprintf(stderr, "ERROR: Unable to run %s: %s\n", be->real_backend, strerror(errno));
    _exit(CUPS_BACKEND_FAILED);
  }
  else if (pid < 0)
  {
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    fprintf(stderr, "ERROR: Unable to start the \"%s\" backend: %s\n", be->scheme, strerror(errno));
    close(errpipe[0]);
    close(errpipe[1]);
    return (-1);
  }

  child_pid = (sig_atomic_t)pid;
  if (job_canceled)
    kill(pid, SIGTERM);			// SIGTERM arrived before the child existed
  sigprocmask(SIG_SETMASK, &oldmask, NULL);

  close(errpipe[1]);

  fprintf(stderr, "DEBUG: upa: Started backend \"%s\" (PID %d) for %s.\n", be->scheme, (int)pid, be->real_argv0);

  // Relay until EOF.  A grandchild may keep the pipe open after the backend
  // exits, so once the child is reaped only what is already there is read.
  pfd.fd     = errpipe[0];
  pfd.events = POLLIN;

  for (;;)
  {
    int	ready = poll(&pfd, 1, reaped ? 0 : 1000);
					// Poll result

    if (ready < 0 && errno != EINTR)
      break;

    if (ready > 0)
    {
      if ((bytes = read(errpipe[0], buffer + used, sizeof(buffer) - used - 1)) < 0)
      {
        if (errno == EINTR || errno == EAGAIN)
          continue;
        break;
      }
      else if (bytes == 0)
        break;

      used += (size_t)bytes;

      while ((eol = memchr(buffer, '\n', used)) != NULL)
      {
        size_t	linelen = (size_t)(eol - buffer + 1);
					// Length of line

        relay_line(be, buffer, linelen);
        memmove(buffer, buffer + linelen, used - linelen);
        used -= linelen;
      }

      if (used == sizeof(buffer) - 1)
      {
        // Overlong line: pass it on in pieces rather than stall.
        relay_line(be, buffer, used);
        used = 0;
      }
    }
    else if (!reaped)
    {
      pid_t	wpid = waitpid(pid, wstatus, WNOHANG);
					// Result of waitpid

      if (wpid == pid || (wpid < 0 && errno == ECHILD))
        reaped = true;
    }
    else
      break;				// Reaped and nothing more to read
  }

  if (used > 0)
    relay_line(be, buffer, used);	// Last line without newline

  close(errpipe[0]);

  while (!reaped)
  {
    if (waitpid(pid, wstatus, 0) == pid || errno != EINTR)
      reaped = true;
  }

  child_pid = 0;

  return (0);
}


//
// 'sigterm_handler()' - Remember the cancel and pass it to the real backend.
//
// Unlike backend/ipp.c we do not _exit() on a second SIGTERM: the real
// backend owns the device, and we must wait for it to report its status.
//

static void
sigterm_handler(int sig)		// I - Signal number (unused)
{
  static const char msg[] = "DEBUG: upa: Got SIGTERM, passing it to the backend.\n";
					// Message (async-signal-safe)
  int		saved_errno = errno;	// errno of the interrupted code
  ssize_t	bytes;			// Bytes written (nothing to do on error)


  (void)sig;

  job_canceled = job_canceled + 1;
  if (child_pid > 0)
    kill((pid_t)child_pid, SIGTERM);

  bytes = write(2, msg, sizeof(msg) - 1);
  (void)bytes;

  errno = saved_errno;
}


//
// 'strip_credentials()' - Remove "user:password@" from a URI, as cupsd does for argv[0].
//
// URIs without credentials are copied verbatim (re-assembling would
// re-encode them).
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
