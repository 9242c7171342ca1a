/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * askpass_tty: the prompts askpass does not answer itself (a host key
 * question, a key passphrase, a password) go to a fallback askpass or to
 * the terminal, never the token (pb_askpass_tty_ask()).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "net.h"
#include "out.h"
#include "secmem.h"

/* The terminal to restore when a signal ends the question. */
static int tty_fd = -1;
static struct termios tty_old;

static void
tty_restore(int sig)
{
	if (tty_fd != -1)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_old);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/*
 * Write the server's prompt text to the terminal as printable ASCII, tabs
 * and newlines: any other byte (an escape sequence, a C1 control, UTF-8)
 * becomes '?', so a server cannot drive the terminal.  0 or -1.
 */
static int
show(int fd, const char *prompt)
{
	char b[256];
	size_t i = 0, n = 0;
	unsigned char c;

	for (;; i++) {
		if (n == sizeof(b) || prompt[i] == '\0') {
			if (pb_out_write(fd, b, n) == -1)
				return -1;
			n = 0;
		}
		if ((c = (unsigned char)prompt[i]) == '\0')
			return 0;
		b[n++] = (char)((c >= 0x20 && c < 0x7f) || c == '\t' ||
		    c == '\n' ? c : '?');
	}
}

/*
 * Ask prompt on the terminal (echo off unless it is a yes/no question or
 * ssh says "confirm"; shown and left unanswered when ssh says "none") and
 * write the answer and a newline on stdout.  A PB_EXIT_* status.
 */
static int
tty_ask(const char *prompt)
{
	const char *mode = secure_getenv("SSH_ASKPASS_PROMPT");
	struct termios old, quiet;
	char buf[1024];
	size_t len = 0;
	ssize_t n;
	int fd, echo, rv = PB_EXIT_FAIL, restore = 0, got = 0;
	char c;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: askpass: no terminal to answer a prompt "
		    "that is not pam_bearer's, and no "
		    "BEARER_TOKEN_ASKPASS_FALLBACK\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	/* ssh's notices (touch your security key): show, answer nothing. */
	if (mode != NULL && strcmp(mode, "none") == 0) {
		(void)show(fd, prompt);
		(void)pb_out_write(fd, "\n", 1);
		close(fd);
		return PB_EXIT_OK;
	}
	/* Questions are echoed; anything else may be a password. */
	echo = strstr(prompt, "(yes/no") != NULL ||
	    (mode != NULL && strcmp(mode, "confirm") == 0);
	if (!echo && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
		tty_old = old;
		tty_fd = fd;
		(void)signal(SIGINT, tty_restore);
		(void)signal(SIGTERM, tty_restore);
		(void)signal(SIGHUP, tty_restore);
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (show(fd, prompt) == -1)
		goto out;
	for (;;) {
		n = read(fd, &c, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		got = 1;
		if (len < sizeof(buf) - 1)
			buf[len++] = c;
	}
	if (!echo)
		(void)pb_out_write(fd, "\n", 1);
	/* End of input before any answer: no answer, not an empty one. */
	if ((n > 0 || got) && pb_out_write(STDOUT_FILENO, buf, len) == 0 &&
	    pb_out_write(STDOUT_FILENO, "\n", 1) == 0)
		rv = PB_EXIT_OK;
 out:
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	tty_fd = -1;
	pb_bzero(buf, sizeof(buf));
	close(fd);
	return rv;
}

/*
 * Any other prompt (a host key question, a key passphrase, a password):
 * the fallback askpass when one is named, else the terminal.  Never the
 * token.
 */
int
pb_askpass_tty_ask(const char *prompt)
{
	char sb[PB_SAFE_BUFSZ];
	const char *fb = secure_getenv("BEARER_TOKEN_ASKPASS_FALLBACK");
	char *const fargv[] = { (char *)(uintptr_t)fb,
	    (char *)(uintptr_t)prompt, NULL };

	if (fb != NULL && *fb != '\0') {
		execv(fb, fargv);
		fprintf(stderr, "%s: askpass: cannot run the fallback %s: "
		    "%s\n", PB_PROG, pb_log_safe(fb, sb, sizeof(sb)),
		    strerror(errno));
		return PB_EXIT_FAIL;
	}
	return tty_ask(prompt);
}
