/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/cli/privdir.c: private directories, atomic private files and the
 * locks, in a temp directory made for each test.  The refusals (a looser
 * mode, a symlink, a file that is not regular) are the point of the unit:
 * each is made on disk and must be refused, and what was there left alone.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "privdir.h"
#include "secmem.h"

static char base[] = "/tmp/pb-privdir-XXXXXX";
static char paths[2][4096];	/* at() alternates: two per call */
static struct pb_privdir d;
static struct pb_err e;

/* Test plumbing --------------------------------------------------------- */

/* base/rel; the last two results stay valid (symlink(at(a), at(b))). */
static const char *
at(const char *rel)
{
	static int i;

	i = !i;
	(void)snprintf(paths[i], sizeof(paths[i]), "%s/%s", base, rel);
	return paths[i];
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	(void)chmod(p, 0700);	/* only for directories; harmless else */
	return remove(p) == 0 || errno == ENOENT ? 0 : -1;
}

static void
setup(void)
{
	/* A fresh name for each test. */
	(void)snprintf(base, sizeof(base), "%s", "/tmp/pb-privdir-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	d.path = NULL;
	d.fd = -1;
	pb_err_clear(&e);
}

static void
teardown(void)
{
	pb_privdir_close(&d);
	(void)nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static unsigned
mode_of(const char *p)
{
	struct stat st;

	ck_assert_int_eq(lstat(p, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

static void
put_file(const char *p, const char *text, unsigned mode)
{
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(p, (mode_t)mode), 0);
}

/* The contents of p (at most 255 bytes), read with plain libc. */
static const char *
contents(const char *p)
{
	static char buf[256];
	ssize_t n;
	int fd;

	ck_assert_int_ne(fd = open(p, O_RDONLY), -1);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* Entries in dir besides . and .. */
static int
entries(const char *dir)
{
	struct dirent *de;
	DIR *dp;
	int n = 0;

	ck_assert_ptr_nonnull(dp = opendir(dir));
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..")
		    != 0)
			n++;
	closedir(dp);
	return n;
}

/* A private directory "p" in base, opened into d. */
static void
open_p(void)
{
	ck_assert_int_eq(pb_privdir_open(&d, at("p"), PB_PRIVDIR_CREATE, &e),
	    PB_OK);
}

/* Paths ------------------------------------------------------------------ */

START_TEST(test_privdir_state_path)
{
	char *p = NULL;

	ck_assert_int_eq(setenv("XDG_STATE_HOME", "/x/state", 1), 0);
	ck_assert_int_eq(pb_privdir_state_path(&p, &e), PB_OK);
	ck_assert_str_eq(p, "/x/state/bearer-token");
	free(p);
	/* A relative XDG_STATE_HOME is ignored (XDG spec). */
	ck_assert_int_eq(setenv("XDG_STATE_HOME", "rel", 1), 0);
	ck_assert_int_eq(setenv("HOME", "/home/u", 1), 0);
	ck_assert_int_eq(pb_privdir_state_path(&p, &e), PB_OK);
	ck_assert_str_eq(p, "/home/u/.local/state/bearer-token");
	free(p);
	ck_assert_int_eq(unsetenv("XDG_STATE_HOME"), 0);
	ck_assert_int_eq(setenv("HOME", "home", 1), 0);
	ck_assert_int_eq(pb_privdir_state_path(&p, &e), PB_ERR_IO);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_privdir_runtime_path)
{
	char *p = NULL;

	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", base, 1), 0);
	ck_assert_int_eq(pb_privdir_runtime_path(&p, &e), PB_OK);
	ck_assert_str_eq(p, at("bearer-token"));
	free(p);
}
END_TEST

/*
 * The XDG spec: an XDG_RUNTIME_DIR that is not a 0700 directory of ours
 * (the caller's, kept by "su alice"; one that is gone) is not used.
 */
START_TEST(test_privdir_runtime_path_not_ours)
{
	char *p = NULL;

	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", at("nosuch"), 1), 0);
	ck_assert_int_eq(pb_privdir_runtime_path(&p, &e), PB_ERR_NOTFOUND);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(chmod(base, 0755), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", base, 1), 0);
	ck_assert_int_eq(pb_privdir_runtime_path(&p, &e), PB_ERR_NOTFOUND);
	ck_assert(strstr(pb_err_msg(&e), "XDG_RUNTIME_DIR") != NULL);
	ck_assert_int_eq(chmod(base, 0700), 0);
	ck_assert_int_eq(mkdir(at("f"), 0700), 0);
	ck_assert_int_eq(symlink(at("f"), at("l")), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", at("l"), 1), 0);
	ck_assert_int_eq(pb_privdir_runtime_path(&p, &e), PB_ERR_NOTFOUND);
	ck_assert_int_eq(unlink(at("l")), 0);
	ck_assert_int_eq(rmdir(at("f")), 0);
}
END_TEST

/* Directories ------------------------------------------------------------ */

/* mkdir -p with 0700 for every directory made. */
START_TEST(test_privdir_create)
{
	ck_assert_int_eq(pb_privdir_open(&d, at("a/b/c"), PB_PRIVDIR_CREATE,
	    &e), PB_OK);
	ck_assert_int_ne(d.fd, -1);
	ck_assert_str_eq(d.path, at("a/b/c"));
	ck_assert_uint_eq(mode_of(at("a")), 0700);
	ck_assert_uint_eq(mode_of(at("a/b")), 0700);
	ck_assert_uint_eq(mode_of(at("a/b/c")), 0700);
	pb_privdir_close(&d);
	ck_assert_int_eq(d.fd, -1);
	ck_assert_ptr_null(d.path);
	pb_privdir_close(&d);		/* idempotent */
	/* Open again, existing now, without create. */
	ck_assert_int_eq(pb_privdir_open(&d, at("a/b/c"), 0, &e), PB_OK);
}
END_TEST

/* CREATE_LAST makes the last component only. */
START_TEST(test_privdir_create_last)
{
	ck_assert_int_eq(pb_privdir_open(&d, at("m/n"),
	    PB_PRIVDIR_CREATE_LAST, &e), PB_ERR_IO);
	ck_assert_int_eq(d.fd, -1);
	pb_privdir_close(&d);
	ck_assert_int_eq(access(at("m"), F_OK), -1);
	ck_assert_int_eq(pb_privdir_open(&d, at("n"), PB_PRIVDIR_CREATE_LAST,
	    &e), PB_OK);
	ck_assert_uint_eq(mode_of(at("n")), 0700);
}
END_TEST

START_TEST(test_privdir_missing)
{
	ck_assert_int_eq(pb_privdir_open(&d, at("none"), 0, &e),
	    PB_ERR_NOTFOUND);
	ck_assert_int_eq(d.fd, -1);
	ck_assert_int_eq(access(at("none"), F_OK), -1);
}
END_TEST

/* A directory others may enter or read is refused, and left as it is. */
START_TEST(test_privdir_loose_mode)
{
	static const unsigned modes[] = { 0755, 0710, 0701, 0770, 0707 };
	size_t i;

	ck_assert_int_eq(mkdir(at("w"), 0700), 0);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(at("w"), (mode_t)modes[i]), 0);
		ck_assert_int_eq(pb_privdir_open(&d, at("w"),
		    PB_PRIVDIR_CREATE, &e), PB_ERR_IO);
		ck_assert_int_eq(d.fd, -1);
		ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "mode 0700"));
		pb_privdir_close(&d);
		ck_assert_uint_eq(mode_of(at("w")), modes[i]);
	}
}
END_TEST

/* A symlink to a good private directory is still refused. */
START_TEST(test_privdir_symlink)
{
	ck_assert_int_eq(mkdir(at("real"), 0700), 0);
	ck_assert_int_eq(symlink(at("real"), at("link")), 0);
	ck_assert_int_eq(pb_privdir_open(&d, at("link"), PB_PRIVDIR_CREATE,
	    &e), PB_ERR_IO);
	ck_assert_int_eq(d.fd, -1);
}
END_TEST

START_TEST(test_privdir_not_dir)
{
	put_file(at("f"), "x", 0600);
	ck_assert_int_eq(pb_privdir_open(&d, at("f"), 0, &e), PB_ERR_IO);
	ck_assert_int_eq(d.fd, -1);
}
END_TEST

/* PUBLIC: others may read, no one else may write. */
START_TEST(test_privdir_public)
{
	ck_assert_int_eq(mkdir(at("pub"), 0755), 0);
	ck_assert_int_eq(chmod(at("pub"), 0755), 0);
	ck_assert_int_eq(pb_privdir_open(&d, at("pub"), PB_PRIVDIR_PUBLIC,
	    &e), PB_OK);
	pb_privdir_close(&d);
	ck_assert_int_eq(chmod(at("pub"), 0775), 0);
	ck_assert_int_eq(pb_privdir_open(&d, at("pub"), PB_PRIVDIR_PUBLIC,
	    &e), PB_ERR_IO);
	pb_privdir_close(&d);
	/* Without the flag, 0755 is too loose. */
	ck_assert_int_eq(chmod(at("pub"), 0755), 0);
	ck_assert_int_eq(pb_privdir_open(&d, at("pub"), 0, &e), PB_ERR_IO);
}
END_TEST

/* Files ------------------------------------------------------------------ */

START_TEST(test_privdir_write)
{
	open_p();
	ck_assert_int_eq(pb_privdir_write(&d, "f.json", "first", 5, &e),
	    PB_OK);
	ck_assert_uint_eq(mode_of(at("p/f.json")), 0600);
	ck_assert_str_eq(contents(at("p/f.json")), "first");
	/* Replaced, not appended; no temp file left behind. */
	ck_assert_int_eq(pb_privdir_write(&d, "f.json", "2nd", 3, &e), PB_OK);
	ck_assert_str_eq(contents(at("p/f.json")), "2nd");
	ck_assert_int_eq(entries(at("p")), 1);
	/* Only len bytes. */
	ck_assert_int_eq(pb_privdir_write(&d, "g", "abcdef", 2, &e), PB_OK);
	ck_assert_str_eq(contents(at("p/g")), "ab");
	ck_assert_uint_eq(mode_of(at("p/g")), 0600);
}
END_TEST

/* A file there that is not a private file of ours stays as it is. */
START_TEST(test_privdir_write_refused)
{
	open_p();
	put_file(at("p/loose"), "old", 0644);
	ck_assert_int_eq(pb_privdir_write(&d, "loose", "new", 3, &e),
	    PB_ERR_IO);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "mode 0600"));
	ck_assert_str_eq(contents(at("p/loose")), "old");
	ck_assert_uint_eq(mode_of(at("p/loose")), 0644);

	put_file(at("target"), "outside", 0600);
	ck_assert_int_eq(symlink(at("target"), at("p/link")), 0);
	ck_assert_int_eq(pb_privdir_write(&d, "link", "new", 3, &e),
	    PB_ERR_IO);
	ck_assert_str_eq(contents(at("target")), "outside");
	ck_assert_int_eq(entries(at("p")), 2);
}
END_TEST

/* write_mode: a file others may read, for the JWK Set. */
START_TEST(test_privdir_write_mode)
{
	ck_assert_int_eq(mkdir(at("pub"), 0755), 0);
	ck_assert_int_eq(chmod(at("pub"), 0755), 0);
	ck_assert_int_eq(pb_privdir_open(&d, at("pub"), PB_PRIVDIR_PUBLIC,
	    &e), PB_OK);
	ck_assert_int_eq(pb_privdir_write_mode(&d, "jwks.json", "{}", 2, 0644,
	    &e), PB_OK);
	ck_assert_uint_eq(mode_of(at("pub/jwks.json")), 0644);
	ck_assert_str_eq(contents(at("pub/jwks.json")), "{}");
	ck_assert_int_eq(chmod(at("pub/jwks.json"), 0666), 0);
	ck_assert_int_eq(pb_privdir_write_mode(&d, "jwks.json", "[]", 2, 0644,
	    &e), PB_ERR_IO);
	ck_assert_str_eq(contents(at("pub/jwks.json")), "{}");
}
END_TEST

START_TEST(test_privdir_read)
{
	struct pb_secret v = { NULL, 0 };

	open_p();
	ck_assert_int_eq(pb_privdir_write(&d, "f", "0123456789", 10, &e),
	    PB_OK);
	ck_assert_int_eq(pb_privdir_read(&d, "f", 10, &v, &e), PB_OK);
	ck_assert_uint_eq(v.len, 10);
	ck_assert_str_eq(v.p, "0123456789");	/* NUL-terminated */
	pb_secret_clear(&v);
	ck_assert_int_eq(pb_privdir_read(&d, "f", 9, &v, &e), PB_ERR_TOOBIG);
	ck_assert_ptr_null(v.p);
	ck_assert_int_eq(pb_privdir_read(&d, "none", 100, &v, &e),
	    PB_ERR_NOTFOUND);
	ck_assert_ptr_null(v.p);
}
END_TEST

START_TEST(test_privdir_read_refused)
{
	struct pb_secret v = { NULL, 0 };

	open_p();
	put_file(at("p/loose"), "old", 0640);
	ck_assert_int_eq(pb_privdir_read(&d, "loose", 100, &v, &e),
	    PB_ERR_IO);
	ck_assert_ptr_null(v.p);
	put_file(at("target"), "outside", 0600);
	ck_assert_int_eq(symlink(at("target"), at("p/link")), 0);
	ck_assert_int_eq(pb_privdir_read(&d, "link", 100, &v, &e), PB_ERR_IO);
	ck_assert_ptr_null(v.p);
	ck_assert_int_eq(mkdir(at("p/sub"), 0700), 0);
	ck_assert_int_eq(pb_privdir_read(&d, "sub", 100, &v, &e), PB_ERR_IO);
	ck_assert_ptr_null(v.p);
}
END_TEST

START_TEST(test_privdir_remove)
{
	open_p();
	ck_assert_int_eq(pb_privdir_write(&d, "f", "x", 1, &e), PB_OK);
	ck_assert_int_eq(pb_privdir_remove(&d, "f", &e), PB_OK);
	ck_assert_int_eq(access(at("p/f"), F_OK), -1);
	ck_assert_int_eq(pb_privdir_remove(&d, "f", &e), PB_ERR_NOTFOUND);
}
END_TEST

/* Locks ------------------------------------------------------------------ */

/* flock(2) locks an open file description: a second open of the lock in
 * this process contends as another process would. */
START_TEST(test_privdir_lock)
{
	int fd1 = -1, fd2 = -1;

	open_p();
	ck_assert_int_eq(pb_privdir_lock(&d, "x.lock", 0, &fd1, &e), PB_OK);
	ck_assert_int_ne(fd1, -1);
	ck_assert_uint_eq(mode_of(at("p/x.lock")), 0600);
	ck_assert_int_eq(pb_privdir_lock(&d, "x.lock", 50, &fd2, &e),
	    PB_ERR_IO);
	ck_assert_int_eq(fd2, -1);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "held the lock"));
	/* Another name is another lock. */
	ck_assert_int_eq(pb_privdir_lock(&d, "y.lock", 0, &fd2, &e), PB_OK);
	close(fd2);
	fd2 = -1;
	close(fd1);
	ck_assert_int_eq(pb_privdir_lock(&d, "x.lock", 0, &fd2, &e), PB_OK);
	ck_assert_int_ne(fd2, -1);
	close(fd2);
}
END_TEST

START_TEST(test_privdir_lock_refused)
{
	int fd = -1;

	open_p();
	put_file(at("p/x.lock"), "", 0644);
	ck_assert_int_eq(pb_privdir_lock(&d, "x.lock", 0, &fd, &e),
	    PB_ERR_IO);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(symlink(at("p/x.lock"), at("p/l.lock")), 0);
	ck_assert_int_eq(pb_privdir_lock(&d, "l.lock", 0, &fd, &e),
	    PB_ERR_IO);
	ck_assert_int_eq(fd, -1);
}
END_TEST

static Suite *
privdir_suite(void)
{
	Suite *s = suite_create("privdir");
	TCase *tc;

	tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_privdir_state_path);
	tcase_add_test(tc, test_privdir_runtime_path);
	tcase_add_test(tc, test_privdir_runtime_path_not_ours);
	suite_add_tcase(s, tc);

	tc = tcase_create("dir");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_privdir_create);
	tcase_add_test(tc, test_privdir_create_last);
	tcase_add_test(tc, test_privdir_missing);
	tcase_add_test(tc, test_privdir_loose_mode);
	tcase_add_test(tc, test_privdir_symlink);
	tcase_add_test(tc, test_privdir_not_dir);
	tcase_add_test(tc, test_privdir_public);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_privdir_write);
	tcase_add_test(tc, test_privdir_write_refused);
	tcase_add_test(tc, test_privdir_write_mode);
	tcase_add_test(tc, test_privdir_read);
	tcase_add_test(tc, test_privdir_read_refused);
	tcase_add_test(tc, test_privdir_remove);
	suite_add_tcase(s, tc);

	tc = tcase_create("lock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_privdir_lock);
	tcase_add_test(tc, test_privdir_lock_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(privdir_suite());
}
