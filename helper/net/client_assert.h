/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_CLIENT_ASSERT_H
#define PB_CLIENT_ASSERT_H

#include <stdint.h>

#include "err.h"
#include "secmem.h"

/*
 * The client key of an unattended machine (grant = client_credentials,
 * client_auth = private_key_jwt; DESIGN.md section 3) and the client
 * assertions it signs (RFC 7523 section 2.2 and 3): iss and sub the
 * client_id, aud the token endpoint, a fresh jti, iat now and exp at most
 * PB_CLIENT_ASSERT_TTL seconds later.  The signing is dpop.c's
 * (pb_dpop_jws_sign()).  Nothing here prints; no message holds key bytes
 * or an assertion.
 */

#define PB_CLIENT_ASSERT_TTL	60		/* exp - iat, seconds */
#define PB_CLIENT_KEY_MAX	(64 * 1024)	/* largest key file */

/*
 * Opaque: the private key, its alg, the client_id, the certificate's
 * thumbprints.  Wiped when freed.
 */
struct pb_client_key;

/*
 * Read the PEM private key file path: opened without following a symbolic
 * link, a regular file owned by the effective uid with no access for
 * group or others (else PB_ERR_IO, the message naming the file and the
 * fix); an unencrypted EC P-256, RSA of 2048 bits or more, or Ed25519 key
 * (else PB_ERR_KEY).  The file may hold the key's certificate too (a PEM
 * CERTIFICATE block, as Entra ID wants one): then every assertion's
 * header names it by x5t and x5t#S256 (base64url SHA-1 and SHA-256 of its
 * DER).  A certificate that does not parse, is not the key's, or is not
 * alone is PB_ERR_KEY.  client_id is copied.  PB_OK with *k set; free it
 * with pb_client_assert_free().
 */
int pb_client_assert_load(const char *path, const char *client_id,
    struct pb_client_key **k, struct pb_err *e) PB_WUR;

/*
 * Choose the key's alg from its type and what discovery listed (auth_algs,
 * PB_OIDC_ALG_* of oauth.h): ES256 for P-256, RS256 for RSA, EdDSA for
 * Ed25519 only when the IdP lists EdDSA.  An alg the IdP's list leaves out
 * is PB_ERR_CONFIG with a message naming the file.
 */
int pb_client_assert_alg(struct pb_client_key *k, unsigned auth_algs,
    struct pb_err *e) PB_WUR;

/* The alg chosen ("ES256", "RS256", "EdDSA"; before: the key's first). */
const char *pb_client_assert_alg_name(const struct pb_client_key *k);

/*
 * A client assertion for the endpoint aud at time now in *out (a compact
 * JWS, NUL-terminated; the caller wipes it with pb_secret_clear()).
 * PB_OK, PB_ERR_NOMEM or PB_ERR_INTERNAL.
 */
int pb_client_assert_make(const struct pb_client_key *k, const char *aud,
    int64_t now, struct pb_secret *out, struct pb_err *e) PB_WUR;

/* pb_client_assert_make() at time(NULL): the hook of pb_oauth_client. */
int pb_client_assert_hook(void *k, const char *aud, struct pb_secret *out,
    struct pb_err *e) PB_WUR;

/* Free and wipe k; NULL-safe. */
void pb_client_assert_free(struct pb_client_key *k);

#endif /* PB_CLIENT_ASSERT_H */
