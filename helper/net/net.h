/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_NET_H
#define PB_NET_H

#include <limits.h>
#include <stddef.h>

/*
 * bearer-token-net's commands (login.c, get.c, status.c, logout.c), run
 * by the front binary with the user's arguments (argv[0] is the command
 * name); each returns a PB_EXIT_* status from commands.h.
 */
int pb_login_run(int argc, char **argv);
int pb_get_run(int argc, char **argv);
int pb_status_run(int argc, char **argv);
int pb_logout_run(int argc, char **argv);

/* askpass.c, git_credential.c, kubectl.c: the integrations. */
int pb_kubectl_run(int argc, char **argv);
int pb_git_credential_run(int argc, char **argv);
int pb_askpass_run(int argc, char **argv);
/*
 * askpass_tty.c: askpass's answer to a prompt that is not the module's,
 * from BEARER_TOKEN_ASKPASS_FALLBACK or the terminal; a PB_EXIT_* status.
 */
int pb_askpass_tty_ask(const char *prompt);

/*
 * proof.c: "proof" prints the login proof of DESIGN.md section 5 for a
 * host and a nonce.
 */
int pb_proof_run(int argc, char **argv);

/*
 * The answer to pam_bearer's "Bearer proof for HOST, nonce NONCE: "
 * prompt, in *out (a compact JWS, NUL-terminated; wipe it with
 * pb_secret_clear()): a DPoP proof signed with the session's key, htm
 * "SSH", htu "ssh://" HOST, the nonce, iat now and ath of the access
 * token last handed out (the cached one, which askpass has just sent)
 * while it lives, else of a fresh one (pb_get_token(), PB_TOKEN_LIVE).
 * host (1 to 253 printable ASCII characters without spaces, '/', '@',
 * '?', '#', quotes or '\') is the host the client means to reach,
 * never one the server named.  Returns a PB_EXIT_* status after a message
 * on stderr when not PB_EXIT_OK: PB_EXIT_LOGIN when the session is not
 * bound to a key (or not logged in), PB_EXIT_USAGE for a bad host or
 * nonce, else as pb_get_token().
 */
struct pb_options;
struct pb_secret;
int pb_get_proof(const struct pb_options *o, const char *host,
    const char *nonce, struct pb_secret *out);

/*
 * proof.c, for askpass: a proof longer than one part, kept between the
 * prompts of its parts (a private 0600 file named from the nonce's hash,
 * in the runtime directory, else the state directory).  pb_proof_keep()
 * keeps proof, made for host (TARGET) and nonce; pb_proof_kept() reads it
 * back into *out (wipe it) only for the same host; pb_proof_forget()
 * removes it after the last part.  Kept proofs live 2 minutes at most,
 * 8 at once at most (a new one removes the oldest).
 * Each returns a PB_EXIT_* status after a message on stderr that names no
 * byte of the proof.
 */
int pb_proof_keep(const char *host, const char *nonce,
    const struct pb_secret *proof);
int pb_proof_kept(const char *host, const char *nonce,
    struct pb_secret *out);
void pb_proof_forget(const char *nonce);

/* fetch_jwks.c: fetch-jwks, the server side. */
int pb_fetch_jwks_run(int argc, char **argv);

/*
 * decode.c: "decode" prints a token unverified; verify.c: "verify" checks
 * it as the module would.
 */
int pb_decode_run(int argc, char **argv);
int pb_verify_run(int argc, char **argv);

/* verify.c: a pb_conf_log_fn printing each message on stderr. */
void pb_verify_log_conf(void *ctx, int prio, const char *msg);

/*
 * A valid access token for the profile of o, as "get" finds it (the cache,
 * else a refresh under the lock; with min_ttl PB_TOKEN_CACHED only the
 * cached one, however short its life); *t to be released with
 * pb_token_cache_clear().  Returns a PB_EXIT_* status, after a message on
 * stderr when not PB_EXIT_OK.
 */
#define PB_TOKEN_CACHED	(-2)	/* min_ttl: the cached token or fail */
#define PB_TOKEN_LIVE	(-3)	/* min_ttl: the cached token while it
				   lives, else a refresh */
#define PB_TOKEN_NEW	LONG_MAX	/* min_ttl: a refresh, always */
struct pb_options;
struct pb_cached;
int pb_get_token(const struct pb_options *o, long min_ttl,
    struct pb_cached *t);

/*
 * Forget the cached access token of o's profile when it is tok (a server
 * refused it), so that the next get refreshes.  Warnings only.
 */
struct pb_secret;
void pb_get_drop_cached(const struct pb_options *o,
    const struct pb_secret *tok);

#endif /* PB_NET_H */
