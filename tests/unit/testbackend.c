//
// Backend harness for the "upa" backend (the CUPS testbackend idea, in cmocka).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Runs the BUILT backend ($UPA_BACKEND, default $top_builddir/backend/upa)
// as cupsd would: argv, DEVICE_URI, CUPS_SERVERBIN, stdin or a file, fd 3
// (back channel) and fd 4 (side channel).  CUPS_SERVERBIN points to a
// temporary folder whose backend/fake is this very program: run with
// UPA_FAKE_RECORD set, it acts as the real backend and records its argv,
// DEVICE_URI, the bytes it got and whether fds 3/4 were open.  (A shell
// script cannot record argv[0]: the kernel replaces it with the script path.)
//
// The fake's URI chooses its behaviour: "fake://host/exitN[?pages=P][&sleep=S]"
// exits with N after P "PAGE: n 1" lines, sleeping S seconds first.
//
// Needs no root, no network and no cupsd.
//

#include "upa.h"
#include "outbox.h"
#include "../../backend/sigloop.h"
#include <cups/backend.h>
#include <cups/sidechannel.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <pwd.h>


//
// Constants...
//

#define TEST_DEVICE_ID	"6f1c2d3e-0000-4000-8000-000000000001"
					// Cloud device id used in URIs


//
// Types...
//

typedef struct run_s			// One backend run
{
  int		status;			// Exit status (-1 = killed/timeout)
  char		*out;			// stdout (malloc'd, NUL-terminated)
  char		*err;			// stderr (malloc'd, NUL-terminated)
  char		*record;		// Fake's record file, or NULL if it did not run
  char		*data;			// Bytes the fake received, or NULL
  size_t	datalen;		// Length of data
  char		fd3_reply[64];		// What the fake wrote on the back channel
  char		fd4_reply[64];		// What the fake wrote on the side channel
  cups_sc_status_t sc_state_status;	// CUPS_SC_CMD_GET_STATE status
  int		sc_state;		// ... its state byte, -1 if none
  cups_sc_status_t sc_devid_status;	// CUPS_SC_CMD_GET_DEVICE_ID status
  char		sc_devid[256];		// ... its device ID
} run_t;

typedef struct runopts_s		// How to run the backend
{
  const char	*device_uri;		// DEVICE_URI and argv[0]
  const char	*options;		// argv[5]
  const char	*file;			// argv[6] or NULL
  const char	*input;			// stdin data (6 args) or NULL
  size_t	inputlen;		// Length of input
  const char	*config;		// UPA_CONFIG
  bool		channels;		// Open fd 3 (pipe) and fd 4 (socketpair)?
  int		term_after;		// Send SIGTERM once the fake has started (seconds to wait), 0 = no
  int		argc;			// 0 = 6 or 7 automatically, else a raw argc for usage tests
  bool		sidechannel;		// Send side-channel requests once the fake has started?
} runopts_t;


//
// Local globals (test fixture state)...
//

static char	tmpdir[256];	// Temporary folder
static char	warmdir[256];	// Folder of the warm guardians' folder
static char	warmsock[300];	// The warm guardians' folder
static char	serverbin[PATH_MAX];	// Fake CUPS_SERVERBIN
static char	backend_path[PATH_MAX];	// The backend under test
static char	self_path[PATH_MAX];	// This program


//
// Local functions...
//

static int	copy_program(const char *from, const char *to);
static int	fake_backend(int argc, char *argv[]);
static const char *my_group(void);
static char	*read_file(const char *path, size_t *len);
static void	run_backend(const runopts_t *opts, run_t *run);
static void	run_free(run_t *run);
static void	write_file(const char *path, const char *data, size_t len);


//
// 'test_discovery_nocfg()' - Discovery without configuration prints the scheme line only.
//

static void
test_discovery_nocfg(void **state)	// I - Test state (unused)
{
  runopts_t	opts = { .config = "/nonexistent/cups-upa.conf", .argc = 1 };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 0);
  assert_string_equal(run.out, "network upa \"Unknown\" \"Universal Print Anywhere (wraps another device URI)\" \"\" \"\"\n");
  run_free(&run);
}


//
// 'test_discovery_devices()' - Discovery lists registered devices with CUPS quoting.
//

static void
test_discovery_devices(void **state)	// I - Test state (unused)
{
  char		conf[PATH_MAX + 32],	// Config file
		text[PATH_MAX * 2 + 64];// Its contents
  upa_config_t	*cfg;			// Loaded config
  upa_device_t	*dev;			// Device to create
  runopts_t	opts = { .argc = 1 };	// Run options
  run_t		run;			// Result


  (void)state;

  snprintf(conf, sizeof(conf), "%s/discovery.conf", tmpdir);
  // The device store gives files to DeviceGroup: use one we are in.
  snprintf(text, sizeof(text), "StateDir %s/dstate\nCacheDir %s/dcache\nDeviceGroup %s\n", tmpdir, tmpdir, my_group());
  write_file(conf, text, strlen(text));

  assert_non_null(cfg = upaConfigLoad(conf));
  assert_non_null(dev = upaDeviceNew(cfg, TEST_DEVICE_ID));
  assert_true(upaDeviceSetString(&dev->queue, "Floor3"));
  assert_true(upaDeviceSetString(&dev->name, "Floor \"3\" \\ West"));
  assert_true(upaDeviceSetString(&dev->previous_uri, "socket://10.0.0.5:9100"));
  assert_true(upaDeviceSetString(&dev->token_url, "https://127.0.0.1:1/tenant/oauth2/token"));
  assert_true(upaDeviceSetString(&dev->printer_uri, "ipps://127.0.0.1:1/printers/" TEST_DEVICE_ID));
  if (!upaDeviceSave(cfg, dev))
    fail_msg("upaDeviceSave: %s", upaLastErrorString());
  upaDeviceDelete(dev);
  upaConfigDelete(cfg);

  opts.config = conf;
  run_backend(&opts, &run);
  assert_int_equal(run.status, 0);
  assert_string_equal(run.out,
                      "network upa \"Unknown\" \"Universal Print Anywhere (wraps another device URI)\" \"\" \"\"\n"
                      "network upa://" TEST_DEVICE_ID "/socket://10.0.0.5:9100 \"Unknown\" \"Floor \\\"3\\\" \\\\ West (Universal Print)\" \"\" \"\"\n");
  run_free(&run);
}


//
// 'test_usage()' - Wrong argument count: usage and CUPS_BACKEND_FAILED.
//

static void
test_usage(void **state)		// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0", .config = "/nonexistent", .argc = 3 };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 1);
  assert_non_null(strstr(run.err, "Usage: "));
  assert_non_null(strstr(run.err, "job-id user title copies options [file]"));
  assert_null(run.record);
  run_free(&run);
}


//
// 'test_bad_uri()' - Malformed upa:// URIs stop the queue with an ERROR line.
//

static void
test_bad_uri(void **state)		// I - Test state (unused)
{
  static const char * const uris[] =	// Malformed URIs
  {
    "upa://",
    "upa:/" TEST_DEVICE_ID "/fake://p/exit0",
    "upa://" TEST_DEVICE_ID,
    "upa://" TEST_DEVICE_ID "/",
    "upa:///fake://p/exit0",
    "upa://bad_id!/fake://p/exit0",
    "upa://" TEST_DEVICE_ID "/nocolon",
    "upa://" TEST_DEVICE_ID "/../../bin/sh:x",
    "ipp://" TEST_DEVICE_ID "/fake://p/exit0"
  };
  size_t	i;			// Looping var


  (void)state;

  for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i ++)
  {
    runopts_t	opts = { .device_uri = uris[i], .options = "", .config = "/nonexistent", .input = "x", .inputlen = 1 };
    run_t	run;			// Result

    print_message("    %s\n", uris[i]);
    run_backend(&opts, &run);
    assert_int_equal(run.status, 4);
    assert_non_null(strstr(run.err, "ERROR: Bad device URI \""));
    assert_null(run.record);
    run_free(&run);
  }
}


//
// 'test_bad_scheme()' - Unknown scheme or a upa:// loop stops the queue.
//

static void
test_bad_scheme(void **state)		// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/nosuch://p/exit0", .options = "", .config = "/nonexistent", .input = "x", .inputlen = 1 };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 4);
  assert_non_null(strstr(run.err, "ERROR: No usable backend for \"nosuch\""));
  run_free(&run);

  opts.device_uri = "upa://" TEST_DEVICE_ID "/upa://" TEST_DEVICE_ID "/fake://p/exit0";
  run_backend(&opts, &run);
  assert_int_equal(run.status, 4);
  assert_non_null(strstr(run.err, "ERROR: "));
  assert_null(run.record);
  run_free(&run);
}


//
// 'test_file_job()' - 7 arguments: argv, env and file pass through; exit 0.
//

static void
test_file_job(void **state)		// I - Test state (unused)
{
  char		file[PATH_MAX + 32],	// Print file
		expect[PATH_MAX + 512];	// Expected record
  static const char data[] = "%!PS-Adobe-3.0\nshowpage\n";
					// File contents
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://printer:9100/exit0?pages=2", .options = "media=a4 sides=two-sided-long-edge", .config = "/nonexistent" };
  run_t		run;			// Result


  (void)state;

  snprintf(file, sizeof(file), "%s/job.ps", tmpdir);
  write_file(file, data, sizeof(data) - 1);
  opts.file = file;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 0);
  assert_non_null(run.record);

  snprintf(expect, sizeof(expect),
           "argc=7\n"
           "argv[0]=fake://printer:9100/exit0?pages=2\n"
           "argv[1]=42\n"
           "argv[2]=alice\n"
           "argv[3]=Quarterly report\n"
           "argv[4]=1\n"
           "argv[5]=media=a4 sides=two-sided-long-edge\n"
           "argv[6]=%s\n"
           "DEVICE_URI=fake://printer:9100/exit0?pages=2\n"
           "fd3=closed\n"
           "fd4=closed\n"
           "bytes=%d\n"
           "done\n", file, (int)sizeof(data) - 1);
  assert_string_equal(run.record, expect);
  assert_int_equal(run.datalen, sizeof(data) - 1);
  assert_memory_equal(run.data, data, sizeof(data) - 1);

  // The fake's status lines are relayed unchanged.
  assert_non_null(strstr(run.err, "INFO: fake backend printing\n"));
  assert_non_null(strstr(run.err, "PAGE: 1 1\nPAGE: 2 1\n"));
  run_free(&run);
}


//
// 'test_credentials()' - A password inside the wrapped URI stops the queue, unprinted.
//

static void
test_credentials(void **state)		// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://user:s3cret@printer:9100/exit0", .options = "", .input = "abc", .inputlen = 3, .config = "/nonexistent" };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 4);
  assert_non_null(strstr(run.err, "ERROR: The device URI"));
  assert_non_null(strstr(run.err, "lpadmin -p"));
  assert_null(strstr(run.err, "s3cret"));
  assert_null(run.record);		// Nothing printed
  run_free(&run);
}


//
// 'test_stdin_job()' - 6 arguments: stdin passes through; exit codes 1 and 5 come back.
//

static void
test_stdin_job(void **state)		// I - Test state (unused)
{
  static const char data[] = "\x1b%-12345X@PJL\r\n\0binary\xff\x00tail";
					// Input with NULs and high bytes
  static const char * const uris[] =	// Exit codes to try
  {
    "upa://" TEST_DEVICE_ID "/fake://p/exit1",
    "upa://" TEST_DEVICE_ID "/fake://p/exit5",
    "upa://" TEST_DEVICE_ID "/fake://p/exit0"
  };
  static const int codes[] = { 1, 5, 0 };
  size_t	i;			// Looping var


  (void)state;

  for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i ++)
  {
    runopts_t	opts = { .device_uri = uris[i], .options = "job-uuid=urn:uuid:1", .input = data, .inputlen = sizeof(data) - 1, .config = "/nonexistent" };
    run_t	run;			// Result

    run_backend(&opts, &run);
    assert_int_equal(run.status, codes[i]);
    assert_non_null(run.record);
    assert_non_null(strstr(run.record, "argc=6\n"));
    assert_null(strstr(run.record, "argv[6]="));
    assert_int_equal(run.datalen, sizeof(data) - 1);
    assert_memory_equal(run.data, data, sizeof(data) - 1);
    run_free(&run);
  }
}


//
// 'test_channels()' - fd 3 and fd 4 reach the real backend unchanged.
//

static void
test_channels(void **state)		// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0", .options = "", .input = "abc", .inputlen = 3, .config = "/nonexistent", .channels = true };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 0);
  assert_non_null(run.record);
  assert_non_null(strstr(run.record, "fd3=open\nfd4=open\n"));
  assert_string_equal(run.fd4_reply, "fake-side-channel");
  assert_string_equal(run.fd3_reply, "fake-back-channel");
  run_free(&run);
}


//
// 'test_unlinked_no_cloud()' - A job without upa-job-id needs no configuration.
//

static void
test_unlinked_no_cloud(void **state)	// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0", .options = "upa-device-id=" TEST_DEVICE_ID " upa-user-uri=mailto:alice@example.com", .input = "abc", .inputlen = 3, .config = "/nonexistent/cups-upa.conf" };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 0);
  assert_non_null(run.record);
  assert_null(strstr(run.err, "ERROR:"));
  assert_null(strstr(run.err, "Universal Print job"));
  run_free(&run);
}


//
// 'test_linked_no_config()' - A linked job with no usable configuration stops the queue.
//

static void
test_linked_no_config(void **state)	// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0", .options = "upa-job-id=17 upa-device-id=" TEST_DEVICE_ID " upa-user-uri=mailto:alice@example.com", .input = "abc", .inputlen = 3, .config = "/nonexistent/cups-upa.conf" };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 4);
  assert_non_null(strstr(run.err, "ERROR: "));
  assert_non_null(strstr(run.err, "/nonexistent/cups-upa.conf"));
  assert_null(run.record);		// Nothing printed
  run_free(&run);
}


//
// 'test_linked_unknown_device()' - A linked job for an unregistered device stops the queue.
//

static void
test_linked_unknown_device(void **state)// I - Test state (unused)
{
  char		conf[PATH_MAX + 32],	// Config file
		text[PATH_MAX * 2 + 64];// Its contents
  runopts_t	opts = { .device_uri = "upa://0a0a0a0a-0000-4000-8000-00000000dead/fake://p/exit0", .options = "upa-job-id=17 upa-device-id=0a0a0a0a-0000-4000-8000-00000000dead", .input = "abc", .inputlen = 3 };
  run_t		run;			// Result


  (void)state;

  snprintf(conf, sizeof(conf), "%s/empty.conf", tmpdir);
  snprintf(text, sizeof(text), "StateDir %s/estate\nCacheDir %s/ecache\nDeviceGroup %s\n", tmpdir, tmpdir, my_group());
  write_file(conf, text, strlen(text));
  opts.config = conf;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 4);
  assert_non_null(strstr(run.err, "ERROR: Universal Print device 0a0a0a0a-0000-4000-8000-00000000dead"));
  assert_null(run.record);
  run_free(&run);
}


//
// 'test_cancel()' - SIGTERM reaches the real backend; a cancel is not a failure.
//

static void
test_cancel(void **state)		// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0?sleep=30", .options = "", .input = "abc", .inputlen = 3, .config = "/nonexistent", .term_after = 10 };
  run_t		run;			// Result
  time_t	start = time(NULL);	// Start time


  (void)state;

  run_backend(&opts, &run);
  assert_true(time(NULL) - start < 20);	// Did not sleep 30 seconds
  assert_int_equal(run.status, 0);
  assert_non_null(run.record);
  assert_non_null(strstr(run.record, "started\n"));
  assert_null(strstr(run.record, "done\n"));
  // upa-sigrelay (or the waiting upa-backend) passed it on, not a fork of the backend
  assert_null(strstr(run.err, "signal relay"));
  run_free(&run);

  // The same without a warm guardian: upa-sigrelay passes it on
  setenv("UPA_WARM", "no", 1);
  start = time(NULL);
  run_backend(&opts, &run);
  unsetenv("UPA_WARM");
  assert_true(time(NULL) - start < 20);
  assert_int_equal(run.status, 0);
  assert_non_null(run.record);
  assert_null(strstr(run.record, "done\n"));
  assert_null(strstr(run.err, "signal relay"));
  assert_null(strstr(run.err, "handed over to warm guardian"));
  run_free(&run);
}


//
// 'test_warm()' - As root, a job goes to the upa-backend an earlier job started.
//

static void
test_warm(void **state)			// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit3", .options = "", .input = "warm", .inputlen = 4, .config = "/nonexistent" },
		nobackend = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0", .options = "upa-job-id=17 upa-device-id=" TEST_DEVICE_ID " upa-user-uri=mailto:alice@example.com", .input = "abc", .inputlen = 3, .config = "/nonexistent/cups-upa.conf" };
  run_t		run;			// Result
  char		sock[PATH_MAX];		// The guardian's socket
  struct stat	info;			// Its folder
  int		i,			// Looping var
		first,			// First warm guardian's PID
		second,			// The next one
		third;			// The one without a real backend
  const char	*ptr;			// Its message


  (void)state;

  if (geteuid() != 0)
  {
    skip();				// Warm guardians are for root-run backends only
    return;
  }

  run_backend(&opts, &run);		// Starts a guardian (or uses one)
  run_free(&run);

  snprintf(sock, sizeof(sock), "%s/warm.sock", warmsock);
  for (i = 0; i < 100 && access(sock, F_OK); i ++)
    usleep(100000);
  assert_int_equal(access(sock, F_OK), 0);

  // Only root may reach it
  assert_int_equal(stat(warmsock, &info), 0);
  assert_int_equal(info.st_uid, 0);
  assert_int_equal(info.st_mode & 07777, 0700);

  run_backend(&opts, &run);
  assert_non_null(strstr(run.err, "DEBUG: upa: Job handed over to warm guardian "));
  assert_int_equal(run.status, 3);	// The real backend's status, through the launcher
  assert_non_null(run.record);
  assert_non_null(run.data);
  assert_int_equal(run.datalen, 4);	// stdin reached the real backend
  assert_memory_equal(run.data, "warm", 4);
  assert_non_null(strstr(run.record, "fd3=closed\n"));
  assert_non_null(ptr = strstr(run.err, "warm guardian "));
  first = atoi(ptr + 14);
  run_free(&run);

  // The next job goes to the spare forked meanwhile (once the real
  // backend ran): another guardian
  run_backend(&opts, &run);
  assert_non_null(ptr = strstr(run.err, "DEBUG: upa: Job handed over to warm guardian "));
  assert_true(first > 0 && atoi(ptr + 45) > 0 && atoi(ptr + 45) != first);
  second = atoi(ptr + 45);
  assert_int_equal(run.status, 3);
  run_free(&run);

  // A job that never starts a real backend (a linked job without its
  // configuration) never says "P": the next job still goes to a new warm
  // guardian (the spare is forked when that one ends)
  run_backend(&nobackend, &run);
  assert_non_null(ptr = strstr(run.err, "DEBUG: upa: Job handed over to warm guardian "));
  assert_true(atoi(ptr + 45) > 0 && atoi(ptr + 45) != second);
  third = atoi(ptr + 45);
  assert_int_equal(run.status, CUPS_BACKEND_STOP);
  assert_null(run.record);		// The real backend never ran
  run_free(&run);

  run_backend(&opts, &run);
  assert_non_null(ptr = strstr(run.err, "DEBUG: upa: Job handed over to warm guardian "));
  assert_true(atoi(ptr + 45) > 0 && atoi(ptr + 45) != third);
  assert_int_equal(run.status, 3);
  run_free(&run);
}


//
// 'test_warm_program()' - The launcher runs only an upa-backend that only root may change.
//

static void
test_warm_program(void **state)		// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0", .options = "", .config = "/nonexistent" };
  run_t		run;			// Result
  char		copy[PATH_MAX + 32],	// A group-writable copy
		*saved = strdup(getenv("UPA_BACKEND_PROGRAM"));
					// The real one


  (void)state;

  snprintf(copy, sizeof(copy), "%s/upa-backend-gw", tmpdir);
  assert_int_equal(copy_program(saved, copy), 0);
  assert_int_equal(chmod(copy, 0775), 0);
  setenv("UPA_BACKEND_PROGRAM", copy, 1);
  run_backend(&opts, &run);
  setenv("UPA_BACKEND_PROGRAM", saved, 1);
  free(saved);

  assert_int_equal(run.status, CUPS_BACKEND_STOP);
  assert_non_null(strstr(run.err, "it is not a file only root may change"));
  assert_null(run.record);
  run_free(&run);
}


//
// 'test_cancel_no_relay()' - Without upa-sigrelay a fork of the backend passes SIGTERM on.
//
// A run without a warm guardian (UPA_WARM=no) starts the relay program; a
// warm run needs none: the waiting upa-backend passes the SIGTERM on.
//

static void
test_cancel_no_relay(void **state)	// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0?sleep=30", .options = "", .input = "abc", .inputlen = 3, .config = "/nonexistent", .term_after = 10 };
  run_t		run;			// Result
  time_t	start = time(NULL);	// Start time
  char		*saved = strdup(getenv("UPA_SIGRELAY"));
					// The relay program


  (void)state;

  setenv("UPA_SIGRELAY", "/nonexistent/upa-sigrelay", 1);
  setenv("UPA_WARM", "no", 1);
  run_backend(&opts, &run);
  unsetenv("UPA_WARM");

  assert_true(time(NULL) - start < 20);
  assert_int_equal(run.status, 0);
  assert_non_null(run.record);
  assert_null(strstr(run.record, "done\n"));
  assert_non_null(strstr(run.err, "No signal relay program /nonexistent/upa-sigrelay"));
  assert_null(strstr(run.err, "handed over to warm guardian"));
  run_free(&run);

  if (geteuid() == 0)
  {
    // Warm: a first job makes sure one waits, the second is canceled
    // through it without any relay process
    runopts_t first = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0", .options = "", .config = "/nonexistent" };

    run_backend(&first, &run);
    run_free(&run);

    start = time(NULL);
    run_backend(&opts, &run);
    assert_true(time(NULL) - start < 20);
    assert_int_equal(run.status, 0);
    assert_non_null(strstr(run.err, "handed over to warm guardian"));
    assert_non_null(run.record);
    assert_null(strstr(run.record, "done\n"));
    assert_null(strstr(run.err, "signal relay"));
    run_free(&run);
  }

  setenv("UPA_SIGRELAY", saved, 1);
  free(saved);

  // A program others may change is not run (as root it would be)
  {
    char	path[PATH_MAX + 32];	// Writable copy

    snprintf(path, sizeof(path), "%s/upa-sigrelay", serverbin);
    write_file(path, "#!/bin/sh\nexit 0\n", 17);
    chmod(path, 0777);
    saved = strdup(getenv("UPA_SIGRELAY"));
    setenv("UPA_SIGRELAY", path, 1);
    setenv("UPA_WARM", "no", 1);
    run_backend(&opts, &run);
    unsetenv("UPA_WARM");
    setenv("UPA_SIGRELAY", saved, 1);
    free(saved);

    assert_int_equal(run.status, 0);
    assert_null(strstr(run.record, "done\n"));
    assert_non_null(strstr(run.err, "it is not a file only root may change"));
    run_free(&run);
  }
}


//
// 'test_sigterm_child()' - The warm relay signals a guardian's child and nothing else.
//
// upaSigTermChild() runs as root in the waiting upa-backend for guardians
// that run as the backend account: a guardian that names any other process
// must get nothing signalled.  Here G stands for a guardian, B for its real
// backend (leading a group with a child of its own) and C for an unrelated
// process.
//

static void
test_sigterm_child(void **state)	// I - Test state (unused)
{
  int		pidpipe[2],		// G tells B's PID
		alive[2],		// Held by B and its child: EOF once both are gone
		ready[2],		// B and its child say they run (a byte each)
		status;			// Exit status
  pid_t		g, b = 0, c;		// Guardian, its backend, another process
  struct pollfd	pfd;			// Wait for "alive"
  char		buf[1];			// Read buffer


  (void)state;

  assert_int_equal(pipe(pidpipe), 0);
  assert_int_equal(pipe(alive), 0);
  assert_int_equal(pipe(ready), 0);

  if ((c = fork()) == 0)
  {
    close(alive[0]);
    close(alive[1]);
    sleep(30);
    _exit(0);
  }

  if ((g = fork()) == 0)
  {
    pid_t bpid;				// Its backend

    if ((bpid = fork()) == 0)
    {
      // Each says it runs before it is signalled: a SIGTERM that comes
      // while a fork is still being set up may be lost under valgrind
      setpgid(0, 0);
      if (fork() == 0)
      {
        if (write(ready[1], "c", 1) != 1)
          _exit(1);
        sleep(30);			// In B's group, holding "alive"
        _exit(0);
      }
      if (write(ready[1], "b", 1) != 1)
        _exit(1);
      sleep(30);
      _exit(0);
    }
    close(alive[0]);
    close(alive[1]);
    setpgid(bpid, bpid);		// Either may run first
    if (write(pidpipe[1], &bpid, sizeof(bpid)) != sizeof(bpid))
      _exit(1);
    sleep(30);
    _exit(0);
  }

  close(alive[1]);
  close(pidpipe[1]);
  close(ready[1]);
  assert_int_equal(read(pidpipe[0], &b, sizeof(b)), sizeof(b));
  close(pidpipe[0]);
  assert_true(b > 1);
  assert_int_equal(read(ready[0], buf, 1), 1);
  assert_int_equal(read(ready[0], buf, 1), 1);
  close(ready[0]);

  // Not G's children: nothing happens to them
  assert_false(upaSigTermChild(g, c));
  assert_false(upaSigTermChild(g, getpid()));
  assert_false(upaSigTermChild(g, 1));
  assert_false(upaSigTermChild(g, g));
  assert_int_equal(waitpid(c, &status, WNOHANG), 0);
  assert_int_equal(waitpid(g, &status, WNOHANG), 0);

  // G's child: its whole group ends (SIGTERM's default action)
  assert_true(upaSigTermChild(g, b));
  pfd.fd     = alive[0];
  pfd.events = POLLIN;
  assert_int_equal(poll(&pfd, 1, 10000), 1);
  assert_int_equal(read(alive[0], buf, 1), 0);
  close(alive[0]);

  kill(c, SIGKILL);
  kill(g, SIGKILL);
  assert_int_equal(waitpid(c, &status, 0), c);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  assert_int_equal(waitpid(g, &status, 0), g);
}


//
// 'test_sidechannel()' - Side-channel requests reach the real backend and its answers come back.
//

static void
test_sidechannel(void **state)		// I - Test state (unused)
{
  runopts_t	opts = { .device_uri = "upa://" TEST_DEVICE_ID "/fake://p/exit0?sc=2", .options = "", .input = "abc", .inputlen = 3, .config = "/nonexistent", .channels = true, .sidechannel = true };
  run_t		run;			// Result


  (void)state;

  run_backend(&opts, &run);
  assert_int_equal(run.status, 0);
  assert_non_null(run.record);
  assert_non_null(strstr(run.record, "sc=4\n"));	// CUPS_SC_CMD_GET_STATE
  assert_non_null(strstr(run.record, "sc=5\n"));	// CUPS_SC_CMD_GET_DEVICE_ID
  assert_int_equal(run.sc_state_status, CUPS_SC_STATUS_OK);
  assert_int_equal(run.sc_state, CUPS_SC_STATE_ONLINE | CUPS_SC_STATE_BUSY);
  assert_int_equal(run.sc_devid_status, CUPS_SC_STATUS_OK);
  assert_string_equal(run.sc_devid, "MFG:Fake;MDL:Side Channel;");
  run_free(&run);
}


//
// 'outbox_config()' - Write and load a config whose cloud is unreachable.
//

static upa_config_t *			// O - Configuration
outbox_config(const char *name)		// I - Folder name under tmpdir
{
  char		conf[PATH_MAX + 64],	// Config file
		text[PATH_MAX * 2 + 512];// Its contents
  upa_config_t	*cfg;			// Loaded config


  snprintf(conf, sizeof(conf), "%s/%s.conf", tmpdir, name);
  // Port 1 on loopback: connection refused, at once.
  snprintf(text, sizeof(text),
           "Cloud custom\n"
           "RegisterURL https://127.0.0.1:1\n"
           "PrintURL https://127.0.0.1:1\n"
           "GraphURL https://127.0.0.1:1/v1.0\n"
           "StateDir %s/%s-state\n"
           "CacheDir %s/%s-cache\n"
           "DeviceGroup %s\n"
           "Timeout 5\n", tmpdir, name, tmpdir, name, my_group());
  write_file(conf, text, strlen(text));

  assert_non_null(cfg = upaConfigLoad(conf));

  return (cfg);
}


//
// 'outbox_records()' - List a device's outbox records in order ("" if none).
//

static void
outbox_records(const upa_config_t *cfg,	// I - Configuration
               char               *names,// O - Names, one per line, sorted
               size_t             namesize)
					// I - Size of names
{
  char		dir[PATH_MAX + 256],	// Device folder
		cmd[PATH_MAX + 400];	// ls command
  FILE		*fp;			// Pipe
  size_t	len;			// Bytes read


  snprintf(dir, sizeof(dir), "%s/outbox/%s", cfg->cache_dir, TEST_DEVICE_ID);
  snprintf(cmd, sizeof(cmd), "cd '%s' 2>/dev/null && LC_ALL=C ls -1 | grep '\\.ujs$'", dir);
  assert_non_null(fp = popen(cmd, "r"));
  len = fread(names, 1, namesize - 1, fp);
  names[len] = '\0';
  pclose(fp);
}


//
// 'test_outbox_queue()' - Records are durable files, in order, in a 03770 folder.
//

static void
test_outbox_queue(void **state)		// I - Test state (unused)
{
  upa_config_t	*cfg;			// Configuration
  upa_outbox_t	*ob;			// Outbox
  upa_jobstatus_t js;			// Status
  char		path[PATH_MAX + 4400],	// Folder or file
		names[4096],		// Record names
		*first,			// First record name
		*text;			// Record contents
  struct stat	info;			// File information


  (void)state;

  cfg = outbox_config("queue");
  assert_non_null(ob = upaOutboxOpen(cfg));

  snprintf(path, sizeof(path), "%s/outbox", cfg->cache_dir);
  assert_int_equal(stat(path, &info), 0);
  assert_int_equal(info.st_mode & 07777, 03770);
  assert_int_equal(upaOutboxCount(ob), 0);

  memset(&js, 0, sizeof(js));
  js.state       = IPP_JSTATE_PROCESSING;
  js.reasons[0]  = "job-printing";
  js.impressions = -1;
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, "mailto:alice@contoso.com", 5, &js));

  js.state       = IPP_JSTATE_COMPLETED;
  js.reasons[0]  = "job-completed-successfully";
  js.impressions = 3;
  js.message     = "Printed \"all\" pages";
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, "mailto:alice@contoso.com", 5, &js));

  js.message     = NULL;
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, 6, &js));

  assert_int_equal(upaOutboxCount(ob), 3);
  assert_int_equal(upaOutboxCountDevice(ob, TEST_DEVICE_ID), 3);
  assert_int_equal(upaOutboxCountDevice(ob, "0a0a0a0a-0000-4000-8000-00000000dead"), 0);

  // Bad arguments are refused, nothing is written.
  assert_false(upaOutboxAddJobStatus(ob, "../../etc", NULL, 7, &js));
  assert_false(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, 0, &js));
  assert_int_equal(upaOutboxCount(ob), 3);

  // The printer's state queues behind the job states, as a record of its
  // own kind; a state that is not one is refused.
  {
    static const char * const reasons[] = { "media-empty-error", "toner-low-warning" };

    assert_false(upaOutboxAddPrinterState(ob, TEST_DEVICE_ID, (ipp_pstate_t)2, 0, NULL, NULL));
    assert_false(upaOutboxAddPrinterState(ob, TEST_DEVICE_ID, IPP_PSTATE_STOPPED, 2, NULL, NULL));
    assert_false(upaOutboxAddPrinterState(ob, "../../etc", IPP_PSTATE_STOPPED, 2, reasons, NULL));
    assert_int_equal(upaOutboxCount(ob), 3);
    assert_true(upaOutboxAddPrinterState(ob, TEST_DEVICE_ID, IPP_PSTATE_STOPPED, 2, reasons, "Out of paper"));
    assert_int_equal(upaOutboxCountDevice(ob, TEST_DEVICE_ID), 4);
    // Not a job: the job states are unchanged
    assert_int_equal(upaOutboxJobState(ob, TEST_DEVICE_ID, 6), IPP_JSTATE_COMPLETED);
  }

  // Three files, sorted in queueing order; the first is job 5 processing.
  outbox_records(cfg, names, sizeof(names));
  print_message("%s", names);
  first = names;
  assert_non_null(strchr(first, '\n'));
  *strchr(first, '\n') = '\0';
  snprintf(path, sizeof(path), "%s/outbox/%s/%s", cfg->cache_dir, TEST_DEVICE_ID, first);
  assert_int_equal(stat(path, &info), 0);
  assert_int_equal(info.st_mode & 0777, 0640);
  assert_non_null(text = read_file(path, NULL));
  assert_non_null(strstr(text, "\"job\":5"));
  assert_non_null(strstr(text, "\"state\":5"));
  assert_non_null(strstr(text, "\"user\":\"mailto:alice@contoso.com\""));
  free(text);

  // The last one is the printer's state.
  {
    char	*next = first + strlen(first) + 1,
					// Rest of the list
		*last = NULL,		// Last name
		*nl;			// End of a name

    while ((nl = strchr(next, '\n')) != NULL)
    {
      *nl  = '\0';
      last = next;
      next = nl + 1;
    }

    assert_non_null(last);
    snprintf(path, sizeof(path), "%s/outbox/%s/%s", cfg->cache_dir, TEST_DEVICE_ID, last);
    assert_non_null(text = read_file(path, NULL));
    assert_non_null(strstr(text, "\"kind\":\"printer-state\""));
    assert_non_null(strstr(text, "\"printer-state\":5"));
    assert_non_null(strstr(text, "\"reasons\":[\"media-empty-error\",\"toner-low-warning\"]"));
    assert_non_null(strstr(text, "\"message\":\"Out of paper\""));
    free(text);
  }

  upaOutboxClose(ob);
  upaConfigDelete(cfg);
}


//
// 'open_fds()' - Count this process's open descriptors.
//

static int				// O - Number of descriptors
open_fds(void)
{
  DIR		*dir;			// /proc/self/fd
  struct dirent	*ent;			// Entry
  int		count = 0;		// Count


  assert_non_null(dir = opendir("/proc/self/fd"));
  while ((ent = readdir(dir)) != NULL)
  {
    if (ent->d_name[0] != '.')
      count ++;
  }
  closedir(dir);

  return (count);
}


//
// 'test_outbox_defer()' - A deferred sync: records visible at once, descriptors kept, then synced.
//

static void
test_outbox_defer(void **state)		// I - Test state (unused)
{
  upa_config_t	*cfg;			// Configuration
  upa_outbox_t	*ob;			// Outbox
  upa_jobstatus_t js;			// Status
  int		fds,			// Descriptors before
		i;			// Looping var


  (void)state;

  cfg = outbox_config("defer");
  assert_non_null(ob = upaOutboxOpen(cfg));
  fds = open_fds();

  memset(&js, 0, sizeof(js));
  js.state       = IPP_JSTATE_COMPLETED;
  js.reasons[0]  = "job-completed-successfully";
  js.impressions = 1;

  // Deferred: the record and its ledger line are there for every reader
  // (a requeued run's check), their folder and ledger wait for the sync
  upaOutboxDeferSync(ob);
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, 9, &js));
  assert_int_equal(upaOutboxJobState(ob, TEST_DEVICE_ID, 9), IPP_JSTATE_COMPLETED);
  assert_int_equal(upaOutboxCountDevice(ob, TEST_DEVICE_ID), 1);
  assert_int_equal(open_fds(), fds + 2);
  assert_true(upaOutboxSync(ob));
  assert_int_equal(open_fds(), fds);

  // The sync ends the deferral: the next record is synced at once
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, 10, &js));
  assert_int_equal(open_fds(), fds);

  // More records than descriptors kept (8, 2 per record): those kept are
  // synced when the table is full, none is lost, and closing the outbox
  // syncs what waits (10 records: 8 synced in two batches, the last 2
  // records' 4 descriptors kept)
  upaOutboxDeferSync(ob);
  for (i = 11; i < 21; i ++)
    assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, i, &js));
  assert_int_equal(open_fds(), fds + 4);
  for (i = 11; i < 21; i ++)
    assert_int_equal(upaOutboxJobState(ob, TEST_DEVICE_ID, i), IPP_JSTATE_COMPLETED);
  assert_int_equal(upaOutboxCountDevice(ob, TEST_DEVICE_ID), 12);
  upaOutboxClose(ob);
  assert_int_equal(open_fds(), fds);

  upaConfigDelete(cfg);
}


//
// 'outbox_down_device()' - Save the test device, its cloud unreachable, with a cached token.
//
// The device is returned (free it with upaDeviceDelete()).
//

static upa_device_t *			// O - Device
outbox_down_device(upa_config_t *cfg)	// I - Configuration (outbox_config(), outbox open)
{
  upa_device_t	*dev;			// Device
  char		path[PATH_MAX + 256],	// File
		token[512];		// Cached token


  assert_non_null(dev = upaDeviceNew(cfg, TEST_DEVICE_ID));
  assert_true(upaDeviceSetString(&dev->queue, "Floor3"));
  assert_true(upaDeviceSetString(&dev->token_url, "https://127.0.0.1:1/tenant/oauth2/token"));
  assert_true(upaDeviceSetString(&dev->printer_uri, "ipps://127.0.0.1:1/printers/" TEST_DEVICE_ID));
  if (!upaDeviceSave(cfg, dev))
    fail_msg("upaDeviceSave: %s", upaLastErrorString());

  // A cached token, so the IPP request itself is what cannot connect.
  snprintf(path, sizeof(path), "%s/tokens", cfg->cache_dir);
  mkdir(path, 0770);
  snprintf(path, sizeof(path), "%s/tokens/%s.json", cfg->cache_dir, TEST_DEVICE_ID);
  snprintf(token, sizeof(token), "{\"access_token\":\"test-token\",\"expires\":%lld,\"obtained\":%lld}", (long long)time(NULL) + 3600, (long long)time(NULL));
  write_file(path, token, strlen(token));

  return (dev);
}


//
// 'test_outbox_unreachable()' - Cloud down: records stay, in order, with back-off.
//

static void
test_outbox_unreachable(void **state)	// I - Test state (unused)
{
  upa_config_t	*cfg;			// Configuration
  upa_device_t	*dev;			// Device
  upa_outbox_t	*ob;			// Outbox
  upa_jobstatus_t js;			// Status
  char		path[PATH_MAX + 256],	// File
		before[4096],		// Records before
		after[4096];		// Records after
  int		pending = -1;		// Records left
  time_t	next,			// Next attempt
		start;			// Start of a flush


  (void)state;

  cfg = outbox_config("down");
  assert_non_null(ob = upaOutboxOpen(cfg));	// Makes the cache folder
  dev = outbox_down_device(cfg);

  memset(&js, 0, sizeof(js));
  js.state       = IPP_JSTATE_COMPLETED;
  js.reasons[0]  = "job-completed-successfully";
  js.impressions = 1;
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, 5, &js));
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, 6, &js));
  outbox_records(cfg, before, sizeof(before));

  // First flush: connection refused, nothing delivered, back-off starts.
  assert_int_equal(upaOutboxFlush(ob, &pending), 0);
  assert_int_equal(pending, 2);
  outbox_records(cfg, after, sizeof(after));
  assert_string_equal(before, after);
  next = upaOutboxNextAttempt(ob, TEST_DEVICE_ID);
  assert_true(next >= time(NULL) + 3 && next <= time(NULL) + 5);
  snprintf(path, sizeof(path), "%s/outbox/%s/backoff", cfg->cache_dir, TEST_DEVICE_ID);
  assert_int_equal(access(path, F_OK), 0);

  // During the back-off nothing is attempted (and nothing is lost).
  start = time(NULL);
  pending = -1;
  assert_int_equal(upaOutboxFlushDevice(ob, TEST_DEVICE_ID, 5, false, &pending), 0);
  assert_int_equal(pending, 2);
  assert_true(time(NULL) - start <= 1);
  assert_int_equal(upaOutboxNextAttempt(ob, TEST_DEVICE_ID), next);

  // Forced: a second failure doubles the back-off.
  pending = -1;
  assert_int_equal(upaOutboxFlushDevice(ob, TEST_DEVICE_ID, 5, true, &pending), 0);
  assert_int_equal(pending, 2);
  next = upaOutboxNextAttempt(ob, TEST_DEVICE_ID);
  assert_true(next >= time(NULL) + 8 && next <= time(NULL) + 10);

  // A job whose terminal update was delivered is neither queued again nor
  // sent again: its record is dropped without any cloud traffic.
  snprintf(path, sizeof(path), "%s/outbox/%s/delivered", cfg->cache_dir, TEST_DEVICE_ID);
  write_file(path, "5\n", 2);
  assert_true(upaOutboxIsDelivered(ob, TEST_DEVICE_ID, 5));
  assert_false(upaOutboxIsDelivered(ob, TEST_DEVICE_ID, 6));
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, 5, &js));
  assert_int_equal(upaOutboxCount(ob), 2);
  pending = -1;
  assert_int_equal(upaOutboxFlushDevice(ob, TEST_DEVICE_ID, 5, true, &pending), 0);
  assert_int_equal(pending, 1);		// Job 6 still waits

  // A damaged record is set aside instead of blocking the queue.
  snprintf(path, sizeof(path), "%s/outbox/%s/0000000000000-00000001-000000.ujs", cfg->cache_dir, TEST_DEVICE_ID);
  write_file(path, "{not json", 9);
  assert_int_equal(upaOutboxCount(ob), 2);
  pending = -1;
  assert_int_equal(upaOutboxFlushDevice(ob, TEST_DEVICE_ID, 5, true, &pending), 0);
  assert_int_equal(pending, 1);
  strncat(path, ".bad", sizeof(path) - strlen(path) - 1);
  assert_int_equal(access(path, F_OK), 0);

  upaOutboxClose(ob);
  upaDeviceDelete(dev);
  upaConfigDelete(cfg);
}


//
// 'outbox_queue_state()' - Queue one job state; return the name of its record.
//

static void
outbox_queue_state(upa_outbox_t       *ob,	// I - Outbox
                   const upa_config_t *cfg,	// I - Configuration
                   int                job_id,	// I - Cloud job-id
                   ipp_jstate_t       jstate,	// I - State
                   char               *name,	// O - Record name
                   size_t             namesize)	// I - Size of name
{
  upa_jobstatus_t js;			// Status
  char		names[4096],		// Record names, sorted
		*last;			// Last one


  memset(&js, 0, sizeof(js));
  js.state       = jstate;
  js.reasons[0]  = "none";
  js.impressions = -1;
  assert_true(upaOutboxAddJobStatus(ob, TEST_DEVICE_ID, NULL, job_id, &js));

  // Names sort in queueing order: the new record is the last one.
  outbox_records(cfg, names, sizeof(names));
  assert_true(strlen(names) > 1);
  names[strlen(names) - 1] = '\0';
  last = strrchr(names, '\n') ? strrchr(names, '\n') + 1 : names;
  snprintf(name, namesize, "%s", last);
}


//
// 'test_outbox_superseded()' - A job state that a later one of the same job replaces is not sent.
//

static void
test_outbox_superseded(void **state)	// I - Test state (unused)
{
  upa_config_t	*cfg;			// Configuration
  upa_device_t	*dev;			// Device
  upa_outbox_t	*ob;			// Outbox
  char		a[256], b[256], c[256], e[256], f[256], g[256],
					// Record names
		path[PATH_MAX + 512],	// File
		names[4096];		// Records left
  int		pending = -1;		// Records left


  (void)state;

  cfg = outbox_config("superseded");
  assert_non_null(ob = upaOutboxOpen(cfg));	// Makes the cache folder
  dev = outbox_down_device(cfg);

  // A terminal state is always sent, even with a later record of its job:
  // the flush tries it first, fails (cloud down) and keeps both.
  outbox_queue_state(ob, cfg, 9, IPP_JSTATE_COMPLETED, f, sizeof(f));
  outbox_queue_state(ob, cfg, 9, IPP_JSTATE_PROCESSING, g, sizeof(g));
  assert_int_equal(upaOutboxFlushDevice(ob, TEST_DEVICE_ID, 5, true, &pending), 0);
  assert_int_equal(pending, 2);
  snprintf(path, sizeof(path), "%s/outbox/%s/%s", cfg->cache_dir, TEST_DEVICE_ID, f);
  assert_int_equal(unlink(path), 0);
  snprintf(path, sizeof(path), "%s/outbox/%s/%s", cfg->cache_dir, TEST_DEVICE_ID, g);
  assert_int_equal(unlink(path), 0);

  // Job 5: processing, stopped, completed; job 6: processing, then a
  // damaged record that names no job.  The flush skips job 5's first two
  // without any cloud traffic, then tries job 6's processing (nothing that
  // loads replaces it), fails and stops there.
  outbox_queue_state(ob, cfg, 5, IPP_JSTATE_PROCESSING, a, sizeof(a));
  outbox_queue_state(ob, cfg, 5, IPP_JSTATE_STOPPED, b, sizeof(b));
  outbox_queue_state(ob, cfg, 6, IPP_JSTATE_PROCESSING, c, sizeof(c));
  snprintf(path, sizeof(path), "%s/outbox/%s/%.*s0.ujs", cfg->cache_dir, TEST_DEVICE_ID, (int)(strlen(c) - 4), c);
  write_file(path, "{\"job\":6,", 10);
  outbox_queue_state(ob, cfg, 5, IPP_JSTATE_COMPLETED, e, sizeof(e));
  assert_int_equal(upaOutboxCountDevice(ob, TEST_DEVICE_ID), 5);

  pending = -1;
  assert_int_equal(upaOutboxFlushDevice(ob, TEST_DEVICE_ID, 5, true, &pending), 0);
  assert_int_equal(pending, 3);
  outbox_records(cfg, names, sizeof(names));
  print_message("%s", names);
  assert_null(strstr(names, a));
  assert_null(strstr(names, b));
  assert_non_null(strstr(names, c));
  assert_non_null(strstr(names, e));

  // The ledger still holds every state queued: recovery reads it, not the
  // records.
  assert_int_equal(upaOutboxJobState(ob, TEST_DEVICE_ID, 5), IPP_JSTATE_COMPLETED);

  upaOutboxClose(ob);
  upaDeviceDelete(dev);
  upaConfigDelete(cfg);
}


//
// 'main()' - Run the tests, or act as the fake backend.
//

int					// O - Exit status
main(int  argc,				// I - Number of command-line args
     char *argv[])			// I - Command-line arguments
{
  const char	*env;			// Environment value
  char		link[PATH_MAX + 32];	// backend/fake
  ssize_t	len;			// Length of self path
  int		ret;			// Test result
  char		cmd[2 * PATH_MAX];	// Cleanup command
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_discovery_nocfg),
    cmocka_unit_test(test_discovery_devices),
    cmocka_unit_test(test_usage),
    cmocka_unit_test(test_bad_uri),
    cmocka_unit_test(test_bad_scheme),
    cmocka_unit_test(test_file_job),
    cmocka_unit_test(test_credentials),
    cmocka_unit_test(test_stdin_job),
    cmocka_unit_test(test_channels),
    cmocka_unit_test(test_unlinked_no_cloud),
    cmocka_unit_test(test_linked_no_config),
    cmocka_unit_test(test_linked_unknown_device),
    cmocka_unit_test(test_cancel),
    cmocka_unit_test(test_cancel_no_relay),
    cmocka_unit_test(test_sigterm_child),
    cmocka_unit_test(test_warm),
    cmocka_unit_test(test_warm_program),
    cmocka_unit_test(test_sidechannel),
    cmocka_unit_test(test_outbox_queue),
    cmocka_unit_test(test_outbox_defer),
    cmocka_unit_test(test_outbox_unreachable),
    cmocka_unit_test(test_outbox_superseded)
  };


  if (getenv("UPA_FAKE_RECORD"))
    return (fake_backend(argc, argv));

  if ((env = getenv("UPA_BACKEND")) != NULL && *env)
    snprintf(backend_path, sizeof(backend_path), "%s", env);
  else if ((env = getenv("top_builddir")) != NULL && *env)
    snprintf(backend_path, sizeof(backend_path), "%s/backend/upa", env);
  else
    snprintf(backend_path, sizeof(backend_path), "backend/upa");

  if (access(backend_path, X_OK))
  {
    fprintf(stderr, "testbackend: %s: %s (set UPA_BACKEND or top_builddir)\n", backend_path, strerror(errno));
    return (1);
  }

  if ((len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1)) < 0)
  {
    perror("testbackend: /proc/self/exe");
    return (1);
  }
  self_path[len] = '\0';

  snprintf(tmpdir, sizeof(tmpdir), "%s/testbackend.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
  {
    perror("testbackend: mkdtemp");
    return (1);
  }

  // Started as root, the backend runs a non-root real backend as lp (as
  // cupsd would): the fake backend must be able to write its records here.
  if (geteuid() == 0)
  {
    struct passwd *pw = getpwnam("lp");	// CUPS user

    if (!pw || chown(tmpdir, pw->pw_uid, pw->pw_gid) || chmod(tmpdir, 0755))
    {
      perror("testbackend: chown lp");
      return (1);
    }
  }

  snprintf(serverbin, sizeof(serverbin), "%s/serverbin", tmpdir);
  snprintf(link, sizeof(link), "%s/backend", serverbin);
  if (mkdir(serverbin, 0755) || mkdir(link, 0755))
  {
    perror("testbackend: mkdir");
    return (1);
  }
  // A copy, not a symlink: the backend runs the fake as lp, which may not
  // reach the build tree (a checkout under /root, mode 0700).
  snprintf(link, sizeof(link), "%s/backend/fake", serverbin);
  if (copy_program(self_path, link))
  {
    perror("testbackend: copy");
    return (1);
  }

  // The signal relay of this build (backend/run.c), copied like the fake:
  // it runs with the real backend's credentials
  if (!getenv("UPA_SIGRELAY"))
  {
    char relay[PATH_MAX + 32],		// Built upa-sigrelay
	 copy[PATH_MAX + 32];		// Its copy

    snprintf(relay, sizeof(relay), "%s", backend_path);
    if (strrchr(relay, '/'))
      snprintf(strrchr(relay, '/') + 1, sizeof(relay) - (size_t)(strrchr(relay, '/') + 1 - relay), "upa-sigrelay");
    snprintf(copy, sizeof(copy), "%s/upa-sigrelay", tmpdir);
    if (copy_program(relay, copy))
    {
      perror("testbackend: copy upa-sigrelay");
      return (1);
    }
    setenv("UPA_SIGRELAY", copy, 1);
  }

  // The backend proper of this build, next to the launcher (backend/launch.c)
  if (!getenv("UPA_BACKEND_PROGRAM"))
  {
    char program[PATH_MAX + 32];	// Built upa-backend

    snprintf(program, sizeof(program), "%s", backend_path);
    if (strrchr(program, '/'))
      snprintf(strrchr(program, '/') + 1, sizeof(program) - (size_t)(strrchr(program, '/') + 1 - program), "upa-backend");
    setenv("UPA_BACKEND_PROGRAM", program, 1);
  }

  // Warm guardians (root only) wait in a folder of this run, root's alone,
  // and give up once it is removed
  snprintf(warmdir, sizeof(warmdir), "%s/testbackend-warm.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(warmdir))
  {
    perror("testbackend: mkdtemp");
    return (1);
  }
  snprintf(warmsock, sizeof(warmsock), "%s/w", warmdir);
  setenv("UPA_WARM_DIR", warmsock, 1);

  ret = cmocka_run_group_tests(tests, NULL, NULL);

  if (!getenv("TESTBACKEND_KEEP"))
  {
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", tmpdir, warmdir);
    if (system(cmd))
      fprintf(stderr, "testbackend: could not remove %s\n", tmpdir);
  }

  return (ret);
}


//
// 'copy_program()' - Copy an executable, world-readable and executable.
//

static int				// O - 0 on success, -1 on error
copy_program(const char *from,		// I - Source file
             const char *to)		// I - Destination file
{
  int		in;			// Source descriptor
  int		out;			// Destination descriptor
  char		buffer[65536];		// Copy buffer
  ssize_t	bytes;			// Bytes read
  int		ret = 0;		// Result


  if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
    return (-1);

  if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755)) < 0)
  {
    close(in);
    return (-1);
  }

  while ((bytes = read(in, buffer, sizeof(buffer))) > 0)
  {
    if (write(out, buffer, (size_t)bytes) != bytes)
    {
      ret = -1;
      break;
    }
  }

  if (bytes < 0 || fchmod(out, 0755))
    ret = -1;

  close(in);
  if (close(out))
    ret = -1;

  return (ret);
}


//
// 'fake_backend()' - Act as the real backend: record everything, exit as the URI says.
//

static int				// O - Exit status from the URI
fake_backend(int  argc,			// I - Number of command-line args
             char *argv[])		// I - Command-line arguments
{
  const char	*record = getenv("UPA_FAKE_RECORD");
					// Record file
  const char	*uri = getenv("DEVICE_URI");
					// Device URI
  const char	*ptr;			// Pointer into URI
  char		datafile[PATH_MAX];	// Data file
  FILE		*fp,			// Record
		*dp;			// Data
  int		i,			// Looping var
		fd,			// Input
		code = 0,		// Exit code
		pages = 0,		// PAGE: lines
		sleeptime = 0,		// Seconds to sleep
		sc_requests = 0;	// Side-channel requests to answer
  long		total = 0;		// Bytes read
  char		buffer[8192];		// Copy buffer
  ssize_t	bytes;			// Bytes read
  bool		fd3 = fcntl(3, F_GETFD) >= 0,
					// Back channel open? (before we open files)
		fd4 = fcntl(4, F_GETFD) >= 0;
					// Side channel open?
  static const char reply[] = "fake-side-channel";
					// Proof we hold the harness' socket
  static const char backreply[] = "fake-back-channel";
					// Proof we hold the harness' pipe


  if (!uri)
    uri = "";
  if ((ptr = strstr(uri, "sc=")) != NULL)
    sc_requests = atoi(ptr + 3);

  // Raw proof of the channels, unless it speaks the side-channel protocol.
  if (fd4 && !sc_requests && write(4, reply, sizeof(reply) - 1) < 0)
    fd4 = false;
  if (fd3 && write(3, backreply, sizeof(backreply) - 1) < 0)
    fd3 = false;

  if ((ptr = strstr(uri, "/exit")) != NULL)
    code = atoi(ptr + 5);
  if ((ptr = strstr(uri, "pages=")) != NULL)
    pages = atoi(ptr + 6);
  if ((ptr = strstr(uri, "sleep=")) != NULL)
    sleeptime = atoi(ptr + 6);

  snprintf(datafile, sizeof(datafile), "%s.data", record);
  if ((fp = fopen(record, "w")) == NULL || (dp = fopen(datafile, "w")) == NULL)
    return (99);
  setbuf(fp, NULL);

  fprintf(fp, "argc=%d\n", argc);
  for (i = 0; i < argc; i ++)
    fprintf(fp, "argv[%d]=%s\n", i, argv[i]);
  fprintf(fp, "DEVICE_URI=%s\n", uri);
  fprintf(fp, "fd3=%s\n", fd3 ? "open" : "closed");
  fprintf(fp, "fd4=%s\n", fd4 ? "open" : "closed");

  fd = argc == 7 ? open(argv[6], O_RDONLY) : 0;
  while (fd >= 0 && (bytes = read(fd, buffer, sizeof(buffer))) > 0)
  {
    fwrite(buffer, 1, (size_t)bytes, dp);
    total += bytes;
  }
  fclose(dp);
  fprintf(fp, "bytes=%ld\n", total);

  fputs("INFO: fake backend printing\n", stderr);
  for (i = 1; i <= pages; i ++)
    fprintf(stderr, "PAGE: %d 1\n", i);

  if (sleeptime > 0 || sc_requests > 0)
    fputs("started\n", fp);

  // Answer side-channel requests the way a real backend does (network.c).
  for (i = 0; i < sc_requests; i ++)
  {
    cups_sc_command_t	cmd;		// Command
    cups_sc_status_t	scstatus;	// Status
    char		scdata[2048];	// Data
    int			sclen = sizeof(scdata);
					// Length of data

    if (cupsSideChannelRead(&cmd, &scstatus, scdata, &sclen, 10.0))
    {
      fputs("sc=error\n", fp);
      break;
    }

    fprintf(fp, "sc=%d\n", (int)cmd);

    if (cmd == CUPS_SC_CMD_GET_STATE)
    {
      scdata[0] = CUPS_SC_STATE_ONLINE | CUPS_SC_STATE_BUSY;
      cupsSideChannelWrite(cmd, CUPS_SC_STATUS_OK, scdata, 1, 1.0);
    }
    else if (cmd == CUPS_SC_CMD_GET_DEVICE_ID)
      cupsSideChannelWrite(cmd, CUPS_SC_STATUS_OK, "MFG:Fake;MDL:Side Channel;", 26, 1.0);
    else
      cupsSideChannelWrite(cmd, CUPS_SC_STATUS_NOT_IMPLEMENTED, NULL, 0, 1.0);
  }

  if (sleeptime > 0)
    sleep((unsigned)sleeptime);		// SIGTERM (default action) ends this

  fputs("done\n", fp);
  fclose(fp);

  return (code);
}


//
// 'my_group()' - Name of our primary group.
//

static const char *			// O - Group name
my_group(void)
{
  struct group	*grp = getgrgid(getgid());
					// Group entry


  assert_non_null(grp);

  return (grp->gr_name);
}


//
// 'read_file()' - Read a whole file (NULL if absent).
//

static char *				// O - Contents (malloc'd, NUL-terminated)
read_file(const char *path,		// I - File
          size_t     *len)		// O - Length or NULL
{
  FILE		*fp;			// File
  char		*data = NULL;		// Contents
  size_t	size = 0,		// Allocated
		used = 0;		// Used
  size_t	bytes;			// Bytes read


  if ((fp = fopen(path, "rb")) == NULL)
    return (NULL);

  do
  {
    if (used + 4097 > size)
    {
      size += 65536;
      assert_non_null(data = realloc(data, size));
    }

    bytes = fread(data + used, 1, size - used - 1, fp);
    used += bytes;
  }
  while (bytes > 0);

  fclose(fp);
  data[used] = '\0';
  if (len)
    *len = used;

  return (data);
}


//
// 'run_backend()' - Run the backend like cupsd and collect what happened.
//

static void
run_backend(const runopts_t *opts,	// I - Options
            run_t           *run)	// O - Result
{
  static int	runs = 0;		// Run counter (unique files)
  char		outfile[PATH_MAX + 32],	// stdout
		errfile[PATH_MAX + 32],	// stderr
		infile[PATH_MAX + 32],	// stdin
		recfile[PATH_MAX + 32],	// Fake's record
		datafile[PATH_MAX + 48];// Fake's data
  int		backpipe[2] = { -1, -1 },
					// Back channel
		sidesock[2] = { -1, -1 };
					// Side channel
  pid_t		pid;			// Backend process
  int		wstatus,		// Wait status
		i;			// Looping var
  bool		termed = false,		// SIGTERM sent?
		sc_done = false;	// Side-channel requests sent?
  char		*argv[8];		// Backend arguments
  int		argc;			// Number of arguments


  memset(run, 0, sizeof(run_t));
  run->sc_state = -1;
  runs ++;
  snprintf(outfile, sizeof(outfile), "%s/run%d.out", tmpdir, runs);
  snprintf(errfile, sizeof(errfile), "%s/run%d.err", tmpdir, runs);
  snprintf(infile, sizeof(infile), "%s/run%d.in", tmpdir, runs);
  snprintf(recfile, sizeof(recfile), "%s/run%d.rec", tmpdir, runs);
  snprintf(datafile, sizeof(datafile), "%s.data", recfile);
  write_file(infile, opts->input ? opts->input : "", opts->input ? opts->inputlen : 0);

  argv[0] = (char *)(opts->device_uri ? opts->device_uri : "upa");
  argv[1] = "42";
  argv[2] = "alice";
  argv[3] = "Quarterly report";
  argv[4] = "1";
  argv[5] = (char *)(opts->options ? opts->options : "");
  argv[6] = (char *)opts->file;
  argv[7] = NULL;

  argc = opts->argc ? opts->argc : opts->file ? 7 : 6;
  argv[argc] = NULL;

  if (opts->channels)
  {
    assert_int_equal(pipe(backpipe), 0);
    assert_int_equal(socketpair(AF_LOCAL, SOCK_STREAM, 0, sidesock), 0);
  }

  if ((pid = fork()) == 0)
  {
    int	fd;				// Looping var

    // Child: exactly fds 0-2 (+3/4 when asked), cupsd's environment.
    if ((fd = open(infile, O_RDONLY)) < 0 || dup2(fd, 0) < 0)
      _exit(98);
    if ((fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || dup2(fd, 1) < 0)
      _exit(98);
    if ((fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || dup2(fd, 2) < 0)
      _exit(98);

    if (opts->channels)
    {
      // Move our ends out of the way first: they may sit on 3 or 4.
      int back = fcntl(backpipe[1], F_DUPFD, 10),
	  side = fcntl(sidesock[1], F_DUPFD, 10);

      if (back < 0 || side < 0 || dup2(back, 3) < 0 || dup2(side, 4) < 0)
        _exit(98);
      for (fd = 5; fd < 1024; fd ++)
        close(fd);
    }
    else
    {
      for (fd = 3; fd < 1024; fd ++)
        close(fd);
    }

    if (opts->device_uri)
      setenv("DEVICE_URI", opts->device_uri, 1);
    else
      unsetenv("DEVICE_URI");
    setenv("CUPS_SERVERBIN", serverbin, 1);
    setenv("UPA_CONFIG", opts->config ? opts->config : "/nonexistent", 1);
    setenv("UPA_FAKE_RECORD", recfile, 1);
    unsetenv("PRINTER");

    execv(backend_path, argv);
    _exit(97);
  }

  assert_true(pid > 0);

  if (opts->channels)
  {
    close(backpipe[1]);
    close(sidesock[1]);
  }

  // Wait (at most 30 seconds), sending SIGTERM once the fake is busy.
  for (i = 0; i < 300; i ++)
  {
    if (waitpid(pid, &wstatus, WNOHANG) == pid)
      break;

    if (opts->sidechannel && !sc_done)
    {
      char *rec = read_file(recfile, NULL);
					// Record so far

      if (rec && strstr(rec, "started\n"))
      {
        // Be the filter: our end of the socket becomes fd 4 (CUPS_SC_FD)
        // just for the requests.
        int	saved = dup(CUPS_SC_FD);	// Our own fd 4, if any
        char	scdata[256];		// Response data
        int	sclen;			// Length of data

        assert_true(dup2(sidesock[0], CUPS_SC_FD) == CUPS_SC_FD);

        sclen = sizeof(scdata);
        run->sc_state_status = cupsSideChannelDoRequest(CUPS_SC_CMD_GET_STATE, scdata, &sclen, 10.0);
        if (run->sc_state_status == CUPS_SC_STATUS_OK && sclen == 1)
          run->sc_state = scdata[0];

        sclen = sizeof(run->sc_devid) - 1;
        run->sc_devid_status = cupsSideChannelDoRequest(CUPS_SC_CMD_GET_DEVICE_ID, run->sc_devid, &sclen, 10.0);
        if (run->sc_devid_status == CUPS_SC_STATUS_OK && sclen >= 0)
          run->sc_devid[sclen] = '\0';

        if (saved >= 0)
        {
          dup2(saved, CUPS_SC_FD);
          close(saved);
        }
        else
          close(CUPS_SC_FD);

        sc_done = true;
      }
      free(rec);
    }

    if (opts->term_after && !termed)
    {
      char *rec = read_file(recfile, NULL);
					// Record so far

      if (rec && strstr(rec, "started\n"))
      {
        kill(pid, SIGTERM);
        termed = true;
      }
      free(rec);
    }

    usleep(100000);
  }

  if (i >= 300)
  {
    kill(pid, SIGKILL);
    waitpid(pid, &wstatus, 0);
    run->status = -1;
  }
  else
    run->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;

  if (opts->term_after)
    assert_true(termed);
  if (opts->sidechannel)
    assert_true(sc_done);

  if (opts->channels)
  {
    ssize_t bytes;			// Bytes read

    fcntl(sidesock[0], F_SETFL, O_NONBLOCK);
    if ((bytes = read(sidesock[0], run->fd4_reply, sizeof(run->fd4_reply) - 1)) > 0)
      run->fd4_reply[bytes] = '\0';
    close(sidesock[0]);

    fcntl(backpipe[0], F_SETFL, O_NONBLOCK);
    if ((bytes = read(backpipe[0], run->fd3_reply, sizeof(run->fd3_reply) - 1)) > 0)
      run->fd3_reply[bytes] = '\0';
    close(backpipe[0]);
  }

  run->out    = read_file(outfile, NULL);
  run->err    = read_file(errfile, NULL);
  run->record = read_file(recfile, NULL);
  run->data   = read_file(datafile, &run->datalen);

  assert_non_null(run->out);
  assert_non_null(run->err);

  // Keep the details for the test log.
  fprintf(stderr, "--- backend run %d: %s (exit %d)\n%s", runs, opts->device_uri ? opts->device_uri : "(discovery)", run->status, run->err);
}


//
// 'run_free()' - Free a run result.
//

static void
run_free(run_t *run)			// I - Result
{
  free(run->out);
  free(run->err);
  free(run->record);
  free(run->data);
  memset(run, 0, sizeof(run_t));
}


//
// 'write_file()' - Create a file with the given contents.
//

static void
write_file(const char *path,		// I - File
           const char *data,		// I - Contents
           size_t     len)		// I - Length
{
  FILE	*fp;				// File


  assert_non_null(fp = fopen(path, "wb"));
  assert_int_equal(fwrite(data, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
}
