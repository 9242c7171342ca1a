/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The helper's configuration file and the options that override it (see
 * profile.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "parse.h"
#include "file.h"
#include "profile.h"
#include "secmem.h"

/* The keys, in the order of bearer-token(1). */
enum key_id {
	K_ISSUER, K_CLIENT_ID, K_CLIENT_SECRET, K_CLIENT_AUTH, K_SCOPE,
	K_AUDIENCE, K_RESOURCE, K_STORE, K_CA_FILE, K_TIMEOUT,
	K_SSH_HOSTS, K_GIT_HOSTS,
	K_DPOP,
	K_GRANT, K_CLIENT_KEY_FILE, K_REDIRECT_PORT,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"issuer", "client_id", "client_secret", "client_auth", "scope",
	"audience", "resource", "store", "ca_file", "timeout",
	"ssh_hosts", "git_hosts",
	"dpop",
	"grant", "client_key_file", "redirect_port",
};

static const char *const store_names[] = {
	[PB_STORE_AUTO] = "auto",
	[PB_STORE_SECRET_SERVICE] = "secret-service",
	[PB_STORE_FILE] = "file",
};

static const char *const dpop_names[] = {
	[PB_PROFILE_DPOP_AUTO] = "auto",
	[PB_PROFILE_DPOP_YES] = "yes",
	[PB_PROFILE_DPOP_NO] = "no",
};

static const char *const grant_names[] = {
	[PB_PROFILE_GRANT_AUTO] = "auto",
	[PB_PROFILE_GRANT_BROWSER] = "browser",
	[PB_PROFILE_GRANT_DEVICE] = "device",
	[PB_PROFILE_GRANT_CLIENT_CREDENTIALS] = "client_credentials",
};

/* client_auth: the RFC 7591 names, then the short ones of 0.x. */
static const char *const auth_names[] = {
	[PB_PROFILE_AUTH_BASIC] = "client_secret_basic",
	[PB_PROFILE_AUTH_POST] = "client_secret_post",
	[PB_PROFILE_AUTH_JWT] = "private_key_jwt",
};

const char *
pb_profile_grant_name(enum pb_profile_grant g)
{
	if ((size_t)g < sizeof(grant_names) / sizeof(grant_names[0]))
		return grant_names[g];
	return "?";
}

const char *
pb_profile_auth_name(enum pb_profile_auth a)
{
	if ((size_t)a < sizeof(auth_names) / sizeof(auth_names[0]))
		return auth_names[a];
	return "?";
}

const char *
pb_profile_store_name(enum pb_store_kind k)
{
	if ((size_t)k < sizeof(store_names) / sizeof(store_names[0]))
		return store_names[k];
	return "?";
}

#define NAMES(a)	(sizeof(a) / sizeof((a)[0]))

/* The index of v in names[0..n), or -1. */
static int
name_index(const char *const *names, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	return -1;
}

static int
nomem(struct pb_err *e)
{
	return pb_err_set(e, PB_ERR_NOMEM, "out of memory");
}

void
pb_profile_clear(struct pb_profile *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->profile);
	free(c->issuer);
	free(c->client_id);
	pb_secret_clear(&c->client_secret);
	free(c->scope);
	free(c->audience);
	free(c->resource);
	free(c->ca_file);
	free(c->ssh_hosts);
	free(c->git_hosts);
	free(c->client_key_file);
	memset(c, 0, sizeof(*c));
}

/* The field of key k; NULL for the ones that are not plain strings. */
static char **
str_field(struct pb_profile *c, enum key_id k)
{
	switch (k) {
	case K_ISSUER:
		return &c->issuer;
	case K_CLIENT_ID:
		return &c->client_id;
	case K_SCOPE:
		return &c->scope;
	case K_AUDIENCE:
		return &c->audience;
	case K_RESOURCE:
		return &c->resource;
	case K_CA_FILE:
		return &c->ca_file;
	case K_SSH_HOSTS:
		return &c->ssh_hosts;
	case K_GIT_HOSTS:
		return &c->git_hosts;
	case K_CLIENT_KEY_FILE:
		return &c->client_key_file;
	default:
		return NULL;
	}
}

/* Printable ASCII only (spaces allowed when sp is set), not empty. */
static int
printable(const char *v, int sp)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x21 || (unsigned char)*v > 0x7e)
			if (!(sp && *v == ' '))
				return 0;
	return 1;
}

/* Check and set timeout or redirect_port. */
static int
set_number(struct pb_profile *c, enum key_id k, const char *v,
    const char *where, struct pb_err *e)
{
	char sv[PB_SAFE_BUFSZ];
	unsigned long ul;

	if (k == K_TIMEOUT &&
	    pb_parse_ulong(v, 1, PB_PROFILE_TIMEOUT_MAX, &ul) == PB_OK)
		c->timeout = (long)ul;
	else if (k == K_TIMEOUT)
		return pb_err_set(e, PB_ERR_CONFIG, "%s: timeout is seconds, "
		    "1 to %d, not '%s'", where, PB_PROFILE_TIMEOUT_MAX,
		    pb_log_safe(v, sv, sizeof(sv)));
	else if (pb_parse_ulong(v, PB_PROFILE_PORT_MIN, PB_PROFILE_PORT_MAX,
	    &ul) == PB_OK)
		c->redirect_port = (unsigned int)ul;
	else
		return pb_err_set(e, PB_ERR_CONFIG, "%s: redirect_port is a "
		    "port, %d to %d, not '%s'", where, PB_PROFILE_PORT_MIN,
		    PB_PROFILE_PORT_MAX, pb_log_safe(v, sv, sizeof(sv)));
	return PB_OK;
}

/* Check and set one key.  where: "FILE:LINE" or "--option". */
static int
set_key(struct pb_profile *c, enum key_id k, const char *v, const char *where,
    struct pb_err *e)
{
	char sv[PB_SAFE_BUFSZ];
	char **f;
	int i, sp;

	switch (k) {
	case K_STORE:
		if ((i = name_index(store_names, NAMES(store_names), v)) >= 0) {
			c->store = (enum pb_store_kind)i;
			return PB_OK;
		}
		return pb_err_set(e, PB_ERR_CONFIG, "%s: store must be auto, "
		    "secret-service or file, not '%s'", where,
		    pb_log_safe(v, sv, sizeof(sv)));
	case K_CLIENT_AUTH:
		if ((i = name_index(auth_names, NAMES(auth_names), v)) < 0)
			i = strcmp(v, "basic") == 0 ? PB_PROFILE_AUTH_BASIC :
			    strcmp(v, "post") == 0 ? PB_PROFILE_AUTH_POST : -1;
		if (i < 0)
			return pb_err_set(e, PB_ERR_CONFIG, "%s: client_auth "
			    "must be client_secret_basic, client_secret_post "
			    "or private_key_jwt, not '%s'", where,
			    pb_log_safe(v, sv, sizeof(sv)));
		c->client_auth = (enum pb_profile_auth)i;
		c->client_auth_set = 1;
		return PB_OK;
	case K_GRANT:
		if ((i = name_index(grant_names, NAMES(grant_names), v)) >= 0) {
			c->grant = (enum pb_profile_grant)i;
			return PB_OK;
		}
		return pb_err_set(e, PB_ERR_CONFIG, "%s: grant must be auto, "
		    "browser, device or client_credentials, not '%s'", where,
		    pb_log_safe(v, sv, sizeof(sv)));
	case K_TIMEOUT:
	case K_REDIRECT_PORT:
		return set_number(c, k, v, where, e);
	case K_DPOP:
		if ((i = name_index(dpop_names, NAMES(dpop_names), v)) >= 0) {
			c->dpop = (enum pb_profile_dpop)i;
			return PB_OK;
		}
		return pb_err_set(e, PB_ERR_CONFIG, "%s: dpop must be auto, "
		    "yes or no, not '%s'", where,
		    pb_log_safe(v, sv, sizeof(sv)));
	case K_CLIENT_SECRET:
		/* Never echo it, not even in part. */
		if (!printable(v, 0))
			return pb_err_set(e, PB_ERR_CONFIG, "%s: client_secret "
			    "must be printable ASCII without spaces", where);
		pb_secret_clear(&c->client_secret);
		if (pb_secret_dup(&c->client_secret, v, strlen(v)) != PB_OK)
			return nomem(e);
		return PB_OK;
	default:
		break;
	}
	sp = k == K_SCOPE || k == K_CA_FILE || k == K_SSH_HOSTS ||
	    k == K_GIT_HOSTS || k == K_CLIENT_KEY_FILE;
	if (!printable(v, sp))
		return pb_err_set(e, PB_ERR_CONFIG, "%s: %s must be printable "
		    "ASCII%s, not '%s'", where, key_names[k],
		    sp && k != K_CA_FILE ? "" : " without spaces",
		    pb_log_safe(v, sv, sizeof(sv)));
	if ((f = str_field(c, k)) == NULL)
		return pb_err_set(e, PB_ERR_INTERNAL, "no field for %s",
		    key_names[k]);
	free(*f);
	if ((*f = strdup(v)) == NULL)
		return nomem(e);
	return PB_OK;
}

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* Trim blanks at both ends, in place. */
static char *
trim(char *s)
{
	char *end;

	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		*--end = '\0';
	return s;
}

/* Whether s is made of the characters of key names only. */
static int
key_like(const char *s)
{
	for (; *s != '\0'; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* The parser's state over one file. */
struct ini {
	struct pb_profile	*c;
	const char	*want;		/* the profile asked for */
	char		 where[PB_PATH_BUFSZ + 32];
	int		 in_want;	/* in the section of want */
	int		 in_section;	/* past the first section header */
	int		 found;		/* saw [profile want] */
	int		 has_secret;	/* want's client_secret is from here */
	unsigned	 seen;		/* keys seen in this section */
	char		 profiles[256];	/* names seen, for the message */
};

static int
ini_section(struct ini *p, char *line, struct pb_err *e)
{
	char sv[PB_SAFE_BUFSZ];
	char *end = strchr(line, ']'), *name;
	size_t i, n;

	if (end == NULL || *trim(end + 1) != '\0')
		return pb_err_set(e, PB_ERR_CONFIG, "%s: a section header is "
		    "\"[profile NAME]\"", p->where);
	*end = '\0';
	name = trim(line + 1);
	if (strncmp(name, "profile", 7) != 0 || !is_blank(name[7]))
		return pb_err_set(e, PB_ERR_CONFIG, "%s: unknown section "
		    "'[%s]': sections are \"[profile NAME]\"", p->where,
		    pb_log_safe(name, sv, sizeof(sv)));
	name = trim(name + 8);
	for (i = 0; name[i] != '\0'; i++)
		if (!(name[i] >= 'a' && name[i] <= 'z') &&
		    !(name[i] >= 'A' && name[i] <= 'Z') &&
		    !(name[i] >= '0' && name[i] <= '9') &&
		    name[i] != '.' && name[i] != '_' && name[i] != '-')
			break;
	if (i == 0 || name[i] != '\0' || name[0] == '.' ||
	    i > PB_STORE_PROFILE_MAX)
		return pb_err_set(e, PB_ERR_CONFIG, "%s: profile name '%s' "
		    "must be 1 to %d of A-Z a-z 0-9 . _ -, not starting with "
		    "'.'", p->where, pb_log_safe(name, sv, sizeof(sv)),
		    PB_STORE_PROFILE_MAX);
	p->in_section = 1;
	p->seen = 0;
	p->in_want = strcmp(name, p->want) == 0;
	if (p->in_want) {
		if (p->found)
			return pb_err_set(e, PB_ERR_CONFIG, "%s: a second "
			    "[profile %s] section", p->where, name);
		p->found = 1;
	}
	n = strlen(p->profiles);
	if (n + strlen(name) + 2 < sizeof(p->profiles))
		(void)snprintf(p->profiles + n, sizeof(p->profiles) - n,
		    "%s%s", n > 0 ? " " : "", name);
	return PB_OK;
}

static int
ini_line(struct ini *p, char *line, struct pb_err *e)
{
	char sv[PB_SAFE_BUFSZ];
	char *eq, *key, *val;
	int k;

	line = trim(line);
	if (*line == '\0' || *line == '#' || *line == ';')
		return PB_OK;
	if (*line == '[')
		return ini_section(p, line, e);
	if ((eq = strchr(line, '=')) == NULL)
		return pb_err_set(e, PB_ERR_CONFIG, "%s: not a 'key = value' "
		    "line", p->where);	/* it may hold a secret: not echoed */
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	for (k = 0; k < K_COUNT; k++)
		if (strcmp(key, key_names[k]) == 0)
			break;
	/*
	 * Echo the key only when it looks like one: "client_secret: xyz=..."
	 * must not put part of a secret on the screen.
	 */
	if (k == K_COUNT)
		return pb_err_set(e, PB_ERR_CONFIG, "%s: unknown key%s%s%s "
		    "(keys: issuer client_id client_secret client_auth scope "
		    "audience resource store ca_file timeout ssh_hosts "
		    "git_hosts dpop grant client_key_file redirect_port)",
		    p->where,
		    key_like(key) ? " '" : "", key_like(key) ?
		    pb_log_safe(key, sv, sizeof(sv)) : "",
		    key_like(key) ? "'" : "");
	if (p->seen & (1u << k))
		return pb_err_set(e, PB_ERR_CONFIG, "%s: %s given twice in "
		    "this section", p->where, key_names[k]);
	p->seen |= 1u << k;
	/* Other profiles' values are not ours to judge. */
	if (k == K_CLIENT_SECRET)
		p->has_secret = 1;	/* any profile's: all are secrets */
	if (p->in_section && !p->in_want)
		return PB_OK;
	return set_key(p->c, (enum key_id)k, val, p->where, e);
}

static int
load_file(struct pb_profile *c, const char *path, int must_exist,
    struct pb_err *e)
{
	char sp[PB_PATH_BUFSZ];
	struct ini p;
	struct stat st;
	char *buf = NULL, *line, *nl;
	size_t len = 0, lineno = 0;
	int r, fd;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.want = c->profile;
	pb_log_path(path, sp, sizeof(sp));
	/* Dotfile managers link it: a symlink is fine, its target checked. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		if (!must_exist && errno == ENOENT)
			return PB_OK;
		return pb_err_set(e, PB_ERR_IO, "cannot open %s: %s", sp,
		    strerror(errno));
	}
	r = fstat(fd, &st) == -1 ? pb_err_set(e, PB_ERR_IO, "cannot stat "
	    "%s: %s", sp, strerror(errno)) : pb_file_read_fd(fd, path,
	    PB_PROFILE_MAX_FILE, 0, &buf, &len, e);
	close(fd);
	if (r != PB_OK)
		return r == PB_ERR_TOOBIG ? PB_ERR_CONFIG : r;
	if (memchr(buf, '\0', len) != NULL) {
		r = pb_err_set(e, PB_ERR_CONFIG, "%s: NUL byte (is this a text "
		    "file?)", sp);
		goto out;
	}
	for (line = buf; line < buf + len; line = nl + 1) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL)
			nl = buf + len;
		*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		(void)snprintf(p.where, sizeof(p.where), "%s:%zu", sp, lineno);
		if ((r = ini_line(&p, line, e)) != PB_OK)
			goto out;
	}
	if (!p.found && strcmp(c->profile, "default") != 0) {
		r = pb_err_set(e, PB_ERR_CONFIG, "%s has no [profile %s] "
		    "section (profiles: %s)", sp, c->profile,
		    p.profiles[0] != '\0' ? p.profiles : "none");
		goto out;
	}
	/* A secret in a file others can read is no secret. */
	if (p.has_secret && (st.st_mode & 077) != 0) {
		r = pb_err_set(e, PB_ERR_IO, "%s holds a client_secret and is "
		    "readable by others (mode %04o): chmod 600 it", sp,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((c->path = strdup(path)) == NULL)
		r = nomem(e);
 out:
	if (buf != NULL)
		pb_freezero(buf, len + 1);
	return r;
}

/*
 * The client authentication of the profile, checked against its grant
 * (DESIGN.md section 3): client_credentials needs a key file
 * (private_key_jwt, the default when one is set) or a client_secret;
 * private_key_jwt is for that grant only.  where names the file.
 */
static int
check_auth(struct pb_profile *c, const char *where, struct pb_err *e)
{
	int cc = c->grant == PB_PROFILE_GRANT_CLIENT_CREDENTIALS;

	if (cc && !c->client_auth_set)
		c->client_auth = c->client_key_file != NULL ||
		    c->client_secret.len == 0 ? PB_PROFILE_AUTH_JWT :
		    PB_PROFILE_AUTH_BASIC;
	if (c->client_auth == PB_PROFILE_AUTH_JWT && !cc)
		return pb_err_set(e, PB_ERR_CONFIG, "profile '%s': client_auth "
		    "= private_key_jwt is for grant = client_credentials (in "
		    "%s)", c->profile, where);
	if (c->client_auth == PB_PROFILE_AUTH_JWT &&
	    (c->client_key_file == NULL || c->client_key_file[0] != '/'))
		return pb_err_set(e, PB_ERR_CONFIG, "profile '%s': "
		    "private_key_jwt needs \"client_key_file = /PATH\" (an "
		    "absolute path to a PEM private key, mode 0600), or set "
		    "client_auth = client_secret_basic with a client_secret "
		    "(in %s)", c->profile, where);
	if (cc && c->client_auth != PB_PROFILE_AUTH_JWT &&
	    c->client_secret.len == 0)
		return pb_err_set(e, PB_ERR_CONFIG, "profile '%s': client_auth "
		    "= %s needs a client_secret (in %s)", c->profile,
		    pb_profile_auth_name(c->client_auth), where);
	return PB_OK;
}

/* The default file, freshly allocated. */
static int
default_path(char **out, struct pb_err *e)
{
	const char *base = secure_getenv("XDG_CONFIG_HOME"), *home;
	int n;

	if (base != NULL && base[0] == '/')
		n = asprintf(out, "%s/bearer-token/config", base);
	else if ((home = secure_getenv("HOME")) != NULL && home[0] == '/')
		n = asprintf(out, "%s/.config/bearer-token/config", home);
	else {
		*out = NULL;
		return PB_OK;		/* no file then; options only */
	}
	if (n < 0) {
		*out = NULL;
		return nomem(e);
	}
	return PB_OK;
}

int
pb_profile_load(struct pb_profile *c, const struct pb_options *o,
    struct pb_err *e)
{
	const struct {
		enum key_id	 k;
		const char	*v;
		const char	*opt;
	} over[] = {
		{ K_ISSUER, o->issuer, "--issuer" },
		{ K_CLIENT_ID, o->client_id, "--client-id" },
		{ K_SCOPE, o->scope, "--scope" },
		{ K_AUDIENCE, o->audience, "--audience" },
		{ K_RESOURCE, o->resource, "--resource" },
		{ K_STORE, o->store, "--store" },
		{ K_CA_FILE, o->ca_file, "--ca-file" },
		{ K_TIMEOUT, o->timeout, "--timeout" },
		{ K_REDIRECT_PORT, o->redirect_port, "--redirect-port" },
	};
	char sv[PB_SAFE_BUFSZ], sp[PB_PATH_BUFSZ];
	const char *prof;
	char *path = NULL;
	size_t i;
	int r;

	memset(c, 0, sizeof(*c));
	c->store = PB_STORE_AUTO;
	prof = o->profile;
	if (prof == NULL)
		prof = secure_getenv("BEARER_TOKEN_PROFILE");
	if (prof == NULL || *prof == '\0')
		prof = "default";
	for (i = 0; prof[i] != '\0'; i++)
		if (!(prof[i] >= 'a' && prof[i] <= 'z') &&
		    !(prof[i] >= 'A' && prof[i] <= 'Z') &&
		    !(prof[i] >= '0' && prof[i] <= '9') &&
		    prof[i] != '.' && prof[i] != '_' && prof[i] != '-')
			break;
	if (prof[i] != '\0' || prof[0] == '.' || i > PB_STORE_PROFILE_MAX)
		return pb_err_set(e, PB_ERR_CONFIG, "profile name '%s' must be "
		    "1 to %d of A-Z a-z 0-9 . _ -, not starting with '.'",
		    pb_log_safe(prof, sv, sizeof(sv)), PB_STORE_PROFILE_MAX);
	if ((c->profile = strdup(prof)) == NULL)
		return nomem(e);
	if (o->config != NULL)
		r = load_file(c, o->config, 1, e);
	else if ((r = default_path(&path, e)) == PB_OK && path != NULL)
		r = load_file(c, path, 0, e);
	free(path);
	if (r != PB_OK)
		return r;
	for (i = 0; i < sizeof(over) / sizeof(over[0]); i++)
		if (over[i].v != NULL &&
		    (r = set_key(c, over[i].k, over[i].v, over[i].opt, e))
		    != PB_OK)
			return r;
	if (c->scope == NULL && (c->scope = strdup(PB_PROFILE_SCOPE)) == NULL)
		return nomem(e);
	if (c->issuer == NULL || c->client_id == NULL)
		return pb_err_set(e, PB_ERR_CONFIG, "profile '%s' has no %s: "
		    "put \"issuer = URL\" and \"client_id = ID\" under "
		    "[profile %s] in %s, or pass --issuer and --client-id",
		    c->profile, c->issuer == NULL ? "issuer" : "client_id",
		    c->profile, c->path != NULL ? pb_log_path(c->path, sp,
		    sizeof(sp)) : "~/.config/bearer-token/config");
	return check_auth(c, c->path != NULL ? pb_log_path(c->path, sp,
	    sizeof(sp)) : "the options", e);
}
