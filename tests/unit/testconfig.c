//
// Unit tests for lib/config.c and lib/device.c.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "upa.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>


//
// Local globals...
//

static char	tmpdir[256];		// Scratch folder for this run


//
// 'write_file()' - Write a scratch file and return its path.
//

static const char *			// O - Path (static buffer)
write_file(const char *name,		// I - File name
           const char *contents)	// I - Contents
{
  static char	path[512];		// Path
  FILE		*fp;			// File


  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(contents, fp);
  fclose(fp);

  return (path);
}


//
// 'test_defaults()' - A missing default file gives the commercial cloud.
//

static void
test_defaults(void **state)
{
  upa_config_t	*cfg;			// Configuration


  (void)state;

  unsetenv("UPA_CONFIG");
  cfg = upaConfigLoad(NULL);
  if (!cfg)
    skip();				// A real /etc/cups-upa/cups-upa.conf may exist and be unreadable here

  if (!cfg->path[0])
  {
    assert_string_equal(cfg->cloud, "commercial");
    assert_string_equal(cfg->print_url, "https://print.print.microsoft.com");
    assert_string_equal(cfg->register_url, "https://register.print.microsoft.com");
    assert_int_equal(cfg->release_order, UPA_ORDER_FETCH_FIRST);
    assert_int_equal(cfg->timeout, 60);
  }

  upaConfigDelete(cfg);
}


//
// 'test_profile()' - Profile universal-print (default) and pwg, and the Credentials file.
//

static void
test_profile(void **state)
{
  upa_config_t	*cfg;			// Configuration
  char		auth[512],		// Credentials file
		conf[1024],		// Config text
		user[64],		// User name read
		password[64];		// Password read


  (void)state;

  // Default and explicit universal-print: today's behaviour.
  cfg = upaConfigLoad(write_file("up.conf", "Cloud gcc\n"));
  assert_non_null(cfg);
  assert_int_equal(cfg->profile, UPA_PROFILE_UNIVERSAL_PRINT);
  assert_int_equal(cfg->release_order, UPA_ORDER_FETCH_FIRST);
  assert_string_equal(cfg->printer_uri, "");
  upaConfigDelete(cfg);

  cfg = upaConfigLoad(write_file("up2.conf", "Profile universal-print\nReleaseOrder acknowledge-first\n"));
  assert_non_null(cfg);
  assert_int_equal(cfg->profile, UPA_PROFILE_UNIVERSAL_PRINT);
  assert_int_equal(cfg->release_order, UPA_ORDER_ACK_FIRST);
  assert_string_equal(upaConfigProfileString(cfg->profile), "universal-print");
  upaConfigDelete(cfg);

  // pwg: Acknowledge-Job first, no registration service needed.
  snprintf(auth, sizeof(auth), "%s", write_file("pwg.auth", "# comment\nupa-infra:s3cret:with:colons\n"));
  snprintf(conf, sizeof(conf), "Profile pwg\nPrinterURI ipps://infra.example.com:8443/ipp/print\nReleaseOrder acknowledge-first\nCredentials %s\n", auth);
  cfg = upaConfigLoad(write_file("pwg.conf", conf));
  assert_non_null(cfg);
  assert_int_equal(cfg->profile, UPA_PROFILE_PWG);
  assert_string_equal(upaConfigProfileString(cfg->profile), "pwg");
  assert_int_equal(cfg->release_order, UPA_ORDER_ACK_FIRST);
  assert_string_equal(cfg->cloud, "custom");
  assert_string_equal(cfg->printer_uri, "ipps://infra.example.com:8443/ipp/print");

  // The Credentials file: root's, nothing for others.
  assert_int_equal(chmod(auth, 0644), 0);
  assert_false(upaConfigReadCredentials(cfg, user, sizeof(user), password, sizeof(password)));
  assert_non_null(strstr(upaLastErrorString(), "must be a regular file owned by root"));
  assert_string_equal(password, "");

  assert_int_equal(chmod(auth, 0600), 0);
  if (geteuid() == 0)
  {
    if (!upaConfigReadCredentials(cfg, user, sizeof(user), password, sizeof(password)))
      fail_msg("root could not read its own Credentials file: %s", upaLastErrorString());
    assert_string_equal(user, "upa-infra");
    assert_string_equal(password, "s3cret:with:colons");
  }
  else
  {
    // Not root's file, so not trusted.
    assert_false(upaConfigReadCredentials(cfg, user, sizeof(user), password, sizeof(password)));
    assert_non_null(strstr(upaLastErrorString(), "owned by root"));
  }
  upaConfigDelete(cfg);
}


//
// 'test_presets()' - Cloud presets and explicit URLs (explicit wins, any order).
//

static void
test_presets(void **state)
{
  upa_config_t	*cfg;			// Configuration


  (void)state;

  cfg = upaConfigLoad(write_file("gcchigh.conf", "# comment\nCloud gcc-high\n"));
  assert_non_null(cfg);
  assert_string_equal(cfg->print_url, "https://print.print.azure.us");
  assert_string_equal(cfg->graph_url, "https://graph.microsoft.us/v1.0");
  assert_string_equal(cfg->authority_url, "https://login.microsoftonline.us");
  assert_string_equal(cfg->badge_url, "https://graph.print.azure.us/v1.0");
  assert_string_equal(cfg->resource_url, "https://print.print.azure.us");
  upaConfigDelete(cfg);

  cfg = upaConfigLoad(write_file("dod.conf", "PrintURL https://print.example.com:8443\nCloud dod\n"));
  assert_non_null(cfg);
  assert_string_equal(cfg->print_url, "https://print.example.com:8443");
  assert_string_equal(cfg->register_url, "https://register.print-dod.azure.us");
  upaConfigDelete(cfg);

  cfg = upaConfigLoad(write_file("gcc.conf", "AuthorityURL https://login.example.com\nCloud gcc\n"));
  assert_non_null(cfg);
  assert_string_equal(cfg->authority_url, "https://login.example.com");
  upaConfigDelete(cfg);
}


//
// 'test_full()' - Every directive is read.
//

static void
test_full(void **state)
{
  upa_config_t	*cfg;			// Configuration
  char		contents[2048];		// File contents


  (void)state;

  snprintf(contents, sizeof(contents),
           "Cloud custom\n"
           "RegisterURL https://127.0.0.1:8443\n"
           "PrintURL https://127.0.0.1:8443\n"
           "GraphURL https://127.0.0.1:8443/v1.0\n"
           "AuthorityURL https://127.0.0.1:8443\n"
           "CAFile %s/ca.pem\n"
           "Proxy http://proxy.example.com:3128\n"
           "StateDir /var/lib/test-upa\n"
           "CacheDir /var/cache/test-upa\n"
           "DeviceGroup lp\n"
           "LogLevel debug\n"
           "ReleaseOrder acknowledge-first\n"
           "Timeout 15\n"
           "CupsServer /run/cups/cups.sock\n", tmpdir);
  write_file("ca.pem", "not really a CA\n");

  cfg = upaConfigLoad(write_file("full.conf", contents));
  assert_non_null(cfg);
  assert_string_equal(cfg->cloud, "custom");
  assert_string_equal(cfg->register_url, "https://127.0.0.1:8443");
  assert_string_equal(cfg->graph_url, "https://127.0.0.1:8443/v1.0");
  assert_string_equal(cfg->authority_url, "https://127.0.0.1:8443");
  assert_string_equal(cfg->badge_url, "https://127.0.0.1:8443/v1.0");
					// Cloud custom: GraphURL
  assert_string_equal(cfg->proxy, "http://proxy.example.com:3128");
  assert_string_equal(cfg->state_dir, "/var/lib/test-upa");
  assert_string_equal(cfg->cache_dir, "/var/cache/test-upa");
  assert_string_equal(cfg->device_group, "lp");
  assert_int_equal(cfg->log_level, UPA_LOG_DEBUG);
  assert_int_equal(cfg->release_order, UPA_ORDER_ACK_FIRST);
  assert_int_equal(cfg->timeout, 15);
  assert_string_equal(cfg->cups_server, "/run/cups/cups.sock");
  upaConfigDelete(cfg);
}


//
// 'test_errors()' - Bad files are refused with a message naming file and line.
//

static void
test_errors(void **state)
{
  static const struct
  {
    const char	*contents;		// File contents
    const char	*expect;		// Text the message must contain
  } cases[] =
  {
    { "Cloud mars\n", "line 1: unknown cloud" },
    { "\n\nFrobnicate yes\n", "line 3: unknown directive Frobnicate" },
    { "PrintURL http://insecure.example.com\n", "must be an https:// URL" },
    { "PrintURL https://print.example.com/\n", "must not end with" },
    { "StateDir relative/dir\n", "absolute path" },
    { "LogLevel chatty\n", "unknown LogLevel" },
    { "ReleaseOrder whenever\n", "unknown ReleaseOrder" },
    { "Timeout 0\n", "Timeout must be" },
    { "Timeout 12abc\n", "Timeout must be" },
    { "CAFile /nonexistent/ca.pem\n", "not readable" },
    { "Cloud custom\nPrintURL https://x.example.com\n", "needs RegisterURL and PrintURL" },
    { "Proxy\n", "needs a value" },
    { "Profile ippeverywhere\n", "unknown Profile" },
    { "Profile pwg\n", "needs PrinterURI" },
    { "Profile pwg\nPrinterURI ipp://infra.example.com/ipp/print\n", "must be an ipps:// URI" },
    { "Profile pwg\nCloud commercial\nPrinterURI ipps://infra.example.com/ipp/print\n", "not Microsoft's cloud" },
    { "ReleaseOrder fetch-first\nProfile pwg\nPrinterURI ipps://infra.example.com/ipp/print\n", "remove \"ReleaseOrder fetch-first\"" },
    { "Profile pwg\nPrinterURI ipps://infra.example.com/ipp/print\nCredentials relative.auth\n", "absolute path" },
    { "PrinterURI ipps://infra.example.com/ipp/print\n", "belong to Profile pwg" }
  };
  size_t	i;			// Looping var
  upa_config_t	*cfg;			// Configuration


  (void)state;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i ++)
  {
    cfg = upaConfigLoad(write_file("bad.conf", cases[i].contents));
    if (cfg)
      fail_msg("case %u was accepted: %s", (unsigned)i, cases[i].contents);
    assert_int_equal(upaLastError(), UPA_ERROR_CONFIG);
    if (!strstr(upaLastErrorString(), cases[i].expect))
      fail_msg("case %u: \"%s\" does not contain \"%s\"", (unsigned)i, upaLastErrorString(), cases[i].expect);
  }

  // A file named explicitly must exist.
  assert_null(upaConfigLoad("/nonexistent/cups-upa.conf"));
  assert_int_equal(upaLastError(), UPA_ERROR_CONFIG);
}


//
// 'test_devices()' - Device store round trip, lookup by queue, bad ids, removal.
//

static void
test_devices(void **state)
{
  upa_config_t	*cfg;			// Configuration
  upa_device_t	*dev,			// Device
		*loaded,		// Loaded device
		*copy,			// Copy of dev
		**devices;		// Device list
  int		num_devices;		// Number of devices
  char		contents[1024],		// Config file
		uuid[256],		// output-device-uuid
		longval[1001];		// A value too long for device.conf


  (void)state;

  // "root" exists everywhere; the default group cups-upa need not on a build machine.
  snprintf(contents, sizeof(contents), "StateDir %s/state\nDeviceGroup root\n", tmpdir);
  cfg = upaConfigLoad(write_file("dev.conf", contents));
  assert_non_null(cfg);

  // Nothing registered yet.
  assert_int_equal(upaDeviceList(cfg, &devices), 0);
  assert_null(upaDeviceFindQueue(cfg, "Floor3"));
  assert_int_equal(upaLastError(), UPA_ERROR_DEVICE);
  assert_non_null(strstr(upaLastErrorString(), "upactl register Floor3"));

  // Ids become folder names: refuse anything but UUID-like ids.
  assert_null(upaDeviceNew(cfg, "../../etc"));
  assert_null(upaDeviceNew(cfg, ""));
  assert_null(upaDeviceLoad(cfg, "0000-missing"));
  assert_int_equal(upaLastError(), UPA_ERROR_DEVICE);

  dev = upaDeviceNew(cfg, "6f1c2d3e-0000-4000-8000-000000000001");
  assert_non_null(dev);
  assert_true(upaDeviceSetString(&dev->queue, "Floor3"));
  assert_true(upaDeviceSetString(&dev->name, "Floor 3 copier"));
  assert_true(upaDeviceSetString(&dev->token_url, "https://127.0.0.1:8443/tenant/oauth2/token"));
  assert_true(upaDeviceSetString(&dev->client_id, "client"));
  assert_true(upaDeviceSetString(&dev->redirect_uri, "https://login.example.com/nativeclient"));
  assert_true(upaDeviceSetString(&dev->resource, "https://print.print.microsoft.com"));
  assert_true(upaDeviceSetString(&dev->printer_uri, "ipps://127.0.0.1:8443/printers/6f1c2d3e-0000-4000-8000-000000000001"));
  assert_true(upaDeviceSetString(&dev->previous_uri, "socket://10.0.0.5:9100"));
  dev->registered = 1700000000;
  assert_true(upaDeviceSave(cfg, dev));

  loaded = upaDeviceFindQueue(cfg, "floor3");
  assert_non_null(loaded);
  assert_string_equal(loaded->id, dev->id);
  assert_string_equal(loaded->name, "Floor 3 copier");
  assert_string_equal(loaded->previous_uri, "socket://10.0.0.5:9100");
  assert_string_equal(loaded->printer_uri, dev->printer_uri);
  assert_int_equal((int)loaded->registered, 1700000000);
  assert_true(upaDeviceUUID(loaded, uuid, sizeof(uuid)));
  assert_string_equal(uuid, "urn:uuid:6f1c2d3e-0000-4000-8000-000000000001");
  assert_false(loaded->direct);		// Direct printing is off unless asked
  upaDeviceDelete(loaded);

  // The Direct setting round-trips (upactl register --direct, device set)
  dev->direct = true;
  assert_true(upaDeviceSave(cfg, dev));
  loaded = upaDeviceFindQueue(cfg, "Floor3");
  assert_non_null(loaded);
  assert_true(loaded->direct);
  upaDeviceDelete(loaded);
  dev->direct = false;
  assert_true(upaDeviceSave(cfg, dev));

  // A value with a line break would corrupt device.conf.
  assert_true(upaDeviceSetString(&dev->name, "evil\nQueue Other"));
  assert_false(upaDeviceSave(cfg, dev));
  assert_true(upaDeviceSetString(&dev->name, "Floor 3 copier"));

  // ... and so would one longer than upaDeviceLoad() reads back.
  memset(longval, 'x', sizeof(longval) - 1);
  longval[sizeof(longval) - 1] = '\0';
  assert_true(upaDeviceSetStringf(&dev->previous_uri, "socket://%s", longval));
  assert_false(upaDeviceSave(cfg, dev));
  assert_true(upaDeviceSetString(&dev->previous_uri, "socket://10.0.0.5:9100"));

  // A copy owns its own strings: changing or freeing one leaves the other.
  copy = upaDeviceCopy(dev);
  assert_non_null(copy);
  assert_true(copy->queue != dev->queue);
  assert_string_equal(copy->queue, "Floor3");
  assert_string_equal(copy->key_file, dev->key_file);
  assert_string_equal(copy->previous_uri, "socket://10.0.0.5:9100");
  assert_int_equal((int)copy->registered, 1700000000);
  assert_true(upaDeviceSetString(&copy->queue, "Floor4"));
  assert_string_equal(dev->queue, "Floor3");
  upaDeviceDelete(copy);

  num_devices = upaDeviceList(cfg, &devices);
  assert_int_equal(num_devices, 1);
  upaDeviceListDelete(devices, num_devices);

  assert_true(upaDeviceRemove(cfg, dev));
  assert_int_equal(upaDeviceList(cfg, &devices), 0);

  upaDeviceDelete(dev);
  upaConfigDelete(cfg);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_presets),
    cmocka_unit_test(test_profile),
    cmocka_unit_test(test_full),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_devices)
  };
  int	ret;				// Result
  char	command[300];			// Cleanup command


  snprintf(tmpdir, sizeof(tmpdir), "/tmp/testconfig.XXXXXX");
  if (!mkdtemp(tmpdir))
    return (1);

  ret = cmocka_run_group_tests(tests, NULL, NULL);

  snprintf(command, sizeof(command), "rm -rf '%s'", tmpdir);
  if (system(command))
    ret = 1;

  return (ret);
}
