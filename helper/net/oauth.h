/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_OAUTH_H
#define PB_OAUTH_H

#include <stdint.h>
#include <time.h>

#include "err.h"
#include "secmem.h"
#include "http.h"

/*
 * The helper's OAuth 2.0 / OpenID Connect client: discovery (OpenID Connect
 * Discovery 1.0; oauth.c), the device authorization grant (RFC 8628;
 * device.c), refresh with rotation (RFC 6749 section 6) and revocation
 * (RFC 7009; token.c).  Each request takes the endpoint URL it goes to
 * (borrowed), as discovery found it or as a session stored it.  Every
 * answer is parsed with pb_json_parse() (strict, duplicate names
 * rejected).  Messages in struct pb_err never hold a token, device code or
 * client secret.
 *
 * Error codes shared by the calls below:
 *   PB_ERR_NET     DNS, connect, TLS, reset, timeout (try again later)
 *   PB_ERR_HTTP    an unexpected status (5xx, 404...), a non-JSON or
 *                  malformed answer, or an OAuth error not listed for the
 *                  call (invalid_client, invalid_scope...)
 *   PB_ERR_TOOBIG  an answer over the http body_max
 *   PB_ERR_CONFIG  a URL that is not https (or http to loopback), a client
 *                  whose auth method and secret do not fit, an endpoint the
 *                  IdP does not advertise
 *   PB_ERR_NOMEM, PB_ERR_INTERNAL
 */

/*
 * OpenID Provider metadata; all strings are malloc()ed and owned (freed by
 * pb_oidc_meta_clear()), NULL when absent.  Never fill one with borrowed
 * pointers: the requests below take the endpoints themselves.
 */
struct pb_oidc_meta {
	char	*issuer;			/* equals the configured one */
	char	*authorization_endpoint;	/* the browser login's */
	char	*device_authorization_endpoint;
	char	*token_endpoint;
	char	*revocation_endpoint;
	char	*jwks_uri;
	int	 dpop_es256;	/* dpop_signing_alg_values_supported
				   lists ES256 (RFC 9449 section 5.1) */
	int	 iss_param;	/* authorization_response_iss_parameter_
				   supported is true (RFC 9207 section 3):
				   every authorization response has iss */
	char	*grant_types;	/* grant_types_supported, space-separated
				   (printable names only), for messages;
				   NULL when the document has none */
	unsigned auth_algs;	/* PB_OIDC_ALG_*: what token_endpoint_auth_
				   signing_alg_values_supported lists */
};

/* Bits of auth_algs; 0 when the IdP does not say. */
#define PB_OIDC_ALG_LISTED	0x1	/* the member is there */
#define PB_OIDC_ALG_RS256	0x2
#define PB_OIDC_ALG_ES256	0x4
#define PB_OIDC_ALG_EDDSA	0x8

/* How the client authenticates at the token and other endpoints. */
enum pb_client_auth {
	PB_CLIENT_AUTH_NONE = 0,	/* public: client_id in the body */
	PB_CLIENT_AUTH_BASIC,		/* client_secret_basic (6749 2.3.1) */
	PB_CLIENT_AUTH_POST,		/* client_secret_post: in the body */
	PB_CLIENT_AUTH_JWT		/* private_key_jwt (RFC 7523 2.2) */
};

/*
 * DPoP at the token endpoint (RFC 9449; dpop.h): every token request
 * carries a proof made with key, with the nonce the server gave last.
 */
struct pb_dpop_key;
struct pb_dpop_state {
	const struct pb_dpop_key *key;		/* borrowed; never NULL */
	char	nonce[PB_HTTP_NONCE_MAX + 1];	/* "": none given yet */
};

/*
 * A client.  Everything is borrowed from the caller, who also wipes the
 * secret (pb_secret_clear()).  NONE needs an empty secret, BASIC and POST a
 * non-empty one.  With dpop set, token requests (the device grant,
 * refresh) carry a DPoP proof; an answer use_dpop_nonce with a DPoP-Nonce
 * is tried once more with that nonce, and the last nonce any answer gave
 * is kept in *dpop for the next request.
 */
struct pb_oauth_client {
	const char		*client_id;
	struct pb_secret	 secret;	/* client_secret */
	enum pb_client_auth	 auth;
	const struct pb_http	*http;		/* transport options */
	struct pb_dpop_state	*dpop;		/* NULL: no DPoP */
	/*
	 * PB_CLIENT_AUTH_JWT: a fresh client assertion for the endpoint
	 * aud in *out (the caller wipes it), for every request, since the
	 * IdP refuses a jti it has seen (client_assert.c).
	 */
	int	(*assertion)(void *arg, const char *aud,
		    struct pb_secret *out, struct pb_err *e);
	void			*assertion_arg;
};

/* A device authorization response (RFC 8628 section 3.2). */
struct pb_device {
	struct pb_secret device_code;		/* secret */
	char		*user_code;		/* printable ASCII */
	char		*verification_uri;	/* checked: https or loopback */
	char		*verification_uri_complete;	/* NULL when not sent */
	int64_t		 expires_in;		/* seconds, 1 to 86400 */
	int64_t		 interval;		/* seconds, 5 when not sent */
	int		 interval_sent;		/* whether the IdP sent one */
};

/* A token response (RFC 6749 section 5.1). */
struct pb_tokens {
	struct pb_secret access;		/* never empty on success */
	struct pb_secret refresh;		/* empty: none sent */
	struct pb_secret id_token;		/* empty: none sent */
	int64_t		 expires_at;		/* now + expires_in, or 0 */
	char		*scope;			/* NULL when not sent */
	int		 dpop;			/* token_type DPoP: bound */
};

/*
 * OpenID Connect Discovery: GET issuer + "/.well-known/openid-configuration"
 * (a trailing '/' of the issuer dropped first, section 4), over http.  The
 * document's "issuer" must equal issuer exactly, trailing slash included
 * (section 4.3), else PB_ERR_ISS.  Every endpoint present must pass
 * pb_url_check() (PB_ERR_CONFIG).  On PB_OK *meta holds copies; release with
 * pb_oidc_meta_clear().  On error *meta is left empty.
 */
int pb_oauth_discover(const char *issuer, const struct pb_http *http,
    struct pb_oidc_meta *meta, struct pb_err *e) PB_WUR;

/* Free the strings of *meta and reset it; NULL-safe. */
void pb_oidc_meta_clear(struct pb_oidc_meta *meta);

/*
 * RFC 8628 section 3.1: ask endpoint (the device_authorization_endpoint;
 * NULL: PB_ERR_CONFIG, the IdP advertises none) for a device code.  scope,
 * resource (RFC 8707, an absolute URI) and audience (the parameter Auth0
 * and others use) are sent when not NULL.  On PB_OK *dev holds the answer:
 * release with pb_device_clear() (wipes the device code).  Besides the
 * shared codes: PB_ERR_ACCESS_DENIED when the IdP answers access_denied
 * (unauthorized_client, invalid_client and invalid_scope are PB_ERR_HTTP,
 * with a hint in the message).
 */
int pb_device_start(const char *endpoint,
    const struct pb_oauth_client *client, const char *scope,
    const char *resource, const char *audience, struct pb_device *dev,
    struct pb_err *e) PB_WUR;

/* Wipe the device code, free the strings and reset *dev; NULL-safe. */
void pb_device_clear(struct pb_device *dev);

/*
 * One device access token request (RFC 8628 section 3.4) at token_endpoint
 * (NULL: PB_ERR_CONFIG, the IdP advertises none).  On PB_OK *tokens
 * holds the tokens (expires_at = now + expires_in); release with
 * pb_tokens_clear().  Otherwise *tokens is left empty and the result is
 * PB_ERR_PENDING (ask again after the interval), PB_ERR_SLOWDOWN (the
 * interval grows by 5 s for this and all later requests, section 3.5),
 * PB_ERR_ACCESS_DENIED, PB_ERR_EXPIRED_CODE (expired_token),
 * PB_ERR_INVALID_GRANT (a used or unknown code), or a shared code.  Never
 * repeat a request that returned PB_OK: the IdP answers invalid_grant and
 * may revoke the grant.
 */
int pb_device_poll(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_device *dev,
    time_t now, struct pb_tokens *tokens, struct pb_err *e) PB_WUR;

/* What pb_device_wait() tells its progress callback. */
enum pb_wait_event {
	PB_WAIT_START,		/* before the first sleep */
	PB_WAIT_PENDING,	/* authorization_pending */
	PB_WAIT_SLOWDOWN,	/* slow_down: interval grew by 5 s */
	PB_WAIT_RETRY		/* network error or 5xx/429: backing off */
};

/*
 * Hooks for pb_device_wait(); any may be NULL.
 *   now       wall-clock time in seconds (default time(NULL)); used for the
 *             deadline and expires_at
 *   sleep     sleep that many seconds (default nanosleep, resumed after
 *             signals); nonzero cancels the wait (PB_ERR_CANCELED)
 *   progress  called before every sleep with the event, the seconds until
 *             the device code expires, the coming sleep and, for
 *             PB_WAIT_RETRY, the error; nonzero cancels (PB_ERR_CANCELED)
 */
struct pb_wait {
	time_t	(*now)(void *arg);
	int	(*sleep)(void *arg, unsigned int seconds);
	int	(*progress)(void *arg, enum pb_wait_event ev,
		    int64_t remaining, unsigned int next_sleep,
		    const struct pb_err *err);
	void	*arg;
};

/*
 * Poll until the user decides (RFC 8628 section 3.5): sleep the interval
 * before each request, add 5 s on each slow_down, stop when the device code
 * has lived its expires_in (counted from this call) with
 * PB_ERR_EXPIRED_CODE.  PB_ERR_NET and HTTP 5xx or 429 answers back off
 * exponentially (interval doubled per failure in a row, at most 60 s) and
 * keep polling; anything else ends the wait with its code.  A request that
 * got an HTTP 200 is never repeated.  w may be NULL.  Results as
 * pb_device_poll(), plus PB_ERR_CANCELED.
 */
int pb_device_wait(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_device *dev,
    const struct pb_wait *w, struct pb_tokens *tokens, struct pb_err *e)
    PB_WUR;

/*
 * Refresh (RFC 6749 section 6) at token_endpoint (NULL: PB_ERR_CONFIG) with
 * the refresh token in *refresh.  On PB_OK
 * *tokens holds the new tokens; tokens->refresh is empty when the IdP sent
 * no new refresh token (keep the old one).  Failures:
 *   PB_ERR_INVALID_GRANT  the IdP answered invalid_grant: the session is
 *                         over (forget the refresh token)
 *   PB_ERR_ACCESS_DENIED  any other refusal that retrying cannot fix: a
 *                         400 or 401 with no OAuth error, or an error such
 *                         as invalid_request or invalid_scope; the refresh
 *                         token no longer works, but nobody said it is
 *                         dead, so it is not deleted
 *   PB_ERR_CONFIG         invalid_client or unauthorized_client: the
 *                         profile's client settings
 *   PB_ERR_NET, PB_ERR_HTTP, PB_ERR_TOOBIG  try again later: no answer,
 *                         5xx, 429, temporarily_unavailable, server_error,
 *                         or an answer that is not OAuth
 * *tokens is left empty on error, but for one case: an answer refused for
 * its access token (not a b64token, not Bearer, none) that also carries a
 * good refresh token leaves that one in tokens->refresh.  The IdP has
 * rotated the old one away, so the caller must store it.
 */
int pb_token_refresh(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_secret *refresh,
    time_t now, struct pb_tokens *tokens, struct pb_err *e) PB_WUR;

/*
 * Revoke a refresh token (RFC 7009, token_type_hint=refresh_token) at
 * endpoint (the revocation_endpoint), one attempt.  PB_OK on HTTP 200
 * (which RFC 7009 also gives for tokens the server does not know);
 * PB_ERR_CONFIG when endpoint is NULL (the IdP has no
 * revocation_endpoint); otherwise a shared code.  Best effort: callers
 * delete their copy of the token whatever this returns.
 */
int pb_token_revoke(const char *endpoint,
    const struct pb_oauth_client *client, const struct pb_secret *refresh,
    struct pb_err *e) PB_WUR;

/*
 * The client credentials grant (RFC 6749 section 4.4) at token_endpoint
 * (NULL: PB_ERR_CONFIG) for a confidential client (client_secret_basic,
 * _post, or private_key_jwt with a fresh assertion per request); scope,
 * resource and audience are sent when not NULL or empty.  On PB_OK
 * *tokens holds the access token (a refresh token sent is dropped).
 * Failures: PB_ERR_ACCESS_DENIED for invalid_client or
 * unauthorized_client (the client's key, secret or registration);
 * PB_ERR_CONFIG for another refusal (invalid_scope, a 400 or 401 with no
 * OAuth error); the shared codes (PB_ERR_NET, PB_ERR_HTTP for 5xx, 429,
 * server_error, temporarily_unavailable: try again later).
 */
int pb_token_client_creds(const char *token_endpoint,
    const struct pb_oauth_client *client, const char *scope,
    const char *resource, const char *audience, time_t now,
    struct pb_tokens *tokens, struct pb_err *e) PB_WUR;

/*
 * The authorization code grant's token request (RFC 6749 section 4.1.3)
 * at token_endpoint (NULL: PB_ERR_CONFIG) with the code the browser
 * brought back, the redirect_uri the authorization request named and the
 * PKCE code_verifier (RFC 7636 section 4.5); a DPoP proof when the client
 * has a key.  On PB_OK *tokens holds the tokens (release with
 * pb_tokens_clear()).  Failures: PB_ERR_INVALID_GRANT (invalid_grant: the
 * code is used, expired or does not match the verifier or redirect_uri),
 * PB_ERR_CONFIG (invalid_client, unauthorized_client), or a shared code.
 * A code is good for one request: never repeat one that got an answer.
 */
int pb_token_code(const char *token_endpoint,
    const struct pb_oauth_client *client, const struct pb_secret *code,
    const char *redirect_uri, const struct pb_secret *verifier, time_t now,
    struct pb_tokens *tokens, struct pb_err *e) PB_WUR;

/* Wipe the tokens, free the scope and reset *tokens; NULL-safe. */
void pb_tokens_clear(struct pb_tokens *tokens);

#endif /* PB_OAUTH_H */
