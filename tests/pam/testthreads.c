//
// pam_upa in several threads at once, through the real libpam (issue 15, item 6).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// An application may authenticate in several threads (a release station
// serving two readers, a web front end).  Each pam_authenticate() routes
// libupa's log lines to its own debug_file; a process-wide log callback
// pointing at one call's stack context sent them to another call, to
// nowhere, or to freed stack (a crash, ASan SEGV in upaLog()).
//
// 1. Interleaved: A stops at the badge prompt, B authenticates from start to
//    end, then A goes on.  A's libupa line must reach A's debug_file.
// 2. Stress: THREADS threads x ROUNDS authentications; every thread's file
//    holds exactly its own libupa lines (run it built with --enable-sanitizer).
//
// The libupa line used is the LDAP failure trail: "Sources local ldap" with
// an LDAP server that refuses connections (127.0.0.1 port 1).
//

#include "upa.h"
#include "badge.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <security/pam_appl.h>


//
// Constants...
//

#define THREADS	8			// Threads in the stress phase
#define ROUNDS	40			// Authentications per thread


//
// Local types...
//

typedef struct gate_s			// A one-shot event
{
  pthread_mutex_t mutex;		// Lock
  pthread_cond_t cond;			// Signal
  int		open;			// Opened?
} gate_t;

typedef struct call_s			// One thread's work
{
  char		service[64];		// PAM service (its own debug_file)
  const char	*badge;			// Badge answer
  gate_t	*at_prompt;		// Opened when the badge prompt is reached (or NULL)
  gate_t	*go_on;			// Waited for before answering (or NULL)
  int		rounds;			// Authentications
  int		unknown;		// Rounds with the unknown badge (LDAP asked)
  int		bad_status;		// Unexpected results
} call_t;


//
// Local globals...
//

static char	tmpdir[256];		// Scratch folder


//
// Local functions...
//

static int	conv(int num_msg, const struct pam_message **msg, struct pam_response **resp, void *appdata);
static int	count_lines(const char *path, const char *text);
static void	gate_open(gate_t *g);
static void	gate_wait(gate_t *g);
static void	*run_call(void *data);
static void	write_file(const char *path, const char *contents);


//
// 'main()' - Run the interleaved and the stress phase.
//

int					// O - Exit status
main(void)
{
  char		path[512],		// File name
		text[2048];		// File contents
  int		failures = 0,		// Failed checks
		i,			// Looping var
		n;			// Line count
  gate_t	at_prompt = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 },
		go_on = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
					// Interleaving gates
  call_t	calls[THREADS];		// Work
  pthread_t	threads[THREADS];	// Threads
  upa_badge_key_t *key;			// Site key
  upa_badge_store_t *store;		// Store
  upa_badge_entry_t e;			// Mapping


  if (access(PAM_UPA_MODULE, R_OK))
  {
    printf("FAIL: %s not built\n", PAM_UPA_MODULE);
    return (1);
  }

  snprintf(tmpdir, sizeof(tmpdir), "%s/testthreads.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
  {
    perror(tmpdir);
    return (1);
  }

  // Site key, one known badge, badge.conf with an LDAP source that refuses
  snprintf(path, sizeof(path), "%s/badge.key", tmpdir);
  if (!upaBadgeKeyCreate(path) || (key = upaBadgeKeyLoad(path)) == NULL)
  {
    printf("FAIL: site key: %s\n", upaLastErrorString());
    return (1);
  }

  snprintf(path, sizeof(path), "%s/badges", tmpdir);
  store = upaBadgeStoreLoad(path, true);
  memset(&e, 0, sizeof(e));
  upaBadgeHash(key, "12345678", e.hash, sizeof(e.hash));
  snprintf(e.upn, sizeof(e.upn), "alice@contoso.com");
  if (!store || !upaBadgeStorePut(store, &e) || !upaBadgeStoreSave(store))
  {
    printf("FAIL: store: %s\n", upaLastErrorString());
    return (1);
  }
  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);

  snprintf(path, sizeof(path), "%s/badge.conf", tmpdir);
  snprintf(text, sizeof(text),
           "Store %s/badges\n"
           "KeyFile %s/badge.key\n"
           "StateDir %s/state\n"
           "UpaConfig %s/none.conf\n"
           "Sources local ldap\n"
           "LDAPURI ldap://127.0.0.1:1\n"
           "LDAPBase dc=contoso,dc=com\n"
           "LDAPTimeout 2\n"
           "InputFormat decimal\n"
           "DebounceTime 0\n",
           tmpdir, tmpdir, tmpdir, tmpdir);
  write_file(path, text);

  for (i = 0; i < THREADS; i ++)
  {
    snprintf(path, sizeof(path), "%s/t%d", tmpdir, i);
    snprintf(text, sizeof(text), "auth required %s config=%s/badge.conf station=t%d debug debug_file=%s/t%d.log\n", PAM_UPA_MODULE, tmpdir, i, tmpdir, i);
    write_file(path, text);
  }

  // 1. Interleaved: A waits at its badge prompt while B runs to the end
  memset(calls, 0, sizeof(calls));
  snprintf(calls[0].service, sizeof(calls[0].service), "t0");
  calls[0].badge     = "999";
  calls[0].rounds    = 1;
  calls[0].at_prompt = &at_prompt;
  calls[0].go_on     = &go_on;
  snprintf(calls[1].service, sizeof(calls[1].service), "t1");
  calls[1].badge     = "998";
  calls[1].rounds    = 1;

  pthread_create(threads + 0, NULL, run_call, calls + 0);
  gate_wait(&at_prompt);
  pthread_create(threads + 1, NULL, run_call, calls + 1);
  pthread_join(threads[1], NULL);
  gate_open(&go_on);
  pthread_join(threads[0], NULL);

  for (i = 0; i < 2; i ++)
  {
    snprintf(path, sizeof(path), "%s/t%d.log", tmpdir, i);
    n = count_lines(path, "libupa: LDAP");
    if (n != 1 || calls[i].bad_status)
    {
      printf("FAIL: interleaved: thread %c logged %d libupa line(s) to its debug_file (expected 1), %d unexpected result(s)\n", 'A' + i, n, calls[i].bad_status);
      failures ++;
    }
    else
      printf("PASS: interleaved: thread %c's libupa line reached its own debug_file\n", 'A' + i);

    unlink(path);
  }

  // 2. Stress: THREADS threads at once, known and unknown badges alternating
  memset(calls, 0, sizeof(calls));
  for (i = 0; i < THREADS; i ++)
  {
    snprintf(calls[i].service, sizeof(calls[i].service), "t%d", i);
    calls[i].rounds = ROUNDS;
    pthread_create(threads + i, NULL, run_call, calls + i);
  }

  for (i = 0; i < THREADS; i ++)
    pthread_join(threads[i], NULL);

  for (i = 0; i < THREADS; i ++)
  {
    snprintf(path, sizeof(path), "%s/t%d.log", tmpdir, i);
    n = count_lines(path, "libupa: LDAP");
    if (n != calls[i].unknown || calls[i].bad_status)
    {
      printf("FAIL: stress: thread %d: %d libupa line(s) in its debug_file for %d LDAP lookup(s), %d unexpected result(s)\n", i, n, calls[i].unknown, calls[i].bad_status);
      failures ++;
    }
  }

  if (!failures)
    printf("PASS: stress: %d threads x %d authentications, every libupa line in its own thread's debug_file\n", THREADS, ROUNDS);

  if (!getenv("UPA_KEEP"))
  {
    snprintf(text, sizeof(text), "rm -rf '%s'", tmpdir);
    if (system(text))
      printf("# could not remove %s\n", tmpdir);
  }

  return (failures ? 1 : 0);
}


//
// 'conv()' - Answer the badge prompt (after the gates); collect nothing else.
//

static int				// O - PAM status
conv(int                      num_msg,	// I - Number of messages
     const struct pam_message **msg,	// I - Messages
     struct pam_response      **resp,	// O - Responses
     void                     *appdata)	// I - Call
{
  call_t	*call = (call_t *)appdata;
					// Call
  int		i;			// Looping var


  if ((*resp = calloc((size_t)num_msg, sizeof(struct pam_response))) == NULL)
    return (PAM_BUF_ERR);

  for (i = 0; i < num_msg; i ++)
  {
    if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
    {
      if (call->at_prompt)
        gate_open(call->at_prompt);
      if (call->go_on)
        gate_wait(call->go_on);

      (*resp)[i].resp = strdup(call->badge);
    }
  }

  return (PAM_SUCCESS);
}


//
// 'count_lines()' - Count the lines of a file containing a text.
//

static int				// O - Lines or -1
count_lines(const char *path,		// I - File
            const char *text)		// I - Text
{
  FILE	*fp;				// File
  char	line[2048];			// Line
  int	n = 0;				// Count


  if ((fp = fopen(path, "r")) == NULL)
    return (errno == ENOENT ? 0 : -1);

  while (fgets(line, sizeof(line), fp))
  {
    if (strstr(line, text))
      n ++;
  }

  fclose(fp);

  return (n);
}


//
// 'gate_open()' - Open a gate.
//

static void
gate_open(gate_t *g)			// I - Gate
{
  pthread_mutex_lock(&g->mutex);
  g->open = 1;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->mutex);
}


//
// 'gate_wait()' - Wait until a gate is open.
//

static void
gate_wait(gate_t *g)			// I - Gate
{
  pthread_mutex_lock(&g->mutex);
  while (!g->open)
    pthread_cond_wait(&g->cond, &g->mutex);
  pthread_mutex_unlock(&g->mutex);
}


//
// 'run_call()' - Authenticate "rounds" times in this thread.
//

static void *				// O - NULL
run_call(void *data)			// I - Call
{
  call_t		*call = (call_t *)data;
					// Call
  struct pam_conv	pc = { conv, NULL };
					// Conversation
  pam_handle_t		*pamh;		// Handle
  int			r,		// Round
			status,		// Result
			expect;		// Expected result
  bool			alternate = call->badge == NULL;
					// Alternate known/unknown badges?


  pc.appdata_ptr = call;

  for (r = 0; r < call->rounds; r ++)
  {
    if (alternate)
      call->badge = (r & 1) ? "12345678" : "999";

    // Known: local store; unknown: the LDAP source fails (server down)
    expect = strcmp(call->badge, "12345678") ? PAM_AUTHINFO_UNAVAIL : PAM_SUCCESS;
    if (expect != PAM_SUCCESS)
      call->unknown ++;

    if (pam_start_confdir(call->service, NULL, &pc, tmpdir, &pamh) != PAM_SUCCESS)
    {
      call->bad_status ++;
      continue;
    }

    if ((status = pam_authenticate(pamh, 0)) != expect)
    {
      printf("# %s round %d: pam_authenticate returned %d (%s), expected %d\n", call->service, r, status, pam_strerror(pamh, status), expect);
      call->bad_status ++;
    }

    pam_end(pamh, status);
  }

  return (NULL);
}


//
// 'write_file()' - Write a scratch file (0644).
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
