/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The login proof (DESIGN.md section 5, pop.h): one function that checks
 * a DPoP proof against the token it goes with, the nonce the module sent
 * and this host's names.  The signature is checked by jws.c and the key
 * loaded by jwk.c, as for tokens: no second path for either.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "claims.h"
#include "conf.h"
#include "err.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "jwt.h"
#include "pop.h"
#include "secmem.h"
#include "strlist.h"

/* Private members of RSA, EC and OKP keys, and the secret of oct. */
static const char *const private_members[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k"
};

/* typ, alg and crit of the proof's header. */
static int
proof_header(const struct pb_conf *cfg, const struct pb_jws *jws,
    struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ];
	const cJSON *typ = pb_json_get(jws->header, "typ");

	/* RFC 9449 4.2; typ is a media type: case-insensitive. */
	if (!cJSON_IsString(typ))
		return pb_err_set(e, PB_ERR_HEADER, "proof has no typ "
		    "dpop+jwt");
	if (strcasecmp(typ->valuestring, "dpop+jwt") != 0)
		return pb_err_set(e, PB_ERR_HEADER, "proof typ '%s' is not "
		    "dpop+jwt", pb_log_safe(typ->valuestring, sp, sizeof(sp)));
	pb_log_safe(jws->alg_name, sp, sizeof(sp));
	if (strcasecmp(jws->alg_name, "none") == 0)
		return pb_err_set(e, PB_ERR_ALG, "proof alg '%s' is never "
		    "accepted", sp);
	if (jws->alg == NULL)
		return pb_err_set(e, PB_ERR_ALG, "proof alg '%s' is not "
		    "supported", sp);
	/* A proof shows a private key: a shared secret shows nothing. */
	if (jws->alg->kty == PB_KTY_OCT)
		return pb_err_set(e, PB_ERR_ALG, "proof alg %s is symmetric, "
		    "a proof needs a public key", jws->alg->name);
	if ((jws->alg->bit & cfg->algorithms) == 0)
		return pb_err_set(e, PB_ERR_ALG, "proof alg %s is not in the "
		    "allowlist (algorithms)", jws->alg->name);
	if (pb_json_get(jws->header, "crit") != NULL)
		return pb_err_set(e, PB_ERR_HEADER, "proof header has crit: "
		    "extensions we do not implement");
	return PB_OK;
}

/* The header's jwk: a public key only, through the JWKS loader's rules. */
static int
proof_key(const struct pb_jws *jws, struct pb_jwk **key, struct pb_err *e)
{
	const cJSON *jwk = pb_json_get(jws->header, "jwk");
	struct pb_err sub;
	size_t i;
	int r;

	*key = NULL;
	if (!cJSON_IsObject(jwk))
		return pb_err_set(e, PB_ERR_KEY, "proof header has no jwk "
		    "object");
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]);
	    i++)
		if (pb_json_get(jwk, private_members[i]) != NULL)
			return pb_err_set(e, PB_ERR_KEY, "proof jwk holds the "
			    "private member '%s'", private_members[i]);
	pb_err_clear(&sub);
	if ((r = pb_jwk_from_json(jwk, 0, key, &sub)) == PB_ERR_NOMEM)
		return r;
	if (r != PB_OK)
		return pb_err_set(e, PB_ERR_KEY, "proof jwk refused: %s",
		    pb_err_msg(&sub));
	return PB_OK;
}

/* The RFC 7638 thumbprint of key against the token's cnf.jkt. */
static int
proof_thumb(const struct pb_jwk *key, const char *jkt, struct pb_err *e)
{
	char tp[PB_JWK_THUMB_LEN + 1], sj[PB_SAFE_BUFSZ];
	int r;

	if ((r = pb_jwk_thumbprint(key, tp, e)) != PB_OK)
		return r;
	if (strlen(jkt) != PB_JWK_THUMB_LEN ||
	    !pb_ct_eq(tp, jkt, PB_JWK_THUMB_LEN))
		return pb_err_set(e, PB_ERR_KEY, "proof key is not the token's "
		    "(thumbprint %s, cnf.jkt '%s')", tp,
		    pb_log_safe(jkt, sj, sizeof(sj)));
	return PB_OK;
}

/*
 * ath: base64url(SHA-256) of the token's ASCII bytes.  Strict base64url
 * has one encoding per byte string, so the verified token's signing input,
 * '.' and its signature re-encoded are exactly the bytes that came.
 */
static int
token_ath(const struct pb_jwt *jwt, char **out)
{
	const struct pb_jws *jws = jwt->jws;
	unsigned char md[32];
	unsigned mdlen = 0;
	EVP_MD_CTX *c = NULL;
	char *sig = NULL;
	int r;

	*out = NULL;
	if ((r = pb_b64url_encode(jws->sig, jws->sig_len, &sig)) != PB_OK)
		return r;
	if ((c = EVP_MD_CTX_new()) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, jws->signing_input, jws->signing_len) != 1 ||
	    EVP_DigestUpdate(c, ".", 1) != 1 ||
	    EVP_DigestUpdate(c, sig, strlen(sig)) != 1 ||
	    EVP_DigestFinal_ex(c, md, &mdlen) != 1 || mdlen != sizeof(md))
		r = PB_ERR_INTERNAL;
	else
		r = pb_b64url_encode(md, sizeof(md), out);
 out:
	EVP_MD_CTX_free(c);
	free(sig);
	return r;
}

/* The claim name of claims as a string; PB_ERR_CLAIM when it is not. */
static int
claim_str(const cJSON *claims, const char *name, const char **out,
    struct pb_err *e)
{
	if ((*out = pb_json_get_string(claims, name)) == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "proof has no %s string",
		    name);
	return PB_OK;
}

/* Equal strings, ASCII letters in any case (never the locale's rules). */
static int
ascii_caseeq(const char *a, const char *b)
{
	unsigned char x, y;

	do {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
	} while (x == y && x != '\0');
	return x == y;
}

/* htu: "ssh://" and one of this host's names. */
static int
proof_htu(const char *htu, const struct pb_strlist *names, struct pb_err *e)
{
	const size_t slen = sizeof(PB_POP_HTU_SCHEME) - 1;
	char sh[PB_SAFE_BUFSZ], sn[PB_SAFE_BUFSZ], all[1024];
	size_t i, o = 0;

	if (strncmp(htu, PB_POP_HTU_SCHEME, slen) != 0)
		return pb_err_set(e, PB_ERR_CLAIM, "proof htu '%s' is not "
		    "ssh://HOST", pb_log_safe(htu, sh, sizeof(sh)));
	for (i = 0; i < names->n; i++)
		if (ascii_caseeq(htu + slen, names->v[i]))
			return PB_OK;
	all[0] = '\0';
	for (i = 0; i < names->n && o < sizeof(all); i++)
		o += (size_t)snprintf(all + o, sizeof(all) - o, "%s%s",
		    i > 0 ? " " : "", names->v[i]);
	return pb_err_set(e, PB_ERR_CLAIM, "proof names host '%s', this host "
	    "is '%s'", pb_log_safe(htu + slen, sh, sizeof(sh)),
	    pb_log_safe(all, sn, sizeof(sn)));
}

/* iat within leeway of now, either way, and never more than 60 s. */
static int
proof_iat(const cJSON *claims, long leeway, int64_t now, struct pb_err *e)
{
	int64_t iat, w = leeway < PB_POP_IAT_MAX ? leeway : PB_POP_IAT_MAX;

	if (pb_json_time(pb_json_get(claims, "iat"), 0, &iat) != PB_OK)
		return pb_err_set(e, PB_ERR_CLAIM, "proof has no iat "
		    "NumericDate");
	if (iat < now - w)
		return pb_err_set(e, PB_ERR_EXPIRED, "proof iat is %lld s old "
		    "(at most %lld)", (long long)(now - iat), (long long)w);
	if (iat > now + w)
		return pb_err_set(e, PB_ERR_NOTYET, "proof iat is %lld s in "
		    "the future (at most %lld)", (long long)(iat - now),
		    (long long)w);
	return PB_OK;
}

/* nonce, ath, htm, htu, iat, in that order. */
static int
proof_claims(const struct pb_conf *cfg, const struct pb_jwt *jwt,
    const cJSON *claims, const char *nonce,
    const struct pb_strlist *names, int64_t now, struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ], *ath = NULL;
	const char *v;
	int r;

	if ((r = claim_str(claims, "nonce", &v, e)) != PB_OK)
		return r;
	if (strlen(v) != strlen(nonce) || !pb_ct_eq(v, nonce, strlen(v)))
		return pb_err_set(e, PB_ERR_CLAIM, "proof nonce does not match "
		    "the one sent (proof has '%s')",
		    pb_log_safe(v, sp, sizeof(sp)));
	if ((r = claim_str(claims, "ath", &v, e)) != PB_OK)
		return r;
	if ((r = token_ath(jwt, &ath)) != PB_OK)
		return r;
	r = strlen(v) == strlen(ath) && pb_ct_eq(v, ath, strlen(v));
	free(ath);
	if (!r)
		return pb_err_set(e, PB_ERR_CLAIM, "proof ath does not match "
		    "the token (a proof for another token)");
	if ((r = claim_str(claims, "htm", &v, e)) != PB_OK)
		return r;
	if (strcmp(v, PB_POP_HTM) != 0)
		return pb_err_set(e, PB_ERR_CLAIM, "proof htm '%s' is not "
		    PB_POP_HTM, pb_log_safe(v, sp, sizeof(sp)));
	if ((r = claim_str(claims, "htu", &v, e)) != PB_OK ||
	    (r = proof_htu(v, names, e)) != PB_OK)
		return r;
	return proof_iat(claims, cfg->leeway, now, e);
}

/* The signature, by jws.c as for tokens, with the proof's own key. */
static int
proof_sig(const struct pb_jws *jws, const struct pb_jwk *key,
    struct pb_err *e)
{
	struct pb_err sub;
	int r;

	pb_err_clear(&sub);
	if ((r = pb_jws_verify(jws, key, &sub)) == PB_OK ||
	    r == PB_ERR_NOMEM)
		return r;
	if (r == PB_ERR_SIG)
		return pb_err_set(e, r, "proof signature does not verify "
		    "with its jwk");
	return pb_err_set(e, r, "proof jwk cannot verify %s: %s",
	    jws->alg->name, pb_err_msg(&sub));
}

/* Size and compact JWS; parse messages say "token": say "proof". */
static int
proof_parse(const char *proof, size_t len, struct pb_jws **jws,
    struct pb_err *e)
{
	struct pb_err sub;
	int r;

	if (len > PB_POP_MAX)
		return pb_err_set(e, PB_ERR_TOOBIG, "proof of %zu bytes, over "
		    "the limit of %d", len, PB_POP_MAX);
	pb_err_clear(&sub);
	if ((r = pb_jws_parse(proof, len, PB_POP_MAX, jws, &sub)) == PB_OK ||
	    r == PB_ERR_NOMEM)
		return r;
	return pb_err_set(e, r, "proof is no compact JWS: %s",
	    pb_err_msg(&sub));
}

int
pb_pop_check_bound(const struct pb_conf *cfg, const struct pb_jwt *jwt,
    struct pb_err *e)
{
	if (cfg->require_pop && jwt->cnf_jkt == NULL)
		return pb_err_set(e, PB_ERR_POLICY, PB_POP_UNBOUND);
	return PB_OK;
}

int
pb_pop_verify(const struct pb_conf *cfg, const struct pb_jwt *jwt,
    const char *proof, size_t len, const char *nonce,
    const struct pb_strlist *host_names, int64_t now, struct pb_err *e)
{
	struct pb_jws *jws = NULL;
	struct pb_jwk *key = NULL;
	cJSON *claims = NULL;
	int r;

	if (jwt->cnf_jkt == NULL)
		return pb_err_set(e, PB_ERR_POLICY, PB_POP_UNBOUND);
	if (len == 0)
		return pb_err_set(e, PB_ERR_POLICY, "proof required: the "
		    "token is bound to a key (cnf.jkt) and no proof came");
	/* The token must still be good when its proof comes (RFC 7519). */
	if (now >= jwt->exp + cfg->leeway)
		return pb_err_set(e, PB_ERR_EXPIRED, "token expired while "
		    "waiting for the proof (%lld s ago, leeway %ld s)",
		    (long long)(now - jwt->exp), cfg->leeway);
	if ((r = proof_parse(proof, len, &jws, e)) != PB_OK ||
	    (r = proof_header(cfg, jws, e)) != PB_OK ||
	    (r = proof_key(jws, &key, e)) != PB_OK)
		goto out;
	if ((r = proof_sig(jws, key, e)) != PB_OK)
		goto out;
	if ((r = proof_thumb(key, jwt->cnf_jkt, e)) != PB_OK ||
	    (r = pb_json_parse((const char *)jws->payload, jws->payload_len,
	    PB_POP_MAX, "proof payload", &claims, e)) != PB_OK)
		goto out;
	if (!cJSON_IsObject(claims)) {
		r = pb_err_set(e, PB_ERR_FORMAT, "proof payload is not a JSON "
		    "object");
		goto out;
	}
	r = proof_claims(cfg, jwt, claims, nonce, host_names, now, e);
 out:
	cJSON_Delete(claims);
	pb_jwk_free(key);
	pb_jws_free(jws);
	return r;
}
