/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/net/browser.c and loopback.c, the parts of the browser login that
 * need no browser: the PKCE S256 challenge (RFC 7636 appendix B's
 * vector), the random verifier, state and nonce, the scope test, the
 * authorization URL (prompt=consent with offline_access, the endpoint's
 * own query kept), the callback's request line and query, the state
 * comparison, the listener's address, and the owner of a connection to
 * it (pb_peer_uid(), over 127.0.0.1 only).
 */
#include "config.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "browser.h"
#include "checkmain.h"
#include "err.h"
#include "peer_uid.h"
#include "secmem.h"

/* RFC 7636 appendix B. */
#define RFC_VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

START_TEST(test_challenge_rfc7636)
{
	char out[PB_BROWSER_RAND_LEN + 1];

	ck_assert_int_eq(pb_browser_challenge(RFC_VERIFIER, out, NULL),
	    PB_OK);
	ck_assert_str_eq(out, RFC_CHALLENGE);
}
END_TEST

START_TEST(test_random)
{
	char a[PB_BROWSER_RAND_LEN + 1], b[PB_BROWSER_RAND_LEN + 1];

	ck_assert_int_eq(pb_browser_random(a, NULL), PB_OK);
	ck_assert_int_eq(pb_browser_random(b, NULL), PB_OK);
	ck_assert_uint_eq(strlen(a), 43);
	/* RFC 7636 4.1: unreserved characters only (base64url has no pad). */
	ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_scope_has)
{
	ck_assert(pb_browser_scope_has("openid offline_access",
	    "offline_access"));
	ck_assert(pb_browser_scope_has("  offline_access  openid ", "openid"));
	ck_assert(!pb_browser_scope_has("openid offline_accessx",
	    "offline_access"));
	ck_assert(!pb_browser_scope_has("xoffline_access", "offline_access"));
	ck_assert(!pb_browser_scope_has("", "openid"));
	ck_assert(!pb_browser_scope_has(NULL, "openid"));
}
END_TEST

static void
req_fill(struct pb_browser_req *q, const char *endpoint, const char *scope)
{
	memset(q, 0, sizeof(*q));
	q->endpoint = endpoint;
	q->client_id = "bearer cli";
	q->redirect_uri = "http://127.0.0.1:4242/callback";
	q->scope = scope;
	q->state = "S";
	q->nonce = "N";
	q->challenge = RFC_CHALLENGE;
}

START_TEST(test_url)
{
	struct pb_browser_req q;
	char *u = NULL;

	req_fill(&q, "https://idp.example/auth", "openid offline_access");
	q.resource = "urn:x";
	ck_assert_int_eq(pb_browser_url(&q, &u, NULL), PB_OK);
	ck_assert_str_eq(u, "https://idp.example/auth?response_type=code"
	    "&client_id=bearer%20cli"
	    "&redirect_uri=http%3A%2F%2F127.0.0.1%3A4242%2Fcallback"
	    "&scope=openid%20offline_access&resource=urn%3Ax&state=S&nonce=N"
	    "&code_challenge=" RFC_CHALLENGE "&code_challenge_method=S256"
	    "&prompt=consent");
	free(u);
}
END_TEST

START_TEST(test_url_no_consent)
{
	struct pb_browser_req q;
	char *u = NULL;

	/* The endpoint's query stays; no offline_access, no prompt. */
	req_fill(&q, "https://idp.example/auth?realm=a", "openid");
	q.audience = "api";
	ck_assert_int_eq(pb_browser_url(&q, &u, NULL), PB_OK);
	ck_assert_ptr_nonnull(strstr(u, "https://idp.example/auth?realm=a&"
	    "response_type=code&"));
	ck_assert_ptr_nonnull(strstr(u, "&audience=api&"));
	ck_assert_ptr_nonnull(strstr(u, "&nonce=N&"));
	ck_assert_ptr_null(strstr(u, "prompt="));
	free(u);
}
END_TEST

START_TEST(test_url_no_openid)
{
	struct pb_browser_req q;
	char *u = NULL;

	/* OAuth only: no nonce, which IdPs refuse without openid. */
	req_fill(&q, "https://idp.example/auth", "offline_access ssh");
	ck_assert_int_eq(pb_browser_url(&q, &u, NULL), PB_OK);
	ck_assert_ptr_null(strstr(u, "nonce="));
	ck_assert_ptr_nonnull(strstr(u, "&prompt=consent"));
	free(u);
}
END_TEST

static int
parse(const char *req, struct pb_loopback_cb *cb)
{
	return pb_loopback_parse(req, strlen(req), cb);
}

START_TEST(test_parse_callback)
{
	struct pb_loopback_cb cb;

	ck_assert_int_eq(parse("GET /callback?code=a%2Bb+c&state=xyz&iss="
	    "http%3A%2F%2F127.0.0.1%3A9&session_state=q HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\n\r\n", &cb), PB_LOOPBACK_CALLBACK);
	ck_assert_uint_eq(cb.code.len, 5);
	ck_assert_mem_eq(cb.code.p, "a+b c", 5);
	ck_assert_str_eq(cb.state, "xyz");
	ck_assert_str_eq(cb.iss, "http://127.0.0.1:9");
	ck_assert_ptr_null(cb.error);
	pb_loopback_cb_clear(&cb);

	ck_assert_int_eq(parse("GET /callback?error=access_denied&"
	    "error_description=End-User%20aborted&state=s HTTP/1.0\n\n", &cb),
	    PB_LOOPBACK_CALLBACK);
	ck_assert_str_eq(cb.error, "access_denied");
	ck_assert_str_eq(cb.error_description, "End-User aborted");
	ck_assert_uint_eq(cb.code.len, 0);
	pb_loopback_cb_clear(&cb);

	/* Control bytes in an IdP's error are shown as '?', not refused. */
	ck_assert_int_eq(parse("GET /callback?error=x%0D%0Ay&error_description="
	    "line%0Aline%00%7F&state=s HTTP/1.1\r\n\r\n", &cb),
	    PB_LOOPBACK_CALLBACK);
	ck_assert_str_eq(cb.error, "x??y");
	ck_assert_str_eq(cb.error_description, "line?line??");
	ck_assert_str_eq(cb.state, "s");
	pb_loopback_cb_clear(&cb);

	/* No query at all: a callback without a state. */
	ck_assert_int_eq(parse("GET /callback HTTP/1.1\r\n\r\n", &cb),
	    PB_LOOPBACK_CALLBACK);
	ck_assert_ptr_null(cb.state);
	pb_loopback_cb_clear(&cb);
}
END_TEST

START_TEST(test_parse_other)
{
	struct pb_loopback_cb cb;

	ck_assert_int_eq(parse("GET / HTTP/1.1\r\n\r\n", &cb),
	    PB_LOOPBACK_OTHER);
	ck_assert_int_eq(parse("GET /favicon.ico HTTP/1.1\r\n\r\n", &cb),
	    PB_LOOPBACK_OTHER);
	ck_assert_int_eq(parse("GET /callbackx?state=s HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_OTHER);
	ck_assert_int_eq(parse("GET /callback/x HTTP/1.1\r\n\r\n", &cb),
	    PB_LOOPBACK_OTHER);
	ck_assert_int_eq(parse("POST /callback?state=s HTTP/1.1\r\n\r\n", &cb),
	    PB_LOOPBACK_OTHER);
	ck_assert_int_eq(parse("HEAD /callback HTTP/1.1\r\n\r\n", &cb),
	    PB_LOOPBACK_OTHER);
	ck_assert_ptr_null(cb.state);
}
END_TEST

START_TEST(test_parse_bad)
{
	struct pb_loopback_cb cb;

	/* A parameter twice (RFC 6749 3.1), bad escapes, NUL, no line. */
	ck_assert_int_eq(parse("GET /callback?state=a&state=b HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_ptr_null(cb.state);
	ck_assert_int_eq(parse("GET /callback?code=a&code=b HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?state=%zz HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?state=%4 HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?state=a%00b HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?state=a%0Ab HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?code=a%09b HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?iss=a%7Fb HTTP/1.1\r\n\r\n",
	    &cb), PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?state=s HTTP/2\r\n\r\n", &cb),
	    PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?state=s\r\n\r\n", &cb),
	    PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("GET /callback?state=s HTTP/1.1", &cb),
	    PB_LOOPBACK_BAD);
	ck_assert_int_eq(parse("", &cb), PB_LOOPBACK_BAD);
	ck_assert_ptr_null(cb.state);
}
END_TEST

START_TEST(test_state_eq)
{
	const char *s = "Afa36qHR61zXZyPQs2EzEISM1NlTy6w8QuW0pLSjOwU";

	ck_assert(pb_loopback_state_eq(s,
	    "Afa36qHR61zXZyPQs2EzEISM1NlTy6w8QuW0pLSjOwU"));
	ck_assert(!pb_loopback_state_eq(s,
	    "Afa36qHR61zXZyPQs2EzEISM1NlTy6w8QuW0pLSjOwV"));
	ck_assert(!pb_loopback_state_eq(s,
	    "Afa36qHR61zXZyPQs2EzEISM1NlTy6w8QuW0pLSjOw"));
	ck_assert(!pb_loopback_state_eq(s,
	    "Afa36qHR61zXZyPQs2EzEISM1NlTy6w8QuW0pLSjOwUx"));
	ck_assert(!pb_loopback_state_eq(s, ""));
	ck_assert(!pb_loopback_state_eq(s, NULL));
}
END_TEST

START_TEST(test_listener)
{
	struct pb_loopback l;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	ck_assert_int_eq(pb_loopback_open(&l, 0, NULL), PB_OK);
	ck_assert_uint_ne(l.port, 0);
	ck_assert_int_eq(getsockname(l.fd, (struct sockaddr *)&a, &alen), 0);
	ck_assert_uint_eq(ntohl(a.sin_addr.s_addr), INADDR_LOOPBACK);
	ck_assert_uint_eq(ntohs(a.sin_port), l.port);
	ck_assert(fcntl(l.fd, F_GETFD) & FD_CLOEXEC);
	/* A stale readiness must not block accept. */
	ck_assert(fcntl(l.fd, F_GETFL) & O_NONBLOCK);
	pb_loopback_close(&l);
	ck_assert_int_eq(l.fd, -1);
	pb_loopback_close(&l);		/* twice: a no-op */
}
END_TEST

/* RFC 9207 section 2.4: iss must be the issuer, and be there when the
 * IdP says it sends one. */
START_TEST(test_iss_check)
{
	static const char iss[] = "https://idp.example/realms/a";
	struct pb_err e;

	ck_assert_int_eq(pb_loopback_iss_check(iss, iss, 0, NULL), PB_OK);
	ck_assert_int_eq(pb_loopback_iss_check(iss, iss, 1, NULL), PB_OK);
	ck_assert_int_eq(pb_loopback_iss_check(NULL, iss, 0, NULL), PB_OK);
	pb_err_clear(&e);
	ck_assert_int_eq(pb_loopback_iss_check(NULL, iss, 1, &e), PB_ERR_ISS);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "names no issuer"));
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "RFC 9207"));
	pb_err_clear(&e);
	ck_assert_int_eq(pb_loopback_iss_check("https://idp.example/realms/b",
	    iss, 0, &e), PB_ERR_ISS);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "RFC 9207"));
	ck_assert_int_eq(pb_loopback_iss_check("https://idp.example/realms/a/",
	    iss, 1, NULL), PB_ERR_ISS);
	ck_assert_int_eq(pb_loopback_iss_check("", iss, 1, NULL), PB_ERR_ISS);
}
END_TEST

/* redirect_port: that port, and a clear error when it is taken. */
START_TEST(test_listener_fixed_port)
{
	struct pb_loopback l, m;
	struct pb_err e;
	unsigned int port;

	pb_err_clear(&e);
	ck_assert_int_eq(pb_loopback_open(&l, 0, NULL), PB_OK);
	port = l.port;
	pb_loopback_close(&l);
	ck_assert_int_eq(pb_loopback_open(&l, port, NULL), PB_OK);
	ck_assert_uint_eq(l.port, port);
	ck_assert_int_eq(pb_loopback_open(&m, port, &e), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "is in use"));
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "redirect_port"));
	pb_loopback_close(&m);
	pb_loopback_close(&l);
}
END_TEST

/* A client connected to l, from a child of uid when uid is not -1. */
static int
connect_as(const struct pb_loopback *l, long uid, pid_t *child)
{
	struct sockaddr_in a;
	int fd, p[2], st;
	char b;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)l->port);
	*child = -1;
	if (uid != -1) {
		ck_assert_int_eq(pipe(p), 0);
		ck_assert_int_ne(*child = fork(), -1);
		if (*child == 0) {
			/* Holds its socket open until the parent is done. */
			close(p[1]);
			if (setgid((gid_t)uid) != 0 ||
			    setuid((uid_t)uid) != 0 ||
			    (fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
			    connect(fd, (struct sockaddr *)&a,
			    sizeof(a)) != 0)
				_exit(1);
			st = (int)read(p[0], &b, 1);
			_exit(st == 0 ? 0 : 1);
		}
		close(p[0]);
		return p[1];
	}
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* The next connection on the (non-blocking) listener, 5 s at most. */
static int
accept_one(const struct pb_loopback *l)
{
	struct pollfd p = { .fd = l->fd, .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	return accept(l->fd, NULL, NULL);
}

START_TEST(test_peer_uid)
{
	struct pb_loopback l;
	uid_t uid = 12345;
	pid_t child;
	int cfd, fd, st;

	ck_assert_int_eq(pb_loopback_open(&l, 0, NULL), PB_OK);
	cfd = connect_as(&l, -1, &child);
	ck_assert_int_ne(fd = accept_one(&l), -1);
	ck_assert_int_eq(pb_peer_uid(fd, &uid), 0);
	ck_assert_uint_eq(uid, geteuid());
	/* Not a TCP socket: no owner, fail closed. */
	uid = 12345;
	ck_assert_int_eq(pb_peer_uid(cfd + 1000, &uid), -1);
	ck_assert_int_eq(pb_peer_uid(l.fd, &uid), -1);
	ck_assert_uint_eq(uid, 12345);
	close(fd);
	close(cfd);
	if (geteuid() == 0) {
		/* Another user's connection is named as such (nobody). */
		cfd = connect_as(&l, 65534, &child);
		ck_assert_int_ne(fd = accept_one(&l), -1);
		ck_assert_int_eq(pb_peer_uid(fd, &uid), 0);
		ck_assert_uint_eq(uid, 65534);
		close(fd);
		close(cfd);
		ck_assert_int_eq(waitpid(child, &st, 0), child);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	pb_loopback_close(&l);
}
END_TEST

/*
 * More idle clients than the listener has slots, then the callback: it is
 * served at once (idle ones evicted), not after their 5 s.
 */
START_TEST(test_wait_idle)
{
	struct pb_loopback l;
	struct pb_loopback_cb cb;
	struct sockaddr_in a;
	struct timespec t0, t1;
	const char req[] = "GET /callback?state=S&code=c HTTP/1.1\r\n\r\n";
	pid_t child;
	char b[64];
	int i, fd, st;

	ck_assert_int_eq(pb_loopback_open(&l, 0, NULL), PB_OK);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)l.port);
	ck_assert_int_ne(child = fork(), -1);
	if (child == 0) {
		for (i = 0; i < 20; i++)	/* never closed, never sent */
			if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
			    0)) == -1)
				_exit(1);
			else
				(void)connect(fd, (struct sockaddr *)&a,
				    sizeof(a));
		usleep(200000);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
		    write(fd, req, sizeof(req) - 1) != sizeof(req) - 1 ||
		    read(fd, b, sizeof(b)) <= 0)
			_exit(1);
		_exit(0);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pb_loopback_wait(&l, "S", "https://idp", 0, 20, NULL,
	    NULL, &cb, NULL), PB_OK);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_uint_eq(cb.code.len, 1);
	pb_loopback_cb_clear(&cb);
	ck_assert_int_lt((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000, 3000);
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pb_loopback_close(&l);
}
END_TEST

static Suite *
browser_suite(void)
{
	Suite *s = suite_create("browser");
	TCase *tc;

	tc = tcase_create("pkce");
	tcase_add_test(tc, test_challenge_rfc7636);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_scope_has);
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_url_no_consent);
	tcase_add_test(tc, test_url_no_openid);
	suite_add_tcase(s, tc);

	tc = tcase_create("callback");
	tcase_add_test(tc, test_parse_callback);
	tcase_add_test(tc, test_parse_other);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_state_eq);
	tcase_add_test(tc, test_iss_check);
	tcase_add_test(tc, test_listener);
	tcase_add_test(tc, test_listener_fixed_port);
	tcase_add_test(tc, test_peer_uid);
	tcase_add_test(tc, test_wait_idle);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(browser_suite());
}
