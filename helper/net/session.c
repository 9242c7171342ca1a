/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The networked commands of bearer-token-net (DESIGN.md section 3): login
 * (the device flow), get (refresh with rotation under the profile's lock),
 * status and logout (RFC 7009).  Messages go to stderr and never hold a
 * token, refresh token, device code or client secret; stdout carries only
 * what a command promises (get: the token; --json: JSON lines).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "token_cache.h"
#include "commands.h"
#include "err.h"
#include "profile.h"
#include "json_writer.h"
#include "json.h"
#include "jws.h"
#include "net.h"
#include "oauth.h"
#include "privdir.h"
#include "qr.h"
#include "secmem.h"
#include "store.h"

#define REVOKE_TIMEOUT	10		/* seconds, logout's best effort */
#define ID_MAX		(64 * 1024)	/* a token decoded for its claims */
#define RESV_SLACK	(8 * 1024)	/* room for a longer rotated token */

/* What the store holds per profile: the session, as JSON. */
struct stored {
	struct pb_secret refresh;		/* empty: the IdP sent none */
	char		*token_endpoint;
	char		*revocation_endpoint;	/* NULL: none advertised */
	char		*subject;		/* from login, unverified */
	char		*username;		/* preferred_username, same */
	char		*issuer;		/* NULL: stored by 0.x, unknown */
	char		*client_id;		/* the same */
	int64_t		 logged_in_at;
	int64_t		 gen;			/* grows with every save; 0: none */
};

/* One command's context. */
struct sess {
	struct pb_profile		c;
	struct pb_http		http;
	struct pb_oauth_client	client;
	struct pb_store_key	key;
	struct pb_privdir	run;		/* fd -1: no runtime dir */
	int			lock;		/* -1: not held */
};

static void
stored_clear(struct stored *s)
{
	pb_secret_clear(&s->refresh);
	free(s->token_endpoint);
	free(s->revocation_endpoint);
	free(s->subject);
	free(s->username);
	free(s->issuer);
	free(s->client_id);
	memset(s, 0, sizeof(*s));
}

static int
dup_member(const cJSON *j, const char *name, char **out)
{
	const char *v = pb_json_get_string(j, name);

	*out = NULL;
	if (v == NULL)
		return PB_OK;
	return (*out = strdup(v)) == NULL ? PB_ERR_NOMEM : PB_OK;
}

static int
stored_parse(const struct pb_secret *v, struct stored *s, struct pb_err *e)
{
	const cJSON *rt, *at, *gn;
	cJSON *j = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = pb_json_parse(v->p, v->len, PB_STORE_MAX, "stored session",
	    &j, e)) != PB_OK)
		return r;
	rt = pb_json_get(j, "refresh_token");
	at = pb_json_get(j, "logged_in_at");
	/* Absent in sessions stored before it was recorded: 0. */
	if ((gn = pb_json_get(j, "gen")) != NULL && (!cJSON_IsNumber(gn) ||
	    !(gn->valuedouble >= 0 && gn->valuedouble < 9e15) ||
	    (double)(s->gen = (int64_t)gn->valuedouble) !=
	    gn->valuedouble)) {
		r = pb_err_set(e, PB_ERR_FORMAT, "the stored session is "
		    "damaged: log in again");
		goto out;
	}
	/* An empty refresh token: the IdP sent none at login. */
	if (!cJSON_IsString(rt) || (*rt->valuestring != '\0' &&
	    !pb_token_cache_b64token(rt->valuestring,
	    strlen(rt->valuestring))) ||
	    pb_json_get_string(j, "token_endpoint") == NULL ||
	    at == NULL || pb_json_time(at, 0, &s->logged_in_at) != PB_OK) {
		r = pb_err_set(e, PB_ERR_FORMAT, "the stored session is "
		    "damaged: log in again");
		goto out;
	}
	if (pb_secret_dup(&s->refresh, rt->valuestring,
	    strlen(rt->valuestring)) != PB_OK ||
	    dup_member(j, "token_endpoint", &s->token_endpoint) != PB_OK ||
	    dup_member(j, "revocation_endpoint", &s->revocation_endpoint) !=
	    PB_OK ||
	    dup_member(j, "subject", &s->subject) != PB_OK ||
	    dup_member(j, "username", &s->username) != PB_OK ||
	    dup_member(j, "issuer", &s->issuer) != PB_OK ||
	    dup_member(j, "client_id", &s->client_id) != PB_OK)
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
 out:
	pb_json_delete_wipe(j);
	if (r != PB_OK)
		stored_clear(s);
	return r;
}

static int
stored_build(const struct stored *s, struct pb_secret *out, struct pb_err *e)
{
	struct pb_json_writer b;
	int r;

	memset(&b, 0, sizeof(b));
	pb_json_writer_begin(&b);
	pb_json_writer_int(&b, "v", 1);
	pb_json_writer_secret(&b, "refresh_token", &s->refresh);
	pb_json_writer_str(&b, "token_endpoint", s->token_endpoint);
	pb_json_writer_str(&b, "revocation_endpoint", s->revocation_endpoint);
	pb_json_writer_str(&b, "subject", s->subject);
	pb_json_writer_str(&b, "username", s->username);
	pb_json_writer_str(&b, "issuer", s->issuer);
	pb_json_writer_str(&b, "client_id", s->client_id);
	pb_json_writer_int(&b, "logged_in_at", s->logged_in_at);
	pb_json_writer_int(&b, "gen", s->gen);
	if ((r = pb_json_writer_end(&b, out)) != PB_OK)
		return pb_err_set(e, r, "cannot encode the session: %s",
		    r == PB_ERR_NOMEM ? "out of memory" :
		    "the refresh token holds a NUL byte");
	return PB_OK;
}

/* The exit status for a failure with code r. */
static int
exit_for(int r)
{
	switch (r) {
	case PB_ERR_NET:
	case PB_ERR_HTTP:
	case PB_ERR_TOOBIG:
		return PB_EXIT_TEMP;
	case PB_ERR_CONFIG:
	case PB_ERR_ISS:
		return PB_EXIT_CONFIG;
	case PB_ERR_NOTFOUND:
	case PB_ERR_INVALID_GRANT:
		return PB_EXIT_LOGIN;
	default:
		return PB_EXIT_FAIL;
	}
}

static void
say(const char *what, const struct pb_err *e)
{
	fprintf(stderr, "%s: %s%s%s\n", PB_PROG, what != NULL ? what : "",
	    what != NULL ? ": " : "", pb_err_msg(e));
}

static void
sess_close(struct sess *s)
{
	if (s->lock != -1)
		close(s->lock);		/* releases the flock */
	s->lock = -1;
	pb_privdir_close(&s->run);
	pb_profile_clear(&s->c);
}

/*
 * Resolve the profile and prepare HTTP and the client.  Returns PB_EXIT_OK
 * or an exit status after a message.
 */
static int
sess_open(struct sess *s, const struct pb_options *o)
{
	struct pb_err e;
	int r;

	memset(s, 0, sizeof(*s));
	s->run.fd = -1;
	s->lock = -1;
	pb_err_clear(&e);
	if ((r = pb_profile_load(&s->c, o, &e)) != PB_OK) {
		say(NULL, &e);
		return r == PB_ERR_NOMEM ? PB_EXIT_FAIL : PB_EXIT_CONFIG;
	}
	pb_http_init(&s->http);
	s->http.ca_file = s->c.ca_file;
	if (s->c.timeout > 0) {
		s->http.timeout = s->c.timeout;
		if (s->http.connect_timeout > s->c.timeout)
			s->http.connect_timeout = s->c.timeout;
	}
	s->client.client_id = s->c.client_id;
	s->client.secret = s->c.client_secret;
	s->client.http = &s->http;
	if (s->c.client_secret.len == 0)
		s->client.auth = PB_CLIENT_AUTH_NONE;
	else if (s->c.client_auth == PB_PROFILE_AUTH_POST)
		s->client.auth = PB_CLIENT_AUTH_POST;
	else
		s->client.auth = PB_CLIENT_AUTH_BASIC;
	s->key.profile = s->c.profile;
	s->key.issuer = s->c.issuer;
	s->key.client_id = s->c.client_id;
	return PB_EXIT_OK;
}

/*
 * Open the runtime directory for the access token cache.  It is optional:
 * without one (no XDG_RUNTIME_DIR, or one we cannot use) nothing is cached
 * and every get refreshes, which is slower but correct.
 */
static void
sess_run(struct sess *s, int create)
{
	struct pb_err e;
	char *path = NULL;
	int r;

	pb_err_clear(&e);
	if ((r = pb_privdir_runtime_path(&path, &e)) == PB_OK &&
	    (r = pb_privdir_open(&s->run, path,
	    create ? PB_PRIVDIR_CREATE_LAST : 0, &e)) != PB_OK) {
		pb_privdir_close(&s->run);
		if (create)
			say("warning: access tokens are not cached", &e);
	}
	free(path);
}

/*
 * Take the profile's lock, PROFILE.lock in the state directory: the same
 * for every process of the user whatever its environment (a cron job
 * without XDG_RUNTIME_DIR next to a desktop session), since two
 * refreshes at once end the session.  Then open the cache's directory.
 */
static int
sess_lock(struct sess *s)
{
	char name[PB_STORE_PROFILE_MAX + 8];
	struct pb_privdir st = { NULL, -1 };
	struct pb_err e;
	char *path = NULL;
	int r;

	pb_err_clear(&e);
	pb_token_cache_lock_name(s->c.profile, name, sizeof(name));
	if ((r = pb_privdir_state_path(&path, &e)) == PB_OK &&
	    (r = pb_privdir_open(&st, path, PB_PRIVDIR_CREATE, &e)) == PB_OK)
		r = pb_privdir_lock(&st, name, PB_TOKEN_CACHE_LOCK_MS,
		    &s->lock, &e);
	pb_privdir_close(&st);
	free(path);
	if (r != PB_OK) {
		say(NULL, &e);
		return PB_EXIT_FAIL;
	}
	sess_run(s, 1);
	return PB_EXIT_OK;
}

/* Read the cache when there is a runtime directory; quiet on a miss. */
static int
cache_get(struct sess *s, struct pb_cached *t)
{
	struct pb_err e;
	int r;

	if (s->run.fd == -1)
		return PB_ERR_NOTFOUND;
	pb_err_clear(&e);
	r = pb_token_cache_read(&s->run, &s->c, t, &e);
	if (r != PB_OK && r != PB_ERR_NOTFOUND)
		say("ignoring the access token cache", &e);
	return r;
}

/* Write the cache; a failure costs speed only, so it is a warning. */
static void
cache_put(struct sess *s, const struct pb_cached *t)
{
	struct pb_err e;

	if (s->run.fd == -1 || t->expires_at == 0)
		return;
	pb_err_clear(&e);
	if (pb_token_cache_write(&s->run, &s->c, t, &e) != PB_OK)
		say("warning: the access token was not cached", &e);
}

static void
cache_drop(struct sess *s)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	if (s->run.fd != -1 &&
	    (r = pb_token_cache_remove(&s->run, &s->c, &e)) != PB_OK &&
	    r != PB_ERR_NOTFOUND)
		say("warning", &e);
}

/* The claims of a JWT, unverified (for display and expiry only). */
static cJSON *
jwt_claims(const struct pb_secret *tok)
{
	struct pb_jws *jws = NULL;
	struct pb_err e;
	cJSON *j = NULL;

	pb_err_clear(&e);
	if (tok->len == 0 ||
	    pb_jws_parse(tok->p, tok->len, ID_MAX, &jws, &e) != PB_OK)
		return NULL;
	if (pb_json_parse((const char *)jws->payload, jws->payload_len,
	    ID_MAX, "claims", &j, &e) != PB_OK || !cJSON_IsObject(j)) {
		pb_json_delete_wipe(j);
		j = NULL;
	}
	pb_jws_free(jws);
	return j;
}

/*
 * The access token's expiry: the earlier of expires_in as the IdP said and,
 * when the token is a JWT, its exp (read, not verified: a token the IdP
 * made to expire sooner than it says is expired then, whatever the token
 * endpoint claims); 0 when neither is known (such a token is not cached).
 */
static int64_t
access_expiry(const struct pb_tokens *t)
{
	cJSON *j;
	const cJSON *exp;
	int64_t v = 0;

	if ((j = jwt_claims(&t->access)) != NULL &&
	    (exp = pb_json_get(j, "exp")) != NULL &&
	    pb_json_time(exp, 0, &v) != PB_OK)
		v = 0;
	pb_json_delete_wipe(j);
	if (t->expires_at != 0 && (v == 0 || t->expires_at < v))
		v = t->expires_at;
	return v;
}

/*
 * Who logged in: sub and preferred_username from the ID token, each filled
 * from the access token when the ID token lacks it (with the scope
 * "openid" alone an ID token often has no preferred_username).  Display
 * only: nothing here is verified.
 */
static int
identity(const struct pb_tokens *t, struct stored *s)
{
	const struct pb_secret *from[2] = { &t->id_token, &t->access };
	cJSON *j;
	size_t i;
	int r = PB_OK;

	for (i = 0; i < 2 && r == PB_OK; i++) {
		if ((j = jwt_claims(from[i])) == NULL)
			continue;
		if ((s->subject == NULL &&
		    dup_member(j, "sub", &s->subject) != PB_OK) ||
		    (s->username == NULL && dup_member(j,
		    "preferred_username", &s->username) != PB_OK))
			r = PB_ERR_NOMEM;
		pb_json_delete_wipe(j);
	}
	return r;
}

/* "alice (sub 1234)", cut and escaped, or "an unknown user". */
static const char *
who(const struct stored *s, char *buf, size_t bufsz)
{
	char s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ];

	if (s->username != NULL && s->subject != NULL &&
	    strcmp(s->username, s->subject) != 0)
		(void)snprintf(buf, bufsz, "%s (sub %s)",
		    pb_log_safe(s->username, s1, sizeof(s1)),
		    pb_log_safe(s->subject, s2, sizeof(s2)));
	else if (s->username != NULL || s->subject != NULL)
		(void)snprintf(buf, bufsz, "%s",
		    pb_log_safe(s->username != NULL ? s->username :
		    s->subject, s1, sizeof(s1)));
	else
		(void)snprintf(buf, bufsz, "an unknown user");
	return buf;
}

/* Tell the user how to log in again, naming the profile when it is not
 * the default one. */
static void
login_hint(const struct sess *s, const char *why)
{
	int other = strcmp(s->c.profile, "default") != 0;

	fprintf(stderr, "%s: %s: run '%s login%s%s'\n", PB_PROG, why,
	    PB_PROG, other ? " --profile " : "", other ? s->c.profile : "");
}

/*
 * Whether the session in st was stored for the profile's issuer and
 * client_id; when not, say what changed.  Its refresh token belongs to the
 * old client at the old IdP: refreshing would send it, with the new
 * client_id (and client_secret), to the token endpoint found at login.
 * A session stored before these were recorded has neither: it is taken as
 * matching (refusing would log out every file-store user on upgrade, and
 * the keyring already files sessions under issuer and client_id), and the
 * next save records them.
 */
static int
same_client(const struct sess *s, const struct stored *st)
{
	char b1[PB_SAFE_BUFSZ], b2[PB_SAFE_BUFSZ], why[2 * PB_SAFE_BUFSZ + 128];
	const char *what = NULL, *was = NULL, *now = NULL;

	if (st->issuer != NULL && strcmp(st->issuer, s->c.issuer) != 0) {
		what = "issuer";
		was = st->issuer;
		now = s->c.issuer;
	} else if (st->client_id != NULL &&
	    strcmp(st->client_id, s->c.client_id) != 0) {
		what = "client_id";
		was = st->client_id;
		now = s->c.client_id;
	}
	if (what == NULL)
		return 1;
	(void)snprintf(why, sizeof(why), "the profile's %s is now '%s', but "
	    "the stored session was issued for '%s' (it is not sent "
	    "anywhere)", what, pb_log_safe(now, b1, sizeof(b1)),
	    pb_log_safe(was, b2, sizeof(b2)));
	login_hint(s, why);
	return 0;
}

/*
 * Load and parse the stored session; an exit status after a message (none
 * when quiet and nothing is stored).  *codep (may be NULL) gets the store's
 * code: PB_ERR_NOTFOUND tells "not logged in" from a damaged session.
 */
static int
load_session(struct sess *s, struct stored *st, int *used_file, int quiet,
    int *codep)
{
	struct pb_secret v = { NULL, 0 };
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	r = pb_store_load(s->c.store, &s->key, &v, used_file, &e);
	if (r == PB_OK)
		r = stored_parse(&v, st, &e);
	pb_secret_clear(&v);
	if (codep != NULL)
		*codep = r;
	if (r == PB_ERR_NOTFOUND) {
		char why[PB_STORE_PROFILE_MAX + 40];

		(void)snprintf(why, sizeof(why), "not logged in (profile %s)",
		    s->c.profile);
		if (!quiet)
			login_hint(s, why);
		return PB_EXIT_LOGIN;
	}
	if (r != PB_OK) {
		/* A local failure: nothing the IdP could fix later. */
		say("cannot read the stored session", &e);
		return r == PB_ERR_FORMAT ? PB_EXIT_LOGIN : PB_EXIT_FAIL;
	}
	if (!same_client(s, st)) {
		stored_clear(st);
		if (codep != NULL)
			*codep = PB_ERR_CONFIG;
		return PB_EXIT_LOGIN;
	}
	return PB_EXIT_OK;
}

/*
 * Save the session in the store of kind, filed under the profile's issuer
 * and client_id (recorded in it: see same_client()); an exit status after
 * a message.
 */
static int
save_session(struct sess *s, enum pb_store_kind kind, struct stored *st,
    struct pb_store_resv *rv, int *used_file)
{
	struct pb_secret v = { NULL, 0 };
	struct timespec ts;
	struct pb_err e;
	int64_t gen;
	int r = PB_OK;

	pb_err_clear(&e);
	/*
	 * The generation tells a newer session left in the file store's
	 * temp file (recover()) from the one in place: microseconds since
	 * the epoch, and never less than one more than the last.
	 */
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	gen = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	st->gen = gen > st->gen ? gen : st->gen + 1;
	free(st->issuer);
	free(st->client_id);
	st->client_id = NULL;
	if ((st->issuer = strdup(s->c.issuer)) == NULL ||
	    (st->client_id = strdup(s->c.client_id)) == NULL)
		r = pb_err_set(&e, PB_ERR_NOMEM, "out of memory");
	if (r == PB_OK && (r = stored_build(st, &v, &e)) == PB_OK)
		r = pb_store_save_resv(kind, &s->key, &v, rv, used_file, &e);
	pb_secret_clear(&v);
	if (r != PB_OK) {
		say("cannot store the session", &e);
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

/* Forget the session here: the store and the cache. */
static int
forget(struct sess *s)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	cache_drop(s);
	/* A temp file left by an interrupted refresh holds a token too. */
	r = pb_store_leftover_adopt(&s->key, 0, NULL);
	r = pb_store_delete(s->c.store, &s->key, &e);
	if (r != PB_OK && r != PB_ERR_NOTFOUND) {
		say("cannot delete the stored session", &e);
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

/*
 * Whether the store still holds the refresh token rt (the one the IdP has
 * just called invalid): only then may it be deleted.
 */
static int
still_stored(struct sess *s, const struct pb_secret *rt)
{
	struct stored now;
	int same, code;

	memset(&now, 0, sizeof(now));
	if (load_session(s, &now, NULL, 1, &code) != PB_EXIT_OK)
		return code != PB_OK && code != PB_ERR_NOTFOUND ? 0 : 1;
	same = now.refresh.len == rt->len &&
	    pb_ct_eq(now.refresh.p, rt->p, rt->len);
	stored_clear(&now);
	return same;
}

/*
 * Under the lock, before the stored session is read: a run killed (SIGKILL,
 * power loss) after writing a rotated session into the file store's temp
 * file and before renaming it left the only live refresh token there.  A
 * complete session (it parses, with its trailing "}") newer than the one
 * in place is put in place; anything else there is removed.
 */
static void
recover(struct sess *s)
{
	struct pb_secret v = { NULL, 0 }, w = { NULL, 0 };
	struct stored left, cur;
	struct pb_err e;
	int64_t have = -1;
	int r, adopt = 0;

	memset(&left, 0, sizeof(left));
	memset(&cur, 0, sizeof(cur));
	pb_err_clear(&e);
	if (pb_store_leftover(&s->key, &v, &e) != PB_OK)
		return;
	if (stored_parse(&v, &left, &e) == PB_OK && left.gen > 0) {
		/* Only the generations count here; load_session() judges. */
		r = pb_store_load(s->c.store, &s->key, &w, NULL, &e);
		if (r == PB_OK && stored_parse(&w, &cur, &e) == PB_OK)
			have = cur.gen;
		else if (r != PB_OK && r != PB_ERR_NOTFOUND)
			goto out;	/* cannot tell: leave it for later */
		adopt = left.gen > have;
	}
	pb_err_clear(&e);
	if (pb_store_leftover_adopt(&s->key, adopt, &e) != PB_OK)
		say("warning", &e);
	else if (adopt)
		fprintf(stderr, "%s: recovered the session an interrupted "
		    "refresh had saved but not put in place\n", PB_PROG);
 out:
	stored_clear(&cur);
	stored_clear(&left);
	pb_secret_clear(&w);
	pb_secret_clear(&v);
}

/*
 * The highest generation stored for the profile, in the store or in a temp
 * file left over (0: none or unreadable), so that a login's generation is
 * above both even after the clock stepped back.
 */
static int64_t
last_gen(struct sess *s)
{
	struct pb_secret v = { NULL, 0 };
	struct stored st;
	int64_t gen = 0;

	memset(&st, 0, sizeof(st));
	if (pb_store_load(s->c.store, &s->key, &v, NULL, NULL) == PB_OK &&
	    stored_parse(&v, &st, NULL) == PB_OK)
		gen = st.gen;
	stored_clear(&st);
	pb_secret_clear(&v);
	if (pb_store_leftover(&s->key, &v, NULL) == PB_OK &&
	    stored_parse(&v, &st, NULL) == PB_OK && st.gen > gen)
		gen = st.gen;
	stored_clear(&st);
	pb_secret_clear(&v);
	return gen;
}

/* Room to reserve for the session st becomes after a rotation. */
static size_t
resv_size(const struct stored *st)
{
	struct pb_secret v = { NULL, 0 };
	size_t n = PB_STORE_MAX;

	if (stored_build(st, &v, NULL) == PB_OK)
		n = v.len + RESV_SLACK;
	pb_secret_clear(&v);
	return n < PB_STORE_MAX ? n : PB_STORE_MAX;
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
 *     the session is saved first, before anything else, and recover()
 *     adopts a complete one left in the temp file.
 * Returns the refresh's code; *rvp is the save's exit status (PB_EXIT_OK
 * when nothing was rotated; PB_EXIT_TEMP when the new session is kept in
 * the temp file only); *rotatedp is set when the IdP sent a new
 * refresh token, even in an answer otherwise refused.
 */
static int
refresh_store(struct sess *s, struct stored *st, int from_file, int64_t now,
    const struct hold *h, struct pb_tokens *tok, int *rvp, int *rotatedp,
    struct pb_err *e)
{
	struct pb_store_resv rv;
	struct pb_oidc_meta meta;
	enum pb_store_kind kind;
	int r;

	*rvp = PB_EXIT_OK;
	*rotatedp = 0;
	pb_store_resv_init(&rv);
	memset(&meta, 0, sizeof(meta));
	/* The endpoint found by discovery at login. */
	meta.issuer = s->c.issuer;
	meta.token_endpoint = st->token_endpoint;
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
	    (r = pb_store_reserve(&s->key, resv_size(st), &rv, e)) != PB_OK) {
		*rvp = PB_EXIT_FAIL;
		return r;
	}
	if (stop_pending(h)) {
		pb_store_resv_drop(&rv, &s->key);
		return pb_err_set(e, PB_ERR_CANCELED, "interrupted");
	}
	r = pb_token_refresh(&meta, &s->client, &st->refresh, (time_t)now,
	    tok, e);
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
		*rvp = save_session(s, kind, st, &rv, NULL);
		/* Written, not in place: recover() will adopt it. */
		if (*rvp != PB_EXIT_OK && rv.written)
			*rvp = PB_EXIT_TEMP;
	}
	pb_store_resv_drop(&rv, &s->key);
	return r;
}

/* get -------------------------------------------------------------------- */

/*
 * Under the lock: the cache again (another get may have refreshed while
 * we waited), else refresh, persist the rotated refresh token and cache
 * the access token; only then does the caller print it.
 */
static int
sess_token(struct sess *s, long min_ttl, struct pb_cached *t)
{
	struct stored st;
	struct pb_tokens tok;
	struct pb_err e;
	struct hold hold;
	int64_t now;
	int rv, r, saved, rotated = 0, held = 0, from_file = 0;

	memset(&st, 0, sizeof(st));
	memset(&tok, 0, sizeof(tok));
	pb_err_clear(&e);
	if ((rv = sess_lock(s)) != PB_EXIT_OK)
		goto out;
	if (cache_get(s, t) == PB_OK &&
	    (min_ttl == PB_TOKEN_CACHED ? t->expires_at > (int64_t)time(NULL) :
	    pb_token_cache_fresh(t, (int64_t)time(NULL), min_ttl))) {
		rv = PB_EXIT_OK;
		goto out;
	}
	pb_token_cache_clear(t);
	if (min_ttl == PB_TOKEN_CACHED) {
		fprintf(stderr, "%s: no cached access token to continue with "
		    "(is there an XDG_RUNTIME_DIR?): the parts of one answer "
		    "must come from one token\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	/* From the first keyring call until the rotated token is stored. */
	hold_signals(&hold);
	held = 1;
	recover(s);
	if ((rv = load_session(s, &st, &from_file, 0, NULL)) != PB_EXIT_OK)
		goto out;
	if (stop_pending(&hold)) {
		rv = PB_EXIT_FAIL;	/* nothing sent: ends at the release */
		goto out;
	}
	if (st.refresh.len == 0) {
		login_hint(s, "the access token has expired and the IdP "
		    "issued no refresh token at login (is offline_access in "
		    "the scope?)");
		rv = PB_EXIT_LOGIN;
		goto out;
	}
	now = (int64_t)time(NULL);
	s->http.check = refresh_check;
	s->http.check_arg = &hold;
	r = refresh_store(s, &st, from_file, now, &hold, &tok, &saved,
	    &rotated, &e);
	s->http.check = NULL;
	s->http.check_arg = NULL;
	release_signals(&hold);
	held = 0;
	if (r == PB_ERR_CANCELED) {
		/* A signal with a handler (none of ours): say so. */
		fprintf(stderr, "%s: interrupted before the refresh was sent: "
		    "the session is kept\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if (rotated && saved == PB_EXIT_TEMP) {
		fprintf(stderr, "%s: the new session is saved but not in "
		    "place: the next run puts it there\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if (rotated && saved != PB_EXIT_OK) {
		if (r != PB_OK)
			say("cannot refresh the access token", &e);
		fprintf(stderr, "%s: the IdP rotated the refresh token and the "
		    "new one could not be saved, so the session is lost: fix "
		    "the store and run '%s login'\n", PB_PROG, PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if (r == PB_ERR_IO && saved != PB_EXIT_OK) {
		say("cannot refresh", &e);
		fprintf(stderr, "%s: no room for the new session, so nothing "
		    "was sent to the IdP: the session is kept; free some "
		    "space and try again\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if (r == PB_ERR_INVALID_GRANT) {
		/* Only this ends the session (DESIGN.md section 3). */
		say("the session has ended at the IdP", &e);
		if (still_stored(s, &st.refresh))
			(void)forget(s);
		else {
			/* A login replaced it meanwhile: keep the new one. */
			fprintf(stderr, "%s: the stored session has changed "
			    "meanwhile (or cannot be read): it is kept; try "
			    "again\n", PB_PROG);
			rv = PB_EXIT_TEMP;
			goto out;
		}
		login_hint(s, "to log in again");
		rv = PB_EXIT_LOGIN;
		goto out;
	}
	if (r == PB_ERR_ACCESS_DENIED) {
		/*
		 * Refused, but not as invalid_grant: retrying will not help,
		 * yet nobody said the grant is dead, so it is not deleted.
		 */
		say("cannot refresh the access token", &e);
		login_hint(s, "the stored session no longer works (it is kept, "
		    "since the IdP did not say invalid_grant)");
		rv = PB_EXIT_LOGIN;
		goto out;
	}
	if (r == PB_ERR_CONFIG) {
		say("cannot refresh the access token", &e);
		fprintf(stderr, "%s: a configuration problem, not the "
		    "session's: the session is kept\n", PB_PROG);
		rv = PB_EXIT_CONFIG;
		goto out;
	}
	if (r != PB_OK) {
		say("cannot refresh the access token", &e);
		fprintf(stderr, "%s: the session is kept%s; try again later\n",
		    PB_PROG, rotated ? " (with the new refresh token the IdP "
		    "sent)" : "");
		rv = exit_for(r);
		goto out;
	}
	t->expires_at = access_expiry(&tok);	/* before the move */
	t->token = tok.access;
	tok.access.p = NULL;
	tok.access.len = 0;
	t->obtained_at = now;
	cache_put(s, t);
	rv = PB_EXIT_OK;
 out:
	if (held)
		release_signals(&hold);
	if (rv != PB_EXIT_OK)
		pb_token_cache_clear(t);
	pb_tokens_clear(&tok);
	stored_clear(&st);
	return rv;
}

int
pb_net_token(const struct pb_options *o, long min_ttl, struct pb_cached *t)
{
	struct sess s;
	int rv;

	memset(t, 0, sizeof(*t));
	if ((rv = sess_open(&s, o)) == PB_EXIT_OK)
		rv = sess_token(&s, min_ttl, t);
	sess_close(&s);
	return rv;
}

void
pb_net_drop_cached(const struct pb_options *o, const struct pb_secret *tok)
{
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct sess s;

	if (sess_open(&s, o) == PB_EXIT_OK && sess_lock(&s) == PB_EXIT_OK &&
	    cache_get(&s, &t) == PB_OK && t.token.len == tok->len &&
	    pb_ct_eq(t.token.p, tok->p, tok->len))
		cache_drop(&s);
	pb_token_cache_clear(&t);
	sess_close(&s);
}

int
pb_net_get(int argc, char **argv)
{
	static const char *const flags[] = { "--header", NULL };
	struct pb_options o;
	struct pb_cached t;
	long min_ttl;
	int rv, header;

	if ((rv = pb_cmd_args(argc, argv, &o, &min_ttl, flags, &header)) !=
	    PB_EXIT_OK)
		return rv;
	if ((rv = pb_net_token(&o, min_ttl, &t)) == PB_EXIT_OK)
		rv = pb_print_token(&t.token, header);
	pb_token_cache_clear(&t);
	return rv;
}

/* login ------------------------------------------------------------------ */

/* What the waiting shows. */
struct show {
	int	tty;		/* stderr is a terminal: countdown */
	int64_t	deadline;
	int	drawn;		/* a countdown line is on screen */
};

static void
countdown(struct show *sh)
{
	int64_t left = sh->deadline - (int64_t)time(NULL);

	if (!sh->tty)
		return;
	if (left < 0)
		left = 0;
	fprintf(stderr, "\rWaiting for approval: %" PRId64 ":%02" PRId64
	    " left \033[K", left / 60, left % 60);
	fflush(stderr);
	sh->drawn = 1;
}

static int
show_sleep(void *arg, unsigned int seconds)
{
	struct show *sh = arg;
	struct timespec ts = { 1, 0 }, rem;

	while (seconds-- > 0) {
		countdown(sh);
		ts.tv_sec = 1;
		ts.tv_nsec = 0;
		while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
			ts = rem;
	}
	countdown(sh);
	return 0;
}

static int
show_progress(void *arg, enum pb_wait_event ev, int64_t remaining,
    unsigned int next_sleep, const struct pb_err *err)
{
	struct show *sh = arg;

	(void)remaining;
	if (ev == PB_WAIT_SLOWDOWN && !sh->tty)
		fprintf(stderr, "%s: the IdP asked to poll more slowly\n",
		    PB_PROG);
	if (ev == PB_WAIT_RETRY && err != NULL) {
		if (sh->drawn)
			fputs("\r\033[K", stderr);
		fprintf(stderr, "%s: %s; retrying in %u s\n", PB_PROG,
		    pb_err_msg(err), next_sleep);
	}
	return 0;
}

/* Whether the terminal takes UTF-8 (for the QR code's half blocks). */
static int
utf8_term(void)
{
	const char *cs;

	(void)setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	return cs != NULL && strcmp(cs, "UTF-8") == 0;
}

/*
 * Finish b and print it as one line on stdout, flushed (--json output;
 * never a token).  PB_EXIT_OK or PB_EXIT_FAIL after a message.
 */
static int
json_line(struct pb_json_writer *b)
{
	struct pb_secret doc = { NULL, 0 };
	int rv = PB_EXIT_OK;

	if (pb_json_writer_end(b, &doc) != PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	if (printf("%s\n", doc.p) < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "%s: cannot write: %s\n", PB_PROG,
		    strerror(errno));
		rv = PB_EXIT_FAIL;
	}
	pb_secret_clear(&doc);
	return rv;
}

/* Tell the user where to go, on stderr, or as a JSON line on stdout. */
static int
show_device(const struct pb_device *dev, int json, int qr)
{
	char sb[PB_SAFE_BUFSZ];
	struct pb_json_writer b;
	struct pb_err e;
	const char *term;

	if (json) {
		memset(&b, 0, sizeof(b));
		pb_json_writer_begin(&b);
		pb_json_writer_str(&b, "verification_uri",
		    dev->verification_uri);
		pb_json_writer_str(&b, "verification_uri_complete",
		    dev->verification_uri_complete);
		pb_json_writer_str(&b, "user_code", dev->user_code);
		pb_json_writer_int(&b, "expires_in", dev->expires_in);
		pb_json_writer_int(&b, "interval", dev->interval);
		return json_line(&b);
	}
	/* URL and code were checked printable by oauth.c. */
	fprintf(stderr, "To log in, open this page in a browser on any "
	    "device:\n\n    %s\n\nand enter the code:  %s\n\n",
	    dev->verification_uri, pb_log_safe(dev->user_code, sb,
	    sizeof(sb)));
	term = secure_getenv("TERM");
	if (dev->verification_uri_complete != NULL && qr &&
	    isatty(STDERR_FILENO) && pb_qr_available() &&
	    (term == NULL || strcmp(term, "dumb") != 0)) {
		fprintf(stderr, "Or scan this code, which opens %s:\n\n",
		    dev->verification_uri_complete);
		pb_err_clear(&e);
		if (pb_qr_print(stderr, dev->verification_uri_complete,
		    utf8_term(), &e) != PB_OK)
			say("no QR code", &e);
		fputs("\n", stderr);
	} else if (dev->verification_uri_complete != NULL)
		fprintf(stderr, "(or open %s, with the code filled in)\n\n",
		    dev->verification_uri_complete);
	fflush(stderr);
	return PB_EXIT_OK;
}

int
pb_net_login(int argc, char **argv)
{
	char wb[256], tb[64];
	struct pb_options o;
	struct sess s;
	struct stored st;
	struct pb_oidc_meta meta;
	struct pb_device dev;
	struct pb_tokens tok;
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct show sh;
	struct pb_wait w;
	struct pb_err e;
	struct pb_json_writer b;
	static const char *const flags[] = { "--json", "--no-qr", NULL };
	int set[2], json, qr, rv, r, used_file = 0;

	memset(&st, 0, sizeof(st));
	memset(&meta, 0, sizeof(meta));
	memset(&dev, 0, sizeof(dev));
	memset(&tok, 0, sizeof(tok));
	pb_err_clear(&e);
	if ((rv = pb_cmd_args(argc, argv, &o, NULL, flags, set)) != PB_EXIT_OK)
		return rv;
	json = set[0];
	qr = !set[1];
	if ((rv = sess_open(&s, &o)) != PB_EXIT_OK)
		goto out;
	/*
	 * The store must work before the user is asked to approve: a session
	 * that cannot be kept would be a live refresh token thrown away.
	 */
	{
		struct pb_secret v = { NULL, 0 };

		r = pb_store_load(s.c.store, &s.key, &v, NULL, &e);
		pb_secret_clear(&v);
		if (r != PB_OK && r != PB_ERR_NOTFOUND) {
			say("the token store cannot be used", &e);
			rv = exit_for(r);
			goto out;
		}
		pb_err_clear(&e);
	}
	if ((r = pb_oidc_discover(s.c.issuer, &s.http, &meta, &e)) != PB_OK) {
		say("discovery failed", &e);
		rv = exit_for(r);
		goto out;
	}
	if (meta.device_authorization_endpoint == NULL ||
	    meta.token_endpoint == NULL) {
		fprintf(stderr, "%s: the IdP advertises no %s: enable the "
		    "device authorization grant (RFC 8628) for client '%s'\n",
		    PB_PROG, meta.token_endpoint == NULL ? "token_endpoint" :
		    "device_authorization_endpoint", s.c.client_id);
		rv = PB_EXIT_CONFIG;
		goto out;
	}
	if ((r = pb_device_start(&meta, &s.client, s.c.scope, s.c.resource,
	    s.c.audience, &dev, &e)) != PB_OK) {
		say("the device authorization request failed", &e);
		rv = r == PB_ERR_ACCESS_DENIED ? PB_EXIT_FAIL : exit_for(r);
		goto out;
	}
	if ((rv = show_device(&dev, json, qr)) != PB_EXIT_OK)
		goto out;
	memset(&sh, 0, sizeof(sh));
	sh.tty = !json && isatty(STDERR_FILENO);
	sh.deadline = (int64_t)time(NULL) + dev.expires_in;
	memset(&w, 0, sizeof(w));
	w.sleep = show_sleep;
	w.progress = show_progress;
	w.arg = &sh;
	r = pb_device_wait(&meta, &s.client, &dev, &w, &tok, &e);
	if (sh.drawn)
		fputs("\r\033[K", stderr);
	if (r != PB_OK) {
		say(r == PB_ERR_ACCESS_DENIED ? "login denied" :
		    r == PB_ERR_EXPIRED_CODE ? "login not approved in time" :
		    "login failed", &e);
		rv = r == PB_ERR_ACCESS_DENIED || r == PB_ERR_EXPIRED_CODE ||
		    r == PB_ERR_INVALID_GRANT ? PB_EXIT_FAIL : exit_for(r);
		goto out;
	}
	if (tok.refresh.len == 0)
		fprintf(stderr, "%s: warning: the IdP issued no refresh token "
		    "(add offline_access to the scope?): 'get' works until "
		    "the access token expires\n", PB_PROG);
	st.refresh = tok.refresh;
	tok.refresh.p = NULL;
	tok.refresh.len = 0;
	st.logged_in_at = (int64_t)time(NULL);
	if ((st.token_endpoint = strdup(meta.token_endpoint)) == NULL ||
	    (meta.revocation_endpoint != NULL &&
	    (st.revocation_endpoint = strdup(meta.revocation_endpoint)) ==
	    NULL) || identity(&tok, &st) != PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	/*
	 * Under the lock: a get now must not refresh the old session.  The
	 * save removes a temp file left over, and the generation is above
	 * any stored, so nothing older is adopted over this login.
	 */
	if ((rv = sess_lock(&s)) == PB_EXIT_OK)
		st.gen = last_gen(&s);
	if (rv != PB_EXIT_OK ||
	    (rv = save_session(&s, s.c.store, &st, NULL, &used_file)) !=
	    PB_EXIT_OK) {
		/* Not kept, so not left alive at the IdP either. */
		if (st.refresh.len > 0 && meta.revocation_endpoint != NULL &&
		    pb_token_revoke(&meta, &s.client, &st.refresh, &e) == PB_OK)
			fprintf(stderr, "%s: the new session was revoked at "
			    "the IdP\n", PB_PROG);
		goto out;
	}
	t.expires_at = access_expiry(&tok);	/* before the move */
	t.token = tok.access;
	tok.access.p = NULL;
	tok.access.len = 0;
	t.obtained_at = st.logged_in_at;
	cache_drop(&s);
	cache_put(&s, &t);
	fprintf(stderr, "Logged in to %s as %s (profile %s); the session "
	    "is stored in %s.\n", s.c.issuer, who(&st, wb, sizeof(wb)),
	    s.c.profile, used_file ? "a file (no Secret Service)" :
	    "the Secret Service");
	if (t.expires_at != 0 && !json)
		fprintf(stderr, "The access token is valid until %s.\n",
		    pb_fmt_time(t.expires_at, PB_TIME_UTC, tb, sizeof(tb)));
	if (json) {
		memset(&b, 0, sizeof(b));
		pb_json_writer_begin(&b);
		pb_json_writer_str(&b, "status", "logged_in");
		pb_json_writer_str(&b, "profile", s.c.profile);
		pb_json_writer_str(&b, "issuer", s.c.issuer);
		pb_json_writer_str(&b, "subject", st.subject);
		pb_json_writer_str(&b, "username", st.username);
		pb_json_writer_int(&b, "expires_at", t.expires_at);
		pb_json_writer_str(&b, "store", used_file ? "file" :
		    "secret-service");
		rv = json_line(&b);
	}
 out:
	pb_token_cache_clear(&t);
	pb_tokens_clear(&tok);
	pb_device_clear(&dev);
	pb_oidc_meta_clear(&meta);
	stored_clear(&st);
	sess_close(&s);
	return rv;
}

/* status ----------------------------------------------------------------- */

int
pb_net_status(int argc, char **argv)
{
	char wb[256], tb[64];
	struct pb_options o;
	struct sess s;
	struct stored st;
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct pb_json_writer b;
	int64_t now = (int64_t)time(NULL);
	static const char *const flags[] = { "--json", NULL };
	int json = 0, rv, used_file = 0, cached;

	memset(&st, 0, sizeof(st));
	if ((rv = pb_cmd_args(argc, argv, &o, NULL, flags, &json)) !=
	    PB_EXIT_OK)
		return rv;
	if ((rv = sess_open(&s, &o)) != PB_EXIT_OK)
		goto out;
	/* No lock and no directory made: status only looks. */
	sess_run(&s, 0);
	if ((rv = load_session(&s, &st, &used_file, 0, NULL)) != PB_EXIT_OK)
		goto out;
	cached = cache_get(&s, &t) == PB_OK;
	if (json) {
		memset(&b, 0, sizeof(b));
		pb_json_writer_begin(&b);
		pb_json_writer_str(&b, "profile", s.c.profile);
		pb_json_writer_str(&b, "issuer", s.c.issuer);
		pb_json_writer_str(&b, "client_id", s.c.client_id);
		pb_json_writer_str(&b, "subject", st.subject);
		pb_json_writer_str(&b, "username", st.username);
		pb_json_writer_str(&b, "store", used_file ? "file" :
		    "secret-service");
		pb_json_writer_int(&b, "logged_in_at", st.logged_in_at);
		pb_json_writer_int(&b, "refresh_token", st.refresh.len > 0);
		if (cached)
			pb_json_writer_int(&b, "expires_at", t.expires_at);
		rv = json_line(&b);
		goto out;
	} else {
		printf("profile:       %s\n", s.c.profile);
		printf("issuer:        %s\n", s.c.issuer);
		printf("client_id:     %s\n", s.c.client_id);
		printf("user:          %s (as the IdP said at login)\n",
		    who(&st, wb, sizeof(wb)));
		printf("logged in:     %s\n", pb_fmt_time(st.logged_in_at, PB_TIME_UTC, tb,
		    sizeof(tb)));
		printf("store:         %s\n", used_file ?
		    "file (no Secret Service)" : "Secret Service");
		printf("refresh token: %s\n", st.refresh.len > 0 ? "stored" :
		    "none (log in again when the access token expires)");
		if (!cached)
			printf("access token:  none cached (the next get "
			    "refreshes)\n");
		else if (t.expires_at > now)
			printf("access token:  cached, valid until %s (%" PRId64
			    " s left)\n", pb_fmt_time(t.expires_at, PB_TIME_UTC, tb, sizeof(tb)),
			    t.expires_at - now);
		else
			printf("access token:  cached, expired at %s (the next "
			    "get refreshes)\n", pb_fmt_time(t.expires_at, PB_TIME_UTC, tb,
			    sizeof(tb)));
	}
	if (fflush(stdout) == EOF)
		rv = PB_EXIT_FAIL;
 out:
	pb_token_cache_clear(&t);
	stored_clear(&st);
	sess_close(&s);
	return rv;
}

/* logout ----------------------------------------------------------------- */

int
pb_net_logout(int argc, char **argv)
{
	struct pb_options o;
	struct sess s;
	struct stored st;
	struct pb_oidc_meta meta;
	struct pb_err e;
	int rv, r, code = PB_OK;

	memset(&st, 0, sizeof(st));
	memset(&meta, 0, sizeof(meta));
	memset(&o, 0, sizeof(o));
	pb_err_clear(&e);
	if ((rv = pb_cmd_args(argc, argv, &o, NULL, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	if ((rv = sess_open(&s, &o)) != PB_EXIT_OK ||
	    (rv = sess_lock(&s)) != PB_EXIT_OK)
		goto out;
	recover(&s);
	rv = load_session(&s, &st, NULL, 1, &code);
	if (code == PB_ERR_NOTFOUND) {
		cache_drop(&s);
		fprintf(stderr, "Not logged in (profile %s): nothing to "
		    "revoke.\n", s.c.profile);
		rv = PB_EXIT_OK;	/* nothing to do is not a failure */
		goto out;
	}
	if (rv != PB_EXIT_OK) {
		fprintf(stderr, "%s: deleting it anyway\n", PB_PROG);
		rv = forget(&s);
		goto out;
	}
	if (st.refresh.len == 0)
		r = pb_err_set(&e, PB_ERR_NOTFOUND, "no refresh token was "
		    "stored");
	else if (st.revocation_endpoint == NULL)
		r = pb_err_set(&e, PB_ERR_CONFIG, "the IdP advertises no "
		    "revocation_endpoint");
	else {
		meta.issuer = s.c.issuer;
		meta.revocation_endpoint = st.revocation_endpoint;
		if (s.http.timeout > REVOKE_TIMEOUT)
			s.http.timeout = REVOKE_TIMEOUT;
		if (s.http.connect_timeout > REVOKE_TIMEOUT)
			s.http.connect_timeout = REVOKE_TIMEOUT;
		r = pb_token_revoke(&meta, &s.client, &st.refresh, &e);
	}
	if ((rv = forget(&s)) != PB_EXIT_OK)
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
	stored_clear(&st);
	sess_close(&s);
	return rv;
}
