/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_FORM_H
#define PB_FORM_H

#include <stddef.h>

#include "err.h"
#include "secmem.h"

/*
 * Form bodies for pb_http_post_form() (http.h, which includes this) and
 * the Basic header of a confidential client.  Everything here may hold a
 * secret: our buffers, grown by malloc, copy and wipe, wiped by the
 * caller with pb_secret_clear().
 */

/*
 * Append "key=value" to a form body (application/x-www-form-urlencoded),
 * preceded by '&' unless the body is empty, both percent-encoded per RFC
 * 3986 section 2 (all but ALPHA DIGIT "-._~" become %XX).  The body starts
 * as { NULL, 0 }; it grows by malloc, copy and wipe, so no unwiped copy of
 * an earlier value is left behind, and stays NUL-terminated.  Returns PB_OK,
 * PB_ERR_NOMEM or PB_ERR_TOOBIG (body over 64 KiB); on failure the body is
 * unchanged.  The caller wipes it with pb_secret_clear().
 */
int pb_form_add(struct pb_secret *body, const char *key, const char *value)
    PB_WUR;

/*
 * What a token request asks for: scope, resource and audience (RFC 6749
 * section 3.3, RFC 8707, the audience most IdPs take), each added only
 * when set and not empty.  pb_form_add()'s results.
 */
int pb_form_add_target(struct pb_secret *body, const char *scope,
    const char *resource, const char *audience) PB_WUR;

/* pb_form_add() for a secret value of value->len bytes (NULs allowed). */
int pb_form_add_secret(struct pb_secret *body, const char *key,
    const struct pb_secret *value) PB_WUR;

/*
 * The header "Authorization: Basic base64(enc(user) ':' enc(pass))", enc
 * being the form-urlencoding of RFC 6749 section 2.3.1 (so a ':' in a
 * client_id survives) and base64 the standard alphabet with padding (RFC
 * 7617); pass may be NULL (empty).  On PB_OK *out holds the header text,
 * NUL-terminated (release with pb_secret_clear(), which wipes); the
 * intermediate buffer is wiped.  PB_ERR_NOMEM, PB_ERR_TOOBIG (user or
 * pass over 64 KiB) or PB_ERR_INTERNAL, with *out untouched.
 */
int pb_form_basic_header(const char *user, const struct pb_secret *pass,
    struct pb_secret *out) PB_WUR;

#endif /* PB_FORM_H */
