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
#include "file.h"
#include "json.h"
#include "jws.h"
#include "jwt.h"
#include "module.h"
#include "secmem.h"
#include "usermap.h"

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

/*
 * Steps after pb_jwt_verify() (DESIGN.md order): user mapping, the PAM
 * user, deny_users and min_uid, the denylist, the replay cache.  *files is
 * set when a failure is about the admin's files or cache, not the token:
 * whatever the code, that is PAM_AUTHINFO_UNAVAIL (a denylist over its
 * size cap is no bad token).
 */
static int
check_user(const struct pb_conf *cfg, const struct pb_jwt *jwt,
    const char *user, int64_t now, int *files, struct pb_err *e)
{
	char su[PB_SAFE_BUFSZ], sm[PB_SAFE_BUFSZ];
	char *mapped = NULL;
	const char *name = jwt->username;
	int r;

	*files = 0;
	if (cfg->usermap_file != NULL) {
		if ((r = pb_usermap_lookup(cfg->usermap_file, jwt->username,
		    &mapped, e)) != PB_OK) {
			*files = r != PB_ERR_USER;
			return r;
		}
		name = mapped;
	}
	/* Never rewrite PAM_USER (OpenSSH 10.1+ refuses): compare only. */
	if (strcmp(name, user) != 0) {
		r = pb_err_set(e, PB_ERR_USER, "token is for '%s', not '%s'",
		    pb_log_safe(name, sm, sizeof(sm)),
		    pb_log_safe(user, su, sizeof(su)));
		goto out;
	}
	/* deny_users, min_uid: before the replay cache spends the token. */
	if ((r = pb_user_check_local(cfg, user, e)) != PB_OK) {
		*files = r == PB_ERR_IO;
		goto out;
	}
	if (cfg->denylist_file != NULL && (r = pb_denylist_check(
	    cfg->denylist_file, jwt->jti, jwt->sub, e)) != PB_OK) {
		*files = r != PB_ERR_DENIED;
		goto out;
	}
	if (cfg->replay_cache != NULL && (r = pb_replay_check(
	    cfg->replay_cache, jwt->iss, jwt->jti, jwt->exp, now, cfg->leeway,
	    e)) != PB_OK) {
		*files = r != PB_ERR_REPLAY && r != PB_ERR_CLAIM;
		goto out;
	}
	r = PB_OK;
 out:
	free(mapped);
	return r;
}

/*
 * Whether non-JWT input looks like an opaque access token (LemonLDAP::NG's
 * default is 64 hex digits): long, no '.', only RFC 6750 b64token bytes.
 * Only chooses the words of a debug line; nothing of it is logged.
 */
static int
opaque_like(const char *s, size_t len)
{
	size_t i;

	if (len < 32)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_~+/=", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

static void
log_hint1023(pam_handle_t *pamh)
{
	pam_syslog(pamh, LOG_NOTICE, "an answer was exactly 1023 bytes: the "
	    "ssh client may have cut the token; send it in parts ending in "
	    "'\\' (bearer-token askpass does)");
}

PB_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	char su[PB_SAFE_BUFSZ], s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ];
	char s3[PB_SAFE_BUFSZ], s4[PB_SAFE_BUFSZ];
	struct pb_args args;
	struct pb_conf *cfg = NULL;
	struct pb_verifier *v = NULL;
	struct pb_jwt *jwt = NULL;
	struct pb_secret tok = { NULL, 0 };
	struct pb_err e;
	const char *user = NULL, *t;
	size_t tlen;
	int64_t now;
	int rv = PAM_AUTH_ERR, r, prompted = 0, hint1023 = 0, files = 0;

	(void)flags;
	pb_err_clear(&e);
	/* An earlier success in this handle must not outlive this attempt. */
	forget(pamh);
	/* Files first: if they are broken, say so before asking anything. */
	if ((r = pb_args_load(pamh, argc, argv, &args, &cfg)) != PB_OK) {
		rv = pb_to_pam(r, 1);
		goto out;
	}
	/*
	 * Skipped JWKS keys (IdPs publish encryption keys too) would log at
	 * every login: only with debug.  A set with no usable key is an
	 * error below either way.
	 */
	now = (int64_t)time(NULL);
	if ((r = pb_verifier_new(cfg, args.debug ? pb_log_skip : NULL, pamh,
	    &v, &e)) != PB_OK || (r = pb_verifier_check_age(v, now, &e)) !=
	    PB_OK) {
		pam_syslog(pamh, LOG_ERR, "cannot use the keys: %s",
		    pb_err_msg(&e));
		rv = pb_to_pam(r, 1);
		goto out;
	}
	if ((rv = pam_get_user(pamh, &user, NULL)) != PAM_SUCCESS ||
	    user == NULL) {
		rv = rv == PAM_CONV_AGAIN ? PAM_INCOMPLETE :
		    (rv == PAM_SUCCESS ? PAM_USER_UNKNOWN : rv);
		goto out;
	}
	pb_log_safe(user, su, sizeof(su));
	if ((rv = pb_conv_token(pamh, &args, cfg, &tok, &prompted,
	    &hint1023)) != PAM_SUCCESS)
		goto out;
	rv = PAM_AUTH_ERR;
	/*
	 * A token pasted with a blank, a CRLF, its "Bearer " scheme or its
	 * header is the token; input that is no JWT is handed on untouched:
	 * passwords keep their blanks.
	 */
	pb_jwt_unwrap(tok.p, tok.len, &t, &tlen);
	if (!pb_jwt_shaped(t, tlen)) {
		/*
		 * Not a JWT: a password for the next module.  Hand it on
		 * when we asked for it, so one prompt serves both.
		 */
		if (prompted && pam_set_item(pamh, PAM_AUTHTOK, tok.p) !=
		    PAM_SUCCESS) {
			rv = PAM_BUF_ERR;
			goto out;
		}
		if (args.debug)
			pam_syslog(pamh, LOG_DEBUG, "input for '%s' is %s, "
			    "ignoring", su, opaque_like(t, tlen) ?
			    PB_JWS_NOT_JWT : "not a JWT");
		/* A token cut inside its header or payload lands here. */
		if (hint1023)
			log_hint1023(pamh);
		rv = PAM_IGNORE;
		goto out;
	}
	if ((r = pb_jwt_verify(v, t, tlen, now, &jwt, &e)) == PB_OK)
		r = check_user(cfg, jwt, user, now, &files, &e);
	if (r != PB_OK) {
		/* Unreadable, oversized or broken lists and cache: files. */
		rv = pb_to_pam(r, files);
		if (rv == PAM_AUTH_ERR)
			pam_syslog(pamh, LOG_NOTICE, "token rejected for "
			    "'%s': %s", su, pb_err_msg(&e));
		else
			pam_syslog(pamh, LOG_ERR, "cannot check the token for "
			    "'%s': %s", su, pb_err_msg(&e));
		if (hint1023)
			log_hint1023(pamh);
		goto out;
	}
	if ((rv = keep_data(pamh, jwt, user)) != PAM_SUCCESS)
		goto out;
	pam_syslog(pamh, LOG_INFO, "accepted token for '%s': iss '%s' sub "
	    "'%s' jti '%s' kid '%s' alg %s", su,
	    pb_log_safe(jwt->iss, s1, sizeof(s1)),
	    pb_log_safe(jwt->sub, s2, sizeof(s2)),
	    pb_log_safe(jwt->jti, s3, sizeof(s3)),
	    pb_log_safe(jwt->jws->kid, s4, sizeof(s4)),
	    jwt->jws->alg->name);
	rv = PAM_SUCCESS;
 out:
	pb_jwt_free(jwt);
	pb_secret_clear(&tok);
	pb_verifier_free(v);
	pb_conf_free(cfg);
	return rv;
}

PB_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
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
