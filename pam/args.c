/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "conf.h"
#include "err.h"
#include "module.h"
#include "verify.h"

int
pb_args_load(pam_handle_t *pamh, int argc, const char **argv,
    struct pb_args *args, struct pb_issuers **isp)
{
	char sp[PB_SAFE_BUFSZ];
	int i, bad = 0;

	*isp = NULL;
	memset(args, 0, sizeof(*args));
	/* Flags first: config= and key=value are pb_issuers_from_args()'s. */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "debug") == 0)
			args->debug = 1;
		else if (strcmp(argv[i], "try_first_pass") == 0)
			args->try_first_pass = 1;
		else if (strcmp(argv[i], "use_first_pass") == 0)
			args->use_first_pass = 1;
		else if (strchr(argv[i], '=') == NULL) {
			pam_syslog(pamh, LOG_ERR, "unknown module argument "
			    "'%s'", pb_log_safe(argv[i], sp, sizeof(sp)));
			bad = 1;
		}
	}
	if (bad)
		return PB_ERR_CONFIG;
	/* The line's key=value apply on top of every issuer's file. */
	return pb_issuers_from_args(NULL, argc, argv, "module argument",
	    pb_log_conf, pamh, 1, isp);
}

int
pb_args_keys(pam_handle_t *pamh, const struct pb_args *args,
    const struct pb_conf *cfg, const char *file, int64_t now,
    struct pb_verifier **v)
{
	struct pb_err e;
	int r;

	pb_err_clear(&e);
	/*
	 * Skipped JWKS keys (IdPs publish encryption keys too) would log at
	 * every login: only with debug.  A set with no usable key is an
	 * error below either way.
	 */
	if ((r = pb_verifier_new(cfg, args->debug ? pb_log_skip : NULL, pamh,
	    v, &e)) != PB_OK || (r = pb_verifier_check_age(*v, now, &e)) !=
	    PB_OK)
		pam_syslog(pamh, LOG_ERR, "cannot use the keys%s%s: %s",
		    file != NULL ? " of " : "", file != NULL ? file : "",
		    pb_err_msg(&e));
	return r;
}
