/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "file.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"

/*
 * JWK Sets (RFC 7517 section 5): parsing a set, skipping the keys that are
 * not for us, and picking the key for a token.  One key is jwk.c's.
 */

void
pb_jwks_free(struct pb_jwks *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		pb_jwk_free(set->keys[i]);
	free(set->keys);
	free(set->source);
	free(set);
}

static void
report_skip(pb_jwks_skip_fn *skip, void *ctx, size_t i, const cJSON *key,
    const struct pb_err *ke)
{
	char sp[PB_SAFE_BUFSZ], msg[PB_ERR_MSG_MAX + PB_SAFE_BUFSZ + 32];

	if (skip == NULL)
		return;
	(void)snprintf(msg, sizeof(msg), "key %zu (kid '%s'): %s, skipping",
	    i, pb_log_safe(pb_json_get_string(key, "kid"), sp, sizeof(sp)),
	    pb_err_msg(ke));
	skip(ctx, msg);
}

/* Whether a JWK Set entry may be a signing key: "use" absent or "sig". */
static int
signing_entry(const cJSON *key)
{
	const cJSON *use = pb_json_get(key, "use");

	return use == NULL || (cJSON_IsString(use) &&
	    strcmp(use->valuestring, "sig") == 0);
}

/*
 * A kid on two signing entries of one set is ambiguous (Wycheproof
 * "DuplicateKid"): we would be guessing which key the issuer meant.  Count
 * every entry, the skipped ones too, so that a malformed twin cannot make
 * the other one look unique; an "enc" key sharing the kid does not count.
 */
static void
drop_ambiguous(struct pb_jwks *set, const cJSON *keys, pb_jwks_skip_fn *skip,
    void *ctx)
{
	char sp[PB_SAFE_BUFSZ], msg[PB_SAFE_BUFSZ + 96];
	const cJSON *key;
	const char *kid;
	size_t i, o = 0, same;

	for (i = 0; i < set->n; i++) {
		struct pb_jwk *k = set->keys[i];

		same = 0;
		if (k->kid != NULL) {
			cJSON_ArrayForEach(key, keys) {
				kid = pb_json_get_string(key, "kid");
				if (kid != NULL && strcmp(kid, k->kid) == 0 &&
				    signing_entry(key))
					same++;
			}
		}
		if (same > 1) {
			if (skip != NULL) {
				(void)snprintf(msg, sizeof(msg), "kid '%s' "
				    "names %zu signing keys: ambiguous, "
				    "skipping", pb_log_safe(k->kid, sp,
				    sizeof(sp)), same);
				skip(ctx, msg);
			}
			pb_jwk_free(k);
			continue;
		}
		set->keys[o++] = k;
	}
	set->n = o;
}

int
pb_jwks_parse(const char *buf, size_t len, unsigned flags,
    const char *source, pb_jwks_skip_fn *skip, void *ctx,
    struct pb_jwks **out, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct pb_jwks *set = NULL;
	struct pb_err ke;
	cJSON *root = NULL;
	const cJSON *keys, *key;
	size_t i = 0, n_oct = 0;
	int r;

	*out = NULL;
	pb_log_path(source, sp, sizeof(sp));
	if ((r = pb_json_parse(buf, len, PB_JWKS_MAX, "JWK Set", &root,
	    e)) != PB_OK)
		goto out;
	keys = pb_json_get(root, "keys");
	if (!cJSON_IsArray(keys)) {
		r = pb_err_set(e, PB_ERR_KEY, "%s: not a JWK Set (no \"keys\" "
		    "array)", sp);
		goto out;
	}
	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (set->source = strdup(source)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if (cJSON_GetArraySize(keys) > PB_JWKS_MAX_KEYS) {
		r = pb_err_set(e, PB_ERR_TOOBIG, "%s: more than %d keys", sp,
		    PB_JWKS_MAX_KEYS);
		goto out;
	}
	if ((set->keys = calloc(PB_JWKS_MAX_KEYS, sizeof(*set->keys))) ==
	    NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	cJSON_ArrayForEach(key, keys) {
		pb_err_clear(&ke);
		r = pb_jwk_from_json(key, flags, &set->keys[set->n], &ke);
		if (r == PB_ERR_NOMEM)
			goto out;
		if (r != PB_OK)
			report_skip(skip, ctx, i + 1, key, &ke);
		else
			set->n++;
		i++;
	}
	drop_ambiguous(set, keys, skip, ctx);
	for (i = 0; i < set->n; i++)
		if (set->keys[i]->kty == PB_KTY_OCT)
			n_oct++;
	if (set->n == 0) {
		r = pb_err_set(e, PB_ERR_KEY, "%s: no usable signing key", sp);
		goto out;
	}
	/*
	 * Wycheproof "MixedKeySet": one set holding secrets and public keys
	 * is a sign of confusion about which is which; refuse it.
	 */
	if (n_oct != 0 && n_oct != set->n) {
		r = pb_err_set(e, PB_ERR_KEY, "%s: mixes secret and public "
		    "keys", sp);
		goto out;
	}
	*out = set;
	set = NULL;
	r = PB_OK;
 out:
	pb_jwks_free(set);
	cJSON_Delete(root);
	return r;
}

int
pb_jwks_load(const char *path, unsigned flags, pb_jwks_skip_fn *skip,
    void *ctx, struct pb_jwks **out, struct pb_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	if ((r = pb_file_read(path, PB_JWKS_MAX,
	    (flags & PB_JWK_ALLOW_OCT) ? PB_FILE_PRIVATE : 0, &buf, &len,
	    e)) != PB_OK)
		return r;
	r = pb_jwks_parse(buf, len, flags, path, skip, ctx, out, e);
	pb_freezero(buf, len + 1);
	return r;
}

int
pb_jwks_find(const struct pb_jwks *set, const char *kid,
    const struct pb_alg *alg, const struct pb_jwk **out, struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ], ss[PB_PATH_BUFSZ];
	struct pb_err fe;
	const struct pb_jwk *found = NULL;
	size_t i, named = 0, fit = 0;

	*out = NULL;
	pb_err_clear(&fe);
	pb_log_path(set->source, ss, sizeof(ss));
	for (i = 0; i < set->n; i++) {
		const struct pb_jwk *k = set->keys[i];

		/*
		 * The kid is only ever compared, never used as a path or
		 * a URL: "../../etc/passwd" simply matches nothing.
		 */
		if (kid != NULL && (k->kid == NULL || strcmp(k->kid, kid) != 0))
			continue;
		named++;
		if (pb_jwk_fits(k, alg, &fe) != PB_OK)
			continue;
		fit++;
		found = k;
	}
	if (kid != NULL) {
		pb_log_safe(kid, sp, sizeof(sp));
		if (named == 0)
			/* Most often the IdP rotated its keys. */
			return pb_err_set(e, PB_ERR_NOKEY, "no key with kid "
			    "'%s' in %s; run bearer-token fetch-jwks (or "
			    "check pam-bearer-jwks.timer)", sp, ss);
		if (fit == 0)
			return pb_err_set(e, PB_ERR_NOKEY, "key '%s' in %s "
			    "does not fit %s: %s", sp, ss, alg->name,
			    pb_err_msg(&fe));
		if (fit > 1)
			return pb_err_set(e, PB_ERR_NOKEY, "%zu keys with kid "
			    "'%s' in %s fit %s: ambiguous", fit, sp, ss,
			    alg->name);
	} else if (fit == 0)
		return pb_err_set(e, PB_ERR_NOKEY, "token has no kid and 0 "
		    "keys in %s fit %s", ss, alg->name);
	else if (fit > PB_JWKS_NOKID_MAX)
		/*
		 * Each key tried is one signature check: without a cap a
		 * kid-less token costs up to 256 of them per login.
		 */
		return pb_err_set(e, PB_ERR_NOKEY, "token has no kid and %zu "
		    "keys fit %s: the IdP must send a kid (without one at "
		    "most %d keys are tried)", fit, alg->name,
		    PB_JWKS_NOKID_MAX);
	else
		/* No kid: the first key that fits; pb_jwks_next() the rest. */
		found = pb_jwks_next(set, alg, NULL);
	*out = found;
	return PB_OK;
}

const struct pb_jwk *
pb_jwks_next(const struct pb_jwks *set, const struct pb_alg *alg,
    const struct pb_jwk *prev)
{
	struct pb_err fe;
	size_t i = 0;

	if (prev != NULL) {
		while (i < set->n && set->keys[i] != prev)
			i++;
		i++;
	}
	for (; i < set->n; i++)
		if (pb_jwk_fits(set->keys[i], alg, &fe) == PB_OK)
			return set->keys[i];
	return NULL;
}


/*
 * The key its kid names, or for a token without kid each key that fits
 * its alg in turn, at most PB_JWKS_NOKID_MAX of them (pb_jwks_find()
 * refuses more; the keys are all the one issuer's, so any of them is as
 * good as a named one).
 */
int
pb_jwks_verify(const struct pb_jwks *set, const struct pb_jws *jws,
    struct pb_err *e)
{
	const struct pb_jwk *key;
	size_t tried = 1;
	int r;

	if (jws->alg == NULL)
		return pb_err_set(e, PB_ERR_ALG, "alg is not supported");
	if ((r = pb_jwks_find(set, jws->kid, jws->alg, &key, e)) != PB_OK)
		return r;
	while ((r = pb_jws_verify(jws, key, e)) == PB_ERR_SIG &&
	    jws->kid == NULL &&
	    (key = pb_jwks_next(set, jws->alg, key)) != NULL)
		tried++;
	if (r == PB_ERR_SIG && tried > 1)
		return pb_err_set(e, PB_ERR_SIG, "signature does not verify "
		    "with any of the %zu keys that fit %s (the token has no "
		    "kid)", tried, jws->alg->name);
	return r;
}
