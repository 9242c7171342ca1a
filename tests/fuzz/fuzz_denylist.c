/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the denylist_file parser (pb_denylist_check()), as the
 * module runs it on each login.
 *
 * Input: the token's jti, '\n', its sub, '\n', then the file's content.
 * An empty jti or sub is passed as NULL (a token without one).
 *
 * Besides the sanitizers: known error codes, and the answer is the same
 * whether jti and sub are checked together or one at a time (denied when
 * either is listed).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzzutil.h"
#include "usermap.h"

static int
check(const char *path, const char *jti, const char *sub)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	r = pb_denylist_check(path, jti, sub, &e);
	fz_check_err(r, &e);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest, *rest2;
	const char *path, *jti, *sub;
	char *j, *s;
	size_t restlen, restlen2;
	int both, rj, rs;

	fz_split(data, size, &j, &rest, &restlen);
	fz_split(rest, restlen, &s, &rest2, &restlen2);
	jti = *j != '\0' ? j : NULL;
	sub = *s != '\0' ? s : NULL;
	path = fz_file("denylist", rest2, restlen2);
	both = check(path, jti, sub);
	rj = check(path, jti, NULL);
	rs = check(path, NULL, sub);
	if (both == PB_OK || both == PB_ERR_DENIED) {
		if ((both == PB_ERR_DENIED) !=
		    (rj == PB_ERR_DENIED || rs == PB_ERR_DENIED))
			fz_broken("jti and sub checked together disagree", both);
	}
	free(j);
	free(s);
	return 0;
}
