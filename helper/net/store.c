/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The helper's token store: the Secret Service through libsecret, or a 0600
 * file under $XDG_STATE_HOME (DESIGN.md section 3, Storage).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libsecret/secret.h>

#include "err.h"
#include "privdir.h"
#include "secmem.h"
#include "store.h"

#define NOTICE_MARKER	".no-secret-service"
#define NO_SS_MSG	"no Secret Service on the session bus: start " \
			"gnome-keyring or use store = file"

/* Nothing secret in here: the tokens are the item's secret value. */
static const SecretSchema schema = {
	.name = "org.pam_bearer.Token",
	.flags = SECRET_SCHEMA_NONE,
	.attributes = {
		{ "issuer", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "client_id", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, SECRET_SCHEMA_ATTRIBUTE_STRING },
	},
};

/* Key and value checks ------------------------------------------------- */

static int
check_key(const struct pb_store_key *key, struct pb_err *e)
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

/* A NUL-terminated copy of the caller's value (libsecret takes a string). */
static int
copy_value(const struct pb_secret *value, struct pb_secret *v,
    struct pb_err *e)
{
	if (value == NULL || (value->p == NULL && value->len != 0))
		return pb_err_set(e, PB_ERR_INTERNAL, "token store: no value");
	if (value->len > PB_STORE_MAX)
		return pb_err_set(e, PB_ERR_TOOBIG, "token store: value of "
		    "%zu bytes is over the limit of %d", value->len,
		    PB_STORE_MAX);
	if (value->len > 0 && memchr(value->p, '\0', value->len) != NULL)
		return pb_err_set(e, PB_ERR_FORMAT, "token store: value "
		    "holds a NUL byte");
	if (pb_secret_dup(v, value->p, value->len) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	return PB_OK;
}

/* Keyring call deadline ------------------------------------------------ */

/*
 * libsecret's sync calls run their own main context, so a timeout source
 * on ours would never fire.  A thread cancels the call's GCancellable
 * instead when the deadline passes; GCancellable is thread-safe.
 */
struct deadline {
	GMutex		 mu;
	GCond		 cond;
	gboolean	 done;
	gint64		 end;
	GCancellable	*c;
	GThread		*t;
};

static gpointer
deadline_run(gpointer arg)
{
	struct deadline *d = arg;

	g_mutex_lock(&d->mu);
	while (!d->done) {
		if (!g_cond_wait_until(&d->cond, &d->mu, d->end)) {
			if (!d->done)
				g_cancellable_cancel(d->c);
			break;
		}
	}
	g_mutex_unlock(&d->mu);
	return NULL;
}

static int
deadline_start(struct deadline *d, struct pb_err *e)
{
	GError *g = NULL;

	memset(d, 0, sizeof(*d));
	g_mutex_init(&d->mu);
	g_cond_init(&d->cond);
	d->c = g_cancellable_new();
	d->end = g_get_monotonic_time() + (gint64)PB_STORE_TIMEOUT_MS * 1000;
	if ((d->t = g_thread_try_new("pb-store-timer", deadline_run, d,
	    &g)) == NULL) {
		pb_err_set(e, PB_ERR_INTERNAL, "cannot start a thread: %s",
		    g->message);
		g_error_free(g);
		g_object_unref(d->c);
		g_cond_clear(&d->cond);
		g_mutex_clear(&d->mu);
		return PB_ERR_INTERNAL;
	}
	return PB_OK;
}

/* Stop the timer; returns 1 when it fired (the call was cut off). */
static int
deadline_stop(struct deadline *d)
{
	int fired;

	g_mutex_lock(&d->mu);
	d->done = TRUE;
	g_cond_signal(&d->cond);
	g_mutex_unlock(&d->mu);
	g_thread_join(d->t);
	fired = g_cancellable_is_cancelled(d->c);
	g_object_unref(d->c);
	g_cond_clear(&d->cond);
	g_mutex_clear(&d->mu);
	return fired;
}

/* Secret Service --------------------------------------------------------- */

/*
 * Errors that mean "no Secret Service here": no session bus (GIO errors:
 * refused, missing socket, no address, our timer's cancel) or no owner of
 * org.freedesktop.secrets and nothing to activate.  Locked keyrings,
 * dismissed prompts and protocol errors are real failures.
 */
static int
is_absent(const GError *g)
{
	if (g->domain == G_IO_ERROR)
		return 1;
	if (g->domain != G_DBUS_ERROR)
		return 0;
	switch (g->code) {
	case G_DBUS_ERROR_SERVICE_UNKNOWN:
	case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
	case G_DBUS_ERROR_NO_SERVER:
	case G_DBUS_ERROR_NO_REPLY:
	case G_DBUS_ERROR_TIMEOUT:
	case G_DBUS_ERROR_TIMED_OUT:
	case G_DBUS_ERROR_DISCONNECTED:
	case G_DBUS_ERROR_FILE_NOT_FOUND:
	case G_DBUS_ERROR_BAD_ADDRESS:
	case G_DBUS_ERROR_UNKNOWN_METHOD:
	case G_DBUS_ERROR_UNKNOWN_OBJECT:
	case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
	case G_DBUS_ERROR_SPAWN_FORK_FAILED:
	case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
	case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
	case G_DBUS_ERROR_SPAWN_FAILED:
	case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
	case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
	case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
	case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
	case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
	case G_DBUS_ERROR_SPAWN_FILE_INVALID:
	case G_DBUS_ERROR_SPAWN_NO_MEMORY:
		return 1;
	default:
		return 0;
	}
}

/*
 * Turn a failed keyring call into PB_ERR_IO with a message; *absentp says
 * whether the failure means no Secret Service (the AUTO fallback case).
 */
static int
ss_fail(GError *g, int fired, const char *what, int *absentp,
    struct pb_err *e)
{
	char sm[PB_SAFE_BUFSZ];
	int r;

	pb_log_safe(g != NULL ? g->message : "unknown error", sm, sizeof(sm));
	if (fired) {
		/*
		 * Not "absent": a keyring that answers slowly (a prompt) may
		 * hold a session; falling back to the file would split it.
		 */
		r = pb_err_set(e, PB_ERR_IO, "the Secret Service did not answer "
		    "within %d s (a locked keyring waiting for a prompt?)",
		    PB_STORE_TIMEOUT_MS / 1000);
	} else if (g != NULL && is_absent(g)) {
		*absentp = 1;
		r = pb_err_set(e, PB_ERR_IO, NO_SS_MSG " (%s)", sm);
	} else
		r = pb_err_set(e, PB_ERR_IO, "Secret Service: cannot %s "
		    "the token: %s", what, sm);
	if (g != NULL)
		g_error_free(g);
	return r;
}

static int
ss_save(const struct pb_store_key *key, const struct pb_secret *v,
    int *absentp, struct pb_err *e)
{
	struct deadline d;
	GError *g = NULL;
	gchar *label = NULL;
	gboolean ok;
	int fired, r = PB_ERR_INTERNAL;

	*absentp = 0;
	if ((r = deadline_start(&d, e)) != PB_OK)
		goto out;
	label = g_strdup_printf("bearer-token (%s)", key->profile);
	ok = secret_password_store_sync(&schema, SECRET_COLLECTION_DEFAULT,
	    label, v->p, d.c, &g,
	    "issuer", key->issuer,
	    "client_id", key->client_id,
	    "profile", key->profile,
	    NULL);
	fired = deadline_stop(&d);
	if (!ok || g != NULL) {
		r = ss_fail(g, fired, "store", absentp, e);
		goto out;
	}
	r = PB_OK;
 out:
	g_free(label);
	return r;
}

static int
ss_load(const struct pb_store_key *key, struct pb_secret *v, int *absentp,
    struct pb_err *e)
{
	struct deadline d;
	GError *g = NULL;
	gchar *pw = NULL;
	int fired, r = PB_ERR_INTERNAL;

	*absentp = 0;
	if ((r = deadline_start(&d, e)) != PB_OK)
		goto out;
	pw = secret_password_lookup_sync(&schema, d.c, &g,
	    "issuer", key->issuer,
	    "client_id", key->client_id,
	    "profile", key->profile,
	    NULL);
	fired = deadline_stop(&d);
	if (g != NULL) {
		r = ss_fail(g, fired, "look up", absentp, e);
		goto out;
	}
	if (pw == NULL) {
		r = PB_ERR_NOTFOUND;
		goto out;
	}
	if (strlen(pw) > PB_STORE_MAX) {
		r = pb_err_set(e, PB_ERR_TOOBIG, "Secret Service: the stored "
		    "value is over the limit of %d bytes", PB_STORE_MAX);
		goto out;
	}
	if (pb_secret_dup(v, pw, strlen(pw)) != PB_OK) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = PB_OK;
 out:
	secret_password_free(pw);	/* wipes */
	return r;
}

static int
ss_delete(const struct pb_store_key *key, int *absentp, struct pb_err *e)
{
	struct deadline d;
	GError *g = NULL;
	gboolean removed;
	int fired, r = PB_ERR_INTERNAL;

	*absentp = 0;
	if ((r = deadline_start(&d, e)) != PB_OK)
		goto out;
	removed = secret_password_clear_sync(&schema, d.c, &g,
	    "issuer", key->issuer,
	    "client_id", key->client_id,
	    "profile", key->profile,
	    NULL);
	fired = deadline_stop(&d);
	if (g != NULL) {
		r = ss_fail(g, fired, "delete", absentp, e);
		goto out;
	}
	r = removed ? PB_OK : PB_ERR_NOTFOUND;
 out:
	return r;
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
		mfd = openat(d.fd, NOTICE_MARKER, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (mfd != -1 || errno != EEXIST)
			fprintf(stderr, "bearer-token: no Secret Service "
			    "found; storing tokens in %s (mode 0600)\n",
			    pb_log_path(full, sp, sizeof(sp)));
		if (mfd != -1)
			close(mfd);
	}
 out:
	pb_privdir_close(&d);
	return r;
}

static int
file_load(const char *profile, struct pb_secret *v, struct pb_err *e)
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

static int
file_delete(const char *profile, struct pb_err *e)
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
	if ((r = check_key(key, e)) != PB_OK ||
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

	if ((r = check_key(key, e)) != PB_OK)
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

	if ((r = check_key(key, e)) != PB_OK)
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

static int
not_found(const struct pb_store_key *key, struct pb_err *e)
{
	return pb_err_set(e, PB_ERR_NOTFOUND, "no token stored for profile "
	    "'%s'", key->profile);	/* checked: safe characters only */
}

static int
bad_kind(enum pb_store_kind kind, struct pb_err *e)
{
	return pb_err_set(e, PB_ERR_INTERNAL, "unknown store kind %d",
	    (int)kind);
}

int
pb_store_save(enum pb_store_kind kind, const struct pb_store_key *key,
    const struct pb_secret *value, int *used_file, struct pb_err *e)
{
	return pb_store_save_resv(kind, key, value, NULL, used_file, e);
}

/* The file save: into the reservation when there is one. */
static int
file_put(const char *profile, const struct pb_secret *v, int notice,
    struct pb_store_resv *rv, struct pb_err *e)
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
static void
leftover_remove(const char *profile)
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

int
pb_store_save_resv(enum pb_store_kind kind, const struct pb_store_key *key,
    const struct pb_secret *value, struct pb_store_resv *rv, int *used_file,
    struct pb_err *e)
{
	struct pb_secret v = { NULL, 0 };
	int absent = 0, file = 0, r = PB_ERR_INTERNAL;

	if ((r = check_key(key, e)) != PB_OK ||
	    (r = copy_value(value, &v, e)) != PB_OK)
		goto out;
	switch (kind) {
	case PB_STORE_FILE:
		file = 1;
		r = file_put(key->profile, &v, 0, rv, e);
		break;
	case PB_STORE_SECRET_SERVICE:
		r = ss_save(key, &v, &absent, e);
		break;
	case PB_STORE_AUTO:
		if ((r = ss_save(key, &v, &absent, e)) == PB_OK) {
			/* An older fallback copy must not outlive this. */
			(void)file_delete(key->profile, NULL);
		} else if (absent) {
			pb_err_clear(e);
			file = 1;
			r = file_put(key->profile, &v, 1, rv, e);
		}
		break;
	default:
		r = bad_kind(kind, e);
		break;
	}
	if (r == PB_OK && (rv == NULL || rv->fd == -1))
		leftover_remove(key->profile);
	if (r == PB_OK && used_file != NULL)
		*used_file = file;
 out:
	pb_secret_clear(&v);
	return r;
}

int
pb_store_load(enum pb_store_kind kind, const struct pb_store_key *key,
    struct pb_secret *value, int *used_file, struct pb_err *e)
{
	struct pb_secret v = { NULL, 0 };
	int absent = 0, file = 0, r = PB_ERR_INTERNAL;

	if ((r = check_key(key, e)) != PB_OK)
		goto out;
	switch (kind) {
	case PB_STORE_FILE:
		file = 1;
		r = file_load(key->profile, &v, e);
		break;
	case PB_STORE_SECRET_SERVICE:
		r = ss_load(key, &v, &absent, e);
		break;
	case PB_STORE_AUTO:
		/* The file may hold what was saved while no keyring ran. */
		r = ss_load(key, &v, &absent, e);
		if (r == PB_ERR_NOTFOUND || (r != PB_OK && absent)) {
			pb_err_clear(e);
			file = 1;
			r = file_load(key->profile, &v, e);
		}
		break;
	default:
		r = bad_kind(kind, e);
		break;
	}
	if (r == PB_ERR_NOTFOUND) {
		r = not_found(key, e);
		goto out;
	}
	if (r != PB_OK)
		goto out;
	*value = v;
	v.p = NULL;		/* transferred */
	v.len = 0;
	if (used_file != NULL)
		*used_file = file;
 out:
	pb_secret_clear(&v);
	return r;
}

int
pb_store_delete(enum pb_store_kind kind, const struct pb_store_key *key,
    struct pb_err *e)
{
	struct pb_err fe;
	int absent = 0, rs, rf, r = PB_ERR_INTERNAL;

	if ((r = check_key(key, e)) != PB_OK)
		goto out;
	switch (kind) {
	case PB_STORE_FILE:
		r = file_delete(key->profile, e);
		break;
	case PB_STORE_SECRET_SERVICE:
		r = ss_delete(key, &absent, e);
		break;
	case PB_STORE_AUTO:
		/* Clear both: logout must leave no token behind. */
		pb_err_clear(&fe);
		rs = ss_delete(key, &absent, e);
		if (rs != PB_OK && absent) {
			pb_err_clear(e);
			rs = PB_ERR_NOTFOUND;
		}
		rf = file_delete(key->profile, &fe);
		if (rs != PB_OK && rs != PB_ERR_NOTFOUND)
			r = rs;
		else if (rf != PB_OK && rf != PB_ERR_NOTFOUND) {
			r = rf;
			if (e != NULL)
				*e = fe;
		} else if (rs == PB_OK || rf == PB_OK)
			r = PB_OK;
		else
			r = PB_ERR_NOTFOUND;
		break;
	default:
		r = bad_kind(kind, e);
		break;
	}
	if (r == PB_ERR_NOTFOUND)
		r = not_found(key, e);
 out:
	return r;
}
