/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/cli/refusal.c: when askpass takes a token as refused, and what it
 * says then.  Each test has its own runtime directory (the run marks) and
 * reads what was said on stderr from a file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "checkmain.h"
#include "commands.h"
#include "prompt.h"
#include "refusal.h"
#include "target.h"

static char base[] = "/tmp/pb-refusal-XXXXXX";
static char errpath[4096], said_buf[8192];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p) == 0 || errno == ENOENT ? 0 : -1;
}

static void
setup(void)
{
	int fd;

	(void)snprintf(base, sizeof(base), "%s", "/tmp/pb-refusal-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", base, 1), 0);
	ck_assert_int_eq(setenv(PB_TARGET_RUN_ENV, "r1", 1), 0);
	ck_assert_int_eq(unsetenv(PB_TARGET_ENV), 0);
	ck_assert_int_eq(unsetenv("BEARER_TOKEN_PROFILE"), 0);
	(void)snprintf(errpath, sizeof(errpath), "%s/stderr", base);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ne(fd, -1);
	(void)fflush(stderr);
	ck_assert_int_ne(dup2(fd, STDERR_FILENO), -1);
	close(fd);
}

static void
teardown(void)
{
	(void)nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Everything said on stderr so far. */
static const char *
said(void)
{
	FILE *f;
	size_t n;

	(void)fflush(stderr);
	ck_assert_ptr_nonnull(f = fopen(errpath, "r"));
	n = fread(said_buf, 1, sizeof(said_buf) - 1, f);
	said_buf[n] = '\0';
	fclose(f);
	return said_buf;
}

/* How often needle occurs in what was said. */
static int
said_n(const char *needle)
{
	const char *p = said();
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* askpass answered run's first token prompt (askpass.c's run mark). */
static void
answered_in(const char *run)
{
	char path[4096];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/bearer-token", base);
	(void)mkdir(path, 0700);
	(void)snprintf(path, sizeof(path), "%s/bearer-token/ssh-run.%s",
	    base, run);
	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT, 0600), -1);
	close(fd);
}

#define answered()	answered_in("r1")

#define REFUSED_PROMPT	"(root@h) " PB_MSG_REFUSED PB_MSG_SEE_LOG "\n" \
	"Password: "

START_TEST(test_refusal_text_in_prompt)
{
	ck_assert_int_eq(pb_refusal_check(REFUSED_PROMPT, PB_PROMPT_OTHER),
	    PB_EXIT_FAIL);
	ck_assert_int_eq(said_n("bearer-token: h says: Bearer token refused; "
	    "the server's log says why.\n"), 1);
	ck_assert_int_eq(said_n("bearer-token: h refused the bearer token"),
	    1);
	ck_assert_int_eq(said_n("  Check the session: bearer-token status\n"),
	    1);
	ck_assert_int_eq(said_n("bearer-token verify there"), 1);
	/* Nothing more in the run, and nothing more said. */
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token: ",
	    PB_PROMPT_START), PB_EXIT_FAIL);
	ck_assert_int_eq(pb_refusal_check("root@h's password: ",
	    PB_PROMPT_OTHER), PB_EXIT_FAIL);
	ck_assert_int_eq(said_n("refused the bearer token"), 1);
	/* Another run is another matter. */
	ck_assert_int_eq(setenv(PB_TARGET_RUN_ENV, "r2", 1), 0);
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token: ",
	    PB_PROMPT_START), PB_EXIT_OK);
}
END_TEST

START_TEST(test_refusal_reason_and_profile)
{
	ck_assert_int_eq(setenv("BEARER_TOKEN_PROFILE", "work", 1), 0);
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token refused: "
	    "token is for 'bob', not 'root'\n\x1b[31mPassword: ",
	    PB_PROMPT_OTHER), PB_EXIT_FAIL);
	ck_assert_int_eq(said_n("h says: Bearer token refused: token is for "
	    "'bob', not 'root'\n"), 1);
	ck_assert_int_eq(said_n("bearer-token status --profile work\n"), 1);
	/* The server's text is shown as printable ASCII only. */
	ck_assert_int_eq(setenv(PB_TARGET_RUN_ENV, "r2", 1), 0);
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token refused: "
	    "a\x1b[31mb\r\n", PB_PROMPT_OTHER), PB_EXIT_FAIL);
	ck_assert_int_eq(said_n("Bearer token refused: a?[31mb\n"), 1);
	ck_assert_ptr_null(strchr(said(), '\x1b'));
}
END_TEST

START_TEST(test_refusal_unavailable)
{
	ck_assert_int_eq(pb_refusal_check("(root@h) " PB_MSG_UNAVAIL
	    "\nPassword: ", PB_PROMPT_OTHER), PB_EXIT_FAIL);
	ck_assert_int_eq(said_n("h cannot check bearer tokens now"), 1);
	ck_assert_int_eq(said_n("refused"), 0);
}
END_TEST

START_TEST(test_refusal_first_prompt_again)
{
	/* The run's first prompt: answered as usual. */
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token: ",
	    PB_PROMPT_START), PB_EXIT_OK);
	answered();
	/* Continuations and other prompts of the server: as usual. */
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token (continued "
	    "at byte 1000): ", PB_PROMPT_CONT), PB_EXIT_OK);
	ck_assert_int_eq(pb_refusal_check("(root@h) Verification code: ",
	    PB_PROMPT_OTHER), PB_EXIT_OK);
	ck_assert_str_eq(said(), "");
	/* The first prompt again: the token was refused. */
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token: ",
	    PB_PROMPT_START), PB_EXIT_FAIL);
	ck_assert_int_eq(said_n("h refused the bearer token"), 1);
	ck_assert_int_eq(said_n(" says: "), 0);
}
END_TEST

START_TEST(test_refusal_ssh_password)
{
	/* Before any token went out, ssh's password prompt is no sign. */
	ck_assert_int_eq(pb_refusal_check("root@h's password: ",
	    PB_PROMPT_OTHER), PB_EXIT_OK);
	answered();
	/* A server's prompt (prefixed) or a password change: no sign. */
	ck_assert_int_eq(pb_refusal_check("(root@h) root@h's password: ",
	    PB_PROMPT_OTHER), PB_EXIT_OK);
	ck_assert_int_eq(pb_refusal_check("Enter root@h's old password: ",
	    PB_PROMPT_OTHER), PB_EXIT_OK);
	ck_assert_int_eq(pb_refusal_check("Enter passphrase for key: ",
	    PB_PROMPT_OTHER), PB_EXIT_OK);
	/* ssh's next method after the token: refused. */
	ck_assert_int_eq(setenv(PB_TARGET_ENV, "h.example", 1), 0);
	ck_assert_int_eq(pb_refusal_check("root@h.example's password: ",
	    PB_PROMPT_OTHER), PB_EXIT_FAIL);
	ck_assert_int_eq(said_n("h.example refused the bearer token"), 1);
}
END_TEST

START_TEST(test_refusal_plain_ssh)
{
	/* No run id: explain, then answer as before. */
	ck_assert_int_eq(unsetenv(PB_TARGET_RUN_ENV), 0);
	answered();
	ck_assert_int_eq(pb_refusal_check(REFUSED_PROMPT, PB_PROMPT_OTHER),
	    PB_EXIT_OK);
	ck_assert_int_eq(said_n("h refused the bearer token"), 1);
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token: ",
	    PB_PROMPT_START), PB_EXIT_OK);
	/* The server's line and ours, and no more. */
	ck_assert_int_eq(said_n("refused"), 2);
	/* A run id that is none is no run. */
	ck_assert_int_eq(setenv(PB_TARGET_RUN_ENV, "../x", 1), 0);
	ck_assert_int_eq(pb_refusal_check("(root@h) Bearer token: ",
	    PB_PROMPT_START), PB_EXIT_OK);
}
END_TEST

START_TEST(test_refusal_after_ssh)
{
	/* No token went out: nothing to say. */
	pb_refusal_after_ssh();
	ck_assert_str_eq(said(), "");
	answered();
	ck_assert_int_eq(setenv(PB_TARGET_ENV, "h.example", 1), 0);
	pb_refusal_after_ssh();
	ck_assert_int_eq(said_n("bearer-token: ssh: if h.example did not "
	    "log you in with the token"), 1);
	ck_assert_int_eq(said_n("Check the session: bearer-token status"),
	    1);
	/* Said once; askpass then answers nothing more in the run. */
	pb_refusal_after_ssh();
	ck_assert_int_eq(said_n("did not log you in"), 1);
	ck_assert_int_eq(pb_refusal_check("(root@h.example) Password: ",
	    PB_PROMPT_OTHER), PB_EXIT_FAIL);
	/* After askpass said it, ssh's failure adds nothing. */
	ck_assert_int_eq(setenv(PB_TARGET_RUN_ENV, "r2", 1), 0);
	answered_in("r2");
	ck_assert_int_eq(pb_refusal_check(REFUSED_PROMPT, PB_PROMPT_OTHER),
	    PB_EXIT_FAIL);
	pb_refusal_after_ssh();
	ck_assert_int_eq(said_n("did not log you in"), 1);
}
END_TEST

static Suite *
refusal_suite(void)
{
	Suite *s = suite_create("refusal");
	TCase *t = tcase_create("refusal");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_refusal_text_in_prompt);
	tcase_add_test(t, test_refusal_reason_and_profile);
	tcase_add_test(t, test_refusal_unavailable);
	tcase_add_test(t, test_refusal_first_prompt_again);
	tcase_add_test(t, test_refusal_ssh_password);
	tcase_add_test(t, test_refusal_plain_ssh);
	tcase_add_test(t, test_refusal_after_ssh);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return tu_run(refusal_suite());
}
