//
// upa-release authentication: badge -> UPN through the PAM service "upa-release".
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// The station does not know how badges map to users: the PAM stack does
// (pam_upa.so, or any module a site prefers).  The conversation answers the
// first prompt with the badge and asks the user for later hidden prompts
// (a PIN); informational messages are returned for display.  After
// pam_authenticate() and pam_acct_mgmt() succeed, the UPN is the PAM
// environment variable UPA_UPN when a module set one, else PAM_USER.
//

#include "release.h"
#include <security/pam_appl.h>


//
// Local types...
//

typedef struct auth_conv_s		// Conversation state
{
  const char	*badge;			// Badge text
  bool		badge_given;		// First prompt answered?
  rel_pin_cb_t	pin_cb;			// Ask for a PIN
  void		*pin_data;		// PIN callback data
  char		*message;		// Last info/error message
  size_t	msgsize;		// Size of message
} auth_conv_t;


//
// Local functions...
//

static int	conv_cb(int num_msg, const struct pam_message **msg, struct pam_response **resp, void *appdata);
static void	free_responses(struct pam_response *resp, int count);


//
// 'relAuthenticate()' - Authenticate a badge and return the user's UPN.
//

rel_auth_t				// O - Outcome
relAuthenticate(const char   *service,	// I - PAM service
                const char   *station,	// I - Station name (PAM_RHOST) or NULL
                const char   *badge,	// I - Badge text
                rel_pin_cb_t pin_cb,	// I - PIN callback or NULL
                void         *pin_data,	// I - PIN callback data
                char         *upn,	// O - UPN
                size_t       upnsize,	// I - Size of upn
                char         *message,	// O - Message for the user
                size_t       msgsize)	// I - Size of message
{
  pam_handle_t		*pamh = NULL;	// PAM handle
  struct pam_conv	conv;		// Conversation
  auth_conv_t		data;		// Conversation state
  const void		*item = NULL;	// PAM_USER
  const char		*env;		// UPA_UPN
  char			tty[256];	// Terminal name
  int			pamerr;		// PAM status
  rel_auth_t		result = REL_AUTH_DENIED;
					// Outcome


  *upn     = '\0';
  *message = '\0';

  memset(&data, 0, sizeof(data));
  data.badge    = badge;
  data.pin_cb   = pin_cb;
  data.pin_data = pin_data;
  data.message  = message;
  data.msgsize  = msgsize;

  conv.conv        = conv_cb;
  conv.appdata_ptr = &data;

  if ((pamerr = pam_start(service, NULL, &conv, &pamh)) != PAM_SUCCESS)
  {
    snprintf(message, msgsize, "The sign-in service is not available");
    upaLog(UPA_LOG_ERROR, "PAM service %s: %s", service, pam_strerror(pamh, pamerr));
    return (REL_AUTH_ERROR);
  }

  if (station && *station)
    pam_set_item(pamh, PAM_RHOST, station);
  if (ttyname_r(0, tty, sizeof(tty)) == 0)
    pam_set_item(pamh, PAM_TTY, tty);

  if ((pamerr = pam_authenticate(pamh, PAM_DISALLOW_NULL_AUTHTOK)) != PAM_SUCCESS)
  {
    if (!*message)
      snprintf(message, msgsize, "%s", pamerr == PAM_MAXTRIES ? "Too many attempts: try again later" : "Badge not recognised");
    upaLog(UPA_LOG_INFO, "Badge sign-in refused: %s", pam_strerror(pamh, pamerr));
    result = (pamerr == PAM_ABORT || pamerr == PAM_SYSTEM_ERR || pamerr == PAM_BUF_ERR || pamerr == PAM_SERVICE_ERR) ? REL_AUTH_ERROR : REL_AUTH_DENIED;
    goto done;
  }

  if ((pamerr = pam_acct_mgmt(pamh, PAM_DISALLOW_NULL_AUTHTOK)) != PAM_SUCCESS)
  {
    if (!*message)
      snprintf(message, msgsize, "This badge may not release print jobs");
    upaLog(UPA_LOG_INFO, "Badge account refused: %s", pam_strerror(pamh, pamerr));
    goto done;
  }

  // A module that maps badges may say so in the environment or PAM_USER
  if ((env = pam_getenv(pamh, "UPA_UPN")) != NULL && *env)
    snprintf(upn, upnsize, "%s", env);
  else if (pam_get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item)
    snprintf(upn, upnsize, "%s", (const char *)item);

  if (!relUserURI(upn, NULL, 0))
  {
    // E.g. a stack that authenticated the badge but mapped no user
    upaLog(UPA_LOG_ERROR, "PAM service %s authenticated the badge but gave no UPN (user@domain) in UPA_UPN or PAM_USER", service);
    snprintf(message, msgsize, "This badge is not linked to a user");
    *upn = '\0';
    goto done;
  }

  if (!strncasecmp(upn, "mailto:", 7))
    memmove(upn, upn + 7, strlen(upn + 7) + 1);

  result = REL_AUTH_OK;

  done:

  pam_end(pamh, pamerr);

  return (result);
}


//
// 'conv_cb()' - PAM conversation.
//

static int				// O - PAM status
conv_cb(int                      num_msg,
					// I - Number of messages
        const struct pam_message **msg,	// I - Messages
        struct pam_response      **resp,// O - Responses
        void                     *appdata)
					// I - Conversation state
{
  auth_conv_t		*data = (auth_conv_t *)appdata;
					// State
  struct pam_response	*replies;	// Responses
  int			i;		// Looping var
  char			pin[256];	// PIN typed


  if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG)
    return (PAM_CONV_ERR);

  if ((replies = calloc((size_t)num_msg, sizeof(struct pam_response))) == NULL)
    return (PAM_BUF_ERR);

  for (i = 0; i < num_msg; i ++)
  {
    switch (msg[i]->msg_style)
    {
      case PAM_PROMPT_ECHO_ON :
      case PAM_PROMPT_ECHO_OFF :
          if (!data->badge_given)
          {
            // The first question is the badge (or the user name it stands for)
            data->badge_given = true;
            replies[i].resp   = strdup(data->badge);
          }
          else if (data->pin_cb && (data->pin_cb)(data->pin_data, msg[i]->msg, pin, sizeof(pin)))
          {
            replies[i].resp = strdup(pin);
            explicit_bzero(pin, sizeof(pin));
          }
          else
          {
            free_responses(replies, num_msg);
            return (PAM_CONV_ERR);
          }

          if (!replies[i].resp)
          {
            free_responses(replies, num_msg);
            return (PAM_BUF_ERR);
          }
          break;

      case PAM_ERROR_MSG :
      case PAM_TEXT_INFO :
          if (msg[i]->msg)
            snprintf(data->message, data->msgsize, "%s", msg[i]->msg);
          break;

      default :
          free_responses(replies, num_msg);
          return (PAM_CONV_ERR);
    }
  }

  *resp = replies;

  return (PAM_SUCCESS);
}


//
// 'free_responses()' - Wipe and free conversation responses.
//

static void
free_responses(struct pam_response *resp,
					// I - Responses
               int                 count)
					// I - Number of responses
{
  int	i;				// Looping var


  for (i = 0; i < count; i ++)
  {
    if (resp[i].resp)
    {
      explicit_bzero(resp[i].resp, strlen(resp[i].resp));
      free(resp[i].resp);
    }
  }

  free(resp);
}
