/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the replay cache costs a login when it is full of expired entries
 * (issue 11, finding 8): pb_replay_check() of fresh tokens against a
 * directory holding N expired entries, written in the layout the code
 * expects.  Figures only: nothing here passes or fails on time.
 *
 *   bench/replay_bench [-f] N RUNS
 *	-f	lay the expired entries out flat, as 0.1.0 did (for timing the
 *		old pam/replay.c built into this program)
 *	Prints the first login, the median and the 90th percentile of RUNS
 *	logins, and how many expired entries are left after them.  The
 *	directory is made in $TMPDIR (default /tmp); on a tmpfs such as
 *	/dev/shm, fsync() costs nothing and the figures are the sweep's work.
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
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "module.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Files under dir whose content is "1\n" (the expired ones). */
static size_t
expired_left(const char *dir)
{
	char p[4096], b[8];
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int fd;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (strlen(de->d_name) == 2) {
			n += expired_left(p);
			continue;
		}
		if ((fd = open(p, O_RDONLY)) == -1)
			continue;
		if (read(fd, b, sizeof(b)) == 2 && b[0] == '1')
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	char tmpl[1024], p[4096], jti[32];
	const char *td = secure_getenv("TMPDIR");
	struct pb_err e;
	double *t, first;
	long n, runs, i;
	int flat = 0, fd;
	int64_t now = (int64_t)time(NULL);

	if (argc > 1 && strcmp(argv[1], "-f") == 0)
		flat = 1, argc--, argv++;
	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) < 0 ||
	    (runs = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: replay_bench [-f] N RUNS\n");
		return 2;
	}
	(void)snprintf(tmpl, sizeof(tmpl), "%s/replay_bench.XXXXXX",
	    td != NULL && *td != '\0' ? td : "/tmp");
	if (mkdtemp(tmpl) == NULL || (t = calloc((size_t)runs,
	    sizeof(*t))) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		/* Names spread over the shards as hashes are. */
		unsigned s = (unsigned)((i * 2654435761u) >> 8) & 0xff;

		if (flat)
			(void)snprintf(p, sizeof(p), "%s/%02x%062ld", tmpl, s,
			    i);
		else {
			(void)snprintf(p, sizeof(p), "%s/%02x", tmpl, s);
			(void)mkdir(p, 0700);
			(void)snprintf(p, sizeof(p), "%s/%02x/%02x%062ld", tmpl,
			    s, s, i);
		}
		if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
		    write(fd, "1\n", 2) != 2)
			return 1;
		close(fd);
	}
	for (i = 0; i < runs; i++) {
		(void)snprintf(jti, sizeof(jti), "bench-%ld", i);
		t[i] = now_us();
		if (pb_replay_check(tmpl, "https://bench", jti, now + 600, now,
		    60, &e) != PB_OK) {
			fprintf(stderr, "replay_bench: %s\n", e.msg);
			return 1;
		}
		t[i] = now_us() - t[i];
	}
	first = t[0];
	qsort(t, (size_t)runs, sizeof(*t), dcmp);
	printf("%s %7ld expired: first login %8.0f us, median %8.0f us, "
	    "p90 %8.0f us; %zu expired left after %ld logins\n",
	    flat ? "flat " : "shard", n, first, t[runs / 2],
	    t[runs * 9 / 10], expired_left(tmpl), runs);
	free(t);
	return nftw(tmpl, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : 1;
}
