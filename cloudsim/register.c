//
// Printer registration for upa-cloudsim (protocol.md §2.3, §2.4):
// POST /api/v1.0/register and GET /api/v1.0/register?registration_id=ID.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>


//
// Local functions...
//

static enum MHD_Result field_error(cs_request_t *req, const char *field, const char *reason);
static const char *get_string(json_object *obj, const char *key);
static enum MHD_Result poll_registration(cs_request_t *req);
static enum MHD_Result start_registration(cs_request_t *req);
static bool	valid_transport_key(const char *b64);


//
// 'csRegisterHandle()' - Answer /api/v1.0/register.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csRegisterHandle(cs_request_t *req)	// I - Request
{
  if (!csHTTPIsAdmin(req))
    return (csHTTPRespondError(req, MHD_HTTP_UNAUTHORIZED, "unauthorized", "a valid admin bearer token is required"));

  if (!strcmp(req->method, MHD_HTTP_METHOD_POST))
    return (start_registration(req));
  else if (!strcmp(req->method, MHD_HTTP_METHOD_GET))
    return (poll_registration(req));
  else
    return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use POST or GET"));
}


//
// 'field_error()' - Answer 400 naming the offending field.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
field_error(cs_request_t *req,		// I - Request
            const char   *field,	// I - JSON field path
            const char   *reason)	// I - What is wrong
{
  json_object	*obj = json_object_new_object();
					// Body
  char		desc[512];		// Description
  enum MHD_Result ret;			// Result


  snprintf(desc, sizeof(desc), "%s: %s", field, reason);

  json_object_object_add(obj, "error", json_object_new_string("invalid_request"));
  json_object_object_add(obj, "error_description", json_object_new_string(desc));
  json_object_object_add(obj, "field", json_object_new_string(field));

  csLog(req->server, 1, "register: %s", desc);

  ret = csHTTPRespondJSON(req, MHD_HTTP_BAD_REQUEST, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'get_string()' - Get a non-empty string member of a JSON object.
//

static const char *			// O - String or `NULL`
get_string(json_object *obj,		// I - Object
           const char  *key)		// I - Member name
{
  json_object	*value;			// Member


  if (!json_object_object_get_ex(obj, key, &value) || !json_object_is_type(value, json_type_string) || json_object_get_string_len(value) == 0)
    return (NULL);

  return (json_object_get_string(value));
}


//
// 'poll_registration()' - Answer a registration poll.
//
// The first --register-polls polls get 202; then the device is created (once)
// and every later poll returns the same 200 body.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
poll_registration(cs_request_t *req)	// I - Request
{
  cs_server_t		*server = req->server;
					// Server
  cs_tenant_t		*tenant = server->tenant;
					// Tenant
  const char		*id = csHTTPArg(req, "registration_id");
					// Registration id
  cs_registration_t	*reg;		// Registration
  cs_device_t		*dev;		// Device
  json_object		*obj;		// Response body
  char			url[1024];	// device_token_url
  unsigned		status;		// HTTP status
  enum MHD_Result	ret;		// Result
  cs_fault_t		fault;		// Injected fault


  if (!id)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "registration_id is required"));

  csTenantLock(tenant);

  if ((reg = csTenantFindRegistration(tenant, id)) == NULL)
  {
    csTenantUnlock(tenant);
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "not_found", "unknown registration_id"));
  }

  obj = json_object_new_object();

  // "register-stuck" fault: keep answering 202 without counting the poll.
  if (!reg->device_id[0] && csFaultTake(server, "register-stuck", "register", 0, &fault))
  {
    json_object_object_add(obj, "interval", json_object_new_int(1));
    status = MHD_HTTP_ACCEPTED;
  }
  else if (reg->polls_left > 0)
  {
    reg->polls_left --;
    tenant->dirty = true;
    json_object_object_add(obj, "interval", json_object_new_int(1));
    status = MHD_HTTP_ACCEPTED;
  }
  else
  {
    if (!reg->device_id[0])
    {
      char	devid[CS_UUID_LEN];	// New device id
      X509	*cert;			// Device certificate

      csUUID(devid, sizeof(devid));

      if ((cert = csCAIssue(server->ca, reg->csr, devid)) == NULL || (dev = csTenantAddDevice(tenant, reg->name, reg->manufacturer, reg->model, cert)) == NULL)
      {
        X509_free(cert);
        csTenantUnlock(tenant);
        json_object_put(obj);
        return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "cannot issue the device certificate"));
      }

      snprintf(reg->device_id, sizeof(reg->device_id), "%s", devid);
      csLog(server, 0, "registered device %s (\"%s\")", devid, reg->name);
    }
    else
      dev = csTenantFindDevice(tenant, reg->device_id);

    snprintf(url, sizeof(url), "%s/%s/oauth2/token", server->base_url, tenant->id);

    json_object_object_add(obj, "cloud_device_id", json_object_new_string(dev->id));
    json_object_object_add(obj, "certificate", json_object_new_string(dev->cert_pem));
    json_object_object_add(obj, "device_token_url", json_object_new_string(url));
    json_object_object_add(obj, "printer_client_id", json_object_new_string(tenant->client_id));
    json_object_object_add(obj, "printer_redirect_uri", json_object_new_string(CS_REDIRECT_URI));
    json_object_object_add(obj, "mcp_svc_resource_id", json_object_new_string(CS_RESOURCE_ID));
    status = MHD_HTTP_OK;
  }

  csTenantUnlock(tenant);

  ret = csHTTPRespondJSON(req, status, obj);
  json_object_put(obj);

  return (ret);
}


//
// 'start_registration()' - Validate a registration request and queue it.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
start_registration(cs_request_t *req)	// I - Request
{
  cs_tenant_t		*tenant = req->server->tenant;
					// Tenant
  const char		*type = csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE);
					// Content-Type
  json_tokener		*tok;		// JSON parser
  json_object		*body,		// Request body
			*creq,		// certificate_request
			*value;		// Other members
  const char		*name,		// name
			*manufacturer,	// manufacturer
			*model,		// model
			*data,		// certificate_request.data
			*tkey;		// certificate_request.transport_key
  unsigned char		*der;		// CSR DER
  size_t		derlen;		// Length of DER
  X509_REQ		*csr;		// CSR
  char			err[256];	// CSR error
  cs_registration_t	*reg;		// Registration
  json_object		*obj;		// Response body
  enum MHD_Result	ret;		// Result


  if (!type || strncasecmp(type, "application/json", 16))
    return (csHTTPRespondError(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "invalid_request", "Content-Type must be application/json"));

  if (!req->buf || strlen((char *)req->buf) != req->buflen)
    return (field_error(req, "body", "empty body or embedded nul"));

  // Parse strictly: exactly one JSON value, nothing after it.
  tok  = json_tokener_new();
  body = json_tokener_parse_ex(tok, (char *)req->buf, (int)req->buflen);
  if (body && json_tokener_get_parse_end(tok) < req->buflen && strspn((char *)req->buf + json_tokener_get_parse_end(tok), " \t\r\n") != req->buflen - json_tokener_get_parse_end(tok))
  {
    json_object_put(body);
    body = NULL;
  }
  json_tokener_free(tok);

  if (!body || !json_object_is_type(body, json_type_object))
  {
    json_object_put(body);
    return (field_error(req, "body", "not a JSON object"));
  }

#define FAIL(field, reason) do { ret = field_error(req, field, reason); goto done; } while (0)

  csr = NULL;

  if ((name = get_string(body, "name")) == NULL)
    FAIL("name", "required string");
  if ((manufacturer = get_string(body, "manufacturer")) == NULL)
    FAIL("manufacturer", "required string");
  if ((model = get_string(body, "model")) == NULL)
    FAIL("model", "required string");
  if (json_object_object_get_ex(body, "device_id", &value) && !json_object_is_type(value, json_type_string))
    FAIL("device_id", "must be a string");
  if (!get_string(body, "device_type") || strcmp(get_string(body, "device_type"), "printer"))
    FAIL("device_type", "must be \"printer\"");
  if (!json_object_object_get_ex(body, "certificate_request", &creq) || !json_object_is_type(creq, json_type_object))
    FAIL("certificate_request", "required object");
  if (!get_string(creq, "type") || strcmp(get_string(creq, "type"), "pkcs10"))
    FAIL("certificate_request.type", "must be \"pkcs10\"");
  if ((data = get_string(creq, "data")) == NULL)
    FAIL("certificate_request.data", "required string");
  if ((der = csBase64Decode(data, strlen(data), false, &derlen)) == NULL)
    FAIL("certificate_request.data", "not base64 (DER without PEM armour expected)");

  csr = csCAParseCSR(der, derlen, err, sizeof(err));
  free(der);

  if (!csr)
    FAIL("certificate_request.data", err);

  if ((tkey = get_string(creq, "transport_key")) == NULL)
    FAIL("certificate_request.transport_key", "required string");
  if (!valid_transport_key(tkey))
    FAIL("certificate_request.transport_key", "not a base64 SubjectPublicKeyInfo or PKCS#1 RSAPublicKey");

  csTenantLock(tenant);
  reg = csTenantAddRegistration(tenant, name, manufacturer, model, csr, req->server->register_polls);
  if (reg)
  {
    csr = NULL;				// Owned by the registration now
    obj = json_object_new_object();
    json_object_object_add(obj, "registration_id", json_object_new_string(reg->id));
    json_object_object_add(obj, "interval", json_object_new_int(1));
  }
  else
    obj = NULL;
  csTenantUnlock(tenant);

  if (!obj)
  {
    ret = csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "out of memory");
    goto done;
  }

  ret = csHTTPRespondJSON(req, MHD_HTTP_ACCEPTED, obj);
  json_object_put(obj);

#undef FAIL

  done:

  X509_REQ_free(csr);
  json_object_put(body);

  return (ret);
}


//
// 'valid_transport_key()' - Is this a base64 SPKI or PKCS#1 RSA public key?
//
// Both encodings were seen from working clients (protocol.md §2.3).
//

static bool				// O - `true` if valid
valid_transport_key(const char *b64)	// I - Base64 key
{
  unsigned char		*der;		// DER data
  size_t		derlen;		// Length of DER
  const unsigned char	*ptr;		// Parse pointer
  EVP_PKEY		*pkey;		// Key
  bool			ok = false;	// Result


  if ((der = csBase64Decode(b64, strlen(b64), false, &derlen)) == NULL || derlen > 65536)
  {
    free(der);
    return (false);
  }

  ptr = der;
  if ((pkey = d2i_PUBKEY(NULL, &ptr, (long)derlen)) != NULL && ptr == der + derlen)
    ok = true;
  EVP_PKEY_free(pkey);

  if (!ok)
  {
    ptr = der;
    if ((pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &ptr, (long)derlen)) != NULL && ptr == der + derlen)
      ok = true;
    EVP_PKEY_free(pkey);
  }

  ERR_clear_error();
  free(der);

  return (ok);
}
