/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/cli/target.c: TARGET from an ssh prompt's "(user@host) " prefix
 * and BEARER_TOKEN_SSH_TARGET (DESIGN.md section 5), and the fnmatch(3)
 * host policy of ssh_hosts and git_hosts.  Pure functions: no files, no
 * network.
 */
#include "config.h"

#include <string.h>

#include <check.h>

#include "checkmain.h"
#include "target.h"

static char host[PB_TARGET_MAX + 1];
static const char *rest;
static const char *target;

static void
setup(void)
{
	memset(host, 'x', sizeof(host));
	rest = NULL;
	target = NULL;
}

static void
teardown(void)
{
}

/* split ------------------------------------------------------------------ */

START_TEST(test_target_split_prefix)
{
	ck_assert_int_eq(pb_target_split("(root@h.example) Bearer token: ",
	    host, sizeof(host), &rest), PB_TARGET_PREFIX);
	ck_assert_str_eq(host, "h.example");
	ck_assert_str_eq(rest, "Bearer token: ");
}
END_TEST

START_TEST(test_target_split_user_with_at)
{
	ck_assert_int_eq(pb_target_split("(a@b@srv-1.example) x", host,
	    sizeof(host), &rest), PB_TARGET_PREFIX);
	ck_assert_str_eq(host, "srv-1.example");
	ck_assert_str_eq(rest, "x");
}
END_TEST

START_TEST(test_target_split_none)
{
	static const char *const p[] = {
		"Bearer token: ", "(root@h)Bearer token: ", "(root@h",
		" (root@h) Bearer token: ", "",
	};
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		ck_assert_int_eq(pb_target_split(p[i], host, sizeof(host),
		    &rest), PB_TARGET_NOPREFIX);
		ck_assert_str_eq(host, "");
		ck_assert_ptr_eq(rest, p[i]);
	}
}
END_TEST

START_TEST(test_target_split_bad)
{
	static const char *const p[] = {
		"(root) Bearer token: ", "(root@) Bearer token: ",
		"(root@h/x) Bearer token: ", "(root@h x) Bearer token: ",
		"(root@-h) Bearer token: ", "(@.h) Bearer token: ",
	};
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		ck_assert_int_eq(pb_target_split(p[i], host, sizeof(host),
		    &rest), PB_TARGET_BADPREFIX);
		ck_assert_str_eq(host, "");
		ck_assert_str_eq(rest, "Bearer token: ");
	}
}
END_TEST

/* A host longer than the buffer is refused, never cut. */
START_TEST(test_target_split_long)
{
	char p[PB_TARGET_MAX + 32], small[8];

	memset(p, 'a', sizeof(p));
	memcpy(p, "(u@", 3);
	memcpy(p + PB_TARGET_MAX + 4, ") q", 4);
	ck_assert_int_eq(pb_target_split(p, host, sizeof(host), &rest),
	    PB_TARGET_BADPREFIX);
	ck_assert_int_eq(pb_target_split("(u@abcdefgh) q", small,
	    sizeof(small), &rest), PB_TARGET_BADPREFIX);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(pb_target_split("(u@abcdefg) q", small,
	    sizeof(small), &rest), PB_TARGET_PREFIX);
	ck_assert_str_eq(small, "abcdefg");
}
END_TEST

/* The server's text may hold a second prefix: it is just text. */
START_TEST(test_target_split_forged_second)
{
	ck_assert_int_eq(pb_target_split("(u@good.example) (u@evil.example) "
	    "Bearer proof for evil.example, nonce N: ", host, sizeof(host),
	    &rest), PB_TARGET_PREFIX);
	ck_assert_str_eq(host, "good.example");
	ck_assert_str_eq(rest, "(u@evil.example) Bearer proof for "
	    "evil.example, nonce N: ");
}
END_TEST

START_TEST(test_target_valid)
{
	ck_assert_int_eq(pb_target_valid("h"), 1);
	ck_assert_int_eq(pb_target_valid("Host_1.example-x"), 1);
	ck_assert_int_eq(pb_target_valid("::1"), 1);
	ck_assert_int_eq(pb_target_valid(""), 0);
	ck_assert_int_eq(pb_target_valid(NULL), 0);
	ck_assert_int_eq(pb_target_valid("-oProxyCommand"), 0);
	ck_assert_int_eq(pb_target_valid(".h"), 0);
	ck_assert_int_eq(pb_target_valid("h\n"), 0);
	ck_assert_int_eq(pb_target_valid("a b"), 0);
	ck_assert_int_eq(pb_target_valid("u@h"), 0);
}
END_TEST

/* choose ----------------------------------------------------------------- */

START_TEST(test_target_choose_prefix)
{
	ck_assert_int_eq(pb_target_choose(PB_TARGET_PREFIX, "h.example", NULL,
	    &target), PB_TARGET_OK);
	ck_assert_str_eq(target, "h.example");
	ck_assert_int_eq(pb_target_choose(PB_TARGET_PREFIX, "h.example", "",
	    &target), PB_TARGET_OK);
	ck_assert_str_eq(target, "h.example");
}
END_TEST

START_TEST(test_target_choose_env)
{
	ck_assert_int_eq(pb_target_choose(PB_TARGET_NOPREFIX, "", "h.example",
	    &target), PB_TARGET_OK);
	ck_assert_str_eq(target, "h.example");
}
END_TEST

START_TEST(test_target_choose_both)
{
	ck_assert_int_eq(pb_target_choose(PB_TARGET_PREFIX, "H.Example",
	    "h.example", &target), PB_TARGET_OK);
	ck_assert_str_eq(target, "H.Example");
	ck_assert_int_eq(pb_target_choose(PB_TARGET_PREFIX, "jump.example",
	    "h.example", &target), PB_TARGET_MISMATCH);
	ck_assert_ptr_null(target);
	ck_assert_int_eq(pb_target_choose(PB_TARGET_PREFIX, "h.example",
	    "h.example.", &target), PB_TARGET_MISMATCH);
}
END_TEST

START_TEST(test_target_choose_none_bad)
{
	ck_assert_int_eq(pb_target_choose(PB_TARGET_NOPREFIX, "", NULL,
	    &target), PB_TARGET_NONE);
	ck_assert_ptr_null(target);
	ck_assert_int_eq(pb_target_choose(PB_TARGET_NOPREFIX, "", "",
	    &target), PB_TARGET_NONE);
	ck_assert_int_eq(pb_target_choose(PB_TARGET_BADPREFIX, "",
	    "h.example", &target), PB_TARGET_BAD);
	ck_assert_ptr_null(target);
	ck_assert_int_eq(pb_target_choose(PB_TARGET_NOPREFIX, "",
	    "h example", &target), PB_TARGET_BAD);
	ck_assert_int_eq(pb_target_choose(PB_TARGET_PREFIX, "h",
	    "h\nx", &target), PB_TARGET_BAD);
}
END_TEST

/* match ------------------------------------------------------------------ */

START_TEST(test_target_match_exact)
{
	ck_assert_int_eq(pb_target_match("git.example.com", "git.example.com"),
	    1);
	ck_assert_int_eq(pb_target_match("git.example.com",
	    "git.example.com.evil"), 0);
	ck_assert_int_eq(pb_target_match("git.example.com", "example.com"),
	    0);
	ck_assert_int_eq(pb_target_match("git.example.com",
	    "git.example.com:8443"), 0);
}
END_TEST

START_TEST(test_target_match_glob)
{
	const char *pats = "*.example.com  build-?.lab\tgit.example.net:*";

	ck_assert_int_eq(pb_target_match(pats, "a.example.com"), 1);
	ck_assert_int_eq(pb_target_match(pats, "a.b.example.com"), 1);
	ck_assert_int_eq(pb_target_match(pats, "example.com"), 0);
	ck_assert_int_eq(pb_target_match(pats, "a.example.com.evil.net"), 0);
	ck_assert_int_eq(pb_target_match(pats, "build-7.lab"), 1);
	ck_assert_int_eq(pb_target_match(pats, "build-17.lab"), 0);
	ck_assert_int_eq(pb_target_match(pats, "git.example.net:8443"), 1);
	ck_assert_int_eq(pb_target_match(pats, "git.example.net"), 0);
	ck_assert_int_eq(pb_target_match("h[0-9].lab", "h3.lab"), 1);
	ck_assert_int_eq(pb_target_match("h[0-9].lab", "hx.lab"), 0);
}
END_TEST

START_TEST(test_target_match_case)
{
	ck_assert_int_eq(pb_target_match("*.Example.COM", "A.example.com"), 1);
	ck_assert_int_eq(pb_target_match("a.example.com", "A.EXAMPLE.COM"), 1);
}
END_TEST

START_TEST(test_target_match_nothing)
{
	char longpat[PB_TARGET_MAX + 8];

	ck_assert_int_eq(pb_target_match(NULL, "h"), 0);
	ck_assert_int_eq(pb_target_match("", "h"), 0);
	ck_assert_int_eq(pb_target_match("   ", "h"), 0);
	ck_assert_int_eq(pb_target_match("*", ""), 0);
	ck_assert_int_eq(pb_target_match("*", NULL), 0);
	ck_assert_int_eq(pb_target_match("*", "anything"), 1);
	memset(longpat, '*', sizeof(longpat) - 1);
	longpat[sizeof(longpat) - 1] = '\0';
	ck_assert_int_eq(pb_target_match(longpat, "h"), 0);
}
END_TEST

START_TEST(test_target_run_valid)
{
	char id[PB_TARGET_RUN_MAX + 2];

	ck_assert_int_eq(pb_target_run_valid("0123abcDEF-_"), 1);
	ck_assert_int_eq(pb_target_run_valid(""), 0);
	ck_assert_int_eq(pb_target_run_valid(NULL), 0);
	ck_assert_int_eq(pb_target_run_valid("../x"), 0);
	ck_assert_int_eq(pb_target_run_valid("a.b"), 0);
	memset(id, 'a', sizeof(id) - 1);
	id[PB_TARGET_RUN_MAX] = '\0';
	ck_assert_int_eq(pb_target_run_valid(id), 1);
	id[PB_TARGET_RUN_MAX] = 'a';
	id[PB_TARGET_RUN_MAX + 1] = '\0';
	ck_assert_int_eq(pb_target_run_valid(id), 0);
}
END_TEST

static Suite *
target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *t;

	t = tcase_create("split");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_target_split_prefix);
	tcase_add_test(t, test_target_split_user_with_at);
	tcase_add_test(t, test_target_split_none);
	tcase_add_test(t, test_target_split_bad);
	tcase_add_test(t, test_target_split_long);
	tcase_add_test(t, test_target_split_forged_second);
	tcase_add_test(t, test_target_valid);
	suite_add_tcase(s, t);

	t = tcase_create("choose");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_target_choose_prefix);
	tcase_add_test(t, test_target_choose_env);
	tcase_add_test(t, test_target_choose_both);
	tcase_add_test(t, test_target_choose_none_bad);
	suite_add_tcase(s, t);

	t = tcase_create("match");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_target_match_exact);
	tcase_add_test(t, test_target_match_glob);
	tcase_add_test(t, test_target_match_case);
	tcase_add_test(t, test_target_match_nothing);
	tcase_add_test(t, test_target_run_valid);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return tu_run(target_suite());
}
