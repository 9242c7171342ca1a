/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The device authorization grant (RFC 8628): the device authorization
 * request, the device access token request and the wait for the user's
 * decision, over oauth.c's requests and token.c's token answers.  The
 * device code stays in struct pb_secret and is wiped.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "secmem.h"
#include "http.h"
#include "oauth.h"
#include "oauth_wire.h"

#define GRANT_DEVICE_CODE	"urn:ietf:params:oauth:grant-type:device_code"

/* RFC 8628 section 3.5: 5 s when the IdP sends no interval. */
#define DEFAULT_INTERVAL	5
#define SLOWDOWN_STEP		5
#define BACKOFF_MAX		60
#define INTERVAL_MAX		3600
#define DEVICE_TTL_MAX		86400
#define USER_CODE_MAX		128

/* Device authorization -------------------------------------------------- */

void
pb_device_clear(struct pb_device *dev)
{
	if (dev == NULL)
		return;
	pb_secret_clear(&dev->device_code);
	free(dev->user_code);
	free(dev->verification_uri);
	free(dev->verification_uri_complete);
	memset(dev, 0, sizeof(*dev));
}

/* The user code goes to a terminal: printable ASCII only, bounded. */
static int
user_code_ok(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    n >= USER_CODE_MAX)
			return 0;
	return n > 0;
}

static int
parse_device(const cJSON *doc, struct pb_device *d, struct pb_err *e)
{
	const char *what = "device authorization endpoint";
	const cJSON *v;
	const char *s;
	int r;

	if ((s = pb_json_get_string(doc, "device_code")) == NULL || *s == '\0')
		return pb_err_set(e, PB_ERR_HTTP, "%s sent no device_code",
		    what);
	if (pb_secret_dup(&d->device_code, s, strlen(s)) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	if ((s = pb_json_get_string(doc, "user_code")) == NULL ||
	    !user_code_ok(s))
		return pb_err_set(e, PB_ERR_HTTP, "%s sent no usable "
		    "user_code", what);
	if ((d->user_code = strdup(s)) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	/* Google still says "verification_url" (the draft's name). */
	if ((s = pb_json_get_string(doc, "verification_uri")) == NULL &&
	    (s = pb_json_get_string(doc, "verification_url")) == NULL)
		return pb_err_set(e, PB_ERR_HTTP, "%s sent no "
		    "verification_uri", what);
	if ((r = pb_url_check(s, "verification_uri", e)) != PB_OK)
		return r;
	if ((d->verification_uri = strdup(s)) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	if ((v = pb_json_get(doc, "verification_uri_complete")) != NULL) {
		if (!cJSON_IsString(v))
			return pb_err_set(e, PB_ERR_HTTP, "%s: "
			    "verification_uri_complete is not a string", what);
		if ((r = pb_url_check(v->valuestring,
		    "verification_uri_complete", e)) != PB_OK)
			return r;
		if ((d->verification_uri_complete =
		    strdup(v->valuestring)) == NULL)
			return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	}
	if (pb_oauth_seconds(pb_json_get(doc, "expires_in"), 1, DEVICE_TTL_MAX,
	    &d->expires_in) != PB_OK)
		return pb_err_set(e, PB_ERR_HTTP, "%s: expires_in missing or "
		    "not 1 to %d seconds", what, DEVICE_TTL_MAX);
	/* RFC 8628 section 3.2: absent means 5 s. */
	d->interval = DEFAULT_INTERVAL;
	d->interval_sent = 0;
	if ((v = pb_json_get(doc, "interval")) != NULL) {
		if (pb_oauth_seconds(v, 0, INTERVAL_MAX, &d->interval) != PB_OK)
			return pb_err_set(e, PB_ERR_HTTP, "%s: interval not 0 "
			    "to %d seconds", what, INTERVAL_MAX);
		d->interval_sent = 1;
	}
	return PB_OK;
}

int
pb_device_start(const char *endpoint, const struct pb_oauth_client *client,
    const char *scope, const char *resource, const char *audience,
    struct pb_device *dev, struct pb_err *e)
{
	const char *what = "device authorization endpoint";
	struct pb_secret form = { NULL, 0 };
	struct pb_http_resp resp = { 0, { NULL, 0 }, "" };
	struct pb_device d;
	cJSON *doc = NULL;
	const char *oerr;
	int r;

	memset(dev, 0, sizeof(*dev));
	memset(&d, 0, sizeof(d));
	if (endpoint == NULL) {
		r = pb_err_set(e, PB_ERR_CONFIG, "the IdP advertises no "
		    "device_authorization_endpoint (device flow not "
		    "supported)");
		goto out;
	}
	if ((r = pb_form_add_target(&form, scope, resource, audience)) !=
	    PB_OK) {
		pb_err_set(e, r, "cannot build the request body");
		goto out;
	}
	if ((r = pb_oauth_post(client, endpoint, what, &form, NULL, &resp,
	    e)) != PB_OK || (r = pb_oauth_judge(&resp, what, client, NULL,
	    &doc, &oerr, e)) != PB_OK)
		goto out;
	if (oerr != NULL) {
		if (strcmp(oerr, "access_denied") == 0)
			r = pb_err_set(e, PB_ERR_ACCESS_DENIED, "%s: access "
			    "denied", what);
		else
			r = pb_oauth_refused(doc, oerr, what, client, NULL, e);
		goto out;
	}
	if ((r = parse_device(doc, &d, e)) != PB_OK)
		goto out;
	*dev = d;
	memset(&d, 0, sizeof(d));
	r = PB_OK;
 out:
	pb_device_clear(&d);
	pb_json_delete_wipe(doc);
	pb_http_resp_clear(&resp);
	pb_secret_clear(&form);
	return r;
}

/* RFC 8628 section 3.5, and invalid_grant for a used or unknown code. */
static int
device_errors(const char *oerr, struct pb_err *e)
{
	if (strcmp(oerr, "authorization_pending") == 0)
		return pb_err_set(e, PB_ERR_PENDING, "authorization pending");
	if (strcmp(oerr, "slow_down") == 0)
		return pb_err_set(e, PB_ERR_SLOWDOWN, "the IdP asks to poll "
		    "more slowly (slow_down)");
	if (strcmp(oerr, "access_denied") == 0)
		return pb_err_set(e, PB_ERR_ACCESS_DENIED, "the request was "
		    "denied at the IdP (access_denied)");
	if (strcmp(oerr, "expired_token") == 0)
		return pb_err_set(e, PB_ERR_EXPIRED_CODE, "the device code "
		    "expired before it was approved (expired_token): log in "
		    "again");
	if (strcmp(oerr, "invalid_grant") == 0)
		return pb_err_set(e, PB_ERR_INVALID_GRANT, "the IdP no longer "
		    "accepts this device code (invalid_grant): log in again");
	return PB_OK;
}

static int
device_poll(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_device *dev,
    time_t now, struct pb_tokens *tokens, long *statusp, struct pb_err *e)
{
	struct pb_secret form = { NULL, 0 };
	int r, refused;

	memset(tokens, 0, sizeof(*tokens));
	*statusp = 0;
	if ((r = pb_form_add(&form, "grant_type", GRANT_DEVICE_CODE)) !=
	    PB_OK ||
	    (r = pb_form_add_secret(&form, "device_code", &dev->device_code)) !=
	    PB_OK) {
		pb_err_set(e, r, "cannot build the request body");
		goto out;
	}
	r = pb_token_request(token_endpoint, client, &form, &dev->device_code,
	    now, device_errors, 0, tokens, statusp, &refused, e);
 out:
	pb_secret_clear(&form);
	return r;
}

int
pb_device_poll(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_device *dev,
    time_t now, struct pb_tokens *tokens, struct pb_err *e)
{
	long status;

	return device_poll(token_endpoint, client, dev, now, tokens, &status,
	    e);
}

static time_t
default_now(void *arg)
{
	(void)arg;
	return time(NULL);
}

static int
default_sleep(void *arg, unsigned int seconds)
{
	struct timespec ts, rem;

	(void)arg;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &rem) != 0) {
		if (errno != EINTR)
			return 0;
		ts = rem;
	}
	return 0;
}

/*
 * The sleep before the next request (RFC 8628 section 3.5): the interval,
 * backed off exponentially after network errors (never below the
 * interval), never past the device code's expiry.
 */
static int64_t
next_sleep(int64_t interval, unsigned int fails, int64_t remaining)
{
	int64_t wait;

	wait = interval;
	if (fails > 0)
		wait = interval << (fails < 6 ? fails : 6);
	if (fails > 0 && wait > BACKOFF_MAX)
		wait = interval > BACKOFF_MAX ? interval : BACKOFF_MAX;
	if (wait > remaining)
		wait = remaining;
	return wait;
}

/*
 * What a request's result r (not PB_OK) means for the wait: 1 to ask
 * again (*ev, *interval and *fails updated), 0 to end the wait with r.
 */
static int
poll_again(int r, long status, int64_t *interval, unsigned int *fails,
    enum pb_wait_event *ev)
{
	switch (r) {
	case PB_ERR_PENDING:
		*ev = PB_WAIT_PENDING;
		*fails = 0;
		return 1;
	case PB_ERR_SLOWDOWN:
		/* Section 3.5: +5 s for this and all later polls. */
		if (*interval < INTERVAL_MAX)
			*interval += SLOWDOWN_STEP;
		*ev = PB_WAIT_SLOWDOWN;
		*fails = 0;
		return 1;
	case PB_ERR_NET:
	case PB_ERR_HTTP:
		/*
		 * Retry only what never reached a verdict: no answer, or
		 * 5xx/429.  A 200 the client could not use may have consumed
		 * the code: asking again would get invalid_grant and revoke
		 * the grant.
		 */
		if (r == PB_ERR_NET || status >= 500 || status == 429) {
			*ev = PB_WAIT_RETRY;
			if (*fails < 32)
				(*fails)++;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

int
pb_device_wait(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_device *dev,
    const struct pb_wait *w, struct pb_tokens *tokens, struct pb_err *e)
{
	static const struct pb_wait none = { NULL, NULL, NULL, NULL };
	time_t (*now)(void *);
	int (*nap)(void *, unsigned int);
	struct pb_err last;
	enum pb_wait_event ev = PB_WAIT_START;
	int64_t interval, deadline, remaining, wait;
	unsigned int fails = 0;
	long status;
	int r;

	memset(tokens, 0, sizeof(*tokens));
	pb_err_clear(&last);
	if (w == NULL)
		w = &none;
	now = w->now != NULL ? w->now : default_now;
	nap = w->sleep != NULL ? w->sleep : default_sleep;
	/* Never faster than once a second, whatever the IdP says. */
	interval = dev->interval < 1 ? 1 : dev->interval;
	deadline = (int64_t)now(w->arg) + dev->expires_in;
	for (;;) {
		remaining = deadline - (int64_t)now(w->arg);
		/*
		 * An IdP that stopped answering is not a user who did not
		 * approve: when the last poll got no verdict, say so (and
		 * the caller exits "IdP unreachable", not "not approved").
		 */
		if (remaining <= 0 && fails > 0)
			return pb_err_set(e, PB_ERR_NET, "IdP unreachable: no "
			    "answer from the token endpoint until the device "
			    "code expired (%lld s); last: %s",
			    (long long)dev->expires_in, pb_err_msg(&last));
		if (remaining <= 0)
			return pb_err_set(e, PB_ERR_EXPIRED_CODE, "the device "
			    "code expired after %lld s without approval: log "
			    "in again", (long long)dev->expires_in);
		wait = next_sleep(interval, fails, remaining);
		if (w->progress != NULL && w->progress(w->arg, ev, remaining,
		    (unsigned int)wait, ev == PB_WAIT_RETRY ? &last : NULL) !=
		    0)
			return pb_err_set(e, PB_ERR_CANCELED, "canceled");
		if (nap(w->arg, (unsigned int)wait) != 0)
			return pb_err_set(e, PB_ERR_CANCELED, "canceled");

		pb_err_clear(&last);
		r = device_poll(token_endpoint, client, dev, now(w->arg),
		    tokens, &status, &last);
		if (r == PB_OK)
			return PB_OK;
		if (!poll_again(r, status, &interval, &fails, &ev)) {
			if (e != NULL)
				*e = last;
			return r;
		}
	}
}
