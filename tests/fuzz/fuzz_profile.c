/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the helper's INI configuration (helper/cli/profile.c,
 * pb_profile_load()), as every bearer-token command reads it.
 *
 * Input: the profile name (--profile; empty: "default"), '\n', then the
 * file's content (a 0600 file of ours, as --config names it).
 *
 * Besides the sanitizers: known error codes, a terminated message, and on
 * success the profile has an issuer, a client_id and a scope.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzzutil.h"
#include "profile.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	struct pb_profile c;
	struct pb_options o;
	struct pb_err e;
	char *profile;
	size_t restlen;
	int r;

	fz_split(data, size, &profile, &rest, &restlen);
	memset(&o, 0, sizeof(o));
	o.profile = profile;
	o.config = fz_file("config", rest, restlen);
	pb_err_clear(&e);
	r = pb_profile_load(&c, &o, &e);
	fz_check_err(r, &e);
	if (r == PB_OK && (c.profile == NULL || c.issuer == NULL ||
	    c.client_id == NULL || c.scope == NULL || c.path == NULL))
		fz_broken("pb_profile_load() succeeded without a profile", r);
	if (r == PB_OK && c.client_secret.len > 0 &&
	    strlen(c.client_secret.p) != c.client_secret.len)
		fz_broken("client_secret length", r);
	pb_profile_clear(&c);
	free(profile);
	return 0;
}
