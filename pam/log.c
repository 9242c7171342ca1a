/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <syslog.h>

#include <security/pam_ext.h>

#include "module.h"

/*
 * The common/ code reports through callbacks; here they end in
 * pam_syslog(), which adds the "pam_bearer(service:auth)" prefix.  The
 * messages come escaped from common/ (pb_log_safe()).
 */
void
pb_log_conf(void *pamh, int prio, const char *msg)
{
	pam_syslog((pam_handle_t *)pamh, prio, "%s", msg);
}

void
pb_log_skip(void *pamh, const char *msg)
{
	pam_syslog((pam_handle_t *)pamh, LOG_WARNING, "JWKS %s", msg);
}
