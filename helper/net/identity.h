/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_IDENTITY_H
#define PB_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "oauth.h"

/*
 * What the tokens of a login or a refresh say, read without verification
 * (identity.c): for display and the cache's expiry only.
 */

/*
 * The access token's expiry: the earlier of t->expires_at and, for a JWT,
 * its exp; 0 when neither is known.
 */
int64_t pb_identity_expiry(const struct pb_tokens *t);

/*
 * Fill *subject and *username, each where NULL, with malloc()ed copies of
 * sub and preferred_username from the ID token, then the access token;
 * the caller frees them.  PB_OK, or PB_ERR_NOMEM (no message).
 */
int pb_identity_fill(const struct pb_tokens *t, char **subject,
    char **username) PB_WUR;

/*
 * "alice (sub 1234)", "alice", cut and escaped for a terminal, or "an
 * unknown user" when both are NULL; returns buf.
 */
const char *pb_identity_who(const char *username, const char *subject,
    char *buf, size_t bufsz);

#endif /* PB_IDENTITY_H */
