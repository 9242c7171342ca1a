/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JWK Sets as fetch-jwks merges and writes them (see jwkset.h): which keys
 * are the same, and one canonical text per set.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "jwkset.h"

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
