/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "b64url.h"
#include "secmem.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of a base64url character, or -1 for anything else. */
static int
value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

size_t
pb_b64url_declen(size_t inlen)
{
	return inlen / 4 * 3 + (inlen % 4 * 3) / 4;
}

size_t
pb_b64url_enclen(size_t len)
{
	return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

int
pb_b64url_decode(const char *in, size_t inlen, size_t maxlen, uint8_t **out,
    size_t *outlen)
{
	uint8_t *buf = NULL;
	uint32_t acc = 0;
	size_t i, o = 0, n;
	int bits = 0, v, r = PB_ERR_INTERNAL;

	*out = NULL;
	*outlen = 0;
	if (inlen > maxlen)
		return PB_ERR_TOOBIG;
	/* RFC 4648 3.5: one leftover character cannot hold a whole byte. */
	if (inlen % 4 == 1)
		return PB_ERR_FORMAT;
	n = pb_b64url_declen(inlen);
	if ((buf = malloc(n + 1)) == NULL)
		return PB_ERR_NOMEM;
	for (i = 0; i < inlen; i++) {
		if ((v = value((unsigned char)in[i])) < 0) {
			r = PB_ERR_FORMAT;
			goto out;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/*
	 * RFC 4648 3.5: the unused low bits of the last character must be
	 * zero, or two encodings would decode to the same bytes.
	 */
	if (acc != 0) {
		r = PB_ERR_FORMAT;
		goto out;
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	buf = NULL;
	r = PB_OK;
 out:
	if (buf != NULL)
		pb_freezero(buf, n + 1);
	return r;
}

int
pb_b64url_encode(const uint8_t *in, size_t len, char **out)
{
	char *buf;
	size_t i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	*out = NULL;
	if (len > SIZE_MAX / 2 ||
	    (buf = malloc(pb_b64url_enclen(len) + 1)) == NULL)
		return PB_ERR_NOMEM;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			buf[o++] = alphabet[(acc >> bits) & 0x3f];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		buf[o++] = alphabet[(acc << (6 - bits)) & 0x3f];
	buf[o] = '\0';
	*out = buf;
	return PB_OK;
}
