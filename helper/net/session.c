/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the networked commands of bearer-token-net share (session.h): the
 * stored session, the one owner of the format the token store keeps per
 * profile (store.c keeps opaque bytes); a command's context, the profile's
 * lock and the access token cache; the session's load, save, recovery and
 * deletion.  The commands are login.c, get.c, status.c and logout.c.
 * Messages go to stderr and never hold a token, refresh token, device code
 * or client secret.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "token_cache.h"
#include "commands.h"
#include "dpop.h"
#include "err.h"
#include "parse.h"
#include "profile.h"
#include "json_writer.h"
#include "json.h"
#include "oauth.h"
#include "privdir.h"
#include "secmem.h"
#include "session.h"
#include "store.h"

#define RESV_SLACK	(8 * 1024)	/* room for a longer rotated token */

void
pb_session_stored_clear(struct pb_stored *s)
{
	pb_secret_clear(&s->refresh);
	free(s->token_endpoint);
	free(s->revocation_endpoint);
	free(s->subject);
	free(s->username);
	free(s->issuer);
	free(s->client_id);
	pb_secret_clear(&s->dpop_key);
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

/* The DPoP key's JWK text, when the session has one (a secret). */
static int
dup_key(const cJSON *j, struct pb_secret *out)
{
	const char *v = pb_json_get_string(j, "dpop_key");

	if (v == NULL || *v == '\0')
		return PB_OK;
	return pb_secret_dup(out, v, strlen(v));
}

/*
 * Whether the "dpop_key" member is absent (an unbound session) or a
 * non-empty string: anything else is a damaged session, not an unbound
 * one (a refresh without the key's proof would lose the session).
 */
static int
key_ok(const cJSON *j)
{
	const cJSON *k = pb_json_get(j, "dpop_key");

	return k == NULL || (cJSON_IsString(k) && k->valuestring != NULL &&
	    *k->valuestring != '\0');
}

static int
stored_parse(const struct pb_secret *v, struct pb_stored *s, struct pb_err *e)
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
	    !pb_parse_b64token(rt->valuestring,
	    strlen(rt->valuestring))) ||
	    pb_json_get_string(j, "token_endpoint") == NULL ||
	    at == NULL || pb_json_time(at, 0, &s->logged_in_at) != PB_OK ||
	    !key_ok(j)) {
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
	    dup_member(j, "client_id", &s->client_id) != PB_OK ||
	    dup_key(j, &s->dpop_key) != PB_OK)
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
 out:
	pb_json_delete_wipe(j);
	if (r != PB_OK)
		pb_session_stored_clear(s);
	return r;
}

static int
stored_build(const struct pb_stored *s, struct pb_secret *out, struct pb_err *e)
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
	if (s->dpop_key.len > 0)
		pb_json_writer_secret(&b, "dpop_key", &s->dpop_key);
	if ((r = pb_json_writer_end(&b, out)) != PB_OK)
		return pb_err_set(e, r, "cannot encode the session: %s",
		    r == PB_ERR_NOMEM ? "out of memory" :
		    "the refresh token holds a NUL byte");
	return PB_OK;
}

/* The exit status for a failure with code r. */
int
pb_session_exit_for(int r)
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

void
pb_session_say(const char *what, const struct pb_err *e)
{
	fprintf(stderr, "%s: %s%s%s\n", PB_PROG, what != NULL ? what : "",
	    what != NULL ? ": " : "", pb_err_msg(e));
}

void
pb_session_close(struct pb_sess *s)
{
	if (s->lock != -1)
		close(s->lock);		/* releases the flock */
	s->lock = -1;
	pb_privdir_close(&s->run);
	s->client.dpop = NULL;
	pb_dpop_key_free(s->dkey);
	s->dkey = NULL;
	pb_bzero(&s->dpop, sizeof(s->dpop));
	pb_profile_clear(&s->c);
}

/*
 * Resolve the profile and prepare HTTP and the client.  Returns PB_EXIT_OK
 * or an exit status after a message.
 */
int
pb_session_open(struct pb_sess *s, const struct pb_options *o)
{
	struct pb_err e;
	int r;

	memset(s, 0, sizeof(*s));
	s->run.fd = -1;
	s->lock = -1;
	pb_err_clear(&e);
	if ((r = pb_profile_load(&s->c, o, &e)) != PB_OK) {
		pb_session_say(NULL, &e);
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
 * Open the directory of the access token cache (the runtime directory, or
 * without one a directory under the state directory: token_cache.h).  It
 * is optional: without it nothing is cached and every get refreshes,
 * which is slower but correct.
 */
void
pb_session_run(struct pb_sess *s, int create)
{
	struct pb_err e;

	pb_err_clear(&e);
	if (pb_token_cache_open(&s->run, create, &e) != PB_OK) {
		pb_privdir_close(&s->run);
		if (create)
			pb_session_say("warning: access tokens are not cached",
			    &e);
	}
}

/*
 * Take the profile's lock, PROFILE.lock in the state directory: the same
 * for every process of the user whatever its environment (a cron job
 * without XDG_RUNTIME_DIR next to a desktop session), since two
 * refreshes at once end the session.  Then open the cache's directory.
 */
int
pb_session_lock(struct pb_sess *s)
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
		pb_session_say(NULL, &e);
		return PB_EXIT_FAIL;
	}
	pb_session_run(s, 1);
	return PB_EXIT_OK;
}

/* Read the cache when there is a runtime directory; quiet on a miss. */
int
pb_session_cache_get(struct pb_sess *s, struct pb_cached *t)
{
	struct pb_err e;
	int r;

	if (s->run.fd == -1)
		return PB_ERR_NOTFOUND;
	pb_err_clear(&e);
	r = pb_token_cache_read(&s->run, &s->c, t, &e);
	if (r != PB_OK && r != PB_ERR_NOTFOUND)
		pb_session_say("ignoring the access token cache", &e);
	return r;
}

/* Write the cache; a failure costs speed only, so it is a warning. */
void
pb_session_cache_put(struct pb_sess *s, const struct pb_cached *t)
{
	struct pb_err e;

	if (s->run.fd == -1 || t->expires_at == 0)
		return;
	pb_err_clear(&e);
	if (pb_token_cache_write(&s->run, &s->c, t, &e) != PB_OK)
		pb_session_say("warning: the access token was not cached", &e);
}

void
pb_session_cache_drop(struct pb_sess *s)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	if (s->run.fd != -1 &&
	    (r = pb_token_cache_remove(&s->run, &s->c, &e)) != PB_OK &&
	    r != PB_ERR_NOTFOUND)
		pb_session_say("warning", &e);
	/* And the copy a run without XDG_RUNTIME_DIR left on disk. */
	pb_err_clear(&e);
	if ((r = pb_token_cache_remove_disk(&s->c, &e)) != PB_OK &&
	    r != PB_ERR_NOTFOUND)
		pb_session_say("warning", &e);
}

/* Tell the user how to log in again, naming the profile when it is not
 * the default one. */
void
pb_session_login_hint(const struct pb_sess *s, const char *why)
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
same_client(const struct pb_sess *s, const struct pb_stored *st)
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
	pb_session_login_hint(s, why);
	return 0;
}

/*
 * Load and parse the stored session; an exit status after a message (none
 * when quiet and nothing is stored).  *codep (may be NULL) gets the store's
 * code: PB_ERR_NOTFOUND tells "not logged in" from a damaged session.
 */
int
pb_session_load(struct pb_sess *s, struct pb_stored *st, int *used_file,
    int quiet, int *codep)
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
			pb_session_login_hint(s, why);
		return PB_EXIT_LOGIN;
	}
	if (r != PB_OK) {
		/* A local failure: nothing the IdP could fix later. */
		pb_session_say("cannot read the stored session", &e);
		return r == PB_ERR_FORMAT ? PB_EXIT_LOGIN : PB_EXIT_FAIL;
	}
	if (!same_client(s, st)) {
		pb_session_stored_clear(st);
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
int
pb_session_save(struct pb_sess *s, enum pb_store_kind kind,
    struct pb_stored *st, struct pb_store_resv *rv, int *used_file)
{
	struct pb_secret v = { NULL, 0 };
	struct timespec ts;
	struct pb_err e;
	int64_t gen;
	int r = PB_OK;

	pb_err_clear(&e);
	/*
	 * The generation tells a newer session left in the file store's
	 * temp file (pb_session_recover()) from the one in place:
	 * microseconds since the epoch, and never less than one more than
	 * the last.
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
		pb_session_say("cannot store the session", &e);
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

/* Forget the session here: the store and the cache. */
int
pb_session_forget(struct pb_sess *s)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	pb_session_cache_drop(s);
	/* A temp file left by an interrupted refresh holds a token too. */
	r = pb_store_leftover_adopt(&s->key, 0, NULL);
	r = pb_store_delete(s->c.store, &s->key, &e);
	if (r != PB_OK && r != PB_ERR_NOTFOUND) {
		pb_session_say("cannot delete the stored session", &e);
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

/*
 * Under the lock, before the stored session is read: a run killed (SIGKILL,
 * power loss) after writing a rotated session into the file store's temp
 * file and before renaming it left the only live refresh token there.  A
 * complete session (it parses, with its trailing "}") newer than the one
 * in place is put in place; anything else there is removed.
 */
void
pb_session_recover(struct pb_sess *s)
{
	struct pb_secret v = { NULL, 0 }, w = { NULL, 0 };
	struct pb_stored left, cur;
	struct pb_err e;
	int64_t have = -1;
	int r, adopt = 0;

	memset(&left, 0, sizeof(left));
	memset(&cur, 0, sizeof(cur));
	pb_err_clear(&e);
	if (pb_store_leftover(&s->key, &v, &e) != PB_OK)
		return;
	if (stored_parse(&v, &left, &e) == PB_OK && left.gen > 0) {
		/* Only the generations count here; pb_session_load() judges. */
		r = pb_store_load(s->c.store, &s->key, &w, NULL, &e);
		if (r == PB_OK && stored_parse(&w, &cur, &e) == PB_OK)
			have = cur.gen;
		else if (r != PB_OK && r != PB_ERR_NOTFOUND)
			goto out;	/* cannot tell: leave it for later */
		adopt = left.gen > have;
	}
	pb_err_clear(&e);
	if (pb_store_leftover_adopt(&s->key, adopt, &e) != PB_OK)
		pb_session_say("warning", &e);
	else if (adopt)
		fprintf(stderr, "%s: recovered the session an interrupted "
		    "refresh had saved but not put in place\n", PB_PROG);
 out:
	pb_session_stored_clear(&cur);
	pb_session_stored_clear(&left);
	pb_secret_clear(&w);
	pb_secret_clear(&v);
}

/*
 * The highest generation stored for the profile, in the store or in a temp
 * file left over (0: none or unreadable), so that a login's generation is
 * above both even after the clock stepped back.
 */
int64_t
pb_session_last_gen(struct pb_sess *s)
{
	struct pb_secret v = { NULL, 0 };
	struct pb_stored st;
	int64_t gen = 0;

	memset(&st, 0, sizeof(st));
	if (pb_store_load(s->c.store, &s->key, &v, NULL, NULL) == PB_OK &&
	    stored_parse(&v, &st, NULL) == PB_OK)
		gen = st.gen;
	pb_session_stored_clear(&st);
	pb_secret_clear(&v);
	if (pb_store_leftover(&s->key, &v, NULL) == PB_OK &&
	    stored_parse(&v, &st, NULL) == PB_OK && st.gen > gen)
		gen = st.gen;
	pb_session_stored_clear(&st);
	pb_secret_clear(&v);
	return gen;
}

/* Room to reserve for the session st becomes after a rotation. */
size_t
pb_session_resv_size(const struct pb_stored *st)
{
	struct pb_secret v = { NULL, 0 };
	size_t n = PB_STORE_MAX;

	if (stored_build(st, &v, NULL) == PB_OK)
		n = v.len + RESV_SLACK;
	pb_secret_clear(&v);
	return n < PB_STORE_MAX ? n : PB_STORE_MAX;
}

/*
 * Finish b and print it as one line on stdout, flushed (--json output;
 * never a token).  PB_EXIT_OK or PB_EXIT_FAIL after a message.
 */
int
pb_session_json_line(struct pb_json_writer *b)
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
