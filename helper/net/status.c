/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * status: what is stored for the profile and what the cache holds, read
 * without the lock and without making a directory; never a token.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "token_cache.h"
#include "client_creds.h"
#include "commands.h"
#include "dpop.h"
#include "err.h"
#include "identity.h"
#include "json_writer.h"
#include "net.h"
#include "secmem.h"
#include "time_fmt.h"
#include "session.h"

/*
 * The thumbprint of the session's DPoP key in jkt, or "" when the session
 * is not bound or its key is damaged (said on stderr).
 */
static void
bound_to(const struct pb_stored *st, char jkt[PB_DPOP_THUMB_LEN + 1])
{
	struct pb_dpop_key *k = NULL;
	struct pb_err e;

	jkt[0] = '\0';
	if (st->dpop_key.len == 0)
		return;
	pb_err_clear(&e);
	if (pb_dpop_key_from_json(st->dpop_key.p, st->dpop_key.len, &k,
	    &e) != PB_OK || pb_dpop_key_thumbprint(k, jkt, &e) != PB_OK) {
		jkt[0] = '\0';
		pb_session_say("cannot use the stored session's key", &e);
	}
	pb_dpop_key_free(k);
}

/* The status as one JSON line on stdout. */
static int
status_json(const struct pb_sess *s, const struct pb_stored *st,
    const struct pb_cached *t, int cached, int used_file)
{
	char jkt[PB_DPOP_THUMB_LEN + 1];
	struct pb_json_writer b;

	memset(&b, 0, sizeof(b));
	pb_json_writer_begin(&b);
	pb_json_writer_str(&b, "profile", s->c.profile);
	pb_json_writer_str(&b, "issuer", s->c.issuer);
	pb_json_writer_str(&b, "client_id", s->c.client_id);
	pb_json_writer_str(&b, "subject", st->subject);
	pb_json_writer_str(&b, "username", st->username);
	pb_json_writer_str(&b, "store", used_file ? "file" :
	    "secret-service");
	pb_json_writer_int(&b, "logged_in_at", st->logged_in_at);
	pb_json_writer_bool(&b, "refresh_token", st->refresh.len > 0);
	bound_to(st, jkt);
	pb_json_writer_bool(&b, "dpop", st->dpop_key.len > 0);
	if (jkt[0] != '\0')
		pb_json_writer_str(&b, "jkt", jkt);
	if (cached)
		pb_json_writer_int(&b, "expires_at", t->expires_at);
	return pb_session_json_line(&b);
}

/* The status as text on stdout, at time now. */
static int
status_text(const struct pb_sess *s, const struct pb_stored *st,
    const struct pb_cached *t, int cached, int used_file, int64_t now)
{
	char wb[256], tb[64], jkt[PB_DPOP_THUMB_LEN + 1];

	printf("profile:       %s\n", s->c.profile);
	printf("issuer:        %s\n", s->c.issuer);
	printf("client_id:     %s\n", s->c.client_id);
	printf("user:          %s (as the IdP said at login)\n",
	    pb_identity_who(st->username, st->subject, wb, sizeof(wb)));
	printf("logged in:     %s\n", pb_time_fmt_date(st->logged_in_at,
	    PB_TIME_UTC, tb, sizeof(tb)));
	printf("store:         %s\n", used_file ?
	    "file (no Secret Service)" : "Secret Service");
	printf("refresh token: %s\n", st->refresh.len > 0 ? "stored" :
	    "none (log in again when the access token expires)");
	bound_to(st, jkt);
	if (st->dpop_key.len == 0)
		printf("bound:         no (bearer tokens)\n");
	else
		printf("bound:         yes, to a DPoP key (thumbprint %s)\n",
		    jkt[0] != '\0' ? jkt : "unreadable");
	if (!cached)
		printf("access token:  none cached (the next get "
		    "refreshes)\n");
	else if (t->expires_at > now)
		printf("access token:  cached, valid until %s (%" PRId64
		    " s left)\n", pb_time_fmt_date(t->expires_at,
		    PB_TIME_UTC, tb, sizeof(tb)), t->expires_at - now);
	else
		printf("access token:  cached, expired at %s (the next "
		    "get refreshes)\n", pb_time_fmt_date(t->expires_at,
		    PB_TIME_UTC, tb, sizeof(tb)));
	if (fflush(stdout) == EOF)
		return PB_EXIT_FAIL;
	return PB_EXIT_OK;
}

int
pb_status_run(int argc, char **argv)
{
	struct pb_options o;
	struct pb_sess s;
	struct pb_stored st;
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	int64_t now = (int64_t)time(NULL);
	static const char *const flags[] = { "--json", NULL };
	int json = 0, rv, used_file = 0, cached;

	memset(&st, 0, sizeof(st));
	if ((rv = pb_options_parse(argc, argv, &o, NULL, flags, &json)) !=
	    PB_EXIT_OK)
		return rv;
	if ((rv = pb_session_open(&s, &o)) != PB_EXIT_OK)
		goto out;
	/* No lock and no directory made: status only looks. */
	pb_session_run(&s, 0);
	if (PB_CLIENT_CREDS(&s)) {
		rv = pb_client_creds_status(&s, json);
		goto out;
	}
	if ((rv = pb_session_load(&s, &st, &used_file, 0, NULL)) != PB_EXIT_OK)
		goto out;
	cached = pb_session_cache_get(&s, &t) == PB_OK;
	if (json)
		rv = status_json(&s, &st, &t, cached, used_file);
	else
		rv = status_text(&s, &st, &t, cached, used_file, now);
 out:
	pb_token_cache_clear(&t);
	pb_session_stored_clear(&st);
	pb_session_close(&s);
	return rv;
}
