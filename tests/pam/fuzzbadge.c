//
// Fuzz target for the badge normaliser, the store parser and the cloud
// lookup response parser.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Default build ("make check"): a replay program.  With file arguments it
// runs each file once; without, it replays the seed corpus and a fixed-seed
// stream of mutations of it (deterministic, a few seconds).  Invariants are
// checked and abort() on violation, so crashes and wrong results fail the test.
//
// libFuzzer build: "make tests/pam/fuzzbadge-libfuzzer" (see pam_module/local.mk).
//
// The first input byte picks the target and rule set; the rest is the input.
//

#include "upa.h"
#include "badge.h"
#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


//
// Local functions...
//

static void	check_id(const char *id);
int		LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


//
// 'check_id()' - Invariants of a normalised ID.
//

static void
check_id(const char *id)		// I - Normalised ID
{
  size_t	len = strlen(id);	// Length
  size_t	i;			// Looping var


  if (len == 0 || len > UPA_BADGE_MAX_ID)
    abort();

  for (i = 0; i < len; i ++)
  {
    if (!isgraph(id[i] & 255))
      abort();
  }
}


//
// 'LLVMFuzzerTestOneInput()' - Run one input.
//

int					// O - 0 always
LLVMFuzzerTestOneInput(
    const uint8_t *data,		// I - Input
    size_t        size)			// I - Size
{
  char			*text;		// NUL-terminated copy
  upa_badge_rules_t	rules;		// Rules
  char			id[UPA_BADGE_MAX_ID + 1];
					// Result
  upa_badge_store_t	*store;		// Parsed store
  upa_badge_user_t	user;		// Lookup result
  size_t		i;		// Looping var
  uint8_t		sel;		// Selector


  if (size < 1)
    return (0);

  sel = data[0];
  data ++;
  size --;

  if ((text = malloc(size + 1)) == NULL)
    return (0);
  memcpy(text, data, size);
  text[size] = '\0';

  switch (sel % 3)
  {
    case 0 :				// Normaliser under one of several rule sets
        upaBadgeRulesInit(&rules);
        switch ((sel / 3) % 6)
        {
          case 1 :
              strcpy(rules.strip_prefix, ";");
              strcpy(rules.strip_suffix, "?");
              rules.input       = UPA_BADGE_FORMAT_DECIMAL;
              rules.strip_zeros = true;
              break;
          case 2 :
              rules.input         = UPA_BADGE_FORMAT_HEX;
              rules.output        = UPA_BADGE_FORMAT_DECIMAL;
              rules.reverse_bytes = true;
              break;
          case 3 :
              rules.input       = UPA_BADGE_FORMAT_DECIMAL;
              rules.output      = UPA_BADGE_FORMAT_HEX;
              rules.byte_length = 8;
              rules.pad_length  = 20;
              break;
          case 4 :
              strcpy(rules.regex, "([0-9A-Fa-f]+)[^0-9]*$");
              rules.input = UPA_BADGE_FORMAT_HEX;
              break;
          case 5 :
              rules.upper       = true;
              rules.strip_zeros = true;
              rules.pad_length  = UPA_BADGE_MAX_ID;
              break;
          default :
              break;
        }

        if (upaBadgeNormalize(&rules, text, id, sizeof(id)))
          check_id(id);
        break;

    case 1 :				// Store parser
        if ((store = upaBadgeStoreParse((const char *)data, size, "fuzz")) != NULL)
        {
          for (i = 0; i < store->num_entries; i ++)
          {
            if (strlen(store->entries[i].hash) != UPA_BADGE_HASH_LEN || !upaBadgeValidUPN(store->entries[i].upn))
              abort();
            if (upaBadgeStoreFind(store, store->entries[i].hash) != store->entries + i)
              abort();
          }
          upaBadgeStoreDelete(store);
        }
        break;

    default :				// Cloud lookup response
        if (upaBadgeLookupParse(200, (const char *)data, size, &user) == UPA_BADGE_LOOKUP_OK)
        {
          if (!upaBadgeValidUPN(user.upn) || !strchr(user.upn, '@'))
            abort();
        }
        else if (user.upn[0])
          abort();
        break;
  }

  free(text);

  return (0);
}


#ifndef UPA_LIBFUZZER
//
// 'run_file()' - Replay one file; returns its contents for mutation.
//

static unsigned char *			// O - Contents (malloc'd) or NULL
run_file(const char *path,		// I - File
         size_t     *len)		// O - Length
{
  FILE		*fp;			// File
  unsigned char	*data;			// Contents
  long		size;			// Size


  if ((fp = fopen(path, "rb")) == NULL)
    return (NULL);

  fseek(fp, 0, SEEK_END);
  size = ftell(fp);
  rewind(fp);

  if (size < 0 || size > 1024 * 1024 || (data = malloc((size_t)size + 1)) == NULL)
  {
    fclose(fp);
    return (NULL);
  }

  *len = fread(data, 1, (size_t)size, fp);
  fclose(fp);

  LLVMFuzzerTestOneInput(data, *len);

  return (data);
}


//
// 'main()' - Replay files, or the corpus plus deterministic mutations.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Files
{
  int		i;			// Looping var
  unsigned char	*seeds[64];		// Seed inputs
  size_t	seedlens[64];		// Seed lengths
  int		num_seeds = 0;		// Number of seeds
  DIR		*dir;			// Corpus folder
  struct dirent	*dent;			// Corpus entry
  char		path[1024];		// Corpus file
  uint32_t	rng = 0x12345678;	// xorshift32 state
  unsigned char	buf[2048];		// Mutated input
  long		iter;			// Iteration
  static const char * const builtin[] =	// Seeds that need no corpus
  {
    "\000;0012345678?",
    "\003;0012345678?",
    "\006" "04A1B2C3",
    "\011" "18446744073709551616",
    "\014ID:abc123;",
    "\001" "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 alice@contoso.com pin=$y$j9T$a$b disabled expires=1 created=2\n",
    "\002{\"badgeId\":\"1\",\"userURI\":\"mailto:a@b.c\",\"userId\":null}",
  };


  if (argc > 1)
  {
    for (i = 1; i < argc; i ++)
    {
      size_t		len;		// Length
      unsigned char	*data;		// Contents

      if ((data = run_file(argv[i], &len)) == NULL)
      {
        fprintf(stderr, "fuzzbadge: cannot read %s\n", argv[i]);
        return (1);
      }
      free(data);
    }

    printf("fuzzbadge: %d file(s) replayed\n", argc - 1);
    return (0);
  }

  for (i = 0; i < (int)(sizeof(builtin) / sizeof(builtin[0])); i ++)
  {
    seedlens[num_seeds] = 1 + strlen(builtin[i] + 1);	// Selector may be 0
    if ((seeds[num_seeds] = malloc(seedlens[num_seeds])) == NULL)
      return (1);
    memcpy(seeds[num_seeds], builtin[i], seedlens[num_seeds]);
    LLVMFuzzerTestOneInput(seeds[num_seeds], seedlens[num_seeds]);
    num_seeds ++;
  }

  if ((dir = opendir(PAM_TEST_SRCDIR "/corpus")) != NULL)
  {
    while ((dent = readdir(dir)) != NULL && num_seeds < 64)
    {
      if (dent->d_name[0] == '.')
        continue;

      snprintf(path, sizeof(path), "%s/corpus/%s", PAM_TEST_SRCDIR, dent->d_name);
      if ((seeds[num_seeds] = run_file(path, seedlens + num_seeds)) != NULL)
        num_seeds ++;
    }
    closedir(dir);
  }

  for (iter = 0; iter < 1000000; iter ++)
  {
    int		s = (int)(iter % num_seeds);
					// Seed to mutate
    size_t	len = seedlens[s] < sizeof(buf) ? seedlens[s] : sizeof(buf);
					// Length
    int		n;			// Mutations

    memcpy(buf, seeds[s], len);

    for (n = 0; n < 1 + (int)(iter % 8); n ++)
    {
      rng ^= rng << 13;
      rng ^= rng >> 17;
      rng ^= rng << 5;

      switch (rng % 4)
      {
        case 0 :			// Flip a byte
            if (len > 1)
              buf[1 + (rng >> 8) % (len - 1)] = (unsigned char)(rng >> 16);
            break;
        case 1 :			// Truncate
            if (len > 1)
              len = 1 + (rng >> 8) % len;
            break;
        case 2 :			// Append a byte
            if (len < sizeof(buf))
              buf[len ++] = (unsigned char)(rng >> 8);
            break;
        default :			// Duplicate the tail
            if (len > 1 && 2 * len < sizeof(buf))
            {
              memcpy(buf + len, buf + 1, len - 1);
              len = 2 * len - 1;
            }
            break;
      }
    }

    if (iter % 3 == 0)
      buf[0] = (unsigned char)(rng >> 24);	// Also vary the target

    LLVMFuzzerTestOneInput(buf, len);
  }

  for (i = 0; i < num_seeds; i ++)
    free(seeds[i]);

  printf("fuzzbadge: %d seeds, %ld mutations, no failure\n", num_seeds, iter);

  return (0);
}
#endif // !UPA_LIBFUZZER
