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
 * The next answer into *ans (libpam-style malloc()ed): a copy of
 * PAM_AUTHTOK while *item holds it (then cleared), else the module's
 * prompt or, once parts have come, the one that names the bytes so far.
 */
static int
next_answer(pam_handle_t *pamh, const struct pb_conf *cfg, const void **item,
    size_t parts, size_t sofar, char **ans, int *prompted)
{
	char prompt[PB_PROMPT_BUFSZ];
	int r;

	*ans = NULL;
	if (*item != NULL) {
		/* PAM_AUTHTOK belongs to libpam: copy, never free. */
		*ans = strdup(*item);
		*item = NULL;
		return *ans == NULL ? PAM_BUF_ERR : PAM_SUCCESS;
	}
	if (parts == 0)
		r = pb_conv_ask(pamh, cfg->prompt, ans);
	else if (pb_prompt_format(prompt, sizeof(prompt), sofar) != PB_OK)
		r = PAM_BUF_ERR;
	else
		r = pb_conv_ask(pamh, prompt, ans);
	if (r == PAM_SUCCESS)
		*prompted = 1;
	return r;
}

int
pb_conv_token(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_conf *cfg, struct pb_secret *tok, int *prompted,
    int *hint1023)
{
	const void *item = NULL;
	struct pb_sbuf b;
	char *ans = NULL;
	size_t len, parts = 0;
	int r, more;

	tok->p = NULL;
	tok->len = 0;
	/* Grown by fresh copies, the old ones wiped (never realloc). */
	pb_sbuf_init(&b, cfg->max_token_size);
	*prompted = 0;
	*hint1023 = 0;
	if (args->try_first_pass || args->use_first_pass) {
		r = pam_get_item(pamh, PAM_AUTHTOK, &item);
		if (r != PAM_SUCCESS)
			return r;
		if (item == NULL && args->use_first_pass) {
			pam_syslog(pamh, LOG_NOTICE, "use_first_pass but no "
			    "password from an earlier module");
			return PAM_AUTH_ERR;
		}
	}
	for (;;) {
		if ((r = next_answer(pamh, cfg, &item, parts, b.len, &ans,
		    prompted)) != PAM_SUCCESS)
			goto fail;
		len = strlen(ans);
		if (len == SSH_ANSWER_CUT)
			*hint1023 = 1;
		more = pb_prompt_strip(ans, &len);
		r = pb_sbuf_put(&b, ans, len);
		pb_freezero(ans, strlen(ans) + 1);
		ans = NULL;
		if (r == PB_ERR_TOOBIG) {
			pam_syslog(pamh, LOG_NOTICE, "token input over "
			    "max_token_size (%zu bytes), rejected",
			    cfg->max_token_size);
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
		if (args->use_first_pass) {
			pam_syslog(pamh, LOG_NOTICE, "use_first_pass: the "
			    "password from an earlier module ends in '\\', "
			    "which would need a prompt for the rest");
			r = PAM_AUTH_ERR;
			goto fail;
		}
		if (++parts >= MAX_PARTS) {
			pam_syslog(pamh, LOG_NOTICE, "token sent in more than "
			    "%d parts, rejected", MAX_PARTS);
			r = PAM_AUTH_ERR;
			goto fail;
		}
	}
	if (pb_sbuf_take(&b, tok) == PB_OK)
		return PAM_SUCCESS;
	r = PAM_BUF_ERR;
 fail:
	pb_sbuf_clear(&b);
	pb_secret_clear(tok);
	return r;
}
