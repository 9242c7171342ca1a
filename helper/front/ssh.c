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
#include <signal.h>
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
#include "refusal.h"
#include "target.h"

#define SSH_G_MAX	(256 * 1024)	/* ssh -G's output, at most */



/* Whether the user set the ssh option name already. */
static int
chose(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcasestr(argv[i], name) != NULL)
			return 1;
	return 0;
}

/*
 * Whether a token can be had before ssh connects: "bearer-token get
 * --min-ttl 0" (this program: the cached get, else bearer-token-net
 * refreshes), its token thrown away; it says on stderr what is wrong.  A
 * live cached token needs no IdP, so an IdP that is down stops nobody
 * who has one.  PB_EXIT_OK, or the status of get after a line saying
 * that ssh was not started.
 */
static int
token_ready(const char *profile)
{
	static char prog[] = PB_PROG, get[] = "get", ttl[] = "--min-ttl=0";
	char *const gargv[] = { prog, get, ttl, NULL };
	const char *pf = profile != NULL ? " --profile " : "";
	const char *pn = profile != NULL ? profile : "";
	pid_t pid, w = -1;
	int st = 0, nul, rv;

	(void)fflush(NULL);
	if ((pid = fork()) == 0) {
		nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if ((profile == NULL ||
		    setenv("BEARER_TOKEN_PROFILE", profile, 1) == 0) &&
		    nul != -1 && dup2(nul, STDIN_FILENO) != -1 &&
		    dup2(nul, STDOUT_FILENO) != -1)
			execv("/proc/self/exe", gargv);
		_exit(PB_EXIT_FAIL);
	}
	while (pid != -1 && (w = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	if (pid == -1 || w == -1 || !WIFEXITED(st))
		rv = PB_EXIT_FAIL;
	else
		rv = WEXITSTATUS(st);
	if (rv == PB_EXIT_OK)
		return PB_EXIT_OK;
	if (rv == PB_EXIT_LOGIN)
		fprintf(stderr, "%s: ssh: no session, so ssh was not started: "
		    "run '%s login%s%s' first\n", PB_PROG, PB_PROG, pf, pn);
	else if (rv == PB_EXIT_TEMP)
		fprintf(stderr, "%s: ssh: the IdP cannot be reached and no "
		    "cached token is left, so ssh was not started: try again "
		    "later\n", PB_PROG);
	else
		fprintf(stderr, "%s: ssh: no token (see above), so ssh was not "
		    "started; '%s status%s%s' shows the session\n", PB_PROG,
		    PB_PROG, pf, pn);
	return rv;
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

/* The ssh child, for forward(). */
static volatile sig_atomic_t ssh_pid;

/* SIGTERM or SIGHUP for this process is meant for ssh too. */
static void
forward(int sig)
{
	if (ssh_pid > 0)
		(void)kill((pid_t)ssh_pid, sig);
}

/*
 * Wait for ssh (pid) to end, its status in *st; -1 when waiting fails.
 * When ssh stops (its ~^Z escape stops only ssh), this process stops with
 * the same signal, so that the shell sees the job stop; once continued,
 * so is ssh.  (Checked by hand: ~^Z, then fg, in an interactive shell.)
 */
static pid_t
wait_ssh(pid_t pid, int *st)
{
	pid_t w;

	for (;;) {
		if ((w = waitpid(pid, st, WUNTRACED)) == -1 && errno == EINTR)
			continue;
		if (w == -1 || !WIFSTOPPED(*st))
			return w;
		(void)raise(WSTOPSIG(*st));
		(void)kill(pid, SIGCONT);
	}
}

/*
 * Run ssh with nargv and wait for it, its status ours (a signal's as the
 * shell has it, 128 + N): waiting, not exec, so that a failure after the
 * token went out gets its hint (pb_refusal_after_ssh()).  While ssh runs
 * it has the terminal's ^C and ^\ to itself, as under system(3), and gets
 * the SIGTERM or SIGHUP sent to this process: both are blocked from before
 * the fork until the forwarders are in place, so none is lost.
 */
static int
ssh_wait(char **nargv)
{
	struct sigaction ign, fwd, oint, oquit, oterm, ohup;
	sigset_t th, omask;
	pid_t pid, w = -1;
	int st = 0;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigemptyset(&ign.sa_mask);
	fwd = ign;
	fwd.sa_handler = forward;
	(void)sigemptyset(&th);
	(void)sigaddset(&th, SIGTERM);
	(void)sigaddset(&th, SIGHUP);
	(void)sigaction(SIGINT, &ign, &oint);
	(void)sigaction(SIGQUIT, &ign, &oquit);
	(void)sigprocmask(SIG_BLOCK, &th, &omask);
	(void)sigaction(SIGTERM, &fwd, &oterm);
	(void)sigaction(SIGHUP, &fwd, &ohup);
	(void)fflush(NULL);
	if ((pid = fork()) == 0) {
		(void)sigaction(SIGINT, &oint, NULL);
		(void)sigaction(SIGQUIT, &oquit, NULL);
		(void)sigaction(SIGTERM, &oterm, NULL);
		(void)sigaction(SIGHUP, &ohup, NULL);
		(void)sigprocmask(SIG_SETMASK, &omask, NULL);
		execvp("ssh", nargv);
		fprintf(stderr, "%s: cannot run ssh: %s (apt-get install "
		    "openssh-client)\n", PB_PROG, strerror(errno));
		_exit(PB_EXIT_FAIL);
	}
	ssh_pid = (sig_atomic_t)pid;
	(void)sigprocmask(SIG_SETMASK, &omask, NULL);
	if (pid != -1)
		w = wait_ssh(pid, &st);
	(void)sigaction(SIGTERM, &oterm, NULL);
	(void)sigaction(SIGHUP, &ohup, NULL);
	(void)sigaction(SIGINT, &oint, NULL);
	(void)sigaction(SIGQUIT, &oquit, NULL);
	if (pid == -1 || w == -1) {
		fprintf(stderr, "%s: ssh: cannot run or wait for ssh: %s\n",
		    PB_PROG, strerror(errno));
		return PB_EXIT_FAIL;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	/* 255: ssh's own failure, a refused login among them. */
	if (WEXITSTATUS(st) == 255)
		pb_refusal_after_ssh();
	return WEXITSTATUS(st);
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
 * pam_bearer asks for the token; not at all when no token can be had.
 * The token never appears here: ssh asks bearer-askpass for it, prompt
 * by prompt.
 */
int
pb_ssh_run(int argc, char **argv)
{
	static char ssh[] = "ssh", o[] = "-o",
	    pref[] = "PreferredAuthentications=keyboard-interactive,"
	    "publickey,password", once[] = "NumberOfPasswordPrompts=1";
	char path[PATH_MAX + 32];
	const char *profile = NULL;
	char **nargv;
	int i, k = 0, fresh = 0, rv;

	/*
	 * A parent that ignores SIGCHLD leaves no status to wait for (get,
	 * ssh -G, ssh): the default makes waitpid() work.
	 */
	(void)signal(SIGCHLD, SIG_DFL);
	/* Our options before ssh's own arguments; argv[0] stays ours. */
	if (own_options(&argc, &argv, &profile, &fresh) == -1) {
		pb_commands_help("ssh", 1);
		return PB_EXIT_USAGE;
	}
	if (pb_handover_askpass("ssh", path, sizeof(path)) == -1)
		return PB_EXIT_FAIL;
	if ((rv = token_ready(profile)) != PB_EXIT_OK)
		return rv;
	if (ssh_env(profile, argc - 1, argv + 1) == -1 ||
	    (fresh ? setenv(PB_TARGET_FRESH_ENV, "1", 1) :
	    unsetenv(PB_TARGET_FRESH_ENV)) == -1 ||
	    setenv("SSH_ASKPASS", path, 1) == -1 ||
	    setenv("SSH_ASKPASS_REQUIRE", "force", 1) == -1 ||
	    (nargv = calloc((size_t)argc + 5, sizeof(*nargv))) == NULL) {
		fprintf(stderr, "%s: ssh: cannot set up: %s\n", PB_PROG,
		    strerror(errno));
		return PB_EXIT_FAIL;
	}
	nargv[k++] = ssh;
	if (!chose(argc, argv, "PreferredAuthentications")) {
		nargv[k++] = o;
		nargv[k++] = pref;
	}
	/*
	 * One round of keyboard-interactive: a refused token is not tried
	 * again (askpass answers nothing more after a refusal, refusal.c),
	 * nor is a password asked twice.
	 */
	if (!chose(argc, argv, "NumberOfPasswordPrompts")) {
		nargv[k++] = o;
		nargv[k++] = once;
	}
	for (i = 1; i < argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	rv = ssh_wait(nargv);
	free(nargv);
	return rv;
}
