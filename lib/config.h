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
//   Profile universal-print|pwg      server profile (see below)
//   PrinterURI ipps://host/ipp/infra pwg: the Infrastructure Printer
//   Credentials /etc/cups-upa/pwg.auth  pwg: "user:password" for HTTP Basic
//   Timeout 60                       seconds for one cloud request
//   CupsServer /run/cups/cups.sock   local cupsd (default: libcups' own choice)
//
// Explicit URL directives override the Cloud preset whatever their order.
// Profile universal-print (the default) is Microsoft's service as it is.
// Profile pwg is any PWG 5100.18 Infrastructure Printer: RFC 8011 attribute
// order, Acknowledge-Job before Fetch-Document (ReleaseOrder is then
// acknowledge-first and may not say otherwise), the printer-uri of every
// request from PrinterURI (required), HTTP Basic with Credentials or no
// authentication, devices registered locally (no registration service); it
// goes with Cloud custom only.
// An unknown directive or a bad value is an error naming file and line.
//

#ifndef UPA_CONFIG_H
#  define UPA_CONFIG_H
#  include <stdbool.h>
#  include <stddef.h>
#  include "log.h"

typedef enum upa_order_e		// Order of Fetch-Document and Acknowledge-Job
{
  UPA_ORDER_FETCH_FIRST,		// Document into a held CUPS job, then Acknowledge (default, safe)
  UPA_ORDER_ACK_FIRST			// Acknowledge, then Fetch-Document (Microsoft sample, PWG server)
} upa_order_t;

typedef enum upa_profile_e		// Server profile
{
  UPA_PROFILE_UNIVERSAL_PRINT,		// Microsoft Universal Print (default)
  UPA_PROFILE_PWG			// Any PWG 5100.18 Infrastructure Printer
} upa_profile_t;

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
  upa_profile_t	profile;		// Server profile
  char		printer_uri[1024];	// pwg: Infrastructure Printer URI (ipps://)
  char		credentials[1024];	// pwg: file with "user:password" or "" (no authentication)
} upa_config_t;

extern upa_config_t	*upaConfigLoad(const char *path);
extern void		upaConfigDelete(upa_config_t *cfg);
extern const char	*upaConfigDefaultPath(void);
extern bool		upaConfigSetCloud(upa_config_t *cfg, const char *cloud);
extern const char	*upaConfigProfileString(upa_profile_t profile);
// pwg: read the HTTP Basic credentials of the Credentials file (a regular
// file owned by root, no permissions for others, not group-writable, group
// root or DeviceGroup); false with the error set when it is not such a file
// or holds no "user:password" line.  The caller wipes both buffers.
extern bool		upaConfigReadCredentials(const upa_config_t *cfg, char *user, size_t usersize, char *password, size_t passwordsize);

#endif // !UPA_CONFIG_H
