/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_PARSE_H
#define PB_PARSE_H

#include <stddef.h>

#include "err.h"

/*
 * Strict decimal numbers, for configuration values, state files and
 * anything else read back from text (libc only, so libcbase).
 *
 * A number is one or more ASCII digits '0'-'9' and nothing else: no sign,
 * no blank before or after, no "0x", no '+'.  Leading zeros are allowed.
 * Results:
 *   PB_OK          *out set to the value;
 *   PB_ERR_FORMAT  not a number (empty, a blank, '+', a letter, a NUL
 *                  inside the counted bytes ...);
 *   PB_ERR_RANGE   a whole number outside min..max, including one too long
 *                  for an unsigned long (there is no overflow however many
 *                  digits), and a negative one: '-' followed by one or more
 *                  digits and nothing else ("-5", "-0").
 * *out is written only on PB_OK.  No errno, no locale.
 */

/* The NUL-terminated string s as above. */
int pb_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out) PB_WUR;

/* As pb_parse_ulong() for the len bytes at s (s need not be terminated). */
int pb_parse_ulong_n(const char *s, size_t len, unsigned long min,
    unsigned long max, unsigned long *out) PB_WUR;

/*
 * A duration in seconds: digits as above, then optionally exactly one unit
 * letter with nothing after it: s (seconds, the default), m (60), h (3600),
 * d (86400) or w (604800).  "600", "10m", "7d".  The range min..max is of
 * the result in seconds, checked after multiplying (no overflow: a product
 * that does not fit is PB_ERR_RANGE).  PB_ERR_FORMAT for anything else,
 * a sign included ("-5s" is not a duration).  *out is written only on
 * PB_OK.
 */
int pb_parse_duration(const char *s, unsigned long min, unsigned long max,
    unsigned long *out) PB_WUR;

/*
 * Whether the len bytes at p are an RFC 6750 section 2.1 b64token:
 * 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".  The
 * helper checks every access and refresh token where it enters (the token
 * endpoint, the store, the cache): a token is written into line-based
 * outputs (git's credential protocol, the cache, HTTP headers), where a
 * newline or a space would be a line or a field of its own.  The module
 * uses it to tell an opaque token from a typed password in a debug line.
 * Returns 1 or 0; p NULL is 0.
 */
int pb_parse_b64token(const char *p, size_t len);

#endif /* PB_PARSE_H */
