/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Who a session is for and how long its access token lives, as the tokens
 * say, read without verification: for display and for the access token
 * cache's expiry only, never for a decision about access.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "jws.h"
#include "oauth.h"
#include "secmem.h"
#include "identity.h"

#define ID_MAX		(64 * 1024)	/* a token decoded for its claims */

/* The claims of a JWT, unverified (for display and expiry only). */
static cJSON *
jwt_claims(const struct pb_secret *tok)
{
	struct pb_jws *jws = NULL;
	struct pb_err e;
	cJSON *j = NULL;

	pb_err_clear(&e);
	if (tok->len == 0 ||
	    pb_jws_parse(tok->p, tok->len, ID_MAX, &jws, &e) != PB_OK)
		return NULL;
	if (pb_json_parse((const char *)jws->payload, jws->payload_len,
	    ID_MAX, "claims", &j, &e) != PB_OK || !cJSON_IsObject(j)) {
		pb_json_delete_wipe(j);
		j = NULL;
	}
	pb_jws_free(jws);
	return j;
}

/*
 * The access token's expiry: the earlier of expires_in as the IdP said and,
 * when the token is a JWT, its exp (read, not verified: a token the IdP
 * made to expire sooner than it says is expired then, whatever the token
 * endpoint claims); 0 when neither is known (such a token is not cached).
 */
int64_t
pb_identity_expiry(const struct pb_tokens *t)
{
	cJSON *j;
	const cJSON *exp;
	int64_t v = 0;

	if ((j = jwt_claims(&t->access)) != NULL &&
	    (exp = pb_json_get(j, "exp")) != NULL &&
	    pb_json_time(exp, 0, &v) != PB_OK)
		v = 0;
	pb_json_delete_wipe(j);
	if (t->expires_at != 0 && (v == 0 || t->expires_at < v))
		v = t->expires_at;
	return v;
}

/* *out, when NULL, gets a copy of the string claim name of j, if any. */
static int
fill(char **out, const cJSON *j, const char *name)
{
	const char *v;

	if (*out != NULL || (v = pb_json_get_string(j, name)) == NULL)
		return PB_OK;
	return (*out = strdup(v)) == NULL ? PB_ERR_NOMEM : PB_OK;
}

/*
 * Who logged in: sub and preferred_username from the ID token, each filled
 * from the access token when the ID token lacks it (with the scope
 * "openid" alone an ID token often has no preferred_username).  Display
 * only: nothing here is verified.
 */
int
pb_identity_fill(const struct pb_tokens *t, char **subject, char **username)
{
	const struct pb_secret *from[2] = { &t->id_token, &t->access };
	cJSON *j;
	size_t i;
	int r = PB_OK;

	for (i = 0; i < 2 && r == PB_OK; i++) {
		if ((j = jwt_claims(from[i])) == NULL)
			continue;
		if (fill(subject, j, "sub") != PB_OK ||
		    fill(username, j, "preferred_username") != PB_OK)
			r = PB_ERR_NOMEM;
		pb_json_delete_wipe(j);
	}
	return r;
}

/* "alice (sub 1234)", cut and escaped, or "an unknown user". */
const char *
pb_identity_who(const char *username, const char *subject, char *buf,
    size_t bufsz)
{
	char s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ];

	if (username != NULL && subject != NULL &&
	    strcmp(username, subject) != 0)
		(void)snprintf(buf, bufsz, "%s (sub %s)",
		    pb_log_safe(username, s1, sizeof(s1)),
		    pb_log_safe(subject, s2, sizeof(s2)));
	else if (username != NULL || subject != NULL)
		(void)snprintf(buf, bufsz, "%s",
		    pb_log_safe(username != NULL ? username : subject, s1,
		    sizeof(s1)));
	else
		(void)snprintf(buf, bufsz, "an unknown user");
	return buf;
}
