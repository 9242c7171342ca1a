/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "usermap.h"

/*
 * A NUL byte would end the line early for the string compares and so
 * silently drop every entry after it; bytes that are not UTF-8 are a
 * file saved in another encoding, whose values never match a claim.
 * Both are errors with file:line, as in pam_bearer.conf.
 */
static int
check_text(const char *buf, size_t len, const char *path, struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, n, lineno = 1;

	while (i < len) {
		if (p[i] == '\n') {
			lineno++;
			i++;
			continue;
		}
		if (p[i] == '\0')
			return pb_err_set(e, PB_ERR_CONFIG, "%s:%zu: NUL byte "
			    "in line (is this a text file?)",
			    pb_log_path(path, sp, sizeof(sp)), lineno);
		if ((n = pb_utf8_next(p + i, len - i, NULL)) == 0)
			return pb_err_set(e, PB_ERR_CONFIG, "%s:%zu: invalid "
			    "UTF-8 in line (save the file as UTF-8)",
			    pb_log_path(path, sp, sizeof(sp)), lineno);
		i += n;
	}
	return PB_OK;
}

/*
 * Read a list file.  Every way it can fail is the admin's to fix, so a
 * file over the cap is PB_ERR_CONFIG, not PB_ERR_TOOBIG (which callers
 * would take for a token over a size limit), as conf.c does.
 */
static int
read_list(const char *path, char **buf, size_t *len, struct pb_err *e)
{
	int r;

	if ((r = pb_file_read(path, PB_LIST_MAX, 0, buf, len, e)) ==
	    PB_ERR_TOOBIG) {
		r = PB_ERR_CONFIG;	/* the message stays */
		if (e != NULL)
			e->code = r;
	}
	if (r == PB_OK && (r = check_text(*buf, *len, path, e)) != PB_OK) {
		free(*buf);
		*buf = NULL;
	}
	return r;
}

/* Next line of buf (modified in place), trimmed; NULL at the end. */
static char *
next_line(char **cur, size_t *lineno)
{
	char *p = *cur, *end, *nl;

	if (p == NULL || *p == '\0')
		return NULL;
	if ((nl = strchr(p, '\n')) != NULL) {
		*nl = '\0';
		*cur = nl + 1;
	} else
		*cur = p + strlen(p);
	(*lineno)++;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return p;
}

/* Split "CLAIM-VALUE LOCAL-USER" at its last run of blanks. */
static int
split_map_line(char *line, char **value, char **user)
{
	char *sp = line + strlen(line);

	while (sp > line && sp[-1] != ' ' && sp[-1] != '\t')
		sp--;
	if (sp == line)
		return -1;
	*user = sp;
	while (sp > line && (sp[-1] == ' ' || sp[-1] == '\t'))
		sp--;
	*sp = '\0';
	*value = line;
	return 0;
}

struct entry {
	const char	*value;
	const char	*user;
	size_t		 line;
};

static int
cmp_value(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->value,
	    ((const struct entry *)b)->value);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->value, y->value);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

int
pb_usermap_lookup(const char *path, const char *value, char **user,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ], sv[PB_SAFE_BUFSZ];
	struct entry *ents = NULL, key, *hit;
	char *buf = NULL, *cur, *line, *v, *u;
	size_t len, lineno = 0, n = 0, cap, i;
	int r;

	*user = NULL;
	if ((r = read_list(path, &buf, &len, e)) != PB_OK)
		return r;
	pb_log_path(path, sp, sizeof(sp));
	/* At most one entry per line; a line holds at least two bytes. */
	cap = len / 2 + 1;
	if ((ents = calloc(cap, sizeof(*ents))) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	cur = buf;
	while ((line = next_line(&cur, &lineno)) != NULL) {
		if (*line == '\0' || *line == '#')
			continue;
		if (split_map_line(line, &v, &u) != 0 || n == cap) {
			r = pb_err_set(e, PB_ERR_CONFIG, "%s:%zu: expected "
			    "\"CLAIM-VALUE LOCAL-USER\"", sp, lineno);
			goto out;
		}
		ents[n].value = v;
		ents[n].user = u;
		ents[n++].line = lineno;
	}
	/*
	 * A value mapped twice is an error wherever it is, not only when
	 * that value logs in: the outcome never depends on line order.
	 */
	qsort(ents, n, sizeof(*ents), cmp_entry);
	for (i = 1; i < n; i++) {
		if (strcmp(ents[i - 1].value, ents[i].value) == 0) {
			r = pb_err_set(e, PB_ERR_CONFIG, "%s:%zu: '%s' is "
			    "already mapped on line %zu", sp, ents[i].line,
			    pb_log_safe(ents[i].value, sv, sizeof(sv)),
			    ents[i - 1].line);
			goto out;
		}
	}
	key.value = value;
	hit = n == 0 ? NULL : bsearch(&key, ents, n, sizeof(*ents),
	    cmp_value);
	if (hit == NULL) {
		r = pb_err_set(e, PB_ERR_USER, "'%s' is not in the usermap %s",
		    pb_log_safe(value, sv, sizeof(sv)), sp);
		goto out;
	}
	if ((*user = strdup(hit->user)) == NULL) {
		r = PB_ERR_NOMEM;
		goto out;
	}
	r = PB_OK;
 out:
	free(ents);
	free(buf);
	return r;
}

int
pb_denylist_check(const char *path, const char *jti, const char *sub,
    struct pb_err *e)
{
	char sv[PB_SAFE_BUFSZ];
	char *buf = NULL, *cur, *line;
	size_t len, lineno = 0;
	int r;

	if ((r = read_list(path, &buf, &len, e)) != PB_OK)
		return r;
	cur = buf;
	r = PB_OK;
	while ((line = next_line(&cur, &lineno)) != NULL) {
		if (*line == '\0' || *line == '#')
			continue;
		if (jti != NULL && strcmp(line, jti) == 0) {
			r = pb_err_set(e, PB_ERR_DENIED, "jti '%s' is on the "
			    "denylist", pb_log_safe(jti, sv, sizeof(sv)));
			break;
		}
		if (sub != NULL && strcmp(line, sub) == 0) {
			r = pb_err_set(e, PB_ERR_DENIED, "sub '%s' is on the "
			    "denylist", pb_log_safe(sub, sv, sizeof(sv)));
			break;
		}
	}
	free(buf);
	return r;
}

/*
 * The uid of local user name: PB_OK with *found set or cleared (no such
 * user), PB_ERR_IO when the user database cannot be read, PB_ERR_NOMEM.
 */
static int
local_uid(const char *name, uid_t *uid, int *found, struct pb_err *e)
{
	char su[PB_SAFE_BUFSZ];
	struct passwd pw, *res = NULL;
	char *buf = NULL;
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	int err, r;

	*found = 0;
	if (sz <= 0 || sz > 65536)
		sz = 16384;
	for (;;) {
		if ((buf = malloc((size_t)sz)) == NULL)
			return PB_ERR_NOMEM;
		err = getpwnam_r(name, &pw, buf, (size_t)sz, &res);
		if (err != ERANGE || sz >= 1024 * 1024)
			break;
		/* Grow by a fresh buffer, not realloc (STYLE.md 2.2). */
		free(buf);
		buf = NULL;
		sz *= 4;
	}
	/*
	 * "Not found" is 0 with no result in POSIX, but NSS modules say it
	 * with ENOENT or ESRCH as well (getpwnam_r(3), NOTES).
	 */
	if (res == NULL && (err == ENOENT || err == ESRCH))
		err = 0;
	if (err != 0)
		r = pb_err_set(e, PB_ERR_IO, "cannot look up local user '%s': "
		    "%s", pb_log_safe(name, su, sizeof(su)), strerror(err));
	else {
		if (res != NULL) {
			*uid = pw.pw_uid;
			*found = 1;
		}
		r = PB_OK;
	}
	free(buf);
	return r;
}

/*
 * deny_users is about accounts, not names: a second uid-0 account (toor)
 * is root.  PB_ERR_POLICY when uid is the uid of a name in deny_users; a
 * name with no local account is only a name.
 */
static int
denied_uid(const struct pb_conf *cfg, const char *su, uid_t uid,
    struct pb_err *e)
{
	char sd[PB_SAFE_BUFSZ];
	uid_t du = 0;
	size_t i;
	int found, r;

	for (i = 0; i < cfg->deny_users.n; i++) {
		if ((r = local_uid(cfg->deny_users.v[i], &du, &found, e)) !=
		    PB_OK)
			return r;
		if (!found || du != uid)
			continue;
		pb_log_safe(cfg->deny_users.v[i], sd, sizeof(sd));
		return pb_err_set(e, PB_ERR_POLICY, "local user '%s' has uid "
		    "%lu, the uid of '%s' in deny_users (tokens may not log in "
		    "as it; take it out of deny_users to allow)", su,
		    (unsigned long)uid, sd);
	}
	return PB_OK;
}

int
pb_user_check_local(const struct pb_conf *cfg, const char *user,
    struct pb_err *e)
{
	char su[PB_SAFE_BUFSZ];
	uid_t uid = 0;
	int found, r;

	pb_log_safe(user, su, sizeof(su));
	/*
	 * An IdP account named "root" must not make a root login: the IdP's
	 * admins are not this host's (issue 11, finding 13).
	 */
	if (pb_strlist_has(&cfg->deny_users, user))
		return pb_err_set(e, PB_ERR_POLICY, "local user '%s' is in "
		    "deny_users (tokens may not log in as it; take it out of "
		    "deny_users to allow)", su);
	if (cfg->deny_users.n == 0 && cfg->min_uid <= 0)
		return PB_OK;
	if ((r = local_uid(user, &uid, &found, e)) != PB_OK)
		return r;
	/* No such account: no uid to match (and no login either). */
	if (found && (r = denied_uid(cfg, su, uid, e)) != PB_OK)
		return r;
	if (cfg->min_uid <= 0)
		return PB_OK;
	if (!found)
		return pb_err_set(e, PB_ERR_USER, "no local user '%s' (min_uid "
		    "needs its uid)", su);
	if ((unsigned long)uid < (unsigned long)cfg->min_uid)
		return pb_err_set(e, PB_ERR_POLICY, "local user '%s' has uid "
		    "%lu, below min_uid %ld (system accounts may not log in "
		    "with a token)", su, (unsigned long)uid, cfg->min_uid);
	return PB_OK;
}
