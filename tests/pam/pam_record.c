/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_record.so: a test-only PAM module for tests/helper/ssh.sh, never
 * installed.  It plays an "evil" server: it asks exactly pam_bearer's
 * prompts (common/prompt.h), the token (in parts, as askpass sends a long
 * one) and then "Bearer proof for HOST, nonce NONCE: " with a nonce of its
 * own, writes what it was sent to files, and refuses the login.
 *
 * auth arguments: dir=DIR host=HOST nonce=NONCE (NONCE as the module's: 43
 * base64url characters).  Writes DIR/token (the parts joined, without
 * their continuation marks) and DIR/proof (the proof's parts joined: it
 * comes in parts too when longer than one), mode 0600, and DIR/prompts
 * (one line per prompt asked).
 * Returns PAM_AUTH_ERR, or PAM_SERVICE_ERR on bad arguments.  Every other
 * entry point returns PAM_IGNORE.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "prompt.h"

#define RECORD_EXPORT	__attribute__((visibility("default")))
#define MAX_PARTS	20

RECORD_EXPORT int pam_sm_authenticate(pam_handle_t *, int, int,
    const char **);
RECORD_EXPORT int pam_sm_setcred(pam_handle_t *, int, int, const char **);

/* Append len bytes of s to DIR/name. */
static void
save(const char *dir, const char *name, const char *s, size_t len)
{
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1)
		return;
	(void)!write(fd, s, len);
	(void)close(fd);
}

/* Ask prompt (echo off), note it in DIR/prompts; the answer or NULL. */
static char *
ask(pam_handle_t *pamh, const char *dir, const char *prompt)
{
	char *ans = NULL;

	save(dir, "prompts", prompt, strlen(prompt));
	save(dir, "prompts", "\n", 1);
	if (pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &ans, "%s", prompt) !=
	    PAM_SUCCESS)
		return NULL;
	return ans;
}

/*
 * The prompt of the part at byte off: the token's when host is NULL, else
 * the proof's for host and nonce.  0, or -1.
 */
static int
part_prompt(char *buf, size_t bufsz, const char *host, const char *nonce,
    size_t off)
{
	if (host != NULL)
		return pb_prompt_proof_format(buf, bufsz, host, nonce, off) ==
		    PB_OK ? 0 : -1;
	if (off == 0)
		return (size_t)snprintf(buf, bufsz, "%s", PB_PROMPT_FIRST) <
		    bufsz ? 0 : -1;
	return pb_prompt_format(buf, bufsz, off) == PB_OK ? 0 : -1;
}

/*
 * The token (host NULL) or the proof into DIR/name, in parts ending in
 * PB_PROMPT_MORE while more follow.
 */
static void
record_parts(pam_handle_t *pamh, const char *dir, const char *name,
    const char *host, const char *nonce)
{
	char prompt[PB_PROMPT_PROOF_BUFSZ], *ans;
	size_t off = 0, len;
	int part, more = 1;

	for (part = 0; more && part < MAX_PARTS; part++) {
		if (part_prompt(prompt, sizeof(prompt), host, nonce, off) != 0 ||
		    (ans = ask(pamh, dir, prompt)) == NULL)
			return;
		len = strlen(ans);
		more = pb_prompt_strip(ans, &len, off == 0);
		save(dir, name, ans, len);
		off += len;
		free(ans);
	}
}

static const char *
arg(int argc, const char **argv, const char *key)
{
	size_t n = strlen(key);
	int i;

	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

RECORD_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	const char *dir = arg(argc, argv, "dir");
	const char *host = arg(argc, argv, "host");
	const char *nonce = arg(argc, argv, "nonce");
	char prompt[PB_PROMPT_PROOF_BUFSZ];

	(void)flags;
	if (dir == NULL || host == NULL || nonce == NULL ||
	    pb_prompt_proof_format(prompt, sizeof(prompt), host, nonce, 0) !=
	    PB_OK)
		return PAM_SERVICE_ERR;
	record_parts(pamh, dir, "token", NULL, NULL);
	record_parts(pamh, dir, "proof", host, nonce);
	return PAM_AUTH_ERR;
}

RECORD_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
