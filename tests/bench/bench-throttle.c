//
// Benchmark: one badge tap's lockout check with many throttle records present.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage: tests/bench/bench-throttle [RECORDS]   (default 20000)
//
// Fills a scratch StateDir with RECORDS badge records through libupa, then
// times upaBadgeThrottleBegin()+End() for a badge seen before and for a new
// one.  Prints figures; asserts nothing about time (issue 15 item 5: with
// the old text state a tap took 2.9 s at 20 000 records).
//

#include "upa.h"
#include "badge.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


//
// 'elapsed()' - Seconds between two times.
//

static double				// O - Seconds
elapsed(struct timespec *a,		// I - Start
        struct timespec *b)		// I - End
{
  return ((double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9);
}


//
// 'main()' - Fill, then time.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  int			records = argc > 1 ? atoi(argv[1]) : 20000;
					// Records to create
  int			i;		// Looping var
  char			dir[256],	// Scratch StateDir
			hash[UPA_BADGE_HASH_LEN + 1],
					// Made-up keyed hash
			cmd[300];	// Clean-up command
  upa_badge_config_t	bc;		// Configuration
  upa_badge_key_t	key;		// Site key
  struct timespec	t0,		// Start
			t1;		// End
  time_t		now = time(NULL);
					// Current time


  memset(&key, 0x5a, sizeof(key));
  key.len = 32;
  memset(&bc, 0, sizeof(bc));
  bc.max_failures         = 5;
  bc.unknown_max_failures = 0;
  bc.failure_window       = 300;
  bc.lockout_time         = 300;

  snprintf(dir, sizeof(dir), "%s/bench-throttle.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir))
  {
    perror(dir);
    return (1);
  }
  snprintf(bc.state_dir, sizeof(bc.state_dir), "%s/state", dir);

  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < records; i ++)
  {
    snprintf(hash, sizeof(hash), "%064d", i);
    if (upaBadgeThrottleBegin(&bc, &key, hash, "kiosk", now, NULL) != UPA_BADGE_THROTTLE_OK || !upaBadgeThrottleEnd(&bc, &key, hash, "kiosk", UPA_BADGE_OUTCOME_FAILURE, now))
    {
      fprintf(stderr, "bench-throttle: record %d: %s\n", i, upaLastErrorString());
      return (1);
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("fill: %d records in %.3f s (%.1f us per attempt)\n", records, elapsed(&t0, &t1), 1e6 * elapsed(&t0, &t1) / (records ? records : 1));

  snprintf(hash, sizeof(hash), "%064d", records / 2);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  upaBadgeThrottleBegin(&bc, &key, hash, "kiosk", now, NULL);
  upaBadgeThrottleEnd(&bc, &key, hash, "kiosk", UPA_BADGE_OUTCOME_SUCCESS, now);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("tap (known record): %.6f s\n", elapsed(&t0, &t1));

  snprintf(hash, sizeof(hash), "%064d", records + 1);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  upaBadgeThrottleBegin(&bc, &key, hash, "kiosk", now, NULL);
  upaBadgeThrottleEnd(&bc, &key, hash, "kiosk", UPA_BADGE_OUTCOME_SUCCESS, now);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("tap (new record): %.6f s\n", elapsed(&t0, &t1));

  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return (system(cmd) ? 1 : 0);
}
