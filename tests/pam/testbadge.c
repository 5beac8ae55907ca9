//
// Unit tests for lib/badge.c: normalisation table, keyed hashes, store
// parsing, PINs, lockout/debounce, badge.conf and the cloud lookup parser.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "upa.h"
#include "badge.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>


//
// Local globals...
//

static char	tmpdir[256];		// Scratch folder


//
// 'write_file()' - Write a scratch file and return its path.
//

static const char *			// O - Path (static buffer)
write_file(const char *name,		// I - File name
           const char *contents,	// I - Contents
           mode_t     mode)		// I - Mode
{
  static char	path[512];		// Path
  FILE		*fp;			// File


  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(contents, fp);
  fclose(fp);
  assert_int_equal(chmod(path, mode), 0);

  return (path);
}


//
// 'test_normalize_table()' - Table of rules, inputs and expected results.
//

typedef struct norm_case_s		// One normalisation case
{
  const char		*prefix,	// StripPrefix
			*suffix,	// StripSuffix
			*regex;		// Regex
  upa_badge_format_t	input,		// InputFormat
			output;		// OutputFormat
  bool			reverse;	// ReverseBytes
  int			bytes;		// ByteLength
  bool			zeros;		// StripLeadingZeros
  int			pad;		// PadLength
  bool			upper;		// UpperCase
  const char		*in,		// Reader input
			*out;		// Expected (NULL = refused)
} norm_case_t;

#define T UPA_BADGE_FORMAT_TEXT
#define D UPA_BADGE_FORMAT_DECIMAL
#define H UPA_BADGE_FORMAT_HEX

static void
test_normalize_table(void **state)
{
  static const norm_case_t cases[] =
  {
    // prefix suffix regex                in out rev bytes zeros pad upper  input               expected
    { "",  "",  "",                       T, T, false, 0, false, 0, false, "  ABC123\r\n",       "ABC123" },
    { "",  "",  "",                       T, T, false, 0, false, 0, true,  "abc123",             "ABC123" },
    { ";", "?", "",                       T, T, false, 0, false, 0, false, ";12345?",            "12345" },
    { ";", "?", "",                       T, T, false, 0, false, 0, false, "12345",              "12345" },
    { "",  "",  "ID:([0-9]+)",            T, T, false, 0, false, 0, false, "xx ID:00042;X",      "00042" },
    { "",  "",  "ID:([0-9]+)",            T, T, false, 0, true,  0, false, "ID:00042",           "42" },
    { "",  "",  "[0-9]{4}",               T, T, false, 0, false, 0, false, "ab1234cd",           "1234" },
    { "",  "",  "ID:([0-9]+)",            T, T, false, 0, false, 0, false, "no id here",         NULL },
    { "",  "",  "",                       H, D, false, 0, false, 0, false, "00BC614E",           "12345678" },
    { "",  "",  "",                       D, H, false, 0, false, 0, false, "12345678",           "BC614E" },
    { "",  "",  "",                       D, H, false, 4, false, 0, false, "12345678",           "00BC614E" },
    { "",  "",  "",                       H, T, true,  0, false, 0, false, "04a1b2c3",           "C3B2A104" },
    { "",  "",  "",                       H, D, true,  4, false, 0, false, "4E61BC00",           "12345678" },
    { "",  "",  "",                       H, D, true,  4, false, 0, false, "4E61BC",             "3160493568" },
    { "",  "",  "",                       D, D, true,  4, false, 0, false, "12345678",           "1315027968" },
    { "",  "",  "",                       D, D, false, 0, false, 10, false, "12345678",          "0012345678" },
    { "",  "",  "",                       D, D, false, 0, false, 0, false, "0012345678",         "12345678" },
    { "",  "",  "",                       T, T, false, 0, true,  0, false, "0000",               "0" },
    { "",  "",  "",                       T, T, false, 0, true,  8, false, "0042",               "00000042" },
    { "",  "",  "",                       D, D, false, 0, false, 0, false, "12a",                NULL },
    { "",  "",  "",                       H, H, false, 0, false, 0, false, "12G4",               NULL },
    { "",  "",  "",                       H, H, false, 2, false, 0, false, "010203",             NULL },
    { "",  "",  "",                       T, T, false, 0, false, 0, false, "",                   NULL },
    { "",  "",  "",                       T, T, false, 0, false, 0, false, "   \r\n",            NULL },
    { "",  "",  "",                       T, T, false, 0, false, 0, false, "12\x01" "34",        NULL },
    { "",  "",  "",                       T, T, false, 0, false, 0, false, "caf\xc3\xa9",        NULL },
    { ";", "",  "",                       D, D, false, 0, false, 0, false, ";",                  NULL },
    { "",  "",  "",                       T, T, false, 0, false, 0, false, "1234\n5678",          NULL },
    { "",  "",  "",                       T, T, false, 0, false, 0, false, "12 34",              NULL },
  };
  size_t		i;		// Looping var
  upa_badge_rules_t	rules;		// Rules
  char			out[UPA_BADGE_MAX_ID + 1],
					// Result
			longin[UPA_BADGE_MAX_INPUT + 10];
					// Over-long input
  bool			ok;		// Result


  (void)state;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i ++)
  {
    const norm_case_t *c = cases + i;	// Current case

    upaBadgeRulesInit(&rules);
    snprintf(rules.strip_prefix, sizeof(rules.strip_prefix), "%s", c->prefix);
    snprintf(rules.strip_suffix, sizeof(rules.strip_suffix), "%s", c->suffix);
    snprintf(rules.regex, sizeof(rules.regex), "%s", c->regex);
    rules.input         = c->input;
    rules.output        = c->output;
    rules.reverse_bytes = c->reverse;
    rules.byte_length   = c->bytes;
    rules.strip_zeros   = c->zeros;
    rules.pad_length    = c->pad;
    rules.upper         = c->upper;

    ok = upaBadgeNormalize(&rules, c->in, out, sizeof(out));
    if (c->out)
    {
      if (!ok)
        fail_msg("case %u: refused: %s", (unsigned)i, upaLastErrorString());
      if (strcmp(out, c->out))
        fail_msg("case %u: got \"%s\", expected \"%s\"", (unsigned)i, out, c->out);
    }
    else if (ok)
      fail_msg("case %u: accepted as \"%s\", expected refusal", (unsigned)i, out);
  }

  // Over-long input and too small an output buffer
  upaBadgeRulesInit(&rules);
  memset(longin, '7', sizeof(longin) - 1);
  longin[sizeof(longin) - 1] = '\0';
  assert_false(upaBadgeNormalize(&rules, longin, out, sizeof(out)));
  assert_false(upaBadgeNormalize(&rules, "123456", out, 4));
  rules.max_length = 4;
  assert_false(upaBadgeNormalize(&rules, "123456", out, sizeof(out)));
  rules.min_length = 3;
  rules.max_length = 8;
  assert_false(upaBadgeNormalize(&rules, "12", out, sizeof(out)));
}

#undef T
#undef D
#undef H


//
// 'test_hash()' - HMAC-SHA-256 (RFC 4231 case 2) and tags.
//

static void
test_hash(void **state)
{
  upa_badge_key_t	key;		// Key
  char			hash[UPA_BADGE_HASH_LEN + 1],
					// Digest
			tag[UPA_BADGE_TAG_LEN + 1];
					// Tag


  (void)state;

  memset(&key, 0, sizeof(key));
  memcpy(key.data, "Jefe", 4);
  key.len = 4;

  assert_true(upaBadgeHash(&key, "what do ya want for nothing?", hash, sizeof(hash)));
  assert_string_equal(hash, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  upaBadgeTag(hash, tag, sizeof(tag));
  assert_string_equal(tag, "5bdcc146");

  assert_false(upaBadgeHash(&key, "", hash, sizeof(hash)));
  assert_false(upaBadgeHash(&key, "x", hash, 10));
}


//
// 'test_key_file()' - Key creation, loading and permission checks.
//

static void
test_key_file(void **state)
{
  char			path[512];	// Key file
  upa_badge_key_t	*key;		// Key
  struct stat		st;		// File info


  (void)state;

  snprintf(path, sizeof(path), "%s/site.key", tmpdir);
  assert_true(upaBadgeKeyCreate(path));
  assert_false(upaBadgeKeyCreate(path));		// Never overwrites
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  assert_non_null((key = upaBadgeKeyLoad(path)));
  assert_int_equal(key->len, 32);
  upaBadgeKeyDelete(key);

  assert_int_equal(chmod(path, 0644), 0);		// World-readable key refused
  assert_null(upaBadgeKeyLoad(path));

  assert_null(upaBadgeKeyLoad(write_file("short.key", "abcdef\n", 0600)));
  assert_null(upaBadgeKeyLoad(write_file("nothex.key", "zz0123456789abcdef0123456789abcdef\n", 0600)));
  assert_non_null((key = upaBadgeKeyLoad(write_file("ok.key", "  00112233445566778899aabbccddeeff\n", 0600))));
  assert_int_equal(key->len, 16);
  upaBadgeKeyDelete(key);
}


//
// 'test_store_parse()' - Good and corrupt stores.
//

static void
test_store_parse(void **state)
{
  static const char good[] =
    "# comment\n"
    "\n"
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 alice@contoso.com\n"
    "0000000000000000000000000000000000000000000000000000000000000001 bob@contoso.com pin=$y$j9T$abc$def disabled expires=1700000000 created=1600000000\n"
    "  00000000000000000000000000000000000000000000000000000000000000AB\tlocaluser  \n";
  static const char * const bad[] =
  {
    "abcd alice@contoso.com\n",					// Short hash
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec384z alice@contoso.com\n",
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843\n",	// No user
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 -rf\n",	// Bad user
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 a@b c=d\n",	// Unknown field
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 a@b pin=plain\n",
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 a@b expires=-5\n",
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 a@b\n"
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 c@d\n",	// Duplicate
  };
  upa_badge_store_t	*store;		// Store
  upa_badge_entry_t	*e;		// Entry
  size_t		i;		// Looping var
  char			*huge;		// Over-long line


  (void)state;

  assert_non_null((store = upaBadgeStoreParse(good, strlen(good), "good")));
  assert_int_equal(store->num_entries, 3);
  assert_non_null((e = upaBadgeStoreFind(store, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")));
  assert_string_equal(e->upn, "alice@contoso.com");
  assert_false(e->disabled);
  assert_non_null((e = upaBadgeStoreFind(store, "0000000000000000000000000000000000000000000000000000000000000001")));
  assert_true(e->disabled);
  assert_string_equal(e->pin, "$y$j9T$abc$def");
  assert_int_equal(e->expires, 1700000000);
  assert_non_null((e = upaBadgeStoreFind(store, "00000000000000000000000000000000000000000000000000000000000000ab")));
  assert_string_equal(e->upn, "localuser");
  assert_null(upaBadgeStoreFind(store, "00000000000000000000000000000000000000000000000000000000000000ac"));

  assert_int_equal(upaBadgeStoreRemoveUser(store, "ALICE@contoso.com"), 1);
  assert_true(upaBadgeStoreRemove(store, "00000000000000000000000000000000000000000000000000000000000000ab"));
  assert_false(upaBadgeStoreRemove(store, "00000000000000000000000000000000000000000000000000000000000000ab"));
  assert_int_equal(store->num_entries, 1);
  upaBadgeStoreDelete(store);

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i ++)
  {
    if ((store = upaBadgeStoreParse(bad[i], strlen(bad[i]), "bad")) != NULL)
    {
      upaBadgeStoreDelete(store);
      fail_msg("bad store %u accepted", (unsigned)i);
    }
  }

  assert_null(upaBadgeStoreParse("abc\0def", 7, "nul"));

  huge = malloc(10000);
  assert_non_null(huge);
  memset(huge, 'a', 9999);
  huge[9999] = '\0';
  assert_null(upaBadgeStoreParse(huge, strlen(huge), "huge"));
  free(huge);
}


//
// 'test_store_file()' - Save/load round trip and permission checks.
//

static void
test_store_file(void **state)
{
  char			path[512];	// Store file
  upa_badge_store_t	*store;		// Store
  upa_badge_entry_t	e;		// Entry
  struct stat		st;		// File info


  (void)state;

  snprintf(path, sizeof(path), "%s/badges", tmpdir);
  assert_null(upaBadgeStoreLoad(path, false));		// Missing, not OK
  assert_non_null((store = upaBadgeStoreLoad(path, true)));
  assert_int_equal(store->num_entries, 0);

  memset(&e, 0, sizeof(e));
  strcpy(e.hash, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  strcpy(e.upn, "alice@contoso.com");
  e.expires = 1900000000;
  assert_true(upaBadgeStorePut(store, &e));
  assert_true(upaBadgeStoreSave(store));
  upaBadgeStoreDelete(store);

  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  assert_non_null((store = upaBadgeStoreLoad(path, false)));
  assert_int_equal(store->num_entries, 1);
  assert_int_equal(store->entries[0].expires, 1900000000);
  upaBadgeStoreDelete(store);

  assert_int_equal(chmod(path, 0620), 0);		// Group-writable refused
  assert_null(upaBadgeStoreLoad(path, false));
  assert_int_equal(chmod(path, 0604), 0);		// World-readable refused
  assert_null(upaBadgeStoreLoad(path, false));
  assert_int_equal(chmod(path, 0640), 0);
  assert_non_null((store = upaBadgeStoreLoad(path, false)));
  upaBadgeStoreDelete(store);

  snprintf(path, sizeof(path), "%s/badges-link", tmpdir);
  assert_int_equal(symlink("badges", path), 0);
  assert_null(upaBadgeStoreLoad(path, false));		// O_NOFOLLOW
}


//
// 'test_pin()' - yescrypt hashing and verification.
//

static void
test_pin(void **state)
{
  char	hash[256],			// PIN hash
	hash2[256];			// Same PIN again


  (void)state;

  assert_true(upaBadgePINHash("2468", hash, sizeof(hash)));
  assert_true(!strncmp(hash, "$y$", 3));
  assert_true(upaBadgePINVerify("2468", hash));
  assert_false(upaBadgePINVerify("2469", hash));
  assert_false(upaBadgePINVerify("", hash));
  assert_false(upaBadgePINVerify("2468", "$y$garbage"));
  assert_false(upaBadgePINVerify("2468", "plain"));

  assert_true(upaBadgePINHash("2468", hash2, sizeof(hash2)));
  assert_string_not_equal(hash, hash2);			// Random salt

  assert_false(upaBadgePINHash("", hash, sizeof(hash)));
  assert_false(upaBadgePINHash("2468", hash, 8));
}


//
// 'test_throttle()' - Lockout, unlock, debounce and per-station limits.
//

static void
test_throttle(void **state)
{
  upa_badge_config_t	bc;		// Configuration
  upa_badge_key_t	key;		// Key
  time_t		until;		// Locked until
  char			statefile[1100];	// State file
  struct stat		st;		// File info


  (void)state;

  memset(&key, 0x42, sizeof(key));
  key.len = 32;

  memset(&bc, 0, sizeof(bc));
  bc.max_failures   = 2;
  bc.failure_window = 60;
  bc.lockout_time   = 5;
  bc.debounce_time  = 0;
  snprintf(bc.state_dir, sizeof(bc.state_dir), "%s/state", tmpdir);

  // Two failures lock the badge at this station for 5 seconds
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge1", "s1", 1000, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "badge1", "s1", UPA_BADGE_OUTCOME_FAILURE, 1000));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge1", "s1", 1001, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "badge1", "s1", UPA_BADGE_OUTCOME_FAILURE, 1001));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge1", "s1", 1002, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(until, 1006);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge1", "s2", 1002, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge2", "s1", 1002, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge1", "s1", 1006, &until), UPA_BADGE_THROTTLE_OK);

  // Failures outside the window do not add up; success resets
  assert_true(upaBadgeThrottleEnd(&bc, &key, "badge3", "s1", UPA_BADGE_OUTCOME_FAILURE, 2000));
  assert_true(upaBadgeThrottleEnd(&bc, &key, "badge3", "s1", UPA_BADGE_OUTCOME_FAILURE, 2061));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge3", "s1", 2062, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "badge3", "s1", UPA_BADGE_OUTCOME_SUCCESS, 2062));
  assert_true(upaBadgeThrottleEnd(&bc, &key, "badge3", "s1", UPA_BADGE_OUTCOME_FAILURE, 2063));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge3", "s1", 2064, &until), UPA_BADGE_THROTTLE_OK);

  // Debounce
  bc.debounce_time = 2;
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge4", "s1", 3000, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge4", "s1", 3001, &until), UPA_BADGE_THROTTLE_DEBOUNCED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge4", "s2", 3001, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "badge4", "s1", 3002, &until), UPA_BADGE_THROTTLE_OK);

  // Station-wide limit across badges
  bc.debounce_time        = 0;
  bc.station_max_failures = 3;
  assert_true(upaBadgeThrottleEnd(&bc, &key, "a", "s9", UPA_BADGE_OUTCOME_FAILURE, 4000));
  assert_true(upaBadgeThrottleEnd(&bc, &key, "b", "s9", UPA_BADGE_OUTCOME_FAILURE, 4001));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "c", "s9", 4002, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "c", "s9", UPA_BADGE_OUTCOME_FAILURE, 4002));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "d", "s9", 4003, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "d", "s8", 4003, &until), UPA_BADGE_THROTTLE_OK);

  // The state file is private; garbage lines are dropped, not fatal
  snprintf(statefile, sizeof(statefile), "%s/throttle.db", bc.state_dir);
  assert_int_equal(stat(statefile, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  write_file("state/throttle.db", "garbage line\n\x01\x02\n", 0600);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "d", "s9", 4004, &until), UPA_BADGE_THROTTLE_OK);
  write_file("state/throttle.db", "", 0666);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "d", "s9", 4005, &until), UPA_BADGE_THROTTLE_ERROR);
  assert_int_equal(unlink(statefile), 0);
}


//
// 'test_throttle_atomic()' - Attempts under way count; unknown badges per station; unlock.
//

static void
test_throttle_atomic(void **state)
{
  upa_badge_config_t	bc;		// Configuration
  upa_badge_key_t	key;		// Key
  time_t		until;		// Locked until
  char			badge[32];	// Badge hash stand-in
  int			i;		// Looping var


  (void)state;

  memset(&key, 0x17, sizeof(key));
  key.len = 32;

  memset(&bc, 0, sizeof(bc));
  bc.max_failures   = 2;
  bc.failure_window = 60;
  bc.lockout_time   = 30;
  snprintf(bc.state_dir, sizeof(bc.state_dir), "%s/state-atomic", tmpdir);

  // Two attempts under way use up MaxFailures 2: a third must wait...
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1000, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1000, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1000, &until), UPA_BADGE_THROTTLE_LOCKED);

  // ... until they end without counting (service down)...
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s1", UPA_BADGE_OUTCOME_NEUTRAL, 1001));
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s1", UPA_BADGE_OUTCOME_NEUTRAL, 1001));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1002, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s1", UPA_BADGE_OUTCOME_FAILURE, 1002));

  // ... or a reservation is stale (a killed process never ends it)
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1003, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1003, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1003 + 600, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s1", UPA_BADGE_OUTCOME_FAILURE, 1603));
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s1", UPA_BADGE_OUTCOME_FAILURE, 1604));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1605, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(until, 1634);

  // An admin unlock of that badge at that station
  assert_int_equal(upaBadgeUnlock(&bc, &key, "p", "s1"), 1);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s1", 1606, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s1", UPA_BADGE_OUTCOME_SUCCESS, 1606));

  // Unknown badges at a station (UnknownMaxFailures): 3 different unknown
  // badges lock the station for every badge, known ones too
  bc.unknown_max_failures = 3;
  for (i = 0; i < 3; i ++)
  {
    snprintf(badge, sizeof(badge), "guess%d", i);
    assert_int_equal(upaBadgeThrottleBegin(&bc, &key, badge, "s2", 2000 + i, &until), UPA_BADGE_THROTTLE_OK);
    assert_true(upaBadgeThrottleEnd(&bc, &key, badge, "s2", UPA_BADGE_OUTCOME_UNKNOWN, 2000 + i));
  }
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "guess9", "s2", 2003, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s2", 2003, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s3", 2003, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s3", UPA_BADGE_OUTCOME_SUCCESS, 2003));

  // Wrong PINs of a known badge do not count as unknown badges
  for (i = 0; i < 3; i ++)
  {
    assert_int_equal(upaBadgeThrottleBegin(&bc, &key, i & 1 ? "q" : "r", "s4", 3000 + i, &until), UPA_BADGE_THROTTLE_OK);
    assert_true(upaBadgeThrottleEnd(&bc, &key, i & 1 ? "q" : "r", "s4", UPA_BADGE_OUTCOME_FAILURE, 3000 + i));
  }
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "t", "s4", 3003, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "t", "s4", UPA_BADGE_OUTCOME_SUCCESS, 3003));

  // Unlocking the station clears its unknown-badge lockout
  assert_true(upaBadgeUnlock(&bc, &key, NULL, "s2") >= 1);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "p", "s2", 2004, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "p", "s2", UPA_BADGE_OUTCOME_SUCCESS, 2004));

  // A badge locked at two stations, unlocked everywhere at once
  bc.unknown_max_failures = 0;
  for (i = 0; i < 4; i ++)
  {
    assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "z", i & 1 ? "s5" : "s6", 4000, &until), UPA_BADGE_THROTTLE_OK);
    assert_true(upaBadgeThrottleEnd(&bc, &key, "z", i & 1 ? "s5" : "s6", UPA_BADGE_OUTCOME_FAILURE, 4000));
  }
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "z", "s5", 4001, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "z", "s6", 4001, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeUnlock(&bc, &key, "z", NULL), 2);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "z", "s5", 4002, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "z", "s6", 4002, &until), UPA_BADGE_THROTTLE_OK);

  // Everything
  assert_true(upaBadgeUnlock(&bc, &key, NULL, NULL) >= 2);
}


//
// 'test_throttle_stale()' - A clock read before waiting for the lock.
//
// pam_upa reads time(NULL) and then waits for the state file's lock; on a
// loaded machine another attempt may take the lock first with the next
// second.  A "now" a little older than what is recorded is such a late
// reader, not a clock set back: it must not forget the reservations and
// failures recorded just before (issue 15: 16 of 20 parallel wrong PINs
// were checked with MaxFailures 5).
//

static void
test_throttle_stale(void **state)
{
  upa_badge_config_t	bc;		// Configuration
  upa_badge_key_t	key;		// Key
  time_t		until;		// Locked until
  int			i;		// Looping var


  (void)state;

  memset(&key, 0x29, sizeof(key));
  key.len = 32;

  memset(&bc, 0, sizeof(bc));
  bc.max_failures   = 2;
  bc.failure_window = 300;
  bc.lockout_time   = 300;
  snprintf(bc.state_dir, sizeof(bc.state_dir), "%s/state-stale", tmpdir);

  // Reservations: one made at 1001, then late readers of 1000 (alternating)
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "s", "k1", 1001, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "s", "k1", 1000, &until), UPA_BADGE_THROTTLE_OK);
  for (i = 0; i < 6; i ++)
    assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "s", "k1", i & 1 ? 1001 : 1000, &until), UPA_BADGE_THROTTLE_LOCKED);

  // Failures: the first counted at 1001, the second ended by a late reader
  assert_true(upaBadgeThrottleEnd(&bc, &key, "s", "k1", UPA_BADGE_OUTCOME_FAILURE, 1001));
  assert_true(upaBadgeThrottleEnd(&bc, &key, "s", "k1", UPA_BADGE_OUTCOME_FAILURE, 1000));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "s", "k1", 1000, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "s", "k1", 1002, &until), UPA_BADGE_THROTTLE_LOCKED);

  // A failure window started at 1001 survives a failure ended at 1000
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "w", "k1", 1001, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "w", "k1", UPA_BADGE_OUTCOME_FAILURE, 1001));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "w", "k1", 1000, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "w", "k1", UPA_BADGE_OUTCOME_FAILURE, 1000));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "w", "k1", 1002, &until), UPA_BADGE_THROTTLE_LOCKED);

  // A clock really set back (by more than a late reader can be) still
  // forgets a stale reservation, as before
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "b", "k1", 5000, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "b", "k1", 5000, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "b", "k1", 1000, &until), UPA_BADGE_THROTTLE_OK);

  // A registration clears the badge's failures (UPA_BADGE_OUTCOME_CLEARED)
  // without ending the reservations of attempts under way at the station
  bc.station_max_failures = 3;
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "r", "k2", 6000, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "r", "k2", UPA_BADGE_OUTCOME_FAILURE, 6000));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "r", "k2", 6001, &until), UPA_BADGE_THROTTLE_OK);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "x", "k2", 6001, &until), UPA_BADGE_THROTTLE_OK);
  assert_true(upaBadgeThrottleEnd(&bc, &key, "r", "k2", UPA_BADGE_OUTCOME_CLEARED, 6001));
  assert_true(upaBadgeThrottleEnd(&bc, &key, "r", "k2", UPA_BADGE_OUTCOME_CLEARED, 6001));
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "r", "k2", 6002, &until), UPA_BADGE_THROTTLE_LOCKED);
  assert_int_equal(upaBadgeThrottleBegin(&bc, &key, "y", "k2", 6002, &until), UPA_BADGE_THROTTLE_LOCKED);

  assert_true(upaBadgeUnlock(&bc, &key, NULL, NULL) >= 3);
}


//
// 'test_config()' - badge.conf parsing.
//

static void
test_config(void **state)
{
  upa_badge_config_t	*bc;		// Configuration


  (void)state;

  bc = upaBadgeConfigLoad(write_file("good.conf",
                                     "# full\n"
                                     "Sources local cloud\n"
                                     "Store /x/badges\nKeyFile /x/key\nUpaConfig /x/upa.conf\n"
                                     "CloudQueue Floor3\nCloudAPI v1\n"
                                     "StripPrefix ;\nStripSuffix ?\nRegex ^([0-9]+)\n"
                                     "InputFormat hex\nOutputFormat decimal\nReverseBytes yes\nByteLength 4\n"
                                     "StripLeadingZeros on\nPadLength 10\nUpperCase no\nMinLength 2\nMaxLength 20\n"
                                     "Pin required\nMinPinLength 6\n"
                                     "MaxFailures 4\nStationMaxFailures 20\nFailureWindow 120\nLockoutTime 600\nDebounceTime 3\n"
                                     "StateDir /x/state\nSelfRegister yes\nRegisterDomain contoso.com\n"
                                     "BadgePrompt Tap your card:\nPinPrompt Your PIN:\n", 0644), false);
  assert_non_null(bc);
  assert_int_equal(bc->sources[0], UPA_BADGE_SOURCE_LOCAL);
  assert_int_equal(bc->sources[1], UPA_BADGE_SOURCE_CLOUD);
  assert_int_equal(bc->sources[2], UPA_BADGE_SOURCE_NONE);
  assert_true(bc->cloud_legacy);
  assert_string_equal(bc->cloud_queue, "Floor3");
  assert_int_equal(bc->rules.input, UPA_BADGE_FORMAT_HEX);
  assert_int_equal(bc->rules.output, UPA_BADGE_FORMAT_DECIMAL);
  assert_true(bc->rules.reverse_bytes);
  assert_int_equal(bc->rules.pad_length, 10);
  assert_int_equal(bc->pin, UPA_BADGE_PIN_REQUIRED);
  assert_int_equal(bc->max_failures, 4);
  assert_int_equal(bc->debounce_time, 3);
  assert_string_equal(bc->state_dir, "/x/state");
  assert_true(bc->self_register);
  assert_string_equal(bc->badge_prompt, "Tap your card:");
  upaBadgeConfigDelete(bc);

  assert_null(upaBadgeConfigLoad(write_file("b1.conf", "Bogus 1\n", 0644), false));
  assert_null(upaBadgeConfigLoad(write_file("b2.conf", "Regex ([0-9]\n", 0644), false));
  // LDAP: needs a server and a base; built without libldap it is refused outright.
  assert_null(upaBadgeConfigLoad(write_file("b3.conf", "Sources local ldap\n", 0644), false));
#ifdef HAVE_LDAP
  assert_non_null(strstr(upaLastErrorString(), "needs LDAPURI and LDAPBase"));
  assert_null(upaBadgeConfigLoad(write_file("b3a.conf", "Sources ldap\nLDAPURI http://dir.example.com\nLDAPBase dc=example,dc=com\n", 0644), false));
  assert_null(upaBadgeConfigLoad(write_file("b3b.conf", "Sources ldap\nLDAPURI ldap://dir.example.com\nLDAPBase dc=example,dc=com\nLDAPFilter (employeeNumber=*)\n", 0644), false));
  assert_non_null((bc = upaBadgeConfigLoad(write_file("b3c.conf", "Sources local ldap\nLDAPURI ldap://dir.example.com ldaps://dir2.example.com\nLDAPBase dc=example,dc=com\n", 0644), false)));
  assert_int_equal(bc->sources[0], UPA_BADGE_SOURCE_LOCAL);
  assert_int_equal(bc->sources[1], UPA_BADGE_SOURCE_LDAP);
  upaBadgeConfigDelete(bc);
#else
  assert_non_null(strstr(upaLastErrorString(), "built without it"));
#endif // HAVE_LDAP
  assert_null(upaBadgeConfigLoad(write_file("b4.conf", "ReverseBytes yes\n", 0644), false));
  assert_null(upaBadgeConfigLoad(write_file("b5.conf", "MaxFailures lots\n", 0644), false));
  assert_null(upaBadgeConfigLoad(write_file("b6.conf", "StateDir relative\n", 0644), false));
  assert_null(upaBadgeConfigLoad(write_file("b7.conf", "Pin\n", 0644), false));
  assert_null(upaBadgeConfigLoad("/nonexistent/badge.conf", false));
  assert_non_null((bc = upaBadgeConfigLoad("/nonexistent/badge.conf", true)));
  assert_int_equal(bc->sources[0], UPA_BADGE_SOURCE_LOCAL);
  assert_int_equal(bc->pin, UPA_BADGE_PIN_OPTIONAL);
  upaBadgeConfigDelete(bc);
}


//
// 'test_lookup_parse()' - protocol.md §8 responses mapped to outcomes.
//

static void
test_lookup_parse(void **state)
{
  static const struct
  {
    int			status;		// HTTP status
    const char		*body;		// Body
    upa_badge_lookup_t	result;		// Expected outcome
    const char		*upn;		// Expected UPN
  } cases[] =
  {
    { 200, "{\"badgeId\":\"123\",\"userURI\":\"mailto:user@contoso.com\",\"userId\":\"6f1c2d3e-0000-4000-8000-000000000001\"}", UPA_BADGE_LOOKUP_OK, "user@contoso.com" },
    { 200, "{\"badgeId\":\"123\",\"userURI\":\"MAILTO:user@contoso.com\",\"userId\":null}", UPA_BADGE_LOOKUP_OK, "user@contoso.com" },
    { 200, "{\"badgeId\":\"123\",\"userId\":\"x\"}", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "{\"userURI\":\"tel:+123\"}", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "{\"userURI\":\"mailto:\"}", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "{\"userURI\":\"mailto:a b@c\"}", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "{\"userURI\":\"mailto:nodomain\"}", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "{\"userURI\":42}", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "[\"mailto:user@contoso.com\"]", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "{\"userURI\":\"mailto:user@contoso.com\"", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "not json", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 200, "", UPA_BADGE_LOOKUP_PROTOCOL, NULL },
    { 400, "{\"error\":{\"code\":\"BadRequest\"}}", UPA_BADGE_LOOKUP_BAD_REQUEST, NULL },
    { 401, "", UPA_BADGE_LOOKUP_UNAUTHORIZED, NULL },
    { 403, "{\"error\":{\"code\":\"Forbidden\"}}", UPA_BADGE_LOOKUP_FORBIDDEN, NULL },
    { 404, "{\"userURI\":\"mailto:user@contoso.com\"}", UPA_BADGE_LOOKUP_NOT_FOUND, NULL },
    { 500, "", UPA_BADGE_LOOKUP_SERVER_ERROR, NULL },
    { 503, "", UPA_BADGE_LOOKUP_SERVER_ERROR, NULL },
    { 302, "", UPA_BADGE_LOOKUP_SERVER_ERROR, NULL },
    { 0,   NULL, UPA_BADGE_LOOKUP_NETWORK, NULL },
  };
  size_t		i;		// Looping var
  upa_badge_user_t	user;		// Result
  upa_badge_lookup_t	result;		// Outcome


  (void)state;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i ++)
  {
    result = upaBadgeLookupParse(cases[i].status, cases[i].body, cases[i].body ? strlen(cases[i].body) : 0, &user);
    if (result != cases[i].result)
      fail_msg("case %u: got %s, expected %s", (unsigned)i, upaBadgeLookupString(result), upaBadgeLookupString(cases[i].result));
    if (cases[i].upn)
      assert_string_equal(user.upn, cases[i].upn);
    else
      assert_string_equal(user.upn, "");
  }

  result = upaBadgeLookupParse(200, cases[0].body, strlen(cases[0].body), &user);
  assert_string_equal(user.user_id, "6f1c2d3e-0000-4000-8000-000000000001");

  // Missing device/config is a defined outcome, not a crash
  assert_int_equal(upaBadgeLookupCloud(NULL, NULL, NULL, "123", false, &user), UPA_BADGE_LOOKUP_CONFIG);
  assert_string_equal(upaBadgeLookupString(UPA_BADGE_LOOKUP_FORBIDDEN), "forbidden");
}


//
// 'setup()' / 'teardown()' - Scratch folder.
//

static int
setup(void **state)
{
  (void)state;

  snprintf(tmpdir, sizeof(tmpdir), "%s/testbadge.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  return (mkdtemp(tmpdir) ? 0 : -1);
}

static int
teardown(void **state)
{
  char	command[512];			// rm command


  (void)state;

  snprintf(command, sizeof(command), "rm -rf '%s'", tmpdir);
  return (system(command) == 0 ? 0 : -1);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_normalize_table),
    cmocka_unit_test(test_hash),
    cmocka_unit_test(test_key_file),
    cmocka_unit_test(test_store_parse),
    cmocka_unit_test(test_store_file),
    cmocka_unit_test(test_pin),
    cmocka_unit_test(test_throttle),
    cmocka_unit_test(test_throttle_atomic),
    cmocka_unit_test(test_throttle_stale),
    cmocka_unit_test(test_config),
    cmocka_unit_test(test_lookup_parse)
  };


  return (cmocka_run_group_tests(tests, setup, teardown));
}
