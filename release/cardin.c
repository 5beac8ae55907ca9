//
// upa-release badge input: keyboard-wedge readers on the terminal or on evdev.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// A keyboard-wedge reader "types" the card number followed by Enter.  On the
// terminal the kiosk feeds each key to relCardFeed(); with --card-device the
// reader's evdev node is grabbed exclusively (EVIOCGRAB), so the number never
// reaches the console or another program, and its key events are decoded
// here.  The number is kept only until it is handed over, then wiped.
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
  time_t	last;			// Time of the last character
};


//
// Local functions...
//

static int	evdev_char(int code, bool shift);


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
// 'relCardFeed()' - Add one character; a complete badge comes out on Enter.
//
// A pause of more than 2 seconds between keys starts over: readers type a
// whole number in a burst, so a stray key pressed earlier is not kept.
//

int					// O - 1 = badge complete, 0 = more, -1 = rejected
relCardFeed(rel_card_t *card,		// I - Reader
            int        ch,		// I - Character
            char       *badge,		// O - Badge text
            size_t     badgesize)	// I - Size of badge
{
  time_t	now = time(NULL);	// Current time


  if (card->used > 0 && now - card->last > 2)
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
// 'relCardRead()' - Decode pending evdev key events.
//

int					// O - 1 = badge complete, 0 = more, -1 = error/rejected
relCardRead(rel_card_t *card,		// I - Reader
            char       *badge,		// O - Badge text
            size_t     badgesize)	// I - Size of badge
{
  struct input_event	ev[64];		// Events
  ssize_t		bytes;		// Bytes read
  size_t		i,		// Looping var
			count;		// Number of events
  int			ch,		// Character
			result = 0;	// Result


  if (!card || card->fd < 0)
    return (0);

  while ((bytes = read(card->fd, ev, sizeof(ev))) > 0)
  {
    count = (size_t)bytes / sizeof(struct input_event);

    for (i = 0; i < count; i ++)
    {
      if (ev[i].type != EV_KEY)
        continue;

      if (ev[i].code == KEY_LEFTSHIFT || ev[i].code == KEY_RIGHTSHIFT)
      {
        card->shift = ev[i].value != 0;
        continue;
      }

      if (ev[i].value != 1)
        continue;			// Key up or autorepeat

      if ((ch = evdev_char(ev[i].code, card->shift)) > 0 && result != 1)
      {
        int r = relCardFeed(card, ch, badge, badgesize);
					// Feed result

        if (r != 0)
          result = r;
      }
    }

    explicit_bzero(ev, sizeof(ev));

    if (result == 1)
      break;				// The rest waits for the next call
  }

  if (bytes < 0 && errno != EAGAIN && errno != EINTR)
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
