/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/sbuf: the growing buffer that wipes what it outgrows.  Growth
 * across many sizes and chunkings, the hard max (exactly, and one past),
 * the sticky error, take and clear.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "sbuf.h"
#include "secmem.h"

#define MAX	100000

static struct pb_sbuf b;
static struct pb_secret out;

static void
setup(void)
{
	pb_sbuf_init(&b, MAX);
	out.p = NULL;
	out.len = 0;
}

static void
teardown(void)
{
	pb_sbuf_clear(&b);
	pb_secret_clear(&out);
}

/* The byte at offset i of the test pattern. */
static char
pat(size_t i)
{
	return (char)('a' + i % 26);
}

/* Check b holds exactly the first len pattern bytes and a NUL. */
static void
assert_pattern(size_t len)
{
	size_t i;

	ck_assert_int_eq(b.err, PB_OK);
	ck_assert_uint_eq(b.len, len);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_uint_ge(b.cap, len + 1);
	ck_assert_uint_le(b.cap, b.max + 1);
	/* One assertion, not one per byte: each is a write to Check's pipe. */
	for (i = 0; i < len && b.p[i] == pat(i); i++)
		continue;
	ck_assert_msg(i == len, "byte %zu of %zu", i, len);
	ck_assert_int_eq(b.p[len], '\0');
}

/* Fill b with len pattern bytes, chunk bytes per put. */
static void
fill(size_t len, size_t chunk)
{
	char buf[512];
	size_t i, n;

	ck_assert_uint_le(chunk, sizeof(buf));
	while (b.len < len) {
		n = len - b.len < chunk ? len - b.len : chunk;
		for (i = 0; i < n; i++)
			buf[i] = pat(b.len + i);
		if (pb_sbuf_put(&b, buf, n) != PB_OK)
			ck_abort_msg("put of %zu at %zu failed", n, b.len);
	}
}

START_TEST(test_sbuf_empty)
{
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(b.err, PB_OK);
	ck_assert_ptr_null(pb_sbuf_tail(&b));
	pb_sbuf_advance(&b, 0);
	ck_assert_int_eq(b.err, PB_OK);
	/* After an empty put p is an empty string. */
	ck_assert_int_eq(pb_sbuf_put(&b, NULL, 0), PB_OK);
	ck_assert_int_eq(pb_sbuf_puts(&b, ""), PB_OK);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_str_eq(b.p, "");
	ck_assert_ptr_eq(pb_sbuf_tail(&b), b.p);
	ck_assert_int_eq(pb_sbuf_take(&b, &out), PB_OK);
	ck_assert_str_eq(out.p, "");
	pb_secret_clear(&out);
	/* Taking nothing at all gives "" too, never NULL. */
	ck_assert_ptr_null(b.p);
	ck_assert_int_eq(pb_sbuf_take(&b, &out), PB_OK);
	ck_assert_ptr_nonnull(out.p);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_str_eq(out.p, "");
}
END_TEST

START_TEST(test_sbuf_growth)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 63, 64, 65, 127, 128,
	    129, 500 };
	static const size_t sizes[] = { 1, 2, 63, 64, 65, 127, 128, 129, 255,
	    256, 1000, 4095, 4096, 4097, 65536, MAX - 1, MAX };
	size_t c, s;

	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			pb_sbuf_clear(&b);
			fill(sizes[s], chunks[c]);
			assert_pattern(sizes[s]);
		}
}
END_TEST

START_TEST(test_sbuf_every_size)
{
	size_t n;

	/* One byte at a time: every length up to a few blocks. */
	for (n = 0; n < 5000; n++) {
		fill(n + 1, 1);
		if (b.p[n] != pat(n) || b.p[n + 1] != '\0')
			ck_abort_msg("wrong bytes at %zu", n);
	}
	assert_pattern(5000);
}
END_TEST

START_TEST(test_sbuf_max_exact)
{
	pb_sbuf_init(&b, 1000);
	fill(1000, 300);
	assert_pattern(1000);
	ck_assert_uint_eq(b.cap, 1001);
	ck_assert_int_eq(pb_sbuf_reserve(&b, 0), PB_OK);
	ck_assert_int_eq(pb_sbuf_put(&b, "", 0), PB_OK);
	/* One byte more is too big, and sticky. */
	ck_assert_int_eq(pb_sbuf_put(&b, "x", 1), PB_ERR_TOOBIG);
	ck_assert_int_eq(b.err, PB_ERR_TOOBIG);
	ck_assert_uint_eq(b.len, 1000);
}
END_TEST

START_TEST(test_sbuf_max_plus_one)
{
	char big[1001];

	memset(big, 'q', sizeof(big));
	pb_sbuf_init(&b, 1000);
	/* max + 1 in one put: nothing appended at all. */
	ck_assert_int_eq(pb_sbuf_put(&b, big, sizeof(big)), PB_ERR_TOOBIG);
	ck_assert_uint_eq(b.len, 0);
	pb_sbuf_clear(&b);
	ck_assert_int_eq(b.err, PB_OK);
	ck_assert_uint_eq(b.max, 1000);
	ck_assert_int_eq(pb_sbuf_put(&b, big, 1000), PB_OK);
	ck_assert_uint_eq(b.len, 1000);
	/* Reserving past max fails the same way, with no overflow. */
	pb_sbuf_clear(&b);
	ck_assert_int_eq(pb_sbuf_reserve(&b, SIZE_MAX), PB_ERR_TOOBIG);
	pb_sbuf_clear(&b);
	ck_assert_int_eq(pb_sbuf_reserve(&b, 1001), PB_ERR_TOOBIG);
	pb_sbuf_clear(&b);
	ck_assert_int_eq(pb_sbuf_reserve(&b, 1000), PB_OK);
	/* max 0 holds nothing. */
	pb_sbuf_clear(&b);
	pb_sbuf_init(&b, 0);
	ck_assert_int_eq(pb_sbuf_puts(&b, "x"), PB_ERR_TOOBIG);
	/* A huge max is cut so that len + 1 cannot overflow. */
	pb_sbuf_init(&b, SIZE_MAX);
	ck_assert_uint_eq(b.max, SIZE_MAX / 2);
}
END_TEST

START_TEST(test_sbuf_sticky)
{
	char big[20];

	memset(big, 'q', sizeof(big));
	pb_sbuf_init(&b, 10);
	ck_assert_int_eq(pb_sbuf_puts(&b, "abc"), PB_OK);
	ck_assert_int_eq(pb_sbuf_put(&b, big, sizeof(big)), PB_ERR_TOOBIG);
	/* Every later call fails and changes nothing, small ones too. */
	ck_assert_int_eq(pb_sbuf_puts(&b, "d"), PB_ERR_TOOBIG);
	ck_assert_int_eq(pb_sbuf_put(&b, "", 0), PB_ERR_TOOBIG);
	ck_assert_int_eq(pb_sbuf_reserve(&b, 0), PB_ERR_TOOBIG);
	ck_assert_ptr_null(pb_sbuf_tail(&b));
	pb_sbuf_advance(&b, 1);
	ck_assert_int_eq(b.err, PB_ERR_TOOBIG);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_str_eq(b.p, "abc");
}
END_TEST

START_TEST(test_sbuf_take)
{
	ck_assert_int_eq(pb_sbuf_puts(&b, "secret"), PB_OK);
	ck_assert_int_eq(pb_sbuf_put(&b, "\0x", 2), PB_OK);
	ck_assert_int_eq(pb_sbuf_take(&b, &out), PB_OK);
	ck_assert_uint_eq(out.len, 8);
	ck_assert_mem_eq(out.p, "secret\0x", 9);
	/* b is empty and reusable, same max. */
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.max, MAX);
	ck_assert_int_eq(pb_sbuf_puts(&b, "two"), PB_OK);
	pb_secret_clear(&out);
	ck_assert_int_eq(pb_sbuf_take(&b, &out), PB_OK);
	ck_assert_str_eq(out.p, "two");
}
END_TEST

START_TEST(test_sbuf_take_error)
{
	char c = 'x';

	pb_sbuf_init(&b, 4);
	ck_assert_int_eq(pb_sbuf_puts(&b, "abc"), PB_OK);
	ck_assert_int_eq(pb_sbuf_puts(&b, "de"), PB_ERR_TOOBIG);
	/* *out is emptied even when it held something. */
	out.p = &c;
	out.len = 1;
	ck_assert_int_eq(pb_sbuf_take(&b, &out), PB_ERR_TOOBIG);
	ck_assert_ptr_null(out.p);
	ck_assert_uint_eq(out.len, 0);
	/* The bytes are gone and the buffer starts over. */
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(b.err, PB_OK);
	ck_assert_int_eq(pb_sbuf_puts(&b, "ok"), PB_OK);
}
END_TEST

START_TEST(test_sbuf_tail)
{
	char *t;

	ck_assert_int_eq(pb_sbuf_puts(&b, "ab"), PB_OK);
	ck_assert_int_eq(pb_sbuf_reserve(&b, 200), PB_OK);
	ck_assert_uint_ge(b.cap, 203);
	t = pb_sbuf_tail(&b);
	ck_assert_ptr_eq(t, b.p + 2);
	memset(t, 'z', 200);
	pb_sbuf_advance(&b, 3);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_str_eq(b.p, "abzzz");
	/* Room for 197 more is left of what was reserved: 197 is fine. */
	ck_assert_int_eq(pb_sbuf_reserve(&b, 197), PB_OK);
	pb_sbuf_advance(&b, 0);
	ck_assert_int_eq(b.err, PB_OK);
	/* Past the room reserved: a bug, sticky, len kept. */
	pb_sbuf_advance(&b, b.cap - b.len);
	ck_assert_int_eq(b.err, PB_ERR_INTERNAL);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_int_eq(pb_sbuf_take(&b, &out), PB_ERR_INTERNAL);
}
END_TEST

START_TEST(test_sbuf_tail_fresh)
{
	/* Advancing with nothing reserved is a bug too. */
	pb_sbuf_advance(&b, 1);
	ck_assert_int_eq(b.err, PB_ERR_INTERNAL);
}
END_TEST

START_TEST(test_sbuf_clear)
{
	struct pb_sbuf z;

	/* NULL, a zeroed struct, twice: all safe. */
	pb_sbuf_clear(NULL);
	memset(&z, 0, sizeof(z));
	pb_sbuf_clear(&z);
	pb_sbuf_clear(&z);
	ck_assert_ptr_null(z.p);
	/* A zeroed struct is an empty buffer of max 0. */
	ck_assert_int_eq(pb_sbuf_puts(&z, "x"), PB_ERR_TOOBIG);
	pb_sbuf_clear(&z);
	ck_assert_int_eq(z.err, PB_OK);
	ck_assert_int_eq(pb_sbuf_puts(&b, "abc"), PB_OK);
	pb_sbuf_clear(&b);
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.max, MAX);
	pb_sbuf_clear(&b);
}
END_TEST

static Suite *
sbuf_suite(void)
{
	Suite *s = suite_create("sbuf");
	TCase *tc;

	tc = tcase_create("grow");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sbuf_empty);
	tcase_add_test(tc, test_sbuf_growth);
	tcase_add_test(tc, test_sbuf_every_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("max");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sbuf_max_exact);
	tcase_add_test(tc, test_sbuf_max_plus_one);
	tcase_add_test(tc, test_sbuf_sticky);
	suite_add_tcase(s, tc);

	tc = tcase_create("take");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sbuf_take);
	tcase_add_test(tc, test_sbuf_take_error);
	tcase_add_test(tc, test_sbuf_tail);
	tcase_add_test(tc, test_sbuf_tail_fresh);
	tcase_add_test(tc, test_sbuf_clear);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(sbuf_suite());
}
