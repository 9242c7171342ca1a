/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A refused token ends a "bearer-token ssh" run (refusal.h).  Without
 * this, a refused token looked like a password prompt: ssh went on to the
 * next prompt of the server's stack, "Password: ", and asked the
 * terminal, two more times by default.  The run's state lives in the
 * directory of askpass's run marks (askpass.c): "ssh-run.RUN" says the
 * run's first token prompt was answered, "ssh-run.RUN.refused" that the
 * token was refused and the user was told; askpass sweeps both after a
 * day.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "privdir.h"
#include "prompt.h"
#include "refusal.h"
#include "target.h"

#define RUN_MARK	"ssh-run."	/* askpass.c's mark, + the run id */
#define REFUSED_MARK	".refused"
#define LINE_MAX_SHOWN	300		/* bytes of the server's line */

/* What the server's text says. */
#define SAYS_NOTHING	0
#define SAYS_REFUSED	1	/* the token was refused */
#define SAYS_UNAVAIL	2	/* the host checks no tokens at all */

/*
 * Which refusal text the server's part of the prompt holds, and the line
 * it is on, for the user to read, into line (printable ASCII only).
 */
static int
server_says(const char *rest, char *line, size_t linesz)
{
	const char *p;
	size_t i, n;
	int says = SAYS_REFUSED;

	if ((p = strstr(rest, PB_MSG_UNAVAIL)) != NULL)
		says = SAYS_UNAVAIL;
	else if ((p = strstr(rest, PB_MSG_REFUSED)) == NULL)
		return SAYS_NOTHING;
	n = strcspn(p, "\r\n");
	for (i = 0; i < n && i + 4 < linesz && i < LINE_MAX_SHOWN; i++)
		line[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	if (i < n && i + 4 < linesz) {
		memcpy(line + i, "...", 3);
		i += 3;
	}
	line[i] = '\0';
	return says;
}

/*
 * Whether p is ssh's own prompt of the "password" method, "USER@HOST's
 * password: " (sshconnect2.c, userauth_passwd()): it comes after
 * keyboard-interactive failed.
 */
static int
ssh_password(const char *p)
{
	static const char end[] = "'s password: ";
	size_t n = strlen(p);

	return p[0] != '(' && strchr(p, '@') != NULL && n >= sizeof(end) &&
	    strcmp(p + n - (sizeof(end) - 1), end) == 0;
}

/* What to do after a refusal by host: check the session, ask the admin. */
static void
say_hint(const char *host)
{
	const char *profile = secure_getenv("BEARER_TOKEN_PROFILE");
	int named = profile != NULL && *profile != '\0';

	fprintf(stderr, "  Check the session: bearer-token status%s%s\n"
	    "  If it looks right, ask the admin of %s to read the log, or to "
	    "run\n  bearer-token verify there on the token's claims "
	    "(bearer-token decode shows them)\n", named ? " --profile " : "",
	    named ? profile : "", host);
}

/* Tell the user what happened and what to do: once per run. */
static void
say(int says, const char *host, const char *line)
{
	if (says == SAYS_UNAVAIL) {
		fprintf(stderr, "%s: %s cannot check bearer tokens now (its "
		    "pam_bearer configuration or keys are unusable; its log "
		    "says why): ask its admin\n", PB_PROG, host);
		return;
	}
	if (line[0] != '\0')
		fprintf(stderr, "%s: %s says: %s\n", PB_PROG, host, line);
	fprintf(stderr, "%s: %s refused the bearer token (its log says "
	    "why).\n", PB_PROG, host);
	say_hint(host);
}

/* The directory of the run marks (askpass.c's run_mark()), opened. */
static int
marks_open(struct pb_privdir *d)
{
	struct pb_err e;
	char *path = NULL;
	int r = PB_ERR_IO;

	pb_err_clear(&e);
	if (pb_privdir_runtime_path(&path, &e) == PB_OK ||
	    (free(path), path = NULL,
	    pb_privdir_state_path(&path, &e) == PB_OK))
		r = pb_privdir_open(d, path, PB_PRIVDIR_CREATE_LAST, &e);
	free(path);
	if (r != PB_OK)
		fprintf(stderr, "%s: askpass: cannot keep this ssh run's state "
		    "(%s)\n", PB_PROG, pb_err_msg(&e));
	return r == PB_OK ? 0 : -1;
}

/* Whether the mark RUN_MARK run suffix exists in d. */
static int
has_mark(const struct pb_privdir *d, const char *run, const char *suffix)
{
	char name[sizeof(RUN_MARK) + PB_TARGET_RUN_MAX + sizeof(REFUSED_MARK)];
	struct stat st;

	(void)snprintf(name, sizeof(name), "%s%s%s", RUN_MARK, run, suffix);
	return fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Mark the run refused: 1 when this call made the mark, else 0. */
static int
mark_refused(const struct pb_privdir *d, const char *run)
{
	char name[sizeof(RUN_MARK) + PB_TARGET_RUN_MAX + sizeof(REFUSED_MARK)];
	int fd;

	(void)snprintf(name, sizeof(name), "%s%s%s", RUN_MARK, run,
	    REFUSED_MARK);
	fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return 0;
	close(fd);
	return 1;
}

int
pb_refusal_check(const char *prompt, int kind)
{
	char host[PB_TARGET_MAX + 1], line[LINE_MAX_SHOWN + 4];
	const char *run = secure_getenv(PB_TARGET_RUN_ENV);
	const char *env = secure_getenv(PB_TARGET_ENV), *rest, *who;
	struct pb_privdir d = { NULL, -1 };
	int says, rv = PB_EXIT_OK;

	line[0] = '\0';
	if (pb_target_split(prompt, host, sizeof(host), &rest) ==
	    PB_TARGET_PREFIX)
		who = host;
	else
		who = env != NULL && pb_target_valid(env) ? env : "the server";
	says = server_says(rest, line, sizeof(line));
	/* Plain ssh: explain, then answer as before. */
	if (run == NULL || !pb_target_run_valid(run)) {
		if (says != SAYS_NOTHING)
			say(says, who, line);
		return PB_EXIT_OK;
	}
	if (marks_open(&d) == -1) {
		if (says != SAYS_NOTHING)
			say(says, who, line);
		return says != SAYS_NOTHING ? PB_EXIT_FAIL : PB_EXIT_OK;
	}
	/* Refused before: nothing more, and nothing more to say. */
	if (has_mark(&d, run, REFUSED_MARK))
		rv = PB_EXIT_FAIL;
	else if (says != SAYS_NOTHING || ((kind == PB_PROMPT_START ||
	    ssh_password(prompt)) && has_mark(&d, run, ""))) {
		if (mark_refused(&d, run))
			say(says != SAYS_NOTHING ? says : SAYS_REFUSED, who,
			    line);
		rv = PB_EXIT_FAIL;
	}
	pb_privdir_close(&d);
	return rv;
}

void
pb_refusal_after_ssh(void)
{
	const char *run = secure_getenv(PB_TARGET_RUN_ENV);
	const char *env = secure_getenv(PB_TARGET_ENV), *host;
	struct pb_privdir d = { NULL, -1 };

	if (run == NULL || !pb_target_run_valid(run) || marks_open(&d) == -1)
		return;
	host = env != NULL && pb_target_valid(env) ? env : "the server";
	/* A token went out, and nobody said what became of it. */
	if (has_mark(&d, run, "") && mark_refused(&d, run)) {
		/* 255 is also the remote command's or a dropped link's. */
		fprintf(stderr, "%s: ssh: if %s did not log you in with the "
		    "token askpass gave it, ssh shows the server's word "
		    "above.\n", PB_PROG, host);
		say_hint(host);
	}
	pb_privdir_close(&d);
}
