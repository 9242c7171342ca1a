/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What bearer-token prints that carries a token: written with writev(2),
 * never through stdio, so no unwiped buffer keeps a copy.  The one
 * write-all loop of the helper is here.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "commands.h"
#include "out.h"
#include "secmem.h"
#include "parse.h"
#include "token_cache.h"

int
pb_out_writev(int fd, struct iovec *iov, int iovcnt)
{
	ssize_t n, got;
	int i = 0;

	while (i < iovcnt) {
		n = writev(fd, iov + i, iovcnt - i);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		got = n;
		while (i < iovcnt && (size_t)n >= iov[i].iov_len) {
			n -= (ssize_t)iov[i].iov_len;
			i++;
		}
		if (i < iovcnt && got == 0) {
			/* The file took no byte. */
			errno = EIO;
			return -1;
		}
		if (i < iovcnt) {
			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* RFC 6750 2.1: the request header that carries a bearer token. */
static const char hdr_prefix[] = "Authorization: Bearer ";

int
pb_out_write(int fd, const void *p, size_t len)
{
	struct iovec iov;

	iov.iov_base = (void *)(uintptr_t)p;
	iov.iov_len = len;
	return pb_out_writev(fd, &iov, 1);
}

int
pb_out_token(const struct pb_secret *tok, int header)
{
	struct iovec iov[3];
	int k = 0;

	/*
	 * As a header line, a byte outside the token's syntax would end
	 * the header or start another: refuse (the token is not shown).
	 * RFC 6750 2.1 says what may follow "Bearer ": a b64token, which
	 * every token is checked to be where it enters the helper.
	 */
	if (header && !pb_parse_b64token(tok->p, tok->len)) {
		fprintf(stderr, "%s: the access token is not an RFC 6750 "
		    "b64token and cannot go in an HTTP header; not printed\n",
		    PB_PROG);
		return PB_EXIT_FAIL;
	}
	(void)fflush(stdout);
	if (header) {
		iov[k].iov_base = (void *)(uintptr_t)hdr_prefix;
		iov[k++].iov_len = sizeof(hdr_prefix) - 1;
	}
	iov[k].iov_base = tok->p;
	iov[k++].iov_len = tok->len;
	iov[k].iov_base = (void *)(uintptr_t)"\n";
	iov[k++].iov_len = 1;
	if (pb_out_writev(STDOUT_FILENO, iov, k) == -1) {
		fprintf(stderr, "%s: cannot write the token: %s\n",
		    PB_PROG, strerror(errno));
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}
