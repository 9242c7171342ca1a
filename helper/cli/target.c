/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TARGET, the host an ssh prompt is for as the client knows it, and the
 * host patterns of a profile (see target.h).
 */
#include "config.h"

#include <fnmatch.h>
#include <string.h>

#include "target.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
pb_target_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= PB_TARGET_MAX)
			return 0;
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '.' && s[i] != '-' && s[i] != '_' && s[i] != ':')
			return 0;
	}
	return 1;
}

int
pb_target_split(const char *prompt, char *host, size_t hostsz,
    const char **rest)
{
	const char *close, *at;
	size_t n;

	*rest = prompt;
	if (hostsz > 0)
		host[0] = '\0';
	/* "(user@host) ": the first ')' ends it and a space follows. */
	if (prompt[0] != '(' || (close = strchr(prompt, ')')) == NULL ||
	    close[1] != ' ')
		return PB_TARGET_NOPREFIX;
	*rest = close + 2;
	/* The host follows the last '@' (a user name may hold one). */
	for (at = close; at > prompt && *at != '@'; at--)
		;
	if (*at != '@')
		return PB_TARGET_BADPREFIX;
	n = (size_t)(close - at - 1);
	if (n == 0 || n >= hostsz)
		return PB_TARGET_BADPREFIX;
	memcpy(host, at + 1, n);
	host[n] = '\0';
	if (!pb_target_valid(host)) {
		host[0] = '\0';
		return PB_TARGET_BADPREFIX;
	}
	return PB_TARGET_PREFIX;
}

static int
same_host(const char *a, const char *b)
{
	for (; *a != '\0' && lower(*a) == lower(*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
}

int
pb_target_choose(int split, const char *prefix_host, const char *env,
    const char **target)
{
	int has_env = env != NULL && env[0] != '\0';

	*target = NULL;
	if (split == PB_TARGET_BADPREFIX || (has_env && !pb_target_valid(env)))
		return PB_TARGET_BAD;
	if (split == PB_TARGET_PREFIX) {
		if (has_env && !same_host(prefix_host, env))
			return PB_TARGET_MISMATCH;
		*target = prefix_host;
		return PB_TARGET_OK;
	}
	if (!has_env)
		return PB_TARGET_NONE;
	*target = env;
	return PB_TARGET_OK;
}

/* Copy n bytes of s into buf (bufsz > n), lowercased. */
static void
lower_copy(char *buf, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)lower((unsigned char)s[i]);
	buf[n] = '\0';
}

int
pb_target_match(const char *patterns, const char *host)
{
	char pat[PB_TARGET_MAX + 1], h[PB_TARGET_MAX + 1];
	const char *p = patterns;
	size_t n;

	if (patterns == NULL || host == NULL ||
	    (n = strlen(host)) > PB_TARGET_MAX || n == 0)
		return 0;
	lower_copy(h, host, n);
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		/* A pattern too long for any host matches none. */
		if (n > 0 && n <= PB_TARGET_MAX) {
			lower_copy(pat, p, n);
			if (fnmatch(pat, h, 0) == 0)
				return 1;
		}
		p += n;
	}
	return 0;
}

int
pb_target_run_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= PB_TARGET_RUN_MAX || (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '-' &&
		    s[i] != '_'))
			return 0;
	return 1;
}
