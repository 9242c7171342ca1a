/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proof: the login proof of DESIGN.md section 5, the answer to pam_bearer's
 * "Bearer proof for HOST, nonce NONCE: " prompt.  A DPoP proof (dpop.h)
 * signed with the session's key: htm "SSH", htu "ssh://HOST", the nonce,
 * iat now, ath of the access token last handed out (the one the module
 * has just verified) while it lives, else of a fresh one.  For scripts and
 * tests ("bearer-token proof"), and for askpass (pb_get_proof()).  An
 * unbound session has no proof to give.  Messages go to stderr and never
 * hold a token, a key or a proof; stdout carries the proof only.
 *
 * A proof longer than one part of an answer (prompt.h) travels in parts,
 * and an ECDSA proof is randomized: askpass cannot make it again for each
 * continuation prompt.  It keeps the proof it made at the first prompt in
 * a private file, KEPT + the SHA-256 of the nonce in hex, with the host it
 * is for, in the runtime directory (the state directory when there is
 * none), reads it back at each continuation of that nonce and removes it
 * after the last part.  A kept proof older than KEPT_AGE is of no use (the
 * module takes a proof's iat within 60 s at most): each keep, read and
 * removal sweeps such proofs and the temp files of their writes.  At most
 * KEPT_COUNT are kept at once: a new one beyond removes the oldest.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "token_cache.h"
#include "commands.h"
#include "dpop.h"
#include "err.h"
#include "net.h"
#include "out.h"
#include "pop.h"
#include "privdir.h"
#include "secmem.h"
#include "session.h"

#define HOST_MAX	253		/* a DNS name, at most */
#define NONCE_MAX	PB_HTTP_NONCE_MAX
#define KEPT		"proof."	/* + SHA-256 of the nonce, hex */
#define KEPT_NAME_LEN	(sizeof(KEPT) - 1 + 64)
#define KEPT_AGE	120		/* seconds a kept proof may wait */
#define KEPT_MAX	(HOST_MAX + 1 + PB_POP_MAX)
#define KEPT_COUNT	8		/* kept proofs at once, at most */
#define KEPT_TEMP_HEX	12		/* pb_privdir_write()'s temp suffix */
#define KEPT_TEMP_LEN	(1 + KEPT_NAME_LEN + 1 + KEPT_TEMP_HEX)
#define KEPT_PROOF	1		/* kept_kind(): a kept proof */
#define KEPT_TEMP	2		/* the temp file of one's write */

/*
 * Whether v (named what) is 1 to max printable ASCII characters with no
 * space and none of the bytes in bad; says why not on stderr.
 */
static int
plain_arg(const char *what, const char *v, size_t max, const char *bad)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e || strchr(bad, v[i]) != NULL)
			break;
	if (n == 0 || n > max || i < n) {
		fprintf(stderr, "%s: proof: %s must be 1 to %zu printable "
		    "ASCII characters without spaces or any of \"%s\"\n",
		    PB_PROG, what, max, bad);
		return 0;
	}
	return 1;
}

/*
 * The session's DPoP key into *k: PB_EXIT_OK, or an exit status after a
 * message (PB_EXIT_LOGIN when the session is not bound: no proof).
 */
static int
session_key(const struct pb_options *o, struct pb_dpop_key **k)
{
	struct pb_sess s;
	struct pb_stored st;
	struct pb_err e;
	int rv;

	*k = NULL;
	memset(&st, 0, sizeof(st));
	pb_err_clear(&e);
	if ((rv = pb_session_open(&s, o)) != PB_EXIT_OK ||
	    (rv = pb_session_load(&s, &st, NULL, 0, NULL)) != PB_EXIT_OK)
		goto out;
	if (st.dpop_key.len == 0) {
		pb_session_login_hint(&s, "proof: the session is not bound to "
		    "a key (the IdP did not bind it, or dpop = no), so there "
		    "is no proof to give; to bind it, set dpop = yes or auto "
		    "and log in again");
		rv = PB_EXIT_LOGIN;
		goto out;
	}
	if (pb_dpop_key_from_json(st.dpop_key.p, st.dpop_key.len, k, &e) !=
	    PB_OK) {
		pb_session_say("proof: cannot use the session's key", &e);
		pb_session_login_hint(&s, "the stored session is damaged");
		rv = PB_EXIT_LOGIN;
	}
 out:
	pb_session_stored_clear(&st);
	pb_session_close(&s);
	return rv;
}

int
pb_get_proof(const struct pb_options *o, const char *host, const char *nonce,
    struct pb_secret *out)
{
	struct pb_dpop_key *k = NULL;
	struct pb_cached t;
	struct pb_err e;
	char *htu = NULL;
	int rv;

	out->p = NULL;
	out->len = 0;
	memset(&t, 0, sizeof(t));
	if (!plain_arg("the host", host, HOST_MAX, "/@?#\\\"'") ||
	    !plain_arg("the nonce", nonce, NONCE_MAX, "\"\\"))
		return PB_EXIT_USAGE;
	/* The key first: an unbound session needs no refresh. */
	if ((rv = session_key(o, &k)) != PB_EXIT_OK ||
	    (rv = pb_get_token(o, PB_TOKEN_LIVE, &t)) != PB_EXIT_OK)
		goto out;
	pb_err_clear(&e);
	if (asprintf(&htu, "ssh://%s", host) < 0) {
		htu = NULL;
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		rv = PB_EXIT_FAIL;
	} else if (pb_dpop_proof(k, "SSH", htu, (int64_t)time(NULL), nonce,
	    &t.token, out, &e) != PB_OK) {
		pb_session_say("proof", &e);
		rv = PB_EXIT_FAIL;
	}
 out:
	free(htu);
	pb_token_cache_clear(&t);
	pb_dpop_key_free(k);
	return rv;
}

/*
 * The directory of kept proofs, open in *d: the runtime directory, else
 * the state directory (as askpass's run marks).  PB_OK or an error in e.
 */
static int
kept_dir(struct pb_privdir *d, struct pb_err *e)
{
	char *path = NULL;
	int r;

	d->path = NULL;
	d->fd = -1;
	if ((r = pb_privdir_runtime_path(&path, e)) == PB_OK)
		r = pb_privdir_open(d, path, PB_PRIVDIR_CREATE_LAST, e);
	else if (r != PB_ERR_NOMEM) {
		free(path);
		path = NULL;
		pb_err_clear(e);
		if ((r = pb_privdir_state_path(&path, e)) == PB_OK)
			r = pb_privdir_open(d, path, PB_PRIVDIR_CREATE, e);
	}
	free(path);
	return r;
}

/* The kept proof's file name for nonce into name. */
static int
kept_name(const char *nonce, char name[KEPT_NAME_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int i, mdlen = 0;

	if (EVP_Digest(nonce, strlen(nonce), md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != 32)
		return -1;
	memcpy(name, KEPT, sizeof(KEPT) - 1);
	for (i = 0; i < mdlen; i++)
		(void)snprintf(name + sizeof(KEPT) - 1 + 2 * i, 3, "%02x",
		    md[i]);
	return 0;
}

/* Whether the file name in d was written over KEPT_AGE seconds ago. */
static int
kept_stale(const struct pb_privdir *d, const char *name)
{
	struct stat st;

	return fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_mtime < time(NULL) - KEPT_AGE;
}

/* Whether the n bytes at s are lowercase hex digits. */
static int
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * What the file name is: KEPT_PROOF (kept_name()), KEPT_TEMP (the temp
 * file of its atomic write, pb_privdir_write(): "." NAME "." and 12 hex
 * digits), else 0: nothing of ours.
 */
static int
kept_kind(const char *name)
{
	size_t n = strlen(name);

	if (n == KEPT_NAME_LEN && strncmp(name, KEPT, sizeof(KEPT) - 1) == 0 &&
	    lower_hex(name + sizeof(KEPT) - 1, 64))
		return KEPT_PROOF;
	if (n == KEPT_TEMP_LEN && name[0] == '.' &&
	    strncmp(name + 1, KEPT, sizeof(KEPT) - 1) == 0 &&
	    lower_hex(name + sizeof(KEPT), 64) &&
	    name[1 + KEPT_NAME_LEN] == '.' &&
	    lower_hex(name + 2 + KEPT_NAME_LEN, KEPT_TEMP_HEX))
		return KEPT_TEMP;
	return 0;
}

/*
 * Remove the stale kept proofs and stale temp files in d; the count of
 * kept proofs left, the oldest's name in oldest.  Best effort.
 */
static size_t
kept_scan(const struct pb_privdir *d, char oldest[KEPT_NAME_LEN + 1])
{
	struct timespec old = { 0, 0 };
	struct dirent *de;
	struct stat st;
	size_t count = 0;
	DIR *dir;
	int fd, kind;

	oldest[0] = '\0';
	if ((fd = dup(d->fd)) == -1)
		return 0;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		if ((kind = kept_kind(de->d_name)) == 0 ||
		    fstatat(d->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (st.st_mtime < time(NULL) - KEPT_AGE)
			(void)unlinkat(d->fd, de->d_name, 0);
		else if (kind == KEPT_PROOF && (count++ == 0 ||
		    st.st_mtim.tv_sec < old.tv_sec ||
		    (st.st_mtim.tv_sec == old.tv_sec &&
		    st.st_mtim.tv_nsec < old.tv_nsec))) {
			old = st.st_mtim;
			memcpy(oldest, de->d_name, KEPT_NAME_LEN + 1);
		}
	}
	closedir(dir);
	return count;
}

/*
 * Sweep d (kept_scan()); with room, also remove the oldest kept proofs
 * until fewer than KEPT_COUNT are left, to make room for a new one: a
 * server that sends first proof prompts with ever new nonces must not
 * fill the runtime directory.
 */
static void
kept_sweep(const struct pb_privdir *d, int room)
{
	char oldest[KEPT_NAME_LEN + 1];

	while (kept_scan(d, oldest) >= KEPT_COUNT && room &&
	    unlinkat(d->fd, oldest, 0) == 0)
		;
}

int
pb_proof_keep(const char *host, const char *nonce,
    const struct pb_secret *proof)
{
	char name[KEPT_NAME_LEN + 1];
	struct pb_privdir d;
	struct pb_secret v = { NULL, 0 };
	struct pb_err e;
	size_t hl = strlen(host);
	int rv = PB_EXIT_FAIL;

	pb_err_clear(&e);
	if (kept_name(nonce, name) != 0 || hl > HOST_MAX ||
	    proof->len > PB_POP_MAX) {
		fprintf(stderr, "%s: askpass: cannot keep the proof for its "
		    "parts\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	/* "HOST\nPROOF": the host it is for, then the proof. */
	if ((v.p = malloc(hl + 1 + proof->len)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	v.len = hl + 1 + proof->len;
	memcpy(v.p, host, hl);
	v.p[hl] = '\n';
	memcpy(v.p + hl + 1, proof->p, proof->len);
	if (kept_dir(&d, &e) == PB_OK) {
		kept_sweep(&d, 1);
		if (pb_privdir_write(&d, name, v.p, v.len, &e) == PB_OK)
			rv = PB_EXIT_OK;
	}
	if (rv != PB_EXIT_OK)
		fprintf(stderr, "%s: askpass: cannot keep the proof for its "
		    "parts: %s\n", PB_PROG, pb_err_msg(&e));
	pb_privdir_close(&d);
	pb_freezero(v.p, v.len);
	return rv;
}

/*
 * The proof in the kept file v ("HOST\nPROOF") into *out when HOST is host
 * (ASCII case-insensitive).  PB_EXIT_OK, else PB_EXIT_FAIL after a
 * message.
 */
static int
kept_split(const struct pb_secret *v, const char *host,
    struct pb_secret *out)
{
	char s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ];
	const char *nl = memchr(v->p, '\n', v->len);
	size_t hl = nl != NULL ? (size_t)(nl - v->p) : 0;

	if (nl == NULL || hl == 0 || hl > HOST_MAX) {
		fprintf(stderr, "%s: askpass: the kept proof is damaged: no "
		    "answer\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	v->p[hl] = '\0';
	if (strlen(host) != hl || strncasecmp(v->p, host, hl) != 0) {
		fprintf(stderr, "%s: askpass: the proof kept for this nonce is "
		    "for '%s', this prompt for '%s': no answer\n", PB_PROG,
		    pb_log_safe(v->p, s1, sizeof(s1)),
		    pb_log_safe(host, s2, sizeof(s2)));
		return PB_EXIT_FAIL;
	}
	if (pb_secret_dup(out, nl + 1, v->len - hl - 1) != PB_OK) {
		fprintf(stderr, "%s: out of memory\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

int
pb_proof_kept(const char *host, const char *nonce, struct pb_secret *out)
{
	char name[KEPT_NAME_LEN + 1];
	struct pb_privdir d;
	struct pb_secret v = { NULL, 0 };
	struct pb_err e;
	int r = PB_ERR_NOTFOUND, rv = PB_EXIT_FAIL;

	out->p = NULL;
	out->len = 0;
	pb_err_clear(&e);
	if (kept_name(nonce, name) != 0) {
		fprintf(stderr, "%s: askpass: cannot find the kept proof\n",
		    PB_PROG);
		return PB_EXIT_FAIL;
	}
	if (kept_dir(&d, &e) == PB_OK) {
		kept_sweep(&d, 0);
		if (kept_stale(&d, name))
			(void)!pb_privdir_remove(&d, name, &e);
		else
			r = pb_privdir_read(&d, name, KEPT_MAX, &v, &e);
	}
	pb_privdir_close(&d);
	if (r == PB_OK)
		rv = kept_split(&v, host, out);
	else if (r == PB_ERR_NOTFOUND)
		fprintf(stderr, "%s: askpass: a proof prompt continues, but no "
		    "proof is kept for its nonce (the first part came from "
		    "another askpass, or over %d s ago, or over %d proofs "
		    "were waiting): no answer\n", PB_PROG, KEPT_AGE,
		    KEPT_COUNT);
	else
		fprintf(stderr, "%s: askpass: cannot read the kept proof: "
		    "%s\n", PB_PROG, pb_err_msg(&e));
	pb_secret_clear(&v);
	return rv;
}

void
pb_proof_forget(const char *nonce)
{
	char name[KEPT_NAME_LEN + 1];
	struct pb_privdir d;
	struct pb_err e;

	int r;

	pb_err_clear(&e);
	if (kept_name(nonce, name) != 0)
		return;
	if ((r = kept_dir(&d, &e)) == PB_OK) {
		r = pb_privdir_remove(&d, name, &e);
		kept_sweep(&d, 0);
	}
	if (r != PB_OK && r != PB_ERR_NOTFOUND)
		fprintf(stderr, "%s: askpass: cannot remove the kept proof "
		    "(it goes %d s on): %s\n", PB_PROG, KEPT_AGE,
		    pb_err_msg(&e));
	pb_privdir_close(&d);
}

/*
 * Take --host HOST and --nonce N (or --host=HOST, --nonce=N) out of argv
 * into *host and *nonce, keeping the rest, in order, in argv[0..*argc).
 * Returns PB_EXIT_OK or PB_EXIT_USAGE after a message.
 */
static int
take_args(int *argc, char **argv, const char **host, const char **nonce)
{
	static const char *const names[2] = { "--host", "--nonce" };
	const char **dst[2] = { host, nonce };
	int i, j, k, n = 1;
	size_t l;

	for (i = 1; i < *argc; i++) {
		for (k = 0; k < 2; k++) {
			l = strlen(names[k]);
			if (strncmp(argv[i], names[k], l) == 0 &&
			    (argv[i][l] == '\0' || argv[i][l] == '='))
				break;
		}
		if (k == 2) {
			argv[n++] = argv[i];
			continue;
		}
		if (argv[i][l] == '=')
			*dst[k] = argv[i] + l + 1;
		else if ((j = i + 1) < *argc)
			*dst[k] = argv[i = j];
		else {
			fprintf(stderr, "%s: proof: %s needs a value\n",
			    PB_PROG, names[k]);
			return PB_EXIT_USAGE;
		}
	}
	*argc = n;
	return PB_EXIT_OK;
}

int
pb_proof_run(int argc, char **argv)
{
	struct pb_options o;
	struct pb_secret p = { NULL, 0 };
	const char *host = NULL, *nonce = NULL;
	int rv;

	if ((rv = take_args(&argc, argv, &host, &nonce)) != PB_EXIT_OK ||
	    (rv = pb_options_parse(argc, argv, &o, NULL, NULL, NULL)) !=
	    PB_EXIT_OK)
		return rv;
	if (host == NULL || nonce == NULL) {
		fprintf(stderr, "%s: proof: --host and --nonce are required\n",
		    PB_PROG);
		pb_commands_help("proof", 1);
		return PB_EXIT_USAGE;
	}
	if ((rv = pb_get_proof(&o, host, nonce, &p)) == PB_EXIT_OK)
		rv = pb_out_token(&p, 0);
	pb_secret_clear(&p);
	return rv;
}
