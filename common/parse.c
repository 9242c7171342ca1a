/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "err.h"
#include "parse.h"

/* '0'-'9' only: isdigit() depends on the locale. */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The number of digits at the start of the len bytes at s. */
static size_t
digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && is_digit(s[i]); i++)
		;
	return i;
}

int
pb_parse_ulong_n(const char *s, size_t len, unsigned long min,
    unsigned long max, unsigned long *out)
{
	unsigned long n = 0, d;
	size_t i;
	int over = 0;

	if (len == 0)
		return PB_ERR_FORMAT;
	if (digits(s, len) != len) {
		/* "-5" is a whole number, only below any min. */
		if (s[0] == '-' && len > 1 && digits(s + 1, len - 1) ==
		    len - 1)
			return PB_ERR_RANGE;
		return PB_ERR_FORMAT;
	}
	for (i = 0; i < len && !over; i++) {
		d = (unsigned long)(s[i] - '0');
		/* Once it cannot fit it stays out of range. */
		if (n > (ULONG_MAX - d) / 10)
			over = 1;
		else
			n = n * 10 + d;
	}
	if (over || n < min || n > max)
		return PB_ERR_RANGE;
	*out = n;
	return PB_OK;
}

int
pb_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	return pb_parse_ulong_n(s, strlen(s), min, max, out);
}

int
pb_parse_duration(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	static const struct {
		char		 unit;
		unsigned long	 secs;
	} units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 }
	};
	size_t len = strlen(s), nd = digits(s, len), i;
	unsigned long n, mul = 1;
	int r;

	/* The shape first: junk is junk however large its number. */
	if (nd == 0 || len - nd > 1)
		return PB_ERR_FORMAT;
	if (nd < len) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (units[i].unit == s[nd])
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return PB_ERR_FORMAT;
		mul = units[i].secs;
	}
	if ((r = pb_parse_ulong_n(s, nd, 0, ULONG_MAX, &n)) != PB_OK)
		return r;
	if (n > max / mul || n * mul < min)
		return PB_ERR_RANGE;
	*out = n * mul;
	return PB_OK;
}

int
pb_parse_b64token(const char *p, size_t len)
{
	size_t i = 0, n;
	unsigned char c;

	if (p == NULL)
		return 0;
	for (; i < len; i++) {
		c = (unsigned char)p[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '+' || c == '/')
			continue;
		break;
	}
	if (i == 0)
		return 0;
	for (n = i; n < len && p[n] == '='; n++)
		;
	return n == len;
}
