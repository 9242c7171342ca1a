/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which URLs the helper fetches (https, or http to loopback: DESIGN.md
 * section 3) and how their hosts appear in messages, through curl's URL
 * parser, the one curl itself uses for the request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "err.h"
#include "url.h"

/* 127.0.0.0/8, ::1 (curl gives IPv6 hosts in brackets) or "localhost". */
static int
is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	n = strlen(host);
	if (n < 3 || n - 2 >= sizeof(buf) || host[0] != '[' ||
	    host[n - 1] != ']')
		return 0;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	return inet_pton(AF_INET6, buf, &a6) == 1 &&
	    memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
}

/* Whether curl found part p in u (a missing part is not an error). */
static int
has_part(CURLU *u, CURLUPart p)
{
	char *v = NULL;
	int has;

	has = curl_url_get(u, p, &v, 0) == CURLUE_OK && v != NULL;
	curl_free(v);
	return has;
}

int
pb_url_check_plain(const char *url, const char *what, int *plainp,
    struct pb_err *e)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL;
	char sbuf[PB_SAFE_BUFSZ];
	const char *p;
	int r = PB_ERR_CONFIG;

	*plainp = 0;
	if (what == NULL)
		what = "URL";
	if (url == NULL || *url == '\0') {
		pb_err_set(e, r, "%s: no URL", what);
		goto out;
	}
	/* Bytes a terminal or curl could misread never get to curl. */
	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			pb_err_set(e, r, "%s '%s': space or non-ASCII byte in "
			    "the URL", what, pb_log_safe(url, sbuf,
			    sizeof(sbuf)));
			goto out;
		}
	}
	pb_log_safe(url, sbuf, sizeof(sbuf));
	if ((u = curl_url()) == NULL) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		pb_err_set(e, r, "%s '%s' is not an absolute URL with a host",
		    what, sbuf);
		goto out;
	}
	if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD)) {
		pb_err_set(e, r, "%s '%s' holds a user name or password",
		    what, sbuf);
		goto out;
	}
	if (has_part(u, CURLUPART_FRAGMENT)) {
		pb_err_set(e, r, "%s '%s' has a fragment", what, sbuf);
		goto out;
	}
	if (strcmp(scheme, "https") == 0) {
		r = PB_OK;
		goto out;
	}
	if (strcmp(scheme, "http") != 0) {
		pb_err_set(e, r, "%s '%s': only https URLs are allowed", what,
		    sbuf);
		goto out;
	}
	/*
	 * Plain http only to this machine (DESIGN.md section 3): tokens and
	 * client secrets must never cross a network in the clear.
	 */
	if (!is_loopback(host)) {
		pb_err_set(e, r, "%s '%s': HTTPS required (http is allowed "
		    "only for loopback hosts)", what, sbuf);
		goto out;
	}
	*plainp = 1;
	r = PB_OK;
 out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return r;
}

int
pb_url_check(const char *url, const char *what, struct pb_err *e)
{
	int plain;

	return pb_url_check_plain(url, what, &plain, e);
}

int
pb_url_check_endpoint(const char *url, const char *what, const char *issuer,
    struct pb_err *e)
{
	char sb[PB_SAFE_BUFSZ];
	int plain, iplain, r;

	if ((r = pb_url_check_plain(url, what, &plain, e)) != PB_OK)
		return r;
	if ((r = pb_url_check_plain(issuer, "issuer", &iplain, e)) != PB_OK)
		return r;
	if (plain && !iplain)
		return pb_err_set(e, PB_ERR_CONFIG, "%s '%s' is plain http "
		    "but the issuer is https: the IdP's discovery document "
		    "must name https endpoints", what,
		    pb_log_safe(url, sb, sizeof(sb)));
	return PB_OK;
}

void
pb_url_hostport(const char *url, char host[PB_SAFE_BUFSZ],
    char hp[PB_URL_HP_BUFSZ])
{
	CURLU *u;
	char *h = NULL, *port = NULL;
	char pbuf[PB_SAFE_BUFSZ];

	(void)snprintf(host, PB_SAFE_BUFSZ, "?");
	(void)snprintf(hp, PB_URL_HP_BUFSZ, "?");
	if ((u = curl_url()) == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK) {
		pb_log_safe(h, host, PB_SAFE_BUFSZ);
		(void)snprintf(hp, PB_URL_HP_BUFSZ, "%s:%s", host,
		    pb_log_safe(port, pbuf, sizeof(pbuf)));
	}
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
}
