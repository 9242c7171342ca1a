/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_PRIVDIR_H
#define PB_PRIVDIR_H

#include <stddef.h>

#include "err.h"
#include "secmem.h"

/*
 * Private directories of the helper (DESIGN.md section 3): the state
 * directory that holds the file store and the runtime directory that holds
 * the access token cache and the locks.  A private directory is a real
 * directory owned by the effective uid with mode 0700; a private file in
 * it is a regular file owned by the effective uid with mode 0600 (or
 * stricter).  Anything else is refused with a message that says how to fix
 * it, since its contents may have leaked or been planted.  Files are
 * written atomically (temp file, fsync, rename, fsync of the directory).
 * No libsecret and no libcurl here: the front binary links this.
 */

/*
 * Flags of pb_privdir_open(); PB_PRIVDIR_PUBLIC is a directory others may
 * read (owned by us or root, writable by no one else), for
 * pb_privdir_write_mode().
 */
#define PB_PRIVDIR_CREATE	1	/* mkdir -p */
#define PB_PRIVDIR_CREATE_LAST	2	/* mkdir of the last component only */
#define PB_PRIVDIR_PUBLIC	4	/* flag: see above */

struct pb_privdir {
	char	*path;		/* the directory, for messages */
	int	 fd;		/* O_DIRECTORY descriptor; -1 when closed */
};

/*
 * The state directory ${XDG_STATE_HOME:-$HOME/.local/state}/bearer-token
 * (a relative XDG_STATE_HOME is ignored, as the XDG spec says), freshly
 * allocated in *dirp.  PB_OK, PB_ERR_IO (no usable HOME) or PB_ERR_NOMEM.
 */
int pb_privdir_state_path(char **dirp, struct pb_err *e) PB_WUR;

/*
 * The runtime directory $XDG_RUNTIME_DIR/bearer-token, or
 * /run/user/UID/bearer-token when XDG_RUNTIME_DIR is unset and
 * /run/user/UID is a directory of ours; freshly allocated in *dirp.
 * PB_ERR_NOTFOUND when there is neither, or XDG_RUNTIME_DIR is not a
 * 0700 directory of ours (the XDG spec's rule; token_cache.h then uses
 * the state directory), PB_ERR_NOMEM.
 */
int pb_privdir_runtime_path(char **dirp, struct pb_err *e) PB_WUR;

/*
 * Open the private directory path (copied), creating it and its missing
 * parents with mode 0700 when create is set (only the last component when
 * create is PB_PRIVDIR_CREATE_LAST: for $XDG_RUNTIME_DIR/bearer-token, whose
 * parent is the session manager's to make).  PB_OK; PB_ERR_NOTFOUND when
 * it does not exist and create is clear; PB_ERR_IO when it cannot be made
 * or opened, or is not a 0700 directory of ours; PB_ERR_NOMEM.  *d is
 * usable (fd -1) for pb_privdir_close() whatever the result.
 */
int pb_privdir_open(struct pb_privdir *d, const char *path, int create,
    struct pb_err *e) PB_WUR;

/* Close the descriptor and free the path; NULL-safe, idempotent. */
void pb_privdir_close(struct pb_privdir *d);

/*
 * Replace the private file name (a plain name, no '/') in d with len bytes
 * at p, atomically, mode 0600.  An existing file that is not a private file
 * of ours is refused (PB_ERR_IO) and left alone.  PB_OK, PB_ERR_IO or
 * PB_ERR_NOMEM; on error the old file is untouched.
 */
int pb_privdir_write(const struct pb_privdir *d, const char *name,
    const void *p, size_t len, struct pb_err *e) PB_WUR;

/*
 * pb_privdir_write() for a file others may read, with mode (0644 for a JWK
 * Set): an existing file must be a regular file owned by us or root and
 * writable by no one else.
 */
int pb_privdir_write_mode(const struct pb_privdir *d, const char *name,
    const void *p, size_t len, unsigned mode, struct pb_err *e) PB_WUR;

/*
 * Set the times of the file name in d to now without changing it (the
 * record of a sync that found nothing new).  The file must be one that
 * pb_privdir_write_mode() would replace; a link is refused.  PB_OK, or
 * PB_ERR_IO with a message naming the file, its owner and mode.
 */
int pb_privdir_touch(const struct pb_privdir *d, const char *name,
    struct pb_err *e) PB_WUR;

/*
 * Read the private file name of at most max bytes into *v (fresh,
 * NUL-terminated, the NUL not counted; release with pb_secret_clear()).
 * PB_OK; PB_ERR_NOTFOUND when there is no such file; PB_ERR_IO for a file
 * that is not a private file of ours or a read error; PB_ERR_TOOBIG;
 * PB_ERR_NOMEM.  *v is written on success only.
 */
int pb_privdir_read(const struct pb_privdir *d, const char *name, size_t max,
    struct pb_secret *v, struct pb_err *e) PB_WUR;

/*
 * Remove the file name from d and sync the directory.  PB_OK,
 * PB_ERR_NOTFOUND when there was none, PB_ERR_IO.
 */
int pb_privdir_remove(const struct pb_privdir *d, const char *name,
    struct pb_err *e) PB_WUR;

/*
 * Take an exclusive flock(2) on the private file name in d (created 0600
 * when missing), waiting at most timeout_ms.  The lock is held until
 * *fdp is closed (also by the process exiting).  PB_OK with the
 * descriptor in *fdp; PB_ERR_IO when it cannot be opened, or when
 * another process held it throughout (the message names the file).
 */
int pb_privdir_lock(const struct pb_privdir *d, const char *name,
    long timeout_ms, int *fdp, struct pb_err *e) PB_WUR;

#endif /* PB_PRIVDIR_H */
