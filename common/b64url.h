/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_B64URL_H
#define PB_B64URL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * Strict base64url (RFC 4648 section 5, as JWS uses it, RFC 7515 section 2):
 * only the characters A-Z a-z 0-9 - _, no padding, no whitespace, a length
 * that is not 1 mod 4, and zero bits in the unused low bits of the last
 * character, so every byte string has exactly one encoding.
 */

/* Decoded size of an encoded length (an upper bound for invalid input). */
size_t pb_b64url_declen(size_t inlen);

/* Encoded size (without the NUL) of len bytes. */
size_t pb_b64url_enclen(size_t len);

/*
 * Decode inlen characters at in into a fresh buffer (NUL-terminated for
 * convenience, the NUL not counted in *outlen).  Input longer than maxlen
 * characters is PB_ERR_TOOBIG; any deviation from the rules above is
 * PB_ERR_FORMAT.  The caller frees *out (pb_freezero() for secrets).
 */
int pb_b64url_decode(const char *in, size_t inlen, size_t maxlen,
    uint8_t **out, size_t *outlen) PB_WUR;

/*
 * Encode len bytes into a fresh NUL-terminated string in *out.  Returns
 * PB_OK or PB_ERR_NOMEM.  The caller frees *out.
 */
int pb_b64url_encode(const uint8_t *in, size_t len, char **out) PB_WUR;

#endif /* PB_B64URL_H */
