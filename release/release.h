//
// upa-release: shared definitions of the release station program.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// upa-release.c parses options, opens CUPS and the journal and recovers;
// script.c is the non-interactive mode, kiosk.c the full-screen station,
// cardin.c reads badges (terminal or an evdev keyboard wedge), pcsc.c
// reads card UIDs from PC/SC readers, and auth.c turns a badge into a UPN
// through PAM.  The kiosk never acts itself: helper.c (upa-release-helper,
// or a child of a root kiosk) authenticates and releases, over proto.c.
//

#ifndef UPA_RELEASE_PROGRAM_H
#  define UPA_RELEASE_PROGRAM_H
#  include "upa.h"
#  include <stdio.h>
#  include <stdlib.h>
#  include <string.h>
#  include <strings.h>
#  include <time.h>
#  include <unistd.h>
#  include <json-c/json.h>


//
// Exit codes (doc/upa-release.1)...
//

#  define REL_EXIT_RELEASED	0	// All requested jobs released
#  define REL_EXIT_USAGE	1	// Usage or configuration error
#  define REL_EXIT_NOJOBS	2	// No jobs for this user
#  define REL_EXIT_SOMEFAILED	3	// Some jobs failed
#  define REL_EXIT_CLOUD	4	// Cloud unreachable/busy
#  define REL_EXIT_AUTH		5	// Authentication/device error
#  define REL_EXIT_CUPS		6	// Local CUPS/queue not ready
#  define REL_EXIT_DENIED	7	// Caller may not choose the user (--user)

#  define REL_MAX_QUEUES	8	// Queues of one station
#  define REL_MAX_IDS		256	// --job IDs
#  define REL_BADGE_MAX		256	// Longest reader input (as badge.h)
#  define REL_CARD_GAP		2000	// Longest pause between a badge's keys (ms)
#  define REL_MSG_MAX		65536	// Longest helper protocol line
#  define REL_HELPER_MAX_CONN	64	// Connections the helper serves at once
#  define REL_HELPER_SOCKET	"/run/upa-release/helper.sock"
					// Default helper socket


//
// Types...
//

typedef struct rel_opts_s		// Command-line options
{
  const char	*printer;		// First --printer QUEUE
  int		num_queues;		// Queues of the station (--printer Q[,Q...])
  char		*queues[REL_MAX_QUEUES];// Queue names (point into queue_names)
  char		queue_names[REL_MAX_QUEUES][128];
					// Storage for the names
  const char	*user;			// --user UPN
  const char	*config;		// -c CONFIG
  bool		all;			// --all
  bool		list;			// --list
  bool		json;			// --json
  bool		recover;		// --recover
  bool		verbose;		// -v
  bool		kiosk;			// --kiosk
  const char	*pam_service;		// --pam-service (default "upa-release")
  const char	*card_device;		// --card-device /dev/input/eventN
  bool		card_pcsc;		// --card-pcsc[=READER]
  const char	*pcsc_reader;		// Reader name substring or NULL (any)
  const char	*station;		// --station NAME (PAM_RHOST, logs)
  const char	*helper;		// --helper SOCKET (NULL = in-process child, root only)
  int		message_time;		// --message-time seconds a sign-in failure shows
  int		idle_timeout;		// --idle-timeout seconds at the job list
  int		print_wait;		// --print-wait seconds to follow printing
  int		job_lifetime;		// --job-lifetime seconds a held job lives (0 = unknown)
  int		num_ids;		// Number of --job IDs
  int		ids[REL_MAX_IDS];	// --job IDs
} rel_opts_t;

typedef struct rel_station_s		// What every mode works with
{
  rel_opts_t	*opts;			// Options
  upa_config_t	*cfg;			// Configuration
  http_t	*cups;			// Local cupsd
  upa_journal_t	*journal;		// Release journal
} rel_station_t;

typedef struct rel_job_s		// One job of the user, as listed
{
  upa_jobinfo_t	info;			// From Get-Jobs
  char		sides[64];		// sides or ""
  char		color[64];		// print-color-mode or ""
  time_t	expires;		// When the cloud drops it (0 = unknown)
} rel_job_t;

typedef struct rel_card_s rel_card_t;	// Badge reader (cardin.c)
typedef struct rel_pcsc_s rel_pcsc_t;	// PC/SC card reader (pcsc.c)
struct input_event;			// <linux/input.h>

typedef enum rel_auth_e			// Outcome of a PAM authentication
{
  REL_AUTH_OK,				// UPN known
  REL_AUTH_DENIED,			// Unknown badge, wrong PIN, locked out...
  REL_AUTH_ERROR			// PAM service unusable
} rel_auth_t;

typedef struct rel_helper_opts_s	// Release helper options
{
  upa_config_t	*cfg;			// Configuration
  const char	*pam_service;		// PAM service
  int		idle_expiry;		// Seconds a session lives without a request
  int		station_rate;		// Sign-in attempts a minute per station (0 = no limit)
  int		fail_free;		// Failures in a row before delays start
  int		num_uids;		// Allowed users
  uid_t		uids[16];		// Their uids
  int		num_gids;		// Allowed groups
  gid_t		gids[16];		// Their gids
} rel_helper_opts_t;

typedef bool (*rel_pin_cb_t)(void *data, const char *prompt, char *pin, size_t pinsize);
					// Ask the user for a PIN (false = canceled)


//
// Functions...
//

// auth.c
extern rel_auth_t	relAuthenticate(const char *service, const char *station, const char *badge, rel_pin_cb_t pin_cb, void *pin_data, char *upn, size_t upnsize, char *message, size_t msgsize);

// cardin.c
extern rel_card_t	*relCardOpen(const char *device);
extern void		relCardClose(rel_card_t *card);
extern int		relCardDecode(rel_card_t *card, const struct input_event *ev, size_t count, char *badge, size_t badgesize);
extern int		relCardFD(rel_card_t *card);
extern int		relCardFeed(rel_card_t *card, int ch, char *badge, size_t badgesize);
extern int		relCardRead(rel_card_t *card, char *badge, size_t badgesize);
extern void		relCardReset(rel_card_t *card);
#  ifdef REL_CARD_TESTING
extern rel_card_t	*relCardOpenUngrabbed(int fd, const char *name);
					// Test builds only: no EVIOCGRAB
#  endif // REL_CARD_TESTING

// helper.c
extern int		relHelperDaemon(int lfd, const rel_helper_opts_t *opts);
extern int		relHelperListen(const char *path);
extern int		relHelperServe(int fd, uid_t peer_uid, const rel_helper_opts_t *opts);
extern int		relHelperSpawn(const rel_helper_opts_t *opts);

// kiosk.c
extern int		relKiosk(rel_station_t *st);

// pcsc.c
extern void		relPcscClose(rel_pcsc_t *pc);
extern int		relPcscFD(rel_pcsc_t *pc);
extern rel_pcsc_t	*relPcscOpen(const char *reader);
extern int		relPcscRead(rel_pcsc_t *pc, char *badge, size_t badgesize, char *message, size_t msgsize);
extern void		relPcscReset(rel_pcsc_t *pc);
extern bool		relPcscStatus(rel_pcsc_t *pc, char *why, size_t whysize);
extern int		relPcscUIDText(const unsigned char *resp, size_t resplen, char *badge, size_t badgesize, unsigned *sw);

// proto.c
extern bool		relMsgGetInt(json_object *msg, const char *key, long long *value);
extern const char	*relMsgGetString(json_object *msg, const char *key);
extern json_object	*relMsgNew(const char *op);
extern bool		relMsgOnly(json_object *msg, const char * const *keys);
extern int		relMsgRecv(int fd, int timeout_ms, json_object **msg);
extern bool		relMsgSend(int fd, json_object *msg);

// script.c
extern int		relScript(rel_station_t *st);

// upa-release.c
extern int		relErrorExit(upa_error_t err);
extern int		relGetJobs(upa_client_t *client, const char *user_uri, int job_lifetime, rel_job_t **jobs);
extern bool		relUserURI(const char *upn, char *uri, size_t urisize);

#endif // !UPA_RELEASE_PROGRAM_H
