/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ID token of a browser login, validated before the user's name is
 * shown (OpenID Connect Core 3.1.3.7, RFC 8725): the IdP's JWK Set loaded
 * by the module's loader and key rules, the token split, its header
 * judged, its key chosen and its signature checked by the common core,
 * and only then the claims read, strictly.  The token arrives by TLS from
 * the token endpoint, but a login shows a name from it, and the nonce
 * ties it to this login: it is checked as the module checks its tokens.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "claims.h"
#include "err.h"
#include "http.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "secmem.h"
#include "strlist.h"
#include "id_token.h"

#define SET_NAME	"the IdP's JWK Set"

int
pb_id_token_fetch_jwks(const struct pb_http *http, const char *jwks_uri,
    struct pb_http_resp *resp, struct pb_err *e)
{
	struct pb_http h = *http;
	int r;

	h.body_max = PB_JWKS_MAX;
	if ((r = pb_http_get(&h, jwks_uri, "jwks_uri", resp, e)) != PB_OK)
		return r;
	if (resp->status != 200) {
		r = pb_err_set(e, PB_ERR_HTTP, "HTTP %ld from jwks_uri",
		    resp->status);
		pb_http_resp_clear(resp);
	}
	return r;
}

void
pb_id_claims_clear(struct pb_id_claims *c)
{
	if (c == NULL)
		return;
	free(c->subject);
	free(c->username);
	c->subject = NULL;
	c->username = NULL;
}

/*
 * The header: an asymmetric alg of the common table (never none; never
 * HS*, whose key would be a secret a public client does not have, RFC 8725
 * 2.1), no crit, and a typ that is not an access token's (RFC 9068 2.1: an
 * access token passed off as an ID token).
 */
static int
header_rules(const struct pb_jws *jws, struct pb_err *e)
{
	const char *typ;
	int r;

	if (jws->alg != NULL && jws->alg->kty == PB_KTY_OCT)
		return pb_err_set(e, PB_ERR_ALG, "signed with %s, a shared "
		    "secret, where the IdP must sign with its own key (RS256, "
		    "ES256...): a public client has no secret",
		    jws->alg->name);
	if ((r = pb_jws_check_header(jws, pb_alg_default_mask(), e)) != PB_OK)
		return r;
	typ = pb_json_get_string(jws->header, "typ");
	if (typ != NULL && (strcasecmp(typ, "at+jwt") == 0 ||
	    strcasecmp(typ, "application/at+jwt") == 0))
		return pb_err_set(e, PB_ERR_HEADER, "typ at+jwt: an access "
		    "token, not an ID token");
	return PB_OK;
}

/*
 * A kid the set just fetched lacks: the IdP signed with a key it does not
 * publish (or the token is not its own).  pb_jwks_find()'s message speaks
 * of the module's file, which is not this.
 */
static int
kid_known(const struct pb_jwks *set, const char *kid, struct pb_err *e)
{
	char sk[PB_SAFE_BUFSZ];
	size_t i;

	if (kid == NULL)
		return PB_OK;
	for (i = 0; i < set->n; i++)
		if (set->keys[i]->kid != NULL &&
		    strcmp(set->keys[i]->kid, kid) == 0)
			return PB_OK;
	return pb_err_set(e, PB_ERR_NOKEY, "its key '%s' is not in %s "
	    "(jwks_uri)", pb_log_safe(kid, sk, sizeof(sk)), SET_NAME);
}

/*
 * aud holds client_id (a string or an array); with several audiences azp
 * must name us, and azp, when present, must name us (OIDC Core 3.1.3.7
 * steps 3 to 5).
 */
static int
aud_azp(const cJSON *claims, const char *client_id, struct pb_err *e)
{
	char sb[PB_SAFE_BUFSZ];
	char *one[1] = { (char *)(uintptr_t)client_id };
	struct pb_strlist list = { one, 1 };
	const cJSON *aud = pb_json_get(claims, "aud");
	const cJSON *azp = pb_json_get(claims, "azp");
	int r;

	if ((r = pb_claims_check_aud(claims, &list, e)) != PB_OK)
		return r;
	if (azp == NULL && cJSON_IsArray(aud) && cJSON_GetArraySize(aud) > 1)
		return pb_err_set(e, PB_ERR_AUD, "aud names %d audiences and "
		    "there is no azp to say it is for '%s'",
		    cJSON_GetArraySize(aud), pb_log_safe(client_id, sb,
		    sizeof(sb)));
	if (azp != NULL && !cJSON_IsString(azp))
		return pb_err_set(e, PB_ERR_CLAIM, "azp is not a string");
	if (azp != NULL && strcmp(azp->valuestring, client_id) != 0)
		return pb_err_set(e, PB_ERR_AUD, "azp is not '%s': the token "
		    "was issued to another client", pb_log_safe(client_id,
		    sb, sizeof(sb)));
	return PB_OK;
}

/* nonce present and equal to the one this login sent (constant time). */
static int
nonce_eq(const cJSON *claims, const char *nonce, struct pb_err *e)
{
	const cJSON *n = pb_json_get(claims, "nonce");
	size_t len = strlen(nonce);

	if (n == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "no nonce claim: the IdP "
		    "ignored the nonce this login sent");
	if (!cJSON_IsString(n))
		return pb_err_set(e, PB_ERR_CLAIM, "nonce is not a string");
	if (strlen(n->valuestring) != len ||
	    !pb_ct_eq(n->valuestring, nonce, len))
		return pb_err_set(e, PB_ERR_CLAIM, "nonce is not the one this "
		    "login sent (a replayed or injected token)");
	return PB_OK;
}

/* The claims of OIDC Core 3.1.3.7, each with its own message. */
static int
check_claims(const cJSON *claims, const char *issuer, const char *client_id,
    const char *nonce, int64_t now, struct pb_err *e)
{
	char *one[1] = { (char *)(uintptr_t)issuer };
	struct pb_strlist iss = { one, 1 };
	const char *sub;
	int r;

	if ((r = pb_claims_check_iss(claims, &iss, e)) != PB_OK ||
	    (r = aud_azp(claims, client_id, e)) != PB_OK)
		return r;
	if (pb_json_get(claims, "exp") == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "no exp claim");
	if (pb_json_get(claims, "iat") == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "no iat claim");
	if ((r = pb_claims_check_time(claims, now, PB_ID_TOKEN_LEEWAY, 0,
	    e)) != PB_OK ||
	    (r = nonce_eq(claims, nonce, e)) != PB_OK)
		return r;
	if ((sub = pb_json_get_string(claims, "sub")) == NULL || *sub == '\0')
		return pb_err_set(e, PB_ERR_CLAIM, "no sub claim (a non-empty "
		    "string)");
	return PB_OK;
}

/* sub, and preferred_username, else email, else NULL: copies. */
static int
take_names(const cJSON *claims, struct pb_id_claims *out)
{
	const char *u = pb_json_get_string(claims, "preferred_username");

	if (u == NULL)
		u = pb_json_get_string(claims, "email");
	if ((out->subject = strdup(pb_json_get_string(claims, "sub"))) ==
	    NULL || (u != NULL && (out->username = strdup(u)) == NULL)) {
		pb_id_claims_clear(out);
		return PB_ERR_NOMEM;
	}
	return PB_OK;
}

/* The signed token's claims object in *claims, or a code and ie. */
static int
signed_claims(const struct pb_jwks *set, const struct pb_secret *tok,
    struct pb_jws **jws, cJSON **claims, struct pb_err *ie)
{
	int r;

	if (tok->p == NULL || tok->len == 0)
		return pb_err_set(ie, PB_ERR_FORMAT, "the token endpoint sent "
		    "none (was the scope openid asked for?)");
	if ((r = pb_jws_parse(tok->p, tok->len, PB_ID_TOKEN_MAX, jws,
	    ie)) != PB_OK ||
	    (r = header_rules(*jws, ie)) != PB_OK ||
	    (r = kid_known(set, (*jws)->kid, ie)) != PB_OK ||
	    (r = pb_jwks_verify(set, *jws, ie)) != PB_OK)
		return r;
	/* Nothing in the payload is read before the signature holds. */
	if ((r = pb_json_parse((const char *)(*jws)->payload,
	    (*jws)->payload_len, PB_ID_TOKEN_MAX, "its payload", claims,
	    ie)) != PB_OK)
		return r;
	if (!cJSON_IsObject(*claims))
		return pb_err_set(ie, PB_ERR_FORMAT, "its payload is not a "
		    "JSON object");
	return PB_OK;
}

int
pb_id_token_verify(const char *jwks, size_t jwks_len, const char *issuer,
    const char *client_id, const char *nonce,
    const struct pb_secret *id_token, int64_t now, struct pb_id_claims *out,
    struct pb_err *e)
{
	struct pb_jwks *set = NULL;
	struct pb_jws *jws = NULL;
	struct pb_err ie;
	cJSON *claims = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	pb_err_clear(&ie);
	if (nonce == NULL || issuer == NULL || client_id == NULL)
		return pb_err_set(e, PB_ERR_INTERNAL, "ID token check without "
		    "issuer, client_id or nonce");
	if ((r = pb_jwks_parse(jwks, jwks_len, 0, SET_NAME, NULL, NULL, &set,
	    &ie)) != PB_OK) {
		if (r != PB_ERR_NOMEM)
			r = pb_err_set(e, r, "cannot check the ID token: %s "
			    "(jwks_uri) is unusable: %s", SET_NAME,
			    pb_err_msg(&ie));
		return r;
	}
	if ((r = signed_claims(set, id_token, &jws, &claims, &ie)) == PB_OK &&
	    (r = check_claims(claims, issuer, client_id, nonce, now,
	    &ie)) == PB_OK)
		r = take_names(claims, out);
	if (r != PB_OK && r != PB_ERR_NOMEM)
		r = pb_err_set(e, r, "the IdP's ID token is refused: %s",
		    pb_err_msg(&ie));
	pb_json_delete_wipe(claims);
	pb_jws_free(jws);
	pb_jwks_free(set);
	return r;
}

int
pb_id_token_check(const struct pb_http *http, const char *jwks_uri,
    const char *issuer, const char *client_id, const char *nonce,
    const struct pb_secret *id_token, int64_t now, struct pb_id_claims *out,
    struct pb_err *e)
{
	struct pb_http_resp resp;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&resp, 0, sizeof(resp));
	if (jwks_uri == NULL)
		return pb_err_set(e, PB_ERR_CONFIG, "cannot check the ID "
		    "token: the IdP advertises no jwks_uri");
	if ((r = pb_id_token_fetch_jwks(http, jwks_uri, &resp, e)) != PB_OK)
		return r;
	r = pb_id_token_verify(resp.body.p, resp.body.len, issuer, client_id,
	    nonce, id_token, now, out, e);
	pb_http_resp_clear(&resp);
	return r;
}
