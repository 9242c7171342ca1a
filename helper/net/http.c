/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The helper's HTTP client over libcurl (STYLE.md 2.4).  Everything that
 * crosses the wire may be a secret (form bodies carry device codes, refresh
 * tokens and client secrets; answers carry tokens), so both directions live
 * in struct pb_secret buffers that we allocate, grow by malloc+copy+wipe and
 * wipe on release.  What we cannot reach: curl's own request buffer, which
 * for small bodies holds a copy of the headers and the POST body, is freed
 * by curl without wiping.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "err.h"
#include "secmem.h"
#include "http.h"

/* A form body never needs more; bigger is a bug or an attack. */
#define FORM_MAX	(64 * 1024)

/* Where the write callback collects the answer. */
struct sink {
	struct pb_secret body;
	size_t		 cap;		/* bytes allocated at body.p */
	size_t		 max;		/* cap on body.len */
	int		 toobig;
};

int
pb_http_global_init(struct pb_err *e)
{
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		return pb_err_set(e, PB_ERR_INTERNAL, "curl_global_init: %s",
		    curl_easy_strerror(rc));
	return PB_OK;
}

void
pb_http_global_cleanup(void)
{
	curl_global_cleanup();
}

void
pb_http_init(struct pb_http *h)
{
	h->connect_timeout = PB_HTTP_CONNECT_TIMEOUT;
	h->timeout = PB_HTTP_TIMEOUT;
	h->ca_file = NULL;
	h->body_max = PB_HTTP_BODY_MAX;
	h->user_agent = "bearer-token/" PACKAGE_VERSION;
	h->check = NULL;
	h->check_arg = NULL;
}

void
pb_http_resp_clear(struct pb_http_resp *r)
{
	if (r == NULL)
		return;
	pb_secret_clear(&r->body);
	r->status = 0;
}

/* URLs ------------------------------------------------------------------ */

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

/* pb_url_check(); *plainp says whether url is plain http (loopback). */
static int
url_check(const char *url, const char *what, int *plainp, struct pb_err *e)
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

	return url_check(url, what, &plain, e);
}

/*
 * Host (into host) and host:port (into hp, e.g. "127.0.0.1:443") of url
 * for messages, escaped: they come from the configuration or from a
 * discovery document.
 */
#define HP_BUFSZ	(2 * PB_SAFE_BUFSZ + 2)
static void
url_hostport(const char *url, char host[PB_SAFE_BUFSZ], char hp[HP_BUFSZ])
{
	CURLU *u;
	char *h = NULL, *port = NULL;
	char pbuf[PB_SAFE_BUFSZ];

	(void)snprintf(host, PB_SAFE_BUFSZ, "?");
	(void)snprintf(hp, HP_BUFSZ, "?");
	if ((u = curl_url()) == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK) {
		pb_log_safe(h, host, PB_SAFE_BUFSZ);
		(void)snprintf(hp, HP_BUFSZ, "%s:%s", host,
		    pb_log_safe(port, pbuf, sizeof(pbuf)));
	}
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
}

/* Forms ----------------------------------------------------------------- */

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Length of s (n bytes) once percent-encoded. */
static size_t
enclen(const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		o += unreserved((unsigned char)s[i]) ? 1 : 3;
	return o;
}

/* Percent-encode n bytes at s to dst (enclen(s, n) bytes); returns end. */
static char *
encode(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c))
			*dst++ = (char)c;
		else {
			*dst++ = '%';
			*dst++ = hex[c >> 4];
			*dst++ = hex[c & 0xf];
		}
	}
	return dst;
}

/*
 * Append key=value to body: a fresh buffer of the new size, the old bytes
 * copied and then wiped with the old buffer (never realloc, which would
 * leave an unwiped copy behind when it moves the block).
 */
static int
form_add(struct pb_secret *body, const char *key, const char *val,
    size_t vlen)
{
	size_t klen, need;
	char *nb, *p;

	klen = strlen(key);
	if (klen > FORM_MAX || vlen > FORM_MAX)
		return PB_ERR_TOOBIG;
	need = body->len + (body->len > 0 ? 1 : 0) + enclen(key, klen) + 1 +
	    enclen(val, vlen);
	if (need > FORM_MAX)
		return PB_ERR_TOOBIG;
	if ((nb = malloc(need + 1)) == NULL)
		return PB_ERR_NOMEM;
	p = nb;
	if (body->len > 0) {
		memcpy(p, body->p, body->len);
		p += body->len;
		*p++ = '&';
	}
	p = encode(p, key, klen);
	*p++ = '=';
	p = encode(p, val, vlen);
	*p = '\0';
	pb_secret_clear(body);
	body->p = nb;
	body->len = need;
	return PB_OK;
}

int
pb_form_add(struct pb_secret *body, const char *key, const char *value)
{
	if (key == NULL || value == NULL)
		return PB_ERR_INTERNAL;
	return form_add(body, key, value, strlen(value));
}

int
pb_form_add_secret(struct pb_secret *body, const char *key,
    const struct pb_secret *value)
{
	if (key == NULL || value == NULL || (value->p == NULL &&
	    value->len > 0))
		return PB_ERR_INTERNAL;
	return form_add(body, key, value->p == NULL ? "" : value->p,
	    value->len);
}

/*
 * "Authorization: Basic base64(enc(user) ':' enc(pass))", with enc the
 * form-urlencoding of RFC 6749 section 2.3.1 (so a ':' in a client_id
 * survives).  Built in our buffers and wiped; *out is NUL-terminated.
 */
static int
basic_header(const char *user, const struct pb_secret *pass,
    struct pb_secret *out)
{
	static const char prefix[] = "Authorization: Basic ";
	struct pb_secret cred = { NULL, 0 };
	size_t ulen, plen, b64len = 0;
	char *hdr = NULL, *p;
	int r = PB_ERR_NOMEM;

	ulen = strlen(user);
	plen = pass != NULL ? pass->len : 0;
	if (ulen > FORM_MAX || plen > FORM_MAX) {
		r = PB_ERR_TOOBIG;
		goto out;
	}
	cred.len = enclen(user, ulen) + 1 +
	    (plen > 0 ? enclen(pass->p, plen) : 0);
	if ((cred.p = malloc(cred.len + 1)) == NULL)
		goto out;
	p = encode(cred.p, user, ulen);
	*p++ = ':';
	if (plen > 0)
		p = encode(p, pass->p, plen);
	*p = '\0';
	b64len = 4 * ((cred.len + 2) / 3);
	if ((hdr = malloc(sizeof(prefix) - 1 + b64len + 1)) == NULL)
		goto out;
	memcpy(hdr, prefix, sizeof(prefix) - 1);
	/* Standard base64 with padding (RFC 7617), not base64url. */
	if (cred.len > INT32_MAX || EVP_EncodeBlock(
	    (unsigned char *)hdr + sizeof(prefix) - 1,
	    (const unsigned char *)cred.p, (int)cred.len) != (int)b64len) {
		r = PB_ERR_INTERNAL;
		goto out;
	}
	out->p = hdr;
	out->len = sizeof(prefix) - 1 + b64len;
	hdr = NULL;
	r = PB_OK;
 out:
	pb_secret_clear(&cred);
	if (hdr != NULL)
		pb_freezero(hdr, sizeof(prefix) - 1 + b64len + 1);
	return r;
}

/* Requests -------------------------------------------------------------- */

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n, ncap;
	char *nb;

	/* curl documents size as always 1; stay safe if it is not. */
	if (size != 1)
		return 0;
	n = nmemb;
	/* The hard cap, before any allocation (STYLE.md 2.4). */
	if (n > s->max - s->body.len) {
		s->toobig = 1;
		return 0;
	}
	if (s->body.len + n + 1 > s->cap) {
		/* Double, within the cap (+1 for the NUL). */
		ncap = s->cap < 4096 ? 4096 : s->cap;
		while (ncap < s->body.len + n + 1)
			ncap *= 2;
		if (ncap > s->max + 1)
			ncap = s->max + 1;
		if ((nb = malloc(ncap)) == NULL)
			return 0;
		if (s->body.len > 0)
			memcpy(nb, s->body.p, s->body.len);
		pb_freezero(s->body.p, s->cap);
		s->body.p = nb;
		s->cap = ncap;
	}
	memcpy(s->body.p + s->body.len, data, n);
	s->body.len += n;
	s->body.p[s->body.len] = '\0';
	return n;
}

/* Append a copy of text to *l. */
static int
add_header(struct curl_slist **l, const char *text)
{
	struct curl_slist *n;

	if ((n = curl_slist_append(*l, text)) == NULL)
		return PB_ERR_NOMEM;
	*l = n;
	return PB_OK;
}

/* Wipe the header texts curl_slist_append() copied, then free them. */
static void
headers_free(struct curl_slist *l)
{
	struct curl_slist *i;

	for (i = l; i != NULL; i = i->next)
		if (i->data != NULL)
			pb_bzero(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

/* Say what failed and what to check; never anything of the request body. */
static int
net_error(CURL *c, CURLcode rc, const struct pb_http *h, const char *url,
    const char *what, const char *errbuf, struct pb_err *e)
{
	char hp[HP_BUFSZ], eb[PB_SAFE_BUFSZ], host[PB_SAFE_BUFSZ];
	curl_off_t ct = 0;
	char addr[PB_SAFE_BUFSZ + 4];
	long oserr = 0;
	const char *detail;

	url_hostport(url, host, hp);
	detail = pb_log_safe(errbuf[0] != '\0' ? errbuf :
	    curl_easy_strerror(rc), eb, sizeof(eb));
	/* curl's text does not say "refused" or "reset": errno does. */
	if (curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr) != CURLE_OK)
		oserr = 0;

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return pb_err_set(e, PB_ERR_NET, "cannot resolve %s (DNS): "
		    "check the issuer URL", host);
	case CURLE_COULDNT_RESOLVE_PROXY:
		return pb_err_set(e, PB_ERR_NET, "cannot resolve the proxy "
		    "(DNS): check https_proxy and no_proxy");
	case CURLE_COULDNT_CONNECT:
		/*
		 * When curl's text does not name our host, it tried another
		 * (a proxy from the environment): then quote it.
		 */
		addr[0] = '\0';
		if (errbuf[0] != '\0' && strstr(errbuf, host) == NULL)
			(void)snprintf(addr, sizeof(addr), " (%s)", detail);
		if (oserr == ECONNREFUSED)
			return pb_err_set(e, PB_ERR_NET, "connect to %s "
			    "refused%s", hp, addr);
		return pb_err_set(e, PB_ERR_NET, "connect to %s failed: %s%s",
		    hp, oserr != 0 ? strerror((int)oserr) : detail, addr);
	case CURLE_OPERATION_TIMEDOUT:
		if (strstr(errbuf, "Resolving timed out") != NULL)
			return pb_err_set(e, PB_ERR_NET, "cannot resolve %s "
			    "(DNS timed out): check the issuer URL", host);
		/* No connect time yet: the connection never came up. */
		if (curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &ct) !=
		    CURLE_OK || ct == 0)
			return pb_err_set(e, PB_ERR_NET, "connect to %s timed "
			    "out after %ld s", hp, h->connect_timeout);
		return pb_err_set(e, PB_ERR_NET, "%s at %s timed out after "
		    "%ld s", what, hp, h->timeout);
	case CURLE_PEER_FAILED_VERIFICATION:
		return pb_err_set(e, PB_ERR_NET, "TLS: certificate verify "
		    "failed for %s: %s (set ca_file?)", host, detail);
	case CURLE_SSL_CACERT_BADFILE:
		return pb_err_set(e, PB_ERR_CONFIG, "cannot use ca_file: %s",
		    detail);
	case CURLE_SSL_CONNECT_ERROR:
		return pb_err_set(e, PB_ERR_NET, "TLS handshake with %s "
		    "failed: %s", hp, detail);
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		if (oserr == ECONNRESET)
			return pb_err_set(e, PB_ERR_NET, "%s at %s reset the "
			    "connection", what, hp);
		return pb_err_set(e, PB_ERR_NET, "%s at %s dropped the "
		    "connection: %s", what, hp, detail);
	case CURLE_UNSUPPORTED_PROTOCOL:
		return pb_err_set(e, PB_ERR_CONFIG, "%s at %s: %s", what, hp,
		    detail);
	case CURLE_OUT_OF_MEMORY:
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	default:
		return pb_err_set(e, PB_ERR_NET, "%s at %s: %s", what, hp,
		    detail);
	}
}

/*
 * The caller's check (struct pb_http): before the request goes out
 * (CURLOPT_PREREQFUNCTION, once the connection is up) and while curl
 * waits (CURLOPT_XFERINFOFUNCTION, at least once a second).  Until the
 * request is sent a nonzero check aborts it, so nothing reaches the
 * server; after that the check only observes.
 */
struct watch {
	const struct pb_http	*h;
	int			 sent;
	int			 stopped;
};

static int
watch_prereq(void *arg, char *conn_primary_ip, char *conn_local_ip,
    int conn_primary_port, int conn_local_port)
{
	struct watch *w = arg;

	(void)conn_primary_ip;
	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	if (w->h->check(w->h->check_arg, 0) != 0) {
		w->stopped = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	w->sent = 1;
	return CURL_PREREQFUNC_OK;
}

static int
watch_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct watch *w = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (w->h->check(w->h->check_arg, w->sent) != 0 && !w->sent) {
		w->stopped = 1;
		return 1;	/* CURLE_ABORTED_BY_CALLBACK */
	}
	return 0;
}

static int
perform(const struct pb_http *h, const char *url, const char *what,
    const struct pb_secret *form, const char *basic_user,
    const struct pb_secret *basic_pass, struct pb_http_resp *resp,
    struct pb_err *e)
{
	struct sink sink;
	struct watch watch = { h, 0, 0 };
	struct pb_secret auth = { NULL, 0 };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE], host[PB_SAFE_BUFSZ], hp[HP_BUFSZ];
	CURL *c = NULL;
	CURLcode rc;
	long status = 0;
	int plain = 0, r = PB_ERR_INTERNAL;

	resp->status = 0;
	resp->body.p = NULL;
	resp->body.len = 0;
	memset(&sink, 0, sizeof(sink));
	errbuf[0] = '\0';
	if (what == NULL)
		what = "server";
	if ((r = url_check(url, what, &plain, e)) != PB_OK)
		goto out;
	if (h->body_max == 0 || h->body_max > SIZE_MAX / 2 ||
	    h->timeout <= 0 || h->connect_timeout <= 0) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "bad HTTP options");
		goto out;
	}
	sink.max = h->body_max;

	if ((c = curl_easy_init()) == NULL ||
	    (r = add_header(&hdrs, "Accept: application/json")) != PB_OK ||
	    (form != NULL && (r = add_header(&hdrs,
	    "Content-Type: application/x-www-form-urlencoded")) != PB_OK) ||
	    /* No "Expect: 100-continue" round trip for big bodies. */
	    (form != NULL && (r = add_header(&hdrs, "Expect:")) != PB_OK)) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (basic_user != NULL &&
	    ((r = basic_header(basic_user, basic_pass, &auth)) != PB_OK ||
	    (r = add_header(&hdrs, auth.p)) != PB_OK)) {
		pb_err_set(e, r, "cannot build the Authorization header");
		goto out;
	}

	/*
	 * No redirects: an answer that moves is an error, never a reason to
	 * send a secret elsewhere.  Only https, plus http to loopback,
	 * which pb_url_check() above allowed.  Never CURLOPT_VERBOSE: it
	 * would print the bodies.
	 */
	r = PB_ERR_INTERNAL;
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http") !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->connect_timeout) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, h->timeout) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink) != CURLE_OK) {
		pb_err_set(e, r, "cannot set curl options (libcurl too old?)");
		goto out;
	}
	/*
	 * Proxies come from the environment as curl reads them, except for
	 * plain http, which goes to loopback only: through a proxy it would
	 * carry secrets in the clear to another host (curl would send even
	 * 127.0.0.1 through http_proxy).
	 */
	if (plain && curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK) {
		pb_err_set(e, r, "cannot set curl options");
		goto out;
	}
	if (h->check != NULL &&
	    (curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, watch_prereq) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PREREQDATA, &watch) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, watch_progress) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &watch) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK)) {
		pb_err_set(e, r, "cannot set the request's check (libcurl "
		    "older than 7.80?)");
		goto out;
	}
	if (h->ca_file != NULL &&
	    curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file) != CURLE_OK) {
		pb_err_set(e, r, "cannot set ca_file");
		goto out;
	}
	/*
	 * CURLOPT_POSTFIELDS points at the caller's buffer, which the caller
	 * wipes; COPYPOSTFIELDS would leave an unwiped copy in curl.
	 */
	if (form != NULL &&
	    (curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS,
	    form->p != NULL ? form->p : "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)form->len) != CURLE_OK)) {
		pb_err_set(e, r, "cannot set the POST body");
		goto out;
	}

	rc = curl_easy_perform(c);
	if (watch.stopped) {
		r = pb_err_set(e, PB_ERR_CANCELED, "%s: stopped before the "
		    "request was sent", what);
		goto out;
	}
	/*
	 * The cap lives in sink_write() alone (no CURLOPT_MAXFILESIZE): it
	 * holds whether or not the server sends a Content-Length.
	 */
	if (rc == CURLE_WRITE_ERROR && sink.toobig) {
		url_hostport(url, host, hp);
		r = pb_err_set(e, PB_ERR_TOOBIG, "%s at %s answered more "
		    "than %zu bytes", what, hp, h->body_max);
		goto out;
	}
	if (rc != CURLE_OK) {
		r = net_error(c, rc, h, url, what, errbuf, e);
		goto out;
	}
	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK || status < 100 || status > 999) {
		r = pb_err_set(e, PB_ERR_NET, "%s: no HTTP status", what);
		goto out;
	}
	if (sink.body.p == NULL &&
	    pb_secret_dup(&sink.body, "", 0) != PB_OK) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	resp->status = status;
	resp->body = sink.body;
	sink.body.p = NULL;
	sink.body.len = 0;
	r = PB_OK;
 out:
	curl_easy_cleanup(c);
	headers_free(hdrs);
	pb_secret_clear(&auth);
	pb_freezero(sink.body.p, sink.cap);
	return r;
}

int
pb_http_get(const struct pb_http *h, const char *url, const char *what,
    struct pb_http_resp *resp, struct pb_err *e)
{
	return perform(h, url, what, NULL, NULL, NULL, resp, e);
}

int
pb_http_post_form(const struct pb_http *h, const char *url,
    const char *what, const struct pb_secret *form, const char *basic_user,
    const struct pb_secret *basic_pass, struct pb_http_resp *resp,
    struct pb_err *e)
{
	static const struct pb_secret empty = { NULL, 0 };

	return perform(h, url, what, form != NULL ? form : &empty,
	    basic_user, basic_pass, resp, e);
}
