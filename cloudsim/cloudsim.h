//
// Private header for upa-cloudsim, the local Universal Print emulator.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The emulator deliberately shares no code with libupa: it is built only on
// libcups' IPP codec, libmicrohttpd, OpenSSL and json-c, so that it cannot
// agree with a mistake the client makes.
//
// Model: a server holds one tenant.  A tenant owns registrations, devices
// (registered printers), users, pull printers (each with member devices and
// an access list), shares, badges, jobs, subscriptions, srv_challenge nonces,
// access tokens, and the OAuth device-code sign-ins and refresh tokens of
// its administrators.  All tenant state is guarded by the tenant mutex and
// saved to <state-dir>/state.json (persist.c) whenever it changes; document
// bytes live in files under the state directory and are never held in memory.
//

#ifndef CLOUDSIM_H
#  define CLOUDSIM_H
#  include <stdbool.h>
#  include <stddef.h>
#  include <stdint.h>
#  include <pthread.h>
#  include <time.h>
#  include <sys/types.h>
#  include <cups/ipp.h>
#  include <json-c/json.h>
#  include <openssl/x509.h>
#  include <microhttpd.h>


//
// Constants...
//

#  define CS_FIRST_JOB_ID	100000	// First job-id handed out
#  define CS_NONCE_TTL		300	// srv_challenge nonce lifetime in seconds
#  define CS_MAX_BODY		(1024 * 1024)
					// Cap for JSON/form bodies and IPP headers
#  define CS_MAX_DOCUMENT	((off_t)1024 * 1024 * 1024)
					// 1 GiB, the Universal Print job size limit
#  define CS_PULL_ID		"pull"	// Id of the default pull printer
#  define CS_RESOURCE_ID	"https://print.print.microsoft.com"
					// mcp_svc_resource_id value
#  define CS_REDIRECT_URI	"https://login.microsoftonline.com/common/oauth2/nativeclient"
					// printer_redirect_uri value
#  define CS_UUID_LEN		37	// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" + nul
#  define CS_PHANTOM_ID		"00000000-0000-4000-8000-00000000dead"
					// Device that "steals" jobs (fault)
#  define CS_MAX_NOTES		100	// Events kept per subscription
#  define CS_NOTIFY_WAIT	30	// Longest Get-Notifications hold in seconds


//
// Types...
//

typedef struct cs_ca_s cs_ca_t;		// Certificate authority (ca.c)
typedef struct cs_tenant_s cs_tenant_t;	// Tenant (below)

typedef struct cs_access_s		// Access list of a pull printer or share
{
  bool		all;			// Every user is allowed
  char		**users;		// Allowed UPNs when !all
  size_t	num_users;		// Number of UPNs
} cs_access_t;

typedef struct cs_user_s		// Tenant user
{
  char		*upn;			// User principal name
  char		id[CS_UUID_LEN];	// Object id (userId)
} cs_user_t;

typedef struct cs_badge_s		// Badge bound to a user
{
  char		*badge;			// Badge id
  char		*upn;			// Owner UPN
  char		*collection;		// Badge collection id
} cs_badge_t;

typedef struct cs_share_s		// Printer share (Graph)
{
  char		id[CS_UUID_LEN];	// Share id
  char		*name;			// displayName
  char		printer[64];		// Device or pull printer id
  bool		hold;			// holdJobsForSecureRelease
  cs_access_t	access;			// allowAllUsers / allowedUsers
  time_t	created;		// createdDateTime
} cs_share_t;

typedef struct cs_registration_s	// Pending or finished registration
{
  char		id[CS_UUID_LEN];	// registration_id
  int		polls_left;		// 202 answers still to give
  char		*name,			// Printer name
		*manufacturer,		// Manufacturer
		*model;			// Model
  X509_REQ	*csr;			// Verified certificate request
  char		device_id[CS_UUID_LEN];	// Device id once issued, else ""
} cs_registration_t;

typedef struct cs_device_s		// Registered printer (output device)
{
  char		id[CS_UUID_LEN];	// cloud_device_id
  char		*name,			// Printer name
		*manufacturer,		// Manufacturer
		*model;			// Model
  X509		*cert;			// Certificate issued at registration
  char		*cert_pem;		// Same, PEM encoded
  ipp_t		*attrs;			// Printer group from Update-Output-Device-Attributes
  int		token_requests;		// Access tokens issued to this device
  time_t	registered;		// Registration time
  bool		deregistered;		// Deregister-Output-Device received
  json_object	*graph;			// Graph-only properties (location, defaults, ...)
  bool		paused,			// Pause-Printer (cloud side: nothing is fetchable)
		disabled,		// Disable-Printer (not accepting jobs)
		hold_new,		// Hold-New-Jobs
		shutdown;		// Shutdown-Printer
  char		identify[128];		// Pending identify-actions (comma list) or ""
  char		*identify_message;	// Pending Identify-Printer message or NULL
} cs_device_t;

typedef struct cs_pull_s		// Pull (secure release) printer
{
  char		id[64];			// Printer id, used in ipps://HOST/printers/<id>
  char		*name;			// Display name
  bool		all_devices;		// Every registered device is a member
  char		**members;		// Member device ids or names when !all_devices
  size_t	num_members;		// Number of member ids
  cs_access_t	access;			// Users allowed to print here
} cs_pull_t;

typedef struct cs_event_s		// One entry in a job's history
{
  time_t	time;			// When
  char		*what;			// "created", "acknowledged", "status", ...
  char		device[CS_UUID_LEN];	// Device that caused it, or ""
  int		state;			// Job state after the event
  char		*reasons;		// Comma-separated reasons, or NULL
  char		*message;		// Message, or NULL
  int		impressions;		// job-impressions-completed, or -1
} cs_event_t;

typedef struct cs_range_s		// Received byte range of an upload
{
  off_t		first,			// First byte
		last;			// Last byte (inclusive)
} cs_range_t;

typedef struct cs_job_s			// Print job with one document
{
  cs_tenant_t	*tenant;		// Owning tenant
  int		id;			// job-id
  char		printer[64];		// CS_PULL_ID-style pull printer id or a device id
  bool		held;			// On a pull printer, waiting for release
  char		*user;			// Owner UPN
  char		*name;			// job-name and document-name
  char		*format;		// document-format
  int		copies;			// copies
  char		*sides,			// sides keyword or NULL
		*media,			// media keyword or NULL
		*color_mode;		// print-color-mode keyword or NULL
  char		*docpath;		// Document file
  off_t		size;			// Document size in bytes
  time_t	created;		// Creation time
  ipp_jstate_t	state;			// job-state
  bool		fetchable;		// job-fetchable
  char		acquired_by[CS_UUID_LEN];
					// Device that acknowledged it, or ""
  time_t	acknowledged;		// Acknowledge-Job time, or 0
  int		impressions;		// job-impressions-completed
  char		**reasons;		// Device-reported job state reasons
  size_t	num_reasons;		// Number of reasons
  char		*message;		// Device-reported state message, or NULL
  cs_event_t	*events;		// History
  size_t	num_events;		// Number of history entries
  bool		started;		// Submitted (Graph jobs: after start)
  time_t	ready;			// Not fetchable before this time (slow release)
  bool		fetchable_noted;	// job-fetchable event sent
  char		share[CS_UUID_LEN];	// Share it was submitted to, or ""
  char		*config;		// Graph configuration (JSON text) or NULL
  int		doc_state;		// output-device-document-state (0 = none)
  bool		doc_acked;		// Acknowledge-Document received
  off_t		expected;		// Graph upload: announced size (0 = unknown)
  cs_range_t	*ranges;		// Graph upload: received ranges
  size_t	num_ranges;		// Number of ranges
  char		upload[64];		// Graph upload session id or ""
  char		*doc_name;		// Graph document name or NULL
} cs_job_t;

typedef struct cs_note_s		// One event notification
{
  int		seq;			// notify-sequence-number
  time_t	time;			// When
  const char	*event;			// notify-subscribed-event
  int		job_id;			// notify-job-id
  int		job_state;		// job-state
} cs_note_t;

typedef struct cs_sub_s			// Printer subscription (ippget)
{
  int		id;			// notify-subscription-id
  char		device[CS_UUID_LEN];	// Owning device
  unsigned	events;			// CS_EV_* mask
  time_t	expires;		// Lease end (0 = never)
  int		lease;			// notify-lease-duration
  int		next_seq;		// Next sequence number
  int		job_id;			// Create-Job-Subscriptions job, or 0
  cs_note_t	notes[CS_MAX_NOTES];	// Ring of recent events
  size_t	num_notes;		// Events in the ring (oldest dropped)
} cs_sub_t;

#  define CS_EV_JOB_FETCHABLE	1	// job-fetchable
#  define CS_EV_JOB_STATE	2	// job-state-changed
#  define CS_EV_JOB_CONFIG	4	// job-config-changed
#  define CS_EV_PRINTER_CONFIG	8	// printer-config-changed
#  define CS_EV_PRINTER_STATE	16	// printer-state-changed
#  define CS_EV_DOC_STATE	32	// document-state-changed
#  define CS_EV_DOC_CONFIG	64	// document-config-changed

typedef struct cs_nonce_s		// srv_challenge nonce
{
  char		value[64];		// Nonce (base64url)
  time_t	expires;		// Expiry time
} cs_nonce_t;

typedef struct cs_token_s		// Device or user access token
{
  char		value[64];		// Opaque token (base64url)
  char		device[CS_UUID_LEN];	// Device it was issued to, or ""
  char		user[256];		// User it was issued to, or ""
  time_t	expires;		// Expiry time
  bool		admin;			// Delegated admin token (OAuth sign-in)
} cs_token_t;

#  define CS_DC_PENDING		0	// Device code: waiting for the user
#  define CS_DC_APPROVED	1	// Approved, token not yet collected
#  define CS_DC_DECLINED	2	// Declined by the user
#  define CS_DC_REDEEMED	3	// Token issued (the code is used up)
#  define CS_DC_MAX_POLLS	64	// Poll times kept per device code

typedef struct cs_devcode_s		// OAuth device authorization (RFC 8628)
{
  char		device_code[96];	// device_code (secret)
  char		user_code[16];		// user_code, "ABCD-EFGH"
  char		client_id[256];		// Application it was issued to
  char		tenant[128];		// Tenant segment of the request path
  char		*scope;			// Requested scope
  time_t	expires;		// Expiry time
  int		interval;		// Seconds required between polls (slow_down adds 5)
  int		state;			// CS_DC_*
  char		upn[256];		// Who approved or declined, or ""
  int		polls;			// Token requests so far
  int		slow_downs;		// slow_down answers so far
  bool		force_slow_down;	// Answer the next poll with slow_down (/sim/devicecode)
  double	last_poll;		// Arrival time of the last poll, 0 = none
  double	poll_times[CS_DC_MAX_POLLS];
					// Arrival times of the first polls (Unix time)
} cs_devcode_t;

typedef struct cs_refresh_s		// OAuth refresh token (single use: rotated)
{
  char		value[96];		// Token
  char		client_id[256];		// Application it was issued to
  char		upn[256];		// Signed-in user
  char		tenant[128];		// Tenant segment of the original request
  char		*scope;			// Granted scope
  time_t	issued;			// Issue time
} cs_refresh_t;

struct cs_tenant_s			// Tenant: everything one admin owns
{
  struct cs_server_s *server;		// Server (faults), or NULL
  pthread_mutex_t lock;			// Guards everything below
  char		id[CS_UUID_LEN];	// Tenant id (in device_token_url)
  char		client_id[CS_UUID_LEN];	// printer_client_id
  char		*admin_token;		// Admin bearer token
  char		*docdir;		// Document directory
  time_t	start_time;		// printer-up-time origin
  int		next_job_id;		// Next job-id
  cs_registration_t **regs;		// Registrations
  size_t	num_regs;		// Number of registrations
  cs_device_t	**devices;		// Devices
  size_t	num_devices;		// Number of devices
  cs_pull_t	**pulls;		// Pull printers
  size_t	num_pulls;		// Number of pull printers
  cs_job_t	**jobs;			// Jobs sorted by id
  size_t	num_jobs;		// Number of jobs
  cs_nonce_t	*nonces;		// Live nonces
  size_t	num_nonces;		// Number of nonces
  cs_token_t	*tokens;		// Live access tokens
  size_t	num_tokens;		// Number of tokens
  cs_user_t	**users;		// Users
  size_t	num_users;		// Number of users
  cs_share_t	**shares;		// Shares
  size_t	num_shares;		// Number of shares
  cs_badge_t	**badges;		// Badges
  size_t	num_badges;		// Number of badges
  char		**collections;		// Badge collection ids
  size_t	num_collections;	// Number of badge collections
  bool		badges_enabled;		// Tenant enabled for badge release
  bool		badges_permission;	// Device app holds PrintBadges.Read
  cs_sub_t	**subs;			// Subscriptions (not persisted)
  size_t	num_subs;		// Number of subscriptions
  int		next_sub_id;		// Next subscription id (persisted: ids are never reused)
  bool		keep_subs;		// --keep-subscriptions: subscriptions persist too
  pthread_cond_t changed;		// Signalled when events are added
  bool		stopping;		// Shutting down: end long polls
  bool		dirty;			// Needs saving
  int		save_interval;		// Save at most every N ms (0 = at every unlock)
  long long	last_save;		// When last saved (CLOCK_MONOTONIC ms)
  char		*state_file;		// <state-dir>/state.json
  int		retention;		// Held job lifetime in seconds (0 = forever)
  int		slow_release;		// Seconds before new jobs become fetchable
  cs_devcode_t	**devcodes;		// Device-code sign-ins (not persisted)
  size_t	num_devcodes;		// Number of device codes
  cs_refresh_t	*refresh;		// Live refresh tokens
  size_t	num_refresh;		// Number of refresh tokens
  int		devcode_requests,	// POSTs to .../oauth2/v2.0/devicecode
		devcode_polls,		// device_code grant requests
		refresh_requests;	// refresh_token grant requests
};

typedef struct cs_fault_s		// One armed fault
{
  int		id;			// Fault id
  char		kind[24];		// http, ipp-busy, steal, drop, register-stuck, delay,
					// commit, nocommit, doc-short, doc-cut, doc-stall, trickle, dup-groups
  char		cls[24];		// Endpoint class: ipp, token, oauth, register, graph, badge, upload, any
  int		op;			// IPP operation (0 = any)
  int		status;			// HTTP status (http; commit/nocommit answer=status)
  int		retry_after;		// Retry-After seconds (0 = none)
  int		count;			// Requests left (-1 = until cleared)
  long		bytes;			// drop, doc-short, doc-cut, doc-stall: document bytes sent (-1 = half)
  int		seconds;		// delay, answer=slow, doc-stall: seconds to wait
  char		answer[16];		// commit/nocommit: cut, truncate, badlength, garbage,
					// html, noend, status, slow or internal-error
  int		ipp_status;		// answer=internal-error: IPP status code
  bool		chunked;		// doc-short/doc-cut: chunked (else Content-Length)
  long		rate;			// trickle: bytes per second
  int		repeat;			// dup-groups: copies of each job group
  bool		no_job_id;		// dup-groups: job groups without job-id
} cs_fault_t;

typedef struct cs_limits_s		// Service limits (0 = off)
{
  int		jobs_per_10min;		// Jobs created per printer in 10 minutes
  int		concurrent;		// Active jobs per printer
  int		per_user;		// Active jobs per user per printer
} cs_limits_t;

typedef struct cs_server_s		// Server configuration and state
{
  char		hostport[280];		// "host:port" for URLs (brackets for IPv6)
  char		base_url[300];		// "https://host:port"
  const char	*state_dir;		// --state-dir
  const char	*ca_dir;		// --ca-dir
  int		token_lifetime;		// --token-lifetime
  int		register_polls;		// --register-polls
  int		connection_limit;	// --connection-limit
  bool		strict_ack_first;	// --strict-ack-first
  bool		profile_pwg;		// --profile pwg (pwg.c)
  const char	*basic_auth;		// --basic-auth USER:PASSWORD or NULL
  int		verbosity;		// -v count
  cs_ca_t	*ca;			// Certificate authority
  cs_tenant_t	*tenant;		// The (only) tenant
  pthread_mutex_t fault_lock;		// Guards faults
  cs_fault_t	*faults;		// Armed faults
  size_t	num_faults;		// Number of faults
  int		next_fault_id;		// Next fault id
  int		faults_fired;		// Fault firings since start
  int		faults_fired_by_kind[16];
					// The same per kind (fault.c's order)
  cs_limits_t	limits;			// Service limits
  const char	*tenant_config;		// --tenant-config file or NULL
  int		devcode_approve_after;	// --devicecode-approve-after (0 = never)
  int		devcode_interval;	// --devicecode-interval
  int		devcode_lifetime;	// --devicecode-lifetime
  int		user_token_lifetime;	// --user-token-lifetime
  const char	*client_ids[16];	// --oauth-client-id values (none = any)
  int		num_client_ids;		// Number of --oauth-client-id values
} cs_server_t;

typedef enum cs_body_e			// What to do with a request body
{
  CS_BODY_NONE,				// No body expected: discard
  CS_BODY_BUFFER,			// Buffer up to CS_MAX_BODY (JSON, form)
  CS_BODY_FILE,				// Stream to a document file (/sim/jobs)
  CS_BODY_IPP				// IPP header, then maybe a document
} cs_body_t;

typedef struct cs_request_s		// One HTTP request in progress
{
  cs_server_t	*server;		// Server
  struct MHD_Connection *conn;		// Connection
  char		*method;		// HTTP method
  char		*path;			// URL path (no query)
  char		client[64];		// Client address for the log
  cs_body_t	mode;			// Body handling
  int		http_error;		// Early error (401, 400, ...) or 0
  unsigned	http_status;		// Status sent, for the log
  char		*error_desc;		// Description for http_error
  unsigned char	*buf;			// Buffered body / IPP header bytes
  size_t	buflen,			// Bytes in buf
		bufsize;		// Allocated size of buf
  bool		too_large;		// Buffered body exceeded the cap
  ipp_t		*ipp;			// Parsed IPP request, or NULL
  bool		ipp_error;		// Malformed IPP header
  int		docfd;			// Document file or -1
  char		*docpath;		// Document file path
  int		docid;			// Reserved job-id for the document
  off_t		doclen;			// Document bytes written
  bool		doc_failed;		// Write to the document failed
  char		device[CS_UUID_LEN];	// Authenticated device (IPP), or ""
  bool		is_admin;		// Admin bearer on the IPP endpoint
  const char	*opname;		// IPP operation name for the log
  ipp_status_t	ipp_status;		// IPP status for the log
  bool		has_ipp_status;		// ipp_status valid
  bool		compat;			// Arrived on the --ipptool-listen port
  char		user[256];		// Authenticated user (user token), or ""
  off_t		range_first,		// Upload PUT: first byte of Content-Range
		range_last,		// Upload PUT: last byte
		range_total;		// Upload PUT: total size (-1 = *)
  long		drop_bytes;		// Fetch-Document: stop after this many document bytes (-1 = never)
  bool		drop_close;		// At drop_bytes: close the connection (else end the body cleanly)
  bool		doc_length;		// Fetch-Document: send a Content-Length instead of chunks
  long		rate;			// Answer at this many bytes per second (0 = full speed)
  long		stall_bytes;		// Fetch-Document: pause after this many document bytes (-1 = never)
  int		stall_seconds;		// ... for this long
} cs_request_t;


//
// ca.c
//

extern cs_ca_t	*csCALoad(const char *dir);
extern void	csCADelete(cs_ca_t *ca);
extern const char *csCAServerCert(cs_ca_t *ca);
extern const char *csCAServerKey(cs_ca_t *ca);
extern X509_REQ	*csCAParseCSR(const unsigned char *der, size_t derlen, char *err, size_t errsize);
extern X509	*csCAIssue(cs_ca_t *ca, X509_REQ *csr, const char *cn);
extern bool	csCAVerify(cs_ca_t *ca, X509 *cert);
extern char	*csCAPEM(X509 *cert);

//
// form.c
//

typedef struct cs_form_s		// Decoded x-www-form-urlencoded body
{
  size_t	count;			// Number of pairs
  char		**names,		// Names
		**values;		// Values
} cs_form_t;

extern cs_form_t *csFormParse(const char *data, size_t len);
extern const char *csFormGet(cs_form_t *form, const char *name);
extern void	csFormDelete(cs_form_t *form);
extern bool	csURLDecode(const char *in, size_t inlen, char *out, size_t outsize);

//
// http.c
//

extern struct MHD_Daemon *csHTTPStart(cs_server_t *server, const struct sockaddr *addr, bool compat);
extern enum MHD_Result csHTTPRespondHeaders(cs_request_t *req, unsigned status, json_object *obj, const char *name, const char *value);
extern json_object *csHTTPBodyJSON(cs_request_t *req);
extern const char *csHTTPHeader(cs_request_t *req, const char *name);
extern const char *csHTTPArg(cs_request_t *req, const char *name);
extern const char *csHTTPBearer(cs_request_t *req);
extern bool	csHTTPIsAdmin(cs_request_t *req);
extern bool	csHTTPIsStaticAdmin(cs_request_t *req);
extern enum MHD_Result csHTTPRespond(cs_request_t *req, unsigned status, const char *type, const void *data, size_t len);
extern enum MHD_Result csHTTPRespondJSON(cs_request_t *req, unsigned status, json_object *obj);
extern enum MHD_Result csHTTPRespondError(cs_request_t *req, unsigned status, const char *error, const char *desc);
extern enum MHD_Result csHTTPRespondIPP(cs_request_t *req, ipp_t *response, int docfd);
extern enum MHD_Result csHTTPRespondPartial(cs_request_t *req, const char *type, const void *data, size_t len, size_t send, size_t announced);
extern unsigned char *csHTTPEncodeIPP(ipp_t *ipp, size_t *len);
extern bool	csHTTPWait(cs_server_t *server, int seconds);

//
// ipp.c / infra.c
//

extern enum MHD_Result csIPPHandle(cs_request_t *req);
extern void	csIPPAuthorize(cs_request_t *req);
extern bool	csPWGAuthorize(cs_request_t *req);
extern ipp_t	*csPWGCheckRequest(ipp_t *request);
extern bool	csIPPWantsDocument(cs_request_t *req);
extern ipp_t	*csInfraHandle(cs_request_t *req, ipp_t *request, int *docfd);
extern int	csIPPPrinterId(ipp_t *request, char *id, size_t idsize);
extern const char *csIPPUserUPN(ipp_t *request, bool *present);
extern void	csIPPAddJobAttrs(cs_server_t *server, cs_job_t *job, ipp_t *ipp);
extern void	csIPPCopyRequested(ipp_t *dst, ipp_t *src, ipp_t *request, const char *defaults);
extern ipp_t	*csIPPResponse(ipp_t *request, ipp_status_t status, const char *message);
extern void	csIPPPrinterAttrs(cs_server_t *server, const char *printer, ipp_t *attrs);
extern int	csIPPOperations(int *ops, int max);
extern ipp_t	*csIPPPrintJob(cs_request_t *req, ipp_t *request);

//
// badge.c
//

extern enum MHD_Result csBadgeHandle(cs_request_t *req);

//
// fault.c
//

extern json_object *csFaultParseSpec(const char *spec);
extern int	csFaultAdd(cs_server_t *server, json_object *spec, char *err, size_t errsize);
extern bool	csFaultTake(cs_server_t *server, const char *kind, const char *cls, int op, cs_fault_t *fault);
extern json_object *csFaultList(cs_server_t *server);
extern json_object *csFaultFired(cs_server_t *server);
extern void	csFaultClear(cs_server_t *server);
extern enum MHD_Result csFaultRespond(cs_request_t *req, cs_fault_t *fault);
extern enum MHD_Result csFaultAnswer(cs_request_t *req, cs_fault_t *fault, ipp_t *request, ipp_t *response, int docfd);
extern ipp_t	*csFaultDupGroups(ipp_t *response, cs_fault_t *fault);

//
// graph.c / graphjob.c
//

typedef struct cs_graph_s		// Graph request context (graph.c, graphjob.c)
{
  cs_request_t	*req;			// HTTP request
  cs_server_t	*server;		// Server
  cs_tenant_t	*tenant;		// Tenant (locked)
  bool		app;			// Application permission (device token)
  char		device[CS_UUID_LEN];	// Device for application tokens
  char		user[256];		// User for user tokens ("" for the admin)
  json_object	*body;			// JSON body or NULL
} cs_graph_t;

extern enum MHD_Result csGraphHandle(cs_request_t *req);
extern enum MHD_Result csGraphError(cs_request_t *req, unsigned status, const char *code, const char *message);
extern cs_body_t csGraphBodyMode(cs_request_t *req);
extern json_object *csGraphJob(cs_server_t *server, cs_job_t *job);
extern enum MHD_Result csGraphCreateJob(cs_graph_t *ctx, cs_share_t *share, unsigned *status, json_object **obj);
extern enum MHD_Result csGraphCreateUpload(cs_graph_t *ctx, cs_job_t *job, json_object **obj, unsigned *status);
extern enum MHD_Result csGraphUpload(cs_request_t *req);

//
// jobops.c
//

extern ipp_t	*csJobOpsHandle(cs_request_t *req, ipp_t *request);
extern bool	csJobOpsSupports(ipp_op_t op);

//
// notify.c
//

extern void	csNotify(cs_tenant_t *tenant, cs_job_t *job, unsigned event);
extern void	csNotifyPoll(cs_tenant_t *tenant);
extern ipp_t	*csNotifyHandle(cs_server_t *server, cs_tenant_t *tenant, const char *device, ipp_t *request);
extern void	csNotifyStop(cs_tenant_t *tenant);

//
// oauth.c
//

extern enum MHD_Result csOAuthHandle(cs_request_t *req);
extern bool	csOAuthIsPath(const char *path);
extern enum MHD_Result csOAuthSim(cs_request_t *req);

//
// persist.c
//

extern bool	csTenantLoad(cs_tenant_t *tenant);
extern bool	csTenantSave(cs_tenant_t *tenant);

//
// tenant.c
//

extern bool	csTenantConfigure(cs_tenant_t *tenant, json_object *config, char *err, size_t errsize);
extern json_object *csTenantJSON(cs_tenant_t *tenant);
extern bool	csAccessAllows(cs_access_t *access, const char *upn);
extern void	csAccessSet(cs_access_t *access, json_object *users);
extern void	csAccessFree(cs_access_t *access);
extern json_object *csAccessJSON(cs_access_t *access);
extern cs_user_t *csTenantUser(cs_tenant_t *tenant, const char *upn, bool create);
extern cs_user_t *csTenantFindUserId(cs_tenant_t *tenant, const char *id);
extern cs_share_t *csTenantFindShare(cs_tenant_t *tenant, const char *id);
extern cs_share_t *csTenantAddShare(cs_tenant_t *tenant, const char *name, const char *printer);
extern cs_badge_t *csTenantFindBadge(cs_tenant_t *tenant, const char *badge);
extern cs_badge_t *csTenantSetBadge(cs_tenant_t *tenant, const char *badge, const char *upn, const char *collection);
extern bool	csTenantDeleteBadge(cs_tenant_t *tenant, const char *badge);
extern cs_access_t *csJobAccess(cs_tenant_t *tenant, cs_job_t *job);
extern bool	csJobVisibleTo(cs_tenant_t *tenant, cs_job_t *job, cs_device_t *dev);
extern int	csTenantCheckLimits(cs_server_t *server, const char *printer, const char *user, int *retry_after);
extern bool	csTenantMayPrint(cs_tenant_t *tenant, const char *printer, const char *share, const char *user);

//
// register.c
//

extern enum MHD_Result csRegisterHandle(cs_request_t *req);

//
// sim.c
//

extern enum MHD_Result csSimHandle(cs_request_t *req);
extern bool	csSimWantsDocument(cs_request_t *req);

//
// store.c
//

extern cs_tenant_t *csTenantCreate(const char *state_dir, const char *admin_token);
extern bool	csJobIsReleasable(cs_job_t *job);
extern void	csTenantDelete(cs_tenant_t *tenant);
extern void	csTenantLock(cs_tenant_t *tenant);
extern void	csTenantUnlock(cs_tenant_t *tenant);
extern cs_device_t *csTenantFindDevice(cs_tenant_t *tenant, const char *id);
extern cs_device_t *csTenantFindDeviceByCert(cs_tenant_t *tenant, X509 *cert);
extern cs_device_t *csTenantAddDevice(cs_tenant_t *tenant, const char *name, const char *manufacturer, const char *model, X509 *cert);
extern cs_device_t *csTenantAddOutputDevice(cs_tenant_t *tenant, const char *id, const char *name);
extern cs_pull_t *csTenantFindPull(cs_tenant_t *tenant, const char *id);
extern bool	csPullHasMember(cs_pull_t *pull, cs_device_t *dev);
extern cs_pull_t *csTenantAddPull(cs_tenant_t *tenant, const char *id, const char *name);
extern void	csTenantExpire(cs_tenant_t *tenant);
extern bool	csGrow(void *array, size_t count, size_t size);
extern void	csTenantAddUserToken(cs_tenant_t *tenant, const char *value, const char *user, time_t expires);
extern void	csTenantAddAdminToken(cs_tenant_t *tenant, const char *value, const char *user, time_t expires);
extern bool	csTenantCheckAdminToken(cs_tenant_t *tenant, const char *value, char *user, size_t usersize);
extern cs_refresh_t *csTenantAddRefresh(cs_tenant_t *tenant, const char *value, const char *client_id, const char *upn, const char *tenant_name, const char *scope, time_t issued);
extern void	csTenantDeleteRefresh(cs_tenant_t *tenant, cs_refresh_t *refresh);
extern bool	csTenantDeleteDevice(cs_tenant_t *tenant, const char *id);
extern bool	csTenantCheckUserToken(cs_tenant_t *tenant, const char *value, char *user, size_t usersize);
extern void	csTenantExpireTokens(cs_tenant_t *tenant);
extern void	csJobDelete(cs_job_t *job);
extern cs_registration_t *csTenantAddRegistration(cs_tenant_t *tenant, const char *name, const char *manufacturer, const char *model, X509_REQ *csr, int polls);
extern cs_registration_t *csTenantFindRegistration(cs_tenant_t *tenant, const char *id);
extern int	csTenantCreateDocument(cs_tenant_t *tenant, int *id, char **path);
extern cs_job_t	*csTenantAddJob(cs_tenant_t *tenant, int id, const char *printer, bool held, const char *user, const char *name, const char *format, const char *docpath, off_t size);
extern cs_job_t	*csTenantFindJob(cs_tenant_t *tenant, int id);
extern bool	csJobIsFetchable(cs_job_t *job);
extern bool	csJobIsTerminal(cs_job_t *job);
extern void	csJobSetString(char **field, const char *value);
extern void	csJobSetReasons(cs_job_t *job, ipp_attribute_t *attr);
extern void	csJobAddEvent(cs_job_t *job, const char *what, const char *device, const char *message);
extern void	csTenantAddNonce(cs_tenant_t *tenant, const char *value);
extern bool	csTenantUseNonce(cs_tenant_t *tenant, const char *value);
extern void	csTenantAddToken(cs_tenant_t *tenant, const char *value, const char *device, time_t expires);
extern bool	csTenantCheckToken(cs_tenant_t *tenant, const char *value, char *device, size_t devsize);

//
// token.c
//

extern enum MHD_Result csTokenHandle(cs_request_t *req);

//
// util.c
//

extern void	csLog(cs_server_t *server, int level, const char *format, ...) __attribute__((format(printf, 3, 4)));
extern void	csUUID(char *buf, size_t bufsize);
extern bool	csRandomToken(char *buf, size_t bufsize, size_t nbytes);
extern char	*csBase64Encode(const unsigned char *data, size_t len, bool url);
extern unsigned char *csBase64Decode(const char *in, size_t inlen, bool url, size_t *outlen);
extern char	*csISOTime(time_t t, char *buf, size_t bufsize);
extern bool	csStrPrefix(const char *s, const char *prefix);

#endif // !CLOUDSIM_H
