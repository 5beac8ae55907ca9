//
// upactl: shared declarations of the command files.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPACTL_H
#  define UPACTL_H
#  include <config.h>			// lib/config.h (there is no autoconf config.h)
#  include "upa.h"
#  include "graph.h"
#  include "oauth.h"
#  include "sync.h"
#  include <signal.h>
#  include <stdio.h>

#  define UPACTL_OK	0		// Success
#  define UPACTL_FAILED	1		// Something failed
#  define UPACTL_USAGE	2		// Bad command line

typedef struct upactl_s			// Global state of one run
{
  const char	*config_path;		// -c CONFIG or NULL (UPA_CONFIG or default)
  bool		verbose;		// -v given?
  upa_config_t	*cfg;			// Loaded configuration (lazily)
} upactl_t;

typedef struct upactl_signin_s		// How to get an admin token
{
  const char	*admin_token;		// --admin-token or UPA_ADMIN_TOKEN
  const char	*authority;		// --authority or UPA_AUTHORITY
  const char	*tenant;		// --tenant or UPA_TENANT
  const char	*client_id;		// --client-id or UPA_CLIENT_ID
  const char	*signin_wait;		// --signin-timeout SECONDS
  char		token[16384];		// Token from the device-code sign-in
} upactl_signin_t;

typedef int (*upactl_cmd_cb_t)(upactl_t *ctl, int argc, char *argv[]);
					// Runs one command; argv[0] is the command name

extern volatile sig_atomic_t upactl_stop;
					// Set by SIGINT/SIGTERM

// upactl.c
extern void	upactlDisplayURI(const char *uri, char *buffer, size_t bufsize);
extern int	upactlFail(const char *format, ...) __attribute__((format(printf, 1, 2)));
extern bool	upactlGetOption(int argc, char *argv[], int *i, const char *name, const char **value);
extern bool	upactlLoadConfig(upactl_t *ctl);
extern void	upactlTokenState(upactl_t *ctl, const upa_device_t *dev, char *buffer, size_t bufsize, time_t *expires);
extern int	upactlUsage(const char *name, FILE *fp, int status);
extern void	upactlCatchSignals(void);

// cmd-register.c
extern bool	upactlSigninOption(int argc, char *argv[], int *i, upactl_signin_t *si);
extern const char *upactlAdminToken(upactl_t *ctl, upactl_signin_t *si);
extern int	upactlQueues(http_t *http, char ***queues);
extern void	upactlQueuesFree(char **queues, int num_queues);

// Commands.
extern bool	upactlCloudCheck(upactl_t *ctl, const upa_device_t *dev, char *message, size_t msgsize);
extern int	upactlCmdDevice(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdDoctor(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdJobs(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdList(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdOutbox(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdRegister(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdStatus(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdSync(upactl_t *ctl, int argc, char *argv[]);
extern int	upactlCmdUnregister(upactl_t *ctl, int argc, char *argv[]);

#endif // !UPACTL_H
