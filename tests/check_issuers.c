/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
 * Several issuers on one host (common/conf_dir.c, pb_issuers_pick() in
 * common/verify.c) over real files: a people IdP (issuer A, RSA key) and a
 * CI issuer (issuer B, EC key), each in its own file of issuers_dir with
 * its own JWK Set; tokens of each, and tokens that must not pass.
 */

#define NOW	INT64_C(1800000000)
#define ISS_A	"https://people.example.com"
#define ISS_B	"https://ci.example.com"
#define CLAIMS(iss) \
	"{\"iss\":\"" iss "\",\"sub\":\"alice\",\"aud\":\"ssh\"," \
	"\"exp\":1800003600,\"iat\":1800000000,\"jti\":\"j1\"}"

static char *dir;		/* the test's directory */
static char *ddir;		/* its issuers_dir, "d" */
static char *conf_path;		/* its pam_bearer.conf */
static char *dir_arg;		/* "issuers_dir=<ddir>" */
static EVP_PKEY *ka, *kb;
static struct pb_issuers *is;
static struct pb_verifier *ver;
static struct pb_verified vd;
static struct pb_err err;
static char logbuf[8192];

static void
log_cb(void *ctx, int prio, const char *msg)
{
	size_t n = strlen(logbuf);

	(void)ctx;
	(void)prio;
	(void)snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
}

/* An issuer file in d: issuer (with its aliases), its own key file. */
static void
issuer_file(const char *name, const char *issuer, const char *jwks)
{
	char *text = tu_asprintf("issuer = %s\naudience = ssh\n"
	    "jwks_file = %s/%s\nalgorithms = RS256 ES256\n", issuer, dir,
	    jwks);

	free(tu_write_file(ddir, name, text, 0644));
	free(text);
}

static void
setup(void)
{
	char *ja, *jb, *sa, *sb;

	is = NULL;
	ver = NULL;
	memset(&vd, 0, sizeof(vd));
	pb_err_clear(&err);
	logbuf[0] = '\0';
	dir = tu_tmpdir();
	ddir = tu_asprintf("%s/d", dir);
	ck_assert_int_eq(mkdir(ddir, 0755), 0);
	ka = tu_load_key("rsa2048");
	kb = tu_load_key("ec256");
	ja = tu_jwk(ka, "a1", "RS256", "sig");
	jb = tu_jwk(kb, "b1", "ES256", "sig");
	sa = tu_jwks(ja, NULL);
	sb = tu_jwks(jb, NULL);
	free(tu_write_file(dir, "a.json", sa, 0644));
	free(tu_write_file(dir, "b.json", sb, 0644));
	/* pam_bearer.conf with host settings only. */
	free(tu_write_file(dir, "pam_bearer.conf", "leeway = 30\n", 0644));
	conf_path = tu_asprintf("%s/pam_bearer.conf", dir);
	dir_arg = tu_asprintf("issuers_dir=%s", ddir);
	issuer_file("10-people.conf", ISS_A, "a.json");
	issuer_file("20-ci.conf", ISS_B, "b.json");
	free(ja);
	free(jb);
	free(sa);
	free(sb);
}

static void
teardown(void)
{
	pb_verified_clear(&vd);
	pb_verifier_free(ver);
	pb_issuers_free(is);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
	tu_rmtree(dir);
	free(dir);
	free(ddir);
	free(conf_path);
	free(dir_arg);
	dir = ddir = conf_path = dir_arg = NULL;
	is = NULL;
	ver = NULL;
}

/* pb_issuers_from_args() over conf_path with issuers_dir=ddir: code r. */
static int
load(void)
{
	const char *args[] = { dir_arg };

	return pb_issuers_from_args(conf_path, 1, args, "test", log_cb, NULL,
	    1, &is);
}

static char *
token(EVP_PKEY *k, const char *alg, const char *kid, const char *claims)
{
	char *h = tu_asprintf("{\"alg\":\"%s\",\"kid\":\"%s\"}", alg, kid);
	char *t = tu_sign(alg, k, NULL, 0, h, claims);

	free(h);
	return t;
}

/*
 * The module's path for tok: choose, load the chosen keys, verify.  The
 * code of the first step that fails; *file the chosen file.
 */
static int
login(const char *tok, const char **file)
{
	size_t i;
	int r;

	*file = NULL;
	if ((r = pb_issuers_pick(is, tok, strlen(tok), &i, &err)) != PB_OK)
		return r;
	*file = is->file[i];
	ck_assert_int_eq(pb_verifier_new(is->cfg[i], NULL, NULL, &ver, &err),
	    PB_OK);
	return pb_verify_user(ver, is->cfg[i], tok, strlen(tok), "alice", NOW,
	    NULL, NULL, &vd, &err);
}

START_TEST(test_issuers_each_its_own)
{
	char *ta = token(ka, "RS256", "a1", CLAIMS(ISS_A));
	char *tb = token(kb, "ES256", "b1", CLAIMS(ISS_B));
	const char *f;

	ck_assert_msg(load() == PB_OK, "log: %s", logbuf);
	ck_assert_uint_eq(is->n, 2);
	/* Name order. */
	ck_assert_ptr_nonnull(strstr(is->file[0], "/10-people.conf"));
	ck_assert_ptr_nonnull(strstr(is->file[1], "/20-ci.conf"));
	ck_assert_msg(login(ta, &f) == PB_OK, "%s", pb_err_msg(&err));
	ck_assert_ptr_nonnull(strstr(f, "10-people.conf"));
	ck_assert_str_eq(vd.jwt->iss, ISS_A);
	pb_verified_clear(&vd);
	pb_verifier_free(ver);
	ver = NULL;
	ck_assert_msg(login(tb, &f) == PB_OK, "%s", pb_err_msg(&err));
	ck_assert_ptr_nonnull(strstr(f, "20-ci.conf"));
	ck_assert_str_eq(vd.jwt->iss, ISS_B);
	free(ta);
	free(tb);
}
END_TEST

START_TEST(test_issuers_no_match)
{
	char *t = token(ka, "RS256", "a1", CLAIMS("https://evil.example"));
	char *u = token(ka, "RS256", "a1", "{\"sub\":\"alice\"}");
	size_t i;

	ck_assert_int_eq(load(), PB_OK);
	ck_assert_int_eq(pb_issuers_pick(is, t, strlen(t), &i, &err),
	    PB_ERR_ISS);
	ck_assert_str_eq(pb_err_msg(&err), "no configuration for issuer "
	    "'https://evil.example'");
	ck_assert_int_eq(pb_issuers_pick(is, u, strlen(u), &i, &err),
	    PB_ERR_CLAIM);
	free(t);
	free(u);
}
END_TEST

/* The strict parser reads iss: a duplicate name is no choice at all. */
START_TEST(test_issuers_strict_payload)
{
	char *t = token(ka, "RS256", "a1", "{\"iss\":\"" ISS_B "\",\"iss\":\""
	    ISS_A "\"}");
	size_t i;

	ck_assert_int_eq(load(), PB_OK);
	ck_assert_int_eq(pb_issuers_pick(is, t, strlen(t), &i, &err),
	    PB_ERR_FORMAT);
	ck_assert_int_eq(pb_issuers_pick(is, "a.b", 3, &i, &err),
	    PB_ERR_FORMAT);
	free(t);
}
END_TEST

/* Issuer A's key, claiming issuer B: B's keys only, so refused. */
START_TEST(test_issuers_keys_not_shared)
{
	char *t = token(ka, "RS256", "a1", CLAIMS(ISS_B));
	const char *f;
	int r;

	ck_assert_int_eq(load(), PB_OK);
	r = login(t, &f);
	ck_assert_msg(r == PB_ERR_NOKEY || r == PB_ERR_ALG || r ==
	    PB_ERR_SIG, "got %s: %s", pb_strerror(r), pb_err_msg(&err));
	ck_assert_ptr_nonnull(strstr(f, "20-ci.conf"));
	free(t);
}
END_TEST

START_TEST(test_issuers_duplicate)
{
	issuer_file("30-again.conf", "https://x.example " ISS_B, "a.json");
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_ptr_null(is);
	ck_assert_msg(strstr(logbuf, "30-again.conf: issuer '" ISS_B "' is "
	    "configured in") != NULL, "log: %s", logbuf);
}
END_TEST

/* An alias in issuer chooses its file like the first name. */
START_TEST(test_issuers_alias)
{
	char *t = token(kb, "ES256", "b1", CLAIMS("https://ci.example.com/"));
	const char *f;

	issuer_file("20-ci.conf", ISS_B " https://ci.example.com/", "b.json");
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_msg(login(t, &f) == PB_OK, "%s", pb_err_msg(&err));
	ck_assert_ptr_nonnull(strstr(f, "20-ci.conf"));
	free(t);
}
END_TEST

/* pam_bearer.conf naming an issuer is one more, the first. */
START_TEST(test_issuers_conf_plus_dir)
{
	char *text = tu_asprintf("issuer = https://main.example\naudience = "
	    "ssh\njwks_file = %s/a.json\n", dir);
	char *t = token(ka, "RS256", "a1", CLAIMS("https://main.example"));
	const char *f;

	free(tu_write_file(dir, "pam_bearer.conf", text, 0644));
	ck_assert_msg(load() == PB_OK, "log: %s", logbuf);
	ck_assert_uint_eq(is->n, 3);
	ck_assert_ptr_eq(is->cfg[0], is->base);
	ck_assert_str_eq(is->file[0], conf_path);
	ck_assert_msg(login(t, &f) == PB_OK, "%s", pb_err_msg(&err));
	ck_assert_str_eq(f, conf_path);
	free(text);
	free(t);
}
END_TEST

/* No issuer anywhere: the single file's old complaint. */
START_TEST(test_issuers_none)
{
	tu_rmtree(ddir);
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(logbuf, "issuer is not set"));
	/* An empty directory is no issuer either. */
	ck_assert_int_eq(mkdir(ddir, 0755), 0);
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
}
END_TEST

/* A missing issuers_dir is no error: the single configuration. */
START_TEST(test_issuers_missing_dir)
{
	char *text = tu_asprintf("issuer = %s\naudience = ssh\njwks_file = "
	    "%s/a.json\n", ISS_A, dir);
	char *t = token(kb, "ES256", "b1", CLAIMS(ISS_B));
	size_t i = 7;

	free(tu_write_file(dir, "pam_bearer.conf", text, 0644));
	tu_rmtree(ddir);
	ck_assert_msg(load() == PB_OK, "log: %s", logbuf);
	ck_assert_uint_eq(is->n, 1);
	/* One issuer: pb_jwt_verify() judges iss, as before. */
	ck_assert_int_eq(pb_issuers_pick(is, t, strlen(t), &i, &err), PB_OK);
	ck_assert_uint_eq(i, 0);
	free(text);
	free(t);
}
END_TEST

START_TEST(test_issuers_bad_file)
{
	free(tu_write_file(ddir, "15-bad.conf", "issuer = x\nnokey = 1\n",
	    0644));
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_msg(strstr(logbuf, "15-bad.conf:2:") != NULL, "log: %s",
	    logbuf);
	/* Incomplete (no audience) is as bad. */
	free(tu_write_file(ddir, "15-bad.conf", "issuer = x\n", 0644));
	logbuf[0] = '\0';
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(logbuf, "audience is not set"));
	/* issuers_dir is the host's key. */
	free(tu_write_file(ddir, "15-bad.conf", "issuers_dir = /tmp\n",
	    0644));
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(logbuf, "issuers_dir belongs"));
}
END_TEST

/* The line's key=value override every issuer's file. */
START_TEST(test_issuers_args_on_top)
{
	const char *args[] = { dir_arg, "leeway=5", "audience=sudo" };

	ck_assert_int_eq(pb_issuers_from_args(conf_path, 3, args, "test",
	    log_cb, NULL, 1, &is), PB_OK);
	ck_assert_int_eq(is->cfg[0]->leeway, 5);
	ck_assert_int_eq(is->cfg[1]->leeway, 5);
	ck_assert_str_eq(is->cfg[1]->audiences.v[0], "sudo");
	ck_assert_str_eq(is->base->issuers_dir, ddir);
}
END_TEST

START_TEST(test_issuers_trust_dir)
{
	ck_assert_int_eq(chmod(ddir, 0775), 0);
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(logbuf, "writable by no one else"));
	ck_assert_int_eq(chmod(ddir, 0757), 0);
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_int_eq(chmod(ddir, 0755), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(ddir, 65534, 0), 0);
		ck_assert_int_eq(load(), PB_ERR_CONFIG);
		ck_assert_int_eq(chown(ddir, 0, 0), 0);
	}
	ck_assert_int_eq(load(), PB_OK);
}
END_TEST

START_TEST(test_issuers_trust_files)
{
	char *p = tu_asprintf("%s/20-ci.conf", ddir), *l;

	/* A group-writable file. */
	ck_assert_int_eq(chmod(p, 0664), 0);
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_int_eq(chmod(p, 0644), 0);
	/* A symbolic link, even to a good file. */
	l = tu_asprintf("%s/30-link.conf", ddir);
	ck_assert_int_eq(symlink(p, l), 0);
	logbuf[0] = '\0';
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(logbuf, "a symbolic link"));
	ck_assert_int_eq(unlink(l), 0);
	/* The directory itself a link. */
	free(l);
	l = tu_asprintf("%s/dlink", dir);
	ck_assert_int_eq(symlink(ddir, l), 0);
	free(dir_arg);
	dir_arg = tu_asprintf("issuers_dir=%s", l);
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	/* Other names are not read. */
	free(dir_arg);
	dir_arg = tu_asprintf("issuers_dir=%s", ddir);
	free(tu_write_file(ddir, "20-ci.conf.dpkg-old", "junk\n", 0644));
	free(tu_write_file(ddir, ".hidden.conf", "junk\n", 0644));
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_uint_eq(is->n, 2);
	free(l);
	free(p);
}
END_TEST

static Suite *
issuers_suite(void)
{
	Suite *s = suite_create("issuers");
	TCase *tc = tcase_create("issuers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_issuers_each_its_own);
	tcase_add_test(tc, test_issuers_no_match);
	tcase_add_test(tc, test_issuers_strict_payload);
	tcase_add_test(tc, test_issuers_keys_not_shared);
	tcase_add_test(tc, test_issuers_duplicate);
	tcase_add_test(tc, test_issuers_alias);
	tcase_add_test(tc, test_issuers_conf_plus_dir);
	tcase_add_test(tc, test_issuers_none);
	tcase_add_test(tc, test_issuers_missing_dir);
	tcase_add_test(tc, test_issuers_bad_file);
	tcase_add_test(tc, test_issuers_args_on_top);
	tcase_add_test(tc, test_issuers_trust_dir);
	tcase_add_test(tc, test_issuers_trust_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(issuers_suite());
}
