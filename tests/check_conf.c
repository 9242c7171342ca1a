/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <check.h>

#include "checkmain.h"
#include "conf.h"
#include "err.h"
#include "jwk.h"

/*
 * Unit tests of common/conf.c.  Config files go to a fresh mkdtemp()
 * directory per test; the log callback records every message so that the
 * tests can check the exact "file:line: message" an admin would see.
 */

#define LOG_MAX		64
#define LOG_LEN		1200

struct logrec {
	char	msg[LOG_MAX][LOG_LEN];
	int	prio[LOG_MAX];
	size_t	n;
};

/* Fixture state (Check fixtures can only reach globals). */
static char dir[64];
static char path[128];
static struct logrec logs;
static struct pb_conf *cfg;

static void
rec(void *ctx, int prio, const char *msg)
{
	struct logrec *l = ctx;

	ck_assert_uint_lt(l->n, LOG_MAX);
	ck_assert_uint_lt(strlen(msg), LOG_LEN);
	l->prio[l->n] = prio;
	(void)snprintf(l->msg[l->n], LOG_LEN, "%s", msg);
	l->n++;
}

static void
setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/check_conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/pam_bearer.conf", dir);
	memset(&logs, 0, sizeof(logs));
	cfg = NULL;
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
}

static void
teardown(void)
{
	char p[512];
	struct dirent *de;
	DIR *d;

	pb_conf_free(cfg);
	cfg = NULL;
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			(void)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			(void)unlink(p);
		}
		closedir(d);
	}
	(void)rmdir(dir);
}

static void
write_bytes(const char *p, const char *data, size_t len)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Write text as the config file and load it into cfg. */
static int
load(const char *text)
{
	write_bytes(path, text, strlen(text));
	return pb_conf_load(cfg, path, rec, &logs);
}

static int has_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether a message equal to the formatted text was logged at LOG_ERR. */
static int
has_msg(const char *fmt, ...)
{
	char want[LOG_LEN];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	(void)vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	for (i = 0; i < logs.n; i++)
		if (strcmp(logs.msg[i], want) == 0 && logs.prio[i] == LOG_ERR)
			return 1;
	for (i = 0; i < logs.n; i++)
		fprintf(stderr, "logged: %s\n", logs.msg[i]);
	fprintf(stderr, "wanted: %s\n", want);
	return 0;
}

/* Set one key from a module argument. */
static int
arg(const char *key, const char *value)
{
	return pb_conf_set(cfg, PB_CONF_ARG, key, value, "module argument",
	    rec, &logs);
}

static unsigned
bit(const char *alg)
{
	const struct pb_alg *a = pb_alg_by_name(alg);

	ck_assert_ptr_nonnull(a);
	return a->bit;
}

/* A minimal valid file, for tests about other keys. */
#define BASE	"issuer = https://idp.example.com\naudience = ssh\n"

/* --- defaults ------------------------------------------------------- */

START_TEST(test_conf_defaults)
{
	ck_assert_uint_eq(cfg->issuers.n, 0);
	ck_assert_uint_eq(cfg->audiences.n, 0);
	ck_assert_str_eq(cfg->jwks_file, PB_CONF_DEFAULT_JWKS);
	ck_assert_str_eq(cfg->jwks_file, "/var/lib/pam_bearer/jwks.json");
	ck_assert_uint_eq(cfg->algorithms, pb_alg_default_mask());
	ck_assert_uint_eq(cfg->algorithms & bit("RS256"), bit("RS256"));
	ck_assert_uint_eq(cfg->algorithms & bit("Ed25519"), bit("Ed25519"));
	ck_assert_uint_eq(cfg->algorithms & bit("HS256"), 0);
	ck_assert_ptr_null(cfg->hmac_secret_file);
	ck_assert_str_eq(cfg->username_claim, "sub");
	ck_assert_ptr_null(cfg->usermap_file);
	ck_assert_int_eq(cfg->leeway, 60);
	ck_assert_int_eq(cfg->max_token_age, 0);
	ck_assert_uint_eq(cfg->require_scope.n, 0);
	ck_assert_str_eq(cfg->groups_claim, "groups");
	ck_assert_uint_eq(cfg->require_groups.n, 0);
	ck_assert_uint_eq(cfg->n_require_claim, 0);
	ck_assert_ptr_null(cfg->denylist_file);
	ck_assert_ptr_null(cfg->replay_cache);
	ck_assert_uint_eq(cfg->max_token_size, 16384);
	ck_assert_str_eq(cfg->prompt, "Bearer token: ");
	ck_assert_uint_eq(cfg->services.n, 0);
	ck_assert_uint_eq(cfg->seen, 0);
	ck_assert_uint_eq(cfg->from_arg, 0);
}
END_TEST

START_TEST(test_conf_free_null)
{
	pb_conf_free(NULL);
	pb_strlist_clear(NULL);
	ck_assert_int_eq(pb_strlist_has(NULL, "x"), 0);
}
END_TEST

START_TEST(test_conf_defaults_kept_by_minimal_file)
{
	ck_assert_int_eq(load(BASE), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
	ck_assert_str_eq(cfg->jwks_file, PB_CONF_DEFAULT_JWKS);
	ck_assert_int_eq(cfg->leeway, 60);
	ck_assert_uint_eq(cfg->max_token_size, 16384);
	ck_assert_str_eq(cfg->prompt, PB_CONF_DEFAULT_PROMPT);
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_OK);
}
END_TEST

/* --- every key ------------------------------------------------------ */

START_TEST(test_conf_all_keys)
{
	ck_assert_int_eq(load(
	    "issuer = https://accounts.google.com accounts.google.com\n"
	    "audience = ssh host.example.com\n"
	    "jwks_file = /etc/pam_bearer/jwks.json\n"
	    "algorithms = RS256 ES256 HS512\n"
	    "hmac_secret_file = /etc/pam_bearer/secret\n"
	    "username_claim = preferred_username\n"
	    "usermap_file = /etc/pam_bearer/usermap\n"
	    "leeway = 30\n"
	    "max_token_age = 3600\n"
	    "require_scope = ssh openid\n"
	    "groups_claim = /realm_access/roles\n"
	    "require_groups = \"Domain Admins\" ops\n"
	    "require_claim = acr=mfa\n"
	    "require_claim = email_verified=true\n"
	    "denylist_file = /etc/pam_bearer/deny\n"
	    "replay_cache = /var/cache/pam_bearer\n"
	    "max_token_size = 8192\n"
	    "prompt = \"Token: \"\n"), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
	ck_assert_uint_eq(cfg->issuers.n, 2);
	ck_assert_str_eq(cfg->issuers.v[0], "https://accounts.google.com");
	ck_assert_str_eq(cfg->issuers.v[1], "accounts.google.com");
	ck_assert_uint_eq(cfg->audiences.n, 2);
	ck_assert_str_eq(cfg->audiences.v[1], "host.example.com");
	ck_assert_str_eq(cfg->jwks_file, "/etc/pam_bearer/jwks.json");
	ck_assert_uint_eq(cfg->algorithms,
	    bit("RS256") | bit("ES256") | bit("HS512"));
	ck_assert_str_eq(cfg->hmac_secret_file, "/etc/pam_bearer/secret");
	ck_assert_str_eq(cfg->username_claim, "preferred_username");
	ck_assert_str_eq(cfg->usermap_file, "/etc/pam_bearer/usermap");
	ck_assert_int_eq(cfg->leeway, 30);
	ck_assert_int_eq(cfg->max_token_age, 3600);
	ck_assert_uint_eq(cfg->require_scope.n, 2);
	ck_assert_str_eq(cfg->require_scope.v[0], "ssh");
	ck_assert_str_eq(cfg->groups_claim, "/realm_access/roles");
	ck_assert_uint_eq(cfg->require_groups.n, 2);
	ck_assert_str_eq(cfg->require_groups.v[0], "Domain Admins");
	ck_assert_str_eq(cfg->require_groups.v[1], "ops");
	ck_assert_uint_eq(cfg->n_require_claim, 2);
	ck_assert_str_eq(cfg->require_claim[0].name, "acr");
	ck_assert_str_eq(cfg->require_claim[0].value, "mfa");
	ck_assert_str_eq(cfg->require_claim[1].name, "email_verified");
	ck_assert_str_eq(cfg->require_claim[1].value, "true");
	ck_assert_str_eq(cfg->denylist_file, "/etc/pam_bearer/deny");
	ck_assert_str_eq(cfg->replay_cache, "/var/cache/pam_bearer");
	ck_assert_uint_eq(cfg->max_token_size, 8192);
	ck_assert_str_eq(cfg->prompt, "Token: ");
	ck_assert_uint_eq(cfg->seen, (1u << 17) - 1);
	ck_assert_uint_eq(cfg->from_arg, 0);
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_OK);
}
END_TEST

START_TEST(test_conf_claim_names)
{
	ck_assert_int_eq(load(BASE
	    "username_claim = https://example.com/user\n"
	    "groups_claim = /resource_access/ssh~1x/roles~0\n"), PB_OK);
	ck_assert_str_eq(cfg->username_claim, "https://example.com/user");
	ck_assert_str_eq(cfg->groups_claim,
	    "/resource_access/ssh~1x/roles~0");
}
END_TEST

START_TEST(test_conf_claim_names_bad_pointer)
{
	ck_assert_int_eq(load(BASE
	    "username_claim = /a~2b\n"
	    "groups_claim = /roles~\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 2);
	ck_assert(has_msg("%s:3: username_claim: '/a~2b' is not a valid JSON "
	    "Pointer ('~' must be followed by 0 or 1)", path));
	ck_assert(has_msg("%s:4: groups_claim: '/roles~' is not a valid JSON "
	    "Pointer ('~' must be followed by 0 or 1)", path));
	/* cfg is untouched by a failed load. */
	ck_assert_str_eq(cfg->username_claim, "sub");
	ck_assert_uint_eq(cfg->issuers.n, 0);
	ck_assert_uint_eq(cfg->seen, 0);
}
END_TEST

/* --- syntax --------------------------------------------------------- */

START_TEST(test_conf_comments_blank)
{
	ck_assert_int_eq(load(
	    "# pam_bearer.conf\n"
	    "\n"
	    "   \t\n"
	    "  # indented comment = with an equals sign\n"
	    "\tissuer\t=\thttps://idp.example.com   \n"
	    "audience=ssh\n"
	    "#leeway = 5\n"), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
	ck_assert_str_eq(cfg->issuers.v[0], "https://idp.example.com");
	ck_assert_str_eq(cfg->audiences.v[0], "ssh");
	ck_assert_int_eq(cfg->leeway, 60);
}
END_TEST

START_TEST(test_conf_hash_in_value)
{
	ck_assert_int_eq(load(BASE
	    "require_claim = tag=#ops # not a comment\n"
	    "prompt = Token #1:\n"), PB_OK);
	ck_assert_str_eq(cfg->require_claim[0].name, "tag");
	ck_assert_str_eq(cfg->require_claim[0].value, "#ops # not a comment");
	ck_assert_str_eq(cfg->prompt, "Token #1:");
}
END_TEST

START_TEST(test_conf_crlf)
{
	ck_assert_int_eq(load("issuer = https://idp.example.com\r\n"
	    "# comment\r\n\r\naudience = ssh\r\nleeway = 5\r\n"), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
	ck_assert_str_eq(cfg->issuers.v[0], "https://idp.example.com");
	ck_assert_str_eq(cfg->audiences.v[0], "ssh");
	ck_assert_int_eq(cfg->leeway, 5);
}
END_TEST

START_TEST(test_conf_no_final_newline_and_bom)
{
	ck_assert_int_eq(load("\xef\xbb\xbfissuer = https://i\naudience = a"),
	    PB_OK);
	ck_assert_str_eq(cfg->issuers.v[0], "https://i");
	ck_assert_str_eq(cfg->audiences.v[0], "a");
}
END_TEST

START_TEST(test_conf_max_line_ok)
{
	char *buf;
	size_t pre = strlen("require_claim = x=");

	/* Exactly PB_CONF_MAX_LINE bytes before the newline is fine. */
	ck_assert_ptr_nonnull(buf = malloc(PB_CONF_MAX_LINE + 2));
	memcpy(buf, "require_claim = x=", pre);
	memset(buf + pre, 'v', PB_CONF_MAX_LINE - pre);
	buf[PB_CONF_MAX_LINE] = '\n';
	buf[PB_CONF_MAX_LINE + 1] = '\0';
	ck_assert_int_eq(load(buf), PB_OK);
	ck_assert_uint_eq(strlen(cfg->require_claim[0].value),
	    PB_CONF_MAX_LINE - pre);
	free(buf);
}
END_TEST

START_TEST(test_conf_no_equals)
{
	ck_assert_int_eq(load(BASE "leeway 5\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert(has_msg("%s:3: 'leeway 5' is not a 'key = value' line",
	    path));
}
END_TEST

START_TEST(test_conf_no_key)
{
	ck_assert_int_eq(load(BASE "  = 5\n"), PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: no key before '='", path));
}
END_TEST

START_TEST(test_conf_empty_value)
{
	ck_assert_int_eq(load(BASE "leeway =   \nprompt=\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 2);
	ck_assert(has_msg("%s:3: leeway: empty value", path));
	ck_assert(has_msg("%s:4: prompt: empty value", path));
}
END_TEST

START_TEST(test_conf_control_chars)
{
	ck_assert_int_eq(load(BASE "leeway = 5\rx\naudience\x01 = b\n"),
	    PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 2);
	ck_assert(has_msg("%s:3: control character 0x0d in line (is this a "
	    "text file?)", path));
	ck_assert(has_msg("%s:4: control character 0x01 in line (is this a "
	    "text file?)", path));
}
END_TEST

START_TEST(test_conf_nul_byte)
{
	static const char text[] = BASE "leeway = 5\0junk\n";

	write_bytes(path, text, sizeof(text) - 1);
	ck_assert_int_eq(pb_conf_load(cfg, path, rec, &logs), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert(has_msg("%s:3: NUL byte in line (is this a text file?)",
	    path));
}
END_TEST

START_TEST(test_conf_long_line)
{
	char *buf;
	size_t pre = strlen("require_claim = x=");

	ck_assert_ptr_nonnull(buf = malloc(PB_CONF_MAX_LINE + 64));
	memcpy(buf, "require_claim = x=", pre);
	memset(buf + pre, 'v', PB_CONF_MAX_LINE + 1 - pre);
	(void)snprintf(buf + PB_CONF_MAX_LINE + 1, 63, "\nleeway = 5\n");
	ck_assert_int_eq(load(buf), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert(has_msg("%s:1: line is longer than 4096 bytes", path));
	ck_assert_uint_eq(cfg->n_require_claim, 0);
	free(buf);
}
END_TEST

START_TEST(test_conf_file_too_big)
{
	char *buf;
	size_t n = PB_CONF_MAX_FILE + 1, i;

	/* Comment lines only: the size alone is the error. */
	ck_assert_ptr_nonnull(buf = malloc(n));
	for (i = 0; i < n; i++)
		buf[i] = i % 64 == 63 ? '\n' : '#';
	write_bytes(path, buf, n);
	ck_assert_int_eq(pb_conf_load(cfg, path, rec, &logs), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert_ptr_nonnull(strstr(logs.msg[0], path));
	ck_assert_ptr_nonnull(strstr(logs.msg[0], "262144"));
	free(buf);
}
END_TEST

START_TEST(test_conf_file_at_max_size)
{
	char *buf;
	size_t n = PB_CONF_MAX_FILE, i;

	ck_assert_ptr_nonnull(buf = malloc(n));
	for (i = 0; i < n; i++)
		buf[i] = i % 64 == 63 ? '\n' : '#';
	write_bytes(path, buf, n);
	ck_assert_int_eq(pb_conf_load(cfg, path, rec, &logs), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
	free(buf);
}
END_TEST

/* --- unknown keys and did-you-mean ---------------------------------- */

START_TEST(test_conf_known_key_exact)
{
	/* Keys match exactly; the nearest-key search never kicks in. */
	ck_assert_int_eq(load(BASE "groups_claim = roles\n"), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
	ck_assert_str_eq(cfg->groups_claim, "roles");
}
END_TEST

START_TEST(test_conf_did_you_mean)
{
	ck_assert_int_eq(load("issuer = https://i\n"
	    "audiance = ssh\n"
	    "Leeway = 5\n"
	    "max_token_sz = 5\n"
	    "algorithm = RS256\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 4);
	ck_assert(has_msg("%s:2: unknown key 'audiance' (did you mean "
	    "'audience'?)", path));
	ck_assert(has_msg("%s:3: unknown key 'Leeway' (did you mean "
	    "'leeway'?)", path));
	ck_assert(has_msg("%s:4: unknown key 'max_token_sz' (did you mean "
	    "'max_token_size'?)", path));
	ck_assert(has_msg("%s:5: unknown key 'algorithm' (did you mean "
	    "'algorithms'?)", path));
}
END_TEST

START_TEST(test_conf_unknown_key)
{
	ck_assert_int_eq(load(BASE "frobnicate = yes\n"
	    "bad'key\x7f\xff = 1\n"), PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: unknown key 'frobnicate'", path));
	/* 0x7f is refused as a control character before the key is read. */
	ck_assert(has_msg("%s:4: control character 0x7f in line (is this a "
	    "text file?)", path));
	ck_assert_int_eq(arg("bad'key\xff", "1"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: unknown key 'bad\\x27key\\xff'"));
	ck_assert_int_eq(arg("udit", "1"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: unknown key 'udit'"));
	ck_assert_int_eq(arg(NULL, "1"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: unknown key '(none)'"));
}
END_TEST

/* --- duplicates ----------------------------------------------------- */

START_TEST(test_conf_accept_id_tokens)
{
	ck_assert_int_eq(cfg->accept_id_tokens, 0);
	ck_assert_int_eq(load(BASE "accept_id_tokens = yes\n"), PB_OK);
	ck_assert_int_eq(cfg->accept_id_tokens, 1);
	ck_assert_int_eq(arg("accept_id_tokens", "no"), PB_OK);
	ck_assert_int_eq(cfg->accept_id_tokens, 0);
	ck_assert_int_eq(arg("accept_id_tokens", "no"), PB_ERR_CONFIG);
	pb_conf_free(cfg);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(load(BASE "accept_id_tokens = Yes\n"),
	    PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: accept_id_tokens: 'Yes' is neither 'yes' "
	    "nor 'no'", path));
	ck_assert_int_eq(cfg->accept_id_tokens, 0);
}
END_TEST

START_TEST(test_conf_require_pop_host_names)
{
	static const char *const bad[] = { "a \"\"", "\xc3\xa9", "" };
	size_t i;

	ck_assert_int_eq(cfg->require_pop, 0);
	ck_assert_uint_eq(cfg->host_names.n, 0);
	ck_assert_int_eq(load(BASE "require_pop = yes\n"
	    "host_names = b.example \"B\"\n"), PB_OK);
	ck_assert_int_eq(cfg->require_pop, 1);
	ck_assert_uint_eq(cfg->host_names.n, 2);
	ck_assert_str_eq(cfg->host_names.v[0], "b.example");
	ck_assert_str_eq(cfg->host_names.v[1], "B");
	ck_assert_int_eq(arg("host_names", "c.example"), PB_OK);
	ck_assert_uint_eq(cfg->host_names.n, 1);
	ck_assert_int_eq(arg("require_pop", "no"), PB_OK);
	ck_assert_int_eq(cfg->require_pop, 0);
	/* What the proof prompt could not show is no host name. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pb_conf_free(cfg);
		ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
		ck_assert_msg(arg("host_names", bad[i]) == PB_ERR_CONFIG,
		    "%s", bad[i]);
		ck_assert_uint_eq(cfg->host_names.n, 0);
	}
	ck_assert_int_eq(load(BASE "host_names = a \"b c\"\n"),
	    PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: host_names: 'b c' is not a host name "
	    "(printable ASCII without blanks, at most 255 bytes)", path));
	ck_assert_int_eq(arg("require_pop", "1"), PB_ERR_CONFIG);
}
END_TEST

START_TEST(test_conf_show_reason)
{
	/* Off unless the admin asks: a refusal tells an attacker nothing. */
	ck_assert_int_eq(cfg->show_reason, 0);
	ck_assert_int_eq(load(BASE "show_reason = yes\n"), PB_OK);
	ck_assert_int_eq(cfg->show_reason, 1);
	ck_assert_int_eq(arg("show_reason", "no"), PB_OK);
	ck_assert_int_eq(cfg->show_reason, 0);
	pb_conf_free(cfg);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(arg("show_reason", "on"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: show_reason: 'on' is neither "
	    "'yes' nor 'no'"));
}
END_TEST

START_TEST(test_conf_services)
{
	/* Unset (empty): every PAM service, as before the key existed. */
	ck_assert_uint_eq(cfg->services.n, 0);
	ck_assert_int_eq(load(BASE "services = sshd \"my svc\"\n"), PB_OK);
	ck_assert_uint_eq(cfg->services.n, 2);
	ck_assert_str_eq(cfg->services.v[0], "sshd");
	ck_assert_str_eq(cfg->services.v[1], "my svc");
	ck_assert_int_eq(pb_strlist_has(&cfg->services, "sshd"), 1);
	ck_assert_int_eq(pb_strlist_has(&cfg->services, "sudo"), 0);
	/* The module line replaces the file's list, as for every key. */
	ck_assert_int_eq(arg("services", "sshd sudo"), PB_OK);
	ck_assert_uint_eq(cfg->services.n, 2);
	ck_assert_str_eq(cfg->services.v[1], "sudo");
	ck_assert_int_eq(arg("services", "login"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: duplicate key 'services'"));
	/* Given, it must name a service: "everything" is leaving it out. */
	pb_conf_free(cfg);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(load(BASE "services =\n"), PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: services: empty value", path));
	pb_conf_free(cfg);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(load(BASE "services = sshd\nservices = su\n"),
	    PB_ERR_CONFIG);
	ck_assert(has_msg("%s:4: duplicate key 'services' (first given "
	    "on line 3)", path));
}
END_TEST

START_TEST(test_conf_deny_users_min_uid)
{
	ck_assert_uint_eq(cfg->deny_users.n, 1);
	ck_assert_str_eq(cfg->deny_users.v[0], "root");
	ck_assert_int_eq(cfg->min_uid, 0);
	/* An empty value turns the default off; other keys refuse one. */
	ck_assert_int_eq(load(BASE "deny_users =\nmin_uid = 1000\n"), PB_OK);
	ck_assert_uint_eq(cfg->deny_users.n, 0);
	ck_assert_int_eq(cfg->min_uid, 1000);
	ck_assert_int_eq(arg("deny_users", "root \"x y\""), PB_OK);
	ck_assert_uint_eq(cfg->deny_users.n, 2);
	ck_assert_str_eq(cfg->deny_users.v[1], "x y");
	pb_conf_free(cfg);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(arg("deny_users", ""), PB_OK);
	ck_assert_uint_eq(cfg->deny_users.n, 0);
	ck_assert_int_eq(load(BASE "min_uid = 1k\ndeny_users = \"a\n"),
	    PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: min_uid: '1k' is not a whole number of uid "
	    "(0 to 2147483647)", path));
	ck_assert(has_msg("%s:4: deny_users: unterminated double quote",
	    path));
}
END_TEST

START_TEST(test_conf_jwks_max_age)
{
	static const struct {
		const char	*text;
		long		 secs;
	} ok[] = {
		{ "0", 0 }, { "600", 600 }, { "90s", 90 }, { "15m", 900 },
		{ "36h", 129600 }, { "7d", 604800 }, { "2w", 1209600 },
		{ "3650d", 315360000 },
	};
	static const char *const junk[] = {
		"7 d", "d", "7D", "-1d", "+7d", "7dd", "1.5d", "7days", " 7d",
	};
	size_t i;

	ck_assert_int_eq(cfg->jwks_max_age, 0);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_ARG, "jwks_max_age",
		    ok[i].text, "t", rec, &logs), PB_OK);
		ck_assert_int_eq(cfg->jwks_max_age, ok[i].secs);
		cfg->from_arg = 0;
	}
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		logs.n = 0;
		ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_ARG, "jwks_max_age",
		    junk[i], "t", rec, &logs), PB_ERR_CONFIG);
		ck_assert(has_msg("t: jwks_max_age: '%s' is not a duration "
		    "(a whole number with an optional unit s, m, h, d or w, "
		    "such as 7d)", junk[i]));
	}
	logs.n = 0;
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_ARG, "jwks_max_age",
	    "3651d", "t", rec, &logs), PB_ERR_CONFIG);
	ck_assert(has_msg("t: jwks_max_age: '3651d' is out of range (0 to "
	    "315360000 seconds)"));
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_ARG, "jwks_max_age",
	    "99999999999999999999999w", "t", rec, &logs), PB_ERR_CONFIG);
	pb_conf_free(cfg);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(load(BASE "jwks_max_age = 7d\n"), PB_OK);
	ck_assert_int_eq(cfg->jwks_max_age, 604800);
}
END_TEST

START_TEST(test_conf_distinct_keys)
{
	ck_assert_int_eq(load(BASE "leeway = 1\nmax_token_age = 1\n"), PB_OK);
	ck_assert_int_eq(cfg->leeway, 1);
	ck_assert_int_eq(cfg->max_token_age, 1);
}
END_TEST

START_TEST(test_conf_duplicate_key)
{
	ck_assert_int_eq(load(BASE "leeway = 1\n# x\nleeway = 2\n"
	    "audience = other\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 2);
	ck_assert(has_msg("%s:5: duplicate key 'leeway' (first given on "
	    "line 3)", path));
	ck_assert(has_msg("%s:6: duplicate key 'audience' (first given on "
	    "line 2)", path));
	ck_assert_int_eq(cfg->leeway, 60);
}
END_TEST

START_TEST(test_conf_duplicate_set_direct)
{
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "leeway", "1", "f:1",
	    rec, &logs), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "leeway", "2", "f:2",
	    rec, &logs), PB_ERR_CONFIG);
	ck_assert(has_msg("f:2: duplicate key 'leeway'"));
	ck_assert_int_eq(cfg->leeway, 1);
}
END_TEST

START_TEST(test_conf_duplicate_arg)
{
	ck_assert_int_eq(arg("leeway", "1"), PB_OK);
	ck_assert_int_eq(arg("leeway", "2"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: duplicate key 'leeway'"));
	ck_assert_int_eq(cfg->leeway, 1);
}
END_TEST

/* --- module arguments ----------------------------------------------- */

START_TEST(test_conf_arg_overrides_file)
{
	ck_assert_int_eq(load(BASE "leeway = 5\nrequire_groups = a b\n"),
	    PB_OK);
	ck_assert_int_eq(arg("leeway", "7"), PB_OK);
	ck_assert_int_eq(arg("audience", "other"), PB_OK);
	ck_assert_int_eq(arg("require_groups", "\"c d\""), PB_OK);
	ck_assert_int_eq(arg("prompt", "\"Token please: \""), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
	ck_assert_int_eq(cfg->leeway, 7);
	ck_assert_uint_eq(cfg->audiences.n, 1);
	ck_assert_str_eq(cfg->audiences.v[0], "other");
	ck_assert_uint_eq(cfg->require_groups.n, 1);
	ck_assert_str_eq(cfg->require_groups.v[0], "c d");
	ck_assert_str_eq(cfg->prompt, "Token please: ");
	ck_assert_str_eq(cfg->issuers.v[0], "https://idp.example.com");
}
END_TEST

START_TEST(test_conf_arg_before_file)
{
	/* Whatever the call order, the argument wins. */
	ck_assert_int_eq(arg("leeway", "7"), PB_OK);
	ck_assert_int_eq(arg("require_claim", "acr=mfa"), PB_OK);
	ck_assert_int_eq(load(BASE "leeway = 5\nrequire_claim = x=y\n"),
	    PB_OK);
	ck_assert_int_eq(cfg->leeway, 7);
	ck_assert_uint_eq(cfg->n_require_claim, 1);
	ck_assert_str_eq(cfg->require_claim[0].name, "acr");
	ck_assert_str_eq(cfg->issuers.v[0], "https://idp.example.com");
}
END_TEST

START_TEST(test_conf_arg_bad_value)
{
	ck_assert_int_eq(load(BASE "leeway = 5\n"), PB_OK);
	ck_assert_int_eq(arg("leeway", "soon"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: leeway: 'soon' is not a whole "
	    "number of seconds (0 to 86400)"));
	ck_assert_int_eq(cfg->leeway, 5);
	ck_assert_int_eq(arg("jwks_file", "jwks.json"), PB_ERR_CONFIG);
	ck_assert_str_eq(cfg->jwks_file, PB_CONF_DEFAULT_JWKS);
	ck_assert_int_eq(arg("audience", ""), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: audience: empty value"));
	ck_assert_int_eq(arg("audience", NULL), PB_ERR_CONFIG);
	ck_assert_str_eq(cfg->audiences.v[0], "ssh");
	/* A file value is still checked when an argument overrides it. */
	ck_assert_int_eq(arg("max_token_age", "10"), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "max_token_age", "x",
	    "f:9", rec, &logs), PB_ERR_CONFIG);
	ck_assert_int_eq(cfg->max_token_age, 10);
}
END_TEST

START_TEST(test_conf_seen_bits)
{
	ck_assert_int_eq(load(BASE "leeway = 5\n"), PB_OK);
	ck_assert_int_eq(arg("prompt", "x"), PB_OK);
	/* issuer, audience, leeway from the file; prompt from an argument. */
	ck_assert_uint_eq(cfg->seen, (1u << 0) | (1u << 1) | (1u << 7) |
	    (1u << 16));
	ck_assert_uint_eq(cfg->from_arg, 1u << 16);
}
END_TEST

/* --- require_claim -------------------------------------------------- */

START_TEST(test_conf_require_claim_accumulates)
{
	ck_assert_int_eq(load(BASE "require_claim = acr=mfa\n"
	    "require_claim = amr = otp\n"
	    "require_claim=/realm_access/x~1y=a=b\n"), PB_OK);
	ck_assert_uint_eq(cfg->n_require_claim, 3);
	ck_assert_str_eq(cfg->require_claim[0].name, "acr");
	ck_assert_str_eq(cfg->require_claim[0].value, "mfa");
	ck_assert_str_eq(cfg->require_claim[1].name, "amr");
	ck_assert_str_eq(cfg->require_claim[1].value, "otp");
	/* Split at the first '='; the value may hold more. */
	ck_assert_str_eq(cfg->require_claim[2].name, "/realm_access/x~1y");
	ck_assert_str_eq(cfg->require_claim[2].value, "a=b");
}
END_TEST

START_TEST(test_conf_require_claim_arg_override)
{
	ck_assert_int_eq(load(BASE "require_claim = acr=mfa\n"
	    "require_claim = amr=otp\n"), PB_OK);
	ck_assert_int_eq(arg("require_claim", "email_verified=true"), PB_OK);
	ck_assert_uint_eq(cfg->n_require_claim, 1);
	ck_assert_str_eq(cfg->require_claim[0].name, "email_verified");
	ck_assert_int_eq(arg("require_claim", "tenant=42"), PB_OK);
	ck_assert_uint_eq(cfg->n_require_claim, 2);
	ck_assert_str_eq(cfg->require_claim[1].name, "tenant");
	ck_assert_str_eq(cfg->require_claim[1].value, "42");
	ck_assert_uint_eq(logs.n, 0);
}
END_TEST

START_TEST(test_conf_require_claim_bad)
{
	ck_assert_int_eq(load(BASE "require_claim = acr\n"
	    "require_claim = =mfa\n"
	    "require_claim = acr=\n"
	    "require_claim = /a~b=1\n"
	    "require_claim = ok=1\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 4);
	ck_assert(has_msg("%s:3: require_claim: 'acr' is not NAME=VALUE",
	    path));
	ck_assert(has_msg("%s:4: require_claim: no claim name in '=mfa' "
	    "(write NAME=VALUE)", path));
	ck_assert(has_msg("%s:5: require_claim: no value in 'acr=' "
	    "(write NAME=VALUE)", path));
	ck_assert(has_msg("%s:6: require_claim: '/a~b' is not a valid JSON "
	    "Pointer ('~' must be followed by 0 or 1)", path));
	ck_assert_uint_eq(cfg->n_require_claim, 0);
}
END_TEST

/* --- lists ---------------------------------------------------------- */

START_TEST(test_conf_list_quoted)
{
	struct pb_strlist l = { NULL, 0 };
	struct pb_err e;

	pb_err_clear(&e);
	ck_assert_int_eq(pb_strlist_split("  a\t\"Domain Admins\"  "
	    "\"say \\\"hi\\\"\" \"back\\\\slash\" DOM\\user "
	    "\"DOM\\Domain Users\"", &l, &e), PB_OK);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_str_eq(l.v[0], "a");
	ck_assert_str_eq(l.v[1], "Domain Admins");
	ck_assert_str_eq(l.v[2], "say \"hi\"");
	ck_assert_str_eq(l.v[3], "back\\slash");
	ck_assert_str_eq(l.v[4], "DOM\\user");
	ck_assert_str_eq(l.v[5], "DOM\\Domain Users");
	ck_assert_int_eq(pb_strlist_has(&l, "Domain Admins"), 1);
	ck_assert_int_eq(pb_strlist_has(&l, "domain admins"), 0);
	ck_assert_int_eq(pb_strlist_has(&l, "Domain"), 0);
	/* Appends. */
	ck_assert_int_eq(pb_strlist_split("b", &l, &e), PB_OK);
	ck_assert_uint_eq(l.n, 7);
	ck_assert_str_eq(l.v[6], "b");
	ck_assert_str_eq(l.v[0], "a");
	pb_strlist_clear(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
}
END_TEST

START_TEST(test_conf_list_in_file)
{
	ck_assert_int_eq(load(BASE
	    "require_groups = \"Domain Admins\"\t ops \"a\\\"b\"\n"
	    "require_scope = ssh\n"), PB_OK);
	ck_assert_uint_eq(cfg->require_groups.n, 3);
	ck_assert_str_eq(cfg->require_groups.v[0], "Domain Admins");
	ck_assert_str_eq(cfg->require_groups.v[2], "a\"b");
	ck_assert_uint_eq(cfg->require_scope.n, 1);
}
END_TEST

START_TEST(test_conf_list_bad)
{
	struct pb_strlist l = { NULL, 0 };
	struct pb_err e;

	pb_err_clear(&e);
	ck_assert_int_eq(pb_strlist_split("a \"b c", &l, &e), PB_ERR_CONFIG);
	ck_assert_str_eq(pb_err_msg(&e), "unterminated double quote");
	ck_assert_int_eq(pb_strlist_split("a \"b\\\"", &l, &e),
	    PB_ERR_CONFIG);
	ck_assert_str_eq(pb_err_msg(&e), "unterminated double quote");
	ck_assert_int_eq(pb_strlist_split(" \t ", &l, &e), PB_ERR_CONFIG);
	ck_assert_str_eq(pb_err_msg(&e), "empty list");
	ck_assert_int_eq(pb_strlist_split("", &l, &e), PB_ERR_CONFIG);
	ck_assert_str_eq(pb_err_msg(&e), "empty list");
	ck_assert_int_eq(pb_strlist_split("a \"\" b", &l, &e), PB_ERR_CONFIG);
	ck_assert_str_eq(pb_err_msg(&e), "empty quoted word");
	ck_assert_int_eq(pb_strlist_split("ab\"c d\"", &l, &e),
	    PB_ERR_CONFIG);
	ck_assert_str_eq(pb_err_msg(&e),
	    "a double quote may only start a word");
	ck_assert_int_eq(pb_strlist_split("\"c d\"e", &l, &e), PB_ERR_CONFIG);
	ck_assert_str_eq(pb_err_msg(&e),
	    "text right after a closing quote (put a space between words)");
	ck_assert_int_eq(pb_strlist_split("x \"c d", &l, NULL),
	    PB_ERR_CONFIG);
	/* A failed split leaves the list as it was. */
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
}
END_TEST

START_TEST(test_conf_list_bad_in_file)
{
	ck_assert_int_eq(load(BASE "require_groups = \"Domain Admins\n"
	    "require_scope = a\"b\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 2);
	ck_assert(has_msg("%s:3: require_groups: unterminated double quote",
	    path));
	ck_assert(has_msg("%s:4: require_scope: a double quote may only "
	    "start a word", path));
}
END_TEST

/* --- algorithms ----------------------------------------------------- */

START_TEST(test_conf_algorithms)
{
	const struct pb_alg *a;
	size_t i;
	unsigned all = 0;

	ck_assert_int_eq(load(BASE "algorithms = ES384\tEdDSA PS512 ES384\n"),
	    PB_OK);
	ck_assert_uint_eq(cfg->algorithms,
	    bit("ES384") | bit("EdDSA") | bit("PS512"));
	/* Every name in the table is accepted. */
	for (i = 0; (a = pb_alg_at(i)) != NULL; i++) {
		ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_ARG, "algorithms",
		    a->name, "arg", rec, &logs), PB_OK);
		cfg->from_arg = 0;
		ck_assert_uint_eq(cfg->algorithms, a->bit);
		all |= a->bit;
	}
	ck_assert_uint_ge(i, 14);
	ck_assert_uint_eq(logs.n, 0);
	ck_assert_uint_eq(all & pb_alg_default_mask(), pb_alg_default_mask());
}
END_TEST

START_TEST(test_conf_algorithms_none)
{
	ck_assert_int_eq(load(BASE "algorithms = RS256 none\n"),
	    PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert(has_msg("%s:3: algorithms: 'none' is never accepted", path));
	ck_assert_int_eq(arg("algorithms", "NONE"), PB_ERR_CONFIG);
	ck_assert_int_eq(arg("algorithms", "None RS256"), PB_ERR_CONFIG);
	ck_assert_int_eq(arg("algorithms", "\"nOnE\""), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 4);
	ck_assert(has_msg("module argument: algorithms: 'none' is never "
	    "accepted"));
	ck_assert_uint_eq(cfg->algorithms, pb_alg_default_mask());
}
END_TEST

START_TEST(test_conf_algorithms_unknown)
{
	char known[256];
	const struct pb_alg *a;
	size_t i, o = 0;

	for (i = 0; (a = pb_alg_at(i)) != NULL; i++)
		o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
		    i > 0 ? " " : "", a->name);
	ck_assert_uint_lt(o, sizeof(known));
	ck_assert_int_eq(load(BASE "algorithms = RS257 rs256 RS256 HS1\n"),
	    PB_ERR_CONFIG);
	/* Every bad name is reported, not just the first. */
	ck_assert_uint_eq(logs.n, 3);
	ck_assert(has_msg("%s:3: algorithms: unknown algorithm 'RS257' "
	    "(known: %s)", path, known));
	ck_assert(has_msg("%s:3: algorithms: unknown algorithm 'rs256' "
	    "(did you mean 'RS256'?)", path));
	ck_assert(has_msg("%s:3: algorithms: unknown algorithm 'HS1' "
	    "(known: %s)", path, known));
	ck_assert_uint_eq(cfg->algorithms, pb_alg_default_mask());
}
END_TEST

START_TEST(test_conf_algorithms_bad_list)
{
	ck_assert_int_eq(load(BASE "algorithms = \"RS256\n"), PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: algorithms: unterminated double quote",
	    path));
}
END_TEST

/* --- paths ---------------------------------------------------------- */

static const char *const path_keys[] = {
	"jwks_file", "hmac_secret_file", "usermap_file", "denylist_file",
	"replay_cache"
};
#define NPATH_KEYS	(sizeof(path_keys) / sizeof(path_keys[0]))

START_TEST(test_conf_paths_absolute)
{
	char line[256];

	(void)snprintf(line, sizeof(line), BASE "%s = /srv/x y/%s\n",
	    path_keys[_i], path_keys[_i]);
	ck_assert_int_eq(load(line), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
}
END_TEST

START_TEST(test_conf_paths_relative)
{
	char line[256];

	(void)snprintf(line, sizeof(line), BASE "%s = etc/x\n",
	    path_keys[_i]);
	ck_assert_int_eq(load(line), PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: %s: 'etc/x' is not an absolute path (it "
	    "must start with '/')", path, path_keys[_i]));
	ck_assert_int_eq(arg(path_keys[_i], "~/x"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: %s: '~/x' is not an absolute "
	    "path (it must start with '/')", path_keys[_i]));
	ck_assert_int_eq(arg(path_keys[_i], "./x"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 3);
	ck_assert_uint_eq(cfg->seen, 0);
}
END_TEST

START_TEST(test_conf_paths_values)
{
	ck_assert_int_eq(load(BASE "jwks_file = /a\nhmac_secret_file = /b\n"
	    "usermap_file = /c\ndenylist_file = /d\nreplay_cache = /e\n"),
	    PB_OK);
	ck_assert_str_eq(cfg->jwks_file, "/a");
	ck_assert_str_eq(cfg->hmac_secret_file, "/b");
	ck_assert_str_eq(cfg->usermap_file, "/c");
	ck_assert_str_eq(cfg->denylist_file, "/d");
	ck_assert_str_eq(cfg->replay_cache, "/e");
}
END_TEST

/* --- integers ------------------------------------------------------- */

START_TEST(test_conf_int_edges)
{
	ck_assert_int_eq(arg("leeway", "0"), PB_OK);
	ck_assert_int_eq(cfg->leeway, 0);
	cfg->from_arg = 0;
	ck_assert_int_eq(arg("leeway", "86400"), PB_OK);
	ck_assert_int_eq(cfg->leeway, 86400);
	cfg->from_arg = 0;
	ck_assert_int_eq(arg("leeway", "007"), PB_OK);
	ck_assert_int_eq(cfg->leeway, 7);
	ck_assert_int_eq(arg("max_token_age", "0"), PB_OK);
	ck_assert_int_eq(cfg->max_token_age, 0);
	cfg->from_arg = 0;
	ck_assert_int_eq(arg("max_token_age", "31536000"), PB_OK);
	ck_assert_int_eq(cfg->max_token_age, 31536000);
	ck_assert_int_eq(arg("max_token_size", "256"), PB_OK);
	ck_assert_uint_eq(cfg->max_token_size, 256);
	cfg->from_arg = 0;
	ck_assert_int_eq(arg("max_token_size", "1048576"), PB_OK);
	ck_assert_uint_eq(cfg->max_token_size, 1048576);
	ck_assert_uint_eq(logs.n, 0);
}
END_TEST

START_TEST(test_conf_int_range)
{
	ck_assert_int_eq(load(BASE
	    "leeway = 86401\n"
	    "max_token_age = 31536001\n"
	    "max_token_size = 255\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 3);
	ck_assert(has_msg("%s:3: leeway: '86401' is out of range (0 to 86400 "
	    "seconds)", path));
	ck_assert(has_msg("%s:4: max_token_age: '31536001' is out of range "
	    "(0 to 31536000 seconds)", path));
	ck_assert(has_msg("%s:5: max_token_size: '255' is out of range (256 "
	    "to 1048576 bytes)", path));
	ck_assert_int_eq(arg("max_token_size", "1048577"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: max_token_size: '1048577' is out "
	    "of range (256 to 1048576 bytes)"));
	ck_assert_int_eq(cfg->leeway, 60);
	ck_assert_uint_eq(cfg->max_token_size, 16384);
}
END_TEST

START_TEST(test_conf_int_negative_overflow)
{
	ck_assert_int_eq(load(BASE
	    "leeway = -1\n"
	    "max_token_age = 99999999999999999999\n"
	    "max_token_size = -99999999999999999999\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 3);
	ck_assert(has_msg("%s:3: leeway: '-1' is out of range (0 to 86400 "
	    "seconds)", path));
	ck_assert(has_msg("%s:4: max_token_age: '99999999999999999999' is "
	    "out of range (0 to 31536000 seconds)", path));
	ck_assert(has_msg("%s:5: max_token_size: '-99999999999999999999' is "
	    "out of range (256 to 1048576 bytes)", path));
}
END_TEST

START_TEST(test_conf_int_junk)
{
	static const char *const junk[] = { "1 2", "-", "1e3", "5s", "\"5\"" };
	size_t i;

	ck_assert_int_eq(load(BASE
	    "leeway = 6o\n"
	    "max_token_age = +5\n"
	    "max_token_size = 0x400\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 3);
	ck_assert(has_msg("%s:3: leeway: '6o' is not a whole number of "
	    "seconds (0 to 86400)", path));
	ck_assert(has_msg("%s:4: max_token_age: '+5' is not a whole number "
	    "of seconds (0 to 31536000)", path));
	ck_assert(has_msg("%s:5: max_token_size: '0x400' is not a whole "
	    "number of bytes (256 to 1048576)", path));
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		logs.n = 0;
		ck_assert_int_eq(arg("leeway", junk[i]), PB_ERR_CONFIG);
		ck_assert_uint_eq(logs.n, 1);
		ck_assert_ptr_nonnull(strstr(logs.msg[0], "is not a whole "
		    "number of seconds (0 to 86400)"));
	}
	ck_assert(has_msg("module argument: leeway: '\"5\"' is not a whole "
	    "number of seconds (0 to 86400)"));
	ck_assert_int_eq(cfg->leeway, 60);
	ck_assert_uint_eq(cfg->from_arg, 0);
}
END_TEST

/* --- prompt --------------------------------------------------------- */

START_TEST(test_conf_prompt)
{
	ck_assert_int_eq(load(BASE "prompt = \"  Say \\\"token\\\": \"\n"),
	    PB_OK);
	ck_assert_str_eq(cfg->prompt, "  Say \"token\": ");
	ck_assert_int_eq(arg("prompt", "Token:   "), PB_OK);
	/* Unquoted is taken as given (the file trims it). */
	ck_assert_str_eq(cfg->prompt, "Token:   ");
}
END_TEST

START_TEST(test_conf_prompt_unquoted_trimmed)
{
	ck_assert_int_eq(load(BASE "prompt = Token:   \n"), PB_OK);
	ck_assert_str_eq(cfg->prompt, "Token:");
}
END_TEST

START_TEST(test_conf_prompt_bad)
{
	ck_assert_int_eq(load(BASE "prompt = \"Token: \n"), PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: prompt: unterminated double quote", path));
	ck_assert_int_eq(arg("prompt", "\"a\" b"), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: prompt: text after the closing "
	    "quote"));
	ck_assert_int_eq(arg("prompt", "\"\""), PB_ERR_CONFIG);
	ck_assert(has_msg("module argument: prompt: empty quoted word"));
	ck_assert_int_eq(arg("prompt", "\"a\"b"), PB_ERR_CONFIG);
	ck_assert_str_eq(cfg->prompt, PB_CONF_DEFAULT_PROMPT);
}
END_TEST

/* --- files ---------------------------------------------------------- */

START_TEST(test_conf_load_ok_twice_keeps_arg)
{
	/* A valid file loads; the same struct then takes arguments. */
	ck_assert_int_eq(load(BASE), PB_OK);
	ck_assert_int_eq(arg("issuer", "https://other"), PB_OK);
	ck_assert_str_eq(cfg->issuers.v[0], "https://other");
	ck_assert_uint_eq(cfg->issuers.n, 1);
}
END_TEST

START_TEST(test_conf_missing_file)
{
	char want[256];

	(void)snprintf(want, sizeof(want), "%s/nonexistent.conf", dir);
	ck_assert_int_eq(pb_conf_load(cfg, want, rec, &logs), PB_ERR_IO);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert_int_eq(logs.prio[0], LOG_ERR);
	ck_assert_ptr_nonnull(strstr(logs.msg[0], want));
	/* A directory is not a config file either. */
	ck_assert_int_eq(pb_conf_load(cfg, dir, rec, &logs), PB_ERR_IO);
	ck_assert_uint_eq(logs.n, 2);
	ck_assert_ptr_nonnull(strstr(logs.msg[1], dir));
	/* No callback is fine. */
	ck_assert_int_eq(pb_conf_load(cfg, want, NULL, NULL), PB_ERR_IO);
}
END_TEST

START_TEST(test_conf_all_errors_reported)
{
	ck_assert_int_eq(load(
	    "issuer = https://idp.example.com\n"
	    "audiance = ssh\n"
	    "leeway = 6o\n"
	    "# fine\n"
	    "jwks_file = jwks.json\n"
	    "audience = ssh\n"
	    "algorithms = none\n"
	    "oops\n"), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 5);
	ck_assert(has_msg("%s:2: unknown key 'audiance' (did you mean "
	    "'audience'?)", path));
	ck_assert(has_msg("%s:3: leeway: '6o' is not a whole number of "
	    "seconds (0 to 86400)", path));
	ck_assert(has_msg("%s:5: jwks_file: 'jwks.json' is not an absolute "
	    "path (it must start with '/')", path));
	ck_assert(has_msg("%s:7: algorithms: 'none' is never accepted", path));
	ck_assert(has_msg("%s:8: 'oops' is not a 'key = value' line", path));
	/* Nothing of the bad file is applied, not even its good lines. */
	ck_assert_uint_eq(cfg->issuers.n, 0);
	ck_assert_uint_eq(cfg->audiences.n, 0);
	ck_assert_uint_eq(cfg->seen, 0);
}
END_TEST

START_TEST(test_conf_values_escaped)
{
	ck_assert_int_eq(load(BASE "leeway = it's\tbad\\\n"), PB_ERR_CONFIG);
	ck_assert(has_msg("%s:3: leeway: 'it\\x27s\\x09bad\\x5c' is not a "
	    "whole number of seconds (0 to 86400)", path));
}
END_TEST

/* --- pb_conf_check -------------------------------------------------- */

START_TEST(test_conf_check_ok)
{
	ck_assert_int_eq(load(BASE "algorithms = RS256 HS256\n"
	    "hmac_secret_file = /etc/secret\n"), PB_OK);
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_OK);
	ck_assert_uint_eq(logs.n, 0);
}
END_TEST

START_TEST(test_conf_check_required)
{
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 2);
	ck_assert(has_msg("issuer is not set (add 'issuer = URL', the exact "
	    "'iss' of your tokens)"));
	ck_assert(has_msg("audience is not set (add 'audience = NAME', an "
	    "'aud' value of your tokens)"));
	ck_assert_int_eq(arg("issuer", "https://i"), PB_OK);
	logs.n = 0;
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert_int_eq(arg("audience", "a"), PB_OK);
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_OK);
}
END_TEST

START_TEST(test_conf_check_no_algorithms)
{
	ck_assert_int_eq(load(BASE), PB_OK);
	cfg->algorithms = 0;
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_ERR_CONFIG);
	ck_assert(has_msg("algorithms is empty (name at least one, e.g. "
	    "RS256)"));
}
END_TEST

START_TEST(test_conf_check_hs_without_secret)
{
	ck_assert_int_eq(load(BASE "algorithms = HS256 ES256 HS512\n"), PB_OK);
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert(has_msg("algorithms has HS256 HS512 but hmac_secret_file is "
	    "not set (set hmac_secret_file, or remove HS256 HS512 from "
	    "algorithms)"));
}
END_TEST

START_TEST(test_conf_check_secret_without_hs)
{
	ck_assert_int_eq(load(BASE "hmac_secret_file = /etc/secret\n"), PB_OK);
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 1);
	ck_assert(has_msg("hmac_secret_file is set but algorithms has none of "
	    "HS256 HS384 HS512 (add one to algorithms, or remove "
	    "hmac_secret_file)"));
}
END_TEST

START_TEST(test_conf_check_all_problems)
{
	ck_assert_int_eq(arg("algorithms", "HS384"), PB_OK);
	ck_assert_int_eq(pb_conf_check(cfg, NULL, NULL), PB_ERR_CONFIG);
	ck_assert_int_eq(pb_conf_check(cfg, rec, &logs), PB_ERR_CONFIG);
	ck_assert_uint_eq(logs.n, 3);
}
END_TEST

static TCase *
tc(const char *name)
{
	TCase *t = tcase_create(name);

	tcase_add_checked_fixture(t, setup, teardown);
	return t;
}

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *t;

	t = tc("defaults");
	tcase_add_test(t, test_conf_defaults);
	tcase_add_test(t, test_conf_free_null);
	tcase_add_test(t, test_conf_defaults_kept_by_minimal_file);
	suite_add_tcase(s, t);

	t = tc("keys");
	tcase_add_test(t, test_conf_all_keys);
	tcase_add_test(t, test_conf_claim_names);
	tcase_add_test(t, test_conf_claim_names_bad_pointer);
	suite_add_tcase(s, t);

	t = tc("syntax");
	tcase_add_test(t, test_conf_comments_blank);
	tcase_add_test(t, test_conf_hash_in_value);
	tcase_add_test(t, test_conf_crlf);
	tcase_add_test(t, test_conf_no_final_newline_and_bom);
	tcase_add_test(t, test_conf_max_line_ok);
	tcase_add_test(t, test_conf_file_at_max_size);
	tcase_add_test(t, test_conf_no_equals);
	tcase_add_test(t, test_conf_no_key);
	tcase_add_test(t, test_conf_empty_value);
	tcase_add_test(t, test_conf_control_chars);
	tcase_add_test(t, test_conf_nul_byte);
	tcase_add_test(t, test_conf_long_line);
	tcase_add_test(t, test_conf_file_too_big);
	suite_add_tcase(s, t);

	t = tc("unknown_keys");
	tcase_add_test(t, test_conf_known_key_exact);
	tcase_add_test(t, test_conf_did_you_mean);
	tcase_add_test(t, test_conf_unknown_key);
	suite_add_tcase(s, t);

	t = tc("duplicates");
	tcase_add_test(t, test_conf_distinct_keys);
	tcase_add_test(t, test_conf_accept_id_tokens);
	tcase_add_test(t, test_conf_require_pop_host_names);
	tcase_add_test(t, test_conf_services);
	tcase_add_test(t, test_conf_show_reason);
	tcase_add_test(t, test_conf_deny_users_min_uid);
	tcase_add_test(t, test_conf_jwks_max_age);
	tcase_add_test(t, test_conf_duplicate_key);
	tcase_add_test(t, test_conf_duplicate_set_direct);
	tcase_add_test(t, test_conf_duplicate_arg);
	suite_add_tcase(s, t);

	t = tc("arguments");
	tcase_add_test(t, test_conf_arg_overrides_file);
	tcase_add_test(t, test_conf_arg_before_file);
	tcase_add_test(t, test_conf_seen_bits);
	tcase_add_test(t, test_conf_load_ok_twice_keeps_arg);
	tcase_add_test(t, test_conf_arg_bad_value);
	suite_add_tcase(s, t);

	t = tc("require_claim");
	tcase_add_test(t, test_conf_require_claim_accumulates);
	tcase_add_test(t, test_conf_require_claim_arg_override);
	tcase_add_test(t, test_conf_require_claim_bad);
	suite_add_tcase(s, t);

	t = tc("lists");
	tcase_add_test(t, test_conf_list_quoted);
	tcase_add_test(t, test_conf_list_in_file);
	tcase_add_test(t, test_conf_list_bad);
	tcase_add_test(t, test_conf_list_bad_in_file);
	suite_add_tcase(s, t);

	t = tc("algorithms");
	tcase_add_test(t, test_conf_algorithms);
	tcase_add_test(t, test_conf_algorithms_none);
	tcase_add_test(t, test_conf_algorithms_unknown);
	tcase_add_test(t, test_conf_algorithms_bad_list);
	suite_add_tcase(s, t);

	t = tc("paths");
	tcase_add_loop_test(t, test_conf_paths_absolute, 0, NPATH_KEYS);
	tcase_add_test(t, test_conf_paths_values);
	tcase_add_loop_test(t, test_conf_paths_relative, 0, NPATH_KEYS);
	suite_add_tcase(s, t);

	t = tc("integers");
	tcase_add_test(t, test_conf_int_edges);
	tcase_add_test(t, test_conf_int_range);
	tcase_add_test(t, test_conf_int_negative_overflow);
	tcase_add_test(t, test_conf_int_junk);
	suite_add_tcase(s, t);

	t = tc("prompt");
	tcase_add_test(t, test_conf_prompt);
	tcase_add_test(t, test_conf_prompt_unquoted_trimmed);
	tcase_add_test(t, test_conf_prompt_bad);
	suite_add_tcase(s, t);

	t = tc("load_errors");
	tcase_add_test(t, test_conf_missing_file);
	tcase_add_test(t, test_conf_all_errors_reported);
	tcase_add_test(t, test_conf_values_escaped);
	suite_add_tcase(s, t);

	t = tc("check");
	tcase_add_test(t, test_conf_check_ok);
	tcase_add_test(t, test_conf_check_required);
	tcase_add_test(t, test_conf_check_no_algorithms);
	tcase_add_test(t, test_conf_check_hs_without_secret);
	tcase_add_test(t, test_conf_check_secret_without_hs);
	tcase_add_test(t, test_conf_check_all_problems);
	suite_add_tcase(s, t);

	return s;
}

int
main(void)
{
	return tu_run(conf_suite());
}
