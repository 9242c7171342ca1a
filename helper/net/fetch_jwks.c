/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token fetch-jwks: the server side (DESIGN.md section 3).  Keeps
 * the module's JWK Set file fresh from the IdP: discovery, jwks_uri, every
 * key validated by the same code the module uses, keys the IdP no longer
 * publishes kept for a grace period (tokens they signed may still be in
 * use), written atomically, mode 0644, in a canonical form (members by
 * name, keys by kid), so that the same keys are the same text however the
 * IdP orders them.  On any problem the old file stays as it was: a good
 * file is never replaced by a bad one.  After every good run the file's
 * mtime is now, also when nothing changed: it is the time of the last
 * successful sync, which the module's jwks_max_age reads.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "conf.h"
#include "err.h"
#include "file.h"
#include "profile.h"
#include "http.h"
#include "json.h"
#include "jwk.h"
#include "jwkset.h"
#include "net.h"
#include "oauth.h"
#include "privdir.h"

#define RETIRED		"x-pam-bearer-retired-at"	/* our JWK member */
#define KEEP_DEFAULT	(24 * 3600)
#define MAX_DROP	16

struct fopts {
	const char	*issuer;
	const char	*output;
	const char	*config;
	const char	*ca_file;
	long		 timeout;
	long		 keep;		/* seconds */
	const char	*drop[MAX_DROP];	/* --drop KID */
	size_t		 ndrop;
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
		} else if (strcmp(argv[i], "--drop") == 0) {
			if (*v == '\0')
				goto bad;
			if (o->ndrop == MAX_DROP) {
				fprintf(stderr, "%s: fetch-jwks: at most %d "
				    "--drop\n", PB_PROG, MAX_DROP);
				return PB_EXIT_USAGE;
			}
			o->drop[o->ndrop++] = v;
		} else if (strcmp(argv[i], "--timeout") == 0) {
			errno = 0;
			o->timeout = strtol(v, &end, 10);
			if (errno != 0 || *end != '\0' || o->timeout < 1 ||
			    o->timeout > PB_PROFILE_TIMEOUT_MAX)
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
	return pb_jwkset_kid(k);
}

/*
 * The IdP's signing keys that the module can use, each checked by
 * pb_jwk_from_json(); others are left out with a note.  Returns the count,
 * or -1 when out of memory.
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

/* The index of k's kid among the --drop kids, or -1. */
static int
drop_index(const struct fopts *o, const cJSON *k)
{
	size_t i;

	if (kid_of(k) == NULL)
		return -1;
	for (i = 0; i < o->ndrop; i++)
		if (strcmp(o->drop[i], kid_of(k)) == 0)
			return (int)i;
	return -1;
}

/*
 * Keys of the old set old (may be NULL) that the IdP no longer publishes
 * (their kid, or for a key without kid the key itself, is not among the
 * new keys in out),
 * kept until o->keep seconds after the first run that found them gone,
 * which marks them with that time.  Only keys the module would use as
 * signing keys are kept: an encryption key, a key the loader refuses, or
 * a kid on two signing keys would make the merged set load fewer keys than
 * it lists, and every later run fail.  Keys named by --drop go at once;
 * *hit gets bit i for each o->drop[i] found.  Returns the count kept, or
 * -1 when out of memory.
 */
static int
keep_retired(const cJSON *old, const struct fopts *o, int64_t now, cJSON *out,
    unsigned *hit)
{
	char sb[PB_SAFE_BUFSZ];
	const cJSON *keys, *k, *at;
	struct pb_jwk *jwk;
	struct pb_err e;
	const char *kid;
	cJSON *dup;
	int64_t since;
	int n = 0, i = 0, d;

	*hit = 0;
	if (!cJSON_IsArray(keys = pb_json_get(old, "keys")))
		return 0;
	cJSON_ArrayForEach(k, keys) {
		i++;
		if (pb_jwkset_holds(out, k))
			continue;	/* published (or listed twice) */
		kid = kid_of(k) != NULL ? pb_log_safe(kid_of(k), sb,
		    sizeof(sb)) : "none";
		if ((d = drop_index(o, k)) >= 0) {
			*hit |= 1u << d;
			printf("%s: fetch-jwks: retired key '%s' dropped "
			    "(--drop)\n", PB_PROG, kid);
			continue;
		}
		if (o->keep == 0)
			continue;
		pb_err_clear(&e);
		if (pb_jwk_from_json(k, 0, &jwk, &e) != PB_OK) {
			fprintf(stderr, "%s: fetch-jwks: not keeping key %d of "
			    "the old set (kid '%s'): %s\n", PB_PROG, i, kid,
			    pb_err_msg(&e));
			continue;
		}
		pb_jwk_free(jwk);
		if (kid_of(k) != NULL &&
		    pb_jwkset_signing_twins(keys, kid_of(k)) > 1) {
			fprintf(stderr, "%s: fetch-jwks: not keeping key %d of "
			    "the old set: kid '%s' names more than one signing "
			    "key\n", PB_PROG, i, kid);
			continue;
		}
		/* No mark yet: gone since now, and marked so from now on. */
		since = now;
		if ((at = pb_json_get(k, RETIRED)) != NULL &&
		    pb_json_time(at, 0, &since) != PB_OK)
			since = now;
		if (since > now)
			since = now;	/* a clock set back: no longer grace */
		if (now - since >= o->keep)
			continue;
		if ((dup = cJSON_Duplicate(k, 1)) == NULL)
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(dup, RETIRED);
		if (cJSON_AddNumberToObject(dup, RETIRED, (double)since) ==
		    NULL) {
			cJSON_Delete(dup);
			return -1;
		}
		cJSON_AddItemToArray(out, dup);
		n++;
	}
	return n;
}

/* The unformatted JSON of k, its length in *len.  -1 when out of memory. */
static int
json_len(const cJSON *k, size_t *len)
{
	char *t;

	if ((t = cJSON_PrintUnformatted(k)) == NULL)
		return -1;
	*len = strlen(t);
	cJSON_free(t);
	return 0;
}

/*
 * The retired key (after the fresh ones) retired longest ago by its mark;
 * with nokid, among those without a kid only.  NULL when there is none.
 */
static cJSON *
oldest_retired(cJSON *keys, int fresh, int nokid)
{
	const cJSON *at;
	cJSON *k, *oldest = NULL;
	double min = 0;
	int i = 0;

	cJSON_ArrayForEach(k, keys) {
		if (i++ < fresh || (nokid && pb_json_get(k, "kid") != NULL))
			continue;
		at = pb_json_get(k, RETIRED);
		if (oldest == NULL || (cJSON_IsNumber(at) &&
		    at->valuedouble < min)) {
			oldest = k;
			min = cJSON_IsNumber(at) ? at->valuedouble : 0;
		}
	}
	return oldest;
}

/*
 * The IdP's keys and the retired ones kept must fit what the module loads
 * (PB_JWKS_MAX_KEYS keys, PB_JWKS_MAX bytes), or the IdP's new keys would
 * never be written; and a token without kid is tried with at most
 * PB_JWKS_NOKID_MAX keys, or it is refused, so kid-less keys must not pile
 * up past that over rotations.  Drop retired keys, the longest retired
 * first (by their mark), until the set fits.  keys holds the IdP's fresh
 * keys, then the *kept retired ones; the IdP's own always stay (if they
 * alone do not fit, the load says so).  Returns how many went, or -1 when
 * out of memory.
 */
static int
fit_limits(cJSON *keys, int fresh, int *kept)
{
	cJSON *k, *oldest;
	size_t n = 0, nokid = 0, bytes = sizeof("{\"keys\":[]}") - 1, len;
	int gone = 0, over;

	/* Member and key order do not change the length. */
	cJSON_ArrayForEach(k, keys) {
		if (json_len(k, &len) == -1)
			return -1;
		bytes += len + (n++ > 0);
		nokid += pb_json_get(k, "kid") == NULL;
	}
	while (*kept > 0) {
		over = n > PB_JWKS_MAX_KEYS || bytes > PB_JWKS_MAX;
		oldest = oldest_retired(keys, fresh, !over);
		if (!over && (nokid <= PB_JWKS_NOKID_MAX || oldest == NULL))
			break;
		if (oldest == NULL || json_len(oldest, &len) == -1)
			return -1;
		bytes -= len + 1;
		n--;
		nokid -= pb_json_get(oldest, "kid") == NULL;
		cJSON_Delete(cJSON_DetachItemViaPointer(keys, oldest));
		(*kept)--;
		gone++;
	}
	return gone;
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

static int
nomem(void)
{
	fprintf(stderr, "%s: out of memory\n", PB_PROG);
	return PB_EXIT_FAIL;
}

/*
 * --drop is for keys the IdP withdrew: one it still publishes in keys
 * would come back at the next run.  An exit status.
 */
static int
drops_retired(const struct fopts *o, const cJSON *keys, const char *sp)
{
	char sb[PB_SAFE_BUFSZ];
	size_t i;

	for (i = 0; i < o->ndrop; i++) {
		if (!pb_jwkset_has_kid(keys, o->drop[i]))
			continue;
		fprintf(stderr, "%s: fetch-jwks: the IdP still publishes key "
		    "'%s': --drop removes retired keys only (the next run "
		    "would fetch it again); withdraw it at the IdP first; %s "
		    "left as it was\n", PB_PROG, pb_log_safe(o->drop[i], sb,
		    sizeof(sb)), sp);
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

/*
 * The IdP's JWK Set: discovery (the issuer exactly), then jwks_uri.  An
 * exit status; *doc holds the set, with a "keys" array, on success.
 */
static int
idp_set(const struct fopts *o, const char *sp, cJSON **doc)
{
	struct pb_http http;
	struct pb_oidc_meta meta;
	struct pb_http_resp resp;
	struct pb_err e;
	cJSON *d = NULL;
	int r, rv;

	*doc = NULL;
	memset(&meta, 0, sizeof(meta));
	memset(&resp, 0, sizeof(resp));
	pb_err_clear(&e);
	pb_http_init(&http);
	http.ca_file = o->ca_file;
	if (o->timeout > 0)
		http.timeout = o->timeout;
	http.body_max = PB_JWKS_MAX;
	if ((r = pb_oidc_discover(o->issuer, &http, &meta, &e)) != PB_OK) {
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
		    PB_PROG, pb_err_msg(&e), sp);
		rv = PB_EXIT_TEMP;
		goto out;
	}
	if (pb_json_parse(resp.body.p, resp.body.len, PB_JWKS_MAX,
	    "the IdP's JWK Set", &d, &e) != PB_OK ||
	    !cJSON_IsArray(pb_json_get(d, "keys"))) {
		fprintf(stderr, "%s: fetch-jwks: %s; %s left as it was\n",
		    PB_PROG, pb_err_msg(&e)[0] != '\0' ? pb_err_msg(&e) :
		    "the IdP's JWK Set has no \"keys\" array", sp);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	*doc = d;
	d = NULL;
	rv = PB_EXIT_OK;
 out:
	cJSON_Delete(d);
	pb_http_resp_clear(&resp);
	pb_oidc_meta_clear(&meta);
	return rv;
}

/*
 * The old set at path: *old is NULL when there is none or it is not a
 * JWK Set (it is then replaced).  An exit status: one we cannot read is a
 * problem.
 */
static int
old_set(const char *path, const char *sp, cJSON **old)
{
	struct pb_err e;
	char *buf = NULL;
	size_t len = 0;

	*old = NULL;
	pb_err_clear(&e);
	if (pb_file_read(path, PB_JWKS_MAX, 0, &buf, &len, &e) != PB_OK) {
		if (access(path, F_OK) == -1 && errno == ENOENT)
			return PB_EXIT_OK;
		fprintf(stderr, "%s: fetch-jwks: cannot read the old set: %s; "
		    "%s left as it was\n", PB_PROG, pb_err_msg(&e), sp);
		return PB_EXIT_FAIL;
	}
	if (pb_json_parse(buf, len, PB_JWKS_MAX, "old JWK Set", old, &e) !=
	    PB_OK)
		fprintf(stderr, "%s: fetch-jwks: note: the old set is not a "
		    "JWK Set (%s); no retired keys kept\n", PB_PROG,
		    pb_err_msg(&e));
	free(buf);
	return PB_EXIT_OK;
}

/*
 * jwks_file may be a symbolic link (/etc/security/jwks.json to a file under
 * /var/lib): a sync must update the file it leads to and keep the link,
 * where replacing the name would put a plain file in the link's place.
 * The way there must pass the module's own check first (no directory on
 * it, the link's own included, that others can write), and then *real is
 * the path with no links in it; NULL when path is no link.  An exit status.
 */
static int
follow(const char *path, const char *sp, char **real)
{
	struct stat st;
	struct pb_err e;

	*real = NULL;
	pb_err_clear(&e);
	if (lstat(path, &st) == -1 || !S_ISLNK(st.st_mode))
		return PB_EXIT_OK;
	if (stat(path, &st) == -1) {
		fprintf(stderr, "%s: fetch-jwks: %s is a symbolic link that "
		    "leads nowhere (%s): point it at the key file, or remove "
		    "it\n", PB_PROG, sp, strerror(errno));
		return PB_EXIT_FAIL;
	}
	if (pb_file_check_path(path, &st, &e) != PB_OK) {
		fprintf(stderr, "%s: fetch-jwks: %s; %s left as it was\n",
		    PB_PROG, pb_err_msg(&e), sp);
		return PB_EXIT_FAIL;
	}
	if ((*real = realpath(path, NULL)) == NULL) {
		if (errno == ENOMEM)
			return nomem();
		fprintf(stderr, "%s: fetch-jwks: cannot resolve %s: %s\n",
		    PB_PROG, sp, strerror(errno));
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

/*
 * Write text to path, atomically, mode 0644, unless old (canonical form
 * made here) is the same set: then only its time is set to now.  Either
 * way the file's mtime is the time of this sync.  Through a symbolic link
 * it is the file the link leads to.  An exit status.
 */
static int
store(const char *path, const char *sp, const char *text, cJSON *old,
    int fresh, int kept)
{
	struct pb_privdir d = { NULL, -1 };
	struct pb_err e;
	char *dir = NULL, *name = NULL, *oldtext = NULL, *real = NULL;
	int rv;

	pb_err_clear(&e);
	if ((rv = follow(path, sp, &real)) != PB_EXIT_OK)
		goto out;
	if (split(real != NULL ? real : path, &dir, &name) == -1) {
		fprintf(stderr, "%s: fetch-jwks: bad output path\n", PB_PROG);
		rv = PB_EXIT_USAGE;
		goto out;
	}
	if (pb_privdir_open(&d, dir, PB_PRIVDIR_PUBLIC, &e) != PB_OK) {
		fprintf(stderr, "%s: fetch-jwks: %s\n", PB_PROG,
		    pb_err_msg(&e));
		rv = PB_EXIT_FAIL;
		goto out;
	}
	/* The same keys in another order are unchanged: only the time. */
	if (old != NULL && (pb_jwkset_canonical(old) != PB_OK ||
	    (oldtext = cJSON_PrintUnformatted(old)) == NULL)) {
		rv = nomem();
		goto out;
	}
	if (oldtext != NULL && strcmp(oldtext, text) == 0) {
		if (pb_privdir_touch(&d, name, &e) != PB_OK) {
			fprintf(stderr, "%s: fetch-jwks: cannot record the "
			    "sync: %s\n", PB_PROG, pb_err_msg(&e));
			rv = PB_EXIT_FAIL;
			goto out;
		}
		printf("%s: unchanged (%d keys, %d retired kept)\n", sp, fresh,
		    kept);
		rv = PB_EXIT_OK;
		goto out;
	}
	if (pb_privdir_write_mode(&d, name, text, strlen(text), 0644, &e) !=
	    PB_OK) {
		fprintf(stderr, "%s: fetch-jwks: %s\n", PB_PROG,
		    pb_err_msg(&e));
		rv = PB_EXIT_FAIL;
		goto out;
	}
	printf("%s: written (%d keys from the IdP, %d retired kept)\n", sp,
	    fresh, kept);
	rv = PB_EXIT_OK;
 out:
	pb_privdir_close(&d);
	free(dir);
	free(name);
	free(real);
	cJSON_free(oldtext);
	return rv;
}

int
pb_net_fetch_jwks(int argc, char **argv)
{
	char sp[PB_PATH_BUFSZ], sb[PB_SAFE_BUFSZ];
	struct fopts o;
	struct pb_conf *cfg = NULL;
	struct pb_jwks *set = NULL;
	struct pb_err e;
	cJSON *doc = NULL, *out = NULL, *keys, *old = NULL;
	char *text = NULL;
	size_t i;
	int64_t now = (int64_t)time(NULL);
	unsigned hit = 0;
	int rv, fresh, kept, gone;

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
	pb_log_path(o.output, sp, sizeof(sp));
	if ((rv = idp_set(&o, sp, &doc)) != PB_EXIT_OK)
		goto out;
	if ((out = cJSON_CreateObject()) == NULL ||
	    (keys = cJSON_AddArrayToObject(out, "keys")) == NULL ||
	    (fresh = take_new(pb_json_get(doc, "keys"), keys)) < 0) {
		rv = nomem();
		goto out;
	}
	if (fresh == 0) {
		fprintf(stderr, "%s: fetch-jwks: the IdP's JWK Set has no "
		    "signing key the module can use; %s left as it was\n",
		    PB_PROG, sp);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	if ((rv = drops_retired(&o, keys, sp)) != PB_EXIT_OK ||
	    (rv = old_set(o.output, sp, &old)) != PB_EXIT_OK)
		goto out;
	if ((kept = keep_retired(old, &o, now, keys, &hit)) < 0 ||
	    (gone = fit_limits(keys, fresh, &kept)) < 0) {
		rv = nomem();
		goto out;
	}
	if (gone > 0)
		printf("%s: fetch-jwks: %d retired keys dropped before their "
		    "time, the longest retired first: a set holds at most %d "
		    "keys and %d bytes, and a token without kid is tried with "
		    "at most %d keys\n", PB_PROG, gone, PB_JWKS_MAX_KEYS,
		    PB_JWKS_MAX, PB_JWKS_NOKID_MAX);
	for (i = 0; i < o.ndrop; i++)
		if ((hit & (1u << i)) == 0)
			printf("%s: fetch-jwks: no retired key '%s' in %s; "
			    "nothing to drop\n", PB_PROG, pb_log_safe(o.drop[i],
			    sb, sizeof(sb)), sp);
	/* What the module will load, checked as it will check it. */
	if (pb_jwkset_canonical(out) != PB_OK ||
	    (text = cJSON_PrintUnformatted(out)) == NULL) {
		rv = nomem();
		goto out;
	}
	if (pb_jwks_parse(text, strlen(text), 0, o.output, skip_note, NULL,
	    &set, &e) != PB_OK || set->n < (size_t)(fresh + kept)) {
		if (set != NULL)
			pb_err_set(&e, PB_ERR_KEY, "the module would use %zu "
			    "of its %d keys (two with one kid?)", set->n,
			    fresh + kept);
		fprintf(stderr, "%s: fetch-jwks: the new set does not load: "
		    "%s; %s left as it was\n", PB_PROG, pb_err_msg(&e), sp);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	rv = store(o.output, sp, text, old, fresh, kept);
 out:
	cJSON_free(text);
	pb_jwks_free(set);
	cJSON_Delete(old);
	cJSON_Delete(out);
	cJSON_Delete(doc);
	pb_conf_free(cfg);
	return rv;
}
