/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Verify as the module would: the configuration from a file and key=value
 * arguments, and the steps after pb_jwt_verify() (DESIGN.md section 2),
 * shared by pam/pam_bearer.c and bearer-token verify.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "err.h"
#include "json.h"
#include "jws.h"
#include "jwt.h"
#include "usermap.h"
#include "verify.h"

int
pb_conf_read_args(const char *path, int argc, const char *const *argv,
    const char *where, pb_conf_log_fn *log, void *ctx, struct pb_conf **out)
{
	struct pb_conf *cfg = NULL;
	int i, r;

	*out = NULL;
	if (path == NULL)
		path = PB_CONF_DEFAULT_PATH;
	/* config= first: the file is read before key=value. */
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "config=", 7) == 0)
			path = argv[i] + 7;
	if ((r = pb_conf_new(&cfg)) != PB_OK)
		return r;
	if ((r = pb_conf_load(cfg, path, log, ctx)) != PB_OK)
		goto out;
	if ((r = pb_conf_apply_args(cfg, argc, argv, 1, where, log,
	    ctx)) != PB_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
	r = PB_OK;
 out:
	pb_conf_free(cfg);
	return r;
}

int
pb_conf_from_args(const char *path, int argc, const char *const *argv,
    const char *where, pb_conf_log_fn *log, void *ctx, struct pb_conf **out)
{
	struct pb_conf *cfg = NULL;
	int r;

	*out = NULL;
	if ((r = pb_conf_read_args(path, argc, argv, where, log, ctx,
	    &cfg)) != PB_OK)
		return r;
	if ((r = pb_conf_check(cfg, log, ctx)) != PB_OK) {
		pb_conf_free(cfg);
		return r;
	}
	*out = cfg;
	return PB_OK;
}

int
pb_issuers_pick(const struct pb_issuers *is, const char *tok, size_t len,
    size_t *idx, struct pb_err *e)
{
	char si[PB_SAFE_BUFSZ];
	struct pb_jws *jws = NULL;
	cJSON *payload = NULL;
	const char *iss;
	size_t i, max = is->base->max_token_size;
	int r;

	*idx = 0;
	/* One issuer: pb_jwt_verify() checks iss as it always did. */
	if (is->n == 1)
		return PB_OK;
	/* The strict parser, and of the payload only iss, to choose. */
	if ((r = pb_jws_parse(tok, len, max, &jws, e)) != PB_OK ||
	    (r = pb_json_parse((const char *)jws->payload, jws->payload_len,
	    max, "token payload", &payload, e)) != PB_OK)
		goto out;
	if ((iss = pb_json_get_string(payload, "iss")) == NULL) {
		r = pb_err_set(e, PB_ERR_CLAIM, "token has no string 'iss' "
		    "(several issuers are configured: iss chooses one)");
		goto out;
	}
	r = pb_err_set(e, PB_ERR_ISS, "no configuration for issuer '%s'",
	    pb_log_safe(iss, si, sizeof(si)));
	for (i = 0; i < is->n; i++)
		if (pb_strlist_has(&is->cfg[i]->issuers, iss)) {
			*idx = i;
			pb_err_clear(e);
			r = PB_OK;
			break;
		}
 out:
	pb_json_delete_wipe(payload);
	pb_jws_free(jws);
	return r;
}

/* The local user the token maps to, into out->user. */
static int
map_user(const struct pb_conf *cfg, struct pb_verified *out,
    struct pb_err *e)
{
	const struct pb_jwt *jwt = out->jwt;
	int r;

	if (cfg->usermap_file != NULL) {
		if ((r = pb_usermap_lookup(cfg->usermap_file, jwt->username,
		    &out->user, e)) != PB_OK)
			out->files = r != PB_ERR_USER;
		return r;
	}
	if ((out->user = strdup(jwt->username)) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	return PB_OK;
}

int
pb_verify_user(const struct pb_verifier *v, const struct pb_conf *cfg,
    const char *tok, size_t len, const char *user, int64_t now,
    pb_verify_once_fn *once, void *ctx, struct pb_verified *out,
    struct pb_err *e)
{
	char su[PB_SAFE_BUFSZ], sm[PB_SAFE_BUFSZ];
	const struct pb_jwt *jwt;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pb_jwt_verify(v, tok, len, now, &out->jwt, e)) != PB_OK)
		return r;
	jwt = out->jwt;
	if ((r = map_user(cfg, out, e)) != PB_OK)
		return r;
	/* Never rewrite PAM_USER (OpenSSH 10.1+ refuses): compare only. */
	if (user != NULL && strcmp(out->user, user) != 0)
		return pb_err_set(e, PB_ERR_USER, "token is for '%s', not "
		    "'%s'", pb_log_safe(out->user, sm, sizeof(sm)),
		    pb_log_safe(user, su, sizeof(su)));
	/* deny_users, min_uid: before the replay cache spends the token. */
	if ((r = pb_user_check_local(cfg, out->user, e)) != PB_OK) {
		out->files = r == PB_ERR_IO;
		return r;
	}
	/* A denylist over its size cap is no bad token: files. */
	if (cfg->denylist_file != NULL && (r = pb_denylist_check(
	    cfg->denylist_file, jwt->jti, jwt->sub, e)) != PB_OK) {
		out->files = r != PB_ERR_DENIED;
		return r;
	}
	if (once != NULL && (r = once(ctx, cfg, jwt, now, e)) != PB_OK) {
		out->files = r != PB_ERR_REPLAY && r != PB_ERR_CLAIM;
		return r;
	}
	return PB_OK;
}

void
pb_verified_clear(struct pb_verified *out)
{
	if (out == NULL)
		return;
	pb_jwt_free(out->jwt);
	free(out->user);
	memset(out, 0, sizeof(*out));
}
