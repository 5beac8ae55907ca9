//
// "upactl badge": manage the local badge store used by pam_upa.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//   upactl badge [-C badge.conf] init
//   upactl badge [-C badge.conf] add [--pin] [--disabled] [--expires DATE] [--replace] [--cloud] UPN
//   upactl badge [-C badge.conf] remove [--user UPN | --cloud]
//   upactl badge [-C badge.conf] test [--cloud] [--ldap]
//   upactl badge [-C badge.conf] import [--cloud] FILE.csv|-
//   upactl badge [-C badge.conf] list
//   upactl badge [-C badge.conf] login [--client-id ID] [--tenant T] [--authority URL] [--signin-timeout S]
//   upactl badge [-C badge.conf] collection create|show [--admin-token T]
//
// Badge numbers and PINs are read from standard input (echo off on a
// terminal), never from the command line where "ps" would show them.
//
// --cloud also writes/deletes the mapping in Universal Print's badge
// collection (lib/badgecloud.c) after the local store was saved; the admin
// token comes from --admin-token/UPA_ADMIN_TOKEN or the sign-in stored by
// "badge login" (CloudAdminTokenFile).  When the cloud step fails the
// message says what each side holds.
//

#include "badge.h"			// tools/badge.h (brings lib/badge.h)
#include "oauth.h"
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
// Local types...
//

typedef struct badge_cloud_s		// Cloud side of a command
{
  upa_config_t	*cfg;			// cups-upa.conf (borrowed or mycfg)
  upa_config_t	*mycfg;			// cups-upa.conf loaded here
  upa_http_t	*http;			// HTTPS session
  char		token[16384];		// Admin access token (secret)
  char		cid[256];		// Badge collection id
} badge_cloud_t;


//
// Local functions...
//

static int	badge_add(upa_config_t *cfg, upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_import(upa_config_t *cfg, upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_init(upa_badge_config_t *bc);
static int	badge_list(upa_badge_config_t *bc);
static int	badge_remove(upa_config_t *cfg, upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_test(upa_config_t *cfg, upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_unlock(upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_collection(upa_config_t *cfg, upa_badge_config_t *bc, int argc, char *argv[]);
static int	badge_login(upa_config_t *cfg, upa_badge_config_t *bc, int argc, char *argv[]);
static void	cloud_close(badge_cloud_t *bcl);
static bool	cloud_open(upa_config_t *cfg, upa_badge_config_t *bc, const char *admin_token, bool need_collection, badge_cloud_t *bcl);
static upa_badge_cloud_t cloud_put(badge_cloud_t *bcl, const char *id, const char *upn, bool replace, upa_badge_user_t *old);
static int	error(const char *format, ...) __attribute__((format(printf, 1, 2)));
static bool	normalize_hash(upa_badge_config_t *bc, const upa_badge_key_t *key, const char *input, char *id, size_t idsize, char *hash, size_t hashsize);
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
    status = badge_add(cfg, bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "remove"))
    status = badge_remove(cfg, bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "test"))
    status = badge_test(cfg, bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "unlock"))
    status = badge_unlock(bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "import"))
    status = badge_import(cfg, bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "list"))
    status = badge_list(bc);
  else if (!strcmp(argv[i], "init"))
    status = badge_init(bc);
  else if (!strcmp(argv[i], "login"))
    status = badge_login(cfg, bc, argc - i, argv + i);
  else if (!strcmp(argv[i], "collection"))
    status = badge_collection(cfg, bc, argc - i, argv + i);
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
badge_add(upa_config_t       *cfg,	// I - cups-upa.conf or NULL
          upa_badge_config_t *bc,	// I - Configuration
          int                argc,	// I - Number of arguments
          char               *argv[])	// I - Arguments ("add", ...)
{
  upa_badge_key_t	*key = NULL;	// Site key
  upa_badge_store_t	*store = NULL;	// Store
  upa_badge_entry_t	e;		// New mapping
  bool			want_pin = false,
					// --pin
			replace = false,// --replace
			cloud = false;	// --cloud
  const char		*upn = NULL,	// User
			*admin_token = NULL;
					// --admin-token
  badge_cloud_t		*bcl = NULL;	// Cloud side
  upa_badge_user_t	old;		// Existing cloud owner
  upa_badge_cloud_t	cresult;	// Cloud outcome
  char			id[UPA_BADGE_MAX_ID + 1] = "",
					// Normalised ID (for the cloud)
			input[UPA_BADGE_MAX_INPUT + 2],
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
    else if (!strcmp(argv[i], "--cloud"))
      cloud = true;
    else if (!strcmp(argv[i], "--admin-token") && i + 1 < argc)
      admin_token = argv[++ i];
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

  if (cloud && !strchr(upn, '@'))
    return (error("The cloud needs a user principal name (user@domain), not \"%s\".", upn));

  if ((key = load_or_create_key(bc, true)) == NULL)
    return (1);

  if (!read_line("Tap the badge: ", true, input, sizeof(input)))
  {
    error("No badge read.");
    goto done;
  }

  if (!normalize_hash(bc, key, input, id, sizeof(id), e.hash, sizeof(e.hash)))
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

  upaBadgeStoreUnlock(lockfd);
  lockfd = -1;

  upaBadgeTag(e.hash, tag, sizeof(tag));
  printf("Badge %s mapped to %s%s.\n", tag, upn, e.pin[0] ? " (with PIN)" : "");
  status = 0;

  if (!cloud)
    goto done;

  // The local mapping is saved; now the cloud.  Every failure says what each side holds.
  status = 1;

  if ((bcl = calloc(1, sizeof(badge_cloud_t))) == NULL)
  {
    error("Out of memory.");
    goto done;
  }

  if (!cloud_open(cfg, bc, admin_token, true, bcl))
  {
    error("Local store: badge %s mapped to %s (saved). Cloud: not written: %s", tag, upn, upaLastErrorString());
    goto done;
  }

  switch (cresult = cloud_put(bcl, id, upn, replace, &old))
  {
    case UPA_BADGE_CLOUD_OK :
        if (old.upn[0] && strcasecmp(old.upn, upn))
          printf("Cloud: badge %s re-assigned from %s to %s in collection %s.\n", tag, old.upn, upn, bcl->cid);
        else if (old.upn[0])
          printf("Cloud: badge %s was already mapped to %s (unchanged).\n", tag, upn);
        else
          printf("Cloud: badge %s mapped to %s in collection %s.\n", tag, upn, bcl->cid);
        status = 0;
        break;

    case UPA_BADGE_CLOUD_EXISTS :
        error("Local store: badge %s mapped to %s (saved). Cloud: the badge is mapped to %s there and was left unchanged (use --replace to re-assign it).", tag, upn, old.upn[0] ? old.upn : "another user");
        break;

    default :
        error("Local store: badge %s mapped to %s (saved). Cloud: not written (%s): %s", tag, upn, upaBadgeCloudString(cresult), upaLastErrorString());
        break;
  }

  done:

  cloud_close(bcl);
  free(bcl);
  OPENSSL_cleanse(id, sizeof(id));
  OPENSSL_cleanse(&old, sizeof(old));
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
// 'badge_collection()' - Create or show the tenant's cloud badge collection.
//

static int				// O - Exit status
badge_collection(
    upa_config_t       *cfg,		// I - cups-upa.conf or NULL
    upa_badge_config_t *bc,		// I - Configuration
    int                argc,		// I - Number of arguments
    char               *argv[])		// I - Arguments ("collection", action, ...)
{
  badge_cloud_t		*bcl;		// Cloud side
  upa_badge_cloud_t	cresult;	// Outcome
  const char		*admin_token = NULL;
					// --admin-token
  int			i,		// Looping var
			status = 1;	// Exit status


  if (argc < 2 || (strcmp(argv[1], "create") && strcmp(argv[1], "show")))
    return (usage(stderr, 1));

  for (i = 2; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--admin-token") && i + 1 < argc)
      admin_token = argv[++ i];
    else
      return (usage(stderr, 1));
  }

  if ((bcl = calloc(1, sizeof(badge_cloud_t))) == NULL)
    return (error("Out of memory."));

  if (!cloud_open(cfg, bc, admin_token, false, bcl))
  {
    error("%s", upaLastErrorString());
    goto done;
  }

  if (!strcmp(argv[1], "create"))
  {
    printf("Creating the badge collection (this can take a few minutes)...\n");
    fflush(stdout);

    if ((cresult = upaBadgeCloudCollectionCreate(bcl->http, bcl->cfg, bcl->token, 600, bcl->cid, sizeof(bcl->cid))) == UPA_BADGE_CLOUD_OK)
    {
      printf("Badge collection %s created.\n", bcl->cid);
      printf("Put \"CloudCollection %s\" in %s (or leave it unset: upactl and pam_upa then ask the cloud).\n", bcl->cid, bc->path[0] ? bc->path : upaBadgeConfigDefaultPath());
      status = 0;
    }
    else if (cresult == UPA_BADGE_CLOUD_EXISTS && upaBadgeCloudCollectionFind(bcl->http, bcl->cfg, bcl->token, bcl->cid, sizeof(bcl->cid)) == UPA_BADGE_CLOUD_OK)
    {
      printf("The tenant already has badge collection %s.\n", bcl->cid);
      status = 0;
    }
    else
      error("Cannot create the badge collection (%s): %s", upaBadgeCloudString(cresult), upaLastErrorString());
  }
  else if ((cresult = upaBadgeCloudCollectionFind(bcl->http, bcl->cfg, bcl->token, bcl->cid, sizeof(bcl->cid))) == UPA_BADGE_CLOUD_OK)
  {
    printf("%s\n", bcl->cid);
    if (bc->cloud_collection[0] && strcmp(bc->cloud_collection, bcl->cid))
      fprintf(stderr, "upactl badge: warning: CloudCollection in %s is %s, but the tenant's collection is %s.\n", bc->path[0] ? bc->path : "badge.conf", bc->cloud_collection, bcl->cid);
    status = 0;
  }
  else
    error("%s", upaLastErrorString());

  done:

  cloud_close(bcl);
  free(bcl);

  return (status);
}


//
// 'badge_import()' - Import "badge,upn[,pin[,expires]]" CSV lines.
//
// A first line starting with "badge" is a header.  Lines starting with '#'
// are comments.  The whole import is refused if any line is bad.
//

static int				// O - Exit status
badge_import(upa_config_t       *cfg,	// I - cups-upa.conf or NULL
             upa_badge_config_t *bc,	// I - Configuration
             int                argc,	// I - Number of arguments
             char               *argv[])// I - Arguments ("import", [--cloud], file)
{
  FILE			*fp;		// CSV file
  const char		*file = NULL,	// CSV file name
			*admin_token = NULL;
					// --admin-token
  bool			cloud = false;	// --cloud
  badge_cloud_t		*bcl = NULL;	// Cloud side
  struct import_line_s			// One imported line (for the cloud)
  {
    int		linenum;		// Line number
    char	id[UPA_BADGE_MAX_ID + 1];
					// Normalised ID (secret)
    char	upn[256];		// User
    char	tag[UPA_BADGE_TAG_LEN + 1];
					// Badge tag
  }			*lines = NULL;	// Lines to send to the cloud
  size_t		num_lines = 0,	// Number of lines
			alloc_lines = 0,// Allocated lines
			j;		// Looping var
  char			id[UPA_BADGE_MAX_ID + 1] = "";
					// Normalised ID
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


  for (linenum = 1; linenum < argc; linenum ++)
  {
    if (!strcmp(argv[linenum], "--cloud"))
      cloud = true;
    else if (!strcmp(argv[linenum], "--admin-token") && linenum + 1 < argc)
      admin_token = argv[++ linenum];
    else if (file || (argv[linenum][0] == '-' && argv[linenum][1]))
      return (usage(stderr, 1));
    else
      file = argv[linenum];
  }
  linenum = 0;

  if (!file)
    return (usage(stderr, 1));

  if (!strcmp(file, "-"))
    fp = stdin;
  else if ((fp = fopen(file, "r")) == NULL)
    return (error("Unable to open %s: %s", file, strerror(errno)));

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
      error("%s:%d: line too long.", file, linenum);
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
      error("%s:%d: expected badge,upn[,pin[,expires]].", file, linenum);
      goto done;
    }

    memset(&e, 0, sizeof(e));

    if (!normalize_hash(bc, key, fields[0], id, sizeof(id), e.hash, sizeof(e.hash)))
    {
      error("%s:%d: badge refused.", file, linenum);
      goto done;
    }

    if (!upaBadgeValidUPN(fields[1]))
    {
      error("%s:%d: bad user principal name.", file, linenum);
      goto done;
    }

    snprintf(e.upn, sizeof(e.upn), "%s", fields[1]);
    e.created = time(NULL);

    if (nfields > 2 && fields[2][0])
    {
      if ((int)strlen(fields[2]) < bc->min_pin || !upaBadgePINHash(fields[2], e.pin, sizeof(e.pin)))
      {
        error("%s:%d: PIN refused (at least %d characters).", file, linenum, bc->min_pin);
        goto done;
      }
    }

    if (nfields > 3 && fields[3][0] && !parse_expires(fields[3], &e.expires))
    {
      error("%s:%d: bad expiry date.", file, linenum);
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

    if (cloud)
    {
      if (!strchr(e.upn, '@'))
      {
        error("%s:%d: the cloud needs a user principal name (user@domain).", file, linenum);
        goto done;
      }

      if (num_lines >= alloc_lines)
      {
        struct import_line_s *temp;	// New array

        if ((temp = realloc(lines, (alloc_lines + 64) * sizeof(struct import_line_s))) == NULL)
        {
          error("Out of memory.");
          goto done;
        }
        lines       = temp;
        alloc_lines += 64;
      }

      lines[num_lines].linenum = linenum;
      snprintf(lines[num_lines].id, sizeof(lines[num_lines].id), "%s", id);
      snprintf(lines[num_lines].upn, sizeof(lines[num_lines].upn), "%s", e.upn);
      upaBadgeTag(e.hash, lines[num_lines].tag, sizeof(lines[num_lines].tag));
      num_lines ++;
    }

    OPENSSL_cleanse(id, sizeof(id));

    OPENSSL_cleanse(&e, sizeof(e));
  }

  if (!save_store(store))
    goto done;

  upaBadgeStoreUnlock(lockfd);
  lockfd = -1;

  printf("Imported %d new and %d updated badge mappings.\n", added, replaced);
  status = 0;

  if (!cloud)
    goto done;

  // Local store saved: now each line in the cloud, reported per line.
  if ((bcl = calloc(1, sizeof(badge_cloud_t))) == NULL || !cloud_open(cfg, bc, admin_token, true, bcl))
  {
    error("Local store: all %d mappings imported (saved). Cloud: nothing written: %s", added + replaced, bcl ? upaLastErrorString() : "out of memory");
    status = 1;
    goto done;
  }

  {
    int		cadded = 0,		// Cloud mappings added
		csame = 0,		// Already there for the same user
		cconflict = 0,		// Mapped to someone else there
		cfailed = 0;		// Failed

    for (j = 0; j < num_lines; j ++)
    {
      upa_badge_user_t	old;		// Existing cloud owner
      upa_badge_cloud_t	cresult = cloud_put(bcl, lines[j].id, lines[j].upn, false, &old);
					// Outcome

      if (cresult == UPA_BADGE_CLOUD_OK && old.upn[0])
      {
        printf("%s:%d: cloud: badge %s already mapped to %s (unchanged).\n", file, lines[j].linenum, lines[j].tag, lines[j].upn);
        csame ++;
      }
      else if (cresult == UPA_BADGE_CLOUD_OK)
      {
        printf("%s:%d: cloud: badge %s mapped to %s.\n", file, lines[j].linenum, lines[j].tag, lines[j].upn);
        cadded ++;
      }
      else if (cresult == UPA_BADGE_CLOUD_EXISTS)
      {
        printf("%s:%d: cloud: badge %s is mapped to %s there; left unchanged (local store: %s).\n", file, lines[j].linenum, lines[j].tag, old.upn[0] ? old.upn : "another user", lines[j].upn);
        cconflict ++;
      }
      else
      {
        printf("%s:%d: cloud: badge %s NOT written (%s): %s\n", file, lines[j].linenum, lines[j].tag, upaBadgeCloudString(cresult), upaLastErrorString());
        cfailed ++;
      }

      OPENSSL_cleanse(&old, sizeof(old));
    }

    printf("Cloud: %d added, %d already there, %d mapped to another user, %d failed (collection %s).\n", cadded, csame, cconflict, cfailed, bcl->cid);

    if (cconflict || cfailed)
    {
      error("Local store: all %d mappings imported (saved). Cloud: %d of %d lines not written as imported (see above).", added + replaced, cconflict + cfailed, (int)num_lines);
      status = 1;
    }
  }

  done:

  cloud_close(bcl);
  free(bcl);
  if (lines)
  {
    OPENSSL_cleanse(lines, alloc_lines * sizeof(struct import_line_s));
    free(lines);
  }
  OPENSSL_cleanse(id, sizeof(id));

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
// 'badge_login()' - Sign in as a badge administrator; store the refresh token.
//
// Device-code sign-in with PrintBadges.ReadWrite and offline_access; the
// refresh token goes to CloudAdminTokenFile (0600, written atomically under
// its lock) for "--cloud" and pam_upa's SelfRegisterCloud.
//

static int				// O - Exit status
badge_login(upa_config_t       *cfg,	// I - cups-upa.conf or NULL
            upa_badge_config_t *bc,	// I - Configuration
            int                argc,	// I - Number of arguments
            char               *argv[])	// I - Arguments ("login", ...)
{
  upa_config_t		*mycfg = NULL;	// cups-upa.conf loaded here
  upa_devcode_t		*dc = NULL;	// Pending sign-in
  upa_badge_login_t	*login = NULL;	// What is stored
  upa_http_t		*http = NULL;	// HTTPS session (collection check)
  const char		*client_id = getenv("UPA_CLIENT_ID"),
					// --client-id
			*tenant = getenv("UPA_TENANT"),
					// --tenant
			*authority = getenv("UPA_AUTHORITY");
					// --authority
  char			token[16384] = "",
					// Access token
			scope[1100],	// Sign-in scope
			cid[256];	// Badge collection
  int			i,		// Looping var
			max_wait = 0,	// --signin-timeout
			lockfd = -1,	// Token file lock
			status = 1;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--client-id") && i + 1 < argc)
      client_id = argv[++ i];
    else if (!strcmp(argv[i], "--tenant") && i + 1 < argc)
      tenant = argv[++ i];
    else if (!strcmp(argv[i], "--authority") && i + 1 < argc)
      authority = argv[++ i];
    else if (!strcmp(argv[i], "--signin-timeout") && i + 1 < argc)
    {
      if ((max_wait = atoi(argv[++ i])) <= 0)
        return (error("--signin-timeout needs a number of seconds."));
    }
    else
      return (usage(stderr, 1));
  }

  if (!client_id || !*client_id)
    return (error("Pass --client-id (or set UPA_CLIENT_ID) to the application id of your cups-upa app registration."));

  if (!bc->cloud_admin_token_file[0])
    return (error("No CloudAdminTokenFile in %s.", bc->path[0] ? bc->path : "badge.conf"));

  if (!cfg && (cfg = mycfg = upaConfigLoad(bc->upa_config)) == NULL)
    return (error("%s", upaLastErrorString()));

  if ((dc = calloc(1, sizeof(upa_devcode_t))) == NULL || (login = calloc(1, sizeof(upa_badge_login_t))) == NULL)
  {
    error("Out of memory.");
    goto done;
  }

  if (!upaOAuthScope(cfg, UPA_BADGE_CLOUD_SCOPE, scope, sizeof(scope)) || !upaOAuthDeviceCodeStart(cfg, authority, tenant, client_id, scope, dc))
  {
    error("Cannot start the sign-in (%s): check --client-id, --tenant, --authority and the network.", upaLastErrorString());
    goto done;
  }

  if (dc->message[0])
    printf("%s\n", dc->message);
  else
    printf("To sign in as a badge administrator, open %s and enter the code %s\n", dc->verification_uri, dc->user_code);
  printf("Waiting for the sign-in (the code is valid for %ld min)...\n", (long)((dc->expires - time(NULL) + 59) / 60));
  fflush(stdout);

  if (!upaOAuthDeviceCodeWait(cfg, dc, max_wait, NULL, NULL, token, sizeof(token)))
  {
    error("Sign-in failed: %s", upaLastErrorString());
    goto done;
  }

  if (!dc->refresh_token[0])
  {
    error("The sign-in service sent no refresh token (offline_access was not granted); nothing stored.");
    goto done;
  }

  snprintf(login->authority, sizeof(login->authority), "%s", authority ? authority : "");
  snprintf(login->tenant, sizeof(login->tenant), "%s", tenant ? tenant : "");
  snprintf(login->client_id, sizeof(login->client_id), "%s", client_id);
  snprintf(login->refresh_token, sizeof(login->refresh_token), "%s", dc->refresh_token);

  if ((lockfd = upaBadgeStoreLock(bc->cloud_admin_token_file)) < 0 || !upaBadgeLoginSave(bc->cloud_admin_token_file, login))
  {
    error("Signed in, but cannot store the sign-in: %s", upaLastErrorString());
    goto done;
  }

  upaBadgeStoreUnlock(lockfd);
  lockfd = -1;

  printf("Signed in. The badge admin sign-in is stored in %s.\n", bc->cloud_admin_token_file);
  status = 0;

  // Show which collection "--cloud" will use; not fatal.
  if (bc->cloud_collection[0])
    printf("Badge collection (CloudCollection): %s\n", bc->cloud_collection);
  else if ((http = upaHTTPCreate(cfg)) != NULL && upaBadgeCloudCollectionFind(http, cfg, token, cid, sizeof(cid)) == UPA_BADGE_CLOUD_OK)
    printf("Badge collection: %s\n", cid);
  else
    fprintf(stderr, "upactl badge: warning: %s\n", upaLastErrorString());

  done:

  upaBadgeStoreUnlock(lockfd);
  OPENSSL_cleanse(token, sizeof(token));
  if (dc)
  {
    upaOAuthDeviceCodeClear(dc);
    free(dc);
  }
  if (login)
  {
    OPENSSL_cleanse(login, sizeof(upa_badge_login_t));
    free(login);
  }
  upaHTTPDelete(http);
  upaConfigDelete(mycfg);

  return (status);
}


//
// 'badge_remove()' - Remove one badge (read from stdin) or all of a user's.
//

static int				// O - Exit status
badge_remove(upa_config_t       *cfg,	// I - cups-upa.conf or NULL
             upa_badge_config_t *bc,	// I - Configuration
             int                argc,	// I - Number of arguments
             char               *argv[])// I - Arguments ("remove", ...)
{
  upa_badge_key_t	*key = NULL;	// Site key
  upa_badge_store_t	*store = NULL;	// Store
  const char		*user = NULL,	// --user
			*admin_token = NULL;
					// --admin-token
  bool			cloud = false;	// --cloud
  badge_cloud_t		*bcl = NULL;	// Cloud side
  upa_badge_cloud_t	cresult;	// Cloud outcome
  char			input[UPA_BADGE_MAX_INPUT + 2] = "",
					// Badge input
			id[UPA_BADGE_MAX_ID + 1] = "",
					// Normalised ID (for the cloud)
			hash[UPA_BADGE_HASH_LEN + 1],
					// Keyed hash
			tag[UPA_BADGE_TAG_LEN + 1] = "-",
					// Badge tag
			local[64] = "";	// What the local step did
  int			i,		// Looping var
			lockfd = -1,	// Store lock
			removed = 0,	// Mappings removed
			status = 1;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--user") && i + 1 < argc && !user)
      user = argv[++ i];
    else if (!strcmp(argv[i], "--cloud"))
      cloud = true;
    else if (!strcmp(argv[i], "--admin-token") && i + 1 < argc)
      admin_token = argv[++ i];
    else
      return (usage(stderr, 1));
  }

  if (user && cloud)
    return (error("--user cannot be combined with --cloud: the cloud cannot list a user's badges; remove them one at a time."));

  if (!user)
  {
    if ((key = load_or_create_key(bc, false)) == NULL)
      return (1);

    if (!read_line("Tap the badge: ", true, input, sizeof(input)))
    {
      error("No badge read.");
      goto done;
    }

    if (!normalize_hash(bc, key, input, id, sizeof(id), hash, sizeof(hash)))
      goto done;

    upaBadgeTag(hash, tag, sizeof(tag));
  }

  // With --cloud a missing local store/mapping is not an error by itself.
  if ((lockfd = upaBadgeStoreLock(bc->store)) < 0 || (store = upaBadgeStoreLoad(bc->store, cloud)) == NULL)
  {
    error("%s", upaLastErrorString());
    goto done;
  }

  if (user)
    removed = upaBadgeStoreRemoveUser(store, user);
  else
    removed = upaBadgeStoreRemove(store, hash) ? 1 : 0;

  if (removed == 0 && !cloud)
  {
    error("No matching badge mapping.");
    goto done;
  }

  if (removed > 0 && !save_store(store))
    goto done;

  upaBadgeStoreUnlock(lockfd);
  lockfd = -1;

  if (removed > 0)
  {
    printf("Removed %d badge mapping%s.\n", removed, removed == 1 ? "" : "s");
    snprintf(local, sizeof(local), "removed (saved)");
  }
  else
    snprintf(local, sizeof(local), "had no mapping for badge %s", tag);

  status = removed > 0 ? 0 : 1;

  if (!cloud)
    goto done;

  if ((bcl = calloc(1, sizeof(badge_cloud_t))) == NULL || !cloud_open(cfg, bc, admin_token, true, bcl))
  {
    error("Local store: %s. Cloud: not changed: %s", local, bcl ? upaLastErrorString() : "out of memory");
    status = 1;
    goto done;
  }

  switch (cresult = upaBadgeCloudDelete(bcl->http, bcl->cfg, bcl->token, bcl->cid, id))
  {
    case UPA_BADGE_CLOUD_OK :
        printf("Cloud: badge %s removed from collection %s.\n", tag, bcl->cid);
        status = 0;
        break;

    case UPA_BADGE_CLOUD_NOT_FOUND :
        printf("Cloud: no mapping for badge %s (nothing to remove).\n", tag);
        if (removed == 0)
          error("No matching badge mapping (local store or cloud).");
        break;

    default :
        error("Local store: %s. Cloud: NOT removed (%s): %s", local, upaBadgeCloudString(cresult), upaLastErrorString());
        status = 1;
        break;
  }

  done:

  cloud_close(bcl);
  free(bcl);
  OPENSSL_cleanse(input, sizeof(input));
  OPENSSL_cleanse(id, sizeof(id));
  upaBadgeStoreUnlock(lockfd);
  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);

  return (status);
}


//
// 'badge_unlock()' - End a badge's lockout at a station.
//
// The lockout records are keyed hashes of (station, badge), so the badge is
// read from standard input like "add" and "remove" read it.  Recording a
// success is what clears a badge's failures and lockout in lib/badge.c.
//

static int				// O - Exit status
badge_unlock(upa_badge_config_t *bc,	// I - Configuration
             int                argc,	// I - Number of arguments
             char               *argv[])// I - Arguments ("unlock", ...)
{
  upa_badge_key_t	*key;		// Site key
  const char		*station = "local";
					// --station (pam_upa's default)
  char			input[UPA_BADGE_MAX_INPUT + 2] = "",
					// Badge input
			id[UPA_BADGE_MAX_ID + 1] = "",
					// Normalised ID
			hash[UPA_BADGE_HASH_LEN + 1],
					// Keyed hash
			tag[UPA_BADGE_TAG_LEN + 1] = "-",
					// Badge tag
			when[64] = "";	// Lockout end
  int			i;		// Looping var
  time_t		now = time(NULL),
					// Current time
			until = 0;	// Locked until
  upa_badge_throttle_t	state;		// Lockout state before
  struct tm		tmbuf;		// Local time
  int			status = 1;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--station") && i + 1 < argc)
      station = argv[++ i];
    else
      return (usage(stderr, 1));
  }

  if ((key = load_or_create_key(bc, false)) == NULL)
    return (1);

  if (!read_line("Tap the badge: ", true, input, sizeof(input)))
    error("No badge read.");
  else if (normalize_hash(bc, key, input, id, sizeof(id), hash, sizeof(hash)))
  {
    upaBadgeTag(hash, tag, sizeof(tag));

    if ((state = upaBadgeThrottleBegin(bc, key, hash, station, now, &until)) == UPA_BADGE_THROTTLE_ERROR || !upaBadgeThrottleEnd(bc, key, hash, station, true, now))
      error("Badge %s at station %s: %s", tag, station, upaLastErrorString());
    else
    {
      if (state == UPA_BADGE_THROTTLE_LOCKED)
      {
        if (localtime_r(&until, &tmbuf))
          strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tmbuf);
        printf("Badge %s was locked out at station %s until %s: unlocked.\n", tag, station, when);
      }
      else
        printf("Badge %s was not locked out at station %s; its failure count is cleared.\n", tag, station);
      status = 0;
    }
  }

  explicit_bzero(input, sizeof(input));
  explicit_bzero(id, sizeof(id));
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
  bool			ldap = false;	// --ldap
  int			i;		// Looping var
  char			input[UPA_BADGE_MAX_INPUT + 2],
					// Badge input
			id[UPA_BADGE_MAX_ID + 1],
					// Normalised ID
			hash[UPA_BADGE_HASH_LEN + 1],
					// Keyed hash
			tag[UPA_BADGE_TAG_LEN + 1];
					// Tag
  int			status = 0;	// Exit status


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--cloud"))
      cloud = true;
    else if (!strcmp(argv[i], "--ldap"))
      ldap = true;
    else
      return (usage(stderr, 1));
  }

  if (ldap && (!bc->ldap_uri[0] || !bc->ldap_base[0]))
    return (error("LDAPURI and LDAPBase must be set in %s for --ldap.", bc->path[0] ? bc->path : "badge.conf"));

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

    if (ldap)
    {
      upa_badge_user_t	user;		// LDAP result
      upa_badge_lookup_t result = upaBadgeLookupLDAP(bc, id, &user);
					// Outcome

      if (result == UPA_BADGE_LOOKUP_OK)
        printf("ldap: %s%s%s%s\n", user.upn, user.user_id[0] ? " dn=" : "", user.user_id, user.disabled ? " (disabled)" : "");
      else if (result == UPA_BADGE_LOOKUP_NOT_FOUND)
        printf("ldap: not-found\n");
      else
        printf("ldap: %s (%s)\n", upaBadgeLookupString(result), upaLastErrorString());
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
// 'cloud_close()' - Free the cloud side; wipe the token.
//

static void
cloud_close(badge_cloud_t *bcl)		// I - Cloud side or `NULL`
{
  if (!bcl)
    return;

  upaHTTPDelete(bcl->http);
  upaConfigDelete(bcl->mycfg);
  OPENSSL_cleanse(bcl, sizeof(badge_cloud_t));
}


//
// 'cloud_open()' - Config, admin token and collection for a cloud step.
//
// Token: --admin-token, UPA_ADMIN_TOKEN, else the stored sign-in
// (CloudAdminTokenFile).  Collection: CloudCollection, else the tenant's.
//

static bool				// O - `true` on success (last error set otherwise)
cloud_open(upa_config_t       *cfg,	// I - cups-upa.conf or NULL
           upa_badge_config_t *bc,	// I - Configuration
           const char         *admin_token,
					// I - --admin-token or NULL
           bool               need_collection,
					// I - Find the collection?
           badge_cloud_t      *bcl)	// O - Cloud side
{
  memset(bcl, 0, sizeof(badge_cloud_t));

  if ((bcl->cfg = cfg) == NULL && (bcl->cfg = bcl->mycfg = upaConfigLoad(bc->upa_config)) == NULL)
    return (false);

  if (!admin_token || !*admin_token)
    admin_token = getenv("UPA_ADMIN_TOKEN");

  if (admin_token && *admin_token)
  {
    if (strlen(admin_token) >= sizeof(bcl->token))
    {
      upaSetError(UPA_ERROR_ARGS, "The admin token is too long.");
      return (false);
    }
    snprintf(bcl->token, sizeof(bcl->token), "%s", admin_token);
  }
  else if (!upaBadgeCloudAdminToken(bcl->cfg, bc, bcl->token, sizeof(bcl->token)))
    return (false);

  if ((bcl->http = upaHTTPCreate(bcl->cfg)) == NULL)
    return (false);

  if (!need_collection)
    return (true);

  if (bc->cloud_collection[0])
  {
    snprintf(bcl->cid, sizeof(bcl->cid), "%s", bc->cloud_collection);
    return (true);
  }

  return (upaBadgeCloudCollectionFind(bcl->http, bcl->cfg, bcl->token, bcl->cid, sizeof(bcl->cid)) == UPA_BADGE_CLOUD_OK);
}


//
// 'cloud_put()' - Add a badge to the collection without silently re-pointing it.
//
// OK with old->upn "" (added), OK with old->upn == upn (already there),
// OK with another old->upn (re-assigned: replace only), EXISTS with
// old->upn set to the current owner when known (left unchanged).
//

static upa_badge_cloud_t		// O - Outcome
cloud_put(badge_cloud_t    *bcl,	// I - Cloud side
          const char       *id,		// I - Normalised badge ID
          const char       *upn,	// I - User
          bool             replace,	// I - Re-assign an existing badge?
          upa_badge_user_t *old)	// O - Existing owner or ""
{
  upa_badge_cloud_t	ret;		// Outcome


  memset(old, 0, sizeof(upa_badge_user_t));

  if ((ret = upaBadgeCloudAdd(bcl->http, bcl->cfg, bcl->token, bcl->cid, id, upn, NULL)) != UPA_BADGE_CLOUD_EXISTS)
    return (ret);

  if (upaBadgeCloudGet(bcl->http, bcl->cfg, bcl->token, bcl->cid, id, old) != UPA_BADGE_CLOUD_OK)
  {
    memset(old, 0, sizeof(upa_badge_user_t));
    upaSetError(UPA_ERROR_HTTP, "The badge collection already has this badge; its owner could not be read.");
    return (UPA_BADGE_CLOUD_EXISTS);
  }

  if (!strcasecmp(old->upn, upn))
    return (UPA_BADGE_CLOUD_OK);

  if (!replace)
    return (UPA_BADGE_CLOUD_EXISTS);

  return (upaBadgeCloudUpdate(bcl->http, bcl->cfg, bcl->token, bcl->cid, id, upn, NULL));
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
// 'normalize_hash()' - Normalise reader input and hash it, keeping the ID.
//

static bool				// O - true on success
normalize_hash(
    upa_badge_config_t    *bc,		// I - Configuration
    const upa_badge_key_t *key,		// I - Site key
    const char            *input,	// I - Reader input
    char                  *id,		// O - Normalised ID (caller wipes it)
    size_t                idsize,	// I - Size of id buffer
    char                  *hash,	// O - Keyed hash
    size_t                hashsize)	// I - Size of hash buffer
{
  if (!upaBadgeNormalize(&bc->rules, input, id, idsize))
  {
    error("Badge refused: %s", upaLastErrorString());
    return (false);
  }

  if (!upaBadgeHash(key, id, hash, hashsize))
  {
    error("%s", upaLastErrorString());
    OPENSSL_cleanse(id, idsize);
    return (false);
  }

  return (true);
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
        "  add [--pin] [--disabled] [--expires YYYY-MM-DD] [--replace] [--cloud] UPN\n"
        "                                map the badge read from stdin to UPN\n"
        "  remove [--user UPN | --cloud] remove the badge read from stdin (or all of UPN's)\n"
        "  test [--cloud] [--ldap]       show how badges read from stdin normalise and resolve\n"
        "  import [--cloud] FILE.csv|-   import badge,upn[,pin[,expires]] lines\n"
        "  list                          list mappings (badge tags, never numbers)\n"
        "  login [--client-id ID] [--tenant T] [--authority URL] [--signin-timeout S]\n"
        "                                sign in as badge administrator (device code);\n"
        "                                stores the refresh token in CloudAdminTokenFile\n"
        "  collection create|show        create or show the tenant's cloud badge collection\n"
        "  unlock [--station NAME]       end the lockout of the badge read from stdin at a\n"
        "                                station (default \"local\"; the audit log's station=)\n"
        "--cloud (add, remove, import) also writes the mapping to Universal Print's badge\n"
        "collection after the local store; --admin-token TOKEN (or UPA_ADMIN_TOKEN) instead\n"
        "of the stored sign-in.\n"
        "Badge numbers and PINs are read from standard input, never from the command line.\n", fp);

  return (status);
}
