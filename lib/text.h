//
// Text safety for libupa: strings from the cloud or from a job, made safe to
// show on a terminal or to write to a log line.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Job names, owners, printer names and error texts come from any tenant user
// (through Universal Print) or from any local user (through CUPS).  Printed
// unchanged, an ESC ] (OSC) or CSI sequence in them retitles or rewrites the
// admin's terminal; a newline in them forges log lines (and CUPS control
// lines on a backend's stderr).  upaTextStripControl() removes them all.
//
// URLs may carry a password in their userinfo ("http://user:pw@proxy:3128",
// "ipp://user:pw@printer/..."): upaTextHasPassword() finds it,
// upaTextRedactURL() replaces it with "***" for display.
//

#ifndef UPA_TEXT_H
#  define UPA_TEXT_H
#  include <stdbool.h>
#  include <stddef.h>

extern char	*upaTextStripControl(char *dst, size_t dstsize, const char *src);
extern bool	upaTextHasPassword(const char *url);
extern char	*upaTextRedactURL(char *dst, size_t dstsize, const char *url);

#endif // !UPA_TEXT_H
