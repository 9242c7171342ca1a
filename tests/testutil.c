/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "testutil.h"

/*
 * Nothing here calls common/: test material must not be made by the code
 * under test, or a shared bug would cancel itself out.
 */

#define TU_READ_MAX	(16 * 1024 * 1024)

static int exit_status;		/* 0: abort() in tu_die() */

void
tu_set_exit_status(int status)
{
	exit_status = status;
}

void
tu_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("testutil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ERR_print_errors_fp(stderr);
	fflush(stderr);
	if (exit_status != 0)
		exit(exit_status);
	abort();
}

void *
tu_malloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		tu_die("out of memory (%zu bytes)", n);
	return p;
}

char *
tu_strdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		tu_die("out of memory");
	return p;
}

char *
tu_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		tu_die("vsnprintf failed");
	p = tu_malloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* A growing string; grows by malloc and copy (STYLE.md bans realloc). */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	char *q;
	size_t cap;

	if (b->cap - b->len <= n) {
		cap = b->cap == 0 ? 256 : b->cap;
		while (cap - b->len <= n) {
			if (cap > SIZE_MAX / 2)
				tu_die("buffer too large");
			cap *= 2;
		}
		q = tu_malloc(cap);
		if (b->len > 0)
			memcpy(q, b->p, b->len);
		free(b->p);
		b->p = q;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Append s as a JSON string literal. */
static void
buf_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char esc[7];

	buf_str(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			buf_add(b, esc, 2);
		} else if (c < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			buf_add(b, esc, 6);
		} else
			buf_add(b, s, 1);
	}
	buf_str(b, "\"");
}

/* Append ,"name":"value" (value as a JSON string) when value is set. */
static void
buf_member(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_str(b, ",");
	buf_json_str(b, name);
	buf_str(b, ":");
	buf_json_str(b, value);
}

/* Keys ------------------------------------------------------------------ */

static const struct keytype {
	const char	*name;
	const char	*kind;		/* EVP_PKEY_Q_keygen() type */
	const char	*curve;
	size_t		 bits;
} keytypes[] = {
	{ "rsa1024", "RSA", NULL, 1024 },
	{ "rsa2048", "RSA", NULL, 2048 },
	{ "rsa3072", "RSA", NULL, 3072 },
	{ "rsa4096", "RSA", NULL, 4096 },
	{ "ec256", "EC", "P-256", 0 },
	{ "ec384", "EC", "P-384", 0 },
	{ "ec521", "EC", "P-521", 0 },
	{ "ed25519", "ED25519", NULL, 0 },
};

static const struct keytype *
keytype(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++)
		if (strcmp(keytypes[i].name, type) == 0)
			return &keytypes[i];
	return NULL;
}

int
tu_keytype_ok(const char *type)
{
	return keytype(type) != NULL;
}

EVP_PKEY *
tu_genkey(const char *type)
{
	const struct keytype *t;
	EVP_PKEY *k;

	if ((t = keytype(type)) == NULL)
		tu_die("unknown key type '%s'", type);
	if (t->bits != 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, t->kind, t->bits);
	else if (t->curve != NULL)
		k = EVP_PKEY_Q_keygen(NULL, NULL, t->kind, t->curve);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, t->kind);
	if (k == NULL)
		tu_die("cannot generate a %s key", type);
	return k;
}

const char *
tu_datadir(void)
{
	const char *d;

	if ((d = secure_getenv("PB_TESTDATA")) == NULL || *d == '\0')
		return "data";
	return d;
}

EVP_PKEY *
tu_load_key_file(const char *path)
{
	EVP_PKEY *k;
	BIO *bio;

	if ((bio = BIO_new_file(path, "r")) == NULL)
		tu_die("cannot open %s (run tests/mkvectors.sh, or set "
		    "PB_TESTDATA)", path);
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (k == NULL) {
		ERR_clear_error();
		(void)BIO_reset(bio);
		k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	if (k == NULL)
		tu_die("%s holds no PEM key", path);
	return k;
}

EVP_PKEY *
tu_load_key(const char *name)
{
	EVP_PKEY *k;
	char *path;

	path = tu_asprintf("%s/%s.pem", tu_datadir(), name);
	k = tu_load_key_file(path);
	free(path);
	return k;
}

void
tu_save_key(EVP_PKEY *k, const char *path)
{
	FILE *fp;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600))
	    == -1)
		tu_die("cannot create %s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) == -1)
		tu_die("cannot chmod %s: %s", path, strerror(errno));
	if ((fp = fdopen(fd, "w")) == NULL)
		tu_die("fdopen %s: %s", path, strerror(errno));
	if (PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL) != 1)
		tu_die("cannot write the key to %s", path);
	if (fclose(fp) != 0)
		tu_die("cannot write %s: %s", path, strerror(errno));
}

/* JWKs ------------------------------------------------------------------ */

/* Append ,"name":"base64url(bn)", padded to pad bytes when pad != 0. */
static void
buf_bn(struct buf *b, const char *name, const BIGNUM *bn, size_t pad)
{
	unsigned char *raw;
	size_t n;
	char *s;

	n = pad != 0 ? pad : (size_t)BN_num_bytes(bn);
	if (n == 0)
		n = 1;		/* zero is one zero byte */
	raw = tu_malloc(n);
	if (BN_bn2binpad(bn, raw, (int)n) < 0)
		tu_die("%s does not fit in %zu bytes", name, n);
	s = tu_b64url(raw, n);
	buf_member(b, name, s);
	free(s);
	free(raw);
}

/* The JOSE name and the coordinate size of an EC key's curve. */
static const char *
ec_curve(EVP_PKEY *k, size_t *sizep)
{
	char group[64];

	if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL) != 1)
		tu_die("EC key without a curve name");
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) {
		*sizep = 32;
		return "P-256";
	}
	if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) {
		*sizep = 48;
		return "P-384";
	}
	if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0) {
		*sizep = 66;
		return "P-521";
	}
	tu_die("EC curve %s has no JOSE name", group);
}

char *
tu_jwk(EVP_PKEY *k, const char *kid, const char *alg, const char *use)
{
	struct buf b = { NULL, 0, 0 };
	BIGNUM *x = NULL, *y = NULL;
	unsigned char raw[32];
	size_t n, size;
	const char *crv;
	char *s;

	if (EVP_PKEY_is_a(k, "RSA")) {
		/* RFC 7518 6.3.1: n and e, unsigned big-endian, minimal. */
		buf_str(&b, "{\"kty\":\"RSA\"");
		if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &x) != 1 ||
		    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &y) != 1)
			tu_die("cannot read the RSA public key");
		buf_bn(&b, "n", x, 0);
		buf_bn(&b, "e", y, 0);
	} else if (EVP_PKEY_is_a(k, "EC")) {
		/* RFC 7518 6.2.1.2: x and y exactly the field size. */
		crv = ec_curve(k, &size);
		buf_str(&b, "{\"kty\":\"EC\"");
		buf_member(&b, "crv", crv);
		if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x)
		    != 1 ||
		    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y)
		    != 1)
			tu_die("cannot read the EC public point");
		buf_bn(&b, "x", x, size);
		buf_bn(&b, "y", y, size);
	} else if (EVP_PKEY_is_a(k, "ED25519")) {
		/* RFC 8037 2: the 32-byte public key. */
		n = sizeof(raw);
		if (EVP_PKEY_get_raw_public_key(k, raw, &n) != 1 || n != 32)
			tu_die("cannot read the Ed25519 public key");
		buf_str(&b, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"");
		s = tu_b64url(raw, n);
		buf_member(&b, "x", s);
		free(s);
	} else
		tu_die("no JWK for key type %s", EVP_PKEY_get0_type_name(k));
	buf_member(&b, "kid", kid);
	buf_member(&b, "alg", alg);
	buf_member(&b, "use", use);
	buf_str(&b, "}");
	BN_free(x);
	BN_free(y);
	return b.p;
}

char *
tu_jwk_oct(const void *secret, size_t len, const char *kid, const char *alg)
{
	struct buf b = { NULL, 0, 0 };
	char *s;

	buf_str(&b, "{\"kty\":\"oct\"");
	s = tu_b64url(secret, len);
	buf_member(&b, "k", s);
	free(s);
	buf_member(&b, "kid", kid);
	buf_member(&b, "alg", alg);
	buf_str(&b, "}");
	return b.p;
}

char *
tu_jwks_v(char *const *jwks, size_t n)
{
	struct buf b = { NULL, 0, 0 };
	size_t i;

	buf_str(&b, "{\"keys\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_str(&b, ",");
		buf_str(&b, jwks[i]);
	}
	buf_str(&b, "]}");
	return b.p;
}

char *
tu_jwks(const char *jwk, ...)
{
	struct buf b = { NULL, 0, 0 };
	const char *s;
	va_list ap;

	buf_str(&b, "{\"keys\":[");
	va_start(ap, jwk);
	for (s = jwk; s != NULL; s = va_arg(ap, const char *)) {
		if (s != jwk)
			buf_str(&b, ",");
		buf_str(&b, s);
	}
	va_end(ap);
	buf_str(&b, "]}");
	return b.p;
}

char *
tu_json_set(const char *json, const char *name, const char *value)
{
	cJSON *root, *v = NULL;
	char *out, *p;

	if ((root = cJSON_Parse(json)) == NULL || !cJSON_IsObject(root))
		tu_die("tu_json_set: not a JSON object: %s", json);
	if (value != NULL && (v = cJSON_Parse(value)) == NULL)
		tu_die("tu_json_set: bad value %s", value);
	if (v == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(root, name);
	else if (cJSON_GetObjectItemCaseSensitive(root, name) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(root, name, v);
	else
		cJSON_AddItemToObject(root, name, v);
	if ((p = cJSON_PrintUnformatted(root)) == NULL)
		tu_die("cJSON_PrintUnformatted");
	out = tu_strdup(p);
	cJSON_free(p);
	cJSON_Delete(root);
	return out;
}

char *
tu_json_set_str(const char *json, const char *name, const char *value)
{
	struct buf b = { NULL, 0, 0 };
	char *out;

	buf_json_str(&b, value);
	out = tu_json_set(json, name, b.p);
	free(b.p);
	return out;
}

char *
tu_json_set_b64(const char *json, const char *name, const void *p,
    size_t len)
{
	char *s, *out;

	s = tu_b64url(p, len);
	out = tu_json_set_str(json, name, s);
	free(s);
	return out;
}

uint8_t *
tu_json_get_b64(const char *json, const char *name, size_t *lenp)
{
	const cJSON *v;
	cJSON *root;
	uint8_t *out;

	if ((root = cJSON_Parse(json)) == NULL)
		tu_die("tu_json_get_b64: not JSON: %s", json);
	v = cJSON_GetObjectItemCaseSensitive(root, name);
	if (!cJSON_IsString(v))
		tu_die("tu_json_get_b64: no string member %s", name);
	out = tu_unb64url(v->valuestring, lenp);
	cJSON_Delete(root);
	return out;
}

char *
tu_jwk_thumbprint(EVP_PKEY *k)
{
	static const char *const ec[] = { "crv", "kty", "x", "y", NULL };
	static const char *const okp[] = { "crv", "kty", "x", NULL };
	static const char *const rsa[] = { "e", "kty", "n", NULL };
	const char *const *m;
	char *text = tu_jwk(k, NULL, NULL, NULL), *out;
	unsigned char md[32];
	unsigned mdlen = 0;
	struct buf b = { NULL, 0, 0 };
	const char *kty, *v;
	cJSON *root;
	size_t i;

	if ((root = cJSON_Parse(text)) == NULL)
		tu_die("tu_jwk_thumbprint: not JSON: %s", text);
	kty = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "kty"));
	m = strcmp(kty, "EC") == 0 ? ec : strcmp(kty, "OKP") == 0 ? okp : rsa;
	buf_str(&b, "{");
	for (i = 0; m[i] != NULL; i++) {
		v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
		    m[i]));
		if (v == NULL)
			tu_die("tu_jwk_thumbprint: no member %s", m[i]);
		buf_str(&b, i > 0 ? ",\"" : "\"");
		buf_str(&b, m[i]);
		buf_str(&b, "\":\"");
		buf_str(&b, v);
		buf_str(&b, "\"");
	}
	buf_str(&b, "}");
	if (!EVP_Digest(b.p, b.len, md, &mdlen, EVP_sha256(), NULL))
		tu_die("tu_jwk_thumbprint: SHA-256");
	out = tu_b64url(md, mdlen);
	cJSON_Delete(root);
	free(b.p);
	free(text);
	return out;
}

/* base64url and tokens -------------------------------------------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
tu_b64url(const void *p, size_t len)
{
	const unsigned char *in = p;
	char *out, *o;
	size_t i;
	unsigned long v;

	/* Written out rather than EVP_EncodeBlock + translate: plainer. */
	o = out = tu_malloc(len / 3 * 4 + 4 + 1);
	for (i = 0; i + 3 <= len; i += 3) {
		v = (unsigned long)in[i] << 16 |
		    (unsigned long)in[i + 1] << 8 | in[i + 2];
		*o++ = b64chars[(v >> 18) & 63];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = b64chars[(v >> 6) & 63];
		*o++ = b64chars[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		*o++ = b64chars[(v >> 18) & 63];
		*o++ = b64chars[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		*o++ = b64chars[(v >> 18) & 63];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = b64chars[(v >> 6) & 63];
	}
	*o = '\0';
	return out;
}

char *
tu_b64url_str(const char *s)
{
	return tu_b64url(s, strlen(s));
}

uint8_t *
tu_unb64url(const char *s, size_t *lenp)
{
	const char *c;
	uint8_t *out;
	unsigned long acc = 0;
	size_t o = 0;
	int bits = 0;

	out = tu_malloc(strlen(s) / 4 * 3 + 3 + 1);
	for (; *s != '\0' && (c = strchr(b64chars, *s)) != NULL; s++) {
		acc = (acc << 6) | (unsigned long)(c - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	out[o] = '\0';
	*lenp = o;
	return out;
}

enum algkind {
	ALG_RS,
	ALG_PS,
	ALG_ES,
	ALG_ED,
	ALG_HS,
	ALG_NONE
};

static const struct talg {
	const char	*name;
	enum algkind	 kind;
	const char	*md;
} algs[] = {
	{ "RS256", ALG_RS, "SHA256" },
	{ "RS384", ALG_RS, "SHA384" },
	{ "RS512", ALG_RS, "SHA512" },
	{ "PS256", ALG_PS, "SHA256" },
	{ "PS384", ALG_PS, "SHA384" },
	{ "PS512", ALG_PS, "SHA512" },
	{ "ES256", ALG_ES, "SHA256" },
	{ "ES384", ALG_ES, "SHA384" },
	{ "ES512", ALG_ES, "SHA512" },
	{ "EdDSA", ALG_ED, NULL },
	{ "Ed25519", ALG_ED, NULL },
	{ "HS256", ALG_HS, "SHA256" },
	{ "HS384", ALG_HS, "SHA384" },
	{ "HS512", ALG_HS, "SHA512" },
	{ "none", ALG_NONE, NULL },
};

static const struct talg *
talg(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	return NULL;
}

int
tu_alg_ok(const char *alg)
{
	return talg(alg) != NULL;
}

/* EVP_DigestSign with md (NULL for EdDSA), PSS when pss is set. */
static uint8_t *
digest_sign(EVP_PKEY *key, const char *md, int pss, const void *msg,
    size_t len, size_t *siglenp)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	uint8_t *sig;
	size_t siglen = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		tu_die("EVP_MD_CTX_new");
	if (EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL) != 1)
		tu_die("EVP_DigestSignInit_ex(%s)", md != NULL ? md : "none");
	/* RFC 7518 3.5: MGF1 with the same hash, salt = hash length. */
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST)
	    != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) != 1))
		tu_die("cannot set up RSASSA-PSS with %s", md);
	if (EVP_DigestSign(ctx, NULL, &siglen, msg, len) != 1)
		tu_die("EVP_DigestSign (size)");
	sig = tu_malloc(siglen);
	if (EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1)
		tu_die("EVP_DigestSign");
	EVP_MD_CTX_free(ctx);
	*siglenp = siglen;
	return sig;
}

/* RFC 7518 3.4: the DER ECDSA-Sig-Value as raw r||s of size bytes each. */
static uint8_t *
der_to_raw(const uint8_t *der, size_t derlen, size_t size, size_t *lenp)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	uint8_t *raw;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		tu_die("cannot decode OpenSSL's ECDSA signature");
	ECDSA_SIG_get0(es, &r, &s);
	raw = tu_malloc(2 * size);
	if (BN_bn2binpad(r, raw, (int)size) < 0 ||
	    BN_bn2binpad(s, raw + size, (int)size) < 0)
		tu_die("ECDSA r or s over %zu bytes", size);
	ECDSA_SIG_free(es);
	*lenp = 2 * size;
	return raw;
}

static void
need_key(EVP_PKEY *key, const char *type, const char *alg)
{
	if (key == NULL)
		tu_die("%s needs a key", alg);
	if (!EVP_PKEY_is_a(key, type))
		tu_die("%s needs a key of type %s, not %s", alg, type,
		    EVP_PKEY_get0_type_name(key));
}

uint8_t *
tu_sig(const char *alg, EVP_PKEY *key, const void *hmac_key, size_t hmac_len,
    const void *msg, size_t len, size_t *siglenp)
{
	const struct talg *a;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	uint8_t *der, *sig;
	size_t derlen, size;

	if ((a = talg(alg)) == NULL)
		tu_die("cannot sign with unknown alg '%s'", alg);
	switch (a->kind) {
	case ALG_RS:
	case ALG_PS:
		need_key(key, "RSA", alg);
		return digest_sign(key, a->md, a->kind == ALG_PS, msg, len,
		    siglenp);
	case ALG_ES:
		need_key(key, "EC", alg);
		ec_curve(key, &size);
		der = digest_sign(key, a->md, 0, msg, len, &derlen);
		sig = der_to_raw(der, derlen, size, siglenp);
		free(der);
		return sig;
	case ALG_ED:
		need_key(key, "ED25519", alg);
		return digest_sign(key, NULL, 0, msg, len, siglenp);
	case ALG_HS:
		if (HMAC(EVP_get_digestbyname(a->md),
		    hmac_key != NULL ? hmac_key : "", (int)hmac_len, msg, len,
		    mac, &maclen) == NULL)
			tu_die("HMAC-%s failed", a->md);
		sig = tu_malloc(maclen);
		memcpy(sig, mac, maclen);
		*siglenp = maclen;
		return sig;
	case ALG_NONE:
		break;
	}
	*siglenp = 0;
	return tu_malloc(1);
}

char *
tu_token(const char *header_json, const char *payload_json, const void *sig,
    size_t siglen)
{
	char *h, *p, *s, *tok;

	h = tu_b64url_str(header_json);
	p = tu_b64url_str(payload_json);
	s = tu_b64url(sig, siglen);
	tok = tu_asprintf("%s.%s.%s", h, p, s);
	free(h);
	free(p);
	free(s);
	return tok;
}

char *
tu_sign(const char *alg, EVP_PKEY *key, const void *hmac_key,
    size_t hmac_len, const char *header_json, const char *payload_json)
{
	char *h, *p, *input, *s, *tok;
	uint8_t *sig;
	size_t siglen;

	h = tu_b64url_str(header_json);
	p = tu_b64url_str(payload_json);
	input = tu_asprintf("%s.%s", h, p);
	sig = tu_sig(alg, key, hmac_key, hmac_len, input, strlen(input),
	    &siglen);
	s = tu_b64url(sig, siglen);
	tok = tu_asprintf("%s.%s", input, s);
	free(h);
	free(p);
	free(input);
	free(sig);
	free(s);
	return tok;
}

/* Files ----------------------------------------------------------------- */

char *
tu_tmpdir(void)
{
	const char *tmp;
	char *path;

	if ((tmp = secure_getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	path = tu_asprintf("%s/pbtest.XXXXXX", tmp);
	if (mkdtemp(path) == NULL)
		tu_die("mkdtemp %s: %s", path, strerror(errno));
	return path;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == -1 &&
	    errno != ENOENT)
		tu_die("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

void
tu_rmtree(const char *path)
{
	if (path == NULL)
		return;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1 &&
	    errno != ENOENT)
		tu_die("cannot walk %s: %s", path, strerror(errno));
}

char *
tu_write_filen(const char *dir, const char *name, const void *content,
    size_t len, mode_t mode)
{
	const char *p = content;
	char *path;
	ssize_t n;
	int fd;

	path = tu_asprintf("%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600))
	    == -1)
		tu_die("cannot create %s: %s", path, strerror(errno));
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			tu_die("cannot write %s: %s", path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) == -1)
		tu_die("cannot chmod %s: %s", path, strerror(errno));
	if (close(fd) == -1)
		tu_die("cannot write %s: %s", path, strerror(errno));
	return path;
}

char *
tu_write_file(const char *dir, const char *name, const char *content,
    mode_t mode)
{
	return tu_write_filen(dir, name, content, strlen(content), mode);
}

char *
tu_read_fd(int fd, size_t *lenp)
{
	struct buf b = { NULL, 0, 0 };
	char chunk[4096];
	ssize_t n;

	buf_add(&b, "", 0);
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			tu_die("read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > TU_READ_MAX)
			tu_die("input over %d bytes", TU_READ_MAX);
		buf_add(&b, chunk, (size_t)n);
	}
	if (lenp != NULL)
		*lenp = b.len;
	return b.p;
}

char *
tu_read_file(const char *path, size_t *lenp)
{
	char *p;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		tu_die("cannot open %s: %s", path, strerror(errno));
	p = tu_read_fd(fd, lenp);
	close(fd);
	return p;
}
