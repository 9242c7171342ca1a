/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
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

/* Directories between / and a trusted file ------------------------------ */

/* Symbolic links followed in one path at most, as Linux's MAXSYMLINKS. */
#define LINKS_MAX	40

/*
 * Whether a directory may lead to a trusted file: owned by root or us, and
 * writable by no one else, unless it is root's and sticky (/tmp), where
 * others can add names but not remove or rename ours.
 */
static int
dir_trusted(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return 0;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 1;
	return (st->st_mode & S_ISVTX) != 0 && st->st_uid == 0;
}

static int
bad_dir(const char *path, const char *dir, const struct stat *st,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], sd[PB_PATH_BUFSZ];

	return pb_err_set(e, PB_ERR_IO, "%s: directory %s (owner %u, mode "
	    "%04o) must be owned by root (or uid %u) and writable by no one "
	    "else, or be sticky and owned by root: anyone who can write to it "
	    "can replace the file", pb_log_path(path, sp, sizeof(sp)),
	    pb_log_path(dir, sd, sizeof(sd)), (unsigned)st->st_uid,
	    (unsigned)(st->st_mode & 07777), (unsigned)geteuid());
}

/*
 * A path being resolved: cur is a checked directory (no links in it), dst
 * its stat, p the names still to look up (in rest or in the caller's path).
 */
struct walk {
	const char	*path;		/* as given, for messages */
	char		 cur[PATH_MAX];
	char		 rest[PATH_MAX];
	const char	*p;
	struct stat	 dst;
	int		 links;
};

static int
too_long(const struct walk *w, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];

	return pb_err_set(e, PB_ERR_IO, "%s: path too long",
	    pb_log_path(w->path, sp, sizeof(sp)));
}

/* Make dir the current directory of the walk, with its stat. */
static int
walk_to(struct walk *w, const char *dir, struct pb_err *e)
{
	char sd[PB_PATH_BUFSZ];

	if (dir != w->cur && snprintf(w->cur, sizeof(w->cur), "%s", dir) >=
	    (int)sizeof(w->cur))
		return too_long(w, e);
	if (stat(w->cur, &w->dst) == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s",
		    pb_log_path(w->cur, sd, sizeof(sd)), strerror(errno));
	return PB_OK;
}

/* Replace the link at next (lstat st) by its text, ahead of what is left. */
static int
walk_link(struct walk *w, const char *next, const struct stat *st,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], sn[PB_PATH_BUFSZ], link[PATH_MAX];
	char both[PATH_MAX];
	ssize_t ll;

	pb_log_path(w->path, sp, sizeof(sp));
	pb_log_path(next, sn, sizeof(sn));
	if (++w->links > LINKS_MAX)
		return pb_err_set(e, PB_ERR_IO, "%s: too many symbolic links",
		    sp);
	/* In root's sticky directory anyone may plant a link: only ours. */
	if ((w->dst.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    st->st_uid != 0 && st->st_uid != geteuid())
		return pb_err_set(e, PB_ERR_IO, "%s: symbolic link %s in a "
		    "directory others can write belongs to uid %u", sp, sn,
		    (unsigned)st->st_uid);
	if ((ll = readlink(next, link, sizeof(link) - 1)) == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot read link %s: %s", sn,
		    strerror(errno));
	link[ll] = '\0';
	if (snprintf(both, sizeof(both), "%s/%s", link, w->p) >=
	    (int)sizeof(both))
		return too_long(w, e);
	memcpy(w->rest, both, strlen(both) + 1);
	w->p = w->rest;
	/* A relative link goes on from the directory that holds it. */
	return link[0] == '/' ? walk_to(w, "/", e) : PB_OK;
}

/* The directory above cur: cur holds no links, so it is the lexical one. */
static int
walk_up(struct walk *w, struct pb_err *e)
{
	char *sl;

	if ((sl = strrchr(w->cur, '/')) != NULL)
		sl[sl == w->cur ? 1 : 0] = '\0';
	return walk_to(w, w->cur, e);
}

/*
 * Start the walk of path at /, checked; a relative path is walked from /
 * through the working directory (read into cur, which walk_to() then
 * resets to "/").
 */
static int
walk_start(struct walk *w, const char *path, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	int r;

	w->path = path;
	/* Relative to the working directory: walk that from / as well. */
	if (path[0] != '/' && getcwd(w->cur, sizeof(w->cur)) == NULL)
		return pb_err_set(e, PB_ERR_IO, "%s: cannot get the working "
		    "directory: %s", pb_log_path(path, sp, sizeof(sp)),
		    strerror(errno));
	if (snprintf(w->rest, sizeof(w->rest), "%s/%s", path[0] != '/' ?
	    w->cur : "", path) >= (int)sizeof(w->rest))
		return too_long(w, e);
	w->p = w->rest;
	if ((r = walk_to(w, "/", e)) != PB_OK)
		return r;
	if (!dir_trusted(&w->dst))
		return bad_dir(path, "/", &w->dst, e);
	return PB_OK;
}

/*
 * Look up the name c (n bytes, not "." or "..") in cur: next becomes its
 * path and *st its lstat.  A symbolic link is replaced by its text ahead
 * of what is left (walk_link()), and *st is still the link's.
 */
static int
walk_name(struct walk *w, const char *c, size_t n, char next[PATH_MAX],
    struct stat *st, struct pb_err *e)
{
	char sc[PB_PATH_BUFSZ];
	size_t len = strlen(w->cur);

	if (len + 1 + n >= PATH_MAX)
		return too_long(w, e);
	memcpy(next, w->cur, len);
	if (len > 1)
		next[len++] = '/';
	memcpy(next + len, c, n);
	next[len + n] = '\0';
	if (lstat(next, st) == -1)
		return pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s",
		    pb_log_path(next, sc, sizeof(sc)), strerror(errno));
	if (S_ISLNK(st->st_mode))
		return walk_link(w, next, st, e);
	return PB_OK;
}

int
pb_file_check_path(const char *path, const struct stat *want,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], sc[PB_PATH_BUFSZ], next[PATH_MAX];
	struct walk *w;
	struct stat st;
	const char *c;
	size_t n;
	int r;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return PB_ERR_NOMEM;
	pb_log_path(path, sp, sizeof(sp));
	if ((r = walk_start(w, path, e)) != PB_OK)
		goto out;
	/*
	 * Resolve the path one name at a time, as the kernel does, and
	 * check every directory a name is looked up in before trusting
	 * what it holds (OpenSSH's safe_path() idea, with our own
	 * resolution so that a link's own directory counts as well as the
	 * directories of its target).
	 */
	st = w->dst;
	for (;;) {
		w->p += strspn(w->p, "/");
		if (*w->p == '\0')
			break;		/* cur itself is the object */
		c = w->p;
		n = strcspn(c, "/");
		w->p = c + n;
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if ((r = walk_up(w, e)) != PB_OK)
				goto out;
			st = w->dst;
			continue;
		}
		if ((r = walk_name(w, c, n, next, &st, e)) != PB_OK)
			goto out;
		if (S_ISLNK(st.st_mode)) {
			st = w->dst;	/* walk_name() followed it */
			continue;
		}
		w->p += strspn(w->p, "/");
		if (*w->p == '\0')
			break;		/* next is the object */
		if (!S_ISDIR(st.st_mode)) {
			r = pb_err_set(e, PB_ERR_IO, "%s: %s is not a "
			    "directory", sp, pb_log_path(next, sc, sizeof(sc)));
			goto out;
		}
		if (!dir_trusted(&st)) {
			r = bad_dir(path, next, &st, e);
			goto out;
		}
		memcpy(w->cur, next, strlen(next) + 1);
		w->dst = st;
	}
	/* What was checked must be what the caller opened. */
	r = PB_OK;
	if (want != NULL && (st.st_dev != want->st_dev ||
	    st.st_ino != want->st_ino))
		r = pb_err_set(e, PB_ERR_IO, "%s changed while being checked",
		    sp);
 out:
	free(w);
	return r;
}

int
pb_file_read(const char *path, size_t maxlen, unsigned flags, char **bufp,
    size_t *lenp, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct stat st;
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
	/*
	 * The file is only as safe as the directories that lead to it: a
	 * group-writable /var/lib/pam_bearer lets its group swap jwks.json
	 * for a link to any root-owned file.
	 */
	if (fstat(fd, &st) == -1)
		r = pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s",
		    pb_log_path(path, sp, sizeof(sp)), strerror(errno));
	else
		r = pb_file_check_path(path, &st, e);
	if (r != PB_OK) {
		close(fd);
		return r;
	}
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
	/*
	 * An mtime ahead of now (a clock that was wrong when the file was
	 * written, a "touch -d" by hand) would count as fresh until that
	 * day comes, however long the sync has been stopped.  A few
	 * minutes of skew between hosts are fine; more is not a sync.
	 */
	if (age < -PB_FILE_MTIME_SKEW) {
		fmt_age(-age, sa, sizeof(sa));
		return pb_err_set(e, PB_ERR_EXPIRED, "%s has its mtime (its "
		    "last sync) %s in the future, so its age is unknown: "
		    "check the clock, then run 'bearer-token fetch-jwks' "
		    "(it sets the mtime at every sync)", sp, sa);
	}
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
