/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OAuth 2.0 and OpenID Connect for the helper: discovery, the device
 * authorization grant (RFC 8628), refresh (RFC 6749 section 6) and
 * revocation (RFC 7009), over http.c.  Secrets (device codes, tokens, client
 * secrets, form bodies, answers) stay in struct pb_secret and are wiped; the
 * cJSON trees of answers are wiped before they are freed, since cJSON keeps
 * its own copy of every string.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "token_cache.h"
#include "err.h"
#include "json.h"
#include "secmem.h"
#include "http.h"
#include "oauth.h"

#define GRANT_DEVICE_CODE	"urn:ietf:params:oauth:grant-type:device_code"
#define WELL_KNOWN		"/.well-known/openid-configuration"

/* RFC 8628 section 3.5: 5 s when the IdP sends no interval. */
#define DEFAULT_INTERVAL	5
#define SLOWDOWN_STEP		5
#define BACKOFF_MAX		60
#define INTERVAL_MAX		3600
#define DEVICE_TTL_MAX		86400
#define TOKEN_TTL_MAX		(10LL * 366 * 86400)
#define USER_CODE_MAX		128

/* Helpers --------------------------------------------------------------- */

static int
dupstr(char **out, const char *s)
{
	if ((*out = strdup(s)) == NULL)
		return PB_ERR_NOMEM;
	return PB_OK;
}

/*
 * A count of seconds: a JSON number (integral after flooring, finite), or a
 * string of decimal digits, which some IdPs send (Entra ID v1 does).  Read
 * via valuedouble: valueint saturates (DESIGN.md "Traps").
 */
static int
json_seconds(const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	const char *s;
	int64_t n = 0;
	double d;

	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		if (!isfinite(d) || d < (double)min || d > (double)max)
			return PB_ERR_FORMAT;
		*out = (int64_t)floor(d);
		return PB_OK;
	}
	if (!cJSON_IsString(v) || (s = v->valuestring) == NULL || *s == '\0' ||
	    strlen(s) > 12)
		return PB_ERR_FORMAT;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return PB_ERR_FORMAT;
		n = n * 10 + (*s - '0');
	}
	if (n < min || n > max)
		return PB_ERR_FORMAT;
	*out = n;
	return PB_OK;
}

/* Whether the n bytes of sec occur in s (then s must not be shown). */
static int
holds(const char *s, const struct pb_secret *sec)
{
	return sec != NULL && sec->p != NULL && sec->len > 0 &&
	    memmem(s, strlen(s), sec->p, sec->len) != NULL;
}

/*
 * " (error_description)" for messages, escaped and cut, or "" when there is
 * none or it quotes a secret we sent (an IdP that echoes the request).
 */
static const char *
describe(const cJSON *doc, const struct pb_oauth_client *c,
    const struct pb_secret *sent, char *buf, size_t bufsz)
{
	char sb[PB_SAFE_BUFSZ];
	const char *d;

	buf[0] = '\0';
	d = pb_json_get_string(doc, "error_description");
	if (d == NULL || *d == '\0' || holds(d, sent) ||
	    (c != NULL && holds(d, &c->secret)))
		return buf;
	(void)snprintf(buf, bufsz, " (%s)", pb_log_safe(d, sb, sizeof(sb)));
	return buf;
}

/*
 * The OAuth error code for messages, escaped and cut; like describe(),
 * never one that quotes a secret we sent (an IdP that echoes the request
 * into "error" would put it on the user's terminal).
 */
static const char *
error_code(const char *oerr, const struct pb_oauth_client *c,
    const struct pb_secret *sent, char *buf, size_t bufsz)
{
	if (holds(oerr, sent) || (c != NULL && holds(oerr, &c->secret)))
		return "an error code that quotes the request";
	return pb_log_safe(oerr, buf, bufsz);
}

static const struct pb_http *
http_of(const struct pb_oauth_client *c, struct pb_http *dflt)
{
	if (c->http != NULL)
		return c->http;
	pb_http_init(dflt);
	return dflt;
}

/*
 * RFC 6749 section 2.3: a public client names itself with client_id in the
 * body and sends no Authorization header (oidc-provider rejects even an
 * empty one); client_secret_basic goes in the header, form-urlencoded;
 * client_secret_post puts both in the body.
 */
static int
client_auth(const struct pb_oauth_client *c, struct pb_secret *form,
    const char **buser, const struct pb_secret **bpass, struct pb_err *e)
{
	int has_secret, r;

	*buser = NULL;
	*bpass = NULL;
	if (c->client_id == NULL || *c->client_id == '\0')
		return pb_err_set(e, PB_ERR_CONFIG, "no client_id");
	has_secret = c->secret.p != NULL && c->secret.len > 0;
	switch (c->auth) {
	case PB_CLIENT_AUTH_NONE:
		if (has_secret)
			return pb_err_set(e, PB_ERR_CONFIG, "a client_secret "
			    "is set but the client authenticates as public");
		r = pb_form_add(form, "client_id", c->client_id);
		break;
	case PB_CLIENT_AUTH_BASIC:
		if (!has_secret)
			return pb_err_set(e, PB_ERR_CONFIG, "client_secret_"
			    "basic needs a client_secret");
		*buser = c->client_id;
		*bpass = &c->secret;
		r = PB_OK;
		break;
	case PB_CLIENT_AUTH_POST:
		if (!has_secret)
			return pb_err_set(e, PB_ERR_CONFIG, "client_secret_"
			    "post needs a client_secret");
		if ((r = pb_form_add(form, "client_id", c->client_id)) ==
		    PB_OK)
			r = pb_form_add_secret(form, "client_secret",
			    &c->secret);
		break;
	default:
		return pb_err_set(e, PB_ERR_CONFIG, "unknown client "
		    "authentication method");
	}
	if (r != PB_OK)
		return pb_err_set(e, r, "cannot build the request body");
	return PB_OK;
}

/* Add client authentication to form and POST it to url. */
static int
post(const struct pb_oauth_client *c, const char *url, const char *what,
    struct pb_secret *form, struct pb_http_resp *resp, struct pb_err *e)
{
	struct pb_http dflt;
	const struct pb_secret *bpass;
	const char *buser;
	int r;

	if ((r = client_auth(c, form, &buser, &bpass, e)) != PB_OK)
		return r;
	return pb_http_post_form(http_of(c, &dflt), url, what, form, buser,
	    bpass, resp, e);
}

/*
 * Judge an answer of an OAuth endpoint (RFC 6749 section 5.2).  PB_OK with
 * *oerr NULL: a 200 with a JSON object in *doc.  PB_OK with *oerr set: an
 * error object (400/401/403, or a 200 carrying "error", as GitHub sends for
 * the device flow), *doc holding it.  Else PB_ERR_HTTP with a message: 5xx,
 * 429, redirects and other statuses, and anything that is not a JSON
 * object.  The caller frees *doc with pb_json_delete_wipe().
 */
static int
judge(const struct pb_http_resp *resp, const char *what,
    const struct pb_oauth_client *c, const struct pb_secret *sent,
    cJSON **docp, const char **oerr, struct pb_err *e)
{
	char eb[PB_SAFE_BUFSZ], db[PB_SAFE_BUFSZ + 4];
	cJSON *doc = NULL;
	const char *err = NULL;
	int ok_status, r = PB_ERR_HTTP;

	*docp = NULL;
	*oerr = NULL;
	ok_status = resp->status == 200 || resp->status == 400 ||
	    resp->status == 401 || resp->status == 403;
	if (pb_json_parse(resp->body.p, resp->body.len, resp->body.len, what,
	    &doc, NULL) != PB_OK || !cJSON_IsObject(doc)) {
		if (ok_status)
			pb_err_set(e, r, "%s answered non-JSON (HTTP %ld)",
			    what, resp->status);
		else
			pb_err_set(e, r, "HTTP %ld from %s%s", resp->status,
			    what, resp->status >= 300 && resp->status < 400 ?
			    " (redirects are not followed)" : "");
		goto out;
	}
	if (pb_json_get(doc, "error") != NULL &&
	    (err = pb_json_get_string(doc, "error")) == NULL) {
		pb_err_set(e, r, "%s answered an error that is not a string "
		    "(HTTP %ld)", what, resp->status);
		goto out;
	}
	if (!ok_status) {
		pb_err_set(e, r, "HTTP %ld from %s%s%s%s", resp->status, what,
		    err != NULL ? " (" : "",
		    err != NULL ? error_code(err, c, sent, eb, sizeof(eb)) : "",
		    err != NULL ? ")" : "");
		goto out;
	}
	if (err == NULL && resp->status != 200) {
		pb_err_set(e, r, "HTTP %ld from %s without an OAuth error%s",
		    resp->status, what, describe(doc, c, sent, db,
		    sizeof(db)));
		goto out;
	}
	*oerr = err;
	*docp = doc;
	doc = NULL;
	r = PB_OK;
 out:
	pb_json_delete_wipe(doc);
	return r;
}

/* The message for an OAuth error we have no special code for. */
static int
oauth_refused(const cJSON *doc, const char *oerr, const char *what,
    const struct pb_oauth_client *c, const struct pb_secret *sent,
    struct pb_err *e)
{
	char eb[PB_SAFE_BUFSZ], db[PB_SAFE_BUFSZ + 4];
	const char *hint = "";

	if (strcmp(oerr, "invalid_client") == 0 ||
	    strcmp(oerr, "unauthorized_client") == 0)
		hint = ": check client_id and client_secret";
	else if (strcmp(oerr, "invalid_scope") == 0)
		hint = ": check scope";
	else if (strcmp(oerr, "invalid_target") == 0)
		hint = ": check audience";
	return pb_err_set(e, PB_ERR_HTTP, "%s refused the request: %s%s%s",
	    what, error_code(oerr, c, sent, eb, sizeof(eb)),
	    describe(doc, c, sent, db, sizeof(db)), hint);
}

/* Discovery ------------------------------------------------------------- */

void
pb_oidc_meta_clear(struct pb_oidc_meta *m)
{
	if (m == NULL)
		return;
	free(m->issuer);
	free(m->device_authorization_endpoint);
	free(m->token_endpoint);
	free(m->revocation_endpoint);
	free(m->jwks_uri);
	memset(m, 0, sizeof(*m));
}

/* An optional endpoint: absent is NULL, present must be a usable URL. */
static int
endpoint(const cJSON *doc, const char *name, char **out, struct pb_err *e)
{
	const cJSON *v;
	int r;

	*out = NULL;
	if ((v = pb_json_get(doc, name)) == NULL || cJSON_IsNull(v))
		return PB_OK;
	if (!cJSON_IsString(v))
		return pb_err_set(e, PB_ERR_HTTP, "discovery: %s is not a "
		    "string", name);
	if ((r = pb_url_check(v->valuestring, name, e)) != PB_OK)
		return r;
	if (dupstr(out, v->valuestring) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	return PB_OK;
}

int
pb_oidc_discover(const char *issuer, const struct pb_http *http,
    struct pb_oidc_meta *meta, struct pb_err *e)
{
	struct pb_oidc_meta m;
	struct pb_http_resp resp = { 0, { NULL, 0 } };
	char sb[PB_SAFE_BUFSZ], isb[PB_SAFE_BUFSZ];
	char *url = NULL;
	cJSON *doc = NULL;
	const char *iss;
	size_t n;
	int r;

	memset(meta, 0, sizeof(*meta));
	memset(&m, 0, sizeof(m));
	if ((r = pb_url_check(issuer, "issuer", e)) != PB_OK)
		goto out;
	pb_log_safe(issuer, isb, sizeof(isb));
	/* OpenID Connect Discovery 1.0 section 2: no query, no fragment. */
	if (strchr(issuer, '?') != NULL) {
		r = pb_err_set(e, PB_ERR_CONFIG, "issuer '%s' has a query",
		    pb_log_safe(issuer, sb, sizeof(sb)));
		goto out;
	}
	/* Section 4: a terminating '/' is removed before the well-known. */
	n = strlen(issuer);
	if (n > 0 && issuer[n - 1] == '/')
		n--;
	if ((url = malloc(n + sizeof(WELL_KNOWN))) == NULL) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(url, issuer, n);
	memcpy(url + n, WELL_KNOWN, sizeof(WELL_KNOWN));
	if ((r = pb_http_get(http, url, "discovery", &resp, e)) != PB_OK)
		goto out;
	r = PB_ERR_HTTP;
	if (resp.status != 200) {
		pb_err_set(e, r, "HTTP %ld from discovery for issuer '%s': "
		    "check the issuer URL", resp.status, isb);
		goto out;
	}
	if (pb_json_parse(resp.body.p, resp.body.len, resp.body.len,
	    "discovery document", &doc, NULL) != PB_OK ||
	    !cJSON_IsObject(doc)) {
		pb_err_set(e, r, "discovery answered non-JSON for issuer "
		    "'%s'", isb);
		goto out;
	}
	/*
	 * Section 4.3: the document's issuer must be identical to the one
	 * we asked, or a document from elsewhere could pick our endpoints.
	 */
	if ((iss = pb_json_get_string(doc, "issuer")) == NULL) {
		pb_err_set(e, r, "discovery document has no issuer");
		goto out;
	}
	if (strcmp(iss, issuer) != 0) {
		r = pb_err_set(e, PB_ERR_ISS, "discovery document names "
		    "issuer '%s', not '%s' (it must match exactly, trailing "
		    "slash included)", pb_log_safe(iss, sb, sizeof(sb)), isb);
		goto out;
	}
	if ((r = dupstr(&m.issuer, iss)) != PB_OK) {
		pb_err_set(e, r, "out of memory");
		goto out;
	}
	if ((r = endpoint(doc, "device_authorization_endpoint",
	    &m.device_authorization_endpoint, e)) != PB_OK ||
	    (r = endpoint(doc, "token_endpoint", &m.token_endpoint, e)) !=
	    PB_OK ||
	    (r = endpoint(doc, "revocation_endpoint", &m.revocation_endpoint,
	    e)) != PB_OK ||
	    (r = endpoint(doc, "jwks_uri", &m.jwks_uri, e)) != PB_OK)
		goto out;
	*meta = m;
	memset(&m, 0, sizeof(m));
	r = PB_OK;
 out:
	pb_oidc_meta_clear(&m);
	pb_json_delete_wipe(doc);
	pb_http_resp_clear(&resp);
	free(url);
	return r;
}

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
	if (dupstr(&d->user_code, s) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	/* Google still says "verification_url" (the draft's name). */
	if ((s = pb_json_get_string(doc, "verification_uri")) == NULL &&
	    (s = pb_json_get_string(doc, "verification_url")) == NULL)
		return pb_err_set(e, PB_ERR_HTTP, "%s sent no "
		    "verification_uri", what);
	if ((r = pb_url_check(s, "verification_uri", e)) != PB_OK)
		return r;
	if (dupstr(&d->verification_uri, s) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	if ((v = pb_json_get(doc, "verification_uri_complete")) != NULL) {
		if (!cJSON_IsString(v))
			return pb_err_set(e, PB_ERR_HTTP, "%s: "
			    "verification_uri_complete is not a string", what);
		if ((r = pb_url_check(v->valuestring,
		    "verification_uri_complete", e)) != PB_OK)
			return r;
		if (dupstr(&d->verification_uri_complete, v->valuestring) !=
		    PB_OK)
			return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	}
	if (json_seconds(pb_json_get(doc, "expires_in"), 1, DEVICE_TTL_MAX,
	    &d->expires_in) != PB_OK)
		return pb_err_set(e, PB_ERR_HTTP, "%s: expires_in missing or "
		    "not 1 to %d seconds", what, DEVICE_TTL_MAX);
	/* RFC 8628 section 3.2: absent means 5 s. */
	d->interval = DEFAULT_INTERVAL;
	d->interval_sent = 0;
	if ((v = pb_json_get(doc, "interval")) != NULL) {
		if (json_seconds(v, 0, INTERVAL_MAX, &d->interval) != PB_OK)
			return pb_err_set(e, PB_ERR_HTTP, "%s: interval not 0 "
			    "to %d seconds", what, INTERVAL_MAX);
		d->interval_sent = 1;
	}
	return PB_OK;
}

int
pb_device_start(const struct pb_oidc_meta *meta,
    const struct pb_oauth_client *client, const char *scope,
    const char *resource, const char *audience, struct pb_device *dev,
    struct pb_err *e)
{
	const char *what = "device authorization endpoint";
	struct pb_secret form = { NULL, 0 };
	struct pb_http_resp resp = { 0, { NULL, 0 } };
	struct pb_device d;
	cJSON *doc = NULL;
	const char *oerr;
	int r;

	memset(dev, 0, sizeof(*dev));
	memset(&d, 0, sizeof(d));
	if (meta->device_authorization_endpoint == NULL) {
		r = pb_err_set(e, PB_ERR_CONFIG, "the IdP advertises no "
		    "device_authorization_endpoint (device flow not "
		    "supported)");
		goto out;
	}
	if ((scope != NULL && *scope != '\0' &&
	    (r = pb_form_add(&form, "scope", scope)) != PB_OK) ||
	    (resource != NULL && *resource != '\0' &&
	    (r = pb_form_add(&form, "resource", resource)) != PB_OK) ||
	    (audience != NULL && *audience != '\0' &&
	    (r = pb_form_add(&form, "audience", audience)) != PB_OK)) {
		pb_err_set(e, r, "cannot build the request body");
		goto out;
	}
	if ((r = post(client, meta->device_authorization_endpoint, what,
	    &form, &resp, e)) != PB_OK ||
	    (r = judge(&resp, what, client, NULL, &doc, &oerr, e)) != PB_OK)
		goto out;
	if (oerr != NULL) {
		if (strcmp(oerr, "access_denied") == 0)
			r = pb_err_set(e, PB_ERR_ACCESS_DENIED, "%s: access "
			    "denied", what);
		else
			r = oauth_refused(doc, oerr, what, client, NULL, e);
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

/* Tokens ---------------------------------------------------------------- */

void
pb_tokens_clear(struct pb_tokens *t)
{
	if (t == NULL)
		return;
	pb_secret_clear(&t->access);
	pb_secret_clear(&t->refresh);
	pb_secret_clear(&t->id_token);
	free(t->scope);
	memset(t, 0, sizeof(*t));
}

/* An optional secret string member; absent or "" leaves *s empty. */
static int
opt_secret(const cJSON *doc, const char *name, struct pb_secret *s,
    struct pb_err *e)
{
	const cJSON *v;

	if ((v = pb_json_get(doc, name)) == NULL || cJSON_IsNull(v))
		return PB_OK;
	if (!cJSON_IsString(v))
		return pb_err_set(e, PB_ERR_HTTP, "token endpoint: %s is not "
		    "a string", name);
	if (*v->valuestring == '\0')
		return PB_OK;
	if (pb_secret_dup(s, v->valuestring, strlen(v->valuestring)) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	return PB_OK;
}

/*
 * RFC 6749 section 5.1.  The refresh token is read first: when the rest of
 * the answer is refused, t->refresh still holds a good one (a refresh grant
 * must keep it, since the IdP may have rotated the old one away).
 */
static int
parse_tokens(const cJSON *doc, time_t now, struct pb_tokens *t,
    struct pb_err *e)
{
	char sb[PB_SAFE_BUFSZ];
	const cJSON *v;
	const char *s;
	int64_t ttl;
	int r;

	if ((r = opt_secret(doc, "refresh_token", &t->refresh, e)) != PB_OK)
		return r;
	if (t->refresh.len > 0 &&
	    !pb_token_cache_b64token(t->refresh.p, t->refresh.len)) {
		pb_secret_clear(&t->refresh);
		/*
		 * Not kept: it would be stored and sent back.  The IdP may
		 * have rotated the old one away meanwhile, so say that the
		 * session may be over rather than promise a retry.
		 */
		return pb_err_set(e, PB_ERR_HTTP, "token endpoint sent a "
		    "refresh_token that is not an RFC 6750 b64token: refused; "
		    "if the IdP rotated the old one away, the next try fails "
		    "and you must log in again");
	}
	if ((s = pb_json_get_string(doc, "access_token")) == NULL || *s == '\0')
		return pb_err_set(e, PB_ERR_HTTP, "token endpoint sent no "
		    "access_token");
	/* We present the token as a bearer token, nothing else (DPoP...). */
	if ((v = pb_json_get(doc, "token_type")) != NULL &&
	    (!cJSON_IsString(v) || strcasecmp(v->valuestring, "Bearer") != 0))
		return pb_err_set(e, PB_ERR_HTTP, "token endpoint sent "
		    "token_type '%s', not Bearer", cJSON_IsString(v) ?
		    pb_log_safe(v->valuestring, sb, sizeof(sb)) : "?");
	/*
	 * RFC 6750 section 2.1: a bearer token is a b64token.  Anything else
	 * (a newline, a space, a control byte) would be a line or a field
	 * of its own in git's credential protocol, the cache or a header.
	 */
	if (!pb_token_cache_b64token(s, strlen(s)))
		return pb_err_set(e, PB_ERR_HTTP, "token endpoint sent an "
		    "access_token that is not an RFC 6750 b64token (a byte "
		    "other than A-Z a-z 0-9 - . _ ~ + / or a trailing =): "
		    "refused");
	if (pb_secret_dup(&t->access, s, strlen(s)) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	if ((r = opt_secret(doc, "id_token", &t->id_token, e)) != PB_OK)
		return r;
	/*
	 * A bad expires_in or scope is read as absent, not as a failure:
	 * failing would throw away a refresh token the IdP has just rotated
	 * in, which ends the session.  An unknown expiry is not cached.
	 */
	t->expires_at = 0;
	if ((v = pb_json_get(doc, "expires_in")) != NULL &&
	    json_seconds(v, 0, TOKEN_TTL_MAX, &ttl) == PB_OK)
		t->expires_at = (int64_t)now + ttl;
	if ((v = pb_json_get(doc, "scope")) != NULL && cJSON_IsString(v) &&
	    dupstr(&t->scope, v->valuestring) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	return PB_OK;
}

/*
 * POST form to the token endpoint and read tokens.  oerr_map turns the
 * OAuth error codes this grant knows into our codes (or PB_OK for "not
 * mine").  *statusp gets the HTTP status (0 when none came).  *refusedp is
 * set when the IdP refused the request: an OAuth error oerr_map left to us
 * (PB_ERR_HTTP), or a 400 or 401 that names no OAuth error at all (RFC
 * 6749 section 5.2 says it must; Glewlwyd sends an empty 400).  With
 * keep_refresh, an answer refused for its other members still hands back
 * its good refresh token in tokens->refresh (the rest left empty).
 */
static int
token_request(const struct pb_oidc_meta *meta,
    const struct pb_oauth_client *client, struct pb_secret *form,
    const struct pb_secret *sent, time_t now,
    int (*oerr_map)(const char *, struct pb_err *), int keep_refresh,
    struct pb_tokens *tokens, long *statusp, int *refusedp, struct pb_err *e)
{
	const char *what = "token endpoint";
	struct pb_http_resp resp = { 0, { NULL, 0 } };
	struct pb_tokens t;
	cJSON *doc = NULL;
	const char *oerr;
	int r;

	memset(&t, 0, sizeof(t));
	*statusp = 0;
	*refusedp = 0;
	if (meta->token_endpoint == NULL) {
		r = pb_err_set(e, PB_ERR_CONFIG, "the IdP advertises no "
		    "token_endpoint");
		goto out;
	}
	r = post(client, meta->token_endpoint, what, form, &resp, e);
	*statusp = resp.status;
	if (r != PB_OK)
		goto out;
	if ((r = judge(&resp, what, client, sent, &doc, &oerr, e)) != PB_OK) {
		*refusedp = r == PB_ERR_HTTP &&
		    (resp.status == 400 || resp.status == 401);
		goto out;
	}
	if (oerr != NULL) {
		if ((r = oerr_map(oerr, e)) == PB_OK) {
			r = oauth_refused(doc, oerr, what, client, sent, e);
			*refusedp = 1;
		}
		goto out;
	}
	if ((r = parse_tokens(doc, now, &t, e)) != PB_OK) {
		if (keep_refresh) {
			tokens->refresh = t.refresh;	/* moved */
			t.refresh.p = NULL;
			t.refresh.len = 0;
		}
		goto out;
	}
	*tokens = t;
	memset(&t, 0, sizeof(t));
	r = PB_OK;
 out:
	pb_tokens_clear(&t);
	pb_json_delete_wipe(doc);
	pb_http_resp_clear(&resp);
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
device_poll(const struct pb_oidc_meta *meta,
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
	r = token_request(meta, client, &form, &dev->device_code, now,
	    device_errors, 0, tokens, statusp, &refused, e);
 out:
	pb_secret_clear(&form);
	return r;
}

int
pb_device_poll(const struct pb_oidc_meta *meta,
    const struct pb_oauth_client *client, const struct pb_device *dev,
    time_t now, struct pb_tokens *tokens, struct pb_err *e)
{
	long status;

	return device_poll(meta, client, dev, now, tokens, &status, e);
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

int
pb_device_wait(const struct pb_oidc_meta *meta,
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
		if (remaining <= 0)
			return pb_err_set(e, PB_ERR_EXPIRED_CODE, "the device "
			    "code expired after %lld s without approval: log "
			    "in again", (long long)dev->expires_in);
		/*
		 * RFC 8628 section 3.5: back off exponentially on network
		 * errors, never below the interval.
		 */
		wait = interval;
		if (fails > 0)
			wait = interval << (fails < 6 ? fails : 6);
		if (fails > 0 && wait > BACKOFF_MAX)
			wait = interval > BACKOFF_MAX ? interval : BACKOFF_MAX;
		if (wait > remaining)
			wait = remaining;
		if (w->progress != NULL && w->progress(w->arg, ev, remaining,
		    (unsigned int)wait, ev == PB_WAIT_RETRY ? &last : NULL) != 0)
			return pb_err_set(e, PB_ERR_CANCELED, "canceled");
		if (nap(w->arg, (unsigned int)wait) != 0)
			return pb_err_set(e, PB_ERR_CANCELED, "canceled");

		pb_err_clear(&last);
		r = device_poll(meta, client, dev, now(w->arg), tokens,
		    &status, &last);
		switch (r) {
		case PB_OK:
			return PB_OK;
		case PB_ERR_PENDING:
			ev = PB_WAIT_PENDING;
			fails = 0;
			break;
		case PB_ERR_SLOWDOWN:
			/* Section 3.5: +5 s for this and all later polls. */
			if (interval < INTERVAL_MAX)
				interval += SLOWDOWN_STEP;
			ev = PB_WAIT_SLOWDOWN;
			fails = 0;
			break;
		case PB_ERR_NET:
		case PB_ERR_HTTP:
			/*
			 * Retry only what never reached a verdict: no
			 * answer, or 5xx/429.  A 200 the client could not
			 * use may have consumed the code: asking again would
			 * get invalid_grant and revoke the grant.
			 */
			if (r == PB_ERR_NET || status >= 500 || status == 429) {
				ev = PB_WAIT_RETRY;
				if (fails < 32)
					fails++;
				break;
			}
			/* FALLTHROUGH */
		default:
			if (e != NULL)
				*e = last;
			return r;
		}
	}
}

/* Refresh and revocation ------------------------------------------------ */

/*
 * The OAuth errors of the refresh grant that are not a plain refusal of the
 * refresh token (those are PB_OK here, then PB_ERR_ACCESS_DENIED).
 */
static int
refresh_errors(const char *oerr, struct pb_err *e)
{
	char eb[PB_SAFE_BUFSZ];

	/* Only invalid_grant ends the session (DESIGN.md section 3). */
	if (strcmp(oerr, "invalid_grant") == 0)
		return pb_err_set(e, PB_ERR_INVALID_GRANT, "the IdP rejected "
		    "the refresh token (invalid_grant: expired, revoked or "
		    "already used): log in again");
	/* RFC 6749 section 4.1.2.1: the two errors that say "later". */
	if (strcmp(oerr, "temporarily_unavailable") == 0 ||
	    strcmp(oerr, "server_error") == 0)
		return pb_err_set(e, PB_ERR_HTTP, "the token endpoint cannot "
		    "refresh now (%s)", pb_log_safe(oerr, eb, sizeof(eb)));
	/* Section 5.2: the client, not the refresh token, is refused. */
	if (strcmp(oerr, "invalid_client") == 0 ||
	    strcmp(oerr, "unauthorized_client") == 0)
		return pb_err_set(e, PB_ERR_CONFIG, "the token endpoint does "
		    "not accept this client (%s): check client_id, "
		    "client_secret and client_auth in the profile",
		    pb_log_safe(oerr, eb, sizeof(eb)));
	return PB_OK;
}

int
pb_token_refresh(const struct pb_oidc_meta *meta,
    const struct pb_oauth_client *client, const struct pb_secret *refresh,
    time_t now, struct pb_tokens *tokens, struct pb_err *e)
{
	char msg[PB_ERR_MSG_MAX];
	struct pb_secret form = { NULL, 0 };
	long status;
	int r, refused;

	memset(tokens, 0, sizeof(*tokens));
	if (refresh == NULL || refresh->p == NULL || refresh->len == 0) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "no refresh token");
		goto out;
	}
	if ((r = pb_form_add(&form, "grant_type", "refresh_token")) != PB_OK ||
	    (r = pb_form_add_secret(&form, "refresh_token", refresh)) !=
	    PB_OK) {
		pb_err_set(e, r, "cannot build the request body");
		goto out;
	}
	r = token_request(meta, client, &form, refresh, now, refresh_errors,
	    1, tokens, &status, &refused, e);
	/*
	 * A refusal that retrying cannot fix: a 400 or 401 that names no
	 * OAuth error (Glewlwyd), or one that is not invalid_grant
	 * (LemonLDAP::NG says invalid_request).  Not invalid_grant, so the
	 * session is not deleted, but it no longer works.
	 */
	if (refused) {
		(void)snprintf(msg, sizeof(msg), "%s", e != NULL ?
		    pb_err_msg(e) : "refused");
		r = pb_err_set(e, PB_ERR_ACCESS_DENIED, "the IdP refused the "
		    "refresh token: %s", msg);
	}
 out:
	pb_secret_clear(&form);
	return r;
}

int
pb_token_revoke(const struct pb_oidc_meta *meta,
    const struct pb_oauth_client *client, const struct pb_secret *refresh,
    struct pb_err *e)
{
	const char *what = "revocation endpoint";
	struct pb_secret form = { NULL, 0 };
	struct pb_http_resp resp = { 0, { NULL, 0 } };
	char eb[PB_SAFE_BUFSZ];
	cJSON *doc = NULL;
	const char *oerr = NULL;
	int r;

	if (meta->revocation_endpoint == NULL) {
		r = pb_err_set(e, PB_ERR_CONFIG, "the IdP advertises no "
		    "revocation_endpoint");
		goto out;
	}
	if (refresh == NULL || refresh->p == NULL || refresh->len == 0) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "no refresh token");
		goto out;
	}
	if ((r = pb_form_add_secret(&form, "token", refresh)) != PB_OK ||
	    (r = pb_form_add(&form, "token_type_hint", "refresh_token")) !=
	    PB_OK) {
		pb_err_set(e, r, "cannot build the request body");
		goto out;
	}
	if ((r = post(client, meta->revocation_endpoint, what, &form, &resp,
	    e)) != PB_OK)
		goto out;
	/* RFC 7009 section 2.2: 200 whether or not the token was known. */
	if (resp.status == 200) {
		r = PB_OK;
		goto out;
	}
	if (pb_json_parse(resp.body.p, resp.body.len, resp.body.len, what,
	    &doc, NULL) == PB_OK)
		oerr = pb_json_get_string(doc, "error");
	r = pb_err_set(e, PB_ERR_HTTP, "HTTP %ld from %s%s%s%s", resp.status,
	    what, oerr != NULL ? " (" : "",
	    oerr != NULL ? error_code(oerr, client, refresh, eb, sizeof(eb)) :
	    "",
	    oerr != NULL ? ")" : "");
 out:
	pb_json_delete_wipe(doc);
	pb_http_resp_clear(&resp);
	pb_secret_clear(&form);
	return r;
}
