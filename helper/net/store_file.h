/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_STORE_FILE_H
#define PB_STORE_FILE_H

#include "err.h"
#include "secmem.h"
#include "store.h"

/*
 * The file side of the token store, for store.c (libnet only; callers use
 * store.h).  PROFILE.json in the state directory; profile is a name that
 * pb_store_file_check_key() accepted.  Values are borrowed: the caller
 * keeps and wipes them.
 */

/*
 * Check a store key: profile, issuer and client_id set, and profile 1 to
 * PB_STORE_PROFILE_MAX characters of [A-Za-z0-9._-] not starting with '.'
 * (it becomes a file name).  PB_OK or PB_ERR_CONFIG with a message.
 */
int pb_store_file_check_key(const struct pb_store_key *key, struct pb_err *e)
    PB_WUR;

/*
 * Save v (v->len bytes, NUL-terminated) as profile's file: into rv's temp
 * file when rv holds one, else atomically over PROFILE.json, saying once
 * per state directory why the Secret Service was not used when notice is
 * set: PB_STORE_NOTICE_ABSENT (none on the bus) or
 * PB_STORE_NOTICE_UNUSABLE (its default keyring is missing or locked).
 * PB_OK or PB_ERR_IO / PB_ERR_NOMEM with a message.
 */
#define PB_STORE_NOTICE_ABSENT		1
#define PB_STORE_NOTICE_UNUSABLE	2
int pb_store_file_put(const char *profile, const struct pb_secret *v,
    int notice, struct pb_store_resv *rv, struct pb_err *e) PB_WUR;

/*
 * Read profile's file into *v (fresh; release with pb_secret_clear()).
 * PB_OK, PB_ERR_NOTFOUND, PB_ERR_IO, PB_ERR_TOOBIG or PB_ERR_NOMEM.
 */
int pb_store_file_load(const char *profile, struct pb_secret *v,
    struct pb_err *e) PB_WUR;

/* Remove profile's file: PB_OK, PB_ERR_NOTFOUND or PB_ERR_IO. */
int pb_store_file_delete(const char *profile, struct pb_err *e) PB_WUR;

/*
 * Remove profile's temp file (.PROFILE.json.new) left over from an
 * interrupted refresh, best effort, after a save that did not use it.
 */
void pb_store_file_leftover_remove(const char *profile);

#endif /* PB_STORE_FILE_H */
