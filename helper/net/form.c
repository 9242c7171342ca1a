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

/* Length of s (n bytes) once percent-encoded. */
static size_t
enclen(const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		o += unreserved((unsigned char)s[i]) ? 1 : 3;
	return o;
}

/* Percent-encode n bytes at s to dst (enclen(s, n) bytes); returns end. */
static char *
encode(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c))
			*dst++ = (char)c;
		else {
			*dst++ = '%';
			*dst++ = hex[c >> 4];
			*dst++ = hex[c & 0xf];
		}
	}
	return dst;
}

/*
 * Append key=value to body: a fresh buffer of the new size, the old bytes
 * copied and then wiped with the old buffer (never realloc, which would
 * leave an unwiped copy behind when it moves the block).
 */
static int
form_add(struct pb_secret *body, const char *key, const char *val,
    size_t vlen)
{
	size_t klen, need;
	char *nb, *p;

	klen = strlen(key);
	if (klen > FORM_MAX || vlen > FORM_MAX)
		return PB_ERR_TOOBIG;
	need = body->len + (body->len > 0 ? 1 : 0) + enclen(key, klen) + 1 +
	    enclen(val, vlen);
	if (need > FORM_MAX)
		return PB_ERR_TOOBIG;
	if ((nb = malloc(need + 1)) == NULL)
		return PB_ERR_NOMEM;
	p = nb;
	if (body->len > 0) {
		memcpy(p, body->p, body->len);
		p += body->len;
		*p++ = '&';
	}
	p = encode(p, key, klen);
	*p++ = '=';
	p = encode(p, val, vlen);
	*p = '\0';
	pb_secret_clear(body);
	body->p = nb;
	body->len = need;
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
	struct pb_secret cred = { NULL, 0 };
	size_t ulen, plen, b64len = 0;
	char *hdr = NULL, *p;
	int r = PB_ERR_NOMEM;

	ulen = strlen(user);
	plen = pass != NULL ? pass->len : 0;
	if (ulen > FORM_MAX || plen > FORM_MAX) {
		r = PB_ERR_TOOBIG;
		goto out;
	}
	cred.len = enclen(user, ulen) + 1 +
	    (plen > 0 ? enclen(pass->p, plen) : 0);
	if ((cred.p = malloc(cred.len + 1)) == NULL)
		goto out;
	p = encode(cred.p, user, ulen);
	*p++ = ':';
	if (plen > 0)
		p = encode(p, pass->p, plen);
	*p = '\0';
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
	pb_secret_clear(&cred);
	if (hdr != NULL)
		pb_freezero(hdr, sizeof(prefix) - 1 + b64len + 1);
	return r;
}
