/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JWKSET_H
#define PB_JWKSET_H

#include <cjson/cJSON.h>

#include "err.h"

/*
 * JWK Sets as fetch-jwks merges them: telling keys apart, with or without
 * kid, and writing a set in one canonical text.  The keys are cJSON
 * objects; nothing here validates a key (pb_jwk_from_json() does).
 */

/* The kid of a JWK object (a string member), or NULL. */
const char *pb_jwkset_kid(const cJSON *k);

/* 1 when the array keys holds a JWK whose kid is kid, else 0. */
int pb_jwkset_has_kid(const cJSON *keys, const char *kid);

/*
 * 1 when the array keys holds k: a JWK with k's kid or, when k has no
 * kid, one with the same public key (the RFC 7638 thumbprint members,
 * compared as text); else 0.  A key that lost or changed its kid is not
 * held: it is retired under the old kid, which tokens may still name.
 */
int pb_jwkset_holds(const cJSON *keys, const cJSON *k);

/*
 * The number of signing entries of the array keys ("use" absent or
 * "sig") whose kid is kid: more than one is ambiguous, and the module's
 * loader skips them all.
 */
int pb_jwkset_signing_twins(const cJSON *keys, const char *kid);

/*
 * Put the JWK Set doc in canonical form, in place: the members of every
 * object by name (arrays keep their order: x5c is ordered), then the keys
 * by kid (none first) and by their text.  The same keys, however the IdP
 * orders keys and members, then print as the same text.  PB_OK, or
 * PB_ERR_NOMEM (doc is then still the same set, in some order).
 */
int pb_jwkset_canonical(cJSON *doc) PB_WUR;

#endif /* PB_JWKSET_H */
