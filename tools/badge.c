//
// "upactl badge": manage the local badge store used by pam_upa.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//   upactl badge [-C badge.conf] init
//   upactl badge [-C badge.conf] add [--pin] [--disabled] [--expires DATE] [--replace] UPN
//   upactl badge [-C badge.conf] remove [--user UPN]
//   upactl badge [-C badge.conf] test [--cloud]
//   upactl badge [-C badge.conf] import FILE.csv|-
//   upactl badge [-C badge.conf] list
//
// Badge numbers and PINs are read from standard input (echo off on a
// terminal), never from the command line where "ps" would show them.
//

#include "badge.h"			// tools/badge.h (brings lib/badge.h)
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>


//
// Local functions...
//

static int	badge_add(upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_import(upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_init(upa_badge_config_t *bc);
static int	badge_list(upa_badge_config_t *bc);
static int	badge_remove(upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_test(upa_config_t *cfg, upa_badge_config_t *bc, int argc, char *argv[]);
static int	error(const char *format, ...) __attribute__((format(printf, 1, 2)));
static bool	hash_input(upa_badge_config_t *bc, const upa_badge_key_t *key, const char *input, char *hash, size_t hashsize);
static upa_badge_key_t *load_or_create_key(upa_badge_config_t *bc, bool create);
static bool	parse_expires(const char *s, time_t *t);
static bool	read_line(const char *prompt, bool secret, char *buffer, size_t bufsize);
static bool	save_store(upa_badge_store_t *store);
static int	usage(FILE *fp, int status);


//
// 'upactlBadge()' - Run "upactl badge ...".
//

int					// O - Exit status
upactlBadge(upa_config_t *cfg,		// I - cups-upa.conf (or NULL)
            int          argc,		// I - Number of arguments
            char         *argv[])	// I - Arguments ("badge", action, ...)
{
  const char		*bcpath = NULL;	// badge.conf
  upa_badge_config_t	*bc;		// Badge configuration
  int			i = 1,		// Argument index
			status;		// Exit status


  while (i < argc && argv[i][0] == '-')
  {
    if ((!strcmp(argv[i], "-C") || !strcmp(argv[i], "--badge-config")) && i + 1 < argc)
    {
      bcpath = argv[i + 1];
      i += 2;
    }
    else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return (usage(stdout, 0));
    else
      return (usage(stderr, 1));
  }

  if (i >= argc)
    return (usage(stderr, 1));

  if ((bc = upaBadgeConfigLoad(bcpath, bcpath == NULL)) == NULL)
    return (error("%s", upaLastErrorString()));

  if (!strcmp(argv[i], "add"))
    status = badge_add(bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "remove"))
    status = badge_remove(bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "test"))
    status = badge_test(cfg, bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "import"))
    status = badge_import(bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "list"))
    status = badge_list(bc);
  else if (!strcmp(argv[i], "init"))
    status = badge_init(bc);
  else if (!strcmp(argv[i], "help"))
    status = usage(stdout, 0);
  else
    status = usage(stderr, 1);

  upaBadgeConfigDelete(bc);

  return (status);
}


//
// 'badge_add()' - Map one badge (read from stdin) to a UPN.
//

static int				// O - Exit status
badge_add(upa_badge_config_t *bc,	// I - Configuration
          int                argc,	// I - Number of arguments
          char               *argv[])	// I - Arguments ("add", ...)
{
  upa_badge_key_t	*key = NULL;	// Site key
  upa_badge_store_t	*store = NULL;	// Store
  upa_badge_entry_t	e;		// New mapping
  bool			want_pin = false,
					// --pin
			replace = false;// --replace
  const char		*upn = NULL;	// User
  char			input[UPA_BADGE_MAX_INPUT + 2],
					// Badge input
			pin[128],	// PIN
			pin2[128],	// PIN again
			tag[UPA_BADGE_TAG_LEN + 1];
					// Audit tag
  int			i,		// Looping var
			lockfd = -1,	// Store lock
			status = 1;	// Exit status


  memset(&e, 0, sizeof(e));
  pin[0] = pin2[0] = '\0';

  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--pin"))
      want_pin = true;
    else if (!strcmp(argv[i], "--disabled"))
      e.disabled = true;
    else if (!strcmp(argv[i], "--replace"))
      replace = true;
    else if (!strcmp(argv[i], "--expires") && i + 1 < argc)
    {
      if (!parse_expires(argv[++ i], &e.expires))
        return (error("Bad --expires value (use YYYY-MM-DD or seconds since 1970)."));
    }
    else if (argv[i][0] == '-' || upn)
      return (usage(stderr, 1));
    else
      upn = argv[i];
  }

  if (!upn)
    return (usage(stderr, 1));

  if (!upaBadgeValidUPN(upn))
    return (error("\"%s\" is not a valid user principal name.", upn));

  if ((key = load_or_create_key(bc, true)) == NULL)
    return (1);

  if (!read_line("Tap the badge: ", true, input, sizeof(input)))
  {
    error("No badge read.");
    goto done;
  }

  if (!hash_input(bc, key, input, e.hash, sizeof(e.hash)))
    goto done;

  if (want_pin)
  {
    if (!read_line("New PIN: ", true, pin, sizeof(pin)) || (isatty(0) && !read_line("Repeat PIN: ", true, pin2, sizeof(pin2))))
    {
      error("No PIN read.");
      goto done;
    }

    if (isatty(0) && strcmp(pin, pin2))
    {
      error("The PINs do not match.");
      goto done;
    }

    if ((int)strlen(pin) < bc->min_pin)
    {
      error("The PIN must have at least %d characters.", bc->min_pin);
      goto done;
    }

    if (!upaBadgePINHash(pin, e.pin, sizeof(e.pin)))
    {
      error("%s", upaLastErrorString());
      goto done;
    }
  }

  snprintf(e.upn, sizeof(e.upn), "%s", upn);
  e.created = time(NULL);

  if ((lockfd = upaBadgeStoreLock(bc->store)) < 0 || (store = upaBadgeStoreLoad(bc->store, true)) == NULL)
  {
    error("%s", upaLastErrorString());
    goto done;
  }

  if (upaBadgeStoreFind(store, e.hash) && !replace)
  {
    error("This badge is already registered (use --replace to re-assign it).");
    goto done;
  }

  if (!upaBadgeStorePut(store, &e) || !save_store(store))
    goto done;

  upaBadgeTag(e.hash, tag, sizeof(tag));
  printf("Badge %s mapped to %s%s.\n", tag, upn, e.pin[0] ? " (with PIN)" : "");
  status = 0;

  done:

  OPENSSL_cleanse(input, sizeof(input));
  OPENSSL_cleanse(pin, sizeof(pin));
  OPENSSL_cleanse(pin2, sizeof(pin2));
  OPENSSL_cleanse(&e, sizeof(e));
  upaBadgeStoreUnlock(lockfd);
  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);

  return (status);
}


//
// 'badge_import()' - Import "badge,upn[,pin[,expires]]" CSV lines.
//
// A first line starting with "badge" is a header.  Lines starting with '#'
// are comments.  The whole import is refused if any line is bad.
//

static int				// O - Exit status
badge_import(upa_badge_config_t *bc,	// I - Configuration
             int                argc,	// I - Number of arguments
             char               *argv[])// I - Arguments ("import", file)
{
  FILE			*fp;		// CSV file
  upa_badge_key_t	*key = NULL;	// Site key
  upa_badge_store_t	*store = NULL;	// Store
  char			line[2048],	// Line
			*fields[4],	// Fields
			*ptr;		// Pointer into line
  int			linenum = 0,	// Line number
			nfields,	// Number of fields
			added = 0,	// Mappings added
			replaced = 0,	// Mappings replaced
			lockfd = -1,	// Store lock
			status = 1;	// Exit status


  if (argc != 2)
    return (usage(stderr, 1));

  if (!strcmp(argv[1], "-"))
    fp = stdin;
  else if ((fp = fopen(argv[1], "r")) == NULL)
    return (error("Unable to open %s: %s", argv[1], strerror(errno)));

  if ((key = load_or_create_key(bc, true)) == NULL)
    goto done;

  if ((lockfd = upaBadgeStoreLock(bc->store)) < 0 || (store = upaBadgeStoreLoad(bc->store, true)) == NULL)
  {
    error("%s", upaLastErrorString());
    goto done;
  }

  while (fgets(line, sizeof(line), fp))
  {
    upa_badge_entry_t	e;		// Mapping
    bool		exists;		// Already in the store?

    linenum ++;

    if (!strchr(line, '\n') && !feof(fp))
    {
      error("%s:%d: line too long.", argv[1], linenum);
      goto done;
    }

    line[strcspn(line, "\r\n")] = '\0';

    if (!line[0] || line[0] == '#' || (linenum == 1 && !strncasecmp(line, "badge", 5)))
      continue;

    for (nfields = 0, ptr = line; nfields < 4 && ptr; nfields ++)
    {
      fields[nfields] = ptr;
      if ((ptr = strchr(ptr, ',')) != NULL)
        *ptr++ = '\0';
    }

    if (ptr || nfields < 2)
    {
      error("%s:%d: expected badge,upn[,pin[,expires]].", argv[1], linenum);
      goto done;
    }

    memset(&e, 0, sizeof(e));

    if (!hash_input(bc, key, fields[0], e.hash, sizeof(e.hash)))
    {
      error("%s:%d: badge refused.", argv[1], linenum);
      goto done;
    }

    if (!upaBadgeValidUPN(fields[1]))
    {
      error("%s:%d: bad user principal name.", argv[1], linenum);
      goto done;
    }

    snprintf(e.upn, sizeof(e.upn), "%s", fields[1]);
    e.created = time(NULL);

    if (nfields > 2 && fields[2][0])
    {
      if ((int)strlen(fields[2]) < bc->min_pin || !upaBadgePINHash(fields[2], e.pin, sizeof(e.pin)))
      {
        error("%s:%d: PIN refused (at least %d characters).", argv[1], linenum, bc->min_pin);
        goto done;
      }
    }

    if (nfields > 3 && fields[3][0] && !parse_expires(fields[3], &e.expires))
    {
      error("%s:%d: bad expiry date.", argv[1], linenum);
      goto done;
    }

    exists = upaBadgeStoreFind(store, e.hash) != NULL;

    if (!upaBadgeStorePut(store, &e))
    {
      error("%s", upaLastErrorString());
      goto done;
    }

    if (exists)
      replaced ++;
    else
      added ++;

    OPENSSL_cleanse(&e, sizeof(e));
  }

  if (!save_store(store))
    goto done;

  printf("Imported %d new and %d updated badge mappings.\n", added, replaced);
  status = 0;

  done:

  OPENSSL_cleanse(line, sizeof(line));
  if (fp != stdin)
    fclose(fp);
  upaBadgeStoreUnlock(lockfd);
  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);

  return (status);
}


//
// 'badge_init()' - Create the site key and an empty store.
//

static int				// O - Exit status
badge_init(upa_badge_config_t *bc)	// I - Configuration
{
  upa_badge_key_t	*key;		// Site key
  upa_badge_store_t	*store;		// Store
  int			status = 1;	// Exit status


  if ((key = load_or_create_key(bc, true)) == NULL)
    return (1);

  if ((store = upaBadgeStoreLoad(bc->store, true)) == NULL)
    error("%s", upaLastErrorString());
  else if (access(bc->store, F_OK) && !save_store(store))
    ;
  else
  {
    printf("Badge key %s and store %s are ready.\n", bc->key_file, bc->store);
    status = 0;
  }

  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);

  return (status);
}


//
// 'badge_list()' - List mappings (badge tags, never IDs).
//

static int				// O - Exit status
badge_list(upa_badge_config_t *bc)	// I - Configuration
{
  upa_badge_store_t	*store;		// Store
  size_t		i;		// Looping var
  time_t		now = time(NULL);
					// Current time


  if ((store = upaBadgeStoreLoad(bc->store, true)) == NULL)
    return (error("%s", upaLastErrorString()));

  for (i = 0; i < store->num_entries; i ++)
  {
    upa_badge_entry_t	*e = store->entries + i;
					// Entry
    char		tag[UPA_BADGE_TAG_LEN + 1],
					// Badge tag
			expires[32] = "";
					// Expiry date
    struct tm		tm;		// Expiry time

    upaBadgeTag(e->hash, tag, sizeof(tag));
    if (e->expires)
    {
      localtime_r(&e->expires, &tm);
      strftime(expires, sizeof(expires), " expires=%Y-%m-%d", &tm);
    }

    printf("%s %s%s%s%s%s\n", tag, e->upn, e->pin[0] ? " pin" : "", e->disabled ? " disabled" : "", expires, e->expires && e->expires <= now ? " (expired)" : "");
  }

  upaBadgeStoreDelete(store);

  return (0);
}


//
// 'badge_remove()' - Remove one badge (read from stdin) or all of a user's.
//

static int				// O - Exit status
badge_remove(upa_badge_config_t *bc,	// I - Configuration
             int                argc,	// I - Number of arguments
             char               *argv[])// I - Arguments ("remove", ...)
{
  upa_badge_key_t	*key = NULL;	// Site key
  upa_badge_store_t	*store = NULL;	// Store
  const char		*user = NULL;	// --user
  char			input[UPA_BADGE_MAX_INPUT + 2] = "",
					// Badge input
			hash[UPA_BADGE_HASH_LEN + 1];
					// Keyed hash
  int			lockfd = -1,	// Store lock
			removed = 0,	// Mappings removed
			status = 1;	// Exit status


  if (argc == 3 && !strcmp(argv[1], "--user"))
    user = argv[2];
  else if (argc != 1)
    return (usage(stderr, 1));

  if (!user)
  {
    if ((key = load_or_create_key(bc, false)) == NULL)
      return (1);

    if (!read_line("Tap the badge: ", true, input, sizeof(input)))
    {
      error("No badge read.");
      goto done;
    }

    if (!hash_input(bc, key, input, hash, sizeof(hash)))
      goto done;
  }

  if ((lockfd = upaBadgeStoreLock(bc->store)) < 0 || (store = upaBadgeStoreLoad(bc->store, false)) == NULL)
  {
    error("%s", upaLastErrorString());
    goto done;
  }

  if (user)
    removed = upaBadgeStoreRemoveUser(store, user);
  else
    removed = upaBadgeStoreRemove(store, hash) ? 1 : 0;

  if (removed == 0)
  {
    error("No matching badge mapping.");
    goto done;
  }

  if (!save_store(store))
    goto done;

  printf("Removed %d badge mapping%s.\n", removed, removed == 1 ? "" : "s");
  status = 0;

  done:

  OPENSSL_cleanse(input, sizeof(input));
  upaBadgeStoreUnlock(lockfd);
  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);

  return (status);
}


//
// 'badge_test()' - Show what tapped badges read as and whom they resolve to.
//

static int				// O - Exit status
badge_test(upa_config_t       *cfg,	// I - cups-upa.conf or NULL
           upa_badge_config_t *bc,	// I - Configuration
           int                argc,	// I - Number of arguments
           char               *argv[])	// I - Arguments ("test", ...)
{
  upa_badge_key_t	*key;		// Site key (optional)
  upa_badge_store_t	*store = NULL;	// Store (optional)
  upa_config_t		*mycfg = NULL;	// cups-upa.conf loaded here
  upa_device_t		*dev = NULL;	// Device for cloud lookups
  upa_http_t		*http = NULL;	// HTTPS session
  bool			cloud = false;	// --cloud
  char			input[UPA_BADGE_MAX_INPUT + 2],
					// Badge input
			id[UPA_BADGE_MAX_ID + 1],
					// Normalised ID
			hash[UPA_BADGE_HASH_LEN + 1],
					// Keyed hash
			tag[UPA_BADGE_TAG_LEN + 1];
					// Tag
  int			status = 0;	// Exit status


  if (argc == 2 && !strcmp(argv[1], "--cloud"))
    cloud = true;
  else if (argc != 1)
    return (usage(stderr, 1));

  if ((key = upaBadgeKeyLoad(bc->key_file)) == NULL)
    fprintf(stderr, "upactl badge: warning: %s (no local lookup).\n", upaLastErrorString());
  else if ((store = upaBadgeStoreLoad(bc->store, true)) == NULL)
    fprintf(stderr, "upactl badge: warning: %s (no local lookup).\n", upaLastErrorString());

  if (cloud)
  {
    if (!cfg && (cfg = mycfg = upaConfigLoad(bc->upa_config)) == NULL)
      return (error("%s", upaLastErrorString()));

    if (bc->cloud_device[0])
      dev = upaDeviceLoad(cfg, bc->cloud_device);
    else if (bc->cloud_queue[0])
      dev = upaDeviceFindQueue(cfg, bc->cloud_queue);

    if (!dev)
    {
      error("No CloudDevice/CloudQueue usable in %s: %s", bc->path[0] ? bc->path : "badge.conf", upaLastError() ? upaLastErrorString() : "not set");
      goto done;
    }

    if ((http = upaHTTPCreate(cfg)) == NULL)
    {
      error("%s", upaLastErrorString());
      goto done;
    }
  }

  while (read_line("Tap a badge (Ctrl-D to end): ", isatty(0), input, sizeof(input)))
  {
    if (!upaBadgeNormalize(&bc->rules, input, id, sizeof(id)))
    {
      printf("refused: %s\n", upaLastErrorString());
      status = 1;
      continue;
    }

    printf("normalised: %s\n", id);

    if (key && upaBadgeHash(key, id, hash, sizeof(hash)))
    {
      upa_badge_entry_t *e = upaBadgeStoreFind(store, hash);
					// Local mapping

      upaBadgeTag(hash, tag, sizeof(tag));
      printf("tag: %s\n", tag);
      if (e)
        printf("local: %s%s%s%s\n", e->upn, e->pin[0] ? " (PIN)" : "", e->disabled ? " (disabled)" : "", e->expires && e->expires <= time(NULL) ? " (expired)" : "");
      else if (store)
        printf("local: not found\n");
    }

    if (http)
    {
      upa_badge_user_t	user;		// Cloud result
      upa_badge_lookup_t result = upaBadgeLookupCloud(http, cfg, dev, id, bc->cloud_legacy, &user);
					// Outcome

      if (result == UPA_BADGE_LOOKUP_OK)
        printf("cloud: %s%s%s\n", user.upn, user.user_id[0] ? " id=" : "", user.user_id);
      else
        printf("cloud: %s (%s)\n", upaBadgeLookupString(result), upaLastErrorString());
    }

    OPENSSL_cleanse(input, sizeof(input));
    OPENSSL_cleanse(id, sizeof(id));
  }

  done:

  OPENSSL_cleanse(input, sizeof(input));
  upaHTTPDelete(http);
  upaDeviceDelete(dev);
  upaConfigDelete(mycfg);
  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);

  return (status);
}


//
// 'error()' - Print an error message; return the failure status.
//

static int				// O - 1
error(const char *format,		// I - printf format
      ...)				// I - Arguments
{
  va_list	ap;			// Arguments


  fputs("upactl badge: ", stderr);
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  putc('\n', stderr);

  return (1);
}


//
// 'hash_input()' - Normalise and hash reader input.
//

static bool				// O - true on success
hash_input(upa_badge_config_t    *bc,	// I - Configuration
           const upa_badge_key_t *key,	// I - Site key
           const char            *input,// I - Reader input
           char                  *hash,	// O - Keyed hash
           size_t                hashsize)
					// I - Size of hash buffer
{
  char	id[UPA_BADGE_MAX_ID + 1];	// Normalised ID
  bool	ret;				// Result


  if (!upaBadgeNormalize(&bc->rules, input, id, sizeof(id)))
  {
    error("Badge refused: %s", upaLastErrorString());
    return (false);
  }

  if ((ret = upaBadgeHash(key, id, hash, hashsize)) == false)
    error("%s", upaLastErrorString());

  OPENSSL_cleanse(id, sizeof(id));

  return (ret);
}


//
// 'load_or_create_key()' - Load the site key, creating it when allowed.
//

static upa_badge_key_t *		// O - Key or NULL
load_or_create_key(
    upa_badge_config_t *bc,		// I - Configuration
    bool               create)		// I - Create if missing?
{
  upa_badge_key_t	*key;		// Key


  if (create && access(bc->key_file, F_OK))
  {
    if (!upaBadgeKeyCreate(bc->key_file))
    {
      error("%s", upaLastErrorString());
      return (NULL);
    }

    fprintf(stderr, "upactl badge: created a new site key in %s.\n", bc->key_file);
  }

  if ((key = upaBadgeKeyLoad(bc->key_file)) == NULL)
    error("%s", upaLastErrorString());

  return (key);
}


//
// 'parse_expires()' - Parse YYYY-MM-DD (start of that day, local time) or seconds.
//

static bool				// O - true if valid
parse_expires(const char *s,		// I - Text
              time_t     *t)		// O - Time
{
  struct tm	tm;			// Date
  char		*end;			// End of parse
  long long	v;			// Seconds


  memset(&tm, 0, sizeof(tm));

  if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && !*end)
  {
    tm.tm_isdst = -1;
    return ((*t = mktime(&tm)) > 0);
  }

  v = strtoll(s, &end, 10);
  if (*s && !*end && v > 0)
  {
    *t = (time_t)v;
    return (true);
  }

  return (false);
}


//
// 'read_line()' - Read one line from stdin, echo off on a terminal.
//

static bool				// O - true if a line was read
read_line(const char *prompt,		// I - Prompt (terminal only)
          bool       secret,		// I - Turn echo off?
          char       *buffer,		// O - Line
          size_t     bufsize)		// I - Size of buffer
{
  struct termios	old,		// Terminal settings
			noecho;		// Without echo
  bool			tty = isatty(0) != 0,
					// Terminal?
			restore = false;// Restore settings?
  bool			ret;		// Result


  if (tty)
  {
    fputs(prompt, stderr);
    if (secret && !tcgetattr(0, &old))
    {
      noecho = old;
      noecho.c_lflag &= (tcflag_t)~ECHO;
      restore = !tcsetattr(0, TCSAFLUSH, &noecho);
    }
  }

  ret = fgets(buffer, (int)bufsize, stdin) != NULL;

  if (restore)
  {
    tcsetattr(0, TCSAFLUSH, &old);
    putc('\n', stderr);
  }

  if (!ret)
    return (false);

  if (!strchr(buffer, '\n') && !feof(stdin))
  {
    int ch;				// Rest of an over-long line

    while ((ch = getchar()) != EOF && ch != '\n');
    snprintf(buffer, bufsize, "%s", "");
    error("Input line too long.");
    return (false);
  }

  buffer[strcspn(buffer, "\r\n")] = '\0';

  return (true);
}


//
// 'save_store()' - Save the store, reporting errors.
//

static bool				// O - true on success
save_store(upa_badge_store_t *store)	// I - Store
{
  if (!upaBadgeStoreSave(store))
  {
    error("%s", upaLastErrorString());
    return (false);
  }

  return (true);
}


//
// 'usage()' - Show usage.
//

static int				// O - Exit status
usage(FILE *fp,				// I - Where to print
      int  status)			// I - Exit status
{
  fputs("Usage: upactl badge [-C badge.conf] ACTION\n"
        "Actions:\n"
        "  init                          create the site key and an empty store\n"
        "  add [--pin] [--disabled] [--expires YYYY-MM-DD] [--replace] UPN\n"
        "                                map the badge read from stdin to UPN\n"
        "  remove [--user UPN]           remove the badge read from stdin (or all of UPN's)\n"
        "  test [--cloud]                show how badges read from stdin normalise and resolve\n"
        "  import FILE.csv|-             import badge,upn[,pin[,expires]] lines\n"
        "  list                          list mappings (badge tags, never numbers)\n"
        "Badge numbers and PINs are read from standard input, never from the command line.\n"
        "Cloud badge mappings cannot be written: Universal Print documents no API for it.\n", fp);

  return (status);
}
