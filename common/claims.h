/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_CLAIMS_H
#define PB_CLAIMS_H

#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "err.h"

/*
 * JWT claim checks (RFC 7519 section 4.1, RFC 8725 3.8-3.9) and the policy
 * of pam_bearer.conf.  Each takes the claims object of a verified token and
 * returns PB_OK or a code with a message that says what was wrong, quoting
 * claim values only through pb_log_safe().  Time is passed in.
 */

/*
 * exp required and a NumericDate; reject when now >= exp + leeway
 * (PB_ERR_EXPIRED).  nbf, when present: reject when now + leeway < nbf
 * (PB_ERR_NOTYET).  iat, when present: reject when now + leeway < iat
 * (PB_ERR_NOTYET); required when max_age > 0, and rejected when
 * now - iat > max_age (PB_ERR_EXPIRED; leeway does not stretch it).
 * Mistyped values are PB_ERR_CLAIM.
 */
int pb_claims_check_time(const cJSON *claims, int64_t now, long leeway,
    long max_age, struct pb_err *e) PB_WUR;

/* iss is a string equal to one of issuers (PB_ERR_ISS). */
int pb_claims_check_iss(const cJSON *claims, const struct pb_strlist *issuers,
    struct pb_err *e) PB_WUR;

/*
 * aud is a string, or an array of strings, that contains one of audiences
 * (PB_ERR_AUD).  A missing aud is rejected: RFC 8725 3.9.
 */
int pb_claims_check_aud(const cJSON *claims,
    const struct pb_strlist *audiences, struct pb_err *e) PB_WUR;

/*
 * The policy keys of cfg, in this order: no ID-token-only claim (nonce,
 * at_hash, c_hash) unless accept_id_tokens, require_scope (all in scope or
 * scp, each a space-separated string or an array of strings),
 * require_groups (one in the groups claim, an array of strings or one
 * string), require_claim (each NAME=VALUE holds; see DESIGN.md).
 * PB_ERR_POLICY, or PB_ERR_CLAIM when a claim has the wrong type.
 */
int pb_claims_check_policy(const cJSON *claims, const struct pb_conf *cfg,
    struct pb_err *e) PB_WUR;

/*
 * The value of the username claim (a claim name or JSON Pointer), which
 * must be a string.  With safe set it must also look like a local user
 * name: 1 to 256 bytes of [A-Za-z0-9._@-], not starting with '-'.
 * *out points into claims.  PB_ERR_CLAIM otherwise.
 */
int pb_claims_username(const cJSON *claims, const char *claim, int safe,
    const char **out, struct pb_err *e) PB_WUR;

/*
 * The key a token is bound to (RFC 9449 6.1, RFC 7800): *jkt is NULL when
 * the token has no cnf (a bearer token), else the value of cnf.jkt, which
 * must be a string of 43 base64url characters (an RFC 7638 SHA-256
 * thumbprint).  A cnf that is no object, lacks jkt (another confirmation
 * method, such as the certificate of RFC 8705) or holds a jkt of the
 * wrong type or form is PB_ERR_CLAIM: a binding we cannot check must not
 * be dropped.  *jkt points into claims.
 */
int pb_claims_cnf_jkt(const cJSON *claims, const char **jkt,
    struct pb_err *e) PB_WUR;

#endif /* PB_CLAIMS_H */
