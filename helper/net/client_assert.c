/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The client key of private_key_jwt and its assertions (client_assert.h;
 * RFC 7523).  The key file is read into a buffer wiped after the parse;
 * OpenSSL keeps the key and frees it (wiping the private part).  A
 * certificate beside the key (the single-file form of Entra ID's tooling)
 * gives the header its thumbprints, x5t and x5t#S256 (RFC 7515 4.1.7-8).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "b64url.h"
#include "client_assert.h"
#include "dpop.h"
#include "err.h"
#include "file.h"
#include "oauth.h"
#include "secmem.h"

struct pb_client_key {
	EVP_PKEY	*pkey;
	const char	*alg;		/* "ES256", "RS256" or "EdDSA" */
	unsigned	 bit;		/* its PB_OIDC_ALG_* */
	char		*client_id;
	char		*x5t;		/* SHA-1 thumbprint; NULL: no cert */
	char		*x5t256;	/* SHA-256 thumbprint (x5t#S256) */
	char		 path[PB_PATH_BUFSZ];	/* for messages */
};

void
pb_client_assert_free(struct pb_client_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->client_id);
	free(k->x5t);
	free(k->x5t256);
	pb_freezero(k, sizeof(*k));
}

/* Refuse to prompt: a machine cannot type a passphrase. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * Open path without following a link and check what a private key file
 * must be (the caller's, regular, 0600 or stricter).  The fd in *fdp.
 */
static int
open_key(const char *path, const char *sp, int *fdp, struct pb_err *e)
{
	struct stat st;
	int fd;

	*fdp = -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW)) == -1) {
		if (errno == ELOOP)
			return pb_err_set(e, PB_ERR_IO, "client_key_file %s is "
			    "a symbolic link: point client_key_file at the key "
			    "itself", sp);
		return pb_err_set(e, PB_ERR_IO, "cannot open client_key_file "
		    "%s: %s", sp, strerror(errno));
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		return pb_err_set(e, PB_ERR_IO, "cannot stat %s: %s", sp,
		    strerror(errno));
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		if (!S_ISREG(st.st_mode))
			return pb_err_set(e, PB_ERR_IO, "client_key_file %s "
			    "is not a regular file", sp);
		if (st.st_uid != geteuid())
			return pb_err_set(e, PB_ERR_IO, "client_key_file %s "
			    "is owned by uid %lu, not by you (uid %lu): a "
			    "private key must be its user's (chown it)", sp,
			    (unsigned long)st.st_uid,
			    (unsigned long)geteuid());
		return pb_err_set(e, PB_ERR_IO, "client_key_file %s can be "
		    "read or written by others (mode %04o): chmod 600 %s", sp,
		    (unsigned)(st.st_mode & 07777), sp);
	}
	*fdp = fd;
	return PB_OK;
}

/* The key's candidate alg from its type and size. */
static int
key_type(struct pb_client_key *k, struct pb_err *e)
{
	char grp[64];

	switch (EVP_PKEY_get_base_id(k->pkey)) {
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(k->pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, grp, sizeof(grp), NULL) != 1 ||
		    strcmp(grp, "prime256v1") != 0)
			break;
		k->alg = "ES256";
		k->bit = PB_OIDC_ALG_ES256;
		return PB_OK;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(k->pkey) < 2048)
			return pb_err_set(e, PB_ERR_KEY, "client_key_file %s: "
			    "an RSA key of %d bits is too short (2048 at "
			    "least)", k->path, EVP_PKEY_get_bits(k->pkey));
		k->alg = "RS256";
		k->bit = PB_OIDC_ALG_RS256;
		return PB_OK;
	case EVP_PKEY_ED25519:
		k->alg = "EdDSA";
		k->bit = PB_OIDC_ALG_EDDSA;
		return PB_OK;
	default:
		break;
	}
	return pb_err_set(e, PB_ERR_KEY, "client_key_file %s is not an EC "
	    "P-256, RSA or Ed25519 key", k->path);
}

/* Whether p (n bytes, after "-----BEGIN ") names a certificate block. */
static int
cert_block(const char *p, size_t n)
{
	static const char *const names[] = {
		"CERTIFICATE-----", "X509 CERTIFICATE-----",
		"TRUSTED CERTIFICATE-----",
	};
	size_t i, l;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		l = strlen(names[i]);
		if (n >= l && memcmp(p, names[i], l) == 0)
			return 1;
	}
	return 0;
}

/*
 * The certificate whose PEM block starts at p (n bytes to the end of the
 * file): base64 only, the DER whole and nothing after it.  NULL if it
 * does not parse.
 */
static X509 *
parse_cert(const char *p, size_t n)
{
	BIO *bio;
	char *nm = NULL, *hdr = NULL;
	unsigned char *der = NULL;
	const unsigned char *q;
	long dl = 0;
	X509 *x = NULL;

	if ((bio = BIO_new_mem_buf(p, (int)n)) != NULL &&
	    PEM_read_bio_ex(bio, &nm, &hdr, &der, &dl, PEM_FLAG_ONLY_B64) ==
	    1 && dl > 0) {
		q = der;
		if (strcmp(nm, "TRUSTED CERTIFICATE") == 0)
			x = d2i_X509_AUX(NULL, &q, dl);
		else
			x = d2i_X509(NULL, &q, dl);
		if (x != NULL && q != der + dl) {
			X509_free(x);
			x = NULL;
		}
	}
	OPENSSL_free(nm);
	OPENSSL_free(hdr);
	OPENSSL_free(der);
	BIO_free(bio);
	return x;
}

/*
 * The one certificate in the file's text buf (len bytes), or *xp NULL
 * when there is none.  Only certificate blocks are decoded here: the key's
 * block is left to PEM_read_bio_PrivateKey().
 */
static int
find_cert(const struct pb_client_key *k, const char *buf, size_t len,
    X509 **xp, struct pb_err *e)
{
	static const char begin[] = "-----BEGIN ";
	const char *p = buf, *q, *end = buf + len;
	X509 *x = NULL;

	*xp = NULL;
	while ((q = memmem(p, (size_t)(end - p), begin, sizeof(begin) - 1))
	    != NULL) {
		p = q + sizeof(begin) - 1;
		if ((q != buf && q[-1] != '\n') ||
		    !cert_block(p, (size_t)(end - p)))
			continue;
		if (x != NULL) {
			X509_free(x);
			return pb_err_set(e, PB_ERR_KEY, "client_key_file %s "
			    "holds more than one certificate: keep the key "
			    "and its own certificate only (the one the IdP "
			    "has)", k->path);
		}
		if ((x = parse_cert(q, (size_t)(end - q))) == NULL)
			return pb_err_set(e, PB_ERR_KEY, "client_key_file %s "
			    "holds a certificate that does not parse: put "
			    "the PEM certificate (openssl x509 -outform PEM) "
			    "after the key, or remove it", k->path);
	}
	*xp = x;
	return PB_OK;
}

/* The base64url digest of x's DER by md into a fresh *out. */
static int
thumbprint(X509 *x, const EVP_MD *md, char **out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	*out = NULL;
	if (X509_digest(x, md, d, &n) != 1)
		return PB_ERR_INTERNAL;
	return pb_b64url_encode(d, n, out);
}

/*
 * A certificate in the key file: it must be the key's (its public key
 * the private key's), and its thumbprints go into every header.
 */
static int
load_cert(struct pb_client_key *k, const char *buf, size_t len,
    struct pb_err *e)
{
	X509 *x = NULL;
	EVP_PKEY *pub;
	int r;

	if ((r = find_cert(k, buf, len, &x, e)) != PB_OK || x == NULL)
		return r;
	if ((pub = X509_get0_pubkey(x)) == NULL ||
	    EVP_PKEY_eq(pub, k->pkey) != 1)
		r = pb_err_set(e, PB_ERR_KEY, "the certificate in %s is not "
		    "the private key's: its public key is another key's "
		    "(keep the key with the certificate made from it, "
		    "openssl req -x509 -key %s)", k->path, k->path);
	else if ((r = thumbprint(x, EVP_sha1(), &k->x5t)) != PB_OK ||
	    (r = thumbprint(x, EVP_sha256(), &k->x5t256)) != PB_OK)
		r = pb_err_set(e, r, "cannot hash the certificate in %s",
		    k->path);
	X509_free(x);
	return r;
}

int
pb_client_assert_load(const char *path, const char *client_id,
    struct pb_client_key **kp, struct pb_err *e)
{
	struct pb_client_key *k;
	char *buf = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int r, fd = -1;

	*kp = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->client_id = strdup(client_id)) == NULL) {
		pb_client_assert_free(k);
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	}
	pb_log_path(path, k->path, sizeof(k->path));
	if ((r = open_key(path, k->path, &fd, e)) != PB_OK ||
	    (r = pb_file_read_fd(fd, path, PB_CLIENT_KEY_MAX, PB_FILE_PRIVATE,
	    &buf, &len, e)) != PB_OK)
		goto out;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((k->pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL)) == NULL) {
		r = pb_err_set(e, PB_ERR_KEY, "client_key_file %s is not an "
		    "unencrypted PEM private key (a machine cannot type a "
		    "passphrase: keep it unencrypted, mode 0600)", k->path);
		goto out;
	}
	if ((r = key_type(k, e)) != PB_OK ||
	    (r = load_cert(k, buf, len, e)) != PB_OK)
		goto out;
	*kp = k;
	k = NULL;
	r = PB_OK;
 out:
	ERR_clear_error();
	BIO_free(bio);
	if (buf != NULL)
		pb_freezero(buf, len + 1);
	if (fd != -1)
		close(fd);
	pb_client_assert_free(k);
	return r;
}

int
pb_client_assert_alg(struct pb_client_key *k, unsigned auth_algs,
    struct pb_err *e)
{
	int listed = (auth_algs & PB_OIDC_ALG_LISTED) != 0;

	if ((listed && (auth_algs & k->bit) == 0) ||
	    (k->bit == PB_OIDC_ALG_EDDSA && !listed))
		return pb_err_set(e, PB_ERR_CONFIG, "the IdP does not list %s "
		    "in token_endpoint_auth_signing_alg_values_supported, "
		    "so the key in client_key_file %s cannot sign for it: "
		    "use an EC P-256 (ES256) or RSA (RS256) key it lists",
		    k->alg, k->path);
	return PB_OK;
}

const char *
pb_client_assert_alg_name(const struct pb_client_key *k)
{
	return k->alg;
}

/* 16 random bytes, base64url, in a fresh string; NULL on failure. */
static char *
new_jti(void)
{
	uint8_t rnd[16];
	char *s = NULL;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    pb_b64url_encode(rnd, sizeof(rnd), &s) != PB_OK)
		s = NULL;
	pb_bzero(rnd, sizeof(rnd));
	return s;
}

/* The header: alg and typ, and the certificate's thumbprints if any. */
static cJSON *
header(const struct pb_client_key *k)
{
	cJSON *h = cJSON_CreateObject();

	if (h == NULL ||
	    cJSON_AddStringToObject(h, "alg", k->alg) == NULL ||
	    cJSON_AddStringToObject(h, "typ", "JWT") == NULL ||
	    (k->x5t != NULL &&
	    (cJSON_AddStringToObject(h, "x5t", k->x5t) == NULL ||
	    cJSON_AddStringToObject(h, "x5t#S256", k->x5t256) == NULL))) {
		cJSON_Delete(h);
		return NULL;
	}
	return h;
}

/* The header and claims as unformatted JSON. */
static int
texts(const struct pb_client_key *k, const char *aud, const char *jti,
    int64_t now, char **hdr, char **claims)
{
	cJSON *h = header(k), *c = cJSON_CreateObject();

	*hdr = *claims = NULL;
	if (h != NULL && c != NULL &&
	    cJSON_AddStringToObject(c, "iss", k->client_id) != NULL &&
	    cJSON_AddStringToObject(c, "sub", k->client_id) != NULL &&
	    cJSON_AddStringToObject(c, "aud", aud) != NULL &&
	    cJSON_AddStringToObject(c, "jti", jti) != NULL &&
	    cJSON_AddNumberToObject(c, "iat", (double)now) != NULL &&
	    cJSON_AddNumberToObject(c, "exp", (double)(now +
	    PB_CLIENT_ASSERT_TTL)) != NULL) {
		*hdr = cJSON_PrintUnformatted(h);
		*claims = cJSON_PrintUnformatted(c);
	}
	cJSON_Delete(h);
	cJSON_Delete(c);
	return *hdr != NULL && *claims != NULL ? PB_OK : PB_ERR_NOMEM;
}

int
pb_client_assert_make(const struct pb_client_key *k, const char *aud,
    int64_t now, struct pb_secret *out, struct pb_err *e)
{
	char *jti, *hdr = NULL, *claims = NULL;
	int r;

	out->p = NULL;
	out->len = 0;
	if ((jti = new_jti()) == NULL)
		return pb_err_set(e, PB_ERR_INTERNAL, "no random bytes");
	if ((r = texts(k, aud, jti, now, &hdr, &claims)) == PB_OK)
		r = pb_dpop_jws_sign(k->pkey, k->alg, hdr, claims, out, e);
	else
		pb_err_set(e, r, "out of memory");
	free(jti);
	cJSON_free(hdr);
	if (claims != NULL) {
		pb_bzero(claims, strlen(claims));
		cJSON_free(claims);
	}
	return r;
}

int
pb_client_assert_hook(void *k, const char *aud, struct pb_secret *out,
    struct pb_err *e)
{
	return pb_client_assert_make(k, aud, (int64_t)time(NULL), out, e);
}
