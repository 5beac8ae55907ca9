//
// Text safety for libupa: strip control characters and terminal escapes.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// What a terminal (ECMA-48, xterm) acts on, and what is removed here:
//   - C0 controls (0x00-0x1F) and DEL (0x7F); TAB, LF, VT, FF and CR become
//     one space each so that words stay apart, all others are dropped;
//   - whole escape sequences: ESC [ ... final (CSI), ESC ] ... BEL/ST (OSC),
//     ESC P/X/^/_ ... ST (DCS, SOS, PM, APC) and ESC intermediates final
//     (ESC c, ESC ( B, ...); an unterminated string runs to the end;
//   - C1 controls U+0080-U+009F (UTF-8 C2 80..C2 9F), with the sequence
//     they start (U+009B CSI, U+009D OSC, U+0090 DCS, ...);
//   - bytes that are not well-formed UTF-8 become '?': a raw 0x9B is CSI
//     to a terminal that is not in UTF-8 mode;
//   - the line and paragraph separators U+2028/U+2029 and the bidirectional
//     embeddings, overrides and isolates U+202A-U+202E, U+2066-U+2069: a
//     right-to-left override makes "fdp.exe" read as "exe.pdf".
//

#include "upa-private.h"
#include "text.h"


//
// Local functions...
//

static const char *find_password(const char *url, const char **end);
static size_t	utf8_decode(const unsigned char *s, unsigned *cp);
static const unsigned char *skip_csi(const unsigned char *s);
static const unsigned char *skip_string(const unsigned char *s, bool bel);


//
// 'upaTextStripControl()' - Copy a string without control characters or escape sequences.
//
// "dst" may be "src" (the result is never longer than the input).  The copy
// is truncated at a character boundary to fit "dstsize" bytes with the nul.
//

char *					// O - dst
upaTextStripControl(char       *dst,	// O - Safe text
                    size_t     dstsize,	// I - Size of dst
                    const char *src)	// I - Untrusted text or NULL
{
  const unsigned char	*s = (const unsigned char *)src;
					// Input pointer
  size_t		out = 0,	// Output length
			len;		// Length of a UTF-8 sequence
  unsigned		cp;		// Code point


  if (!dst || dstsize == 0)
    return (dst);

  if (!s)
  {
    dst[0] = '\0';
    return (dst);
  }

  while (*s)
  {
    if (*s == 0x1B)
    {
      // ESC: drop the whole sequence it starts
      s ++;
      if (*s == '[')
        s = skip_csi(s + 1);
      else if (*s == ']' || *s == 'P' || *s == 'X' || *s == '^' || *s == '_')
        s = skip_string(s + 1, *s == ']');
      else if (*s >= 0x20 && *s <= 0x7E)
      {
        while (*s >= 0x20 && *s <= 0x2F)
          s ++;				// Intermediate bytes
        if (*s >= 0x30 && *s <= 0x7E)
          s ++;				// Final byte
      }
      continue;
    }

    if (*s < 0x20 || *s == 0x7F)
    {
      // C0 control or DEL: white space becomes a space, the rest goes
      if (*s == '\t' || *s == '\n' || *s == '\v' || *s == '\f' || *s == '\r')
      {
        if (out + 1 >= dstsize)
          break;
        dst[out ++] = ' ';
      }
      s ++;
      continue;
    }

    if (*s < 0x80)
    {
      if (out + 1 >= dstsize)
        break;
      dst[out ++] = (char)*s++;
      continue;
    }

    if ((len = utf8_decode(s, &cp)) == 0)
    {
      // Not UTF-8: one '?' per bad byte
      if (out + 1 >= dstsize)
        break;
      dst[out ++] = '?';
      s ++;
      continue;
    }

    if (cp >= 0x80 && cp <= 0x9F)
    {
      // C1 control, and the sequence it starts
      s += len;
      if (cp == 0x9B)
        s = skip_csi(s);
      else if (cp == 0x9D || cp == 0x90 || cp == 0x98 || cp == 0x9E || cp == 0x9F)
        s = skip_string(s, cp == 0x9D);
      continue;
    }

    if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
    {
      // Line/paragraph separator, bidi override: dropped
      s += len;
      continue;
    }

    if (out + len >= dstsize)
      break;				// Never split a character

    memmove(dst + out, s, len);
    out += len;
    s   += len;
  }

  dst[out] = '\0';

  return (dst);
}


//
// 'upaTextHasPassword()' - Tell whether a URL carries a password (user:password@).
//

bool					// O - true if there is a password
upaTextHasPassword(const char *url)	// I - URL or NULL
{
  const char	*end;			// End of the password


  return (url && find_password(url, &end) != NULL);
}


//
// 'upaTextRedactURL()' - Copy a URL for display, its password replaced by "***".
//
// "http://user:secret@proxy:3128" becomes "http://user:***@proxy:3128"; a
// URL without a password is copied unchanged.  Control characters are
// stripped too (upaTextStripControl()).  On truncation the password never
// shows: the copy is cut before it.
//

char *					// O - dst
upaTextRedactURL(char       *dst,	// O - Safe URL
                 size_t     dstsize,	// I - Size of dst
                 const char *url)	// I - URL or NULL
{
  const char	*pw,			// Start of a password
		*end,			// End of that password (the '@')
		*ptr;			// Rest of the URL
  char		*temp,			// Redacted copy
		*temp2;			// Grown copy
  size_t	len,			// Allocated length
		out;			// Bytes used


  if (!dst || dstsize == 0)
    return (dst);

  if (!url || !find_password(url, &end))
    return (upaTextStripControl(dst, dstsize, url));

  len = strlen(url) + 1;
  if ((temp = malloc(len)) == NULL)
  {
    upaTextStripControl(dst, dstsize, "(URL hidden)");
    return (dst);
  }

  // Every password, in every nested URI, becomes "***" (the copy grows by
  // up to 3 bytes for each).
  for (out = 0, ptr = url; (pw = find_password(ptr, &end)) != NULL; ptr = end)
  {
    size_t n = (size_t)(pw - ptr);	// Bytes before the password

    if ((temp2 = realloc(temp, len += 3)) == NULL)
    {
      free(temp);
      upaTextStripControl(dst, dstsize, "(URL hidden)");
      return (dst);
    }
    temp = temp2;

    memcpy(temp + out, ptr, n);
    memcpy(temp + out + n, "***", 3);
    out += n + 3;
  }

  snprintf(temp + out, len - out, "%s", ptr);
  upaTextStripControl(dst, dstsize, temp);
  free(temp);

  return (dst);
}


//
// 'find_password()' - Find the first password in a URL's userinfo.
//
// An authority starts after each "scheme://" (wrapped URIs such as
// "upa://<id>/ipp://user:pw@host/" hold several) or at the start when there
// is no scheme (curl accepts "user:pw@proxy:3128"), and ends at the first
// '/', '?' or '#'; its userinfo ends at its last '@'; the password follows
// the first ':' of the userinfo.
//

static const char *			// O - First character of the password or NULL
find_password(const char *url,		// I - URL
              const char **end)		// O - The '@' after the password
{
  const char	*auth,			// Authority
		*auth_end,		// End of the authority
		*at,			// Last '@' in the authority
		*ptr;			// Pointer into the URL


  auth = strstr(url, "://") ? NULL : url;

  for (ptr = url; auth || (ptr = strstr(ptr, "://")) != NULL; auth = NULL)
  {
    if (!auth)
    {
      ptr += 3;
      auth = ptr;
    }

    for (at = NULL, auth_end = auth; *auth_end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#'; auth_end ++)
    {
      if (*auth_end == '@')
        at = auth_end;
    }

    if (at)
    {
      const char *colon = memchr(auth, ':', (size_t)(at - auth));
					// ':' in the userinfo

      if (colon)
      {
        *end = at;
        return (colon + 1);
      }
    }
  }

  return (NULL);
}


//
// 'skip_csi()' - Skip the rest of a control sequence (after ESC [ or CSI).
//

static const unsigned char *		// O - First byte after the sequence
skip_csi(const unsigned char *s)	// I - Parameter bytes
{
  while (*s >= 0x20 && *s <= 0x3F)
    s ++;				// Parameter and intermediate bytes

  if (*s >= 0x40 && *s <= 0x7E)
    s ++;				// Final byte

  return (s);
}


//
// 'skip_string()' - Skip a control string (OSC, DCS, SOS, PM, APC) and its terminator.
//
// Ends at ST (ESC \ or U+009C), at BEL for OSC (xterm), or at the end of
// the text: an unterminated string is swallowed by a terminal too.
//

static const unsigned char *		// O - First byte after the string
skip_string(const unsigned char *s,	// I - Contents
            bool                bel)	// I - BEL terminates (OSC)?
{
  while (*s)
  {
    if (bel && *s == 0x07)
      return (s + 1);
    else if (*s == 0x1B && s[1] == '\\')
      return (s + 2);
    else if (*s == 0xC2 && s[1] == 0x9C)
      return (s + 2);

    s ++;
  }

  return (s);
}


//
// 'utf8_decode()' - Decode one well-formed UTF-8 character (RFC 3629).
//

static size_t				// O - Bytes used or 0 if malformed
utf8_decode(const unsigned char *s,	// I - Lead byte
            unsigned            *cp)	// O - Code point
{
  size_t	len,			// Sequence length
		i;			// Looping var
  unsigned	c;			// Code point
  unsigned	min;			// Smallest code point for the length


  if (*s >= 0xC2 && *s <= 0xDF)
  {
    len = 2;
    c   = *s & 0x1F;
    min = 0x80;
  }
  else if (*s >= 0xE0 && *s <= 0xEF)
  {
    len = 3;
    c   = *s & 0x0F;
    min = 0x800;
  }
  else if (*s >= 0xF0 && *s <= 0xF4)
  {
    len = 4;
    c   = *s & 0x07;
    min = 0x10000;
  }
  else
    return (0);

  for (i = 1; i < len; i ++)
  {
    if ((s[i] & 0xC0) != 0x80)
      return (0);			// Also stops at the nul

    c = (c << 6) | (s[i] & 0x3F);
  }

  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return (0);

  *cp = c;

  return (len);
}
