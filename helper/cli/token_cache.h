/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_TOKEN_CACHE_H
#define PB_TOKEN_CACHE_H

#include <stdint.h>

#include "err.h"
#include "profile.h"
#include "privdir.h"
#include "secmem.h"

/*
 * The access token cache (DESIGN.md section 3): PROFILE.cache in the
 * runtime directory (privdir.h), or without one (su -, cron, containers)
 * in PB_TOKEN_CACHE_DISK_SUB under the state directory: a 0600 file
 * holding the current access token, its expiry and the settings it was
 * issued for (issuer, client_id, scope, audience, resource), as
 * "key=value" lines.  Never the refresh token.  The lock that serialises
 * refreshes is PROFILE.lock in the state directory, whichever directory
 * holds the cache (net/session.c).
 */

#define PB_TOKEN_CACHE_MAX		(256 * 1024)	/* largest cache file */
#define PB_TOKEN_CACHE_LOCK_MS	(120 * 1000)	/* wait for a refresh */

/*
 * The fallback directory of the cache under the state directory, and the
 * mark that records the one notice about it.
 */
#define PB_TOKEN_CACHE_DISK_SUB	"cache"
#define PB_TOKEN_CACHE_NOTICE	".on-disk-notice"

/*
 * Open the directory of the access token cache in *d: the runtime
 * directory (pb_privdir_runtime_path()) when there is one, else
 * STATE/PB_TOKEN_CACHE_DISK_SUB.  With create set, make it (0700), and the
 * first time the cache lands on disk say so on stderr (once per user:
 * PB_TOKEN_CACHE_NOTICE marks it).  The runtime directory is never skipped
 * for the state one because it is broken: that is an error, as before.
 * PB_OK; PB_ERR_NOTFOUND when it does not exist and create is clear;
 * PB_ERR_IO, PB_ERR_NOMEM.  *d is usable for pb_privdir_close() whatever
 * the result.
 */
int pb_token_cache_open(struct pb_privdir *d, int create, struct pb_err *e)
    PB_WUR;

/* The cache's and the lock's file names for profile. */
void pb_token_cache_name(const char *profile, char *buf, size_t bufsz);
void pb_token_cache_lock_name(const char *profile, char *buf, size_t bufsz);

/* A cached access token.  Times in seconds since the epoch. */
struct pb_cached {
	struct pb_secret token;
	int64_t		 expires_at;
	int64_t		 obtained_at;	/* when the IdP issued it to us */
};

/* Wipe the token and reset *t; NULL-safe. */
void pb_token_cache_clear(struct pb_cached *t);

/*
 * Whether t lives at least min_ttl seconds more at now.  min_ttl < 0 means
 * the default: PB_TOKEN_CACHE_MIN_TTL, but at most half the token's
 * lifetime (an IdP that issues 60 s tokens must not make every get
 * refresh).
 */
int pb_token_cache_fresh(const struct pb_cached *t, int64_t now, long min_ttl);

#define PB_TOKEN_CACHE_MIN_TTL	60

/*
 * Read the cached access token of c's profile from the runtime directory
 * d.  PB_OK with it in *t (release with pb_token_cache_clear());
 * PB_ERR_NOTFOUND
 * when there is none, or the one there was issued for other settings;
 * PB_ERR_IO for a file that is not ours or a read error; PB_ERR_FORMAT for
 * a damaged one; PB_ERR_NOMEM.
 */
int pb_token_cache_read(const struct pb_privdir *d, const struct pb_profile *c,
    struct pb_cached *t, struct pb_err *e) PB_WUR;

/* Replace the cache of c's profile with *t, atomically. */
int pb_token_cache_write(const struct pb_privdir *d, const struct pb_profile *c,
    const struct pb_cached *t, struct pb_err *e) PB_WUR;

/*
 * Remove the on-disk cache of c's profile (STATE/PB_TOKEN_CACHE_DISK_SUB),
 * whatever the environment: logout and a new login run with a runtime
 * directory must not leave a token there for the next cron job.  PB_OK,
 * PB_ERR_NOTFOUND (none there), PB_ERR_IO or PB_ERR_NOMEM.
 */
int pb_token_cache_remove_disk(const struct pb_profile *c, struct pb_err *e)
    PB_WUR;

/* Remove the cache of c's profile; PB_OK or PB_ERR_NOTFOUND or PB_ERR_IO. */
int pb_token_cache_remove(const struct pb_privdir *d,
    const struct pb_profile *c, struct pb_err *e) PB_WUR;

#endif /* PB_TOKEN_CACHE_H */
