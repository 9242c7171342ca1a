/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_CONF_H
#define PB_CONF_H

#include <stddef.h>

#include "err.h"
#include "strlist.h"

/*
 * pam_bearer.conf (DESIGN.md section 2): "key = value" lines, whole-line
 * '#' comments, blank lines ignored.  The same keys may be given as
 * key=value module arguments; an argument replaces the file's value.  Both
 * the module and "bearer-token verify" parse with this code.
 */

#define PB_CONF_DEFAULT_PATH	"/etc/security/pam_bearer.conf"
#define PB_CONF_DEFAULT_JWKS	"/var/lib/pam_bearer/jwks.json"
#define PB_CONF_DEFAULT_ISSUERS_DIR	"/etc/security/pam_bearer.d"
#define PB_CONF_DEFAULT_PROMPT	"Bearer token: "
#define PB_CONF_DEFAULT_DENY_USERS	"root"
#define PB_CONF_MAX_LINE	4096
#define PB_CONF_MAX_FILE	(256 * 1024)

/* One require_claim NAME=VALUE. */
struct pb_claim_req {
	char	*name;
	char	*value;
};

struct pb_conf {
	struct pb_strlist	 issuers;	/* required; one IdP's names */
	struct pb_strlist	 audiences;	/* required */
	char			*jwks_file;
	unsigned		 algorithms;	/* mask of pb_alg.bit */
	char			*hmac_secret_file;	/* NULL: unset */
	char			*username_claim;
	char			*usermap_file;
	long			 leeway;	/* seconds */
	long			 max_token_age;	/* seconds, 0 = off */
	struct pb_strlist	 require_scope;
	char			*groups_claim;
	struct pb_strlist	 require_groups;
	struct pb_claim_req	*require_claim;
	size_t			 n_require_claim;
	char			*denylist_file;
	char			*replay_cache;
	size_t			 max_token_size;
	char			*prompt;
	int			 accept_id_tokens;	/* 0: refuse them */
	struct pb_strlist	 deny_users;	/* never logged in */
	long			 min_uid;	/* 0 = off */
	long			 jwks_max_age;	/* seconds, 0 = off */
	int			 require_pop;	/* 0: bearer tokens pass */
	struct pb_strlist	 host_names;	/* empty: the module's own */
	int			 show_reason;	/* 0: refusals say no why */
	struct pb_strlist	 services;	/* empty: every PAM service */
	char			*issuers_dir;	/* one issuer per *.conf */
	unsigned		 seen;		/* internal: keys set so far */
	unsigned		 from_arg;	/* internal: keys set by args */
};

/*
 * Where a setting comes from: the file (a key given twice is an error,
 * except require_claim, which adds) or a module argument (replaces what the
 * file said, require_claim included).
 */
enum pb_conf_src {
	PB_CONF_FILE,
	PB_CONF_ARG
};

/*
 * Receives one message per problem.  prio is a syslog level (LOG_ERR for
 * errors); msg names the place ("/etc/security/pam_bearer.conf:12: ...").
 */
typedef void pb_conf_log_fn(void *ctx, int prio, const char *msg);

/*
 * A fresh configuration with the defaults of DESIGN.md.  Returns PB_OK or
 * PB_ERR_NOMEM.  Free with pb_conf_free().
 */
int pb_conf_new(struct pb_conf **out) PB_WUR;

/* Free a configuration; NULL-safe. */
void pb_conf_free(struct pb_conf *cfg);

/*
 * Read the file at path into cfg.  Every bad line is reported through log
 * (file:line: what is wrong) and parsing goes on, so that one run shows all
 * problems; then PB_ERR_CONFIG is returned if there was any.  A missing or
 * unreadable file is PB_ERR_IO (reported too).
 */
int pb_conf_load(struct pb_conf *cfg, const char *path,
    pb_conf_log_fn *log, void *ctx) PB_WUR;

/*
 * Set one key.  where names the place for messages ("file:12", "module
 * argument").  Unknown keys and bad values are PB_ERR_CONFIG, reported
 * through log.
 */
int pb_conf_set(struct pb_conf *cfg, enum pb_conf_src src,
    const char *key, const char *value, const char *where,
    pb_conf_log_fn *log, void *ctx) PB_WUR;

/*
 * pb_conf_set() of one "key=value" argument (a module argument, or a
 * bearer-token verify argument) as PB_CONF_ARG.  An argument without '='
 * is PB_ERR_CONFIG, reported.
 */
int pb_conf_set_arg(struct pb_conf *cfg, const char *arg, const char *where,
    pb_conf_log_fn *log, void *ctx) PB_WUR;

/*
 * pb_conf_set_arg() of every argument holding '=' but config=, in order;
 * issuers_dir= only when host_keys (not on an issuer file).  Reports every
 * bad one, then PB_ERR_CONFIG if there was any.
 */
int pb_conf_apply_args(struct pb_conf *cfg, int argc,
    const char *const *argv, int host_keys, const char *where,
    pb_conf_log_fn *log, void *ctx) PB_WUR;

/*
 * Check the finished configuration: issuer and audience present, at least
 * one algorithm, HS algorithms only with hmac_secret_file.  Reports through
 * log; PB_OK or PB_ERR_CONFIG.
 */
int pb_conf_check(const struct pb_conf *cfg, pb_conf_log_fn *log,
    void *ctx) PB_WUR;

#endif /* PB_CONF_H */
