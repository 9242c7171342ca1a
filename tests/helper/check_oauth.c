/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/http and helper/oauth against the real IdP fixture (tests/idp,
 * oidc-provider), started by run.sh: discovery, the device flow (approve,
 * deny, expiry, interval, slow_down, back-off), refresh with rotation,
 * revocation, client authentication, transport faults and limits.
 *
 * run.sh exports PB_IDP_ISSUER and PB_IDP_CONTROL (issuer path
 * /realms/test, started with interval 1) and PB_IDP_PLAIN_ISSUER (no path).
 * Every test resets the fixture first (POST /__control/reset: settings,
 * faults, counters and the poll log; tokens stay).  The control API is
 * driven with libcurl directly, not with the code under test.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "checkmain.h"
#include "err.h"
#include "secmem.h"
#include "http.h"
#include "oauth.h"
#include "testutil.h"

#define SCOPE		"openid offline_access ssh"
#define CONF_SECRET	"bearer-conf-secret"
#define FAKE_T0		1000000	/* the fake clock's start */

static const char *issuer, *control, *plain_issuer;
static struct pb_http http;
static struct pb_oidc_meta meta;
/* The endpoints each request takes, as discovery found them. */
#define DEV_EP		(meta.device_authorization_endpoint)
#define TOKEN_EP	(meta.token_endpoint)
#define REVOKE_EP	(meta.revocation_endpoint)
static char conf_secret[] = CONF_SECRET;
static struct pb_oauth_client pub, conf, conf_post;

/* Test plumbing --------------------------------------------------------- */

static const char *
env(const char *name)
{
	const char *v = secure_getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "%s not set: run via run.sh",
	    name);
	return v;
}

/*
 * A control API request (method GET or POST, path under /__control, JSON
 * body or NULL).  Returns the parsed answer; *status gets the HTTP status.
 */
static cJSON *
ctl_status(const char *method, const char *path, const char *json,
    long *status)
{
	struct curl_slist *h = NULL;
	char *url, *buf = NULL;
	size_t len = 0;
	FILE *f;
	CURL *c;
	CURLcode rc;
	cJSON *j;

	url = tu_asprintf("%s%s", control, path);
	ck_assert_ptr_nonnull(c = curl_easy_init());
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "POST") == 0) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		    json != NULL ? json : "{}");
	}
	rc = curl_easy_perform(c);
	fclose(f);
	ck_assert_msg(rc == CURLE_OK, "control %s %s: %s", method, path,
	    curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	j = cJSON_Parse(buf);
	ck_assert_msg(j != NULL, "control %s %s: not JSON: %s", method, path,
	    buf);
	free(buf);
	free(url);
	return j;
}

/* ctl_status() that must answer 200; the caller deletes the answer. */
static cJSON *
ctl(const char *method, const char *path, const char *json)
{
	long status = 0;
	cJSON *j = ctl_status(method, path, json, &status);

	ck_assert_msg(status == 200, "control %s %s: HTTP %ld", method, path,
	    status);
	return j;
}

static void
ctl_do(const char *method, const char *path, const char *json)
{
	cJSON_Delete(ctl(method, path, json));
}

static void
config(const char *json)
{
	ctl_do("POST", "/config", json);
}

static void
fault(const char *json)
{
	ctl_do("POST", "/fault", json);
}

/* A request counter of the fixture (GET /__control/counters). */
static long
counter(const char *name)
{
	cJSON *j = ctl("GET", "/counters", NULL);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	long n;

	ck_assert_msg(cJSON_IsNumber(v), "no counter %s", name);
	n = (long)v->valuedouble;
	cJSON_Delete(j);
	return n;
}

static long
device_polls(void)
{
	return counter("token_device_code");
}

/* The user's part in the browser, through the fixture's approver. */
static void
user_acts(const struct pb_device *d, const char *action)
{
	char *body;

	body = tu_asprintf("{\"user_code\":\"%s\",\"action\":\"%s\"}",
	    d->user_code, action);
	ctl_do("POST", "/approve", body);
	free(body);
}

/* Whether msg holds no byte string of s (a token, code or secret). */
static void
no_secret(const struct pb_err *e, const struct pb_secret *s)
{
	ck_assert_ptr_nonnull(s->p);
	ck_assert_msg(s->len >= 8, "secret too short to search for");
	ck_assert_msg(memmem(e->msg, strlen(e->msg), s->p, s->len) == NULL,
	    "secret in message: %s", e->msg);
}

static void
has(const struct pb_err *e, const char *needle)
{
	ck_assert_msg(strstr(e->msg, needle) != NULL,
	    "message '%s' lacks '%s'", e->msg, needle);
}

/* A device flow through to tokens: start, the user approves, one poll. */
static void
login(const struct pb_oauth_client *c, time_t now, struct pb_tokens *t)
{
	struct pb_device d;
	struct pb_err e;
	int r;

	r = pb_device_start(DEV_EP, c, SCOPE, NULL, NULL, &d, &e);
	ck_assert_msg(r == PB_OK, "device start: %s", pb_err_msg(&e));
	user_acts(&d, "approve");
	r = pb_device_poll(TOKEN_EP, c, &d, now, t, &e);
	ck_assert_msg(r == PB_OK, "poll: %s", pb_err_msg(&e));
	pb_device_clear(&d);
}

static int
introspect_active(const struct pb_secret *tok)
{
	struct pb_secret form = { NULL, 0 };
	struct pb_http_resp resp;
	struct pb_err e;
	char *url;
	cJSON *j;
	int active;

	url = tu_asprintf("%s/token/introspection", issuer);
	ck_assert_int_eq(pb_form_add_secret(&form, "token", tok), PB_OK);
	ck_assert_int_eq(pb_form_add(&form, "token_type_hint",
	    "refresh_token"), PB_OK);
	ck_assert_int_eq(pb_http_post_form(&http, url, "introspection", &form,
	    "bearer-conf", &conf.secret, &resp, &e), PB_OK);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(j = cJSON_Parse(resp.body.p));
	ck_assert(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j,
	    "active")));
	active = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "active"));
	cJSON_Delete(j);
	pb_http_resp_clear(&resp);
	pb_secret_clear(&form);
	free(url);
	return active;
}

static void
setup(void)
{
	struct pb_err e;
	int r;

	issuer = env("PB_IDP_ISSUER");
	control = env("PB_IDP_CONTROL");
	plain_issuer = env("PB_IDP_PLAIN_ISSUER");
	ctl_do("POST", "/reset", NULL);
	pb_http_init(&http);
	http.connect_timeout = 5;
	http.timeout = 10;
	pub = (struct pb_oauth_client){ "bearer-cli", { NULL, 0 },
	    PB_CLIENT_AUTH_NONE, &http, NULL, NULL, NULL };
	conf = (struct pb_oauth_client){ "bearer-conf",
	    { conf_secret, sizeof(conf_secret) - 1 }, PB_CLIENT_AUTH_BASIC,
	    &http, NULL, NULL, NULL };
	conf_post = (struct pb_oauth_client){ "bearer-conf-post",
	    { conf_secret, sizeof(conf_secret) - 1 }, PB_CLIENT_AUTH_POST,
	    &http, NULL, NULL, NULL };
	r = pb_oauth_discover(issuer, &http, &meta, &e);
	ck_assert_msg(r == PB_OK, "discovery: %s", pb_err_msg(&e));
}

static void
teardown(void)
{
	pb_oidc_meta_clear(&meta);
}

/* The fake clock and sleep of pb_device_wait() ------------------------- */

struct fake {
	time_t		 t;
	int		 real_ms;	/* real milliseconds per fake second */
	unsigned int	 sleeps[64];
	int		 nsleeps;
	enum pb_wait_event events[64];
	int		 retry_codes[64];
	char		 retry_msg[PB_ERR_MSG_MAX];
	int		 nevents;
	int		 cancel_at;	/* event index to cancel at, -1 never */
};

static time_t
fake_now(void *arg)
{
	return ((struct fake *)arg)->t;
}

static int
fake_sleep(void *arg, unsigned int s)
{
	struct fake *f = arg;
	struct timespec ts;
	long ms = (long)f->real_ms * (long)s;

	if (f->nsleeps < 64)
		f->sleeps[f->nsleeps++] = s;
	f->t += (time_t)s;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
	return 0;
}

static int
fake_progress(void *arg, enum pb_wait_event ev, int64_t remaining,
    unsigned int next, const struct pb_err *err)
{
	struct fake *f = arg;

	(void)next;
	ck_assert(remaining > 0);
	ck_assert((ev == PB_WAIT_RETRY) == (err != NULL));
	if (f->nevents < 64) {
		f->retry_codes[f->nevents] = err != NULL ? err->code : 0;
		if (err != NULL)
			(void)snprintf(f->retry_msg, sizeof(f->retry_msg),
			    "%s", err->msg);
		f->events[f->nevents++] = ev;
	}
	return f->cancel_at >= 0 && f->nevents > f->cancel_at;
}

static void
fake_init(struct fake *f, struct pb_wait *w, int real_ms)
{
	memset(f, 0, sizeof(*f));
	f->t = FAKE_T0;
	f->real_ms = real_ms;
	f->cancel_at = -1;
	w->now = fake_now;
	w->sleep = fake_sleep;
	w->progress = fake_progress;
	w->arg = f;
}

/* URLs and forms -------------------------------------------------------- */

START_TEST(test_oauth_url_check_ok)
{
	static const char *const ok[] = {
		"https://idp.example",
		"https://idp.example/realms/x",
		"https://idp.example:8443/a/b?c=d",
		"https://[2001:db8::1]/x",
		"http://127.0.0.1:8080/realms/test",
		"http://127.1.2.3/",
		"http://127.255.255.255:1/",
		"http://localhost:1234/x",
		"http://LOCALHOST/",
		"http://[::1]:8080/",
		"HTTP://127.0.0.1/",
	};
	struct pb_err e;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(pb_url_check(ok[i], "issuer", &e) == PB_OK,
		    "%s: %s", ok[i], pb_err_msg(&e));
}
END_TEST

START_TEST(test_oauth_url_check_http_remote)
{
	static const char *const bad[] = {
		"http://idp.example/",
		"http://10.0.0.1/",
		"http://128.0.0.1/",
		"http://126.255.255.255/",
		"http://127.0.0.1.nip.io/",
		"http://localhost.example/",
		"http://[::2]/",
		"http://[::ffff:10.0.0.1]/",
	};
	struct pb_err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pb_err_clear(&e);
		ck_assert_msg(pb_url_check(bad[i], "issuer", &e) ==
		    PB_ERR_CONFIG, "%s accepted", bad[i]);
		has(&e, "HTTPS required");
		has(&e, "issuer");
	}
	/* The check guards every request, before anything is sent. */
	{
		struct pb_http_resp resp;

		pb_err_clear(&e);
		ck_assert_int_eq(pb_http_get(&http, "http://idp.example/x",
		    "discovery", &resp, &e), PB_ERR_CONFIG);
		has(&e, "HTTPS required");
		ck_assert_ptr_null(resp.body.p);
	}
}
END_TEST

/* An https issuer's endpoints are https: not plain http to loopback. */
START_TEST(test_oauth_url_check_endpoint)
{
	static const char *const https_iss = "https://idp.example/realms/x";
	static const char *const http_iss = "http://127.0.0.1:8080/r";
	struct pb_err e;

	ck_assert_int_eq(pb_url_check_endpoint("https://idp.example/token",
	    "token_endpoint", https_iss, &e), PB_OK);
	ck_assert_int_eq(pb_url_check_endpoint("http://127.0.0.1:9/token",
	    "token_endpoint", https_iss, &e), PB_ERR_CONFIG);
	has(&e, "token_endpoint 'http://127.0.0.1:9/token' is plain http");
	ck_assert_int_eq(pb_url_check_endpoint("HTTP://localhost/jwks",
	    "jwks_uri", https_iss, &e), PB_ERR_CONFIG);
	has(&e, "jwks_uri");
	/* A loopback issuer over http may name http endpoints, or https. */
	ck_assert_int_eq(pb_url_check_endpoint("http://127.0.0.1:8080/t",
	    "token_endpoint", http_iss, &e), PB_OK);
	ck_assert_int_eq(pb_url_check_endpoint("https://idp.example/t",
	    "token_endpoint", http_iss, &e), PB_OK);
	ck_assert_int_eq(pb_url_check_endpoint("http://idp.example/t",
	    "token_endpoint", http_iss, &e), PB_ERR_CONFIG);
}
END_TEST

START_TEST(test_oauth_url_check_malformed)
{
	static const char *const bad[] = {
		"",
		"idp.example",
		"/realms/test",
		"https://",
		"ftp://idp.example/",
		"file:///etc/passwd",
		"gopher://127.0.0.1/",
		"https://user:pw@idp.example/",
		"https://user@idp.example/",
		"http://127.0.0.1@idp.example/",
		"https://idp.example/#frag",
		"https://idp .example/",
		"https://idp.example/\n",
		"https://idp.example/\x1b[31m",
		"https://idp.example/\xc3\xa9",
	};
	struct pb_err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pb_url_check(bad[i], "token_endpoint", &e) ==
		    PB_ERR_CONFIG, "'%s' accepted", bad[i]);
	ck_assert_int_eq(pb_url_check(NULL, "issuer", &e), PB_ERR_CONFIG);
	ck_assert_int_eq(pb_url_check(NULL, NULL, NULL), PB_ERR_CONFIG);
	/* The message escapes what it quotes. */
	ck_assert_int_eq(pb_url_check("https://x/\x1b[31m", "issuer", &e),
	    PB_ERR_CONFIG);
	ck_assert_ptr_null(strchr(e.msg, '\x1b'));
}
END_TEST

START_TEST(test_oauth_form_encode)
{
	struct pb_secret b = { NULL, 0 };
	static char raw[] = { 'a', '\0', 'b', ' ', '+' };
	struct pb_secret v = { raw, sizeof(raw) };

	ck_assert_int_eq(pb_form_add(&b, "grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code"), PB_OK);
	ck_assert_str_eq(b.p,
	    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code");
	pb_secret_clear(&b);

	/* RFC 3986 unreserved stays, everything else is %XX (upper case). */
	ck_assert_int_eq(pb_form_add(&b, "a b", "x&y=z/\xc3\xa9~-._+%"), PB_OK);
	ck_assert_int_eq(pb_form_add(&b, "empty", ""), PB_OK);
	ck_assert_int_eq(pb_form_add_secret(&b, "s", &v), PB_OK);
	ck_assert_str_eq(b.p, "a%20b=x%26y%3Dz%2F%C3%A9~-._%2B%25&empty=&"
	    "s=a%00b%20%2B");
	ck_assert_uint_eq(b.len, strlen(b.p));
	pb_secret_clear(&b);
	ck_assert_ptr_null(b.p);
}
END_TEST

START_TEST(test_oauth_form_limits)
{
	struct pb_secret b = { NULL, 0 };
	char *big;

	big = calloc(1, 40000);
	ck_assert_ptr_nonnull(big);
	memset(big, '%', 30000);	/* 90000 bytes encoded */
	ck_assert_int_eq(pb_form_add(&b, "k", "v"), PB_OK);
	ck_assert_int_eq(pb_form_add(&b, "big", big), PB_ERR_TOOBIG);
	/* Unchanged on failure. */
	ck_assert_str_eq(b.p, "k=v");
	ck_assert_int_eq(pb_form_add(&b, NULL, "v"), PB_ERR_INTERNAL);
	ck_assert_int_eq(pb_form_add(&b, "k", NULL), PB_ERR_INTERNAL);
	ck_assert_str_eq(b.p, "k=v");
	pb_secret_clear(&b);
	free(big);
}
END_TEST

/* Discovery ------------------------------------------------------------- */

static void
check_meta(const struct pb_oidc_meta *m, const char *iss)
{
	char *u;

	ck_assert_str_eq(m->issuer, iss);
	u = tu_asprintf("%s/device/auth", iss);
	ck_assert_str_eq(m->device_authorization_endpoint, u);
	free(u);
	u = tu_asprintf("%s/token", iss);
	ck_assert_str_eq(m->token_endpoint, u);
	free(u);
	u = tu_asprintf("%s/token/revocation", iss);
	ck_assert_str_eq(m->revocation_endpoint, u);
	free(u);
	u = tu_asprintf("%s/jwks", iss);
	ck_assert_str_eq(m->jwks_uri, u);
	free(u);
	/* oidc-provider sends iss in every authorization response. */
	ck_assert_int_eq(m->iss_param, 1);
}

START_TEST(test_oauth_discover_path)
{
	/* setup() discovered the /realms/test issuer. */
	ck_assert_ptr_nonnull(strstr(issuer, "/realms/test"));
	check_meta(&meta, issuer);
	ck_assert_int_eq(counter("discovery"), 1);
}
END_TEST

START_TEST(test_oauth_discover_plain)
{
	struct pb_oidc_meta m;
	struct pb_err e;

	ck_assert_int_eq(pb_oauth_discover(plain_issuer, &http, &m, &e),
	    PB_OK);
	check_meta(&m, plain_issuer);
	pb_oidc_meta_clear(&m);
	pb_oidc_meta_clear(&m);		/* idempotent */
	pb_oidc_meta_clear(NULL);
}
END_TEST

START_TEST(test_oauth_discover_issuer_mismatch)
{
	struct pb_oidc_meta m;
	struct pb_err e;
	char *iss;

	/*
	 * A trailing slash fetches the same document (OIDC Discovery
	 * section 4), whose issuer then differs by that slash.
	 */
	iss = tu_asprintf("%s/", issuer);
	ck_assert_int_eq(pb_oauth_discover(iss, &http, &m, &e), PB_ERR_ISS);
	has(&e, "trailing slash");
	ck_assert_ptr_null(m.issuer);
	ck_assert_ptr_null(m.token_endpoint);
	free(iss);
	ck_assert_int_eq(counter("discovery"), 2);

	/* localhost is the same server but not the same issuer. */
	iss = tu_asprintf("http://localhost%s", strchr(issuer + 7, ':'));
	ck_assert_int_eq(pb_oauth_discover(iss, &http, &m, &e), PB_ERR_ISS);
	has(&e, "must match exactly");
	free(iss);

	/* An issuer with a query is refused before any request. */
	iss = tu_asprintf("%s?x=1", issuer);
	ck_assert_int_eq(pb_oauth_discover(iss, &http, &m, &e),
	    PB_ERR_CONFIG);
	free(iss);
	ck_assert_int_eq(pb_oauth_discover("http://idp.example", &http, &m,
	    &e), PB_ERR_CONFIG);
	ck_assert_int_eq(counter("discovery"), 3);
}
END_TEST

START_TEST(test_oauth_discover_errors)
{
	struct pb_oidc_meta m;
	struct pb_err e;
	char *iss;

	/* Outside the issuer path: 404. */
	iss = tu_asprintf("%s/nope", issuer);
	ck_assert_int_eq(pb_oauth_discover(iss, &http, &m, &e), PB_ERR_HTTP);
	has(&e, "HTTP 404 from discovery");
	has(&e, "check the issuer URL");
	free(iss);

	fault("{\"endpoint\":\"discovery\",\"mode\":\"500\"}");
	ck_assert_int_eq(pb_oauth_discover(issuer, &http, &m, &e),
	    PB_ERR_HTTP);
	has(&e, "HTTP 500 from discovery");

	fault("{\"endpoint\":\"discovery\",\"mode\":\"garbage\"}");
	ck_assert_int_eq(pb_oauth_discover(issuer, &http, &m, &e),
	    PB_ERR_HTTP);
	has(&e, "discovery answered non-JSON");

	fault("{\"endpoint\":\"discovery\",\"mode\":\"reset\"}");
	ck_assert_int_eq(pb_oauth_discover(issuer, &http, &m, &e),
	    PB_ERR_NET);
	has(&e, "reset the connection");
	ck_assert_ptr_null(m.issuer);

	/* Faults used up: back to normal. */
	ck_assert_int_eq(pb_oauth_discover(issuer, &http, &m, &e), PB_OK);
	pb_oidc_meta_clear(&m);
}
END_TEST

/* Transport ------------------------------------------------------------- */

START_TEST(test_oauth_http_body_cap)
{
	struct pb_oidc_meta m;
	struct pb_http_resp resp;
	struct pb_http h = http;
	struct pb_err e;
	char *url;
	size_t len;

	url = tu_asprintf("%s/.well-known/openid-configuration", issuer);
	ck_assert_int_eq(pb_http_get(&http, url, "discovery", &resp, &e),
	    PB_OK);
	ck_assert_int_eq(resp.status, 200);
	len = resp.body.len;
	ck_assert_uint_gt(len, 1000);
	ck_assert_uint_eq(strlen(resp.body.p), len);	/* NUL-terminated */
	pb_http_resp_clear(&resp);
	ck_assert_ptr_null(resp.body.p);

	/* Exactly at the cap is fine; one byte less is not. */
	h.body_max = len;
	ck_assert_int_eq(pb_http_get(&h, url, "discovery", &resp, &e), PB_OK);
	ck_assert_uint_eq(resp.body.len, len);
	pb_http_resp_clear(&resp);
	h.body_max = len - 1;
	ck_assert_int_eq(pb_http_get(&h, url, "discovery", &resp, &e),
	    PB_ERR_TOOBIG);
	has(&e, "answered more than");
	ck_assert_ptr_null(resp.body.p);
	h.body_max = 100;
	ck_assert_int_eq(pb_http_get(&h, url, "discovery", &resp, &e),
	    PB_ERR_TOOBIG);
	free(url);

	/* Through discovery too. */
	ck_assert_int_eq(pb_oauth_discover(issuer, &h, &m, &e), PB_ERR_TOOBIG);
	ck_assert_ptr_null(m.issuer);
}
END_TEST

START_TEST(test_oauth_http_token_growth)
{
	struct pb_tokens t;

	/* An access token of about 4.7 KB: the body buffer grows twice. */
	config("{\"fat_groups\":true}");
	login(&pub, 1000, &t);
	ck_assert_uint_gt(t.access.len, 4000);
	ck_assert_uint_eq(strlen(t.access.p), t.access.len);
	pb_tokens_clear(&t);
}
END_TEST

START_TEST(test_oauth_net_refused)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct pb_http_resp resp;
	struct pb_err e;
	char *url, *want;
	int fd;

	/* A port that was free a moment ago. */
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	url = tu_asprintf("http://127.0.0.1:%u/token", ntohs(sa.sin_port));
	want = tu_asprintf("connect to 127.0.0.1:%u refused",
	    ntohs(sa.sin_port));
	ck_assert_int_eq(pb_http_get(&http, url, "token endpoint", &resp, &e),
	    PB_ERR_NET);
	ck_assert_str_eq(e.msg, want);
	free(url);
	free(want);
}
END_TEST

START_TEST(test_oauth_net_proxy)
{
	struct pb_http_resp resp;
	struct pb_err e;
	char *url;

	/* A dead proxy in the environment: loopback http never uses it... */
	ck_assert_int_eq(setenv("http_proxy", "http://127.0.0.1:9", 1), 0);
	ck_assert_int_eq(setenv("https_proxy", "http://127.0.0.1:9", 1), 0);
	url = tu_asprintf("%s/.well-known/openid-configuration", issuer);
	ck_assert_int_eq(pb_http_get(&http, url, "discovery", &resp, &e),
	    PB_OK);
	ck_assert_int_eq(resp.status, 200);
	pb_http_resp_clear(&resp);
	free(url);
	/* ...while https goes through it, as curl does by default. */
	ck_assert_int_eq(pb_http_get(&http, "https://pb-test.invalid/x",
	    "discovery", &resp, &e), PB_ERR_NET);
	has(&e, "connect to pb-test.invalid:443 refused (Failed to connect "
	    "to 127.0.0.1 port 9");
	unsetenv("http_proxy");
	unsetenv("https_proxy");
}
END_TEST

START_TEST(test_oauth_net_dns)
{
	struct pb_http_resp resp;
	struct pb_http h = http;
	struct pb_err e;

	h.connect_timeout = 3;
	h.timeout = 5;
	ck_assert_int_eq(pb_http_get(&h, "https://pb-test.invalid/x",
	    "discovery", &resp, &e), PB_ERR_NET);
	has(&e, "cannot resolve pb-test.invalid (DNS");
	has(&e, "check the issuer URL");
}
END_TEST

START_TEST(test_oauth_net_tls)
{
	struct pb_http_resp resp;
	struct pb_http h = http;
	struct pb_err e;
	char *url;

	/* TLS to the fixture's plain HTTP port: the handshake fails. */
	url = tu_asprintf("https%s/.well-known/openid-configuration",
	    issuer + 4);
	ck_assert_int_eq(pb_http_get(&http, url, "discovery", &resp, &e),
	    PB_ERR_NET);
	has(&e, "TLS handshake with 127.0.0.1:");

	/* An unreadable ca_file is a configuration error. */
	h.ca_file = "/nonexistent/ca.pem";
	ck_assert_int_eq(pb_http_get(&h, url, "discovery", &resp, &e),
	    PB_ERR_CONFIG);
	has(&e, "ca_file");
	free(url);
}
END_TEST

/* The device flow ------------------------------------------------------- */

START_TEST(test_oauth_device_flow_public)
{
	struct pb_secret form = { NULL, 0 };
	struct pb_http_resp resp;
	struct pb_device d;
	struct pb_tokens t;
	struct pb_err e;
	char *u;
	int r;

	r = pb_device_start(DEV_EP, &pub, SCOPE, "urn:pam-bearer:ssh", NULL,
	    &d, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	ck_assert_ptr_nonnull(d.device_code.p);
	ck_assert_uint_ge(d.device_code.len, 20);
	ck_assert_uint_eq(strlen(d.user_code), 9);	/* XXXX-XXXX */
	ck_assert_int_eq(d.user_code[4], '-');
	u = tu_asprintf("%s/device", issuer);
	ck_assert_str_eq(d.verification_uri, u);
	free(u);
	u = tu_asprintf("%s/device?user_code=%s", issuer, d.user_code);
	ck_assert_str_eq(d.verification_uri_complete, u);
	free(u);
	ck_assert_int_eq(d.expires_in, 600);
	ck_assert_int_eq(d.interval, 1);		/* run.sh's config */
	ck_assert_int_eq(d.interval_sent, 1);

	/*
	 * The fixture would catch a public client that forgets client_id
	 * in the body or sends a Basic header: both are refused.
	 */
	ck_assert_int_eq(pb_form_add(&form, "grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code"), PB_OK);
	ck_assert_int_eq(pb_form_add_secret(&form, "device_code",
	    &d.device_code), PB_OK);
	ck_assert_int_eq(pb_http_post_form(&http, TOKEN_EP,
	    "token endpoint", &form, NULL, NULL, &resp, &e), PB_OK);
	ck_assert_int_ge(resp.status, 400);
	pb_http_resp_clear(&resp);
	ck_assert_int_eq(pb_form_add(&form, "client_id", "bearer-cli"),
	    PB_OK);
	ck_assert_int_eq(pb_http_post_form(&http, TOKEN_EP,
	    "token endpoint", &form, "bearer-cli", NULL, &resp, &e), PB_OK);
	ck_assert_int_eq(resp.status, 400);
	ck_assert_ptr_nonnull(strstr(resp.body.p, "invalid_request"));
	pb_http_resp_clear(&resp);
	pb_secret_clear(&form);

	/* Our public client: client_id in the body, no header. */
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_PENDING);
	ck_assert_ptr_null(t.access.p);
	user_acts(&d, "approve");
	r = pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	/* A JWT access token (RFC 9068), a refresh token and an ID token. */
	ck_assert_ptr_nonnull(t.access.p);
	ck_assert_int_eq(strncmp(t.access.p, "eyJ", 3), 0);
	ck_assert_ptr_nonnull(strchr(strchr(t.access.p, '.') + 1, '.'));
	ck_assert_uint_gt(t.refresh.len, 20);
	ck_assert_uint_gt(t.id_token.len, 20);
	ck_assert_int_eq(t.expires_at, 1000 + 300);
	ck_assert_str_eq(t.scope, SCOPE);
	ck_assert_int_eq(device_polls(), 4);

	/*
	 * The code is spent: asking again is invalid_grant (and makes
	 * oidc-provider revoke the grant, so never do it).
	 */
	pb_tokens_clear(&t);
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_INVALID_GRANT);
	no_secret(&e, &d.device_code);
	pb_device_clear(&d);
	pb_device_clear(&d);
	pb_tokens_clear(&t);
	pb_tokens_clear(NULL);
	pb_device_clear(NULL);
}
END_TEST

START_TEST(test_oauth_device_flow_basic)
{
	struct pb_tokens t;

	login(&conf, 2000, &t);
	ck_assert_uint_gt(t.refresh.len, 20);
	ck_assert_int_eq(t.expires_at, 2000 + 300);
	pb_tokens_clear(&t);
}
END_TEST

START_TEST(test_oauth_device_flow_post)
{
	struct pb_tokens t;

	login(&conf_post, 2000, &t);
	ck_assert_uint_gt(t.refresh.len, 20);
	pb_tokens_clear(&t);
}
END_TEST

START_TEST(test_oauth_device_bad_client)
{
	static char wrong[] = "not-the-secret-at-all";
	struct pb_oauth_client c = conf;
	struct pb_device d;
	struct pb_err e;

	c.secret.p = wrong;
	c.secret.len = sizeof(wrong) - 1;
	ck_assert_int_eq(pb_device_start(DEV_EP, &c, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_HTTP);
	has(&e, "invalid_client");
	has(&e, "check client_id and client_secret");
	no_secret(&e, &c.secret);
	ck_assert_ptr_null(d.device_code.p);

	/* Method and secret must fit, checked before any request. */
	c = pub;
	c.secret = conf.secret;
	ck_assert_int_eq(pb_device_start(DEV_EP, &c, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_CONFIG);
	c = conf;
	c.secret.p = NULL;
	c.secret.len = 0;
	ck_assert_int_eq(pb_device_start(DEV_EP, &c, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_CONFIG);
	c = conf_post;
	c.client_id = NULL;
	ck_assert_int_eq(pb_device_start(DEV_EP, &c, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_CONFIG);
	ck_assert_int_eq(counter("device_authorization"), 1);

	/* An unknown client. */
	c = pub;
	c.client_id = "no-such-client";
	ck_assert_int_eq(pb_device_start(DEV_EP, &c, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_HTTP);
	has(&e, "invalid_client");
}
END_TEST

START_TEST(test_oauth_device_denied)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_err e;

	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	user_acts(&d, "deny");
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_ACCESS_DENIED);
	has(&e, "access_denied");
	ck_assert_ptr_null(t.access.p);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_device_expired)
{
	struct timespec ts = { 2, 200000000L };
	struct pb_device d;
	struct pb_tokens t;
	struct pb_err e;

	config("{\"device_ttl\":1}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	ck_assert_int_eq(d.expires_in, 1);
	while (nanosleep(&ts, &ts) != 0)
		;
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_EXPIRED_CODE);
	has(&e, "expired_token");
	no_secret(&e, &d.device_code);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_device_interval_default)
{
	struct pb_device d;
	struct pb_err e;

	/* oidc-provider's own behaviour: no interval, so 5 s (RFC 8628). */
	config("{\"interval\":null}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	ck_assert_int_eq(d.interval, 5);
	ck_assert_int_eq(d.interval_sent, 0);
	pb_device_clear(&d);

	config("{\"interval\":7}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	ck_assert_int_eq(d.interval, 7);
	ck_assert_int_eq(d.interval_sent, 1);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_device_slowdown_poll)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_err e;

	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	config("{\"slow_down\":1}");
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_SLOWDOWN);
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_PENDING);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_device_faults)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_err e;

	fault("{\"endpoint\":\"device\",\"mode\":\"503\"}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_HTTP);
	ck_assert_str_eq(e.msg, "HTTP 503 from device authorization endpoint "
	    "(server_error)");
	fault("{\"endpoint\":\"device\",\"mode\":\"garbage\"}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_HTTP);
	has(&e, "device authorization endpoint answered non-JSON");

	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	fault("{\"endpoint\":\"token\",\"mode\":\"500\"}");
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_HTTP);
	ck_assert_str_eq(e.msg, "HTTP 500 from token endpoint (server_error)");
	fault("{\"endpoint\":\"token\",\"mode\":\"reset\"}");
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_NET);
	has(&e, "token endpoint at 127.0.0.1:");
	has(&e, "reset the connection");
	no_secret(&e, &d.device_code);
	ck_assert_int_eq(pb_device_poll(TOKEN_EP, &pub, &d, 1000, &t, &e),
	    PB_ERR_PENDING);

	/* No device endpoint advertised. */
	pb_device_clear(&d);
	ck_assert_int_eq(pb_device_start(NULL, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_ERR_CONFIG);
	has(&e, "device_authorization_endpoint");
}
END_TEST

/* pb_device_wait -------------------------------------------------------- */

START_TEST(test_oauth_wait_approve)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;
	int r, i;

	fake_init(&f, &w, 100);
	config("{\"auto_approve\":\"approve\",\"auto_approve_delay_ms\":200}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	r = pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	ck_assert_uint_gt(t.refresh.len, 20);
	/* expires_at comes from the injected clock at the last poll. */
	ck_assert_int_eq(t.expires_at, f.t + 300);
	ck_assert_int_ge(f.nsleeps, 2);
	ck_assert_int_eq(f.events[0], PB_WAIT_START);
	for (i = 0; i < f.nsleeps; i++)
		ck_assert_uint_eq(f.sleeps[i], 1);
	for (i = 1; i < f.nevents; i++)
		ck_assert_int_eq(f.events[i], PB_WAIT_PENDING);
	ck_assert_int_eq(device_polls(), f.nsleeps);
	pb_tokens_clear(&t);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_wait_denied)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;

	fake_init(&f, &w, 100);
	config("{\"auto_approve\":\"deny\",\"auto_approve_delay_ms\":0}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	ck_assert_int_eq(pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e),
	    PB_ERR_ACCESS_DENIED);
	has(&e, "access_denied");
	ck_assert_ptr_null(t.access.p);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_wait_deadline)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;

	/* Our own clock ends the wait; no real seconds pass. */
	fake_init(&f, &w, 0);
	config("{\"device_ttl\":3}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	ck_assert_int_eq(pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e),
	    PB_ERR_EXPIRED_CODE);
	has(&e, "expired after 3 s");
	ck_assert_int_eq(f.t, FAKE_T0 + 3);
	ck_assert_int_eq(f.nsleeps, 3);
	ck_assert_int_eq(device_polls(), 3);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_wait_backoff)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;
	int r;

	/* Two 500s, then the answer: sleeps of 1, 2 and 4 s. */
	fake_init(&f, &w, 100);
	config("{\"auto_approve\":\"approve\",\"auto_approve_delay_ms\":0}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	fault("{\"endpoint\":\"token\",\"mode\":\"500\",\"count\":2,"
	    "\"grant_type\":\"device_code\"}");
	r = pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	ck_assert_int_eq(f.nsleeps, 3);
	ck_assert_uint_eq(f.sleeps[0], 1);
	ck_assert_uint_eq(f.sleeps[1], 2);
	ck_assert_uint_eq(f.sleeps[2], 4);
	ck_assert_int_eq(f.events[0], PB_WAIT_START);
	ck_assert_int_eq(f.events[1], PB_WAIT_RETRY);
	ck_assert_int_eq(f.events[2], PB_WAIT_RETRY);
	ck_assert_int_eq(f.retry_codes[1], PB_ERR_HTTP);
	ck_assert_str_eq(f.retry_msg,
	    "HTTP 500 from token endpoint (server_error)");
	pb_tokens_clear(&t);
	pb_device_clear(&d);

	/* A reset connection backs off the same way. */
	fake_init(&f, &w, 100);
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	fault("{\"endpoint\":\"token\",\"mode\":\"reset\",\"count\":1}");
	r = pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	ck_assert_uint_eq(f.sleeps[0], 1);
	ck_assert_uint_eq(f.sleeps[1], 2);
	ck_assert_int_eq(f.retry_codes[1], PB_ERR_NET);
	pb_tokens_clear(&t);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_wait_unreachable)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;
	int i;

	/*
	 * The IdP stops answering after the code was issued and never comes
	 * back: polls back off (at most 60 s apart) until the code expires,
	 * and the end says the IdP was unreachable, not that the user did
	 * not approve (PB_ERR_NET, which login turns into exit 5).
	 */
	fake_init(&f, &w, 0);
	config("{\"device_ttl\":300}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	fault("{\"endpoint\":\"token\",\"mode\":\"reset\",\"count\":-1}");
	ck_assert_int_eq(pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e),
	    PB_ERR_NET);
	has(&e, "IdP unreachable");
	has(&e, "until the device code expired (300 s)");
	for (i = 1; i < f.nsleeps; i++)
		ck_assert_uint_le(f.sleeps[i], 60);
	ck_assert_uint_eq(f.sleeps[2], 4);	/* backing off */
	ck_assert_int_eq(f.events[f.nevents - 1], PB_WAIT_RETRY);
	pb_device_clear(&d);

	/* A transient failure, then no approval: "not approved in time". */
	fake_init(&f, &w, 0);
	config("{\"device_ttl\":30}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	fault("{\"endpoint\":\"token\",\"mode\":\"reset\",\"count\":1}");
	ck_assert_int_eq(pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e),
	    PB_ERR_EXPIRED_CODE);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_wait_no_retry_after_200)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;

	/*
	 * A 200 we cannot read may have spent the code: the wait ends
	 * there, with one poll, instead of asking again.
	 */
	fake_init(&f, &w, 0);
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	fault("{\"endpoint\":\"token\",\"mode\":\"garbage\",\"count\":-1}");
	ck_assert_int_eq(pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e),
	    PB_ERR_HTTP);
	has(&e, "token endpoint answered non-JSON");
	ck_assert_int_eq(device_polls(), 1);
	pb_device_clear(&d);
}
END_TEST

START_TEST(test_oauth_wait_cancel)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;

	fake_init(&f, &w, 0);
	f.cancel_at = 2;
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	ck_assert_int_eq(pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e),
	    PB_ERR_CANCELED);
	ck_assert_int_eq(device_polls(), 2);
	pb_device_clear(&d);
}
END_TEST

/* Real time: slow_down adds 5 s to the interval (RFC 8628 section 3.5). */
START_TEST(test_oauth_wait_slowdown)
{
	struct pb_device d;
	struct pb_tokens t;
	struct pb_wait w;
	struct pb_err e;
	struct fake f;
	cJSON *polls;
	double t0, t1;
	int r;

	fake_init(&f, &w, 0);
	w.now = NULL;			/* the real clock and sleep */
	w.sleep = NULL;
	config("{\"slow_down\":1,\"auto_approve\":\"approve\","
	    "\"auto_approve_delay_ms\":0}");
	ck_assert_int_eq(pb_device_start(DEV_EP, &pub, SCOPE, NULL, NULL, &d,
	    &e), PB_OK);
	ck_assert_int_eq(d.interval, 1);
	r = pb_device_wait(TOKEN_EP, &pub, &d, &w, &t, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	ck_assert_int_eq(f.nevents, 2);
	ck_assert_int_eq(f.events[1], PB_WAIT_SLOWDOWN);

	/* The fixture's own clock: two polls, at least 1 + 5 s apart. */
	polls = ctl("GET", "/polls", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(polls), 2);
	t0 = cJSON_GetArrayItem(polls, 0)->valuedouble;
	t1 = cJSON_GetArrayItem(polls, 1)->valuedouble;
	/* Milliseconds, each rounded down: allow 1 ms. */
	ck_assert_msg(t1 - t0 >= 6000 - 1, "polls %.0f ms apart", t1 - t0);
	cJSON_Delete(polls);
	pb_tokens_clear(&t);
	pb_device_clear(&d);
}
END_TEST

/* Refresh and revocation ------------------------------------------------ */

START_TEST(test_oauth_refresh_rotation)
{
	struct pb_tokens t1, t2, t3;
	struct pb_err e;
	int r;

	login(&pub, 1000, &t1);
	r = pb_token_refresh(TOKEN_EP, &pub, &t1.refresh, 5000, &t2, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	ck_assert_uint_gt(t2.access.len, 20);
	ck_assert_uint_gt(t2.refresh.len, 20);
	ck_assert_int_eq(t2.expires_at, 5000 + 300);
	ck_assert_ptr_nonnull(t2.scope);
	/* Rotation: a new refresh token. */
	ck_assert(t1.refresh.len != t2.refresh.len ||
	    memcmp(t1.refresh.p, t2.refresh.p, t1.refresh.len) != 0);
	ck_assert(t1.access.len != t2.access.len ||
	    memcmp(t1.access.p, t2.access.p, t1.access.len) != 0);

	/* The old one is dead: invalid_grant, which ends the session... */
	ck_assert_int_eq(pb_token_refresh(TOKEN_EP, &pub, &t1.refresh, 5000,
	    &t3, &e), PB_ERR_INVALID_GRANT);
	has(&e, "invalid_grant");
	no_secret(&e, &t1.refresh);
	ck_assert_ptr_null(t3.access.p);
	/* ...and oidc-provider revokes the whole family on reuse. */
	ck_assert_int_eq(pb_token_refresh(TOKEN_EP, &pub, &t2.refresh, 5000,
	    &t3, &e), PB_ERR_INVALID_GRANT);
	ck_assert_int_eq(counter("token_refresh_token"), 3);
	pb_tokens_clear(&t1);
	pb_tokens_clear(&t2);
}
END_TEST

START_TEST(test_oauth_refresh_faults)
{
	static const struct {
		const char	*fault;
		int		 code;
		const char	*msg;
	} cases[] = {
		{ "500", PB_ERR_HTTP, "HTTP 500 from token endpoint" },
		{ "502", PB_ERR_HTTP, "HTTP 502 from token endpoint" },
		{ "429", PB_ERR_HTTP, "HTTP 429 from token endpoint" },
		{ "garbage", PB_ERR_HTTP, "token endpoint answered non-JSON" },
		{ "reset", PB_ERR_NET, "reset the connection" },
		{ "hang", PB_ERR_NET, "timed out after 2 s" },
	};
	struct pb_tokens cur, t;
	struct pb_err e;
	char *f;
	size_t i;
	int r;

	http.timeout = 2;
	login(&conf, 1000, &cur);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = tu_asprintf("{\"endpoint\":\"token\",\"mode\":\"%s\","
		    "\"grant_type\":\"refresh_token\"}", cases[i].fault);
		fault(f);
		free(f);
		pb_err_clear(&e);
		r = pb_token_refresh(TOKEN_EP, &conf, &cur.refresh, 1000, &t,
		    &e);
		ck_assert_msg(r == cases[i].code, "%s: %d %s", cases[i].fault,
		    r, e.msg);
		has(&e, cases[i].msg);
		no_secret(&e, &cur.refresh);
		no_secret(&e, &conf.secret);
		ck_assert_ptr_null(t.access.p);
		ck_assert_ptr_null(t.refresh.p);

		/* Not invalid_grant: the refresh token still works. */
		r = pb_token_refresh(TOKEN_EP, &conf, &cur.refresh, 1000, &t,
		    &e);
		ck_assert_msg(r == PB_OK, "after %s: %s", cases[i].fault,
		    pb_err_msg(&e));
		pb_tokens_clear(&cur);
		cur = t;
	}
	pb_tokens_clear(&cur);
}
END_TEST

START_TEST(test_oauth_revoke)
{
	struct pb_tokens t, t2;
	struct pb_err e;
	int r;

	/* Confidential client (Basic) ... */
	login(&conf, 1000, &t);
	ck_assert_int_eq(introspect_active(&t.refresh), 1);
	r = pb_token_revoke(REVOKE_EP, &conf, &t.refresh, &e);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&e));
	ck_assert_int_eq(introspect_active(&t.refresh), 0);
	ck_assert_int_eq(pb_token_refresh(TOKEN_EP, &conf, &t.refresh, 1000,
	    &t2, &e), PB_ERR_INVALID_GRANT);
	pb_tokens_clear(&t);

	/* ... and public client (client_id in the body). */
	login(&pub, 1000, &t);
	ck_assert_int_eq(introspect_active(&t.refresh), 1);
	ck_assert_int_eq(pb_token_revoke(REVOKE_EP, &pub, &t.refresh, &e),
	    PB_OK);
	ck_assert_int_eq(introspect_active(&t.refresh), 0);
	ck_assert_int_eq(counter("revocation"), 2);

	/* Best effort, but failures are reported. */
	fault("{\"endpoint\":\"revocation\",\"mode\":\"503\"}");
	ck_assert_int_eq(pb_token_revoke(REVOKE_EP, &pub, &t.refresh, &e),
	    PB_ERR_HTTP);
	ck_assert_str_eq(e.msg, "HTTP 503 from revocation endpoint "
	    "(server_error)");
	ck_assert_int_eq(pb_token_revoke(NULL, &pub, &t.refresh, &e),
	    PB_ERR_CONFIG);
	pb_tokens_clear(&t);
}
END_TEST

static Suite *
oauth_suite(void)
{
	Suite *s = suite_create("oauth");
	TCase *tc;

	tc = tcase_create("url");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_oauth_url_check_ok);
	tcase_add_test(tc, test_oauth_url_check_http_remote);
	tcase_add_test(tc, test_oauth_url_check_malformed);
	tcase_add_test(tc, test_oauth_url_check_endpoint);
	tcase_add_test(tc, test_oauth_form_encode);
	tcase_add_test(tc, test_oauth_form_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("discovery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_oauth_discover_path);
	tcase_add_test(tc, test_oauth_discover_plain);
	tcase_add_test(tc, test_oauth_discover_issuer_mismatch);
	tcase_add_test(tc, test_oauth_discover_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("transport");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_oauth_http_body_cap);
	tcase_add_test(tc, test_oauth_http_token_growth);
	tcase_add_test(tc, test_oauth_net_refused);
	tcase_add_test(tc, test_oauth_net_proxy);
	tcase_add_test(tc, test_oauth_net_dns);
	tcase_add_test(tc, test_oauth_net_tls);
	suite_add_tcase(s, tc);

	tc = tcase_create("device");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_oauth_device_flow_public);
	tcase_add_test(tc, test_oauth_device_flow_basic);
	tcase_add_test(tc, test_oauth_device_flow_post);
	tcase_add_test(tc, test_oauth_device_bad_client);
	tcase_add_test(tc, test_oauth_device_denied);
	tcase_add_test(tc, test_oauth_device_expired);
	tcase_add_test(tc, test_oauth_device_interval_default);
	tcase_add_test(tc, test_oauth_device_slowdown_poll);
	tcase_add_test(tc, test_oauth_device_faults);
	suite_add_tcase(s, tc);

	tc = tcase_create("wait");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_oauth_wait_approve);
	tcase_add_test(tc, test_oauth_wait_denied);
	tcase_add_test(tc, test_oauth_wait_deadline);
	tcase_add_test(tc, test_oauth_wait_backoff);
	tcase_add_test(tc, test_oauth_wait_unreachable);
	tcase_add_test(tc, test_oauth_wait_no_retry_after_200);
	tcase_add_test(tc, test_oauth_wait_cancel);
	tcase_add_test(tc, test_oauth_wait_slowdown);
	suite_add_tcase(s, tc);

	tc = tcase_create("refresh");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_oauth_refresh_rotation);
	tcase_add_test(tc, test_oauth_refresh_faults);
	tcase_add_test(tc, test_oauth_revoke);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	struct pb_err e;
	int r;

	if (pb_http_global_init(&e) != PB_OK) {
		fprintf(stderr, "%s\n", pb_err_msg(&e));
		return 99;
	}
	r = tu_run(oauth_suite());
	pb_http_global_cleanup();
	return r;
}
