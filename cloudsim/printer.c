//
// Printer description for upa-cloudsim: the attributes Get-Printer-Attributes
// returns for a device or pull printer.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Protocol attributes (URIs, operations, notifications) come from the
// emulator; status and capabilities come from what the device reported with
// Update-Output-Device-Attributes or a Graph PATCH, overridden by cloud-side
// state (Pause-Printer, Disable-Printer, Shutdown-Printer).
//

#include "cloudsim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


//
// 'csIPPPrinterAttrs()' - Add all printer attributes of a printer.
//

void
csIPPPrinterAttrs(cs_server_t *server,	// I - Server
                  const char  *printer,	// I - Device or pull printer id
                  ipp_t       *attrs)	// I - Where to add them
{
  cs_tenant_t		*tenant = server->tenant;
					// Tenant
  cs_device_t		*dev;		// Device
  cs_pull_t		*pull;		// Pull printer
  ipp_attribute_t	*attr;		// Reported attribute
  char			uri[1024],	// URIs
			text[512];	// Text
  int			ops[128],	// operations-supported
			num_ops = csIPPOperations(ops, (int)(sizeof(ops) / sizeof(ops[0])));
					// Number of operations
  int			state = IPP_PSTATE_IDLE;
					// printer-state
  const char		*reasons[32];	// printer-state-reasons
  int			num_reasons = 0;// Number of reasons
  bool			accepting = true;
					// printer-is-accepting-jobs
  static const char * const which_jobs[] = { "fetchable", "not-completed", "completed", "all" };
  static const char * const versions[] = { "1.1", "2.0" };
  static const char * const formats[] = { "application/pdf", "application/oxps", "application/octet-stream" };
  static const char * const events[] = { "job-fetchable", "job-state-changed", "job-config-changed", "printer-config-changed", "printer-state-changed", "document-state-changed", "document-config-changed" };
  static const char * const identify[] = { "display", "flash", "sound" };
  static const char * const settable[] = { "printer-info", "printer-location" };
  static const char * const job_settable[] = { "copies", "job-name", "media", "print-color-mode", "sides" };
  static const char * const creation[] = { "copies", "media", "print-color-mode", "sides" };


  csTenantLock(tenant);

  dev  = csTenantFindDevice(tenant, printer);
  pull = dev ? NULL : csTenantFindPull(tenant, printer);

  if (!dev && !pull)
  {
    csTenantUnlock(tenant);
    return;
  }

  if (dev)
  {
    if ((attr = ippFindAttribute(dev->attrs, "printer-state", IPP_TAG_ENUM)) != NULL)
      state = ippGetInteger(attr, 0);
    if ((attr = ippFindAttribute(dev->attrs, "printer-state-reasons", IPP_TAG_KEYWORD)) != NULL)
    {
      int i;				// Looping var

      for (i = 0; i < ippGetCount(attr) && num_reasons < 28; i ++)
        if (strcmp(ippGetString(attr, i, NULL), "none"))
          reasons[num_reasons ++] = ippGetString(attr, i, NULL);
    }
    if ((attr = ippFindAttribute(dev->attrs, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN)) != NULL)
      accepting = ippGetBoolean(attr, 0) != 0;

    if (dev->paused || dev->shutdown)
    {
      state = IPP_PSTATE_STOPPED;
      reasons[num_reasons ++] = dev->shutdown ? "shutdown" : "paused";
    }
    if (dev->hold_new)
      reasons[num_reasons ++] = "hold-new-jobs";
    if (dev->disabled || dev->shutdown)
      accepting = false;
    if (dev->identify[0])
      reasons[num_reasons ++] = "identify-printer-requested";
  }

  if (num_reasons == 0)
    reasons[num_reasons ++] = "none";

  snprintf(uri, sizeof(uri), "ipps://%s/printers/%s", server->hostport, dev ? dev->id : pull->id);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_URI, "printer-uri-supported", NULL, uri);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "uri-security-supported", NULL, "tls");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "uri-authentication-supported", NULL, "oauth");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-name", NULL, dev ? dev->name : pull->name);
  if (dev)
  {
    snprintf(uri, sizeof(uri), "urn:uuid:%s", dev->id);
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_URI, "printer-uuid", NULL, uri);
  }
  if (!dev || !ippFindAttribute(dev->attrs, "printer-make-and-model", IPP_TAG_ZERO))
  {
    snprintf(text, sizeof(text), "%s %s", dev ? dev->manufacturer : "Universal Print", dev ? dev->model : "Pull Printer");
    ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-make-and-model", NULL, text);
  }
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", state);
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-state-reasons", num_reasons, NULL, reasons);
  ippAddBoolean(attrs, IPP_TAG_PRINTER, "printer-is-accepting-jobs", accepting);
  ippAddIntegers(attrs, IPP_TAG_PRINTER, IPP_TAG_ENUM, "operations-supported", num_ops, ops);
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "which-jobs-supported", (int)(sizeof(which_jobs) / sizeof(which_jobs[0])), NULL, which_jobs);
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "ipp-versions-supported", (int)(sizeof(versions) / sizeof(versions[0])), NULL, versions);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "ipp-features-supported", NULL, "infrastructure-printer");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_CHARSET, "charset-configured", NULL, "utf-8");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_CHARSET, "charset-supported", NULL, "utf-8");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_LANGUAGE, "natural-language-configured", NULL, "en");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_LANGUAGE, "generated-natural-language-supported", NULL, "en");
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_MIMETYPE, "document-format-supported", (int)(sizeof(formats) / sizeof(formats[0])), NULL, formats);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_MIMETYPE, "document-format-default", NULL, "application/pdf");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "compression-supported", NULL, "none");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_URISCHEME, "reference-uri-schemes-supported", NULL, "data");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "pdl-override-supported", NULL, "attempted");
  ippAddBoolean(attrs, IPP_TAG_PRINTER, "job-ids-supported", 1);
  ippAddBoolean(attrs, IPP_TAG_PRINTER, "multiple-document-jobs-supported", 0);
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "multiple-operation-time-out", 1800);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "multiple-operation-time-out-action", NULL, "abort-job");
  ippAddRange(attrs, IPP_TAG_PRINTER, "job-k-octets-supported", 0, (int)(CS_MAX_DOCUMENT / 1024));
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "job-creation-attributes-supported", (int)(sizeof(creation) / sizeof(creation[0])), NULL, creation);
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "job-settable-attributes-supported", (int)(sizeof(job_settable) / sizeof(job_settable[0])), NULL, job_settable);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "document-settable-attributes-supported", NULL, "document-name");
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-settable-attributes-supported", (int)(sizeof(settable) / sizeof(settable[0])), NULL, settable);
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "identify-actions-supported", (int)(sizeof(identify) / sizeof(identify[0])), NULL, identify);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "identify-actions-default", NULL, "display");
  ippAddStrings(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "notify-events-supported", (int)(sizeof(events) / sizeof(events[0])), NULL, events);
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "notify-events-default", NULL, "job-fetchable");
  ippAddString(attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "notify-pull-method-supported", NULL, "ippget");
  ippAddRange(attrs, IPP_TAG_PRINTER, "notify-lease-duration-supported", 0, 67108863);
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "notify-lease-duration-default", 86400);
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "notify-max-events-supported", CS_MAX_NOTES);
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "ippget-event-life", 300);
  ippAddInteger(attrs, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "printer-up-time", (int)(time(NULL) - tenant->start_time) + 1);
  ippAddDate(attrs, IPP_TAG_PRINTER, "printer-current-time", ippTimeToDate(time(NULL)));

  if (dev)
  {
    for (attr = ippFirstAttribute(dev->attrs); attr; attr = ippNextAttribute(dev->attrs))
    {
      const char *name = ippGetName(attr);
					// Attribute name

      if (name && !ippFindAttribute(attrs, name, IPP_TAG_ZERO))
        ippCopyAttribute(attrs, attr, 0);
    }
  }

  csTenantUnlock(tenant);
}
