/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/secmem and the log-safety helpers of common/err: constant-time
 * comparison, secret copies, wiping, and escaping attacker-controlled
 * strings for log lines (STYLE.md 2.4, 2.5).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "secmem.h"
#include "testutil.h"

/* pb_ct_eq -------------------------------------------------------------- */

START_TEST(test_secmem_ct_eq_equal)
{
	static const uint8_t a[] = { 1, 2, 3, 0, 5 }, b[] = { 1, 2, 3, 0, 5 };

	ck_assert_int_eq(pb_ct_eq(a, b, sizeof(a)), 1);
	ck_assert_int_eq(pb_ct_eq(a, a, sizeof(a)), 1);
	ck_assert_int_eq(pb_ct_eq("secret", "secret", 6), 1);
	/* Nothing to compare is equal. */
	ck_assert_int_eq(pb_ct_eq("a", "b", 0), 1);
	/* Only len bytes count, NULs included. */
	ck_assert_int_eq(pb_ct_eq("ab\0x", "ab\0y", 3), 1);
}
END_TEST

START_TEST(test_secmem_ct_eq_differ)
{
	uint8_t a[64], b[64];
	size_t i;
	int bit;

	ck_assert_int_eq(pb_ct_eq("secret", "secreT", 6), 0);
	ck_assert_int_eq(pb_ct_eq("secret", "Secret", 6), 0);
	ck_assert_int_eq(pb_ct_eq("ab\0x", "ab\0y", 4), 0);
	/* Every single-bit difference at every position. */
	memset(a, 0x5a, sizeof(a));
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(b, a, sizeof(b));
			b[i] ^= (uint8_t)(1u << bit);
			ck_assert_msg(pb_ct_eq(a, b, sizeof(a)) == 0,
			    "byte %zu bit %d", i, bit);
		}
	}
	/* The result is exactly 0 or 1, not a difference. */
	ck_assert_int_eq(pb_ct_eq("\x01", "\xff", 1), 0);
}
END_TEST

/* pb_secret_dup / pb_secret_clear --------------------------------------- */

START_TEST(test_secmem_secret_dup)
{
	struct pb_secret s = { NULL, 0 };
	char src[] = "token-bytes";

	ck_assert_int_eq(pb_secret_dup(&s, src, strlen(src)), PB_OK);
	ck_assert_ptr_nonnull(s.p);
	ck_assert_ptr_ne(s.p, src);
	ck_assert_uint_eq(s.len, strlen(src));
	ck_assert_str_eq(s.p, "token-bytes");
	/* A copy: changing the source changes nothing. */
	src[0] = 'X';
	ck_assert_str_eq(s.p, "token-bytes");
	pb_secret_clear(&s);
	ck_assert_ptr_null(s.p);
	ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(test_secmem_secret_dup_binary)
{
	struct pb_secret s = { NULL, 0 };
	static const char src[] = { 'a', '\0', 'b', '\n' };

	ck_assert_int_eq(pb_secret_dup(&s, src, sizeof(src)), PB_OK);
	ck_assert_uint_eq(s.len, 4);
	ck_assert_mem_eq(s.p, src, 4);
	ck_assert_int_eq(s.p[4], '\0');		/* NUL-terminated */
	pb_secret_clear(&s);
}
END_TEST

START_TEST(test_secmem_secret_dup_empty)
{
	struct pb_secret s = { NULL, 99 };

	ck_assert_int_eq(pb_secret_dup(&s, "", 0), PB_OK);
	ck_assert_ptr_nonnull(s.p);
	ck_assert_uint_eq(s.len, 0);
	ck_assert_int_eq(s.p[0], '\0');
	pb_secret_clear(&s);
	ck_assert_ptr_null(s.p);
}
END_TEST

START_TEST(test_secmem_secret_dup_nomem)
{
	struct pb_secret s = { NULL, 0 };
	char c = 'x';

	/* Impossible size: fails and leaves the secret empty. */
	s.p = &c;
	s.len = 1;
	ck_assert_int_eq(pb_secret_dup(&s, "x", SIZE_MAX), PB_ERR_NOMEM);
	ck_assert_ptr_null(s.p);
	ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(test_secmem_secret_clear)
{
	struct pb_secret s = { NULL, 0 };

	/* NULL-safe, empty-safe, and idempotent. */
	pb_secret_clear(NULL);
	pb_secret_clear(&s);
	ck_assert_ptr_null(s.p);
	ck_assert_int_eq(pb_secret_dup(&s, "abc", 3), PB_OK);
	pb_secret_clear(&s);
	pb_secret_clear(&s);
	ck_assert_ptr_null(s.p);
	ck_assert_uint_eq(s.len, 0);
}
END_TEST

/* pb_bzero / pb_freezero ------------------------------------------------- */

START_TEST(test_secmem_bzero)
{
	uint8_t buf[32];
	size_t i;

	memset(buf, 0xa5, sizeof(buf));
	pb_bzero(buf + 1, 30);
	ck_assert_uint_eq(buf[0], 0xa5);
	for (i = 1; i <= 30; i++)
		ck_assert_uint_eq(buf[i], 0);
	ck_assert_uint_eq(buf[31], 0xa5);
	pb_bzero(buf, 0);
	ck_assert_uint_eq(buf[0], 0xa5);
	pb_bzero(NULL, 10);
}
END_TEST

START_TEST(test_secmem_freezero)
{
	char *p = tu_strdup("a secret");

	pb_freezero(NULL, 0);
	pb_freezero(NULL, 100);
	pb_freezero(p, strlen(p) + 1);		/* valgrind checks the free */
	p = tu_malloc(1);
	pb_freezero(p, 0);
}
END_TEST

/* pb_log_safe ----------------------------------------------------------- */

/* pb_log_safe() into a full-size buffer, compared with want. */
static void
safe_is(const char *in, const char *want)
{
	char buf[PB_SAFE_BUFSZ];
	const char *out;

	memset(buf, 'Z', sizeof(buf));
	out = pb_log_safe(in, buf, sizeof(buf));
	ck_assert_ptr_eq(out, buf);
	ck_assert_str_eq(out, want);
}

static void
safe_n_is(const char *in, size_t len, const char *want)
{
	char buf[PB_SAFE_BUFSZ];

	ck_assert_str_eq(pb_log_safe_n(in, len, buf, sizeof(buf)), want);
}

START_TEST(test_secmem_log_safe_plain)
{
	safe_is("alice", "alice");
	safe_is("", "");
	safe_is("https://idp.example.com/realms/x",
	    "https://idp.example.com/realms/x");
	safe_is("a b~!@#$%^&*()\"<>", "a b~!@#$%^&*()\"<>");
}
END_TEST

START_TEST(test_secmem_log_safe_null)
{
	char buf[PB_SAFE_BUFSZ];

	safe_is(NULL, "(none)");
	ck_assert_str_eq(pb_log_safe_n(NULL, 5, buf, sizeof(buf)), "(none)");
	/* The text "(none)" itself is not special. */
	safe_is("(none)", "(none)");
}
END_TEST

START_TEST(test_secmem_log_safe_escape)
{
	safe_is("it's", "it\\x27s");		/* breaks '%s' quoting */
	safe_is("a\\b", "a\\x5cb");
	safe_is("x\ny", "x\\x0ay");		/* log injection */
	safe_is("x\r\ny", "x\\x0d\\x0ay");
	safe_is("\t", "\\x09");
	safe_is("\x1b[31m", "\\x1b[31m");	/* terminal escape */
	safe_is("\x7f", "\\x7f");
	safe_is("\xc3\xa9", "\\xc3\\xa9");	/* non-ASCII */
	safe_is("\xff", "\\xff");
	safe_is("\x01", "\\x01");
	safe_n_is("a\0b", 3, "a\\x00b");
	safe_n_is("\0", 1, "\\x00");
}
END_TEST

START_TEST(test_secmem_log_safe_cut)
{
	char in[201];

	memset(in, 0, sizeof(in));
	memset(in, 'a', 64);
	safe_is(in, in);			/* exactly 64: kept whole */
	in[64] = 'b';
	safe_is(in, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
	memset(in, 'c', 200);
	safe_is(in, "cccccccccccccccccccccccccccccccc"
	    "cccccccccccccccccccccccccccccccc...");
	memset(in, 'd', 63);
	in[63] = '\0';
	safe_is(in, in);
	/* 64 input bytes, counted before escaping. */
	memset(in, 0, sizeof(in));
	memset(in, '\n', 65);
	{
		char want[64 * 4 + 4];
		size_t i;

		for (i = 0; i < 64; i++)
			memcpy(want + 4 * i, "\\x0a", 4);
		memcpy(want + 256, "...", 4);
		safe_is(in, want);
	}
	/* pb_log_safe_n() cuts at the length it is given. */
	safe_n_is("abcdef", 3, "abc");
	safe_n_is("abcdef", 0, "");
}
END_TEST

/* PB_SAFE_BUFSZ holds the worst case: 64 escapes and the "...". */
START_TEST(test_secmem_log_safe_worst)
{
	char in[100], buf[PB_SAFE_BUFSZ];
	const char *out;

	memset(in, 0xff, sizeof(in));
	out = pb_log_safe_n(in, sizeof(in), buf, sizeof(buf));
	ck_assert_uint_eq(strlen(out), 64 * 4 + 3);
	ck_assert_str_eq(out + 64 * 4, "...");
	ck_assert(strncmp(out, "\\xff\\xff", 8) == 0);
}
END_TEST

/*
 * Small buffers: always NUL-terminated, never a byte past bufsz, never
 * half an escape.
 */
START_TEST(test_secmem_log_safe_small)
{
	static const char full[] = "ab\\x0acd\\x27ef\\x5cghijklmnop"
	    "qrstuvwxyz0123456789ABCDEFGHIJ";
	char buf[64];
	const char *out;
	size_t sz, i, n;

	for (sz = 1; sz < 40; sz++) {
		memset(buf, 'Z', sizeof(buf));
		out = pb_log_safe("ab\ncd'ef\\ghijklmnopqrstuvwxyz0123456789"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ!!!", buf, sz);
		ck_assert_ptr_eq(out, buf);
		ck_assert_uint_lt(strlen(out), sz);
		for (i = sz; i < sizeof(buf); i++)
			ck_assert_msg(buf[i] == 'Z', "bufsz %zu: wrote byte "
			    "%zu", sz, i);
		/* An escape is whole or absent. */
		for (i = 0; out[i] != '\0'; i++)
			if (out[i] == '\\')
				ck_assert_msg(strlen(out + i) >= 4 &&
				    out[i + 1] == 'x', "bufsz %zu: '%s'", sz,
				    out);
		/*
		 * A prefix of the full escaping is printed, with "..."
		 * when it was cut and there was room for it.
		 */
		n = strlen(out);
		if (n >= 3 && strcmp(out + n - 3, "...") == 0)
			n -= 3;
		ck_assert_msg(strncmp(out, full, n) == 0, "bufsz %zu: '%s'",
		    sz, out);
	}
	memset(buf, 'Z', sizeof(buf));
	ck_assert_str_eq(pb_log_safe("abc", buf, 4), "abc");
	ck_assert_str_eq(pb_log_safe("abcd", buf, 4), "abc");
	ck_assert_str_eq(pb_log_safe("\n", buf, 4), "...");
	ck_assert_str_eq(pb_log_safe("\n", buf, 5), "\\x0a");
	ck_assert_str_eq(pb_log_safe(NULL, buf, 3), "(n");
}
END_TEST

START_TEST(test_secmem_log_safe_zero)
{
	char buf[4] = { 'Z', 'Z', 'Z', 'Z' };
	const char *out;

	/* Nowhere to write: an empty string, and buf untouched. */
	out = pb_log_safe("abc", buf, 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(buf[0], 'Z');
	out = pb_log_safe(NULL, buf, 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(buf[0], 'Z');
}
END_TEST

/* err ------------------------------------------------------------------- */

START_TEST(test_secmem_strerror)
{
	int r, q;

	for (r = 0; r >= PB_ERR_MIN; r--) {
		ck_assert_ptr_nonnull(pb_strerror(r));
		ck_assert(pb_strerror(r)[0] != '\0');
		for (q = 0; q > r; q--)
			ck_assert_str_ne(pb_strerror(q), pb_strerror(r));
	}
	ck_assert_str_eq(pb_strerror(PB_OK), "success");
	ck_assert_str_eq(pb_strerror(1), "unknown error");
	ck_assert_str_eq(pb_strerror(PB_ERR_MIN - 1), "unknown error");
	ck_assert_str_eq(pb_strerror(-1000), "unknown error");
}
END_TEST

START_TEST(test_secmem_err_set)
{
	struct pb_err e;

	pb_err_clear(&e);
	ck_assert_int_eq(e.code, PB_OK);
	ck_assert_str_eq(pb_err_msg(&e), "success");
	ck_assert_int_eq(pb_err_set(&e, PB_ERR_SIG, "bad %s %d", "sig", 7),
	    PB_ERR_SIG);
	ck_assert_int_eq(e.code, PB_ERR_SIG);
	ck_assert_str_eq(pb_err_msg(&e), "bad sig 7");
	pb_err_clear(&e);
	ck_assert_str_eq(pb_err_msg(&e), "success");
	/* NULL-safe: the code still comes back. */
	ck_assert_int_eq(pb_err_set(NULL, PB_ERR_AUD, "x"), PB_ERR_AUD);
	pb_err_clear(NULL);
	ck_assert_ptr_nonnull(pb_err_msg(NULL));
	/* A code without a message shows the fixed text. */
	e.code = PB_ERR_EXPIRED;
	e.msg[0] = '\0';
	ck_assert_str_eq(pb_err_msg(&e), pb_strerror(PB_ERR_EXPIRED));
}
END_TEST

START_TEST(test_secmem_err_set_long)
{
	struct pb_err e;
	char big[PB_ERR_MSG_MAX + 100];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(pb_err_set(&e, PB_ERR_CLAIM, "%s", big),
	    PB_ERR_CLAIM);
	ck_assert_uint_eq(strlen(e.msg), PB_ERR_MSG_MAX - 1);
}
END_TEST

/* Paths are the admin's: kept whole up to 512 bytes, unlike claims. */
START_TEST(test_secmem_log_path)
{
	char path[601], buf[PB_PATH_BUFSZ];

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[300] = '\0';
	ck_assert_str_eq(pb_log_path(path, buf, sizeof(buf)), path);
	/* The same name as a claim value is cut at 64. */
	ck_assert_uint_eq(strlen(pb_log_safe(path, buf, sizeof(buf))), 67);
	path[300] = 'p';
	path[600] = '\0';
	ck_assert_uint_eq(strlen(pb_log_path(path, buf, sizeof(buf))), 515);
	ck_assert_str_eq(buf + 512, "...");
	path[10] = '\n';
	path[11] = '\0';
	ck_assert_str_eq(pb_log_path(path, buf, sizeof(buf)),
	    "/ppppppppp\\x0a");
	ck_assert_str_eq(pb_log_path(NULL, buf, sizeof(buf)), "(none)");
}
END_TEST

static Suite *
secmem_suite(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc;

	tc = tcase_create("ct_eq");
	tcase_add_test(tc, test_secmem_ct_eq_equal);
	tcase_add_test(tc, test_secmem_ct_eq_differ);
	suite_add_tcase(s, tc);

	tc = tcase_create("secret");
	tcase_add_test(tc, test_secmem_secret_dup);
	tcase_add_test(tc, test_secmem_secret_dup_binary);
	tcase_add_test(tc, test_secmem_secret_dup_empty);
	tcase_add_test(tc, test_secmem_secret_dup_nomem);
	tcase_add_test(tc, test_secmem_secret_clear);
	suite_add_tcase(s, tc);

	tc = tcase_create("wipe");
	tcase_add_test(tc, test_secmem_bzero);
	tcase_add_test(tc, test_secmem_freezero);
	suite_add_tcase(s, tc);

	tc = tcase_create("log_safe");
	tcase_add_test(tc, test_secmem_log_safe_plain);
	tcase_add_test(tc, test_secmem_log_safe_null);
	tcase_add_test(tc, test_secmem_log_safe_escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("log_safe_cut");
	tcase_add_test(tc, test_secmem_log_safe_cut);
	tcase_add_test(tc, test_secmem_log_safe_worst);
	suite_add_tcase(s, tc);

	tc = tcase_create("log_safe_bufsz");
	tcase_add_test(tc, test_secmem_log_safe_small);
	tcase_add_test(tc, test_secmem_log_safe_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("err");
	tcase_add_test(tc, test_secmem_strerror);
	tcase_add_test(tc, test_secmem_err_set);
	tcase_add_test(tc, test_secmem_err_set_long);
	tcase_add_test(tc, test_secmem_log_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(secmem_suite());
}
