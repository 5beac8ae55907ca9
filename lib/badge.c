//
// Badge identities for libupa: normalisation, keyed-hash store, PINs,
// lockout/debounce state and the cloud badge lookup (protocol.md §8).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Nothing here logs or stores a raw badge ID or PIN: the store and the
// throttle state hold HMAC-SHA-256 values under the site key, error messages
// name files and line numbers only.
//

#include "upa-private.h"
#include "badge.h"
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <crypt.h>
#include <sys/file.h>
#include <cups/file.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>


//
// Local limits...
//

#define BADGE_MAX_FILE	(16 * 1024 * 1024)
					// Largest store/state file read
#define BADGE_MAX_LINE	4096		// Longest store line
#define BADGE_MAX_PIN	64		// Longest PIN
#define THROTTLE_MAGIC	0x55505431	// "UPT1": a record in use
#define THROTTLE_SLOTS	32768		// Records in the state file (hash table)
#define THROTTLE_PROBE	32		// Slots searched for a key (linear probing)
#define THROTTLE_PENDING_MAX 600	// Seconds an attempt under way may hold its reservation
#define THROTTLE_LATE_MAX 120		// Seconds a caller's clock reading may lag a record's
					// (read, then waited for the lock) before it counts as
					// a clock set back
#define THROTTLE_HEADER	"cups-upa throttle v1\n"
					// First bytes of the file (then one slot of padding)


//
// Local types...
//

typedef struct throttle_rec_s		// One lockout/debounce record (fixed size, on disk)
{
  unsigned char	key[32];		// HMAC of (kind, station[, badge]); all zero = free slot
  unsigned char	owner[32];		// HMAC of the badge alone (upaBadgeUnlock()); zero for station records
  unsigned char	where[16];		// Badge records: start of the station record's key (upaBadgeUnlock())
  int64_t	last_tap;		// Last attempt seen (or reservation made)
  int64_t	window_start;		// Start of the failure window (0 = none)
  int64_t	locked_until;		// Locked until (0 = not locked)
  int32_t	failures;		// Failures in the window
  int32_t	pending;		// Attempts begun and not ended (counted against the limit)
  uint32_t	magic;			// THROTTLE_MAGIC when in use
  uint32_t	reserved[3];		// Zero
} throttle_rec_t;			// 128 bytes

typedef struct throttle_db_s		// The open state file
{
  int		fd;			// Descriptor, flock()ed
  char		path[1100];		// File name (messages)
} throttle_db_t;

typedef enum throttle_kind_e		// Records an attempt touches
{
  THROTTLE_BADGE,			// This badge at this station (MaxFailures, DebounceTime)
  THROTTLE_STATION,			// Any badge at this station (StationMaxFailures)
  THROTTLE_UNKNOWN,			// Unknown badges at this station (UnknownMaxFailures)
  THROTTLE_KINDS
} throttle_kind_t;


//
// Local functions...
//

static bool	buffer_printf(upa_buffer_t *buf, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool	config_bool(const char *value, bool *b);
static bool	config_int(const char *value, int minval, int maxval, int *i);
static bool	config_ldap(upa_badge_config_t *bc, const char *name, const char *value, const char *path, int linenum);
static bool	config_ldap_check(const upa_badge_config_t *bc);
static bool	default_path(const char *name, char *buffer, size_t bufsize);
static bool	is_hex_string(const char *s, size_t len);
static bool	keyed_hash(const upa_badge_key_t *key, const char *data, size_t len, char *hash, size_t hashsize);
static bool	parse_time(const char *s, time_t *t);
static char	*read_file(int fd, const char *path, size_t maxsize, size_t *len);
static time_t	throttle_clock(const throttle_rec_t *r, time_t now);
static bool	throttle_close(throttle_db_t *db, bool ok);
static bool	throttle_count(const upa_badge_config_t *bc, throttle_rec_t *r, int max, time_t now);
static bool	throttle_idle(const upa_badge_config_t *bc, const throttle_rec_t *r, time_t now);
static bool	throttle_key(const upa_badge_key_t *key, const char *kind, const char *station, const char *id, unsigned char *bin);
static long	throttle_find(throttle_db_t *db, const unsigned char *key, bool create, const upa_badge_config_t *bc, time_t now, throttle_rec_t *r);
static void	throttle_normalize(const upa_badge_config_t *bc, throttle_rec_t *r, time_t now);
static bool	throttle_open(const upa_badge_config_t *bc, throttle_db_t *db);
static bool	throttle_write(throttle_db_t *db, long slot, const throttle_rec_t *r);
static void	trim(char *s);


//
// 'upaBadgeRulesInit()' - Set rules that keep the input as read (trimmed).
//

void
upaBadgeRulesInit(upa_badge_rules_t *rules)	// O - Rules
{
  memset(rules, 0, sizeof(upa_badge_rules_t));
  rules->input      = UPA_BADGE_FORMAT_TEXT;
  rules->output     = UPA_BADGE_FORMAT_TEXT;
  rules->min_length = 1;
  rules->max_length = UPA_BADGE_MAX_ID;
}


//
// 'upaBadgeNormalize()' - Turn what a reader typed into the card number.
//
// Steps, in order: reject over-long or binary input; trim white space;
// strip prefix and suffix; regex capture; numeric conversion (decimal/hex
// in, byte reversal, decimal/hex out); strip leading zeros; pad; case; length
// limits.  On failure the last error says which step refused (never the
// value itself).
//

bool					// O - true on success
upaBadgeNormalize(
    const upa_badge_rules_t *rules,	// I - Rules
    const char              *input,	// I - Reader input
    char                    *id,	// O - Normalised ID
    size_t                  idsize)	// I - Size of ID buffer
{
  char		buf[UPA_BADGE_MAX_INPUT + 1],
					// Working copy
		*start;			// Start of value
  size_t	len,			// Length
		i;			// Looping var
  bool		ret = false;		// Return value


  if (!rules || !input || !id || idsize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeNormalize: bad arguments.");
    return (false);
  }

  *id = '\0';

  if ((len = strnlen(input, UPA_BADGE_MAX_INPUT + 1)) > UPA_BADGE_MAX_INPUT)
  {
    upaSetError(UPA_ERROR_ARGS, "Badge input longer than %d bytes.", UPA_BADGE_MAX_INPUT);
    return (false);
  }

  for (i = 0; i < len; i ++)
  {
    unsigned char ch = (unsigned char)input[i];
					// Current byte

    if ((ch < ' ' && ch != '\t' && ch != '\r' && ch != '\n') || ch > '~')
    {
      upaSetError(UPA_ERROR_ARGS, "Badge input contains control or non-ASCII bytes.");
      return (false);
    }
  }

  memcpy(buf, input, len + 1);
  trim(buf);
  start = buf;

  // Prefix and suffix (exact, case-sensitive: readers send fixed sentinels)
  if (rules->strip_prefix[0] && !strncmp(start, rules->strip_prefix, strlen(rules->strip_prefix)))
    start += strlen(rules->strip_prefix);

  if (rules->strip_suffix[0])
  {
    size_t slen = strlen(rules->strip_suffix),
					// Suffix length
	   blen = strlen(start);	// Value length

    if (blen >= slen && !strcmp(start + blen - slen, rules->strip_suffix))
      start[blen - slen] = '\0';
  }

  // Regular expression capture
  if (rules->regex[0])
  {
    regex_t	re;			// Compiled expression
    regmatch_t	m[2];			// Matches
    int		err;			// regcomp() status
    size_t	nsub;			// Groups in the expression

    if ((err = regcomp(&re, rules->regex, REG_EXTENDED)) != 0)
    {
      upaSetError(UPA_ERROR_CONFIG, "Bad badge Regex (regcomp error %d).", err);
      return (false);
    }

    nsub = re.re_nsub;
    err  = regexec(&re, start, 2, m, 0);
    regfree(&re);

    if (err)
    {
      upaSetError(UPA_ERROR_ARGS, "Badge input does not match Regex.");
      return (false);
    }

    if (nsub < 1 || m[1].rm_so < 0)
      m[1] = m[0];

    memmove(buf, start + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
    buf[m[1].rm_eo - m[1].rm_so] = '\0';
    start = buf;
  }

  len = strlen(start);

  // Numeric conversion
  if (rules->input != UPA_BADGE_FORMAT_TEXT)
  {
    BIGNUM		*bn = NULL;	// Card number
    unsigned char	bytes[UPA_BADGE_MAX_INPUT];
					// Big-endian bytes
    int			nbytes,		// Bytes needed
			width;		// Bytes written
    upa_badge_format_t	output = rules->output == UPA_BADGE_FORMAT_TEXT ? rules->input : rules->output;
					// Output format

    if (len == 0 || len > UPA_BADGE_MAX_ID)
    {
      upaSetError(UPA_ERROR_ARGS, "Badge number is empty or too long.");
      return (false);
    }

    for (i = 0; i < len; i ++)
    {
      if (rules->input == UPA_BADGE_FORMAT_DECIMAL ? !isdigit(start[i] & 255) : !isxdigit(start[i] & 255))
      {
        upaSetError(UPA_ERROR_ARGS, "Badge input is not a %s number.", rules->input == UPA_BADGE_FORMAT_DECIMAL ? "decimal" : "hex");
        return (false);
      }
    }

    if ((rules->input == UPA_BADGE_FORMAT_DECIMAL ? BN_dec2bn(&bn, start) : BN_hex2bn(&bn, start)) != (int)len)
    {
      BN_free(bn);
      upaSetError(UPA_ERROR_MEMORY, "Unable to convert badge number.");
      return (false);
    }

    nbytes = BN_num_bytes(bn);
    if (rules->input == UPA_BADGE_FORMAT_HEX)
      width = (int)(len + 1) / 2;	// Hex keeps its leading zero bytes
    else
      width = nbytes > 0 ? nbytes : 1;

    if (rules->byte_length > 0)
    {
      if (nbytes > rules->byte_length)
      {
        BN_free(bn);
        upaSetError(UPA_ERROR_ARGS, "Badge number longer than ByteLength.");
        return (false);
      }

      width = rules->byte_length;
    }

    if (width > (int)sizeof(bytes) || BN_bn2binpad(bn, bytes, width) != width)
    {
      BN_free(bn);
      upaSetError(UPA_ERROR_ARGS, "Badge number does not fit.");
      return (false);
    }

    if (rules->reverse_bytes)
    {
      for (i = 0; i < (size_t)width / 2; i ++)
      {
        unsigned char t = bytes[i];	// Swap byte

        bytes[i]             = bytes[width - 1 - (int)i];
        bytes[width - 1 - (int)i] = t;
      }
    }

    if (output == UPA_BADGE_FORMAT_HEX)
    {
      static const char hexdigits[] = "0123456789ABCDEF";
					// Digits

      for (i = 0; i < (size_t)width; i ++)
      {
        buf[2 * i]     = hexdigits[bytes[i] >> 4];
        buf[2 * i + 1] = hexdigits[bytes[i] & 15];
      }
      buf[2 * width] = '\0';
    }
    else
    {
      char *dec;			// Decimal string

      if (!BN_bin2bn(bytes, width, bn) || (dec = BN_bn2dec(bn)) == NULL)
      {
        BN_free(bn);
        upaSetError(UPA_ERROR_MEMORY, "Unable to convert badge number.");
        return (false);
      }

      upaCopyString(buf, dec, sizeof(buf));
      OPENSSL_free(dec);
    }

    BN_free(bn);
    start = buf;
  }

  // Leading zeros, padding and case
  if (rules->strip_zeros)
  {
    while (start[0] == '0' && start[1])
      start ++;
  }

  len = strlen(start);
  if (rules->pad_length > 0 && len < (size_t)rules->pad_length && rules->pad_length <= UPA_BADGE_MAX_ID)
  {
    size_t pad = (size_t)rules->pad_length - len;
					// Zeros to add

    memmove(buf + pad, start, len + 1);
    memset(buf, '0', pad);
    start = buf;
    len   = strlen(start);
  }

  if (rules->upper)
  {
    for (i = 0; i < len; i ++)
      start[i] = (char)toupper(start[i] & 255);
  }

  for (i = 0; i < len; i ++)
  {
    // Interior white space or line breaks: two reads glued together, or junk.
    if (!isgraph(start[i] & 255))
    {
      upaSetError(UPA_ERROR_ARGS, "Badge number contains white space or control characters.");
      goto done;
    }
  }

  if ((int)len < (rules->min_length > 0 ? rules->min_length : 1) || (int)len > (rules->max_length > 0 ? rules->max_length : UPA_BADGE_MAX_ID) || len > UPA_BADGE_MAX_ID)
  {
    upaSetError(UPA_ERROR_ARGS, "Badge number length %d outside the accepted range.", (int)len);
    goto done;
  }

  if (!upaCopyString(id, start, idsize))
  {
    upaSetError(UPA_ERROR_ARGS, "Badge number too long for buffer.");
    *id = '\0';
    goto done;
  }

  ret = true;

  done:

  OPENSSL_cleanse(buf, sizeof(buf));

  return (ret);
}


//
// 'upaBadgeConfigDefaultPath()' - badge.conf next to cups-upa.conf.
//

const char *				// O - Path
upaBadgeConfigDefaultPath(void)
{
  static char	path[1024] = "";	// Computed once (constant afterwards)


  if (!path[0])
    default_path("badge.conf", path, sizeof(path));

  return (path);
}


//
// 'upaBadgeConfigLoad()' - Load badge.conf.
//
// Directives (case-insensitive, one per line, '#' comments):
//   Sources local [cloud]              lookup order
//   Store FILE, KeyFile FILE, UpaConfig FILE
//   CloudDevice ID | CloudQueue NAME, CloudAPI v2|v1
//   StripPrefix S, StripSuffix S, Regex ERE, InputFormat text|decimal|hex,
//   OutputFormat text|decimal|hex, ReverseBytes B, ByteLength N,
//   StripLeadingZeros B, PadLength N, UpperCase B, MinLength N, MaxLength N
//   Pin off|optional|required, MinPinLength N
//   MaxFailures N, StationMaxFailures N, UnknownMaxFailures N,
//   FailureWindow S, LockoutTime S, DebounceTime S, StateDir DIR
//   SelfRegister B, RegisterDomain DOMAIN
//   BadgePrompt TEXT, PinPrompt TEXT
//   CloudCollection ID, CloudAdminTokenFile FILE, SelfRegisterCloud B
//   LDAPURI URI..., LDAPStartTLS B, LDAPCAFile FILE, LDAPBase DN,
//   LDAPFilter FILTER, LDAPAttribute ATTR, LDAPBindDN DN,
//   LDAPBindPasswordFile FILE, LDAPTimeout S, LDAPScope sub|one,
//   LDAPDisabledFilter FILTER                  (see config_ldap())
//

upa_badge_config_t *			// O - Configuration or NULL on error
upaBadgeConfigLoad(const char *path,	// I - File or NULL for the default
                   bool       missing_ok)// I - Missing file = defaults?
{
  upa_badge_config_t	*bc;		// Configuration
  cups_file_t		*fp;		// File
  char			line[1024],	// Directive
			*value;		// Value
  int			linenum = 0;	// Line number
  bool			ok = true;	// Parsed fine?
  bool			state_set = false;
					// StateDir given?


  if (!path)
    path = upaBadgeConfigDefaultPath();

  if ((bc = calloc(1, sizeof(upa_badge_config_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  upaBadgeRulesInit(&bc->rules);
  bc->sources[0]           = UPA_BADGE_SOURCE_LOCAL;
  bc->pin                  = UPA_BADGE_PIN_OPTIONAL;
  bc->min_pin              = 4;
  bc->max_failures         = 5;
  bc->station_max_failures = 0;
  bc->unknown_max_failures = 10;
  bc->failure_window       = 300;
  bc->lockout_time         = 300;
  bc->debounce_time        = 2;
  default_path("badges", bc->store, sizeof(bc->store));
  default_path("badge.key", bc->key_file, sizeof(bc->key_file));
  upaCopyString(bc->upa_config, UPA_CONFIG_FILE, sizeof(bc->upa_config));
  upaCopyString(bc->badge_prompt, "Badge:", sizeof(bc->badge_prompt));
  upaCopyString(bc->pin_prompt, "PIN:", sizeof(bc->pin_prompt));
  default_path("badge-admin.token", bc->cloud_admin_token_file, sizeof(bc->cloud_admin_token_file));
  upaCopyString(bc->ldap_filter, "(employeeNumber=%s)", sizeof(bc->ldap_filter));
  upaCopyString(bc->ldap_attribute, "userPrincipalName", sizeof(bc->ldap_attribute));
  bc->ldap_timeout         = 5;

  if ((fp = cupsFileOpen(path, "r")) == NULL)
  {
    if (errno != ENOENT || !missing_ok)
    {
      upaSetError(UPA_ERROR_CONFIG, "Unable to open badge configuration %s: %s", path, strerror(errno));
      free(bc);
      return (NULL);
    }
  }
  else
  {
    upaCopyString(bc->path, path, sizeof(bc->path));

    while (ok && cupsFileGetConf(fp, line, sizeof(line), &value, &linenum))
    {
      if (!value || !*value)
      {
        upaSetError(UPA_ERROR_CONFIG, "%s:%d: %s needs a value.", path, linenum, line);
        ok = false;
      }
      else if (!strcasecmp(line, "Sources"))
      {
        char	*tok,			// Source name
		*saveptr = NULL;	// strtok_r state
        int	n = 0;			// Sources seen

        memset(bc->sources, 0, sizeof(bc->sources));
        for (tok = strtok_r(value, " \t,", &saveptr); ok && tok; tok = strtok_r(NULL, " \t,", &saveptr))
        {
          if (n >= UPA_BADGE_MAX_SOURCES - 1)
          {
            upaSetError(UPA_ERROR_CONFIG, "%s:%d: too many Sources.", path, linenum);
            ok = false;
          }
          else if (!strcasecmp(tok, "local"))
            bc->sources[n ++] = UPA_BADGE_SOURCE_LOCAL;
          else if (!strcasecmp(tok, "cloud"))
            bc->sources[n ++] = UPA_BADGE_SOURCE_CLOUD;
          else if (!strcasecmp(tok, "ldap"))
          {
#ifdef HAVE_LDAP
            bc->sources[n ++] = UPA_BADGE_SOURCE_LDAP;
#else
            // Refuse rather than skip: a silently missing source changes who gets in.
            upaSetError(UPA_ERROR_CONFIG, "%s:%d: source \"ldap\" needs LDAP support, but cups-upa was built without it (libldap missing or --without-ldap).", path, linenum);
            ok = false;
#endif // HAVE_LDAP
          }
          else
          {
            upaSetError(UPA_ERROR_CONFIG, "%s:%d: unsupported source \"%s\" (use local, cloud, ldap).", path, linenum, tok);
            ok = false;
          }
        }
      }
      else if (!strcasecmp(line, "Store"))
        ok = upaCopyString(bc->store, value, sizeof(bc->store));
      else if (!strcasecmp(line, "KeyFile"))
        ok = upaCopyString(bc->key_file, value, sizeof(bc->key_file));
      else if (!strcasecmp(line, "UpaConfig"))
        ok = upaCopyString(bc->upa_config, value, sizeof(bc->upa_config));
      else if (!strcasecmp(line, "CloudDevice"))
        ok = upaCopyString(bc->cloud_device, value, sizeof(bc->cloud_device));
      else if (!strcasecmp(line, "CloudQueue"))
        ok = upaCopyString(bc->cloud_queue, value, sizeof(bc->cloud_queue));
      else if (!strcasecmp(line, "CloudAPI"))
      {
        if (!strcasecmp(value, "v2"))
          bc->cloud_legacy = false;
        else if (!strcasecmp(value, "v1"))
          bc->cloud_legacy = true;
        else
          ok = false;
      }
      else if (!strcasecmp(line, "StripPrefix"))
        ok = upaCopyString(bc->rules.strip_prefix, value, sizeof(bc->rules.strip_prefix));
      else if (!strcasecmp(line, "StripSuffix"))
        ok = upaCopyString(bc->rules.strip_suffix, value, sizeof(bc->rules.strip_suffix));
      else if (!strcasecmp(line, "Regex"))
      {
        regex_t	re;			// Test compile

        if ((ok = upaCopyString(bc->rules.regex, value, sizeof(bc->rules.regex))) && regcomp(&re, value, REG_EXTENDED) == 0)
          regfree(&re);
        else
          ok = false;
      }
      else if (!strcasecmp(line, "InputFormat") || !strcasecmp(line, "OutputFormat"))
      {
        upa_badge_format_t *fmt = !strcasecmp(line, "InputFormat") ? &bc->rules.input : &bc->rules.output;
					// Format to set

        if (!strcasecmp(value, "text"))
          *fmt = UPA_BADGE_FORMAT_TEXT;
        else if (!strcasecmp(value, "decimal"))
          *fmt = UPA_BADGE_FORMAT_DECIMAL;
        else if (!strcasecmp(value, "hex"))
          *fmt = UPA_BADGE_FORMAT_HEX;
        else
          ok = false;
      }
      else if (!strcasecmp(line, "ReverseBytes"))
        ok = config_bool(value, &bc->rules.reverse_bytes);
      else if (!strcasecmp(line, "ByteLength"))
        ok = config_int(value, 0, 64, &bc->rules.byte_length);
      else if (!strcasecmp(line, "StripLeadingZeros"))
        ok = config_bool(value, &bc->rules.strip_zeros);
      else if (!strcasecmp(line, "PadLength"))
        ok = config_int(value, 0, UPA_BADGE_MAX_ID, &bc->rules.pad_length);
      else if (!strcasecmp(line, "UpperCase"))
        ok = config_bool(value, &bc->rules.upper);
      else if (!strcasecmp(line, "MinLength"))
        ok = config_int(value, 1, UPA_BADGE_MAX_ID, &bc->rules.min_length);
      else if (!strcasecmp(line, "MaxLength"))
        ok = config_int(value, 1, UPA_BADGE_MAX_ID, &bc->rules.max_length);
      else if (!strcasecmp(line, "Pin"))
      {
        if (!strcasecmp(value, "off"))
          bc->pin = UPA_BADGE_PIN_OFF;
        else if (!strcasecmp(value, "optional"))
          bc->pin = UPA_BADGE_PIN_OPTIONAL;
        else if (!strcasecmp(value, "required"))
          bc->pin = UPA_BADGE_PIN_REQUIRED;
        else
          ok = false;
      }
      else if (!strcasecmp(line, "MinPinLength"))
        ok = config_int(value, 1, BADGE_MAX_PIN, &bc->min_pin);
      else if (!strcasecmp(line, "MaxFailures"))
        ok = config_int(value, 0, 1000, &bc->max_failures);
      else if (!strcasecmp(line, "StationMaxFailures"))
        ok = config_int(value, 0, 100000, &bc->station_max_failures);
      else if (!strcasecmp(line, "UnknownMaxFailures"))
        ok = config_int(value, 0, 100000, &bc->unknown_max_failures);
      else if (!strcasecmp(line, "FailureWindow"))
        ok = config_int(value, 1, 7 * 86400, &bc->failure_window);
      else if (!strcasecmp(line, "LockoutTime"))
        ok = config_int(value, 1, 7 * 86400, &bc->lockout_time);
      else if (!strcasecmp(line, "DebounceTime"))
        ok = config_int(value, 0, 60, &bc->debounce_time);
      else if (!strcasecmp(line, "StateDir"))
      {
        ok        = value[0] == '/' && upaCopyString(bc->state_dir, value, sizeof(bc->state_dir));
        state_set = true;
      }
      else if (!strcasecmp(line, "SelfRegister"))
        ok = config_bool(value, &bc->self_register);
      else if (!strcasecmp(line, "RegisterDomain"))
        ok = upaCopyString(bc->register_domain, value, sizeof(bc->register_domain)) && !strchr(value, '@') && !strchr(value, ' ');
      else if (!strcasecmp(line, "BadgePrompt"))
        ok = upaCopyString(bc->badge_prompt, value, sizeof(bc->badge_prompt));
      else if (!strcasecmp(line, "PinPrompt"))
        ok = upaCopyString(bc->pin_prompt, value, sizeof(bc->pin_prompt));
      else if (!strcasecmp(line, "CloudCollection"))
        ok = upaCopyString(bc->cloud_collection, value, sizeof(bc->cloud_collection)) && !strpbrk(value, "/?#% ");
      else if (!strcasecmp(line, "CloudAdminTokenFile"))
        ok = value[0] == '/' && upaCopyString(bc->cloud_admin_token_file, value, sizeof(bc->cloud_admin_token_file));
      else if (!strcasecmp(line, "SelfRegisterCloud"))
        ok = config_bool(value, &bc->self_register_cloud);
      else if (!strncasecmp(line, "LDAP", 4))
        ok = config_ldap(bc, line, value, path, linenum);
      else
      {
        upaSetError(UPA_ERROR_CONFIG, "%s:%d: unknown directive %s.", path, linenum, line);
        cupsFileClose(fp);
        free(bc);
        return (NULL);
      }

      if (!ok && upaLastError() != UPA_ERROR_CONFIG)
        upaSetError(UPA_ERROR_CONFIG, "%s:%d: bad value for %s.", path, linenum, line);
    }

    cupsFileClose(fp);

    if (!ok)
    {
      free(bc);
      return (NULL);
    }
  }

  if (bc->rules.input == UPA_BADGE_FORMAT_TEXT && (bc->rules.output != UPA_BADGE_FORMAT_TEXT || bc->rules.reverse_bytes || bc->rules.byte_length))
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: OutputFormat, ReverseBytes and ByteLength need InputFormat decimal or hex.", bc->path[0] ? bc->path : "badge.conf");
    free(bc);
    return (NULL);
  }

  if (bc->rules.min_length > bc->rules.max_length)
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: MinLength is larger than MaxLength.", bc->path[0] ? bc->path : "badge.conf");
    free(bc);
    return (NULL);
  }

  if (!config_ldap_check(bc))
  {
    free(bc);
    return (NULL);
  }

  if (!state_set)
  {
    // Default: "badge" under cups-upa.conf's CacheDir, else the built-in cache dir.
    upa_config_t *cfg = NULL;		// cups-upa.conf

    if (!access(bc->upa_config, R_OK))
      cfg = upaConfigLoad(bc->upa_config);

    upaCopyString(bc->state_dir, cfg ? cfg->cache_dir : UPA_CACHE_DIR, sizeof(bc->state_dir) - 6);
    strcat(bc->state_dir, "/badge");	// Room reserved above
    upaConfigDelete(cfg);
    upaClearError();
  }

  return (bc);
}


//
// 'upaBadgeConfigDelete()' - Free badge.conf.
//

void
upaBadgeConfigDelete(
    upa_badge_config_t *bc)		// I - Configuration
{
  free(bc);
}


//
// 'upaBadgeCheckFile()' - Check an open store/key file is safe to trust.
//
// A regular file owned by root or by the effective user, writable by no one
// else; with "secret", not readable by others either.
//

bool					// O - true when safe
upaBadgeCheckFile(int        fd,	// I - Open file
                  const char *path,	// I - Its name (for messages)
                  bool       secret)	// I - Holds secrets?
{
  struct stat	st;			// File information


  if (fstat(fd, &st))
  {
    upaSetError(UPA_ERROR_IO, "Unable to stat %s: %s", path, strerror(errno));
    return (false);
  }

  if (!S_ISREG(st.st_mode))
  {
    upaSetError(UPA_ERROR_IO, "%s is not a regular file.", path);
    return (false);
  }

  if (st.st_uid != 0 && st.st_uid != geteuid())
  {
    upaSetError(UPA_ERROR_IO, "%s is owned by UID %u, expected root.", path, (unsigned)st.st_uid);
    return (false);
  }

  if (st.st_mode & (S_IWGRP | S_IWOTH))
  {
    upaSetError(UPA_ERROR_IO, "%s is writable by group or others (mode %04o).", path, (unsigned)(st.st_mode & 07777));
    return (false);
  }

  if (secret && (st.st_mode & S_IRWXO))
  {
    upaSetError(UPA_ERROR_IO, "%s is readable by others (mode %04o).", path, (unsigned)(st.st_mode & 07777));
    return (false);
  }

  return (true);
}


//
// 'upaBadgeKeyLoad()' - Load the site key (hex text, at least 128 bits).
//

upa_badge_key_t *			// O - Key or NULL on error
upaBadgeKeyLoad(const char *path)	// I - Key file
{
  int			fd;		// File
  char			*data;		// Contents
  size_t		len;		// Length
  unsigned char		*bytes;		// Decoded key
  long			blen = 0;	// Decoded length
  upa_badge_key_t	*key = NULL;	// Key


  if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)) < 0)
  {
    upaSetError(errno == ENOENT ? UPA_ERROR_CONFIG : UPA_ERROR_IO, "Unable to open badge key %s: %s", path, strerror(errno));
    return (NULL);
  }

  if (!upaBadgeCheckFile(fd, path, true) || (data = read_file(fd, path, 4096, &len)) == NULL)
  {
    close(fd);
    return (NULL);
  }

  close(fd);
  trim(data);
  len = strlen(data);

  if (len < 32 || len > 2 * sizeof(key->data) || (len & 1) || !is_hex_string(data, len) || (bytes = OPENSSL_hexstr2buf(data, &blen)) == NULL)
  {
    upaSetError(UPA_ERROR_CONFIG, "Badge key %s is not 32 to 256 hex digits.", path);
    OPENSSL_cleanse(data, len);
    free(data);
    return (NULL);
  }

  OPENSSL_cleanse(data, len);
  free(data);

  if ((key = calloc(1, sizeof(upa_badge_key_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
  }
  else
  {
    memcpy(key->data, bytes, (size_t)blen);
    key->len = (size_t)blen;
  }

  OPENSSL_clear_free(bytes, (size_t)blen);

  return (key);
}


//
// 'upaBadgeKeyCreate()' - Create a new random site key (0600); never overwrites.
//

bool					// O - true on success
upaBadgeKeyCreate(const char *path)	// I - Key file
{
  unsigned char	bytes[32];		// Key
  char		hex[2 * sizeof(bytes) + 2];
					// Hex text
  size_t	i;			// Looping var
  int		fd;			// New file
  bool		ret = false;		// Return value


  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
  {
    upaSetError(UPA_ERROR_INTERNAL, "Unable to get random bytes for the badge key.");
    return (false);
  }

  for (i = 0; i < sizeof(bytes); i ++)
    snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
  hex[2 * sizeof(bytes)]     = '\n';
  hex[2 * sizeof(bytes) + 1] = '\0';

  if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to create badge key %s: %s", path, strerror(errno));
  }
  else if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) || fsync(fd))
  {
    upaSetError(UPA_ERROR_IO, "Unable to write badge key %s: %s", path, strerror(errno));
    close(fd);
    unlink(path);
  }
  else if (close(fd))
  {
    upaSetError(UPA_ERROR_IO, "Unable to write badge key %s: %s", path, strerror(errno));
    unlink(path);
  }
  else
    ret = true;

  OPENSSL_cleanse(bytes, sizeof(bytes));
  OPENSSL_cleanse(hex, sizeof(hex));

  return (ret);
}


//
// 'upaBadgeKeyDelete()' - Wipe and free a site key.
//

void
upaBadgeKeyDelete(upa_badge_key_t *key)	// I - Key
{
  if (key)
    OPENSSL_clear_free(key, sizeof(upa_badge_key_t));
}


//
// 'upaBadgeHash()' - Keyed hash of a normalised badge ID (64 lower-case hex).
//

bool					// O - true on success
upaBadgeHash(const upa_badge_key_t *key,// I - Site key
             const char            *id,	// I - Normalised ID
             char                  *hash,// O - Hex digest
             size_t                hashsize)
					// I - Size of hash buffer (>= 65)
{
  if (!key || !id || !*id)
  {
    upaSetError(UPA_ERROR_ARGS, "upaBadgeHash: bad arguments.");
    return (false);
  }

  return (keyed_hash(key, id, strlen(id), hash, hashsize));
}


//
// 'upaBadgeTag()' - Short audit tag: the first 8 hex digits of a keyed hash.
//

void
upaBadgeTag(const char *hash,		// I - Keyed hash or NULL
            char       *tag,		// O - Tag
            size_t     tagsize)		// I - Size of tag buffer
{
  if (!hash || strlen(hash) < UPA_BADGE_TAG_LEN)
    upaCopyString(tag, "-", tagsize);
  else if (tagsize > 0)
  {
    size_t n = tagsize - 1 < UPA_BADGE_TAG_LEN ? tagsize - 1 : UPA_BADGE_TAG_LEN;
					// Digits to copy

    memcpy(tag, hash, n);
    tag[n] = '\0';
  }
}


//
// 'upaBadgeStoreParse()' - Parse store text (strict: any bad line fails).
//

upa_badge_store_t *			// O - Store or NULL if corrupt
upaBadgeStoreParse(const char *data,	// I - Text
                   size_t     len,	// I - Length
                   const char *name)	// I - Name for messages
{
  upa_badge_store_t	*store;		// Store
  const char		*ptr,		// Current line
			*end = data + len,
					// End of data
			*eol;		// End of line
  char			line[BADGE_MAX_LINE + 1],
					// Line copy
			*tok,		// Token
			*saveptr;	// strtok_r state
  int			linenum = 0;	// Line number


  if ((store = calloc(1, sizeof(upa_badge_store_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  upaCopyString(store->path, name, sizeof(store->path));

  if (!data)
    return (store);

  if (memchr(data, '\0', len))
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: badge store contains NUL bytes.", name);
    goto error;
  }

  for (ptr = data; ptr < end; ptr = eol + 1)
  {
    upa_badge_entry_t	e;		// Entry being parsed

    linenum ++;
    if ((eol = memchr(ptr, '\n', (size_t)(end - ptr))) == NULL)
      eol = end;

    if (eol - ptr > BADGE_MAX_LINE)
    {
      upaSetError(UPA_ERROR_CONFIG, "%s:%d: line too long.", name, linenum);
      goto error;
    }

    memcpy(line, ptr, (size_t)(eol - ptr));
    line[eol - ptr] = '\0';
    trim(line);

    if (!line[0] || line[0] == '#')
      continue;

    memset(&e, 0, sizeof(e));
    saveptr = NULL;

    if ((tok = strtok_r(line, " \t", &saveptr)) == NULL || strlen(tok) != UPA_BADGE_HASH_LEN || !is_hex_string(tok, UPA_BADGE_HASH_LEN))
    {
      upaSetError(UPA_ERROR_CONFIG, "%s:%d: bad badge hash.", name, linenum);
      goto error;
    }
    memcpy(e.hash, tok, UPA_BADGE_HASH_LEN + 1);
    for (tok = e.hash; *tok; tok ++)
      *tok = (char)tolower(*tok & 255);

    if ((tok = strtok_r(NULL, " \t", &saveptr)) == NULL || !upaBadgeValidUPN(tok))
    {
      upaSetError(UPA_ERROR_CONFIG, "%s:%d: missing or bad user name.", name, linenum);
      goto error;
    }
    upaCopyString(e.upn, tok, sizeof(e.upn));

    while ((tok = strtok_r(NULL, " \t", &saveptr)) != NULL)
    {
      if (!strncmp(tok, "pin=", 4) && tok[4] == '$' && strlen(tok + 4) < sizeof(e.pin))
        upaCopyString(e.pin, tok + 4, sizeof(e.pin));
      else if (!strcmp(tok, "disabled"))
        e.disabled = true;
      else if (!strncmp(tok, "expires=", 8) && parse_time(tok + 8, &e.expires))
        ;
      else if (!strncmp(tok, "created=", 8) && parse_time(tok + 8, &e.created))
        ;
      else
      {
        upaSetError(UPA_ERROR_CONFIG, "%s:%d: bad field.", name, linenum);
        goto error;
      }
    }

    if (upaBadgeStoreFind(store, e.hash))
    {
      upaSetError(UPA_ERROR_CONFIG, "%s:%d: duplicate badge hash.", name, linenum);
      goto error;
    }

    if (!upaBadgeStorePut(store, &e))
      goto error;
  }

  OPENSSL_cleanse(line, sizeof(line));

  return (store);

  error:

  OPENSSL_cleanse(line, sizeof(line));
  upaBadgeStoreDelete(store);

  return (NULL);
}


//
// 'upaBadgeStoreLoad()' - Load the store file (ownership and mode checked).
//

upa_badge_store_t *			// O - Store or NULL on error
upaBadgeStoreLoad(const char *path,	// I - Store file
                  bool       missing_ok)// I - Missing file = empty store?
{
  int			fd;		// File
  char			*data;		// Contents
  size_t		len;		// Length
  upa_badge_store_t	*store;		// Store


  if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)) < 0)
  {
    if (errno == ENOENT && missing_ok)
      return (upaBadgeStoreParse(NULL, 0, path));

    upaSetError(UPA_ERROR_IO, "Unable to open badge store %s: %s", path, strerror(errno));
    return (NULL);
  }

  if (!upaBadgeCheckFile(fd, path, true) || (data = read_file(fd, path, BADGE_MAX_FILE, &len)) == NULL)
  {
    close(fd);
    return (NULL);
  }

  close(fd);

  store = upaBadgeStoreParse(data, len, path);

  OPENSSL_cleanse(data, len);
  free(data);

  return (store);
}


//
// 'upaBadgeStoreSave()' - Write the store atomically (mode 0600).
//

bool					// O - true on success
upaBadgeStoreSave(
    const upa_badge_store_t *store)	// I - Store
{
  upa_buffer_t	buf = { NULL, 0, 0 };	// Text
  size_t	i;			// Looping var
  bool		ok;			// Result


  ok = buffer_printf(&buf, "# cups-upa badge store: HMAC-SHA-256(site key, badge) user [pin=HASH] [disabled] [expires=TIME] [created=TIME]\n");

  for (i = 0; ok && i < store->num_entries; i ++)
  {
    const upa_badge_entry_t *e = store->entries + i;
					// Entry

    ok = buffer_printf(&buf, "%s %s", e->hash, e->upn);
    if (ok && e->pin[0])
      ok = buffer_printf(&buf, " pin=%s", e->pin);
    if (ok && e->disabled)
      ok = buffer_printf(&buf, " disabled");
    if (ok && e->expires)
      ok = buffer_printf(&buf, " expires=%lld", (long long)e->expires);
    if (ok && e->created)
      ok = buffer_printf(&buf, " created=%lld", (long long)e->created);
    if (ok)
      ok = buffer_printf(&buf, "\n");
  }

  if (ok)
    ok = upaWriteFileAtomic(store->path, buf.data, buf.len, 0600);
  else
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");

  if (buf.data)
    OPENSSL_cleanse(buf.data, buf.size);
  upaBufferClear(&buf);

  return (ok);
}


//
// 'upaBadgeStoreFind()' - Find a mapping by keyed hash (borrowed pointer).
//

upa_badge_entry_t *			// O - Entry or NULL
upaBadgeStoreFind(
    upa_badge_store_t *store,		// I - Store
    const char        *hash)		// I - Keyed hash
{
  size_t	i;			// Looping var


  if (!store || !hash)
    return (NULL);

  for (i = 0; i < store->num_entries; i ++)
  {
    // Hashes are public within the store; constant time anyway.
    if (CRYPTO_memcmp(store->entries[i].hash, hash, UPA_BADGE_HASH_LEN) == 0 && strlen(hash) == UPA_BADGE_HASH_LEN)
      return (store->entries + i);
  }

  return (NULL);
}


//
// 'upaBadgeStorePut()' - Add or replace a mapping.
//

bool					// O - true on success
upaBadgeStorePut(
    upa_badge_store_t       *store,	// I - Store
    const upa_badge_entry_t *entry)	// I - Mapping
{
  upa_badge_entry_t	*e;		// Existing entry


  if ((e = upaBadgeStoreFind(store, entry->hash)) != NULL)
  {
    *e = *entry;
    return (true);
  }

  if (store->num_entries >= store->alloc_entries)
  {
    size_t		n = store->alloc_entries ? 2 * store->alloc_entries : 16;
					// New size
    upa_badge_entry_t	*temp;		// New array

    if ((temp = realloc(store->entries, n * sizeof(upa_badge_entry_t))) == NULL)
    {
      upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
      return (false);
    }

    store->entries       = temp;
    store->alloc_entries = n;
  }

  store->entries[store->num_entries ++] = *entry;

  return (true);
}


//
// 'upaBadgeStoreRemove()' - Remove the mapping of one badge.
//

bool					// O - true if it was there
upaBadgeStoreRemove(
    upa_badge_store_t *store,		// I - Store
    const char        *hash)		// I - Keyed hash
{
  upa_badge_entry_t	*e;		// Entry


  if ((e = upaBadgeStoreFind(store, hash)) == NULL)
    return (false);

  store->num_entries --;
  memmove(e, e + 1, (size_t)(store->entries + store->num_entries - e) * sizeof(upa_badge_entry_t));

  return (true);
}


//
// 'upaBadgeStoreRemoveUser()' - Remove every mapping of a user.
//

int					// O - Number removed
upaBadgeStoreRemoveUser(
    upa_badge_store_t *store,		// I - Store
    const char        *upn)		// I - User
{
  size_t	i,			// Looping var
		j;			// Kept entries
  int		removed = 0;		// Removed


  for (i = 0, j = 0; i < store->num_entries; i ++)
  {
    if (!strcasecmp(store->entries[i].upn, upn))
      removed ++;
    else
      store->entries[j ++] = store->entries[i];
  }

  store->num_entries = j;

  return (removed);
}


//
// 'upaBadgeStoreDelete()' - Wipe and free a store.
//

void
upaBadgeStoreDelete(
    upa_badge_store_t *store)		// I - Store
{
  if (!store)
    return;

  if (store->entries)
    OPENSSL_clear_free(store->entries, store->alloc_entries * sizeof(upa_badge_entry_t));

  free(store);
}


//
// 'upaBadgeStoreLock()' - Lock the store for a read-modify-write (<store>.lock).
//

int					// O - Lock descriptor or -1
upaBadgeStoreLock(const char *path)	// I - Store file
{
  char	lockfile[1100];			// Lock file
  int	fd;				// Descriptor


  snprintf(lockfile, sizeof(lockfile), "%s.lock", path);

  if ((fd = open(lockfile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", lockfile, strerror(errno));
    return (-1);
  }

  while (flock(fd, LOCK_EX))
  {
    if (errno != EINTR)
    {
      upaSetError(UPA_ERROR_IO, "Unable to lock %s: %s", lockfile, strerror(errno));
      close(fd);
      return (-1);
    }
  }

  return (fd);
}


//
// 'upaBadgeStoreUnlock()' - Release a store lock.
//

void
upaBadgeStoreUnlock(int fd)		// I - Lock descriptor
{
  if (fd >= 0)
    close(fd);				// Closing drops the flock()
}


//
// 'upaBadgePINHash()' - Hash a PIN with yescrypt (libxcrypt, random salt).
//

bool					// O - true on success
upaBadgePINHash(const char *pin,	// I - PIN
                char       *hash,	// O - crypt() string
                size_t     hashsize)	// I - Size of hash buffer
{
  char			setting[CRYPT_GENSALT_OUTPUT_SIZE];
					// Salt/setting
  struct crypt_data	*cd;		// crypt_rn() scratch
  bool			ret = false;	// Return value


  if (!pin || !*pin || strlen(pin) > BADGE_MAX_PIN)
  {
    upaSetError(UPA_ERROR_ARGS, "PIN must be 1 to %d characters.", BADGE_MAX_PIN);
    return (false);
  }

  if (!crypt_gensalt_rn("$y$", 0, NULL, 0, setting, sizeof(setting)))
  {
    upaSetError(UPA_ERROR_INTERNAL, "Unable to create a yescrypt salt: %s", strerror(errno));
    return (false);
  }

  if ((cd = calloc(1, sizeof(struct crypt_data))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  if (!crypt_rn(pin, setting, cd, (int)sizeof(struct crypt_data)) || cd->output[0] == '*')
    upaSetError(UPA_ERROR_INTERNAL, "Unable to hash the PIN.");
  else if (!upaCopyString(hash, cd->output, hashsize))
    upaSetError(UPA_ERROR_ARGS, "PIN hash buffer too small.");
  else
    ret = true;

  OPENSSL_clear_free(cd, sizeof(struct crypt_data));

  return (ret);
}


//
// 'upaBadgePINVerify()' - Check a PIN against its crypt() hash in constant time.
//

bool					// O - true if the PIN matches
upaBadgePINVerify(const char *pin,	// I - PIN typed
                  const char *hash)	// I - Stored hash
{
  struct crypt_data	*cd;		// crypt_rn() scratch
  size_t		hlen;		// Hash length
  bool			ret = false;	// Return value


  if (!pin || !hash || hash[0] != '$' || strlen(pin) > BADGE_MAX_PIN)
    return (false);

  if ((cd = calloc(1, sizeof(struct crypt_data))) == NULL)
    return (false);

  hlen = strlen(hash);

  if (crypt_rn(pin, hash, cd, (int)sizeof(struct crypt_data)) && cd->output[0] != '*' && strlen(cd->output) == hlen && CRYPTO_memcmp(cd->output, hash, hlen) == 0)
    ret = true;

  OPENSSL_clear_free(cd, sizeof(struct crypt_data));

  return (ret);
}


//
// 'upaBadgeThrottleBegin()' - Check lockout and debounce before an attempt, and reserve it.
//
// Under one lock: refuse while the badge (at this station), the station
// (StationMaxFailures) or the station's unknown badges (UnknownMaxFailures)
// are locked out, or while the failures so far plus the attempts already
// under way reach the limit; otherwise count this attempt as under way
// ("pending") until upaBadgeThrottleEnd().  So N parallel attempts never
// get more than MaxFailures checks: the check and the update are one step.
//

upa_badge_throttle_t			// O - What to do
upaBadgeThrottleBegin(
    const upa_badge_config_t *bc,	// I - Configuration
    const upa_badge_key_t    *key,	// I - Site key
    const char               *hash,	// I - Keyed hash of the badge
    const char               *station,	// I - Station name
    time_t                   now,	// I - Current time
    time_t                   *until)	// O - Locked until (LOCKED)
{
  throttle_db_t		db;		// State file
  unsigned char		keys[THROTTLE_KINDS][32],
					// Record keys
			owner[32];	// Badge-only key
  int			maxes[THROTTLE_KINDS];
					// Limits
  throttle_rec_t	recs[THROTTLE_KINDS];
					// Records
  long			slots[THROTTLE_KINDS];
					// Their slots (-1 = none yet)
  time_t		rnow[THROTTLE_KINDS];
					// Current time for each record (throttle_clock())
  int			i;		// Looping var
  upa_badge_throttle_t	ret = UPA_BADGE_THROTTLE_OK;
					// Result


  if (until)
    *until = 0;

  if (bc->max_failures == 0 && bc->station_max_failures == 0 && bc->unknown_max_failures == 0 && bc->debounce_time == 0)
    return (UPA_BADGE_THROTTLE_OK);

  maxes[THROTTLE_BADGE]   = bc->max_failures;
  maxes[THROTTLE_STATION] = bc->station_max_failures;
  maxes[THROTTLE_UNKNOWN] = bc->unknown_max_failures;

  if (!throttle_key(key, "badge", station, hash, keys[THROTTLE_BADGE]) || !throttle_key(key, "station", station, NULL, keys[THROTTLE_STATION]) || !throttle_key(key, "unknown", station, NULL, keys[THROTTLE_UNKNOWN]) || !throttle_key(key, "owner", NULL, hash, owner))
    return (UPA_BADGE_THROTTLE_ERROR);

  if (!throttle_open(bc, &db))
    return (UPA_BADGE_THROTTLE_ERROR);

  // Check every record first...
  for (i = 0; i < THROTTLE_KINDS; i ++)
  {
    if (i != THROTTLE_BADGE && maxes[i] == 0)
    {
      slots[i] = -1;
      continue;
    }

    if ((slots[i] = throttle_find(&db, keys[i], false, bc, now, recs + i)) == -2)
    {
      ret = UPA_BADGE_THROTTLE_ERROR;
      break;
    }

    if (slots[i] < 0)
      continue;

    rnow[i] = throttle_clock(recs + i, now);
    throttle_normalize(bc, recs + i, rnow[i]);

    if (recs[i].locked_until > rnow[i])
    {
      ret = UPA_BADGE_THROTTLE_LOCKED;
      if (until && recs[i].locked_until > *until)
        *until = (time_t)recs[i].locked_until;
    }
    else if (maxes[i] > 0 && recs[i].failures + recs[i].pending >= maxes[i])
    {
      // The attempts under way may use up the rest: wait for them
      ret = UPA_BADGE_THROTTLE_LOCKED;
      if (until && *until < rnow[i])
        *until = rnow[i];
    }
  }

  if (ret == UPA_BADGE_THROTTLE_OK && bc->debounce_time > 0 && slots[THROTTLE_BADGE] >= 0 && recs[THROTTLE_BADGE].last_tap <= rnow[THROTTLE_BADGE] && rnow[THROTTLE_BADGE] - recs[THROTTLE_BADGE].last_tap < bc->debounce_time)
    ret = UPA_BADGE_THROTTLE_DEBOUNCED;

  // ... then reserve this attempt in each of them
  for (i = 0; ret == UPA_BADGE_THROTTLE_OK && i < THROTTLE_KINDS; i ++)
  {
    if (i != THROTTLE_BADGE && maxes[i] == 0)
      continue;

    if (slots[i] < 0)
    {
      if ((slots[i] = throttle_find(&db, keys[i], true, bc, now, recs + i)) < 0)
      {
        ret = UPA_BADGE_THROTTLE_ERROR;
        break;
      }
      rnow[i] = now;
      if (i == THROTTLE_BADGE)
      {
        memcpy(recs[i].owner, owner, sizeof(owner));
        memcpy(recs[i].where, keys[THROTTLE_STATION], sizeof(recs[i].where));
      }
    }

    recs[i].pending ++;
    recs[i].last_tap = rnow[i];

    if (!throttle_write(&db, slots[i], recs + i))
      ret = UPA_BADGE_THROTTLE_ERROR;
  }

  OPENSSL_cleanse(keys, sizeof(keys));
  OPENSSL_cleanse(owner, sizeof(owner));

  if (!throttle_close(&db, ret != UPA_BADGE_THROTTLE_ERROR))
    ret = UPA_BADGE_THROTTLE_ERROR;

  upaLog(UPA_LOG_DEBUG, "Badge throttle: %s.", ret == UPA_BADGE_THROTTLE_OK ? "go ahead" : ret == UPA_BADGE_THROTTLE_LOCKED ? "locked out" : ret == UPA_BADGE_THROTTLE_DEBOUNCED ? "debounced" : "state unusable");

  return (ret);
}


//
// 'upaBadgeThrottleEnd()' - Record the outcome of an attempt.
//
// Ends the reservation upaBadgeThrottleBegin() made (if any), then: a success
// clears the badge's failures; a failure counts against the badge (and the
// station when StationMaxFailures is set); an unknown badge counts like a
// failure and against the station's UnknownMaxFailures too; a neutral outcome
// (not the user's doing: service down, conversation failed) counts nothing.
// MaxFailures (or the station limits) within FailureWindow lock out for
// LockoutTime.  UPA_BADGE_OUTCOME_CLEARED ends no reservation (no Begin()
// made one): it only clears the badge's failures and lockout, as a success
// would (a badge just registered by a user the PAM stack authenticated).
//

bool					// O - true on success
upaBadgeThrottleEnd(
    const upa_badge_config_t *bc,	// I - Configuration
    const upa_badge_key_t    *key,	// I - Site key
    const char               *hash,	// I - Keyed hash of the badge
    const char               *station,	// I - Station name
    upa_badge_outcome_t      outcome,	// I - How the attempt ended
    time_t                   now)	// I - Current time
{
  throttle_db_t		db;		// State file
  unsigned char		keys[THROTTLE_KINDS][32],
					// Record keys
			owner[32];	// Badge-only key
  int			maxes[THROTTLE_KINDS];
					// Limits
  throttle_rec_t	r;		// Record
  long			slot;		// Its slot
  time_t		rnow;		// Current time for the record (throttle_clock())
  int			i;		// Looping var
  bool			ok = true,	// Result
			counts;		// Does the outcome count for this record?


  if (bc->max_failures == 0 && bc->station_max_failures == 0 && bc->unknown_max_failures == 0 && bc->debounce_time == 0)
    return (true);

  maxes[THROTTLE_BADGE]   = bc->max_failures;
  maxes[THROTTLE_STATION] = bc->station_max_failures;
  maxes[THROTTLE_UNKNOWN] = bc->unknown_max_failures;

  if (!throttle_key(key, "badge", station, hash, keys[THROTTLE_BADGE]) || !throttle_key(key, "station", station, NULL, keys[THROTTLE_STATION]) || !throttle_key(key, "unknown", station, NULL, keys[THROTTLE_UNKNOWN]) || !throttle_key(key, "owner", NULL, hash, owner))
    return (false);

  if (!throttle_open(bc, &db))
    return (false);

  for (i = 0; ok && i < THROTTLE_KINDS; i ++)
  {
    if ((i != THROTTLE_BADGE && maxes[i] == 0) || (i != THROTTLE_BADGE && outcome == UPA_BADGE_OUTCOME_CLEARED))
      continue;

    if (i == THROTTLE_BADGE)
      counts = outcome != UPA_BADGE_OUTCOME_NEUTRAL && outcome != UPA_BADGE_OUTCOME_CLEARED;
    else if (i == THROTTLE_STATION)
      counts = outcome == UPA_BADGE_OUTCOME_FAILURE || outcome == UPA_BADGE_OUTCOME_UNKNOWN;
    else
      counts = outcome == UPA_BADGE_OUTCOME_UNKNOWN;

    if ((slot = throttle_find(&db, keys[i], counts, bc, now, &r)) == -2 || (slot < 0 && counts))
    {
      ok = false;
      break;
    }

    if (slot < 0)
      continue;				// Nothing reserved, nothing to count

    rnow = throttle_clock(&r, now);
    throttle_normalize(bc, &r, rnow);

    if (r.pending > 0 && outcome != UPA_BADGE_OUTCOME_CLEARED)
      r.pending --;

    if (i == THROTTLE_BADGE)
    {
      r.last_tap = rnow;
      memcpy(r.owner, owner, sizeof(owner));
      memcpy(r.where, keys[THROTTLE_STATION], sizeof(r.where));

      if (outcome == UPA_BADGE_OUTCOME_SUCCESS || outcome == UPA_BADGE_OUTCOME_CLEARED)
      {
        r.failures     = 0;
        r.window_start = 0;
        r.locked_until = 0;
      }
      else if (counts)
        throttle_count(bc, &r, maxes[i], rnow);
    }
    else if (counts)
      throttle_count(bc, &r, maxes[i], rnow);

    ok = throttle_write(&db, slot, &r);
  }

  OPENSSL_cleanse(keys, sizeof(keys));
  OPENSSL_cleanse(owner, sizeof(owner));

  return (throttle_close(&db, ok));
}


//
// 'upaBadgeUnlock()' - Clear lockouts (an admin's "unlock").
//
// With "hash" (a badge's keyed hash, upaBadgeHash()): that badge's records,
// at "station" or, with station NULL, at every station.  With hash NULL and
// a station: every record of that station (StationMaxFailures,
// UnknownMaxFailures and every badge there).  With both NULL: every record.  To unlock a user, pass
// the hash of each of their badges in the store.  Clearing all stations of a
// badge or a whole station reads the whole state file (a few MB): an admin
// command, never a tap.
//

int					// O - Records cleared or -1 on error
upaBadgeUnlock(
    const upa_badge_config_t *bc,	// I - Configuration
    const upa_badge_key_t    *key,	// I - Site key
    const char               *hash,	// I - Badge keyed hash or NULL
    const char               *station)	// I - Station or NULL
{
  throttle_db_t		db;		// State file
  unsigned char		match[THROTTLE_KINDS][32];
					// Keys to clear (one station)
  unsigned char		owner[32];	// Badge-only key
  throttle_rec_t	*recs = NULL;	// A batch of slots
  const size_t		batch = 1024;	// Slots per read
  long			slot,		// Current slot
			j;		// Looping var
  int			i,		// Looping var
			nmatch = 0,	// Keys in match
			cleared = 0;	// Records cleared
  bool			ok = true;	// Still fine?
  throttle_rec_t	zero;		// A free slot


  memset(&zero, 0, sizeof(zero));

  if (hash && !throttle_key(key, "owner", NULL, hash, owner))
    return (-1);

  if (station)
  {
    if (hash)
    {
      if (!throttle_key(key, "badge", station, hash, match[nmatch ++]))
        return (-1);
    }
    else if (!throttle_key(key, "station", station, NULL, match[nmatch ++]) || !throttle_key(key, "unknown", station, NULL, match[nmatch ++]))
      return (-1);
  }

  if (!throttle_open(bc, &db))
    return (-1);

  if ((recs = calloc(batch, sizeof(throttle_rec_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    throttle_close(&db, false);
    return (-1);
  }

  for (slot = 0; ok && slot < THROTTLE_SLOTS; slot += (long)batch)
  {
    ssize_t bytes = pread(db.fd, recs, batch * sizeof(throttle_rec_t), (off_t)((slot + 1) * (long)sizeof(throttle_rec_t)));
					// Bytes read

    if (bytes < 0)
    {
      upaSetError(UPA_ERROR_IO, "Unable to read %s: %s", db.path, strerror(errno));
      ok = false;
      break;
    }

    for (j = 0; ok && j < (long)batch && (size_t)(j + 1) * sizeof(throttle_rec_t) <= (size_t)bytes; j ++)
    {
      bool clear = false;		// Clear this record?

      if (recs[j].magic != THROTTLE_MAGIC)
        continue;

      if (!hash && !station)
        clear = true;
      else if (hash && !station)
        clear = !CRYPTO_memcmp(recs[j].owner, owner, sizeof(owner));
      else
      {
        for (i = 0; i < nmatch && !clear; i ++)
          clear = !CRYPTO_memcmp(recs[j].key, match[i], sizeof(match[i]));

        // Every badge at the station (their "where" is the station key)
        if (!hash && !clear)
          clear = !CRYPTO_memcmp(recs[j].where, match[0], sizeof(recs[j].where));
      }

      if (clear)
      {
        ok = throttle_write(&db, slot + j, &zero);
        cleared ++;
      }
    }
  }

  free(recs);
  OPENSSL_cleanse(match, sizeof(match));
  OPENSSL_cleanse(owner, sizeof(owner));

  if (!throttle_close(&db, ok))
    return (-1);

  upaLog(UPA_LOG_INFO, "Badge unlock: %d lockout record%s cleared.", cleared, cleared == 1 ? "" : "s");

  return (cleared);
}


//
// 'upaBadgeValidUPN()' - Check a UPN/user name is safe to store and log.
//

bool					// O - true if valid
upaBadgeValidUPN(const char *upn)	// I - User name
{
  const char	*ptr;			// Pointer into name
  int		ats = 0;		// '@' characters


  if (!upn || !isalnum(*upn & 255) || strlen(upn) > 255)
    return (false);

  for (ptr = upn; *ptr; ptr ++)
  {
    if (*ptr == '@')
      ats ++;
    else if (!isalnum(*ptr & 255) && !strchr("._%+-'", *ptr))
      return (false);
  }

  return (ats <= 1 && ptr[-1] != '@');
}


//
// 'upaBadgeLookupString()' - Name of a lookup outcome (for logs).
//

const char *				// O - Name
upaBadgeLookupString(
    upa_badge_lookup_t result)		// I - Outcome
{
  static const char * const names[] =	// Names
  {
    "ok", "not-found", "bad-request", "unauthorized", "forbidden",
    "server-error", "network", "protocol", "config", "ambiguous"
  };


  if ((int)result < 0 || (size_t)result >= sizeof(names) / sizeof(names[0]))
    return ("unknown");

  return (names[result]);
}


//
// 'upaBadgeLookupParse()' - Map a badge lookup response to an outcome.
//
// 200 {"badgeId","userURI":"mailto:UPN","userId":"<guid>"|null}; 400 empty
// id; 401 bad token; 403 PrintBadges.Read missing or tenant not enabled;
// 404 unknown badge; anything else a server error; status 0 no response.
//

upa_badge_lookup_t			// O - Outcome
upaBadgeLookupParse(int              status,
					// I - HTTP status (0 = none)
                    const char       *body,
					// I - Response body
                    size_t           len,
					// I - Body length
                    upa_badge_user_t *user)
					// O - User (OK only)
{
  json_tokener		*tok;		// Parser
  json_object		*json,		// Body
			*value;		// Member
  const char		*uri;		// userURI
  upa_badge_lookup_t	ret;		// Outcome


  memset(user, 0, sizeof(upa_badge_user_t));

  switch (status)
  {
    case 0 :
        upaSetError(UPA_ERROR_NETWORK, "Badge lookup: no response from the cloud.");
        return (UPA_BADGE_LOOKUP_NETWORK);
    case 200 :
        break;
    case 400 :
        upaSetError(UPA_ERROR_HTTP, "Badge lookup refused the badge id (HTTP 400).");
        return (UPA_BADGE_LOOKUP_BAD_REQUEST);
    case 401 :
        upaSetError(UPA_ERROR_AUTH, "Badge lookup refused the device token (HTTP 401).");
        return (UPA_BADGE_LOOKUP_UNAUTHORIZED);
    case 403 :
        upaSetError(UPA_ERROR_AUTH, "Badge lookup forbidden (HTTP 403): PrintBadges.Read missing or badge release not enabled for the tenant.");
        return (UPA_BADGE_LOOKUP_FORBIDDEN);
    case 404 :
        upaSetError(UPA_ERROR_NOT_FOUND, "Badge not known to the cloud (HTTP 404).");
        return (UPA_BADGE_LOOKUP_NOT_FOUND);
    default :
        upaSetError(status == 429 || status == 503 ? UPA_ERROR_BUSY : UPA_ERROR_HTTP, "Badge lookup failed (HTTP %d).", status);
        return (UPA_BADGE_LOOKUP_SERVER_ERROR);
  }

  if (!body || len == 0 || len > 65536 || (tok = json_tokener_new()) == NULL)
  {
    upaSetError(UPA_ERROR_PROTOCOL, "Badge lookup: empty or oversized response.");
    return (UPA_BADGE_LOOKUP_PROTOCOL);
  }

  json = json_tokener_parse_ex(tok, body, (int)len);
  if (json && json_tokener_get_error(tok) != json_tokener_success)
  {
    json_object_put(json);
    json = NULL;
  }
  json_tokener_free(tok);

  ret = UPA_BADGE_LOOKUP_PROTOCOL;

  if (!json || !json_object_is_type(json, json_type_object))
    upaSetError(UPA_ERROR_PROTOCOL, "Badge lookup: response is not a JSON object.");
  else if (!json_object_object_get_ex(json, "userURI", &value) || !json_object_is_type(value, json_type_string) || (uri = json_object_get_string(value)) == NULL || strncasecmp(uri, "mailto:", 7) || !upaBadgeValidUPN(uri + 7) || !strchr(uri + 7, '@'))
    upaSetError(UPA_ERROR_PROTOCOL, "Badge lookup: response has no usable mailto: userURI.");
  else
  {
    upaCopyString(user->upn, uri + 7, sizeof(user->upn));

    if (json_object_object_get_ex(json, "userId", &value) && json_object_is_type(value, json_type_string))
      upaCopyString(user->user_id, json_object_get_string(value), sizeof(user->user_id));

    ret = UPA_BADGE_LOOKUP_OK;
  }

  json_object_put(json);

  return (ret);
}


//
// 'upaBadgeLookupCloud()' - Ask Universal Print who owns a badge.
//
// POST {PrintURL}/api/v2.0/badges/lookup {"badgeId":"..."} (or the legacy
// GET {PrintURL}/api/v1.0/badges/{urlencoded id}) with the device token;
// on 401 the token is renewed once.
//

upa_badge_lookup_t			// O - Outcome
upaBadgeLookupCloud(
    upa_http_t         *http,		// I - HTTPS session
    const upa_config_t *cfg,		// I - Configuration
    const upa_device_t *dev,		// I - Device whose token to use
    const char         *id,		// I - Normalised badge ID
    bool               legacy,		// I - Use the v1.0 GET form?
    upa_badge_user_t   *user)		// O - User
{
  char			token[8192],	// Device token
			url[2048],	// Request URL
			logurl[1100] = "";
					// URL as logged (no badge ID)
  json_object		*json = NULL;	// Request body
  const char		*body = NULL;	// Request body text
  upa_http_request_t	req;		// Request
  upa_http_response_t	resp;		// Response
  upa_badge_lookup_t	ret = UPA_BADGE_LOOKUP_CONFIG;
					// Outcome
  int			attempt;	// Attempt number


  memset(user, 0, sizeof(upa_badge_user_t));
  memset(&resp, 0, sizeof(resp));

  if (!http || !cfg || !dev || !cfg->print_url[0])
  {
    upaSetError(UPA_ERROR_ARGS, "Badge lookup: no cloud device configured.");
    return (UPA_BADGE_LOOKUP_CONFIG);
  }

  if (!id || !*id)
  {
    upaSetError(UPA_ERROR_ARGS, "Badge lookup: empty badge id.");
    return (UPA_BADGE_LOOKUP_BAD_REQUEST);
  }

  if (legacy)
  {
    CURL	*curl;			// Handle for curl_easy_escape()
    char	*escaped = NULL;	// URL-encoded ID

    if ((curl = curl_easy_init()) != NULL)
      escaped = curl_easy_escape(curl, id, 0);

    if (!escaped)
    {
      if (curl)
        curl_easy_cleanup(curl);
      upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
      return (UPA_BADGE_LOOKUP_CONFIG);
    }

    snprintf(url, sizeof(url), "%s/api/v1.0/badges/%s", cfg->print_url, escaped);
    snprintf(logurl, sizeof(logurl), "%s/api/v1.0/badges/(badge id withheld)", cfg->print_url);
    OPENSSL_cleanse(escaped, strlen(escaped));
    curl_free(escaped);
    curl_easy_cleanup(curl);
  }
  else
  {
    snprintf(url, sizeof(url), "%s/api/v2.0/badges/lookup", cfg->print_url);

    if ((json = json_object_new_object()) == NULL || json_object_object_add(json, "badgeId", json_object_new_string(id)) || (body = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN)) == NULL)
    {
      json_object_put(json);
      upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
      return (UPA_BADGE_LOOKUP_CONFIG);
    }
  }

  for (attempt = 0; attempt < 2; attempt ++)
  {
    if (!upaTokenGet(http, cfg, dev, attempt > 0 ? token : NULL, token, sizeof(token), NULL))
    {
      upa_error_t err = upaLastError();	// Why

      ret = err == UPA_ERROR_NETWORK || err == UPA_ERROR_BUSY ? UPA_BADGE_LOOKUP_NETWORK : err == UPA_ERROR_AUTH ? UPA_BADGE_LOOKUP_UNAUTHORIZED : UPA_BADGE_LOOKUP_CONFIG;
      break;
    }

    memset(&req, 0, sizeof(req));
    req.method       = legacy ? "GET" : "POST";
    req.url          = url;
    req.bearer       = token;
    req.content_type = legacy ? NULL : "application/json";
    req.body         = body;
    req.body_len     = body ? strlen(body) : 0;

    upaHTTPResponseClear(&resp);

    // The v1.0 URL carries the badge ID: keep it out of the debug log
    if (legacy)
      req.log_url = logurl;

    if (!upaHTTPDo(http, &req, &resp))
      resp.status = 0;

    ret = upaBadgeLookupParse(resp.status, resp.body.data, resp.body.len, user);

    if (ret != UPA_BADGE_LOOKUP_UNAUTHORIZED)
      break;

    upaLog(UPA_LOG_DEBUG, "Badge lookup: HTTP 401, renewing the device token.");
  }

  upaLog(UPA_LOG_DEBUG, "Badge lookup %s %s: %s.", legacy ? "GET" : "POST", legacy ? "/api/v1.0/badges/..." : url, upaBadgeLookupString(ret));

  OPENSSL_cleanse(token, sizeof(token));
  OPENSSL_cleanse(url, sizeof(url));
  if (body)
    OPENSSL_cleanse((void *)body, strlen(body));
  json_object_put(json);
  if (resp.body.data)
    OPENSSL_cleanse(resp.body.data, resp.body.len);
  upaHTTPResponseClear(&resp);

  return (ret);
}


//
// 'buffer_printf()' - Append formatted text to a buffer.
//

static bool				// O - true on success
buffer_printf(upa_buffer_t *buf,	// I - Buffer
              const char   *format,	// I - printf format
              ...)			// I - Arguments
{
  char		temp[2048];		// Formatted text
  va_list	ap;			// Arguments
  int		len;			// Length


  va_start(ap, format);
  len = vsnprintf(temp, sizeof(temp), format, ap);
  va_end(ap);

  if (len < 0 || (size_t)len >= sizeof(temp))
    return (false);

  return (upaBufferAppend(buf, temp, (size_t)len));
}


//
// 'config_bool()' - Parse a boolean value.
//

static bool				// O - true if valid
config_bool(const char *value,		// I - Text
            bool       *b)		// O - Value
{
  if (!strcasecmp(value, "yes") || !strcasecmp(value, "on") || !strcasecmp(value, "true"))
    *b = true;
  else if (!strcasecmp(value, "no") || !strcasecmp(value, "off") || !strcasecmp(value, "false"))
    *b = false;
  else
    return (false);

  return (true);
}


//
// 'config_int()' - Parse a bounded integer value.
//

static bool				// O - true if valid
config_int(const char *value,		// I - Text
           int        minval,		// I - Minimum
           int        maxval,		// I - Maximum
           int        *i)		// O - Value
{
  char	*end;				// End of number
  long	l;				// Number


  errno = 0;
  l     = strtol(value, &end, 10);

  if (errno || end == value || *end || l < minval || l > maxval)
    return (false);

  *i = (int)l;

  return (true);
}


//
// 'config_ldap()' - Parse one LDAP* directive of badge.conf.
//
// Values are checked here so mistakes show at load time ("upactl badge
// test" and the first tap), not as a confusing server error later.
//

static bool				// O - true if valid
config_ldap(upa_badge_config_t *bc,	// I - Configuration
            const char         *name,	// I - Directive
            const char         *value,	// I - Value
            const char         *path,	// I - File (for messages)
            int                linenum)	// I - Line (for messages)
{
  const char	*ptr;			// Pointer into value
  int		conversions = 0;	// "%s" in a filter


  if (!strcasecmp(name, "LDAPURI"))
  {
    char	copy[1024],		// Working copy
		*tok,			// One URI
		*saveptr = NULL;	// strtok_r state

    if (!upaCopyString(copy, value, sizeof(copy)))
      return (false);

    for (tok = strtok_r(copy, " \t", &saveptr); tok; tok = strtok_r(NULL, " \t", &saveptr))
    {
      if (strncasecmp(tok, "ldap://", 7) && strncasecmp(tok, "ldaps://", 8))
      {
        upaSetError(UPA_ERROR_CONFIG, "%s:%d: LDAPURI \"%s\" is not an ldap:// or ldaps:// URI.", path, linenum, tok);
        return (false);
      }
    }

    return (upaCopyString(bc->ldap_uri, value, sizeof(bc->ldap_uri)));
  }
  else if (!strcasecmp(name, "LDAPStartTLS"))
    return (config_bool(value, &bc->ldap_starttls));
  else if (!strcasecmp(name, "LDAPCAFile"))
    return (value[0] == '/' && upaCopyString(bc->ldap_cafile, value, sizeof(bc->ldap_cafile)));
  else if (!strcasecmp(name, "LDAPBase"))
    return (upaCopyString(bc->ldap_base, value, sizeof(bc->ldap_base)));
  else if (!strcasecmp(name, "LDAPFilter"))
  {
    // Exactly one "%s" (the escaped ID) and no other conversion: the filter
    // is expanded by plain substitution, never by printf.
    for (ptr = value; (ptr = strchr(ptr, '%')) != NULL; ptr ++)
    {
      if (ptr[1] != 's')
      {
        upaSetError(UPA_ERROR_CONFIG, "%s:%d: LDAPFilter may only contain \"%%s\" (write a literal %% as \\25).", path, linenum);
        return (false);
      }

      conversions ++;
    }

    if (conversions != 1 || value[0] != '(' || value[strlen(value) - 1] != ')')
    {
      upaSetError(UPA_ERROR_CONFIG, "%s:%d: LDAPFilter needs parentheses and exactly one \"%%s\".", path, linenum);
      return (false);
    }

    return (upaCopyString(bc->ldap_filter, value, sizeof(bc->ldap_filter)));
  }
  else if (!strcasecmp(name, "LDAPDisabledFilter"))
  {
    if (strchr(value, '%') || value[0] != '(' || value[strlen(value) - 1] != ')')
    {
      upaSetError(UPA_ERROR_CONFIG, "%s:%d: LDAPDisabledFilter needs parentheses and no \"%%\".", path, linenum);
      return (false);
    }

    return (upaCopyString(bc->ldap_disabled_filter, value, sizeof(bc->ldap_disabled_filter)));
  }
  else if (!strcasecmp(name, "LDAPAttribute"))
  {
    // An attribute description: letters, digits, '-', '.', ';' (options).
    for (ptr = value; *ptr; ptr ++)
    {
      if (!isalnum(*ptr & 255) && *ptr != '-' && *ptr != '.' && *ptr != ';')
        return (false);
    }

    return (upaCopyString(bc->ldap_attribute, value, sizeof(bc->ldap_attribute)));
  }
  else if (!strcasecmp(name, "LDAPBindDN"))
    return (upaCopyString(bc->ldap_bind_dn, value, sizeof(bc->ldap_bind_dn)));
  else if (!strcasecmp(name, "LDAPBindPasswordFile"))
    return (value[0] == '/' && upaCopyString(bc->ldap_bind_pw_file, value, sizeof(bc->ldap_bind_pw_file)));
  else if (!strcasecmp(name, "LDAPTimeout"))
    return (config_int(value, 1, 300, &bc->ldap_timeout));
  else if (!strcasecmp(name, "LDAPScope"))
  {
    if (!strcasecmp(value, "sub"))
      bc->ldap_scope_one = false;
    else if (!strcasecmp(value, "one"))
      bc->ldap_scope_one = true;
    else
      return (false);

    return (true);
  }

  upaSetError(UPA_ERROR_CONFIG, "%s:%d: unknown directive %s.", path, linenum, name);

  return (false);
}


//
// 'config_ldap_check()' - Check the LDAP settings fit together when "ldap" is a source.
//

static bool				// O - true if usable
config_ldap_check(
    const upa_badge_config_t *bc)	// I - Configuration
{
  const char	*name = bc->path[0] ? bc->path : "badge.conf";
					// File (for messages)
  int		i;			// Looping var


  for (i = 0; i < UPA_BADGE_MAX_SOURCES && bc->sources[i] != UPA_BADGE_SOURCE_NONE; i ++)
  {
    if (bc->sources[i] == UPA_BADGE_SOURCE_LDAP)
      break;
  }

  if (i >= UPA_BADGE_MAX_SOURCES || bc->sources[i] != UPA_BADGE_SOURCE_LDAP)
    return (true);

  if (!bc->ldap_uri[0] || !bc->ldap_base[0])
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: source \"ldap\" needs LDAPURI and LDAPBase.", name);
    return (false);
  }

  if (!bc->ldap_bind_dn[0] != !bc->ldap_bind_pw_file[0])
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: LDAPBindDN and LDAPBindPasswordFile go together.", name);
    return (false);
  }

  if (bc->ldap_starttls && strcasestr(bc->ldap_uri, "ldaps://"))
  {
    upaSetError(UPA_ERROR_CONFIG, "%s: LDAPStartTLS needs ldap:// URIs (ldaps:// is TLS already).", name);
    return (false);
  }

  return (true);
}


//
// 'default_path()' - A file next to cups-upa.conf.
//

static bool				// O - true if it fit
default_path(const char *name,		// I - File name
             char       *buffer,	// O - Path
             size_t     bufsize)	// I - Size of buffer
{
  const char	*slash = strrchr(UPA_CONFIG_FILE, '/');
					// Directory separator
  int		dirlen = slash ? (int)(slash - UPA_CONFIG_FILE) : 1;
					// Directory length


  return (snprintf(buffer, bufsize, "%.*s/%s", dirlen, slash ? UPA_CONFIG_FILE : ".", name) < (int)bufsize);
}


//
// 'is_hex_string()' - Check for hex digits only.
//

static bool				// O - true if all hex
is_hex_string(const char *s,		// I - String
              size_t     len)		// I - Length
{
  size_t	i;			// Looping var


  for (i = 0; i < len; i ++)
  {
    if (!isxdigit(s[i] & 255))
      return (false);
  }

  return (len > 0);
}


//
// 'keyed_hash()' - HMAC-SHA-256 as lower-case hex.
//

static bool				// O - true on success
keyed_hash(const upa_badge_key_t *key,	// I - Key
           const char            *data,	// I - Data
           size_t                len,	// I - Length
           char                  *hash,	// O - Hex digest
           size_t                hashsize)
					// I - Size of hash buffer
{
  unsigned char	md[EVP_MAX_MD_SIZE];	// Digest
  unsigned int	mdlen = 0;		// Digest length
  unsigned	i;			// Looping var


  if (hashsize < UPA_BADGE_HASH_LEN + 1)
  {
    upaSetError(UPA_ERROR_ARGS, "Hash buffer too small.");
    return (false);
  }

  if (!HMAC(EVP_sha256(), key->data, (int)key->len, (const unsigned char *)data, len, md, &mdlen) || mdlen != UPA_BADGE_HASH_LEN / 2)
  {
    upaSetError(UPA_ERROR_INTERNAL, "HMAC-SHA-256 failed.");
    return (false);
  }

  for (i = 0; i < mdlen; i ++)
    snprintf(hash + 2 * i, 3, "%02x", md[i]);

  OPENSSL_cleanse(md, sizeof(md));

  return (true);
}


//
// 'parse_time()' - Parse a non-negative time_t.
//

static bool				// O - true if valid
parse_time(const char *s,		// I - Text
           time_t     *t)		// O - Time
{
  char		*end;			// End of number
  long long	v;			// Value


  if (!isdigit(*s & 255))
    return (false);

  errno = 0;
  v     = strtoll(s, &end, 10);

  if (errno || *end || v < 0)
    return (false);

  *t = (time_t)v;

  return (true);
}


//
// 'read_file()' - Read a whole (small) file as a NUL-terminated string.
//

static char *				// O - Contents (malloc'd) or NULL
read_file(int        fd,		// I - File
          const char *path,		// I - Name for messages
          size_t     maxsize,		// I - Largest size accepted
          size_t     *len)		// O - Length
{
  char		*data;			// Data
  size_t	used = 0;		// Bytes read
  ssize_t	bytes;			// Bytes in this read


  if ((data = malloc(maxsize + 1)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  while (used <= maxsize)
  {
    if ((bytes = read(fd, data + used, maxsize + 1 - used)) < 0)
    {
      if (errno == EINTR)
        continue;

      upaSetError(UPA_ERROR_IO, "Unable to read %s: %s", path, strerror(errno));
      free(data);
      return (NULL);
    }
    else if (bytes == 0)
      break;

    used += (size_t)bytes;
  }

  if (used > maxsize)
  {
    upaSetError(UPA_ERROR_IO, "%s is larger than %u bytes.", path, (unsigned)maxsize);
    OPENSSL_cleanse(data, maxsize + 1);
    free(data);
    return (NULL);
  }

  data[used] = '\0';
  *len       = used;

  return (data);
}


//
// 'throttle_clock()' - The current time as far as a record is concerned.
//
// Callers read the clock and then wait for the state file's lock, so the
// attempt that took the lock first may have recorded a later second: the
// real time is then at least that.  Using the caller's older reading would
// look like a clock set back and forget the record's reservations and
// failure window, letting parallel attempts past MaxFailures.  Only a
// record more than THROTTLE_LATE_MAX seconds ahead means the clock was set
// back (throttle_normalize() and throttle_count() then start over).
//

static time_t				// O - Time to use for this record
throttle_clock(const throttle_rec_t *r,	// I - Record
               time_t               now)// I - Caller's clock reading
{
  int64_t	latest = now;		// Latest credible time


  if (r->last_tap > latest && r->last_tap - now <= THROTTLE_LATE_MAX)
    latest = r->last_tap;
  if (r->window_start > latest && r->window_start - now <= THROTTLE_LATE_MAX)
    latest = r->window_start;

  return ((time_t)latest);
}


//
// 'throttle_close()' - Unlock and close the state file.
//

static bool				// O - ok
throttle_close(throttle_db_t *db,	// I - State file
               bool          ok)	// I - Result so far
{
  if (db->fd >= 0)
  {
    flock(db->fd, LOCK_UN);
    close(db->fd);
    db->fd = -1;
  }

  return (ok);
}


//
// 'throttle_count()' - Count one failure; lock out at the limit.
//

static bool				// O - true if now locked out
throttle_count(
    const upa_badge_config_t *bc,	// I - Configuration
    throttle_rec_t           *r,	// I - Record
    int                      max,	// I - Limit (0 = none)
    time_t                   now)	// I - Current time
{
  if (r->window_start == 0 || now - r->window_start >= bc->failure_window || now < r->window_start)
  {
    r->window_start = now;
    r->failures     = 0;
  }

  r->failures ++;

  if (max > 0 && r->failures >= max)
  {
    r->locked_until = now + bc->lockout_time;
    r->failures     = 0;
    r->window_start = 0;
    return (true);
  }

  return (false);
}


//
// 'throttle_idle()' - Tell whether a record holds nothing worth keeping.
//

static bool				// O - true if the slot may be reused
throttle_idle(
    const upa_badge_config_t *bc,	// I - Configuration
    const throttle_rec_t     *r,	// I - Record
    time_t                   now)	// I - Current time
{
  throttle_rec_t	temp = *r;	// Normalised copy


  if (r->magic != THROTTLE_MAGIC)
    return (true);

  now = throttle_clock(r, now);
  throttle_normalize(bc, &temp, now);

  return (temp.locked_until <= now && temp.window_start == 0 && temp.pending == 0 && (now - temp.last_tap >= bc->debounce_time || temp.last_tap > now));
}


//
// 'throttle_key()' - Record key: HMAC-SHA-256(site key, kind \n station [\n badge hash]).
//

static bool				// O - true on success
throttle_key(const upa_badge_key_t *key,// I - Site key
             const char            *kind,
					// I - "badge", "station", "unknown" or "owner"
             const char            *station,
					// I - Station or NULL
             const char            *id,	// I - Badge keyed hash or NULL
             unsigned char         *bin)// O - 32-byte key
{
  char		data[1024];		// Hashed text
  int		len;			// Length
  unsigned int	binlen = 32;		// Digest length
  bool		ret;			// Result


  if (!key)
  {
    upaSetError(UPA_ERROR_ARGS, "No badge key.");
    return (false);
  }

  len = snprintf(data, sizeof(data), "%s\n%s%s%s", kind, station ? station : "", id ? "\n" : "", id ? id : "");
  if (len < 0 || (size_t)len >= sizeof(data))
  {
    upaSetError(UPA_ERROR_ARGS, "Station name too long.");
    return (false);
  }

  if ((ret = HMAC(EVP_sha256(), key->data, (int)key->len, (unsigned char *)data, (size_t)len, bin, &binlen) != NULL && binlen == 32) == false)
    upaSetError(UPA_ERROR_INTERNAL, "Unable to compute a keyed hash.");

  OPENSSL_cleanse(data, sizeof(data));

  return (ret);
}


//
// 'throttle_find()' - Find (or make room for) a record: O(1).
//
// The file is a hash table of THROTTLE_SLOTS fixed-size records; a key
// lives in one of THROTTLE_PROBE slots from the slot its first bytes name.
// To create a record, a free or idle slot in that range is taken, or else
// the one whose state ends first.
//

static long				// O - Slot, -1 if not found (create false), -2 on error
throttle_find(
    throttle_db_t            *db,	// I - State file
    const unsigned char      *key,	// I - Record key
    bool                     create,	// I - Make a record when missing?
    const upa_badge_config_t *bc,	// I - Configuration
    time_t                   now,	// I - Current time
    throttle_rec_t           *r)	// O - Record
{
  throttle_rec_t	recs[THROTTLE_PROBE];
					// The slots searched
  uint32_t		h;		// Hash of the key
  long			base,		// First slot
			best = -1;	// Slot to use for a new record
  int64_t		best_end = INT64_MAX;
					// When its state ends
  bool			best_locked = true;
					// Is it a lockout?
  ssize_t		bytes;		// Bytes read
  int			j;		// Looping var


  h    = ((uint32_t)key[0] << 24) | ((uint32_t)key[1] << 16) | ((uint32_t)key[2] << 8) | key[3];
  base = (long)(h % (THROTTLE_SLOTS - THROTTLE_PROBE + 1));

  memset(recs, 0, sizeof(recs));
  if ((bytes = pread(db->fd, recs, sizeof(recs), (off_t)((base + 1) * (long)sizeof(throttle_rec_t)))) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to read %s: %s", db->path, strerror(errno));
    return (-2);
  }

  for (j = 0; j < THROTTLE_PROBE; j ++)
  {
    if (recs[j].magic == THROTTLE_MAGIC && !CRYPTO_memcmp(recs[j].key, key, sizeof(recs[j].key)))
    {
      *r = recs[j];
      return (base + j);
    }

    if (create)
    {
      int64_t	end;			// When this slot's state ends
      bool	locked = false;		// Is this slot a lockout?

      if (throttle_idle(bc, recs + j, now))
        end = INT64_MIN;
      else
      {
        locked = recs[j].locked_until > throttle_clock(recs + j, now);
        end    = recs[j].locked_until;
        if (recs[j].window_start + bc->failure_window > end)
          end = recs[j].window_start + bc->failure_window;
        if (recs[j].last_tap + bc->debounce_time > end)
          end = recs[j].last_tap + bc->debounce_time;
      }

      // A lockout goes last, whatever its age: else a flood of made-up
      // badges at one station would push a locked badge's record out and
      // give its PIN guesser a fresh count.
      if (best < 0 || (best_locked && !locked) || (best_locked == locked && end < best_end))
      {
        best        = base + j;
        best_end    = end;
        best_locked = locked;
      }
    }
  }

  if (!create)
    return (-1);

  if (best_locked)
    upaLog(UPA_LOG_ERROR, "%s: no free slot, all %d are lockouts; the one ending first was dropped.", db->path, THROTTLE_PROBE);
  else if (best_end != INT64_MIN)
    upaLog(UPA_LOG_WARN, "%s: no free slot, the record ending first was dropped.", db->path);

  memset(r, 0, sizeof(throttle_rec_t));
  memcpy(r->key, key, sizeof(r->key));
  r->magic = THROTTLE_MAGIC;

  return (best);
}


//
// 'throttle_normalize()' - Forget an expired failure window and stale reservations.
//
// A reservation older than THROTTLE_PENDING_MAX belongs to an attempt that
// never ended (a process killed at the PIN prompt).
//

static void
throttle_normalize(
    const upa_badge_config_t *bc,	// I - Configuration
    throttle_rec_t           *r,	// IO - Record
    time_t                   now)	// I - Current time
{
  if (r->window_start && (now - r->window_start >= bc->failure_window || now < r->window_start))
  {
    r->window_start = 0;
    r->failures     = 0;
  }

  if (r->failures < 0)
    r->failures = 0;

  if (r->pending < 0 || (r->pending > 0 && (now - r->last_tap >= THROTTLE_PENDING_MAX || now < r->last_tap)))
    r->pending = 0;
}


//
// 'throttle_open()' - Open and lock the state file; make it when new or unusable.
//
// The file is a private regular file (checked on the open descriptor, never
// followed through a symlink); one whole-file flock() covers each check and
// update.
//

static bool				// O - true on success
throttle_open(
    const upa_badge_config_t *bc,	// I - Configuration
    throttle_db_t            *db)	// O - State file
{
  char		header[sizeof(throttle_rec_t)];
					// First slot: the header
  struct stat	st;			// File information
  const off_t	size = (off_t)(THROTTLE_SLOTS + 1) * (off_t)sizeof(throttle_rec_t);
					// File size


  db->fd = -1;
  snprintf(db->path, sizeof(db->path), "%s/throttle.db", bc->state_dir);

  if (!upaMakeDirs(bc->state_dir, 0700))
    return (false);

  if ((db->fd = open(db->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Unable to open %s: %s", db->path, strerror(errno));
    return (false);
  }

  while (flock(db->fd, LOCK_EX))
  {
    if (errno != EINTR)
    {
      upaSetError(UPA_ERROR_IO, "Unable to lock %s: %s", db->path, strerror(errno));
      return (throttle_close(db, false));
    }
  }

  if (!upaBadgeCheckFile(db->fd, db->path, true) || fstat(db->fd, &st))
    return (throttle_close(db, false));

  memset(header, 0, sizeof(header));
  if (st.st_size != size || pread(db->fd, header, sizeof(header), 0) != (ssize_t)sizeof(header) || strncmp(header, THROTTLE_HEADER, strlen(THROTTLE_HEADER)))
  {
    // New, or not ours: start empty (the state is advisory)
    char oldpath[1100];			// The text file of earlier versions

    if (st.st_size)
      upaLog(UPA_LOG_WARN, "%s: not a usable throttle state file, starting it again.", db->path);

    memset(header, 0, sizeof(header));
    memcpy(header, THROTTLE_HEADER, strlen(THROTTLE_HEADER));

    if (ftruncate(db->fd, 0) || ftruncate(db->fd, size) || pwrite(db->fd, header, sizeof(header), 0) != (ssize_t)sizeof(header))
    {
      upaSetError(UPA_ERROR_IO, "Unable to write %s: %s", db->path, strerror(errno));
      return (throttle_close(db, false));
    }

    snprintf(oldpath, sizeof(oldpath), "%s/throttle", bc->state_dir);
    unlink(oldpath);
  }

  return (true);
}


//
// 'throttle_write()' - Write one record in place.
//

static bool				// O - true on success
throttle_write(throttle_db_t        *db,// I - State file
               long                 slot,
					// I - Slot
               const throttle_rec_t *r)	// I - Record
{
  if (pwrite(db->fd, r, sizeof(throttle_rec_t), (off_t)((slot + 1) * (long)sizeof(throttle_rec_t))) != (ssize_t)sizeof(throttle_rec_t))
  {
    upaSetError(UPA_ERROR_IO, "Unable to write %s: %s", db->path, strerror(errno));
    return (false);
  }

  return (true);
}


//
// 'trim()' - Remove leading and trailing white space in place.
//

static void
trim(char *s)				// I - String
{
  char		*start = s;		// First non-space
  size_t	len;			// Length


  while (*start && isspace(*start & 255))
    start ++;

  len = strlen(start);
  while (len > 0 && isspace(start[len - 1] & 255))
    len --;

  memmove(s, start, len);
  s[len] = '\0';
}
