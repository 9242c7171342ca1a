/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_ID_TOKEN_H
#define PB_ID_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "http.h"
#include "secmem.h"

/*
 * The ID token of a browser login (authorization code + PKCE), validated
 * as OpenID Connect Core 3.1.3.7 and RFC 8725 ask before the user's name
 * is shown: the signature through the common core (common/jws.h,
 * common/jwk.h) with the IdP's JWK Set, an asymmetric alg only (a public
 * client has no secret, so never HS*, never none), typ not at+jwt, then
 * iss, aud, azp, exp, iat, nonce and sub.  Messages never quote the token.
 */

#define PB_ID_TOKEN_MAX		(16 * 1024)	/* bytes of an ID token */
#define PB_ID_TOKEN_LEEWAY	60		/* seconds, exp and iat */

struct pb_id_claims {
	char	*subject;	/* sub */
	char	*username;	/* preferred_username, else email, else NULL */
};

/*
 * GET the IdP's JWK Set at jwks_uri with http's options (answers up to
 * PB_JWKS_MAX bytes), status 200 required: PB_ERR_HTTP "HTTP N from
 * jwks_uri" otherwise, or the code of pb_http_get().  The caller clears
 * *resp.  fetch-jwks fetches its set the same way.
 */
int pb_id_token_fetch_jwks(const struct pb_http *http, const char *jwks_uri,
    struct pb_http_resp *resp, struct pb_err *e) PB_WUR;

/* Fetch the JWKS at jwks_uri over http, then pb_id_token_verify(). */
int pb_id_token_check(const struct pb_http *http, const char *jwks_uri,
    const char *issuer, const char *client_id, const char *nonce,
    const struct pb_secret *id_token, int64_t now,
    struct pb_id_claims *out, struct pb_err *e) PB_WUR;

/*
 * The pure part, for unit tests: jwks is the JWK Set's JSON text (len
 * bytes).  iss must equal issuer exactly; aud hold client_id, with azp
 * equal to client_id when aud holds several or azp is present; exp and
 * iat required (PB_ID_TOKEN_LEEWAY); nonce equal to the one sent; sub a
 * non-empty string.  PB_OK with *out filled (pb_id_claims_clear() it);
 * otherwise *out is empty and e says why: PB_ERR_FORMAT, PB_ERR_TOOBIG,
 * PB_ERR_KEY (the set), PB_ERR_ALG, PB_ERR_HEADER, PB_ERR_NOKEY,
 * PB_ERR_SIG, PB_ERR_ISS, PB_ERR_AUD, PB_ERR_CLAIM, PB_ERR_EXPIRED,
 * PB_ERR_NOTYET or PB_ERR_NOMEM.
 */
int pb_id_token_verify(const char *jwks, size_t jwks_len,
    const char *issuer, const char *client_id, const char *nonce,
    const struct pb_secret *id_token, int64_t now,
    struct pb_id_claims *out, struct pb_err *e) PB_WUR;

/* Free the strings of c and reset it; NULL-safe. */
void pb_id_claims_clear(struct pb_id_claims *c);

#endif /* PB_ID_TOKEN_H */
