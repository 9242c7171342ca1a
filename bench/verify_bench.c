/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How much the verification core costs over raw OpenSSL.  For each
 * algorithm: pb_jwt_verify() of a whole token (parse, JSON, key lookup,
 * signature, claims) against one EVP_DigestVerify() of the same signature
 * with a ready EVP_PKEY, in the same run, and the ratio of the two; then
 * the cost of building a verifier (reading and validating the JWKS file),
 * which the PAM module pays at every login.  Figures only: nothing here
 * passes or fails on time.
 *
 *   bench/verify_bench [ITERATIONS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "conf.h"
#include "err.h"
#include "jwt.h"
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

	if (pb_conf_new(&cfg) != PB_OK)
		tu_die("pb_conf_new");
	set(cfg, "issuer", "https://idp.example");
	set(cfg, "audience", "ssh");
	set(cfg, "jwks_file", path);
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
	return 0;
}
