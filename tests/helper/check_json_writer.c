/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/net/json_writer.c: the JSON object writer of the token store's
 * value.  Outputs are compared byte for byte and parsed back with cJSON
 * (an independent parser).  That the writer wipes what it outgrows cannot
 * be observed from here; what can is its contract: the output, the
 * refusals, the sticky error and the writer left empty after
 * pb_json_writer_end().
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checkmain.h"
#include "err.h"
#include "json_writer.h"
#include "sbuf.h"
#include "secmem.h"

static struct pb_json_writer w;
static struct pb_secret out;

static void
setup(void)
{
	memset(&w, 0, sizeof(w));
	out.p = NULL;
	out.len = 0;
}

static void
teardown(void)
{
	pb_secret_clear(&out);
	pb_sbuf_clear(&w.buf);	/* empty after pb_json_writer_end() */
	memset(&w, 0, sizeof(w));
}

/* End the object; expect PB_OK and the writer reset. */
static void
end_ok(void)
{
	ck_assert_int_eq(pb_json_writer_end(&w, &out), PB_OK);
	ck_assert_ptr_nonnull(out.p);
	ck_assert_uint_eq(strlen(out.p), out.len);
	ck_assert_ptr_null(w.buf.p);
	ck_assert_uint_eq(w.buf.len, 0);
	ck_assert_uint_eq(w.buf.cap, 0);
	ck_assert_int_eq(w.err, PB_OK);
}

/* The output parsed back; free with cJSON_Delete(). */
static cJSON *
parsed(void)
{
	cJSON *j = cJSON_ParseWithLength(out.p, out.len);

	ck_assert_msg(j != NULL, "cJSON cannot parse %s", out.p);
	ck_assert(cJSON_IsObject(j));
	return j;
}

static const char *
str_of(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
	return v->valuestring;
}

START_TEST(test_json_writer_empty)
{
	pb_json_writer_begin(&w);
	end_ok();
	ck_assert_str_eq(out.p, "{}");
}
END_TEST

START_TEST(test_json_writer_fields)
{
	struct pb_secret s = { NULL, 0 };
	cJSON *j;

	ck_assert_int_eq(pb_secret_dup(&s, "RT-1", 4), PB_OK);
	pb_json_writer_begin(&w);
	pb_json_writer_int(&w, "v", 1);
	pb_json_writer_secret(&w, "refresh_token", &s);
	pb_json_writer_str(&w, "issuer", "https://idp.example");
	pb_json_writer_int(&w, "gen", -7);
	pb_secret_clear(&s);
	end_ok();
	ck_assert_str_eq(out.p, "{\"v\":1,\"refresh_token\":\"RT-1\","
	    "\"issuer\":\"https://idp.example\",\"gen\":-7}");
	j = parsed();
	ck_assert_str_eq(str_of(j, "refresh_token"), "RT-1");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "gen")->valueint, -7);
	cJSON_Delete(j);
}
END_TEST

/* A NULL string value is left out, with no stray comma. */
START_TEST(test_json_writer_null_skipped)
{
	pb_json_writer_begin(&w);
	pb_json_writer_str(&w, "a", NULL);
	pb_json_writer_str(&w, "b", "x");
	pb_json_writer_str(&w, "c", NULL);
	end_ok();
	ck_assert_str_eq(out.p, "{\"b\":\"x\"}");
}
END_TEST

START_TEST(test_json_writer_int_range)
{
	cJSON *j;

	pb_json_writer_begin(&w);
	pb_json_writer_int(&w, "min", INT64_MIN);
	pb_json_writer_int(&w, "max", INT64_MAX);
	pb_json_writer_int(&w, "zero", 0);
	end_ok();
	ck_assert_str_eq(out.p, "{\"min\":-9223372036854775808,"
	    "\"max\":9223372036854775807,\"zero\":0}");
	j = parsed();
	cJSON_Delete(j);
}
END_TEST

/* status --json: flags are JSON booleans, not the numbers 0 and 1. */
START_TEST(test_json_writer_bool)
{
	cJSON *j;

	pb_json_writer_begin(&w);
	pb_json_writer_bool(&w, "yes", 1);
	pb_json_writer_bool(&w, "no", 0);
	pb_json_writer_bool(&w, "any", 42);
	end_ok();
	ck_assert_str_eq(out.p, "{\"yes\":true,\"no\":false,\"any\":true}");
	j = parsed();
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "yes")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "no")));
	cJSON_Delete(j);
}
END_TEST

/* RFC 8259 section 7: '"', '\\' and controls escaped; UTF-8 as is. */
START_TEST(test_json_writer_escape)
{
	static const char v[] = "q\"b\\n\nt\tc\001d\177u\303\251/";
	cJSON *j;

	pb_json_writer_begin(&w);
	pb_json_writer_str(&w, "k", v);
	end_ok();
	ck_assert_str_eq(out.p, "{\"k\":\"q\\\"b\\\\n\\u000at\\u0009c"
	    "\\u0001d\\u007fu\303\251/\"}");
	j = parsed();
	ck_assert_str_eq(str_of(j, "k"), v);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_json_writer_key_escape)
{
	cJSON *j;

	pb_json_writer_begin(&w);
	pb_json_writer_str(&w, "a\"b", "1");
	end_ok();
	ck_assert_str_eq(out.p, "{\"a\\\"b\":\"1\"}");
	j = parsed();
	ck_assert_str_eq(str_of(j, "a\"b"), "1");
	cJSON_Delete(j);
}
END_TEST

/* A secret of len bytes: only those, not up to a NUL past them. */
START_TEST(test_json_writer_secret_len)
{
	struct pb_secret s = { NULL, 0 };
	static char buf[] = "abcdef";

	s.p = buf;
	s.len = 3;
	pb_json_writer_begin(&w);
	pb_json_writer_secret(&w, "t", &s);
	s.p = NULL;
	s.len = 0;
	pb_json_writer_secret(&w, "e", &s);
	end_ok();
	ck_assert_str_eq(out.p, "{\"t\":\"abc\",\"e\":\"\"}");
}
END_TEST

/* A NUL inside a secret is refused: nothing comes out. */
START_TEST(test_json_writer_nul_refused)
{
	struct pb_secret s = { NULL, 0 };
	static char buf[] = "ab\0cd";

	s.p = buf;
	s.len = 5;
	pb_json_writer_begin(&w);
	pb_json_writer_str(&w, "before", "x");
	pb_json_writer_secret(&w, "t", &s);
	ck_assert_int_eq(pb_json_writer_end(&w, &out), PB_ERR_FORMAT);
	ck_assert_ptr_null(out.p);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_ptr_null(w.buf.p);
	ck_assert_uint_eq(w.buf.cap, 0);
}
END_TEST

/* The first error sticks through later calls; the writer is reset. */
START_TEST(test_json_writer_sticky)
{
	struct pb_secret s = { NULL, 0 };
	static char buf[] = "\0";

	s.p = buf;
	s.len = 1;
	pb_json_writer_begin(&w);
	pb_json_writer_secret(&w, "t", &s);
	ck_assert_int_eq(w.err, PB_ERR_FORMAT);
	pb_json_writer_str(&w, "a", "b");
	pb_json_writer_int(&w, "n", 1);
	ck_assert_int_eq(w.err, PB_ERR_FORMAT);
	ck_assert_int_eq(pb_json_writer_end(&w, &out), PB_ERR_FORMAT);
	ck_assert_ptr_null(out.p);
	ck_assert_int_eq(w.err, PB_OK);

	/* The reset writer works again. */
	pb_json_writer_begin(&w);
	pb_json_writer_str(&w, "a", "b");
	end_ok();
	ck_assert_str_eq(out.p, "{\"a\":\"b\"}");
}
END_TEST

/* Growth well past the first allocation keeps every byte. */
START_TEST(test_json_writer_large)
{
	struct pb_secret s = { NULL, 0 };
	char key[16];
	cJSON *j;
	size_t i;

	s.len = 100000;
	s.p = malloc(s.len + 1);
	ck_assert_ptr_nonnull(s.p);
	for (i = 0; i < s.len; i++)
		s.p[i] = (char)('a' + i % 26);
	s.p[s.len] = '\0';
	pb_json_writer_begin(&w);
	for (i = 0; i < 200; i++) {
		(void)snprintf(key, sizeof(key), "k%zu", i);
		pb_json_writer_int(&w, key, (int64_t)i);
	}
	pb_json_writer_secret(&w, "big", &s);
	end_ok();
	j = parsed();
	ck_assert_str_eq(str_of(j, "big"), s.p);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "k199")->valueint, 199);
	ck_assert_int_eq(cJSON_GetArraySize(j), 201);
	cJSON_Delete(j);
	pb_secret_clear(&s);
}
END_TEST

static Suite *
json_writer_suite(void)
{
	Suite *s = suite_create("json_writer");
	TCase *tc;

	tc = tcase_create("output");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_json_writer_empty);
	tcase_add_test(tc, test_json_writer_fields);
	tcase_add_test(tc, test_json_writer_null_skipped);
	tcase_add_test(tc, test_json_writer_int_range);
	tcase_add_test(tc, test_json_writer_bool);
	tcase_add_test(tc, test_json_writer_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("escape");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_json_writer_escape);
	tcase_add_test(tc, test_json_writer_key_escape);
	tcase_add_test(tc, test_json_writer_secret_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_json_writer_nul_refused);
	tcase_add_test(tc, test_json_writer_sticky);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(json_writer_suite());
}
