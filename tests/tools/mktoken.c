/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mktoken: keys, JWKs and signed tokens for the shell tests, the demo and
 * the fuzz corpus, made with OpenSSL directly (tests/testutil.c), never with
 * the verification code under test.  Not installed.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "testutil.h"

#define EXIT_USAGE	2

static const char synopsis[] =
"usage: mktoken genkey TYPE OUT.pem\n"
"       mktoken jwk (KEY.pem | --secret FILE) [--kid K] [--alg A] [--use U]\n"
"       mktoken jwks [--kid K] [--alg A] [--use U] (KEY.pem | --secret FILE)\n"
"               [[--kid K] [--alg A] [--use U] (KEY.pem | --secret FILE) ...]\n"
"       mktoken sign --alg ALG [--key KEY.pem | --secret FILE] [--kid K]\n"
"               [--typ T] [--header RAW_JSON]\n"
"               (--claims RAW_JSON | --claims-file FILE)\n"
"       mktoken thumbprint KEY.pem\n"
"       mktoken b64url [-d]\n";

static const char description[] =
"genkey   write a new private key, PKCS#8 PEM, mode 0600.  TYPE is one of\n"
"         rsa1024 rsa2048 rsa3072 rsa4096 ec256 ec384 ec521 ed25519.\n"
"jwk      print the public JWK of a PEM key (private or public): n/e for\n"
"         RSA, crv/x/y for EC (zero-padded), crv/x for Ed25519; with\n"
"         --secret, an \"oct\" JWK of the file's bytes.  --kid, --alg and\n"
"         --use add those members, before or after the key.\n"
"jwks     print {\"keys\":[...]} of several keys.  --kid, --alg and --use\n"
"         apply to the next key only.\n"
"sign     print a compact JWS and a newline.  --alg is the algorithm\n"
"         used to sign: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384\n"
"         ES512 EdDSA Ed25519 (need --key), HS256 HS384 HS512 (need\n"
"         --secret), none (empty signature).  The header is\n"
"         {\"alg\":ALG,\"typ\":\"JWT\",\"kid\":K}: --typ T sets typ,\n"
"         --typ \"\" leaves it out, kid only with --kid.  --header RAW_JSON\n"
"         replaces the whole header byte for byte (its alg may differ\n"
"         from --alg).\n"
"         The claims are used byte for byte too; --claims-file - reads\n"
"         stdin.  A --secret file loses one trailing newline, as\n"
"         hmac_secret_file does.\n"
"thumbprint  print the RFC 7638 SHA-256 thumbprint of a PEM key's\n"
"         public JWK (what a DPoP-bound token's cnf.jkt holds) and a\n"
"         newline.\n"
"b64url   base64url-encode stdin (no padding, no newline added); -d\n"
"         decodes, stopping at the first character outside the alphabet.\n"
"\n"
"Exit status: 0 success, 1 failure (bad key file, OpenSSL error),\n"
"2 usage error.\n";

static void __attribute__((noreturn))
help(void)
{
	fputs(synopsis, stdout);
	fputs("\n", stdout);
	fputs(description, stdout);
	exit(0);
}

/* A usage error: the message and the usage on stderr, exit 2. */
static void __attribute__((format(printf, 1, 2), noreturn))
usage(const char *fmt, ...)
{
	va_list ap;

	fputs("mktoken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(synopsis, stderr);
	fputs("(mktoken --help says more)\n", stderr);
	exit(EXIT_USAGE);
}

/* A failure that is not a usage error: the message, exit 1. */
static void __attribute__((format(printf, 1, 2), noreturn))
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("mktoken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The value of option argv[*i], which must exist. */
static const char *
optval(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		usage("%s needs a value", argv[*i]);
	return argv[++*i];
}

/* A secret file's bytes, less one trailing newline. */
static char *
read_secret(const char *path, size_t *lenp)
{
	char *p;
	size_t len;

	if (access(path, R_OK) != 0)
		fail("cannot read secret file %s: %s", path, strerror(errno));
	p = tu_read_file(path, &len);
	if (len > 0 && p[len - 1] == '\n')
		p[--len] = '\0';
	*lenp = len;
	return p;
}

static EVP_PKEY *
load_key(const char *path)
{
	if (access(path, R_OK) != 0)
		fail("cannot read key file %s: %s", path, strerror(errno));
	return tu_load_key_file(path);
}

static int
cmd_genkey(int argc, char **argv)
{
	EVP_PKEY *k;

	if (argc != 3)
		usage("genkey takes TYPE and OUT.pem");
	if (!tu_keytype_ok(argv[1]))
		usage("unknown key type '%s'", argv[1]);
	k = tu_genkey(argv[1]);
	tu_save_key(k, argv[2]);
	EVP_PKEY_free(k);
	return 0;
}

/* One key with its member options, as jwk and jwks read them. */
struct keyarg {
	const char	*kid;
	const char	*alg;
	const char	*use;
	const char	*path;		/* PEM key ... */
	const char	*secret;	/* ... or secret file */
};

/*
 * Read options and one key starting at argv[*i]; returns 1 with a key in
 * *ka, 0 at the end of argv (options read then are left in *ka when
 * trailing is set, a usage error otherwise).
 */
static int
read_keyarg(int argc, char **argv, int *i, struct keyarg *ka, int trailing)
{
	memset(ka, 0, sizeof(*ka));
	for (; *i < argc; ++*i) {
		const char *a = argv[*i];

		if (strcmp(a, "--kid") == 0)
			ka->kid = optval(argc, argv, i);
		else if (strcmp(a, "--alg") == 0)
			ka->alg = optval(argc, argv, i);
		else if (strcmp(a, "--use") == 0)
			ka->use = optval(argc, argv, i);
		else if (strcmp(a, "--secret") == 0) {
			ka->secret = optval(argc, argv, i);
			++*i;
			return 1;
		} else if (a[0] == '-' && a[1] != '\0')
			usage("unknown option %s", a);
		else {
			ka->path = a;
			++*i;
			return 1;
		}
	}
	if (!trailing &&
	    (ka->kid != NULL || ka->alg != NULL || ka->use != NULL))
		usage("--kid, --alg and --use go before their key");
	return 0;
}

static char *
keyarg_jwk(const struct keyarg *ka)
{
	EVP_PKEY *k;
	char *s, *jwk;
	size_t len;

	if (ka->secret != NULL) {
		s = read_secret(ka->secret, &len);
		jwk = tu_jwk_oct(s, len, ka->kid, ka->alg);
		OPENSSL_cleanse(s, len);
		free(s);
		if (ka->use != NULL) {
			s = tu_json_set_str(jwk, "use", ka->use);
			free(jwk);
			jwk = s;
		}
		return jwk;
	}
	k = load_key(ka->path);
	jwk = tu_jwk(k, ka->kid, ka->alg, ka->use);
	EVP_PKEY_free(k);
	return jwk;
}

static int
cmd_jwk(int argc, char **argv)
{
	struct keyarg ka, more;
	char *jwk;
	int i = 1;

	/* One key; its options may come before or after it. */
	if (!read_keyarg(argc, argv, &i, &ka, 1))
		usage("jwk needs a key");
	if (read_keyarg(argc, argv, &i, &more, 1) || i != argc)
		usage("jwk takes one key");
	if (more.kid != NULL)
		ka.kid = more.kid;
	if (more.alg != NULL)
		ka.alg = more.alg;
	if (more.use != NULL)
		ka.use = more.use;
	jwk = keyarg_jwk(&ka);
	printf("%s\n", jwk);
	free(jwk);
	return 0;
}

static int
cmd_jwks(int argc, char **argv)
{
	struct keyarg ka;
	char **v;
	char *set;
	size_t n = 0, j;
	int i = 1;

	v = tu_malloc(sizeof(*v) * (size_t)argc);
	while (read_keyarg(argc, argv, &i, &ka, 0))
		v[n++] = keyarg_jwk(&ka);
	if (n == 0)
		usage("jwks needs at least one key");
	set = tu_jwks_v(v, n);
	printf("%s\n", set);
	for (j = 0; j < n; j++)
		free(v[j]);
	free(v);
	free(set);
	return 0;
}

/* Append ,"name":"value" to a header; values must not need escaping. */
static char *
add_member(char *h, const char *name, const char *value)
{
	char *n;
	const char *c;

	for (c = value; *c != '\0'; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			usage("use --header for a value like '%s'", value);
	n = tu_asprintf("%s,\"%s\":\"%s\"", h, name, value);
	free(h);
	return n;
}

static int
cmd_sign(int argc, char **argv)
{
	const char *alg = NULL, *keyfile = NULL, *secretfile = NULL;
	const char *kid = NULL, *typ = "JWT", *header = NULL;
	const char *claims = NULL, *claimsfile = NULL;
	char *hdr = NULL, *cl = NULL, *secret = NULL, *tok, *h;
	EVP_PKEY *k = NULL;
	size_t secretlen = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--alg") == 0)
			alg = optval(argc, argv, &i);
		else if (strcmp(a, "--key") == 0)
			keyfile = optval(argc, argv, &i);
		else if (strcmp(a, "--secret") == 0)
			secretfile = optval(argc, argv, &i);
		else if (strcmp(a, "--kid") == 0)
			kid = optval(argc, argv, &i);
		else if (strcmp(a, "--typ") == 0)
			typ = optval(argc, argv, &i);
		else if (strcmp(a, "--header") == 0)
			header = optval(argc, argv, &i);
		else if (strcmp(a, "--claims") == 0)
			claims = optval(argc, argv, &i);
		else if (strcmp(a, "--claims-file") == 0)
			claimsfile = optval(argc, argv, &i);
		else
			usage("sign: unexpected argument %s", a);
	}
	if (alg == NULL)
		usage("sign needs --alg");
	if (!tu_alg_ok(alg))
		usage("sign: unknown alg '%s'", alg);
	if ((claims == NULL) == (claimsfile == NULL))
		usage("sign needs one of --claims and --claims-file");
	if (keyfile != NULL && secretfile != NULL)
		usage("sign takes --key or --secret, not both");
	if (alg[0] == 'H' && secretfile == NULL)
		usage("%s needs --secret", alg);
	if (strchr("REP", alg[0]) != NULL && keyfile == NULL)
		usage("%s needs --key", alg);
	if (header != NULL && (kid != NULL || strcmp(typ, "JWT") != 0))
		usage("--header replaces the header: no --kid or --typ");

	if (keyfile != NULL)
		k = load_key(keyfile);
	if (secretfile != NULL)
		secret = read_secret(secretfile, &secretlen);
	if (claimsfile != NULL) {
		if (strcmp(claimsfile, "-") == 0)
			cl = tu_read_fd(STDIN_FILENO, NULL);
		else if (access(claimsfile, R_OK) != 0)
			fail("cannot read claims file %s: %s", claimsfile,
			    strerror(errno));
		else
			cl = tu_read_file(claimsfile, NULL);
	} else
		cl = tu_strdup(claims);
	if (header != NULL)
		hdr = tu_strdup(header);
	else {
		h = tu_asprintf("{\"alg\":\"%s\"", alg);
		if (*typ != '\0')
			h = add_member(h, "typ", typ);
		if (kid != NULL)
			h = add_member(h, "kid", kid);
		hdr = tu_asprintf("%s}", h);
		free(h);
	}
	tok = tu_sign(alg, k, secret, secretlen, hdr, cl);
	printf("%s\n", tok);
	free(tok);
	free(hdr);
	free(cl);
	if (secret != NULL) {
		OPENSSL_cleanse(secret, secretlen);
		free(secret);
	}
	EVP_PKEY_free(k);
	return 0;
}

static int
cmd_thumbprint(int argc, char **argv)
{
	EVP_PKEY *k;
	char *tp;

	if (argc != 2)
		usage("thumbprint takes one key file");
	k = tu_load_key_file(argv[1]);
	tp = tu_jwk_thumbprint(k);
	printf("%s\n", tp);
	free(tp);
	EVP_PKEY_free(k);
	return 0;
}

static int
cmd_b64url(int argc, char **argv)
{
	uint8_t *raw;
	char *in, *out;
	size_t len;

	if (argc == 2 && strcmp(argv[1], "-d") == 0) {
		in = tu_read_fd(STDIN_FILENO, NULL);
		raw = tu_unb64url(in, &len);
		fwrite(raw, 1, len, stdout);
		free(raw);
		free(in);
		return 0;
	}
	if (argc != 1)
		usage("b64url takes no argument but -d");
	in = tu_read_fd(STDIN_FILENO, &len);
	out = tu_b64url(in, len);
	fputs(out, stdout);
	free(in);
	free(out);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cmd;
	int r;

	/* Errors of a command-line tool are not test failures: exit 1. */
	tu_set_exit_status(1);
	if (argc < 2)
		usage("no command given");
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0)
		help();
	else if (strcmp(cmd, "genkey") == 0)
		r = cmd_genkey(argc - 1, argv + 1);
	else if (strcmp(cmd, "jwk") == 0)
		r = cmd_jwk(argc - 1, argv + 1);
	else if (strcmp(cmd, "jwks") == 0)
		r = cmd_jwks(argc - 1, argv + 1);
	else if (strcmp(cmd, "sign") == 0)
		r = cmd_sign(argc - 1, argv + 1);
	else if (strcmp(cmd, "thumbprint") == 0)
		r = cmd_thumbprint(argc - 1, argv + 1);
	else if (strcmp(cmd, "b64url") == 0)
		r = cmd_b64url(argc - 1, argv + 1);
	else
		usage("unknown command %s", cmd);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("mktoken: cannot write the output\n", stderr);
		return 1;
	}
	return r;
}
