/* SPDX-License-Identifier: BSD-2-Clause */
/* The access token cache in the runtime directory (see token_cache.h). */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "parse.h"
#include "token_cache.h"

/*
 * Say once per user that the cache is on disk: the mark is made with
 * O_EXCL, so of two processes at once only one speaks.
 */
static void
disk_notice(const struct pb_privdir *d)
{
	const char *home = secure_getenv("HOME");
	const char *run = secure_getenv("XDG_RUNTIME_DIR");
	size_t hl = home != NULL ? strlen(home) : 0;
	char sp[PB_PATH_BUFSZ];
	int fd;

	if ((fd = openat(d->fd, PB_TOKEN_CACHE_NOTICE, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) == -1)
		return;
	close(fd);
	/* "~/..." when the directory is under HOME, as the user knows it. */
	if (hl > 1 && strncmp(d->path, home, hl) == 0 && d->path[hl] == '/')
		(void)snprintf(sp, sizeof(sp), "~%s", d->path + hl);
	else
		(void)pb_log_path(d->path, sp, sizeof(sp));
	fprintf(stderr, "%s: %s: caching the access token in %s (on disk, "
	    "0600; said once)\n", PB_PROG, run != NULL && run[0] == '/' ?
	    "XDG_RUNTIME_DIR is not a 0700 directory of yours" :
	    "no XDG_RUNTIME_DIR", sp);
}

int
pb_token_cache_open(struct pb_privdir *d, int create, struct pb_err *e)
{
	char *path = NULL, *state = NULL;
	int r;

	d->path = NULL;
	d->fd = -1;
	if ((r = pb_privdir_runtime_path(&path, e)) == PB_OK) {
		r = pb_privdir_open(d, path, create ? PB_PRIVDIR_CREATE_LAST :
		    0, e);
		goto out;
	}
	if (r != PB_ERR_NOTFOUND)
		goto out;
	/*
	 * No runtime directory: the state directory, which also holds the
	 * lock, so that processes with and without XDG_RUNTIME_DIR still
	 * take turns at refreshing.  Same trust rules: ours, 0700, no link.
	 */
	if ((r = pb_privdir_state_path(&state, e)) != PB_OK)
		goto out;
	if (asprintf(&path, "%s/%s", state, PB_TOKEN_CACHE_DISK_SUB) < 0) {
		path = NULL;
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = pb_privdir_open(d, path, create ? PB_PRIVDIR_CREATE : 0, e);
	if (r == PB_OK && create)
		disk_notice(d);
 out:
	free(state);
	free(path);
	return r;
}

void
pb_token_cache_name(const char *profile, char *buf, size_t bufsz)
{
	(void)snprintf(buf, bufsz, "%s.cache", profile);
}

void
pb_token_cache_lock_name(const char *profile, char *buf, size_t bufsz)
{
	(void)snprintf(buf, bufsz, "%s.lock", profile);
}

void
pb_token_cache_clear(struct pb_cached *t)
{
	if (t == NULL)
		return;
	pb_secret_clear(&t->token);
	t->expires_at = 0;
	t->obtained_at = 0;
}

int
pb_token_cache_fresh(const struct pb_cached *t, int64_t now, long min_ttl)
{
	int64_t want = min_ttl;

	if (t->token.len == 0)
		return 0;
	if (min_ttl < 0) {
		want = PB_TOKEN_CACHE_MIN_TTL;
		if (t->expires_at > t->obtained_at &&
		    (t->expires_at - t->obtained_at) / 2 < want)
			want = (t->expires_at - t->obtained_at) / 2;
	}
	return t->expires_at - now >= want && t->expires_at > now;
}

/*
 * The file holds "key=value" lines, the first one "bearer-token-cache 1".
 * Not JSON: the front binary, which reads it on every cached get, then
 * needs no JSON parser and no cJSON to load (a measurable part of a 2 ms
 * budget).  Values are printable ASCII (profile.c checks the settings, and
 * pb_token_cache_write() the token), so a line ends only at '\n'.
 */
#define MAGIC	"bearer-token-cache 1\n"

static const char *const bound[] = {
	"issuer", "client_id", "scope", "audience", "resource", "grant",
	"client_auth"
};

/* The settings a cached token is bound to, in bound[]'s order. */
static const char *
bound_value(const struct pb_profile *c, size_t i)
{
	const char *const v[] = {
		c->issuer, c->client_id, c->scope, c->audience, c->resource,
		pb_profile_grant_name(c->grant),
		pb_profile_auth_name(c->client_auth)
	};

	return v[i];
}

/* Parse a decimal time of at most 12 digits; -1 when it is not one. */
static int64_t
parse_time(const char *p, size_t len)
{
	unsigned long v;

	if (len > 12 || pb_parse_ulong_n(p, len, 0, 999999999999UL, &v) !=
	    PB_OK)
		return -1;
	return (int64_t)v;
}

int
pb_token_cache_read(const struct pb_privdir *d, const struct pb_profile *c,
    struct pb_cached *t, struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + 8], sp[PB_PATH_BUFSZ];
	struct pb_secret buf = { NULL, 0 };
	const char *line, *eq, *nl, *end, *tok = NULL, *want;
	size_t toklen = 0, klen, vlen, i;
	unsigned seen = 0;
	int64_t te = -1, tg = -1;
	int r, other = 0;

	pb_token_cache_name(c->profile, name, sizeof(name));
	if ((r = pb_privdir_read(d, name, PB_TOKEN_CACHE_MAX, &buf, e)) !=
	    PB_OK)
		return r;
	end = buf.p + buf.len;
	if (buf.len < sizeof(MAGIC) - 1 ||
	    memcmp(buf.p, MAGIC, sizeof(MAGIC) - 1) != 0)
		goto damaged;
	for (line = buf.p + sizeof(MAGIC) - 1; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL ||
		    (eq = memchr(line, '=', (size_t)(nl - line))) == NULL)
			goto damaged;
		klen = (size_t)(eq - line);
		vlen = (size_t)(nl - eq - 1);
		if (klen == 10 && memcmp(line, "expires_at", 10) == 0)
			te = parse_time(eq + 1, vlen);
		else if (klen == 11 && memcmp(line, "obtained_at", 11) == 0)
			tg = parse_time(eq + 1, vlen);
		else if (klen == 12 && memcmp(line, "access_token", 12) == 0) {
			tok = eq + 1;
			toklen = vlen;
		} else {
			for (i = 0; i < sizeof(bound) / sizeof(bound[0]); i++)
				if (strlen(bound[i]) == klen &&
				    memcmp(line, bound[i], klen) == 0)
					break;
			if (i == sizeof(bound) / sizeof(bound[0]) ||
			    (seen & (1u << i)) != 0)
				goto damaged;
			seen |= 1u << i;
			want = bound_value(c, i);
			if (want == NULL || strlen(want) != vlen ||
			    memcmp(want, eq + 1, vlen) != 0)
				other = 1;
		}
	}
	if (tok == NULL || !pb_parse_b64token(tok, toklen) || te < 0 ||
	    tg < 0)
		goto damaged;
	for (i = 0; i < sizeof(bound) / sizeof(bound[0]); i++)
		if ((seen & (1u << i)) == 0 && bound_value(c, i) != NULL)
			other = 1;
	if (other) {
		r = pb_err_set(e, PB_ERR_NOTFOUND, "the cached token was "
		    "issued for other settings");
		goto out;
	}
	if (pb_secret_dup(&t->token, tok, toklen) != PB_OK) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	t->expires_at = te;
	t->obtained_at = tg;
	r = PB_OK;
	goto out;
 damaged:
	r = pb_err_set(e, PB_ERR_FORMAT, "the token cache %s/%s is damaged; "
	    "it will be replaced", pb_log_path(d->path, sp, sizeof(sp)),
	    name);
 out:
	pb_secret_clear(&buf);
	return r;
}

/* Append "key=value\n" at *p, which has room (sized by the caller). */
static void
put_line(char **p, const char *key, const char *v, size_t vlen)
{
	size_t klen = strlen(key);

	memcpy(*p, key, klen);
	(*p)[klen] = '=';
	memcpy(*p + klen + 1, v, vlen);
	(*p)[klen + 1 + vlen] = '\n';
	*p += klen + vlen + 2;
}

int
pb_token_cache_write(const struct pb_privdir *d, const struct pb_profile *c,
    const struct pb_cached *t, struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + 8], num[2][24];
	char *doc, *p;
	size_t len, i;
	int r;

	if (!pb_parse_b64token(t->token.p, t->token.len))
		return pb_err_set(e, PB_ERR_FORMAT, "the access token is not "
		    "an RFC 6750 b64token: not cached");
	if (t->token.len > PB_TOKEN_CACHE_MAX / 2)
		return pb_err_set(e, PB_ERR_FORMAT, "the access token is too "
		    "long to cache");
	(void)snprintf(num[0], sizeof(num[0]), "%lld",
	    (long long)t->expires_at);
	(void)snprintf(num[1], sizeof(num[1]), "%lld",
	    (long long)t->obtained_at);
	len = sizeof(MAGIC) - 1 + sizeof("expires_at=\n") +
	    sizeof("obtained_at=\n") + sizeof("access_token=\n") +
	    strlen(num[0]) + strlen(num[1]) + t->token.len;
	for (i = 0; i < sizeof(bound) / sizeof(bound[0]); i++)
		if (bound_value(c, i) != NULL)
			len += strlen(bound[i]) + strlen(bound_value(c, i)) + 2;
	if ((doc = malloc(len)) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	p = doc;
	memcpy(p, MAGIC, sizeof(MAGIC) - 1);
	p += sizeof(MAGIC) - 1;
	for (i = 0; i < sizeof(bound) / sizeof(bound[0]); i++)
		if (bound_value(c, i) != NULL)
			put_line(&p, bound[i], bound_value(c, i),
			    strlen(bound_value(c, i)));
	put_line(&p, "expires_at", num[0], strlen(num[0]));
	put_line(&p, "obtained_at", num[1], strlen(num[1]));
	put_line(&p, "access_token", t->token.p, t->token.len);
	pb_token_cache_name(c->profile, name, sizeof(name));
	r = pb_privdir_write(d, name, doc, (size_t)(p - doc), e);
	pb_freezero(doc, len);
	return r;
}

int
pb_token_cache_remove(const struct pb_privdir *d, const struct pb_profile *c,
    struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + 8];

	pb_token_cache_name(c->profile, name, sizeof(name));
	return pb_privdir_remove(d, name, e);
}

int
pb_token_cache_remove_disk(const struct pb_profile *c, struct pb_err *e)
{
	struct pb_privdir d = { NULL, -1 };
	char *state = NULL, *path = NULL;
	int r;

	if ((r = pb_privdir_state_path(&state, e)) != PB_OK)
		return r;
	if (asprintf(&path, "%s/%s", state, PB_TOKEN_CACHE_DISK_SUB) < 0) {
		path = NULL;
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	} else if ((r = pb_privdir_open(&d, path, 0, e)) == PB_OK)
		r = pb_token_cache_remove(&d, c, e);
	pb_privdir_close(&d);
	free(state);
	free(path);
	return r;
}
