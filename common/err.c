/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static const char *const messages[] = {
	[0] = "success",
	[1] = "internal error",
	[2] = "out of memory",
	[3] = "malformed token",
	[4] = "signature does not verify",
	[5] = "algorithm not allowed",
	[6] = "no usable key",
	[7] = "token expired",
	[8] = "token not yet valid",
	[9] = "wrong issuer",
	[10] = "wrong audience",
	[11] = "bad claim",
	[12] = "policy not met",
	[13] = "input too large",
	[14] = "bad token header",
	[15] = "bad key",
	[16] = "invalid configuration",
	[17] = "file unreadable",
	[18] = "token is for another user",
	[19] = "token is on the denylist",
	[20] = "token was already used",
	[21] = "network error",
	[22] = "unexpected answer from the server",
	[23] = "authorization pending",
	[24] = "polling too fast",
	[25] = "access denied",
	[26] = "device code expired",
	[27] = "grant is invalid or revoked",
	[28] = "canceled",
	[29] = "nothing stored",
	[30] = "number out of range",
};

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
