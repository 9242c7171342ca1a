/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_expect.so: a test-only PAM module for check_pam, never installed.
 * It stands in for the modules that sit around pam_bearer.so in a real
 * stack (pam_unix try_first_pass below it, a module that asked for the
 * password above it) without needing a shadow entry or a terminal.
 *
 * auth arguments (one of):
 *   expect=VALUE       PAM_SUCCESS when PAM_AUTHTOK is exactly VALUE,
 *                      else PAM_AUTH_ERR (never prompts)
 *   expect_file=PATH   the same, VALUE being the file's bytes
 *   expect_none        PAM_SUCCESS when there is no PAM_AUTHTOK
 *   set=VALUE          set PAM_AUTHTOK to VALUE, return PAM_IGNORE
 *   set_file=PATH      the same with the file's bytes (tokens are longer
 *                      than a pam.d line may be)
 * Every other entry point returns PAM_IGNORE.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_modules.h>

#define EXPECT_EXPORT	__attribute__((visibility("default")))
#define FILE_MAX	(1024 * 1024)

EXPECT_EXPORT int pam_sm_authenticate(pam_handle_t *, int, int,
    const char **);
EXPECT_EXPORT int pam_sm_setcred(pam_handle_t *, int, int, const char **);
EXPECT_EXPORT int pam_sm_acct_mgmt(pam_handle_t *, int, int, const char **);
EXPECT_EXPORT int pam_sm_open_session(pam_handle_t *, int, int,
    const char **);
EXPECT_EXPORT int pam_sm_close_session(pam_handle_t *, int, int,
    const char **);

/* The whole file as a NUL-terminated string, or NULL. */
static char *
slurp(const char *path)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (len < FILE_MAX &&
	    (n = read(fd, buf + len, FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int
expect(pam_handle_t *pamh, const char *want)
{
	const void *item = NULL;

	if (pam_get_item(pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS)
		return PAM_SERVICE_ERR;
	if (want == NULL)
		return item == NULL ? PAM_SUCCESS : PAM_AUTH_ERR;
	if (item == NULL || strcmp(item, want) != 0)
		return PAM_AUTH_ERR;
	return PAM_SUCCESS;
}

EXPECT_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	char *v;
	int r;

	(void)flags;
	if (argc != 1)
		return PAM_SERVICE_ERR;
	if (strncmp(argv[0], "expect=", 7) == 0)
		return expect(pamh, argv[0] + 7);
	if (strcmp(argv[0], "expect_none") == 0)
		return expect(pamh, NULL);
	if (strncmp(argv[0], "set=", 4) == 0)
		return pam_set_item(pamh, PAM_AUTHTOK, argv[0] + 4) ==
		    PAM_SUCCESS ? PAM_IGNORE : PAM_SERVICE_ERR;
	if (strncmp(argv[0], "expect_file=", 12) == 0) {
		if ((v = slurp(argv[0] + 12)) == NULL)
			return PAM_SERVICE_ERR;
		r = expect(pamh, v);
		free(v);
		return r;
	}
	if (strncmp(argv[0], "set_file=", 9) == 0) {
		if ((v = slurp(argv[0] + 9)) == NULL)
			return PAM_SERVICE_ERR;
		r = pam_set_item(pamh, PAM_AUTHTOK, v);
		free(v);
		return r == PAM_SUCCESS ? PAM_IGNORE : PAM_SERVICE_ERR;
	}
	return PAM_SERVICE_ERR;
}

EXPECT_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

EXPECT_EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

EXPECT_EXPORT int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

EXPECT_EXPORT int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
