/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_OAUTH_WIRE_H
#define PB_OAUTH_WIRE_H

#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "secmem.h"
#include "http.h"
#include "oauth.h"

/*
 * What the requests at OAuth endpoints share, inside libnet only: oauth.c
 * (client authentication, the judgement of an answer, messages) and
 * token.c (the token endpoint request), for device.c and token.c.  sent
 * is the secret a request carried (device code, refresh token; may be
 * NULL): a message never quotes it, nor the client secret.
 */

/*
 * A count of seconds in min..max: a JSON number (floored, finite) or a
 * string of decimal digits (Entra ID v1).  PB_OK with *out set, else
 * PB_ERR_FORMAT (no message).
 */
int pb_oauth_seconds(const cJSON *v, int64_t min, int64_t max, int64_t *out)
    PB_WUR;

/*
 * The OAuth error code oerr for a message, escaped and cut into buf, or a
 * fixed phrase when it quotes sent or the client secret.  Returns buf or
 * that phrase (static).
 */
const char *pb_oauth_error_code(const char *oerr,
    const struct pb_oauth_client *c, const struct pb_secret *sent, char *buf,
    size_t bufsz);

/*
 * Add c's authentication (RFC 6749 section 2.3) to form and POST it to
 * url, with the header "DPoP: PROOF" when dpop is not NULL; what names the
 * endpoint in messages.  As pb_http_post_form(): on PB_OK *resp holds the
 * answer, to release with pb_http_resp_clear().
 */
int pb_oauth_post(const struct pb_oauth_client *c, const char *url,
    const char *what, struct pb_secret *form, const struct pb_secret *dpop,
    struct pb_http_resp *resp, struct pb_err *e) PB_WUR;

/*
 * Judge an answer of an OAuth endpoint (RFC 6749 section 5.2).  PB_OK with
 * *oerr NULL: a 200 with a JSON object in *doc.  PB_OK with *oerr set (it
 * points into *doc): an error object.  Else PB_ERR_HTTP with a message and
 * *doc NULL.  The caller frees *doc with pb_json_delete_wipe().
 */
int pb_oauth_judge(const struct pb_http_resp *resp, const char *what,
    const struct pb_oauth_client *c, const struct pb_secret *sent,
    cJSON **docp, const char **oerr, struct pb_err *e) PB_WUR;

/*
 * The message for an OAuth error oerr in doc with no code of its own, with
 * a hint for the client and scope errors.  Returns PB_ERR_HTTP.
 */
int pb_oauth_refused(const cJSON *doc, const char *oerr, const char *what,
    const struct pb_oauth_client *c, const struct pb_secret *sent,
    struct pb_err *e);

/*
 * POST form to token_endpoint (NULL: PB_ERR_CONFIG, the IdP advertises
 * none) and read the tokens into *tokens.  oerr_map turns the OAuth error
 * codes this grant knows into our codes (PB_OK for "not mine").
 * *statusp gets the HTTP status (0 when none came).  *refusedp is set when
 * the IdP refused the request: an OAuth error oerr_map left to us
 * (PB_ERR_HTTP), or a 400 or 401 that names no OAuth error at all.  With
 * keep_refresh, an answer refused for its other members still hands back
 * its good refresh token in tokens->refresh (the rest left empty).  On
 * PB_OK release *tokens with pb_tokens_clear().
 */
int pb_token_request(const char *token_endpoint,
    const struct pb_oauth_client *client, struct pb_secret *form,
    const struct pb_secret *sent, time_t now,
    int (*oerr_map)(const char *, struct pb_err *), int keep_refresh,
    struct pb_tokens *tokens, long *statusp, int *refusedp, struct pb_err *e)
    PB_WUR;

#endif /* PB_OAUTH_WIRE_H */
