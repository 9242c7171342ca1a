/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/json: strict JSON over cJSON (json.h), and the claim helpers.
 * Each test of a cJSON trap from DESIGN.md feeds the text cJSON alone would
 * accept.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checkmain.h"
#include "err.h"
#include "json.h"
#include "testutil.h"

#define BIG	(1024 * 1024)

/*
 * Parse len bytes; returns the code, e gets the message.  The bytes are
 * copied to a heap buffer of exactly len bytes, without a NUL, so that
 * valgrind sees any read past the end.
 */
static int
parse_n(const char *s, size_t len, cJSON **out, struct pb_err *e)
{
	char *copy = tu_malloc(len);
	int r;

	if (len > 0)
		memcpy(copy, s, len);
	r = pb_json_parse(copy, len, BIG, "test input", out, e);
	free(copy);
	return r;
}

static void
ok_n(const char *s, size_t len)
{
	struct pb_err e;
	cJSON *j = NULL;
	int r;

	pb_err_clear(&e);
	r = parse_n(s, len, &j, &e);
	ck_assert_msg(r == PB_OK, "'%s' rejected: %d %s", s, r,
	    pb_err_msg(&e));
	ck_assert_ptr_nonnull(j);
	cJSON_Delete(j);
}

static void
ok(const char *s)
{
	ok_n(s, strlen(s));
}

/* Rejected with want, the output untouched-NULL, and a message set. */
static void
bad_n(const char *s, size_t len, int want)
{
	struct pb_err e;
	cJSON *j = cJSON_CreateNull();
	int r;

	pb_err_clear(&e);
	cJSON_Delete(j);
	r = parse_n(s, len, &j, &e);
	ck_assert_msg(r == want, "'%s': got %d, want %d", s, r, want);
	ck_assert_ptr_null(j);
	ck_assert_int_eq(e.code, want);
	ck_assert_msg(e.msg[0] != '\0', "no message for '%s'", s);
}

static void
bad(const char *s)
{
	bad_n(s, strlen(s), PB_ERR_FORMAT);
}

/* Parse s, which must be valid, into a tree for the lookup tests. */
static cJSON *
tree(const char *s)
{
	cJSON *j = NULL;

	ck_assert_int_eq(parse_n(s, strlen(s), &j, NULL), PB_OK);
	return j;
}

/* Nested arrays: depth levels of [ around 1. */
static char *
nest(int depth, char open, char close)
{
	char *s = tu_malloc((size_t)depth * 2 + 2);
	int i;

	for (i = 0; i < depth; i++)
		s[i] = open;
	s[depth] = '1';
	for (i = 0; i < depth; i++)
		s[depth + 1 + i] = close;
	s[2 * depth + 1] = '\0';
	return s;
}

/* pb_json_parse --------------------------------------------------------- */

START_TEST(test_json_valid)
{
	ok("{}");
	ok("{\"a\":1}");
	ok(" \t\r\n{ \"a\" : [ 1 , 2.5 , -3e2 , true , false , null ] } \n");
	ok("{\"a\":{\"b\":{\"c\":\"d\"}},\"e\":[]}");
	ok("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\"}");
	ok("{\"a\":\"\\u0001\"}");
	ok("{\"\":0}");
}
END_TEST

START_TEST(test_json_scalars)
{
	ok("1");
	ok("-0");
	ok("0.5");
	ok("0e1");
	ok("1E+2");
	ok("1e-2");
	ok("\"s\"");
	ok("true");
	ok("false");
	ok("null");
	ok("[1]");
	ok("[]");
}
END_TEST

START_TEST(test_json_dup_top)
{
	bad("{\"a\":1,\"a\":2}");
	bad("{\"a\":1,\"a\":1}");
	bad("{\"a\":1,\"b\":2,\"a\":3}");
	bad("{\"exp\":1,\"sub\":\"x\",\"exp\":99999999999}");
	/* The same name spelled with an escape is the same name. */
	bad("{\"a\":1,\"\\u0061\":2}");
	bad("{\"a/b\":1,\"a\\/b\":2}");
}
END_TEST

START_TEST(test_json_dup_nested)
{
	bad("{\"x\":{\"a\":1,\"a\":2}}");
	bad("{\"x\":{\"y\":{\"a\":1,\"a\":2}}}");
	bad("[{\"a\":1,\"a\":2}]");
	bad("{\"x\":[1,{\"y\":[{\"a\":1,\"a\":2}]}]}");
}
END_TEST

/* Negatives of the duplicate rule must not catch non-duplicates. */
START_TEST(test_json_dup_distinct)
{
	char *s;
	size_t i, o = 0;

	ok("{\"a\":1,\"A\":2}");
	ok("{\"x\":{\"a\":1},\"y\":{\"a\":1}}");
	ok("{\"a\":{\"a\":1}}");
	ok("[{\"a\":1},{\"a\":2}]");
	ok("{\"a\":1,\"ab\":2,\"b\":{\"ab\":3}}");
	/* Many members: the duplicate is the last one. */
	s = tu_malloc(20000);
	s[o++] = '{';
	for (i = 0; i < 1000; i++)
		o += (size_t)snprintf(s + o, 20000 - o, "\"m%zu\":%zu,", i, i);
	memcpy(s + o, "\"z\":0}", 7);
	ok(s);
	memcpy(s + o, "\"m999\":0}", 10);
	bad(s);
	memcpy(s + o, "\"m0\":0}", 8);
	bad(s);
	free(s);
}
END_TEST

/* cJSON would cut "exp\u0000" to "exp" (DESIGN.md "Traps"). */
START_TEST(test_json_nul_escape)
{
	bad("{\"exp\\u0000\":1}");
	bad("{\"exp\\u0000x\":1,\"exp\":2}");
	bad("{\"a\":\"x\\u0000\"}");
	bad("{\"a\":\"\\u0000\"}");
	bad("[\"\\u0000\"]");
	bad("\"\\u0000\"");
	/* A raw NUL byte is a control character. */
	bad_n("{\"a\":\"x\0y\"}", 11, PB_ERR_FORMAT);
	bad_n("{\"a\0\":1}", 8, PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_json_utf8_valid)
{
	ok("{\"a\":\"\xc3\xa9\"}");			/* U+00E9 */
	ok("{\"\xc3\xa9\":1}");
	ok("{\"a\":\"\xe2\x82\xac\"}");			/* U+20AC */
	ok("{\"a\":\"\xef\xbf\xbf\"}");			/* U+FFFF */
	ok("{\"a\":\"\xf0\x9d\x84\x9e\"}");		/* U+1D11E */
	ok("{\"a\":\"\xf4\x8f\xbf\xbf\"}");		/* U+10FFFF */
	ok("{\"a\":\"\xed\x9f\xbf\"}");			/* U+D7FF */
	ok("{\"a\":\"\x7f\"}");				/* DEL: not a control */
}
END_TEST

START_TEST(test_json_utf8_overlong)
{
	bad("{\"a\":\"\xc0\xaf\"}");
	bad("{\"a\":\"\xc1\xbf\"}");
	bad("{\"a\":\"\xc0\x80\"}");		/* overlong NUL */
	bad("{\"a\":\"\xe0\x80\xaf\"}");
	bad("{\"a\":\"\xe0\x9f\xbf\"}");
	bad("{\"a\":\"\xf0\x80\x80\xaf\"}");
	bad("{\"a\":\"\xf0\x8f\xbf\xbf\"}");
	bad("{\"\xc0\xaf\":1}");		/* in a name */
}
END_TEST

START_TEST(test_json_utf8_surrogate)
{
	bad("{\"a\":\"\xed\xa0\x80\"}");			/* U+D800 */
	bad("{\"a\":\"\xed\xbf\xbf\"}");			/* U+DFFF */
	bad("{\"a\":\"\xed\xa0\xbd\xed\xb8\x80\"}");	/* CESU-8 pair */
	bad("{\"\xed\xa0\x80\":1}");
}
END_TEST

START_TEST(test_json_utf8_truncated)
{
	bad("{\"a\":\"\xc3\"}");
	bad("{\"a\":\"\xe2\x82\"}");
	bad("{\"a\":\"\xf0\x9d\x84\"}");
	bad("{\"a\":\"x\xe2\"}");
	bad_n("\"\xe2\x82", 3, PB_ERR_FORMAT);		/* at the end */
	bad_n("\"\xc3", 2, PB_ERR_FORMAT);
	bad("{\"a\":\"\xc3x\"}");			/* not a continuation */
	bad("{\"a\":\"\xe2\x82x\"}");
}
END_TEST

START_TEST(test_json_utf8_bytes)
{
	bad("{\"a\":\"\xff\"}");
	bad("{\"a\":\"\xfe\"}");
	bad("{\"a\":\"\x80\"}");		/* lone continuation */
	bad("{\"a\":\"\xbf\"}");
	bad("{\"a\":\"\xf5\x80\x80\x80\"}");	/* over U+10FFFF */
	bad("{\"a\":\"\xf4\x90\x80\x80\"}");
	bad("{\"a\":\"\xf8\x88\x80\x80\x80\"}");	/* 5-byte form */
	bad("{\"\xff\":1}");
	bad("\xef\xbb\xbf{}");			/* BOM: not JSON text */
}
END_TEST

START_TEST(test_json_control_chars)
{
	char s[16];
	int c;

	for (c = 1; c < 0x20; c++) {
		memcpy(s, "{\"a\":\"x?y\"}", 12);
		s[7] = (char)c;
		bad(s);
		memcpy(s, "{\"a?\":1}", 9);
		s[3] = (char)c;
		bad(s);
	}
	/* Escaped, they are fine. */
	ok("{\"a\":\"\\n\\t\\u001f\"}");
}
END_TEST

START_TEST(test_json_escapes)
{
	ok("{\"a\":\"\\ud83d\\ude00\"}");		/* a pair */
	ok("{\"a\":\"\\uD83D\\uDE00\"}");
	bad("{\"a\":\"\\ud800\"}");			/* unpaired high */
	bad("{\"a\":\"\\ud800x\"}");
	bad("{\"a\":\"\\ud800\\u0041\"}");
	bad("{\"a\":\"\\ud800\\ud800\"}");
	bad("{\"a\":\"\\udc00\"}");			/* lone low */
	bad("{\"a\":\"\\ude00\\ud83d\"}");		/* reversed */
	bad("{\"a\":\"\\x41\"}");
	bad("{\"a\":\"\\'\"}");
	bad("{\"a\":\"\\U0041\"}");
	bad("{\"a\":\"\\u12\"}");
	bad("{\"a\":\"\\u12g4\"}");
	bad("{\"a\":\"\\");
	bad("{\"a\":\"\\u");
	bad("{\"a\":\"\\ud800\\");
}
END_TEST

START_TEST(test_json_numbers)
{
	bad("{\"a\":01}");
	bad("{\"a\":00}");
	bad("{\"a\":-01}");
	bad("{\"a\":0123.5}");
	bad("01");
	bad("{\"a\":1.}");
	bad("{\"a\":.5}");
	bad("{\"a\":+1}");
	bad("{\"a\":1e}");
	bad("{\"a\":1e+}");
	bad("{\"a\":-}");
	bad("{\"a\":--1}");
	bad("{\"a\":0x10}");
	bad("{\"a\":NaN}");
	bad("{\"a\":Infinity}");
	bad("{\"a\":-Infinity}");
	bad("{\"a\":1_000}");
	ok("{\"a\":0}");
	ok("{\"a\":-0.0}");
	ok("{\"a\":10}");
	ok("{\"a\":1e400}");
}
END_TEST

/*
 * RFC 8259 puts no limit on the digits of a number.  A long one must either
 * parse to its value or be refused as malformed: never an out-of-memory
 * error, and never a different value.
 */
START_TEST(test_json_long_number)
{
	char s[128];
	struct pb_err e;
	cJSON *j = NULL;
	const cJSON *v;
	int r;

	/* 1 followed by 70 zeros: 1e70. */
	memset(s, 0, sizeof(s));
	memcpy(s, "{\"a\":1", 6);
	memset(s + 6, '0', 70);
	memcpy(s + 76, "}", 2);
	pb_err_clear(&e);
	r = parse_n(s, strlen(s), &j, &e);
	ck_assert_msg(r == PB_OK || r == PB_ERR_FORMAT,
	    "long number in an object: %d (%s)", r, pb_err_msg(&e));
	if (r == PB_OK) {
		v = pb_json_get(j, "a");
		ck_assert_ptr_nonnull(v);
		ck_assert_double_eq_tol(v->valuedouble, 1e70, 1e56);
	}
	cJSON_Delete(j);
	j = NULL;

	/* The same number alone: cJSON could stop after 63 digits. */
	memset(s, 0, sizeof(s));
	s[0] = '1';
	memset(s + 1, '0', 70);
	pb_err_clear(&e);
	r = parse_n(s, strlen(s), &j, &e);
	ck_assert_msg(r == PB_OK || r == PB_ERR_FORMAT,
	    "long number alone: %d (%s)", r, pb_err_msg(&e));
	if (r == PB_OK)
		ck_assert_double_eq_tol(j->valuedouble, 1e70, 1e56);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_json_trailing)
{
	bad("{} x");
	bad("{}{}");
	bad("{},");
	bad("{}]");
	bad("1 2");
	bad("\"a\" \"b\"");
	bad("{\"a\":1}}");
	bad_n("{}\0", 3, PB_ERR_FORMAT);
	bad_n("{\"a\":1}\0garbage", 15, PB_ERR_FORMAT);
	ok("{} \t\r\n");
	/* Only len bytes count: a valid prefix of a longer buffer. */
	ok_n("{}garbage", 2);
}
END_TEST

START_TEST(test_json_grammar)
{
	bad("");
	bad(" ");
	bad("{");
	bad("}");
	bad("{\"a\"}");
	bad("{\"a\":}");
	bad("{\"a\" 1}");
	bad("{\"a\":1,}");
	bad("[1,]");
	bad("[,1]");
	bad("{,}");
	bad("{a:1}");
	bad("{'a':1}");
	bad("{\"a\":'b'}");
	bad("{\"a\":1;\"b\":2}");
	bad("{\"a\":tru}");
	bad("{\"a\":nul}");
	bad("{\"a\":True}");
	bad("{\"a\":1}/*c*/");
	bad("//c\n{}");
	bad("{\"a\":\"unterminated}");
	bad("[1 2]");
	bad("{\"a\":1\"b\":2}");
	bad("\v{}");			/* not JSON whitespace */
	bad("\f{}");
}
END_TEST

START_TEST(test_json_depth)
{
	char *s;

	/* Exactly PB_JSON_MAX_DEPTH levels: fine. */
	s = nest(PB_JSON_MAX_DEPTH, '[', ']');
	ok(s);
	free(s);
	s = nest(PB_JSON_MAX_DEPTH + 1, '[', ']');
	bad(s);
	free(s);
	s = nest(1000, '[', ']');
	bad(s);
	free(s);
	s = nest(100000, '[', ']');
	bad(s);
	free(s);
}
END_TEST

/* Objects count as levels too: {"a":{"a":...1...}}. */
START_TEST(test_json_depth_objects)
{
	char *s;
	size_t o = 0;
	int i, depth;

	for (depth = PB_JSON_MAX_DEPTH; depth <= PB_JSON_MAX_DEPTH + 1;
	    depth++) {
		s = tu_malloc((size_t)depth * 6 + 2);
		o = 0;
		for (i = 0; i < depth; i++) {
			memcpy(s + o, "{\"a\":", 5);
			o += 5;
		}
		s[o++] = '1';
		for (i = 0; i < depth; i++)
			s[o++] = '}';
		s[o] = '\0';
		if (depth == PB_JSON_MAX_DEPTH)
			ok(s);
		else
			bad(s);
		free(s);
	}
	/* Deep invalid objects fail cleanly too. */
	s = nest(PB_JSON_MAX_DEPTH + 1, '{', '}');
	bad(s);
	free(s);
}
END_TEST

START_TEST(test_json_maxlen)
{
	struct pb_err e;
	cJSON *j = NULL;

	ck_assert_int_eq(pb_json_parse("{\"a\":1}", 7, 7, "x", &j, NULL),
	    PB_OK);
	cJSON_Delete(j);
	j = NULL;
	pb_err_clear(&e);
	ck_assert_int_eq(pb_json_parse("{\"a\":1}", 7, 6, "x", &j, &e),
	    PB_ERR_TOOBIG);
	ck_assert_ptr_null(j);
	ck_assert_int_eq(e.code, PB_ERR_TOOBIG);
	/* The limit comes first: even invalid text is TOOBIG. */
	ck_assert_int_eq(pb_json_parse("{{{{", 4, 3, "x", &j, NULL),
	    PB_ERR_TOOBIG);
	ck_assert_ptr_null(j);
	ck_assert_int_eq(pb_json_parse("{}", 2, 0, "x", &j, NULL),
	    PB_ERR_TOOBIG);
	ck_assert_ptr_null(j);
}
END_TEST

/* The message names the input and never quotes much of it. */
START_TEST(test_json_message)
{
	struct pb_err e;
	cJSON *j = NULL;

	pb_err_clear(&e);
	ck_assert_int_eq(pb_json_parse("{\"a\":1,\"a\":2}", 13, BIG,
	    "token header", &j, &e), PB_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "token header"));
	pb_err_clear(&e);
	ck_assert_int_eq(pb_json_parse("{\"a\":x}", 7, BIG, "token claims",
	    &j, &e), PB_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "token claims"));
	ck_assert_ptr_null(j);
}
END_TEST

/* pb_json_get ----------------------------------------------------------- */

START_TEST(test_json_get_case)
{
	cJSON *j = tree("{\"Exp\":1,\"sub\":\"x\",\"SUB\":\"y\",\"n\":2}");

	ck_assert_ptr_null(pb_json_get(j, "exp"));
	ck_assert_ptr_nonnull(pb_json_get(j, "Exp"));
	ck_assert_ptr_null(pb_json_get(j, "EXP"));
	ck_assert_str_eq(pb_json_get_string(j, "sub"), "x");
	ck_assert_str_eq(pb_json_get_string(j, "SUB"), "y");
	ck_assert_ptr_null(pb_json_get_string(j, "Sub"));
	ck_assert_ptr_null(pb_json_get(j, "su"));
	ck_assert_ptr_null(pb_json_get(j, "subx"));
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_json_get_types)
{
	cJSON *j = tree("{\"n\":2,\"a\":[\"x\"],\"o\":{\"k\":\"v\"},"
	    "\"z\":null}");
	cJSON *arr = tree("[{\"n\":1}]");

	ck_assert_ptr_nonnull(pb_json_get(j, "n"));
	ck_assert_ptr_null(pb_json_get_string(j, "n"));
	ck_assert_ptr_null(pb_json_get_string(j, "a"));
	ck_assert_ptr_null(pb_json_get_string(j, "o"));
	ck_assert_ptr_null(pb_json_get_string(j, "z"));
	ck_assert_ptr_null(pb_json_get_string(j, "missing"));
	/* Not an object: nothing is found. */
	ck_assert_ptr_null(pb_json_get(arr, "n"));
	ck_assert_ptr_null(pb_json_get(NULL, "n"));
	ck_assert_ptr_null(pb_json_get(pb_json_get(j, "n"), "n"));
	cJSON_Delete(j);
	cJSON_Delete(arr);
}
END_TEST

/* pb_json_claim --------------------------------------------------------- */

static const char claims_text[] =
    "{\"sub\":\"alice\","
    "\"realm_access\":{\"roles\":[\"admin\",\"ops\"]},"
    "\"resource_access\":{\"ssh\":{\"roles\":[\"login\"]}},"
    "\"a/b\":\"slash\",\"m~n\":\"tilde\",\"~1\":\"lit\","
    "\"https://example.com/roles\":[\"x\"],"
    "\"arr\":[10,11,12,13,14,15,16,17,18,19,20,21],"
    "\"\":\"empty\",\"o\":{\"\":\"inner\"},\"s\":\"str\"}";

START_TEST(test_json_claim_literal)
{
	cJSON *j = tree(claims_text);
	const cJSON *v;

	ck_assert_str_eq(pb_json_claim(j, "sub")->valuestring, "alice");
	v = pb_json_claim(j, "https://example.com/roles");
	ck_assert(cJSON_IsArray(v));
	/* Not a pointer: taken literally, no unescaping. */
	ck_assert_str_eq(pb_json_claim(j, "a/b")->valuestring, "slash");
	ck_assert_str_eq(pb_json_claim(j, "~1")->valuestring, "lit");
	ck_assert_ptr_null(pb_json_claim(j, "Sub"));
	ck_assert_ptr_null(pb_json_claim(j, "realm_access/roles"));
	ck_assert_ptr_null(pb_json_claim(j, NULL));
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_json_claim_pointer)
{
	cJSON *j = tree(claims_text);
	const cJSON *v;

	ck_assert_str_eq(pb_json_claim(j, "/sub")->valuestring, "alice");
	v = pb_json_claim(j, "/realm_access/roles");
	ck_assert(cJSON_IsArray(v));
	ck_assert_int_eq(cJSON_GetArraySize(v), 2);
	ck_assert_str_eq(pb_json_claim(j, "/realm_access/roles/1")->
	    valuestring, "ops");
	ck_assert_str_eq(pb_json_claim(j, "/resource_access/ssh/roles/0")->
	    valuestring, "login");
	/* RFC 6901: ~1 is '/', ~0 is '~'. */
	ck_assert_str_eq(pb_json_claim(j, "/a~1b")->valuestring, "slash");
	ck_assert_str_eq(pb_json_claim(j, "/m~0n")->valuestring, "tilde");
	ck_assert_str_eq(pb_json_claim(j, "/~01")->valuestring, "lit");
	ck_assert_str_eq(pb_json_claim(j,
	    "/https:~1~1example.com~1roles/0")->valuestring, "x");
	/* "/" names the member "" (RFC 6901 section 5). */
	ck_assert_str_eq(pb_json_claim(j, "/")->valuestring, "empty");
	ck_assert_str_eq(pb_json_claim(j, "/o/")->valuestring, "inner");
	ck_assert_int_eq(pb_json_claim(j, "/arr/11")->valueint, 21);
	ck_assert_int_eq(pb_json_claim(j, "/arr/0")->valueint, 10);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_json_claim_bad_pointer)
{
	cJSON *j = tree(claims_text);

	/* Invalid escapes. */
	ck_assert_ptr_null(pb_json_claim(j, "/a~2b"));
	ck_assert_ptr_null(pb_json_claim(j, "/a~"));
	ck_assert_ptr_null(pb_json_claim(j, "/m~n"));
	ck_assert_ptr_null(pb_json_claim(j, "/~"));
	/* "/a/b" is a path, not the member "a/b". */
	ck_assert_ptr_null(pb_json_claim(j, "/a/b"));
	/* Missing members and paths through scalars. */
	ck_assert_ptr_null(pb_json_claim(j, "/nope"));
	ck_assert_ptr_null(pb_json_claim(j, "/realm_access/Roles"));
	ck_assert_ptr_null(pb_json_claim(j, "/sub/0"));
	ck_assert_ptr_null(pb_json_claim(j, "/s/x"));
	ck_assert_ptr_null(pb_json_claim(j, "/realm_access/roles/0/x"));
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_json_claim_bad_index)
{
	cJSON *j = tree(claims_text);

	ck_assert_ptr_null(pb_json_claim(j, "/arr/01"));	/* leading 0 */
	ck_assert_ptr_null(pb_json_claim(j, "/arr/00"));
	ck_assert_ptr_null(pb_json_claim(j, "/arr/-"));		/* past end */
	ck_assert_ptr_null(pb_json_claim(j, "/arr/-1"));
	ck_assert_ptr_null(pb_json_claim(j, "/arr/+1"));
	ck_assert_ptr_null(pb_json_claim(j, "/arr/ 1"));
	ck_assert_ptr_null(pb_json_claim(j, "/arr/1a"));
	ck_assert_ptr_null(pb_json_claim(j, "/arr/12"));	/* size 12 */
	ck_assert_ptr_null(pb_json_claim(j, "/arr/"));
	ck_assert_ptr_null(pb_json_claim(j, "/arr/4294967296"));
	ck_assert_ptr_null(pb_json_claim(j,
	    "/arr/99999999999999999999999"));
	cJSON_Delete(j);
}
END_TEST

/* pb_json_time ---------------------------------------------------------- */

/* pb_json_time() of the JSON text s; *out keeps sentinel on failure. */
static int
jtime(const char *s, int up, int64_t *out)
{
	cJSON *j = tree(s);
	int r;

	*out = -42;
	r = pb_json_time(j, up, out);
	if (r != PB_OK)
		ck_assert_int_eq(*out, -42);
	cJSON_Delete(j);
	return r;
}

START_TEST(test_json_time_ok)
{
	int64_t t;

	ck_assert_int_eq(jtime("0", 0, &t), PB_OK);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(jtime("1700000000", 0, &t), PB_OK);
	ck_assert_int_eq(t, 1700000000);
	/* Past 2038: valueint would saturate at INT_MAX. */
	ck_assert_int_eq(jtime("4102444800", 0, &t), PB_OK);
	ck_assert_int_eq(t, 4102444800LL);
	ck_assert_int_eq(jtime("253402300799", 1, &t), PB_OK);
	ck_assert_int_eq(t, PB_JSON_TIME_MAX);
	ck_assert_int_eq(jtime("1.7e9", 0, &t), PB_OK);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(jtime("-0", 0, &t), PB_OK);
	ck_assert_int_eq(t, 0);
}
END_TEST

START_TEST(test_json_time_fraction)
{
	int64_t t;

	ck_assert_int_eq(jtime("1700000000.5", 0, &t), PB_OK);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(jtime("1700000000.5", 1, &t), PB_OK);
	ck_assert_int_eq(t, 1700000001);
	ck_assert_int_eq(jtime("1700000000.999", 0, &t), PB_OK);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(jtime("1700000000.001", 1, &t), PB_OK);
	ck_assert_int_eq(t, 1700000001);
	/* A whole number does not move either way. */
	ck_assert_int_eq(jtime("1700000000.0", 1, &t), PB_OK);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(jtime("1700000000.0", 0, &t), PB_OK);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(jtime("0.5", 0, &t), PB_OK);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(jtime("0.5", 1, &t), PB_OK);
	ck_assert_int_eq(t, 1);
}
END_TEST

START_TEST(test_json_time_types)
{
	int64_t t;

	ck_assert_int_eq(jtime("\"1700000000\"", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("true", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("false", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("null", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("[1700000000]", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("{\"t\":1700000000}", 0, &t), PB_ERR_CLAIM);
	t = -42;
	ck_assert_int_eq(pb_json_time(NULL, 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(t, -42);
}
END_TEST

START_TEST(test_json_time_range)
{
	int64_t t;

	ck_assert_int_eq(jtime("-1", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("-0.5", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("-1700000000", 1, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("253402300800", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("253402300799.5", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("1e300", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("9223372036854775807", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("18446744073709551616", 0, &t),
	    PB_ERR_CLAIM);
	/* Overflows to infinity in strtod. */
	ck_assert_int_eq(jtime("1e400", 0, &t), PB_ERR_CLAIM);
	ck_assert_int_eq(jtime("-1e400", 1, &t), PB_ERR_CLAIM);
}
END_TEST

/* pb_json_scalar_eq ----------------------------------------------------- */

static int
eq(const char *json, const char *text)
{
	cJSON *j = tree(json);
	int r = pb_json_scalar_eq(j, text);

	cJSON_Delete(j);
	return r;
}

START_TEST(test_json_scalar_eq_string)
{
	ck_assert_int_eq(eq("\"mfa\"", "mfa"), 1);
	ck_assert_int_eq(eq("\"\"", ""), 1);
	ck_assert_int_eq(eq("\"a b\"", "a b"), 1);
	ck_assert_int_eq(eq("\"\\u00e9\"", "\xc3\xa9"), 1);
	ck_assert_int_eq(eq("\"mfa\"", "MFA"), 0);
	ck_assert_int_eq(eq("\"mfa\"", "mf"), 0);
	ck_assert_int_eq(eq("\"mfa\"", "mfa "), 0);
	ck_assert_int_eq(eq("\"mf\"", "mfa"), 0);
	ck_assert_int_eq(eq("\"\"", "x"), 0);
}
END_TEST

START_TEST(test_json_scalar_eq_bool)
{
	ck_assert_int_eq(eq("true", "true"), 1);
	ck_assert_int_eq(eq("false", "false"), 1);
	ck_assert_int_eq(eq("\"true\"", "true"), 1);	/* a string */
	ck_assert_int_eq(eq("true", "false"), 0);
	ck_assert_int_eq(eq("false", "true"), 0);
	ck_assert_int_eq(eq("true", "True"), 0);
	ck_assert_int_eq(eq("true", "1"), 0);
	ck_assert_int_eq(eq("false", "0"), 0);
	ck_assert_int_eq(eq("false", ""), 0);
	ck_assert_int_eq(eq("true", "yes"), 0);
}
END_TEST

START_TEST(test_json_scalar_eq_int)
{
	ck_assert_int_eq(eq("42", "42"), 1);
	ck_assert_int_eq(eq("0", "0"), 1);
	ck_assert_int_eq(eq("-5", "-5"), 1);
	ck_assert_int_eq(eq("4102444800", "4102444800"), 1);
	ck_assert_int_eq(eq("42", "43"), 0);
	ck_assert_int_eq(eq("42", "042"), 0);
	ck_assert_int_eq(eq("42", "+42"), 0);
	ck_assert_int_eq(eq("42", "42.0"), 0);
	ck_assert_int_eq(eq("42", " 42"), 0);
	ck_assert_int_eq(eq("-5", "5"), 0);
	ck_assert_int_eq(eq("1", "true"), 0);
	/* 2^53 + 1 reads as 2^53: it must not equal "2^53". */
	ck_assert_int_eq(eq("9007199254740993", "9007199254740992"), 0);
	ck_assert_int_eq(eq("1e300", "1e300"), 0);
}
END_TEST

START_TEST(test_json_scalar_eq_float)
{
	ck_assert_int_eq(eq("1.5", "1"), 0);
	ck_assert_int_eq(eq("1.5", "2"), 0);
	ck_assert_int_eq(eq("1.5", "1.5"), 0);
	ck_assert_int_eq(eq("0.1", "0"), 0);
	ck_assert_int_eq(eq("-0.5", "0"), 0);
	ck_assert_int_eq(eq("-0.5", "-0"), 0);
	ck_assert_int_eq(eq("1e400", "inf"), 0);
}
END_TEST

START_TEST(test_json_scalar_eq_other)
{
	ck_assert_int_eq(eq("null", "null"), 0);
	ck_assert_int_eq(eq("null", ""), 0);
	ck_assert_int_eq(eq("[\"mfa\"]", "mfa"), 0);
	ck_assert_int_eq(eq("{\"mfa\":1}", "mfa"), 0);
	ck_assert_int_eq(eq("[]", ""), 0);
	ck_assert_int_eq(pb_json_scalar_eq(NULL, "x"), 0);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_json_valid);
	tcase_add_test(tc, test_json_scalars);
	suite_add_tcase(s, tc);

	tc = tcase_create("duplicates");
	tcase_add_test(tc, test_json_dup_top);
	tcase_add_test(tc, test_json_dup_nested);
	tcase_add_test(tc, test_json_dup_distinct);
	suite_add_tcase(s, tc);

	tc = tcase_create("nul_escape");
	tcase_add_test(tc, test_json_nul_escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_add_test(tc, test_json_utf8_valid);
	tcase_add_test(tc, test_json_utf8_overlong);
	tcase_add_test(tc, test_json_utf8_surrogate);
	tcase_add_test(tc, test_json_utf8_truncated);
	tcase_add_test(tc, test_json_utf8_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("control_chars");
	tcase_add_test(tc, test_json_control_chars);
	suite_add_tcase(s, tc);

	tc = tcase_create("escapes");
	tcase_add_test(tc, test_json_escapes);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_json_numbers);
	tcase_add_test(tc, test_json_long_number);
	suite_add_tcase(s, tc);

	tc = tcase_create("trailing");
	tcase_add_test(tc, test_json_trailing);
	suite_add_tcase(s, tc);

	tc = tcase_create("grammar");
	tcase_add_test(tc, test_json_grammar);
	suite_add_tcase(s, tc);

	tc = tcase_create("depth");
	tcase_add_test(tc, test_json_depth);
	tcase_add_test(tc, test_json_depth_objects);
	suite_add_tcase(s, tc);

	tc = tcase_create("maxlen");
	tcase_add_test(tc, test_json_maxlen);
	tcase_add_test(tc, test_json_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("get");
	tcase_add_test(tc, test_json_get_case);
	tcase_add_test(tc, test_json_get_types);
	suite_add_tcase(s, tc);

	tc = tcase_create("claim");
	tcase_add_test(tc, test_json_claim_literal);
	tcase_add_test(tc, test_json_claim_pointer);
	tcase_add_test(tc, test_json_claim_bad_pointer);
	tcase_add_test(tc, test_json_claim_bad_index);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_test(tc, test_json_time_ok);
	tcase_add_test(tc, test_json_time_fraction);
	tcase_add_test(tc, test_json_time_types);
	tcase_add_test(tc, test_json_time_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("scalar_eq");
	tcase_add_test(tc, test_json_scalar_eq_string);
	tcase_add_test(tc, test_json_scalar_eq_bool);
	tcase_add_test(tc, test_json_scalar_eq_int);
	tcase_add_test(tc, test_json_scalar_eq_float);
	tcase_add_test(tc, test_json_scalar_eq_other);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(json_suite());
}
