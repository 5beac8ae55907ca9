//
// upa-release badge input: keyboard-wedge readers on the terminal or on evdev.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// A keyboard-wedge reader "types" the card number followed by Enter.  On the
// terminal the kiosk feeds each key to relCardFeed(); with --card-device the
// reader's evdev node is grabbed exclusively (EVIOCGRAB), so the number never
// reaches the console or another program, and relCardRead() reads its key
// events and relCardDecode() turns them into text.  The number is kept only
// until it is handed over, then wiped.
//
// tests/unit/testcardin.c tests the decoding and the read loop over a pipe
// through relCardOpenUngrabbed(), which exists only when REL_CARD_TESTING
// is defined (the test build): the program itself never reads a reader it
// has not grabbed.  The grab itself needs a real evdev device and is not
// tested automatically.
//

#include "release.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <sys/ioctl.h>


//
// Local types...
//

struct rel_card_s			// Badge reader
{
  int		fd;			// evdev descriptor or -1 (terminal)
  char		path[256];		// Device path
  char		buffer[REL_BADGE_MAX];
					// Characters so far
  size_t	used;			// Bytes in buffer
  bool		overflow;		// Input too long: drop until Enter
  bool		shift;			// Shift held (evdev)
  long long	last;			// Time of the last character (ms)
};


//
// Local functions...
//

static int	evdev_char(int code, bool shift);
static int	feed_at(rel_card_t *card, int ch, long long now, char *badge, size_t badgesize);


//
// 'relCardOpen()' - Open the badge reader (NULL = the terminal).
//

rel_card_t *				// O - Reader or NULL
relCardOpen(const char *device)		// I - evdev device or NULL
{
  rel_card_t	*card;			// Reader


  if ((card = calloc(1, sizeof(rel_card_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    return (NULL);
  }

  card->fd = -1;

  if (!device)
    return (card);

  snprintf(card->path, sizeof(card->path), "%s", device);

  if ((card->fd = open(device, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
  {
    upaSetError(UPA_ERROR_IO, "Cannot open the badge reader %s: %s", device, strerror(errno));
    free(card);
    return (NULL);
  }

  // Exclusive: no other reader of the device (the console) sees the keys
  if (ioctl(card->fd, EVIOCGRAB, (void *)1))
  {
    upaSetError(UPA_ERROR_IO, "Cannot grab the badge reader %s: %s", device, strerror(errno));
    close(card->fd);
    free(card);
    return (NULL);
  }

  return (card);
}


#ifdef REL_CARD_TESTING
//
// 'relCardOpenUngrabbed()' - Read key events from an open descriptor, no grab.
//
// Test builds only (a pipe cannot be grabbed: EVIOCGRAB fails with ENOTTY).
// The descriptor must be non-blocking; relCardClose() closes it.
//

rel_card_t *				// O - Reader or NULL
relCardOpenUngrabbed(int        fd,	// I - Descriptor
                     const char *name)	// I - Name for messages
{
  rel_card_t	*card;			// Reader


  if ((card = calloc(1, sizeof(rel_card_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    return (NULL);
  }

  card->fd = fd;
  snprintf(card->path, sizeof(card->path), "%s", name);

  return (card);
}
#endif // REL_CARD_TESTING


//
// 'relCardClose()' - Release and close the reader.
//

void
relCardClose(rel_card_t *card)		// I - Reader
{
  if (!card)
    return;

  if (card->fd >= 0)
  {
    ioctl(card->fd, EVIOCGRAB, (void *)0);
    close(card->fd);
  }

  explicit_bzero(card->buffer, sizeof(card->buffer));
  free(card);
}


//
// 'relCardFD()' - The descriptor to poll for reader input (-1 = terminal).
//

int					// O - File descriptor or -1
relCardFD(rel_card_t *card)		// I - Reader
{
  return (card ? card->fd : -1);
}


//
// 'relCardDecode()' - Turn evdev key events into badge text.
//
// Key presses of the US layout (digits, letters with Shift, keypad digits,
// '-', ';'/':') are characters, Enter ends the badge; releases, autorepeat,
// other keys and other event types are ignored.  A pause of more than
// REL_CARD_GAP milliseconds between two keys (by the events' own time
// stamps) starts over, and more than REL_BADGE_MAX - 1 characters reject
// the badge at its Enter.  Only the first badge completed in one call is
// returned; keys after it in the same call are dropped (one tap signs in
// one user), while Shift state is still followed.
//

int					// O - 1 = badge complete, 0 = more, -1 = rejected
relCardDecode(rel_card_t               *card,
					// I - Reader
              const struct input_event *ev,
					// I - Events
              size_t                   count,
					// I - Number of events
              char                     *badge,
					// O - Badge text
              size_t                   badgesize)
					// I - Size of badge
{
  size_t	i;			// Looping var
  int		ch,			// Character
		r,			// Feed result
		result = 0;		// Result


  for (i = 0; i < count; i ++)
  {
    if (ev[i].type != EV_KEY)
      continue;

    if (ev[i].code == KEY_LEFTSHIFT || ev[i].code == KEY_RIGHTSHIFT)
    {
      card->shift = ev[i].value != 0;
      continue;
    }

    if (ev[i].value != 1 || result == 1)
      continue;				// Key up, autorepeat, or after the badge

    if ((ch = evdev_char(ev[i].code, card->shift)) > 0 && (r = feed_at(card, ch, (long long)ev[i].input_event_sec * 1000 + (long long)ev[i].input_event_usec / 1000, badge, badgesize)) != 0)
      result = r;
  }

  return (result);
}


//
// 'relCardFeed()' - Add one typed character; a complete badge comes out on Enter.
//
// A pause of more than REL_CARD_GAP milliseconds between keys starts over:
// readers type a whole number in a burst, so a stray key pressed earlier is
// not kept.
//

int					// O - 1 = badge complete, 0 = more, -1 = rejected
relCardFeed(rel_card_t *card,		// I - Reader
            int        ch,		// I - Character
            char       *badge,		// O - Badge text
            size_t     badgesize)	// I - Size of badge
{
  struct timespec now;			// Current time


  clock_gettime(CLOCK_MONOTONIC, &now);

  return (feed_at(card, ch, (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, badge, badgesize));
}


//
// 'relCardRead()' - Read and decode pending evdev key events.
//

int					// O - 1 = badge complete, 0 = more, -1 = error/rejected
relCardRead(rel_card_t *card,		// I - Reader
            char       *badge,		// O - Badge text
            size_t     badgesize)	// I - Size of badge
{
  struct input_event	ev[64];		// Events
  ssize_t		bytes;		// Bytes read
  int			r,		// Decode result
			result = 0;	// Result


  if (!card || card->fd < 0)
    return (0);

  while ((bytes = read(card->fd, ev, sizeof(ev))) > 0)
  {
    if ((size_t)bytes % sizeof(struct input_event))
    {
      // evdev returns whole events only
      explicit_bzero(ev, sizeof(ev));
      upaSetError(UPA_ERROR_IO, "Badge reader %s: partial input event", card->path);
      return (-1);
    }

    if ((r = relCardDecode(card, ev, (size_t)bytes / sizeof(struct input_event), badge, badgesize)) != 0)
      result = r;

    explicit_bzero(ev, sizeof(ev));

    if (result == 1)
      return (1);			// Keys read after it are dropped
  }

  if (bytes == 0)
  {
    upaSetError(UPA_ERROR_IO, "Badge reader %s: end of input (device gone)", card->path);
    return (-1);
  }
  else if (errno != EAGAIN && errno != EINTR)
  {
    upaSetError(UPA_ERROR_IO, "Badge reader %s: %s", card->path, strerror(errno));
    return (-1);
  }

  return (result);
}


//
// 'relCardReset()' - Forget a partly typed number.
//

void
relCardReset(rel_card_t *card)		// I - Reader
{
  explicit_bzero(card->buffer, sizeof(card->buffer));
  card->used     = 0;
  card->overflow = false;
}


//
// 'feed_at()' - Add one character typed at a time (ms).
//

static int				// O - 1 = badge complete, 0 = more, -1 = rejected
feed_at(rel_card_t *card,		// I - Reader
        int        ch,			// I - Character
        long long  now,			// I - Time of the key (ms)
        char       *badge,		// O - Badge text
        size_t     badgesize)		// I - Size of badge
{
  if ((card->used > 0 || card->overflow) && (now - card->last > REL_CARD_GAP || now < card->last))
    relCardReset(card);

  card->last = now;

  if (ch == '\n' || ch == '\r')
  {
    int result = 0;			// Result

    if (card->overflow)
      result = -1;
    else if (card->used > 0 && card->used < badgesize)
    {
      memcpy(badge, card->buffer, card->used);
      badge[card->used] = '\0';
      result = 1;
    }

    relCardReset(card);
    return (result);
  }

  if (ch < ' ' || ch > '~')
    return (0);				// Readers send printable ASCII only

  if (card->used + 1 >= sizeof(card->buffer))
    card->overflow = true;
  else
    card->buffer[card->used ++] = (char)ch;

  return (0);
}


//
// 'evdev_char()' - Map a US-layout key code to the character a wedge means.
//

static int				// O - Character or 0
evdev_char(int  code,			// I - Key code
           bool shift)			// I - Shift held?
{
  static const char digits[] = "1234567890";
					// KEY_1 ... KEY_0
  static const char qrow[] = "qwertyuiop",
		    arow[] = "asdfghjkl",
		    zrow[] = "zxcvbnm";	// Letter rows
  int		ch = 0;			// Character


  if (code >= KEY_1 && code <= KEY_0)
    return (digits[code - KEY_1]);
  else if (code >= KEY_Q && code <= KEY_P)
    ch = qrow[code - KEY_Q];
  else if (code >= KEY_A && code <= KEY_L)
    ch = arow[code - KEY_A];
  else if (code >= KEY_Z && code <= KEY_M)
    ch = zrow[code - KEY_Z];
  else if (code >= KEY_KP7 && code <= KEY_KP9)
    return ('7' + code - KEY_KP7);
  else if (code >= KEY_KP4 && code <= KEY_KP6)
    return ('4' + code - KEY_KP4);
  else if (code >= KEY_KP1 && code <= KEY_KP3)
    return ('1' + code - KEY_KP1);
  else if (code == KEY_KP0)
    return ('0');
  else if (code == KEY_ENTER || code == KEY_KPENTER)
    return ('\n');
  else if (code == KEY_MINUS || code == KEY_KPMINUS)
    return ('-');
  else if (code == KEY_SEMICOLON)
    return (shift ? ':' : ';');

  if (ch && shift)
    ch -= 'a' - 'A';

  return (ch);
}
