/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JWK_H
#define PB_JWK_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "err.h"
#include "secmem.h"

/* Key types (RFC 7518 section 6, RFC 8037 for OKP). */
enum pb_kty {
	PB_KTY_RSA = 1,
	PB_KTY_EC,
	PB_KTY_OKP,
	PB_KTY_OCT
};

/*
 * One row of the algorithm table: everything the signature layer needs to
 * know about a JWS "alg" lives here and nowhere else.
 */
struct pb_alg {
	const char	*name;		/* JWS "alg" value */
	unsigned	 bit;		/* bit in an allowlist mask */
	int		 family;	/* equal for names of one algorithm */
	enum pb_kty	 kty;
	const char	*digest;	/* OpenSSL digest name; NULL: EdDSA */
	int		 pss;		/* RSA: 1 for RSASSA-PSS */
	int		 curve;		/* EC/OKP: OpenSSL NID of the curve */
	size_t		 size;		/* EC: bytes of r and of s; HMAC: bytes
					   of the hash (the minimum key size) */
};

/*
 * The table's row for a JWS alg name (case-sensitive, RFC 7515 4.1.1), or
 * NULL when unknown.  "none" is never in the table.
 */
const struct pb_alg *pb_alg_by_name(const char *name);

/* Row i of the table, or NULL past the end (for listing and tests). */
const struct pb_alg *pb_alg_at(size_t i);

/* The default allowlist of DESIGN.md: every asymmetric algorithm. */
unsigned pb_alg_default_mask(void);

/* RSA moduli accepted in a JWK, in bits (RFC 8725 3.5 asks for 2048). */
#define PB_RSA_MIN_BITS	2048
#define PB_RSA_MAX_BITS	16384

/* Flags for pb_jwk_from_json() and pb_jwks_parse(). */
#define PB_JWK_ALLOW_OCT	0x01	/* accept kty "oct": a secret key set */

/*
 * A validated verification key.  Fields are read-only for users.  Keys are
 * checked when built (DESIGN.md "Loading the JWKS"): RSA modulus of at least
 * 2048 bits, odd public exponent of at least 65537, no ROCA fingerprint; EC
 * coordinates of exactly the curve's size and a point on the curve; OKP
 * Ed25519 with a 32-byte x that is a canonical encoding and not a point of
 * small order; private members are ignored, never required.
 */
struct pb_jwk {
	char			*kid;	/* NULL when absent */
	enum pb_kty		 kty;
	int			 curve;	/* EC/OKP curve NID, else 0 */
	const struct pb_alg	*alg;	/* the key's "alg", NULL when absent */
	int			 has_key_ops;	/* key_ops was present */
	EVP_PKEY		*pkey;	/* RSA, EC, OKP */
	struct pb_secret	 secret;	/* oct */
};

/*
 * Build a key from one JWK object.  Returns PB_OK with *out set, or
 * PB_ERR_KEY (unsupported or unsafe key, message says why), PB_ERR_FORMAT
 * (malformed members) or PB_ERR_NOMEM.  Keys whose "use" is not "sig" or
 * whose "key_ops" lacks "verify" are PB_ERR_KEY.  The caller frees *out with
 * pb_jwk_free().
 */
int pb_jwk_from_json(const cJSON *obj, unsigned flags, struct pb_jwk **out,
    struct pb_err *e) PB_WUR;

/*
 * Build an HMAC key from secret bytes (hmac_secret_file).  Secrets shorter
 * than 32 bytes are PB_ERR_KEY.  The bytes are copied; wipe yours.
 */
int pb_jwk_from_secret(const void *p, size_t len, struct pb_jwk **out,
    struct pb_err *e) PB_WUR;

/* Free a key, wiping any secret; NULL-safe. */
void pb_jwk_free(struct pb_jwk *k);

/*
 * Whether key k may verify alg (RFC 8725 3.1): the kty and curve match the
 * algorithm, the key's own "alg", when present, names the same algorithm,
 * and an HMAC key is at least as long as the hash.  PB_OK, or PB_ERR_ALG
 * with a message.
 */
int pb_jwk_fits(const struct pb_jwk *k, const struct pb_alg *alg,
    struct pb_err *e) PB_WUR;

/*
 * The RFC 7638 JWK thumbprint of k's public key: base64url (no padding) of
 * SHA-256 over the required members in lexicographic order, no whitespace
 * ({"crv","kty","x","y"} for EC, {"e","kty","n"} for RSA, {"crv","kty","x"}
 * for OKP), computed from the loaded key, not from the text it came from.
 * An oct key has no public thumbprint: PB_ERR_KEY.  PB_OK with out set (a
 * NUL-terminated string of PB_JWK_THUMB_LEN characters), else PB_ERR_KEY,
 * PB_ERR_NOMEM or PB_ERR_INTERNAL and out holds "".
 */
#define PB_JWK_THUMB_LEN	43
int pb_jwk_thumbprint(const struct pb_jwk *k, char out[PB_JWK_THUMB_LEN + 1],
    struct pb_err *e) PB_WUR;

/* A JWK Set (RFC 7517 section 5) of usable keys. */
struct pb_jwks {
	struct pb_jwk	**keys;
	size_t		  n;
	char		 *source;	/* file name or "(memory)" */
};

/* Called once per key that was skipped, with the reason. */
typedef void pb_jwks_skip_fn(void *ctx, const char *msg);

/*
 * Parse a JWK Set.  Each key is validated; one that fails is skipped with a
 * call to skip (may be NULL) and the others stay usable, since IdPs publish
 * encryption keys beside signing keys.  A set with no usable key is
 * PB_ERR_KEY.  Without PB_JWK_ALLOW_OCT, "oct" keys are skipped; with it, a
 * set mixing secret and public keys is PB_ERR_KEY.  source names the set in
 * messages.  The caller frees *out with pb_jwks_free().
 */
int pb_jwks_parse(const char *buf, size_t len, unsigned flags,
    const char *source, pb_jwks_skip_fn *skip, void *ctx,
    struct pb_jwks **out, struct pb_err *e) PB_WUR;

/*
 * Read and parse the JWK Set file at path (at most PB_JWKS_MAX bytes, a
 * regular file).  A missing or unreadable file is PB_ERR_IO; otherwise as
 * pb_jwks_parse().
 */
#define PB_JWKS_MAX	(1024 * 1024)
#define PB_JWKS_MAX_KEYS	256	/* keys in a set, at most */
int pb_jwks_load(const char *path, unsigned flags, pb_jwks_skip_fn *skip,
    void *ctx, struct pb_jwks **out, struct pb_err *e) PB_WUR;

/* Free a set and its keys; NULL-safe. */
void pb_jwks_free(struct pb_jwks *set);

#define PB_JWKS_NOKID_MAX	8	/* keys tried for a token without kid */

/*
 * Select the key for a token (DESIGN.md "Verification order").  With a kid:
 * the one key of that kid that fits alg; no key, or two that fit, is
 * PB_ERR_NOKEY with a message naming the kid and the set's source.  With
 * none (kid NULL): the first key of the set that fits alg, PB_ERR_NOKEY
 * when none does or more than PB_JWKS_NOKID_MAX do (so that a login costs
 * at most that many signature checks); the caller tries the others with
 * pb_jwks_next() (every key of a set is the one issuer's: IdPs that omit
 * kid, and a rotation that keeps the old key for its tokens, give
 * several).  *out points into the set.
 */
int pb_jwks_find(const struct pb_jwks *set, const char *kid,
    const struct pb_alg *alg, const struct pb_jwk **out,
    struct pb_err *e) PB_WUR;

/*
 * The next key of set after prev (a key of the set, or NULL for the
 * first) that fits alg, or NULL when there is none.
 */
const struct pb_jwk *pb_jwks_next(const struct pb_jwks *set,
    const struct pb_alg *alg, const struct pb_jwk *prev);

struct pb_jws;

/*
 * The signature of jws (jws.h) with the key of set pb_jwks_find() picks;
 * a token without kid is tried with each key of the set that fits its
 * alg in turn (pb_jwks_next()).  PB_OK, or the code and message of
 * pb_jwks_find() or pb_jws_verify().  The module's and the helper's ID
 * token check share it.
 */
int pb_jwks_verify(const struct pb_jwks *set, const struct pb_jws *jws,
    struct pb_err *e) PB_WUR;

#endif /* PB_JWK_H */
