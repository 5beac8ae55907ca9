//
// Unit tests for upa-cloudsim's form decoder and base64 helpers.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>


//
// Local globals...
//

static int	passed = 0,		// Tests passed
		failed = 0;		// Tests failed


//
// Local functions...
//

static void	check(bool ok, const char *what);
static void	check_form(const char *body, const char *name, const char *expected);
static void	check_bad_form(const char *body);


//
// 'main()' - Run the tests.
//

int					// O - 0 on success, 1 on failure
main(void)
{
  cs_form_t	*form;			// Form
  unsigned char	*data;			// Decoded data
  size_t	len;			// Decoded length
  char		out[16];		// Decode buffer
  size_t	n;			// Looping var


  // Form bodies as real clients send them.
  check_form("grant_type=srv_challenge&windows_api_version=2.0", "grant_type", "srv_challenge");
  check_form("grant_type=srv_challenge&windows_api_version=2.0", "windows_api_version", "2.0");
  check_form("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&request=a.b.c", "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
  check_form("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&request=a.b.c", "request", "a.b.c");
  check_form("a=b+c%20d%2Be%2b", "a", "b c d+e+");
  check_form("a=%e2%82%AC", "a", "\xe2\x82\xac");
  check_form("a=", "a", "");
  check_form("a=1&&b=2", "b", "2");
  check_form("a=1&a=2", "a", "1");
  check_form("na%6De=v", "name", "v");
  check_form("a=1&b=2", "c", NULL);
  check_form("", "a", NULL);

  // Malformed bodies are rejected as a whole.
  check_bad_form("a=%2");
  check_bad_form("a=%");
  check_bad_form("a=%zz");
  check_bad_form("a=%0g");
  check_bad_form("a=%00");
  check_bad_form("noequals");
  check_bad_form("a=1&noequals");
  check_bad_form("=v");

  // Embedded nul in the raw body.
  form = csFormParse("a=b\0c", 5);
  check(form == NULL, "raw nul is rejected");
  csFormDelete(form);

  // Output buffer limits.
  check(csURLDecode("abcdefghijklmno", 15, out, sizeof(out)), "decode fits exactly");
  check(!csURLDecode("abcdefghijklmnop", 16, out, sizeof(out)), "decode too long fails");

  // base64 / base64url.
  data = csBase64Decode("aGVsbG8=", 8, false, &len);
  check(data && len == 5 && !memcmp(data, "hello", 5), "base64 decode with padding");
  free(data);

  data = csBase64Decode("aGVsbG8", 7, true, &len);
  check(data && len == 5 && !memcmp(data, "hello", 5), "base64url decode without padding");
  free(data);

  data = csBase64Decode("aGVsbG8", 7, false, &len);
  check(!data, "base64 without padding is rejected");
  free(data);

  data = csBase64Decode("-_8", 3, true, &len);
  check(data && len == 2 && data[0] == 0xfb && data[1] == 0xff, "base64url alphabet");
  free(data);

  data = csBase64Decode("-_8=", 4, false, &len);
  check(!data, "base64url characters rejected in base64");
  free(data);

  data = csBase64Decode("aGV=sbG8", 8, false, &len);
  check(!data, "padding in the middle is rejected");
  free(data);

  data = csBase64Decode("aGVsbG8 ", 8, false, &len);
  check(!data, "whitespace is rejected");
  free(data);

  data = csBase64Decode("a", 1, true, &len);
  check(!data, "one character is rejected");
  free(data);

  for (n = 1; n < 40; n ++)
  {
    unsigned char	raw[40];	// Random bytes
    char		*enc;		// Encoded
    char		what[64];	// Test name
    bool		ok;		// Round trip OK?

    RAND_bytes(raw, (int)n);
    enc  = csBase64Encode(raw, n, true);
    data = enc ? csBase64Decode(enc, strlen(enc), true, &len) : NULL;
    ok   = enc && !strchr(enc, '=') && data && len == n && !memcmp(data, raw, n);

    snprintf(what, sizeof(what), "base64url round trip of %u bytes", (unsigned)n);
    check(ok, what);
    free(enc);
    free(data);
  }

  printf("%d passed, %d failed\n", passed, failed);

  return (failed ? 1 : 0);
}


//
// 'check()' - Record one result.
//

static void
check(bool       ok,			// I - Passed?
      const char *what)			// I - Description
{
  if (ok)
    passed ++;
  else
    failed ++;

  printf("%s %d - %s\n", ok ? "ok" : "not ok", passed + failed, what);
}


//
// 'check_bad_form()' - Check that a body is rejected.
//

static void
check_bad_form(const char *body)	// I - Body
{
  cs_form_t	*form = csFormParse(body, strlen(body));
					// Form
  char		what[256];		// Description


  snprintf(what, sizeof(what), "\"%s\" is rejected", body);
  check(form == NULL, what);
  csFormDelete(form);
}


//
// 'check_form()' - Check one decoded field.
//

static void
check_form(const char *body,		// I - Body
           const char *name,		// I - Field
           const char *expected)	// I - Expected value or `NULL` if absent
{
  cs_form_t	*form = csFormParse(body, strlen(body));
					// Form
  const char	*value = csFormGet(form, name);
					// Value
  char		what[256];		// Description


  snprintf(what, sizeof(what), "\"%s\": %s = \"%s\"", body, name, expected ? expected : "(absent)");
  check(form && (expected ? value && !strcmp(value, expected) : !value), what);
  csFormDelete(form);
}
