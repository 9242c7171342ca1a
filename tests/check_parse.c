/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/parse: strict decimal numbers and durations.  Every way a number
 * can be almost right ("+5", " 5", "5x", a unit too many) and every edge
 * of a range (min - 1, min, max, max + 1, far past ULONG_MAX).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "parse.h"

/* A sentinel the parsers must not touch on failure. */
#define UNTOUCHED	12345UL

static int
ul(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	*out = UNTOUCHED;
	return pb_parse_ulong(s, min, max, out);
}

static int
dur(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	*out = UNTOUCHED;
	return pb_parse_duration(s, min, max, out);
}

/* pb_parse_ulong -------------------------------------------------------- */

START_TEST(test_parse_ulong_ok)
{
	unsigned long v;

	ck_assert_int_eq(ul("0", 0, 10, &v), PB_OK);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(ul("7", 0, 10, &v), PB_OK);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(ul("10", 0, 10, &v), PB_OK);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(ul("007", 0, 10, &v), PB_OK);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(ul("123456789", 0, ULONG_MAX, &v), PB_OK);
	ck_assert_uint_eq(v, 123456789UL);
	/* Leading zeros do not count towards the length limit. */
	ck_assert_int_eq(ul("000000000000000000000000000042", 0, 100, &v),
	    PB_OK);
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_parse_ulong_range)
{
	unsigned long v;

	ck_assert_int_eq(ul("4", 5, 9, &v), PB_ERR_RANGE);
	ck_assert_uint_eq(v, UNTOUCHED);
	ck_assert_int_eq(ul("5", 5, 9, &v), PB_OK);
	ck_assert_uint_eq(v, 5);
	ck_assert_int_eq(ul("9", 5, 9, &v), PB_OK);
	ck_assert_uint_eq(v, 9);
	ck_assert_int_eq(ul("10", 5, 9, &v), PB_ERR_RANGE);
	ck_assert_uint_eq(v, UNTOUCHED);
	ck_assert_int_eq(ul("0", 1, 9, &v), PB_ERR_RANGE);
}
END_TEST

START_TEST(test_parse_ulong_max)
{
	char s[64];
	unsigned long v;

	/* ULONG_MAX itself, and one more. */
	(void)snprintf(s, sizeof(s), "%lu", ULONG_MAX);
	ck_assert_int_eq(ul(s, 0, ULONG_MAX, &v), PB_OK);
	ck_assert(v == ULONG_MAX);
	s[strlen(s) - 1]++;
	ck_assert_int_eq(ul(s, 0, ULONG_MAX, &v), PB_ERR_RANGE);
	ck_assert_uint_eq(v, UNTOUCHED);
	/* One more digit: ten times too large. */
	(void)snprintf(s, sizeof(s), "%lu0", ULONG_MAX);
	ck_assert_int_eq(ul(s, 0, ULONG_MAX, &v), PB_ERR_RANGE);
	(void)snprintf(s, sizeof(s), "%lu", ULONG_MAX - 1);
	ck_assert_int_eq(ul(s, 0, ULONG_MAX - 1, &v), PB_OK);
	ck_assert(v == ULONG_MAX - 1);
	(void)snprintf(s, sizeof(s), "%lu", ULONG_MAX);
	ck_assert_int_eq(ul(s, 0, ULONG_MAX - 1, &v), PB_ERR_RANGE);
}
END_TEST

START_TEST(test_parse_ulong_long)
{
	char s[4096];
	unsigned long v;

	/* 20+ digits never wrap round to something in range. */
	ck_assert_int_eq(ul("18446744073709551616", 0, ULONG_MAX, &v),
	    PB_ERR_RANGE);
	ck_assert_int_eq(ul("99999999999999999999", 0, ULONG_MAX, &v),
	    PB_ERR_RANGE);
	/* 2^64 + 5 would wrap to 5. */
	ck_assert_int_eq(ul("18446744073709551621", 0, 10, &v), PB_ERR_RANGE);
	ck_assert_uint_eq(v, UNTOUCHED);
	memset(s, '9', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	ck_assert_int_eq(ul(s, 0, ULONG_MAX, &v), PB_ERR_RANGE);
	/* Junk after a long run of digits is still junk. */
	s[sizeof(s) - 2] = 'x';
	ck_assert_int_eq(ul(s, 0, ULONG_MAX, &v), PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_parse_ulong_junk)
{
	static const char *const junk[] = {
		"", "+5", " 5", "5 ", "\t5", "5\n", "5x", "x5", "0x10", "1e3",
		"5.0", "5,0", "-", "--5", "-+5", "- 5", "-5x", "-x", "+", " ",
		"\xd9\xa5",	/* ARABIC-INDIC DIGIT FIVE */
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		ck_assert_msg(ul(junk[i], 0, ULONG_MAX, &v) == PB_ERR_FORMAT,
		    "case %zu", i);
		ck_assert_uint_eq(v, UNTOUCHED);
	}
}
END_TEST

START_TEST(test_parse_ulong_negative)
{
	unsigned long v;

	/* A whole number below any min: out of range, not junk. */
	ck_assert_int_eq(ul("-5", 0, ULONG_MAX, &v), PB_ERR_RANGE);
	ck_assert_uint_eq(v, UNTOUCHED);
	ck_assert_int_eq(ul("-0", 0, ULONG_MAX, &v), PB_ERR_RANGE);
	ck_assert_int_eq(ul("-99999999999999999999999", 0, ULONG_MAX, &v),
	    PB_ERR_RANGE);
}
END_TEST

START_TEST(test_parse_ulong_n)
{
	unsigned long v = 0;

	/* Only the counted bytes: the rest of the string does not count. */
	ck_assert_int_eq(pb_parse_ulong_n("12x", 2, 0, 100, &v), PB_OK);
	ck_assert_uint_eq(v, 12);
	ck_assert_int_eq(pb_parse_ulong_n("12x", 3, 0, 100, &v),
	    PB_ERR_FORMAT);
	ck_assert_int_eq(pb_parse_ulong_n("12", 0, 0, 100, &v),
	    PB_ERR_FORMAT);
	ck_assert_int_eq(pb_parse_ulong_n("-1x", 2, 0, 100, &v),
	    PB_ERR_RANGE);
	/* A NUL inside the counted bytes is not a digit. */
	ck_assert_int_eq(pb_parse_ulong_n("1\0002", 3, 0, 100, &v),
	    PB_ERR_FORMAT);
	ck_assert_int_eq(pb_parse_ulong_n("-", 1, 0, 100, &v),
	    PB_ERR_FORMAT);
}
END_TEST

/* pb_parse_duration ----------------------------------------------------- */

START_TEST(test_parse_duration_units)
{
	static const struct {
		const char	*s;
		unsigned long	 v;
	} ok[] = {
		{ "0", 0 }, { "600", 600 }, { "5s", 5 }, { "5m", 300 },
		{ "5h", 18000 }, { "5d", 432000 }, { "5w", 3024000 },
		{ "0w", 0 }, { "007m", 420 },
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(dur(ok[i].s, 0, ULONG_MAX, &v) == PB_OK,
		    "case %zu", i);
		ck_assert_msg(v == ok[i].v, "case %zu: %lu", i, v);
	}
}
END_TEST

START_TEST(test_parse_duration_range)
{
	unsigned long v;

	/* The range is of the seconds, checked after the unit. */
	ck_assert_int_eq(dur("1h", 0, 3600, &v), PB_OK);
	ck_assert_uint_eq(v, 3600);
	ck_assert_int_eq(dur("3600", 0, 3600, &v), PB_OK);
	ck_assert_int_eq(dur("3601", 0, 3600, &v), PB_ERR_RANGE);
	ck_assert_uint_eq(v, UNTOUCHED);
	ck_assert_int_eq(dur("61m", 0, 3600, &v), PB_ERR_RANGE);
	ck_assert_int_eq(dur("2h", 0, 3600, &v), PB_ERR_RANGE);
	ck_assert_int_eq(dur("1m", 61, 3600, &v), PB_ERR_RANGE);
	ck_assert_int_eq(dur("2m", 61, 3600, &v), PB_OK);
	ck_assert_uint_eq(v, 120);
	ck_assert_int_eq(dur("0s", 1, 3600, &v), PB_ERR_RANGE);
}
END_TEST

START_TEST(test_parse_duration_overflow)
{
	char s[64];
	unsigned long v;

	/* A count that fits but whose product does not. */
	(void)snprintf(s, sizeof(s), "%luw", ULONG_MAX / 604800 + 1);
	ck_assert_int_eq(dur(s, 0, ULONG_MAX, &v), PB_ERR_RANGE);
	ck_assert_uint_eq(v, UNTOUCHED);
	(void)snprintf(s, sizeof(s), "%luw", ULONG_MAX / 604800);
	ck_assert_int_eq(dur(s, 0, ULONG_MAX, &v), PB_OK);
	ck_assert(v == ULONG_MAX / 604800 * 604800);
	(void)snprintf(s, sizeof(s), "%lum", ULONG_MAX);
	ck_assert_int_eq(dur(s, 0, ULONG_MAX, &v), PB_ERR_RANGE);
	ck_assert_int_eq(dur("99999999999999999999999d", 0, ULONG_MAX, &v),
	    PB_ERR_RANGE);
	ck_assert_int_eq(dur("99999999999999999999999", 0, ULONG_MAX, &v),
	    PB_ERR_RANGE);
}
END_TEST

START_TEST(test_parse_duration_junk)
{
	static const char *const junk[] = {
		"", "s", "5x", "5ss", "5sm", "5 s", " 5s", "5s ", "+5s", "-5",
		"-5s", "5S", "5M", "5y", "1.5h", "5s5", "d5", "\xd9\xa5s",
		"99999999999999999999999x",
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		ck_assert_msg(dur(junk[i], 0, ULONG_MAX, &v) == PB_ERR_FORMAT,
		    "case %zu", i);
		ck_assert_uint_eq(v, UNTOUCHED);
	}
}
END_TEST

/* RFC 6750 section 2.1: 1*( ALPHA DIGIT - . _ ~ + / ) *"=". */
START_TEST(test_parse_b64token)
{
	static const char *const good[] = {
		"a", "Zz09", "a-._~+/", "abc=", "abc==", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
	};
	static const char *const bad[] = {
		"", "=", "==", "a b", "a\nb", "a\n", " a", "a=b", "a=\n",
		"a\"", "a,b", "a;b", "a\tb", "\303\251"
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(pb_parse_b64token(good[i],
		    strlen(good[i])) == 1, "refused '%s'", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pb_parse_b64token(bad[i],
		    strlen(bad[i])) == 0, "accepted bad[%zu]", i);
	ck_assert_int_eq(pb_parse_b64token(NULL, 0), 0);
	/* len counts, not the NUL: "ab" of "ab\n" is one. */
	ck_assert_int_eq(pb_parse_b64token("ab\n", 2), 1);
	ck_assert_int_eq(pb_parse_b64token("a\0b", 3), 0);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc;

	tc = tcase_create("ulong");
	tcase_add_test(tc, test_parse_ulong_ok);
	tcase_add_test(tc, test_parse_ulong_range);
	tcase_add_test(tc, test_parse_ulong_max);
	tcase_add_test(tc, test_parse_ulong_long);
	tcase_add_test(tc, test_parse_ulong_junk);
	tcase_add_test(tc, test_parse_ulong_negative);
	tcase_add_test(tc, test_parse_ulong_n);
	suite_add_tcase(s, tc);

	tc = tcase_create("b64token");
	tcase_add_test(tc, test_parse_b64token);
	suite_add_tcase(s, tc);

	tc = tcase_create("duration");
	tcase_add_test(tc, test_parse_duration_units);
	tcase_add_test(tc, test_parse_duration_range);
	tcase_add_test(tc, test_parse_duration_overflow);
	tcase_add_test(tc, test_parse_duration_junk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(parse_suite());
}
