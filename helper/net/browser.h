/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_BROWSER_H
#define PB_BROWSER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "secmem.h"
#include "oauth.h"

/*
 * The browser login (DESIGN.md section 3, grant = browser): the
 * authorization code grant (RFC 6749 section 4.1) with PKCE S256 (RFC
 * 7636), state and nonce, for a native client whose redirect URI is
 * http://127.0.0.1:PORT/callback (RFC 8252 section 7.3).  browser.c makes
 * the secrets and the authorization URL, opens the browser and drives the
 * login; loopback.c is the one-shot listener the browser comes back to.
 * Nothing here prints the code, the state, the verifier or the nonce
 * (the URL holds the state and the nonce, as it must: the browser
 * carries them).
 */

/* 32 random bytes in base64url (RFC 7636 section 4.1): 43 characters. */
#define PB_BROWSER_RAND_LEN	43

/* The default wait for the browser's callback, and the longest. */
#define PB_BROWSER_WAIT		300
#define PB_BROWSER_WAIT_MAX	3600

/* browser.c -------------------------------------------------------------- */

/* 32 fresh random bytes, base64url, NUL-terminated, in out. */
int pb_browser_random(char out[PB_BROWSER_RAND_LEN + 1], struct pb_err *e)
    PB_WUR;

/*
 * The S256 code challenge of verifier (RFC 7636 section 4.2):
 * BASE64URL(SHA256(ASCII(verifier))), 43 characters and a NUL in out.
 */
int pb_browser_challenge(const char *verifier,
    char out[PB_BROWSER_RAND_LEN + 1], struct pb_err *e) PB_WUR;

/* Whether the space-separated scope holds word (NULL scope: no). */
int pb_browser_scope_has(const char *scope, const char *word);

/*
 * What an authorization request (RFC 6749 section 4.1.1) carries; all
 * borrowed.  scope, resource and audience may be NULL.
 */
struct pb_browser_req {
	const char	*endpoint;	/* authorization_endpoint */
	const char	*client_id;
	const char	*redirect_uri;
	const char	*scope;
	const char	*resource;	/* RFC 8707 */
	const char	*audience;
	const char	*state;
	const char	*nonce;
	const char	*challenge;	/* S256 */
};

/*
 * The authorization URL in *out (malloc()ed, NUL-terminated; free it with
 * pb_freezero()): the endpoint, '?' (or '&' when it has a query already)
 * and response_type=code, client_id, redirect_uri, scope, resource,
 * audience, state, nonce (only when the scope holds openid: an OpenID
 * Connect parameter), code_challenge, code_challenge_method=S256 and,
 * when the scope asks for offline_access, prompt=consent (OpenID Connect
 * Core section 11), every value percent-encoded.  PB_ERR_NOMEM or
 * PB_ERR_TOOBIG.
 */
int pb_browser_url(const struct pb_browser_req *q, char **out,
    struct pb_err *e) PB_WUR;

/*
 * Whether a browser can be opened here: $DISPLAY or $WAYLAND_DISPLAY is
 * set and not empty, and xdg-open is on $PATH.
 */
int pb_browser_available(void);

/*
 * The browser login of profile c with client (its DPoP key set when the
 * session is to be bound) at the IdP of meta: the listener, the URL on
 * stderr as "Open this page to log in: URL" (and, when json_line is not
 * NULL, a JSON line given to it: authorization_url, redirect_uri,
 * expires_in), the browser opened when pb_browser_available(), the wait of
 * at most wait seconds for the one valid callback, then the code
 * exchanged at the token endpoint.  On PB_OK *tok holds the tokens and
 * nonce the nonce the ID token must carry (the caller wipes it).  Errors:
 * PB_ERR_CONFIG (no authorization_endpoint, the IdP refused the client
 * or scope), PB_ERR_ACCESS_DENIED (refused in the browser),
 * PB_ERR_EXPIRED_CODE (no callback in time), PB_ERR_ISS (RFC 9207 iss of
 * another issuer), PB_ERR_IO (the listener), pb_token_code()'s.
 */
struct pb_profile;
struct pb_json_writer;
int pb_browser_login(const struct pb_profile *c,
    const struct pb_oauth_client *client, const struct pb_oidc_meta *meta,
    long wait, int (*json_line)(struct pb_json_writer *),
    struct pb_tokens *tok, char nonce[PB_BROWSER_RAND_LEN + 1],
    struct pb_err *e) PB_WUR;

/* loopback.c ------------------------------------------------------------- */

/* What the browser brought back to /callback (RFC 6749 4.1.2, RFC 9207). */
struct pb_loopback_cb {
	struct pb_secret code;		/* empty: none */
	char	*state;			/* NULL: none, for each below */
	char	*iss;
	char	*error;
	char	*error_description;
};

/* Wipe and free the members of *cb and reset it; NULL-safe. */
void pb_loopback_cb_clear(struct pb_loopback_cb *cb);

/* pb_loopback_parse()'s verdicts. */
#define PB_LOOPBACK_CALLBACK	200	/* GET /callback, *cb filled */
#define PB_LOOPBACK_BAD		400	/* a malformed request or query */
#define PB_LOOPBACK_OTHER	404	/* another method or path */

/*
 * One HTTP request as received (len bytes of req, the request line first):
 * PB_LOOPBACK_CALLBACK for "GET /callback" or "GET /callback?QUERY" with
 * *cb filled from the query (application/x-www-form-urlencoded; a
 * parameter given twice is PB_LOOPBACK_BAD, RFC 6749 section 3.1), else
 * PB_LOOPBACK_OTHER or PB_LOOPBACK_BAD with *cb empty.  PB_ERR_NOMEM.
 */
int pb_loopback_parse(const char *req, size_t len, struct pb_loopback_cb *cb)
    PB_WUR;

/* Whether got is the state want (both NUL-terminated), in constant time. */
int pb_loopback_state_eq(const char *want, const char *got);

/* The listener: a socket on 127.0.0.1 and its port. */
struct pb_loopback {
	int		fd;		/* -1: closed */
	unsigned int	port;
};

/*
 * Listen on 127.0.0.1, on port (the profile's redirect_port) or, when it
 * is 0, an ephemeral port; non-blocking and close-on-exec, with
 * SO_REUSEADDR for a fixed port (on Linux no second socket can listen on
 * it).  PB_OK; PB_ERR_CONFIG when port is in use; PB_ERR_IO.  Close with
 * pb_loopback_close() (also after an error).
 */
int pb_loopback_open(struct pb_loopback *l, unsigned int port,
    struct pb_err *e) PB_WUR;

/* Close the listener (no-op when closed). */
void pb_loopback_close(struct pb_loopback *l);

/*
 * The iss of a callback, got (NULL: none), against issuer (RFC 9207
 * section 2.4): PB_OK when it is issuer, or absent and iss_required is 0
 * (the IdP does not say it sends iss: authorization_response_iss_
 * parameter_supported); else PB_ERR_ISS with a message.
 */
int pb_loopback_iss_check(const char *got, const char *issuer,
    int iss_required, struct pb_err *e) PB_WUR;

/*
 * Answer requests on l until one GET /callback carries state, or for
 * wait seconds at most (PB_ERR_EXPIRED_CODE).  A connection from another
 * uid (or whose owner is not found: pb_peer_uid()) is closed unread.  Each
 * connection has a few seconds and 8 KiB for its request; when all slots
 * are busy the oldest idle one makes room.  Other paths get a 404, a
 * callback without the state a 400 (and, once, a note on stderr), and
 * the wait goes on.
 * The callback with the state: an iss that pb_loopback_iss_check()
 * refuses is PB_ERR_ISS; an error is PB_ERR_ACCESS_DENIED for
 * access_denied, else PB_ERR_HTTP (*cb holds the error); a code is PB_OK
 * with *cb filled (release with pb_loopback_cb_clear()); each gets a page
 * saying so.  tick (may be NULL) is called about once a second.
 */
int pb_loopback_wait(struct pb_loopback *l, const char *state,
    const char *issuer, int iss_required, long wait, void (*tick)(void *),
    void *arg, struct pb_loopback_cb *cb, struct pb_err *e) PB_WUR;

#endif /* PB_BROWSER_H */
