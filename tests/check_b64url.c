/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/b64url: strict base64url (RFC 4648 section 5, RFC 7515 section 2).
 * Every byte string must have exactly one accepted encoding.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/rand.h>

#include "checkmain.h"
#include "b64url.h"
#include "err.h"
#include "testutil.h"

#define BIG	1024

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Decode the C string s (no limit to speak of); returns the code. */
static int
dec(const char *s, uint8_t **out, size_t *outlen)
{
	return pb_b64url_decode(s, strlen(s), BIG, out, outlen);
}

/* Decoding s must fail with code want and leave the outputs empty. */
static void
reject(const char *s, size_t len, int want)
{
	static uint8_t sentinel[1];
	uint8_t *out = sentinel;
	size_t outlen = 99;
	int r;

	r = pb_b64url_decode(s, len, BIG, &out, &outlen);
	ck_assert_msg(r == want, "decoding '%s' (%zu): got %d, want %d", s,
	    len, r, want);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(outlen, 0);
}

static void
accept(const char *s, const void *want, size_t wantlen)
{
	uint8_t *out = NULL;
	size_t outlen = 0;
	int r;

	r = dec(s, &out, &outlen);
	ck_assert_msg(r == PB_OK, "decoding '%s': %d", s, r);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(outlen, wantlen);
	if (wantlen > 0)
		ck_assert_mem_eq(out, want, wantlen);
	ck_assert_uint_eq(out[outlen], 0);
	free(out);
}

/* RFC 4648 section 10, in the URL alphabet without padding. */
static const struct {
	const char	*raw;
	const char	*enc;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

START_TEST(test_b64url_encode_rfc4648)
{
	char *out = NULL;
	size_t i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		ck_assert_int_eq(pb_b64url_encode(
		    (const uint8_t *)rfc4648[i].raw, strlen(rfc4648[i].raw),
		    &out), PB_OK);
		ck_assert_str_eq(out, rfc4648[i].enc);
		ck_assert_uint_eq(pb_b64url_enclen(strlen(rfc4648[i].raw)),
		    strlen(rfc4648[i].enc));
		free(out);
	}
}
END_TEST

START_TEST(test_b64url_decode_rfc4648)
{
	size_t i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++)
		accept(rfc4648[i].enc, rfc4648[i].raw, strlen(rfc4648[i].raw));
}
END_TEST

/* The two characters where base64url differs from base64: - and _. */
START_TEST(test_b64url_url_alphabet)
{
	static const uint8_t raw[] = { 0xfb, 0xff, 0xbf, 0xfb, 0xef };
	char *out = NULL;

	ck_assert_int_eq(pb_b64url_encode(raw, sizeof(raw), &out), PB_OK);
	ck_assert_str_eq(out, "-_-_--8");
	free(out);
	accept("-_-_--8", raw, sizeof(raw));
	/* The standard alphabet's + and / are not base64url. */
	reject("+/+/", 4, PB_ERR_FORMAT);
	reject("-_-+", 4, PB_ERR_FORMAT);
	reject("-_-/", 4, PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_b64url_declen)
{
	size_t n;

	for (n = 0; n <= 64; n++)
		ck_assert_uint_eq(pb_b64url_declen(pb_b64url_enclen(n)), n);
	ck_assert_uint_eq(pb_b64url_enclen(0), 0);
	ck_assert_uint_eq(pb_b64url_enclen(1), 2);
	ck_assert_uint_eq(pb_b64url_enclen(2), 3);
	ck_assert_uint_eq(pb_b64url_enclen(3), 4);
}
END_TEST

START_TEST(test_b64url_empty)
{
	uint8_t *out = NULL;
	size_t outlen = 99;

	ck_assert_int_eq(pb_b64url_decode("", 0, 0, &out, &outlen), PB_OK);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(outlen, 0);
	ck_assert_uint_eq(out[0], 0);
	free(out);
}
END_TEST

/* Round trips over every length 0..64, compared with testutil's encoder. */
START_TEST(test_b64url_roundtrip)
{
	uint8_t raw[64], *back = NULL;
	char *enc = NULL, *ref;
	size_t len, backlen = 0;
	int rep;

	for (rep = 0; rep < 4; rep++) {
		for (len = 0; len <= sizeof(raw); len++) {
			ck_assert_int_eq(RAND_bytes(raw, (int)sizeof(raw)), 1);
			if (rep == 1)
				memset(raw, 0, len);
			if (rep == 2)
				memset(raw, 0xff, len);
			ck_assert_int_eq(pb_b64url_encode(raw, len, &enc),
			    PB_OK);
			ref = tu_b64url(raw, len);
			ck_assert_str_eq(enc, ref);
			ck_assert_uint_eq(strlen(enc), pb_b64url_enclen(len));
			ck_assert_int_eq(pb_b64url_decode(enc, strlen(enc),
			    strlen(enc), &back, &backlen), PB_OK);
			ck_assert_uint_eq(backlen, len);
			if (len > 0)
				ck_assert_mem_eq(back, raw, len);
			free(back);
			free(enc);
			free(ref);
		}
	}
}
END_TEST

START_TEST(test_b64url_padding)
{
	reject("Zg==", 4, PB_ERR_FORMAT);
	reject("Zg=", 3, PB_ERR_FORMAT);
	reject("Zm8=", 4, PB_ERR_FORMAT);
	reject("Zm9vYg==", 8, PB_ERR_FORMAT);
	reject("Zm9v====", 8, PB_ERR_FORMAT);
	reject("====", 4, PB_ERR_FORMAT);
	reject("Zm=v", 4, PB_ERR_FORMAT);
	reject("=Zm9", 4, PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_b64url_whitespace)
{
	reject("Zm9v Yg", 7, PB_ERR_FORMAT);
	reject(" Zm9v", 5, PB_ERR_FORMAT);
	reject("Zm9v ", 5, PB_ERR_FORMAT);
	reject("Zm9v\n", 5, PB_ERR_FORMAT);
	reject("Zm9v\r\nYg", 8, PB_ERR_FORMAT);
	reject("\tZm9v", 5, PB_ERR_FORMAT);
	reject("Zm\v9v", 5, PB_ERR_FORMAT);
	reject("Zm\f9v", 5, PB_ERR_FORMAT);
}
END_TEST

/*
 * Every byte value in every position of a 4-character group: accepted
 * exactly when it is in the alphabet (the last position also needs zero
 * low bits, which a full group has none of).
 */
START_TEST(test_b64url_bad_chars)
{
	char s[5];
	uint8_t *out = NULL;
	size_t outlen, pos;
	int c, r;

	for (pos = 0; pos < 4; pos++) {
		for (c = 0; c < 256; c++) {
			memcpy(s, "QUJD", 5);
			s[pos] = (char)c;
			r = pb_b64url_decode(s, 4, BIG, &out, &outlen);
			if (c != 0 && strchr(alphabet, c) != NULL) {
				ck_assert_msg(r == PB_OK, "char 0x%02x", c);
				free(out);
			} else {
				ck_assert_msg(r == PB_ERR_FORMAT,
				    "char 0x%02x at %zu accepted", c, pos);
				ck_assert_ptr_null(out);
			}
		}
	}
}
END_TEST

/* Named classes, for readable failures. */
START_TEST(test_b64url_bad_char_classes)
{
	reject("Zm9v.Yg", 7, PB_ERR_FORMAT);	/* JWS separator */
	reject("Zm\0v", 4, PB_ERR_FORMAT);	/* NUL inside the length */
	reject("Zm9\x80", 4, PB_ERR_FORMAT);	/* high bit */
	reject("Zm9\xff", 4, PB_ERR_FORMAT);
	reject("Zm9\xc3\xa9", 5, PB_ERR_FORMAT);	/* UTF-8 letter */
	reject("Zm9!", 4, PB_ERR_FORMAT);
	reject("Zm9~", 4, PB_ERR_FORMAT);
	reject("Zm9\"", 4, PB_ERR_FORMAT);
	reject("Zm9%", 4, PB_ERR_FORMAT);	/* URL-escaped input */
	reject("Zm9\x7f", 4, PB_ERR_FORMAT);
	reject("Zm9\x01", 4, PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_b64url_len_1mod4)
{
	reject("Z", 1, PB_ERR_FORMAT);
	reject("A", 1, PB_ERR_FORMAT);
	reject("Zm9vY", 5, PB_ERR_FORMAT);
	reject("Zm9vYmFyA", 9, PB_ERR_FORMAT);
	reject("AAAAAAAAA", 9, PB_ERR_FORMAT);
}
END_TEST

/*
 * RFC 4648 3.5: the unused low bits of the last character must be zero.
 * Two-character tails carry 4 unused bits, three-character tails 2; check
 * every last character against the rule.
 */
START_TEST(test_b64url_trailing_bits_2)
{
	char s[7];
	uint8_t *out = NULL;
	size_t outlen, i;
	int r;

	for (i = 0; i < 64; i++) {
		memcpy(s, "Zm9vZ", 5);
		s[5] = alphabet[i];
		s[6] = '\0';
		r = pb_b64url_decode(s, 6, BIG, &out, &outlen);
		if ((i & 0x0f) == 0) {
			ck_assert_msg(r == PB_OK, "%s", s);
			ck_assert_uint_eq(outlen, 4);
			free(out);
		} else {
			ck_assert_msg(r == PB_ERR_FORMAT, "%s accepted", s);
			ck_assert_ptr_null(out);
		}
	}
	reject("Zh", 2, PB_ERR_FORMAT);
	reject("Z_", 2, PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_b64url_trailing_bits_3)
{
	char s[4];
	uint8_t *out = NULL;
	size_t outlen, i;
	int r;

	for (i = 0; i < 64; i++) {
		memcpy(s, "Zm", 2);
		s[2] = alphabet[i];
		s[3] = '\0';
		r = pb_b64url_decode(s, 3, BIG, &out, &outlen);
		if ((i & 0x03) == 0) {
			ck_assert_msg(r == PB_OK, "%s", s);
			ck_assert_uint_eq(outlen, 2);
			free(out);
		} else {
			ck_assert_msg(r == PB_ERR_FORMAT, "%s accepted", s);
			ck_assert_ptr_null(out);
		}
	}
	reject("Zm9", 3, PB_ERR_FORMAT);
	reject("Zm9vYm_", 7, PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_b64url_maxlen)
{
	uint8_t *out = NULL;
	size_t outlen = 0;

	/* At the limit: fine. */
	ck_assert_int_eq(pb_b64url_decode("Zm9vYmFy", 8, 8, &out, &outlen),
	    PB_OK);
	ck_assert_uint_eq(outlen, 6);
	free(out);
	out = NULL;
	/* One over: TOOBIG, even though the text is valid. */
	outlen = 7;
	ck_assert_int_eq(pb_b64url_decode("Zm9vYmFy", 8, 7, &out, &outlen),
	    PB_ERR_TOOBIG);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(outlen, 0);
	ck_assert_int_eq(pb_b64url_decode("Zg", 2, 0, &out, &outlen),
	    PB_ERR_TOOBIG);
	ck_assert_ptr_null(out);
	/* The limit is on input characters, before any other check. */
	ck_assert_int_eq(pb_b64url_decode("Zg==", 4, 3, &out, &outlen),
	    PB_ERR_TOOBIG);
	ck_assert_ptr_null(out);
}
END_TEST

/* Only inlen characters are read: a valid prefix of a longer buffer. */
START_TEST(test_b64url_length_bound)
{
	uint8_t *out = NULL;
	size_t outlen = 0;

	ck_assert_int_eq(pb_b64url_decode("Zm9v!!!!", 4, BIG, &out,
	    &outlen), PB_OK);
	ck_assert_uint_eq(outlen, 3);
	ck_assert_mem_eq(out, "foo", 3);
	free(out);
}
END_TEST

static Suite *
b64url_suite(void)
{
	Suite *s = suite_create("b64url");
	TCase *tc;

	tc = tcase_create("encode");
	tcase_add_test(tc, test_b64url_encode_rfc4648);
	tcase_add_test(tc, test_b64url_url_alphabet);
	tcase_add_test(tc, test_b64url_declen);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_test(tc, test_b64url_decode_rfc4648);
	tcase_add_test(tc, test_b64url_empty);
	tcase_add_test(tc, test_b64url_length_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_test(tc, test_b64url_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("padding");
	tcase_add_test(tc, test_b64url_padding);
	suite_add_tcase(s, tc);

	tc = tcase_create("whitespace");
	tcase_add_test(tc, test_b64url_whitespace);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_chars");
	tcase_add_test(tc, test_b64url_bad_chars);
	tcase_add_test(tc, test_b64url_bad_char_classes);
	suite_add_tcase(s, tc);

	tc = tcase_create("length");
	tcase_add_test(tc, test_b64url_len_1mod4);
	suite_add_tcase(s, tc);

	tc = tcase_create("trailing_bits");
	tcase_add_test(tc, test_b64url_trailing_bits_2);
	tcase_add_test(tc, test_b64url_trailing_bits_3);
	suite_add_tcase(s, tc);

	tc = tcase_create("maxlen");
	tcase_add_test(tc, test_b64url_maxlen);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(b64url_suite());
}
