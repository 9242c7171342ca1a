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

#endif /* PB_QR_H */
