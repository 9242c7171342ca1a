/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "claims.h"
#include "conf.h"
#include "err.h"
#include "json.h"

/*
 * A token that expired less than this long ago (beyond the leeway) may be
 * a fresh one on a host whose clock runs ahead: the log says so.
 */
#define SKEW_HINT	900

/* Read an optional NumericDate claim: 1 present, 0 absent, <0 error. */
static int
get_time(const cJSON *claims, const char *name, int round_up, int64_t *out,
    struct pb_err *e)
{
	const cJSON *v = pb_json_get(claims, name);

	if (v == NULL)
		return 0;
	/* RFC 7519 2: a JSON number; "1700000000" as a string is not one. */
	if (pb_json_time(v, round_up, out) != PB_OK)
		return pb_err_set(e, PB_ERR_CLAIM, "%s is not a NumericDate "
		    "(a JSON number of seconds since 1970)", name);
	return 1;
}

int
pb_claims_check_time(const cJSON *claims, int64_t now, long leeway,
    long max_age, struct pb_err *e)
{
	int64_t exp, nbf, iat;
	int r;

	/* exp rounds down, nbf and iat up: a fraction never helps a token. */
	if ((r = get_time(claims, "exp", 0, &exp, e)) < 0)
		return r;
	if (r == 0)
		return pb_err_set(e, PB_ERR_CLAIM, "token has no exp claim");
	/* RFC 7519 4.1.4: reject when now >= exp (plus leeway for skew). */
	if (now >= exp + leeway)
		return pb_err_set(e, PB_ERR_EXPIRED, "token expired %lld s ago "
		    "(leeway %ld s%s)", (long long)(now - exp), leeway,
		    now - exp - leeway < SKEW_HINT ? "; if it is fresh, check "
		    "the clocks: timedatectl" : "");
	if ((r = get_time(claims, "nbf", 1, &nbf, e)) < 0)
		return r;
	/* RFC 7519 4.1.5: reject when now < nbf (minus leeway). */
	if (r == 1 && now + leeway < nbf)
		return pb_err_set(e, PB_ERR_NOTYET, "token not valid for "
		    "another %lld s (nbf; leeway %ld s; check the clocks: "
		    "timedatectl)",
		    (long long)(nbf - now), leeway);
	if ((r = get_time(claims, "iat", 1, &iat, e)) < 0)
		return r;
	if (r == 1 && now + leeway < iat)
		return pb_err_set(e, PB_ERR_NOTYET, "token issued %lld s in "
		    "the future (iat; leeway %ld s; check the clocks: "
		    "timedatectl)",
		    (long long)(iat - now), leeway);
	if (max_age > 0) {
		if (r == 0)
			return pb_err_set(e, PB_ERR_CLAIM, "token has no iat "
			    "claim, which max_token_age needs");
		/* DESIGN.md: rejected when the age exceeds the maximum. */
		if (now - iat > max_age)
			return pb_err_set(e, PB_ERR_EXPIRED, "token issued "
			    "%lld s ago, max_token_age is %ld s",
			    (long long)(now - iat), max_age);
	}
	return PB_OK;
}

static const char *join_list(const struct pb_strlist *, char *, size_t);

int
pb_claims_check_iss(const cJSON *claims, const struct pb_strlist *issuers,
    struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ], lb[400];
	const cJSON *iss = pb_json_get(claims, "iss");

	if (iss == NULL)
		return pb_err_set(e, PB_ERR_ISS, "token has no iss claim");
	if (!cJSON_IsString(iss))
		return pb_err_set(e, PB_ERR_ISS, "iss is not a string");
	/* Exact and case-sensitive, trailing slash included (RFC 8725 3.8). */
	if (!pb_strlist_has(issuers, iss->valuestring))
		return pb_err_set(e, PB_ERR_ISS, "iss '%s' is not the "
		    "configured issuer %s", pb_log_safe(iss->valuestring, sp,
		    sizeof(sp)), join_list(issuers, lb, sizeof(lb)));
	return PB_OK;
}

/* "'a', 'b' or 'c'" from a list, cut to fit buf. */
static const char *
join_list(const struct pb_strlist *list, char *buf, size_t bufsz)
{
	char sp[PB_SAFE_BUFSZ];
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < list->n && o < bufsz; i++) {
		n = snprintf(buf + o, bufsz - o, "%s'%s'",
		    i == 0 ? "" : (i + 1 == list->n ? " or " : ", "),
		    pb_log_safe(list->v[i], sp, sizeof(sp)));
		if (n < 0)
			break;
		o += (size_t)n;
	}
	return buf;
}

int
pb_claims_check_aud(const cJSON *claims, const struct pb_strlist *audiences,
    struct pb_err *e)
{
	char lb[160];
	const cJSON *aud = pb_json_get(claims, "aud"), *a;

	/* RFC 8725 3.9: a token for someone else must not work here. */
	if (aud == NULL)
		return pb_err_set(e, PB_ERR_AUD, "token has no aud claim");
	if (cJSON_IsString(aud)) {
		if (pb_strlist_has(audiences, aud->valuestring))
			return PB_OK;
	} else if (cJSON_IsArray(aud)) {
		cJSON_ArrayForEach(a, aud) {
			if (!cJSON_IsString(a))
				return pb_err_set(e, PB_ERR_CLAIM, "aud holds "
				    "a non-string");
		}
		cJSON_ArrayForEach(a, aud) {
			if (pb_strlist_has(audiences, a->valuestring))
				return PB_OK;
		}
	} else
		return pb_err_set(e, PB_ERR_CLAIM, "aud is neither a string "
		    "nor an array of strings");
	return pb_err_set(e, PB_ERR_AUD, "aud does not contain %s",
	    join_list(audiences, lb, sizeof(lb)));
}

/* Whether a space-separated string holds word (exactly). */
static int
words_have(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p = s;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		while (*p != '\0' && *p != ' ')
			p++;
	}
	return 0;
}

/*
 * Whether claim v (a space-separated string or an array of strings) grants
 * word: 1 yes, 0 no, PB_ERR_CLAIM on a wrong type.
 */
static int
list_claim_has(const cJSON *v, const char *name, const char *word, int split,
    struct pb_err *e)
{
	const cJSON *a;

	if (v == NULL)
		return 0;
	if (cJSON_IsString(v))
		return split ? words_have(v->valuestring, word) :
		    strcmp(v->valuestring, word) == 0;
	if (!cJSON_IsArray(v))
		return pb_err_set(e, PB_ERR_CLAIM, "claim '%s' is neither a "
		    "string nor an array of strings", name);
	cJSON_ArrayForEach(a, v) {
		if (!cJSON_IsString(a))
			return pb_err_set(e, PB_ERR_CLAIM, "claim '%s' holds "
			    "a non-string", name);
		if (strcmp(a->valuestring, word) == 0)
			return 1;
	}
	return 0;
}

static int
check_scopes(const cJSON *claims, const struct pb_strlist *want,
    struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ];
	const cJSON *scope = pb_json_get(claims, "scope");
	const cJSON *scp = pb_json_get(claims, "scp");
	size_t i;
	int r;

	for (i = 0; i < want->n; i++) {
		/* Entra sends scp as a string, Okta as an array. */
		if ((r = list_claim_has(scope, "scope", want->v[i], 1, e)) < 0)
			return r;
		if (r == 0 &&
		    (r = list_claim_has(scp, "scp", want->v[i], 1, e)) < 0)
			return r;
		if (r == 0)
			return pb_err_set(e, PB_ERR_POLICY, "scope '%s' not "
			    "granted (require_scope)", pb_log_safe(want->v[i],
			    sp, sizeof(sp)));
	}
	return PB_OK;
}

static int
check_groups(const cJSON *claims, const char *claim,
    const struct pb_strlist *want, struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ], lb[160];
	const cJSON *v = pb_json_claim(claims, claim);
	size_t i;
	int r;

	pb_log_safe(claim, sp, sizeof(sp));
	if (v == NULL)
		return pb_err_set(e, PB_ERR_POLICY, "token has no groups claim "
		    "'%s' (require_groups)", sp);
	for (i = 0; i < want->n; i++) {
		/* A string is one group name, never split. */
		if ((r = list_claim_has(v, claim, want->v[i], 0, e)) != 0)
			return r < 0 ? r : PB_OK;
	}
	return pb_err_set(e, PB_ERR_POLICY, "token is in none of the groups "
	    "%s (claim '%s')", join_list(want, lb, sizeof(lb)), sp);
}

static int
check_required(const cJSON *claims, const struct pb_claim_req *req,
    struct pb_err *e)
{
	char sn[PB_SAFE_BUFSZ], sv[PB_SAFE_BUFSZ];
	const cJSON *v = pb_json_claim(claims, req->name), *a;

	pb_log_safe(req->name, sn, sizeof(sn));
	pb_log_safe(req->value, sv, sizeof(sv));
	if (v == NULL)
		return pb_err_set(e, PB_ERR_POLICY, "claim '%s' missing "
		    "(require_claim %s=%s)", sn, sn, sv);
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(a, v) {
			if (pb_json_scalar_eq(a, req->value))
				return PB_OK;
		}
		return pb_err_set(e, PB_ERR_POLICY, "claim '%s' does not "
		    "contain '%s' (require_claim)", sn, sv);
	}
	if (!pb_json_scalar_eq(v, req->value))
		return pb_err_set(e, PB_ERR_POLICY, "claim '%s' is not '%s' "
		    "(require_claim)", sn, sv);
	return PB_OK;
}

/*
 * An ID token is for the client that asked for it, not a credential for
 * us; some IdPs (LemonLDAP::NG) sign ID tokens with the same key, typ and
 * aud as their JWT access tokens.  These claims only ID tokens carry
 * (OpenID Connect Core 2, 3.1.3.6, 3.3.2.11); an access token never does.
 */
static int
check_not_id_token(const cJSON *claims, struct pb_err *e)
{
	static const char *const id_only[] = { "nonce", "at_hash", "c_hash" };
	size_t i;

	for (i = 0; i < sizeof(id_only) / sizeof(id_only[0]); i++)
		if (pb_json_get(claims, id_only[i]) != NULL)
			return pb_err_set(e, PB_ERR_CLAIM, "token has '%s', "
			    "so it is an ID token, not an access token (set "
			    "accept_id_tokens = yes to accept ID tokens)",
			    id_only[i]);
	return PB_OK;
}

int
pb_claims_check_policy(const cJSON *claims, const struct pb_conf *cfg,
    struct pb_err *e)
{
	size_t i;
	int r;

	if (!cfg->accept_id_tokens && (r = check_not_id_token(claims,
	    e)) != PB_OK)
		return r;
	if ((r = check_scopes(claims, &cfg->require_scope, e)) != PB_OK)
		return r;
	if (cfg->require_groups.n > 0 && (r = check_groups(claims,
	    cfg->groups_claim, &cfg->require_groups, e)) != PB_OK)
		return r;
	for (i = 0; i < cfg->n_require_claim; i++)
		if ((r = check_required(claims, &cfg->require_claim[i],
		    e)) != PB_OK)
			return r;
	return PB_OK;
}

int
pb_claims_username(const cJSON *claims, const char *claim, int safe,
    const char **out, struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ], sv[PB_SAFE_BUFSZ];
	const cJSON *v = pb_json_claim(claims, claim);
	const char *s, *p;
	size_t n;

	*out = NULL;
	pb_log_safe(claim, sp, sizeof(sp));
	if (!cJSON_IsString(v))
		return pb_err_set(e, PB_ERR_CLAIM, "username claim '%s' is "
		    "missing or not a string", sp);
	s = v->valuestring;
	n = strlen(s);
	if (safe) {
		/*
		 * The value is compared with a local user name: refuse
		 * anything a user name would not hold, so that no odd value
		 * reaches logs or lookups downstream.
		 */
		for (p = s; *p != '\0'; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '.' ||
			    *p == '_' || *p == '@' || *p == '-'))
				break;
		if (n == 0 || n > 256 || *p != '\0' || s[0] == '-')
			return pb_err_set(e, PB_ERR_CLAIM, "username claim "
			    "'%s' value '%s' is not a safe user name (use "
			    "usermap_file to map it)", sp,
			    pb_log_safe(s, sv, sizeof(sv)));
	}
	*out = s;
	return PB_OK;
}

int
pb_claims_cnf_jkt(const cJSON *claims, const char **jkt, struct pb_err *e)
{
	const cJSON *cnf = pb_json_get(claims, "cnf");
	const char *s, *p;

	*jkt = NULL;
	if (cnf == NULL)
		return PB_OK;
	if (!cJSON_IsObject(cnf))
		return pb_err_set(e, PB_ERR_CLAIM, "cnf is not a JSON object");
	if (pb_json_get(cnf, "jkt") == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "cnf has no jkt: the token "
		    "is bound in a way we cannot check (only DPoP, RFC 9449, "
		    "is supported)");
	if ((s = pb_json_get_string(cnf, "jkt")) == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "cnf.jkt is not a string");
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			break;
	if (*p != '\0' || p - s != 43)
		return pb_err_set(e, PB_ERR_CLAIM, "cnf.jkt is not a SHA-256 "
		    "thumbprint (43 base64url characters)");
	*jkt = s;
	return PB_OK;
}
