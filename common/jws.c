/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "err.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "secmem.h"

/* Bounds on the parts of a token (the whole token is bounded too). */
#define HEADER_MAX	4096	/* encoded header characters */
/* Encoded signature: the largest RSA modulus a JWK may have. */
#define SIG_MAX		((PB_RSA_MAX_BITS / 8 + 2) / 3 * 4)

void
pb_jws_free(struct pb_jws *jws)
{
	if (jws == NULL)
		return;
	cJSON_Delete(jws->header);
	pb_freezero(jws->signing_input, jws->signing_len + 1);
	pb_freezero(jws->payload, jws->payload_len + 1);
	pb_freezero(jws->sig, jws->sig_len + 1);
	free(jws);
}

/* Decode one segment, saying which one failed and why. */
static int
segment(const char *p, size_t len, size_t maxlen, const char *what,
    uint8_t **out, size_t *outlen, struct pb_err *e)
{
	int r = pb_b64url_decode(p, len, maxlen, out, outlen);

	if (r == PB_ERR_TOOBIG)
		return pb_err_set(e, r, "token %s is %zu characters, over the "
		    "limit of %zu", what, len, maxlen);
	if (r == PB_ERR_FORMAT)
		return pb_err_set(e, r, "token %s is not strict base64url "
		    "(padding, whitespace or stray characters?)", what);
	return r;
}

int
pb_jws_parse(const char *tok, size_t len, size_t maxlen, struct pb_jws **out,
    struct pb_err *e)
{
	struct pb_jws *jws = NULL;
	const char *d1, *d2;
	uint8_t *hdr = NULL;
	size_t hlen = 0;
	const cJSON *v;
	int r;

	*out = NULL;
	if (len > maxlen)
		return pb_err_set(e, PB_ERR_TOOBIG, "token is %zu bytes, over "
		    "the limit of %zu (max_token_size)", len, maxlen);
	/*
	 * No dot at all: an opaque access token (LemonLDAP::NG's default is
	 * 64 hex digits) or a password, not a JWT with a segment missing.
	 */
	if (memchr(tok, '.', len) == NULL)
		return pb_err_set(e, PB_ERR_FORMAT, "%s", PB_JWS_NOT_JWT);
	/* RFC 7515 7.1: exactly three segments (JWE has five: refused). */
	if ((d1 = memchr(tok, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
		return pb_err_set(e, PB_ERR_FORMAT, "token does not have "
		    "exactly three segments");
	if (d1 == tok)
		return pb_err_set(e, PB_ERR_FORMAT, "token header is empty");
	if (d2 + 1 == tok + len)
		return pb_err_set(e, PB_ERR_FORMAT, "token signature is empty");
	if ((jws = calloc(1, sizeof(*jws))) == NULL)
		return PB_ERR_NOMEM;
	if ((r = segment(tok, (size_t)(d1 - tok), HEADER_MAX, "header", &hdr,
	    &hlen, e)) != PB_OK ||
	    (r = segment(d1 + 1, (size_t)(d2 - d1 - 1), maxlen, "payload",
	    &jws->payload, &jws->payload_len, e)) != PB_OK ||
	    (r = segment(d2 + 1, len - (size_t)(d2 + 1 - tok), SIG_MAX,
	    "signature", &jws->sig, &jws->sig_len, e)) != PB_OK)
		goto out;
	if ((r = pb_json_parse((const char *)hdr, hlen, HEADER_MAX,
	    "token header", &jws->header, e)) != PB_OK)
		goto out;
	if (!cJSON_IsObject(jws->header)) {
		r = pb_err_set(e, PB_ERR_FORMAT, "token header is not a JSON "
		    "object");
		goto out;
	}
	if ((jws->alg_name = pb_json_get_string(jws->header, "alg")) == NULL) {
		r = pb_err_set(e, PB_ERR_FORMAT, "token header has no string "
		    "alg");
		goto out;
	}
	jws->alg = pb_alg_by_name(jws->alg_name);
	if ((v = pb_json_get(jws->header, "kid")) != NULL) {
		if (!cJSON_IsString(v)) {
			r = pb_err_set(e, PB_ERR_FORMAT, "token kid is not a "
			    "string");
			goto out;
		}
		jws->kid = v->valuestring;
	}
	jws->signing_len = (size_t)(d2 - tok);
	if ((jws->signing_input = malloc(jws->signing_len + 1)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	memcpy(jws->signing_input, tok, jws->signing_len);
	jws->signing_input[jws->signing_len] = '\0';
	*out = jws;
	jws = NULL;
	r = PB_OK;
 out:
	pb_freezero(hdr, hlen + 1);
	pb_jws_free(jws);
	return r;
}

int
pb_jws_check_header(const struct pb_jws *jws, unsigned alg_mask,
    struct pb_err *e)
{
	static const char *const typs[] = {
		"JWT", "at+jwt", "application/at+jwt"
	};
	char sp[PB_SAFE_BUFSZ];
	const cJSON *typ;
	size_t i;

	pb_log_safe(jws->alg_name, sp, sizeof(sp));
	/* RFC 8725 3.1; "none" is not in the table, but say so plainly. */
	if (strcasecmp(jws->alg_name, "none") == 0)
		return pb_err_set(e, PB_ERR_ALG, "alg '%s' is never accepted",
		    sp);
	if (jws->alg == NULL)
		return pb_err_set(e, PB_ERR_ALG, "alg '%s' is not supported",
		    sp);
	if ((jws->alg->bit & alg_mask) == 0)
		return pb_err_set(e, PB_ERR_ALG, "alg %s is not in the "
		    "allowlist (algorithms)", jws->alg->name);
	/* RFC 7515 4.1.11: we implement no extension, so any crit fails. */
	if (pb_json_get(jws->header, "crit") != NULL)
		return pb_err_set(e, PB_ERR_HEADER, "token header has crit: "
		    "extensions we do not implement");
	if ((typ = pb_json_get(jws->header, "typ")) != NULL) {
		if (!cJSON_IsString(typ))
			return pb_err_set(e, PB_ERR_HEADER, "typ is not a "
			    "string");
		/* typ is a media type: case-insensitive (RFC 7515 4.1.9). */
		for (i = 0; i < sizeof(typs) / sizeof(typs[0]); i++)
			if (strcasecmp(typ->valuestring, typs[i]) == 0)
				break;
		if (i == sizeof(typs) / sizeof(typs[0]))
			return pb_err_set(e, PB_ERR_HEADER, "typ '%s' is not "
			    "JWT or at+jwt", pb_log_safe(typ->valuestring, sp,
			    sizeof(sp)));
	}
	return PB_OK;
}

/*
 * JWS ECDSA signatures are raw r||s (RFC 7518 3.4); OpenSSL wants DER.
 * r and s must each be in [1, n-1].
 */
static int
ecdsa_to_der(const struct pb_alg *alg, const uint8_t *sig, size_t siglen,
    uint8_t **der, size_t *derlen, struct pb_err *e)
{
	EC_GROUP *group = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	const BIGNUM *order;
	unsigned char *p = NULL;
	int r = PB_ERR_INTERNAL, n;

	*der = NULL;
	*derlen = 0;
	if (siglen != 2 * alg->size)
		return pb_err_set(e, PB_ERR_SIG, "%s signature is %zu bytes, "
		    "must be %zu", alg->name, siglen, 2 * alg->size);
	if ((group = EC_GROUP_new_by_curve_name(alg->curve)) == NULL ||
	    (order = EC_GROUP_get0_order(group)) == NULL ||
	    (br = BN_bin2bn(sig, (int)alg->size, NULL)) == NULL ||
	    (bs = BN_bin2bn(sig + alg->size, (int)alg->size, NULL)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if (BN_is_zero(br) || BN_is_zero(bs) || BN_cmp(br, order) >= 0 ||
	    BN_cmp(bs, order) >= 0) {
		r = pb_err_set(e, PB_ERR_SIG, "%s signature has r or s out of "
		    "range", alg->name);
		goto out;
	}
	if ((es = ECDSA_SIG_new()) == NULL || !ECDSA_SIG_set0(es, br, bs)) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	br = bs = NULL;		/* owned by es */
	if ((n = i2d_ECDSA_SIG(es, &p)) <= 0) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	*der = p;
	*derlen = (size_t)n;
	r = PB_OK;
 out:
	ECDSA_SIG_free(es);
	BN_free(br);
	BN_free(bs);
	EC_GROUP_free(group);
	return r;
}

static int
verify_hmac(const struct pb_alg *alg, const struct pb_jwk *key,
    const uint8_t *msg, size_t msglen, const uint8_t *sig, size_t siglen,
    struct pb_err *e)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	int ok;

	if (siglen != alg->size)
		return pb_err_set(e, PB_ERR_SIG, "%s signature is %zu bytes, "
		    "must be %zu", alg->name, siglen, alg->size);
	if (EVP_Q_mac(NULL, "HMAC", NULL, alg->digest, NULL, key->secret.p,
	    key->secret.len, msg, msglen, mac, sizeof(mac), &maclen) == NULL ||
	    maclen != alg->size) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return pb_err_set(e, PB_ERR_INTERNAL, "HMAC failed");
	}
	ok = pb_ct_eq(mac, sig, maclen);
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok ? PB_OK : pb_err_set(e, PB_ERR_SIG, "signature does not "
	    "verify");
}

int
pb_jws_verify_sig(const struct pb_alg *alg, const struct pb_jwk *key,
    const uint8_t *msg, size_t msglen, const uint8_t *sig, size_t siglen,
    struct pb_err *e)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t *der = NULL;
	size_t derlen = 0;
	int r;

	if ((r = pb_jwk_fits(key, alg, e)) != PB_OK)
		return r;
	if (alg->kty == PB_KTY_OCT)
		return verify_hmac(alg, key, msg, msglen, sig, siglen, e);
	switch (alg->kty) {
	case PB_KTY_RSA:
		/*
		 * OpenSSL accepts a signature one byte short (leading zero
		 * dropped); RFC 8017 8.2.2 says exactly k bytes.
		 */
		if (siglen != (size_t)EVP_PKEY_get_size(key->pkey))
			return pb_err_set(e, PB_ERR_SIG, "%s signature is %zu "
			    "bytes, the key needs %d", alg->name, siglen,
			    EVP_PKEY_get_size(key->pkey));
		break;
	case PB_KTY_EC:
		if ((r = ecdsa_to_der(alg, sig, siglen, &der, &derlen,
		    e)) != PB_OK)
			return r;
		sig = der;
		siglen = derlen;
		break;
	case PB_KTY_OKP:
		if (siglen != 64)
			return pb_err_set(e, PB_ERR_SIG, "EdDSA signature is "
			    "%zu bytes, must be 64", siglen);
		break;
	case PB_KTY_OCT:
		break;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, alg->digest, NULL, NULL,
	    key->pkey, NULL) != 1) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "cannot set up %s",
		    alg->name);
		goto out;
	}
	/*
	 * RFC 7518 3.5: PSS with MGF1 over the same hash and a salt as long
	 * as the hash; "auto" salt length would accept any salt.
	 */
	if (alg->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, alg->digest, NULL) != 1)) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "cannot set up %s",
		    alg->name);
		goto out;
	}
	if (!alg->pss && alg->kty == PB_KTY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "cannot set up %s",
		    alg->name);
		goto out;
	}
	if (EVP_DigestVerify(mctx, sig, siglen, msg, msglen) != 1) {
		r = pb_err_set(e, PB_ERR_SIG, "signature does not verify");
		goto out;
	}
	r = PB_OK;
 out:
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(der);
	return r;
}

int
pb_jws_verify(const struct pb_jws *jws, const struct pb_jwk *key,
    struct pb_err *e)
{
	if (jws->alg == NULL)
		return pb_err_set(e, PB_ERR_ALG, "alg is not supported");
	return pb_jws_verify_sig(jws->alg, key,
	    (const uint8_t *)jws->signing_input, jws->signing_len, jws->sig,
	    jws->sig_len, e);
}
