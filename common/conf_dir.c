/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Several issuers on one host (DESIGN.md section 2, "Several issuers"):
 * pam_bearer.conf when it names an issuer, and every *.conf file of
 * issuers_dir in name order, each a complete configuration of its own
 * with the module's key=value arguments on top.  The choice among them by
 * a token's iss is pb_issuers_pick() in verify.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_key.h"
#include "err.h"
#include "file.h"
#include "verify.h"

/* More than any host needs; bounds the work of a login. */
#define MAX_ISSUER_FILES	256

int
pb_conf_apply_args(struct pb_conf *cfg, int argc, const char *const *argv,
    int host_keys, const char *where, pb_conf_log_fn *logfn, void *ctx)
{
	int i, r, bad = 0;

	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '=') == NULL ||
		    strncmp(argv[i], "config=", 7) == 0)
			continue;
		/* issuers_dir is the host's, not one issuer's. */
		if (!host_keys && strncmp(argv[i], "issuers_dir=", 12) == 0)
			continue;
		/* Keep going: one log shows every bad argument. */
		if ((r = pb_conf_set_arg(cfg, argv[i], where, logfn, ctx)) ==
		    PB_ERR_NOMEM)
			return r;
		if (r != PB_OK)
			bad = 1;
	}
	return bad ? PB_ERR_CONFIG : PB_OK;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A "*.conf" name that is no hidden file. */
static int
conf_name(const char *s)
{
	size_t n = strlen(s);

	return s[0] != '.' && n > 5 && strcmp(s + n - 5, ".conf") == 0;
}

/*
 * The directory dir opened and trusted as pam_bearer.conf is: owned by
 * root or us, writable by no one else, no symbolic link, and a safe path.
 * *fd is -1 when it does not exist.
 */
static int
open_dir(const char *dir, int *fd, pb_conf_log_fn *logfn, void *ctx)
{
	struct pb_err e;
	struct stat st;

	pb_err_clear(&e);
	if ((*fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return PB_OK;
		pb_conf_report(logfn, ctx, dir, "cannot open the issuers "
		    "directory: %s%s", strerror(errno), errno == ELOOP ||
		    errno == ENOTDIR ? " (it must be a real directory, not a "
		    "symbolic link)" : "");
		return PB_ERR_CONFIG;
	}
	if (fstat(*fd, &st) != 0 || (st.st_uid != 0 &&
	    st.st_uid != geteuid()) || (st.st_mode & 022) != 0) {
		pb_conf_report(logfn, ctx, dir, "the issuers directory must "
		    "be owned by root and writable by no one else (chown "
		    "root:root; chmod 755)");
		goto bad;
	}
	if (pb_file_check_path(dir, &st, &e) != PB_OK) {
		pb_conf_report(logfn, ctx, NULL, "%s", pb_err_msg(&e));
		goto bad;
	}
	return PB_OK;
 bad:
	(void)close(*fd);
	*fd = -1;
	return PB_ERR_CONFIG;
}

/*
 * The sorted "*.conf" names of dir, regular files only (a symbolic link is
 * an error, as anywhere in the trust path).  *n is 0 without a directory.
 */
static int
list_dir(const char *dir, char ***out, size_t *n, pb_conf_log_fn *logfn,
    void *ctx)
{
	struct dirent *de;
	struct stat st;
	char **names;
	DIR *d;
	int fd, r, bad = 0;

	*out = NULL;
	*n = 0;
	if ((r = open_dir(dir, &fd, logfn, ctx)) != PB_OK || fd == -1)
		return r;
	/* One array of the cap: no realloc (STYLE.md 2.2). */
	if ((names = calloc(MAX_ISSUER_FILES, sizeof(*names))) == NULL ||
	    (d = fdopendir(fd)) == NULL) {
		free(names);
		(void)close(fd);
		return PB_ERR_NOMEM;
	}
	r = PB_OK;
	while ((de = readdir(d)) != NULL) {
		if (!conf_name(de->d_name))
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			pb_conf_report(logfn, ctx, dir, "'%s' is %s (each "
			    "issuer file must be a regular file)", de->d_name,
			    S_ISLNK(st.st_mode) ? "a symbolic link" :
			    "not a regular file");
			bad = 1;
			continue;
		}
		if (*n == MAX_ISSUER_FILES) {
			pb_conf_report(logfn, ctx, dir, "more than %d issuer "
			    "files", MAX_ISSUER_FILES);
			bad = 1;
			break;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL) {
			r = PB_ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	(void)closedir(d);
	if (r == PB_OK && bad)
		r = PB_ERR_CONFIG;
	if (r != PB_OK) {
		names_free(names, *n);
		*n = 0;
		return r;
	}
	if (*n > 0)
		qsort(names, *n, sizeof(*names), name_cmp);
	*out = names;
	return PB_OK;
}

/*
 * Append cfg (taken) read from file to is, whose arrays hold
 * MAX_ISSUER_FILES + 1 (the files and pam_bearer.conf).
 */
static int
add(struct pb_issuers *is, struct pb_conf *cfg, const char *file)
{
	if (is->n > MAX_ISSUER_FILES)
		return PB_ERR_INTERNAL;
	if ((is->file[is->n] = strdup(file)) == NULL)
		return PB_ERR_NOMEM;
	is->cfg[is->n++] = cfg;
	return PB_OK;
}

/* One issuer file: the file, the arguments on top, checked if asked. */
static int
load_one(struct pb_issuers *is, const char *path, int argc,
    const char *const *argv, const char *where, pb_conf_log_fn *logfn,
    void *ctx, int check)
{
	struct pb_conf *cfg = NULL;
	int r;

	if ((r = pb_conf_new(&cfg)) != PB_OK)
		return r;
	if ((r = pb_conf_load(cfg, path, logfn, ctx)) != PB_OK)
		goto out;
	if ((cfg->seen & KBIT(K_ISSUERS_DIR)) != 0) {
		pb_conf_report(logfn, ctx, path, "issuers_dir belongs in "
		    "pam_bearer.conf, not in an issuer file");
		r = PB_ERR_CONFIG;
		goto out;
	}
	if ((r = pb_conf_apply_args(cfg, argc, argv, 0, where, logfn,
	    ctx)) != PB_OK)
		goto out;
	if (check && (r = pb_conf_check(cfg, logfn, ctx)) != PB_OK) {
		pb_conf_report(logfn, ctx, path, "this issuer file is "
		    "incomplete (see above)");
		goto out;
	}
	if ((r = add(is, cfg, path)) == PB_OK)
		cfg = NULL;
 out:
	pb_conf_free(cfg);
	return r;
}

/* Two configurations naming the same issuer: which one is meant? */
static int
check_dups(const struct pb_issuers *is, pb_conf_log_fn *logfn, void *ctx)
{
	char sv[PB_SAFE_BUFSZ];
	size_t i, j, k;
	int r = PB_OK;

	for (i = 0; i < is->n; i++)
		for (j = i + 1; j < is->n; j++)
			for (k = 0; k < is->cfg[j]->issuers.n; k++) {
				if (!pb_strlist_has(&is->cfg[i]->issuers,
				    is->cfg[j]->issuers.v[k]))
					continue;
				pb_conf_report(logfn, ctx, is->file[j],
				    "issuer '%s' is configured in %s too "
				    "(one file per issuer)", pb_log_safe(
				    is->cfg[j]->issuers.v[k], sv, sizeof(sv)),
				    is->file[i]);
				r = PB_ERR_CONFIG;
			}
	return r;
}

/* The files of base's issuers_dir into is. */
static int
load_dir(struct pb_issuers *is, int argc, const char *const *argv,
    const char *where, pb_conf_log_fn *logfn, void *ctx, int check)
{
	const char *dir = is->base->issuers_dir;
	char **names = NULL, *path = NULL;
	size_t i, n, plen;
	int r, bad = 0;

	if ((r = list_dir(dir, &names, &n, logfn, ctx)) != PB_OK)
		return r;
	for (i = 0; i < n; i++) {
		plen = strlen(dir) + strlen(names[i]) + 2;
		if ((path = malloc(plen)) == NULL) {
			r = PB_ERR_NOMEM;
			break;
		}
		(void)snprintf(path, plen, "%s/%s", dir, names[i]);
		r = load_one(is, path, argc, argv, where, logfn, ctx, check);
		free(path);
		if (r == PB_ERR_NOMEM)
			break;
		/* Keep going: one log shows every bad file. */
		if (r != PB_OK)
			bad = 1;
		r = PB_OK;
	}
	names_free(names, n);
	if (r == PB_OK && bad)
		r = PB_ERR_CONFIG;
	return r;
}

int
pb_issuers_from_args(const char *path, int argc, const char *const *argv,
    const char *where, pb_conf_log_fn *logfn, void *ctx, int check,
    struct pb_issuers **out)
{
	struct pb_issuers *is;
	int r;

	*out = NULL;
	if ((is = calloc(1, sizeof(*is))) == NULL)
		return PB_ERR_NOMEM;
	if ((is->cfg = calloc(MAX_ISSUER_FILES + 1, sizeof(*is->cfg))) ==
	    NULL || (is->file = calloc(MAX_ISSUER_FILES + 1,
	    sizeof(*is->file))) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	if ((r = pb_conf_read_args(path, argc, argv, where, logfn, ctx,
	    &is->base)) != PB_OK)
		goto out;
	if (path == NULL)
		path = PB_CONF_DEFAULT_PATH;
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "config=", 7) == 0)
			path = argv[i] + 7;
	/* pam_bearer.conf is one issuer when it names one. */
	if (is->base->issuers.n > 0) {
		if (check && (r = pb_conf_check(is->base, logfn, ctx)) !=
		    PB_OK)
			goto out;
		if ((r = add(is, is->base, path)) != PB_OK)
			goto out;
	}
	if ((r = load_dir(is, argc, argv, where, logfn, ctx, check)) !=
	    PB_OK || (r = check_dups(is, logfn, ctx)) != PB_OK)
		goto out;
	/* None at all: say what today's single file lacks. */
	if (is->n == 0) {
		if (check && (r = pb_conf_check(is->base, logfn, ctx)) !=
		    PB_OK)
			goto out;
		if ((r = add(is, is->base, path)) != PB_OK)
			goto out;
	}
	*out = is;
	is = NULL;
	r = PB_OK;
 out:
	pb_issuers_free(is);
	return r;
}

void
pb_issuers_free(struct pb_issuers *is)
{
	size_t i;

	if (is == NULL)
		return;
	for (i = 0; i < is->n; i++) {
		if (is->cfg[i] != is->base)
			pb_conf_free(is->cfg[i]);
		free(is->file[i]);
	}
	free(is->cfg);
	free(is->file);
	pb_conf_free(is->base);
	free(is);
}
