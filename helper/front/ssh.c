/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ssh ARGS: ssh(1) with bearer-askpass wired in.  The front runs it
 * itself (libc only, one exec): nothing here needs the net program.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "front.h"

#ifndef PB_ASKPASS_PATH
#define PB_ASKPASS_PATH	"/usr/bin/bearer-askpass"
#endif


/* Whether the user chose the authentication methods already. */
static int
chose_methods(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcasestr(argv[i], "PreferredAuthentications") != NULL)
			return 1;
	return 0;
}

/*
 * ssh ARGS: run ssh with this helper as its askpass (forced, so no
 * DISPLAY is needed) and keyboard-interactive tried first, where
 * pam_bearer asks for the token.  The token never appears here: ssh asks
 * bearer-askpass for it, prompt by prompt.
 */
int
pb_ssh_run(int argc, char **argv)
{
	static char ssh[] = "ssh", o[] = "-o",
	    pref[] = "PreferredAuthentications=keyboard-interactive,"
	    "publickey,password";
	char path[PATH_MAX + 32], sp[PB_PATH_BUFSZ];
	char **nargv;
	int i, k = 0;

	pb_handover_path("bearer-askpass", PB_ASKPASS_PATH, path,
	    sizeof(path));
	if (access(path, X_OK) != 0) {
		fprintf(stderr, "%s: ssh: no askpass program at %s (is "
		    "pam-bearer installed completely?)\n", PB_PROG,
		    pb_log_path(path, sp, sizeof(sp)));
		return PB_EXIT_FAIL;
	}
	if (setenv("SSH_ASKPASS", path, 1) == -1 ||
	    setenv("SSH_ASKPASS_REQUIRE", "force", 1) == -1 ||
	    (nargv = calloc((size_t)argc + 3, sizeof(*nargv))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	nargv[k++] = ssh;
	if (!chose_methods(argc, argv)) {
		nargv[k++] = o;
		nargv[k++] = pref;
	}
	for (i = 1; i < argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	execvp("ssh", nargv);
	fprintf(stderr, "%s: cannot run ssh: %s (apt-get install "
	    "openssh-client)\n", PB_PROG, strerror(errno));
	free(nargv);
	return PB_EXIT_FAIL;
}
