/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * "askpass": SSH_ASKPASS for pam_bearer's prompts, answering them with the
 * token "get" would print, in parts; any other prompt goes to a fallback
 * askpass or the terminal.  It prints nothing on stdout but the answer.
 *
 * Where the token may go (DESIGN.md section 5): the module's prompts are
 * answered only for TARGET, the host the client means to reach (target.h),
 * when the profile's ssh_hosts is set; a proof prompt only after the
 * client's own "(user@host) " prefix (OpenSSH 8.5 and later), or under
 * "bearer-token sudo" for this host (sudo_mode(); there the whole prompt
 * is the server's text, a prefix in it is not sudo's).  Token and proof go
 * in parts of PB_PROMPT_PART bytes (prompt.h: sudo drops answers of 512
 * bytes or more, OpenSSH cuts them at 1023); a proof longer than a part is
 * kept between its prompts (proof.c, pb_proof_keep()).
 * A server cannot pull fresh tokens by prompting again: only the first
 * "Bearer token: " of an ssh run may refresh.  askpass marks the run with
 * an empty file ssh-run.RUN in the runtime directory (created with
 * O_EXCL, so only one prompt of the run is first), and every later prompt
 * of that run gets the cached token, however short its life.  Marks older
 * than a day are removed when a new one is made.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "token_cache.h"
#include "commands.h"
#include "err.h"
#include "out.h"
#include "parse.h"
#include "profile.h"
#include "prompt.h"
#include "net.h"
#include "privdir.h"
#include "refusal.h"
#include "secmem.h"
#include "target.h"

#define RUN_MARK	"ssh-run."		/* + the run id */
#define RUN_MARK_AGE	(24 * 60 * 60)		/* then swept */

/* Remove the run marks in d older than RUN_MARK_AGE; best effort. */
static void
run_sweep(const struct pb_privdir *d)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd;

	if ((fd = dup(d->fd)) == -1)
		return;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL)
		if (strncmp(de->d_name, RUN_MARK, sizeof(RUN_MARK) - 1) == 0 &&
		    fstatat(d->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_mtime < time(NULL) - RUN_MARK_AGE)
			(void)unlinkat(d->fd, de->d_name, 0);
	closedir(dir);
}

/*
 * The run's id in buf (bufsz >= PB_TARGET_RUN_MAX + 1): PB_TARGET_RUN_ENV
 * under "bearer-token ssh", else "p" PPID "-" the parent's start time
 * (/proc/PPID/stat, field 22): askpass's parent is the ssh client, and
 * its start time tells it from a later process with the same pid.  1, or
 * 0 after a message when there is none.
 */
static int
run_id(char *buf, size_t bufsz)
{
	const char *run = secure_getenv(PB_TARGET_RUN_ENV);
	char path[64], st[1024], *p;
	unsigned long start;
	long ppid = (long)getppid();
	ssize_t n = -1;
	int fd, i;

	if (run != NULL && *run != '\0') {
		if (pb_target_run_valid(run) &&
		    (size_t)snprintf(buf, bufsz, "%s", run) < bufsz)
			return 1;
		fprintf(stderr, "%s: askpass: %s is not a run id\n", PB_PROG,
		    PB_TARGET_RUN_ENV);
		return 0;
	}
	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", ppid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, st, sizeof(st) - 1);
		close(fd);
	}
	/* "PID (COMM) S PPID ...": field k + 2 follows the k-th space. */
	p = n > 0 ? (st[n] = '\0', strrchr(st, ')')) : NULL;
	for (i = 0; p != NULL && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (ppid <= 1 || p == NULL || pb_parse_ulong_n(p + 1,
	    strcspn(p + 1, " "), 0, ULONG_MAX, &start) != PB_OK ||
	    (size_t)snprintf(buf, bufsz, "p%ld-%lu", ppid, start) >= bufsz ||
	    !pb_target_run_valid(buf)) {
		fprintf(stderr, "%s: askpass: cannot tell this ssh run from "
		    "its parent process (%s)\n", PB_PROG, path);
		return 0;
	}
	return 1;
}

/* Make the mark name in the directory path; as run_mark(). */
static int
run_mark_in(const char *path, const char *name, struct pb_err *e)
{
	struct pb_privdir d = { NULL, -1 };
	int fd, rv = -1;

	if (pb_privdir_open(&d, path, PB_PRIVDIR_CREATE_LAST, e) == PB_OK) {
		fd = openat(d.fd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		rv = fd != -1 ? 1 : errno == EEXIST ? 0 : -1;
		if (fd != -1) {
			close(fd);
			run_sweep(&d);
		} else if (rv == -1)
			pb_err_set(e, PB_ERR_IO, "%s: %s", name,
			    strerror(errno));
	}
	pb_privdir_close(&d);
	return rv;
}

/*
 * Mark the run (run_id()) in the runtime directory, else in the state
 * directory (where the refresh lock is): 1 when this is its first token
 * prompt (the mark is new), 0 when it was marked before, -1 after a
 * message when no mark can be made (then nothing may refresh).
 */
static int
run_mark(void)
{
	char run[PB_TARGET_RUN_MAX + 1];
	char name[sizeof(RUN_MARK) + PB_TARGET_RUN_MAX];
	struct pb_err e;
	char *path = NULL;
	int rv = -1;

	if (!run_id(run, sizeof(run)))
		goto fail;
	pb_err_clear(&e);
	(void)snprintf(name, sizeof(name), "%s%s", RUN_MARK, run);
	if (pb_privdir_runtime_path(&path, &e) == PB_OK ||
	    (free(path), path = NULL,
	    pb_privdir_state_path(&path, &e) == PB_OK))
		rv = run_mark_in(path, name, &e);
	free(path);
	if (rv != -1)
		return rv;
	fprintf(stderr, "%s: askpass: cannot mark this ssh run (%s)\n",
	    PB_PROG, pb_err_msg(&e));
 fail:
	fprintf(stderr, "%s: askpass: only a cached token, no refresh\n",
	    PB_PROG);
	return -1;
}

/*
 * The min_ttl for pb_get_token(): a continuation, or a later first prompt
 * of the same ssh run, gets the cached token; only the run's first prompt
 * may refresh (and, under --fresh, does).
 */
static long
token_min_ttl(int kind)
{
	const char *fresh;

	if (kind == PB_PROMPT_CONT || run_mark() != 1)
		return PB_TOKEN_CACHED;
	/*
	 * bearer-token ssh --fresh: the run's one refresh happens at once,
	 * so that a server with replay_cache, which took the cached token at
	 * the last login, gets a token it has not seen.
	 */
	fresh = secure_getenv(PB_TARGET_FRESH_ENV);
	return fresh != NULL && strcmp(fresh, "1") == 0 ? PB_TOKEN_NEW : -1;
}

/*
 * Write the part of the len bytes at p that answers the prompt at off
 * (pb_prompt_part(): at most PB_PROMPT_PART bytes, then PB_PROMPT_MORE
 * when more remain) and a newline.  *more says whether more remain.  A
 * PB_EXIT_* status, after a message when not PB_EXIT_OK.
 */
static int
write_part(const char *what, const char *p, size_t len, size_t off,
    int *more)
{
	const char mark = PB_PROMPT_MORE;
	size_t n;

	*more = 0;
	if (off >= len) {
		fprintf(stderr, "%s: askpass: the server asks from byte %zu "
		    "of a %zu-byte %s (did the %s change between the "
		    "prompts?)\n", PB_PROG, off, len, what, what);
		return PB_EXIT_FAIL;
	}
	n = pb_prompt_part(len, off, more);
	if (pb_out_write(STDOUT_FILENO, p + off, n) == -1 ||
	    (*more && pb_out_write(STDOUT_FILENO, &mark, 1) == -1) ||
	    pb_out_write(STDOUT_FILENO, "\n", 1) == -1) {
		fprintf(stderr, "%s: askpass: cannot write: %s\n", PB_PROG,
		    strerror(errno));
		return PB_EXIT_FAIL;
	}
	return PB_EXIT_OK;
}

/* Answer a token prompt (kind, off: pb_prompt_parse()). */
static int
answer_token(const struct pb_options *o, int kind, size_t off)
{
	struct pb_cached t;
	int rv, more;

	/*
	 * A continuation must get the token the first part came from: the
	 * cached one, however short its life now.
	 */
	if ((rv = pb_get_token(o, token_min_ttl(kind), &t)) != PB_EXIT_OK)
		return rv;
	rv = write_part("token", t.token.p, t.token.len, off, &more);
	pb_token_cache_clear(&t);
	return rv;
}

/*
 * A proof may refresh the token (pb_get_proof()): in a run that had its
 * first prompt already, only while the cached token is fresh, so that
 * proof prompts do not pull refreshes either.  PB_EXIT_OK or a status
 * after a message.
 */
static int
proof_may_run(const struct pb_options *o)
{
	struct pb_cached t;
	int rv, fresh;

	if (run_mark() == 1)
		return PB_EXIT_OK;
	if ((rv = pb_get_token(o, PB_TOKEN_CACHED, &t)) != PB_EXIT_OK)
		return rv;
	fresh = pb_token_cache_fresh(&t, (int64_t)time(NULL), -1);
	pb_token_cache_clear(&t);
	if (fresh)
		return PB_EXIT_OK;
	fprintf(stderr, "%s: askpass: the token is close to its expiry and "
	    "this ssh run has had its refresh: no proof (run ssh again)\n",
	    PB_PROG);
	return PB_EXIT_FAIL;
}

/*
 * The proof for the prompt at off into *proof: made at the first prompt
 * (and kept when it takes more than one part: an ECDSA proof is
 * randomized, so a continuation cannot make it again), read back from
 * where it was kept at a continuation.
 */
static int
proof_for(const struct pb_options *o, const char *target, const char *nonce,
    size_t off, struct pb_secret *proof)
{
	int rv;

	if (off > 0)
		return pb_proof_kept(target, nonce, proof);
	if ((rv = proof_may_run(o)) != PB_EXIT_OK ||
	    (rv = pb_get_proof(o, target, nonce, proof)) != PB_EXIT_OK)
		return rv;
	if (proof->len > PB_PROMPT_PART)
		rv = pb_proof_keep(target, nonce, proof);
	return rv;
}

/*
 * Answer "Bearer proof for HOST, nonce N: " or its continuation (rest:
 * after the client's prefix) with the proof for target, in parts.  HOST
 * is the server's word: shown, never used.
 */
static int
answer_proof(const struct pb_options *o, const char *rest,
    const char *target)
{
	char shost[PB_PROOF_HOST_MAX + 1], nonce[PB_PROOF_NONCE_LEN + 1];
	char s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ];
	struct pb_secret proof = { NULL, 0 };
	size_t off;
	int rv, more = 0;

	if (pb_prompt_proof_parse(rest, shost, sizeof(shost), nonce, &off) !=
	    PB_OK) {
		fprintf(stderr, "%s: askpass: not a well-formed proof prompt: "
		    "no answer\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	if (off == 0 && strcasecmp(shost, target) != 0)
		fprintf(stderr, "%s: askpass: the server calls itself '%s'; "
		    "the proof is for '%s', the host the client reaches\n",
		    PB_PROG, pb_log_safe(shost, s1, sizeof(s1)),
		    pb_log_safe(target, s2, sizeof(s2)));
	if ((rv = proof_for(o, target, nonce, off, &proof)) == PB_EXIT_OK)
		rv = write_part("proof", proof.p, proof.len, off, &more);
	/* The last part sent, or a failure: the kept proof has no use. */
	if (proof.len > PB_PROMPT_PART && (!more || rv != PB_EXIT_OK))
		pb_proof_forget(nonce);
	pb_secret_clear(&proof);
	pb_bzero(nonce, sizeof(nonce));
	return rv;
}

/*
 * Whether the profile lets askpass answer this prompt (ssh_hosts), and
 * TARGET in *target when it is known (need: a proof, which needs one;
 * sudo: under "bearer-token sudo", where host alone is TARGET).
 * PB_EXIT_OK, else a status after saying why on stderr.
 */
static int
askpass_allowed(const struct pb_options *o, int split, const char *host,
    int need, int sudo, const char **target)
{
	char s1[PB_SAFE_BUFSZ], s2[PB_SAFE_BUFSZ];
	const char *env = sudo ? NULL : secure_getenv(PB_TARGET_ENV);
	struct pb_profile c;
	struct pb_err e;
	int r, rv = PB_EXIT_FAIL;

	pb_err_clear(&e);
	if ((r = pb_profile_load(&c, o, &e)) != PB_OK) {
		fprintf(stderr, "%s: %s\n", PB_PROG, pb_err_msg(&e));
		pb_profile_clear(&c);
		return r == PB_ERR_NOMEM ? PB_EXIT_FAIL : PB_EXIT_CONFIG;
	}
	r = pb_target_choose(split, host, env, target);
	if (!need && c.ssh_hosts == NULL)
		rv = PB_EXIT_OK;
	else if (r == PB_TARGET_MISMATCH)
		fprintf(stderr, "%s: askpass: the prompt comes from ssh's "
		    "connection to '%s', not to '%s' that bearer-token ssh "
		    "was asked for (a ProxyJump hop, or HostKeyAlias?): no "
		    "answer\n", PB_PROG, pb_log_safe(host, s1, sizeof(s1)),
		    pb_log_safe(env, s2, sizeof(s2)));
	else if (r == PB_TARGET_BAD)
		fprintf(stderr, "%s: askpass: the host in the prompt's "
		    "(user@host) prefix or in %s is not a usable host name: "
		    "no answer\n", PB_PROG, PB_TARGET_ENV);
	else if (r == PB_TARGET_NONE)
		fprintf(stderr, "%s: askpass: cannot tell which host asks (ssh "
		    "wrote no (user@host) prefix and %s is not set)%s: no "
		    "answer\n", PB_PROG, PB_TARGET_ENV, c.ssh_hosts != NULL ?
		    ", and ssh_hosts is set" : "");
	else if (c.ssh_hosts != NULL && !pb_target_match(c.ssh_hosts,
	    *target))
		fprintf(stderr, "%s: askpass: host '%s' is not in ssh_hosts "
		    "of profile '%s': no answer\n", PB_PROG,
		    pb_log_safe(*target, s1, sizeof(s1)), c.profile);
	else
		rv = PB_EXIT_OK;
	pb_profile_clear(&c);
	return rv;
}

/*
 * Under "bearer-token sudo" a local PAM client asks, with no prefix:
 * TARGET is this host's own name from gethostname (DESIGN.md section 5).
 * Only when the front said so (PB_TARGET_SUDO_ENV "1") and askpass's
 * parent is sudo (sudo -A runs it as the invoking user with that user's
 * environment): a variable left in an environment where ssh runs askpass
 * must not let a server that writes a prompt without the client's prefix
 * get a proof for this host.  The variable names no host: a proof made
 * here is only ever for this one.  1 under bearer-token sudo, -1 when the
 * variable is set but the parent is not sudo, 0 when it is not set.
 */
static int
sudo_mode(void)
{
	const char *v = secure_getenv(PB_TARGET_SUDO_ENV);
	char path[64], comm[32];
	ssize_t n = -1;
	int fd;

	if (v == NULL || strcmp(v, "1") != 0)
		return 0;
	(void)snprintf(path, sizeof(path), "/proc/%ld/comm",
	    (long)getppid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
	}
	return n > 0 && (comm[n] = '\0', strcmp(comm, "sudo\n") == 0) ? 1 : -1;
}

/* This host's name into host (hostsz bytes): 1, or 0 after a message. */
static int
sudo_host(char *host, size_t hostsz)
{
	if (gethostname(host, hostsz) != 0 || (host[hostsz - 1] = '\0',
	    !pb_target_valid(host))) {
		fprintf(stderr, "%s: askpass: this host's name (gethostname) "
		    "is not usable for a proof\n", PB_PROG);
		host[0] = '\0';
		return 0;
	}
	return 1;
}

/*
 * Whether prompt, under bearer-token sudo, is one of the module's behind
 * a "(user@host) " prefix: sudo writes none, so the prefix is the text of
 * whoever wrote the prompt (a RADIUS challenge in sudo's PAM stack, say)
 * and must not choose TARGET.  1 after a message, else 0.
 */
static int
sudo_forged(const char *prompt)
{
	char host[PB_TARGET_MAX + 1];
	const char *rest;
	size_t off;

	if (pb_target_split(prompt, host, sizeof(host), &rest) ==
	    PB_TARGET_NOPREFIX || (pb_prompt_parse(rest, &off) ==
	    PB_PROMPT_OTHER && strncmp(rest, PB_PROMPT_PROOF,
	    sizeof(PB_PROMPT_PROOF) - 1) != 0))
		return 0;
	fprintf(stderr, "%s: askpass: under bearer-token sudo a prompt with "
	    "a (user@host) prefix is not pam_bearer's (sudo writes none; "
	    "another module wrote it): no answer\n", PB_PROG);
	return 1;
}

int
pb_askpass_run(int argc, char **argv)
{
	char host[PB_TARGET_MAX + 1];
	const char *rest, *target;
	struct pb_options o;
	size_t off = 0;
	int split = PB_TARGET_NOPREFIX, kind, rv, proof, sudo;

	if (argc != 2) {
		pb_commands_help("askpass", 1);
		return PB_EXIT_USAGE;
	}
	/* Under bearer-token sudo the whole prompt is the server's text. */
	rest = argv[1];
	if ((sudo = sudo_mode()) != 1)
		split = pb_target_split(argv[1], host, sizeof(host), &rest);
	kind = pb_prompt_parse(rest, &off);
	/* A refused token ends the run here (refusal.c). */
	if ((rv = pb_refusal_check(argv[1], kind)) != PB_EXIT_OK)
		return rv;
	/* Exactly after the first prefix, or it is not the module's. */
	proof = kind == PB_PROMPT_OTHER && strncmp(rest, PB_PROMPT_PROOF,
	    sizeof(PB_PROMPT_PROOF) - 1) == 0;
	if (kind == PB_PROMPT_OTHER && !proof)
		return sudo == 1 && sudo_forged(argv[1]) ? PB_EXIT_FAIL :
		    pb_askpass_tty_ask(argv[1]);
	/* sudo writes no prefix: under bearer-token sudo, this host. */
	if (sudo == 1) {
		if (!sudo_host(host, sizeof(host)))
			return PB_EXIT_FAIL;
		split = PB_TARGET_PREFIX;
	} else if (sudo == -1 && split == PB_TARGET_NOPREFIX)
		fprintf(stderr, "%s: askpass: %s is set, but askpass does not "
		    "run under sudo: ignored\n", PB_PROG, PB_TARGET_SUDO_ENV);
	/*
	 * Before OpenSSH 8.5 the client writes no prefix, so a server can
	 * write one of its own, and a ProxyJump hop inherits PB_TARGET_ENV:
	 * only a prompt with the client's own prefix gets a proof.
	 */
	if (proof && split == PB_TARGET_NOPREFIX) {
		fprintf(stderr, "%s: askpass: a proof prompt without ssh's "
		    "(user@host) prefix: bound logins need OpenSSH 8.5 or "
		    "later (or the prompt did not come from ssh): no "
		    "answer\n", PB_PROG);
		return PB_EXIT_FAIL;
	}
	memset(&o, 0, sizeof(o));
	if ((rv = askpass_allowed(&o, split, host, proof, sudo == 1,
	    &target)) != PB_EXIT_OK)
		return rv;
	if (proof)
		return answer_proof(&o, rest, target);
	return answer_token(&o, kind, off);
}
