/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_STORE_H
#define PB_STORE_H

#include "err.h"
#include "privdir.h"
#include "profile.h"
#include "secmem.h"

/*
 * The helper's token store (DESIGN.md section 3, Storage): one secret per
 * profile, a JSON document (refresh token and what refreshing needs) that
 * this unit treats as opaque bytes.
 *
 * Secret Service: schema "org.pam_bearer.Token", attributes issuer,
 * client_id and profile (nothing secret: the tokens live only in the secret
 * value), label "bearer-token (PROFILE)", default collection.  Every
 * keyring call is bounded by PB_STORE_TIMEOUT_MS, so a hung or absent bus
 * never hangs the helper.
 *
 * File: ${XDG_STATE_HOME:-$HOME/.local/state}/bearer-token/PROFILE.json,
 * directory 0700, file 0600, owned by us, written atomically.
 */

#define PB_STORE_TIMEOUT_MS	5000		/* per keyring call */
#define PB_STORE_MAX		(64 * 1024)	/* largest stored value */
/* PB_STORE_PROFILE_MAX and enum pb_store_kind: profile.h. */

/*
 * What a stored secret is filed under.  profile is 1 to
 * PB_STORE_PROFILE_MAX characters of [A-Za-z0-9._-], not starting with
 * '.'; issuer and client_id are any non-NULL strings (not secret: they
 * become keyring attributes).  Strings stay owned by the caller.
 */
struct pb_store_key {
	const char	*profile;
	const char	*issuer;
	const char	*client_id;
};

/*
 * Store value (value->len bytes, at most PB_STORE_MAX, no NUL bytes) under
 * key, replacing what was stored there.  Under PB_STORE_AUTO the Secret
 * Service is used when one answers on the session bus; when none does (no
 * bus, no org.freedesktop.secrets, or no answer in time) the file store is
 * used and a notice says so on stderr once per state directory (a marker
 * file ".no-secret-service" next to the tokens remembers it); after a
 * successful keyring save a left-over file for the profile is removed.
 * *used_file (may be NULL) is set on success only: 1 when the file store
 * took the value, 0 for the keyring.  The caller keeps and wipes value.
 * Returns PB_OK; PB_ERR_CONFIG for a bad key; PB_ERR_TOOBIG or
 * PB_ERR_FORMAT for a bad value; PB_ERR_IO when the chosen store fails
 * (e names the cause: "no Secret Service on the session bus: ..." under
 * PB_STORE_SECRET_SERVICE, or the path and its mode); PB_ERR_NOMEM.
 */
int pb_store_save(enum pb_store_kind kind, const struct pb_store_key *key,
    const struct pb_secret *value, int *used_file, struct pb_err *e) PB_WUR;

/*
 * Load the value stored under key into *value (fresh, NUL-terminated, the
 * NUL not counted; release with pb_secret_clear(), which wipes).  Under
 * PB_STORE_AUTO the keyring is asked first; the file is read when no Secret
 * Service answers or the keyring holds nothing for key.  *used_file as for
 * pb_store_save().  Outputs are written on success only.  Returns PB_OK;
 * PB_ERR_NOTFOUND when nothing is stored; PB_ERR_IO when a store fails or
 * the file or its directory has looser modes or another owner;
 * PB_ERR_TOOBIG; PB_ERR_CONFIG; PB_ERR_NOMEM.
 */
int pb_store_load(enum pb_store_kind kind, const struct pb_store_key *key,
    struct pb_secret *value, int *used_file, struct pb_err *e) PB_WUR;

/*
 * Delete what is stored under key.  Under PB_STORE_AUTO both the keyring
 * (when one answers) and the file are cleared.  Returns PB_OK when
 * something was deleted, PB_ERR_NOTFOUND when nothing was stored, or as
 * pb_store_load().
 */
int pb_store_delete(enum pb_store_kind kind, const struct pb_store_key *key,
    struct pb_err *e) PB_WUR;

/*
 * Space for the file store's next save of one profile, taken before a
 * refresh request goes out: once the IdP has rotated the refresh token,
 * the new one must fit (a full disk used to lose the session).  The temp
 * file .PROFILE.json.new in the state directory, its size allocated.
 * Callers hold the profile's lock (only they use this name).
 */
struct pb_store_resv {
	struct pb_privdir	dir;
	int		fd;		/* -1: none */
	int		made;		/* the temp file exists */
	int		written;	/* it holds a session, synced */
	int		renamed;	/* it became PROFILE.json */
};

/* An empty reservation (pb_store_resv_drop() is then a no-op). */
void pb_store_resv_init(struct pb_store_resv *rv);

/*
 * Create the temp file of key's profile and allocate size bytes in it
 * (posix_fallocate), synced.  PB_OK; PB_ERR_IO with the cause (ENOSPC:
 * the state directory is full; a read-only directory; a temp file left
 * over, which is left alone) and nothing left behind; PB_ERR_CONFIG for
 * a bad key.  Release with pb_store_resv_drop().
 */
int pb_store_reserve(const struct pb_store_key *key, size_t size,
    struct pb_store_resv *rv, struct pb_err *e) PB_WUR;

/*
 * Close rv and remove its temp file unless a save wrote into it (renamed
 * or not: one written and not renamed holds the only live session, which
 * the next run adopts).
 */
void pb_store_resv_drop(struct pb_store_resv *rv,
    const struct pb_store_key *key);

/*
 * As pb_store_save(), but a save to the file goes into rv's temp file when
 * rv holds one (then written in place over the reserved bytes, cut,
 * synced and renamed over PROFILE.json); rv may be NULL.  A save without
 * a reservation removes a temp file left over (the caller holds the
 * profile's lock).
 */
int pb_store_save_resv(enum pb_store_kind kind,
    const struct pb_store_key *key, const struct pb_secret *value,
    struct pb_store_resv *rv, int *used_file, struct pb_err *e) PB_WUR;

/*
 * The contents of key's temp file (.PROFILE.json.new) when a run was
 * killed between writing it and renaming it: complete or not, the caller
 * judges (pb_store_leftover_adopt()).  PB_OK with *value (release with
 * pb_secret_clear()); PB_ERR_NOTFOUND; PB_ERR_IO; PB_ERR_TOOBIG.
 */
int pb_store_leftover(const struct pb_store_key *key, struct pb_secret *value,
    struct pb_err *e) PB_WUR;

/*
 * Rename key's temp file over PROFILE.json (adopt set) or remove it.
 * PB_OK, PB_ERR_NOTFOUND or PB_ERR_IO.  Under the profile's lock.
 */
int pb_store_leftover_adopt(const struct pb_store_key *key, int adopt,
    struct pb_err *e) PB_WUR;

#endif /* PB_STORE_H */
