/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_bearer: a JWT bearer token as the password, verified offline against
 * a JWKS file (DESIGN.md section 2).  Entry points only; the verification
 * itself is common/jwt.c, in the order DESIGN.md gives.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "conf.h"
#include "err.h"
#include "parse.h"
#include "file.h"
#include "json.h"
#include "jws.h"
#include "jwt.h"
#include "module.h"
#include "pop.h"
#include "prompt.h"
#include "secmem.h"
#include "strlist.h"
#include "verify.h"

/* pam_set_data() name of what a successful authentication leaves. */
#define PB_DATA	"pam_bearer_auth"

/* What open_session exports; kept from authenticate to the session. */
struct auth_data {
	char	*user;		/* the PAM user it was for */
	char	*sub;
	char	*iss;
	char	*scope;
	int64_t	 exp;
};

static void
auth_data_free(struct auth_data *d)
{
	if (d == NULL)
		return;
	free(d->user);
	free(d->sub);
	free(d->iss);
	free(d->scope);
	free(d);
}

static void
cleanup_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	auth_data_free(data);
}

/*
 * The one mapping from our codes to PAM's (STYLE.md 2.3).  files says the
 * failure concerns the admin's files (configuration, JWKS, secret, lists),
 * not the token.
 */
static int
pb_to_pam(int r, int files)
{
	switch (r) {
	case PB_OK:
		return PAM_SUCCESS;
	case PB_ERR_NOMEM:
		return PAM_BUF_ERR;
	case PB_ERR_INTERNAL:
		return PAM_SERVICE_ERR;
	case PB_ERR_IO:
	case PB_ERR_CONFIG:
		return PAM_AUTHINFO_UNAVAIL;
	default:
		return files ? PAM_AUTHINFO_UNAVAIL : PAM_AUTH_ERR;
	}
}

/* A copy of a claim string fit for the environment, or NULL. */
static char *
env_value(const char *s)
{
	const char *p;

	if (s == NULL || strlen(s) > 1024)
		return NULL;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	return strdup(s);
}

/* scope or scp, a string or an array joined by spaces, for BEARER_SCOPE. */
static char *
scope_value(const cJSON *claims)
{
	const cJSON *v = pb_json_get(claims, "scope"), *a;
	char buf[1025];
	size_t o = 0, n;

	if (v == NULL)
		v = pb_json_get(claims, "scp");
	if (cJSON_IsString(v))
		return env_value(v->valuestring);
	if (!cJSON_IsArray(v))
		return NULL;
	buf[0] = '\0';
	cJSON_ArrayForEach(a, v) {
		if (!cJSON_IsString(a))
			return NULL;
		n = strlen(a->valuestring);
		if (o + n + 2 > sizeof(buf))
			return NULL;
		if (o > 0)
			buf[o++] = ' ';
		memcpy(buf + o, a->valuestring, n + 1);
		o += n;
	}
	return env_value(buf);
}

static int export_env(pam_handle_t *, const struct auth_data *);

static const char *const env_names[] = {
	"BEARER_SUB", "BEARER_ISS", "BEARER_EXP", "BEARER_SCOPE"
};

/* Drop what an earlier authentication in this handle left. */
static void
forget(pam_handle_t *pamh)
{
	size_t i;

	(void)pam_set_data(pamh, PB_DATA, NULL, NULL);
	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		if (pam_getenv(pamh, env_names[i]) != NULL)
			(void)pam_putenv(pamh, env_names[i]);
}

/*
 * The data of this module's success for the current PAM user, or NULL: a
 * success for alice says nothing once the application switched to bob.
 */
static const struct auth_data *
our_data(pam_handle_t *pamh)
{
	const void *p = NULL;
	const char *user = NULL;
	const struct auth_data *d;

	if (pam_get_data(pamh, PB_DATA, &p) != PAM_SUCCESS || p == NULL ||
	    pam_get_item(pamh, PAM_USER, (const void **)&user) !=
	    PAM_SUCCESS || user == NULL)
		return NULL;
	d = p;
	return strcmp(d->user, user) == 0 ? d : NULL;
}

/*
 * Keep what open_session exports, and export it now as well: sshd runs
 * pam_authenticate in a child process whose PAM data dies with it, but it
 * copies that child's PAM environment back.
 */
static int
keep_data(pam_handle_t *pamh, const struct pb_jwt *jwt, const char *user)
{
	struct auth_data *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->user = strdup(user)) == NULL) {
		auth_data_free(d);
		return PAM_BUF_ERR;
	}
	d->sub = env_value(jwt->sub);
	d->iss = env_value(jwt->iss);
	d->scope = scope_value(jwt->claims);
	d->exp = jwt->exp;
	if ((r = export_env(pamh, d)) != PAM_SUCCESS) {
		auth_data_free(d);
		return r;
	}
	if (pam_set_data(pamh, PB_DATA, d, cleanup_data) != PAM_SUCCESS) {
		auth_data_free(d);
		return PAM_BUF_ERR;
	}
	return PAM_SUCCESS;
}

/* Whether the token needs the login proof (DESIGN.md section 5). */
static int
needs_proof(const struct pb_conf *cfg, const struct pb_jwt *jwt)
{
	return jwt->cnf_jkt != NULL || cfg->require_pop;
}

/*
 * pb_verify_once_fn of the module: the replay cache (pam/replay.c), the
 * last step of pb_verify_user(), so that a refused login spends no token.
 * A login with a proof skips it: the proof answers this authentication's
 * nonce, which makes it single-use, and the token stays good for the
 * user's next login.
 */
static int
replay_step(void *ctx, const struct pb_conf *cfg, const struct pb_jwt *jwt,
    int64_t now, struct pb_err *e)
{
	(void)ctx;
	if (needs_proof(cfg, jwt))
		return PB_OK;
	return pb_replay_check(cfg->replay_cache, jwt->iss, jwt->jti,
	    jwt->exp, now, cfg->leeway, e);
}

/*
 * Whether non-JWT input looks like an opaque access token (LemonLDAP::NG's
 * default is 64 hex digits): long, no '.', only RFC 6750 b64token bytes.
 * Only chooses the words of a debug line; nothing of it is logged.
 */
static int
opaque_like(const char *s, size_t len)
{
	return len >= 32 && memchr(s, '.', len) == NULL &&
	    pb_parse_b64token(s, len);
}

static void
log_hint1023(pam_handle_t *pamh)
{
	pam_syslog(pamh, LOG_NOTICE, "an answer was exactly 1023 bytes: the "
	    "ssh client may have cut the token; send it in parts ending in "
	    "'\\' (bearer-token askpass does)");
}

/*
 * Tell the user, not only the log, why nothing happens (DESIGN.md section
 * 2): one PAM_ERROR_MSG for a refused token (rv PAM_AUTH_ERR), with the
 * log line's reason only where the admin set show_reason (a reason helps
 * an attacker too), or for a host that cannot check tokens (rv
 * PAM_AUTHINFO_UNAVAIL).  Best effort: a conversation that cannot show it
 * changes nothing.
 */
static void
tell_user(pam_handle_t *pamh, const struct pb_conf *cfg, int rv,
    const char *why)
{
	char msg[PB_MSG_BUFSZ];
	size_t i;

	if (rv == PAM_AUTHINFO_UNAVAIL) {
		(void)pam_error(pamh, "%s", PB_MSG_UNAVAIL);
		return;
	}
	if (rv != PAM_AUTH_ERR)
		return;
	if (cfg == NULL || !cfg->show_reason || why == NULL)
		why = NULL;
	(void)snprintf(msg, sizeof(msg), "%s%s%s", PB_MSG_REFUSED,
	    why != NULL ? ": " : PB_MSG_SEE_LOG, why != NULL ? why : "");
	/*
	 * Claim values come escaped; keep the line one line regardless, and
	 * plain ASCII: 0x80 and up may be C1 controls (0x9b is CSI).
	 */
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 ||
		    (unsigned char)msg[i] >= 0x7f)
			msg[i] = '?';
	(void)pam_error(pamh, "%s", msg);
}

/* One authentication attempt: who, when, and how the token came. */
struct attempt {
	const char	*user;		/* the PAM user */
	char		 su[PB_SAFE_BUFSZ];	/* user, fit for the log */
	int64_t		 now;
	int		 prompted;	/* the module asked for the token */
	int		 hint1023;	/* an answer was exactly 1023 bytes */
	int		 no_prompt;	/* use_first_pass: never ask */
};

/*
 * Whether services (pam_bearer.conf(5)) leaves this PAM service out: then
 * the module stays out of it, before any prompt and before the keys are
 * read.  Only debug says so; common-auth runs it for every service.
 */
static int
service_unlisted(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_conf *cfg)
{
	char ss[PB_SAFE_BUFSZ];
	const char *svc = NULL;

	if (cfg->services.n == 0)
		return 0;
	if (pam_get_item(pamh, PAM_SERVICE, (const void **)&svc) ==
	    PAM_SUCCESS && svc != NULL && pb_strlist_has(&cfg->services, svc))
		return 0;
	if (args->debug)
		pam_syslog(pamh, LOG_DEBUG, "service '%s' is not in services, "
		    "ignoring", pb_log_safe(svc != NULL ? svc : "", ss,
		    sizeof(ss)));
	return 1;
}

/*
 * The configurations, before anything is asked: when they are broken, the
 * log says so and nobody is asked or told anything.  Sets a->now.  A PAM
 * code; PAM_IGNORE for a service that services leaves out.
 */
static int
load(pam_handle_t *pamh, int argc, const char **argv, struct pb_args *args,
    struct pb_issuers **is, struct attempt *a)
{
	int r;

	if ((r = pb_args_load(pamh, argc, argv, args, is)) != PB_OK)
		return pb_to_pam(r, 1);
	if (service_unlisted(pamh, args, (*is)->base))
		return PAM_IGNORE;
	a->now = (int64_t)time(NULL);
	return PAM_SUCCESS;
}

/*
 * Once the answer is a JWT: the configuration its iss names (*i; the only
 * one when there is one) and that configuration's keys into *v.  A
 * password goes on to the next module whatever the keys, and only a user
 * who gave a token learns that tokens cannot be checked here.  A PAM
 * code; a refusal is logged and told.
 */
static int
choose(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_issuers *is, const char *t, size_t tlen,
    const struct attempt *a, struct pb_verifier **v, size_t *i)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	if ((r = pb_issuers_pick(is, t, tlen, i, &e)) != PB_OK) {
		if (r == PB_ERR_NOMEM)
			return PAM_BUF_ERR;
		pam_syslog(pamh, LOG_NOTICE, "token rejected for '%s': %s",
		    a->su, pb_err_msg(&e));
		if (a->hint1023)
			log_hint1023(pamh);
		tell_user(pamh, is->base, PAM_AUTH_ERR, pb_err_msg(&e));
		return PAM_AUTH_ERR;
	}
	if ((r = pb_to_pam(pb_args_keys(pamh, args, is->cfg[*i],
	    is->n > 1 ? is->file[*i] : NULL, a->now, v), 1)) != PAM_SUCCESS)
		tell_user(pamh, NULL, r, NULL);
	return r;
}

/*
 * Not a JWT: a password for the next module.  Hand it on when we asked
 * for it, so one prompt serves both.  A PAM code, PAM_IGNORE when done.
 */
static int
not_jwt(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_secret *tok, const char *t, size_t tlen,
    const struct attempt *a)
{
	if (a->prompted && pam_set_item(pamh, PAM_AUTHTOK, tok->p) !=
	    PAM_SUCCESS)
		return PAM_BUF_ERR;
	if (args->debug)
		pam_syslog(pamh, LOG_DEBUG, "input for '%s' is %s, ignoring",
		    a->su, opaque_like(t, tlen) ? PB_JWS_NOT_JWT :
		    "not a JWT");
	/* A token cut inside its header or payload lands here. */
	if (a->hint1023)
		log_hint1023(pamh);
	return PAM_IGNORE;
}

/* ", config FILE" in log lines when several issuers are configured. */
#define CFG_NAME(f)	(f) != NULL ? " (config " : "", \
	(f) != NULL ? (f) : "", (f) != NULL ? ")" : ""

/* The token t verified for a->user, logged, its data kept.  A PAM code. */
static int
check_token(pam_handle_t *pamh, const struct pb_verifier *v,
    const struct pb_conf *cfg, const char *file, const char *t,
    size_t tlen, const struct attempt *a)
{
	char s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ], s3[PB_SAFE_BUFSZ];
	char s4[PB_SAFE_BUFSZ], s5[PB_SAFE_BUFSZ];
	struct pb_verified vd;
	struct pb_err e;
	const char *why = NULL;
	int r, rv = PAM_AUTH_ERR;

	pb_err_clear(&e);
	if ((r = pb_verify_user(v, cfg, t, tlen, a->user, a->now,
	    cfg->replay_cache != NULL ? replay_step : NULL, NULL, &vd, &e)) !=
	    PB_OK) {
		/* Unreadable, oversized or broken lists and cache: files. */
		rv = pb_to_pam(r, vd.files);
		why = pb_err_msg(&e);
		if (rv == PAM_AUTH_ERR)
			pam_syslog(pamh, LOG_NOTICE, "token rejected for "
			    "'%s': %s%s%s%s", a->su, pb_err_msg(&e),
			    CFG_NAME(file));
		else
			pam_syslog(pamh, LOG_ERR, "cannot check the token for "
			    "'%s': %s%s%s%s", a->su, pb_err_msg(&e),
			    CFG_NAME(file));
		if (a->hint1023)
			log_hint1023(pamh);
		goto out;
	}
	/* The proof last: the token passed every check of its own. */
	if (pb_pop_check_bound(cfg, vd.jwt, &e) != PB_OK) {
		/* No proof could do: refuse before asking for one. */
		pam_syslog(pamh, LOG_NOTICE, "proof rejected for '%s': %s",
		    a->su, why = pb_err_msg(&e));
		rv = PAM_AUTH_ERR;
		goto out;
	}
	if (needs_proof(cfg, vd.jwt) && a->no_prompt) {
		pam_syslog(pamh, LOG_NOTICE, "proof rejected for '%s': proof "
		    "required, and use_first_pass forbids asking for it",
		    a->su);
		why = "proof required, and use_first_pass forbids asking "
		    "for it";
		rv = PAM_AUTH_ERR;
		goto out;
	}
	/* pam/proof.c logs why a proof fails. */
	why = "proof rejected";
	if (needs_proof(cfg, vd.jwt) &&
	    (rv = pb_proof_login(pamh, cfg, vd.jwt, a->su)) != PAM_SUCCESS)
		goto out;
	if ((rv = keep_data(pamh, vd.jwt, a->user)) != PAM_SUCCESS)
		goto out;
	pam_syslog(pamh, LOG_INFO, "accepted token for '%s': iss '%s' sub "
	    "'%s' jti '%s' kid '%s' alg %s%s%s%s%s%s%s", a->su,
	    pb_log_safe(vd.jwt->iss, s1, sizeof(s1)),
	    pb_log_safe(vd.jwt->sub, s2, sizeof(s2)),
	    pb_log_safe(vd.jwt->jti, s3, sizeof(s3)),
	    pb_log_safe(vd.jwt->jws->kid, s4, sizeof(s4)),
	    vd.jwt->jws->alg->name,
	    vd.jwt->cnf_jkt != NULL ? ", proof by key '" : "",
	    vd.jwt->cnf_jkt != NULL ? pb_log_safe(vd.jwt->cnf_jkt, s5,
	    sizeof(s5)) : "", vd.jwt->cnf_jkt != NULL ? "'" : "",
	    CFG_NAME(file));
	rv = PAM_SUCCESS;
 out:
	tell_user(pamh, cfg, rv, why);
	pb_verified_clear(&vd);
	return rv;
}

PB_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct attempt a;
	struct pb_args args;
	struct pb_issuers *is = NULL;
	struct pb_verifier *v = NULL;
	struct pb_secret tok = { NULL, 0 };
	const char *t;
	size_t tlen, i = 0;
	int rv = PAM_AUTH_ERR;

	(void)flags;
	memset(&a, 0, sizeof(a));
	/* An earlier success in this handle must not outlive this attempt. */
	forget(pamh);
	if ((rv = load(pamh, argc, argv, &args, &is, &a)) != PAM_SUCCESS)
		goto out;
	if ((rv = pam_get_user(pamh, &a.user, NULL)) != PAM_SUCCESS ||
	    a.user == NULL) {
		rv = rv == PAM_CONV_AGAIN ? PAM_INCOMPLETE :
		    (rv == PAM_SUCCESS ? PAM_USER_UNKNOWN : rv);
		goto out;
	}
	pb_log_safe(a.user, a.su, sizeof(a.su));
	a.no_prompt = args.use_first_pass;
	if ((rv = pb_conv_token(pamh, &args, is->base, &tok, &a.prompted,
	    &a.hint1023)) != PAM_SUCCESS)
		goto out;
	/*
	 * A token pasted with a blank, a CRLF, its "Bearer " scheme or its
	 * header is the token; input that is no JWT is handed on untouched:
	 * passwords keep their blanks.
	 */
	pb_jwt_unwrap(tok.p, tok.len, &t, &tlen);
	if (!pb_jwt_shaped(t, tlen))
		rv = not_jwt(pamh, &args, &tok, t, tlen, &a);
	else if ((rv = choose(pamh, &args, is, t, tlen, &a, &v, &i)) ==
	    PAM_SUCCESS)
		rv = check_token(pamh, v, is->cfg[i], is->n > 1 ?
		    is->file[i] : NULL, t, tlen, &a);
 out:
	pb_secret_clear(&tok);
	pb_verifier_free(v);
	pb_issuers_free(is);
	return rv;
}

PB_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	/*
	 * libpam walks the setcred stack along what authenticate returned
	 * (its frozen chain): after a PAM_IGNORE, this answer is ignored.
	 */
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

PB_EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	(void)argc;
	(void)argv;
	/* Only accounts this module authenticated are its business. */
	return our_data(pamh) != NULL ? PAM_SUCCESS : PAM_IGNORE;
}

static int
put_env(pam_handle_t *pamh, const char *name, const char *value)
{
	char buf[1100];
	int n;

	if (value == NULL)
		return PAM_SUCCESS;
	n = snprintf(buf, sizeof(buf), "%s=%s", name, value);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return PAM_SUCCESS;
	return pam_putenv(pamh, buf);
}

static int
export_env(pam_handle_t *pamh, const struct auth_data *d)
{
	char exp[32];
	int r;

	(void)snprintf(exp, sizeof(exp), "%lld", (long long)d->exp);
	if ((r = put_env(pamh, "BEARER_SUB", d->sub)) != PAM_SUCCESS ||
	    (r = put_env(pamh, "BEARER_ISS", d->iss)) != PAM_SUCCESS ||
	    (r = put_env(pamh, "BEARER_EXP", exp)) != PAM_SUCCESS ||
	    (r = put_env(pamh, "BEARER_SCOPE", d->scope)) != PAM_SUCCESS)
		return r;
	return PAM_SUCCESS;
}

PB_EXPORT int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	const struct auth_data *d;

	(void)flags;
	(void)argc;
	(void)argv;
	if ((d = our_data(pamh)) == NULL)
		return PAM_IGNORE;
	return export_env(pamh, d);
}

PB_EXPORT int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
