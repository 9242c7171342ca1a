/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_SECMEM_H
#define PB_SECMEM_H

#include <stddef.h>

/*
 * A secret (token, device code, client secret, HMAC key).  Kept in its own
 * type so that passing it to a printf %s fails to compile.  p is
 * NUL-terminated when it came from pb_secret_dup().
 */
struct pb_secret {
	char	*p;
	size_t	 len;
};

/* Wipe len bytes at p (not optimised away).  NULL-safe. */
void pb_bzero(void *p, size_t len);

/* Wipe then free; NULL-safe (the OpenSSH freezero()). */
void pb_freezero(void *p, size_t len);

/*
 * Constant-time comparison of two buffers of equal length (CRYPTO_memcmp).
 * Returns 1 when equal, 0 when not.
 */
int pb_ct_eq(const void *a, const void *b, size_t len);

/*
 * Copy len bytes into a fresh NUL-terminated secret.  Returns PB_OK or
 * PB_ERR_NOMEM; on failure *s is left empty.  Release with pb_secret_clear().
 */
int pb_secret_dup(struct pb_secret *s, const void *p, size_t len)
    __attribute__((warn_unused_result));

/* Wipe and free the secret's bytes and reset it to empty; NULL-safe. */
void pb_secret_clear(struct pb_secret *s);

#endif /* PB_SECMEM_H */
