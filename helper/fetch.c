/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token fetch-jwks: the server side (DESIGN.md section 3).  Keeps
 * the module's JWK Set file fresh from the IdP: discovery, jwks_uri, every
 * key validated by the same code the module uses, keys the IdP no longer
 * publishes kept for a grace period (tokens they signed may still be in
 * use), written atomically, mode 0644.  On any problem the old file stays
 * as it was: a good file is never replaced by a bad one.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "conf.h"
#include "err.h"
#include "file.h"
#include "hconf.h"
#include "http.h"
#include "json.h"
#include "jwk.h"
#include "net.h"
#include "oauth.h"
#include "pdir.h"

#define RETIRED		"x-pam-bearer-retired-at"	/* our JWK member */
#define KEEP_DEFAULT	(24 * 3600)

struct fopts {
	const char	*issuer;
	const char	*output;
	const char	*config;
	const char	*ca_file;
	long		 timeout;
	long		 keep;		/* seconds */
};

/* "90", "90s", "15m", "24h", "7d": seconds, or -1. */
static long
duration(const char *s)
{
	char *end;
	long v, mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (*end == 'd')
		mul = 86400;
	else if (*end == 'h')
		mul = 3600;
	else if (*end == 'm')
		mul = 60;
	else if (*end != 's' && *end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > 366L * 86400 / mul)
		return -1;
	return v * mul;
}

static int
fetch_args(int argc, char **argv, struct fopts *o)
{
	char sb[PB_SAFE_BUFSZ];
	const char *v;
	char *end;
	int i;

	memset(o, 0, sizeof(*o));
	o->keep = KEEP_DEFAULT;
	for (i = 1; i < argc; i++) {
		v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL)
			goto bad;
		if (strcmp(argv[i], "--issuer") == 0)
			o->issuer = v;
		else if (strcmp(argv[i], "--output") == 0)
			o->output = v;
		else if (strcmp(argv[i], "--config") == 0)
			o->config = v;
		else if (strcmp(argv[i], "--ca-file") == 0)
			o->ca_file = v;
		else if (strcmp(argv[i], "--keep-retired") == 0) {
			if ((o->keep = duration(v)) < 0) {
				fprintf(stderr, "%s: fetch-jwks: --keep-retired "
				    "takes a duration such as 3600, 90m, 24h "
				    "or 7d (at most a year)\n", PB_PROG);
				return PB_EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--timeout") == 0) {
			errno = 0;
			o->timeout = strtol(v, &end, 10);
			if (errno != 0 || *end != '\0' || o->timeout < 1 ||
			    o->timeout > PB_HCONF_TIMEOUT_MAX)
				goto bad;
		} else
			goto bad;
		i++;
	}
	return PB_EXIT_OK;
 bad:
	fprintf(stderr, "%s: fetch-jwks: bad argument '%s'\n", PB_PROG,
	    pb_log_safe(argv[i], sb, sizeof(sb)));
	pb_cmd_help("fetch-jwks", 1);
	return PB_EXIT_USAGE;
}

/* The issuer and the output file from the module's configuration. */
static int
from_module_conf(struct fopts *o, struct pb_conf **cfgp)
{
	const char *path = o->config != NULL ? o->config :
	    "/etc/security/pam_bearer.conf";
	struct pb_conf *cfg = NULL;

	*cfgp = NULL;
	if (pb_conf_new(&cfg) != PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	*cfgp = cfg;
	if (pb_conf_load(cfg, path, pb_log_conf, NULL) != PB_OK) {
		fprintf(stderr, "%s: fetch-jwks: give --issuer and --output, "
		    "or fix the module's configuration\n", PB_PROG);
		return PB_EXIT_CONFIG;
	}
	if (o->issuer == NULL && cfg->issuers.n > 0)
		o->issuer = cfg->issuers.v[0];
	if (o->output == NULL)
		o->output = cfg->jwks_file;
	return PB_EXIT_OK;
}

/* The kid of a JWK object, or NULL. */
static const char *
kid_of(const cJSON *k)
{
	return pb_json_get_string(k, "kid");
}

/* Whether the array holds a key with this kid. */
static int
has_kid(const cJSON *keys, const char *kid)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, keys)
		if (kid_of(k) != NULL && strcmp(kid_of(k), kid) == 0)
			return 1;
	return 0;
}

/*
 * The IdP's signing keys that the module can use, each checked by
 * pb_jwk_from_json(); others are left out with a note.  Returns the count.
 */
static int
take_new(const cJSON *in, cJSON *out)
{
	char sb[PB_SAFE_BUFSZ];
	const cJSON *k;
	struct pb_jwk *jwk;
	struct pb_err e;
	const char *use;
	cJSON *dup;
	int n = 0, i = 0;

	cJSON_ArrayForEach(k, in) {
		i++;
		use = pb_json_get_string(k, "use");
		if (use != NULL && strcmp(use, "sig") != 0)
			continue;	/* encryption keys: not ours */
		pb_err_clear(&e);
		if (pb_jwk_from_json(k, 0, &jwk, &e) != PB_OK) {
			fprintf(stderr, "%s: fetch-jwks: leaving out key %d "
			    "(kid '%s'): %s\n", PB_PROG, i,
			    kid_of(k) != NULL ? pb_log_safe(kid_of(k), sb,
			    sizeof(sb)) : "none", pb_err_msg(&e));
			continue;
		}
		pb_jwk_free(jwk);
		if ((dup = cJSON_Duplicate(k, 1)) == NULL)
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(dup, RETIRED);
		cJSON_AddItemToArray(out, dup);
		n++;
	}
	return n;
}

/* Signing entries of keys (use absent or "sig") with this kid. */
static int
signing_twins(const cJSON *keys, const char *kid)
{
	const cJSON *k, *use;
	int n = 0;

	cJSON_ArrayForEach(k, keys) {
		use = pb_json_get(k, "use");
		if (kid_of(k) != NULL && strcmp(kid_of(k), kid) == 0 &&
		    (use == NULL || (cJSON_IsString(use) &&
		    strcmp(use->valuestring, "sig") == 0)))
			n++;
	}
	return n;
}

/*
 * Keys of the old file the IdP no longer publishes, kept until keep
 * seconds after the first run that found them gone, which marks them with
 * that time.  Only keys the module would use as signing keys are kept: an
 * encryption key, a key the loader refuses, or a kid on two signing keys
 * would make the merged set load fewer keys than it lists, and every
 * later run fail.  Returns the count kept.
 */
static int
keep_retired(const char *path, long keep, int64_t now, cJSON *out)
{
	char sb[PB_SAFE_BUFSZ];
	char *buf = NULL;
	size_t len = 0;
	const cJSON *k, *keys, *at;
	cJSON *old = NULL, *dup;
	struct pb_jwk *jwk;
	struct pb_err e;
	int64_t since;
	int n = 0, i = 0;

	pb_err_clear(&e);
	if (keep == 0)
		return 0;
	/* No old file is fine; one we cannot read is a problem. */
	if (pb_file_read(path, PB_JWKS_MAX, 0, &buf, &len, &e) != PB_OK) {
		if (access(path, F_OK) == -1 && errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: fetch-jwks: cannot read the old set: %s\n",
		    PB_PROG, pb_err_msg(&e));
		return -1;
	}
	if (pb_json_parse(buf, len, PB_JWKS_MAX, "old JWK Set", &old, &e) !=
	    PB_OK || !cJSON_IsArray(keys = pb_json_get(old, "keys"))) {
		fprintf(stderr, "%s: fetch-jwks: note: the old set is not a "
		    "JWK Set (%s); no retired keys kept\n", PB_PROG,
		    pb_err_msg(&e));
		goto out;
	}
	/* A key without kid could not be told from a retired one. */
	cJSON_ArrayForEach(k, out)
		if (kid_of(k) == NULL)
			goto out;
	cJSON_ArrayForEach(k, keys) {
		i++;
		if (kid_of(k) == NULL || has_kid(out, kid_of(k)))
			continue;
		pb_log_safe(kid_of(k), sb, sizeof(sb));
		pb_err_clear(&e);
		if (pb_jwk_from_json(k, 0, &jwk, &e) != PB_OK) {
			fprintf(stderr, "%s: fetch-jwks: not keeping key %d of "
			    "the old set (kid '%s'): %s\n", PB_PROG, i, sb,
			    pb_err_msg(&e));
			continue;
		}
		pb_jwk_free(jwk);
		if (signing_twins(keys, kid_of(k)) > 1) {
			fprintf(stderr, "%s: fetch-jwks: not keeping key %d of "
			    "the old set: kid '%s' names more than one signing "
			    "key\n", PB_PROG, i, sb);
			continue;
		}
		/* No mark yet: gone since now, and marked so from now on. */
		since = now;
		if ((at = pb_json_get(k, RETIRED)) != NULL &&
		    pb_json_time(at, 0, &since) != PB_OK)
			since = now;
		if (since > now)
			since = now;	/* a clock set back: no longer grace */
		if (now - since >= keep)
			continue;
		if ((dup = cJSON_Duplicate(k, 1)) == NULL)
			break;
		cJSON_DeleteItemFromObjectCaseSensitive(dup, RETIRED);
		cJSON_AddNumberToObject(dup, RETIRED, (double)since);
		cJSON_AddItemToArray(out, dup);
		n++;
	}
 out:
	cJSON_Delete(old);
	free(buf);
	return n;
}

/* pb_jwks_skip_fn: why the module would leave a key out. */
static void
skip_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: fetch-jwks: %s\n", PB_PROG, msg);
}

/* Split path into its directory and its last component (copies). */
static int
split(const char *path, char **dir, char **name)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = strdup(".");
		*name = strdup(path);
	} else {
		*dir = slash == path ? strdup("/") :
		    strndup(path, (size_t)(slash - path));
		*name = strdup(slash + 1);
	}
	return *dir != NULL && *name != NULL && **name != '\0' ? 0 : -1;
}

int
pb_net_fetch_jwks(int argc, char **argv)
{
	char sp[PB_PATH_BUFSZ];
	struct fopts o;
	struct pb_conf *cfg = NULL;
	struct pb_http http;
	struct pb_oidc_meta meta;
	struct pb_http_resp resp;
	struct pb_jwks *set = NULL;
	struct pb_pdir d = { NULL, -1 };
	struct pb_err e;
	cJSON *doc = NULL, *out = NULL, *keys;
	const cJSON *in;
	char *text = NULL, *dir = NULL, *name = NULL, *old = NULL;
	size_t oldlen = 0;
	int64_t now = (int64_t)time(NULL);
	int rv, r, fresh, kept;

	memset(&meta, 0, sizeof(meta));
	memset(&resp, 0, sizeof(resp));
	pb_err_clear(&e);
	if ((rv = fetch_args(argc, argv, &o)) != PB_EXIT_OK)
		return rv;
	if ((o.issuer == NULL || o.output == NULL) &&
	    (rv = from_module_conf(&o, &cfg)) != PB_EXIT_OK)
		goto out;
	if (o.issuer == NULL || o.output == NULL) {
		fprintf(stderr, "%s: fetch-jwks: no %s: give %s or set it in "
		    "the module's configuration\n", PB_PROG,
		    o.issuer == NULL ? "issuer" : "output file",
		    o.issuer == NULL ? "--issuer" : "--output");
		rv = PB_EXIT_CONFIG;
		goto out;
	}
	pb_http_init(&http);
	http.ca_file = o.ca_file;
	if (o.timeout > 0)
		http.timeout = o.timeout;
	http.body_max = PB_JWKS_MAX;
	if ((r = pb_oidc_discover(o.issuer, &http, &meta, &e)) != PB_OK) {
		fprintf(stderr, "%s: fetch-jwks: discovery failed: %s\n",
		    PB_PROG, pb_err_msg(&e));
		rv = r == PB_ERR_CONFIG || r == PB_ERR_ISS ? PB_EXIT_CONFIG :
		    PB_EXIT_TEMP;
		goto out;
	}
	if (meta.jwks_uri == NULL) {
		fprintf(stderr, "%s: fetch-jwks: the IdP advertises no "
		    "jwks_uri\n", PB_PROG);
		rv = PB_EXIT_CONFIG;
		goto out;
	}
	if ((r = pb_http_get(&http, meta.jwks_uri, "jwks_uri", &resp, &e)) !=
	    PB_OK || resp.status != 200) {
		if (r == PB_OK)
			pb_err_set(&e, PB_ERR_HTTP, "HTTP %ld from jwks_uri",
			    resp.status);
		fprintf(stderr, "%s: fetch-jwks: %s; %s left as it was\n",
		    PB_PROG, pb_err_msg(&e), pb_log_path(o.output, sp,
		    sizeof(sp)));
		rv = PB_EXIT_TEMP;
		goto out;
	}
	if (pb_json_parse(resp.body.p, resp.body.len, PB_JWKS_MAX,
	    "the IdP's JWK Set", &doc, &e) != PB_OK ||
	    !cJSON_IsArray(in = pb_json_get(doc, "keys"))) {
		fprintf(stderr, "%s: fetch-jwks: %s; %s left as it was\n",
		    PB_PROG, pb_err_msg(&e)[0] != '\0' ? pb_err_msg(&e) :
		    "the IdP's JWK Set has no \"keys\" array",
		    pb_log_path(o.output, sp, sizeof(sp)));
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if ((out = cJSON_CreateObject()) == NULL ||
	    (keys = cJSON_AddArrayToObject(out, "keys")) == NULL ||
	    (fresh = take_new(in, keys)) < 0) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if (fresh == 0) {
		fprintf(stderr, "%s: fetch-jwks: the IdP's JWK Set has no "
		    "signing key the module can use; %s left as it was\n",
		    PB_PROG, pb_log_path(o.output, sp, sizeof(sp)));
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if ((kept = keep_retired(o.output, o.keep, now, keys)) < 0) {
		fprintf(stderr, "%s: fetch-jwks: %s left as it was\n", PB_PROG,
		    pb_log_path(o.output, sp, sizeof(sp)));
		rv = PB_EXIT_FAIL;
		goto out;
	}
	/* What the module will load, checked as it will check it. */
	if ((text = cJSON_PrintUnformatted(out)) == NULL ||
	    pb_jwks_parse(text, strlen(text), 0, o.output, skip_note, NULL,
	    &set, &e) != PB_OK || set->n < (size_t)(fresh + kept)) {
		if (set != NULL)
			pb_err_set(&e, PB_ERR_KEY, "the module would use %zu "
			    "of its %d keys (two with one kid?)", set->n,
			    fresh + kept);
		fprintf(stderr, "%s: fetch-jwks: the new set does not load: "
		    "%s; %s left as it was\n", PB_PROG, pb_err_msg(&e),
		    pb_log_path(o.output, sp, sizeof(sp)));
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if (pb_file_read(o.output, PB_JWKS_MAX, 0, &old, &oldlen, &e) ==
	    PB_OK && oldlen == strlen(text) && memcmp(old, text, oldlen) == 0) {
		printf("%s: unchanged (%d keys, %d retired kept)\n",
		    pb_log_path(o.output, sp, sizeof(sp)), fresh, kept);
		rv = PB_EXIT_OK;
		goto out;
	}
	pb_err_clear(&e);
	if (split(o.output, &dir, &name) == -1) {
		fprintf(stderr, "%s: fetch-jwks: bad output path\n", PB_PROG);
		rv = PB_EXIT_USAGE;
		goto out;
	}
	if (pb_pdir_open(&d, dir, PB_PDIR_PUBLIC, &e) != PB_OK ||
	    pb_pdir_write_mode(&d, name, text, strlen(text), 0644, &e) !=
	    PB_OK) {
		fprintf(stderr, "%s: fetch-jwks: %s\n", PB_PROG,
		    pb_err_msg(&e));
		rv = PB_EXIT_FAIL;
		goto out;
	}
	printf("%s: written (%d keys from the IdP, %d retired kept)\n",
	    pb_log_path(o.output, sp, sizeof(sp)), fresh, kept);
	rv = PB_EXIT_OK;
 out:
	pb_pdir_close(&d);
	free(dir);
	free(name);
	free(old);
	cJSON_free(text);
	pb_jwks_free(set);
	cJSON_Delete(out);
	cJSON_Delete(doc);
	pb_http_resp_clear(&resp);
	pb_oidc_meta_clear(&meta);
	pb_conf_free(cfg);
	return rv;
}
