/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef PB_PROFILE_H
#define PB_PROFILE_H

#include "err.h"
#include "options.h"
#include "secmem.h"

/* The profile's store key (DESIGN.md section 3, Storage). */
#define PB_STORE_PROFILE_MAX	64		/* longest profile name */

enum pb_store_kind {
	PB_STORE_AUTO,			/* Secret Service, else the file */
	PB_STORE_SECRET_SERVICE,	/* the Secret Service or fail */
	PB_STORE_FILE			/* the file, quietly */
};

/*
 * The helper's configuration (DESIGN.md section 3, Config):
 * ${XDG_CONFIG_HOME:-~/.config}/bearer-token/config, INI sections
 * "[profile NAME]"; keys before the first section are defaults for every
 * profile.  Command-line options override the file; --profile NAME or
 * BEARER_TOKEN_PROFILE picks a profile ("default" otherwise).  The client
 * secret comes only from the file (never the command line, where ps(1)
 * shows it), which must then be unreadable by others.
 */

#define PB_PROFILE_MAX_FILE	(64 * 1024)
#define PB_PROFILE_SCOPE		"openid offline_access"
#define PB_PROFILE_TIMEOUT_MAX	300	/* seconds, the timeout key */
#define PB_PROFILE_PORT_MIN	1024	/* the redirect_port key */
#define PB_PROFILE_PORT_MAX	65535

enum pb_profile_auth {
	PB_PROFILE_AUTH_BASIC = 0,	/* client_secret_basic (the default) */
	PB_PROFILE_AUTH_POST,		/* client_secret_post */
	PB_PROFILE_AUTH_JWT		/* private_key_jwt (RFC 7523) */
};

/* How a token is got (DESIGN.md section 3, the grant key). */
enum pb_profile_grant {
	PB_PROFILE_GRANT_AUTO = 0,	/* browser with a display, or device */
	PB_PROFILE_GRANT_BROWSER,	/* authorization code + PKCE */
	PB_PROFILE_GRANT_DEVICE,	/* RFC 8628 */
	PB_PROFILE_GRANT_CLIENT_CREDENTIALS	/* RFC 6749 4.4: machines */
};

/* DPoP at the IdP (DESIGN.md section 5): the dpop key. */
enum pb_profile_dpop {
	PB_PROFILE_DPOP_AUTO = 0,	/* when discovery lists ES256 */
	PB_PROFILE_DPOP_YES,		/* always; login fails unbound */
	PB_PROFILE_DPOP_NO		/* never: bearer tokens */
};

/* A profile, resolved.  Strings are malloc()ed; NULL when not set. */
struct pb_profile {
	char			*path;		/* file read; NULL: none */
	char			*profile;
	char			*issuer;
	char			*client_id;
	struct pb_secret	 client_secret;	/* empty: public client */
	enum pb_profile_auth	 client_auth;
	int			 client_auth_set;	/* given, not default */
	enum pb_profile_grant	 grant;
	char			*client_key_file; /* private_key_jwt's key */
	char			*scope;		/* never NULL after load */
	char			*audience;
	char			*resource;
	char			*ca_file;
	enum pb_store_kind	 store;
	long			 timeout;	/* HTTP, seconds; 0: default */
	unsigned int		 redirect_port;	/* browser login; 0: any */
	enum pb_profile_dpop	 dpop;
	/*
	 * Where a token may go (DESIGN.md section 5): space-separated
	 * fnmatch(3) patterns of hosts (target.h); NULL when not set.
	 */
	char			*ssh_hosts;	/* askpass answers only these */
	char			*git_hosts;	/* git-credential, the same */
};

/*
 * Resolve the profile: the file (o->config, else the default path, which
 * may be missing), then the options.  Checks every value; issuer and
 * client_id must be set.  Returns PB_OK; PB_ERR_CONFIG (file:line and what
 * to fix in *e); PB_ERR_IO for a file that cannot be read or is writable
 * by others; PB_ERR_NOMEM.  Release with pb_profile_clear() in every case.
 */
int pb_profile_load(struct pb_profile *c, const struct pb_options *o,
    struct pb_err *e) PB_WUR;

/* Free and wipe *c; NULL-safe. */
void pb_profile_clear(struct pb_profile *c);

/* The grant's name: "auto", "browser", "device", "client_credentials". */
const char *pb_profile_grant_name(enum pb_profile_grant g);

/* The client_auth's name: "client_secret_basic" and so on. */
const char *pb_profile_auth_name(enum pb_profile_auth a);

/* The store kind's name: "auto", "secret-service" or "file". */
const char *pb_profile_store_name(enum pb_store_kind k);

#endif /* PB_PROFILE_H */
