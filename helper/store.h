/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_STORE_H
#define PB_STORE_H

#include "err.h"
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
#define PB_STORE_PROFILE_MAX	64		/* longest profile name */

enum pb_store_kind {
	PB_STORE_AUTO,			/* Secret Service, else the file */
	PB_STORE_SECRET_SERVICE,	/* the Secret Service or fail */
	PB_STORE_FILE			/* the file, quietly */
};

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

#endif /* PB_STORE_H */
