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
    struct pb_args *args, struct pb_conf **cfgp)
{
	char sp[PB_SAFE_BUFSZ];
	int i, bad = 0;

	*cfgp = NULL;
	memset(args, 0, sizeof(*args));
	/* Flags first: config= and key=value are pb_conf_from_args()'s. */
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
	return pb_conf_from_args(NULL, argc, argv, "module argument",
	    pb_log_conf, pamh, cfgp);
}
