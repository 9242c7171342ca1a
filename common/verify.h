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
