//
// upaTextStripControl(), upaTextRedactURL() and upaLog() against hostile text.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The strings are what a tenant user can put in a job name or a server in an
// error text: OSC (retitle, hyperlinks, clipboard), CSI (cursor, erase,
// colours), C1 controls in UTF-8 and raw, DEL, newlines that forge log and
// CUPS control lines.  Summary on stdout, one line per check.
//

#include "upa.h"
#include <stdio.h>
#include <string.h>


//
// Local globals...
//

static int	failures = 0;		// Failed checks
static char	logged[4096];		// Last line the log callback got


//
// 'check_strip()' - Check one upaTextStripControl() result (and in place).
//

static void
check_strip(const char *what,		// I - Description
            const char *in,		// I - Input
            const char *expect)		// I - Expected output
{
  char	out[256],			// Copy
	inplace[256];			// In-place result


  upaTextStripControl(out, sizeof(out), in);
  snprintf(inplace, sizeof(inplace), "%s", in);
  upaTextStripControl(inplace, sizeof(inplace), inplace);

  if (strcmp(out, expect) || strcmp(inplace, expect))
  {
    printf("FAIL: strip %s: got \"%s\" (in place \"%s\"), expected \"%s\"\n", what, out, inplace, expect);
    failures ++;
  }
  else
    printf("PASS: strip %s\n", what);
}


//
// 'check_redact()' - Check one upaTextRedactURL() result.
//

static void
check_redact(const char *in,		// I - URL
             bool       has,		// I - Has a password?
             const char *expect)	// I - Expected display form
{
  char	out[256];			// Display form


  upaTextRedactURL(out, sizeof(out), in);

  if (upaTextHasPassword(in) != has || strcmp(out, expect))
  {
    printf("FAIL: redact \"%s\": got \"%s\" (password %s), expected \"%s\"\n", in, out, upaTextHasPassword(in) ? "found" : "not found", expect);
    failures ++;
  }
  else
    printf("PASS: redact \"%s\" -> \"%s\"\n", in, out);
}


//
// 'log_cb()' - Keep the last log line.
//

static void
log_cb(void           *data,		// I - Unused
       upa_loglevel_t level,		// I - Unused
       const char     *message)		// I - Line
{
  (void)data;
  (void)level;

  snprintf(logged, sizeof(logged), "%s", message);
}


//
// 'main()' - Run the checks.
//

int					// O - Exit status
main(void)
{
  char	small[8];			// Truncation buffer
  int	i;				// Looping var


  check_strip("plain text", "Quarterly report.pdf", "Quarterly report.pdf");
  check_strip("UTF-8 kept", "R\xc3\xa9sum\xc3\xa9 \xe2\x82\xac \xf0\x9f\x96\xa8", "R\xc3\xa9sum\xc3\xa9 \xe2\x82\xac \xf0\x9f\x96\xa8");
  check_strip("OSC title, BEL", "a\x1b]0;pwned\x07" "b", "ab");
  check_strip("OSC 8 hyperlink, ST", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click");
  check_strip("OSC 52 clipboard", "x\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07y", "xy");
  check_strip("unterminated OSC", "ok\x1b]0;rest of the line", "ok");
  check_strip("CSI colours and erase", "\x1b[31mred\x1b[0m\x1b[2J\x1b[H!", "red!");
  check_strip("CSI with private parameters", "a\x1b[?1049hb\x1b[38;2;1;2;3mc", "abc");
  check_strip("two-byte ESC sequences", "\x1b" "c\x1b(Babc\x1b" "7", "abc");
  check_strip("DCS and APC strings", "a\x1bPq#0;2;0;0;0\x1b\\b\x1b_hidden\x1b\\c", "abc");
  check_strip("C1 CSI and OSC in UTF-8", "a\xc2\x9b" "31mb\xc2\x9d" "0;t\xc2\x9c" "c", "abc");
  check_strip("raw 8-bit CSI byte", "a\x9b" "31mb", "a?31mb");
  check_strip("malformed UTF-8", "a\xc0\xafz\xed\xa0\x80" "b\xf8", "a??z???b?");
  check_strip("C0 and DEL", "a\x01\x02\x7f" "b\x08" "c", "abc");
  check_strip("newlines and tabs become spaces", "job\nATTR: x=1\r\tend", "job ATTR: x=1  end");
  check_strip("bidi override and isolates", "x \xe2\x80\xae" "fdp.exe \xe2\x81\xa6" "a\xe2\x81\xa9 \xc3\xa9t\xc3\xa9", "x fdp.exe a \xc3\xa9t\xc3\xa9");
  check_strip("line and paragraph separators", "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "abc");

  // Truncation never splits a UTF-8 character
  upaTextStripControl(small, sizeof(small), "abcdef\xc3\xa9z");
  if (strcmp(small, "abcdef"))
  {
    printf("FAIL: truncation: got \"%s\"\n", small);
    failures ++;
  }
  else
    printf("PASS: truncation keeps whole characters\n");

  check_redact("http://proxy.example.com:3128", false, "http://proxy.example.com:3128");
  check_redact("http://user:S3cret@proxy:3128", true, "http://user:***@proxy:3128");
  check_redact("http://user@proxy:3128/", false, "http://user@proxy:3128/");
  check_redact("user:pw@proxy:3128", true, "user:***@proxy:3128");
  check_redact("ipp://bob:p%40ss:w@printer.example.com:631/ipp/print?x=a@b", true, "ipp://bob:***@printer.example.com:631/ipp/print?x=a@b");
  check_redact("socket://10.0.0.5:9100", false, "socket://10.0.0.5:9100");
  check_redact("upa://6f1c2d3e-0000-4000-8000-000000000001/ipp://bob:pw@lab/ipp/print", true, "upa://6f1c2d3e-0000-4000-8000-000000000001/ipp://bob:***@lab/ipp/print");
  check_redact("upa://id/smb://u:p1@srv/q?x=http://v:p2@w/", true, "upa://id/smb://u:***@srv/q?x=http://v:***@w/");

  // upaLog() hands the callback a stripped line
  upaLogSetCallback(log_cb, NULL);
  upaLogSetLevel(UPA_LOG_DEBUG);
  upaLog(UPA_LOG_INFO, "Job \"%s\" released.", "evil\x1b]0;owned\x07\nINFO: forged line\x1b[2J");
  if (strcmp(logged, "Job \"evil INFO: forged line\" released."))
  {
    printf("FAIL: upaLog: the callback got \"");
    for (i = 0; logged[i]; i ++)
      printf((logged[i] & 255) < 0x20 ? "\\x%02x" : "%c", logged[i] & 255);
    printf("\"\n");
    failures ++;
  }
  else
    printf("PASS: upaLog strips the line before the callback\n");

  // So does upaSetError() (messages quote server replies)
  upaSetError(UPA_ERROR_PROTOCOL, "Server said: %s", "bad\x1b]0;t\x07\nERROR: forged");
  if (strcmp(upaLastErrorString(), "Server said: bad ERROR: forged"))
  {
    printf("FAIL: upaSetError kept control characters\n");
    failures ++;
  }
  else
    printf("PASS: upaSetError strips the message\n");

  printf("%s\n", failures ? "FAIL" : "PASS");

  return (failures ? 1 : 0);
}
