//
// Unit tests for release/pcsc.c (PC/SC badge input of upa-release).
//
// relPcscUIDText() turns the answer to GET DATA (UID) into the badge text:
// UIDs of 4, 7 and 10 bytes, status words other than 90 00, answers
// without a UID or too short to hold a status word, over-long UIDs and a
// badge buffer too small.  The reader thread (pcscd, readers coming and
// going, one read per card arrival) is tested with a real pcscd and the
// vpcd virtual reader by tests/integration/pcsc.sh.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../release/release.h"	// upa-release (not lib/release.h)


//
// 'test_uid()' - UIDs become upper-case hex in the card's byte order.
//

static void
test_uid(void **state)			// I - Test state (unused)
{
  static const unsigned char four[] = { 0x4E, 0x61, 0xBC, 0x00, 0x90, 0x00 },
			     seven[] = { 0x04, 0xa2, 0x3b, 0x1c, 0x5d, 0x80, 0x7f, 0x90, 0x00 },
			     ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 0x90, 0x00 };
					// Answers
  char			badge[REL_BADGE_MAX];
					// Badge text
  unsigned		sw;		// Status word


  (void)state;

  assert_int_equal(relPcscUIDText(four, sizeof(four), badge, sizeof(badge), &sw), 1);
  assert_string_equal(badge, "4E61BC00");
  assert_int_equal(sw, 0x9000);

  assert_int_equal(relPcscUIDText(seven, sizeof(seven), badge, sizeof(badge), &sw), 1);
  assert_string_equal(badge, "04A23B1C5D807F");

  assert_int_equal(relPcscUIDText(ten, sizeof(ten), badge, sizeof(badge), &sw), 1);
  assert_string_equal(badge, "010203040506070809FF");

  // Exactly big enough: 8 digits and the nul
  assert_int_equal(relPcscUIDText(four, sizeof(four), badge, 9, &sw), 1);
  assert_string_equal(badge, "4E61BC00");
}


//
// 'test_status()' - Other status words are no UID, and say which.
//

static void
test_status(void **state)		// I - Test state (unused)
{
  static const unsigned char unsupported[] = { 0x6A, 0x81 },
			     wrong_p1p2[] = { 0x6B, 0x00 },
			     warning[] = { 0x4E, 0x61, 0xBC, 0x00, 0x62, 0x82 };
					// Answers
  char			badge[REL_BADGE_MAX];
					// Badge text
  unsigned		sw;		// Status word


  (void)state;

  assert_int_equal(relPcscUIDText(unsupported, sizeof(unsupported), badge, sizeof(badge), &sw), 0);
  assert_int_equal(sw, 0x6A81);
  assert_string_equal(badge, "");

  assert_int_equal(relPcscUIDText(wrong_p1p2, sizeof(wrong_p1p2), badge, sizeof(badge), &sw), 0);
  assert_int_equal(sw, 0x6B00);

  // Bytes before a status word other than 90 00 are not a UID
  assert_int_equal(relPcscUIDText(warning, sizeof(warning), badge, sizeof(badge), &sw), 0);
  assert_int_equal(sw, 0x6282);
  assert_string_equal(badge, "");
}


//
// 'test_malformed()' - No UID, no status word, too long, buffer too small.
//

static void
test_malformed(void **state)		// I - Test state (unused)
{
  static const unsigned char only_sw[] = { 0x90, 0x00 },
			     one[] = { 0x90 },
			     four[] = { 0x4E, 0x61, 0xBC, 0x00, 0x90, 0x00 };
					// Answers
  unsigned char		longer[19];	// 17-byte UID + 90 00
  char			badge[REL_BADGE_MAX];
					// Badge text
  unsigned		sw;		// Status word


  (void)state;

  assert_int_equal(relPcscUIDText(only_sw, sizeof(only_sw), badge, sizeof(badge), &sw), -1);
  assert_int_equal(sw, 0x9000);
  assert_string_equal(badge, "");

  assert_int_equal(relPcscUIDText(one, sizeof(one), badge, sizeof(badge), &sw), -1);
  assert_int_equal(sw, 0);

  assert_int_equal(relPcscUIDText(one, 0, badge, sizeof(badge), &sw), -1);

  memset(longer, 0x11, sizeof(longer));
  longer[17] = 0x90;
  longer[18] = 0x00;
  assert_int_equal(relPcscUIDText(longer, sizeof(longer), badge, sizeof(badge), &sw), -1);
  assert_string_equal(badge, "");

  // 16 bytes is the longest UID taken
  longer[16] = 0x90;
  longer[17] = 0x00;
  assert_int_equal(relPcscUIDText(longer, 18, badge, sizeof(badge), &sw), 1);
  assert_string_equal(badge, "11111111111111111111111111111111");

  // One byte short of room for the nul
  assert_int_equal(relPcscUIDText(four, sizeof(four), badge, 8, &sw), -1);
  assert_string_equal(badge, "");
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_uid),
    cmocka_unit_test(test_status),
    cmocka_unit_test(test_malformed)
  };


  return (cmocka_run_group_tests(tests, NULL, NULL));
}
