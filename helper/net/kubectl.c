/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * "kubectl": a client-go exec credential plugin handing out the token
 * "get" would print; it prints nothing on stdout but the ExecCredential.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "token_cache.h"
#include "commands.h"
#include "err.h"
#include "out.h"
#include "profile.h"
#include "json_writer.h"
#include "net.h"
#include "secmem.h"
#include "time_fmt.h"

/*
 * client-go's exec plugin protocol: an ExecCredential on stdout with the
 * token and its expiry (so that kubectl asks again before it runs out).
 * The apiVersion follows KUBERNETES_EXEC_INFO when it names v1beta1.
 */
int
pb_kubectl_run(int argc, char **argv)
{
	static const char v1[] = "client.authentication.k8s.io/v1";
	static const char v1beta1[] = "client.authentication.k8s.io/v1beta1";
	char ts[32], head[160];
	struct pb_options o;
	struct pb_cached t;
	struct pb_json_writer b;
	struct pb_secret doc = { NULL, 0 };
	const char *info, *api = v1;
	long min_ttl;
	int rv, n;

	if ((rv = pb_options_parse(argc, argv, &o, &min_ttl, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	info = secure_getenv("KUBERNETES_EXEC_INFO");
	if (info != NULL && strstr(info, v1beta1) != NULL)
		api = v1beta1;
	if ((rv = pb_get_token(&o, min_ttl, &t)) != PB_EXIT_OK)
		return rv;
	memset(&b, 0, sizeof(b));
	pb_json_writer_begin(&b);
	pb_json_writer_secret(&b, "token", &t.token);
	if (t.expires_at > 0) {
		(void)pb_time_fmt_date(t.expires_at, PB_TIME_RFC3339, ts,
		    sizeof(ts));
		pb_json_writer_str(&b, "expirationTimestamp", ts);
	}
	if (pb_json_writer_end(&b, &doc) != PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		rv = PB_EXIT_FAIL;
		goto out;
	}
	n = snprintf(head, sizeof(head), "{\"apiVersion\":\"%s\","
	    "\"kind\":\"ExecCredential\",\"status\":", api);
	if (pb_out_write(STDOUT_FILENO, head, (size_t)n) == -1 ||
	    pb_out_write(STDOUT_FILENO, doc.p, doc.len) == -1 ||
	    pb_out_write(STDOUT_FILENO, "}\n", 2) == -1) {
		fprintf(stderr, "%s: cannot write: %s\n", PB_PROG,
		    strerror(errno));
		rv = PB_EXIT_FAIL;
	}
 out:
	pb_secret_clear(&doc);
	pb_token_cache_clear(&t);
	return rv;
}
