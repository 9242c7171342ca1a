/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_LOGIN_DEVICE_H
#define PB_LOGIN_DEVICE_H

#include "err.h"
#include "oauth.h"

/*
 * login_device.c: what login shows in the device flow (RFC 8628), apart
 * from login.c's steps that every grant shares.
 */

/*
 * Tell the user where to approve dev: on stderr (a QR code first when qr
 * is set and the terminal can show one), or as a JSON line on stdout with
 * json.  An exit status (PB_EXIT_*).
 */
int pb_login_device_show(const struct pb_device *dev, int json, int qr);

/*
 * pb_device_wait() for dev at token_endpoint with client, with a
 * countdown on stderr when it is a terminal (not with json): its result,
 * *tok filled on PB_OK.
 */
int pb_login_device_wait(const struct pb_oauth_client *client,
    const char *token_endpoint, const struct pb_device *dev, int json,
    struct pb_tokens *tok, struct pb_err *e) PB_WUR;

#endif /* PB_LOGIN_DEVICE_H */
