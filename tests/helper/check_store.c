/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/store against a real Secret Service (gnome-keyring on a private
 * session bus, started by store.sh) and the file store.
 *
 * Cases that need no Secret Service, or a hung one, run in a child
 * process: this binary executes itself ("check_store child MODE") with
 * DBUS_SESSION_BUS_ADDRESS pointing at a dead or a silent socket, because
 * GDBus keeps one session bus connection per process.  The keyring is
 * inspected with libsecret directly, not through the code under test.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libsecret/secret.h>

#include "checkmain.h"
#include "err.h"
#include "secmem.h"
#include "store.h"
#include "testutil.h"

#define ISSUER		"https://idp.example/realms/test"
#define CLIENT		"bearer-cli"
#define SECRET_MARK	"RT-SECRET-"
#define NOTICE		"no Secret Service found; storing tokens in "
/* What val("c") makes. */
#define CHILD_VALUE	"{\"refresh_token\":\"" SECRET_MARK "c\"," \
			"\"issuer\":\"" ISSUER "\"}"

/* The schema as DESIGN.md names it, spelled out independently. */
static const SecretSchema test_schema = {
	.name = "org.pam_bearer.Token",
	.flags = SECRET_SCHEMA_NONE,
	.attributes = {
		{ "issuer", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "client_id", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, SECRET_SCHEMA_ATTRIBUTE_STRING },
	},
};

static char *state;		/* this test's XDG_STATE_HOME */
static char *argv0;

/* Test plumbing --------------------------------------------------------- */

static const char *
tmpbase(void)
{
	const char *t = secure_getenv("PB_STORE_TMP");

	return t != NULL && *t != '\0' ? t : "/tmp";
}

static struct pb_store_key
key(const char *profile)
{
	struct pb_store_key k = { profile, ISSUER, CLIENT };

	return k;
}

/* A JSON value as the helper would store it; free with pb_secret_clear. */
static struct pb_secret
val(const char *tag)
{
	struct pb_secret s;
	char *j;

	j = tu_asprintf("{\"refresh_token\":\"" SECRET_MARK "%s\","
	    "\"issuer\":\"" ISSUER "\"}", tag);
	ck_assert_int_eq(pb_secret_dup(&s, j, strlen(j)), PB_OK);
	free(j);
	return s;
}

static void
save_ok(enum pb_store_kind kind, const char *profile, const char *tag,
    int want_file)
{
	struct pb_store_key k = key(profile);
	struct pb_secret v = val(tag);
	struct pb_err e;
	int used = -1, r;

	pb_err_clear(&e);
	r = pb_store_save(kind, &k, &v, &used, &e);
	ck_assert_msg(r == PB_OK, "save %s: %s", profile, pb_err_msg(&e));
	ck_assert_int_eq(used, want_file);
	pb_secret_clear(&v);
}

static void
load_eq(enum pb_store_kind kind, const char *profile, const char *tag,
    int want_file)
{
	struct pb_store_key k = key(profile);
	struct pb_secret want = val(tag), got = { NULL, 0 };
	struct pb_err e;
	int used = -1, r;

	pb_err_clear(&e);
	r = pb_store_load(kind, &k, &got, &used, &e);
	ck_assert_msg(r == PB_OK, "load %s: %s", profile, pb_err_msg(&e));
	ck_assert_int_eq(used, want_file);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_msg(pb_ct_eq(got.p, want.p, want.len), "value differs");
	ck_assert_int_eq(got.p[got.len], '\0');
	pb_secret_clear(&got);
	pb_secret_clear(&want);
}

static int
load_rc(enum pb_store_kind kind, const char *profile, struct pb_err *e)
{
	struct pb_store_key k = key(profile);
	struct pb_secret got = { NULL, 0 };
	int used = -1, r;

	pb_err_clear(e);
	r = pb_store_load(kind, &k, &got, &used, e);
	if (r != PB_OK) {
		ck_assert_ptr_null(got.p);
		ck_assert_int_eq(used, -1);
	}
	pb_secret_clear(&got);
	return r;
}

static int
delete_rc(enum pb_store_kind kind, const char *profile)
{
	struct pb_store_key k = key(profile);
	struct pb_err e;

	return pb_store_delete(kind, &k, &e);
}

static char *
store_dir(void)
{
	return tu_asprintf("%s/bearer-token", state);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "stat %s: %s", path,
	    strerror(errno));
	return st.st_mode & 07777;
}

/* Number of entries in dir other than . and .. (-1: no such dir). */
static int
count_entries(const char *dir, const char *expect_only)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (expect_only != NULL)
			ck_assert_msg(strcmp(de->d_name, expect_only) == 0,
			    "unexpected %s in %s", de->d_name, dir);
		n++;
	}
	closedir(d);
	return n;
}

static int
count_str(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
setup(void)
{
	char *t;

	t = tu_asprintf("%s/t.XXXXXX", tmpbase());
	ck_assert_ptr_nonnull(mkdtemp(t));
	state = tu_asprintf("%s/state", t);
	ck_assert_int_eq(setenv("XDG_STATE_HOME", state, 1), 0);
	free(t);
}

static void
teardown(void)
{
	free(state);
	state = NULL;
}

/* Children without a Secret Service ------------------------------------ */

/* A bound socket nobody listens on: connect() is refused. */
static char *
dead_socket(void)
{
	struct sockaddr_un sa;
	char *path;
	int fd;

	path = tu_asprintf("%s/dead.sock", state);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	return path;
}

/*
 * A socket that accepts connections into its backlog and never answers:
 * the D-Bus handshake hangs, as on a wedged bus.  *fdp stays open.
 */
static char *
silent_socket(int *fdp)
{
	struct sockaddr_un sa;
	char *path;
	int fd;

	path = tu_asprintf("%s/silent.sock", state);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	*fdp = fd;
	return path;
}

/*
 * Run "argv0 child MODE PROFILE" on bus address unix:path=SOCK; its stdout
 * and stderr land in *outp and *errp.  Returns the exit status.
 */
static int
run_child(const char *mode, const char *profile, const char *sock,
    char **outp, char **errp)
{
	char *out, *err, *addr;
	pid_t pid;
	int st, fd;

	out = tu_asprintf("%s/child.out", state);
	err = tu_asprintf("%s/child.err", state);
	addr = tu_asprintf("unix:path=%s", sock);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1) != 0)
			_exit(90);
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
		    dup2(fd, 1) == -1)
			_exit(91);
		close(fd);
		if ((fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
		    dup2(fd, 2) == -1)
			_exit(92);
		close(fd);
		execl("/proc/self/exe", argv0, "child", mode, profile,
		    (char *)NULL);
		_exit(93);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	*outp = tu_read_file(out, NULL);
	*errp = tu_read_file(err, NULL);
	free(out);
	free(err);
	free(addr);
	ck_assert_msg(WIFEXITED(st), "child died (status %d)", st);
	return WEXITSTATUS(st);
}

/* The child side: print what happened on stdout, exit 0 when as expected. */
static int
child_main(const char *mode, const char *profile)
{
	struct pb_store_key k = key(profile);
	struct pb_secret v = { NULL, 0 }, got = { NULL, 0 };
	struct pb_err e;
	int used = -1, r, rc = 1;

	if (pb_secret_dup(&v, CHILD_VALUE, strlen(CHILD_VALUE)) != PB_OK)
		return 2;
	pb_err_clear(&e);
	if (strcmp(mode, "auto") == 0) {
		/* Two saves: the notice is printed by the first only. */
		if ((r = pb_store_save(PB_STORE_AUTO, &k, &v, &used,
		    &e)) != PB_OK || used != 1 ||
		    (r = pb_store_save(PB_STORE_AUTO, &k, &v, &used,
		    &e)) != PB_OK || used != 1) {
			printf("save: %d %s\n", r, pb_err_msg(&e));
			goto out;
		}
		used = -1;
		if ((r = pb_store_load(PB_STORE_AUTO, &k, &got, &used,
		    &e)) != PB_OK || used != 1 || got.len != v.len ||
		    !pb_ct_eq(got.p, v.p, v.len)) {
			printf("load: %d %s\n", r, pb_err_msg(&e));
			goto out;
		}
		rc = 0;
	} else if (strcmp(mode, "secret-service") == 0) {
		r = pb_store_save(PB_STORE_SECRET_SERVICE, &k, &v, &used, &e);
		printf("%d %s\n", r, pb_err_msg(&e));
		if (r == PB_ERR_IO && used == -1) {
			r = pb_store_load(PB_STORE_SECRET_SERVICE, &k, &got,
			    &used, &e);
			printf("%d %s\n", r, pb_err_msg(&e));
			rc = r == PB_ERR_IO && used == -1 ? 0 : 1;
		}
	}
 out:
	pb_secret_clear(&v);
	pb_secret_clear(&got);
	return rc;
}

/* Secret Service ---------------------------------------------------------- */

START_TEST(test_store_ss_roundtrip)
{
	struct pb_err e;

	save_ok(PB_STORE_SECRET_SERVICE, "rt", "rt", 0);
	load_eq(PB_STORE_SECRET_SERVICE, "rt", "rt", 0);
	ck_assert_int_eq(delete_rc(PB_STORE_SECRET_SERVICE, "rt"), PB_OK);
	ck_assert_int_eq(load_rc(PB_STORE_SECRET_SERVICE, "rt", &e),
	    PB_ERR_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "'rt'"));
	ck_assert_int_eq(delete_rc(PB_STORE_SECRET_SERVICE, "rt"),
	    PB_ERR_NOTFOUND);
	/* The keyring path writes no file. */
	ck_assert_int_eq(count_entries(state, NULL), -1);
}
END_TEST

/* Items of our schema for profile, by attributes (libsecret directly). */
static GList *
search(SecretService *svc, const char *profile)
{
	GHashTable *attrs;
	GError *g = NULL;
	GList *items;

	attrs = secret_attributes_build(&test_schema, "profile", profile,
	    NULL);
	ck_assert_ptr_nonnull(attrs);
	items = secret_service_search_sync(svc, &test_schema, attrs,
	    SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK |
	    SECRET_SEARCH_LOAD_SECRETS, NULL, &g);
	ck_assert_msg(g == NULL, "search: %s", g != NULL ? g->message : "");
	g_hash_table_unref(attrs);
	return items;
}

START_TEST(test_store_ss_attributes)
{
	SecretService *svc;
	SecretCollection *coll;
	SecretItem *item;
	SecretValue *sv;
	GHashTable *attrs;
	GHashTableIter it;
	GError *g = NULL;
	GList *items;
	gpointer k, v;
	const char *text, *ipath, *cpath;
	char *label;
	int n = 0;

	save_ok(PB_STORE_SECRET_SERVICE, "attr", "attr", 0);
	svc = secret_service_get_sync(SECRET_SERVICE_LOAD_COLLECTIONS, NULL,
	    &g);
	ck_assert_msg(svc != NULL, "service: %s", g != NULL ? g->message : "");
	items = search(svc, "attr");
	ck_assert_uint_eq(g_list_length(items), 1);
	item = items->data;

	/* Both getters return new strings (transfer full). */
	label = secret_item_get_schema_name(item);
	ck_assert_str_eq(label, "org.pam_bearer.Token");
	g_free(label);
	label = secret_item_get_label(item);
	ck_assert_str_eq(label, "bearer-token (attr)");
	g_free(label);

	/* Exactly issuer, client_id, profile (and libsecret's xdg:schema). */
	attrs = secret_item_get_attributes(item);
	g_hash_table_iter_init(&it, attrs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		ck_assert_msg(strstr(v, SECRET_MARK) == NULL &&
		    strstr(v, "refresh_token") == NULL,
		    "secret in attribute %s", (const char *)k);
		if (strcmp(k, "issuer") == 0)
			ck_assert_str_eq(v, ISSUER);
		else if (strcmp(k, "client_id") == 0)
			ck_assert_str_eq(v, CLIENT);
		else if (strcmp(k, "profile") == 0)
			ck_assert_str_eq(v, "attr");
		else if (strcmp(k, "xdg:schema") == 0)
			ck_assert_str_eq(v, "org.pam_bearer.Token");
		else
			ck_abort_msg("unexpected attribute %s",
			    (const char *)k);
		n++;
	}
	ck_assert_int_eq(n, 4);
	g_hash_table_unref(attrs);

	/* The tokens are the secret value. */
	sv = secret_item_get_secret(item);
	ck_assert_ptr_nonnull(sv);
	text = secret_value_get_text(sv);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, SECRET_MARK "attr"));
	secret_value_unref(sv);

	/* In the default collection. */
	coll = secret_collection_for_alias_sync(svc, SECRET_COLLECTION_DEFAULT,
	    SECRET_COLLECTION_NONE, NULL, &g);
	ck_assert_msg(coll != NULL, "default collection: %s",
	    g != NULL ? g->message : "");
	ipath = g_dbus_proxy_get_object_path(G_DBUS_PROXY(item));
	cpath = g_dbus_proxy_get_object_path(G_DBUS_PROXY(coll));
	ck_assert_msg(strncmp(ipath, cpath, strlen(cpath)) == 0 &&
	    ipath[strlen(cpath)] == '/', "%s not in %s", ipath, cpath);
	g_object_unref(coll);

	/* A search by another issuer finds nothing. */
	attrs = secret_attributes_build(&test_schema, "profile", "attr",
	    "issuer", "https://other.example", NULL);
	g_list_free_full(items, g_object_unref);
	items = secret_service_search_sync(svc, &test_schema, attrs,
	    SECRET_SEARCH_ALL, NULL, &g);
	ck_assert_ptr_null(g);
	ck_assert_ptr_null(items);
	g_hash_table_unref(attrs);
	g_object_unref(svc);
	ck_assert_int_eq(delete_rc(PB_STORE_SECRET_SERVICE, "attr"), PB_OK);
}
END_TEST

START_TEST(test_store_ss_profiles)
{
	save_ok(PB_STORE_SECRET_SERVICE, "one", "first", 0);
	save_ok(PB_STORE_SECRET_SERVICE, "two", "second", 0);
	load_eq(PB_STORE_SECRET_SERVICE, "one", "first", 0);
	load_eq(PB_STORE_SECRET_SERVICE, "two", "second", 0);
	ck_assert_int_eq(delete_rc(PB_STORE_SECRET_SERVICE, "one"), PB_OK);
	load_eq(PB_STORE_SECRET_SERVICE, "two", "second", 0);
	ck_assert_int_eq(delete_rc(PB_STORE_SECRET_SERVICE, "two"), PB_OK);
}
END_TEST

START_TEST(test_store_ss_overwrite)
{
	SecretService *svc;
	GError *g = NULL;
	GList *items;

	save_ok(PB_STORE_SECRET_SERVICE, "ow", "old", 0);
	save_ok(PB_STORE_SECRET_SERVICE, "ow", "new", 0);
	load_eq(PB_STORE_SECRET_SERVICE, "ow", "new", 0);
	svc = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &g);
	ck_assert_ptr_nonnull(svc);
	items = search(svc, "ow");
	ck_assert_uint_eq(g_list_length(items), 1);
	g_list_free_full(items, g_object_unref);
	g_object_unref(svc);
	ck_assert_int_eq(delete_rc(PB_STORE_SECRET_SERVICE, "ow"), PB_OK);
}
END_TEST

START_TEST(test_store_auto_keyring)
{
	char *dir = store_dir();

	/* A left-over fallback file goes once the keyring has the token. */
	save_ok(PB_STORE_FILE, "au", "stale", 1);
	ck_assert_int_eq(count_entries(dir, "au.json"), 1);
	save_ok(PB_STORE_AUTO, "au", "fresh", 0);
	ck_assert_int_eq(count_entries(dir, NULL), 0);
	load_eq(PB_STORE_AUTO, "au", "fresh", 0);
	ck_assert_int_eq(delete_rc(PB_STORE_AUTO, "au"), PB_OK);
	ck_assert_int_eq(delete_rc(PB_STORE_AUTO, "au"), PB_ERR_NOTFOUND);
	/* AUTO reads a file saved while no keyring ran. */
	save_ok(PB_STORE_FILE, "au", "file", 1);
	load_eq(PB_STORE_AUTO, "au", "file", 1);
	ck_assert_int_eq(delete_rc(PB_STORE_AUTO, "au"), PB_OK);
	ck_assert_int_eq(count_entries(dir, NULL), 0);
	free(dir);
}
END_TEST

/* No Secret Service -------------------------------------------------------- */

START_TEST(test_store_auto_fallback)
{
	char *sock, *out, *err, *dir, *file;

	sock = dead_socket();
	ck_assert_msg(run_child("auto", "fb", sock, &out, &err) == 0,
	    "child: %s / %s", out, err);
	/* The notice, once, naming the file. */
	ck_assert_int_eq(count_str(err, NOTICE), 1);
	ck_assert_ptr_nonnull(strstr(err, "/bearer-token/fb.json (mode 0600)"));
	dir = store_dir();
	file = tu_asprintf("%s/fb.json", dir);
	ck_assert_uint_eq(mode_of(dir), 0700);
	ck_assert_uint_eq(mode_of(file), 0600);
	free(out);
	free(err);
	/* Another run, another process: still no second notice. */
	ck_assert_int_eq(run_child("auto", "fb2", sock, &out, &err), 0);
	ck_assert_int_eq(count_str(err, NOTICE), 0);
	load_eq(PB_STORE_FILE, "fb", "c", 1);
	free(out);
	free(err);
	free(file);
	free(dir);
	free(sock);
}
END_TEST

START_TEST(test_store_ss_absent)
{
	char *sock, *out, *err, *dir;

	sock = dead_socket();
	ck_assert_msg(run_child("secret-service", "ab", sock, &out,
	    &err) == 0, "child: %s / %s", out, err);
	ck_assert_msg(count_str(out, "no Secret Service on the session bus: "
	    "start gnome-keyring or use store = file") == 2, "%s", out);
	ck_assert_str_eq(err, "");
	/* No fallback: no file. */
	dir = store_dir();
	ck_assert_int_eq(count_entries(dir, NULL), -1);
	free(dir);
	free(out);
	free(err);
	free(sock);
}
END_TEST

START_TEST(test_store_ss_hung)
{
	char *sock, *out, *err;
	int fd;

	/*
	 * Two calls: the first is cut off by our deadline; libsecret may
	 * then fail the second at once on its cancelled connection.  The
	 * first must say the Secret Service did not answer in time (a slow
	 * keyring is not an absent one: it may hold the session, so there
	 * is no fallback to the file), the second fail too.  The test
	 * case timeout, not a clock here, is what catches a hang (make
	 * check times nothing).
	 */
	sock = silent_socket(&fd);
	ck_assert_msg(run_child("secret-service", "hung", sock, &out,
	    &err) == 0, "child: %s / %s", out, err);
	ck_assert_msg(count_str(out, "the Secret Service did not answer "
	    "within 5 s") >= 1, "%s", out);
	ck_assert_msg(count_str(out, "-17 ") == 2, "%s", out);
	close(fd);
	free(out);
	free(err);
	free(sock);
}
END_TEST

/* File store --------------------------------------------------------------- */

START_TEST(test_store_file_roundtrip)
{
	char *dir = store_dir(), *file;
	struct pb_err e;

	save_ok(PB_STORE_FILE, "f1", "one", 1);
	file = tu_asprintf("%s/f1.json", dir);
	ck_assert_uint_eq(mode_of(dir), 0700);
	ck_assert_uint_eq(mode_of(file), 0600);
	/* Atomic write: no temp file left, quiet (no marker). */
	ck_assert_int_eq(count_entries(dir, "f1.json"), 1);
	load_eq(PB_STORE_FILE, "f1", "one", 1);
	save_ok(PB_STORE_FILE, "f1", "two", 1);
	ck_assert_int_eq(count_entries(dir, "f1.json"), 1);
	load_eq(PB_STORE_FILE, "f1", "two", 1);
	ck_assert_uint_eq(mode_of(file), 0600);
	ck_assert_int_eq(delete_rc(PB_STORE_FILE, "f1"), PB_OK);
	ck_assert_int_eq(count_entries(dir, NULL), 0);
	ck_assert_int_eq(load_rc(PB_STORE_FILE, "f1", &e), PB_ERR_NOTFOUND);
	ck_assert_int_eq(delete_rc(PB_STORE_FILE, "f1"), PB_ERR_NOTFOUND);
	free(file);
	free(dir);
}
END_TEST

START_TEST(test_store_file_profiles)
{
	save_ok(PB_STORE_FILE, "a.b_c-1", "a", 1);
	save_ok(PB_STORE_FILE, "other", "b", 1);
	load_eq(PB_STORE_FILE, "a.b_c-1", "a", 1);
	load_eq(PB_STORE_FILE, "other", "b", 1);
}
END_TEST

START_TEST(test_store_file_loose_modes)
{
	char *dir = store_dir(), *file;
	struct pb_store_key k = key("lm");
	struct pb_secret v = val("x");
	struct pb_err e;

	save_ok(PB_STORE_FILE, "lm", "lm", 1);
	file = tu_asprintf("%s/lm.json", dir);
	ck_assert_int_eq(chmod(file, 0644), 0);
	ck_assert_int_eq(load_rc(PB_STORE_FILE, "lm", &e), PB_ERR_IO);
	ck_assert_msg(strstr(pb_err_msg(&e), "mode 0644") != NULL, "%s",
	    pb_err_msg(&e));
	/* Saving over it is refused too: the old token may have leaked. */
	ck_assert_int_eq(pb_store_save(PB_STORE_FILE, &k, &v, NULL, &e),
	    PB_ERR_IO);
	ck_assert_int_eq(chmod(file, 0600), 0);
	load_eq(PB_STORE_FILE, "lm", "lm", 1);
	/* A directory others may enter. */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(load_rc(PB_STORE_FILE, "lm", &e), PB_ERR_IO);
	ck_assert_msg(strstr(pb_err_msg(&e), "mode 0755") != NULL, "%s",
	    pb_err_msg(&e));
	ck_assert_int_eq(pb_store_save(PB_STORE_FILE, &k, &v, NULL, &e),
	    PB_ERR_IO);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	/* A symlink in place of the file. */
	ck_assert_int_eq(unlink(file), 0);
	ck_assert_int_eq(symlink("/etc/hostname", file), 0);
	ck_assert_int_eq(load_rc(PB_STORE_FILE, "lm", &e), PB_ERR_IO);
	ck_assert_int_eq(pb_store_save(PB_STORE_FILE, &k, &v, NULL, &e),
	    PB_ERR_IO);
	pb_secret_clear(&v);
	free(file);
	free(dir);
}
END_TEST

START_TEST(test_store_file_home)
{
	char *home, *file;

	/* No (or a relative) XDG_STATE_HOME: $HOME/.local/state. */
	home = tu_asprintf("%s/home", state);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	ck_assert_int_eq(setenv("HOME", home, 1), 0);
	ck_assert_int_eq(setenv("XDG_STATE_HOME", "relative/state", 1), 0);
	save_ok(PB_STORE_FILE, "h", "h", 1);
	ck_assert_int_eq(unsetenv("XDG_STATE_HOME"), 0);
	load_eq(PB_STORE_FILE, "h", "h", 1);
	file = tu_asprintf("%s/.local/state/bearer-token/h.json", home);
	ck_assert_uint_eq(mode_of(file), 0600);
	free(file);
	free(home);
}
END_TEST

/* Bad input ---------------------------------------------------------------- */

START_TEST(test_store_bad_profile)
{
	static const char *const bad[] = {
		"a/b", "../x", "..", ".", ".hidden", "", "a b", "a\\b",
		"caf\xc3\xa9",
		"x234567890123456789012345678901234567890123456789012345678901"
		"2345",
	};
	static const enum pb_store_kind kinds[] = {
		PB_STORE_AUTO, PB_STORE_SECRET_SERVICE, PB_STORE_FILE,
	};
	struct pb_secret v = val("bad"), got = { NULL, 0 };
	struct pb_store_key k;
	struct pb_err e;
	size_t i, j;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k = key(bad[i]);
		for (j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++) {
			ck_assert_int_eq(pb_store_save(kinds[j], &k, &v, NULL,
			    &e), PB_ERR_CONFIG);
			ck_assert_int_eq(pb_store_load(kinds[j], &k, &got,
			    NULL, &e), PB_ERR_CONFIG);
			ck_assert_int_eq(pb_store_delete(kinds[j], &k, &e),
			    PB_ERR_CONFIG);
		}
	}
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "invalid profile"));
	/* Missing key fields. */
	k = key("ok");
	k.issuer = NULL;
	ck_assert_int_eq(pb_store_save(PB_STORE_FILE, &k, &v, NULL, &e),
	    PB_ERR_CONFIG);
	ck_assert_int_eq(pb_store_save(PB_STORE_FILE, NULL, &v, NULL, &e),
	    PB_ERR_CONFIG);
	/* Nothing was created. */
	ck_assert_int_eq(count_entries(state, NULL), -1);
	ck_assert_ptr_null(got.p);
	pb_secret_clear(&v);
}
END_TEST

START_TEST(test_store_bad_value)
{
	struct pb_store_key k = key("bv");
	struct pb_secret v = { NULL, 0 };
	struct pb_err e;
	char *big;

	ck_assert_int_eq(pb_secret_dup(&v, "a\0b", 3), PB_OK);
	ck_assert_int_eq(pb_store_save(PB_STORE_FILE, &k, &v, NULL, &e),
	    PB_ERR_FORMAT);
	pb_secret_clear(&v);
	ck_assert_ptr_nonnull(big = malloc(PB_STORE_MAX + 1));
	memset(big, 'a', PB_STORE_MAX + 1);
	ck_assert_int_eq(pb_secret_dup(&v, big, PB_STORE_MAX + 1), PB_OK);
	ck_assert_int_eq(pb_store_save(PB_STORE_FILE, &k, &v, NULL, &e),
	    PB_ERR_TOOBIG);
	ck_assert_int_eq(pb_store_save(PB_STORE_SECRET_SERVICE, &k, &v, NULL,
	    &e), PB_ERR_TOOBIG);
	pb_secret_clear(&v);
	free(big);
	ck_assert_int_eq(count_entries(state, NULL), -1);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("secret_service");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_store_ss_roundtrip);
	tcase_add_test(tc, test_store_ss_attributes);
	tcase_add_test(tc, test_store_ss_profiles);
	tcase_add_test(tc, test_store_ss_overwrite);
	tcase_add_test(tc, test_store_auto_keyring);
	suite_add_tcase(s, tc);

	tc = tcase_create("no_secret_service");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store_auto_fallback);
	tcase_add_test(tc, test_store_ss_absent);
	tcase_add_test(tc, test_store_ss_hung);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_store_file_roundtrip);
	tcase_add_test(tc, test_store_file_profiles);
	tcase_add_test(tc, test_store_file_loose_modes);
	tcase_add_test(tc, test_store_file_home);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_store_bad_profile);
	tcase_add_test(tc, test_store_bad_value);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	argv0 = argv[0];
	if (argc == 4 && strcmp(argv[1], "child") == 0)
		return child_main(argv[2], argv[3]);
	return tu_run(store_suite());
}
