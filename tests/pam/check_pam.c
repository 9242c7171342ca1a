/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PAM stack tests (DESIGN.md section 4 "libpam"; the Linux-PAM
 * pam_faillock pattern): pam_bearer.so as built, loaded by the real libpam
 * from service files written into a temporary directory and opened with
 * pam_start_confdir() (Linux-PAM >= 1.4).  The conversation answers from a
 * script per test and records every prompt.  The module's pam_syslog()
 * lines reach $PB_SYSLOG_FILE through syslog_shim.so, which stack.sh
 * preloads; every test's teardown checks that no 8 bytes of any token or
 * password the test used appear in what the module logged.
 *
 * Environment (stack.sh sets it): PB_MODULE (the module, absolute),
 * PB_EXPECT_MODULE (pam_expect.so, absolute), PB_SYSLOG_FILE, PB_TESTDATA
 * (keys and jwks.json from mkvectors.sh), PB_STRESS_N (authentications per
 * thread in the stress test, default 1000).
 *
 * Time: the module reads the real clock (time(NULL)) and takes no injected
 * time, so the tokens here are made relative to time(NULL) as well, with
 * margins of many seconds.  STYLE.md 2.7's "never call time() in tests" is
 * about the unit tests of common/, where time is an argument.
 *
 * Two stacks do most of the work:
 *   "exact": auth [success=done ignore=ok default=die] pam_bearer.so ...
 *            makes pam_authenticate() return the module's own code,
 *            PAM_AUTHINFO_UNAVAIL and PAM_IGNORE included (libpam never
 *            returns PAM_IGNORE from "die" or "ignore", which end as
 *            PAM_PERM_DENIED, but does from "ok" as the last line);
 *   "deny":  auth sufficient pam_bearer.so ... / auth required pam_deny.so
 *            is the stack an admin writes.
 */
#include "config.h"

#ifndef HAVE_PAM_START_CONFDIR
#include <stdio.h>

int
main(void)
{
	puts("check_pam: libpam has no pam_start_confdir() (Linux-PAM < 1.4): "
	    "skipping");
	return 77;
}
#else

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>
#include <security/pam_appl.h>

#include "checkmain.h"
#include "prompt.h"
#include "testutil.h"

#define ISS		"https://idp.example.com"
#define ISS2		"accounts.example.com"
#define AUD		"ssh"
#define PROMPT		"Bearer token: "
#define MAX_PROMPTS	512
#define MAX_SECRETS	512
/* No run of this many bytes of a token may appear in the log. */
#define WINDOW		8

/* Set once in main(), read-only afterwards (threads included). */
static const char *mod_path, *expect_path, *log_path;
static EVP_PKEY *k_rsa, *k_pss, *k_ec, *k_ec384, *k_ec521, *k_ed;
static char *hmac_key;
static size_t hmac_len;
static long stress_n = 1000;

/* Per test (setup() and teardown()). */
static char *dir, *confdir, *conf_path;
static off_t log_test_start, log_mark;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;
static unsigned jti_seq;

/* The conversation ----------------------------------------------------- */

/* What the test answers, and what the module asked. */
struct script {
	const char *const *answers;
	size_t		 nanswers;
	size_t		 next;
	const char	*repeat;	/* answered forever after answers */
	int		 rc;		/* not 0: return it, no answer */
	int		 null_resp;	/* PAM_SUCCESS without text */
	int		 fill_on_rc;	/* with rc: fill resp all the same */
	size_t		 nprompts;	/* every message seen */
	char		*prompt[MAX_PROMPTS];	/* the first ones */
	int		 style[MAX_PROMPTS];
	/* PAM_ERROR_MSG and PAM_TEXT_INFO: not prompts, kept apart. */
	size_t		 nsaid;
	char		*said[MAX_PROMPTS];
	/* Answers "Bearer proof for " prompts when set (malloc()ed). */
	char		*(*proof)(const char *prompt, void *ctx);
	void		*proof_ctx;
	int		 proof_rc;	/* not 0: return it at a proof prompt */
};

static void
script_clear(struct script *s)
{
	size_t i;

	for (i = 0; i < s->nprompts && i < MAX_PROMPTS; i++)
		free(s->prompt[i]);
	for (i = 0; i < s->nsaid && i < MAX_PROMPTS; i++)
		free(s->said[i]);
	memset(s, 0, sizeof(*s));
}

/*
 * Answer each prompt with the next scripted answer; with none left,
 * PAM_CONV_ERR (a module that asks more than the test expects fails).
 * Thread-safe: all state is in appdata.
 */
static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct script *s = appdata;
	struct pam_response *r;
	const char *a;
	int i;

	*resp = NULL;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_ERROR_MSG ||
		    msg[i]->msg_style == PAM_TEXT_INFO) {
			if (s->nsaid < MAX_PROMPTS)
				s->said[s->nsaid] = tu_strdup(msg[i]->msg !=
				    NULL ? msg[i]->msg : "");
			s->nsaid++;
			continue;
		}
		if (s->nprompts < MAX_PROMPTS) {
			s->prompt[s->nprompts] = tu_strdup(msg[i]->msg != NULL ?
			    msg[i]->msg : "");
			s->style[s->nprompts] = msg[i]->msg_style;
		}
		s->nprompts++;
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		if (s->rc != 0)
			goto fail;
		if (s->null_resp)
			continue;
		if (strncmp(msg[i]->msg, "Bearer proof for ", 17) == 0 &&
		    s->proof_rc != 0) {
			s->rc = s->proof_rc;
			goto fail;
		}
		if (strncmp(msg[i]->msg, "Bearer proof for ", 17) == 0 &&
		    s->proof != NULL) {
			r[i].resp = s->proof(msg[i]->msg, s->proof_ctx);
			continue;
		}
		if (s->next < s->nanswers)
			a = s->answers[s->next++];
		else if (s->repeat != NULL)
			a = s->repeat;
		else
			goto fail;
		r[i].resp = tu_strdup(a);
	}
	*resp = r;
	return PAM_SUCCESS;
 fail:
	/* An application that fails yet hands back a filled response. */
	if (s->rc != 0 && s->fill_on_rc) {
		for (i = 0; i < n; i++)
			if (r[i].resp == NULL)
				r[i].resp = tu_strdup("an answer after all");
		*resp = r;
		return s->rc;
	}
	for (i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return s->rc != 0 ? s->rc : PAM_CONV_ERR;
}

/* Names for messages ------------------------------------------------------ */

static const char *
pam_code(int rc)
{
	static const struct {
		int		 rc;
		const char	*name;
	} names[] = {
		{ PAM_SUCCESS, "PAM_SUCCESS" },
		{ PAM_AUTH_ERR, "PAM_AUTH_ERR" },
		{ PAM_IGNORE, "PAM_IGNORE" },
		{ PAM_AUTHINFO_UNAVAIL, "PAM_AUTHINFO_UNAVAIL" },
		{ PAM_PERM_DENIED, "PAM_PERM_DENIED" },
		{ PAM_CONV_ERR, "PAM_CONV_ERR" },
		{ PAM_SERVICE_ERR, "PAM_SERVICE_ERR" },
		{ PAM_SYSTEM_ERR, "PAM_SYSTEM_ERR" },
		{ PAM_BUF_ERR, "PAM_BUF_ERR" },
		{ PAM_USER_UNKNOWN, "PAM_USER_UNKNOWN" },
		{ PAM_INCOMPLETE, "PAM_INCOMPLETE" },
		{ PAM_ABORT, "PAM_ABORT" },
		{ PAM_CRED_ERR, "PAM_CRED_ERR" },
		{ PAM_SESSION_ERR, "PAM_SESSION_ERR" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].rc == rc)
			return names[i].name;
	return "(other)";
}

/* Secrets: every token and password a test uses ------------------------- */

/* Remember s (malloc()ed) for the log check; freed in teardown. */
static char *
track(char *s)
{
	if (nsecrets == MAX_SECRETS)
		tu_die("check_pam: more than %d secrets in one test",
		    MAX_SECRETS);
	secrets[nsecrets++] = s;
	return s;
}

static const char *
secret(const char *s)
{
	return track(tu_strdup(s));
}

/* The log ----------------------------------------------------------------- */

static off_t
log_size(void)
{
	struct stat st;

	if (stat(log_path, &st) == -1)
		return 0;
	return st.st_size;
}

/* What was logged from offset from on (malloc()ed, NUL-terminated). */
static char *
log_from(off_t from, size_t *lenp)
{
	size_t len = 0;
	char *all, *p;

	all = tu_read_file(log_path, &len);
	if ((size_t)from > len)
		from = (off_t)len;
	p = tu_strdup(all + from);
	if (lenp != NULL)
		*lenp = len - (size_t)from;
	free(all);
	return p;
}

/*
 * Lines of text that start with "level pam_bearer(" (any level when level
 * is NULL: then any line) and hold needle.
 */
static size_t
lines_with(const char *text, const char *level, const char *needle)
{
	const char *line = text, *nl, *hit;
	size_t ll = level != NULL ? strlen(level) : 0, n = 0;

	for (; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		if ((level == NULL || (strncmp(line, level, ll) == 0 &&
		    strncmp(line + ll, " pam_bearer(", 12) == 0)) &&
		    (hit = strstr(line, needle)) != NULL && hit < nl)
			n++;
		if (*nl == '\0')
			break;
	}
	return n;
}

/*
 * For failure messages: the last part of a log text, copied so that the
 * text can be freed before the assertion (which does not return).
 */
static char failbuf[2048];

static const char *
tail(const char *text)
{
	size_t len = strlen(text);

	(void)snprintf(failbuf, sizeof(failbuf), "%s",
	    len > 1500 ? text + len - 1500 : text);
	return failbuf;
}

/* Lines of the given level (NULL: any) holding needle since the last login. */
static size_t
log_count(const char *level, const char *needle)
{
	char *text = log_from(log_mark, NULL);
	size_t n = lines_with(text, level, needle);

	free(text);
	return n;
}

static void
log_expect(int line, const char *level, const char *needle, int want)
{
	char *text = log_from(log_mark, NULL);
	size_t n = lines_with(text, level, needle);
	const char *t = tail(text);

	free(text);
	if (want)
		ck_assert_msg(n > 0, "line %d: no '%s' line with \"%s\" "
		    "logged; the log since the login:\n%s", line,
		    level != NULL ? level : "*", needle, t);
	else
		ck_assert_msg(n == 0, "line %d: a '%s' line with \"%s\" "
		    "logged:\n%s", line, level != NULL ? level : "*", needle,
		    t);
}

/* A line of this level holding s was logged since the last login. */
#define LOGGED(level, s)	log_expect(__LINE__, level, s, 1)
#define NOT_LOGGED(s)		log_expect(__LINE__, NULL, s, 0)

/*
 * DESIGN.md: "No byte of a token, ever."  Fails when any WINDOW-byte run
 * of any secret the test used appears in the log written during the test:
 * every such run of the secrets goes into a hash set, then every run of
 * the log is looked up.
 */
static void
assert_no_secret_logged(void)
{
	uint64_t *keys, w;
	unsigned char *used;
	size_t nwin = 0, cap = 64, i, j, h, len, ctx;
	char *text;
	int found = 0;

	for (i = 0; i < nsecrets; i++)
		if ((len = strlen(secrets[i])) >= WINDOW)
			nwin += len - WINDOW + 1;
	while (cap < 2 * nwin)
		cap *= 2;
	keys = tu_malloc(cap * sizeof(*keys));
	used = tu_malloc(cap);
	memset(used, 0, cap);
	for (i = 0; i < nsecrets; i++) {
		len = strlen(secrets[i]);
		for (j = 0; j + WINDOW <= len; j++) {
			memcpy(&w, secrets[i] + j, WINDOW);
			h = (size_t)((w * 0x9e3779b97f4a7c15ULL) >> 20) &
			    (cap - 1);
			while (used[h] && keys[h] != w)
				h = (h + 1) & (cap - 1);
			used[h] = 1;
			keys[h] = w;
		}
	}
	text = log_from(log_test_start, &len);
	for (j = 0; nwin > 0 && j + WINDOW <= len; j++) {
		memcpy(&w, text + j, WINDOW);
		h = (size_t)((w * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
		while (used[h] && keys[h] != w)
			h = (h + 1) & (cap - 1);
		if (used[h]) {
			ctx = j > 100 ? j - 100 : 0;
			(void)snprintf(failbuf, sizeof(failbuf), "%d bytes of "
			    "a token or password are in the log: '%.*s' "
			    "in:\n%.*s", WINDOW, WINDOW, text + j,
			    (int)(len - ctx < 300 ? len - ctx : 300),
			    text + ctx);
			found = 1;
			break;
		}
	}
	free(text);
	free(keys);
	free(used);
	ck_assert_msg(!found, "%s", failbuf);
}

/* Files ------------------------------------------------------------------- */

/* text with @MOD@ @EXPECT@ @CONF@ @DIR@ @DATA@ replaced (malloc()ed). */
static char *
subst(const char *text)
{
	static const char *const names[] = {
		"@MOD@", "@EXPECT@", "@CONF@", "@DIR@", "@DATA@"
	};
	const char *vals[5];
	char *out, *o;
	const char *p;
	size_t n = 0, i;
	int pass;

	vals[0] = mod_path;
	vals[1] = expect_path;
	vals[2] = conf_path;
	vals[3] = dir;
	vals[4] = tu_datadir();
	out = NULL;
	/* Pass 0 measures, pass 1 copies. */
	for (pass = 0; pass < 2; pass++) {
		o = out;
		for (p = text; *p != '\0';) {
			for (i = 0; i < 5; i++)
				if (strncmp(p, names[i], strlen(names[i])) == 0)
					break;
			if (i < 5) {
				if (pass == 0)
					n += strlen(vals[i]);
				else {
					memcpy(o, vals[i], strlen(vals[i]));
					o += strlen(vals[i]);
				}
				p += strlen(names[i]);
			} else {
				if (pass == 0)
					n++;
				else
					*o++ = *p;
				p++;
			}
		}
		if (pass == 0)
			out = tu_malloc(n + 1);
		else
			*o = '\0';
	}
	return out;
}

/* Write dir/name (placeholders replaced) with the mode; returns the path. */
static char *
file(const char *name, const char *text, mode_t mode)
{
	char *t = subst(text), *path;

	path = tu_write_file(dir, name, t, mode);
	free(t);
	return path;
}

static void
file0(const char *name, const char *text, mode_t mode)
{
	free(file(name, text, mode));
}

/* Whether text has a line giving key (blanks, key, then blank or '='). */
static int
has_key(const char *text, const char *key)
{
	const char *p = text;
	size_t kl = strlen(key);

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, kl) == 0 && (p[kl] == ' ' ||
		    p[kl] == '\t' || p[kl] == '='))
			return 1;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return 0;
}

/*
 * The configuration file: issuer, audience and jwks_file (the test keys)
 * unless extra gives them, then extra.  The base is three lines, so the
 * first line of extra is line 4.
 */
static void
conf(const char *extra)
{
	char *t;

	if (extra == NULL)
		extra = "";
	t = tu_asprintf("%s%s%s%s",
	    has_key(extra, "issuer") ? "# issuer below\n" :
	    "issuer = " ISS "\n",
	    has_key(extra, "audience") ? "# audience below\n" :
	    "audience = " AUD "\n",
	    has_key(extra, "jwks_file") ? "# jwks_file below\n" :
	    "jwks_file = @DATA@/jwks.json\n", extra);
	file0("pam_bearer.conf", t, 0644);
	free(t);
}

/* Write the service file confdir/name. */
static void
service(const char *name, const char *text)
{
	char *t = subst(text);

	free(tu_write_file(confdir, name, t, 0644));
	free(t);
}

/*
 * "exact": the module's own code comes back from pam_authenticate(): die
 * returns the code of the module that died, and ok on the only line
 * returns PAM_IGNORE as is (libpam's _pam_dispatch_aux()).  Account and
 * session lines for the acct/session tests.
 */
static void
svc_exact(const char *args)
{
	char *t = tu_asprintf(
	    "auth [success=done ignore=ok default=die] @MOD@ config=@CONF@ "
	    "%s\n"
	    "account [success=done ignore=ok default=die] @MOD@\n"
	    "session [success=done ignore=ok default=die] @MOD@\n", args);

	service("exact", t);
	free(t);
}

/* "deny": the stack an admin writes. */
static void
svc_deny(const char *args)
{
	char *t = tu_asprintf(
	    "auth sufficient @MOD@ config=@CONF@ %s\n"
	    "auth required pam_deny.so\n"
	    "account sufficient @MOD@\n"
	    "account required pam_deny.so\n", args);

	service("deny", t);
	free(t);
}

/* Tokens ------------------------------------------------------------------ */

static int64_t
now(void)
{
	return (int64_t)time(NULL);
}

/* Set a member of a JSON object text to raw JSON (NULL removes it). */
static void
jset(char **js, const char *name, const char *raw)
{
	char *n = tu_json_set(*js, name, raw);

	free(*js);
	*js = n;
}

static void
jset_str(char **js, const char *name, const char *value)
{
	char *n = tu_json_set_str(*js, name, value);

	free(*js);
	*js = n;
}

/* Set a NumericDate member to now + delta. */
static void
jset_time(char **js, const char *name, long delta)
{
	char *v = tu_asprintf("%lld", (long long)(now() + delta));

	jset(js, name, v);
	free(v);
}

/* Claims for user: iss, aud, sub, iat now, exp in 10 minutes, unique jti. */
static char *
claims(const char *user)
{
	int64_t t = now();

	return tu_asprintf("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld,\"jti\":\"j%u-%ld\"}",
	    user, (long long)t, (long long)(t + 600), ++jti_seq,
	    (long)getpid());
}

static EVP_PKEY *
key_for(const char *alg)
{
	if (strncmp(alg, "RS", 2) == 0)
		return k_rsa;
	if (strncmp(alg, "PS", 2) == 0)
		return k_pss;
	if (strcmp(alg, "ES256") == 0)
		return k_ec;
	if (strcmp(alg, "ES384") == 0)
		return k_ec384;
	if (strcmp(alg, "ES512") == 0)
		return k_ec521;
	if (strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0)
		return k_ed;
	return NULL;		/* HS*, none */
}

/* A token with this raw header, signed with alg's key (tracked). */
static char *
sign_hdr(const char *alg, const char *header, const char *claims_json)
{
	return track(tu_sign(alg, key_for(alg), hmac_key, hmac_len, header,
	    claims_json));
}

/* A token with header {"alg":alg,"typ":"JWT"[,"kid":kid]} (tracked). */
static char *
sign(const char *alg, const char *kid, const char *claims_json)
{
	char *h, *t;

	if (kid != NULL)
		h = tu_asprintf("{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":"
		    "\"%s\"}", alg, kid);
	else
		h = tu_asprintf("{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
	t = sign_hdr(alg, h, claims_json);
	free(h);
	return t;
}

/* RS256 with kid rsa1, the usual token. */
static char *
rs(const char *claims_json)
{
	return sign("RS256", "rsa1", claims_json);
}

/* A good token for user. */
static char *
good(const char *user)
{
	char *c = claims(user), *t;

	t = rs(c);
	free(c);
	return t;
}

/* A good token for user with one member set to raw JSON (NULL: removed). */
static char *
good_with(const char *user, const char *name, const char *raw)
{
	char *c = claims(user), *t;

	jset(&c, name, raw);
	t = rs(c);
	free(c);
	return t;
}

/* Logins ------------------------------------------------------------------ */

/* The last login()'s conversation, for assertions on the prompts. */
static struct script last;

static pam_handle_t *
start(const char *svc, const char *user, struct script *s)
{
	struct pam_conv c = { conv, s };
	pam_handle_t *pamh = NULL;
	int rc;

	rc = pam_start_confdir(svc, user, &c, confdir, &pamh);
	ck_assert_msg(rc == PAM_SUCCESS, "pam_start_confdir(%s): %s", svc,
	    pam_code(rc));
	return pamh;
}

/* Start a handle with last as the conversation, marking the log. */
static pam_handle_t *
start_last(const char *svc, const char *user, const char *const *answers,
    size_t n)
{
	script_clear(&last);
	last.answers = answers;
	last.nanswers = n;
	log_mark = log_size();
	return start(svc, user, &last);
}

static void
finish(pam_handle_t *pamh, int rc)
{
	ck_assert_int_eq(pam_end(pamh, rc), PAM_SUCCESS);
}

/* pam_authenticate() answering the prompts in order. */
static int
login_v(const char *svc, const char *user, const char *const *answers,
    size_t n)
{
	pam_handle_t *pamh = start_last(svc, user, answers, n);
	int rc;

	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	return rc;
}

/* pam_authenticate() with one answer (NULL: no answer at all). */
static int
login(const char *svc, const char *user, const char *answer)
{
	const char *one[1];

	one[0] = answer;
	return login_v(svc, user, one, answer != NULL ? 1 : 0);
}

static void
auth_is(int line, const char *svc, const char *user, const char *answer,
    int want)
{
	int rc = login(svc, user, answer);
	const char *t;
	char *text;

	if (rc == want)
		return;
	text = log_from(log_mark, NULL);
	t = tail(text);
	free(text);
	ck_assert_msg(rc == want, "line %d: pam_authenticate(%s, %s) is %s, "
	    "want %s; logged:\n%s", line, svc, user, pam_code(rc),
	    pam_code(want), t);
}

/* pam_authenticate() on service svc as user with answer returns want. */
#define AUTH(svc, user, answer, want) \
	auth_is(__LINE__, svc, user, answer, want)
/* The same on the "exact" stack, also checking it prompted once. */
#define EXACT(user, answer, want) do { \
	auth_is(__LINE__, "exact", user, answer, want); \
	ck_assert_msg(last.nprompts == 1, "line %d: %zu prompts", __LINE__, \
	    last.nprompts); \
} while (0)

/* The configuration was unusable: PAM_AUTHINFO_UNAVAIL before any prompt. */
#define UNAVAIL(user) do { \
	auth_is(__LINE__, "exact", user, good(user), PAM_AUTHINFO_UNAVAIL); \
	ck_assert_msg(last.nprompts == 0, "line %d: prompted although the " \
	    "files are unusable", __LINE__); \
} while (0)
/*
 * The keys were unusable: PAM_AUTHINFO_UNAVAIL after the one prompt, once
 * the answer is a token (a password goes on to the next module).
 */
#define NOKEYS(user) do { \
	auth_is(__LINE__, "exact", user, good(user), PAM_AUTHINFO_UNAVAIL); \
	ck_assert_msg(last.nprompts == 1, "line %d: %zu prompts", __LINE__, \
	    last.nprompts); \
} while (0)

/* Fixture ----------------------------------------------------------------- */

static void
setup(void)
{
	dir = tu_tmpdir();
	confdir = tu_asprintf("%s/pam.d", dir);
	ck_assert_int_eq(mkdir(confdir, 0700), 0);
	conf_path = tu_asprintf("%s/pam_bearer.conf", dir);
	conf(NULL);
	svc_exact("");
	svc_deny("");
	/* libpam reads "other" too, and logs an error when it is missing. */
	service("other", "auth required pam_deny.so\n"
	    "account required pam_deny.so\n"
	    "password required pam_deny.so\n"
	    "session required pam_deny.so\n");
	memset(&last, 0, sizeof(last));
	nsecrets = 0;
	log_test_start = log_mark = log_size();
}

static void
teardown(void)
{
	size_t i;

	assert_no_secret_logged();
	script_clear(&last);
	(void)unsetenv("PB_SHIM_HOSTNAME");
	for (i = 0; i < nsecrets; i++)
		free(secrets[i]);
	nsecrets = 0;
	tu_rmtree(dir);
	free(dir);
	free(confdir);
	free(conf_path);
	dir = confdir = conf_path = NULL;
}

/* The stacks -------------------------------------------------------------- */

START_TEST(test_pam_stack_good_token)
{
	char *t = good("alice");

	AUTH("deny", "alice", t, PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	ck_assert_str_eq(last.prompt[0], PROMPT);
	ck_assert_int_eq(last.style[0], PAM_PROMPT_ECHO_OFF);
	LOGGED("info", "accepted token for 'alice': iss '" ISS "' sub "
	    "'alice' jti 'j");
	LOGGED("info", "kid 'rsa1' alg RS256");
	/* One line per success, nothing at notice. */
	ck_assert_uint_eq(log_count(NULL, "pam_bearer"), 1);
}
END_TEST

START_TEST(test_pam_stack_bad_token)
{
	AUTH("deny", "alice", good_with("alice", "exp", "1700000000"),
	    PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 1);
	LOGGED("notice", "token rejected for 'alice': token expired ");
	ck_assert_uint_eq(log_count("notice", "token rejected"), 1);
	NOT_LOGGED("accepted");
	/* A token for bob does not log alice in. */
	AUTH("deny", "alice", good("bob"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token is for 'bob', "
	    "not 'alice'");
}
END_TEST

START_TEST(test_pam_stack_exact_codes)
{
	/* The harness: "exact" hands back the module's own code. */
	EXACT("alice", good("alice"), PAM_SUCCESS);
	EXACT("alice", good("bob"), PAM_AUTH_ERR);
	EXACT("alice", secret("hunter2 hunter2"), PAM_IGNORE);
	/* No line for a password at the default level (no debug). */
	NOT_LOGGED("pam_bearer");
}
END_TEST

START_TEST(test_pam_stack_fallthrough)
{
	/*
	 * Not a JWT: PAM_IGNORE, and the answer becomes PAM_AUTHTOK for the
	 * next module (pam_unix try_first_pass in real life): one prompt
	 * serves both.
	 */
	service("pw", "auth sufficient @MOD@ config=@CONF@\n"
	    "auth required @EXPECT@ expect=correct-horse-battery\n");
	AUTH("pw", "alice", secret("correct-horse-battery"), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	ck_assert_str_eq(last.prompt[0], PROMPT);
	AUTH("pw", "alice", secret("wrong-horse-battery"), PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 1);
	EXACT("alice", "correct-horse-battery", PAM_IGNORE);
	/* JWT alphabet and two dots, but the header is no JSON object. */
	service("pw2", "auth sufficient @MOD@ config=@CONF@\n"
	    "auth required @EXPECT@ expect=my.pass.word\n");
	AUTH("pw2", "alice", secret("my.pass.word"), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	EXACT("alice", "my.pass.word", PAM_IGNORE);
	/*
	 * A password that ends in a backslash is no part of a token: it
	 * reaches the next module whole, the backslash kept, after one
	 * prompt.
	 */
	free(tu_write_file(dir, "pwbs", "hunter2\\", 0600));
	service("pw4", "auth sufficient @MOD@ config=@CONF@\n"
	    "auth required @EXPECT@ expect_file=@DIR@/pwbs\n");
	AUTH("pw4", "alice", secret("hunter2\\"), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	EXACT("alice", secret("my.pass\\"), PAM_IGNORE);
	ck_assert_uint_eq(last.nprompts, 1);
	NOT_LOGGED("token rejected");
}
END_TEST

START_TEST(test_pam_stack_token_whitespace)
{
	char *t = good("alice"), *pw;

	/*
	 * A pasted token with a blank or a CR around it is still the token:
	 * it logs in, and is never handed on as a password.
	 */
	AUTH("deny", "alice", track(tu_asprintf("%s ", t)), PAM_SUCCESS);
	AUTH("deny", "alice", track(tu_asprintf(" \t%s\r", t)), PAM_SUCCESS);
	AUTH("deny", "alice", track(tu_asprintf("%s\r\n", t)), PAM_SUCCESS);
	EXACT("alice", track(tu_asprintf("%s ", good("bob"))), PAM_AUTH_ERR);
	/*
	 * What starts like a JWT header and has a dot is a token, verified
	 * and refused when bad, never a password for the next module
	 * (pam_ldap or pam_sss would send it to the directory).
	 */
	service("next", "auth sufficient @MOD@ config=@CONF@\n"
	    "auth required @EXPECT@ expect_none\n");
	AUTH("next", "alice", track(tu_asprintf("%s x", t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf("%.40s!.e30.e30", t)),
	    PAM_SUCCESS);
	/* A JWE (five segments) is no JWS, and no password either. */
	AUTH("next", "alice", secret("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"),
	    PAM_SUCCESS);
	EXACT("alice", secret("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice'");
	EXACT("alice", track(tu_asprintf("%s x", t)), PAM_AUTH_ERR);
	/* A password keeps its blanks, and "eyJ" without a dot is one. */
	pw = track(tu_strdup(" pass word "));
	free(tu_write_file(dir, "pw", pw, 0600));
	service("pw3", "auth sufficient @MOD@ config=@CONF@\n"
	    "auth required @EXPECT@ expect_file=@DIR@/pw\n");
	AUTH("pw3", "alice", pw, PAM_SUCCESS);
	EXACT("alice", secret("eyJust-a-password"), PAM_IGNORE);
	/*
	 * Pasted with its scheme, its header or quotes (from a curl line or
	 * a log): the token, verified as such, never handed on.
	 */
	AUTH("next", "alice", track(tu_asprintf("Bearer %s", t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf(" authorization:bearer\t%s\r\n",
	    t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf("Authorization: Bearer "
	    "\"%s\"", t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf("\"%s\"", t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf("\"BEARER %s\"", t)),
	    PAM_SUCCESS);
	EXACT("alice", track(tu_asprintf("Bearer %s", good("bob"))),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice'");
	AUTH("next", "alice", track(tu_asprintf("Bearer %.40s!.e30.e30", t)),
	    PAM_SUCCESS);
	EXACT("alice", track(tu_asprintf("Authorization: Bearer %.40s!.e30.e30",
	    t)), PAM_AUTH_ERR);
	/*
	 * Single quotes, as shells and curl lines use them, and quotes
	 * inside the header line, are unwrapped the same way.
	 */
	AUTH("next", "alice", track(tu_asprintf("'%s'", t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf("'Authorization: Bearer %s'",
	    t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf("Authorization: Bearer '%s'",
	    t)), PAM_SUCCESS);
	AUTH("next", "alice", track(tu_asprintf("Authorization: \"Bearer "
	    "%s\"", t)), PAM_SUCCESS);
	/*
	 * A token inside something else (a whole curl option) is no
	 * password either: refused, never handed on.
	 */
	AUTH("next", "alice", track(tu_asprintf("-H 'Authorization: Bearer "
	    "%s'", t)), PAM_SUCCESS);
	EXACT("alice", track(tu_asprintf("-H 'Authorization: Bearer %s'", t)),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice'");
	/*
	 * The rule is not "eyJ anywhere": passwords that hold it, or start
	 * like a scheme, are handed on as they were typed.
	 */
	EXACT("alice", secret("x eyJhello.eyJ"), PAM_IGNORE);
	EXACT("alice", secret("'quoted.pass'"), PAM_IGNORE);
	EXACT("alice", secret("heyJude.1"), PAM_IGNORE);
	EXACT("alice", secret("Bearer heyJude.1"), PAM_IGNORE);
	EXACT("alice", secret("\"my eyJ.pass\""), PAM_IGNORE);
	pw = track(tu_strdup("Bearer \"pass.word\" "));
	free(tu_write_file(dir, "pw", pw, 0600));
	AUTH("pw3", "alice", pw, PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_stack_failed_jwt_not_passed_on)
{
	/* A failed token is final: it never becomes the next one's password. */
	service("next", "auth sufficient @MOD@ config=@CONF@\n"
	    "auth required @EXPECT@ expect_none\n");
	AUTH("next", "alice", good("bob"), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	/* While a password is. */
	AUTH("next", "alice", secret("not-a-token-at-all"), PAM_AUTH_ERR);
}
END_TEST

START_TEST(test_pam_stack_setcred)
{
	pam_handle_t *pamh;
	const char *one[1];

	one[0] = good("alice");
	pamh = start_last("deny", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	ck_assert_int_eq(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	ck_assert_int_eq(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	/* The account stack: the module authenticated alice. */
	ck_assert_int_eq(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
	finish(pamh, PAM_SUCCESS);
}
END_TEST

/*
 * pam_authenticate() for alice whose conversation fails with rc: at the
 * token prompt, or with t at the proof prompt after t answered it;
 * filled: handing back a filled response all the same.
 */
static int
conv_fails(const char *t, int rc, int filled)
{
	const char *one[1] = { t };
	pam_handle_t *pamh = start_last("exact", "alice", one,
	    t != NULL ? 1 : 0);

	if (t != NULL)
		last.proof_rc = rc;
	else
		last.rc = rc;
	last.fill_on_rc = filled;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	return rc;
}

START_TEST(test_pam_stack_conv_errors)
{
	pam_handle_t *pamh;
	int rc;

	/* STYLE.md 2.3: PAM_CONV_AGAIN becomes PAM_INCOMPLETE. */
	pamh = start_last("exact", "alice", NULL, 0);
	last.rc = PAM_CONV_AGAIN;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_str_eq(pam_code(rc), "PAM_INCOMPLETE");
	/* A failing conversation fails the module. */
	pamh = start_last("exact", "alice", NULL, 0);
	last.rc = PAM_CONV_ERR;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_str_eq(pam_code(rc), "PAM_CONV_ERR");
	/* The same with a filled response: freed (PB_VALGRIND=1 checks). */
	ck_assert_str_eq(pam_code(conv_fails(NULL, PAM_CONV_AGAIN, 1)),
	    "PAM_INCOMPLETE");
	/* A code of the application's own is no code of the module's. */
	ck_assert_str_eq(pam_code(conv_fails(NULL, PAM_SYSTEM_ERR, 1)),
	    "PAM_CONV_ERR");
	ck_assert_str_eq(pam_code(conv_fails(NULL, PAM_AUTH_ERR, 0)),
	    "PAM_CONV_ERR");
	/* PAM_BUF_ERR stays. */
	ck_assert_str_eq(pam_code(conv_fails(NULL, PAM_BUF_ERR, 0)),
	    "PAM_BUF_ERR");
	/* A conversation that answers without text. */
	pamh = start_last("exact", "alice", NULL, 0);
	last.null_resp = 1;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_str_eq(pam_code(rc), "PAM_CONV_ERR");
	/* And the admin's stack fails closed on each. */
	pamh = start_last("deny", "alice", NULL, 0);
	last.rc = PAM_CONV_ERR;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_int_ne(rc, PAM_SUCCESS);
	/* An empty answer is no token: passed on. */
	EXACT("alice", "", PAM_IGNORE);
	/* Whitespace around a token is trimmed (issue 11, finding 3). */
	EXACT("alice", track(tu_asprintf("%s\n", good("alice"))),
	    PAM_SUCCESS);
	EXACT("alice", track(tu_asprintf(" %s", good("alice"))), PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_stack_user_unchanged)
{
	char *c = claims("0f1e2d3c-uuid");
	const char *one[1];
	const void *u = NULL;
	pam_handle_t *pamh;

	/* With a usermap the module compares; PAM_USER is never rewritten. */
	file0("map", "0f1e2d3c-uuid alice\n", 0644);
	conf("usermap_file = @DIR@/map\n");
	one[0] = rs(c);
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	ck_assert_int_eq(pam_get_item(pamh, PAM_USER, &u), PAM_SUCCESS);
	ck_assert_pstr_eq(u, "alice");
	ck_assert_int_eq(pam_open_session(pamh, 0), PAM_SUCCESS);
	ck_assert_pstr_eq(pam_getenv(pamh, "BEARER_SUB"), "0f1e2d3c-uuid");
	finish(pamh, PAM_SUCCESS);
	free(c);
}
END_TEST

/* Configuration keys ------------------------------------------------------ */

/*
 * A refusal tells the user, not only the log: one PAM_ERROR_MSG with no
 * reason unless show_reason = yes; nothing on success, for a password,
 * or when the host cannot check tokens beyond its own message.
 */
#define REFUSED	"Bearer token refused; the server's log says why."
#define SAID(n) ck_assert_msg(last.nsaid == (n), "line %d: %zu messages, " \
	"want %d", __LINE__, last.nsaid, (n))

START_TEST(test_pam_refusal_message)
{
	char *c = claims("alice");

	EXACT("alice", good("alice"), PAM_SUCCESS);
	SAID(0);
	EXACT("alice", secret("hunter2 hunter2"), PAM_IGNORE);
	SAID(0);
	EXACT("alice", good_with("alice", "exp", "1700000000"), PAM_AUTH_ERR);
	SAID(1);
	ck_assert_str_eq(last.said[0], REFUSED);
	/* The admin's stack: the message once, pam_deny says nothing. */
	AUTH("deny", "alice", good("bob"), PAM_AUTH_ERR);
	SAID(1);
	ck_assert_str_eq(last.said[0], REFUSED);
	/* show_reason: the log line's reason, escaped. */
	conf("show_reason = yes\n");
	EXACT("alice", good("b'o\\nb"), PAM_AUTH_ERR);
	SAID(1);
	ck_assert_str_eq(last.said[0], "Bearer token refused: username "
	    "claim 'sub' value 'b\\x27o\\x0ab' is not a safe user name (use "
	    "usermap_file to map it)");
	EXACT("alice", good("bob"), PAM_AUTH_ERR);
	ck_assert_str_eq(last.said[0], "Bearer token refused: token is for "
	    "'bob', not 'alice'");
	jset_time(&c, "nbf", 3600);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	ck_assert_msg(strncmp(last.said[0], "Bearer token refused: token not "
	    "valid for another ", 42) == 0, "%s", last.said[0]);
	EXACT("alice", good("alice"), PAM_SUCCESS);
	SAID(0);
	/* The line can turn it off again for one service. */
	svc_exact("show_reason=no");
	EXACT("alice", good("bob"), PAM_AUTH_ERR);
	ck_assert_str_eq(last.said[0], REFUSED);
	/* A host that cannot check tokens says so, to a token's sender. */
	conf("jwks_file = @DIR@/missing.json\n");
	svc_exact("");
	NOKEYS("alice");
	SAID(1);
	ck_assert_str_eq(last.said[0], "Bearer token login is not available "
	    "on this host; the server's log says why.");
	/*
	 * Not to a password's: it goes on to the next module unannounced
	 * (common-auth runs the module for sudo, su, login...).
	 */
	EXACT("alice", secret("hunter2 hunter2"), PAM_IGNORE);
	SAID(0);
	service("pw", "auth sufficient @MOD@ config=@CONF@\n"
	    "auth required @EXPECT@ expect=correct-horse-battery\n");
	AUTH("pw", "alice", secret("correct-horse-battery"), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	SAID(0);
	/* An unreadable configuration: no prompt, no message, the log. */
	conf("leeway = soon\n");
	UNAVAIL("alice");
	SAID(0);
	AUTH("pw", "alice", secret("correct-horse-battery"), PAM_AUTH_ERR);
	SAID(0);
	free(c);
}
END_TEST

static char *
good_iss(const char *iss)
{
	char *c = claims("alice"), *t;

	jset_str(&c, "iss", iss);
	t = rs(c);
	free(c);
	return t;
}

START_TEST(test_pam_conf_issuer)
{
	/* Aliases of one IdP. */
	conf("issuer = " ISS " " ISS2 "\n");
	EXACT("alice", good_iss(ISS), PAM_SUCCESS);
	EXACT("alice", good_iss(ISS2), PAM_SUCCESS);
	EXACT("alice", good_iss("https://evil.example.com"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': iss "
	    "'https://evil.example.com' is not the configured issuer '" ISS
	    "' or '" ISS2 "'");
	/* Exact: no trailing slash, no case folding. */
	EXACT("alice", good_iss(ISS "/"), PAM_AUTH_ERR);
	EXACT("alice", good_iss("https://IDP.example.com"), PAM_AUTH_ERR);
	EXACT("alice", good_with("alice", "iss", NULL), PAM_AUTH_ERR);
	LOGGED("notice", "token has no iss claim");
	/* The module line wins over the file. */
	svc_exact("issuer=https://other.example.com");
	EXACT("alice", good_iss(ISS), PAM_AUTH_ERR);
	LOGGED("notice", "iss '" ISS "' is not the configured issuer");
	EXACT("alice", good_iss("https://other.example.com"), PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_conf_audience)
{
	conf("audience = ssh sshd\n");
	EXACT("alice", good_with("alice", "aud", "\"sshd\""), PAM_SUCCESS);
	EXACT("alice", good_with("alice", "aud", "[\"web\",\"ssh\"]"),
	    PAM_SUCCESS);
	EXACT("alice", good_with("alice", "aud", "\"web\""), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': aud does not contain "
	    "'ssh' or 'sshd'");
	EXACT("alice", good_with("alice", "aud", "[\"web\",\"mail\"]"),
	    PAM_AUTH_ERR);
	EXACT("alice", good_with("alice", "aud", NULL), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token has no aud claim");
	/* Brackets carry a list with spaces on the module line. */
	svc_exact("[audience=web mail]");
	EXACT("alice", good_with("alice", "aud", "\"mail\""), PAM_SUCCESS);
	EXACT("alice", good_with("alice", "aud", "\"ssh\""), PAM_AUTH_ERR);
	LOGGED("notice", "aud does not contain 'web' or 'mail'");
}
END_TEST

START_TEST(test_pam_conf_jwks_file)
{
	char *jwk = tu_jwk(k_ec, "ec1", NULL, NULL), *set = tu_jwks(jwk, NULL);
	char *c = claims("alice");

	file0("ec-only.json", set, 0644);
	conf("jwks_file = @DIR@/ec-only.json\n");
	EXACT("alice", sign("ES256", "ec1", c), PAM_SUCCESS);
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': no key with kid 'rsa1' "
	    "in ");
	LOGGED("notice", "/ec-only.json; run bearer-token fetch-jwks (or "
	    "check pam-bearer-jwks.timer)");
	svc_exact("jwks_file=@DATA@/jwks.json");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	free(jwk);
	free(set);
	free(c);
}
END_TEST

START_TEST(test_pam_conf_jwks_missing)
{
	conf("jwks_file = @DIR@/missing.json\n");
	NOKEYS("alice");
	LOGGED("err", "cannot use the keys: cannot open ");
	LOGGED("err", "/missing.json: No such file or directory");
	/* Fail closed in the admin's stack too. */
	AUTH("deny", "alice", good("alice"), PAM_AUTH_ERR);
	/* And the line can repair it. */
	svc_exact("jwks_file=@DATA@/jwks.json");
	EXACT("alice", good("alice"), PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_conf_jwks_unusable)
{
	char *enc = tu_jwk(k_rsa, "enc1", NULL, "enc");
	char *sig = tu_jwk(k_ec, "ec1", NULL, NULL);
	char *s1 = tu_jwks(enc, NULL), *s2 = tu_jwks(enc, sig, NULL);
	char *c = claims("alice");

	/* Only an encryption key: no usable key at all. */
	file0("enc.json", s1, 0644);
	conf("jwks_file = @DIR@/enc.json\n");
	NOKEYS("alice");
	LOGGED("err", "cannot use the keys: ");
	LOGGED("err", "enc.json: no usable signing key");
	/* With debug, the skipped key is named. */
	svc_exact("debug");
	NOKEYS("alice");
	LOGGED("warning", "JWKS key 1 (kid 'enc1')");
	svc_exact("");
	/* Not JSON. */
	file0("junk.json", "<html>502 Bad Gateway</html>\n", 0644);
	conf("jwks_file = @DIR@/junk.json\n");
	NOKEYS("alice");
	LOGGED("err", "cannot use the keys: ");
	/* An unusable key beside a good one: skipped, the other works. */
	file0("mixed.json", s2, 0644);
	conf("jwks_file = @DIR@/mixed.json\n");
	EXACT("alice", sign("ES256", "ec1", c), PAM_SUCCESS);
	svc_exact("debug");
	EXACT("alice", sign("ES256", "ec1", c), PAM_SUCCESS);
	LOGGED("warning", "JWKS key 1 (kid 'enc1')");
	free(enc);
	free(sig);
	free(s1);
	free(s2);
	free(c);
}
END_TEST

/*
 * A small-order Ed25519 key (x = the identity point) verifies the forged
 * signature R = identity, S = 0 over every message: the key is skipped at
 * load time and the forged token is refused.
 */
START_TEST(test_pam_conf_jwks_small_order)
{
	char *ec = tu_jwk(k_ec, "ec1", NULL, NULL), *set, *c, *t;
	uint8_t sig[64];

	set = tu_jwks("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":"
	    "\"evil\",\"x\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
	    ec, NULL);
	file0("evil.json", set, 0644);
	conf("jwks_file = @DIR@/evil.json\n");
	memset(sig, 0, sizeof(sig));
	sig[0] = 0x01;
	c = claims("alice");
	t = track(tu_token("{\"alg\":\"EdDSA\",\"kid\":\"evil\"}", c, sig,
	    sizeof(sig)));
	AUTH("deny", "alice", t, PAM_AUTH_ERR);
	LOGGED("notice", "no key with kid 'evil'");
	t = track(tu_token("{\"alg\":\"EdDSA\"}", c, sig, sizeof(sig)));
	AUTH("deny", "alice", t, PAM_AUTH_ERR);
	svc_exact("debug");
	EXACT("alice", t, PAM_AUTH_ERR);
	LOGGED("warning", "Ed25519 key is a point of small order");
	free(ec);
	free(set);
	free(c);
}
END_TEST

/*
 * Keys without kid (LemonLDAP::NG's default), the old one kept through a
 * rotation: a token without kid is checked with each key that fits, so
 * tokens of both keys log in, and a stranger's is refused.
 */
START_TEST(test_pam_conf_jwks_no_kid)
{
	char *a = tu_jwk(k_rsa, NULL, NULL, NULL);
	char *b = tu_jwk(k_pss, NULL, NULL, NULL), *set = tu_jwks(a, b, NULL);
	char *c = claims("alice");
	EVP_PKEY *stranger = tu_genkey("rsa2048");

	file0("nokid.json", set, 0644);
	conf("jwks_file = @DIR@/nokid.json\n");
	EXACT("alice", track(tu_sign("RS256", k_rsa, NULL, 0,
	    "{\"alg\":\"RS256\"}", c)), PAM_SUCCESS);
	EXACT("alice", track(tu_sign("RS256", k_pss, NULL, 0,
	    "{\"alg\":\"RS256\"}", c)), PAM_SUCCESS);
	EXACT("alice", track(tu_sign("RS256", stranger, NULL, 0,
	    "{\"alg\":\"RS256\"}", c)), PAM_AUTH_ERR);
	LOGGED("notice", "signature does not verify with any of the 2 keys "
	    "that fit RS256 (the token has no kid)");
	EXACT("alice", track(tu_sign("ES256", k_ec, NULL, 0,
	    "{\"alg\":\"ES256\"}", c)), PAM_AUTH_ERR);
	LOGGED("notice", "token has no kid and 0 keys in ");
	EVP_PKEY_free(stranger);
	free(a);
	free(b);
	free(set);
	free(c);
}
END_TEST

/* Copy the test JWKS to dir/name with its mtime age seconds ago. */
static void
jwks_aged(const char *name, long age)
{
	char *src = tu_asprintf("%s/jwks.json", tu_datadir()), *text, *dst;
	struct timespec ts[2];
	size_t len = 0;

	text = tu_read_file(src, &len);
	dst = tu_write_filen(dir, name, text, len, 0644);
	ts[0].tv_sec = ts[1].tv_sec = (time_t)(now() - age);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, dst, ts, 0), 0);
	free(text);
	free(src);
	free(dst);
}

START_TEST(test_pam_conf_jwks_max_age)
{
	/*
	 * fetch-jwks sets the file's mtime at every successful sync: a file
	 * older than jwks_max_age means the sync stopped, and keys the IdP
	 * withdrew may still be in it.  Refused before any prompt.
	 */
	jwks_aged("old.json", 10 * 86400 + 3 * 3600 + 60);
	jwks_aged("new.json", 86400);
	conf("jwks_file = @DIR@/old.json\njwks_max_age = 7d\n");
	NOKEYS("alice");
	LOGGED("err", "cannot use the keys: ");
	LOGGED("err", "old.json was last synced 10d 3h ago, longer than "
	    "jwks_max_age (7d 0h): run 'bearer-token fetch-jwks' and check "
	    "pam-bearer-jwks.timer");
	NOT_LOGGED("token rejected");
	conf("jwks_file = @DIR@/new.json\njwks_max_age = 7d\n");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	/* Off by default; the module line may set it, in any unit. */
	conf("jwks_file = @DIR@/old.json\n");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	svc_exact("jwks_max_age=2w");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	svc_exact("jwks_max_age=240h");
	NOKEYS("alice");
	LOGGED("err", "longer than jwks_max_age (10d 0h)");
	svc_exact("jwks_max_age=0");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	svc_exact("jwks_max_age=7days");
	UNAVAIL("alice");
	LOGGED("err", "jwks_max_age: '7days' is not a duration");
	/*
	 * An mtime in the future is no sync: it would count as fresh until
	 * that day.  A few minutes of clock skew are fine.
	 */
	svc_exact("");
	jwks_aged("future.json", -(366L * 86400 + 3600 + 600));
	jwks_aged("skew.json", -120);
	conf("jwks_file = @DIR@/future.json\njwks_max_age = 7d\n");
	NOKEYS("alice");
	LOGGED("err", "future.json has its mtime (its last sync) 366d 1h in "
	    "the future, so its age is unknown: check the clock, then run "
	    "'bearer-token fetch-jwks'");
	NOT_LOGGED("token rejected");
	conf("jwks_file = @DIR@/skew.json\njwks_max_age = 7d\n");
	EXACT("alice", good("alice"), PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_conf_algorithms)
{
	char *c = claims("alice");

	conf("algorithms = ES256 EdDSA\n");
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': alg RS256 is not in the "
	    "allowlist (algorithms)");
	EXACT("alice", sign("ES256", "ec1", c), PAM_SUCCESS);
	EXACT("alice", sign("EdDSA", "ed1", c), PAM_SUCCESS);
	svc_exact("algorithms=RS256");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	EXACT("alice", sign("ES256", "ec1", c), PAM_AUTH_ERR);
	LOGGED("notice", "alg ES256 is not in the allowlist");
	/* none is never configurable. */
	svc_exact("algorithms=none");
	UNAVAIL("alice");
	LOGGED("err", "module argument: algorithms: 'none' is never accepted");
	conf("algorithms = RS256 none\n");
	svc_exact("");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:4: algorithms: 'none' is never "
	    "accepted");
	free(c);
}
END_TEST

START_TEST(test_pam_conf_every_default_alg)
{
	static const char *const algs[][2] = {
		{ "RS256", "rsa1" }, { "PS256", "rsa-pss" },
		{ "ES256", "ec1" }, { "ES384", "ec384" }, { "ES512", "ec521" },
		{ "EdDSA", "ed1" }, { "Ed25519", "ed1" },
	};
	char *c = claims("alice");
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		EXACT("alice", sign(algs[i][0], algs[i][1], c), PAM_SUCCESS);
		LOGGED("info", algs[i][0]);
	}
	free(c);
}
END_TEST

START_TEST(test_pam_conf_hmac)
{
	char *c = claims("alice"), *other;

	free(tu_write_filen(dir, "hmac.key", hmac_key, hmac_len, 0600));
	free(tu_write_filen(dir, "open.key", hmac_key, hmac_len, 0644));
	/* Not in the default allowlist. */
	EXACT("alice", sign("HS256", NULL, c), PAM_AUTH_ERR);
	LOGGED("notice", "alg HS256 is not in the allowlist");
	/* With a secret. */
	conf("algorithms = HS256 RS256\nhmac_secret_file = @DIR@/hmac.key\n");
	EXACT("alice", sign("HS256", NULL, c), PAM_SUCCESS);
	LOGGED("info", "alg HS256");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	/* Another secret's signature. */
	other = track(tu_sign("HS256", NULL, "0123456789abcdef0123456789abcdef",
	    32, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", c));
	EXACT("alice", other, PAM_AUTH_ERR);
	LOGGED("notice", "signature does not verify");
	/* HS256 without a secret is a configuration error. */
	conf("algorithms = HS256\n");
	UNAVAIL("alice");
	LOGGED("err", "hmac_secret_file is not set");
	/* A secret others can read is refused. */
	conf("algorithms = HS256\nhmac_secret_file = @DIR@/open.key\n");
	NOKEYS("alice");
	LOGGED("err", "accessible by group or others");
	/* The module line wins: a good secret over the open one. */
	svc_exact("hmac_secret_file=@DIR@/hmac.key");
	EXACT("alice", sign("HS256", NULL, c), PAM_SUCCESS);
	/* A missing secret file. */
	svc_exact("hmac_secret_file=@DIR@/none.key");
	NOKEYS("alice");
	LOGGED("err", "none.key");
	/*
	 * HS only: no JWK Set is read, so jwks_max_age has no file to age
	 * (the default jwks_file does not exist here); with RS256 too it
	 * does.
	 */
	svc_exact("");
	conf("algorithms = HS256\nhmac_secret_file = @DIR@/hmac.key\n"
	    "jwks_max_age = 7d\njwks_file = @DIR@/no-such.json\n");
	EXACT("alice", sign("HS256", NULL, c), PAM_SUCCESS);
	jwks_aged("aged.json", 3600 + 30);
	conf("algorithms = HS256 RS256\nhmac_secret_file = @DIR@/hmac.key\n"
	    "jwks_max_age = 2h\njwks_file = @DIR@/aged.json\n");
	EXACT("alice", sign("HS256", NULL, c), PAM_SUCCESS);
	svc_exact("jwks_max_age=1h");
	NOKEYS("alice");
	LOGGED("err", "aged.json was last synced 1h 0m ago");
	free(c);
}
END_TEST

START_TEST(test_pam_conf_username_claim)
{
	char *c = claims("0f1e2d3c-uuid");

	jset_str(&c, "preferred_username", "alice");
	jset(&c, "ext", "{\"login\":\"alice\",\"a/b\":\"x\"}");
	jset_str(&c, "a/b", "alice");
	conf("username_claim = preferred_username\n");
	EXACT("alice", rs(c), PAM_SUCCESS);
	LOGGED("info", "accepted token for 'alice': iss '" ISS "' sub "
	    "'0f1e2d3c-uuid'");
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "username claim 'preferred_username' is missing or "
	    "not a string");
	/* JSON Pointers on the module line win over the file. */
	svc_exact("username_claim=/ext/login");
	EXACT("alice", rs(c), PAM_SUCCESS);
	EXACT("bob", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token is for 'alice', not 'bob'");
	svc_exact("username_claim=/preferred_username");
	EXACT("alice", rs(c), PAM_SUCCESS);
	/* ~1 is '/': the top-level member "a/b". */
	svc_exact("username_claim=/a~1b");
	EXACT("alice", rs(c), PAM_SUCCESS);
	/* Without '/', a name is taken literally: "a/b" again. */
	svc_exact("username_claim=a/b");
	EXACT("alice", rs(c), PAM_SUCCESS);
	svc_exact("username_claim=/ext/nothing");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "username claim '/ext/nothing' is missing");
	/* A bad pointer is a configuration error. */
	svc_exact("username_claim=/a~2b");
	UNAVAIL("alice");
	LOGGED("err", "module argument: username_claim: '/a~2b' is not a "
	    "valid JSON Pointer");
	free(c);
}
END_TEST

START_TEST(test_pam_conf_usermap)
{
	char *c = claims("0f1e2d3c-uuid");

	file0("map", "# IdP subject -> local user\n"
	    "0f1e2d3c-uuid alice\n"
	    "Some Person   bob\n", 0644);
	file0("map2", "0f1e2d3c-uuid carol\n", 0644);
	file0("dup", "0f1e2d3c-uuid alice\nx y\n0f1e2d3c-uuid bob\n", 0644);
	conf("usermap_file = @DIR@/map\n");
	EXACT("alice", rs(c), PAM_SUCCESS);
	/* Exclusive: an unlisted value logs nobody in, even a user name. */
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': 'alice' is not in the "
	    "usermap");
	/* Mapped, but to someone else. */
	EXACT("bob", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token is for 'alice', not 'bob'");
	/* A value with a space, through another claim. */
	svc_exact("username_claim=name");
	EXACT("bob", good_with("bob", "name", "\"Some Person\""), PAM_SUCCESS);
	EXACT("bob", good_with("bob", "name", "\"Some  Person\""),
	    PAM_AUTH_ERR);
	/* The module line wins. */
	svc_exact("usermap_file=@DIR@/map2");
	EXACT("carol", rs(c), PAM_SUCCESS);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	/* A value mapped twice: the admin must fix the file. */
	svc_exact("usermap_file=@DIR@/dup");
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "dup:3: '0f1e2d3c-uuid' is already mapped on line 1");
	svc_exact("usermap_file=@DIR@/gone");
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "gone");
	free(c);
}
END_TEST

START_TEST(test_pam_conf_leeway)
{
	char *c = claims("alice");

	jset_time(&c, "exp", -30);
	/* The default leeway of 60 s covers 30 s of skew. */
	EXACT("alice", rs(c), PAM_SUCCESS);
	conf("leeway = 0\n");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token expired ");
	LOGGED("notice", " s ago (leeway 0 s; if it is fresh, check the "
	    "clocks: timedatectl)");
	jset_time(&c, "exp", 600);
	jset_time(&c, "nbf", 30);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token not valid for another ");
	svc_exact("leeway=120");
	EXACT("alice", rs(c), PAM_SUCCESS);
	jset(&c, "nbf", NULL);
	jset_time(&c, "exp", -90);
	EXACT("alice", rs(c), PAM_SUCCESS);
	jset_time(&c, "exp", -200);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "(leeway 120 s; ");
	free(c);
}
END_TEST

START_TEST(test_pam_conf_max_token_age)
{
	char *c = claims("alice");

	conf("max_token_age = 100\n");
	jset_time(&c, "iat", -10);
	EXACT("alice", rs(c), PAM_SUCCESS);
	jset_time(&c, "iat", -1000);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token issued ");
	LOGGED("notice", "max_token_age is 100 s");
	jset(&c, "iat", NULL);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token has no iat claim, which max_token_age needs");
	/* Off by default: no iat is fine then. */
	conf(NULL);
	EXACT("alice", rs(c), PAM_SUCCESS);
	conf("max_token_age = 100\n");
	svc_exact("max_token_age=5000");
	jset_time(&c, "iat", -1000);
	EXACT("alice", rs(c), PAM_SUCCESS);
	free(c);
}
END_TEST

START_TEST(test_pam_conf_require_scope)
{
	conf("require_scope = ssh\n");
	EXACT("alice", good_with("alice", "scope", "\"openid ssh\""),
	    PAM_SUCCESS);
	EXACT("alice", good_with("alice", "scp", "[\"openid\",\"ssh\"]"),
	    PAM_SUCCESS);
	EXACT("alice", good_with("alice", "scp", "\"ssh profile\""),
	    PAM_SUCCESS);
	EXACT("alice", good_with("alice", "scope", "\"openid sshd\""),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': scope 'ssh' not granted "
	    "(require_scope)");
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "scope 'ssh' not granted");
	svc_exact("[require_scope=ssh admin]");
	EXACT("alice", good_with("alice", "scope", "\"openid ssh\""),
	    PAM_AUTH_ERR);
	LOGGED("notice", "scope 'admin' not granted");
	EXACT("alice", good_with("alice", "scope", "\"admin ssh\""),
	    PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_conf_accept_id_tokens)
{
	static const char *const id_only[] = { "nonce", "at_hash", "c_hash" };
	size_t i;
	char *want;

	/*
	 * An ID token for any client with our audience (LemonLDAP::NG signs
	 * both kinds alike) is no access token: refused by default.
	 */
	for (i = 0; i < 3; i++) {
		svc_exact("");
		EXACT("alice", good_with("alice", id_only[i], "\"x\""),
		    PAM_AUTH_ERR);
		want = tu_asprintf("token rejected for 'alice': token has "
		    "'%s', so it is an ID token, not an access token (set "
		    "accept_id_tokens = yes", id_only[i]);
		LOGGED("notice", want);
		free(want);
		svc_exact("accept_id_tokens=yes");
		EXACT("alice", good_with("alice", id_only[i], "\"x\""),
		    PAM_SUCCESS);
	}
	conf("accept_id_tokens = yes\n");
	svc_exact("");
	EXACT("alice", good_with("alice", "nonce", "\"n\""), PAM_SUCCESS);
	svc_exact("accept_id_tokens=no");
	EXACT("alice", good_with("alice", "nonce", "\"n\""), PAM_AUTH_ERR);
	conf("accept_id_tokens = maybe\n");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:4: accept_id_tokens: 'maybe' is "
	    "neither 'yes' nor 'no'");
}
END_TEST

START_TEST(test_pam_conf_deny_users)
{
	/*
	 * An IdP account named "root" is not this host's root: refused by
	 * default, with a line that names the key.
	 */
	EXACT("root", good("root"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'root': local user 'root' is in "
	    "deny_users");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	/* "deny_users =" turns the default off, in the file or the line. */
	conf("deny_users =\n");
	EXACT("root", good("root"), PAM_SUCCESS);
	conf(NULL);
	svc_exact("deny_users=");
	EXACT("root", good("root"), PAM_SUCCESS);
	svc_exact("[deny_users=alice bob]");
	EXACT("root", good("root"), PAM_SUCCESS);
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "local user 'alice' is in deny_users");
	EXACT("bob", good("bob"), PAM_AUTH_ERR);
	/* Through a usermap: the local user counts, not the claim. */
	file0("map", "admin-uuid root\n", 0644);
	svc_exact("usermap_file=@DIR@/map");
	EXACT("root", good("admin-uuid"), PAM_AUTH_ERR);
	LOGGED("notice", "local user 'root' is in deny_users");
}
END_TEST

/*
 * services: in a listed service a token logs in; in any other the module
 * stays out (PAM_IGNORE) before any prompt and says nothing above debug,
 * so common-auth can carry it without putting tokens on sudo or su.
 */
START_TEST(test_pam_conf_services)
{
	char *t = good("alice");

	service("sshd", "auth [success=done ignore=ok default=die] @MOD@ "
	    "config=@CONF@\n");
	service("sudo", "auth [success=done ignore=ok default=die] @MOD@ "
	    "config=@CONF@\n");
	conf("services = sshd exact\n");
	AUTH("sshd", "alice", t, PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	EXACT("alice", t, PAM_SUCCESS);
	AUTH("sudo", "alice", t, PAM_IGNORE);
	ck_assert_uint_eq(last.nprompts, 0);
	ck_assert_uint_eq(last.nsaid, 0);
	NOT_LOGGED("pam_bearer");
	/* Exact names: no prefix, no case folding. */
	conf("services = sudoedit SUDO ssh\n");
	AUTH("sudo", "alice", t, PAM_IGNORE);
	ck_assert_uint_eq(last.nprompts, 0);
	AUTH("sshd", "alice", t, PAM_IGNORE);
	/* Before the keys: a broken JWKS does not reach an unlisted one. */
	conf("services = sshd\njwks_file = @DIR@/missing.json\n");
	AUTH("sudo", "alice", t, PAM_IGNORE);
	ck_assert_uint_eq(last.nsaid, 0);
	AUTH("sshd", "alice", t, PAM_AUTHINFO_UNAVAIL);
	/* The account and session stacks follow: nothing for sudo. */
	conf("services = sshd\n");
	service("sudo", "auth [success=done ignore=ok default=die] @MOD@ "
	    "config=@CONF@\naccount [success=done ignore=ok default=die] "
	    "@MOD@\n");
	{
		pam_handle_t *pamh;
		const char *one[1];

		one[0] = t;
		pamh = start_last("sudo", "alice", one, 1);
		ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_IGNORE);
		ck_assert_int_eq(pam_acct_mgmt(pamh, 0), PAM_IGNORE);
		finish(pamh, PAM_IGNORE);
	}
	/* A module argument, as a service file would say it; debug says. */
	conf(NULL);
	svc_exact("services=sshd debug");
	AUTH("exact", "alice", t, PAM_IGNORE);
	ck_assert_uint_eq(last.nprompts, 0);
	LOGGED("debug", "service 'exact' is not in services, ignoring");
	svc_exact("services=exact");
	EXACT("alice", t, PAM_SUCCESS);
	/* Unset: every service, as before. */
	AUTH("sudo", "alice", t, PAM_SUCCESS);
	conf("services =\n");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:4: services: empty value");
}
END_TEST

START_TEST(test_pam_conf_deny_users_uid)
{
	/*
	 * deny_users is about accounts, not names: a second uid-0 account
	 * (toor) is root.  stack.sh adds pb-toor (uid 0) and pb-nobody
	 * (nobody's uid) to the system's users through nss_wrapper, with
	 * no change to /etc/passwd.
	 */
	if (getpwnam("pb-toor") == NULL || getpwnam("pb-nobody") == NULL) {
		fprintf(stderr, "test_pam_conf_deny_users_uid: no pb-toor "
		    "(libnss-wrapper not installed?): skipped\n");
		return;
	}
	EXACT("pb-toor", good("pb-toor"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'pb-toor': local user 'pb-toor' "
	    "has uid 0, the uid of 'root' in deny_users (tokens may not log "
	    "in as it; take it out of deny_users to allow)");
	/* Names with no account are only names; any listed name counts. */
	svc_exact("[deny_users=no-such-user-x nobody]");
	EXACT("pb-nobody", good("pb-nobody"), PAM_AUTH_ERR);
	LOGGED("notice", "local user 'pb-nobody' has uid 65534, the uid of "
	    "'nobody' in deny_users");
	EXACT("pb-toor", good("pb-toor"), PAM_SUCCESS);
	EXACT("alice", good("alice"), PAM_SUCCESS);
	svc_exact("deny_users=");
	EXACT("pb-toor", good("pb-toor"), PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_conf_min_uid)
{
	conf("deny_users =\nmin_uid = 1000\n");
	/* root is 0 and daemon 1 on every Linux; nobody is 65534 here. */
	EXACT("root", good("root"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'root': local user 'root' has uid "
	    "0, below min_uid 1000");
	EXACT("daemon", good("daemon"), PAM_AUTH_ERR);
	LOGGED("notice", "has uid 1, below min_uid 1000");
	EXACT("nobody", good("nobody"), PAM_SUCCESS);
	EXACT("no-such-user-x", good("no-such-user-x"), PAM_AUTH_ERR);
	LOGGED("notice", "no local user 'no-such-user-x' (min_uid needs its "
	    "uid)");
	/* Off by default and with 0. */
	svc_exact("min_uid=0");
	EXACT("root", good("root"), PAM_SUCCESS);
	EXACT("no-such-user-x", good("no-such-user-x"), PAM_SUCCESS);
	conf("min_uid = -1\n");
	svc_exact("");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:4: min_uid: '-1' is out of range");
}
END_TEST

START_TEST(test_pam_conf_groups)
{
	char *c = claims("alice");

	conf("require_groups = \"Domain Admins\" ops\n");
	EXACT("alice", good_with("alice", "groups",
	    "[\"users\",\"Domain Admins\"]"), PAM_SUCCESS);
	EXACT("alice", good_with("alice", "groups", "\"ops\""), PAM_SUCCESS);
	EXACT("alice", good_with("alice", "groups", "[\"Domain\",\"Admins\"]"),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token is in none of the "
	    "groups 'Domain Admins' or 'ops' (claim 'groups')");
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "token has no groups claim 'groups' "
	    "(require_groups)");
	/* groups_claim as a JSON Pointer into nested claims (Keycloak). */
	conf("groups_claim = /realm_access/roles\nrequire_groups = ops\n");
	jset(&c, "realm_access", "{\"roles\":[\"ops\",\"dev\"]}");
	EXACT("alice", rs(c), PAM_SUCCESS);
	/* The module line wins, quoted group included. */
	svc_exact("groups_claim=roles [require_groups=\"Site Reliability\"]");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token has no groups claim 'roles'");
	jset(&c, "roles", "[\"Site Reliability\"]");
	EXACT("alice", rs(c), PAM_SUCCESS);
	free(c);
}
END_TEST

START_TEST(test_pam_conf_require_claim)
{
	char *c = claims("alice");

	conf("require_claim = acr=mfa\nrequire_claim = email_verified=true\n");
	jset_str(&c, "acr", "mfa");
	jset(&c, "email_verified", "true");
	EXACT("alice", rs(c), PAM_SUCCESS);
	jset_str(&c, "acr", "pwd");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': claim 'acr' is not "
	    "'mfa' (require_claim)");
	jset_str(&c, "acr", "mfa");
	jset(&c, "email_verified", "false");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "claim 'email_verified' is not 'true'");
	/* "true" as a string is not the boolean. */
	jset_str(&c, "email_verified", "True");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	jset(&c, "acr", NULL);
	jset(&c, "email_verified", "true");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "claim 'acr' missing (require_claim acr=mfa)");
	/* The module line replaces the file's list. */
	svc_exact("require_claim=amr=mfa");
	jset(&c, "amr", "[\"pwd\",\"mfa\"]");
	EXACT("alice", rs(c), PAM_SUCCESS);
	jset(&c, "amr", "[\"pwd\",\"otp\"]");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "claim 'amr' does not contain 'mfa' "
	    "(require_claim)");
	free(c);
}
END_TEST

START_TEST(test_pam_conf_denylist)
{
	char *c = claims("alice");

	file0("deny", "# revoked\nrevoked-jti\n  mallory  \n", 0644);
	file0("deny2", "# nothing revoked\n", 0644);
	conf("denylist_file = @DIR@/deny\n");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	jset_str(&c, "jti", "revoked-jti");
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': jti 'revoked-jti' is on "
	    "the denylist");
	EXACT("mallory", good("mallory"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'mallory': sub 'mallory' is on "
	    "the denylist");
	svc_exact("denylist_file=@DIR@/deny2");
	EXACT("alice", rs(c), PAM_SUCCESS);
	EXACT("mallory", good("mallory"), PAM_SUCCESS);
	svc_exact("denylist_file=@DIR@/gone");
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "gone");
	free(c);
}
END_TEST

/*
 * A list file the module cannot use is the admin's to fix, however it
 * fails: PAM_AUTHINFO_UNAVAIL at LOG_ERR, never "token rejected".  A
 * denylist that grows by appending revoked jti values passes the 1 MiB cap
 * at about 28,000 UUIDs.
 */
START_TEST(test_pam_files_list_toobig)
{
	const size_t n = 30000;
	char *big = tu_malloc(n * 37 + 1), *c = claims("alice");
	size_t i;

	for (i = 0; i < n; i++)
		(void)snprintf(big + i * 37, 38, "%08zx-0000-4000-8000-%012zx\n",
		    i, i);
	file0("deny", big, 0644);
	for (i = 0; i < n; i++)
		big[i * 37 + 8] = ' ';
	file0("map", big, 0644);
	free(big);
	svc_exact("denylist_file=@DIR@/deny");
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "deny is 1110000 bytes, over the limit of 1048576");
	NOT_LOGGED("token rejected");
	svc_exact("usermap_file=@DIR@/map");
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "map is 1110000 bytes, over the limit of 1048576");
	NOT_LOGGED("token rejected");
	/* Missing: the same, and the line says what cannot be checked. */
	svc_exact("denylist_file=@DIR@/gone");
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "cannot check the token for 'alice': cannot open");
	NOT_LOGGED("token rejected");
	free(c);
}
END_TEST

/*
 * A NUL byte in the denylist used to hide every entry after it; bytes that
 * are not UTF-8 never match a claim.  Both are the admin's to fix.
 */
START_TEST(test_pam_files_list_not_text)
{
	static const char deny[] = "# revoked\nfirst\0junk\nmallory\n";
	static const char map[] = "x y\nJos\xe9 alice\nalice alice\n";
	char *p;

	p = tu_write_filen(dir, "deny", deny, sizeof(deny) - 1, 0644);
	free(p);
	p = tu_write_filen(dir, "map", map, sizeof(map) - 1, 0644);
	free(p);
	svc_exact("denylist_file=@DIR@/deny");
	auth_is(__LINE__, "exact", "mallory", good("mallory"),
	    PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "/deny:2: NUL byte in line (is this a text file?)");
	NOT_LOGGED("accepted");
	svc_exact("usermap_file=@DIR@/map");
	auth_is(__LINE__, "exact", "alice", good("alice"),
	    PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "/map:2: invalid UTF-8 in line");
	NOT_LOGGED("accepted");
}
END_TEST

START_TEST(test_pam_conf_max_token_size)
{
	char *t = good("alice");

	ck_assert_uint_gt(strlen(t), 256);
	conf("max_token_size = 256\n");
	EXACT("alice", t, PAM_AUTH_ERR);
	LOGGED("notice", "token input over max_token_size (256 bytes), "
	    "rejected");
	svc_exact("max_token_size=65536");
	EXACT("alice", t, PAM_SUCCESS);
	svc_exact("max_token_size=100");
	UNAVAIL("alice");
	LOGGED("err", "module argument: max_token_size: '100' is out of range "
	    "(256 to 1048576 bytes)");
}
END_TEST

START_TEST(test_pam_conf_prompt)
{
	conf("prompt = \"Token please: \"\n");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	ck_assert_str_eq(last.prompt[0], "Token please: ");
	ck_assert_int_eq(last.style[0], PAM_PROMPT_ECHO_OFF);
	svc_exact("[prompt=Access token: ]");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	ck_assert_str_eq(last.prompt[0], "Access token: ");
	svc_exact("prompt=JWT:");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	ck_assert_str_eq(last.prompt[0], "JWT:");
}
END_TEST

START_TEST(test_pam_conf_errors)
{
	/* Unknown key in the file: file and line. */
	conf("isuser = " ISS "\n");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:4: unknown key 'isuser' (did you mean "
	    "'issuer'?)");
	/* Bad value in the file. */
	conf("leeway = soon\n");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:4: leeway: 'soon' is not a whole "
	    "number");
	conf("jwks_file = jwks.json\n");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:4: jwks_file: 'jwks.json' is not an "
	    "absolute path");
	conf("leeway = 5\nleeway = 6\n");
	UNAVAIL("alice");
	LOGGED("err", "pam_bearer.conf:5: duplicate key 'leeway'");
	file0("pam_bearer.conf", "audience = ssh\njwks_file = "
	    "@DATA@/jwks.json\n", 0644);
	UNAVAIL("alice");
	LOGGED("err", "issuer is not set");
	/* Unknown key, bad value, duplicate on the module line. */
	conf(NULL);
	svc_exact("foo=bar");
	UNAVAIL("alice");
	LOGGED("err", "module argument: unknown key 'foo'");
	svc_exact("leeway=-5");
	UNAVAIL("alice");
	LOGGED("err", "module argument: leeway: '-5' is out of range");
	svc_exact("leeway=1 leeway=2");
	UNAVAIL("alice");
	LOGGED("err", "module argument: duplicate key 'leeway'");
	/* Unknown flag. */
	svc_exact("deubg");
	UNAVAIL("alice");
	LOGGED("err", "unknown module argument 'deubg'");
	/* Missing configuration file. */
	service("exact", "auth [success=done ignore=ok default=die] @MOD@ "
	    "config=@DIR@/nope.conf\n");
	UNAVAIL("alice");
	LOGGED("err", "nope.conf");
	/* The admin's stack fails closed on all of these. */
	service("deny", "auth sufficient @MOD@ config=@DIR@/nope.conf\n"
	    "auth required pam_deny.so\n");
	AUTH("deny", "alice", good("alice"), PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 0);
}
END_TEST

START_TEST(test_pam_conf_debug)
{
	/* debug is a flag; a password then gets a debug line, never shown. */
	svc_exact("debug");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	EXACT("alice", secret("password-with-debug"), PAM_IGNORE);
	LOGGED("debug", "input for 'alice' is not a JWT");
	/*
	 * An opaque access token is no JWT either: still PAM_IGNORE (a
	 * password must keep working), but the line says what it may be.
	 */
	EXACT("alice", secret("0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef"), PAM_IGNORE);
	LOGGED("debug", "input for 'alice' is not a JWT (an opaque access "
	    "token? ask the IdP for JWT access tokens), ignoring");
}
END_TEST

START_TEST(test_pam_log_escaping)
{
	char *c = claims("x"), *longjti;
	const char *one[1];
	pam_handle_t *pamh;
	size_t i;

	/*
	 * Claim values are attacker-controlled: escaped (no raw control
	 * byte ends up in a log line), quoted, and cut to 64 bytes.
	 */
	longjti = tu_malloc(201);
	for (i = 0; i < 200; i++)
		longjti[i] = (char)('a' + i % 26);
	longjti[200] = '\0';
	conf("username_claim = preferred_username\n");
	jset_str(&c, "sub", "evil\n\033[2J'quote'");
	jset_str(&c, "preferred_username", "alice");
	jset_str(&c, "jti", longjti);
	one[0] = rs(c);
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	LOGGED("info", "sub 'evil\\x0a\\x1b[2J\\x27quote\\x27'");
	LOGGED("info", "jti 'abcdefghijklmnopqrstuvwxyz"
	    "abcdefghijklmnopqrstuvwxyzabcdefghijkl...'");
	NOT_LOGGED("\033");
	/* Nor into the environment of the session. */
	ck_assert_int_eq(pam_open_session(pamh, 0), PAM_SUCCESS);
	ck_assert_ptr_null(pam_getenv(pamh, "BEARER_SUB"));
	ck_assert_pstr_eq(pam_getenv(pamh, "BEARER_ISS"), ISS);
	finish(pamh, PAM_SUCCESS);
	/* A kid that looks like a path is only ever compared, and escaped. */
	conf(NULL);
	jset_str(&c, "sub", "alice");
	EXACT("alice", sign("RS256", "../../etc/passwd\\n", c), PAM_AUTH_ERR);
	LOGGED("notice", "no key with kid '../../etc/passwd\\x0a' in ");
	/* The prompt is text, not a format. */
	conf("prompt = \"%s%n: \"\n");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	ck_assert_str_eq(last.prompt[0], "%s%n: ");
	free(longjti);
	free(c);
}
END_TEST

/* Every rejection reason through the module ------------------------------- */

/* t with the character at offset off changed. */
static char *
flip(const char *t, size_t off)
{
	char *u = tu_strdup(t);

	u[off] = u[off] == 'A' ? 'B' : 'A';
	return track(u);
}

START_TEST(test_pam_reject_time)
{
	EXACT("alice", good_with("alice", "exp", "1700000000"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token expired ");
	LOGGED("notice", " s ago (leeway 60 s)");
	NOT_LOGGED("check the clocks");
	/* Just past: a fresh token on a host whose clock runs ahead. */
	{
		char *c = claims("alice");

		jset_time(&c, "exp", -120);
		EXACT("alice", rs(c), PAM_AUTH_ERR);
		free(c);
	}
	/* 120 s, or 121 when a slow run (valgrind) crossed a second. */
	LOGGED("notice", "token rejected for 'alice': token expired 12");
	LOGGED("notice", " s ago (leeway 60 s; if it is fresh, check the "
	    "clocks: timedatectl)");
	EXACT("alice", good_with("alice", "exp", NULL), PAM_AUTH_ERR);
	LOGGED("notice", "token has no exp claim");
	EXACT("alice", good_with("alice", "exp", "\"4102444800\""),
	    PAM_AUTH_ERR);
	LOGGED("notice", "exp is not a NumericDate");
	/* exp in 2100: past the 32-bit time_t limit, still valid. */
	EXACT("alice", good_with("alice", "exp", "4102444800"), PAM_SUCCESS);
	{
		char *c = claims("alice");

		jset_time(&c, "nbf", 3600);
		EXACT("alice", rs(c), PAM_AUTH_ERR);
		LOGGED("notice", "token not valid for another ");
		LOGGED("notice", "check the clocks: timedatectl)");
		jset_time(&c, "nbf", -10);
		EXACT("alice", rs(c), PAM_SUCCESS);
		jset_time(&c, "iat", 3600);
		EXACT("alice", rs(c), PAM_AUTH_ERR);
		LOGGED("notice", "s in the future (iat");
		free(c);
	}
}
END_TEST

START_TEST(test_pam_reject_signature)
{
	char *t = good("alice"), *c = claims("bob"), *h, *p, *forged;
	const char *dot1 = strchr(t, '.'), *dot2 = strrchr(t, '.');
	size_t siglen = strlen(dot2 + 1);

	/* A changed signature byte (not the last: no stray-bit error). */
	EXACT("alice", flip(t, (size_t)(dot2 - t) + 1 + siglen / 2),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': signature does not "
	    "verify");
	/* alice's signature on a payload naming bob. */
	p = tu_b64url_str(c);
	h = tu_strdup(t);
	h[dot1 - t] = '\0';
	forged = track(tu_asprintf("%s.%s%s", h, p, dot2));
	EXACT("bob", forged, PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'bob': signature does not "
	    "verify");
	NOT_LOGGED("accepted");
	/* Signed by another RSA key under kid rsa1. */
	EXACT("alice", sign_hdr("PS256", "{\"alg\":\"RS256\",\"kid\":"
	    "\"rsa1\"}", c), PAM_AUTH_ERR);
	EXACT("alice", track(tu_sign("RS256", k_pss, NULL, 0,
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\"}", c)), PAM_AUTH_ERR);
	LOGGED("notice", "signature does not verify");
	free(c);
	free(h);
	free(p);
}
END_TEST

START_TEST(test_pam_reject_alg)
{
	char *c = claims("alice");

	/* alg none, with an empty and with a made-up signature. */
	EXACT("alice", sign("none", NULL, c), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token signature is "
	    "empty");
	EXACT("alice", track(tu_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", c,
	    "sig-bytes", 9)), PAM_AUTH_ERR);
	LOGGED("notice", "alg 'none' is never accepted");
	EXACT("alice", track(tu_token("{\"alg\":\"NONE\"}", c, "sig-bytes",
	    9)), PAM_AUTH_ERR);
	LOGGED("notice", "alg 'NONE' is never accepted");
	/* Unknown kid; a kid whose key does not fit the alg. */
	EXACT("alice", sign("RS256", "nope", c), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': no key with kid 'nope' "
	    "in ");
	LOGGED("notice", "/jwks.json");
	EXACT("alice", sign_hdr("ES256", "{\"alg\":\"RS256\",\"kid\":\"ec1\"}",
	    c), PAM_AUTH_ERR);
	LOGGED("notice", "key 'ec1' in ");
	LOGGED("notice", "does not fit RS256");
	/* HS256 signed with the RSA key's public JWK text (confusion). */
	{
		char *jwk = tu_jwk(k_rsa, NULL, NULL, NULL);

		EXACT("alice", track(tu_sign("HS256", NULL, jwk, strlen(jwk),
		    "{\"alg\":\"HS256\",\"kid\":\"rsa1\"}", c)), PAM_AUTH_ERR);
		LOGGED("notice", "alg HS256 is not in the allowlist");
		free(jwk);
	}
	/* An unknown alg; crit; typ. */
	EXACT("alice", track(tu_token("{\"alg\":\"XS256\",\"kid\":\"rsa1\"}", c,
	    "sig-bytes", 9)), PAM_AUTH_ERR);
	LOGGED("notice", "alg 'XS256' is not supported");
	EXACT("alice", sign_hdr("RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"crit\":[\"exp\"],\"exp\":1}", c), PAM_AUTH_ERR);
	LOGGED("notice", "token header has crit");
	EXACT("alice", sign_hdr("RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"typ\":\"JOSE+JSON\"}", c), PAM_AUTH_ERR);
	LOGGED("notice", "typ 'JOSE+JSON' is not JWT or at+jwt");
	EXACT("alice", sign_hdr("RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"typ\":\"AT+JWT\"}", c), PAM_SUCCESS);
	EXACT("alice", sign_hdr("RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"typ\":\"application/at+jwt\"}", c), PAM_SUCCESS);
	/* jku/jwk/x5u never pick a key: still kid rsa1 from the file. */
	EXACT("alice", sign_hdr("RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"jku\":\"https://evil.example.com/jwks\"}", c), PAM_SUCCESS);
	/* No kid: the keys that fit are tried (one RS256 key here). */
	EXACT("alice", sign("RS256", NULL, c), PAM_SUCCESS);
	free(c);
}
END_TEST

START_TEST(test_pam_reject_format)
{
	char *c = claims("alice");

	/* The payload is not JSON, or has a duplicate member. */
	EXACT("alice", rs("not json at all"), PAM_AUTH_ERR);
	LOGGED("notice", "token payload is not valid JSON");
	{
		char *d = tu_asprintf("{\"sub\":\"bob\",%s", c + 1);

		EXACT("alice", rs(d), PAM_AUTH_ERR);
		LOGGED("notice", "duplicate");
		free(d);
	}
	EXACT("alice", rs("[1,2,3]"), PAM_AUTH_ERR);
	LOGGED("notice", "token payload is not a JSON object");
	/* A header of JSON text that is not an object of the right kind. */
	EXACT("alice", sign_hdr("RS256", "{\"kid\":\"rsa1\"}", c),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token header has no string alg");
	free(c);
}
END_TEST

START_TEST(test_pam_reject_user)
{
	EXACT("alice", good("bob"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token is for 'bob', not "
	    "'alice'");
	/* Case matters. */
	EXACT("alice", good("Alice"), PAM_AUTH_ERR);
	LOGGED("notice", "token is for 'Alice', not 'alice'");
	/* Unsafe names never get compared, let alone logged raw. */
	EXACT("alice", good("alice;id"), PAM_AUTH_ERR);
	LOGGED("notice", "value 'alice;id' is not a safe user name");
	EXACT("-alice", good("-alice"), PAM_AUTH_ERR);
	LOGGED("notice", "is not a safe user name");
	EXACT("alice", good("ali\\nce"), PAM_AUTH_ERR);
	LOGGED("notice", "value 'ali\\x0ace' is not a safe user name");
	EXACT("alice", good_with("alice", "sub", "42"), PAM_AUTH_ERR);
	LOGGED("notice", "username claim 'sub' is missing or not a string");
	/* A PAM user name with odd bytes is escaped in the log. */
	EXACT("al'ice", good("alice"), PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'al\\x27ice'");
	/* Dotted and @ names are fine. */
	EXACT("a.lice@corp", good("a.lice@corp"), PAM_SUCCESS);
}
END_TEST

/* try_first_pass and use_first_pass --------------------------------------- */

/* A service that sets PAM_AUTHTOK to the file's bytes, then the module. */
static void
svc_preset(const char *value, const char *args)
{
	char *t;

	if (value != NULL) {
		free(tu_write_file(dir, "authtok", value, 0600));
		t = tu_asprintf("auth optional @EXPECT@ "
		    "set_file=@DIR@/authtok\n"
		    "auth [success=done ignore=ok default=die] @MOD@ "
		    "config=@CONF@ %s\n", args);
	} else
		t = tu_asprintf("auth [success=done ignore=ok default=die] "
		    "@MOD@ config=@CONF@ %s\n", args);
	service("preset", t);
	free(t);
}

START_TEST(test_pam_first_pass)
{
	const char *t = good("alice");

	/* A token from an earlier module: no prompt. */
	svc_preset(t, "try_first_pass");
	AUTH("preset", "alice", NULL, PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 0);
	svc_preset(t, "use_first_pass");
	AUTH("preset", "alice", NULL, PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 0);
	/* Nothing earlier: try_first_pass prompts, use_first_pass fails. */
	svc_preset(NULL, "try_first_pass");
	AUTH("preset", "alice", good("alice"), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	svc_preset(NULL, "use_first_pass");
	AUTH("preset", "alice", good("alice"), PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 0);
	LOGGED("notice", "use_first_pass but no password");
	/* A bad token from an earlier module fails without a prompt. */
	svc_preset(good("bob"), "use_first_pass");
	AUTH("preset", "alice", NULL, PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 0);
	LOGGED("notice", "token is for 'bob', not 'alice'");
	svc_preset(good("bob"), "try_first_pass");
	AUTH("preset", "alice", NULL, PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 0);
}
END_TEST

START_TEST(test_pam_first_pass_continued)
{
	char *t = good("alice"), *first, *want;

	/*
	 * pam_bearer(8): "A token from PAM_AUTHTOK that ends in a backslash
	 * is continued the same way": the first part from an earlier module
	 * (sshd caps passwords at 1024 bytes), the rest at the prompt.
	 */
	first = track(tu_asprintf("%.400s\\", t));
	svc_preset(first, "try_first_pass");
	AUTH("preset", "alice", t + 400, PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	want = tu_asprintf("Bearer token (continued at byte 400): ");
	ck_assert_str_eq(last.prompt[0], want);
	free(want);
}
END_TEST

START_TEST(test_pam_first_pass_password)
{
	/*
	 * A password from an earlier module: PAM_IGNORE, no prompt, and
	 * PAM_AUTHTOK unchanged for the modules below.
	 */
	free(tu_write_file(dir, "authtok", secret("s3cret-password"), 0600));
	service("pw", "auth optional @EXPECT@ set_file=@DIR@/authtok\n"
	    "auth sufficient @MOD@ config=@CONF@ try_first_pass\n"
	    "auth required @EXPECT@ expect=s3cret-password\n");
	AUTH("pw", "alice", NULL, PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 0);
	svc_preset("s3cret-password", "use_first_pass");
	AUTH("preset", "alice", NULL, PAM_IGNORE);
	ck_assert_uint_eq(last.nprompts, 0);
}
END_TEST

/* Long tokens in parts ---------------------------------------------------- */

/* A token for alice with many groups, about 3 KB. */
static char *
fat_token(void)
{
	char *c = claims("alice"), *g, *t;
	size_t o = 0, i, cap = 8192;

	g = tu_malloc(cap);
	g[o++] = '[';
	for (i = 0; i < 110; i++)
		o += (size_t)snprintf(g + o, cap - o,
		    "%s\"group-%03zu-example\"", i > 0 ? "," : "", i);
	g[o++] = ']';
	g[o] = '\0';
	jset(&c, "groups", g);
	t = rs(c);
	free(g);
	free(c);
	return t;
}

START_TEST(test_pam_parts_fat_token)
{
	char *t = fat_token(), *parts[8], *want;
	const char *ans[8];
	size_t len = strlen(t), n = 0, o, k, i;

	ck_assert_uint_gt(len, 2900);
	ck_assert_uint_lt(len, 4000);
	/* Only the last group passes: the whole token must arrive. */
	conf("require_groups = group-109-example\n");
	/* Parts of at most 1000 bytes: 999 token bytes and a '\'. */
	for (o = 0; o < len; o += k) {
		k = len - o > 999 ? 999 : len - o;
		parts[n] = tu_asprintf("%.*s%s", (int)k, t + o,
		    o + k < len ? "\\" : "");
		ck_assert_uint_le(strlen(parts[n]), 1000);
		ans[n] = parts[n];
		n++;
	}
	ck_assert_uint_eq(n, (len + 998) / 999);
	ck_assert_int_eq(login_v("exact", "alice", ans, n), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, n);
	ck_assert_str_eq(last.prompt[0], PROMPT);
	for (i = 1; i < n; i++) {
		want = tu_asprintf("Bearer token (continued at byte %zu): ",
		    i * 999);
		ck_assert_str_eq(last.prompt[i], want);
		ck_assert_int_eq(last.style[i], PAM_PROMPT_ECHO_OFF);
		free(want);
	}
	LOGGED("info", "accepted token for 'alice'");
	/* The same token cut short: rejected. */
	ck_assert_int_eq(login_v("exact", "alice", ans, n - 1),
	    PAM_CONV_ERR);
	for (i = 0; i < n; i++)
		free(parts[i]);
}
END_TEST

START_TEST(test_pam_parts_uneven)
{
	char *t = good("alice");
	size_t len = strlen(t);
	char *p1 = tu_asprintf("%.2s\\", t), *p2 = tu_asprintf("%.300s\\",
	    t + 2), *p3 = tu_strdup(t + 302);
	const char *ans[3];

	ck_assert_uint_gt(len, 400);
	ans[0] = p1;
	ans[1] = p2;
	ans[2] = p3;
	ck_assert_int_eq(login_v("exact", "alice", ans, 3), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 3);
	ck_assert_str_eq(last.prompt[1],
	    "Bearer token (continued at byte 2): ");
	ck_assert_str_eq(last.prompt[2],
	    "Bearer token (continued at byte 302): ");
	/* A custom prompt changes only the first one. */
	conf("prompt = \"JWT: \"\n");
	ck_assert_int_eq(login_v("exact", "alice", ans, 3), PAM_SUCCESS);
	ck_assert_str_eq(last.prompt[0], "JWT: ");
	ck_assert_str_eq(last.prompt[1],
	    "Bearer token (continued at byte 2): ");
	free(p1);
	free(p2);
	free(p3);
}
END_TEST

START_TEST(test_pam_parts_runaway)
{
	pam_handle_t *pamh;
	int rc;

	secret("AAAAAAAAAAAAAAAA");
	/* max_token_size stops it: 64 parts of 4 bytes fit in 256. */
	conf("max_token_size = 256\n");
	pamh = start_last("exact", "alice", NULL, 0);
	last.repeat = "eyAA\\";
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_str_eq(pam_code(rc), "PAM_AUTH_ERR");
	ck_assert_uint_eq(last.nprompts, 65);
	ck_assert_str_eq(last.prompt[64],
	    "Bearer token (continued at byte 256): ");
	LOGGED("notice", "token input over max_token_size (256 bytes), "
	    "rejected");
	/* The default size: the cap of 256 parts stops it. */
	conf(NULL);
	pamh = start_last("exact", "alice", NULL, 0);
	last.repeat = "eyAA\\";
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_str_eq(pam_code(rc), "PAM_AUTH_ERR");
	ck_assert_uint_eq(last.nprompts, 256);
	ck_assert_str_eq(last.prompt[255],
	    "Bearer token (continued at byte 1020): ");
	LOGGED("notice", "token sent in more than 256 parts, rejected");
}
END_TEST

/*
 * A part with no bytes: a lone '\' would make the module ask "continued
 * at byte 0" (the first prompt's text again for the proof, a prompt the
 * parser refuses for the token); an empty answer after a part says
 * nothing either.  Rejected at once, with a log line.
 */
START_TEST(test_pam_parts_empty)
{
	char *t = good("alice");
	char *p1 = track(tu_asprintf("%.300s\\", t));
	const char *ans[2];

	/* A lone '\\' first is no part of a token: a password, passed on. */
	ans[0] = "\\";
	ans[1] = t;
	ck_assert_int_eq(login_v("exact", "alice", ans, 2), PAM_IGNORE);
	ck_assert_uint_eq(last.nprompts, 1);
	NOT_LOGGED("an empty part");
	NOT_LOGGED("accepted");
	ans[0] = p1;
	ans[1] = "\\";
	ck_assert_int_eq(login_v("exact", "alice", ans, 2), PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 2);
	LOGGED("notice", "an empty part of the token");
	ans[1] = "";
	ck_assert_int_eq(login_v("exact", "alice", ans, 2), PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 2);
	LOGGED("notice", "an empty part of the token");
	/* An empty first answer stays what it was: no token, passed on. */
	EXACT("alice", "", PAM_IGNORE);
}
END_TEST

/*
 * A token for alice whose length is in [lo, hi], padded through a claim
 * and, since base64url lengths skip some values, a header member.  Lengths
 * are computed from the encodings; only the result is signed.
 */
static char *
token_len(size_t lo, size_t hi, long exp_delta)
{
	char *c, *h, *h64, *p64, *pad, *t;
	size_t i, n, total;

	for (n = 0; n < 3000; n++) {
		for (i = 0; i < 4; i++) {
			h = tu_asprintf("{\"alg\":\"RS256\",\"typ\":\"JWT\","
			    "\"kid\":\"rsa1\"%s%.*s%s}",
			    i > 0 ? ",\"x\":\"" : "", (int)(i > 0 ? i - 1 : 0),
			    "yy", i > 0 ? "\"" : "");
			c = claims("alice");
			jset_time(&c, "exp", exp_delta);
			pad = tu_malloc(n + 1);
			memset(pad, 'x', n);
			pad[n] = '\0';
			jset_str(&c, "pad", pad);
			free(pad);
			h64 = tu_b64url_str(h);
			p64 = tu_b64url_str(c);
			/* RS256 with a 2048-bit key: 256 bytes, 342 chars. */
			total = strlen(h64) + 1 + strlen(p64) + 1 + 342;
			free(h64);
			free(p64);
			if (total >= lo && total <= hi) {
				t = sign_hdr("RS256", h, c);
				free(c);
				free(h);
				ck_assert_uint_eq(strlen(t), total);
				return t;
			}
			free(c);
			free(h);
		}
	}
	tu_die("no token of %zu to %zu bytes", lo, hi);
}

START_TEST(test_pam_parts_1023_hint)
{
	/*
	 * The OpenSSH client cuts answers at 1023 bytes.  A token cut there
	 * inside its signature is still JWT-shaped and fails: the log says
	 * why it may have failed.
	 */
	char *t = token_len(1100, 1200, 600), *cut;
	const char *d2;

	cut = track(tu_strdup(t));
	cut[1023] = '\0';
	d2 = strrchr(cut, '.');
	ck_assert_ptr_nonnull(d2);
	ck_assert_ptr_ne(strchr(cut, '.'), d2);
	EXACT("alice", cut, PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice'");
	LOGGED("notice", "an answer was exactly 1023 bytes");
	/* A token of exactly 1023 bytes that verifies: no hint. */
	t = token_len(1023, 1023, 600);
	EXACT("alice", t, PAM_SUCCESS);
	NOT_LOGGED("1023");
	/* One of exactly 1023 bytes that fails for another reason: hint. */
	t = token_len(1023, 1023, -3600);
	EXACT("alice", t, PAM_AUTH_ERR);
	LOGGED("notice", "token expired");
	LOGGED("notice", "1023");
	/* 1022 bytes that fail: no hint. */
	t = token_len(1022, 1022, -3600);
	EXACT("alice", t, PAM_AUTH_ERR);
	NOT_LOGGED("1023");
}
END_TEST

START_TEST(test_pam_parts_1023_in_payload)
{
	/*
	 * A 1.5 KB token cut at 1023 bytes inside its payload has one dot:
	 * it starts like a JWT, so it is refused as a token, never handed
	 * on as a password, and the hint is logged: this is the usual way
	 * a real token gets cut.
	 */
	char *t = token_len(1500, 1600, 600), *cut;

	cut = track(tu_strdup(t));
	cut[1023] = '\0';
	ck_assert_ptr_eq(strchr(cut, '.'), strrchr(cut, '.'));
	EXACT("alice", cut, PAM_AUTH_ERR);
	LOGGED("notice", "an answer was exactly 1023 bytes");
	/* A password of another length: nothing logged. */
	EXACT("alice", secret("a-password-of-some-other-length"), PAM_IGNORE);
	NOT_LOGGED("pam_bearer");
}
END_TEST

/* The replay cache -------------------------------------------------------- */

static char *
mkcache(const char *name, mode_t mode)
{
	char *p = tu_asprintf("%s/%s", dir, name);

	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	return p;
}

/*
 * Files in a replay cache, in its shards (two hex digits) and at the top,
 * "." and "..", the shards themselves and the sweep cursor left out.
 */
static size_t
entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	size_t n = 0;
	char *sub;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "sweep") == 0)
			continue;
		if (strlen(de->d_name) == 2 && strspn(de->d_name,
		    "0123456789abcdef") == 2) {
			sub = tu_asprintf("%s/%s", path, de->d_name);
			n += entries(sub);
			free(sub);
		} else
			n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_pam_replay_second_use)
{
	char *cache = mkcache("replay", 0700), *t = good("alice");
	char *c = claims("alice");

	conf("issuer = " ISS " " ISS2 "\nreplay_cache = @DIR@/replay\n");
	EXACT("alice", t, PAM_SUCCESS);
	EXACT("alice", t, PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': token (jti 'j");
	LOGGED("notice", "') was already used");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	ck_assert_uint_eq(entries(cache), 2);
	/* Another issuer's jti space is its own. */
	jset_str(&c, "jti", "shared-jti");
	EXACT("alice", rs(c), PAM_SUCCESS);
	jset_str(&c, "iss", ISS2);
	EXACT("alice", rs(c), PAM_SUCCESS);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token (jti 'shared-jti') was already used");
	/* No jti: nothing to remember it by. */
	EXACT("alice", good_with("alice", "jti", NULL), PAM_AUTH_ERR);
	LOGGED("notice", "token has no jti, which replay_cache needs");
	/* A failed token does not use up its jti. */
	t = good("alice");
	EXACT("bob", t, PAM_AUTH_ERR);
	EXACT("alice", t, PAM_SUCCESS);
	free(cache);
	free(c);
}
END_TEST

/*
 * The entry name the module uses for iss and jti (pam/replay.c): hex
 * SHA-256 of iss, a NUL and jti, in the shard named by its first two
 * digits (flat: at the top, as 0.1.0 kept it).  Computed here with OpenSSL
 * directly.
 */
static char *
entry_path_of(const char *cache, const char *iss, const char *jti, int flat)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	char name[65];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0, i;

	ck_assert(c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, iss, strlen(iss) + 1) == 1 &&
	    EVP_DigestUpdate(c, jti, strlen(jti)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &n) == 1 && n == 32);
	EVP_MD_CTX_free(c);
	for (i = 0; i < 32; i++) {
		name[2 * i] = hex[md[i] >> 4];
		name[2 * i + 1] = hex[md[i] & 0xf];
	}
	name[64] = '\0';
	if (flat)
		return tu_asprintf("%s/%s", cache, name);
	return tu_asprintf("%s/%.2s/%s", cache, name, name);
}

static char *
entry_path(const char *cache, const char *iss, const char *jti)
{
	return entry_path_of(cache, iss, jti, 0);
}

/* Write a file at path, making its directory (a shard) when missing. */
static void
put(const char *path, const char *content)
{
	char *d = tu_strdup(path), *slash = strrchr(d, '/');

	*slash = '\0';
	ck_assert(mkdir(d, 0700) == 0 || errno == EEXIST);
	free(tu_write_file(d, slash + 1, content, 0600));
	free(d);
}

/* Set path's mtime to secs seconds ago. */
static void
age(const char *path, long secs)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = (time_t)(now() - secs);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW),
	    0);
}

/*
 * Expired entries are swept at the next accepted login (shard 00 is
 * swept first); live ones, fresh ones not yet written and files that are
 * not entries stay.  An expired entry of the same iss and jti (never
 * swept) does not block its token.
 */
START_TEST(test_pam_replay_sweep)
{
	char *cache = mkcache("sweep", 0700), *c = claims("alice"), *p, *q;
	char *a = tu_asprintf("%s/00/00%062d", cache, 1);

	put(a, "1\n");
	free(tu_write_file(cache, "notes", "1\n", 0600));
	q = tu_asprintf("%s/00/00%062d", cache, 2);
	put(q, "99999999999\n");
	free(q);
	q = tu_asprintf("%s/00/00%062d", cache, 3);
	put(q, "");
	free(q);
	jset_str(&c, "jti", "swept-jti");
	p = entry_path(cache, ISS, "swept-jti");
	put(p, "1\n");
	conf("replay_cache = @DIR@/sweep\n");
	EXACT("alice", rs(c), PAM_SUCCESS);
	/* Its own expired entry was replaced, now with exp + leeway. */
	q = tu_read_file(p, NULL);
	ck_assert_msg(strcmp(q, "1\n") != 0 && strtoll(q, NULL, 10) > 1,
	    "entry: %s", q);
	free(q);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	LOGGED("notice", "token (jti 'swept-jti') was already used");
	/* 00...1 expired: gone; ...2 live, ...3 unwritten, notes: kept. */
	ck_assert_int_eq(access(a, F_OK), -1);
	ck_assert_uint_eq(entries(cache), 4);
	free(a);
	free(p);
	free(cache);
	free(c);
}
END_TEST

/*
 * An entry with no valid expiry (a write cut short by a full disk or a
 * crash, as 0.1.0 left them) blocks its token for one hour at most: fresh,
 * it may be a write in progress and counts as used (fail closed); older,
 * it is debris.  Both layouts, and a real short write: with RLIMIT_FSIZE 0
 * (a full disk as write() sees it) nothing is recorded, so the token works
 * once the disk has room again.
 */
START_TEST(test_pam_replay_stale)
{
	static const char *const how[] = { "", "12x\n", "-5\n" };
	char *cache = mkcache("stale", 0700), *c = claims("alice"), *p, *q;
	struct rlimit rl, zero = { 0, 0 };
	size_t i;
	int flat;

	conf("replay_cache = @DIR@/stale\n");
	for (flat = 1; flat >= 0; flat--) {
		for (i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
			q = tu_asprintf("stale-%d-%zu", flat, i);
			jset_str(&c, "jti", q);
			p = entry_path_of(cache, ISS, q, flat);
			put(p, how[i]);
			age(p, 3600 + 60);
			EXACT("alice", rs(c), PAM_SUCCESS);
			EXACT("alice", rs(c), PAM_AUTH_ERR);
			LOGGED("notice", "was already used");
			free(p);
			free(q);
			/* Fresh (59 minutes): still used. */
			q = tu_asprintf("fresh-%d-%zu", flat, i);
			jset_str(&c, "jti", q);
			p = entry_path_of(cache, ISS, q, flat);
			put(p, how[i]);
			age(p, 3600 - 60);
			EXACT("alice", rs(c), PAM_AUTH_ERR);
			LOGGED("notice", "was already used");
			free(p);
			free(q);
		}
	}
	/* A full disk. */
	jset_str(&c, "jti", "full-disk");
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	zero.rlim_max = rl.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &zero), 0);
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	EXACT("alice", rs(c), PAM_SUCCESS);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	free(cache);
	free(c);
}
END_TEST

/*
 * The sweep is bounded per login but reaches every entry: 300 stale
 * entries of the flat layout, 600 expired ones across the shards, 300
 * live ones in shard 00 with an expired one behind them in name order
 * (more than one login's 256 names: the sweep goes on from where it
 * stopped), stale temp files; all dead ones are gone after at most 40
 * logins (19 as written: 257 directories, 16 a login).
 * 0.1.0 looked at the first 256 names it listed and never removed an
 * empty entry, so it never got there.
 */
START_TEST(test_pam_replay_sweep_all)
{
	char *cache = mkcache("many", 0700), *p, *keep;
	char *dead[1301];
	size_t ndead = 0, i, logins, left = 1;

	for (i = 0; i < 300; i++) {
		p = tu_asprintf("%s/ff%062zu", cache, i);
		put(p, "");
		age(p, 7200);
		dead[ndead++] = p;
		p = tu_asprintf("%s/00/00%062zu", cache, i + 1000);
		put(p, "99999999999\n");
		free(p);
	}
	for (i = 0; i < 600; i++) {
		p = tu_asprintf("%s/%02zx/%02zx%062zu", cache, i % 256,
		    i % 256, i);
		put(p, "1\n");
		dead[ndead++] = p;
	}
	/* Behind the 300 live ones of shard 00 in name order. */
	p = tu_asprintf("%s/00/00%s", cache, "ffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffff");
	put(p, "1\n");
	dead[ndead++] = p;
	for (i = 0; i < 50; i++) {
		p = tu_asprintf("%s/%02zx/tmp.%016zu", cache, i * 5, i);
		put(p, "");
		age(p, 7200);
		dead[ndead++] = p;
	}
	keep = tu_asprintf("%s/7f/tmp.%016d", cache, 1);
	put(keep, "");
	conf("replay_cache = @DIR@/many\n");
	for (logins = 0; logins < 40 && left > 0; logins++) {
		EXACT("alice", good("alice"), PAM_SUCCESS);
		for (i = 0, left = 0; i < ndead; i++)
			left += access(dead[i], F_OK) == 0;
	}
	ck_assert_msg(left == 0, "%zu of %zu dead entries left after %zu "
	    "logins", left, ndead, logins);
	ck_assert_int_eq(access(keep, F_OK), 0);
	/* The live ones, the fresh temp file, one entry per login. */
	ck_assert_uint_eq(entries(cache), 300 + 1 + logins);
	for (i = 0; i < ndead; i++)
		free(dead[i]);
	free(keep);
	free(cache);
}
END_TEST

START_TEST(test_pam_replay_arg)
{
	char *cache = mkcache("r2", 0700), *t = good("alice");

	svc_exact("replay_cache=@DIR@/r2");
	EXACT("alice", t, PAM_SUCCESS);
	EXACT("alice", t, PAM_AUTH_ERR);
	LOGGED("notice", "was already used");
	ck_assert_uint_eq(entries(cache), 1);
	/* Without the cache the token is reusable until it expires. */
	svc_exact("");
	EXACT("alice", t, PAM_SUCCESS);
	EXACT("alice", t, PAM_SUCCESS);
	free(cache);
}
END_TEST

START_TEST(test_pam_replay_bad_dir)
{
	char *c1 = mkcache("open", 0777), *c2 = mkcache("group", 0770);

	svc_exact("replay_cache=@DIR@/open");
	auth_is(__LINE__, "exact", "alice", good("alice"),
	    PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "must be a directory owned by uid");
	svc_exact("replay_cache=@DIR@/group");
	auth_is(__LINE__, "exact", "alice", good("alice"),
	    PAM_AUTHINFO_UNAVAIL);
	svc_exact("replay_cache=@DIR@/missing");
	auth_is(__LINE__, "exact", "alice", good("alice"),
	    PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "missing");
	if (geteuid() == 0) {
		/* Owned by someone else. */
		ck_assert_int_eq(chmod(c2, 0700), 0);
		ck_assert_int_eq(chown(c2, 65534, 65534), 0);
		svc_exact("replay_cache=@DIR@/group");
		auth_is(__LINE__, "exact", "alice", good("alice"),
		    PAM_AUTHINFO_UNAVAIL);
		LOGGED("err", "must be a directory owned by uid 0");
	}
	free(c1);
	free(c2);
}
END_TEST

/*
 * A shard that others may write in (or that another user owns) would let
 * them delete entries (a replay) or plant them: fail closed, naming it.
 */
START_TEST(test_pam_replay_bad_shard)
{
	char *cache = mkcache("shards", 0700), *c = claims("alice");
	char *p, *shard;

	conf("replay_cache = @DIR@/shards\n");
	jset_str(&c, "jti", "shard-jti");
	p = entry_path(cache, ISS, "shard-jti");
	shard = tu_strdup(p);
	*strrchr(shard, '/') = '\0';
	ck_assert_int_eq(mkdir(shard, 0700), 0);
	ck_assert_int_eq(chmod(shard, 0777), 0);
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", shard + strlen(dir));
	LOGGED("err", "must be a directory owned by uid");
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_int_eq(chmod(shard, 0730), 0);
	auth_is(__LINE__, "exact", "alice", rs(c), PAM_AUTHINFO_UNAVAIL);
	if (geteuid() == 0) {
		ck_assert_int_eq(chmod(shard, 0700), 0);
		ck_assert_int_eq(chown(shard, 65534, 65534), 0);
		auth_is(__LINE__, "exact", "alice", rs(c),
		    PAM_AUTHINFO_UNAVAIL);
		ck_assert_int_eq(chown(shard, 0, 0), 0);
	}
	ck_assert_int_eq(chmod(shard, 0700), 0);
	EXACT("alice", rs(c), PAM_SUCCESS);
	EXACT("alice", rs(c), PAM_AUTH_ERR);
	ck_assert_int_eq(access(p, F_OK), 0);
	free(shard);
	free(p);
	free(cache);
	free(c);
}
END_TEST

#define RACERS	16

struct racer {
	const char		*svc;
	const char		*confdir;
	const char		*user;
	const char		*token;
	pthread_barrier_t	*barrier;
	int			 rc;
};

/*
 * Issue 11, finding 12: every directory on the way to a file the module
 * trusts must be owned by root (or us) and writable by no one else, unless
 * it is root's and sticky; the test's own directories sit under /tmp,
 * which is such a one.
 */
START_TEST(test_pam_files_parent_dirs)
{
	char *gw = mkcache("gw", 0775), *safe = mkcache("safe", 0755);
	char *st = mkcache("st", 01777), *p, *q;

	jwks_aged("gw/jwks.json", 0);
	jwks_aged("safe/jwks.json", 0);
	/* A group member could swap jwks.json for a link to another file. */
	conf("jwks_file = @DIR@/gw/jwks.json\n");
	NOKEYS("alice");
	p = tu_asprintf("cannot use the keys: %s/gw/jwks.json: directory "
	    "%s (owner %u, mode 0775) must be owned by root (or uid %u) and "
	    "writable by no one else, or be sticky and owned by root", dir,
	    gw, (unsigned)geteuid(), (unsigned)geteuid());
	LOGGED("err", p);
	free(p);
	ck_assert_int_eq(chmod(gw, 0755), 0);
	EXACT("alice", good("alice"), PAM_SUCCESS);
	/* Writable by others, or owned by someone else. */
	ck_assert_int_eq(chmod(gw, 0757), 0);
	NOKEYS("alice");
	/* The rest needs root (chown), as the tests normally run. */
	if (geteuid() == 0) {
		ck_assert_int_eq(chmod(gw, 0755), 0);
		ck_assert_int_eq(chown(gw, 65534, 65534), 0);
		NOKEYS("alice");
		LOGGED("err", "(owner 65534, mode 0755) must be owned by root");
		/* Root's sticky directory is fine, someone else's is not. */
		ck_assert_int_eq(chown(gw, 0, 0), 0);
		ck_assert_int_eq(chmod(gw, 01777), 0);
		EXACT("alice", good("alice"), PAM_SUCCESS);
		ck_assert_int_eq(chown(gw, 65534, 65534), 0);
		ck_assert_int_eq(chmod(gw, 01777), 0);
		NOKEYS("alice");
		ck_assert_int_eq(chown(gw, 0, 0), 0);
	}
	ck_assert_int_eq(chmod(gw, 0775), 0);
	/* A link's own directory counts, and so do its target's. */
	p = tu_asprintf("%s/jwks.json", safe);
	q = tu_asprintf("%s/link.json", gw);
	ck_assert_int_eq(symlink(p, q), 0);
	conf("jwks_file = @DIR@/gw/link.json\n");
	NOKEYS("alice");
	LOGGED("err", "gw/link.json: directory");
	free(q);
	q = tu_asprintf("%s/link.json", safe);
	ck_assert_int_eq(symlink("../gw/jwks.json", q), 0);
	conf("jwks_file = @DIR@/safe/link.json\n");
	NOKEYS("alice");
	LOGGED("err", "safe/link.json: directory");
	ck_assert_int_eq(chmod(gw, 0755), 0);
	EXACT("alice", good("alice"), PAM_SUCCESS);
	/* In root's sticky directory, only a link of root's is followed. */
	free(q);
	q = tu_asprintf("%s/link.json", st);
	ck_assert_int_eq(symlink(p, q), 0);
	conf("jwks_file = @DIR@/st/link.json\n");
	if (geteuid() == 0) {
		EXACT("alice", good("alice"), PAM_SUCCESS);
		ck_assert_int_eq(lchown(q, 65534, 65534), 0);
		NOKEYS("alice");
		LOGGED("err", "st/link.json in a directory others can write "
		    "belongs to uid 65534");
	}
	free(p);
	free(q);
	/* The configuration, the lists and the replay cache alike. */
	ck_assert_int_eq(chmod(gw, 0775), 0);
	conf(NULL);
	file0("gw/pam_bearer.conf", "issuer = " ISS "\naudience = " AUD "\n"
	    "jwks_file = @DIR@/safe/jwks.json\n", 0644);
	file0("gw/deny", "nobody-here\n", 0644);
	file0("gw/map", "alice alice\n", 0644);
	file0("safe/deny", "nobody-here\n", 0644);
	service("gwconf", "auth [success=done ignore=ok default=die] @MOD@ "
	    "config=@DIR@/gw/pam_bearer.conf\n");
	AUTH("gwconf", "alice", good("alice"), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "gw/pam_bearer.conf: directory");
	svc_exact("denylist_file=@DIR@/gw/deny");
	EXACT("alice", good("alice"), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "gw/deny: directory");
	svc_exact("usermap_file=@DIR@/gw/map");
	EXACT("alice", good("alice"), PAM_AUTHINFO_UNAVAIL);
	svc_exact("denylist_file=@DIR@/safe/deny");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	free(mkcache("gw/cache", 0700));
	free(mkcache("safe/cache", 0700));
	svc_exact("replay_cache=@DIR@/gw/cache");
	EXACT("alice", good("alice"), PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "gw/cache: directory");
	svc_exact("replay_cache=@DIR@/safe/cache");
	EXACT("alice", good("alice"), PAM_SUCCESS);
	free(gw);
	free(safe);
	free(st);
}
END_TEST

static void *
race(void *arg)
{
	struct racer *r = arg;
	struct script s;
	struct pam_conv c = { conv, &s };
	pam_handle_t *pamh = NULL;
	const char *one[1];

	memset(&s, 0, sizeof(s));
	one[0] = r->token;
	s.answers = one;
	s.nanswers = 1;
	r->rc = -1;
	if (pam_start_confdir(r->svc, r->user, &c, r->confdir, &pamh) !=
	    PAM_SUCCESS) {
		(void)pthread_barrier_wait(r->barrier);
		return NULL;
	}
	(void)pthread_barrier_wait(r->barrier);
	r->rc = pam_authenticate(pamh, 0);
	(void)pam_end(pamh, r->rc);
	script_clear(&s);
	return NULL;
}

/* RACERS concurrent logins with token: how many succeeded. */
static size_t
race_all(const char *t)
{
	struct racer r[RACERS];
	pthread_t th[RACERS];
	pthread_barrier_t b;
	size_t i, ok = 0, err = 0;

	log_mark = log_size();
	ck_assert_int_eq(pthread_barrier_init(&b, NULL, RACERS), 0);
	for (i = 0; i < RACERS; i++) {
		r[i].svc = "exact";
		r[i].confdir = confdir;
		r[i].user = "alice";
		r[i].token = t;
		r[i].barrier = &b;
		ck_assert_int_eq(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < RACERS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&b);
	for (i = 0; i < RACERS; i++) {
		if (r[i].rc == PAM_SUCCESS)
			ok++;
		else if (r[i].rc == PAM_AUTH_ERR)
			err++;
	}
	ck_assert_msg(ok + err == RACERS, "%zu logins neither succeeded nor "
	    "failed with PAM_AUTH_ERR", RACERS - ok - err);
	return ok;
}

/*
 * One token, 16 concurrent logins: one succeeds.  The same when each
 * finds an expired entry of the token's jti to replace (an IdP that
 * reuses jti values), 20 rounds.
 */
START_TEST(test_pam_replay_race)
{
	char *cache = mkcache("race", 0700), *t = good("alice");
	char *c = claims("alice"), *p, *jti;
	size_t ok, round;

	conf("replay_cache = @DIR@/race\n");
	ok = race_all(t);
	ck_assert_msg(ok == 1, "%zu of %d logins with one token succeeded",
	    ok, RACERS);
	ck_assert_uint_eq(log_count("info", "accepted token for 'alice'"), 1);
	ck_assert_uint_eq(log_count("notice", "was already used"), RACERS - 1);
	ck_assert_uint_eq(entries(cache), 1);
	for (round = 0; round < 20; round++) {
		jti = tu_asprintf("reused-%zu", round);
		jset_str(&c, "jti", jti);
		p = entry_path(cache, ISS, jti);
		put(p, "1\n");
		ok = race_all(rs(c));
		ck_assert_msg(ok == 1, "round %zu: %zu of %d logins with one "
		    "token succeeded", round, ok, RACERS);
		free(p);
		free(jti);
	}
	ck_assert_uint_eq(entries(cache), 21);
	free(cache);
	free(c);
}
END_TEST

/* acct_mgmt and sessions -------------------------------------------------- */

START_TEST(test_pam_session_env)
{
	char *c = claims("alice"), *exp;
	const char *one[1];
	pam_handle_t *pamh;

	jset_str(&c, "scope", "openid ssh");
	one[0] = rs(c);
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	ck_assert_int_eq(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
	ck_assert_int_eq(pam_open_session(pamh, 0), PAM_SUCCESS);
	ck_assert_pstr_eq(pam_getenv(pamh, "BEARER_SUB"), "alice");
	ck_assert_pstr_eq(pam_getenv(pamh, "BEARER_ISS"), ISS);
	ck_assert_pstr_eq(pam_getenv(pamh, "BEARER_SCOPE"), "openid ssh");
	ck_assert_ptr_nonnull(pam_getenv(pamh, "BEARER_EXP"));
	exp = tu_asprintf("%s", pam_getenv(pamh, "BEARER_EXP"));
	{
		long long e = strtoll(exp, NULL, 10);

		ck_assert(e > (long long)now() + 500);
		ck_assert(e <= (long long)now() + 600);
	}
	ck_assert_int_eq(pam_close_session(pamh, 0), PAM_SUCCESS);
	finish(pamh, PAM_SUCCESS);
	free(exp);

	/* scp as an array is joined with spaces; usermap: sub stays sub. */
	jset(&c, "scope", NULL);
	jset(&c, "scp", "[\"read\",\"write\"]");
	one[0] = rs(c);
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	ck_assert_int_eq(pam_open_session(pamh, 0), PAM_SUCCESS);
	ck_assert_pstr_eq(pam_getenv(pamh, "BEARER_SCOPE"), "read write");
	finish(pamh, PAM_SUCCESS);

	/* No scope at all: no BEARER_SCOPE. */
	one[0] = good("alice");
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	ck_assert_int_eq(pam_open_session(pamh, 0), PAM_SUCCESS);
	ck_assert_ptr_null(pam_getenv(pamh, "BEARER_SCOPE"));
	ck_assert_pstr_eq(pam_getenv(pamh, "BEARER_SUB"), "alice");
	finish(pamh, PAM_SUCCESS);
	free(c);
}
END_TEST

START_TEST(test_pam_session_not_ours)
{
	const char *one[1];
	pam_handle_t *pamh;

	/* A fresh handle: the module authenticated nobody. */
	pamh = start_last("exact", "alice", NULL, 0);
	ck_assert_str_eq(pam_code(pam_acct_mgmt(pamh, 0)), "PAM_IGNORE");
	ck_assert_str_eq(pam_code(pam_open_session(pamh, 0)), "PAM_IGNORE");
	ck_assert_ptr_null(pam_getenv(pamh, "BEARER_SUB"));
	finish(pamh, PAM_SUCCESS);
	/* A failed token. */
	one[0] = good("bob");
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_AUTH_ERR);
	ck_assert_str_eq(pam_code(pam_acct_mgmt(pamh, 0)), "PAM_IGNORE");
	ck_assert_str_eq(pam_code(pam_open_session(pamh, 0)), "PAM_IGNORE");
	ck_assert_ptr_null(pam_getenv(pamh, "BEARER_SUB"));
	finish(pamh, PAM_AUTH_ERR);
	/* A password passed on. */
	one[0] = secret("just-a-password");
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_IGNORE);
	ck_assert_str_eq(pam_code(pam_acct_mgmt(pamh, 0)), "PAM_IGNORE");
	finish(pamh, PAM_IGNORE);
	/* A good token, then acct_mgmt: ours. */
	one[0] = good("alice");
	pamh = start_last("exact", "alice", one, 1);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	ck_assert_str_eq(pam_code(pam_acct_mgmt(pamh, 0)), "PAM_SUCCESS");
	finish(pamh, PAM_SUCCESS);
	/* In the admin's stack, an account the module did not log in. */
	pamh = start_last("deny", "alice", NULL, 0);
	ck_assert_str_eq(pam_code(pam_acct_mgmt(pamh, 0)), "PAM_AUTH_ERR");
	finish(pamh, PAM_AUTH_ERR);
}
END_TEST

/*
 * pam_bearer(8): acct_mgmt and open_session act only "if this module
 * authenticated the user in the same PAM handle".
 */
START_TEST(test_pam_session_stale_after_failure)
{
	const char *two[2];
	pam_handle_t *pamh;
	int r1, r2, acct, sess, env;

	/*
	 * In one handle alice's token succeeds, then the application asks
	 * again and a bad token fails.  The module's last verdict is a
	 * failure, so it must not vouch for the account or export the
	 * first token's claims.
	 */
	two[0] = good("alice");
	two[1] = good("bob");
	pamh = start_last("exact", "alice", two, 2);
	r1 = pam_authenticate(pamh, 0);
	r2 = pam_authenticate(pamh, 0);
	acct = pam_acct_mgmt(pamh, 0);
	sess = pam_open_session(pamh, 0);
	env = pam_getenv(pamh, "BEARER_SUB") != NULL;
	/* End the handle first: a failed assertion then leaks nothing. */
	finish(pamh, PAM_AUTH_ERR);
	ck_assert_int_eq(r1, PAM_SUCCESS);
	ck_assert_int_eq(r2, PAM_AUTH_ERR);
	ck_assert_str_eq(pam_code(acct), "PAM_IGNORE");
	ck_assert_str_eq(pam_code(sess), "PAM_IGNORE");
	ck_assert_int_eq(env, 0);
}
END_TEST

START_TEST(test_pam_session_stale_user)
{
	const char *one[1];
	pam_handle_t *pamh;
	int r1, r2, acct, sess;

	/*
	 * alice's token succeeds, then the application sets PAM_USER to
	 * bob: the module never authenticated bob.
	 */
	one[0] = good("alice");
	pamh = start_last("exact", "alice", one, 1);
	r1 = pam_authenticate(pamh, 0);
	r2 = pam_set_item(pamh, PAM_USER, "bob");
	acct = pam_acct_mgmt(pamh, 0);
	sess = pam_open_session(pamh, 0);
	finish(pamh, PAM_SUCCESS);
	ck_assert_int_eq(r1, PAM_SUCCESS);
	ck_assert_int_eq(r2, PAM_SUCCESS);
	ck_assert_str_eq(pam_code(acct), "PAM_IGNORE");
	ck_assert_str_eq(pam_code(sess), "PAM_IGNORE");
}
END_TEST

/* Many threads ------------------------------------------------------------ */

/* One login: logs is the line it leaves, 1 accepted, 2 rejected, 0 none. */
struct stress_case {
	const char	*user;
	const char	*answer;
	int		 want;
	int		 logs;
};

struct stress_worker {
	int				 id;
	long				 n;
	const struct stress_case	*cases;
	size_t				 ncases;
	const char			*confdir;
	long				 wrong;
	long				 accepted;
	long				 rejected;
	char				 first[256];
};

static void *
stress(void *arg)
{
	struct stress_worker *w = arg;
	const struct stress_case *c;
	struct script s;
	struct pam_conv cv = { conv, &s };
	pam_handle_t *pamh;
	const char *one[1];
	long i;
	int rc;

	for (i = 0; i < w->n; i++) {
		c = &w->cases[(size_t)(i + w->id) % w->ncases];
		memset(&s, 0, sizeof(s));
		one[0] = c->answer;
		s.answers = one;
		s.nanswers = 1;
		pamh = NULL;
		rc = pam_start_confdir("deny", c->user, &cv, w->confdir, &pamh);
		if (rc == PAM_SUCCESS) {
			rc = pam_authenticate(pamh, 0);
			(void)pam_end(pamh, rc);
		} else
			rc = -1000 - rc;
		if (rc != c->want || s.nprompts != 1) {
			if (w->wrong++ == 0)
				(void)snprintf(w->first, sizeof(w->first),
				    "thread %d, round %ld, user %s: %s, want "
				    "%s, %zu prompts", w->id, i, c->user,
				    pam_code(rc), pam_code(c->want),
				    s.nprompts);
		}
		if (c->logs == 1)
			w->accepted++;
		else if (c->logs == 2)
			w->rejected++;
		script_clear(&s);
	}
	return NULL;
}

#define STRESS_THREADS	8

START_TEST(test_pam_threads_stress)
{
	struct stress_case cases[9];
	struct stress_worker w[STRESS_THREADS];
	pthread_t th[STRESS_THREADS];
	char *c = claims("erin"), *c2 = claims("frank"), *t;
	long accepted = 0, rejected = 0;
	size_t i, n = 0;

	t = good("dave");
	cases[n++] = (struct stress_case){ "alice", good("alice"),
	    PAM_SUCCESS, 1 };
	cases[n++] = (struct stress_case){ "bob", good("bob"), PAM_SUCCESS, 1 };
	cases[n++] = (struct stress_case){ "alice", good("bob"), PAM_AUTH_ERR,
	    2 };
	cases[n++] = (struct stress_case){ "carol", good_with("carol", "exp",
	    "1700000000"), PAM_AUTH_ERR, 2 };
	cases[n++] = (struct stress_case){ "dave", flip(t, strlen(t) - 20),
	    PAM_AUTH_ERR, 2 };
	cases[n++] = (struct stress_case){ "erin", sign("EdDSA", "ed1", c),
	    PAM_SUCCESS, 1 };
	cases[n++] = (struct stress_case){ "frank", sign("ES256", "ec1", c2),
	    PAM_SUCCESS, 1 };
	cases[n++] = (struct stress_case){ "alice",
	    secret("a-password-for-unix"), PAM_AUTH_ERR, 0 };
	cases[n++] = (struct stress_case){ "grace", sign("PS256", "rsa-pss",
	    c), PAM_AUTH_ERR, 2 };
	log_mark = log_size();
	for (i = 0; i < STRESS_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = (int)i;
		w[i].n = stress_n;
		w[i].cases = cases;
		w[i].ncases = n;
		w[i].confdir = confdir;
		ck_assert_int_eq(pthread_create(&th[i], NULL, stress, &w[i]),
		    0);
	}
	for (i = 0; i < STRESS_THREADS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	for (i = 0; i < STRESS_THREADS; i++) {
		ck_assert_msg(w[i].wrong == 0, "%ld wrong results; first: %s",
		    w[i].wrong, w[i].first);
		accepted += w[i].accepted;
		rejected += w[i].rejected;
	}
	ck_assert_uint_eq(log_count("info", "accepted token for '"),
	    (size_t)accepted);
	ck_assert_uint_eq(log_count("notice", "token rejected for '"),
	    (size_t)rejected);
	free(c);
	free(c2);
}
END_TEST

/* The login proof (DESIGN.md section 5) ------------------------------------ */

/* How the conversation makes a proof for a proof prompt. */
struct proofer {
	EVP_PKEY	*key;
	const char	*alg;
	const char	*tok;		/* the token, for ath */
	const char	*host;		/* htu's host; NULL: the prompt's */
	const char	*nonce;		/* NULL: the prompt's */
	char		 seen[MAX_PROMPTS][44];	/* the nonces asked for */
	size_t		 nseen;
	unsigned	 delay;		/* seconds to wait before answering */
};

/* A token for user bound to k (cnf.jkt), tracked. */
static char *
bound(const char *user, EVP_PKEY *k)
{
	char *tp = tu_jwk_thumbprint(k);
	char *cnf = tu_asprintf("{\"jkt\":\"%s\"}", tp);
	char *t = good_with(user, "cnf", cnf);

	free(cnf);
	free(tp);
	return t;
}

/*
 * The proof for a prompt "Bearer proof for HOST, nonce NONCE: ", made
 * here with OpenSSL (testutil), not with the helper.
 */
static char *
make_proof(const char *prompt, void *ctx)
{
	struct proofer *p = ctx;
	const char *h = prompt + 17, *n = strstr(prompt, ", nonce ");
	char *host, *nonce, *jwk, *hdr, *cl, *proof, *ath;
	unsigned char md[32];
	unsigned mdlen = 0;

	ck_assert_ptr_nonnull(n);
	if (p->delay > 0)
		(void)sleep(p->delay);
	host = tu_asprintf("%.*s", (int)(n - h), h);
	nonce = tu_asprintf("%.43s", n + 8);
	ck_assert_str_eq(n + 8 + 43, ": ");
	if (p->nseen < MAX_PROMPTS)
		memcpy(p->seen[p->nseen++], nonce, 44);
	ck_assert(EVP_Digest(p->tok, strlen(p->tok), md, &mdlen,
	    EVP_sha256(), NULL));
	ath = tu_b64url(md, mdlen);
	jwk = tu_jwk(p->key, NULL, NULL, NULL);
	hdr = tu_asprintf("{\"typ\":\"dpop+jwt\",\"alg\":\"%s\",\"jwk\":%s}",
	    p->alg, jwk);
	cl = tu_asprintf("{\"jti\":\"p%u\",\"htm\":\"SSH\",\"htu\":\"ssh://%s\","
	    "\"iat\":%lld,\"nonce\":\"%s\",\"ath\":\"%s\"}", ++jti_seq,
	    p->host != NULL ? p->host : host, (long long)now(),
	    p->nonce != NULL ? p->nonce : nonce, ath);
	proof = tu_sign(p->alg, p->key, NULL, 0, hdr, cl);
	(void)track(tu_strdup(proof));
	free(cl);
	free(hdr);
	free(jwk);
	free(ath);
	free(nonce);
	free(host);
	return proof;
}

static EVP_PKEY *k_pop;		/* the user's DPoP key (P-256) */

/* pam_authenticate() answering the token prompt with tok, proofs by p. */
static int
login_pop(const char *svc, const char *user, const char *tok,
    struct proofer *p)
{
	pam_handle_t *pamh = start_last(svc, user, &tok, 1);
	int rc;

	last.proof = make_proof;
	last.proof_ctx = p;
	p->tok = tok;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	return rc;
}

#define POP(user, tok, p, want) do { \
	int rc_ = login_pop("exact", user, tok, p); \
	char *l_ = log_from(log_mark, NULL); \
	ck_assert_msg(rc_ == want, "line %d: %s, want %s; logged:\n%s", \
	    __LINE__, pam_code(rc_), pam_code(want), tail(l_)); \
	free(l_); \
} while (0)

#define HOSTS	"host_names = b.example b\n"

START_TEST(test_pam_pop_good)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	char *t = bound("alice", k_pop);

	conf(HOSTS);
	POP("alice", t, &p, PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 2);
	ck_assert_str_eq(last.prompt[0], PROMPT);
	ck_assert_int_eq(last.style[1], PAM_PROMPT_ECHO_OFF);
	ck_assert_uint_eq(strlen(last.prompt[1]), strlen("Bearer proof for "
	    "b.example, nonce : ") + 43);
	ck_assert(strncmp(last.prompt[1], "Bearer proof for b.example, nonce ",
	    34) == 0);
	LOGGED("info", "accepted token for 'alice': iss '" ISS "'");
	LOGGED("info", "alg RS256, proof by key '");
	ck_assert_uint_eq(log_count(NULL, "pam_bearer"), 1);
	/* The same token again, a fresh nonce: the proof is per login. */
	POP("alice", t, &p, PAM_SUCCESS);
	ck_assert_uint_eq(p.nseen, 2);
	ck_assert_str_ne(p.seen[0], p.seen[1]);
	/* Any name of host_names, in any case. */
	p.host = "B";
	POP("alice", t, &p, PAM_SUCCESS);
	/* The deny stack an admin writes. */
	ck_assert_int_eq(login_pop("deny", "alice", t, &p), PAM_SUCCESS);
}
END_TEST

START_TEST(test_pam_pop_missing)
{
	const char *answers[2];
	char *t = bound("alice", k_pop);

	conf(HOSTS);
	/* An empty answer: the token alone, as a stolen one comes. */
	answers[0] = t;
	answers[1] = "";
	ck_assert_int_eq(login_v("exact", "alice", answers, 2), PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 2);
	LOGGED("notice", "proof rejected for 'alice': proof required: the "
	    "token is bound to a key (cnf.jkt) and no proof came");
	NOT_LOGGED("accepted");
	/* The token again as the proof; then no JWS at all. */
	answers[1] = t;
	ck_assert_int_eq(login_v("exact", "alice", answers, 2), PAM_AUTH_ERR);
	LOGGED("notice", "proof rejected for 'alice': proof typ 'JWT' is not "
	    "dpop+jwt");
	answers[1] = "yes";
	ck_assert_int_eq(login_v("exact", "alice", answers, 2), PAM_AUTH_ERR);
	LOGGED("notice", "proof rejected for 'alice': proof is no compact "
	    "JWS");
	/* A proof cut by the ssh client at 1023 bytes: the hint. */
	answers[1] = track(tu_asprintf("x.%01021d", 0));
	ck_assert_int_eq(login_v("exact", "alice", answers, 2), PAM_AUTH_ERR);
	LOGGED("notice", "an answer to the proof prompt was exactly 1023 "
	    "bytes");
	/* A client that cannot answer: the conversation's error. */
	ck_assert_int_eq(login_v("exact", "alice", answers, 1), PAM_CONV_ERR);
	NOT_LOGGED("accepted");
	ck_assert_int_eq(login_v("deny", "alice", answers, 1), PAM_AUTH_ERR);
}
END_TEST

START_TEST(test_pam_pop_wrong_nonce)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL,
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", { "" }, 0, 0 };
	char *t = bound("alice", k_pop);

	conf(HOSTS);
	/* A proof recorded at another login answers another nonce. */
	POP("alice", t, &p, PAM_AUTH_ERR);
	LOGGED("notice", "proof rejected for 'alice': proof nonce does not "
	    "match the one sent (proof has 'AAECAwQFBgcICQoLDA0ODxAREhMUFRY");
	NOT_LOGGED("accepted");
}
END_TEST

START_TEST(test_pam_pop_other_host)
{
	struct proofer p = { k_pop, "ES256", NULL, "a.example", NULL, { "" },
	    0, 0 };
	char *t = bound("alice", k_pop);

	conf(HOSTS);
	/* The good host's prompt relayed by a.example: named a.example. */
	POP("alice", t, &p, PAM_AUTH_ERR);
	LOGGED("notice", "proof rejected for 'alice': proof names host "
	    "'a.example', this host is 'b.example b'");
}
END_TEST

START_TEST(test_pam_pop_other_key)
{
	EVP_PKEY *o = tu_genkey("ec256");
	struct proofer p = { o, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	char *t = bound("alice", k_pop);

	conf(HOSTS);
	/* The thief's own key: a valid proof, not for this token. */
	POP("alice", t, &p, PAM_AUTH_ERR);
	LOGGED("notice", "proof rejected for 'alice': proof key is not the "
	    "token's");
	EVP_PKEY_free(o);
}
END_TEST

START_TEST(test_pam_pop_require_pop)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	char *t = good("alice");

	/* Without require_pop, an unbound token is a bearer token. */
	conf(HOSTS);
	EXACT("alice", t, PAM_SUCCESS);
	NOT_LOGGED("proof by key");
	conf(HOSTS "require_pop = yes\n");
	POP("alice", t, &p, PAM_AUTH_ERR);
	/* Refused before the proof prompt: no proof could do. */
	ck_assert_uint_eq(last.nprompts, 1);
	LOGGED("notice", "proof rejected for 'alice': proof required: the "
	    "token is not bound (no cnf)");
	/* A bound token with its proof still logs in. */
	POP("alice", bound("alice", k_pop), &p, PAM_SUCCESS);
	/* As a module argument too. */
	conf(HOSTS);
	svc_exact("require_pop=yes");
	POP("alice", t, &p, PAM_AUTH_ERR);
	LOGGED("notice", "proof required");
}
END_TEST

/* The token's exp is judged again when the proof comes (no grace time). */
START_TEST(test_pam_pop_expired_waiting)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 3 };
	char *tp = tu_jwk_thumbprint(k_pop);
	char *cnf = tu_asprintf("{\"jkt\":\"%s\"}", tp);
	char *c = claims("alice"), *exp = tu_asprintf("%lld",
	    (long long)now() + 2);

	conf(HOSTS "leeway = 0\n");
	jset(&c, "cnf", cnf);
	jset(&c, "exp", exp);
	/* Good at the token prompt; 3 s later, when the proof comes, not. */
	POP("alice", rs(c), &p, PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 2);
	LOGGED("notice", "proof rejected for 'alice': token expired while "
	    "waiting for the proof");
	NOT_LOGGED("accepted");
	free(exp);
	free(c);
	free(cnf);
	free(tp);
}
END_TEST

START_TEST(test_pam_pop_replay_cache)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	char *cache = mkcache("replay", 0700), *t = bound("alice", k_pop);
	char *tp = tu_jwk_thumbprint(k_pop);
	char *cnf = tu_asprintf("{\"jkt\":\"%s\"}", tp);
	char *c = claims("alice");

	conf(HOSTS "replay_cache = @DIR@/replay\n");
	/* A bound login is single-use by its nonce: the cache is not used. */
	POP("alice", t, &p, PAM_SUCCESS);
	POP("alice", t, &p, PAM_SUCCESS);
	ck_assert_uint_eq(entries(cache), 0);
	/* Nor does it need a jti. */
	jset(&c, "cnf", cnf);
	jset(&c, "jti", NULL);
	POP("alice", rs(c), &p, PAM_SUCCESS);
	ck_assert_uint_eq(entries(cache), 0);
	/* A refused proof spends nothing either. */
	p.host = "a.example";
	POP("alice", t, &p, PAM_AUTH_ERR);
	ck_assert_uint_eq(entries(cache), 0);
	/* An unbound token is still single-use. */
	t = good("alice");
	EXACT("alice", t, PAM_SUCCESS);
	ck_assert_uint_eq(entries(cache), 1);
	EXACT("alice", t, PAM_AUTH_ERR);
	LOGGED("notice", "was already used");
	free(c);
	free(cnf);
	free(tp);
	free(cache);
}
END_TEST

START_TEST(test_pam_pop_conv_again)
{
	char *t = bound("alice", k_pop);
	int rc;

	conf(HOSTS);
	rc = conv_fails(t, PAM_CONV_AGAIN, 0);
	ck_assert_msg(rc == PAM_INCOMPLETE, "%s", pam_code(rc));
	ck_assert_uint_eq(last.nprompts, 2);
	/* With a filled response, and with a code of the application's. */
	rc = conv_fails(t, PAM_CONV_AGAIN, 1);
	ck_assert_msg(rc == PAM_INCOMPLETE, "%s", pam_code(rc));
	rc = conv_fails(t, PAM_SYSTEM_ERR, 1);
	ck_assert_msg(rc == PAM_CONV_ERR, "%s", pam_code(rc));
	NOT_LOGGED("accepted");
}
END_TEST

START_TEST(test_pam_pop_first_pass)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	char *t = bound("alice", k_pop);

	conf(HOSTS);
	/* A bound token from an earlier module: the proof is still asked. */
	svc_preset(t, "try_first_pass");
	ck_assert_int_eq(login_pop("preset", "alice", t, &p), PAM_SUCCESS);
	ck_assert_uint_eq(last.nprompts, 1);
	ck_assert(strncmp(last.prompt[0], "Bearer proof for b.example", 26)
	    == 0);
	/* use_first_pass never asks: no proof, no login. */
	svc_preset(t, "use_first_pass");
	ck_assert_int_eq(login_pop("preset", "alice", t, &p), PAM_AUTH_ERR);
	ck_assert_uint_eq(last.nprompts, 0);
	LOGGED("notice", "proof rejected for 'alice': proof required, and "
	    "use_first_pass forbids asking for it");
}
END_TEST

/*
 * No host_names: gethostname(2) (syslog_shim.c gives $PB_SHIM_HOSTNAME)
 * alone, not its first label, never the resolver (the shim logs any call).
 */
/*
 * A proof in parts, as askpass sends one longer than a part: made at the
 * first prompt, then cut at each prompt's byte offset.
 */
struct parted {
	struct proofer	*p;
	size_t		 part;		/* bytes per answer */
	char		 first[PB_PROMPT_PROOF_BUFSZ];	/* the first prompt */
	char		*proof;		/* made at the first prompt */
	int		 interleave;	/* odd parts from another proof */
	char		*other;		/* that proof */
	int		 tamper;	/* change a byte of the second part */
	int		 flood;		/* parts of "ey000..." for ever */
	int		 empty;		/* a lone '\' after the first part */
	size_t		 offs[MAX_PROMPTS];	/* the offsets asked for */
	size_t		 noffs;
};

static char *
parted_proof(const char *prompt, void *ctx)
{
	struct parted *q = ctx;
	char host[PB_PROOF_HOST_MAX + 1], nonce[PB_PROOF_NONCE_LEN + 1];
	const char *src;
	size_t off, n, len;
	char *a;

	ck_assert_int_eq(pb_prompt_proof_parse(prompt, host, sizeof(host),
	    nonce, &off), PB_OK);
	if (q->noffs < MAX_PROMPTS)
		q->offs[q->noffs++] = off;
	if (q->flood)
		return tu_asprintf("ey%0*d\\", (int)q->part - 3, 0);
	if (q->empty && off > 0)
		return tu_strdup("\\");
	if (off == 0) {
		(void)snprintf(q->first, sizeof(q->first), "%s", prompt);
		q->proof = make_proof(prompt, q->p);
		if (q->interleave)
			q->other = make_proof(prompt, q->p);
	}
	/* Every continuation names the first prompt's host and nonce. */
	ck_assert(strstr(q->first, nonce) != NULL);
	/* Interleaved: every other part from the other proof. */
	src = q->other != NULL && off / q->part % 2 == 1 ? q->other :
	    q->proof;
	len = strlen(src);
	ck_assert_uint_lt(off, len);
	n = len - off > q->part ? q->part : len - off;
	a = tu_asprintf("%.*s%s", (int)n, src + off, off + n < len ? "\\" :
	    "");
	if (q->tamper && off > 0 && off == q->part)
		a[n / 2] = a[n / 2] == 'A' ? 'B' : 'A';
	return track(tu_strdup(a)) != NULL ? a : NULL;
}

/* Free what q made. */
static void parted_clear(struct parted *q);

/* Start q (zeroed, or used before) afresh for p, parts of part bytes. */
static void
parted_init(struct parted *q, struct proofer *p, size_t part)
{
	parted_clear(q);
	memset(q, 0, sizeof(*q));
	q->p = p;
	q->part = part;
}

static void
parted_clear(struct parted *q)
{
	free(q->proof);
	free(q->other);
	q->proof = q->other = NULL;
}

/* pam_authenticate() answering the token with tok, the proof in parts. */
static int
login_parted(const char *user, const char *tok, struct parted *q)
{
	pam_handle_t *pamh = start_last("exact", user, &tok, 1);
	int rc;

	last.proof = parted_proof;
	last.proof_ctx = q;
	q->p->tok = tok;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	return rc;
}

/* A proof longer than a part of an answer comes in parts (prompt.h). */
START_TEST(test_pam_pop_parts)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	struct parted q = { NULL };
	char *t = bound("alice", k_pop), *want;

	conf(HOSTS);
	parted_init(&q, &p, 200);
	ck_assert_int_eq(login_parted("alice", t, &q), PAM_SUCCESS);
	ck_assert_uint_gt(strlen(q.proof), 400);
	ck_assert_uint_ge(q.noffs, 3);
	ck_assert_uint_eq(q.offs[1], 200);
	ck_assert_uint_eq(q.offs[2], 400);
	/* The continuation prompt: the first one's, with the offset. */
	want = tu_asprintf("%.*s (continued at byte 200): ",
	    (int)(strlen(q.first) - 2), q.first);
	ck_assert_str_eq(last.prompt[2], want);
	free(want);
	LOGGED("info", "proof by key '");
	/* The 500-byte parts askpass sends. */
	parted_init(&q, &p, PB_PROMPT_PART);
	ck_assert_int_eq(login_parted("alice", t, &q), PAM_SUCCESS);
	ck_assert_uint_eq(q.noffs, (strlen(q.proof) + PB_PROMPT_PART - 1) /
	    PB_PROMPT_PART);
	parted_clear(&q);
}
END_TEST

/* Parts over the proof limit, spliced or changed: refused. */
START_TEST(test_pam_pop_parts_refused)
{
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	struct parted q = { NULL };
	char *t = bound("alice", k_pop);

	conf(HOSTS);
	/* Parts of 500 bytes for ever: over 4096 bytes, refused. */
	parted_init(&q, &p, 500);
	q.flood = 1;
	ck_assert_int_eq(login_parted("alice", t, &q), PAM_AUTH_ERR);
	ck_assert_uint_eq(q.noffs, 9);
	LOGGED("notice", "proof input over the proof limit (4096 bytes), "
	    "rejected");
	LOGGED("notice", "proof rejected for 'alice': the proof came in too "
	    "many or too long parts");
	NOT_LOGGED("accepted");
	/* A lone '\' after a part: asked no more. */
	parted_init(&q, &p, 200);
	q.empty = 1;
	ck_assert_int_eq(login_parted("alice", t, &q), PAM_AUTH_ERR);
	ck_assert_uint_eq(q.noffs, 2);
	LOGGED("notice", "an empty part of the proof (an answer of just "
	    "'\\'");
	NOT_LOGGED("accepted");
	/* Parts of two proofs for the same prompt: no proof at all. */
	parted_init(&q, &p, 200);
	q.interleave = 1;
	ck_assert_int_eq(login_parted("alice", t, &q), PAM_AUTH_ERR);
	LOGGED("notice", "proof rejected for 'alice': ");
	NOT_LOGGED("accepted");
	/* One byte of the second part changed. */
	parted_init(&q, &p, 200);
	q.tamper = 1;
	ck_assert_int_eq(login_parted("alice", t, &q), PAM_AUTH_ERR);
	LOGGED("notice", "proof rejected for 'alice': ");
	NOT_LOGGED("accepted");
	parted_clear(&q);
}
END_TEST

/*
 * A conversation that fails or answers nothing: the hint that the client
 * may drop long answers, with where the module asked from.
 */
START_TEST(test_pam_stack_conv_hint)
{
	char *t = good("alice");
	char *p1 = track(tu_asprintf("%.300s\\", t));
	const char *ans[1] = { p1 };
	pam_handle_t *pamh;
	int rc;

	/*
	 * sudo drops an answer of 512 bytes or more: PAM_CONV_ERR.  So does
	 * a cancel: the hint says it may be the drop, not that it is.
	 */
	pamh = start_last("exact", "alice", NULL, 0);
	last.rc = PAM_CONV_ERR;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_str_eq(pam_code(rc), "PAM_CONV_ERR");
	LOGGED("notice", "the PAM client returned no answer to the token "
	    "prompt (from byte 0); if it is sudo or another client that "
	    "drops answers of 512 bytes or more, send the token in parts of "
	    "at most 500 bytes ending in '\\' (bearer-token sudo");
	/* The second part dropped: from byte 300. */
	ck_assert_int_eq(login_v("exact", "alice", ans, 1), PAM_CONV_ERR);
	LOGGED("notice", "no answer to the token prompt (from byte 300)");
	/* PAM_SUCCESS with no text is no answer either. */
	pamh = start_last("exact", "alice", NULL, 0);
	last.null_resp = 1;
	rc = pam_authenticate(pamh, 0);
	finish(pamh, rc);
	ck_assert_str_eq(pam_code(rc), "PAM_CONV_ERR");
	LOGGED("notice", "no answer to the token prompt (from byte 0)");
	/* PAM_CONV_AGAIN and PAM_BUF_ERR are not the client's drop. */
	ck_assert_str_eq(pam_code(conv_fails(NULL, PAM_CONV_AGAIN, 0)),
	    "PAM_INCOMPLETE");
	NOT_LOGGED("no answer");
	ck_assert_str_eq(pam_code(conv_fails(NULL, PAM_BUF_ERR, 0)),
	    "PAM_BUF_ERR");
	NOT_LOGGED("no answer");
	/* At the proof prompt. */
	conf(HOSTS);
	t = bound("alice", k_pop);
	ans[0] = t;
	ck_assert_int_eq(login_v("exact", "alice", ans, 1), PAM_CONV_ERR);
	LOGGED("notice", "the PAM client returned no answer to the proof "
	    "prompt (from byte 0); if it is sudo");
}
END_TEST

START_TEST(test_pam_pop_default_names)
{
	static const char want[] = "Bearer proof for myhost.example.com, "
	    "nonce ";
	struct proofer p = { k_pop, "ES256", NULL, NULL, NULL, { "" }, 0, 0 };
	char *t = bound("alice", k_pop);

	ck_assert_int_eq(setenv("PB_SHIM_HOSTNAME", "myhost.example.com", 1),
	    0);
	p.host = "myhost.example.com";
	POP("alice", t, &p, PAM_SUCCESS);
	ck_assert_msg(strncmp(last.prompt[1], want, strlen(want)) == 0, "%s",
	    last.prompt[1]);
	p.host = "MyHost.Example.COM";
	POP("alice", t, &p, PAM_SUCCESS);
	NOT_LOGGED("getaddrinfo");
	/* The short name is another host's too (myhost.other.example). */
	p.host = "myhost";
	POP("alice", t, &p, PAM_AUTH_ERR);
	LOGGED("notice", "proof names host 'myhost', this host is "
	    "'myhost.example.com'");
	/*
	 * What a client signs for a tunnel (ssh -p 2222 localhost): never
	 * this host's, whatever /etc/hosts or DNS would say.
	 */
	p.host = "localhost";
	POP("alice", t, &p, PAM_AUTH_ERR);
	LOGGED("notice", "proof names host 'localhost', this host is "
	    "'myhost.example.com'");
	NOT_LOGGED("getaddrinfo");
	/* A host named localhost-anything has no default: fail closed. */
	ck_assert_int_eq(setenv("PB_SHIM_HOSTNAME", "localhost.localdomain",
	    1), 0);
	POP("alice", t, &p, PAM_AUTHINFO_UNAVAIL);
	ck_assert_uint_eq(last.nprompts, 1);
	LOGGED("err", "cannot check a login proof: no default host name for "
	    "proofs (this host is 'localhost.localdomain'): set host_names");
	ck_assert_int_eq(setenv("PB_SHIM_HOSTNAME", "LocalHost6", 1), 0);
	POP("alice", t, &p, PAM_AUTHINFO_UNAVAIL);
	LOGGED("err", "set host_names");
	/* host_names set: gethostname does not matter. */
	conf(HOSTS);
	p.host = "b";
	POP("alice", t, &p, PAM_SUCCESS);
	NOT_LOGGED("getaddrinfo");
	ck_assert_int_eq(unsetenv("PB_SHIM_HOSTNAME"), 0);
}
END_TEST

/* Several issuers ---------------------------------------------------------- */

#define ISS_CI	"https://ci.example.com"

/* A token of issuer iss for alice, signed with alg's key and kid. */
static char *
issued(const char *iss, const char *alg, const char *kid)
{
	char *c = claims("alice"), *t;

	jset_str(&c, "iss", iss);
	t = sign(alg, kid, c);
	free(c);
	return t;
}

/*
 * issuers_dir with a people IdP (RSA key) and a CI issuer (EC key), each
 * with its own JWK Set; pam_bearer.conf with host settings only.
 */
static void
two_issuers(void)
{
	char *ja = tu_jwk(k_rsa, "rsa1", "RS256", "sig");
	char *jb = tu_jwk(k_ec, "ec1", "ES256", "sig");
	char *sa = tu_jwks(ja, NULL), *sb = tu_jwks(jb, NULL), *d;

	file0("people.json", sa, 0644);
	file0("ci.json", sb, 0644);
	d = tu_asprintf("%s/issuers.d", dir);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	file0("issuers.d/10-people.conf", "issuer = " ISS "\naudience = "
	    AUD "\njwks_file = @DIR@/people.json\n", 0644);
	file0("issuers.d/20-ci.conf", "issuer = " ISS_CI "\naudience = "
	    AUD "\njwks_file = @DIR@/ci.json\nalgorithms = ES256 RS256\n",
	    0644);
	file0("pam_bearer.conf", "issuers_dir = @DIR@/issuers.d\n", 0644);
	free(d);
	free(ja);
	free(jb);
	free(sa);
	free(sb);
}

START_TEST(test_pam_issuers_each)
{
	two_issuers();
	EXACT("alice", good("alice"), PAM_SUCCESS);
	LOGGED("info", "accepted token for 'alice': iss '" ISS "'");
	LOGGED("info", "issuers.d/10-people.conf)");
	EXACT("alice", issued(ISS_CI, "ES256", "ec1"), PAM_SUCCESS);
	LOGGED("info", "accepted token for 'alice': iss '" ISS_CI "'");
	LOGGED("info", "issuers.d/20-ci.conf)");
	/* The people IdP's key claiming the CI issuer: CI's keys only. */
	EXACT("alice", issued(ISS_CI, "RS256", "rsa1"), PAM_AUTH_ERR);
	LOGGED("notice", "issuers.d/20-ci.conf)");
	NOT_LOGGED("accepted");
	EXACT("alice", issued("https://evil.example", "RS256", "rsa1"),
	    PAM_AUTH_ERR);
	LOGGED("notice", "token rejected for 'alice': no configuration for "
	    "issuer 'https://evil.example'");
	/* The line's keys apply on top of every issuer's file. */
	svc_exact("audience=other");
	EXACT("alice", good("alice"), PAM_AUTH_ERR);
	EXACT("alice", issued(ISS_CI, "ES256", "ec1"), PAM_AUTH_ERR);
}
END_TEST

START_TEST(test_pam_issuers_broken)
{
	char *d, *f;

	two_issuers();
	/* Two files for one issuer. */
	file0("issuers.d/30-again.conf", "issuer = " ISS_CI "\naudience = "
	    AUD "\njwks_file = @DIR@/people.json\n", 0644);
	UNAVAIL("alice");
	LOGGED("err", "30-again.conf: issuer '" ISS_CI "' is configured in");
	file0("issuers.d/30-again.conf", "issuer = https://x.example\n"
	    "audience = " AUD "\njwks_file = @DIR@/people.json\nbogus = 1\n",
	    0644);
	UNAVAIL("alice");
	LOGGED("err", "30-again.conf:4:");
	/* An unsafe directory. */
	d = tu_asprintf("%s/issuers.d", dir);
	f = tu_asprintf("%s/30-again.conf", d);
	ck_assert_int_eq(unlink(f), 0);
	EXACT("alice", good("alice"), PAM_SUCCESS);
	ck_assert_int_eq(chmod(d, 0777), 0);
	UNAVAIL("alice");
	LOGGED("err", "writable by no one else");
	free(f);
	free(d);
}
END_TEST

/* Suite ------------------------------------------------------------------- */

static TCase *
tcase(Suite *s, const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *
pam_suite(void)
{
	Suite *s = suite_create("pam");
	TCase *tc;

	tc = tcase(s, "stack", 60);
	tcase_add_test(tc, test_pam_issuers_each);
	tcase_add_test(tc, test_pam_issuers_broken);
	tcase_add_test(tc, test_pam_stack_good_token);
	tcase_add_test(tc, test_pam_stack_bad_token);
	tcase_add_test(tc, test_pam_stack_exact_codes);
	tcase_add_test(tc, test_pam_stack_fallthrough);
	tcase_add_test(tc, test_pam_stack_failed_jwt_not_passed_on);
	tcase_add_test(tc, test_pam_stack_token_whitespace);
	tcase_add_test(tc, test_pam_stack_setcred);
	tcase_add_test(tc, test_pam_stack_conv_errors);
	tcase_add_test(tc, test_pam_stack_conv_hint);
	tcase_add_test(tc, test_pam_stack_user_unchanged);
	tcase_add_test(tc, test_pam_log_escaping);
	tcase_add_test(tc, test_pam_refusal_message);

	tc = tcase(s, "conf", 60);
	tcase_add_test(tc, test_pam_conf_issuer);
	tcase_add_test(tc, test_pam_conf_audience);
	tcase_add_test(tc, test_pam_conf_jwks_file);
	tcase_add_test(tc, test_pam_conf_jwks_missing);
	tcase_add_test(tc, test_pam_conf_jwks_unusable);
	tcase_add_test(tc, test_pam_conf_jwks_small_order);
	tcase_add_test(tc, test_pam_conf_jwks_no_kid);
	tcase_add_test(tc, test_pam_conf_jwks_max_age);
	tcase_add_test(tc, test_pam_conf_algorithms);
	tcase_add_test(tc, test_pam_conf_every_default_alg);
	tcase_add_test(tc, test_pam_conf_hmac);
	tcase_add_test(tc, test_pam_conf_username_claim);
	tcase_add_test(tc, test_pam_conf_usermap);
	tcase_add_test(tc, test_pam_conf_leeway);
	tcase_add_test(tc, test_pam_conf_max_token_age);
	tcase_add_test(tc, test_pam_conf_require_scope);
	tcase_add_test(tc, test_pam_conf_groups);
	tcase_add_test(tc, test_pam_conf_accept_id_tokens);
	tcase_add_test(tc, test_pam_conf_deny_users);
	tcase_add_test(tc, test_pam_conf_services);
	tcase_add_test(tc, test_pam_conf_deny_users_uid);
	tcase_add_test(tc, test_pam_conf_min_uid);
	tcase_add_test(tc, test_pam_conf_require_claim);
	tcase_add_test(tc, test_pam_conf_denylist);
	tcase_add_test(tc, test_pam_conf_max_token_size);
	tcase_add_test(tc, test_pam_files_list_toobig);
	tcase_add_test(tc, test_pam_files_list_not_text);
	tcase_add_test(tc, test_pam_conf_prompt);
	tcase_add_test(tc, test_pam_conf_errors);
	tcase_add_test(tc, test_pam_conf_debug);

	tc = tcase(s, "reject", 60);
	tcase_add_test(tc, test_pam_reject_time);
	tcase_add_test(tc, test_pam_reject_signature);
	tcase_add_test(tc, test_pam_reject_alg);
	tcase_add_test(tc, test_pam_reject_format);
	tcase_add_test(tc, test_pam_reject_user);

	tc = tcase(s, "first_pass", 60);
	tcase_add_test(tc, test_pam_first_pass);
	tcase_add_test(tc, test_pam_first_pass_password);
	tcase_add_test(tc, test_pam_first_pass_continued);

	tc = tcase(s, "parts", 60);
	tcase_add_test(tc, test_pam_parts_fat_token);
	tcase_add_test(tc, test_pam_parts_uneven);
	tcase_add_test(tc, test_pam_parts_runaway);
	tcase_add_test(tc, test_pam_parts_empty);
	tcase_add_test(tc, test_pam_parts_1023_hint);
	tcase_add_test(tc, test_pam_parts_1023_in_payload);

	tc = tcase(s, "replay", 60);
	tcase_add_test(tc, test_pam_replay_second_use);
	tcase_add_test(tc, test_pam_replay_sweep);
	tcase_add_test(tc, test_pam_replay_stale);
	tcase_add_test(tc, test_pam_replay_sweep_all);
	tcase_add_test(tc, test_pam_replay_arg);
	tcase_add_test(tc, test_pam_replay_bad_dir);
	tcase_add_test(tc, test_pam_replay_bad_shard);
	tcase_add_test(tc, test_pam_files_parent_dirs);
	tcase_add_test(tc, test_pam_replay_race);

	tc = tcase(s, "session", 60);
	tcase_add_test(tc, test_pam_session_env);
	tcase_add_test(tc, test_pam_session_not_ours);
	tcase_add_test(tc, test_pam_session_stale_after_failure);
	tcase_add_test(tc, test_pam_session_stale_user);

	tc = tcase(s, "pop", 60);
	tcase_add_test(tc, test_pam_pop_good);
	tcase_add_test(tc, test_pam_pop_missing);
	tcase_add_test(tc, test_pam_pop_wrong_nonce);
	tcase_add_test(tc, test_pam_pop_other_host);
	tcase_add_test(tc, test_pam_pop_other_key);
	tcase_add_test(tc, test_pam_pop_require_pop);
	tcase_add_test(tc, test_pam_pop_replay_cache);
	tcase_add_test(tc, test_pam_pop_expired_waiting);
	tcase_add_test(tc, test_pam_pop_conv_again);
	tcase_add_test(tc, test_pam_pop_first_pass);
	tcase_add_test(tc, test_pam_pop_default_names);
	tcase_add_test(tc, test_pam_pop_parts);
	tcase_add_test(tc, test_pam_pop_parts_refused);

	tc = tcase(s, "threads", 1200);
	tcase_add_test(tc, test_pam_threads_stress);
	return s;
}

/* An absolute path from the environment, or exit 99 (a broken setup). */
static const char *
env_path(const char *name)
{
	const char *v = secure_getenv(name);

	if (v == NULL || *v != '/') {
		fprintf(stderr, "check_pam: set %s to an absolute path "
		    "(stack.sh does)\n", name);
		exit(99);
	}
	return v;
}

/* The shim must be preloaded, or no log assertion means anything. */
static void
probe_shim(void)
{
	char *text;
	off_t before = log_size();

	syslog(LOG_INFO, "check_pam: syslog shim probe %ld", (long)getpid());
	text = log_from(before, NULL);
	if (strstr(text, "info check_pam: syslog shim probe") == NULL) {
		fprintf(stderr, "check_pam: syslog() does not reach %s: run "
		    "with LD_PRELOAD=.libs/syslog_shim.so (stack.sh does)\n",
		    log_path);
		exit(99);
	}
	free(text);
}

int
main(void)
{
	const char *v;
	char *path, *end = NULL;
	int failed;

	mod_path = env_path("PB_MODULE");
	expect_path = env_path("PB_EXPECT_MODULE");
	log_path = env_path("PB_SYSLOG_FILE");
	if ((v = secure_getenv("PB_STRESS_N")) != NULL && *v != '\0') {
		errno = 0;
		stress_n = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || stress_n < 1) {
			fprintf(stderr, "check_pam: bad PB_STRESS_N '%s'\n", v);
			return 99;
		}
	}
	probe_shim();
	k_rsa = tu_load_key("rsa2048");
	k_pss = tu_load_key("rsa2048b");
	k_ec = tu_load_key("ec256");
	k_ec384 = tu_load_key("ec384");
	k_ec521 = tu_load_key("ec521");
	k_ed = tu_load_key("ed25519");
	k_pop = tu_genkey("ec256");
	path = tu_asprintf("%s/hmac32.key", tu_datadir());
	hmac_key = tu_read_file(path, &hmac_len);
	free(path);

	failed = tu_run(pam_suite());

	EVP_PKEY_free(k_rsa);
	EVP_PKEY_free(k_pss);
	EVP_PKEY_free(k_ec);
	EVP_PKEY_free(k_ec384);
	EVP_PKEY_free(k_ec521);
	EVP_PKEY_free(k_ed);
	EVP_PKEY_free(k_pop);
	free(hmac_key);
	return failed;
}

#endif /* HAVE_PAM_START_CONFDIR */
