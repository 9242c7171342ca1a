/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The session's DPoP key (session.h, dpop.h): taken from the stored
 * session into a command's context, where the token requests use it.
 * The key's JSON stays in struct pb_stored (session.c owns the format);
 * the loaded key is freed, and so wiped, by pb_session_close().
 */
#include "config.h"

#include <string.h>

#include "commands.h"
#include "dpop.h"
#include "err.h"
#include "session.h"

void
pb_session_use_key(struct pb_sess *s, struct pb_dpop_key *key)
{
	pb_dpop_key_free(s->dkey);
	s->dkey = key;
	memset(&s->dpop, 0, sizeof(s->dpop));
	s->dpop.key = key;
	s->client.dpop = key != NULL ? &s->dpop : NULL;
}

int
pb_session_bind(struct pb_sess *s, const struct pb_stored *st)
{
	struct pb_dpop_key *k = NULL;
	struct pb_err e;

	if (st->dpop_key.len == 0) {
		pb_session_use_key(s, NULL);
		return PB_EXIT_OK;
	}
	pb_err_clear(&e);
	if (pb_dpop_key_from_json(st->dpop_key.p, st->dpop_key.len, &k,
	    &e) != PB_OK) {
		pb_session_say("cannot use the stored session's key", &e);
		pb_session_login_hint(s, "the stored session is damaged");
		return PB_EXIT_LOGIN;
	}
	pb_session_use_key(s, k);
	return PB_EXIT_OK;
}
