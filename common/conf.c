/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "conf.h"
#include "conf_key.h"
#include "err.h"
#include "jwk.h"

/*
 * The pam_bearer.conf parser (DESIGN.md section 2).  Every value is parsed
 * and checked into a struct val first and only then committed, so a bad
 * value never leaves cfg half-changed.  Messages go to the caller's log
 * callback (the faillock config_log idea): common/ never logs itself.
 *
 * This file has the key table and sets one key (pb_conf_set); the value
 * parsers are in conf_value.c, reading a file and pb_conf_check in
 * conf_load.c, the list type in strlist.c.
 */

#define F(m)	offsetof(struct pb_conf, m)

/* Indexed by enum key_id. */
const struct key pb_conf_keys[K_COUNT] = {
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
	[K_REQUIRE_POP] = { "require_pop", T_BOOL, F(require_pop), 0, 0,
	    NULL },
	/* Names in the proof's htu; unset, the module asks the resolver. */
	[K_HOST_NAMES] = { "host_names", T_LIST, F(host_names), 0, 0, NULL },
	/* Whether a refused user reads the reason too, not only the log. */
	[K_SHOW_REASON] = { "show_reason", T_BOOL, F(show_reason), 0, 0,
	    NULL },
	/* The PAM services the module answers in; unset, all of them. */
	[K_SERVICES] = { "services", T_LIST, F(services), 0, 0, NULL },
	/* More issuers, one complete configuration per file (conf_dir.c). */
	[K_ISSUERS_DIR] = { "issuers_dir", T_PATH, F(issuers_dir), 0, 0,
	    NULL },
};

#undef F

/* Send "where: message" to the log callback, if there is one. */
void
pb_conf_report(pb_conf_log_fn *logfn, void *ctx, const char *where,
    const char *fmt, ...)
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

const struct key *
pb_conf_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < K_COUNT; i++)
		if (strcmp(pb_conf_keys[i].name, name) == 0)
			return &pb_conf_keys[i];
	return NULL;
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
		if ((d = edit_distance(pb_conf_keys[i].name, name)) < bestd) {
			bestd = d;
			best = pb_conf_keys[i].name;
		}
	}
	return best;
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

/* The size of a field of type t (0: T_CLAIMREQ, an array and a count). */
static size_t
field_size(enum key_type t)
{
	switch (t) {
	case T_LIST:
	case T_ULIST:
		return sizeof(struct pb_strlist);
	case T_ALGS:
		return sizeof(unsigned);
	case T_PATH:
	case T_CLAIM:
	case T_PROMPT:
		return sizeof(char *);
	case T_LONG:
	case T_DURATION:
		return sizeof(long);
	case T_SIZE:
		return sizeof(size_t);
	case T_BOOL:
		return sizeof(int);
	case T_CLAIMREQ:
		break;
	}
	return 0;
}

void
pb_conf_field_swap(const struct key *k, void *a, void *b)
{
	unsigned char *x = a, *y = b, t;
	size_t i, n = field_size(k->type);

	for (i = 0; i < n; i++) {
		t = x[i];
		x[i] = y[i];
		y[i] = t;
	}
}

/*
 * Store a parsed value: it changes places with the old one, which the
 * caller's pb_conf_value_free() then frees.  Only T_CLAIMREQ can fail
 * (PB_ERR_NOMEM).
 */
static int
commit(struct pb_conf *cfg, const struct key *k, struct val *v, int replace)
{
	union {
		unsigned	 mask;
		size_t		 z;
		int		 b;
	} num;
	void *src = &v->n;		/* T_LONG, T_DURATION */

	switch (k->type) {
	case T_CLAIMREQ:
		return add_claim(cfg, &v->claim, replace);
	case T_LIST:
	case T_ULIST:
		src = &v->list;
		break;
	case T_PATH:
	case T_CLAIM:
	case T_PROMPT:
		src = &v->s;
		break;
	case T_ALGS:
		num.mask = v->mask;
		src = &num.mask;
		break;
	case T_SIZE:
		num.z = (size_t)v->n;
		src = &num.z;
		break;
	case T_BOOL:
		num.b = (int)v->n;
		src = &num.b;
		break;
	case T_LONG:
	case T_DURATION:
		break;
	}
	pb_conf_field_swap(k, (char *)cfg + k->off, src);
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
	    (cfg->prompt = strdup(PB_CONF_DEFAULT_PROMPT)) == NULL ||
	    (cfg->issuers_dir = strdup(PB_CONF_DEFAULT_ISSUERS_DIR)) == NULL)
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
	pb_strlist_clear(&cfg->host_names);
	pb_strlist_clear(&cfg->services);
	claims_free(cfg->require_claim, cfg->n_require_claim);
	free(cfg->jwks_file);
	free(cfg->hmac_secret_file);
	free(cfg->username_claim);
	free(cfg->usermap_file);
	free(cfg->groups_claim);
	free(cfg->denylist_file);
	free(cfg->replay_cache);
	free(cfg->prompt);
	free(cfg->issuers_dir);
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
	if (key == NULL || (k = pb_conf_key_find(key)) == NULL) {
		if (key != NULL && (dym = did_you_mean(key)) != NULL)
			pb_conf_report(logfn, ctx, where, "unknown key '%s' "
			    "(did you mean '%s'?)", sk, dym);
		else
			pb_conf_report(logfn, ctx, where, "unknown key '%s'",
			    sk);
		r = PB_ERR_CONFIG;
		goto out;
	}
	bit = KBIT(key_id(k));
	if (*value == '\0' && k->type != T_ULIST) {
		pb_conf_report(logfn, ctx, where, "%s: empty value", k->name);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if (k->type != T_CLAIMREQ && (src == PB_CONF_FILE ?
	    (cfg->seen & ~cfg->from_arg & bit) != 0 :
	    (cfg->from_arg & bit) != 0)) {
		pb_conf_report(logfn, ctx, where, "duplicate key '%s'",
		    k->name);
		r = PB_ERR_CONFIG;
		goto out;
	}
	if ((r = pb_conf_value_parse(k, value, &v, where, logfn, ctx)) != PB_OK)
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
	pb_conf_value_free(&v);
	return r;
}

int
pb_conf_set_arg(struct pb_conf *cfg, const char *arg, const char *where,
    pb_conf_log_fn *logfn, void *ctx)
{
	char key[64], sv[PB_SAFE_BUFSZ];
	const char *eq = strchr(arg, '=');
	size_t klen;

	if (eq == NULL) {
		pb_conf_report(logfn, ctx, where, "'%s' is not key=value",
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