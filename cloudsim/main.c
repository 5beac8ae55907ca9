//
// upa-cloudsim: local Universal Print emulator for tests and demos.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//   upa-cloudsim --listen HOST:PORT --state-dir DIR --ca-dir DIR
//                [--admin-token TOKEN] [--token-lifetime SECONDS]
//                [--register-polls N] [--strict-ack-first] [--keep-subscriptions]
//                [--connection-limit N]
//                [--pid-file FILE]
//                [--tenant-config FILE] [--fault SPEC]... [--slow-release SECONDS]
//                [--job-retention SECONDS] [--limit-jobs N] [--limit-concurrent N]
//                [--save-interval MS]
//                [--limit-per-user N] [--ipptool-listen HOST:PORT]
//                [--devicecode-approve-after N] [--devicecode-interval SECONDS]
//                [--devicecode-lifetime SECONDS] [--user-token-lifetime SECONDS]
//                [--oauth-client-id ID]... [--profile universal-print|pwg]
//                [--basic-auth USER:PASSWORD] [-v]
//
// Runs until SIGTERM or SIGINT.  State is kept in --state-dir across restarts.
//

#include "cloudsim.h"
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>


//
// Local functions...
//

static bool	parse_int(const char *s, int min, int max, int *value);
static bool	parse_listen(const char *listen_addr, struct sockaddr_storage *addr, char *host, size_t hostsize, int *port);
static void	usage(FILE *fp);


//
// 'main()' - Start the emulator and wait for a signal.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  cs_server_t		server;		// Server
  const char		*listen_addr = "127.0.0.1:8443",
					// --listen
			*admin_token = "cloudsim-admin",
					// --admin-token
			*pid_file = NULL;
					// --pid-file
  struct sockaddr_storage addr;		// Listen address
  char			host[264];	// Listen host for URLs
  int			port;		// Listen port
  struct MHD_Daemon	*httpd,		// HTTP server
			*compatd = NULL;// ipptool conformance server
  const char		*compat_listen = NULL,
					// --ipptool-listen
			*faults[32];	// --fault specs
  int			num_faults = 0;	// Number of --fault options
  bool			keep_subs = false;
					// --keep-subscriptions
  int			retention = -1,	// --job-retention
			slow_release = -1,
			save_interval = 0;
					// --slow-release
  const union MHD_DaemonInfo *info;	// Daemon info
  sigset_t		sigs;		// Signals to wait for
  int			sig;		// Signal received
  int			i;		// Looping var


  memset(&server, 0, sizeof(server));
  server.token_lifetime         = 3600;
  server.register_polls         = 1;
  server.connection_limit       = 256;
  server.devcode_interval       = 1;
  server.devcode_lifetime       = 900;
  server.user_token_lifetime    = 3600;
  server.limits.jobs_per_10min  = 100;	// Universal Print's documented limits
  server.limits.concurrent      = 50;
  server.limits.per_user        = 4;
  pthread_mutex_init(&server.fault_lock, NULL);

  for (i = 1; i < argc; i ++)
  {
    const char	*opt = argv[i];		// Option
    const char	*arg = i + 1 < argc ? argv[i + 1] : NULL;
					// Its argument

    if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
    {
      usage(stdout);
      return (0);
    }
    else if (!strcmp(opt, "--version"))
    {
      puts("upa-cloudsim " PACKAGE_VERSION);
      return (0);
    }
    else if (!strcmp(opt, "-v") || !strcmp(opt, "--verbose"))
    {
      server.verbosity ++;
      continue;
    }
    else if (!strcmp(opt, "--strict-ack-first"))
    {
      server.strict_ack_first = true;
      continue;
    }
    else if (!strcmp(opt, "--keep-subscriptions"))
    {
      keep_subs = true;
      continue;
    }

    if (!arg || strncmp(opt, "--", 2))
    {
      fprintf(stderr, "upa-cloudsim: %s '%s'\n", arg ? "unknown option" : "missing argument for", opt);
      usage(stderr);
      return (1);
    }

    i ++;

    if (!strcmp(opt, "--listen"))
      listen_addr = arg;
    else if (!strcmp(opt, "--state-dir"))
      server.state_dir = arg;
    else if (!strcmp(opt, "--ca-dir"))
      server.ca_dir = arg;
    else if (!strcmp(opt, "--admin-token"))
      admin_token = arg;
    else if (!strcmp(opt, "--pid-file"))
      pid_file = arg;
    else if (!strcmp(opt, "--tenant-config"))
      server.tenant_config = arg;
    else if (!strcmp(opt, "--ipptool-listen"))
      compat_listen = arg;
    else if (!strcmp(opt, "--profile"))
    {
      if (!strcmp(arg, "pwg"))
        server.profile_pwg = server.strict_ack_first = true;
      else if (strcmp(arg, "universal-print"))
      {
        fprintf(stderr, "upa-cloudsim: --profile must be universal-print or pwg\n");
        return (1);
      }
    }
    else if (!strcmp(opt, "--basic-auth"))
    {
      if (!strchr(arg, ':') || arg[0] == ':')
      {
        fprintf(stderr, "upa-cloudsim: --basic-auth needs USER:PASSWORD\n");
        return (1);
      }
      server.basic_auth = arg;
    }
    else if (!strcmp(opt, "--fault"))
    {
      if (num_faults >= (int)(sizeof(faults) / sizeof(faults[0])))
      {
        fputs("upa-cloudsim: too many --fault options\n", stderr);
        return (1);
      }
      faults[num_faults ++] = arg;
    }
    else if (!strcmp(opt, "--job-retention") || !strcmp(opt, "--slow-release") || !strcmp(opt, "--limit-jobs") || !strcmp(opt, "--limit-concurrent") || !strcmp(opt, "--limit-per-user") || !strcmp(opt, "--save-interval"))
    {
      int n;				// Value

      if (!parse_int(arg, 0, 86400 * 3650, &n))
      {
        fprintf(stderr, "upa-cloudsim: bad %s '%s'\n", opt, arg);
        return (1);
      }

      if (!strcmp(opt, "--job-retention"))
        retention = n;
      else if (!strcmp(opt, "--slow-release"))
        slow_release = n;
      else if (!strcmp(opt, "--limit-jobs"))
        server.limits.jobs_per_10min = n;
      else if (!strcmp(opt, "--limit-concurrent"))
        server.limits.concurrent = n;
      else if (!strcmp(opt, "--save-interval"))
        save_interval = n;
      else
        server.limits.per_user = n;
    }
    else if (!strcmp(opt, "--oauth-client-id"))
    {
      if (server.num_client_ids >= (int)(sizeof(server.client_ids) / sizeof(server.client_ids[0])) || !*arg)
      {
        fputs("upa-cloudsim: too many or empty --oauth-client-id options\n", stderr);
        return (1);
      }
      server.client_ids[server.num_client_ids ++] = arg;
    }
    else if (!strcmp(opt, "--devicecode-approve-after") || !strcmp(opt, "--devicecode-interval") || !strcmp(opt, "--devicecode-lifetime") || !strcmp(opt, "--user-token-lifetime"))
    {
      int n;				// Value
      int min = strcmp(opt, "--devicecode-approve-after") ? 1 : 0;
					// Smallest value

      if (!parse_int(arg, min, 86400 * 365, &n))
      {
        fprintf(stderr, "upa-cloudsim: bad %s '%s'\n", opt, arg);
        return (1);
      }

      if (!strcmp(opt, "--devicecode-approve-after"))
        server.devcode_approve_after = n;
      else if (!strcmp(opt, "--devicecode-interval"))
        server.devcode_interval = n;
      else if (!strcmp(opt, "--devicecode-lifetime"))
        server.devcode_lifetime = n;
      else
        server.user_token_lifetime = n;
    }
    else if (!strcmp(opt, "--token-lifetime"))
    {
      if (!parse_int(arg, 1, 86400 * 365, &server.token_lifetime))
      {
        fprintf(stderr, "upa-cloudsim: bad --token-lifetime '%s'\n", arg);
        return (1);
      }
    }
    else if (!strcmp(opt, "--connection-limit"))
    {
      if (!parse_int(arg, 16, 100000, &server.connection_limit))
      {
        fprintf(stderr, "upa-cloudsim: bad --connection-limit '%s'\n", arg);
        return (1);
      }
    }
    else if (!strcmp(opt, "--register-polls"))
    {
      if (!parse_int(arg, 0, 1000000, &server.register_polls))
      {
        fprintf(stderr, "upa-cloudsim: bad --register-polls '%s'\n", arg);
        return (1);
      }
    }
    else
    {
      fprintf(stderr, "upa-cloudsim: unknown option '%s'\n", opt);
      usage(stderr);
      return (1);
    }
  }

  if (!server.state_dir || !server.ca_dir)
  {
    fputs("upa-cloudsim: --state-dir and --ca-dir are required\n", stderr);
    usage(stderr);
    return (1);
  }

  if (!*admin_token)
  {
    fputs("upa-cloudsim: --admin-token must not be empty\n", stderr);
    return (1);
  }

  if (!parse_listen(listen_addr, &addr, host, sizeof(host), &port))
  {
    fprintf(stderr, "upa-cloudsim: bad --listen '%s' (HOST:PORT or [IPv6]:PORT)\n", listen_addr);
    return (1);
  }

  // Block the signals we wait for before any thread exists, so that every
  // thread inherits the mask and only sigwait() below receives them.
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  if ((server.ca = csCALoad(server.ca_dir)) == NULL)
    return (1);

  if ((server.tenant = csTenantCreate(server.state_dir, admin_token)) == NULL)
  {
    csCADelete(server.ca);
    return (1);
  }

  server.tenant->server = &server;

  // Subscriptions read from the state file live on only when asked
  server.tenant->keep_subs = keep_subs;
  if (!keep_subs)
  {
    size_t k;				// Looping var

    for (k = 0; k < server.tenant->num_subs; k ++)
      free(server.tenant->subs[k]);
    server.tenant->num_subs = 0;
  }

  if (retention >= 0)
    server.tenant->retention = retention;
  if (slow_release >= 0)
    server.tenant->slow_release = slow_release;
  server.tenant->save_interval = save_interval;

  if (server.tenant_config)
  {
    json_object	*config = json_object_from_file(server.tenant_config);
					// Tenant configuration
    char	err[256] = "";		// Error

    if (!config || !csTenantConfigure(server.tenant, config, err, sizeof(err)))
    {
      fprintf(stderr, "upa-cloudsim: %s: %s\n", server.tenant_config, config ? err : json_util_get_last_err());
      json_object_put(config);
      csTenantDelete(server.tenant);
      csCADelete(server.ca);
      return (1);
    }

    json_object_put(config);
  }

  for (i = 0; i < num_faults; i ++)
  {
    json_object	*spec = csFaultParseSpec(faults[i]);
					// Fault
    char	err[256] = "bad syntax (KIND[,key=value...])";
					// Error

    if (!spec || csFaultAdd(&server, spec, err, sizeof(err)) < 0)
    {
      fprintf(stderr, "upa-cloudsim: --fault '%s': %s\n", faults[i], err);
      json_object_put(spec);
      csTenantDelete(server.tenant);
      csCADelete(server.ca);
      return (1);
    }

    json_object_put(spec);
  }

  csTenantLock(server.tenant);
  server.tenant->dirty = true;
  csTenantUnlock(server.tenant);

  if ((httpd = csHTTPStart(&server, (struct sockaddr *)&addr, false)) == NULL)
  {
    fprintf(stderr, "upa-cloudsim: cannot listen on %s: %s\n", listen_addr, errno ? strerror(errno) : "libmicrohttpd error");
    csTenantDelete(server.tenant);
    csCADelete(server.ca);
    return (1);
  }

  // With port 0 the kernel picked one; URLs must carry the real port.
  if (port == 0 && (info = MHD_get_daemon_info(httpd, MHD_DAEMON_INFO_BIND_PORT)) != NULL)
    port = info->port;

  snprintf(server.hostport, sizeof(server.hostport), "%s:%d", host, port);
  snprintf(server.base_url, sizeof(server.base_url), "https://%s", server.hostport);

  if (server.profile_pwg)
    csLog(&server, 0, "profile pwg: Infrastructure Printer ipps://%s/printers/infra, %s", server.hostport, server.basic_auth ? "HTTP Basic" : "no authentication");

  if (compat_listen)
  {
    struct sockaddr_storage caddr;	// Conformance address
    char		chost[264];	// Host
    int			cport;		// Port

    if (!parse_listen(compat_listen, &caddr, chost, sizeof(chost), &cport) || (compatd = csHTTPStart(&server, (struct sockaddr *)&caddr, true)) == NULL)
    {
      fprintf(stderr, "upa-cloudsim: cannot listen on --ipptool-listen %s\n", compat_listen);
      MHD_stop_daemon(httpd);
      csTenantDelete(server.tenant);
      csCADelete(server.ca);
      return (1);
    }

    csLog(&server, 0, "ipptool conformance port (no bearer token, device named by path) on %s", compat_listen);
  }

  if (pid_file)
  {
    FILE *fp;				// PID file

    if ((fp = fopen(pid_file, "w")) == NULL)
    {
      fprintf(stderr, "upa-cloudsim: cannot write \"%s\": %s\n", pid_file, strerror(errno));
      MHD_stop_daemon(httpd);
      csTenantDelete(server.tenant);
      csCADelete(server.ca);
      return (1);
    }

    fprintf(fp, "%ld\n", (long)getpid());
    fclose(fp);
  }

  csLog(&server, 0, "listening on %s (tenant %s, admin token %s)", server.base_url, server.tenant->id, strcmp(admin_token, "cloudsim-admin") ? "custom" : "default");

  do
  {
    if (save_interval > 0)
    {
      // Save what the last answers changed once the interval is over
      struct timespec timeout = { save_interval / 1000, (save_interval % 1000) * 1000000L };
					// Wait

      if ((sig = sigtimedwait(&sigs, NULL, &timeout)) < 0)
      {
        csTenantLock(server.tenant);
        csTenantUnlock(server.tenant);
      }
    }
    else if (sigwait(&sigs, &sig))
      sig = SIGTERM;
  }
  while (sig != SIGTERM && sig != SIGINT);

  csLog(&server, 0, "shutting down (%s)", sig == SIGTERM ? "SIGTERM" : "SIGINT");

  // End Get-Notifications long polls so that the daemon threads can finish.
  csNotifyStop(server.tenant);

  if (compatd)
    MHD_stop_daemon(compatd);
  MHD_stop_daemon(httpd);

  if (pid_file)
    unlink(pid_file);

  // Nothing of a --save-interval is left unsaved
  csTenantLock(server.tenant);
  if (server.tenant->dirty)
  {
    server.tenant->dirty = false;
    csTenantSave(server.tenant);
  }
  csTenantUnlock(server.tenant);

  csTenantDelete(server.tenant);
  csCADelete(server.ca);
  free(server.faults);
  pthread_mutex_destroy(&server.fault_lock);

  return (0);
}


//
// 'parse_int()' - Parse a decimal integer in [min, max].
//

static bool				// O - `true` on success
parse_int(const char *s,		// I - Text
          int        min,		// I - Minimum
          int        max,		// I - Maximum
          int        *value)		// O - Value
{
  char	*end;				// End of number
  long	n;				// Value


  errno = 0;
  n     = strtol(s, &end, 10);

  if (errno || end == s || *end || n < min || n > max)
    return (false);

  *value = (int)n;

  return (true);
}


//
// 'parse_listen()' - Parse HOST:PORT or [IPv6]:PORT into a socket address.
//
// "host" receives the form used in URLs (brackets kept for IPv6).
//

static bool				// O - `true` on success
parse_listen(const char              *listen_addr,
					// I - --listen value
             struct sockaddr_storage *addr,
					// O - Address
             char                    *host,
					// O - Host for URLs
             size_t                  hostsize,
					// I - Size of host buffer
             int                     *port)
					// O - Port
{
  char			name[256];	// Host name
  const char		*colon;		// Port separator
  struct addrinfo	hints,		// Lookup hints
			*res;		// Lookup result


  if (listen_addr[0] == '[')
  {
    const char *rbracket = strchr(listen_addr, ']');
					// End of IPv6 address

    if (!rbracket || rbracket[1] != ':' || (size_t)(rbracket - listen_addr - 1) >= sizeof(name))
      return (false);

    memcpy(name, listen_addr + 1, (size_t)(rbracket - listen_addr - 1));
    name[rbracket - listen_addr - 1] = '\0';
    colon = rbracket + 1;
    snprintf(host, hostsize, "[%s]", name);
  }
  else
  {
    if ((colon = strrchr(listen_addr, ':')) == NULL || (size_t)(colon - listen_addr) >= sizeof(name) || colon == listen_addr)
      return (false);

    memcpy(name, listen_addr, (size_t)(colon - listen_addr));
    name[colon - listen_addr] = '\0';

    if (strchr(name, ':'))
      return (false);			// IPv6 needs brackets

    snprintf(host, hostsize, "%s", name);
  }

  if (!parse_int(colon + 1, 0, 65535, port))
    return (false);

  memset(&hints, 0, sizeof(hints));
  hints.ai_family   = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags    = AI_PASSIVE;

  if (getaddrinfo(name, colon + 1, &hints, &res) || !res)
    return (false);

  memset(addr, 0, sizeof(*addr));
  memcpy(addr, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);

  return (true);
}


//
// 'usage()' - Show program usage.
//

static void
usage(FILE *fp)				// I - Where to print
{
  fputs("Usage: upa-cloudsim --listen HOST:PORT --state-dir DIR --ca-dir DIR [options]\n"
        "Options:\n"
        "  --admin-token TOKEN      Admin bearer token (default cloudsim-admin)\n"
        "  --token-lifetime SECONDS Device access token lifetime (default 3600)\n"
        "  --register-polls N       202 answers before a registration completes (default 1)\n"
        "  --connection-limit N     Most simultaneous connections (default 256)\n"
        "  --strict-ack-first       Refuse Fetch-Document before Acknowledge-Job\n"
        "  --profile pwg            Be a PWG 5100.18 Infrastructure Printer at\n"
        "                           /printers/infra: strict RFC 8011 order, Basic or no\n"
        "                           auth, Acknowledge-Job first (default universal-print)\n"
        "  --basic-auth USER:PASS   pwg: HTTP Basic credentials (default: none)\n"
        "  --keep-subscriptions     Keep event subscriptions across restarts\n"
        "  --tenant-config FILE     Users, pull printers, badges (JSON)\n"
        "  --fault SPEC             Arm a fault: KIND[,key=value...] (repeatable)\n"
        "  --slow-release SECONDS   Jobs become fetchable SECONDS after submission\n"
        "  --job-retention SECONDS  Held jobs expire after SECONDS (default 0 = never)\n"
        "  --save-interval MS       Save the state at most every MS ms (default 0 = before\n"
        "                           every answer; for benchmarks)\n"
        "  --limit-jobs N           Jobs per printer per 10 minutes (default 100, 0 = off)\n"
        "  --limit-concurrent N     Active jobs per printer (default 50, 0 = off)\n"
        "  --limit-per-user N       Active jobs per user per printer (default 4, 0 = off)\n"
        "  --ipptool-listen H:P     Unauthenticated IPP port for ipptool (conformance only)\n"
        "  --devicecode-approve-after N\n"
        "                           Approve a device-code sign-in at its Nth poll (default 0 = never)\n"
        "  --devicecode-interval SECONDS\n"
        "                           Device-code poll interval (default 1)\n"
        "  --devicecode-lifetime SECONDS\n"
        "                           Device-code lifetime (default 900)\n"
        "  --user-token-lifetime SECONDS\n"
        "                           Delegated admin token lifetime (default 3600)\n"
        "  --oauth-client-id ID     Only this application may sign in (repeatable; default any)\n"
        "  --pid-file FILE          Write the process id to FILE\n"
        "  -v                       More logging (repeat for more)\n"
        "  --help                   Show this help\n"
        "  --version                Show the version\n", fp);
}
