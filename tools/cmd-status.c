//
// "upactl status" and "upactl list".
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upactl.h"
#include "infra.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>


//
// Local functions...
//

static void	format_time(time_t t, char *buffer, size_t bufsize);


//
// 'upactlCmdList()' - List the CUPS queues and their registration.
//

int					// O - Exit status
upactlCmdList(upactl_t *ctl,		// I - Global state
              int      argc,		// I - Number of arguments
              char     *argv[])		// I - Arguments
{
  http_t	*http;			// Connection to cupsd
  char		**queues = NULL;	// Queues
  upa_device_t	**devices = NULL;	// Registered devices
  int		num_queues,		// Number of queues
		num_devices,		// Number of devices
		i, j;			// Looping vars
  char		uri[1024],		// Device URI
		prefix[256];		// upa://<id>/


  if (argc > 1)
    return (upactlUsage("list", strcmp(argv[1], "--help") ? stderr : stdout, strcmp(argv[1], "--help") ? UPACTL_USAGE : UPACTL_OK));

  if (!upactlLoadConfig(ctl))
    return (UPACTL_FAILED);

  if ((num_devices = upaDeviceList(ctl->cfg, &devices)) < 0)
    return (upactlFail("cannot read the device store (%s): run upactl as root or as a member of group %s", upaLastErrorString(), ctl->cfg->device_group));

  if ((http = upaCupsConnect(ctl->cfg)) == NULL || (num_queues = upactlQueues(http, &queues)) < 0)
  {
    upaDeviceListDelete(devices, num_devices);
    httpClose(http);
    return (upactlFail("cannot list the CUPS queues (%s): start cupsd or fix CupsServer", upaLastErrorString()));
  }

  printf("%-24s %-14s %s\n", "QUEUE", "STATE", "CLOUD PRINTER");

  for (i = 0; i < num_queues; i ++)
  {
    upa_device_t *dev = NULL;		// Device of this queue

    for (j = 0; j < num_devices; j ++)
    {
      if (!strcmp(devices[j]->queue, queues[i]))
        dev = devices[j];
    }

    if (!upaCupsGetDeviceURI(http, queues[i], uri, sizeof(uri)))
      uri[0] = '\0';

    if (dev)
    {
      snprintf(prefix, sizeof(prefix), "upa://%s/", dev->id);
      printf("%-24s %-14s %s\n", queues[i], strncmp(uri, prefix, strlen(prefix)) ? "URI-MISMATCH" : "registered", dev->id);
    }
    else
      printf("%-24s %-14s %s\n", queues[i], strncmp(uri, "upa://", 6) ? "not registered" : "NO-DEVICE", "-");
  }

  // Devices whose queue was deleted.
  for (j = 0; j < num_devices; j ++)
  {
    for (i = 0; i < num_queues; i ++)
    {
      if (!strcmp(devices[j]->queue, queues[i]))
        break;
    }

    if (i >= num_queues)
      printf("%-24s %-14s %s\n", devices[j]->queue, "QUEUE-MISSING", devices[j]->id);
  }

  upactlQueuesFree(queues, num_queues);
  upaDeviceListDelete(devices, num_devices);
  httpClose(http);

  return (UPACTL_OK);
}


//
// 'upactlCmdStatus()' - Show every registered device.
//

int					// O - Exit status
upactlCmdStatus(upactl_t *ctl,		// I - Global state
                int      argc,		// I - Number of arguments
                char     *argv[])	// I - Arguments
{
  bool		check = false,		// --check given?
		as_json = false;	// --json given?
  upa_device_t	**devices = NULL;	// Registered devices
  int		i,			// Looping var
		num_devices;		// Number of devices
  http_t	*http;			// Connection to cupsd
  char		uri[1024],		// Queue's device URI
		expect[1100],		// Expected URI prefix
		shown[2100],		// URI for display
		cache[1600],		// Token cache state
		when[64];		// Time as text
  time_t	expires;		// Token expiry
  json_object	*json = NULL,		// --json output
		*list = NULL;		// "printers"
  upa_syncstate_t sync;			// Sync state
  int		status = UPACTL_OK;	// Exit status
  char		cloud_msg[1024];	// --check result text


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
      return (upactlUsage("status", stdout, UPACTL_OK));
    else if (!strcmp(argv[i], "--check"))
      check = true;
    else if (!strcmp(argv[i], "--json"))
      as_json = true;
    else
      return (upactlUsage("status", stderr, UPACTL_USAGE));
  }

  if (!upactlLoadConfig(ctl))
    return (UPACTL_FAILED);

  if ((num_devices = upaDeviceList(ctl->cfg, &devices)) < 0)
    return (upactlFail("cannot read the device store (%s): run upactl as root or as a member of group %s", upaLastErrorString(), ctl->cfg->device_group));

  if (as_json)
  {
    json = json_object_new_object();
    list = json_object_new_array();
    json_object_object_add(json, "stateDir", json_object_new_string(ctl->cfg->state_dir));
    json_object_object_add(json, "printers", list);
  }
  else if (num_devices == 0)
  {
    printf("No printers are registered with Universal Print on this server (state directory %s).\n", ctl->cfg->state_dir);
    return (UPACTL_OK);
  }

  if ((http = upaCupsConnect(ctl->cfg)) == NULL)
    fprintf(stderr, "upactl: cannot connect to CUPS (%s): device URIs are not shown.\n", upaLastErrorString());

  for (i = 0; i < num_devices; i ++)
  {
    upa_device_t *dev = devices[i];	// Current device
    json_object	*obj = NULL;		// This printer (--json)
    const char	*uri_state;		// "ok", "mismatch", "missing", "unknown"
    const char	*cloud_state = NULL;	// --check result
    bool	cloud_ok = true;	// --check worked?

    snprintf(expect, sizeof(expect), "upa://%s/", dev->id);
    if (!http)
    {
      uri_state = "unknown";
      shown[0]  = '\0';
    }
    else if (!upaCupsGetDeviceURI(http, dev->queue, uri, sizeof(uri)))
    {
      uri_state = "missing";
      snprintf(shown, sizeof(shown), "%s", upaLastErrorString());
      status = UPACTL_FAILED;
    }
    else
    {
      upactlDisplayURI(uri, shown, sizeof(shown));
      uri_state = strncmp(uri, expect, strlen(expect)) ? "mismatch" : "ok";
      if (strcmp(uri_state, "ok"))
        status = UPACTL_FAILED;
    }

    upactlTokenState(ctl, dev, cache, sizeof(cache), &expires);
    upaSyncStateLoad(ctl->cfg, dev->id, &sync);

    if (check)
    {
      // A real request, not the cached token: the cloud may be down while
      // the cached token is still valid.
      if (!upactlCloudCheck(ctl, dev, cloud_msg, sizeof(cloud_msg)))
      {
        cloud_ok = false;
        status   = UPACTL_FAILED;
      }
      cloud_state = cloud_msg;
      if (cloud_ok)
        upactlTokenState(ctl, dev, cache, sizeof(cache), &expires);
    }

    if (as_json)
    {
      json_object *tok = json_object_new_object();
					// "token"

      obj = json_object_new_object();
      json_object_object_add(obj, "queue", json_object_new_string(dev->queue));
      json_object_object_add(obj, "id", json_object_new_string(dev->id));
      json_object_object_add(obj, "name", json_object_new_string(dev->name));
      json_object_object_add(obj, "registered", json_object_new_int64((int64_t)dev->registered));
      json_object_object_add(obj, "direct", json_object_new_boolean(dev->direct));
      json_object_object_add(obj, "deviceURI", shown[0] ? json_object_new_string(shown) : NULL);
      json_object_object_add(obj, "deviceURIState", json_object_new_string(uri_state));
      json_object_object_add(tok, "state", json_object_new_string(expires == 0 ? "none" : expires > time(NULL) ? "valid" : "expired"));
      json_object_object_add(tok, "expires", expires ? json_object_new_int64((int64_t)expires) : NULL);
      json_object_object_add(obj, "token", tok);
      json_object_object_add(obj, "lastSync", sync.last_sync ? json_object_new_int64((int64_t)sync.last_sync) : NULL);
      json_object_object_add(obj, "lastAttempt", sync.last_attempt ? json_object_new_int64((int64_t)sync.last_attempt) : NULL);
      json_object_object_add(obj, "lastError", sync.last_error[0] ? json_object_new_string(sync.last_error) : NULL);
      if (check)
        json_object_object_add(obj, "cloud", json_object_new_string(cloud_state));
      json_object_array_add(list, obj);
      continue;
    }

    printf("%s\n", dev->queue);
    printf("  Cloud printer:  %s (%s)\n", dev->id, dev->name);
    if (!strcmp(uri_state, "unknown"))
      printf("  Device URI:     unknown (CUPS not reachable)\n");
    else if (!strcmp(uri_state, "missing"))
      printf("  Device URI:     MISSING: %s\n", shown);
    else if (!strcmp(uri_state, "mismatch"))
      printf("  Device URI:     %s  MISMATCH: expected %s<printer URI>\n", shown, expect);
    else
      printf("  Device URI:     %s\n", shown);
    printf("  Direct print:   %s\n", dev->direct ? "on (the upa-sync service prints jobs sent to this printer)" : "off (badge release only)");
    printf("  Token cache:    %s\n", cache);

    format_time(sync.last_sync, when, sizeof(when));
    printf("  Last sync:      %s", when);
    if (sync.last_sync)
      printf(" (%d attributes)", sync.last_pushed);
    putchar('\n');
    if (sync.last_error[0])
    {
      format_time(sync.last_attempt, when, sizeof(when));
      printf("  Last error:     %s: %s\n", when, sync.last_error);
    }
    else
      printf("  Last error:     none\n");

    if (check)
      printf("  Cloud:          %s%s\n", cloud_ok ? "" : "FAILED: ", cloud_state);
  }

  if (as_json)
  {
    puts(json_object_to_json_string_ext(json, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(json);
  }

  httpClose(http);
  upaDeviceListDelete(devices, num_devices);

  return (status);
}


//
// 'upactlCloudCheck()' - Ask the cloud as a device: a token, then a Get-Jobs.
//
// Get-Jobs only reads (the device's fetchable jobs), so it is harmless; it
// reaches the print service whether or not a cached token is still valid.
//

bool					// O - true when the cloud answered
upactlCloudCheck(
    upactl_t           *ctl,		// I - Global state
    const upa_device_t *dev,		// I - Device
    char               *message,	// O - What happened
    size_t             msgsize)		// I - Size of message
{
  upa_client_t	*client;		// Cloud session
  char		token[16384];		// Token (never shown)
  ipp_t		*response = NULL;	// Get-Jobs response
  ipp_status_t	ipp_status;		// Its status
  bool		ok = false;		// Result


  token[0] = '\0';

  if ((client = upaClientCreate(ctl->cfg, dev)) == NULL)
    snprintf(message, msgsize, "unreachable: %s", upaLastErrorString());
  else if (ctl->cfg->profile != UPA_PROFILE_PWG && !upaClientGetToken(client, false, token, sizeof(token)))
    snprintf(message, msgsize, "no device token: %s", upaLastErrorString());
  else if ((response = upaInfraGetJobs(client, NULL)) == NULL)
    snprintf(message, msgsize, "unreachable: Get-Jobs at %s: %s", ctl->cfg->profile == UPA_PROFILE_PWG ? ctl->cfg->printer_uri : ctl->cfg->print_url, upaLastErrorString());
  else if ((ipp_status = ippGetStatusCode(response)) >= IPP_STATUS_ERROR_BAD_REQUEST)
    snprintf(message, msgsize, "Get-Jobs at %s answered %s", ctl->cfg->profile == UPA_PROFILE_PWG ? ctl->cfg->printer_uri : ctl->cfg->print_url, ippErrorString(ipp_status));
  else
  {
    // Profile pwg has no token: HTTP Basic (Credentials) or nothing.
    snprintf(message, msgsize, "reachable, %s, Get-Jobs ok", ctl->cfg->profile == UPA_PROFILE_PWG ? (ctl->cfg->credentials[0] ? "Profile pwg, HTTP Basic ok" : "Profile pwg, no authentication") : "device token ok");
    ok = true;
  }

  explicit_bzero(token, sizeof(token));
  ippDelete(response);
  upaClientDelete(client);

  return (ok);
}


//
// 'format_time()' - Local time, or "never".
//

static void
format_time(time_t t,			// I - Time or 0
            char   *buffer,		// O - Text
            size_t bufsize)		// I - Size of buffer
{
  struct tm	tmbuf;			// Local time


  if (t <= 0 || !localtime_r(&t, &tmbuf))
    snprintf(buffer, bufsize, "never");
  else
    strftime(buffer, bufsize, "%Y-%m-%d %H:%M:%S", &tmbuf);
}
