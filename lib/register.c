//
// Printer registration with Universal Print (protocol.md §2): key, CSR, /register, polling.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The key pair is made here and never leaves the device folder; the service
// gets a PKCS#10 CSR and the public key ("transport_key", SPKI DER) and
// returns the certificate plus the identity fields the device token needs.
// Nothing is written before the service said yes, and a failure while
// writing removes everything written, so the device store never holds half
// a device.
//

#include "upa-private.h"
#include "graph.h"
#include "sync.h"
#include <fcntl.h>
#include <grp.h>
#include <time.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define UPA_REG_DEFAULT_WAIT	300	// Seconds to poll a 202 by default
#define UPA_REG_DEFAULT_INTERVAL 3	// Poll interval when the service gives none
#define UPA_REG_REDIRECT_URI	"https://login.microsoftonline.com/common/oauth2/nativeclient"
					// Fallback printer_redirect_uri (Microsoft's sample)


//
// Local functions...
//

static char		*reg_base64(const unsigned char *data, int len);
static json_object	*reg_build_body(const upa_regparams_t *params, const char *name, EVP_PKEY *key);
static bool		reg_error(const upa_http_response_t *resp, const char *host);
static upa_device_t	*reg_output_device(const upa_config_t *cfg, const upa_regparams_t *params);
static const char	*reg_get_string(json_object *json, const char *key);
static EVP_PKEY		*reg_keygen(void);
static bool		reg_write_pem(const upa_config_t *cfg, const char *path, mode_t mode, bool group, EVP_PKEY *key, X509 *cert);


//
// 'upaRegisterPrinter()' - Register a printer and store it in the device store.
//

upa_device_t *				// O - New device or `NULL`
upaRegisterPrinter(
    const upa_config_t     *cfg,	// I - Configuration
    const upa_regparams_t  *params)	// I - What to register
{
  EVP_PKEY		*key = NULL;	// New key pair
  X509			*cert = NULL;	// Issued certificate
  BIO			*bio = NULL;	// Certificate reader
  json_object		*body = NULL,	// Request body
			*result = NULL,	// Final answer
			*value;		// One value
  upa_http_t		*http = NULL;	// HTTPS session
  upa_http_request_t	req;		// HTTP request
  upa_http_response_t	resp;		// HTTP response
  upa_device_t		*dev = NULL;	// New device
  const char		*name,		// Friendly name
			*text,		// Serialized body
			*s;		// String value
  char			url[2048],	// Register URL
			pollurl[2400],	// Poll URL
			host[256],	// Host for messages
			printhost[512],	// host[:port] of the IPP service
			*regid = NULL;	// Escaped registration_id
  int			max_wait,	// Seconds to poll
			interval;	// Poll interval
  time_t		deadline;	// End of polling
  bool			wrote_key = false,
					// key.pem written?
			wrote_cert = false,
					// cert.pem written?
			made_dir = false,
					// Device folder created?
			saved = false;	// device.conf written?


  memset(&resp, 0, sizeof(resp));

  // A PWG Infrastructure Printer has no registration service.
  if (cfg && cfg->profile == UPA_PROFILE_PWG)
    return (reg_output_device(cfg, params));

  if (!cfg || !params || !params->queue || !params->queue[0] || !params->manufacturer || !params->manufacturer[0] || !params->model || !params->model[0] || !params->admin_token || !params->admin_token[0])
  {
    upaSetError(UPA_ERROR_ARGS, "Registration needs a queue, manufacturer, model and admin token.");
    return (NULL);
  }

  name     = params->name && params->name[0] ? params->name : params->queue;
  max_wait = params->max_wait > 0 ? params->max_wait : UPA_REG_DEFAULT_WAIT;

  // Key pair and request body.
  upaLog(UPA_LOG_INFO, "Creating an RSA-2048 key and certificate request for \"%s\".", name);

  if ((key = reg_keygen()) == NULL)
    goto fail;

  if ((body = reg_build_body(params, name, key)) == NULL)
    goto fail;

  if ((http = upaHTTPCreate(cfg)) == NULL)
    goto fail;

  // POST /api/v1.0/register (base URL without a trailing slash).
  {
    size_t baselen = strlen(cfg->register_url);
					// Length without trailing slashes

    while (baselen > 0 && cfg->register_url[baselen - 1] == '/')
      baselen --;
    snprintf(url, sizeof(url), "%.*s/api/v1.0/register", (int)baselen, cfg->register_url);
  }
  upaURLHost(url, host, sizeof(host));

  text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

  memset(&req, 0, sizeof(req));
  req.method       = "POST";
  req.url          = url;
  req.content_type = "application/json";
  req.bearer       = params->admin_token;
  req.body         = text;
  req.body_len     = strlen(text);

  upaLog(UPA_LOG_INFO, "Registering \"%s\" with %s.", name, host);

  if (!upaHTTPDo(http, &req, &resp))
    goto fail;

  deadline = time(NULL) + max_wait;

  while (resp.status == 202)
  {
    json_object *json = resp.body.data ? json_tokener_parse(resp.body.data) : NULL;
					// 202 body

    interval = UPA_REG_DEFAULT_INTERVAL;
    if (json && json_object_object_get_ex(json, "interval", &value))
    {
      int v = json_object_get_int(value);// Interval from the service

      if (v > 0)
        interval = v > 60 ? 60 : v;
    }

    // The first 202 names the registration; later ones may not repeat it.
    if (!regid)
    {
      if ((s = reg_get_string(json, "registration_id")) == NULL || !*s)
      {
        json_object_put(json);
        upaSetError(UPA_ERROR_PROTOCOL, "%s accepted the registration without a registration_id.", host);
        goto fail;
      }

      if ((regid = curl_easy_escape(NULL, s, 0)) == NULL)
      {
        json_object_put(json);
        upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
        goto fail;
      }

      snprintf(pollurl, sizeof(pollurl), "%s?registration_id=%s", url, regid);
    }
    json_object_put(json);

    if (time(NULL) + interval > deadline)
    {
      upaSetError(UPA_ERROR_BUSY, "Registration still pending at %s after %d s; try again later.", host, max_wait);
      goto fail;
    }

    upaLog(UPA_LOG_DEBUG, "Registration pending, asking again in %d s.", interval);
    sleep((unsigned)interval);

    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.url    = pollurl;
    req.bearer = params->admin_token;

    upaHTTPResponseClear(&resp);
    if (!upaHTTPDo(http, &req, &resp))
      goto fail;
  }

  if (resp.status != 200)
  {
    reg_error(&resp, host);
    goto fail;
  }

  if (!resp.body.data || (result = json_tokener_parse(resp.body.data)) == NULL || !json_object_is_type(result, json_type_object))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "%s sent no JSON object with the registration result.", host);
    goto fail;
  }

  if (!reg_get_string(result, "cloud_device_id") || !reg_get_string(result, "certificate") || !reg_get_string(result, "device_token_url"))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "%s sent an incomplete registration result (cloud_device_id, certificate and device_token_url are required).", host);
    goto fail;
  }

  // The certificate must be for our key, or no token will ever be issued.
  s = reg_get_string(result, "certificate");
  if ((bio = BIO_new_mem_buf(s, -1)) == NULL || (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_PROTOCOL, "%s sent a certificate that is not PEM.", host);
    goto fail;
  }

  if (X509_check_private_key(cert, key) != 1)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_PROTOCOL, "%s sent a certificate that does not match the new key.", host);
    goto fail;
  }

  // The device record.
  if ((dev = upaDeviceNew(cfg, reg_get_string(result, "cloud_device_id"))) == NULL)
    goto fail;

  if (!upaURLHost(cfg->print_url, printhost, sizeof(printhost)))
  {
    upaSetError(UPA_ERROR_CONFIG, "PrintURL %s is not a valid URL.", cfg->print_url);
    goto fail;
  }

  if (!upaDeviceSetString(&dev->queue, params->queue) || !upaDeviceSetString(&dev->name, name) || !upaDeviceSetString(&dev->token_url, reg_get_string(result, "device_token_url")) || !upaDeviceSetString(&dev->client_id, reg_get_string(result, "printer_client_id")) || !upaDeviceSetString(&dev->redirect_uri, (s = reg_get_string(result, "printer_redirect_uri")) != NULL && *s ? s : UPA_REG_REDIRECT_URI) || !upaDeviceSetString(&dev->resource, reg_get_string(result, "mcp_svc_resource_id")) || !upaDeviceSetStringf(&dev->printer_uri, "ipps://%s/printers/%s", printhost, dev->id))
    goto fail;
  dev->registered = time(NULL);

  if (!dev->client_id[0])
    upaLog(UPA_LOG_WARN, "%s returned no printer_client_id; device tokens may be refused.", host);

  // Store key, certificate and device.conf.
  if (access(dev->dir, F_OK) == 0)
  {
    upaSetError(UPA_ERROR_DEVICE, "Device folder %s already exists.", dev->dir);
    goto fail;
  }

  {
    char	parent[1024],		// <StateDir>/devices
		*slash;			// Last slash

    // The parents stay traversable (0755); only the device folder is closed.
    upaCopyString(parent, dev->dir, sizeof(parent));
    if ((slash = strrchr(parent, '/')) != NULL && slash > parent)
    {
      *slash = '\0';
      if (!upaMakeDirs(parent, 0755))
        goto fail;
    }
  }

  {
    int	dfd;				// Device folder

    // lp (backend) must reach key.pem through the folder: made, checked and
    // given to the group on its descriptor, never by path (file.c).
    if ((dfd = upaFileOpenDir(dev->dir, true, 0750, cfg->device_group[0] && getgrnam(cfg->device_group) ? cfg->device_group : NULL)) < 0)
      goto fail;
    close(dfd);
  }
  made_dir = true;

  if (!reg_write_pem(cfg, dev->key_file, 0640, true, key, NULL))
    goto fail;
  wrote_key = true;

  if (!reg_write_pem(cfg, dev->cert_file, 0644, false, NULL, cert))
    goto fail;
  wrote_cert = true;

  if (!upaDeviceSave(cfg, dev))
    goto fail;
  saved = true;

  {
    char		path[1100];	// device.conf

    // The backend runs as lp (a DeviceGroup member) and must read it.
    snprintf(path, sizeof(path), "%s/device.conf", dev->dir);
    if (cfg->device_group[0] && getgrnam(cfg->device_group) && !upaSetGroup(path, -1, cfg->device_group))
      upaLog(UPA_LOG_WARN, "%s", upaLastErrorString());
  }

  upaLog(UPA_LOG_INFO, "Registered \"%s\" as %s.", name, dev->id);

  goto done;

  fail:

  if (dev)
  {
    char path[1100];			// device.conf

    if (saved || made_dir)
    {
      snprintf(path, sizeof(path), "%s/device.conf", dev->dir);
      upaFileUnlink(path);
    }
    if (wrote_key)
      upaFileUnlink(dev->key_file);
    if (wrote_cert)
      upaFileUnlink(dev->cert_file);
    if (made_dir)
    {
      int		pfd;		// Folder above the device's
      const char	*dname;		// Device folder name

      if ((pfd = upaFileOpenParent(dev->dir, &dname)) >= 0)
      {
        unlinkat(pfd, dname, AT_REMOVEDIR);
        close(pfd);
      }
    }

    upaDeviceDelete(dev);
    dev = NULL;
  }

  done:

  curl_free(regid);
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  json_object_put(body);
  json_object_put(result);
  upaHTTPResponseClear(&resp);
  upaHTTPDelete(http);

  return (dev);
}


//
// 'upaUnregisterCloud()' - Delete the cloud printer of a device.
//

bool					// O - `true` when the cloud has no such printer any more
upaUnregisterCloud(
    const upa_config_t *cfg,		// I - Configuration
    const upa_device_t *dev,		// I - Device
    const char         *admin_token,	// I - Admin bearer token
    bool               *gone)		// O - `true` if it was gone already, or `NULL`
{
  upa_http_t	*http;			// HTTPS session
  bool		ret;			// Return value


  if (gone)
    *gone = false;

  if (cfg && dev && cfg->profile == UPA_PROFILE_PWG)
  {
    upa_client_t	*client;	// IPP session
    ipp_t		*request,	// Deregister-Output-Device
			*response;	// Answer

    // The output device leaves the Infrastructure Printer (PWG 5100.18).
    if ((client = upaClientCreate(cfg, dev)) == NULL)
      return (false);

    upaLog(UPA_LOG_INFO, "Deregistering output device %s from %s.", dev->id, cfg->printer_uri);
    if ((request = upaClientNewRequest(client, IPP_OP_DEREGISTER_OUTPUT_DEVICE, NULL)) != NULL && (response = upaClientSend(client, request)) != NULL)
    {
      ippDelete(response);
      upaClientDelete(client);
      return (true);
    }

    ret = upaLastError() == UPA_ERROR_NOT_FOUND;
    if (ret && gone)
      *gone = true;
    upaClientDelete(client);
    return (ret);
  }

  if (!cfg || !dev || !admin_token || !*admin_token)
  {
    upaSetError(UPA_ERROR_ARGS, "Deleting a cloud printer needs an admin token.");
    return (false);
  }

  if ((http = upaHTTPCreate(cfg)) == NULL)
    return (false);

  upaLog(UPA_LOG_INFO, "Deleting cloud printer %s.", dev->id);
  ret = upaGraphDeletePrinter(http, cfg, admin_token, dev->id, gone);

  upaHTTPDelete(http);

  return (ret);
}


//
// 'reg_output_device()' - Create a local output device for Profile pwg.
//
// PWG 5100.18 has no registration service: the output device is a UUID of
// ours, introduced to the Infrastructure Printer by
// Update-Output-Device-Attributes (upaSyncDevice()).  No key, no token:
// the printer is reached with the configuration's PrinterURI and
// Credentials.  PrinterURI is recorded for "upactl status" only.
//

static upa_device_t *			// O - New device or `NULL`
reg_output_device(
    const upa_config_t    *cfg,		// I - Configuration
    const upa_regparams_t *params)	// I - What to register
{
  unsigned char	bytes[16];		// Random UUID bytes
  char		id[64];			// Device id
  upa_device_t	*dev;			// New device
  int		dfd;			// Device folder


  if (!params || !params->queue || !params->queue[0])
  {
    upaSetError(UPA_ERROR_ARGS, "Registration needs a queue.");
    return (NULL);
  }

  // RFC 4122 version 4 UUID.
  if (RAND_bytes(bytes, (int)sizeof(bytes)) != 1)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_INTERNAL, "Unable to make a random output device UUID.");
    return (NULL);
  }
  bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);
  bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);
  snprintf(id, sizeof(id), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);

  if ((dev = upaDeviceNew(cfg, id)) == NULL)
    return (NULL);

  if (!upaDeviceSetString(&dev->queue, params->queue) || !upaDeviceSetString(&dev->name, params->name && params->name[0] ? params->name : params->queue) || !upaDeviceSetString(&dev->printer_uri, cfg->printer_uri))
  {
    upaDeviceDelete(dev);
    return (NULL);
  }
  dev->registered = time(NULL);

  if (access(dev->dir, F_OK) == 0)
  {
    upaSetError(UPA_ERROR_DEVICE, "Device folder %s already exists.", dev->dir);
    upaDeviceDelete(dev);
    return (NULL);
  }

  {
    char	parent[1024],		// <StateDir>/devices
		*slash;			// Last slash

    upaCopyString(parent, dev->dir, sizeof(parent));
    if ((slash = strrchr(parent, '/')) != NULL && slash > parent)
    {
      *slash = '\0';
      if (!upaMakeDirs(parent, 0755))
      {
        upaDeviceDelete(dev);
        return (NULL);
      }
    }
  }

  if ((dfd = upaFileOpenDir(dev->dir, true, 0750, cfg->device_group[0] && getgrnam(cfg->device_group) ? cfg->device_group : NULL)) < 0)
  {
    upaDeviceDelete(dev);
    return (NULL);
  }
  close(dfd);

  if (!upaDeviceSave(cfg, dev))
  {
    const char	*dname;			// Device folder name
    int		pfd;			// Folder above it

    if ((pfd = upaFileOpenParent(dev->dir, &dname)) >= 0)
    {
      unlinkat(pfd, dname, AT_REMOVEDIR);
      close(pfd);
    }
    upaDeviceDelete(dev);
    return (NULL);
  }

  upaLog(UPA_LOG_INFO, "Created output device %s for \"%s\" (Profile pwg, %s).", dev->id, dev->name, cfg->printer_uri);

  return (dev);
}


//
// 'upaUnregisterLocal()' - Remove a device, its token cache and sync state.
//

bool					// O - `true` on success
upaUnregisterLocal(
    const upa_config_t *cfg,		// I - Configuration
    const upa_device_t *dev)		// I - Device
{
  bool	ret = true;			// Return value
  char	error[1024] = "";		// First error


  if (!cfg || !dev)
  {
    upaSetError(UPA_ERROR_ARGS, "upaUnregisterLocal: bad arguments.");
    return (false);
  }

  // Caches first: a device without them is still complete, the reverse is not.
  if (!upaTokenForget(cfg, dev))
  {
    snprintf(error, sizeof(error), "%s", upaLastErrorString());
    ret = false;
  }

  if (!upaSyncStateRemove(cfg, dev->id) && ret)
  {
    snprintf(error, sizeof(error), "%s", upaLastErrorString());
    ret = false;
  }

  if (ret && !upaDeviceRemove(cfg, dev))
  {
    snprintf(error, sizeof(error), "%s", upaLastErrorString());
    ret = false;
  }

  if (!ret)
    upaSetError(UPA_ERROR_IO, "%s", error);
  else
    upaLog(UPA_LOG_INFO, "Removed device %s (%s) from the device store.", dev->id, dev->queue);

  return (ret);
}


//
// 'reg_base64()' - Base64 (standard alphabet, no newlines) of DER bytes.
//

static char *				// O - Encoded string (malloc'd) or `NULL`
reg_base64(const unsigned char *data,	// I - Bytes
           int                 len)	// I - Number of bytes
{
  char	*s;				// Encoded string


  if (len <= 0 || (s = malloc((size_t)(4 * ((len + 2) / 3) + 1))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  EVP_EncodeBlock((unsigned char *)s, data, len);

  return (s);
}


//
// 'reg_build_body()' - Build the /register JSON body with a fresh CSR.
//

static json_object *			// O - Body or `NULL`
reg_build_body(
    const upa_regparams_t *params,	// I - What to register
    const char            *name,	// I - Friendly name
    EVP_PKEY              *key)		// I - Key pair
{
  X509_REQ	*csr = NULL;		// Certificate request
  X509_NAME	*subject;		// Its subject
  unsigned char	*der = NULL;		// DER bytes
  int		derlen;			// DER length
  char		cn[65],			// Common name (64 chars max in X.509)
		*csr64 = NULL,		// Base64 CSR
		*key64 = NULL;		// Base64 public key
  json_object	*body = NULL,		// Request body
		*certreq,		// certificate_request
		*caps;			// device_capabilities


  snprintf(cn, sizeof(cn), "cups-upa %s", params->queue);

  if ((csr = X509_REQ_new()) == NULL ||
      !X509_REQ_set_version(csr, 0) ||
      (subject = X509_REQ_get_subject_name(csr)) == NULL ||
      !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) ||
      !X509_REQ_set_pubkey(csr, key) ||
      X509_REQ_sign(csr, key, EVP_sha256()) <= 0 ||
      (derlen = i2d_X509_REQ(csr, &der)) <= 0)
  {
    unsigned long oerr = ERR_get_error();
					// OpenSSL error

    ERR_clear_error();
    upaSetError(UPA_ERROR_INTERNAL, "Unable to create the certificate request: %s.", oerr ? ERR_reason_error_string(oerr) : "unknown OpenSSL error");
    goto done;
  }

  csr64 = reg_base64(der, derlen);
  OPENSSL_free(der);
  der = NULL;
  if (!csr64)
    goto done;

  // transport_key: SPKI DER of the same key, as Microsoft's sample sends.
  if ((derlen = i2d_PUBKEY(key, &der)) <= 0)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_INTERNAL, "Unable to encode the public key.");
    goto done;
  }

  key64 = reg_base64(der, derlen);
  OPENSSL_free(der);
  der = NULL;
  if (!key64)
    goto done;

  if ((body = json_object_new_object()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    goto done;
  }

  json_object_object_add(body, "name", json_object_new_string(name));
  json_object_object_add(body, "manufacturer", json_object_new_string(params->manufacturer));
  json_object_object_add(body, "model", json_object_new_string(params->model));
  if (params->physical_id && params->physical_id[0])
    json_object_object_add(body, "device_id", json_object_new_string(params->physical_id));
  json_object_object_add(body, "device_type", json_object_new_string("printer"));

  certreq = json_object_new_object();
  json_object_object_add(certreq, "type", json_object_new_string("pkcs10"));
  json_object_object_add(certreq, "data", json_object_new_string(csr64));
  json_object_object_add(certreq, "transport_key", json_object_new_string(key64));
  json_object_object_add(body, "certificate_request", certreq);

  caps = json_object_new_array();
  json_object_array_add(caps, json_object_new_string("print"));
  json_object_object_add(body, "device_capabilities", caps);
  json_object_object_add(body, "preferred_lang", json_object_new_string("en-us"));
  json_object_object_add(body, "has_physical_device", json_object_new_boolean(1));

  done:

  OPENSSL_free(der);
  X509_REQ_free(csr);
  free(csr64);
  free(key64);

  return (body);
}


//
// 'reg_error()' - Set the error for a failed registration response.
//

static bool				// O - Always `false`
reg_error(const upa_http_response_t *resp,
					// I - Response
          const char                *host)
					// I - Host
{
  json_object	*json = NULL,		// Parsed body
		*err;			// "error" object
  const char	*message = NULL;	// Service's message
  char		text[256];		// Plain-text body excerpt


  if (resp->body.data && (json = json_tokener_parse(resp->body.data)) != NULL && json_object_is_type(json, json_type_object))
  {
    if ((message = reg_get_string(json, "error_description")) == NULL &&
        (message = reg_get_string(json, "message")) == NULL &&
        (message = reg_get_string(json, "error")) == NULL &&
        json_object_object_get_ex(json, "error", &err))
      message = reg_get_string(err, "message");	// Graph style {"error":{"code","message"}}
  }

  if (!message && resp->body.len > 0)
  {
    // Plain-text answer: first line, printable characters only.
    size_t i;				// Looping var

    for (i = 0; i < sizeof(text) - 1 && i < resp->body.len && resp->body.data[i] != '\n'; i ++)
      text[i] = (resp->body.data[i] >= ' ' && resp->body.data[i] < 0x7f) ? resp->body.data[i] : '?';
    text[i] = '\0';
    if (text[0])
      message = text;
  }

  if (!message)
    message = "no details given";

  if (resp->status == 401 || resp->status == 403)
    upaSetError(UPA_ERROR_AUTH, "Admin sign-in refused by %s (HTTP %d): %s", host, resp->status, message);
  else if (resp->status == 429 || resp->status == 503)
    upaSetError(UPA_ERROR_BUSY, "%s is busy (HTTP %d), retry after %d s: %s", host, resp->status, resp->retry_after > 0 ? resp->retry_after : 60, message);
  else
    upaSetError(UPA_ERROR_HTTP, "Registration failed at %s (HTTP %d): %s", host, resp->status, message);

  json_object_put(json);

  return (false);
}


//
// 'reg_get_string()' - Get a string member of a JSON object.
//

static const char *			// O - String or `NULL`
reg_get_string(json_object *json,	// I - Object
               const char  *key)	// I - Member name
{
  json_object	*value;			// Value


  if (!json || !json_object_is_type(json, json_type_object) || !json_object_object_get_ex(json, key, &value) || !json_object_is_type(value, json_type_string))
    return (NULL);

  return (json_object_get_string(value));
}


//
// 'reg_keygen()' - Create an RSA-2048 key pair.
//

static EVP_PKEY *			// O - Key or `NULL`
reg_keygen(void)
{
  EVP_PKEY_CTX	*ctx;			// Key generation context
  EVP_PKEY	*key = NULL;		// New key


  if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL)) == NULL ||
      EVP_PKEY_keygen_init(ctx) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0 ||
      EVP_PKEY_keygen(ctx, &key) <= 0)
  {
    unsigned long oerr = ERR_get_error();
					// OpenSSL error

    ERR_clear_error();
    upaSetError(UPA_ERROR_INTERNAL, "Unable to create an RSA key: %s.", oerr ? ERR_reason_error_string(oerr) : "unknown OpenSSL error");
    key = NULL;
  }

  EVP_PKEY_CTX_free(ctx);

  return (key);
}


//
// 'reg_write_pem()' - Write a new PEM key or certificate file (never replacing one).
//

static bool				// O - `true` on success
reg_write_pem(const upa_config_t *cfg,	// I - Configuration
              const char         *path,	// I - File
              mode_t             mode,	// I - Mode
              bool               group,	// I - Give to DeviceGroup?
              EVP_PKEY           *key,	// I - Private key or `NULL`
              X509               *cert)	// I - Certificate or `NULL`
{
  int		fd;			// File descriptor
  FILE		*fp;			// Stream
  bool		ok;			// Written?


  // Made exclusively relative to its folder, never through a link; the
  // mode (not the umask) and the group are set on the descriptor (file.c).
  if (group && cfg->device_group[0] && !getgrnam(cfg->device_group))
    upaLog(UPA_LOG_WARN, "Group %s does not exist; only root can read %s.", cfg->device_group, path);

  if ((fd = upaFileOpen(path, O_WRONLY | O_CREAT | O_EXCL, mode, group && cfg->device_group[0] ? cfg->device_group : NULL)) < 0)
  {
    char why[1024];			// Why file.c refused it

    upaCopyString(why, upaLastErrorString(), sizeof(why));
    upaSetError(UPA_ERROR_IO, "Unable to create %s: %s", path, why);
    return (false);
  }

  if ((fp = fdopen(fd, "w")) == NULL)
  {
    upaSetError(UPA_ERROR_IO, "Unable to write %s: %s.", path, strerror(errno));
    close(fd);
    upaFileUnlink(path);
    return (false);
  }

  if (key)
    ok = PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) == 1;
  else
    ok = PEM_write_X509(fp, cert) == 1;

  ok = ok && fflush(fp) == 0 && fsync(fileno(fp)) == 0;

  if (fclose(fp) || !ok)
  {
    ERR_clear_error();
    upaSetError(UPA_ERROR_IO, "Unable to write %s: %s.", path, strerror(errno));
    upaFileUnlink(path);
    return (false);
  }

  return (true);
}
