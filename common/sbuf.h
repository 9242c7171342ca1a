/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_SBUF_H
#define PB_SBUF_H

#include <stddef.h>

#include "err.h"
#include "secmem.h"

/*
 * One growing byte buffer for text that may be secret (libc only, so
 * libcbase).  It grows by a fresh malloc(), a copy and pb_freezero() of
 * the old block, never realloc(), so no copy of the bytes is left behind
 * in freed memory (STYLE.md 2.2).  p[len] is always '\0' once p is not
 * NULL.  len never exceeds max.
 *
 * Errors are sticky: after the first failure (PB_ERR_NOMEM, PB_ERR_TOOBIG,
 * PB_ERR_INTERNAL) b->err holds it and every call returns it and does
 * nothing, so a run of puts needs one check, at pb_sbuf_take() or on
 * b->err.  Read p, len and err directly; do not write them.
 *
 *	struct pb_sbuf b;
 *	pb_sbuf_init(&b, 64 * 1024);
 *	pb_sbuf_puts(&b, "a=");
 *	pb_sbuf_put(&b, v, vlen);
 *	if ((r = pb_sbuf_take(&b, &secret)) != PB_OK) ...
 */
struct pb_sbuf {
	char	*p;		/* NULL until the first put or reserve */
	size_t	 len;		/* bytes held, not counting the NUL */
	size_t	 cap;		/* bytes allocated at p */
	size_t	 max;		/* hard limit on len */
	int	 err;		/* PB_OK, or the first error (sticky) */
};

/*
 * Start an empty buffer that will hold at most max bytes (max is cut to
 * SIZE_MAX / 2).  Allocates nothing.  A zeroed struct is a valid, empty
 * buffer with max 0 (pb_sbuf_clear() on it is safe).
 */
void pb_sbuf_init(struct pb_sbuf *b, size_t max);

/*
 * Make room for n more bytes (and the NUL after them) without changing
 * len.  PB_OK; PB_ERR_TOOBIG when len + n would pass max; PB_ERR_NOMEM;
 * or the sticky error.  Any failure is sticky.
 */
int pb_sbuf_reserve(struct pb_sbuf *b, size_t n) PB_WUR;

/*
 * Append the n bytes at p (which must not point into b).  Returns as
 * pb_sbuf_reserve(); on failure nothing is appended.  The result need not
 * be checked at each call: the error is sticky.
 */
int pb_sbuf_put(struct pb_sbuf *b, const void *p, size_t n);

/* pb_sbuf_put() of the NUL-terminated string s (without its NUL). */
int pb_sbuf_puts(struct pb_sbuf *b, const char *s);

/*
 * Writing in place, for a reader (read(2), a decoder) that fills the
 * buffer itself: after pb_sbuf_reserve(b, n) returned PB_OK,
 * pb_sbuf_tail() is where the next byte goes (b->p + b->len) with room for
 * n bytes; write k <= n bytes there and call pb_sbuf_advance(b, k), which
 * adds them to len and writes the NUL after them.  pb_sbuf_tail() returns
 * NULL when b holds an error or has no memory yet.  pb_sbuf_advance() past
 * the room reserved sets the sticky error PB_ERR_INTERNAL and keeps len.
 * Bytes written past what was advanced are wiped when the buffer grows,
 * is taken or cleared.
 */
char *pb_sbuf_tail(struct pb_sbuf *b);
void pb_sbuf_advance(struct pb_sbuf *b, size_t n);

/*
 * Move the bytes into *out (a NUL-terminated secret of b->len bytes, never
 * with p NULL: an empty buffer gives ""), and leave b empty and reusable
 * with the same max.  On a sticky error, or PB_ERR_NOMEM for the "" of an
 * empty buffer, the bytes are wiped and freed, *out is left empty
 * ({ NULL, 0 }), b is reset as well and the error is returned.  Release
 * *out with pb_secret_clear().
 */
int pb_sbuf_take(struct pb_sbuf *b, struct pb_secret *out) PB_WUR;

/*
 * Wipe and free the bytes and reset b to empty, error cleared, same max.
 * NULL-safe; safe on a zeroed struct and to call twice.
 */
void pb_sbuf_clear(struct pb_sbuf *b);

#endif /* PB_SBUF_H */
