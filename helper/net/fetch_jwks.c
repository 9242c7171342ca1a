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
#include "parse.h"
#include "file.h"
#include "profile.h"
#include "http.h"
#include "id_token.h"
#include "json.h"
#include "jwk.h"
#include "jwkset.h"
#include "net.h"
#include "oauth.h"
#include "privdir.h"
#include "verify.h"

#define KEEP_DEFAULT	(24 * 3600)
#define MAX_DROP	PB_JWKSET_MAX_DROP

struct fopts {
	const char	*issuer;
	const char	*output;
	const char	*config;
	const char	*ca_file;
	long		 timeout;
	struct pb_jwkset_retire retire;	/* --keep-retired, --drop */
};

/* "90", "90s", "15m", "24h", "7d", "2w": seconds, at most 366 days. */
static long
duration(const char *s)
{
	unsigned long v;

	if (pb_parse_duration(s, 0, 366UL * 86400, &v) != PB_OK)
		return -1;
	return (long)v;
}

static int
fetch_args(int argc, char **argv, struct fopts *o)
{
	char sb[PB_SAFE_BUFSZ];
	const char *v;
	unsigned long ul;
	int i;

	memset(o, 0, sizeof(*o));
	o->retire.keep = KEEP_DEFAULT;
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
			if ((o->retire.keep = duration(v)) < 0) {
				fprintf(stderr, "%s: fetch-jwks: "
				    "--keep-retired takes a duration such as "
				    "3600, 90m, 24h, 7d or 2w (at most 366 "
				    "days)\n",
				    PB_PROG);
				return PB_EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--drop") == 0) {
			if (*v == '\0')
				goto bad;
			if (o->retire.ndrop == MAX_DROP) {
				fprintf(stderr, "%s: fetch-jwks: at most %d "
				    "--drop\n", PB_PROG, MAX_DROP);
				return PB_EXIT_USAGE;
			}
			o->retire.drop[o->retire.ndrop++] = v;
		} else if (strcmp(argv[i], "--timeout") == 0) {
			if (pb_parse_ulong(v, 1, PB_PROFILE_TIMEOUT_MAX,
			    &ul) != PB_OK)
				goto bad;
			o->timeout = (long)ul;
		} else
			goto bad;
		i++;
	}
	return PB_EXIT_OK;
 bad:
	fprintf(stderr, "%s: fetch-jwks: bad argument '%s'\n", PB_PROG,
	    pb_log_safe(argv[i], sb, sizeof(sb)));
	pb_commands_help("fetch-jwks", 1);
	return PB_EXIT_USAGE;
}

/*
 * The module's configurations, read as the module reads them (the default
 * file without --config, and every issuers_dir file) but not checked
 * whole: other keys, audience above all, may come on the PAM lines.
 */
static int
from_module_conf(const struct fopts *o, struct pb_issuers **isp)
{
	int r;

	if ((r = pb_issuers_from_args(o->config, 0, NULL, "command line",
	    pb_verify_log_conf, NULL, 0, isp)) == PB_ERR_NOMEM) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	if (*isp == NULL) {
		fprintf(stderr, "%s: fetch-jwks: give --issuer and --output, "
		    "or fix the module's configuration\n", PB_PROG);
		return PB_EXIT_CONFIG;
	}
	return PB_EXIT_OK;
}

/*
 * --issuer's key file: that of the configuration naming it, else that of
 * pam_bearer.conf.  Without --issuer and one configuration, its issuer.
 */
static void
one_issuer(struct fopts *o, const struct pb_issuers *is)
{
	const struct pb_conf *cfg = is->base;
	size_t i;

	if (o->issuer == NULL && is->n == 1 && is->cfg[0]->issuers.n > 0) {
		cfg = is->cfg[0];
		o->issuer = cfg->issuers.v[0];
	}
	for (i = 0; o->issuer != NULL && i < is->n; i++)
		if (pb_strlist_has(&is->cfg[i]->issuers, o->issuer))
			cfg = is->cfg[i];
	if (o->output == NULL)
		o->output = cfg->jwks_file;
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
drops_retired(const struct pb_jwkset_retire *o, const cJSON *keys,
    const char *sp)
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
	if ((r = pb_oauth_discover(o->issuer, &http, &meta, &e)) != PB_OK) {
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
	if (pb_id_token_fetch_jwks(&http, meta.jwks_uri, &resp, &e) !=
	    PB_OK) {
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

/*
 * The new set in *outp: the IdP's signing keys of doc, *fresh of them;
 * --drop checked against them.  An exit status.
 */
static int
new_set(const struct fopts *o, const cJSON *doc, const char *sp,
    cJSON **outp, int *fresh)
{
	cJSON *keys;

	if ((*outp = cJSON_CreateObject()) == NULL ||
	    (keys = cJSON_AddArrayToObject(*outp, "keys")) == NULL ||
	    (*fresh = pb_jwkset_take_new(pb_json_get(doc, "keys"), keys)) < 0)
		return nomem();
	if (*fresh == 0) {
		fprintf(stderr, "%s: fetch-jwks: the IdP's JWK Set has no "
		    "signing key the module can use; %s left as it was\n",
		    PB_PROG, sp);
		return PB_EXIT_FAIL;
	}
	return drops_retired(&o->retire, keys, sp);
}

/*
 * The retired keys of old kept in out after the fresh ones, *kept of
 * them, within the module's limits; says which went early and which
 * --drop found nothing for.  An exit status.
 */
static int
add_retired(const struct fopts *o, const cJSON *old, int64_t now,
    cJSON *out, int fresh, const char *sp, int *kept)
{
	char sb[PB_SAFE_BUFSZ];
	cJSON *keys = cJSON_GetObjectItemCaseSensitive(out, "keys");
	unsigned hit = 0;
	size_t i;
	int gone;

	if ((*kept = pb_jwkset_keep_retired(old, &o->retire, now, keys,
	    &hit)) < 0 ||
	    (gone = pb_jwkset_fit_limits(keys, fresh, kept)) < 0)
		return nomem();
	if (gone > 0)
		printf("%s: fetch-jwks: %d retired keys dropped before their "
		    "time, the longest retired first: a set holds at most %d "
		    "keys and %d bytes, and a token without kid is tried with "
		    "at most %d keys\n", PB_PROG, gone, PB_JWKS_MAX_KEYS,
		    PB_JWKS_MAX, PB_JWKS_NOKID_MAX);
	for (i = 0; i < o->retire.ndrop; i++)
		if ((hit & (1u << i)) == 0)
			printf("%s: fetch-jwks: no retired key '%s' in %s; "
			    "nothing to drop\n", PB_PROG,
			    pb_log_safe(o->retire.drop[i], sb, sizeof(sb)),
			    sp);
	return PB_EXIT_OK;
}

/*
 * *text (cJSON_free() it): out in canonical form, which the module will
 * load, checked as it will check it: all n keys load.  An exit status.
 */
static int
checked_text(cJSON *out, const char *output, const char *sp, int n,
    char **text)
{
	struct pb_jwks *set = NULL;
	struct pb_err e;
	int rv = PB_EXIT_OK;

	*text = NULL;
	pb_err_clear(&e);
	if (pb_jwkset_canonical(out) != PB_OK ||
	    (*text = cJSON_PrintUnformatted(out)) == NULL)
		return nomem();
	if (pb_jwks_parse(*text, strlen(*text), 0, output, skip_note, NULL,
	    &set, &e) != PB_OK || set->n < (size_t)n) {
		if (set != NULL)
			pb_err_set(&e, PB_ERR_KEY, "the module would use %zu "
			    "of its %d keys (two with one kid?)", set->n, n);
		fprintf(stderr, "%s: fetch-jwks: the new set does not load: "
		    "%s; %s left as it was\n", PB_PROG, pb_err_msg(&e), sp);
		rv = PB_EXIT_FAIL;
	}
	pb_jwks_free(set);
	return rv;
}

/* One issuer's key file refreshed: o->issuer into o->output. */
static int
fetch_one(const struct fopts *o, int64_t now)
{
	char sp[PB_PATH_BUFSZ];
	cJSON *doc = NULL, *out = NULL, *old = NULL;
	char *text = NULL;
	int rv, fresh = 0, kept = 0;

	if (o->issuer == NULL || o->output == NULL) {
		fprintf(stderr, "%s: fetch-jwks: no %s: give %s or set it in "
		    "the module's configuration\n", PB_PROG,
		    o->issuer == NULL ? "issuer" : "output file",
		    o->issuer == NULL ? "--issuer" : "--output");
		return PB_EXIT_CONFIG;
	}
	pb_log_path(o->output, sp, sizeof(sp));
	if ((rv = idp_set(o, sp, &doc)) != PB_EXIT_OK ||
	    (rv = new_set(o, doc, sp, &out, &fresh)) != PB_EXIT_OK ||
	    (rv = old_set(o->output, sp, &old)) != PB_EXIT_OK ||
	    (rv = add_retired(o, old, now, out, fresh, sp, &kept)) !=
	    PB_EXIT_OK ||
	    (rv = checked_text(out, o->output, sp, fresh + kept, &text)) !=
	    PB_EXIT_OK)
		goto out;
	rv = store(o->output, sp, text, old, fresh, kept);
 out:
	cJSON_free(text);
	cJSON_Delete(old);
	cJSON_Delete(out);
	cJSON_Delete(doc);
	return rv;
}

/*
 * No --issuer and several configured: every issuer's own key file, each
 * with its own result; the first failure's status, after trying all.
 */
static int
fetch_all(const struct fopts *o, const struct pb_issuers *is, int64_t now)
{
	struct fopts one = *o;
	size_t i;
	int rv = PB_EXIT_OK, r;

	if (o->output != NULL || o->retire.ndrop > 0) {
		fprintf(stderr, "%s: fetch-jwks: %zu issuers are configured: "
		    "--output and --drop need --issuer\n", PB_PROG, is->n);
		return PB_EXIT_USAGE;
	}
	for (i = 0; i < is->n; i++) {
		one.issuer = is->cfg[i]->issuers.v[0];
		one.output = is->cfg[i]->jwks_file;
		if ((r = fetch_one(&one, now)) != PB_EXIT_OK &&
		    rv == PB_EXIT_OK)
			rv = r;
	}
	return rv;
}

int
pb_fetch_jwks_run(int argc, char **argv)
{
	struct fopts o;
	struct pb_issuers *is = NULL;
	int64_t now = (int64_t)time(NULL);
	int rv;

	if ((rv = fetch_args(argc, argv, &o)) != PB_EXIT_OK)
		return rv;
	if ((o.issuer == NULL || o.output == NULL) &&
	    (rv = from_module_conf(&o, &is)) != PB_EXIT_OK)
		goto out;
	if (is != NULL && o.issuer == NULL && is->n > 1)
		rv = fetch_all(&o, is, now);
	else {
		if (is != NULL)
			one_issuer(&o, is);
		rv = fetch_one(&o, now);
	}
 out:
	pb_issuers_free(is);
	return rv;
}
