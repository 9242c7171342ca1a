/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logout: revoke the stored refresh token at the IdP (RFC 7009, best
 * effort) and delete the session and the cached access token here, under
 * the profile's lock.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client_creds.h"
#include "commands.h"
#include "err.h"
#include "net.h"
#include "oauth.h"
#include "secmem.h"
#include "session.h"

#define REVOKE_TIMEOUT	10		/* seconds, logout's best effort */

int
pb_logout_run(int argc, char **argv)
{
	struct pb_options o;
	struct pb_sess s;
	struct pb_stored st;
	struct pb_err e;
	int rv, r, code = PB_OK;

	memset(&st, 0, sizeof(st));
	memset(&o, 0, sizeof(o));
	pb_err_clear(&e);
	if ((rv = pb_options_parse(argc, argv, &o, NULL, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	if ((rv = pb_session_open(&s, &o)) != PB_EXIT_OK ||
	    (rv = pb_session_lock(&s)) != PB_EXIT_OK)
		goto out;
	if (PB_CLIENT_CREDS(&s)) {
		rv = pb_client_creds_logout(&s);
		goto out;
	}
	pb_session_recover(&s);
	rv = pb_session_load(&s, &st, NULL, 1, &code);
	if (code == PB_ERR_NOTFOUND) {
		pb_session_cache_drop(&s);
		fprintf(stderr, "Not logged in (profile %s): nothing to "
		    "revoke.\n", s.c.profile);
		rv = PB_EXIT_OK;	/* nothing to do is not a failure */
		goto out;
	}
	if (rv != PB_EXIT_OK) {
		fprintf(stderr, "%s: deleting it anyway\n", PB_PROG);
		rv = pb_session_forget(&s);
		goto out;
	}
	if (st.refresh.len == 0)
		r = pb_err_set(&e, PB_ERR_NOTFOUND, "no refresh token was "
		    "stored");
	else if (st.revocation_endpoint == NULL)
		r = pb_err_set(&e, PB_ERR_CONFIG, "the IdP advertises no "
		    "revocation_endpoint");
	else {
		if (s.http.timeout > REVOKE_TIMEOUT)
			s.http.timeout = REVOKE_TIMEOUT;
		if (s.http.connect_timeout > REVOKE_TIMEOUT)
			s.http.connect_timeout = REVOKE_TIMEOUT;
		r = pb_token_revoke(st.revocation_endpoint, &s.client,
		    &st.refresh, &e);
	}
	if ((rv = pb_session_forget(&s)) != PB_EXIT_OK)
		goto out;
	if (r == PB_OK)
		fprintf(stderr, "Logged out (profile %s): the IdP confirmed "
		    "the revocation and the tokens here are deleted.\n",
		    s.c.profile);
	else
		fprintf(stderr, "Logged out (profile %s): the tokens here are "
		    "deleted, but the IdP did not confirm the revocation "
		    "(%s).\n", s.c.profile, pb_err_msg(&e));
 out:
	pb_session_stored_clear(&st);
	pb_session_close(&s);
	return rv;
}
