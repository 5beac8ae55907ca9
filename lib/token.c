//
// Device token (protocol.md §3) and the token cache shared by all processes.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Cache: <CacheDir>/tokens/<device-id>.json {"access_token", "expires",
// "obtained"}, written atomically (temp file + rename).  Concurrency is
// handled with flock() on a separate <device-id>.lock file (locking the JSON
// file itself would not survive the rename): readers take LOCK_SH, a
// process that needs a new token takes LOCK_EX, re-reads the cache (another
// process may have refreshed it meanwhile) and only then asks the cloud, so
// N processes starting together make one token request.
//

#include "upa-private.h"
#include <fcntl.h>
#include <grp.h>
#include <time.h>
#include <sys/file.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#define UPA_TOKEN_MARGIN	300	// Renew this many seconds before expiry
#define UPA_TOKEN_DEFAULT_LIFE	3600	// expires_in when the service omits it


//
// Local types...
//

typedef struct token_cache_s		// Cached token
{
  char		token[16384];		// access_token
  time_t	expires;		// Expiry time
  time_t	obtained;		// When it was issued
} token_cache_t;


//
// Local functions...
//

static bool	token_cache_path(const upa_config_t *cfg, const upa_device_t *dev, char *path, size_t pathsize, const char *ext);
static bool	token_cache_read(const char *path, token_cache_t *cache);
static bool	token_cache_usable(const token_cache_t *cache, time_t now);
static bool	token_cache_write(const upa_config_t *cfg, const char *path, const token_cache_t *cache);
static void	token_error_response(const upa_http_response_t *resp, const char *what, const char *host);
static char	*token_form_escape(const char *s);
static bool	token_is(const char *token, const unsigned char *digest);
static int	token_lock(const upa_config_t *cfg, const upa_device_t *dev, int operation);
static json_object *token_post(upa_http_t *http, const char *url, const char *body, const char *what);
static bool	token_request(upa_http_t *http, const upa_config_t *cfg, const upa_device_t *dev, token_cache_t *cache);


//
// 'upaTokenForget()' - Remove a device's cached token.
//

bool					// O - `true` on success
upaTokenForget(const upa_config_t *cfg,	// I - Configuration
               const upa_device_t *dev)	// I - Device
{
  char	path[1100];			// Cache file


  if (!cfg || !dev)
  {
    upaSetError(UPA_ERROR_ARGS, "upaTokenForget: bad arguments.");
    return (false);
  }

  if (!token_cache_path(cfg, dev, path, sizeof(path), "json"))
    return (false);

  if (upaFileUnlink(path) && errno != ENOENT)
  {
    upaSetError(UPA_ERROR_IO, "Unable to remove %s: %s.", path, strerror(errno));
    return (false);
  }

  return (true);
}


//
// 'upaTokenGet()' - Get a device token, from the cache or from the cloud.
//

bool					// O - `true` on success
upaTokenGet(upa_http_t         *http,	// I - HTTPS session
            const upa_config_t *cfg,	// I - Configuration
            const upa_device_t *dev,	// I - Device
            const char         *rejected,// I - Token the cloud refused (HTTP 401) or `NULL`
            char               *token,	// O - Token
            size_t             tokensize,
					// I - Size of token buffer
            time_t             *expires)// O - Expiry time or `NULL`
{
  token_cache_t	*cache;			// Cached token
  unsigned char	refused[SHA256_DIGEST_LENGTH];
					// Digest of the rejected token
  bool		renew = rejected != NULL;
					// Is the cached token suspect?
  char		path[1100];		// Cache file
  int		lockfd;			// Lock file
  time_t	now;			// Current time
  bool		ret = false;		// Return value


  if (!http || !cfg || !dev || !token || tokensize == 0)
  {
    upaSetError(UPA_ERROR_ARGS, "upaTokenGet: bad arguments.");
    return (false);
  }

  // "rejected" may be the caller's own token buffer: remember it before
  // that is cleared.  A digest is enough to recognise it again.
  if (renew)
    SHA256((const unsigned char *)rejected, strlen(rejected), refused);

  *token = '\0';

  if (!token_cache_path(cfg, dev, path, sizeof(path), "json"))
    return (false);

  if ((cache = calloc(1, sizeof(token_cache_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  // Fast path: a valid cached token under a shared lock.
  if (!renew)
  {
    if ((lockfd = token_lock(cfg, dev, LOCK_SH)) >= 0)
    {
      now = time(NULL);
      if (token_cache_read(path, cache) && token_cache_usable(cache, now))
      {
        close(lockfd);
        upaLog(UPA_LOG_DEBUG, "Using cached token for device %s (expires in %ld s).", dev->id, (long)(cache->expires - now));
        goto copy;
      }
      close(lockfd);
    }
  }

  // Slow path: one process at a time asks the cloud, the others wait here
  // and then find the fresh token in the cache.  After a 401 the cached
  // token is reused only if it is not the one refused: another process
  // renewed it meanwhile.  The refused one is renewed however young it is,
  // since the cloud may revoke a token at any time.
  if ((lockfd = token_lock(cfg, dev, LOCK_EX)) < 0)
    upaLog(UPA_LOG_WARN, "Token cache unavailable (%s), requesting a token without it.", upaLastErrorString());

  now = time(NULL);
  if (lockfd >= 0 && token_cache_read(path, cache) && token_cache_usable(cache, now) && (!renew || !token_is(cache->token, refused)))
  {
    close(lockfd);
    upaLog(UPA_LOG_DEBUG, "Using token for device %s just refreshed by another process.", dev->id);
    goto copy;
  }

  memset(cache, 0, sizeof(token_cache_t));
  if (!token_request(http, cfg, dev, cache))
  {
    if (lockfd >= 0)
      close(lockfd);
    goto done;
  }

  if (lockfd >= 0)
  {
    // A cache write failure costs a token request later, nothing more.
    if (!token_cache_write(cfg, path, cache))
      upaLog(UPA_LOG_WARN, "Unable to cache the device token: %s", upaLastErrorString());
    close(lockfd);
  }

  copy:

  if (strlen(cache->token) >= tokensize)
  {
    upaSetError(UPA_ERROR_ARGS, "Device token does not fit the buffer (%zu bytes).", tokensize);
    goto done;
  }

  upaCopyString(token, cache->token, tokensize);
  if (expires)
    *expires = cache->expires;
  ret = true;

  done:

  explicit_bzero(cache, sizeof(token_cache_t));
  free(cache);

  return (ret);
}


//
// 'token_cache_path()' - Build <CacheDir>/tokens/<id>.<ext>.
//

static bool				// O - `true` if it fit
token_cache_path(
    const upa_config_t *cfg,		// I - Configuration
    const upa_device_t *dev,		// I - Device
    char               *path,		// O - Path
    size_t             pathsize,	// I - Size of path
    const char         *ext)		// I - Extension
{
  int	len;				// Length


  // The id becomes a file name: never let it climb out of the folder.
  if (!dev->id[0] || strchr(dev->id, '/') || dev->id[0] == '.')
  {
    upaSetError(UPA_ERROR_DEVICE, "Invalid cloud device id \"%s\".", dev->id);
    return (false);
  }

  len = snprintf(path, pathsize, "%s/tokens/%s.%s", cfg->cache_dir, dev->id, ext);
  if (len < 0 || (size_t)len >= pathsize)
  {
    upaSetError(UPA_ERROR_CONFIG, "CacheDir %s is too long.", cfg->cache_dir);
    return (false);
  }

  return (true);
}


//
// 'token_cache_read()' - Read the cache file.
//

static bool				// O - `true` if a token was read
token_cache_read(const char    *path,	// I - Cache file
                 token_cache_t *cache)	// O - Cached token
{
  int		fd;			// File
  json_object	*json,			// Contents
		*value;			// One value
  bool		ret = false;		// Return value


  memset(cache, 0, sizeof(token_cache_t));

  if ((fd = upaFileOpen(path, O_RDONLY, 0, NULL)) < 0)
    return (false);

  json = json_object_from_fd(fd);
  close(fd);

  if (!json)
  {
    upaLog(UPA_LOG_DEBUG, "Ignoring unreadable token cache %s.", path);
    return (false);
  }

  if (json_object_object_get_ex(json, "access_token", &value) && json_object_is_type(value, json_type_string) &&
      upaCopyString(cache->token, json_object_get_string(value), sizeof(cache->token)) && cache->token[0])
  {
    if (json_object_object_get_ex(json, "expires", &value))
      cache->expires = (time_t)json_object_get_int64(value);
    if (json_object_object_get_ex(json, "obtained", &value))
      cache->obtained = (time_t)json_object_get_int64(value);
    ret = cache->expires > 0;
  }

  json_object_put(json);

  return (ret);
}


//
// 'token_cache_usable()' - Is a cached token good for a while yet?
//

static bool				// O - `true` if usable
token_cache_usable(
    const token_cache_t *cache,		// I - Cached token
    time_t              now)		// I - Current time
{
  time_t	margin = UPA_TOKEN_MARGIN;
					// Renewal margin


  // Short-lived tokens (tests, emulator knobs) would never be reused with a
  // 5 minute margin: use a tenth of their lifetime then.
  if (cache->obtained > 0 && cache->expires > cache->obtained && (cache->expires - cache->obtained) / 10 < margin)
    margin = (cache->expires - cache->obtained) / 10;

  return (cache->token[0] && cache->expires - margin > now);
}


//
// 'token_cache_write()' - Write the cache file atomically (caller holds LOCK_EX).
//

static bool				// O - `true` on success
token_cache_write(
    const upa_config_t  *cfg,		// I - Configuration
    const char          *path,		// I - Cache file
    const token_cache_t *cache)		// I - Token
{
  json_object	*json;			// Contents
  const char	*text;			// Serialized contents
  size_t	len;			// Length of contents
  bool		ret = false;		// Return value


  if ((json = json_object_new_object()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  json_object_object_add(json, "access_token", json_object_new_string(cache->token));
  json_object_object_add(json, "expires", json_object_new_int64((int64_t)cache->expires));
  json_object_object_add(json, "obtained", json_object_new_int64((int64_t)cache->obtained));

  text = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN);
  len  = strlen(text);

  // 0640 + DeviceGroup: every process of the group reads the token (a
  // missing group is not fatal: the setgid folder gives it).  Written
  // relative to the folder, never through a link (file.c).
  ret = upaWriteFileAtomicGroup(path, text, len, UPA_FILE_SHARED_MODE, cfg->device_group[0] && getgrnam(cfg->device_group) ? cfg->device_group : NULL);

  // The serialized copy inside json-c holds the token too.
  if ((text = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN)) != NULL)
    explicit_bzero((char *)text, strlen(text));
  json_object_put(json);

  return (ret);
}


//
// 'token_error_response()' - Set the error for a failed token endpoint response.
//

static void
token_error_response(
    const upa_http_response_t *resp,	// I - Response
    const char                *what,	// I - What was requested
    const char                *host)	// I - Host
{
  json_object	*json = NULL,		// Parsed body
		*value;			// One value
  const char	*message = NULL;	// Service's message


  if (resp->body.data && (json = json_tokener_parse(resp->body.data)) != NULL)
  {
    if (json_object_object_get_ex(json, "error_description", &value) && json_object_is_type(value, json_type_string))
      message = json_object_get_string(value);
    else if (json_object_object_get_ex(json, "error", &value) && json_object_is_type(value, json_type_string))
      message = json_object_get_string(value);
  }

  if (!message)
    message = "no details given";

  if (resp->status == 400 || resp->status == 401 || resp->status == 403)
    upaSetError(UPA_ERROR_AUTH, "%s refused %s (HTTP %d): %s", host, what, resp->status, message);
  else if (resp->status == 429 || resp->status == 503)
    upaSetError(UPA_ERROR_BUSY, "%s is busy (HTTP %d) for %s, retry after %d s.", host, resp->status, what, resp->retry_after > 0 ? resp->retry_after : 60);
  else
    upaSetError(UPA_ERROR_HTTP, "%s answered HTTP %d to %s: %s", host, resp->status, what, message);

  json_object_put(json);
}


//
// 'token_form_escape()' - URL-encode a form value.
//

static char *				// O - Escaped value (malloc'd) or `NULL`
token_form_escape(const char *s)	// I - Value
{
  char	*escaped,			// curl's copy
	*copy;				// malloc'd copy


  if ((escaped = curl_easy_escape(NULL, s, 0)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  copy = strdup(escaped);
  curl_free(escaped);

  if (!copy)
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");

  return (copy);
}


//
// 'token_is()' - Is this the token with the given SHA-256 digest?
//

static bool				// O - `true` if it is
token_is(const char          *token,	// I - Token
         const unsigned char *digest)	// I - SHA-256 digest
{
  unsigned char	md[SHA256_DIGEST_LENGTH];
					// Digest of token


  SHA256((const unsigned char *)token, strlen(token), md);

  return (!CRYPTO_memcmp(md, digest, sizeof(md)));
}


//
// 'token_lock()' - Open and lock <CacheDir>/tokens/<id>.lock.
//

static int				// O - Locked file descriptor or -1
token_lock(const upa_config_t *cfg,	// I - Configuration
           const upa_device_t *dev,	// I - Device
           int                operation)// I - LOCK_SH or LOCK_EX
{
  char		dir[1100],		// tokens folder
		path[1100];		// Lock file
  int		fd;			// File


  // Shared so lp (backend) and the release stations use one cache.
  snprintf(dir, sizeof(dir), "%s/tokens", cfg->cache_dir);
  if (!upaMakeSharedDir(dir, cfg->device_group))
    return (-1);

  if (!token_cache_path(cfg, dev, path, sizeof(path), "lock"))
    return (-1);

  if ((fd = upaFileOpen(path, O_RDWR | O_CREAT, UPA_FILE_SHARED_MODE, cfg->device_group)) < 0)
    return (-1);

  upaShareFile(fd, path, cfg->device_group);

  while (flock(fd, operation))
  {
    if (errno == EINTR)
      continue;

    upaSetError(UPA_ERROR_IO, "Unable to lock %s: %s.", path, strerror(errno));
    close(fd);
    return (-1);
  }

  return (fd);
}


//
// 'token_post()' - POST a form to the token endpoint and parse the JSON answer.
//

static json_object *			// O - JSON object or `NULL`
token_post(upa_http_t *http,		// I - HTTPS session
           const char *url,		// I - Token endpoint
           const char *body,		// I - Form body
           const char *what)		// I - What is requested (for messages)
{
  upa_http_request_t	req;		// Request
  upa_http_response_t	resp;		// Response
  json_object		*json = NULL;	// Parsed body
  char			host[256];	// Host for messages


  upaURLHost(url, host, sizeof(host));

  memset(&req, 0, sizeof(req));
  req.method       = "POST";
  req.url          = url;
  req.content_type = "application/x-www-form-urlencoded";
  req.body         = body;
  req.body_len     = strlen(body);

  if (!upaHTTPDo(http, &req, &resp))
    return (NULL);

  if (resp.status != 200)
  {
    token_error_response(&resp, what, host);
  }
  else if (!resp.body.data || (json = json_tokener_parse(resp.body.data)) == NULL || !json_object_is_type(json, json_type_object))
  {
    // Parsed whatever the Content-Type says (the service sends text/html).
    upaSetError(UPA_ERROR_PROTOCOL, "%s sent no JSON object in answer to %s.", host, what);
    json_object_put(json);
    json = NULL;
  }

  if (resp.body.data)
    explicit_bzero(resp.body.data, resp.body.len);
  upaHTTPResponseClear(&resp);

  return (json);
}


//
// 'token_request()' - Ask the token endpoint for a new device token.
//

static bool				// O - `true` on success
token_request(upa_http_t         *http,	// I - HTTPS session
              const upa_config_t *cfg,	// I - Configuration
              const upa_device_t *dev,	// I - Device
              token_cache_t      *cache)// O - New token
{
  json_object	*json = NULL,		// Response
		*value,			// One value
		*claims = NULL;		// JWT claims
  EVP_PKEY	*key = NULL;		// Device key
  char		*x5c = NULL,		// Certificate
		*jwt = NULL,		// Signed JWT
		*escaped = NULL,	// URL-encoded JWT
		*body = NULL;		// Form body
  size_t	bodysize;		// Size of body
  long long	expires_in = UPA_TOKEN_DEFAULT_LIFE;
					// Lifetime
  bool		ret = false;		// Return value


  if (!dev->token_url[0])
  {
    upaSetError(UPA_ERROR_DEVICE, "Device %s has no token URL; register it again.", dev->id);
    return (false);
  }

  // Key and certificate first: no point asking for a nonce we cannot sign.
  if ((key = upaKeyLoad(dev->key_file)) == NULL)
  {
    if (access(dev->key_file, R_OK))
      upaSetError(UPA_ERROR_DEVICE, "Unable to read device key %s: %s (check that this user is in group %s).", dev->key_file, strerror(errno), cfg->device_group);
    goto done;
  }

  if ((x5c = upaCertLoadDER64(dev->cert_file)) == NULL)
    goto done;

  upaLog(UPA_LOG_INFO, "Requesting a device token for %s.", dev->id);

  // Step 1: nonce.
  if ((json = token_post(http, dev->token_url, "grant_type=srv_challenge&windows_api_version=2.0", "the nonce request")) == NULL)
    goto done;

  if (!json_object_object_get_ex(json, "Nonce", &value) || !json_object_is_type(value, json_type_string))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The token endpoint sent no Nonce.");
    goto done;
  }

  // Step 2: the JWT, claims in the order Microsoft's code sends them.
  if ((claims = json_object_new_object()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    goto done;
  }

  json_object_object_add(claims, "request_nonce", json_object_new_string(json_object_get_string(value)));
  json_object_object_add(claims, "grant_type", json_object_new_string("device_token"));
  json_object_object_add(claims, "resource", json_object_new_string(dev->resource));
  json_object_object_add(claims, "client_id", json_object_new_string(dev->client_id));
  json_object_object_add(claims, "redirect_uri", json_object_new_string(dev->redirect_uri));
  json_object_object_add(claims, "iss", json_object_new_string(dev->id));

  json_object_put(json);
  json = NULL;

  if ((jwt = upaJWTSign(key, x5c, claims)) == NULL)
    goto done;

  // Step 3: exchange it.
  if ((escaped = token_form_escape(jwt)) == NULL)
    goto done;

  bodysize = strlen(escaped) + 80;
  if ((body = malloc(bodysize)) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    goto done;
  }
  snprintf(body, bodysize, "grant_type=%s&request=%s", "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", escaped);

  if ((json = token_post(http, dev->token_url, body, "the device token request")) == NULL)
    goto done;

  if (!json_object_object_get_ex(json, "access_token", &value) || !json_object_is_type(value, json_type_string) || !*json_object_get_string(value))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The token endpoint sent no access_token.");
    goto done;
  }

  if (!upaCopyString(cache->token, json_object_get_string(value), sizeof(cache->token)))
  {
    upaSetError(UPA_ERROR_PROTOCOL, "The device token is too long (%zu bytes).", strlen(json_object_get_string(value)));
    goto done;
  }

  // expires_in is a number in Entra v2 and a string in v1 answers.
  if (json_object_object_get_ex(json, "expires_in", &value))
  {
    long long v = json_object_get_int64(value);
					// Seconds

    if (v > 0)
      expires_in = v;
  }

  cache->obtained = time(NULL);
  cache->expires  = cache->obtained + (time_t)expires_in;
  ret             = true;

  upaLog(UPA_LOG_DEBUG, "Device token for %s valid for %lld s.", dev->id, expires_in);

  done:

  if (json)
  {
    const char *text = json_object_to_json_string(json);
					// Serialized copy (holds the token)

    if (text)
      explicit_bzero((char *)text, strlen(text));
    json_object_put(json);
  }
  json_object_put(claims);
  EVP_PKEY_free(key);
  free(x5c);
  if (jwt)
  {
    explicit_bzero(jwt, strlen(jwt));
    free(jwt);
  }
  if (escaped)
  {
    explicit_bzero(escaped, strlen(escaped));
    free(escaped);
  }
  if (body)
  {
    explicit_bzero(body, strlen(body));
    free(body);
  }

  return (ret);
}
