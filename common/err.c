/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static const char *const messages[] = {
	[PB_OK] = "success",
	[-PB_ERR_INTERNAL] = "internal error",
	[-PB_ERR_NOMEM] = "out of memory",
	[-PB_ERR_FORMAT] = "malformed token",
	[-PB_ERR_SIG] = "signature does not verify",
	[-PB_ERR_ALG] = "algorithm not allowed",
	[-PB_ERR_NOKEY] = "no usable key",
	[-PB_ERR_EXPIRED] = "token expired",
	[-PB_ERR_NOTYET] = "token not yet valid",
	[-PB_ERR_ISS] = "wrong issuer",
	[-PB_ERR_AUD] = "wrong audience",
	[-PB_ERR_CLAIM] = "bad claim",
	[-PB_ERR_POLICY] = "policy not met",
	[-PB_ERR_TOOBIG] = "input too large",
	[-PB_ERR_HEADER] = "bad token header",
	[-PB_ERR_KEY] = "bad key",
	[-PB_ERR_CONFIG] = "invalid configuration",
	[-PB_ERR_IO] = "file unreadable",
	[-PB_ERR_USER] = "token is for another user",
	[-PB_ERR_DENIED] = "token is on the denylist",
	[-PB_ERR_REPLAY] = "token was already used",
	[-PB_ERR_NET] = "network error",
	[-PB_ERR_HTTP] = "unexpected answer from the server",
	[-PB_ERR_PENDING] = "authorization pending",
	[-PB_ERR_SLOWDOWN] = "polling too fast",
	[-PB_ERR_ACCESS_DENIED] = "access denied",
	[-PB_ERR_EXPIRED_CODE] = "device code expired",
	[-PB_ERR_INVALID_GRANT] = "grant is invalid or revoked",
	[-PB_ERR_CANCELED] = "canceled",
	[-PB_ERR_NOTFOUND] = "nothing stored",
	[-PB_ERR_RANGE] = "number out of range",
};

/*
 * One message per code: a code past the table fails to compile here (a
 * gap inside it is a NULL that check_secmem finds).
 */
_Static_assert(sizeof(messages) / sizeof(messages[0]) == -PB_ERR_MIN + 1,
    "pb_strerror: messages[] and PB_ERR_MIN disagree");

const char *
pb_strerror(int r)
{
	if (r > 0 || r < PB_ERR_MIN)
		return "unknown error";
	return messages[-r];
}

int
pb_err_set(struct pb_err *e, int r, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return r;
	e->code = r;
	va_start(ap, fmt);
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return r;
}

const char *
pb_err_msg(const struct pb_err *e)
{
	if (e == NULL)
		return "no detail";
	if (e->msg[0] == '\0')
		return pb_strerror(e->code);
	return e->msg;
}

void
pb_err_clear(struct pb_err *e)
{
	if (e == NULL)
		return;
	e->code = PB_OK;
	e->msg[0] = '\0';
}

static const char *
escape(const char *s, size_t len, size_t max, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (bufsz == 0)
		return "";
	if (s == NULL) {
		(void)snprintf(buf, bufsz, "(none)");
		return buf;
	}
	/*
	 * Claims are attacker-controlled: keep printable ASCII only, so no
	 * log injection (newlines), no terminal escapes, no quote breaking.
	 */
	for (i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
			if (o + 1 >= bufsz)
				break;
			buf[o++] = (char)c;
		} else {
			if (o + 4 >= bufsz)
				break;
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		}
	}
	if (i < len && o + 3 < bufsz) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

const char *
pb_log_safe_n(const char *s, size_t len, char *buf, size_t bufsz)
{
	return escape(s, len, 64, buf, bufsz);
}

const char *
pb_log_safe(const char *s, char *buf, size_t bufsz)
{
	return escape(s, s == NULL ? 0 : strlen(s), 64, buf, bufsz);
}

const char *
pb_log_path(const char *path, char *buf, size_t bufsz)
{
	return escape(path, path == NULL ? 0 : strlen(path), 512, buf, bufsz);
}
