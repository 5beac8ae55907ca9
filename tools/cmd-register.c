//
// "upactl register" and "upactl unregister", and the admin sign-in.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The admin token comes from --admin-token/UPA_ADMIN_TOKEN (automation) or
// from an OAuth device-code sign-in (--client-id/UPA_CLIENT_ID, the
// cups-upa app registration; --tenant/UPA_TENANT; --authority/UPA_AUTHORITY,
// default https://login.microsoftonline.com).
//
// Registration changes the queue last, after the device is stored; when
// anything fails the device is removed again and the new cloud printer is
// deleted, so the queue and the device store are exactly as they were.
// Unregistration deletes the cloud printer first (a printer the cloud no
// longer knows counts as deleted), then restores the queue's device URI,
// then removes the device: every step can be repeated after a failure.
//

#include "upactl.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>


//
// Local types...
//

typedef struct reg_opts_s		// Options of one "register" run
{
  const char	*name,			// --name
		*manufacturer,		// --manufacturer
		*model;			// --model
  int		max_wait;		// --max-wait
  bool		no_sync;		// --no-sync
  bool		direct;			// --direct
} reg_opts_t;


//
// Local functions...
//

static bool	cancel_cb(void *data);
static bool	get_queue_info(http_t *http, const char *queue, char *make_model, size_t mmsize, bool *exists);
static int	refuse_credentials(const char *queue, const char *uri);
static int	register_queue(upactl_t *ctl, http_t *http, const char *queue, const reg_opts_t *opts, const char *admin_token, bool *registered);


//
// 'upactlAdminToken()' - Get the admin token: given, or by device-code sign-in.
//

const char *				// O - Token or NULL (message printed)
upactlAdminToken(upactl_t        *ctl,	// I - Global state
                 upactl_signin_t *si)	// I - Sign-in options
{
  upa_devcode_t	dc;			// Pending sign-in
  int		max_wait = 0;		// --signin-timeout


  // Profile pwg: output devices are made locally and introduced to the
  // Infrastructure Printer with the Credentials; there is no admin sign-in.
  if (ctl->cfg && ctl->cfg->profile == UPA_PROFILE_PWG)
    return ("");

  if (!si->admin_token && getenv("UPA_ADMIN_TOKEN") && *getenv("UPA_ADMIN_TOKEN"))
    si->admin_token = getenv("UPA_ADMIN_TOKEN");
  if (si->admin_token)
  {
    if (!*si->admin_token)
    {
      upactlFail("--admin-token needs a value: pass the token, or sign in with a device code (--client-id)");
      return (NULL);
    }
    return (si->admin_token);
  }

  if (!si->client_id)
    si->client_id = getenv("UPA_CLIENT_ID");
  if (!si->authority)
    si->authority = getenv("UPA_AUTHORITY");
  if (!si->tenant)
    si->tenant = getenv("UPA_TENANT");

  if (!si->client_id || !*si->client_id)
  {
    upactlFail("an admin sign-in is needed: pass --client-id (or set UPA_CLIENT_ID) to the application id of your cups-upa app registration to sign in with a device code, or give a token with --admin-token/UPA_ADMIN_TOKEN");
    return (NULL);
  }

  if (si->signin_wait && (max_wait = atoi(si->signin_wait)) <= 0)
  {
    upactlFail("--signin-timeout needs a number of seconds");
    return (NULL);
  }

  if (!upaOAuthDeviceCodeStart(ctl->cfg, si->authority, si->tenant, si->client_id, NULL, &dc))
  {
    upactlFail("cannot start the admin sign-in (%s): check --client-id, --tenant, --authority and the network", upaLastErrorString());
    return (NULL);
  }

  // The admin signs in on another device: show exactly what to do.
  if (dc.message[0])
    printf("%s\n", dc.message);
  else
    printf("To sign in as a Printer Administrator, open %s and enter the code %s\n", dc.verification_uri, dc.user_code);
  printf("Waiting for the sign-in (the code is valid for %ld min)...\n", (long)((dc.expires - time(NULL) + 59) / 60));
  fflush(stdout);

  upactlCatchSignals();

  if (!upaOAuthDeviceCodeWait(ctl->cfg, &dc, max_wait, cancel_cb, NULL, si->token, sizeof(si->token)))
  {
    upactlFail("admin sign-in failed: %s", upaLastErrorString());
    upaOAuthDeviceCodeClear(&dc);
    return (NULL);
  }

  upaOAuthDeviceCodeClear(&dc);
  printf("Signed in.\n");

  return (si->token);
}


//
// 'upactlCmdRegister()' - Register one queue or all of them.
//

int					// O - Exit status
upactlCmdRegister(upactl_t *ctl,	// I - Global state
                  int      argc,	// I - Number of arguments
                  char     *argv[])	// I - Arguments
{
  upactl_signin_t *si;			// Sign-in options
  reg_opts_t	opts;			// Registration options
  const char	*queue = NULL,		// QUEUE
		*max_wait = NULL,	// --max-wait
		*token;			// Admin token
  bool		all = false,		// --all?
		registered;		// Queue newly registered?
  http_t	*http;			// Connection to cupsd
  char		**queues = NULL;	// All queues
  int		i,			// Looping var
		num_queues,		// Number of queues
		failed = 0,		// Failures
		done = 0;		// Registered now
  int		status = UPACTL_OK;	// Exit status


  if ((si = calloc(1, sizeof(upactl_signin_t))) == NULL)
    return (upactlFail("out of memory"));

  memset(&opts, 0, sizeof(opts));

  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
    {
      free(si);
      return (upactlUsage("register", stdout, UPACTL_OK));
    }
    else if (upactlSigninOption(argc, argv, &i, si) || upactlGetOption(argc, argv, &i, "--name", &opts.name) || upactlGetOption(argc, argv, &i, "--manufacturer", &opts.manufacturer) || upactlGetOption(argc, argv, &i, "--model", &opts.model) || upactlGetOption(argc, argv, &i, "--max-wait", &max_wait))
      continue;
    else if (!strcmp(argv[i], "--all"))
      all = true;
    else if (!strcmp(argv[i], "--no-sync"))
      opts.no_sync = true;
    else if (!strcmp(argv[i], "--direct"))
      opts.direct = true;
    else if (argv[i][0] == '-' || queue)
    {
      free(si);
      return (upactlUsage("register", stderr, UPACTL_USAGE));
    }
    else
      queue = argv[i];
  }

  if ((!queue && !all) || (queue && all) || (all && opts.name) || (max_wait && (opts.max_wait = atoi(max_wait)) <= 0))
  {
    free(si);
    return (upactlUsage("register", stderr, UPACTL_USAGE));
  }

  if (!upactlLoadConfig(ctl))
  {
    free(si);
    return (UPACTL_FAILED);
  }

  if ((http = upaCupsConnect(ctl->cfg)) == NULL)
  {
    free(si);
    return (upactlFail("cannot connect to CUPS (%s): start cupsd or fix CupsServer in %s", upaLastErrorString(), ctl->cfg->path[0] ? ctl->cfg->path : "cups-upa.conf"));
  }

  // Sign in only once there is something to do.
  if (all)
  {
    if ((num_queues = upactlQueues(http, &queues)) < 0)
    {
      status = upactlFail("cannot list the CUPS queues (%s): check that cupsd is running", upaLastErrorString());
    }
    else if (num_queues == 0)
    {
      printf("There are no CUPS queues to register.\n");
    }
    else if ((token = upactlAdminToken(ctl, si)) == NULL)
    {
      status = UPACTL_FAILED;
    }
    else
    {
      for (i = 0; i < num_queues && !upactl_stop; i ++)
      {
        registered = false;
        if (register_queue(ctl, http, queues[i], &opts, token, &registered) != UPACTL_OK)
          failed ++;
        else if (registered)
          done ++;
      }

      printf("%d queue%s registered now, %d failed, %d already registered.\n", done, done == 1 ? "" : "s", failed, num_queues - done - failed);
      if (failed)
        status = UPACTL_FAILED;
    }

    upactlQueuesFree(queues, num_queues);
  }
  else
  {
    char	make_model[256];	// Unused
    bool	exists = false;		// Queue exists?
    char	uri[1024] = "";	// Device URI

    // Say "already registered" / "no such queue" before asking anyone to sign in.
    if (!get_queue_info(http, queue, make_model, sizeof(make_model), &exists))
    {
      if (!exists)
        status = upactlFail("no queue named \"%s\" on this server: \"upactl list\" shows the queues", queue);
      else
        status = upactlFail("cannot read queue %s (%s): check that cupsd is running", queue, cupsLastErrorString());
    }
    else if (upaCupsGetDeviceURI(http, queue, uri, sizeof(uri)) && !strncmp(uri, "upa://", 6))
    {
      status = register_queue(ctl, http, queue, &opts, NULL, &registered);
    }
    else if (uri[0] && upaTextHasPassword(uri))
    {
      status = refuse_credentials(queue, uri);
    }
    else if ((token = upactlAdminToken(ctl, si)) == NULL)
    {
      status = UPACTL_FAILED;
    }
    else
      status = register_queue(ctl, http, queue, &opts, token, &registered);
  }

  httpClose(http);
  explicit_bzero(si, sizeof(upactl_signin_t));
  free(si);

  return (status);
}


//
// 'upactlCmdUnregister()' - Restore a queue and delete its cloud printer.
//

int					// O - Exit status
upactlCmdUnregister(upactl_t *ctl,	// I - Global state
                    int      argc,	// I - Number of arguments
                    char     *argv[])	// I - Arguments
{
  upactl_signin_t *si;			// Sign-in options
  const char	*queue = NULL,		// QUEUE
		*token = NULL;		// Admin token
  bool		keep_cloud = false,	// --keep-cloud?
		force = false,		// --force?
		gone = false,		// Cloud printer was gone already?
		have_uri;		// Current device URI known?
  http_t	*http = NULL;		// Connection to cupsd
  upa_device_t	*dev = NULL;		// Device
  char		uri[1024],		// Current device URI
		restore[1024],		// URI to restore
		prefix[256],		// upa://<id>/
		shown[2100];		// URI for display
  int		i;			// Looping var
  int		status = UPACTL_OK;	// Exit status


  if ((si = calloc(1, sizeof(upactl_signin_t))) == NULL)
    return (upactlFail("out of memory"));

  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--help"))
    {
      free(si);
      return (upactlUsage("unregister", stdout, UPACTL_OK));
    }
    else if (upactlSigninOption(argc, argv, &i, si))
      continue;
    else if (!strcmp(argv[i], "--keep-cloud"))
      keep_cloud = true;
    else if (!strcmp(argv[i], "--force"))
      force = true;
    else if (argv[i][0] == '-' || queue)
    {
      free(si);
      return (upactlUsage("unregister", stderr, UPACTL_USAGE));
    }
    else
      queue = argv[i];
  }

  if (!queue)
  {
    free(si);
    return (upactlUsage("unregister", stderr, UPACTL_USAGE));
  }

  if (!upactlLoadConfig(ctl))
    goto failed;

  if ((http = upaCupsConnect(ctl->cfg)) == NULL)
  {
    status = upactlFail("cannot connect to CUPS (%s): start cupsd or fix CupsServer in %s", upaLastErrorString(), ctl->cfg->path[0] ? ctl->cfg->path : "cups-upa.conf");
    goto done;
  }

  have_uri = upaCupsGetDeviceURI(http, queue, uri, sizeof(uri));

  if ((dev = upaDeviceFindQueue(ctl->cfg, queue)) == NULL)
  {
    if (upaLastError() != UPA_ERROR_DEVICE && upaLastError() != UPA_ERROR_NONE)
    {
      status = upactlFail("cannot read the device store (%s): run upactl as root", upaLastErrorString());
      goto done;
    }

    // No device, but a wrapped URI (device store lost): unwrap it at least.
    if (have_uri && !strncmp(uri, "upa://", 6) && strchr(uri + 6, '/'))
    {
      snprintf(restore, sizeof(restore), "%s", strchr(uri + 6, '/') + 1);
      if (!upaCupsSetDeviceURI(http, queue, restore))
      {
        status = upactlFail("%s is not in the device store and CUPS refused to restore its device URI (%s): run upactl as root", queue, upaLastErrorString());
        goto done;
      }
      upactlDisplayURI(restore, shown, sizeof(shown));
      printf("%s was not in the device store; its device URI is \"%s\" again. Delete its cloud printer in the Universal Print portal if it still exists.\n", queue, shown);
      goto done;
    }

    printf("%s is not registered with Universal Print: nothing to do.\n", queue);
    goto done;
  }

  // 1. The cloud printer.
  if (keep_cloud)
  {
    printf("Keeping cloud printer %s (--keep-cloud): delete it in the Universal Print portal when it is no longer needed.\n", dev->id);
  }
  else if ((token = upactlAdminToken(ctl, si)) == NULL)
  {
    if (!force)
    {
      fprintf(stderr, "upactl: nothing was changed; \"upactl unregister --keep-cloud %s\" unregisters locally without signing in.\n", queue);
      goto failed;
    }
    fprintf(stderr, "upactl: --force: unregistering locally; delete cloud printer %s in the Universal Print portal.\n", dev->id);
  }
  else if (!upaUnregisterCloud(ctl->cfg, dev, token, &gone))
  {
    if (!force)
    {
      status = upactlFail("cannot delete cloud printer %s (%s): nothing was changed; fix the cause and run this again, or run \"upactl unregister --force %s\" to unregister locally and delete the printer in the Universal Print portal", dev->id, upaLastErrorString(), queue);
      goto done;
    }
    fprintf(stderr, "upactl: cannot delete cloud printer %s (%s); --force: unregistering locally anyway. Delete it in the Universal Print portal.\n", dev->id, upaLastErrorString());
  }
  else if (gone)
    printf("Cloud printer %s was already deleted.\n", dev->id);
  else
    printf("Deleted cloud printer %s.\n", dev->id);

  // 2. The queue's device URI.
  snprintf(prefix, sizeof(prefix), "upa://%s/", dev->id);
  if (!have_uri)
  {
    printf("Queue %s is gone from CUPS; removing its device only.\n", queue);
  }
  else if (!strncmp(uri, prefix, strlen(prefix)))
  {
    // PreviousURI is what lpadmin had; the wrapped URI says the same unless
    // someone edited the queue since.
    snprintf(restore, sizeof(restore), "%s", dev->previous_uri[0] ? dev->previous_uri : uri + strlen(prefix));
    if (strcmp(restore, uri + strlen(prefix)))
      snprintf(restore, sizeof(restore), "%s", uri + strlen(prefix));

    if (!upaCupsSetDeviceURI(http, queue, restore))
    {
      status = upactlFail("CUPS refused to restore the device URI of %s (%s): the device is still registered locally; run \"upactl unregister %s\" again as root", queue, upaLastErrorString(), queue);
      goto done;
    }
    upactlDisplayURI(restore, shown, sizeof(shown));
    printf("Queue %s prints to \"%s\" again.\n", queue, shown);
  }
  else
  {
    upactlDisplayURI(uri, shown, sizeof(shown));
    printf("Queue %s has device URI \"%s\" (not %s...): left as it is.\n", queue, shown, prefix);
  }

  // 3. The device store, token cache and sync state.
  if (!upaUnregisterLocal(ctl->cfg, dev))
  {
    status = upactlFail("cannot remove device %s from the device store (%s): fix the permissions of %s and run \"upactl unregister %s\" again", dev->id, upaLastErrorString(), dev->dir, queue);
    goto done;
  }

  printf("Unregistered %s.\n", queue);
  goto done;

  failed:

  status = UPACTL_FAILED;

  done:

  upaDeviceDelete(dev);
  httpClose(http);
  explicit_bzero(si, sizeof(upactl_signin_t));
  free(si);

  return (status);
}


//
// 'upactlQueues()' - List the local CUPS queues (no classes).
//

int					// O - Number of queues or -1
upactlQueues(http_t *http,		// I - Connection to cupsd
             char   ***queues)		// O - Names (upactlQueuesFree)
{
  ipp_t			*request,	// CUPS-Get-Printers
			*response;	// Response
  ipp_attribute_t	*attr;		// Attribute
  const char		*name = NULL;	// printer-name
  int			type = 0,	// printer-type
			count = 0;	// Number of queues
  char			**list = NULL;	// Names
  static const char * const requested[] =
  {					// Attributes
    "printer-name",
    "printer-type"
  };


  *queues = NULL;

  request = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2, NULL, requested);

  response = cupsDoRequest(http, request, "/");

  if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND)
  {
    ippDelete(response);
    return (0);				// No queues at all
  }
  else if (!response || cupsLastError() > IPP_STATUS_OK_CONFLICTING)
  {
    upaSetError(UPA_ERROR_CUPS, "CUPS-Get-Printers failed: %s", cupsLastErrorString());
    ippDelete(response);
    return (-1);
  }

  for (attr = ippFirstAttribute(response); ; attr = ippNextAttribute(response))
  {
    // A separator (or the end) closes one printer's group.
    if (!attr || !ippGetName(attr))
    {
      if (name && !(type & CUPS_PRINTER_CLASS))
      {
        char **temp = realloc(list, (size_t)(count + 1) * sizeof(char *));
					// New list

        if (!temp || (temp[count] = strdup(name)) == NULL)
        {
          list = temp ? temp : list;
          upactlQueuesFree(list, count);
          ippDelete(response);
          upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
          return (-1);
        }
        list = temp;
        count ++;
      }
      name = NULL;
      type = 0;

      if (!attr)
        break;
      continue;
    }

    if (!strcmp(ippGetName(attr), "printer-name"))
      name = ippGetString(attr, 0, NULL);
    else if (!strcmp(ippGetName(attr), "printer-type"))
      type = ippGetInteger(attr, 0);
  }

  ippDelete(response);
  *queues = list;

  return (count);
}


//
// 'upactlQueuesFree()' - Free a queue list.
//

void
upactlQueuesFree(char **queues,		// I - Names
                 int  num_queues)	// I - Count
{
  int	i;				// Looping var


  for (i = 0; i < num_queues; i ++)
    free(queues[i]);
  free(queues);
}


//
// 'upactlSigninOption()' - Parse the sign-in options.
//

bool					// O - true if argv[*i] was one
upactlSigninOption(int             argc,	// I - Number of arguments
                   char            *argv[],	// I - Arguments
                   int             *i,		// IO - Current index
                   upactl_signin_t *si)		// O - Options
{
  return (upactlGetOption(argc, argv, i, "--admin-token", &si->admin_token) ||
          upactlGetOption(argc, argv, i, "--authority", &si->authority) ||
          upactlGetOption(argc, argv, i, "--tenant", &si->tenant) ||
          upactlGetOption(argc, argv, i, "--client-id", &si->client_id) ||
          upactlGetOption(argc, argv, i, "--signin-timeout", &si->signin_wait));
}


//
// 'cancel_cb()' - Stop waiting for the sign-in on SIGINT/SIGTERM.
//

static bool				// O - true to stop
cancel_cb(void *data)			// I - Unused
{
  (void)data;

  return (upactl_stop != 0);
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
// 'refuse_credentials()' - Refuse a device URI with a password in it (never shown).
//
// Wrapped as upa://<id>/<uri>, the password would appear in "lpstat -v", in
// "ps" (the backend's argv[0]) and in the error_log: CUPS removes the
// credentials of the URI it knows, not those inside ours.
//

static int				// O - UPACTL_FAILED
refuse_credentials(const char *queue,	// I - Queue
                   const char *uri)	// I - Its device URI (with a password)
{
  char	shown[1024],			// URI with "***" for the password
	plain[1024];			// URI without credentials


  upaTextRedactURL(shown, sizeof(shown), uri);
  upaCupsStripCredentials(uri, plain, sizeof(plain));

  if (upaTextHasPassword(plain))
    return (upactlFail("the device URI of %s (\"%s\") contains a password, which the wrapped upa:// URI would show to every user (lpstat -v, ps, the error_log); nothing was registered: remove the user name and password from the device URI with lpadmin -p %s -v URI, let the printer accept jobs from this server without them (an address allow-list on the printer, or no login), then register again", queue, shown, queue));

  return (upactlFail("the device URI of %s (\"%s\") contains a password, which the wrapped upa:// URI would show to every user (lpstat -v, ps, the error_log); nothing was registered: remove it with \"lpadmin -p %s -v '%s'\", let the printer accept jobs from this server without a login (an address allow-list on the printer, or no password), then register again", queue, shown, queue, plain));
}


//
// 'register_queue()' - Register one queue and wrap its device URI.
//
// The queue is changed last, and only after the device is stored; if
// anything fails the device is removed and the cloud printer deleted again
// so the queue is exactly as it was.
//

static int				// O - Exit status
register_queue(upactl_t         *ctl,	// I - Global state
               http_t           *http,	// I - Connection to cupsd
               const char       *queue,	// I - Queue
               const reg_opts_t *opts,	// I - Options
               const char       *admin_token,
					// I - Admin token (NULL: only check "already registered")
               bool             *registered)
					// O - Newly registered?
{
  char		old_uri[1024],		// Queue's device URI
		new_uri[1024],		// upa://<id>/<old_uri>
		shown[2100],		// URI without credentials
		make_model[256] = "",	// printer-make-and-model
		mfg[256],		// Default manufacturer
		error[1024],		// Saved error message
		*mdl;			// Default model
  bool		exists = false;		// Queue exists?
  upa_device_t	*dev;			// Device
  upa_regparams_t params;		// Registration parameters
  int		status = UPACTL_OK;	// Exit status


  *registered = false;

  if (!get_queue_info(http, queue, make_model, sizeof(make_model), &exists))
  {
    if (!exists)
      return (upactlFail("no queue named \"%s\" on this server: \"upactl list\" shows the queues", queue));
    return (upactlFail("cannot read queue %s (%s): check that cupsd is running", queue, cupsLastErrorString()));
  }

  if (!upaCupsGetDeviceURI(http, queue, old_uri, sizeof(old_uri)))
    return (upactlFail("cannot read the device URI of %s (%s): run upactl as root", queue, upaLastErrorString()));

  // A password in the device URI shows to every user once it is inside
  // upa://...: CUPS hides the user info of URIs it can parse ("ipp://u:p@h"),
  // not of the URI wrapped in ours (a queue wrapped by hand with lpadmin).
  if (upaTextHasPassword(old_uri))
    return (refuse_credentials(queue, old_uri));

  // Already registered?  Change nothing.
  if (!strncmp(old_uri, "upa://", 6))
  {
    char	id[128];		// Device id in the URI
    size_t	len = strcspn(old_uri + 6, "/");
					// Length of id

    snprintf(id, sizeof(id), "%.*s", (int)(len < sizeof(id) ? len : sizeof(id) - 1), old_uri + 6);
    printf("%s is already registered as %s: nothing changed.\n", queue, id);
    return (UPACTL_OK);
  }

  if ((dev = upaDeviceFindQueue(ctl->cfg, queue)) != NULL)
  {
    printf("%s is already registered as %s: nothing changed.\n", queue, dev->id);
    upactlDisplayURI(old_uri, shown, sizeof(shown));
    printf("Note: its device URI is \"%s\", not upa://%s/...; \"upactl doctor\" shows the mismatch.\n", shown, dev->id);
    upaDeviceDelete(dev);
    return (UPACTL_OK);
  }
  else if (upaLastError() != UPA_ERROR_DEVICE && upaLastError() != UPA_ERROR_NONE)
    return (upactlFail("cannot read the device store (%s): run upactl as root", upaLastErrorString()));

  if (!admin_token)
    return (upactlFail("%s is not registered and no admin token was given", queue));

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
  params.name         = opts->name ? opts->name : queue;
  params.manufacturer = opts->manufacturer ? opts->manufacturer : mfg;
  params.model        = opts->model ? opts->model : mdl;
  params.admin_token  = admin_token;
  params.max_wait     = opts->max_wait;

  printf("Registering %s as \"%s\" (%s %s)...\n", queue, params.name, params.manufacturer, params.model);
  fflush(stdout);

  if ((dev = upaRegisterPrinter(ctl->cfg, &params)) == NULL)
    return (upactlFail("registration of %s failed (%s): the queue is unchanged; check the admin sign-in and the network (-v shows details)", queue, upaLastErrorString()));

  // Remember the old URI, then wrap it.
  dev->direct = opts->direct;
  error[0] = '\0';

  if (!upaDeviceSetString(&dev->previous_uri, old_uri))
    snprintf(error, sizeof(error), "cannot keep the old device URI of %s (%s)", queue, upaLastErrorString());
  else if ((size_t)snprintf(new_uri, sizeof(new_uri), "upa://%s/%s", dev->id, old_uri) >= sizeof(new_uri))
    snprintf(error, sizeof(error), "the device URI of %s is too long to wrap: shorten it with lpadmin -v", queue);
  else if (!upaDeviceSave(ctl->cfg, dev))
    snprintf(error, sizeof(error), "cannot save device %s (%s): fix the state directory", dev->id, upaLastErrorString());
  else if (!upaCupsSetDeviceURI(http, queue, new_uri))
    snprintf(error, sizeof(error), "CUPS refused the new device URI of %s (%s): run upactl as root", queue, upaLastErrorString());

  if (error[0])
  {
    bool gone;				// Unused

    // Undo: device store first, then the cloud printer.
    upaUnregisterLocal(ctl->cfg, dev);
    if (upaUnregisterCloud(ctl->cfg, dev, admin_token, &gone))
      status = upactlFail("%s; the queue is unchanged and the new cloud printer was deleted again", error);
    else
      status = upactlFail("%s; the queue is unchanged, but cloud printer %s could not be deleted again (%s): delete it in the Universal Print portal", error, dev->id, upaLastErrorString());
    upaDeviceDelete(dev);
    return (status);
  }

  printf("Registered %s as Universal Print printer %s%s\n", queue, dev->id, dev->direct ? " (direct printing on)" : "");
  *registered = true;

  // Universal Print shows a printer once it knows its capabilities.
  if (!opts->no_sync)
  {
    int pushed = 0;			// Attributes pushed

    if (upaSyncDevice(ctl->cfg, http, dev, UPA_SYNC_FORCE, &pushed))
      printf("Sent %d printer attributes of %s to Universal Print.\n", pushed, queue);
    else
      fprintf(stderr, "upactl: %s is registered, but the first sync failed (%s): run \"upactl sync %s\" once the cause is fixed\n", queue, upaLastErrorString(), queue);
  }

  upaDeviceDelete(dev);

  return (UPACTL_OK);
}
