#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# cc.sh: profiles with grant = client_credentials (DESIGN.md section 3,
# "Other ways to get a token"), the unattended machine, end to end against
# the real IdP fixture (tests/idp/server.js with its machine clients):
# private_key_jwt (RFC 7523) with EC P-256, RSA and Ed25519 keys made here
# by openssl, an RSA key with its certificate in one file (as for Entra
# ID; the fixture ignores x5t) and one with another key's certificate,
# client_secret_basic, the cached get (a second get asks the
# IdP nothing), --min-ttl, the token's claims, login, status, logout, the
# key file's checks (mode, symbolic link, owner), a wrong key and a wrong
# secret (invalid_client: the message names the client and the key file
# or secret), the IdP stopped (exit 5), and no secret, assertion or token
# in any message.  No keyring, no session bus: nothing is stored.  By hand:
#
#   PB_BEARER_TOKEN=/abs/helper/bearer-token PB_IDP_DIR=/abs/tests/idp \
#   sh cc.sh
#
# Exit 0 when all pass, 1 otherwise, 77 (skip) without node, the
# fixture's node_modules, openssl or curl, 99 when the setup is broken.
set -u

tl_name=cc.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"

: "${PB_BEARER_TOKEN:?cc.sh: set PB_BEARER_TOKEN to the built bearer-token}"
tl_need_idp
tl_need_tools "apt-get install openssl" openssl
tl_need_tools "apt-get install curl" curl
for f in "$PB_BEARER_TOKEN" "$PB_BEARER_TOKEN-net"; do
	if [ ! -x "$f" ]; then
		echo "cc.sh: $f is not built" >&2
		exit 99
	fi
done
bt=$PB_BEARER_TOKEN
tl_mktemp pb-cc
tl_isolate
umask 077
mkdir "$tmp/keys" || exit 99
k=$tmp/keys
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$k/ec.pem" 2>/dev/null &&
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$k/wrong.pem" 2>/dev/null &&
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$k/rsa.pem" 2>/dev/null &&
openssl genpkey -algorithm ED25519 -out "$k/ed.pem" 2>/dev/null || {
	echo "cc.sh: openssl genpkey failed" >&2
	exit 99
}
openssl req -x509 -new -key "$k/rsa.pem" -subj /CN=bearer-machine \
    -days 30 -out "$k/rsa.crt" 2>/dev/null &&
cat "$k/rsa.pem" "$k/rsa.crt" >"$k/rsacert.pem" &&
cat "$k/ec.pem" "$k/rsa.crt" >"$k/mixed.pem" || {
	echo "cc.sh: openssl req -x509 failed" >&2
	exit 99
}
IDP_MACHINE_KEYS=$k/ec.pem:$k/rsa.pem:$k/ed.pem
export IDP_MACHINE_KEYS
idp_start idp --issuer-path /realms/test
idp_ready idp
issuer=$(idp_field idp issuer)
control=$(idp_field idp control)

mkdir -p "$XDG_CONFIG_HOME/bearer-token" || exit 99
cfg=$XDG_CONFIG_HOME/bearer-token/config
# profile NAME CLIENT KEYS...: a client_credentials profile section.
profile() {
	printf '[profile %s]\nissuer = %s\nclient_id = %s\n' "$1" "$issuer" \
	    "$2"
	printf 'grant = client_credentials\n'
	shift 2
	for kv in "$@"; do
		printf '%s\n' "$kv"
	done
}
{
	profile ec bearer-machine "client_key_file = $k/ec.pem" "scope = ssh"
	profile rsa bearer-machine "client_key_file = $k/rsa.pem"
	profile ed bearer-machine "client_key_file = $k/ed.pem"
	profile rsacert bearer-machine "client_key_file = $k/rsacert.pem"
	profile mixed bearer-machine "client_key_file = $k/mixed.pem"
	profile wrong bearer-machine "client_key_file = $k/wrong.pem"
	profile lax bearer-machine "client_key_file = $k/lax.pem"
	profile link bearer-machine "client_key_file = $k/link.pem"
	profile big bearer-machine "client_key_file = $k/big.pem"
	profile other bearer-machine "client_key_file = $k/other.pem"
	profile basic bearer-machine-secret \
	    "client_secret = bearer-machine-secret-value" \
	    "client_auth = client_secret_basic"
	profile badsecret bearer-machine-secret "client_secret = not-it"
	profile nocred bearer-machine
	profile relative bearer-machine "client_key_file = keys/ec.pem"
	profile dpopyes bearer-machine "client_key_file = $k/ec.pem" \
	    "dpop = yes"
	printf '[profile person]\nissuer = %s\nclient_id = bearer-cli\n' \
	    "$issuer"
	printf 'client_auth = private_key_jwt\nclient_key_file = %s\n' \
	    "$k/ec.pem"
} >"$cfg" || exit 99

# cc_count: the token requests of the client credentials grant so far.
cc_count() {
	ctl GET counters
	sed -n 's/.*"token_client_credentials":\([0-9]*\).*/\1/p' \
	    "$tmp/ctl.json"
}
# no_secrets WHAT: nothing in $tmp/out or $tmp/err quotes the secret, a
# JWT (token or assertion) or the key (stdout may hold the token of get).
no_secrets() {
	if grep -q -e 'bearer-machine-secret-value' -e 'PRIVATE KEY' \
	    "$tmp/err" "$tmp/out" || grep -q 'eyJ' "$tmp/err"; then
		nok "$1: no secret, key or JWT in the messages"
	else
		ok "$1: no secret, key or JWT in the messages"
	fi
}

# --- private_key_jwt --------------------------------------------------------

ctl POST reset
run "$bt" login --profile ec
expect "login checks the setup and says no login is needed" 0 \
    "No login is needed" err
no_secrets "login"
c0=$(cc_count)
[ "$c0" = 1 ]
verdict "login asked the IdP once" "count $c0"
ctl GET requests
grep -q '"form_keys":\["grant_type","scope","client_id","client_assertion_type","client_assertion"\]' \
    "$tmp/ctl.json" && grep -q '"authorization":"none"' "$tmp/ctl.json" &&
    ! grep -q client_secret "$tmp/ctl.json"
verdict "an RFC 7523 assertion in the body, no secret, no header"

run "$bt" logout --profile ec
expect "logout removes the cached token" 0 "cached access token is deleted" err
run "$bt" status --profile ec
expect "status: nothing cached after logout" 0 "none cached" out

run "$bt" get --profile ec
expect "get for a private_key_jwt (ES256) profile" 0
no_secrets "get"
c1=$(cc_count)
[ "$c1" = $((c0 + 1)) ]
verdict "get asked the IdP once" "count $c0 -> $c1"
cp "$tmp/out" "$tmp/tok1"
run "$bt" decode <"$tmp/tok1"
grep -q '"sub":[[:space:]]*"bearer-machine"' "$tmp/out" &&
    grep -q '"client_id":[[:space:]]*"bearer-machine"' "$tmp/out" &&
    grep -q '"scope":[[:space:]]*"ssh"' "$tmp/out"
verdict "the token's claims name the client (sub, client_id, scope)"
run "$bt" get --profile ec
c2=$(cc_count)
[ "$rc" -eq 0 ] && [ "$c2" = "$c1" ] && cmp -s "$tmp/out" "$tmp/tok1"
verdict "a second get is the cached token: no request at the IdP" \
    "exit $rc, count $c1 -> $c2"
run "$bt" get --profile ec --min-ttl 400
c3=$(cc_count)
[ "$rc" -eq 0 ] && [ "$c3" = $((c2 + 1)) ] && ! cmp -s "$tmp/out" "$tmp/tok1"
verdict "--min-ttl beyond the token's life asks for a new one" \
    "exit $rc, count $c2 -> $c3"
run "$bt" status --profile ec
expect "status shows the grant" 0 "grant:         client_credentials" out
run "$bt" status --profile ec --json
expect "status --json shows the grant and the client_auth" 0 \
    '"grant":"client_credentials","client_auth":"private_key_jwt"' out
[ -z "$(find "$XDG_STATE_HOME" "$XDG_DATA_HOME" -type f ! -name '*.lock')" ]
verdict "nothing stored but the lock (no refresh token, no keyring)"

run "$bt" kubectl --profile ec
expect "kubectl: an ExecCredential through get" 0 '"kind":"ExecCredential"' out
run "$bt" logout --profile ec
c4=$(cc_count)
i=0
pids=
while [ $i -lt 10 ]; do
	"$bt" get --profile ec >"$tmp/par.$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do
	wait "$p"
done
c5=$(cc_count)
i=0
same=0
while [ $i -lt 10 ]; do
	cmp -s "$tmp/par.0" "$tmp/par.$i" && same=$((same + 1))
	i=$((i + 1))
done
[ "$c5" = $((c4 + 1)) ] && [ "$same" = 10 ] && [ -s "$tmp/par.0" ]
verdict "10 gets at once: one request under the lock, one token" \
    "count $c4 -> $c5, $same alike"

run "$bt" get --profile rsa
expect "get with an RSA key (RS256)" 0
run "$bt" get --profile ed
expect "get with an Ed25519 key (EdDSA, listed in discovery)" 0
run "$bt" get --profile rsacert
expect "get with an RSA key and its certificate in one file" 0
run "$bt" get --profile mixed
expect "a key file with another key's certificate is refused" 3 \
    "the certificate in $k/mixed.pem is not the private key's" err
no_secrets "another key's certificate"

# --- the key file -----------------------------------------------------------

cp "$k/ec.pem" "$k/lax.pem" && chmod 644 "$k/lax.pem" || exit 99
run "$bt" get --profile lax
expect "a key file of mode 0644 is refused" 3 "chmod 600 $k/lax.pem" err
head -c 70000 /dev/zero | tr '\0' A >"$k/big.pem" &&
    chmod 600 "$k/big.pem" || exit 99
run "$bt" get --profile big
expect "a key file over 64 KiB is a configuration error, not try again" 3 \
    "$k/big.pem" err
ln -s ec.pem "$k/link.pem" || exit 99
run "$bt" get --profile link
expect "a key file that is a symbolic link is refused" 3 \
    "client_key_file $k/link.pem is a symbolic link" err
if [ "$(id -u)" -eq 0 ]; then
	cp "$k/ec.pem" "$k/other.pem" && chown 65534 "$k/other.pem" || exit 99
	run "$bt" get --profile other
	expect "a key file of another owner is refused" 3 \
	    "client_key_file $k/other.pem is owned by uid 65534" err
else
	ok "# SKIP a key file of another owner (needs root to chown)"
fi
run "$bt" get --profile wrong
expect "a key the IdP does not know: invalid_client, exit 3" 3 \
    "the IdP refused client 'bearer-machine' authenticated with the key in client_key_file $k/wrong.pem" err
no_secrets "invalid_client"

# --- the profile -------------------------------------------------------------

run "$bt" get --profile nocred
expect "no key and no secret: a configuration error" 3 \
    'private_key_jwt needs "client_key_file = /PATH"' err
run "$bt" get --profile relative
expect "a relative client_key_file is refused" 3 \
    'private_key_jwt needs "client_key_file = /PATH"' err
run "$bt" get --profile dpopyes --min-ttl 400
expect "dpop = yes is refused for the grant" 3 \
    "dpop = yes is not available with grant = client_credentials" err
run "$bt" login --profile person
expect "private_key_jwt without the grant is refused" 3 \
    "client_auth = private_key_jwt is for grant = client_credentials" err

# --- client_secret_basic ----------------------------------------------------

ctl POST reset
run "$bt" get --profile basic
expect "get for a client_secret_basic profile" 0
no_secrets "client_secret_basic"
ctl GET requests
grep -q '"authorization":"basic","form_keys":\["grant_type"\]' "$tmp/ctl.json"
verdict "the secret in the Authorization header only"
run "$bt" get --profile badsecret
expect "a wrong secret: invalid_client naming the client, exit 3" 3 \
    "client 'bearer-machine-secret' authenticated with client_secret" err
no_secrets "wrong secret"

# --- the IdP gone -----------------------------------------------------------

idp_stop idp
run "$bt" get --profile ec --min-ttl 400
expect "the IdP stopped: exit 5" 5 "try again later" err
run "$bt" get --profile ec
expect "the IdP stopped: the cached token still answers" 0
tl_done
