/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token: the front binary (DESIGN.md section 3).  It answers --help
 * and a "get" whose cached access token is valid, and executes
 * bearer-token-net for everything else.  It links only libcbase, libcli
 * and cJSON: no libcrypto, libcurl or libsecret, whose loading would cost
 * more than the whole cached get.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "commands.h"
#include "err.h"

/* The message for a name that is no command; exit status 2. */
static int
unknown(const char *name)
{
	char sb[PB_SAFE_BUFSZ];
	size_t i;

	fprintf(stderr, "%s: unknown command '%s'; commands:", PB_PROG,
	    pb_log_safe(name, sb, sizeof(sb)));
	for (i = 0; i < pb_ncmds; i++)
		fprintf(stderr, " %s", pb_cmds[i].name);
	fputs("\n", stderr);
	return PB_EXIT_USAGE;
}

/* The last component of a path. */
static const char *
base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

int
main(int argc, char **argv)
{
	const struct pb_cmd *c;

	/* No core dumps and no ptrace by other users: tokens live here. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Installed as git-credential-bearer: git runs "NAME get". */
	if (argc >= 1 && strcmp(base(argv[0]), "git-credential-bearer") == 0)
		return pb_cmd_net_as("git-credential", argc - 1, argv + 1);
	/* Installed as bearer-askpass: ssh runs "NAME PROMPT". */
	if (argc >= 1 && strcmp(base(argv[0]), "bearer-askpass") == 0)
		return pb_cmd_net_as("askpass", argc - 1, argv + 1);
	if (argc < 2) {
		pb_cmd_usage(stderr);
		return PB_EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		pb_cmd_usage(stdout);
		return PB_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s (%s) %s\n", PB_PROG, PACKAGE_NAME, PACKAGE_VERSION);
		return PB_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			pb_cmd_usage(stdout);
			return PB_EXIT_OK;
		}
		if (argc > 3) {
			fprintf(stderr, "usage: %s help [COMMAND]\n", PB_PROG);
			return PB_EXIT_USAGE;
		}
		if (pb_cmd_find(argv[2]) == NULL)
			return unknown(argv[2]);
		pb_cmd_help(argv[2], 0);
		return PB_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		char sb[PB_SAFE_BUFSZ];

		fprintf(stderr, "%s: unknown option '%s'\n", PB_PROG,
		    pb_log_safe(argv[1], sb, sizeof(sb)));
		pb_cmd_usage(stderr);
		return PB_EXIT_USAGE;
	}
	if ((c = pb_cmd_find(argv[1])) == NULL)
		return unknown(argv[1]);
	if (argc > 2 && is_help(argv[2])) {
		pb_cmd_help(c->name, 0);
		return PB_EXIT_OK;
	}
	/* Only a cached get is answered here; the rest needs more. */
	if (strcmp(c->name, "get") == 0)
		return pb_cmd_get(argc - 1, argv + 1);
	if (strcmp(c->name, "ssh") == 0)
		return pb_cmd_ssh(argc - 1, argv + 1);
	return pb_cmd_net(argc - 1, argv + 1);
}
