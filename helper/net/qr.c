/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The login URL as a QR code on the terminal (qr.h), over libqrencode when
 * configure found it.  The code is encoded first and drawn only once that
 * succeeded, so no failure but a write error leaves anything on f.  Each
 * line is built in a fixed buffer sized for the largest code (version 40)
 * and written with one fwrite().
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif

#include "err.h"
#include "qr.h"

#ifdef HAVE_QRENCODE

/* The quiet zone (ISO/IEC 18004 7.3.7) is PB_QR_QUIET modules, or less. */
#define QR_WIDTH_MIN	21	/* version 1 */
#define QR_WIDTH_MAX	177	/* version 40 */
#define QR_TEXT_MAX	7089	/* 40-L, all digits: nothing longer fits */

/*
 * SGR sequences: the colours are forced, never the terminal's defaults, so
 * that dark modules are dark on dark themes too.  47 (white) rather than
 * 107 (bright white), which not every terminal knows.
 */
#define SGR_INK		"\033[30;47m"	/* black on white, for half blocks */
#define SGR_DARK	"\033[40m"	/* black background */
#define SGR_LIGHT	"\033[47m"	/* white background */
#define SGR_END		"\033[0m\n"	/* reset, then end the line */

/* The longest line: a plain row whose modules alternate in colour. */
#define LINE_MAX_BYTES						\
	((QR_WIDTH_MAX + 2 * PB_QR_QUIET) *			\
	    (sizeof(SGR_DARK) - 1 + 2) + sizeof(SGR_INK) + sizeof(SGR_END))

/* One output line being built. */
struct line {
	char	buf[LINE_MAX_BYTES];
	size_t	len;
	int	over;		/* a put did not fit: a bug */
};

/* Append n bytes of s to l, or mark l as overflowed. */
static void
put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len) {
		l->over = 1;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

#define PUT(l, lit)	put((l), (lit), sizeof(lit) - 1)

/*
 * Whether module (x, y) of the code with its quiet zone is dark; outside
 * the symbol (the quiet zone, or the row below the last) it is light.
 * Bit 0 of each libqrencode byte is the module's colour.
 */
static int
dark(const QRcode *qr, int q, int x, int y)
{
	x -= q;
	y -= q;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[y * qr->width + x] & 1;
}

/* Module rows y and y + 1 as one line of half blocks. */
static void
line_utf8(struct line *l, const QRcode *qr, int q, int n, int y)
{
	int x, top, bot;

	PUT(l, SGR_INK);
	for (x = 0; x < n; x++) {
		top = dark(qr, q, x, y);
		bot = dark(qr, q, x, y + 1);
		if (top && bot)
			PUT(l, "\xe2\x96\x88");		/* U+2588 full block */
		else if (top)
			PUT(l, "\xe2\x96\x80");		/* U+2580 upper half */
		else if (bot)
			PUT(l, "\xe2\x96\x84");		/* U+2584 lower half */
		else
			PUT(l, " ");
	}
	PUT(l, SGR_END);
}

/* Module row y as one line of coloured double spaces. */
static void
line_plain(struct line *l, const QRcode *qr, int q, int n, int y)
{
	int x, d, cur = -1;

	for (x = 0; x < n; x++) {
		/* A colour change only where the colour changes. */
		if ((d = dark(qr, q, x, y)) != cur) {
			if (d)
				PUT(l, SGR_DARK);
			else
				PUT(l, SGR_LIGHT);
			cur = d;
		}
		PUT(l, "  ");
	}
	PUT(l, SGR_END);
}

/*
 * Encode text at level L, smallest version.  Returns the code (the caller
 * frees it with QRcode_free()), or NULL with *rp set to PB_ERR_FORMAT,
 * PB_ERR_TOOBIG, PB_ERR_NOMEM or PB_ERR_INTERNAL and a message in *e.
 */
static QRcode *
encode(const char *text, int *rp, struct pb_err *e)
{
	QRcode *qr;
	size_t len;
	int w;

	if (text == NULL || (len = strlen(text)) == 0) {
		*rp = pb_err_set(e, PB_ERR_FORMAT, "QR code: no text");
		return NULL;
	}
	/* Spare libqrencode (whose lengths are int) an oversize input. */
	if (len > QR_TEXT_MAX) {
		*rp = pb_err_set(e, PB_ERR_TOOBIG,
		    "QR code: %zu bytes do not fit (at most %d)", len,
		    QR_TEXT_MAX);
		return NULL;
	}
	errno = 0;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (qr == NULL) {
		if (errno == ERANGE)
			*rp = pb_err_set(e, PB_ERR_TOOBIG,
			    "QR code: %zu bytes do not fit", len);
		else if (errno == ENOMEM)
			*rp = pb_err_set(e, PB_ERR_NOMEM,
			    "QR code: out of memory");
		else
			*rp = pb_err_set(e, PB_ERR_INTERNAL,
			    "QRcode_encodeString: %s", strerror(errno));
		return NULL;
	}
	if ((w = qr->width) < QR_WIDTH_MIN || w > QR_WIDTH_MAX) {
		QRcode_free(qr);
		*rp = pb_err_set(e, PB_ERR_INTERNAL,
		    "QRcode_encodeString: odd width %d", w);
		return NULL;
	}
	*rp = PB_OK;
	return qr;
}

int
pb_qr_available(void)
{
	return 1;
}

int
pb_qr_width(const char *text, int *widthp, struct pb_err *e)
{
	QRcode *qr;
	int r;

	if ((qr = encode(text, &r, e)) == NULL)
		return r;
	*widthp = qr->width;
	QRcode_free(qr);
	return PB_OK;
}

int
pb_qr_print(FILE *f, const char *text, int utf8, struct pb_err *e)
{
	return pb_qr_print_quiet(f, text, utf8, PB_QR_QUIET, e);
}

int
pb_qr_print_quiet(FILE *f, const char *text, int utf8, int quiet,
    struct pb_err *e)
{
	QRcode *qr = NULL;
	struct line l;
	int r, n, y;

	if (quiet < 1 || quiet > PB_QR_QUIET) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "QR code: quiet zone %d",
		    quiet);
		goto out;
	}
	if ((qr = encode(text, &r, e)) == NULL)
		goto out;
	n = qr->width + 2 * quiet;
	for (y = 0; y < n; y += utf8 ? 2 : 1) {
		l.len = 0;
		l.over = 0;
		if (utf8)
			line_utf8(&l, qr, quiet, n, y);
		else
			line_plain(&l, qr, quiet, n, y);
		if (l.over) {
			r = pb_err_set(e, PB_ERR_INTERNAL,
			    "QR code: line buffer too small");
			goto out;
		}
		if (fwrite(l.buf, 1, l.len, f) != l.len) {
			r = pb_err_set(e, PB_ERR_IO,
			    "writing the QR code: %s", strerror(errno));
			goto out;
		}
	}
	if (fflush(f) == EOF) {
		r = pb_err_set(e, PB_ERR_IO, "writing the QR code: %s",
		    strerror(errno));
		goto out;
	}
	r = PB_OK;
 out:
	if (qr != NULL)
		QRcode_free(qr);
	return r;
}

#else /* !HAVE_QRENCODE */

int
pb_qr_available(void)
{
	return 0;
}

int
pb_qr_print(FILE *f, const char *text, int utf8, struct pb_err *e)
{
	return pb_qr_print_quiet(f, text, utf8, PB_QR_QUIET, e);
}

int
pb_qr_print_quiet(FILE *f, const char *text, int utf8, int quiet,
    struct pb_err *e)
{
	(void)f;
	(void)text;
	(void)utf8;
	(void)quiet;
	return pb_err_set(e, PB_ERR_CONFIG,
	    "QR codes are not available: built without libqrencode "
	    "(configure --with-qrencode)");
}

int
pb_qr_width(const char *text, int *widthp, struct pb_err *e)
{
	(void)text;
	(void)widthp;
	return pb_err_set(e, PB_ERR_CONFIG,
	    "QR codes are not available: built without libqrencode "
	    "(configure --with-qrencode)");
}

#endif /* HAVE_QRENCODE */

/* Layout, with or without libqrencode (pure: the unit test drives it). */

void
pb_qr_cells(int width, int quiet, int utf8, int *colsp, int *rowsp)
{
	int n = width + 2 * quiet;

	*colsp = utf8 ? n : 2 * n;
	*rowsp = utf8 ? (n + 1) / 2 : n;
}

int
pb_qr_fit(int width, int utf8, int term_rows, int term_cols, int below)
{
	static const int quiet[] = { PB_QR_QUIET, PB_QR_QUIET_SMALL };
	int cols, rows;
	size_t i;

	if (term_rows <= 0 || term_cols <= 0) {
		term_rows = 24;
		term_cols = 80;
	}
	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		pb_qr_cells(width, quiet[i], utf8, &cols, &rows);
		if (cols <= term_cols && rows + below <= term_rows)
			return quiet[i];
	}
	return 0;
}
