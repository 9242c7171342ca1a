/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hand-over to bearer-token-net (DESIGN.md section 3): every command
 * but a cached get and ssh executes the networked program with the same
 * arguments.
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
#ifndef PB_NET_PATH
#define PB_NET_PATH	"/usr/libexec/pam-bearer/bearer-token-net"
#endif

/*
 * The program name next to this one (a build tree, or a relocated
 * install) when there is one, else the configured path fallback.
 */
void
pb_handover_path(const char *name, const char *fallback, char *buf,
    size_t bufsz)
{
	char self[PATH_MAX];
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(buf, bufsz, "%s/%s", self, name) <
			    bufsz && access(buf, X_OK) == 0)
				return;
		}
	}
	(void)snprintf(buf, bufsz, "%s", fallback);
}

int
pb_handover_askpass(const char *cmd, char *buf, size_t bufsz)
{
	char sp[PB_PATH_BUFSZ];

	pb_handover_path("bearer-askpass", PB_ASKPASS_PATH, buf, bufsz);
	if (access(buf, X_OK) == 0)
		return 0;
	fprintf(stderr, "%s: %s: no askpass program at %s (is pam-bearer "
	    "installed completely?)\n", PB_PROG, cmd,
	    pb_log_path(buf, sp, sizeof(sp)));
	return -1;
}

char **
pb_handover_argv(char *first, int argc, char **argv)
{
	char **nargv;
	int i;

	if ((nargv = calloc((size_t)argc + 2, sizeof(*nargv))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return NULL;
	}
	nargv[0] = first;
	for (i = 0; i < argc; i++)
		nargv[i + 1] = argv[i];
	return nargv;
}

int
pb_handover_run(int argc, char **argv)
{
	static char prog[] = PB_PROG;
	char path[PATH_MAX + 32], sp[PB_PATH_BUFSZ];
	char **nargv;

	/* The arguments as given; no token or secret ever travels here. */
	if ((nargv = pb_handover_argv(prog, argc, argv)) == NULL)
		return PB_EXIT_FAIL;
	pb_handover_path("bearer-token-net", PB_NET_PATH, path,
	    sizeof(path));
	(void)fflush(NULL);
	execv(path, nargv);
	fprintf(stderr, "%s: cannot run %s for '%s': %s (is pam-bearer "
	    "installed completely?)\n", PB_PROG,
	    pb_log_path(path, sp, sizeof(sp)), argv[0], strerror(errno));
	free(nargv);
	return PB_EXIT_FAIL;
}
