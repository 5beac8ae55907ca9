//
// The "pwg" profile of upa-cloudsim: a PWG 5100.18 Infrastructure Printer
// as the PWG reference server (ippserver) behaves, rather than Universal Print.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// With --profile pwg the IPP endpoint is the Infrastructure Printer
// ipps://HOST:PORT/printers/infra:
//   - HTTP Basic (--basic-auth USER:PASSWORD) or no authentication; device
//     bearer tokens are not accepted there (the admin token still is);
//   - the output device is named by output-device-uuid, and a new one is
//     made by its first Update-Output-Device-Attributes;
//   - strict RFC 8011 order: attributes-charset, attributes-natural-language,
//     then the target (printer-uri, then job-id for a job operation), else
//     client-error-bad-request;
//   - requesting-user-uri needs requesting-user-name naming the same user;
//   - Fetch-Document only after Acknowledge-Job (like --strict-ack-first).
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


//
// 'csPWGAuthorize()' - Check HTTP Basic credentials of a pwg-profile request.
//
// Returns true when the request may go on (credentials match, or none are
// configured); otherwise req->http_error is set.
//

bool					// O - `true` if authorized
csPWGAuthorize(cs_request_t *req)	// I - Request
{
  char		*user,			// User name sent
		*password = NULL;	// Password sent
  const char	*want = req->server->basic_auth,
					// USER:PASSWORD expected
		*colon;			// Separator in want
  bool		ok;			// Matches?


  if (!want)
    return (true);			// No authentication configured

  if ((user = MHD_basic_auth_get_username_password(req->conn, &password)) == NULL)
  {
    req->http_error = MHD_HTTP_UNAUTHORIZED;
    req->error_desc = strdup("HTTP Basic authentication required (profile pwg)");
    return (false);
  }

  colon = strchr(want, ':');
  ok    = colon && strlen(user) == (size_t)(colon - want) && !strncmp(user, want, (size_t)(colon - want)) && password && !strcmp(password, colon + 1);

  MHD_free(user);
  if (password)
  {
    explicit_bzero(password, strlen(password));
    MHD_free(password);
  }

  if (!ok)
  {
    req->http_error = MHD_HTTP_UNAUTHORIZED;
    req->error_desc = strdup("wrong user name or password (HTTP Basic, profile pwg)");
    return (false);
  }

  return (true);
}


//
// 'csPWGCheckRequest()' - Check RFC 8011 order and requesting-user-name.
//
// Returns NULL when the request is fine, otherwise the error response.
//

ipp_t *					// O - Error response or `NULL`
csPWGCheckRequest(ipp_t *request)	// I - Request
{
  ipp_op_t		op = ippGetOperation(request);
					// Operation
  ipp_attribute_t	*attr,		// Current attribute
			*name_attr,	// requesting-user-name
			*uri_attr;	// requesting-user-uri
  const char		*expected[4],	// Names in order
			*name;		// Current name
  int			num_expected = 0,
					// Number of names to check
			i;		// Looping var
  bool			job_op;		// Targets a job?


  job_op = op == IPP_OP_FETCH_JOB || op == IPP_OP_ACKNOWLEDGE_JOB || op == IPP_OP_FETCH_DOCUMENT || op == IPP_OP_UPDATE_JOB_STATUS || op == IPP_OP_ACKNOWLEDGE_DOCUMENT || op == IPP_OP_UPDATE_DOCUMENT_STATUS;

  expected[num_expected ++] = "attributes-charset";
  expected[num_expected ++] = "attributes-natural-language";
  expected[num_expected ++] = "printer-uri";
  if (job_op)
    expected[num_expected ++] = "job-id";

  for (i = 0, attr = ippFirstAttribute(request); i < num_expected; i ++, attr = ippNextAttribute(request))
  {
    name = attr ? ippGetName(attr) : NULL;

    if (!attr || !name || ippGetGroupTag(attr) != IPP_TAG_OPERATION || strcmp(name, expected[i]))
    {
      char	message[256];		// status-message

      if (i < 2)
        snprintf(message, sizeof(message), "attributes-charset and attributes-natural-language must come first (RFC 8011 section 4.1.4).");
      else
        snprintf(message, sizeof(message), "RFC 8011 order: %s must come here, right after %s (the target follows attributes-natural-language, section 4.1.5); found %s.", expected[i], expected[i - 1], name ? name : "nothing");

      return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, message));
    }
  }

  // The user: requesting-user-name with requesting-user-uri, the same user.
  uri_attr  = ippFindAttribute(request, "requesting-user-uri", IPP_TAG_ZERO);
  name_attr = ippFindAttribute(request, "requesting-user-name", IPP_TAG_ZERO);

  if (uri_attr)
  {
    const char	*uname,			// requesting-user-name value
		*uri;			// requesting-user-uri value

    if (!name_attr || (ippGetValueTag(name_attr) != IPP_TAG_NAME && ippGetValueTag(name_attr) != IPP_TAG_NAMELANG) || (uname = ippGetString(name_attr, 0, NULL)) == NULL || !*uname)
      return (csIPPResponse(request, IPP_STATUS_ERROR_BAD_REQUEST, "requesting-user-name is required with requesting-user-uri."));

    if ((uri = ippGetString(uri_attr, 0, NULL)) != NULL && !strncasecmp(uri, "mailto:", 7) && strcasecmp(uri + 7, uname))
      return (csIPPResponse(request, IPP_STATUS_ERROR_NOT_AUTHORIZED, "requesting-user-name does not name the requesting-user-uri user."));
  }

  return (NULL);
}
