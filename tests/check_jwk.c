/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/jwk: JWK and JWK Set loading with key validation (DESIGN.md
 * "Loading the JWKS"), the algorithm table, and key selection by kid.
 * JWKs are made from keys of tests/mkvectors.sh by testutil, with OpenSSL
 * directly, then edited member by member for the negative cases.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "checkmain.h"
#include "conf.h"
#include "err.h"
#include "jwk.h"
#include "jwt.h"
#include "testutil.h"

/* Skip messages collected from pb_jwks_parse(). */
#define MAXSKIP	16
struct skips {
	int	n;
	char	msg[MAXSKIP][PB_ERR_MSG_MAX * 2];
};

static void
collect(void *ctx, const char *msg)
{
	struct skips *sk = ctx;

	if (sk->n < MAXSKIP)
		(void)snprintf(sk->msg[sk->n], sizeof(sk->msg[0]), "%s", msg);
	sk->n++;
}

/* Whether any skip message contains s. */
static int
skipped_with(const struct skips *sk, const char *s)
{
	int i;

	for (i = 0; i < sk->n && i < MAXSKIP; i++)
		if (strstr(sk->msg[i], s) != NULL)
			return 1;
	return 0;
}

/* The public JWK of a test key ($PB_TESTDATA/<name>.pem). */
static char *
jwk_of(const char *name, const char *kid, const char *alg, const char *use)
{
	EVP_PKEY *k = tu_load_key(name);
	char *s = tu_jwk(k, kid, alg, use);

	EVP_PKEY_free(k);
	return s;
}

/* Replace text with tu_json_set...(text, ...), freeing the old text. */
static char *
edit(char *text, const char *name, const char *raw)
{
	char *s = tu_json_set(text, name, raw);

	free(text);
	return s;
}

static char *
edit_str(char *text, const char *name, const char *value)
{
	char *s = tu_json_set_str(text, name, value);

	free(text);
	return s;
}

static char *
edit_b64(char *text, const char *name, const void *p, size_t len)
{
	char *s = tu_json_set_b64(text, name, p, len);

	free(text);
	return s;
}

/* pb_jwk_from_json() of JWK text (parsed with cJSON, not our parser). */
static int
from_text(const char *text, unsigned flags, struct pb_jwk **out,
    struct pb_err *e)
{
	cJSON *j;
	int r;

	if ((j = cJSON_Parse(text)) == NULL)
		tu_die("test JWK is not JSON: %s", text);
	pb_err_clear(e);
	r = pb_jwk_from_json(j, flags, out, e);
	cJSON_Delete(j);
	return r;
}

/* The JWK text must load. */
static struct pb_jwk *
must_load(const char *text, unsigned flags)
{
	struct pb_jwk *k = NULL;
	struct pb_err e;
	int r;

	r = from_text(text, flags, &k, &e);
	ck_assert_msg(r == PB_OK, "%s: %d %s", text, r, pb_err_msg(&e));
	ck_assert_ptr_nonnull(k);
	return k;
}

/* The JWK text must be refused with PB_ERR_KEY and say why (need). */
static void
must_refuse(char *text, unsigned flags, const char *need)
{
	struct pb_jwk *k = (struct pb_jwk *)&k;
	struct pb_err e;
	int r;

	r = from_text(text, flags, &k, &e);
	ck_assert_msg(r == PB_ERR_KEY, "accepted or wrong code %d: %s", r,
	    text);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(e.code, PB_ERR_KEY);
	ck_assert_msg(e.msg[0] != '\0', "no reason given for %s", text);
	if (need != NULL)
		ck_assert_msg(strstr(e.msg, need) != NULL,
		    "message '%s' lacks '%s'", e.msg, need);
	free(text);
}

/* Parse a set; returns the code, *setp the set. */
static int
parse_set(const char *text, unsigned flags, struct skips *sk,
    struct pb_jwks **setp, struct pb_err *e)
{
	if (sk != NULL)
		memset(sk, 0, sizeof(*sk));
	pb_err_clear(e);
	return pb_jwks_parse(text, strlen(text), flags, "test-set",
	    sk != NULL ? collect : NULL, sk, setp, e);
}

/* The algorithm table --------------------------------------------------- */

START_TEST(test_jwk_alg_table)
{
	static const char *const names[] = {
		"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "Ed25519",
		"HS256", "HS384", "HS512"
	};
	const struct pb_alg *a;
	unsigned seen = 0;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		a = pb_alg_by_name(names[i]);
		ck_assert_msg(a != NULL, "%s missing", names[i]);
		ck_assert_str_eq(a->name, names[i]);
		ck_assert_msg((seen & a->bit) == 0, "%s bit reused", names[i]);
		seen |= a->bit;
	}
	for (i = 0; (a = pb_alg_at(i)) != NULL; i++)
		ck_assert_ptr_eq(pb_alg_by_name(a->name), a);
	ck_assert_uint_eq(i, sizeof(names) / sizeof(names[0]));
	ck_assert_int_eq(pb_alg_by_name("EdDSA")->family,
	    pb_alg_by_name("Ed25519")->family);
	ck_assert_int_ne(pb_alg_by_name("RS256")->family,
	    pb_alg_by_name("PS256")->family);
}
END_TEST

START_TEST(test_jwk_alg_unknown)
{
	ck_assert_ptr_null(pb_alg_by_name("none"));
	ck_assert_ptr_null(pb_alg_by_name("None"));
	ck_assert_ptr_null(pb_alg_by_name("NONE"));
	ck_assert_ptr_null(pb_alg_by_name("rs256"));	/* case-sensitive */
	ck_assert_ptr_null(pb_alg_by_name("RS256 "));
	ck_assert_ptr_null(pb_alg_by_name("RS1"));
	ck_assert_ptr_null(pb_alg_by_name("ES256K"));
	ck_assert_ptr_null(pb_alg_by_name("Ed448"));
	ck_assert_ptr_null(pb_alg_by_name("RSA-OAEP"));
	ck_assert_ptr_null(pb_alg_by_name(""));
	ck_assert_ptr_null(pb_alg_by_name(NULL));
}
END_TEST

START_TEST(test_jwk_alg_default_mask)
{
	unsigned m = pb_alg_default_mask();
	const struct pb_alg *a;
	size_t i;

	for (i = 0; (a = pb_alg_at(i)) != NULL; i++) {
		if (a->kty == PB_KTY_OCT)
			ck_assert_msg((m & a->bit) == 0, "%s on by default",
			    a->name);
		else
			ck_assert_msg((m & a->bit) != 0, "%s off by default",
			    a->name);
	}
}
END_TEST

/* Valid keys of each type ------------------------------------------------ */

START_TEST(test_jwk_valid_rsa)
{
	struct pb_jwk *k;
	char *s;

	s = jwk_of("rsa2048", "r1", "RS256", "sig");
	k = must_load(s, 0);
	ck_assert_int_eq(k->kty, PB_KTY_RSA);
	ck_assert_str_eq(k->kid, "r1");
	ck_assert_ptr_eq(k->alg, pb_alg_by_name("RS256"));
	ck_assert_ptr_nonnull(k->pkey);
	ck_assert_int_eq(EVP_PKEY_get_bits(k->pkey), 2048);
	pb_jwk_free(k);
	free(s);
	/* No kid, alg or use: all optional. */
	s = jwk_of("rsa3072", NULL, NULL, NULL);
	k = must_load(s, 0);
	ck_assert_ptr_null(k->kid);
	ck_assert_ptr_null(k->alg);
	ck_assert_int_eq(EVP_PKEY_get_bits(k->pkey), 3072);
	pb_jwk_free(k);
	free(s);
}
END_TEST

START_TEST(test_jwk_valid_ec)
{
	static const struct {
		const char	*name;
		int		 nid;
	} ec[] = {
		{ "ec256", NID_X9_62_prime256v1 },
		{ "ec384", NID_secp384r1 },
		{ "ec521", NID_secp521r1 },
	};
	struct pb_jwk *k;
	size_t i;
	char *s;

	for (i = 0; i < 3; i++) {
		s = jwk_of(ec[i].name, "e", NULL, "sig");
		k = must_load(s, 0);
		ck_assert_int_eq(k->kty, PB_KTY_EC);
		ck_assert_int_eq(k->curve, ec[i].nid);
		pb_jwk_free(k);
		free(s);
	}
}
END_TEST

START_TEST(test_jwk_valid_okp)
{
	struct pb_jwk *k;
	char *s;

	s = jwk_of("ed25519", "ed", "EdDSA", NULL);
	k = must_load(s, 0);
	ck_assert_int_eq(k->kty, PB_KTY_OKP);
	ck_assert_int_eq(k->curve, NID_ED25519);
	pb_jwk_free(k);
	free(s);
	/* RFC 9864's fully specified name works as the key's alg too. */
	s = jwk_of("ed25519", "ed", "Ed25519", NULL);
	k = must_load(s, 0);
	ck_assert_ptr_eq(k->alg, pb_alg_by_name("Ed25519"));
	pb_jwk_free(k);
	free(s);
}
END_TEST

/* Private members are ignored, never required or used. */
START_TEST(test_jwk_valid_private_members)
{
	struct pb_jwk *k;
	char *s;

	s = jwk_of("ec256", "e", NULL, NULL);
	s = edit_str(s, "d", "AAAA");
	k = must_load(s, 0);
	pb_jwk_free(k);
	free(s);
	s = jwk_of("rsa2048", "r", NULL, NULL);
	s = edit_str(s, "d", "AAAA");
	s = edit_str(s, "p", "AAAA");
	k = must_load(s, 0);
	pb_jwk_free(k);
	free(s);
}
END_TEST

START_TEST(test_jwk_valid_key_ops)
{
	struct pb_jwk *k;
	char *s;

	s = jwk_of("ec256", "e", NULL, NULL);
	s = edit(s, "key_ops", "[\"verify\"]");
	k = must_load(s, 0);
	ck_assert_int_eq(k->has_key_ops, 1);
	pb_jwk_free(k);
	s = edit(s, "key_ops", "[\"sign\",\"verify\"]");
	k = must_load(s, 0);
	pb_jwk_free(k);
	free(s);
}
END_TEST

/* RSA validation --------------------------------------------------------- */

START_TEST(test_jwk_rsa_1024)
{
	must_refuse(jwk_of("rsa1024", "small", "RS256", "sig"), 0, NULL);
}
END_TEST

START_TEST(test_jwk_rsa_exponent)
{
	static const uint8_t e1[] = { 1 }, e3[] = { 3 }, e17[] = { 17 };
	static const uint8_t even[] = { 1, 0, 0 };		/* 65536 */
	static const uint8_t even2[] = { 1, 0, 2 };		/* 65538 */
	static const uint8_t small[] = { 0x80, 0x01 };		/* 32769 */
	static const uint8_t zero[] = { 0 };
	char *base = jwk_of("rsa2048", "r", NULL, NULL);

	must_refuse(edit_b64(tu_strdup(base), "e", e1, 1), 0, NULL);
	must_refuse(edit_b64(tu_strdup(base), "e", e3, 1), 0, NULL);
	must_refuse(edit_b64(tu_strdup(base), "e", e17, 1), 0, NULL);
	must_refuse(edit_b64(tu_strdup(base), "e", even, 3), 0, NULL);
	must_refuse(edit_b64(tu_strdup(base), "e", even2, 3), 0, NULL);
	must_refuse(edit_b64(tu_strdup(base), "e", small, 2), 0, NULL);
	must_refuse(edit_b64(tu_strdup(base), "e", zero, 1), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "e", ""), 0, NULL);
	free(base);
}
END_TEST

/* The positive side of the exponent rule: odd and >= 65537. */
START_TEST(test_jwk_rsa_exponent_ok)
{
	static const uint8_t e65539[] = { 1, 0, 3 };
	struct pb_jwk *k;
	char *s;

	s = edit_b64(jwk_of("rsa2048", "r", NULL, NULL), "e", e65539, 3);
	k = must_load(s, 0);
	pb_jwk_free(k);
	free(s);
}
END_TEST

START_TEST(test_jwk_rsa_modulus)
{
	char *base = jwk_of("rsa2048", "r", NULL, NULL);
	uint8_t *n;
	size_t len;

	n = tu_json_get_b64(base, "n", &len);
	ck_assert_uint_eq(len, 256);
	/* Even modulus. */
	n[len - 1] &= 0xfe;
	must_refuse(edit_b64(tu_strdup(base), "n", n, len), 0, NULL);
	/* 2048 bits with the top byte zeroed: 2040 bits, too small. */
	n[len - 1] |= 1;
	n[0] = 0;
	must_refuse(edit_b64(tu_strdup(base), "n", n, len), 0, NULL);
	/* Missing, not a string, not strict base64url. */
	must_refuse(edit(tu_strdup(base), "n", NULL), 0, NULL);
	must_refuse(edit(tu_strdup(base), "e", NULL), 0, NULL);
	must_refuse(edit(tu_strdup(base), "n", "12345"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "e", "AQAB="), 0, NULL);
	free(n);
	free(base);
}
END_TEST

/* EC validation ---------------------------------------------------------- */

START_TEST(test_jwk_ec_not_on_curve)
{
	static const char *const names[] = { "ec256", "ec384", "ec521" };
	uint8_t *y, *x;
	size_t ylen, xlen, i;
	char *base;

	for (i = 0; i < 3; i++) {
		base = jwk_of(names[i], "e", NULL, NULL);
		y = tu_json_get_b64(base, "y", &ylen);
		y[ylen - 1] ^= 1;
		must_refuse(edit_b64(tu_strdup(base), "y", y, ylen), 0, NULL);
		/* (0, 0) and a coordinate beyond the field. */
		memset(y, 0, ylen);
		x = tu_json_get_b64(base, "x", &xlen);
		memset(x, 0, xlen);
		must_refuse(edit_b64(edit_b64(tu_strdup(base), "x", x, xlen),
		    "y", y, ylen), 0, NULL);
		memset(x, 0xff, xlen);
		must_refuse(edit_b64(tu_strdup(base), "x", x, xlen), 0, NULL);
		free(x);
		free(y);
		free(base);
	}
}
END_TEST

START_TEST(test_jwk_ec_coord_length)
{
	uint8_t *x, *y, buf[80];
	size_t len;
	char *base;

	base = jwk_of("ec256", "e", NULL, NULL);
	x = tu_json_get_b64(base, "x", &len);
	ck_assert_uint_eq(len, 32);
	/* One byte short (a stripped leading byte) and one too many. */
	must_refuse(edit_b64(tu_strdup(base), "x", x + 1, 31), 0, NULL);
	buf[0] = 0;
	memcpy(buf + 1, x, 32);
	must_refuse(edit_b64(tu_strdup(base), "x", buf, 33), 0, NULL);
	must_refuse(edit_b64(tu_strdup(base), "y", buf, 33), 0, NULL);
	must_refuse(edit(tu_strdup(base), "y", NULL), 0, NULL);
	/*
	 * x of 31 and y of 33 bytes whose concatenation is the real point's
	 * encoding: only the length rule can tell.
	 */
	y = tu_json_get_b64(base, "y", &len);
	memcpy(buf, x + 31, 1);
	memcpy(buf + 1, y, 32);
	must_refuse(edit_b64(edit_b64(tu_strdup(base), "x", x, 31), "y", buf,
	    33), 0, NULL);
	free(y);
	free(x);
	free(base);
	/* P-521 is 66 bytes: 65 is the classic interop bug. */
	base = jwk_of("ec521", "e", NULL, NULL);
	x = tu_json_get_b64(base, "x", &len);
	ck_assert_uint_eq(len, 66);
	must_refuse(edit_b64(tu_strdup(base), "x", x + 1, 65), 0, NULL);
	free(x);
	free(base);
}
END_TEST

START_TEST(test_jwk_ec_crv)
{
	char *base = jwk_of("ec256", "e", NULL, NULL);

	/* The P-256 point declared as P-384: wrong lengths. */
	must_refuse(edit_str(tu_strdup(base), "crv", "P-384"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "crv", "p-256"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "crv", "secp256k1"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "crv", "prime256v1"), 0, NULL);
	must_refuse(edit(tu_strdup(base), "crv", NULL), 0, NULL);
	free(base);
}
END_TEST

/*
 * A key whose alg does not fit its kty or curve can never verify anything.
 * The kty mismatch is refused; the curve mismatch must at least never fit
 * either algorithm.
 */
START_TEST(test_jwk_alg_mismatch)
{
	struct pb_jwk *k = NULL;
	struct pb_err e;
	char *s;
	int r;

	must_refuse(jwk_of("ec256", "e", "RS256", NULL), 0, NULL);
	must_refuse(jwk_of("rsa2048", "r", "ES256", NULL), 0, NULL);
	must_refuse(jwk_of("ed25519", "d", "ES256", NULL), 0, NULL);
	must_refuse(jwk_of("rsa2048", "r", "HS256", NULL), 0, NULL);
	must_refuse(jwk_of("rsa2048", "r", "none", NULL), 0, NULL);
	must_refuse(jwk_of("rsa2048", "r", "RSA-OAEP", NULL), 0, NULL);
	must_refuse(edit(jwk_of("rsa2048", "r", NULL, NULL), "alg", "256"),
	    0, NULL);
	/* crv P-256 with alg ES384. */
	s = jwk_of("ec256", "e", "ES384", NULL);
	r = from_text(s, 0, &k, &e);
	if (r == PB_OK) {
		ck_assert_int_eq(pb_jwk_fits(k, pb_alg_by_name("ES256"), NULL),
		    PB_ERR_ALG);
		ck_assert_int_eq(pb_jwk_fits(k, pb_alg_by_name("ES384"), NULL),
		    PB_ERR_ALG);
		pb_jwk_free(k);
	} else
		ck_assert_int_eq(r, PB_ERR_KEY);
	free(s);
}
END_TEST

/*
 * DESIGN.md: a file with no usable key is PAM_AUTHINFO_UNAVAIL.  A P-256
 * key that says alg ES384 fits no algorithm, so a set of only that key has
 * no usable key, and the admin should hear why.  (Checking the first case
 * alone would pass a fix that only looks at curves; the second is the
 * HMAC twin: a secret shorter than its own alg's hash.)
 */
START_TEST(test_jwk_set_crv_alg_mismatch)
{
	uint8_t sec[32];
	struct pb_jwks *set = NULL;
	struct skips sk;
	struct pb_err e;
	char *k, *s;

	k = jwk_of("ec256", "e", "ES384", NULL);
	s = tu_jwks(k, NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_ERR_KEY);
	ck_assert_ptr_null(set);
	ck_assert_int_eq(sk.n, 1);
	free(s);
	free(k);
	/* The same for a 32-byte secret that says HS512. */
	memset(sec, 7, sizeof(sec));
	k = tu_jwk_oct(sec, sizeof(sec), "h", "HS512");
	s = tu_jwks(k, NULL);
	ck_assert_int_eq(parse_set(s, PB_JWK_ALLOW_OCT, &sk, &set, &e),
	    PB_ERR_KEY);
	ck_assert_ptr_null(set);
	free(s);
	free(k);
}
END_TEST

/* OKP validation --------------------------------------------------------- */

START_TEST(test_jwk_okp_invalid)
{
	char *base = jwk_of("ed25519", "d", NULL, NULL);
	uint8_t *x, buf[40];
	size_t len;

	x = tu_json_get_b64(base, "x", &len);
	ck_assert_uint_eq(len, 32);
	must_refuse(edit_b64(tu_strdup(base), "x", x, 31), 0, NULL);
	memcpy(buf, x, 32);
	buf[32] = 0;
	must_refuse(edit_b64(tu_strdup(base), "x", buf, 33), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "crv", "X25519"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "crv", "Ed448"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "crv", "ed25519"), 0, NULL);
	must_refuse(edit(tu_strdup(base), "x", NULL), 0, NULL);
	free(x);
	free(base);
}
END_TEST

/*
 * Small-order Ed25519 points (RFC 8032 5.1.3 encodings, little-endian y
 * with the sign of x in the top bit).  The eight points of order 1, 2, 4
 * and 8 were computed with integer arithmetic on the curve (a random point
 * times the group order l lands in the 8-torsion; its multiples span it):
 * identity (0, 1), (0, -1), (+-sqrt(-1), 0), and four of order 8 sharing
 * y = 2707385501...402022 or its negation.  Also each one's encoding with
 * the sign bit set where that is not another small-order point (x = 0:
 * invalid, but lax decoders take it as the same point), and the
 * non-canonical encodings y + p, which exist only for y = 0 and y = 1.
 */
static const char *const small_order_hex[] = {
	/* order 1, (0, 1): the identity */
	"0100000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000080",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* order 2, (0, -1) */
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* order 4, (+-sqrt(-1), 0) */
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* order 8 */
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
};
#define NSMALL	(sizeof(small_order_hex) / sizeof(small_order_hex[0]))

static void
unhex32(const char *hex, uint8_t out[32])
{
	size_t i;
	unsigned v;

	ck_assert_uint_eq(strlen(hex), 64);
	for (i = 0; i < 32; i++) {
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* An Ed25519 JWK with x = the 32 bytes given. */
static char *
okp_with_x(const char *kid, const uint8_t x[32])
{
	char *base = jwk_of("ed25519", kid, NULL, NULL);

	return edit_b64(base, "x", x, 32);
}

/* One good key and one bad one: the bad one is skipped, saying why. */
static void
set_skips_bad(const char *bad, const char *why)
{
	struct pb_jwks *set = NULL;
	struct skips sk;
	struct pb_err e;
	char *good, *s;

	good = jwk_of("ed25519", "good", NULL, NULL);
	s = tu_jwks(bad, good, NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_OK);
	ck_assert_uint_eq(set->n, 1);
	ck_assert_str_eq(set->keys[0]->kid, "good");
	ck_assert_int_eq(sk.n, 1);
	ck_assert_msg(skipped_with(&sk, "bad") && skipped_with(&sk, why),
	    "skip message '%s' lacks '%s'", sk.msg[0], why);
	pb_jwks_free(set);
	free(s);
	free(good);
}

/* A small-order key verifies forgeries: never loaded. */
START_TEST(test_jwk_okp_small_order)
{
	uint8_t x[32];
	char *s;
	size_t i;

	for (i = 0; i < NSMALL; i++) {
		unhex32(small_order_hex[i], x);
		s = okp_with_x("bad", x);
		set_skips_bad(s, "Ed25519");
		must_refuse(s, 0, "Ed25519");
	}
}
END_TEST

/* y >= p = 2^255 - 19 is not canonical, whatever the sign bit. */
START_TEST(test_jwk_okp_non_canonical)
{
	uint8_t x[32];
	char *s;
	unsigned low, sign;

	for (sign = 0; sign < 2; sign++) {
		for (low = 0xed; low <= 0xff; low++) {
			memset(x, 0xff, sizeof(x));
			x[0] = (uint8_t)low;
			x[31] = sign ? 0xff : 0x7f;
			s = okp_with_x("bad", x);
			set_skips_bad(s, "canonical");
			must_refuse(s, 0, "canonical");
		}
	}
	/* p - 1 with a clear sign is y = -1: order 2, refused as well. */
	memset(x, 0xff, sizeof(x));
	x[0] = 0xec;
	x[31] = 0x7f;
	must_refuse(okp_with_x("bad", x), 0, "Ed25519");
	/*
	 * The check is not off by one: y = p - 3, the largest canonical y
	 * on the curve that is not small-order (p - 2 is no point), loads
	 * with either sign.
	 */
	x[0] = 0xea;
	s = okp_with_x("fine", x);
	pb_jwk_free(must_load(s, 0));
	free(s);
	x[31] = 0xff;
	s = okp_with_x("fine", x);
	pb_jwk_free(must_load(s, 0));
	free(s);
}
END_TEST

/*
 * The forgery itself: with x = the identity, the signature R = identity,
 * S = 0 (01 then 63 zero bytes) satisfies [S]B = R + [k]A for every
 * message, and OpenSSL 3.0 accepts it.  The verifier must refuse it.
 */
START_TEST(test_jwk_okp_forgery_refused)
{
	static const char *const hdrs[] = {
		"{\"alg\":\"EdDSA\",\"kid\":\"evil\"}",
		"{\"alg\":\"Ed25519\",\"kid\":\"evil\"}",
		"{\"alg\":\"EdDSA\"}",
	};
	struct pb_verifier *v = NULL;
	struct pb_conf *cfg = NULL;
	struct pb_jwt *jwt = NULL;
	struct pb_err e;
	uint8_t x[32], sig[64];
	char *dir, *path, *evil, *good, *set, *tok;
	size_t i;
	int r;

	unhex32(small_order_hex[0], x);
	evil = edit_b64(tu_strdup("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"kid\":\"evil\",\"x\":\"\"}"), "x", x, 32);
	tok = tu_b64url(x, 32);
	ck_assert_str_eq(tok, "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	free(tok);
	/* The evil key with a good one beside it (the set must load). */
	good = jwk_of("ec256", "good", NULL, NULL);
	set = tu_jwks(evil, good, NULL);
	free(good);
	dir = tu_tmpdir();
	path = tu_write_file(dir, "jwks.json", set, 0644);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "issuer",
	    "https://idp.example.com", "test", NULL, NULL), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "audience", "ssh",
	    "test", NULL, NULL), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "jwks_file", path,
	    "test", NULL, NULL), PB_OK);
	pb_err_clear(&e);
	ck_assert_int_eq(pb_verifier_new(cfg, NULL, NULL, &v, &e), PB_OK);
	memset(sig, 0, sizeof(sig));
	sig[0] = 0x01;
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		tok = tu_token(hdrs[i], "{\"iss\":\"https://idp.example.com\","
		    "\"sub\":\"root\",\"aud\":\"ssh\",\"exp\":1800003600,"
		    "\"iat\":1800000000}", sig, sizeof(sig));
		pb_err_clear(&e);
		r = pb_jwt_verify(v, tok, strlen(tok), 1800000000, &jwt, &e);
		ck_assert_msg(r != PB_OK, "forged token accepted (%s)",
		    hdrs[i]);
		ck_assert_ptr_null(jwt);
		free(tok);
	}
	pb_verifier_free(v);
	pb_conf_free(cfg);
	tu_rmtree(dir);
	free(dir);
	free(path);
	free(set);
	free(evil);
}
END_TEST

/* kty, use and key_ops --------------------------------------------------- */

START_TEST(test_jwk_kty)
{
	char *base = jwk_of("ec256", "e", NULL, NULL);

	must_refuse(edit_str(tu_strdup(base), "kty", "ec"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "kty", "EC "), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "kty", "foo"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "kty", "OKP"), 0, NULL);
	must_refuse(edit(tu_strdup(base), "kty", "1"), 0, NULL);
	must_refuse(edit(tu_strdup(base), "kty", NULL), 0, NULL);
	must_refuse(edit(tu_strdup(base), "kid", "7"), 0, NULL);
	free(base);
}
END_TEST

START_TEST(test_jwk_use)
{
	char *base = jwk_of("ec256", "e", NULL, NULL);

	must_refuse(edit_str(tu_strdup(base), "use", "enc"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "use", "SIG"), 0, NULL);
	must_refuse(edit_str(tu_strdup(base), "use", ""), 0, NULL);
	must_refuse(edit(tu_strdup(base), "use", "[\"sig\"]"), 0, NULL);
	must_refuse(edit(tu_strdup(base), "use", "null"), 0, NULL);
	free(base);
}
END_TEST

START_TEST(test_jwk_key_ops)
{
	char *base = jwk_of("ec256", "e", NULL, NULL);

	must_refuse(edit(tu_strdup(base), "key_ops", "[\"sign\"]"), 0, NULL);
	must_refuse(edit(tu_strdup(base), "key_ops", "[\"encrypt\"]"), 0,
	    NULL);
	must_refuse(edit(tu_strdup(base), "key_ops", "[]"), 0, NULL);
	must_refuse(edit(tu_strdup(base), "key_ops", "\"verify\""), 0, NULL);
	must_refuse(edit(tu_strdup(base), "key_ops", "[\"Verify\"]"), 0,
	    NULL);
	must_refuse(edit(tu_strdup(base), "key_ops", "[1]"), 0, NULL);
	free(base);
}
END_TEST

/* Not an object at all. */
START_TEST(test_jwk_not_object)
{
	struct pb_jwk *k = NULL;
	struct pb_err e;

	ck_assert_int_eq(from_text("[]", 0, &k, &e), PB_ERR_KEY);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(from_text("\"RSA\"", 0, &k, &e), PB_ERR_KEY);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(from_text("{}", 0, &k, &e), PB_ERR_KEY);
	ck_assert_ptr_null(k);
}
END_TEST

/* oct keys -------------------------------------------------------------- */

START_TEST(test_jwk_oct)
{
	uint8_t sec[64];
	struct pb_jwk *k;
	char *s;

	memset(sec, 0x42, sizeof(sec));
	s = tu_jwk_oct(sec, 32, "h", NULL);
	/* Refused in a public key set... */
	must_refuse(tu_strdup(s), 0, NULL);
	/* ...accepted when asked for. */
	k = must_load(s, PB_JWK_ALLOW_OCT);
	ck_assert_int_eq(k->kty, PB_KTY_OCT);
	ck_assert_uint_eq(k->secret.len, 32);
	ck_assert_mem_eq(k->secret.p, sec, 32);
	pb_jwk_free(k);
	free(s);
	/* Too short even when allowed. */
	s = tu_jwk_oct(sec, 31, "h", NULL);
	must_refuse(s, PB_JWK_ALLOW_OCT, NULL);
	must_refuse(edit(tu_jwk_oct(sec, 32, "h", NULL), "k", NULL),
	    PB_JWK_ALLOW_OCT, NULL);
}
END_TEST

START_TEST(test_jwk_from_secret)
{
	uint8_t sec[64];
	struct pb_jwk *k = (struct pb_jwk *)&k;
	struct pb_err e;

	memset(sec, 0x17, sizeof(sec));
	ck_assert_int_eq(pb_jwk_from_secret(sec, 32, &k, &e), PB_OK);
	ck_assert_int_eq(k->kty, PB_KTY_OCT);
	ck_assert_uint_eq(k->secret.len, 32);
	/* A copy: wiping ours does not touch the key. */
	memset(sec, 0, sizeof(sec));
	ck_assert_int_eq(k->secret.p[0], 0x17);
	pb_jwk_free(k);
	k = (struct pb_jwk *)&k;
	ck_assert_int_eq(pb_jwk_from_secret(sec, 31, &k, &e), PB_ERR_KEY);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(pb_jwk_from_secret(sec, 0, &k, &e), PB_ERR_KEY);
	ck_assert_ptr_null(k);
	pb_jwk_free(NULL);
}
END_TEST

/* pb_jwk_fits ------------------------------------------------------------ */

START_TEST(test_jwk_fits)
{
	struct pb_jwk *rsa, *rsa_rs256, *ec, *ed, *hs32, *hs64;
	uint8_t sec[64];
	struct pb_err e;
	char *s;

#define FITS(k, a)	pb_jwk_fits((k), pb_alg_by_name(a), &e)
	s = jwk_of("rsa2048", "r", NULL, NULL);
	rsa = must_load(s, 0);
	free(s);
	s = jwk_of("rsa2048", "r", "RS256", NULL);
	rsa_rs256 = must_load(s, 0);
	free(s);
	s = jwk_of("ec256", "e", NULL, NULL);
	ec = must_load(s, 0);
	free(s);
	s = jwk_of("ed25519", "d", "EdDSA", NULL);
	ed = must_load(s, 0);
	free(s);
	memset(sec, 1, sizeof(sec));
	ck_assert_int_eq(pb_jwk_from_secret(sec, 32, &hs32, NULL), PB_OK);
	ck_assert_int_eq(pb_jwk_from_secret(sec, 64, &hs64, NULL), PB_OK);

	/* Fits. */
	ck_assert_int_eq(FITS(rsa, "RS256"), PB_OK);
	ck_assert_int_eq(FITS(rsa, "PS512"), PB_OK);
	ck_assert_int_eq(FITS(rsa_rs256, "RS256"), PB_OK);
	ck_assert_int_eq(FITS(ec, "ES256"), PB_OK);
	ck_assert_int_eq(FITS(ed, "EdDSA"), PB_OK);
	ck_assert_int_eq(FITS(ed, "Ed25519"), PB_OK);	/* one family */
	ck_assert_int_eq(FITS(hs32, "HS256"), PB_OK);
	ck_assert_int_eq(FITS(hs64, "HS512"), PB_OK);

	/* Does not fit. */
	ck_assert_int_eq(FITS(rsa_rs256, "RS384"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(rsa_rs256, "PS256"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(rsa, "ES256"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(rsa, "HS256"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(rsa, "EdDSA"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(ec, "ES384"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(ec, "ES512"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(ec, "RS256"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(ec, "HS256"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(ed, "ES256"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(hs32, "HS384"), PB_ERR_ALG);	/* short */
	ck_assert_int_eq(FITS(hs32, "HS512"), PB_ERR_ALG);
	ck_assert_int_eq(FITS(hs64, "RS256"), PB_ERR_ALG);
	ck_assert_int_eq(e.code, PB_ERR_ALG);
#undef FITS
	pb_jwk_free(rsa);
	pb_jwk_free(rsa_rs256);
	pb_jwk_free(ec);
	pb_jwk_free(ed);
	pb_jwk_free(hs32);
	pb_jwk_free(hs64);
}
END_TEST

/* JWK Sets --------------------------------------------------------------- */

START_TEST(test_jwk_set_valid)
{
	struct pb_jwks *set = NULL;
	struct skips sk;
	struct pb_err e;
	char *a, *b, *c, *s;

	a = jwk_of("rsa2048", "r", "RS256", "sig");
	b = jwk_of("ec384", "e", NULL, NULL);
	c = jwk_of("ed25519", "d", NULL, NULL);
	s = tu_jwks(a, b, c, NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_OK);
	ck_assert_uint_eq(set->n, 3);
	ck_assert_int_eq(sk.n, 0);
	ck_assert_str_eq(set->source, "test-set");
	pb_jwks_free(set);
	free(s);
	free(a);
	free(b);
	free(c);
	pb_jwks_free(NULL);
}
END_TEST

/* IdPs publish encryption keys beside signing keys: skip, keep the rest. */
START_TEST(test_jwk_set_skips)
{
	struct pb_jwks *set = NULL;
	struct skips sk;
	struct pb_err e;
	char *good, *enc, *unk, *small, *ops, *oct, *s;
	uint8_t sec[32];

	memset(sec, 9, sizeof(sec));
	good = jwk_of("ec256", "good", NULL, NULL);
	enc = jwk_of("rsa2048", "enc-key", "RSA-OAEP", "enc");
	unk = tu_strdup("{\"kty\":\"foo\",\"kid\":\"unknown-kty\"}");
	small = jwk_of("rsa1024", "small", NULL, NULL);
	ops = edit(jwk_of("ec384", "no-verify", NULL, NULL), "key_ops",
	    "[\"encrypt\"]");
	oct = tu_jwk_oct(sec, sizeof(sec), "secret", NULL);
	s = tu_jwks(enc, unk, good, small, ops, oct, NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_OK);
	ck_assert_uint_eq(set->n, 1);
	ck_assert_str_eq(set->keys[0]->kid, "good");
	ck_assert_int_eq(sk.n, 5);
	/* Each message names the key. */
	ck_assert(skipped_with(&sk, "enc-key"));
	ck_assert(skipped_with(&sk, "unknown-kty"));
	ck_assert(skipped_with(&sk, "small"));
	ck_assert(skipped_with(&sk, "no-verify"));
	ck_assert(skipped_with(&sk, "secret"));
	pb_jwks_free(set);
	/* Without a callback, the same result. */
	set = NULL;
	ck_assert_int_eq(parse_set(s, 0, NULL, &set, &e), PB_OK);
	ck_assert_uint_eq(set->n, 1);
	pb_jwks_free(set);
	free(s);
	free(good);
	free(enc);
	free(unk);
	free(small);
	free(ops);
	free(oct);
}
END_TEST

/* Skip messages are escaped: a kid cannot inject a log line. */
START_TEST(test_jwk_set_skip_escaped)
{
	struct pb_jwks *set = NULL;
	struct skips sk;
	struct pb_err e;
	char *good, *bad, *s;

	good = jwk_of("ec256", "good", NULL, NULL);
	bad = jwk_of("rsa1024", "evil\nFAKE LOG LINE", NULL, NULL);
	s = tu_jwks(bad, good, NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_OK);
	ck_assert_int_eq(sk.n, 1);
	ck_assert_ptr_null(strchr(sk.msg[0], '\n'));
	ck_assert_ptr_nonnull(strstr(sk.msg[0], "evil\\x0aFAKE"));
	pb_jwks_free(set);
	free(s);
	free(good);
	free(bad);
}
END_TEST

START_TEST(test_jwk_set_no_usable)
{
	struct pb_jwks *set = (struct pb_jwks *)&set;
	struct skips sk;
	struct pb_err e;
	char *a, *b, *s;

	a = jwk_of("rsa1024", "small", NULL, NULL);
	b = jwk_of("ec256", "enc", NULL, "enc");
	s = tu_jwks(a, b, NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_ERR_KEY);
	ck_assert_ptr_null(set);
	ck_assert_int_eq(sk.n, 2);
	ck_assert_int_eq(e.code, PB_ERR_KEY);
	ck_assert_ptr_nonnull(strstr(e.msg, "test-set"));
	free(s);
	/* Empty set. */
	s = tu_jwks(NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_ERR_KEY);
	ck_assert_ptr_null(set);
	free(s);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_jwk_set_malformed)
{
	struct pb_jwks *set = NULL;
	struct pb_err e;
	char *k, *s;

	ck_assert_int_eq(parse_set("{}", 0, NULL, &set, &e), PB_ERR_KEY);
	ck_assert_int_eq(parse_set("{\"keys\":{}}", 0, NULL, &set, &e),
	    PB_ERR_KEY);
	ck_assert_int_eq(parse_set("{\"Keys\":[]}", 0, NULL, &set, &e),
	    PB_ERR_KEY);
	ck_assert_int_eq(parse_set("[]", 0, NULL, &set, &e), PB_ERR_KEY);
	ck_assert_int_eq(parse_set("{\"keys\":[", 0, NULL, &set, &e),
	    PB_ERR_FORMAT);
	ck_assert_int_eq(parse_set("", 0, NULL, &set, &e), PB_ERR_FORMAT);
	ck_assert_ptr_null(set);
	/* Strict JSON: a duplicate "keys" could hide a second set. */
	k = jwk_of("ec256", "e", NULL, NULL);
	s = tu_asprintf("{\"keys\":[%s],\"keys\":[]}", k);
	ck_assert_int_eq(parse_set(s, 0, NULL, &set, &e), PB_ERR_FORMAT);
	ck_assert_ptr_null(set);
	free(s);
	free(k);
}
END_TEST

START_TEST(test_jwk_set_oct)
{
	struct pb_jwks *set = NULL;
	struct skips sk;
	struct pb_err e;
	uint8_t sec[32];
	char *oct, *ec, *s;

	memset(sec, 3, sizeof(sec));
	oct = tu_jwk_oct(sec, sizeof(sec), "h", "HS256");
	ec = jwk_of("ec256", "e", NULL, NULL);
	/* Only secrets, allowed: fine. */
	s = tu_jwks(oct, NULL);
	ck_assert_int_eq(parse_set(s, PB_JWK_ALLOW_OCT, &sk, &set, &e),
	    PB_OK);
	ck_assert_uint_eq(set->n, 1);
	pb_jwks_free(set);
	set = NULL;
	/* Not allowed: skipped, nothing left. */
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_ERR_KEY);
	ck_assert_int_eq(sk.n, 1);
	free(s);
	/* Mixed, allowed: refused as a whole. */
	s = tu_jwks(ec, oct, NULL);
	ck_assert_int_eq(parse_set(s, PB_JWK_ALLOW_OCT, &sk, &set, &e),
	    PB_ERR_KEY);
	ck_assert_ptr_null(set);
	/* Mixed, not allowed: the secret is skipped, the EC key stays. */
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_OK);
	ck_assert_uint_eq(set->n, 1);
	ck_assert_int_eq(set->keys[0]->kty, PB_KTY_EC);
	pb_jwks_free(set);
	free(s);
	free(oct);
	free(ec);
}
END_TEST

START_TEST(test_jwk_set_too_many)
{
	struct pb_jwks *set = NULL;
	struct pb_err e;
	char *k, **v, *s;
	size_t i, n = 1000;

	k = jwk_of("ed25519", NULL, NULL, NULL);
	v = tu_malloc(n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = k;
	s = tu_jwks_v(v, n);
	ck_assert_int_eq(parse_set(s, 0, NULL, &set, &e), PB_ERR_TOOBIG);
	ck_assert_ptr_null(set);
	free(s);
	free(v);
	free(k);
}
END_TEST

/* pb_jwks_find ----------------------------------------------------------- */

static struct pb_jwks *vset;	/* $PB_TESTDATA/jwks.json */

static void
setup_vset(void)
{
	struct pb_err e;
	char *path;
	int r;

	path = tu_asprintf("%s/jwks.json", tu_datadir());
	vset = NULL;
	r = pb_jwks_load(path, 0, NULL, NULL, &vset, &e);
	if (r != PB_OK)
		tu_die("cannot load %s: %s", path, pb_err_msg(&e));
	free(path);
}

static void
teardown_vset(void)
{
	pb_jwks_free(vset);
	vset = NULL;
}

/* Find in vset; returns the code, *kp the key's kid or "(none)". */
static int
find(const char *kid, const char *alg, const char **kidp, struct pb_err *e)
{
	const struct pb_jwk *k = (const struct pb_jwk *)&k;
	int r;

	pb_err_clear(e);
	r = pb_jwks_find(vset, kid, pb_alg_by_name(alg), &k, e);
	if (r == PB_OK) {
		ck_assert_ptr_nonnull(k);
		*kidp = k->kid != NULL ? k->kid : "(none)";
	} else {
		ck_assert_ptr_null(k);
		*kidp = NULL;
	}
	return r;
}

START_TEST(test_jwk_load)
{
	ck_assert_uint_eq(vset->n, 6);
	ck_assert_ptr_nonnull(strstr(vset->source, "jwks.json"));
}
END_TEST

START_TEST(test_jwk_load_missing)
{
	struct pb_jwks *set = (struct pb_jwks *)&set;
	struct pb_err e;
	char *dir, *path;

	dir = tu_tmpdir();
	path = tu_asprintf("%s/nonexistent.json", dir);
	pb_err_clear(&e);
	ck_assert_int_eq(pb_jwks_load(path, 0, NULL, NULL, &set, &e),
	    PB_ERR_IO);
	ck_assert_ptr_null(set);
	ck_assert_ptr_nonnull(strstr(e.msg, "nonexistent.json"));
	/* A directory is not a key file. */
	ck_assert_int_eq(pb_jwks_load(dir, 0, NULL, NULL, &set, &e),
	    PB_ERR_IO);
	free(path);
	/* A file with no usable key is a key error, not an I/O error. */
	path = tu_write_file(dir, "empty.json", "{\"keys\":[]}", 0644);
	ck_assert_int_eq(pb_jwks_load(path, 0, NULL, NULL, &set, &e),
	    PB_ERR_KEY);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Secret keys come only from private files. */
START_TEST(test_jwk_load_oct_private)
{
	struct pb_jwks *set = NULL;
	struct pb_err e;
	uint8_t sec[32];
	char *dir, *path, *oct, *s;

	memset(sec, 5, sizeof(sec));
	oct = tu_jwk_oct(sec, sizeof(sec), "h", NULL);
	s = tu_jwks(oct, NULL);
	dir = tu_tmpdir();
	path = tu_write_file(dir, "oct.json", s, 0644);
	ck_assert_int_eq(pb_jwks_load(path, PB_JWK_ALLOW_OCT, NULL, NULL, &set,
	    &e), PB_ERR_IO);
	ck_assert_ptr_null(set);
	free(path);
	path = tu_write_file(dir, "oct.json", s, 0600);
	ck_assert_int_eq(pb_jwks_load(path, PB_JWK_ALLOW_OCT, NULL, NULL, &set,
	    &e), PB_OK);
	pb_jwks_free(set);
	free(path);
	tu_rmtree(dir);
	free(dir);
	free(s);
	free(oct);
}
END_TEST

START_TEST(test_jwk_find_kid)
{
	struct pb_err e;
	const char *kid;

	ck_assert_int_eq(find("ec1", "ES256", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "ec1");
	ck_assert_int_eq(find("rsa1", "RS256", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "rsa1");
	ck_assert_int_eq(find("rsa-pss", "PS256", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "rsa-pss");
	ck_assert_int_eq(find("ec521", "ES512", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "ec521");
	ck_assert_int_eq(find("ed1", "EdDSA", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "ed1");
	ck_assert_int_eq(find("ed1", "Ed25519", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "ed1");
}
END_TEST

START_TEST(test_jwk_find_unknown_kid)
{
	struct pb_err e;
	const char *kid;

	ck_assert_int_eq(find("nope", "ES256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_ptr_nonnull(strstr(e.msg, "nope"));
	ck_assert_ptr_nonnull(strstr(e.msg, "jwks.json"));
	ck_assert_int_eq(find("EC1", "ES256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("ec1 ", "ES256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("ec", "ES256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("", "ES256", &kid, &e), PB_ERR_NOKEY);
	/* A kid is only compared: path characters just do not match. */
	ck_assert_int_eq(find("../../etc/passwd", "RS256", &kid, &e),
	    PB_ERR_NOKEY);
	ck_assert_int_eq(find("/dev/zero", "ES256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("https://evil.example/k.json", "ES256", &kid,
	    &e), PB_ERR_NOKEY);
}
END_TEST

/* The kid exists but its key does not fit the token's alg. */
START_TEST(test_jwk_find_kid_wrong_alg)
{
	struct pb_err e;
	const char *kid;

	ck_assert_int_eq(find("ec1", "ES384", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("ec1", "RS256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("rsa1", "PS256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("rsa1", "RS512", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("rsa-pss", "RS256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("ed1", "ES256", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find("rsa1", "HS256", &kid, &e), PB_ERR_NOKEY);
}
END_TEST

/* No kid: the one key of the set that fits the alg. */
START_TEST(test_jwk_find_no_kid)
{
	struct pb_err e;
	const char *kid;

	ck_assert_int_eq(find(NULL, "ES256", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "ec1");
	ck_assert_int_eq(find(NULL, "ES384", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "ec384");
	ck_assert_int_eq(find(NULL, "Ed25519", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "ed1");
	/* rsa1 says RS256 and rsa-pss PS256: one each. */
	ck_assert_int_eq(find(NULL, "RS256", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "rsa1");
	ck_assert_int_eq(find(NULL, "PS256", &kid, &e), PB_OK);
	ck_assert_str_eq(kid, "rsa-pss");
	/* None fits. */
	ck_assert_int_eq(find(NULL, "RS384", &kid, &e), PB_ERR_NOKEY);
	ck_assert_int_eq(find(NULL, "HS256", &kid, &e), PB_ERR_NOKEY);
}
END_TEST

/* No kid, two keys fit: the first, then pb_jwks_next() the other. */
START_TEST(test_jwk_find_no_kid_two)
{
	struct pb_jwks *set = NULL;
	const struct pb_jwk *k = NULL;
	const struct pb_alg *es = pb_alg_by_name("ES256");
	struct pb_err e;
	char *a, *b, *c, *s;

	a = jwk_of("ec256", "a", NULL, NULL);
	b = jwk_of("ed25519", "ed", NULL, NULL);
	c = jwk_of("ec256", "c", NULL, NULL);
	s = tu_jwks(a, b, c, NULL);
	ck_assert_int_eq(parse_set(s, 0, NULL, &set, &e), PB_OK);
	ck_assert_int_eq(pb_jwks_find(set, NULL, es, &k, &e), PB_OK);
	ck_assert_str_eq(k->kid, "a");
	k = pb_jwks_next(set, es, k);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->kid, "c");
	ck_assert_ptr_null(pb_jwks_next(set, es, k));
	k = pb_jwks_next(set, pb_alg_by_name("EdDSA"), NULL);
	ck_assert_str_eq(k->kid, "ed");
	ck_assert_ptr_null(pb_jwks_next(set, pb_alg_by_name("EdDSA"), k));
	ck_assert_ptr_null(pb_jwks_next(set, pb_alg_by_name("RS256"), NULL));
	/* With a kid each is found, and only it. */
	ck_assert_int_eq(pb_jwks_find(set, "c", es, &k, &e), PB_OK);
	ck_assert_str_eq(k->kid, "c");
	pb_jwks_free(set);
	free(s);
	free(a);
	free(b);
	free(c);
	/* Two RSA keys without kid or alg both fit RS256. */
	a = jwk_of("rsa2048", NULL, NULL, NULL);
	b = jwk_of("rsa2048b", NULL, NULL, NULL);
	s = tu_jwks(a, b, NULL);
	set = NULL;
	ck_assert_int_eq(parse_set(s, 0, NULL, &set, &e), PB_OK);
	ck_assert_int_eq(pb_jwks_find(set, NULL, pb_alg_by_name("RS256"), &k,
	    &e), PB_OK);
	ck_assert_ptr_eq(k, set->keys[0]);
	ck_assert_ptr_eq(pb_jwks_next(set, pb_alg_by_name("RS256"), k),
	    set->keys[1]);
	pb_jwks_free(set);
	free(s);
	free(a);
	free(b);
}
END_TEST

/* One kid on two signing keys: which did the issuer mean?  Neither. */
START_TEST(test_jwk_find_dup_kid)
{
	struct pb_jwks *set = NULL;
	const struct pb_jwk *k = NULL;
	struct skips sk;
	struct pb_err e;
	char *a, *b, *c, *s;
	int r;

	a = jwk_of("ec256", "dup", NULL, NULL);
	b = jwk_of("ec256", "dup", NULL, NULL);
	c = jwk_of("ed25519", "other", NULL, NULL);
	s = tu_jwks(a, b, c, NULL);
	ck_assert_int_eq(parse_set(s, 0, &sk, &set, &e), PB_OK);
	r = pb_jwks_find(set, "dup", pb_alg_by_name("ES256"), &k, &e);
	ck_assert_int_eq(r, PB_ERR_NOKEY);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(pb_jwks_find(set, NULL, pb_alg_by_name("ES256"), &k,
	    &e), PB_ERR_NOKEY);
	/* The other key is unaffected. */
	ck_assert_int_eq(pb_jwks_find(set, "other", pb_alg_by_name("EdDSA"),
	    &k, &e), PB_OK);
	pb_jwks_free(set);
	free(s);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* Thumbprints (RFC 7638) ------------------------------------------------ */

/* The RFC 7638 section 3.1 example key. */
#define RFC7638_N "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbf" \
	"AAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64t" \
	"Z_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq" \
	"Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08" \
	"qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls" \
	"1jF44-csFCur-kEgU8awapJzKnqDKgw"

/* pb_jwk_thumbprint() of the JWK text, which must load. */
static void
thumb_of(const char *text, char out[PB_JWK_THUMB_LEN + 1])
{
	struct pb_jwk *k = must_load(text, 0);
	struct pb_err e;
	int r;

	memset(out, 'x', PB_JWK_THUMB_LEN + 1);
	r = pb_jwk_thumbprint(k, out, &e);
	ck_assert_msg(r == PB_OK, "%d %s", r, pb_err_msg(&e));
	ck_assert_uint_eq(strlen(out), PB_JWK_THUMB_LEN);
	pb_jwk_free(k);
}

START_TEST(test_jwk_thumbprint_rfc7638)
{
	char got[PB_JWK_THUMB_LEN + 1];

	/* The example's own member order, with kid and alg, which the
	   thumbprint leaves out.  tu_jwk_thumbprint() is checked by the
	   others against this code: here both meet the RFC. */
	thumb_of("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\","
	    "\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}", got);
	ck_assert_str_eq(got, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}
END_TEST

/* The thumbprint of test key name, also with kid and use (left out). */
static void
thumb_check(const char *name)
{
	char got[PB_JWK_THUMB_LEN + 1], got2[PB_JWK_THUMB_LEN + 1];
	EVP_PKEY *k = tu_load_key(name);
	char *plain = tu_jwk(k, NULL, NULL, NULL);
	char *extra = tu_jwk(k, "some-kid", NULL, "sig");
	char *want = tu_jwk_thumbprint(k);

	thumb_of(plain, got);
	ck_assert_str_eq(got, want);
	thumb_of(extra, got2);
	ck_assert_str_eq(got2, want);
	free(want);
	free(extra);
	free(plain);
	EVP_PKEY_free(k);
}

START_TEST(test_jwk_thumbprint_keys)
{
	thumb_check("ec256");
	thumb_check("ec384");
	thumb_check("ec521");
	thumb_check("ed25519");
	thumb_check("rsa2048");
	thumb_check("rsa3072");
}
END_TEST

START_TEST(test_jwk_thumbprint_padding)
{
	char got[PB_JWK_THUMB_LEN + 1], *text = NULL, *want = NULL;
	EVP_PKEY *k;
	uint8_t *x;
	size_t xlen;
	int i;

	/* A P-256 key whose x starts with a zero byte (1 in 256): the
	   thumbprint must keep the coordinate at 32 bytes. */
	for (i = 0; i < 20000 && text == NULL; i++) {
		k = tu_genkey("ec256");
		text = tu_jwk(k, NULL, NULL, NULL);
		x = tu_json_get_b64(text, "x", &xlen);
		ck_assert_uint_eq(xlen, 32);
		if (x[0] != 0) {
			free(text);
			text = NULL;
		} else
			want = tu_jwk_thumbprint(k);
		free(x);
		EVP_PKEY_free(k);
	}
	ck_assert_ptr_nonnull(text);
	thumb_of(text, got);
	ck_assert_str_eq(got, want);
	free(want);
	free(text);
}
END_TEST

START_TEST(test_jwk_thumbprint_distinct)
{
	char a[PB_JWK_THUMB_LEN + 1], b[PB_JWK_THUMB_LEN + 1];
	char *ta = jwk_of("rsa2048", NULL, NULL, NULL);
	char *tb = jwk_of("rsa2048b", NULL, NULL, NULL);

	thumb_of(ta, a);
	thumb_of(tb, b);
	ck_assert_str_ne(a, b);
	free(ta);
	free(tb);
}
END_TEST

START_TEST(test_jwk_thumbprint_secret)
{
	static const char secret[] = "0123456789abcdef0123456789abcdef";
	char out[PB_JWK_THUMB_LEN + 1];
	struct pb_jwk *k = NULL;
	struct pb_err e;

	ck_assert_int_eq(pb_jwk_from_secret(secret, 32, &k, NULL), PB_OK);
	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(pb_jwk_thumbprint(k, out, &e), PB_ERR_KEY);
	ck_assert_str_eq(out, "");
	pb_jwk_free(k);
}
END_TEST

static Suite *
jwk_suite(void)
{
	Suite *s = suite_create("jwk");
	TCase *tc;

	tc = tcase_create("alg_table");
	tcase_add_test(tc, test_jwk_alg_table);
	tcase_add_test(tc, test_jwk_alg_unknown);
	tcase_add_test(tc, test_jwk_alg_default_mask);
	suite_add_tcase(s, tc);

	tc = tcase_create("valid");
	tcase_add_test(tc, test_jwk_valid_rsa);
	tcase_add_test(tc, test_jwk_valid_ec);
	tcase_add_test(tc, test_jwk_valid_okp);
	tcase_add_test(tc, test_jwk_valid_private_members);
	tcase_add_test(tc, test_jwk_valid_key_ops);
	suite_add_tcase(s, tc);

	tc = tcase_create("rsa");
	tcase_add_test(tc, test_jwk_rsa_1024);
	tcase_add_test(tc, test_jwk_rsa_exponent);
	tcase_add_test(tc, test_jwk_rsa_exponent_ok);
	tcase_add_test(tc, test_jwk_rsa_modulus);
	suite_add_tcase(s, tc);

	tc = tcase_create("ec");
	tcase_add_test(tc, test_jwk_ec_not_on_curve);
	tcase_add_test(tc, test_jwk_ec_coord_length);
	tcase_add_test(tc, test_jwk_ec_crv);
	suite_add_tcase(s, tc);

	tc = tcase_create("okp");
	tcase_add_test(tc, test_jwk_okp_invalid);
	tcase_add_test(tc, test_jwk_okp_small_order);
	tcase_add_test(tc, test_jwk_okp_non_canonical);
	tcase_add_test(tc, test_jwk_okp_forgery_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("alg_mismatch");
	tcase_add_test(tc, test_jwk_alg_mismatch);
	tcase_add_test(tc, test_jwk_set_crv_alg_mismatch);
	suite_add_tcase(s, tc);

	tc = tcase_create("purpose");
	tcase_add_test(tc, test_jwk_kty);
	tcase_add_test(tc, test_jwk_use);
	tcase_add_test(tc, test_jwk_key_ops);
	tcase_add_test(tc, test_jwk_not_object);
	suite_add_tcase(s, tc);

	tc = tcase_create("oct");
	tcase_add_test(tc, test_jwk_oct);
	tcase_add_test(tc, test_jwk_from_secret);
	suite_add_tcase(s, tc);

	tc = tcase_create("fits");
	tcase_add_test(tc, test_jwk_fits);
	suite_add_tcase(s, tc);

	tc = tcase_create("set");
	tcase_add_test(tc, test_jwk_set_valid);
	tcase_add_test(tc, test_jwk_set_skips);
	tcase_add_test(tc, test_jwk_set_skip_escaped);
	tcase_add_test(tc, test_jwk_set_no_usable);
	tcase_add_test(tc, test_jwk_set_malformed);
	tcase_add_test(tc, test_jwk_set_oct);
	tcase_add_test(tc, test_jwk_set_too_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup_vset, teardown_vset);
	tcase_add_test(tc, test_jwk_load);
	tcase_add_test(tc, test_jwk_load_missing);
	tcase_add_test(tc, test_jwk_load_oct_private);
	suite_add_tcase(s, tc);

	tc = tcase_create("find");
	tcase_add_checked_fixture(tc, setup_vset, teardown_vset);
	tcase_add_test(tc, test_jwk_find_kid);
	tcase_add_test(tc, test_jwk_find_unknown_kid);
	tcase_add_test(tc, test_jwk_find_kid_wrong_alg);
	tcase_add_test(tc, test_jwk_find_no_kid);
	tcase_add_test(tc, test_jwk_find_no_kid_two);
	tcase_add_test(tc, test_jwk_find_dup_kid);
	suite_add_tcase(s, tc);

	tc = tcase_create("thumbprint");
	tcase_add_test(tc, test_jwk_thumbprint_rfc7638);
	tcase_add_test(tc, test_jwk_thumbprint_keys);
	tcase_add_test(tc, test_jwk_thumbprint_padding);
	tcase_add_test(tc, test_jwk_thumbprint_distinct);
	tcase_add_test(tc, test_jwk_thumbprint_secret);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(jwk_suite());
}
