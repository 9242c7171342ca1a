/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "parse.h"
#include "secmem.h"

/*
 * A strict RFC 8259 grammar check, run before cJSON sees the text, because
 * cJSON accepts much that a verifier must not (DESIGN.md "Traps").  It only
 * validates; cJSON still builds the tree.
 */
struct scan {
	const unsigned char	*p;
	const unsigned char	*end;
	int			 depth;
	const char		*why;	/* what was wrong, for the message */
};

static int value(struct scan *s);

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end &&
	    (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
fail(struct scan *s, const char *why)
{
	s->why = why;
	return -1;
}

static int
hex4(struct scan *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (s->end - s->p < 4)
		return fail(s, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		unsigned char c = *s->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(s, "bad \\u escape");
	}
	*out = v;
	return 0;
}

size_t
pb_utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		len = 1;
		c = p[0];
	} else {
		if (p[0] >= 0xc2 && p[0] <= 0xdf) {
			len = 2;
			c = p[0] & 0x1f;
			min = 0x80;
		} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
			len = 3;
			c = p[0] & 0x0f;
			min = 0x800;
		} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
			len = 4;
			c = p[0] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n < len)
			return 0;
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
	}
	if (cp != NULL)
		*cp = c;
	return len;
}

/* One UTF-8 sequence (pb_utf8_next()). */
static int
utf8(struct scan *s)
{
	size_t n = pb_utf8_next(s->p, (size_t)(s->end - s->p), NULL);

	if (n == 0)
		return fail(s, "invalid UTF-8");
	s->p += n;
	return 0;
}

static int
string(struct scan *s)
{
	unsigned u, lo;

	s->p++;		/* opening quote */
	for (;;) {
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		if (*s->p == '"') {
			s->p++;
			return 0;
		}
		if (*s->p < 0x20)
			return fail(s, "control character in string");
		if (*s->p != '\\') {
			if (utf8(s) != 0)
				return -1;
			continue;
		}
		s->p++;
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		switch (*s->p++) {
		case '"': case '\\': case '/': case 'b': case 'f':
		case 'n': case 'r': case 't':
			break;
		case 'u':
			if (hex4(s, &u) != 0)
				return -1;
			/*
			 * cJSON stores C strings: a NUL would cut a name or
			 * value short ("exp\u0000" would read as "exp").
			 */
			if (u == 0)
				return fail(s, "\\u0000 in string");
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(s, "unpaired surrogate escape");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (s->end - s->p < 6 || s->p[0] != '\\' ||
				    s->p[1] != 'u')
					return fail(s,
					    "unpaired surrogate escape");
				s->p += 2;
				if (hex4(s, &lo) != 0)
					return -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(s,
					    "unpaired surrogate escape");
			}
			break;
		default:
			return fail(s, "bad escape in string");
		}
	}
}

static int
digits(struct scan *s)
{
	const unsigned char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : fail(s, "bad number");
}

static int
number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p >= s->end)
		return fail(s, "bad number");
	if (*s->p == '0') {
		s->p++;
		if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			return fail(s, "leading zero in number");
	} else if (digits(s) != 0)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) != 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (digits(s) != 0)
			return -1;
	}
	return 0;
}

static int
literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "unexpected character");
	s->p += n;
	return 0;
}

/* Object or array: members separated by commas, no trailing comma. */
static int
container(struct scan *s, int object)
{
	unsigned char close = object ? '}' : ']';

	if (++s->depth > PB_JSON_MAX_DEPTH)
		return fail(s, "nested too deeply");
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, "expected a member name");
			if (string(s) != 0)
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "expected ':'");
			s->p++;
		}
		if (value(s) != 0)
			return -1;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		return fail(s, object ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	}
}

static int
value(struct scan *s)
{
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, "unexpected end");
	switch (*s->p) {
	case '{':
		return container(s, 1);
	case '[':
		return container(s, 0);
	case '"':
		return string(s);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return number(s);
		return fail(s, "unexpected character");
	}
}

int
pb_json_cmp_names(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/*
 * Reject duplicate member names at every level (RFC 7515 4 and RFC 7519 4
 * say parsers must reject or take the last; cJSON takes the first, so two
 * parsers could see different claims).  Sorting keeps large objects cheap.
 */
static int
check_dups(const cJSON *node, int depth, const char **dup)
{
	const cJSON *c, **v = NULL;
	size_t n = 0, i;
	int r = 0;

	if (depth > PB_JSON_MAX_DEPTH)
		return -1;
	for (c = node->child; c != NULL; c = c->next) {
		if (check_dups(c, depth + 1, dup) != 0)
			return -1;
		n++;
	}
	if (!cJSON_IsObject(node) || n < 2)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -2;
	for (i = 0, c = node->child; c != NULL; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof(*v), pb_json_cmp_names);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i - 1]->string, v[i]->string) == 0) {
			*dup = v[i]->string;
			r = -1;
			break;
		}
	}
	free(v);
	return r;
}

int
pb_json_parse(const char *buf, size_t len, size_t maxlen, const char *what,
    cJSON **out, struct pb_err *e)
{
	struct scan s;
	char sp[PB_SAFE_BUFSZ];
	const char *dup = NULL, *end = NULL;
	cJSON *root = NULL;
	int r = PB_ERR_INTERNAL, d;

	*out = NULL;
	if (len > maxlen)
		return pb_err_set(e, PB_ERR_TOOBIG, "%s is %zu bytes, over "
		    "the limit of %zu", what, len, maxlen);
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)buf;
	s.end = s.p + len;
	if (value(&s) == 0) {
		skip_ws(&s);
		if (s.p != s.end)
			fail(&s, "trailing data");
	}
	if (s.why != NULL)
		return pb_err_set(e, PB_ERR_FORMAT, "%s is not valid JSON: %s "
		    "at byte %zu", what, s.why,
		    (size_t)(s.p - (const unsigned char *)buf));
	/* The text is valid: cJSON's view of it is now unambiguous. */
	root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (root == NULL) {
		r = pb_err_set(e, PB_ERR_NOMEM, "%s: cannot build JSON tree",
		    what);
		goto out;
	}
	if ((d = check_dups(root, 0, &dup)) != 0) {
		if (d == -2)
			r = PB_ERR_NOMEM;
		else
			r = pb_err_set(e, PB_ERR_FORMAT, "%s has duplicate "
			    "member '%s'", what, pb_log_safe(dup, sp,
			    sizeof(sp)));
		goto out;
	}
	*out = root;
	root = NULL;
	r = PB_OK;
 out:
	/* A rejected document may still be a token answer: wipe it. */
	pb_json_delete_wipe(root);
	return r;
}

static void
wipe_strings(cJSON *j, int depth)
{
	/* Depth is bounded by the parser; the guard keeps it so. */
	for (; j != NULL && depth <= PB_JSON_MAX_DEPTH + 1; j = j->next) {
		if (j->valuestring != NULL)
			pb_bzero(j->valuestring, strlen(j->valuestring));
		wipe_strings(j->child, depth + 1);
	}
}

void
pb_json_delete_wipe(cJSON *root)
{
	if (root == NULL)
		return;
	wipe_strings(root, 0);
	cJSON_Delete(root);
}

const cJSON *
pb_json_get(const cJSON *obj, const char *name)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

const char *
pb_json_get_string(const cJSON *obj, const char *name)
{
	const cJSON *v = pb_json_get(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One RFC 6901 reference token, unescaped into buf. */
static int
pointer_token(const char **pp, char *buf, size_t bufsz)
{
	const char *p = *pp;
	size_t o = 0;

	while (*p != '\0' && *p != '/') {
		char c = *p++;

		if (c == '~') {
			if (*p == '0')
				c = '~';
			else if (*p == '1')
				c = '/';
			else
				return -1;
			p++;
		}
		if (o + 1 >= bufsz)
			return -1;
		buf[o++] = c;
	}
	buf[o] = '\0';
	*pp = p;
	return 0;
}

const cJSON *
pb_json_claim(const cJSON *root, const char *name)
{
	char tok[256];
	const cJSON *cur = root;
	const char *p;
	unsigned long idx;

	if (name == NULL)
		return NULL;
	if (name[0] != '/')
		return pb_json_get(root, name);
	p = name;
	while (*p == '/') {
		p++;
		if (pointer_token(&p, tok, sizeof(tok)) != 0)
			return NULL;
		if (cJSON_IsObject(cur))
			cur = pb_json_get(cur, tok);
		else if (cJSON_IsArray(cur)) {
			/* Array index: digits, no leading zero (6901 4). */
			if (tok[0] < '0' || tok[0] > '9' ||
			    (tok[0] == '0' && tok[1] != '\0'))
				return NULL;
			if (pb_parse_ulong(tok, 0, INT32_MAX, &idx) != PB_OK)
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else
			return NULL;
		if (cur == NULL)
			return NULL;
	}
	return *p == '\0' ? cur : NULL;
}

int
pb_json_time(const cJSON *v, int round_up, int64_t *out)
{
	double d;

	/*
	 * cJSON's valueint saturates at INT_MAX (an exp in 2100 would read
	 * as 2038): use valuedouble with explicit bounds.
	 */
	if (!cJSON_IsNumber(v))
		return PB_ERR_CLAIM;
	d = v->valuedouble;
	if (!isfinite(d) || d < 0 || d > (double)PB_JSON_TIME_MAX)
		return PB_ERR_CLAIM;
	d = round_up ? ceil(d) : floor(d);
	*out = (int64_t)d;
	return PB_OK;
}

int
pb_json_scalar_eq(const cJSON *v, const char *text)
{
	char buf[32];
	double d;

	if (cJSON_IsString(v))
		return strcmp(v->valuestring, text) == 0;
	if (cJSON_IsTrue(v))
		return strcmp(text, "true") == 0;
	if (cJSON_IsFalse(v))
		return strcmp(text, "false") == 0;
	if (cJSON_IsNumber(v)) {
		/*
		 * Integers only, and only below 2^53: from there on doubles
		 * are not exact, and 2^53 + 1 in the text reads as 2^53.
		 */
		d = v->valuedouble;
		if (!isfinite(d) || d != floor(d) ||
		    fabs(d) >= 9007199254740992.0)
			return 0;
		(void)snprintf(buf, sizeof(buf), "%lld", (long long)d);
		return strcmp(buf, text) == 0;
	}
	return 0;
}
