/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper/qr: the login URL as a QR code on the terminal.  The output of
 * both modes is parsed back into a module matrix (following the ANSI
 * colours, the half blocks and the double spaces) and compared module by
 * module with libqrencode's own encoding plus the 4-module quiet zone.
 * Without libqrencode the test checks that pb_qr_print() refuses and
 * prints nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif

#include "checkmain.h"
#include "err.h"
#include "qr.h"

#define URL	"https://idp.example.com/realms/demo/device?user_code=WDJB-MJHT"

/* Output captured from pb_qr_print(). */
struct out {
	char	*buf;
	size_t	 len;
	int	 r;
};

/*
 * Run pb_qr_print_quiet(text, utf8, quiet) (pb_qr_print() for quiet 4)
 * into memory; out->buf is freed by the caller.
 */
static void
render_q(const char *text, int utf8, int quiet, struct out *o,
    struct pb_err *e)
{
	FILE *f;

	o->buf = NULL;
	o->len = 0;
	f = open_memstream(&o->buf, &o->len);
	ck_assert_ptr_nonnull(f);
	o->r = quiet == 4 ? pb_qr_print(f, text, utf8, e) :
	    pb_qr_print_quiet(f, text, utf8, quiet, e);
	ck_assert_int_eq(fclose(f), 0);
}

static void
render(const char *text, int utf8, struct out *o, struct pb_err *e)
{
	render_q(text, utf8, 4, o, e);
}

/* Failures print nothing and leave code and a message in *e. */
static void
refused(const char *text, int want)
{
	struct pb_err e;
	struct out o;
	int utf8;

	for (utf8 = 0; utf8 <= 1; utf8++) {
		pb_err_clear(&e);
		render(text, utf8, &o, &e);
		ck_assert_int_eq(o.r, want);
		ck_assert_int_eq(e.code, want);
		ck_assert(e.msg[0] != '\0');
		ck_assert_uint_eq(o.len, 0);
		free(o.buf);
		/* e is optional. */
		render(text, utf8, &o, NULL);
		ck_assert_int_eq(o.r, want);
		ck_assert_uint_eq(o.len, 0);
		free(o.buf);
	}
}

#ifdef HAVE_QRENCODE

/* A string of n copies of c, freed by the caller. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

#define NMAX	(177 + 2 * 4)

/* Colours of the parser's SGR state. */
#define C_NONE	(-1)		/* after a reset: the terminal's default */
#define C_DARK	0
#define C_LIGHT	1

/* The drawing read back: rows x cols modules, 1 for dark. */
struct grid {
	int		rows, cols;
	unsigned char	m[NMAX + 1][NMAX];
};

/* Apply the SGR sequence at *pp ("\033[" params "m") to fg and bg. */
static void
sgr(const char **pp, const char *end, int *fg, int *bg)
{
	const char *p = *pp + 2;
	long v;
	char *q;

	ck_assert(end - *pp >= 3 && (*pp)[1] == '[');
	for (;;) {
		v = strtol(p, &q, 10);
		ck_assert_msg(q != p, "empty SGR parameter");
		switch (v) {
		case 0:
			*fg = *bg = C_NONE;
			break;
		case 30:
			*fg = C_DARK;
			break;
		case 37:
			*fg = C_LIGHT;
			break;
		case 40:
			*bg = C_DARK;
			break;
		case 47:
			*bg = C_LIGHT;
			break;
		default:
			ck_abort_msg("unexpected SGR parameter %ld", v);
		}
		ck_assert(q < end);
		if (*q == 'm')
			break;
		ck_assert_int_eq(*q, ';');
		p = q + 1;
	}
	*pp = q + 1;
}

/* Set module (x, y) of g, growing its size. */
static void
set(struct grid *g, int x, int y, int c)
{
	ck_assert_msg(c != C_NONE, "module %d,%d drawn in default colour",
	    x, y);
	ck_assert_int_lt(x, NMAX);
	ck_assert_int_le(y, NMAX);
	g->m[y][x] = c == C_DARK;
	if (x + 1 > g->cols)
		g->cols = x + 1;
	if (y + 1 > g->rows)
		g->rows = y + 1;
}

/*
 * Parse o into g: every line must have as many modules as the first and
 * end with a reset, so that no colour bleeds into what follows.
 */
static void
parse(const struct out *o, int utf8, struct grid *g)
{
	const char *p = o->buf, *end = o->buf + o->len;
	int fg = C_NONE, bg = C_NONE, x = 0, y = 0, step = utf8 ? 2 : 1;

	memset(g, 0, sizeof(*g));
	while (p < end) {
		if (*p == '\033') {
			sgr(&p, end, &fg, &bg);
		} else if (*p == '\n') {
			ck_assert_msg(fg == C_NONE && bg == C_NONE,
			    "line %d not reset", y / step);
			ck_assert_msg(y == 0 || x == g->cols,
			    "line %d: %d modules, want %d", y / step, x,
			    g->cols);
			x = 0;
			y += step;
			p++;
		} else if (!utf8) {
			/* A module is two spaces on its background. */
			ck_assert(end - p >= 2 && p[0] == ' ' && p[1] == ' ');
			set(g, x++, y, bg);
			p += 2;
		} else if (*p == ' ') {
			set(g, x, y, bg);
			set(g, x++, y + 1, bg);
			p++;
		} else {
			ck_assert(end - p >= 3 &&
			    memcmp(p, "\xe2\x96", 2) == 0);
			switch ((unsigned char)p[2]) {
			case 0x80:		/* U+2580 upper half */
				set(g, x, y, fg);
				set(g, x++, y + 1, bg);
				break;
			case 0x84:		/* U+2584 lower half */
				set(g, x, y, bg);
				set(g, x++, y + 1, fg);
				break;
			case 0x88:		/* U+2588 full block */
				set(g, x, y, fg);
				set(g, x++, y + 1, fg);
				break;
			default:
				ck_abort_msg("unexpected character");
			}
			p += 3;
		}
	}
	ck_assert_msg(x == 0, "last line not ended");
}

/*
 * Render text in both modes and compare each with
 * QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1) framed by the
 * quiet zone.  Returns the symbol width.
 */
static int
check_text_q(const char *text, int quiet)
{
	static struct grid g;
	struct pb_err e;
	struct out o;
	QRcode *qr;
	size_t i;
	int utf8, n, x, y, want, lines, cols, rows;

	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	ck_assert_ptr_nonnull(qr);
	n = qr->width + 2 * quiet;
	for (utf8 = 0; utf8 <= 1; utf8++) {
		pb_err_clear(&e);
		render_q(text, utf8, quiet, &o, &e);
		ck_assert_int_eq(o.r, PB_OK);
		ck_assert_int_eq(e.code, PB_OK);
		parse(&o, utf8, &g);
		lines = 0;
		for (i = 0; i < o.len; i++)
			lines += o.buf[i] == '\n';
		ck_assert_int_eq(g.cols, n);
		if (utf8) {
			/* n is odd: the last line's lower half is light. */
			ck_assert_int_eq(lines, (n + 1) / 2);
			ck_assert_int_eq(g.rows, n + (n & 1));
		} else {
			ck_assert_int_eq(lines, n);
			ck_assert_int_eq(g.rows, n);
		}
		/* pb_qr_cells() says what was drawn. */
		pb_qr_cells(qr->width, quiet, utf8, &cols, &rows);
		ck_assert_int_eq(rows, lines);
		ck_assert_int_eq(cols, utf8 ? n : 2 * n);
		for (y = 0; y < g.rows; y++)
			for (x = 0; x < n; x++) {
				want = 0;
				if (x >= quiet && x < n - quiet &&
				    y >= quiet && y < n - quiet)
					want = qr->data[(y - quiet) *
					    qr->width + (x - quiet)] & 1;
				ck_assert_msg(g.m[y][x] == want,
				    "utf8 %d, module %d,%d: %d, want %d",
				    utf8, x, y, g.m[y][x], want);
			}
		free(o.buf);
	}
	x = qr->width;
	QRcode_free(qr);
	ck_assert_int_eq(pb_qr_width(text, &y, &e), PB_OK);
	ck_assert_int_eq(y, x);
	return x;
}

static int
check_text(const char *text)
{
	return check_text_q(text, 4);
}

/* The small terminal's code: the same symbol, a 2-module quiet zone. */
START_TEST(test_qr_quiet_small)
{
	struct pb_err e;
	struct out o;

	ck_assert_int_eq(check_text_q(URL, PB_QR_QUIET_SMALL), 33);
	ck_assert_int_eq(check_text_q("x", 1), 21);
	render_q(URL, 1, 5, &o, &e);
	ck_assert_int_eq(o.r, PB_ERR_INTERNAL);
	ck_assert_uint_eq(o.len, 0);
	free(o.buf);
}
END_TEST

START_TEST(test_qr_available)
{
	ck_assert_int_eq(pb_qr_available(), 1);
}
END_TEST

START_TEST(test_qr_url)
{
	ck_assert_int_ge(check_text(URL), 21);
}
END_TEST

START_TEST(test_qr_small)
{
	/* Version 1: the smallest version is chosen. */
	ck_assert_int_eq(check_text("a"), 21);
	ck_assert_int_eq(check_text("0123456789"), 21);
	ck_assert_int_eq(check_text("HTTPS://X.EXAMPLE/ABC"), 21);
}
END_TEST

START_TEST(test_qr_largest)
{
	char *s = repeat('a', 2953);	/* 40-L holds 2953 bytes */

	ck_assert_int_eq(check_text(s), 177);
	free(s);
}
END_TEST

START_TEST(test_qr_lines)
{
	struct out o;
	const char *p, *nl;
	int utf8;

	/* Each line sets its colours first and resets them last. */
	for (utf8 = 0; utf8 <= 1; utf8++) {
		render(URL, utf8, &o, NULL);
		ck_assert_int_eq(o.r, PB_OK);
		for (p = o.buf; p < o.buf + o.len; p = nl + 1) {
			nl = memchr(p, '\n', o.len - (size_t)(p - o.buf));
			ck_assert_ptr_nonnull(nl);
			ck_assert_int_eq(p[0], '\033');
			ck_assert(nl - p > 4 &&
			    memcmp(nl - 4, "\033[0m", 4) == 0);
		}
		if (utf8)
			ck_assert(strstr(o.buf, "\033[30;47m") != NULL);
		else
			ck_assert(strstr(o.buf, "\033[40m") != NULL &&
			    strstr(o.buf, "\033[47m") != NULL);
		free(o.buf);
	}
}
END_TEST

START_TEST(test_qr_toobig)
{
	char *s;

	s = repeat('a', 2954);		/* one byte over 40-L */
	refused(s, PB_ERR_TOOBIG);
	free(s);
	s = repeat('a', 5000);
	refused(s, PB_ERR_TOOBIG);
	free(s);
	s = repeat('1', 7090);		/* over the numeric maximum */
	refused(s, PB_ERR_TOOBIG);
	free(s);
	s = repeat('x', 1024 * 1024);
	refused(s, PB_ERR_TOOBIG);
	free(s);
}
END_TEST

START_TEST(test_qr_empty)
{
	refused("", PB_ERR_FORMAT);
}
END_TEST

START_TEST(test_qr_write_error)
{
	struct pb_err e;
	FILE *f;

	/* /dev/full fails every write with ENOSPC. */
	if ((f = fopen("/dev/full", "w")) == NULL)
		return;
	pb_err_clear(&e);
	ck_assert_int_eq(pb_qr_print(f, URL, 1, &e), PB_ERR_IO);
	ck_assert_int_eq(e.code, PB_ERR_IO);
	(void)fclose(f);
}
END_TEST

#else /* !HAVE_QRENCODE */

START_TEST(test_qr_unavailable)
{
	struct pb_err e;
	struct out o;

	ck_assert_int_eq(pb_qr_available(), 0);
	refused(URL, PB_ERR_CONFIG);
	refused("", PB_ERR_CONFIG);
	pb_err_clear(&e);
	render(URL, 1, &o, &e);
	ck_assert(strstr(e.msg, "libqrencode") != NULL);
	free(o.buf);
}
END_TEST

#endif /* HAVE_QRENCODE */

/*
 * The login screen's layout (the terminal size injected): the URL's code
 * (version 4, 33 modules) on 80 x 24 in UTF-8 needs the small quiet zone
 * to leave 4 lines under it; without UTF-8 it fits no 80 x 24 terminal.
 */
START_TEST(test_qr_fit)
{
	/* UTF-8: 41 x 21 with 4 modules, 37 x 19 with 2. */
	ck_assert_int_eq(pb_qr_fit(33, 1, 24, 80, 4), PB_QR_QUIET_SMALL);
	ck_assert_int_eq(pb_qr_fit(33, 1, 25, 80, 4), PB_QR_QUIET);
	ck_assert_int_eq(pb_qr_fit(33, 1, 22, 80, 4), 0);
	ck_assert_int_eq(pb_qr_fit(33, 1, 24, 37, 4), PB_QR_QUIET_SMALL);
	ck_assert_int_eq(pb_qr_fit(33, 1, 24, 36, 4), 0);
	/* More text under the code (a wrapped URL) takes room from it. */
	ck_assert_int_eq(pb_qr_fit(33, 1, 24, 80, 5), PB_QR_QUIET_SMALL);
	ck_assert_int_eq(pb_qr_fit(33, 1, 24, 80, 6), 0);
	/* Version 3 (29 modules) fits 80 x 24 with the full quiet zone. */
	ck_assert_int_eq(pb_qr_fit(29, 1, 24, 80, 4), PB_QR_QUIET);
	/* Unknown size (0): taken as 80 x 24. */
	ck_assert_int_eq(pb_qr_fit(33, 1, 0, 0, 4), PB_QR_QUIET_SMALL);
	ck_assert_int_eq(pb_qr_fit(33, 0, 0, 0, 4), 0);
	/* No UTF-8: two columns and a line per module. */
	ck_assert_int_eq(pb_qr_fit(33, 0, 24, 80, 4), 0);
	ck_assert_int_eq(pb_qr_fit(21, 0, 24, 80, 4), 0);
	ck_assert_int_eq(pb_qr_fit(21, 0, 29, 80, 4), PB_QR_QUIET_SMALL);
	ck_assert_int_eq(pb_qr_fit(33, 0, 45, 82, 4), PB_QR_QUIET);
	ck_assert_int_eq(pb_qr_fit(33, 0, 45, 81, 4), PB_QR_QUIET_SMALL);
	/* The largest code fits no usual terminal. */
	ck_assert_int_eq(pb_qr_fit(177, 1, 50, 200, 4), 0);
}
END_TEST

START_TEST(test_qr_cells)
{
	int c, r;

	pb_qr_cells(33, 4, 1, &c, &r);
	ck_assert_int_eq(c, 41);
	ck_assert_int_eq(r, 21);	/* 41 module rows, two a line */
	pb_qr_cells(33, 2, 0, &c, &r);
	ck_assert_int_eq(c, 74);
	ck_assert_int_eq(r, 37);
}
END_TEST

static Suite *
qr_suite(void)
{
	Suite *s = suite_create("qr");
	TCase *tc;

#ifdef HAVE_QRENCODE
	tc = tcase_create("render");
	tcase_add_test(tc, test_qr_available);
	tcase_add_test(tc, test_qr_url);
	tcase_add_test(tc, test_qr_small);
	tcase_add_test(tc, test_qr_largest);
	tcase_add_test(tc, test_qr_lines);
	tcase_add_test(tc, test_qr_quiet_small);
	suite_add_tcase(s, tc);

	tc = tcase_create("refuse");
	tcase_add_test(tc, test_qr_toobig);
	tcase_add_test(tc, test_qr_empty);
	tcase_add_test(tc, test_qr_write_error);
	suite_add_tcase(s, tc);
#else
	tc = tcase_create("unavailable");
	tcase_add_test(tc, test_qr_unavailable);
	suite_add_tcase(s, tc);
#endif
	tc = tcase_create("layout");
	tcase_add_test(tc, test_qr_fit);
	tcase_add_test(tc, test_qr_cells);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(qr_suite());
}
