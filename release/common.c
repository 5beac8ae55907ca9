//
// upa-release: what the release program and the release helper share.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "release.h"


//
// 'relGetJobs()' - Get-Jobs for a user, with the details a station shows.
//
// Terminal jobs are left out.  *jobs is malloc'd (NULL when there are none).
//

int					// O - Number of jobs or -1
relGetJobs(upa_client_t *client,	// I - Cloud session
           const char   *user_uri,	// I - mailto:UPN
           int          job_lifetime,	// I - Seconds a held job lives (0 = unknown)
           rel_job_t    **jobs)		// O - Jobs
{
  ipp_t			*response;	// Get-Jobs response
  upa_jobinfo_t		*info = NULL;	// Parsed list
  int			num_info,	// Number of parsed jobs
			i,		// Looping var
			count = 0;	// Jobs kept
  rel_job_t		*job;		// Current job


  *jobs = NULL;

  if ((response = upaInfraGetJobs(client, user_uri)) == NULL)
    return (-1);

  // One pass, each job once (upaInfraJobList() de-duplicates and carries
  // sides, print-color-mode and the retention time as well).
  num_info = upaInfraJobList(response, &info);
  ippDelete(response);

  if (num_info < 0)
    return (-1);

  if (num_info > 0 && (*jobs = calloc((size_t)num_info, sizeof(rel_job_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory");
    free(info);
    return (-1);
  }

  for (i = 0; i < num_info; i ++)
  {
    if (info[i].state >= IPP_JSTATE_CANCELED)
      continue;

    job       = *jobs + count ++;
    job->info = info[i];

    snprintf(job->sides, sizeof(job->sides), "%s", info[i].sides);
    snprintf(job->color, sizeof(job->color), "%s", info[i].color);

    if (info[i].retain_until > 0)
      job->expires = info[i].retain_until;
    else if (job_lifetime > 0 && info[i].created > 0)
      job->expires = info[i].created + job_lifetime;
  }

  free(info);

  if (count == 0)
  {
    free(*jobs);
    *jobs = NULL;
  }

  return (count);
}


//
// 'relUserURI()' - Make "mailto:UPN" from a UPN, checking it.
//

bool					// O - true if the UPN looks valid
relUserURI(const char *upn,		// I - UPN or mailto: URI
           char       *uri,		// O - mailto:UPN (NULL to only check)
           size_t     urisize)		// I - Size of uri
{
  char	temp[512];			// mailto:UPN


  if (!upn || !*upn)
    return (false);

  if (!strncasecmp(upn, "mailto:", 7))
    snprintf(temp, sizeof(temp), "%s", upn);
  else
    snprintf(temp, sizeof(temp), "mailto:%s", upn);

  if (!strchr(temp, '@') || strpbrk(temp, " \t\r\n\"<>") || strlen(temp) > 300)
    return (false);

  if (uri)
    snprintf(uri, urisize, "%s", temp);

  return (true);
}
