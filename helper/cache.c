/* SPDX-License-Identifier: BSD-2-Clause */
/* The access token cache in the runtime directory (see cache.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cache.h"
#include "jbuf.h"
#include "json.h"

void
pb_cache_name(const char *profile, char *buf, size_t bufsz)
{
	(void)snprintf(buf, bufsz, "%s.json", profile);
}

void
pb_cache_lock_name(const char *profile, char *buf, size_t bufsz)
{
	(void)snprintf(buf, bufsz, "%s.lock", profile);
}

void
pb_cached_clear(struct pb_cached *t)
{
	if (t == NULL)
		return;
	pb_secret_clear(&t->token);
	t->expires_at = 0;
	t->obtained_at = 0;
}

int
pb_cached_fresh(const struct pb_cached *t, int64_t now, long min_ttl)
{
	int64_t want = min_ttl;

	if (t->token.len == 0)
		return 0;
	if (min_ttl < 0) {
		want = PB_CACHE_MIN_TTL;
		if (t->expires_at > t->obtained_at &&
		    (t->expires_at - t->obtained_at) / 2 < want)
			want = (t->expires_at - t->obtained_at) / 2;
	}
	return t->expires_at - now >= want && t->expires_at > now;
}

/* Whether member name of j is the string want (both absent: yes). */
static int
same(const cJSON *j, const char *name, const char *want)
{
	const char *v = pb_json_get_string(j, name);

	if (v == NULL || want == NULL)
		return v == NULL && want == NULL;
	return strcmp(v, want) == 0;
}

int
pb_cache_read(const struct pb_pdir *d, const struct pb_hconf *c,
    struct pb_cached *t, struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + 8];
	struct pb_secret buf = { NULL, 0 };
	const cJSON *at, *exp, *got;
	cJSON *j = NULL;
	int64_t te, tg;
	int r;

	pb_cache_name(c->profile, name, sizeof(name));
	if ((r = pb_pdir_read(d, name, PB_CACHE_MAX, &buf, e)) != PB_OK)
		return r;
	if ((r = pb_json_parse(buf.p, buf.len, PB_CACHE_MAX, "token cache",
	    &j, e)) != PB_OK)
		goto out;
	at = pb_json_get(j, "access_token");
	exp = pb_json_get(j, "expires_at");
	got = pb_json_get(j, "obtained_at");
	if (!cJSON_IsString(at) || at->valuestring[0] == '\0' ||
	    exp == NULL || pb_json_time(exp, 0, &te) != PB_OK ||
	    got == NULL || pb_json_time(got, 0, &tg) != PB_OK) {
		r = pb_err_set(e, PB_ERR_FORMAT, "token cache %s is damaged",
		    name);
		goto out;
	}
	if (!same(j, "issuer", c->issuer) ||
	    !same(j, "client_id", c->client_id) ||
	    !same(j, "scope", c->scope) ||
	    !same(j, "audience", c->audience) ||
	    !same(j, "resource", c->resource)) {
		r = pb_err_set(e, PB_ERR_NOTFOUND, "the cached token was "
		    "issued for other settings");
		goto out;
	}
	if ((r = pb_secret_dup(&t->token, at->valuestring,
	    strlen(at->valuestring))) != PB_OK) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	t->expires_at = te;
	t->obtained_at = tg;
 out:
	pb_json_delete_wipe(j);
	pb_secret_clear(&buf);
	return r;
}

int
pb_cache_write(const struct pb_pdir *d, const struct pb_hconf *c,
    const struct pb_cached *t, struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + 8];
	struct pb_jbuf b;
	struct pb_secret doc = { NULL, 0 };
	int r;

	memset(&b, 0, sizeof(b));
	pb_jbuf_begin(&b);
	pb_jbuf_str(&b, "issuer", c->issuer);
	pb_jbuf_str(&b, "client_id", c->client_id);
	pb_jbuf_str(&b, "scope", c->scope);
	pb_jbuf_str(&b, "audience", c->audience);
	pb_jbuf_str(&b, "resource", c->resource);
	pb_jbuf_int(&b, "expires_at", t->expires_at);
	pb_jbuf_int(&b, "obtained_at", t->obtained_at);
	pb_jbuf_secret(&b, "access_token", &t->token);
	if ((r = pb_jbuf_end(&b, &doc)) != PB_OK)
		return pb_err_set(e, r, "cannot write the token cache: %s",
		    r == PB_ERR_NOMEM ? "out of memory" : "bad token bytes");
	pb_cache_name(c->profile, name, sizeof(name));
	r = pb_pdir_write(d, name, doc.p, doc.len, e);
	pb_secret_clear(&doc);
	return r;
}

int
pb_cache_remove(const struct pb_pdir *d, const struct pb_hconf *c,
    struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + 8];

	pb_cache_name(c->profile, name, sizeof(name));
	return pb_pdir_remove(d, name, e);
}
