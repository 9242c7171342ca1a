/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_MODULE_H
#define PB_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include <security/pam_modules.h>

#include "conf.h"
#include "err.h"
#include "jwt.h"
#include "secmem.h"
#include "strlist.h"
#include "verify.h"

/* Exported entry points only (-fvisibility=hidden elsewhere). */
#define PB_EXPORT	__attribute__((visibility("default")))

/* What the module line says besides configuration keys. */
struct pb_args {
	int		 debug;
	int		 try_first_pass;
	int		 use_first_pass;
};

/*
 * Read the module arguments and the configuration files into checked
 * configurations: the flags, then pb_issuers_from_args() (config= first,
 * then pam_bearer.conf and every issuers_dir file, each with every
 * key=value argument on top: the line wins).
 * Problems are logged at LOG_ERR.
 * Returns PB_OK, PB_ERR_NOMEM, or PB_ERR_CONFIG / PB_ERR_IO for anything
 * the admin must fix.
 */
int pb_args_load(pam_handle_t *pamh, int argc, const char **argv,
    struct pb_args *args, struct pb_issuers **isp) PB_WUR;

/*
 * The keys of cfg into *v, checked for age (jwks_max_age); file (or NULL)
 * names the configuration in the LOG_ERR line of a failure.  A PB code.
 */
int pb_args_keys(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_conf *cfg, const char *file, int64_t now,
    struct pb_verifier **v) PB_WUR;

/* pb_conf_log_fn and pb_jwks_skip_fn that log through pam_syslog(). */
void pb_log_conf(void *pamh, int prio, const char *msg);
void pb_log_skip(void *pamh, const char *msg);

/*
 * One answer that may come in parts (common/prompt.h): the token or the
 * login proof.  While an answer ends in PB_PROMPT_MORE, pb_conv_parts()
 * asks for the rest with next's prompt for the bytes so far.
 */
struct pb_conv_parts {
	const char	*what;		/* "token", "proof": for the log */
	const char	*limit;		/* max's name, for the log */
	const char	*first;		/* the first prompt */
	/* The prompt for the part at byte off into buf: PB_OK or an error. */
	int		(*next)(char *buf, size_t bufsz, size_t off,
			    const void *ctx);
	const void	*ctx;		/* next's */
	size_t		 max;		/* bytes in all, at most */
	const void	*item;		/* taken as the first answer when set
					   (PAM_AUTHTOK; cleared when used) */
	int		 no_prompt;	/* item may not continue in a prompt */
};

/*
 * Ask for p's answer, part by part, joined into out (wipe it) on
 * PAM_SUCCESS.  An answer over p->max bytes or in more than 256 parts is
 * PAM_AUTH_ERR; a conversation failure returns its PAM code, and with
 * PAM_CONV_ERR logs the hint that the client may drop long answers.
 * *prompted says whether a prompt was asked; *hint1023 whether an answer
 * was exactly 1023 bytes (the ssh client's cut).
 */
int pb_conv_parts(pam_handle_t *pamh, struct pb_conv_parts *p,
    struct pb_secret *out, int *prompted, int *hint1023);

/*
 * Get the token: PAM_AUTHTOK with try_first_pass/use_first_pass, else the
 * module's prompt; while an answer ends with '\' the module asks for the
 * next part (DESIGN.md "Long tokens").  *prompted says whether the module
 * asked; *hint1023 whether an answer was exactly 1023 bytes.  Returns a
 * PAM code; on PAM_SUCCESS tok holds the joined token (wipe it).
 */
int pb_conv_token(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_conf *cfg, struct pb_secret *tok, int *prompted,
    int *hint1023);

/*
 * Ask one echo-off question through the application's conversation: on
 * PAM_SUCCESS *answer is the malloc()ed text (wipe and free it).
 * PAM_CONV_AGAIN from the application is PAM_INCOMPLETE, PAM_BUF_ERR stays,
 * any other failure (or no answer) is PAM_CONV_ERR; a response the
 * application filled anyway is wiped and freed.
 */
int pb_conv_ask(pam_handle_t *pamh, const char *prompt, char **answer);

/*
 * The login proof (DESIGN.md section 5) for the verified token jwt: a
 * nonce from getrandom(2), the proof prompt for the first host name, then
 * pb_pop_verify() against cfg's host_names or, when unset, this host's
 * (pb_proof_names()).  A refused proof is logged at LOG_NOTICE with the
 * rule it broke ("proof rejected for 'su': ...") and is PAM_AUTH_ERR; a
 * conversation failure returns its PAM code.
 */
int pb_proof_login(pam_handle_t *pamh, const struct pb_conf *cfg,
    const struct pb_jwt *jwt, const char *su);

/*
 * This host's names for the proof when host_names is unset: the name of
 * gethostname(2) as set, then its first label when it has dots; never the
 * resolver's (no network at login), never a name starting with
 * "localhost" (any case), only names a proof prompt can show.  PB_OK with
 * out filled (pb_strlist_clear() it), PB_ERR_CONFIG when none is left
 * (the admin must set host_names), or PB_ERR_NOMEM.
 */
int pb_proof_names(struct pb_strlist *out, struct pb_err *e) PB_WUR;

/*
 * The single-use jti cache (replay_cache): PB_OK the first time a token's
 * iss and jti are seen, PB_ERR_REPLAY after, until exp + leeway; expired
 * entries are removed on the way, a bounded number per call.  Safe under
 * concurrent logins: an entry is written to a temp file and link()ed into
 * place.  PB_ERR_IO when the directory is unusable or the entry cannot be
 * written (then nothing is recorded).
 */
int pb_replay_check(const char *dir, const char *iss, const char *jti,
    int64_t exp, int64_t now, long leeway, struct pb_err *e) PB_WUR;

#endif /* PB_MODULE_H */
