/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one option parser of bearer-token: every command, in the front and
 * in bearer-token-net alike, parses its arguments through pb_options_parse().
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "options.h"
#include "parse.h"

int
pb_options_take(struct pb_options *o, int argc, char **argv, int *i)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} opts[] = {
		{ "--profile", offsetof(struct pb_options, profile) },
		{ "--config", offsetof(struct pb_options, config) },
		{ "--issuer", offsetof(struct pb_options, issuer) },
		{ "--client-id", offsetof(struct pb_options, client_id) },
		{ "--scope", offsetof(struct pb_options, scope) },
		{ "--audience", offsetof(struct pb_options, audience) },
		{ "--resource", offsetof(struct pb_options, resource) },
		{ "--store", offsetof(struct pb_options, store) },
		{ "--ca-file", offsetof(struct pb_options, ca_file) },
		{ "--timeout", offsetof(struct pb_options, timeout) },
		{ "--redirect-port", offsetof(struct pb_options,
		    redirect_port) },
	};
	const char *a = argv[*i], **slot;
	size_t k, n;

	for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		n = strlen(opts[k].name);
		if (strncmp(a, opts[k].name, n) != 0 ||
		    (a[n] != '\0' && a[n] != '='))
			continue;
		slot = (const char **)(void *)((char *)o + opts[k].off);
		if (a[n] == '=') {
			*slot = a + n + 1;
			*i += 1;
			return 1;
		}
		if (*i + 1 >= argc) {
			fprintf(stderr, "bearer-token: %s needs a value\n",
			    opts[k].name);
			return -1;
		}
		*slot = argv[*i + 1];
		*i += 2;
		return 1;
	}
	return 0;
}

/* Whether a is the flag f ("--name", or "--name=" taking a value). */
static int
flag_is(const char *f, const char *a)
{
	size_t n = strlen(f);

	if (n == 0 || f[n - 1] != '=')
		return strcmp(a, f) == 0;
	return strncmp(a, f, n) == 0 ||
	    (strncmp(a, f, n - 1) == 0 && a[n - 1] == '\0');
}

/*
 * Step *i past the flag f at argv[*i] (and its value): what set[k] gets,
 * 1 for a plain flag, the value's place for pb_options_value(), 0 when a
 * value is missing.
 */
static int
take_flag(const char *f, int argc, char **argv, int *i)
{
	size_t n = strlen(f);
	int at = *i;

	*i += 1;
	if (f[n - 1] != '=')
		return 1;
	if (argv[at][n - 1] == '=')
		return -at;		/* --name=VALUE */
	if (at + 1 >= argc)
		return 0;
	*i += 1;
	return at + 1;			/* --name VALUE */
}

const char *
pb_options_value(char **argv, int at)
{
	if (at < 0)
		return strchr(argv[-at], '=') + 1;
	return at > 0 ? argv[at] : NULL;
}

int
pb_options_parse(int argc, char **argv, struct pb_options *o, long *min_ttl,
    const char *const *flags, int *set)
{
	char sb[PB_SAFE_BUFSZ];
	unsigned long ttl;
	const char *v;
	int i = 1, t, k;

	memset(o, 0, sizeof(*o));
	if (min_ttl != NULL)
		*min_ttl = -1;
	for (k = 0; flags != NULL && flags[k] != NULL; k++)
		set[k] = 0;
	while (i < argc) {
		if ((t = pb_options_take(o, argc, argv, &i)) == -1)
			return PB_EXIT_USAGE;
		if (t == 1)
			continue;
		for (k = 0; flags != NULL && flags[k] != NULL; k++)
			if (flag_is(flags[k], argv[i]))
				break;
		if (flags != NULL && flags[k] != NULL) {
			if ((t = take_flag(flags[k], argc, argv, &i)) == 0) {
				fprintf(stderr, "%s: %s: %.*s needs a value\n",
				    PB_PROG, argv[0],
				    (int)strlen(flags[k]) - 1, flags[k]);
				return PB_EXIT_USAGE;
			}
			set[k] = t;
			continue;
		}
		if (min_ttl != NULL && strcmp(argv[i], "--min-ttl") == 0 &&
		    i + 1 == argc) {
			fprintf(stderr, "%s: %s: --min-ttl needs a value\n",
			    PB_PROG, argv[0]);
			return PB_EXIT_USAGE;
		} else if (min_ttl != NULL && strcmp(argv[i], "--min-ttl") == 0)
			v = argv[i + 1], i += 2;
		else if (min_ttl != NULL &&
		    strncmp(argv[i], "--min-ttl=", 10) == 0)
			v = argv[i] + 10, i += 1;
		else {
			fprintf(stderr, "%s: %s: unknown argument '%s'\n",
			    PB_PROG, argv[0], pb_log_safe(argv[i], sb,
			    sizeof(sb)));
			pb_commands_help(argv[0], 1);
			return PB_EXIT_USAGE;
		}
		if (pb_parse_ulong(v, 0, 86400, &ttl) != PB_OK) {
			fprintf(stderr, "%s: %s: --min-ttl takes seconds, 0 "
			    "to 86400\n", PB_PROG, argv[0]);
			return PB_EXIT_USAGE;
		}
		*min_ttl = (long)ttl;
	}
	return PB_EXIT_OK;
}
