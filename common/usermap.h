/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_USERMAP_H
#define PB_USERMAP_H

#include "conf.h"
#include "err.h"

/*
 * The module's two admin-written lists (DESIGN.md "Names, values and
 * lists"), read at each login so that edits apply at once.  Both take
 * whole-line '#' comments and blank lines, and are at most PB_LIST_MAX
 * bytes.  Every problem with the file itself (missing, unreadable, too
 * loosely protected, over PB_LIST_MAX, malformed) is PB_ERR_IO or
 * PB_ERR_CONFIG, never a code that reads as a token failure.
 */
#define PB_LIST_MAX	(1024 * 1024)

/*
 * usermap_file: lines "CLAIM-VALUE LOCAL-USER"; LOCAL-USER is the last
 * field, CLAIM-VALUE everything before it, trimmed; exact, case-sensitive.
 * Finds value and returns PB_OK with *user set (free() it).  A value the map
 * does not list is PB_ERR_USER (the map is exclusive).  A line with one
 * field, or any value mapped twice in the file (whatever is looked up), is
 * PB_ERR_CONFIG with "path:line"; an unreadable file PB_ERR_IO.
 */
int pb_usermap_lookup(const char *path, const char *value, char **user,
    struct pb_err *e) PB_WUR;

/*
 * denylist_file: one revoked jti or sub per line, trimmed.  PB_OK when
 * neither jti nor sub (each may be NULL) is listed, PB_ERR_DENIED when one
 * is, PB_ERR_IO when the file cannot be read.
 */
int pb_denylist_check(const char *path, const char *jti, const char *sub,
    struct pb_err *e) PB_WUR;

/*
 * The local user a token is about to log in as, against the configuration:
 * PB_ERR_POLICY when user is in deny_users (default "root"), has the uid of
 * a local account named in deny_users (a second uid-0 account), or, with
 * min_uid set, has a uid below it; PB_ERR_USER when min_uid is set and
 * there is no such user; PB_ERR_IO when the user database cannot be read;
 * PB_ERR_NOMEM.  PB_OK otherwise.  Messages say which key to change.
 */
int pb_user_check_local(const struct pb_conf *cfg, const char *user,
    struct pb_err *e) PB_WUR;

#endif /* PB_USERMAP_H */
