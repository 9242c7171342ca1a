#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# git.sh: the real git against a real HTTPS server on 127.0.0.1 (node, a
# self-signed certificate made here) with git-credential-bearer, as the
# README sets it up, next to a global "credential.helper store" such as
# many users have:
#   - the README's two lines (an empty helper first, then bearer) for the
#     host: git logs in with the token, and ~/.git-credentials stays free
#     of it;
#   - one line (bearer added after store): git hands the token to store,
#     which writes it in clear to ~/.git-credentials (why the README says
#     two lines);
#   - what the server gets: HTTP Basic, username oauth2 and the token as
#     the password (git before 2.46), or "Bearer TOKEN" (git 2.46 and
#     later, which offers authtype).
# The token comes from a login against the IdP fixture (file store).  Run
# by "make check" from tests/helper; exits 77 without git, node, openssl
# or the fixture's node_modules.
set -u

tl_name=git.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"
: "${PB_HELPER_BUILD:?git.sh: set PB_HELPER_BUILD to the built helper/}"
bt=$PB_HELPER_BUILD/bearer-token
if [ ! -x "$bt" ] || [ ! -e "$PB_HELPER_BUILD/git-credential-bearer" ]; then
	echo "git.sh: no $bt or its git-credential-bearer link" >&2
	exit 99
fi
tl_need_tools "apt-get install git openssl" git openssl
tl_need_idp
tl_mktemp pb-git
tl_isolate
n=0
fails=0
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY BEARER_TOKEN_PROFILE GIT_ASKPASS SSH_ASKPASS GIT_CONFIG_GLOBAL \
    GIT_SSL_CAINFO GIT_SSL_CAPATH GIT_SSL_NO_VERIFY GIT_SSL_CERT GIT_SSL_KEY \
    GIT_CONFIG_SYSTEM
GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_CONFIG_NOSYSTEM GIT_TERMINAL_PROMPT
# git runs git-credential-bearer from PATH, as for an installed helper.
PATH=$PB_HELPER_BUILD:$PATH
export PATH
umask 077

idp_start idp --config '{"interval":1,"auto_approve":"approve"}'

# The server's certificate, for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    >"$tmp/openssl.log" 2>&1 || {
	cat "$tmp/openssl.log" >&2
	exit 99
}
# The git server: 401 (Basic) without credentials; with them, it writes
# the scheme, the username and whether the secret is the token of
# $tmp/token (never the secret) to $tmp/seen, and answers a repository
# with no refs (the dumb protocol), or 401 when the secret is wrong.
cat >"$tmp/server.cjs" <<'EOF'
const fs = require("fs"), https = require("https");
const [key, cert, tokfile, seen] = process.argv.slice(2);
const s = https.createServer({ key: fs.readFileSync(key),
    cert: fs.readFileSync(cert) }, (req, res) => {
	const h = req.headers.authorization || "";
	const tok = fs.existsSync(tokfile) ?
	    fs.readFileSync(tokfile, "utf8").trim() : null;
	let user = "", secret = "", scheme = h.split(" ")[0];
	if (scheme === "Basic") {
		const d = Buffer.from(h.slice(6), "base64").toString();
		user = d.slice(0, d.indexOf(":"));
		secret = d.slice(d.indexOf(":") + 1);
	} else if (scheme === "Bearer") {
		secret = h.slice(7);
	}
	if (h === "") {
		res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
		return res.end();
	}
	const good = tok !== null && secret === tok;
	fs.appendFileSync(seen, `${scheme} ${user || "-"} ` +
	    `${good ? "token" : "other"}\n`);
	if (!good) {
		res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
		return res.end();
	}
	res.writeHead(200, { "Content-Type": "text/plain" });
	res.end();
});
s.listen(0, "127.0.0.1", () => console.log(s.address().port));
EOF
node "$tmp/server.cjs" "$tmp/key.pem" "$tmp/cert.pem" "$tmp/token" \
    "$tmp/seen" >"$tmp/server.out" 2>"$tmp/server.err" &
tl_track $!
i=0
while [ ! -s "$tmp/server.out" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(head -n 1 "$tmp/server.out")
case $port in
[1-9]*) ;;
*)
	echo "git.sh: the HTTPS server did not start: $(cat "$tmp/server.err")" \
	    >&2
	exit 99 ;;
esac
idp_ready idp
iss=$(idp_field idp issuer)
url=https://127.0.0.1:$port

mkdir -m 700 "$XDG_CONFIG_HOME/bearer-token" || exit 99
cat >"$XDG_CONFIG_HOME/bearer-token/config" <<EOF
[profile default]
issuer = $iss
client_id = bearer-cli
store = file
timeout = 5
git_hosts = 127.0.0.1:$port
EOF
run "$bt" login --no-qr
expect "login against the fixture" 0
run "$bt" get
expect "get" 0
cp "$tmp/out" "$tmp/token"
tr -d '\n' <"$tmp/token" >"$tmp/token1"

# A user's global configuration: "store" for every host, and the server's
# certificate.
git config --global credential.helper store
git config --global http.sslCAInfo "$tmp/cert.pem"

# ls_remote WHAT: git ls-remote of the server's repository, as a check.
ls_remote() {
	: >"$tmp/seen"
	run git ls-remote "$url/repo.git"
	expect "$1" 0
}

# 1. The README's two lines: an empty value clears "store" for this host.
git config --global "credential.$url.helper" ''
git config --global --add "credential.$url.helper" bearer
ls_remote "two-line setup: git ls-remote logs in with the token"
if grep -qx 'Basic oauth2 token' "$tmp/seen" ||
    grep -qx 'Bearer - token' "$tmp/seen"; then
	ok "the server got the token ($(sort -u "$tmp/seen" | tr '\n' ' '))"
else
	nok "the server got the token (it saw: $(tr '\n' ' ' <"$tmp/seen"))"
fi
if [ -e "$HOME/.git-credentials" ] &&
    grep -qF -f "$tmp/token1" "$HOME/.git-credentials"; then
	nok "two-line setup: the token is in ~/.git-credentials"
else
	ok "two-line setup: ~/.git-credentials does not hold the token"
fi

# 2. One line, next to the global store: store keeps the token in clear
# (and would offer it again after it expired).
git config --global --unset-all "credential.$url.helper"
git config --global "credential.$url.helper" bearer
ls_remote "one-line setup: git ls-remote logs in too"
if [ -e "$HOME/.git-credentials" ] &&
    grep -qF -f "$tmp/token1" "$HOME/.git-credentials"; then
	ok "one-line setup: store wrote the token to ~/.git-credentials"
else
	nok "one-line setup: store wrote the token to ~/.git-credentials"
fi
tl_done
