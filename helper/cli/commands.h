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
 * The bearer-token commands (DESIGN.md section 3), one row each in
 * PB_COMMANDS below, in the order of --help.  From that one list come
 * commands.c's help table (pb_cmds[], the texts ID_syn and ID_help beside
 * it), the front's dispatch (front/main.c) and bearer-token-net's
 * (net/main.c).  A new command is one row here, its help text in
 * commands.c and one file with its entry.  Only commands that exist are
 * listed: no stubs.
 *
 * X(ID, NAME, ALIAS, FRONT, NET):
 *   ID     a C identifier: PB_CMD_ID, and ID_syn, ID_help in commands.c
 *   NAME   the command word, "bearer-token NAME"
 *   ALIAS  the name of a link to the front that runs the command with the
 *          link's arguments (git runs git-credential-bearer, ssh runs
 *          bearer-askpass), or NULL
 *   FRONT  what the front does: pb_cmd_get and pb_cmd_ssh it runs itself,
 *          pb_cmd_net hands the command over to bearer-token-net
 *   NET    bearer-token-net's entry, or NULL for a front-only command
 * Each program expands only its own column, so that the front never
 * refers to a symbol of bearer-token-net (nor the other way round).
 */
#define PB_COMMANDS(X) \
	X(login, "login", NULL, pb_cmd_net, pb_net_login) \
	X(get, "get", NULL, pb_cmd_get, pb_net_get) \
	X(status, "status", NULL, pb_cmd_net, pb_net_status) \
	X(logout, "logout", NULL, pb_cmd_net, pb_net_logout) \
	X(ssh, "ssh", NULL, pb_cmd_ssh, NULL) \
	X(askpass, "askpass", "bearer-askpass", pb_cmd_net, pb_net_askpass) \
	X(kubectl, "kubectl", NULL, pb_cmd_net, pb_net_kubectl) \
	X(git_credential, "git-credential", "git-credential-bearer", \
	    pb_cmd_net, pb_net_git_credential) \
	X(fetch_jwks, "fetch-jwks", NULL, pb_cmd_net, pb_net_fetch_jwks) \
	X(decode, "decode", NULL, pb_cmd_net, pb_cmd_decode) \
	X(verify, "verify", NULL, pb_cmd_net, pb_cmd_verify)

/* PB_CMD_login, ...: a command's index in pb_cmds[]; PB_CMD_COUNT rows. */
#define PB_CMD_ENUM(id, name, alias, front, net)	PB_CMD_##id,
enum pb_cmd_id { PB_COMMANDS(PB_CMD_ENUM) PB_CMD_COUNT };
#undef PB_CMD_ENUM

/* A command's entry: argv[0] is the command name; a PB_EXIT_* status. */
typedef int pb_cmd_fn(int argc, char **argv);

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

/* commands.c: the table, indexed by enum pb_cmd_id; pb_ncmds rows. */
extern const struct pb_cmd pb_cmds[PB_CMD_COUNT];
extern const size_t pb_ncmds;

/* The entry named name (pb_cmds + its enum pb_cmd_id), or NULL. */
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
 * front/ (cached_get.c, ssh.c, handover.c), the FRONT column: "get"
 * answers from the access token cache when it can and otherwise, like
 * every networked command, executes bearer-token-net with the same
 * arguments (pb_cmd_net); "ssh" runs ssh(1).  Each returns a PB_EXIT_*
 * status, or does not return.
 */
int pb_cmd_get(int argc, char **argv);
int pb_cmd_ssh(int argc, char **argv);
int pb_cmd_net(int argc, char **argv);

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
