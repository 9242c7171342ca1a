/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_FILE_H
#define PB_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "err.h"

/* Flags for pb_file_read(). */
#define PB_FILE_PRIVATE	0x01	/* refuse a group- or world-readable file */

/*
 * Read a whole regular file of at most maxlen bytes into a fresh
 * NUL-terminated buffer (the NUL not counted in *lenp).  Missing,
 * unreadable, not regular, owned by anyone but root or the effective uid,
 * writable by group or others, PB_FILE_PRIVATE and accessible by others,
 * or reached through a directory that pb_file_check_path() refuses:
 * PB_ERR_IO; larger than maxlen: PB_ERR_TOOBIG.  Messages name the path.
 * The caller frees *bufp (pb_freezero() when secret).
 */
int pb_file_read(const char *path, size_t maxlen, unsigned flags,
    char **bufp, size_t *lenp, struct pb_err *e) PB_WUR;

/*
 * As pb_file_read() for a descriptor the caller opened (openat() with
 * O_NOFOLLOW, say); path only names it in messages.  fd stays open.
 */
int pb_file_read_fd(int fd, const char *path, size_t maxlen, unsigned flags,
    char **bufp, size_t *lenp, struct pb_err *e) PB_WUR;

/*
 * Check every directory on the way to path, the way OpenSSH's safe_path()
 * does, resolving symbolic links one name at a time so that the directory
 * holding a link counts as well as those of its target: each must be owned
 * by root or the effective uid and writable by no one else, unless it is
 * sticky and owned by root (/tmp); a link in such a directory must be root's
 * or ours.  With want (the fstat() of what the caller opened), the object
 * the path leads to must be that one.  PB_OK, or PB_ERR_IO with a message
 * naming the directory, its owner and mode.  The object itself is the
 * caller's to check.
 */
int pb_file_check_path(const char *path, const struct stat *want,
    struct pb_err *e) PB_WUR;

/*
 * How long ago path was last modified, against max_age seconds at time now:
 * PB_OK when max_age is 0 or the file is at most max_age old (an mtime up
 * to PB_FILE_MTIME_SKEW seconds in the future counts as new); PB_ERR_EXPIRED
 * with a message naming the age, the limit and the fix when it is older or
 * its mtime is further in the future; PB_ERR_IO when it cannot be stat()ed.
 * For jwks_max_age: "bearer-token fetch-jwks" sets the mtime of the JWKS
 * file to the time of every successful sync, changed or not.
 */
#define PB_FILE_MTIME_SKEW	300	/* seconds an mtime may be ahead */
int pb_file_check_age(const char *path, long max_age, int64_t now,
    struct pb_err *e) PB_WUR;

#endif /* PB_FILE_H */
