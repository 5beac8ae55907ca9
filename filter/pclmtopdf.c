//
// upa-pclmtopdf - CUPS filter turning application/PCLm into application/pdf.
//
// Usage (man 7 filter): upa-pclmtopdf job-id user title copies options [file]
//
// PCLm is a constrained PDF (raster strips as image XObjects, no fonts), so
// a valid PCLm file already is a valid PDF.  The filter validates it with
// libqpdf (no recovery of broken files: a damaged xref or page tree is an
// error, not something to guess around), checks the PCLm constraints it can
// see cheaply, and then passes the file through byte for byte.  Copies are
// left to the rest of the chain (pdftopdf), see the man page.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "filter-common.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <qpdf/qpdf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


//
// Constants...
//

#define PCLM_MAX_INPUT	((off_t)2048 * 1024 * 1024)
					// Largest accepted PCLm file
#define PCLM_MAX_PAGE_PT 14400.0	// Largest page side in points (200in, PDF limit)
#define PCLM_DEF_MAX_PAGES 10000	// Pages per document


//
// Types...
//

typedef struct pclm_filter_s		// Data for the checking child
{
  upa_filter_args_t	args;		// Command line
  char			path[1024];	// Seekable input file
  long			max_pages;	// Page limit
} pclm_filter_t;


//
// Local functions...
//

static int	check_and_copy(void *data);
static bool	check_page(qpdf_data q, qpdf_oh page, int pageno, bool *strict, char *message, size_t msgsize);
static bool	copy_file(const char *path, char *message, size_t msgsize);
static void	show_warnings(qpdf_data q);


//
// 'main()' - Spool, then validate and pass through in a limited child.
//

int					// O - Exit status
main(int  argc,				// I - Number of command-line arguments
     char *argv[])			// I - Command-line arguments
{
  pclm_filter_t	filter;			// Filter data
  bool		is_temp = false;	// Spooled to a temporary file?
  int		status;			// Exit status


  memset(&filter, 0, sizeof(filter));

  if (!upaFilterParseArgs(argc, argv, "upa-pclmtopdf", &filter.args))
    return (1);

  filter.max_pages = upaFilterEnvLong("UPA_PCLM_MAX_PAGES", PCLM_DEF_MAX_PAGES, 1, 1000000);

  if (!upaFilterSpool(&filter.args, PCLM_MAX_INPUT, filter.path, sizeof(filter.path), &is_temp))
    return (1);

  status = upaFilterRun(filter.args.name, check_and_copy, &filter);

  if (is_temp)
    unlink(filter.path);

  cupsFreeOptions(filter.args.num_options, filter.args.options);

  return (status);
}


//
// 'check_and_copy()' - Validate the PCLm file and copy it to stdout (child).
//

static int				// O - Exit status
check_and_copy(void *data)		// I - Filter data
{
  pclm_filter_t	*filter = (pclm_filter_t *)data;
					// Filter data
  qpdf_data	q;			// qpdf handle
  int		fd;			// Input file
  char		header[1025];		// Start of the file
  ssize_t	bytes;			// Bytes read
  bool		strict = true;		// Does it follow the PCLm constraints?
  int		npages,			// Number of pages
		i;			// Looping var
  char		message[1024];		// Error message
  int		status = 1;		// Exit status


  fputs("INFO: Checking PCLm document\n", stderr);

  // Header: "%PDF-1.x" then the "%PCLm 1.0" comment (PCLm specification 1.0).
  if ((fd = open(filter->path, O_RDONLY)) < 0 || (bytes = read(fd, header, sizeof(header) - 1)) < 0)
  {
    fprintf(stderr, "ERROR: Unable to read the PCLm document: %s\n", strerror(errno));
    if (fd >= 0)
      close(fd);
    return (1);
  }
  close(fd);
  header[bytes] = '\0';

  if (bytes < 5 || memcmp(header, "%PDF-", 5))
  {
    fputs("ERROR: The PCLm document is not a PDF file (no %PDF- header).\n", stderr);
    return (1);
  }

  if (!memmem(header, (size_t)bytes, "%PCLm", 5))
  {
    fputs("DEBUG: upa-pclmtopdf: No %PCLm marker in the header; checking it as plain PDF.\n", stderr);
    strict = false;
  }

  q = qpdf_init();
  qpdf_silence_errors(q);
  qpdf_set_suppress_warnings(q, QPDF_TRUE);
  // A PCLm generator writes a clean file: never reconstruct a broken one.
  qpdf_set_attempt_recovery(q, QPDF_FALSE);

  if (qpdf_read(q, filter->path, NULL) & QPDF_ERRORS)
  {
    fprintf(stderr, "ERROR: The PCLm document is not a valid PDF file: %s\n", qpdf_has_error(q) ? qpdf_get_error_full_text(q, qpdf_get_error(q)) : "unknown error");
    goto done;
  }

  if (qpdf_is_encrypted(q))
  {
    fputs("ERROR: The PCLm document is encrypted, which PCLm does not allow.\n", stderr);
    goto done;
  }

  // PCLm allows MediaBox on the page only; push inherited values down for
  // the check (the file that is passed through is not modified).
  qpdf_push_inherited_attributes_to_page(q);
  npages = qpdf_get_num_pages(q);

  if (npages < 0 || qpdf_has_error(q))
  {
    fprintf(stderr, "ERROR: The PCLm document has no valid page tree: %s\n", qpdf_has_error(q) ? qpdf_get_error_full_text(q, qpdf_get_error(q)) : "unknown error");
    goto done;
  }
  else if (npages == 0)
  {
    fputs("ERROR: The PCLm document contains no pages.\n", stderr);
    goto done;
  }
  else if (npages > filter->max_pages)
  {
    fprintf(stderr, "ERROR: The PCLm document has more than %ld pages.\n", filter->max_pages);
    goto done;
  }

  for (i = 0; i < npages; i ++)
  {
    if (upa_filter_canceled)
    {
      fputs("DEBUG: upa-pclmtopdf: Canceled.\n", stderr);
      goto done;
    }

    if (!check_page(q, qpdf_get_page_n(q, (size_t)i), i + 1, &strict, message, sizeof(message)))
    {
      fprintf(stderr, "ERROR: %s\n", message);
      goto done;
    }
  }

  show_warnings(q);

  if (!strict)
    fputs("INFO: The document is not strict PCLm; printing it as PDF\n", stderr);

  fprintf(stderr, "DEBUG: upa-pclmtopdf: %d valid pages, copies handled downstream.\n", npages);

  if (!copy_file(filter->path, message, sizeof(message)))
  {
    fprintf(stderr, "ERROR: %s\n", message);
    goto done;
  }

  for (i = 1; i <= npages; i ++)
    fprintf(stderr, "PAGE: %d 1\n", i);

  status = 0;

  done:

  qpdf_cleanup(&q);

  return (status);
}


//
// 'check_page()' - Check one page: a sane MediaBox, contents, image strips.
//

static bool				// O - `true` if usable
check_page(qpdf_data  q,		// I - qpdf handle
           qpdf_oh    page,		// I - Page object
           int        pageno,		// I - Page number
           bool       *strict,		// IO - Still strict PCLm?
           char       *message,		// O - Error message
           size_t     msgsize)		// I - Size of message
{
  qpdf_oh	box,			// MediaBox
		item,			// Array item
		resources,		// Resources
		xobjects;		// XObject dictionary
  double	v[4];			// MediaBox values
  int		i;			// Looping var
  double	width,			// Page width in points
		height;			// Page height in points


  if (!qpdf_oh_is_dictionary_of_type(q, page, "/Page", ""))
  {
    snprintf(message, msgsize, "PCLm page %d is not a page object.", pageno);
    return (false);
  }

  box = qpdf_oh_get_key(q, page, "/MediaBox");
  if (!qpdf_oh_is_array(q, box) || qpdf_oh_get_array_n_items(q, box) != 4)
  {
    snprintf(message, msgsize, "PCLm page %d has no valid MediaBox.", pageno);
    return (false);
  }

  for (i = 0; i < 4; i ++)
  {
    item = qpdf_oh_get_array_item(q, box, i);
    if (!qpdf_oh_get_value_as_number(q, item, v + i) || !isfinite(v[i]))
    {
      snprintf(message, msgsize, "PCLm page %d has no valid MediaBox.", pageno);
      return (false);
    }
  }

  width  = fabs(v[2] - v[0]);
  height = fabs(v[3] - v[1]);
  if (width < 1.0 || height < 1.0 || width > PCLM_MAX_PAGE_PT || height > PCLM_MAX_PAGE_PT)
  {
    snprintf(message, msgsize, "PCLm page %d has an invalid size (%.0fx%.0f points, limit %.0f).", pageno, width, height, PCLM_MAX_PAGE_PT);
    return (false);
  }

  if (!qpdf_oh_has_key(q, page, "/Contents"))
  {
    snprintf(message, msgsize, "PCLm page %d has no content.", pageno);
    return (false);
  }

  // PCLm pages draw image strips only: no fonts, every XObject an image.
  resources = qpdf_oh_get_key(q, page, "/Resources");
  if (qpdf_oh_is_dictionary(q, resources))
  {
    if (qpdf_oh_has_key(q, resources, "/Font"))
      *strict = false;

    xobjects = qpdf_oh_get_key(q, resources, "/XObject");
    if (qpdf_oh_is_dictionary(q, xobjects))
    {
      qpdf_oh_begin_dict_key_iter(q, xobjects);
      while (*strict && qpdf_oh_dict_more_keys(q))
      {
        const char *key = qpdf_oh_dict_next_key(q);
					// XObject name
        qpdf_oh	xobj = qpdf_oh_get_key(q, xobjects, key);
					// XObject

        if (!qpdf_oh_is_stream(q, xobj) || !qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, qpdf_oh_get_dict(q, xobj), "/Subtype"), "/Image"))
          *strict = false;
      }
    }
    else
      *strict = false;
  }
  else
    *strict = false;

  if (qpdf_has_error(q))
  {
    snprintf(message, msgsize, "PCLm page %d is damaged: %s", pageno, qpdf_get_error_full_text(q, qpdf_get_error(q)));
    return (false);
  }

  qpdf_oh_release_all(q);

  return (true);
}


//
// 'copy_file()' - Copy the validated file to stdout.
//

static bool				// O - `true` on success
copy_file(const char *path,		// I - File
          char       *message,		// O - Error message
          size_t     msgsize)		// I - Size of message
{
  int		fd;			// Input file
  char		buffer[65536];		// Copy buffer
  ssize_t	bytes,			// Bytes read
		n;			// Bytes written


  if ((fd = open(path, O_RDONLY)) < 0)
  {
    snprintf(message, msgsize, "Unable to read the PCLm document: %s", strerror(errno));
    return (false);
  }

  while ((bytes = read(fd, buffer, sizeof(buffer))) != 0)
  {
    if (bytes < 0)
    {
      if (errno == EINTR)
        continue;
      snprintf(message, msgsize, "Unable to read the PCLm document: %s", strerror(errno));
      close(fd);
      return (false);
    }

    for (ssize_t done = 0; done < bytes; done += n)
    {
      if ((n = write(1, buffer + done, (size_t)(bytes - done))) < 0)
      {
        if (errno == EINTR)
        {
          n = 0;
          continue;
        }
        snprintf(message, msgsize, "Unable to write the PDF output: %s", strerror(errno));
        close(fd);
        return (false);
      }
    }
  }

  close(fd);

  return (true);
}


//
// 'show_warnings()' - Log qpdf's warnings as DEBUG lines.
//

static void
show_warnings(qpdf_data q)		// I - qpdf handle
{
  int	count = 0;			// Warnings shown


  while (qpdf_more_warnings(q))
  {
    qpdf_error w = qpdf_next_warning(q);// Warning

    if (count ++ < 20)
      fprintf(stderr, "DEBUG: upa-pclmtopdf: qpdf: %s\n", qpdf_get_error_full_text(q, w));
  }
}
