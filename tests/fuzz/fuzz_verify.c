/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: every input goes through the whole offline verifier
 * (pb_jwt_verify(), as the PAM module calls it) and, being cheap, through
 * the strict JSON parser, the claim checks and the JWK Set parser too.
 *
 * The keys are the public JWK Set tests/fuzz/jwks.json (RS256, ES256 and
 * EdDSA keys whose private halves were thrown away after signing the seed
 * corpus, see mkcorpus.sh), so the seed tokens verify at PB_FUZZ_NOW and
 * mutations of them walk every check before and after the signature.
 *
 * Besides the sanitizers, the target checks the API contracts: no output on
 * failure, known error codes, terminated messages, no expired token
 * accepted, and base64url that round-trips.
 *
 *   fuzz/fuzz_verify -max_len=20000 CORPUS_DIR
 *
 * PB_FUZZ_JWKS overrides the JWK Set path compiled in.  With PB_FUZZ_VERBOSE
 * set, the verdict on each input is printed, to check the seeds:
 *
 *   PB_FUZZ_VERBOSE=1 fuzz/fuzz_verify FILE...
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "b64url.h"
#include "claims.h"
#include "conf.h"
#include "err.h"
#include "json.h"
#include "jwk.h"
#include "jwt.h"

/* The seed tokens are valid from 1799999900 to 1800003600 (mkcorpus.sh). */
#define PB_FUZZ_NOW	1800000000LL

#ifndef PB_FUZZ_JWKS
#define PB_FUZZ_JWKS	"tests/fuzz/jwks.json"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pb_conf *cfg;
static struct pb_verifier *verifier;
static int verbose;

static void
conf_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	(void)prio;
	fprintf(stderr, "fuzz_verify: config: %s\n", msg);
}

static void __attribute__((noreturn))
die(const char *what, const struct pb_err *e)
{
	fprintf(stderr, "fuzz_verify: %s: %s\n", what,
	    e != NULL ? pb_err_msg(e) : "failed");
	abort();
}

/* A contract of the common/ API does not hold: a finding. */
static void __attribute__((noreturn))
broken(const char *what, int r)
{
	fprintf(stderr, "fuzz_verify: contract broken: %s (r=%d)\n", what, r);
	abort();
}

/* An error result must be a known code with a terminated message. */
static void
check_err(int r, const struct pb_err *e)
{
	if (r > 0 || r < PB_ERR_MIN)
		broken("unknown error code", r);
	if (pb_strerror(r) == NULL)
		broken("pb_strerror() returned NULL", r);
	if (memchr(e->msg, '\0', sizeof(e->msg)) == NULL)
		broken("unterminated error message", r);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The policy makes the seed tokens walk every claim check. */
	static const char *const settings[][2] = {
		{ "issuer", "https://issuer.example https://alias.example" },
		{ "audience", "pam-bearer-fuzz urn:example:other" },
		{ "algorithms", "RS256 RS384 RS512 PS256 PS384 PS512 ES256 "
		    "ES384 ES512 EdDSA Ed25519" },
		{ "leeway", "60" },
		{ "max_token_age", "3600" },
		{ "require_scope", "ssh" },
		{ "groups_claim", "/realm_access/roles" },
		{ "require_groups", "\"Domain Admins\" ops" },
		{ "require_claim", "acr=mfa" },
		{ "max_token_size", "16384" },
	};
	struct pb_err e;
	const char *jwks;
	size_t i;

	(void)argc;
	(void)argv;
	pb_err_clear(&e);
	verbose = secure_getenv("PB_FUZZ_VERBOSE") != NULL;
	if ((jwks = secure_getenv("PB_FUZZ_JWKS")) == NULL)
		jwks = PB_FUZZ_JWKS;
	if (pb_conf_new(&cfg) != PB_OK)
		die("pb_conf_new", NULL);
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (pb_conf_set(cfg, PB_CONF_ARG, settings[i][0],
		    settings[i][1], "fuzz_verify", conf_log, NULL) != PB_OK)
			die(settings[i][0], NULL);
	}
	if (pb_conf_set(cfg, PB_CONF_ARG, "jwks_file", jwks, "fuzz_verify",
	    conf_log, NULL) != PB_OK ||
	    pb_conf_check(cfg, conf_log, NULL) != PB_OK)
		die("configuration", NULL);
	if (pb_verifier_new(cfg, NULL, NULL, &verifier, &e) != PB_OK)
		die(jwks, &e);
	return 0;
}

/* The whole verifier, as the module runs it. */
static void
fuzz_jwt(const char *tok, size_t len)
{
	struct pb_jwt *jwt = NULL;
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	r = pb_jwt_verify(verifier, tok, len, PB_FUZZ_NOW, &jwt, &e);
	if (verbose)
		fprintf(stderr, "fuzz_verify: %s\n",
		    r == PB_OK ? "token verified" : pb_err_msg(&e));
	if (r != PB_OK) {
		check_err(r, &e);
		if (jwt != NULL)
			broken("pb_jwt_verify() set *out on failure", r);
		return;
	}
	if (jwt == NULL || jwt->claims == NULL || jwt->username == NULL)
		broken("pb_jwt_verify() succeeded without a token", r);
	if (jwt->exp <= PB_FUZZ_NOW - cfg->leeway)
		broken("pb_jwt_verify() accepted an expired token", r);
	pb_jwt_free(jwt);
}

/* Strict JSON and, on an object, the claim checks the verifier uses. */
static void
fuzz_json(const char *buf, size_t len)
{
	static const char *const ptrs[] = {
		"sub", "/realm_access/roles", "/a~1b/0", "/x/~0", "/arr/10",
	};
	const char *user;
	cJSON *root = NULL;
	struct pb_err e;
	int64_t t;
	size_t i;
	int r;

	pb_err_clear(&e);
	if ((r = pb_json_parse(buf, len, 16384, "fuzz input", &root,
	    &e)) != PB_OK) {
		check_err(r, &e);
		if (root != NULL)
			broken("pb_json_parse() set *out on failure", r);
		return;
	}
	if (cJSON_IsObject(root)) {
		/* Results do not matter here, only that nothing breaks. */
		r = pb_claims_check_time(root, PB_FUZZ_NOW, cfg->leeway,
		    cfg->max_token_age, &e);
		check_err(r, &e);
		r = pb_claims_check_iss(root, &cfg->issuers, &e);
		check_err(r, &e);
		r = pb_claims_check_aud(root, &cfg->audiences, &e);
		check_err(r, &e);
		r = pb_claims_check_policy(root, cfg, &e);
		check_err(r, &e);
		r = pb_claims_username(root, cfg->username_claim, 1, &user,
		    &e);
		check_err(r, &e);
		for (i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
			const cJSON *v = pb_json_claim(root, ptrs[i]);

			if (v != NULL && pb_json_time(v, (int)(i & 1),
			    &t) == PB_OK && (t < 0 || t > PB_JSON_TIME_MAX))
				broken("pb_json_time() out of range", 0);
			(void)pb_json_scalar_eq(v, "mfa");
		}
	}
	cJSON_Delete(root);
}

/* JWK Set parsing and key selection (what fetch-jwks validates with). */
static void
fuzz_jwks(const char *buf, size_t len, unsigned flags)
{
	static const char *const algs[] = { "RS256", "ES256", "EdDSA",
	    "PS512", "HS256" };
	const struct pb_jwk *k;
	struct pb_jwks *set = NULL;
	struct pb_err e;
	size_t i;
	int r;

	pb_err_clear(&e);
	if ((r = pb_jwks_parse(buf, len, flags, "fuzz input", NULL, NULL,
	    &set, &e)) != PB_OK) {
		check_err(r, &e);
		if (set != NULL)
			broken("pb_jwks_parse() set *out on failure", r);
		return;
	}
	if (set == NULL || set->n == 0)
		broken("pb_jwks_parse() succeeded with no key", r);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		const struct pb_alg *alg = pb_alg_by_name(algs[i]);

		if (alg == NULL)
			continue;
		r = pb_jwks_find(set, NULL, alg, &k, &e);
		check_err(r, &e);
		r = pb_jwks_find(set, set->keys[0]->kid, alg, &k, &e);
		check_err(r, &e);
	}
	pb_jwks_free(set);
}

/* Strict base64url of the whole input. */
static void
fuzz_b64url(const char *buf, size_t len)
{
	uint8_t *out = NULL;
	size_t outlen;
	char *back = NULL;

	if (pb_b64url_decode(buf, len, 20000, &out, &outlen) != PB_OK)
		return;
	/* Strict decoding is one-to-one: encoding gives the input back. */
	if (pb_b64url_encode(out, outlen, &back) == PB_OK &&
	    (strlen(back) != len || memcmp(back, buf, len) != 0))
		broken("base64url does not round-trip", 0);
	free(back);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	(void)pb_jwt_shaped(buf, size);
	fuzz_jwt(buf, size);
	fuzz_json(buf, size);
	fuzz_jwks(buf, size, size > 0 && (data[0] & 1) ? PB_JWK_ALLOW_OCT : 0);
	fuzz_b64url(buf, size);
	return 0;
}
