/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_COMMANDS_H
#define PB_COMMANDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What moved out of this header, for the files that include only it. */
#include "options.h"
#include "out.h"

/*
 * The bearer-token command table (DESIGN.md section 3).  commands.c holds one
 * struct pb_cmd per implemented command, with its help; a new command is
 * one entry there and one in net/main.c's table of run functions (the front
 * runs only the cached get itself).  Only commands that exist are listed:
 * no stubs.
 */

/* Exit statuses, listed under EXIT STATUS in bearer-token(1). */
#define PB_EXIT_OK	0	/* success; verify: the token is valid */
#define PB_EXIT_FAIL	1	/* rejected or malformed token, other error */
#define PB_EXIT_USAGE	2	/* bad command line */
#define PB_EXIT_CONFIG	3	/* configuration, JWKS or list file unusable */
#define PB_EXIT_LOGIN	4	/* not logged in, or the session ended */
#define PB_EXIT_TEMP	5	/* IdP unreachable or failing; tokens kept */

/* The program name in messages. */
#define PB_PROG		"bearer-token"

struct pb_cmd {
	const char	*name;
	const char	*synopsis;	/* arguments, after the command name */
	const char	*help;		/* lines after the usage line */
};

/* commands.c: the table, in the order of --help. */
extern const struct pb_cmd pb_cmds[];
extern const size_t pb_ncmds;

/* The entry named name, or NULL. */
const struct pb_cmd *pb_cmd_find(const char *name);

/* The list of commands, for --help and usage errors. */
void pb_cmd_usage(FILE *f);

/*
 * Print "usage: bearer-token NAME SYNOPSIS" and the command's help text to
 * stdout (to stderr when err is set, for usage errors).
 */
void pb_cmd_help(const char *name, int err);

/*
 * decode.c (in bearer-token-net, which links libcrypto): "decode" prints a
 * token unverified; "verify" checks it.  argv[0] is the command name.
 */
int pb_cmd_decode(int argc, char **argv);
int pb_cmd_verify(int argc, char **argv);

/*
 * front/ (cached_get.c, ssh.c, handover.c): "get" answers from the access
 * token cache when it can and otherwise, like every networked command,
 * executes bearer-token-net with the same arguments (pb_cmd_net).
 */
int pb_cmd_get(int argc, char **argv);
int pb_cmd_ssh(int argc, char **argv);
int pb_cmd_net(int argc, char **argv);

/* pb_cmd_net() for "cmd ARGV..." (a program installed under another name). */
int pb_cmd_net_as(const char *cmd, int argc, char **argv);

/*
 * decode.c: a NumericDate into buf as "2026-11-22 07:10:00 UTC"
 * (PB_TIME_UTC) or RFC 3339 "2026-11-22T07:10:00Z" (PB_TIME_RFC3339), or
 * as a number when it cannot be shown; returns buf.
 */
enum pb_time_fmt { PB_TIME_UTC, PB_TIME_RFC3339 };
const char *pb_fmt_time(int64_t t, enum pb_time_fmt fmt, char *buf,
    size_t bufsz);

/* decode.c: pb_conf_log_fn printing each message on stderr. */
void pb_log_conf(void *ctx, int prio, const char *msg);

#endif /* PB_COMMANDS_H */
