/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Form bodies (application/x-www-form-urlencoded) and the HTTP Basic
 * header of a confidential client, for the requests of http.c.  Both hold
 * secrets (device codes, refresh tokens, client secrets): they are built
 * in our own buffers, grown by malloc, copy and wipe, and wiped on
 * release (STYLE.md 2.4).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "form.h"
#include "sbuf.h"
#include "secmem.h"

/* A form body never needs more; bigger is a bug or an attack. */
#define FORM_MAX	(64 * 1024)

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * Append the n bytes at s to b percent-encoded (RFC 3986 section 2: all
 * but ALPHA DIGIT "-._~" become %XX).  Errors stick in b.
 */
static void
put_encoded(struct pb_sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char pct[3] = { '%', '0', '0' };
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c)) {
			(void)pb_sbuf_put(b, &s[i], 1);
			continue;
		}
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 0xf];
		(void)pb_sbuf_put(b, pct, 3);
	}
	pb_bzero(pct, sizeof(pct));	/* it held a byte of the value */
}

/*
 * Append key=value to body: a fresh buffer (struct pb_sbuf, which grows
 * by malloc, copy and wipe, never realloc) gets the old bytes and the new
 * pair, then replaces the old buffer, which is wiped.  The body is left
 * as it was on failure.
 */
static int
form_add(struct pb_secret *body, const char *key, const char *val,
    size_t vlen)
{
	struct pb_sbuf b;
	struct pb_secret nb;
	size_t klen;
	int r;

	klen = strlen(key);
	if (klen > FORM_MAX || vlen > FORM_MAX)
		return PB_ERR_TOOBIG;
	pb_sbuf_init(&b, FORM_MAX);
	if (body->len > 0) {
		(void)pb_sbuf_put(&b, body->p, body->len);
		(void)pb_sbuf_put(&b, "&", 1);
	}
	put_encoded(&b, key, klen);
	(void)pb_sbuf_put(&b, "=", 1);
	put_encoded(&b, val, vlen);
	/* PB_ERR_TOOBIG past FORM_MAX, PB_ERR_NOMEM; b wiped either way. */
	if ((r = pb_sbuf_take(&b, &nb)) != PB_OK)
		return r;
	pb_secret_clear(body);
	*body = nb;
	return PB_OK;
}

int
pb_form_add(struct pb_secret *body, const char *key, const char *value)
{
	if (key == NULL || value == NULL)
		return PB_ERR_INTERNAL;
	return form_add(body, key, value, strlen(value));
}

int
pb_form_add_target(struct pb_secret *body, const char *scope,
    const char *resource, const char *audience)
{
	const char *key[] = { "scope", "resource", "audience" };
	const char *val[] = { scope, resource, audience };
	size_t i;
	int r;

	for (i = 0; i < sizeof(key) / sizeof(key[0]); i++)
		if (val[i] != NULL && *val[i] != '\0' &&
		    (r = pb_form_add(body, key[i], val[i])) != PB_OK)
			return r;
	return PB_OK;
}

int
pb_form_add_secret(struct pb_secret *body, const char *key,
    const struct pb_secret *value)
{
	if (key == NULL || value == NULL || (value->p == NULL &&
	    value->len > 0))
		return PB_ERR_INTERNAL;
	return form_add(body, key, value->p == NULL ? "" : value->p,
	    value->len);
}

/*
 * "Authorization: Basic base64(enc(user) ':' enc(pass))", with enc the
 * form-urlencoding of RFC 6749 section 2.3.1 (so a ':' in a client_id
 * survives).  Built in our buffers and wiped; *out is NUL-terminated.
 */
int
pb_form_basic_header(const char *user, const struct pb_secret *pass,
    struct pb_secret *out)
{
	static const char prefix[] = "Authorization: Basic ";
	struct pb_sbuf cred;
	size_t ulen, plen, b64len = 0;
	char *hdr = NULL;
	int r = PB_ERR_NOMEM;

	/* Room for both, each encoded at three bytes a byte at most. */
	pb_sbuf_init(&cred, 6 * (size_t)FORM_MAX + 1);
	ulen = strlen(user);
	plen = pass != NULL ? pass->len : 0;
	if (ulen > FORM_MAX || plen > FORM_MAX) {
		r = PB_ERR_TOOBIG;
		goto out;
	}
	put_encoded(&cred, user, ulen);
	(void)pb_sbuf_put(&cred, ":", 1);
	if (plen > 0)
		put_encoded(&cred, pass->p, plen);
	if ((r = cred.err) != PB_OK)
		goto out;
	r = PB_ERR_NOMEM;
	b64len = 4 * ((cred.len + 2) / 3);
	if ((hdr = malloc(sizeof(prefix) - 1 + b64len + 1)) == NULL)
		goto out;
	memcpy(hdr, prefix, sizeof(prefix) - 1);
	/* Standard base64 with padding (RFC 7617), not base64url. */
	if (cred.len > INT32_MAX || EVP_EncodeBlock(
	    (unsigned char *)hdr + sizeof(prefix) - 1,
	    (const unsigned char *)cred.p, (int)cred.len) != (int)b64len) {
		r = PB_ERR_INTERNAL;
		goto out;
	}
	out->p = hdr;
	out->len = sizeof(prefix) - 1 + b64len;
	hdr = NULL;
	r = PB_OK;
 out:
	pb_sbuf_clear(&cred);
	if (hdr != NULL)
		pb_freezero(hdr, sizeof(prefix) - 1 + b64len + 1);
	return r;
}
