/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Times as bearer-token-net shows them.  A file of its own in libcli, not
 * in out.c: the front links out.c (pb_out_token) into its static binary,
 * where gmtime_r() and strftime() would bring in glibc's time zone code
 * (some 128 KiB) that the cached get never runs.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "time_fmt.h"

const char *
pb_time_fmt_date(int64_t t, enum pb_time_fmt fmt, char *buf, size_t bufsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || (fmt == PB_TIME_RFC3339 ?
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) :
	    strftime(buf, bufsz, "%Y-%m-%d %H:%M:%S UTC", &tm)) == 0)
		(void)snprintf(buf, bufsz, "%" PRId64, t);
	return buf;
}

