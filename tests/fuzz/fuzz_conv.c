/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: how the module reads a token from the PAM
 * conversation (pam/conv.c's pb_conv_token()): the answers come from the
 * remote user, and an answer that ends with '\' continues in the next one
 * when it is a part of a compact JWS (DESIGN.md "Long tokens";
 * bearer-token askpass sends the parts; a password may end in '\').  The
 * conversation is a real libpam handle whose conv function hands out the
 * input's lines as answers.  (try_first_pass is left out: libpam lets
 * only a module, called through pam_authenticate(), read PAM_AUTHTOK.)
 *
 * Input: FLAGS, then the answers separated by '\n'.  FLAGS bit 0:
 * max_token_size 256 rather than the default; bit 1: the conversation
 * fails after the last answer (else it answers "" from then on).
 *
 * Besides the sanitizers: a token is returned only on PAM_SUCCESS and is
 * exactly the answers joined without their continuation marks, within
 * max_token_size; every continuation prompt names the bytes so far, in
 * the format bearer-token askpass parses (fuzz_askpass).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "conf.h"
#include "err.h"
#include "fuzzutil.h"
#include "module.h"
#include "prompt.h"
#include "secmem.h"

#define MAX_ANSWERS	300

static struct {
	const uint8_t	*p[MAX_ANSWERS];
	size_t		 len[MAX_ANSWERS];
	size_t		 n, next;
	int		 fail_after;
	size_t		 sofar;		/* token bytes the module has */
	int		 bad_prompt;
} in;

static struct pb_conf *cfg, *small;
static pam_handle_t *pamh;

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	struct pam_response *r;
	char want[PB_PROMPT_BUFSZ];
	size_t i, off;

	(void)arg;
	if (n != 1 || msg[0]->msg_style != PAM_PROMPT_ECHO_OFF)
		fz_broken("the module asked other than one hidden question", n);
	/*
	 * The first prompt is the configured one, the others say where, in
	 * the format askpass parses (but for byte 0, after answers of a lone
	 * '\', which askpass never sends nor takes for the module's).
	 */
	if (in.next > 0) {
		if (pb_prompt_format(want, sizeof(want), in.sofar) != PB_OK ||
		    strcmp(msg[0]->msg, want) != 0)
			in.bad_prompt = 1;
		if (in.sofar > 0 && (pb_prompt_parse(msg[0]->msg, &off) !=
		    PB_PROMPT_CONT || off != in.sofar))
			in.bad_prompt = 1;
	}
	if (in.next >= in.n) {
		if (in.fail_after)
			return PAM_CONV_ERR;
		i = SIZE_MAX;
	} else
		i = in.next++;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	r->resp = i == SIZE_MAX ? strdup("") : fz_strndup(in.p[i], in.len[i]);
	if (r->resp == NULL) {
		free(r);
		return PAM_BUF_ERR;
	}
	/* What the module will have after this part. */
	i = strlen(r->resp);
	if (i > 0 && r->resp[i - 1] == '\\')
		i--;
	in.sofar += i;
	*resp = r;
	return PAM_SUCCESS;
}

static const struct pam_conv pconv = { conv, NULL };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (pb_conf_new(&cfg) != PB_OK || pb_conf_new(&small) != PB_OK ||
	    pb_conf_set(small, PB_CONF_ARG, "max_token_size", "256", "fuzz",
	    NULL, NULL) != PB_OK)
		fz_die("configuration", NULL);
	if (pam_start("pam-bearer-fuzz", "fuzz", &pconv, &pamh) !=
	    PAM_SUCCESS)
		fz_die("pam_start", NULL);
	return 0;
}

/*
 * Whether answer a (l bytes) continues: it ends in '\' and is a part of a
 * compact JWS, base64url and dots, the first part starting "ey" (written
 * here again from DESIGN.md, not taken from common/prompt.c).
 */
static int
continues(const char *a, size_t l, int first)
{
	size_t k;

	if (l == 0 || a[l - 1] != '\\')
		return 0;
	if (first && (l < 3 || a[0] != 'e' || a[1] != 'y'))
		return 0;
	for (k = 0; k + 1 < l; k++)
		if (!((a[k] >= 'A' && a[k] <= 'Z') ||
		    (a[k] >= 'a' && a[k] <= 'z') ||
		    (a[k] >= '0' && a[k] <= '9') || a[k] == '-' ||
		    a[k] == '_' || a[k] == '.'))
			return 0;
	return 1;
}

/* The answers up to the first without a continuation mark, joined. */
static char *
expected(size_t first, size_t *lenp)
{
	char *j;
	size_t i, len = 0, l;
	int more = 1;

	j = fz_strndup("", 0);
	for (i = first; more && i < in.n; i++) {
		char *a = fz_strndup(in.p[i], in.len[i]), *nj;

		l = strlen(a);
		more = continues(a, l, i == first);
		if (more)
			l--;
		if ((nj = malloc(len + l + 1)) == NULL)
			fz_die("malloc", NULL);
		memcpy(nj, j, len);
		memcpy(nj + len, a, l);
		nj[len + l] = '\0';
		len += l;
		free(j);
		free(a);
		j = nj;
	}
	*lenp = len;
	return j;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pb_conf *c;
	struct pb_args args;
	struct pb_secret tok = { NULL, 0 };
	const uint8_t *p, *end, *nl;
	char *want;
	size_t wantlen;
	int prompted, hint, r;
	unsigned flags;

	memset(&in, 0, sizeof(in));
	memset(&args, 0, sizeof(args));
	if (size == 0)
		return 0;
	flags = data[0];
	for (p = data + 1, end = data + size; p <= end && in.n < MAX_ANSWERS;
	    p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		in.p[in.n] = p;
		in.len[in.n++] = (size_t)(nl - p);
	}
	in.fail_after = (flags & 2) != 0;
	c = (flags & 1) ? small : cfg;
	r = pb_conv_token(pamh, &args, c, &tok, &prompted, &hint);
	if (in.bad_prompt)
		fz_broken("a continuation prompt that does not name the bytes "
		    "so far", r);
	if (r != PAM_SUCCESS) {
		if (tok.p != NULL || tok.len != 0)
			fz_broken("a token left on failure", r);
	} else {
		want = expected(0, &wantlen);
		if (tok.p == NULL || tok.len != wantlen ||
		    memcmp(tok.p, want, wantlen) != 0 ||
		    strlen(tok.p) != tok.len)
			fz_broken("the token is not the answers joined", r);
		if (tok.len > c->max_token_size)
			fz_broken("a token over max_token_size", r);
		if (!prompted)
			fz_broken("a token without a prompt", r);
		free(want);
	}
	pb_secret_clear(&tok);
	return 0;
}
