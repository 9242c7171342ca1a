/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the usermap_file parser and lookup
 * (pb_usermap_lookup()), as the module runs it on each login.
 *
 * Input: the claim value to look up, '\n', then the file's content.
 *
 * Besides the sanitizers: no output on failure, known error codes, and a
 * found user is one non-empty field (no blank, no line feed).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzzutil.h"
#include "usermap.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	const char *path;
	char *value, *user = (char *)(uintptr_t)"unset";
	struct pb_err e;
	size_t restlen;
	int r;

	fz_split(data, size, &value, &rest, &restlen);
	path = fz_file("usermap", rest, restlen);
	pb_err_clear(&e);
	r = pb_usermap_lookup(path, value, &user, &e);
	fz_check_err(r, &e);
	if (r != PB_OK) {
		if (user != NULL)
			fz_broken("pb_usermap_lookup() set *user on failure",
			    r);
	} else {
		if (user == NULL || *user == '\0' ||
		    strpbrk(user, " \t\n") != NULL)
			fz_broken("pb_usermap_lookup() found a bad user", r);
		free(user);
	}
	free(value);
	return 0;
}
