/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The helper's HTTP client over libcurl (STYLE.md 2.4).  Everything that
 * crosses the wire may be a secret (form bodies carry device codes, refresh
 * tokens and client secrets; answers carry tokens), so both directions live
 * in struct pb_secret buffers that we allocate, grow by malloc+copy+wipe and
 * wipe on release.  What we cannot reach: curl's own request buffer, which
 * for small bodies holds a copy of the headers and the POST body, is freed
 * by curl without wiping.  The form bodies and the Basic header are built
 * in form.c, the URL checks are url.c.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "err.h"
#include "form.h"
#include "http.h"
#include "sbuf.h"
#include "secmem.h"
#include "url.h"

/* Where the write callback collects the answer. */
struct sink {
	struct pb_sbuf	 body;		/* max: the answer cap */
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
	h->dpop = NULL;
}

void
pb_http_resp_clear(struct pb_http_resp *r)
{
	if (r == NULL)
		return;
	pb_secret_clear(&r->body);
	r->status = 0;
	r->dpop_nonce[0] = '\0';
}

/* Requests -------------------------------------------------------------- */

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;

	/* curl documents size as always 1; stay safe if it is not. */
	if (size != 1)
		return 0;
	/* The hard cap, before any allocation (STYLE.md 2.4). */
	if (nmemb > s->body.max - s->body.len) {
		s->toobig = 1;
		return 0;
	}
	/* Grows by malloc, copy and wipe; stays NUL-terminated. */
	if (pb_sbuf_put(&s->body, data, nmemb) != PB_OK)
		return 0;
	return nmemb;
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
	char hp[PB_URL_HP_BUFSZ], eb[PB_SAFE_BUFSZ], host[PB_SAFE_BUFSZ];
	curl_off_t ct = 0;
	char addr[PB_SAFE_BUFSZ + 4];
	long oserr = 0;
	const char *detail;

	pb_url_hostport(url, host, hp);
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

/* One request's state, for perform() and its steps. */
struct req {
	const struct pb_http	*h;
	const char		*url;
	const char		*what;		/* names the endpoint */
	int			 plain;		/* http to loopback */
	CURL			*c;
	struct curl_slist	*hdrs;
	struct pb_secret	 auth;		/* the Basic header text */
	struct pb_secret	 dpop;		/* the DPoP header text */
	char			 nonce[PB_HTTP_NONCE_MAX + 1];
	struct sink		 sink;
	struct watch		 watch;
	char			 errbuf[CURL_ERROR_SIZE];
};

/*
 * The answer's headers: only DPoP-Nonce is kept (RFC 9449 section 8), when
 * its value is 1 to PB_HTTP_NONCE_MAX NQCHARs (%x21 / %x23-5B / %x5D-7E).
 * A status line starts a new answer (after a 100 Continue): forget it.
 */
static size_t
header_line(char *data, size_t size, size_t nitems, void *arg)
{
	static const char name[] = "dpop-nonce:";
	struct req *q = arg;
	char *nonce = q->nonce;
	size_t n = size * nitems, i = sizeof(name) - 1, j;

	if (size != 1)
		return 0;
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
		nonce[0] = '\0';
	if (n < i || strncasecmp(data, name, i) != 0)
		return n;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	while (n > i && (data[n - 1] == '\r' || data[n - 1] == '\n' ||
	    data[n - 1] == ' ' || data[n - 1] == '\t'))
		n--;
	if (n == i || n - i > PB_HTTP_NONCE_MAX)
		return size * nitems;
	for (j = i; j < n; j++)
		if (data[j] < 0x21 || data[j] > 0x7e || data[j] == '"' ||
		    data[j] == '\\')
			return size * nitems;
	memcpy(nonce, data + i, n - i);
	nonce[n - i] = '\0';
	return size * nitems;
}

/* "DPoP: PROOF" in *out; the proof has no NUL, CR or LF. */
static int
dpop_header(const struct pb_secret *proof, struct pb_secret *out)
{
	static const char name[] = "DPoP: ";
	size_t n = sizeof(name) - 1;

	if (proof->p == NULL || proof->len == 0 ||
	    strcspn(proof->p, "\r\n") != proof->len)
		return PB_ERR_INTERNAL;
	if ((out->p = malloc(n + proof->len + 1)) == NULL)
		return PB_ERR_NOMEM;
	memcpy(out->p, name, n);
	memcpy(out->p + n, proof->p, proof->len);
	out->p[n + proof->len] = '\0';
	out->len = n + proof->len;
	return PB_OK;
}

/* The request's headers: JSON wanted, a form's type, Basic auth, DPoP. */
static int
set_headers(struct req *q, const struct pb_secret *form,
    const char *basic_user, const struct pb_secret *basic_pass,
    struct pb_err *e)
{
	int r;

	if ((r = add_header(&q->hdrs, "Accept: application/json")) != PB_OK ||
	    (form != NULL && (r = add_header(&q->hdrs,
	    "Content-Type: application/x-www-form-urlencoded")) != PB_OK) ||
	    /* No "Expect: 100-continue" round trip for big bodies. */
	    (form != NULL && (r = add_header(&q->hdrs, "Expect:")) != PB_OK))
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	if (basic_user != NULL &&
	    ((r = pb_form_basic_header(basic_user, basic_pass,
	    &q->auth)) != PB_OK ||
	    (r = add_header(&q->hdrs, q->auth.p)) != PB_OK))
		return pb_err_set(e, r, "cannot build the Authorization "
		    "header");
	if (form != NULL && q->h->dpop != NULL &&
	    ((r = dpop_header(q->h->dpop, &q->dpop)) != PB_OK ||
	    (r = add_header(&q->hdrs, q->dpop.p)) != PB_OK))
		return pb_err_set(e, r, "cannot build the DPoP header");
	return PB_OK;
}

/* The transport: URL, protocols, timeouts, TLS, headers, the sink. */
static int
set_transport(struct req *q, struct pb_err *e)
{
	const struct pb_http *h = q->h;
	CURL *c = q->c;

	/*
	 * No redirects: an answer that moves is an error, never a reason to
	 * send a secret elsewhere.  Only https, plus http to loopback,
	 * which pb_url_check() allowed.  Never CURLOPT_VERBOSE: it would
	 * print the bodies.
	 */
	if (curl_easy_setopt(c, CURLOPT_URL, q->url) != CURLE_OK ||
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
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, q->hdrs) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, q->errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &q->sink) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, q) != CURLE_OK)
		return pb_err_set(e, PB_ERR_INTERNAL, "cannot set curl options "
		    "(libcurl too old?)");
	/*
	 * Proxies come from the environment as curl reads them, except for
	 * plain http, which goes to loopback only: through a proxy it would
	 * carry secrets in the clear to another host (curl would send even
	 * 127.0.0.1 through http_proxy).
	 */
	if (q->plain && curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK)
		return pb_err_set(e, PB_ERR_INTERNAL, "cannot set curl "
		    "options");
	return PB_OK;
}

/* The caller's check, the CA bundle and the POST body, when set. */
static int
set_extras(struct req *q, const struct pb_secret *form, struct pb_err *e)
{
	const struct pb_http *h = q->h;
	CURL *c = q->c;

	if (h->check != NULL &&
	    (curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, watch_prereq) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PREREQDATA, &q->watch) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, watch_progress) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &q->watch) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK))
		return pb_err_set(e, PB_ERR_INTERNAL, "cannot set the "
		    "request's check (libcurl older than 7.80?)");
	if (h->ca_file != NULL &&
	    curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file) != CURLE_OK)
		return pb_err_set(e, PB_ERR_INTERNAL, "cannot set ca_file");
	/*
	 * CURLOPT_POSTFIELDS points at the caller's buffer, which the caller
	 * wipes; COPYPOSTFIELDS would leave an unwiped copy in curl.
	 */
	if (form != NULL &&
	    (curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS,
	    form->p != NULL ? form->p : "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)form->len) != CURLE_OK))
		return pb_err_set(e, PB_ERR_INTERNAL, "cannot set the POST "
		    "body");
	return PB_OK;
}

/* Judge what curl_easy_perform() returned; on PB_OK *resp is filled. */
static int
take_answer(struct req *q, CURLcode rc, struct pb_http_resp *resp,
    struct pb_err *e)
{
	char host[PB_SAFE_BUFSZ], hp[PB_URL_HP_BUFSZ];
	long status = 0;

	if (q->watch.stopped)
		return pb_err_set(e, PB_ERR_CANCELED, "%s: stopped before the "
		    "request was sent", q->what);
	/*
	 * The cap lives in sink_write() alone (no CURLOPT_MAXFILESIZE): it
	 * holds whether or not the server sends a Content-Length.
	 */
	if (rc == CURLE_WRITE_ERROR && q->sink.toobig) {
		pb_url_hostport(q->url, host, hp);
		return pb_err_set(e, PB_ERR_TOOBIG, "%s at %s answered more "
		    "than %zu bytes", q->what, hp, q->h->body_max);
	}
	if (rc != CURLE_OK)
		return net_error(q->c, rc, q->h, q->url, q->what, q->errbuf, e);
	if (curl_easy_getinfo(q->c, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK || status < 100 || status > 999)
		return pb_err_set(e, PB_ERR_NET, "%s: no HTTP status",
		    q->what);
	/* An empty answer is "", never NULL. */
	if (pb_sbuf_take(&q->sink.body, &resp->body) != PB_OK)
		return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
	resp->status = status;
	memcpy(resp->dpop_nonce, q->nonce, sizeof(resp->dpop_nonce));
	return PB_OK;
}

static int
perform(const struct pb_http *h, const char *url, const char *what,
    const struct pb_secret *form, const char *basic_user,
    const struct pb_secret *basic_pass, struct pb_http_resp *resp,
    struct pb_err *e)
{
	struct req q;
	int r = PB_ERR_INTERNAL;

	resp->status = 0;
	resp->body.p = NULL;
	resp->body.len = 0;
	resp->dpop_nonce[0] = '\0';
	memset(&q, 0, sizeof(q));
	q.h = h;
	q.url = url;
	q.what = what != NULL ? what : "server";
	q.watch.h = h;
	if ((r = pb_url_check_plain(url, q.what, &q.plain, e)) != PB_OK)
		goto out;
	if (h->body_max == 0 || h->body_max > SIZE_MAX / 2 ||
	    h->timeout <= 0 || h->connect_timeout <= 0) {
		r = pb_err_set(e, PB_ERR_INTERNAL, "bad HTTP options");
		goto out;
	}
	pb_sbuf_init(&q.sink.body, h->body_max);
	if ((q.c = curl_easy_init()) == NULL) {
		r = pb_err_set(e, PB_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = set_headers(&q, form, basic_user, basic_pass, e)) != PB_OK ||
	    (r = set_transport(&q, e)) != PB_OK ||
	    (r = set_extras(&q, form, e)) != PB_OK)
		goto out;
	r = take_answer(&q, curl_easy_perform(q.c), resp, e);
 out:
	curl_easy_cleanup(q.c);
	headers_free(q.hdrs);
	pb_secret_clear(&q.auth);
	pb_secret_clear(&q.dpop);
	pb_sbuf_clear(&q.sink.body);
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
