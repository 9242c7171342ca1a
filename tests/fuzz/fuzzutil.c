/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the libFuzzer targets: see fuzzutil.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fuzzutil.h"

static char dir[PATH_MAX];

void
fz_broken(const char *what, int r)
{
	fprintf(stderr, "fuzz: contract broken: %s (r=%d)\n", what, r);
	abort();
}

void
fz_die(const char *what, const struct pb_err *e)
{
	fprintf(stderr, "fuzz: %s: %s\n", what,
	    e != NULL ? pb_err_msg(e) : "failed");
	abort();
}

void
fz_check_err(int r, const struct pb_err *e)
{
	if (r == PB_OK)
		return;
	if (r > 0 || r < PB_ERR_MIN)
		fz_broken("unknown error code", r);
	if (pb_strerror(r) == NULL)
		fz_broken("pb_strerror() returned NULL", r);
	if (e != NULL && memchr(e->msg, '\0', sizeof(e->msg)) == NULL)
		fz_broken("unterminated error message", r);
}

/* nftw() callback: remove each entry, the directories after their files. */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	(void)remove(path);
	return 0;
}

/* Remove the scratch directory and everything the targets put in it. */
static void
cleanup(void)
{
	if (dir[0] != '\0')
		(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fz_dir(void)
{
	const char *t = secure_getenv("TMPDIR");
	struct stat st;

	if (dir[0] != '\0')
		return dir;
	/*
	 * tmpfs when there is one: ext4 flushes a file truncated and written
	 * again on close (auto_da_alloc), which costs most of each run.
	 */
	if (t == NULL || t[0] != '/')
		t = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ?
		    "/dev/shm" : "/tmp";
	if (snprintf(dir, sizeof(dir), "%s/pb-fuzz.XXXXXX", t) >=
	    (int)sizeof(dir) || mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		fz_die("mkdtemp", NULL);
	}
	(void)atexit(cleanup);
	return dir;
}

const char *
fz_file(const char *name, const void *p, size_t len)
{
	static char path[8][PATH_MAX + 64];
	static const char *names[8];
	const char *cp = p;
	size_t i;
	ssize_t n;
	int fd;

	for (i = 0; i < 8 && names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			break;
	if (i == 8)
		fz_die("fz_file: too many names", NULL);
	if (names[i] == NULL) {
		names[i] = name;
		(void)snprintf(path[i], sizeof(path[i]), "%s/%s", fz_dir(),
		    name);
	}
	if ((fd = open(path[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		fz_die(path[i], NULL);
	while (len > 0) {
		if ((n = write(fd, cp, len)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			fz_die("write", NULL);
		}
		cp += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1)
		fz_die("close", NULL);
	return path[i];
}

char *
fz_strndup(const void *p, size_t len)
{
	char *s;

	if ((s = malloc(len + 1)) == NULL)
		fz_die("malloc", NULL);
	if (len > 0)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

void
fz_split(const uint8_t *data, size_t size, char **head, const uint8_t **rest,
    size_t *restlen)
{
	const uint8_t *nl = size > 0 ? memchr(data, '\n', size) : NULL;
	size_t n = nl != NULL ? (size_t)(nl - data) : size;

	*head = fz_strndup(data, n);
	*rest = nl != NULL ? nl + 1 : data + size;
	*restlen = size - (size_t)(*rest - data);
}
