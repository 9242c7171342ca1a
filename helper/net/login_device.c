/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What login shows during the device flow (RFC 8628): where to approve,
 * with a QR code when the terminal can show one, and a countdown while it
 * waits.  Messages go to stderr and never hold a device code; --json
 * prints the page and code as a JSON line on stdout.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "json_writer.h"
#include "login_device.h"
#include "net.h"
#include "oauth.h"
#include "qr.h"
#include "secmem.h"
#include "session.h"

/* What the waiting shows. */
struct show {
	int	tty;		/* stderr is a terminal: countdown */
	int64_t	deadline;
	int	drawn;		/* a countdown line is on screen */
};

static void
countdown(struct show *sh)
{
	int64_t left = sh->deadline - (int64_t)time(NULL);

	if (!sh->tty)
		return;
	if (left < 0)
		left = 0;
	fprintf(stderr, "\rWaiting for approval: %" PRId64 ":%02" PRId64
	    " left \033[K", left / 60, left % 60);
	fflush(stderr);
	sh->drawn = 1;
}

static int
show_sleep(void *arg, unsigned int seconds)
{
	struct show *sh = arg;
	struct timespec ts = { 1, 0 }, rem;

	while (seconds-- > 0) {
		countdown(sh);
		ts.tv_sec = 1;
		ts.tv_nsec = 0;
		while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
			ts = rem;
	}
	countdown(sh);
	return 0;
}

static int
show_progress(void *arg, enum pb_wait_event ev, int64_t remaining,
    unsigned int next_sleep, const struct pb_err *err)
{
	struct show *sh = arg;

	(void)remaining;
	if (ev == PB_WAIT_SLOWDOWN && !sh->tty)
		fprintf(stderr, "%s: the IdP asked to poll more slowly\n",
		    PB_PROG);
	if (ev == PB_WAIT_RETRY && err != NULL) {
		if (sh->drawn)
			fputs("\r\033[K", stderr);
		fprintf(stderr, "%s: %s; retrying in %u s\n", PB_PROG,
		    pb_err_msg(err), next_sleep);
	}
	return 0;
}

/* Whether the terminal takes UTF-8 (for the QR code's half blocks). */
static int
utf8_term(void)
{
	const char *cs;

	(void)setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	return cs != NULL && strcmp(cs, "UTF-8") == 0;
}

#define INDENT	"    "	/* before the URL */

/* The terminal's size on stderr. */
static void
term_size(int *rows, int *cols)
{
	struct winsize ws;

	/* Unknown: the smallest usual terminal, 80 x 24. */
	*rows = 24;
	*cols = 80;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* The terminal lines len characters take on cols columns (at least 1). */
static int
lines_of(size_t len, int cols)
{
	return cols > 0 && len > 0 ? (int)((len + (size_t)cols - 1) /
	    (size_t)cols) : 1;
}

/*
 * The QR code, then the URL and the code under it, so that on a small
 * terminal (80 x 24) they are what stays on screen, above the countdown.
 * The quiet zone shrinks, or the code is left out with a note, when the
 * terminal is too small (pb_qr_fit()).  0 when the code was drawn and
 * the text under it printed; -1 to print the text without a code.
 */
static int
show_qr(const struct pb_device *dev, const char *code)
{
	struct pb_err e;
	int rows, cols, width, quiet, below, utf8 = utf8_term(), qc, qr;

	pb_err_clear(&e);
	if (pb_qr_width(dev->verification_uri_complete, &width, &e) != PB_OK) {
		pb_session_say("no QR code", &e);
		return -1;
	}
	term_size(&rows, &cols);
	/* "Scan ...", the URL (maybe wrapped), the code, the countdown. */
	below = 1 + lines_of(sizeof(INDENT) - 1 +
	    strlen(dev->verification_uri), cols) + 1 + 1;
	if ((quiet = pb_qr_fit(width, utf8, rows, cols, below)) == 0) {
		pb_qr_cells(width, PB_QR_QUIET_SMALL, utf8, &qc, &qr);
		/* Short: on 80 columns it fits one line. */
		fprintf(stderr, "(no QR code: it needs %dx%d characters, this "
		    "terminal is %dx%d%s)\n", qc, qr + below, cols, rows,
		    utf8 ? "" : "; UTF-8 halves it");
		return -1;
	}
	if (pb_qr_print_quiet(stderr, dev->verification_uri_complete, utf8,
	    quiet, &e) != PB_OK) {
		pb_session_say("no QR code", &e);
		return -1;
	}
	fprintf(stderr, "Scan the code above, or open this page in a browser "
	    "on any device:\n" INDENT "%s\nand enter the code:  %s\n",
	    dev->verification_uri, code);
	return 0;
}

int
pb_login_device_show(const struct pb_device *dev, int json, int qr)
{
	char sb[PB_SAFE_BUFSZ];
	struct pb_json_writer b;
	const char *term;

	if (json) {
		memset(&b, 0, sizeof(b));
		pb_json_writer_begin(&b);
		pb_json_writer_str(&b, "verification_uri",
		    dev->verification_uri);
		pb_json_writer_str(&b, "verification_uri_complete",
		    dev->verification_uri_complete);
		pb_json_writer_str(&b, "user_code", dev->user_code);
		pb_json_writer_int(&b, "expires_in", dev->expires_in);
		pb_json_writer_int(&b, "interval", dev->interval);
		return pb_session_json_line(&b);
	}
	/* URL and code were checked printable by device.c. */
	pb_log_safe(dev->user_code, sb, sizeof(sb));
	term = secure_getenv("TERM");
	if (dev->verification_uri_complete != NULL && qr &&
	    isatty(STDERR_FILENO) && pb_qr_available() &&
	    (term == NULL || strcmp(term, "dumb") != 0) &&
	    show_qr(dev, sb) == 0) {
		fflush(stderr);
		return PB_EXIT_OK;
	}
	fprintf(stderr, "To log in, open this page in a browser on any "
	    "device:\n\n    %s\n\nand enter the code:  %s\n\n",
	    dev->verification_uri, sb);
	if (dev->verification_uri_complete != NULL)
		fprintf(stderr, "(or open %s, with the code filled in)\n\n",
		    dev->verification_uri_complete);
	fflush(stderr);
	return PB_EXIT_OK;
}

int
pb_login_device_wait(const struct pb_oauth_client *client,
    const char *token_endpoint, const struct pb_device *dev, int json,
    struct pb_tokens *tok, struct pb_err *e)
{
	struct show sh;
	struct pb_wait w;
	int r;

	memset(&sh, 0, sizeof(sh));
	sh.tty = !json && isatty(STDERR_FILENO);
	sh.deadline = (int64_t)time(NULL) + dev->expires_in;
	memset(&w, 0, sizeof(w));
	w.sleep = show_sleep;
	w.progress = show_progress;
	w.arg = &sh;
	r = pb_device_wait(token_endpoint, client, dev, &w, tok, e);
	if (sh.drawn)
		fputs("\r\033[K", stderr);
	return r;
}
