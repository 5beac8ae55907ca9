//
// upa-release helper protocol: framing shared by the kiosk UI and the helper.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One message is one JSON object (json-c) on one line: the text, then "\n".
// json-c escapes control characters inside strings, so a message never
// holds a raw newline.  A line longer than REL_MSG_MAX bytes, one that is
// not a JSON object, or one with a NUL byte ends the connection.  Reads are
// byte by byte (messages are small and few) so that no data of a following
// message is ever buffered away from poll().
//

#include "release.h"
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>


//
// 'relMsgNew()' - Start a message: {"op": op} or {} for op == NULL.
//

json_object *				// O - New object
relMsgNew(const char *op)		// I - Operation or NULL
{
  json_object	*msg = json_object_new_object();
					// Message


  if (msg && op)
    json_object_object_add(msg, "op", json_object_new_string(op));

  return (msg);
}


//
// 'relMsgGetInt()' - Get an integer member (strictly an int).
//

bool					// O - true if present and an integer
relMsgGetInt(json_object *msg,		// I - Message
             const char  *key,		// I - Member name
             long long   *value)	// O - Value
{
  json_object	*obj;			// Member


  if (!json_object_object_get_ex(msg, key, &obj) || !json_object_is_type(obj, json_type_int))
    return (false);

  *value = json_object_get_int64(obj);

  return (true);
}


//
// 'relMsgGetString()' - Get a string member (NULL if absent or not a string).
//

const char *				// O - String or NULL
relMsgGetString(json_object *msg,	// I - Message
                const char  *key)	// I - Member name
{
  json_object	*obj;			// Member


  if (!json_object_object_get_ex(msg, key, &obj) || !json_object_is_type(obj, json_type_string))
    return (NULL);

  return (json_object_get_string(obj));
}


//
// 'relMsgOnly()' - Check that a message has no members but the listed ones.
//

bool					// O - true if only known members
relMsgOnly(json_object *msg,		// I - Message
           const char  * const *keys)	// I - Allowed names (NULL-terminated)
{
  int	i;				// Looping var
  bool	found;				// Known name?


  json_object_object_foreach(msg, key, val)
  {
    (void)val;

    for (i = 0, found = false; keys[i] && !found; i ++)
      found = !strcmp(key, keys[i]);

    if (!found)
      return (false);
  }

  return (true);
}


//
// 'relMsgRecv()' - Read one message.
//
// Returns 1 with *msg set, 0 at end of file, -2 when nothing came within the
// timeout, -1 on a malformed or oversized line or a read error (the caller
// then ends the connection).
//

int					// O - 1 = message, 0 = EOF, -1 = error, -2 = timeout
relMsgRecv(int         fd,		// I - Socket
           int         timeout_ms,	// I - Timeout (-1 = none)
           json_object **msg)		// O - Message
{
  char			*line;		// Line buffer
  size_t		len = 0;	// Length
  ssize_t		r;		// Bytes read
  struct pollfd		pfd;		// Poll
  json_tokener		*tok;		// Parser
  json_object		*obj;		// Parsed message


  *msg = NULL;

  if ((line = malloc(REL_MSG_MAX + 1)) == NULL)
    return (-1);

  for (;;)
  {
    pfd.fd     = fd;
    pfd.events = POLLIN;

    if ((r = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
      continue;
    else if (r <= 0)
    {
      free(line);
      return (r == 0 && len == 0 ? -2 : -1);
    }

    if ((r = read(fd, line + len, 1)) < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    else if (r < 0)
    {
      free(line);
      return (-1);
    }
    else if (r == 0)
    {
      free(line);
      return (len == 0 ? 0 : -1);
    }

    if (line[len] == '\n')
      break;
    else if (line[len] == '\0' || ++ len >= REL_MSG_MAX)
    {
      free(line);
      return (-1);
    }
  }

  line[len] = '\0';

  tok = json_tokener_new();
  obj = json_tokener_parse_ex(tok, line, (int)len);
  if (obj && (json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len || !json_object_is_type(obj, json_type_object)))
  {
    json_object_put(obj);
    obj = NULL;
  }
  json_tokener_free(tok);

  explicit_bzero(line, len);
  free(line);

  if (!obj)
    return (-1);

  *msg = obj;

  return (1);
}


//
// 'relMsgSend()' - Send one message and release it.
//

bool					// O - true if sent
relMsgSend(int         fd,		// I - Socket
           json_object *msg)		// I - Message (json_object_put() here)
{
  const char	*text;			// JSON text
  size_t	len,			// Length
		sent = 0;		// Bytes sent
  ssize_t	w;			// Bytes written
  bool		ok = false;		// Result
  char		*buffer = NULL;		// Text and newline


  if (!msg)
    return (false);

  text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
  len  = strlen(text);

  if (len < REL_MSG_MAX && (buffer = malloc(len + 1)) != NULL)
  {
    memcpy(buffer, text, len);
    buffer[len ++] = '\n';

    while (sent < len)
    {
      if ((w = send(fd, buffer + sent, len - sent, MSG_NOSIGNAL)) < 0)
      {
        if (errno == EINTR)
          continue;
        break;
      }
      sent += (size_t)w;
    }

    ok = sent == len;
    explicit_bzero(buffer, len);
    free(buffer);
  }

  json_object_put(msg);

  return (ok);
}
