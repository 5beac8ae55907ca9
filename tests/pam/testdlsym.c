//
// Check that pam_upa.so exports the PAM entry points and nothing else of note.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Like pam-u2f's tests/dlsym_check.c: dlopen() the built module, require
// pam_sm_authenticate/setcred/acct_mgmt, and refuse any libupa symbol (the
// version script keeps the statically linked core private).
//

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>


//
// 'main()' - Run the check.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Module path (optional)
{
  const char	*module = argc > 1 ? argv[1] : PAM_UPA_MODULE;
					// Module to check
  void		*handle;		// Module handle
  static const char * const wanted[] =	// Must be exported
  {
    "pam_sm_authenticate",
    "pam_sm_setcred",
    "pam_sm_acct_mgmt"
  };
  static const char * const unwanted[] =// Must not be exported
  {
    "pam_sm_open_session",		// Not implemented: libpam must not find it
    "pam_sm_chauthtok",
    "upaBadgeNormalize",		// libupa stays private
    "upaBadgeStoreLoad",
    "upaConfigLoad",
    "upaLog",
    "upaSetError",
    "upaHTTPDo",
    "parse_args",
    "perform_auth",
    "nonexistent"
  };
  size_t	i;			// Looping var
  int		status = 0;		// Exit status


  if ((handle = dlopen(module, RTLD_NOW | RTLD_LOCAL)) == NULL)
  {
    fprintf(stderr, "testdlsym: dlopen(%s): %s\n", module, dlerror());
    return (1);
  }

  for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i ++)
  {
    if (!dlsym(handle, wanted[i]))
    {
      fprintf(stderr, "testdlsym: FAIL %s is not exported\n", wanted[i]);
      status = 1;
    }
    else
      printf("testdlsym: ok %s exported\n", wanted[i]);
  }

  for (i = 0; i < sizeof(unwanted) / sizeof(unwanted[0]); i ++)
  {
    if (dlsym(handle, unwanted[i]))
    {
      fprintf(stderr, "testdlsym: FAIL %s is exported\n", unwanted[i]);
      status = 1;
    }
    else
      printf("testdlsym: ok %s not exported\n", unwanted[i]);
  }

  dlclose(handle);

  return (status);
}
