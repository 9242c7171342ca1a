/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the pam_bearer.conf parser of common/conf.c, as the
 * module and "bearer-token verify" run it: pb_conf_load() of the input as
 * a file, then pb_conf_check(); and each of the input's first lines as a
 * module argument (pb_conf_set_arg()) on a fresh configuration.
 *
 * Besides the sanitizers: every message is terminated and has a syslog
 * level, a failed load is reported, and a failed load leaves the
 * configuration as it was (checked on the values a later check reads).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "conf.h"
#include "err.h"
#include "fuzzutil.h"

#define MAX_ARGS	8

static void
conf_log(void *ctx, int prio, const char *msg)
{
	size_t *n = ctx;

	if (msg == NULL || prio < LOG_EMERG || prio > LOG_DEBUG)
		fz_broken("log callback arguments", prio);
	if (strlen(msg) >= 4096)
		fz_broken("log message too long", 0);
	(*n)++;
}

static void
load(const uint8_t *data, size_t size)
{
	struct pb_conf *cfg = NULL;
	const char *path;
	size_t nlog = 0, leeway;
	int r;

	if (pb_conf_new(&cfg) != PB_OK)
		fz_die("pb_conf_new", NULL);
	/* A module argument first: the file must not override it. */
	if (pb_conf_set_arg(cfg, "leeway=7", "fuzz", conf_log, &nlog) !=
	    PB_OK)
		fz_die("pb_conf_set_arg", NULL);
	leeway = (size_t)cfg->leeway;
	path = fz_file("pam_bearer.conf", data, size);
	r = pb_conf_load(cfg, path, conf_log, &nlog);
	fz_check_err(r, NULL);
	if (r != PB_OK && nlog == 0 && r != PB_ERR_NOMEM)
		fz_broken("pb_conf_load() failed without a message", r);
	if ((size_t)cfg->leeway != leeway)
		fz_broken("the file overrode a module argument", r);
	if (r == PB_OK) {
		nlog = 0;
		r = pb_conf_check(cfg, conf_log, &nlog);
		fz_check_err(r, NULL);
		if (r != PB_OK && nlog == 0)
			fz_broken("pb_conf_check() failed without a message",
			    r);
	}
	pb_conf_free(cfg);
}

static void
args(const uint8_t *data, size_t size)
{
	struct pb_conf *cfg = NULL;
	const uint8_t *rest;
	size_t restlen, nlog, i;
	char *arg;
	int r;

	if (pb_conf_new(&cfg) != PB_OK)
		fz_die("pb_conf_new", NULL);
	for (i = 0; i < MAX_ARGS && size > 0; i++) {
		fz_split(data, size, &arg, &rest, &restlen);
		nlog = 0;
		r = pb_conf_set_arg(cfg, arg, "module argument", conf_log,
		    &nlog);
		fz_check_err(r, NULL);
		if (r == PB_ERR_CONFIG && nlog == 0)
			fz_broken("pb_conf_set_arg() failed without a message",
			    r);
		free(arg);
		data = rest;
		size = restlen;
	}
	nlog = 0;
	r = pb_conf_check(cfg, conf_log, &nlog);
	fz_check_err(r, NULL);
	pb_conf_free(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load(data, size);
	args(data, size);
	return 0;
}
