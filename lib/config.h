//
// Configuration file (/etc/cups-upa/cups-upa.conf) for libupa.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// CUPS-style "Directive value" lines, read with cupsFileGetConf():
//
//   Cloud commercial|gcc|gcc-high|dod|custom   presets for the six URLs below
//   RegisterURL https://register.print.microsoft.com
//   PrintURL https://print.print.microsoft.com  IPP service ("/printers") + badge REST
//   GraphURL https://graph.microsoft.com/v1.0
//   AuthorityURL https://login.microsoftonline.com  admin sign-in (OAuth device code)
//   BadgeURL https://graph.print.microsoft.com/v1.0  badge collections ("custom": GraphURL)
//   SignInResource https://print.print.microsoft.com  scope of admin tokens ("<it>/.default")
//   CAFile /path/ca.pem              extra trust anchor (the emulator's CA)
//   Proxy http://proxy:3128          HTTPS proxy for all cloud traffic
//   StateDir /var/lib/cups-upa       device store, journal
//   CacheDir /var/cache/cups-upa     token cache, outbox
//   DeviceGroup cups-upa             group that may read device keys (lp is a member)
//   LogLevel debug|info|warn|error
//   ReleaseOrder fetch-first|acknowledge-first
//   Timeout 60                       seconds for one cloud request
//   CupsServer /run/cups/cups.sock   local cupsd (default: libcups' own choice)
//
// Explicit URL directives override the Cloud preset whatever their order.
// An unknown directive or a bad value is an error naming file and line.
//

#ifndef UPA_CONFIG_H
#  define UPA_CONFIG_H
#  include <stdbool.h>
#  include "log.h"

typedef enum upa_order_e		// Order of Fetch-Document and Acknowledge-Job
{
  UPA_ORDER_FETCH_FIRST,		// Document into a held CUPS job, then Acknowledge (default, safe)
  UPA_ORDER_ACK_FIRST			// Acknowledge, then Fetch-Document (Microsoft sample, PWG server)
} upa_order_t;

typedef struct upa_config_s		// Loaded configuration (all strings NUL-terminated)
{
  char		path[1024];		// File it was read from ("" = built-in defaults)
  char		cloud[32];		// Preset name
  char		register_url[1024];	// Registration service base URL
  char		print_url[1024];	// IPP service base URL (IPP endpoint = print_url + "/printers")
  char		graph_url[1024];	// Microsoft Graph base URL (with version)
  char		authority_url[1024];	// Microsoft Entra authority for admin sign-in
  char		badge_url[1024];	// Universal Print's Graph host for badge collections (with version)
  char		resource_url[1024];	// Universal Print's Entra resource (admin token scopes)
  char		ca_file[1024];		// Extra CA file or ""
  char		proxy[1024];		// Proxy URL or ""
  char		state_dir[1024];	// Persistent state
  char		cache_dir[1024];	// Cache (tokens, outbox)
  char		device_group[64];	// Group for device keys
  upa_loglevel_t log_level;		// Log level
  upa_order_t	release_order;		// Fetch-Document/Acknowledge-Job order
  int		timeout;		// Seconds per cloud request
  char		cups_server[1024];	// Local cupsd (socket path or host[:port]) or ""
} upa_config_t;

extern upa_config_t	*upaConfigLoad(const char *path);
extern void		upaConfigDelete(upa_config_t *cfg);
extern const char	*upaConfigDefaultPath(void);
extern bool		upaConfigSetCloud(upa_config_t *cfg, const char *cloud);

#endif // !UPA_CONFIG_H
