//
// upa-xpstopdf - CUPS filter converting XPS and OpenXPS documents
// (application/vnd.ms-xpsdocument, application/oxps) to application/pdf.
//
// Usage (man 7 filter): upa-xpstopdf job-id user title copies options [file]
//
// Rendering is done by libgxps onto a cairo PDF surface, one page at a time.
// libgxps opens the package by name for every part, so stdin is spooled to a
// temporary file in $TMPDIR first.  The package is checked against limits
// (see xpsconv.c) and the conversion runs in a child with RLIMIT_AS and
// RLIMIT_CPU (filter-common.c); any failure is one ERROR: line and exit 1.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "filter-common.h"
#include "xpsconv.h"
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


//
// Types...
//

typedef struct xps_filter_s		// Data for the converting child
{
  upa_filter_args_t	args;		// Command line
  char			path[1024];	// Seekable input file
  upa_xps_limits_t	limits;		// Limits
} xps_filter_t;


//
// Local functions...
//

static int		convert(void *data);
static void		log_handler(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data);
static void		page_cb(void *ctx, unsigned page, unsigned copies, double width, double height);
static cairo_status_t	write_stdout(void *ctx, const unsigned char *data, unsigned int length);


//
// 'main()' - Spool, then convert in a limited child.
//

int					// O - Exit status
main(int  argc,				// I - Number of command-line arguments
     char *argv[])			// I - Command-line arguments
{
  xps_filter_t	filter;			// Filter data
  bool		is_temp = false;	// Spooled to a temporary file?
  int		status;			// Exit status


  memset(&filter, 0, sizeof(filter));

  if (!upaFilterParseArgs(argc, argv, "upa-xpstopdf", &filter.args))
    return (1);

  upaXPSDefaultLimits(&filter.limits);
  filter.limits.max_pages = (unsigned)upaFilterEnvLong("UPA_XPS_MAX_PAGES", UPA_XPS_DEF_MAX_PAGES, 1, 1000000);

  if (!upaFilterSpool(&filter.args, (off_t)filter.limits.max_total, filter.path, sizeof(filter.path), &is_temp))
    return (1);

  status = upaFilterRun(filter.args.name, convert, &filter);

  if (is_temp)
    unlink(filter.path);

  cupsFreeOptions(filter.args.num_options, filter.args.options);

  return (status);
}


//
// 'convert()' - Check the package and write the PDF to stdout (child process).
//

static int				// O - Exit status
convert(void *data)			// I - Filter data
{
  xps_filter_t		*filter = (xps_filter_t *)data;
					// Filter data
  upa_xps_job_t		job;		// Conversion
  upa_xps_status_t	status;		// Result
  unsigned		pages = 0;	// Pages written
  char			message[1024];	// Error message


  // GLib/libgxps warnings about the input are debug output, not errors.
  g_log_set_default_handler(log_handler, NULL);

  fputs("INFO: Checking XPS document\n", stderr);

  if (upaXPSCheckPackage(filter->path, &filter->limits, message, sizeof(message)) != UPA_XPS_OK)
  {
    fprintf(stderr, "ERROR: %s\n", message);
    return (1);
  }

  memset(&job, 0, sizeof(job));
  job.path      = filter->path;
  job.title     = filter->args.title;
  job.copies    = (unsigned)filter->args.copies;
  job.collate   = filter->args.collate;
  job.write_cb  = write_stdout;
  job.page_cb   = page_cb;
  job.canceled  = &upa_filter_canceled;
  job.limits    = filter->limits;

  fprintf(stderr, "DEBUG: upa-xpstopdf: copies=%u collate=%s file=%s\n", job.copies, job.collate ? "yes" : "no", filter->args.filename ? filter->args.filename : "(stdin)");
  fputs("INFO: Converting XPS document to PDF\n", stderr);

  status = upaXPSConvert(&job, &pages, message, sizeof(message));

  switch (status)
  {
    case UPA_XPS_OK :
        fprintf(stderr, "INFO: Converted %u pages from XPS to PDF\n", pages);
        return (0);

    case UPA_XPS_CANCELED :
        fprintf(stderr, "DEBUG: upa-xpstopdf: Canceled after %u pages.\n", pages);
        return (1);

    default :
        fprintf(stderr, "ERROR: %s\n", message);
        return (1);
  }
}


//
// 'log_handler()' - Send GLib log messages to the CUPS log as DEBUG lines.
//

static void
log_handler(const gchar    *domain,	// I - Log domain
            GLogLevelFlags level,	// I - Log level
            const gchar    *message,	// I - Message
            gpointer       user_data)	// I - Unused
{
  const char	*ptr;			// Pointer into message


  (void)user_data;


  const char	*label;			// Level name

  if (level & G_LOG_LEVEL_ERROR)
    label = "error";
  else if (level & G_LOG_LEVEL_CRITICAL)
    label = "critical";
  else if (level & G_LOG_LEVEL_WARNING)
    label = "warning";
  else
    label = "debug";

  fprintf(stderr, "DEBUG: %s%s%s: ", domain ? domain : "", domain ? " " : "", label);
  for (ptr = message ? message : ""; *ptr; ptr ++)
    putc((*ptr == '\n' || *ptr == '\r') ? ' ' : *ptr, stderr);
  putc('\n', stderr);
}


//
// 'page_cb()' - Report an output page to cupsd.
//

static void
page_cb(void     *ctx,			// I - Unused
        unsigned page,			// I - Page number
        unsigned copies,		// I - Copies of this page
        double   width,			// I - Width in points
        double   height)		// I - Height in points
{
  (void)ctx;

  fprintf(stderr, "DEBUG: upa-xpstopdf: Page %u is %.1fx%.1f points.\n", page, width, height);
  fprintf(stderr, "PAGE: %u %u\n", page, copies);
}


//
// 'write_stdout()' - cairo write function for the PDF on stdout.
//

static cairo_status_t			// O - Status
write_stdout(void                *ctx,	// I - Unused
             const unsigned char *data,	// I - Bytes
             unsigned int        length)// I - Number of bytes
{
  ssize_t	bytes;			// Bytes written


  (void)ctx;

  while (length > 0)
  {
    if ((bytes = write(1, data, length)) < 0)
    {
      if (errno == EINTR)
        continue;
      return (CAIRO_STATUS_WRITE_ERROR);
    }

    data   += bytes;
    length -= (unsigned)bytes;
  }

  return (CAIRO_STATUS_SUCCESS);
}
