/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grant = client_credentials (client_creds.h): RFC 6749 section 4.4 with
 * client_secret_basic, client_secret_post or private_key_jwt (RFC 7523,
 * client_assert.c), for get (through get.c's lock and cache), login,
 * status and logout.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client_assert.h"
#include "client_creds.h"
#include "commands.h"
#include "err.h"
#include "identity.h"
#include "json_writer.h"
#include "oauth.h"
#include "profile.h"
#include "session.h"
#include "time_fmt.h"
#include "token_cache.h"

/* What the profile authenticates with, for messages (never the secret). */
static void
credential(const struct pb_sess *s, char *buf, size_t bufsz)
{
	char sp[PB_PATH_BUFSZ];

	if (s->c.client_auth == PB_PROFILE_AUTH_JWT)
		(void)snprintf(buf, bufsz, "the key in client_key_file %s",
		    pb_log_path(s->c.client_key_file, sp, sizeof(sp)));
	else
		(void)snprintf(buf, bufsz, "client_secret (%s)",
		    pb_profile_auth_name(s->c.client_auth));
}

/* The message and exit status for a failed token request r. */
static int
failed(const struct pb_sess *s, int r, const struct pb_err *e)
{
	char cred[PB_PATH_BUFSZ + 64], cb[PB_SAFE_BUFSZ];

	pb_session_say("cannot get an access token", e);
	credential(s, cred, sizeof(cred));
	if (r == PB_ERR_ACCESS_DENIED) {
		fprintf(stderr, "%s: the IdP refused client '%s' "
		    "authenticated with %s: check that the IdP has this "
		    "client_id with that credential registered (for "
		    "private_key_jwt, the public half of the key) and the "
		    "client_credentials grant allowed\n", PB_PROG,
		    pb_log_safe(s->c.client_id, cb, sizeof(cb)), cred);
		return PB_EXIT_CONFIG;
	}
	if (pb_session_exit_for(r) == PB_EXIT_TEMP)
		fprintf(stderr, "%s: nothing is lost (a client_credentials "
		    "profile has no session); try again later\n", PB_PROG);
	return pb_session_exit_for(r);
}

/* The scope to send: only one the profile sets (not the login default). */
static const char *
cc_scope(const struct pb_sess *s)
{
	return strcmp(s->c.scope, PB_PROFILE_SCOPE) == 0 ? NULL : s->c.scope;
}

int
pb_client_creds_fetch(struct pb_sess *s, struct pb_tokens *tok,
    int64_t *now)
{
	struct pb_client_key *k = NULL;
	struct pb_oidc_meta meta;
	struct pb_err e;
	int r, keyerr = 0;

	memset(&meta, 0, sizeof(meta));
	pb_err_clear(&e);
	if (s->c.dpop == PB_PROFILE_DPOP_YES) {
		fprintf(stderr, "%s: dpop = yes is not available with grant = "
		    "client_credentials (no session keeps a DPoP key): set "
		    "dpop = auto or no in profile %s\n", PB_PROG,
		    s->c.profile);
		return PB_EXIT_CONFIG;
	}
	if ((r = pb_oauth_discover(s->c.issuer, &s->http, &meta, &e)) !=
	    PB_OK)
		goto out;
	if (s->c.client_auth == PB_PROFILE_AUTH_JWT) {
		if ((r = pb_client_assert_load(s->c.client_key_file,
		    s->c.client_id, &k, &e)) != PB_OK ||
		    (r = pb_client_assert_alg(k, meta.auth_algs, &e)) !=
		    PB_OK) {
			keyerr = 1;	/* too big too: the file to fix */
			goto out;
		}
		s->client.auth = PB_CLIENT_AUTH_JWT;
		s->client.assertion = pb_client_assert_hook;
		s->client.assertion_arg = k;
	}
	*now = (int64_t)time(NULL);
	r = pb_token_client_creds(meta.token_endpoint, &s->client,
	    cc_scope(s), s->c.resource, s->c.audience, (time_t)*now, tok, &e);
 out:
	s->client.assertion = NULL;
	s->client.assertion_arg = NULL;
	pb_client_assert_free(k);
	pb_oidc_meta_clear(&meta);
	if (r == PB_OK)
		return PB_EXIT_OK;
	if (keyerr || r == PB_ERR_IO || r == PB_ERR_KEY) {
		pb_session_say(NULL, &e);
		return PB_EXIT_CONFIG;
	}
	return failed(s, r, &e);
}

int
pb_client_creds_login(struct pb_sess *s, int json)
{
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct pb_json_writer b;
	struct pb_tokens tok;
	char tb[64], cred[PB_PATH_BUFSZ + 64];
	int64_t now = 0;
	int rv;

	memset(&tok, 0, sizeof(tok));
	if ((rv = pb_session_lock(s)) != PB_EXIT_OK ||
	    (rv = pb_client_creds_fetch(s, &tok, &now)) != PB_EXIT_OK)
		goto out;
	t.expires_at = pb_identity_expiry(&tok);
	t.token = tok.access;
	tok.access.p = NULL;
	tok.access.len = 0;
	t.obtained_at = now;
	pb_session_cache_drop(s);
	pb_session_cache_put(s, &t);
	credential(s, cred, sizeof(cred));
	fprintf(stderr, "The client_credentials profile %s works: client %s "
	    "got an access token from %s with %s.\nNo login is needed: "
	    "'%s get' asks for a new token whenever the cached one runs "
	    "low, and nothing else is stored.\n", s->c.profile,
	    s->c.client_id, s->c.issuer, cred, PB_PROG);
	if (t.expires_at != 0 && !json)
		fprintf(stderr, "The access token is valid until %s.\n",
		    pb_time_fmt_date(t.expires_at, PB_TIME_UTC, tb,
		    sizeof(tb)));
	if (!json)
		goto out;
	memset(&b, 0, sizeof(b));
	pb_json_writer_begin(&b);
	pb_json_writer_str(&b, "status", "token");
	pb_json_writer_str(&b, "profile", s->c.profile);
	pb_json_writer_str(&b, "issuer", s->c.issuer);
	pb_json_writer_str(&b, "client_id", s->c.client_id);
	pb_json_writer_str(&b, "grant", "client_credentials");
	pb_json_writer_int(&b, "expires_at", t.expires_at);
	rv = pb_session_json_line(&b);
 out:
	pb_token_cache_clear(&t);
	pb_tokens_clear(&tok);
	return rv;
}

/* The status as a JSON line. */
static int
status_json(const struct pb_sess *s, const struct pb_cached *t, int cached)
{
	struct pb_json_writer b;

	memset(&b, 0, sizeof(b));
	pb_json_writer_begin(&b);
	pb_json_writer_str(&b, "profile", s->c.profile);
	pb_json_writer_str(&b, "issuer", s->c.issuer);
	pb_json_writer_str(&b, "client_id", s->c.client_id);
	pb_json_writer_str(&b, "grant", "client_credentials");
	pb_json_writer_str(&b, "client_auth",
	    pb_profile_auth_name(s->c.client_auth));
	if (s->c.client_auth == PB_PROFILE_AUTH_JWT)
		pb_json_writer_str(&b, "client_key_file",
		    s->c.client_key_file);
	pb_json_writer_int(&b, "refresh_token", 0);
	if (cached)
		pb_json_writer_int(&b, "expires_at", t->expires_at);
	return pb_session_json_line(&b);
}

int
pb_client_creds_status(struct pb_sess *s, int json)
{
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	int64_t now = (int64_t)time(NULL);
	char tb[64], cred[PB_PATH_BUFSZ + 64];
	int cached, rv = PB_EXIT_OK;

	cached = pb_session_cache_get(s, &t) == PB_OK;
	if (json) {
		rv = status_json(s, &t, cached);
		goto out;
	}
	credential(s, cred, sizeof(cred));
	printf("profile:       %s\n", s->c.profile);
	printf("issuer:        %s\n", s->c.issuer);
	printf("client_id:     %s\n", s->c.client_id);
	printf("grant:         client_credentials (no login, no refresh "
	    "token; nothing stored)\n");
	printf("client auth:   %s\n", cred);
	if (!cached)
		printf("access token:  none cached (the next get asks for "
		    "one)\n");
	else if (t.expires_at > now)
		printf("access token:  cached, valid until %s (%" PRId64
		    " s left)\n", pb_time_fmt_date(t.expires_at, PB_TIME_UTC,
		    tb, sizeof(tb)), t.expires_at - now);
	else
		printf("access token:  cached, expired at %s (the next get "
		    "asks for a new one)\n", pb_time_fmt_date(t.expires_at,
		    PB_TIME_UTC, tb, sizeof(tb)));
	if (fflush(stdout) == EOF)
		rv = PB_EXIT_FAIL;
 out:
	pb_token_cache_clear(&t);
	return rv;
}

int
pb_client_creds_logout(struct pb_sess *s)
{
	pb_session_cache_drop(s);
	fprintf(stderr, "Logged out (profile %s): the cached access token is "
	    "deleted (a client_credentials profile stores nothing else).\n",
	    s->c.profile);
	return PB_EXIT_OK;
}
