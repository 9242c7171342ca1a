/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The browser login's listener (RFC 8252 section 7.3): a socket on
 * 127.0.0.1 only, an ephemeral port (or redirect_port), that answers HTTP
 * until the one callback that carries the login's state, then closes.
 * Only the user's own processes are served: the state is no secret from
 * other users (it is in the browser's command line, /proc/PID/cmdline),
 * so a connection from another uid, or one whose owner is not found
 * (pb_peer_uid()), is closed unread at accept; otherwise another user
 * could end the login, or complete it with their own account at the IdP.
 * The user's own processes are trusted (they can read the user's files
 * anyway); even so a request without the state gets a 400 and the wait
 * goes on, each connection has its own short deadline and size cap so
 * that none holds up the rest.
 * The code and the state are wiped; pages hold neither.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "secmem.h"
#include "browser.h"
#include "peer_uid.h"

#define CONNS		8	/* connections served at once */
#define CONN_MS		5000	/* for one connection's request */
#define FIRST_MS	2000	/* for its first byte */
#define BACKLOG		16	/* connections waiting for accept */
#define REQ_MAX		8192	/* bytes of a request, headers included */
#define TEXT_MAX	200	/* characters of an IdP's error shown */
#define NOTED_PEER	1	/* notes printed once a login: a user's */
#define NOTED_STATE	2	/* a callback without the state */

/* Listener ------------------------------------------------------------- */

int
pb_loopback_open(struct pb_loopback *l, unsigned int port, struct pb_err *e)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int one = 1;

	l->port = port;
	if ((l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot make the login's "
		    "listening socket: %s", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	/*
	 * A fixed port: SO_REUSEADDR, or a login within a minute of the last
	 * would find the port in TCP's TIME_WAIT.  On Linux it never lets a
	 * second socket listen on a port that one listens on (that takes
	 * SO_REUSEPORT, not set), so no other process shares the port.
	 */
	if (port != 0 && setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1)
		return pb_err_set(e, PB_ERR_IO, "setsockopt SO_REUSEADDR: %s",
		    strerror(errno));
	if (bind(l->fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(l->fd, BACKLOG) == -1 ||
	    getsockname(l->fd, (struct sockaddr *)&a, &alen) == -1)
		return errno == EADDRINUSE && port != 0 ? pb_err_set(e,
		    PB_ERR_CONFIG, "port %u on 127.0.0.1 is in use (another "
		    "login running?): %s; wait for it to end, or choose "
		    "another redirect_port, registered at the IdP as "
		    "http://127.0.0.1:PORT/callback", port, strerror(errno)) :
		    pb_err_set(e, PB_ERR_IO, "cannot listen on 127.0.0.1 "
		    "for the browser's answer: %s", strerror(errno));
	l->port = ntohs(a.sin_port);
	return PB_OK;
}

void
pb_loopback_close(struct pb_loopback *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

/* Pages ---------------------------------------------------------------- */

/* s for HTML text, cut at TEXT_MAX characters; returns buf. */
static const char *
html_esc(const char *s, char *buf, size_t bufsz)
{
	size_t k = 0, n;
	const char *rep;
	char one[2] = { 0, 0 };

	for (n = 0; s != NULL && *s != '\0' && n < TEXT_MAX; s++, n++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			one[0] = (unsigned char)*s < 0x20 ||
			    (unsigned char)*s == 0x7f ? '?' : *s;
			rep = one;
		}
		if (k + strlen(rep) + 1 > bufsz)
			break;
		memcpy(buf + k, rep, strlen(rep));
		k += strlen(rep);
	}
	buf[k] = '\0';
	return buf;
}

/* Send n bytes of buf, best effort, never blocking. */
static void
send_all(int fd, const char *buf, size_t n)
{
	size_t off = 0;
	ssize_t w;

	while (off < n) {
		w = send(fd, buf + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/*
 * Send a small, plain page (no script, nothing fetched from elsewhere)
 * and end the connection's writing half.
 */
static void
respond(int fd, int status, const char *title, const char *html)
{
	char head[512], body[1800];
	const char *reason;
	int nh, nb;

	reason = status == 200 ? "OK" : status == 400 ? "Bad Request" :
	    status == 404 ? "Not Found" : status == 431 ?
	    "Request Header Fields Too Large" : "Internal Server Error";
	nb = snprintf(body, sizeof(body), "<!DOCTYPE html>\n<html lang=\"en\">"
	    "<head><meta charset=\"utf-8\"><title>bearer-token: %s</title>"
	    "</head>\n<body><h1>%s</h1>\n<p>%s</p></body></html>\n", title,
	    title, html);
	if (nb < 0 || (size_t)nb >= sizeof(body))
		nb = 0;
	nh = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %d\r\nCache-Control: no-store\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: default-src 'none'\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Connection: close\r\n\r\n", status, reason, nb);
	if (nh > 0 && (size_t)nh < sizeof(head)) {
		send_all(fd, head, (size_t)nh);
		send_all(fd, body, (size_t)nb);
	}
	(void)shutdown(fd, SHUT_WR);
}

/* The page for a callback with an error, and the result for the login. */
static int
refused(int fd, const struct pb_loopback_cb *cb, struct pb_err *e)
{
	char page[1400], eb[TEXT_MAX * 6 + 1], db[TEXT_MAX * 6 + 1];
	char sb[PB_SAFE_BUFSZ], sd[PB_SAFE_BUFSZ];
	int code;

	(void)snprintf(page, sizeof(page), "The login was refused: %s%s%s%s. "
	    "Go back to the terminal.", html_esc(cb->error, eb, sizeof(eb)),
	    cb->error_description != NULL ? " (" : "",
	    html_esc(cb->error_description, db, sizeof(db)),
	    cb->error_description != NULL ? ")" : "");
	respond(fd, 200, "login refused", page);
	if (strcmp(cb->error, "access_denied") == 0)
		code = PB_ERR_ACCESS_DENIED;
	else if (strcmp(cb->error, "server_error") == 0 ||
	    strcmp(cb->error, "temporarily_unavailable") == 0)
		code = PB_ERR_HTTP;
	else
		code = PB_ERR_CONFIG;	/* invalid_scope, unauthorized_... */
	return pb_err_set(e, code, "the IdP refused the login: %s%s%s%s%s",
	    pb_log_safe(cb->error, sb, sizeof(sb)),
	    cb->error_description != NULL ? " (" : "",
	    cb->error_description != NULL ? pb_log_safe(
	    cb->error_description, sd, sizeof(sd)) : "",
	    cb->error_description != NULL ? ")" : "",
	    code == PB_ERR_CONFIG ? "; check the client's registration at "
	    "the IdP (grant authorization_code, the redirect URI "
	    "http://127.0.0.1/callback, or http://127.0.0.1:PORT/callback "
	    "with redirect_port) and the profile's scope" : "");
}

/* What the login waits for. */
struct want {
	const char	*state;
	const char	*issuer;
	int		 iss_required;	/* RFC 9207: the IdP sends iss */
};

int
pb_loopback_iss_check(const char *got, const char *issuer, int iss_required,
    struct pb_err *e)
{
	char sb[PB_SAFE_BUFSZ];

	if (got == NULL && iss_required)
		return pb_err_set(e, PB_ERR_ISS, "the browser's answer names "
		    "no issuer (iss), though %s says it always does (RFC "
		    "9207): refused, as a mix-up of two IdPs may be an "
		    "attack; log in again", issuer);
	if (got != NULL && strcmp(got, issuer) != 0)
		return pb_err_set(e, PB_ERR_ISS, "the browser's answer names "
		    "the issuer '%s', not %s (RFC 9207): refused, as a mix-up "
		    "of two IdPs may be an attack; log in again",
		    pb_log_safe(got, sb, sizeof(sb)), issuer);
	return PB_OK;
}

/*
 * The callback that carries the login's state: 0 with *rp its result
 * (PB_OK: a code in *cb), after the page that says so.
 */
static int
ours(int fd, const struct want *w, struct pb_loopback_cb *cb, int *rp,
    struct pb_err *e)
{
	if ((*rp = pb_loopback_iss_check(cb->iss, w->issuer, w->iss_required,
	    e)) != PB_OK)
		respond(fd, 400, "login refused", "The answer does not name "
		    "the issuer this login went to. Go back to the "
		    "terminal.");
	else if (cb->error != NULL)
		*rp = refused(fd, cb, e);
	else if (cb->code.len == 0) {
		respond(fd, 400, "login failed", "The answer carries neither "
		    "a code nor an error. Go back to the terminal.");
		*rp = pb_err_set(e, PB_ERR_HTTP, "the browser's answer "
		    "carries neither a code nor an error");
	} else {
		respond(fd, 200, "login received", "bearer-token has the "
		    "answer from your identity provider. You can close this "
		    "page and go back to the terminal.");
		*rp = PB_OK;
		return 0;
	}
	pb_loopback_cb_clear(cb);
	return 0;
}

/*
 * One complete request: 1 to wait on (another path, a bad request, a
 * callback without the state), 0 when the login's callback came (*rp).
 */
static int
handle(int fd, const char *req, size_t len, const struct want *w,
    struct pb_loopback_cb *cb, int *rp, struct pb_err *e, int *noted)
{
	int v;

	v = pb_loopback_parse(req, len, cb);
	if (v == PB_ERR_NOMEM) {
		respond(fd, 500, "error", "Out of memory.");
		*rp = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		return 0;
	}
	if (v == PB_LOOPBACK_OTHER) {
		respond(fd, 404, "not found", "Nothing here.");
		return 1;
	}
	if (v == PB_LOOPBACK_CALLBACK &&
	    pb_loopback_state_eq(w->state, cb->state))
		return ours(fd, w, cb, rp, e);
	pb_loopback_cb_clear(cb);
	respond(fd, 400, "not this login", "This is not the answer to the "
	    "login bearer-token is waiting for.");
	if (!(*noted & NOTED_STATE))	/* once: a flood stays quiet */
		fprintf(stderr, "%s: note: a request to the login's callback "
		    "did not carry this login's state: refused (an old "
		    "browser tab, or another program); still waiting\n",
		    PB_PROG);
	*noted |= NOTED_STATE;
	return 1;
}

/* Serving -------------------------------------------------------------- */

struct conn {
	int	fd;		/* -1: free */
	int64_t	since;		/* accepted, ms, monotonic */
	int64_t	until;		/* its deadline, ms, monotonic */
	size_t	len;
	char	buf[REQ_MAX + 1];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	pb_bzero(c->buf, c->len);
	c->fd = -1;
	c->len = 0;
}

/* Read what c's client sent; 0 when the login's callback came (*rp). */
static int
serve(struct conn *c, const struct want *w, struct pb_loopback_cb *cb,
    int *rp, struct pb_err *e, int *noted)
{
	ssize_t n;
	int more;

	n = recv(c->fd, c->buf + c->len, REQ_MAX - c->len, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 1;
	if (n <= 0) {
		conn_close(c);
		return 1;
	}
	if (c->len == 0)	/* the first bytes: the rest of its time */
		c->until = c->since + CONN_MS;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (memmem(c->buf, c->len, "\r\n\r\n", 4) == NULL &&
	    memmem(c->buf, c->len, "\n\n", 2) == NULL) {
		if (c->len < REQ_MAX)
			return 1;
		respond(c->fd, 431, "request too large", "Too large.");
		conn_close(c);
		return 1;
	}
	more = handle(c->fd, c->buf, c->len, w, cb, rp, e, noted);
	conn_close(c);
	return more;
}

/*
 * Whether fd's peer is a process of our own user; else fd is to be closed
 * unread and unanswered (fail closed: also when the owner is not found).
 */
static int
own_user(int fd, int *noted)
{
	uid_t uid;
	int found = pb_peer_uid(fd, &uid) == 0;

	if (found && uid == geteuid())
		return 1;
	if (!(*noted & NOTED_PEER) && found)
		fprintf(stderr, "%s: note: another user (uid %lu) connected "
		    "to the login's listener: dropped; still waiting\n",
		    PB_PROG, (unsigned long)uid);
	else if (!(*noted & NOTED_PEER))
		fprintf(stderr, "%s: note: cannot tell which user connected to "
		    "the login's listener (%s): dropped; still waiting\n",
		    PB_PROG, strerror(errno));
	*noted |= NOTED_PEER;
	return 0;
}

/*
 * Take a waiting connection into a free slot, or when there is none into
 * the slot of the oldest connection (none has sent a whole request yet:
 * those are answered at once), the oldest that sent nothing first.
 */
static void
take(const struct pb_loopback *l, struct conn *c, int64_t t, int *noted)
{
	int fd, k, old = 0;

	if ((fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1)
		return;
	if (!own_user(fd, noted)) {
		close(fd);	/* another user's: no byte read or sent */
		return;
	}
	for (k = 0; k < CONNS && c[old].fd != -1; k++)
		if (c[k].fd == -1 || (c[k].len == 0) > (c[old].len == 0) ||
		    ((c[k].len == 0) == (c[old].len == 0) &&
		    c[k].since < c[old].since))
			old = k;
	conn_close(&c[old]);		/* evicted, unanswered */
	c[old].fd = fd;
	c[old].since = t;
	c[old].until = t + FIRST_MS;
}

/*
 * The poll set in pfd (map[k]: the slot of pfd[k], -1 the listener, last
 * so that a connection take() evicts is not served in the same round) and
 * its timeout in *ms; the connections past their time are closed first.
 * The count of pfd.
 */
static int
poll_set(const struct pb_loopback *l, struct conn *c, int64_t t,
    int64_t deadline, struct pollfd *pfd, int *map, int *ms)
{
	int64_t next = deadline < t + 1000 ? deadline : t + 1000;
	int k, n = 0;

	for (k = 0; k < CONNS; k++) {
		if (c[k].fd != -1 && c[k].until <= t)
			conn_close(&c[k]);	/* too slow: no answer */
		if (c[k].fd == -1)
			continue;
		pfd[n].fd = c[k].fd;
		pfd[n].events = POLLIN;
		map[n++] = k;
		if (c[k].until < next)
			next = c[k].until;
	}
	pfd[n].fd = l->fd;
	pfd[n].events = POLLIN;
	map[n++] = -1;
	*ms = next > t ? (int)(next - t) : 0;
	return n;
}

int
pb_loopback_wait(struct pb_loopback *l, const char *state,
    const char *issuer, int iss_required, long wait, void (*tick)(void *),
    void *arg, struct pb_loopback_cb *cb, struct pb_err *e)
{
	const struct want w = { state, issuer, iss_required };
	struct pollfd pfd[CONNS + 1];
	int map[CONNS + 1];
	struct conn *c;
	int64_t t, deadline = now_ms() + (int64_t)wait * 1000;
	int k, n, ms, r = PB_ERR_INTERNAL, more = 1, noted = 0;

	memset(cb, 0, sizeof(*cb));
	if ((c = calloc(CONNS, sizeof(*c))) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	for (k = 0; k < CONNS; k++)
		c[k].fd = -1;
	while (more) {
		if (tick != NULL)
			tick(arg);
		if ((t = now_ms()) >= deadline) {
			r = pb_err_set(e, PB_ERR_EXPIRED_CODE, "no answer came "
			    "from the browser in %ld s: log in again", wait);
			break;
		}
		n = poll_set(l, c, t, deadline, pfd, map, &ms);
		if (poll(pfd, (nfds_t)n, ms) == -1) {
			if (errno == EINTR)
				continue;	/* no revents set */
			r = pb_err_set(e, PB_ERR_IO, "poll: %s",
			    strerror(errno));
			break;
		}
		for (k = 0; k < n && more; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (map[k] == -1)
				take(l, c, t, &noted);
			else
				more = serve(&c[map[k]], &w, cb, &r, e,
				    &noted);
		}
	}
	for (k = 0; k < CONNS; k++)
		conn_close(&c[k]);
	pb_freezero(c, CONNS * sizeof(*c));
	return r;
}
