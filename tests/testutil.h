/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_TESTUTIL_H
#define PB_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

/*
 * Test material made with OpenSSL 3 directly, never through common/, so
 * that the tests do not trust the code they test.  This is test code: every
 * function aborts the process with a message on stderr (and OpenSSL's error
 * queue) when anything fails, so callers need no error checks.  Strings and
 * buffers are malloc()ed: free() them; keys go to EVP_PKEY_free().
 */

/* Print "testutil: <message>" and the OpenSSL error queue, then abort(). */
void tu_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Make tu_die() exit(status) instead of abort() (for tools/mktoken, whose
 * errors are user errors, not test failures).  0 restores abort().
 */
void tu_set_exit_status(int status);

/* malloc()ed printf; aborts on failure. */
char *tu_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* malloc()/strdup() that abort instead of returning NULL. */
void *tu_malloc(size_t n);
char *tu_strdup(const char *s);

/* Keys -------------------------------------------------------------------- */

/*
 * Generate a key pair.  type is one of rsa1024 rsa2048 rsa3072 rsa4096
 * ec256 ec384 ec521 ed25519.  RSA generation is slow (rsa4096 takes
 * seconds): prefer tu_load_key() of the keys mkvectors.sh made.
 */
EVP_PKEY *tu_genkey(const char *type);

/* Whether type is one tu_genkey() knows. */
int tu_keytype_ok(const char *type);

/* The test data directory: $PB_TESTDATA, or "data" when unset. */
const char *tu_datadir(void);

/* Read the PEM key (private or public) at path. */
EVP_PKEY *tu_load_key_file(const char *path);

/* Read $PB_TESTDATA/<name>.pem, e.g. tu_load_key("rsa2048"). */
EVP_PKEY *tu_load_key(const char *name);

/* Write k's private key as unencrypted PKCS#8 PEM to path, mode 0600. */
void tu_save_key(EVP_PKEY *k, const char *path);

/* JWKs -------------------------------------------------------------------- */

/*
 * The public JWK (RFC 7517, 7518 6.2/6.3, RFC 8037) of k as compact JSON
 * object text: kty with n and e for RSA; kty, crv, x and y for EC, the
 * coordinates zero-padded to the field size; kty "OKP", crv "Ed25519" and x
 * for Ed25519.  kid, alg and use are added when not NULL.  Never any private
 * member.
 */
char *tu_jwk(EVP_PKEY *k, const char *kid, const char *alg, const char *use);

/*
 * The RFC 7638 SHA-256 thumbprint of k's public key, base64url: the
 * required members of tu_jwk()'s text (crv kty x y; e kty n; crv kty x),
 * in that order, written as JSON by hand and hashed here.
 */
char *tu_jwk_thumbprint(EVP_PKEY *k);

/* {"kty":"oct","k":...} of an HMAC secret, kid and alg when not NULL. */
char *tu_jwk_oct(const void *secret, size_t len, const char *kid,
    const char *alg);

/*
 * A JWK Set {"keys":[...]} from the JWK texts given, ending with NULL.
 * tu_jwks(NULL) is {"keys":[]}.
 */
char *tu_jwks(const char *jwk, ...);

/* The same from an array of n JWK texts. */
char *tu_jwks_v(char *const *jwks, size_t n);

/*
 * Edit a JSON object text (a JWK, a header): set member name to the raw
 * JSON value text (replacing an existing member in place, or adding it at
 * the end), or remove it when value is NULL.  Uses cJSON directly.
 */
char *tu_json_set(const char *json, const char *name, const char *value);

/* tu_json_set() with a JSON string value ("\"" and "\\" escaped). */
char *tu_json_set_str(const char *json, const char *name, const char *value);

/* tu_json_set_str() of base64url(len bytes at p). */
char *tu_json_set_b64(const char *json, const char *name, const void *p,
    size_t len);

/*
 * The base64url string member name of a JSON object text, decoded (e.g. a
 * JWK's "n" or "x").  Aborts when absent.
 */
uint8_t *tu_json_get_b64(const char *json, const char *name, size_t *lenp);

/* base64url and tokens ---------------------------------------------------- */

/* base64url (RFC 4648 section 5) of len bytes, without padding. */
char *tu_b64url(const void *p, size_t len);

/* tu_b64url() of a string's bytes. */
char *tu_b64url_str(const char *s);

/*
 * Lenient decoding of base64url (for taking tokens apart in tests): stops
 * at the first character outside the alphabet.  *lenp gets the length; the
 * result is NUL-terminated.
 */
uint8_t *tu_unb64url(const char *s, size_t *lenp);

/*
 * The raw JWS signature (what goes in the third segment) of len bytes at
 * msg under alg, which alone decides how to sign, whatever a header says:
 * RS256/384/512 (PKCS#1 v1.5), PS256/384/512 (PSS, MGF1 with the same hash,
 * salt of the hash length), ES256/384/512 (raw r||s, each zero-padded to the
 * key's curve size, from OpenSSL's DER), EdDSA and Ed25519 (pure Ed25519),
 * HS256/384/512 (HMAC with hmac_key), "none" (empty).  For HS* key may be
 * NULL; for the others hmac_key is ignored.  *siglenp gets the length.
 */
uint8_t *tu_sig(const char *alg, EVP_PKEY *key, const void *hmac_key,
    size_t hmac_len, const void *msg, size_t len, size_t *siglenp);

/*
 * A compact JWS: base64url(header_json) "." base64url(payload_json) "."
 * base64url(tu_sig(alg, ...)) over the first two segments.  The header and
 * payload are used byte for byte (duplicate names, "none", odd types all
 * pass), and alg need not be the header's (algorithm confusion tests).
 */
char *tu_sign(const char *alg, EVP_PKEY *key, const void *hmac_key,
    size_t hmac_len, const char *header_json, const char *payload_json);

/* Join three segments given as raw strings with an explicit signature. */
char *tu_token(const char *header_json, const char *payload_json,
    const void *sig, size_t siglen);

/* Whether alg is a name tu_sig() can sign with. */
int tu_alg_ok(const char *alg);

/* Files ------------------------------------------------------------------- */

/* A fresh directory made by mkdtemp() under $TMPDIR or /tmp. */
char *tu_tmpdir(void);

/* Remove path and everything under it (no symlinks are followed). */
void tu_rmtree(const char *path);

/*
 * Write content (a string) to dir/name, created or truncated, and set its
 * mode to exactly mode (the umask does not apply).  Returns the path.
 */
char *tu_write_file(const char *dir, const char *name, const char *content,
    mode_t mode);

/* As tu_write_file() for len bytes that may hold NULs. */
char *tu_write_filen(const char *dir, const char *name, const void *content,
    size_t len, mode_t mode);

/*
 * Read the whole file at path (at most 16 MiB) into a NUL-terminated buffer;
 * *lenp (may be NULL) gets the length.
 */
char *tu_read_file(const char *path, size_t *lenp);

/* As tu_read_file() for an open descriptor, read to its end. */
char *tu_read_fd(int fd, size_t *lenp);

#endif /* PB_TESTUTIL_H */
