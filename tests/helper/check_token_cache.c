/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/cli/token_cache.c: the access token cache, written and read back
 * in a temp runtime directory, its freshness rules with the time injected,
 * the settings a token is bound to, and damaged files, which must be
 * refused (PB_ERR_FORMAT) rather than half-read.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "privdir.h"
#include "profile.h"
#include "secmem.h"
#include "token_cache.h"

#define TOKEN	"eyJhbGciOiJSUzI1NiJ9.e30.c2ln-_~+/=="
#define MAGIC	"bearer-token-cache 1\n"

static char base[64];
static struct pb_privdir d;
static struct pb_err e;
static struct pb_profile c;
static struct pb_cached t;

static char s_profile[] = "work";
static char s_issuer[] = "https://idp.example/realms/test";
static char s_client[] = "bearer-cli";
static char s_scope[] = "openid offline_access";
static char s_other[] = "openid";
static char s_aud[] = "api";

/* Test plumbing --------------------------------------------------------- */

static void
setup(void)
{
	(void)snprintf(base, sizeof(base), "%s", "/tmp/pb-cache-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	ck_assert_int_eq(pb_privdir_open(&d, base, 0, &e), PB_OK);
	memset(&c, 0, sizeof(c));
	c.profile = s_profile;
	c.issuer = s_issuer;
	c.client_id = s_client;
	c.scope = s_scope;
	memset(&t, 0, sizeof(t));
	pb_err_clear(&e);
}

static void
teardown(void)
{
	char p[128];

	pb_token_cache_clear(&t);
	(void)snprintf(p, sizeof(p), "%s/work.cache", base);
	(void)unlink(p);
	pb_privdir_close(&d);
	(void)rmdir(base);
}

/* A cached token as the helper would make it. */
static void
make_token(const char *tok, int64_t obtained, int64_t expires)
{
	pb_token_cache_clear(&t);
	ck_assert_int_eq(pb_secret_dup(&t.token, tok, strlen(tok)), PB_OK);
	t.obtained_at = obtained;
	t.expires_at = expires;
}

/* The file's contents written as they are (a hand-made cache). */
static void
put_raw(const char *text)
{
	ck_assert_int_eq(pb_privdir_write(&d, "work.cache", text,
	    strlen(text), &e), PB_OK);
}

/* Names ------------------------------------------------------------- */

START_TEST(test_token_cache_names)
{
	char buf[PB_STORE_PROFILE_MAX + 8];

	pb_token_cache_name("work", buf, sizeof(buf));
	ck_assert_str_eq(buf, "work.cache");
	pb_token_cache_lock_name("work", buf, sizeof(buf));
	ck_assert_str_eq(buf, "work.lock");
}
END_TEST

/* Freshness ------------------------------------------------------------- */

/* An explicit min_ttl: fresh while at least that much is left. */
START_TEST(test_token_cache_fresh_min_ttl)
{
	make_token("a", 1000, 4600);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4300, 300), 1);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4301, 300), 0);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4599, 0), 1);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4600, 0), 0);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 9999, 0), 0);
}
END_TEST

/* The default: PB_TOKEN_CACHE_MIN_TTL, at most half the lifetime. */
START_TEST(test_token_cache_fresh_default)
{
	make_token("a", 1000, 4600);		/* one hour */
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4600 -
	    PB_TOKEN_CACHE_MIN_TTL, -1), 1);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4600 -
	    PB_TOKEN_CACHE_MIN_TTL + 1, -1), 0);
	make_token("a", 1000, 1060);		/* 60 s: want 30 */
	ck_assert_int_eq(pb_token_cache_fresh(&t, 1030, -1), 1);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 1031, -1), 0);
	/* obtained_at not before expires_at: the plain default. */
	make_token("a", 5000, 4600);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4540, -1), 1);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 4541, -1), 0);
}
END_TEST

START_TEST(test_token_cache_fresh_empty)
{
	t.expires_at = 9999;
	ck_assert_int_eq(pb_token_cache_fresh(&t, 0, 0), 0);
	ck_assert_int_eq(pb_token_cache_fresh(&t, 0, -1), 0);
}
END_TEST

/* Files ----------------------------------------------------------------- */

START_TEST(test_token_cache_roundtrip)
{
	struct stat st;
	char p[128];

	make_token(TOKEN, 1700000000, 1700003600);
	ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e), PB_OK);
	(void)snprintf(p, sizeof(p), "%s/work.cache", base);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	pb_token_cache_clear(&t);
	ck_assert_ptr_null(t.token.p);
	ck_assert_int_eq(t.expires_at, 0);
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e), PB_OK);
	ck_assert_uint_eq(t.token.len, strlen(TOKEN));
	ck_assert_str_eq(t.token.p, TOKEN);
	ck_assert_int_eq(t.obtained_at, 1700000000);
	ck_assert_int_eq(t.expires_at, 1700003600);
	/* Overwritten by the next write. */
	make_token("second", 1, 2);
	ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e), PB_OK);
	pb_token_cache_clear(&t);
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e), PB_OK);
	ck_assert_str_eq(t.token.p, "second");
	ck_assert_int_eq(t.expires_at, 2);
}
END_TEST

/* A token issued for other settings is not this profile's. */
START_TEST(test_token_cache_other_settings)
{
	make_token(TOKEN, 1, 2);
	ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e), PB_OK);
	pb_token_cache_clear(&t);
	c.scope = s_other;
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
	ck_assert_ptr_null(t.token.p);
	c.scope = s_scope;
	c.audience = s_aud;		/* written without an audience */
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
	make_token(TOKEN, 1, 2);
	ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e), PB_OK);
	pb_token_cache_clear(&t);
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e), PB_OK);
	pb_token_cache_clear(&t);
	c.audience = NULL;		/* written with one */
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
	c.client_id = s_other;
	c.audience = s_aud;
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
}
END_TEST

/* The same client_id by another grant or client_auth: not its token. */
START_TEST(test_token_cache_other_grant)
{
	c.grant = PB_PROFILE_GRANT_DEVICE;
	make_token(TOKEN, 1, 2);
	ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e), PB_OK);
	pb_token_cache_clear(&t);
	c.grant = PB_PROFILE_GRANT_CLIENT_CREDENTIALS;
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
	ck_assert_ptr_null(t.token.p);
	c.grant = PB_PROFILE_GRANT_DEVICE;
	c.client_auth = PB_PROFILE_AUTH_JWT;
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
	c.client_auth = PB_PROFILE_AUTH_BASIC;
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e), PB_OK);
}
END_TEST

/* Only b64tokens are cached: the file is line-based. */
START_TEST(test_token_cache_write_refused)
{
	static const char *const bad[] = { "a b", "a\nexpires_at=9", "", "=" };
	struct pb_secret v = { NULL, 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_token(bad[i], 1, 2);
		ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e),
		    PB_ERR_FORMAT);
	}
	ck_assert_int_eq(pb_privdir_read(&d, "work.cache", 1024, &v, &e),
	    PB_ERR_NOTFOUND);
}
END_TEST

START_TEST(test_token_cache_missing)
{
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
	ck_assert_int_eq(pb_token_cache_remove(&d, &c, &e), PB_ERR_NOTFOUND);
	make_token(TOKEN, 1, 2);
	ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e), PB_OK);
	ck_assert_int_eq(pb_token_cache_remove(&d, &c, &e), PB_OK);
	pb_token_cache_clear(&t);
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e),
	    PB_ERR_NOTFOUND);
}
END_TEST

/* Damaged files: each refused as a whole. */
#define BOUND	"issuer=https://idp.example/realms/test\n" \
		"client_id=bearer-cli\nscope=openid offline_access\n" \
		"grant=auto\nclient_auth=client_secret_basic\n"
#define TIMES	"expires_at=2\nobtained_at=1\n"
static const char *const damaged[] = {
	"",
	"bearer-token-cache 2\n" BOUND TIMES "access_token=abc\n",
	MAGIC BOUND TIMES,					/* no token */
	MAGIC BOUND TIMES "access_token=\n",
	MAGIC BOUND TIMES "access_token=a b\n",
	MAGIC BOUND TIMES "access_token=abc",			/* no \n */
	MAGIC BOUND "expires_at=2\naccess_token=abc\n",
	MAGIC BOUND "obtained_at=1\naccess_token=abc\n",
	MAGIC BOUND "expires_at=2x\nobtained_at=1\naccess_token=abc\n",
	MAGIC BOUND "expires_at=-2\nobtained_at=1\naccess_token=abc\n",
	MAGIC BOUND "expires_at=1234567890123\nobtained_at=1\n"
	    "access_token=abc\n",
	MAGIC BOUND TIMES "access_token=abc\nrefresh_token=x\n",
	MAGIC BOUND "issuer=https://idp.example/realms/test\n" TIMES
	    "access_token=abc\n",				/* twice */
	MAGIC BOUND TIMES "access_token=abc\nno equals sign\n",
};

START_TEST(test_token_cache_damaged)
{
	put_raw(damaged[_i]);
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e), PB_ERR_FORMAT);
	ck_assert_ptr_null(t.token.p);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "damaged"));
}
END_TEST

/* The hand-made cache that is right, so that the ones above can fail. */
START_TEST(test_token_cache_handmade)
{
	put_raw(MAGIC BOUND TIMES "access_token=abc\n");
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e), PB_OK);
	ck_assert_str_eq(t.token.p, "abc");
	ck_assert_int_eq(t.expires_at, 2);
	ck_assert_int_eq(t.obtained_at, 1);
}
END_TEST

/* A cache others could read is not ours to trust. */
START_TEST(test_token_cache_loose_mode)
{
	char p[128];

	make_token(TOKEN, 1, 2);
	ck_assert_int_eq(pb_token_cache_write(&d, &c, &t, &e), PB_OK);
	pb_token_cache_clear(&t);
	(void)snprintf(p, sizeof(p), "%s/work.cache", base);
	ck_assert_int_eq(chmod(p, 0644), 0);
	ck_assert_int_eq(pb_token_cache_read(&d, &c, &t, &e), PB_ERR_IO);
	ck_assert_ptr_null(t.token.p);
}
END_TEST

static Suite *
token_cache_suite(void)
{
	Suite *s = suite_create("token_cache");
	TCase *tc;

	tc = tcase_create("syntax");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_token_cache_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("fresh");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_token_cache_fresh_min_ttl);
	tcase_add_test(tc, test_token_cache_fresh_default);
	tcase_add_test(tc, test_token_cache_fresh_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_token_cache_roundtrip);
	tcase_add_test(tc, test_token_cache_other_settings);
	tcase_add_test(tc, test_token_cache_other_grant);
	tcase_add_test(tc, test_token_cache_write_refused);
	tcase_add_test(tc, test_token_cache_missing);
	tcase_add_test(tc, test_token_cache_handmade);
	tcase_add_test(tc, test_token_cache_loose_mode);
	tcase_add_loop_test(tc, test_token_cache_damaged, 0,
	    (int)(sizeof(damaged) / sizeof(damaged[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(token_cache_suite());
}
