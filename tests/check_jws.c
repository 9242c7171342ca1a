/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/jws: compact JWS parsing, the header rules (RFC 8725 3.1, RFC 7515
 * 4.1), and the signature layer per algorithm (RFC 7518 3, RFC 8037).
 * Signatures are made by testutil with OpenSSL directly.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include "checkmain.h"
#include "err.h"
#include "jwk.h"
#include "jws.h"
#include "testutil.h"

#define MAXTOK	16384

static const char msg[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9";

/* Every algorithm with a key of mkvectors.sh that fits it. */
static const struct {
	const char	*alg;
	const char	*key;
} algs[] = {
	{ "RS256", "rsa2048" },
	{ "RS384", "rsa2048" },
	{ "RS512", "rsa3072" },
	{ "PS256", "rsa2048b" },
	{ "PS384", "rsa2048" },
	{ "PS512", "rsa3072" },
	{ "ES256", "ec256" },
	{ "ES384", "ec384" },
	{ "ES512", "ec521" },
	{ "EdDSA", "ed25519" },
	{ "Ed25519", "ed25519" },
	{ "HS256", "hmac32" },
	{ "HS384", "hmac64" },
	{ "HS512", "hmac64" },
};
#define NALGS	((int)(sizeof(algs) / sizeof(algs[0])))

/* The bytes of $PB_TESTDATA/<name>.key. */
static char *
secret_of(const char *name, size_t *lenp)
{
	char *path, *s;

	path = tu_asprintf("%s/%s.key", tu_datadir(), name);
	s = tu_read_file(path, lenp);
	free(path);
	return s;
}

/* A verification key for test key name, with an optional "alg". */
static struct pb_jwk *
key_for(const char *name, const char *alg)
{
	struct pb_jwk *k = NULL;
	struct pb_err e;
	EVP_PKEY *pk;
	cJSON *j;
	char *s;
	size_t len;
	int r;

	if (strncmp(name, "hmac", 4) == 0) {
		s = secret_of(name, &len);
		r = pb_jwk_from_secret(s, len, &k, &e);
		free(s);
	} else {
		pk = tu_load_key(name);
		s = tu_jwk(pk, NULL, alg, NULL);
		EVP_PKEY_free(pk);
		if ((j = cJSON_Parse(s)) == NULL)
			tu_die("bad JWK %s", s);
		r = pb_jwk_from_json(j, 0, &k, &e);
		cJSON_Delete(j);
		free(s);
	}
	if (r != PB_OK)
		tu_die("key %s: %s", name, pb_err_msg(&e));
	return k;
}

/* Sign msg with alg under test key name (raw JWS signature bytes). */
static uint8_t *
sign_with(const char *alg, const char *name, const void *m, size_t mlen,
    size_t *siglen)
{
	EVP_PKEY *pk;
	uint8_t *sig;
	char *s;
	size_t len;

	if (strncmp(name, "hmac", 4) == 0) {
		s = secret_of(name, &len);
		sig = tu_sig(alg, NULL, s, len, m, mlen, siglen);
		free(s);
	} else {
		pk = tu_load_key(name);
		sig = tu_sig(alg, pk, NULL, 0, m, mlen, siglen);
		EVP_PKEY_free(pk);
	}
	return sig;
}

static int
verify(const char *alg, const struct pb_jwk *k, const void *sig,
    size_t siglen)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	r = pb_jws_verify_sig(pb_alg_by_name(alg), k, (const uint8_t *)msg,
	    strlen(msg), sig, siglen, &e);
	if (r != PB_OK)
		ck_assert_int_eq(e.code, r);
	return r;
}

/* The signature layer, per algorithm ----------------------------------- */

START_TEST(test_jws_sig_valid)
{
	struct pb_jwk *k = key_for(algs[_i].key, NULL);
	uint8_t *sig;
	size_t siglen;

	sig = sign_with(algs[_i].alg, algs[_i].key, msg, strlen(msg),
	    &siglen);
	ck_assert_msg(verify(algs[_i].alg, k, sig, siglen) == PB_OK,
	    "%s does not verify", algs[_i].alg);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

START_TEST(test_jws_sig_flipped)
{
	struct pb_jwk *k = key_for(algs[_i].key, NULL);
	struct pb_err e;
	uint8_t *sig;
	size_t siglen, pos[4], i;
	char *m;

	sig = sign_with(algs[_i].alg, algs[_i].key, msg, strlen(msg),
	    &siglen);
	pos[0] = 0;
	pos[1] = siglen / 2;
	pos[2] = siglen / 2 - 1;	/* ECDSA: the end of r */
	pos[3] = siglen - 1;
	for (i = 0; i < 4; i++) {
		sig[pos[i]] ^= 0x01;
		ck_assert_msg(verify(algs[_i].alg, k, sig, siglen) ==
		    PB_ERR_SIG, "%s: flipped bit at %zu accepted",
		    algs[_i].alg, pos[i]);
		sig[pos[i]] ^= 0x01;
	}
	/* A flipped bit of the message. */
	m = tu_strdup(msg);
	m[5] ^= 0x20;
	ck_assert_int_eq(pb_jws_verify_sig(pb_alg_by_name(algs[_i].alg), k,
	    (const uint8_t *)m, strlen(m), sig, siglen, &e), PB_ERR_SIG);
	/* A longer message with the same prefix. */
	ck_assert_int_eq(pb_jws_verify_sig(pb_alg_by_name(algs[_i].alg), k,
	    (const uint8_t *)msg, strlen(msg) - 1, sig, siglen, &e),
	    PB_ERR_SIG);
	free(m);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

START_TEST(test_jws_sig_length)
{
	struct pb_jwk *k = key_for(algs[_i].key, NULL);
	uint8_t *sig, *longer;
	size_t siglen;

	sig = sign_with(algs[_i].alg, algs[_i].key, msg, strlen(msg),
	    &siglen);
	longer = tu_malloc(siglen + 1);
	memcpy(longer, sig, siglen);
	longer[siglen] = 0;
	ck_assert_int_eq(verify(algs[_i].alg, k, sig, siglen - 1),
	    PB_ERR_SIG);
	ck_assert_int_eq(verify(algs[_i].alg, k, sig + 1, siglen - 1),
	    PB_ERR_SIG);
	ck_assert_int_eq(verify(algs[_i].alg, k, longer, siglen + 1),
	    PB_ERR_SIG);
	ck_assert_int_eq(verify(algs[_i].alg, k, sig, 0), PB_ERR_SIG);
	ck_assert_int_eq(verify(algs[_i].alg, k, sig, siglen / 2),
	    PB_ERR_SIG);
	free(longer);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

/* RSA ------------------------------------------------------------------- */

/*
 * OpenSSL accepts an RSA signature with its leading zero byte dropped
 * (DESIGN.md "Traps"); RFC 8017 8.2.2 wants exactly k bytes.  Sign until
 * a signature starts with 0x00, then offer it one byte short.
 */
START_TEST(test_jws_rsa_one_byte_short)
{
	static const char *const a[] = { "RS256", "PS256" };
	struct pb_jwk *k = key_for("rsa2048", NULL);
	uint8_t *sig = NULL;
	size_t siglen = 0, i;
	char m[64];
	int n;

	for (i = 0; i < 2; i++) {
		for (n = 0; n < 5000; n++) {
			(void)snprintf(m, sizeof(m), "message %d", n);
			sig = sign_with(a[i], "rsa2048", m, strlen(m),
			    &siglen);
			if (sig[0] == 0)
				break;
			free(sig);
			sig = NULL;
		}
		ck_assert_ptr_nonnull(sig);
		ck_assert_uint_eq(siglen, 256);
		ck_assert_int_eq(pb_jws_verify_sig(pb_alg_by_name(a[i]), k,
		    (const uint8_t *)m, strlen(m), sig, siglen, NULL), PB_OK);
		ck_assert_int_eq(pb_jws_verify_sig(pb_alg_by_name(a[i]), k,
		    (const uint8_t *)m, strlen(m), sig + 1, siglen - 1, NULL),
		    PB_ERR_SIG);
		free(sig);
	}
	pb_jwk_free(k);
}
END_TEST

/* RS and PS on one key: a signature of one is not one of the other. */
START_TEST(test_jws_rsa_pss_swap)
{
	struct pb_jwk *k = key_for("rsa2048", NULL);
	uint8_t *sig;
	size_t siglen;

	sig = sign_with("RS256", "rsa2048", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("RS256", k, sig, siglen), PB_OK);
	ck_assert_int_eq(verify("PS256", k, sig, siglen), PB_ERR_SIG);
	ck_assert_int_eq(verify("RS384", k, sig, siglen), PB_ERR_SIG);
	free(sig);
	sig = sign_with("PS256", "rsa2048", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("PS256", k, sig, siglen), PB_OK);
	ck_assert_int_eq(verify("RS256", k, sig, siglen), PB_ERR_SIG);
	ck_assert_int_eq(verify("PS384", k, sig, siglen), PB_ERR_SIG);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

/* RSASSA-PSS with another salt length or MGF1 hash. */
static uint8_t *
pss_sign(const char *md, const char *mgf1, int saltlen, size_t *siglen)
{
	EVP_PKEY *pk = tu_load_key("rsa2048");
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *sig = tu_malloc(512);

	*siglen = 512;
	if (ctx == NULL ||
	    EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, pk, NULL) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1, NULL) != 1 ||
	    EVP_DigestSign(ctx, sig, siglen, (const uint8_t *)msg,
	    strlen(msg)) != 1)
		tu_die("PSS signing failed");
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return sig;
}

START_TEST(test_jws_pss_params)
{
	struct pb_jwk *k = key_for("rsa2048", NULL);
	uint8_t *sig;
	size_t siglen;

	/* The control: salt of the hash length, MGF1 of the same hash. */
	sig = pss_sign("SHA256", "SHA256", 32, &siglen);
	ck_assert_int_eq(verify("PS256", k, sig, siglen), PB_OK);
	free(sig);
	/* "auto" would accept these. */
	sig = pss_sign("SHA256", "SHA256", 0, &siglen);
	ck_assert_int_eq(verify("PS256", k, sig, siglen), PB_ERR_SIG);
	free(sig);
	sig = pss_sign("SHA256", "SHA256", 20, &siglen);
	ck_assert_int_eq(verify("PS256", k, sig, siglen), PB_ERR_SIG);
	free(sig);
	sig = pss_sign("SHA256", "SHA256", RSA_PSS_SALTLEN_MAX, &siglen);
	ck_assert_int_eq(verify("PS256", k, sig, siglen), PB_ERR_SIG);
	free(sig);
	/* MGF1 with SHA-1, the PKCS#1 default. */
	sig = pss_sign("SHA256", "SHA1", 32, &siglen);
	ck_assert_int_eq(verify("PS256", k, sig, siglen), PB_ERR_SIG);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

/* ECDSA ----------------------------------------------------------------- */

static const struct {
	const char	*alg;
	const char	*key;
	int		 nid;
	size_t		 size;
} ecs[] = {
	{ "ES256", "ec256", NID_X9_62_prime256v1, 32 },
	{ "ES384", "ec384", NID_secp384r1, 48 },
	{ "ES512", "ec521", NID_secp521r1, 66 },
};
#define NECS	((int)(sizeof(ecs) / sizeof(ecs[0])))

/* The curve order n, big-endian, size bytes. */
static void
ec_order(int nid, uint8_t *out, size_t size)
{
	EC_GROUP *g;

	if ((g = EC_GROUP_new_by_curve_name(nid)) == NULL ||
	    BN_bn2binpad(EC_GROUP_get0_order(g), out, (int)size) < 0)
		tu_die("curve order");
	EC_GROUP_free(g);
}

/* out = n - in, all size bytes big-endian (the high-s twin of s). */
static void
order_minus(int nid, const uint8_t *in, uint8_t *out, size_t size)
{
	BIGNUM *n = NULL, *s, *d;
	EC_GROUP *g;

	if ((g = EC_GROUP_new_by_curve_name(nid)) == NULL ||
	    (n = BN_dup(EC_GROUP_get0_order(g))) == NULL ||
	    (s = BN_bin2bn(in, (int)size, NULL)) == NULL ||
	    (d = BN_new()) == NULL || !BN_sub(d, n, s) ||
	    BN_bn2binpad(d, out, (int)size) < 0)
		tu_die("n - s");
	BN_free(n);
	BN_free(s);
	BN_free(d);
	EC_GROUP_free(g);
}

START_TEST(test_jws_ecdsa_raw_length)
{
	struct pb_jwk *k = key_for(ecs[_i].key, NULL);
	EVP_PKEY *pk = tu_load_key(ecs[_i].key);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *sig, der[160], buf[200];
	size_t siglen, derlen = sizeof(der), n = ecs[_i].size;

	sig = sign_with(ecs[_i].alg, ecs[_i].key, msg, strlen(msg), &siglen);
	ck_assert_uint_eq(siglen, 2 * n);
	/* Off by one either way, with the halves shifted or padded. */
	ck_assert_int_eq(verify(ecs[_i].alg, k, sig, 2 * n - 1), PB_ERR_SIG);
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 1, sig, 2 * n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n + 1), PB_ERR_SIG);
	memcpy(buf, sig, 2 * n);
	buf[2 * n] = 0;
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n + 1), PB_ERR_SIG);
	/* r and s each padded by a byte: 2n + 2, the "66 vs 65" mix-up. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 1, sig, n);
	memcpy(buf + n + 2, sig + n, n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n + 2), PB_ERR_SIG);
	/* OpenSSL's DER form is not a JWS signature. */
	if (ctx == NULL || EVP_DigestSignInit_ex(ctx, NULL,
	    ecs[_i].alg[2] == '2' ? "SHA256" : ecs[_i].alg[2] == '3' ?
	    "SHA384" : "SHA512", NULL, NULL, pk, NULL) != 1 ||
	    EVP_DigestSign(ctx, der, &derlen, (const uint8_t *)msg,
	    strlen(msg)) != 1)
		tu_die("DER signing failed");
	ck_assert_int_eq(verify(ecs[_i].alg, k, der, derlen), PB_ERR_SIG);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

/* r and s must be in [1, n-1]. */
START_TEST(test_jws_ecdsa_range)
{
	struct pb_jwk *k = key_for(ecs[_i].key, NULL);
	uint8_t *sig, buf[132], order[66];
	size_t siglen, n = ecs[_i].size;

	sig = sign_with(ecs[_i].alg, ecs[_i].key, msg, strlen(msg), &siglen);
	ec_order(ecs[_i].nid, order, n);
	/* r = 0 */
	memcpy(buf, sig, 2 * n);
	memset(buf, 0, n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n), PB_ERR_SIG);
	/* s = 0 */
	memcpy(buf, sig, 2 * n);
	memset(buf + n, 0, n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n), PB_ERR_SIG);
	/* both 0 */
	memset(buf, 0, 2 * n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n), PB_ERR_SIG);
	/* r = n */
	memcpy(buf, order, n);
	memcpy(buf + n, sig + n, n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n), PB_ERR_SIG);
	/* s = n */
	memcpy(buf, sig, n);
	memcpy(buf + n, order, n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n), PB_ERR_SIG);
	/* r = 0xff...ff, beyond n */
	memset(buf, 0xff, n);
	memcpy(buf + n, sig + n, n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n), PB_ERR_SIG);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

/* DESIGN.md: high-s signatures are valid ECDSA (no low-s rule in JOSE). */
START_TEST(test_jws_ecdsa_high_s)
{
	struct pb_jwk *k = key_for(ecs[_i].key, NULL);
	uint8_t *sig, buf[132];
	size_t siglen, n = ecs[_i].size;

	sig = sign_with(ecs[_i].alg, ecs[_i].key, msg, strlen(msg), &siglen);
	memcpy(buf, sig, n);
	order_minus(ecs[_i].nid, sig + n, buf + n, n);
	ck_assert_int_eq(verify(ecs[_i].alg, k, buf, 2 * n), PB_OK);
	ck_assert_int_eq(verify(ecs[_i].alg, k, sig, 2 * n), PB_OK);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

/* A key for one curve never verifies a signature for another. */
START_TEST(test_jws_ecdsa_wrong_curve)
{
	struct pb_jwk *k256 = key_for("ec256", NULL);
	struct pb_jwk *k384 = key_for("ec384", NULL);
	uint8_t *sig;
	size_t siglen;

	sig = sign_with("ES256", "ec256", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("ES384", k256, sig, siglen), PB_ERR_ALG);
	ck_assert_int_eq(verify("ES256", k384, sig, siglen), PB_ERR_ALG);
	free(sig);
	pb_jwk_free(k256);
	pb_jwk_free(k384);
}
END_TEST

/* Algorithm confusion (RFC 8725 2.1, 3.1) ------------------------------- */

START_TEST(test_jws_key_alg_mismatch)
{
	struct pb_jwk *rs256 = key_for("rsa2048", "RS256");
	struct pb_jwk *rsa = key_for("rsa2048", NULL);
	struct pb_jwk *ec = key_for("ec256", NULL);
	struct pb_jwk *ed = key_for("ed25519", "EdDSA");
	uint8_t *sig;
	size_t siglen;

	/* A key that says RS256 refuses a valid PS256 signature. */
	sig = sign_with("PS256", "rsa2048", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("PS256", rsa, sig, siglen), PB_OK);
	ck_assert_int_eq(verify("PS256", rs256, sig, siglen), PB_ERR_ALG);
	free(sig);
	sig = sign_with("RS384", "rsa2048", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("RS384", rs256, sig, siglen), PB_ERR_ALG);
	free(sig);
	/* kty against the alg. */
	sig = sign_with("ES256", "ec256", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("RS256", ec, sig, siglen), PB_ERR_ALG);
	ck_assert_int_eq(verify("EdDSA", ec, sig, siglen), PB_ERR_ALG);
	free(sig);
	sig = sign_with("EdDSA", "ed25519", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("Ed25519", ed, sig, siglen), PB_OK);
	ck_assert_int_eq(verify("ES256", ed, sig, siglen), PB_ERR_ALG);
	free(sig);
	pb_jwk_free(rs256);
	pb_jwk_free(rsa);
	pb_jwk_free(ec);
	pb_jwk_free(ed);
}
END_TEST

/*
 * The classic confusion: HS256 with the RSA public key's bytes as the HMAC
 * secret.  The public key must never act as an HMAC key.
 */
START_TEST(test_jws_hmac_with_public_key)
{
	static const char *const names[] = { "rsa2048", "ec256", "ed25519" };
	struct pb_jwk *k;
	EVP_PKEY *pk;
	uint8_t *sig;
	size_t siglen, i;
	char *pub;

	for (i = 0; i < 3; i++) {
		pk = tu_load_key(names[i]);
		pub = tu_jwk(pk, NULL, NULL, NULL);
		sig = tu_sig("HS256", NULL, pub, strlen(pub), msg, strlen(msg),
		    &siglen);
		k = key_for(names[i], NULL);
		ck_assert_int_eq(verify("HS256", k, sig, siglen), PB_ERR_ALG);
		free(sig);
		free(pub);
		pb_jwk_free(k);
		EVP_PKEY_free(pk);
	}
}
END_TEST

/* HMAC ------------------------------------------------------------------ */

START_TEST(test_jws_hmac_short_key)
{
	struct pb_jwk *k32 = key_for("hmac32", NULL);
	uint8_t *sig;
	size_t siglen;

	ck_assert_uint_eq(k32->secret.len, 32);
	/* Correct MACs, but the key is shorter than the hash. */
	sig = sign_with("HS384", "hmac32", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("HS384", k32, sig, siglen), PB_ERR_ALG);
	free(sig);
	sig = sign_with("HS512", "hmac32", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("HS512", k32, sig, siglen), PB_ERR_ALG);
	free(sig);
	sig = sign_with("HS256", "hmac32", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("HS256", k32, sig, siglen), PB_OK);
	/* A truncated MAC is not a MAC. */
	ck_assert_int_eq(verify("HS256", k32, sig, 16), PB_ERR_SIG);
	free(sig);
	pb_jwk_free(k32);
}
END_TEST

/* Another secret: same length, different bytes. */
START_TEST(test_jws_hmac_wrong_key)
{
	struct pb_jwk *k = NULL;
	uint8_t other[32], *sig;
	size_t siglen;

	memset(other, 'a', sizeof(other));
	ck_assert_int_eq(pb_jwk_from_secret(other, sizeof(other), &k, NULL),
	    PB_OK);
	sig = sign_with("HS256", "hmac32", msg, strlen(msg), &siglen);
	ck_assert_int_eq(verify("HS256", k, sig, siglen), PB_ERR_SIG);
	free(sig);
	pb_jwk_free(k);
}
END_TEST

/* pb_jws_parse ---------------------------------------------------------- */

static int
parse(const char *tok, struct pb_jws **out, struct pb_err *e)
{
	pb_err_clear(e);
	return pb_jws_parse(tok, strlen(tok), MAXTOK, out, e);
}

/* tok must fail to parse with code want. */
static void
bad_tok(const char *tok, int want)
{
	struct pb_jws *j = (struct pb_jws *)&j;
	struct pb_err e;
	int r;

	r = parse(tok, &j, &e);
	ck_assert_msg(r == want, "'%.80s': got %d, want %d", tok, r, want);
	ck_assert_ptr_null(j);
	ck_assert_int_eq(e.code, want);
}

/* A token with header h, payload {"sub":"a"} and a 3-byte signature. */
static char *
tok_h(const char *h)
{
	return tu_token(h, "{\"sub\":\"a\"}", "sig", 3);
}

static void
bad_header(const char *h, int want)
{
	char *t = tok_h(h);

	bad_tok(t, want);
	free(t);
}

START_TEST(test_jws_parse_ok)
{
	struct pb_jws *j = NULL;
	struct pb_err e;
	char *t;

	t = tu_token("{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
	    "{\"sub\":\"alice\"}", "\x01\x02\x03", 3);
	ck_assert_int_eq(parse(t, &j, &e), PB_OK);
	ck_assert_ptr_eq(j->alg, pb_alg_by_name("ES256"));
	ck_assert_str_eq(j->alg_name, "ES256");
	ck_assert_str_eq(j->kid, "k1");
	ck_assert_uint_eq(j->payload_len, strlen("{\"sub\":\"alice\"}"));
	ck_assert_str_eq((const char *)j->payload, "{\"sub\":\"alice\"}");
	ck_assert_uint_eq(j->sig_len, 3);
	ck_assert_mem_eq(j->sig, "\x01\x02\x03", 3);
	ck_assert_uint_eq(j->signing_len, (size_t)(strrchr(t, '.') - t));
	ck_assert(strncmp(j->signing_input, t, j->signing_len) == 0);
	ck_assert_int_eq(j->signing_input[j->signing_len], '\0');
	pb_jws_free(j);
	free(t);
	pb_jws_free(NULL);
}
END_TEST

/* An unknown alg parses (refused later, by pb_jws_check_header()). */
START_TEST(test_jws_parse_unknown_alg)
{
	struct pb_jwk *k;
	struct pb_jws *j = NULL;
	struct pb_err e;
	char *t;

	t = tok_h("{\"alg\":\"XS999\"}");
	ck_assert_int_eq(parse(t, &j, &e), PB_OK);
	ck_assert_ptr_null(j->alg);
	ck_assert_str_eq(j->alg_name, "XS999");
	ck_assert_ptr_null(j->kid);
	k = key_for("rsa2048", NULL);
	ck_assert_int_eq(pb_jws_verify(j, k, &e), PB_ERR_ALG);
	pb_jwk_free(k);
	pb_jws_free(j);
	free(t);
}
END_TEST

START_TEST(test_jws_parse_segments)
{
	char *t, *s;

	t = tok_h("{\"alg\":\"RS256\"}");
	bad_tok("", PB_ERR_FORMAT);
	bad_tok("abc", PB_ERR_FORMAT);
	bad_tok(".", PB_ERR_FORMAT);
	bad_tok("..", PB_ERR_FORMAT);
	bad_tok("...", PB_ERR_FORMAT);
	s = tu_asprintf("%s.c2ln", t);		/* four segments */
	bad_tok(s, PB_ERR_FORMAT);
	free(s);
	s = tu_asprintf("%s.c2ln.c2ln", t);	/* five: JWE */
	bad_tok(s, PB_ERR_FORMAT);
	free(s);
	s = tu_strdup(t);			/* two: drop the signature */
	*strrchr(s, '.') = '\0';
	bad_tok(s, PB_ERR_FORMAT);
	free(s);
	free(t);
}
END_TEST

START_TEST(test_jws_parse_empty_parts)
{
	char *h, *t;

	h = tu_b64url_str("{\"alg\":\"RS256\"}");
	bad_tok(".eyJzdWIiOiJhIn0.c2ln", PB_ERR_FORMAT);	/* header */
	t = tu_asprintf("%s.eyJzdWIiOiJhIn0.", h);		/* signature */
	bad_tok(t, PB_ERR_FORMAT);
	free(t);
	/* alg "none" with its empty signature. */
	t = tu_sign("none", NULL, NULL, 0, "{\"alg\":\"none\"}",
	    "{\"sub\":\"a\"}");
	bad_tok(t, PB_ERR_FORMAT);
	free(t);
	free(h);
}
END_TEST

START_TEST(test_jws_parse_padding)
{
	char *t, *s, *d1, *d2;

	/* {"alg":"RS256"} is 15 bytes: its encoding needs one '='. */
	t = tok_h("{\"alg\":\"RS256\"}");
	d1 = strchr(t, '.');
	d2 = strrchr(t, '.');
	s = tu_asprintf("%.*s=%s", (int)(d1 - t), t, d1);
	bad_tok(s, PB_ERR_FORMAT);
	free(s);
	s = tu_asprintf("%.*s=%s", (int)(d2 - t), t, d2);
	bad_tok(s, PB_ERR_FORMAT);
	free(s);
	s = tu_asprintf("%s=", t);
	bad_tok(s, PB_ERR_FORMAT);
	free(s);
	s = tu_asprintf("%s==", t);
	bad_tok(s, PB_ERR_FORMAT);
	free(s);
	free(t);
}
END_TEST

START_TEST(test_jws_parse_bad_chars)
{
	static const char *const bad[] = {
		"+", "/", "!", "\"", "*", "%2E", "\xc3\xa9", "\x80", "\x7f"
	};
	char *t, *s;
	size_t i, cut;

	t = tok_h("{\"alg\":\"RS256\"}");
	cut = (size_t)(strchr(t, '.') - t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* In the header, the payload and the signature. */
		s = tu_asprintf("%.4s%s%s", t, bad[i], t + 4);
		bad_tok(s, PB_ERR_FORMAT);
		free(s);
		s = tu_asprintf("%.*s%s%s", (int)cut + 3, t, bad[i],
		    t + cut + 3);
		bad_tok(s, PB_ERR_FORMAT);
		free(s);
		s = tu_asprintf("%s%s", t, bad[i]);
		bad_tok(s, PB_ERR_FORMAT);
		free(s);
	}
	free(t);
}
END_TEST

START_TEST(test_jws_parse_whitespace)
{
	static const char *const ws[] = { " ", "\t", "\n", "\r\n", "\v" };
	char *t, *s;
	size_t i, cut;

	t = tok_h("{\"alg\":\"RS256\"}");
	cut = (size_t)(strchr(t, '.') - t);
	for (i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		s = tu_asprintf("%s%s", ws[i], t);
		bad_tok(s, PB_ERR_FORMAT);
		free(s);
		s = tu_asprintf("%s%s", t, ws[i]);
		bad_tok(s, PB_ERR_FORMAT);
		free(s);
		s = tu_asprintf("%.*s%s%s", (int)cut, t, ws[i], t + cut);
		bad_tok(s, PB_ERR_FORMAT);
		free(s);
		s = tu_asprintf("%.*s%s%s", (int)cut + 1, t, ws[i],
		    t + cut + 1);
		bad_tok(s, PB_ERR_FORMAT);
		free(s);
	}
	free(t);
}
END_TEST

/* Only len bytes are read; a NUL inside them is a bad character. */
START_TEST(test_jws_parse_length)
{
	struct pb_jws *j = NULL;
	struct pb_err e;
	char *t, *s;

	t = tok_h("{\"alg\":\"RS256\"}");
	s = tu_asprintf("%s.garbage", t);
	ck_assert_int_eq(pb_jws_parse(s, strlen(t), MAXTOK, &j, &e), PB_OK);
	pb_jws_free(j);
	j = NULL;
	s[strlen(t)] = '\0';
	ck_assert_int_eq(pb_jws_parse(s, strlen(t) + 1, MAXTOK, &j, &e),
	    PB_ERR_FORMAT);
	ck_assert_ptr_null(j);
	free(s);
	free(t);
}
END_TEST

START_TEST(test_jws_parse_header_not_object)
{
	bad_header("[]", PB_ERR_FORMAT);
	bad_header("[{\"alg\":\"RS256\"}]", PB_ERR_FORMAT);
	bad_header("\"RS256\"", PB_ERR_FORMAT);
	bad_header("1", PB_ERR_FORMAT);
	bad_header("null", PB_ERR_FORMAT);
	bad_header("true", PB_ERR_FORMAT);
	bad_header("", PB_ERR_FORMAT);
	bad_header("{", PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_jws_parse_header_json)
{
	/* Strict JSON: duplicates, trailing data, NUL escapes, bad UTF-8. */
	bad_header("{\"alg\":\"RS256\",\"alg\":\"none\"}", PB_ERR_FORMAT);
	bad_header("{\"alg\":\"none\",\"alg\":\"RS256\"}", PB_ERR_FORMAT);
	bad_header("{\"alg\":\"RS256\",\"kid\":\"a\",\"kid\":\"b\"}",
	    PB_ERR_FORMAT);
	bad_header("{\"alg\":\"RS256\"}x", PB_ERR_FORMAT);
	bad_header("{\"alg\":\"RS256\"}{}", PB_ERR_FORMAT);
	bad_header("{\"alg\":\"RS256\\u0000\"}", PB_ERR_FORMAT);
	bad_header("{\"alg\\u0000x\":\"none\",\"alg\":\"RS256\"}",
	    PB_ERR_FORMAT);
	bad_header("{\"alg\":\"RS256\",\"x\":\"\xff\"}", PB_ERR_FORMAT);
	bad_header("{'alg':'RS256'}", PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_jws_parse_header_alg)
{
	bad_header("{}", PB_ERR_FORMAT);
	bad_header("{\"typ\":\"JWT\"}", PB_ERR_FORMAT);
	bad_header("{\"ALG\":\"RS256\"}", PB_ERR_FORMAT);	/* case */
	bad_header("{\"Alg\":\"RS256\"}", PB_ERR_FORMAT);
	bad_header("{\"alg\":256}", PB_ERR_FORMAT);
	bad_header("{\"alg\":null}", PB_ERR_FORMAT);
	bad_header("{\"alg\":[\"RS256\"]}", PB_ERR_FORMAT);
	bad_header("{\"alg\":{\"name\":\"RS256\"}}", PB_ERR_FORMAT);
	bad_header("{\"alg\":\"RS256\",\"kid\":7}", PB_ERR_FORMAT);
	bad_header("{\"alg\":\"RS256\",\"kid\":null}", PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_jws_parse_too_big)
{
	struct pb_jws *j = NULL;
	struct pb_err e;
	char *big, *t, *claims;
	size_t n = 100 * 1024;

	big = tu_malloc(n + 1);
	memset(big, 'A', n);
	big[n] = '\0';
	big[1000] = '.';
	big[2000] = '.';
	pb_err_clear(&e);
	ck_assert_int_eq(pb_jws_parse(big, n, MAXTOK, &j, &e), PB_ERR_TOOBIG);
	ck_assert_ptr_null(j);
	ck_assert_int_eq(e.code, PB_ERR_TOOBIG);
	/* Not a well-formed token either: the size check comes first. */
	ck_assert_int_eq(pb_jws_parse(big, n, n - 1, &j, &e), PB_ERR_TOOBIG);
	free(big);
	/* Exactly at the limit is fine; one byte over is not. */
	t = tok_h("{\"alg\":\"RS256\"}");
	ck_assert_int_eq(pb_jws_parse(t, strlen(t), strlen(t), &j, &e),
	    PB_OK);
	pb_jws_free(j);
	j = NULL;
	ck_assert_int_eq(pb_jws_parse(t, strlen(t), strlen(t) - 1, &j, &e),
	    PB_ERR_TOOBIG);
	free(t);
	/* A huge header inside a generous limit is still refused. */
	claims = tu_malloc(n + 32);
	memcpy(claims, "{\"alg\":\"RS256\",\"x\":\"", 20);
	memset(claims + 20, 'x', n);
	memcpy(claims + 20 + n, "\"}", 3);
	t = tok_h(claims);
	pb_err_clear(&e);
	ck_assert_int_ne(pb_jws_parse(t, strlen(t), 4 * n, &j, &e), PB_OK);
	ck_assert_ptr_null(j);
	free(t);
	free(claims);
}
END_TEST

/* pb_jws_check_header --------------------------------------------------- */

/* Parse a token with header h and check the header against mask. */
static int
check_h(const char *h, unsigned mask, struct pb_err *e)
{
	struct pb_jws *j = NULL;
	char *t = tok_h(h);
	int r;

	r = parse(t, &j, e);
	ck_assert_msg(r == PB_OK, "header %s: parse %d", h, r);
	pb_err_clear(e);
	r = pb_jws_check_header(j, mask, e);
	if (r != PB_OK)
		ck_assert_int_eq(e->code, r);
	pb_jws_free(j);
	free(t);
	return r;
}

#define ALL	(~0u)

START_TEST(test_jws_header_none)
{
	static const char *const nones[] = {
		"none", "None", "NONE", "nOnE", "noNe"
	};
	struct pb_err e;
	char *h;
	size_t i;

	for (i = 0; i < sizeof(nones) / sizeof(nones[0]); i++) {
		h = tu_asprintf("{\"alg\":\"%s\",\"typ\":\"JWT\"}", nones[i]);
		ck_assert_msg(check_h(h, ALL, &e) == PB_ERR_ALG,
		    "alg %s accepted", nones[i]);
		free(h);
	}
	/* "none" with trimmings is unknown: refused all the same. */
	ck_assert_int_eq(check_h("{\"alg\":\"none \"}", ALL, &e), PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"\"}", ALL, &e), PB_ERR_ALG);
}
END_TEST

START_TEST(test_jws_header_alg_mask)
{
	struct pb_err e;
	unsigned es256 = pb_alg_by_name("ES256")->bit;

	ck_assert_int_eq(check_h("{\"alg\":\"ES256\"}", es256, &e), PB_OK);
	ck_assert_int_eq(check_h("{\"alg\":\"RS256\"}", es256, &e),
	    PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"ES384\"}", es256, &e),
	    PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"ES256\"}", 0, &e), PB_ERR_ALG);
	/* HMAC is off by default. */
	ck_assert_int_eq(check_h("{\"alg\":\"HS256\"}", pb_alg_default_mask(),
	    &e), PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"RS256\"}", pb_alg_default_mask(),
	    &e), PB_OK);
	/* EdDSA and Ed25519 are separate allowlist entries. */
	ck_assert_int_eq(check_h("{\"alg\":\"Ed25519\"}",
	    pb_alg_by_name("EdDSA")->bit, &e), PB_ERR_ALG);
}
END_TEST

START_TEST(test_jws_header_alg_unknown)
{
	struct pb_err e;

	ck_assert_int_eq(check_h("{\"alg\":\"rs256\"}", ALL, &e), PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"RS1\"}", ALL, &e), PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"ES256K\"}", ALL, &e), PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"RSA-OAEP\"}", ALL, &e),
	    PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"dir\"}", ALL, &e), PB_ERR_ALG);
	ck_assert_int_eq(check_h("{\"alg\":\"Ed448\"}", ALL, &e), PB_ERR_ALG);
}
END_TEST

START_TEST(test_jws_header_crit)
{
	struct pb_err e;

	ck_assert_int_eq(check_h("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", ALL,
	    &e), PB_ERR_HEADER);
	ck_assert_int_eq(check_h("{\"alg\":\"RS256\",\"crit\":[\"b64\"],"
	    "\"b64\":false}", ALL, &e), PB_ERR_HEADER);
	ck_assert_int_eq(check_h("{\"alg\":\"RS256\",\"crit\":[]}", ALL, &e),
	    PB_ERR_HEADER);
	ck_assert_int_eq(check_h("{\"alg\":\"RS256\",\"crit\":null}", ALL,
	    &e), PB_ERR_HEADER);
	ck_assert_int_eq(check_h("{\"alg\":\"RS256\",\"crit\":\"exp\"}", ALL,
	    &e), PB_ERR_HEADER);
	/* Case matters: "Crit" is just an unknown member. */
	ck_assert_int_eq(check_h("{\"alg\":\"RS256\",\"Crit\":[\"x\"]}", ALL,
	    &e), PB_OK);
}
END_TEST

START_TEST(test_jws_header_typ_ok)
{
	static const char *const ok[] = {
		"JWT", "jwt", "JwT", "at+jwt", "AT+JWT", "application/at+jwt",
		"Application/AT+JWT"
	};
	struct pb_err e;
	char *h;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		h = tu_asprintf("{\"alg\":\"ES256\",\"typ\":\"%s\"}", ok[i]);
		ck_assert_msg(check_h(h, ALL, &e) == PB_OK, "typ %s: %s",
		    ok[i], e.msg);
		free(h);
	}
	ck_assert_int_eq(check_h("{\"alg\":\"ES256\"}", ALL, &e), PB_OK);
}
END_TEST

START_TEST(test_jws_header_typ_bad)
{
	static const char *const bad[] = {
		"JWS", "JOSE", "JOSE+JSON", "jwe", "dpop+jwt", "logout+jwt",
		"secevent+jwt", "at+jwt; charset=utf-8", "", "JWT ", " JWT",
		"JWTX", "at+jw", "text/plain", "application/json"
	};
	struct pb_err e;
	char *h;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h = tu_asprintf("{\"alg\":\"ES256\",\"typ\":\"%s\"}", bad[i]);
		ck_assert_msg(check_h(h, ALL, &e) == PB_ERR_HEADER,
		    "typ '%s' accepted", bad[i]);
		free(h);
	}
	ck_assert_int_eq(check_h("{\"alg\":\"ES256\",\"typ\":1}", ALL, &e),
	    PB_ERR_HEADER);
	ck_assert_int_eq(check_h("{\"alg\":\"ES256\",\"typ\":null}", ALL, &e),
	    PB_ERR_HEADER);
	ck_assert_int_eq(check_h("{\"alg\":\"ES256\",\"typ\":[\"JWT\"]}", ALL,
	    &e), PB_ERR_HEADER);
}
END_TEST

/* The message quotes a hostile typ escaped. */
START_TEST(test_jws_header_typ_escaped)
{
	struct pb_err e;

	ck_assert_int_eq(check_h("{\"alg\":\"ES256\",\"typ\":\"x\\ny\"}", ALL,
	    &e), PB_ERR_HEADER);
	ck_assert_ptr_null(strchr(e.msg, '\n'));
}
END_TEST

/* jku, x5u, jwk, x5c ----------------------------------------------------- */

static struct pb_jwks *vset;

static void
setup_vset(void)
{
	struct pb_err e;
	char *path;

	path = tu_asprintf("%s/jwks.json", tu_datadir());
	vset = NULL;
	if (pb_jwks_load(path, 0, NULL, NULL, &vset, &e) != PB_OK)
		tu_die("cannot load %s: %s", path, pb_err_msg(&e));
	free(path);
}

static void
teardown_vset(void)
{
	pb_jwks_free(vset);
	vset = NULL;
}

/*
 * Parse, check the header, find the key in vset by the token's kid, and
 * verify: the signature layer as pb_jwt_verify() drives it.
 */
static int
verify_token(const char *tok)
{
	const struct pb_jwk *k = NULL;
	struct pb_jws *j = NULL;
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	if ((r = pb_jws_parse(tok, strlen(tok), MAXTOK, &j, &e)) == PB_OK &&
	    (r = pb_jws_check_header(j, pb_alg_default_mask(), &e)) == PB_OK &&
	    (r = pb_jwks_find(vset, j->kid, j->alg, &k, &e)) == PB_OK)
		r = pb_jws_verify(j, k, &e);
	pb_jws_free(j);
	return r;
}

/* Headers that name keys, each holding or pointing at the attacker's. */
static char **
key_headers(const char *attacker_jwk, size_t *np)
{
	char **h = tu_malloc(6 * sizeof(*h));

	h[0] = tu_asprintf("{\"alg\":\"ES256\",\"kid\":\"ec1\",\"jwk\":%s}",
	    attacker_jwk);
	h[1] = tu_asprintf("{\"alg\":\"ES256\",\"jwk\":%s}", attacker_jwk);
	h[2] = tu_strdup("{\"alg\":\"ES256\",\"kid\":\"ec1\","
	    "\"jku\":\"https://attacker.example/jwks.json\"}");
	h[3] = tu_strdup("{\"alg\":\"ES256\","
	    "\"x5u\":\"https://attacker.example/cert.pem\"}");
	h[4] = tu_strdup("{\"alg\":\"ES256\",\"kid\":\"ec1\","
	    "\"x5c\":[\"MIIBszCCAVmgAwIBAgIUQ\"]}");
	h[5] = tu_asprintf("{\"alg\":\"ES256\",\"kid\":\"attacker\","
	    "\"jwk\":%s}", attacker_jwk);
	*np = 6;
	return h;
}

START_TEST(test_jws_key_headers_attacker)
{
	EVP_PKEY *attacker = tu_genkey("ec256");
	char *ajwk, **h, *t;
	size_t n, i;

	ajwk = tu_jwk(attacker, "ec1", "ES256", "sig");
	h = key_headers(ajwk, &n);
	for (i = 0; i < n; i++) {
		t = tu_sign("ES256", attacker, NULL, 0, h[i],
		    "{\"sub\":\"root\"}");
		/* The JWKS key is found and refuses; "attacker" is no kid. */
		ck_assert_msg(verify_token(t) == (i == n - 1 ? PB_ERR_NOKEY :
		    PB_ERR_SIG), "attacker's token: %s", h[i]);
		free(t);
		free(h[i]);
	}
	free(h);
	free(ajwk);
	EVP_PKEY_free(attacker);
}
END_TEST

/* The same headers on a token the real key signed: ignored, not refused. */
START_TEST(test_jws_key_headers_ignored)
{
	EVP_PKEY *attacker = tu_genkey("ec256");
	EVP_PKEY *real = tu_load_key("ec256");
	char *ajwk, **h, *t;
	size_t n, i;

	ajwk = tu_jwk(attacker, "ec1", "ES256", "sig");
	h = key_headers(ajwk, &n);
	for (i = 0; i < n - 1; i++) {
		t = tu_sign("ES256", real, NULL, 0, h[i], "{\"sub\":\"a\"}");
		ck_assert_msg(verify_token(t) == PB_OK,
		    "real token refused: %s", h[i]);
		free(t);
	}
	for (i = 0; i < n; i++)
		free(h[i]);
	free(h);
	free(ajwk);
	EVP_PKEY_free(attacker);
	EVP_PKEY_free(real);
}
END_TEST

/* The signature layer end to end, per algorithm family, via vset. */
START_TEST(test_jws_token_end_to_end)
{
	static const struct {
		const char	*alg;
		const char	*key;
		const char	*kid;
	} t[] = {
		{ "RS256", "rsa2048", "rsa1" },
		{ "PS256", "rsa2048b", "rsa-pss" },
		{ "ES256", "ec256", "ec1" },
		{ "ES384", "ec384", "ec384" },
		{ "ES512", "ec521", "ec521" },
		{ "EdDSA", "ed25519", "ed1" },
		{ "Ed25519", "ed25519", "ed1" },
	};
	EVP_PKEY *pk;
	char *h, *tok;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		pk = tu_load_key(t[i].key);
		h = tu_asprintf("{\"alg\":\"%s\",\"kid\":\"%s\","
		    "\"typ\":\"JWT\"}", t[i].alg, t[i].kid);
		tok = tu_sign(t[i].alg, pk, NULL, 0, h, "{\"sub\":\"a\"}");
		ck_assert_msg(verify_token(tok) == PB_OK, "%s", t[i].alg);
		free(tok);
		/* Signed with one alg, the header naming a sibling. */
		tok = tu_sign(t[i].alg[0] == 'R' ? "PS256" : t[i].alg[0] ==
		    'P' ? "RS256" : t[i].alg, pk, NULL, 0, h,
		    "{\"sub\":\"a\"}");
		if (t[i].alg[0] == 'R' || t[i].alg[0] == 'P')
			ck_assert_msg(verify_token(tok) == PB_ERR_SIG, "%s",
			    t[i].alg);
		free(tok);
		free(h);
		EVP_PKEY_free(pk);
	}
}
END_TEST

static Suite *
jws_suite(void)
{
	Suite *s = suite_create("jws");
	TCase *tc;

	tc = tcase_create("sig_valid");
	tcase_add_loop_test(tc, test_jws_sig_valid, 0, NALGS);
	suite_add_tcase(s, tc);

	tc = tcase_create("sig_flipped");
	tcase_add_loop_test(tc, test_jws_sig_flipped, 0, NALGS);
	suite_add_tcase(s, tc);

	tc = tcase_create("sig_length");
	tcase_add_loop_test(tc, test_jws_sig_length, 0, NALGS);
	suite_add_tcase(s, tc);

	tc = tcase_create("rsa");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_jws_rsa_one_byte_short);
	tcase_add_test(tc, test_jws_rsa_pss_swap);
	tcase_add_test(tc, test_jws_pss_params);
	suite_add_tcase(s, tc);

	tc = tcase_create("ecdsa");
	tcase_add_loop_test(tc, test_jws_ecdsa_raw_length, 0, NECS);
	tcase_add_loop_test(tc, test_jws_ecdsa_range, 0, NECS);
	tcase_add_loop_test(tc, test_jws_ecdsa_high_s, 0, NECS);
	tcase_add_test(tc, test_jws_ecdsa_wrong_curve);
	suite_add_tcase(s, tc);

	tc = tcase_create("confusion");
	tcase_add_test(tc, test_jws_key_alg_mismatch);
	tcase_add_test(tc, test_jws_hmac_with_public_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("hmac");
	tcase_add_test(tc, test_jws_hmac_short_key);
	tcase_add_test(tc, test_jws_hmac_wrong_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_jws_parse_ok);
	tcase_add_test(tc, test_jws_parse_unknown_alg);
	tcase_add_test(tc, test_jws_parse_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_segments");
	tcase_add_test(tc, test_jws_parse_segments);
	tcase_add_test(tc, test_jws_parse_empty_parts);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_base64url");
	tcase_add_test(tc, test_jws_parse_padding);
	tcase_add_test(tc, test_jws_parse_bad_chars);
	tcase_add_test(tc, test_jws_parse_whitespace);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_header");
	tcase_add_test(tc, test_jws_parse_header_not_object);
	tcase_add_test(tc, test_jws_parse_header_json);
	tcase_add_test(tc, test_jws_parse_header_alg);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_size");
	tcase_add_test(tc, test_jws_parse_too_big);
	suite_add_tcase(s, tc);

	tc = tcase_create("header_alg");
	tcase_add_test(tc, test_jws_header_none);
	tcase_add_test(tc, test_jws_header_alg_mask);
	tcase_add_test(tc, test_jws_header_alg_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("header_crit");
	tcase_add_test(tc, test_jws_header_crit);
	suite_add_tcase(s, tc);

	tc = tcase_create("header_typ");
	tcase_add_test(tc, test_jws_header_typ_ok);
	tcase_add_test(tc, test_jws_header_typ_bad);
	tcase_add_test(tc, test_jws_header_typ_escaped);
	suite_add_tcase(s, tc);

	tc = tcase_create("key_headers");
	tcase_add_checked_fixture(tc, setup_vset, teardown_vset);
	tcase_add_test(tc, test_jws_key_headers_attacker);
	tcase_add_test(tc, test_jws_key_headers_ignored);
	tcase_add_test(tc, test_jws_token_end_to_end);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(jws_suite());
}
