/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: git's credential input (helper/net/git_credential.c's
 * git_read()), what "bearer-token git-credential" reads on stdin:
 * "key=value" lines up to a blank line or the end.
 *
 * git_read() is static and reads standard input: this file includes
 * git_credential.c (running the production function unchanged, and
 * linking the rest of bearer-token-net's code from libfuzznet.la) and puts
 * the input on descriptor 0 as a memfd.
 *
 * Besides the sanitizers: the values read stay within their line (no line
 * break in the user name or the password), and nothing is left set on
 * failure.
 */
#include "../../helper/net/git_credential.c"

#include <sys/mman.h>

#include "fuzzutil.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitreq g;
	size_t off = 0;
	ssize_t n;
	int fd, r;

	if ((fd = memfd_create("git-input", MFD_CLOEXEC)) == -1)
		fz_die("memfd_create", NULL);
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) <= 0)
			fz_die("write", NULL);
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, STDIN_FILENO) == -1)
		fz_die("dup2", NULL);
	close(fd);
	r = git_read(&g);
	if (r == 0) {
		if (g.username != NULL && strchr(g.username, '\n') != NULL)
			fz_broken("a line break in the user name", r);
		if (g.password.p != NULL && (g.password.len !=
		    strlen(g.password.p) ||
		    memchr(g.password.p, '\n', g.password.len) != NULL))
			fz_broken("a line break in the password", r);
		if (g.https != 0 && g.https != 1)
			fz_broken("https flag", r);
	} else if (g.username != NULL || g.password.p != NULL)
		fz_broken("git_read() left values on failure", r);
	git_clear(&g);
	return 0;
}
