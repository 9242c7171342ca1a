/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The integrations of bearer-token-net: "kubectl" (a client-go exec
 * credential plugin), "git-credential" (git's credential helper protocol)
 * and "askpass" (SSH_ASKPASS for pam_bearer's prompts).  Both hand out the token "get" would print; neither prints
 * anything on stdout but what its caller's protocol asks for.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "token_cache.h"
#include "commands.h"
#include "err.h"
#include "profile.h"
#include "json_writer.h"
#include "net.h"
#include "secmem.h"

#define GIT_INPUT_MAX	(64 * 1024)	/* one credential description */

/* kubectl ---------------------------------------------------------------- */

/*
 * client-go's exec plugin protocol: an ExecCredential on stdout with the
 * token and its expiry (so that kubectl asks again before it runs out).
 * The apiVersion follows KUBERNETES_EXEC_INFO when it names v1beta1.
 */
int
pb_net_kubectl(int argc, char **argv)
{
	static const char v1[] = "client.authentication.k8s.io/v1";
	static const char v1beta1[] = "client.authentication.k8s.io/v1beta1";
	char ts[32], head[160];
	struct pb_options o;
	struct pb_cached t;
	struct pb_json_writer b;
	struct pb_secret doc = { NULL, 0 };
	const char *info, *api = v1;
	long min_ttl;
	int rv, n;

	if ((rv = pb_cmd_args(argc, argv, &o, &min_ttl, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	info = secure_getenv("KUBERNETES_EXEC_INFO");
	if (info != NULL && strstr(info, v1beta1) != NULL)
		api = v1beta1;
	if ((rv = pb_net_token(&o, min_ttl, &t)) != PB_EXIT_OK)
		return rv;
	memset(&b, 0, sizeof(b));
	pb_json_writer_begin(&b);
	pb_json_writer_secret(&b, "token", &t.token);
	if (t.expires_at > 0) {
		(void)pb_fmt_time(t.expires_at, PB_TIME_RFC3339, ts,
		    sizeof(ts));
		pb_json_writer_str(&b, "expirationTimestamp", ts);
	}
	if (pb_json_writer_end(&b, &doc) != PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	n = snprintf(head, sizeof(head), "{\"apiVersion\":\"%s\","
	    "\"kind\":\"ExecCredential\",\"status\":", api);
	if (pb_write_all(STDOUT_FILENO, head, (size_t)n) == -1 ||
	    pb_write_all(STDOUT_FILENO, doc.p, doc.len) == -1 ||
	    pb_write_all(STDOUT_FILENO, "}\n", 2) == -1) {
		fprintf(stderr, "%s: cannot write: %s\n", PB_PROG,
		    strerror(errno));
		rv = PB_EXIT_FAIL;
	}
 out:
	pb_secret_clear(&doc);
	pb_token_cache_clear(&t);
	return rv;
}

/* git-credential ----------------------------------------------------------- */

/* What git told us, as far as we care. */
struct gitreq {
	int		 authtype;	/* capability[]=authtype offered */
	int		 https;		/* protocol=https */
	char		*username;
	struct pb_secret password;	/* erase: the one that failed */
};

static void
git_clear(struct gitreq *g)
{
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
			if (strcmp(line, "protocol") == 0)
				g->https = (size_t)(nl - eq - 1) == 5 &&
				    memcmp(eq + 1, "https", 5) == 0;
			else if (strcmp(line, "capability[]") == 0 &&
			    (size_t)(nl - eq - 1) == 8 &&
			    memcmp(eq + 1, "authtype", 8) == 0)
				g->authtype = 1;
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

	if ((rv = pb_net_token(o, min_ttl, &t)) != PB_EXIT_OK)
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
	if (pb_write_all(STDOUT_FILENO, line, (size_t)n) == -1 ||
	    pb_write_all(STDOUT_FILENO, key, strlen(key)) == -1 ||
	    pb_write_all(STDOUT_FILENO, t.token.p, t.token.len) == -1 ||
	    pb_write_all(STDOUT_FILENO, "\n", 1) == -1)
		rv = PB_EXIT_FAIL;
	if (rv == PB_EXIT_OK && t.expires_at > 0) {
		n = snprintf(line, sizeof(line), "password_expiry_utc=%lld\n",
		    (long long)t.expires_at);
		if (pb_write_all(STDOUT_FILENO, line, (size_t)n) == -1)
			rv = PB_EXIT_FAIL;
	}
	if (rv != PB_EXIT_OK)
		fprintf(stderr, "%s: cannot write: %s\n", PB_PROG,
		    strerror(errno));
	pb_token_cache_clear(&t);
	return rv;
}

/*
 * git-credential get|store|erase.  "store" keeps nothing (the session is
 * ours already); "erase" (the server refused the token) forgets the cached
 * access token when it is the one refused, so the next get refreshes.
 */
int
pb_net_git_credential(int argc, char **argv)
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
		pb_cmd_help("git-credential", 1);
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
		pb_cmd_help("git-credential", 1);
		return PB_EXIT_USAGE;
	} else {
		/* git may grow operations: ignore them, as it asks. */
		return PB_EXIT_OK;
	}
	if ((rv = pb_cmd_args(argc - 1, argv, &o, &min_ttl, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	if (git_read(&g) == -1) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	/* Never over plain http, where the token would travel in clear. */
	if (op == 0 && g.https)
		rv = git_get(&g, &o, min_ttl);
	else if (op == 2 && g.password.len > 0)
		pb_net_drop_cached(&o, &g.password);
	git_clear(&g);
	return rv;
}

int pb_tty_ask(const char *prompt);

/* askpass ---------------------------------------------------------------- */

/* What pam_bearer asks (common/conf.h and pam/conv.c). */
#define ASK_FIRST	"Bearer token: "
#define ASK_NEXT	"Bearer token (continued at byte "
#define PART_MAX	1000	/* token bytes per answer; '\' marks more */

/*
 * Which of the module's prompts this is: 0 for the first, 1 with *offset
 * for a continuation, -1 for any other prompt.  OpenSSH puts "(user@host) "
 * before keyboard-interactive prompts.
 */
static int
module_prompt(const char *p, size_t *offset)
{
	const char *q;
	char *end;
	unsigned long long v;

	/* "(root@host) ": up to the first ')', which ends user@host. */
	if (p[0] == '(' && (q = strchr(p, ')')) != NULL && q[1] == ' ')
		p = q + 2;
	if (strcmp(p, ASK_FIRST) == 0) {
		*offset = 0;
		return 0;
	}
	if (strncmp(p, ASK_NEXT, sizeof(ASK_NEXT) - 1) != 0)
		return -1;
	p += sizeof(ASK_NEXT) - 1;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno != 0 || strcmp(end, "): ") != 0 || v == 0)
		return -1;
	*offset = (size_t)v;
	return 1;
}

/*
 * Any other prompt (a host key question, a key passphrase, a password):
 * the fallback askpass when one is named, else the terminal.  Never the
 * token.
 */
static int
ask_other(const char *prompt)
{
	char sb[PB_SAFE_BUFSZ];
	const char *fb = secure_getenv("BEARER_TOKEN_ASKPASS_FALLBACK");
	char *const fargv[] = { (char *)(uintptr_t)fb,
	    (char *)(uintptr_t)prompt, NULL };

	if (fb != NULL && *fb != '\0') {
		execv(fb, fargv);
		fprintf(stderr, "%s: askpass: cannot run the fallback %s: "
		    "%s\n", PB_PROG, pb_log_safe(fb, sb, sizeof(sb)),
		    strerror(errno));
		return PB_EXIT_FAIL;
	}
	return pb_tty_ask(prompt);
}

int
pb_net_askpass(int argc, char **argv)
{
	struct pb_options o;
	struct pb_cached t;
	size_t off = 0, n;
	int kind, rv;

	if (argc != 2) {
		pb_cmd_help("askpass", 1);
		return PB_EXIT_USAGE;
	}
	if ((kind = module_prompt(argv[1], &off)) == -1)
		return ask_other(argv[1]);
	memset(&o, 0, sizeof(o));
	/*
	 * A continuation must get the token the first part came from: the
	 * cached one, however short its life now.
	 */
	if ((rv = pb_net_token(&o, kind == 1 ? PB_TOKEN_CACHED : -1, &t)) !=
	    PB_EXIT_OK)
		return rv;
	if (off >= t.token.len) {
		fprintf(stderr, "%s: askpass: the server asks from byte %zu "
		    "of a %zu-byte token (did the token change between the "
		    "prompts?)\n", PB_PROG, off, t.token.len);
		pb_token_cache_clear(&t);
		return PB_EXIT_FAIL;
	}
	n = t.token.len - off;
	if (n > PART_MAX)
		n = PART_MAX;
	if (pb_write_all(STDOUT_FILENO, t.token.p + off, n) == -1 ||
	    (off + n < t.token.len &&
	    pb_write_all(STDOUT_FILENO, "\\", 1) == -1) ||
	    pb_write_all(STDOUT_FILENO, "\n", 1) == -1) {
		fprintf(stderr, "%s: askpass: cannot write: %s\n", PB_PROG,
		    strerror(errno));
		rv = PB_EXIT_FAIL;
	}
	pb_token_cache_clear(&t);
	return rv;
}

/* The terminal to restore when a signal ends the question. */
static int tty_fd = -1;
static struct termios tty_old;

static void
tty_restore(int sig)
{
	if (tty_fd != -1)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_old);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

int
pb_tty_ask(const char *prompt)
{
	const char *mode = secure_getenv("SSH_ASKPASS_PROMPT");
	struct termios old, quiet;
	char buf[1024];
	size_t len = 0;
	ssize_t n;
	int fd, echo, rv = PB_EXIT_FAIL, restore = 0, got = 0;
	char c;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: askpass: no terminal to answer a prompt "
		    "that is not pam_bearer's, and no "
		    "BEARER_TOKEN_ASKPASS_FALLBACK\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	/* ssh's notices (touch your security key): show, answer nothing. */
	if (mode != NULL && strcmp(mode, "none") == 0) {
		(void)pb_write_all(fd, prompt, strlen(prompt));
		(void)pb_write_all(fd, "\n", 1);
		close(fd);
		return PB_EXIT_OK;
	}
	/* Questions are echoed; anything else may be a password. */
	echo = strstr(prompt, "(yes/no") != NULL ||
	    (mode != NULL && strcmp(mode, "confirm") == 0);
	if (!echo && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
		tty_old = old;
		tty_fd = fd;
		(void)signal(SIGINT, tty_restore);
		(void)signal(SIGTERM, tty_restore);
		(void)signal(SIGHUP, tty_restore);
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (pb_write_all(fd, prompt, strlen(prompt)) == -1)
		goto out;
	for (;;) {
		n = read(fd, &c, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		got = 1;
		if (len < sizeof(buf) - 1)
			buf[len++] = c;
	}
	if (!echo)
		(void)pb_write_all(fd, "\n", 1);
	/* End of input before any answer: no answer, not an empty one. */
	if ((n > 0 || got) && pb_write_all(STDOUT_FILENO, buf, len) == 0 &&
	    pb_write_all(STDOUT_FILENO, "\n", 1) == 0)
		rv = PB_EXIT_OK;
 out:
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	tty_fd = -1;
	pb_bzero(buf, sizeof(buf));
	close(fd);
	return rv;
}
