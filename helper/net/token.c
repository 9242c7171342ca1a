/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Token responses (RFC 6749 section 5.1) and the requests that get them
 * or end them: the token endpoint request shared by the device grant,
 * the authorization code grant (RFC 6749 section 4.1.3, with PKCE) and
 * refresh (RFC 6749 section 6), and revocation (RFC 7009).  Tokens stay in
 * struct pb_secret and are wiped.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "token_cache.h"
#include "dpop.h"
#include "err.h"
#include "parse.h"
#include "json.h"
#include "secmem.h"
#include "http.h"
#include "oauth.h"
#include "oauth_wire.h"

#define TOKEN_TTL_MAX		(10LL * 366 * 86400)

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
parse_tokens(const cJSON *doc, time_t now, int dpop, struct pb_tokens *t,
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
	    !pb_parse_b64token(t->refresh.p, t->refresh.len)) {
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
	/*
	 * A bearer token, or after a DPoP proof one bound to our key (RFC
	 * 9449 section 5); nothing else.
	 */
	if ((v = pb_json_get(doc, "token_type")) != NULL && cJSON_IsString(v) &&
	    dpop && strcasecmp(v->valuestring, "DPoP") == 0)
		t->dpop = 1;
	else if (v != NULL && (!cJSON_IsString(v) ||
	    strcasecmp(v->valuestring, "Bearer") != 0))
		return pb_err_set(e, PB_ERR_HTTP, "token endpoint sent "
		    "token_type '%s', not %s", cJSON_IsString(v) ?
		    pb_log_safe(v->valuestring, sb, sizeof(sb)) : "?",
		    dpop ? "Bearer or DPoP" : "Bearer");
	/*
	 * RFC 6750 section 2.1: a bearer token is a b64token.  Anything else
	 * (a newline, a space, a control byte) would be a line or a field
	 * of its own in git's credential protocol, the cache or a header.
	 */
	if (!pb_parse_b64token(s, strlen(s)))
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
	    pb_oauth_seconds(v, 0, TOKEN_TTL_MAX, &ttl) == PB_OK)
		t->expires_at = (int64_t)now + ttl;
	if ((v = pb_json_get(doc, "scope")) != NULL && cJSON_IsString(v) &&
	    (t->scope = strdup(v->valuestring)) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	return PB_OK;
}

/* A DPoP proof for a POST to endpoint at now, with the last nonce. */
static int
token_proof(const struct pb_oauth_client *c, const char *endpoint,
    time_t now, struct pb_secret *out, struct pb_err *e)
{
	const struct pb_dpop_state *d = c->dpop;
	char *htu;
	int r;

	/* RFC 9449 4.2: htu is the URI without query and fragment. */
	if ((htu = strndup(endpoint, strcspn(endpoint, "?#"))) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	r = pb_dpop_proof(d->key, "POST", htu, (int64_t)now,
	    d->nonce[0] != '\0' ? d->nonce : NULL, NULL, out, e);
	free(htu);
	return r;
}

/*
 * POST a copy of form (client authentication is added to each copy), with
 * a DPoP proof when the client has a key, and judge the answer (as
 * pb_oauth_judge()).  A nonce the answer gives is kept for the next
 * request; after use_dpop_nonce with one (RFC 9449 section 8) the request
 * goes once more.
 */
static int
token_post(const char *endpoint, const struct pb_oauth_client *client,
    const struct pb_secret *form, const struct pb_secret *sent, time_t now,
    struct pb_http_resp *resp, cJSON **doc, const char **oerr,
    struct pb_err *e)
{
	struct pb_dpop_state *d = client->dpop;
	struct pb_secret body, proof;
	int r, tries;

	for (tries = 0;; tries++) {
		body.p = proof.p = NULL;
		body.len = proof.len = 0;
		if (pb_secret_dup(&body, form->p, form->len) != PB_OK)
			return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		r = d != NULL ? token_proof(client, endpoint, now, &proof, e) :
		    PB_OK;
		if (r == PB_OK)
			r = pb_oauth_post(client, endpoint, "token endpoint",
			    &body, d != NULL ? &proof : NULL, resp, e);
		pb_secret_clear(&body);
		pb_secret_clear(&proof);
		if (r != PB_OK)
			return r;
		if (d != NULL && resp->dpop_nonce[0] != '\0')
			memcpy(d->nonce, resp->dpop_nonce, sizeof(d->nonce));
		if ((r = pb_oauth_judge(resp, "token endpoint", client, sent,
		    doc, oerr, e)) != PB_OK || tries > 0 || d == NULL ||
		    *oerr == NULL || strcmp(*oerr, "use_dpop_nonce") != 0 ||
		    resp->dpop_nonce[0] == '\0')
			return r;
		pb_json_delete_wipe(*doc);
		*doc = NULL;
		pb_http_resp_clear(resp);
	}
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
int
pb_token_request(const char *token_endpoint,
    const struct pb_oauth_client *client, struct pb_secret *form,
    const struct pb_secret *sent, time_t now,
    int (*oerr_map)(const char *, struct pb_err *), int keep_refresh,
    struct pb_tokens *tokens, long *statusp, int *refusedp, struct pb_err *e)
{
	const char *what = "token endpoint";
	struct pb_http_resp resp = { 0, { NULL, 0 }, "" };
	struct pb_tokens t;
	cJSON *doc = NULL;
	const char *oerr = NULL;
	int r;

	memset(&t, 0, sizeof(t));
	*statusp = 0;
	*refusedp = 0;
	if (token_endpoint == NULL) {
		r = pb_err_set(e, PB_ERR_CONFIG, "the IdP advertises no "
		    "token_endpoint");
		goto out;
	}
	r = token_post(token_endpoint, client, form, sent, now, &resp, &doc,
	    &oerr, e);
	*statusp = resp.status;
	if (r != PB_OK) {
		*refusedp = r == PB_ERR_HTTP &&
		    (resp.status == 400 || resp.status == 401);
		goto out;
	}
	if (oerr != NULL) {
		if ((r = oerr_map(oerr, e)) == PB_OK) {
			r = pb_oauth_refused(doc, oerr, what, client, sent, e);
			*refusedp = 1;
		}
		goto out;
	}
	if ((r = parse_tokens(doc, now, client->dpop != NULL, &t, e)) !=
	    PB_OK) {
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

/* Client credentials ---------------------------------------------------- */

/* The OAuth errors of the client credentials grant (RFC 6749 4.4.3). */
static int
cc_errors(const char *oerr, struct pb_err *e)
{
	char eb[PB_SAFE_BUFSZ];

	if (strcmp(oerr, "temporarily_unavailable") == 0 ||
	    strcmp(oerr, "server_error") == 0)
		return pb_err_set(e, PB_ERR_HTTP, "the token endpoint cannot "
		    "issue tokens now (%s)", pb_log_safe(oerr, eb,
		    sizeof(eb)));
	if (strcmp(oerr, "invalid_client") == 0 ||
	    strcmp(oerr, "unauthorized_client") == 0)
		return pb_err_set(e, PB_ERR_ACCESS_DENIED, "the token "
		    "endpoint does not accept this client (%s)",
		    pb_log_safe(oerr, eb, sizeof(eb)));
	return PB_OK;
}

int
pb_token_client_creds(const char *token_endpoint,
    const struct pb_oauth_client *client, const char *scope,
    const char *resource, const char *audience, time_t now,
    struct pb_tokens *tokens, struct pb_err *e)
{
	struct pb_secret form = { NULL, 0 };
	long status;
	int r, refused;

	memset(tokens, 0, sizeof(*tokens));
	if ((r = pb_form_add(&form, "grant_type", "client_credentials")) !=
	    PB_OK || (r = pb_form_add_target(&form, scope, resource,
	    audience)) != PB_OK) {
		pb_err_set(e, r, "cannot build the request body");
		goto out;
	}
	r = pb_token_request(token_endpoint, client, &form, NULL, now,
	    cc_errors, 0, tokens, &status, &refused, e);
	/* No refresh token is kept for a machine: one sent is dropped. */
	if (r == PB_OK)
		pb_secret_clear(&tokens->refresh);
	else if (refused && r == PB_ERR_HTTP)
		r = PB_ERR_CONFIG;	/* invalid_scope, a bare 400/401 */
 out:
	pb_secret_clear(&form);
	return r;
}

/* Authorization code -------------------------------------------------- */

/* The OAuth errors of the authorization code grant (RFC 6749 5.2). */
static int
code_errors(const char *oerr, struct pb_err *e)
{
	char eb[PB_SAFE_BUFSZ];

	if (strcmp(oerr, "invalid_grant") == 0)
		return pb_err_set(e, PB_ERR_INVALID_GRANT, "the IdP refused "
		    "the authorization code (invalid_grant: expired, used, "
		    "or the PKCE verifier or redirect_uri does not match): "
		    "log in again");
	if (strcmp(oerr, "temporarily_unavailable") == 0 ||
	    strcmp(oerr, "server_error") == 0)
		return pb_err_set(e, PB_ERR_HTTP, "the token endpoint cannot "
		    "issue tokens now (%s)", pb_log_safe(oerr, eb,
		    sizeof(eb)));
	if (strcmp(oerr, "invalid_client") == 0 ||
	    strcmp(oerr, "unauthorized_client") == 0)
		return pb_err_set(e, PB_ERR_CONFIG, "the token endpoint does "
		    "not accept this client for the authorization code grant "
		    "(%s): check client_id and client_auth in the profile, "
		    "and that the IdP allows authorization_code for it",
		    pb_log_safe(oerr, eb, sizeof(eb)));
	return PB_OK;
}

int
pb_token_code(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_secret *code,
    const char *redirect_uri, const struct pb_secret *verifier, time_t now,
    struct pb_tokens *tokens, struct pb_err *e)
{
	struct pb_secret form = { NULL, 0 };
	long status;
	int r, refused;

	memset(tokens, 0, sizeof(*tokens));
	if ((r = pb_form_add(&form, "grant_type", "authorization_code")) !=
	    PB_OK || (r = pb_form_add_secret(&form, "code", code)) != PB_OK ||
	    (r = pb_form_add(&form, "redirect_uri", redirect_uri)) != PB_OK ||
	    (r = pb_form_add_secret(&form, "code_verifier", verifier)) !=
	    PB_OK) {
		pb_err_set(e, r, "cannot build the request body");
		goto out;
	}
	r = pb_token_request(token_endpoint, client, &form, code, now,
	    code_errors, 0, tokens, &status, &refused, e);
 out:
	pb_secret_clear(&form);
	return r;
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
pb_token_refresh(const char *token_endpoint,
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
	r = pb_token_request(token_endpoint, client, &form, refresh, now,
	    refresh_errors, 1, tokens, &status, &refused, e);
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
pb_token_revoke(const char *endpoint, const struct pb_oauth_client *client,
    const struct pb_secret *refresh, struct pb_err *e)
{
	const char *what = "revocation endpoint";
	struct pb_secret form = { NULL, 0 };
	struct pb_http_resp resp = { 0, { NULL, 0 }, "" };
	char eb[PB_SAFE_BUFSZ];
	cJSON *doc = NULL;
	const char *oerr = NULL;
	int r;

	if (endpoint == NULL) {
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
	if ((r = pb_oauth_post(client, endpoint, what, &form, NULL, &resp,
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
	    oerr != NULL ? pb_oauth_error_code(oerr, client, refresh, eb,
	    sizeof(eb)) : "",
	    oerr != NULL ? ")" : "");
 out:
	pb_json_delete_wipe(doc);
	pb_http_resp_clear(&resp);
	pb_secret_clear(&form);
	return r;
}
