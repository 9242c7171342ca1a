/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How much the verification core costs over raw OpenSSL.  For each
 * algorithm: pb_jwt_verify() of a whole token (parse, JSON, key lookup,
 * signature, claims) against one EVP_DigestVerify() of the same signature
 * with a ready EVP_PKEY, in the same run, and the ratio of the two; then
 * the cost of building a verifier (reading and validating the JWKS file),
 * which the PAM module pays at every login.  Then the login proof of a
 * bound token: pb_pop_verify() (one more ES256 verify, the key loaded from
 * the proof's header and its RFC 7638 thumbprint) against one raw ES256
 * verify.  Figures only: nothing here passes or fails on time.
 *
 *   bench/verify_bench [ITERATIONS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "conf.h"
#include "err.h"
#include "jwk.h"
#include "jwt.h"
#include "pop.h"
#include "strlist.h"
#include "testutil.h"

#define NOW	1800000000LL

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
set(struct pb_conf *cfg, const char *k, const char *v)
{
	if (pb_conf_set(cfg, PB_CONF_ARG, k, v, "bench", NULL, NULL) != PB_OK)
		tu_die("config %s=%s refused", k, v);
}

/* The configuration of the benchmarks: an issuer, ssh, the JWKS at path. */
static struct pb_conf *
bench_conf(const char *path)
{
	struct pb_conf *cfg = NULL;

	if (pb_conf_new(&cfg) != PB_OK)
		tu_die("pb_conf_new");
	set(cfg, "issuer", "https://idp.example");
	set(cfg, "audience", "ssh");
	set(cfg, "jwks_file", path);
	return cfg;
}

/* The raw OpenSSL work the core wraps: one verify with a ready key. */
static int
raw_verify(const char *alg, EVP_PKEY *k, const char *tok)
{
	const char *d2 = strrchr(tok, '.');
	const char *md = strstr(alg, "256") ? "SHA256" : NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	uint8_t *sig, *der = NULL;
	size_t siglen, derlen;
	int ok;

	sig = tu_unb64url(d2 + 1, &siglen);
	if (alg[0] == 'E' && alg[1] == 'S') {
		/* raw r||s to DER, as any JWS verifier has to */
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *p = NULL;

		ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
		    BN_bin2bn(sig + 32, 32, NULL));
		derlen = (size_t)i2d_ECDSA_SIG(es, &p);
		der = p;
		ECDSA_SIG_free(es);
	}
	EVP_DigestVerifyInit_ex(m, &pc, md, NULL, NULL, k, NULL);
	if (alg[0] == 'P') {
		EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST);
	}
	ok = EVP_DigestVerify(m, der != NULL ? der : sig,
	    der != NULL ? derlen : siglen, (const uint8_t *)tok,
	    (size_t)(d2 - tok)) == 1;
	EVP_MD_CTX_free(m);
	OPENSSL_free(der);
	free(sig);
	return ok;
}

static void
bench(const char *alg, const char *type, int iters)
{
	static const char claims[] = "{\"iss\":\"https://idp.example\","
	    "\"aud\":\"ssh\",\"sub\":\"alice\",\"exp\":1800000600,"
	    "\"iat\":1800000000,\"jti\":\"j1\",\"scope\":\"openid ssh\"}";
	EVP_PKEY *k = tu_genkey(type);
	char *dir = tu_tmpdir(), *jwk = tu_jwk(k, "k1", alg, "sig");
	char *set_text = tu_jwks(jwk, NULL);
	char *path = tu_write_file(dir, "jwks.json", set_text, 0644);
	char *hdr = tu_asprintf("{\"alg\":\"%s\",\"typ\":\"JWT\","
	    "\"kid\":\"k1\"}", alg);
	char *tok = tu_sign(alg, k, NULL, 0, hdr, claims);
	struct pb_conf *cfg = NULL;
	struct pb_verifier *v = NULL;
	struct pb_jwt *jwt = NULL;
	struct pb_err e;
	double t0, t_core, t_raw, t_load;
	int i;

	cfg = bench_conf(path);
	/* Warm up OpenSSL's provider and algorithm fetches first. */
	if (pb_verifier_new(cfg, NULL, NULL, &v, &e) != PB_OK ||
	    pb_jwt_verify(v, tok, strlen(tok), NOW, &jwt, &e) != PB_OK ||
	    !raw_verify(alg, k, tok))
		tu_die("%s: does not verify: %s", alg, pb_err_msg(&e));
	pb_jwt_free(jwt);
	t0 = now_us();
	for (i = 0; i < iters; i++) {
		if (pb_jwt_verify(v, tok, strlen(tok), NOW, &jwt, &e) != PB_OK)
			tu_die("%s: verify failed", alg);
		pb_jwt_free(jwt);
	}
	t_core = (now_us() - t0) / iters;
	t0 = now_us();
	for (i = 0; i < iters; i++)
		if (!raw_verify(alg, k, tok))
			tu_die("%s: raw verify failed", alg);
	t_raw = (now_us() - t0) / iters;
	pb_verifier_free(v);
	t0 = now_us();
	for (i = 0; i < iters / 4 + 1; i++) {
		if (pb_verifier_new(cfg, NULL, NULL, &v, &e) != PB_OK)
			tu_die("verifier: %s", pb_err_msg(&e));
		pb_verifier_free(v);
	}
	t_load = (now_us() - t0) / (iters / 4 + 1);
	printf("%-6s token %4zu B  pb_jwt_verify %8.1f us  raw OpenSSL "
	    "%8.1f us  ratio %5.2f  JWKS load %6.1f us\n", alg, strlen(tok),
	    t_core, t_raw, t_core / t_raw, t_load);
	pb_conf_free(cfg);
	tu_rmtree(dir);
	free(dir);
	free(jwk);
	free(set_text);
	free(path);
	free(hdr);
	free(tok);
	EVP_PKEY_free(k);
}

/* The thumbprint of k's public JWK, through common/ (timed below). */
static char *
thumb_of(EVP_PKEY *k, struct pb_jwk **jk)
{
	char *text = tu_jwk(k, NULL, NULL, NULL), tp[PB_JWK_THUMB_LEN + 1];
	cJSON *j = cJSON_Parse(text);
	struct pb_err e;

	if (j == NULL || pb_jwk_from_json(j, 0, jk, &e) != PB_OK ||
	    pb_jwk_thumbprint(*jk, tp, &e) != PB_OK)
		tu_die("thumbprint: %s", pb_err_msg(&e));
	cJSON_Delete(j);
	free(text);
	return tu_strdup(tp);
}

/* A proof by k for tok, this nonce and host b.example at NOW. */
static char *
make_proof(EVP_PKEY *k, const char *tok, const char *nonce)
{
	unsigned char md[32];
	unsigned mdlen = 0;
	char *ath, *jwk = tu_jwk(k, NULL, NULL, NULL), *h, *c, *p;

	if (!EVP_Digest(tok, strlen(tok), md, &mdlen, EVP_sha256(), NULL))
		tu_die("sha256");
	ath = tu_b64url(md, mdlen);
	h = tu_asprintf("{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\","
	    "\"jwk\":%s}", jwk);
	c = tu_asprintf("{\"jti\":\"p1\",\"htm\":\"SSH\",\"htu\":"
	    "\"ssh://b.example\",\"iat\":%lld,\"nonce\":\"%s\","
	    "\"ath\":\"%s\"}", NOW, nonce, ath);
	p = tu_sign("ES256", k, NULL, 0, h, c);
	free(ath);
	free(jwk);
	free(h);
	free(c);
	return p;
}

/* The timed loops of bench_pop(); per operation, in us. */
static void
time_pop(const struct pb_conf *cfg, const struct pb_jwt *jwt,
    const char *proof, const char *nonce, const struct pb_strlist *names,
    const struct pb_jwk *jk, EVP_PKEY *pk, int iters)
{
	char tp[PB_JWK_THUMB_LEN + 1];
	struct pb_err e;
	double t0, t_pop, t_thumb, t_raw;
	int i;

	t0 = now_us();
	for (i = 0; i < iters; i++)
		if (pb_pop_verify(cfg, jwt, proof, strlen(proof), nonce, names,
		    NOW, &e) != PB_OK)
			tu_die("proof: %s", pb_err_msg(&e));
	t_pop = (now_us() - t0) / iters;
	t0 = now_us();
	for (i = 0; i < iters; i++)
		if (pb_jwk_thumbprint(jk, tp, &e) != PB_OK)
			tu_die("thumbprint: %s", pb_err_msg(&e));
	t_thumb = (now_us() - t0) / iters;
	t0 = now_us();
	for (i = 0; i < iters; i++)
		if (!raw_verify("ES256", pk, proof))
			tu_die("proof: raw verify failed");
	t_raw = (now_us() - t0) / iters;
	printf("proof  %4zu B  pb_pop_verify %8.1f us  raw OpenSSL "
	    "%8.1f us  ratio %5.2f  (of it: thumbprint %.1f us)\n",
	    strlen(proof), t_pop, t_raw, t_pop / t_raw, t_thumb);
}

/*
 * A bound login's extra cost: an ES256 token bound (cnf.jkt) to a P-256
 * key, its proof checked by pb_pop_verify(), against a raw ES256 verify.
 */
static void
bench_pop(int iters)
{
	static const char nonce[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
	EVP_PKEY *ik = tu_genkey("ec256"), *pk = tu_genkey("ec256");
	char *dir = tu_tmpdir(), *jwk = tu_jwk(ik, "k1", "ES256", "sig");
	char *set_text = tu_jwks(jwk, NULL), *claims, *tok, *proof, *jkt;
	char *path = tu_write_file(dir, "jwks.json", set_text, 0644);
	struct pb_strlist names = { NULL, 0 };
	struct pb_conf *cfg = NULL;
	struct pb_verifier *v = NULL;
	struct pb_jwt *jwt = NULL;
	struct pb_jwk *jk = NULL;
	struct pb_err e;

	jkt = thumb_of(pk, &jk);
	claims = tu_asprintf("{\"iss\":\"https://idp.example\","
	    "\"aud\":\"ssh\",\"sub\":\"alice\",\"exp\":1800000600,"
	    "\"iat\":1800000000,\"jti\":\"j1\",\"cnf\":{\"jkt\":\"%s\"}}",
	    jkt);
	tok = tu_sign("ES256", ik, NULL, 0, "{\"alg\":\"ES256\","
	    "\"typ\":\"JWT\",\"kid\":\"k1\"}", claims);
	proof = make_proof(pk, tok, nonce);
	cfg = bench_conf(path);
	if (pb_strlist_split("b.example", &names, NULL) != PB_OK)
		tu_die("pb_strlist_split");
	/* Warm up, and make sure what is timed succeeds. */
	if (pb_verifier_new(cfg, NULL, NULL, &v, &e) != PB_OK ||
	    pb_jwt_verify(v, tok, strlen(tok), NOW, &jwt, &e) != PB_OK ||
	    pb_pop_verify(cfg, jwt, proof, strlen(proof), nonce, &names, NOW,
	    &e) != PB_OK || !raw_verify("ES256", pk, proof))
		tu_die("proof: does not verify: %s", pb_err_msg(&e));
	time_pop(cfg, jwt, proof, nonce, &names, jk, pk, iters);
	pb_jwt_free(jwt);
	pb_verifier_free(v);
	pb_conf_free(cfg);
	pb_strlist_clear(&names);
	pb_jwk_free(jk);
	tu_rmtree(dir);
	free(dir);
	free(jwk);
	free(set_text);
	free(path);
	free(claims);
	free(tok);
	free(proof);
	free(jkt);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(pk);
}

int
main(int argc, char **argv)
{
	long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;

	if (iters < 1 || iters > 1000000)
		iters = 2000;
	printf("verify_bench: %ld iterations each, figures per operation\n",
	    iters);
	bench("RS256", "rsa2048", (int)iters);
	bench("PS256", "rsa2048", (int)iters);
	bench("ES256", "ec256", (int)iters);
	bench("EdDSA", "ed25519", (int)iters);
	bench_pop((int)iters);
	return 0;
}
