/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * login: the device authorization grant (RFC 8628) from discovery to the
 * stored session, showing the user where to approve (a QR code when the
 * terminal can show one) and waiting with a countdown; or the browser
 * login (authorization code with PKCE, browser.c), which shares the rest.
 * Messages go to stderr and never hold a token or device code; --json
 * prints JSON lines on stdout.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "token_cache.h"
#include "browser.h"
#include "commands.h"
#include "dpop.h"
#include "client_creds.h"
#include "err.h"
#include "id_token.h"
#include "identity.h"
#include "json_writer.h"
#include "login_device.h"
#include "net.h"
#include "oauth.h"
#include "parse.h"
#include "secmem.h"
#include "time_fmt.h"
#include "session.h"
#include "store.h"

/*
 * The store must work before the user is asked to approve: a session
 * that cannot be kept would be a live refresh token thrown away.
 */
static int
store_works(struct pb_sess *s)
{
	struct pb_secret v = { NULL, 0 };
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	r = pb_store_load(s->c.store, &s->key, &v, NULL, &e);
	pb_secret_clear(&v);
	if (r != PB_OK && r != PB_ERR_NOTFOUND) {
		pb_session_say("the token store cannot be used", &e);
		return pb_session_exit_for(r);
	}
	return PB_EXIT_OK;
}

/*
 * Whether to bind the session (the profile's dpop and what discovery
 * says), and if so make the key the token requests will use.  An exit
 * status after a message.
 */
static int
dpop_start(struct pb_sess *s, const struct pb_oidc_meta *meta)
{
	struct pb_dpop_key *k = NULL;
	struct pb_err e;

	if (s->c.dpop == PB_PROFILE_DPOP_NO ||
	    (s->c.dpop == PB_PROFILE_DPOP_AUTO && !meta->dpop_es256))
		return PB_EXIT_OK;
	if (!meta->dpop_es256) {
		fprintf(stderr, "%s: the profile says dpop = yes, but the IdP "
		    "does not offer DPoP with ES256 (no ES256 in its "
		    "dpop_signing_alg_values_supported): enable DPoP at the "
		    "IdP, or set dpop = auto or no\n", PB_PROG);
		return PB_EXIT_CONFIG;
	}
	pb_err_clear(&e);
	if (pb_dpop_key_new(&k, &e) != PB_OK) {
		pb_session_say("cannot make a DPoP key", &e);
		return PB_EXIT_FAIL;
	}
	pb_session_use_key(s, k);
	return PB_EXIT_OK;
}

/*
 * Discovery lists no device_authorization_endpoint (or no token_endpoint).
 * The document is the IdP's, the same for every client: no client setting
 * can add the endpoint, so say what the IdP offers instead.
 */
static void
no_device_flow(const struct pb_sess *s, const struct pb_oidc_meta *meta)
{
	fprintf(stderr, "%s: the IdP at %s offers no device flow (RFC "
	    "8628): its discovery document lists no %s\n", PB_PROG,
	    s->c.issuer, meta->token_endpoint == NULL ? "token_endpoint" :
	    "device_authorization_endpoint");
	if (meta->grant_types != NULL)
		fprintf(stderr, "%s: the grant types it lists "
		    "(grant_types_supported): %s\n", PB_PROG,
		    meta->grant_types[0] != '\0' ? meta->grant_types :
		    "(none)");
	else
		fprintf(stderr, "%s: it lists no grant_types_supported "
		    "(OpenID Connect's default: authorization_code "
		    "implicit)\n", PB_PROG);
	fprintf(stderr, "%s: login needs an IdP with the device "
	    "authorization grant; with this one it cannot log in (some IdPs "
	    "offer the device flow as a plugin or a newer version)\n",
	    PB_PROG);
}

/*
 * Discovery, the DPoP key when the session is to be bound, then the device
 * authorization request (not when dev is NULL: the browser login): *meta
 * and *dev filled (the caller clears them), or an exit status after a
 * message.
 */
static int
start(struct pb_sess *s, struct pb_oidc_meta *meta, struct pb_device *dev)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	if ((r = pb_oauth_discover(s->c.issuer, &s->http, meta, &e)) != PB_OK) {
		pb_session_say("discovery failed", &e);
		return pb_session_exit_for(r);
	}
	if (dev != NULL && (meta->device_authorization_endpoint == NULL ||
	    meta->token_endpoint == NULL)) {
		no_device_flow(s, meta);
		return PB_EXIT_CONFIG;
	}
	/* Before the user is shown a code: dpop = yes may refuse. */
	if ((r = dpop_start(s, meta)) != PB_EXIT_OK || dev == NULL)
		return r;
	if ((r = pb_device_start(meta->device_authorization_endpoint,
	    &s->client, s->c.scope, s->c.resource, s->c.audience, dev, &e)) !=
	    PB_OK) {
		pb_session_say("the device authorization request failed", &e);
		return r == PB_ERR_ACCESS_DENIED ? PB_EXIT_FAIL :
		    pb_session_exit_for(r);
	}
	return PB_EXIT_OK;
}

/* The exit status of a login that failed with r, after a message. */
static int
failed(int r, const struct pb_err *e)
{
	pb_session_say(r == PB_ERR_ACCESS_DENIED ? "login denied" :
	    r == PB_ERR_EXPIRED_CODE ? "login not approved in time" :
	    "login failed", e);
	return r == PB_ERR_ACCESS_DENIED || r == PB_ERR_EXPIRED_CODE ||
	    r == PB_ERR_INVALID_GRANT ? PB_EXIT_FAIL : pb_session_exit_for(r);
}

/* Revoke a new session that is not kept, and say so when the IdP agreed. */
static void
revoke_new(struct pb_sess *s, const struct pb_oidc_meta *meta,
    const struct pb_secret *refresh)
{
	if (refresh->len > 0 && meta->revocation_endpoint != NULL &&
	    pb_token_revoke(meta->revocation_endpoint, &s->client, refresh,
	    NULL) == PB_OK)
		fprintf(stderr, "%s: the new session was revoked at the IdP\n",
		    PB_PROG);
}

/*
 * The browser login's ID token (OpenID Connect Core 3.1.3.7), when the
 * scope asks for openid: it must come and pass id_token.c's checks
 * (signature with the IdP's JWKS, iss, aud, nonce, exp) before a name is
 * shown, and the verified sub and name are what *st keeps.  Otherwise the
 * new session is revoked, as it is not kept.  An exit status after a
 * message.
 */
static int
id_check(struct pb_sess *s, const struct pb_oidc_meta *meta,
    struct pb_tokens *tok, const char *nonce, struct pb_stored *st)
{
	struct pb_id_claims c = { NULL, NULL };
	struct pb_err e;
	int r;

	if (!pb_browser_scope_has(s->c.scope, "openid")) {
		/* Not asked for, so not checked: no name is taken from it. */
		pb_secret_clear(&tok->id_token);
		return PB_EXIT_OK;
	}
	pb_err_clear(&e);
	if (tok->id_token.len == 0)
		r = pb_err_set(&e, PB_ERR_CLAIM, "the IdP sent no ID token, "
		    "though the scope asks for openid");
	else if (meta->jwks_uri == NULL)
		r = pb_err_set(&e, PB_ERR_CONFIG, "the IdP's discovery "
		    "document lists no jwks_uri to check the ID token with");
	else
		r = pb_id_token_check(&s->http, meta->jwks_uri, s->c.issuer,
		    s->c.client_id, nonce, &tok->id_token, (int64_t)time(NULL),
		    &c, &e);
	if (r == PB_OK) {
		st->subject = c.subject;	/* moved */
		st->username = c.username;
		return PB_EXIT_OK;
	}
	pb_session_say("login failed: the ID token is refused", &e);
	revoke_new(s, meta, &tok->refresh);
	/* An ID token too big is no better on a retry: only the JWKS fetch. */
	return r == PB_ERR_NET || r == PB_ERR_HTTP ? PB_EXIT_TEMP :
	    r == PB_ERR_CONFIG ? PB_EXIT_CONFIG : PB_EXIT_FAIL;
}

/*
 * Whether the IdP bound the tokens to the key: token_type DPoP and, in
 * the access token, cnf.jkt of the key.  dpop = yes insists on both (an
 * exit status after a message; the refresh token is revoked, as it is not
 * kept); auto goes on unbound (the key dropped) when the IdP answered
 * Bearer, and warns when only cnf.jkt is missing.
 */
static int
dpop_check(struct pb_sess *s, const struct pb_oidc_meta *meta,
    const struct pb_tokens *tok)
{
	struct pb_err e;
	int r;

	if (s->dkey == NULL)
		return PB_EXIT_OK;
	pb_err_clear(&e);
	if (!tok->dpop)
		r = pb_err_set(&e, PB_ERR_CLAIM, "it answered token_type "
		    "Bearer to a DPoP proof");
	else
		r = pb_dpop_key_binds(s->dkey, &tok->access, &e);
	if (r == PB_OK)
		return PB_EXIT_OK;
	if (s->c.dpop == PB_PROFILE_DPOP_YES) {
		fprintf(stderr, "%s: login failed: the profile says dpop = "
		    "yes, but the IdP did not bind the tokens to the key: "
		    "%s\n", PB_PROG, pb_err_msg(&e));
		revoke_new(s, meta, &tok->refresh);
		return PB_EXIT_FAIL;
	}
	if (!tok->dpop) {
		fprintf(stderr, "%s: note: the IdP did not bind the tokens to "
		    "a key (%s): the session is not bound\n", PB_PROG,
		    pb_err_msg(&e));
		pb_session_use_key(s, NULL);
	} else
		fprintf(stderr, "%s: warning: token_type is DPoP, but %s\n",
		    PB_PROG, pb_err_msg(&e));
	return PB_EXIT_OK;
}

/*
 * Make the session *st of the login's tokens (the refresh token moved out
 * of *tok) and store it under the lock; when it cannot be kept, revoke it
 * at the IdP.  Who logged in: when id_check() verified an ID token, its
 * sub and name only (no name there: none, and the sub is shown), never the
 * unverified access token's in their place; else what the tokens say.  An
 * exit status after a message.
 */
static int
keep(struct pb_sess *s, const struct pb_oidc_meta *meta,
    struct pb_tokens *tok, struct pb_stored *st, int *used_file)
{
	struct pb_err e;
	int rv;

	pb_err_clear(&e);
	if (tok->refresh.len == 0)
		fprintf(stderr, "%s: warning: the IdP issued no refresh token "
		    "(add offline_access to the scope?): 'get' works until "
		    "the access token expires\n", PB_PROG);
	st->refresh = tok->refresh;
	tok->refresh.p = NULL;
	tok->refresh.len = 0;
	st->logged_in_at = (int64_t)time(NULL);
	if ((s->dkey != NULL &&
	    pb_dpop_key_to_json(s->dkey, &st->dpop_key, &e) != PB_OK) ||
	    (st->token_endpoint = strdup(meta->token_endpoint)) == NULL ||
	    (meta->revocation_endpoint != NULL &&
	    (st->revocation_endpoint = strdup(meta->revocation_endpoint)) ==
	    NULL) || (st->subject == NULL &&
	    pb_identity_fill(tok, &st->subject, &st->username) != PB_OK)) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		revoke_new(s, meta, &st->refresh);
		return PB_EXIT_FAIL;
	}
	/*
	 * Under the lock: a get now must not refresh the old session.  The
	 * save removes a temp file left over, and the generation is above
	 * any stored, so nothing older is adopted over this login.
	 */
	if ((rv = pb_session_lock(s)) == PB_EXIT_OK)
		st->gen = pb_session_last_gen(s);
	if (rv != PB_EXIT_OK ||
	    (rv = pb_session_save(s, s->c.store, st, NULL, used_file)) !=
	    PB_EXIT_OK) {
		/* Not kept, so not left alive at the IdP either. */
		revoke_new(s, meta, &st->refresh);
	}
	return rv;
}

/* Say who is logged in until when, on stderr or as a JSON line. */
static int
logged_in(struct pb_sess *s, const struct pb_stored *st,
    const struct pb_cached *t, int used_file, int json)
{
	char wb[256], tb[64], jkt[PB_DPOP_THUMB_LEN + 1];
	struct pb_json_writer b;

	fprintf(stderr, "Logged in to %s as %s (profile %s); the session "
	    "is stored in %s.\n", s->c.issuer, pb_identity_who(st->username,
	    st->subject, wb, sizeof(wb)), s->c.profile, used_file ?
	    "a file (not the Secret Service)" : "the Secret Service");
	if (t->expires_at != 0 && !json)
		fprintf(stderr, "The access token is valid until %s.\n",
		    pb_time_fmt_date(t->expires_at, PB_TIME_UTC, tb,
		    sizeof(tb)));
	jkt[0] = '\0';
	if (s->dkey != NULL &&
	    pb_dpop_key_thumbprint(s->dkey, jkt, NULL) != PB_OK)
		jkt[0] = '\0';
	if (s->dkey != NULL && !json)
		fprintf(stderr, "The tokens are bound to the session's DPoP "
		    "key (thumbprint %s).\n", jkt);
	if (!json)
		return PB_EXIT_OK;
	memset(&b, 0, sizeof(b));
	pb_json_writer_begin(&b);
	pb_json_writer_str(&b, "status", "logged_in");
	pb_json_writer_str(&b, "profile", s->c.profile);
	pb_json_writer_str(&b, "issuer", s->c.issuer);
	pb_json_writer_str(&b, "subject", st->subject);
	pb_json_writer_str(&b, "username", st->username);
	pb_json_writer_int(&b, "expires_at", t->expires_at);
	pb_json_writer_str(&b, "store", used_file ? "file" :
	    "secret-service");
	pb_json_writer_bool(&b, "dpop", s->dkey != NULL);
	if (jkt[0] != '\0')
		pb_json_writer_str(&b, "jkt", jkt);
	return pb_session_json_line(&b);
}

/* What login's own flags asked for. */
struct login_args {
	int	json;
	int	qr;
	int	browser;	/* the grant: 1 browser, 0 device */
	long	wait;		/* seconds, for the browser's answer */
};

/* The flags of pb_login_run(), in the order of its set[]. */
enum { F_JSON, F_NO_QR, F_BROWSER, F_DEVICE, F_WAIT, F_COUNT };

/* Check login's flags into *a: an exit status after a message. */
static int
args(char **argv, const int *set, struct login_args *a)
{
	unsigned long w = PB_BROWSER_WAIT;
	const char *v;

	memset(a, 0, sizeof(*a));
	a->json = set[F_JSON];
	a->qr = !set[F_NO_QR];
	if (set[F_BROWSER] && set[F_DEVICE]) {
		fprintf(stderr, "%s: login: --browser and --device exclude "
		    "each other\n", PB_PROG);
		return PB_EXIT_USAGE;
	}
	if ((v = pb_options_value(argv, set[F_WAIT])) != NULL &&
	    pb_parse_ulong(v, 1, PB_BROWSER_WAIT_MAX, &w) != PB_OK) {
		fprintf(stderr, "%s: login: --wait takes seconds, 1 to %d\n",
		    PB_PROG, PB_BROWSER_WAIT_MAX);
		return PB_EXIT_USAGE;
	}
	a->wait = (long)w;
	return PB_EXIT_OK;
}

/*
 * The grant of a person's login (DESIGN.md section 3): --browser or
 * --device, else the profile's; auto is the browser where one can be
 * opened (a display and xdg-open), else the device flow.
 */
static int
grant_browser(const struct pb_sess *s, const int *set)
{
	if (set[F_BROWSER] || set[F_DEVICE])
		return set[F_BROWSER];
	return s->c.grant == PB_PROFILE_GRANT_BROWSER ||
	    (s->c.grant == PB_PROFILE_GRANT_AUTO && pb_browser_available());
}

/*
 * The tokens of a login by the grant a chose: discovery, then the browser
 * login (nonce: what the ID token must carry) or the device flow.  An exit
 * status after a message.
 */
static int
obtain(struct pb_sess *s, const struct login_args *a,
    struct pb_oidc_meta *meta, struct pb_tokens *tok, char *nonce)
{
	struct pb_device dev;
	struct pb_err e;
	int rv, r;

	memset(&dev, 0, sizeof(dev));
	pb_err_clear(&e);
	if ((rv = start(s, meta, a->browser ? NULL : &dev)) != PB_EXIT_OK)
		goto out;
	if (a->browser) {
		r = pb_browser_login(&s->c, &s->client, meta, a->wait,
		    a->json ? pb_session_json_line : NULL, tok, nonce, &e);
		rv = r == PB_OK ? PB_EXIT_OK : failed(r, &e);
	} else if ((rv = pb_login_device_show(&dev, a->json, a->qr)) ==
	    PB_EXIT_OK) {
		r = pb_login_device_wait(&s->client, meta->token_endpoint,
		    &dev, a->json, tok, &e);
		rv = r == PB_OK ? PB_EXIT_OK : failed(r, &e);
	}
 out:
	pb_device_clear(&dev);
	return rv;
}

int
pb_login_run(int argc, char **argv)
{
	struct pb_options o;
	struct pb_sess s;
	struct pb_stored st;
	struct pb_oidc_meta meta;
	struct pb_tokens tok;
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct login_args a;
	static const char *const flags[F_COUNT + 1] = { "--json", "--no-qr",
	    "--browser", "--device", "--wait=", NULL };
	char nonce[PB_BROWSER_RAND_LEN + 1];
	int set[F_COUNT], rv, used_file = 0;

	memset(&st, 0, sizeof(st));
	memset(&meta, 0, sizeof(meta));
	memset(&tok, 0, sizeof(tok));
	memset(nonce, 0, sizeof(nonce));
	if ((rv = pb_options_parse(argc, argv, &o, NULL, flags, set)) !=
	    PB_EXIT_OK || (rv = args(argv, set, &a)) != PB_EXIT_OK)
		return rv;
	if ((rv = pb_session_open(&s, &o)) == PB_EXIT_OK &&
	    PB_CLIENT_CREDS(&s)) {		/* a machine: no session */
		rv = pb_client_creds_login(&s, a.json);
		goto out;
	}
	a.browser = grant_browser(&s, set);
	if (rv != PB_EXIT_OK ||
	    (rv = store_works(&s)) != PB_EXIT_OK ||
	    (rv = obtain(&s, &a, &meta, &tok, nonce)) != PB_EXIT_OK ||
	    (a.browser && (rv = id_check(&s, &meta, &tok, nonce, &st)) !=
	    PB_EXIT_OK) ||
	    (rv = dpop_check(&s, &meta, &tok)) != PB_EXIT_OK ||
	    (rv = keep(&s, &meta, &tok, &st, &used_file)) != PB_EXIT_OK)
		goto out;
	t.expires_at = pb_identity_expiry(&tok);	/* before the move */
	t.token = tok.access;
	tok.access.p = NULL;
	tok.access.len = 0;
	t.obtained_at = st.logged_in_at;
	pb_session_cache_drop(&s);
	pb_session_cache_put(&s, &t);
	rv = logged_in(&s, &st, &t, used_file, a.json);
 out:
	pb_bzero(nonce, sizeof(nonce));
	pb_token_cache_clear(&t);
	pb_tokens_clear(&tok);
	pb_oidc_meta_clear(&meta);
	pb_session_stored_clear(&st);
	pb_session_close(&s);
	return rv;
}
