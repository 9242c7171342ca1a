/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/cli/profile.c: the INI configuration through pb_profile_load(),
 * with XDG_CONFIG_HOME set to a temp directory for each test: the defaults
 * before the first section, [profile NAME], options over the file,
 * BEARER_TOKEN_PROFILE, errors that name FILE:LINE, and the client secret,
 * taken only from a file others cannot read and never echoed.
 *
 * Only profile.h is included: struct pb_options is filled by its member
 * names, wherever the header that declares it ends up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "checkmain.h"
#include "err.h"
#include "profile.h"
#include "secmem.h"

#define ISS	"https://idp.example/realms/test"

static char base[64];
static char dir[128];
static char file[160];
static struct pb_options o;
static struct pb_profile c;
static struct pb_err e;

/* Test plumbing --------------------------------------------------------- */

static void
setup(void)
{
	(void)snprintf(base, sizeof(base), "%s", "/tmp/pb-profile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	(void)snprintf(dir, sizeof(dir), "%s/bearer-token", base);
	(void)snprintf(file, sizeof(file), "%s/config", dir);
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", base, 1), 0);
	ck_assert_int_eq(setenv("HOME", base, 1), 0);
	ck_assert_int_eq(unsetenv("BEARER_TOKEN_PROFILE"), 0);
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	pb_err_clear(&e);
}

static void
teardown(void)
{
	pb_profile_clear(&c);
	(void)unlink(file);
	(void)rmdir(dir);
	(void)rmdir(base);
}

/* Write the config file: len bytes of text, with mode. */
static void
put_config_n(const char *text, size_t len, unsigned mode)
{
	int fd;

	if (mkdir(dir, 0700) == -1)
		ck_assert_int_eq(errno, EEXIST);
	(void)unlink(file);
	ck_assert_int_ne(fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600),
	    -1);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, (mode_t)mode), 0);
	ck_assert_int_eq(close(fd), 0);
}

static void
put_config(const char *text)
{
	put_config_n(text, strlen(text), 0644);
}

static int
load(void)
{
	pb_profile_clear(&c);
	pb_err_clear(&e);
	return pb_profile_load(&c, &o, &e);
}

/* The message of e holds s. */
static void
says(const char *s)
{
	ck_assert_msg(strstr(pb_err_msg(&e), s) != NULL, "'%s' not in '%s'",
	    s, pb_err_msg(&e));
}

/* The message of e holds "FILE:LINE:". */
static void
says_line(int line)
{
	char where[256];

	(void)snprintf(where, sizeof(where), "%s:%d:", file, line);
	says(where);
}

/* Sections and defaults ------------------------------------------------- */

/* Keys before the first section serve every profile; "default" is used. */
START_TEST(test_profile_defaults_section)
{
	put_config("# comment\n; another\n\nissuer = " ISS "\n"
	    "client_id=cli\n");
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.profile, "default");
	ck_assert_str_eq(c.issuer, ISS);
	ck_assert_str_eq(c.client_id, "cli");
	ck_assert_str_eq(c.scope, PB_PROFILE_SCOPE);
	ck_assert_int_eq(c.store, PB_STORE_AUTO);
	ck_assert_int_eq(c.client_auth, PB_PROFILE_AUTH_BASIC);
	ck_assert_int_eq(c.timeout, 0);
	ck_assert_uint_eq(c.redirect_port, 0);		/* ephemeral */
	ck_assert_ptr_null(c.audience);
	ck_assert_uint_eq(c.client_secret.len, 0);
	ck_assert_str_eq(c.path, file);
}
END_TEST

static const char two_profiles[] =
	"issuer = " ISS "\n"
	"client_id = cli\n"
	"[profile work]\n"
	"issuer = https://work.example\n"
	"scope = openid email\n"
	"store = file\n"
	"timeout = 20\n"
	"redirect_port = 8400\n"
	"client_auth = post\n"
	"audience = api\n"
	"[ profile home ]\n"
	"store = bogus\n";		/* not ours to judge */

START_TEST(test_profile_named)
{
	put_config(two_profiles);
	o.profile = "work";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.profile, "work");
	ck_assert_str_eq(c.issuer, "https://work.example");
	ck_assert_str_eq(c.client_id, "cli");		/* the default */
	ck_assert_str_eq(c.scope, "openid email");
	ck_assert_int_eq(c.store, PB_STORE_FILE);
	ck_assert_int_eq(c.timeout, 20);
	ck_assert_uint_eq(c.redirect_port, 8400);
	ck_assert_int_eq(c.client_auth, PB_PROFILE_AUTH_POST);
	ck_assert_str_eq(c.audience, "api");
	/* Profile "default" sees the defaults only. */
	o.profile = NULL;
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.issuer, ISS);
	ck_assert_int_eq(c.store, PB_STORE_AUTO);
	ck_assert_ptr_null(c.audience);
}
END_TEST

/* ssh_hosts and git_hosts: patterns with spaces; unset is NULL. */
START_TEST(test_profile_hosts)
{
	put_config("issuer = " ISS "\nclient_id = cli\n[profile s]\n"
	    "ssh_hosts = *.example.com  db-?.lab\n"
	    "git_hosts = git.example.com\n[profile bad]\n"
	    "ssh_hosts = a\tb\n");
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_ptr_null(c.ssh_hosts);
	ck_assert_ptr_null(c.git_hosts);
	o.profile = "s";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.ssh_hosts, "*.example.com  db-?.lab");
	ck_assert_str_eq(c.git_hosts, "git.example.com");
	o.profile = "bad";
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says_line(7);
	says("ssh_hosts must be printable ASCII");
}
END_TEST

/* BEARER_TOKEN_PROFILE picks the profile; --profile wins over it. */
START_TEST(test_profile_env)
{
	put_config(two_profiles);
	ck_assert_int_eq(setenv("BEARER_TOKEN_PROFILE", "work", 1), 0);
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.profile, "work");
	ck_assert_str_eq(c.issuer, "https://work.example");
	o.profile = "default";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.profile, "default");
	ck_assert_str_eq(c.issuer, ISS);
	/* An empty variable means "default". */
	o.profile = NULL;
	ck_assert_int_eq(setenv("BEARER_TOKEN_PROFILE", "", 1), 0);
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.profile, "default");
}
END_TEST

START_TEST(test_profile_missing_section)
{
	put_config(two_profiles);
	o.profile = "nope";
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("no [profile nope] section");
	says("(profiles: work home)");
}
END_TEST

START_TEST(test_profile_bad_name)
{
	static const char *const bad[] = { ".hidden", "a/b", "a b", "..",
	    "x\n" };
	size_t i;

	put_config(two_profiles);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.profile = bad[i];
		ck_assert_int_eq(load(), PB_ERR_CONFIG);
		says("must be 1 to");
	}
}
END_TEST

/* Options ----------------------------------------------------------------- */

START_TEST(test_profile_options_override)
{
	put_config(two_profiles);
	o.profile = "work";
	o.issuer = "https://cli.example";
	o.client_id = "other";
	o.scope = "openid";
	o.store = "secret-service";
	o.timeout = "300";
	o.redirect_port = "65535";
	o.ca_file = "/etc/ssl/ca.pem";
	o.resource = "urn:x";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.issuer, "https://cli.example");
	ck_assert_str_eq(c.client_id, "other");
	ck_assert_str_eq(c.scope, "openid");
	ck_assert_int_eq(c.store, PB_STORE_SECRET_SERVICE);
	ck_assert_int_eq(c.timeout, 300);
	ck_assert_uint_eq(c.redirect_port, 65535);
	ck_assert_str_eq(c.ca_file, "/etc/ssl/ca.pem");
	ck_assert_str_eq(c.resource, "urn:x");
	ck_assert_str_eq(c.audience, "api");		/* from the file */
}
END_TEST

/* Bad option values name the option. */
START_TEST(test_profile_options_bad)
{
	o.issuer = ISS;
	o.client_id = "cli";
	o.timeout = "301";
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("--timeout: timeout is seconds, 1 to 300");
	o.timeout = NULL;
	o.redirect_port = "80";
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("--redirect-port: redirect_port is a port, 1024 to 65535");
	o.redirect_port = NULL;
	o.store = "keyring";
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("--store: store must be auto, secret-service or file");
	o.store = NULL;
	o.issuer = "https://a b";
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("--issuer: issuer must be printable ASCII");
}
END_TEST

/* No file: the options alone, which then need issuer and client_id. */
START_TEST(test_profile_no_file)
{
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("profile 'default' has no issuer");
	o.issuer = ISS;
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("has no client_id");
	o.client_id = "cli";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_ptr_null(c.path);
	ck_assert_str_eq(c.issuer, ISS);
	/* --config names a file that must exist. */
	o.config = "/nonexistent/bearer-token-config";
	ck_assert_int_eq(load(), PB_ERR_IO);
}
END_TEST

START_TEST(test_profile_config_option)
{
	char other[200];
	FILE *f;

	(void)snprintf(other, sizeof(other), "%s/other.ini", base);
	ck_assert_ptr_nonnull(f = fopen(other, "w"));
	ck_assert_int_ge(fputs("issuer = https://o.example\r\n"
	    "client_id = o\r\n", f), 0);
	ck_assert_int_eq(fclose(f), 0);
	put_config(two_profiles);		/* not read */
	o.config = other;
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_str_eq(c.issuer, "https://o.example");	/* \r cut */
	ck_assert_str_eq(c.client_id, "o");
	ck_assert_str_eq(c.path, other);
	(void)unlink(other);
}
END_TEST

/* Errors name FILE:LINE --------------------------------------------------- */

static const struct {
	const char	*text;
	int		 line;
	const char	*what;
} bad_files[] = {
	{ "issuer = " ISS "\nclient_id = c\ncolour = red\n", 3,
	    "unknown key 'colour'" },
	{ "issuer = " ISS "\njust words\n", 2, "not a 'key = value' line" },
	{ "[profile work\n", 1, "a section header is" },
	{ "[profile work] x\n", 1, "a section header is" },
	{ "\n[server]\n", 2, "unknown section '[server]'" },
	{ "[profile .x]\n", 1, "profile name '.x' must be" },
	{ "[profile a/b]\n", 1, "must be 1 to" },
	{ "[profile default]\n[profile default]\n", 2,
	    "a second [profile default] section" },
	{ "issuer = a\nissuer = b\n", 2, "issuer given twice" },
	{ "store = bogus\n", 1, "store must be auto, secret-service or file" },
	{ "timeout = 0\n", 1, "timeout is seconds, 1 to 300" },
	{ "timeout = 301\n", 1, "timeout is seconds" },
	{ "timeout = 12s\n", 1, "timeout is seconds" },
	{ "timeout = -5\n", 1, "timeout is seconds" },
	{ "timeout = +5\n", 1, "timeout is seconds" },
	{ "timeout = 0x10\n", 1, "timeout is seconds" },
	{ "redirect_port = 1023\n", 1, "redirect_port is a port, 1024 to 65535" },
	{ "redirect_port = 65536\n", 1, "redirect_port is a port" },
	{ "redirect_port = 0\n", 1, "redirect_port is a port" },
	{ "redirect_port = 8400x\n", 1, "redirect_port is a port" },
	{ "redirect_port =\n", 1, "redirect_port is a port" },
	{ "client_auth = jwt\n", 1, "client_auth must be client_secret_basic, client_secret_post" },
	{ "dpop = maybe\n", 1, "dpop must be auto, yes or no" },
	{ "dpop = YES\n", 1, "dpop must be auto, yes or no" },
	{ "\n\nissuer = https://a b\n", 3, "issuer must be printable ASCII" },
	{ "client_id =\n", 1, "client_id must be printable ASCII" },
};

START_TEST(test_profile_file_errors)
{
	put_config(bad_files[_i].text);
	o.issuer = ISS;
	o.client_id = "cli";
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says_line(bad_files[_i].line);
	says(bad_files[_i].what);
}
END_TEST

START_TEST(test_profile_nul_byte)
{
	static const char text[] = "issuer = " ISS "\n\0client_id = c\n";

	put_config_n(text, sizeof(text) - 1, 0600);
	ck_assert_int_eq(load(), PB_ERR_CONFIG);
	says("NUL byte");
}
END_TEST

/* The client secret ------------------------------------------------------- */

#define SECRET	"s3cr3t-Value"

START_TEST(test_profile_secret_private)
{
	put_config_n("issuer = " ISS "\nclient_id = c\n"
	    "client_secret = " SECRET "\n", strlen("issuer = " ISS
	    "\nclient_id = c\nclient_secret = " SECRET "\n"), 0600);
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_uint_eq(c.client_secret.len, strlen(SECRET));
	ck_assert_str_eq(c.client_secret.p, SECRET);
}
END_TEST

/* A secret in a file others can read is refused, any profile's. */
START_TEST(test_profile_secret_loose)
{
	static const char *const texts[] = {
		"issuer = " ISS "\nclient_id = c\nclient_secret = " SECRET
		    "\n",
		"issuer = " ISS "\nclient_id = c\n[profile other]\n"
		    "client_secret = " SECRET "\n",
	};
	static const unsigned modes[] = { 0644, 0640, 0604 };
	size_t i, m;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			put_config_n(texts[i], strlen(texts[i]), modes[m]);
			ck_assert_int_eq(load(), PB_ERR_IO);
			says("holds a client_secret and is readable by "
			    "others");
			ck_assert_ptr_null(strstr(pb_err_msg(&e), SECRET));
		}
	/* Without a secret, a readable file is fine. */
	put_config("issuer = " ISS "\nclient_id = c\n");
	ck_assert_int_eq(load(), PB_OK);
}
END_TEST

/* Not on the command line: struct pb_options has no field for it, and a
 * bad secret in the file is refused without an echo. */
START_TEST(test_profile_secret_not_echoed)
{
	static const char *const texts[] = {
		"client_secret = " SECRET " x\n",
		"client_secret: " SECRET "=\n",
		"client_secret " SECRET "\n",
	};
	size_t i;

	o.issuer = ISS;
	o.client_id = "cli";
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		put_config_n(texts[i], strlen(texts[i]), 0600);
		ck_assert_int_eq(load(), PB_ERR_CONFIG);
		says_line(1);
		ck_assert_msg(strstr(pb_err_msg(&e), SECRET) == NULL,
		    "secret echoed: %s", pb_err_msg(&e));
	}
}
END_TEST

/* dpop: auto by default, yes and no per profile (DESIGN.md section 5). */
START_TEST(test_profile_dpop)
{
	put_config("issuer = " ISS "\nclient_id = cli\n"
	    "[profile y]\ndpop = yes\n[profile n]\ndpop = no\n"
	    "[profile a]\ndpop = auto\n");
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_int_eq(c.dpop, PB_PROFILE_DPOP_AUTO);
	o.profile = "y";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_int_eq(c.dpop, PB_PROFILE_DPOP_YES);
	o.profile = "n";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_int_eq(c.dpop, PB_PROFILE_DPOP_NO);
	o.profile = "a";
	ck_assert_int_eq(load(), PB_OK);
	ck_assert_int_eq(c.dpop, PB_PROFILE_DPOP_AUTO);
}
END_TEST

START_TEST(test_profile_store_names)
{
	ck_assert_str_eq(pb_profile_store_name(PB_STORE_AUTO), "auto");
	ck_assert_str_eq(pb_profile_store_name(PB_STORE_SECRET_SERVICE),
	    "secret-service");
	ck_assert_str_eq(pb_profile_store_name(PB_STORE_FILE), "file");
	ck_assert_str_eq(pb_profile_store_name((enum pb_store_kind)99), "?");
}
END_TEST

static Suite *
profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc;

	tc = tcase_create("sections");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_profile_defaults_section);
	tcase_add_test(tc, test_profile_named);
	tcase_add_test(tc, test_profile_env);
	tcase_add_test(tc, test_profile_hosts);
	tcase_add_test(tc, test_profile_missing_section);
	tcase_add_test(tc, test_profile_bad_name);
	tcase_add_test(tc, test_profile_store_names);
	tcase_add_test(tc, test_profile_dpop);
	suite_add_tcase(s, tc);

	tc = tcase_create("options");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_profile_options_override);
	tcase_add_test(tc, test_profile_options_bad);
	tcase_add_test(tc, test_profile_no_file);
	tcase_add_test(tc, test_profile_config_option);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_profile_file_errors, 0,
	    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, test_profile_nul_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("secret");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_profile_secret_private);
	tcase_add_test(tc, test_profile_secret_loose);
	tcase_add_test(tc, test_profile_secret_not_echoed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(profile_suite());
}
