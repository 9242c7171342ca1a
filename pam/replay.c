/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "file.h"
#include "module.h"

/* Entries looked at per login while sweeping expired ones. */
#define SWEEP_MAX	256

/*
 * The entry name: hex SHA-256 of iss, a NUL, and jti.  Hashing keeps
 * attacker-chosen jti values out of the file system namespace ("../",
 * long names) and keeps two issuers' jti spaces apart.
 */
static int
entry_name(const char *iss, const char *jti, char name[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *c;
	int ok;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return PB_ERR_NOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, iss, strlen(iss) + 1) == 1 &&
	    EVP_DigestUpdate(c, jti, strlen(jti)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(c);
	if (!ok)
		return PB_ERR_INTERNAL;
	for (i = 0; i < 32; i++) {
		name[2 * i] = hex[md[i] >> 4];
		name[2 * i + 1] = hex[md[i] & 0xf];
	}
	name[64] = '\0';
	return PB_OK;
}

/* The expiry stored in an entry, or -1 when unreadable. */
static int64_t
entry_expiry(int dfd, const char *name)
{
	char buf[32];
	ssize_t n;
	int fd;
	char *end;
	long long v;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	v = strtoll(buf, &end, 10);
	if (end == buf || v < 0)
		return -1;
	return (int64_t)v;
}

/* Remove a bounded number of expired entries (names of 64 hex digits). */
static void
sweep(int dfd, int64_t now)
{
	struct dirent *de;
	DIR *d;
	int fd, seen = 0;
	int64_t x;

	if ((fd = dup(dfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && seen++ < SWEEP_MAX) {
		if (strlen(de->d_name) != 64 ||
		    strspn(de->d_name, "0123456789abcdef") != 64)
			continue;
		x = entry_expiry(dfd, de->d_name);
		/* An entry still being written reads as -1: keep it. */
		if (x >= 0 && x < now)
			(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

int
pb_replay_check(const char *dir, const char *iss, const char *jti,
    int64_t exp, int64_t now, long leeway, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], name[65], val[32];
	struct stat st;
	int64_t until = exp + leeway, old;
	int dfd = -1, fd = -1, r, tries;
	ssize_t n;
	size_t vlen;

	pb_log_path(dir, sp, sizeof(sp));
	if (jti == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "token has no jti, which "
		    "replay_cache needs");
	if (iss == NULL)
		return pb_err_set(e, PB_ERR_CLAIM, "token has no iss");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return pb_err_set(e, PB_ERR_IO, "replay_cache %s: %s", sp,
		    strerror(errno));
	/* Others able to write here could pre-empt or delete entries. */
	if (fstat(dfd, &st) == -1 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    st.st_uid != geteuid()) {
		r = pb_err_set(e, PB_ERR_IO, "replay_cache %s must be a "
		    "directory owned by uid %u and writable by no one else",
		    sp, (unsigned)geteuid());
		goto out;
	}
	/* And so could those able to swap it through a parent directory. */
	if ((r = pb_file_check_path(dir, &st, e)) != PB_OK)
		goto out;
	if ((r = entry_name(iss, jti, name)) != PB_OK)
		goto out;
	vlen = (size_t)snprintf(val, sizeof(val), "%" PRId64 "\n", until);
	for (tries = 0; tries < 2; tries++) {
		/* O_EXCL: of concurrent logins with one token, one wins. */
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd != -1)
			break;
		if (errno != EEXIST) {
			r = pb_err_set(e, PB_ERR_IO, "replay_cache %s: %s", sp,
			    strerror(errno));
			goto out;
		}
		/*
		 * The entry of an expired token may be replaced once (it
		 * was never swept); otherwise this is a replay.
		 */
		old = entry_expiry(dfd, name);
		if (old < 0 || old >= now || tries > 0 ||
		    unlinkat(dfd, name, 0) == -1) {
			r = pb_err_set(e, PB_ERR_REPLAY, "token (jti '%s') was "
			    "already used", pb_log_safe(jti, sp, sizeof(sp)));
			goto out;
		}
	}
	n = write(fd, val, vlen);
	if (n != (ssize_t)vlen || fsync(fd) == -1) {
		/* The entry exists either way: the token stays used. */
		r = pb_err_set(e, PB_ERR_IO, "replay_cache %s: cannot write: "
		    "%s", sp, strerror(errno));
		goto out;
	}
	sweep(dfd, now);
	r = PB_OK;
 out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	return r;
}
