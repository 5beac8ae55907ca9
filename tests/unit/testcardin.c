//
// Unit tests for release/cardin.c (badge input of upa-release).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// relCardDecode() is fed struct input_event records as a keyboard-wedge
// reader sends them (key codes, Shift, Enter, unknown keys, over-long input,
// pauses between keys by the events' time stamps), and relCardRead() reads
// them through a pipe via relCardOpenUngrabbed(), which only this test build
// has (REL_CARD_TESTING).  relCardOpen() on a FIFO shows that the program's
// own path refuses a device it cannot grab.
//
// Not tested here: EVIOCGRAB on a real evdev device (that the console stops
// seeing the keys).  It needs /dev/uinput or real hardware.
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../release/release.h"	// upa-release (not lib/release.h)
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <sys/stat.h>


//
// Local globals...
//

static struct input_event events[1500];	// Events being built
static size_t		num_events;	// Number of events
static long long	clock_ms;	// Time stamp of the next event (ms)


//
// 'add_event()' - Add one event at the current time.
//

static void
add_event(int type,			// I - Event type
          int code,			// I - Code
          int value)			// I - Value
{
  struct input_event *ev;		// New event


  assert_true(num_events < sizeof(events) / sizeof(events[0]));

  ev = events + num_events ++;
  memset(ev, 0, sizeof(*ev));
  ev->input_event_sec  = (time_t)(clock_ms / 1000);
  ev->input_event_usec = (suseconds_t)((clock_ms % 1000) * 1000);
  ev->type             = (unsigned short)type;
  ev->code             = (unsigned short)code;
  ev->value            = value;
}


//
// 'press()' - A key press and release as a wedge sends it (with SYN and MSC).
//

static void
press(int code)				// I - Key code
{
  add_event(EV_MSC, MSC_SCAN, 0x70000 + code);
  add_event(EV_KEY, code, 1);
  add_event(EV_SYN, SYN_REPORT, 0);
  clock_ms += 8;
  add_event(EV_KEY, code, 0);
  add_event(EV_SYN, SYN_REPORT, 0);
  clock_ms += 8;
}


//
// 'type_digits()' - Press the keys of a string of digits (top row).
//

static void
type_digits(const char *s)		// I - Digits
{
  for (; *s; s ++)
    press(*s == '0' ? KEY_0 : KEY_1 + (*s - '1'));
}


//
// 'reset_events()' - Start a new batch of events.
//

static void
reset_events(void)
{
  num_events = 0;
}


//
// 'decode()' - Decode the batch with a fresh or given reader.
//

static int				// O - relCardDecode() result
decode(rel_card_t *card,		// I - Reader
       char       *badge,		// O - Badge
       size_t     badgesize)		// I - Size of badge
{
  int	result;				// Result


  result = relCardDecode(card, events, num_events, badge, badgesize);
  reset_events();

  return (result);
}


//
// 'test_digits()' - Top-row and keypad digits, Enter and keypad Enter.
//

static void
test_digits(void **state)
{
  rel_card_t	*card;			// Reader (terminal: no descriptor)
  char		badge[REL_BADGE_MAX + 1];
					// Badge


  (void)state;

  assert_non_null(card = relCardOpen(NULL));
  assert_int_equal(relCardFD(card), -1);

  clock_ms = 1000000;
  type_digits("1234567890");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "1234567890");

  press(KEY_KP0);
  press(KEY_KP1);
  press(KEY_KP5);
  press(KEY_KP9);
  press(KEY_KPMINUS);
  press(KEY_KP7);
  press(KEY_KPENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "0159-7");

  // No Enter yet: more to come, then the rest in a later batch
  type_digits("42");
  assert_int_equal(decode(card, badge, sizeof(badge)), 0);
  type_digits("7");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "427");

  // Enter alone is no badge
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 0);

  relCardClose(card);
}


//
// 'test_shift()' - Letters follow Shift (either side), ';' becomes ':'.
//

static void
test_shift(void **state)
{
  rel_card_t	*card;			// Reader
  char		badge[REL_BADGE_MAX + 1];
					// Badge


  (void)state;

  assert_non_null(card = relCardOpen(NULL));

  clock_ms = 2000000;
  press(KEY_SEMICOLON);
  add_event(EV_KEY, KEY_LEFTSHIFT, 1);
  press(KEY_A);
  press(KEY_SEMICOLON);
  add_event(EV_KEY, KEY_LEFTSHIFT, 0);
  press(KEY_B);
  add_event(EV_KEY, KEY_RIGHTSHIFT, 1);
  press(KEY_Q);
  press(KEY_Z);
  add_event(EV_KEY, KEY_RIGHTSHIFT, 0);
  press(KEY_M);
  press(KEY_P);
  press(KEY_L);
  press(KEY_MINUS);
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, ";A:bQZmpl-");

  // Shift held across two batches still counts
  add_event(EV_KEY, KEY_LEFTSHIFT, 1);
  assert_int_equal(decode(card, badge, sizeof(badge)), 0);
  press(KEY_C);
  add_event(EV_KEY, KEY_LEFTSHIFT, 0);
  press(KEY_C);
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "Cc");

  relCardClose(card);
}


//
// 'test_ignored()' - Unknown keys, releases, autorepeat and other events.
//

static void
test_ignored(void **state)
{
  rel_card_t	*card;			// Reader
  char		badge[REL_BADGE_MAX + 1];
					// Badge


  (void)state;

  assert_non_null(card = relCardOpen(NULL));

  clock_ms = 3000000;
  type_digits("12");
  press(KEY_TAB);
  press(KEY_F1);
  press(KEY_LEFTCTRL);
  press(KEY_ESC);
  press(KEY_SPACE);
  add_event(EV_KEY, KEY_3, 2);		// Autorepeat of a key never pressed
  add_event(EV_KEY, KEY_4, 0);		// Release of a key never pressed
  add_event(EV_REL, REL_X, 5);
  add_event(EV_LED, LED_NUML, 1);
  type_digits("5");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "125");

  relCardClose(card);
}


//
// 'test_overlong()' - Too many characters reject the badge at its Enter.
//

static void
test_overlong(void **state)
{
  rel_card_t	*card;			// Reader
  char		badge[REL_BADGE_MAX + 1];
					// Badge
  int		i;			// Looping var


  (void)state;

  assert_non_null(card = relCardOpen(NULL));

  // REL_BADGE_MAX - 1 characters still fit
  clock_ms = 4000000;
  for (i = 0; i < REL_BADGE_MAX - 1; i ++)
    press(KEY_7);
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_int_equal(strlen(badge), REL_BADGE_MAX - 1);

  // One more is rejected, and nothing of it leaks into the next badge
  for (i = 0; i < REL_BADGE_MAX; i ++)
    press(KEY_8);
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), -1);

  type_digits("99");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "99");

  // A caller buffer too small for the badge gets nothing
  type_digits("123456");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, 4), 0);

  relCardClose(card);
}


//
// 'test_gap()' - A pause longer than REL_CARD_GAP starts over.
//

static void
test_gap(void **state)
{
  rel_card_t	*card;			// Reader
  char		badge[REL_BADGE_MAX + 1];
					// Badge


  (void)state;

  assert_non_null(card = relCardOpen(NULL));

  // A stray key, then the reader's burst 3 seconds later
  clock_ms = 5000000;
  type_digits("12");
  clock_ms += 3000;
  type_digits("34");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "34");

  // Slow, but within the gap: one badge
  type_digits("56");
  clock_ms += REL_CARD_GAP - 100;
  type_digits("78");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "5678");

  // The pause also counts across batches, and before Enter
  type_digits("11");
  assert_int_equal(decode(card, badge, sizeof(badge)), 0);
  clock_ms += REL_CARD_GAP + 500;
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 0);

  // An over-long input is forgotten after a pause too
  for (int i = 0; i < REL_BADGE_MAX + 10; i ++)
    press(KEY_1);
  clock_ms += REL_CARD_GAP + 500;
  type_digits("22");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "22");

  relCardClose(card);
}


//
// 'test_two_badges()' - Only the first badge of a batch counts.
//

static void
test_two_badges(void **state)
{
  rel_card_t	*card;			// Reader
  char		badge[REL_BADGE_MAX + 1];
					// Badge


  (void)state;

  assert_non_null(card = relCardOpen(NULL));

  clock_ms = 6000000;
  type_digits("111");
  press(KEY_ENTER);
  add_event(EV_KEY, KEY_LEFTSHIFT, 1);
  type_digits("222");
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "111");

  // Shift was still followed: its release comes in the next batch
  press(KEY_D);
  add_event(EV_KEY, KEY_LEFTSHIFT, 0);
  press(KEY_D);
  press(KEY_ENTER);
  assert_int_equal(decode(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "Dd");

  relCardClose(card);
}


//
// 'test_terminal()' - relCardFeed(): characters typed on the terminal.
//

static void
test_terminal(void **state)
{
  rel_card_t	*card;			// Reader
  char		badge[REL_BADGE_MAX + 1];
					// Badge
  const char	*s;			// Input


  (void)state;

  assert_non_null(card = relCardOpen(NULL));

  for (s = "04a\tB\0013"; *s; s ++)
    assert_int_equal(relCardFeed(card, *s, badge, sizeof(badge)), 0);
  assert_int_equal(relCardFeed(card, '\r', badge, sizeof(badge)), 1);
  assert_string_equal(badge, "04aB3");

  // relCardReset() forgets a partly typed number
  relCardFeed(card, '9', badge, sizeof(badge));
  relCardReset(card);
  relCardFeed(card, '8', badge, sizeof(badge));
  assert_int_equal(relCardFeed(card, '\n', badge, sizeof(badge)), 1);
  assert_string_equal(badge, "8");

  relCardClose(card);
}


//
// 'test_pipe()' - The real read loop over a pipe.
//

static void
test_pipe(void **state)
{
  rel_card_t	*card;			// Reader
  int		fds[2];			// Pipe
  char		badge[REL_BADGE_MAX + 1];
					// Badge
  size_t	half;			// Events of the first write


  (void)state;

  assert_int_equal(pipe(fds), 0);
  assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
  assert_non_null(card = relCardOpenUngrabbed(fds[0], "test-pipe"));
  assert_int_equal(relCardFD(card), fds[0]);

  // Nothing yet
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), 0);

  // A badge in two writes (the loop reads whatever is there)
  clock_ms = 7000000;
  type_digits("5678");
  press(KEY_ENTER);
  half = 7;
  assert_int_equal(write(fds[1], events, half * sizeof(struct input_event)), (ssize_t)(half * sizeof(struct input_event)));
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), 0);
  assert_int_equal(write(fds[1], events + half, (num_events - half) * sizeof(struct input_event)), (ssize_t)((num_events - half) * sizeof(struct input_event)));
  reset_events();
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "5678");

  // More events than one read() takes (64): a long badge with all its noise
  for (int i = 0; i < 40; i ++)
    type_digits("3");
  press(KEY_ENTER);
  assert_true(num_events > 64);
  assert_int_equal(write(fds[1], events, num_events * sizeof(struct input_event)), (ssize_t)(num_events * sizeof(struct input_event)));
  reset_events();
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), 1);
  assert_int_equal(strlen(badge), 40);

  // A rejected (over-long) badge is -1 without closing the reader
  for (int i = 0; i < REL_BADGE_MAX; i ++)
    press(KEY_1);
  press(KEY_ENTER);
  assert_int_equal(write(fds[1], events, num_events * sizeof(struct input_event)), (ssize_t)(num_events * sizeof(struct input_event)));
  reset_events();
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), -1);
  type_digits("6");
  press(KEY_ENTER);
  assert_int_equal(write(fds[1], events, num_events * sizeof(struct input_event)), (ssize_t)(num_events * sizeof(struct input_event)));
  reset_events();
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), 1);
  assert_string_equal(badge, "6");

  // Half an event is an error (evdev never does that)
  assert_int_equal(write(fds[1], "abc", 3), 3);
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), -1);
  assert_non_null(strstr(upaLastErrorString(), "partial"));

  // The device going away (end of input) is an error, not a silent loop
  close(fds[1]);
  assert_int_equal(relCardRead(card, badge, sizeof(badge)), -1);
  assert_non_null(strstr(upaLastErrorString(), "test-pipe"));

  relCardClose(card);			// Closes fds[0]
}


//
// 'test_grab_required()' - relCardOpen() refuses what it cannot grab.
//

static void
test_grab_required(void **state)
{
  char		path[256];		// FIFO
  rel_card_t	*card;			// Reader


  (void)state;

  snprintf(path, sizeof(path), "%s/testcardin-%d.fifo", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
  unlink(path);
  assert_int_equal(mkfifo(path, 0600), 0);

  card = relCardOpen(path);
  unlink(path);
  assert_null(card);
  assert_non_null(strstr(upaLastErrorString(), "Cannot grab"));

  assert_null(relCardOpen("/nonexistent/event0"));
  assert_non_null(strstr(upaLastErrorString(), "Cannot open"));
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_digits),
    cmocka_unit_test(test_shift),
    cmocka_unit_test(test_ignored),
    cmocka_unit_test(test_overlong),
    cmocka_unit_test(test_gap),
    cmocka_unit_test(test_two_badges),
    cmocka_unit_test(test_terminal),
    cmocka_unit_test(test_pipe),
    cmocka_unit_test(test_grab_required)
  };


  return (cmocka_run_group_tests(tests, NULL, NULL));
}
