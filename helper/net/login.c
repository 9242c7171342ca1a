/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * login: the device authorization grant (RFC 8628) from discovery to the
 * stored session, showing the user where to approve (a QR code when the
 * terminal can show one) and waiting with a countdown.  Messages go to
 * stderr and never hold a token or device code; --json prints JSON lines
 * on stdout.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "token_cache.h"
#include "commands.h"
#include "dpop.h"
#include "client_creds.h"
#include "err.h"
#include "identity.h"
#include "json_writer.h"
#include "net.h"
#include "oauth.h"
#include "qr.h"
#include "secmem.h"
#include "time_fmt.h"
#include "session.h"
#include "store.h"

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

#define INDENT	"    "	/* before the URL */

/* The terminal's size on stderr. */
static void
term_size(int *rows, int *cols)
{
	struct winsize ws;

	/* Unknown: the smallest usual terminal, 80 x 24. */
	*rows = 24;
	*cols = 80;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* The terminal lines len characters take on cols columns (at least 1). */
static int
lines_of(size_t len, int cols)
{
	return cols > 0 && len > 0 ? (int)((len + (size_t)cols - 1) /
	    (size_t)cols) : 1;
}

/*
 * The QR code, then the URL and the code under it, so that on a small
 * terminal (80 x 24) they are what stays on screen, above the countdown.
 * The quiet zone shrinks, or the code is left out with a note, when the
 * terminal is too small (pb_qr_fit()).  0 when the code was drawn and
 * the text under it printed; -1 to print the text without a code.
 */
static int
show_qr(const struct pb_device *dev, const char *code)
{
	struct pb_err e;
	int rows, cols, width, quiet, below, utf8 = utf8_term(), qc, qr;

	pb_err_clear(&e);
	if (pb_qr_width(dev->verification_uri_complete, &width, &e) != PB_OK) {
		pb_session_say("no QR code", &e);
		return -1;
	}
	term_size(&rows, &cols);
	/* "Scan ...", the URL (maybe wrapped), the code, the countdown. */
	below = 1 + lines_of(sizeof(INDENT) - 1 +
	    strlen(dev->verification_uri), cols) + 1 + 1;
	if ((quiet = pb_qr_fit(width, utf8, rows, cols, below)) == 0) {
		pb_qr_cells(width, PB_QR_QUIET_SMALL, utf8, &qc, &qr);
		/* Short: on 80 columns it fits one line. */
		fprintf(stderr, "(no QR code: it needs %dx%d characters, this "
		    "terminal is %dx%d%s)\n", qc, qr + below, cols, rows,
		    utf8 ? "" : "; UTF-8 halves it");
		return -1;
	}
	if (pb_qr_print_quiet(stderr, dev->verification_uri_complete, utf8,
	    quiet, &e) != PB_OK) {
		pb_session_say("no QR code", &e);
		return -1;
	}
	fprintf(stderr, "Scan the code above, or open this page in a browser "
	    "on any device:\n" INDENT "%s\nand enter the code:  %s\n",
	    dev->verification_uri, code);
	return 0;
}

/* Tell the user where to go, on stderr, or as a JSON line on stdout. */
static int
show_device(const struct pb_device *dev, int json, int qr)
{
	char sb[PB_SAFE_BUFSZ];
	struct pb_json_writer b;
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
		return pb_session_json_line(&b);
	}
	/* URL and code were checked printable by device.c. */
	pb_log_safe(dev->user_code, sb, sizeof(sb));
	term = secure_getenv("TERM");
	if (dev->verification_uri_complete != NULL && qr &&
	    isatty(STDERR_FILENO) && pb_qr_available() &&
	    (term == NULL || strcmp(term, "dumb") != 0) &&
	    show_qr(dev, sb) == 0) {
		fflush(stderr);
		return PB_EXIT_OK;
	}
	fprintf(stderr, "To log in, open this page in a browser on any "
	    "device:\n\n    %s\n\nand enter the code:  %s\n\n",
	    dev->verification_uri, sb);
	if (dev->verification_uri_complete != NULL)
		fprintf(stderr, "(or open %s, with the code filled in)\n\n",
		    dev->verification_uri_complete);
	fflush(stderr);
	return PB_EXIT_OK;
}

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
 * authorization request: *meta and *dev filled (the caller clears them),
 * or an exit status after a message.
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
	if (meta->device_authorization_endpoint == NULL ||
	    meta->token_endpoint == NULL) {
		no_device_flow(s, meta);
		return PB_EXIT_CONFIG;
	}
	/* Before the user is shown a code: dpop = yes may refuse. */
	if ((r = dpop_start(s, meta)) != PB_EXIT_OK)
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

/*
 * Wait for the user's decision at token_endpoint, with a countdown on a
 * terminal: *tok filled, or an exit status after a message.
 */
static int
approval(struct pb_sess *s, const char *token_endpoint,
    const struct pb_device *dev, int json, struct pb_tokens *tok)
{
	struct show sh;
	struct pb_wait w;
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	memset(&sh, 0, sizeof(sh));
	sh.tty = !json && isatty(STDERR_FILENO);
	sh.deadline = (int64_t)time(NULL) + dev->expires_in;
	memset(&w, 0, sizeof(w));
	w.sleep = show_sleep;
	w.progress = show_progress;
	w.arg = &sh;
	r = pb_device_wait(token_endpoint, &s->client, dev, &w, tok, &e);
	if (sh.drawn)
		fputs("\r\033[K", stderr);
	if (r != PB_OK) {
		pb_session_say(r == PB_ERR_ACCESS_DENIED ? "login denied" :
		    r == PB_ERR_EXPIRED_CODE ? "login not approved in time" :
		    "login failed", &e);
		return r == PB_ERR_ACCESS_DENIED || r == PB_ERR_EXPIRED_CODE ||
		    r == PB_ERR_INVALID_GRANT ? PB_EXIT_FAIL :
		    pb_session_exit_for(r);
	}
	return PB_EXIT_OK;
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
		if (tok->refresh.len > 0 && meta->revocation_endpoint != NULL &&
		    pb_token_revoke(meta->revocation_endpoint, &s->client,
		    &tok->refresh, NULL) == PB_OK)
			fprintf(stderr, "%s: the new session was revoked at "
			    "the IdP\n", PB_PROG);
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
 * at the IdP.  An exit status after a message.
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
	    NULL) || pb_identity_fill(tok, &st->subject, &st->username) !=
	    PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
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
		if (st->refresh.len > 0 && meta->revocation_endpoint != NULL &&
		    pb_token_revoke(meta->revocation_endpoint, &s->client,
		    &st->refresh, &e) == PB_OK)
			fprintf(stderr, "%s: the new session was revoked at "
			    "the IdP\n", PB_PROG);
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

int
pb_login_run(int argc, char **argv)
{
	struct pb_options o;
	struct pb_sess s;
	struct pb_stored st;
	struct pb_oidc_meta meta;
	struct pb_device dev;
	struct pb_tokens tok;
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	static const char *const flags[] = { "--json", "--no-qr", NULL };
	int set[2], json, qr, rv, used_file = 0;

	memset(&st, 0, sizeof(st));
	memset(&meta, 0, sizeof(meta));
	memset(&dev, 0, sizeof(dev));
	memset(&tok, 0, sizeof(tok));
	if ((rv = pb_options_parse(argc, argv, &o, NULL, flags, set)) !=
	    PB_EXIT_OK)
		return rv;
	json = set[0];
	qr = !set[1];
	if ((rv = pb_session_open(&s, &o)) == PB_EXIT_OK &&
	    PB_CLIENT_CREDS(&s)) {		/* a machine: no session */
		rv = pb_client_creds_login(&s, json);
		goto out;
	}
	if (rv != PB_EXIT_OK ||
	    (rv = store_works(&s)) != PB_EXIT_OK ||
	    (rv = start(&s, &meta, &dev)) != PB_EXIT_OK ||
	    (rv = show_device(&dev, json, qr)) != PB_EXIT_OK ||
	    (rv = approval(&s, meta.token_endpoint, &dev, json, &tok)) !=
	    PB_EXIT_OK || (rv = dpop_check(&s, &meta, &tok)) != PB_EXIT_OK ||
	    (rv = keep(&s, &meta, &tok, &st, &used_file)) != PB_EXIT_OK)
		goto out;
	t.expires_at = pb_identity_expiry(&tok);	/* before the move */
	t.token = tok.access;
	tok.access.p = NULL;
	tok.access.len = 0;
	t.obtained_at = st.logged_in_at;
	pb_session_cache_drop(&s);
	pb_session_cache_put(&s, &t);
	rv = logged_in(&s, &st, &t, used_file, json);
 out:
	pb_token_cache_clear(&t);
	pb_tokens_clear(&tok);
	pb_device_clear(&dev);
	pb_oidc_meta_clear(&meta);
	pb_session_stored_clear(&st);
	pb_session_close(&s);
	return rv;
}
