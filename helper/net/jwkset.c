/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JWK Sets as fetch-jwks merges and writes them (see jwkset.h): which keys
 * are the same, one canonical text per set, and the merge of the IdP's
 * keys with the retired ones of the old set.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "err.h"
#include "json.h"
#include "jwk.h"
#include "jwkset.h"

#define RETIRED		"x-pam-bearer-retired-at"	/* our JWK member */

const char *
pb_jwkset_kid(const cJSON *k)
{
	return pb_json_get_string(k, "kid");
}

int
pb_jwkset_has_kid(const cJSON *keys, const char *kid)
{
	const cJSON *k;
	const char *id;

	cJSON_ArrayForEach(k, keys)
		if ((id = pb_jwkset_kid(k)) != NULL && strcmp(id, kid) == 0)
			return 1;
	return 0;
}

/*
 * Whether two JWKs hold the same public key: the members RFC 7638 takes
 * for a thumbprint, compared as text (the loader insists on strict
 * base64url, so one value has one spelling).  This tells keys without a
 * kid apart.
 */
static int
same_key(const cJSON *a, const cJSON *b)
{
	static const char *const m[] = { "kty", "crv", "n", "e", "x", "y" };
	const char *sa, *sb;
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		sa = pb_json_get_string(a, m[i]);
		sb = pb_json_get_string(b, m[i]);
		if ((sa == NULL) != (sb == NULL) ||
		    (sa != NULL && strcmp(sa, sb) != 0))
			return 0;
	}
	return 1;
}

int
pb_jwkset_holds(const cJSON *keys, const cJSON *k)
{
	const cJSON *o;

	if (pb_jwkset_kid(k) != NULL)
		return pb_jwkset_has_kid(keys, pb_jwkset_kid(k));
	cJSON_ArrayForEach(o, keys)
		if (same_key(o, k))
			return 1;
	return 0;
}

int
pb_jwkset_signing_twins(const cJSON *keys, const char *kid)
{
	const cJSON *k, *use;
	const char *id;
	int n = 0;

	cJSON_ArrayForEach(k, keys) {
		use = pb_json_get(k, "use");
		if ((id = pb_jwkset_kid(k)) != NULL && strcmp(id, kid) == 0 &&
		    (use == NULL || (cJSON_IsString(use) &&
		    strcmp(use->valuestring, "sig") == 0)))
			n++;
	}
	return n;
}

/*
 * Put the members of v and of every object in it in name order; arrays
 * keep their order (x5c is ordered).  0, or -1 when out of memory.
 */
static int
sort_members(cJSON *v)
{
	cJSON **m, *c, *next;
	size_t n = 0, i;

	for (c = v->child; c != NULL; c = c->next) {
		if (sort_members(c) == -1)
			return -1;
		n++;
	}
	if (!cJSON_IsObject(v) || n < 2)
		return 0;
	if ((m = calloc(n, sizeof(*m))) == NULL)
		return -1;
	for (i = 0, c = v->child; c != NULL; c = next) {
		next = c->next;
		m[i++] = cJSON_DetachItemViaPointer(v, c);
	}
	qsort(m, n, sizeof(*m), pb_json_cmp_names);
	for (i = 0; i < n; i++)
		(void)cJSON_AddItemToArray(v, m[i]);	/* keeps the name */
	free(m);
	return 0;
}

struct skey {
	cJSON		*k;
	const char	*kid;
	char		*text;
};

static int
by_kid_text(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	int c;

	c = strcmp(x->kid != NULL ? x->kid : "", y->kid != NULL ? y->kid : "");
	return c != 0 ? c : strcmp(x->text, y->text);
}

int
pb_jwkset_canonical(cJSON *doc)
{
	cJSON *keys, *c;
	struct skey *s;
	size_t n, i;
	int r = PB_ERR_NOMEM;

	if (sort_members(doc) == -1)
		return PB_ERR_NOMEM;
	keys = cJSON_GetObjectItemCaseSensitive(doc, "keys");
	if (!cJSON_IsArray(keys) || (n = (size_t)cJSON_GetArraySize(keys)) < 2)
		return PB_OK;
	if ((s = calloc(n, sizeof(*s))) == NULL)
		return PB_ERR_NOMEM;
	for (i = 0, c = keys->child; c != NULL && i < n; c = c->next, i++) {
		s[i].k = c;
		s[i].kid = pb_jwkset_kid(c);
		if ((s[i].text = cJSON_PrintUnformatted(c)) == NULL)
			goto out;
	}
	qsort(s, n, sizeof(*s), by_kid_text);
	for (i = 0; i < n; i++)
		(void)cJSON_DetachItemViaPointer(keys, s[i].k);
	for (i = 0; i < n; i++)
		(void)cJSON_AddItemToArray(keys, s[i].k);
	r = PB_OK;
 out:
	for (i = 0; i < n; i++)
		cJSON_free(s[i].text);
	free(s);
	return r;
}

/* The kid of a JWK object, or NULL. */
static const char *
kid_of(const cJSON *k)
{
	return pb_jwkset_kid(k);
}

int
pb_jwkset_take_new(const cJSON *in, cJSON *out)
{
	char sb[PB_SAFE_BUFSZ];
	const cJSON *k;
	struct pb_jwk *jwk;
	struct pb_err e;
	const char *use;
	cJSON *dup;
	int n = 0, i = 0;

	cJSON_ArrayForEach(k, in) {
		i++;
		use = pb_json_get_string(k, "use");
		if (use != NULL && strcmp(use, "sig") != 0)
			continue;	/* encryption keys: not ours */
		pb_err_clear(&e);
		if (pb_jwk_from_json(k, 0, &jwk, &e) != PB_OK) {
			fprintf(stderr, "%s: fetch-jwks: leaving out key %d "
			    "(kid '%s'): %s\n", PB_PROG, i,
			    kid_of(k) != NULL ? pb_log_safe(kid_of(k), sb,
			    sizeof(sb)) : "none", pb_err_msg(&e));
			continue;
		}
		pb_jwk_free(jwk);
		if ((dup = cJSON_Duplicate(k, 1)) == NULL)
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(dup, RETIRED);
		cJSON_AddItemToArray(out, dup);
		n++;
	}
	return n;
}

/* The index of k's kid among the --drop kids, or -1. */
static int
drop_index(const struct pb_jwkset_retire *o, const cJSON *k)
{
	size_t i;

	if (kid_of(k) == NULL)
		return -1;
	for (i = 0; i < o->ndrop; i++)
		if (strcmp(o->drop[i], kid_of(k)) == 0)
			return (int)i;
	return -1;
}

int
pb_jwkset_keep_retired(const cJSON *old, const struct pb_jwkset_retire *o,
    int64_t now, cJSON *out, unsigned *hit)
{
	char sb[PB_SAFE_BUFSZ];
	const cJSON *keys, *k, *at;
	struct pb_jwk *jwk;
	struct pb_err e;
	const char *kid;
	cJSON *dup;
	int64_t since;
	int n = 0, i = 0, d;

	*hit = 0;
	if (!cJSON_IsArray(keys = pb_json_get(old, "keys")))
		return 0;
	cJSON_ArrayForEach(k, keys) {
		i++;
		if (pb_jwkset_holds(out, k))
			continue;	/* published (or listed twice) */
		kid = kid_of(k) != NULL ? pb_log_safe(kid_of(k), sb,
		    sizeof(sb)) : "none";
		if ((d = drop_index(o, k)) >= 0) {
			*hit |= 1u << d;
			printf("%s: fetch-jwks: retired key '%s' dropped "
			    "(--drop)\n", PB_PROG, kid);
			continue;
		}
		if (o->keep == 0)
			continue;
		pb_err_clear(&e);
		if (pb_jwk_from_json(k, 0, &jwk, &e) != PB_OK) {
			fprintf(stderr, "%s: fetch-jwks: not keeping key %d of "
			    "the old set (kid '%s'): %s\n", PB_PROG, i, kid,
			    pb_err_msg(&e));
			continue;
		}
		pb_jwk_free(jwk);
		if (kid_of(k) != NULL &&
		    pb_jwkset_signing_twins(keys, kid_of(k)) > 1) {
			fprintf(stderr, "%s: fetch-jwks: not keeping key %d of "
			    "the old set: kid '%s' names more than one signing "
			    "key\n", PB_PROG, i, kid);
			continue;
		}
		/* No mark yet: gone since now, and marked so from now on. */
		since = now;
		if ((at = pb_json_get(k, RETIRED)) != NULL &&
		    pb_json_time(at, 0, &since) != PB_OK)
			since = now;
		if (since > now)
			since = now;	/* a clock set back: no longer grace */
		if (now - since >= o->keep)
			continue;
		if ((dup = cJSON_Duplicate(k, 1)) == NULL)
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(dup, RETIRED);
		if (cJSON_AddNumberToObject(dup, RETIRED, (double)since) ==
		    NULL) {
			cJSON_Delete(dup);
			return -1;
		}
		cJSON_AddItemToArray(out, dup);
		n++;
	}
	return n;
}

/* The unformatted JSON of k, its length in *len.  -1 when out of memory. */
static int
json_len(const cJSON *k, size_t *len)
{
	char *t;

	if ((t = cJSON_PrintUnformatted(k)) == NULL)
		return -1;
	*len = strlen(t);
	cJSON_free(t);
	return 0;
}

/*
 * The retired key (after the fresh ones) retired longest ago by its mark;
 * with nokid, among those without a kid only.  NULL when there is none.
 */
static cJSON *
oldest_retired(cJSON *keys, int fresh, int nokid)
{
	const cJSON *at;
	cJSON *k, *oldest = NULL;
	double min = 0;
	int i = 0;

	cJSON_ArrayForEach(k, keys) {
		if (i++ < fresh || (nokid && pb_json_get(k, "kid") != NULL))
			continue;
		at = pb_json_get(k, RETIRED);
		if (oldest == NULL || (cJSON_IsNumber(at) &&
		    at->valuedouble < min)) {
			oldest = k;
			min = cJSON_IsNumber(at) ? at->valuedouble : 0;
		}
	}
	return oldest;
}

int
pb_jwkset_fit_limits(cJSON *keys, int fresh, int *kept)
{
	cJSON *k, *oldest;
	size_t n = 0, nokid = 0, bytes = sizeof("{\"keys\":[]}") - 1, len;
	int gone = 0, over;

	/* Member and key order do not change the length. */
	cJSON_ArrayForEach(k, keys) {
		if (json_len(k, &len) == -1)
			return -1;
		bytes += len + (n++ > 0);
		nokid += pb_json_get(k, "kid") == NULL;
	}
	while (*kept > 0) {
		over = n > PB_JWKS_MAX_KEYS || bytes > PB_JWKS_MAX;
		oldest = oldest_retired(keys, fresh, !over);
		if (!over && (nokid <= PB_JWKS_NOKID_MAX || oldest == NULL))
			break;
		if (oldest == NULL || json_len(oldest, &len) == -1)
			return -1;
		bytes -= len + 1;
		n--;
		nokid -= pb_json_get(oldest, "kid") == NULL;
		cJSON_Delete(cJSON_DetachItemViaPointer(keys, oldest));
		(*kept)--;
		gone++;
	}
	return gone;
}
