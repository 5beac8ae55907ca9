//
// Drive the built pam_upa.so through the real libpam (pam_start_confdir()).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Each test writes badge.conf, a site key, a store and a service file naming
// the module by absolute path into a scratch folder, then runs the stack
// with a scripted conversation (the linux-pam tst-*-retval.c pattern).
//

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "upa.h"
#include "badge.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <security/pam_appl.h>


//
// Local types and globals...
//

typedef struct conv_data_s		// Scripted conversation
{
  const char	*answers[4];		// Answers to echo-off prompts, in order
  int		num_answers;		// Answers used so far
  int		num_prompts;		// Echo-off prompts seen
  char		messages[2048];		// Error/info messages shown
} conv_data_t;

static char	tmpdir[256];		// Scratch folder
static char	permit_module[256];	// pam_permit.so for the self-registration stack


//
// 'conv()' - Answer prompts from the script; collect messages.
//

static int				// O - PAM status
conv(int                      num_msg,	// I - Number of messages
     const struct pam_message **msg,	// I - Messages
     struct pam_response      **resp,	// O - Responses
     void                     *appdata)	// I - Script
{
  conv_data_t	*cd = (conv_data_t *)appdata;
					// Script
  int		i;			// Looping var


  if ((*resp = calloc((size_t)num_msg, sizeof(struct pam_response))) == NULL)
    return (PAM_BUF_ERR);

  for (i = 0; i < num_msg; i ++)
  {
    switch (msg[i]->msg_style)
    {
      case PAM_PROMPT_ECHO_OFF :
      case PAM_PROMPT_ECHO_ON :
          cd->num_prompts ++;
          if (cd->num_answers >= 4 || !cd->answers[cd->num_answers])
          {
            free(*resp);
            *resp = NULL;
            return (PAM_CONV_ERR);
          }
          (*resp)[i].resp = strdup(cd->answers[cd->num_answers ++]);
          break;

      default :
          strncat(cd->messages, msg[i]->msg, sizeof(cd->messages) - strlen(cd->messages) - 2);
          strcat(cd->messages, "\n");
          break;
    }
  }

  return (PAM_SUCCESS);
}


//
// 'write_file()' - Write a scratch file with a mode.
//

static void
write_file(const char *path,		// I - File
           const char *contents,	// I - Contents
           mode_t     mode)		// I - Mode
{
  FILE	*fp;				// File


  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(contents, fp);
  fclose(fp);
  assert_int_equal(chmod(path, mode), 0);
}


//
// 'make_setup()' - Write badge.conf (+extra directives) and two services for a test.
//
// Service "<name>": auth + account with pam_upa; "<name>-reg": the
// self-registration stack.  Returns the badge.conf path.
//

static const char *			// O - badge.conf path (static)
make_setup(const char *name,		// I - Test name
           const char *extra)		// I - Extra badge.conf lines
{
  static char	conf[512];		// badge.conf
  char		path[512],		// Service file
		text[4096];		// Contents


  snprintf(conf, sizeof(conf), "%s/%s.conf", tmpdir, name);
  snprintf(text, sizeof(text),
           "# test %s\n"
           "Store %s/badges\n"
           "KeyFile %s/badge.key\n"
           "StateDir %s/state-%s\n"
           "UpaConfig %s/none.conf\n"
           "StripPrefix ;\n"
           "StripSuffix ?\n"
           "InputFormat decimal\n"
           "StripLeadingZeros yes\n"
           "MaxFailures 3\n"
           "FailureWindow 60\n"
           "LockoutTime 2\n"
           "DebounceTime 0\n"
           "%s",
           name, tmpdir, tmpdir, tmpdir, name, tmpdir, extra ? extra : "");
  write_file(conf, text, 0644);

  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  snprintf(text, sizeof(text),
           "auth required %s config=%s station=kiosk-%s debug debug_file=%s/debug.log\n"
           "account required %s config=%s\n",
           PAM_UPA_MODULE, conf, name, tmpdir, PAM_UPA_MODULE, conf);
  write_file(path, text, 0644);

  snprintf(path, sizeof(path), "%s/%s-reg", tmpdir, name);
  snprintf(text, sizeof(text),
           "auth [success=done user_unknown=ignore default=die] %s config=%s station=kiosk-%s debug debug_file=%s/debug.log\n"
           "auth requisite %s\n"
           "auth required %s config=%s register station=kiosk-%s\n"
           "account required %s config=%s\n",
           PAM_UPA_MODULE, conf, name, tmpdir, permit_module[0] ? permit_module : "pam_permit.so", PAM_UPA_MODULE, conf, name, PAM_UPA_MODULE, conf);
  write_file(path, text, 0644);

  return (conf);
}


//
// 'add_badge()' - Add a mapping to the test store with libupa itself.
//

static void
add_badge(const char *id,		// I - Normalised badge ID
          const char *upn,		// I - User
          const char *pin,		// I - PIN or NULL
          bool       disabled,		// I - Disabled?
          time_t     expires)		// I - Expiry
{
  char			path[512];	// File
  upa_badge_key_t	*key;		// Site key
  upa_badge_store_t	*store;		// Store
  upa_badge_entry_t	e;		// Mapping


  snprintf(path, sizeof(path), "%s/badge.key", tmpdir);
  assert_non_null((key = upaBadgeKeyLoad(path)));

  snprintf(path, sizeof(path), "%s/badges", tmpdir);
  assert_non_null((store = upaBadgeStoreLoad(path, true)));

  memset(&e, 0, sizeof(e));
  assert_true(upaBadgeHash(key, id, e.hash, sizeof(e.hash)));
  snprintf(e.upn, sizeof(e.upn), "%s", upn);
  if (pin)
    assert_true(upaBadgePINHash(pin, e.pin, sizeof(e.pin)));
  e.disabled = disabled;
  e.expires  = expires;

  assert_true(upaBadgeStorePut(store, &e));
  assert_true(upaBadgeStoreSave(store));

  upaBadgeStoreDelete(store);
  upaBadgeKeyDelete(key);
}


//
// 'run_auth()' - Start a transaction and authenticate with scripted answers.
//

static int				// O - pam_authenticate() status
run_auth(const char   *service,		// I - Service name
         const char   *user,		// I - Initial user or NULL
         conv_data_t  *cd,		// I - Script
         pam_handle_t **pamh)		// O - Handle (caller ends it)
{
  struct pam_conv	pc = { conv, NULL };
					// Conversation
  int			status;		// Status


  pc.appdata_ptr = cd;
  status = pam_start_confdir(service, user, &pc, tmpdir, pamh);
  assert_int_equal(status, PAM_SUCCESS);

  return (pam_authenticate(*pamh, 0));
}


//
// 'auth_once()' - Authenticate once and end the transaction.
//

static int				// O - pam_authenticate() status
auth_once(const char *service,		// I - Service
          const char *badge,		// I - Badge answer
          const char *pin)		// I - PIN answer or NULL
{
  conv_data_t	cd;			// Script
  pam_handle_t	*pamh;			// Handle
  int		status;			// Result


  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = badge;
  cd.answers[1] = pin;

  status = run_auth(service, NULL, &cd, &pamh);
  pam_end(pamh, status);

  return (status);
}


//
// 'get_user()' - PAM_USER of a handle.
//

static const char *			// O - User or ""
get_user(pam_handle_t *pamh)		// I - Handle
{
  const void	*item = NULL;		// Item


  if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item)
    return ("");

  return ((const char *)item);
}


//
// 'test_known()' - A known badge yields PAM_USER and UPA_UPN.
//

static void
test_known(void **state)
{
  conv_data_t	cd;			// Script
  pam_handle_t	*pamh;			// Handle
  const char	*upn;			// UPA_UPN


  (void)state;
  make_setup("known", NULL);

  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = ";0012345678?";
  assert_int_equal(run_auth("known", NULL, &cd, &pamh), PAM_SUCCESS);
  assert_string_equal(get_user(pamh), "alice@contoso.com");
  assert_non_null((upn = pam_getenv(pamh, "UPA_UPN")));
  assert_string_equal(upn, "alice@contoso.com");
  assert_int_equal(cd.num_prompts, 1);			// No PIN for alice
  assert_int_equal(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
  pam_end(pamh, PAM_SUCCESS);
}


//
// 'test_unknown()' - An unknown badge is PAM_USER_UNKNOWN with a message.
//

static void
test_unknown(void **state)
{
  conv_data_t	cd;			// Script
  pam_handle_t	*pamh;			// Handle


  (void)state;
  make_setup("unknown", NULL);

  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = "99999";
  assert_int_equal(run_auth("unknown", NULL, &cd, &pamh), PAM_USER_UNKNOWN);
  assert_non_null(strstr(cd.messages, "not recognised"));
  assert_null(pam_getenv(pamh, "UPA_UPN"));
  pam_end(pamh, PAM_USER_UNKNOWN);
}


//
// 'test_pin()' - Right PIN succeeds, wrong PIN fails.
//

static void
test_pin(void **state)
{
  (void)state;
  make_setup("pin", NULL);

  assert_int_equal(auth_once("pin", "555", "2468"), PAM_SUCCESS);
  assert_int_equal(auth_once("pin", "555", "1111"), PAM_AUTH_ERR);
  assert_int_equal(auth_once("pin", "555", NULL), PAM_CONV_ERR);
}


//
// 'test_pin_required()' - "Pin required" refuses mappings without a PIN.
//

static void
test_pin_required(void **state)
{
  (void)state;
  make_setup("pinreq", "Pin required\n");

  assert_int_equal(auth_once("pinreq", "12345678", NULL), PAM_AUTH_ERR);
  assert_int_equal(auth_once("pinreq", "555", "2468"), PAM_SUCCESS);
}


//
// 'test_lockout()' - MaxFailures wrong PINs lock the badge; it unlocks after LockoutTime.
//

static void
test_lockout(void **state)
{
  (void)state;
  make_setup("lockout", NULL);

  assert_int_equal(auth_once("lockout", "555", "0000"), PAM_AUTH_ERR);
  assert_int_equal(auth_once("lockout", "555", "0000"), PAM_AUTH_ERR);
  assert_int_equal(auth_once("lockout", "555", "0000"), PAM_AUTH_ERR);
  assert_int_equal(auth_once("lockout", "555", "2468"), PAM_MAXTRIES);	// Even the right PIN
  assert_int_equal(auth_once("lockout", "12345678", NULL), PAM_SUCCESS);// Other badges unaffected

  sleep(3);				// LockoutTime 2
  assert_int_equal(auth_once("lockout", "555", "2468"), PAM_SUCCESS);
}


//
// 'test_unknown_lockout()' - Repeated unknown taps of one badge lock it too.
//

static void
test_unknown_lockout(void **state)
{
  (void)state;
  make_setup("unklock", NULL);

  assert_int_equal(auth_once("unklock", "4711", NULL), PAM_USER_UNKNOWN);
  assert_int_equal(auth_once("unklock", "4711", NULL), PAM_USER_UNKNOWN);
  assert_int_equal(auth_once("unklock", "4711", NULL), PAM_USER_UNKNOWN);
  assert_int_equal(auth_once("unklock", "4711", NULL), PAM_MAXTRIES);
}


//
// 'test_debounce()' - A second tap within DebounceTime is ignored.
//

static void
test_debounce(void **state)
{
  conv_data_t	cd;			// Script
  pam_handle_t	*pamh;			// Handle
  const char	*tap;			// UPA_TAP
  int		status;			// Result


  (void)state;
  make_setup("debounce", "DebounceTime 3\n");

  assert_int_equal(auth_once("debounce", "12345678", NULL), PAM_SUCCESS);

  // The module returns PAM_IGNORE; a stack of only ignores fails in libpam.
  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = "12345678";
  status = run_auth("debounce", NULL, &cd, &pamh);
  assert_int_not_equal(status, PAM_SUCCESS);
  assert_int_not_equal(status, PAM_MAXTRIES);
  assert_non_null((tap = pam_getenv(pamh, "UPA_TAP")));
  assert_string_equal(tap, "debounced");
  assert_null(pam_getenv(pamh, "UPA_UPN"));
  pam_end(pamh, status);

  // Another badge at the same station is not debounced.
  assert_int_equal(auth_once("debounce", "555", "2468"), PAM_SUCCESS);

  sleep(4);
  assert_int_equal(auth_once("debounce", "12345678", NULL), PAM_SUCCESS);
}


//
// 'test_account()' - acct_mgmt refuses disabled and expired mappings.
//

static void
test_account(void **state)
{
  conv_data_t	cd;			// Script
  pam_handle_t	*pamh;			// Handle


  (void)state;
  make_setup("account", NULL);

  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = "777";
  assert_int_equal(run_auth("account", NULL, &cd, &pamh), PAM_SUCCESS);
  assert_int_equal(pam_acct_mgmt(pamh, 0), PAM_PERM_DENIED);
  assert_non_null(strstr(cd.messages, "disabled"));
  pam_end(pamh, PAM_PERM_DENIED);

  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = "888";
  assert_int_equal(run_auth("account", NULL, &cd, &pamh), PAM_SUCCESS);
  assert_int_equal(pam_acct_mgmt(pamh, 0), PAM_ACCT_EXPIRED);
  assert_non_null(strstr(cd.messages, "expired"));
  pam_end(pamh, PAM_ACCT_EXPIRED);
}


//
// 'test_badge_from_env()' - The application can hand over the badge in UPA_BADGE.
//

static void
test_badge_from_env(void **state)
{
  conv_data_t		cd;		// Script
  struct pam_conv	pc = { conv, NULL };
					// Conversation
  pam_handle_t		*pamh;		// Handle
  char			path[512],	// Service file
			text[1024];	// Contents
  const char		*conf;		// badge.conf


  (void)state;

  conf = make_setup("fromenv", NULL);
  snprintf(path, sizeof(path), "%s/fromenv-env", tmpdir);
  snprintf(text, sizeof(text), "auth required %s config=%s badge_from_env\n", PAM_UPA_MODULE, conf);
  write_file(path, text, 0644);

  memset(&cd, 0, sizeof(cd));
  pc.appdata_ptr = &cd;
  assert_int_equal(pam_start_confdir("fromenv-env", NULL, &pc, tmpdir, &pamh), PAM_SUCCESS);
  assert_int_equal(pam_putenv(pamh, "UPA_BADGE=;0012345678?"), PAM_SUCCESS);
  assert_int_equal(pam_authenticate(pamh, 0), PAM_SUCCESS);
  assert_int_equal(cd.num_prompts, 0);
  assert_string_equal(get_user(pamh), "alice@contoso.com");
  assert_null(pam_getenv(pamh, "UPA_BADGE"));		// Consumed, not leaked to the session
  pam_end(pamh, PAM_SUCCESS);

  // Without the option the environment is not trusted: the module prompts.
  memset(&cd, 0, sizeof(cd));
  pc.appdata_ptr = &cd;
  assert_int_equal(pam_start_confdir("fromenv", NULL, &pc, tmpdir, &pamh), PAM_SUCCESS);
  assert_int_equal(pam_putenv(pamh, "UPA_BADGE=;0012345678?"), PAM_SUCCESS);
  assert_int_equal(pam_authenticate(pamh, 0), PAM_CONV_ERR);
  assert_int_equal(cd.num_prompts, 1);
  pam_end(pamh, PAM_CONV_ERR);
}


//
// 'test_normalize_table()' - Different reader encodings of one card resolve alike.
//

static void
test_normalize_table(void **state)
{
  static const char * const inputs[] =	// The same card as read by different readers
  {
    "4E61BC00",				// UID bytes, LSB first
    "4e61bc00\r\n",			// Lower case with CR LF
    "  4E61BC00 ",			// Padded
  };
  static const char * const bad[] =	// Inputs that must be refused
  {
    "4E61BC0G",				// Not hex
    "0102030405060708090A",		// More than ByteLength bytes
    "",					// Empty
  };
  size_t	i;			// Looping var


  (void)state;
  make_setup("table", "InputFormat hex\nReverseBytes yes\nByteLength 4\nOutputFormat decimal\n");
  add_badge("12345678", "frank@contoso.com", NULL, false, 0);

  for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i ++)
  {
    conv_data_t		cd;		// Script
    pam_handle_t	*pamh;		// Handle

    memset(&cd, 0, sizeof(cd));
    cd.answers[0] = inputs[i];
    assert_int_equal(run_auth("table", NULL, &cd, &pamh), PAM_SUCCESS);
    assert_string_equal(get_user(pamh), "frank@contoso.com");
    pam_end(pamh, PAM_SUCCESS);
  }

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i ++)
    assert_int_equal(auth_once("table", bad[i], NULL), PAM_AUTH_ERR);
}


//
// 'test_bad_input()' - Absurd or binary input is refused cleanly.
//

static void
test_bad_input(void **state)
{
  char	*longbadge;			// 100k digits


  (void)state;
  make_setup("badinput", NULL);

  longbadge = malloc(100001);
  assert_non_null(longbadge);
  memset(longbadge, '1', 100000);
  longbadge[100000] = '\0';

  assert_int_equal(auth_once("badinput", longbadge, NULL), PAM_AUTH_ERR);
  assert_int_equal(auth_once("badinput", "\x01\x02\xff\xfe", NULL), PAM_AUTH_ERR);
  assert_int_equal(auth_once("badinput", "12 34", NULL), PAM_AUTH_ERR);
  assert_int_equal(auth_once("badinput", NULL, NULL), PAM_CONV_ERR);

  free(longbadge);
}


//
// 'test_bad_config()' - Missing/bad config, missing key: PAM_AUTHINFO_UNAVAIL.
//

static void
test_bad_config(void **state)
{
  char	path[512],			// Service file
	text[1024];			// Contents


  (void)state;

  snprintf(path, sizeof(path), "%s/noconf", tmpdir);
  snprintf(text, sizeof(text), "auth required %s config=%s/does-not-exist.conf\n", PAM_UPA_MODULE, tmpdir);
  write_file(path, text, 0644);
  assert_int_equal(auth_once("noconf", "12345678", NULL), PAM_AUTHINFO_UNAVAIL);

  make_setup("badconf", "NoSuchDirective 1\n");
  assert_int_equal(auth_once("badconf", "12345678", NULL), PAM_AUTHINFO_UNAVAIL);

  snprintf(text, sizeof(text), "KeyFile %s/no-such-key\n", tmpdir);
  make_setup("nokey", text);
  assert_int_equal(auth_once("nokey", "12345678", NULL), PAM_AUTHINFO_UNAVAIL);
}


//
// 'test_corrupt_store()' - A corrupt or unsafe store: PAM_AUTHINFO_UNAVAIL.
//

static void
test_corrupt_store(void **state)
{
  char	path[512],			// Corrupt store
	text[1024];			// badge.conf extra


  (void)state;

  snprintf(path, sizeof(path), "%s/corrupt-badges", tmpdir);
  write_file(path, "0123 not-a-hash-line\n", 0600);
  snprintf(text, sizeof(text), "Store %s\n", path);
  make_setup("corrupt", text);
  assert_int_equal(auth_once("corrupt", "12345678", NULL), PAM_AUTHINFO_UNAVAIL);

  snprintf(path, sizeof(path), "%s/open-badges", tmpdir);
  write_file(path, "", 0666);
  snprintf(text, sizeof(text), "Store %s\n", path);
  make_setup("openstore", text);
  assert_int_equal(auth_once("openstore", "12345678", NULL), PAM_AUTHINFO_UNAVAIL);
}


//
// 'test_self_register()' - Unknown badge + password stack: mapping stored.
//

static void
test_self_register(void **state)
{
  conv_data_t	cd;			// Script
  pam_handle_t	*pamh;			// Handle
  const char	*upn;			// UPA_UPN


  (void)state;

  if (!permit_module[0])
    skip();

  make_setup("selfreg", "SelfRegister yes\nRegisterDomain contoso.com\n");

  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = "424242";
  assert_int_equal(run_auth("selfreg-reg", "erin", &cd, &pamh), PAM_SUCCESS);
  assert_string_equal(get_user(pamh), "erin@contoso.com");
  assert_non_null((upn = pam_getenv(pamh, "UPA_UPN")));
  assert_string_equal(upn, "erin@contoso.com");
  assert_non_null(strstr(cd.messages, "registered"));
  pam_end(pamh, PAM_SUCCESS);

  // Now the badge alone is enough.
  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = "424242";
  assert_int_equal(run_auth("selfreg", NULL, &cd, &pamh), PAM_SUCCESS);
  assert_string_equal(get_user(pamh), "erin@contoso.com");
  pam_end(pamh, PAM_SUCCESS);

  // Without SelfRegister the register line does nothing and the store is unchanged.
  make_setup("noselfreg", NULL);
  memset(&cd, 0, sizeof(cd));
  cd.answers[0] = "515151";
  run_auth("noselfreg-reg", "mallory", &cd, &pamh);
  pam_end(pamh, PAM_SUCCESS);
  assert_int_equal(auth_once("noselfreg", "515151", NULL), PAM_USER_UNKNOWN);
}


//
// 'test_no_secrets_logged()' - The debug/audit log has tags, never IDs or PINs.
//

static void
test_no_secrets_logged(void **state)
{
  char		path[512],		// Debug log
		*data;			// Contents
  FILE		*fp;			// File
  long		len;			// Length


  (void)state;

  snprintf(path, sizeof(path), "%s/debug.log", tmpdir);
  assert_non_null((fp = fopen(path, "r")));
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  rewind(fp);
  assert_true(len > 0);
  data = calloc(1, (size_t)len + 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
  fclose(fp);

  assert_non_null(strstr(data, "outcome=success"));
  assert_non_null(strstr(data, "outcome=wrong-pin"));
  assert_non_null(strstr(data, "user=alice@contoso.com"));
  assert_null(strstr(data, "12345678"));
  assert_null(strstr(data, "2468"));
  assert_null(strstr(data, "424242"));

  free(data);
}


//
// 'setup()' - Scratch folder, site key and store.
//

static int
setup(void **state)
{
  char		path[512];		// File
  static const char * const permits[] =	// Where pam_permit.so may live
  {
    "/lib/x86_64-linux-gnu/security/pam_permit.so",
    "/usr/lib/x86_64-linux-gnu/security/pam_permit.so",
    "/lib/security/pam_permit.so",
    "/usr/lib/security/pam_permit.so",
    "/usr/lib64/security/pam_permit.so",
    "/lib64/security/pam_permit.so",
    "/usr/lib/aarch64-linux-gnu/security/pam_permit.so"
  };
  size_t	i;			// Looping var


  (void)state;

  snprintf(tmpdir, sizeof(tmpdir), "%s/testpam.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
    return (-1);

  for (i = 0; i < sizeof(permits) / sizeof(permits[0]); i ++)
  {
    if (!access(permits[i], R_OK))
    {
      snprintf(permit_module, sizeof(permit_module), "%s", permits[i]);
      break;
    }
  }

  snprintf(path, sizeof(path), "%s/badge.key", tmpdir);
  if (!upaBadgeKeyCreate(path))
    return (-1);

  add_badge("12345678", "alice@contoso.com", NULL, false, 0);
  add_badge("555", "bob@contoso.com", "2468", false, 0);
  add_badge("777", "carol@contoso.com", NULL, true, 0);
  add_badge("888", "dave@contoso.com", NULL, false, time(NULL) - 60);

  return (0);
}


//
// 'teardown()' - Remove the scratch folder.
//

static int
teardown(void **state)
{
  char	command[512];			// rm command


  (void)state;

  if (getenv("PAM_TEST_KEEP"))
    return (0);

  snprintf(command, sizeof(command), "rm -rf '%s'", tmpdir);
  return (system(command) == 0 ? 0 : -1);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =
  {
    cmocka_unit_test(test_known),
    cmocka_unit_test(test_unknown),
    cmocka_unit_test(test_pin),
    cmocka_unit_test(test_pin_required),
    cmocka_unit_test(test_lockout),
    cmocka_unit_test(test_unknown_lockout),
    cmocka_unit_test(test_debounce),
    cmocka_unit_test(test_account),
    cmocka_unit_test(test_badge_from_env),
    cmocka_unit_test(test_normalize_table),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_bad_config),
    cmocka_unit_test(test_corrupt_store),
    cmocka_unit_test(test_self_register),
    cmocka_unit_test(test_no_secrets_logged)
  };


  if (access(PAM_UPA_MODULE, R_OK))
  {
    fprintf(stderr, "testpam: %s not built.\n", PAM_UPA_MODULE);
    return (1);
  }

  return (cmocka_run_group_tests(tests, setup, teardown));
}
