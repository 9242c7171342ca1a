/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_CONF_KEY_H
#define PB_CONF_KEY_H

#include <stddef.h>

#include "conf.h"

/*
 * The keys of pam_bearer.conf, shared by the three files of its parser:
 * conf.c (the key table, setting one key, new and free), conf_value.c
 * (parsing and checking one value) and conf_load.c (reading a file,
 * pb_conf_check).  Not an API: only common/conf*.c include this.
 */

enum key_id {
	K_ISSUER,
	K_AUDIENCE,
	K_JWKS_FILE,
	K_ALGORITHMS,
	K_HMAC_SECRET_FILE,
	K_USERNAME_CLAIM,
	K_USERMAP_FILE,
	K_LEEWAY,
	K_MAX_TOKEN_AGE,
	K_REQUIRE_SCOPE,
	K_GROUPS_CLAIM,
	K_REQUIRE_GROUPS,
	K_REQUIRE_CLAIM,
	K_DENYLIST_FILE,
	K_REPLAY_CACHE,
	K_MAX_TOKEN_SIZE,
	K_PROMPT,
	K_ACCEPT_ID_TOKENS,
	K_DENY_USERS,
	K_MIN_UID,
	K_JWKS_MAX_AGE,
	K_REQUIRE_POP,
	K_HOST_NAMES,
	K_SHOW_REASON,
	K_SERVICES,
	K_ISSUERS_DIR,
	K_COUNT
};

/* seen and from_arg hold one bit per key. */
_Static_assert(K_COUNT <= 32, "too many keys for the seen bitmask");

enum key_type {
	T_LIST,		/* struct pb_strlist */
	T_ALGS,		/* unsigned mask */
	T_PATH,		/* char *, absolute */
	T_CLAIM,	/* char *, claim name or JSON Pointer */
	T_LONG,		/* long, min..max */
	T_SIZE,		/* size_t, min..max */
	T_PROMPT,	/* char *, may be quoted */
	T_CLAIMREQ,	/* struct pb_claim_req, repeatable */
	T_BOOL,		/* int, "yes" or "no" */
	T_ULIST,	/* struct pb_strlist, may be set empty */
	T_DURATION	/* long seconds: N, Ns, Nm, Nh, Nd or Nw, min..max */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;	/* the field in struct pb_conf */
	long		 min;
	long		 max;
	const char	*unit;
};

#define KBIT(id)	(1u << (unsigned)(id))

/* A parsed value waiting to be committed. */
struct val {
	struct pb_strlist	 list;
	char			*s;
	long			 n;
	unsigned		 mask;
	struct pb_claim_req	 claim;
};

#define MSG_MAX		1024

/* The key table, indexed by enum key_id (conf.c). */
extern const struct key pb_conf_keys[K_COUNT];

/* The key called name (exact), or NULL. */
const struct key *pb_conf_key_find(const char *name);

/* The enum key_id of an entry of pb_conf_keys. */
static inline enum key_id
key_id(const struct key *k)
{
	return (enum key_id)(k - pb_conf_keys);
}

/*
 * Send "where: message" to the log callback, if there is one (logfn may
 * be NULL; where NULL or "" gives the message alone).  MSG_MAX bytes at
 * most; a longer message is cut.
 */
void pb_conf_report(pb_conf_log_fn *logfn, void *ctx, const char *where,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Parse and check value for key k into *v (zeroed by the caller); nothing
 * in any configuration changes.  Problems are reported through logfn.
 * PB_OK, PB_ERR_CONFIG or PB_ERR_NOMEM.  Free *v with
 * pb_conf_value_free() whatever the result (conf_value.c).
 */
int pb_conf_value_parse(const struct key *k, const char *value,
    struct val *v, const char *where, pb_conf_log_fn *logfn, void *ctx)
    PB_WUR;

/*
 * conf.c: swap the field of key k between the two places a and b (fields
 * of k's type; nothing for T_CLAIMREQ).  What owns memory (a list, a
 * string) changes hands, so that freeing the side that is dropped frees
 * the old value.
 */
void pb_conf_field_swap(const struct key *k, void *a, void *b);

/* Free what *v holds and zero it. */
void pb_conf_value_free(struct val *v);

#endif /* PB_CONF_KEY_H */
