/* SPDX-License-Identifier: BSD-2-Clause */
/* usermap_file and denylist_file (common/usermap.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "testutil.h"
#include "usermap.h"

static char *dir;

static void
setup(void)
{
	dir = tu_tmpdir();
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

/* Look value up in a map file with the given text. */
static int
lookup(const char *text, const char *value, char **user, struct pb_err *e)
{
	char *path = tu_write_file(dir, "map", text, 0644);
	int r;

	pb_err_clear(e);
	r = pb_usermap_lookup(path, value, user, e);
	free(path);
	return r;
}

static int
denied(const char *text, const char *jti, const char *sub, struct pb_err *e)
{
	char *path = tu_write_file(dir, "deny", text, 0644);
	int r;

	pb_err_clear(e);
	r = pb_denylist_check(path, jti, sub, e);
	free(path);
	return r;
}

START_TEST(test_usermap_found)
{
	struct pb_err e;
	char *u = NULL;

	ck_assert_int_eq(lookup("# comment\n\nalice@example.com alice\n"
	    "bob@example.com   bob\n", "bob@example.com", &u, &e), PB_OK);
	ck_assert_str_eq(u, "bob");
	free(u);
	/* CLAIM-VALUE is everything before the last field, trimmed. */
	ck_assert_int_eq(lookup("  Alice Smith \t asmith  \r\n",
	    "Alice Smith", &u, &e), PB_OK);
	ck_assert_str_eq(u, "asmith");
	free(u);
	/* A '#' inside a value is part of it. */
	ck_assert_int_eq(lookup("a#b ab\n", "a#b", &u, &e), PB_OK);
	ck_assert_str_eq(u, "ab");
	free(u);
}
END_TEST

START_TEST(test_usermap_exclusive)
{
	struct pb_err e;
	char *u = NULL;

	/* Not listed: nobody, even when the value names a local user. */
	ck_assert_int_eq(lookup("alice@example.com alice\n", "alice", &u, &e),
	    PB_ERR_USER);
	ck_assert_ptr_null(u);
	ck_assert_ptr_nonnull(strstr(e.msg, "'alice' is not in the usermap"));
	/* Exact and case-sensitive. */
	ck_assert_int_eq(lookup("alice@example.com alice\n",
	    "Alice@example.com", &u, &e), PB_ERR_USER);
	ck_assert_int_eq(lookup("alice@example.com alice\n",
	    "alice@example.co", &u, &e), PB_ERR_USER);
	ck_assert_int_eq(lookup("# alice@example.com alice\n",
	    "# alice@example.com", &u, &e), PB_ERR_USER);
	ck_assert_ptr_null(u);
}
END_TEST

START_TEST(test_usermap_errors)
{
	struct pb_err e;
	char *u = NULL, *path;

	ck_assert_int_eq(lookup("a x\nlonely\n", "a", &u, &e), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, ":2: expected"));
	/* Mapped twice: an error even when the first line would match. */
	ck_assert_int_eq(lookup("a x\nb y\na z\n", "a", &u, &e),
	    PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, ":3: 'a' is already mapped on "
	    "line 1"));
	ck_assert_ptr_null(u);
	path = tu_asprintf("%s/missing", dir);
	pb_err_clear(&e);
	ck_assert_int_eq(pb_usermap_lookup(path, "a", &u, &e), PB_ERR_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing"));
	free(path);
}
END_TEST

START_TEST(test_usermap_denylist)
{
	struct pb_err e;
	char *path;

	ck_assert_int_eq(denied("# revoked\n\njti-1\n  sub-9  \n", "jti-2",
	    "sub-1", &e), PB_OK);
	ck_assert_int_eq(denied("jti-1\n", NULL, NULL, &e), PB_OK);
	ck_assert_int_eq(denied("jti-1\nsub-9\n", "jti-1", "x", &e),
	    PB_ERR_DENIED);
	ck_assert_ptr_nonnull(strstr(e.msg, "jti 'jti-1'"));
	ck_assert_int_eq(denied("jti-1\n  sub-9  \r\n", "x", "sub-9", &e),
	    PB_ERR_DENIED);
	ck_assert_ptr_nonnull(strstr(e.msg, "sub 'sub-9'"));
	/* Whole lines only, exact. */
	ck_assert_int_eq(denied("jti-10\n", "jti-1", NULL, &e), PB_OK);
	ck_assert_int_eq(denied("#jti-1\n", "#jti-1", NULL, &e), PB_OK);
	path = tu_asprintf("%s/missing", dir);
	ck_assert_int_eq(pb_denylist_check(path, "a", "b", &e), PB_ERR_IO);
	free(path);
}
END_TEST

/* Both lists, with len bytes that may hold NULs: the code of each. */
static void
both_n(const char *text, size_t len, int *rmap, int *rdeny,
    struct pb_err *em, struct pb_err *ed)
{
	char *mp = tu_write_filen(dir, "map", text, len, 0644);
	char *dp = tu_write_filen(dir, "deny", text, len, 0644);
	char *u = NULL;

	pb_err_clear(em);
	pb_err_clear(ed);
	*rmap = pb_usermap_lookup(mp, "zed", &u, em);
	*rdeny = pb_denylist_check(dp, "zed", "zed", ed);
	free(u);
	free(mp);
	free(dp);
}

#define BOTH_BAD(text, want) do { \
	int rm_, rd_; \
	both_n(text, sizeof(text) - 1, &rm_, &rd_, &em, &ed); \
	ck_assert_int_eq(rm_, PB_ERR_CONFIG); \
	ck_assert_int_eq(rd_, PB_ERR_CONFIG); \
	ck_assert_msg(strstr(em.msg, "/map" want) != NULL, "usermap: %s", \
	    em.msg); \
	ck_assert_msg(strstr(ed.msg, "/deny" want) != NULL, "denylist: %s", \
	    ed.msg); \
} while (0)

START_TEST(test_usermap_not_text)
{
	struct pb_err em, ed;
	int rm, rd;

	/*
	 * A NUL byte used to end the buffer for the line scan: every entry
	 * after it was silently gone, "zed" included.
	 */
	BOTH_BAD("a x\nb\0c y\nzed zed\n", ":2: NUL byte in line (is this "
	    "a text file?)");
	BOTH_BAD("\0", ":1: NUL byte");
	/* Latin-1, an overlong '/', a surrogate, past U+10FFFF, cut short. */
	BOTH_BAD("# ok\nJos\xe9 jose\n", ":2: invalid UTF-8 in line");
	BOTH_BAD("\xc0\xaf x\n", ":1: invalid UTF-8");
	BOTH_BAD("x y\n\n\xed\xa0\x80 x\n", ":3: invalid UTF-8");
	BOTH_BAD("\xf4\x90\x80\x80 x\n", ":1: invalid UTF-8");
	BOTH_BAD("x \xe2\x82", ":1: invalid UTF-8");
	/* Valid UTF-8 of every length is fine. */
	both_n("Jos\xc3\xa9 jose\n\xe2\x82\xac euro\n\xf0\x9f\x94\x91 k\n"
	    "zed zed\n", 35, &rm, &rd, &em, &ed);
	ck_assert_int_eq(rm, PB_OK);
	ck_assert_int_eq(rd, PB_OK);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("usermap");
	TCase *tc = tcase_create("usermap");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_usermap_found);
	tcase_add_test(tc, test_usermap_exclusive);
	tcase_add_test(tc, test_usermap_errors);
	tcase_add_test(tc, test_usermap_denylist);
	tcase_add_test(tc, test_usermap_not_text);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
