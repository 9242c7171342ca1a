/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bearer-token decode: what a token says, shown without trusting it; and
 * the reading of a token that decode and verify (verify.c) share.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "decode.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "jws.h"
#include "jwt.h"
#include "net.h"
#include "secmem.h"
#include "time_fmt.h"

/*
 * The most we read as a token.  verify applies max_token_size on top (the
 * module's limit); decode shows anything up to this.
 */
#define TOKEN_IN_MAX	(1024 * 1024)

int
pb_decode_read_token(char *arg, struct pb_secret *tok)
{
	char *buf = NULL;
	const char *p;
	size_t len = 0, n;
	ssize_t got;
	int rv = PB_EXIT_FAIL;

	/* No strcmp() on a secret (STYLE.md 2.2): look at two bytes. */
	if (arg != NULL && !(arg[0] == '-' && arg[1] == '\0')) {
		n = strlen(arg);
		p = arg;
		len = n;
		pb_jwt_unwrap(arg, n, &p, &len);
		if (len == 0) {
			fprintf(stderr, "%s: the token argument is empty\n",
			    PB_PROG);
			goto out;
		}
		if (pb_secret_dup(tok, p, len) != PB_OK) {
			fprintf(stderr, "%s: out of memory\n", PB_PROG);
			goto out;
		}
		pb_bzero(arg, n);
		rv = PB_EXIT_OK;
		goto out;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "%s: reading the token from standard input "
		    "(end with Ctrl-D)\n", PB_PROG);
	/* One buffer of the cap: no realloc leaves token copies behind. */
	if ((buf = malloc(TOKEN_IN_MAX + 1)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		goto out;
	}
	for (;;) {
		got = read(STDIN_FILENO, buf + len, TOKEN_IN_MAX + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "%s: cannot read standard input: %s\n",
			    PB_PROG, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > TOKEN_IN_MAX) {
			fprintf(stderr, "%s: token longer than %d bytes\n",
			    PB_PROG, TOKEN_IN_MAX);
			goto out;
		}
	}
	pb_jwt_unwrap(buf, len, &p, &n);
	/* Not "not three segments": there was nothing to look at. */
	if (n == 0) {
		fprintf(stderr, "%s: no token on standard input (%s): pipe "
		    "one in or give it as an argument\n", PB_PROG, len == 0 ?
		    "it was empty" : "nothing but blanks or quotes");
		goto out;
	}
	if (pb_secret_dup(tok, p, n) != PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		goto out;
	}
	rv = PB_EXIT_OK;
 out:
	if (buf != NULL)
		pb_freezero(buf, TOKEN_IN_MAX + 1);
	return rv;
}

/* One human line for a time claim; nothing when the claim is absent. */
static void
print_time(const cJSON *claims, const char *name, int64_t now)
{
	const cJSON *v = pb_json_get(claims, name);
	char date[64];
	int64_t t;

	if (v == NULL)
		return;
	/*
	 * Round as the verifier does: exp never later, nbf/iat never
	 * earlier.
	 */
	if (pb_json_time(v, strcmp(name, "exp") != 0, &t) != PB_OK) {
		printf("%s: not a NumericDate\n", name);
		return;
	}
	printf("%s: %s (", name, pb_time_fmt_date(t, PB_TIME_UTC, date,
	    sizeof(date)));
	if (strcmp(name, "exp") == 0) {
		/* RFC 7519 4.1.4: expired once now >= exp (leeway aside). */
		if (t > now)
			printf("expires in %" PRId64 " s", t - now);
		else
			printf("expired %" PRId64 " s ago", now - t);
	} else if (strcmp(name, "nbf") == 0) {
		if (t > now)
			printf("not valid for %" PRId64 " s more", t - now);
		else
			printf("valid since %" PRId64 " s", now - t);
	} else {
		if (t > now)
			printf("%" PRId64 " s in the future", t - now);
		else
			printf("issued %" PRId64 " s ago", now - t);
	}
	printf(")\n");
}

/*
 * Code points decode never writes as they are, since the token is
 * untrusted and a terminal acts on some of them (issue 11, finding 9):
 * the controls (Cc: C0, DEL, C1 such as U+009B CSI), the format characters
 * (Cf: bidi embeddings, overrides and isolates U+202A..U+202E and
 * U+2066..U+2069, zero-width U+200B..U+200F, U+FEFF, tags U+E0000..), the
 * separators other than U+0020 (Zs such as U+00A0, Zl U+2028, Zp U+2029),
 * private use (Co: no agreed glyph) and the noncharacters.  Categories as
 * of Unicode 15.0; unassigned code points are shown.
 */
static const struct {
	uint32_t	lo, hi;
} unsafe_cp[] = {
	{ 0x0000, 0x001f },	/* Cc C0 */
	{ 0x007f, 0x00a0 },	/* Cc DEL, C1; Zs NO-BREAK SPACE */
	{ 0x00ad, 0x00ad },	/* Cf SOFT HYPHEN */
	{ 0x0600, 0x0605 },	/* Cf ARABIC NUMBER SIGN.. */
	{ 0x061c, 0x061c },	/* Cf ARABIC LETTER MARK */
	{ 0x06dd, 0x06dd },	/* Cf ARABIC END OF AYAH */
	{ 0x070f, 0x070f },	/* Cf SYRIAC ABBREVIATION MARK */
	{ 0x0890, 0x0891 },	/* Cf ARABIC POUND/PIASTRE MARK ABOVE */
	{ 0x08e2, 0x08e2 },	/* Cf ARABIC DISPUTED END OF AYAH */
	{ 0x1680, 0x1680 },	/* Zs OGHAM SPACE MARK */
	{ 0x180e, 0x180e },	/* Cf MONGOLIAN VOWEL SEPARATOR */
	{ 0x2000, 0x200f },	/* Zs EN QUAD..; Cf ZERO WIDTH SPACE..RLM */
	{ 0x2028, 0x202f },	/* Zl, Zp, Cf LRE..RLO, Zs NNBSP */
	{ 0x205f, 0x206f },	/* Zs MMSP, Cf WORD JOINER..LRI..PDI.. */
	{ 0x3000, 0x3000 },	/* Zs IDEOGRAPHIC SPACE */
	{ 0xe000, 0xf8ff },	/* Co */
	{ 0xfdd0, 0xfdef },	/* noncharacters */
	{ 0xfeff, 0xfeff },	/* Cf ZERO WIDTH NO-BREAK SPACE (BOM) */
	{ 0xfff9, 0xfffb },	/* Cf INTERLINEAR ANNOTATION.. */
	{ 0x110bd, 0x110bd },	/* Cf KAITHI NUMBER SIGN */
	{ 0x110cd, 0x110cd },	/* Cf KAITHI NUMBER SIGN ABOVE */
	{ 0x13430, 0x1343f },	/* Cf EGYPTIAN HIEROGLYPH format controls */
	{ 0x1bca0, 0x1bca3 },	/* Cf SHORTHAND FORMAT.. */
	{ 0x1d173, 0x1d17a },	/* Cf MUSICAL SYMBOL BEGIN BEAM.. */
	{ 0xe0001, 0xe0001 },	/* Cf LANGUAGE TAG */
	{ 0xe0020, 0xe007f },	/* Cf TAG SPACE..CANCEL TAG */
	{ 0xf0000, 0x10ffff },	/* Co planes 15 and 16 */
};

static int
cp_unsafe(uint32_t c)
{
	size_t i;

	if ((c & 0xfffe) == 0xfffe)	/* U+xxFFFE, U+xxFFFF */
		return 1;
	for (i = 0; i < sizeof(unsafe_cp) / sizeof(unsafe_cp[0]); i++)
		if (c >= unsafe_cp[i].lo && c <= unsafe_cp[i].hi)
			return 1;
	return 0;
}

/*
 * Write cJSON_Print() output with every code point of unsafe_cp as a JSON
 * escape, \uXXXX, or a UTF-16 surrogate pair \uD8xx\uDCxx above U+FFFF,
 * so that the output stays JSON; a byte that is not UTF-8 becomes \ufffd
 * (the parser refuses those; belt and braces).  The tabs and newlines the
 * pretty printer puts between members pass; inside strings cJSON has
 * escaped C0 already, so an escape here is always inside a string.
 */
static void
put_safe(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	const unsigned char *end = s + strlen(text);
	uint32_t c;
	size_t n;

	while (s < end) {
		if ((n = pb_utf8_next(s, (size_t)(end - s), &c)) == 0) {
			fputs("\\ufffd", stdout);
			s++;
			continue;
		}
		if (c == '\n' || c == '\t' || !cp_unsafe(c))
			fwrite(s, 1, n, stdout);
		else if (c < 0x10000)
			printf("\\u%04" PRIx32, c);
		else
			printf("\\u%04" PRIx32 "\\u%04" PRIx32,
			    0xd800 + ((c - 0x10000) >> 10),
			    0xdc00 + ((c - 0x10000) & 0x3ff));
		s += n;
	}
}

/* Pretty JSON of a tree under a title; the printed copy is wiped. */
static int
print_json(const char *title, const cJSON *j)
{
	char *s;

	if ((s = cJSON_Print(j)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	printf("%s (unverified):\n", title);
	put_safe(s);
	putchar('\n');
	pb_bzero(s, strlen(s));
	cJSON_free(s);
	return PB_EXIT_OK;
}

int
pb_decode_run(int argc, char **argv)
{
	struct pb_secret tok = { NULL, 0 };
	struct pb_jws *jws = NULL;
	struct pb_err e;
	cJSON *claims = NULL;
	char *arg = NULL;
	int rv = PB_EXIT_FAIL;

	pb_err_clear(&e);
	if (argc > 2 || (argc == 2 && argv[1][0] == '-' &&
	    argv[1][1] != '\0')) {
		pb_commands_help("decode", 1);
		return PB_EXIT_USAGE;
	}
	if (argc == 2)
		arg = argv[1];
	if ((rv = pb_decode_read_token(arg, &tok)) != PB_EXIT_OK)
		goto out;
	rv = PB_EXIT_FAIL;
	/* Strict parsing, the verifier's own (pb_json_parse() rules). */
	if (pb_jws_parse(tok.p, tok.len, TOKEN_IN_MAX, &jws, &e) != PB_OK ||
	    pb_json_parse((const char *)jws->payload, jws->payload_len,
	    TOKEN_IN_MAX, "token claims", &claims, &e) != PB_OK) {
		fprintf(stderr, "%s: malformed token: %s\n", PB_PROG,
		    pb_err_msg(&e));
		goto out;
	}
	if (!cJSON_IsObject(claims)) {
		fprintf(stderr, "%s: malformed token: the claims are not a "
		    "JSON object\n", PB_PROG);
		goto out;
	}
	if (print_json("header", jws->header) != PB_EXIT_OK ||
	    print_json("claims", claims) != PB_EXIT_OK)
		goto out;
	print_time(claims, "exp", (int64_t)time(NULL));
	print_time(claims, "iat", (int64_t)time(NULL));
	print_time(claims, "nbf", (int64_t)time(NULL));
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write: %s\n", PB_PROG,
		    strerror(errno));
		goto out;
	}
	rv = PB_EXIT_OK;
 out:
	pb_json_delete_wipe(claims);
	pb_jws_free(jws);
	pb_secret_clear(&tok);
	return rv;
}
