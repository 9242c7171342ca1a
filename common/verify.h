/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_VERIFY_H
#define PB_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "jwt.h"

/*
 * "Verify as the module would", in one place for the module and for
 * "bearer-token verify" (and the configuration part for fetch-jwks): the
 * configuration built from a file and key=value arguments, and the steps
 * after pb_jwt_verify() in DESIGN.md's order.
 */

/*
 * The checked configuration the module would use: the file at path
 * (PB_CONF_DEFAULT_PATH when NULL), or at the last "config=FILE" among the
 * argc arguments; then every other argument holding '=' on top, in order,
 * as a PB_CONF_ARG "key=value" (the command line wins over the file),
 * where naming them in messages ("module argument"); then pb_conf_check().
 * Arguments without '=' are the caller's own (flags) and are skipped.
 * Every problem is reported through log (one run shows them all).
 * Returns PB_OK with *out set (pb_conf_free() it); otherwise *out is NULL
 * and the code is PB_ERR_NOMEM, or PB_ERR_IO / PB_ERR_CONFIG for anything
 * the admin must fix.
 */
int pb_conf_from_args(const char *path, int argc, const char *const *argv,
    const char *where, pb_conf_log_fn *log, void *ctx,
    struct pb_conf **out) PB_WUR;

/*
 * pb_conf_from_args() without the final pb_conf_check(): the settings as
 * given, for a reader that needs only some of them (fetch-jwks needs the
 * issuer and jwks_file; audience may come on each PAM line, not the
 * file).  Same results otherwise.
 */
int pb_conf_read_args(const char *path, int argc, const char *const *argv,
    const char *where, pb_conf_log_fn *log, void *ctx,
    struct pb_conf **out) PB_WUR;

/*
 * Every issuer configuration of the host (DESIGN.md section 2, "Several
 * issuers"): pam_bearer.conf when it names an issuer, then every *.conf
 * of its issuers_dir in name order, each a complete configuration of its
 * own with the same key=value arguments on top.  base is pam_bearer.conf
 * with the arguments: the settings needed before a token is read
 * (prompt, services, max_token_size for reading iss).
 */
struct pb_issuers {
	struct pb_conf	 *base;
	struct pb_conf	**cfg;	/* n issuers; cfg[0] is base when it has one */
	char		**file;	/* the file each came from */
	size_t		  n;
};

/*
 * As pb_conf_from_args() (check != 0) or pb_conf_read_args() (check == 0),
 * for every issuer: a missing issuers_dir holds none; an unsafe or
 * unreadable one, a bad file in it, a symbolic link, an issuers_dir key in
 * it, or two configurations naming the same issuer are PB_ERR_CONFIG (or
 * PB_ERR_IO), reported through log.  pam_bearer.conf without an issuer is
 * fine when the directory holds at least one file.  Free *out with
 * pb_issuers_free().
 */
int pb_issuers_from_args(const char *path, int argc, const char *const *argv,
    const char *where, pb_conf_log_fn *log, void *ctx, int check,
    struct pb_issuers **out) PB_WUR;

/* Free everything; NULL-safe. */
void pb_issuers_free(struct pb_issuers *is);

/*
 * The one configuration for the token tok (len bytes, unwrapped): with a
 * single issuer, that one (pb_jwt_verify() checks iss); with several,
 * the one whose issuer list holds the token's iss byte for byte, read from
 * the unverified payload under the strict parser's rules and used for
 * nothing else.  PB_OK with *idx set; PB_ERR_FORMAT/PB_ERR_TOOBIG for a
 * malformed token, PB_ERR_CLAIM without a string iss, PB_ERR_ISS "no
 * configuration for issuer '...'".
 */
int pb_issuers_pick(const struct pb_issuers *is, const char *tok,
    size_t len, size_t *idx, struct pb_err *e) PB_WUR;

/*
 * The last step, the one that spends a token (the module's replay cache,
 * pam/replay.c, which common/ does not link): PB_OK the first time;
 * PB_ERR_REPLAY when the token was used before, PB_ERR_CLAIM when it lacks
 * a claim the step needs (both about the token); any other code is about
 * the admin's files.  Sets e on failure.
 */
typedef int pb_verify_once_fn(void *ctx, const struct pb_conf *cfg,
    const struct pb_jwt *jwt, int64_t now, struct pb_err *e);

/* What pb_verify_user() found; release with pb_verified_clear(). */
struct pb_verified {
	struct pb_jwt	*jwt;	/* the verified token, or NULL */
	char		*user;	/* the local user it maps to, or NULL */
	int		 files;	/* the failure concerns the admin's files */
};

/*
 * Verify tok (len bytes, unwrapped: pb_jwt_unwrap()) as the module does
 * at time now: pb_jwt_verify(); the user mapping (usermap_file, else the
 * username_claim value); the local user, who must be user unless user is
 * NULL (never rewritten: compared only); deny_users and min_uid; the
 * denylist; then once, unless it is NULL (the module's replay cache:
 * last, so that no refusal after it spends the token).  out is filled as
 * far as the steps went: out->jwt from the first step on, out->user from
 * the mapping on; out->files is set when the failure is about the admin's
 * files, lists, user database or cache, not the token (whatever the code:
 * the module answers PAM_AUTHINFO_UNAVAIL).  Returns PB_OK, or the code of
 * the first step that failed with e saying why (no byte of the token).
 * Clear out with pb_verified_clear() either way.
 */
int pb_verify_user(const struct pb_verifier *v, const struct pb_conf *cfg,
    const char *tok, size_t len, const char *user, int64_t now,
    pb_verify_once_fn *once, void *ctx, struct pb_verified *out,
    struct pb_err *e) PB_WUR;

/* Free what out holds and zero it; NULL-safe. */
void pb_verified_clear(struct pb_verified *out);

#endif /* PB_VERIFY_H */
