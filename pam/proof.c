/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The module's side of the login proof (DESIGN.md section 5): this host's
 * names, a fresh nonce, the second prompt, then pb_pop_verify() (common/
 * pop.c), which holds every rule.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "b64url.h"
#include "conf.h"
#include "err.h"
#include "jwt.h"
#include "module.h"
#include "pop.h"
#include "prompt.h"
#include "secmem.h"
#include "strlist.h"

/* At most: gethostname's name and its first label. */
#define MAX_NAMES	2

/* Names a client signs for tunnels and loopback: never a default. */
#define LOOPBACK	"localhost"

/*
 * Add the first len bytes of s to l unless there already (any case), not
 * a name a proof can give, or a localhost name.
 */
static int
add_name(struct pb_strlist *l, const char *s, size_t len)
{
	const size_t llen = sizeof(LOOPBACK) - 1;
	size_t i;

	if (!pb_prompt_proof_host_ok(s, len) || l->n >= MAX_NAMES ||
	    (len >= llen && strncasecmp(s, LOOPBACK, llen) == 0))
		return PB_OK;
	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && strncasecmp(l->v[i], s, len) == 0)
			return PB_OK;
	if ((l->v[l->n] = strndup(s, len)) == NULL)
		return PB_ERR_NOMEM;
	l->n++;
	return PB_OK;
}

/*
 * The name as set (gethostname(2)), nothing derived: never the resolver's,
 * which would be the network inside pam_authenticate and names from
 * /etc/hosts or DNS (localhost among them), and not its first label,
 * which hosts in other domains share (web01.staging, web01.prod): a proof
 * for one would be good at the other.
 */
int
pb_proof_names(struct pb_strlist *out, struct pb_err *e)
{
	char host[256], sh[PB_SAFE_BUFSZ];
	int r;

	memset(out, 0, sizeof(*out));
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		return pb_err_set(e, PB_ERR_CONFIG, "gethostname: %s (set "
		    "host_names)", strerror(errno));
	host[sizeof(host) - 1] = '\0';
	/* The array once, at its largest (STYLE.md 2.2: no realloc). */
	if ((out->v = calloc(MAX_NAMES, sizeof(*out->v))) == NULL)
		return PB_ERR_NOMEM;
	r = add_name(out, host, strlen(host));
	if (r == PB_OK && out->n == 0)
		r = pb_err_set(e, PB_ERR_CONFIG, "no default host name for "
		    "proofs (this host is '%s'): set host_names",
		    pb_log_safe(host, sh, sizeof(sh)));
	if (r != PB_OK)
		pb_strlist_clear(out);
	return r;
}

/* 32 bytes of getrandom(2) in base64url: this authentication's nonce. */
static int
make_nonce(char nonce[PB_PROOF_NONCE_LEN + 1], struct pb_err *e)
{
	uint8_t rnd[PB_PROOF_NONCE_BYTES];
	char *s = NULL;
	ssize_t n;

	do
		n = getrandom(rnd, sizeof(rnd), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(rnd))
		return pb_err_set(e, PB_ERR_INTERNAL, "getrandom: %s",
		    n == -1 ? strerror(errno) : "short read");
	n = pb_b64url_encode(rnd, sizeof(rnd), &s);
	pb_bzero(rnd, sizeof(rnd));
	if (n != PB_OK)
		return PB_ERR_NOMEM;
	if (strlen(s) != PB_PROOF_NONCE_LEN) {
		free(s);
		return pb_err_set(e, PB_ERR_INTERNAL, "nonce of the wrong "
		    "length");
	}
	memcpy(nonce, s, PB_PROOF_NONCE_LEN + 1);
	free(s);
	return PB_OK;
}

/* The names: host_names, else this host's own (computed here). */
static int
names_for(pam_handle_t *pamh, const struct pb_conf *cfg,
    struct pb_strlist *own, const struct pb_strlist **names)
{
	struct pb_err e;
	int r;

	memset(own, 0, sizeof(*own));
	*names = &cfg->host_names;
	if (cfg->host_names.n > 0)
		return PAM_SUCCESS;
	pb_err_clear(&e);
	if ((r = pb_proof_names(own, &e)) != PB_OK) {
		pam_syslog(pamh, LOG_ERR, "cannot check a login proof: %s",
		    pb_err_msg(&e));
		return r == PB_ERR_NOMEM ? PAM_BUF_ERR : PAM_AUTHINFO_UNAVAIL;
	}
	*names = own;
	return PAM_SUCCESS;
}

/* What the proof's continuation prompts name: host and nonce. */
struct asked {
	const char	*host;
	const char	*nonce;
};

/* The proof's prompt at byte off (pb_conv_parts()'s next). */
static int
proof_next(char *buf, size_t bufsz, size_t off, const void *ctx)
{
	const struct asked *a = ctx;

	return pb_prompt_proof_format(buf, bufsz, a->host, a->nonce, off);
}

int
pb_proof_login(pam_handle_t *pamh, const struct pb_conf *cfg,
    const struct pb_jwt *jwt, const char *su)
{
	char prompt[PB_PROMPT_PROOF_BUFSZ], nonce[PB_PROOF_NONCE_LEN + 1];
	const struct pb_strlist *names;
	struct pb_strlist own;
	struct pb_err e;
	struct asked a = { NULL, nonce };
	struct pb_conv_parts p = { "proof", "the proof limit", prompt,
	    proof_next, &a, PB_POP_MAX, NULL, 0 };
	struct pb_secret ans = { NULL, 0 };
	int r, rv, prompted, cut;

	pb_err_clear(&e);
	if ((rv = names_for(pamh, cfg, &own, &names)) != PAM_SUCCESS)
		return rv;
	a.host = names->v[0];
	if ((r = make_nonce(nonce, &e)) != PB_OK ||
	    (r = pb_prompt_proof_format(prompt, sizeof(prompt), names->v[0],
	    nonce, 0)) != PB_OK) {
		pam_syslog(pamh, LOG_ERR, "cannot ask for a login proof: %s",
		    pb_err_msg(&e));
		rv = r == PB_ERR_NOMEM ? PAM_BUF_ERR : PAM_SERVICE_ERR;
		goto out;
	}
	/* Parts join as a token's do (pam/conv.c), up to PB_POP_MAX. */
	if ((rv = pb_conv_parts(pamh, &p, &ans, &prompted, &cut)) !=
	    PAM_SUCCESS) {
		if (rv == PAM_AUTH_ERR)
			pam_syslog(pamh, LOG_NOTICE, "proof rejected for "
			    "'%s': the proof came in too many or too long "
			    "parts", su);
		goto out;
	}
	/* The proof's iat is judged against when it came. */
	r = pb_pop_verify(cfg, jwt, ans.p, ans.len, nonce, names,
	    (int64_t)time(NULL), &e);
	if (r == PB_OK)
		rv = PAM_SUCCESS;
	else if (r == PB_ERR_NOMEM || r == PB_ERR_INTERNAL) {
		/* Not the proof's fault: say what broke. */
		pam_syslog(pamh, LOG_ERR, "cannot check the proof for '%s': "
		    "%s", su, e.msg[0] != '\0' ? pb_err_msg(&e) :
		    pb_strerror(r));
		rv = r == PB_ERR_NOMEM ? PAM_BUF_ERR : PAM_SERVICE_ERR;
	} else {
		pam_syslog(pamh, LOG_NOTICE, "proof rejected for '%s': %s",
		    su, pb_err_msg(&e));
		/* OpenSSH cuts answers at 1023 bytes. */
		if (cut)
			pam_syslog(pamh, LOG_NOTICE, "an answer to the proof "
			    "prompt was exactly 1023 bytes: the ssh client "
			    "may have cut it; send the proof in parts ending "
			    "in '\\' (bearer-token askpass does)");
		rv = PAM_AUTH_ERR;
	}
 out:
	pb_secret_clear(&ans);
	pb_bzero(nonce, sizeof(nonce));
	pb_strlist_clear(&own);
	return rv;
}
