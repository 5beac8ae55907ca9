//
// Tenant store for upa-cloudsim: registrations, devices, pull printers, jobs,
// documents, nonces and access tokens.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Everything lives in memory and is saved to <state-dir>/state.json by
// csTenantUnlock() whenever a change set tenant->dirty (persist.c); documents
// are files under <state-dir>/documents.  Callers hold the tenant lock around
// every lookup and change, and must not keep pointers to tenant objects after
// unlocking.
//

#include "cloudsim.h"
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>


//
// Local functions...
//

static bool	grow(void *array, size_t count, size_t size);


//
// 'csJobAddEvent()' - Record an event in a job's history.
//
// The event captures the job's state, reasons and impressions after the change.
//

void
csJobAddEvent(cs_job_t   *job,		// I - Job
              const char *what,		// I - Event name
              const char *device,	// I - Device or `NULL`
              const char *message)	// I - Message or `NULL`
{
  cs_event_t	*ev;			// New event
  char		reasons[1024] = "";	// Reasons as one string
  size_t	i;			// Looping var


  if (!grow(&job->events, job->num_events, sizeof(cs_event_t)))
    return;

  for (i = 0; i < job->num_reasons; i ++)
  {
    if (i)
      strncat(reasons, ",", sizeof(reasons) - strlen(reasons) - 1);
    strncat(reasons, job->reasons[i], sizeof(reasons) - strlen(reasons) - 1);
  }

  ev = job->events + job->num_events ++;
  memset(ev, 0, sizeof(cs_event_t));

  ev->time        = time(NULL);
  ev->what        = strdup(what);
  ev->state       = (int)job->state;
  ev->reasons     = reasons[0] ? strdup(reasons) : NULL;
  ev->message     = message ? strdup(message) : NULL;
  ev->impressions = job->impressions;

  if (device)
    snprintf(ev->device, sizeof(ev->device), "%s", device);

  if (job->tenant)
  {
    job->tenant->dirty = true;
    csNotify(job->tenant, job, strcmp(what, "created") ? CS_EV_JOB_STATE : 0);
  }
}


//
// 'csJobIsFetchable()' - Can the job still be fetched/acknowledged?
//

bool					// O - `true` if fetchable
csJobIsFetchable(cs_job_t *job)		// I - Job
{
  return (job->fetchable && job->started && !csJobIsTerminal(job) && time(NULL) >= job->ready);
}


//
// 'csJobIsReleasable()' - Is the job a held job still waiting for release?
//

bool					// O - `true` if waiting
csJobIsReleasable(cs_job_t *job)	// I - Job
{
  return (job->held && job->started && !job->acquired_by[0] && !csJobIsTerminal(job));
}


//
// 'csJobIsTerminal()' - Is the job canceled, aborted or completed?
//

bool					// O - `true` if terminal
csJobIsTerminal(cs_job_t *job)		// I - Job
{
  return (job->state >= IPP_JSTATE_CANCELED);
}


//
// 'csJobSetReasons()' - Replace the device-reported reasons from an attribute.
//
// "none" is dropped; NULL clears the reasons.
//

void
csJobSetReasons(cs_job_t        *job,	// I - Job
                ipp_attribute_t *attr)	// I - output-device-job-state-reasons or `NULL`
{
  size_t	i;			// Looping var
  int		count;			// Number of values


  for (i = 0; i < job->num_reasons; i ++)
    free(job->reasons[i]);
  free(job->reasons);
  job->reasons     = NULL;
  job->num_reasons = 0;

  if (!attr || (count = ippGetCount(attr)) <= 0)
    return;

  if ((job->reasons = calloc((size_t)count, sizeof(char *))) == NULL)
    return;

  for (i = 0; i < (size_t)count; i ++)
  {
    const char *s = ippGetString(attr, (int)i, NULL);
					// Keyword

    if (s && strcmp(s, "none"))
      job->reasons[job->num_reasons ++] = strdup(s);
  }
}


//
// 'csJobSetString()' - Replace a malloc'd string field.
//

void
csJobSetString(char       **field,	// IO - Field
               const char *value)	// I  - New value or `NULL`
{
  free(*field);
  *field = value ? strdup(value) : NULL;
}


//
// 'csPullHasMember()' - Is a device a member of a pull printer?
//

bool					// O - `true` if member
csPullHasMember(cs_pull_t   *pull,	// I - Pull printer
                cs_device_t *dev)	// I - Device
{
  size_t	i;			// Looping var


  if (pull->all_devices)
    return (true);

  // Members may be named before the device registers, so names match too.
  for (i = 0; i < pull->num_members; i ++)
  {
    if (!strcasecmp(pull->members[i], dev->id) || !strcmp(pull->members[i], dev->name))
      return (true);
  }

  return (false);
}


//
// 'csTenantAddDevice()' - Add a registered device with a new id.
//

cs_device_t *				// O - Device or `NULL`
csTenantAddDevice(cs_tenant_t *tenant,	// I - Tenant
                  const char  *name,	// I - Name
                  const char  *manufacturer,
					// I - Manufacturer
                  const char  *model,	// I - Model
                  X509        *cert)	// I - Certificate (ownership taken)
{
  cs_device_t	*dev;			// Device


  if (!grow(&tenant->devices, tenant->num_devices, sizeof(cs_device_t *)) || (dev = calloc(1, sizeof(cs_device_t))) == NULL)
    return (NULL);

  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, dev->id, sizeof(dev->id));

  dev->name         = strdup(name);
  dev->manufacturer = strdup(manufacturer);
  dev->model        = strdup(model);
  dev->cert         = cert;
  dev->cert_pem     = csCAPEM(cert);
  dev->attrs        = ippNew();
  dev->registered   = time(NULL);
  dev->graph        = json_object_new_object();

  tenant->devices[tenant->num_devices ++] = dev;
  tenant->dirty = true;

  return (dev);
}


//
// 'csTenantAddOutputDevice()' - Add an output device introduced by Update-Output-Device-Attributes (--profile pwg).
//
// No certificate: such a device authenticates with HTTP Basic (or not at
// all) and is named by its output-device-uuid.
//

cs_device_t *				// O - Device or `NULL`
csTenantAddOutputDevice(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *id,			// I - UUID (without urn:uuid:)
    const char  *name)			// I - Name
{
  cs_device_t	*dev;			// Device


  if (!id || !*id || strlen(id) >= CS_UUID_LEN || !grow(&tenant->devices, tenant->num_devices, sizeof(cs_device_t *)) || (dev = calloc(1, sizeof(cs_device_t))) == NULL)
    return (NULL);

  snprintf(dev->id, sizeof(dev->id), "%s", id);
  dev->name         = strdup(name && *name ? name : id);
  dev->manufacturer = strdup("Unknown");
  dev->model        = strdup("Output Device");
  dev->attrs        = ippNew();
  dev->registered   = time(NULL);
  dev->graph        = json_object_new_object();

  tenant->devices[tenant->num_devices ++] = dev;
  tenant->dirty = true;

  return (dev);
}


//
// 'csTenantAddJob()' - Add a job whose document is complete.
//

cs_job_t *				// O - Job or `NULL`
csTenantAddJob(cs_tenant_t *tenant,	// I - Tenant
               int         id,		// I - Reserved job-id
               const char  *printer,	// I - Printer id (pull printer or device)
               bool        held,	// I - Held on a pull printer?
               const char  *user,	// I - Owner UPN
               const char  *name,	// I - Job name
               const char  *format,	// I - Document format
               const char  *docpath,	// I - Document file
               off_t       size)	// I - Document size
{
  cs_job_t	*job;			// Job
  size_t	pos;			// Insert position


  if (!grow(&tenant->jobs, tenant->num_jobs, sizeof(cs_job_t *)) || (job = calloc(1, sizeof(cs_job_t))) == NULL)
    return (NULL);

  job->tenant    = tenant;
  job->id        = id;
  job->held      = held;
  job->user      = strdup(user);
  job->name      = strdup(name);
  job->format    = strdup(format);
  job->docpath   = strdup(docpath);
  job->size      = size;
  job->copies    = 1;
  job->created   = time(NULL);
  job->state     = IPP_JSTATE_PENDING;
  job->fetchable = true;
  job->started   = true;
  job->ready     = job->created + tenant->slow_release;

  snprintf(job->printer, sizeof(job->printer), "%s", printer);

  // Ids are reserved before the upload, so jobs can finish out of order.
  for (pos = tenant->num_jobs; pos > 0 && tenant->jobs[pos - 1]->id > id; pos --);

  memmove(tenant->jobs + pos + 1, tenant->jobs + pos, (tenant->num_jobs - pos) * sizeof(cs_job_t *));
  tenant->jobs[pos] = job;
  tenant->num_jobs ++;

  // Hold-New-Jobs on the target device holds direct jobs.
  if (!held)
  {
    cs_device_t *dev = csTenantFindDevice(tenant, printer);
					// Target device

    if (dev && dev->hold_new)
    {
      job->state     = IPP_JSTATE_HELD;
      job->fetchable = false;
    }
  }

  csJobAddEvent(job, "created", NULL, NULL);

  return (job);
}


//
// 'csTenantAddNonce()' - Remember a new srv_challenge nonce.
//

void
csTenantAddNonce(cs_tenant_t *tenant,	// I - Tenant
                 const char  *value)	// I - Nonce
{
  time_t	now = time(NULL);	// Current time
  size_t	i;			// Looping var


  // Drop expired nonces first so the list cannot grow without bound.
  for (i = 0; i < tenant->num_nonces;)
  {
    if (tenant->nonces[i].expires <= now)
      tenant->nonces[i] = tenant->nonces[-- tenant->num_nonces];
    else
      i ++;
  }

  if (!grow(&tenant->nonces, tenant->num_nonces, sizeof(cs_nonce_t)))
    return;

  snprintf(tenant->nonces[tenant->num_nonces].value, sizeof(tenant->nonces[0].value), "%s", value);
  tenant->nonces[tenant->num_nonces].expires = now + CS_NONCE_TTL;
  tenant->num_nonces ++;
  tenant->dirty = true;
}


//
// 'csTenantAddRegistration()' - Add a pending registration.
//

cs_registration_t *			// O - Registration or `NULL`
csTenantAddRegistration(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *name,			// I - Printer name
    const char  *manufacturer,		// I - Manufacturer
    const char  *model,			// I - Model
    X509_REQ    *csr,			// I - Verified CSR (ownership taken)
    int         polls)			// I - 202 answers before success
{
  cs_registration_t *reg;		// Registration


  if (!grow(&tenant->regs, tenant->num_regs, sizeof(cs_registration_t *)) || (reg = calloc(1, sizeof(cs_registration_t))) == NULL)
    return (NULL);

  csUUID(reg->id, sizeof(reg->id));
  reg->polls_left   = polls;
  reg->name         = strdup(name);
  reg->manufacturer = strdup(manufacturer);
  reg->model        = strdup(model);
  reg->csr          = csr;

  tenant->regs[tenant->num_regs ++] = reg;
  tenant->dirty = true;

  return (reg);
}


//
// 'csTenantAddToken()' - Remember an issued access token.
//

void
csTenantAddToken(cs_tenant_t *tenant,	// I - Tenant
                 const char  *value,	// I - Token
                 const char  *device,	// I - Device id
                 time_t      expires)	// I - Expiry time
{
  time_t	now = time(NULL);	// Current time
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_tokens;)
  {
    if (tenant->tokens[i].expires <= now)
      tenant->tokens[i] = tenant->tokens[-- tenant->num_tokens];
    else
      i ++;
  }

  if (!grow(&tenant->tokens, tenant->num_tokens, sizeof(cs_token_t)))
    return;

  memset(tenant->tokens + tenant->num_tokens, 0, sizeof(cs_token_t));
  snprintf(tenant->tokens[tenant->num_tokens].value, sizeof(tenant->tokens[0].value), "%s", value);
  snprintf(tenant->tokens[tenant->num_tokens].device, sizeof(tenant->tokens[0].device), "%s", device);
  tenant->tokens[tenant->num_tokens].expires = expires;
  tenant->num_tokens ++;
  tenant->dirty = true;
}


//
// 'csTenantAddUserToken()' - Remember a user (delegated) access token.
//

void
csTenantAddUserToken(cs_tenant_t *tenant,
					// I - Tenant
                     const char  *value,// I - Token
                     const char  *user,	// I - UPN
                     time_t      expires)
					// I - Expiry time
{
  csTenantAddToken(tenant, value, "", expires);
  snprintf(tenant->tokens[tenant->num_tokens - 1].user, sizeof(tenant->tokens[0].user), "%s", user);
}


//
// 'csTenantCheckUserToken()' - Look up a live user token.
//

bool					// O - `true` if valid and unexpired
csTenantCheckUserToken(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *value,			// I - Token
    char        *user,			// O - UPN
    size_t      usersize)		// I - Size of user buffer
{
  time_t	now = time(NULL);	// Current time
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_tokens; i ++)
  {
    if (tenant->tokens[i].user[0] && !tenant->tokens[i].admin && !strcmp(tenant->tokens[i].value, value) && tenant->tokens[i].expires > now)
    {
      snprintf(user, usersize, "%s", tenant->tokens[i].user);
      return (true);
    }
  }

  return (false);
}


//
// 'csTenantAddAdminToken()' - Remember a delegated admin access token.
//
// Issued by the OAuth token endpoint (device code or refresh grant) to an
// administrator who signed in: it is accepted wherever the static admin
// token is, until it expires.
//

void
csTenantAddAdminToken(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *value,			// I - Token
    const char  *user,			// I - UPN of the administrator
    time_t      expires)		// I - Expiry time
{
  csTenantAddUserToken(tenant, value, user, expires);
  tenant->tokens[tenant->num_tokens - 1].admin = true;
}


//
// 'csTenantCheckAdminToken()' - Look up a live delegated admin token.
//

bool					// O - `true` if valid and unexpired
csTenantCheckAdminToken(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *value,			// I - Token
    char        *user,			// O - UPN or `NULL`
    size_t      usersize)		// I - Size of user buffer
{
  time_t	now = time(NULL);	// Current time
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_tokens; i ++)
  {
    if (tenant->tokens[i].admin && tenant->tokens[i].expires > now && strlen(tenant->tokens[i].value) == strlen(value) && !CRYPTO_memcmp(tenant->tokens[i].value, value, strlen(value)))
    {
      if (user)
        snprintf(user, usersize, "%s", tenant->tokens[i].user);
      return (true);
    }
  }

  return (false);
}


//
// 'csTenantAddRefresh()' - Remember a refresh token.
//

cs_refresh_t *				// O - Refresh token or `NULL`
csTenantAddRefresh(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *value,			// I - Token
    const char  *client_id,		// I - Application
    const char  *upn,			// I - Signed-in user
    const char  *tenant_name,		// I - Tenant segment of the sign-in
    const char  *scope,			// I - Granted scope
    time_t      issued)			// I - Issue time
{
  cs_refresh_t	*r;			// New token


  if (!grow(&tenant->refresh, tenant->num_refresh, sizeof(cs_refresh_t)))
    return (NULL);

  r = tenant->refresh + tenant->num_refresh;
  memset(r, 0, sizeof(cs_refresh_t));
  snprintf(r->value, sizeof(r->value), "%s", value);
  snprintf(r->client_id, sizeof(r->client_id), "%s", client_id);
  snprintf(r->upn, sizeof(r->upn), "%s", upn);
  snprintf(r->tenant, sizeof(r->tenant), "%s", tenant_name);
  if ((r->scope = strdup(scope ? scope : "")) == NULL)
    return (NULL);
  r->issued = issued;

  tenant->num_refresh ++;
  tenant->dirty = true;

  return (r);
}


//
// 'csTenantDeleteRefresh()' - Forget (invalidate) one refresh token.
//

void
csTenantDeleteRefresh(
    cs_tenant_t  *tenant,		// I - Tenant
    cs_refresh_t *refresh)		// I - Token in tenant->refresh
{
  size_t	i = (size_t)(refresh - tenant->refresh);
					// Index


  if (i >= tenant->num_refresh)
    return;

  free(refresh->scope);
  memmove(refresh, refresh + 1, (tenant->num_refresh - i - 1) * sizeof(cs_refresh_t));
  tenant->num_refresh --;
  tenant->dirty = true;
}


//
// 'csTenantDeleteDevice()' - Delete (unregister) a printer.
//
// The device, its certificate, access tokens, registration, subscriptions
// and shares are gone.  Jobs it still owed work on (direct jobs not yet finished, held jobs
// it acknowledged but never completed) are aborted with aborted-by-system,
// as Universal Print ends the print queue of a deleted printer: the cloud
// cannot know how much was printed, so offering them again could print
// twice.  Held jobs nobody acquired stay on their pull printer.  Finished
// jobs keep their history.  Call with the tenant locked.
//

bool					// O - `false` if there is no such device
csTenantDeleteDevice(cs_tenant_t *tenant,
					// I - Tenant
                     const char  *id)	// I - Device id
{
  cs_device_t	*dev = csTenantFindDevice(tenant, id);
					// Device
  char		devid[CS_UUID_LEN];	// Copy of the id
  size_t	i, j;			// Looping vars


  if (!dev)
    return (false);

  snprintf(devid, sizeof(devid), "%s", dev->id);

  for (i = 0; i < tenant->num_jobs; i ++)
  {
    cs_job_t *job = tenant->jobs[i];	// Job

    if (csJobIsTerminal(job) || (strcasecmp(job->printer, devid) && strcasecmp(job->acquired_by, devid)))
      continue;

    for (j = 0; j < job->num_reasons; j ++)
      free(job->reasons[j]);
    free(job->reasons);
    job->num_reasons = 0;
    if ((job->reasons = calloc(1, sizeof(char *))) != NULL && (job->reasons[0] = strdup("aborted-by-system")) != NULL)
      job->num_reasons = 1;

    job->state     = IPP_JSTATE_ABORTED;
    job->fetchable = false;
    csJobSetString(&job->message, "The printer was deleted before the job completed.");
    csJobAddEvent(job, "aborted", devid, "printer deleted");
  }

  for (i = 0, j = 0; i < tenant->num_shares; i ++)
  {
    cs_share_t *share = tenant->shares[i];
					// Share

    if (!strcasecmp(share->printer, devid))
    {
      free(share->name);
      csAccessFree(&share->access);
      free(share);
    }
    else
      tenant->shares[j ++] = share;
  }
  tenant->num_shares = j;

  for (i = 0, j = 0; i < tenant->num_tokens; i ++)
  {
    if (strcasecmp(tenant->tokens[i].device, devid))
      tenant->tokens[j ++] = tenant->tokens[i];
  }
  tenant->num_tokens = j;

  for (i = 0, j = 0; i < tenant->num_regs; i ++)
  {
    cs_registration_t *reg = tenant->regs[i];
					// Registration

    if (!strcasecmp(reg->device_id, devid))
    {
      free(reg->name);
      free(reg->manufacturer);
      free(reg->model);
      X509_REQ_free(reg->csr);
      free(reg);
    }
    else
      tenant->regs[j ++] = reg;
  }
  tenant->num_regs = j;

  // Its subscriptions go too (long polls look them up again by id).
  for (i = 0, j = 0; i < tenant->num_subs; i ++)
  {
    if (!strcasecmp(tenant->subs[i]->device, devid))
      free(tenant->subs[i]);
    else
      tenant->subs[j ++] = tenant->subs[i];
  }
  tenant->num_subs = j;

  // Members named by id die with the device; names may be reused.
  for (i = 0; i < tenant->num_pulls; i ++)
  {
    cs_pull_t *pull = tenant->pulls[i];	// Pull printer
    size_t    k;			// Looping var

    for (j = 0, k = 0; j < pull->num_members; j ++)
    {
      if (!strcasecmp(pull->members[j], devid))
        free(pull->members[j]);
      else
        pull->members[k ++] = pull->members[j];
    }
    pull->num_members = k;
  }

  for (i = 0; i < tenant->num_devices; i ++)
  {
    if (tenant->devices[i] == dev)
    {
      memmove(tenant->devices + i, tenant->devices + i + 1, (tenant->num_devices - i - 1) * sizeof(cs_device_t *));
      tenant->num_devices --;
      break;
    }
  }

  free(dev->name);
  free(dev->manufacturer);
  free(dev->model);
  X509_free(dev->cert);
  free(dev->cert_pem);
  ippDelete(dev->attrs);
  json_object_put(dev->graph);
  free(dev->identify_message);
  free(dev);

  tenant->dirty = true;

  return (true);
}


//
// 'csTenantExpireTokens()' - Expire every access token now (fault injection).
//

void
csTenantExpireTokens(cs_tenant_t *tenant)
					// I - Tenant
{
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_tokens; i ++)
    tenant->tokens[i].expires = 0;

  tenant->dirty = true;
}


//
// 'csTenantCheckToken()' - Look up a live access token.
//

bool					// O - `true` if valid and unexpired
csTenantCheckToken(cs_tenant_t *tenant,	// I - Tenant
                   const char  *value,	// I - Token
                   char        *device,	// O - Device id
                   size_t      devsize)	// I - Size of device buffer
{
  time_t	now = time(NULL);	// Current time
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_tokens; i ++)
  {
    if (tenant->tokens[i].device[0] && !strcmp(tenant->tokens[i].value, value) && tenant->tokens[i].expires > now)
    {
      snprintf(device, devsize, "%s", tenant->tokens[i].device);
      return (true);
    }
  }

  return (false);
}


//
// 'csTenantCreate()' - Create a tenant with the default pull printer.
//

cs_tenant_t *				// O - Tenant or `NULL`
csTenantCreate(const char *state_dir,	// I - State directory
               const char *admin_token)	// I - Admin bearer token
{
  cs_tenant_t	*tenant;		// Tenant
  char		docdir[1024];		// Document directory


  if (mkdir(state_dir, 0700) && errno != EEXIST)
  {
    fprintf(stderr, "upa-cloudsim: cannot create state directory \"%s\": %s\n", state_dir, strerror(errno));
    return (NULL);
  }

  snprintf(docdir, sizeof(docdir), "%s/documents", state_dir);
  if (mkdir(docdir, 0700) && errno != EEXIST)
  {
    fprintf(stderr, "upa-cloudsim: cannot create \"%s\": %s\n", docdir, strerror(errno));
    return (NULL);
  }

  if ((tenant = calloc(1, sizeof(cs_tenant_t))) == NULL)
    return (NULL);

  pthread_mutex_init(&tenant->lock, NULL);
  pthread_cond_init(&tenant->changed, NULL);
  csUUID(tenant->id, sizeof(tenant->id));
  csUUID(tenant->client_id, sizeof(tenant->client_id));
  tenant->admin_token       = strdup(admin_token);
  tenant->docdir            = strdup(docdir);
  tenant->start_time        = time(NULL);
  tenant->next_job_id       = CS_FIRST_JOB_ID;
  tenant->next_sub_id       = 1;
  tenant->badges_enabled    = true;
  tenant->badges_permission = true;

  snprintf(docdir, sizeof(docdir), "%s/state.json", state_dir);
  tenant->state_file = strdup(docdir);

  // A saved state restores the tenant ids, devices, jobs and configuration.
  if (!csTenantLoad(tenant))
  {
    csTenantDelete(tenant);
    return (NULL);
  }

  // Every registered device is a member of the default pull printer.
  if (!csTenantFindPull(tenant, CS_PULL_ID) && !csTenantAddPull(tenant, CS_PULL_ID, "Pull Printer"))
  {
    csTenantDelete(tenant);
    return (NULL);
  }

  tenant->dirty = true;

  return (tenant);
}


//
// 'csTenantAddPull()' - Add a pull printer (all devices, all users).
//

cs_pull_t *				// O - Pull printer or `NULL`
csTenantAddPull(cs_tenant_t *tenant,	// I - Tenant
                const char  *id,	// I - Printer id
                const char  *name)	// I - Display name
{
  cs_pull_t	*pull;			// Pull printer


  if (!grow(&tenant->pulls, tenant->num_pulls, sizeof(cs_pull_t *)) || (pull = calloc(1, sizeof(cs_pull_t))) == NULL)
    return (NULL);

  snprintf(pull->id, sizeof(pull->id), "%s", id);
  pull->name        = strdup(name);
  pull->all_devices = true;
  pull->access.all  = true;

  tenant->pulls[tenant->num_pulls ++] = pull;
  tenant->dirty = true;

  return (pull);
}


//
// 'csTenantCreateDocument()' - Reserve a job-id and create its document file.
//

int					// O - File descriptor or -1
csTenantCreateDocument(
    cs_tenant_t *tenant,		// I - Tenant
    int         *id,			// O - Reserved job-id
    char        **path)			// O - Document path (malloc'd)
{
  char	buf[1100];			// Path
  int	fd;				// File


  csTenantLock(tenant);
  *id = tenant->next_job_id ++;
  tenant->dirty = true;			// Ids must not repeat after a restart
  csTenantUnlock(tenant);

  snprintf(buf, sizeof(buf), "%s/%d-1.doc", tenant->docdir, *id);

  if ((fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
  {
    *path = NULL;
    return (-1);
  }

  *path = strdup(buf);

  return (fd);
}


//
// 'csTenantDelete()' - Free a tenant (documents stay on disk).
//

void
csTenantDelete(cs_tenant_t *tenant)	// I - Tenant or `NULL`
{
  size_t	i, j;			// Looping vars


  if (!tenant)
    return;

  for (i = 0; i < tenant->num_subs; i ++)
    free(tenant->subs[i]);

  for (i = 0; i < tenant->num_users; i ++)
  {
    free(tenant->users[i]->upn);
    free(tenant->users[i]);
  }

  for (i = 0; i < tenant->num_shares; i ++)
  {
    free(tenant->shares[i]->name);
    csAccessFree(&tenant->shares[i]->access);
    free(tenant->shares[i]);
  }

  for (i = 0; i < tenant->num_badges; i ++)
  {
    free(tenant->badges[i]->badge);
    free(tenant->badges[i]->upn);
    free(tenant->badges[i]->collection);
    free(tenant->badges[i]);
  }

  for (i = 0; i < tenant->num_collections; i ++)
    free(tenant->collections[i]);

  for (i = 0; i < tenant->num_regs; i ++)
  {
    free(tenant->regs[i]->name);
    free(tenant->regs[i]->manufacturer);
    free(tenant->regs[i]->model);
    X509_REQ_free(tenant->regs[i]->csr);
    free(tenant->regs[i]);
  }

  for (i = 0; i < tenant->num_devices; i ++)
  {
    free(tenant->devices[i]->name);
    free(tenant->devices[i]->manufacturer);
    free(tenant->devices[i]->model);
    X509_free(tenant->devices[i]->cert);
    free(tenant->devices[i]->cert_pem);
    ippDelete(tenant->devices[i]->attrs);
    json_object_put(tenant->devices[i]->graph);
    free(tenant->devices[i]->identify_message);
    free(tenant->devices[i]);
  }

  for (i = 0; i < tenant->num_pulls; i ++)
  {
    for (j = 0; j < tenant->pulls[i]->num_members; j ++)
      free(tenant->pulls[i]->members[j]);
    free(tenant->pulls[i]->members);
    free(tenant->pulls[i]->name);
    csAccessFree(&tenant->pulls[i]->access);
    free(tenant->pulls[i]);
  }

  for (i = 0; i < tenant->num_jobs; i ++)
    csJobDelete(tenant->jobs[i]);

  for (i = 0; i < tenant->num_devcodes; i ++)
  {
    free(tenant->devcodes[i]->scope);
    free(tenant->devcodes[i]);
  }

  for (i = 0; i < tenant->num_refresh; i ++)
    free(tenant->refresh[i].scope);

  free(tenant->devcodes);
  free(tenant->refresh);
  free(tenant->subs);
  free(tenant->users);
  free(tenant->shares);
  free(tenant->badges);
  free(tenant->collections);
  free(tenant->state_file);
  free(tenant->regs);
  free(tenant->devices);
  free(tenant->pulls);
  free(tenant->jobs);
  free(tenant->nonces);
  free(tenant->tokens);
  free(tenant->admin_token);
  free(tenant->docdir);
  pthread_cond_destroy(&tenant->changed);
  pthread_mutex_destroy(&tenant->lock);
  free(tenant);
}


//
// 'csTenantFindDevice()' - Find a device by id (case-insensitive).
//

cs_device_t *				// O - Device or `NULL`
csTenantFindDevice(cs_tenant_t *tenant,	// I - Tenant
                   const char  *id)	// I - Device id
{
  size_t	i;			// Looping var


  for (i = 0; id && i < tenant->num_devices; i ++)
  {
    if (!strcasecmp(tenant->devices[i]->id, id))
      return (tenant->devices[i]);
  }

  return (NULL);
}


//
// 'csTenantFindDeviceByCert()' - Find the device a certificate was issued to.
//

cs_device_t *				// O - Device or `NULL`
csTenantFindDeviceByCert(
    cs_tenant_t *tenant,		// I - Tenant
    X509        *cert)			// I - Certificate
{
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_devices; i ++)
  {
    if (tenant->devices[i]->cert && !X509_cmp(tenant->devices[i]->cert, cert))
      return (tenant->devices[i]);
  }

  return (NULL);
}


//
// 'csTenantFindJob()' - Find a job by id.
//

cs_job_t *				// O - Job or `NULL`
csTenantFindJob(cs_tenant_t *tenant,	// I - Tenant
                int         id)		// I - Job id
{
  size_t	lo = 0,			// Low index
		hi = tenant->num_jobs;	// High index (exclusive)


  while (lo < hi)
  {
    size_t mid = (lo + hi) / 2;		// Middle index

    if (tenant->jobs[mid]->id == id)
      return (tenant->jobs[mid]);
    else if (tenant->jobs[mid]->id < id)
      lo = mid + 1;
    else
      hi = mid;
  }

  return (NULL);
}


//
// 'csTenantFindPull()' - Find a pull printer by id.
//

cs_pull_t *				// O - Pull printer or `NULL`
csTenantFindPull(cs_tenant_t *tenant,	// I - Tenant
                 const char  *id)	// I - Printer id
{
  size_t	i;			// Looping var


  for (i = 0; id && i < tenant->num_pulls; i ++)
  {
    if (!strcmp(tenant->pulls[i]->id, id))
      return (tenant->pulls[i]);
  }

  return (NULL);
}


//
// 'csTenantFindRegistration()' - Find a registration by id.
//

cs_registration_t *			// O - Registration or `NULL`
csTenantFindRegistration(
    cs_tenant_t *tenant,		// I - Tenant
    const char  *id)			// I - registration_id
{
  size_t	i;			// Looping var


  for (i = 0; id && i < tenant->num_regs; i ++)
  {
    if (!strcmp(tenant->regs[i]->id, id))
      return (tenant->regs[i]);
  }

  return (NULL);
}


//
// 'csTenantLock()' - Lock a tenant.
//

void
csTenantLock(cs_tenant_t *tenant)	// I - Tenant
{
  pthread_mutex_lock(&tenant->lock);
  csTenantExpire(tenant);
}


//
// 'csTenantExpire()' - Drop held jobs older than the retention time.
//
// An expired held job is gone: its document is deleted and IPP answers
// client-error-not-found for it.  Call with the tenant locked.
//

void
csTenantExpire(cs_tenant_t *tenant)	// I - Tenant
{
  time_t	now = time(NULL);	// Current time
  size_t	i, j;			// Looping vars


  if (tenant->retention <= 0)
    return;

  for (i = 0, j = 0; i < tenant->num_jobs; i ++)
  {
    cs_job_t *job = tenant->jobs[i];	// Job

    if (csJobIsReleasable(job) && job->created + tenant->retention <= now)
    {
      unlink(job->docpath);
      csJobDelete(job);
      tenant->dirty = true;
    }
    else
      tenant->jobs[j ++] = job;
  }

  tenant->num_jobs = j;
}


//
// 'csTenantUnlock()' - Unlock a tenant.
//

void
csTenantUnlock(cs_tenant_t *tenant)	// I - Tenant
{
  if (tenant->dirty)
  {
    struct timespec	ts;		// Current time
    long long		now;		// ... in ms

    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;

    // --save-interval: main() saves the rest when the interval is over
    if (tenant->save_interval <= 0 || now - tenant->last_save >= tenant->save_interval)
    {
      tenant->dirty     = false;
      tenant->last_save = now;
      csTenantSave(tenant);
    }
  }

  pthread_mutex_unlock(&tenant->lock);
}


//
// 'csTenantUseNonce()' - Consume a live nonce.
//

bool					// O - `true` if it was live and unused
csTenantUseNonce(cs_tenant_t *tenant,	// I - Tenant
                 const char  *value)	// I - Nonce
{
  time_t	now = time(NULL);	// Current time
  size_t	i;			// Looping var


  for (i = 0; i < tenant->num_nonces; i ++)
  {
    if (!strcmp(tenant->nonces[i].value, value))
    {
      bool live = tenant->nonces[i].expires > now;
					// Still valid?

      tenant->nonces[i] = tenant->nonces[-- tenant->num_nonces];
      tenant->dirty     = true;
      return (live);
    }
  }

  return (false);
}


//
// 'csGrow()' - Make room for one more element in a malloc'd array.
//

bool					// O - `true` on success
csGrow(void   *array,			// IO - Pointer to array pointer
       size_t count,			// I  - Current element count
       size_t size)			// I  - Element size
{
  return (grow(array, count, size));
}


//
// 'grow()' - Make room for one more element in a malloc'd array.
//
// "array" points to the array pointer; capacity doubles at powers of two.
//

static bool				// O - `true` on success
grow(void   *array,			// IO - Pointer to array pointer
     size_t count,			// I  - Current element count
     size_t size)			// I  - Element size
{
  void	**ptr = (void **)array;		// Array pointer
  void	*newptr;			// Reallocated array
  size_t newcount;			// New capacity


  // Capacity is the next power of two above count (at least 8): only
  // reallocate when count is 0 or has just reached a power of two >= 8.
  if (count != 0 && (count < 8 || (count & (count - 1))))
    return (true);

  newcount = count ? count * 2 : 8;

  if ((newptr = realloc(*ptr, newcount * size)) == NULL)
    return (false);

  *ptr = newptr;

  return (true);
}


//
// 'csJobDelete()' - Free a job (the document file stays).
//

void
csJobDelete(cs_job_t *job)		// I - Job
{
  size_t	i;			// Looping var


  for (i = 0; i < job->num_reasons; i ++)
    free(job->reasons[i]);

  for (i = 0; i < job->num_events; i ++)
  {
    free(job->events[i].what);
    free(job->events[i].reasons);
    free(job->events[i].message);
  }

  free(job->reasons);
  free(job->events);
  free(job->user);
  free(job->name);
  free(job->format);
  free(job->sides);
  free(job->media);
  free(job->color_mode);
  free(job->message);
  free(job->docpath);
  free(job->config);
  free(job->ranges);
  free(job->doc_name);
  free(job);
}
