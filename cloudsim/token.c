//
// Device token endpoint for upa-cloudsim (protocol.md §3):
// POST /<tenant>/oauth2/token with grant_type=srv_challenge (-> Nonce) or
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&request=<JWT>
// (-> access_token).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The JWT must be RS256, carry the device certificate in x5c (a string or a
// one-element array), chain to our CA, be signed by that certificate's key and
// claim iss = the device id, grant_type = "device_token" and a live nonce.
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/evp.h>


//
// Local functions...
//

static json_object *decode_part(const char *data, size_t len);
static enum MHD_Result grant_error(cs_request_t *req, const char *desc);
static enum MHD_Result jwt_bearer(cs_request_t *req, const char *jwt);
static enum MHD_Result srv_challenge(cs_request_t *req);


//
// 'csTokenHandle()' - Answer the token endpoint.
//

enum MHD_Result				// O - MHD_YES or MHD_NO
csTokenHandle(cs_request_t *req)	// I - Request
{
  const char	*type = csHTTPHeader(req, MHD_HTTP_HEADER_CONTENT_TYPE);
					// Content-Type
  char		tenant[CS_UUID_LEN + 1];// Tenant id from the path
  const char	*slash = strchr(req->path + 1, '/');
					// End of the tenant segment
  cs_form_t	*form;			// Form body
  const char	*grant;			// grant_type
  enum MHD_Result ret;			// Result


  if ((size_t)(slash - req->path - 1) >= sizeof(tenant))
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "invalid_tenant", "unknown tenant"));

  memcpy(tenant, req->path + 1, (size_t)(slash - req->path - 1));
  tenant[slash - req->path - 1] = '\0';

  if (strcasecmp(tenant, req->server->tenant->id))
    return (csHTTPRespondError(req, MHD_HTTP_NOT_FOUND, "invalid_tenant", "unknown tenant"));

  if (strcmp(req->method, MHD_HTTP_METHOD_POST))
    return (csHTTPRespondError(req, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request", "use POST"));

  if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33))
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"));

  if ((form = csFormParse(req->buf ? (char *)req->buf : "", req->buflen)) == NULL)
    return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "malformed form body"));

  if ((grant = csFormGet(form, "grant_type")) == NULL)
    ret = csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "grant_type is required");
  else if (!strcmp(grant, "srv_challenge"))
    ret = srv_challenge(req);
  else if (!strcmp(grant, "urn:ietf:params:oauth:grant-type:jwt-bearer"))
  {
    const char *jwt = csFormGet(form, "request");
					// Signed request

    if (!jwt)
      ret = csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_request", "request is required");
    else
      ret = jwt_bearer(req, jwt);
  }
  else
    ret = csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "unsupported_grant_type", "unsupported grant_type");

  csFormDelete(form);

  return (ret);
}


//
// 'decode_part()' - Decode a base64url JSON part of a JWT into an object.
//

static json_object *			// O - JSON object or `NULL`
decode_part(const char *data,		// I - base64url text
            size_t     len)		// I - Length
{
  unsigned char	*json;			// Decoded JSON
  size_t	jsonlen;		// Length
  json_object	*obj;			// Parsed object


  if ((json = csBase64Decode(data, len, true, &jsonlen)) == NULL)
    return (NULL);

  if (strlen((char *)json) != jsonlen || (obj = json_tokener_parse((char *)json)) == NULL)
  {
    free(json);
    return (NULL);
  }

  free(json);

  if (!json_object_is_type(obj, json_type_object))
  {
    json_object_put(obj);
    return (NULL);
  }

  return (obj);
}


//
// 'grant_error()' - Answer 400 invalid_grant.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
grant_error(cs_request_t *req,		// I - Request
            const char   *desc)		// I - Description
{
  return (csHTTPRespondError(req, MHD_HTTP_BAD_REQUEST, "invalid_grant", desc));
}


//
// 'jwt_bearer()' - Verify a device JWT and issue an access token.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
jwt_bearer(cs_request_t *req,		// I - Request
           const char   *jwt)		// I - Compact JWS
{
  cs_server_t	*server = req->server;	// Server
  cs_tenant_t	*tenant = server->tenant;
					// Tenant
  const char	*dot1,			// First '.'
		*dot2;			// Second '.'
  json_object	*header = NULL,		// JOSE header
		*claims = NULL,		// Claims
		*value;			// Member
  const char	*x5c = NULL,		// Base64 DER certificate
		*iss,			// iss claim
		*nonce;			// request_nonce claim
  unsigned char	*der = NULL,		// Certificate DER
		*sig = NULL;		// Signature
  size_t	derlen,			// Length of DER
		siglen;			// Length of signature
  const unsigned char *ptr;		// Parse pointer
  X509		*cert = NULL;		// x5c certificate
  cs_device_t	*dev;			// Device
  char		devid[CS_UUID_LEN] = "";// Device id
  EVP_MD_CTX	*md = NULL;		// Verify context
  bool		sig_ok;			// Signature verified?
  char		token[64];		// Access token
  json_object	*obj;			// Response
  enum MHD_Result ret;			// Result
  static const char * const required[] = { "client_id", "redirect_uri", "resource" };
					// Claims that must be present
  size_t	i;			// Looping var


#define FAIL(desc) do { ret = grant_error(req, desc); goto done; } while (0)

  if ((dot1 = strchr(jwt, '.')) == NULL || (dot2 = strchr(dot1 + 1, '.')) == NULL || strchr(dot2 + 1, '.'))
    FAIL("request is not a compact JWS (header.payload.signature)");

  if ((header = decode_part(jwt, (size_t)(dot1 - jwt))) == NULL)
    FAIL("JWT header is not base64url JSON");
  if ((claims = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL)
    FAIL("JWT payload is not base64url JSON");

  if (!json_object_object_get_ex(header, "alg", &value) || !json_object_is_type(value, json_type_string) || strcmp(json_object_get_string(value), "RS256"))
    FAIL("JWT alg must be RS256");

  // x5c: the documentation says string, Microsoft's newest sample sends an array.
  if (json_object_object_get_ex(header, "x5c", &value))
  {
    if (json_object_is_type(value, json_type_string))
      x5c = json_object_get_string(value);
    else if (json_object_is_type(value, json_type_array) && json_object_array_length(value) == 1 && json_object_is_type(json_object_array_get_idx(value, 0), json_type_string))
      x5c = json_object_get_string(json_object_array_get_idx(value, 0));
  }

  if (!x5c)
    FAIL("JWT x5c must be a base64 certificate or a one-element array of one");

  if ((der = csBase64Decode(x5c, strlen(x5c), false, &derlen)) == NULL)
    FAIL("JWT x5c is not base64");

  ptr = der;
  if ((cert = d2i_X509(NULL, &ptr, (long)derlen)) == NULL || ptr != der + derlen)
    FAIL("JWT x5c is not a DER certificate");

  if (!csCAVerify(server->ca, cert))
    FAIL("JWT x5c certificate was not issued by this service");

  csTenantLock(tenant);
  if ((dev = csTenantFindDeviceByCert(tenant, cert)) != NULL)
    snprintf(devid, sizeof(devid), "%s", dev->id);
  csTenantUnlock(tenant);

  if (!devid[0])
    FAIL("JWT x5c certificate does not belong to a registered device");

  if ((sig = csBase64Decode(dot2 + 1, strlen(dot2 + 1), true, &siglen)) == NULL)
    FAIL("JWT signature is not base64url");

  sig_ok = (md = EVP_MD_CTX_new()) != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 && EVP_DigestVerify(md, sig, siglen, (const unsigned char *)jwt, (size_t)(dot2 - jwt)) == 1;
  ERR_clear_error();

  if (!sig_ok)
    FAIL("JWT signature does not verify with the x5c certificate");

  if (!json_object_object_get_ex(claims, "iss", &value) || !json_object_is_type(value, json_type_string) || (iss = json_object_get_string(value)) == NULL || strcasecmp(iss, devid))
    FAIL("JWT iss must be the cloud_device_id of the certificate");

  if (!json_object_object_get_ex(claims, "grant_type", &value) || !json_object_is_type(value, json_type_string) || strcmp(json_object_get_string(value), "device_token"))
    FAIL("JWT grant_type must be \"device_token\"");

  for (i = 0; i < sizeof(required) / sizeof(required[0]); i ++)
  {
    if (!json_object_object_get_ex(claims, required[i], &value) || !json_object_is_type(value, json_type_string) || json_object_get_string_len(value) == 0)
    {
      char desc[128];			// Description

      snprintf(desc, sizeof(desc), "JWT claim %s is required", required[i]);
      FAIL(desc);
    }
  }

  if (!json_object_object_get_ex(claims, "request_nonce", &value) || !json_object_is_type(value, json_type_string))
    FAIL("JWT request_nonce is required");

  nonce = json_object_get_string(value);

  // Everything else is fine: the nonce is used up now, whatever happens next.
  csTenantLock(tenant);
  if (!csTenantUseNonce(tenant, nonce))
  {
    csTenantUnlock(tenant);
    FAIL("request_nonce is unknown, expired or already used");
  }

  if (!csRandomToken(token, sizeof(token), 32))
  {
    csTenantUnlock(tenant);
    ret = csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "no randomness");
    goto done;
  }

  csTenantAddToken(tenant, token, devid, time(NULL) + server->token_lifetime);
  if ((dev = csTenantFindDevice(tenant, devid)) != NULL)
    dev->token_requests ++;
  csTenantUnlock(tenant);

  csLog(server, 1, "issued access token to device %s", devid);

  obj = json_object_new_object();
  json_object_object_add(obj, "access_token", json_object_new_string(token));
  json_object_object_add(obj, "token_type", json_object_new_string("Bearer"));
  json_object_object_add(obj, "expires_in", json_object_new_int(server->token_lifetime));
  ret = csHTTPRespondJSON(req, MHD_HTTP_OK, obj);
  json_object_put(obj);

#undef FAIL

  done:

  EVP_MD_CTX_free(md);
  X509_free(cert);
  free(der);
  free(sig);
  json_object_put(header);
  json_object_put(claims);

  return (ret);
}


//
// 'srv_challenge()' - Issue a single-use nonce.
//

static enum MHD_Result			// O - MHD_YES or MHD_NO
srv_challenge(cs_request_t *req)	// I - Request
{
  char		nonce[64];		// Nonce
  json_object	*obj;			// Response
  enum MHD_Result ret;			// Result


  if (!csRandomToken(nonce, sizeof(nonce), 32))
    return (csHTTPRespondError(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", "no randomness"));

  csTenantLock(req->server->tenant);
  csTenantAddNonce(req->server->tenant, nonce);
  csTenantUnlock(req->server->tenant);

  obj = json_object_new_object();
  json_object_object_add(obj, "Nonce", json_object_new_string(nonce));
  ret = csHTTPRespondJSON(req, MHD_HTTP_OK, obj);
  json_object_put(obj);

  return (ret);
}
