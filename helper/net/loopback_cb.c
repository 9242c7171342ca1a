/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The browser login's callback as loopback.c received it: the request
 * line of GET /callback?QUERY and its form-urlencoded query (RFC 6749
 * section 4.1.2, RFC 9207), and the state's comparison.  The code and the
 * state are wiped when released.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "secmem.h"
#include "browser.h"

void
pb_loopback_cb_clear(struct pb_loopback_cb *cb)
{
	if (cb == NULL)
		return;
	pb_secret_clear(&cb->code);
	if (cb->state != NULL)
		pb_freezero(cb->state, strlen(cb->state));
	free(cb->iss);
	free(cb->error);
	free(cb->error_description);
	memset(cb, 0, sizeof(*cb));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Form-urlencoded p[0..n) decoded into a fresh string *out of *outlen
 * bytes: PB_OK, PB_LOOPBACK_BAD (a bad escape, or a NUL or control byte
 * unless text, when each is a '?') or PB_ERR_NOMEM.
 */
static int
decode(const char *p, size_t n, int text, char **out, size_t *outlen)
{
	char *d;
	size_t i, k = 0;
	int hi, lo;

	if ((d = malloc(n + 1)) == NULL)
		return PB_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (p[i] == '+')
			d[k] = ' ';
		else if (p[i] != '%')
			d[k] = p[i];
		else if (i + 2 < n &&
		    (hi = hexval((unsigned char)p[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)p[i + 2])) >= 0) {
			d[k] = (char)(hi << 4 | lo);
			i += 2;
		} else
			break;
		if ((unsigned char)d[k] < 0x20 || d[k] == 0x7f) {
			if (!text)
				break;
			d[k] = '?';
		}
		k++;
	}
	if (i < n) {
		pb_freezero(d, n + 1);
		return PB_LOOPBACK_BAD;
	}
	d[k] = '\0';
	*out = d;
	*outlen = k;
	return PB_OK;
}

/* The slot of the parameter name[0..n), or NULL when not one of ours. */
static char **
slot_of(struct pb_loopback_cb *cb, const char *name, size_t n)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} keys[] = {
		{ "code", offsetof(struct pb_loopback_cb, code.p) },
		{ "state", offsetof(struct pb_loopback_cb, state) },
		{ "iss", offsetof(struct pb_loopback_cb, iss) },
		{ "error", offsetof(struct pb_loopback_cb, error) },
		{ "error_description",
		    offsetof(struct pb_loopback_cb, error_description) },
	};
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strlen(keys[k].name) == n &&
		    memcmp(keys[k].name, name, n) == 0)
			return (char **)(void *)((char *)cb + keys[k].off);
	return NULL;
}

/* The query q[0..n) into *cb: PB_OK, PB_LOOPBACK_BAD or PB_ERR_NOMEM. */
static int
parse_query(const char *q, size_t n, struct pb_loopback_cb *cb)
{
	const char *end = q + n, *amp, *eq;
	char **slot, *v;
	size_t vlen;
	int r;

	while (q < end) {
		if ((amp = memchr(q, '&', (size_t)(end - q))) == NULL)
			amp = end;
		if ((eq = memchr(q, '=', (size_t)(amp - q))) == NULL)
			eq = amp;
		slot = slot_of(cb, q, (size_t)(eq - q));
		if (slot != NULL && *slot != NULL)
			return PB_LOOPBACK_BAD;		/* given twice */
		if (slot != NULL) {
			/* An IdP's words may hold a line break. */
			r = decode(eq < amp ? eq + 1 : eq, eq < amp ?
			    (size_t)(amp - eq - 1) : 0, slot == &cb->error ||
			    slot == &cb->error_description, &v, &vlen);
			if (r != PB_OK)
				return r;
			*slot = v;
			if (slot == &cb->code.p)
				cb->code.len = vlen;
		}
		q = amp < end ? amp + 1 : end;
	}
	return PB_OK;
}

int
pb_loopback_parse(const char *req, size_t len, struct pb_loopback_cb *cb)
{
	const char *eol, *t, *sp;
	size_t n;
	int r;

	memset(cb, 0, sizeof(*cb));
	if ((eol = memchr(req, '\n', len)) == NULL)
		return PB_LOOPBACK_BAD;
	n = (size_t)(eol - req);
	if (n > 0 && req[n - 1] == '\r')
		n--;
	/* METHOD SP request-target SP HTTP/1.x (RFC 9112 section 3). */
	if ((t = memchr(req, ' ', n)) == NULL ||
	    (sp = memchr(t + 1, ' ', n - (size_t)(t + 1 - req))) == NULL ||
	    (size_t)(req + n - sp) != 9 || memcmp(sp, " HTTP/1.", 8) != 0)
		return PB_LOOPBACK_BAD;
	t++;
	if ((size_t)(t - req) != 4 || memcmp(req, "GET ", 4) != 0 ||
	    sp - t < 9 || memcmp(t, "/callback", 9) != 0 ||
	    (sp - t > 9 && t[9] != '?'))
		return PB_LOOPBACK_OTHER;
	r = sp - t > 9 ? parse_query(t + 10, (size_t)(sp - t - 10), cb) :
	    PB_OK;
	if (r != PB_OK) {
		pb_loopback_cb_clear(cb);
		return r;
	}
	return PB_LOOPBACK_CALLBACK;
}

int
pb_loopback_state_eq(const char *want, const char *got)
{
	size_t n = strlen(want);

	/* The length is no secret; the bytes are compared in constant time. */
	return got != NULL && strlen(got) == n && pb_ct_eq(want, got, n);
}
