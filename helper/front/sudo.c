/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sudo [--profile NAME] ARGS: sudo(8) with bearer-askpass wired in
 * (sudo -A runs SUDO_ASKPASS as the invoking user, with that user's
 * environment, the prompt as its one argument, and reads one line).  The
 * front runs it itself (libc only): nothing here needs the net program.
 *
 * sudo is a local PAM client and writes no "(user@host) " prefix before
 * the module's prompts, so askpass learns from PB_TARGET_SUDO_ENV that
 * its prompts come from this host: it answers proof prompts for this
 * host's own name (DESIGN.md section 5), and only while its parent is
 * sudo.  sudo drops any answer of 512 bytes or more, which askpass's
 * parts of 500 bytes stay below (common/prompt.h).
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
#include "target.h"


/*
 * "--profile NAME" or "--profile=NAME" before sudo's arguments, taken off
 * *argvp (argv[0] stays).  A "--" is sudo's (the end of its options) and
 * stays.  0, or -1 for a profile without a name.
 */
static int
own_options(int *argcp, char ***argvp, const char **profile)
{
	char **argv = *argvp;
	int argc = *argcp, n = 0;

	if (argc > 1 && strncmp(argv[1], "--profile=", 10) == 0) {
		*profile = argv[1] + 10;
		n = 1;
	} else if (argc > 1 && strcmp(argv[1], "--profile") == 0) {
		*profile = argc > 2 ? argv[2] : "";
		n = argc > 2 ? 2 : 1;
	}
	*argvp += n;
	*argcp -= n;
	return *profile != NULL && **profile == '\0' ? -1 : 0;
}

/*
 * The environment askpass reads: the profile (when given), the mark of a
 * sudo run, and none of bearer-token ssh's (an outer run's TARGET, run
 * id or --fresh must not apply here; the run is told by sudo's pid).
 */
static int
sudo_env(const char *profile)
{
	if (profile != NULL && setenv("BEARER_TOKEN_PROFILE", profile, 1))
		return -1;
	return setenv(PB_TARGET_SUDO_ENV, "1", 1) == -1 ||
	    unsetenv(PB_TARGET_ENV) == -1 ||
	    unsetenv(PB_TARGET_RUN_ENV) == -1 ||
	    unsetenv(PB_TARGET_FRESH_ENV) == -1 ? -1 : 0;
}

/*
 * sudo ARGS: run "sudo -A ARGS" with this helper as its askpass.  The
 * token never appears here: sudo asks bearer-askpass, prompt by prompt.
 */
int
pb_sudo_run(int argc, char **argv)
{
	static char sudo[] = "sudo", a[] = "-A";
	char path[PATH_MAX + 32];
	const char *profile = NULL;
	char **nargv;
	int i, k = 0;

	if (own_options(&argc, &argv, &profile) == -1 || argc < 2) {
		pb_commands_help("sudo", 1);
		return PB_EXIT_USAGE;
	}
	if (pb_handover_askpass("sudo", path, sizeof(path)) == -1)
		return PB_EXIT_FAIL;
	if (sudo_env(profile) == -1 ||
	    setenv("SUDO_ASKPASS", path, 1) == -1 ||
	    (nargv = calloc((size_t)argc + 2, sizeof(*nargv))) == NULL) {
		fprintf(stderr, "%s: sudo: cannot set up: %s\n", PB_PROG,
		    strerror(errno));
		return PB_EXIT_FAIL;
	}
	nargv[k++] = sudo;
	nargv[k++] = a;
	for (i = 1; i < argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	execvp("sudo", nargv);
	fprintf(stderr, "%s: cannot run sudo: %s (apt-get install sudo)\n",
	    PB_PROG, strerror(errno));
	free(nargv);
	return PB_EXIT_FAIL;
}
