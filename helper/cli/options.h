/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_OPTIONS_H
#define PB_OPTIONS_H

/*
 * The one option parser of bearer-token (options.c): the profile options
 * every session command takes, --min-ttl and a command's own flags.
 */

/* The command-line options every session command takes; borrowed argv. */
struct pb_options {
	const char	*profile;
	const char	*config;
	const char	*issuer;
	const char	*client_id;
	const char	*scope;
	const char	*audience;
	const char	*resource;
	const char	*store;
	const char	*ca_file;
	const char	*timeout;
	const char	*redirect_port;
};

/* The usage text of those options, for --help. */
#define PB_OPTIONS_HELP \
	"  --profile NAME    the profile (default: $BEARER_TOKEN_PROFILE,\n" \
	"                    else \"default\")\n" \
	"  --config FILE     the configuration file (default:\n" \
	"                    ~/.config/bearer-token/config)\n" \
	"  --issuer URL, --client-id ID, --scope SCOPES,\n" \
	"  --audience AUD, --resource URI, --store KIND,\n" \
	"  --ca-file FILE, --timeout SECONDS, --redirect-port N\n" \
	"                    override the profile's keys\n"

/*
 * If argv[*i] is one of the options of struct pb_options ("--opt VALUE" or
 * "--opt=VALUE"), record it in *o, advance *i past it and return 1.  Return
 * 0 when it is not one; -1 (message on stderr) when its value is missing.
 */
int pb_options_take(struct pb_options *o, int argc, char **argv, int *i);

/*
 * The options of a command (argv[0] is its name): the profile's (struct
 * pb_options), --min-ttl SECONDS when min_ttl is not NULL (-1 when absent),
 * and the flags named in the NULL-terminated flags (may be NULL), set[k]
 * becoming 1 for each given; a flag written "--name=" in flags takes a
 * value ("--name VALUE" or "--name=VALUE"; the last one given counts) and
 * set[k] becomes its place, for pb_options_value().  Every command
 * parses through here, in the front and in bearer-token-net alike.
 * Returns PB_EXIT_OK, or PB_EXIT_USAGE after a message on stderr.  *o
 * borrows argv's strings.
 */
int pb_options_parse(int argc, char **argv, struct pb_options *o, long *min_ttl,
    const char *const *flags, int *set);

/*
 * The value of a "--name=" flag whose set[k] pb_options_parse() made at;
 * NULL when at is 0 (not given).
 */
const char *pb_options_value(char **argv, int at);

#endif /* PB_OPTIONS_H */
