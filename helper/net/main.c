/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token-net: the part of bearer-token (DESIGN.md section 3) that
 * links libcurl, libsecret and libcrypto.  Users never run it directly: the
 * front binary executes it as "bearer-token COMMAND ARGS..." for every
 * command but a cached "get" and "ssh", which so load none of them.
 * --help is answered by the front.
 */
#include "config.h"

#include <stdio.h>
#include <sys/prctl.h>

#include "commands.h"
#include "err.h"
#include "http.h"
#include "net.h"

/* The NET column of PB_COMMANDS (commands.h): NULL for front-only ones. */
#define NET_ROW(id, name, alias, front, net)	[PB_CMD_##id] = net,
static pb_cmd_fn *const run[PB_CMD_COUNT] = { PB_COMMANDS(NET_ROW) };
#undef NET_ROW

int
main(int argc, char **argv)
{
	const struct pb_cmd *c;
	struct pb_err e;
	int rv;

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (argc < 2) {
		fprintf(stderr, "%s: this program is run by %s; use that "
		    "instead\n", "bearer-token-net", PB_PROG);
		return PB_EXIT_USAGE;
	}
	if ((c = pb_commands_find(argv[1])) == NULL ||
	    run[c - pb_cmds] == NULL) {
		char sb[PB_SAFE_BUFSZ];

		fprintf(stderr, "%s: bearer-token-net has no command '%s'\n",
		    PB_PROG, pb_log_safe(argv[1], sb, sizeof(sb)));
		return PB_EXIT_USAGE;
	}
	pb_err_clear(&e);
	if (pb_http_global_init(&e) != PB_OK) {
		fprintf(stderr, "%s: %s\n", PB_PROG, pb_err_msg(&e));
		return PB_EXIT_FAIL;
	}
	rv = run[c - pb_cmds](argc - 1, argv + 1);
	pb_http_global_cleanup();
	return rv;
}
