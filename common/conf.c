/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "conf.h"
#include "err.h"
#include "file.h"
#include "jwk.h"
#include "parse.h"

/*
 * The pam_bearer.conf parser (DESIGN.md section 2).  Every value is parsed
 * and checked into a struct val first and only then committed, so a bad
 * value never leaves cfg half-changed.  Messages go to the caller's log
 * callback (the faillock config_log idea): common/ never logs itself.
 */

enum key_id {
	K_ISSUER,
	K_AUDIENCE,
	K_JWKS_FILE,
	K_ALGORITHMS,
	K_HMAC_SECRET_FILE,
	K_USERNAME_CLAIM,
	K_USERMAP_FILE,
	K_LEEWAY,
	K_MAX_TOKEN_AGE,
	K_REQUIRE_SCOPE,
	K_GROUPS_CLAIM,
	K_REQUIRE_GROUPS,
	K_REQUIRE_CLAIM,
	K_DENYLIST_FILE,
	K_REPLAY_CACHE,
	K_MAX_TOKEN_SIZE,
	K_PROMPT,
	K_ACCEPT_ID_TOKENS,
	K_DENY_USERS,
	K_MIN_UID,
	K_JWKS_MAX_AGE,
	K_COUNT
};

/* seen and from_arg hold one bit per key. */
_Static_assert(K_COUNT <= 32, "too many keys for the seen bitmask");

enum key_type {
	T_LIST,		/* struct pb_strlist */
	T_ALGS,		/* unsigned mask */
	T_PATH,		/* char *, absolute */
	T_CLAIM,	/* char *, claim name or JSON Pointer */
	T_LONG,		/* long, min..max */
	T_SIZE,		/* size_t, min..max */
	T_PROMPT,	/* char *, may be quoted */
	T_CLAIMREQ,	/* struct pb_claim_req, repeatable */
	T_BOOL,		/* int, "yes" or "no" */
	T_ULIST,	/* struct pb_strlist, may be set empty */
	T_DURATION	/* long seconds: N, Ns, Nm, Nh, Nd or Nw, min..max */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;	/* the field in struct pb_conf */
	long		 min;
	long		 max;
	const char	*unit;
};

#define F(m)	offsetof(struct pb_conf, m)

/* Indexed by enum key_id. */
static const struct key keys[K_COUNT] = {
	[K_ISSUER] = { "issuer", T_LIST, F(issuers), 0, 0, NULL },
	[K_AUDIENCE] = { "audience", T_LIST, F(audiences), 0, 0, NULL },
	[K_JWKS_FILE] = { "jwks_file", T_PATH, F(jwks_file), 0, 0, NULL },
	[K_ALGORITHMS] = { "algorithms", T_ALGS, F(algorithms), 0, 0, NULL },
	[K_HMAC_SECRET_FILE] = { "hmac_secret_file", T_PATH,
	    F(hmac_secret_file), 0, 0, NULL },
	[K_USERNAME_CLAIM] = { "username_claim", T_CLAIM, F(username_claim),
	    0, 0, NULL },
	[K_USERMAP_FILE] = { "usermap_file", T_PATH, F(usermap_file), 0, 0,
	    NULL },
	/* A day of clock skew is already far more than any sane host. */
	[K_LEEWAY] = { "leeway", T_LONG, F(leeway), 0, 86400, "seconds" },
	[K_MAX_TOKEN_AGE] = { "max_token_age", T_LONG, F(max_token_age), 0,
	    31536000, "seconds" },
	[K_REQUIRE_SCOPE] = { "require_scope", T_LIST, F(require_scope), 0, 0,
	    NULL },
	[K_GROUPS_CLAIM] = { "groups_claim", T_CLAIM, F(groups_claim), 0, 0,
	    NULL },
	[K_REQUIRE_GROUPS] = { "require_groups", T_LIST, F(require_groups), 0,
	    0, NULL },
	[K_REQUIRE_CLAIM] = { "require_claim", T_CLAIMREQ, F(require_claim),
	    0, 0, NULL },
	[K_DENYLIST_FILE] = { "denylist_file", T_PATH, F(denylist_file), 0, 0,
	    NULL },
	[K_REPLAY_CACHE] = { "replay_cache", T_PATH, F(replay_cache), 0, 0,
	    NULL },
	/* No JWT fits in 256 bytes; 1 MiB bounds the work before parsing. */
	[K_MAX_TOKEN_SIZE] = { "max_token_size", T_SIZE, F(max_token_size),
	    256, 1048576, "bytes" },
	[K_PROMPT] = { "prompt", T_PROMPT, F(prompt), 0, 0, NULL },
	[K_ACCEPT_ID_TOKENS] = { "accept_id_tokens", T_BOOL,
	    F(accept_id_tokens), 0, 0, NULL },
	[K_DENY_USERS] = { "deny_users", T_ULIST, F(deny_users), 0, 0, NULL },
	/* uid_t is 32 bits; nobody's user ranges start above 2^31. */
	[K_MIN_UID] = { "min_uid", T_LONG, F(min_uid), 0, 2147483647,
	    "uid" },
	/* Ten years: beyond that "off" (0) is what is meant. */
	[K_JWKS_MAX_AGE] = { "jwks_max_age", T_DURATION, F(jwks_max_age), 0,
	    315360000, "seconds" },
};

#undef F

#define KBIT(id)	(1u << (unsigned)(id))

/* A parsed value waiting to be committed. */
struct val {
	struct pb_strlist	 list;
	char			*s;
	long			 n;
	unsigned		 mask;
	struct pb_claim_req	 claim;
};

#define MSG_MAX		1024

static void report(pb_conf_log_fn *, void *, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Send "where: message" to the log callback, if there is one. */
static void
report(pb_conf_log_fn *logfn, void *ctx, const char *where, const char *fmt,
    ...)
{
	char buf[MSG_MAX];
	va_list ap;
	int n = 0;

	if (logfn == NULL)
		return;
	if (where != NULL && *where != '\0')
		n = snprintf(buf, sizeof(buf), "%s: ", where);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	va_start(ap, fmt);
	(void)vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	logfn(ctx, LOG_ERR, buf);
}

static const struct key *
key_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < K_COUNT; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static enum key_id
key_id(const struct key *k)
{
	return (enum key_id)(k - keys);
}

#define DYM_MAX	32

/*
 * Levenshtein distance of a and b, ignoring letter case, or DYM_MAX when b
 * is too long to bother with (no key is that long).
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t row[DYM_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, diag, up, cost;

	if (la >= DYM_MAX || lb >= DYM_MAX)
		return DYM_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			cost = tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 1]) ? 0 : 1;
			row[j] = diag + cost;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

/* The known key nearest to name (distance 2 at most), or NULL. */
static const char *
did_you_mean(const char *name)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < K_COUNT; i++) {
		if ((d = edit_distance(keys[i].name, name)) < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	}
	return best;
}

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

static void
val_free(struct val *v)
{
	pb_strlist_clear(&v->list);
	free(v->s);
	free(v->claim.name);
	free(v->claim.value);
	memset(v, 0, sizeof(*v));
}

/*
 * Integers are plain decimal digits (pb_parse_ulong()): no sign, no blank,
 * nothing after.  "-5" is a whole number, so it is reported as out of
 * range, not as junk.
 */
static int
parse_long(const struct key *k, const char *value, long *out,
    const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	unsigned long n;
	int r;

	r = pb_parse_ulong(value, (unsigned long)k->min,
	    (unsigned long)k->max, &n);
	if (r == PB_OK) {
		*out = (long)n;
		return PB_OK;
	}
	pb_log_safe(value, sv, sizeof(sv));
	if (r == PB_ERR_FORMAT)
		report(logfn, ctx, where, "%s: '%s' is not a whole number of "
		    "%s (%ld to %ld)", k->name, sv, k->unit, k->min, k->max);
	else
		report(logfn, ctx, where, "%s: '%s' is out of range (%ld to "
		    "%ld %s)", k->name, sv, k->min, k->max, k->unit);
	return PB_ERR_CONFIG;
}

/*
 * A duration (pb_parse_duration()): decimal digits and an optional unit,
 * s (the default), m, h, d or w, with nothing between them: "7d", "36h",
 * "600".
 */
static int
parse_duration(const struct key *k, const char *value, long *out,
    const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	unsigned long n;
	int r;

	r = pb_parse_duration(value, (unsigned long)k->min,
	    (unsigned long)k->max, &n);
	if (r == PB_OK) {
		*out = (long)n;
		return PB_OK;
	}
	pb_log_safe(value, sv, sizeof(sv));
	if (r == PB_ERR_FORMAT)
		report(logfn, ctx, where, "%s: '%s' is not a duration (a "
		    "whole number with an optional unit s, m, h, d or w, "
		    "such as 7d)", k->name, sv);
	else
		report(logfn, ctx, where, "%s: '%s' is out of range (%ld to "
		    "%ld %s)", k->name, sv, k->min, k->max, k->unit);
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
			report(logfn, ctx, where, "algorithms: %s",
			    pb_err_msg(&e));
		goto out;
	}
	for (i = 0; i < list.n; i++) {
		pb_log_safe(list.v[i], sv, sizeof(sv));
		/* RFC 8725 3.1: an unsigned token is never acceptable. */
		if (strcasecmp(list.v[i], "none") == 0) {
			report(logfn, ctx, where, "algorithms: 'none' is "
			    "never accepted");
			r = PB_ERR_CONFIG;
		} else if ((a = pb_alg_by_name(list.v[i])) != NULL) {
			mask |= a->bit;
		} else if ((a = alg_by_name_nocase(list.v[i])) != NULL) {
			/* JWS alg names are case-sensitive (RFC 7515 4.1.1). */
			report(logfn, ctx, where, "algorithms: unknown "
			    "algorithm '%s' (did you mean '%s'?)", sv,
			    a->name);
			r = PB_ERR_CONFIG;
		} else {
			known_algs(known, sizeof(known));
			report(logfn, ctx, where, "algorithms: unknown "
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
			report(logfn, ctx, where, "prompt: %s",
			    pb_err_msg(&e));
			goto out;
		}
		if (*s != '\0') {
			report(logfn, ctx, where, "prompt: text after the "
			    "closing quote");
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
		report(logfn, ctx, where, "require_claim: '%s' is not "
		    "NAME=VALUE", sv);
		r = PB_ERR_CONFIG;
		goto out;
	}
	for (ne = eq; ne > value && pb_strlist_is_blank(ne[-1]); ne--)
		;
	for (vs = eq + 1; pb_strlist_is_blank(*vs); vs++)
		;
	if (ne == value) {
		report(logfn, ctx, where, "require_claim: no claim name in "
		    "'%s' (write NAME=VALUE)", sv);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if (*vs == '\0') {
		report(logfn, ctx, where, "require_claim: no value in '%s' "
		    "(write NAME=VALUE)", sv);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if ((name = strndup(value, (size_t)(ne - value))) == NULL ||
	    (val = strdup(vs)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if (!claim_name_ok(name)) {
		report(logfn, ctx, where, "require_claim: '%s' is not a valid "
		    "JSON Pointer ('~' must be followed by 0 or 1)",
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

/* Parse and check value for key k into v; nothing in cfg changes. */
static int
parse_value(const struct key *k, const char *value, struct val *v,
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
		/* "deny_users =" (nothing) is how a default is turned off. */
		if (k->type == T_ULIST && *value == '\0') {
			r = PB_OK;
			break;
		}
		r = pb_strlist_split(value, &v->list, &e);
		if (r == PB_ERR_CONFIG)
			report(logfn, ctx, where, "%s: %s", k->name,
			    pb_err_msg(&e));
		break;
	case T_ALGS:
		r = parse_algs(value, &v->mask, where, logfn, ctx);
		break;
	case T_PATH:
		/* Relative paths would depend on the host's cwd (sshd: /). */
		if (*value != '/') {
			report(logfn, ctx, where, "%s: '%s' is not an "
			    "absolute path (it must start with '/')",
			    k->name, sv);
			r = PB_ERR_CONFIG;
			break;
		}
		r = (v->s = strdup(value)) == NULL ? PB_ERR_NOMEM : PB_OK;
		break;
	case T_CLAIM:
		if (!claim_name_ok(value)) {
			report(logfn, ctx, where, "%s: '%s' is not a valid "
			    "JSON Pointer ('~' must be followed by 0 or 1)",
			    k->name, sv);
			r = PB_ERR_CONFIG;
			break;
		}
		r = (v->s = strdup(value)) == NULL ? PB_ERR_NOMEM : PB_OK;
		break;
	case T_LONG:
	case T_SIZE:
		r = parse_long(k, value, &v->n, where, logfn, ctx);
		break;
	case T_DURATION:
		r = parse_duration(k, value, &v->n, where, logfn, ctx);
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
		report(logfn, ctx, where, "%s: '%s' is neither 'yes' nor "
		    "'no'", k->name, sv);
		r = PB_ERR_CONFIG;
		break;
	}
	return r;
}

static void
claims_free(struct pb_claim_req *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].value);
	}
	free(c);
}

/*
 * Add a require_claim to cfg; with replace, the new one replaces all that
 * were there (the first module argument overrides the file's list).
 */
static int
add_claim(struct pb_conf *cfg, struct pb_claim_req *c, int replace)
{
	struct pb_claim_req *v;
	size_t keep = replace ? 0 : cfg->n_require_claim;

	if ((v = calloc(keep + 1, sizeof(*v))) == NULL)
		return PB_ERR_NOMEM;
	if (keep > 0)
		memcpy(v, cfg->require_claim, keep * sizeof(*v));
	v[keep] = *c;
	c->name = c->value = NULL;	/* transferred */
	if (replace)
		claims_free(cfg->require_claim, cfg->n_require_claim);
	else
		free(cfg->require_claim);
	cfg->require_claim = v;
	cfg->n_require_claim = keep + 1;
	return PB_OK;
}

/* Store a parsed value; only T_CLAIMREQ can fail (PB_ERR_NOMEM). */
static int
commit(struct pb_conf *cfg, const struct key *k, struct val *v, int replace)
{
	void *base = (char *)cfg + k->off;
	struct pb_strlist *l;
	char **s;

	switch (k->type) {
	case T_LIST:
	case T_ULIST:
		l = base;
		pb_strlist_clear(l);
		*l = v->list;
		v->list.v = NULL;
		v->list.n = 0;
		break;
	case T_ALGS:
		cfg->algorithms = v->mask;
		break;
	case T_PATH:
	case T_CLAIM:
	case T_PROMPT:
		s = base;
		free(*s);
		*s = v->s;
		v->s = NULL;
		break;
	case T_LONG:
	case T_DURATION:
		*(long *)base = v->n;
		break;
	case T_SIZE:
		*(size_t *)base = (size_t)v->n;
		break;
	case T_BOOL:
		*(int *)base = (int)v->n;
		break;
	case T_CLAIMREQ:
		return add_claim(cfg, &v->claim, replace);
	}
	return PB_OK;
}

int
pb_conf_new(struct pb_conf **out)
{
	struct pb_conf *cfg = NULL;
	int r = PB_ERR_NOMEM;

	*out = NULL;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		goto out;
	cfg->algorithms = pb_alg_default_mask();
	cfg->leeway = 60;
	cfg->max_token_age = 0;
	cfg->max_token_size = 16384;
	/* Tokens log in as root only when the admin says so (issue 11). */
	if (pb_strlist_split(PB_CONF_DEFAULT_DENY_USERS, &cfg->deny_users,
	    NULL) != PB_OK ||
	    (cfg->jwks_file = strdup(PB_CONF_DEFAULT_JWKS)) == NULL ||
	    (cfg->username_claim = strdup("sub")) == NULL ||
	    (cfg->groups_claim = strdup("groups")) == NULL ||
	    (cfg->prompt = strdup(PB_CONF_DEFAULT_PROMPT)) == NULL)
		goto out;
	*out = cfg;
	cfg = NULL;
	r = PB_OK;
 out:
	pb_conf_free(cfg);
	return r;
}

void
pb_conf_free(struct pb_conf *cfg)
{
	if (cfg == NULL)
		return;
	pb_strlist_clear(&cfg->issuers);
	pb_strlist_clear(&cfg->audiences);
	pb_strlist_clear(&cfg->require_scope);
	pb_strlist_clear(&cfg->require_groups);
	pb_strlist_clear(&cfg->deny_users);
	claims_free(cfg->require_claim, cfg->n_require_claim);
	free(cfg->jwks_file);
	free(cfg->hmac_secret_file);
	free(cfg->username_claim);
	free(cfg->usermap_file);
	free(cfg->groups_claim);
	free(cfg->denylist_file);
	free(cfg->replay_cache);
	free(cfg->prompt);
	free(cfg);
}

/*
 * A file gives each key once (require_claim adds up).  A module argument
 * replaces whatever the file said, in either order of calls: a file value
 * for a key that an argument already set is checked, then dropped.  Each
 * key may be given once on the module line too, since silently picking one
 * of two conflicting values is what the duplicate rule is there to stop.
 */
int
pb_conf_set(struct pb_conf *cfg, enum pb_conf_src src, const char *key,
    const char *value, const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sk[PB_SAFE_BUFSZ];
	struct val v;
	const struct key *k;
	const char *dym;
	unsigned bit;
	int r = PB_ERR_INTERNAL, replace = 0;

	memset(&v, 0, sizeof(v));
	if (value == NULL)
		value = "";
	pb_log_safe(key, sk, sizeof(sk));
	if (key == NULL || (k = key_by_name(key)) == NULL) {
		if (key != NULL && (dym = did_you_mean(key)) != NULL)
			report(logfn, ctx, where, "unknown key '%s' (did you "
			    "mean '%s'?)", sk, dym);
		else
			report(logfn, ctx, where, "unknown key '%s'", sk);
		r = PB_ERR_CONFIG;
		goto out;
	}
	bit = KBIT(key_id(k));
	if (*value == '\0' && k->type != T_ULIST) {
		report(logfn, ctx, where, "%s: empty value", k->name);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if (k->type != T_CLAIMREQ && (src == PB_CONF_FILE ?
	    (cfg->seen & ~cfg->from_arg & bit) != 0 :
	    (cfg->from_arg & bit) != 0)) {
		report(logfn, ctx, where, "duplicate key '%s'", k->name);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if ((r = parse_value(k, value, &v, where, logfn, ctx)) != PB_OK)
		goto out;
	if (src == PB_CONF_FILE && (cfg->from_arg & bit) != 0) {
		r = PB_OK;	/* the argument wins */
		goto out;
	}
	if (src == PB_CONF_ARG && (cfg->from_arg & bit) == 0)
		replace = 1;
	if ((r = commit(cfg, k, &v, replace)) != PB_OK)
		goto out;
	cfg->seen |= bit;
	if (src == PB_CONF_ARG)
		cfg->from_arg |= bit;
	r = PB_OK;
 out:
	val_free(&v);
	return r;
}

/*
 * Move the keys that the file set (mask) from tmp into cfg.  The one step
 * that allocates, joining require_claim lists, comes first, so that cfg is
 * either fully updated or untouched.
 */
static int
merge(struct pb_conf *cfg, struct pb_conf *tmp, unsigned mask)
{
	struct pb_claim_req *c = NULL;
	struct pb_strlist l, *ld, *ls;
	char *s, **sd, **ss;
	void *base, *tbase;
	size_t i, n;

	if ((mask & KBIT(K_REQUIRE_CLAIM)) != 0) {
		n = cfg->n_require_claim + tmp->n_require_claim;
		if ((c = calloc(n, sizeof(*c))) == NULL)
			return PB_ERR_NOMEM;
		if (cfg->n_require_claim > 0)
			memcpy(c, cfg->require_claim,
			    cfg->n_require_claim * sizeof(*c));
		memcpy(c + cfg->n_require_claim, tmp->require_claim,
		    tmp->n_require_claim * sizeof(*c));
		free(cfg->require_claim);
		free(tmp->require_claim);
		cfg->require_claim = c;
		cfg->n_require_claim = n;
		tmp->require_claim = NULL;
		tmp->n_require_claim = 0;
	}
	/* Swap what owns memory, so that freeing tmp frees cfg's old one. */
	for (i = 0; i < K_COUNT; i++) {
		if ((mask & KBIT(i)) == 0)
			continue;
		base = (char *)cfg + keys[i].off;
		tbase = (char *)tmp + keys[i].off;
		switch (keys[i].type) {
		case T_LIST:
		case T_ULIST:
			ld = base;
			ls = tbase;
			l = *ld;
			*ld = *ls;
			*ls = l;
			break;
		case T_ALGS:
			cfg->algorithms = tmp->algorithms;
			break;
		case T_PATH:
		case T_CLAIM:
		case T_PROMPT:
			sd = base;
			ss = tbase;
			s = *sd;
			*sd = *ss;
			*ss = s;
			break;
		case T_LONG:
		case T_DURATION:
			*(long *)base = *(long *)tbase;
			break;
		case T_SIZE:
			*(size_t *)base = *(size_t *)tbase;
			break;
		case T_BOOL:
			*(int *)base = *(int *)tbase;
			break;
		case T_CLAIMREQ:
			break;		/* joined above */
		}
	}
	cfg->seen |= mask;
	return PB_OK;
}

/*
 * Parse one line of the file (NUL-terminated, newline removed) into tmp.
 * first[] holds the line where each key was first given, for duplicates.
 */
static int
parse_line(struct pb_conf *tmp, char *line, size_t len, size_t lineno,
    size_t *first, const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	const struct key *k;
	char *p, *eq, *ke, *val, *ve;
	size_t i;

	/* CRLF files (edited on Windows) are fine: drop one trailing \r. */
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			report(logfn, ctx, where, "control character 0x%02x "
			    "in line (is this a text file?)", c);
			return PB_ERR_CONFIG;
		}
	}
	for (p = line; pb_strlist_is_blank(*p); p++)
		;
	if (*p == '\0' || *p == '#')
		return PB_OK;
	if ((eq = strchr(p, '=')) == NULL) {
		report(logfn, ctx, where, "'%s' is not a 'key = value' line",
		    pb_log_safe(p, sv, sizeof(sv)));
		return PB_ERR_CONFIG;
	}
	for (ke = eq; ke > p && pb_strlist_is_blank(ke[-1]); ke--)
		;
	if (ke == p) {
		report(logfn, ctx, where, "no key before '='");
		return PB_ERR_CONFIG;
	}
	*ke = '\0';
	for (val = eq + 1; pb_strlist_is_blank(*val); val++)
		;
	for (ve = val + strlen(val); ve > val &&
	    pb_strlist_is_blank(ve[-1]); ve--)
		;
	*ve = '\0';
	if ((k = key_by_name(p)) != NULL && k->type != T_CLAIMREQ) {
		i = key_id(k);
		if (first[i] != 0) {
			report(logfn, ctx, where, "duplicate key '%s' (first "
			    "given on line %zu)", k->name, first[i]);
			return PB_ERR_CONFIG;
		}
		first[i] = lineno;
	}
	return pb_conf_set(tmp, PB_CONF_FILE, p, val, where, logfn, ctx);
}

int
pb_conf_set_arg(struct pb_conf *cfg, const char *arg, const char *where,
    pb_conf_log_fn *logfn, void *ctx)
{
	char key[64], sv[PB_SAFE_BUFSZ];
	const char *eq = strchr(arg, '=');
	size_t klen;

	if (eq == NULL) {
		report(logfn, ctx, where, "'%s' is not key=value",
		    pb_log_safe(arg, sv, sizeof(sv)));
		return PB_ERR_CONFIG;
	}
	/* A longer key is unknown anyway: cut it, the message says so. */
	klen = (size_t)(eq - arg);
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;
	memcpy(key, arg, klen);
	key[klen] = '\0';
	return pb_conf_set(cfg, PB_CONF_ARG, key, eq + 1, where, logfn, ctx);
}

int
pb_conf_load(struct pb_conf *cfg, const char *path, pb_conf_log_fn *logfn,
    void *ctx)
{
	char where[MSG_MAX / 2];
	size_t first[K_COUNT];
	struct pb_conf *tmp = NULL;
	struct pb_err e;
	char *buf = NULL, *line, *nl, *end;
	size_t len = 0, lineno = 0, ll;
	unsigned before;
	int r = PB_ERR_INTERNAL, bad = 0, lr;

	pb_err_clear(&e);
	memset(first, 0, sizeof(first));
	if ((r = pb_file_read(path, PB_CONF_MAX_FILE, 0, &buf, &len, &e))
	    != PB_OK) {
		if (r == PB_ERR_NOMEM)
			goto out;
		/* file.c's messages name the path. */
		report(logfn, ctx, NULL, "%s", pb_err_msg(&e));
		r = r == PB_ERR_TOOBIG ? PB_ERR_CONFIG : PB_ERR_IO;
		goto out;
	}
	/*
	 * Parse into a scratch configuration that knows which keys are
	 * already set, then merge: cfg is untouched unless all is well.
	 */
	if ((r = pb_conf_new(&tmp)) != PB_OK)
		goto out;
	tmp->from_arg = cfg->from_arg;
	tmp->seen = before = cfg->seen & ~cfg->from_arg;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		line = buf + 3;		/* a UTF-8 byte order mark */
	else
		line = buf;
	for (end = buf + len; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		*nl = '\0';
		ll = (size_t)(nl - line);
		(void)snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (ll > PB_CONF_MAX_LINE) {
			report(logfn, ctx, where, "line is longer than %d "
			    "bytes", PB_CONF_MAX_LINE);
			bad = 1;
			continue;
		}
		if (memchr(line, '\0', ll) != NULL) {
			report(logfn, ctx, where, "NUL byte in line (is this a "
			    "text file?)");
			bad = 1;
			continue;
		}
		lr = parse_line(tmp, line, ll, lineno, first, where, logfn,
		    ctx);
		if (lr == PB_ERR_NOMEM) {
			r = lr;
			goto out;
		}
		if (lr != PB_OK)
			bad = 1;
	}
	if (bad) {
		r = PB_ERR_CONFIG;
		goto out;
	}
	r = merge(cfg, tmp, tmp->seen & ~before);
 out:
	pb_conf_free(tmp);
	free(buf);
	return r;
}

/* The mask of the HMAC algorithms, and their names for messages. */
static unsigned
hs_mask(unsigned in, char *names, size_t namesz)
{
	const struct pb_alg *a;
	unsigned mask = 0;
	size_t i, o = 0;
	int n;

	names[0] = '\0';
	for (i = 0; (a = pb_alg_at(i)) != NULL; i++) {
		if (a->kty != PB_KTY_OCT || (a->bit & in) == 0)
			continue;
		mask |= a->bit;
		n = snprintf(names + o, namesz - o, "%s%s", o > 0 ? " " : "",
		    a->name);
		if (n > 0 && (size_t)n < namesz - o)
			o += (size_t)n;
	}
	return mask;
}

int
pb_conf_check(const struct pb_conf *cfg, pb_conf_log_fn *logfn, void *ctx)
{
	char names[128];
	unsigned hs;
	int r = PB_OK;

	if (cfg->issuers.n == 0) {
		report(logfn, ctx, NULL, "issuer is not set (add 'issuer = "
		    "URL', the exact 'iss' of your tokens)");
		r = PB_ERR_CONFIG;
	}
	if (cfg->audiences.n == 0) {
		report(logfn, ctx, NULL, "audience is not set (add "
		    "'audience = NAME', an 'aud' value of your tokens)");
		r = PB_ERR_CONFIG;
	}
	if (cfg->algorithms == 0) {
		report(logfn, ctx, NULL, "algorithms is empty (name at least "
		    "one, e.g. RS256)");
		r = PB_ERR_CONFIG;
	}
	/*
	 * HMAC needs a shared secret; and a secret with no HS algorithm
	 * allowed is dead configuration that hides a mistake.
	 */
	hs = hs_mask(cfg->algorithms, names, sizeof(names));
	if (hs != 0 && cfg->hmac_secret_file == NULL) {
		report(logfn, ctx, NULL, "algorithms has %s but "
		    "hmac_secret_file is not set (set hmac_secret_file, or "
		    "remove %s from algorithms)", names, names);
		r = PB_ERR_CONFIG;
	}
	if (hs == 0 && cfg->hmac_secret_file != NULL) {
		(void)hs_mask(~0u, names, sizeof(names));
		report(logfn, ctx, NULL, "hmac_secret_file is set but "
		    "algorithms has none of %s (add one to algorithms, or "
		    "remove hmac_secret_file)", names);
		r = PB_ERR_CONFIG;
	}
	return r;
}
