/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The helper's token store: the Secret Service through libsecret, or a 0600
 * file under $XDG_STATE_HOME (DESIGN.md section 3, Storage).  This file
 * holds the Secret Service side and the choice between the two stores
 * (PB_STORE_AUTO); the file store and its reservations are store_file.c.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <libsecret/secret.h>

#include "err.h"
#include "secmem.h"
#include "store.h"
#include "store_file.h"

#define NO_SS_MSG	"no Secret Service on the session bus: start " \
			"gnome-keyring or use store = file"
#define UNUSABLE_MSG	"the Secret Service is running, but its default " \
			"keyring is missing or locked and could not be " \
			"unlocked here: unlock it (log in to the desktop, " \
			"or 'gnome-keyring-daemon --replace --unlock' with " \
			"its password on stdin) or use store = file"
#define LOCKED_MSG	"the keyring is locked and was not unlocked (the " \
			"unlock prompt was dismissed or could not be " \
			"shown): unlock it (seahorse, or 'gnome-keyring-" \
			"daemon --replace --unlock' with its password on " \
			"stdin) and run again, or use store = file"

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

/* Value check ---------------------------------------------------------- */

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
 * Whether org.freedesktop.secrets has an owner on the session bus: an
 * error that looks like "nobody there" (an unknown object, a prompter
 * that cannot start) may come from a running Secret Service whose default
 * keyring is missing or locked, which needs another fix.
 */
static int
ss_running(void)
{
	GDBusConnection *bus;
	GVariant *v;
	gboolean has = FALSE;
	struct deadline d;
	struct pb_err e;

	/*
	 * Under the deadline too: a bus whose connection never completes (a
	 * hung daemon) would hold g_bus_get_sync() for ever.
	 */
	pb_err_clear(&e);
	if (deadline_start(&d, &e) != PB_OK)
		return 0;
	if ((bus = g_bus_get_sync(G_BUS_TYPE_SESSION, d.c, NULL)) != NULL) {
		v = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus",
		    "/org/freedesktop/DBus", "org.freedesktop.DBus",
		    "NameHasOwner", g_variant_new("(s)",
		    "org.freedesktop.secrets"), G_VARIANT_TYPE("(b)"),
		    G_DBUS_CALL_FLAGS_NONE, PB_STORE_TIMEOUT_MS, d.c, NULL);
		if (v != NULL) {
			g_variant_get(v, "(b)", &has);
			g_variant_unref(v);
		}
		g_object_unref(bus);
	}
	(void)deadline_stop(&d);
	return has ? 1 : 0;
}

/*
 * Turn a failed keyring call into PB_ERR_IO with a message; *absentp says
 * whether the failure means no usable Secret Service (the AUTO fallback
 * case): PB_STORE_NOTICE_ABSENT when there is none on the bus,
 * PB_STORE_NOTICE_UNUSABLE when one runs without a usable default keyring.
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
		r = pb_err_set(e, PB_ERR_IO, "the Secret Service did not "
		    "answer within %d s (a locked keyring waiting for a "
		    "prompt?)",
		    PB_STORE_TIMEOUT_MS / 1000);
	} else if (g != NULL && g->domain == SECRET_ERROR &&
	    g->code == SECRET_ERROR_IS_LOCKED) {
		/* Not absent: the session may be in there. */
		r = pb_err_set(e, PB_ERR_IO, "Secret Service: cannot %s the "
		    "token: " LOCKED_MSG, what);
	} else if (g != NULL && is_absent(g) && ss_running()) {
		*absentp = PB_STORE_NOTICE_UNUSABLE;
		r = pb_err_set(e, PB_ERR_IO, UNUSABLE_MSG " (%s)", sm);
	} else if (g != NULL && is_absent(g)) {
		*absentp = PB_STORE_NOTICE_ABSENT;
		r = pb_err_set(e, PB_ERR_IO, NO_SS_MSG " (%s)", sm);
	} else
		r = pb_err_set(e, PB_ERR_IO, "Secret Service: cannot %s "
		    "the token: %s", what, sm);
	if (g != NULL)
		g_error_free(g);
	return r;
}

enum ss_op { SS_STORE, SS_LOOKUP, SS_CLEAR };

/*
 * Whether an item with attrs exists but is locked.  A lookup that could
 * not unlock it (no prompt possible here, or one dismissed) answers
 * "nothing", which would send the user to log in again; the session is
 * there, behind the lock.  Errors read as "no".
 */
static int
ss_locked(GHashTable *attrs, GCancellable *c)
{
	GList *items, *i;
	int locked = 0;

	items = secret_service_search_sync(NULL, &schema, attrs,
	    SECRET_SEARCH_ALL, c, NULL);
	for (i = items; i != NULL; i = i->next)
		if (secret_item_get_locked(i->data))
			locked = 1;
	g_list_free_full(items, g_object_unref);
	return locked;
}

/*
 * One keyring call under the deadline, filed under key's attributes:
 * SS_STORE stores v; SS_LOOKUP sets *pw (NULL when nothing is stored;
 * the caller frees it with secret_password_free(), which wipes); SS_CLEAR
 * sets *found.  PB_OK, or ss_fail()'s code and message.
 */
static int
ss_call(enum ss_op op, const struct pb_store_key *key,
    const struct pb_secret *v, gchar **pw, int *found, int *absentp,
    struct pb_err *e)
{
	static const char *const what[] = {
		[SS_STORE] = "store", [SS_LOOKUP] = "look up",
		[SS_CLEAR] = "delete"
	};
	struct deadline d;
	GHashTable *attrs;
	GError *g = NULL;
	gchar *label = NULL;
	gboolean ok = TRUE;
	int fired, r;

	*absentp = 0;
	if ((r = deadline_start(&d, e)) != PB_OK)
		return r;
	attrs = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(attrs, (void *)(uintptr_t)"issuer",
	    (void *)(uintptr_t)key->issuer);
	g_hash_table_insert(attrs, (void *)(uintptr_t)"client_id",
	    (void *)(uintptr_t)key->client_id);
	g_hash_table_insert(attrs, (void *)(uintptr_t)"profile",
	    (void *)(uintptr_t)key->profile);
	switch (op) {
	case SS_STORE:
		label = g_strdup_printf("bearer-token (%s)", key->profile);
		ok = secret_password_storev_sync(&schema, attrs,
		    SECRET_COLLECTION_DEFAULT, label, v->p, d.c, &g);
		break;
	case SS_LOOKUP:
		*pw = secret_password_lookupv_sync(&schema, attrs, d.c, &g);
		if (*pw == NULL && g == NULL && ss_locked(attrs, d.c))
			g = g_error_new_literal(SECRET_ERROR,
			    SECRET_ERROR_IS_LOCKED, "locked");
		break;
	case SS_CLEAR:
		*found = secret_password_clearv_sync(&schema, attrs, d.c, &g);
		break;
	}
	fired = deadline_stop(&d);
	g_hash_table_unref(attrs);
	g_free(label);
	if (!ok || g != NULL)
		return ss_fail(g, fired, what[op], absentp, e);
	return PB_OK;
}

static int
ss_save(const struct pb_store_key *key, const struct pb_secret *v,
    int *absentp, struct pb_err *e)
{
	return ss_call(SS_STORE, key, v, NULL, NULL, absentp, e);
}

static int
ss_load(const struct pb_store_key *key, struct pb_secret *v, int *absentp,
    struct pb_err *e)
{
	gchar *pw = NULL;
	int r;

	if ((r = ss_call(SS_LOOKUP, key, NULL, &pw, NULL, absentp, e)) !=
	    PB_OK)
		goto out;
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
	int found = 0, r;

	if ((r = ss_call(SS_CLEAR, key, NULL, NULL, &found, absentp, e)) !=
	    PB_OK)
		return r;
	return found ? PB_OK : PB_ERR_NOTFOUND;
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

int
pb_store_save_resv(enum pb_store_kind kind, const struct pb_store_key *key,
    const struct pb_secret *value, struct pb_store_resv *rv, int *used_file,
    struct pb_err *e)
{
	struct pb_secret v = { NULL, 0 };
	int absent = 0, file = 0, rf, r = PB_ERR_INTERNAL;

	if ((r = pb_store_file_check_key(key, e)) != PB_OK ||
	    (r = copy_value(value, &v, e)) != PB_OK)
		goto out;
	switch (kind) {
	case PB_STORE_FILE:
		file = 1;
		r = pb_store_file_put(key->profile, &v, 0, rv, e);
		break;
	case PB_STORE_SECRET_SERVICE:
		r = ss_save(key, &v, &absent, e);
		break;
	case PB_STORE_AUTO:
		if ((r = ss_save(key, &v, &absent, e)) == PB_OK) {
			/* An older fallback copy must not outlive this. */
			rf = pb_store_file_delete(key->profile, NULL);
			(void)rf;	/* none there is usual */
		} else if (absent) {
			pb_err_clear(e);
			file = 1;
			r = pb_store_file_put(key->profile, &v, absent, rv,
			    e);
		}
		break;
	default:
		r = bad_kind(kind, e);
		break;
	}
	if (r == PB_OK && (rv == NULL || rv->fd == -1))
		pb_store_file_leftover_remove(key->profile);
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

	if ((r = pb_store_file_check_key(key, e)) != PB_OK)
		goto out;
	switch (kind) {
	case PB_STORE_FILE:
		file = 1;
		r = pb_store_file_load(key->profile, &v, e);
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
			r = pb_store_file_load(key->profile, &v, e);
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

	if ((r = pb_store_file_check_key(key, e)) != PB_OK)
		goto out;
	switch (kind) {
	case PB_STORE_FILE:
		r = pb_store_file_delete(key->profile, e);
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
		rf = pb_store_file_delete(key->profile, &fe);
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
