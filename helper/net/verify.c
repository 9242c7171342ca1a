/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token verify: the module's own checks (common/verify.c:
 * common/jwt.c, then the usermap, the user, deny_users and min_uid, and
 * the denylist, and require_pop's refusal of an unbound token; not the
 * replay cache nor the login proof) over the module's configuration,
 * saying why a token fails.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "conf.h"
#include "decode.h"
#include "err.h"
#include "parse.h"
#include "json.h"
#include "jwt.h"
#include "net.h"
#include "pop.h"
#include "secmem.h"
#include "verify.h"

/* The command line of verify. */
struct vopts {
	const char	 *path;		/* --config, config=; NULL: default */
	const char	 *user;		/* --user, or NULL */
	const char	 *at;		/* --at, or NULL */
	char		 *arg;		/* the token, or NULL: stdin */
	const char	**kv;		/* the key=value arguments, in order */
	int		  nkv;
	int64_t		  now;		/* --at, or 0 */
};

/* pb_conf_log_fn: the message names the place ("FILE:LINE: ..."). */
void
pb_verify_log_conf(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	(void)prio;
	fprintf(stderr, "%s\n", msg);
}

/* pb_jwks_skip_fn: keys the module leaves out (it logs them with debug). */
static void
log_skip(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: note: %s\n", PB_PROG, msg);
}

/* A whole decimal time from 0 to PB_JSON_TIME_MAX, for --at. */
static int
parse_time(const char *s, int64_t *out)
{
	unsigned long v;

	if (pb_parse_ulong(s, 0, PB_JSON_TIME_MAX, &v) != PB_OK)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Take "--opt VALUE" or "--opt=VALUE"; NULL when argv[*i] is not opt. */
static const char *
opt_value(int argc, char **argv, int *i, const char *opt, int *bad)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "%s: %s needs a value\n", PB_PROG, opt);
		*bad = 1;
		return NULL;
	}
	return argv[++*i];
}


/*
 * Options and the token; the key=value arguments are kept in o->kv, to
 * be applied after the file.  An exit status, after the usage on error.
 */
static int
parse_args(int argc, char **argv, struct vopts *o)
{
	char s1[PB_SAFE_BUFSZ];
	const char *val;
	int i, bad = 0, opts = 1;

	memset(o, 0, sizeof(*o));
	if ((o->kv = calloc((size_t)argc, sizeof(*o->kv))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	for (i = 1; i < argc && !bad; i++) {
		if (opts && strcmp(argv[i], "--") == 0)
			opts = 0;
		else if (opts && (val = opt_value(argc, argv, &i, "--config",
		    &bad)) != NULL)
			o->path = val;
		else if (opts && (val = opt_value(argc, argv, &i, "--user",
		    &bad)) != NULL)
			o->user = val;
		else if (opts && (val = opt_value(argc, argv, &i, "--at",
		    &bad)) != NULL)
			o->at = val;
		else if (bad)
			break;
		else if (opts && argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "%s: unknown option '%s'\n", PB_PROG,
			    pb_log_safe(argv[i], s1, sizeof(s1)));
			bad = 1;
		} else if (strncmp(argv[i], "config=", 7) == 0)
			o->path = argv[i] + 7;
		else if (strchr(argv[i], '=') != NULL)
			o->kv[o->nkv++] = argv[i];
		else if (o->arg != NULL) {
			fprintf(stderr, "%s: more than one token\n", PB_PROG);
			bad = 1;
		} else
			o->arg = argv[i];
	}
	if (!bad && o->at != NULL && parse_time(o->at, &o->now) != 0) {
		fprintf(stderr, "%s: --at wants seconds since the epoch, not "
		    "'%s'\n", PB_PROG, pb_log_safe(o->at, s1, sizeof(s1)));
		bad = 1;
	}
	if (bad) {
		pb_commands_help("verify", 1);
		return PB_EXIT_USAGE;
	}
	return PB_EXIT_OK;
}

/* The keys of cfg, checked for age.  An exit status. */
static int
keys(const struct pb_conf *cfg, struct pb_verifier **v)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	/* The key file's age is about the host now, whatever --at says. */
	if ((r = pb_verifier_new(cfg, log_skip, NULL, v, &e)) != PB_OK ||
	    (r = pb_verifier_check_age(*v, (int64_t)time(NULL), &e)) !=
	    PB_OK) {
		fprintf(stderr, "%s: cannot use the keys: %s\n", PB_PROG,
		    pb_err_msg(&e));
		return r == PB_ERR_NOMEM ? PB_EXIT_FAIL : PB_EXIT_CONFIG;
	}
	if (cfg->replay_cache != NULL)
		fprintf(stderr, "%s: note: the replay cache is not checked\n",
		    PB_PROG);
	return PB_EXIT_OK;
}

/*
 * The configurations, built as the module builds them; with a single
 * issuer its keys too, before the token is read, as the module does.
 */
static int
load(const struct vopts *o, struct pb_issuers **is, struct pb_verifier **v)
{
	int r;

	if ((r = pb_issuers_from_args(o->path, o->nkv, o->kv, "command line",
	    pb_verify_log_conf, NULL, 1, is)) != PB_OK) {
		if (r != PB_ERR_NOMEM)
			return PB_EXIT_CONFIG;
		fprintf(stderr, "%s: %s\n", PB_PROG, pb_strerror(r));
		return PB_EXIT_FAIL;
	}
	return (*is)->n == 1 ? keys((*is)->cfg[0], v) : PB_EXIT_OK;
}

/*
 * The configuration the token's iss chooses, as the module chooses it
 * (named when there are several), and its keys if not read yet.
 */
static int
choose(const struct pb_issuers *is, const struct pb_secret *tok,
    const struct pb_conf **cfg, struct pb_verifier **v)
{
	struct pb_err e;
	size_t i;

	pb_err_clear(&e);
	if (pb_issuers_pick(is, tok->p, tok->len, &i, &e) != PB_OK) {
		fprintf(stderr, "token rejected: %s\n", pb_err_msg(&e));
		return PB_EXIT_FAIL;
	}
	*cfg = is->cfg[i];
	if (is->n > 1)
		fprintf(stderr, "%s: issuer configuration %s\n", PB_PROG,
		    is->file[i]);
	return *v != NULL ? PB_EXIT_OK : keys(*cfg, v);
}

int
pb_verify_run(int argc, char **argv)
{
	char s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ], s3[PB_SAFE_BUFSZ];
	struct vopts o;
	struct pb_secret tok = { NULL, 0 };
	struct pb_issuers *is = NULL;
	const struct pb_conf *cfg = NULL;
	struct pb_verifier *v = NULL;
	struct pb_verified vd;
	struct pb_err e;
	int r, rv;

	pb_err_clear(&e);
	memset(&vd, 0, sizeof(vd));
	if ((rv = parse_args(argc, argv, &o)) != PB_EXIT_OK ||
	    (rv = load(&o, &is, &v)) != PB_EXIT_OK ||
	    (rv = pb_decode_read_token(o.arg, &tok)) != PB_EXIT_OK ||
	    (rv = choose(is, &tok, &cfg, &v)) != PB_EXIT_OK)
		goto out;
	rv = PB_EXIT_FAIL;
	if (o.at == NULL)
		o.now = (int64_t)time(NULL);
	r = pb_verify_user(v, cfg, tok.p, tok.len, o.user, o.now, NULL, NULL,
	    &vd, &e);
	if (r == PB_ERR_IO || r == PB_ERR_CONFIG) {
		/* usermap_file or denylist_file: the admin's files. */
		fprintf(stderr, "%s: %s\n", PB_PROG, pb_err_msg(&e));
		rv = PB_EXIT_CONFIG;
		goto out;
	}
	/* require_pop: the module refuses before its proof prompt. */
	if (r == PB_OK)
		r = pb_pop_check_bound(cfg, vd.jwt, &e);
	if (r != PB_OK) {
		fprintf(stderr, "token rejected: %s\n", pb_err_msg(&e));
		goto out;
	}
	printf("token valid for user '%s' (iss '%s', sub '%s', ",
	    pb_log_safe(vd.user, s1, sizeof(s1)),
	    pb_log_safe(vd.jwt->iss, s2, sizeof(s2)),
	    pb_log_safe(vd.jwt->sub, s3, sizeof(s3)));
	/* Past exp but inside the leeway still passes (RFC 7519 4.1.4). */
	if (vd.jwt->exp > o.now)
		printf("exp in %" PRId64 " s)\n", vd.jwt->exp - o.now);
	else
		printf("expired %" PRId64 " s ago, within the leeway of %ld "
		    "s)\n", o.now - vd.jwt->exp, cfg->leeway);
	if (vd.jwt->cnf_jkt != NULL)
		fprintf(stderr, "%s: note: the module will also ask for a "
		    "login proof (the token is bound to a key, cnf.jkt)\n",
		    PB_PROG);
	rv = PB_EXIT_OK;
 out:
	pb_verified_clear(&vd);
	pb_secret_clear(&tok);
	pb_verifier_free(v);
	pb_issuers_free(is);
	free(o.kv);
	return rv;
}
