/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "err.h"
#include "file.h"
#include "module.h"
#include "parse.h"

/*
 * Layout of the replay_cache directory:
 *
 *   00/ .. ff/		shards, named after the first byte of the entry name
 *   ab/<64 hex>	an entry: "exp + leeway\n", created complete (below)
 *   ab/tmp.<16 hex>	an entry being written; debris if a login died
 *   sweep		where the sweep stopped; also the lock (flock) that
 *			every removal of an entry holds
 *   <64 hex>		an entry of the flat layout of 0.1.0, honoured and
 *			swept as the 257th shard
 *
 * An entry is written to a temp name and then linked to its name, so
 * other logins see it complete or not at all, and a full disk leaves no
 * entry that would block its token.  link() fails when the name exists,
 * so of concurrent logins with one token exactly one wins, as O_EXCL did.
 * One fsync() of the file after link() makes the entry durable before the
 * login succeeds (with ext4, XFS and btrfs it commits the data, the inode
 * and the new name together), as the single write of 0.1.0 did; where a
 * crash could still leave a name without its content, that entry has no
 * valid expiry and is debris after STALE_AGE (entry_state()).
 */
#define SHARDS		256	/* 00..ff; index SHARDS is the top level */
#define SWEEP_DIRS	16	/* directories listed per login, at most */
#define SWEEP_MAX	256	/* names looked at per login, at most */
#define STALE_AGE	3600	/* seconds before debris may go (see below) */
#define LOCK_WAIT_MS	2000	/* for the lock, when replacing an entry */
#define CURSOR		"sweep"
#define TMP_PFX		"tmp."
#define TMP_LEN		20	/* "tmp." and 16 hex digits */
/* The largest expiry read back: an int64_t, or less where long is short. */
#define UNTIL_MAX	(ULONG_MAX > INT64_MAX ? (unsigned long)INT64_MAX : \
			    ULONG_MAX)

enum { E_GONE = -1, E_LIVE = 0, E_DEAD = 1 };

struct name {
	char	s[65];
};

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

static int
is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static int
hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

static int
is_tmp(const char *s)
{
	return strncmp(s, TMP_PFX, 4) == 0 && is_hex(s + 4, TMP_LEN - 4);
}

/* Debris: modified more than STALE_AGE seconds ago. */
static int
stale(const struct stat *st, int64_t now)
{
	return (int64_t)st->st_mtime < now - STALE_AGE;
}

/*
 * Whether an entry still counts: E_LIVE until its expiry, E_DEAD after,
 * E_GONE when it is not there.  An entry without a valid expiry cannot
 * come from this code (see the layout above); it is an interrupted write
 * of 0.1.0 or a damaged file.  While it is fresh it may be a write in
 * progress, so it counts as used (fail closed); after STALE_AGE, far
 * longer than any write, it is debris.  Anything unreadable is live.
 */
static int
entry_state(int dfd, const char *name, int64_t now)
{
	char buf[32];
	struct stat st;
	ssize_t n;
	unsigned long v;
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return errno == ENOENT ? E_GONE : E_LIVE;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return E_LIVE;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	/* "until\n" as write_tmp() writes it, until at most INT64_MAX. */
	if (n > 1 && buf[n - 1] == '\n' && pb_parse_ulong_n(buf, (size_t)n - 1,
	    0, UNTIL_MAX, &v) == PB_OK)
		return now > 0 && (uint64_t)v < (uint64_t)now ? E_DEAD :
		    E_LIVE;
	return stale(&st, now) ? E_DEAD : E_LIVE;
}

/* The lock file, which also holds the sweep cursor. */
static int
lock_open(int dfd)
{
	return openat(dfd, CURSOR, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
}

/* Take the lock; wait up to LOCK_WAIT_MS when asked to.  0 or -1. */
static int
lock_take(int lfd, int wait)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < LOCK_WAIT_MS / 10; i++) {
		if (flock(lfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK || !wait)
			return -1;
		(void)nanosleep(&ts, NULL);
	}
	return -1;
}

/*
 * Open shard i (the top level for SHARDS); make it when asked to.  A shard
 * must be as private as the cache itself (a directory of the euid that
 * no group or other may write), or anyone able to write in it could delete
 * entries (replaying their tokens) or plant them: -1 with errno EPERM.
 */
static int
shard_open(int dfd, unsigned i, int make, int *made)
{
	struct stat st;
	char sn[4];
	int fd;

	if (i >= SHARDS)
		return openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	(void)snprintf(sn, sizeof(sn), "%02x", i);
	if (make && mkdirat(dfd, sn, 0700) == 0 && made != NULL)
		*made = 1;
	if ((fd = openat(dfd, sn, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* A max-heap of the smallest names seen, for sweeping in name order. */
static void
heap_add(struct name *h, size_t *n, size_t cap, const char *s)
{
	struct name t;
	size_t i, c, l = strlen(s);

	if (l >= sizeof(t.s))
		return;
	if (*n == cap) {
		if (strcmp(s, h[0].s) >= 0)
			return;
		/* Replace the largest, then sift it down. */
		memcpy(h[0].s, s, l + 1);
		for (i = 0; (c = 2 * i + 1) < *n; i = c) {
			if (c + 1 < *n && strcmp(h[c + 1].s, h[c].s) > 0)
				c++;
			if (strcmp(h[c].s, h[i].s) <= 0)
				break;
			t = h[c], h[c] = h[i], h[i] = t;
		}
		return;
	}
	i = (*n)++;
	memcpy(h[i].s, s, l + 1);
	for (; i > 0 && strcmp(h[(i - 1) / 2].s, h[i].s) < 0; i = (i - 1) / 2) {
		t = h[(i - 1) / 2], h[(i - 1) / 2] = h[i], h[i] = t;
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name *)a)->s, ((const struct name *)b)->s);
}

/*
 * Sweep one directory in name order from the name after *last, looking
 * at no more than *budget names: expired entries and debris go.  The
 * listing is read whole (a shard holds about 1/256 of the entries); the
 * files opened are bounded.  Returns 1 when the directory is done, 0 when
 * the budget ran out (*last is then the last name looked at).
 */
static int
sweep_dir(int sfd, int top, struct name *h, char last[65], int *budget,
    int64_t now)
{
	struct dirent *de;
	struct stat st;
	size_t n = 0, more = 0, i;
	DIR *d;
	int fd;

	if ((fd = dup(sfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_hex(de->d_name, 64) && (top || !is_tmp(de->d_name)))
			continue;
		if (strcmp(de->d_name, last) <= 0)
			continue;
		if (n == (size_t)*budget)
			more = 1;
		heap_add(h, &n, (size_t)*budget, de->d_name);
	}
	closedir(d);
	qsort(h, n, sizeof(*h), name_cmp);
	for (i = 0; i < n; i++) {
		if (is_tmp(h[i].s)) {
			if (fstatat(sfd, h[i].s, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && stale(&st, now))
				(void)unlinkat(sfd, h[i].s, 0);
		} else if (entry_state(sfd, h[i].s, now) == E_DEAD)
			(void)unlinkat(sfd, h[i].s, 0);
	}
	*budget -= (int)n;
	if (more && n > 0) {
		memcpy(last, h[n - 1].s, sizeof(h[0].s));
		return 0;
	}
	return 1;
}

/*
 * Remove expired entries and debris, bounded per login (SWEEP_DIRS
 * directories, SWEEP_MAX names) and resuming where the last sweep
 * stopped, so that every entry is reached over successive logins
 * whatever the others hold.  One login sweeps at a time; the others skip.
 */
static void
sweep(int dfd, int lfd, int64_t now)
{
	struct name *h = NULL;
	char cur[80], last[65] = "", *end;
	unsigned long ul;
	unsigned idx = 0;
	int budget = SWEEP_MAX, dirs, sfd, len;
	ssize_t n;
	size_t l;

	if (lock_take(lfd, 0) == -1 ||
	    (h = calloc(SWEEP_MAX, sizeof(*h))) == NULL)
		goto out;
	/* "IDX NAME\n" (NAME "-" for none): a damaged one restarts. */
	if ((n = pread(lfd, cur, sizeof(cur) - 1, 0)) > 0) {
		cur[n] = '\0';
		errno = 0;
		ul = strtoul(cur, &end, 16);
		if (errno == 0 && end != cur && *end == ' ' && ul <= SHARDS &&
		    (l = strcspn(end + 1, "\n")) < sizeof(last)) {
			idx = (unsigned)ul;
			memcpy(last, end + 1, l);
			last[l] = '\0';
			if (strcmp(last, "-") == 0)
				last[0] = '\0';
		}
	}
	for (dirs = 0; dirs < SWEEP_DIRS && budget > 0; dirs++) {
		sfd = shard_open(dfd, idx, 0, NULL);
		if (sfd != -1 && !sweep_dir(sfd, idx == SHARDS, h, last,
		    &budget, now)) {
			close(sfd);
			break;
		}
		if (sfd != -1)
			close(sfd);
		idx = (idx + 1) % (SHARDS + 1);
		last[0] = '\0';
	}
	len = snprintf(cur, sizeof(cur), "%x %s\n", idx,
	    last[0] != '\0' ? last : "-");
	if (pwrite(lfd, cur, (size_t)len, 0) != len || ftruncate(lfd, len) != 0)
		idx = 0;	/* the next sweep starts over: harmless */
 out:
	free(h);
	(void)flock(lfd, LOCK_UN);
}

/*
 * Write the expiry to a new temp file in sfd, named in tmp, left open in
 * *fdp for the fsync() after link().
 */
static int
write_tmp(int sfd, int64_t until, char tmp[TMP_LEN + 1], int *fdp, int *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[(TMP_LEN - 4) / 2];
	char val[32];
	size_t vlen, i;
	int fd, r = PB_ERR_IO;

	*err = EIO;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return PB_ERR_IO;
	memcpy(tmp, TMP_PFX, 4);
	for (i = 0; i < sizeof(rnd); i++) {
		tmp[4 + 2 * i] = hex[rnd[i] >> 4];
		tmp[5 + 2 * i] = hex[rnd[i] & 0xf];
	}
	tmp[TMP_LEN] = '\0';
	vlen = (size_t)snprintf(val, sizeof(val), "%" PRId64 "\n", until);
	if ((fd = openat(sfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		*err = errno;
		tmp[0] = '\0';
		return PB_ERR_IO;
	}
	errno = ENOSPC;		/* what a short write means */
	if (write(fd, val, vlen) == (ssize_t)vlen) {
		*fdp = fd;
		*err = 0;
		return PB_OK;
	}
	*err = errno;
	close(fd);
	(void)unlinkat(sfd, tmp, 0);
	tmp[0] = '\0';
	return r;
}

/*
 * Link tmp to name in sfd: PB_OK when this login made the entry,
 * PB_ERR_REPLAY when a live one is there.  A dead entry (expired, or
 * debris) is replaced, holding the lock: removals happen only under it
 * and creation only by link(), so the entry read under the lock is the
 * one removed, and of several logins replacing it one wins.
 */
static int
link_entry(int sfd, int lfd, const char *tmp, const char *name, int64_t now)
{
	int tries, st, r;

	for (tries = 0; tries < 3; tries++) {
		if (linkat(sfd, tmp, sfd, name, 0) == 0)
			return PB_OK;
		if (errno != EEXIST)
			return PB_ERR_IO;
		if ((st = entry_state(sfd, name, now)) == E_LIVE)
			return PB_ERR_REPLAY;
		if (st == E_GONE)
			continue;		/* swept meanwhile */
		if (lock_take(lfd, 1) == -1) {
			errno = EBUSY;	/* a sweep is stuck: fail closed */
			return PB_ERR_IO;
		}
		st = entry_state(sfd, name, now);
		r = PB_ERR_REPLAY;
		if (st != E_LIVE && (st == E_GONE ||
		    unlinkat(sfd, name, 0) == 0))
			r = linkat(sfd, tmp, sfd, name, 0) == 0 ? PB_OK :
			    errno == EEXIST ? PB_ERR_REPLAY : PB_ERR_IO;
		(void)flock(lfd, LOCK_UN);
		return r;
	}
	return PB_ERR_REPLAY;
}

int
pb_replay_check(const char *dir, const char *iss, const char *jti,
    int64_t exp, int64_t now, long leeway, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], name[65], tmp[TMP_LEN + 1] = "";
	struct stat st;
	unsigned shard;
	int dfd = -1, sfd = -1, lfd = -1, fd = -1, made = 0, err = 0, r;

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
	shard = (unsigned)(hexval(name[0]) << 4 | hexval(name[1]));
	if ((lfd = lock_open(dfd)) != -1 &&
	    (sfd = shard_open(dfd, shard, 1, &made)) == -1 && errno == EPERM) {
		r = pb_err_set(e, PB_ERR_IO, "replay_cache %s/%c%c must be a "
		    "directory owned by uid %u and writable by no one else",
		    sp, name[0], name[1], (unsigned)geteuid());
		goto out;
	}
	if (lfd == -1 || sfd == -1 ||
	    (made && fsync(dfd) == -1) ||
	    (r = write_tmp(sfd, exp + leeway, tmp, &fd, &err)) != PB_OK) {
		/* Nothing recorded (a full disk): the token is not used up. */
		r = pb_err_set(e, PB_ERR_IO, "replay_cache %s: cannot record "
		    "the token: %s", sp, strerror(err != 0 ? err : errno));
		goto out;
	}
	/* An entry of the flat layout of 0.1.0 counts as well. */
	if (entry_state(dfd, name, now) == E_LIVE)
		r = PB_ERR_REPLAY;
	else
		r = link_entry(sfd, lfd, tmp, name, now);
	if (r == PB_OK && fsync(fd) == -1)
		r = PB_ERR_IO;	/* the entry exists: the token stays used */
	if (r == PB_ERR_REPLAY)
		r = pb_err_set(e, PB_ERR_REPLAY, "token (jti '%s') was "
		    "already used", pb_log_safe(jti, sp, sizeof(sp)));
	else if (r == PB_ERR_IO)
		r = pb_err_set(e, PB_ERR_IO, "replay_cache %s: %s", sp,
		    strerror(errno));
	if (r == PB_OK)
		sweep(dfd, lfd, now);
 out:
	if (fd != -1)
		close(fd);
	if (sfd != -1) {
		if (tmp[0] != '\0')
			(void)unlinkat(sfd, tmp, 0);
		close(sfd);
	}
	if (lfd != -1)
		close(lfd);
	if (dfd != -1)
		close(dfd);
	return r;
}
