//
// Status lines of the real backend for the "upa" backend.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Every line goes to cupsd unchanged (man 7 filter: STATE:, ATTR:, PAGE:,
// ERROR:, ...), whole lines, in order; run.c writes what one read() brought
// with one write() (a chatty backend at LogLevel debug writes a line per
// 8 KiB sent).  On the way we note what the cloud report needs: impressions
// (PAGE:), the reason of a failure (ERROR:) and the printer state (STATE:).
//

#include "upa-backend.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>


//
// 'upaBackendWriteAll()' - Write a whole buffer to a descriptor.
//

bool					// O - true on success
upaBackendWriteAll(int        fd,	// I - Descriptor
                   const char *data,	// I - Bytes
                   size_t     len)	// I - Number of bytes
{
  ssize_t	bytes;			// Bytes written


  while (len > 0)
  {
    if ((bytes = write(fd, data, len)) < 0)
    {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      return (false);			// cupsd went away: nothing to do
    }

    data += bytes;
    len  -= (size_t)bytes;
  }

  return (true);
}


//
// 'upaBackendRelayLine()' - Pass one status line on, unchanged, and look at it.
//

void
upaBackendRelayLine(upa_backend_t *be,	// I - Backend state
                    const char    *line,// I - Line (with newline, if any)
                    size_t        len)	// I - Length of line
{
  upaBackendWriteAll(2, line, len);
  upaBackendInspectLine(be, line, len);
}


//
// 'upaBackendInspectLine()' - Look at one status line (the caller relays it).
//

void
upaBackendInspectLine(
    upa_backend_t *be,			// I - Backend state
    const char    *line,		// I - Line (with newline, if any)
    size_t        len)			// I - Length of line
{
  char	temp[1024],			// NUL-terminated copy without newline
	*ptr;				// Pointer into copy
  int	page,				// Page number
	copies,				// Copies of that page
	total;				// Total impressions


  // Only the status lines we act on need a copy; long lines never are.
  if (len >= sizeof(temp) || !(!strncmp(line, "PAGE:", 5) || !strncmp(line, "STATE:", 6) || !strncmp(line, "ERROR:", 6)))
    return;

  memcpy(temp, line, len);
  temp[len] = '\0';
  if ((ptr = strchr(temp, '\n')) != NULL)
    *ptr = '\0';
  if ((ptr = strchr(temp, '\r')) != NULL)
    *ptr = '\0';

  if (!strncmp(temp, "PAGE:", 5))
  {
    if (sscanf(temp, "PAGE: total %d", &total) == 1)
    {
      if (total >= 0)
        be->impressions_total = total;
    }
    else if (sscanf(temp, "PAGE: %d %d", &page, &copies) == 2)
    {
      if (copies > 0 && be->impressions <= INT_MAX - copies)
        be->impressions += copies;
    }
  }
  else if (!strncmp(temp, "STATE:", 6))
  {
    upaBackendStateLine(be, temp + 6);
  }
  else
  {
    // The last error the printer's backend gave: the "why" of an abort.
    for (ptr = temp + 6; *ptr == ' ' || *ptr == '\t'; ptr ++);
    if (*ptr)
    {
      size_t n = strlen(ptr);		// Length of message (truncated to fit)

      if (n >= sizeof(be->last_error))
        n = sizeof(be->last_error) - 1;
      memcpy(be->last_error, ptr, n);
      be->last_error[n] = '\0';
    }
  }
}
