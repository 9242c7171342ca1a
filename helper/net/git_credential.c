/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * "git-credential": git's credential helper protocol, handing out the
 * token "get" would print; it prints nothing on stdout but what the
 * protocol asks for.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "token_cache.h"
#include "commands.h"
#include "err.h"
#include "out.h"
#include "profile.h"
#include "net.h"
#include "secmem.h"
#include "target.h"

#define GIT_INPUT_MAX	(64 * 1024)	/* one credential description */

/* What git told us, as far as we care. */
struct gitreq {
	int		 authtype;	/* capability[]=authtype offered */
	int		 https;		/* protocol=https */
	char		 proto[16];	/* protocol=, cut, for messages */
	char		*host;		/* host=, with :port when given */
	char		*username;
	struct pb_secret password;	/* erase: the one that failed */
};

static void
git_clear(struct gitreq *g)
{
	free(g->host);
	free(g->username);
	pb_secret_clear(&g->password);
	memset(g, 0, sizeof(*g));
}

/* Read git's "key=value" lines up to a blank line or EOF. */
static int
git_read(struct gitreq *g)
{
	char *buf, *line, *nl, *eq;
	size_t len = 0;
	ssize_t n;
	int r = -1;

	memset(g, 0, sizeof(*g));
	/* One buffer of the cap: no realloc leaves a password behind. */
	if ((buf = malloc(GIT_INPUT_MAX + 1)) == NULL)
		return -1;
	while (len < GIT_INPUT_MAX) {
		n = read(STDIN_FILENO, buf + len, GIT_INPUT_MAX - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\n\n") != NULL || strcmp(buf, "\n") == 0)
			break;
	}
	buf[len] = '\0';
	for (line = buf; *line != '\0' && *line != '\n'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		if ((eq = memchr(line, '=', (size_t)(nl - line))) != NULL) {
			*eq = '\0';
			if (strcmp(line, "protocol") == 0) {
				g->https = (size_t)(nl - eq - 1) == 5 &&
				    memcmp(eq + 1, "https", 5) == 0;
				(void)snprintf(g->proto, sizeof(g->proto),
				    "%.*s", (int)(nl - eq - 1), eq + 1);
			}
			else if (strcmp(line, "capability[]") == 0 &&
			    (size_t)(nl - eq - 1) == 8 &&
			    memcmp(eq + 1, "authtype", 8) == 0)
				g->authtype = 1;
			else if (strcmp(line, "host") == 0 &&
			    g->host == NULL && (g->host = strndup(eq + 1,
			    (size_t)(nl - eq - 1))) == NULL)
				goto out;
			else if (strcmp(line, "username") == 0 &&
			    g->username == NULL &&
			    (g->username = strndup(eq + 1,
			    (size_t)(nl - eq - 1))) == NULL)
				goto out;
			else if ((strcmp(line, "password") == 0 ||
			    strcmp(line, "credential") == 0) &&
			    g->password.p == NULL &&
			    pb_secret_dup(&g->password, eq + 1,
			    (size_t)(nl - eq - 1)) != PB_OK)
				goto out;
		}
		if (*nl == '\0')
			break;
	}
	r = 0;
 out:
	pb_freezero(buf, GIT_INPUT_MAX + 1);
	if (r == -1)
		git_clear(g);
	return r;
}

/* Answer "get": the token as git's protocol has it. */
static int
git_get(const struct gitreq *g, const struct pb_options *o, long min_ttl)
{
	char line[160];
	struct pb_cached t;
	const char *key;
	int rv, n;

	if ((rv = pb_get_token(o, min_ttl, &t)) != PB_EXIT_OK)
		return rv;
	if (g->authtype) {
		/* git 2.46+: an Authorization scheme of our choosing. */
		n = snprintf(line, sizeof(line), "capability[]=authtype\n"
		    "authtype=Bearer\n");
		key = "credential=";
	} else {
		/* Older git: HTTP Basic, the token as the password. */
		n = snprintf(line, sizeof(line), "username=%s\n",
		    g->username != NULL && strchr(g->username, '\n') == NULL &&
		    strlen(g->username) < 100 ? g->username : "oauth2");
		key = "password=";
	}
	if (pb_out_write(STDOUT_FILENO, line, (size_t)n) == -1 ||
	    pb_out_write(STDOUT_FILENO, key, strlen(key)) == -1 ||
	    pb_out_write(STDOUT_FILENO, t.token.p, t.token.len) == -1 ||
	    pb_out_write(STDOUT_FILENO, "\n", 1) == -1)
		rv = PB_EXIT_FAIL;
	if (rv == PB_EXIT_OK && t.expires_at > 0) {
		n = snprintf(line, sizeof(line), "password_expiry_utc=%lld\n",
		    (long long)t.expires_at);
		if (pb_out_write(STDOUT_FILENO, line, (size_t)n) == -1)
			rv = PB_EXIT_FAIL;
	}
	if (rv != PB_EXIT_OK)
		fprintf(stderr, "%s: cannot write: %s\n", PB_PROG,
		    strerror(errno));
	pb_token_cache_clear(&t);
	return rv;
}

/*
 * Whether git's host= value h is a host name (A-Z a-z 0-9 . -, at most
 * PB_TARGET_MAX) with an optional ":PORT" (1 to 5 digits): only then is it
 * matched against git_hosts, whose patterns would match more ("*.x" matches
 * "evil.example/a.x").
 */
static int
git_host_ok(const char *h)
{
	size_t n = strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789.-"), p;

	if (n == 0 || n > PB_TARGET_MAX)
		return 0;
	if (h[n] == '\0')
		return 1;
	p = strspn(h + n + 1, "0123456789");
	return h[n] == ':' && p > 0 && p <= 5 && h[n + 1 + p] == '\0';
}

/*
 * Whether the profile lets the token go to g's host (git_hosts, DESIGN.md
 * section 5): PB_EXIT_OK, else a status after saying why on stderr.
 */
static int
git_allowed(const struct gitreq *g, const struct pb_options *o)
{
	char sh[PB_SAFE_BUFSZ];
	struct pb_profile c;
	struct pb_err e;
	int r, rv = PB_EXIT_OK;

	pb_err_clear(&e);
	if ((r = pb_profile_load(&c, o, &e)) != PB_OK) {
		fprintf(stderr, "%s: %s\n", PB_PROG, pb_err_msg(&e));
		rv = r == PB_ERR_NOMEM ? PB_EXIT_FAIL : PB_EXIT_CONFIG;
	} else if (c.git_hosts == NULL) {
		fprintf(stderr, "%s: git-credential: profile '%s' has no "
		    "git_hosts, so its token goes to no git host: add "
		    "\"git_hosts = HOST...\" under [profile %s]\n", PB_PROG,
		    c.profile, c.profile);
		rv = PB_EXIT_CONFIG;
	} else if (g->host != NULL && !git_host_ok(g->host)) {
		fprintf(stderr, "%s: git-credential: host '%s' is not a host "
		    "name (with an optional :port): no token for it\n",
		    PB_PROG, pb_log_safe(g->host, sh, sizeof(sh)));
		rv = PB_EXIT_FAIL;
	} else if (g->host == NULL || !pb_target_match(c.git_hosts, g->host)) {
		fprintf(stderr, "%s: git-credential: host '%s' is not in "
		    "git_hosts of profile '%s': no token for it\n", PB_PROG,
		    g->host != NULL ? pb_log_safe(g->host, sh, sizeof(sh)) :
		    "(none given)", c.profile);
		rv = PB_EXIT_FAIL;
	}
	pb_profile_clear(&c);
	return rv;
}

/*
 * Say why a get over anything but https gets nothing: git shows our
 * stderr, and a silent helper leaves the user at a password prompt or a
 * bare "Authentication failed".  Exit status 0 all the same, so that git
 * goes on to its other helpers.
 */
static void
not_https(const struct gitreq *g)
{
	char sp[PB_SAFE_BUFSZ], sh[PB_SAFE_BUFSZ];

	fprintf(stderr, "%s: git-credential: no token for %s://%s: tokens "
	    "go only over https, never in clear; use an https:// remote "
	    "URL\n", PB_PROG, g->proto[0] != '\0' ? pb_log_safe(g->proto,
	    sp, sizeof(sp)) : "(no protocol)", g->host != NULL ?
	    pb_log_safe(g->host, sh, sizeof(sh)) : "");
}

/*
 * git-credential get|store|erase.  "store" keeps nothing (the session is
 * ours already); "erase" (the server refused the token) forgets the cached
 * access token when it is the one refused, so the next get refreshes.
 */
int
pb_git_credential_run(int argc, char **argv)
{
	struct pb_options o;
	struct gitreq g;
	const char *opname;
	long min_ttl;
	int rv, op;

	/*
	 * git appends the operation to the configured command, after any
	 * options there: "bearer-token git-credential --profile p get".
	 */
	if (argc < 2) {
		pb_commands_help("git-credential", 1);
		return PB_EXIT_USAGE;
	}
	opname = argv[argc - 1];
	if (strcmp(opname, "get") == 0)
		op = 0;
	else if (strcmp(opname, "store") == 0)
		op = 1;
	else if (strcmp(opname, "erase") == 0)
		op = 2;
	else if (opname[0] == '-') {
		pb_commands_help("git-credential", 1);
		return PB_EXIT_USAGE;
	} else {
		/* git may grow operations: ignore them, as it asks. */
		return PB_EXIT_OK;
	}
	if ((rv = pb_options_parse(argc - 1, argv, &o, &min_ttl, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	if (git_read(&g) == -1) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	/*
	 * Never over plain http, where the token would travel in clear, and
	 * only to the hosts of git_hosts.
	 */
	if (op == 0 && !g.https)
		not_https(&g);
	else if (op == 0 && (rv = git_allowed(&g, &o)) == PB_EXIT_OK)
		rv = git_get(&g, &o, min_ttl);
	else if (op == 2 && g.password.len > 0)
		pb_get_drop_cached(&o, &g.password);
	git_clear(&g);
	return rv;
}
