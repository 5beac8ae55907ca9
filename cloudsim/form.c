//
// application/x-www-form-urlencoded decoding for upa-cloudsim.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Strict on purpose: a malformed escape, an embedded nul or a pair without
// '=' makes the whole body invalid, so a client that encodes badly fails
// here instead of against the real service.
//

#include "cloudsim.h"
#include <stdlib.h>
#include <string.h>


//
// Local functions...
//

static int	hex_value(char c);


//
// 'csURLDecode()' - Decode one form component ('+' is space, %XX escapes).
//

bool					// O - `true` on success
csURLDecode(const char *in,		// I - Encoded text
            size_t     inlen,		// I - Length of encoded text
            char       *out,		// O - Decoded text
            size_t     outsize)		// I - Size of output buffer
{
  size_t	i,			// Input position
		o = 0;			// Output position


  if (outsize == 0)
    return (false);

  for (i = 0; i < inlen; i ++)
  {
    char	c = in[i];		// Current character

    if (c == '+')
    {
      c = ' ';
    }
    else if (c == '%')
    {
      int hi, lo;			// Hex digits

      if (i + 2 >= inlen)
        return (false);

      if ((hi = hex_value(in[i + 1])) < 0 || (lo = hex_value(in[i + 2])) < 0)
        return (false);

      c  = (char)((hi << 4) | lo);
      i += 2;

      if (c == '\0')
        return (false);
    }
    else if (c == '\0')
    {
      return (false);
    }

    if (o + 1 >= outsize)
      return (false);

    out[o ++] = c;
  }

  out[o] = '\0';

  return (true);
}


//
// 'csFormDelete()' - Free a decoded form.
//

void
csFormDelete(cs_form_t *form)		// I - Form or `NULL`
{
  size_t	i;			// Looping var


  if (!form)
    return;

  for (i = 0; i < form->count; i ++)
  {
    free(form->names[i]);
    free(form->values[i]);
  }

  free(form->names);
  free(form->values);
  free(form);
}


//
// 'csFormGet()' - Get the value of a form field (the first one if repeated).
//

const char *				// O - Value or `NULL`
csFormGet(cs_form_t  *form,		// I - Form
          const char *name)		// I - Field name
{
  size_t	i;			// Looping var


  for (i = 0; form && i < form->count; i ++)
  {
    if (!strcmp(form->names[i], name))
      return (form->values[i]);
  }

  return (NULL);
}


//
// 'csFormParse()' - Decode an x-www-form-urlencoded body.
//
// Returns NULL when the body is malformed.  Empty pairs ("a=1&&b=2") are
// skipped, as browsers and curl never produce them but tolerate them.
//

cs_form_t *				// O - Form or `NULL`
csFormParse(const char *data,		// I - Body
            size_t     len)		// I - Length of body
{
  cs_form_t	*form;			// Form
  size_t	start = 0;		// Start of current pair


  if ((form = calloc(1, sizeof(cs_form_t))) == NULL)
    return (NULL);

  while (start <= len)
  {
    const char	*pair = data + start;	// Current pair
    const char	*amp = memchr(pair, '&', len - start);
					// End of pair
    size_t	pairlen = amp ? (size_t)(amp - pair) : len - start;
    const char	*eq;			// '=' in pair
    char	**names,		// New name array
		**values;		// New value array

    if (pairlen > 0)
    {
      if ((eq = memchr(pair, '=', pairlen)) == NULL || eq == pair)
        goto bad;

      if ((names = realloc(form->names, (form->count + 1) * sizeof(char *))) == NULL)
        goto bad;
      form->names = names;

      if ((values = realloc(form->values, (form->count + 1) * sizeof(char *))) == NULL)
        goto bad;
      form->values = values;

      // A decoded string is never longer than its encoding.
      form->names[form->count]  = malloc((size_t)(eq - pair) + 1);
      form->values[form->count] = malloc(pairlen - (size_t)(eq - pair));
      form->count ++;

      if (!form->names[form->count - 1] || !form->values[form->count - 1])
        goto bad;

      if (!csURLDecode(pair, (size_t)(eq - pair), form->names[form->count - 1], (size_t)(eq - pair) + 1))
        goto bad;

      if (!csURLDecode(eq + 1, pairlen - (size_t)(eq - pair) - 1, form->values[form->count - 1], pairlen - (size_t)(eq - pair)))
        goto bad;
    }

    if (!amp)
      break;

    start += pairlen + 1;
  }

  return (form);

  bad:

  csFormDelete(form);
  return (NULL);
}


//
// 'hex_value()' - Value of a hex digit, or -1.
//

static int				// O - 0..15 or -1
hex_value(char c)			// I - Character
{
  if (c >= '0' && c <= '9')
    return (c - '0');
  else if (c >= 'a' && c <= 'f')
    return (c - 'a' + 10);
  else if (c >= 'A' && c <= 'F')
    return (c - 'A' + 10);
  else
    return (-1);
}
