/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pb_ct_eq() (declared in secmem.h), apart from secmem.c so that the
 * OpenSSL-free part of common (libcbase) does not need libcrypto.
 */
#include "config.h"

#include <openssl/crypto.h>

#include "secmem.h"

int
pb_ct_eq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
