/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bearer-token command table and its help texts, linked into both the
 * front (main.c) and bearer-token-net, so that usage messages are the same
 * whichever of the two prints them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"

/*
 * The synopsis and help text of each command of PB_COMMANDS (commands.h),
 * in its order.  The help texts say what bearer-token(1) says; keep the
 * two in step.
 */
static const char login_syn[] =
    "[--browser | --device] [--wait SECONDS] [--json] [--no-qr] [OPTIONS]";
static const char login_help[] =
	"Log in with the OAuth 2.0 device authorization grant\n"
	"(RFC 8628): discover the profile's issuer, show the page\n"
	"to open and the code to enter (and a QR code of the\n"
	"page when the terminal allows), wait for the approval,\n"
	"then store the session (the refresh token) in the Secret\n"
	"Service, or in a 0600 file when there is none.  Or in the\n"
	"browser (authorization code with PKCE): print \"Open this\n"
	"page to log in: URL\" on stderr, open it with xdg-open\n"
	"when there is a display, and wait for the browser to come\n"
	"back to http://127.0.0.1:PORT/callback.  The profile's\n"
	"grant chooses (auto: the browser when $DISPLAY or\n"
	"$WAYLAND_DISPLAY is set and xdg-open exists, else the\n"
	"device flow).  A profile with grant = client_credentials\n"
	"(a machine) needs no login: login fetches one token to\n"
	"show the setup works.\n"
	"\n"
	"  --browser         log in in the browser\n"
	"  --device          log in with the device flow\n"
	"  --wait SECONDS    how long the browser login waits for\n"
	"                    the browser, 1 to 3600 (default 300)\n"
	"  --json            print the page (and code), then the\n"
	"                    result, as JSON lines on stdout\n"
	"  --no-qr           no QR code\n"
	PB_OPTIONS_HELP
	"\n"
	"Exit status: 0 logged in, 1 denied, not approved in time or\n"
	"another error, 2 usage error, 3 configuration error or an\n"
	"IdP without the device flow (or, for the browser, without\n"
	"an authorization endpoint), 5 the IdP could not be reached\n"
	"or failed (also when it stopped answering while waiting).\n";

static const char get_syn[] = "[--header] [--min-ttl SECONDS] [OPTIONS]";
static const char get_help[] =
	"Print a valid access token on stdout and nothing else:\n"
	"the cached one when it lives at least --min-ttl seconds\n"
	"more (default 60, or half the token's lifetime when that\n"
	"is shorter), else a fresh one from the IdP.  A refresh\n"
	"happens under a per-profile lock and stores the rotated\n"
	"refresh token before the access token is printed; with\n"
	"grant = client_credentials the client asks the token\n"
	"endpoint for a new one instead (nothing is stored).\n"
	"\n"
	"  --header          print \"Authorization: Bearer TOKEN\"\n"
	"                    instead, for curl -H @- (the token\n"
	"                    stays out of every command line):\n"
	"                    bearer-token get --header |\n"
	"                        curl -H @- https://api.example.com/\n"
	"  --min-ttl SECONDS the least lifetime left, 0 to 86400\n"
	PB_OPTIONS_HELP
	"\n"
	"Exit status: 0 printed, 1 error, 2 usage error, 3\n"
	"configuration error, 4 not logged in or the session ended\n"
	"(run login), 5 the IdP could not be reached or failed (the\n"
	"session is kept: try again later).\n";

static const char status_syn[] = "[--json] [OPTIONS]";
static const char status_help[] =
	"Say who is logged in with the profile, since when, where\n"
	"the session is stored and how long the cached access\n"
	"token lives (with grant = client_credentials: the grant\n"
	"and how the client authenticates).  Never prints a token.\n"
	"\n"
	"  --json            one JSON object on stdout (its members:\n"
	"                    bearer-token(1))\n"
	PB_OPTIONS_HELP
	"\n"
	"Exit status: 0 logged in, 1 error, 2 usage error, 3\n"
	"configuration error, 4 not logged in.\n";

static const char logout_syn[] = "[OPTIONS]";
static const char logout_help[] =
	"Revoke the refresh token at the IdP (RFC 7009, best\n"
	"effort, at most 10 s), then delete the stored session and\n"
	"the cached access token whatever the IdP answered, and\n"
	"say whether it confirmed.  With grant =\n"
	"client_credentials only the cached access token goes.\n"
	"\n"
	PB_OPTIONS_HELP
	"\n"
	"Exit status: 0 logged out (or not logged in), 1 the stored\n"
	"session could not be deleted, 2 usage error, 3\n"
	"configuration error.\n";

static const char ssh_syn[] = "[--profile NAME] [--fresh] [SSH ARGUMENTS]";
static const char ssh_help[] =
	"Run ssh(1) with the arguments, answering pam_bearer's\n"
	"prompts with the token: SSH_ASKPASS is set to\n"
	"bearer-askpass, SSH_ASKPASS_REQUIRE to force, and unless\n"
	"the arguments choose PreferredAuthentications,\n"
	"keyboard-interactive is tried first.  Tokens longer than\n"
	"one answer go in parts, as pam_bearer asks for them.  The\n"
	"profile is --profile NAME, else BEARER_TOKEN_PROFILE.\n"
	"\"ssh -G\" with the same arguments names the host to reach\n"
	"(BEARER_TOKEN_SSH_TARGET, for ssh_hosts and proofs); each\n"
	"run has an id (BEARER_TOKEN_SSH_RUN) so that askpass\n"
	"refreshes the token at most once per run.  With no token\n"
	"to be had (no session, or the IdP down and none cached)\n"
	"ssh is not started.  NumberOfPasswordPrompts is 1 unless\n"
	"the arguments choose it; after a refused token askpass\n"
	"answers nothing more and says what to check.\n"
	"\n"
	"  --fresh           that one refresh happens at the first\n"
	"                    prompt: a token the server has not seen,\n"
	"                    for a module with replay_cache and an\n"
	"                    unbound token (bound tokens need none)\n"
	"\n"
	"Exit status: ssh's, or get's when no token was to be had.\n";

static const char sudo_syn[] =
    "[--profile NAME] [SUDO OPTIONS] [--] COMMAND...";
static const char sudo_help[] =
	"Run sudo -A with the arguments (sudo's options, then the\n"
	"command), answering pam_bearer's prompts with the token:\n"
	"SUDO_ASKPASS is set to bearer-askpass.  sudo drops any\n"
	"answer of 512 bytes or more, so the token and the login\n"
	"proof go in parts of 500 bytes.  The profile is --profile\n"
	"NAME, else BEARER_TOKEN_PROFILE.  BEARER_TOKEN_SUDO=1 tells\n"
	"askpass that its prompts come from this host (sudo writes\n"
	"no \"(user@host) \" prefix): it answers proof prompts for\n"
	"this host's own name (gethostname), and only while its\n"
	"parent is sudo.  With ssh_hosts set, that name must match.\n"
	"\n"
	"Exit status: sudo's.\n";

static const char askpass_syn[] = "PROMPT";
static const char askpass_help[] =
	"An SSH_ASKPASS program (also installed as bearer-askpass):\n"
	"answer pam_bearer's prompt \"Bearer token: \" with the\n"
	"token \"get\" would print, or with the part that \"Bearer\n"
	"token (continued at byte N): \" asks for (500 bytes,\n"
	"ending in '\\' while more follow).  Any other prompt (a\n"
	"host key question, a passphrase, a password) goes to the\n"
	"program named by BEARER_TOKEN_ASKPASS_FALLBACK (an\n"
	"absolute path), else to the terminal; it never gets the\n"
	"token.  Only the module's default prompt is recognised.\n"
	"\"Bearer proof for HOST, nonce N: \" is answered with a\n"
	"proof for the host ssh names in its \"(user@host) \" prefix\n"
	"or BEARER_TOKEN_SSH_TARGET (under bearer-token sudo, this\n"
	"host), never HOST, in parts like the token (kept between\n"
	"its prompts in a private file for 2 minutes at most).\n"
	"With ssh_hosts set, only hosts that match get an answer.\n"
	"\n"
	"Exit status: as for get for the module's prompts; else the\n"
	"fallback's, or 1 when there is no terminal to ask.\n";

static const char kubectl_syn[] = "[--min-ttl SECONDS] [OPTIONS]";
static const char kubectl_help[] =
	"A kubectl (client-go) exec credential plugin: print an\n"
	"ExecCredential (client.authentication.k8s.io/v1, or\n"
	"v1beta1 when KUBERNETES_EXEC_INFO asks for it) holding the\n"
	"token \"get\" would print and its expirationTimestamp, so\n"
	"that kubectl asks again before the token runs out.  In a\n"
	"kubeconfig user:\n"
	"\n"
	"  exec:\n"
	"    apiVersion: client.authentication.k8s.io/v1\n"
	"    command: bearer-token\n"
	"    args: [kubectl]\n"
	"    interactiveMode: Never\n"
	"\n"
	"  --min-ttl SECONDS as for get\n"
	PB_OPTIONS_HELP
	"\n"
	"Exit status: as for get.\n";

static const char git_credential_syn[] = "[OPTIONS] get|store|erase";
static const char git_credential_help[] =
	"A git credential helper (also installed as\n"
	"git-credential-bearer): \"get\" answers with the token\n"
	"\"get\" would print (for https only, never in clear over\n"
	"http, and only for a host= in the profile's git_hosts),\n"
	"as credential= with authtype=Bearer\n"
	"when git offers the authtype capability (git 2.46+), else\n"
	"as the password (username as given, else oauth2), and\n"
	"password_expiry_utc; \"store\" keeps nothing; \"erase\"\n"
	"forgets the cached access token when it is the one the\n"
	"server refused.  Configure it alone for the host (an empty\n"
	"value first clears helpers such as \"store\", which would\n"
	"keep the token in a file):\n"
	"\n"
	"  git config --global credential.https://git.example.com.helper ''\n"
	"  git config --global --add \\\n"
	"      credential.https://git.example.com.helper bearer\n"
	"\n"
	"  --min-ttl SECONDS as for get\n"
	PB_OPTIONS_HELP
	"\n"
	"Exit status: as for get.\n";

static const char proof_syn[] = "--host HOST --nonce NONCE [OPTIONS]";
static const char proof_help[] =
	"Print the login proof that pam_bearer asks for with\n"
	"\"Bearer proof for HOST, nonce NONCE: \" when the token is\n"
	"bound to the session's DPoP key: a DPoP proof (RFC 9449)\n"
	"signed with that key, for htm \"SSH\", htu \"ssh://HOST\",\n"
	"the nonce and (ath) the access token last handed out,\n"
	"while it lives, else a fresh one.\n"
	"HOST is the host you mean to reach, never a name the\n"
	"server gave.  For scripts and tests; askpass answers the\n"
	"prompt itself.  Never prints the key or the token.\n"
	"\n"
	"  --host HOST       the host the proof is for\n"
	"  --nonce NONCE     the nonce of the module's prompt\n"
	PB_OPTIONS_HELP
	"\n"
	"Exit status: 0 printed, 1 error, 2 usage error, 3\n"
	"configuration error, 4 not logged in, or the session is not\n"
	"bound to a key (dpop), 5 the IdP could not be reached.\n";

static const char fetch_jwks_syn[] =
	"[--issuer URL] [--output FILE] [--keep-retired DURATION]\n"
	"       [--drop KID]... [--config FILE] [--ca-file FILE]\n"
	"       [--timeout SECONDS]";
static const char fetch_jwks_help[] =
	"Server side: fetch the IdP's JWK Set into the file the\n"
	"module reads.  OpenID Connect discovery (exact issuer),\n"
	"then jwks_uri; every signing key is checked as the module\n"
	"checks it (unusable ones are left out with a note); keys\n"
	"the IdP no longer publishes are kept for --keep-retired\n"
	"(default 24h; 0 drops them at once), marked with the time\n"
	"they went; only keys the module can use are kept.\n"
	"--drop KID drops that retired key at once (a key the IdP\n"
	"still publishes cannot be dropped).  The file is written\n"
	"atomically, mode 0644, in a canonical form, only when its\n"
	"keys change; after every good run its mtime is the time of\n"
	"the sync (for jwks_max_age); a symbolic link is followed\n"
	"and kept.  On any problem the old file\n"
	"stays as it was.  The issuer and FILE default to issuer and\n"
	"jwks_file of the module's configuration (--config,\n"
	"default /etc/security/pam_bearer.conf).  With several\n"
	"issuers (issuers_dir), no --issuer refreshes the jwks_file\n"
	"of every one; --output and --drop then need --issuer.  Run\n"
	"by pam-bearer-jwks.timer.\n"
	"\n"
	"Exit status: 0 written or unchanged, 1 no usable key, the\n"
	"file cannot be written, or --drop names a key the IdP\n"
	"publishes, 2 usage error, 3 configuration or discovery does\n"
	"not fit, 5 the IdP could not be reached or failed.\n";

static const char decode_syn[] = "[TOKEN | -]";
static const char decode_help[] =
	"Print the header and the claims of a token as JSON, marked\n"
	"(unverified), and its exp, iat and nbf as UTC dates.  The\n"
	"signature is never printed.  Nothing is verified: use\n"
	"\"verify\" for a verdict.\n"
	"\n"
	"The token is read from standard input when TOKEN is \"-\" or\n"
	"absent.  Prefer that: a token on the command line is visible\n"
	"to other users in ps(1).\n"
	"\n"
	"Exit status: 0 decoded, 1 malformed token, 2 usage error.\n";

static const char verify_syn[] =
	"[--config FILE] [--user USER] [--at UNIX_TIME]\n"
	"       [key=value ...] [TOKEN | -]";
static const char verify_help[] =
	"Verify a token exactly as the PAM module would, and\n"
	"explain the verdict: the configuration FILE (default\n"
	"/etc/security/pam_bearer.conf) with the key=value\n"
	"settings on top, as on the module line; the JWKS file;\n"
	"every check of pam_bearer(8); then usermap_file, the\n"
	"user and denylist_file.  With several issuers\n"
	"(issuers_dir), the token's iss chooses the file, as in the\n"
	"module.\n"
	"The replay cache is not checked, so verify never uses\n"
	"up a single-use token.\n"
	"\n"
	"  --config FILE   the configuration file (config=FILE\n"
	"                  works too)\n"
	"  --user USER     the local user the token must be for\n"
	"  --at UNIX_TIME  verify as of this time (seconds since\n"
	"                  the epoch) instead of now\n"
	"\n"
	"The token is read from standard input when TOKEN is \"-\" or\n"
	"absent.  Prefer that: a token on the command line is visible\n"
	"to other users in ps(1).\n"
	"\n"
	"Exit status: 0 valid, 1 rejected, 2 usage error, 3 the\n"
	"configuration, JWKS or list files are unusable.\n";

#define PB_CMD_ROW(id, name, alias, front, net) \
	[PB_CMD_##id] = { name, id##_syn, id##_help },
const struct pb_cmd pb_cmds[PB_CMD_COUNT] = { PB_COMMANDS(PB_CMD_ROW) };
#undef PB_CMD_ROW

const size_t pb_ncmds = sizeof(pb_cmds) / sizeof(pb_cmds[0]);

const struct pb_cmd *
pb_commands_find(const char *name)
{
	size_t i;

	for (i = 0; i < pb_ncmds; i++)
		if (strcmp(pb_cmds[i].name, name) == 0)
			return &pb_cmds[i];
	return NULL;
}

void
pb_commands_help(const char *name, int err)
{
	const struct pb_cmd *c = pb_commands_find(name);
	FILE *f = err ? stderr : stdout;

	if (c == NULL)
		return;
	fprintf(f, "usage: %s %s %s\n", PB_PROG, c->name, c->synopsis);
	if (!err)
		fprintf(f, "\n%s", c->help);
}

void
pb_commands_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [ARGS...]\n"
	    "       %s help [COMMAND]\n"
	    "       %s --help | --version\n\ncommands:\n",
	    PB_PROG, PB_PROG, PB_PROG);
	for (i = 0; i < pb_ncmds; i++)
		fprintf(f, "  %s %s\n", pb_cmds[i].name, pb_cmds[i].synopsis);
	fprintf(f, "\n\"%s help COMMAND\" or \"%s COMMAND --help\" "
	    "says more.\n", PB_PROG, PB_PROG);
}

