/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_JWKSET_H
#define PB_JWKSET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

/*
 * JWK Sets as fetch-jwks merges them: telling keys apart, with or without
 * kid, writing a set in one canonical text, and the merge itself.  The
 * keys are cJSON objects; only the merge validates a key (with
 * pb_jwk_from_json(), the module's loader), and it says on stderr which
 * keys it leaves out, and on stdout which --drop removed.
 */

#define PB_JWKSET_MAX_DROP	16

/* What fetch-jwks keeps of the keys the IdP no longer publishes. */
struct pb_jwkset_retire {
	long		 keep;		/* seconds, --keep-retired */
	const char	*drop[PB_JWKSET_MAX_DROP];	/* --drop KID */
	size_t		 ndrop;
};

/* The kid of a JWK object (a string member), or NULL. */
const char *pb_jwkset_kid(const cJSON *k);

/* 1 when the array keys holds a JWK whose kid is kid, else 0. */
int pb_jwkset_has_kid(const cJSON *keys, const char *kid);

/*
 * 1 when the array keys holds k: a JWK with k's kid or, when k has no
 * kid, one with the same public key (the RFC 7638 thumbprint members,
 * compared as text); else 0.  A key that lost or changed its kid is not
 * held: it is retired under the old kid, which tokens may still name.
 */
int pb_jwkset_holds(const cJSON *keys, const cJSON *k);

/*
 * The number of signing entries of the array keys ("use" absent or
 * "sig") whose kid is kid: more than one is ambiguous, and the module's
 * loader skips them all.
 */
int pb_jwkset_signing_twins(const cJSON *keys, const char *kid);

/*
 * Put the JWK Set doc in canonical form, in place: the members of every
 * object by name (arrays keep their order: x5c is ordered), then the keys
 * by kid (none first) and by their text.  The same keys, however the IdP
 * orders keys and members, then print as the same text.  PB_OK, or
 * PB_ERR_NOMEM (doc is then still the same set, in some order).
 */
int pb_jwkset_canonical(cJSON *doc) PB_WUR;

/*
 * Append to the array out copies of the IdP's signing keys in the array in
 * that the module can use, each checked by pb_jwk_from_json(); others are
 * left out with a note.  Returns the count, or -1 when out of memory.
 */
int pb_jwkset_take_new(const cJSON *in, cJSON *out) PB_WUR;

/*
 * Keys of the old set old (may be NULL) that the IdP no longer publishes
 * (their kid, or for a key without kid the key itself, is not among the
 * new keys in out), kept (appended to out) until o->keep seconds after
 * the first run that found them gone, which marks them with that time.
 * Only keys the module would use as signing keys are kept: an encryption
 * key, a key the loader refuses, or a kid on two signing keys would make
 * the merged set load fewer keys than it lists, and every later run fail.
 * Keys named by --drop go at once; *hit gets bit i for each o->drop[i]
 * found.  Returns the count kept, or -1 when out of memory.
 */
int pb_jwkset_keep_retired(const cJSON *old,
    const struct pb_jwkset_retire *o, int64_t now, cJSON *out,
    unsigned *hit) PB_WUR;

/*
 * The IdP's keys and the retired ones kept must fit what the module loads
 * (PB_JWKS_MAX_KEYS keys, PB_JWKS_MAX bytes), or the IdP's new keys would
 * never be written; and a token without kid is tried with at most
 * PB_JWKS_NOKID_MAX keys, or it is refused, so kid-less keys must not pile
 * up past that over rotations.  Drop retired keys, the longest retired
 * first (by their mark), until the set fits.  keys holds the IdP's fresh
 * keys, then the *kept retired ones; the IdP's own always stay (if they
 * alone do not fit, the load says so).  Returns how many went, or -1 when
 * out of memory.
 */
int pb_jwkset_fit_limits(cJSON *keys, int fresh, int *kept) PB_WUR;

#endif /* PB_JWKSET_H */
