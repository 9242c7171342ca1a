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
 *   FRONT  what the front does: it runs pb_cached_get_run and pb_ssh_run
 *          itself; pb_handover_run hands the command over to
 *          bearer-token-net
 *   NET    bearer-token-net's entry, or NULL for a front-only command
 * Each program expands only its own column, so that the front never
 * refers to a symbol of bearer-token-net (nor the other way round).
 */
#define PB_COMMANDS(X) \
	X(login, "login", NULL, pb_handover_run, pb_login_run) \
	X(get, "get", NULL, pb_cached_get_run, pb_get_run) \
	X(status, "status", NULL, pb_handover_run, pb_status_run) \
	X(logout, "logout", NULL, pb_handover_run, pb_logout_run) \
	X(ssh, "ssh", NULL, pb_ssh_run, NULL) \
	X(sudo, "sudo", NULL, pb_sudo_run, NULL) \
	X(askpass, "askpass", "bearer-askpass", pb_handover_run, \
	    pb_askpass_run) \
	X(kubectl, "kubectl", NULL, pb_handover_run, pb_kubectl_run) \
	X(git_credential, "git-credential", "git-credential-bearer", \
	    pb_handover_run, pb_git_credential_run) \
	X(proof, "proof", NULL, pb_handover_run, pb_proof_run) \
	X(fetch_jwks, "fetch-jwks", NULL, pb_handover_run, pb_fetch_jwks_run) \
	X(decode, "decode", NULL, pb_handover_run, pb_decode_run) \
	X(verify, "verify", NULL, pb_handover_run, pb_verify_run)

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
const struct pb_cmd *pb_commands_find(const char *name);

/* The list of commands, for --help and usage errors. */
void pb_commands_usage(FILE *f);

/*
 * Print "usage: bearer-token NAME SYNOPSIS" and the command's help text to
 * stdout (to stderr when err is set, for usage errors).
 */
void pb_commands_help(const char *name, int err);

/*
 * front/ (cached_get.c, ssh.c, sudo.c, handover.c), the FRONT column:
 * "get" answers from the access token cache when it can and otherwise,
 * like every networked command, executes bearer-token-net with the same
 * arguments (pb_handover_run); "ssh" runs ssh(1), "sudo" sudo(8).  Each
 * returns a PB_EXIT_* status, or does not return.
 */
int pb_cached_get_run(int argc, char **argv);
int pb_ssh_run(int argc, char **argv);
int pb_sudo_run(int argc, char **argv);
int pb_handover_run(int argc, char **argv);

#endif /* PB_COMMANDS_H */
