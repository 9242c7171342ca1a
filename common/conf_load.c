/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_key.h"
#include "err.h"
#include "file.h"
#include "jwk.h"

/*
 * Reading pam_bearer.conf: every line is set into a scratch configuration
 * and merged into the caller's only when the whole file is good; and the
 * check of the finished configuration.
 */

/*
 * Move the keys that the file set (mask) from tmp into cfg.  The one step
 * that allocates, joining require_claim lists, comes first, so that cfg is
 * either fully updated or untouched.
 */
static int
merge(struct pb_conf *cfg, struct pb_conf *tmp, unsigned mask)
{
	struct pb_claim_req *c = NULL;
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
	for (i = 0; i < K_COUNT; i++)
		if ((mask & KBIT(i)) != 0)
			pb_conf_field_swap(&pb_conf_keys[i],
			    (char *)cfg + pb_conf_keys[i].off,
			    (char *)tmp + pb_conf_keys[i].off);
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
			pb_conf_report(logfn, ctx, where, "control character "
			    "0x%02x in line (is this a text file?)", c);
			return PB_ERR_CONFIG;
		}
	}
	for (p = line; pb_strlist_is_blank(*p); p++)
		;
	if (*p == '\0' || *p == '#')
		return PB_OK;
	if ((eq = strchr(p, '=')) == NULL) {
		pb_conf_report(logfn, ctx, where, "'%s' is not a 'key = value' "
		    "line", pb_log_safe(p, sv, sizeof(sv)));
		return PB_ERR_CONFIG;
	}
	for (ke = eq; ke > p && pb_strlist_is_blank(ke[-1]); ke--)
		;
	if (ke == p) {
		pb_conf_report(logfn, ctx, where, "no key before '='");
		return PB_ERR_CONFIG;
	}
	*ke = '\0';
	for (val = eq + 1; pb_strlist_is_blank(*val); val++)
		;
	for (ve = val + strlen(val); ve > val &&
	    pb_strlist_is_blank(ve[-1]); ve--)
		;
	*ve = '\0';
	if ((k = pb_conf_key_find(p)) != NULL && k->type != T_CLAIMREQ) {
		i = key_id(k);
		if (first[i] != 0) {
			pb_conf_report(logfn, ctx, where, "duplicate key '%s' "
			    "(first given on line %zu)", k->name, first[i]);
			return PB_ERR_CONFIG;
		}
		first[i] = lineno;
	}
	return pb_conf_set(tmp, PB_CONF_FILE, p, val, where, logfn, ctx);
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
		pb_conf_report(logfn, ctx, NULL, "%s", pb_err_msg(&e));
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
			pb_conf_report(logfn, ctx, where, "line is longer than "
			    "%d bytes", PB_CONF_MAX_LINE);
			bad = 1;
			continue;
		}
		if (memchr(line, '\0', ll) != NULL) {
			pb_conf_report(logfn, ctx, where, "NUL byte in line "
			    "(is this a text file?)");
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
		pb_conf_report(logfn, ctx, NULL, "issuer is not set (add "
		    "'issuer = URL', the exact 'iss' of your tokens)");
		r = PB_ERR_CONFIG;
	}
	if (cfg->audiences.n == 0) {
		pb_conf_report(logfn, ctx, NULL, "audience is not set (add "
		    "'audience = NAME', an 'aud' value of your tokens)");
		r = PB_ERR_CONFIG;
	}
	if (cfg->algorithms == 0) {
		pb_conf_report(logfn, ctx, NULL, "algorithms is empty (name at "
		    "least one, e.g. RS256)");
		r = PB_ERR_CONFIG;
	}
	/*
	 * HMAC needs a shared secret; and a secret with no HS algorithm
	 * allowed is dead configuration that hides a mistake.
	 */
	hs = hs_mask(cfg->algorithms, names, sizeof(names));
	if (hs != 0 && cfg->hmac_secret_file == NULL) {
		pb_conf_report(logfn, ctx, NULL, "algorithms has %s but "
		    "hmac_secret_file is not set (set hmac_secret_file, or "
		    "remove %s from algorithms)", names, names);
		r = PB_ERR_CONFIG;
	}
	if (hs == 0 && cfg->hmac_secret_file != NULL) {
		(void)hs_mask(~0u, names, sizeof(names));
		pb_conf_report(logfn, ctx, NULL, "hmac_secret_file is set but "
		    "algorithms has none of %s (add one to algorithms, or "
		    "remove hmac_secret_file)", names);
		r = PB_ERR_CONFIG;
	}
	return r;
}

