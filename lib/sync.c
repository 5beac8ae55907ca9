//
// Capability and status sync: a local CUPS queue's attributes to Universal Print.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// See sync.h.  Values cupsd does not report for a queue (a raw queue has no
// sides, resolution, media lists...) get conservative defaults, because
// Windows clients need the whole Mopria set before they show a printer.
//

#include "upa-private.h"
#include <fcntl.h>
#include "graph.h"
#include "sync.h"
#include <ctype.h>
#include <time.h>
#include <openssl/evp.h>

#define UPA_SYNC_HASHLEN	(2 * 32 + 1)	// Hex SHA-256 plus NUL


//
// Local types...
//

typedef struct sync_map_s		// Keyword to Graph name
{
  const char	*ipp;			// IPP keyword or enum value as text
  const char	*graph;			// Graph enum value
} sync_map_t;


//
// Local globals...
//

static const char * const sync_requested[] =
{					// Attributes read from cupsd (protocol.md §5)
  "color-supported",
  "copies-default",
  "copies-supported",
  "document-format-default",
  "document-format-preferred",
  "document-format-supported",
  "finishings-default",
  "finishings-supported",
  "generated-natural-language-supported",
  "ipp-versions-supported",
  "media-col-database",
  "media-col-default",
  "media-col-supported",
  "media-default",
  "media-source-supported",
  "media-supported",
  "media-type-supported",
  "multiple-document-handling-supported",
  "number-up-default",
  "number-up-supported",
  "orientation-requested-default",
  "orientation-requested-supported",
  "output-bin-default",
  "output-bin-supported",
  "page-ranges-supported",
  "pdl-override-supported",
  "print-color-mode-default",
  "print-color-mode-supported",
  "print-quality-default",
  "print-quality-supported",
  "print-scaling-default",
  "print-scaling-supported",
  "printer-is-accepting-jobs",
  "printer-location",
  "printer-make-and-model",
  "printer-more-info-manufacturer",
  "printer-resolution-default",
  "printer-resolution-supported",
  "printer-state",
  "printer-state-message",
  "printer-state-reasons",
  "printer-up-time",
  "sides-default",
  "sides-supported"
};

static const char * const sync_status_attrs[] =
{					// Attributes behind Graph "status"/"isAcceptingJobs"
  "printer-is-accepting-jobs",
  "printer-state",
  "printer-state-message",
  "printer-state-reasons",
  NULL
};

static const sync_map_t sync_color_modes[] =
{
  { "auto", "auto" },
  { "bi-level", "blackAndWhite" },
  { "color", "color" },
  { "monochrome", "grayscale" },
  { "process-bi-level", "blackAndWhite" },
  { "process-monochrome", "grayscale" },
  { "auto-monochrome", "grayscale" },
  { NULL, NULL }
};

static const sync_map_t sync_duplex[] =
{
  { "one-sided", "oneSided" },
  { "two-sided-long-edge", "flipOnLongEdge" },
  { "two-sided-short-edge", "flipOnShortEdge" },
  { NULL, NULL }
};

static const sync_map_t sync_media[] =
{					// Graph's media size names (printerCapabilities.mediaSizes)
  { "iso_a3_297x420mm", "A3" },
  { "iso_a4_210x297mm", "A4" },
  { "iso_a5_148x210mm", "A5" },
  { "iso_a6_105x148mm", "A6" },
  { "iso_b5_176x250mm", "ISO B5" },
  { "jis_b4_257x364mm", "JIS B4" },
  { "jis_b5_182x257mm", "JIS B5" },
  { "na_executive_7.25x10.5in", "North America Executive" },
  { "na_ledger_11x17in", "North America Tabloid" },
  { "na_legal_8.5x14in", "North America Legal" },
  { "na_letter_8.5x11in", "North America Letter" },
  { "na_number-10_4.125x9.5in", "North America Number 10 Envelope" },
  { "iso_dl_110x220mm", "ISO DL Envelope" },
  { NULL, NULL }
};

static const sync_map_t sync_orientations[] =
{
  { "3", "portrait" },
  { "4", "landscape" },
  { "5", "reverseLandscape" },
  { "6", "reversePortrait" },
  { NULL, NULL }
};

static const sync_map_t sync_qualities[] =
{
  { "3", "low" },
  { "4", "medium" },
  { "5", "high" },
  { NULL, NULL }
};

static const sync_map_t sync_scalings[] =
{
  { "auto", "auto" },
  { "auto-fit", "shrinkToFit" },
  { "fill", "fill" },
  { "fit", "fit" },
  { "none", "none" },
  { NULL, NULL }
};


//
// Local functions...
//

static void		sync_add_defaults(ipp_t *attrs);
static bool		sync_attr_hash(ipp_attribute_t *attr, char *hash);
static void		sync_camel(const char *keyword, char *buffer, size_t bufsize);
static json_object	*sync_graph_list(ipp_attribute_t *attr, const sync_map_t *map, bool camel);
static const char	*sync_graph_value(ipp_attribute_t *attr, int element, const sync_map_t *map, bool camel, char *buffer, size_t bufsize);
static bool		sync_in_list(const char *name, const char * const *list);
static json_object	*sync_json_load(const char *path);
static bool		sync_state_path(const upa_config_t *cfg, const char *id, char *path, size_t pathsize);
static bool		sync_backend_pushed_since(const upa_config_t *cfg, const upa_device_t *dev, time_t since);
static bool		sync_state_save(const upa_config_t *cfg, const upa_device_t *dev, json_object *hashes, const upa_syncstate_t *state);


//
// 'upaSyncDevice()' - Push a queue's changed attributes to the cloud.
//

bool					// O - `true` on success (also when nothing changed)
upaSyncDevice(const upa_config_t *cfg,	// I - Configuration
              http_t             *cups,	// I - Connection to cupsd
              const upa_device_t *dev,	// I - Device
              unsigned           flags,	// I - UPA_SYNC_* flags
              int                *pushed)
					// O - Attributes pushed or `NULL`
{
  ipp_t			*attrs = NULL,	// Everything the queue has
			*changes = NULL;// What changed
  ipp_attribute_t	*attr;		// Current attribute
  json_object		*old = NULL,	// Recorded state file
			*old_hashes = NULL,
					// Recorded attribute hashes
			*new_hashes = NULL,
					// Current attribute hashes
			*value,		// One value
			*patch = NULL;	// Graph JSON body
  upa_client_t		*client = NULL;	// Cloud session
  upa_syncstate_t	state;		// State to record
  char			path[1200],	// State file
			hash[UPA_SYNC_HASHLEN],
					// Attribute hash
			token[16384],	// Device token (never logged)
			error[1024] = "";
					// What failed
  upa_error_t		errclass = UPA_ERROR_NONE;
					// Class of what failed
  int			count = 0;	// Attributes that changed
  bool			status_changed = false,
					// Graph status part changed?
			caps_changed = false,
					// Graph capabilities part changed?
			backend_pushed,	// Backend pushed state since our sync?
			ret = false;	// Return value


  if (pushed)
    *pushed = 0;

  if (!cfg || !cups || !dev)
  {
    upaSetError(UPA_ERROR_ARGS, "upaSyncDevice: bad arguments.");
    return (false);
  }

  memset(&state, 0, sizeof(state));
  upaSyncStateLoad(cfg, dev->id, &state);
  upaClearError();

  if (cfg->profile == UPA_PROFILE_PWG)
  {
    // No Graph; a new server (or a first sync) gets the whole device.
    flags |= UPA_SYNC_NO_GRAPH;
    if (strcmp(state.introduced, cfg->printer_uri) && !(flags & UPA_SYNC_NO_INFRA))
    {
      upaLog(UPA_LOG_INFO, "%s: introducing output device %s to %s.", dev->queue, dev->id, cfg->printer_uri);
      flags |= UPA_SYNC_FORCE;
    }
  }

  if ((attrs = upaSyncQueueAttributes(cups, dev->queue)) == NULL)
  {
    snprintf(error, sizeof(error), "%s", upaLastErrorString());
    goto done;
  }

  // Which attributes changed since the last successful sync?
  if (sync_state_path(cfg, dev->id, path, sizeof(path)) && (old = sync_json_load(path)) != NULL)
    json_object_object_get_ex(old, "attributes", &old_hashes);

  // The upa backend also pushes printer state (STATE: lines of the real
  // backend).  If it did since our last push, the cloud holds its view, not
  // ours: send the state attributes again even though CUPS' did not change
  // (a job canceled before cupsd stopped the queue left the cloud "stopped").
  backend_pushed = sync_backend_pushed_since(cfg, dev, state.last_sync);

  if ((new_hashes = json_object_new_object()) == NULL || (changes = ippNew()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    snprintf(error, sizeof(error), "%s", upaLastErrorString());
    goto done;
  }

  for (attr = ippFirstAttribute(attrs); attr; attr = ippNextAttribute(attrs))
  {
    const char *name = ippGetName(attr);// Attribute name

    // printer-up-time changes every second: it goes along, never decides.
    if (!name || !strcmp(name, "printer-up-time"))
      continue;

    if (!sync_attr_hash(attr, hash))
    {
      snprintf(error, sizeof(error), "%s", upaLastErrorString());
      goto done;
    }

    json_object_object_add(new_hashes, name, json_object_new_string(hash));

    if (!(flags & UPA_SYNC_FORCE) && old_hashes && json_object_object_get_ex(old_hashes, name, &value) && !strcmp(json_object_get_string(value), hash) && !(backend_pushed && !strncmp(name, "printer-state", 13)))
      continue;

    ippCopyAttribute(changes, attr, 0);
    count ++;

    if (sync_in_list(name, sync_status_attrs))
      status_changed = true;
    else
      caps_changed = true;

    upaLog(UPA_LOG_DEBUG, "%s: %s changed.", dev->queue, name);
  }

  if (count == 0)
  {
    upaLog(UPA_LOG_INFO, "%s: nothing changed since the last sync.", dev->queue);
    ret = true;
    goto done;
  }

  if ((attr = ippFindAttribute(attrs, "printer-up-time", IPP_TAG_INTEGER)) != NULL)
    ippCopyAttribute(changes, attr, 0);

  if (flags & UPA_SYNC_DRY_RUN)
  {
    if (pushed)
      *pushed = count;
    ret = true;
    goto done;
  }

  if ((client = upaClientCreate(cfg, dev)) == NULL)
  {
    snprintf(error, sizeof(error), "%s", upaLastErrorString());
    goto done;
  }

  // IPP-INFRA first: it is the path every Universal Print device uses.
  if (!(flags & UPA_SYNC_NO_INFRA))
  {
    upaLog(UPA_LOG_INFO, "%s: Update-Output-Device-Attributes with %d changed attributes.", dev->queue, count);
    if (!upaInfraUpdateOutputDeviceAttributes(client, changes))
    {
      snprintf(error, sizeof(error), "Update-Output-Device-Attributes failed: %s", upaLastErrorString());
      goto done;
    }
  }

  if (!(flags & UPA_SYNC_NO_GRAPH))
  {
    int tries;				// Attempts (a 401 renews the token once)

    for (tries = 0; tries < 2; tries ++)
    {
      if (!upaClientGetToken(client, tries > 0, token, sizeof(token)))
      {
        snprintf(error, sizeof(error), "No device token for Graph: %s", upaLastErrorString());
        goto done;
      }

      upaLog(UPA_LOG_INFO, "%s: Graph PATCH (application/ipp) with %d changed attributes.", dev->queue, count);
      if (upaGraphPatchPrinterIPP(upaClientGetHTTP(client), cfg, token, dev->id, changes))
      {
        if ((patch = upaSyncGraphJSON(attrs, status_changed, caps_changed)) == NULL)
        {
          snprintf(error, sizeof(error), "%s", upaLastErrorString());
          goto done;
        }

        upaLog(UPA_LOG_INFO, "%s: Graph PATCH (JSON:%s%s).", dev->queue, status_changed ? " status, isAcceptingJobs" : "", caps_changed ? " capabilities, defaults" : "");
        if (upaGraphPatchPrinterJSON(upaClientGetHTTP(client), cfg, token, dev->id, patch))
          break;
      }

      if (upaLastError() != UPA_ERROR_AUTH || tries > 0)
      {
        snprintf(error, sizeof(error), "%s%s", flags & UPA_SYNC_NO_INFRA ? "" : "Update-Output-Device-Attributes worked, but ", upaLastErrorString());
        goto done;
      }

      json_object_put(patch);
      patch = NULL;
    }
  }

  if (pushed)
    *pushed = count;

  ret = true;

  done:

  explicit_bzero(token, sizeof(token));

  if (error[0])
    errclass = upaLastError() != UPA_ERROR_NONE ? upaLastError() : UPA_ERROR_INTERNAL;

  if (!(flags & UPA_SYNC_DRY_RUN) && (count > 0 || error[0] || !state.last_sync))
  {
    // Record the attempt; the hashes only move forward when the push worked.
    upaCopyString(state.queue, dev->queue, sizeof(state.queue));
    state.last_attempt = time(NULL);
    if (ret)
    {
      state.last_sync   = state.last_attempt;
      state.last_pushed = count;
      state.last_error[0] = '\0';
      if (cfg->profile == UPA_PROFILE_PWG && !(flags & UPA_SYNC_NO_INFRA))
        upaCopyString(state.introduced, cfg->printer_uri, sizeof(state.introduced));
    }
    else
      upaCopyString(state.last_error, error, sizeof(state.last_error));

    if (!sync_state_save(cfg, dev, ret ? new_hashes : old_hashes, &state))
      upaLog(UPA_LOG_WARN, "Unable to record the sync state of %s: %s", dev->queue, upaLastErrorString());
  }

  if (!ret && error[0])
    upaSetError(errclass, "%s", error);

  json_object_put(patch);
  json_object_put(new_hashes);
  json_object_put(old);
  ippDelete(changes);
  ippDelete(attrs);
  upaClientDelete(client);

  return (ret);
}


//
// 'upaSyncGraphJSON()' - Graph printer properties for a queue's attributes.
//

json_object *				// O - JSON object or `NULL`
upaSyncGraphJSON(ipp_t *attrs,		// I - Attributes from upaSyncQueueAttributes()
                 bool  status,		// I - Include status and isAcceptingJobs?
                 bool  caps)		// I - Include capabilities and defaults?
{
  json_object		*json,		// Result
			*obj,		// status/capabilities/defaults
			*list;		// Array
  ipp_attribute_t	*attr;		// Attribute
  char			buffer[256];	// Converted value
  const char		*s;		// String value
  int			i,		// Looping var
			lower,		// Range lower bound
			upper;		// Range upper bound


  if (!attrs || (json = json_object_new_object()) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  if (status)
  {
    static const char * const states[] = { "idle", "processing", "stopped" };
					// printer-state 3..5

    obj  = json_object_new_object();
    list = json_object_new_array();

    i = (attr = ippFindAttribute(attrs, "printer-state", IPP_TAG_ENUM)) != NULL ? ippGetInteger(attr, 0) : 0;
    json_object_object_add(obj, "state", json_object_new_string(i >= IPP_PSTATE_IDLE && i <= IPP_PSTATE_STOPPED ? states[i - IPP_PSTATE_IDLE] : "unknown"));

    if ((attr = ippFindAttribute(attrs, "printer-state-reasons", IPP_TAG_KEYWORD)) != NULL)
    {
      for (i = 0; i < ippGetCount(attr); i ++)
      {
        s = ippGetString(attr, i, NULL);
        // "none" is no detail; cups-* and vendor reasons are not Graph values.
        if (!s || !strcmp(s, "none") || !strncmp(s, "cups-", 5) || strchr(s, '.'))
          continue;
        sync_camel(s, buffer, sizeof(buffer));
        json_object_array_add(list, json_object_new_string(buffer));
      }
    }
    json_object_object_add(obj, "details", list);

    s = (attr = ippFindAttribute(attrs, "printer-state-message", IPP_TAG_TEXT)) != NULL ? ippGetString(attr, 0, NULL) : NULL;
    json_object_object_add(obj, "description", json_object_new_string(s ? s : ""));
    json_object_object_add(json, "status", obj);

    attr = ippFindAttribute(attrs, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
    json_object_object_add(json, "isAcceptingJobs", json_object_new_boolean(attr ? ippGetBoolean(attr, 0) : 0));
  }

  if (caps)
  {
    obj = json_object_new_object();

    if ((attr = ippFindAttribute(attrs, "document-format-supported", IPP_TAG_MIMETYPE)) != NULL)
      json_object_object_add(obj, "contentTypes", sync_graph_list(attr, NULL, false));
    if ((attr = ippFindAttribute(attrs, "copies-supported", IPP_TAG_RANGE)) != NULL)
    {
      json_object *range = json_object_new_object();
					// integerRange

      lower = ippGetRange(attr, 0, &upper);
      json_object_object_add(range, "start", json_object_new_int(lower));
      json_object_object_add(range, "end", json_object_new_int(upper));
      json_object_object_add(obj, "copiesPerJob", range);
    }
    if ((attr = ippFindAttribute(attrs, "print-color-mode-supported", IPP_TAG_KEYWORD)) != NULL)
      json_object_object_add(obj, "colorModes", sync_graph_list(attr, sync_color_modes, false));
    if ((attr = ippFindAttribute(attrs, "color-supported", IPP_TAG_BOOLEAN)) != NULL)
      json_object_object_add(obj, "isColorPrintingSupported", json_object_new_boolean(ippGetBoolean(attr, 0)));
    if ((attr = ippFindAttribute(attrs, "sides-supported", IPP_TAG_KEYWORD)) != NULL)
      json_object_object_add(obj, "duplexModes", sync_graph_list(attr, sync_duplex, false));
    if ((attr = ippFindAttribute(attrs, "printer-resolution-supported", IPP_TAG_RESOLUTION)) != NULL)
    {
      ipp_res_t	units;			// Resolution units
      int	yres;			// Vertical resolution

      list = json_object_new_array();
      for (i = 0; i < ippGetCount(attr); i ++)
        json_object_array_add(list, json_object_new_int(ippGetResolution(attr, i, &yres, &units)));
      json_object_object_add(obj, "dpis", list);
    }
    if ((attr = ippFindAttribute(attrs, "print-quality-supported", IPP_TAG_ENUM)) != NULL)
      json_object_object_add(obj, "qualities", sync_graph_list(attr, sync_qualities, false));
    if ((attr = ippFindAttribute(attrs, "orientation-requested-supported", IPP_TAG_ENUM)) != NULL)
      json_object_object_add(obj, "orientations", sync_graph_list(attr, sync_orientations, false));
    if ((attr = ippFindAttribute(attrs, "media-supported", IPP_TAG_ZERO)) != NULL)
      json_object_object_add(obj, "mediaSizes", sync_graph_list(attr, sync_media, false));
    if ((attr = ippFindAttribute(attrs, "media-type-supported", IPP_TAG_ZERO)) != NULL)
      json_object_object_add(obj, "mediaTypes", sync_graph_list(attr, NULL, false));
    if ((attr = ippFindAttribute(attrs, "media-source-supported", IPP_TAG_ZERO)) != NULL)
      json_object_object_add(obj, "inputBins", sync_graph_list(attr, NULL, false));
    if ((attr = ippFindAttribute(attrs, "output-bin-supported", IPP_TAG_ZERO)) != NULL)
      json_object_object_add(obj, "outputBins", sync_graph_list(attr, NULL, false));
    if ((attr = ippFindAttribute(attrs, "finishings-supported", IPP_TAG_ENUM)) != NULL)
      json_object_object_add(obj, "finishings", sync_graph_list(attr, NULL, true));
    if ((attr = ippFindAttribute(attrs, "print-scaling-supported", IPP_TAG_KEYWORD)) != NULL)
      json_object_object_add(obj, "scalings", sync_graph_list(attr, sync_scalings, false));
    if ((attr = ippFindAttribute(attrs, "page-ranges-supported", IPP_TAG_BOOLEAN)) != NULL)
      json_object_object_add(obj, "isPageRangeSupported", json_object_new_boolean(ippGetBoolean(attr, 0)));
    if ((attr = ippFindAttribute(attrs, "number-up-supported", IPP_TAG_ZERO)) != NULL)
    {
      static const int ups[] = { 1, 2, 4, 6, 9, 16 };
					// Usual pages-per-sheet values

      list = json_object_new_array();
      for (i = 0; i < (int)(sizeof(ups) / sizeof(ups[0])); i ++)
      {
        if (ippContainsInteger(attr, ups[i]))
          json_object_array_add(list, json_object_new_int(ups[i]));
      }
      json_object_object_add(obj, "pagesPerSheet", list);
    }
    json_object_object_add(json, "capabilities", obj);

    obj = json_object_new_object();
    if ((attr = ippFindAttribute(attrs, "copies-default", IPP_TAG_INTEGER)) != NULL)
      json_object_object_add(obj, "copiesPerJob", json_object_new_int(ippGetInteger(attr, 0)));
    if ((attr = ippFindAttribute(attrs, "document-format-default", IPP_TAG_MIMETYPE)) != NULL)
      json_object_object_add(obj, "contentType", json_object_new_string(ippGetString(attr, 0, NULL)));
    if ((attr = ippFindAttribute(attrs, "print-color-mode-default", IPP_TAG_KEYWORD)) != NULL && (s = sync_graph_value(attr, 0, sync_color_modes, false, buffer, sizeof(buffer))) != NULL)
      json_object_object_add(obj, "colorMode", json_object_new_string(s));
    if ((attr = ippFindAttribute(attrs, "sides-default", IPP_TAG_KEYWORD)) != NULL && (s = sync_graph_value(attr, 0, sync_duplex, false, buffer, sizeof(buffer))) != NULL)
      json_object_object_add(obj, "duplexMode", json_object_new_string(s));
    if ((attr = ippFindAttribute(attrs, "media-default", IPP_TAG_ZERO)) != NULL && (s = sync_graph_value(attr, 0, sync_media, false, buffer, sizeof(buffer))) != NULL)
      json_object_object_add(obj, "mediaSize", json_object_new_string(s));
    if ((attr = ippFindAttribute(attrs, "orientation-requested-default", IPP_TAG_ENUM)) != NULL && (s = sync_graph_value(attr, 0, sync_orientations, false, buffer, sizeof(buffer))) != NULL)
      json_object_object_add(obj, "orientation", json_object_new_string(s));
    if ((attr = ippFindAttribute(attrs, "print-quality-default", IPP_TAG_ENUM)) != NULL && (s = sync_graph_value(attr, 0, sync_qualities, false, buffer, sizeof(buffer))) != NULL)
      json_object_object_add(obj, "quality", json_object_new_string(s));
    if ((attr = ippFindAttribute(attrs, "printer-resolution-default", IPP_TAG_RESOLUTION)) != NULL)
    {
      ipp_res_t	units;			// Resolution units
      int	yres;			// Vertical resolution

      json_object_object_add(obj, "dpi", json_object_new_int(ippGetResolution(attr, 0, &yres, &units)));
    }
    if ((attr = ippFindAttribute(attrs, "finishings-default", IPP_TAG_ENUM)) != NULL)
      json_object_object_add(obj, "finishings", sync_graph_list(attr, NULL, true));
    if ((attr = ippFindAttribute(attrs, "output-bin-default", IPP_TAG_ZERO)) != NULL && (s = ippGetString(attr, 0, NULL)) != NULL)
      json_object_object_add(obj, "outputBin", json_object_new_string(s));
    if ((attr = ippFindAttribute(attrs, "print-scaling-default", IPP_TAG_KEYWORD)) != NULL && (s = sync_graph_value(attr, 0, sync_scalings, false, buffer, sizeof(buffer))) != NULL)
      json_object_object_add(obj, "scaling", json_object_new_string(s));
    json_object_object_add(json, "defaults", obj);
  }

  return (json);
}


//
// 'upaSyncQueueAttributes()' - Read a queue's attributes from cupsd.
//

ipp_t *					// O - Printer attributes or `NULL`
upaSyncQueueAttributes(http_t     *cups,	// I - Connection to cupsd
                       const char *queue)	// I - Queue name
{
  ipp_t			*request,	// Get-Printer-Attributes
			*response,	// Response
			*attrs;		// Result
  ipp_attribute_t	*attr;		// Current attribute
  char			uri[1024];	// printer-uri


  if (!cups || !queue || !*queue)
  {
    upaSetError(UPA_ERROR_ARGS, "upaSyncQueueAttributes: bad arguments.");
    return (NULL);
  }

  httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof(uri), "ipp", NULL, "localhost", 0, "/printers/%s", queue);

  request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", (int)(sizeof(sync_requested) / sizeof(sync_requested[0])), NULL, sync_requested);

  response = cupsDoRequest(cups, request, "/");

  if (!response || cupsLastError() > IPP_STATUS_OK_CONFLICTING)
  {
    if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND)
      upaSetError(UPA_ERROR_CUPS, "CUPS has no queue %s (deleted?): unregister it with \"upactl unregister %s\".", queue, queue);
    else
      upaSetError(UPA_ERROR_CUPS, "CUPS did not answer Get-Printer-Attributes for %s: %s", queue, cupsLastErrorString());
    ippDelete(response);
    return (NULL);
  }

  if ((attrs = ippNew()) == NULL)
  {
    ippDelete(response);
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  for (attr = ippFirstAttribute(response); attr; attr = ippNextAttribute(response))
  {
    ipp_attribute_t *copy;		// Copied attribute

    if (ippGetGroupTag(attr) != IPP_TAG_PRINTER || !ippGetName(attr) || !sync_in_list(ippGetName(attr), sync_requested))
      continue;

    // An unset default (no-value) tells the cloud nothing.
    if (ippGetValueTag(attr) == IPP_TAG_NOVALUE || ippGetValueTag(attr) == IPP_TAG_UNKNOWN)
      continue;

    if ((copy = ippCopyAttribute(attrs, attr, 0)) != NULL)
      ippSetGroupTag(attrs, &copy, IPP_TAG_PRINTER);
  }

  ippDelete(response);

  sync_add_defaults(attrs);

  // Secure release by badge (protocol.md §5): jobs wait for their owner.
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "job-release-action-supported", NULL, "owner-authorized-badge");

  return (attrs);
}


//
// 'upaSyncStateLoad()' - Read the recorded sync state of a device.
//

bool					// O - `true` if there is a state file
upaSyncStateLoad(const upa_config_t *cfg,	// I - Configuration
                 const char         *id,	// I - Device id
                 upa_syncstate_t    *state)	// O - State
{
  char		path[1200];		// State file
  json_object	*json,			// Contents
		*value;			// One member


  memset(state, 0, sizeof(upa_syncstate_t));

  if (!sync_state_path(cfg, id, path, sizeof(path)) || access(path, F_OK))
    return (false);

  if ((json = sync_json_load(path)) == NULL)
  {
    upaSetError(UPA_ERROR_IO, "Unable to read %s.", path);
    return (false);
  }

  if (json_object_object_get_ex(json, "queue", &value))
    upaCopyString(state->queue, json_object_get_string(value), sizeof(state->queue));
  if (json_object_object_get_ex(json, "lastSync", &value))
    state->last_sync = (time_t)json_object_get_int64(value);
  if (json_object_object_get_ex(json, "lastAttempt", &value))
    state->last_attempt = (time_t)json_object_get_int64(value);
  if (json_object_object_get_ex(json, "lastError", &value) && json_object_is_type(value, json_type_string))
    upaCopyString(state->last_error, json_object_get_string(value), sizeof(state->last_error));
  if (json_object_object_get_ex(json, "lastPushed", &value))
    state->last_pushed = json_object_get_int(value);
  if (json_object_object_get_ex(json, "introduced", &value) && json_object_is_type(value, json_type_string))
    upaCopyString(state->introduced, json_object_get_string(value), sizeof(state->introduced));

  json_object_put(json);

  return (true);
}


//
// 'upaSyncStateRemove()' - Forget the sync state of a device.
//

bool					// O - `true` on success
upaSyncStateRemove(const upa_config_t *cfg,	// I - Configuration
                   const char         *id)	// I - Device id
{
  char	path[1200];			// State file


  if (!sync_state_path(cfg, id, path, sizeof(path)))
    return (false);

  if (upaFileUnlink(path) && errno != ENOENT)
  {
    upaSetError(UPA_ERROR_IO, "Unable to remove %s: %s.", path, strerror(errno));
    return (false);
  }

  return (true);
}


//
// 'sync_add_defaults()' - Fill in Mopria-required attributes cupsd did not report.
//

static void
sync_add_defaults(ipp_t *attrs)		// I - Attributes
{
  ipp_attribute_t	*attr;		// Attribute
  bool			color;		// Color printer?
  static const char * const mdh[] =	// multiple-document-handling-supported
  {
    "separate-documents-uncollated-copies",
    "separate-documents-collated-copies"
  };
  static const char * const media[] =	// media-supported
  {
    "iso_a4_210x297mm",
    "na_letter_8.5x11in"
  };


  color = (attr = ippFindAttribute(attrs, "color-supported", IPP_TAG_BOOLEAN)) != NULL && ippGetBoolean(attr, 0);

  if (!ippFindAttribute(attrs, "color-supported", IPP_TAG_ZERO))
    ippAddBoolean(attrs, IPP_TAG_PRINTER, "color-supported", 0);
  if (!ippFindAttribute(attrs, "copies-supported", IPP_TAG_ZERO))
    ippAddRange(attrs, IPP_TAG_PRINTER, "copies-supported", 1, 1);
  if (!ippFindAttribute(attrs, "copies-default", IPP_TAG_ZERO))
    ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "copies-default", 1);
  if (!ippFindAttribute(attrs, "sides-supported", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "sides-supported", NULL, "one-sided");
  if (!ippFindAttribute(attrs, "sides-default", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "sides-default", NULL, "one-sided");
  if (!ippFindAttribute(attrs, "print-color-mode-supported", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "print-color-mode-supported", NULL, color ? "color" : "monochrome");
  if (!ippFindAttribute(attrs, "print-color-mode-default", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "print-color-mode-default", NULL, color ? "color" : "monochrome");
  if (!ippFindAttribute(attrs, "print-quality-supported", IPP_TAG_ZERO))
    ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "print-quality-supported", IPP_QUALITY_NORMAL);
  if (!ippFindAttribute(attrs, "print-quality-default", IPP_TAG_ZERO))
    ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "print-quality-default", IPP_QUALITY_NORMAL);
  if (!ippFindAttribute(attrs, "print-scaling-supported", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "print-scaling-supported", NULL, "auto");
  if (!ippFindAttribute(attrs, "print-scaling-default", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "print-scaling-default", NULL, "auto");
  if (!ippFindAttribute(attrs, "pdl-override-supported", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "pdl-override-supported", NULL, "attempted");
  if (!ippFindAttribute(attrs, "multiple-document-handling-supported", IPP_TAG_ZERO))
    ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "multiple-document-handling-supported", 2, NULL, mdh);
  if (!ippFindAttribute(attrs, "orientation-requested-default", IPP_TAG_ZERO))
    ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "orientation-requested-default", IPP_ORIENT_PORTRAIT);
  if (!ippFindAttribute(attrs, "finishings-supported", IPP_TAG_ZERO))
    ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "finishings-supported", IPP_FINISHINGS_NONE);
  if (!ippFindAttribute(attrs, "finishings-default", IPP_TAG_ZERO))
    ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "finishings-default", IPP_FINISHINGS_NONE);
  if (!ippFindAttribute(attrs, "output-bin-supported", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "output-bin-supported", NULL, "auto");
  if (!ippFindAttribute(attrs, "output-bin-default", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "output-bin-default", NULL, "auto");
  if (!ippFindAttribute(attrs, "media-type-supported", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "media-type-supported", NULL, "stationery");
  if (!ippFindAttribute(attrs, "media-source-supported", IPP_TAG_ZERO))
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "media-source-supported", NULL, "auto");
  if (!ippFindAttribute(attrs, "media-supported", IPP_TAG_ZERO))
    ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "media-supported", 2, NULL, media);
  if (!ippFindAttribute(attrs, "media-default", IPP_TAG_ZERO))
  {
    attr = ippFindAttribute(attrs, "media-supported", IPP_TAG_ZERO);
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "media-default", NULL, attr && ippGetString(attr, 0, NULL) ? ippGetString(attr, 0, NULL) : "iso_a4_210x297mm");
  }
  if (!ippFindAttribute(attrs, "printer-resolution-supported", IPP_TAG_ZERO))
    ippAddResolution(attrs, IPP_TAG_PRINTER, "printer-resolution-supported", IPP_RES_PER_INCH, 600, 600);
  if (!ippFindAttribute(attrs, "printer-resolution-default", IPP_TAG_ZERO))
    ippAddResolution(attrs, IPP_TAG_PRINTER, "printer-resolution-default", IPP_RES_PER_INCH, 600, 600);
  if (!ippFindAttribute(attrs, "document-format-preferred", IPP_TAG_ZERO))
  {
    attr = ippFindAttribute(attrs, "document-format-supported", IPP_TAG_MIMETYPE);
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_MIMETYPE, "document-format-preferred", NULL, !attr || ippContainsString(attr, "application/pdf") ? "application/pdf" : ippGetString(attr, 0, NULL));
  }
}


//
// 'sync_attr_hash()' - SHA-256 (hex) of one attribute's IPP encoding.
//

static bool				// O - `true` on success
sync_attr_hash(ipp_attribute_t *attr,	// I - Attribute
               char            *hash)	// O - Hex hash (UPA_SYNC_HASHLEN bytes)
{
  ipp_t		*one;			// Message holding only this attribute
  upa_buffer_t	enc;			// Its encoding
  unsigned char	md[EVP_MAX_MD_SIZE];	// Digest
  unsigned	mdlen = 0,		// Digest length
		i;			// Looping var
  bool		ret = false;		// Return value


  memset(&enc, 0, sizeof(enc));

  if ((one = ippNew()) == NULL || !ippCopyAttribute(one, attr, 0))
  {
    ippDelete(one);
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  if (upaIPPEncode(one, &enc) && EVP_Digest(enc.data, enc.len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32)
  {
    for (i = 0; i < mdlen; i ++)
      snprintf(hash + 2 * i, 3, "%02x", md[i]);
    ret = true;
  }
  else if (upaLastError() == UPA_ERROR_NONE)
    upaSetError(UPA_ERROR_INTERNAL, "Unable to hash attribute %s.", ippGetName(attr));

  upaBufferClear(&enc);
  ippDelete(one);

  return (ret);
}


//
// 'sync_backend_pushed_since()' - Did the upa backend push printer state since?
//
// The backend records what it last queued in <CacheDir>/printer-state/<id>
// (backend/pstate.c); its modification time is when (the outbox sends it
// soon after).
//

static bool				// O - `true` if it did
sync_backend_pushed_since(
    const upa_config_t *cfg,		// I - Configuration
    const upa_device_t *dev,		// I - Device
    time_t             since)		// I - Our last successful push (0 = never)
{
  char		path[1200];		// Backend's record
  struct stat	info;			// Its information


  if ((size_t)snprintf(path, sizeof(path), "%s/printer-state/%s", cfg->cache_dir, dev->id) >= sizeof(path) || stat(path, &info))
    return (false);

  return (info.st_mtime >= since);
}


//
// 'sync_camel()' - "media-empty-error" -> "mediaEmpty" (Graph enum style).
//

static void
sync_camel(const char *keyword,		// I - IPP keyword
           char       *buffer,		// O - camelCase
           size_t     bufsize)		// I - Size of buffer
{
  char		*bufptr = buffer,	// Output pointer
		*bufend = buffer + bufsize - 1;
					// End of buffer
  size_t	len = strlen(keyword);	// Length without severity suffix
  bool		upper = false;		// Next letter upper case?


  // PWG 5100.9 severity suffixes are not part of the Graph values.
  if (len > 7 && !strcmp(keyword + len - 7, "-report"))
    len -= 7;
  else if (len > 8 && !strcmp(keyword + len - 8, "-warning"))
    len -= 8;
  else if (len > 6 && !strcmp(keyword + len - 6, "-error"))
    len -= 6;

  for (; len > 0 && *keyword && bufptr < bufend; keyword ++, len --)
  {
    if (*keyword == '-' || *keyword == '_')
    {
      upper = true;
      continue;
    }

    *bufptr++ = upper ? (char)toupper(*keyword & 255) : *keyword;
    upper     = false;
  }

  *bufptr = '\0';
}


//
// 'sync_graph_list()' - Convert an attribute's values to a JSON array.
//

static json_object *			// O - Array
sync_graph_list(ipp_attribute_t  *attr,	// I - Attribute
                const sync_map_t *map,	// I - Value map or `NULL`
                bool             camel)	// I - camelCase the (enum) keywords?
{
  json_object	*list = json_object_new_array();
					// Array
  char		buffer[256];		// Converted value
  const char	*s;			// Value
  int		i;			// Looping var


  for (i = 0; i < ippGetCount(attr); i ++)
  {
    if ((s = sync_graph_value(attr, i, map, camel, buffer, sizeof(buffer))) != NULL)
      json_object_array_add(list, json_object_new_string(s));
  }

  return (list);
}


//
// 'sync_graph_value()' - Convert one attribute value to its Graph form.
//

static const char *			// O - Value or `NULL` to leave it out
sync_graph_value(ipp_attribute_t  *attr,	// I - Attribute
                 int              element,	// I - Value index
                 const sync_map_t *map,		// I - Value map or `NULL`
                 bool             camel,	// I - camelCase?
                 char             *buffer,	// I - Buffer
                 size_t           bufsize)	// I - Size of buffer
{
  const char	*s;			// Value text
  char		num[32];		// Enum as text


  switch (ippGetValueTag(attr))
  {
    case IPP_TAG_ENUM :
        if (map)
        {
          snprintf(num, sizeof(num), "%d", ippGetInteger(attr, element));
          s = num;
        }
        else
          s = ippEnumString(ippGetName(attr), ippGetInteger(attr, element));
        break;

    case IPP_TAG_KEYWORD :
    case IPP_TAG_NAME :
    case IPP_TAG_TEXT :
    case IPP_TAG_MIMETYPE :
        s = ippGetString(attr, element, NULL);
        break;

    default :
        return (NULL);
  }

  if (!s)
    return (NULL);

  if (map)
  {
    for (; map->ipp; map ++)
    {
      if (!strcmp(map->ipp, s))
        return (map->graph);
    }

    // Unmapped enums mean nothing to Graph; unmapped keywords pass as they are.
    if (ippGetValueTag(attr) == IPP_TAG_ENUM)
      return (NULL);
  }

  if (camel)
  {
    sync_camel(s, buffer, bufsize);
    return (buffer);
  }

  upaCopyString(buffer, s, bufsize);

  return (buffer);
}


//
// 'sync_in_list()' - Is a name in a list?
//

static bool				// O - `true` if so
sync_in_list(const char         *name,	// I - Name
             const char * const *list)	// I - List (`NULL`-terminated or sync_requested)
{
  size_t	i;			// Looping var


  if (list == sync_requested)
  {
    for (i = 0; i < sizeof(sync_requested) / sizeof(sync_requested[0]); i ++)
    {
      if (!strcmp(name, sync_requested[i]))
        return (true);
    }
    return (false);
  }

  for (; *list; list ++)
  {
    if (!strcmp(name, *list))
      return (true);
  }

  return (false);
}


//
// 'sync_json_load()' - Read a JSON file, never through a link (file.c).
//

static json_object *			// O - JSON or `NULL`
sync_json_load(const char *path)	// I - File
{
  int		fd;			// File
  json_object	*json;			// Contents


  if ((fd = upaFileOpen(path, O_RDONLY, 0, NULL)) < 0)
    return (NULL);

  json = json_object_from_fd(fd);
  close(fd);

  return (json);
}


//
// 'sync_state_path()' - <StateDir>/sync/<id>.json.
//

static bool				// O - `true` if it fit
sync_state_path(const upa_config_t *cfg,// I - Configuration
                const char         *id,	// I - Device id
                char               *path,	// O - Path
                size_t             pathsize)	// I - Size of path
{
  int	n;				// Length


  // The id comes from the device store; refuse anything path-like.
  if (!cfg || !id || !*id || strchr(id, '/') || id[0] == '.')
  {
    upaSetError(UPA_ERROR_ARGS, "Bad device id.");
    return (false);
  }

  n = snprintf(path, pathsize, "%s/sync/%s.json", cfg->state_dir, id);

  return (n > 0 && (size_t)n < pathsize);
}


//
// 'sync_state_save()' - Write the state file atomically.
//

static bool				// O - `true` on success
sync_state_save(const upa_config_t    *cfg,	// I - Configuration
                const upa_device_t    *dev,	// I - Device
                json_object           *hashes,	// I - Attribute hashes or `NULL`
                const upa_syncstate_t *state)	// I - State
{
  json_object	*json;			// File contents
  char		path[1200],		// State file
		dir[1100];		// Its folder
  const char	*text;			// Serialized
  bool		ret;			// Return value


  if (!sync_state_path(cfg, dev->id, path, sizeof(path)))
    return (false);

  // Made and given to the group on its descriptor; a link or another user's
  // folder in its place is refused, never chowned (file.c).
  snprintf(dir, sizeof(dir), "%s/sync", cfg->state_dir);
  if (!upaMakeDirs(dir, 0750) || !upaSetGroup(dir, -1, cfg->device_group))
    return (false);

  json = json_object_new_object();
  json_object_object_add(json, "queue", json_object_new_string(state->queue));
  json_object_object_add(json, "lastSync", json_object_new_int64((int64_t)state->last_sync));
  json_object_object_add(json, "lastAttempt", json_object_new_int64((int64_t)state->last_attempt));
  json_object_object_add(json, "lastError", state->last_error[0] ? json_object_new_string(state->last_error) : NULL);
  json_object_object_add(json, "lastPushed", json_object_new_int(state->last_pushed));
  if (state->introduced[0])
    json_object_object_add(json, "introduced", json_object_new_string(state->introduced));
  json_object_object_add(json, "attributes", hashes ? json_object_get(hashes) : json_object_new_object());

  text = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
  ret  = upaWriteFileAtomicGroup(path, text, strlen(text), 0640, cfg->device_group);

  json_object_put(json);

  return (ret);
}
