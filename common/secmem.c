/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "secmem.h"

void
pb_bzero(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	OPENSSL_cleanse(p, len);
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
pb_ct_eq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
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
