/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_OUT_H
#define PB_OUT_H

#include <stddef.h>
#include <sys/uio.h>

#include "err.h"

/*
 * out.c: what bearer-token writes that may carry a token, with write(2)
 * and writev(2), never through stdio, so that no unwiped buffer keeps a
 * copy.
 */

/*
 * Write the iovcnt buffers of iov to fd, whole, in order: one writev(2)
 * when the file takes it all (a pipe reader sees one write), more after a
 * short write or EINTR.  iov is used up (its entries are changed).
 * Returns 0, or -1 with errno set (EIO when the file takes no byte).
 */
int pb_out_writev(int fd, struct iovec *iov, int iovcnt) PB_WUR;

/* pb_out_writev() of the len bytes at p: 0, or -1 with errno set. */
int pb_out_write(int fd, const void *p, size_t len);

/*
 * Write tok and a newline to stdout, flushed: the whole output of "get";
 * with header, as the line "Authorization: Bearer TOKEN" (get --header),
 * refused when tok is not an RFC 6750 b64token.  PB_EXIT_OK, or
 * PB_EXIT_FAIL after a message naming no token byte (EPIPE, a full disk).
 */
struct pb_secret;
int pb_out_token(const struct pb_secret *tok, int header);

#endif /* PB_OUT_H */
