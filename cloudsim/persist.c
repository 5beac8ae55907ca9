//
// State persistence for upa-cloudsim: <state-dir>/state.json.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The whole tenant (ids, registrations, devices with certificates and
// reported attributes, configuration, jobs with history, nonces, access
// tokens and OAuth refresh tokens)
// is written as one JSON file after every change: to state.json.tmp, then
// renamed over state.json, so a crash at any moment leaves either the old or
// the new state.  There is no fsync: the tests kill the emulator, not the
// machine.  Unfinished Graph uploads, device-code sign-ins in progress and
// the /sim/oauth counters are not saved; a device-code poll after a restart
// gets bad_verification_code.  The next subscription id is saved (ids are
// never reused); the subscriptions themselves only with --keep-subscriptions
// (as CUPS keeps them: id, owner, events, lease and next sequence number,
// not the events waiting - those are lost with the process, and the
// restart shows in printer-up-time).  Without it a client sees
// client-error-not-found for an old subscription and recreates it.
//

#include "cloudsim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/pem.h>


//
// Local types...
//

typedef struct membuf_s			// Memory buffer for the IPP codec
{
  unsigned char	*data;			// Data
  size_t	len,			// Bytes used / available
		pos,			// Read position
		size;			// Allocated size
} membuf_t;


//
// Local functions...
//

static json_object *access_out(cs_access_t *access);
static char	*attrs_encode(ipp_t *ipp);
static ipp_t	*attrs_decode(const char *b64);
static json_object *jint64(int64_t v);
static json_object *jstr(const char *s);
static const char *gstr(json_object *obj, const char *key);
static int64_t	gint(json_object *obj, const char *key);
static bool	gbool(json_object *obj, const char *key);
static char	*gdup(json_object *obj, const char *key);
static json_object *job_out(cs_job_t *job);
static bool	job_in(cs_tenant_t *tenant, json_object *obj);
static ssize_t	mem_read(membuf_t *mb, ipp_uchar_t *buf, size_t bytes);
static ssize_t	mem_write(membuf_t *mb, ipp_uchar_t *buf, size_t bytes);


//
// 'csTenantLoad()' - Load a saved tenant, if any.
//

bool					// O - `false` on a corrupt state file
csTenantLoad(cs_tenant_t *tenant)	// I - Tenant
{
  json_object	*root,			// State
		*array,			// Arrays
		*item;			// Elements
  size_t	i;			// Looping var
  char		err[256];		// Error message


  if (access(tenant->state_file, F_OK))
    return (true);

  if ((root = json_object_from_file(tenant->state_file)) == NULL || !json_object_is_type(root, json_type_object))
  {
    fprintf(stderr, "upa-cloudsim: cannot read \"%s\": %s\n", tenant->state_file, json_util_get_last_err());
    json_object_put(root);
    return (false);
  }

  snprintf(tenant->id, sizeof(tenant->id), "%s", gstr(root, "tenantId"));
  snprintf(tenant->client_id, sizeof(tenant->client_id), "%s", gstr(root, "clientId"));
  tenant->next_job_id = (int)gint(root, "nextJobId");
  if (tenant->next_job_id < CS_FIRST_JOB_ID)
    tenant->next_job_id = CS_FIRST_JOB_ID;
  if ((tenant->next_sub_id = (int)gint(root, "nextSubscriptionId")) < 1)
    tenant->next_sub_id = 1;

  if (json_object_object_get_ex(root, "subscriptions", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      cs_sub_t	*sub;			// Subscription

      item = json_object_array_get_idx(array, i);
      if (!csGrow(&tenant->subs, tenant->num_subs, sizeof(cs_sub_t *)) || (sub = calloc(1, sizeof(cs_sub_t))) == NULL)
        break;

      sub->id       = (int)gint(item, "id");
      sub->events   = (unsigned)gint(item, "events");
      sub->lease    = (int)gint(item, "lease");
      sub->expires  = (time_t)gint(item, "expires");
      sub->next_seq = (int)gint(item, "nextSequence");
      sub->job_id   = (int)gint(item, "jobId");
      snprintf(sub->device, sizeof(sub->device), "%s", gstr(item, "device"));
      if (sub->next_seq < 1)
        sub->next_seq = 1;
      tenant->subs[tenant->num_subs ++] = sub;
    }
  }

  if (json_object_object_get_ex(root, "registrations", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      cs_registration_t	*reg;		// Registration
      unsigned char	*der;		// CSR
      size_t		derlen;		// CSR length
      const unsigned char *ptr;		// DER pointer
      X509_REQ		*csr;		// CSR

      item = json_object_array_get_idx(array, i);
      if ((der = csBase64Decode(gstr(item, "csr"), strlen(gstr(item, "csr")), false, &derlen)) == NULL)
        continue;
      ptr = der;
      csr = d2i_X509_REQ(NULL, &ptr, (long)derlen);
      free(der);
      if (!csr || (reg = csTenantAddRegistration(tenant, gstr(item, "name"), gstr(item, "manufacturer"), gstr(item, "model"), csr, (int)gint(item, "pollsLeft"))) == NULL)
        continue;
      snprintf(reg->id, sizeof(reg->id), "%s", gstr(item, "id"));
      snprintf(reg->device_id, sizeof(reg->device_id), "%s", gstr(item, "deviceId"));
    }
  }

  if (json_object_object_get_ex(root, "devices", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      cs_device_t	*dev;		// Device
      BIO		*bio;		// PEM reader
      X509		*cert;		// Certificate
      json_object	*graph;		// Graph properties

      item = json_object_array_get_idx(array, i);
      if (!*gstr(item, "certificate"))
      {
        // Introduced by Update-Output-Device-Attributes (--profile pwg).
        if (!*gstr(item, "id") || (dev = csTenantAddOutputDevice(tenant, gstr(item, "id"), gstr(item, "name"))) == NULL)
          continue;
      }
      else
      {
        bio  = BIO_new_mem_buf(gstr(item, "certificate"), -1);
        cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        BIO_free(bio);
        if (!cert || (dev = csTenantAddDevice(tenant, gstr(item, "name"), gstr(item, "manufacturer"), gstr(item, "model"), cert)) == NULL)
          continue;
      }
      ippDelete(dev->attrs);
      dev->attrs          = attrs_decode(gstr(item, "attributes"));
      dev->token_requests = (int)gint(item, "tokenRequests");
      dev->registered     = (time_t)gint(item, "registered");
      dev->deregistered   = gbool(item, "deregistered");
      if (json_object_object_get_ex(item, "graph", &graph))
      {
        json_object_put(dev->graph);
        dev->graph = json_object_get(graph);
      }
    }
  }

  if (json_object_object_get_ex(root, "config", &item) && !csTenantConfigure(tenant, item, err, sizeof(err)))
    fprintf(stderr, "upa-cloudsim: saved configuration: %s\n", err);

  if (json_object_object_get_ex(root, "shares", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      cs_share_t	*share;		// Share
      json_object	*users = NULL;	// Allowed users

      item = json_object_array_get_idx(array, i);
      if ((share = csTenantAddShare(tenant, gstr(item, "displayName"), gstr(item, "printer"))) == NULL)
        continue;
      snprintf(share->id, sizeof(share->id), "%s", gstr(item, "id"));
      share->hold    = gbool(item, "hold");
      share->created = (time_t)gint(item, "created");
      json_object_object_get_ex(item, "allowedUsers", &users);
      csAccessSet(&share->access, users);
    }
  }

  if (json_object_object_get_ex(root, "collections", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      if (csGrow(&tenant->collections, tenant->num_collections, sizeof(char *)))
        tenant->collections[tenant->num_collections ++] = strdup(json_object_get_string(json_object_array_get_idx(array, i)));
    }
  }

  if (json_object_object_get_ex(root, "jobs", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
      job_in(tenant, json_object_array_get_idx(array, i));
  }

  if (json_object_object_get_ex(root, "nonces", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      item = json_object_array_get_idx(array, i);
      csTenantAddNonce(tenant, gstr(item, "value"));
      tenant->nonces[tenant->num_nonces - 1].expires = (time_t)gint(item, "expires");
    }
  }

  if (json_object_object_get_ex(root, "tokens", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      item = json_object_array_get_idx(array, i);
      if (*gstr(item, "user") && gbool(item, "admin"))
        csTenantAddAdminToken(tenant, gstr(item, "value"), gstr(item, "user"), (time_t)gint(item, "expires"));
      else if (*gstr(item, "user"))
        csTenantAddUserToken(tenant, gstr(item, "value"), gstr(item, "user"), (time_t)gint(item, "expires"));
      else
        csTenantAddToken(tenant, gstr(item, "value"), gstr(item, "device"), (time_t)gint(item, "expires"));
    }
  }

  if (json_object_object_get_ex(root, "refreshTokens", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      item = json_object_array_get_idx(array, i);
      csTenantAddRefresh(tenant, gstr(item, "value"), gstr(item, "clientId"), gstr(item, "upn"), gstr(item, "tenant"), gstr(item, "scope"), (time_t)gint(item, "issued"));
    }
  }

  json_object_put(root);

  return (true);
}


//
// 'csTenantSave()' - Save the tenant atomically.  Call with the tenant locked.
//

bool					// O - `true` on success
csTenantSave(cs_tenant_t *tenant)	// I - Tenant
{
  json_object	*root = json_object_new_object(),
					// State
		*array,			// Arrays
		*item,			// Elements
		*config;		// Tenant configuration
  size_t	i;			// Looping var
  char		tmpfile[1100];		// Temporary file
  bool		ret;			// Result


  json_object_object_add(root, "version", json_object_new_int(1));
  json_object_object_add(root, "tenantId", jstr(tenant->id));
  json_object_object_add(root, "clientId", jstr(tenant->client_id));
  json_object_object_add(root, "nextJobId", json_object_new_int(tenant->next_job_id));
  json_object_object_add(root, "nextSubscriptionId", json_object_new_int(tenant->next_sub_id));

  if (tenant->keep_subs)
  {
    array = json_object_new_array();
    for (i = 0; i < tenant->num_subs; i ++)
    {
      cs_sub_t *sub = tenant->subs[i];	// Subscription

      item = json_object_new_object();
      json_object_object_add(item, "id", json_object_new_int(sub->id));
      json_object_object_add(item, "device", jstr(sub->device));
      json_object_object_add(item, "events", json_object_new_int((int)sub->events));
      json_object_object_add(item, "lease", json_object_new_int(sub->lease));
      json_object_object_add(item, "expires", jint64(sub->expires));
      json_object_object_add(item, "nextSequence", json_object_new_int(sub->next_seq));
      json_object_object_add(item, "jobId", json_object_new_int(sub->job_id));
      json_object_array_add(array, item);
    }
    json_object_object_add(root, "subscriptions", array);
  }

  array = json_object_new_array();
  for (i = 0; i < tenant->num_regs; i ++)
  {
    cs_registration_t	*reg = tenant->regs[i];
					// Registration
    unsigned char	*der = NULL;	// CSR
    int			derlen = i2d_X509_REQ(reg->csr, &der);
					// CSR length
    char		*b64 = derlen > 0 ? csBase64Encode(der, (size_t)derlen, false) : NULL;
					// Encoded CSR

    item = json_object_new_object();
    json_object_object_add(item, "id", jstr(reg->id));
    json_object_object_add(item, "pollsLeft", json_object_new_int(reg->polls_left));
    json_object_object_add(item, "name", jstr(reg->name));
    json_object_object_add(item, "manufacturer", jstr(reg->manufacturer));
    json_object_object_add(item, "model", jstr(reg->model));
    json_object_object_add(item, "csr", jstr(b64));
    json_object_object_add(item, "deviceId", jstr(reg->device_id));
    json_object_array_add(array, item);
    OPENSSL_free(der);
    free(b64);
  }
  json_object_object_add(root, "registrations", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_devices; i ++)
  {
    cs_device_t	*dev = tenant->devices[i];
					// Device
    char	*attrs = attrs_encode(dev->attrs);
					// Encoded attributes

    item = json_object_new_object();
    json_object_object_add(item, "id", jstr(dev->id));
    json_object_object_add(item, "name", jstr(dev->name));
    json_object_object_add(item, "manufacturer", jstr(dev->manufacturer));
    json_object_object_add(item, "model", jstr(dev->model));
    if (dev->cert_pem)			// None: introduced by --profile pwg
      json_object_object_add(item, "certificate", jstr(dev->cert_pem));
    json_object_object_add(item, "attributes", jstr(attrs));
    json_object_object_add(item, "tokenRequests", json_object_new_int(dev->token_requests));
    json_object_object_add(item, "registered", jint64(dev->registered));
    json_object_object_add(item, "deregistered", json_object_new_boolean(dev->deregistered));
    json_object_object_add(item, "graph", json_object_get(dev->graph));
    json_object_array_add(array, item);
    free(attrs);
  }
  json_object_object_add(root, "devices", array);

  // Users, pull printers and badges in the --tenant-config format.
  config = csTenantJSON(tenant);
  json_object_object_del(config, "shares");
  json_object_object_add(root, "config", config);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_shares; i ++)
  {
    cs_share_t *share = tenant->shares[i];
					// Share

    item = json_object_new_object();
    json_object_object_add(item, "id", jstr(share->id));
    json_object_object_add(item, "displayName", jstr(share->name));
    json_object_object_add(item, "printer", jstr(share->printer));
    json_object_object_add(item, "hold", json_object_new_boolean(share->hold));
    json_object_object_add(item, "created", jint64(share->created));
    json_object_object_add(item, "allowedUsers", access_out(&share->access));
    json_object_array_add(array, item);
  }
  json_object_object_add(root, "shares", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_collections; i ++)
    json_object_array_add(array, jstr(tenant->collections[i]));
  json_object_object_add(root, "collections", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_jobs; i ++)
    json_object_array_add(array, job_out(tenant->jobs[i]));
  json_object_object_add(root, "jobs", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_nonces; i ++)
  {
    item = json_object_new_object();
    json_object_object_add(item, "value", jstr(tenant->nonces[i].value));
    json_object_object_add(item, "expires", jint64(tenant->nonces[i].expires));
    json_object_array_add(array, item);
  }
  json_object_object_add(root, "nonces", array);

  array = json_object_new_array();
  for (i = 0; i < tenant->num_tokens; i ++)
  {
    if (tenant->tokens[i].expires <= time(NULL))
      continue;

    item = json_object_new_object();
    json_object_object_add(item, "value", jstr(tenant->tokens[i].value));
    json_object_object_add(item, "device", jstr(tenant->tokens[i].device));
    json_object_object_add(item, "user", jstr(tenant->tokens[i].user));
    json_object_object_add(item, "expires", jint64(tenant->tokens[i].expires));
    if (tenant->tokens[i].admin)
      json_object_object_add(item, "admin", json_object_new_boolean(true));
    json_object_array_add(array, item);
  }
  json_object_object_add(root, "tokens", array);

  // Refresh tokens outlive a restart, as the sign-ins they stand for do.
  array = json_object_new_array();
  for (i = 0; i < tenant->num_refresh; i ++)
  {
    cs_refresh_t *r = tenant->refresh + i;
					// Refresh token

    item = json_object_new_object();
    json_object_object_add(item, "value", jstr(r->value));
    json_object_object_add(item, "clientId", jstr(r->client_id));
    json_object_object_add(item, "upn", jstr(r->upn));
    json_object_object_add(item, "tenant", jstr(r->tenant));
    json_object_object_add(item, "scope", jstr(r->scope));
    json_object_object_add(item, "issued", jint64(r->issued));
    json_object_array_add(array, item);
  }
  json_object_object_add(root, "refreshTokens", array);

  snprintf(tmpfile, sizeof(tmpfile), "%s.tmp", tenant->state_file);

  ret = json_object_to_file_ext(tmpfile, root, JSON_C_TO_STRING_PLAIN) == 0 && rename(tmpfile, tenant->state_file) == 0;
  if (!ret)
    fprintf(stderr, "upa-cloudsim: cannot save \"%s\": %s\n", tenant->state_file, strerror(errno));

  json_object_put(root);

  return (ret);
}


//
// 'access_out()' - Access list as JSON (null = all users).
//

static json_object *			// O - JSON value
access_out(cs_access_t *access)		// I - Access list
{
  return (csAccessJSON(access));
}


//
// 'attrs_decode()' - Decode base64 IPP attributes (see attrs_encode()).
//

static ipp_t *				// O - Attributes (never `NULL`)
attrs_decode(const char *b64)		// I - Encoded attributes
{
  membuf_t	mb;			// Buffer
  ipp_t		*ipp = ippNew();	// Attributes
  ipp_state_t	state;			// Read state


  if (!*b64 || (mb.data = csBase64Decode(b64, strlen(b64), false, &mb.len)) == NULL)
    return (ipp);

  mb.pos  = 0;
  mb.size = 0;

  while ((state = ippReadIO(&mb, (ipp_iocb_t)mem_read, 1, NULL, ipp)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
      break;
  }

  free(mb.data);

  return (ipp);
}


//
// 'attrs_encode()' - Encode IPP attributes as a base64 IPP message.
//

static char *				// O - base64 text (malloc'd) or `NULL`
attrs_encode(ipp_t *ipp)		// I - Attributes
{
  membuf_t	mb = { NULL, 0, 0, 0 };	// Buffer
  ipp_state_t	state;			// Write state
  char		*b64;			// Encoded


  ippSetState(ipp, IPP_STATE_IDLE);
  while ((state = ippWriteIO(&mb, (ipp_iocb_t)mem_write, 1, NULL, ipp)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
    {
      free(mb.data);
      return (NULL);
    }
  }

  b64 = csBase64Encode(mb.data, mb.len, false);
  free(mb.data);

  return (b64);
}


//
// 'gbool()', 'gdup()', 'gint()', 'gstr()' - Get members (missing = false/NULL/0/"").
//

static bool
gbool(json_object *obj, const char *key)
{
  json_object *v;

  return (json_object_object_get_ex(obj, key, &v) && json_object_get_boolean(v));
}

static char *
gdup(json_object *obj, const char *key)
{
  json_object *v;

  if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
    return (NULL);

  return (strdup(json_object_get_string(v)));
}

static int64_t
gint(json_object *obj, const char *key)
{
  json_object *v;

  return (json_object_object_get_ex(obj, key, &v) ? json_object_get_int64(v) : 0);
}

static const char *
gstr(json_object *obj, const char *key)
{
  json_object *v;

  if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
    return ("");

  return (json_object_get_string(v));
}


//
// 'jint64()', 'jstr()' - Make JSON values (NULL string = null).
//

static json_object *
jint64(int64_t v)
{
  return (json_object_new_int64(v));
}

static json_object *
jstr(const char *s)
{
  return (s ? json_object_new_string(s) : NULL);
}


//
// 'job_in()' - Restore one job.
//

static bool				// O - `true` on success
job_in(cs_tenant_t *tenant,		// I - Tenant
       json_object *obj)		// I - Saved job
{
  cs_job_t	*job;			// Job
  json_object	*array,			// Arrays
		*item;			// Elements
  size_t	i;			// Looping var


  if (access(gstr(obj, "docpath"), R_OK))
    return (false);			// The document is gone: so is the job

  if ((job = csTenantAddJob(tenant, (int)gint(obj, "id"), gstr(obj, "printer"), gbool(obj, "held"), gstr(obj, "user"), gstr(obj, "name"), gstr(obj, "format"), gstr(obj, "docpath"), (off_t)gint(obj, "size"))) == NULL)
    return (false);

  // csTenantAddJob() recorded a "created" event: replace the history.
  for (i = 0; i < job->num_events; i ++)
  {
    free(job->events[i].what);
    free(job->events[i].reasons);
    free(job->events[i].message);
  }
  job->num_events = 0;

  job->copies          = (int)gint(obj, "copies");
  job->sides           = gdup(obj, "sides");
  job->media           = gdup(obj, "media");
  job->color_mode      = gdup(obj, "colorMode");
  job->created         = (time_t)gint(obj, "created");
  job->state           = (ipp_jstate_t)gint(obj, "state");
  job->fetchable       = gbool(obj, "fetchable");
  job->acknowledged    = (time_t)gint(obj, "acknowledged");
  job->impressions     = (int)gint(obj, "impressions");
  job->message         = gdup(obj, "message");
  job->started         = gbool(obj, "started");
  job->ready           = (time_t)gint(obj, "ready");
  job->fetchable_noted = true;
  job->config          = gdup(obj, "config");
  job->doc_state       = (int)gint(obj, "docState");
  job->doc_acked       = gbool(obj, "docAcked");
  job->expected        = (off_t)gint(obj, "expected");
  job->doc_name        = gdup(obj, "docName");
  snprintf(job->acquired_by, sizeof(job->acquired_by), "%s", gstr(obj, "acquiredBy"));
  snprintf(job->share, sizeof(job->share), "%s", gstr(obj, "share"));

  if (json_object_object_get_ex(obj, "reasons", &array) && (i = json_object_array_length(array)) > 0 && (job->reasons = calloc(i, sizeof(char *))) != NULL)
  {
    for (i = 0; i < json_object_array_length(array); i ++)
      job->reasons[job->num_reasons ++] = strdup(json_object_get_string(json_object_array_get_idx(array, i)));
  }

  if (json_object_object_get_ex(obj, "events", &array))
  {
    for (i = 0; i < json_object_array_length(array); i ++)
    {
      cs_event_t *ev;			// Event

      if (!csGrow(&job->events, job->num_events, sizeof(cs_event_t)))
        break;

      item = json_object_array_get_idx(array, i);
      ev   = job->events + job->num_events ++;
      memset(ev, 0, sizeof(cs_event_t));
      ev->time        = (time_t)gint(item, "time");
      ev->what        = strdup(gstr(item, "what"));
      ev->state       = (int)gint(item, "state");
      ev->reasons     = gdup(item, "reasons");
      ev->message     = gdup(item, "message");
      ev->impressions = (int)gint(item, "impressions");
      snprintf(ev->device, sizeof(ev->device), "%s", gstr(item, "device"));
    }
  }

  return (true);
}


//
// 'job_out()' - Save one job.
//

static json_object *			// O - JSON object
job_out(cs_job_t *job)			// I - Job
{
  json_object	*obj = json_object_new_object(),
					// Object
		*array,			// Arrays
		*item;			// Elements
  size_t	i;			// Looping var


  json_object_object_add(obj, "id", json_object_new_int(job->id));
  json_object_object_add(obj, "printer", jstr(job->printer));
  json_object_object_add(obj, "held", json_object_new_boolean(job->held));
  json_object_object_add(obj, "user", jstr(job->user));
  json_object_object_add(obj, "name", jstr(job->name));
  json_object_object_add(obj, "format", jstr(job->format));
  json_object_object_add(obj, "copies", json_object_new_int(job->copies));
  json_object_object_add(obj, "sides", jstr(job->sides));
  json_object_object_add(obj, "media", jstr(job->media));
  json_object_object_add(obj, "colorMode", jstr(job->color_mode));
  json_object_object_add(obj, "docpath", jstr(job->docpath));
  json_object_object_add(obj, "size", jint64(job->size));
  json_object_object_add(obj, "created", jint64(job->created));
  json_object_object_add(obj, "state", json_object_new_int((int)job->state));
  json_object_object_add(obj, "fetchable", json_object_new_boolean(job->fetchable));
  json_object_object_add(obj, "acquiredBy", jstr(job->acquired_by));
  json_object_object_add(obj, "acknowledged", jint64(job->acknowledged));
  json_object_object_add(obj, "impressions", json_object_new_int(job->impressions));
  json_object_object_add(obj, "message", jstr(job->message));
  json_object_object_add(obj, "started", json_object_new_boolean(job->started));
  json_object_object_add(obj, "ready", jint64(job->ready));
  json_object_object_add(obj, "share", jstr(job->share));
  json_object_object_add(obj, "config", jstr(job->config));
  json_object_object_add(obj, "docState", json_object_new_int(job->doc_state));
  json_object_object_add(obj, "docAcked", json_object_new_boolean(job->doc_acked));
  json_object_object_add(obj, "expected", jint64(job->expected));
  json_object_object_add(obj, "docName", jstr(job->doc_name));

  array = json_object_new_array();
  for (i = 0; i < job->num_reasons; i ++)
    json_object_array_add(array, jstr(job->reasons[i]));
  json_object_object_add(obj, "reasons", array);

  array = json_object_new_array();
  for (i = 0; i < job->num_events; i ++)
  {
    cs_event_t *ev = job->events + i;	// Event

    item = json_object_new_object();
    json_object_object_add(item, "time", jint64(ev->time));
    json_object_object_add(item, "what", jstr(ev->what));
    json_object_object_add(item, "device", jstr(ev->device));
    json_object_object_add(item, "state", json_object_new_int(ev->state));
    json_object_object_add(item, "reasons", jstr(ev->reasons));
    json_object_object_add(item, "message", jstr(ev->message));
    json_object_object_add(item, "impressions", json_object_new_int(ev->impressions));
    json_object_array_add(array, item);
  }
  json_object_object_add(obj, "events", array);

  return (obj);
}


//
// 'mem_read()' - ippReadIO callback.
//

static ssize_t				// O - Bytes read
mem_read(membuf_t    *mb,		// I - Buffer
         ipp_uchar_t *buf,		// O - Destination
         size_t      bytes)		// I - Bytes wanted
{
  size_t n = mb->len - mb->pos;		// Bytes available

  if (n > bytes)
    n = bytes;

  memcpy(buf, mb->data + mb->pos, n);
  mb->pos += n;

  return ((ssize_t)n);
}


//
// 'mem_write()' - ippWriteIO callback.
//

static ssize_t				// O - Bytes written or -1
mem_write(membuf_t    *mb,		// I - Buffer
          ipp_uchar_t *buf,		// I - Data
          size_t      bytes)		// I - Length
{
  if (mb->len + bytes > mb->size)
  {
    size_t	newsize = mb->size ? mb->size * 2 : 4096;
					// New size
    unsigned char *newdata;		// New buffer

    while (newsize < mb->len + bytes)
      newsize *= 2;

    if ((newdata = realloc(mb->data, newsize)) == NULL)
      return (-1);

    mb->data = newdata;
    mb->size = newsize;
  }

  memcpy(mb->data + mb->len, buf, bytes);
  mb->len += bytes;

  return ((ssize_t)bytes);
}
