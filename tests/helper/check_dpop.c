/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/net/dpop.c: the DPoP key and its proofs.  A proof is checked the
 * way the module will: split by common/jws.c, its header's jwk loaded by
 * common/jwk.c's loader, the signature verified with that key; the claims
 * read back with cJSON; ath and the thumbprint recomputed here from their
 * definitions (RFC 9449 4.2, RFC 7638 3.2), with SHA-256 of "abc" as a
 * fixed vector for ath.  Last, the module's own check (common/pop.c)
 * takes the helper's proof.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "checkmain.h"
#include "dpop.h"
#include "err.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "jwt.h"
#include "conf.h"
#include "pop.h"
#include "secmem.h"
#include "strlist.h"

#define NOW	((int64_t)1767225600)	/* 2026-01-01T00:00:00Z */
#define HTU	"https://idp.example/token"
/* SHA-256("abc"), FIPS 180-2 B.1, in base64url. */
#define ATH_ABC	"ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"

static struct pb_dpop_key *key;
static struct pb_secret proof, text;
static struct pb_jws *jws;
static struct pb_err err;

static void
setup(void)
{
	memset(&err, 0, sizeof(err));
	proof.p = text.p = NULL;
	proof.len = text.len = 0;
	jws = NULL;
	ck_assert_int_eq(pb_dpop_key_new(&key, &err), PB_OK);
}

static void
teardown(void)
{
	pb_dpop_key_free(key);
	key = NULL;
	pb_secret_clear(&proof);
	pb_secret_clear(&text);
	pb_jws_free(jws);
	jws = NULL;
}

/* Parse proof into jws and verify it with its own header's jwk. */
static void
verify_proof(void)
{
	const cJSON *j;
	struct pb_jwk *pub = NULL;

	ck_assert_int_eq(pb_jws_parse(proof.p, proof.len, 8192, &jws, &err),
	    PB_OK);
	ck_assert_ptr_nonnull(jws->alg);
	ck_assert_str_eq(jws->alg_name, "ES256");
	ck_assert_str_eq(pb_json_get_string(jws->header, "typ"), "dpop+jwt");
	j = pb_json_get(jws->header, "jwk");
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(pb_jwk_from_json(j, 0, &pub, &err), PB_OK);
	ck_assert_int_eq(pb_jws_verify(jws, pub, &err), PB_OK);
	pb_jwk_free(pub);
}

/* The proof's claims, parsed; cJSON_Delete() them. */
static cJSON *
claims(void)
{
	cJSON *c = NULL;

	ck_assert_int_eq(pb_json_parse((const char *)jws->payload,
	    jws->payload_len, 8192, "claims", &c, &err), PB_OK);
	return c;
}

START_TEST(test_dpop_roundtrip)
{
	struct pb_dpop_key *back = NULL;
	struct pb_secret again = { NULL, 0 };
	char t1[PB_DPOP_THUMB_LEN + 1], t2[PB_DPOP_THUMB_LEN + 1];
	cJSON *j = NULL;

	ck_assert_int_eq(pb_dpop_key_to_json(key, &text, &err), PB_OK);
	ck_assert_uint_eq(strlen(text.p), text.len);
	ck_assert_int_eq(pb_json_parse(text.p, text.len, 4096, "key", &j,
	    &err), PB_OK);
	ck_assert_str_eq(pb_json_get_string(j, "kty"), "EC");
	ck_assert_str_eq(pb_json_get_string(j, "crv"), "P-256");
	ck_assert_uint_eq(strlen(pb_json_get_string(j, "d")), 43);
	cJSON_Delete(j);
	ck_assert_int_eq(pb_dpop_key_from_json(text.p, text.len, &back, &err),
	    PB_OK);
	ck_assert_int_eq(pb_dpop_key_thumbprint(key, t1, &err), PB_OK);
	ck_assert_int_eq(pb_dpop_key_thumbprint(back, t2, &err), PB_OK);
	ck_assert_uint_eq(strlen(t1), PB_DPOP_THUMB_LEN);
	ck_assert_str_eq(t1, t2);
	/* The same private key comes back: the same JWK text. */
	ck_assert_int_eq(pb_dpop_key_to_json(back, &again, &err), PB_OK);
	ck_assert_str_eq(again.p, text.p);
	pb_secret_clear(&again);
	pb_dpop_key_free(back);
}
END_TEST

/* A key from JSON that must be refused, with code want. */
static void
refused(const char *json, int want)
{
	struct pb_dpop_key *k = (struct pb_dpop_key *)&err;

	ck_assert_int_eq(pb_dpop_key_from_json(json, strlen(json), &k, &err),
	    want);
	ck_assert_ptr_null(k);
	ck_assert_ptr_null(strstr(err.msg, "\"d\":"));
}

/* Member name of the key's JSON replaced by value (a JSON text). */
static char *
with_member(const char *name, const char *value)
{
	cJSON *j = NULL;
	char *s;

	ck_assert_int_eq(pb_json_parse(text.p, text.len, 4096, "key", &j,
	    &err), PB_OK);
	cJSON_DeleteItemFromObjectCaseSensitive(j, name);
	if (value != NULL)
		cJSON_AddItemToObject(j, name, cJSON_Parse(value));
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

START_TEST(test_dpop_key_refused)
{
	struct pb_dpop_key *other = NULL;
	struct pb_secret ot = { NULL, 0 };
	cJSON *j = NULL;
	char *s, *d;

	ck_assert_int_eq(pb_dpop_key_to_json(key, &text, &err), PB_OK);
	refused("{}", PB_ERR_KEY);
	refused("{\"kty\":\"EC\"", PB_ERR_FORMAT);
	s = with_member("d", NULL);
	refused(s, PB_ERR_FORMAT);
	free(s);
	s = with_member("crv", "\"P-384\"");
	refused(s, PB_ERR_KEY);
	free(s);
	s = with_member("x", "\"AAAA\"");
	refused(s, PB_ERR_FORMAT);
	free(s);
	/* Another key's d with this key's point. */
	ck_assert_int_eq(pb_dpop_key_new(&other, &err), PB_OK);
	ck_assert_int_eq(pb_dpop_key_to_json(other, &ot, &err), PB_OK);
	ck_assert_int_eq(pb_json_parse(ot.p, ot.len, 4096, "key", &j, &err),
	    PB_OK);
	d = cJSON_PrintUnformatted(pb_json_get(j, "d"));
	s = with_member("d", d);
	refused(s, PB_ERR_KEY);
	free(s);
	free(d);
	cJSON_Delete(j);
	pb_secret_clear(&ot);
	pb_dpop_key_free(other);
}
END_TEST

START_TEST(test_dpop_proof_verifies)
{
	static char abc[] = "abc";
	struct pb_secret tok = { abc, 3 };
	const cJSON *jwk;
	cJSON *c;

	ck_assert_int_eq(pb_dpop_proof(key, "POST", HTU, NOW, "n-0S6_WzA2Mj",
	    &tok, &proof, &err), PB_OK);
	ck_assert_uint_eq(strlen(proof.p), proof.len);
	verify_proof();
	/* The header's jwk is public: kty, crv, x, y and nothing else. */
	jwk = pb_json_get(jws->header, "jwk");
	ck_assert_int_eq(cJSON_GetArraySize(jwk), 4);
	ck_assert_ptr_null(pb_json_get(jwk, "d"));
	ck_assert_str_eq(pb_json_get_string(jwk, "crv"), "P-256");
	ck_assert_int_eq(cJSON_GetArraySize(jws->header), 3);
	c = claims();
	ck_assert_str_eq(pb_json_get_string(c, "htm"), "POST");
	ck_assert_str_eq(pb_json_get_string(c, "htu"), HTU);
	ck_assert_str_eq(pb_json_get_string(c, "nonce"), "n-0S6_WzA2Mj");
	ck_assert_str_eq(pb_json_get_string(c, "ath"), ATH_ABC);
	ck_assert_uint_ge(strlen(pb_json_get_string(c, "jti")), 22);
	ck_assert(cJSON_IsNumber(pb_json_get(c, "iat")));
	ck_assert(pb_json_get(c, "iat")->valuedouble == (double)NOW);
	cJSON_Delete(c);
}
END_TEST

START_TEST(test_dpop_proof_no_nonce_no_ath)
{
	cJSON *c;

	ck_assert_int_eq(pb_dpop_proof(key, "SSH", "ssh://a.example", NOW,
	    NULL, NULL, &proof, &err), PB_OK);
	verify_proof();
	c = claims();
	ck_assert_ptr_null(pb_json_get(c, "nonce"));
	ck_assert_ptr_null(pb_json_get(c, "ath"));
	ck_assert_int_eq(cJSON_GetArraySize(c), 4);
	ck_assert_str_eq(pb_json_get_string(c, "htm"), "SSH");
	cJSON_Delete(c);
}
END_TEST

START_TEST(test_dpop_proof_tampered)
{
	struct pb_jwk *pub = NULL;
	char *dot;

	ck_assert_int_eq(pb_dpop_proof(key, "POST", HTU, NOW, NULL, NULL,
	    &proof, &err), PB_OK);
	/* Change one character of the claims: the signature must fail. */
	dot = strchr(proof.p, '.');
	ck_assert_ptr_nonnull(dot);
	dot[1] = dot[1] == 'e' ? 'f' : 'e';
	ck_assert_int_eq(pb_jws_parse(proof.p, proof.len, 8192, &jws, &err),
	    PB_OK);
	ck_assert_int_eq(pb_jwk_from_json(pb_json_get(jws->header, "jwk"), 0,
	    &pub, &err), PB_OK);
	ck_assert_int_eq(pb_jws_verify(jws, pub, &err), PB_ERR_SIG);
	pb_jwk_free(pub);
}
END_TEST

START_TEST(test_dpop_proof_jti_differs)
{
	struct pb_secret p2 = { NULL, 0 };
	cJSON *c1, *c2;

	ck_assert_int_eq(pb_dpop_proof(key, "POST", HTU, NOW, NULL, NULL,
	    &proof, &err), PB_OK);
	verify_proof();
	c1 = claims();
	pb_jws_free(jws);
	jws = NULL;
	pb_secret_clear(&proof);
	ck_assert_int_eq(pb_dpop_proof(key, "POST", HTU, NOW, NULL, NULL,
	    &p2, &err), PB_OK);
	proof = p2;
	verify_proof();
	c2 = claims();
	ck_assert_str_ne(pb_json_get_string(c1, "jti"),
	    pb_json_get_string(c2, "jti"));
	cJSON_Delete(c1);
	cJSON_Delete(c2);
}
END_TEST

/* RFC 7638 recomputed from the proof header's jwk. */
START_TEST(test_dpop_thumbprint)
{
	char tp[PB_DPOP_THUMB_LEN + 1], canon[256], *want = NULL;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const cJSON *jwk;
	int n;

	ck_assert_int_eq(pb_dpop_key_thumbprint(key, tp, &err), PB_OK);
	ck_assert_int_eq(pb_dpop_proof(key, "POST", HTU, NOW, NULL, NULL,
	    &proof, &err), PB_OK);
	verify_proof();
	jwk = pb_json_get(jws->header, "jwk");
	n = snprintf(canon, sizeof(canon),
	    "{\"crv\":\"%s\",\"kty\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}",
	    pb_json_get_string(jwk, "crv"), pb_json_get_string(jwk, "kty"),
	    pb_json_get_string(jwk, "x"), pb_json_get_string(jwk, "y"));
	ck_assert_int_lt(n, (int)sizeof(canon));
	ck_assert_int_eq(EVP_Digest(canon, (size_t)n, md, &mdlen,
	    EVP_sha256(), NULL), 1);
	ck_assert_int_eq(pb_b64url_encode(md, mdlen, &want), PB_OK);
	ck_assert_str_eq(tp, want);
	free(want);
}
END_TEST

/* An unsigned-looking JWT whose claims are the JSON text claims. */
static struct pb_secret
fake_jwt(const char *claims)
{
	static const char hdr[] = "{\"alg\":\"ES256\"}";
	struct pb_secret t = { NULL, 0 };
	char *h = NULL, *c = NULL;

	ck_assert_int_eq(pb_b64url_encode((const uint8_t *)hdr,
	    sizeof(hdr) - 1, &h), PB_OK);
	ck_assert_int_eq(pb_b64url_encode((const uint8_t *)claims,
	    strlen(claims), &c), PB_OK);
	t.len = strlen(h) + strlen(c) + 6;
	t.p = malloc(t.len + 1);
	ck_assert_ptr_nonnull(t.p);
	(void)snprintf(t.p, t.len + 1, "%s.%s.AAAA", h, c);
	free(h);
	free(c);
	return t;
}

/* cnf.jkt of the key, of another key, none, and not a JWT at all. */
START_TEST(test_dpop_binds)
{
	char tp[PB_DPOP_THUMB_LEN + 1], claims[128];
	struct pb_secret t;
	static char opaque[] = "an-opaque-token";
	struct pb_secret op = { opaque, sizeof(opaque) - 1 };

	ck_assert_int_eq(pb_dpop_key_thumbprint(key, tp, &err), PB_OK);
	(void)snprintf(claims, sizeof(claims), "{\"cnf\":{\"jkt\":\"%s\"}}",
	    tp);
	t = fake_jwt(claims);
	ck_assert_int_eq(pb_dpop_key_binds(key, &t, &err), PB_OK);
	pb_secret_clear(&t);
	tp[0] = tp[0] == 'A' ? 'B' : 'A';
	(void)snprintf(claims, sizeof(claims), "{\"cnf\":{\"jkt\":\"%s\"}}",
	    tp);
	t = fake_jwt(claims);
	ck_assert_int_eq(pb_dpop_key_binds(key, &t, &err), PB_ERR_CLAIM);
	ck_assert_ptr_nonnull(strstr(err.msg, "another key"));
	pb_secret_clear(&t);
	t = fake_jwt("{\"sub\":\"alice\"}");
	ck_assert_int_eq(pb_dpop_key_binds(key, &t, &err), PB_ERR_CLAIM);
	ck_assert_ptr_nonnull(strstr(err.msg, "no cnf.jkt"));
	pb_secret_clear(&t);
	ck_assert_int_eq(pb_dpop_key_binds(key, &op, &err), PB_ERR_FORMAT);
}
END_TEST

/*
 * What the module says of a login proof for the token t bound to the key
 * (common/pop.c, the rules of DESIGN.md section 5), on host_names
 * "b.example b" with the module's defaults.
 */
static int
module_says(const struct pb_secret *t, const struct pb_secret *p,
    const char *nonce, int64_t now)
{
	char tp[PB_DPOP_THUMB_LEN + 1];
	struct pb_strlist names;
	struct pb_conf *cfg = NULL;
	struct pb_jwt jwt;
	int r;

	memset(&jwt, 0, sizeof(jwt));
	memset(&names, 0, sizeof(names));
	ck_assert_int_eq(pb_dpop_key_thumbprint(key, tp, &err), PB_OK);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(pb_strlist_split("b.example b", &names, NULL), PB_OK);
	ck_assert_int_eq(pb_jws_parse(t->p, t->len, 8192, &jwt.jws, &err),
	    PB_OK);
	jwt.cnf_jkt = tp;
	jwt.exp = NOW + 600;	/* judged again when the proof comes */
	r = pb_pop_verify(cfg, &jwt, p->p, p->len, nonce, &names, now, &err);
	pb_jws_free(jwt.jws);
	pb_strlist_clear(&names);
	pb_conf_free(cfg);
	return r;
}

/* The module accepts the proof for its host, nonce and token only. */
START_TEST(test_dpop_module_accepts)
{
	static const char n[] = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";
	struct pb_secret t = fake_jwt("{\"sub\":\"alice\"}");
	struct pb_secret other = fake_jwt("{\"sub\":\"bob\"}");

	ck_assert_int_eq(pb_dpop_proof(key, "SSH", "ssh://b.example", NOW, n,
	    &t, &proof, &err), PB_OK);
	ck_assert_msg(module_says(&t, &proof, n, NOW) == PB_OK, "%s",
	    pb_err_msg(&err));
	ck_assert_int_ne(module_says(&other, &proof, n, NOW), PB_OK);
	ck_assert_int_ne(module_says(&t, &proof, "another-nonce", NOW), PB_OK);
	ck_assert_int_ne(module_says(&t, &proof, n, NOW + 3600), PB_OK);
	pb_secret_clear(&proof);
	ck_assert_int_eq(pb_dpop_proof(key, "SSH", "ssh://a.example", NOW, n,
	    &t, &proof, &err), PB_OK);
	ck_assert_int_ne(module_says(&t, &proof, n, NOW), PB_OK);
	pb_secret_clear(&t);
	pb_secret_clear(&other);
}
END_TEST

static Suite *
dpop_suite(void)
{
	Suite *s = suite_create("dpop");
	TCase *tc;

	tc = tcase_create("key");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dpop_roundtrip);
	tcase_add_test(tc, test_dpop_key_refused);
	tcase_add_test(tc, test_dpop_thumbprint);
	tcase_add_test(tc, test_dpop_binds);
	suite_add_tcase(s, tc);

	tc = tcase_create("proof");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dpop_proof_verifies);
	tcase_add_test(tc, test_dpop_proof_no_nonce_no_ath);
	tcase_add_test(tc, test_dpop_proof_tampered);
	tcase_add_test(tc, test_dpop_proof_jti_differs);
	tcase_add_test(tc, test_dpop_module_accepts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(dpop_suite());
}
