/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_POP_H
#define PB_POP_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "jwt.h"
#include "strlist.h"

/*
 * The login proof of DESIGN.md section 5: the module's second prompt is
 * answered with a DPoP proof (RFC 9449) made with the key a bound token
 * names in cnf.jkt, over the module's nonce, the token and this host.
 */

#define PB_POP_MAX		4096	/* bytes of a proof, at most */
#define PB_POP_IAT_MAX		60	/* seconds of iat skew, at most */
#define PB_POP_IAT_MIN		5	/* and at least, whatever leeway says */
#define PB_POP_HTM		"SSH"
#define PB_POP_HTU_SCHEME	"ssh://"

/* Why a login with an unbound token fails under require_pop. */
#define PB_POP_UNBOUND	"proof required: the token is not bound (no cnf)"

/*
 * Whether a login with the verified token jwt can go on: PB_OK, or
 * PB_ERR_POLICY (PB_POP_UNBOUND) when cfg->require_pop and the token has
 * no cnf.jkt, so that no proof could ever do.  Checked before the proof is
 * asked for.
 */
int pb_pop_check_bound(const struct pb_conf *cfg, const struct pb_jwt *jwt,
    struct pb_err *e) PB_WUR;

/*
 * Check the proof (len bytes) for the verified token jwt, every rule of
 * DESIGN.md section 5 in its order: a token bound to a key (jwt->cnf_jkt:
 * without it, or without a proof, "proof required"); the token's exp, with
 * cfg->leeway, judged again at now, when the proof came (PB_ERR_EXPIRED,
 * "token expired while waiting for the proof"); at most PB_POP_MAX
 * bytes; a compact JWS; typ "dpop+jwt" (any case); alg asymmetric and in
 * cfg->algorithms, no crit; a header jwk that is a public key only (no
 * "d" nor any other private member) which pb_jwk_from_json() accepts, with
 * its rules; the signature with that key; its RFC 7638 thumbprint equal to
 * cnf.jkt (constant time); then the claims, a JSON object without
 * duplicate names: nonce equal to nonce, ath equal to base64url(SHA-256 of
 * the token), htm PB_POP_HTM, htu PB_POP_HTU_SCHEME followed by one of
 * host_names (ASCII case-insensitive), iat within cfg->leeway of now
 * either way (PB_POP_IAT_MIN at least: a proof is signed and checked
 * in different seconds, even with leeway 0; PB_POP_IAT_MAX at most).
 * PB_OK, or the code of the rule that failed with e saying what it was,
 * values escaped (pb_log_safe()).
 * No code is about the admin's files: every failure is the login's.
 */
int pb_pop_verify(const struct pb_conf *cfg, const struct pb_jwt *jwt,
    const char *proof, size_t len, const char *nonce,
    const struct pb_strlist *host_names, int64_t now, struct pb_err *e)
    PB_WUR;

#endif /* PB_POP_H */
