/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "err.h"
#include "module.h"
#include "prompt.h"
#include "sbuf.h"
#include "secmem.h"

/* The OpenSSH client cuts every answer at 1023 bytes (readpass.c). */
#define SSH_ANSWER_CUT	1023

/* A runaway sender of one-byte parts must not keep us looping. */
#define MAX_PARTS	256

/* Ask one question with echo off; *answer is libpam-style malloc()ed. */
int
pb_conv_ask(pam_handle_t *pamh, const char *prompt, char **answer)
{
	const struct pam_conv *conv = NULL;
	const struct pam_message msg = { PAM_PROMPT_ECHO_OFF, prompt };
	const struct pam_message *msgs = &msg;
	struct pam_response *resp = NULL;
	int r;

	*answer = NULL;
	if ((r = pam_get_item(pamh, PAM_CONV, (const void **)&conv)) !=
	    PAM_SUCCESS || conv == NULL || conv->conv == NULL)
		return r == PAM_SUCCESS ? PAM_CONV_ERR : r;
	r = conv->conv(1, &msgs, &resp, conv->appdata_ptr);
	if (r == PAM_SUCCESS && resp != NULL && resp->resp != NULL) {
		*answer = resp->resp;
		free(resp);
		return PAM_SUCCESS;
	}
	/* An application may fill resp and still fail: wipe, free it. */
	if (resp != NULL) {
		if (resp->resp != NULL)
			pb_freezero(resp->resp, strlen(resp->resp) + 1);
		free(resp);
	}
	switch (r) {
	case PAM_CONV_AGAIN:
		return PAM_INCOMPLETE;
	case PAM_BUF_ERR:
		return PAM_BUF_ERR;
	default:
		/* PAM_SUCCESS without an answer, or a code of its own. */
		return PAM_CONV_ERR;
	}
}

/*
 * The hint for a conversation that failed or gave no answer at the prompt
 * for what's bytes from off.  It may be a user's cancel or an askpass that
 * refused on purpose; it may also be a client that dropped a long answer:
 * sudo's conversation (plugins/sudoers/auth/pam.c, converse()) fails with
 * PAM_CONV_ERR and no answer when one is PAM_MAX_RESP_SIZE (512) bytes or
 * more, and logs nothing.  So the hint says what to do if it is that.
 */
static void
log_no_answer(pam_handle_t *pamh, const char *what, size_t off)
{
	pam_syslog(pamh, LOG_NOTICE, "the PAM client returned no answer to "
	    "the %s prompt (from byte %zu); if it is sudo or another client "
	    "that drops answers of %d bytes or more, send the %s in parts "
	    "of at most %d bytes ending in '\\' (bearer-token sudo and "
	    "bearer-token askpass do)", what, off, PAM_MAX_RESP_SIZE, what,
	    PB_PROMPT_PART);
}

/*
 * The next answer into *ans (libpam-style malloc()ed): a copy of
 * p->item while it is set (then cleared), else p's first prompt or, once
 * parts have come, the one that names the bytes so far.
 */
static int
next_answer(pam_handle_t *pamh, struct pb_conv_parts *p, size_t parts,
    size_t sofar, char **ans, int *prompted)
{
	char prompt[PB_PROMPT_PROOF_BUFSZ];
	int r;

	*ans = NULL;
	if (p->item != NULL) {
		/* PAM_AUTHTOK belongs to libpam: copy, never free. */
		*ans = strdup(p->item);
		p->item = NULL;
		return *ans == NULL ? PAM_BUF_ERR : PAM_SUCCESS;
	}
	if (parts == 0)
		r = pb_conv_ask(pamh, p->first, ans);
	else if (p->next(prompt, sizeof(prompt), sofar, p->ctx) != PB_OK)
		r = PAM_BUF_ERR;
	else
		r = pb_conv_ask(pamh, prompt, ans);
	if (r == PAM_SUCCESS)
		*prompted = 1;
	else if (r == PAM_CONV_ERR)
		log_no_answer(pamh, p->what, sofar);
	return r;
}

int
pb_conv_parts(pam_handle_t *pamh, struct pb_conv_parts *p,
    struct pb_secret *out, int *prompted, int *hint1023)
{
	struct pb_sbuf b;
	char *ans = NULL;
	size_t len, parts = 0;
	int r, more, taken;

	out->p = NULL;
	out->len = 0;
	/* Grown by fresh copies, the old ones wiped (never realloc). */
	pb_sbuf_init(&b, p->max);
	*prompted = 0;
	*hint1023 = 0;
	for (;;) {
		taken = p->item != NULL;
		if ((r = next_answer(pamh, p, parts, b.len, &ans,
		    prompted)) != PAM_SUCCESS)
			goto fail;
		len = strlen(ans);
		if (len == SSH_ANSWER_CUT)
			*hint1023 = 1;
		more = pb_prompt_strip(ans, &len, b.len == 0);
		r = len == 0 && (more || parts > 0) ? PB_ERR_FORMAT :
		    pb_sbuf_put(&b, ans, len);
		pb_freezero(ans, strlen(ans) + 1);
		ans = NULL;
		/* No bytes: a lone '\' would ask from byte 0 again. */
		if (r == PB_ERR_FORMAT) {
			pam_syslog(pamh, LOG_NOTICE, "an empty part of the %s "
			    "(an answer of just '\\', or an empty one after a "
			    "part), rejected", p->what);
			r = PAM_AUTH_ERR;
			goto fail;
		}
		if (r == PB_ERR_TOOBIG) {
			pam_syslog(pamh, LOG_NOTICE, "%s input over %s (%zu "
			    "bytes), rejected", p->what, p->limit, p->max);
			r = PAM_AUTH_ERR;
			goto fail;
		}
		if (r != PB_OK) {
			r = PAM_BUF_ERR;
			goto fail;
		}
		if (!more)
			break;
		/* use_first_pass means never prompt, not even for a part. */
		if (taken && p->no_prompt) {
			pam_syslog(pamh, LOG_NOTICE, "use_first_pass: the "
			    "password from an earlier module ends in '\\', "
			    "which would need a prompt for the rest");
			r = PAM_AUTH_ERR;
			goto fail;
		}
		if (++parts >= MAX_PARTS) {
			pam_syslog(pamh, LOG_NOTICE, "%s sent in more than %d "
			    "parts, rejected", p->what, MAX_PARTS);
			r = PAM_AUTH_ERR;
			goto fail;
		}
	}
	if (pb_sbuf_take(&b, out) == PB_OK)
		return PAM_SUCCESS;
	r = PAM_BUF_ERR;
 fail:
	pb_sbuf_clear(&b);
	pb_secret_clear(out);
	return r;
}

/* The token's continuation prompts (pb_conv_parts()'s next). */
static int
token_next(char *buf, size_t bufsz, size_t off, const void *ctx)
{
	(void)ctx;
	return pb_prompt_format(buf, bufsz, off);
}

int
pb_conv_token(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_conf *cfg, struct pb_secret *tok, int *prompted,
    int *hint1023)
{
	struct pb_conv_parts p = { "token", "max_token_size", cfg->prompt,
	    token_next, NULL, cfg->max_token_size, NULL, 0 };
	int r;

	tok->p = NULL;
	tok->len = 0;
	*prompted = 0;
	*hint1023 = 0;
	if (args->try_first_pass || args->use_first_pass) {
		r = pam_get_item(pamh, PAM_AUTHTOK, &p.item);
		if (r != PAM_SUCCESS)
			return r;
		if (p.item == NULL && args->use_first_pass) {
			pam_syslog(pamh, LOG_NOTICE, "use_first_pass but no "
			    "password from an earlier module");
			return PAM_AUTH_ERR;
		}
		p.no_prompt = args->use_first_pass;
	}
	return pb_conv_parts(pamh, &p, tok, prompted, hint1023);
}
