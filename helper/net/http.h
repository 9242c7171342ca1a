/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_HTTP_H
#define PB_HTTP_H

#include <stddef.h>

#include "err.h"
#include "form.h"		/* pb_form_add(): the bodies of POSTs */
#include "secmem.h"
#include "url.h"		/* pb_url_check() */

/*
 * The helper's HTTP client: a thin layer over libcurl that holds every
 * request body and every answer in a struct pb_secret (STYLE.md 2.4), caps
 * the answer size, follows no redirects, speaks only https (and http to
 * loopback, checked by pb_url_check() before each request), and turns
 * curl's failures into messages that say what to check.  Proxies come from
 * the environment as curl reads them (https_proxy, no_proxy...), except
 * that plain http, loopback only, never goes through a proxy.
 *
 * An HTTP answer of any status is PB_OK here: the caller judges the status
 * (the OAuth layer in oauth.c knows which statuses carry an error object).
 */

#define PB_HTTP_BODY_MAX		(1024 * 1024)	/* default answer cap */
#define PB_HTTP_CONNECT_TIMEOUT		10		/* seconds */
#define PB_HTTP_TIMEOUT			30		/* seconds */

/*
 * Transport options.  Fill with pb_http_init() and change what you need.
 * The strings are borrowed: they must outlive the requests.
 */
struct pb_http {
	long		 connect_timeout;	/* seconds, > 0 */
	long		 timeout;		/* whole request, s, > 0 */
	const char	*ca_file;		/* PEM CAs; NULL: system */
	size_t		 body_max;		/* answer cap in bytes, > 0 */
	const char	*user_agent;		/* "bearer-token/VERSION" */
	/*
	 * NULL, or called while a request runs: with sent 0 until it goes
	 * out (connecting, TLS; a nonzero return then aborts it with nothing
	 * sent, PB_ERR_CANCELED), with sent 1 after (the return is ignored).
	 */
	int		(*check)(void *arg, int sent);
	void		*check_arg;
	/*
	 * NULL, or a DPoP proof (RFC 9449) that POSTs send as the header
	 * "DPoP: PROOF"; borrowed (oauth.c sets it on a copy of these
	 * options for one request).  The header text is wiped after.
	 */
	const struct pb_secret *dpop;
};

/* The longest DPoP-Nonce value kept from an answer. */
#define PB_HTTP_NONCE_MAX	255

/* One answer.  body is NUL-terminated (not counted in len) when set. */
struct pb_http_resp {
	long		 status;		/* HTTP status, e.g. 200 */
	struct pb_secret body;			/* pb_http_resp_clear wipes */
	/*
	 * The answer's DPoP-Nonce header (RFC 9449 section 8): "" when
	 * absent, longer than PB_HTTP_NONCE_MAX or not NQCHAR.
	 */
	char		 dpop_nonce[PB_HTTP_NONCE_MAX + 1];
};

/*
 * Initialise libcurl (curl_global_init()) once per process, before any
 * thread starts.  Returns PB_OK, or PB_ERR_INTERNAL with a message.  Pair
 * with pb_http_global_cleanup() at exit.
 */
int pb_http_global_init(struct pb_err *e) PB_WUR;

/* Release libcurl's global state (curl_global_cleanup()). */
void pb_http_global_cleanup(void);

/*
 * Set *h to the defaults: PB_HTTP_CONNECT_TIMEOUT, PB_HTTP_TIMEOUT, the
 * system CA store, PB_HTTP_BODY_MAX and the user agent
 * "bearer-token/PACKAGE_VERSION"; no check, no DPoP proof.
 */
void pb_http_init(struct pb_http *h);

/* Wipe and free the body of *r and reset it; NULL-safe. */
void pb_http_resp_clear(struct pb_http_resp *r);

/*
 * GET url (checked with pb_url_check()) with "Accept: application/json".
 * what names the endpoint in messages ("discovery", "token endpoint").  On
 * PB_OK, *resp holds the status and the body (the caller clears it with
 * pb_http_resp_clear()); any HTTP status is PB_OK.  Errors, with a message
 * in *e: PB_ERR_CONFIG (URL refused, unreadable ca_file), PB_ERR_NET (DNS,
 * connect, TLS, reset, timeout), PB_ERR_TOOBIG (answer over body_max),
 * PB_ERR_NOMEM, PB_ERR_INTERNAL; *resp is then empty.
 */
int pb_http_get(const struct pb_http *h, const char *url, const char *what,
    struct pb_http_resp *resp, struct pb_err *e) PB_WUR;

/*
 * POST the form body (from pb_form_add(); borrowed, not wiped here) to url
 * as application/x-www-form-urlencoded, otherwise as pb_http_get().  When
 * basic_user is not NULL the request carries "Authorization: Basic" with
 * basic_user and basic_pass, each form-urlencoded first (RFC 6749 section
 * 2.3.1); the header text is wiped after the request.  When basic_user is
 * NULL no Authorization header is sent (a public client).
 */
int pb_http_post_form(const struct pb_http *h, const char *url,
    const char *what, const struct pb_secret *form, const char *basic_user,
    const struct pb_secret *basic_pass, struct pb_http_resp *resp,
    struct pb_err *e) PB_WUR;

#endif /* PB_HTTP_H */
