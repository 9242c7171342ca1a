/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>

#include "checkmain.h"
#include "conf.h"
#include "err.h"
#include "jwt.h"
#include "testutil.h"
#include "verify.h"

/*
 * common/verify.c over real files in a temporary directory: the
 * configuration pb_conf_from_args() builds (file, then key=value, then
 * pb_conf_check()), and pb_verify_user() at a fixed time NOW with a token
 * signed by a test key: the mapped user, the PAM user, deny_users,
 * min_uid, the denylist and the caller's last step.
 */

#define NOW	INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define ISS	"https://idp.example.com"
#define AUD	"ssh"
#define CLAIMS \
	"{\"iss\":\"" ISS "\",\"sub\":\"alice\",\"aud\":\"" AUD "\"," \
	"\"exp\":1800003600,\"iat\":1800000000,\"jti\":\"jti-1\"}"

/* Fixture state (Check fixtures can only reach globals). */
static char *dir;
static char *conf_path;
static char *usermap_path;
static char *tok;
static struct pb_conf *cfg;
static struct pb_verifier *ver;
static struct pb_verified vd;
static struct pb_err err;
static char logbuf[8192];	/* log callback messages, one a line */
static int once_calls;
static int once_code;

static void
log_cb(void *ctx, int prio, const char *msg)
{
	size_t n = strlen(logbuf);

	(void)ctx;
	(void)prio;
	(void)snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
}

/* A pb_verify_once_fn that counts its calls and answers once_code. */
static int
once_cb(void *ctx, const struct pb_conf *c, const struct pb_jwt *jwt,
    int64_t now, struct pb_err *e)
{
	(void)c;
	(void)jwt;
	(void)now;
	ck_assert_ptr_eq(ctx, &once_calls);
	once_calls++;
	if (once_code == PB_OK)
		return PB_OK;
	return pb_err_set(e, once_code, "once said no");
}

static void
write_file(const char *name, const char *text)
{
	free(tu_write_file(dir, name, text, 0644));
}

/*
 * The module's configuration file: the token's issuer and audience, the
 * test key's JWK Set, and a usermap that maps alice to carol (no such
 * local account: deny_users then has no uid to match).
 */
static void
setup(void)
{
	EVP_PKEY *k = tu_load_key("rsa2048");
	char *jwk = tu_jwk(k, "rsa1", "RS256", "sig"), *set = tu_jwks(jwk,
	    NULL), *text, *h;

	cfg = NULL;
	ver = NULL;
	memset(&vd, 0, sizeof(vd));
	pb_err_clear(&err);
	logbuf[0] = '\0';
	once_calls = 0;
	once_code = PB_OK;
	dir = tu_tmpdir();
	write_file("jwks.json", set);
	usermap_path = tu_asprintf("%s/usermap", dir);
	write_file("usermap", "alice carol\n");
	text = tu_asprintf("issuer = %s\naudience = %s\n"
	    "jwks_file = %s/jwks.json\nusermap_file = %s\nleeway = 30\n",
	    ISS, AUD, dir, usermap_path);
	write_file("pam_bearer.conf", text);
	conf_path = tu_asprintf("%s/pam_bearer.conf", dir);
	h = tu_strdup("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"rsa1\"}");
	tok = tu_sign("RS256", k, NULL, 0, h, CLAIMS);
	free(h);
	free(text);
	free(set);
	free(jwk);
	EVP_PKEY_free(k);
}

static void
teardown(void)
{
	pb_verified_clear(&vd);
	pb_verifier_free(ver);
	pb_conf_free(cfg);
	tu_rmtree(dir);
	free(dir);
	free(conf_path);
	free(usermap_path);
	free(tok);
	dir = conf_path = usermap_path = tok = NULL;
	cfg = NULL;
	ver = NULL;
}

/* The configuration from conf_path and the n arguments, and its keys. */
static void
load(int n, const char *const *args)
{
	int r;

	r = pb_conf_from_args(conf_path, n, args, "test", log_cb, NULL, &cfg);
	ck_assert_msg(r == PB_OK, "pb_conf_from_args: %s; log: %s",
	    pb_strerror(r), logbuf);
	r = pb_verifier_new(cfg, NULL, NULL, &ver, &err);
	ck_assert_msg(r == PB_OK, "pb_verifier_new: %s", pb_err_msg(&err));
}

static int
verify(const char *user)
{
	return pb_verify_user(ver, cfg, tok, strlen(tok), user, NOW, once_cb,
	    &once_calls, &vd, &err);
}

/* The code is r, the message holds what, and no piece of the token. */
static void
refused(int r, int code, const char *what)
{
	ck_assert_msg(r == code, "got %s, not %s (%s)", pb_strerror(r),
	    pb_strerror(code), pb_err_msg(&err));
	ck_assert_msg(strstr(pb_err_msg(&err), what) != NULL,
	    "'%s' not in '%s'", what, pb_err_msg(&err));
	ck_assert_ptr_null(strstr(pb_err_msg(&err), strrchr(tok, '.') + 1));
}

/* pb_conf_from_args ------------------------------------------------------ */

START_TEST(test_verify_conf_precedence)
{
	const char *args[] = { "debug", "leeway=5", "deny_users=bob eve" };

	load(3, args);
	/* The arguments win; the rest is the file's; flags are skipped. */
	ck_assert_int_eq(cfg->leeway, 5);
	ck_assert_uint_eq(cfg->deny_users.n, 2);
	ck_assert_str_eq(cfg->deny_users.v[1], "eve");
	ck_assert_uint_eq(cfg->audiences.n, 1);
	ck_assert_str_eq(cfg->audiences.v[0], AUD);
	ck_assert_str_eq(cfg->usermap_file, usermap_path);
	ck_assert_str_eq(logbuf, "");
}
END_TEST

START_TEST(test_verify_conf_file_alone)
{
	load(0, NULL);
	ck_assert_int_eq(cfg->leeway, 30);
	ck_assert_uint_eq(cfg->deny_users.n, 1);
	ck_assert_str_eq(cfg->deny_users.v[0], "root");
}
END_TEST

START_TEST(test_verify_conf_config_arg)
{
	char *other = tu_asprintf("config=%s/other.conf", dir), *text;
	const char *args[] = { other, "audience=web" };

	text = tu_asprintf("issuer = %s\naudience = %s\nleeway = 7\n"
	    "jwks_file = %s/jwks.json\n", ISS, AUD, dir);
	write_file("other.conf", text);
	/* config= replaces the path given; key=value still wins. */
	load(2, args);
	ck_assert_int_eq(cfg->leeway, 7);
	ck_assert_ptr_null(cfg->usermap_file);
	ck_assert_str_eq(cfg->audiences.v[0], "web");
	free(text);
	free(other);
}
END_TEST

START_TEST(test_verify_conf_bad_arg)
{
	const char *args[] = { "nosuchkey=1", "leeway=soon", "leeway=9" };
	int r;

	r = pb_conf_from_args(conf_path, 3, args, "test", log_cb, NULL, &cfg);
	ck_assert_int_eq(r, PB_ERR_CONFIG);
	ck_assert_ptr_null(cfg);
	/* Every bad argument is reported, not just the first. */
	ck_assert_ptr_nonnull(strstr(logbuf, "nosuchkey"));
	ck_assert_ptr_nonnull(strstr(logbuf, "soon"));
}
END_TEST

START_TEST(test_verify_conf_check_fails)
{
	const char *args[] = { "audience=" AUD };
	char *text = tu_asprintf("issuer = %s\njwks_file = %s/jwks.json\n",
	    ISS, dir);
	int r;

	write_file("noaud.conf", text);
	free(text);
	free(conf_path);
	conf_path = tu_asprintf("%s/noaud.conf", dir);
	r = pb_conf_from_args(conf_path, 0, NULL, "test", log_cb, NULL, &cfg);
	ck_assert_int_eq(r, PB_ERR_CONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(logbuf, "audience is not set"));
	/* An argument can make it whole. */
	logbuf[0] = '\0';
	load(1, args);
	ck_assert_str_eq(cfg->audiences.v[0], AUD);
	/* pb_conf_read_args() (fetch-jwks) takes the file as it is. */
	pb_conf_free(cfg);
	cfg = NULL;
	logbuf[0] = '\0';
	r = pb_conf_read_args(conf_path, 0, NULL, "test", log_cb, NULL, &cfg);
	ck_assert_int_eq(r, PB_OK);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->issuers.v[0], ISS);
	ck_assert_uint_eq(cfg->audiences.n, 0);
	ck_assert_str_eq(logbuf, "");
}
END_TEST

START_TEST(test_verify_conf_missing_file)
{
	int r;

	free(conf_path);
	conf_path = tu_asprintf("%s/none.conf", dir);
	r = pb_conf_from_args(conf_path, 0, NULL, "test", log_cb, NULL, &cfg);
	ck_assert_int_eq(r, PB_ERR_IO);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(logbuf, "none.conf"));
}
END_TEST

/* pb_verify_user --------------------------------------------------------- */

START_TEST(test_verify_user_ok)
{
	load(0, NULL);
	ck_assert_int_eq(verify("carol"), PB_OK);
	ck_assert_str_eq(vd.user, "carol");
	ck_assert_str_eq(vd.jwt->jti, "jti-1");
	ck_assert_int_eq(vd.files, 0);
	ck_assert_int_eq(once_calls, 1);
	/* Without a user (verify without --user): the mapped one. */
	pb_verified_clear(&vd);
	ck_assert_int_eq(pb_verify_user(ver, cfg, tok, strlen(tok), NULL, NOW,
	    NULL, NULL, &vd, &err), PB_OK);
	ck_assert_str_eq(vd.user, "carol");
	ck_assert_int_eq(once_calls, 1);
}
END_TEST

START_TEST(test_verify_user_no_map)
{
	char *text = tu_asprintf("issuer = %s\naudience = %s\n"
	    "jwks_file = %s/jwks.json\n", ISS, AUD, dir);

	/* No usermap_file: the username_claim value (sub) is the user. */
	write_file("plain.conf", text);
	free(conf_path);
	conf_path = tu_asprintf("%s/plain.conf", dir);
	load(0, NULL);
	ck_assert_int_eq(verify("alice"), PB_OK);
	ck_assert_str_eq(vd.user, "alice");
	free(text);
}
END_TEST

START_TEST(test_verify_user_wrong_user)
{
	load(0, NULL);
	refused(verify("bob"), PB_ERR_USER, "token is for 'carol', not 'bob'");
	ck_assert_int_eq(vd.files, 0);
	ck_assert_int_eq(once_calls, 0);
}
END_TEST

START_TEST(test_verify_user_not_in_usermap)
{
	load(0, NULL);
	write_file("usermap", "bob carol\n");
	refused(verify("carol"), PB_ERR_USER, "not in the usermap");
	ck_assert_int_eq(vd.files, 0);
}
END_TEST

START_TEST(test_verify_user_usermap_broken)
{
	load(0, NULL);
	write_file("usermap", "alice\n");
	refused(verify("carol"), PB_ERR_CONFIG, "usermap");
	ck_assert_int_eq(vd.files, 1);
	ck_assert_int_eq(once_calls, 0);
}
END_TEST

START_TEST(test_verify_user_deny_users)
{
	const char *args[] = { "deny_users=root carol" };

	load(1, args);
	refused(verify("carol"), PB_ERR_POLICY, "in deny_users");
	ck_assert_int_eq(vd.files, 0);
	ck_assert_int_eq(once_calls, 0);
}
END_TEST

START_TEST(test_verify_user_min_uid)
{
	struct passwd *pw = getpwuid(geteuid());
	char *map, *min;
	const char *args[2];

	ck_assert_ptr_nonnull(pw);
	map = tu_asprintf("alice %s\n", pw->pw_name);
	min = tu_asprintf("min_uid=%lu", (unsigned long)pw->pw_uid + 1);
	args[0] = "deny_users=nobody-here";
	args[1] = min;
	write_file("usermap", map);
	load(2, args);
	refused(verify(pw->pw_name), PB_ERR_POLICY, "below min_uid");
	ck_assert_int_eq(vd.files, 0);
	ck_assert_int_eq(once_calls, 0);
	free(map);
	free(min);
}
END_TEST

START_TEST(test_verify_user_min_uid_no_user)
{
	const char *args[] = { "min_uid=1000" };

	/* carol has no local account: min_uid cannot pass her. */
	load(1, args);
	refused(verify("carol"), PB_ERR_USER, "no local user 'carol'");
}
END_TEST

START_TEST(test_verify_user_denylist_jti)
{
	char *arg = tu_asprintf("denylist_file=%s/deny", dir);
	const char *args[] = { arg };

	write_file("deny", "# revoked\njti-9\njti-1\n");
	load(1, args);
	refused(verify("carol"), PB_ERR_DENIED, "jti 'jti-1'");
	ck_assert_int_eq(vd.files, 0);
	ck_assert_int_eq(once_calls, 0);
	free(arg);
}
END_TEST

START_TEST(test_verify_user_denylist_sub)
{
	char *arg = tu_asprintf("denylist_file=%s/deny", dir);
	const char *args[] = { arg };

	write_file("deny", "alice\n");
	load(1, args);
	refused(verify("carol"), PB_ERR_DENIED, "sub 'alice'");
	ck_assert_int_eq(vd.files, 0);
	free(arg);
}
END_TEST

START_TEST(test_verify_user_denylist_missing)
{
	char *arg = tu_asprintf("denylist_file=%s/deny", dir);
	const char *args[] = { arg };

	load(1, args);
	refused(verify("carol"), PB_ERR_IO, "deny");
	ck_assert_int_eq(vd.files, 1);
	ck_assert_int_eq(once_calls, 0);
	free(arg);
}
END_TEST

START_TEST(test_verify_user_once_last)
{
	load(0, NULL);
	once_code = PB_ERR_REPLAY;
	refused(verify("carol"), PB_ERR_REPLAY, "once said no");
	ck_assert_int_eq(vd.files, 0);
	ck_assert_int_eq(once_calls, 1);
	pb_verified_clear(&vd);
	once_code = PB_ERR_CLAIM;
	refused(verify("carol"), PB_ERR_CLAIM, "once said no");
	ck_assert_int_eq(vd.files, 0);
	pb_verified_clear(&vd);
	/* Any other failure of the last step is about the admin's cache. */
	once_code = PB_ERR_IO;
	refused(verify("carol"), PB_ERR_IO, "once said no");
	ck_assert_int_eq(vd.files, 1);
	ck_assert_int_eq(once_calls, 3);
}
END_TEST

START_TEST(test_verify_user_bad_token)
{
	load(0, NULL);
	/* An hour and the leeway past exp. */
	ck_assert_int_eq(pb_verify_user(ver, cfg, tok, strlen(tok), "carol",
	    NOW + 3600 + 30, once_cb, &once_calls, &vd, &err),
	    PB_ERR_EXPIRED);
	ck_assert_ptr_null(vd.jwt);
	ck_assert_ptr_null(vd.user);
	ck_assert_int_eq(vd.files, 0);
	ck_assert_int_eq(once_calls, 0);
}
END_TEST

static Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_verify_conf_precedence);
	tcase_add_test(tc, test_verify_conf_file_alone);
	tcase_add_test(tc, test_verify_conf_config_arg);
	tcase_add_test(tc, test_verify_conf_bad_arg);
	tcase_add_test(tc, test_verify_conf_check_fails);
	tcase_add_test(tc, test_verify_conf_missing_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("user");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_verify_user_ok);
	tcase_add_test(tc, test_verify_user_no_map);
	tcase_add_test(tc, test_verify_user_wrong_user);
	tcase_add_test(tc, test_verify_user_not_in_usermap);
	tcase_add_test(tc, test_verify_user_usermap_broken);
	tcase_add_test(tc, test_verify_user_deny_users);
	tcase_add_test(tc, test_verify_user_min_uid);
	tcase_add_test(tc, test_verify_user_min_uid_no_user);
	tcase_add_test(tc, test_verify_user_denylist_jti);
	tcase_add_test(tc, test_verify_user_denylist_sub);
	tcase_add_test(tc, test_verify_user_denylist_missing);
	tcase_add_test(tc, test_verify_user_once_last);
	tcase_add_test(tc, test_verify_user_bad_token);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(verify_suite());
}
