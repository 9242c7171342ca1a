/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * get_bench: what a cached "bearer-token get" costs a script, the path
 * users feel (issue: a fast get; DESIGN.md section 3).
 *
 *   get_bench [-n RUNS] FRONT NET
 *	Makes a private XDG environment in a temp directory with a profile
 *	and a valid cached access token (a dummy string: the cached path
 *	never verifies), then times RUNS executions each of
 *	  /bin/true             the floor: fork, exec, exit
 *	  FRONT get             the cached path: no libcurl, no libsecret
 *	  NET get               the same answer from bearer-token-net, which
 *	                        loads libcurl and libsecret and takes the lock
 *	and prints the median, the 90th percentile and ratios to the floor.
 *
 *   get_bench [-n RUNS] --run CMD ARGS...
 *	Times RUNS executions of CMD (stdout to /dev/null) in the caller's
 *	environment and prints the same figures: bench/refresh.sh uses it to
 *	time refreshes against the IdP fixture.
 *
 * Figures only: nothing here fails on time (make check never asserts one).
 */
#include "config.h"

#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "token_cache.h"
#include "profile.h"
#include "privdir.h"

extern char **environ;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Run argv once with stdout on /dev/null; its wall time in ms, -1 on error.
 * posix_spawn (vfork underneath) keeps the harness's own cost small.
 */
static double
run_once(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	double t0;
	pid_t pid;
	int st, r;

	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0) != 0)
		return -1;
	t0 = now_ms();
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -1;
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return now_ms() - t0;
}

/*
 * Time n rounds of the k commands, interleaved (one run of each per round)
 * so that a burst of load on the machine hits them alike; print a row per
 * command and store its median in med[].  -1 when a run fails.
 */
static int
rounds(int k, const char *const label[], char *const *const argv[], int n,
    double med[])
{
	double *t;
	int i, j;

	if ((t = calloc((size_t)n * (size_t)k, sizeof(*t))) == NULL)
		return -1;
	for (j = 0; j < k; j++)
		(void)run_once(argv[j]);	/* warm the page cache */
	for (i = 0; i < n; i++)
		for (j = 0; j < k; j++)
			if ((t[j * n + i] = run_once(argv[j])) < 0) {
				fprintf(stderr, "get_bench: %s failed (exit "
				    "status not 0)\n", label[j]);
				free(t);
				return -1;
			}
	for (j = 0; j < k; j++) {
		qsort(t + j * n, (size_t)n, sizeof(*t), cmp_double);
		med[j] = t[j * n + n / 2];
		printf("%-34s %9.3f ms %9.3f ms\n", label[j], med[j],
		    t[j * n + (n * 9) / 10]);
	}
	free(t);
	return 0;
}

static int
setenv_dir(const char *tmp, const char *var, const char *sub)
{
	char p[512];

	(void)snprintf(p, sizeof(p), "%s/%s", tmp, sub);
	if (mkdir(p, 0700) == -1 && errno != EEXIST)
		return -1;
	return setenv(var, p, 1);
}

/* A profile and a cached token valid for an hour. */
static int
setup(char *tmp)
{
	static char token[] = "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl";
	char p[512];
	struct pb_options o;
	struct pb_profile c;
	struct pb_privdir d = { NULL, -1 };
	struct pb_cached t;
	struct pb_err e;
	FILE *f;
	int r;

	if (mkdtemp(tmp) == NULL ||
	    setenv_dir(tmp, "HOME", "home") == -1 ||
	    setenv_dir(tmp, "XDG_CONFIG_HOME", "config") == -1 ||
	    setenv_dir(tmp, "XDG_STATE_HOME", "state") == -1 ||
	    setenv_dir(tmp, "XDG_RUNTIME_DIR", "run") == -1)
		return -1;
	(void)snprintf(p, sizeof(p), "%s/config/bearer-token", tmp);
	if (mkdir(p, 0700) == -1)
		return -1;
	(void)snprintf(p, sizeof(p), "%s/config/bearer-token/config", tmp);
	if ((f = fopen(p, "w")) == NULL)
		return -1;
	fprintf(f, "[profile default]\nissuer = http://127.0.0.1:9/bench\n"
	    "client_id = bench\nstore = file\n");
	if (fclose(f) != 0)
		return -1;
	/* No bus: the net binary must not find a keyring to ask. */
	(void)setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
	(void)unsetenv("BEARER_TOKEN_PROFILE");
	memset(&o, 0, sizeof(o));
	pb_err_clear(&e);
	if (pb_profile_load(&c, &o, &e) != PB_OK) {
		fprintf(stderr, "get_bench: %s\n", pb_err_msg(&e));
		return -1;
	}
	(void)snprintf(p, sizeof(p), "%s/run/bearer-token", tmp);
	t.token.p = token;
	t.token.len = strlen(token);
	t.obtained_at = (int64_t)time(NULL);
	t.expires_at = t.obtained_at + 3600;
	r = pb_privdir_open(&d, p, 1, &e) == PB_OK &&
	    pb_token_cache_write(&d, &c, &t, &e) == PB_OK ? 0 : -1;
	if (r == -1)
		fprintf(stderr, "get_bench: %s\n", pb_err_msg(&e));
	pb_privdir_close(&d);
	pb_profile_clear(&c);
	return r;
}

static void
usage(void)
{
	fprintf(stderr, "usage: get_bench [-n RUNS] FRONT NET\n"
	    "       get_bench [-n RUNS] --run CMD [ARGS...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	char tmp[] = "/tmp/get_bench.XXXXXX";
	char cmd[600];
	char *floor_argv[] = { (char *)(uintptr_t)"/bin/true", NULL };
	char *front_argv[3], *net_argv[3];
	const char *label[3];
	char *const *argvs[3];
	double med[3];
	char *end;
	long lv;
	int n = 1000, i = 1, rc;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		errno = 0;
		lv = strtol(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || lv < 10 || lv > 1000000)
			usage();
		n = (int)lv;
		i = 3;
	}
	if (n < 10)
		usage();
	printf("%-34s %12s %12s\n", "command", "median", "p90");
	if (argc - i >= 2 && strcmp(argv[i], "--run") == 0) {
		label[0] = "/bin/true (fork+exec floor)";
		argvs[0] = floor_argv;
		label[1] = argv[i + 1];
		argvs[1] = argv + i + 1;
		if (rounds(2, label, argvs, n, med) == -1)
			return 1;
		printf("ratio to the floor: %.2f\n", med[1] / med[0]);
		return 0;
	}
	if (argc - i != 2)
		usage();
	if (setup(tmp) == -1) {
		fprintf(stderr, "get_bench: setup in %s failed\n", tmp);
		return 1;
	}
	front_argv[0] = argv[i];
	front_argv[1] = (char *)(uintptr_t)"get";
	front_argv[2] = NULL;
	net_argv[0] = argv[i + 1];
	net_argv[1] = (char *)(uintptr_t)"get";
	net_argv[2] = NULL;
	printf("(%d runs each, cached token valid for an hour)\n", n);
	label[0] = "/bin/true (fork+exec floor)";
	argvs[0] = floor_argv;
	label[1] = "bearer-token get (cached)";
	argvs[1] = front_argv;
	label[2] = "bearer-token-net get (cached)";
	argvs[2] = net_argv;
	rc = rounds(3, label, argvs, n, med) == -1 ? 1 : 0;
	if (rc == 0)
		printf("cached get: %.2f x the floor (+%.3f ms); "
		    "bearer-token-net takes %.2f x as long as the front\n",
		    med[1] / med[0], med[1] - med[0], med[2] / med[1]);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "get_bench: could not remove %s\n", tmp);
	return rc;
}
