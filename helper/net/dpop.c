/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DPoP key and its proofs (RFC 9449; DESIGN.md section 5).  The key
 * is an OpenSSL EVP_PKEY; its public coordinates are kept in base64url
 * beside it, since every proof's header and the thumbprint spell them.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "dpop.h"
#include "err.h"
#include "json.h"
#include "json_writer.h"
#include "jwk.h"
#include "jws.h"
#include "secmem.h"

_Static_assert(PB_DPOP_THUMB_LEN == PB_JWK_THUMB_LEN, "one thumbprint size");

#define COORD	32			/* bytes of x, y, d and of r, s */
#define COORD64	43			/* their base64url length */

struct pb_dpop_key {
	EVP_PKEY	*pkey;
	char		 x[COORD64 + 1];	/* public x, base64url */
	char		 y[COORD64 + 1];	/* public y, base64url */
};

/* len bytes in base64url into out (room for COORD64 + 1). */
static int
b64_fixed(const uint8_t *p, size_t len, char *out, size_t outsz)
{
	char *s = NULL;

	if (pb_b64url_encode(p, len, &s) != PB_OK)
		return PB_ERR_NOMEM;
	if (strlen(s) >= outsz) {
		free(s);
		return PB_ERR_INTERNAL;
	}
	memcpy(out, s, strlen(s) + 1);
	free(s);
	return PB_OK;
}

/* One BIGNUM parameter of the key as COORD big-endian bytes. */
static int
get_coord(const EVP_PKEY *pkey, const char *name, uint8_t out[COORD])
{
	BIGNUM *bn = NULL;
	int r = PB_ERR_INTERNAL;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) == 1 &&
	    BN_bn2binpad(bn, out, COORD) == COORD)
		r = PB_OK;
	BN_clear_free(bn);
	return r;
}

/* Fill k->x and k->y from k->pkey. */
static int
load_public(struct pb_dpop_key *k, struct pb_err *e)
{
	uint8_t c[COORD];

	if (get_coord(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, c) != PB_OK ||
	    b64_fixed(c, COORD, k->x, sizeof(k->x)) != PB_OK ||
	    get_coord(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, c) != PB_OK ||
	    b64_fixed(c, COORD, k->y, sizeof(k->y)) != PB_OK)
		return pb_err_set(e, PB_ERR_INTERNAL,
		    "cannot read the DPoP public key");
	return PB_OK;
}

int
pb_dpop_key_new(struct pb_dpop_key **k, struct pb_err *e)
{
	struct pb_dpop_key *n;
	int r;

	*k = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	n->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (n->pkey == NULL) {
		pb_dpop_key_free(n);
		return pb_err_set(e, PB_ERR_INTERNAL,
		    "cannot make a P-256 key pair");
	}
	if ((r = load_public(n, e)) != PB_OK) {
		pb_dpop_key_free(n);
		return r;
	}
	*k = n;
	return PB_OK;
}

void
pb_dpop_key_free(struct pb_dpop_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	pb_freezero(k, sizeof(*k));
}

int
pb_dpop_key_to_json(const struct pb_dpop_key *k, struct pb_secret *out,
    struct pb_err *e)
{
	struct pb_json_writer w;
	struct pb_secret d = { NULL, 0 };
	uint8_t raw[COORD];
	int r;

	out->p = NULL;
	out->len = 0;
	r = get_coord(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, raw);
	if (r == PB_OK && pb_b64url_encode(raw, COORD, &d.p) != PB_OK)
		r = PB_ERR_NOMEM;
	pb_bzero(raw, sizeof(raw));
	if (r != PB_OK)
		return pb_err_set(e, r, "cannot write the DPoP key");
	d.len = strlen(d.p);
	pb_json_writer_begin(&w);
	pb_json_writer_str(&w, "crv", "P-256");
	pb_json_writer_secret(&w, "d", &d);
	pb_json_writer_str(&w, "kty", "EC");
	pb_json_writer_str(&w, "x", k->x);
	pb_json_writer_str(&w, "y", k->y);
	pb_secret_clear(&d);
	if ((r = pb_json_writer_end(&w, out)) != PB_OK)
		return pb_err_set(e, r, "cannot write the DPoP key");
	return PB_OK;
}

/* Decode member name of obj: base64url of exactly COORD bytes. */
static int
member_coord(const cJSON *obj, const char *name, uint8_t out[COORD],
    struct pb_err *e)
{
	const char *s = pb_json_get_string(obj, name);
	uint8_t *p = NULL;
	size_t n = 0;

	if (s == NULL)
		return pb_err_set(e, PB_ERR_FORMAT,
		    "DPoP key: no string member '%s'", name);
	if (pb_b64url_decode(s, strlen(s), COORD64, &p, &n) != PB_OK ||
	    n != COORD) {
		pb_freezero(p, n);
		return pb_err_set(e, PB_ERR_FORMAT,
		    "DPoP key: '%s' is not %d bytes of base64url", name, COORD);
	}
	memcpy(out, p, COORD);
	pb_freezero(p, n);
	return PB_OK;
}

/* Build the key pair from the public point pt and the private scalar d. */
static EVP_PKEY *
build_pair(const uint8_t pt[1 + 2 * COORD], const uint8_t d[COORD])
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn = BN_secure_new();

	if (bn == NULL || BN_bin2bn(d, COORD, bn) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, 1 + 2 * COORD) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		goto out;
	/* The point must be on the curve and be d's. */
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_pairwise_check(chk) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
 out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bn);
	return pkey;
}

/* The key of the parsed private JWK root into n. */
static int
key_from_tree(const cJSON *root, struct pb_dpop_key *n, struct pb_err *e)
{
	const char *kty = pb_json_get_string(root, "kty");
	const char *crv = pb_json_get_string(root, "crv");
	uint8_t pt[1 + 2 * COORD], d[COORD];
	int r;

	if (kty == NULL || strcmp(kty, "EC") != 0 ||
	    crv == NULL || strcmp(crv, "P-256") != 0)
		return pb_err_set(e, PB_ERR_KEY,
		    "DPoP key: not an EC P-256 key");
	pt[0] = 0x04;
	if ((r = member_coord(root, "x", pt + 1, e)) != PB_OK ||
	    (r = member_coord(root, "y", pt + 1 + COORD, e)) != PB_OK ||
	    (r = member_coord(root, "d", d, e)) != PB_OK) {
		pb_bzero(d, sizeof(d));
		return r;
	}
	n->pkey = build_pair(pt, d);
	pb_bzero(d, sizeof(d));
	if (n->pkey == NULL)
		return pb_err_set(e, PB_ERR_KEY,
		    "DPoP key: not a valid P-256 key pair");
	return load_public(n, e);
}

int
pb_dpop_key_from_json(const char *json, size_t len, struct pb_dpop_key **k,
    struct pb_err *e)
{
	struct pb_dpop_key *n;
	cJSON *root = NULL;
	int r;

	*k = NULL;
	if ((r = pb_json_parse(json, len, PB_DPOP_KEY_MAX, "DPoP key", &root,
	    e)) != PB_OK)
		return r;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		pb_json_delete_wipe(root);
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	}
	r = key_from_tree(root, n, e);
	pb_json_delete_wipe(root);
	if (r != PB_OK) {
		pb_dpop_key_free(n);
		return r;
	}
	*k = n;
	return PB_OK;
}

/* The public JWK {"kty","crv","x","y"}; NULL when out of memory. */
static cJSON *
public_jwk(const struct pb_dpop_key *k)
{
	cJSON *jwk = cJSON_CreateObject();

	if (jwk == NULL ||
	    cJSON_AddStringToObject(jwk, "kty", "EC") == NULL ||
	    cJSON_AddStringToObject(jwk, "crv", "P-256") == NULL ||
	    cJSON_AddStringToObject(jwk, "x", k->x) == NULL ||
	    cJSON_AddStringToObject(jwk, "y", k->y) == NULL) {
		cJSON_Delete(jwk);
		return NULL;
	}
	return jwk;
}

/* SHA-256 of len bytes at p, base64url, in out. */
static int
sha256_b64(const void *p, size_t len, char out[COORD64 + 1])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != COORD)
		return PB_ERR_INTERNAL;
	return b64_fixed(md, mdlen, out, COORD64 + 1);
}

int
pb_dpop_key_thumbprint(const struct pb_dpop_key *k,
    char out[PB_DPOP_THUMB_LEN + 1], struct pb_err *e)
{
	struct pb_jwk *pub = NULL;
	cJSON *j;
	int r;

	out[0] = '\0';
	/* The one RFC 7638 code: common/jwk.c's, over the key loaded back. */
	if ((j = public_jwk(k)) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	if ((r = pb_jwk_from_json(j, 0, &pub, e)) == PB_OK)
		r = pb_jwk_thumbprint(pub, out, e);
	pb_jwk_free(pub);
	cJSON_Delete(j);
	return r;
}

#define TOKEN_MAX	(64 * 1024)	/* an access token read for cnf */

int
pb_dpop_key_binds(const struct pb_dpop_key *k, const struct pb_secret *tok,
    struct pb_err *e)
{
	char tp[PB_DPOP_THUMB_LEN + 1];
	struct pb_jws *jws = NULL;
	cJSON *claims = NULL;
	const char *jkt;
	int r;

	if ((r = pb_dpop_key_thumbprint(k, tp, e)) != PB_OK)
		return r;
	if (pb_jws_parse(tok->p, tok->len, TOKEN_MAX, &jws, NULL) != PB_OK ||
	    pb_json_parse((const char *)jws->payload, jws->payload_len,
	    TOKEN_MAX, "claims", &claims, NULL) != PB_OK) {
		r = pb_err_set(e, PB_ERR_FORMAT, "the access token is not a "
		    "JWT: its binding cannot be seen");
		goto out;
	}
	jkt = pb_json_get_string(pb_json_get(claims, "cnf"), "jkt");
	if (jkt == NULL)
		r = pb_err_set(e, PB_ERR_CLAIM, "the access token has no "
		    "cnf.jkt");
	else if (strlen(jkt) != PB_DPOP_THUMB_LEN ||
	    !pb_ct_eq(jkt, tp, PB_DPOP_THUMB_LEN))
		r = pb_err_set(e, PB_ERR_CLAIM, "the access token's cnf.jkt "
		    "names another key");
	else
		r = PB_OK;
 out:
	pb_json_delete_wipe(claims);
	pb_jws_free(jws);
	return r;
}

/* The proof's header, unformatted JSON; NULL when out of memory. */
static char *
proof_header(const struct pb_dpop_key *k)
{
	cJSON *h = cJSON_CreateObject(), *jwk = public_jwk(k);
	char *s = NULL;

	if (h != NULL && jwk != NULL &&
	    cJSON_AddStringToObject(h, "typ", "dpop+jwt") != NULL &&
	    cJSON_AddStringToObject(h, "alg", "ES256") != NULL &&
	    cJSON_AddItemToObject(h, "jwk", jwk)) {
		jwk = NULL;		/* h owns it now */
		s = cJSON_PrintUnformatted(h);
	}
	cJSON_Delete(jwk);
	cJSON_Delete(h);
	return s;
}

/* The fixed-size string members of the claims: jti and ath. */
struct proof_ids {
	char	jti[24];		/* 16 random bytes: 22 characters */
	char	ath[COORD64 + 1];
};

static int
proof_ids(const struct pb_secret *tok, struct proof_ids *ids)
{
	uint8_t rnd[16];
	int r;

	memset(ids, 0, sizeof(*ids));
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return PB_ERR_INTERNAL;
	if ((r = b64_fixed(rnd, sizeof(rnd), ids->jti, sizeof(ids->jti)))
	    != PB_OK)
		return r;
	if (tok != NULL)
		return sha256_b64(tok->p, tok->len, ids->ath);
	return PB_OK;
}

/* The proof's claims, unformatted JSON; NULL when out of memory. */
static char *
proof_claims(const struct proof_ids *ids, const char *htm, const char *htu,
    int64_t now, const char *nonce)
{
	cJSON *c = cJSON_CreateObject();
	char *s = NULL;

	if (c != NULL &&
	    cJSON_AddStringToObject(c, "jti", ids->jti) != NULL &&
	    cJSON_AddStringToObject(c, "htm", htm) != NULL &&
	    cJSON_AddStringToObject(c, "htu", htu) != NULL &&
	    cJSON_AddNumberToObject(c, "iat", (double)now) != NULL &&
	    (nonce == NULL ||
	    cJSON_AddStringToObject(c, "nonce", nonce) != NULL) &&
	    (ids->ath[0] == '\0' ||
	    cJSON_AddStringToObject(c, "ath", ids->ath) != NULL))
		s = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return s;
}

/*
 * ES256 over msg: the raw r||s of RFC 7518 3.4 into sig (2 * COORD
 * bytes); *siglen set.
 */
static int
sign_es256(EVP_MD_CTX *md, const char *msg, size_t len, uint8_t *sig,
    size_t *siglen)
{
	ECDSA_SIG *es = NULL;
	uint8_t der[128];
	const unsigned char *dp = der;
	const BIGNUM *br, *bs;
	size_t derlen = sizeof(der);
	int r = PB_ERR_INTERNAL;

	if (EVP_DigestSign(md, der, &derlen, (const unsigned char *)msg,
	    len) != 1 ||
	    (es = d2i_ECDSA_SIG(NULL, &dp, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(es, &br, &bs);
	if (BN_bn2binpad(br, sig, COORD) == COORD &&
	    BN_bn2binpad(bs, sig + COORD, COORD) == COORD) {
		*siglen = 2 * COORD;
		r = PB_OK;
	}
 out:
	ECDSA_SIG_free(es);
	return r;
}

/*
 * Sign msg by alg ("ES256", "RS256" or "EdDSA", which the key's type must
 * fit) into sig (room for sigsz bytes), *siglen set: the JWS signature of
 * RFC 7518 3.3, 3.4 and RFC 8037 3.1.
 */
static int
sign_alg(EVP_PKEY *pkey, const char *alg, const char *msg, size_t len,
    uint8_t *sig, size_t sigsz, size_t *siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const EVP_MD *h = EVP_sha256();
	int r = PB_ERR_INTERNAL, id = EVP_PKEY_get_base_id(pkey);

	if (strcmp(alg, "EdDSA") == 0)
		h = NULL;		/* Ed25519 hashes itself */
	if (md == NULL || (strcmp(alg, "ES256") == 0 ? id != EVP_PKEY_EC :
	    strcmp(alg, "RS256") == 0 ? id != EVP_PKEY_RSA :
	    h != NULL || id != EVP_PKEY_ED25519) ||
	    EVP_DigestSignInit(md, NULL, h, NULL, pkey) != 1)
		goto out;
	if (id == EVP_PKEY_EC) {
		r = sigsz >= 2 * COORD ? sign_es256(md, msg, len, sig,
		    siglen) : PB_ERR_INTERNAL;
		goto out;
	}
	*siglen = sigsz;
	if (EVP_DigestSign(md, sig, siglen, (const unsigned char *)msg,
	    len) == 1)
		r = PB_OK;
 out:
	EVP_MD_CTX_free(md);
	return r;
}

/* "b64(a).b64(b)" in a fresh string; NULL when out of memory. */
static char *
join_b64(const char *a, const char *b)
{
	char *ea = NULL, *eb = NULL, *s = NULL;
	size_t la, lb;

	if (pb_b64url_encode((const uint8_t *)a, strlen(a), &ea) == PB_OK &&
	    pb_b64url_encode((const uint8_t *)b, strlen(b), &eb) == PB_OK) {
		la = strlen(ea);
		lb = strlen(eb);
		if ((s = malloc(la + 1 + lb + 1)) != NULL) {
			memcpy(s, ea, la);
			s[la] = '.';
			memcpy(s + la + 1, eb, lb + 1);
		}
	}
	free(ea);
	free(eb);
	return s;
}

#define SIG_MAX	1024			/* RSA up to 8192 bits */

/* Sign input by alg and put "input.b64(sig)" in *out. */
static int
finish_proof(EVP_PKEY *pkey, const char *alg, const char *input,
    struct pb_secret *out)
{
	uint8_t sig[SIG_MAX];
	char *es = NULL;
	size_t li, ls, sl = 0;
	int r;

	if ((r = sign_alg(pkey, alg, input, strlen(input), sig, sizeof(sig),
	    &sl)) != PB_OK)
		return r;
	if (pb_b64url_encode(sig, sl, &es) != PB_OK)
		return PB_ERR_NOMEM;
	li = strlen(input);
	ls = strlen(es);
	if ((out->p = malloc(li + 1 + ls + 1)) == NULL) {
		free(es);
		return PB_ERR_NOMEM;
	}
	memcpy(out->p, input, li);
	out->p[li] = '.';
	memcpy(out->p + li + 1, es, ls + 1);
	out->len = li + 1 + ls;
	free(es);
	return PB_OK;
}

int
pb_dpop_jws_sign(EVP_PKEY *pkey, const char *alg, const char *header,
    const char *claims, struct pb_secret *out, struct pb_err *e)
{
	char *input;
	int r;

	out->p = NULL;
	out->len = 0;
	if ((input = join_b64(header, claims)) == NULL)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	r = finish_proof(pkey, alg, input, out);
	pb_freezero(input, strlen(input));
	if (r != PB_OK)
		return pb_err_set(e, r, "cannot sign with the %s key", alg);
	return PB_OK;
}

int
pb_dpop_proof(const struct pb_dpop_key *k, const char *htm,
    const char *htu, int64_t now, const char *nonce,
    const struct pb_secret *tok, struct pb_secret *out, struct pb_err *e)
{
	struct proof_ids ids;
	char *hdr = NULL, *claims = NULL;
	int r;

	out->p = NULL;
	out->len = 0;
	if ((r = proof_ids(tok, &ids)) != PB_OK)
		return pb_err_set(e, r, "cannot make a DPoP proof");
	if ((hdr = proof_header(k)) == NULL ||
	    (claims = proof_claims(&ids, htm, htu, now, nonce)) == NULL)
		r = PB_ERR_NOMEM;
	else
		r = pb_dpop_jws_sign(k->pkey, "ES256", hdr, claims, out, e);
	cJSON_free(hdr);
	if (claims != NULL) {
		pb_bzero(claims, strlen(claims));
		cJSON_free(claims);
	}
	pb_bzero(&ids, sizeof(ids));
	if (r != PB_OK)
		return pb_err_set(e, r, "cannot make a DPoP proof");
	return PB_OK;
}
