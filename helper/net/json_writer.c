/* SPDX-License-Identifier: BSD-2-Clause */
/* A JSON object writer that wipes what it outgrows (see json_writer.h). */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "sbuf.h"
#include "secmem.h"

/*
 * Append n bytes; the first error, the buffer's or ours (a NUL byte),
 * sticks.
 */
static void
put(struct pb_json_writer *b, const char *s, size_t n)
{
	if (b->err == PB_OK)
		b->err = pb_sbuf_put(&b->buf, s, n);
}

void
pb_json_writer_begin(struct pb_json_writer *b)
{
	/* No cap here (the store caps what it keeps), as before sbuf. */
	pb_sbuf_init(&b->buf, SIZE_MAX);
	b->err = PB_OK;
	put(b, "{", 1);
}

/* A JSON string of n bytes: quotes, \" \\ and controls as \u00XX. */
static void
put_string(struct pb_json_writer *b, const char *s, size_t n)
{
	char esc[8];
	size_t i;

	put(b, "\"", 1);
	for (i = 0; i < n && b->err == PB_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0') {
			b->err = PB_ERR_FORMAT;
			return;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			(void)snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(b, esc, 6);
		} else
			put(b, (const char *)&s[i], 1);
	}
	put(b, "\"", 1);
}

static void
put_key(struct pb_json_writer *b, const char *key)
{
	if (b->buf.len > 1)
		put(b, ",", 1);
	put_string(b, key, strlen(key));
	put(b, ":", 1);
}

void
pb_json_writer_str(struct pb_json_writer *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	put_key(b, key);
	put_string(b, value, strlen(value));
}

void
pb_json_writer_secret(struct pb_json_writer *b, const char *key,
    const struct pb_secret *value)
{
	put_key(b, key);
	put_string(b, value->p != NULL ? value->p : "", value->len);
}

void
pb_json_writer_int(struct pb_json_writer *b, const char *key, int64_t v)
{
	char num[32];

	put_key(b, key);
	put(b, num, (size_t)snprintf(num, sizeof(num), "%" PRId64, v));
}

void
pb_json_writer_bool(struct pb_json_writer *b, const char *key, int v)
{
	put_key(b, key);
	put(b, v ? "true" : "false", v ? 4 : 5);
}

int
pb_json_writer_end(struct pb_json_writer *b, struct pb_secret *out)
{
	int r;

	put(b, "}", 1);
	out->p = NULL;
	out->len = 0;
	if ((r = b->err) == PB_OK)
		r = pb_sbuf_take(&b->buf, out);
	pb_sbuf_clear(&b->buf);		/* wipes what an error left */
	memset(b, 0, sizeof(*b));
	return r;
}
