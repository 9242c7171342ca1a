/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "conf.h"
#include "err.h"
#include "module.h"

int
pb_args_load(pam_handle_t *pamh, int argc, const char **argv,
    struct pb_args *args, struct pb_conf **cfgp)
{
	char sp[PB_SAFE_BUFSZ];
	struct pb_conf *cfg = NULL;
	int i, r, bad = 0;

	*cfgp = NULL;
	memset(args, 0, sizeof(*args));
	args->config = PB_CONF_DEFAULT_PATH;
	/* Flags and config= first: the file is read before key=value. */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "debug") == 0)
			args->debug = 1;
		else if (strcmp(argv[i], "try_first_pass") == 0)
			args->try_first_pass = 1;
		else if (strcmp(argv[i], "use_first_pass") == 0)
			args->use_first_pass = 1;
		else if (strncmp(argv[i], "config=", 7) == 0)
			args->config = argv[i] + 7;
		else if (strchr(argv[i], '=') == NULL) {
			pam_syslog(pamh, LOG_ERR, "unknown module argument "
			    "'%s'", pb_log_safe(argv[i], sp, sizeof(sp)));
			bad = 1;
		}
	}
	if (bad)
		return PB_ERR_CONFIG;
	if ((r = pb_conf_new(&cfg)) != PB_OK)
		return r;
	if ((r = pb_conf_load(cfg, args->config, pb_log_conf, pamh)) != PB_OK)
		goto out;
	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '=') == NULL ||
		    strncmp(argv[i], "config=", 7) == 0)
			continue;
		/* Keep going: one log shows every bad argument. */
		if ((r = pb_conf_set_arg(cfg, argv[i], "module argument",
		    pb_log_conf, pamh)) == PB_ERR_NOMEM)
			goto out;
		if (r != PB_OK)
			bad = 1;
	}
	if (bad) {
		r = PB_ERR_CONFIG;
		goto out;
	}
	if ((r = pb_conf_check(cfg, pb_log_conf, pamh)) != PB_OK)
		goto out;
	*cfgp = cfg;
	cfg = NULL;
	r = PB_OK;
 out:
	pb_conf_free(cfg);
	return r;
}
