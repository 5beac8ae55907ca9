//
// Fault injection for upa-cloudsim.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// A fault is armed at start-up (--fault SPEC) or at run time (POST /sim/faults
// with a JSON object or the same SPEC as text) and fires for the next "count"
// matching requests (count=-1: until DELETE /sim/faults).  SPEC is
// "KIND[,key=value...]"; keys are class, op, status, count, retry-after,
// bytes, seconds:
//
//   http           answer HTTP "status" (401, 429, 500, 503; Retry-After for
//                  429/503) to requests of endpoint "class": ipp, token
//                  (device tokens), oauth (admin sign-in), register, graph,
//                  badge, upload or any
//   ipp-busy       IPP server-error-busy to IPP requests (op = name or number)
//   steal          the next Acknowledge-Job finds the job already acknowledged
//                  by another (phantom) printer
//   drop           close the connection after "bytes" document bytes of
//                  Fetch-Document
//   register-stuck registration polls answer 202 while armed
//   delay          answer requests of "class" only after "seconds" (1-3600),
//                  then normally (an http fault may still fire after it)
//
// slow-release, token-lifetime and expire-tokens are settings rather than
// counted faults; /sim/faults applies them directly (see sim.c).
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


//
// Local globals...
//

static const char * const kinds[] = { "http", "ipp-busy", "steal", "drop", "register-stuck", "delay", NULL };
static const char * const classes[] = { "any", "ipp", "token", "oauth", "register", "graph", "badge", "upload", NULL };


//
// 'csFaultAdd()' - Arm a fault from its JSON description.
//

int					// O - Fault id or -1 on error
csFaultAdd(cs_server_t *server,		// I - Server
           json_object *spec,		// I - Fault description
           char        *err,		// O - Error message
           size_t      errsize)		// I - Size of error buffer
{
  cs_fault_t	f;			// New fault
  json_object	*value;			// Member
  size_t	i;			// Looping var
  int		id;			// Fault id


  memset(&f, 0, sizeof(f));
  f.count = 1;
  snprintf(f.cls, sizeof(f.cls), "any");

  if (!json_object_is_type(spec, json_type_object) || !json_object_object_get_ex(spec, "kind", &value))
  {
    snprintf(err, errsize, "a fault needs a kind");
    return (-1);
  }

  snprintf(f.kind, sizeof(f.kind), "%s", json_object_get_string(value));
  for (i = 0; kinds[i] && strcmp(kinds[i], f.kind); i ++);
  if (!kinds[i])
  {
    snprintf(err, errsize, "unknown fault kind \"%s\"", f.kind);
    return (-1);
  }

  if (json_object_object_get_ex(spec, "class", &value))
  {
    snprintf(f.cls, sizeof(f.cls), "%s", json_object_get_string(value));
    for (i = 0; classes[i] && strcmp(classes[i], f.cls); i ++);
    if (!classes[i])
    {
      snprintf(err, errsize, "unknown endpoint class \"%s\"", f.cls);
      return (-1);
    }
  }

  if (json_object_object_get_ex(spec, "op", &value))
  {
    const char *op = json_object_get_string(value);
					// Operation name or number

    if ((f.op = (int)strtol(op, NULL, 0)) <= 0 && (f.op = (int)ippOpValue(op)) <= 0)
    {
      snprintf(err, errsize, "unknown IPP operation \"%s\"", op);
      return (-1);
    }
  }

  if (json_object_object_get_ex(spec, "status", &value))
    f.status = json_object_get_int(value);
  if (json_object_object_get_ex(spec, "count", &value))
    f.count = json_object_get_int(value);
  if (json_object_object_get_ex(spec, "retry-after", &value) || json_object_object_get_ex(spec, "retryAfter", &value))
    f.retry_after = json_object_get_int(value);
  if (json_object_object_get_ex(spec, "bytes", &value))
    f.bytes = (long)json_object_get_int64(value);
  if (json_object_object_get_ex(spec, "seconds", &value))
    f.seconds = json_object_get_int(value);

  if (!strcmp(f.kind, "delay") && (f.seconds < 1 || f.seconds > 3600))
  {
    snprintf(err, errsize, "delay faults need seconds 1..3600");
    return (-1);
  }

  if (!strcmp(f.kind, "http") && f.status != 401 && f.status != 429 && f.status != 500 && f.status != 503)
  {
    snprintf(err, errsize, "http faults need status 401, 429, 500 or 503");
    return (-1);
  }

  if (f.count == 0 || f.count < -1 || f.bytes < 0 || f.retry_after < 0)
  {
    snprintf(err, errsize, "count must be -1 or positive; bytes and retry-after not negative");
    return (-1);
  }

  if ((f.status == 429 || f.status == 503) && !json_object_object_get_ex(spec, "retry-after", &value) && !json_object_object_get_ex(spec, "retryAfter", &value))
    f.retry_after = 1;

  pthread_mutex_lock(&server->fault_lock);
  if (!csGrow(&server->faults, server->num_faults, sizeof(cs_fault_t)))
  {
    pthread_mutex_unlock(&server->fault_lock);
    snprintf(err, errsize, "out of memory");
    return (-1);
  }
  f.id = id = ++ server->next_fault_id;
  server->faults[server->num_faults ++] = f;
  pthread_mutex_unlock(&server->fault_lock);

  csLog(server, 0, "fault %d armed: %s class=%s count=%d", id, f.kind, f.cls, f.count);

  return (id);
}


//
// 'csFaultClear()' - Disarm every fault.
//

void
csFaultClear(cs_server_t *server)	// I - Server
{
  pthread_mutex_lock(&server->fault_lock);
  server->num_faults = 0;
  pthread_mutex_unlock(&server->fault_lock);
}


//
// 'csFaultList()' - Describe the armed faults.
//

json_object *				// O - JSON array
csFaultList(cs_server_t *server)	// I - Server
{
  json_object	*array = json_object_new_array(),
					// Faults
		*item;			// One fault
  size_t	i;			// Looping var


  pthread_mutex_lock(&server->fault_lock);
  for (i = 0; i < server->num_faults; i ++)
  {
    cs_fault_t *f = server->faults + i;	// Fault

    item = json_object_new_object();
    json_object_object_add(item, "id", json_object_new_int(f->id));
    json_object_object_add(item, "kind", json_object_new_string(f->kind));
    json_object_object_add(item, "class", json_object_new_string(f->cls));
    json_object_object_add(item, "op", f->op ? json_object_new_string(ippOpString((ipp_op_t)f->op)) : NULL);
    json_object_object_add(item, "status", json_object_new_int(f->status));
    json_object_object_add(item, "count", json_object_new_int(f->count));
    json_object_object_add(item, "retryAfter", json_object_new_int(f->retry_after));
    json_object_object_add(item, "bytes", json_object_new_int64(f->bytes));
    json_object_object_add(item, "seconds", json_object_new_int(f->seconds));
    json_object_array_add(array, item);
  }
  pthread_mutex_unlock(&server->fault_lock);

  return (array);
}


//
// 'csFaultParseSpec()' - Turn "KIND,key=value,..." into a JSON object.
//

json_object *				// O - Fault description or `NULL`
csFaultParseSpec(const char *spec)	// I - Fault spec
{
  json_object	*obj = json_object_new_object();
					// Description
  char		*copy = strdup(spec),	// Writable copy
		*item,			// Current item
		*save = NULL,		// strtok_r state
		*eq;			// '=' in item
  bool		first = true;		// First item = kind


  for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save), first = false)
  {
    while (*item == ' ')
      item ++;

    if (first)
    {
      json_object_object_add(obj, "kind", json_object_new_string(item));
      continue;
    }

    if ((eq = strchr(item, '=')) == NULL || eq == item)
    {
      json_object_put(obj);
      free(copy);
      return (NULL);
    }

    *eq++ = '\0';

    if (!strcmp(item, "class") || !strcmp(item, "op"))
      json_object_object_add(obj, item, json_object_new_string(eq));
    else
    {
      char	*end;			// End of number
      long	n = strtol(eq, &end, 10);
					// Value

      if (*end || end == eq)
      {
        json_object_put(obj);
        free(copy);
        return (NULL);
      }

      json_object_object_add(obj, item, json_object_new_int64(n));
    }
  }

  free(copy);

  if (first)
  {
    json_object_put(obj);
    return (NULL);
  }

  return (obj);
}


//
// 'csFaultRespond()' - Answer with an injected HTTP error.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csFaultRespond(cs_request_t *req,	// I - Request
               cs_fault_t   *fault)	// I - Fault
{
  json_object	*obj = json_object_new_object();
					// Body
  char		retry[32];		// Retry-After value
  enum MHD_Result ret;			// Result
  const char	*code = fault->status == 401 ? "InvalidAuthenticationToken" : fault->status == 429 ? "TooManyRequests" : fault->status == 503 ? "ServiceUnavailable" : "InternalServerError";
					// Graph-style error code
  json_object	*error = json_object_new_object();
					// Error object


  json_object_object_add(error, "code", json_object_new_string(code));
  json_object_object_add(error, "message", json_object_new_string("injected fault"));
  json_object_object_add(obj, "error", error);

  snprintf(retry, sizeof(retry), "%d", fault->retry_after);
  csLog(req->server, 0, "fault %d: HTTP %d for %s %s", fault->id, fault->status, req->method, req->path);

  ret = csHTTPRespondHeaders(req, (unsigned)fault->status, obj, fault->retry_after > 0 ? "Retry-After" : NULL, retry);
  json_object_put(obj);

  return (ret);
}


//
// 'csFaultTake()' - Consume one firing of a matching fault.
//
// "cls" is the request's endpoint class, "op" its IPP operation (or 0).
//

bool					// O - `true` if a fault fires
csFaultTake(cs_server_t *server,	// I - Server
            const char  *kind,		// I - Fault kind
            const char  *cls,		// I - Endpoint class
            int         op,		// I - IPP operation or 0
            cs_fault_t  *fault)		// O - Copy of the fault
{
  size_t	i;			// Looping var
  bool		fired = false;		// Did a fault fire?


  pthread_mutex_lock(&server->fault_lock);
  for (i = 0; i < server->num_faults; i ++)
  {
    cs_fault_t *f = server->faults + i;	// Fault

    if (strcmp(f->kind, kind) || (strcmp(f->cls, "any") && cls && strcmp(f->cls, cls)) || (f->op && f->op != op))
      continue;

    *fault = *f;
    fired  = true;

    if (f->count > 0 && -- f->count == 0)
    {
      memmove(f, f + 1, (server->num_faults - i - 1) * sizeof(cs_fault_t));
      server->num_faults --;
    }
    break;
  }
  pthread_mutex_unlock(&server->fault_lock);

  return (fired);
}
