//
// pam_testbadge.so: a stand-in for pam_upa.so in the upa-release tests.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
//   auth required /path/pam_testbadge.so map=FILE [env]
//
// Asks for the badge through the conversation ("Badge: ", hidden), looks it
// up in FILE ("BADGE UPN [PIN]" lines), asks for the PIN when the line has
// one, and sets PAM_USER to the UPN (and UPA_UPN in the PAM environment with
// "env"), as pam_upa.so does.  Test use only: badges are stored in clear.
//

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#include <security/pam_modules.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


//
// Local functions...
//

static char	*ask(pam_handle_t *pamh, const char *prompt);


//
// 'pam_sm_authenticate()' - Map the badge to a UPN.
//

PAM_EXTERN int				// O - PAM status
pam_sm_authenticate(pam_handle_t *pamh,	// I - PAM handle
                    int          flags,	// I - Flags (unused)
                    int          argc,	// I - Number of module arguments
                    const char   **argv)// I - Module arguments
{
  const char	*map = NULL;		// Map file
  int		env = 0;		// Set UPA_UPN too?
  int		i;			// Looping var
  char		*badge,			// Badge read
		*pin,			// PIN typed
		line[1024],		// Map line
		mbadge[256],		// Badge of the line
		mupn[256],		// UPN of the line
		mpin[256],		// PIN of the line
		envvar[300];		// UPA_UPN=...
  FILE		*fp;			// Map file
  int		status = PAM_AUTH_ERR;	// Result


  (void)flags;

  for (i = 0; i < argc; i ++)
  {
    if (!strncmp(argv[i], "map=", 4))
      map = argv[i] + 4;
    else if (!strcmp(argv[i], "env"))
      env = 1;
  }

  if (!map || (fp = fopen(map, "r")) == NULL)
    return (PAM_AUTHINFO_UNAVAIL);

  if ((badge = ask(pamh, "Badge: ")) == NULL)
  {
    fclose(fp);
    return (PAM_CONV_ERR);
  }

  while (fgets(line, sizeof(line), fp))
  {
    mpin[0] = '\0';
    if (sscanf(line, "%255s %255s %255s", mbadge, mupn, mpin) < 2 || strcmp(mbadge, badge))
      continue;

    if (mpin[0])
    {
      if ((pin = ask(pamh, "PIN: ")) == NULL)
      {
        status = PAM_CONV_ERR;
        break;
      }

      i = strcmp(pin, mpin);
      free(pin);
      if (i)
        break;
    }

    if (pam_set_item(pamh, PAM_USER, mupn) != PAM_SUCCESS)
      break;

    if (env)
    {
      snprintf(envvar, sizeof(envvar), "UPA_UPN=%s", mupn);
      pam_putenv(pamh, envvar);
    }

    status = PAM_SUCCESS;
    break;
  }

  fclose(fp);
  free(badge);

  return (status);
}


//
// 'pam_sm_setcred()' - Nothing to set.
//

PAM_EXTERN int				// O - PAM status
pam_sm_setcred(pam_handle_t *pamh,	// I - PAM handle
               int          flags,	// I - Flags
               int          argc,	// I - Number of arguments
               const char   **argv)	// I - Arguments
{
  (void)pamh; (void)flags; (void)argc; (void)argv;

  return (PAM_SUCCESS);
}


//
// 'pam_sm_acct_mgmt()' - Every mapped user may release.
//

PAM_EXTERN int				// O - PAM status
pam_sm_acct_mgmt(pam_handle_t *pamh,	// I - PAM handle
                 int          flags,	// I - Flags
                 int          argc,	// I - Number of arguments
                 const char   **argv)	// I - Arguments
{
  (void)pamh; (void)flags; (void)argc; (void)argv;

  return (PAM_SUCCESS);
}


//
// 'ask()' - Ask one hidden question through the conversation.
//

static char *				// O - Answer (malloc'd) or NULL
ask(pam_handle_t *pamh,			// I - PAM handle
    const char   *prompt)		// I - Prompt
{
  const struct pam_conv	*conv;		// Conversation
  struct pam_message	msg;		// Question
  const struct pam_message *msgp = &msg;
					// Question list
  struct pam_response	*resp = NULL;	// Answer
  char			*answer;	// Result


  if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS || !conv || !conv->conv)
    return (NULL);

  msg.msg_style = PAM_PROMPT_ECHO_OFF;
  msg.msg       = prompt;

  if ((conv->conv)(1, &msgp, &resp, conv->appdata_ptr) != PAM_SUCCESS || !resp)
    return (NULL);

  answer = resp->resp;
  free(resp);

  return (answer);
}
