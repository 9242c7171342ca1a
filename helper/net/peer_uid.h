/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_PEER_UID_H
#define PB_PEER_UID_H

#include <sys/types.h>

#include "err.h"

/*
 * The user that owns the other end of fd, a TCP connection accepted on
 * 127.0.0.1 (the browser login's listener, loopback.c): the kernel's
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag_req_v2) looked up by the exact
 * address pair, the uid the connecting socket was made with.  0 with
 * *uid set, or -1 with errno set (ENOENT: no open socket of a process
 * at the other end, e.g. it closed already) and *uid untouched; callers
 * fail closed on -1.
 */
int pb_peer_uid(int fd, uid_t *uid) PB_WUR;

#endif /* PB_PEER_UID_H */
