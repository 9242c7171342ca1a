/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: how askpass reads a prompt (pb_askpass_run() in
 * helper/net/askpass.c: pb_target_split() for ssh's "(user@host) "
 * prefix, then pb_prompt_parse() of the rest), which decides from the
 * prompt ssh hands to SSH_ASKPASS whether pam_bearer asks for its token,
 * and from which byte.  The prompt comes from the SSH server: untrusted.
 *
 * This file includes askpass.c, so that the target is built against the
 * production file's includes and definitions; the rest of
 * bearer-token-net's code comes from libfuzznet.la.
 *
 * Two checks besides the sanitizers:
 *   - on the input as a prompt: an offset only for the continuation
 *     prompt, and never 0 there;
 *   - on the prompts pam/conv.c writes (common/prompt.c's formatter and
 *     the default first prompt), with an offset and a "(user@host) "
 *     prefix taken from the input: each is recognised, with that offset.
 */
#include "../../helper/net/askpass.c"

#include <inttypes.h>

#include "fuzzutil.h"

/* The prompt as pb_askpass_run() reads it outside bearer-token sudo. */
static int
module_prompt(const char *prompt, size_t *off)
{
	char host[PB_TARGET_MAX + 1];
	const char *rest = prompt;

	(void)pb_target_split(prompt, host, sizeof(host), &rest);
	return pb_prompt_parse(rest, off);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char prompt[PB_PROMPT_BUFSZ], full[256], *p, *q;
	size_t off = 0, want = 0, i;
	int kind;

	p = fz_strndup(data, size);
	kind = module_prompt(p, &off);
	if (kind != PB_PROMPT_OTHER && kind != PB_PROMPT_START &&
	    kind != PB_PROMPT_CONT)
		fz_broken("module_prompt() result", kind);
	if (kind == PB_PROMPT_CONT && off == 0)
		fz_broken("a continuation at byte 0", kind);
	if (kind == PB_PROMPT_START && off != 0)
		fz_broken("the first prompt with an offset", kind);

	/* What the module writes, behind ssh's "(user@host) " maybe. */
	for (i = 0; i < sizeof(want) && i < size; i++)
		want = want << 8 | data[i];
	if (want == 0)
		want = 1;
	if (pb_prompt_format(prompt, sizeof(prompt), want) != PB_OK)
		fz_broken("the continuation prompt does not fit", 0);
	/* user@host from the input, without ')' or NUL (ssh's format). */
	for (q = p; *q != '\0'; q++)
		if (*q == ')')
			*q = '_';
	if (size > 0 && (data[0] & 1))
		(void)snprintf(full, sizeof(full), "(%.64s) %s", p, prompt);
	else
		(void)snprintf(full, sizeof(full), "%s", prompt);
	off = 0;
	if (module_prompt(full, &off) != PB_PROMPT_CONT || off != want)
		fz_broken("the module's continuation prompt is not "
		    "recognised", (int)off);
	if (size > 0 && (data[0] & 1))
		(void)snprintf(full, sizeof(full), "(%.64s) %s", p,
		    PB_PROMPT_FIRST);
	else
		(void)snprintf(full, sizeof(full), "%s", PB_PROMPT_FIRST);
	if (module_prompt(full, &off) != PB_PROMPT_START || off != 0)
		fz_broken("the module's first prompt is not recognised", 0);
	free(p);
	return 0;
}
