/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the JWK Set loader (pb_jwks_parse), which the module,
 * "bearer-token verify" and "fetch-jwks" share, and key selection
 * (pb_jwks_find) for every algorithm on the resulting set.  The input is
 * parsed twice: as a public key set, and as a secret one (PB_JWK_ALLOW_OCT,
 * hmac_secret_file).
 *
 * Besides the sanitizers: no output on failure, known error codes, a
 * terminated message for each skipped key, no empty set on success, and a
 * found key that fits the algorithm asked for.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fuzzutil.h"
#include "jwk.h"

static void
skipped(void *ctx, const char *msg)
{
	size_t *n = ctx;

	if (msg == NULL || strlen(msg) >= PB_ERR_MSG_MAX)
		fz_broken("skip message", 0);
	(*n)++;
}

static void
parse(const char *buf, size_t len, unsigned flags)
{
	const struct pb_alg *alg;
	const struct pb_jwk *k;
	struct pb_jwks *set = NULL;
	struct pb_err e;
	size_t i, j, nskip = 0;
	int r;

	pb_err_clear(&e);
	r = pb_jwks_parse(buf, len, flags, "fuzz input", skipped, &nskip,
	    &set, &e);
	fz_check_err(r, &e);
	if (r != PB_OK) {
		if (set != NULL)
			fz_broken("pb_jwks_parse() set *out on failure", r);
		return;
	}
	if (set == NULL || set->n == 0 || set->keys == NULL)
		fz_broken("pb_jwks_parse() succeeded with no key", r);
	for (i = 0; (alg = pb_alg_at(i)) != NULL; i++) {
		k = NULL;
		r = pb_jwks_find(set, NULL, alg, &k, &e);
		fz_check_err(r, &e);
		if (r == PB_OK && k == NULL)
			fz_broken("pb_jwks_find() found no key", r);
		for (j = 0; j < set->n && j < 4; j++) {
			k = NULL;
			r = pb_jwks_find(set, set->keys[j]->kid, alg, &k, &e);
			fz_check_err(r, &e);
			if (r == PB_OK && k == NULL)
				fz_broken("pb_jwks_find() found no key", r);
		}
	}
	pb_jwks_free(set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse((const char *)data, size, 0);
	parse((const char *)data, size, PB_JWK_ALLOW_OCT);
	return 0;
}
