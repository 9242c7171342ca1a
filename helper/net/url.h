/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_URL_H
#define PB_URL_H

#include "err.h"

/*
 * The URLs the helper may fetch, for http.c and for the checks of
 * configured and discovered endpoints (http.h includes this).
 */

/*
 * Check that url may be fetched: an absolute https URL with a host, or an
 * http URL whose host is loopback (127.0.0.0/8, [::1] or localhost).  No
 * user name or password, no fragment, nothing outside printable ASCII.
 * Returns PB_OK, or PB_ERR_CONFIG with a message naming what (e.g.
 * "issuer", "token_endpoint") and the escaped URL.
 */
int pb_url_check(const char *url, const char *what, struct pb_err *e) PB_WUR;

/*
 * pb_url_check(), and *plainp set to 1 when url is plain http (to a
 * loopback host), else 0.  Returns as pb_url_check().
 */
int pb_url_check_plain(const char *url, const char *what, int *plainp,
    struct pb_err *e) PB_WUR;

/*
 * An endpoint url that the (checked) issuer names in its discovery
 * document: pb_url_check(), and https when the issuer is, so that an https
 * issuer cannot send a token or a secret over plain http to a loopback
 * port.  Returns as pb_url_check().
 */
int pb_url_check_endpoint(const char *url, const char *what,
    const char *issuer, struct pb_err *e) PB_WUR;

/* Sizes of pb_url_hostport()'s buffers. */
#define PB_URL_HP_BUFSZ	(2 * PB_SAFE_BUFSZ + 2)

/*
 * Host (into host) and host:port (into hp, e.g. "127.0.0.1:443") of url
 * for messages, escaped with pb_log_safe(): they come from the
 * configuration or from a discovery document.  "?" when url does not
 * parse.  Never fails.
 */
void pb_url_hostport(const char *url, char host[PB_SAFE_BUFSZ],
    char hp[PB_URL_HP_BUFSZ]);

#endif /* PB_URL_H */
