/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private directories and files of the helper: the file store, the access
 * token cache and the locks (see privdir.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "file.h"
#include "out.h"
#include "privdir.h"
#include "secmem.h"

static int
nomem(struct pb_err *e)
{
	return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
}

int
pb_privdir_state_path(char **dirp, struct pb_err *e)
{
	const char *base, *home;
	int n;

	*dirp = NULL;
	base = secure_getenv("XDG_STATE_HOME");
	if (base != NULL && base[0] == '/')
		n = asprintf(dirp, "%s/bearer-token", base);
	else {
		home = secure_getenv("HOME");
		if (home == NULL || home[0] != '/')
			return pb_err_set(e, PB_ERR_IO, "token store: neither "
			    "XDG_STATE_HOME nor HOME is an absolute path");
		n = asprintf(dirp, "%s/.local/state/bearer-token", home);
	}
	if (n < 0) {
		*dirp = NULL;
		return nomem(e);
	}
	return PB_OK;
}

int
pb_privdir_runtime_path(char **dirp, struct pb_err *e)
{
	char run[64];
	const char *base;
	struct stat st;
	int n;

	*dirp = NULL;
	base = secure_getenv("XDG_RUNTIME_DIR");
	/*
	 * The XDG spec: it must be ours and 0700, else use a replacement.
	 * "su alice" keeps the caller's XDG_RUNTIME_DIR, which alice cannot
	 * use; then it counts as unset (the cache goes to the state dir).
	 */
	if (base != NULL && base[0] == '/' && (lstat(base, &st) == -1 ||
	    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0))
		return pb_err_set(e, PB_ERR_NOTFOUND, "no runtime directory: "
		    "XDG_RUNTIME_DIR is not a private directory of ours");
	if (base == NULL || base[0] != '/') {
		/* What pam_systemd makes; only when it is really ours. */
		(void)snprintf(run, sizeof(run), "/run/user/%u",
		    (unsigned)geteuid());
		if (lstat(run, &st) == -1 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid() || (st.st_mode & 077) != 0)
			return pb_err_set(e, PB_ERR_NOTFOUND, "no runtime "
			    "directory: XDG_RUNTIME_DIR is unset and %s is "
			    "not a private directory of ours", run);
		base = run;
	}
	if ((n = asprintf(dirp, "%s/bearer-token", base)) < 0) {
		*dirp = NULL;
		return nomem(e);
	}
	return PB_OK;
}

/* mkdir -p the parents of dir (mode 0700 for those we create). */
static int
make_parents(char *dir, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	char *p;
	int r = PB_OK;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			r = pb_err_set(e, PB_ERR_IO, "cannot create %s: %s",
			    pb_log_path(dir, sp, sizeof(sp)), strerror(errno));
		*p = '/';
		if (r != PB_OK)
			break;
	}
	return r;
}

/*
 * openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC) and fstat: *fdp and
 * *st on PB_OK; PB_ERR_NOTFOUND when there is no such entry, PB_ERR_IO
 * otherwise (sp names it in messages).
 */
static int
open_stat(int dirfd, const char *name, int flags, const char *sp, int *fdp,
    struct stat *st, struct pb_err *e)
{
	int fd;

	*fdp = -1;
	if ((fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return pb_err_set(e, PB_ERR_NOTFOUND, "%s does not "
			    "exist", sp);
		return pb_err_set(e, PB_ERR_IO, "cannot open %s: %s", sp,
		    strerror(errno));
	}
	if (fstat(fd, st) == -1) {
		close(fd);
		return pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
	}
	*fdp = fd;
	return PB_OK;
}

void
pb_privdir_close(struct pb_privdir *d)
{
	if (d == NULL)
		return;
	if (d->fd != -1 && d->path != NULL)
		close(d->fd);
	free(d->path);
	d->path = NULL;
	d->fd = -1;
}

int
pb_privdir_open(struct pb_privdir *d, const char *path, int create,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct stat st;
	int fd = -1, r = PB_ERR_INTERNAL;

	d->fd = -1;
	if ((d->path = strdup(path)) == NULL)
		return nomem(e);
	pb_log_path(path, sp, sizeof(sp));
	if (create & (PB_PRIVDIR_CREATE | PB_PRIVDIR_CREATE_LAST)) {
		if ((create & PB_PRIVDIR_CREATE_LAST) == 0 &&
		    (r = make_parents(d->path, e)) != PB_OK)
			goto out;
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			r = pb_err_set(e, PB_ERR_IO, "cannot create %s: %s",
			    sp, strerror(errno));
			goto out;
		}
	}
	if ((r = open_stat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, sp, &fd,
	    &st, e)) != PB_OK)
		goto out;
	if ((create & PB_PRIVDIR_PUBLIC) != 0 ? (st.st_uid != geteuid() &&
	    st.st_uid != 0) || (st.st_mode & 022) != 0 :
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		r = pb_err_set(e, PB_ERR_IO, "%s must be owned by uid %u%s "
		    "with mode %s (owner %u, mode %04o): fix or remove it", sp,
		    (unsigned)geteuid(), (create & PB_PRIVDIR_PUBLIC) != 0 ?
		    " or root" : "", (create & PB_PRIVDIR_PUBLIC) != 0 ?
		    "0755 or stricter" : "0700", (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	d->fd = fd;
	fd = -1;
	r = PB_OK;
 out:
	if (fd != -1)
		close(fd);
	return r;
}

/* "DIR/NAME" cut for messages. */
static const char *
file_name(const struct pb_privdir *d, const char *name, char *buf, size_t bufsz)
{
	char full[PB_PATH_BUFSZ * 2];

	(void)snprintf(full, sizeof(full), "%s/%s", d->path, name);
	return pb_log_path(full, buf, bufsz);
}

/* Refuse a file that is not a regular 0600 (or stricter) file of ours. */
static int
check_file(const struct stat *st, const char *sp, struct pb_err *e)
{
	if (!S_ISREG(st->st_mode))
		return pb_err_set(e, PB_ERR_IO, "%s is not a regular file",
		    sp);
	if (st->st_uid != geteuid() || (st->st_mode & 077) != 0)
		return pb_err_set(e, PB_ERR_IO, "%s must be owned by uid %u "
		    "with mode 0600 (owner %u, mode %04o): its tokens may "
		    "have leaked; remove it and log in again", sp,
		    (unsigned)geteuid(), (unsigned)st->st_uid,
		    (unsigned)(st->st_mode & 07777));
	return PB_OK;
}

/*
 * A temp file in the same directory, fsync, rename over the old file, fsync
 * the directory: a crash leaves the old or the new contents, never half (a
 * lost rotated refresh token ends the session).
 */
static int write_file(const struct pb_privdir *, const char *, const void *,
    size_t, unsigned, struct pb_err *);

int
pb_privdir_write(const struct pb_privdir *d, const char *name, const void *p,
    size_t len, struct pb_err *e)
{
	return write_file(d, name, p, len, 0600, e);
}

int
pb_privdir_write_mode(const struct pb_privdir *d, const char *name,
    const void *p, size_t len, unsigned mode, struct pb_err *e)
{
	return write_file(d, name, p, len, mode, e);
}

/* Refuse a file others can change (for a public mode). */
static int
check_public(const struct stat *st, const char *sp, struct pb_err *e)
{
	if (!S_ISREG(st->st_mode))
		return pb_err_set(e, PB_ERR_IO, "%s is not a regular file",
		    sp);
	if ((st->st_uid != geteuid() && st->st_uid != 0) ||
	    (st->st_mode & 022) != 0)
		return pb_err_set(e, PB_ERR_IO, "%s must be owned by uid %u "
		    "or root and writable by no one else (owner %u, mode "
		    "%04o)", sp, (unsigned)geteuid(), (unsigned)st->st_uid,
		    (unsigned)(st->st_mode & 07777));
	return PB_OK;
}

int
pb_privdir_touch(const struct pb_privdir *d, const char *name, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct stat st;
	int fd, r;

	file_name(d, name, sp, sizeof(sp));
	/* O_NOFOLLOW: the caller resolved any link it means to follow. */
	if ((fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot open %s: %s", sp,
		    strerror(errno));
	if (fstat(fd, &st) == -1)
		r = pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
	else if ((r = check_public(&st, sp, e)) == PB_OK && futimens(fd,
	    NULL) == -1)
		r = pb_err_set(e, PB_ERR_IO, "cannot set the time of %s: %s",
		    sp, strerror(errno));
	(void)close(fd);
	return r;
}

static int
write_file(const struct pb_privdir *d, const char *name, const void *p,
    size_t len, unsigned mode, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], tmp[PB_PATH_BUFSZ];
	struct stat st;
	unsigned char rnd[6];
	int fd = -1, made = 0, r = PB_ERR_INTERNAL, i;

	file_name(d, name, sp, sizeof(sp));
	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((r = mode == 0600 ? check_file(&st, sp, e) :
		    check_public(&st, sp, e)) != PB_OK)
			return r;
	} else if (errno != ENOENT)
		return pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
	/* O_EXCL with a random name, relative to the directory we checked. */
	for (i = 0; i < 16 && fd == -1; i++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return pb_err_set(e, PB_ERR_IO, "getrandom: %s",
			    strerror(errno));
		(void)snprintf(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x",
		    name, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot create a file in %s: %s",
		    pb_log_path(d->path, sp, sizeof(sp)), strerror(errno));
		goto out;
	}
	made = 1;
	if (fchmod(fd, (mode_t)mode) == -1 || pb_out_write(fd, p, len) == -1 ||
	    fsync(fd) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot write %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		r = pb_err_set(e, PB_ERR_IO, "cannot write %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat(d->fd, tmp, d->fd, name) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot rename to %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	made = 0;
	/*
	 * The new contents are in place: a failed directory sync only risks
	 * the rename after a crash, so it must not be reported as a failed
	 * write (callers would think a rotated refresh token was lost).
	 */
	if (fsync(d->fd) == -1)
		fprintf(stderr, "bearer-token: warning: cannot sync %s: %s\n",
		    pb_log_path(d->path, sp, sizeof(sp)), strerror(errno));
	r = PB_OK;
 out:
	if (fd != -1)
		close(fd);
	if (made)
		(void)unlinkat(d->fd, tmp, 0);
	return r;
}

int
pb_privdir_read(const struct pb_privdir *d, const char *name, size_t max,
    struct pb_secret *v, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, r = PB_ERR_INTERNAL;

	file_name(d, name, sp, sizeof(sp));
	if ((r = open_stat(d->fd, name, O_RDONLY | O_NOCTTY | O_NONBLOCK, sp,
	    &fd, &st, e)) != PB_OK)
		goto out;
	if ((r = check_file(&st, sp, e)) != PB_OK)
		goto out;
	if ((r = pb_file_read_fd(fd, sp, max, PB_FILE_PRIVATE, &buf, &len,
	    e)) != PB_OK)
		goto out;
	v->p = buf;		/* NUL-terminated by pb_file_read_fd() */
	v->len = len;
	buf = NULL;
	r = PB_OK;
 out:
	if (fd != -1)
		close(fd);
	return r;
}

int
pb_privdir_remove(const struct pb_privdir *d, const char *name,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];

	if (unlinkat(d->fd, name, 0) == -1) {
		if (errno == ENOENT)
			return pb_err_set(e, PB_ERR_NOTFOUND, "%s does not "
			    "exist", file_name(d, name, sp, sizeof(sp)));
		return pb_err_set(e, PB_ERR_IO, "cannot remove %s: %s",
		    file_name(d, name, sp, sizeof(sp)), strerror(errno));
	}
	(void)fsync(d->fd);
	return PB_OK;
}

int
pb_privdir_lock(const struct pb_privdir *d, const char *name, long timeout_ms,
    int *fdp, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	struct stat st;
	long waited = 0;
	int fd, r;

	*fdp = -1;
	file_name(d, name, sp, sizeof(sp));
	if ((fd = openat(d->fd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, 0600)) == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot open the lock %s: %s",
		    sp, strerror(errno));
	if (fstat(fd, &st) == -1 || (r = check_file(&st, sp, e)) != PB_OK) {
		close(fd);
		return pb_err_set(e, PB_ERR_IO, "%s is not a lock file of "
		    "ours (owner and mode 0600 expected): remove it", sp);
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    waited >= timeout_ms) {
			r = errno;
			close(fd);
			if (r == EWOULDBLOCK)
				return pb_err_set(e, PB_ERR_IO, "another "
				    "bearer-token held the lock %s for %ld s: "
				    "is one stuck?", sp, timeout_ms / 1000);
			return pb_err_set(e, PB_ERR_IO, "cannot lock %s: %s",
			    sp, strerror(r));
		}
		(void)nanosleep(&pause, NULL);
		waited += 10;
	}
	*fdp = fd;
	return PB_OK;
}
