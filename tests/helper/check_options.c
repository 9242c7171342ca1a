/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/cli/options.c: pb_options_take() and pb_options_parse(), the one
 * option parser of bearer-token.  No network, no files but a temp file
 * that catches stderr, so that each refusal's message is checked too.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "checkmain.h"
#include "commands.h"
#include "options.h"

#define NARGS		16
#define ERRBUFSZ	4096

static FILE *errf;		/* stderr goes here during a test */
static int saved_err = -1;
static char errbuf[ERRBUFSZ];

static void
setup(void)
{
	errf = tmpfile();
	ck_assert_ptr_nonnull(errf);
	fflush(stderr);
	saved_err = dup(STDERR_FILENO);
	ck_assert_int_ne(saved_err, -1);
	ck_assert_int_ne(dup2(fileno(errf), STDERR_FILENO), -1);
}

static void
teardown(void)
{
	fflush(stderr);
	(void)dup2(saved_err, STDERR_FILENO);
	(void)close(saved_err);
	saved_err = -1;
	fclose(errf);
	errf = NULL;
}

/* What was written on stderr so far, NUL-terminated. */
static const char *
errout(void)
{
	size_t n;

	fflush(stderr);
	rewind(errf);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, errf);
	errbuf[n] = '\0';
	return errbuf;
}

/* argv of the NULL-terminated list (string literals, never written). */
static int
mkargv(char **argv, const char *const *list)
{
	int n = 0;

	while (list[n] != NULL && n < NARGS - 1) {
		argv[n] = (char *)(uintptr_t)list[n];
		n++;
	}
	argv[n] = NULL;
	return n;
}

/* pb_options_parse() over list, with --min-ttl and the flags of "get". */
static int
args(const char *const *list, struct pb_options *o, long *min_ttl,
    int *set)
{
	static const char *const flags[] = { "--header", "--json", NULL };
	char *argv[NARGS];
	int argc = mkargv(argv, list);

	return pb_options_parse(argc, argv, o, min_ttl, flags, set);
}

/* The field of struct pb_options that option k sets. */
static const struct {
	const char	*name;
	size_t		 off;
} fields[] = {
	{ "--profile", offsetof(struct pb_options, profile) },
	{ "--config", offsetof(struct pb_options, config) },
	{ "--issuer", offsetof(struct pb_options, issuer) },
	{ "--client-id", offsetof(struct pb_options, client_id) },
	{ "--scope", offsetof(struct pb_options, scope) },
	{ "--audience", offsetof(struct pb_options, audience) },
	{ "--resource", offsetof(struct pb_options, resource) },
	{ "--store", offsetof(struct pb_options, store) },
	{ "--ca-file", offsetof(struct pb_options, ca_file) },
	{ "--timeout", offsetof(struct pb_options, timeout) },
	{ "--redirect-port", offsetof(struct pb_options, redirect_port) },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static const char *
field(const struct pb_options *o, size_t k)
{
	const char *const *p = (const void *)((const char *)o +
	    fields[k].off);

	return *p;
}

/* Every option, as "--opt VALUE": that field and no other is set. */
START_TEST(test_options_each_spaced)
{
	const char *list[] = { "get", fields[_i].name, "v", NULL };
	char *argv[NARGS];
	struct pb_options o;
	int argc = mkargv(argv, list), i = 1;
	size_t k;

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pb_options_take(&o, argc, argv, &i), 1);
	ck_assert_int_eq(i, 3);
	for (k = 0; k < NFIELDS; k++)
		if (k == (size_t)_i)
			ck_assert_str_eq(field(&o, k), "v");
		else
			ck_assert_ptr_null(field(&o, k));
	ck_assert_str_eq(errout(), "");
}
END_TEST

/* Every option, as "--opt=VALUE", the value borrowed from argv. */
START_TEST(test_options_each_equals)
{
	char buf[64], *argv[NARGS];
	struct pb_options o;
	int i = 1;

	(void)snprintf(buf, sizeof(buf), "%s=a=b", fields[_i].name);
	argv[0] = (char *)(uintptr_t)"get";
	argv[1] = buf;
	argv[2] = NULL;
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pb_options_take(&o, 2, argv, &i), 1);
	ck_assert_int_eq(i, 2);
	ck_assert_str_eq(field(&o, (size_t)_i), "a=b");
	ck_assert_ptr_eq(field(&o, (size_t)_i),
	    buf + strlen(fields[_i].name) + 1);
	/* An empty value is a value. */
	(void)snprintf(buf, sizeof(buf), "%s=", fields[_i].name);
	i = 1;
	ck_assert_int_eq(pb_options_take(&o, 2, argv, &i), 1);
	ck_assert_str_eq(field(&o, (size_t)_i), "");
}
END_TEST

/* Every option as the last argument: -1 and the message. */
START_TEST(test_options_each_missing)
{
	const char *list[] = { "get", fields[_i].name, NULL };
	char *argv[NARGS], want[128];
	struct pb_options o;
	int argc = mkargv(argv, list), i = 1, set[2];

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pb_options_take(&o, argc, argv, &i), -1);
	ck_assert_int_eq(i, 1);
	(void)snprintf(want, sizeof(want), "bearer-token: %s needs a value\n",
	    fields[_i].name);
	ck_assert_str_eq(errout(), want);
	ck_assert_int_eq(args(list, &o, NULL, set), PB_EXIT_USAGE);
}
END_TEST

/* Not an option: 0, *i unchanged; names must match whole. */
START_TEST(test_options_not_taken)
{
	static const char *const others[] = { "--profiles", "--profilex=a",
	    "-profile", "profile", "--PROFILE", "--", "-", "", "--min-ttl",
	    "--header" };
	char *argv[3];
	struct pb_options o;
	size_t k;
	int i;

	memset(&o, 0, sizeof(o));
	argv[0] = (char *)(uintptr_t)"get";
	argv[2] = NULL;
	for (k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
		argv[1] = (char *)(uintptr_t)others[k];
		i = 1;
		ck_assert_int_eq(pb_options_take(&o, 2, argv, &i), 0);
		ck_assert_int_eq(i, 1);
	}
	for (k = 0; k < NFIELDS; k++)
		ck_assert_ptr_null(field(&o, k));
	ck_assert_str_eq(errout(), "");
}
END_TEST

/* The value is the next argument, whatever it looks like. */
START_TEST(test_options_value_verbatim)
{
	static const char *const list[] = { "get", "--profile", "--issuer",
	    "--scope", "", NULL };
	struct pb_options o;
	long ttl;
	int set[2];

	ck_assert_int_eq(args(list, &o, &ttl, set), PB_EXIT_OK);
	ck_assert_str_eq(o.profile, "--issuer");
	ck_assert_ptr_null(o.issuer);
	ck_assert_str_eq(o.scope, "");
	/* The last one given wins. */
	{
		static const char *const l2[] = { "get", "--store", "file",
		    "--store=auto", NULL };

		ck_assert_int_eq(args(l2, &o, &ttl, set), PB_EXIT_OK);
		ck_assert_str_eq(o.store, "auto");
	}
}
END_TEST

/* Nothing given: every field NULL, min_ttl -1, no flag set. */
START_TEST(test_options_args_empty)
{
	static const char *const list[] = { "get", NULL };
	struct pb_options o;
	long ttl = 5;
	int set[2] = { 1, 1 };
	size_t k;

	memset(&o, 0xff, sizeof(o));
	ck_assert_int_eq(args(list, &o, &ttl, set), PB_EXIT_OK);
	for (k = 0; k < NFIELDS; k++)
		ck_assert_ptr_null(field(&o, k));
	ck_assert_int_eq(ttl, -1);
	ck_assert_int_eq(set[0], 0);
	ck_assert_int_eq(set[1], 0);
	ck_assert_str_eq(errout(), "");
}
END_TEST

/* Flags anywhere among the options, each set once given. */
START_TEST(test_options_args_flags)
{
	static const char *const list[] = { "get", "--json", "--profile",
	    "p", "--json", "--min-ttl", "7", NULL };
	struct pb_options o;
	long ttl;
	int set[2];

	ck_assert_int_eq(args(list, &o, &ttl, set), PB_EXIT_OK);
	ck_assert_int_eq(set[0], 0);
	ck_assert_int_eq(set[1], 1);
	ck_assert_str_eq(o.profile, "p");
	ck_assert_int_eq(ttl, 7);
}
END_TEST

/* A flag takes no value; flags NULL knows none. */
START_TEST(test_options_args_flag_forms)
{
	static const char *const eq[] = { "get", "--header=1", NULL };
	static const char *const hdr[] = { "get", "--header", NULL };
	char *argv[NARGS];
	struct pb_options o;
	long ttl;
	int set[2], argc;

	ck_assert_int_eq(args(eq, &o, &ttl, set), PB_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(errout(),
	    "bearer-token: get: unknown argument '--header=1'\n"));
	argc = mkargv(argv, hdr);
	ck_assert_int_eq(pb_options_parse(argc, argv, &o, &ttl, NULL, NULL),
	    PB_EXIT_USAGE);
}
END_TEST

/* An unknown argument: usage status, the message and the usage line. */
START_TEST(test_options_args_unknown)
{
	static const char *const list[] = { "status", "--profile", "p",
	    "extra", NULL };
	struct pb_options o;
	long ttl;
	int set[2];

	ck_assert_int_eq(args(list, &o, &ttl, set), PB_EXIT_USAGE);
	ck_assert_str_eq(errout(),
	    "bearer-token: status: unknown argument 'extra'\n"
	    "usage: bearer-token status [--json] [OPTIONS]\n");
}
END_TEST

/* A control byte in an unknown argument is not echoed as is. */
START_TEST(test_options_args_unknown_unsafe)
{
	static const char *const list[] = { "get", "a\033[2Jb", NULL };
	struct pb_options o;
	long ttl;
	int set[2];

	ck_assert_int_eq(args(list, &o, &ttl, set), PB_EXIT_USAGE);
	ck_assert_ptr_null(strchr(errout(), '\033'));
}
END_TEST

/* --min-ttl only where the command asks for it. */
START_TEST(test_options_args_min_ttl_not_taken)
{
	static const char *const list[] = { "status", "--min-ttl", "5", NULL };
	struct pb_options o;
	int set[2];

	ck_assert_int_eq(args(list, &o, NULL, set), PB_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(errout(),
	    "bearer-token: status: unknown argument '--min-ttl'\n"));
}
END_TEST

static const struct {
	const char	*v;
	long		 want;		/* -1: refused */
} ttls[] = {
	{ "0", 0 }, { "1", 1 }, { "60", 60 }, { "86400", 86400 },
	{ "007", 7 },
	{ "86401", -1 }, { "-1", -1 }, { "", -1 }, { "x", -1 }, { "5s", -1 },
	{ "1e3", -1 }, { "99999999999999999999", -1 }, { "0x10", -1 },
	{ "5 ", -1 }, { " 5", -1 }, { "+5", -1 }, { "-0", -1 },
};

/* --min-ttl N and --min-ttl=N: 0 to 86400 seconds, digits only. */
START_TEST(test_options_args_min_ttl_bounds)
{
	const char *spaced[] = { "get", "--min-ttl", ttls[_i].v, NULL };
	const char *eq[] = { "get", NULL, NULL };
	char buf[64];
	struct pb_options o;
	long ttl;
	int set[2], rv, form;

	(void)snprintf(buf, sizeof(buf), "--min-ttl=%s", ttls[_i].v);
	eq[1] = buf;
	for (form = 0; form < 2; form++) {
		rv = args(form == 0 ? spaced : eq, &o, &ttl, set);
		if (ttls[_i].want == -1) {
			ck_assert_int_eq(rv, PB_EXIT_USAGE);
			ck_assert_ptr_nonnull(strstr(errout(),
			    "bearer-token: get: --min-ttl takes seconds, 0 "
			    "to 86400\n"));
		} else {
			ck_assert_int_eq(rv, PB_EXIT_OK);
			ck_assert_int_eq(ttl, ttls[_i].want);
		}
	}
}
END_TEST

/* --min-ttl as the last argument. */
START_TEST(test_options_args_min_ttl_missing)
{
	static const char *const list[] = { "kubectl", "--min-ttl", NULL };
	struct pb_options o;
	long ttl;
	int set[2];

	ck_assert_int_eq(args(list, &o, &ttl, set), PB_EXIT_USAGE);
	ck_assert_str_eq(errout(),
	    "bearer-token: kubectl: --min-ttl needs a value\n");
}
END_TEST

/* A profile option without its value, through pb_options_parse. */
START_TEST(test_options_args_missing_value)
{
	static const char *const list[] = { "get", "--min-ttl", "5",
	    "--config", NULL };
	struct pb_options o;
	long ttl;
	int set[2];

	ck_assert_int_eq(args(list, &o, &ttl, set), PB_EXIT_USAGE);
	ck_assert_str_eq(errout(), "bearer-token: --config needs a value\n");
}
END_TEST

static Suite *
options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *t;

	t = tcase_create("take");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, test_options_each_spaced, 0, (int)NFIELDS);
	tcase_add_loop_test(t, test_options_each_equals, 0, (int)NFIELDS);
	tcase_add_loop_test(t, test_options_each_missing, 0, (int)NFIELDS);
	tcase_add_test(t, test_options_not_taken);
	tcase_add_test(t, test_options_value_verbatim);
	suite_add_tcase(s, t);

	t = tcase_create("args");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_options_args_empty);
	tcase_add_test(t, test_options_args_flags);
	tcase_add_test(t, test_options_args_flag_forms);
	tcase_add_test(t, test_options_args_unknown);
	tcase_add_test(t, test_options_args_unknown_unsafe);
	tcase_add_test(t, test_options_args_min_ttl_not_taken);
	tcase_add_loop_test(t, test_options_args_min_ttl_bounds, 0,
	    (int)(sizeof(ttls) / sizeof(ttls[0])));
	tcase_add_test(t, test_options_args_min_ttl_missing);
	tcase_add_test(t, test_options_args_missing_value);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return tu_run(options_suite());
}
