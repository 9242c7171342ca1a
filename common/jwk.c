/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "b64url.h"
#include "err.h"
#include "json.h"
#include "jwk.h"
#include "jwk_kty.h"
#include "sbuf.h"
#include "secmem.h"

/*
 * The algorithm table (RFC 7518 section 3, RFC 8037, RFC 9864).  Nothing
 * else in the project maps an alg name to key type, digest or padding.
 * "none" is deliberately absent: it can never be looked up.
 */
static const struct pb_alg algs[] = {
	{ "RS256", 1u << 0, 0, PB_KTY_RSA, "SHA256", 0, 0, 0 },
	{ "RS384", 1u << 1, 1, PB_KTY_RSA, "SHA384", 0, 0, 0 },
	{ "RS512", 1u << 2, 2, PB_KTY_RSA, "SHA512", 0, 0, 0 },
	{ "PS256", 1u << 3, 3, PB_KTY_RSA, "SHA256", 1, 0, 0 },
	{ "PS384", 1u << 4, 4, PB_KTY_RSA, "SHA384", 1, 0, 0 },
	{ "PS512", 1u << 5, 5, PB_KTY_RSA, "SHA512", 1, 0, 0 },
	{ "ES256", 1u << 6, 6, PB_KTY_EC, "SHA256", 0,
	    NID_X9_62_prime256v1, 32 },
	{ "ES384", 1u << 7, 7, PB_KTY_EC, "SHA384", 0, NID_secp384r1, 48 },
	{ "ES512", 1u << 8, 8, PB_KTY_EC, "SHA512", 0, NID_secp521r1, 66 },
	/* RFC 9864: "Ed25519" is the fully specified name of EdDSA here. */
	{ "EdDSA", 1u << 9, 9, PB_KTY_OKP, NULL, 0, NID_ED25519, 0 },
	{ "Ed25519", 1u << 10, 9, PB_KTY_OKP, NULL, 0, NID_ED25519, 0 },
	{ "HS256", 1u << 11, 11, PB_KTY_OCT, "SHA256", 0, 0, 32 },
	{ "HS384", 1u << 12, 12, PB_KTY_OCT, "SHA384", 0, 0, 48 },
	{ "HS512", 1u << 13, 13, PB_KTY_OCT, "SHA512", 0, 0, 64 },
};
#define NALGS	(sizeof(algs) / sizeof(algs[0]))

const struct pb_alg *
pb_alg_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NALGS; i++)
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	return NULL;
}

const struct pb_alg *
pb_alg_at(size_t i)
{
	return i < NALGS ? &algs[i] : NULL;
}

unsigned
pb_alg_default_mask(void)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (algs[i].kty != PB_KTY_OCT)
			m |= algs[i].bit;
	return m;
}

static const char *
kty_name(enum pb_kty kty)
{
	switch (kty) {
	case PB_KTY_RSA:
		return "RSA";
	case PB_KTY_EC:
		return "EC";
	case PB_KTY_OKP:
		return "OKP";
	case PB_KTY_OCT:
		return "oct";
	}
	return "?";
}

/* use, key_ops and alg: what the key says about its own purpose. */
static int
key_purpose(const cJSON *obj, struct pb_jwk *k, struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ];
	const cJSON *use = pb_json_get(obj, "use");
	const cJSON *ops = pb_json_get(obj, "key_ops");
	const cJSON *alg = pb_json_get(obj, "alg");
	const cJSON *op;
	int verify = 0;

	if (use != NULL && (!cJSON_IsString(use) ||
	    strcmp(use->valuestring, "sig") != 0))
		return pb_err_set(e, PB_ERR_KEY, "use '%s' is not 'sig'",
		    pb_log_safe(cJSON_IsString(use) ? use->valuestring :
		    "(not a string)", sp, sizeof(sp)));
	if (ops != NULL) {
		if (!cJSON_IsArray(ops))
			return pb_err_set(e, PB_ERR_KEY, "key_ops is not an "
			    "array");
		cJSON_ArrayForEach(op, ops) {
			if (!cJSON_IsString(op))
				return pb_err_set(e, PB_ERR_KEY, "key_ops "
				    "holds a non-string");
			if (strcmp(op->valuestring, "verify") == 0)
				verify = 1;
		}
		if (!verify)
			return pb_err_set(e, PB_ERR_KEY, "key_ops does not "
			    "allow 'verify'");
		k->has_key_ops = 1;
	}
	if (alg != NULL) {
		if (!cJSON_IsString(alg))
			return pb_err_set(e, PB_ERR_KEY, "alg is not a string");
		if ((k->alg = pb_alg_by_name(alg->valuestring)) == NULL)
			return pb_err_set(e, PB_ERR_KEY, "alg '%s' is not a "
			    "signature algorithm we support",
			    pb_log_safe(alg->valuestring, sp, sizeof(sp)));
		if (k->alg->kty != k->kty)
			return pb_err_set(e, PB_ERR_KEY, "alg %s does not fit "
			    "a key of type %s", k->alg->name,
			    kty_name(k->kty));
	}
	return PB_OK;
}

/* kty: one of the four we know; "oct" only with PB_JWK_ALLOW_OCT. */
static int
key_type(const cJSON *obj, unsigned flags, struct pb_jwk *k,
    struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ];
	const char *kty;

	if ((kty = pb_json_get_string(obj, "kty")) == NULL)
		return pb_err_set(e, PB_ERR_KEY, "kty missing or not a string");
	if (strcmp(kty, "RSA") == 0)
		k->kty = PB_KTY_RSA;
	else if (strcmp(kty, "EC") == 0)
		k->kty = PB_KTY_EC;
	else if (strcmp(kty, "OKP") == 0)
		k->kty = PB_KTY_OKP;
	else if (strcmp(kty, "oct") == 0) {
		/*
		 * A secret in a public key set means someone published it;
		 * an attacker could then sign HS256 tokens (RFC 8725 2.1).
		 */
		if ((flags & PB_JWK_ALLOW_OCT) == 0)
			return pb_err_set(e, PB_ERR_KEY, "symmetric (oct) key "
			    "in a public key set");
		k->kty = PB_KTY_OCT;
	} else
		return pb_err_set(e, PB_ERR_KEY, "unsupported kty '%s'",
		    pb_log_safe(kty, sp, sizeof(sp)));
	return PB_OK;
}

int
pb_jwk_from_json(const cJSON *obj, unsigned flags, struct pb_jwk **out,
    struct pb_err *e)
{
	struct pb_jwk *k = NULL;
	const char *kid;
	const cJSON *kidv;
	int r;

	*out = NULL;
	if (!cJSON_IsObject(obj))
		return pb_err_set(e, PB_ERR_KEY, "key is not a JSON object");
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return PB_ERR_NOMEM;
	kidv = pb_json_get(obj, "kid");
	if (kidv != NULL && !cJSON_IsString(kidv)) {
		r = pb_err_set(e, PB_ERR_KEY, "kid is not a string");
		goto out;
	}
	if ((kid = cJSON_IsString(kidv) ? kidv->valuestring : NULL) != NULL &&
	    (k->kid = strdup(kid)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if ((r = key_type(obj, flags, k, e)) != PB_OK)
		goto out;
	if ((r = key_purpose(obj, k, e)) != 0)
		goto out;
	switch (k->kty) {
	case PB_KTY_RSA:
		r = pb_jwk_kty_rsa(obj, k, e);
		break;
	case PB_KTY_EC:
		r = pb_jwk_kty_ec(obj, k, e);
		break;
	case PB_KTY_OKP:
		r = pb_jwk_kty_okp(obj, k, e);
		break;
	case PB_KTY_OCT:
		r = pb_jwk_kty_oct(obj, k, e);
		break;
	}
	if (r != PB_OK)
		goto out;
	/*
	 * A key whose own alg it cannot serve (a P-256 key saying ES384, a
	 * 32-byte secret saying HS512) would never verify anything: refuse
	 * it now, so the admin hears why at load time.
	 */
	if (k->alg != NULL && (r = pb_jwk_fits(k, k->alg, e)) != PB_OK) {
		r = PB_ERR_KEY;
		goto out;
	}
	*out = k;
	k = NULL;
 out:
	pb_jwk_free(k);
	return r;
}

int
pb_jwk_from_secret(const void *p, size_t len, struct pb_jwk **out,
    struct pb_err *e)
{
	struct pb_jwk *k;
	int r;

	*out = NULL;
	if (len < OCT_MIN_LEN || len > OCT_MAX_LEN)
		return pb_err_set(e, PB_ERR_KEY, "HMAC secret of %zu bytes "
		    "(allowed %d to %d)", len, OCT_MIN_LEN, OCT_MAX_LEN);
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return PB_ERR_NOMEM;
	k->kty = PB_KTY_OCT;
	if ((r = pb_secret_dup(&k->secret, p, len)) != PB_OK) {
		free(k);
		return r;
	}
	*out = k;
	return PB_OK;
}

void
pb_jwk_free(struct pb_jwk *k)
{
	if (k == NULL)
		return;
	free(k->kid);
	EVP_PKEY_free(k->pkey);
	pb_secret_clear(&k->secret);
	free(k);
}

int
pb_jwk_fits(const struct pb_jwk *k, const struct pb_alg *alg,
    struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ];

	pb_log_safe(k->kid, sp, sizeof(sp));
	if (k->kty != alg->kty)
		return pb_err_set(e, PB_ERR_ALG, "key '%s' is %s, %s needs %s",
		    sp, kty_name(k->kty), alg->name, kty_name(alg->kty));
	if (alg->curve != 0 && k->curve != alg->curve)
		return pb_err_set(e, PB_ERR_ALG, "key '%s' is on the wrong "
		    "curve for %s", sp, alg->name);
	/* RFC 8725 3.1: a key is used with one algorithm only. */
	if (k->alg != NULL && k->alg->family != alg->family)
		return pb_err_set(e, PB_ERR_ALG, "key '%s' is for %s, token "
		    "says %s", sp, k->alg->name, alg->name);
	if (k->kty == PB_KTY_OCT && k->secret.len < alg->size)
		return pb_err_set(e, PB_ERR_ALG, "HMAC key of %zu bytes, %s "
		    "needs %zu", k->secret.len, alg->name, alg->size);
	return PB_OK;
}
/* Thumbprints (RFC 7638) ------------------------------------------------ */

/* Append ,"name":"base64url(p)" (no comma first when lead is set). */
static int
thumb_b64(struct pb_sbuf *b, int lead, const char *name, const uint8_t *p,
    size_t len)
{
	char *s = NULL;

	if (pb_b64url_encode(p, len, &s) != PB_OK)
		return PB_ERR_NOMEM;
	if (!lead)
		pb_sbuf_puts(b, ",");
	pb_sbuf_puts(b, "\"");
	pb_sbuf_puts(b, name);
	pb_sbuf_puts(b, "\":\"");
	pb_sbuf_puts(b, s);
	pb_sbuf_puts(b, "\"");
	free(s);
	return PB_OK;
}

/* Append the big-endian bytes of a BIGNUM parameter, no leading zero. */
static int
thumb_bn(struct pb_sbuf *b, int lead, const char *name, EVP_PKEY *pk,
    const char *param)
{
	BIGNUM *bn = NULL;
	uint8_t *p;
	int n, r = PB_ERR_INTERNAL;

	if (!EVP_PKEY_get_bn_param(pk, param, &bn))
		return PB_ERR_INTERNAL;
	n = BN_num_bytes(bn);
	if ((p = malloc((size_t)n + 1)) == NULL)
		r = PB_ERR_NOMEM;
	else if (BN_bn2bin(bn, p) == n)
		r = thumb_b64(b, lead, name, p, (size_t)n);
	free(p);
	BN_free(bn);
	return r;
}

/* The curve's JWK name (RFC 7518 6.2.1.1, RFC 8037), or NULL. */
static const char *
thumb_crv(int nid)
{
	switch (nid) {
	case NID_X9_62_prime256v1:
		return "P-256";
	case NID_secp384r1:
		return "P-384";
	case NID_secp521r1:
		return "P-521";
	case NID_ED25519:
		return "Ed25519";
	}
	return NULL;
}

/*
 * EC: x and y, each of the field's size (RFC 7518 6.2.1.2), from the
 * uncompressed point (one call: cheaper than two BIGNUM parameters).
 */
static int
thumb_ec(struct pb_sbuf *b, EVP_PKEY *pk)
{
	uint8_t pt[1 + 2 * 66];
	size_t len = 0, half;
	int r;

	if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt), &len) || len < 3 || len % 2 != 1 || pt[0] != 0x04)
		return PB_ERR_INTERNAL;
	half = (len - 1) / 2;
	if (half != (size_t)(EVP_PKEY_get_bits(pk) + 7) / 8)
		return PB_ERR_INTERNAL;
	if ((r = thumb_b64(b, 0, "x", pt + 1, half)) != PB_OK)
		return r;
	return thumb_b64(b, 0, "y", pt + 1 + half, half);
}

/* The members RFC 7638 section 3.2 requires, in order, into b. */
static int
thumb_json(const struct pb_jwk *k, struct pb_sbuf *b)
{
	const char *crv = thumb_crv(k->curve);
	uint8_t raw[32];
	size_t rawlen = sizeof(raw);
	int r;

	switch (k->kty) {
	case PB_KTY_RSA:
		if ((r = thumb_bn(b, 1, "e", k->pkey, OSSL_PKEY_PARAM_RSA_E)) !=
		    PB_OK)
			return r;
		pb_sbuf_puts(b, ",\"kty\":\"RSA\"");
		return thumb_bn(b, 0, "n", k->pkey, OSSL_PKEY_PARAM_RSA_N);
	case PB_KTY_EC:
		if (crv == NULL)
			return PB_ERR_INTERNAL;
		pb_sbuf_puts(b, "\"crv\":\"");
		pb_sbuf_puts(b, crv);
		pb_sbuf_puts(b, "\",\"kty\":\"EC\"");
		return thumb_ec(b, k->pkey);
	case PB_KTY_OKP:
		if (crv == NULL ||
		    !EVP_PKEY_get_raw_public_key(k->pkey, raw, &rawlen))
			return PB_ERR_INTERNAL;
		pb_sbuf_puts(b, "\"crv\":\"");
		pb_sbuf_puts(b, crv);
		pb_sbuf_puts(b, "\",\"kty\":\"OKP\"");
		return thumb_b64(b, 0, "x", raw, rawlen);
	case PB_KTY_OCT:
		break;
	}
	return PB_ERR_KEY;
}

int
pb_jwk_thumbprint(const struct pb_jwk *k, char out[PB_JWK_THUMB_LEN + 1],
    struct pb_err *e)
{
	struct pb_sbuf b;
	uint8_t md[32];
	unsigned mdlen = 0;
	char *s = NULL;
	int r;

	out[0] = '\0';
	if (k->kty == PB_KTY_OCT || k->pkey == NULL)
		return pb_err_set(e, PB_ERR_KEY, "a secret key has no "
		    "thumbprint");
	/* An RSA modulus of PB_RSA_MAX_BITS is the largest member. */
	pb_sbuf_init(&b, PB_RSA_MAX_BITS / 6 + 256);
	pb_sbuf_puts(&b, "{");
	r = thumb_json(k, &b);
	pb_sbuf_puts(&b, "}");
	if (r == PB_OK && b.err != PB_OK)
		r = b.err;
	if (r == PB_OK && (!EVP_Digest(b.p, b.len, md, &mdlen, EVP_sha256(),
	    NULL) || mdlen != sizeof(md)))
		r = PB_ERR_INTERNAL;
	pb_sbuf_clear(&b);
	if (r == PB_OK && (r = pb_b64url_encode(md, sizeof(md), &s)) == PB_OK) {
		if (strlen(s) == PB_JWK_THUMB_LEN)
			memcpy(out, s, PB_JWK_THUMB_LEN + 1);
		else
			r = PB_ERR_INTERNAL;
		free(s);
	}
	if (r != PB_OK && r != PB_ERR_NOMEM)
		return pb_err_set(e, r, "cannot compute the key's thumbprint");
	return r;
}
