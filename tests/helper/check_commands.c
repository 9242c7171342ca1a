/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/cli/commands.c: the command table made from PB_COMMANDS, its
 * lookup and its help, and the front (PB_BEARER_TOKEN, the built
 * bearer-token) printing exactly that help.  No network: the front is
 * only asked for --help, help COMMAND, COMMAND --help and unknown
 * commands, which it answers without bearer-token-net.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "checkmain.h"
#include "commands.h"

#define OUTMAX	(64 * 1024)

/* What a run of the front printed. */
struct run {
	char	out[OUTMAX];
	char	err[OUTMAX];
	int	status;		/* exit status; -1 when it did not exit */
};

static struct run *r;

static void
setup(void)
{
	r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
}

static void
teardown(void)
{
	free(r);
	r = NULL;
}

/* All of fd into buf (NUL-terminated), then close it. */
static void
slurp(int fd, char *buf, size_t bufsz)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, bufsz - 1 - len)) > 0)
		len += (size_t)n;
	ck_assert_int_ne(n, -1);
	buf[len] = '\0';
	(void)close(fd);
}

/*
 * Run the front with a1 and a2 (either may be NULL), stdout and stderr
 * to two files, into *r.
 */
static void
front(const char *a1, const char *a2)
{
	const char *prog = secure_getenv("PB_BEARER_TOKEN");
	FILE *fo = tmpfile(), *fe = tmpfile();
	char *argv[4];
	pid_t pid;
	int st, k = 0;

	ck_assert_msg(prog != NULL, "PB_BEARER_TOKEN is not set (make check "
	    "sets it)");
	ck_assert_ptr_nonnull(fo);
	ck_assert_ptr_nonnull(fe);
	argv[k++] = (char *)(uintptr_t)"bearer-token";
	if (a1 != NULL)
		argv[k++] = (char *)(uintptr_t)a1;
	if (a2 != NULL)
		argv[k++] = (char *)(uintptr_t)a2;
	argv[k] = NULL;
	fflush(NULL);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (dup2(fileno(fo), STDOUT_FILENO) == -1 ||
		    dup2(fileno(fe), STDERR_FILENO) == -1)
			_exit(126);
		execv(prog, argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	rewind(fo);
	rewind(fe);
	slurp(dup(fileno(fo)), r->out, sizeof(r->out));
	slurp(dup(fileno(fe)), r->err, sizeof(r->err));
	fclose(fo);
	fclose(fe);
}

/* What pb_commands_usage() prints, NUL-terminated, into buf. */
static void
capture_usage(char *buf, size_t bufsz)
{
	FILE *f = tmpfile();
	size_t n;

	ck_assert_ptr_nonnull(f);
	pb_commands_usage(f);
	rewind(f);
	n = fread(buf, 1, bufsz - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* What pb_commands_help(name, err) prints, NUL-terminated, into buf. */
static void
capture_help(const char *name, int err, char *buf, size_t bufsz)
{
	int fd = err ? STDERR_FILENO : STDOUT_FILENO, saved;
	FILE *f = tmpfile();
	size_t n;

	ck_assert_ptr_nonnull(f);
	fflush(NULL);
	saved = dup(fd);
	ck_assert_int_ne(saved, -1);
	ck_assert_int_ne(dup2(fileno(f), fd), -1);
	pb_commands_help(name, err);
	fflush(NULL);
	ck_assert_int_ne(dup2(saved, fd), -1);
	(void)close(saved);
	rewind(f);
	n = fread(buf, 1, bufsz - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Every row has its name, synopsis and help; names are unique. */
START_TEST(test_commands_table_rows)
{
	size_t i, j;

	ck_assert_uint_eq(pb_ncmds, PB_CMD_COUNT);
	for (i = 0; i < pb_ncmds; i++) {
		const struct pb_cmd *c = &pb_cmds[i];
		size_t hl;

		ck_assert_ptr_nonnull(c->name);
		ck_assert_ptr_nonnull(c->synopsis);
		ck_assert_ptr_nonnull(c->help);
		ck_assert_msg(c->name[0] != '\0' && c->name[0] != '-' &&
		    strspn(c->name, "abcdefghijklmnopqrstuvwxyz-") ==
		    strlen(c->name), "bad name '%s'", c->name);
		ck_assert_msg(c->synopsis[0] != '\0', "%s: no synopsis",
		    c->name);
		hl = strlen(c->help);
		ck_assert_msg(hl > 0 && c->help[hl - 1] == '\n' &&
		    strstr(c->help, "Exit status: ") != NULL,
		    "%s: the help must end in a newline and say its exit "
		    "status", c->name);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(pb_cmds[j].name, c->name);
	}
}
END_TEST

/* The order of --help and the index names of PB_COMMANDS. */
START_TEST(test_commands_table_order)
{
	static const char *const want[] = { "login", "get", "status",
	    "logout", "ssh", "sudo", "askpass", "kubectl", "git-credential",
	    "proof", "fetch-jwks", "decode", "verify" };
	size_t i;

	ck_assert_uint_eq(pb_ncmds, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < pb_ncmds; i++)
		ck_assert_str_eq(pb_cmds[i].name, want[i]);
	ck_assert_str_eq(pb_cmds[PB_CMD_get].name, "get");
	ck_assert_str_eq(pb_cmds[PB_CMD_git_credential].name,
	    "git-credential");
	ck_assert_str_eq(pb_cmds[PB_CMD_fetch_jwks].name, "fetch-jwks");
	ck_assert_str_eq(pb_cmds[PB_CMD_verify].name, "verify");
}
END_TEST

/* pb_commands_find: each name to its own row, anything else to NULL. */
START_TEST(test_commands_find)
{
	static const char *const none[] = { "", "Get", "get ", " get", "ge",
	    "gets", "help", "--help", "git_credential", "fetch" };
	size_t i;

	for (i = 0; i < pb_ncmds; i++)
		ck_assert_ptr_eq(pb_commands_find(pb_cmds[i].name),
		    &pb_cmds[i]);
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		ck_assert_ptr_null(pb_commands_find(none[i]));
}
END_TEST

/* pb_commands_help: the usage line, then (on stdout only) the help. */
START_TEST(test_commands_help_text)
{
	const struct pb_cmd *c = &pb_cmds[_i];
	static char got[OUTMAX], want[OUTMAX];

	(void)snprintf(want, sizeof(want), "usage: bearer-token %s %s\n\n%s",
	    c->name, c->synopsis, c->help);
	capture_help(c->name, 0, got, sizeof(got));
	ck_assert_str_eq(got, want);
	(void)snprintf(want, sizeof(want), "usage: bearer-token %s %s\n",
	    c->name, c->synopsis);
	capture_help(c->name, 1, got, sizeof(got));
	ck_assert_str_eq(got, want);
	capture_help("no-such-command", 0, got, sizeof(got));
	ck_assert_str_eq(got, "");
}
END_TEST

/* pb_commands_usage lists every command with its synopsis, in order. */
START_TEST(test_commands_usage)
{
	static const char head[] = "usage: bearer-token COMMAND [ARGS...]\n";
	static char got[OUTMAX];
	const char *p;
	char line[1024];
	size_t i;

	capture_usage(got, sizeof(got));
	ck_assert_msg(strncmp(got, head, strlen(head)) == 0, "%s", got);
	p = got;
	for (i = 0; i < pb_ncmds; i++) {
		(void)snprintf(line, sizeof(line), "\n  %s %s\n",
		    pb_cmds[i].name, pb_cmds[i].synopsis);
		ck_assert_msg((p = strstr(p, line)) != NULL, "%s missing",
		    pb_cmds[i].name);
	}
}
END_TEST

/* bearer-token --help, -h and help print pb_commands_usage's text. */
START_TEST(test_commands_front_usage)
{
	static const char *const forms[][2] = { { "--help", NULL },
	    { "-h", NULL }, { "help", NULL } };
	static char want[OUTMAX];
	size_t k;

	capture_usage(want, sizeof(want));
	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		front(forms[k][0], forms[k][1]);
		ck_assert_int_eq(r->status, PB_EXIT_OK);
		ck_assert_str_eq(r->out, want);
		ck_assert_str_eq(r->err, "");
	}
	/* No command: the same on stderr, usage status. */
	front(NULL, NULL);
	ck_assert_int_eq(r->status, PB_EXIT_USAGE);
	ck_assert_str_eq(r->out, "");
	ck_assert_str_eq(r->err, want);
}
END_TEST

/* bearer-token help NAME and NAME --help print the table's help. */
START_TEST(test_commands_front_help)
{
	const struct pb_cmd *c = &pb_cmds[_i];
	static char want[OUTMAX];

	capture_help(c->name, 0, want, sizeof(want));
	front("help", c->name);
	ck_assert_int_eq(r->status, PB_EXIT_OK);
	ck_assert_str_eq(r->out, want);
	ck_assert_str_eq(r->err, "");
	front(c->name, "--help");
	ck_assert_int_eq(r->status, PB_EXIT_OK);
	ck_assert_str_eq(r->out, want);
	front(c->name, "-h");
	ck_assert_int_eq(r->status, PB_EXIT_OK);
	ck_assert_str_eq(r->out, want);
}
END_TEST

/* An unknown command: status 2 and every name of the table. */
START_TEST(test_commands_front_unknown)
{
	static char want[OUTMAX];
	size_t i, len;

	len = (size_t)snprintf(want, sizeof(want), "bearer-token: unknown "
	    "command 'nope'; commands:");
	for (i = 0; i < pb_ncmds; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, " %s",
		    pb_cmds[i].name);
	(void)snprintf(want + len, sizeof(want) - len, "\n");
	front("nope", NULL);
	ck_assert_int_eq(r->status, PB_EXIT_USAGE);
	ck_assert_str_eq(r->out, "");
	ck_assert_str_eq(r->err, want);
	front("help", "nope");
	ck_assert_int_eq(r->status, PB_EXIT_USAGE);
	ck_assert_str_eq(r->err, want);
	front("--nope", NULL);
	ck_assert_int_eq(r->status, PB_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r->err,
	    "bearer-token: unknown option '--nope'\n"));
}
END_TEST

static Suite *
commands_suite(void)
{
	Suite *s = suite_create("commands");
	TCase *t;

	t = tcase_create("table");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_commands_table_rows);
	tcase_add_test(t, test_commands_table_order);
	tcase_add_test(t, test_commands_find);
	tcase_add_loop_test(t, test_commands_help_text, 0, PB_CMD_COUNT);
	tcase_add_test(t, test_commands_usage);
	suite_add_tcase(s, t);

	t = tcase_create("front");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_commands_front_usage);
	tcase_add_loop_test(t, test_commands_front_help, 0, PB_CMD_COUNT);
	tcase_add_test(t, test_commands_front_unknown);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return tu_run(commands_suite());
}
