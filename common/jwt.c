/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "b64url.h"
#include "claims.h"
#include "conf.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "jwt.h"
#include "secmem.h"

struct pb_verifier {
	const struct pb_conf	*cfg;
	struct pb_jwks		*jwks;	/* NULL when only HS is allowed */
	struct pb_jwk		*hmac;	/* NULL unless hmac_secret_file */
};

/* Which key types the allowlist needs. */
static int
mask_needs(unsigned mask, int oct)
{
	const struct pb_alg *a;
	size_t i;

	for (i = 0; (a = pb_alg_at(i)) != NULL; i++)
		if ((a->bit & mask) != 0 && (a->kty == PB_KTY_OCT) == oct)
			return 1;
	return 0;
}

/*
 * Every HS algorithm the allowlist names must be usable with the secret:
 * a 32-byte secret with HS512 allowed would fail every token as a token
 * problem, when it is the admin's to fix.
 */
static int
secret_fits(const struct pb_jwk *k, unsigned mask, const char *path,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	const struct pb_alg *a;
	size_t i;

	for (i = 0; (a = pb_alg_at(i)) != NULL; i++)
		if ((a->bit & mask) != 0 && a->kty == PB_KTY_OCT &&
		    k->secret.len < a->size)
			return pb_err_set(e, PB_ERR_KEY, "%s: secret of %zu "
			    "bytes, %s needs at least %zu (use a longer "
			    "secret or remove %s from algorithms)",
			    pb_log_path(path, sp, sizeof(sp)), k->secret.len,
			    a->name, a->size, a->name);
	return PB_OK;
}

static int
load_secret(const char *path, struct pb_jwk **out, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct pb_err ke;
	char *buf = NULL;
	size_t len = 0, n;
	int r;

	/* A secret others can read is no secret: PB_FILE_PRIVATE. */
	if ((r = pb_file_read(path, 4096, PB_FILE_PRIVATE, &buf, &len,
	    e)) != PB_OK)
		return r;
	n = len;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	pb_err_clear(&ke);
	if ((r = pb_jwk_from_secret(buf, n, out, &ke)) != PB_OK &&
	    r != PB_ERR_NOMEM)
		r = pb_err_set(e, r, "%s: %s", pb_log_path(path, sp,
		    sizeof(sp)), pb_err_msg(&ke));
	pb_freezero(buf, len + 1);
	return r;
}

int
pb_verifier_new(const struct pb_conf *cfg, pb_jwks_skip_fn *skip, void *ctx,
    struct pb_verifier **out, struct pb_err *e)
{
	struct pb_verifier *v;
	int r = PB_OK;

	*out = NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return PB_ERR_NOMEM;
	v->cfg = cfg;
	if (mask_needs(cfg->algorithms, 0))
		r = pb_jwks_load(cfg->jwks_file, 0, skip, ctx, &v->jwks, e);
	if (r == PB_OK && cfg->hmac_secret_file != NULL &&
	    mask_needs(cfg->algorithms, 1) &&
	    (r = load_secret(cfg->hmac_secret_file, &v->hmac, e)) == PB_OK)
		r = secret_fits(v->hmac, cfg->algorithms,
		    cfg->hmac_secret_file, e);
	if (r != PB_OK) {
		pb_verifier_free(v);
		return r;
	}
	*out = v;
	return PB_OK;
}

int
pb_verifier_check_age(const struct pb_verifier *v, int64_t now,
    struct pb_err *e)
{
	if (v->jwks == NULL)
		return PB_OK;
	return pb_file_check_age(v->cfg->jwks_file, v->cfg->jwks_max_age, now,
	    e);
}

void
pb_verifier_free(struct pb_verifier *v)
{
	if (v == NULL)
		return;
	pb_jwks_free(v->jwks);
	pb_jwk_free(v->hmac);
	free(v);
}

void
pb_jwt_free(struct pb_jwt *jwt)
{
	if (jwt == NULL)
		return;
	pb_jws_free(jwt->jws);
	cJSON_Delete(jwt->claims);
	free(jwt);
}

/*
 * The signature, with the key chosen for it.  The algorithm comes from the
 * header, but only after the allowlist accepted it, and the key must fit
 * it: the token never picks a key type or an algorithm on its own (RFC
 * 8725 2.1, 3.1).
 */
static int
verify_sig(const struct pb_verifier *v, const struct pb_jws *jws,
    struct pb_err *e)
{
	int r;

	if (jws->alg->kty == PB_KTY_OCT) {
		if (v->hmac == NULL)
			return pb_err_set(e, PB_ERR_NOKEY, "%s needs "
			    "hmac_secret_file, which is not set",
			    jws->alg->name);
		if ((r = pb_jwk_fits(v->hmac, jws->alg, e)) != PB_OK)
			return r;
		return pb_jws_verify(jws, v->hmac, e);
	}
	if (v->jwks == NULL)
		return pb_err_set(e, PB_ERR_NOKEY, "no JWK Set loaded for %s",
		    jws->alg->name);
	/* By kid; without one, each key that fits in turn. */
	return pb_jwks_verify(v->jwks, jws, e);
}

int
pb_jwt_verify(const struct pb_verifier *v, const char *tok, size_t len,
    int64_t now, struct pb_jwt **out, struct pb_err *e)
{
	const struct pb_conf *cfg = v->cfg;
	struct pb_jwt *jwt;
	const cJSON *x;
	int r;

	*out = NULL;
	if ((jwt = calloc(1, sizeof(*jwt))) == NULL)
		return PB_ERR_NOMEM;
	/* 1. Size limit, three segments, strict base64url, header JSON. */
	if ((r = pb_jws_parse(tok, len, cfg->max_token_size, &jwt->jws,
	    e)) != PB_OK)
		goto out;
	/* 2. alg in the allowlist, crit absent, typ acceptable. */
	if ((r = pb_jws_check_header(jwt->jws, cfg->algorithms, e)) != PB_OK)
		goto out;
	/*
	 * 3. The key by kid, fitting the algorithm; 4. the signature.
	 * Nothing in the payload is trusted before.
	 */
	if ((r = verify_sig(v, jwt->jws, e)) != PB_OK)
		goto out;
	/* 5. Payload: a JSON object without duplicate names. */
	if ((r = pb_json_parse((const char *)jwt->jws->payload,
	    jwt->jws->payload_len, cfg->max_token_size, "token payload",
	    &jwt->claims, e)) != PB_OK)
		goto out;
	if (!cJSON_IsObject(jwt->claims)) {
		r = pb_err_set(e, PB_ERR_FORMAT, "token payload is not a JSON "
		    "object");
		goto out;
	}
	/* 6. exp (required), nbf, iat, max_token_age. */
	if ((r = pb_claims_check_time(jwt->claims, now, cfg->leeway,
	    cfg->max_token_age, e)) != PB_OK)
		goto out;
	/* 7. iss, exactly; 8. aud, required. */
	if ((r = pb_claims_check_iss(jwt->claims, &cfg->issuers, e)) != PB_OK ||
	    (r = pb_claims_check_aud(jwt->claims, &cfg->audiences,
	    e)) != PB_OK)
		goto out;
	/* 9. Policy: scopes, groups, required claims. */
	if ((r = pb_claims_check_policy(jwt->claims, cfg, e)) != PB_OK)
		goto out;
	/*
	 * 10. The username claim; the usermap, the denylist and the replay
	 * cache follow in the caller.  Without a usermap the value must be
	 * a plausible user name itself.
	 */
	if ((r = pb_claims_username(jwt->claims, cfg->username_claim,
	    cfg->usermap_file == NULL, &jwt->username, e)) != PB_OK)
		goto out;
	/* 11. cnf: the key a bound token needs a proof of (pb_pop_verify). */
	if ((r = pb_claims_cnf_jkt(jwt->claims, &jwt->cnf_jkt, e)) != PB_OK)
		goto out;
	jwt->iss = pb_json_get_string(jwt->claims, "iss");
	jwt->sub = pb_json_get_string(jwt->claims, "sub");
	jwt->jti = pb_json_get_string(jwt->claims, "jti");
	x = pb_json_get(jwt->claims, "exp");
	if ((r = pb_json_time(x, 0, &jwt->exp)) != PB_OK)
		goto out;
	*out = jwt;
	jwt = NULL;
	r = PB_OK;
 out:
	pb_jwt_free(jwt);
	return r;
}

/* ASCII blanks: space, tab, LF, VT, FF, CR. */
static int
blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static void
skip_blanks(const char **p, const char **end)
{
	while (*p < *end && blank(**p))
		(*p)++;
	while (*end > *p && blank((*end)[-1]))
		(*end)--;
}

/*
 * Drop a pair of quotes (double or single, as shells and curl lines use)
 * around [*p, *end): 1 when there was one.
 */
static int
unquote(const char **p, const char **end)
{
	char q;

	if (*end - *p < 2 || ((q = **p) != '"' && q != '\'') ||
	    (*end)[-1] != q)
		return 0;
	(*p)++;
	(*end)--;
	skip_blanks(p, end);
	return 1;
}

/* ASCII case folding, whatever the locale (strncasecmp follows it). */
static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Skip word (ASCII, any case) and the blanks after it when it is there. */
static int
skip_word(const char **p, const char **end, const char *word, int need_blank)
{
	size_t n = strlen(word), i;

	if ((size_t)(*end - *p) <= n || (need_blank && !blank((*p)[n])))
		return 0;
	for (i = 0; i < n; i++)
		if (ascii_lower((*p)[i]) != ascii_lower(word[i]))
			return 0;
	*p += n;
	skip_blanks(p, end);
	return 1;
}

void
pb_jwt_unwrap(const char *in, size_t len, const char **t, size_t *tlen)
{
	const char *p = in, *end = in + len;
	int round;

	/*
	 * What people paste: the token from a curl line or a log, with its
	 * header ("Authorization: Bearer eyJ..."), its scheme, quotes, a
	 * trailing blank or CRLF.  The scheme is case-insensitive (RFC 9110
	 * 11.1), and so is the header name.
	 */
	skip_blanks(&p, &end);
	/*
	 * Quotes may wrap the whole line or sit inside it ('Authorization:
	 * Bearer eyJ..', Authorization: "Bearer eyJ..", Bearer "eyJ.."):
	 * two rounds reach every one of those.
	 */
	for (round = 0; round < 2; round++) {
		(void)unquote(&p, &end);
		(void)skip_word(&p, &end, "Authorization:", 0);
		(void)skip_word(&p, &end, "Bearer", 1);
	}
	(void)unquote(&p, &end);
	*t = p;
	*tlen = (size_t)(end - p);
}

static int
b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Whether a JWT's header and payload ("eyJ" + at least 8 more base64url
 * characters, a dot, "eyJ") stand anywhere in the input: a token wrapped in
 * something unwrap does not know (a whole curl option, a log line).  No
 * password looks like that ("heyJude.1" does not), and such input must not
 * reach the next module as a password.
 */
static int
embedded_token(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q;

	while ((q = memmem(p, (size_t)(end - p), "eyJ", 3)) != NULL) {
		const char *r = q + 3;

		while (r < end && b64url_char((unsigned char)*r))
			r++;
		if (r - q >= 11 && end - r >= 4 && r[0] == '.' &&
		    memcmp(r + 1, "eyJ", 3) == 0)
			return 1;
		/*
		 * An "eyJ" inside [q, r) ends its run at the same r, with
		 * the same verdict: go on from r, so the scan stays linear.
		 */
		p = r;
	}
	return 0;
}

int
pb_jwt_shaped(const char *tok, size_t len)
{
	uint8_t *hdr = NULL;
	size_t i, dots = 0, first = 0, hlen = 0;
	int shaped;

	/*
	 * What starts like a JSON object's base64url ("eyJ" is '{"') and has
	 * a dot is a token, even a broken one: verified and refused, never
	 * handed on as a password (pam_ldap would send it to the directory).
	 */
	if (len >= 3 && memcmp(tok, "eyJ", 3) == 0 &&
	    memchr(tok, '.', len) != NULL)
		return 1;
	if (embedded_token(tok, len))
		return 1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (c == '.') {
			if (dots++ == 0)
				first = i;
		} else if (!b64url_char(c))
			return 0;
	}
	if (dots != 2 || first == 0)
		return 0;
	/*
	 * A password like "my.pass.word" fits the alphabet; a JWT header
	 * decodes to a JSON object.  Only the header is decoded here.
	 */
	if (pb_b64url_decode(tok, first, 4096, &hdr, &hlen) != PB_OK)
		return 0;
	for (i = 0; i < hlen && (hdr[i] == ' ' || hdr[i] == '\t' ||
	    hdr[i] == '\r' || hdr[i] == '\n'); i++)
		;
	shaped = i < hlen && hdr[i] == '{';
	pb_freezero(hdr, hlen + 1);
	return shaped;
}
