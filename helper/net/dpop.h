/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_DPOP_H
#define PB_DPOP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "err.h"
#include "secmem.h"

/*
 * The helper's DPoP key (RFC 9449, DESIGN.md section 5): one P-256 key
 * pair per session, kept as a private JWK in the stored session and never
 * anywhere else, and the proofs it signs (ES256, the raw r||s form of RFC
 * 7518 3.4): for the IdP's token endpoint and for the module's login
 * prompt.  Nothing here prints; no function puts key bytes in a message.
 */

/* Opaque; ES256 (P-256).  Free with pb_dpop_key_free(). */
struct pb_dpop_key;

/* Characters of an RFC 7638 SHA-256 thumbprint in base64url. */
#define PB_DPOP_THUMB_LEN	43		/* PB_JWK_THUMB_LEN of jwk.h */

/* Longest private JWK that pb_dpop_key_from_json() reads, in bytes. */
#define PB_DPOP_KEY_MAX		4096

/*
 * Make a fresh key pair from the OS random source.  PB_OK with *k set, or
 * PB_ERR_INTERNAL (OpenSSL failed) or PB_ERR_NOMEM.
 */
int pb_dpop_key_new(struct pb_dpop_key **k, struct pb_err *e) PB_WUR;

/*
 * The private JWK {"crv":"P-256","d":...,"kty":"EC","x":...,"y":...} in
 * *out (NUL-terminated), for the stored session.  The caller wipes it with
 * pb_secret_clear().  PB_OK, PB_ERR_NOMEM or PB_ERR_INTERNAL.
 */
int pb_dpop_key_to_json(const struct pb_dpop_key *k, struct pb_secret *out,
    struct pb_err *e) PB_WUR;

/*
 * The key back from len bytes of that JSON (strict JSON, at most
 * PB_DPOP_KEY_MAX bytes): kty "EC", crv "P-256", x, y and d of 32 bytes
 * each, a point on the curve that is d's.  PB_OK with *k set, or
 * PB_ERR_FORMAT / PB_ERR_KEY / PB_ERR_TOOBIG with a message (never the
 * key's bytes), or PB_ERR_NOMEM.  The caller wipes json.
 */
int pb_dpop_key_from_json(const char *json, size_t len,
    struct pb_dpop_key **k, struct pb_err *e) PB_WUR;

/* Free the key; OpenSSL wipes the private scalar.  NULL-safe. */
void pb_dpop_key_free(struct pb_dpop_key *k);

/*
 * The RFC 7638 SHA-256 thumbprint of the public key, base64url, in out
 * (PB_DPOP_THUMB_LEN characters and a NUL): the value an IdP puts in the
 * access token's cnf.jkt, computed by pb_jwk_thumbprint() (jwk.h) from
 * the public key loaded as the module loads a proof's jwk.  PB_OK,
 * PB_ERR_NOMEM, PB_ERR_KEY or PB_ERR_INTERNAL; out is "" on failure.
 */
int pb_dpop_key_thumbprint(const struct pb_dpop_key *k,
    char out[PB_DPOP_THUMB_LEN + 1], struct pb_err *e) PB_WUR;

/*
 * Whether the access token tok, a JWT read without verification (the
 * IdP's answer, for the helper's own judgement only), carries cnf.jkt
 * (RFC 9449 section 6.1) equal to k's thumbprint.  PB_OK; PB_ERR_CLAIM
 * with a message when it has no cnf.jkt or another one; PB_ERR_FORMAT
 * when it is not a JWT; PB_ERR_NOMEM.
 */
int pb_dpop_key_binds(const struct pb_dpop_key *k,
    const struct pb_secret *tok, struct pb_err *e) PB_WUR;

/*
 * An RFC 9449 proof in *out (a compact JWS, NUL-terminated): header
 * {"typ":"dpop+jwt","alg":"ES256","jwk":{the public key}}, claims jti (16
 * random bytes, base64url), htm, htu, iat = now, nonce (NULL: no nonce
 * claim) and ath = base64url(SHA-256(tok's bytes)) (tok NULL: no ath).
 * The caller wipes *out with pb_secret_clear().  PB_OK, PB_ERR_NOMEM or
 * PB_ERR_INTERNAL.
 */
int pb_dpop_proof(const struct pb_dpop_key *k, const char *htm,
    const char *htu, int64_t now, const char *nonce,
    const struct pb_secret *tok, struct pb_secret *out,
    struct pb_err *e) PB_WUR;

/*
 * A compact JWS in *out (NUL-terminated): base64url(header) "."
 * base64url(claims) "." signature, header and claims being JSON texts,
 * signed with pkey by alg: "ES256" (a P-256 key; the raw r||s of RFC 7518
 * 3.4), "RS256" (RSA, PKCS#1 v1.5 with SHA-256) or "EdDSA" (Ed25519, RFC
 * 8037).  The one JWS signer of the helper: DPoP proofs and the client
 * assertions of RFC 7523 (client_assert.c).  The caller wipes *out.
 * PB_OK, PB_ERR_NOMEM or PB_ERR_INTERNAL (alg does not fit the key).
 */
int pb_dpop_jws_sign(EVP_PKEY *pkey, const char *alg, const char *header,
    const char *claims, struct pb_secret *out, struct pb_err *e) PB_WUR;

#endif /* PB_DPOP_H */
