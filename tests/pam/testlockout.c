//
// pam_upa lockout under attack, through the real libpam (issue 15, item 5).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// 1. Parallel PINs: 20 processes tap the same badge and all wait at the PIN
//    prompt before anyone answers (as 20 sessions of an attacker would), then
//    all answer a wrong PIN.  With MaxFailures 5, at most 5 may reach the
//    PIN check; the rest are locked out, and so is the right PIN afterwards.
//    The interleaving a loaded machine produces by chance is made every
//    time: pam_upa reads the clock, then waits for the throttle state's
//    lock, so the attempt that gets the lock may hold an older second than
//    one recorded before it.  The test holds the lock while half the
//    attackers queue for it, then queues the other half as such late
//    readers (their clock reads LATE seconds behind: this program's time()
//    stands in for libc's, pam_upa calls it), then lets them all go.  A late
//    reading must not look like a clock set back and forget the
//    reservations (as it did: up to 16 of 20 reached the PIN check).
// 2. Guessing: 200 different badge numbers at one station with the
//    default limits (no MaxFailures or UnknownMaxFailures configured; a long
//    FailureWindow and LockoutTime, here and in phase 1, so that a slow run
//    under valgrind cannot outlast them), one of them a real badge
//    without a PIN.  Unknown-badge throttling is on by default: at most
//    UnknownMaxFailures (10) guesses are looked up, and the real badge is not
//    found by guessing.
// 3. Capacity: 40 000 other badges fail at the station after bob is
//    locked out, more than the state file's 32 768 slots, so every probe
//    window overflows and each new record evicts one: the lockouts (bob's,
//    alice's from phase 1) must outlive them, and a legitimate tap
//    succeeds.  (How long that tap takes is a figure for tests/bench,
//    never asserted here.)
//

#include "upa.h"
#include "badge.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <security/pam_appl.h>


//
// Constants...
//

#define ATTACKERS	20		// Parallel PIN attempts
#define MAX_FAILURES	5		// MaxFailures in phase 1
#define GUESSES		200		// Badge numbers guessed in phase 2 (the 100th is real)
#define UNKNOWN_DEFAULT	10		// Documented default of UnknownMaxFailures
#define FILLER		40000		// Throttle records in phase 3 (> THROTTLE_SLOTS)
#define LATE		5		// Seconds late readers' clocks lag


//
// Local types...
//

typedef struct conv_data_s		// Scripted conversation
{
  const char	*badge;			// Badge answer
  const char	*pin;			// PIN answer
  int		notify_fd;		// Write 'P' here at the PIN prompt (-1 = no)
  int		go_fd;			// Then wait for EOF here (-1 = no)
  int		pin_prompts;		// PIN prompts seen
} conv_data_t;


//
// Local globals...
//

static char	tmpdir[256];		// Scratch folder
static int	clock_lag = 0;		// Seconds this process's time() lags


//
// Local functions...
//

static int	auth_once(const char *service, conv_data_t *cd);
static int	conv(int num_msg, const struct pam_message **msg, struct pam_response **resp, void *appdata);
static void	start_attacker(pid_t *pid, int lag, int lockfd, int notify[2], int go[2], int results[2]);
static bool	wait_queued(const pid_t *pids, int count);
static void	write_file(const char *path, const char *contents);


//
// 'main()' - Run the three attacks.
//

int					// O - Exit status
main(void)
{
  char			path[512],	// File name
			text[2048],	// File contents
			badge[32];	// Guessed badge
  int			failures = 0,	// Failed checks
			i,		// Looping var
			checked = 0,	// Attempts that reached the PIN check
			locked = 0,	// Attempts refused as locked out
			other = 0,	// Anything else
			status,		// PAM status
			looked_up = 0,	// Guesses looked up (not locked out)
			found = 0;	// Guesses that found the real badge
  int			notify[2],	// Children -> parent
			go[2],		// Parent -> children (EOF = answer now)
			results[2];	// Children -> parent: their PAM status
  pid_t			pids[ATTACKERS];// Children
  int			lockfd;		// The throttle state, locked by the test
  upa_badge_key_t	*key;		// Site key
  upa_badge_store_t	*store;		// Store
  upa_badge_entry_t	e;		// Mapping
  upa_badge_config_t	*bc;		// Phase 3 configuration
  conv_data_t		cd;		// Conversation
  struct timespec	start,		// Figure: tap start
			end;		// Figure: tap end


  if (access(PAM_UPA_MODULE, R_OK))
  {
    printf("FAIL: %s not built\n", PAM_UPA_MODULE);
    return (1);
  }

  snprintf(tmpdir, sizeof(tmpdir), "%s/testlockout.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
  {
    perror(tmpdir);
    return (1);
  }

  // Site key; alice (badge 555, PIN 2468), carol (badge 1500, no PIN), bob (badge 777, PIN 1357)
  snprintf(path, sizeof(path), "%s/badge.key", tmpdir);
  if (!upaBadgeKeyCreate(path) || (key = upaBadgeKeyLoad(path)) == NULL)
  {
    printf("FAIL: site key: %s\n", upaLastErrorString());
    return (1);
  }

  snprintf(path, sizeof(path), "%s/badges", tmpdir);
  if ((store = upaBadgeStoreLoad(path, true)) == NULL)
  {
    printf("FAIL: store: %s\n", upaLastErrorString());
    return (1);
  }

  memset(&e, 0, sizeof(e));
  upaBadgeHash(key, "555", e.hash, sizeof(e.hash));
  snprintf(e.upn, sizeof(e.upn), "alice@contoso.com");
  upaBadgePINHash("2468", e.pin, sizeof(e.pin));
  upaBadgeStorePut(store, &e);

  memset(&e, 0, sizeof(e));
  upaBadgeHash(key, "1500", e.hash, sizeof(e.hash));
  snprintf(e.upn, sizeof(e.upn), "carol@contoso.com");
  upaBadgeStorePut(store, &e);

  memset(&e, 0, sizeof(e));
  upaBadgeHash(key, "777", e.hash, sizeof(e.hash));
  snprintf(e.upn, sizeof(e.upn), "bob@contoso.com");
  upaBadgePINHash("1357", e.pin, sizeof(e.pin));
  upaBadgeStorePut(store, &e);

  if (!upaBadgeStoreSave(store))
  {
    printf("FAIL: store: %s\n", upaLastErrorString());
    return (1);
  }
  upaBadgeStoreDelete(store);

  // Phase 1 configuration: MaxFailures 5; phase 2: the defaults
  snprintf(path, sizeof(path), "%s/pin.conf", tmpdir);
  snprintf(text, sizeof(text),
           "Store %s/badges\nKeyFile %s/badge.key\nStateDir %s/state-pin\nUpaConfig %s/none.conf\n"
           "InputFormat decimal\nMaxFailures %d\nFailureWindow 86400\nLockoutTime 86400\nDebounceTime 0\n",
           tmpdir, tmpdir, tmpdir, tmpdir, MAX_FAILURES);
  write_file(path, text);
  snprintf(path, sizeof(path), "%s/pin", tmpdir);
  snprintf(text, sizeof(text), "auth required %s config=%s/pin.conf station=kiosk1\n", PAM_UPA_MODULE, tmpdir);
  write_file(path, text);

  snprintf(path, sizeof(path), "%s/default.conf", tmpdir);
  snprintf(text, sizeof(text),
           "Store %s/badges\nKeyFile %s/badge.key\nStateDir %s/state-default\nUpaConfig %s/none.conf\n"
           "InputFormat decimal\nFailureWindow 86400\nLockoutTime 86400\n",
           tmpdir, tmpdir, tmpdir, tmpdir);
  write_file(path, text);
  snprintf(path, sizeof(path), "%s/default", tmpdir);
  snprintf(text, sizeof(text), "auth required %s config=%s/default.conf station=kiosk2\n", PAM_UPA_MODULE, tmpdir);
  write_file(path, text);

  // 1. Parallel PINs
  if (pipe(notify) || pipe(go) || pipe(results))
  {
    perror("pipe");
    return (1);
  }

  // The state file exists and the test holds its lock...
  snprintf(path, sizeof(path), "%s/pin.conf", tmpdir);
  if ((bc = upaBadgeConfigLoad(path, false)) == NULL || !upaBadgeThrottleEnd(bc, key, "0", "kiosk1", UPA_BADGE_OUTCOME_NEUTRAL, time(NULL)))
  {
    printf("FAIL: parallel PINs: throttle state: %s\n", upaLastErrorString());
    return (1);
  }
  snprintf(text, sizeof(text), "%s/throttle.db", bc->state_dir);
  upaBadgeConfigDelete(bc);

  if ((lockfd = open(text, O_RDWR | O_CLOEXEC)) < 0 || flock(lockfd, LOCK_EX))
  {
    perror(text);
    return (1);
  }

  // ... while the first half queue for it, then the late readers
  for (i = 0; i < ATTACKERS / 2; i ++)
    start_attacker(pids + i, 0, lockfd, notify, go, results);

  if (!wait_queued(pids, ATTACKERS / 2))
    return (1);

  for (; i < ATTACKERS; i ++)
    start_attacker(pids + i, LATE, lockfd, notify, go, results);

  if (!wait_queued(pids, ATTACKERS))
    return (1);

  close(lockfd);			// Go

  close(notify[1]);
  close(go[0]);

  // Every attacker is now either at the PIN prompt or refused
  for (i = 0; i < ATTACKERS; i ++)
  {
    char c;				// 'P' or 'X'

    if (read(notify[0], &c, 1) != 1)
    {
      printf("FAIL: parallel PINs: an attacker died early\n");
      failures ++;
      break;
    }
  }

  close(go[1]);				// All answer "0000" now

  close(results[1]);

  for (i = 0; i < ATTACKERS; i ++)
  {
    char	c;			// PAM status of one attacker

    if (read(results[0], &c, 1) != 1)
      other ++;
    else if ((unsigned char)c == PAM_AUTH_ERR)
      checked ++;
    else if ((unsigned char)c == PAM_MAXTRIES)
      locked ++;
    else
      other ++;
  }
  close(results[0]);

  for (i = 0; i < ATTACKERS; i ++)
  {
    int wstatus;			// Child status

    while (waitpid(pids[i], &wstatus, 0) < 0 && errno == EINTR);
  }
  close(notify[0]);

  if (checked > MAX_FAILURES || other || checked + locked != ATTACKERS)
  {
    printf("FAIL: parallel PINs: %d of %d attempts reached the PIN check with MaxFailures %d (%d locked out, %d other results)\n", checked, ATTACKERS, MAX_FAILURES, locked, other);
    failures ++;
  }
  else
    printf("PASS: parallel PINs: %d of %d attempts reached the PIN check (MaxFailures %d), %d locked out\n", checked, ATTACKERS, MAX_FAILURES, locked);

  memset(&cd, 0, sizeof(cd));
  cd.badge     = "555";
  cd.pin       = "2468";
  cd.notify_fd = -1;
  cd.go_fd     = -1;
  if ((status = auth_once("pin", &cd)) != PAM_MAXTRIES)
  {
    printf("FAIL: parallel PINs: the right PIN right after the attack returned %d, not PAM_MAXTRIES\n", status);
    failures ++;
  }
  else
    printf("PASS: parallel PINs: the badge is locked out afterwards, right PIN or not\n");

  // 2. Guessing badge numbers with the default configuration.  Once more
  //    guesses were looked up than the default allows, the outcome is known:
  //    stop (an unthrottled run would take 200 lookups).
  for (i = 0; i < GUESSES && looked_up <= UNKNOWN_DEFAULT; i ++)
  {
    memset(&cd, 0, sizeof(cd));
    snprintf(badge, sizeof(badge), "%d", i < GUESSES / 2 ? 100000 + i : i == GUESSES / 2 ? 1500 : 200000 + i);
    cd.badge     = badge;			// Guess 100 is carol's real badge
    cd.notify_fd = -1;
    cd.go_fd     = -1;

    status = auth_once("default", &cd);
    if (status == PAM_SUCCESS)
      found ++;
    if (status != PAM_MAXTRIES)
      looked_up ++;
  }

  if (looked_up > UNKNOWN_DEFAULT || found)
  {
    printf("FAIL: guessing: %d of the first %d guesses were looked up (default UnknownMaxFailures %d), real badge found %d time(s)\n", looked_up, i, UNKNOWN_DEFAULT, found);
    failures ++;
  }
  else
    printf("PASS: guessing: %d of %d guesses looked up with the default configuration, the real badge was not found\n", looked_up, i);

  // 3. 40 000 records: bob locked out at kiosk1 first, then the filler
  //    (failures of other badges at the same station, through libupa)
  for (i = 0; i < MAX_FAILURES; i ++)
  {
    memset(&cd, 0, sizeof(cd));
    cd.badge     = "777";
    cd.pin       = "0000";
    cd.notify_fd = -1;
    cd.go_fd     = -1;
    auth_once("pin", &cd);
  }

  snprintf(path, sizeof(path), "%s/pin.conf", tmpdir);
  if ((bc = upaBadgeConfigLoad(path, false)) == NULL)
  {
    printf("FAIL: capacity: %s\n", upaLastErrorString());
    return (1);
  }

  for (i = 0; i < FILLER; i ++)
  {
    char	hash[UPA_BADGE_HASH_LEN + 1];
					// Keyed hash of a made-up badge

    snprintf(badge, sizeof(badge), "%d", 300000 + i);
    upaBadgeHash(key, badge, hash, sizeof(hash));
    if (upaBadgeThrottleBegin(bc, key, hash, "kiosk1", time(NULL), NULL) != UPA_BADGE_THROTTLE_OK || !upaBadgeThrottleEnd(bc, key, hash, "kiosk1", UPA_BADGE_OUTCOME_FAILURE, time(NULL)))
    {
      printf("FAIL: capacity: filler record %d: %s\n", i, upaLastErrorString());
      failures ++;
      break;
    }
  }

  upaBadgeConfigDelete(bc);
  upaBadgeKeyDelete(key);

  memset(&cd, 0, sizeof(cd));
  cd.badge     = "777";
  cd.pin       = "1357";
  cd.notify_fd = -1;
  cd.go_fd     = -1;
  if ((status = auth_once("pin", &cd)) != PAM_MAXTRIES)
  {
    printf("FAIL: capacity: bob's lockout did not survive %d other records (status %d)\n", FILLER, status);
    failures ++;
  }
  else
    printf("PASS: capacity: a lockout survives %d other records\n", FILLER);

  // Alice's lockout from phase 1 is an admin's to clear
  snprintf(path, sizeof(path), "%s/pin.conf", tmpdir);
  bc = upaBadgeConfigLoad(path, false);
  snprintf(path, sizeof(path), "%s/badge.key", tmpdir);
  key = upaBadgeKeyLoad(path);
  memset(&e, 0, sizeof(e));
  upaBadgeHash(key, "555", e.hash, sizeof(e.hash));
  if ((status = upaBadgeUnlock(bc, key, e.hash, NULL)) != 1)
  {
    printf("FAIL: capacity: upaBadgeUnlock of alice's badge cleared %d records, not 1: %s\n", status, status < 0 ? upaLastErrorString() : "her lockout did not survive the other records");
    failures ++;
  }
  upaBadgeConfigDelete(bc);
  upaBadgeKeyDelete(key);

  memset(&cd, 0, sizeof(cd));
  cd.badge     = "555";
  cd.pin       = "2468";
  cd.notify_fd = -1;
  cd.go_fd     = -1;
  clock_gettime(CLOCK_MONOTONIC, &start);
  status = auth_once("pin", &cd);
  clock_gettime(CLOCK_MONOTONIC, &end);
  if (status != PAM_SUCCESS)
  {
    printf("FAIL: capacity: a legitimate tap with %d records present returned %d\n", FILLER, status);
    failures ++;
  }
  else
    printf("PASS: capacity: a legitimate tap with %d records present succeeds (# %.3f s, not asserted)\n", FILLER, (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);

  if (!getenv("UPA_KEEP"))
  {
    snprintf(text, sizeof(text), "rm -rf '%s'", tmpdir);
    if (system(text))
      printf("# could not remove %s\n", tmpdir);
  }

  return (failures ? 1 : 0);
}


//
// 'auth_once()' - One transaction: start, authenticate, end.
//

static int				// O - pam_authenticate() status
auth_once(const char  *service,		// I - Service
          conv_data_t *cd)		// I - Conversation
{
  struct pam_conv	pc = { conv, NULL };
					// Conversation
  pam_handle_t		*pamh;		// Handle
  int			status;		// Result


  pc.appdata_ptr = cd;
  if ((status = pam_start_confdir(service, NULL, &pc, tmpdir, &pamh)) != PAM_SUCCESS)
    return (status);

  status = pam_authenticate(pamh, PAM_SILENT);
  pam_end(pamh, status);

  return (status);
}


//
// 'conv()' - Answer the badge, then the PIN (after the gate, if any).
//

static int				// O - PAM status
conv(int                      num_msg,	// I - Number of messages
     const struct pam_message **msg,	// I - Messages
     struct pam_response      **resp,	// O - Responses
     void                     *appdata)	// I - Script
{
  conv_data_t	*cd = (conv_data_t *)appdata;
					// Script
  int		i;			// Looping var


  if ((*resp = calloc((size_t)num_msg, sizeof(struct pam_response))) == NULL)
    return (PAM_BUF_ERR);

  for (i = 0; i < num_msg; i ++)
  {
    if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
      continue;

    if (strstr(msg[i]->msg, "PIN"))
    {
      cd->pin_prompts ++;

      if (cd->notify_fd >= 0)
      {
        char	c = 'P';		// At the PIN prompt

        if (write(cd->notify_fd, &c, 1) != 1)
          return (PAM_CONV_ERR);
      }

      if (cd->go_fd >= 0)
      {
        char	c;			// Never sent: EOF is the signal

        while (read(cd->go_fd, &c, 1) < 0 && errno == EINTR);
      }

      (*resp)[i].resp = strdup(cd->pin ? cd->pin : "");
    }
    else
      (*resp)[i].resp = strdup(cd->badge);
  }

  return (PAM_SUCCESS);
}


//
// 'start_attacker()' - Fork one attacker: tap badge 555, wait, answer "0000".
//
// It writes 'P' to notify[1] at the PIN prompt (or 'X' when refused before
// it), waits for EOF on go[0] before answering, and writes its PAM status
// to results[1].
//

static void
start_attacker(pid_t *pid,		// O - Child
               int   lag,		// I - Seconds its clock lags (late reader)
               int   lockfd,		// I - The test's lock (not the child's)
               int   notify[2],		// I - Child -> parent: 'P' or 'X'
               int   go[2],		// I - Parent -> child: EOF = answer now
               int   results[2])	// I - Child -> parent: PAM status
{
  conv_data_t	cd;			// Conversation
  int		status;			// PAM status
  char		c;			// Byte sent to the parent


  if ((*pid = fork()) < 0)
  {
    perror("fork");
    exit(1);
  }
  else if (*pid > 0)
    return;

  close(lockfd);			// A copy would hold the lock for the child
  clock_lag = lag;
  close(notify[0]);
  close(go[1]);
  close(results[0]);

  memset(&cd, 0, sizeof(cd));
  cd.badge     = "555";
  cd.pin       = "0000";
  cd.notify_fd = notify[1];
  cd.go_fd     = go[0];

  status = auth_once("pin", &cd);
  if (!cd.pin_prompts)
  {
    c = 'X';				// Refused before the PIN
    if (write(notify[1], &c, 1) != 1)
      _exit(99);
  }

  // The status goes through a pipe, not the exit code: under valgrind
  // a child's exit code is valgrind's (--error-exitcode) for any leak
  // in libpam or pam_wrapper
  c = (char)status;
  if (write(results[1], &c, 1) != 1)
    _exit(99);
  _exit(status);
}


//
// 'time()' - The clock as this process reads it (a late reader lags).
//
// Exported (-Wl,--export-dynamic), so pam_upa.so's time() calls come here.
//

time_t					// O - Seconds since the epoch
time(time_t *t)				// O - Copy of the result or NULL
{
  struct timespec	ts;		// Real clock
  time_t		now;		// Result


  clock_gettime(CLOCK_REALTIME, &ts);
  now = ts.tv_sec - clock_lag;
  if (t)
    *t = now;

  return (now);
}


//
// 'wait_queued()' - Wait until attackers wait for the throttle state's lock.
//
// /proc/locks lists each process waiting for a lock as "N: -> FLOCK ...
// pid ...".  Attackers read the clock before they ask for the lock.
//

static bool				// O - true when all wait, false if one died
wait_queued(const pid_t *pids,		// I - Attackers
            int         count)		// I - How many must wait
{
  FILE		*fp;			// /proc/locks
  char		line[256];		// Line from it
  int		i,			// Looping var
		queued,			// Attackers waiting
		wstatus;		// Status of a dead attacker
  long		pid;			// Waiting process


  for (;;)
  {
    if ((fp = fopen("/proc/locks", "r")) == NULL)
    {
      perror("/proc/locks");
      return (false);
    }

    queued = 0;
    while (fgets(line, sizeof(line), fp))
    {
      if (sscanf(line, "%*d: -> FLOCK %*s %*s %ld", &pid) != 1)
        continue;

      for (i = 0; i < count; i ++)
      {
        if (pids[i] == (pid_t)pid)
          queued ++;
      }
    }
    fclose(fp);

    if (queued >= count)
      return (true);

    for (i = 0; i < count; i ++)
    {
      if (waitpid(pids[i], &wstatus, WNOHANG) == pids[i])
      {
        printf("FAIL: parallel PINs: attacker %d ended before it asked for the lockout state\n", i + 1);
        return (false);
      }
    }

    usleep(10000);
  }
}


//
// 'write_file()' - Write a scratch file.
//

static void
write_file(const char *path,		// I - File
           const char *contents)	// I - Contents
{
  FILE	*fp;				// File


  if ((fp = fopen(path, "w")) == NULL)
  {
    perror(path);
    exit(1);
  }

  fputs(contents, fp);
  fclose(fp);
}
