/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/prompt: the wire format of long tokens between pam_bearer's
 * prompts (pam/conv.c) and bearer-token askpass (helper/net/askpass.c).
 * The prompts are spelled out here, apart from prompt.h, so that a change
 * of the format fails a test.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "prompt.h"

static char buf[PB_PROMPT_BUFSZ];
static char tok[2600];

static void
setup(void)
{
	size_t i;

	memset(buf, 'x', sizeof(buf));
	/*
	 * A token with no '\' in it, its bytes telling their position, and
	 * starting like a JWS ("ey"), as a part must.
	 */
	for (i = 0; i < sizeof(tok); i++)
		tok[i] = (char)('a' + i % 26);
	tok[0] = 'e';
	tok[1] = 'y';
}

static void
teardown(void)
{
}

/* format, then parse --------------------------------------------------- */

static void
round_trip(size_t off, const char *want)
{
	size_t got = 12345;

	ck_assert_int_eq(pb_prompt_format(buf, sizeof(buf), off), PB_OK);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(pb_prompt_parse(buf, &got), PB_PROMPT_CONT);
	ck_assert_uint_eq(got, off);
}

START_TEST(test_prompt_round_trip)
{
	char want[96];

	round_trip(1, "Bearer token (continued at byte 1): ");
	round_trip(1000, "Bearer token (continued at byte 1000): ");
	round_trip(4000000000u,
	    "Bearer token (continued at byte 4000000000): ");
	(void)snprintf(want, sizeof(want),
	    "Bearer token (continued at byte %zu): ", (size_t)SIZE_MAX);
	round_trip(SIZE_MAX, want);
}
END_TEST

START_TEST(test_prompt_format_zero)
{
	size_t got = 7;

	/*
	 * The module asks from byte 0 only after answers of a lone '\',
	 * which askpass never sends; askpass does not take that prompt
	 * for the module's.
	 */
	ck_assert_int_eq(pb_prompt_format(buf, sizeof(buf), 0), PB_OK);
	ck_assert_str_eq(buf, "Bearer token (continued at byte 0): ");
	ck_assert_int_eq(pb_prompt_parse(buf, &got), PB_PROMPT_OTHER);
	ck_assert_uint_eq(got, 7);
}
END_TEST

START_TEST(test_prompt_format_small_buffer)
{
	char small[40];

	/* 36 bytes and the NUL fit; one fewer does not, and leaves "". */
	ck_assert_int_eq(pb_prompt_format(small, 37, 1), PB_OK);
	ck_assert_str_eq(small, "Bearer token (continued at byte 1): ");
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(pb_prompt_format(small, 36, 1), PB_ERR_TOOBIG);
	ck_assert_str_eq(small, "");
	/* The documented size holds the longest. */
	ck_assert_int_eq(pb_prompt_format(buf, sizeof(buf), SIZE_MAX), PB_OK);
}
END_TEST

START_TEST(test_prompt_parse_first)
{
	size_t got = 7;

	ck_assert_int_eq(pb_prompt_parse("Bearer token: ", &got),
	    PB_PROMPT_START);
	ck_assert_uint_eq(got, 0);
	ck_assert_str_eq(PB_PROMPT_FIRST, "Bearer token: ");
}
END_TEST

/* malformed prompts ---------------------------------------------------- */

START_TEST(test_prompt_parse_malformed)
{
	static const char *const bad[] = {
		"Bearer token (continued at byte 0): ",
		"Bearer token (continued at byte 00): ",
		"Bearer token (continued at byte 12",
		"Bearer token (continued at byte 12)",
		"Bearer token (continued at byte 12):",
		"Bearer token (continued at byte 12)  ",
		"Bearer token (continued at byte 12): x",
		"Bearer token (continued at byte ): ",
		"Bearer token (continued at byte ",
		"Bearer token (continued at byte +12): ",
		"Bearer token (continued at byte -12): ",
		"Bearer token (continued at byte  12): ",
		"Bearer token (continued at byte \t12): ",
		"Bearer token (continued at byte 12 ): ",
		"Bearer token (continued at byte 1 2): ",
		"Bearer token (continued at byte 0x12): ",
		"Bearer token (continued at byte 12.0): ",
		/* 2^64 and beyond */
		"Bearer token (continued at byte 18446744073709551616): ",
		"Bearer token (continued at byte 99999999999999999999999): ",
		"bearer token (continued at byte 12): ",
		" Bearer token (continued at byte 12): ",
		"Bearer token (continued at offset 12): ",
		"Bearer token:",
		"Bearer token: x",
		"Bearer token:  ",
		"Password: ",
		"(user@host) Bearer token: ",
		"",
	};
	size_t i, got;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = 7;
		ck_assert_msg(pb_prompt_parse(bad[i], &got) ==
		    PB_PROMPT_OTHER, "accepted \"%s\"", bad[i]);
		ck_assert_msg(got == 7, "\"%s\" set the offset", bad[i]);
	}
}
END_TEST

START_TEST(test_prompt_parse_leading_zeros)
{
	size_t got = 0;

	/* As askpass always took it: the number, whatever its spelling. */
	ck_assert_int_eq(pb_prompt_parse(
	    "Bearer token (continued at byte 007): ", &got), PB_PROMPT_CONT);
	ck_assert_uint_eq(got, 7);
}
END_TEST

/* the parts ------------------------------------------------------------ */

/*
 * askpass's answers to the module's prompts for a len-byte token, each
 * stripped and joined as the module does: the token again, in the parts
 * the rule says, the last without a mark.
 */
static void
parts_of(size_t len, size_t nparts)
{
	char joined[sizeof(tok)], ans[PB_PROMPT_PART + 2];
	size_t off = 0, n, alen, k = 0;
	int more, mmore;

	do {
		n = pb_prompt_part(len, off, &more);
		ck_assert_uint_ge(n, 1);
		ck_assert_uint_le(n, PB_PROMPT_PART);
		ck_assert_int_eq(more, off + n < len);
		memcpy(ans, tok + off, n);
		alen = n;
		if (more)
			ans[alen++] = PB_PROMPT_MORE;
		mmore = pb_prompt_strip(ans, &alen, off == 0);
		ck_assert_int_eq(mmore, more);
		ck_assert_uint_eq(alen, n);
		memcpy(joined + off, ans, alen);
		off += alen;
		k++;
	} while (more);
	ck_assert_uint_eq(off, len);
	ck_assert_uint_eq(k, nparts);
	ck_assert(memcmp(joined, tok, len) == 0);
}

START_TEST(test_prompt_part_split)
{
	int more = 7;

	/* 500 bytes a part: sudo drops answers of 512 bytes or more. */
	ck_assert_uint_eq(PB_PROMPT_PART, 500);
	parts_of(1, 1);
	parts_of(499, 1);
	parts_of(500, 1);
	parts_of(501, 2);
	parts_of(1000, 2);
	parts_of(1001, 3);
	parts_of(2600, 6);
	/* Nothing from or after the end. */
	ck_assert_uint_eq(pb_prompt_part(10, 10, &more), 0);
	ck_assert_int_eq(more, 0);
	more = 7;
	ck_assert_uint_eq(pb_prompt_part(10, 11, &more), 0);
	ck_assert_int_eq(more, 0);
	/* The last part of 2600 bytes: 100, no mark. */
	ck_assert_uint_eq(pb_prompt_part(2600, 2500, &more), 100);
	ck_assert_int_eq(more, 0);
	ck_assert_uint_eq(pb_prompt_part(2600, 1000, &more), 500);
	ck_assert_int_eq(more, 1);
}
END_TEST

START_TEST(test_prompt_strip)
{
	size_t len;

	/* A first part starts "ey"; later ones are base64url and dots. */
	len = 7;
	ck_assert_int_eq(pb_prompt_strip("eyJ.a_\\", &len, 1), 1);
	ck_assert_uint_eq(len, 6);
	len = 4;
	ck_assert_int_eq(pb_prompt_strip("abc\\", &len, 0), 1);
	ck_assert_uint_eq(len, 3);
	len = 3;
	ck_assert_int_eq(pb_prompt_strip("eyJ", &len, 1), 0);
	ck_assert_uint_eq(len, 3);
	len = 0;
	ck_assert_int_eq(pb_prompt_strip("", &len, 1), 0);
	ck_assert_uint_eq(len, 0);
	/* Only the last byte counts. */
	len = 5;
	ck_assert_int_eq(pb_prompt_strip("eya\\b", &len, 1), 0);
	ck_assert_uint_eq(len, 5);
	/*
	 * A password that ends in '\' is whole, its '\' kept: not a JWS's
	 * start, or a byte no JWS has.
	 */
	len = 8;
	ck_assert_int_eq(pb_prompt_strip("hunter2\\", &len, 1), 0);
	ck_assert_uint_eq(len, 8);
	len = 6;
	ck_assert_int_eq(pb_prompt_strip("ey x2\\", &len, 1), 0);
	ck_assert_uint_eq(len, 6);
	len = 2;
	ck_assert_int_eq(pb_prompt_strip("e\\", &len, 1), 0);
	len = 3;
	ck_assert_int_eq(pb_prompt_strip("a\\\\", &len, 0), 0);
	ck_assert_uint_eq(len, 3);
	len = 1;
	ck_assert_int_eq(pb_prompt_strip("\\", &len, 1), 0);
	ck_assert_uint_eq(len, 1);
}
END_TEST

/* The proof prompt ----------------------------------------------------- */

/* 32 bytes of base64url: the last character's 2 low bits are zero. */
#define NONCE	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static char pbuf[PB_PROMPT_PROOF_BUFSZ];

START_TEST(test_prompt_proof_round_trip)
{
	char host[PB_PROOF_HOST_MAX + 1], nonce[PB_PROOF_NONCE_LEN + 1];
	char longhost[PB_PROOF_HOST_MAX + 1];
	size_t off = 7;

	ck_assert_uint_eq(strlen(NONCE), PB_PROOF_NONCE_LEN);
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    "b.example", NONCE, 0), PB_OK);
	ck_assert_str_eq(pbuf, "Bearer proof for b.example, nonce " NONCE
	    ": ");
	ck_assert_int_eq(pb_prompt_proof_parse(pbuf, host, sizeof(host),
	    nonce, &off), PB_OK);
	ck_assert_uint_eq(off, 0);
	ck_assert_str_eq(host, "b.example");
	ck_assert_str_eq(nonce, NONCE);
	/* The longest host fits the buffer the header promises. */
	memset(longhost, 'h', PB_PROOF_HOST_MAX);
	longhost[PB_PROOF_HOST_MAX] = '\0';
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    longhost, NONCE, 0), PB_OK);
	ck_assert_int_eq(pb_prompt_proof_parse(pbuf, host, sizeof(host),
	    nonce, &off), PB_OK);
	ck_assert_uint_eq(off, 0);
	ck_assert_str_eq(host, longhost);
	/* A host may hold what looks like the marks: the end anchors. */
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    "a,nonce:", NONCE, 0), PB_OK);
	ck_assert_int_eq(pb_prompt_proof_parse(pbuf, host, sizeof(host),
	    nonce, &off), PB_OK);
	ck_assert_uint_eq(off, 0);
	ck_assert_str_eq(host, "a,nonce:");
}
END_TEST

/* The proof's continuation prompts: the byte offset round-trips. */
START_TEST(test_prompt_proof_continued)
{
	char host[PB_PROOF_HOST_MAX + 1], nonce[PB_PROOF_NONCE_LEN + 1];
	char longhost[PB_PROOF_HOST_MAX + 1];
	size_t off = 0;

	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    "b.example", NONCE, 500), PB_OK);
	ck_assert_str_eq(pbuf, "Bearer proof for b.example, nonce " NONCE
	    " (continued at byte 500): ");
	ck_assert_int_eq(pb_prompt_proof_parse(pbuf, host, sizeof(host),
	    nonce, &off), PB_OK);
	ck_assert_str_eq(host, "b.example");
	ck_assert_str_eq(nonce, NONCE);
	ck_assert_uint_eq(off, 500);
	/* The longest host and offset fit the promised buffer. */
	memset(longhost, 'h', PB_PROOF_HOST_MAX);
	longhost[PB_PROOF_HOST_MAX] = '\0';
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    longhost, NONCE, SIZE_MAX), PB_OK);
	ck_assert_int_eq(pb_prompt_proof_parse(pbuf, host, sizeof(host),
	    nonce, &off), PB_OK);
	ck_assert_uint_eq(off, SIZE_MAX);
	ck_assert_str_eq(host, longhost);
	/* A host that looks like a continuation is still a host. */
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    "h(continued)", NONCE, 1), PB_OK);
	ck_assert_int_eq(pb_prompt_proof_parse(pbuf, host, sizeof(host),
	    nonce, &off), PB_OK);
	ck_assert_str_eq(host, "h(continued)");
	ck_assert_uint_eq(off, 1);
	/* Too small a buffer for the continuation. */
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, 60, "b.example", NONCE,
	    500), PB_ERR_TOOBIG);
	ck_assert_str_eq(pbuf, "");
}
END_TEST

START_TEST(test_prompt_proof_format_refuses)
{
	char longhost[PB_PROOF_HOST_MAX + 2];

	memset(longhost, 'h', PB_PROOF_HOST_MAX + 1);
	longhost[PB_PROOF_HOST_MAX + 1] = '\0';
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf), "",
	    NONCE, 0), PB_ERR_FORMAT);
	ck_assert_str_eq(pbuf, "");
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    "a b", NONCE, 0), PB_ERR_FORMAT);
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    "a\nb", NONCE, 0), PB_ERR_FORMAT);
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf),
	    longhost, NONCE, 0), PB_ERR_FORMAT);
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf), "h",
	    "short", 0), PB_ERR_FORMAT);
	/* Not the one encoding of 32 bytes: low bits set. */
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf), "h",
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", 0),
	    PB_ERR_FORMAT);
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, sizeof(pbuf), "h",
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+", 0),
	    PB_ERR_FORMAT);
	ck_assert_int_eq(pb_prompt_proof_format(pbuf, 20, "h", NONCE, 0),
	    PB_ERR_TOOBIG);
	ck_assert_str_eq(pbuf, "");
}
END_TEST

/* p must not parse; host and nonce are then empty. */
static void
proof_bad(const char *p, int want)
{
	char host[64], nonce[PB_PROOF_NONCE_LEN + 1];

	size_t off = 7;

	memset(host, 'x', sizeof(host));
	memset(nonce, 'x', sizeof(nonce));
	ck_assert_msg(pb_prompt_proof_parse(p, host, sizeof(host), nonce,
	    &off) == want, "%s", p);
	ck_assert_str_eq(host, "");
	ck_assert_str_eq(nonce, "");
	ck_assert_uint_eq(off, 0);
}

START_TEST(test_prompt_proof_parse_malformed)
{
	proof_bad("", PB_ERR_FORMAT);
	proof_bad("Bearer token: ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE ":", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE ": x", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE ":  ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE "A: ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce A" NONCE ": ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h,nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, Nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for , nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for  h, nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for a b, nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h\t, nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad("bearer proof for h, nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad(" Bearer proof for h, nonce " NONCE ": ", PB_ERR_FORMAT);
	proof_bad("(u@h) Bearer proof for h, nonce " NONCE ": ",
	    PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce "
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9: ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce "
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=: ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce "
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH/8: ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for \xc3\xa9, nonce " NONCE ": ",
	    PB_ERR_FORMAT);
	/* Continuations: byte 1 or more, digits only, nothing around. */
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "0): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "-1): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "+1): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    " 1): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "99999999999999999999999): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "5) ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "5):", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE "(continued at byte "
	    "5): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (Continued at byte "
	    "5): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h, nonce " NONCE " (continued at byte "
	    "5)(continued at byte 5): ", PB_ERR_FORMAT);
	proof_bad("Bearer proof for h (continued at byte 5), nonce " NONCE
	    ": ", PB_ERR_FORMAT);
	/* A host longer than the caller's buffer. */
	proof_bad("Bearer proof for "
	    "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
	    ", nonce " NONCE ": ", PB_ERR_TOOBIG);
}
END_TEST

static Suite *
prompt_suite(void)
{
	Suite *s = suite_create("prompt");
	TCase *t = tcase_create("prompt");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_prompt_round_trip);
	tcase_add_test(t, test_prompt_format_zero);
	tcase_add_test(t, test_prompt_format_small_buffer);
	tcase_add_test(t, test_prompt_parse_first);
	tcase_add_test(t, test_prompt_parse_malformed);
	tcase_add_test(t, test_prompt_parse_leading_zeros);
	tcase_add_test(t, test_prompt_part_split);
	tcase_add_test(t, test_prompt_strip);
	tcase_add_test(t, test_prompt_proof_round_trip);
	tcase_add_test(t, test_prompt_proof_continued);
	tcase_add_test(t, test_prompt_proof_format_refuses);
	tcase_add_test(t, test_prompt_proof_parse_malformed);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return tu_run(prompt_suite());
}
