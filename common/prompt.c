/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The prompt wire format of long tokens (prompt.h): the module's side
 * (pam/conv.c) formats continuation prompts and strips the continuation
 * mark; askpass's side (helper/net/askpass.c) parses the prompts and cuts
 * the token into parts.  The proof prompt too: the module formats it,
 * askpass parses it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "parse.h"
#include "prompt.h"

/*
 * sudo drops an answer of PAM_MAX_RESP_SIZE (512) bytes or more; OpenSSH
 * cuts every answer at 1023 bytes: a part and its mark fit both.
 */
_Static_assert(PB_PROMPT_PART + 1 < 512, "a part must survive sudo, ssh");

/* snprintf()'s result n into buf: PB_OK, or PB_ERR_TOOBIG and buf "". */
static int
fits(int n, char *buf, size_t bufsz)
{
	if (n < 0 || (size_t)n >= bufsz) {
		if (bufsz > 0)
			buf[0] = '\0';
		return PB_ERR_TOOBIG;
	}
	return PB_OK;
}

int
pb_prompt_format(char *buf, size_t bufsz, size_t off)
{
	int n;

	/* The only number is the bytes so far. */
	n = snprintf(buf, bufsz, "%s%zu%s", PB_PROMPT_NEXT, off,
	    PB_PROMPT_END);
	return fits(n, buf, bufsz);
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

/* base64url's alphabet, and its characters whose low 2 bits are zero. */
#define B64URL_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789-_"
#define B64URL_LOW0	"AEIMQUYcgkosw048"

int
pb_prompt_strip(const char *ans, size_t *len, int first)
{
	size_t i, n = *len;

	if (n == 0 || ans[n - 1] != PB_PROMPT_MORE)
		return 0;
	n--;
	if (first && (n < 2 || ans[0] != 'e' || ans[1] != 'y'))
		return 0;
	for (i = 0; i < n; i++)
		if (ans[i] == '\0' || (ans[i] != '.' &&
		    strchr(B64URL_CHARS, ans[i]) == NULL))
			return 0;
	*len = n;
	return 1;
}

int
pb_prompt_proof_host_ok(const char *h, size_t len)
{
	size_t i;

	if (len == 0 || len > PB_PROOF_HOST_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)h[i] <= ' ' || (unsigned char)h[i] > '~')
			return 0;
	return 1;
}


/*
 * A nonce: exactly PB_PROOF_NONCE_LEN base64url characters of 32 bytes,
 * the 2 unused low bits of the last one zero (one encoding per nonce).
 */
static int
proof_nonce_ok(const char *n, size_t len)
{
	size_t i;

	if (len != PB_PROOF_NONCE_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (n[i] == '\0' || strchr(B64URL_CHARS, n[i]) == NULL)
			return 0;
	return strchr(B64URL_LOW0, n[len - 1]) != NULL;
}

int
pb_prompt_proof_format(char *buf, size_t bufsz, const char *host,
    const char *nonce, size_t off)
{
	int n;

	if (bufsz > 0)
		buf[0] = '\0';
	if (!pb_prompt_proof_host_ok(host, strlen(host)) ||
	    !proof_nonce_ok(nonce, strlen(nonce)))
		return PB_ERR_FORMAT;
	if (off == 0)
		n = snprintf(buf, bufsz, "%s%s%s%s%s", PB_PROMPT_PROOF, host,
		    PB_PROMPT_PROOF_NONCE, nonce, PB_PROMPT_PROOF_END);
	else
		n = snprintf(buf, bufsz, "%s%s%s%s%s%zu%s%s", PB_PROMPT_PROOF,
		    host, PB_PROMPT_PROOF_NONCE, nonce, PB_PROMPT_PROOF_CONT,
		    off, PB_PROMPT_PROOF_CONT_END, PB_PROMPT_PROOF_END);
	return fits(n, buf, bufsz);
}

/*
 * The length of prompt (len bytes, its ": " end removed) without a
 * continuation's " (continued at byte N)", N into *off; 0 and all of len
 * when there is none.  (size_t)-1 for a continuation mark with no
 * usable N.
 */
static size_t
proof_cont(const char *prompt, size_t len, size_t *off)
{
	const size_t clen = sizeof(PB_PROMPT_PROOF_CONT) - 1;
	const size_t elen = sizeof(PB_PROMPT_PROOF_CONT_END) - 1;
	unsigned long v;
	size_t d;

	*off = 0;
	if (len < elen || strncmp(prompt + len - elen,
	    PB_PROMPT_PROOF_CONT_END, elen) != 0)
		return len;
	/* Digits back from the ')', then the mark: a host has no blank. */
	for (d = len - elen; d > 0 && prompt[d - 1] >= '0' &&
	    prompt[d - 1] <= '9'; d--)
		;
	if (d < clen || strncmp(prompt + d - clen, PB_PROMPT_PROOF_CONT,
	    clen) != 0)
		return len;
	if (pb_parse_ulong_n(prompt + d, len - elen - d, 1, SIZE_MAX, &v) !=
	    PB_OK)
		return (size_t)-1;
	*off = (size_t)v;
	return d - clen;
}

int
pb_prompt_proof_parse(const char *prompt, char *host, size_t hostsz,
    char nonce[PB_PROOF_NONCE_LEN + 1], size_t *off)
{
	const size_t plen = sizeof(PB_PROMPT_PROOF) - 1;
	const size_t mlen = sizeof(PB_PROMPT_PROOF_NONCE) - 1;
	const size_t elen = sizeof(PB_PROMPT_PROOF_END) - 1;
	const char *h, *n;
	size_t len, hlen, at = 0;

	if (hostsz > 0)
		host[0] = '\0';
	nonce[0] = '\0';
	*off = 0;
	/* Anchored at both ends: the nonce and its marks end the prompt. */
	len = strlen(prompt);
	if (len < elen || strcmp(prompt + len - elen, PB_PROMPT_PROOF_END) !=
	    0 || (len = proof_cont(prompt, len - elen, &at)) == (size_t)-1 ||
	    len < plen + mlen + PB_PROOF_NONCE_LEN ||
	    strncmp(prompt, PB_PROMPT_PROOF, plen) != 0)
		return PB_ERR_FORMAT;
	n = prompt + len - PB_PROOF_NONCE_LEN;
	if (strncmp(n - mlen, PB_PROMPT_PROOF_NONCE, mlen) != 0 ||
	    !proof_nonce_ok(n, PB_PROOF_NONCE_LEN))
		return PB_ERR_FORMAT;
	h = prompt + plen;
	hlen = (size_t)(n - mlen - h);
	if (!pb_prompt_proof_host_ok(h, hlen))
		return PB_ERR_FORMAT;
	if (hlen >= hostsz)
		return PB_ERR_TOOBIG;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memcpy(nonce, n, PB_PROOF_NONCE_LEN);
	nonce[PB_PROOF_NONCE_LEN] = '\0';
	*off = at;
	return PB_OK;
}
