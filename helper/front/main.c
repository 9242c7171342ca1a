/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token: the front binary (DESIGN.md section 3).  It answers --help,
 * "ssh" and a "get" whose cached access token is valid, and executes
 * bearer-token-net for everything else (the FRONT column of PB_COMMANDS).
 * It links only libcbase and libcli: no libcrypto, libcurl, libsecret or
 * cJSON, whose loading would cost more than the whole cached get.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "commands.h"
#include "err.h"
#include "front.h"

/* The FRONT and ALIAS columns of PB_COMMANDS (commands.h). */
#define FRONT_ROW(id, name, alias, front, net) \
	[PB_CMD_##id] = { alias, front },
static const struct {
	const char	*alias;		/* a link to the front, or NULL */
	pb_cmd_fn	*run;
} front[PB_CMD_COUNT] = { PB_COMMANDS(FRONT_ROW) };
#undef FRONT_ROW

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

/*
 * The front installed under the alias of command id: run it as
 * "NAME ARGV..." (git runs "git-credential-bearer get", ssh
 * "bearer-askpass PROMPT").
 */
static int
run_alias(size_t id, int argc, char **argv)
{
	static char name[32];
	char **nargv;
	int rv;

	(void)snprintf(name, sizeof(name), "%s", pb_cmds[id].name);
	if ((nargv = pb_handover_argv(name, argc, argv)) == NULL)
		return PB_EXIT_FAIL;
	rv = front[id].run(argc + 1, nargv);
	free(nargv);
	return rv;
}

static int
is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

/* The usage of "help" itself. */
static void
help_usage(FILE *f)
{
	fprintf(f, "usage: %s help [COMMAND]\n", PB_PROG);
	if (f == stdout)
		printf("\nWithout COMMAND, list the commands; with one, print "
		    "its usage and help\n(the same as \"%s COMMAND "
		    "--help\").\n", PB_PROG);
}

int
main(int argc, char **argv)
{
	const struct pb_cmd *c;
	size_t i;

	/* No core dumps and no ptrace by other users: tokens live here. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (i = 0; argc >= 1 && i < PB_CMD_COUNT; i++)
		if (front[i].alias != NULL &&
		    strcmp(base(argv[0]), front[i].alias) == 0)
			return run_alias(i, argc - 1, argv + 1);
	if (argc < 2) {
		pb_commands_usage(stderr);
		return PB_EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		pb_commands_usage(stdout);
		return PB_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s (%s) %s\n", PB_PROG, PACKAGE_NAME, PACKAGE_VERSION);
		return PB_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			pb_commands_usage(stdout);
			return PB_EXIT_OK;
		}
		if (argc > 3) {
			help_usage(stderr);
			return PB_EXIT_USAGE;
		}
		/* "help --help", "help help": help's own usage. */
		if (is_help(argv[2]) || strcmp(argv[2], "help") == 0) {
			help_usage(stdout);
			return PB_EXIT_OK;
		}
		if (pb_commands_find(argv[2]) == NULL)
			return unknown(argv[2]);
		pb_commands_help(argv[2], 0);
		return PB_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		char sb[PB_SAFE_BUFSZ];

		fprintf(stderr, "%s: unknown option '%s'\n", PB_PROG,
		    pb_log_safe(argv[1], sb, sizeof(sb)));
		pb_commands_usage(stderr);
		return PB_EXIT_USAGE;
	}
	if ((c = pb_commands_find(argv[1])) == NULL)
		return unknown(argv[1]);
	if (argc > 2 && is_help(argv[2])) {
		pb_commands_help(c->name, 0);
		return PB_EXIT_OK;
	}
	/* A cached get and ssh are answered here; the rest needs more. */
	return front[c - pb_cmds].run(argc - 1, argv + 1);
}
