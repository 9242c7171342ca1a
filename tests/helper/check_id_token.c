/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The browser login's ID token check (helper/net/id_token.c, OpenID
 * Connect Core 3.1.3.7): a good RS256 and ES256 token pass and give sub
 * and the user name; each crafted token fails for its own reason (the
 * code and a piece of the message), and no message holds token bytes.
 * Keys are the test tree's (tests/data, PB_TESTDATA), tokens signed by
 * the test utilities (OpenSSL directly); time is given; no network.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "checkmain.h"
#include "err.h"
#include "id_token.h"
#include "secmem.h"
#include "testutil.h"

#define NOW	1800000000
#define ISS	"https://idp.example/realms/x/"
#define CLIENT	"bearer-cli"
#define NONCE	"n-0S6_WzA2Mj"

static EVP_PKEY *rsa, *rsa2, *ec;
static char *jwks;		/* rsa as "r1", ec as "e1" */
static char *jwks_nokid;	/* rsa2 and rsa, neither with a kid */

/* Claims of a good token; tests change them. */
static cJSON *
good_claims(void)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "iss", ISS);
	cJSON_AddStringToObject(c, "aud", CLIENT);
	cJSON_AddNumberToObject(c, "exp", NOW + 300);
	cJSON_AddNumberToObject(c, "iat", NOW - 5);
	cJSON_AddStringToObject(c, "nonce", NONCE);
	cJSON_AddStringToObject(c, "sub", "f81d4fae-7dec");
	cJSON_AddStringToObject(c, "preferred_username", "alice");
	cJSON_AddStringToObject(c, "email", "alice@example.org");
	return c;
}

/* Sign claims text with pkey by alg under header text into tok. */
static void
sign_text(EVP_PKEY *pkey, const char *alg, const char *hdr,
    const char *claims, struct pb_secret *tok)
{
	tok->p = tu_sign(alg, pkey, NULL, 0, hdr, claims);
	tok->len = strlen(tok->p);
}

/* A token of claims (freed here) signed by the rsa key, kid r1. */
static void
sign_rs(cJSON *claims, const char *hdr, struct pb_secret *tok)
{
	char *c = cJSON_PrintUnformatted(claims);

	sign_text(rsa, "RS256", hdr != NULL ? hdr :
	    "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"r1\"}", c, tok);
	free(c);
	cJSON_Delete(claims);
}

/* Verify tok against set; the code, with out and the message in e. */
static int
verify(const char *set, const struct pb_secret *tok,
    struct pb_id_claims *out, struct pb_err *e)
{
	pb_err_clear(e);
	return pb_id_token_verify(set, strlen(set), ISS, CLIENT, NONCE, tok,
	    NOW, out, e);
}

/* tok fails with code and a message holding piece, and no token bytes. */
static void
refused_by(const char *set, struct pb_secret *tok, int code,
    const char *piece)
{
	struct pb_id_claims out = { NULL, NULL };
	struct pb_err e;
	int r = verify(set, tok, &out, &e);

	ck_assert_msg(r == code, "code %d (%s), want %d", r, pb_err_msg(&e),
	    code);
	ck_assert_msg(strstr(pb_err_msg(&e), piece) != NULL,
	    "message '%s' lacks '%s'", pb_err_msg(&e), piece);
	ck_assert_msg(strstr(pb_err_msg(&e), "eyJ") == NULL,
	    "message quotes the token: %s", pb_err_msg(&e));
	ck_assert_ptr_null(out.subject);
	ck_assert_ptr_null(out.username);
	pb_secret_clear(tok);
}

/* claims (freed here) signed with rsa, refused for code and piece. */
static void
claims_refused(cJSON *claims, int code, const char *piece)
{
	struct pb_secret tok;

	sign_rs(claims, NULL, &tok);
	refused_by(jwks, &tok, code, piece);
}

/* tok passes against set, giving sub and username (NULL: none). */
static void
passes(const char *set, struct pb_secret *tok, const char *username)
{
	struct pb_id_claims out;
	struct pb_err e;

	ck_assert_msg(verify(set, tok, &out, &e) == PB_OK, "%s",
	    pb_err_msg(&e));
	ck_assert_str_eq(out.subject, "f81d4fae-7dec");
	if (username == NULL)
		ck_assert_ptr_null(out.username);
	else
		ck_assert_str_eq(out.username, username);
	pb_id_claims_clear(&out);
	ck_assert_ptr_null(out.subject);
	ck_assert_ptr_null(out.username);
	pb_secret_clear(tok);
}

START_TEST(test_rs256_good)
{
	struct pb_secret tok;

	sign_rs(good_claims(), NULL, &tok);
	passes(jwks, &tok, "alice");
}
END_TEST

START_TEST(test_es256_good_email)
{
	struct pb_secret tok;
	cJSON *c = good_claims();
	char *s;

	/* Two audiences with azp ours; no preferred_username: email. */
	cJSON_DeleteItemFromObject(c, "preferred_username");
	cJSON_ReplaceItemInObject(c, "aud", cJSON_Parse("[\"" CLIENT "\","
	    "\"https://api.example\"]"));
	cJSON_AddStringToObject(c, "azp", CLIENT);
	s = cJSON_PrintUnformatted(c);
	sign_text(ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"e1\"}", s, &tok);
	free(s);
	cJSON_Delete(c);
	passes(jwks, &tok, "alice@example.org");
}
END_TEST

START_TEST(test_no_name)
{
	struct pb_secret tok;
	cJSON *c = good_claims();

	cJSON_DeleteItemFromObject(c, "preferred_username");
	cJSON_DeleteItemFromObject(c, "email");
	sign_rs(c, NULL, &tok);
	passes(jwks, &tok, NULL);
}
END_TEST

/* A signature byte changed (a valid base64url character for another). */
static void
corrupt(struct pb_secret *tok)
{
	char *c = tok->p + tok->len - 10;

	*c = *c == 'A' ? 'B' : 'A';
}

/* No kid, two RSA keys: the common rule tries each that fits. */
START_TEST(test_nokid_two_keys)
{
	struct pb_secret tok;

	sign_rs(good_claims(), "{\"alg\":\"RS256\"}", &tok);
	passes(jwks_nokid, &tok, "alice");
	/* Signed by neither: the message says both were tried. */
	sign_rs(good_claims(), "{\"alg\":\"RS256\"}", &tok);
	corrupt(&tok);
	refused_by(jwks_nokid, &tok, PB_ERR_SIG, "any of the 2 keys");
}
END_TEST

START_TEST(test_bad_sig)
{
	struct pb_secret tok;

	sign_rs(good_claims(), NULL, &tok);
	corrupt(&tok);
	refused_by(jwks, &tok, PB_ERR_SIG, "signature does not verify");
}
END_TEST

/* The good claims signed by alg with pkey or the HMAC key under hdr. */
static void
sign_good(EVP_PKEY *pkey, const char *alg, const char *hmac,
    const char *hdr, struct pb_secret *tok)
{
	cJSON *j = good_claims();
	char *c = cJSON_PrintUnformatted(j);

	tok->p = tu_sign(alg, pkey, hmac, hmac != NULL ? strlen(hmac) : 0,
	    hdr, c);
	tok->len = strlen(tok->p);
	free(c);
	cJSON_Delete(j);
}

/* Signed by another key under the kid of ours. */
START_TEST(test_other_key)
{
	struct pb_secret tok;

	sign_good(rsa2, "RS256", NULL, "{\"alg\":\"RS256\",\"kid\":\"r1\"}",
	    &tok);
	refused_by(jwks, &tok, PB_ERR_SIG, "signature does not verify");
}
END_TEST

START_TEST(test_alg_none)
{
	static const uint8_t sig[4] = { 1, 2, 3, 4 };
	struct pb_secret tok;
	cJSON *j = good_claims();
	char *c = cJSON_PrintUnformatted(j);

	/* A signature, so that the header is what refuses it. */
	tok.p = tu_token("{\"alg\":\"none\",\"kid\":\"r1\"}", c, sig,
	    sizeof(sig));
	tok.len = strlen(tok.p);
	free(c);
	cJSON_Delete(j);
	refused_by(jwks, &tok, PB_ERR_ALG, "never accepted");
}
END_TEST

/* HS256 keyed with the public JWK Set text: the old confusion attack. */
START_TEST(test_alg_hs256)
{
	struct pb_secret tok;

	sign_good(NULL, "HS256", jwks, "{\"alg\":\"HS256\",\"kid\":\"r1\"}",
	    &tok);
	refused_by(jwks, &tok, PB_ERR_ALG, "HS256, a shared secret");
}
END_TEST

START_TEST(test_unknown_kid)
{
	struct pb_secret tok;

	sign_rs(good_claims(), "{\"alg\":\"RS256\",\"kid\":\"r9\"}", &tok);
	refused_by(jwks, &tok, PB_ERR_NOKEY, "key 'r9' is not in");
}
END_TEST

START_TEST(test_typ_at_jwt)
{
	struct pb_secret tok;

	sign_rs(good_claims(), "{\"alg\":\"RS256\",\"kid\":\"r1\","
	    "\"typ\":\"at+JWT\"}", &tok);
	refused_by(jwks, &tok, PB_ERR_HEADER, "an access token");
}
END_TEST

START_TEST(test_payload_not_json)
{
	struct pb_secret tok;

	sign_text(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"r1\"}",
	    "{\"sub\":\"x\",", &tok);
	refused_by(jwks, &tok, PB_ERR_FORMAT, "payload");
}
END_TEST

START_TEST(test_jwks_not_json)
{
	struct pb_secret tok;

	sign_rs(good_claims(), NULL, &tok);
	refused_by("<html>503</html>", &tok, PB_ERR_FORMAT, "JWK Set "
	    "(jwks_uri) is unusable");
}
END_TEST

START_TEST(test_no_token)
{
	struct pb_secret tok = { NULL, 0 };

	refused_by(jwks, &tok, PB_ERR_FORMAT, "sent none");
}
END_TEST

/* Set claim name of the good claims to the JSON text v (NULL: drop). */
static cJSON *
with(const char *name, const char *v)
{
	cJSON *c = good_claims();

	cJSON_DeleteItemFromObject(c, name);
	if (v != NULL)
		cJSON_AddItemToObject(c, name, cJSON_Parse(v));
	return c;
}

START_TEST(test_claims)
{
	claims_refused(with("iss", "\"https://evil.example/realms/x/\""),
	    PB_ERR_ISS, "is not the configured issuer");
	/* The issuer keeps its trailing slash (LemonLDAP::NG). */
	claims_refused(with("iss", "\"https://idp.example/realms/x\""),
	    PB_ERR_ISS, "is not the configured issuer");
	claims_refused(with("aud", "\"other-client\""), PB_ERR_AUD,
	    "aud does not contain");
	claims_refused(with("aud", "[\"" CLIENT "\",\"api\"]"), PB_ERR_AUD,
	    "no azp");
	claims_refused(with("azp", "\"other-client\""), PB_ERR_AUD,
	    "another client");
	claims_refused(with("nonce", NULL), PB_ERR_CLAIM, "no nonce");
	claims_refused(with("nonce", "\"n-0S6_WzA2Mk\""), PB_ERR_CLAIM,
	    "not the one this login sent");
	claims_refused(with("nonce", "\"n-0S6_WzA2Mj+\""), PB_ERR_CLAIM,
	    "not the one this login sent");
	claims_refused(with("exp", "1799999000"), PB_ERR_EXPIRED, "expired");
	claims_refused(with("exp", NULL), PB_ERR_CLAIM, "no exp");
	claims_refused(with("iat", NULL), PB_ERR_CLAIM, "no iat");
	claims_refused(with("iat", "1800000100"), PB_ERR_NOTYET, "future");
	claims_refused(with("sub", NULL), PB_ERR_CLAIM, "no sub");
	claims_refused(with("sub", "\"\""), PB_ERR_CLAIM, "no sub");
}
END_TEST

/* Within the leeway both ways: exp just past, iat just ahead. */
START_TEST(test_leeway)
{
	struct pb_secret tok;
	cJSON *c = good_claims();

	cJSON_ReplaceItemInObject(c, "exp", cJSON_CreateNumber(NOW - 30));
	cJSON_ReplaceItemInObject(c, "iat", cJSON_CreateNumber(NOW + 30));
	sign_rs(c, NULL, &tok);
	passes(jwks, &tok, "alice");
}
END_TEST

static Suite *
id_token_suite(void)
{
	Suite *s = suite_create("id_token");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_test(tc, test_rs256_good);
	tcase_add_test(tc, test_es256_good_email);
	tcase_add_test(tc, test_no_name);
	tcase_add_test(tc, test_nokid_two_keys);
	tcase_add_test(tc, test_leeway);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_test(tc, test_bad_sig);
	tcase_add_test(tc, test_other_key);
	tcase_add_test(tc, test_alg_none);
	tcase_add_test(tc, test_alg_hs256);
	tcase_add_test(tc, test_unknown_kid);
	tcase_add_test(tc, test_typ_at_jwt);
	tcase_add_test(tc, test_payload_not_json);
	tcase_add_test(tc, test_jwks_not_json);
	tcase_add_test(tc, test_no_token);
	tcase_add_test(tc, test_claims);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char *r1, *e1, *a, *b;
	int rv;

	rsa = tu_load_key("rsa2048");
	rsa2 = tu_load_key("rsa2048b");
	ec = tu_load_key("ec256");
	r1 = tu_jwk(rsa, "r1", NULL, "sig");
	e1 = tu_jwk(ec, "e1", NULL, "sig");
	a = tu_jwk(rsa2, NULL, NULL, NULL);
	b = tu_jwk(rsa, NULL, NULL, NULL);
	jwks = tu_jwks(r1, e1, NULL);
	jwks_nokid = tu_jwks(a, b, NULL);
	free(r1);
	free(e1);
	free(a);
	free(b);
	rv = tu_run(id_token_suite());
	free(jwks);
	free(jwks_nokid);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
	return rv;
}
