/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The token store's file side (DESIGN.md section 3, Storage): PROFILE.json,
 * a 0600 file in the 0700 state directory, written atomically; the space
 * reserved for a refresh's save (.PROFILE.json.new) and the leftover such a
 * save leaves when a run is killed.  The profile check lives here too: the
 * profile becomes a file name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "privdir.h"
#include "secmem.h"
#include "store.h"
#include "store_file.h"

#define NOTICE_MARKER	".no-secret-service"
#define LOCKED_MARKER	".keyring-locked"	/* its own fix, its own note */

/* Key check ------------------------------------------------------------ */

int
pb_store_file_check_key(const struct pb_store_key *key, struct pb_err *e)
{
	char sp[PB_SAFE_BUFSZ];
	const char *p;
	size_t n;

	if (key == NULL || key->profile == NULL || key->issuer == NULL ||
	    key->client_id == NULL)
		return pb_err_set(e, PB_ERR_CONFIG, "token store: profile, "
		    "issuer and client_id are required");
	/*
	 * The profile becomes a file name: no '/', no "..", and no leading
	 * '.' (temp files and the notice marker start with one).
	 */
	n = strlen(key->profile);
	for (p = key->profile; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-')
			continue;
		break;
	}
	if (n == 0 || n > PB_STORE_PROFILE_MAX || *p != '\0' ||
	    key->profile[0] == '.')
		return pb_err_set(e, PB_ERR_CONFIG, "invalid profile name "
		    "'%s': use 1 to %d characters of A-Z a-z 0-9 . _ - not "
		    "starting with '.'", pb_log_safe(key->profile, sp,
		    sizeof(sp)), PB_STORE_PROFILE_MAX);
	return PB_OK;
}

/* File store ------------------------------------------------------------- */

/* The state directory, opened (and made when create is set). */
static int
state_open(struct pb_privdir *d, int create, struct pb_err *e)
{
	char *path = NULL;
	int r;

	d->path = NULL;
	d->fd = -1;
	if ((r = pb_privdir_state_path(&path, e)) != PB_OK)
		return r;
	r = pb_privdir_open(d, path, create, e);
	free(path);
	return r;
}

static void
file_name(const char *profile, char *name, size_t namesz)
{
	(void)snprintf(name, namesz, "%s.json", profile);
}

/* The reserved temp file of a profile's next refresh: .PROFILE.json.new. */
static void
resv_name(const char *profile, char *name, size_t namesz)
{
	(void)snprintf(name, namesz, ".%s.json.new", profile);
}

static int
write_at(int fd, const char *p, size_t len, size_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, p + done, len - done, (off_t)(off + done));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Write size zero bytes at the start of fd (a reservation by hand). */
static int
write_zeros(int fd, size_t size)
{
	static const char zero[4096];
	size_t done = 0, n;

	while (done < size) {
		n = size - done < sizeof(zero) ? size - done : sizeof(zero);
		if (write_at(fd, zero, n, done) == -1)
			return -1;
		done += n;
	}
	return 0;
}

/*
 * Save into the reserved temp file: write over the reserved bytes, cut to
 * length, sync, rename into place, sync the directory.  A crash after the
 * write leaves a complete session in the temp file, which the next run
 * adopts (pb_store_leftover()).
 */
static int
file_save_resv(const char *profile, const struct pb_secret *v,
    struct pb_store_resv *rv, struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + sizeof(".json")];
	char tmp[PB_STORE_PROFILE_MAX + sizeof("..json.new")];
	char sp[PB_PATH_BUFSZ];
	int r;

	file_name(profile, name, sizeof(name));
	resv_name(profile, tmp, sizeof(tmp));
	pb_log_path(rv->dir.path, sp, sizeof(sp));
	if (write_at(rv->fd, v->p, v->len, 0) == -1 ||
	    ftruncate(rv->fd, (off_t)v->len) == -1 || fsync(rv->fd) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot write %s/%s: %s", sp, tmp,
		    strerror(errno));
		goto out;
	}
	/* From here on the temp file holds the only live session. */
	rv->written = 1;
	if (renameat(rv->dir.fd, tmp, rv->dir.fd, name) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot rename %s/%s over %s: %s "
		    "(the new session is kept there; the next run puts it in "
		    "place)", sp, tmp, name, strerror(errno));
		goto out;
	}
	rv->renamed = 1;
	if (fsync(rv->dir.fd) == -1)
		fprintf(stderr, "bearer-token: warning: cannot sync %s: %s\n",
		    sp, strerror(errno));
	r = PB_OK;
 out:
	return r;
}

static int
file_save(const char *profile, const struct pb_secret *v, int notice,
    struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + sizeof(".json")];
	char sp[PB_PATH_BUFSZ], full[PB_PATH_BUFSZ];
	struct pb_privdir d;
	int mfd, r;

	file_name(profile, name, sizeof(name));
	if ((r = state_open(&d, 1, e)) != PB_OK ||
	    (r = pb_privdir_write(&d, name, v->p, v->len, e)) != PB_OK)
		goto out;
	/* Say once per state directory that the keyring was not there. */
	if (notice) {
		(void)snprintf(full, sizeof(full), "%s/%s", d.path, name);
		mfd = openat(d.fd, notice == PB_STORE_NOTICE_UNUSABLE ?
		    LOCKED_MARKER : NOTICE_MARKER, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (mfd != -1 || errno != EEXIST)
			fprintf(stderr, "bearer-token: %s; storing tokens in "
			    "%s (mode 0600)%s\n", notice ==
			    PB_STORE_NOTICE_UNUSABLE ? "the Secret Service's "
			    "default keyring is missing or locked" : "no "
			    "Secret Service found", pb_log_path(full, sp,
			    sizeof(sp)), notice == PB_STORE_NOTICE_UNUSABLE ?
			    ".  To use the keyring instead, unlock it (log in "
			    "to the desktop, or 'gnome-keyring-daemon "
			    "--replace --unlock' with its password on stdin) "
			    "and log in again; 'store = file' keeps the file "
			    "without this note" : ".  To use a keyring, "
			    "start one (gnome-keyring) and log in again; "
			    "'store = file' keeps the file without this note");
		if (mfd != -1)
			close(mfd);
	}
 out:
	pb_privdir_close(&d);
	return r;
}

int
pb_store_file_load(const char *profile, struct pb_secret *v,
    struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + sizeof(".json")];
	struct pb_privdir d;
	int r;

	file_name(profile, name, sizeof(name));
	if ((r = state_open(&d, 0, e)) == PB_OK)
		r = pb_privdir_read(&d, name, PB_STORE_MAX, v, e);
	pb_privdir_close(&d);
	return r;
}

int
pb_store_file_delete(const char *profile, struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + sizeof(".json")];
	struct pb_privdir d;
	int r;

	file_name(profile, name, sizeof(name));
	if ((r = state_open(&d, 0, e)) == PB_OK)
		r = pb_privdir_remove(&d, name, e);
	pb_privdir_close(&d);
	return r;
}

/* API -------------------------------------------------------------------- */

void
pb_store_resv_init(struct pb_store_resv *rv)
{
	memset(rv, 0, sizeof(*rv));
	rv->fd = -1;
	rv->dir.fd = -1;
}

int
pb_store_reserve(const struct pb_store_key *key, size_t size,
    struct pb_store_resv *rv, struct pb_err *e)
{
	char tmp[PB_STORE_PROFILE_MAX + sizeof("..json.new")];
	char sp[PB_PATH_BUFSZ];
	struct stat st;
	int r;

	pb_store_resv_init(rv);
	if ((r = pb_store_file_check_key(key, e)) != PB_OK ||
	    (r = state_open(&rv->dir, 1, e)) != PB_OK)
		goto out;
	pb_log_path(rv->dir.path, sp, sizeof(sp));
	resv_name(key->profile, tmp, sizeof(tmp));
	/*
	 * Under the profile's lock: no one else writes this name.  One that
	 * exists is a leftover the caller could not judge (recover()): it
	 * may hold the only live session, so it is never overwritten.
	 */
	if ((rv->fd = openat(rv->dir.fd, tmp, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600)) == -1) {
		if (errno == EEXIST)
			r = pb_err_set(e, PB_ERR_IO, "%s/%s, left by an "
			    "interrupted refresh, cannot be read or judged (it "
			    "may hold the newest session): fix its mode or the "
			    "store, or remove it if it is not needed", sp, tmp);
		else
			r = pb_err_set(e, PB_ERR_IO, "cannot create %s/%s: %s",
			    sp, tmp, strerror(errno));
		goto out;
	}
	rv->made = 1;
	if (fstat(rv->fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		r = pb_err_set(e, PB_ERR_IO, "%s/%s is not a 0600 file of "
		    "ours: remove it", sp, tmp);
		goto out;
	}
	/*
	 * posix_fallocate() returns the error; glibc writes zeros where the
	 * file system cannot allocate, other libcs may not: then we do.
	 */
	r = posix_fallocate(rv->fd, 0, (off_t)size);
	if (r == EOPNOTSUPP || r == EINVAL || r == ENOSYS)
		r = write_zeros(rv->fd, size) == -1 ? errno : 0;
	if (r != 0) {
		r = pb_err_set(e, PB_ERR_IO, "cannot reserve %zu bytes in %s: "
		    "%s", size, sp, strerror(r));
		goto out;
	}
	if (fsync(rv->fd) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot sync %s/%s: %s", sp, tmp,
		    strerror(errno));
		goto out;
	}
	r = PB_OK;
 out:
	if (r != PB_OK)
		pb_store_resv_drop(rv, key);
	return r;
}

void
pb_store_resv_drop(struct pb_store_resv *rv, const struct pb_store_key *key)
{
	char tmp[PB_STORE_PROFILE_MAX + sizeof("..json.new")];

	/* A written one holds the only live session: recover() adopts it. */
	if (rv->made && !rv->written && !rv->renamed && rv->dir.fd != -1 &&
	    key != NULL && key->profile != NULL) {
		resv_name(key->profile, tmp, sizeof(tmp));
		(void)unlinkat(rv->dir.fd, tmp, 0);
	}
	if (rv->fd != -1)
		close(rv->fd);
	pb_privdir_close(&rv->dir);
	pb_store_resv_init(rv);
}

int
pb_store_leftover(const struct pb_store_key *key, struct pb_secret *value,
    struct pb_err *e)
{
	char tmp[PB_STORE_PROFILE_MAX + sizeof("..json.new")];
	struct pb_privdir d;
	int r;

	if ((r = pb_store_file_check_key(key, e)) != PB_OK)
		return r;
	resv_name(key->profile, tmp, sizeof(tmp));
	if ((r = state_open(&d, 0, e)) == PB_OK)
		r = pb_privdir_read(&d, tmp, PB_STORE_MAX, value, e);
	pb_privdir_close(&d);
	return r;
}

int
pb_store_leftover_adopt(const struct pb_store_key *key, int adopt,
    struct pb_err *e)
{
	char name[PB_STORE_PROFILE_MAX + sizeof(".json")];
	char tmp[PB_STORE_PROFILE_MAX + sizeof("..json.new")];
	char sp[PB_PATH_BUFSZ];
	struct pb_privdir d;
	int r;

	if ((r = pb_store_file_check_key(key, e)) != PB_OK)
		return r;
	file_name(key->profile, name, sizeof(name));
	resv_name(key->profile, tmp, sizeof(tmp));
	if ((r = state_open(&d, 0, e)) != PB_OK)
		return r;
	if (!adopt)
		r = pb_privdir_remove(&d, tmp, e);
	else if (renameat(d.fd, tmp, d.fd, name) == -1)
		r = pb_err_set(e, PB_ERR_IO, "cannot rename %s/%s: %s",
		    pb_log_path(d.path, sp, sizeof(sp)), tmp, strerror(errno));
	else
		(void)fsync(d.fd);
	pb_privdir_close(&d);
	return r;
}

/* The file save: into the reservation when there is one. */
int
pb_store_file_put(const char *profile, const struct pb_secret *v,
    int notice, struct pb_store_resv *rv, struct pb_err *e)
{
	if (rv != NULL && rv->fd != -1)
		return file_save_resv(profile, v, rv, e);
	return file_save(profile, v, notice, e);
}

/*
 * After a save that did not go through the reservation (a login): a temp
 * file left over from an interrupted refresh is older than what was just
 * saved, and must not be adopted over it.  Best effort (the caller's
 * generation is above it too).
 */
void
pb_store_file_leftover_remove(const char *profile)
{
	char tmp[PB_STORE_PROFILE_MAX + sizeof("..json.new")];
	struct pb_privdir d;
	int r;

	resv_name(profile, tmp, sizeof(tmp));
	if ((r = state_open(&d, 0, NULL)) == PB_OK)
		r = pb_privdir_remove(&d, tmp, NULL);	/* none is usual */
	pb_privdir_close(&d);
	(void)r;
}
