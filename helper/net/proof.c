/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proof: the login proof of DESIGN.md section 5, the answer to pam_bearer's
 * "Bearer proof for HOST, nonce NONCE: " prompt.  A DPoP proof (dpop.h)
 * signed with the session's key: htm "SSH", htu "ssh://HOST", the nonce,
 * iat now, ath of the access token last handed out (the one the module
 * has just verified) while it lives, else of a fresh one.  For scripts and
 * tests ("bearer-token proof"), and for askpass (pb_get_proof()).  An
 * unbound session has no proof to give.  Messages go to stderr and never
 * hold a token, a key or a proof; stdout carries the proof only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token_cache.h"
#include "commands.h"
#include "dpop.h"
#include "err.h"
#include "net.h"
#include "out.h"
#include "secmem.h"
#include "session.h"

#define HOST_MAX	253		/* a DNS name, at most */
#define NONCE_MAX	PB_HTTP_NONCE_MAX

/*
 * Whether v (named what) is 1 to max printable ASCII characters with no
 * space and none of the bytes in bad; says why not on stderr.
 */
static int
plain_arg(const char *what, const char *v, size_t max, const char *bad)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e || strchr(bad, v[i]) != NULL)
			break;
	if (n == 0 || n > max || i < n) {
		fprintf(stderr, "%s: proof: %s must be 1 to %zu printable "
		    "ASCII characters without spaces or any of \"%s\"\n",
		    PB_PROG, what, max, bad);
		return 0;
	}
	return 1;
}

/*
 * The session's DPoP key into *k: PB_EXIT_OK, or an exit status after a
 * message (PB_EXIT_LOGIN when the session is not bound: no proof).
 */
static int
session_key(const struct pb_options *o, struct pb_dpop_key **k)
{
	struct pb_sess s;
	struct pb_stored st;
	struct pb_err e;
	int rv;

	*k = NULL;
	memset(&st, 0, sizeof(st));
	pb_err_clear(&e);
	if ((rv = pb_session_open(&s, o)) != PB_EXIT_OK ||
	    (rv = pb_session_load(&s, &st, NULL, 0, NULL)) != PB_EXIT_OK)
		goto out;
	if (st.dpop_key.len == 0) {
		pb_session_login_hint(&s, "proof: the session is not bound to "
		    "a key (the IdP did not bind it, or dpop = no), so there "
		    "is no proof to give; to bind it, set dpop = yes or auto "
		    "and log in again");
		rv = PB_EXIT_LOGIN;
		goto out;
	}
	if (pb_dpop_key_from_json(st.dpop_key.p, st.dpop_key.len, k, &e) !=
	    PB_OK) {
		pb_session_say("proof: cannot use the session's key", &e);
		pb_session_login_hint(&s, "the stored session is damaged");
		rv = PB_EXIT_LOGIN;
	}
 out:
	pb_session_stored_clear(&st);
	pb_session_close(&s);
	return rv;
}

int
pb_get_proof(const struct pb_options *o, const char *host, const char *nonce,
    struct pb_secret *out)
{
	struct pb_dpop_key *k = NULL;
	struct pb_cached t;
	struct pb_err e;
	char *htu = NULL;
	int rv;

	out->p = NULL;
	out->len = 0;
	memset(&t, 0, sizeof(t));
	if (!plain_arg("the host", host, HOST_MAX, "/@?#\\\"'") ||
	    !plain_arg("the nonce", nonce, NONCE_MAX, "\"\\"))
		return PB_EXIT_USAGE;
	/* The key first: an unbound session needs no refresh. */
	if ((rv = session_key(o, &k)) != PB_EXIT_OK ||
	    (rv = pb_get_token(o, PB_TOKEN_LIVE, &t)) != PB_EXIT_OK)
		goto out;
	pb_err_clear(&e);
	if (asprintf(&htu, "ssh://%s", host) < 0) {
		htu = NULL;
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		rv = PB_EXIT_FAIL;
	} else if (pb_dpop_proof(k, "SSH", htu, (int64_t)time(NULL), nonce,
	    &t.token, out, &e) != PB_OK) {
		pb_session_say("proof", &e);
		rv = PB_EXIT_FAIL;
	}
 out:
	free(htu);
	pb_token_cache_clear(&t);
	pb_dpop_key_free(k);
	return rv;
}

/*
 * Take --host HOST and --nonce N (or --host=HOST, --nonce=N) out of argv
 * into *host and *nonce, keeping the rest, in order, in argv[0..*argc).
 * Returns PB_EXIT_OK or PB_EXIT_USAGE after a message.
 */
static int
take_args(int *argc, char **argv, const char **host, const char **nonce)
{
	static const char *const names[2] = { "--host", "--nonce" };
	const char **dst[2] = { host, nonce };
	int i, j, k, n = 1;
	size_t l;

	for (i = 1; i < *argc; i++) {
		for (k = 0; k < 2; k++) {
			l = strlen(names[k]);
			if (strncmp(argv[i], names[k], l) == 0 &&
			    (argv[i][l] == '\0' || argv[i][l] == '='))
				break;
		}
		if (k == 2) {
			argv[n++] = argv[i];
			continue;
		}
		if (argv[i][l] == '=')
			*dst[k] = argv[i] + l + 1;
		else if ((j = i + 1) < *argc)
			*dst[k] = argv[i = j];
		else {
			fprintf(stderr, "%s: proof: %s needs a value\n",
			    PB_PROG, names[k]);
			return PB_EXIT_USAGE;
		}
	}
	*argc = n;
	return PB_EXIT_OK;
}

int
pb_proof_run(int argc, char **argv)
{
	struct pb_options o;
	struct pb_secret p = { NULL, 0 };
	const char *host = NULL, *nonce = NULL;
	int rv;

	if ((rv = take_args(&argc, argv, &host, &nonce)) != PB_EXIT_OK ||
	    (rv = pb_options_parse(argc, argv, &o, NULL, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	if (host == NULL || nonce == NULL) {
		fprintf(stderr, "%s: proof: --host and --nonce are required\n",
		    PB_PROG);
		pb_commands_help("proof", 1);
		return PB_EXIT_USAGE;
	}
	if ((rv = pb_get_proof(&o, host, nonce, &p)) == PB_EXIT_OK)
		rv = pb_out_token(&p, 0);
	pb_secret_clear(&p);
	return rv;
}
