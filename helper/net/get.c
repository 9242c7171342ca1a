/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * get: a valid access token for the profile, from the cache, else by a
 * refresh with rotation under the profile's lock (DESIGN.md section 3),
 * for the command and for the integrations (pb_get_token()).  The
 * refresh and the save of the rotated refresh token are one step that
 * signals do not separate.  Messages go to stderr and never hold a token;
 * stdout carries the token only.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "token_cache.h"
#include "client_creds.h"
#include "commands.h"
#include "err.h"
#include "out.h"
#include "identity.h"
#include "net.h"
#include "oauth.h"
#include "secmem.h"
#include "session.h"
#include "store.h"

/*
 * Whether the store still holds the refresh token rt (the one the IdP has
 * just called invalid): only then may it be deleted.
 */
static int
still_stored(struct pb_sess *s, const struct pb_secret *rt)
{
	struct pb_stored now;
	int same, code;

	memset(&now, 0, sizeof(now));
	if (pb_session_load(s, &now, NULL, 1, &code) != PB_EXIT_OK)
		return code != PB_OK && code != PB_ERR_NOTFOUND ? 0 : 1;
	same = now.refresh.len == rt->len &&
	    pb_ct_eq(now.refresh.p, rt->p, rt->len);
	pb_session_stored_clear(&now);
	return same;
}

/*
 * The signals held around a refresh.  SIGTERM, SIGINT and SIGHUP (a
 * timeout, a Ctrl-C, a closed terminal) are blocked from before the first
 * keyring call: threads inherit the mask of the thread that starts them,
 * and GDBus's worker thread, started then and never ended, would
 * otherwise take one and end the process in the middle of a refresh.
 * Until the request is sent a pending one stops the refresh at the next
 * check (stop_pending(), and the HTTP check, at least once a second), and
 * release_signals() lets it take effect: nothing is lost.  Once the
 * request is out it waits until the new session is stored.  SIGPIPE is
 * ignored meanwhile (a write to a closed stderr fails with EPIPE instead
 * of ending the process between the rotation and the save).
 */
struct hold {
	sigset_t		old;
	struct sigaction	pipe;
	int			told;	/* the deferral was announced */
};

static void
hold_signals(struct hold *h)
{
	struct sigaction ign;
	sigset_t set;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGPIPE, &ign, &h->pipe);
	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &set, &h->old);
	h->told = 0;
}

static void
release_signals(const struct hold *h)
{
	(void)sigprocmask(SIG_SETMASK, &h->old, NULL);
	(void)sigaction(SIGPIPE, &h->pipe, NULL);
}

/* Whether a held signal is pending that is not ignored. */
static int
stop_pending(const struct hold *h)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	sigset_t set;
	size_t i;

	if (sigpending(&set) == -1)
		return 0;
	/*
	 * A signal our caller had blocked already stays blocked after the
	 * release, so it would end nothing: it must not cancel the refresh
	 * either (it would, on every run, while it stays pending).
	 */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&set, sigs[i]) == 1 &&
		    sigismember(&h->old, sigs[i]) != 1 &&
		    sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			return 1;
	return 0;
}

/*
 * The refresh request's HTTP check (struct pb_http): stop while nothing
 * is sent; after that, say once why the signal waits.
 */
static int
refresh_check(void *arg, int sent)
{
	struct hold *h = arg;

	if (!stop_pending(h))
		return 0;
	if (!sent)
		return 1;
	if (!h->told) {
		fprintf(stderr, "%s: finishing the refresh so that the session "
		    "is saved\n", PB_PROG);
		h->told = 1;
	}
	return 0;
}

/*
 * The refresh request and the save of the rotated refresh token, which
 * nothing may separate: once the IdP has answered, the old refresh token
 * is dead and the new one exists only in this process.
 *   - The file store's space is reserved before the request goes out, so
 *     a full disk refuses the refresh instead of losing the session
 *     (*rvp = PB_EXIT_FAIL, PB_ERR_IO returned, nothing sent).
 *   - SIGTERM, SIGINT and SIGHUP are held by the caller (hold_signals())
 *     until the new session is stored (synced); one that comes before
 *     the request is sent stops the refresh (PB_ERR_CANCELED, nothing
 *     sent), and the caller lets it take effect.  SIGKILL cannot be held:
 *     the session is saved first, before anything else, and
 *     pb_session_recover() adopts a complete one left in the temp file.
 * Returns the refresh's code; *rvp is the save's exit status (PB_EXIT_OK
 * when nothing was rotated; PB_EXIT_TEMP when the new session is kept in
 * the temp file only); *rotatedp is set when the IdP sent a new
 * refresh token, even in an answer otherwise refused.
 */
static int
refresh_store(struct pb_sess *s, struct pb_stored *st, int from_file,
    int64_t now, const struct hold *h, struct pb_tokens *tok, int *rvp,
    int *rotatedp, struct pb_err *e)
{
	struct pb_store_resv rv;
	enum pb_store_kind kind;
	int r;

	*rvp = PB_EXIT_OK;
	*rotatedp = 0;
	pb_store_resv_init(&rv);
	/*
	 * Back where it came from, and only there: a keyring that failed now
	 * must not leave the only live token in a file the next load does
	 * not read first; and a session from the file goes into the file
	 * reserved for it, never first to a keyring that has appeared since
	 * and then fails (a locked collection, no default one, access
	 * denied) after the IdP has rotated.  It is not moved to the keyring
	 * after the save either: that would be a keyring write on every
	 * refresh (a locked keyring prompts or times out each time); the
	 * next login stores it in the Secret Service when one answers.
	 */
	if (s->c.store == PB_STORE_AUTO)
		kind = from_file ? PB_STORE_FILE : PB_STORE_SECRET_SERVICE;
	else
		kind = s->c.store;
	if (kind != PB_STORE_SECRET_SERVICE &&
	    (r = pb_store_reserve(&s->key, pb_session_resv_size(st), &rv,
	    e)) != PB_OK) {
		*rvp = PB_EXIT_FAIL;
		return r;
	}
	if (stop_pending(h)) {
		pb_store_resv_drop(&rv, &s->key);
		return pb_err_set(e, PB_ERR_CANCELED, "interrupted");
	}
	/* At the endpoint found by discovery at login. */
	r = pb_token_refresh(st->token_endpoint, &s->client, &st->refresh,
	    (time_t)now, tok, e);
	/*
	 * Rotated (also in an answer refused for its access token): the old
	 * one is dead now, so save before all.
	 */
	if (tok->refresh.len > 0) {
		*rotatedp = 1;
		pb_secret_clear(&st->refresh);
		st->refresh = tok->refresh;
		tok->refresh.p = NULL;
		tok->refresh.len = 0;
		*rvp = pb_session_save(s, kind, st, &rv, NULL);
		/* Written, not in place: pb_session_recover() will adopt it. */
		if (*rvp != PB_EXIT_OK && rv.written)
			*rvp = PB_EXIT_TEMP;
	}
	pb_store_resv_drop(&rv, &s->key);
	return r;
}

/* get -------------------------------------------------------------------- */

/* One refresh under the lock, and what came of it. */
struct refresh {
	struct pb_stored	st;
	struct pb_tokens	tok;
	struct pb_err		e;
	int64_t			now;
	int			r;		/* the refresh's code */
	int			saved;		/* the save's exit status */
	int			rotated;	/* a new refresh token came */
};

/*
 * Under the lock: whether the cache answers (another get may have
 * refreshed while we waited), with the exit status in *rvp: PB_EXIT_OK
 * and *t filled, or PB_EXIT_FAIL when min_ttl is PB_TOKEN_CACHED and there
 * is no live cached token.  With PB_TOKEN_CACHED and PB_TOKEN_LIVE any
 * live cached token answers, however short its life.
 */
static int
cache_hit(struct pb_sess *s, long min_ttl, struct pb_cached *t, int *rvp)
{
	int last = min_ttl == PB_TOKEN_CACHED || min_ttl == PB_TOKEN_LIVE;

	if (pb_session_cache_get(s, t) == PB_OK &&
	    (last ? t->expires_at > (int64_t)time(NULL) :
	    pb_token_cache_fresh(t, (int64_t)time(NULL), min_ttl))) {
		*rvp = PB_EXIT_OK;
		return 1;
	}
	pb_token_cache_clear(t);
	if (min_ttl == PB_TOKEN_CACHED) {
		fprintf(stderr, "%s: no cached access token to continue with "
		    "(is there an XDG_RUNTIME_DIR?): the parts of one answer "
		    "must come from one token\n", PB_PROG);
		*rvp = PB_EXIT_FAIL;
		return 1;
	}
	return 0;
}

/*
 * Recover, load the session and refresh it (refresh_store()) with the
 * signals held from the first keyring call until the rotated token is
 * stored.  PB_EXIT_OK when the refresh was tried (its outcome in *f),
 * else the exit status of what stopped it before anything was sent.
 */
static int
refresh_held(struct pb_sess *s, struct refresh *f)
{
	struct hold hold;
	int rv, from_file = 0;

	if (PB_CLIENT_CREDS(s))		/* no session: a new token */
		return pb_client_creds_fetch(s, &f->tok, &f->now);
	hold_signals(&hold);
	pb_session_recover(s);
	/* A bound session refreshes with its key's proof. */
	if ((rv = pb_session_load(s, &f->st, &from_file, 0, NULL)) !=
	    PB_EXIT_OK || (rv = pb_session_bind(s, &f->st)) != PB_EXIT_OK)
		goto out;
	if (stop_pending(&hold)) {
		rv = PB_EXIT_FAIL;	/* nothing sent: ends at the release */
		goto out;
	}
	if (f->st.refresh.len == 0) {
		pb_session_login_hint(s, "the access token has expired and the "
		    "IdP issued no refresh token at login (is offline_access "
		    "in the scope?)");
		rv = PB_EXIT_LOGIN;
		goto out;
	}
	f->now = (int64_t)time(NULL);
	s->http.check = refresh_check;
	s->http.check_arg = &hold;
	f->r = refresh_store(s, &f->st, from_file, f->now, &hold, &f->tok,
	    &f->saved, &f->rotated, &f->e);
	s->http.check = NULL;
	s->http.check_arg = NULL;
 out:
	release_signals(&hold);
	return rv;
}

/*
 * The exit status when the refresh was stopped or its rotation not saved
 * (after a message), or -1 when neither happened.
 */
static int
unsaved(const struct refresh *f)
{
	if (f->r == PB_ERR_CANCELED) {
		/* A signal with a handler (none of ours): say so. */
		fprintf(stderr, "%s: interrupted before the refresh was sent: "
		    "the session is kept\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	if (f->rotated && f->saved == PB_EXIT_TEMP) {
		fprintf(stderr, "%s: the new session is saved but not in "
		    "place: the next run puts it there\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	if (f->rotated && f->saved != PB_EXIT_OK) {
		if (f->r != PB_OK)
			pb_session_say("cannot refresh the access token",
			    &f->e);
		fprintf(stderr, "%s: the IdP rotated the refresh token and the "
		    "new one could not be saved, so the session is lost: fix "
		    "the store and run '%s login'\n", PB_PROG, PB_PROG);
		return PB_EXIT_FAIL;
	}
	if (f->r == PB_ERR_IO && f->saved != PB_EXIT_OK) {
		pb_session_say("cannot refresh", &f->e);
		fprintf(stderr, "%s: no room for the new session, so nothing "
		    "was sent to the IdP: the session is kept; free some "
		    "space and try again\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	return -1;
}

/* The exit status for the refresh's code, after a message when not OK. */
static int
refused(struct pb_sess *s, const struct refresh *f)
{
	if (f->r == PB_ERR_INVALID_GRANT) {
		/* Only this ends the session (DESIGN.md section 3). */
		pb_session_say("the session has ended at the IdP", &f->e);
		if (still_stored(s, &f->st.refresh))
			(void)pb_session_forget(s);
		else {
			/* A login replaced it meanwhile: keep the new one. */
			fprintf(stderr, "%s: the stored session has changed "
			    "meanwhile (or cannot be read): it is kept; try "
			    "again\n", PB_PROG);
			return PB_EXIT_TEMP;
		}
		pb_session_login_hint(s, "to log in again");
		return PB_EXIT_LOGIN;
	}
	if (f->r == PB_ERR_ACCESS_DENIED) {
		/*
		 * Refused, but not as invalid_grant: retrying will not help,
		 * yet nobody said the grant is dead, so it is not deleted.
		 */
		pb_session_say("cannot refresh the access token", &f->e);
		pb_session_login_hint(s, "the stored session no longer works "
		    "(it is kept, since the IdP did not say invalid_grant)");
		return PB_EXIT_LOGIN;
	}
	if (f->r == PB_ERR_CONFIG) {
		pb_session_say("cannot refresh the access token", &f->e);
		fprintf(stderr, "%s: a configuration problem, not the "
		    "session's: the session is kept\n", PB_PROG);
		return PB_EXIT_CONFIG;
	}
	if (f->r != PB_OK) {
		pb_session_say("cannot refresh the access token", &f->e);
		fprintf(stderr, "%s: the session is kept%s; try again later\n",
		    PB_PROG, f->rotated ? " (with the new refresh token the "
		    "IdP sent)" : "");
		return pb_session_exit_for(f->r);
	}
	return PB_EXIT_OK;
}

/*
 * Under the lock: the cache again (another get may have refreshed while
 * we waited), else refresh, persist the rotated refresh token and cache
 * the access token; only then does the caller print it.
 */
static int
sess_token(struct pb_sess *s, long min_ttl, struct pb_cached *t)
{
	struct refresh f;
	int rv;

	memset(&f, 0, sizeof(f));
	pb_err_clear(&f.e);
	if ((rv = pb_session_lock(s)) != PB_EXIT_OK ||
	    cache_hit(s, min_ttl, t, &rv) ||
	    (rv = refresh_held(s, &f)) != PB_EXIT_OK)
		goto out;
	if ((rv = unsaved(&f)) == -1)
		rv = refused(s, &f);
	if (rv != PB_EXIT_OK)
		goto out;
	t->expires_at = pb_identity_expiry(&f.tok);	/* before the move */
	t->token = f.tok.access;
	f.tok.access.p = NULL;
	f.tok.access.len = 0;
	t->obtained_at = f.now;
	pb_session_cache_put(s, t);
 out:
	if (rv != PB_EXIT_OK)
		pb_token_cache_clear(t);
	pb_tokens_clear(&f.tok);
	pb_session_stored_clear(&f.st);
	return rv;
}

int
pb_get_token(const struct pb_options *o, long min_ttl, struct pb_cached *t)
{
	struct pb_sess s;
	int rv;

	memset(t, 0, sizeof(*t));
	if ((rv = pb_session_open(&s, o)) == PB_EXIT_OK)
		rv = sess_token(&s, min_ttl, t);
	pb_session_close(&s);
	return rv;
}

void
pb_get_drop_cached(const struct pb_options *o, const struct pb_secret *tok)
{
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct pb_sess s;

	if (pb_session_open(&s, o) == PB_EXIT_OK &&
	    pb_session_lock(&s) == PB_EXIT_OK &&
	    pb_session_cache_get(&s, &t) == PB_OK && t.token.len == tok->len &&
	    pb_ct_eq(t.token.p, tok->p, tok->len))
		pb_session_cache_drop(&s);
	pb_token_cache_clear(&t);
	pb_session_close(&s);
}

int
pb_get_run(int argc, char **argv)
{
	static const char *const flags[] = { "--header", NULL };
	struct pb_options o;
	struct pb_cached t;
	long min_ttl;
	int rv, header;

	if ((rv = pb_options_parse(argc, argv, &o, &min_ttl, flags, &header)) !=
	    PB_EXIT_OK)
		return rv;
	if ((rv = pb_get_token(&o, min_ttl, &t)) == PB_EXIT_OK)
		rv = pb_out_token(&t.token, header);
	pb_token_cache_clear(&t);
	return rv;
}
