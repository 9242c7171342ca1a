/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JWS_H
#define PB_JWS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "jwk.h"

/*
 * A compact JWS (RFC 7515 section 7.1), split and decoded.  Everything is a
 * copy: the caller's token buffer is not referenced.  Read-only for users.
 */
struct pb_jws {
	cJSON			*header;	/* protected header object */
	const struct pb_alg	*alg;		/* NULL when alg is unknown */
	const char		*alg_name;	/* header alg, in header */
	const char		*kid;		/* NULL when absent */
	char			*signing_input;	/* "HEADER.PAYLOAD" */
	size_t			 signing_len;
	uint8_t			*payload;	/* decoded; NUL-terminated */
	size_t			 payload_len;
	uint8_t			*sig;
	size_t			 sig_len;
};

/* The message for input without any '.': no JWT at all. */
#define PB_JWS_NOT_JWT	"not a JWT (an opaque access token? ask the IdP " \
	"for JWT access tokens)"

/*
 * Split and decode a compact JWS of len bytes: over maxlen is PB_ERR_TOOBIG;
 * no '.' at all is PB_ERR_FORMAT with PB_JWS_NOT_JWT; not exactly three
 * segments, non-strict base64url (see b64url.h), an empty
 * header or signature, a header that is not a JSON object (pb_json_parse()
 * rules) or lacks a string "alg" is PB_ERR_FORMAT.  An unknown alg is
 * accepted here (alg is NULL) and refused by pb_jws_check_header().  The
 * caller frees *out with pb_jws_free().
 */
int pb_jws_parse(const char *tok, size_t len, size_t maxlen,
    struct pb_jws **out, struct pb_err *e) PB_WUR;

/*
 * Header rules (RFC 8725 3.1, RFC 7515 4.1.11): alg known and in alg_mask
 * (never "none", in any spelling), "crit" absent (we understand no
 * extension), "typ" absent or "JWT", "at+jwt" or "application/at+jwt"
 * compared case-insensitively.  PB_ERR_ALG or PB_ERR_HEADER with a message.
 * jku, x5u, jwk and x5c are never read.
 */
int pb_jws_check_header(const struct pb_jws *jws, unsigned alg_mask,
    struct pb_err *e) PB_WUR;

/*
 * The signature layer: verify sig over msg with key under alg.  Checks
 * pb_jwk_fits() first.  RSA signatures must be exactly the modulus size;
 * RSASSA-PSS uses MGF1 with the same hash and a salt of the hash size;
 * ECDSA takes raw r||s of exactly twice the curve size with r and s in
 * [1, n-1]; HMAC compares in constant time.  PB_OK, PB_ERR_SIG, PB_ERR_ALG,
 * PB_ERR_NOMEM or PB_ERR_INTERNAL.
 */
int pb_jws_verify_sig(const struct pb_alg *alg, const struct pb_jwk *key,
    const uint8_t *msg, size_t msglen, const uint8_t *sig, size_t siglen,
    struct pb_err *e) PB_WUR;

/* pb_jws_verify_sig() over the parsed token's signing input. */
int pb_jws_verify(const struct pb_jws *jws, const struct pb_jwk *key,
    struct pb_err *e) PB_WUR;

/* Free, wiping the copies of the token; NULL-safe. */
void pb_jws_free(struct pb_jws *jws);

#endif /* PB_JWS_H */
