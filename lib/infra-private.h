//
// Private IPP-INFRA request builders (lib/infra.c), exposed for unit tests.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Each returns a new request (caller sends or ippDelete()s it) with the
// attributes in the order of protocol.md §4.3, or NULL with the last error set.
//

#ifndef UPA_INFRA_PRIVATE_H
#  define UPA_INFRA_PRIVATE_H
#  include "infra.h"

extern ipp_t	*upaInfraNewJobRequest(upa_client_t *client, ipp_op_t op, const char *user_uri, int job_id);
extern ipp_t	*upaInfraNewAcknowledgeJob(upa_client_t *client, const char *user_uri, int job_id, const char *message);
extern ipp_t	*upaInfraNewFetchDocument(upa_client_t *client, const char *user_uri, int job_id, int doc_number);
extern ipp_t	*upaInfraNewUpdateJobStatus(upa_client_t *client, const char *user_uri, int job_id, const upa_jobstatus_t *status);
extern ipp_t	*upaInfraNewUpdateOutputDeviceAttributes(upa_client_t *client, ipp_t *printer_attrs);

#endif // !UPA_INFRA_PRIVATE_H
