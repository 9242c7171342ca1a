/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_ERR_H
#define PB_ERR_H

#include <stddef.h>

/*
 * Error codes of the common/ units (the ssherr.h pattern).  Every function
 * that can fail returns one of these; PB_OK is success.  The PAM module maps
 * them to PAM codes in one place (pb_to_pam() in pam/), the helper to exit
 * statuses.
 */
#define PB_OK			  0
#define PB_ERR_INTERNAL		 -1	/* a bug, or OpenSSL failed oddly */
#define PB_ERR_NOMEM		 -2
#define PB_ERR_FORMAT		 -3	/* malformed token or JSON */
#define PB_ERR_SIG		 -4	/* signature does not verify */
#define PB_ERR_ALG		 -5	/* alg not allowed, or not the key's */
#define PB_ERR_NOKEY		 -6	/* no usable key for the token */
#define PB_ERR_EXPIRED		 -7	/* exp passed, or token too old */
#define PB_ERR_NOTYET		 -8	/* nbf or iat in the future */
#define PB_ERR_ISS		 -9	/* iss is not the configured issuer */
#define PB_ERR_AUD		-10	/* aud does not name us */
#define PB_ERR_CLAIM		-11	/* a claim missing, mistyped, unsafe */
#define PB_ERR_POLICY		-12	/* scope, groups, require_claim unmet */
#define PB_ERR_TOOBIG		-13	/* input over a size limit */
#define PB_ERR_HEADER		-14	/* crit, typ or another header rule */
#define PB_ERR_KEY		-15	/* a JWK is malformed or unsafe */
#define PB_ERR_CONFIG		-16	/* configuration is invalid */
#define PB_ERR_IO		-17	/* a file is missing or unreadable */
#define PB_ERR_USER		-18	/* token names another user */
#define PB_ERR_DENIED		-19	/* jti or sub is on the denylist */
#define PB_ERR_REPLAY		-20	/* jti was used before */
#define PB_ERR_NET		-21	/* DNS, connect, TLS, reset, timeout */
#define PB_ERR_HTTP		-22	/* unexpected HTTP status or answer */
#define PB_ERR_PENDING		-23	/* authorization_pending (RFC 8628) */
#define PB_ERR_SLOWDOWN		-24	/* slow_down (RFC 8628) */
#define PB_ERR_ACCESS_DENIED	-25	/* the user denied the request */
#define PB_ERR_EXPIRED_CODE	-26	/* expired_token: device code expired */
#define PB_ERR_INVALID_GRANT	-27	/* invalid_grant: the grant is dead */
#define PB_ERR_CANCELED		-28	/* a callback asked to stop */
#define PB_ERR_NOTFOUND		-29	/* nothing stored (helper store) */
#define PB_ERR_RANGE		-30	/* a number outside its range */
#define PB_ERR_MIN		-30

#ifndef PB_WUR
#define PB_WUR	__attribute__((warn_unused_result))
#endif

#define PB_ERR_MSG_MAX	1024

/*
 * A code with a message that says what to fix ("token expired 312 s ago
 * (leeway 60 s)").  Messages never hold token bytes: only escaped, cut claim
 * values (see pb_log_safe()).  Functions taking a struct pb_err * accept NULL.
 */
struct pb_err {
	int	code;
	char	msg[PB_ERR_MSG_MAX];
};

/* Short fixed text for a code; never NULL. */
const char *pb_strerror(int r);

/*
 * Record code r with a printf-style message in *e (NULL-safe) and return r,
 * so that callers can write "return pb_err_set(e, PB_ERR_SIG, ...)".
 */
int pb_err_set(struct pb_err *e, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The message of *e, or pb_strerror(code) when no message was set. */
const char *pb_err_msg(const struct pb_err *e);

/* Reset *e to PB_OK with an empty message (NULL-safe). */
void pb_err_clear(struct pb_err *e);

/*
 * Escape an untrusted string for a log line or message: printable ASCII
 * except '\'' and '\\' is kept, everything else becomes \xHH; the result is
 * cut to 64 input bytes with "..." appended when longer.  NULL prints as
 * "(none)".  Writes into buf (always NUL-terminated) and returns buf.
 */
#define PB_SAFE_BUFSZ	(64 * 4 + 8)
const char *pb_log_safe(const char *s, char *buf, size_t bufsz);

/*
 * As pb_log_safe() for a file name an admin chose: escaped the same way but
 * cut at 512 bytes, since a path cut at 64 no longer says what to fix.
 */
#define PB_PATH_BUFSZ	(512 * 4 + 8)
const char *pb_log_path(const char *path, char *buf, size_t bufsz);

/* As pb_log_safe() for a string of known length that may hold NUL bytes. */
const char *pb_log_safe_n(const char *s, size_t len, char *buf, size_t bufsz);

#endif /* PB_ERR_H */
