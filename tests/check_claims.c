/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checkmain.h"
#include "claims.h"
#include "conf.h"
#include "err.h"
#include "json.h"
#include "testutil.h"

/*
 * Unit tests of common/claims.c: the claim checks run on claims objects
 * parsed from JSON text with pb_json_parse(), and the policy read from a
 * struct pb_conf filled through pb_conf_set(), as the module does.  Time is
 * always passed in (NOW); nothing here reads the clock.
 */

#define NOW	INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define LEEWAY	60L
#define ISS	"https://idp.example.com"

/* Fixture state (Check fixtures can only reach globals). */
static struct pb_conf *cfg;
static cJSON *claims;
static struct pb_err err;

static void
setup(void)
{
	cfg = NULL;
	claims = NULL;
	pb_err_clear(&err);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
}

static void
teardown(void)
{
	cJSON_Delete(claims);
	claims = NULL;
	pb_conf_free(cfg);
	cfg = NULL;
}

/* Set one configuration key as a module argument would; must succeed. */
static void
set(const char *key, const char *value)
{
	int r;

	r = pb_conf_set(cfg, PB_CONF_ARG, key, value, "test", NULL, NULL);
	ck_assert_msg(r == PB_OK, "pb_conf_set(%s, %s): %s", key, value,
	    pb_strerror(r));
}

/* Parse text into the claims object of the test (replacing any). */
static const cJSON *
json(const char *text)
{
	struct pb_err pe;
	int r;

	cJSON_Delete(claims);
	claims = NULL;
	pb_err_clear(&pe);
	r = pb_json_parse(text, strlen(text), 65536, "claims", &claims, &pe);
	ck_assert_msg(r == PB_OK, "test JSON does not parse: %s: %s", text,
	    pb_err_msg(&pe));
	return claims;
}

/*
 * r must be code; for a failure the message must contain phrase (when not
 * NULL) and be exactly want (when not NULL).  Resets err for the next call.
 */
static void
expect(int r, int code, const char *phrase, const char *want)
{
	ck_assert_msg(r == code, "got %d (%s), want %d (%s); message: %s", r,
	    pb_strerror(r), code, pb_strerror(code), err.msg);
	if (code != PB_OK) {
		ck_assert_int_eq(err.code, code);
		if (phrase != NULL)
			ck_assert_msg(strstr(err.msg, phrase) != NULL,
			    "message '%s' lacks '%s'", err.msg, phrase);
		if (want != NULL)
			ck_assert_str_eq(err.msg, want);
	}
	pb_err_clear(&err);
}

static int
tcheck(const char *text, int64_t now, long leeway, long max_age)
{
	return pb_claims_check_time(json(text), now, leeway, max_age, &err);
}

/* {"exp":VALUE} as text, for the type tests. */
static int
exp_is(const char *value)
{
	char buf[512];

	(void)snprintf(buf, sizeof(buf), "{\"exp\":%s}", value);
	return tcheck(buf, NOW, LEEWAY, 0);
}

/* exp: required, a NumericDate ------------------------------------------- */

START_TEST(test_claims_exp_valid)
{
	expect(tcheck("{\"exp\":1800000100}", NOW, LEEWAY, 0), PB_OK, NULL,
	    NULL);
	/* In 2100: past INT_MAX, where cJSON's valueint would saturate. */
	expect(tcheck("{\"exp\":4102444800}", INT64_C(4102444000), LEEWAY,
	    0), PB_OK, NULL, NULL);
	/* The last second of 9999 is the largest NumericDate taken. */
	expect(exp_is("253402300799"), PB_OK, NULL, NULL);
	/* A number with an exponent is still a number. */
	expect(exp_is("1.8000001e9"), PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_exp_missing)
{
	expect(tcheck("{}", NOW, LEEWAY, 0), PB_ERR_CLAIM, NULL,
	    "token has no exp claim");
	expect(tcheck("{\"nbf\":1,\"iat\":1}", NOW, LEEWAY, 0), PB_ERR_CLAIM,
	    NULL, "token has no exp claim");
	/* Names are case-sensitive: "EXP" is not exp. */
	expect(tcheck("{\"EXP\":1800000100}", NOW, LEEWAY, 0), PB_ERR_CLAIM,
	    NULL, "token has no exp claim");
}
END_TEST

static const char *const bad_exp[] = {
	"\"1800000100\"",	/* RFC 7519 2: a number, not a string */
	"\"123\"",
	"true",
	"false",
	"null",
	"[1800000100]",
	"{\"t\":1800000100}",
	"-1",
	"-1800000100",
	"1e400",		/* cJSON makes this infinity */
	"-1e400",
	"1e300",
	"253402300800",		/* one past 9999-12-31T23:59:59Z */
	"18000001000000000000000",
};
#define N_BAD_EXP	(sizeof(bad_exp) / sizeof(bad_exp[0]))

START_TEST(test_claims_exp_type)
{
	expect(exp_is(bad_exp[_i]), PB_ERR_CLAIM, NULL,
	    "exp is not a NumericDate (a JSON number of seconds since 1970)");
}
END_TEST

/* RFC 7519 4.1.4: reject when now >= exp + leeway. */
START_TEST(test_claims_exp_boundary)
{
	const char *t = "{\"exp\":1800000000}";
	int64_t exp = NOW;

	expect(tcheck(t, exp + LEEWAY - 1, LEEWAY, 0), PB_OK, NULL, NULL);
	expect(tcheck(t, exp + LEEWAY, LEEWAY, 0), PB_ERR_EXPIRED, NULL,
	    "token expired 60 s ago (leeway 60 s"
	    "; if it is fresh, check the clocks: timedatectl)");
	expect(tcheck(t, exp + LEEWAY + 1, LEEWAY, 0), PB_ERR_EXPIRED, NULL,
	    "token expired 61 s ago (leeway 60 s"
	    "; if it is fresh, check the clocks: timedatectl)");
	expect(tcheck(t, exp + 312, LEEWAY, 0), PB_ERR_EXPIRED, NULL,
	    "token expired 312 s ago (leeway 60 s"
	    "; if it is fresh, check the clocks: timedatectl)");
	/* Without leeway, exp itself is already too late. */
	expect(tcheck(t, exp - 1, 0, 0), PB_OK, NULL, NULL);
	expect(tcheck(t, exp, 0, 0), PB_ERR_EXPIRED, NULL,
	    "token expired 0 s ago (leeway 0 s"
	    "; if it is fresh, check the clocks: timedatectl)");
	expect(tcheck(t, exp + 86400 + 5, 86400, 0), PB_ERR_EXPIRED, NULL,
	    "token expired 86405 s ago (leeway 86400 s; if it is fresh, "
	    "check the clocks: timedatectl)");
	/* Long past: no clock to blame, no hint. */
	expect(tcheck(t, exp + LEEWAY + 900, LEEWAY, 0), PB_ERR_EXPIRED, NULL,
	    "token expired 960 s ago (leeway 60 s)");
	expect(tcheck(t, exp + LEEWAY + 899, LEEWAY, 0), PB_ERR_EXPIRED,
	    "check the clocks", NULL);
}
END_TEST

/* A fraction never helps: exp rounds down, nbf and iat round up. */
START_TEST(test_claims_time_fraction)
{
	/* exp 1799999940.5 counts as 1799999940: now = exp + leeway. */
	expect(tcheck("{\"exp\":1799999940.5}", NOW, LEEWAY, 0),
	    PB_ERR_EXPIRED, NULL, "token expired 60 s ago (leeway 60 s"
	    "; if it is fresh, check the clocks: timedatectl)");
	expect(tcheck("{\"exp\":1799999941.5}", NOW, LEEWAY, 0), PB_OK, NULL,
	    NULL);
	expect(tcheck("{\"exp\":1799999940.999}", NOW, LEEWAY, 0),
	    PB_ERR_EXPIRED, NULL, NULL);
	/* nbf 1800000059.5 counts as 1800000060 = now + leeway: fine. */
	expect(tcheck("{\"exp\":1800000100,\"nbf\":1800000059.5}", NOW,
	    LEEWAY, 0), PB_OK, NULL, NULL);
	/* nbf 1800000060.25 counts as 1800000061: one second too early. */
	expect(tcheck("{\"exp\":1800000100,\"nbf\":1800000060.25}", NOW,
	    LEEWAY, 0), PB_ERR_NOTYET, "token not valid for another 61 s",
	    NULL);
	expect(tcheck("{\"exp\":1800000100,\"iat\":1800000060.001}", NOW,
	    LEEWAY, 0), PB_ERR_NOTYET, "token issued 61 s in the future",
	    NULL);
	expect(tcheck("{\"exp\":1800000100,\"iat\":1800000059.999}", NOW,
	    LEEWAY, 0), PB_OK, NULL, NULL);
}
END_TEST

/* nbf ---------------------------------------------------------------------- */

/* RFC 7519 4.1.5: reject when now + leeway < nbf. */
START_TEST(test_claims_nbf_boundary)
{
	const char *t = "{\"exp\":1800003600,\"nbf\":1800000060}";

	/* now + leeway == nbf: accepted. */
	expect(tcheck(t, NOW, LEEWAY, 0), PB_OK, NULL, NULL);
	/* One second earlier: rejected. */
	expect(tcheck(t, NOW - 1, LEEWAY, 0), PB_ERR_NOTYET, NULL,
	    "token not valid for another 61 s (nbf; leeway 60 s; check the "
	    "clocks: timedatectl)");
	expect(tcheck(t, NOW - 1000, LEEWAY, 0), PB_ERR_NOTYET,
	    "token not valid for another 1060 s", NULL);
	/* nbf in the past, or now exactly: fine. */
	expect(tcheck("{\"exp\":1800003600,\"nbf\":1700000000}", NOW, LEEWAY,
	    0), PB_OK, NULL, NULL);
	expect(tcheck("{\"exp\":1800003600,\"nbf\":1800000000}", NOW, 0, 0),
	    PB_OK, NULL, NULL);
	expect(tcheck("{\"exp\":1800003600,\"nbf\":1800000001}", NOW, 0, 0),
	    PB_ERR_NOTYET, "another 1 s", NULL);
}
END_TEST

START_TEST(test_claims_nbf_type)
{
	static const char *const v[] = {
		"\"1700000000\"", "true", "null", "-5", "1e400", "[]"
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "{\"exp\":1800000100,"
		    "\"nbf\":%s}", v[i]);
		expect(tcheck(buf, NOW, LEEWAY, 0), PB_ERR_CLAIM, NULL,
		    "nbf is not a NumericDate (a JSON number of seconds since "
		    "1970)");
	}
}
END_TEST

/* iat ---------------------------------------------------------------------- */

START_TEST(test_claims_iat_future)
{
	expect(tcheck("{\"exp\":1800003600,\"iat\":1800000060}", NOW, LEEWAY,
	    0), PB_OK, NULL, NULL);
	expect(tcheck("{\"exp\":1800003600,\"iat\":1800000061}", NOW, LEEWAY,
	    0), PB_ERR_NOTYET, NULL, "token issued 61 s in the future (iat; "
	    "leeway 60 s; check the clocks: timedatectl)");
	expect(tcheck("{\"exp\":1800003600,\"iat\":1800000001}", NOW, 0, 0),
	    PB_ERR_NOTYET, "token issued 1 s in the future", NULL);
	/* Without max_token_age, iat may be absent or long past. */
	expect(tcheck("{\"exp\":1800003600}", NOW, LEEWAY, 0), PB_OK, NULL,
	    NULL);
	expect(tcheck("{\"exp\":1800003600,\"iat\":1}", NOW, LEEWAY, 0),
	    PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_iat_type)
{
	expect(tcheck("{\"exp\":1800003600,\"iat\":\"1800000000\"}", NOW,
	    LEEWAY, 0), PB_ERR_CLAIM, "iat is not a NumericDate", NULL);
	expect(tcheck("{\"exp\":1800003600,\"iat\":false}", NOW, LEEWAY,
	    3600), PB_ERR_CLAIM, "iat is not a NumericDate", NULL);
	expect(tcheck("{\"exp\":1800003600,\"iat\":-1}", NOW, LEEWAY, 0),
	    PB_ERR_CLAIM, "iat is not a NumericDate", NULL);
}
END_TEST

/* max_token_age ------------------------------------------------------------ */

START_TEST(test_claims_max_age_needs_iat)
{
	expect(tcheck("{\"exp\":1800003600}", NOW, LEEWAY, 3600),
	    PB_ERR_CLAIM, NULL, "token has no iat claim, which max_token_age "
	    "needs");
	expect(tcheck("{\"exp\":1800003600,\"IAT\":1800000000}", NOW, LEEWAY,
	    3600), PB_ERR_CLAIM, "no iat claim", NULL);
}
END_TEST

/* Rejected when now - iat > max_token_age; leeway does not stretch it. */
START_TEST(test_claims_max_age_boundary)
{
	/* iat = now - 3600: exactly max_age old, accepted. */
	expect(tcheck("{\"exp\":1800003600,\"iat\":1799996400}", NOW, LEEWAY,
	    3600), PB_OK, NULL, NULL);
	expect(tcheck("{\"exp\":1800003600,\"iat\":1799996399}", NOW, LEEWAY,
	    3600), PB_ERR_EXPIRED, NULL, "token issued 3601 s ago, "
	    "max_token_age is 3600 s");
	expect(tcheck("{\"exp\":1800003600,\"iat\":1799996400}", NOW, 0,
	    3600), PB_OK, NULL, NULL);
	expect(tcheck("{\"exp\":1800003600,\"iat\":1799996399}", NOW, 0,
	    3600), PB_ERR_EXPIRED, "token issued 3601 s ago", NULL);
	/* Fresh tokens pass. */
	expect(tcheck("{\"exp\":1800003600,\"iat\":1800000000}", NOW, LEEWAY,
	    3600), PB_OK, NULL, NULL);
	/* A fractional iat rounds up, so the age never grows. */
	expect(tcheck("{\"exp\":1800003600,\"iat\":1799996399.5}", NOW,
	    LEEWAY, 3600), PB_OK, NULL, NULL);
}
END_TEST

/* iss ---------------------------------------------------------------------- */

START_TEST(test_claims_iss_exact)
{
	set("issuer", ISS);
	expect(pb_claims_check_iss(json("{\"iss\":\"" ISS "\"}"),
	    &cfg->issuers, &err), PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_iss_mismatch)
{
	static const char *const v[] = {
		"https://IDP.example.com",	/* case */
		"HTTPS://idp.example.com",
		"https://idp.example.com/",	/* trailing slash */
		"https://idp.example.com ",
		"http://idp.example.com",
		"https://idp.example.co",
		"https://idp.example.com.evil.example",
		"",
	};
	char buf[256], want[256];
	size_t i;

	set("issuer", ISS);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "{\"iss\":\"%s\"}", v[i]);
		(void)snprintf(want, sizeof(want), "iss '%s' is not the "
		    "configured issuer '" ISS "'", v[i]);
		expect(pb_claims_check_iss(json(buf), &cfg->issuers, &err),
		    PB_ERR_ISS, NULL, want);
	}
}
END_TEST

START_TEST(test_claims_iss_aliases)
{
	set("issuer", "https://accounts.google.com accounts.google.com");
	expect(pb_claims_check_iss(json("{\"iss\":"
	    "\"https://accounts.google.com\"}"), &cfg->issuers, &err), PB_OK,
	    NULL, NULL);
	expect(pb_claims_check_iss(json("{\"iss\":\"accounts.google.com\"}"),
	    &cfg->issuers, &err), PB_OK, NULL, NULL);
	expect(pb_claims_check_iss(json("{\"iss\":"
	    "\"https://accounts.google.com/\"}"), &cfg->issuers, &err),
	    PB_ERR_ISS, "is not the configured issuer "
	    "'https://accounts.google.com' or 'accounts.google.com'", NULL);
	/* The list is not one string: the two joined are no issuer. */
	expect(pb_claims_check_iss(json("{\"iss\":"
	    "\"https://accounts.google.com accounts.google.com\"}"),
	    &cfg->issuers, &err), PB_ERR_ISS, NULL, NULL);
}
END_TEST

START_TEST(test_claims_iss_type)
{
	set("issuer", ISS);
	expect(pb_claims_check_iss(json("{\"iss\":123}"), &cfg->issuers,
	    &err), PB_ERR_ISS, NULL, "iss is not a string");
	expect(pb_claims_check_iss(json("{\"iss\":[\"" ISS "\"]}"),
	    &cfg->issuers, &err), PB_ERR_ISS, NULL, "iss is not a string");
	expect(pb_claims_check_iss(json("{\"iss\":null}"), &cfg->issuers,
	    &err), PB_ERR_ISS, NULL, "iss is not a string");
	expect(pb_claims_check_iss(json("{\"iss\":true}"), &cfg->issuers,
	    &err), PB_ERR_ISS, NULL, "iss is not a string");
}
END_TEST

START_TEST(test_claims_iss_missing)
{
	set("issuer", ISS);
	expect(pb_claims_check_iss(json("{\"sub\":\"alice\"}"),
	    &cfg->issuers, &err), PB_ERR_ISS, NULL, "token has no iss claim");
	expect(pb_claims_check_iss(json("{\"ISS\":\"" ISS "\"}"),
	    &cfg->issuers, &err), PB_ERR_ISS, NULL, "token has no iss claim");
}
END_TEST

/* Claim values in messages are escaped and cut (pb_log_safe()). */
START_TEST(test_claims_iss_escaped)
{
	char buf[512];

	set("issuer", ISS);
	expect(pb_claims_check_iss(json("{\"iss\":\"a'b\\nc\\\\d\"}"),
	    &cfg->issuers, &err), PB_ERR_ISS, NULL,
	    "iss 'a\\x27b\\x0ac\\x5cd' is not the configured issuer '"
	    ISS "'");
	(void)snprintf(buf, sizeof(buf), "{\"iss\":\"%0100d\"}", 7);
	expect(pb_claims_check_iss(json(buf), &cfg->issuers, &err),
	    PB_ERR_ISS, "...' is not", NULL);
}
END_TEST

/* aud ---------------------------------------------------------------------- */

START_TEST(test_claims_aud_string)
{
	set("audience", "ssh");
	expect(pb_claims_check_aud(json("{\"aud\":\"ssh\"}"),
	    &cfg->audiences, &err), PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_aud_array)
{
	set("audience", "ssh");
	expect(pb_claims_check_aud(json("{\"aud\":[\"ssh\"]}"),
	    &cfg->audiences, &err), PB_OK, NULL, NULL);
	expect(pb_claims_check_aud(json("{\"aud\":[\"api\",\"web\",\"ssh\"]}"),
	    &cfg->audiences, &err), PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_aud_several_configured)
{
	set("audience", "ssh urn:pam:host1");
	expect(pb_claims_check_aud(json("{\"aud\":\"urn:pam:host1\"}"),
	    &cfg->audiences, &err), PB_OK, NULL, NULL);
	expect(pb_claims_check_aud(json("{\"aud\":[\"x\",\"ssh\"]}"),
	    &cfg->audiences, &err), PB_OK, NULL, NULL);
	expect(pb_claims_check_aud(json("{\"aud\":\"web\"}"),
	    &cfg->audiences, &err), PB_ERR_AUD, NULL,
	    "aud does not contain 'ssh' or 'urn:pam:host1'");
}
END_TEST

START_TEST(test_claims_aud_no_match)
{
	set("audience", "x");
	expect(pb_claims_check_aud(json("{\"aud\":\"y\"}"), &cfg->audiences,
	    &err), PB_ERR_AUD, NULL, "aud does not contain 'x'");
	expect(pb_claims_check_aud(json("{\"aud\":\"X\"}"), &cfg->audiences,
	    &err), PB_ERR_AUD, NULL, "aud does not contain 'x'");
	expect(pb_claims_check_aud(json("{\"aud\":\"x \"}"), &cfg->audiences,
	    &err), PB_ERR_AUD, NULL, "aud does not contain 'x'");
	expect(pb_claims_check_aud(json("{\"aud\":[\"y\",\"z\"]}"),
	    &cfg->audiences, &err), PB_ERR_AUD, NULL,
	    "aud does not contain 'x'");
	expect(pb_claims_check_aud(json("{\"aud\":[]}"), &cfg->audiences,
	    &err), PB_ERR_AUD, NULL, "aud does not contain 'x'");
	/* An array is not split or joined: "x y" is one audience. */
	expect(pb_claims_check_aud(json("{\"aud\":\"x y\"}"),
	    &cfg->audiences, &err), PB_ERR_AUD, NULL,
	    "aud does not contain 'x'");
}
END_TEST

/* RFC 8725 3.9: no aud is no token for us. */
START_TEST(test_claims_aud_missing)
{
	set("audience", "ssh");
	expect(pb_claims_check_aud(json("{\"sub\":\"alice\"}"),
	    &cfg->audiences, &err), PB_ERR_AUD, NULL,
	    "token has no aud claim");
	expect(pb_claims_check_aud(json("{\"AUD\":\"ssh\"}"),
	    &cfg->audiences, &err), PB_ERR_AUD, NULL,
	    "token has no aud claim");
}
END_TEST

START_TEST(test_claims_aud_type)
{
	set("audience", "ssh");
	expect(pb_claims_check_aud(json("{\"aud\":[\"ssh\",1]}"),
	    &cfg->audiences, &err), PB_ERR_CLAIM, NULL,
	    "aud holds a non-string");
	expect(pb_claims_check_aud(json("{\"aud\":[null]}"),
	    &cfg->audiences, &err), PB_ERR_CLAIM, NULL,
	    "aud holds a non-string");
	expect(pb_claims_check_aud(json("{\"aud\":[[\"ssh\"]]}"),
	    &cfg->audiences, &err), PB_ERR_CLAIM, NULL,
	    "aud holds a non-string");
	expect(pb_claims_check_aud(json("{\"aud\":42}"), &cfg->audiences,
	    &err), PB_ERR_CLAIM, NULL,
	    "aud is neither a string nor an array of strings");
	expect(pb_claims_check_aud(json("{\"aud\":{\"ssh\":true}}"),
	    &cfg->audiences, &err), PB_ERR_CLAIM, "neither", NULL);
	expect(pb_claims_check_aud(json("{\"aud\":null}"), &cfg->audiences,
	    &err), PB_ERR_CLAIM, "neither", NULL);
}
END_TEST

/* require_scope ------------------------------------------------------------ */

static int
policy(const char *text)
{
	return pb_claims_check_policy(json(text), cfg, &err);
}

START_TEST(test_claims_scope_granted)
{
	set("require_scope", "openid ssh");
	expect(policy("{\"scope\":\"openid ssh\"}"), PB_OK, NULL, NULL);
	expect(policy("{\"scope\":\"profile ssh email openid\"}"), PB_OK,
	    NULL, NULL);
	expect(policy("{\"scope\":\"  ssh   openid \"}"), PB_OK, NULL, NULL);
	expect(policy("{\"scope\":[\"openid\",\"x\",\"ssh\"]}"), PB_OK, NULL,
	    NULL);
	/* Entra: scp as a string; Okta: scp as an array. */
	expect(policy("{\"scp\":\"ssh openid\"}"), PB_OK, NULL, NULL);
	expect(policy("{\"scp\":[\"ssh\",\"openid\"]}"), PB_OK, NULL, NULL);
	/* Each scope may come from either claim. */
	expect(policy("{\"scope\":\"openid\",\"scp\":[\"ssh\"]}"), PB_OK,
	    NULL, NULL);
}
END_TEST

START_TEST(test_claims_scope_missing)
{
	set("require_scope", "openid ssh");
	expect(policy("{\"scope\":\"openid\"}"), PB_ERR_POLICY, NULL,
	    "scope 'ssh' not granted (require_scope)");
	expect(policy("{\"scope\":[\"openid\"]}"), PB_ERR_POLICY, NULL,
	    "scope 'ssh' not granted (require_scope)");
	expect(policy("{\"scp\":\"ssh\"}"), PB_ERR_POLICY, NULL,
	    "scope 'openid' not granted (require_scope)");
	expect(policy("{\"sub\":\"alice\"}"), PB_ERR_POLICY, NULL,
	    "scope 'openid' not granted (require_scope)");
	/* Words, not substrings; exact case. */
	expect(policy("{\"scope\":\"openid sshd\"}"), PB_ERR_POLICY,
	    "scope 'ssh' not granted", NULL);
	expect(policy("{\"scope\":\"openid xssh\"}"), PB_ERR_POLICY,
	    "scope 'ssh' not granted", NULL);
	expect(policy("{\"scope\":\"openid SSH\"}"), PB_ERR_POLICY,
	    "scope 'ssh' not granted", NULL);
	/* An array element is one scope, never split. */
	expect(policy("{\"scope\":[\"openid ssh\"]}"), PB_ERR_POLICY,
	    "not granted", NULL);
	expect(policy("{\"scope\":\"\"}"), PB_ERR_POLICY, "not granted",
	    NULL);
}
END_TEST

START_TEST(test_claims_scope_type)
{
	set("require_scope", "ssh");
	expect(policy("{\"scope\":42}"), PB_ERR_CLAIM, NULL,
	    "claim 'scope' is neither a string nor an array of strings");
	expect(policy("{\"scope\":{\"ssh\":true}}"), PB_ERR_CLAIM,
	    "claim 'scope' is neither", NULL);
	expect(policy("{\"scope\":[\"x\",7]}"), PB_ERR_CLAIM, NULL,
	    "claim 'scope' holds a non-string");
	expect(policy("{\"scp\":true}"), PB_ERR_CLAIM, NULL,
	    "claim 'scp' is neither a string nor an array of strings");
	expect(policy("{\"scp\":[null]}"), PB_ERR_CLAIM, NULL,
	    "claim 'scp' holds a non-string");
}
END_TEST

START_TEST(test_claims_scope_unset)
{
	/* Without require_scope, nothing about scopes is checked. */
	expect(policy("{}"), PB_OK, NULL, NULL);
	expect(policy("{\"scope\":42}"), PB_OK, NULL, NULL);
}
END_TEST

/* groups ------------------------------------------------------------------- */

START_TEST(test_claims_groups_array)
{
	set("require_groups", "admins ops");
	expect(policy("{\"groups\":[\"users\",\"ops\"]}"), PB_OK, NULL, NULL);
	expect(policy("{\"groups\":[\"admins\"]}"), PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_groups_string)
{
	set("require_groups", "ops");
	expect(policy("{\"groups\":\"ops\"}"), PB_OK, NULL, NULL);
}
END_TEST

/* A string holds one group, never split on spaces. */
START_TEST(test_claims_groups_string_not_split)
{
	set("require_groups", "\"Domain Admins\"");
	expect(policy("{\"groups\":\"Domain Admins\"}"), PB_OK, NULL, NULL);
	expect(policy("{\"groups\":[\"Domain Admins\"]}"), PB_OK, NULL, NULL);
	expect(policy("{\"groups\":\"Domain\"}"), PB_ERR_POLICY,
	    "none of the groups", NULL);
	expect(policy("{\"groups\":[\"Domain\",\"Admins\"]}"), PB_ERR_POLICY,
	    "none of the groups", NULL);
}
END_TEST

START_TEST(test_claims_groups_string_word)
{
	set("require_groups", "Admins");
	expect(policy("{\"groups\":\"Domain Admins\"}"), PB_ERR_POLICY, NULL,
	    "token is in none of the groups 'Admins' (claim 'groups')");
	expect(policy("{\"groups\":\"admins\"}"), PB_ERR_POLICY,
	    "none of the groups", NULL);
}
END_TEST

START_TEST(test_claims_groups_no_match)
{
	set("require_groups", "admins ops");
	expect(policy("{\"groups\":[\"users\",\"dev\"]}"), PB_ERR_POLICY,
	    NULL, "token is in none of the groups 'admins' or 'ops' "
	    "(claim 'groups')");
	expect(policy("{\"groups\":[]}"), PB_ERR_POLICY,
	    "none of the groups", NULL);
	expect(policy("{\"groups\":\"\"}"), PB_ERR_POLICY,
	    "none of the groups", NULL);
}
END_TEST

START_TEST(test_claims_groups_missing)
{
	set("require_groups", "ops");
	expect(policy("{\"sub\":\"alice\"}"), PB_ERR_POLICY, NULL,
	    "token has no groups claim 'groups' (require_groups)");
	expect(policy("{\"Groups\":[\"ops\"]}"), PB_ERR_POLICY,
	    "token has no groups claim", NULL);
}
END_TEST

START_TEST(test_claims_groups_type)
{
	set("require_groups", "ops");
	expect(policy("{\"groups\":42}"), PB_ERR_CLAIM, NULL,
	    "claim 'groups' is neither a string nor an array of strings");
	expect(policy("{\"groups\":[1,\"ops\"]}"), PB_ERR_CLAIM, NULL,
	    "claim 'groups' holds a non-string");
	expect(policy("{\"groups\":{\"ops\":true}}"), PB_ERR_CLAIM,
	    "neither", NULL);
}
END_TEST

START_TEST(test_claims_groups_unset)
{
	set("groups_claim", "/realm_access/roles");
	expect(policy("{}"), PB_OK, NULL, NULL);
	expect(policy("{\"groups\":42}"), PB_OK, NULL, NULL);
}
END_TEST

/* Keycloak: roles under realm_access and resource_access.<client>. */
START_TEST(test_claims_groups_pointer)
{
	set("groups_claim", "/realm_access/roles");
	set("require_groups", "ssh-users");
	expect(policy("{\"realm_access\":{\"roles\":[\"offline\","
	    "\"ssh-users\"]}}"), PB_OK, NULL, NULL);
	expect(policy("{\"realm_access\":{\"roles\":[\"offline\"]}}"),
	    PB_ERR_POLICY, NULL, "token is in none of the groups 'ssh-users' "
	    "(claim '/realm_access/roles')");
	expect(policy("{\"realm_access\":{}}"), PB_ERR_POLICY, NULL,
	    "token has no groups claim '/realm_access/roles' "
	    "(require_groups)");
	expect(policy("{\"realm_access\":[\"ssh-users\"]}"), PB_ERR_POLICY,
	    "token has no groups claim", NULL);
	/* A pointer is never a literal top-level name. */
	expect(policy("{\"/realm_access/roles\":[\"ssh-users\"]}"),
	    PB_ERR_POLICY, "token has no groups claim", NULL);
}
END_TEST

START_TEST(test_claims_groups_pointer_deep)
{
	set("groups_claim", "/resource_access/ssh/roles");
	set("require_groups", "login");
	expect(policy("{\"resource_access\":{\"ssh\":{\"roles\":[\"login\"]},"
	    "\"web\":{\"roles\":[\"x\"]}}}"), PB_OK, NULL, NULL);
	expect(policy("{\"resource_access\":{\"ssh\":{\"roles\":[\"x\"]},"
	    "\"web\":{\"roles\":[\"login\"]}}}"), PB_ERR_POLICY,
	    "none of the groups", NULL);
	expect(policy("{\"resource_access\":{\"web\":{\"roles\":"
	    "[\"login\"]}}}"), PB_ERR_POLICY, "token has no groups claim",
	    NULL);
}
END_TEST

/* RFC 6901: "~1" is '/', "~0" is '~'. */
START_TEST(test_claims_groups_pointer_escapes)
{
	set("groups_claim", "/a~1b/c~0d");
	set("require_groups", "ops");
	expect(policy("{\"a/b\":{\"c~d\":[\"ops\"]}}"), PB_OK, NULL, NULL);
	expect(policy("{\"a\":{\"b\":{\"c~d\":[\"ops\"]}}}"), PB_ERR_POLICY,
	    "token has no groups claim", NULL);
	expect(policy("{\"a/b\":{\"c~0d\":[\"ops\"]}}"), PB_ERR_POLICY,
	    "token has no groups claim", NULL);
}
END_TEST

START_TEST(test_claims_groups_pointer_tilde01)
{
	/* "~01" is "~1" (tilde then one), not '/'. */
	set("groups_claim", "/x~01");
	set("require_groups", "ops");
	expect(policy("{\"x~1\":[\"ops\"]}"), PB_OK, NULL, NULL);
	expect(policy("{\"x/\":[\"ops\"]}"), PB_ERR_POLICY,
	    "token has no groups claim", NULL);
}
END_TEST

/* Auth0: a namespaced claim is one literal top-level name. */
START_TEST(test_claims_groups_literal_url)
{
	set("groups_claim", "https://example.com/roles");
	set("require_groups", "admin");
	expect(policy("{\"https://example.com/roles\":[\"admin\"]}"), PB_OK,
	    NULL, NULL);
	expect(policy("{\"https:\":{\"\":{\"example.com\":{\"roles\":"
	    "[\"admin\"]}}}}"), PB_ERR_POLICY, NULL,
	    "token has no groups claim 'https://example.com/roles' "
	    "(require_groups)");
}
END_TEST

/* require_claim ------------------------------------------------------------ */

START_TEST(test_claims_require_string)
{
	set("require_claim", "acr=mfa");
	expect(policy("{\"acr\":\"mfa\"}"), PB_OK, NULL, NULL);
	expect(policy("{\"acr\":\"MFA\"}"), PB_ERR_POLICY, NULL,
	    "claim 'acr' is not 'mfa' (require_claim)");
	expect(policy("{\"acr\":\"mfa \"}"), PB_ERR_POLICY, "is not 'mfa'",
	    NULL);
	expect(policy("{\"acr\":\"mf\"}"), PB_ERR_POLICY, "is not 'mfa'",
	    NULL);
}
END_TEST

START_TEST(test_claims_require_bool_true)
{
	set("require_claim", "email_verified=true");
	expect(policy("{\"email_verified\":true}"), PB_OK, NULL, NULL);
	expect(policy("{\"email_verified\":false}"), PB_ERR_POLICY, NULL,
	    "claim 'email_verified' is not 'true' (require_claim)");
	expect(policy("{\"email_verified\":1}"), PB_ERR_POLICY,
	    "is not 'true'", NULL);
	expect(policy("{\"email_verified\":null}"), PB_ERR_POLICY,
	    "is not 'true'", NULL);
}
END_TEST

START_TEST(test_claims_require_bool_false)
{
	set("require_claim", "email_verified=false");
	expect(policy("{\"email_verified\":false}"), PB_OK, NULL, NULL);
	expect(policy("{\"email_verified\":true}"), PB_ERR_POLICY, NULL,
	    "claim 'email_verified' is not 'false' (require_claim)");
	expect(policy("{\"email_verified\":0}"), PB_ERR_POLICY,
	    "is not 'false'", NULL);
}
END_TEST

START_TEST(test_claims_require_bool_spelling)
{
	/* JSON spells booleans in lower case only. */
	set("require_claim", "email_verified=True");
	expect(policy("{\"email_verified\":true}"), PB_ERR_POLICY,
	    "is not 'True'", NULL);
}
END_TEST

START_TEST(test_claims_require_integer)
{
	set("require_claim", "level=2");
	expect(policy("{\"level\":2}"), PB_OK, NULL, NULL);
	/* A string "2" equals VALUE too. */
	expect(policy("{\"level\":\"2\"}"), PB_OK, NULL, NULL);
	expect(policy("{\"level\":3}"), PB_ERR_POLICY, NULL,
	    "claim 'level' is not '2' (require_claim)");
	expect(policy("{\"level\":2.5}"), PB_ERR_POLICY, "is not '2'", NULL);
	expect(policy("{\"level\":-2}"), PB_ERR_POLICY, "is not '2'", NULL);
	expect(policy("{\"level\":\"02\"}"), PB_ERR_POLICY, "is not '2'",
	    NULL);
}
END_TEST

START_TEST(test_claims_require_integer_large)
{
	/* Past INT_MAX, where cJSON's valueint saturates. */
	set("require_claim", "uid=4294967296");
	expect(policy("{\"uid\":4294967296}"), PB_OK, NULL, NULL);
	expect(policy("{\"uid\":2147483647}"), PB_ERR_POLICY, "is not", NULL);
}
END_TEST

/* Integers only: a float never equals its spelling. */
START_TEST(test_claims_require_float)
{
	set("require_claim", "level=2.5");
	expect(policy("{\"level\":2.5}"), PB_ERR_POLICY, NULL,
	    "claim 'level' is not '2.5' (require_claim)");
	expect(policy("{\"level\":\"2.5\"}"), PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_require_array)
{
	set("require_claim", "amr=mfa");
	expect(policy("{\"amr\":[\"pwd\",\"mfa\"]}"), PB_OK, NULL, NULL);
	expect(policy("{\"amr\":[\"mfa\"]}"), PB_OK, NULL, NULL);
	expect(policy("{\"amr\":[\"pwd\",\"otp\"]}"), PB_ERR_POLICY, NULL,
	    "claim 'amr' does not contain 'mfa' (require_claim)");
	expect(policy("{\"amr\":[]}"), PB_ERR_POLICY, "does not contain",
	    NULL);
	/* Array elements are compared whole, not split. */
	expect(policy("{\"amr\":[\"pwd mfa\"]}"), PB_ERR_POLICY,
	    "does not contain", NULL);
	/* Nested arrays and objects are never equal to a word. */
	expect(policy("{\"amr\":[[\"mfa\"],{\"mfa\":1}]}"), PB_ERR_POLICY,
	    "does not contain", NULL);
}
END_TEST

START_TEST(test_claims_require_array_mixed)
{
	set("require_claim", "tier=3");
	expect(policy("{\"tier\":[\"a\",true,3]}"), PB_OK, NULL, NULL);
	expect(policy("{\"tier\":[\"a\",3.0001]}"), PB_ERR_POLICY,
	    "does not contain '3'", NULL);
}
END_TEST

START_TEST(test_claims_require_missing)
{
	set("require_claim", "acr=mfa");
	expect(policy("{\"amr\":[\"mfa\"]}"), PB_ERR_POLICY, NULL,
	    "claim 'acr' missing (require_claim acr=mfa)");
	expect(policy("{\"ACR\":\"mfa\"}"), PB_ERR_POLICY, NULL,
	    "claim 'acr' missing (require_claim acr=mfa)");
}
END_TEST

START_TEST(test_claims_require_other_types)
{
	set("require_claim", "x=null");
	expect(policy("{\"x\":null}"), PB_ERR_POLICY, "is not 'null'", NULL);
	expect(policy("{\"x\":{}}"), PB_ERR_POLICY, "is not 'null'", NULL);
	expect(policy("{\"x\":\"null\"}"), PB_OK, NULL, NULL);
}
END_TEST

START_TEST(test_claims_require_pointer)
{
	set("require_claim", "/realm_access/roles=ssh");
	expect(policy("{\"realm_access\":{\"roles\":[\"a\",\"ssh\"]}}"),
	    PB_OK, NULL, NULL);
	expect(policy("{\"realm_access\":{\"roles\":[\"a\"]}}"),
	    PB_ERR_POLICY, "does not contain 'ssh'", NULL);
	expect(policy("{\"realm_access\":{}}"), PB_ERR_POLICY,
	    "claim '/realm_access/roles' missing", NULL);
}
END_TEST

/* Every require_claim line must hold. */
START_TEST(test_claims_require_all)
{
	struct pb_conf *c2 = NULL;

	/* Lines from the file add up (module arguments replace). */
	ck_assert_int_eq(pb_conf_new(&c2), PB_OK);
	ck_assert_int_eq(pb_conf_set(c2, PB_CONF_FILE, "require_claim",
	    "acr=mfa", "test:1", NULL, NULL), PB_OK);
	ck_assert_int_eq(pb_conf_set(c2, PB_CONF_FILE, "require_claim",
	    "amr=hwk", "test:2", NULL, NULL), PB_OK);
	ck_assert_int_eq(pb_conf_set(c2, PB_CONF_FILE, "require_claim",
	    "email_verified=true", "test:3", NULL, NULL), PB_OK);
	ck_assert_uint_eq(c2->n_require_claim, 3);
	expect(pb_claims_check_policy(json("{\"acr\":\"mfa\",\"amr\":"
	    "[\"hwk\",\"pin\"],\"email_verified\":true}"), c2, &err), PB_OK,
	    NULL, NULL);
	expect(pb_claims_check_policy(json("{\"acr\":\"mfa\",\"amr\":"
	    "[\"pin\"],\"email_verified\":true}"), c2, &err), PB_ERR_POLICY,
	    NULL, "claim 'amr' does not contain 'hwk' (require_claim)");
	expect(pb_claims_check_policy(json("{\"acr\":\"mfa\",\"amr\":"
	    "[\"hwk\"],\"email_verified\":false}"), c2, &err),
	    PB_ERR_POLICY, NULL,
	    "claim 'email_verified' is not 'true' (require_claim)");
	expect(pb_claims_check_policy(json("{\"amr\":[\"hwk\"],"
	    "\"email_verified\":true}"), c2, &err), PB_ERR_POLICY, NULL,
	    "claim 'acr' missing (require_claim acr=mfa)");
	pb_conf_free(c2);
}
END_TEST

/* Policy order: scopes, then groups, then require_claim. */
START_TEST(test_claims_policy_order)
{
	set("require_scope", "ssh");
	set("require_groups", "ops");
	set("require_claim", "acr=mfa");
	expect(policy("{\"scope\":\"ssh\",\"groups\":[\"ops\"],"
	    "\"acr\":\"mfa\"}"), PB_OK, NULL, NULL);
	expect(policy("{}"), PB_ERR_POLICY, "scope 'ssh' not granted", NULL);
	expect(policy("{\"scope\":\"ssh\"}"), PB_ERR_POLICY,
	    "token has no groups claim", NULL);
	expect(policy("{\"scope\":\"ssh\",\"groups\":\"ops\"}"),
	    PB_ERR_POLICY, "claim 'acr' missing", NULL);
}
END_TEST

/* username claim ----------------------------------------------------------- */

static int
uclaim(const char *text, const char *claim, int safe, const char **out)
{
	*out = (const char *)1;		/* must be reset on failure */
	return pb_claims_username(json(text), claim, safe, out, &err);
}

START_TEST(test_claims_username_safe)
{
	static const char *const ok[] = {
		"alice", "a", "alice.smith", "alice_smith", "alice-smith",
		"alice@example.com", "Alice99", "0", "_svc", ".hidden",
		"a-", "x@y@z",
	};
	const char *out;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "{\"sub\":\"%s\"}", ok[i]);
		expect(uclaim(buf, "sub", 1, &out), PB_OK, NULL, NULL);
		ck_assert_str_eq(out, ok[i]);
		/* *out points into the claims object. */
		ck_assert_ptr_eq(out, pb_json_get_string(claims, "sub"));
	}
}
END_TEST

START_TEST(test_claims_username_unsafe)
{
	static const char *const bad[] = {
		"-alice",		/* an option to a later command */
		"-",
		"alice smith",
		" alice",
		"alice ",
		"alice\\tsmith",
		"alice\\n",
		"alice/..",
		"../root",
		"alice:x",
		"alice;id",
		"alice$",
		"alice'",
		"\\u00e5lice",		/* non-ASCII */
		"alice+1",
		"alice,bob",
		"*",
	};
	const char *out;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "{\"sub\":\"%s\"}", bad[i]);
		expect(uclaim(buf, "sub", 1, &out), PB_ERR_CLAIM,
		    "is not a safe user name (use usermap_file to map it)",
		    NULL);
		ck_assert_ptr_null(out);
	}
}
END_TEST

START_TEST(test_claims_username_message)
{
	const char *out;

	expect(uclaim("{\"sub\":\"-alice\"}", "sub", 1, &out), PB_ERR_CLAIM,
	    NULL, "username claim 'sub' value '-alice' is not a safe user "
	    "name (use usermap_file to map it)");
	/* The value is escaped in the message: no raw newline or quote. */
	expect(uclaim("{\"sub\":\"a'b\\nc\"}", "sub", 1, &out), PB_ERR_CLAIM,
	    NULL, "username claim 'sub' value 'a\\x27b\\x0ac' is not a safe "
	    "user name (use usermap_file to map it)");
}
END_TEST

START_TEST(test_claims_username_length)
{
	char name[300], buf[400], want[128];
	const char *out;

	memset(name, 'a', 256);
	name[256] = '\0';
	(void)snprintf(buf, sizeof(buf), "{\"sub\":\"%s\"}", name);
	expect(uclaim(buf, "sub", 1, &out), PB_OK, NULL, NULL);
	ck_assert_uint_eq(strlen(out), 256);
	name[256] = 'a';
	name[257] = '\0';
	(void)snprintf(buf, sizeof(buf), "{\"sub\":\"%s\"}", name);
	/* The message holds a cut copy: 64 bytes of the value, then "...". */
	memset(want, 'a', 64);
	(void)snprintf(want + 64, sizeof(want) - 64, "...' is not a safe "
	    "user name");
	expect(uclaim(buf, "sub", 1, &out), PB_ERR_CLAIM, want, NULL);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_claims_username_empty)
{
	const char *out;

	expect(uclaim("{\"sub\":\"\"}", "sub", 1, &out), PB_ERR_CLAIM, NULL,
	    "username claim 'sub' value '' is not a safe user name (use "
	    "usermap_file to map it)");
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_claims_username_type)
{
	static const char *const v[] = {
		"{\"sub\":42}", "{\"sub\":null}", "{\"sub\":true}",
		"{\"sub\":[\"alice\"]}", "{\"sub\":{\"name\":\"alice\"}}",
		"{\"Sub\":\"alice\"}", "{}",
	};
	const char *out;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		expect(uclaim(v[i], "sub", 1, &out), PB_ERR_CLAIM, NULL,
		    "username claim 'sub' is missing or not a string");
		ck_assert_ptr_null(out);
		/* The type rule holds without the safety rule too. */
		expect(uclaim(v[i], "sub", 0, &out), PB_ERR_CLAIM, NULL,
		    "username claim 'sub' is missing or not a string");
		ck_assert_ptr_null(out);
	}
}
END_TEST

/* With a usermap the value is only looked up, so anything is allowed. */
START_TEST(test_claims_username_unsafe_allowed)
{
	static const char *const v[] = {
		"alice@example.com ", "Alice Smith", "-alice",
		"DOMAIN\\\\alice", "\\u00e5lice", "",
	};
	static const char *const want[] = {
		"alice@example.com ", "Alice Smith", "-alice",
		"DOMAIN\\alice", "\xc3\xa5lice", "",
	};
	const char *out;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "{\"sub\":\"%s\"}", v[i]);
		expect(uclaim(buf, "sub", 0, &out), PB_OK, NULL, NULL);
		ck_assert_str_eq(out, want[i]);
	}
}
END_TEST

START_TEST(test_claims_username_other_claim)
{
	const char *out;

	expect(uclaim("{\"sub\":\"f81d4fae-7dec\",\"preferred_username\":"
	    "\"alice\"}", "preferred_username", 1, &out), PB_OK, NULL, NULL);
	ck_assert_str_eq(out, "alice");
	expect(uclaim("{\"sub\":\"alice\"}", "preferred_username", 1, &out),
	    PB_ERR_CLAIM, NULL, "username claim 'preferred_username' is "
	    "missing or not a string");
	expect(uclaim("{\"ext\":{\"unix\":{\"user\":\"alice\"}}}",
	    "/ext/unix/user", 1, &out), PB_OK, NULL, NULL);
	ck_assert_str_eq(out, "alice");
	expect(uclaim("{\"https://example.com/user\":\"bob\"}",
	    "https://example.com/user", 1, &out), PB_OK, NULL, NULL);
	ck_assert_str_eq(out, "bob");
	expect(uclaim("{\"ext\":{\"unix\":{}}}", "/ext/unix/user", 1, &out),
	    PB_ERR_CLAIM, NULL, "username claim '/ext/unix/user' is missing "
	    "or not a string");
}
END_TEST

/* Suite -------------------------------------------------------------------- */

static TCase *
tc(const char *name)
{
	TCase *t = tcase_create(name);

	tcase_add_checked_fixture(t, setup, teardown);
	return t;
}

static Suite *
claims_suite(void)
{
	Suite *s = suite_create("claims");
	TCase *t;

	t = tc("exp");
	tcase_add_test(t, test_claims_exp_valid);
	tcase_add_test(t, test_claims_exp_missing);
	tcase_add_loop_test(t, test_claims_exp_type, 0, (int)N_BAD_EXP);
	suite_add_tcase(s, t);

	t = tc("exp_boundary");
	tcase_add_test(t, test_claims_exp_boundary);
	suite_add_tcase(s, t);

	t = tc("fraction");
	tcase_add_test(t, test_claims_time_fraction);
	suite_add_tcase(s, t);

	t = tc("nbf");
	tcase_add_test(t, test_claims_nbf_boundary);
	tcase_add_test(t, test_claims_nbf_type);
	suite_add_tcase(s, t);

	t = tc("iat");
	tcase_add_test(t, test_claims_iat_future);
	tcase_add_test(t, test_claims_iat_type);
	suite_add_tcase(s, t);

	t = tc("max_token_age");
	tcase_add_test(t, test_claims_max_age_needs_iat);
	tcase_add_test(t, test_claims_max_age_boundary);
	suite_add_tcase(s, t);

	t = tc("iss");
	tcase_add_test(t, test_claims_iss_exact);
	tcase_add_test(t, test_claims_iss_mismatch);
	tcase_add_test(t, test_claims_iss_aliases);
	tcase_add_test(t, test_claims_iss_type);
	tcase_add_test(t, test_claims_iss_missing);
	tcase_add_test(t, test_claims_iss_escaped);
	suite_add_tcase(s, t);

	t = tc("aud");
	tcase_add_test(t, test_claims_aud_string);
	tcase_add_test(t, test_claims_aud_array);
	tcase_add_test(t, test_claims_aud_several_configured);
	tcase_add_test(t, test_claims_aud_no_match);
	tcase_add_test(t, test_claims_aud_missing);
	tcase_add_test(t, test_claims_aud_type);
	suite_add_tcase(s, t);

	t = tc("scope");
	tcase_add_test(t, test_claims_scope_granted);
	tcase_add_test(t, test_claims_scope_missing);
	tcase_add_test(t, test_claims_scope_type);
	tcase_add_test(t, test_claims_scope_unset);
	suite_add_tcase(s, t);

	t = tc("groups");
	tcase_add_test(t, test_claims_groups_array);
	tcase_add_test(t, test_claims_groups_string);
	tcase_add_test(t, test_claims_groups_string_not_split);
	tcase_add_test(t, test_claims_groups_string_word);
	tcase_add_test(t, test_claims_groups_no_match);
	tcase_add_test(t, test_claims_groups_missing);
	tcase_add_test(t, test_claims_groups_type);
	tcase_add_test(t, test_claims_groups_unset);
	suite_add_tcase(s, t);

	t = tc("groups_claim_name");
	tcase_add_test(t, test_claims_groups_pointer);
	tcase_add_test(t, test_claims_groups_pointer_deep);
	tcase_add_test(t, test_claims_groups_pointer_escapes);
	tcase_add_test(t, test_claims_groups_pointer_tilde01);
	tcase_add_test(t, test_claims_groups_literal_url);
	suite_add_tcase(s, t);

	t = tc("require_claim");
	tcase_add_test(t, test_claims_require_string);
	tcase_add_test(t, test_claims_require_bool_true);
	tcase_add_test(t, test_claims_require_bool_false);
	tcase_add_test(t, test_claims_require_bool_spelling);
	tcase_add_test(t, test_claims_require_integer);
	tcase_add_test(t, test_claims_require_integer_large);
	tcase_add_test(t, test_claims_require_float);
	tcase_add_test(t, test_claims_require_array);
	tcase_add_test(t, test_claims_require_array_mixed);
	tcase_add_test(t, test_claims_require_missing);
	tcase_add_test(t, test_claims_require_other_types);
	tcase_add_test(t, test_claims_require_pointer);
	tcase_add_test(t, test_claims_require_all);
	suite_add_tcase(s, t);

	t = tc("policy_order");
	tcase_add_test(t, test_claims_policy_order);
	suite_add_tcase(s, t);

	t = tc("username");
	tcase_add_test(t, test_claims_username_safe);
	tcase_add_test(t, test_claims_username_unsafe);
	tcase_add_test(t, test_claims_username_message);
	tcase_add_test(t, test_claims_username_length);
	tcase_add_test(t, test_claims_username_empty);
	tcase_add_test(t, test_claims_username_type);
	tcase_add_test(t, test_claims_username_unsafe_allowed);
	tcase_add_test(t, test_claims_username_other_claim);
	suite_add_tcase(s, t);

	return s;
}

int
main(void)
{
	return tu_run(claims_suite());
}
