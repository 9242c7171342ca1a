/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ssh [--profile NAME] ARGS: ssh(1) with bearer-askpass wired in.  The
 * front runs it itself (libc only): nothing here needs the net program.
 * Before it, "ssh -G ARGS" says which host ssh will reach (TARGET,
 * DESIGN.md section 5), for askpass; askpass learns it, the profile and
 * this run's id from the environment (no secret there).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "front.h"
#include "target.h"

#define SSH_G_MAX	(256 * 1024)	/* ssh -G's output, at most */

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

/* Run "ssh -G ARGS" with its output on a pipe: the child's pid, or -1. */
static pid_t
ssh_g_start(int argc, char **argv, int *fdp)
{
	static char ssh[] = "ssh", g[] = "-G";
	char **nargv;
	pid_t pid;
	int p[2], i, nul;

	/* "ssh", "-G", the argc arguments and the NULL that ends them. */
	if ((nargv = calloc((size_t)argc + 3, sizeof(*nargv))) == NULL)
		return -1;
	nargv[0] = ssh;
	nargv[1] = g;
	for (i = 0; i < argc; i++)
		nargv[i + 2] = argv[i];
	if (pipe2(p, O_CLOEXEC) == -1) {
		free(nargv);
		return -1;
	}
	if ((pid = fork()) == 0) {
		nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nul != -1 && dup2(nul, STDIN_FILENO) != -1 &&
		    dup2(p[1], STDOUT_FILENO) != -1)
			execvp("ssh", nargv);
		_exit(127);
	}
	free(nargv);
	close(p[1]);
	if (pid == -1)
		close(p[0]);
	else
		*fdp = p[0];
	return pid;
}

/*
 * The value of the one "hostname" line of ssh -G's output buf, or NULL
 * when there is none or more than one (which one ssh uses is not known).
 */
static char *
ssh_g_hostname(char *buf)
{
	char *line, *nl, *h = NULL;

	for (line = buf; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (strncmp(line, "hostname ", 9) == 0) {
			if (h != NULL)
				return NULL;
			h = line + 9;
		}
		if (nl == NULL)
			break;
	}
	return h;
}

/*
 * TARGET: the hostname "ssh -G ARGS" gives, into out (outsz bytes).  0, or
 * -1 after saying on stderr why there is none.
 */
static int
ssh_target(int argc, char **argv, char *out, size_t outsz)
{
	char sh[PB_SAFE_BUFSZ];
	char *buf, *h;
	size_t len = 0;
	ssize_t n;
	pid_t pid, w;
	int fd, st = 0, rv = -1;

	if ((buf = malloc(SSH_G_MAX + 1)) == NULL ||
	    (pid = ssh_g_start(argc, argv, &fd)) == -1) {
		free(buf);
		fprintf(stderr, "%s: ssh: cannot run ssh -G: %s\n", PB_PROG,
		    strerror(errno));
		return -1;
	}
	while (len < SSH_G_MAX && ((n = read(fd, buf + len, SSH_G_MAX - len))
	    > 0 || (n == -1 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	while ((w = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	/* A parent ignoring SIGCHLD makes waitpid() fail: no status. */
	if (w == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "%s: ssh: ssh -G failed, so the host to "
		    "reach is not known\n", PB_PROG);
	else if ((h = ssh_g_hostname(buf)) == NULL || !pb_target_valid(h) ||
	    strlen(h) >= outsz)
		fprintf(stderr, "%s: ssh: ssh -G gave no usable hostname%s%s"
		    "\n", PB_PROG, h != NULL ? ": " : "", h != NULL ?
		    pb_log_safe(h, sh, sizeof(sh)) : "");
	else {
		memcpy(out, h, strlen(h) + 1);
		rv = 0;
	}
	free(buf);
	return rv;
}

/*
 * The environment askpass reads: the profile (when given), TARGET (when
 * ssh -G gave it; unset otherwise, whatever an outer run left) and a
 * fresh run id.  0, or -1 after a message.
 */
static int
ssh_env(const char *profile, int argc, char **argv)
{
	char target[PB_TARGET_MAX + 1], run[33];
	unsigned char rnd[16];
	size_t i;

	if (profile != NULL && setenv("BEARER_TOKEN_PROFILE", profile, 1))
		return -1;
	if (ssh_target(argc, argv, target, sizeof(target)) == 0) {
		if (setenv(PB_TARGET_ENV, target, 1) == -1)
			return -1;
	} else {
		fprintf(stderr, "%s: ssh: askpass answers proof prompts only "
		    "for the host ssh names in them\n", PB_PROG);
		if (unsetenv(PB_TARGET_ENV) == -1)
			return -1;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	for (i = 0; i < sizeof(rnd); i++)
		(void)snprintf(run + 2 * i, 3, "%02x", rnd[i]);
	return setenv(PB_TARGET_RUN_ENV, run, 1);
}

/*
 * "--profile NAME", "--profile=NAME" and "--fresh", in any order, before
 * ssh's arguments: taken off *argvp (argv[0] stays).  0, or -1 for a
 * profile without a name.
 */
static int
own_options(int *argcp, char ***argvp, const char **profile, int *fresh)
{
	char **argv = *argvp;
	int argc = *argcp, n;

	for (;;) {
		n = 0;
		if (argc > 1 && strncmp(argv[1], "--profile=", 10) == 0) {
			*profile = argv[1] + 10;
			n = 1;
		} else if (argc > 1 && strcmp(argv[1], "--profile") == 0) {
			*profile = argc > 2 ? argv[2] : "";
			n = argc > 2 ? 2 : 1;
		} else if (argc > 1 && strcmp(argv[1], "--fresh") == 0) {
			*fresh = 1;
			n = 1;
		}
		if (n == 0)
			break;
		argv += n;
		argc -= n;
	}
	*argvp = argv;
	*argcp = argc;
	return *profile != NULL && **profile == '\0' ? -1 : 0;
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
	const char *profile = NULL;
	char **nargv;
	int i, k = 0, fresh = 0;

	/* Our options before ssh's own arguments; argv[0] stays ours. */
	if (own_options(&argc, &argv, &profile, &fresh) == -1) {
		pb_commands_help("ssh", 1);
		return PB_EXIT_USAGE;
	}
	pb_handover_path("bearer-askpass", PB_ASKPASS_PATH, path,
	    sizeof(path));
	if (access(path, X_OK) != 0) {
		fprintf(stderr, "%s: ssh: no askpass program at %s (is "
		    "pam-bearer installed completely?)\n", PB_PROG,
		    pb_log_path(path, sp, sizeof(sp)));
		return PB_EXIT_FAIL;
	}
	if (ssh_env(profile, argc - 1, argv + 1) == -1 ||
	    (fresh ? setenv(PB_TARGET_FRESH_ENV, "1", 1) :
	    unsetenv(PB_TARGET_FRESH_ENV)) == -1 ||
	    setenv("SSH_ASKPASS", path, 1) == -1 ||
	    setenv("SSH_ASKPASS_REQUIRE", "force", 1) == -1 ||
	    (nargv = calloc((size_t)argc + 3, sizeof(*nargv))) == NULL) {
		fprintf(stderr, "%s: ssh: cannot set up: %s\n", PB_PROG,
		    strerror(errno));
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
