/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the access token cache file (helper/cli/token_cache.c,
 * pb_token_cache_read()), which the front reads on every "bearer-token get".
 * The input is the file's content, read from a private runtime directory
 * for a profile with an issuer, a client_id, a scope and an audience (no
 * resource).
 *
 * Besides the sanitizers: known error codes, no output on failure, and a
 * token that is read back is written (pb_token_cache_write()) and read again
 * unchanged.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "token_cache.h"
#include "err.h"
#include "fuzzutil.h"
#include "profile.h"
#include "privdir.h"

static struct pb_privdir dir;
static struct pb_profile conf;
static char name[PB_STORE_PROFILE_MAX + 8];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pb_err e;

	(void)argc;
	(void)argv;
	pb_err_clear(&e);
	if (pb_privdir_open(&dir, fz_dir(), 0, &e) != PB_OK)
		fz_die("pb_privdir_open", &e);
	conf.profile = (char *)(uintptr_t)"default";
	conf.issuer = (char *)(uintptr_t)"https://idp.example/realms/r";
	conf.client_id = (char *)(uintptr_t)"pam-bearer";
	conf.scope = (char *)(uintptr_t)"openid offline_access";
	conf.audience = (char *)(uintptr_t)"ssh";
	pb_token_cache_name(conf.profile, name, sizeof(name));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_cached t, t2;
	struct pb_err e;
	int r;

	memset(&t, 0, sizeof(t));
	memset(&t2, 0, sizeof(t2));
	(void)fz_file(name, data, size);
	pb_err_clear(&e);
	r = pb_token_cache_read(&dir, &conf, &t, &e);
	fz_check_err(r, &e);
	if (r != PB_OK) {
		if (t.token.p != NULL || t.token.len != 0 ||
		    t.expires_at != 0 || t.obtained_at != 0)
			fz_broken("pb_token_cache_read() set *t on failure", r);
		return 0;
	}
	if (t.token.p == NULL || t.token.len == 0 || t.expires_at < 0 ||
	    t.obtained_at < 0)
		fz_broken("pb_token_cache_read() read an empty token", r);
	(void)pb_token_cache_fresh(&t, 1800000000, -1);
	r = pb_token_cache_write(&dir, &conf, &t, &e);
	fz_check_err(r, &e);
	if (r == PB_OK) {
		r = pb_token_cache_read(&dir, &conf, &t2, &e);
		if (r != PB_OK)
			fz_broken("a written cache does not read back", r);
		if (t2.token.len != t.token.len ||
		    memcmp(t2.token.p, t.token.p, t.token.len) != 0 ||
		    t2.expires_at != t.expires_at ||
		    t2.obtained_at != t.obtained_at)
			fz_broken("the cache does not round-trip", r);
	}
	pb_token_cache_clear(&t);
	pb_token_cache_clear(&t2);
	return 0;
}
