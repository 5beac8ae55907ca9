//
// Badge identities for libupa: card-number normalisation, the local keyed-hash
// store, PIN hashing, lockout/debounce state and the cloud badge lookup.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Shared by pam_upa.so and "upactl badge".  Raw badge IDs and PINs never
// leave memory: the store holds HMAC-SHA-256(site key, normalised ID) and a
// yescrypt hash of the PIN; logs carry only a short prefix of the keyed hash
// (upaBadgeTag()).
//
// Files (see pam_upa(8)):
//   <sysconfdir>/cups-upa/badge.conf   rules and policy ("Directive value")
//   <sysconfdir>/cups-upa/badges       the store, one mapping per line:
//       <64 hex HMAC> <UPN> [pin=<crypt hash>] [disabled] [expires=<time_t>] [created=<time_t>]
//   <sysconfdir>/cups-upa/badge.key    site key: 64+ hex digits (0600/0640, root)
//   <CacheDir>/badge/throttle.db       lockout/debounce records: a hash table of
//                                      fixed-size records, flock()ed per update
//

#ifndef UPA_BADGE_H
#  define UPA_BADGE_H
#  include <stdbool.h>
#  include <stddef.h>
#  include <time.h>
#  include "config.h"
#  include "device.h"
#  include "http.h"

#  define UPA_BADGE_MAX_INPUT	256	// Longest raw reader input accepted (bytes)
#  define UPA_BADGE_MAX_ID	128	// Longest normalised ID
#  define UPA_BADGE_HASH_LEN	64	// Hex digits of a keyed hash
#  define UPA_BADGE_TAG_LEN	8	// Hex digits logged for audit
#  define UPA_BADGE_MAX_SOURCES	4	// Lookup sources in order


//
// Normalisation rules...
//

typedef enum upa_badge_format_e		// Number formats
{
  UPA_BADGE_FORMAT_TEXT,		// As read (no numeric conversion)
  UPA_BADGE_FORMAT_DECIMAL,		// Decimal digits
  UPA_BADGE_FORMAT_HEX			// Hex digits (upper case on output)
} upa_badge_format_t;

typedef struct upa_badge_rules_s	// How a reader's text becomes a card number
{
  char		strip_prefix[64];	// Remove this prefix when present
  char		strip_suffix[64];	// Remove this suffix when present
  char		regex[256];		// POSIX ERE; group 1 (or the whole match) is kept; no match = reject
  upa_badge_format_t input;		// How to read the digits
  upa_badge_format_t output;		// How to write them
  bool		reverse_bytes;		// Reverse byte order (needs a numeric input)
  int		byte_length;		// Bytes of the number before reversal (0 = minimal)
  bool		strip_zeros;		// Drop leading zeros
  int		pad_length;		// Left-pad with zeros to this many digits (0 = none)
  bool		upper;			// Upper-case TEXT output
  int		min_length;		// Shortest accepted result
  int		max_length;		// Longest accepted result (<= UPA_BADGE_MAX_ID)
} upa_badge_rules_t;

extern void		upaBadgeRulesInit(upa_badge_rules_t *rules);
extern bool		upaBadgeNormalize(const upa_badge_rules_t *rules, const char *input, char *id, size_t idsize);


//
// Configuration (badge.conf)...
//

typedef enum upa_badge_source_e		// Where a badge is resolved
{
  UPA_BADGE_SOURCE_NONE,		// End of list
  UPA_BADGE_SOURCE_LOCAL,		// The local keyed-hash store
  UPA_BADGE_SOURCE_CLOUD,		// Universal Print badge lookup (protocol.md §8)
  UPA_BADGE_SOURCE_LDAP			// LDAP directory attribute (lib/badgeldap.c)
} upa_badge_source_t;

typedef enum upa_badge_pin_e		// PIN policy
{
  UPA_BADGE_PIN_OFF,			// Never ask
  UPA_BADGE_PIN_OPTIONAL,		// Ask when the mapping has a PIN
  UPA_BADGE_PIN_REQUIRED		// Every local mapping needs a PIN; cloud results are refused
} upa_badge_pin_t;

typedef struct upa_badge_config_s	// badge.conf
{
  char		path[1024];		// File read ("" = defaults)
  upa_badge_rules_t rules;		// Normalisation
  upa_badge_source_t sources[UPA_BADGE_MAX_SOURCES];
					// Lookup order (NONE-terminated)
  char		store[1024];		// Store file
  char		key_file[1024];		// Site key file
  char		upa_config[1024];	// cups-upa.conf for cloud lookups
  char		cloud_device[128];	// Device (cloud id) whose token is used for lookups
  char		cloud_queue[128];	// ... or the CUPS queue of that device
  bool		cloud_legacy;		// Use GET /api/v1.0/badges/{id}
  upa_badge_pin_t pin;			// PIN policy
  int		min_pin;		// Shortest PIN accepted when setting one
  int		max_failures;		// Failures per badge/station before lockout (0 = off)
  int		station_max_failures;	// Failures per station (any badge) before lockout (0 = off)
  int		unknown_max_failures;	// Unknown badges per station before lockout (0 = off)
  int		failure_window;		// Seconds failures are counted over
  int		lockout_time;		// Seconds a lockout lasts
  int		debounce_time;		// Seconds a repeated tap is ignored
  char		state_dir[1024];	// Throttle state folder
  bool		self_register;		// Offer self-registration of unknown badges
  char		register_domain[256];	// user -> user@domain when registering
  char		badge_prompt[128];	// Conversation prompt for the badge
  char		pin_prompt[128];	// Conversation prompt for the PIN
  char		ldap_uri[1024];		// LDAPURI: ldap:// or ldaps:// URIs, space-separated
  bool		ldap_starttls;		// LDAPStartTLS (ldap:// only)
  char		ldap_cafile[1024];	// LDAPCAFile ("" = libldap default)
  char		ldap_base[512];		// LDAPBase (search base DN)
  char		ldap_filter[512];	// LDAPFilter, one "%s" for the escaped ID
  char		ldap_attribute[128];	// LDAPAttribute holding the UPN (fallback "mail")
  char		ldap_bind_dn[512];	// LDAPBindDN ("" = anonymous)
  char		ldap_bind_pw_file[1024];// LDAPBindPasswordFile (root-only)
  int		ldap_timeout;		// LDAPTimeout seconds (per server)
  bool		ldap_scope_one;		// LDAPScope one (else sub)
  char		ldap_disabled_filter[512];
					// LDAPDisabledFilter ("" = none)
  char		cloud_collection[128];	// CloudCollection: badge collection id ("" = ask the cloud)
  char		cloud_admin_token_file[1024];
					// CloudAdminTokenFile: stored admin sign-in (refresh token)
  bool		self_register_cloud;	// SelfRegisterCloud: also write self-registrations to the cloud
} upa_badge_config_t;

extern const char	*upaBadgeConfigDefaultPath(void);
extern upa_badge_config_t *upaBadgeConfigLoad(const char *path, bool missing_ok);
extern void		upaBadgeConfigDelete(upa_badge_config_t *bc);


//
// Site key and keyed hashes...
//

typedef struct upa_badge_key_s		// Site key (wiped on delete)
{
  unsigned char	data[128];		// Key bytes
  size_t	len;			// Key length
} upa_badge_key_t;

extern upa_badge_key_t	*upaBadgeKeyLoad(const char *path);
extern bool		upaBadgeKeyCreate(const char *path);
extern void		upaBadgeKeyDelete(upa_badge_key_t *key);
extern bool		upaBadgeHash(const upa_badge_key_t *key, const char *id, char *hash, size_t hashsize);
extern void		upaBadgeTag(const char *hash, char *tag, size_t tagsize);


//
// The local store...
//

typedef struct upa_badge_entry_s	// One mapping
{
  char		hash[UPA_BADGE_HASH_LEN + 1];
					// Keyed hash of the normalised ID
  char		upn[256];		// User principal name (no "mailto:")
  char		pin[256];		// crypt() hash of the PIN or ""
  bool		disabled;		// Mapping disabled by an admin
  time_t	expires;		// Expiry (0 = never)
  time_t	created;		// When added (0 = unknown)
} upa_badge_entry_t;

typedef struct upa_badge_store_s	// The whole store, in memory
{
  char		path[1024];		// File
  size_t	num_entries;		// Mappings
  size_t	alloc_entries;		// Allocated slots
  upa_badge_entry_t *entries;		// Mappings
} upa_badge_store_t;

extern upa_badge_store_t *upaBadgeStoreLoad(const char *path, bool missing_ok);
extern upa_badge_store_t *upaBadgeStoreParse(const char *data, size_t len, const char *name);
extern bool		upaBadgeStoreSave(const upa_badge_store_t *store);
extern upa_badge_entry_t *upaBadgeStoreFind(upa_badge_store_t *store, const char *hash);
extern bool		upaBadgeStorePut(upa_badge_store_t *store, const upa_badge_entry_t *entry);
extern bool		upaBadgeStoreRemove(upa_badge_store_t *store, const char *hash);
extern int		upaBadgeStoreRemoveUser(upa_badge_store_t *store, const char *upn);
extern void		upaBadgeStoreDelete(upa_badge_store_t *store);
extern int		upaBadgeStoreLock(const char *path);
extern void		upaBadgeStoreUnlock(int fd);
extern bool		upaBadgeCheckFile(int fd, const char *path, bool secret);


//
// PINs (yescrypt via libxcrypt, constant-time comparison)...
//

extern bool		upaBadgePINHash(const char *pin, char *hash, size_t hashsize);
extern bool		upaBadgePINVerify(const char *pin, const char *hash);


//
// Lockout and debounce (per badge and station, shared across processes)...
//

typedef enum upa_badge_throttle_e	// Result of upaBadgeThrottleBegin()
{
  UPA_BADGE_THROTTLE_OK,		// Go ahead
  UPA_BADGE_THROTTLE_LOCKED,		// Locked out until *until
  UPA_BADGE_THROTTLE_DEBOUNCED,		// Same badge at the same station within DebounceTime: ignore
  UPA_BADGE_THROTTLE_ERROR		// State unusable (see upaLastError())
} upa_badge_throttle_t;

typedef enum upa_badge_outcome_e	// How an attempt ended (upaBadgeThrottleEnd())
{
  UPA_BADGE_OUTCOME_FAILURE = 0,	// Wrong or missing PIN, refused mapping: counts
  UPA_BADGE_OUTCOME_SUCCESS = 1,	// Accepted: clears the badge's failures
  UPA_BADGE_OUTCOME_UNKNOWN,		// Badge not known anywhere: counts, also per station (UnknownMaxFailures)
  UPA_BADGE_OUTCOME_NEUTRAL,		// Not the user's doing (service down, conversation failed): counts nothing
  UPA_BADGE_OUTCOME_CLEARED		// Not an attempt's end: clear the badge's failures, keep every reservation
} upa_badge_outcome_t;

// "hash" is the badge's keyed hash (upaBadgeHash()), so callers never keep raw IDs.
// Begin() checks and reserves the attempt under one lock; every Begin() that
// returns UPA_BADGE_THROTTLE_OK must be followed by one End().
extern upa_badge_throttle_t upaBadgeThrottleBegin(const upa_badge_config_t *bc, const upa_badge_key_t *key, const char *hash, const char *station, time_t now, time_t *until);
extern bool		upaBadgeThrottleEnd(const upa_badge_config_t *bc, const upa_badge_key_t *key, const char *hash, const char *station, upa_badge_outcome_t outcome, time_t now);
// Admin unlock: a badge at a station, a badge everywhere (station NULL), a
// whole station (hash NULL) or everything (both NULL); records cleared or -1.
extern int		upaBadgeUnlock(const upa_badge_config_t *bc, const upa_badge_key_t *key, const char *hash, const char *station);


//
// Cloud badge lookup (protocol.md §8)...
//

typedef enum upa_badge_lookup_e		// Outcome of a cloud lookup
{
  UPA_BADGE_LOOKUP_OK,			// 200 with a usable mailto: userURI
  UPA_BADGE_LOOKUP_NOT_FOUND,		// 404: unknown badge
  UPA_BADGE_LOOKUP_BAD_REQUEST,		// 400: empty/invalid badge id
  UPA_BADGE_LOOKUP_UNAUTHORIZED,	// 401 even after a token renewal
  UPA_BADGE_LOOKUP_FORBIDDEN,		// 403: PrintBadges.Read missing or tenant not enabled
  UPA_BADGE_LOOKUP_SERVER_ERROR,	// 5xx or another unexpected status
  UPA_BADGE_LOOKUP_NETWORK,		// No response: DNS, connect, TLS, timeout
  UPA_BADGE_LOOKUP_PROTOCOL,		// 200 with an unusable body
  UPA_BADGE_LOOKUP_CONFIG,		// No device/token/config to ask with
  UPA_BADGE_LOOKUP_AMBIGUOUS		// LDAP: more than one entry matches
} upa_badge_lookup_t;

typedef struct upa_badge_user_s		// A resolved identity
{
  char		upn[256];		// UPN (userURI without "mailto:")
  char		user_id[128];		// Directory object id or ""
  bool		disabled;		// LDAP: entry matches LDAPDisabledFilter
} upa_badge_user_t;

extern const char	*upaBadgeLookupString(upa_badge_lookup_t result);
extern upa_badge_lookup_t upaBadgeLookupParse(int status, const char *body, size_t len, upa_badge_user_t *user);
extern upa_badge_lookup_t upaBadgeLookupCloud(upa_http_t *http, const upa_config_t *cfg, const upa_device_t *dev, const char *id, bool legacy, upa_badge_user_t *user);
extern bool		upaBadgeValidUPN(const char *upn);


//
// Cloud badge management (lib/badgecloud.c; protocol.md §7 "Badge management")...
//
// These live on Universal Print's "graph.print" host: BadgeURL
// (cfg->badge_url + "/print/..."; with "Cloud custom" it defaults to
// GraphURL, which is where upa-cloudsim serves them).  They need a delegated admin token (PrintBadges.ReadWrite):
// --admin-token/UPA_ADMIN_TOKEN, or the refresh token "upactl badge login"
// stores in CloudAdminTokenFile (upaBadgeCloudAdminToken()).
//

#  define UPA_BADGE_CLOUD_SCOPE	".default offline_access"
					// Scope of the badge admin sign-in (after
					// SignInResource: upaOAuthScope()), as Microsoft's
					// badge sample asks for it; PrintBadges.ReadWrite
					// must be consented for the app

typedef enum upa_badge_cloud_e		// Outcome of a badge management request
{
  UPA_BADGE_CLOUD_OK,			// Done
  UPA_BADGE_CLOUD_EXISTS,		// 409: the collection/badge already exists
  UPA_BADGE_CLOUD_NOT_FOUND,		// 404: no such collection/badge/operation
  UPA_BADGE_CLOUD_BAD_REQUEST,		// 400
  UPA_BADGE_CLOUD_UNAUTHORIZED,		// 401: token refused (or no token)
  UPA_BADGE_CLOUD_FORBIDDEN,		// 403: PrintBadges.ReadWrite missing
  UPA_BADGE_CLOUD_SERVER_ERROR,		// 5xx or another unexpected status
  UPA_BADGE_CLOUD_NETWORK,		// No response
  UPA_BADGE_CLOUD_PROTOCOL,		// Unusable response body
  UPA_BADGE_CLOUD_FAILED,		// Long-running operation ended "failed" or timed out
  UPA_BADGE_CLOUD_CONFIG		// Bad arguments, no collection, no stored sign-in
} upa_badge_cloud_t;

typedef struct upa_badge_login_s	// CloudAdminTokenFile contents (secret)
{
  char		authority[1024];	// Authority URL ("" = AuthorityURL)
  char		tenant[256];		// Tenant ("" = organizations)
  char		client_id[256];		// Application (client) id
  char		refresh_token[8192];	// Current refresh token
} upa_badge_login_t;

extern const char	*upaBadgeCloudString(upa_badge_cloud_t result);
extern upa_badge_cloud_t upaBadgeCloudStatus(int status, const char *body, size_t len);
extern upa_badge_cloud_t upaBadgeCloudParseCreate(const char *body, size_t len, char *opid, size_t opidsize, char *cid, size_t cidsize);
extern upa_badge_cloud_t upaBadgeCloudParseOperation(const char *body, size_t len, bool *done, char *cid, size_t cidsize);
extern upa_badge_cloud_t upaBadgeCloudParseCollections(const char *body, size_t len, char *cid, size_t cidsize);
extern upa_badge_cloud_t upaBadgeCloudParseBadge(const char *body, size_t len, upa_badge_user_t *user);

extern upa_badge_cloud_t upaBadgeCloudCollectionCreate(upa_http_t *http, const upa_config_t *cfg, const char *token, int max_wait, char *cid, size_t cidsize);
extern upa_badge_cloud_t upaBadgeCloudCollectionFind(upa_http_t *http, const upa_config_t *cfg, const char *token, char *cid, size_t cidsize);
extern upa_badge_cloud_t upaBadgeCloudAdd(upa_http_t *http, const upa_config_t *cfg, const char *token, const char *cid, const char *id, const char *upn, const char *user_id);
extern upa_badge_cloud_t upaBadgeCloudGet(upa_http_t *http, const upa_config_t *cfg, const char *token, const char *cid, const char *id, upa_badge_user_t *user);
extern upa_badge_cloud_t upaBadgeCloudUpdate(upa_http_t *http, const upa_config_t *cfg, const char *token, const char *cid, const char *id, const char *upn, const char *user_id);
extern upa_badge_cloud_t upaBadgeCloudDelete(upa_http_t *http, const upa_config_t *cfg, const char *token, const char *cid, const char *id);

extern bool		upaBadgeLoginSave(const char *path, const upa_badge_login_t *login);
extern bool		upaBadgeLoginLoad(const char *path, upa_badge_login_t *login);
extern bool		upaBadgeCloudAdminToken(const upa_config_t *cfg, const upa_badge_config_t *bc, char *token, size_t tokensize);

// LDAP lookup (lib/badgeldap.c; UPA_BADGE_LOOKUP_CONFIG when built without LDAP).
extern upa_badge_lookup_t upaBadgeLookupLDAP(const upa_badge_config_t *bc, const char *id, upa_badge_user_t *user);

#endif // !UPA_BADGE_H
