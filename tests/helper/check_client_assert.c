/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The client assertions of private_key_jwt (helper/net/client_assert.c,
 * RFC 7523): the key file's checks, the alg from the key type and
 * discovery, and each assertion's claims (iss = sub = client_id, aud, a
 * unique jti, exp - iat at most 60 s), verified by the common core
 * (common/jws.c) against the public key; a certificate beside the key:
 * its x5t and x5t#S256 in the header, as hashed here from its DER, and
 * the refusals (another key's, two, one that does not parse).  Keys and
 * certificates are made here; time is given; no network.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "b64url.h"
#include "checkmain.h"
#include "client_assert.h"
#include "err.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "oauth.h"
#include "secmem.h"

#define NOW	1800000000
#define AUD	"https://idp.example/oauth/token"
#define CLIENT	"machine-7"

static char dir[] = "/tmp/pb-cassert-XXXXXX";
static char path[256];

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/key.pem", dir);
}

static void
teardown(void)
{
	char p[300];

	(void)snprintf(p, sizeof(p), "%s/link.pem", dir);
	(void)unlink(p);
	(void)unlink(path);
	(void)rmdir(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

/* Write pkey to path as PEM with mode. */
static void
write_key(EVP_PKEY *pkey, mode_t mode)
{
	FILE *f;

	(void)unlink(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL,
	    NULL), 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* A certificate for subj's public key, signed by signer (self: subj). */
static X509 *
make_cert(EVP_PKEY *subj, EVP_PKEY *signer)
{
	X509 *x = X509_new();
	X509_NAME *n;

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x),
	    86400L * 365));
	n = X509_get_subject_name(x);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)CLIENT, -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, n), 1);
	ck_assert_int_eq(X509_set_pubkey(x, subj), 1);
	ck_assert_int_gt(X509_sign(x, signer, EVP_sha256()), 0);
	return x;
}

/* Write pkey and then the n certificates (first: before the key). */
static void
write_key_certs(EVP_PKEY *pkey, X509 **certs, int n, int first)
{
	FILE *f;
	int i;

	(void)unlink(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (i = 0; first && i < n; i++)
		ck_assert_int_eq(PEM_write_X509(f, certs[i]), 1);
	ck_assert_int_eq(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL,
	    NULL), 1);
	for (i = 0; !first && i < n; i++)
		ck_assert_int_eq(PEM_write_X509(f, certs[i]), 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

/* A BIGNUM parameter of pkey as base64url into obj[name]. */
static void
add_bn(cJSON *obj, EVP_PKEY *pkey, const char *param, const char *name,
    int pad)
{
	uint8_t buf[1024];
	BIGNUM *bn = NULL;
	char *s = NULL;
	int n;

	ck_assert_int_eq(EVP_PKEY_get_bn_param(pkey, param, &bn), 1);
	n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pb_b64url_encode(buf, (size_t)n, &s), PB_OK);
	cJSON_AddStringToObject(obj, name, s);
	free(s);
	BN_free(bn);
}

/* The public JWK of pkey, as the common core loads a JWKS key. */
static struct pb_jwk *
public_jwk(EVP_PKEY *pkey)
{
	cJSON *j = cJSON_CreateObject();
	struct pb_jwk *k = NULL;
	struct pb_err e;
	uint8_t raw[32];
	size_t len = sizeof(raw);
	char *s = NULL;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		cJSON_AddStringToObject(j, "kty", "EC");
		cJSON_AddStringToObject(j, "crv", "P-256");
		add_bn(j, pkey, OSSL_PKEY_PARAM_EC_PUB_X, "x", 32);
		add_bn(j, pkey, OSSL_PKEY_PARAM_EC_PUB_Y, "y", 32);
		break;
	case EVP_PKEY_RSA:
		cJSON_AddStringToObject(j, "kty", "RSA");
		add_bn(j, pkey, OSSL_PKEY_PARAM_RSA_N, "n", 0);
		add_bn(j, pkey, OSSL_PKEY_PARAM_RSA_E, "e", 0);
		break;
	default:
		ck_assert_int_eq(EVP_PKEY_get_raw_public_key(pkey, raw, &len),
		    1);
		ck_assert_int_eq(pb_b64url_encode(raw, len, &s), PB_OK);
		cJSON_AddStringToObject(j, "kty", "OKP");
		cJSON_AddStringToObject(j, "crv", "Ed25519");
		cJSON_AddStringToObject(j, "x", s);
		free(s);
	}
	pb_err_clear(&e);
	ck_assert_msg(pb_jwk_from_json(j, 0, &k, &e) == PB_OK, "%s",
	    pb_err_msg(&e));
	cJSON_Delete(j);
	return k;
}

/* The base64url digest of x's DER by md, hashed here; free it. */
static char *
der_thumbprint(X509 *x, const EVP_MD *md)
{
	unsigned char *der = NULL, d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *s = NULL;
	int dl;

	ck_assert_int_gt(dl = i2d_X509(x, &der), 0);
	ck_assert_int_eq(EVP_Digest(der, (size_t)dl, d, &n, md, NULL), 1);
	ck_assert_int_eq(pb_b64url_encode(d, n, &s), PB_OK);
	OPENSSL_free(der);
	return s;
}

/*
 * The header: alg and typ, and with cert (NULL: none in the file) its
 * x5t (SHA-1) and x5t#S256 (SHA-256), nothing else.
 */
static void
check_header(const cJSON *h, const char *alg, X509 *cert)
{
	char *t1, *t256;

	ck_assert_str_eq(pb_json_get_string(h, "alg"), alg);
	ck_assert_str_eq(pb_json_get_string(h, "typ"), "JWT");
	if (cert == NULL) {
		ck_assert_int_eq(cJSON_GetArraySize(h), 2);
		return;
	}
	ck_assert_int_eq(cJSON_GetArraySize(h), 4);
	t1 = der_thumbprint(cert, EVP_sha1());
	t256 = der_thumbprint(cert, EVP_sha256());
	ck_assert_uint_eq(strlen(t1), 27);
	ck_assert_uint_eq(strlen(t256), 43);
	ck_assert_pstr_eq(pb_json_get_string(h, "x5t"), t1);
	ck_assert_pstr_eq(pb_json_get_string(h, "x5t#S256"), t256);
	free(t1);
	free(t256);
}

/*
 * Make an assertion with the key in path (alg listed as algs), verify it
 * with pkey's public half and check its header (cert: the one in the
 * file, or NULL) and claims; its jti into jti.
 */
static void
check_assertion(EVP_PKEY *pkey, X509 *cert, unsigned algs, const char *alg,
    char *jti, size_t jtisz)
{
	struct pb_client_key *k = NULL;
	struct pb_secret a = { NULL, 0 };
	struct pb_jwk *pub = public_jwk(pkey);
	struct pb_jws *jws = NULL;
	cJSON *c = NULL;
	struct pb_err e;
	const cJSON *iat, *exp;

	pb_err_clear(&e);
	ck_assert_msg(pb_client_assert_load(path, CLIENT, &k, &e) == PB_OK,
	    "%s", pb_err_msg(&e));
	ck_assert_int_eq(pb_client_assert_alg(k, algs, &e), PB_OK);
	ck_assert_str_eq(pb_client_assert_alg_name(k), alg);
	ck_assert_int_eq(pb_client_assert_make(k, AUD, NOW, &a, &e), PB_OK);
	ck_assert_int_eq(pb_jws_parse(a.p, a.len, 65536, &jws, &e), PB_OK);
	ck_assert_str_eq(jws->alg_name, alg);
	check_header(jws->header, alg, cert);
	ck_assert_msg(pb_jws_verify(jws, pub, &e) == PB_OK, "%s",
	    pb_err_msg(&e));
	ck_assert_int_eq(pb_json_parse((const char *)jws->payload,
	    jws->payload_len, 65536, "claims", &c, &e), PB_OK);
	ck_assert_str_eq(pb_json_get_string(c, "iss"), CLIENT);
	ck_assert_str_eq(pb_json_get_string(c, "sub"), CLIENT);
	ck_assert_str_eq(pb_json_get_string(c, "aud"), AUD);
	ck_assert_ptr_nonnull(pb_json_get_string(c, "jti"));
	ck_assert_uint_ge(strlen(pb_json_get_string(c, "jti")), 16);
	(void)snprintf(jti, jtisz, "%s", pb_json_get_string(c, "jti"));
	iat = pb_json_get(c, "iat");
	exp = pb_json_get(c, "exp");
	ck_assert(cJSON_IsNumber(iat) && cJSON_IsNumber(exp));
	ck_assert(iat->valuedouble == NOW);
	ck_assert(exp->valuedouble > iat->valuedouble);
	ck_assert(exp->valuedouble - iat->valuedouble <= 60);
	/* A flipped byte of the signature no longer verifies. */
	jws->sig[0] ^= 1;
	ck_assert_int_eq(pb_jws_verify(jws, pub, NULL), PB_ERR_SIG);
	pb_json_delete_wipe(c);
	pb_jws_free(jws);
	pb_secret_clear(&a);
	pb_jwk_free(pub);
	pb_client_assert_free(k);
}

START_TEST(test_es256)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char j1[64], j2[64];

	write_key(p, 0600);
	check_assertion(p, NULL, 0, "ES256", j1, sizeof(j1));
	check_assertion(p, NULL, PB_OIDC_ALG_LISTED | PB_OIDC_ALG_ES256,
	    "ES256", j2, sizeof(j2));
	ck_assert_str_ne(j1, j2);		/* a jti per assertion */
	EVP_PKEY_free(p);
}
END_TEST

START_TEST(test_rs256)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	char j[64];

	write_key(p, 0400);
	check_assertion(p, NULL, 0, "RS256", j, sizeof(j));
	EVP_PKEY_free(p);
}
END_TEST

/* Entra ID's form: an RSA key with its certificate, after it or before. */
START_TEST(test_key_cert_rs256)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509 *c = make_cert(p, p);
	char j[64];

	write_key_certs(p, &c, 1, 0);
	check_assertion(p, c, 0, "RS256", j, sizeof(j));
	write_key_certs(p, &c, 1, 1);
	check_assertion(p, c, 0, "RS256", j, sizeof(j));
	X509_free(c);
	EVP_PKEY_free(p);
}
END_TEST

/* Any key type may carry its certificate (signed by another key here). */
START_TEST(test_key_cert_es256)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *c = make_cert(p, ca);
	char j[64];

	write_key_certs(p, &c, 1, 0);
	check_assertion(p, c, PB_OIDC_ALG_LISTED | PB_OIDC_ALG_ES256,
	    "ES256", j, sizeof(j));
	X509_free(c);
	EVP_PKEY_free(ca);
	EVP_PKEY_free(p);
}
END_TEST

START_TEST(test_eddsa_when_listed)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct pb_client_key *k = NULL;
	struct pb_err e;
	char j[64];

	write_key(p, 0600);
	check_assertion(p, NULL, PB_OIDC_ALG_LISTED | PB_OIDC_ALG_EDDSA,
	    "EdDSA", j, sizeof(j));
	/* Not listed (or no list at all): refused, naming the file. */
	pb_err_clear(&e);
	ck_assert_int_eq(pb_client_assert_load(path, CLIENT, &k, &e), PB_OK);
	ck_assert_int_eq(pb_client_assert_alg(k, 0, &e), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), path));
	ck_assert_int_eq(pb_client_assert_alg(k, PB_OIDC_ALG_LISTED |
	    PB_OIDC_ALG_ES256, &e), PB_ERR_CONFIG);
	pb_client_assert_free(k);
	EVP_PKEY_free(p);
}
END_TEST

START_TEST(test_alg_not_listed)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct pb_client_key *k = NULL;
	struct pb_err e;

	write_key(p, 0600);
	pb_err_clear(&e);
	ck_assert_int_eq(pb_client_assert_load(path, CLIENT, &k, &e), PB_OK);
	ck_assert_int_eq(pb_client_assert_alg(k, PB_OIDC_ALG_LISTED |
	    PB_OIDC_ALG_RS256, &e), PB_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(pb_err_msg(&e), "ES256"));
	pb_client_assert_free(k);
	EVP_PKEY_free(p);
}
END_TEST

/* pb_client_assert_load() of path fails with r and a message holding s. */
static void
refused(int r, const char *s)
{
	struct pb_client_key *k = NULL;
	struct pb_err e;

	pb_err_clear(&e);
	ck_assert_int_eq(pb_client_assert_load(path, CLIENT, &k, &e), r);
	ck_assert_ptr_null(k);
	ck_assert_msg(strstr(pb_err_msg(&e), s) != NULL, "'%s' not in '%s'",
	    s, pb_err_msg(&e));
}

START_TEST(test_file_refused)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char fix[300], link[300];

	write_key(p, 0644);
	(void)snprintf(fix, sizeof(fix), "chmod 600 %s", path);
	refused(PB_ERR_IO, fix);
	ck_assert_int_eq(chmod(path, 0620), 0);
	refused(PB_ERR_IO, fix);
	ck_assert_int_eq(chmod(path, 0600), 0);
	(void)snprintf(link, sizeof(link), "%s/link.pem", dir);
	ck_assert_int_eq(symlink(path, link), 0);
	memcpy(fix, path, sizeof(path));
	memcpy(path, link, sizeof(path));
	refused(PB_ERR_IO, "is a symbolic link");
	memcpy(path, fix, sizeof(path));
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(path, 65534, (gid_t)-1), 0);
		refused(PB_ERR_IO, "is owned by uid 65534");
	}
	EVP_PKEY_free(p);
}
END_TEST

START_TEST(test_key_refused)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	FILE *f;

	write_key(p, 0600);
	refused(PB_ERR_KEY, "is not an EC P-256, RSA or Ed25519 key");
	write_key(small, 0600);
	refused(PB_ERR_KEY, "1024 bits is too short");
	/* Encrypted: a machine cannot type the passphrase. */
	(void)unlink(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, small, EVP_aes_128_cbc(),
	    (const unsigned char *)"pass", 4, NULL, NULL), 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
	refused(PB_ERR_KEY, "not an unencrypted PEM private key");
	EVP_PKEY_free(small);
	EVP_PKEY_free(p);
}
END_TEST

/* Write pkey and then text (a broken certificate block). */
static void
write_key_text(EVP_PKEY *pkey, const char *text)
{
	FILE *f;

	write_key(pkey, 0600);
	ck_assert_ptr_nonnull(f = fopen(path, "a"));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* Write pkey and then x's DER with two bytes after it, as PEM. */
static void
write_der_tail(EVP_PKEY *pkey, X509 *x)
{
	unsigned char *der = NULL, *buf;
	FILE *f;
	int dl;

	ck_assert_int_gt(dl = i2d_X509(x, &der), 0);
	ck_assert_ptr_nonnull(buf = calloc(1, (size_t)dl + 2));
	memcpy(buf, der, (size_t)dl);
	write_key(pkey, 0600);
	ck_assert_ptr_nonnull(f = fopen(path, "a"));
	ck_assert_int_gt(PEM_write(f, "CERTIFICATE", "", buf, dl + 2), 0);
	ck_assert_int_eq(fclose(f), 0);
	OPENSSL_free(der);
	free(buf);
}

START_TEST(test_cert_refused)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *o = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509 *c[2];
	char want[400];

	/* Another key's certificate (signed with ours, even). */
	c[0] = make_cert(o, p);
	write_key_certs(p, c, 1, 0);
	(void)snprintf(want, sizeof(want), "the certificate in %s is not "
	    "the private key's: ", path);
	refused(PB_ERR_KEY, want);
	X509_free(c[0]);
	/* Two of the key's own. */
	c[0] = make_cert(p, p);
	c[1] = make_cert(p, o);
	write_key_certs(p, c, 2, 0);
	refused(PB_ERR_KEY, "holds more than one certificate");
	write_key_certs(p, c, 2, 1);
	refused(PB_ERR_KEY, "holds more than one certificate");
	/* Blocks that do not parse: bad base64, base64 of no DER. */
	write_key_text(p, "-----BEGIN CERTIFICATE-----\nMII*\n"
	    "-----END CERTIFICATE-----\n");
	refused(PB_ERR_KEY, "holds a certificate that does not parse");
	write_key_text(p, "-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n");
	refused(PB_ERR_KEY, "holds a certificate that does not parse");
	write_der_tail(p, c[0]);
	refused(PB_ERR_KEY, "holds a certificate that does not parse");
	X509_free(c[0]);
	X509_free(c[1]);
	EVP_PKEY_free(o);
	EVP_PKEY_free(p);
}
END_TEST

static Suite *
client_assert_suite(void)
{
	Suite *s = suite_create("client_assert");
	TCase *tc;

	tc = tcase_create("assertion");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_es256);
	tcase_add_test(tc, test_rs256);
	tcase_add_test(tc, test_key_cert_rs256);
	tcase_add_test(tc, test_key_cert_es256);
	tcase_add_test(tc, test_eddsa_when_listed);
	tcase_add_test(tc, test_alg_not_listed);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_file_refused);
	tcase_add_test(tc, test_key_refused);
	tcase_add_test(tc, test_cert_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(client_assert_suite());
}
