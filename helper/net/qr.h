/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_QR_H
#define PB_QR_H

#include <stdio.h>

#include "err.h"

/*
 * QR codes on the terminal, for "bearer-token login": the device flow shows
 * verification_uri_complete (RFC 8628 section 3.3.1) as a QR code that a
 * phone can scan.  Optional: without libqrencode (configure
 * --without-qrencode) pb_qr_print() fails with PB_ERR_CONFIG and the caller
 * shows the URL only.
 */

/* Whether this build can draw QR codes (built with libqrencode): 1 or 0. */
int pb_qr_available(void);

/*
 * Draw text as a QR code (ECC level L, libqrencode's 8-bit mode hint, the
 * smallest version that fits) on f for a terminal, with a quiet zone of 4
 * modules.  Dark modules on a light background are forced by ANSI colours
 * (black foreground, white background, reset at each line end) so that the
 * code scans on dark and light terminals alike.
 *
 * utf8 set: two module rows per text line, drawn with the half blocks
 * U+2580, U+2584, U+2588 and space; the last line's lower half is light.
 * utf8 clear: each module is two spaces with an ANSI background colour
 * (black or white), one module row per line.
 *
 * Returns PB_OK; PB_ERR_CONFIG when built without libqrencode;
 * PB_ERR_FORMAT for an empty text; PB_ERR_TOOBIG when the text does not fit
 * a QR code; PB_ERR_NOMEM; PB_ERR_IO on a write error (f may then hold part
 * of the code); PB_ERR_INTERNAL if libqrencode fails otherwise.  On every
 * error but PB_ERR_IO nothing is written to f.  text is not a secret.
 */
int pb_qr_print(FILE *f, const char *text, int utf8, struct pb_err *e) PB_WUR;

/* The same with a quiet zone of quiet modules (1 to PB_QR_QUIET). */
int pb_qr_print_quiet(FILE *f, const char *text, int utf8, int quiet,
    struct pb_err *e) PB_WUR;

#define PB_QR_QUIET		4	/* the standard quiet zone */
#define PB_QR_QUIET_SMALL	2	/* what phones still read, for small
					   terminals */

/*
 * The width in modules (21 to 177, without quiet zone) of text's code in
 * *widthp.  PB_OK, or pb_qr_print()'s errors.
 */
int pb_qr_width(const char *text, int *widthp, struct pb_err *e) PB_WUR;

/*
 * The terminal cells a code of width modules takes with a quiet zone of
 * quiet modules: *colsp columns and *rowsp lines (utf8: two module rows a
 * line; else two columns a module).
 */
void pb_qr_cells(int width, int quiet, int utf8, int *colsp, int *rowsp);

/*
 * The layout of the login screen: which quiet zone lets a code of width
 * modules fit a terminal of term_rows x term_cols with below lines kept
 * visible under it (the URL, the code and the countdown, which must not
 * scroll off).  Returns PB_QR_QUIET when the standard code fits,
 * PB_QR_QUIET_SMALL when only the smaller one does, 0 when neither (draw
 * none).  A size of 0 (unknown) is taken as 80 x 24.
 */
int pb_qr_fit(int width, int utf8, int term_rows, int term_cols, int below);

#endif /* PB_QR_H */
