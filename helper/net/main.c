/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token-net: the part of bearer-token (DESIGN.md section 3) that
 * links libcurl, libsecret and libcrypto.  Users never run it directly: the
 * front binary executes it as "bearer-token COMMAND ARGS..." for every
 * command but a cached "get", which so loads none of them.  --help is
 * answered by the front.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "commands.h"
#include "err.h"
#include "http.h"
#include "net.h"

static const struct {
	const char	*name;
	int		(*run)(int, char **);
} cmds[] = {
	{ "login", pb_net_login },
	{ "get", pb_net_get },
	{ "status", pb_net_status },
	{ "logout", pb_net_logout },
	{ "decode", pb_cmd_decode },
	{ "verify", pb_cmd_verify },
	{ "kubectl", pb_net_kubectl },
	{ "git-credential", pb_net_git_credential },
	{ "askpass", pb_net_askpass },
	{ "fetch-jwks", pb_net_fetch_jwks },
};

int
main(int argc, char **argv)
{
	struct pb_err e;
	size_t i;
	int rv;

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (argc < 2) {
		fprintf(stderr, "%s: this program is run by %s; use that "
		    "instead\n", "bearer-token-net", PB_PROG);
		return PB_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, argv[1]) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
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
	rv = cmds[i].run(argc - 1, argv + 1);
	pb_http_global_cleanup();
	return rv;
}
