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
// bytes, seconds, answer, ipp-status, framing, bytes-per-second, repeat and
// no-job-id:
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
//   commit         carry out the IPP operation "op" (any when absent; only
//                  successful answers count), then damage its answer as
//                  "answer" says: cut, truncate, badlength, garbage, html,
//                  noend, status (HTTP "status" 500/502/503/504), slow (after
//                  "seconds") or internal-error (IPP "ipp-status", default
//                  server-error-internal-error)
//   nocommit       the same answers without carrying the operation out; the
//                  damaged answer is a bare successful-ok response, byte for
//                  byte what Acknowledge-Job or Update-Job-Status answer
//                  (answer=slow: no answer, the connection closes after
//                  "seconds")
//   doc-short      Fetch-Document: correct IPP part, then only "bytes" (or
//                  half) of the document in a well-formed body ("framing"
//                  chunked or length)
//   doc-cut        Fetch-Document: correct IPP part, then the connection
//                  closes after "bytes" (or half) of the document although
//                  the body announced more (Content-Length or no last chunk)
//   doc-stall      Fetch-Document: correct IPP part and "bytes" (or half) of
//                  the document, then nothing for "seconds", then the rest
//   trickle        send the answer to "op" (default Fetch-Document) at
//                  "bytes-per-second"
//   dup-groups     Get-Jobs answers repeat each job group "repeat" times
//                  (default 2); "no-job-id=1" leaves job-id out of them
//   lose-event     the next job-fetchable event a subscription would get is
//                  never recorded (the job is fetchable, only its
//                  notification is lost: a proxy must find it with Get-Jobs)
//
// slow-release, token-lifetime and expire-tokens are settings rather than
// counted faults; /sim/faults applies them directly (see sim.c).
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


//
// Local globals...
//

static const char * const kinds[] = { "http", "ipp-busy", "steal", "drop", "register-stuck", "delay", "commit", "nocommit", "doc-short", "doc-cut", "doc-stall", "trickle", "dup-groups", "lose-event", NULL };
static const char * const answers[] = { "cut", "truncate", "badlength", "garbage", "html", "noend", "status", "slow", "internal-error", NULL };
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
  if (json_object_object_get_ex(spec, "answer", &value))
    snprintf(f.answer, sizeof(f.answer), "%s", json_object_get_string(value));
  if (json_object_object_get_ex(spec, "ipp-status", &value) || json_object_object_get_ex(spec, "ippStatus", &value))
  {
    const char *status = json_object_get_string(value);
					// Status name or number

    if ((f.ipp_status = (int)strtol(status, NULL, 0)) <= 0 && (f.ipp_status = (int)ippErrorValue(status)) <= 0)
    {
      snprintf(err, errsize, "unknown IPP status \"%s\"", status);
      return (-1);
    }
  }
  if (json_object_object_get_ex(spec, "framing", &value))
  {
    const char *framing = json_object_get_string(value);
					// chunked or length

    if (strcmp(framing, "chunked") && strcmp(framing, "length"))
    {
      snprintf(err, errsize, "framing is chunked or length");
      return (-1);
    }
    f.chunked = !strcmp(framing, "chunked");
  }
  else
    f.chunked = true;
  if (json_object_object_get_ex(spec, "bytes-per-second", &value) || json_object_object_get_ex(spec, "bytesPerSecond", &value))
    f.rate = (long)json_object_get_int64(value);
  if (json_object_object_get_ex(spec, "repeat", &value))
    f.repeat = json_object_get_int(value);
  if (json_object_object_get_ex(spec, "no-job-id", &value) || json_object_object_get_ex(spec, "noJobId", &value))
    f.no_job_id = json_object_get_boolean(value);

  if ((!strcmp(f.kind, "doc-short") || !strcmp(f.kind, "doc-cut") || !strcmp(f.kind, "doc-stall")) && !json_object_object_get_ex(spec, "bytes", &value))
    f.bytes = -1;			// Half the document

  if (!strcmp(f.kind, "commit") || !strcmp(f.kind, "nocommit"))
  {
    for (i = 0; answers[i] && strcmp(answers[i], f.answer); i ++);
    if (!answers[i])
    {
      snprintf(err, errsize, "%s faults need answer=cut, truncate, badlength, garbage, html, noend, status, slow or internal-error", f.kind);
      return (-1);
    }

    if (!strcmp(f.answer, "status"))
    {
      if (!f.status)
        f.status = 500;
      if (f.status != 500 && f.status != 502 && f.status != 503 && f.status != 504)
      {
        snprintf(err, errsize, "answer=status needs status 500, 502, 503 or 504");
        return (-1);
      }
    }

    if (!strcmp(f.answer, "slow") && (f.seconds < 1 || f.seconds > 3600))
    {
      snprintf(err, errsize, "answer=slow needs seconds 1..3600");
      return (-1);
    }

    if (!strcmp(f.answer, "internal-error"))
    {
      if (!f.ipp_status)
        f.ipp_status = IPP_STATUS_ERROR_INTERNAL;
      if (f.ipp_status < 0x0400 || f.ipp_status > 0x7fff)
      {
        snprintf(err, errsize, "ipp-status must be an error status (0x0400 or more)");
        return (-1);
      }
    }

    snprintf(f.cls, sizeof(f.cls), "ipp");
  }
  else if (f.answer[0])
  {
    snprintf(err, errsize, "answer= is for commit and nocommit faults");
    return (-1);
  }

  if (!strcmp(f.kind, "doc-stall") && (f.seconds < 1 || f.seconds > 3600))
  {
    snprintf(err, errsize, "doc-stall faults need seconds 1..3600");
    return (-1);
  }

  if (!strcmp(f.kind, "doc-short") || !strcmp(f.kind, "doc-cut") || !strcmp(f.kind, "doc-stall") || !strcmp(f.kind, "trickle") || !strcmp(f.kind, "dup-groups"))
  {
    int want = !strcmp(f.kind, "dup-groups") ? IPP_OP_GET_JOBS : IPP_OP_FETCH_DOCUMENT;
					// Operation the fault is for

    if (!f.op)
      f.op = want;
    else if (f.op != want && strcmp(f.kind, "trickle"))
    {
      snprintf(err, errsize, "%s faults are for %s", f.kind, ippOpString((ipp_op_t)want));
      return (-1);
    }

    snprintf(f.cls, sizeof(f.cls), "ipp");
  }

  if (!strcmp(f.kind, "trickle") && f.rate < 1)
  {
    snprintf(err, errsize, "trickle faults need bytes-per-second (1 or more)");
    return (-1);
  }

  if (!strcmp(f.kind, "lose-event"))
  {
    f.op = IPP_OP_GET_NOTIFICATIONS;
    snprintf(f.cls, sizeof(f.cls), "ipp");
  }

  if (!strcmp(f.kind, "dup-groups"))
  {
    if (!json_object_object_get_ex(spec, "repeat", &value))
      f.repeat = 2;
    if (f.repeat < 1 || f.repeat > 100000)
    {
      snprintf(err, errsize, "repeat must be 1..100000");
      return (-1);
    }
  }

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

  if (f.count == 0 || f.count < -1 || (f.bytes < 0 && strcmp(f.kind, "doc-short") && strcmp(f.kind, "doc-cut") && strcmp(f.kind, "doc-stall")) || f.retry_after < 0)
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

  csLog(server, 0, "fault %d armed: %s%s%s class=%s op=%s count=%d", id, f.kind, f.answer[0] ? " answer=" : "", f.answer, f.cls, f.op ? ippOpString((ipp_op_t)f.op) : "any", f.count);

  return (id);
}


//
// 'csFaultAnswer()' - Send the damaged answer of a commit or nocommit fault.
//
// "response" is what the operation answered (commit) or a bare successful-ok
// response (nocommit); "docfd" is closed here unless the answer is only late.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csFaultAnswer(cs_request_t *req,	// I - Request
              cs_fault_t   *fault,	// I - Fault
              ipp_t        *request,	// I - IPP request
              ipp_t        *response,	// I - Answer to damage
              int          docfd)	// I - Document file or -1
{
  unsigned char	*data;			// Encoded answer
  size_t	len;			// Length of encoded answer
  enum MHD_Result ret;			// Result
  static const char garbage[] =		// Body of answer=garbage
    "upa-cloudsim: injected garbage; this body is not an IPP message.\n"
    "\x7f\xff\xfe\xfd garbage garbage garbage garbage garbage garbage garbage\n";
  static const char html[] =		// Body of answer=html
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer "
    "(upa-cloudsim injected fault).</p></body></html>\n";


  csLog(req->server, 0, "fault %d: %s %s, answer %s", fault->id, !strcmp(fault->kind, "commit") ? "committed" : "did not commit", req->opname ? req->opname : "IPP request", fault->answer);

  if (!strcmp(fault->answer, "slow"))
  {
    // commit: late but intact, document included.  nocommit: a well-formed
    // success would be a lie, so the wait ends with the connection closed.
    if (!csHTTPWait(req->server, fault->seconds) || strcmp(fault->kind, "commit"))
    {
      if (docfd >= 0)
        close(docfd);
      return (MHD_NO);
    }

    return (csHTTPRespondIPP(req, response, docfd));
  }

  if (docfd >= 0)
    close(docfd);

  if (!strcmp(fault->answer, "cut"))
    return (MHD_NO);			// libmicrohttpd closes the connection
  else if (!strcmp(fault->answer, "garbage"))
    return (csHTTPRespond(req, MHD_HTTP_OK, "application/ipp", garbage, sizeof(garbage) - 1));
  else if (!strcmp(fault->answer, "html"))
    return (csHTTPRespond(req, MHD_HTTP_BAD_GATEWAY, "text/html; charset=utf-8", html, sizeof(html) - 1));
  else if (!strcmp(fault->answer, "status"))
    return (csFaultRespond(req, fault));
  else if (!strcmp(fault->answer, "internal-error"))
  {
    ipp_t *error = csIPPResponse(request, (ipp_status_t)fault->ipp_status, "Internal error (injected fault).");
					// Error answer

    req->ipp_status = (ipp_status_t)fault->ipp_status;
    ret             = csHTTPRespondIPP(req, error, -1);
    ippDelete(error);
    return (ret);
  }

  if ((data = csHTTPEncodeIPP(response, &len)) == NULL || len < 9)
  {
    free(data);
    return (MHD_NO);
  }

  if (!strcmp(fault->answer, "truncate"))
    ret = csHTTPRespondPartial(req, "application/ipp", data, len, len / 2, len);
  else if (!strcmp(fault->answer, "badlength"))
    ret = csHTTPRespondPartial(req, "application/ipp", data, len, len, len + 512);
  else					// noend: drop the end-of-attributes tag
    ret = csHTTPRespond(req, MHD_HTTP_OK, "application/ipp", data, data[len - 1] == IPP_TAG_END ? len - 1 : len);

  free(data);

  return (ret);
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
// 'csFaultDupGroups()' - Repeat (and maybe strip) the job groups of a Get-Jobs answer.
//

ipp_t *					// O - New response
csFaultDupGroups(ipp_t      *response,	// I - Get-Jobs response
                 cs_fault_t *fault)	// I - dup-groups fault
{
  ipp_t			*out = ippNew();// New response
  ipp_attribute_t	*attr,		// Current attribute
			**attrs = NULL;	// All attributes in order
  size_t		count = 0,	// Number of attributes
			i,		// Looping var
			first,		// First attribute of a group
			j;		// Looping var
  int			major,		// IPP major version
			minor,		// IPP minor version
			r;		// Repeat counter
  ipp_tag_t		group;		// Current group


  major = ippGetVersion(response, &minor);
  ippSetVersion(out, major, minor);
  ippSetRequestId(out, ippGetRequestId(response));
  ippSetStatusCode(out, ippGetStatusCode(response));

  for (attr = ippFirstAttribute(response); attr; attr = ippNextAttribute(response))
    count ++;

  if (count == 0 || (attrs = calloc(count, sizeof(ipp_attribute_t *))) == NULL)
    return (out);

  for (i = 0, attr = ippFirstAttribute(response); attr && i < count; attr = ippNextAttribute(response))
    attrs[i ++] = attr;

  // A group is a run of attributes with the same group tag; separators
  // (no name) end runs too.
  for (i = 0; i < count;)
  {
    if (!ippGetName(attrs[i]))
    {
      i ++;
      continue;
    }

    group = ippGetGroupTag(attrs[i]);
    first = i;
    while (i < count && ippGetName(attrs[i]) && ippGetGroupTag(attrs[i]) == group)
      i ++;

    for (r = 0; r < (group == IPP_TAG_JOB ? fault->repeat : 1); r ++)
    {
      for (j = first; j < i; j ++)
      {
        if (group == IPP_TAG_JOB && fault->no_job_id && !strcmp(ippGetName(attrs[j]), "job-id"))
          continue;
        ippCopyAttribute(out, attrs[j], 0);
      }
      ippAddSeparator(out);
    }
  }

  free(attrs);

  return (out);
}


//
// 'csFaultFired()' - Count the firings since start, in total and per kind.
//

json_object *				// O - {"total":N,"byKind":{KIND:N,...}}
csFaultFired(cs_server_t *server)	// I - Server
{
  json_object	*obj = json_object_new_object(),
					// Result
		*by_kind = json_object_new_object();
					// Per kind
  size_t	k;			// Looping var


  pthread_mutex_lock(&server->fault_lock);
  json_object_object_add(obj, "total", json_object_new_int(server->faults_fired));
  for (k = 0; kinds[k] && k < sizeof(server->faults_fired_by_kind) / sizeof(server->faults_fired_by_kind[0]); k ++)
  {
    if (server->faults_fired_by_kind[k])
      json_object_object_add(by_kind, kinds[k], json_object_new_int(server->faults_fired_by_kind[k]));
  }
  pthread_mutex_unlock(&server->fault_lock);

  json_object_object_add(obj, "byKind", by_kind);

  return (obj);
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
    if (f->answer[0])
      json_object_object_add(item, "answer", json_object_new_string(f->answer));
    if (f->ipp_status)
      json_object_object_add(item, "ippStatus", json_object_new_string(ippErrorString((ipp_status_t)f->ipp_status)));
    if (!strcmp(f->kind, "doc-short") || !strcmp(f->kind, "doc-cut"))
      json_object_object_add(item, "framing", json_object_new_string(f->chunked ? "chunked" : "length"));
    if (f->rate)
      json_object_object_add(item, "bytesPerSecond", json_object_new_int64(f->rate));
    if (f->repeat)
    {
      json_object_object_add(item, "repeat", json_object_new_int(f->repeat));
      json_object_object_add(item, "noJobId", json_object_new_boolean(f->no_job_id));
    }
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

    if (!strcmp(item, "class") || !strcmp(item, "op") || !strcmp(item, "answer") || !strcmp(item, "ipp-status") || !strcmp(item, "framing"))
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
  const char	*code = fault->status == 401 ? "InvalidAuthenticationToken" : fault->status == 429 ? "TooManyRequests" : fault->status == 502 ? "BadGateway" : fault->status == 503 ? "ServiceUnavailable" : fault->status == 504 ? "GatewayTimeout" : "InternalServerError";
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
  size_t	i,			// Looping var
		k;			// Kind index
  bool		fired = false;		// Did a fault fire?


  pthread_mutex_lock(&server->fault_lock);
  for (i = 0; i < server->num_faults; i ++)
  {
    cs_fault_t *f = server->faults + i;	// Fault

    if (strcmp(f->kind, kind) || (strcmp(f->cls, "any") && cls && strcmp(f->cls, cls)) || (f->op && f->op != op))
      continue;

    *fault = *f;
    fired  = true;

    server->faults_fired ++;
    for (k = 0; kinds[k] && k < sizeof(server->faults_fired_by_kind) / sizeof(server->faults_fired_by_kind[0]); k ++)
    {
      if (!strcmp(kinds[k], kind))
      {
        server->faults_fired_by_kind[k] ++;
        break;
      }
    }

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
