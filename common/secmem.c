/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "secmem.h"

/*
 * No OpenSSL in this file: the helper's front binary links it without
 * libcrypto (loading libcrypto costs about 2 ms per process, more than a
 * cached "bearer-token get" may).  pb_ct_eq() is in ct.c for that reason.
 */
#ifndef HAVE_EXPLICIT_BZERO
/* A call through a volatile pointer the compiler cannot elide. */
static void *(*const volatile memset_v)(void *, int, size_t) = memset;
#endif

void
pb_bzero(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	(void)memset_v(p, 0, len);
#endif
}

void
pb_freezero(void *p, size_t len)
{
	if (p == NULL)
		return;
	pb_bzero(p, len);
	free(p);
}

int
pb_secret_dup(struct pb_secret *s, const void *p, size_t len)
{
	char *q;

	s->p = NULL;
	s->len = 0;
	if (len == SIZE_MAX || (q = malloc(len + 1)) == NULL)
		return PB_ERR_NOMEM;
	if (len > 0)
		memcpy(q, p, len);
	q[len] = '\0';
	s->p = q;
	s->len = len;
	return PB_OK;
}

void
pb_secret_clear(struct pb_secret *s)
{
	if (s == NULL)
		return;
	pb_freezero(s->p, s->len + (s->p != NULL ? 1 : 0));
	s->p = NULL;
	s->len = 0;
}
