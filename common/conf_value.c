/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_key.h"
#include "err.h"
#include "jwk.h"
#include "parse.h"
#include "prompt.h"

/*
 * The value parsers of pam_bearer.conf: one value of one key is parsed and
 * checked into a struct val, which conf.c then commits.
 */

/*
 * A claim name starting with '/' is an RFC 6901 JSON Pointer, where '~'
 * must be followed by '0' or '1' (section 3).  Other names are literal.
 */
static int
claim_name_ok(const char *name)
{
	const char *p;

	if (*name != '/')
		return 1;
	for (p = name; *p != '\0'; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return 0;
	return 1;
}

void
pb_conf_value_free(struct val *v)
{
	pb_strlist_clear(&v->list);
	free(v->s);
	free(v->claim.name);
	free(v->claim.value);
	memset(v, 0, sizeof(*v));
}

/*
 * Integers (T_LONG, T_SIZE) are plain decimal digits (pb_parse_ulong()):
 * no sign, no blank, nothing after.  "-5" is a whole number, so it is
 * reported as out of range, not as junk.  A duration (T_DURATION,
 * pb_parse_duration()) is digits and an optional unit, s (the default),
 * m, h, d or w, with nothing between them: "7d", "36h", "600".
 */
static int
parse_number(const struct key *k, const char *value, long *out,
    const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	unsigned long n;
	int r;

	if (k->type == T_DURATION)
		r = pb_parse_duration(value, (unsigned long)k->min,
		    (unsigned long)k->max, &n);
	else
		r = pb_parse_ulong(value, (unsigned long)k->min,
		    (unsigned long)k->max, &n);
	if (r == PB_OK) {
		*out = (long)n;
		return PB_OK;
	}
	pb_log_safe(value, sv, sizeof(sv));
	if (r == PB_ERR_RANGE)
		pb_conf_report(logfn, ctx, where, "%s: '%s' is out of range "
		    "(%ld to %ld %s)", k->name, sv, k->min, k->max, k->unit);
	else if (k->type == T_DURATION)
		pb_conf_report(logfn, ctx, where, "%s: '%s' is not a duration "
		    "(a whole number with an optional unit s, m, h, d or w, "
		    "such as 7d)", k->name, sv);
	else
		pb_conf_report(logfn, ctx, where, "%s: '%s' is not a whole "
		    "number of %s (%ld to %ld)", k->name, sv, k->unit, k->min,
		    k->max);
	return PB_ERR_CONFIG;
}

/* Append the names of the known algorithms to buf, for a message. */
static void
known_algs(char *buf, size_t bufsz)
{
	const struct pb_alg *a;
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; (a = pb_alg_at(i)) != NULL; i++) {
		n = snprintf(buf + o, bufsz - o, "%s%s", i > 0 ? " " : "",
		    a->name);
		if (n < 0 || (size_t)n >= bufsz - o)
			break;
		o += (size_t)n;
	}
}

/* A known algorithm whose name equals name but for letter case. */
static const struct pb_alg *
alg_by_name_nocase(const char *name)
{
	const struct pb_alg *a;
	size_t i;

	for (i = 0; (a = pb_alg_at(i)) != NULL; i++)
		if (strcasecmp(a->name, name) == 0)
			return a;
	return NULL;
}

/* Every bad name is reported, not just the first. */
static int
parse_algs(const char *value, unsigned *out, const char *where,
    pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ], known[256];
	struct pb_strlist list = { NULL, 0 };
	struct pb_err e;
	const struct pb_alg *a;
	unsigned mask = 0;
	size_t i;
	int r = PB_ERR_INTERNAL;

	pb_err_clear(&e);
	if ((r = pb_strlist_split(value, &list, &e)) != PB_OK) {
		if (r == PB_ERR_CONFIG)
			pb_conf_report(logfn, ctx, where, "algorithms: %s",
			    pb_err_msg(&e));
		goto out;
	}
	for (i = 0; i < list.n; i++) {
		pb_log_safe(list.v[i], sv, sizeof(sv));
		/* RFC 8725 3.1: an unsigned token is never acceptable. */
		if (strcasecmp(list.v[i], "none") == 0) {
			pb_conf_report(logfn, ctx, where, "algorithms: 'none' "
			    "is never accepted");
			r = PB_ERR_CONFIG;
		} else if ((a = pb_alg_by_name(list.v[i])) != NULL) {
			mask |= a->bit;
		} else if ((a = alg_by_name_nocase(list.v[i])) != NULL) {
			/* JWS alg names are case-sensitive (RFC 7515 4.1.1). */
			pb_conf_report(logfn, ctx, where, "algorithms: unknown "
			    "algorithm '%s' (did you mean '%s'?)", sv,
			    a->name);
			r = PB_ERR_CONFIG;
		} else {
			known_algs(known, sizeof(known));
			pb_conf_report(logfn, ctx, where, "algorithms: unknown "
			    "algorithm '%s' (known: %s)", sv, known);
			r = PB_ERR_CONFIG;
		}
	}
	if (r != PB_OK)
		goto out;
	*out = mask;
 out:
	pb_strlist_clear(&list);
	return r;
}

/*
 * A quoted prompt keeps its blanks, since values are trimmed and a prompt
 * usually ends with a space: prompt = "Token: ".  Unquoted, it is taken
 * as written.
 */
static int
parse_prompt(const char *value, char **out, const char *where,
    pb_conf_log_fn *logfn, void *ctx)
{
	struct pb_err e;
	const char *s = value;
	char *p = NULL;
	int r = PB_ERR_INTERNAL;

	pb_err_clear(&e);
	if (*value != '"') {
		if ((p = strdup(value)) == NULL) {
			r = PB_ERR_NOMEM;
			goto out;
		}
	} else {
		if ((p = malloc(strlen(value) + 1)) == NULL) {
			r = PB_ERR_NOMEM;
			goto out;
		}
		if ((r = pb_strlist_word(&s, p, &e)) != PB_OK) {
			pb_conf_report(logfn, ctx, where, "prompt: %s",
			    pb_err_msg(&e));
			goto out;
		}
		if (*s != '\0') {
			pb_conf_report(logfn, ctx, where, "prompt: text after "
			    "the closing quote");
			r = PB_ERR_CONFIG;
			goto out;
		}
	}
	*out = p;
	p = NULL;
	r = PB_OK;
 out:
	free(p);
	return r;
}

/*
 * require_claim NAME=VALUE, split at the first '=' (so a claim whose name
 * holds '=' cannot be required; none in use does), blanks around it
 * dropped.  VALUE must not be empty: "acr=" is far more likely a slip than
 * a wish for an empty string claim.
 */
static int
parse_claimreq(const char *value, struct pb_claim_req *out,
    const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	const char *eq, *ne, *vs;
	char *name = NULL, *val = NULL;
	int r = PB_ERR_INTERNAL;

	pb_log_safe(value, sv, sizeof(sv));
	if ((eq = strchr(value, '=')) == NULL) {
		pb_conf_report(logfn, ctx, where, "require_claim: '%s' is not "
		    "NAME=VALUE", sv);
		r = PB_ERR_CONFIG;
		goto out;
	}
	for (ne = eq; ne > value && pb_strlist_is_blank(ne[-1]); ne--)
		;
	for (vs = eq + 1; pb_strlist_is_blank(*vs); vs++)
		;
	if (ne == value) {
		pb_conf_report(logfn, ctx, where, "require_claim: no claim "
		    "name in '%s' (write NAME=VALUE)", sv);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if (*vs == '\0') {
		pb_conf_report(logfn, ctx, where, "require_claim: no value in "
		    "'%s' (write NAME=VALUE)", sv);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if ((name = strndup(value, (size_t)(ne - value))) == NULL ||
	    (val = strdup(vs)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if (!claim_name_ok(name)) {
		pb_conf_report(logfn, ctx, where, "require_claim: '%s' is not "
		    "a valid JSON Pointer ('~' must be followed by 0 or 1)",
		    pb_log_safe(name, sv, sizeof(sv)));
		r = PB_ERR_CONFIG;
		goto out;
	}
	out->name = name;
	out->value = val;
	name = val = NULL;
	r = PB_OK;
 out:
	free(name);
	free(val);
	return r;
}

/*
 * A list; host_names must be what the proof prompt can show and a client
 * can name (prompt.h): no blank, no control byte, 255 bytes at most.
 */
static int
parse_list(const struct key *k, const char *value, struct pb_strlist *l,
    const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	struct pb_err e;
	size_t i;
	int r;

	/* "deny_users =" (nothing) is how a default is turned off. */
	if (k->type == T_ULIST && *value == '\0')
		return PB_OK;
	pb_err_clear(&e);
	if ((r = pb_strlist_split(value, l, &e)) == PB_ERR_CONFIG)
		pb_conf_report(logfn, ctx, where, "%s: %s", k->name,
		    pb_err_msg(&e));
	if (r != PB_OK || key_id(k) != K_HOST_NAMES)
		return r;
	for (i = 0; i < l->n; i++) {
		if (!pb_prompt_proof_host_ok(l->v[i], strlen(l->v[i]))) {
			pb_conf_report(logfn, ctx, where, "%s: '%s' is not a "
			    "host name (printable ASCII without blanks, at "
			    "most %d bytes)", k->name, pb_log_safe(l->v[i],
			    sv, sizeof(sv)), PB_PROOF_HOST_MAX);
			return PB_ERR_CONFIG;
		}
	}
	return PB_OK;
}

/* Parse and check value for key k into v; nothing in cfg changes. */
int
pb_conf_value_parse(const struct key *k, const char *value, struct val *v,
    const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	struct pb_err e;
	int r = PB_ERR_INTERNAL;

	pb_err_clear(&e);
	pb_log_safe(value, sv, sizeof(sv));
	switch (k->type) {
	case T_ULIST:
	case T_LIST:
		r = parse_list(k, value, &v->list, where, logfn, ctx);
		break;
	case T_ALGS:
		r = parse_algs(value, &v->mask, where, logfn, ctx);
		break;
	case T_PATH:
		/* Relative paths would depend on the host's cwd (sshd: /). */
		if (*value != '/') {
			pb_conf_report(logfn, ctx, where, "%s: '%s' is not an "
			    "absolute path (it must start with '/')",
			    k->name, sv);
			r = PB_ERR_CONFIG;
			break;
		}
		r = (v->s = strdup(value)) == NULL ? PB_ERR_NOMEM : PB_OK;
		break;
	case T_CLAIM:
		if (!claim_name_ok(value)) {
			pb_conf_report(logfn, ctx, where, "%s: '%s' is not a "
			    "valid JSON Pointer ('~' must be followed by 0 or "
			    "1)", k->name, sv);
			r = PB_ERR_CONFIG;
			break;
		}
		r = (v->s = strdup(value)) == NULL ? PB_ERR_NOMEM : PB_OK;
		break;
	case T_LONG:
	case T_SIZE:
	case T_DURATION:
		r = parse_number(k, value, &v->n, where, logfn, ctx);
		break;
	case T_PROMPT:
		r = parse_prompt(value, &v->s, where, logfn, ctx);
		break;
	case T_CLAIMREQ:
		r = parse_claimreq(value, &v->claim, where, logfn, ctx);
		break;
	case T_BOOL:
		/* Exactly these two: "on", "1" or "Yes" would be guesses. */
		if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
			v->n = strcmp(value, "yes") == 0;
			r = PB_OK;
			break;
		}
		pb_conf_report(logfn, ctx, where, "%s: '%s' is neither 'yes' "
		    "nor 'no'", k->name, sv);
		r = PB_ERR_CONFIG;
		break;
	}
	return r;
}
