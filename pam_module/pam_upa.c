//
// pam_upa: badge (and optional PIN) authentication that yields a Universal
// Print identity (UPN).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Layout after pam-u2f / Linux-PAM: parse_args() fills an options struct,
// perform_auth()/perform_acct() hold the logic, the pam_sm_* entry points are
// thin wrappers, each function has one exit path.  The badge core (rules,
// store, PINs, lockout, cloud lookup) is lib/badge.c, shared with upactl.
//
// Result codes (documented in pam_upa(8)):
//   PAM_SUCCESS           badge (and PIN) accepted; PAM_USER and env UPA_UPN set
//   PAM_USER_UNKNOWN      badge not found in any source (self-registration: pending)
//   PAM_AUTH_ERR          bad/unreadable input, wrong PIN, PIN required but unset,
//                         badge matching several LDAP entries
//   PAM_MAXTRIES          badge/station locked out after too many failures
//   PAM_IGNORE            repeated tap within DebounceTime (env UPA_TAP=debounced);
//                         "register" line with nothing pending
//   PAM_AUTHINFO_UNAVAIL  config/key/store unusable, cloud unreachable or refusing,
//                         LDAP unreachable, timed out or refusing the bind
//   PAM_CONV_ERR          the conversation failed
//   PAM_BUF_ERR           out of memory
//   PAM_SYSTEM_ERR        self-registration could not write the store
//   acct: PAM_PERM_DENIED (mapping disabled), PAM_ACCT_EXPIRED (mapping expired)
//

#include "upa.h"
#include "badge.h"
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <security/pam_modules.h>
#include <security/pam_ext.h>


//
// Constants...
//

#define PENDING_DATA	"pam_upa_pending"	// pam_set_data() name: badge awaiting registration
#define PENDING_ID_DATA	"pam_upa_pending_id"	// pam_set_data() name: its normalised ID (SelfRegisterCloud only)
#define MAPPING_DATA	"pam_upa_mapping"	// pam_set_data() name: accepted mapping for acct_mgmt


//
// Types...
//

typedef struct pam_upa_opts_s		// Module arguments
{
  bool		debug;			// "debug"
  FILE		*debug_fp;		// debug_file=PATH|stderr|stdout (NULL = syslog)
  bool		debug_fp_owned;		// Close debug_fp at the end?
  const char	*config;		// "config=" (borrowed from argv) or NULL
  const char	*station;		// "station=" (borrowed) or NULL
  bool		register_mode;		// "register": store a pending badge for PAM_USER
  bool		badge_from_env;		// "badge_from_env": accept PAM env UPA_BADGE from the application
  bool		no_set_user;		// "no_set_user": leave PAM_USER alone
  bool		silent;			// PAM_SILENT: no messages to the user
} pam_upa_opts_t;

typedef struct pam_upa_mapping_s	// What acct_mgmt checks
{
  char		upn[256];		// User
  char		tag[UPA_BADGE_TAG_LEN + 1];
					// Audit tag of the badge
  bool		disabled;		// Mapping disabled?
  time_t	expires;		// Expiry (0 = never)
} pam_upa_mapping_t;

typedef struct pam_upa_ctx_s		// Per-call context for logging
{
  pam_handle_t	*pamh;			// PAM handle
  pam_upa_opts_t *opts;			// Options
} pam_upa_ctx_t;


//
// Debug macro (pam-u2f style)...
//

#define debug_dbg(opts, ...) do { if ((opts)->debug) debug_print(pamh, (opts), __VA_ARGS__); } while (0)


//
// Local functions...
//

static void	audit(pam_handle_t *pamh, pam_upa_opts_t *opts, const char *station, const char *tag, const char *user, const char *source, const char *outcome);
static void	cleanup_free(pam_handle_t *pamh, void *data, int error_status);
static void	cleanup_wipe(pam_handle_t *pamh, void *data, int error_status);
static void	debug_print(pam_handle_t *pamh, pam_upa_opts_t *opts, const char *format, ...) __attribute__((format(printf, 3, 4)));
static int	get_station(pam_handle_t *pamh, pam_upa_opts_t *opts, char *station, size_t stationsize);
static void	log_cb(void *data, upa_loglevel_t level, const char *message);
static int	lookup_cloud(pam_handle_t *pamh, pam_upa_opts_t *opts, const upa_badge_config_t *bc, const char *id, upa_badge_user_t *user);
static int	lookup_ldap(pam_handle_t *pamh, pam_upa_opts_t *opts, const upa_badge_config_t *bc, const char *id, upa_badge_user_t *user);
static int	lookup_status(upa_badge_lookup_t result);
static int	parse_args(pam_handle_t *pamh, int argc, const char **argv, pam_upa_opts_t *opts);
static int	perform_acct(pam_handle_t *pamh, int flags, pam_upa_opts_t *opts);
static int	perform_auth(pam_handle_t *pamh, int flags, pam_upa_opts_t *opts);
static int	perform_register(pam_handle_t *pamh, pam_upa_opts_t *opts, const upa_badge_config_t *bc, const upa_badge_key_t *key, const char *station);
static void	register_cloud(pam_handle_t *pamh, pam_upa_opts_t *opts, const upa_badge_config_t *bc, const char *id, const char *upn, const char *tag);
static int	set_identity(pam_handle_t *pamh, pam_upa_opts_t *opts, const char *upn, const char *tag, bool disabled, time_t expires);
static const char *skip_prefix(const char *s, const char *prefix);
static void	tell_user(pam_handle_t *pamh, pam_upa_opts_t *opts, int style, const char *message);
static void	wipe(void *p, size_t len);


//
// 'pam_sm_authenticate()' - Authenticate a badge (and PIN).
//

PAM_EXTERN int				// O - PAM status
pam_sm_authenticate(pam_handle_t *pamh,	// I - PAM handle
                    int          flags,	// I - Flags
                    int          argc,	// I - Number of arguments
                    const char   **argv)// I - Arguments
{
  pam_upa_opts_t	opts;		// Options
  int			retval;		// Result


  if ((retval = parse_args(pamh, argc, argv, &opts)) == PAM_SUCCESS)
  {
    opts.silent = (flags & PAM_SILENT) != 0;
    retval      = perform_auth(pamh, flags, &opts);
  }

  if (opts.debug_fp_owned && opts.debug_fp)
    fclose(opts.debug_fp);

  return (retval);
}


//
// 'pam_sm_setcred()' - Nothing to set: the UPN is already in PAM_USER/UPA_UPN.
//

PAM_EXTERN int				// O - PAM status
pam_sm_setcred(pam_handle_t *pamh,	// I - PAM handle
               int          flags,	// I - Flags
               int          argc,	// I - Number of arguments
               const char   **argv)	// I - Arguments
{
  (void)pamh;
  (void)flags;
  (void)argc;
  (void)argv;

  return (PAM_SUCCESS);
}


//
// 'pam_sm_acct_mgmt()' - Refuse disabled or expired badge mappings.
//

PAM_EXTERN int				// O - PAM status
pam_sm_acct_mgmt(pam_handle_t *pamh,	// I - PAM handle
                 int          flags,	// I - Flags
                 int          argc,	// I - Number of arguments
                 const char   **argv)	// I - Arguments
{
  pam_upa_opts_t	opts;		// Options
  int			retval;		// Result


  if ((retval = parse_args(pamh, argc, argv, &opts)) == PAM_SUCCESS)
  {
    opts.silent = (flags & PAM_SILENT) != 0;
    retval      = perform_acct(pamh, flags, &opts);
  }

  if (opts.debug_fp_owned && opts.debug_fp)
    fclose(opts.debug_fp);

  return (retval);
}


//
// 'parse_args()' - Parse module arguments into the options struct.
//

static int				// O - PAM_SUCCESS or error
parse_args(pam_handle_t   *pamh,	// I - PAM handle
           int            argc,		// I - Number of arguments
           const char     **argv,	// I - Arguments
           pam_upa_opts_t *opts)	// O - Options
{
  int		i;			// Looping var
  const char	*value;			// Option value


  memset(opts, 0, sizeof(pam_upa_opts_t));

  for (i = 0; i < argc; i ++)
  {
    if (!strcmp(argv[i], "debug"))
    {
      opts->debug = true;
    }
    else if ((value = skip_prefix(argv[i], "debug_file=")) != NULL)
    {
      if (opts->debug_fp_owned && opts->debug_fp)
        fclose(opts->debug_fp);

      opts->debug_fp       = NULL;
      opts->debug_fp_owned = false;

      if (!strcmp(value, "stderr"))
        opts->debug_fp = stderr;
      else if (!strcmp(value, "stdout"))
        opts->debug_fp = stdout;
      else if (!strcmp(value, "syslog"))
        opts->debug_fp = NULL;
      else
      {
        int		fd;		// Debug file
        struct stat	st;		// File information

        // Only a regular file, never through a symlink; syslog otherwise.
        if ((fd = open(value, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600)) < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || (opts->debug_fp = fdopen(fd, "a")) == NULL)
        {
          pam_syslog(pamh, LOG_ERR, "cannot use debug_file=%s, logging to syslog", value);
          if (fd >= 0)
            close(fd);
        }
        else
        {
          opts->debug_fp_owned = true;
          setvbuf(opts->debug_fp, NULL, _IOLBF, 0);
        }
      }
    }
    else if ((value = skip_prefix(argv[i], "config=")) != NULL)
    {
      opts->config = value;
    }
    else if ((value = skip_prefix(argv[i], "station=")) != NULL)
    {
      opts->station = value;
    }
    else if (!strcmp(argv[i], "register"))
    {
      opts->register_mode = true;
    }
    else if (!strcmp(argv[i], "badge_from_env"))
    {
      opts->badge_from_env = true;
    }
    else if (!strcmp(argv[i], "no_set_user"))
    {
      opts->no_set_user = true;
    }
    else
    {
      pam_syslog(pamh, LOG_ERR, "unknown option: %s", argv[i]);
    }
  }

  return (PAM_SUCCESS);
}


//
// 'perform_auth()' - Read, normalise and resolve a badge; check the PIN.
//

static int				// O - PAM status
perform_auth(pam_handle_t   *pamh,	// I - PAM handle
             int            flags,	// I - Flags
             pam_upa_opts_t *opts)	// I - Options
{
  int			retval = PAM_ABORT;
					// Result
  int			status;		// PAM call status
  pam_upa_ctx_t		ctx;		// Logging context
  upa_badge_config_t	*bc = NULL;	// badge.conf
  upa_badge_key_t	*key = NULL;	// Site key
  upa_badge_store_t	*store = NULL;	// Local store
  upa_badge_entry_t	*entry;		// Local mapping
  upa_badge_entry_t	mapping;	// Accepted mapping (copy)
  upa_badge_user_t	user;		// Cloud result
  char			*resp = NULL,	// Conversation answer (badge)
			*pin = NULL;	// Conversation answer (PIN)
  const char		*env;		// PAM environment value
  char			input[UPA_BADGE_MAX_INPUT + 1] = "",
					// Raw badge input
			id[UPA_BADGE_MAX_ID + 1] = "",
					// Normalised ID
			hash[UPA_BADGE_HASH_LEN + 1] = "",
					// Keyed hash
			tag[UPA_BADGE_TAG_LEN + 1] = "-",
					// Audit tag
			station[64] = "";
					// Station name
  const char		*source = "-",	// Which source resolved it
			*outcome = "error";
					// Audit outcome
  bool			found = false,	// Badge resolved?
			cloud_unavail = false,
					// A cloud lookup failed (not 404)
			ldap_unavail = false,
					// An LDAP lookup failed (not "no entry")
			counted = false,// Outcome not the user's doing (counts nothing)?
			reserved = false;
					// Attempt reserved by upaBadgeThrottleBegin()?
  time_t		until = 0;	// Lockout end
  int			i;		// Looping var


  (void)flags;

  ctx.pamh = pamh;
  ctx.opts = opts;
  // libupa's log lines go to this call's context, in this thread only:
  // other threads of the application may be in pam_authenticate() too.
  upaLogSetThreadCallback(log_cb, &ctx, opts->debug ? UPA_LOG_DEBUG : UPA_LOG_WARN);
  memset(&mapping, 0, sizeof(mapping));

  // Configuration, station and site key
  if ((bc = upaBadgeConfigLoad(opts->config, opts->config == NULL)) == NULL)
  {
    pam_syslog(pamh, LOG_ERR, "cannot load badge configuration: %s", upaLastErrorString());
    retval  = upaLastError() == UPA_ERROR_MEMORY ? PAM_BUF_ERR : PAM_AUTHINFO_UNAVAIL;
    outcome = "config-error";
    goto done;
  }

  if ((retval = get_station(pamh, opts, station, sizeof(station))) != PAM_SUCCESS)
    goto done;

  debug_dbg(opts, "config=%s station=%s register=%d", bc->path[0] ? bc->path : "(defaults)", station, opts->register_mode);

  if ((key = upaBadgeKeyLoad(bc->key_file)) == NULL)
  {
    pam_syslog(pamh, LOG_ERR, "cannot load badge key: %s", upaLastErrorString());
    retval  = PAM_AUTHINFO_UNAVAIL;
    outcome = "key-error";
    goto done;
  }

  if (opts->register_mode)
  {
    retval  = perform_register(pamh, opts, bc, key, station);
    outcome = NULL;			// perform_register() audits
    goto done;
  }

  // Read the badge: from the application (PAM env) or the conversation
  if (opts->badge_from_env && (env = pam_getenv(pamh, "UPA_BADGE")) != NULL)
  {
    if (strnlen(env, UPA_BADGE_MAX_INPUT + 1) > UPA_BADGE_MAX_INPUT)
      input[0] = '\0';			// Normaliser refuses the empty string below
    else
      snprintf(input, sizeof(input), "%s", env);

    pam_putenv(pamh, "UPA_BADGE");	// Never leak it into the session
    debug_dbg(opts, "badge read from PAM environment");

    if (!input[0])
    {
      pam_syslog(pamh, LOG_NOTICE, "badge input refused: too long or empty");
      retval  = PAM_AUTH_ERR;
      outcome = "bad-input";
      goto done;
    }
  }
  else
  {
    status = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s%s", bc->badge_prompt, bc->badge_prompt[0] && bc->badge_prompt[strlen(bc->badge_prompt) - 1] != ' ' ? " " : "");
    if (status != PAM_SUCCESS || !resp)
    {
      pam_syslog(pamh, LOG_NOTICE, "conversation failed reading the badge");
      retval  = status == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_CONV_ERR;
      outcome = "conversation-error";
      goto done;
    }

    if (strnlen(resp, UPA_BADGE_MAX_INPUT + 1) > UPA_BADGE_MAX_INPUT)
    {
      pam_syslog(pamh, LOG_NOTICE, "badge input refused: longer than %d bytes", UPA_BADGE_MAX_INPUT);
      retval  = PAM_AUTH_ERR;
      outcome = "bad-input";
      goto done;
    }

    snprintf(input, sizeof(input), "%s", resp);
  }

  if (!upaBadgeNormalize(&bc->rules, input, id, sizeof(id)))
  {
    pam_syslog(pamh, LOG_NOTICE, "badge input refused: %s", upaLastErrorString());
    retval  = upaLastError() == UPA_ERROR_CONFIG ? PAM_AUTHINFO_UNAVAIL : PAM_AUTH_ERR;
    outcome = "bad-input";
    goto done;
  }

  if (!upaBadgeHash(key, id, hash, sizeof(hash)))
  {
    pam_syslog(pamh, LOG_ERR, "cannot hash badge: %s", upaLastErrorString());
    retval = PAM_SYSTEM_ERR;
    goto done;
  }

  upaBadgeTag(hash, tag, sizeof(tag));

  // Lockout and debounce
  switch (upaBadgeThrottleBegin(bc, key, hash, station, time(NULL), &until))
  {
    case UPA_BADGE_THROTTLE_OK :
        reserved = true;		// Ended below, whatever happens
        break;

    case UPA_BADGE_THROTTLE_LOCKED :
        tell_user(pamh, opts, PAM_ERROR_MSG, "Too many failed attempts. Try again later.");
        debug_dbg(opts, "locked for %ld more seconds", (long)(until - time(NULL)));
        retval  = PAM_MAXTRIES;
        outcome = "locked";
        counted = true;
        goto done;

    case UPA_BADGE_THROTTLE_DEBOUNCED :
        pam_putenv(pamh, "UPA_TAP=debounced");
        retval  = PAM_IGNORE;
        outcome = "debounced";
        counted = true;
        goto done;

    default :
        pam_syslog(pamh, LOG_ERR, "cannot use lockout state in %s: %s", bc->state_dir, upaLastErrorString());
        retval  = PAM_AUTHINFO_UNAVAIL;
        outcome = "state-error";
        counted = true;
        goto done;
  }

  // Resolve through the configured sources, in order
  for (i = 0; !found && i < UPA_BADGE_MAX_SOURCES && bc->sources[i] != UPA_BADGE_SOURCE_NONE; i ++)
  {
    if (bc->sources[i] == UPA_BADGE_SOURCE_LOCAL)
    {
      if (!store && (store = upaBadgeStoreLoad(bc->store, true)) == NULL)
      {
        pam_syslog(pamh, LOG_ERR, "cannot use badge store: %s", upaLastErrorString());
        retval  = upaLastError() == UPA_ERROR_MEMORY ? PAM_BUF_ERR : PAM_AUTHINFO_UNAVAIL;
        outcome = "store-error";
        counted = true;			// Not the user's fault
        goto done;
      }

      if ((entry = upaBadgeStoreFind(store, hash)) != NULL)
      {
        mapping = *entry;
        found   = true;
        source  = "local";
      }

      debug_dbg(opts, "local store: %s", found ? "found" : "not found");
    }
    else if (bc->sources[i] == UPA_BADGE_SOURCE_CLOUD)
    {
      int cstatus = lookup_cloud(pamh, opts, bc, id, &user);
					// Cloud result as PAM status

      if (cstatus == PAM_SUCCESS)
      {
        memset(&mapping, 0, sizeof(mapping));
        snprintf(mapping.upn, sizeof(mapping.upn), "%s", user.upn);
        found  = true;
        source = "cloud";
      }
      else if (cstatus == PAM_AUTH_ERR)
      {
        retval  = PAM_AUTH_ERR;
        outcome = "bad-input";
        goto done;
      }
      else if (cstatus != PAM_USER_UNKNOWN)
        cloud_unavail = true;
    }
    else if (bc->sources[i] == UPA_BADGE_SOURCE_LDAP)
    {
      int lstatus = lookup_ldap(pamh, opts, bc, id, &user);
					// LDAP result as PAM status

      if (lstatus == PAM_SUCCESS)
      {
        memset(&mapping, 0, sizeof(mapping));
        snprintf(mapping.upn, sizeof(mapping.upn), "%s", user.upn);
        mapping.disabled = user.disabled;	// acct_mgmt refuses it
        found  = true;
        source = "ldap";
      }
      else if (lstatus == PAM_AUTH_ERR)
      {
        // Several directory entries: a data problem, not the user's fault.
        tell_user(pamh, opts, PAM_ERROR_MSG, "This badge matches several accounts. Contact your administrator.");
        retval  = PAM_AUTH_ERR;
        source  = "ldap";
        outcome = "ambiguous";
        counted = true;
        goto done;
      }
      else if (lstatus != PAM_USER_UNKNOWN)
        ldap_unavail = true;
    }
  }

  if (!found)
  {
    if (cloud_unavail || ldap_unavail)
    {
      // Not the user's fault and not proof the badge is unknown.
      tell_user(pamh, opts, PAM_ERROR_MSG, "Badge service unavailable. Try again later.");
      retval  = PAM_AUTHINFO_UNAVAIL;
      outcome = cloud_unavail ? "cloud-unavailable" : "ldap-unavailable";
      counted = true;
      goto done;
    }

    if (bc->self_register)
    {
      char *pending = strdup(hash);	// Keyed hash awaiting registration

      if (!pending || pam_set_data(pamh, PENDING_DATA, pending, cleanup_wipe) != PAM_SUCCESS)
      {
        free(pending);
        retval = PAM_BUF_ERR;
        goto done;
      }

      if (bc->self_register_cloud)
      {
        // The cloud collection needs the ID itself: kept only for the
        // "register" line of this transaction, wiped by pam_end().
        char *pending_id = strdup(id);	// Normalised ID awaiting registration

        if (!pending_id || pam_set_data(pamh, PENDING_ID_DATA, pending_id, cleanup_wipe) != PAM_SUCCESS)
        {
          if (pending_id)
          {
            wipe(pending_id, strlen(pending_id));
            free(pending_id);
          }
          retval = PAM_BUF_ERR;
          goto done;
        }
      }

      tell_user(pamh, opts, PAM_TEXT_INFO, "This badge is not registered. Log in to register it.");
      outcome = "unknown-register-offered";
    }
    else
    {
      tell_user(pamh, opts, PAM_ERROR_MSG, "Badge not recognised.");
      outcome = "unknown";
    }

    retval = PAM_USER_UNKNOWN;
    goto done;
  }

  // PIN policy
  if (bc->pin == UPA_BADGE_PIN_REQUIRED && !mapping.pin[0])
  {
    pam_syslog(pamh, LOG_NOTICE, "PIN required but the %s mapping has none", source);
    tell_user(pamh, opts, PAM_ERROR_MSG, "This badge needs a PIN, but none is set. Contact your administrator.");
    retval  = PAM_AUTH_ERR;
    outcome = "no-pin";
    goto done;
  }

  if (bc->pin != UPA_BADGE_PIN_OFF && mapping.pin[0])
  {
    status = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &pin, "%s%s", bc->pin_prompt, bc->pin_prompt[0] && bc->pin_prompt[strlen(bc->pin_prompt) - 1] != ' ' ? " " : "");
    if (status != PAM_SUCCESS || !pin)
    {
      retval  = status == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_CONV_ERR;
      outcome = "conversation-error";
      counted = true;
      goto done;
    }

    if (!upaBadgePINVerify(pin, mapping.pin))
    {
      tell_user(pamh, opts, PAM_ERROR_MSG, "Wrong PIN.");
      retval  = PAM_AUTH_ERR;
      outcome = "wrong-pin";
      goto done;
    }
  }

  if ((retval = set_identity(pamh, opts, mapping.upn, tag, mapping.disabled, mapping.expires)) != PAM_SUCCESS)
  {
    counted = true;
    goto done;
  }

  outcome = "success";

  done:

  // End the reserved attempt: failures caused by the user count towards
  // lockout (unknown badges also per station), successes reset it, the rest
  // only gives the reservation back.
  if (reserved)
  {
    upa_badge_outcome_t	how;		// Outcome for the throttle state

    if (retval == PAM_SUCCESS)
      how = UPA_BADGE_OUTCOME_SUCCESS;
    else if (counted)
      how = UPA_BADGE_OUTCOME_NEUTRAL;
    else if (retval == PAM_USER_UNKNOWN)
      how = UPA_BADGE_OUTCOME_UNKNOWN;
    else
      how = UPA_BADGE_OUTCOME_FAILURE;

    if (!upaBadgeThrottleEnd(bc, key, hash, station, how, time(NULL)))
      pam_syslog(pamh, LOG_ERR, "cannot update lockout state: %s", upaLastErrorString());
  }

  if (outcome)
    audit(pamh, opts, station, tag, retval == PAM_SUCCESS ? mapping.upn : NULL, source, outcome);

  debug_dbg(opts, "authenticate returns %s (%d)", pam_strerror(pamh, retval), retval);

  if (resp)
  {
    wipe(resp, strlen(resp));
    free(resp);
  }

  if (pin)
  {
    wipe(pin, strlen(pin));
    free(pin);
  }

  wipe(input, sizeof(input));
  wipe(id, sizeof(id));
  wipe(&mapping, sizeof(mapping));
  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);
  upaBadgeConfigDelete(bc);
  upaLogClearThreadCallback();

  return (retval);
}


//
// 'perform_register()' - Store a pending badge for the user the stack authenticated.
//
// Used as a second "auth ... pam_upa.so register" line after the module(s)
// that proved who the user is (pam_unix, pam_sss, ...): the first pam_upa
// line left the keyed hash of the unknown badge in PAM data, never the ID.
//

static int				// O - PAM status
perform_register(
    pam_handle_t             *pamh,	// I - PAM handle
    pam_upa_opts_t           *opts,	// I - Options
    const upa_badge_config_t *bc,	// I - badge.conf
    const upa_badge_key_t    *key,	// I - Site key
    const char               *station)	// I - Station
{
  int			retval = PAM_ABORT;
					// Result
  const void		*data = NULL;	// Pending hash
  const void		*item = NULL;	// PAM_USER
  const char		*hash,		// Pending keyed hash
			*outcome = "register-error";
					// Audit outcome
  char			upn[600] = "",	// User to register (checked to be <= 255 below)
			tag[UPA_BADGE_TAG_LEN + 1] = "-";
					// Audit tag
  upa_badge_store_t	*store = NULL;	// Store
  upa_badge_entry_t	e;		// New mapping
  int			lockfd = -1;	// Store lock


  if (pam_get_data(pamh, PENDING_DATA, &data) != PAM_SUCCESS || !data)
  {
    debug_dbg(opts, "register: no badge pending");
    return (PAM_IGNORE);
  }

  hash = (const char *)data;
  upaBadgeTag(hash, tag, sizeof(tag));

  if (!bc->self_register)
  {
    pam_syslog(pamh, LOG_NOTICE, "register: SelfRegister is off in %s", bc->path[0] ? bc->path : "badge.conf");
    retval  = PAM_IGNORE;
    outcome = "register-disabled";
    goto done;
  }

  if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item || !*(const char *)item)
  {
    pam_syslog(pamh, LOG_NOTICE, "register: no authenticated user");
    retval = PAM_USER_UNKNOWN;
    goto done;
  }

  if (strchr((const char *)item, '@') || !bc->register_domain[0])
    snprintf(upn, sizeof(upn), "%s", (const char *)item);
  else
    snprintf(upn, sizeof(upn), "%s@%s", (const char *)item, bc->register_domain);

  if (!upaBadgeValidUPN(upn))
  {
    pam_syslog(pamh, LOG_NOTICE, "register: user name not usable as a UPN");
    retval = PAM_USER_UNKNOWN;
    goto done;
  }

  if ((lockfd = upaBadgeStoreLock(bc->store)) < 0 || (store = upaBadgeStoreLoad(bc->store, true)) == NULL)
  {
    pam_syslog(pamh, LOG_ERR, "register: cannot use badge store: %s", upaLastErrorString());
    retval = PAM_AUTHINFO_UNAVAIL;
    goto done;
  }

  if (upaBadgeStoreFind(store, hash))
  {
    // Registered meanwhile (another station): never silently re-point a badge.
    pam_syslog(pamh, LOG_NOTICE, "register: badge %s is already registered", tag);
    tell_user(pamh, opts, PAM_ERROR_MSG, "This badge is already registered.");
    retval  = PAM_AUTH_ERR;
    outcome = "register-conflict";
    goto done;
  }

  memset(&e, 0, sizeof(e));
  snprintf(e.hash, sizeof(e.hash), "%s", hash);
  snprintf(e.upn, sizeof(e.upn), "%s", upn);
  e.created = time(NULL);

  if (!upaBadgeStorePut(store, &e) || !upaBadgeStoreSave(store))
  {
    pam_syslog(pamh, LOG_ERR, "register: cannot write badge store: %s", upaLastErrorString());
    retval = PAM_SYSTEM_ERR;
    goto done;
  }

  upaBadgeStoreUnlock(lockfd);
  lockfd = -1;

  // Clear the badge's failures; the attempt's reservation was ended by the
  // first pam_upa line, and other attempts' reservations must stay
  upaBadgeThrottleEnd(bc, key, hash, station, UPA_BADGE_OUTCOME_CLEARED, time(NULL));

  if (bc->self_register_cloud)
  {
    const void *id = NULL;		// Pending normalised ID

    // The local mapping stands whatever the cloud says.
    if (pam_get_data(pamh, PENDING_ID_DATA, &id) == PAM_SUCCESS && id)
      register_cloud(pamh, opts, bc, (const char *)id, upn, tag);
    else
      pam_syslog(pamh, LOG_ERR, "register: badge %s not written to the cloud: its ID was not kept (SelfRegisterCloud must be on for the first pam_upa line too)", tag);
  }

  tell_user(pamh, opts, PAM_TEXT_INFO, "Badge registered.");

  if ((retval = set_identity(pamh, opts, upn, tag, false, 0)) == PAM_SUCCESS)
    outcome = "registered";

  done:

  audit(pamh, opts, station, tag, upn[0] ? upn : NULL, "register", outcome);

  if (data)
  {
    pam_set_data(pamh, PENDING_DATA, NULL, NULL);
					// One registration per tap
    pam_set_data(pamh, PENDING_ID_DATA, NULL, NULL);
					// Wipes the ID (cleanup_wipe) if kept
  }

  upaBadgeStoreUnlock(lockfd);
  upaBadgeStoreDelete(store);

  return (retval);
}


//
// 'register_cloud()' - Add a self-registered badge to the cloud badge collection.
//
// SelfRegisterCloud: with the stored admin sign-in (CloudAdminTokenFile)
// and CloudCollection (or the tenant's collection).  Failures are logged
// (no badge ID, no token) and otherwise ignored: the local mapping already
// stands and the user at the kiosk can do nothing about the cloud.
//

static void
register_cloud(
    pam_handle_t             *pamh,	// I - PAM handle
    pam_upa_opts_t           *opts,	// I - Options
    const upa_badge_config_t *bc,	// I - badge.conf
    const char               *id,	// I - Normalised ID
    const char               *upn,	// I - User
    const char               *tag)	// I - Audit tag
{
  upa_config_t		*cfg = NULL;	// cups-upa.conf
  upa_http_t		*http = NULL;	// HTTPS session
  upa_badge_cloud_t	result = UPA_BADGE_CLOUD_CONFIG;
					// Outcome
  upa_badge_user_t	old;		// Existing owner (409)
  char			*token = NULL,	// Admin access token
			cid[256] = "";	// Badge collection
  const size_t		tokensize = 16384;
					// Size of token buffer
  const char		*step = "config";
					// What failed


  memset(&old, 0, sizeof(old));

  if ((cfg = upaConfigLoad(bc->upa_config)) == NULL)
    step = "config";
  else if ((token = calloc(1, tokensize)) == NULL)
    step = "memory";
  else if (!upaBadgeCloudAdminToken(cfg, bc, token, tokensize))
    step = "admin-token";
  else if ((http = upaHTTPCreate(cfg)) == NULL)
    step = "http";
  else if (!bc->cloud_collection[0] && (result = upaBadgeCloudCollectionFind(http, cfg, token, cid, sizeof(cid))) != UPA_BADGE_CLOUD_OK)
    step = "collection";
  else
  {
    if (bc->cloud_collection[0])
      snprintf(cid, sizeof(cid), "%s", bc->cloud_collection);

    step = "add";

    // 409: someone mapped it meanwhile; fine if it is the same user, never re-pointed.
    if ((result = upaBadgeCloudAdd(http, cfg, token, cid, id, upn, NULL)) == UPA_BADGE_CLOUD_EXISTS && upaBadgeCloudGet(http, cfg, token, cid, id, &old) == UPA_BADGE_CLOUD_OK && !strcasecmp(old.upn, upn))
      result = UPA_BADGE_CLOUD_OK;
  }

  if (result == UPA_BADGE_CLOUD_OK && !strcmp(step, "add"))
  {
    pam_syslog(pamh, LOG_INFO, "register: badge %s added to cloud badge collection %s for %s", tag, cid, upn);
    debug_dbg(opts, "register: cloud collection %s: ok", cid);
  }
  else
  {
    pam_syslog(pamh, LOG_ERR, "register: badge %s NOT written to the cloud badge collection (%s, %s): %s; the local mapping stands", tag, step, upaBadgeCloudString(result), result == UPA_BADGE_CLOUD_EXISTS && old.upn[0] ? "mapped to another user there, left unchanged" : upaLastErrorString());
    debug_dbg(opts, "register: cloud collection: %s (%s)", upaBadgeCloudString(result), step);
  }

  if (token)
  {
    wipe(token, tokensize);
    free(token);
  }
  wipe(&old, sizeof(old));
  upaHTTPDelete(http);
  upaConfigDelete(cfg);
}


//
// 'perform_acct()' - Refuse disabled or expired mappings accepted by authenticate.
//

static int				// O - PAM status
perform_acct(pam_handle_t   *pamh,	// I - PAM handle
             int            flags,	// I - Flags
             pam_upa_opts_t *opts)	// I - Options
{
  const void			*data = NULL;
					// Mapping from authenticate
  const pam_upa_mapping_t	*m;	// Mapping
  int				retval = PAM_IGNORE;
					// Result
  char				station[64] = "";
					// Station


  (void)flags;

  if (pam_get_data(pamh, MAPPING_DATA, &data) != PAM_SUCCESS || !data)
  {
    debug_dbg(opts, "acct_mgmt: no badge mapping from authenticate, ignoring");
    return (PAM_IGNORE);
  }

  m = (const pam_upa_mapping_t *)data;
  get_station(pamh, opts, station, sizeof(station));

  if (m->disabled)
  {
    tell_user(pamh, opts, PAM_ERROR_MSG, "This badge has been disabled. Contact your administrator.");
    retval = PAM_PERM_DENIED;
    audit(pamh, opts, station, m->tag, m->upn, "account", "disabled");
  }
  else if (m->expires && m->expires <= time(NULL))
  {
    tell_user(pamh, opts, PAM_ERROR_MSG, "This badge has expired. Contact your administrator.");
    retval = PAM_ACCT_EXPIRED;
    audit(pamh, opts, station, m->tag, m->upn, "account", "expired");
  }
  else
    retval = PAM_SUCCESS;

  debug_dbg(opts, "acct_mgmt returns %d", retval);

  return (retval);
}


//
// 'set_identity()' - Publish the UPN: PAM_USER, env UPA_UPN, data for acct_mgmt.
//

static int				// O - PAM status
set_identity(pam_handle_t   *pamh,	// I - PAM handle
             pam_upa_opts_t *opts,	// I - Options
             const char     *upn,	// I - User
             const char     *tag,	// I - Audit tag
             bool           disabled,	// I - Mapping disabled?
             time_t         expires)	// I - Mapping expiry
{
  char			env[300];	// UPA_UPN=...
  pam_upa_mapping_t	*m;		// Data for acct_mgmt
  int			status;		// PAM status


  if (!opts->no_set_user && (status = pam_set_item(pamh, PAM_USER, upn)) != PAM_SUCCESS)
  {
    pam_syslog(pamh, LOG_ERR, "cannot set PAM_USER: %s", pam_strerror(pamh, status));
    return (status == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_SYSTEM_ERR);
  }

  snprintf(env, sizeof(env), "UPA_UPN=%s", upn);
  if ((status = pam_putenv(pamh, env)) != PAM_SUCCESS)
  {
    pam_syslog(pamh, LOG_ERR, "cannot set UPA_UPN: %s", pam_strerror(pamh, status));
    return (status == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_SYSTEM_ERR);
  }

  if ((m = calloc(1, sizeof(pam_upa_mapping_t))) == NULL)
    return (PAM_BUF_ERR);

  snprintf(m->upn, sizeof(m->upn), "%s", upn);
  snprintf(m->tag, sizeof(m->tag), "%s", tag);
  m->disabled = disabled;
  m->expires  = expires;

  if (pam_set_data(pamh, MAPPING_DATA, m, cleanup_free) != PAM_SUCCESS)
  {
    free(m);
    return (PAM_BUF_ERR);
  }

  return (PAM_SUCCESS);
}


//
// 'lookup_cloud()' - Resolve a badge with Universal Print's badge lookup.
//
// Maps the lookup outcome to a PAM status: OK -> PAM_SUCCESS, 404 ->
// PAM_USER_UNKNOWN, 400 -> PAM_AUTH_ERR, everything else (401, 403, 5xx,
// timeout, bad response, no device) -> PAM_AUTHINFO_UNAVAIL.
//

static int				// O - PAM status
lookup_cloud(
    pam_handle_t             *pamh,	// I - PAM handle
    pam_upa_opts_t           *opts,	// I - Options
    const upa_badge_config_t *bc,	// I - badge.conf
    const char               *id,	// I - Normalised ID
    upa_badge_user_t         *user)	// O - User
{
  upa_config_t		*cfg = NULL;	// cups-upa.conf
  upa_device_t		*dev = NULL;	// Device whose token we use
  upa_http_t		*http = NULL;	// HTTPS session
  upa_badge_lookup_t	result = UPA_BADGE_LOOKUP_CONFIG;
					// Outcome
  int			retval;		// PAM status


  memset(user, 0, sizeof(upa_badge_user_t));

  if ((cfg = upaConfigLoad(bc->upa_config)) == NULL)
    pam_syslog(pamh, LOG_ERR, "cloud lookup: %s", upaLastErrorString());
  else if (bc->cloud_device[0] ? (dev = upaDeviceLoad(cfg, bc->cloud_device)) == NULL : bc->cloud_queue[0] ? (dev = upaDeviceFindQueue(cfg, bc->cloud_queue)) == NULL : true)
    pam_syslog(pamh, LOG_ERR, "cloud lookup: no usable CloudDevice/CloudQueue: %s", upaLastError() ? upaLastErrorString() : "not configured");
  else if ((http = upaHTTPCreate(cfg)) == NULL)
    pam_syslog(pamh, LOG_ERR, "cloud lookup: %s", upaLastErrorString());
  else
  {
    result = upaBadgeLookupCloud(http, cfg, dev, id, bc->cloud_legacy, user);
    if (result != UPA_BADGE_LOOKUP_OK && result != UPA_BADGE_LOOKUP_NOT_FOUND)
      pam_syslog(pamh, LOG_ERR, "cloud lookup failed (%s): %s", upaBadgeLookupString(result), upaLastErrorString());
  }

  debug_dbg(opts, "cloud lookup: %s", upaBadgeLookupString(result));

  retval = lookup_status(result);

  upaHTTPDelete(http);
  upaDeviceDelete(dev);
  upaConfigDelete(cfg);

  return (retval);
}


//
// 'lookup_ldap()' - Resolve a badge through the LDAP directory (badge.conf LDAP*).
//
// Same conventions as lookup_cloud(): OK -> PAM_SUCCESS, no entry ->
// PAM_USER_UNKNOWN, several entries -> PAM_AUTH_ERR (refused), everything
// else (server down, timeout, TLS, bind refused, bad filter/base, no
// access, entry without a UPN) -> PAM_AUTHINFO_UNAVAIL.
//

static int				// O - PAM status
lookup_ldap(
    pam_handle_t             *pamh,	// I - PAM handle
    pam_upa_opts_t           *opts,	// I - Options
    const upa_badge_config_t *bc,	// I - badge.conf
    const char               *id,	// I - Normalised ID
    upa_badge_user_t         *user)	// O - User
{
  upa_badge_lookup_t	result;		// Outcome


  result = upaBadgeLookupLDAP(bc, id, user);

  if (result != UPA_BADGE_LOOKUP_OK && result != UPA_BADGE_LOOKUP_NOT_FOUND)
    pam_syslog(pamh, result == UPA_BADGE_LOOKUP_AMBIGUOUS ? LOG_WARNING : LOG_ERR, "ldap lookup failed (%s): %s", upaBadgeLookupString(result), upaLastErrorString());

  if (result == UPA_BADGE_LOOKUP_OK || result == UPA_BADGE_LOOKUP_NOT_FOUND)
    debug_dbg(opts, "ldap lookup: %s%s", upaBadgeLookupString(result), user->disabled ? " (disabled)" : "");
  else
    debug_dbg(opts, "ldap lookup: %s: %s", upaBadgeLookupString(result), upaLastErrorString());

  return (lookup_status(result));
}


//
// 'lookup_status()' - The PAM status of a cloud or LDAP lookup outcome.
//
// Found -> PAM_SUCCESS, unknown -> PAM_USER_UNKNOWN (a later source may
// know it), a badge the service refuses outright (empty/invalid, several
// directory entries) -> PAM_AUTH_ERR, anything else -> PAM_AUTHINFO_UNAVAIL.
//

static int				// O - PAM status
lookup_status(upa_badge_lookup_t result)// I - Lookup outcome
{
  switch (result)
  {
    case UPA_BADGE_LOOKUP_OK :
        return (PAM_SUCCESS);
    case UPA_BADGE_LOOKUP_NOT_FOUND :
        return (PAM_USER_UNKNOWN);
    case UPA_BADGE_LOOKUP_BAD_REQUEST :
    case UPA_BADGE_LOOKUP_AMBIGUOUS :
        return (PAM_AUTH_ERR);
    default :
        return (PAM_AUTHINFO_UNAVAIL);
  }
}


//
// 'get_station()' - Name the station: station=, PAM_RHOST, PAM_TTY or "local".
//

static int				// O - PAM status
get_station(pam_handle_t   *pamh,	// I - PAM handle
            pam_upa_opts_t *opts,	// I - Options
            char           *station,	// O - Station
            size_t         stationsize)	// I - Size of station buffer
{
  const void	*item = NULL;		// PAM item
  const char	*name = opts->station;	// Name
  char		*ptr;			// Pointer into station


  if (!name && pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item && *(const char *)item)
    name = (const char *)item;
  if (!name && pam_get_item(pamh, PAM_TTY, &item) == PAM_SUCCESS && item && *(const char *)item)
    name = (const char *)item;
  if (!name)
    name = "local";

  snprintf(station, stationsize, "%s", name);

  // Only log-safe characters: the station name comes from the application.
  for (ptr = station; *ptr; ptr ++)
  {
    if (!isgraph(*ptr & 255) || *ptr == '=')
      *ptr = '?';
  }

  return (PAM_SUCCESS);
}


//
// 'audit()' - One audit line: who, when, where, outcome (never IDs or PINs).
//

static void
audit(pam_handle_t   *pamh,		// I - PAM handle
      pam_upa_opts_t *opts,		// I - Options
      const char     *station,		// I - Station
      const char     *tag,		// I - Badge tag (keyed hash prefix)
      const char     *user,		// I - User or NULL
      const char     *source,		// I - Source or step
      const char     *outcome)		// I - Outcome
{
  const void	*service = NULL;	// PAM_SERVICE
  char		when[32];		// ISO 8601 time
  time_t	now = time(NULL);	// Current time
  struct tm	tm;			// UTC time


  pam_get_item(pamh, PAM_SERVICE, &service);
  gmtime_r(&now, &tm);
  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);

  // pam_syslog() logs with facility LOG_AUTHPRIV.
  pam_syslog(pamh, !strcmp(outcome, "success") || !strcmp(outcome, "registered") ? LOG_INFO : LOG_NOTICE, "audit: time=%s service=%s station=%s badge=%s user=%s source=%s outcome=%s", when, service ? (const char *)service : "-", station && *station ? station : "-", tag ? tag : "-", user ? user : "-", source ? source : "-", outcome);

  debug_dbg(opts, "audit: station=%s badge=%s user=%s source=%s outcome=%s", station && *station ? station : "-", tag ? tag : "-", user ? user : "-", source ? source : "-", outcome);
}


//
// 'debug_print()' - Write a debug line to debug_file or syslog.
//

static void
debug_print(pam_handle_t   *pamh,	// I - PAM handle
            pam_upa_opts_t *opts,	// I - Options
            const char     *format,	// I - printf format
            ...)			// I - Arguments
{
  char		buffer[1024];		// Formatted message
  va_list	ap;			// Arguments


  va_start(ap, format);
  vsnprintf(buffer, sizeof(buffer), format, ap);
  va_end(ap);

  if (opts->debug_fp)
    fprintf(opts->debug_fp, "debug(pam_upa): %s\n", buffer);
  else
    pam_syslog(pamh, LOG_DEBUG, "debug: %s", buffer);
}


//
// 'log_cb()' - Route libupa's log lines to pam_syslog()/debug_file.
//

static void
log_cb(void           *data,		// I - Context
       upa_loglevel_t level,		// I - Level
       const char     *message)		// I - Line
{
  pam_upa_ctx_t	*ctx = (pam_upa_ctx_t *)data;
					// Context
  pam_handle_t	*pamh = ctx->pamh;	// PAM handle (for debug_dbg)


  if (level >= UPA_LOG_WARN)
    pam_syslog(pamh, level == UPA_LOG_ERROR ? LOG_ERR : LOG_WARNING, "%s", message);
  else
    debug_dbg(ctx->opts, "libupa: %s", message);
}


//
// 'cleanup_free()' - pam_set_data() cleanup: free.
//

static void
cleanup_free(pam_handle_t *pamh,	// I - PAM handle
             void         *data,	// I - Data
             int          error_status)	// I - Status
{
  (void)pamh;
  (void)error_status;

  free(data);
}


//
// 'cleanup_wipe()' - pam_set_data() cleanup: wipe a string and free it.
//

static void
cleanup_wipe(pam_handle_t *pamh,	// I - PAM handle
             void         *data,	// I - String
             int          error_status)	// I - Status
{
  (void)pamh;
  (void)error_status;

  if (data)
  {
    wipe(data, strlen((char *)data));
    free(data);
  }
}


//
// 'skip_prefix()' - Return the text after prefix, or NULL (pam_str_skip_prefix).
//

static const char *			// O - Value or NULL
skip_prefix(const char *s,		// I - Argument
            const char *prefix)		// I - Prefix
{
  size_t	len = strlen(prefix);	// Prefix length


  return (strncmp(s, prefix, len) ? NULL : s + len);
}


//
// 'tell_user()' - Show a message through the conversation unless PAM_SILENT.
//

static void
tell_user(pam_handle_t   *pamh,		// I - PAM handle
          pam_upa_opts_t *opts,		// I - Options
          int            style,		// I - PAM_ERROR_MSG or PAM_TEXT_INFO
          const char     *message)	// I - Message
{
  if (!opts->silent)
    pam_prompt(pamh, style, NULL, "%s", message);
}


//
// 'wipe()' - Clear memory the compiler may not optimise away.
//

static void
wipe(void   *p,				// I - Memory
     size_t len)			// I - Length
{
  OPENSSL_cleanse(p, len);
}
