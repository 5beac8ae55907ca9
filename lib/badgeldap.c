//
// LDAP badge lookup for libupa: normalised badge ID -> UPN through a
// directory attribute such as employeeNumber (OpenLDAP libldap).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One lookup = connect (LDAPURI, tried in order by libldap), optional
// StartTLS, simple bind (or anonymous), one search with the ID escaped by
// ldap_bv2escaped_filter_value(), exactly one entry accepted.  Neither the
// badge ID nor the expanded filter nor the bind password is ever logged; the
// password is read from its root-only file for each lookup and wiped right
// after the bind.
//
// Built without LDAP support (configure --without-ldap or no libldap),
// upaBadgeLookupLDAP() answers UPA_BADGE_LOOKUP_CONFIG; badge.conf refuses
// "Sources ldap" already in that case.
//

#include "upa-private.h"
#include "badge.h"
#include <fcntl.h>
#include <signal.h>
#include <openssl/crypto.h>
#ifdef HAVE_LDAP
#  include <ldap.h>
#endif // HAVE_LDAP


#ifdef HAVE_LDAP
//
// Local limits...
//

#  define LDAP_MAX_PASSWORD	1024	// Longest bind password accepted
#  define LDAP_MAX_FILTER	2048	// Longest expanded filter


//
// Local functions...
//

static upa_badge_lookup_t lookup_bind(LDAP *ld, const upa_badge_config_t *bc);
static upa_badge_lookup_t lookup_connect(const upa_badge_config_t *bc, LDAP **ld);
static bool	lookup_filter(const char *tmpl, const char *id, char *filter, size_t filtersize);
static upa_badge_lookup_t lookup_error(LDAP *ld, int rc, const char *what, bool diagnostic, bool tls);
static upa_badge_lookup_t lookup_disabled(LDAP *ld, const upa_badge_config_t *bc, const char *dn, bool *disabled);
static bool	lookup_password(const char *path, char *password, size_t passwordsize);
static void	lookup_sigpipe(bool block, sigset_t *oldset, bool *pending);
static bool	lookup_tls(const upa_badge_config_t *bc);
static bool	lookup_value(LDAP *ld, LDAPMessage *entry, const char *attr, char *value, size_t valuesize);
#endif // HAVE_LDAP


//
// 'upaBadgeLookupLDAP()' - Resolve a normalised badge ID through LDAP.
//
// OK (user->upn set, user->user_id = entry DN when it fits, user->disabled
// from LDAPDisabledFilter), NOT_FOUND (no entry), AMBIGUOUS (more than one
// entry), NETWORK (no server reachable, TLS failure, timeout), CONFIG (bad
// settings, bind refused, bad filter or base), FORBIDDEN (no read access),
// PROTOCOL (the entry has no usable UPN), SERVER_ERROR (anything else).
//

upa_badge_lookup_t			// O - Outcome
upaBadgeLookupLDAP(
    const upa_badge_config_t *bc,	// I - badge.conf
    const char               *id,	// I - Normalised badge ID
    upa_badge_user_t         *user)	// O - Resolved user
{
#ifdef HAVE_LDAP
  LDAP			*ld = NULL;	// Connection
  LDAPMessage		*res = NULL,	// Search result
			*entry;		// The entry
  upa_badge_lookup_t	ret;		// Outcome
  char			filter[LDAP_MAX_FILTER];
					// Expanded filter (holds the ID: wiped)
  char			*attrs[3];	// Attributes requested
  char			*dn = NULL;	// Entry DN
  struct timeval	tv;		// Search time limit
  int			rc,		// libldap status
			count;		// Entries returned
  sigset_t		oldset;		// Signal mask before the lookup
  bool			pipe_pending;	// SIGPIPE pending before the lookup?


  if (user)
    memset(user, 0, sizeof(upa_badge_user_t));

  if (!bc || !id || !*id || !user)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeLookupLDAP: bad arguments.");
    return (UPA_BADGE_LOOKUP_CONFIG);
  }

  if (!bc->ldap_uri[0] || !bc->ldap_base[0])
  {
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: LDAPURI and LDAPBase are not set.");
    return (UPA_BADGE_LOOKUP_CONFIG);
  }

  if (!lookup_filter(bc->ldap_filter, id, filter, sizeof(filter)))
    return (UPA_BADGE_LOOKUP_CONFIG);

  // liblber write()s to the socket: a server closing it must not kill the
  // application (a PAM module may not change signal dispositions).
  lookup_sigpipe(true, &oldset, &pipe_pending);

  if ((ret = lookup_connect(bc, &ld)) != UPA_BADGE_LOOKUP_OK)
    goto done;

  if ((ret = lookup_bind(ld, bc)) != UPA_BADGE_LOOKUP_OK)
    goto done;

  // Two entries are enough to know the match is not unique.
  attrs[0]   = (char *)bc->ldap_attribute;
  attrs[1]   = strcasecmp(bc->ldap_attribute, "mail") ? "mail" : NULL;
  attrs[2]   = NULL;
  tv.tv_sec  = bc->ldap_timeout;
  tv.tv_usec = 0;

  rc = ldap_search_ext_s(ld, bc->ldap_base, bc->ldap_scope_one ? LDAP_SCOPE_ONELEVEL : LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL, &tv, 2, &res);
  OPENSSL_cleanse(filter, sizeof(filter));

  if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED)
  {
    // No diagnostic text: a server may quote the filter, which holds the ID.
    ret = lookup_error(ld, rc, "search", false, lookup_tls(bc));
    goto done;
  }

  count = ldap_count_entries(ld, res);
  upaLog(UPA_LOG_DEBUG, "LDAP search under \"%s\" with %s: %d entr%s%s.", bc->ldap_base, bc->ldap_filter, count, count == 1 ? "y" : "ies", rc == LDAP_SIZELIMIT_EXCEEDED ? " (size limit)" : "");

  if (count > 1 || rc == LDAP_SIZELIMIT_EXCEEDED)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "LDAP lookup: more than one entry under \"%s\" matches %s; refusing the badge.", bc->ldap_base, bc->ldap_filter);
    ret = UPA_BADGE_LOOKUP_AMBIGUOUS;
    goto done;
  }

  if (count < 1 || (entry = ldap_first_entry(ld, res)) == NULL)
  {
    upaSetError(UPA_ERROR_NOT_FOUND, "LDAP lookup: no entry matches.");
    ret = UPA_BADGE_LOOKUP_NOT_FOUND;
    goto done;
  }

  dn = ldap_get_dn(ld, entry);

  if (!lookup_value(ld, entry, bc->ldap_attribute, user->upn, sizeof(user->upn)) && (!attrs[1] || !lookup_value(ld, entry, "mail", user->upn, sizeof(user->upn))))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "LDAP lookup: entry \"%s\" has no usable %s%s.", dn ? dn : "?", bc->ldap_attribute, attrs[1] ? " or mail" : "");
    ret = UPA_BADGE_LOOKUP_PROTOCOL;
    goto done;
  }

  if (dn && strlen(dn) < sizeof(user->user_id))
    upaCopyString(user->user_id, dn, sizeof(user->user_id));

  if (bc->ldap_disabled_filter[0])
  {
    // Fail closed: without the DN the account state cannot be checked.
    if (!dn)
    {
      upaSetError(UPA_ERROR_PROTOCOL, "LDAP lookup: no DN for the matching entry; cannot apply LDAPDisabledFilter.");
      ret = UPA_BADGE_LOOKUP_SERVER_ERROR;
      goto done;
    }

    if ((ret = lookup_disabled(ld, bc, dn, &user->disabled)) != UPA_BADGE_LOOKUP_OK)
      goto done;
  }

  upaLog(UPA_LOG_DEBUG, "LDAP lookup: entry \"%s\" -> %s%s.", dn ? dn : "?", user->upn, user->disabled ? " (disabled)" : "");
  ret = UPA_BADGE_LOOKUP_OK;

  done:

  if (ret != UPA_BADGE_LOOKUP_OK)
  {
    user->upn[0]     = '\0';
    user->user_id[0] = '\0';
    user->disabled   = false;
  }

  OPENSSL_cleanse(filter, sizeof(filter));
  ldap_memfree(dn);
  ldap_msgfree(res);
  if (ld)
    ldap_unbind_ext_s(ld, NULL, NULL);

  lookup_sigpipe(false, &oldset, &pipe_pending);

  return (ret);

#else
  (void)bc;
  (void)id;

  if (user)
    memset(user, 0, sizeof(upa_badge_user_t));

  upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: cups-upa was built without LDAP support.");

  return (UPA_BADGE_LOOKUP_CONFIG);
#endif // HAVE_LDAP
}


#ifdef HAVE_LDAP
//
// 'lookup_bind()' - StartTLS when asked, then a simple bind (or anonymous).
//

static upa_badge_lookup_t		// O - Outcome
lookup_bind(LDAP                     *ld,	// I - Connection
            const upa_badge_config_t *bc)	// I - badge.conf
{
  char			password[LDAP_MAX_PASSWORD + 2];
					// Bind password (wiped)
  struct berval		cred;		// Credentials
  int			rc;		// libldap status
  upa_badge_lookup_t	ret = UPA_BADGE_LOOKUP_OK;
					// Outcome


  if (bc->ldap_starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS)
    return (lookup_error(ld, rc, "StartTLS", true, true));

  if (!bc->ldap_bind_dn[0])
    return (UPA_BADGE_LOOKUP_OK);	// Anonymous: searching binds implicitly

  if (!lookup_password(bc->ldap_bind_pw_file, password, sizeof(password)))
    return (UPA_BADGE_LOOKUP_CONFIG);

  cred.bv_val = password;
  cred.bv_len = strlen(password);

  if ((rc = ldap_sasl_bind_s(ld, bc->ldap_bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL)) != LDAP_SUCCESS)
    ret = lookup_error(ld, rc, "bind", true, lookup_tls(bc));

  OPENSSL_cleanse(password, sizeof(password));

  return (ret);
}


//
// 'lookup_connect()' - Create the handle with protocol, TLS and timeout options.
//
// libldap connects lazily (on StartTLS, bind or search), trying the URIs
// of LDAPURI in order; each gets LDAPTimeout for the TCP connect and for
// every request.
//

static upa_badge_lookup_t		// O - Outcome
lookup_connect(const upa_badge_config_t *bc,
					// I - badge.conf
               LDAP                     **ld)
					// O - Handle
{
  int			rc,		// libldap status
			version = LDAP_VERSION3,
					// Protocol version
			demand = LDAP_OPT_X_TLS_DEMAND,
					// Always verify the server certificate
			newctx = 0;	// New TLS context (client)
  struct timeval	tv;		// Timeout


  if ((rc = ldap_initialize(ld, bc->ldap_uri)) != LDAP_SUCCESS)
  {
    *ld = NULL;
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: bad LDAPURI \"%s\": %s", bc->ldap_uri, ldap_err2string(rc));
    return (UPA_BADGE_LOOKUP_CONFIG);
  }

  tv.tv_sec  = bc->ldap_timeout;
  tv.tv_usec = 0;

  // Referrals off: following them would bind to servers nobody configured.
  if (ldap_set_option(*ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
      ldap_set_option(*ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
      ldap_set_option(*ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
      ldap_set_option(*ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
      ldap_set_option(*ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
      (bc->ldap_cafile[0] && ldap_set_option(*ld, LDAP_OPT_X_TLS_CACERTFILE, bc->ldap_cafile) != LDAP_OPT_SUCCESS) ||
      ldap_set_option(*ld, LDAP_OPT_X_TLS_NEWCTX, &newctx) != LDAP_OPT_SUCCESS)
  {
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: unable to set connection options (LDAPCAFile \"%s\").", bc->ldap_cafile);
    ldap_unbind_ext_s(*ld, NULL, NULL);
    *ld = NULL;
    return (UPA_BADGE_LOOKUP_CONFIG);
  }

  return (UPA_BADGE_LOOKUP_OK);
}


//
// 'lookup_filter()' - Put the escaped ID in place of "%s".
//

static bool				// O - true on success
lookup_filter(const char *tmpl,	// I - LDAPFilter
              const char *id,	// I - Normalised ID
              char       *filter,	// O - Filter
              size_t     filtersize)
					// I - Size of filter buffer
{
  struct berval	in;			// ID
  struct berval	out = { 0, NULL };	// Escaped ID
  const char	*conv;			// "%s" in the template
  int		len;			// Bytes written
  bool		ret = false;		// Return value


  if ((conv = strstr(tmpl, "%s")) == NULL || strstr(conv + 2, "%s") != NULL)
  {
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: LDAPFilter needs exactly one \"%%s\".");
    return (false);
  }

  in.bv_val = (char *)id;
  in.bv_len = strlen(id);

  if (ldap_bv2escaped_filter_value(&in, &out) != LDAP_SUCCESS || !out.bv_val)
  {
    upaSetError(UPA_ERROR_MEMORY, "LDAP lookup: unable to escape the badge ID.");
    return (false);
  }

  len = snprintf(filter, filtersize, "%.*s%s%s", (int)(conv - tmpl), tmpl, out.bv_val, conv + 2);
  if (len < 0 || (size_t)len >= filtersize)
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: expanded LDAPFilter too long.");
  else
    ret = true;

  OPENSSL_cleanse(out.bv_val, out.bv_len);
  ber_memfree(out.bv_val);

  return (ret);
}


//
// 'lookup_disabled()' - Does the entry match LDAPDisabledFilter?
//

static upa_badge_lookup_t		// O - Outcome
lookup_disabled(
    LDAP                     *ld,	// I - Connection
    const upa_badge_config_t *bc,	// I - badge.conf
    const char               *dn,	// I - Entry DN
    bool                     *disabled)	// O - Disabled?
{
  LDAPMessage		*res = NULL;	// Result
  char			*attrs[] = { LDAP_NO_ATTRS, NULL };
					// No attributes needed
  struct timeval	tv;		// Time limit
  int			rc;		// libldap status


  tv.tv_sec  = bc->ldap_timeout;
  tv.tv_usec = 0;

  if ((rc = ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, bc->ldap_disabled_filter, attrs, 1, NULL, NULL, &tv, 1, &res)) != LDAP_SUCCESS)
  {
    ldap_msgfree(res);
    return (lookup_error(ld, rc, "disabled-account check", true, lookup_tls(bc)));
  }

  *disabled = ldap_count_entries(ld, res) > 0;
  ldap_msgfree(res);

  return (UPA_BADGE_LOOKUP_OK);
}


//
// 'lookup_error()' - Map a libldap status to an outcome and set the error.
//

static upa_badge_lookup_t		// O - Outcome
lookup_error(LDAP       *ld,		// I - Connection
             int        rc,		// I - libldap status
             const char *what,	// I - Step ("bind", "search", ...)
             bool       diagnostic,	// I - Include the server's diagnostic text?
             bool       tls)		// I - TLS in use (StartTLS or ldaps://)?
{
  char			*msg = NULL;	// Diagnostic message
  upa_badge_lookup_t	ret;		// Outcome
  upa_error_t		err;		// libupa error


  switch (rc)
  {
    case LDAP_SERVER_DOWN :
    case LDAP_TIMEOUT :
    case LDAP_CONNECT_ERROR :
    case LDAP_TIMELIMIT_EXCEEDED :
    case LDAP_BUSY :
    case LDAP_UNAVAILABLE :
        ret = UPA_BADGE_LOOKUP_NETWORK;
        err = UPA_ERROR_NETWORK;
        break;

    case LDAP_INVALID_CREDENTIALS :
    case LDAP_INAPPROPRIATE_AUTH :
    case LDAP_STRONG_AUTH_REQUIRED :
    case LDAP_CONFIDENTIALITY_REQUIRED :
    case LDAP_UNWILLING_TO_PERFORM :
    case LDAP_FILTER_ERROR :
    case LDAP_NO_SUCH_OBJECT :
    case LDAP_INVALID_DN_SYNTAX :
    case LDAP_UNDEFINED_TYPE :
    case LDAP_PARAM_ERROR :
        ret = UPA_BADGE_LOOKUP_CONFIG;
        err = UPA_ERROR_CONFIG;
        break;

    case LDAP_INSUFFICIENT_ACCESS :
        ret = UPA_BADGE_LOOKUP_FORBIDDEN;
        err = UPA_ERROR_AUTH;
        break;

    case LDAP_NO_MEMORY :
        ret = UPA_BADGE_LOOKUP_SERVER_ERROR;
        err = UPA_ERROR_MEMORY;
        break;

    default :
        ret = UPA_BADGE_LOOKUP_SERVER_ERROR;
        err = UPA_ERROR_PROTOCOL;
        break;
  }

  if (diagnostic && ld)
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg);

  // libldap's TLS diagnostics are often just "(unknown error code)".
  upaSetError(err, "LDAP %s failed: %s (%d)%s%s%s", what, ldap_err2string(rc), rc, msg && *msg ? ": " : "", msg && *msg ? msg : "", tls && (rc == LDAP_CONNECT_ERROR || rc == LDAP_SERVER_DOWN) ? " (TLS: check LDAPCAFile and that the server certificate names the LDAPURI host)" : "");
  // Callers report the error (pam_syslog, upactl); this is the trail.
  upaLog(UPA_LOG_DEBUG, "%s", upaLastErrorString());

  ldap_memfree(msg);

  return (ret);
}


//
// 'lookup_password()' - Read LDAPBindPasswordFile (root-only, first line).
//

static bool				// O - true on success
lookup_password(const char *path,	// I - File
                char       *password,// O - Password
                size_t     passwordsize)
					// I - Size of password buffer
{
  int		fd;			// File
  ssize_t	bytes;			// Bytes read
  size_t	len = 0;		// Total read
  char		*eol;			// End of the first line


  *password = '\0';

  if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
  {
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: unable to open LDAPBindPasswordFile %s: %s", path, strerror(errno));
    return (false);
  }

  if (!upaBadgeCheckFile(fd, path, true))
  {
    char reason[256];			// Why (copied: the error buffer is rewritten)

    upaCopyString(reason, upaLastErrorString(), sizeof(reason));
    close(fd);
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: LDAPBindPasswordFile refused: %s", reason);
    return (false);
  }

  while (len < passwordsize - 1 && (bytes = read(fd, password + len, passwordsize - 1 - len)) != 0)
  {
    if (bytes < 0)
    {
      if (errno == EINTR)
        continue;

      close(fd);
      OPENSSL_cleanse(password, passwordsize);
      upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: unable to read LDAPBindPasswordFile %s: %s", path, strerror(errno));
      return (false);
    }

    len += (size_t)bytes;
  }

  close(fd);
  password[len] = '\0';

  if ((eol = strpbrk(password, "\r\n")) != NULL)
    *eol = '\0';
  else if (len >= passwordsize - 1)
  {
    OPENSSL_cleanse(password, passwordsize);
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: LDAPBindPasswordFile %s is too long.", path);
    return (false);
  }

  if (!password[0])
  {
    OPENSSL_cleanse(password, passwordsize);
    upaSetError(UPA_ERROR_CONFIG, "LDAP lookup: LDAPBindPasswordFile %s is empty.", path);
    return (false);
  }

  return (true);
}


//
// 'lookup_sigpipe()' - Block SIGPIPE for the lookup, then drop any we caused.
//

static void
lookup_sigpipe(bool     block,		// I  - true = block, false = restore
               sigset_t *oldset,	// IO - Previous mask
               bool     *pending)	// IO - SIGPIPE pending before?
{
  sigset_t		pipeset,	// Just SIGPIPE
			set;		// Pending signals
  struct timespec	zero = { 0, 0 };// Do not wait


  sigemptyset(&pipeset);
  sigaddset(&pipeset, SIGPIPE);

  if (block)
  {
    sigpending(&set);
    *pending = sigismember(&set, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipeset, oldset);
  }
  else
  {
    // Only when SIGPIPE was not blocked already and not ours to leave pending.
    if (!*pending && !sigismember(oldset, SIGPIPE))
    {
      while (sigtimedwait(&pipeset, NULL, &zero) == SIGPIPE)
        ;
    }

    pthread_sigmask(SIG_SETMASK, oldset, NULL);
  }
}


//
// 'lookup_tls()' - Is TLS in use (StartTLS or an ldaps:// URI)?
//

static bool				// O - true for TLS
lookup_tls(const upa_badge_config_t *bc)// I - badge.conf
{
  return (bc->ldap_starttls || strcasestr(bc->ldap_uri, "ldaps://") != NULL);
}


//
// 'lookup_value()' - First value of an attribute, when it is a plausible UPN.
//

static bool				// O - true if found and valid
lookup_value(LDAP        *ld,		// I - Connection
             LDAPMessage *entry,		// I - Entry
             const char  *attr,		// I - Attribute
             char        *value,		// O - Value
             size_t      valuesize)	// I - Size of value buffer
{
  struct berval	**vals;			// Values
  bool		ret = false;		// Return value


  *value = '\0';

  if ((vals = ldap_get_values_len(ld, entry, attr)) == NULL)
    return (false);

  if (vals[0] && vals[0]->bv_len > 0 && vals[0]->bv_len < valuesize && !memchr(vals[0]->bv_val, '\0', vals[0]->bv_len))
  {
    memcpy(value, vals[0]->bv_val, vals[0]->bv_len);
    value[vals[0]->bv_len] = '\0';

    if (!strncasecmp(value, "mailto:", 7))
      memmove(value, value + 7, strlen(value + 7) + 1);

    if (!(ret = upaBadgeValidUPN(value)))
    {
      upaLog(UPA_LOG_WARN, "LDAP lookup: %s value is not a valid UPN; ignored.", attr);
      *value = '\0';
    }
  }

  ldap_value_free_len(vals);

  return (ret);
}
#endif // HAVE_LDAP
