/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "file.h"
#include "secmem.h"

int
pb_file_read_fd(int fd, const char *path, size_t maxlen, unsigned flags,
    char **bufp, size_t *lenp, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int r = PB_ERR_INTERNAL;

	*bufp = NULL;
	*lenp = 0;
	pb_log_path(path, sp, sizeof(sp));
	if (fstat(fd, &st) == -1) {
		r = pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = pb_err_set(e, PB_ERR_IO, "%s is not a regular file", sp);
		goto out;
	}
	/*
	 * Every file we read decides who logs in: one that someone other
	 * than root or us could change is as good as no check at all.
	 */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (st.st_uid != 0 && st.st_uid != geteuid())) {
		r = pb_err_set(e, PB_ERR_IO, "%s must be owned by root (or uid "
		    "%u) and writable by no one else (owner %u, mode %04o)",
		    sp, (unsigned)geteuid(), (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((flags & PB_FILE_PRIVATE) != 0 &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		r = pb_err_set(e, PB_ERR_IO, "%s is accessible by group or "
		    "others (mode %04o): chmod 600 it", sp,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((uintmax_t)st.st_size > maxlen) {
		r = pb_err_set(e, PB_ERR_TOOBIG, "%s is %jd bytes, over the "
		    "limit of %zu", sp, (intmax_t)st.st_size, maxlen);
		goto out;
	}
	/* The size may change under us: read up to maxlen + 1 to notice. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap + 1)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	while (len < cap) {
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = pb_err_set(e, PB_ERR_IO, "cannot read %s: %s", sp,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > maxlen || len == cap) {
		r = pb_err_set(e, PB_ERR_IO, "%s changed while being read",
		    sp);
		goto out;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = PB_OK;
 out:
	if (buf != NULL)
		pb_freezero(buf, cap + 1);
	return r;
}

int
pb_file_read(const char *path, size_t maxlen, unsigned flags, char **bufp,
    size_t *lenp, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	int fd, r;

	*bufp = NULL;
	*lenp = 0;
	/*
	 * O_NONBLOCK so that a FIFO planted at the path cannot hang the
	 * host process (sshd); O_NOFOLLOW is not used: admins symlink
	 * configuration files.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK))
	    == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot open %s: %s",
		    pb_log_path(path, sp, sizeof(sp)), strerror(errno));
	r = pb_file_read_fd(fd, path, maxlen, flags, bufp, lenp, e);
	close(fd);
	return r;
}

/* A duration for a message: "9d 4h", "5h 3m", "42s". */
static void
fmt_age(int64_t secs, char *buf, size_t bufsz)
{
	if (secs >= 86400)
		(void)snprintf(buf, bufsz, "%" PRId64 "d %" PRId64 "h",
		    secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600)
		(void)snprintf(buf, bufsz, "%" PRId64 "h %" PRId64 "m",
		    secs / 3600, secs % 3600 / 60);
	else
		(void)snprintf(buf, bufsz, "%" PRId64 "s", secs);
}

int
pb_file_check_age(const char *path, long max_age, int64_t now,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], sa[32], sm[32];
	struct stat st;
	int64_t age;

	if (max_age <= 0)
		return PB_OK;
	pb_log_path(path, sp, sizeof(sp));
	if (stat(path, &st) == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
	age = now - (int64_t)st.st_mtime;
	if (age <= (int64_t)max_age)
		return PB_OK;
	/*
	 * Keys the IdP withdrew must not stay trusted for ever when the
	 * sync stopped (a proxy, a stuck timer): fail closed, and say how
	 * to fix it.
	 */
	fmt_age(age, sa, sizeof(sa));
	fmt_age(max_age, sm, sizeof(sm));
	return pb_err_set(e, PB_ERR_EXPIRED, "%s was last synced %s ago, "
	    "longer than jwks_max_age (%s): run 'bearer-token fetch-jwks' "
	    "and check pam-bearer-jwks.timer (systemctl status "
	    "pam-bearer-jwks.timer)", sp, sa, sm);
}
