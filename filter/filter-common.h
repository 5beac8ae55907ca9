//
// Shared plumbing for the cups-upa CUPS filters (upa-xpstopdf, upa-pclmtopdf):
// command line, spooling of stdin, resource limits and a supervising parent
// process that turns crashes and limit violations into one ERROR: line.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPA_FILTER_COMMON_H
#  define UPA_FILTER_COMMON_H
#  include <cups/cups.h>
#  include <signal.h>
#  include <stdbool.h>
#  include <stddef.h>
#  include <sys/types.h>


//
// Types...
//

typedef struct upa_filter_args_s	// Filter command line (man 7 filter)
{
  const char	*name;			// Program name for messages
  const char	*job_id;		// argv[1]
  const char	*user;			// argv[2]
  const char	*title;			// argv[3]
  int		copies;			// Copies this filter must produce (1 unless argv[6])
  bool		collate;		// Collated copies?
  int		num_options;		// Number of job options (argv[5])
  cups_option_t	*options;		// Job options
  const char	*filename;		// argv[6] or NULL for stdin
} upa_filter_args_t;

typedef int (*upa_filter_func_t)(void *data);
					// Work done in the limited child: returns exit status


//
// Globals...
//

extern volatile sig_atomic_t upa_filter_canceled;
					// Set by SIGTERM in the child


//
// Functions...
//

extern bool	upaFilterParseArgs(int argc, char *argv[], const char *name, upa_filter_args_t *args);
extern int	upaFilterRun(const char *name, upa_filter_func_t func, void *data);
extern bool	upaFilterSpool(const upa_filter_args_t *args, off_t max_bytes, char *path, size_t pathsize, bool *is_temp);
extern long	upaFilterEnvLong(const char *name, long defval, long minval, long maxval);

#endif // !UPA_FILTER_COMMON_H
