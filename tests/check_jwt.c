/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"		/* _GNU_SOURCE: memmem() */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "checkmain.h"
#include "conf.h"
#include "err.h"
#include "jwk.h"
#include "jws.h"
#include "jwt.h"
#include "testutil.h"

/*
 * End-to-end tests of common/jwt.c: pb_verifier_new() over a JWK Set
 * written to a temporary directory, pb_jwt_verify() at a fixed time NOW.
 * Keys come from $PB_TESTDATA (tests/mkvectors.sh); tokens are made by
 * testutil from raw header and payload JSON, so that every malformation
 * can be written down exactly.  Every rejection is checked for its code, a
 * phrase of its message, and that the message holds no 8-byte piece of
 * the token (DESIGN.md: no byte of a token in any log line).
 */

#define NOW	INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define ISS	"https://idp.example.com"
#define AUD	"ssh"
#define EXP	1800003600		/* NOW + 1 h */

/* The claims every test token starts from. */
#define STD_CLAIMS \
	"\"iss\":\"" ISS "\",\"sub\":\"alice\",\"aud\":\"" AUD "\"," \
	"\"exp\":1800003600,\"iat\":1800000000,\"jti\":\"jti-1\""

#define SECRET32	"0123456789abcdef0123456789ABCDEF"
#define SECRET64	SECRET32 "ghijklmnopqrstuvGHIJKLMNOPQRSTUV"

/* Keys from $PB_TESTDATA, loaded on first use, freed at exit. */
static const char *const key_names[] = {
	"rsa2048", "rsa2048b", "rsa3072", "rsa1024", "ec256", "ec384",
	"ec521", "ed25519"
};
#define NKEYS	(sizeof(key_names) / sizeof(key_names[0]))
static EVP_PKEY *keys[NKEYS];

/* Fixture state (Check fixtures can only reach globals). */
static char *dir;
static char *jwks_path;
static struct pb_conf *cfg;
static struct pb_jwt *jwt;
static struct pb_err err;
static char skips[4096];	/* skip callback messages, one a line */

/* Memory a test hands back to teardown: a list, since loops add much. */
struct gc_node {
	struct gc_node	*next;
	void		*p;
	EVP_PKEY	*k;
};
static struct gc_node *gc_list;

static void *
gc(void *p)
{
	struct gc_node *n = tu_malloc(sizeof(*n));

	n->p = p;
	n->k = NULL;
	n->next = gc_list;
	gc_list = n;
	return p;
}

static EVP_PKEY *
gc_pkey(EVP_PKEY *k)
{
	struct gc_node *n = tu_malloc(sizeof(*n));

	n->p = NULL;
	n->k = k;
	n->next = gc_list;
	gc_list = n;
	return k;
}

static void
gc_free(void)
{
	struct gc_node *n;

	while ((n = gc_list) != NULL) {
		gc_list = n->next;
		free(n->p);
		EVP_PKEY_free(n->k);
		free(n);
	}
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* tu_asprintf() handed to teardown. */
static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	p = tu_malloc((size_t)n + 1);
	va_start(ap, f);
	(void)vsnprintf(p, (size_t)n + 1, f, ap);
	va_end(ap);
	return gc(p);
}

static EVP_PKEY *
key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(key_names[i], name) == 0)
			break;
	ck_assert_msg(i < NKEYS, "unknown test key %s", name);
	if (keys[i] == NULL)
		keys[i] = tu_load_key(name);
	return keys[i];
}

static void
keys_free(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		EVP_PKEY_free(keys[i]);
		keys[i] = NULL;
	}
}

static void
skip_cb(void *ctx, const char *msg)
{
	size_t n = strlen(skips);

	(void)ctx;
	(void)snprintf(skips + n, sizeof(skips) - n, "%s\n", msg);
}

/* Set one key as a module argument: replaces what setup() set. */
static void
set(const char *k, const char *value)
{
	int r;

	r = pb_conf_set(cfg, PB_CONF_ARG, k, value, "test", NULL, NULL);
	ck_assert_msg(r == PB_OK, "pb_conf_set(%s, %s): %s", k, value,
	    pb_strerror(r));
}

static void
write_jwks(const char *text)
{
	free(tu_write_file(dir, "jwks.json", text, 0644));
}

/* The signing keys of the default JWK Set, by algorithm. */
struct signer {
	const char	*alg;
	const char	*key;
	const char	*kid;
};

static const struct signer signers[] = {
	{ "RS256", "rsa2048", "rsa1" },
	{ "RS384", "rsa3072", "rsa3" },
	{ "RS512", "rsa3072", "rsa3" },
	{ "PS256", "rsa2048b", "rsa-pss" },
	{ "PS384", "rsa3072", "rsa3" },
	{ "PS512", "rsa3072", "rsa3" },
	{ "ES256", "ec256", "ec1" },
	{ "ES384", "ec384", "ec384" },
	{ "ES512", "ec521", "ec521" },
	{ "EdDSA", "ed25519", "ed1" },
	{ "Ed25519", "ed25519", "ed1" },
};
#define NSIGNERS	(sizeof(signers) / sizeof(signers[0]))

static const struct signer *
signer(const char *alg)
{
	size_t i;

	for (i = 0; i < NSIGNERS; i++)
		if (strcmp(signers[i].alg, alg) == 0)
			return &signers[i];
	ck_abort_msg("no signer for %s", alg);
	return NULL;
}

/*
 * The default JWK Set: rsa1 (RS256 only), rsa-pss (PS256 only), rsa3
 * (RSA-3072, no alg: any RSA algorithm), ec1 (P-256), ec384, ec521 and
 * ed1 (Ed25519).
 */
static void
setup(void)
{
	char *j[7], *set_text;
	size_t i;

	jwt = NULL;
	cfg = NULL;
	gc_list = NULL;
	skips[0] = '\0';
	pb_err_clear(&err);
	dir = tu_tmpdir();
	jwks_path = tu_asprintf("%s/jwks.json", dir);
	j[0] = tu_jwk(key("rsa2048"), "rsa1", "RS256", "sig");
	j[1] = tu_jwk(key("rsa2048b"), "rsa-pss", "PS256", NULL);
	j[2] = tu_jwk(key("rsa3072"), "rsa3", NULL, "sig");
	j[3] = tu_jwk(key("ec256"), "ec1", NULL, NULL);
	j[4] = tu_jwk(key("ec384"), "ec384", NULL, NULL);
	j[5] = tu_jwk(key("ec521"), "ec521", NULL, NULL);
	j[6] = tu_jwk(key("ed25519"), "ed1", NULL, NULL);
	set_text = tu_jwks_v(j, 7);
	write_jwks(set_text);
	free(set_text);
	for (i = 0; i < 7; i++)
		free(j[i]);
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "issuer", ISS,
	    "setup", NULL, NULL), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "audience", AUD,
	    "setup", NULL, NULL), PB_OK);
	ck_assert_int_eq(pb_conf_set(cfg, PB_CONF_FILE, "jwks_file",
	    jwks_path, "setup", NULL, NULL), PB_OK);
}

static void
teardown(void)
{
	pb_jwt_free(jwt);
	jwt = NULL;
	pb_conf_free(cfg);
	cfg = NULL;
	gc_free();
	tu_rmtree(dir);
	free(dir);
	free(jwks_path);
	dir = jwks_path = NULL;
}

/* Tokens ------------------------------------------------------------------- */

/* {"alg":alg,"typ":"JWT","kid":kid}, without kid when NULL. */
static char *
hdr(const char *alg, const char *kid)
{
	if (kid == NULL)
		return fmt("{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
	return fmt("{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg,
	    kid);
}

/* The standard claims plus extra members (extra starts with ','). */
static char *
pl(const char *extra)
{
	return fmt("{" STD_CLAIMS "%s}", extra);
}

/*
 * A token for alg signed with the default set's key for it; h and p are
 * the header and payload JSON (NULL: hdr(alg, kid) and pl("")).
 */
static char *
tok(const char *alg, const char *h, const char *p)
{
	const struct signer *s = signer(alg);

	return gc(tu_sign(alg, key(s->key), NULL, 0,
	    h != NULL ? h : hdr(alg, s->kid), p != NULL ? p : pl("")));
}

/* An HMAC token; h and p as for tok(), with no kid by default. */
static char *
hs_tok(const char *alg, const char *secret, size_t len, const char *h,
    const char *p)
{
	return gc(tu_sign(alg, NULL, secret, len,
	    h != NULL ? h : hdr(alg, NULL), p != NULL ? p : pl("")));
}

/* "B64(h).B64(p)": the JWS signing input. */
static char *
sinput(const char *h, const char *p)
{
	char *hb = tu_b64url_str(h), *pb = tu_b64url_str(p), *s;

	s = fmt("%s.%s", hb, pb);
	free(hb);
	free(pb);
	return s;
}

/* input "." B64(sig). */
static char *
with_sig(const char *input, const void *sig, size_t len)
{
	char *sb = tu_b64url(sig, len), *s;

	s = fmt("%s.%s", input, sb);
	free(sb);
	return s;
}

/* The signature tu_sig() makes for alg over the token's signing input. */
static uint8_t *
sig_of(const char *alg, EVP_PKEY *k, const char *input, size_t *lenp)
{
	return gc(tu_sig(alg, k, NULL, 0, input, strlen(input), lenp));
}

/*
 * A signature straight from OpenSSL: DER for ECDSA, and for RSA with
 * RSASSA-PSS when saltlen >= -3 (an RSA_PSS_SALTLEN_* value or a length),
 * PKCS#1 v1.5 when saltlen is -100.
 */
static uint8_t *
ossl_sign(EVP_PKEY *k, const char *md, int saltlen, const char *msg,
    size_t *lenp)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	uint8_t *sig;
	size_t len = 0;

	ck_assert_ptr_nonnull(ctx = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, k,
	    NULL), 1);
	if (saltlen != -100) {
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    saltlen), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md,
		    NULL), 1);
	}
	ck_assert_int_eq(EVP_DigestSign(ctx, NULL, &len,
	    (const unsigned char *)msg, strlen(msg)), 1);
	sig = gc(tu_malloc(len));
	ck_assert_int_eq(EVP_DigestSign(ctx, sig, &len,
	    (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(ctx);
	*lenp = len;
	return sig;
}

/* The three segments of a token, as offsets. */
static void
segments(const char *t, size_t start[3], size_t len[3])
{
	const char *d1 = strchr(t, '.'), *d2;

	ck_assert_ptr_nonnull(d1);
	ck_assert_ptr_nonnull(d2 = strchr(d1 + 1, '.'));
	start[0] = 0;
	len[0] = (size_t)(d1 - t);
	start[1] = (size_t)(d1 + 1 - t);
	len[1] = (size_t)(d2 - d1 - 1);
	start[2] = (size_t)(d2 + 1 - t);
	len[2] = strlen(d2 + 1);
}

/* Encoded length of n bytes of base64url without padding. */
static size_t
enclen(size_t n)
{
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

/*
 * An ES256 token (kid ec1) of exactly size bytes, found by padding the
 * header and a claim; ES256 signatures are always 86 characters.
 */
static char *
token_of_size(size_t size)
{
	char *h, *p, *fill;
	size_t hp, n, base, total;

	fill = gc(tu_malloc(size + 1));
	memset(fill, 'x', size);
	for (hp = 0; hp < 3; hp++) {
		fill[hp] = '\0';
		h = fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\",\"x\":\"%s\"}",
		    fill);
		fill[hp] = 'x';
		base = strlen(pl(",\"pad\":\"\""));
		for (n = 0; n < size; n++) {
			total = enclen(strlen(h)) + 1 + enclen(base + n) +
			    1 + 86;
			if (total > size)
				break;
			if (total != size)
				continue;
			fill[n] = '\0';
			p = pl(fmt(",\"pad\":\"%s\"", fill));
			fill[n] = 'x';
			return tok("ES256", h, p);
		}
	}
	ck_abort_msg("no ES256 token of %zu bytes", size);
	return NULL;
}

/*
 * An ES256 token whose three segments all have lengths that are not a
 * multiple of 4, so that standard base64 would pad each of them.
 */
static char *
unpadded_token(void)
{
	size_t start[3], len[3], hp, pp;
	char *t;

	for (hp = 0; hp < 3; hp++) {
		for (pp = 0; pp < 3; pp++) {
			t = tok("ES256", fmt("{\"alg\":\"ES256\",\"kid\":"
			    "\"ec1\",\"x\":\"%.*s\"}", (int)hp, "xxx"),
			    pl(fmt(",\"pad\":\"%.*s\"", (int)pp, "xxx")));
			segments(t, start, len);
			if (len[0] % 4 != 0 && len[1] % 4 != 0 &&
			    len[2] % 4 != 0)
				return t;
		}
	}
	ck_abort_msg("no unpadded token");
	return NULL;
}

/* Verification ------------------------------------------------------------- */

static int
verify_len(const char *t, size_t len)
{
	struct pb_verifier *v = NULL;
	int r;

	pb_jwt_free(jwt);
	jwt = NULL;
	pb_err_clear(&err);
	r = pb_verifier_new(cfg, skip_cb, NULL, &v, &err);
	ck_assert_msg(r == PB_OK, "pb_verifier_new: %s (%s); skipped: %s",
	    pb_strerror(r), pb_err_msg(&err), skips);
	pb_err_clear(&err);
	r = pb_jwt_verify(v, t, len, NOW, &jwt, &err);
	pb_verifier_free(v);
	return r;
}

/* No 8-byte piece of the token may appear in a message. */
static void
assert_no_token_bytes(int line, const char *t, size_t len, const char *msg)
{
	size_t i, mlen = strlen(msg);

	for (i = 0; i + 8 <= len; i++)
		ck_assert_msg(memmem(msg, mlen, t + i, 8) == NULL,
		    "line %d: message '%s' holds token bytes at %zu", line,
		    msg, i);
}

static void
accept_at(int line, const char *t)
{
	int r = verify_len(t, strlen(t));

	ck_assert_msg(r == PB_OK, "line %d: rejected with %d (%s): %s", line,
	    r, pb_strerror(r), pb_err_msg(&err));
	ck_assert_ptr_nonnull(jwt);
}

static void
reject_n(int line, const char *t, size_t len, int code, const char *phrase)
{
	int r = verify_len(t, len);

	ck_assert_msg(r == code, "line %d: got %d (%s), want %d (%s): %s",
	    line, r, pb_strerror(r), code, pb_strerror(code), err.msg);
	ck_assert_msg(err.code == code, "line %d: err.code %d", line,
	    err.code);
	ck_assert_msg(strstr(err.msg, phrase) != NULL,
	    "line %d: message '%s' lacks '%s'", line, err.msg, phrase);
	ck_assert_msg(jwt == NULL, "line %d: token set on failure", line);
	assert_no_token_bytes(line, t, len, err.msg);
}

#define ACCEPT(t)		accept_at(__LINE__, (t))
#define REJECT(t, code, phrase) \
	reject_n(__LINE__, (t), strlen(t), (code), (phrase))


/*
 * Write the HMAC secret file dir/hmac.key (len bytes, exactly mode) and
 * name it in the config; later calls only rewrite the file.
 */
static void
use_secret(const void *secret, size_t len, mode_t mode)
{
	char *path = fmt("%s/hmac.key", dir);

	(void)unlink(path);	/* a 0400 file cannot be opened for writing */
	free(tu_write_filen(dir, "hmac.key", secret, len, mode));
	if (cfg->hmac_secret_file == NULL)
		set("hmac_secret_file", path);
	ck_assert_str_eq(cfg->hmac_secret_file, path);
}

static void
assert_fields(const char *alg, const char *kid)
{
	ck_assert_str_eq(jwt->iss, ISS);
	ck_assert_str_eq(jwt->sub, "alice");
	ck_assert_str_eq(jwt->jti, "jti-1");
	ck_assert_str_eq(jwt->username, "alice");
	ck_assert_int_eq(jwt->exp, EXP);
	ck_assert_ptr_nonnull(jwt->claims);
	ck_assert_ptr_nonnull(jwt->jws);
	ck_assert_str_eq(jwt->jws->alg_name, alg);
	if (kid == NULL)
		ck_assert_ptr_null(jwt->jws->kid);
	else
		ck_assert_str_eq(jwt->jws->kid, kid);
}

/* Valid tokens ------------------------------------------------------------- */

/* Every asymmetric algorithm of the default allowlist. */
START_TEST(test_jwt_valid)
{
	const struct signer *s = &signers[_i];

	ACCEPT(tok(s->alg, NULL, NULL));
	assert_fields(s->alg, s->kid);
}
END_TEST

START_TEST(test_jwt_valid_hs)
{
	static const char *const algs[] = { "HS256", "HS384", "HS512" };

	set("algorithms", "HS256 HS384 HS512");
	use_secret(SECRET64, 64, 0600);
	ACCEPT(hs_tok(algs[_i], SECRET64, 64, NULL, NULL));
	assert_fields(algs[_i], NULL);
}
END_TEST

START_TEST(test_jwt_valid_hs256)
{
	set("algorithms", "HS256");
	use_secret(SECRET32, 32, 0600);
	ACCEPT(hs_tok("HS256", SECRET32, 32, NULL, NULL));
	assert_fields("HS256", NULL);
	/* The kid of an HMAC token selects nothing: one secret. */
	ACCEPT(hs_tok("HS256", SECRET32, 32, hdr("HS256", "whatever"), NULL));
	/* A read-only secret file is fine too. */
	use_secret(SECRET32, 32, 0400);
	ACCEPT(hs_tok("HS256", SECRET32, 32, NULL, NULL));
}
END_TEST

/* One trailing newline of the secret file is not part of the secret. */
START_TEST(test_jwt_valid_hs_newline)
{
	set("algorithms", "HS256");
	use_secret(SECRET32 "\n", 33, 0600);
	ACCEPT(hs_tok("HS256", SECRET32, 32, NULL, NULL));
	REJECT(hs_tok("HS256", SECRET32 "\n", 33, NULL, NULL), PB_ERR_SIG,
	    "signature does not verify");
}
END_TEST

START_TEST(test_jwt_valid_mixed)
{
	set("algorithms", "RS256 ES256 HS256");
	use_secret(SECRET32, 32, 0600);
	ACCEPT(hs_tok("HS256", SECRET32, 32, NULL, NULL));
	ACCEPT(tok("RS256", NULL, NULL));
	ACCEPT(tok("ES256", NULL, NULL));
}
END_TEST

START_TEST(test_jwt_valid_fields)
{
	/* exp in 2100: cJSON's valueint would saturate at 2038. */
	ACCEPT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"sub\":\"bob\","
	    "\"aud\":[\"x\",\"" AUD "\"],\"exp\":4102444800}"));
	ck_assert_int_eq(jwt->exp, INT64_C(4102444800));
	ck_assert_str_eq(jwt->sub, "bob");
	ck_assert_str_eq(jwt->username, "bob");
	ck_assert_ptr_null(jwt->jti);
	/* A fractional exp is rounded down. */
	ACCEPT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"sub\":\"bob\","
	    "\"aud\":\"" AUD "\",\"exp\":1800003600.9}"));
	ck_assert_int_eq(jwt->exp, EXP);
}
END_TEST

START_TEST(test_jwt_valid_username_claim)
{
	set("username_claim", "preferred_username");
	ACCEPT(tok("ES256", NULL, pl(",\"preferred_username\":\"carol\"")));
	ck_assert_str_eq(jwt->sub, "alice");
	ck_assert_str_eq(jwt->username, "carol");
	REJECT(tok("ES256", NULL, NULL), PB_ERR_CLAIM,
	    "username claim 'preferred_username' is missing or not a string");
}
END_TEST

/* One verifier serves many tokens; a rejection leaves it usable. */
START_TEST(test_jwt_verifier_reuse)
{
	struct pb_verifier *v = NULL;
	struct pb_jwt *a = NULL, *b = NULL, *c = NULL;
	const char *good = tok("ES256", NULL, NULL);
	/* A second aud member: a duplicate name. */
	const char *bad = tok("ES256", NULL, pl(",\"aud\":\"x\""));

	ck_assert_int_eq(pb_verifier_new(cfg, NULL, NULL, &v, &err), PB_OK);
	ck_assert_int_eq(pb_jwt_verify(v, good, strlen(good), NOW, &a, &err),
	    PB_OK);
	ck_assert_int_eq(pb_jwt_verify(v, bad, strlen(bad), NOW, &b, &err),
	    PB_ERR_FORMAT);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(pb_jwt_verify(v, good, strlen(good), NOW, &c, &err),
	    PB_OK);
	ck_assert_str_eq(a->sub, c->sub);
	pb_jwt_free(a);
	pb_jwt_free(c);
	pb_verifier_free(v);
	pb_verifier_free(NULL);
	pb_jwt_free(NULL);
}
END_TEST

/* alg "none" --------------------------------------------------------------- */

static const char *const none_spellings[] = { "none", "None", "NONE", "nOnE" };

/* An unsecured JWS (RFC 7515 A.5) has an empty third segment. */
START_TEST(test_jwt_none_empty_sig)
{
	char *h = fmt("{\"alg\":\"%s\",\"typ\":\"JWT\"}", none_spellings[_i]);

	REJECT(fmt("%s.", sinput(h, pl(""))), PB_ERR_FORMAT,
	    "token signature is empty");
	REJECT(fmt("%s.", sinput(fmt("{\"alg\":\"%s\",\"kid\":\"rsa1\"}",
	    none_spellings[_i]), pl(""))), PB_ERR_FORMAT,
	    "token signature is empty");
}
END_TEST

START_TEST(test_jwt_none_garbage_sig)
{
	const char *alg = none_spellings[_i];
	char *h = fmt("{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
	char *want = fmt("alg '%s' is never accepted", alg);
	uint8_t garbage[64];
	size_t siglen;
	uint8_t *sig;

	memset(garbage, 0x5a, sizeof(garbage));
	REJECT(with_sig(sinput(h, pl("")), garbage, sizeof(garbage)),
	    PB_ERR_ALG, want);
	/* Even with a valid RS256 signature and a known kid. */
	h = fmt("{\"alg\":\"%s\",\"kid\":\"rsa1\"}", alg);
	sig = sig_of("RS256", key("rsa2048"), sinput(h, pl("")), &siglen);
	REJECT(with_sig(sinput(h, pl("")), sig, siglen), PB_ERR_ALG, want);
	/* And whatever the allowlist says. */
	set("algorithms", "RS256 ES256 EdDSA");
	REJECT(with_sig(sinput(h, pl("")), garbage, 1), PB_ERR_ALG, want);
}
END_TEST

/* The allowlist ------------------------------------------------------------ */

START_TEST(test_jwt_alg_not_allowed)
{
	set("algorithms", "ES256");
	REJECT(tok("RS256", NULL, NULL), PB_ERR_ALG,
	    "alg RS256 is not in the allowlist (algorithms)");
	REJECT(tok("ES384", NULL, NULL), PB_ERR_ALG,
	    "alg ES384 is not in the allowlist (algorithms)");
	REJECT(tok("EdDSA", NULL, NULL), PB_ERR_ALG,
	    "alg EdDSA is not in the allowlist (algorithms)");
	ACCEPT(tok("ES256", NULL, NULL));
}
END_TEST

/* HS* are not in the default allowlist. */
START_TEST(test_jwt_alg_hs_not_default)
{
	REJECT(hs_tok("HS256", SECRET32, 32, hdr("HS256", "rsa1"), NULL),
	    PB_ERR_ALG, "alg HS256 is not in the allowlist (algorithms)");
	REJECT(hs_tok("HS512", SECRET64, 64, NULL, NULL), PB_ERR_ALG,
	    "alg HS512 is not in the allowlist (algorithms)");
}
END_TEST

START_TEST(test_jwt_alg_unknown)
{
	static const char *const v[] = {
		"HS1", "rs256", "Rs256", "RS256 ", " RS256", "RS", "ES256K",
		"RSA-OAEP", "dir", "A128GCM", "ES256\\t", "",
	};
	static const char *const shown[] = {
		"HS1", "rs256", "Rs256", "RS256 ", " RS256", "RS", "ES256K",
		"RSA-OAEP", "dir", "A128GCM", "ES256\\x09", "",
	};
	uint8_t garbage[256];
	size_t i;

	memset(garbage, 0x11, sizeof(garbage));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		REJECT(with_sig(sinput(fmt("{\"alg\":\"%s\",\"kid\":\"rsa1\"}",
		    v[i]), pl("")), garbage, sizeof(garbage)), PB_ERR_ALG,
		    fmt("alg '%s' is not supported", shown[i]));
}
END_TEST

START_TEST(test_jwt_alg_missing)
{
	static const char *const h[] = {
		"{\"typ\":\"JWT\",\"kid\":\"ec1\"}",
		"{\"alg\":null,\"kid\":\"ec1\"}",
		"{\"alg\":256,\"kid\":\"ec1\"}",
		"{\"alg\":[\"ES256\"],\"kid\":\"ec1\"}",
		"{\"ALG\":\"ES256\",\"kid\":\"ec1\"}",
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		REJECT(tok("ES256", h[i], NULL), PB_ERR_FORMAT,
		    "token header has no string alg");
}
END_TEST

/* Algorithm confusion (RFC 8725 2.1, 3.1) ---------------------------------- */

/* The RSA public key of rsa1 as bytes an attacker might use as a secret. */
static uint8_t *
rsa_pub_bytes(int form, size_t *lenp)
{
	EVP_PKEY *k = key("rsa2048");
	unsigned char *der = NULL;
	BIGNUM *n = NULL;
	BUF_MEM *mem;
	uint8_t *out;
	BIO *bio;
	int len;

	switch (form) {
	case 0:		/* PEM SubjectPublicKeyInfo */
		ck_assert_ptr_nonnull(bio = BIO_new(BIO_s_mem()));
		ck_assert_int_eq(PEM_write_bio_PUBKEY(bio, k), 1);
		BIO_get_mem_ptr(bio, &mem);
		out = gc(tu_malloc(mem->length));
		memcpy(out, mem->data, mem->length);
		*lenp = mem->length;
		BIO_free(bio);
		return out;
	case 1:		/* DER SubjectPublicKeyInfo */
		ck_assert_int_gt(len = i2d_PUBKEY(k, &der), 0);
		out = gc(tu_malloc((size_t)len));
		memcpy(out, der, (size_t)len);
		OPENSSL_free(der);
		*lenp = (size_t)len;
		return out;
	default:	/* the JWK's n, big-endian */
		ck_assert_int_eq(EVP_PKEY_get_bn_param(k,
		    OSSL_PKEY_PARAM_RSA_N, &n), 1);
		out = gc(tu_malloc((size_t)BN_num_bytes(n)));
		*lenp = (size_t)BN_bn2bin(n, out);
		BN_free(n);
		return out;
	}
}

/*
 * HS256 signed with the RSA public key as the HMAC secret (the classic
 * RS/HS confusion).  _i % 3: PEM, DER or n bytes; _i / 3: HS256 not
 * allowed, allowed without hmac_secret_file, allowed with one.
 */
START_TEST(test_jwt_confusion_hs_rs)
{
	const uint8_t *secret;
	size_t len;
	char *t;

	secret = rsa_pub_bytes(_i % 3, &len);
	t = hs_tok("HS256", (const char *)secret, len, hdr("HS256", "rsa1"),
	    NULL);
	switch (_i / 3) {
	case 0:
		REJECT(t, PB_ERR_ALG,
		    "alg HS256 is not in the allowlist (algorithms)");
		break;
	case 1:
		set("algorithms", "RS256 HS256");
		REJECT(t, PB_ERR_NOKEY,
		    "HS256 needs hmac_secret_file, which is not set");
		break;
	default:
		set("algorithms", "RS256 HS256");
		use_secret(SECRET32, 32, 0600);
		REJECT(t, PB_ERR_SIG, "signature does not verify");
		/* Nor without a kid. */
		REJECT(hs_tok("HS256", (const char *)secret, len, NULL, NULL),
		    PB_ERR_SIG, "signature does not verify");
		break;
	}
}
END_TEST

/* A symmetric key in the public key set is skipped, never used. */
START_TEST(test_jwt_confusion_oct_in_jwks)
{
	char *j1 = gc(tu_jwk(key("rsa2048"), "rsa1", "RS256", "sig"));
	char *j2 = gc(tu_jwk_oct(SECRET64, 64, "hs", "HS256"));

	write_jwks(gc(tu_jwks(j1, j2, NULL)));
	set("algorithms", "RS256 HS256");
	use_secret(SECRET32, 32, 0600);
	REJECT(hs_tok("HS256", SECRET64, 64, hdr("HS256", "hs"), NULL),
	    PB_ERR_SIG, "signature does not verify");
	ck_assert_msg(strstr(skips, "symmetric (oct) key") != NULL,
	    "skips: %s", skips);
	ck_assert_msg(strstr(skips, "'hs'") != NULL, "skips: %s", skips);
}
END_TEST

/* The key's own alg binds it: a PSS token on an RS256 key is refused. */
START_TEST(test_jwt_confusion_ps_rs)
{
	char *h = hdr("PS256", "rsa1");
	char *in = sinput(h, pl(""));
	size_t len;
	uint8_t *sig;

	/* A correct RSASSA-PSS signature by rsa1's private key. */
	sig = sig_of("PS256", key("rsa2048"), in, &len);
	REJECT(with_sig(in, sig, len), PB_ERR_NOKEY,
	    "key 'rsa1' is for RS256, token says PS256");
	REJECT(with_sig(in, sig, len), PB_ERR_NOKEY, "does not fit PS256");
	/* The other way round: PKCS#1 v1.5 on the PS256 key. */
	h = hdr("RS256", "rsa-pss");
	in = sinput(h, pl(""));
	sig = sig_of("RS256", key("rsa2048b"), in, &len);
	REJECT(with_sig(in, sig, len), PB_ERR_NOKEY,
	    "key 'rsa-pss' is for PS256, token says RS256");
	/* Another hash with the same key is refused too. */
	REJECT(gc(tu_sign("RS384", key("rsa2048"), NULL, 0,
	    hdr("RS384", "rsa1"), pl(""))), PB_ERR_NOKEY,
	    "key 'rsa1' is for RS256, token says RS384");
}
END_TEST

START_TEST(test_jwt_confusion_curve)
{
	/* ES384 header, signed by the P-256 key ec1 (SHA-384). */
	REJECT(gc(tu_sign("ES384", key("ec256"), NULL, 0, hdr("ES384", "ec1"),
	    pl(""))), PB_ERR_NOKEY, "key 'ec1' is on the wrong curve for "
	    "ES384");
	/* Without a kid the P-384 key is chosen, and 64 bytes are wrong. */
	REJECT(gc(tu_sign("ES384", key("ec256"), NULL, 0, hdr("ES384", NULL),
	    pl(""))), PB_ERR_SIG, "ES384 signature is 64 bytes, must be 96");
	REJECT(gc(tu_sign("ES256", key("ec384"), NULL, 0, hdr("ES256",
	    "ec384"), pl(""))), PB_ERR_NOKEY,
	    "key 'ec384' is on the wrong curve for ES256");
	REJECT(gc(tu_sign("ES512", key("ec384"), NULL, 0, hdr("ES512",
	    "ec384"), pl(""))), PB_ERR_NOKEY, "wrong curve for ES512");
}
END_TEST

START_TEST(test_jwt_confusion_kty)
{
	uint8_t garbage[256];

	memset(garbage, 0x42, sizeof(garbage));
	REJECT(with_sig(sinput(hdr("ES256", "rsa1"), pl("")), garbage, 64),
	    PB_ERR_NOKEY, "key 'rsa1' is RSA, ES256 needs EC");
	REJECT(with_sig(sinput(hdr("EdDSA", "ec1"), pl("")), garbage, 64),
	    PB_ERR_NOKEY, "key 'ec1' is EC, EdDSA needs OKP");
	REJECT(with_sig(sinput(hdr("RS256", "ed1"), pl("")), garbage, 256),
	    PB_ERR_NOKEY, "key 'ed1' is OKP, RS256 needs RSA");
	REJECT(with_sig(sinput(hdr("PS256", "ec1"), pl("")), garbage, 256),
	    PB_ERR_NOKEY, "key 'ec1' is EC, PS256 needs RSA");
}
END_TEST

/* HMAC keys must be as long as the hash (RFC 7518 3.2). */
/* The same secret with HS256 only: HS512 tokens are refused by alg. */
START_TEST(test_jwt_hs_short_key)
{
	set("algorithms", "HS256");
	use_secret(SECRET32, 32, 0600);
	ACCEPT(hs_tok("HS256", SECRET32, 32, NULL, NULL));
	REJECT(hs_tok("HS512", SECRET32, 32, NULL, NULL), PB_ERR_ALG,
	    "alg HS512 is not in the allowlist");
}
END_TEST

/* kid ---------------------------------------------------------------------- */

START_TEST(test_jwt_kid_unknown)
{
	REJECT(tok("ES256", hdr("ES256", "abc"), NULL), PB_ERR_NOKEY,
	    fmt("no key with kid 'abc' in %s; run bearer-token fetch-jwks "
	    "(or check pam-bearer-jwks.timer)", jwks_path));
	REJECT(tok("ES256", hdr("ES256", "EC1"), NULL), PB_ERR_NOKEY,
	    "no key with kid 'EC1' in");
	REJECT(tok("ES256", hdr("ES256", ""), NULL), PB_ERR_NOKEY,
	    "no key with kid '' in");
}
END_TEST

/* A kid is only compared, never a path. */
START_TEST(test_jwt_kid_path)
{
	REJECT(tok("ES256", hdr("ES256", "../../../etc/passwd"), NULL),
	    PB_ERR_NOKEY, "no key with kid '../../../etc/passwd' in");
	REJECT(tok("ES256", hdr("ES256", jwks_path), NULL), PB_ERR_NOKEY,
	    "no key with kid '");
	REJECT(tok("ES256", hdr("ES256", "https://evil.example/jwks.json"),
	    NULL), PB_ERR_NOKEY, "no key with kid 'https://evil.example/");
}
END_TEST

/* Attacker-controlled text in messages is escaped and cut. */
START_TEST(test_jwt_kid_escaped)
{
	char long_kid[201];

	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":\"a'b\\nc\\u001b[31m"
	    "\\\\\"}", NULL), PB_ERR_NOKEY,
	    "no key with kid 'a\\x27b\\x0ac\\x1b[31m\\x5c' in");
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_ptr_null(strchr(err.msg, '\033'));
	memset(long_kid, 'k', 200);
	long_kid[200] = '\0';
	REJECT(tok("ES256", hdr("ES256", long_kid), NULL), PB_ERR_NOKEY,
	    "kkkk...' in");
	ck_assert_ptr_null(strstr(err.msg, fmt("%.65s", long_kid)));
}
END_TEST

START_TEST(test_jwt_kid_type)
{
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":1}", NULL),
	    PB_ERR_FORMAT, "token kid is not a string");
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":null}", NULL),
	    PB_ERR_FORMAT, "token kid is not a string");
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":[\"ec1\"]}", NULL),
	    PB_ERR_FORMAT, "token kid is not a string");
}
END_TEST

/* No kid: the one key that fits the algorithm. */
START_TEST(test_jwt_kid_absent_one_key)
{
	ACCEPT(tok("ES256", hdr("ES256", NULL), NULL));
	assert_fields("ES256", NULL);
	ACCEPT(tok("ES384", hdr("ES384", NULL), NULL));
	ACCEPT(tok("ES512", hdr("ES512", NULL), NULL));
	ACCEPT(tok("EdDSA", hdr("EdDSA", NULL), NULL));
	ACCEPT(tok("Ed25519", hdr("Ed25519", NULL), NULL));
	/* rsa3 has no alg, rsa1 is RS256 only: only rsa3 fits RS384. */
	ACCEPT(tok("RS384", hdr("RS384", NULL), NULL));
}
END_TEST

/*
 * No kid and several keys that fit: each is tried in turn (IdPs without
 * kid, and the old key kept through a rotation); a key of the set signed
 * it or the token is refused.
 */
START_TEST(test_jwt_kid_absent_two_keys)
{
	EVP_PKEY *other = gc_pkey(tu_genkey("ec256"));
	EVP_PKEY *stranger = gc_pkey(tu_genkey("ec256"));
	char *j1 = gc(tu_jwk(key("ec256"), NULL, NULL, NULL));
	char *j2 = gc(tu_jwk(other, NULL, NULL, NULL));

	/* rsa1 (RS256) and rsa3 (any RSA) both fit RS256: either signs. */
	ACCEPT(tok("RS256", hdr("RS256", NULL), NULL));
	ACCEPT(gc(tu_sign("RS256", key("rsa3072"), NULL, 0,
	    hdr("RS256", NULL), pl(""))));
	/* rsa-pss (PS256) and rsa3 both fit PS256. */
	ACCEPT(tok("PS256", hdr("PS256", NULL), NULL));
	/* A key outside the set: every fitting key was tried. */
	REJECT(gc(tu_sign("RS256", key("rsa2048b"), NULL, 0,
	    hdr("RS256", NULL), pl(""))), PB_ERR_SIG, "signature does not "
	    "verify with any of the 2 keys that fit RS256 (the token has no "
	    "kid)");
	/* Two kid-less P-256 keys, as after a rotation at such an IdP. */
	write_jwks(gc(tu_jwks(j1, j2, NULL)));
	ACCEPT(tok("ES256", hdr("ES256", NULL), NULL));
	ACCEPT(gc(tu_sign("ES256", other, NULL, 0, hdr("ES256", NULL),
	    pl(""))));
	REJECT(gc(tu_sign("ES256", stranger, NULL, 0, hdr("ES256", NULL),
	    pl(""))), PB_ERR_SIG, "any of the 2 keys that fit ES256");
	/* With a kid that is not in the set, none is tried. */
	REJECT(tok("ES256", NULL, NULL), PB_ERR_NOKEY, "no key with kid 'ec1'");
	/* No key at all fits. */
	REJECT(tok("EdDSA", hdr("EdDSA", NULL), NULL), PB_ERR_NOKEY,
	    "token has no kid and 0 keys");
}
END_TEST

/*
 * No kid: at most 8 keys are tried, so a login attempt costs at most 8
 * signature checks.  With 9 that fit the token is refused before any,
 * even one the first key signed; a kid still picks its key.
 */
START_TEST(test_jwt_kid_absent_many_keys)
{
	EVP_PKEY *k[9];
	char *j[9];
	size_t i;

	for (i = 0; i < 9; i++) {
		k[i] = gc_pkey(tu_genkey("ec256"));
		j[i] = gc(tu_jwk(k[i], i == 0 ? "first" : NULL, NULL, NULL));
	}
	/* 8 keys: the last of them is tried and verifies. */
	write_jwks(gc(tu_jwks(j[0], j[1], j[2], j[3], j[4], j[5], j[6], j[7],
	    NULL)));
	ACCEPT(gc(tu_sign("ES256", k[7], NULL, 0, hdr("ES256", NULL),
	    pl(""))));
	/* 9 keys: refused before any signature check. */
	write_jwks(gc(tu_jwks(j[0], j[1], j[2], j[3], j[4], j[5], j[6], j[7],
	    j[8], NULL)));
	REJECT(gc(tu_sign("ES256", k[0], NULL, 0, hdr("ES256", NULL),
	    pl(""))), PB_ERR_NOKEY, "token has no kid and 9 keys fit ES256: "
	    "the IdP must send a kid");
	REJECT(gc(tu_sign("ES256", k[8], NULL, 0, hdr("ES256", NULL),
	    pl(""))), PB_ERR_NOKEY, "token has no kid and 9 keys fit ES256");
	ACCEPT(gc(tu_sign("ES256", k[0], NULL, 0, hdr("ES256", "first"),
	    pl(""))));
}
END_TEST

/*
 * A kid on two signing keys is ambiguous (Wycheproof "DuplicateKid"): both
 * are dropped when the set is loaded, whatever their types, so no token
 * can pick one of them.  An "enc" key sharing the kid does not count.
 */
START_TEST(test_jwt_kid_duplicate)
{
	struct pb_verifier *v = NULL;
	EVP_PKEY *other = gc_pkey(tu_genkey("ec256"));
	char *j0 = gc(tu_jwk(key("ed25519"), "ed1", NULL, NULL));
	char *j1 = gc(tu_jwk(key("ec256"), "dup", NULL, NULL));
	char *j2 = gc(tu_jwk(other, "dup", NULL, NULL));
	char *j3 = gc(tu_jwk(key("rsa2048"), "dup", "RS256", NULL));
	char *j4 = gc(tu_jwk(other, "dup", NULL, "enc"));

	write_jwks(gc(tu_jwks(j0, j1, j2, NULL)));
	REJECT(tok("ES256", hdr("ES256", "dup"), NULL), PB_ERR_NOKEY,
	    "no key with kid 'dup' in");
	ck_assert_msg(strstr(skips, "kid 'dup' names 2 signing keys: "
	    "ambiguous") != NULL, "skips: %s", skips);
	REJECT(gc(tu_sign("ES256", other, NULL, 0, hdr("ES256", "dup"),
	    pl(""))), PB_ERR_NOKEY, "no key with kid 'dup' in");
	/* Without a kid neither is there to fit. */
	REJECT(tok("ES256", hdr("ES256", NULL), NULL), PB_ERR_NOKEY,
	    "token has no kid and 0 keys");
	/* One kid on keys of different types: ambiguous all the same. */
	skips[0] = '\0';
	write_jwks(gc(tu_jwks(j0, j1, j3, NULL)));
	REJECT(tok("ES256", hdr("ES256", "dup"), NULL), PB_ERR_NOKEY,
	    "no key with kid 'dup' in");
	REJECT(tok("RS256", hdr("RS256", "dup"), NULL), PB_ERR_NOKEY,
	    "no key with kid 'dup' in");
	ck_assert_msg(strstr(skips, "kid 'dup' names 2 signing keys") !=
	    NULL, "skips: %s", skips);
	/* Only duplicates: nothing usable is left. */
	write_jwks(gc(tu_jwks(j1, j2, NULL)));
	ck_assert_int_eq(pb_verifier_new(cfg, NULL, NULL, &v, &err),
	    PB_ERR_KEY);
	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(err.msg, "no usable signing key"));
	/* An encryption key of the same kid is skipped, not a twin. */
	write_jwks(gc(tu_jwks(j0, j1, j4, NULL)));
	ACCEPT(tok("ES256", hdr("ES256", "dup"), NULL));
}
END_TEST

/* jku, x5u, jwk, x5c never select a key (RFC 8725 3.10) ---------------- */

START_TEST(test_jwt_embedded_jwk)
{
	EVP_PKEY *evil = gc_pkey(tu_genkey("ec256"));
	char *ej = gc(tu_jwk(evil, NULL, NULL, NULL));
	char *ejk = gc(tu_jwk(evil, "evil", NULL, NULL));

	/* The attacker's key in the header, no kid: ec1 is used. */
	REJECT(gc(tu_sign("ES256", evil, NULL, 0,
	    fmt("{\"alg\":\"ES256\",\"jwk\":%s}", ej), pl(""))), PB_ERR_SIG,
	    "signature does not verify");
	/* With the embedded key's own kid: no such key in our set. */
	REJECT(gc(tu_sign("ES256", evil, NULL, 0,
	    fmt("{\"alg\":\"ES256\",\"kid\":\"evil\",\"jwk\":%s}", ejk),
	    pl(""))), PB_ERR_NOKEY, "no key with kid 'evil'");
	/* With our kid: verified with our key. */
	REJECT(gc(tu_sign("ES256", evil, NULL, 0,
	    fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\",\"jwk\":%s}", ej),
	    pl(""))), PB_ERR_SIG, "signature does not verify");
}
END_TEST

START_TEST(test_jwt_embedded_rsa_jwk)
{
	EVP_PKEY *evil = key("rsa1024");
	char *ej = gc(tu_jwk(evil, "rsa1", "RS256", "sig"));

	REJECT(gc(tu_sign("RS256", evil, NULL, 0,
	    fmt("{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"jwk\":%s}", ej),
	    pl(""))), PB_ERR_SIG, "RS256 signature is 128 bytes, the key "
	    "needs 256");
	evil = key("rsa2048b");
	ej = gc(tu_jwk(evil, "rsa1", "RS256", "sig"));
	REJECT(gc(tu_sign("RS256", evil, NULL, 0,
	    fmt("{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"jwk\":%s}", ej),
	    pl(""))), PB_ERR_SIG, "signature does not verify");
}
END_TEST

START_TEST(test_jwt_embedded_urls)
{
	static const char *const extra[] = {
		"\"jku\":\"https://evil.example/jwks.json\"",
		"\"x5u\":\"https://evil.example/cert.pem\"",
		"\"x5c\":[\"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"]",
		"\"x5t\":\"dGhpcyBpcyBub3QgYSB0aHVtYnByaW50\"",
		"\"x5t#S256\":\"dGhpcyBpcyBub3QgYSB0aHVtYnByaW50\"",
	};
	EVP_PKEY *evil = gc_pkey(tu_genkey("ec256"));
	size_t i;

	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		REJECT(gc(tu_sign("ES256", evil, NULL, 0,
		    fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\",%s}", extra[i]),
		    pl(""))), PB_ERR_SIG, "signature does not verify");
		REJECT(gc(tu_sign("ES256", evil, NULL, 0,
		    fmt("{\"alg\":\"ES256\",%s}", extra[i]), pl(""))),
		    PB_ERR_SIG, "signature does not verify");
	}
}
END_TEST

/* Those headers on a good token change nothing: our key verifies it. */
START_TEST(test_jwt_embedded_ignored)
{
	EVP_PKEY *evil = gc_pkey(tu_genkey("ec256"));
	char *ej = gc(tu_jwk(evil, "ec1", NULL, NULL));

	ACCEPT(tok("ES256", fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\","
	    "\"jku\":\"https://evil.example/jwks.json\","
	    "\"x5u\":\"https://evil.example/cert.pem\",\"jwk\":%s,"
	    "\"x5c\":[\"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"]}", ej),
	    NULL));
	assert_fields("ES256", "ec1");
}
END_TEST

/* crit (RFC 7515 4.1.11) --------------------------------------------------- */

START_TEST(test_jwt_crit)
{
	static const char *const h[] = {
		"{\"alg\":\"ES256\",\"kid\":\"ec1\",\"crit\":[\"exp\"],"
		    "\"exp\":1}",
		"{\"alg\":\"ES256\",\"kid\":\"ec1\",\"crit\":[\"b64\"],"
		    "\"b64\":false}",
		"{\"alg\":\"ES256\",\"kid\":\"ec1\",\"crit\":[\"x-unknown\"]}",
		"{\"alg\":\"ES256\",\"kid\":\"ec1\",\"crit\":[]}",
		"{\"alg\":\"ES256\",\"kid\":\"ec1\",\"crit\":\"b64\"}",
		"{\"alg\":\"ES256\",\"kid\":\"ec1\",\"crit\":null}",
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		REJECT(tok("ES256", h[i], NULL), PB_ERR_HEADER,
		    "token header has crit: extensions we do not implement");
}
END_TEST

/* typ (RFC 8725 3.11, RFC 9068 2.1) ---------------------------------------- */

static const char *const typ_ok[] = {
	"JWT", "at+jwt", "application/at+jwt", "jwt", "AT+JWT",
	"Application/At+JWT",
};
#define N_TYP_OK	(sizeof(typ_ok) / sizeof(typ_ok[0]))

START_TEST(test_jwt_typ_ok)
{
	ACCEPT(tok("ES256", fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\","
	    "\"typ\":\"%s\"}", typ_ok[_i]), NULL));
}
END_TEST

START_TEST(test_jwt_typ_absent)
{
	ACCEPT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":\"ec1\"}", NULL));
}
END_TEST

static const char *const typ_bad[] = {
	"JOSE", "JWE", "JOSE+JSON", "", "dpop+jwt", "secevent+jwt",
	"logout+jwt", "JWT ", "at+jwt;x", "id+jwt",
};
#define N_TYP_BAD	(sizeof(typ_bad) / sizeof(typ_bad[0]))

START_TEST(test_jwt_typ_bad)
{
	REJECT(tok("ES256", fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\","
	    "\"typ\":\"%s\"}", typ_bad[_i]), NULL), PB_ERR_HEADER,
	    fmt("typ '%s' is not JWT or at+jwt", typ_bad[_i]));
}
END_TEST

START_TEST(test_jwt_typ_type)
{
	static const char *const v[] = { "123", "null", "[\"JWT\"]", "true" };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		REJECT(tok("ES256", fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\","
		    "\"typ\":%s}", v[i]), NULL), PB_ERR_HEADER,
		    "typ is not a string");
}
END_TEST

/* Weak and unusable keys in the set ---------------------------------------- */

START_TEST(test_jwt_jwks_weak_rsa)
{
	char *j1 = gc(tu_jwk(key("rsa2048"), "rsa1", "RS256", "sig"));
	char *j2 = gc(tu_jwk(key("rsa1024"), "weak", "RS256", "sig"));
	char *j3 = gc(tu_jwk(key("ec256"), "enc1", NULL, "enc"));

	write_jwks(gc(tu_jwks(j1, j2, j3, NULL)));
	REJECT(gc(tu_sign("RS256", key("rsa1024"), NULL, 0,
	    hdr("RS256", "weak"), pl(""))), PB_ERR_NOKEY,
	    "no key with kid 'weak' in");
	ck_assert_msg(strstr(skips, "'weak'") != NULL, "skips: %s", skips);
	ck_assert_msg(strstr(skips, "2048") != NULL, "skips: %s", skips);
	ck_assert_msg(strstr(skips, "RSA modulus of 1024 bits") != NULL,
	    "skips: %s", skips);
	/* Without a kid the only fitting key is rsa1: the size is wrong. */
	REJECT(gc(tu_sign("RS256", key("rsa1024"), NULL, 0,
	    hdr("RS256", NULL), pl(""))), PB_ERR_SIG,
	    "RS256 signature is 128 bytes, the key needs 256");
	/* An encryption key is skipped as well. */
	ck_assert_msg(strstr(skips, "use 'enc' is not 'sig'") != NULL,
	    "skips: %s", skips);
	REJECT(tok("ES256", hdr("ES256", "enc1"), NULL), PB_ERR_NOKEY,
	    "no key with kid 'enc1' in");
	ACCEPT(tok("RS256", NULL, NULL));
}
END_TEST

/* Duplicate names and NUL tricks (DESIGN.md "Traps") ----------------------- */

START_TEST(test_jwt_dup_payload)
{
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"sub\":\"alice\","
	    "\"aud\":\"" AUD "\",\"exp\":1700000000,\"exp\":1800003600}"),
	    PB_ERR_FORMAT, "token payload has duplicate member 'exp'");
	REJECT(tok("ES256", NULL, "{\"iss\":\"https://evil.example\","
	    "\"sub\":\"alice\",\"aud\":\"" AUD "\",\"exp\":1800003600,"
	    "\"iss\":\"" ISS "\"}"), PB_ERR_FORMAT,
	    "token payload has duplicate member 'iss'");
	REJECT(tok("ES256", NULL, pl(",\"sub\":\"root\"")), PB_ERR_FORMAT,
	    "token payload has duplicate member 'sub'");
	REJECT(tok("ES256", NULL, pl(",\"x\":{\"a\":1,\"a\":2}")),
	    PB_ERR_FORMAT, "token payload has duplicate member 'a'");
}
END_TEST

START_TEST(test_jwt_dup_header)
{
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"alg\":\"none\","
	    "\"kid\":\"ec1\"}", NULL), PB_ERR_FORMAT,
	    "token header has duplicate member 'alg'");
	REJECT(tok("ES256", "{\"alg\":\"none\",\"kid\":\"ec1\","
	    "\"alg\":\"ES256\"}", NULL), PB_ERR_FORMAT,
	    "token header has duplicate member 'alg'");
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":\"nope\","
	    "\"kid\":\"ec1\"}", NULL), PB_ERR_FORMAT,
	    "token header has duplicate member 'kid'");
}
END_TEST

/* cJSON would read "exp\u0000" as "exp". */
START_TEST(test_jwt_nul_name)
{
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"sub\":\"alice\","
	    "\"aud\":\"" AUD "\",\"exp\\u0000\":1800003600}"), PB_ERR_FORMAT,
	    "token payload is not valid JSON: \\u0000 in string");
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"sub\":\"alice\","
	    "\"aud\":\"" AUD "\",\"exp\":1700000000,"
	    "\"exp\\u0000\":1800003600}"), PB_ERR_FORMAT, "\\u0000 in string");
	REJECT(tok("ES256", NULL, pl(",\"x\":\"root\\u0000\"")),
	    PB_ERR_FORMAT, "\\u0000 in string");
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":\"ec1\\u0000x\"}",
	    NULL), PB_ERR_FORMAT, "token header is not valid JSON: \\u0000");
}
END_TEST

/* exp, nbf, iat through the pipeline --------------------------------------- */

static char *
claims_with(const char *members)
{
	return fmt("{\"iss\":\"" ISS "\",\"sub\":\"alice\",\"aud\":\"" AUD
	    "\",%s}", members);
}

START_TEST(test_jwt_exp_type)
{
	REJECT(tok("ES256", NULL, claims_with("\"exp\":\"1800000100\"")),
	    PB_ERR_CLAIM, "exp is not a NumericDate");
	REJECT(tok("ES256", NULL, claims_with("\"exp\":null")), PB_ERR_CLAIM,
	    "exp is not a NumericDate");
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1e400")), PB_ERR_CLAIM,
	    "exp is not a NumericDate");
	REJECT(tok("ES256", NULL, claims_with("\"exp\":-1")), PB_ERR_CLAIM,
	    "exp is not a NumericDate");
	REJECT(tok("ES256", NULL, claims_with("\"nbf\":1")), PB_ERR_CLAIM,
	    "token has no exp claim");
}
END_TEST

START_TEST(test_jwt_exp_boundary)
{
	/* exp = now - leeway: now >= exp + leeway, rejected. */
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1799999940")),
	    PB_ERR_EXPIRED, "token expired 60 s ago (leeway 60 s; ");
	ACCEPT(tok("ES256", NULL, claims_with("\"exp\":1799999941")));
	/* exp = now + leeway: fine. */
	ACCEPT(tok("ES256", NULL, claims_with("\"exp\":1800000060")));
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1700000000")),
	    PB_ERR_EXPIRED, "token expired 100000000 s ago (leeway 60 s)");
}
END_TEST

START_TEST(test_jwt_exp_no_leeway)
{
	set("leeway", "0");
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1800000000")),
	    PB_ERR_EXPIRED, "token expired 0 s ago (leeway 0 s; ");
	ACCEPT(tok("ES256", NULL, claims_with("\"exp\":1800000001")));
}
END_TEST

START_TEST(test_jwt_nbf_boundary)
{
	ACCEPT(tok("ES256", NULL, claims_with("\"exp\":1800003600,"
	    "\"nbf\":1800000060")));
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1800003600,"
	    "\"nbf\":1800000061")), PB_ERR_NOTYET,
	    "token not valid for another 61 s (nbf; leeway 60 s");
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1800003600,"
	    "\"nbf\":\"1800000000\"")), PB_ERR_CLAIM,
	    "nbf is not a NumericDate");
}
END_TEST

START_TEST(test_jwt_iat_boundary)
{
	ACCEPT(tok("ES256", NULL, claims_with("\"exp\":1800003600,"
	    "\"iat\":1800000060")));
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1800003600,"
	    "\"iat\":1800000061")), PB_ERR_NOTYET,
	    "token issued 61 s in the future");
}
END_TEST

START_TEST(test_jwt_max_token_age)
{
	set("max_token_age", "300");
	ACCEPT(tok("ES256", NULL, claims_with("\"exp\":1800003600,"
	    "\"iat\":1799999700")));
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1800003600,"
	    "\"iat\":1799999699")), PB_ERR_EXPIRED,
	    "token issued 301 s ago, max_token_age is 300 s");
	REJECT(tok("ES256", NULL, claims_with("\"exp\":1800003600")),
	    PB_ERR_CLAIM,
	    "token has no iat claim, which max_token_age needs");
}
END_TEST

/* Segments ----------------------------------------------------------------- */

START_TEST(test_jwt_segments)
{
	char *t = tok("ES256", NULL, NULL);
	size_t st[3], ln[3];
	char *h, *p, *s;

	segments(t, st, ln);
	h = fmt("%.*s", (int)ln[0], t + st[0]);
	p = fmt("%.*s", (int)ln[1], t + st[1]);
	s = fmt("%.*s", (int)ln[2], t + st[2]);
	/* No dot at all: an opaque access token, say so. */
	REJECT(h, PB_ERR_FORMAT, "not a JWT (an opaque access token? ask "
	    "the IdP for JWT access tokens)");
	REJECT(fmt("%s.%s", h, p), PB_ERR_FORMAT, "exactly three segments");
	REJECT(fmt("%s.%s.%s.%s", h, p, s, s), PB_ERR_FORMAT,
	    "exactly three segments");
	REJECT(fmt("%s.%s.%s.", h, p, s), PB_ERR_FORMAT,
	    "exactly three segments");
	REJECT(fmt(".%s.%s.%s", h, p, s), PB_ERR_FORMAT,
	    "exactly three segments");
	/* A JWE has five. */
	REJECT(fmt("%s.%s.%s.%s.%s", h, p, s, p, s), PB_ERR_FORMAT,
	    "exactly three segments");
	REJECT("..", PB_ERR_FORMAT, "token header is empty");
	REJECT(fmt(".%s.%s", p, s), PB_ERR_FORMAT, "token header is empty");
	REJECT(fmt("%s.%s.", h, p), PB_ERR_FORMAT,
	    "token signature is empty");
	REJECT("", PB_ERR_FORMAT, "not a JWT");
	REJECT("hunter2", PB_ERR_FORMAT, "not a JWT");
	REJECT("0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", PB_ERR_FORMAT,
	    "not a JWT (an opaque access token?");
}
END_TEST

START_TEST(test_jwt_segment_empty_payload)
{
	char *hb = gc(tu_b64url_str(hdr("ES256", "ec1")));
	char *in = fmt("%s.", hb);
	size_t len;
	uint8_t *sig = sig_of("ES256", key("ec256"), in, &len);

	/* The signature verifies; the empty payload is no JSON. */
	REJECT(with_sig(in, sig, len), PB_ERR_FORMAT,
	    "token payload is not valid JSON");
}
END_TEST

/* Strict base64url (RFC 7515 2) -------------------------------------------- */

/* Padding a segment the way standard base64 would. */
START_TEST(test_jwt_b64_padding)
{
	char *t = unpadded_token();
	size_t st[3], ln[3], end;

	segments(t, st, ln);
	end = st[_i] + ln[_i];
	REJECT(fmt("%.*s%s%s", (int)end, t, ln[_i] % 4 == 2 ? "==" : "=",
	    t + end), PB_ERR_FORMAT, "is not strict base64url");
	REJECT(fmt("%.*s=%s", (int)end, t, t + end), PB_ERR_FORMAT,
	    "is not strict base64url");
}
END_TEST

/* '+', '/', ' ', '\n' in the middle of segment _i / 4. */
START_TEST(test_jwt_b64_bad_char)
{
	static const char bad[] = "+/ \n";
	char *t = gc(tu_strdup(unpadded_token()));
	size_t st[3], ln[3];

	segments(t, st, ln);
	t[st[_i / 4] + ln[_i / 4] / 2] = bad[_i % 4];
	REJECT(t, PB_ERR_FORMAT, "is not strict base64url");
}
END_TEST

/* Non-zero unused bits in the last character of segment _i. */
START_TEST(test_jwt_b64_stray_bits)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *t = gc(tu_strdup(unpadded_token()));
	size_t st[3], ln[3], last;
	const char *c;

	segments(t, st, ln);
	last = st[_i] + ln[_i] - 1;
	ck_assert_ptr_nonnull(c = strchr(b64, t[last]));
	ck_assert_int_eq((c - b64) & 1, 0);
	t[last] = b64[(c - b64) | 1];
	REJECT(t, PB_ERR_FORMAT, "is not strict base64url");
}
END_TEST

/*
 * A segment of 4k+1 characters (RFC 4648 3.5: one leftover character
 * cannot hold a byte).  'A's only, so that no stray bit gives it away.
 */
START_TEST(test_jwt_b64_length)
{
	char *t = unpadded_token();
	size_t st[3], ln[3], end, add;

	segments(t, st, ln);
	end = st[_i] + ln[_i];
	add = (5 - ln[_i] % 4) % 4;
	ck_assert_uint_eq((ln[_i] + add) % 4, 1);
	REJECT(fmt("%.*s%.*s%s", (int)end, t, (int)add, "AAAA", t + end),
	    PB_ERR_FORMAT, "is not strict base64url");
}
END_TEST

START_TEST(test_jwt_b64_whitespace)
{
	char *t = tok("ES256", NULL, NULL);

	REJECT(fmt(" %s", t), PB_ERR_FORMAT, "is not strict base64url");
	REJECT(fmt("%s\n", t), PB_ERR_FORMAT, "is not strict base64url");
	REJECT(fmt("%s\r\n", t), PB_ERR_FORMAT,
	    "is not strict base64url");
	REJECT(fmt("%s ", t), PB_ERR_FORMAT, "is not strict base64url");
	REJECT(fmt("%s\t", t), PB_ERR_FORMAT, "is not strict base64url");
}
END_TEST

START_TEST(test_jwt_b64_nul)
{
	char *t = gc(tu_strdup(tok("ES256", NULL, NULL)));
	size_t len = strlen(t);

	t[len - 10] = '\0';
	reject_n(__LINE__, t, len, PB_ERR_FORMAT,
	    "is not strict base64url");
}
END_TEST

/* Sizes -------------------------------------------------------------------- */

/* The size limit comes before any parsing. */
START_TEST(test_jwt_size_100k)
{
	char *junk = gc(tu_malloc(102401));
	char *t;

	memset(junk, '!', 102400);
	junk[102400] = '\0';
	REJECT(junk, PB_ERR_TOOBIG,
	    "token is 102400 bytes, over the limit of 16384 (max_token_size)");
	t = tok("ES256", NULL, pl(fmt(",\"pad\":\"%.*s\"", 80000,
	    junk)));
	REJECT(t, PB_ERR_TOOBIG, "over the limit of 16384 (max_token_size)");
}
END_TEST

START_TEST(test_jwt_size_default)
{
	REJECT(token_of_size(16385), PB_ERR_TOOBIG,
	    "token is 16385 bytes, over the limit of 16384 (max_token_size)");
	ACCEPT(token_of_size(16384));
}
END_TEST

START_TEST(test_jwt_size_config)
{
	char *t = tok("ES256", NULL, NULL);
	size_t len = strlen(t);

	ck_assert_uint_gt(len, 257);
	set("max_token_size", fmt("%zu", len - 1));
	REJECT(t, PB_ERR_TOOBIG, fmt("token is %zu bytes, over the limit of "
	    "%zu (max_token_size)", len, len - 1));
	pb_conf_free(cfg);
	cfg = NULL;
	ck_assert_int_eq(pb_conf_new(&cfg), PB_OK);
	set("issuer", ISS);
	set("audience", AUD);
	set("jwks_file", jwks_path);
	set("max_token_size", fmt("%zu", len));
	ACCEPT(t);
}
END_TEST

/*
 * Segments have their own limits (jws.c: 4096 header characters, and for
 * the signature what a 16384-bit RSA key needs); the message must say which
 * limit was hit, not
 * blame the encoding.
 */
START_TEST(test_jwt_size_header)
{
	char *fill = gc(tu_malloc(3501));

	memset(fill, 'x', 3500);
	fill[3500] = '\0';
	REJECT(tok("ES256", fmt("{\"alg\":\"ES256\",\"kid\":\"ec1\","
	    "\"x\":\"%s\"}", fill), NULL), PB_ERR_TOOBIG, "header");
}
END_TEST

START_TEST(test_jwt_size_signature)
{
	/* Over the largest RSA signature (16384 bits = 2048 bytes). */
	uint8_t *sig = gc(tu_malloc(2100));

	memset(sig, 0x01, 2100);
	REJECT(with_sig(sinput(hdr("ES256", "ec1"), pl("")), sig, 2100),
	    PB_ERR_TOOBIG, "signature");
}
END_TEST

/*
 * jwk.c takes RSA moduli up to 16384 bits; a signature of such a key's
 * size must reach the signature check.  A random odd 9000-bit modulus
 * loads (only its size, parity and exponent are checked) and a signature
 * of its 1125 bytes must then fail as a signature, not as oversize input.
 */
START_TEST(test_jwt_sig_rsa_large_key)
{
	BIGNUM *n = BN_new();
	uint8_t *nb, *sig;
	char *jwk, *nb64;
	int len;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(BN_rand(n, 9000, BN_RAND_TOP_ONE,
	    BN_RAND_BOTTOM_ODD), 1);
	len = BN_num_bytes(n);
	ck_assert_int_eq(len, 1125);
	nb = gc(tu_malloc((size_t)len));
	ck_assert_int_eq(BN_bn2bin(n, nb), len);
	BN_free(n);
	nb64 = gc(tu_b64url(nb, (size_t)len));
	jwk = fmt("{\"kty\":\"RSA\",\"kid\":\"big\",\"n\":\"%s\","
	    "\"e\":\"AQAB\"}", nb64);
	write_jwks(gc(tu_jwks(jwk, NULL)));
	sig = gc(tu_malloc((size_t)len));
	memset(sig, 0x01, (size_t)len);
	REJECT(with_sig(sinput(hdr("RS256", "big"), pl("")), sig,
	    (size_t)len), PB_ERR_SIG, "signature does not verify");
}
END_TEST

/* Payload ------------------------------------------------------------------ */

START_TEST(test_jwt_payload_not_object)
{
	REJECT(tok("ES256", NULL, "[]"), PB_ERR_FORMAT,
	    "token payload is not a JSON object");
	REJECT(tok("ES256", NULL, "\"x\""), PB_ERR_FORMAT,
	    "token payload is not a JSON object");
	REJECT(tok("ES256", NULL, "1800003600"), PB_ERR_FORMAT,
	    "token payload is not a JSON object");
	REJECT(tok("ES256", NULL, "null"), PB_ERR_FORMAT,
	    "token payload is not a JSON object");
	REJECT(tok("ES256", NULL, "foo"), PB_ERR_FORMAT,
	    "token payload is not valid JSON");
	REJECT(tok("ES256", NULL, "{"), PB_ERR_FORMAT,
	    "token payload is not valid JSON");
	REJECT(tok("ES256", NULL, fmt("%s{}", pl(""))), PB_ERR_FORMAT,
	    "token payload is not valid JSON: trailing data");
	REJECT(tok("ES256", NULL, pl(",\"x\":\"\xff\"")), PB_ERR_FORMAT,
	    "token payload is not valid JSON: invalid UTF-8");
	REJECT(tok("ES256", NULL, "{}"), PB_ERR_CLAIM,
	    "token has no exp claim");
}
END_TEST

START_TEST(test_jwt_header_not_object)
{
	REJECT(tok("ES256", "[\"ES256\"]", NULL), PB_ERR_FORMAT,
	    "token header is not a JSON object");
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":\"ec1\"}x", NULL),
	    PB_ERR_FORMAT, "token header is not valid JSON: trailing data");
	REJECT(tok("ES256", "{'alg':'ES256'}", NULL), PB_ERR_FORMAT,
	    "token header is not valid JSON");
}
END_TEST

/* Signatures --------------------------------------------------------------- */

/*
 * OpenSSL accepts an RSA signature one byte short when the real one starts
 * with a zero byte (DESIGN.md "Traps"): make such a signature, drop the
 * zero, and expect a rejection.
 */
START_TEST(test_jwt_sig_rsa_short)
{
	char *h = hdr("RS256", "rsa1"), *in = NULL;
	uint8_t *sig = NULL;
	size_t len = 0;
	int i;

	for (i = 0; i < 4096; i++) {
		in = sinput(h, pl(fmt(",\"n\":%d", i)));
		sig = sig_of("RS256", key("rsa2048"), in, &len);
		if (sig[0] == 0)
			break;
	}
	ck_assert_int_lt(i, 4096);
	ck_assert_uint_eq(len, 256);
	ACCEPT(with_sig(in, sig, len));
	REJECT(with_sig(in, sig + 1, len - 1), PB_ERR_SIG,
	    "RS256 signature is 255 bytes, the key needs 256");
}
END_TEST

START_TEST(test_jwt_sig_rsa_length)
{
	char *in = sinput(hdr("RS256", "rsa1"), pl(""));
	uint8_t *sig, *longer;
	size_t len;

	sig = sig_of("RS256", key("rsa2048"), in, &len);
	REJECT(with_sig(in, sig + 1, len - 1), PB_ERR_SIG,
	    "RS256 signature is 255 bytes, the key needs 256");
	longer = gc(tu_malloc(len + 1));
	longer[0] = 0;
	memcpy(longer + 1, sig, len);
	REJECT(with_sig(in, longer, len + 1), PB_ERR_SIG,
	    "RS256 signature is 257 bytes, the key needs 256");
	REJECT(with_sig(in, sig, 1), PB_ERR_SIG,
	    "RS256 signature is 1 bytes, the key needs 256");
}
END_TEST

/* RFC 7518 3.5: the PSS salt is as long as the hash, nothing else. */
START_TEST(test_jwt_sig_pss_salt)
{
	char *in = sinput(hdr("PS256", "rsa-pss"), pl(""));
	uint8_t *sig;
	size_t len;

	sig = ossl_sign(key("rsa2048b"), "SHA256", 32, in, &len);
	ACCEPT(with_sig(in, sig, len));
	sig = ossl_sign(key("rsa2048b"), "SHA256", 0, in, &len);
	REJECT(with_sig(in, sig, len), PB_ERR_SIG,
	    "signature does not verify");
	sig = ossl_sign(key("rsa2048b"), "SHA256", RSA_PSS_SALTLEN_MAX, in,
	    &len);
	REJECT(with_sig(in, sig, len), PB_ERR_SIG,
	    "signature does not verify");
	sig = ossl_sign(key("rsa2048b"), "SHA256", 20, in, &len);
	REJECT(with_sig(in, sig, len), PB_ERR_SIG,
	    "signature does not verify");
}
END_TEST

START_TEST(test_jwt_sig_wrong_hash)
{
	char *in = sinput(hdr("RS384", "rsa3"), pl(""));
	uint8_t *sig;
	size_t len;

	sig = ossl_sign(key("rsa3072"), "SHA256", -100, in, &len);
	REJECT(with_sig(in, sig, len), PB_ERR_SIG,
	    "signature does not verify");
	in = sinput(hdr("PS512", "rsa3"), pl(""));
	sig = ossl_sign(key("rsa3072"), "SHA256", 32, in, &len);
	REJECT(with_sig(in, sig, len), PB_ERR_SIG,
	    "signature does not verify");
}
END_TEST

START_TEST(test_jwt_sig_ecdsa_length)
{
	char *in = sinput(hdr("ES256", "ec1"), pl(""));
	uint8_t *sig, buf[65];
	size_t len;

	sig = sig_of("ES256", key("ec256"), in, &len);
	ck_assert_uint_eq(len, 64);
	ACCEPT(with_sig(in, sig, 64));
	REJECT(with_sig(in, sig, 63), PB_ERR_SIG,
	    "ES256 signature is 63 bytes, must be 64");
	REJECT(with_sig(in, sig + 1, 63), PB_ERR_SIG,
	    "ES256 signature is 63 bytes, must be 64");
	memcpy(buf, sig, 64);
	buf[64] = 0;
	REJECT(with_sig(in, buf, 65), PB_ERR_SIG,
	    "ES256 signature is 65 bytes, must be 64");
	buf[0] = 0;
	memcpy(buf + 1, sig, 64);
	REJECT(with_sig(in, buf, 65), PB_ERR_SIG,
	    "ES256 signature is 65 bytes, must be 64");
	/* OpenSSL's own DER form is not the JWS form. */
	sig = ossl_sign(key("ec256"), "SHA256", -100, in, &len);
	REJECT(with_sig(in, sig, len), PB_ERR_SIG, "signature");
}
END_TEST

/* r and s must be in [1, n-1] (CVE-2022-21449 sent r = s = 0). */
START_TEST(test_jwt_sig_ecdsa_range)
{
	static const uint8_t order[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
		0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
	};
	char *in = sinput(hdr("ES256", "ec1"), pl(""));
	uint8_t *sig, buf[64];
	size_t len;

	memset(buf, 0, sizeof(buf));
	REJECT(with_sig(in, buf, 64), PB_ERR_SIG,
	    "ES256 signature has r or s out of range");
	sig = sig_of("ES256", key("ec256"), in, &len);
	memcpy(buf, sig, 32);
	memcpy(buf + 32, order, 32);
	REJECT(with_sig(in, buf, 64), PB_ERR_SIG, "out of range");
	memcpy(buf, order, 32);
	memcpy(buf + 32, sig + 32, 32);
	REJECT(with_sig(in, buf, 64), PB_ERR_SIG, "out of range");
	memset(buf, 0xff, sizeof(buf));
	REJECT(with_sig(in, buf, 64), PB_ERR_SIG, "out of range");
	memcpy(buf, sig, 32);
	memset(buf + 32, 0, 32);
	REJECT(with_sig(in, buf, 64), PB_ERR_SIG, "out of range");
}
END_TEST

START_TEST(test_jwt_sig_eddsa_hmac_length)
{
	char *in = sinput(hdr("EdDSA", "ed1"), pl(""));
	uint8_t *sig;
	size_t len;

	sig = sig_of("EdDSA", key("ed25519"), in, &len);
	REJECT(with_sig(in, sig, 63), PB_ERR_SIG,
	    "EdDSA signature is 63 bytes, must be 64");
	set("algorithms", "HS256");
	use_secret(SECRET32, 32, 0600);
	in = sinput(hdr("HS256", NULL), pl(""));
	sig = gc(tu_sig("HS256", NULL, SECRET32, 32, in, strlen(in), &len));
	ACCEPT(with_sig(in, sig, len));
	REJECT(with_sig(in, sig, 16), PB_ERR_SIG,
	    "HS256 signature is 16 bytes, must be 32");
	REJECT(with_sig(in, sig, 31), PB_ERR_SIG,
	    "HS256 signature is 31 bytes, must be 32");
}
END_TEST

/* Tampering after signing -------------------------------------------------- */

static const char *const tamper_algs[] = {
	"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA", "HS256",
};
#define N_TAMPER	(sizeof(tamper_algs) / sizeof(tamper_algs[0]))

/* Change the base64url character at c to another one of the alphabet. */
static void
flip_b64(char *c)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p;

	ck_assert_ptr_nonnull(p = strchr(b64, *c));
	*c = b64[(p - b64) ^ 0x20];
}

START_TEST(test_jwt_tamper_payload)
{
	const char *alg = tamper_algs[_i];
	const char *good = pl("");
	char *h, *in, *bad;
	uint8_t *sig;
	size_t len;

	if (strcmp(alg, "HS256") == 0) {
		set("algorithms", "HS256");
		use_secret(SECRET32, 32, 0600);
		h = hdr(alg, NULL);
		in = sinput(h, good);
		sig = gc(tu_sig(alg, NULL, SECRET32, 32, in, strlen(in),
		    &len));
	} else {
		h = hdr(alg, signer(alg)->kid);
		in = sinput(h, good);
		sig = sig_of(alg, key(signer(alg)->key), in, &len);
	}
	ACCEPT(with_sig(in, sig, len));
	/* One byte of the payload changed: "alice" to "blice". */
	bad = fmt("%s", good);
	*strstr(bad, "alice") = 'b';
	REJECT(with_sig(sinput(h, bad), sig, len), PB_ERR_SIG,
	    "signature does not verify");
	/* One base64url character of the payload changed. */
	in = gc(tu_strdup(in));
	flip_b64(strchr(in, '.') + 5);
	REJECT(with_sig(in, sig, len), PB_ERR_SIG,
	    "signature does not verify");
	/* One bit of the signature flipped. */
	in = sinput(h, good);
	sig[len / 2] ^= 0x01;
	REJECT(with_sig(in, sig, len), PB_ERR_SIG,
	    "signature does not verify");
}
END_TEST

START_TEST(test_jwt_tamper_header)
{
	char *in = sinput("{\"alg\":\"ES256\",\"kid\":\"ec1\",\"typ\":\"JWT\"}",
	    pl(""));
	uint8_t *sig;
	size_t len;

	sig = sig_of("ES256", key("ec256"), in, &len);
	ACCEPT(with_sig(in, sig, len));
	REJECT(with_sig(sinput("{\"alg\":\"ES256\",\"kid\":\"ec1\","
	    "\"typ\":\"jwt\"}", pl("")), sig, len), PB_ERR_SIG,
	    "signature does not verify");
}
END_TEST

/* iss and aud -------------------------------------------------------------- */

START_TEST(test_jwt_iss)
{
	REJECT(tok("ES256", NULL, "{\"iss\":\"https://evil.example.com\","
	    "\"sub\":\"alice\",\"aud\":\"ssh\",\"exp\":1800003600}"),
	    PB_ERR_ISS, "iss 'https://evil.example.com' is not the "
	    "configured issuer");
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "/\","
	    "\"sub\":\"alice\",\"aud\":\"ssh\",\"exp\":1800003600}"),
	    PB_ERR_ISS, "is not the configured issuer");
	REJECT(tok("ES256", NULL, "{\"sub\":\"alice\",\"aud\":\"ssh\","
	    "\"exp\":1800003600}"), PB_ERR_ISS, "token has no iss claim");
	REJECT(tok("ES256", NULL, "{\"iss\":[\"" ISS "\"],\"sub\":\"alice\","
	    "\"aud\":\"ssh\",\"exp\":1800003600}"), PB_ERR_ISS,
	    "iss is not a string");
}
END_TEST

START_TEST(test_jwt_iss_alias)
{
	static const char *const p =
	    "{\"iss\":\"%s\",\"sub\":\"alice\",\"aud\":\"ssh\","
	    "\"exp\":1800003600}";

	set("issuer", "https://accounts.google.com accounts.google.com");
	ACCEPT(tok("ES256", NULL, fmt(p, "https://accounts.google.com")));
	ck_assert_str_eq(jwt->iss, "https://accounts.google.com");
	ACCEPT(tok("ES256", NULL, fmt(p, "accounts.google.com")));
	ck_assert_str_eq(jwt->iss, "accounts.google.com");
	REJECT(tok("ES256", NULL, fmt(p, ISS)), PB_ERR_ISS,
	    "is not the configured issuer");
}
END_TEST

START_TEST(test_jwt_aud)
{
	static const char *const p =
	    "{\"iss\":\"" ISS "\",\"sub\":\"alice\",%s\"exp\":1800003600}";

	REJECT(tok("ES256", NULL, fmt(p, "")), PB_ERR_AUD,
	    "token has no aud claim");
	REJECT(tok("ES256", NULL, fmt(p, "\"aud\":\"web\",")), PB_ERR_AUD,
	    "aud does not contain 'ssh'");
	REJECT(tok("ES256", NULL, fmt(p, "\"aud\":\"SSH\",")), PB_ERR_AUD,
	    "aud does not contain 'ssh'");
	REJECT(tok("ES256", NULL, fmt(p, "\"aud\":[\"web\",\"api\"],")),
	    PB_ERR_AUD, "aud does not contain 'ssh'");
	REJECT(tok("ES256", NULL, fmt(p, "\"aud\":[\"web\",2],")),
	    PB_ERR_CLAIM, "aud holds a non-string");
	ACCEPT(tok("ES256", NULL, fmt(p, "\"aud\":[\"web\",\"ssh\"],")));
	ACCEPT(tok("ES256", NULL, fmt(p, "\"aud\":[\"ssh\"],")));
}
END_TEST

/* Policy through the pipeline ---------------------------------------------- */

START_TEST(test_jwt_policy_scope)
{
	set("require_scope", "openid ssh");
	ACCEPT(tok("ES256", NULL, pl(",\"scope\":\"openid profile ssh\"")));
	ACCEPT(tok("ES256", NULL, pl(",\"scp\":[\"ssh\",\"openid\"]")));
	REJECT(tok("ES256", NULL, pl(",\"scope\":\"openid\"")),
	    PB_ERR_POLICY, "scope 'ssh' not granted (require_scope)");
	REJECT(tok("ES256", NULL, pl("")), PB_ERR_POLICY,
	    "scope 'openid' not granted (require_scope)");
	REJECT(tok("ES256", NULL, pl(",\"scope\":7")), PB_ERR_CLAIM,
	    "claim 'scope' is neither a string nor an array of strings");
}
END_TEST

START_TEST(test_jwt_policy_groups)
{
	set("groups_claim", "/realm_access/roles");
	set("require_groups", "\"Domain Admins\" ops");
	ACCEPT(tok("ES256", NULL, pl(",\"realm_access\":{\"roles\":"
	    "[\"x\",\"ops\"]}")));
	ACCEPT(tok("ES256", NULL, pl(",\"realm_access\":{\"roles\":"
	    "\"Domain Admins\"}")));
	REJECT(tok("ES256", NULL, pl(",\"realm_access\":{\"roles\":"
	    "[\"Domain\",\"Admins\"]}")), PB_ERR_POLICY,
	    "token is in none of the groups 'Domain Admins' or 'ops' (claim "
	    "'/realm_access/roles')");
	REJECT(tok("ES256", NULL, pl(",\"groups\":[\"ops\"]")), PB_ERR_POLICY,
	    "token has no groups claim '/realm_access/roles'");
}
END_TEST

START_TEST(test_jwt_policy_claim)
{
	set("require_claim", "acr=mfa");
	ACCEPT(tok("ES256", NULL, pl(",\"acr\":\"mfa\"")));
	REJECT(tok("ES256", NULL, pl(",\"acr\":\"pwd\"")), PB_ERR_POLICY,
	    "claim 'acr' is not 'mfa' (require_claim)");
	REJECT(tok("ES256", NULL, pl("")), PB_ERR_POLICY,
	    "claim 'acr' missing (require_claim acr=mfa)");
	REJECT(tok("ES256", NULL, pl(",\"acr\":[\"pwd\"]")), PB_ERR_POLICY,
	    "claim 'acr' does not contain 'mfa' (require_claim)");
}
END_TEST

/* The username claim ------------------------------------------------------- */

START_TEST(test_jwt_username_unsafe)
{
	static const char *const p =
	    "{\"iss\":\"" ISS "\",\"sub\":\"%s\",\"aud\":\"ssh\","
	    "\"exp\":1800003600}";

	REJECT(tok("ES256", NULL, fmt(p, "-alice")), PB_ERR_CLAIM,
	    "username claim 'sub' value '-alice' is not a safe user name");
	REJECT(tok("ES256", NULL, fmt(p, "alice smith")), PB_ERR_CLAIM,
	    "is not a safe user name");
	REJECT(tok("ES256", NULL, fmt(p, "alice\\nroot")), PB_ERR_CLAIM,
	    "value 'alice\\x0aroot' is not a safe user name");
	REJECT(tok("ES256", NULL, fmt(p, "")), PB_ERR_CLAIM,
	    "is not a safe user name");
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"sub\":42,"
	    "\"aud\":\"ssh\",\"exp\":1800003600}"), PB_ERR_CLAIM,
	    "username claim 'sub' is missing or not a string");
}
END_TEST

/* With a usermap the claim value is looked up, not used as a name. */
START_TEST(test_jwt_username_usermap)
{
	static const char *const p =
	    "{\"iss\":\"" ISS "\",\"sub\":\"%s\",\"aud\":\"ssh\","
	    "\"exp\":1800003600}";

	set("usermap_file", fmt("%s/usermap", dir));
	ACCEPT(tok("ES256", NULL, fmt(p, "alice@example.com ")));
	ck_assert_str_eq(jwt->username, "alice@example.com ");
	ACCEPT(tok("ES256", NULL, fmt(p, "-alice")));
	ck_assert_str_eq(jwt->username, "-alice");
	/* Still a string. */
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"sub\":[\"a\"],"
	    "\"aud\":\"ssh\",\"exp\":1800003600}"), PB_ERR_CLAIM,
	    "username claim 'sub' is missing or not a string");
}
END_TEST

/* Verification order (DESIGN.md) ------------------------------------------ */

START_TEST(test_jwt_order)
{
	EVP_PKEY *evil = gc_pkey(tu_genkey("ec256"));
	char *junk = gc(tu_malloc(20001));

	memset(junk, '!', 20000);
	junk[20000] = '\0';
	/* Size before segments. */
	REJECT(junk, PB_ERR_TOOBIG, "max_token_size");
	/* The signature before any claim: expired and forged is SIG. */
	REJECT(gc(tu_sign("ES256", evil, NULL, 0, hdr("ES256", "ec1"),
	    claims_with("\"exp\":1"))), PB_ERR_SIG,
	    "signature does not verify");
	REJECT(gc(tu_sign("ES256", evil, NULL, 0, hdr("ES256", "ec1"),
	    "[]")), PB_ERR_SIG, "signature does not verify");
	REJECT(gc(tu_sign("ES256", evil, NULL, 0, hdr("ES256", "ec1"),
	    "{\"exp\":1,\"exp\":2}")), PB_ERR_SIG,
	    "signature does not verify");
	/* alg before the key; crit and typ before the key too. */
	REJECT(tok("ES256", "{\"alg\":\"ES257\",\"kid\":\"nope\"}", NULL),
	    PB_ERR_ALG, "not supported");
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":\"nope\","
	    "\"crit\":[\"x\"]}", NULL), PB_ERR_HEADER, "crit");
	REJECT(tok("ES256", "{\"alg\":\"ES256\",\"kid\":\"nope\","
	    "\"typ\":\"JOSE\"}", NULL), PB_ERR_HEADER, "typ 'JOSE'");
	/* The key before the payload. */
	REJECT(tok("ES256", hdr("ES256", "nope"), "[]"), PB_ERR_NOKEY,
	    "no key with kid 'nope'");
	/* exp, then nbf, then iss, then aud, then policy, then the user. */
	set("require_scope", "ssh");
	REJECT(tok("ES256", NULL, "{\"iss\":\"x\",\"aud\":\"x\",\"exp\":1,"
	    "\"nbf\":1900000000}"), PB_ERR_EXPIRED, "token expired");
	REJECT(tok("ES256", NULL, "{\"iss\":\"x\",\"aud\":\"x\","
	    "\"exp\":1800003600,\"nbf\":1900000000}"), PB_ERR_NOTYET,
	    "nbf");
	REJECT(tok("ES256", NULL, "{\"iss\":\"x\",\"aud\":\"x\","
	    "\"exp\":1800003600}"), PB_ERR_ISS, "iss 'x'");
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"aud\":\"x\","
	    "\"exp\":1800003600}"), PB_ERR_AUD, "aud does not contain");
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"aud\":\"ssh\","
	    "\"exp\":1800003600,\"sub\":\"-x\"}"), PB_ERR_POLICY,
	    "scope 'ssh' not granted");
	REJECT(tok("ES256", NULL, "{\"iss\":\"" ISS "\",\"aud\":\"ssh\","
	    "\"exp\":1800003600,\"sub\":\"-x\",\"scope\":\"ssh\"}"),
	    PB_ERR_CLAIM, "not a safe user name");
}
END_TEST

/* pb_jwt_shaped() ---------------------------------------------------------- */

START_TEST(test_jwt_shaped_yes)
{
	size_t i;
	char *t;

	for (i = 0; i < NSIGNERS; i++) {
		t = tok(signers[i].alg, NULL, NULL);
		ck_assert_int_eq(pb_jwt_shaped(t, strlen(t)), 1);
	}
	t = hs_tok("HS256", SECRET32, 32, NULL, NULL);
	ck_assert_int_eq(pb_jwt_shaped(t, strlen(t)), 1);
	/* Only the header is looked at: "{}" with anything after it. */
	ck_assert_int_eq(pb_jwt_shaped("e30.e30.e30", 11), 1);
	/* The length counts, not a NUL. */
	t = fmt("%s.xyz", tok("ES256", NULL, NULL));
	ck_assert_int_eq(pb_jwt_shaped(t, strlen(t) - 4), 1);
	/* "eyJ" (a JSON object's start) and a dot: a token, even broken. */
	ck_assert_int_eq(pb_jwt_shaped("eyJ.", 4), 1);
	ck_assert_int_eq(pb_jwt_shaped("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", 32),
	    1);
	ck_assert_int_eq(pb_jwt_shaped("eyJhbGc.x y!", 12), 1);
	ck_assert_int_eq(pb_jwt_shaped("eyJhbGciOiJIUzI1NiJ9", 20), 0);
	/* A header and a payload inside something else: a token. */
	t = fmt("-H 'Authorization: Bearer %s'", tok("ES256", NULL, NULL));
	ck_assert_int_eq(pb_jwt_shaped(t, strlen(t)), 1);
	ck_assert_int_eq(pb_jwt_shaped("log: eyJeyJhbGciOiJIUzI1NiJ9.eyJ", 32),
	    1);
}
END_TEST

START_TEST(test_jwt_shaped_no)
{
	static const char *const v[] = {
		"my.pass.word",		/* alphabet fits, header not '{' */
		"correct.horse.battery",
		"hunter2",
		"a.b",
		"a.b.c.d",
		"",
		".e30.e30",		/* empty header */
		"W10.e30.e30",		/* header "[]" */
		"ImEi.e30.e30",		/* header "\"a\"" */
		"e30=.e30.e30",		/* padding */
		"e30.e30.e3+",
		"e30.e30.e3/",
		"e30.e30.e3 ",
		"e30.e30.e30\n",
		"e30.e30 .e30",
		"e30.e30.e30.",
		"e3.e30.e30",		/* header does not decode */
		"p@ss.w0rd.here",
		"\xc3\xa9t\xc3\xa9.e30.e30",
		"heyJude.1",		/* "eyJ" inside, no header.payload */
		"x eyJhello.eyJ",	/* too short for a header */
		"x eyJeyJeyJeyJ eyJ.eyJ",
	};
	char *t = tok("ES256", NULL, NULL);
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(pb_jwt_shaped(v[i], strlen(v[i])) == 0,
		    "'%s' is JWT-shaped", v[i]);
	/*
	 * A real token with two dots more, or a padded one: no JWS, but it
	 * starts with "eyJ" and has a dot, so it is taken as a (bad) token.
	 */
	t = fmt("%s.%s", t, t);
	ck_assert_int_eq(pb_jwt_shaped(t, strlen(t)), 1);
	t = fmt("%s=", tok("ES256", NULL, NULL));
	ck_assert_int_eq(pb_jwt_shaped(t, strlen(t)), 1);
	/* A NUL inside the given length. */
	ck_assert_int_eq(pb_jwt_shaped("e30.e30\0.e30", 12), 0);
}
END_TEST

/* pb_verifier_new() -------------------------------------------------------- */

static int
new_verifier(void)
{
	struct pb_verifier *v = NULL;
	int r;

	pb_err_clear(&err);
	r = pb_verifier_new(cfg, skip_cb, NULL, &v, &err);
	if (r != PB_OK)
		ck_assert_ptr_null(v);
	else
		ck_assert_ptr_nonnull(v);
	pb_verifier_free(v);
	return r;
}

static void
expect_new(int line, int code, const char *phrase)
{
	int r = new_verifier();

	ck_assert_msg(r == code, "line %d: got %d (%s), want %d (%s): %s",
	    line, r, pb_strerror(r), code, pb_strerror(code), err.msg);
	if (code != PB_OK)
		ck_assert_msg(strstr(err.msg, phrase) != NULL,
		    "line %d: message '%s' lacks '%s'", line, err.msg, phrase);
}

#define EXPECT_NEW(code, phrase)	expect_new(__LINE__, (code), (phrase))

START_TEST(test_jwt_new_ok)
{
	EXPECT_NEW(PB_OK, NULL);
	ck_assert_str_eq(skips, "");
}
END_TEST

/*
 * A secret too short for an allowed HS algorithm is the admin's problem:
 * refused when loading, not token by token.
 */
START_TEST(test_jwt_new_secret_short_for_alg)
{
	set("algorithms", "HS256 HS512");
	use_secret(SECRET32, 32, 0600);
	EXPECT_NEW(PB_ERR_KEY, "secret of 32 bytes, HS512 needs at least 64");
}
END_TEST

START_TEST(test_jwt_new_missing_jwks)
{
	char *path = fmt("%s/missing.json", dir);

	set("jwks_file", path);
	EXPECT_NEW(PB_ERR_IO, fmt("cannot open %s", path));
}
END_TEST

START_TEST(test_jwt_new_jwks_not_file)
{
	set("jwks_file", dir);
	EXPECT_NEW(PB_ERR_IO, fmt("%s is not a regular file", dir));
}
END_TEST

START_TEST(test_jwt_new_no_usable_key)
{
	char *weak = gc(tu_jwk(key("rsa1024"), "weak", NULL, NULL));
	char *enc = gc(tu_jwk(key("ec256"), "enc", NULL, "enc"));
	char *oct = gc(tu_jwk_oct(SECRET64, 64, "hs", NULL));

	write_jwks("{\"keys\":[]}");
	EXPECT_NEW(PB_ERR_KEY, fmt("%s: no usable signing key", jwks_path));
	write_jwks(gc(tu_jwks(weak, enc, oct, NULL)));
	EXPECT_NEW(PB_ERR_KEY, "no usable signing key");
	ck_assert_msg(strstr(skips, "key 1 (kid 'weak'): RSA modulus of "
	    "1024 bits (allowed 2048") != NULL, "skips: %s", skips);
	ck_assert_msg(strstr(skips, "key 2 (kid 'enc')") != NULL,
	    "skips: %s", skips);
	ck_assert_msg(strstr(skips, "key 3 (kid 'hs')") != NULL,
	    "skips: %s", skips);
}
END_TEST

START_TEST(test_jwt_new_not_jwks)
{
	write_jwks("{\"kty\":\"EC\"}");
	EXPECT_NEW(PB_ERR_KEY, "not a JWK Set (no \"keys\" array)");
	write_jwks("{\"keys\":{}}");
	EXPECT_NEW(PB_ERR_KEY, "not a JWK Set");
	write_jwks("not json");
	EXPECT_NEW(PB_ERR_FORMAT, "JWK Set is not valid JSON");
	write_jwks("");
	EXPECT_NEW(PB_ERR_FORMAT, "JWK Set is not valid JSON");
}
END_TEST

/* With only HS algorithms no JWK Set is read. */
START_TEST(test_jwt_new_hs_only)
{
	set("jwks_file", fmt("%s/missing.json", dir));
	set("algorithms", "HS256");
	use_secret(SECRET32, 32, 0600);
	EXPECT_NEW(PB_OK, NULL);
	ACCEPT(hs_tok("HS256", SECRET32, 32, NULL, NULL));
	/* An asymmetric token then finds no key set. */
	REJECT(tok("ES256", NULL, NULL), PB_ERR_ALG, "not in the allowlist");
}
END_TEST

START_TEST(test_jwt_new_secret_mode)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0610 };
	static const mode_t writable[] = { 0660, 0666, 0602 };
	size_t i;

	set("algorithms", "HS256");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		use_secret(SECRET32, 32, bad[i]);
		EXPECT_NEW(PB_ERR_IO, fmt("%s/hmac.key is accessible by group "
		    "or others (mode %04o): chmod 600 it", dir,
		    (unsigned)bad[i]));
	}
	/* Writable by others: refused as every file we read would be. */
	for (i = 0; i < sizeof(writable) / sizeof(writable[0]); i++) {
		use_secret(SECRET32, 32, writable[i]);
		EXPECT_NEW(PB_ERR_IO, fmt("%s/hmac.key must be owned by root",
		    dir));
	}
	use_secret(SECRET32, 32, 0600);
	EXPECT_NEW(PB_OK, NULL);
	use_secret(SECRET32, 32, 0400);
	EXPECT_NEW(PB_OK, NULL);
}
END_TEST

START_TEST(test_jwt_new_secret_short)
{
	set("algorithms", "HS256");
	use_secret(SECRET32, 31, 0600);
	EXPECT_NEW(PB_ERR_KEY, "HMAC secret of 31 bytes");
	/* The newline is dropped before the length is checked. */
	use_secret("0123456789abcdef0123456789ABCDE\n", 32, 0600);
	EXPECT_NEW(PB_ERR_KEY, "HMAC secret of 31 bytes");
	use_secret("", 0, 0600);
	EXPECT_NEW(PB_ERR_KEY, "HMAC secret of 0 bytes");
}
END_TEST

START_TEST(test_jwt_new_secret_missing)
{
	char *path = fmt("%s/nosecret", dir);

	set("algorithms", "RS256 HS256");
	set("hmac_secret_file", path);
	EXPECT_NEW(PB_ERR_IO, fmt("cannot open %s", path));
}
END_TEST

/* Suite -------------------------------------------------------------------- */

static TCase *
tc(const char *name)
{
	TCase *t = tcase_create(name);

	tcase_add_checked_fixture(t, setup, teardown);
	/* RSA signing loops run long under valgrind. */
	tcase_set_timeout(t, 120);
	return t;
}

static Suite *
jwt_suite(void)
{
	Suite *s = suite_create("jwt");
	TCase *t;

	t = tc("valid");
	tcase_add_loop_test(t, test_jwt_valid, 0, (int)NSIGNERS);
	tcase_add_loop_test(t, test_jwt_valid_hs, 0, 3);
	tcase_add_test(t, test_jwt_valid_hs256);
	tcase_add_test(t, test_jwt_valid_hs_newline);
	tcase_add_test(t, test_jwt_valid_mixed);
	tcase_add_test(t, test_jwt_valid_fields);
	tcase_add_test(t, test_jwt_valid_username_claim);
	tcase_add_test(t, test_jwt_verifier_reuse);
	suite_add_tcase(s, t);

	t = tc("alg_none");
	tcase_add_loop_test(t, test_jwt_none_empty_sig, 0, 4);
	tcase_add_loop_test(t, test_jwt_none_garbage_sig, 0, 4);
	suite_add_tcase(s, t);

	t = tc("alg_allowlist");
	tcase_add_test(t, test_jwt_alg_not_allowed);
	tcase_add_test(t, test_jwt_alg_hs_not_default);
	tcase_add_test(t, test_jwt_alg_unknown);
	tcase_add_test(t, test_jwt_alg_missing);
	suite_add_tcase(s, t);

	t = tc("alg_confusion");
	tcase_add_loop_test(t, test_jwt_confusion_hs_rs, 0, 9);
	tcase_add_test(t, test_jwt_confusion_oct_in_jwks);
	tcase_add_test(t, test_jwt_confusion_ps_rs);
	tcase_add_test(t, test_jwt_confusion_curve);
	tcase_add_test(t, test_jwt_confusion_kty);
	tcase_add_test(t, test_jwt_hs_short_key);
	suite_add_tcase(s, t);

	t = tc("kid");
	tcase_add_test(t, test_jwt_kid_unknown);
	tcase_add_test(t, test_jwt_kid_path);
	tcase_add_test(t, test_jwt_kid_escaped);
	tcase_add_test(t, test_jwt_kid_type);
	tcase_add_test(t, test_jwt_kid_absent_one_key);
	tcase_add_test(t, test_jwt_kid_absent_two_keys);
	tcase_add_test(t, test_jwt_kid_absent_many_keys);
	tcase_add_test(t, test_jwt_kid_duplicate);
	suite_add_tcase(s, t);

	t = tc("embedded_keys");
	tcase_add_test(t, test_jwt_embedded_jwk);
	tcase_add_test(t, test_jwt_embedded_rsa_jwk);
	tcase_add_test(t, test_jwt_embedded_urls);
	tcase_add_test(t, test_jwt_embedded_ignored);
	suite_add_tcase(s, t);

	t = tc("crit");
	tcase_add_test(t, test_jwt_crit);
	suite_add_tcase(s, t);

	t = tc("typ");
	tcase_add_loop_test(t, test_jwt_typ_ok, 0, (int)N_TYP_OK);
	tcase_add_test(t, test_jwt_typ_absent);
	tcase_add_loop_test(t, test_jwt_typ_bad, 0, (int)N_TYP_BAD);
	tcase_add_test(t, test_jwt_typ_type);
	suite_add_tcase(s, t);

	t = tc("jwks_skip");
	tcase_add_test(t, test_jwt_jwks_weak_rsa);
	suite_add_tcase(s, t);

	t = tc("duplicates");
	tcase_add_test(t, test_jwt_dup_payload);
	tcase_add_test(t, test_jwt_dup_header);
	tcase_add_test(t, test_jwt_nul_name);
	suite_add_tcase(s, t);

	t = tc("time");
	tcase_add_test(t, test_jwt_exp_type);
	tcase_add_test(t, test_jwt_exp_boundary);
	tcase_add_test(t, test_jwt_exp_no_leeway);
	tcase_add_test(t, test_jwt_nbf_boundary);
	tcase_add_test(t, test_jwt_iat_boundary);
	tcase_add_test(t, test_jwt_max_token_age);
	suite_add_tcase(s, t);

	t = tc("segments");
	tcase_add_test(t, test_jwt_segments);
	tcase_add_test(t, test_jwt_segment_empty_payload);
	suite_add_tcase(s, t);

	t = tc("base64url");
	tcase_add_loop_test(t, test_jwt_b64_padding, 0, 3);
	tcase_add_loop_test(t, test_jwt_b64_bad_char, 0, 12);
	tcase_add_loop_test(t, test_jwt_b64_stray_bits, 0, 3);
	tcase_add_loop_test(t, test_jwt_b64_length, 0, 3);
	tcase_add_test(t, test_jwt_b64_whitespace);
	tcase_add_test(t, test_jwt_b64_nul);
	suite_add_tcase(s, t);

	t = tc("size");
	tcase_add_test(t, test_jwt_size_100k);
	tcase_add_test(t, test_jwt_size_default);
	tcase_add_test(t, test_jwt_size_config);
	tcase_add_test(t, test_jwt_size_header);
	tcase_add_test(t, test_jwt_size_signature);
	suite_add_tcase(s, t);

	t = tc("json_shape");
	tcase_add_test(t, test_jwt_payload_not_object);
	tcase_add_test(t, test_jwt_header_not_object);
	suite_add_tcase(s, t);

	t = tc("signature");
	tcase_add_test(t, test_jwt_sig_rsa_short);
	tcase_add_test(t, test_jwt_sig_rsa_length);
	tcase_add_test(t, test_jwt_sig_rsa_large_key);
	tcase_add_test(t, test_jwt_sig_pss_salt);
	tcase_add_test(t, test_jwt_sig_wrong_hash);
	tcase_add_test(t, test_jwt_sig_ecdsa_length);
	tcase_add_test(t, test_jwt_sig_ecdsa_range);
	tcase_add_test(t, test_jwt_sig_eddsa_hmac_length);
	suite_add_tcase(s, t);

	t = tc("tamper");
	tcase_add_loop_test(t, test_jwt_tamper_payload, 0, (int)N_TAMPER);
	tcase_add_test(t, test_jwt_tamper_header);
	suite_add_tcase(s, t);

	t = tc("iss_aud");
	tcase_add_test(t, test_jwt_iss);
	tcase_add_test(t, test_jwt_iss_alias);
	tcase_add_test(t, test_jwt_aud);
	suite_add_tcase(s, t);

	t = tc("policy");
	tcase_add_test(t, test_jwt_policy_scope);
	tcase_add_test(t, test_jwt_policy_groups);
	tcase_add_test(t, test_jwt_policy_claim);
	suite_add_tcase(s, t);

	t = tc("username");
	tcase_add_test(t, test_jwt_username_unsafe);
	tcase_add_test(t, test_jwt_username_usermap);
	suite_add_tcase(s, t);

	t = tc("order");
	tcase_add_test(t, test_jwt_order);
	suite_add_tcase(s, t);

	t = tc("shaped");
	tcase_add_test(t, test_jwt_shaped_yes);
	tcase_add_test(t, test_jwt_shaped_no);
	suite_add_tcase(s, t);

	t = tc("verifier_new");
	tcase_add_test(t, test_jwt_new_ok);
	tcase_add_test(t, test_jwt_new_missing_jwks);
	tcase_add_test(t, test_jwt_new_jwks_not_file);
	tcase_add_test(t, test_jwt_new_no_usable_key);
	tcase_add_test(t, test_jwt_new_not_jwks);
	tcase_add_test(t, test_jwt_new_hs_only);
	tcase_add_test(t, test_jwt_new_secret_mode);
	tcase_add_test(t, test_jwt_new_secret_short);
	tcase_add_test(t, test_jwt_new_secret_short_for_alg);
	tcase_add_test(t, test_jwt_new_secret_missing);
	suite_add_tcase(s, t);

	return s;
}

int
main(void)
{
	int r = tu_run(jwt_suite());

	keys_free();
	return r;
}
