/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JSON_WRITER_H
#define PB_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sbuf.h"
#include "secmem.h"

/*
 * A JSON object writer for documents that hold secrets (the token store's
 * value, the access token cache).  cJSON's printer reallocs without wiping;
 * this writes into a struct pb_sbuf, which grows by malloc, copy and wipe,
 * so no stray copy of a token is left in freed memory.  Errors stick:
 * check once with pb_json_writer_end().
 */
struct pb_json_writer {
	struct pb_sbuf	 buf;		/* the text so far */
	int		 err;		/* PB_OK or the first error */
};

/* Start an object ("{") in *b, a new or an ended writer. */
void pb_json_writer_begin(struct pb_json_writer *b);

/* Add "key": "value" with value escaped per RFC 8259; NULL value: skip. */
void pb_json_writer_str(struct pb_json_writer *b, const char *key,
    const char *value);

/* The same for len bytes of a secret (no NUL bytes allowed). */
void pb_json_writer_secret(struct pb_json_writer *b, const char *key,
    const struct pb_secret *value);

/* Add "key": v. */
void pb_json_writer_int(struct pb_json_writer *b, const char *key, int64_t v);

/* Add "key": true when v is not 0, else "key": false. */
void pb_json_writer_bool(struct pb_json_writer *b, const char *key, int v);

/*
 * Close the object and move the text into *out (NUL-terminated; release
 * with pb_secret_clear()).  Returns PB_OK, or the first error
 * (PB_ERR_NOMEM, PB_ERR_FORMAT for a NUL or invalid byte) with *out empty;
 * the buffer is wiped and freed either way.
 */
int pb_json_writer_end(struct pb_json_writer *b, struct pb_secret *out) PB_WUR;

#endif /* PB_JSON_WRITER_H */
