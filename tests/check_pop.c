/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common/pop: the login proof of DESIGN.md section 5.  A token signed by
 * the IdP's test key and bound (cnf.jkt) to a proof key, verified by
 * pb_jwt_verify(); then one crafted proof per rule, signed with testutil
 * (OpenSSL directly), the thumbprints (tu_jwk_thumbprint()) and ath
 * computed apart from common/.
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
#include "conf.h"
#include "err.h"
#include "jwk.h"
#include "jwt.h"
#include "pop.h"
#include "strlist.h"
#include "testutil.h"

#define NOW	INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define ISS	"https://idp.example.com"
#define AUD	"ssh"
#define NONCE	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define HTU	"ssh://b.example"

static char *dir;
static struct pb_conf *cfg;
static struct pb_verifier *ver;
static struct pb_jwt *jwt;
static char *tok;		/* the bound token jwt came from */
static struct pb_strlist names;	/* host_names: "b.example b" */
static struct pb_err err;
static EVP_PKEY *idp;		/* signs tokens */

/* base64url(SHA-256(s)): the ath of a token. */
static char *
ath_of(const char *s)
{
	unsigned char md[32];
	unsigned mdlen = 0;

	ck_assert(EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL));
	return tu_b64url(md, mdlen);
}

/* A token of the IdP with cnf (raw JSON, or none when NULL). */
static char *
token(const char *cnf)
{
	char *claims = tu_asprintf("{\"iss\":\"" ISS "\",\"sub\":\"alice\","
	    "\"aud\":\"" AUD "\",\"exp\":1800003600,\"iat\":1800000000,"
	    "\"jti\":\"jti-1\"%s%s}", cnf != NULL ? ",\"cnf\":" : "",
	    cnf != NULL ? cnf : "");
	char *t = tu_sign("RS256", idp, NULL, 0,
	    "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"rsa1\"}", claims);

	free(claims);
	return t;
}

/* Verify a token bound to k (or unbound, k NULL) into jwt and tok. */
static void
bind_to(EVP_PKEY *k)
{
	char *tp = k != NULL ? tu_jwk_thumbprint(k) : NULL;
	char *cnf = k != NULL ? tu_asprintf("{\"jkt\":\"%s\"}", tp) : NULL;
	int r;

	pb_jwt_free(jwt);
	free(tok);
	tok = token(cnf);
	jwt = NULL;
	r = pb_jwt_verify(ver, tok, strlen(tok), NOW, &jwt, &err);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&err));
	if (k != NULL)
		ck_assert_str_eq(jwt->cnf_jkt, tp);
	else
		ck_assert_ptr_null(jwt->cnf_jkt);
	free(cnf);
	free(tp);
}

static void
setup(void)
{
	char *jwk, *set, *text;
	int r;

	cfg = NULL;
	ver = NULL;
	jwt = NULL;
	tok = NULL;
	memset(&names, 0, sizeof(names));
	pb_err_clear(&err);
	idp = tu_load_key("rsa2048");
	dir = tu_tmpdir();
	jwk = tu_jwk(idp, "rsa1", "RS256", "sig");
	set = tu_jwks(jwk, NULL);
	free(tu_write_file(dir, "jwks.json", set, 0644));
	text = tu_asprintf("issuer = %s\naudience = %s\n"
	    "jwks_file = %s/jwks.json\nleeway = 30\n", ISS, AUD, dir);
	free(tu_write_file(dir, "pam_bearer.conf", text, 0644));
	free(text);
	text = tu_asprintf("%s/pam_bearer.conf", dir);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(pb_conf_load(cfg, text, NULL, NULL), PB_OK);
	ck_assert_int_eq(pb_conf_check(cfg, NULL, NULL), PB_OK);
	r = pb_verifier_new(cfg, NULL, NULL, &ver, &err);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&err));
	ck_assert_int_eq(pb_strlist_split("b.example b", &names, NULL), PB_OK);
	free(text);
	free(set);
	free(jwk);
}

static void
teardown(void)
{
	pb_jwt_free(jwt);
	pb_verifier_free(ver);
	pb_conf_free(cfg);
	pb_strlist_clear(&names);
	EVP_PKEY_free(idp);
	tu_rmtree(dir);
	free(dir);
	free(tok);
}

/* The claims of a good proof for tok, edited by the caller. */
static char *
claims(void)
{
	char *ath = ath_of(tok);
	char *c = tu_asprintf("{\"jti\":\"p-1\",\"htm\":\"SSH\",\"htu\":\""
	    HTU "\",\"iat\":%lld,\"nonce\":\"" NONCE "\",\"ath\":\"%s\"}",
	    (long long)NOW, ath);

	free(ath);
	return c;
}

/* The header of a good proof by k under alg. */
static char *
header(const char *alg, EVP_PKEY *k)
{
	char *jwk = tu_jwk(k, NULL, NULL, NULL);
	char *h = tu_asprintf("{\"typ\":\"dpop+jwt\",\"alg\":\"%s\","
	    "\"jwk\":%s}", alg, jwk);

	free(jwk);
	return h;
}

/* Replace text by tu_json_set(text, name, raw), freeing the old. */
static char *
set(char *text, const char *name, const char *raw)
{
	char *s = tu_json_set(text, name, raw);

	free(text);
	return s;
}

/* Sign header h and claims c (both freed) under alg with k. */
static char *
sign(const char *alg, EVP_PKEY *k, char *h, char *c)
{
	char *p = tu_sign(alg, k, NULL, 0, h, c);

	free(h);
	free(c);
	return p;
}

static int
check(const char *proof)
{
	pb_err_clear(&err);
	return pb_pop_verify(cfg, jwt, proof, strlen(proof), NONCE, &names,
	    NOW, &err);
}

/* The proof is refused with code, the message holding what. */
static void
refused(char *proof, int code, const char *what)
{
	int r = check(proof);

	ck_assert_msg(r == code, "got %s, not %s (%s)", pb_strerror(r),
	    pb_strerror(code), pb_err_msg(&err));
	ck_assert_msg(strstr(pb_err_msg(&err), what) != NULL,
	    "'%s' not in '%s'", what, pb_err_msg(&err));
	free(proof);
}

static void
accepted(char *proof)
{
	int r = check(proof);

	ck_assert_msg(r == PB_OK, "%s: %s", pb_strerror(r),
	    pb_err_msg(&err));
	free(proof);
}

/* A proof by the key of test key file name, with claims edited. */
static char *
proof_by(EVP_PKEY *k, const char *alg, const char *claim, const char *raw)
{
	char *c = claims();

	if (claim != NULL)
		c = set(c, claim, raw);
	return sign(alg, k, header(alg, k), c);
}

/* The good ones ---------------------------------------------------------- */

static void
good(const char *keyname, const char *alg)
{
	EVP_PKEY *k = tu_load_key(keyname);

	bind_to(k);
	accepted(proof_by(k, alg, NULL, NULL));
	/* The host part in any case; the second name. */
	accepted(proof_by(k, alg, "htu", "\"ssh://B.Example\""));
	accepted(proof_by(k, alg, "htu", "\"ssh://b\""));
	EVP_PKEY_free(k);
}

START_TEST(test_pop_good_es256)
{
	good("ec256", "ES256");
}
END_TEST

START_TEST(test_pop_good_eddsa)
{
	good("ed25519", "EdDSA");
	good("ed25519", "Ed25519");
}
END_TEST

START_TEST(test_pop_good_rs256)
{
	good("rsa2048b", "RS256");
}
END_TEST

START_TEST(test_pop_good_es384_typ_case)
{
	EVP_PKEY *k = tu_load_key("ec384");

	bind_to(k);
	/* typ is a media type: any case. */
	accepted(sign("ES384", k, set(header("ES384", k), "typ",
	    "\"DPoP+JWT\""), claims()));
	EVP_PKEY_free(k);
}
END_TEST

/* Binding ---------------------------------------------------------------- */

START_TEST(test_pop_unbound)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(NULL);
	refused(proof_by(k, "ES256", NULL, NULL), PB_ERR_POLICY,
	    "proof required");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_empty)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(tu_strdup(""), PB_ERR_POLICY, "proof required");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_other_key)
{
	EVP_PKEY *k = tu_load_key("ec256"), *o = tu_genkey("ec256");

	/* A valid proof by another key: its thumbprint is not cnf.jkt. */
	bind_to(k);
	refused(proof_by(o, "ES256", NULL, NULL), PB_ERR_KEY,
	    "proof key is not the token's");
	EVP_PKEY_free(o);
	EVP_PKEY_free(k);
}
END_TEST

/* Size and form ---------------------------------------------------------- */

START_TEST(test_pop_too_big)
{
	EVP_PKEY *k = tu_load_key("ec256");
	char pad[3300], *p;

	bind_to(k);
	memset(pad, 'a', sizeof(pad) - 3);
	pad[0] = '"';
	pad[sizeof(pad) - 3] = '"';
	pad[sizeof(pad) - 2] = '\0';
	p = proof_by(k, "ES256", "pad", pad);
	ck_assert_uint_gt(strlen(p), 4096);
	ck_assert_uint_lt(strlen(p), 5000);
	refused(p, PB_ERR_TOOBIG, "over the limit of 4096");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_not_jws)
{
	EVP_PKEY *k = tu_load_key("ec256");
	char *p;

	bind_to(k);
	refused(tu_strdup("not a proof"), PB_ERR_FORMAT, "no compact JWS");
	p = proof_by(k, "ES256", NULL, NULL);
	*strrchr(p, '.') = '\0';
	refused(p, PB_ERR_FORMAT, "no compact JWS");
	EVP_PKEY_free(k);
}
END_TEST

/* Header ----------------------------------------------------------------- */

START_TEST(test_pop_typ)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(sign("ES256", k, set(header("ES256", k), "typ", "\"JWT\""),
	    claims()), PB_ERR_HEADER, "proof typ 'JWT' is not dpop+jwt");
	refused(sign("ES256", k, set(header("ES256", k), "typ", NULL),
	    claims()), PB_ERR_HEADER, "proof has no typ");
	refused(sign("ES256", k, set(header("ES256", k), "typ", "1"),
	    claims()), PB_ERR_HEADER, "proof has no typ");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_alg_none)
{
	EVP_PKEY *k = tu_load_key("ec256");
	char *p;

	bind_to(k);
	/* With some signature, so that the header is what is judged. */
	refused(sign("ES256", k, header("none", k), claims()), PB_ERR_ALG,
	    "proof alg 'none' is never accepted");
	refused(sign("ES256", k, header("NONE", k), claims()), PB_ERR_ALG,
	    "never accepted");
	/* As "none" is meant: no signature at all. */
	p = sign("none", k, header("none", k), claims());
	ck_assert_int_eq(p[strlen(p) - 1], '.');
	refused(p, PB_ERR_FORMAT, "signature is empty");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_alg_hs256)
{
	static const char secret[] = "0123456789abcdef0123456789abcdef";
	EVP_PKEY *k = tu_load_key("ec256");
	char *h, *c, *p;

	bind_to(k);
	h = header("HS256", k);
	c = claims();
	p = tu_sign("HS256", NULL, secret, 32, h, c);
	refused(p, PB_ERR_ALG, "proof alg HS256 is symmetric");
	free(h);
	free(c);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_alg_not_allowed)
{
	EVP_PKEY *k = tu_load_key("ed25519");

	bind_to(k);
	cfg->algorithms = pb_alg_by_name("ES256")->bit |
	    pb_alg_by_name("RS256")->bit;
	refused(proof_by(k, "EdDSA", NULL, NULL), PB_ERR_ALG,
	    "proof alg EdDSA is not in the allowlist");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_alg_wrong_key)
{
	EVP_PKEY *k = tu_load_key("ec256");

	/* A P-256 key under ES384: jws.c's rules refuse it. */
	bind_to(k);
	refused(sign("ES384", k, header("ES384", k), claims()), PB_ERR_ALG,
	    "proof jwk cannot verify ES384");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_alg_unknown)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(sign("ES256", k, header("ES256K", k), claims()), PB_ERR_ALG,
	    "proof alg 'ES256K' is not supported");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_crit)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(sign("ES256", k, set(header("ES256", k), "crit",
	    "[\"x\"]"), claims()), PB_ERR_HEADER, "crit");
	EVP_PKEY_free(k);
}
END_TEST

/* jwk -------------------------------------------------------------------- */

START_TEST(test_pop_jwk_missing)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(sign("ES256", k, set(header("ES256", k), "jwk", NULL),
	    claims()), PB_ERR_KEY, "proof header has no jwk");
	refused(sign("ES256", k, set(header("ES256", k), "jwk", "\"x\""),
	    claims()), PB_ERR_KEY, "proof header has no jwk");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_jwk_private)
{
	EVP_PKEY *k = tu_load_key("ec256"), *r = tu_load_key("rsa2048b");
	char *jwk;

	/* The private scalar beside the public key: refused, not ignored. */
	bind_to(k);
	jwk = set(tu_jwk(k, NULL, NULL, NULL), "d", "\"c2VjcmV0\"");
	refused(sign("ES256", k, set(header("ES256", k), "jwk", jwk),
	    claims()), PB_ERR_KEY, "proof jwk holds the private member 'd'");
	free(jwk);
	/* An RSA key with a CRT member. */
	bind_to(r);
	jwk = set(tu_jwk(r, NULL, NULL, NULL), "qi", "\"AQAB\"");
	refused(sign("RS256", r, set(header("RS256", r), "jwk", jwk),
	    claims()), PB_ERR_KEY, "private member 'qi'");
	free(jwk);
	EVP_PKEY_free(r);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_jwk_rsa1024)
{
	EVP_PKEY *k = tu_load_key("rsa1024");

	bind_to(k);
	refused(proof_by(k, "RS256", NULL, NULL), PB_ERR_KEY,
	    "RSA modulus of 1024 bits");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_jwk_not_on_curve)
{
	EVP_PKEY *k = tu_load_key("ec256");
	char *jwk = tu_jwk(k, NULL, NULL, NULL), *bad;
	uint8_t y[32];

	bind_to(k);
	memset(y, 0x11, sizeof(y));
	bad = tu_json_set_b64(jwk, "y", y, sizeof(y));
	refused(sign("ES256", k, set(header("ES256", k), "jwk", bad),
	    claims()), PB_ERR_KEY, "proof jwk refused");
	free(bad);
	free(jwk);
	EVP_PKEY_free(k);
}
END_TEST

/* Signature -------------------------------------------------------------- */

START_TEST(test_pop_bad_signature)
{
	EVP_PKEY *k = tu_load_key("ec256");
	char *p, *q, *s;

	bind_to(k);
	p = proof_by(k, "ES256", NULL, NULL);
	/* Another first character: still canonical base64url. */
	s = strrchr(p, '.') + 1;
	s[0] = s[0] == 'A' ? 'B' : 'A';
	refused(p, PB_ERR_SIG, "proof signature does not verify");
	/* Another proof's claims under this one's signature. */
	p = proof_by(k, "ES256", NULL, NULL);
	q = proof_by(k, "ES256", "jti", "\"p-2\"");
	s = tu_asprintf("%.*s%s", (int)(strrchr(q, '.') - q), q,
	    strrchr(p, '.'));
	refused(s, PB_ERR_SIG, "proof signature does not verify");
	free(q);
	free(p);
	EVP_PKEY_free(k);
}
END_TEST

/* Claims ----------------------------------------------------------------- */

START_TEST(test_pop_nonce)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(proof_by(k, "ES256", "nonce",
	    "\"BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\""), PB_ERR_CLAIM,
	    "proof nonce does not match the one sent");
	refused(proof_by(k, "ES256", "nonce", NULL), PB_ERR_CLAIM,
	    "proof has no nonce");
	refused(proof_by(k, "ES256", "nonce", "\"" NONCE "x\""),
	    PB_ERR_CLAIM, "nonce does not match");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_ath)
{
	EVP_PKEY *k = tu_load_key("ec256");
	char *other = token(NULL), *ath = ath_of(other), *raw;

	bind_to(k);
	raw = tu_asprintf("\"%s\"", ath);
	refused(proof_by(k, "ES256", "ath", raw), PB_ERR_CLAIM,
	    "proof ath does not match the token");
	refused(proof_by(k, "ES256", "ath", NULL), PB_ERR_CLAIM,
	    "proof has no ath");
	free(raw);
	free(ath);
	free(other);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_htm)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(proof_by(k, "ES256", "htm", "\"POST\""), PB_ERR_CLAIM,
	    "proof htm 'POST' is not SSH");
	refused(proof_by(k, "ES256", "htm", "\"ssh\""), PB_ERR_CLAIM,
	    "proof htm 'ssh' is not SSH");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_htu)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	refused(proof_by(k, "ES256", "htu", "\"ssh://a.example\""),
	    PB_ERR_CLAIM, "proof names host 'a.example', this host is "
	    "'b.example b'");
	refused(proof_by(k, "ES256", "htu", "\"ssh://b.example:22\""),
	    PB_ERR_CLAIM, "proof names host 'b.example:22'");
	refused(proof_by(k, "ES256", "htu", "\"ssh://b.example.\""),
	    PB_ERR_CLAIM, "proof names host");
	refused(proof_by(k, "ES256", "htu", "\"ssh://\""),
	    PB_ERR_CLAIM, "proof names host ''");
	refused(proof_by(k, "ES256", "htu", "\"https://b.example\""),
	    PB_ERR_CLAIM, "proof htu 'https://b.example' is not ssh://HOST");
	refused(proof_by(k, "ES256", "htu", "\"SSH://b.example\""),
	    PB_ERR_CLAIM, "is not ssh://HOST");
	refused(proof_by(k, "ES256", "htu", "\"ssh://a.example\\n\""),
	    PB_ERR_CLAIM, "proof names host 'a.example\\x0a'");
	EVP_PKEY_free(k);
}
END_TEST

static char *
iat(EVP_PKEY *k, int64_t t)
{
	char *raw = tu_asprintf("%lld", (long long)t);
	char *p = proof_by(k, "ES256", "iat", raw);

	free(raw);
	return p;
}

START_TEST(test_pop_iat)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(k);
	/* leeway = 30 in the configuration. */
	accepted(iat(k, NOW - 30));
	accepted(iat(k, NOW + 30));
	refused(iat(k, NOW - 31), PB_ERR_EXPIRED,
	    "proof iat is 31 s old (at most 30)");
	refused(iat(k, NOW + 31), PB_ERR_NOTYET,
	    "proof iat is 31 s in the future (at most 30)");
	/* A long leeway does not stretch it past 60 s. */
	cfg->leeway = 600;
	accepted(iat(k, NOW - 60));
	refused(iat(k, NOW - 61), PB_ERR_EXPIRED, "at most 60");
	refused(iat(k, NOW + 61), PB_ERR_NOTYET, "at most 60");
	refused(proof_by(k, "ES256", "iat", "\"1800000000\""), PB_ERR_CLAIM,
	    "proof has no iat");
	refused(proof_by(k, "ES256", "iat", NULL), PB_ERR_CLAIM,
	    "proof has no iat");
	EVP_PKEY_free(k);
}
END_TEST

/* The token's exp judged at the proof's arrival, not only at the token's. */
START_TEST(test_pop_exp_waiting)
{
	const int64_t exp = INT64_C(1800003600);	/* token()'s exp */
	EVP_PKEY *k = tu_load_key("ec256");
	char *p;
	int r;

	bind_to(k);
	/* leeway = 30: good until exp + 29, whatever iat says. */
	p = iat(k, exp + 29);
	pb_err_clear(&err);
	r = pb_pop_verify(cfg, jwt, p, strlen(p), NONCE, &names, exp + 29,
	    &err);
	ck_assert_msg(r == PB_OK, "%s", pb_err_msg(&err));
	free(p);
	p = iat(k, exp + 30);
	pb_err_clear(&err);
	r = pb_pop_verify(cfg, jwt, p, strlen(p), NONCE, &names, exp + 30,
	    &err);
	ck_assert_int_eq(r, PB_ERR_EXPIRED);
	ck_assert_str_eq(pb_err_msg(&err), "token expired while waiting for "
	    "the proof (30 s ago, leeway 30 s)");
	free(p);
	EVP_PKEY_free(k);
}
END_TEST

/* require_pop refuses an unbound token before any proof is asked for. */
START_TEST(test_pop_check_bound)
{
	EVP_PKEY *k = tu_load_key("ec256");

	bind_to(NULL);
	ck_assert_int_eq(pb_pop_check_bound(cfg, jwt, &err), PB_OK);
	cfg->require_pop = 1;
	ck_assert_int_eq(pb_pop_check_bound(cfg, jwt, &err), PB_ERR_POLICY);
	ck_assert_str_eq(pb_err_msg(&err), "proof required: the token is not "
	    "bound (no cnf)");
	bind_to(k);
	pb_err_clear(&err);
	ck_assert_int_eq(pb_pop_check_bound(cfg, jwt, &err), PB_OK);
	cfg->require_pop = 0;
	ck_assert_int_eq(pb_pop_check_bound(cfg, jwt, &err), PB_OK);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_pop_duplicate_claims)
{
	EVP_PKEY *k = tu_load_key("ec256");
	char *c, *dup;

	bind_to(k);
	c = claims();
	/* A second nonce after the good one: never the first one wins. */
	c[strlen(c) - 1] = '\0';
	dup = tu_asprintf("%s,\"nonce\":\"x\"}", c);
	refused(sign("ES256", k, header("ES256", k), dup), PB_ERR_FORMAT,
	    "proof payload");
	free(c);
	refused(sign("ES256", k, header("ES256", k), tu_strdup("[1]")),
	    PB_ERR_FORMAT, "proof payload is not a JSON object");
	EVP_PKEY_free(k);
}
END_TEST

/* cnf in the token (pb_claims_cnf_jkt through pb_jwt_verify) ------------- */

static void
cnf_refused(const char *cnf, int code, const char *what)
{
	struct pb_jwt *j = NULL;
	char *t = token(cnf);
	int r;

	pb_err_clear(&err);
	r = pb_jwt_verify(ver, t, strlen(t), NOW, &j, &err);
	ck_assert_msg(r == code, "%s: %s", cnf, pb_err_msg(&err));
	ck_assert_msg(strstr(pb_err_msg(&err), what) != NULL, "%s",
	    pb_err_msg(&err));
	ck_assert_ptr_null(j);
	free(t);
}

START_TEST(test_pop_cnf)
{
	cnf_refused("\"x\"", PB_ERR_CLAIM, "cnf is not a JSON object");
	cnf_refused("{}", PB_ERR_CLAIM, "cnf has no jkt");
	cnf_refused("{\"x5t#S256\":\"abc\"}", PB_ERR_CLAIM, "cnf has no jkt");
	cnf_refused("{\"jkt\":1}", PB_ERR_CLAIM, "cnf.jkt is not a string");
	cnf_refused("{\"jkt\":\"abc\"}", PB_ERR_CLAIM,
	    "not a SHA-256 thumbprint");
	cnf_refused("{\"jkt\":\"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9X+\"}",
	    PB_ERR_CLAIM, "not a SHA-256 thumbprint");
	cnf_refused("{\"jkt\":\"x\",\"jkt\":\"y\"}", PB_ERR_FORMAT,
	    "duplicate member 'jkt'");
}
END_TEST

static Suite *
pop_suite(void)
{
	Suite *s = suite_create("pop");
	TCase *tc = tcase_create("good");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pop_good_es256);
	tcase_add_test(tc, test_pop_good_eddsa);
	tcase_add_test(tc, test_pop_good_rs256);
	tcase_add_test(tc, test_pop_good_es384_typ_case);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pop_unbound);
	tcase_add_test(tc, test_pop_empty);
	tcase_add_test(tc, test_pop_other_key);
	tcase_add_test(tc, test_pop_too_big);
	tcase_add_test(tc, test_pop_not_jws);
	tcase_add_test(tc, test_pop_typ);
	tcase_add_test(tc, test_pop_alg_none);
	tcase_add_test(tc, test_pop_alg_hs256);
	tcase_add_test(tc, test_pop_alg_not_allowed);
	tcase_add_test(tc, test_pop_alg_wrong_key);
	tcase_add_test(tc, test_pop_alg_unknown);
	tcase_add_test(tc, test_pop_crit);
	tcase_add_test(tc, test_pop_jwk_missing);
	tcase_add_test(tc, test_pop_jwk_private);
	tcase_add_test(tc, test_pop_jwk_rsa1024);
	tcase_add_test(tc, test_pop_jwk_not_on_curve);
	tcase_add_test(tc, test_pop_bad_signature);
	tcase_add_test(tc, test_pop_nonce);
	tcase_add_test(tc, test_pop_ath);
	tcase_add_test(tc, test_pop_htm);
	tcase_add_test(tc, test_pop_htu);
	tcase_add_test(tc, test_pop_iat);
	tcase_add_test(tc, test_pop_duplicate_claims);
	tcase_add_test(tc, test_pop_exp_waiting);
	tcase_add_test(tc, test_pop_check_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("cnf");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pop_cnf);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(pop_suite());
}
