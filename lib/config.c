//
// Configuration file reading for libupa (cups-upa.conf).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upa-private.h"
#include <cups/file.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>


//
// Cloud presets (protocol.md §1)...
//

typedef struct cloud_preset_s		// URLs of one national cloud
{
  const char	*name;			// Preset name
  const char	*register_url;		// Registration service
  const char	*print_url;		// IPP service
  const char	*graph_url;		// Microsoft Graph
  const char	*authority_url;		// Microsoft Entra sign-in (admin device-code flow)
  const char	*badge_url;		// Universal Print's "graph.print" host (badge collections)
  const char	*resource_url;		// Universal Print's Entra resource (admin token scopes)
} cloud_preset_t;

static const cloud_preset_t cloud_presets[] =
{
  { "commercial", "https://register.print.microsoft.com", "https://print.print.microsoft.com", "https://graph.microsoft.com/v1.0", "https://login.microsoftonline.com", "https://graph.print.microsoft.com/v1.0", "https://print.print.microsoft.com" },
  { "gcc", "https://gcc-register.print.azure.us", "https://gcc-print.print.azure.us", "https://graph.microsoft.com/v1.0", "https://login.microsoftonline.com", "https://gcc-graph.print.azure.us/v1.0", "https://print.print.microsoft.com" },
  { "gcc-high", "https://register.print.azure.us", "https://print.print.azure.us", "https://graph.microsoft.us/v1.0", "https://login.microsoftonline.us", "https://graph.print.azure.us/v1.0", "https://print.print.azure.us" },
  { "dod", "https://register.print-dod.azure.us", "https://print.print-dod.azure.us", "https://dod-graph.microsoft.us/v1.0", "https://login.microsoftonline.us", "https://graph.print-dod.azure.us/v1.0", "https://print.print.azure.us" }
};


//
// Local functions...
//

static bool	check_url(const char *path, int linenum, const char *name, const char *value);
static void	set_defaults(upa_config_t *cfg);


//
// 'upaConfigDefaultPath()' - Return the configuration file to use.
//
// UPA_CONFIG overrides the compiled-in default, except in setuid/setgid
// programs (secure_getenv), where the caller's environment is not trusted.
//

const char *				// O - Path
upaConfigDefaultPath(void)
{
  const char	*env = secure_getenv("UPA_CONFIG");
					// Environment override


  return (env && *env ? env : UPA_CONFIG_FILE);
}


//
// 'upaConfigDelete()' - Free a configuration.
//

void
upaConfigDelete(upa_config_t *cfg)	// I - Configuration
{
  free(cfg);
}


//
// 'upaConfigLoad()' - Load a configuration file.
//
// A NULL path means upaConfigDefaultPath(); a missing file at the default
// path gives the built-in defaults (commercial cloud), a missing file named
// explicitly is an error.
//

upa_config_t *				// O - Configuration or NULL on error
upaConfigLoad(const char *path)		// I - File or NULL for the default
{
  upa_config_t	*cfg;			// Configuration
  cups_file_t	*fp;			// File
  char		line[1024],		// Directive
		*value;			// Value
  int		linenum = 0;		// Line number
  bool		explicit_path = path != NULL;
					// Was the file named by the caller?
  char		register_url[1024] = "",// Explicit RegisterURL
		print_url[1024] = "",	// Explicit PrintURL
		graph_url[1024] = "",	// Explicit GraphURL
		authority_url[1024] = "",
					// Explicit AuthorityURL
		badge_url[1024] = "",	// Explicit BadgeURL
		resource_url[1024] = "";// Explicit SignInResource
  bool		order_set = false;	// ReleaseOrder given?
  bool		cloud_set = false;	// Cloud given?


  if (!path)
    path = upaConfigDefaultPath();

  if ((cfg = calloc(1, sizeof(upa_config_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  set_defaults(cfg);

  if ((fp = cupsFileOpen(path, "r")) == NULL)
  {
    if (errno == ENOENT && !explicit_path && !secure_getenv("UPA_CONFIG"))
      return (cfg);			// No file: built-in defaults

    upaSetError(UPA_ERROR_CONFIG, "Unable to open configuration file %s: %s", path, strerror(errno));
    free(cfg);
    return (NULL);
  }

  upaCopyString(cfg->path, path, sizeof(cfg->path));

  while (cupsFileGetConf(fp, line, sizeof(line), &value, &linenum))
  {
    if (!value || !*value)
    {
      upaSetError(UPA_ERROR_CONFIG, "%s line %d: %s needs a value.", path, linenum, line);
      goto error;
    }

    if (!strcasecmp(line, "Cloud"))
    {
      cloud_set = true;
      if (!upaConfigSetCloud(cfg, value))
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: unknown cloud \"%s\" (use commercial, gcc, gcc-high, dod or custom).", path, linenum, value);
        goto error;
      }
    }
    else if (!strcasecmp(line, "RegisterURL"))
    {
      if (!check_url(path, linenum, line, value))
        goto error;
      upaCopyString(register_url, value, sizeof(register_url));
    }
    else if (!strcasecmp(line, "PrintURL"))
    {
      if (!check_url(path, linenum, line, value))
        goto error;
      upaCopyString(print_url, value, sizeof(print_url));
    }
    else if (!strcasecmp(line, "GraphURL"))
    {
      if (!check_url(path, linenum, line, value))
        goto error;
      upaCopyString(graph_url, value, sizeof(graph_url));
    }
    else if (!strcasecmp(line, "AuthorityURL"))
    {
      if (!check_url(path, linenum, line, value))
        goto error;
      upaCopyString(authority_url, value, sizeof(authority_url));
    }
    else if (!strcasecmp(line, "BadgeURL"))
    {
      if (!check_url(path, linenum, line, value))
        goto error;
      upaCopyString(badge_url, value, sizeof(badge_url));
    }
    else if (!strcasecmp(line, "SignInResource"))
    {
      if (!check_url(path, linenum, line, value))
        goto error;
      upaCopyString(resource_url, value, sizeof(resource_url));
    }
    else if (!strcasecmp(line, "CAFile"))
    {
      if (access(value, R_OK))
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: CAFile %s is not readable: %s", path, linenum, value, strerror(errno));
        goto error;
      }
      upaCopyString(cfg->ca_file, value, sizeof(cfg->ca_file));
    }
    else if (!strcasecmp(line, "Proxy"))
    {
      upaCopyString(cfg->proxy, value, sizeof(cfg->proxy));
    }
    else if (!strcasecmp(line, "StateDir") || !strcasecmp(line, "CacheDir"))
    {
      if (value[0] != '/')
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: %s must be an absolute path.", path, linenum, line);
        goto error;
      }

      if (!strcasecmp(line, "StateDir"))
        upaCopyString(cfg->state_dir, value, sizeof(cfg->state_dir));
      else
        upaCopyString(cfg->cache_dir, value, sizeof(cfg->cache_dir));
    }
    else if (!strcasecmp(line, "DeviceGroup"))
    {
      upaCopyString(cfg->device_group, value, sizeof(cfg->device_group));
    }
    else if (!strcasecmp(line, "LogLevel"))
    {
      int level = upaLogLevelValue(value);
					// Parsed level

      if (level < 0)
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: unknown LogLevel \"%s\" (use debug, info, warn or error).", path, linenum, value);
        goto error;
      }
      cfg->log_level = (upa_loglevel_t)level;
    }
    else if (!strcasecmp(line, "ReleaseOrder"))
    {
      if (!strcasecmp(value, "fetch-first"))
        cfg->release_order = UPA_ORDER_FETCH_FIRST;
      else if (!strcasecmp(value, "acknowledge-first"))
        cfg->release_order = UPA_ORDER_ACK_FIRST;
      else
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: unknown ReleaseOrder \"%s\" (use fetch-first or acknowledge-first).", path, linenum, value);
        goto error;
      }
      order_set = true;
    }
    else if (!strcasecmp(line, "Profile"))
    {
      if (!strcasecmp(value, "universal-print"))
        cfg->profile = UPA_PROFILE_UNIVERSAL_PRINT;
      else if (!strcasecmp(value, "pwg"))
        cfg->profile = UPA_PROFILE_PWG;
      else
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: unknown Profile \"%s\" (use universal-print or pwg).", path, linenum, value);
        goto error;
      }
    }
    else if (!strcasecmp(line, "PrinterURI"))
    {
      size_t len = strlen(value);	// Length

      // TLS is not optional: the credentials travel in every request.
      if (strncmp(value, "ipps://", 7) || len < 8 || len >= sizeof(cfg->printer_uri))
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: PrinterURI must be an ipps:// URI.", path, linenum);
        goto error;
      }
      upaCopyString(cfg->printer_uri, value, sizeof(cfg->printer_uri));
    }
    else if (!strcasecmp(line, "Credentials"))
    {
      if (value[0] != '/')
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: Credentials must be an absolute path.", path, linenum);
        goto error;
      }
      upaCopyString(cfg->credentials, value, sizeof(cfg->credentials));
    }
    else if (!strcasecmp(line, "Timeout"))
    {
      char *end;			// End of number
      long seconds = strtol(value, &end, 10);
					// Value

      if (*end || seconds < 1 || seconds > 3600)
      {
        upaSetError(UPA_ERROR_CONFIG, "%s line %d: Timeout must be a number of seconds from 1 to 3600.", path, linenum);
        goto error;
      }
      cfg->timeout = (int)seconds;
    }
    else if (!strcasecmp(line, "CupsServer"))
    {
      upaCopyString(cfg->cups_server, value, sizeof(cfg->cups_server));
    }
    else
    {
      upaSetError(UPA_ERROR_CONFIG, "%s line %d: unknown directive %s.", path, linenum, line);
      goto error;
    }
  }

  cupsFileClose(fp);

  // Explicit URLs win over the preset, whatever their order in the file.
  if (register_url[0])
    upaCopyString(cfg->register_url, register_url, sizeof(cfg->register_url));
  if (print_url[0])
    upaCopyString(cfg->print_url, print_url, sizeof(cfg->print_url));
  if (graph_url[0])
    upaCopyString(cfg->graph_url, graph_url, sizeof(cfg->graph_url));
  if (authority_url[0])
    upaCopyString(cfg->authority_url, authority_url, sizeof(cfg->authority_url));
  if (resource_url[0])
    upaCopyString(cfg->resource_url, resource_url, sizeof(cfg->resource_url));
  if (badge_url[0])
    upaCopyString(cfg->badge_url, badge_url, sizeof(cfg->badge_url));
  else if (!strcmp(cfg->cloud, "custom"))
    upaCopyString(cfg->badge_url, cfg->graph_url, sizeof(cfg->badge_url));
					// One host serves both (the emulator)

  if (cfg->profile == UPA_PROFILE_PWG)
  {
    // A PWG Infrastructure Printer is not one of Microsoft's clouds, has no
    // registration service and wants Acknowledge-Job before Fetch-Document.
    if (cloud_set && strcmp(cfg->cloud, "custom"))
    {
      upaSetError(UPA_ERROR_CONFIG, "%s: Profile pwg is for a PWG 5100.18 Infrastructure Printer, not Microsoft's cloud \"%s\" (use Cloud custom or no Cloud line).", path, cfg->cloud);
      free(cfg);
      return (NULL);
    }

    if (!cfg->printer_uri[0])
    {
      upaSetError(UPA_ERROR_CONFIG, "%s: Profile pwg needs PrinterURI (the Infrastructure Printer's ipps:// URI).", path);
      free(cfg);
      return (NULL);
    }

    if (order_set && cfg->release_order != UPA_ORDER_ACK_FIRST)
    {
      upaSetError(UPA_ERROR_CONFIG, "%s: Profile pwg acknowledges a job before fetching its document (PWG 5100.18); remove \"ReleaseOrder fetch-first\".", path);
      free(cfg);
      return (NULL);
    }

    upaCopyString(cfg->cloud, "custom", sizeof(cfg->cloud));
    cfg->release_order = UPA_ORDER_ACK_FIRST;
  }
  else if (cfg->printer_uri[0] || cfg->credentials[0])
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: PrinterURI and Credentials belong to Profile pwg; Universal Print's printer URI is fixed at registration and it uses device tokens.", path);
    free(cfg);
    return (NULL);
  }
  else if (!strcmp(cfg->cloud, "custom") && (!register_url[0] || !print_url[0]))
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: Cloud custom needs RegisterURL and PrintURL.", path);
    free(cfg);
    return (NULL);
  }

  return (cfg);

  error:

  cupsFileClose(fp);
  free(cfg);
  return (NULL);
}


//
// 'upaConfigSetCloud()' - Select a cloud preset ("custom" keeps the URLs).
//

bool					// O - true if the name is known
upaConfigSetCloud(upa_config_t *cfg,	// I - Configuration
                  const char   *cloud)	// I - Preset name
{
  size_t	i;			// Looping var


  if (!strcasecmp(cloud, "custom"))
  {
    upaCopyString(cfg->cloud, "custom", sizeof(cfg->cloud));
    return (true);
  }

  for (i = 0; i < sizeof(cloud_presets) / sizeof(cloud_presets[0]); i ++)
  {
    if (!strcasecmp(cloud, cloud_presets[i].name))
    {
      upaCopyString(cfg->cloud, cloud_presets[i].name, sizeof(cfg->cloud));
      upaCopyString(cfg->register_url, cloud_presets[i].register_url, sizeof(cfg->register_url));
      upaCopyString(cfg->print_url, cloud_presets[i].print_url, sizeof(cfg->print_url));
      upaCopyString(cfg->graph_url, cloud_presets[i].graph_url, sizeof(cfg->graph_url));
      upaCopyString(cfg->authority_url, cloud_presets[i].authority_url, sizeof(cfg->authority_url));
      upaCopyString(cfg->badge_url, cloud_presets[i].badge_url, sizeof(cfg->badge_url));
      upaCopyString(cfg->resource_url, cloud_presets[i].resource_url, sizeof(cfg->resource_url));
      return (true);
    }
  }

  return (false);
}


//
// 'upaConfigProfileString()' - Return the keyword of a profile.
//

const char *				// O - "universal-print" or "pwg"
upaConfigProfileString(
    upa_profile_t profile)		// I - Profile
{
  return (profile == UPA_PROFILE_PWG ? "pwg" : "universal-print");
}


//
// 'upaConfigReadCredentials()' - Read the pwg profile's HTTP Basic credentials.
//
// The file is opened without following links and checked on its
// descriptor: a regular file owned by root, nothing for others, not
// group-writable, group root or DeviceGroup (the backend account reports
// job states with it, as it uses the device keys).  One "user:password"
// line; "#" lines are comments.  Nothing of the file is ever logged.
//

bool					// O - `true` on success
upaConfigReadCredentials(
    const upa_config_t *cfg,		// I - Configuration
    char               *user,		// O - User name
    size_t             usersize,	// I - Size of user
    char               *password,	// O - Password
    size_t             passwordsize)	// I - Size of password
{
  int		fd;			// File
  struct stat	info;			// File information
  struct group	*grp;			// DeviceGroup
  char		buffer[2048],		// File contents
		*line,			// Current line
		*next,			// Next line
		*colon;			// Separator
  ssize_t	bytes;			// Bytes read
  bool		ret = false;		// Return value


  if (user && usersize)
    *user = '\0';
  if (password && passwordsize)
    *password = '\0';

  if (!cfg || !cfg->credentials[0] || !user || !password || usersize == 0 || passwordsize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaConfigReadCredentials: no Credentials file.");
    return (false);
  }

  // Walked without following links, a regular file only (file.c).
  if ((fd = upaFileOpen(cfg->credentials, O_RDONLY, 0, NULL)) < 0)
  {
    char why[1024];			// What file.c said

    upaCopyString(why, upaLastErrorString(), sizeof(why));
    upaSetError(UPA_ERROR_CONFIG, "Unable to open Credentials file %s: %s", cfg->credentials, why);
    return (false);
  }

  grp = getgrnam(cfg->device_group);

  if (fstat(fd, &info) || !S_ISREG(info.st_mode) || info.st_uid != 0 || (info.st_mode & (S_IWGRP | S_IRWXO)) || (info.st_gid != 0 && (!grp || info.st_gid != grp->gr_gid)))
  {
    upaSetError(UPA_ERROR_CONFIG, "Credentials file %s must be a regular file owned by root, group root or %s, mode 0640 or stricter.", cfg->credentials, cfg->device_group);
    close(fd);
    return (false);
  }

  bytes = read(fd, buffer, sizeof(buffer) - 1);
  close(fd);

  if (bytes < 0)
  {
    upaSetError(UPA_ERROR_CONFIG, "Unable to read Credentials file %s: %s", cfg->credentials, strerror(errno));
    explicit_bzero(buffer, sizeof(buffer));
    return (false);
  }

  buffer[bytes] = '\0';

  for (line = buffer; line && *line; line = next)
  {
    if ((next = strchr(line, '\n')) != NULL)
      *next++ = '\0';

    line[strcspn(line, "\r")] = '\0';

    if (!*line || *line == '#')
      continue;

    if ((colon = strchr(line, ':')) == NULL || colon == line)
      break;

    *colon = '\0';
    if (strlen(line) < usersize && strlen(colon + 1) < passwordsize)
    {
      upaCopyString(user, line, usersize);
      upaCopyString(password, colon + 1, passwordsize);
      ret = true;
    }
    break;
  }

  explicit_bzero(buffer, sizeof(buffer));

  if (!ret)
    upaSetError(UPA_ERROR_CONFIG, "Credentials file %s holds no \"user:password\" line.", cfg->credentials);

  return (ret);
}


//
// 'check_url()' - Check that a URL directive is an https:// URL.
//

static bool				// O - true if OK
check_url(const char *path,		// I - Config file
          int        linenum,		// I - Line number
          const char *name,		// I - Directive
          const char *value)		// I - Value
{
  size_t	len = strlen(value);	// Length


  // TLS is not optional: the device token travels in every request.
  if (strncmp(value, "https://", 8) || len < 9)
  {
    upaSetError(UPA_ERROR_CONFIG, "%s line %d: %s must be an https:// URL.", path, linenum, name);
    return (false);
  }

  if (value[len - 1] == '/')
  {
    upaSetError(UPA_ERROR_CONFIG, "%s line %d: %s must not end with \"/\".", path, linenum, name);
    return (false);
  }

  return (true);
}


//
// 'set_defaults()' - Set the built-in defaults.
//

static void
set_defaults(upa_config_t *cfg)		// I - Configuration
{
  upaConfigSetCloud(cfg, "commercial");
  upaCopyString(cfg->state_dir, UPA_STATE_DIR, sizeof(cfg->state_dir));
  upaCopyString(cfg->cache_dir, UPA_CACHE_DIR, sizeof(cfg->cache_dir));
  upaCopyString(cfg->device_group, "cups-upa", sizeof(cfg->device_group));
  cfg->log_level     = UPA_LOG_INFO;
  cfg->release_order = UPA_ORDER_FETCH_FIRST;
  cfg->timeout       = 60;
  cfg->profile       = UPA_PROFILE_UNIVERSAL_PRINT;
}
