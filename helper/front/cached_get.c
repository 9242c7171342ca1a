/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cached path of "get" (DESIGN.md section 3): a valid cached access
 * token is printed without loading libcurl or libsecret or talking to
 * D-Bus; anything else is handed over to bearer-token-net.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "commands.h"
#include "err.h"
#include "out.h"
#include "privdir.h"
#include "profile.h"
#include "secmem.h"
#include "token_cache.h"

/*
 * The cached path: the profile's settings, then the cache file, no lock
 * (the file is replaced by rename, so a read sees a whole old or a whole
 * new one).  Any miss or doubt goes to bearer-token-net, which locks,
 * looks again and refreshes.
 */
int
pb_cached_get_run(int argc, char **argv)
{
	static const char *const flags[] = { "--header", NULL };
	struct pb_options o;
	struct pb_profile c;
	struct pb_privdir d = { NULL, -1 };
	struct pb_cached t = { { NULL, 0 }, 0, 0 };
	struct pb_err e;
	long min_ttl;
	int rv, header;

	pb_err_clear(&e);
	if ((rv = pb_options_parse(argc, argv, &o, &min_ttl, flags, &header)) !=
	    PB_EXIT_OK)
		return rv;
	/* Configuration errors are for the networked side to report. */
	if (pb_profile_load(&c, &o, &e) == PB_OK &&
	    pb_token_cache_open(&d, 0, &e) == PB_OK &&
	    pb_token_cache_read(&d, &c, &t, &e) == PB_OK &&
	    pb_token_cache_fresh(&t, (int64_t)time(NULL), min_ttl)) {
		rv = pb_out_token(&t.token, header);
		goto out;
	}
	pb_token_cache_clear(&t);
	pb_privdir_close(&d);
	pb_profile_clear(&c);
	return pb_handover_run(argc, argv);
 out:
	pb_token_cache_clear(&t);
	pb_privdir_close(&d);
	pb_profile_clear(&c);
	return rv;
}
