/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Who is at the other end of a loopback TCP connection: the connecting
 * socket is ours too (same host, same network namespace), so the kernel
 * can name its owner.  One NETLINK_SOCK_DIAG request for the exact
 * 4-tuple as seen from the peer (its address and port as source, ours as
 * destination), one answer: an inet_diag_msg or an error.
 */
#include "config.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer_uid.h"

/* Ask the kernel for the socket q names; its answer's message in *m. */
static int
ask(const struct inet_diag_req_v2 *q, struct inet_diag_msg *m)
{
	struct {
		struct nlmsghdr		h;
		struct inet_diag_req_v2	q;
	} req;
	struct sockaddr_nl k;
	union {
		struct nlmsghdr	h;
		char		b[1024];
	} ans;
	struct nlmsghdr *h = &ans.h;	/* NLMSG_DATA() drops const */
	struct nlmsgerr ne;
	ssize_t n;
	int fd, err = ENOENT;

	if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return -1;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST;	/* one socket, not a dump */
	req.h.nlmsg_seq = 1;
	req.q = *q;
	memset(&k, 0, sizeof(k));
	k.nl_family = AF_NETLINK;
	do
		n = sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&k,
		    sizeof(k));
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof(req))
		do
			n = recv(fd, &ans, sizeof(ans), 0);
		while (n == -1 && errno == EINTR);
	else if (n != -1)
		n = -1, errno = EIO;
	(void)close(fd);
	if (n == -1)
		return -1;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_seq != 1)
		err = EIO;
	else if (h->nlmsg_type == NLMSG_ERROR &&
	    h->nlmsg_len >= NLMSG_LENGTH(sizeof(ne))) {
		memcpy(&ne, NLMSG_DATA(h), sizeof(ne));
		err = -ne.error;
	} else if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
	    h->nlmsg_len >= NLMSG_LENGTH(sizeof(*m))) {
		memcpy(m, NLMSG_DATA(h), sizeof(*m));
		return 0;
	}
	errno = err > 0 ? err : EIO;
	return -1;
}

int
pb_peer_uid(int fd, uid_t *uid)
{
	struct sockaddr_in me, peer;
	socklen_t ml = sizeof(me), pl = sizeof(peer);
	struct inet_diag_req_v2 q;
	struct inet_diag_msg m;

	if (getsockname(fd, (struct sockaddr *)&me, &ml) == -1 ||
	    getpeername(fd, (struct sockaddr *)&peer, &pl) == -1)
		return -1;
	if (me.sin_family != AF_INET || peer.sin_family != AF_INET ||
	    ml != sizeof(me) || pl != sizeof(peer)) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.sdiag_family = AF_INET;
	q.sdiag_protocol = IPPROTO_TCP;
	q.idiag_states = ~0U;
	q.id.idiag_sport = peer.sin_port;	/* both in network order */
	q.id.idiag_dport = me.sin_port;
	q.id.idiag_src[0] = peer.sin_addr.s_addr;
	q.id.idiag_dst[0] = me.sin_addr.s_addr;
	q.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	q.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (ask(&q, &m) == -1)
		return -1;
	/*
	 * The very pair asked for, and a socket a process still holds (an
	 * inode): a closed one (FIN_WAIT, TIME_WAIT) reports no owner.
	 */
	if (m.id.idiag_sport != peer.sin_port ||
	    m.id.idiag_dport != me.sin_port ||
	    m.id.idiag_src[0] != peer.sin_addr.s_addr ||
	    m.id.idiag_dst[0] != me.sin_addr.s_addr || m.idiag_inode == 0) {
		errno = ENOENT;
		return -1;
	}
	*uid = (uid_t)m.idiag_uid;
	return 0;
}
