/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_CLIENT_CREDS_H
#define PB_CLIENT_CREDS_H

#include <stdint.h>

#include "oauth.h"
#include "session.h"

/*
 * The commands for a profile with grant = client_credentials (DESIGN.md
 * section 3): an unattended machine with no person and no session.  No
 * refresh token is stored and nothing goes to the keyring; the access
 * token is cached like any other.  Each returns an exit status after a
 * message when it is not PB_EXIT_OK; none prints a token, the client
 * secret or an assertion.
 */

/* Whether the profile of s is a client_credentials one. */
#define PB_CLIENT_CREDS(s) \
	((s)->c.grant == PB_PROFILE_GRANT_CLIENT_CREDENTIALS)

/*
 * Under the profile's lock (get.c): discovery, then a new access token
 * from the token endpoint into *tok, *now the time it was asked.
 * PB_EXIT_TEMP when the IdP is unreachable or failing, PB_EXIT_CONFIG
 * when it refuses the client (the message names the client and its key
 * file or secret) or the profile is unusable.
 */
int pb_client_creds_fetch(struct pb_sess *s, struct pb_tokens *tok,
    int64_t *now) PB_WUR;

/* login: fetch and cache one token to show that the setup works. */
int pb_client_creds_login(struct pb_sess *s, int json) PB_WUR;

/* status: the profile, its grant and client_auth, the cached token. */
int pb_client_creds_status(struct pb_sess *s, int json) PB_WUR;

/* logout: remove the cached access token (there is nothing else). */
int pb_client_creds_logout(struct pb_sess *s) PB_WUR;

#endif /* PB_CLIENT_CREDS_H */
