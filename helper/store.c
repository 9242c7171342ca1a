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
#include "file.h"
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
		*absentp = 1;
		r = pb_err_set(e, PB_ERR_IO, NO_SS_MSG " (no answer within "
		    "%d s)", PB_STORE_TIMEOUT_MS / 1000);
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

/* ${XDG_STATE_HOME:-$HOME/.local/state}/bearer-token, freshly allocated. */
static int
state_dir(char **dirp, struct pb_err *e)
{
	const char *base, *home;
	int n;

	*dirp = NULL;
	/* XDG Base Directory: a relative XDG_STATE_HOME is ignored. */
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
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
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
 * Open the state directory (creating it 0700 when create is set) and
 * refuse it unless it is a real directory of ours that no one else may
 * enter.  Returns a descriptor in *fdp.
 */
static int
open_dir(char *dir, int create, int *fdp, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct stat st;
	int fd = -1, r = PB_ERR_INTERNAL;

	*fdp = -1;
	pb_log_path(dir, sp, sizeof(sp));
	if (create) {
		if ((r = make_parents(dir, e)) != PB_OK)
			goto out;
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			r = pb_err_set(e, PB_ERR_IO, "cannot create %s: %s",
			    sp, strerror(errno));
			goto out;
		}
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			r = PB_ERR_NOTFOUND;
		else
			r = pb_err_set(e, PB_ERR_IO, "cannot open %s: %s", sp,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		r = pb_err_set(e, PB_ERR_IO, "%s must be owned by uid %u with "
		    "mode 0700 (owner %u, mode %04o): fix or remove it", sp,
		    (unsigned)geteuid(), (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	*fdp = fd;
	fd = -1;
	r = PB_OK;
 out:
	if (fd != -1)
		close(fd);
	return r;
}

/* Refuse a token file that is not a regular 0600 (or stricter) file of ours. */
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

/* The token file's directory, descriptor, name and full path. */
struct tfile {
	char	*dir;
	char	*path;
	char	 name[PB_STORE_PROFILE_MAX + sizeof(".json")];
	int	 dfd;
};

static void
tfile_close(struct tfile *t)
{
	if (t->dfd != -1)
		close(t->dfd);
	free(t->dir);
	free(t->path);
	memset(t, 0, sizeof(*t));
	t->dfd = -1;
}

static int
tfile_open(const char *profile, int create, struct tfile *t,
    struct pb_err *e)
{
	int r = PB_ERR_INTERNAL;

	memset(t, 0, sizeof(*t));
	t->dfd = -1;
	(void)snprintf(t->name, sizeof(t->name), "%s.json", profile);
	if ((r = state_dir(&t->dir, e)) != PB_OK)
		goto out;
	if (asprintf(&t->path, "%s/%s", t->dir, t->name) < 0) {
		t->path = NULL;
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = open_dir(t->dir, create, &t->dfd, e);
 out:
	if (r != PB_OK)
		tfile_close(t);
	return r;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Write atomically: a temp file in the same directory, fsync, rename over
 * the old file, fsync the directory, so a crash leaves the old or the new
 * token, never half of one (a lost rotated refresh token ends the session).
 */
static int
file_save(const char *profile, const struct pb_secret *v, int notice,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct tfile t;
	struct stat st;
	char *tmp = NULL;
	int fd = -1, mfd, r = PB_ERR_INTERNAL;

	if ((r = tfile_open(profile, 1, &t, e)) != PB_OK)
		goto out;
	pb_log_path(t.path, sp, sizeof(sp));
	if (fstatat(t.dfd, t.name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((r = check_file(&st, sp, e)) != PB_OK)
			goto out;
	} else if (errno != ENOENT) {
		r = pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	if (asprintf(&tmp, "%s/.%s.XXXXXX", t.dir, t.name) < 0) {
		tmp = NULL;
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* mkostemp creates the file 0600 whatever the umask. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(tmp);
		tmp = NULL;
		r = pb_err_set(e, PB_ERR_IO, "cannot create a file in %s: %s",
		    pb_log_path(t.dir, sp, sizeof(sp)), strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) == -1 || write_all(fd, v->p, v->len) == -1 ||
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
	if (rename(tmp, t.path) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot rename to %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (fsync(t.dfd) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot sync %s: %s",
		    pb_log_path(t.dir, sp, sizeof(sp)), strerror(errno));
		goto out;
	}
	/* Say once per state directory that the keyring was not there. */
	if (notice) {
		mfd = openat(t.dfd, NOTICE_MARKER, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (mfd != -1 || errno != EEXIST)
			fprintf(stderr, "bearer-token: no Secret Service "
			    "found; storing tokens in %s (mode 0600)\n", sp);
		if (mfd != -1)
			close(mfd);
	}
	r = PB_OK;
 out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	tfile_close(&t);
	return r;
}

static int
file_load(const char *profile, struct pb_secret *v, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct tfile t;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, r = PB_ERR_INTERNAL;

	if ((r = tfile_open(profile, 0, &t, e)) != PB_OK)
		goto out;
	pb_log_path(t.path, sp, sizeof(sp));
	if ((fd = openat(t.dfd, t.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			r = PB_ERR_NOTFOUND;
		else
			r = pb_err_set(e, PB_ERR_IO, "cannot open %s: %s", sp,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	if ((r = check_file(&st, sp, e)) != PB_OK)
		goto out;
	/* Mode and owner as check_file() wants; size and reading here. */
	if ((r = pb_file_read_fd(fd, t.path, PB_STORE_MAX, PB_FILE_PRIVATE,
	    &buf, &len, e)) != PB_OK)
		goto out;
	if (pb_secret_dup(v, buf, len) != PB_OK) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = PB_OK;
 out:
	pb_freezero(buf, len + 1);
	if (fd != -1)
		close(fd);
	tfile_close(&t);
	return r;
}

static int
file_delete(const char *profile, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct tfile t;
	int r = PB_ERR_INTERNAL;

	if ((r = tfile_open(profile, 0, &t, e)) != PB_OK)
		goto out;
	if (unlinkat(t.dfd, t.name, 0) == -1) {
		if (errno == ENOENT)
			r = PB_ERR_NOTFOUND;
		else
			r = pb_err_set(e, PB_ERR_IO, "cannot remove %s: %s",
			    pb_log_path(t.path, sp, sizeof(sp)),
			    strerror(errno));
		goto out;
	}
	(void)fsync(t.dfd);
	r = PB_OK;
 out:
	tfile_close(&t);
	return r;
}

/* API -------------------------------------------------------------------- */

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
	struct pb_secret v = { NULL, 0 };
	int absent = 0, file = 0, r = PB_ERR_INTERNAL;

	if ((r = check_key(key, e)) != PB_OK ||
	    (r = copy_value(value, &v, e)) != PB_OK)
		goto out;
	switch (kind) {
	case PB_STORE_FILE:
		file = 1;
		r = file_save(key->profile, &v, 0, e);
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
			r = file_save(key->profile, &v, 1, e);
		}
		break;
	default:
		r = bad_kind(kind, e);
		break;
	}
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
