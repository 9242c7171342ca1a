/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JWT_H
#define PB_JWT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "err.h"
#include "jwk.h"
#include "jws.h"

/*
 * The whole offline verification of DESIGN.md "Verification order", in one
 * function (pb_jwt_verify()), over the keys a configuration names.
 */

/* Keys and settings for verifying; immutable once built, so shareable. */
struct pb_verifier;

/*
 * Build a verifier from a checked configuration: load jwks_file (keys that
 * fail validation are reported through skip and left out) and, when
 * hmac_secret_file is set, the HMAC secret (a regular file that is not
 * group- or world-readable; one trailing newline is dropped).  cfg must
 * outlive the verifier.  A missing or unreadable file is PB_ERR_IO, a file
 * with no usable key or a bad secret PB_ERR_KEY, a JWKS that is not JSON
 * PB_ERR_FORMAT, one over the size or key-count limits PB_ERR_TOOBIG.  Any
 * failure here means the admin's files are unusable, never a token problem.
 */
int pb_verifier_new(const struct pb_conf *cfg, pb_jwks_skip_fn *skip,
    void *ctx, struct pb_verifier **out, struct pb_err *e) PB_WUR;

/*
 * jwks_max_age for the JWK Set v loaded (pb_file_check_age() of jwks_file
 * at time now).  PB_OK when v loaded none (only HS algorithms allowed):
 * an HMAC secret is not synced, and jwks_file is then never read.
 */
int pb_verifier_check_age(const struct pb_verifier *v, int64_t now,
    struct pb_err *e) PB_WUR;

/* Free a verifier, wiping the HMAC secret; NULL-safe. */
void pb_verifier_free(struct pb_verifier *v);

/* A token that passed every check.  Read-only for users. */
struct pb_jwt {
	struct pb_jws	*jws;
	cJSON		*claims;
	const char	*iss;		/* these point into claims, or NULL */
	const char	*sub;
	const char	*jti;
	const char	*username;	/* value of username_claim */
	const char	*cnf_jkt;	/* the key it is bound to (RFC 9449
					   cnf.jkt), NULL for a bearer token */
	int64_t		 exp;
};

/*
 * Verify tok (len bytes) at time now, every step of DESIGN.md in order:
 * size, segments, base64url, header JSON, alg allowlist, crit, typ, key by
 * kid, signature, payload JSON, exp, nbf, iat, iss, aud, policy, username
 * claim, cnf (pb_claims_cnf_jkt(): a binding it cannot read refuses the
 * token).  The usermap, denylist, replay cache and a bound token's proof
 * (pb_pop_verify()) are the caller's.  On success *out holds the token
 * (pb_jwt_free()); on failure the code and e say why.
 */
int pb_jwt_verify(const struct pb_verifier *v, const char *tok, size_t len,
    int64_t now, struct pb_jwt **out, struct pb_err *e) PB_WUR;

/*
 * Looks like a JWT: three base64url-alphabet segments separated by two dots
 * whose header decodes to a JSON object, anything that starts with "eyJ"
 * and holds a dot (a broken token, a JWE), or anything that holds a JWT's
 * header and payload ("eyJ...".eyJ") somewhere inside.  Used to pass
 * non-JWT passwords on (PAM_IGNORE); the caller unwraps the input first
 * (pb_jwt_unwrap()).
 */
int pb_jwt_shaped(const char *tok, size_t len);

/*
 * The token inside what was pasted, in *t and *tlen (a part of in, not a
 * copy): surrounding ASCII blanks trimmed, then an optional
 * "Authorization:" and an optional "Bearer " (ASCII, any case), and pairs
 * of double or single quotes around the token, the scheme or the whole.
 * What is left goes to pb_jwt_shaped(); input that is no token is handed
 * on untouched by the caller.
 */
void pb_jwt_unwrap(const char *in, size_t len, const char **t, size_t *tlen);

/* Free a token, wiping its copies; NULL-safe. */
void pb_jwt_free(struct pb_jwt *jwt);

#endif /* PB_JWT_H */
