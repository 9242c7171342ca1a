/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The prompt wire format of long tokens (prompt.h): the module's side
 * (pam/conv.c) formats continuation prompts and strips the continuation
 * mark; askpass's side (helper/net/askpass.c) parses the prompts and cuts
 * the token into parts.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "parse.h"
#include "prompt.h"

/* OpenSSH cuts every answer at 1023 bytes: a part and its mark fit. */
_Static_assert(PB_PROMPT_PART + 1 < 1023, "a part must survive ssh");

int
pb_prompt_format(char *buf, size_t bufsz, size_t off)
{
	int n;

	/* The only number is the bytes so far. */
	n = snprintf(buf, bufsz, "%s%zu%s", PB_PROMPT_NEXT, off,
	    PB_PROMPT_END);
	if (n < 0 || (size_t)n >= bufsz) {
		if (bufsz > 0)
			buf[0] = '\0';
		return PB_ERR_TOOBIG;
	}
	return PB_OK;
}

int
pb_prompt_parse(const char *p, size_t *off)
{
	const size_t endlen = sizeof(PB_PROMPT_END) - 1;
	unsigned long v;
	size_t len;

	if (strcmp(p, PB_PROMPT_FIRST) == 0) {
		*off = 0;
		return PB_PROMPT_START;
	}
	if (strncmp(p, PB_PROMPT_NEXT, sizeof(PB_PROMPT_NEXT) - 1) != 0)
		return PB_PROMPT_OTHER;
	p += sizeof(PB_PROMPT_NEXT) - 1;
	/* Digits only (no sign, no blank), then the end and nothing else. */
	len = strlen(p);
	if (len < endlen || strcmp(p + len - endlen, PB_PROMPT_END) != 0 ||
	    pb_parse_ulong_n(p, len - endlen, 1, SIZE_MAX, &v) != PB_OK)
		return PB_PROMPT_OTHER;
	*off = (size_t)v;
	return PB_PROMPT_CONT;
}

size_t
pb_prompt_part(size_t len, size_t off, int *more)
{
	size_t n;

	*more = 0;
	if (off >= len)
		return 0;
	n = len - off;
	if (n > PB_PROMPT_PART) {
		n = PB_PROMPT_PART;
		*more = 1;
	}
	return n;
}

int
pb_prompt_strip(const char *ans, size_t *len)
{
	if (*len > 0 && ans[*len - 1] == PB_PROMPT_MORE) {
		(*len)--;
		return 1;
	}
	return 0;
}
