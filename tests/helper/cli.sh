#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# cli.sh: the bearer-token commands that need no IdP (helper/front/main.c,
# helper/net/decode.c, helper/net/verify.c over common/verify.c):
# --help, --version and unknown commands; decode; verify against a
# configuration written here with the keys of tests/data.  Run by "make
# check" from tests/helper; by hand:
#
#   PB_BEARER_TOKEN=/abs/helper/bearer-token PB_MKTOKEN=/abs/mktoken \
#   PB_TESTDATA=/abs/tests/data sh cli.sh
#
# Every check prints "ok N - what" or "not ok N - what"; exit 0 when all
# pass, 1 otherwise, 99 when the setup is broken.
set -u

tl_name=cli.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"
: "${PB_BEARER_TOKEN:?cli.sh: set PB_BEARER_TOKEN to the built bearer-token}"
: "${PB_MKTOKEN:?cli.sh: set PB_MKTOKEN to tests/tools/mktoken}"
: "${PB_TESTDATA:?cli.sh: set PB_TESTDATA to the tests/data directory}"
bt=$PB_BEARER_TOKEN
for f in "$bt" "$PB_MKTOKEN"; do
	if [ ! -x "$f" ]; then
		echo "cli.sh: $f is not built" >&2
		exit 99
	fi
done
if [ ! -f "$PB_TESTDATA/jwks.json" ]; then
	echo "cli.sh: no $PB_TESTDATA/jwks.json" >&2
	exit 99
fi

tl_mktemp pb-cli
# The core refuses group- or world-writable files.
umask 022

# noleak WHAT TOKEN FILE...: no 8-byte piece of TOKEN's signature
# segment (and, with "all", of any segment) in the files.
noleak() {
	what=$1
	t=$2
	scope=$3
	shift 3
	case $scope in
	all) s=$(printf '%s' "$t" | tr -d .) ;;
	*) s=${t##*.} ;;
	esac
	len=${#s}
	i=0
	leaked=
	while [ $((i + 8)) -le "$len" ]; do
		piece=$(printf '%s' "$s" | cut -c$((i + 1))-$((i + 8)))
		if cat "$@" | grep -qF -- "$piece"; then
			leaked=$piece
			break
		fi
		i=$((i + 4))
	done
	if [ -n "$leaked" ]; then
		nok "$what: token bytes in output"
	else
		ok "$what: no token bytes in output"
	fi
}

sign() {
	"$PB_MKTOKEN" sign --alg ES256 --key "$PB_TESTDATA/ec256.pem" \
	    --kid ec1 --claims "$1"
}

ISS=https://idp.example.com
T0=2000000000
claims() {
	# claims SUB EXP [EXTRA]
	printf '{"iss":"%s","aud":"ssh","sub":"%s","iat":%s,"exp":%s%s}' \
	    "$ISS" "$1" $((T0 - 10)) "$2" "${3:-}"
}

conf=$tmp/pam_bearer.conf
cat >"$conf" <<EOC
# written by cli.sh
issuer = $ISS
audience = ssh
jwks_file = $PB_TESTDATA/jwks.json
EOC

good=$(sign "$(claims alice $((T0 + 300)))") || exit 99
expired=$(sign "$(claims alice $((T0 - 100)))") || exit 99
wrongaud=$(sign "$(printf '{"iss":"%s","aud":"web","sub":"alice","exp":%s}' \
    "$ISS" $((T0 + 300)))") || exit 99
# Flip the first signature character: a bad signature, still base64url.
sig=${good##*.}
rest=${good%.*}
case $sig in
A*) badsig=$rest.B${sig#?} ;;
*) badsig=$rest.A${sig#?} ;;
esac

# --- the front -----------------------------------------------------------
run "$bt" --help
expect "--help" 0 "commands:" out
cmds="login get status logout ssh sudo askpass kubectl git-credential fetch-jwks
    decode verify proof"
for c in $cmds; do
	if grep -q "^  $c " "$tmp/out"; then
		ok "--help lists $c"
	else
		nok "--help lists $c"
	fi
done
# Every listed command answers --help with its own usage line.
listed=$(sed -n 's/^  \([a-z-]*\) .*/\1/p' "$tmp/out" | tr '\n' ' ')
bad=
for c in $listed; do
	"$bt" "$c" --help 2>/dev/null | head -n 1 |
	    grep -q "^usage: bearer-token $c" || bad="$bad $c"
done
ncmds=$(echo $cmds | wc -w)
[ -z "$bad" ] && [ "$(echo "$listed" | wc -w)" -eq "$ncmds" ]
verdict "each of the $ncmds listed commands has its --help${bad:+ (not:$bad)}"
# DESIGN.md section 3: the front loads neither libcurl nor libsecret.
if command -v readelf >/dev/null 2>&1; then
	if readelf -d "$bt" | grep NEEDED | grep -qE 'curl|secret|glib'; then
		nok "bearer-token NEEDs no libcurl, libsecret or glib"
	else
		ok "bearer-token NEEDs no libcurl, libsecret or glib"
	fi
fi
run "$bt" --version
expect "--version" 0 "pam-bearer" out
run "$bt"
expect "no command" 2 "usage:" err
run "$bt" frobnicate
expect "unknown command" 2 "unknown command 'frobnicate'" err
expect "unknown command names the known ones" 2 "decode verify" err
run "$bt" help verify
expect "help verify" 0 "replay cache is not checked" out
run "$bt" verify --help
expect "verify --help" 0 "--at UNIX_TIME" out
run "$bt" decode --help
expect "decode --help" 0 "(unverified)" out
run "$bt" help nosuch
expect "help of an unknown command" 2 "unknown command" err
for a in --help -h help; do
	run "$bt" help "$a"
	expect "help $a: help's own usage" 0 "usage: bearer-token help" out
done
run "$bt" help get
expect "help get" 0 "usage: bearer-token get" out
run "$bt" help get extra
expect "help with two words: usage error" 2 "usage: bearer-token help" err

# --- decode --------------------------------------------------------------
runin "$good" "$bt" decode
expect "decode from stdin" 0 "claims (unverified):" out
expect "decode shows the header" 0 '"kid":	"ec1"' out
expect "decode shows the claims" 0 '"sub":	"alice"' out
expect "decode marks the header unverified" 0 "header (unverified):" out
expect "decode shows exp as a UTC date" 0 "exp: 2033-05-18 03:38:20 UTC" out
expect "decode shows iat" 0 "iat: 2033-05-18 03:33:10 UTC" out
noleak "decode" "$good" sig "$tmp/out" "$tmp/err"
run "$bt" decode "$good"
expect "decode from argv" 0 '"sub":	"alice"' out
runin "$good" "$bt" decode -
expect "decode -" 0 '"aud":	"ssh"' out
now=$(date +%s)
future=$(sign "$(printf '{"sub":"bob","exp":%s}' $((now + 3600)))")
runin "$future" "$bt" decode
expect "decode says expires in" 0 "expires in" out
old=$(sign '{"sub":"bob","exp":1000000000}')
runin "$old" "$bt" decode
expect "decode says the token expired" 0 \
    "exp: 2001-09-09 01:46:40 UTC (expired" out
runin "eyJhbGciOiJFUzI1NiJ9.e30" "$bt" decode
expect "decode of two segments" 1 "malformed token" err
runin "$rest.!!!!" "$bt" decode
expect "decode of a bad signature segment" 1 "malformed token" err
noleak "decode of a malformed token" "$rest.!!!!" all "$tmp/out" "$tmp/err"
runin "not a token" "$bt" decode
expect "decode of text" 1 "malformed token" err
run "$bt" decode a b
expect "decode with two tokens" 2 "usage:" err

# The claims are untrusted: no terminal control, bidi or invisible code
# point reaches the output as it is (issue 11, finding 9).  As JSON
# escapes: C1 CSI, NEL, DEL, RLO, LRI, LS, ZWSP, BOM, NBSP, private use, and
# a tag character above U+FFFF (a surrogate pair); sent raw as well (RLO,
# CSI).  Printable text outside ASCII stays as it is.
nasty='{"sub":"a\u009b2Jb","n":"\u0085\u007f","bidi":"x\u202etxt.exe",'
nasty=$nasty'"iso":"\u2066y\u2069","ls":"p\u2028q","zw":"\u200b\ufeff",'
nasty=$nasty'"nb":"\u00a0","pua":"\ue000","tag":"\udb40\udc41",'
nasty=$nasty'"raw":"'$(printf '\342\200\256\302\233')'",'
nasty=$nasty'"name":"J'$(printf '\303\274')'rgen '$(printf '\346\227\245')'"}'
tnasty=$(sign "$nasty") || exit 99
runin "$tnasty" "$bt" decode
expect "decode of hostile claims" 0 '"sub":	"a\u009b2Jb"' out
for e in '"n":	"\u0085\u007f"' '"bidi":	"x\u202etxt.exe"' \
    '"iso":	"\u2066y\u2069"' '"ls":	"p\u2028q"' '"zw":	"\u200b\ufeff"' \
    '"nb":	"\u00a0"' '"pua":	"\ue000"' '"tag":	"\udb40\udc41"' \
    '"raw":	"\u202e\u009b"'; do
	expect "decode escapes $e" 0 "$e" out
done
# Outside printable ASCII, tab and newline: the bytes of u-umlaut and one
# CJK character, nothing else.
bytes=$(LC_ALL=C tr -d '\011\012\040-\176' <"$tmp/out" | od -An -tx1 |
    tr -d ' \n')
[ "$bytes" = c3bce697a5 ]
verdict "decode leaves printable UTF-8 alone and nothing else" "$bytes"
if command -v python3 >/dev/null 2>&1; then
	# The escapes are JSON: the claims read back as they were sent.
	sed -n '/^claims (unverified):$/,/^}$/p' "$tmp/out" | sed 1d |
	    python3 -c 'import json, sys
a = json.load(sys.stdin)
b = json.loads(sys.argv[1])
sys.exit(0 if a == b else 1)' "$nasty"
	verdict "decode output reads back as the claims sent"
fi

# --- verify --------------------------------------------------------------
V() {
	runin "$1" "$bt" verify --config "$conf" --at $((T0 + ${2:-0})) \
	    ${3+"$3"} ${4+"$4"}
}
V "$good"
expect "verify a valid token" 0 "token valid for user 'alice'" out
expect "verify says when it expires" 0 "exp in 300 s" out
noleak "verify of a valid token" "$good" all "$tmp/out" "$tmp/err"
V "$good" 0 --user alice
expect "verify --user for the right user" 0 "token valid" out
V "$good" 0 --user bob
expect "verify --user for another user" 1 "token is for 'alice', not 'bob'" err
expect "verify rejects with a reason" 1 "token rejected:" err
V "$expired"
expect "verify an expired token" 1 "expired" err
noleak "verify of an expired token" "$expired" all "$tmp/out" "$tmp/err"
V "$wrongaud"
expect "verify a token for another audience" 1 "token rejected:" err
V "$badsig"
expect "verify a bad signature" 1 "token rejected:" err
noleak "verify of a bad signature" "$badsig" all "$tmp/out" "$tmp/err"
# A small-order Ed25519 key (x = the identity point) verifies the forged
# signature 01 00..00 over any message: the loader skips it, so the forged
# token is refused (it was "token valid" before).
b64u() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}
evil='{"kty":"OKP","crv":"Ed25519","kid":"evil","x":"AQAAAAAAAAAAAAAA'
evil=$evil'AAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
sed "s/\"keys\":\\[/\"keys\":[$evil,/" "$PB_TESTDATA/jwks.json" \
    >"$tmp/evil.json" || exit 99
sed "s|$PB_TESTDATA/jwks.json|$tmp/evil.json|" "$conf" >"$tmp/evil.conf"
forged=$(printf '{"alg":"EdDSA","kid":"evil"}' | b64u).$(claims alice \
    $((T0 + 300)) | b64u).$({ printf '\001'; head -c 63 /dev/zero; } | b64u)
runin "$forged" "$bt" verify --config "$tmp/evil.conf" --at $((T0 + 1)) \
    --user alice
expect "verify refuses a token forged for a small-order Ed25519 key" 1 \
    "no key with kid 'evil'" err
# --at boundary: exp = T0 + 300; the default leeway is added by the core,
# so find it from the configuration: leeway 0 makes the edge exact.
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 299)) leeway=0
expect "verify one second before exp" 0 "exp in 1 s" out
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 300)) leeway=0
expect "verify at exp (RFC 7519: now >= exp fails)" 1 "token rejected:" err
for c in decode verify; do
	a=
	[ "$c" = decode ] || a="--config $conf"
	# shellcheck disable=SC2086 # $a: no words or two
	printf '' | "$bt" $c $a >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect "$c of empty input says so" 1 \
	    "no token on standard input (it was empty)" err
	! grep -q "three segments" "$tmp/err"
	verdict "$c of empty input does not say 'not three segments'"
	# shellcheck disable=SC2086
	printf ' \n\n' | "$bt" $c $a >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect "$c of blank input says so" 1 "no token on standard input" err
	# shellcheck disable=SC2086
	run "$bt" $c $a ''
	expect "$c of an empty argument says so" 1 \
	    "the token argument is empty" err
done
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) -
expect "verify - reads stdin" 0 "token valid" out
runin "Authorization: Bearer \"$good\"" "$bt" verify --config "$conf" \
    --at $((T0 + 1)) -
expect "verify unwraps a pasted header, as the module does" 0 "token valid" out
run "$bt" verify --config "$conf" --at $((T0 + 1)) "$good"
expect "verify a token from argv" 0 "token valid" out
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) audience=web
expect "verify with a key=value override" 1 "token rejected:" err
# An opaque access token (LemonLDAP::NG's default: 64 hex digits) is no
# JWT, and saying "three segments" would not tell the admin what to fix.
opaque=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
V "$opaque"
expect "verify an opaque token names it" 1 \
    "not a JWT (an opaque access token? ask the IdP for JWT access tokens)" err
noleak "verify of an opaque token" "$opaque" all "$tmp/out" "$tmp/err"
runin "$good" "$bt" verify --config "$conf" --at yesterday
expect "verify --at with a non-number" 2 "--at" err
runin "$good" "$bt" verify --config "$conf" --bogus
expect "verify with an unknown option" 2 "unknown option" err
# require_pop: the module refuses an unbound token before the proof
# prompt, and so does verify; a bound token passes, with a note that the
# module will also ask for the proof (RFC 7638's example thumbprint).
V "$good" 1 require_pop=yes
expect "verify under require_pop refuses an unbound token" 1 \
    "token rejected: proof required: the token is not bound (no cnf)" err
jkt=NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs
bound=$(sign "$(claims alice $((T0 + 300)) ",\"cnf\":{\"jkt\":\"$jkt\"}")") ||
    exit 99
V "$bound" 1 require_pop=yes
expect "verify under require_pop takes a bound token" 0 "token valid" out
expect "verify notes the login proof" 0 \
    "note: the module will also ask for a login proof" err
V "$bound" 1
expect "verify notes the login proof without require_pop" 0 \
    "note: the module will also ask for a login proof" err
V "$good" 1
! grep -q "login proof" "$tmp/err"
verdict "verify of an unbound token says nothing of a proof"

# Configuration problems: exit 3.
sed "s|jwks.json|missing.json|" "$conf" >"$tmp/nojwks.conf"
V2() {
	runin "$good" "$bt" verify --config "$1" --at $((T0 + 1))
}
V2 "$tmp/nojwks.conf"
expect "verify with a missing JWKS" 3 "missing.json" err
printf 'issuer = %s\naudience = ssh\nno equals sign here\n' "$ISS" \
    >"$tmp/bad.conf"
V2 "$tmp/bad.conf"
expect "verify with a bad config line" 3 "$tmp/bad.conf:3:" err
V2 "$tmp/none.conf"
expect "verify with a missing config file" 3 "none.conf" err
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) nosuchkey=1
expect "verify with an unknown key=value" 3 "nosuchkey" err
chmod 666 "$tmp/bad.conf"
cp "$conf" "$tmp/ww.conf"
chmod 666 "$tmp/ww.conf"
V2 "$tmp/ww.conf"
expect "verify with a world-writable config" 3 "ww.conf" err

# deny_users (default root) and min_uid: the local user a token is for.
rootok=$(sign "$(claims root $((T0 + 300)))") || exit 99
V "$rootok"
expect "verify a token for root (deny_users defaults to root)" 1 \
    "local user 'root' is in deny_users" err
V "$rootok" 0 deny_users=
expect "verify a token for root with deny_users empty" 0 \
    "token valid for user 'root'" out
V "$rootok" 0 deny_users= min_uid=1000
expect "verify a token for root with min_uid 1000" 1 \
    "local user 'root' has uid 0, below min_uid 1000" err

# jwks_max_age: the key file's mtime is its last sync (fetch-jwks sets it).
cp "$PB_TESTDATA/jwks.json" "$tmp/old-jwks.json"
touch -d '@'$(($(date +%s) - 9 * 86400)) "$tmp/old-jwks.json"
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) \
    jwks_file="$tmp/old-jwks.json" jwks_max_age=7d
expect "verify with a JWKS older than jwks_max_age" 3 \
    "last synced 9d 0h ago, longer than jwks_max_age (7d 0h): run 'bearer-token fetch-jwks'" err
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) \
    jwks_file="$tmp/old-jwks.json" jwks_max_age=10d
expect "verify with a JWKS younger than jwks_max_age" 0 "token valid" out
touch -d '@'$(($(date +%s) + 2 * 86400 + 600)) "$tmp/old-jwks.json"
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) \
    jwks_file="$tmp/old-jwks.json" jwks_max_age=10d
expect "verify with a JWKS whose mtime is in the future" 3 \
    "has its mtime (its last sync) 2d 0h in the future, so its age is unknown" err

# A group-writable directory above a trusted file: exit 3, naming it.
mkdir -m 775 "$tmp/gw"
chmod 775 "$tmp/gw"
cp "$conf" "$tmp/gw/pam_bearer.conf"
V2 "$tmp/gw/pam_bearer.conf"
expect "verify with the config in a group-writable directory" 3 \
    "directory $tmp/gw (owner $(id -u), mode 0775) must be owned by root" err

# The usermap and the denylist.
printf 'alice alice2\n' >"$tmp/map"
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) \
    usermap_file="$tmp/map" --user alice2
expect "verify through usermap_file" 0 "token valid for user 'alice2'" out
printf 'alice\n' >"$tmp/deny"
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) \
    denylist_file="$tmp/deny"
expect "verify a denied sub" 1 "token rejected:" err
# A list over its size cap is the admin's to fix: exit 3, not "rejected".
awk 'BEGIN { for (i = 0; i < 30000; i++)
	printf "%08x-0000-4000-8000-%012x\n", i, i }' >"$tmp/bigdeny"
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) \
    denylist_file="$tmp/bigdeny"
expect "verify with a denylist over 1 MiB" 3 "over the limit of 1048576" err
sed 's/-/ /' "$tmp/bigdeny" >"$tmp/bigmap"
runin "$good" "$bt" verify --config "$conf" --at $((T0 + 1)) \
    usermap_file="$tmp/bigmap"
expect "verify with a usermap over 1 MiB" 3 "over the limit of 1048576" err

# askpass on the terminal (a pty from script(1)): the server's prompt text
# reaches it as printable ASCII, tabs and newlines, so an escape sequence
# or a C1 control (0x9b, CSI) cannot drive the terminal.
if command -v script >/dev/null 2>&1; then
	PB_BT=$bt PB_P=$(printf 'Key \033[2J\302\233 x\ty') \
	    SSH_ASKPASS_PROMPT=none script -qec '"$PB_BT" askpass "$PB_P"' \
	    /dev/null >"$tmp/out" 2>"$tmp/err" </dev/null
	grep -qF "$(printf 'Key ?[2J?? x\ty')" "$tmp/out" &&
	    ! LC_ALL=C grep -q "$(printf '[\033\200-\377]')" "$tmp/out"
	verdict "askpass writes a server's prompt to the terminal as plain text"
else
	ok "# SKIP askpass on a terminal (no script(1))"
fi

tl_done
