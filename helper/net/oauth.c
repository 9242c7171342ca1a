/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OAuth 2.0 and OpenID Connect for the helper: what every request to an
 * OAuth endpoint shares (client authentication, the judgement of an
 * answer, error messages that never quote a secret), and discovery.  The
 * device flow is in device.c, token answers, refresh and revocation in
 * token.c, all over http.c.  Secrets (device codes, tokens, client
 * secrets, form bodies, answers) stay in struct pb_secret and are wiped;
 * the cJSON trees of answers are wiped before they are freed, since cJSON
 * keeps its own copy of every string.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "parse.h"
#include "json.h"
#include "secmem.h"
#include "http.h"
#include "oauth.h"
#include "oauth_wire.h"

#define WELL_KNOWN		"/.well-known/openid-configuration"

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
int
pb_oauth_seconds(const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	unsigned long n;
	double d;

	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		if (!isfinite(d) || d < (double)min || d > (double)max)
			return PB_ERR_FORMAT;
		*out = (int64_t)floor(d);
		return PB_OK;
	}
	/* A string of at most 12 digits (some IdPs quote the number). */
	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    strlen(v->valuestring) > 12 ||
	    pb_parse_ulong(v->valuestring, 0, 999999999999UL, &n) != PB_OK ||
	    (int64_t)n < min || (int64_t)n > max)
		return PB_ERR_FORMAT;
	*out = (int64_t)n;
	return PB_OK;
}

/*
 * Whether the n bytes of sec occur in s (then s must not be shown), or a
 * JWT's start does: a client assertion (private_key_jwt) is made afresh
 * for each request, so only its shape can tell an echo of it.
 */
static int
holds(const char *s, const struct pb_secret *sec)
{
	return (sec != NULL && sec->p != NULL && sec->len > 0 &&
	    memmem(s, strlen(s), sec->p, sec->len) != NULL) ||
	    strstr(s, "eyJ") != NULL;
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
const char *
pb_oauth_error_code(const char *oerr, const struct pb_oauth_client *c,
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
 * RFC 7523 section 2.2: client_id, client_assertion_type and a fresh
 * client_assertion for the endpoint url (a new jti each time) in the body.
 */
static int
jwt_auth(const struct pb_oauth_client *c, const char *url,
    struct pb_secret *form, struct pb_err *e)
{
	struct pb_secret a = { NULL, 0 };
	int r;

	if (c->assertion == NULL)
		return pb_err_set(e, PB_ERR_CONFIG, "private_key_jwt needs a "
		    "client key");
	if ((r = c->assertion(c->assertion_arg, url, &a, e)) != PB_OK)
		return r;
	if ((r = pb_form_add(form, "client_id", c->client_id)) == PB_OK &&
	    (r = pb_form_add(form, "client_assertion_type",
	    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")) ==
	    PB_OK)
		r = pb_form_add_secret(form, "client_assertion", &a);
	pb_secret_clear(&a);
	if (r != PB_OK)
		return pb_err_set(e, r, "cannot build the request body");
	return PB_OK;
}

/*
 * RFC 6749 section 2.3: a public client names itself with client_id in the
 * body and sends no Authorization header (oidc-provider rejects even an
 * empty one); client_secret_basic goes in the header, form-urlencoded;
 * client_secret_post puts both in the body.
 */
static int
client_auth(const struct pb_oauth_client *c, const char *url,
    struct pb_secret *form, const char **buser,
    const struct pb_secret **bpass, struct pb_err *e)
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
	case PB_CLIENT_AUTH_JWT:
		r = jwt_auth(c, url, form, e);
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
int
pb_oauth_post(const struct pb_oauth_client *c, const char *url,
    const char *what, struct pb_secret *form, const struct pb_secret *dpop,
    struct pb_http_resp *resp, struct pb_err *e)
{
	struct pb_http dflt, h;
	const struct pb_secret *bpass;
	const char *buser;
	int r;

	if ((r = client_auth(c, url, form, &buser, &bpass, e)) != PB_OK)
		return r;
	/* The proof rides on a copy of the transport options. */
	h = *http_of(c, &dflt);
	h.dpop = dpop;
	return pb_http_post_form(&h, url, what, form, buser, bpass, resp, e);
}

/*
 * Judge an answer of an OAuth endpoint (RFC 6749 section 5.2).  PB_OK with
 * *oerr NULL: a 200 with a JSON object in *doc.  PB_OK with *oerr set: an
 * error object (400/401/403, or a 200 carrying "error", as GitHub sends for
 * the device flow), *doc holding it.  Else PB_ERR_HTTP with a message: 5xx,
 * 429, redirects and other statuses, and anything that is not a JSON
 * object.  The caller frees *doc with pb_json_delete_wipe().
 */
int
pb_oauth_judge(const struct pb_http_resp *resp, const char *what,
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
		    err != NULL ? pb_oauth_error_code(err, c, sent, eb,
		    sizeof(eb)) : "",
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
int
pb_oauth_refused(const cJSON *doc, const char *oerr, const char *what,
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
	    what, pb_oauth_error_code(oerr, c, sent, eb, sizeof(eb)),
	    describe(doc, c, sent, db, sizeof(db)), hint);
}

/* Discovery ------------------------------------------------------------- */

void
pb_oidc_meta_clear(struct pb_oidc_meta *m)
{
	if (m == NULL)
		return;
	free(m->issuer);
	free(m->authorization_endpoint);
	free(m->device_authorization_endpoint);
	free(m->token_endpoint);
	free(m->revocation_endpoint);
	free(m->jwks_uri);
	free(m->grant_types);
	memset(m, 0, sizeof(*m));
}

/*
 * An optional endpoint: absent is NULL, present must be a usable URL, and
 * https when issuer is.
 */
static int
endpoint(const cJSON *doc, const char *name, const char *issuer, char **out,
    struct pb_err *e)
{
	const cJSON *v;
	int r;

	*out = NULL;
	if ((v = pb_json_get(doc, name)) == NULL || cJSON_IsNull(v))
		return PB_OK;
	if (!cJSON_IsString(v))
		return pb_err_set(e, PB_ERR_HTTP, "discovery: %s is not a "
		    "string", name);
	if ((r = pb_url_check_endpoint(v->valuestring, name, issuer, e)) !=
	    PB_OK)
		return r;
	if (dupstr(out, v->valuestring) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	return PB_OK;
}

/*
 * The discovery document doc of issuer (isb: issuer, safe for messages)
 * into *m, which the caller clears on error.
 */
/* Whether v is an array holding the string want. */
static int
lists(const cJSON *v, const char *want)
{
	const cJSON *i;

	if (!cJSON_IsArray(v))
		return 0;
	cJSON_ArrayForEach(i, v)
		if (cJSON_IsString(i) && strcmp(i->valuestring, want) == 0)
			return 1;
	return 0;
}

/*
 * grant_types_supported as one space-separated string for messages: names
 * of printable ASCII without blanks, the rest left out, at most about 500
 * bytes.  *out stays NULL when v is not an array.
 */
static int
grant_list(const cJSON *v, char **out)
{
	char buf[512];
	const cJSON *i;
	size_t n = 0, k, j;

	if (!cJSON_IsArray(v))
		return PB_OK;
	buf[0] = '\0';
	cJSON_ArrayForEach(i, v) {
		if (!cJSON_IsString(i) || (k = strlen(i->valuestring)) == 0 ||
		    n + k + 2 > sizeof(buf))
			continue;
		for (j = 0; j < k; j++)
			if (i->valuestring[j] <= ' ' || i->valuestring[j] > '~')
				break;
		if (j < k)
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    n > 0 ? " " : "", i->valuestring);
	}
	return dupstr(out, buf);
}

/* The client assertion algs the IdP lists (PB_OIDC_ALG_*). */
static void
auth_algs(const cJSON *v, struct pb_oidc_meta *m)
{
	if (!cJSON_IsArray(v))
		return;
	m->auth_algs = PB_OIDC_ALG_LISTED |
	    (lists(v, "RS256") ? PB_OIDC_ALG_RS256 : 0) |
	    (lists(v, "ES256") ? PB_OIDC_ALG_ES256 : 0) |
	    (lists(v, "EdDSA") ? PB_OIDC_ALG_EDDSA : 0);
}

static int
meta_read(const cJSON *doc, const char *issuer, const char *isb,
    struct pb_oidc_meta *m, struct pb_err *e)
{
	char sb[PB_SAFE_BUFSZ];
	const char *iss;
	int r;

	/*
	 * Section 4.3: the document's issuer must be identical to the one
	 * we asked, or a document from elsewhere could pick our endpoints.
	 */
	if ((iss = pb_json_get_string(doc, "issuer")) == NULL)
		return pb_err_set(e, PB_ERR_HTTP, "discovery document has no "
		    "issuer");
	if (strcmp(iss, issuer) != 0)
		return pb_err_set(e, PB_ERR_ISS, "discovery document names "
		    "issuer '%s', not '%s' (it must match exactly, trailing "
		    "slash included)", pb_log_safe(iss, sb, sizeof(sb)), isb);
	if ((r = dupstr(&m->issuer, iss)) != PB_OK)
		return pb_err_set(e, r, "out of memory");
	if ((r = endpoint(doc, "authorization_endpoint", iss,
	    &m->authorization_endpoint, e)) != PB_OK ||
	    (r = endpoint(doc, "device_authorization_endpoint", iss,
	    &m->device_authorization_endpoint, e)) != PB_OK ||
	    (r = endpoint(doc, "token_endpoint", iss, &m->token_endpoint,
	    e)) != PB_OK ||
	    (r = endpoint(doc, "revocation_endpoint", iss,
	    &m->revocation_endpoint, e)) != PB_OK ||
	    (r = endpoint(doc, "jwks_uri", iss, &m->jwks_uri, e)) != PB_OK)
		return r;
	m->dpop_es256 = lists(pb_json_get(doc,
	    "dpop_signing_alg_values_supported"), "ES256");
	m->iss_param = cJSON_IsTrue(pb_json_get(doc,
	    "authorization_response_iss_parameter_supported"));
	if (grant_list(pb_json_get(doc, "grant_types_supported"),
	    &m->grant_types) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	auth_algs(pb_json_get(doc,
	    "token_endpoint_auth_signing_alg_values_supported"), m);
	return PB_OK;
}

int
pb_oauth_discover(const char *issuer, const struct pb_http *http,
    struct pb_oidc_meta *meta, struct pb_err *e)
{
	struct pb_oidc_meta m;
	struct pb_http_resp resp = { 0, { NULL, 0 }, "" };
	char sb[PB_SAFE_BUFSZ], isb[PB_SAFE_BUFSZ];
	char *url = NULL;
	cJSON *doc = NULL;
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
	if ((r = meta_read(doc, issuer, isb, &m, e)) != PB_OK)
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
