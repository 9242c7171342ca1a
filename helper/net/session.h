/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_SESSION_H
#define PB_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "secmem.h"
#include "dpop.h"
#include "http.h"
#include "oauth.h"
#include "privdir.h"
#include "profile.h"
#include "store.h"
#include "token_cache.h"

/*
 * What the commands login (login.c), get (get.c), status (status.c) and
 * logout (logout.c) share (session.c): the stored session, the one format
 * of what the token store keeps per profile (store.c keeps opaque bytes),
 * and a command's context: the profile, its lock, the access token cache.
 * Messages go to stderr and never hold a token, refresh token, device code
 * or client secret.  Functions returning an exit status (PB_EXIT_* of
 * commands.h) have said why on stderr when it is not PB_EXIT_OK.
 */

/* What the store holds per profile: the session, as JSON. */
struct pb_stored {
	struct pb_secret refresh;		/* empty: the IdP sent none */
	char		*token_endpoint;
	char		*revocation_endpoint;	/* NULL: none advertised */
	char		*subject;		/* from login, unverified */
	char		*username;		/* preferred_username, same */
	char		*issuer;		/* NULL: stored by 0.x */
	char		*client_id;		/* the same */
	int64_t		 logged_in_at;
	int64_t		 gen;			/* grows with every save */
	/*
	 * The DPoP key (dpop.h) as a private JWK: empty when the session is
	 * not bound (dpop = no, an IdP that does not bind, a session stored
	 * before DPoP).  Never in the cache, never printed.
	 */
	struct pb_secret dpop_key;
};

/* One command's context. */
struct pb_sess {
	struct pb_profile	c;
	struct pb_http		http;
	struct pb_oauth_client	client;
	struct pb_store_key	key;
	struct pb_privdir	run;		/* fd -1: no runtime dir */
	int			lock;		/* -1: not held */
	struct pb_dpop_key	*dkey;		/* NULL: no DPoP */
	struct pb_dpop_state	dpop;		/* client.dpop when dkey */
};

/* Wipe the refresh token, free the strings and reset *s; never NULL. */
void pb_session_stored_clear(struct pb_stored *s);

/* The exit status (PB_EXIT_*) for a failure with code r. */
int pb_session_exit_for(int r);

/* "bearer-token: what: message" on stderr; what may be NULL. */
void pb_session_say(const char *what, const struct pb_err *e);

/*
 * Resolve the profile of o and prepare HTTP and the client in *s.  Returns
 * an exit status; release *s with pb_session_close() whatever it returns.
 */
int pb_session_open(struct pb_sess *s, const struct pb_options *o) PB_WUR;

/*
 * Use the session's DPoP key for token requests: load st->dpop_key into
 * s->dkey and point s->client.dpop at it; nothing when st is unbound.
 * Returns an exit status (PB_EXIT_LOGIN after a message when the stored
 * key is damaged).
 */
int pb_session_bind(struct pb_sess *s, const struct pb_stored *st) PB_WUR;

/* Take key (owned by *s from now on) for the token requests of *s. */
void pb_session_use_key(struct pb_sess *s, struct pb_dpop_key *key);

/* Release the lock, the runtime directory, the DPoP key and the profile. */
void pb_session_close(struct pb_sess *s);

/*
 * Open the runtime directory for the access token cache (made when create
 * is set, with a warning when that fails); without one nothing is cached.
 */
void pb_session_run(struct pb_sess *s, int create);

/*
 * Take the profile's lock (PROFILE.lock in the state directory), then open
 * the cache's directory.  Returns an exit status.
 */
int pb_session_lock(struct pb_sess *s) PB_WUR;

/*
 * Read the cached access token into *t (pb_token_cache_clear()): PB_OK,
 * PB_ERR_NOTFOUND quietly on a miss or without a runtime directory, or
 * another code after a warning.
 */
int pb_session_cache_get(struct pb_sess *s, struct pb_cached *t) PB_WUR;

/* Cache *t (not when its expiry is unknown); a warning on failure. */
void pb_session_cache_put(struct pb_sess *s, const struct pb_cached *t);

/* Remove the cached access token; a warning on failure. */
void pb_session_cache_drop(struct pb_sess *s);

/* "bearer-token: why: run 'bearer-token login[ --profile P]'" on stderr. */
void pb_session_login_hint(const struct pb_sess *s, const char *why);

/*
 * Load and parse the stored session into *st (release with
 * pb_session_stored_clear()); refused, with a login hint, when stored for
 * another issuer or client_id.  Returns an exit status (no message when
 * quiet and nothing is stored).  *used_file (may be NULL) is set when it
 * came from the file store; *codep (may be NULL) gets the code:
 * PB_ERR_NOTFOUND tells "not logged in" from a damaged session,
 * PB_ERR_CONFIG another issuer or client_id.
 */
int pb_session_load(struct pb_sess *s, struct pb_stored *st, int *used_file,
    int quiet, int *codep) PB_WUR;

/*
 * Save *st in the store of kind with a new generation, recording the
 * profile's issuer and client_id in it, into the reservation rv (may be
 * NULL).  Returns an exit status; *used_file as pb_store_save_resv().
 */
int pb_session_save(struct pb_sess *s, enum pb_store_kind kind,
    struct pb_stored *st, struct pb_store_resv *rv, int *used_file) PB_WUR;

/* Forget the session here: the cache, a temp file left over, the store. */
int pb_session_forget(struct pb_sess *s);

/*
 * Under the lock: put in place a complete session newer than the stored
 * one that an interrupted save left in the file store's temp file; remove
 * anything else there.  Warnings only.
 */
void pb_session_recover(struct pb_sess *s);

/*
 * The highest generation stored for the profile, in the store or in a temp
 * file left over; 0 when none or unreadable.
 */
int64_t pb_session_last_gen(struct pb_sess *s);

/* The room to reserve for the session st becomes after a rotation. */
size_t pb_session_resv_size(const struct pb_stored *st);

/*
 * Finish b and print it as one line on stdout, flushed (--json output;
 * never a token).  Returns an exit status.
 */
struct pb_json_writer;
int pb_session_json_line(struct pb_json_writer *b) PB_WUR;

#endif /* PB_SESSION_H */
