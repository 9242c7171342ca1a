/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "sbuf.h"
#include "secmem.h"

/* The first block: most values fit and it saves a few copies. */
#define SBUF_MIN	64

void
pb_sbuf_init(struct pb_sbuf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max > SIZE_MAX / 2 ? SIZE_MAX / 2 : max;
	b->err = PB_OK;
}

/* Record the first error; every later call returns it. */
static int
fail(struct pb_sbuf *b, int r)
{
	if (b->err == PB_OK)
		b->err = r;
	return b->err;
}

int
pb_sbuf_reserve(struct pb_sbuf *b, size_t n)
{
	size_t want, cap;
	char *q;

	if (b->err != PB_OK)
		return b->err;
	if (n > b->max - b->len)
		return fail(b, PB_ERR_TOOBIG);
	want = b->len + n + 1;
	if (want <= b->cap)
		return PB_OK;
	/* Doubling keeps the copies linear; max + 1 is the most ever used. */
	cap = b->cap < SBUF_MIN ? SBUF_MIN : b->cap;
	while (cap < want)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((q = malloc(cap)) == NULL)
		return fail(b, PB_ERR_NOMEM);
	if (b->p != NULL)
		memcpy(q, b->p, b->len);
	q[b->len] = '\0';
	/* The whole old block: bytes past len may have been written too. */
	pb_freezero(b->p, b->cap);
	b->p = q;
	b->cap = cap;
	return PB_OK;
}

int
pb_sbuf_put(struct pb_sbuf *b, const void *p, size_t n)
{
	int r;

	if ((r = pb_sbuf_reserve(b, n)) != PB_OK)
		return r;
	if (n > 0) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
	}
	return PB_OK;
}

int
pb_sbuf_puts(struct pb_sbuf *b, const char *s)
{
	return pb_sbuf_put(b, s, strlen(s));
}

char *
pb_sbuf_tail(struct pb_sbuf *b)
{
	if (b->err != PB_OK || b->p == NULL)
		return NULL;
	return b->p + b->len;
}

void
pb_sbuf_advance(struct pb_sbuf *b, size_t n)
{
	if (b->err != PB_OK)
		return;
	if (n == 0)
		return;
	if (b->p == NULL || n >= b->cap - b->len) {
		(void)fail(b, PB_ERR_INTERNAL);
		return;
	}
	b->len += n;
	b->p[b->len] = '\0';
}

int
pb_sbuf_take(struct pb_sbuf *b, struct pb_secret *out)
{
	int r = b->err;

	out->p = NULL;
	out->len = 0;
	if (r == PB_OK && b->p == NULL && (b->p = malloc(1)) != NULL) {
		b->p[0] = '\0';
		b->cap = 1;
	}
	if (r == PB_OK && b->p == NULL)
		r = PB_ERR_NOMEM;
	if (r != PB_OK) {
		pb_sbuf_clear(b);
		return r;
	}
	/* pb_secret_clear() wipes len + 1 bytes: wipe the slack now. */
	pb_bzero(b->p + b->len + 1, b->cap - b->len - 1);
	out->p = b->p;
	out->len = b->len;
	b->p = NULL;
	pb_sbuf_clear(b);
	return PB_OK;
}

void
pb_sbuf_clear(struct pb_sbuf *b)
{
	if (b == NULL)
		return;
	pb_freezero(b->p, b->cap);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = PB_OK;
}
