/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JWK_KTY_H
#define PB_JWK_KTY_H

#include <cjson/cJSON.h>

#include "err.h"
#include "jwk.h"

/*
 * The builders of jwk_kty.c, one per kty, for pb_jwk_from_json() (jwk.c).
 * Not an API: only common/jwk*.c include this.
 */

/* Bounds on what a JWK may make us do. */
#define OCT_MIN_LEN	32
#define OCT_MAX_LEN	1024

/*
 * Read the key material of the JWK obj, whose kty is k->kty, into k:
 * k->pkey (RSA, EC, OKP; EC and OKP set k->curve too) or k->secret (oct,
 * OCT_MIN_LEN bytes at least; the decoded copy is wiped).  PB_OK, or
 * PB_ERR_KEY with a message saying what is wrong or unsafe, or
 * PB_ERR_NOMEM.  On failure k may hold part of the key: pb_jwk_free() it.
 */
int pb_jwk_kty_rsa(const cJSON *obj, struct pb_jwk *k, struct pb_err *e)
    PB_WUR;
int pb_jwk_kty_ec(const cJSON *obj, struct pb_jwk *k, struct pb_err *e)
    PB_WUR;
int pb_jwk_kty_okp(const cJSON *obj, struct pb_jwk *k, struct pb_err *e)
    PB_WUR;
int pb_jwk_kty_oct(const cJSON *obj, struct pb_jwk *k, struct pb_err *e)
    PB_WUR;

#endif /* PB_JWK_KTY_H */
