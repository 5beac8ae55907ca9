//
// Small helpers for upa-cloudsim: logging, random ids, base64, time strings.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "cloudsim.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>


//
// 'csLog()' - Log one line to stderr when "level" <= verbosity.
//
// Level 0 is always logged (one line per request, errors); 1 and up need -v.
//

void
csLog(cs_server_t *server,		// I - Server
      int         level,		// I - 0 = always, 1+ = with -v
      const char  *format,		// I - printf-style format
      ...)				// I - Arguments
{
  va_list	ap;			// Arguments
  char		line[2048];		// Formatted line
  char		stamp[32];		// Time stamp
  time_t	now = time(NULL);	// Current time
  struct tm	tm;			// Broken-down time


  if (server && level > server->verbosity)
    return;

  va_start(ap, format);
  vsnprintf(line, sizeof(line), format, ap);
  va_end(ap);

  gmtime_r(&now, &tm);
  strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);

  // One fprintf per line so that lines from different threads never interleave.
  fprintf(stderr, "upa-cloudsim[%s] %s\n", stamp, line);
}


//
// 'csUUID()' - Make a random (version 4) UUID string.
//

void
csUUID(char   *buf,			// O - UUID string
       size_t bufsize)			// I - Size of buffer (>= CS_UUID_LEN)
{
  unsigned char	b[16];			// Random bytes


  if (RAND_bytes(b, sizeof(b)) != 1)
  {
    // Never hand out predictable ids: this is fatal for an emulator too.
    fputs("upa-cloudsim: RAND_bytes failed\n", stderr);
    abort();
  }

  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	// Version 4
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	// RFC 4122 variant

  snprintf(buf, bufsize, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}


//
// 'csRandomToken()' - Make a random base64url string from "nbytes" bytes.
//

bool					// O - `true` on success
csRandomToken(char   *buf,		// O - Token
              size_t bufsize,		// I - Size of buffer
              size_t nbytes)		// I - Random bytes (<= 64)
{
  unsigned char	b[64];			// Random bytes
  char		*s;			// Encoded string


  if (nbytes > sizeof(b) || RAND_bytes(b, (int)nbytes) != 1)
    return (false);

  if ((s = csBase64Encode(b, nbytes, true)) == NULL)
    return (false);

  if (strlen(s) >= bufsize)
  {
    free(s);
    return (false);
  }

  strcpy(buf, s);
  free(s);

  return (true);
}


//
// 'csBase64Encode()' - Base64 (or base64url without padding) encode.
//
// Returns a malloc'd string.
//

char *					// O - Encoded string or `NULL`
csBase64Encode(const unsigned char *data,// I - Data
               size_t              len,	// I - Length
               bool                url)	// I - base64url without padding?
{
  char		*out,			// Output
		*ptr;			// Pointer into output


  if (len > 0x3fffffff || (out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
    return (NULL);

  EVP_EncodeBlock((unsigned char *)out, data, (int)len);

  if (url)
  {
    for (ptr = out; *ptr; ptr ++)
    {
      if (*ptr == '+')
        *ptr = '-';
      else if (*ptr == '/')
        *ptr = '_';
      else if (*ptr == '=')
      {
        *ptr = '\0';
        break;
      }
    }
  }

  return (out);
}


//
// 'csBase64Decode()' - Decode base64 or base64url (padding optional for url).
//
// Returns a malloc'd buffer (with a trailing nul that is not counted), or NULL
// for invalid input.  Whitespace is not accepted: the protocol never sends it.
//

unsigned char *				// O - Decoded data or `NULL`
csBase64Decode(const char *in,		// I - Encoded data
               size_t     inlen,	// I - Length of encoded data
               bool       url,		// I - base64url alphabet?
               size_t     *outlen)	// O - Decoded length
{
  char		*tmp;			// Normalized copy
  unsigned char	*out;			// Output
  size_t	i,			// Looping var
		tmplen,			// Normalized length
		pad = 0;		// Padding characters
  int		n;			// Decoded length incl. padding bytes


  *outlen = 0;

  if (inlen == 0 || inlen > 0x3fffffff)
    return (NULL);

  if ((tmp = malloc(inlen + 4)) == NULL)
    return (NULL);

  for (i = 0; i < inlen; i ++)
  {
    char c = in[i];			// Current character

    if (url)
    {
      if (c == '+' || c == '/')
        goto bad;
      else if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
    }
    else if (c == '-' || c == '_')
      goto bad;

    if (c == '=' && pad == 0)
    {
      // Padding only at the end.
      size_t j;				// Looping var

      for (j = i; j < inlen; j ++)
        if (in[j] != '=')
          goto bad;
      pad = inlen - i;
      if (pad > 2)
        goto bad;
    }
    else if (c != '=' && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
      goto bad;

    tmp[i] = c;
  }

  tmplen = inlen;

  if (url && pad == 0)
  {
    while (tmplen % 4)
    {
      tmp[tmplen ++] = '=';
      pad ++;
    }
  }

  if (tmplen % 4 || pad > 2)
    goto bad;

  tmp[tmplen] = '\0';

  if ((out = malloc(3 * (tmplen / 4) + 1)) == NULL)
    goto bad;

  if ((n = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)tmplen)) < 0 || (size_t)n < pad)
  {
    free(out);
    goto bad;
  }

  free(tmp);

  // EVP_DecodeBlock counts the bytes that stand for '=' padding too.
  *outlen      = (size_t)n - pad;
  out[*outlen] = '\0';

  return (out);

  bad:

  free(tmp);
  return (NULL);
}


//
// 'csISOTime()' - Format a time as ISO 8601 UTC ("2026-01-02T03:04:05Z").
//

char *					// O - buf
csISOTime(time_t t,			// I - Time
          char   *buf,			// I - Buffer
          size_t bufsize)		// I - Size of buffer
{
  struct tm	tm;			// Broken-down time


  gmtime_r(&t, &tm);
  strftime(buf, bufsize, "%Y-%m-%dT%H:%M:%SZ", &tm);

  return (buf);
}


//
// 'csStrPrefix()' - Does "s" start with "prefix"?
//

bool					// O - `true` if so
csStrPrefix(const char *s,		// I - String
            const char *prefix)		// I - Prefix
{
  return (s && !strncmp(s, prefix, strlen(prefix)));
}
