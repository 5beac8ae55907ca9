//
// Unit tests for release/proto.c (the kiosk <-> release helper protocol).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Messages go through a socketpair: one round trip, a string with control
// characters and a newline (escaped by json-c, so still one line), a line
// that is not an object, one with a NUL, one over REL_MSG_MAX, a timeout,
// EOF, and members outside the allowed list.  (What the kiosk shows is
// stripped by upaTextStripControl(), tested in tests/security/testtext.c.)
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../release/release.h"	// upa-release (not lib/release.h)
#include <sys/socket.h>


//
// 'test_roundtrip()' - A message survives send and receive, one line each.
//

static void
test_roundtrip(void **state)		// I - Unused
{
  int		sv[2];			// Socket pair
  json_object	*msg,			// Sent
		*got = NULL;		// Received
  long long	value = 0;		// Integer member
  static const char * const keys[] = { "op", "text", "n", NULL };
  static const char * const fewer[] = { "op", NULL };


  (void)state;

  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);

  msg = relMsgNew("answer");
  json_object_object_add(msg, "text", json_object_new_string("line one\nline two\033[2J"));
  json_object_object_add(msg, "n", json_object_new_int(42));
  assert_true(relMsgSend(sv[0], msg));

  msg = relMsgNew("logout");
  assert_true(relMsgSend(sv[0], msg));

  assert_int_equal(relMsgRecv(sv[1], 1000, &got), 1);
  assert_string_equal(relMsgGetString(got, "op"), "answer");
  assert_string_equal(relMsgGetString(got, "text"), "line one\nline two\033[2J");
  assert_true(relMsgGetInt(got, "n", &value));
  assert_int_equal(value, 42);
  assert_false(relMsgGetInt(got, "text", &value));
  assert_null(relMsgGetString(got, "n"));
  assert_true(relMsgOnly(got, keys));
  assert_false(relMsgOnly(got, fewer));
  json_object_put(got);

  // The newline inside the string did not split the first message
  assert_int_equal(relMsgRecv(sv[1], 1000, &got), 1);
  assert_string_equal(relMsgGetString(got, "op"), "logout");
  json_object_put(got);

  // Nothing more: timeout, then EOF
  assert_int_equal(relMsgRecv(sv[1], 50, &got), -2);
  close(sv[0]);
  assert_int_equal(relMsgRecv(sv[1], 1000, &got), 0);
  assert_null(got);
  close(sv[1]);
}


//
// 'test_malformed()' - Bad lines are refused.
//

static void
test_malformed(void **state)		// I - Unused
{
  static const char * const lines[] =
  {
    "[\"op\",\"auth\"]\n",		// Not an object
    "{\"op\":\"auth\"} {\"op\":\"x\"}\n",// Trailing data
    "{\"op\":\"auth\"\n",		// Truncated
    "\"just a string\"\n"		// Not an object
  };
  size_t	i;			// Looping var
  int		sv[2];			// Socket pair
  json_object	*got = NULL;		// Received
  char		*big;			// Oversized line


  (void)state;

  for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i ++)
  {
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(write(sv[0], lines[i], strlen(lines[i])), (ssize_t)strlen(lines[i]));
    assert_int_equal(relMsgRecv(sv[1], 1000, &got), -1);
    assert_null(got);
    close(sv[0]);
    close(sv[1]);
  }

  // An embedded NUL
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  assert_int_equal(write(sv[0], "{\"op\":\0\"x\"}\n", 12), 12);
  assert_int_equal(relMsgRecv(sv[1], 1000, &got), -1);
  close(sv[0]);
  close(sv[1]);

  // A line longer than REL_MSG_MAX, written by a child (the socket buffer
  // may be smaller than the line)
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  big = malloc(REL_MSG_MAX + 16);
  assert_non_null(big);
  memset(big, ' ', REL_MSG_MAX + 15);
  big[0]                = '{';
  big[REL_MSG_MAX + 15] = '\n';
  if (fork() == 0)
  {
    close(sv[1]);
    if (write(sv[0], big, REL_MSG_MAX + 16) < 0)
      _exit(1);
    _exit(0);
  }
  close(sv[0]);
  assert_int_equal(relMsgRecv(sv[1], 5000, &got), -1);
  close(sv[1]);
  free(big);
}



//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_roundtrip),
    cmocka_unit_test(test_malformed)
  };

  return (cmocka_run_group_tests(tests, NULL, NULL));
}
