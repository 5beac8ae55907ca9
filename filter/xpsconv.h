//
// XPS/OXPS to PDF conversion core (libgxps + cairo), shared by the
// upa-xpstopdf filter and its fuzz target.  Nothing here prints or exits:
// errors come back as a message for the filter's ERROR: line.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPA_XPSCONV_H
#  define UPA_XPSCONV_H
#  include <cairo.h>
#  include <signal.h>
#  include <stdbool.h>
#  include <stddef.h>
#  include <stdint.h>


//
// Constants...
//

#  define UPA_XPS_DEF_MAX_PAGES	10000	// Pages per package
#  define UPA_XPS_DEF_MAX_ENTRIES 200000// ZIP entries per package
#  define UPA_XPS_DEF_MAX_PART	((uint64_t)128 * 1024 * 1024)
					// Uncompressed bytes of one ZIP entry
#  define UPA_XPS_DEF_MAX_TOTAL	((uint64_t)1024 * 1024 * 1024)
					// Uncompressed bytes of all entries
#  define UPA_XPS_DEF_MAX_RATIO	200.0	// Expansion ratio of a big entry
#  define UPA_XPS_RATIO_MIN_SIZE ((uint64_t)8 * 1024 * 1024)
					// Entries below this size skip the ratio test
#  define UPA_XPS_MAX_PAGE_PT	14400.0	// Largest page side in points (200in, PDF limit)


//
// Types...
//

typedef struct upa_xps_limits_s		// Limits applied to untrusted packages
{
  unsigned	max_pages;		// Pages in all documents
  unsigned	max_entries;		// ZIP entries
  uint64_t	max_part;		// Uncompressed size of one entry
  uint64_t	max_total;		// Uncompressed size of all entries
  double	max_ratio;		// Uncompressed/compressed ratio of big entries
  double	max_page_pt;		// Largest page width/height in points
} upa_xps_limits_t;

typedef void (*upa_xps_page_cb_t)(void *ctx, unsigned page, unsigned copies, double width, double height);
					// Called after each output page (points)

typedef struct upa_xps_job_s		// One conversion
{
  const char		*path;		// Package file (regular, seekable)
  const char		*title;		// PDF title or NULL
  unsigned		copies;		// Copies to produce (>= 1)
  bool			collate;	// Collated copies?
  cairo_write_func_t	write_cb;	// PDF output
  void			*write_ctx;	// Its context
  upa_xps_page_cb_t	page_cb;	// Progress callback or NULL
  void			*page_ctx;	// Its context
  volatile sig_atomic_t	*canceled;	// Cancel flag or NULL
  upa_xps_limits_t	limits;		// Limits
} upa_xps_job_t;

typedef enum upa_xps_status_e		// Conversion result
{
  UPA_XPS_OK,				// PDF written
  UPA_XPS_ERROR,			// Bad input or output error (message set)
  UPA_XPS_CANCELED			// Stopped by the cancel flag
} upa_xps_status_t;


//
// Functions...
//

extern upa_xps_status_t	upaXPSCheckPackage(const char *path, const upa_xps_limits_t *limits, char *message, size_t msgsize);
extern upa_xps_status_t	upaXPSConvert(const upa_xps_job_t *job, unsigned *pages, char *message, size_t msgsize);
extern void		upaXPSDefaultLimits(upa_xps_limits_t *limits);

#endif // !UPA_XPSCONV_H
