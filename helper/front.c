/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cached path of "get" and the hand-over to bearer-token-net
 * (DESIGN.md section 3): a valid cached access token is printed without
 * loading libcurl or libsecret or talking to D-Bus; anything else is the
 * networked program's job.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cache.h"
#include "cmd.h"
#include "err.h"
#include "hconf.h"
#include "pdir.h"
#include "secmem.h"

#ifndef PB_ASKPASS_PATH
#define PB_ASKPASS_PATH	"/usr/bin/bearer-askpass"
#endif
#ifndef PB_NET_PATH
#define PB_NET_PATH	"/usr/libexec/pam-bearer/bearer-token-net"
#endif

int
pb_cmd_args(int argc, char **argv, struct pb_hopts *o, long *min_ttl,
    const char *const *flags, int *set)
{
	char sb[PB_SAFE_BUFSZ];
	const char *v;
	char *end;
	int i = 1, t, k;

	memset(o, 0, sizeof(*o));
	if (min_ttl != NULL)
		*min_ttl = -1;
	for (k = 0; flags != NULL && flags[k] != NULL; k++)
		set[k] = 0;
	while (i < argc) {
		if ((t = pb_hopts_take(o, argc, argv, &i)) == -1)
			return PB_EXIT_USAGE;
		if (t == 1)
			continue;
		for (k = 0; flags != NULL && flags[k] != NULL; k++)
			if (strcmp(argv[i], flags[k]) == 0)
				break;
		if (flags != NULL && flags[k] != NULL) {
			set[k] = 1;
			i++;
			continue;
		}
		if (min_ttl != NULL && strcmp(argv[i], "--min-ttl") == 0 &&
		    i + 1 == argc) {
			fprintf(stderr, "%s: %s: --min-ttl needs a value\n",
			    PB_PROG, argv[0]);
			return PB_EXIT_USAGE;
		} else if (min_ttl != NULL && strcmp(argv[i], "--min-ttl") == 0)
			v = argv[i + 1], i += 2;
		else if (min_ttl != NULL &&
		    strncmp(argv[i], "--min-ttl=", 10) == 0)
			v = argv[i] + 10, i += 1;
		else {
			fprintf(stderr, "%s: %s: unknown argument '%s'\n",
			    PB_PROG, argv[0], pb_log_safe(argv[i], sb,
			    sizeof(sb)));
			pb_cmd_help(argv[0], 1);
			return PB_EXIT_USAGE;
		}
		errno = 0;
		*min_ttl = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || end == v || *min_ttl < 0 ||
		    *min_ttl > 86400) {
			fprintf(stderr, "%s: %s: --min-ttl takes seconds, 0 "
			    "to 86400\n", PB_PROG, argv[0]);
			return PB_EXIT_USAGE;
		}
	}
	return PB_EXIT_OK;
}

/* RFC 6750 2.1: the request header that carries a bearer token. */
static const char hdr_prefix[] = "Authorization: Bearer ";

int
pb_print_token(const struct pb_secret *tok, int header)
{
	struct iovec iov[3];
	ssize_t n;
	int i = 0, k = 0;

	/*
	 * As a header line, a byte outside the token's syntax would end
	 * the header or start another: refuse (the token is not shown).
	 * RFC 6750 2.1 says what may follow "Bearer ": a b64token, which
	 * every token is checked to be where it enters the helper.
	 */
	if (header && !pb_cache_b64token(tok->p, tok->len)) {
		fprintf(stderr, "%s: the access token is not an RFC 6750 "
		    "b64token and cannot go in an HTTP header; not printed\n",
		    PB_PROG);
		return PB_EXIT_FAIL;
	}
	(void)fflush(stdout);
	if (header) {
		iov[k].iov_base = (void *)(uintptr_t)hdr_prefix;
		iov[k++].iov_len = sizeof(hdr_prefix) - 1;
	}
	iov[k].iov_base = tok->p;
	iov[k++].iov_len = tok->len;
	iov[k].iov_base = (void *)(uintptr_t)"\n";
	iov[k++].iov_len = 1;
	while (i < k) {
		n = writev(STDOUT_FILENO, iov + i, k - i);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "%s: cannot write the token: %s\n",
			    PB_PROG, strerror(errno));
			return PB_EXIT_FAIL;
		}
		while (i < k && (size_t)n >= iov[i].iov_len) {
			n -= (ssize_t)iov[i].iov_len;
			i++;
		}
		if (i < k) {
			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= (size_t)n;
		}
	}
	return PB_EXIT_OK;
}

/*
 * The program name next to this one (a build tree, or a relocated
 * install) when there is one, else the configured path fallback.
 */
static void
sibling_or(const char *name, const char *fallback, char *buf, size_t bufsz)
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
pb_cmd_net_as(const char *cmd, int argc, char **argv)
{
	static char name[32];
	char **nargv;
	int i, rv;

	(void)snprintf(name, sizeof(name), "%s", cmd);
	if ((nargv = calloc((size_t)argc + 2, sizeof(*nargv))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	nargv[0] = name;
	for (i = 0; i < argc; i++)
		nargv[i + 1] = argv[i];
	rv = pb_cmd_net(argc + 1, nargv);
	free(nargv);
	return rv;
}

int
pb_cmd_net(int argc, char **argv)
{
	static char prog[] = PB_PROG;
	char path[PATH_MAX + 32], sp[PB_PATH_BUFSZ];
	char **nargv;
	int i;

	if ((nargv = calloc((size_t)argc + 2, sizeof(*nargv))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	/* The arguments as given; no token or secret ever travels here. */
	nargv[0] = prog;
	for (i = 0; i < argc; i++)
		nargv[i + 1] = argv[i];
	sibling_or("bearer-token-net", PB_NET_PATH, path, sizeof(path));
	(void)fflush(NULL);
	execv(path, nargv);
	fprintf(stderr, "%s: cannot run %s for '%s': %s (is pam-bearer "
	    "installed completely?)\n", PB_PROG,
	    pb_log_path(path, sp, sizeof(sp)), argv[0], strerror(errno));
	free(nargv);
	return PB_EXIT_FAIL;
}

/*
 * The cached path: the profile's settings, then the cache file, no lock
 * (the file is replaced by rename, so a read sees a whole old or a whole
 * new one).  Any miss or doubt goes to bearer-token-net, which locks,
 * looks again and refreshes.
 */
int
pb_cmd_get(int argc, char **argv)
{
	static const char *const flags[] = { "--header", NULL };
	struct pb_hopts o;
	struct pb_hconf c;
	struct pb_pdir d = { NULL, -1 };
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct pb_err e;
	char *run = NULL;
	long min_ttl;
	int rv, header;

	pb_err_clear(&e);
	if ((rv = pb_cmd_args(argc, argv, &o, &min_ttl, flags, &header)) !=
	    PB_EXIT_OK)
		return rv;
	/* Configuration errors are for the networked side to report. */
	if (pb_hconf_load(&c, &o, &e) == PB_OK &&
	    pb_pdir_runtime_path(&run, &e) == PB_OK &&
	    pb_pdir_open(&d, run, 0, &e) == PB_OK &&
	    pb_cache_read(&d, &c, &t, &e) == PB_OK &&
	    pb_cached_fresh(&t, (int64_t)time(NULL), min_ttl)) {
		rv = pb_print_token(&t.token, header);
		goto out;
	}
	pb_cached_clear(&t);
	pb_pdir_close(&d);
	pb_hconf_clear(&c);
	free(run);
	return pb_cmd_net(argc, argv);
 out:
	pb_cached_clear(&t);
	pb_pdir_close(&d);
	pb_hconf_clear(&c);
	free(run);
	return rv;
}

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
pb_cmd_ssh(int argc, char **argv)
{
	static char ssh[] = "ssh", o[] = "-o",
	    pref[] = "PreferredAuthentications=keyboard-interactive,"
	    "publickey,password";
	char path[PATH_MAX + 32], sp[PB_PATH_BUFSZ];
	char **nargv;
	int i, k = 0;

	sibling_or("bearer-askpass", PB_ASKPASS_PATH, path, sizeof(path));
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
