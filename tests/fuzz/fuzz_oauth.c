/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: every answer of the IdP that helper/net/oauth.c,
 * device.c and token.c parse, through their public calls: discovery
 * (pb_oauth_discover), device authorization (pb_device_start), the device
 * access token request (pb_device_poll, and pb_device_wait's loop over
 * several answers), refresh (pb_token_refresh) and revocation
 * (pb_token_revoke), OAuth error objects included.
 *
 * The transport is replaced at link time (-Wl,--wrap=pb_http_get,
 * --wrap=pb_http_post_form): their calls reach the __wrap_ functions
 * below, which hand out the answers the input holds.  Everything else,
 * http.c's URL checks and form encoding included, is the production code.
 *
 * Input: OP STATUS BODY [NUL STATUS BODY]...
 *   OP      'a' discovery, 'b' device authorization, 'c' device poll,
 *           'd' device wait, 'e' refresh, 'f' revocation (bits 0-6 of any
 *           byte, modulo 6 from 'a'); bit 7 set: a confidential client
 *           (client_secret_basic), else a public one
 *   STATUS  '0' 200, '1' 400, '2' 401, '3' 403, '4' 429, '5' 500,
 *           '6' 503, '7' 302, '8' 404, '9' 204 (modulo 10 from '0')
 *   BODY    the answer's body, up to the next NUL byte
 * A call past the last answer gets a network error.
 *
 * Besides the sanitizers: no output on failure, known error codes, and
 * none of the secrets the call sent (the client secret, the refresh token,
 * the device code) in an error message: not from our own state, and not
 * when an IdP reflects the request into "error" or "error_description"
 * (which messages quote).  A secret the answer holds elsewhere (as a URL,
 * say) is the IdP's own doing and may be quoted with that member.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "fuzzutil.h"
#include "http.h"
#include "oauth.h"
#include "secmem.h"

#define ISSUER		"https://idp.example/realms/r"
#define DEV_EP		"https://idp.example/device"
#define TOKEN_EP	"https://idp.example/token"
#define REVOKE_EP	"https://idp.example/revoke"
#define CLIENT_SECRET	"client-SECRET-3f9a"
#define REFRESH		"refresh-SECRET-77c1"
#define DEVICE_CODE	"device-SECRET-b2e4"
#define MAX_ANSWERS	64

int __wrap_pb_http_get(const struct pb_http *h, const char *url,
    const char *what, struct pb_http_resp *resp, struct pb_err *e);
int __wrap_pb_http_post_form(const struct pb_http *h, const char *url,
    const char *what, const struct pb_secret *form, const char *basic_user,
    const struct pb_secret *basic_pass, struct pb_http_resp *resp,
    struct pb_err *e);

static const long statuses[10] = {
	200, 400, 401, 403, 429, 500, 503, 302, 404, 204
};

/* The answers of one input, handed out in order. */
static struct {
	const uint8_t	*p[MAX_ANSWERS];
	size_t		 len[MAX_ANSWERS];
	long		 status[MAX_ANSWERS];
	size_t		 n, next;
	int64_t		 clock;
	const uint8_t	*all;
	size_t		 all_len;
} in;

static int
answer(const char *url, const char *what, struct pb_http_resp *resp,
    struct pb_err *e)
{
	size_t i;

	resp->status = 0;
	resp->body.p = NULL;
	resp->body.len = 0;
	if (url == NULL || what == NULL)
		fz_broken("request without url or what", 0);
	if (in.next >= in.n)
		return pb_err_set(e, PB_ERR_NET, "%s: no answer", what);
	i = in.next++;
	/* As http.c's sink: a fresh buffer, NUL-terminated. */
	resp->body.p = fz_strndup(in.p[i], in.len[i]);
	resp->body.len = in.len[i];
	resp->status = in.status[i];
	return PB_OK;
}

int
__wrap_pb_http_get(const struct pb_http *h, const char *url,
    const char *what, struct pb_http_resp *resp, struct pb_err *e)
{
	if (h == NULL)
		fz_broken("GET without transport options", 0);
	return answer(url, what, resp, e);
}

int
__wrap_pb_http_post_form(const struct pb_http *h, const char *url,
    const char *what, const struct pb_secret *form, const char *basic_user,
    const struct pb_secret *basic_pass, struct pb_http_resp *resp,
    struct pb_err *e)
{
	if (h == NULL || form == NULL || form->p == NULL ||
	    strlen(form->p) != form->len)
		fz_broken("POST without a form body", 0);
	if (basic_user != NULL && (basic_pass == NULL ||
	    basic_pass->len != strlen(CLIENT_SECRET)))
		fz_broken("Basic auth without the client secret", 0);
	return answer(url, what, resp, e);
}

/* Split the input into answers; returns the operation. */
static unsigned
split(const uint8_t *data, size_t size)
{
	const uint8_t *p, *end = data + size, *nul;
	unsigned op;

	memset(&in, 0, sizeof(in));
	in.clock = 1800000000;
	in.all = data;
	in.all_len = size;
	if (size == 0)
		return 0;
	op = data[0];
	for (p = data + 1; p < end && in.n < MAX_ANSWERS; p = nul + 1) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
			nul = end;
		in.status[in.n] = statuses[(uint8_t)(*p - '0') % 10];
		in.p[in.n] = p + 1 <= nul ? p + 1 : nul;
		in.len[in.n] = p + 1 <= nul ? (size_t)(nul - p - 1) : 0;
		in.n++;
	}
	return op;
}

/* The secrets the current call sends (an IdP may echo them). */
static const char *sent[3];

/* How often s occurs in len bytes at p. */
static size_t
occurs(const void *p, size_t len, const char *s)
{
	const char *cp = p, *end = cp + len, *hit;
	size_t n = 0, sl = strlen(s);

	while ((hit = memmem(cp, (size_t)(end - cp), s, sl)) != NULL) {
		n++;
		cp = hit + 1;
	}
	return n;
}

/* How often s occurs in the answers' "error" and "error_description". */
static size_t
in_error_members(const char *s)
{
	static const char *const names[] = { "error", "error_description" };
	const cJSON *v;
	cJSON *doc;
	size_t i, j, n = 0;

	for (i = 0; i < in.n; i++) {
		if ((doc = cJSON_ParseWithLength((const char *)in.p[i],
		    in.len[i])) == NULL)
			continue;
		for (j = 0; j < 2; j++) {
			v = cJSON_GetObjectItemCaseSensitive(doc, names[j]);
			if (cJSON_IsString(v))
				n += occurs(v->valuestring,
				    strlen(v->valuestring), s);
		}
		cJSON_Delete(doc);
	}
	return n;
}

/*
 * Whether msg holds s other than as an artifact of pb_log_safe()'s escapes
 * (it writes a byte it does not show as \xHH, and every backslash in its
 * output starts one: "\x9c" + "lient-..." is no echo of "client-...").
 */
static int
holds(const char *msg, const char *s)
{
	const char *p = msg, *q;

	while ((p = strstr(p, s)) != NULL) {
		for (q = p; q > msg && q > p - 3 && q[-1] != '\\'; q--)
			;
		if (!(q > msg && q[-1] == '\\'))
			return 1;
		p++;
	}
	return 0;
}

/*
 * The messages: known code, and none of the secrets we sent, unless the
 * answers hold that secret other than in an error member.
 */
static void
check(int r, const struct pb_err *e)
{
	size_t i, raw;

	fz_check_err(r, e);
	if (r == PB_OK)
		return;
	for (i = 0; i < sizeof(sent) / sizeof(sent[0]); i++) {
		if (sent[i] == NULL || !holds(e->msg, sent[i]))
			continue;
		raw = occurs(in.all, in.all_len, sent[i]);
		if (raw <= in_error_members(sent[i])) {
			fprintf(stderr, "fuzz: message: %s\n", e->msg);
			fz_broken("a secret is in an error message", r);
		}
	}
}

static int
is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len-- > 0)
		if (*b++ != 0)
			return 0;
	return 1;
}

/*
 * The contract of oauth.h: nothing is set on failure, but for a refresh
 * answer refused for its access token, which still hands back a good
 * rotated refresh token (and only that) for the caller to store.
 */
static void
check_tokens(int r, const struct pb_tokens *t, int refresh_grant)
{
	struct pb_tokens rest;

	if (r != PB_OK) {
		rest = *t;
		if (refresh_grant && t->refresh.p != NULL) {
			if (t->refresh.len == 0 ||
			    strlen(t->refresh.p) != t->refresh.len)
				fz_broken("refresh token kept on failure is "
				    "empty or holds a NUL", r);
			memset(&rest.refresh, 0, sizeof(rest.refresh));
		}
		if (!is_zero(&rest, sizeof(rest)))
			fz_broken("tokens set on failure", r);
		return;
	}
	if (t->access.p == NULL || t->access.len == 0 ||
	    strlen(t->access.p) != t->access.len)
		fz_broken("success without an access token", r);
	if (t->refresh.len > 0 && strlen(t->refresh.p) != t->refresh.len)
		fz_broken("refresh token length", r);
}

static time_t
fake_now(void *arg)
{
	(void)arg;
	return (time_t)in.clock;
}

static int
fake_sleep(void *arg, unsigned int seconds)
{
	(void)arg;
	in.clock += seconds;
	/* Out of answers: stop the wait rather than back off for long. */
	return in.next >= in.n;
}

static int
fake_progress(void *arg, enum pb_wait_event ev, int64_t remaining,
    unsigned int next_sleep, const struct pb_err *err)
{
	(void)arg;
	(void)remaining;
	(void)next_sleep;
	if (ev == PB_WAIT_RETRY && err == NULL)
		fz_broken("retry without its error", 0);
	if (err != NULL)
		check(PB_ERR_NET, err);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_oidc_meta got;
	struct pb_oauth_client client;
	struct pb_http http;
	struct pb_device dev;
	struct pb_tokens t;
	struct pb_secret rt = { (char *)(uintptr_t)REFRESH, sizeof(REFRESH) - 1 };
	struct pb_wait w = { fake_now, fake_sleep, fake_progress, NULL };
	struct pb_err e;
	unsigned op;
	int r;

	op = split(data, size);
	pb_err_clear(&e);
	pb_http_init(&http);
	memset(&client, 0, sizeof(client));
	client.client_id = "pam-bearer-fuzz";
	client.http = &http;
	memset(sent, 0, sizeof(sent));
	if (op & 0x80) {
		sent[0] = CLIENT_SECRET;
		client.auth = PB_CLIENT_AUTH_BASIC;
		client.secret.p = (char *)(uintptr_t)CLIENT_SECRET;
		client.secret.len = sizeof(CLIENT_SECRET) - 1;
	}
	memset(&dev, 0, sizeof(dev));
	dev.device_code.p = (char *)(uintptr_t)DEVICE_CODE;
	dev.device_code.len = sizeof(DEVICE_CODE) - 1;
	dev.user_code = (char *)(uintptr_t)"WDJB-MJHT";
	dev.verification_uri = (char *)(uintptr_t)"https://idp.example/dev";
	dev.expires_in = 600;
	dev.interval = 5;

	switch ((uint8_t)((op & 0x7f) - 'a') % 6) {
	case 0:
		r = pb_oauth_discover(ISSUER, &http, &got, &e);
		check(r, &e);
		if (r != PB_OK && !is_zero(&got, sizeof(got)))
			fz_broken("metadata set on failure", r);
		if (r == PB_OK && (got.issuer == NULL ||
		    strcmp(got.issuer, ISSUER) != 0))
			fz_broken("discovery accepted another issuer", r);
		pb_oidc_meta_clear(&got);
		break;
	case 1: {
		struct pb_device d;

		r = pb_device_start(DEV_EP, &client, "openid offline_access",
		    "https://api.example/", "api", &d, &e);
		check(r, &e);
		if (r != PB_OK && !is_zero(&d, sizeof(d)))
			fz_broken("device set on failure", r);
		if (r == PB_OK && (d.device_code.len == 0 ||
		    d.user_code == NULL || d.verification_uri == NULL ||
		    d.expires_in < 1 || d.expires_in > 86400 ||
		    d.interval < 0))
			fz_broken("device answer out of bounds", r);
		pb_device_clear(&d);
		break;
	}
	case 2:
		sent[1] = DEVICE_CODE;
		r = pb_device_poll(TOKEN_EP, &client, &dev, (time_t)in.clock,
		    &t, &e);
		check(r, &e);
		check_tokens(r, &t, 0);
		pb_tokens_clear(&t);
		break;
	case 3:
		sent[1] = DEVICE_CODE;
		r = pb_device_wait(TOKEN_EP, &client, &dev, &w, &t, &e);
		check(r, &e);
		check_tokens(r, &t, 0);
		pb_tokens_clear(&t);
		break;
	case 4:
		sent[1] = REFRESH;
		r = pb_token_refresh(TOKEN_EP, &client, &rt, (time_t)in.clock,
		    &t, &e);
		check(r, &e);
		check_tokens(r, &t, 1);
		pb_tokens_clear(&t);
		break;
	default:
		sent[1] = REFRESH;
		r = pb_token_revoke(REVOKE_EP, &client, &rt, &e);
		check(r, &e);
		break;
	}
	return 0;
}
