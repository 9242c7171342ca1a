/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The browser login (RFC 6749 section 4.1 with PKCE, RFC 7636; a native
 * client on a loopback redirect, RFC 8252): the verifier, state and nonce,
 * the authorization URL, the browser opened with xdg-open when there is a
 * display, the wait on loopback.c's listener and the code exchanged at the
 * token endpoint.  The code, state, verifier and nonce are never printed
 * and are wiped after use.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "b64url.h"
#include "commands.h"
#include "err.h"
#include "profile.h"
#include "secmem.h"
#include "http.h"
#include "json_writer.h"
#include "browser.h"

/* PKCE, state, nonce --------------------------------------------------- */

/* The base64url of len bytes at p, 43 characters, into out. */
static int
b64_43(const unsigned char *p, size_t len, char out[PB_BROWSER_RAND_LEN + 1],
    struct pb_err *e)
{
	char *s = NULL;

	if (pb_b64url_encode(p, len, &s) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	if (strlen(s) != PB_BROWSER_RAND_LEN) {
		pb_freezero(s, strlen(s));
		return pb_err_set(e, PB_ERR_INTERNAL, "base64url: bad length");
	}
	memcpy(out, s, PB_BROWSER_RAND_LEN + 1);
	pb_freezero(s, PB_BROWSER_RAND_LEN);
	return PB_OK;
}

int
pb_browser_random(char out[PB_BROWSER_RAND_LEN + 1], struct pb_err *e)
{
	unsigned char rnd[32];
	int r;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return pb_err_set(e, PB_ERR_INTERNAL, "no random bytes");
	r = b64_43(rnd, sizeof(rnd), out, e);
	pb_bzero(rnd, sizeof(rnd));
	return r;
}

int
pb_browser_challenge(const char *verifier, char out[PB_BROWSER_RAND_LEN + 1],
    struct pb_err *e)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	int r;

	if (SHA256((const unsigned char *)verifier, strlen(verifier), md) ==
	    NULL)
		return pb_err_set(e, PB_ERR_INTERNAL, "SHA-256 failed");
	r = b64_43(md, sizeof(md), out, e);
	pb_bzero(md, sizeof(md));
	return r;
}

int
pb_browser_scope_has(const char *scope, const char *word)
{
	size_t n = strlen(word), k;

	while (scope != NULL && *scope != '\0') {
		k = strcspn(scope, " ");
		if (k == n && strncmp(scope, word, n) == 0)
			return 1;
		scope += k;
		scope += strspn(scope, " ");
	}
	return 0;
}

/* The authorization URL ------------------------------------------------- */

int
pb_browser_url(const struct pb_browser_req *q, char **out, struct pb_err *e)
{
	struct pb_secret f = { NULL, 0 };
	size_t n;
	char *u;
	int r;

	*out = NULL;
	if ((r = pb_form_add(&f, "response_type", "code")) != PB_OK ||
	    (r = pb_form_add(&f, "client_id", q->client_id)) != PB_OK ||
	    (r = pb_form_add(&f, "redirect_uri", q->redirect_uri)) != PB_OK ||
	    (r = pb_form_add_target(&f, q->scope, q->resource,
	    q->audience)) != PB_OK ||
	    (r = pb_form_add(&f, "state", q->state)) != PB_OK ||
	    /* An OpenID Connect parameter: IdPs refuse it without openid. */
	    (pb_browser_scope_has(q->scope, "openid") &&
	    (r = pb_form_add(&f, "nonce", q->nonce)) != PB_OK) ||
	    (r = pb_form_add(&f, "code_challenge", q->challenge)) != PB_OK ||
	    (r = pb_form_add(&f, "code_challenge_method", "S256")) != PB_OK ||
	    /* OpenID Connect Core 11: offline access needs consent. */
	    (pb_browser_scope_has(q->scope, "offline_access") &&
	    (r = pb_form_add(&f, "prompt", "consent")) != PB_OK)) {
		pb_secret_clear(&f);
		return pb_err_set(e, r, "cannot build the authorization URL");
	}
	n = strlen(q->endpoint) + 1 + f.len + 1;
	if ((u = malloc(n)) == NULL) {
		pb_secret_clear(&f);
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	}
	/* RFC 6749 3.1: keep the endpoint's own query. */
	(void)snprintf(u, n, "%s%c%s", q->endpoint,
	    strchr(q->endpoint, '?') != NULL ? '&' : '?', f.p);
	pb_secret_clear(&f);
	*out = u;
	return PB_OK;
}

/* The browser ---------------------------------------------------------- */

/* Whether an executable name is in a directory of $PATH. */
static int
on_path(const char *name)
{
	const char *path = secure_getenv("PATH"), *p, *c;
	char buf[PATH_MAX];
	size_t n;
	int w;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = c + 1) {
		c = strchr(p, ':');
		n = c != NULL ? (size_t)(c - p) : strlen(p);
		w = snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
		if (n > 0 && w > 0 && (size_t)w < sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return 1;
		if (c == NULL)
			return 0;
	}
}

int
pb_browser_available(void)
{
	const char *d = secure_getenv("DISPLAY");
	const char *w = secure_getenv("WAYLAND_DISPLAY");

	return ((d != NULL && *d != '\0') || (w != NULL && *w != '\0')) &&
	    on_path("xdg-open");
}

/*
 * Start "xdg-open URL" in its own session, its standard streams on
 * /dev/null; never waited for (reap() collects it).  posix_spawnp(), not
 * fork(): libsecret's GLib threads may be running, and only async-signal-
 * safe calls may follow a fork then.  The pid, or -1 with errno set.
 */
static pid_t
open_browser(const char *url)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char prog[] = "xdg-open";
	char *const argv[] = { prog, (char *)(uintptr_t)url, NULL };
	pid_t pid = -1;
	int r;

	if ((r = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = r;
		return -1;
	}
	if ((r = posix_spawnattr_init(&at)) == 0) {
		if ((r = posix_spawnattr_setflags(&at,
		    POSIX_SPAWN_SETSID)) == 0 &&
		    (r = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
		    "/dev/null", O_RDONLY, 0)) == 0 &&
		    (r = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
		    "/dev/null", O_WRONLY, 0)) == 0 &&
		    (r = posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		    "/dev/null", O_WRONLY, 0)) == 0)
			r = posix_spawnp(&pid, "xdg-open", &fa, &at, argv,
			    environ);
		(void)posix_spawnattr_destroy(&at);
	}
	(void)posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		errno = r;
		return -1;
	}
	return pid;
}

/* The wait's tick: collect xdg-open when it has ended, without waiting. */
static void
reap(void *arg)
{
	pid_t *pid = arg;
	int st;

	if (*pid <= 0 || waitpid(*pid, &st, WNOHANG) != *pid)
		return;
	*pid = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "%s: note: xdg-open could not open a browser "
		    "(status %d): open the page above yourself\n", PB_PROG,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* The login ------------------------------------------------------------ */

/* What one browser login holds; wiped by clear(). */
struct login {
	char	verifier[PB_BROWSER_RAND_LEN + 1];
	char	challenge[PB_BROWSER_RAND_LEN + 1];
	char	state[PB_BROWSER_RAND_LEN + 1];
	char	redirect_uri[64];
	char	*url;
	struct pb_loopback	l;
	pid_t	opener;
};

static void
clear(struct login *g)
{
	pb_loopback_close(&g->l);
	reap(&g->opener);
	if (g->url != NULL)
		pb_freezero(g->url, strlen(g->url));
	pb_bzero(g, sizeof(*g));
	g->l.fd = -1;
}

/* The secrets, the listener and the URL for the login of c at meta. */
static int
prepare(struct login *g, const struct pb_profile *c,
    const struct pb_oidc_meta *meta, char *nonce, struct pb_err *e)
{
	struct pb_browser_req q;
	int r;

	if ((r = pb_browser_random(g->verifier, e)) != PB_OK ||
	    (r = pb_browser_challenge(g->verifier, g->challenge, e)) !=
	    PB_OK || (r = pb_browser_random(g->state, e)) != PB_OK ||
	    (r = pb_browser_random(nonce, e)) != PB_OK ||
	    (r = pb_loopback_open(&g->l, c->redirect_port, e)) != PB_OK)
		return r;
	(void)snprintf(g->redirect_uri, sizeof(g->redirect_uri),
	    "http://127.0.0.1:%u/callback", g->l.port);
	memset(&q, 0, sizeof(q));
	q.endpoint = meta->authorization_endpoint;
	q.client_id = c->client_id;
	q.redirect_uri = g->redirect_uri;
	q.scope = c->scope;
	q.resource = c->resource;
	q.audience = c->audience;
	q.state = g->state;
	q.nonce = nonce;
	q.challenge = g->challenge;
	return pb_browser_url(&q, &g->url, e);
}

/* Show the URL (and the JSON line), then open the browser if one can be. */
static int
show(struct login *g, long wait, int (*json_line)(struct pb_json_writer *),
    struct pb_err *e)
{
	struct pb_json_writer b;

	fprintf(stderr, "Open this page to log in: %s\n", g->url);
	fflush(stderr);
	if (json_line != NULL) {
		memset(&b, 0, sizeof(b));
		pb_json_writer_begin(&b);
		pb_json_writer_str(&b, "authorization_url", g->url);
		pb_json_writer_str(&b, "redirect_uri", g->redirect_uri);
		pb_json_writer_int(&b, "expires_in", wait);
		if (json_line(&b) != PB_EXIT_OK)
			return pb_err_set(e, PB_ERR_IO, "cannot write the "
			    "JSON line");
	}
	g->opener = -1;
	if (pb_browser_available() && (g->opener = open_browser(g->url)) ==
	    -1)
		fprintf(stderr, "%s: note: cannot start xdg-open: %s\n",
		    PB_PROG, strerror(errno));
	return PB_OK;
}

int
pb_browser_login(const struct pb_profile *c,
    const struct pb_oauth_client *client, const struct pb_oidc_meta *meta,
    long wait, int (*json_line)(struct pb_json_writer *),
    struct pb_tokens *tok, char nonce[PB_BROWSER_RAND_LEN + 1],
    struct pb_err *e)
{
	struct pb_loopback_cb cb;
	struct pb_secret v;
	struct login g;
	int r;

	memset(tok, 0, sizeof(*tok));
	memset(&cb, 0, sizeof(cb));
	memset(&g, 0, sizeof(g));
	g.l.fd = g.opener = -1;
	if (meta->authorization_endpoint == NULL ||
	    meta->token_endpoint == NULL)
		return pb_err_set(e, PB_ERR_CONFIG, "the IdP at %s offers no "
		    "browser login: its discovery document lists no %s; use "
		    "login --device (grant = device)", c->issuer,
		    meta->token_endpoint == NULL ? "token_endpoint" :
		    "authorization_endpoint");
	if ((r = prepare(&g, c, meta, nonce, e)) != PB_OK ||
	    (r = show(&g, wait, json_line, e)) != PB_OK)
		goto out;
	r = pb_loopback_wait(&g.l, g.state, c->issuer, meta->iss_param, wait,
	    reap, &g.opener, &cb, e);
	pb_loopback_close(&g.l);	/* exactly one callback */
	if (r != PB_OK)
		goto out;
	v.p = g.verifier;
	v.len = strlen(g.verifier);
	r = pb_token_code(meta->token_endpoint, client, &cb.code,
	    g.redirect_uri, &v, time(NULL), tok, e);
 out:
	pb_loopback_cb_clear(&cb);
	clear(&g);
	if (r != PB_OK)
		pb_bzero(nonce, PB_BROWSER_RAND_LEN + 1);
	return r;
}
