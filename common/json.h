/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JSON_H
#define PB_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

/*
 * Strict JSON (RFC 8259) over cJSON.  cJSON alone is too lenient for a
 * verifier (DESIGN.md "Traps"): it accepts invalid UTF-8, raw control
 * characters, leading zeros and trailing data, lets "\u0000" cut a name
 * short, and keeps the first of duplicate members.  pb_json_parse() first
 * validates the text with its own grammar check, then builds the tree and
 * rejects duplicate member names at every level.
 */

#define PB_JSON_MAX_DEPTH	32

/*
 * Parse exactly len bytes at buf as one JSON value.  Rejects (PB_ERR_FORMAT):
 * grammar errors, invalid UTF-8, control characters in strings, any "\u0000",
 * unpaired surrogate escapes, leading zeros, trailing data, nesting deeper
 * than PB_JSON_MAX_DEPTH, and duplicate member names in any object.  Input
 * over maxlen bytes is PB_ERR_TOOBIG.  On success *out owns the tree
 * (cJSON_Delete()).  what names the input in messages ("token header").
 */
int pb_json_parse(const char *buf, size_t len, size_t maxlen,
    const char *what, cJSON **out, struct pb_err *e) PB_WUR;

/*
 * Wipe every string value of a tree, then free it; NULL-safe.  For JSON
 * that may carry secrets (token endpoint answers): cJSON keeps its own
 * copies of every string.
 */
void pb_json_delete_wipe(cJSON *root);

/*
 * Case-sensitive member lookup (cJSON_GetObjectItem() is case-insensitive).
 * Returns NULL when obj is not an object or has no such member.
 */
const cJSON *pb_json_get(const cJSON *obj, const char *name);

/*
 * qsort() comparator for an array of cJSON * members of one object: by
 * member name (strcmp order).  Used to find duplicate names and to write
 * members in a fixed order.
 */
int pb_json_cmp_names(const void *a, const void *b);

/*
 * The UTF-8 sequence at p, n bytes available (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF): its length (1 to 4), with the
 * code point in *cp when cp is not NULL; 0 when it is not one or is cut
 * short.  The one UTF-8 decoder of the project.
 */
size_t pb_utf8_next(const unsigned char *p, size_t n, uint32_t *cp);

/* The member's string value, or NULL when absent or not a string. */
const char *pb_json_get_string(const cJSON *obj, const char *name);

/*
 * Resolve a claim name: one starting with '/' is an RFC 6901 JSON Pointer
 * ("~1" is '/', "~0" is '~'; array indexes are decimal without leading
 * zeros), anything else is one top-level member taken literally.  Returns
 * NULL when nothing is there or the pointer is malformed.
 */
const cJSON *pb_json_claim(const cJSON *root, const char *name);

/*
 * Read a NumericDate (RFC 7519 section 2): a JSON number, finite, from 0 to
 * PB_JSON_TIME_MAX.  Strings, booleans and out-of-range values are
 * PB_ERR_CLAIM.  A fraction is rounded down when round_up is 0, up when 1
 * (so that exp never moves later and nbf/iat never earlier).
 */
#define PB_JSON_TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */
int pb_json_time(const cJSON *v, int round_up, int64_t *out) PB_WUR;

/*
 * Compare a JSON scalar with text the way require_claim does: a string equal
 * to text, true/false spelled as text, or an integer whose decimal spelling
 * equals text.  Returns 1 on a match, 0 otherwise.
 */
int pb_json_scalar_eq(const cJSON *v, const char *text);

#endif /* PB_JSON_H */
