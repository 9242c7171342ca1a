/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_TARGET_H
#define PB_TARGET_H

#include <stddef.h>

/*
 * Where a token may go (DESIGN.md section 5): which host an ssh prompt is
 * for, as the client knows it (TARGET), and the profile's host patterns
 * (ssh_hosts, git_hosts).  Pure: libc only, no I/O.
 *
 * TARGET comes from the client, never from the server's text:
 *   - the "(user@host) " prefix that OpenSSH's client (8.5 and later)
 *     writes before every keyboard-interactive prompt (sshconnect2.c,
 *     input_userauth_info_req(): "(" remote user "@" HostKeyAlias, else
 *     the host it connects to, ") " then the server's prompt); the host
 *     is what follows the last '@' up to the first ')', which must be
 *     followed by a space;
 *   - under "bearer-token ssh", the hostname that "ssh -G" gives for the
 *     destination, in PB_TARGET_ENV.
 * When both are there they must name the same host: a prompt of another
 * connection of the same run (a ProxyJump hop), or a prefix forged by a
 * server behind a client that writes none, is not answered.
 */
#define PB_TARGET_ENV	"BEARER_TOKEN_SSH_TARGET"	/* ssh -G hostname */
#define PB_TARGET_RUN_ENV	"BEARER_TOKEN_SSH_RUN"	/* one ssh run's id */
#define PB_TARGET_FRESH_ENV	"BEARER_TOKEN_SSH_FRESH" /* "1": ssh --fresh */
/* "1": askpass runs under "bearer-token sudo": TARGET is this host. */
#define PB_TARGET_SUDO_ENV	"BEARER_TOKEN_SUDO"
#define PB_TARGET_MAX	255			/* longest host name */
#define PB_TARGET_RUN_MAX	64		/* longest run id */

/* What pb_target_split() found. */
#define PB_TARGET_NOPREFIX	0	/* no prefix: *rest is the prompt */
#define PB_TARGET_PREFIX	1	/* a prefix, its host in host */
#define PB_TARGET_BADPREFIX	(-1)	/* a prefix whose host is unusable */

/*
 * Split prompt into the client's "(user@host) " prefix and the server's
 * text (*rest, always set: after the prefix, or the whole prompt).  host
 * (hostsz bytes) gets the host for PB_TARGET_PREFIX, else "".
 */
int pb_target_split(const char *prompt, char *host, size_t hostsz,
    const char **rest);

/*
 * Whether s is usable as a host name here: 1 to PB_TARGET_MAX of
 * A-Z a-z 0-9 . - _ : (IPv6 addresses), not starting with '-' or '.'.
 */
int pb_target_valid(const char *s);

/* What pb_target_choose() decided. */
#define PB_TARGET_OK		0	/* *target set */
#define PB_TARGET_NONE		1	/* no prefix, no env: unknown */
#define PB_TARGET_MISMATCH	2	/* prefix and env name two hosts */
#define PB_TARGET_BAD		3	/* an unusable prefix or env value */

/*
 * TARGET from the result of pb_target_split() (split, prefix_host) and the
 * value of PB_TARGET_ENV (env, may be NULL or ""): *target points to
 * prefix_host or env on PB_TARGET_OK, NULL otherwise.  Host names are
 * compared ASCII case-insensitively.
 */
int pb_target_choose(int split, const char *prefix_host, const char *env,
    const char **target);

/*
 * Whether host matches one of the space-separated fnmatch(3) patterns
 * (ASCII case-insensitive, as host names are): 1 or 0.  NULL or empty
 * patterns match nothing.
 */
int pb_target_match(const char *patterns, const char *host);

/*
 * Whether s is usable as a run id (PB_TARGET_RUN_ENV): 1 to
 * PB_TARGET_RUN_MAX of A-Z a-z 0-9 - _.
 */
int pb_target_run_valid(const char *s);

#endif /* PB_TARGET_H */
