//
// libFuzzer target for the XPS path of upa-xpstopdf: the ZIP limit check and
// the libgxps/cairo conversion, with the PDF output discarded.
//
// Build with "make fuzz-xps" (clang, -fsanitize=fuzzer) or link with
// fuzz-replay.c to replay a corpus with any compiler (make check does).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "xpsconv.h"
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>


//
// Local functions...
//

static void		quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data);
static cairo_status_t	discard(void *ctx, const unsigned char *data, unsigned int length);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


//
// 'LLVMFuzzerTestOneInput()' - Convert one input.
//

int					// O - Always 0
LLVMFuzzerTestOneInput(
    const uint8_t *data,		// I - Input bytes
    size_t        size)			// I - Number of bytes
{
  int			fd;		// Memory file holding the package
  char			path[64];	// Its /proc path (libgxps opens by name)
  upa_xps_job_t		job;		// Conversion
  unsigned		pages;		// Pages written
  char			message[1024];	// Error message
  size_t		done;		// Bytes written so far
  ssize_t		bytes;		// Bytes written this time


  g_log_set_default_handler(quiet_log, NULL);

  if ((fd = memfd_create("fuzz-xps", 0)) < 0)
    return (0);

  for (done = 0; done < size; done += (size_t)bytes)
  {
    if ((bytes = write(fd, data + done, size - done)) <= 0)
    {
      close(fd);
      return (0);
    }
  }

  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

  memset(&job, 0, sizeof(job));
  job.path     = path;
  job.copies   = 1;
  job.write_cb = discard;
  upaXPSDefaultLimits(&job.limits);

  // Keep single runs short: small packages, few pages.
  job.limits.max_pages = 20;
  job.limits.max_part  = 16 * 1024 * 1024;
  job.limits.max_total = 32 * 1024 * 1024;
  job.limits.max_page_pt = 2000.0;

  if (upaXPSCheckPackage(path, &job.limits, message, sizeof(message)) == UPA_XPS_OK)
    upaXPSConvert(&job, &pages, message, sizeof(message));

  close(fd);

  return (0);
}


//
// 'discard()' - cairo write function that drops the PDF.
//

static cairo_status_t			// O - Status
discard(void                *ctx,	// I - Unused
        const unsigned char *data,	// I - Unused
        unsigned int        length)	// I - Unused
{
  (void)ctx;
  (void)data;
  (void)length;

  return (CAIRO_STATUS_SUCCESS);
}


//
// 'quiet_log()' - Drop GLib warnings (malformed input is expected here).
//

static void
quiet_log(const gchar    *domain,	// I - Unused
          GLogLevelFlags level,		// I - Unused
          const gchar    *message,	// I - Unused
          gpointer       user_data)	// I - Unused
{
  (void)domain;
  (void)level;
  (void)message;
  (void)user_data;
}
