/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the stored session (helper/net/session.c's
 * stored_parse()), the JSON document the token store holds per profile
 * and that every "get", "status" and "logout" reads back from the keyring
 * or the state file.
 *
 * stored_parse() and stored_build() are static: this file includes
 * session.c, so the target runs the production functions unchanged, and
 * links the rest of bearer-token-net's code (libfuzznet.la) that session.c
 * calls elsewhere.
 *
 * Besides the sanitizers: known error codes, nothing left set on failure,
 * and a parsed session is built again and parses back to the same
 * session.
 */
#include "../../helper/net/session.c"

#include <stdint.h>

#include "fuzzutil.h"

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_secret v = { NULL, 0 }, built = { NULL, 0 };
	struct pb_stored s, s2;
	struct pb_err e;
	int r;

	/* The store hands out NUL-terminated values (store.h). */
	v.p = fz_strndup(data, size);
	v.len = size;
	pb_err_clear(&e);
	r = stored_parse(&v, &s, &e);
	fz_check_err(r, &e);
	if (r != PB_OK) {
		if (s.refresh.p != NULL || s.token_endpoint != NULL ||
		    s.subject != NULL || s.username != NULL ||
		    s.revocation_endpoint != NULL)
			fz_broken("stored_parse() left a session on failure",
			    r);
		goto out;
	}
	if (s.token_endpoint == NULL)
		fz_broken("stored_parse() without a token endpoint", r);
	r = stored_build(&s, &built, &e);
	fz_check_err(r, &e);
	if (r != PB_OK)
		fz_broken("a parsed session does not build", r);
	r = stored_parse(&built, &s2, &e);
	if (r != PB_OK)
		fz_broken("a built session does not parse", r);
	if (s2.refresh.len != s.refresh.len ||
	    (s.refresh.len > 0 &&
	    memcmp(s2.refresh.p, s.refresh.p, s.refresh.len) != 0) ||
	    !same_str(s2.token_endpoint, s.token_endpoint) ||
	    !same_str(s2.revocation_endpoint, s.revocation_endpoint) ||
	    !same_str(s2.subject, s.subject) ||
	    !same_str(s2.username, s.username) ||
	    s2.logged_in_at != s.logged_in_at)
		fz_broken("the stored session does not round-trip", r);
	pb_session_stored_clear(&s2);
	pb_session_stored_clear(&s);
 out:
	pb_secret_clear(&built);
	pb_secret_clear(&v);
	return 0;
}
