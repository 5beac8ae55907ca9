//
// Unit tests for lib/badgecloud.c: status mapping and the JSON parsers of the
// badge collection/operation/badge responses, the stored admin sign-in file,
// and the badge.conf cloud directives.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
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


//
// Local globals...
//

static char	tmpdir[256];		// Scratch folder


//
// 'S()' - A string literal and its length, as the parsers take them.
//

#define S(s)	(s), strlen(s)


//
// 'test_status()' - HTTP status (and error body) -> outcome and message.
//

static void
test_status(void **state)
{
  (void)state;

  assert_int_equal(upaBadgeCloudStatus(200, NULL, 0), UPA_BADGE_CLOUD_OK);
  assert_int_equal(upaBadgeCloudStatus(201, NULL, 0), UPA_BADGE_CLOUD_OK);
  assert_int_equal(upaBadgeCloudStatus(202, NULL, 0), UPA_BADGE_CLOUD_OK);
  assert_int_equal(upaBadgeCloudStatus(204, NULL, 0), UPA_BADGE_CLOUD_OK);

  assert_int_equal(upaBadgeCloudStatus(0, NULL, 0), UPA_BADGE_CLOUD_NETWORK);
  assert_int_equal(upaLastError(), UPA_ERROR_NETWORK);

  assert_int_equal(upaBadgeCloudStatus(400, S("{\"error\":\"invalid_request\",\"error_description\":\"id and upn are required\"}")), UPA_BADGE_CLOUD_BAD_REQUEST);
  assert_non_null(strstr(upaLastErrorString(), "id and upn are required"));

  assert_int_equal(upaBadgeCloudStatus(401, NULL, 0), UPA_BADGE_CLOUD_UNAUTHORIZED);
  assert_int_equal(upaLastError(), UPA_ERROR_AUTH);

  // Graph's error shape.
  assert_int_equal(upaBadgeCloudStatus(403, S("{\"error\":{\"code\":\"Forbidden\",\"message\":\"Missing scope\"}}")), UPA_BADGE_CLOUD_FORBIDDEN);
  assert_non_null(strstr(upaLastErrorString(), "Forbidden - Missing scope"));
  assert_non_null(strstr(upaLastErrorString(), "PrintBadges.ReadWrite"));

  assert_int_equal(upaBadgeCloudStatus(404, S("not json")), UPA_BADGE_CLOUD_NOT_FOUND);
  assert_int_equal(upaLastError(), UPA_ERROR_NOT_FOUND);
  assert_int_equal(upaBadgeCloudStatus(409, NULL, 0), UPA_BADGE_CLOUD_EXISTS);
  assert_int_equal(upaBadgeCloudStatus(500, NULL, 0), UPA_BADGE_CLOUD_SERVER_ERROR);
  assert_non_null(strstr(upaLastErrorString(), "HTTP 500"));
  assert_int_equal(upaBadgeCloudStatus(429, NULL, 0), UPA_BADGE_CLOUD_SERVER_ERROR);
  assert_int_equal(upaLastError(), UPA_ERROR_BUSY);
  assert_int_equal(upaBadgeCloudStatus(501, NULL, 0), UPA_BADGE_CLOUD_SERVER_ERROR);

  assert_string_equal(upaBadgeCloudString(UPA_BADGE_CLOUD_OK), "ok");
  assert_string_equal(upaBadgeCloudString(UPA_BADGE_CLOUD_EXISTS), "exists");
  assert_string_equal(upaBadgeCloudString(UPA_BADGE_CLOUD_CONFIG), "config");
  assert_string_equal(upaBadgeCloudString((upa_badge_cloud_t)99), "unknown");
}


//
// 'test_parse_create()' - 202 {id, collectionId}.
//

static void
test_parse_create(void **state)
{
  char	opid[64],			// Operation id
	cid[64];			// Collection id


  (void)state;

  assert_int_equal(upaBadgeCloudParseCreate(S("{\"id\":\"op-1\",\"collectionId\":\"c-1\"}"), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_OK);
  assert_string_equal(opid, "op-1");
  assert_string_equal(cid, "c-1");

  // The collection id may only come with the finished operation.
  assert_int_equal(upaBadgeCloudParseCreate(S("{\"id\":\"op-2\"}"), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_OK);
  assert_string_equal(opid, "op-2");
  assert_string_equal(cid, "");

  assert_int_equal(upaBadgeCloudParseCreate(S("{\"collectionId\":\"c-1\"}"), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_string_equal(opid, "");
  assert_int_equal(upaBadgeCloudParseCreate(S("{\"id\":\"../x\",\"collectionId\":\"c\"}"), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCreate(S("{\"id\":\"op\",\"collectionId\":\"a/b\"}"), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_string_equal(cid, "");
  assert_int_equal(upaBadgeCloudParseCreate(S("{\"id\":7}"), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCreate(S("[\"op\"]"), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCreate(S("{\"id\":\"op\""), opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCreate(NULL, 0, opid, sizeof(opid), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);

  // An id longer than the buffer is refused, not truncated.
  assert_int_equal(upaBadgeCloudParseCreate(S("{\"id\":\"0123456789\"}"), opid, 8, cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
}


//
// 'test_parse_operation()' - GET /print/operations/{id}.
//

static void
test_parse_operation(void **state)
{
  bool	done = true;			// Finished?
  char	cid[64];			// Collection id


  (void)state;

  strcpy(cid, "keep");
  assert_int_equal(upaBadgeCloudParseOperation(S("{\"id\":\"op\",\"status\":{\"state\":\"running\"}}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_OK);
  assert_false(done);
  assert_string_equal(cid, "keep");

  assert_int_equal(upaBadgeCloudParseOperation(S("{\"status\":{\"state\":\"notStarted\"}}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_OK);
  assert_false(done);

  assert_int_equal(upaBadgeCloudParseOperation(S("{\"id\":\"op\",\"status\":{\"state\":\"succeeded\"},\"collectionId\":\"c-9\"}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_OK);
  assert_true(done);
  assert_string_equal(cid, "c-9");

  strcpy(cid, "from-create");
  assert_int_equal(upaBadgeCloudParseOperation(S("{\"status\":{\"state\":\"succeeded\"}}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_OK);
  assert_true(done);
  assert_string_equal(cid, "from-create");

  assert_int_equal(upaBadgeCloudParseOperation(S("{\"status\":{\"state\":\"failed\",\"description\":\"quota\"}}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_FAILED);
  assert_false(done);
  assert_non_null(strstr(upaLastErrorString(), "quota"));

  assert_int_equal(upaBadgeCloudParseOperation(S("{\"status\":{\"state\":\"exploded\"}}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseOperation(S("{\"status\":\"succeeded\"}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseOperation(S("{\"state\":\"succeeded\"}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseOperation(S("{\"status\":{\"state\":\"succeeded\"},\"collectionId\":\"a b\"}"), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_false(done);
  assert_int_equal(upaBadgeCloudParseOperation(S(""), &done, cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
}


//
// 'test_parse_collections()' - GET /print/badgeCollections.
//

static void
test_parse_collections(void **state)
{
  char	cid[64];			// Collection id


  (void)state;

  assert_int_equal(upaBadgeCloudParseCollections(S("{\"value\":[{\"id\":\"c-1\"},{\"id\":\"c-2\"}]}"), cid, sizeof(cid)), UPA_BADGE_CLOUD_OK);
  assert_string_equal(cid, "c-1");

  assert_int_equal(upaBadgeCloudParseCollections(S("{\"value\":[]}"), cid, sizeof(cid)), UPA_BADGE_CLOUD_NOT_FOUND);
  assert_string_equal(cid, "");
  assert_non_null(strstr(upaLastErrorString(), "collection create"));

  assert_int_equal(upaBadgeCloudParseCollections(S("{\"collections\":[]}"), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCollections(S("{\"value\":{}}"), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCollections(S("{\"value\":[{\"name\":\"x\"}]}"), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCollections(S("{\"value\":[42]}"), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseCollections(S("{\"value\":[{\"id\":\"x?y\"}]}"), cid, sizeof(cid)), UPA_BADGE_CLOUD_PROTOCOL);
  assert_string_equal(cid, "");
}


//
// 'test_parse_badge()' - A badge resource {id, upn, userId}.
//

static void
test_parse_badge(void **state)
{
  upa_badge_user_t	user;		// Owner


  (void)state;

  assert_int_equal(upaBadgeCloudParseBadge(S("{\"id\":\"4711\",\"upn\":\"alice@contoso.com\",\"userId\":\"6f1c\"}"), &user), UPA_BADGE_CLOUD_OK);
  assert_string_equal(user.upn, "alice@contoso.com");
  assert_string_equal(user.user_id, "6f1c");

  assert_int_equal(upaBadgeCloudParseBadge(S("{\"id\":\"4711\",\"upn\":\"bob@contoso.com\",\"userId\":null}"), &user), UPA_BADGE_CLOUD_OK);
  assert_string_equal(user.upn, "bob@contoso.com");
  assert_string_equal(user.user_id, "");

  assert_int_equal(upaBadgeCloudParseBadge(S("{\"id\":\"4711\"}"), &user), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseBadge(S("{\"upn\":\"bob\"}"), &user), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseBadge(S("{\"upn\":\"bob smith@contoso.com\"}"), &user), UPA_BADGE_CLOUD_PROTOCOL);
  assert_int_equal(upaBadgeCloudParseBadge(S("{\"upn\":\"bob@contoso.com\"} trailing"), &user), UPA_BADGE_CLOUD_PROTOCOL);
  assert_string_equal(user.upn, "");
}


//
// 'test_login_file()' - CloudAdminTokenFile: 0600, round trip, refusals.
//

static void
test_login_file(void **state)
{
  upa_badge_login_t	login,		// Written
			loaded;		// Read back
  char			path[512];	// Token file
  struct stat		st;		// File information
  upa_badge_config_t	*bc;		// badge.conf with the file
  upa_config_t		*cfg;		// cups-upa.conf
  char			token[256],	// Access token
			conf[600];	// Configuration files
  FILE			*fp;		// File


  (void)state;

  snprintf(path, sizeof(path), "%s/admin.token", tmpdir);

  memset(&login, 0, sizeof(login));
  strcpy(login.authority, "https://127.0.0.1:9");
  strcpy(login.tenant, "contoso.com");
  strcpy(login.client_id, "client-1");
  strcpy(login.refresh_token, "refresh-secret-1");

  assert_true(upaBadgeLoginSave(path, &login));
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  assert_true(upaBadgeLoginLoad(path, &loaded));
  assert_string_equal(loaded.authority, login.authority);
  assert_string_equal(loaded.tenant, login.tenant);
  assert_string_equal(loaded.client_id, login.client_id);
  assert_string_equal(loaded.refresh_token, login.refresh_token);

  // A credential others can read is refused (and not returned).
  assert_int_equal(chmod(path, 0640), 0);
  assert_false(upaBadgeLoginLoad(path, &loaded));
  assert_string_equal(loaded.refresh_token, "");
  assert_non_null(strstr(upaLastErrorString(), "0600"));
  assert_int_equal(chmod(path, 0600), 0);

  // No refresh token / not JSON.
  login.refresh_token[0] = '\0';
  assert_false(upaBadgeLoginSave(path, &login));
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("{\"clientId\":\"c\"}", fp);
  fclose(fp);
  assert_false(upaBadgeLoginLoad(path, &loaded));
  assert_non_null(strstr(upaLastErrorString(), "badge login"));

  // Missing file: upaBadgeCloudAdminToken() says to sign in, asks nobody.
  unlink(path);
  assert_false(upaBadgeLoginLoad(path, &loaded));
  assert_int_equal(upaLastError(), UPA_ERROR_CONFIG);

  snprintf(conf, sizeof(conf), "%s/cups-upa.conf", tmpdir);
  fp = fopen(conf, "w");
  assert_non_null(fp);
  fprintf(fp, "Cloud custom\nRegisterURL https://127.0.0.1:9\nPrintURL https://127.0.0.1:9\nGraphURL https://127.0.0.1:9/v1.0\nStateDir %s\nCacheDir %s\n", tmpdir, tmpdir);
  fclose(fp);
  cfg = upaConfigLoad(conf);
  assert_non_null(cfg);

  snprintf(conf, sizeof(conf), "%s/cloud.conf", tmpdir);
  fp = fopen(conf, "w");
  assert_non_null(fp);
  fprintf(fp, "CloudAdminTokenFile %s\n", path);
  fclose(fp);
  bc = upaBadgeConfigLoad(conf, false);
  assert_non_null(bc);

  assert_false(upaBadgeCloudAdminToken(cfg, bc, token, sizeof(token)));
  assert_string_equal(token, "");
  assert_non_null(strstr(upaLastErrorString(), "upactl badge login"));

  upaBadgeConfigDelete(bc);
  upaConfigDelete(cfg);
}


//
// 'test_config()' - badge.conf: CloudCollection, CloudAdminTokenFile, SelfRegisterCloud.
//

static void
test_config(void **state)
{
  upa_badge_config_t	*bc;		// Configuration
  char			path[512];	// badge.conf
  FILE			*fp;		// File
  size_t		len;		// Length


  (void)state;

  snprintf(path, sizeof(path), "%s/badge.conf", tmpdir);

  // Defaults.
  bc = upaBadgeConfigLoad("/nonexistent/badge.conf", true);
  assert_non_null(bc);
  assert_string_equal(bc->cloud_collection, "");
  assert_false(bc->self_register_cloud);
  len = strlen(bc->cloud_admin_token_file);
  assert_true(len > 18 && !strcmp(bc->cloud_admin_token_file + len - 18, "/badge-admin.token"));
  upaBadgeConfigDelete(bc);

  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("CloudCollection 5b1f6e0c-1111-4222-8333-444455556666\nCloudAdminTokenFile /etc/cups-upa/other.token\nSelfRegisterCloud yes\n", fp);
  fclose(fp);
  bc = upaBadgeConfigLoad(path, false);
  assert_non_null(bc);
  assert_string_equal(bc->cloud_collection, "5b1f6e0c-1111-4222-8333-444455556666");
  assert_string_equal(bc->cloud_admin_token_file, "/etc/cups-upa/other.token");
  assert_true(bc->self_register_cloud);
  upaBadgeConfigDelete(bc);

  // A collection id that would change the URL, a relative token file, a bad boolean.
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("CloudCollection ../badges\n", fp);
  fclose(fp);
  assert_null(upaBadgeConfigLoad(path, false));

  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("CloudAdminTokenFile badge-admin.token\n", fp);
  fclose(fp);
  assert_null(upaBadgeConfigLoad(path, false));

  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("SelfRegisterCloud maybe\n", fp);
  fclose(fp);
  assert_null(upaBadgeConfigLoad(path, false));
  assert_int_equal(upaLastError(), UPA_ERROR_CONFIG);
}


//
// 'setup()' - Make the scratch folder.
//

static int				// O - 0 on success
setup(void **state)
{
  (void)state;

  snprintf(tmpdir, sizeof(tmpdir), "%s/testbadgecloud.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");

  return (mkdtemp(tmpdir) ? 0 : -1);
}


//
// 'teardown()' - Remove the scratch folder.
//

static int				// O - 0 on success
teardown(void **state)
{
  char	command[512];			// rm command


  (void)state;

  snprintf(command, sizeof(command), "rm -rf '%s'", tmpdir);

  return (system(command) == 0 ? 0 : -1);
}


//
// 'main()' - Run the tests.
//

int					// O - Exit status
main(void)
{
  const struct CMUnitTest tests[] =	// Tests
  {
    cmocka_unit_test(test_status),
    cmocka_unit_test(test_parse_create),
    cmocka_unit_test(test_parse_operation),
    cmocka_unit_test(test_parse_collections),
    cmocka_unit_test(test_parse_badge),
    cmocka_unit_test(test_login_file),
    cmocka_unit_test(test_config)
  };


  return (cmocka_run_group_tests(tests, setup, teardown));
}
