//
// XPS/OXPS to PDF conversion core (libgxps + cairo).
//
// libgxps reads the package with libarchive's streaming ZIP reader and loads
// each part it needs completely into memory (it trusts the sizes in the ZIP
// headers and grows a buffer without bound when they are missing).  So before
// libgxps sees a package, upaXPSCheckPackage() walks it with the same kind of
// reader and really inflates every entry against limits on entry count,
// per-part size, total size and expansion ratio: a zip bomb or a truncated
// package is rejected with a clear message, at a bounded cost.
//
// Pages are rendered one at a time onto a cairo PDF stream surface, so memory
// is bounded by the largest page, not by the document.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "xpsconv.h"
#include <archive.h>
#include <archive_entry.h>
#include <cairo-pdf.h>
#include <libgxps/gxps.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>


//
// Local functions...
//

static bool		is_canceled(const upa_xps_job_t *job);
static upa_xps_status_t	render_page(const upa_xps_job_t *job, cairo_surface_t *surface, GXPSPage *page, unsigned pageno, unsigned copies, char *message, size_t msgsize);
static upa_xps_status_t	set_message(char *message, size_t msgsize, const char *format, ...) __attribute__((format(printf, 3, 4)));


//
// 'upaXPSCheckPackage()' - Check a package's ZIP container against the limits.
//

upa_xps_status_t			// O - `UPA_XPS_OK` or `UPA_XPS_ERROR`
upaXPSCheckPackage(
    const char             *path,	// I - Package file
    const upa_xps_limits_t *limits,	// I - Limits
    char                   *message,	// O - Error message
    size_t                 msgsize)	// I - Size of message buffer
{
  struct archive	*a;		// Archive reader
  struct archive_entry	*entry;		// Current entry
  int			ret;		// libarchive status
  unsigned		entries = 0;	// Number of entries
  uint64_t		total = 0;	// Uncompressed bytes so far
  bool			have_rels = false;
					// Package relationships found?
  upa_xps_status_t	status = UPA_XPS_OK;
					// Result
  static char		buffer[65536];	// Inflate buffer (contents are discarded)


  if ((a = archive_read_new()) == NULL)
    return (set_message(message, msgsize, "Unable to create a ZIP reader."));

  // The same reader libgxps uses: local headers, front to back.
  archive_read_support_format_zip_streamable(a);

  if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
  {
    status = set_message(message, msgsize, "The document is not a readable XPS (ZIP) package: %s", archive_error_string(a));
    goto done;
  }

  for (;;)
  {
    const char	*name;			// Entry name
    uint64_t	size = 0;		// Uncompressed bytes of this entry
    int64_t	start;			// Compressed position at the entry's start
    la_ssize_t	bytes;			// Bytes inflated

    if ((ret = archive_read_next_header(a, &entry)) == ARCHIVE_EOF)
      break;
    else if (ret == ARCHIVE_RETRY)
      continue;
    else if (ret < ARCHIVE_WARN)
    {
      if (entries == 0)
        status = set_message(message, msgsize, "The document is not an XPS (ZIP) package: %s", archive_error_string(a));
      else
        status = set_message(message, msgsize, "The XPS package is truncated or corrupt after %u parts: %s", entries, archive_error_string(a));
      goto done;
    }

    if (++ entries > limits->max_entries)
    {
      status = set_message(message, msgsize, "The XPS package has more than %u parts.", limits->max_entries);
      goto done;
    }

    name = archive_entry_pathname(entry);
    if (name && !strcasecmp(name, "_rels/.rels"))
      have_rels = true;

    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0 && (uint64_t)archive_entry_size(entry) > limits->max_part)
    {
      status = set_message(message, msgsize, "The XPS part \"%s\" is too large (%lld bytes, limit %llu).", name ? name : "?", (long long)archive_entry_size(entry), (unsigned long long)limits->max_part);
      goto done;
    }

    start = archive_filter_bytes(a, -1);

    while ((bytes = archive_read_data(a, buffer, sizeof(buffer))) > 0)
    {
      size  += (uint64_t)bytes;
      total += (uint64_t)bytes;

      if (size > limits->max_part)
      {
        status = set_message(message, msgsize, "The XPS part \"%s\" expands to more than %llu bytes (zip bomb?).", name ? name : "?", (unsigned long long)limits->max_part);
        goto done;
      }
      if (total > limits->max_total)
      {
        status = set_message(message, msgsize, "The XPS package expands to more than %llu bytes (zip bomb?).", (unsigned long long)limits->max_total);
        goto done;
      }
      if (size >= UPA_XPS_RATIO_MIN_SIZE)
      {
        // Compressed bytes consumed so far (read-ahead makes this an over-estimate).
        int64_t used = archive_filter_bytes(a, -1) - start;

        if (used > 0 && (double)size / (double)used > limits->max_ratio)
        {
          status = set_message(message, msgsize, "The XPS part \"%s\" expands more than %.0f:1 (zip bomb?).", name ? name : "?", limits->max_ratio);
          goto done;
        }
      }
    }

    if (bytes < 0)
    {
      status = set_message(message, msgsize, "The XPS package is truncated or corrupt in part \"%s\": %s", name ? name : "?", archive_error_string(a));
      goto done;
    }
  }

  if (entries == 0)
    status = set_message(message, msgsize, "The document is not an XPS package (empty ZIP archive).");
  else if (!have_rels)
    status = set_message(message, msgsize, "The document is not an XPS package: no package relationships (_rels/.rels).");

  done:

  archive_read_free(a);

  return (status);
}


//
// 'upaXPSConvert()' - Convert a checked XPS/OXPS package to PDF.
//

upa_xps_status_t			// O - Result
upaXPSConvert(
    const upa_xps_job_t *job,		// I - Conversion
    unsigned            *pages,		// O - Output pages (with copies)
    char                *message,	// O - Error message
    size_t              msgsize)	// I - Size of message buffer
{
  GFile			*gfile;		// Package file
  GXPSFile		*xps = NULL;	// XPS package
  GXPSDocument		*doc = NULL;	// Current FixedDocument
  GError		*error = NULL;	// libgxps error
  cairo_surface_t	*surface = NULL;// PDF surface
  cairo_status_t	cstatus;	// cairo status
  unsigned		ndocs;		// Number of FixedDocuments
  unsigned		d,		// Document index
			p,		// Page index
			c;		// Copy
  unsigned		total = 0;	// Pages in all documents
  unsigned		pageno = 0;	// Output page number
  unsigned		copies;		// Copies
  unsigned		passes;		// Collated passes over the document
  unsigned		per_page;	// Copies of each page per pass
  upa_xps_status_t	status = UPA_XPS_OK;
					// Result


  *pages   = 0;
  copies   = job->copies ? job->copies : 1;
  passes   = job->collate ? copies : 1;
  per_page = job->collate ? 1 : copies;

  gfile = g_file_new_for_path(job->path);
  xps   = gxps_file_new(gfile, &error);
  g_object_unref(gfile);

  if (!xps)
  {
    status = set_message(message, msgsize, "The document is not a valid XPS package: %s", error ? error->message : "unknown error");
    goto done;
  }

  if ((ndocs = gxps_file_get_n_documents(xps)) == 0)
  {
    status = set_message(message, msgsize, "The XPS document sequence contains no documents.");
    goto done;
  }

  // Count the pages first, so an oversized document fails before any output.
  for (d = 0; d < ndocs; d ++)
  {
    if ((doc = gxps_file_get_document(xps, d, &error)) == NULL)
    {
      status = set_message(message, msgsize, "Unable to read XPS document %u: %s", d + 1, error ? error->message : "unknown error");
      goto done;
    }

    total += gxps_document_get_n_pages(doc);
    g_clear_object(&doc);

    if (total > job->limits.max_pages)
    {
      status = set_message(message, msgsize, "The XPS document has more than %u pages.", job->limits.max_pages);
      goto done;
    }
  }

  if (total == 0)
  {
    status = set_message(message, msgsize, "The XPS document contains no pages.");
    goto done;
  }

  // The real size is set per page, before anything is drawn on it.
  surface = cairo_pdf_surface_create_for_stream(job->write_cb, job->write_ctx, 612.0, 792.0);
  if ((cstatus = cairo_surface_status(surface)) != CAIRO_STATUS_SUCCESS)
  {
    status = set_message(message, msgsize, "Unable to create the PDF output: %s", cairo_status_to_string(cstatus));
    goto done;
  }

#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
  if (job->title && *job->title && g_utf8_validate(job->title, -1, NULL))
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, job->title);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "upa-xpstopdf (libgxps, cairo)");
#endif // CAIRO_VERSION >= 1.16

  for (c = 0; c < passes && status == UPA_XPS_OK; c ++)
  {
    for (d = 0; d < ndocs && status == UPA_XPS_OK; d ++)
    {
      unsigned npages;			// Pages in this document

      if ((doc = gxps_file_get_document(xps, d, &error)) == NULL)
      {
        status = set_message(message, msgsize, "Unable to read XPS document %u: %s", d + 1, error ? error->message : "unknown error");
        break;
      }

      npages = gxps_document_get_n_pages(doc);

      for (p = 0; p < npages && status == UPA_XPS_OK; p ++)
      {
        GXPSPage *page;			// Current page

        if (is_canceled(job))
        {
          status = UPA_XPS_CANCELED;
          break;
        }

        if ((page = gxps_document_get_page(doc, p, &error)) == NULL)
        {
          status = set_message(message, msgsize, "Unable to read page %u of XPS document %u: %s", p + 1, d + 1, error ? error->message : "unknown error");
          break;
        }

        status = render_page(job, surface, page, pageno + 1, per_page, message, msgsize);
        g_object_unref(page);

        if (status == UPA_XPS_OK)
        {
          pageno  += per_page;
          *pages  += per_page;
        }
      }

      g_clear_object(&doc);
    }
  }

  if (status == UPA_XPS_OK)
  {
    cairo_surface_finish(surface);
    if ((cstatus = cairo_surface_status(surface)) != CAIRO_STATUS_SUCCESS)
      status = set_message(message, msgsize, "Unable to write the PDF output: %s", cairo_status_to_string(cstatus));
  }

  done:

  if (surface)
    cairo_surface_destroy(surface);
  g_clear_object(&doc);
  g_clear_object(&xps);
  g_clear_error(&error);

  return (status);
}


//
// 'upaXPSDefaultLimits()' - Fill in the default limits.
//

void
upaXPSDefaultLimits(
    upa_xps_limits_t *limits)		// O - Limits
{
  limits->max_pages   = UPA_XPS_DEF_MAX_PAGES;
  limits->max_entries = UPA_XPS_DEF_MAX_ENTRIES;
  limits->max_part    = UPA_XPS_DEF_MAX_PART;
  limits->max_total   = UPA_XPS_DEF_MAX_TOTAL;
  limits->max_ratio   = UPA_XPS_DEF_MAX_RATIO;
  limits->max_page_pt = UPA_XPS_MAX_PAGE_PT;
}


//
// 'is_canceled()' - Has the job been canceled?
//

static bool				// O - `true` if canceled
is_canceled(const upa_xps_job_t *job)	// I - Conversion
{
  return (job->canceled && *job->canceled);
}


//
// 'render_page()' - Render one XPS page (possibly several times) as PDF pages.
//

static upa_xps_status_t			// O - Result
render_page(
    const upa_xps_job_t *job,		// I - Conversion
    cairo_surface_t     *surface,	// I - PDF surface
    GXPSPage            *page,		// I - Page
    unsigned            pageno,		// I - First output page number
    unsigned            copies,		// I - Number of copies of this page
    char                *message,	// O - Error message
    size_t              msgsize)	// I - Size of message buffer
{
  double		width,		// Width in XPS units (1/96 inch)
			height;		// Height in XPS units
  double		wpt,		// Width in points
			hpt;		// Height in points
  unsigned		i;		// Copy
  GError		*error = NULL;	// libgxps error
  cairo_t		*cr;		// Drawing context
  cairo_status_t	cstatus;	// cairo status


  gxps_page_get_size(page, &width, &height);
  wpt = width * 72.0 / 96.0;
  hpt = height * 72.0 / 96.0;

  if (!isfinite(wpt) || !isfinite(hpt) || wpt < 1.0 || hpt < 1.0)
    return (set_message(message, msgsize, "XPS page %u has an invalid size (%gx%g).", pageno, width, height));

  if (wpt > job->limits.max_page_pt || hpt > job->limits.max_page_pt)
    return (set_message(message, msgsize, "XPS page %u is too large (%.0fx%.0f points, limit %.0f).", pageno, wpt, hpt, job->limits.max_page_pt));

  for (i = 0; i < copies; i ++)
  {
    if (i > 0 && is_canceled(job))
      return (UPA_XPS_CANCELED);

    cairo_pdf_surface_set_size(surface, wpt, hpt);

    cr = cairo_create(surface);
    cairo_scale(cr, 72.0 / 96.0, 72.0 / 96.0);

    if (!gxps_page_render(page, cr, &error))
    {
      upa_xps_status_t status = set_message(message, msgsize, "Unable to render XPS page %u: %s", pageno, error ? error->message : "unknown error");

      g_clear_error(&error);
      cairo_destroy(cr);
      return (status);
    }

    cairo_show_page(cr);
    cstatus = cairo_status(cr);
    cairo_destroy(cr);

    if (cstatus == CAIRO_STATUS_SUCCESS)
      cstatus = cairo_surface_status(surface);
    if (cstatus != CAIRO_STATUS_SUCCESS)
      return (set_message(message, msgsize, "Unable to write PDF page %u: %s", pageno, cairo_status_to_string(cstatus)));
  }

  if (job->page_cb)
    (*job->page_cb)(job->page_ctx, pageno, copies, wpt, hpt);

  return (UPA_XPS_OK);
}


//
// 'set_message()' - Format an error message and return `UPA_XPS_ERROR`.
//

static upa_xps_status_t			// O - `UPA_XPS_ERROR`
set_message(char       *message,	// O - Message buffer
            size_t     msgsize,		// I - Size of buffer
            const char *format,		// I - printf-style format
            ...)			// I - Arguments
{
  va_list	ap;			// Argument pointer
  char		*ptr;			// Pointer into message


  va_start(ap, format);
  vsnprintf(message, msgsize, format, ap);
  va_end(ap);

  // One line: library messages may contain newlines.
  for (ptr = message; *ptr; ptr ++)
  {
    if (*ptr == '\n' || *ptr == '\r')
      *ptr = ' ';
  }

  return (UPA_XPS_ERROR);
}
