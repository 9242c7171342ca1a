#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# jwks.sh: "bearer-token fetch-jwks" against the IdP fixture: the file is
# written with mode 0644 and the fixture's keys, left alone when nothing
# changed, left exactly as it was on every fault (a JWK Set of broken keys,
# an empty one, HTTP 500, garbage, a hang past the timeout), takes its
# issuer and path from the module's configuration (refused when the module
# would refuse it), and keeps a retired key
# (the fixture restarted on the same port has new keys) for
# --keep-retired, also with an encryption key in the file from the start
# (Keycloak's certs) and with keys that have no kid; compares key sets
# canonically (the same keys in another order leave the file as it is),
# records each good run in the file's mtime, and drops a retired key at
# once with --drop; drops the longest retired keys first when the set would
# not fit the module's limits; follows a symbolic link at the output path, keeping
# the link.  Also "systemd-analyze verify" of the units, where
# systemd-analyze exists.
#
# Environment: PB_BEARER_TOKEN, PB_IDP_DIR, PB_HELPER_BUILD (the build's
# helper directory, for the generated unit), PB_HELPER_SRC.  Exit 77
# without node or the fixture's node_modules.
set -u

tl_name=jwks.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"

: "${PB_BEARER_TOKEN:?jwks.sh: set PB_BEARER_TOKEN}"
tl_need_idp
tl_need_tools "apt-get install curl" curl
tl_mktemp pb-jwks
bt=$PB_BEARER_TOKEN
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY
umask 022

idp_start idp
idp_ready idp
iss=$(idp_field idp issuer)
control=$(idp_field idp control)
port=${iss##*:}
out=$tmp/lib/jwks.json
mkdir -m 755 "$tmp/lib" || exit 99

fault() {
	curl -sS --max-time 10 -o /dev/null -H 'content-type: application/json' \
	    --data "$1" "$control/fault" || exit 99
}
kids() {
	grep -o '"kid":"[^"]*"' "$1" | sort | tr '\n' ' '
}
fixture_kids() {
	curl -sS --max-time 10 "$iss/jwks" | grep -o '"kid":"[^"]*"' | sort |
	    tr '\n' ' '
}

run "$bt" fetch-jwks --issuer "$iss" --output "$out"
expect "fetch-jwks writes the file" 0 "written" out
k=$(kids "$out")	# before the test: verdict reads its status
[ "$(stat -c %a "$out")" = 644 ] && [ "$k" = "$(fixture_kids)" ]
verdict "mode 0644, the fixture's keys ($k)"
# unchanged WHAT: the file is the same inode, byte for byte, and its mtime
# moved on (the record of the last good sync, for jwks_max_age).
unchanged() {
	[ "$rc" -eq 0 ] && grep -q unchanged "$tmp/out" &&
	    [ "$(stat -c %i "$out")" = "${ino%:*}" ] &&
	    cmp -s "$out" "$tmp/good.json" &&
	    [ "$(stat -c %Y "$out")" -gt "${ino#*:}" ]
	verdict "$1" "exit $rc"
}
ino=$(stat -c %i:%Y "$out")
cp "$out" "$tmp/good.json"
sleep 1
run "$bt" fetch-jwks --issuer "$iss" --output "$out"
unchanged "a second fetch: unchanged, not rewritten, the mtime is the sync"
ino=$(stat -c %i:%Y "$out")
sleep 1
fault '{"endpoint":"jwks","mode":"shuffle-jwks","count":1}'
run "$bt" fetch-jwks --issuer "$iss" --output "$out"
unchanged "the same keys with keys and members in another order: unchanged"

ino=$(stat -c %i:%Y "$out")
for f in '{"endpoint":"jwks","mode":"bad-jwks","count":1}:1' \
    '{"endpoint":"jwks","mode":"empty-jwks","count":1}:1' \
    '{"endpoint":"jwks","mode":"500","count":1}:5' \
    '{"endpoint":"jwks","mode":"garbage","count":1}:1' \
    '{"endpoint":"jwks","mode":"hang","count":1}:5' \
    '{"endpoint":"discovery","mode":"reset","count":1}:5'; do
	fault "${f%:*}"
	run "$bt" fetch-jwks --issuer "$iss" --output "$out" --timeout 3
	sed 's/^/#   /' "$tmp/err"
	[ "$rc" -eq "${f##*:}" ] && cmp -s "$out" "$tmp/good.json" &&
	    [ "$(stat -c %i:%Y "$out")" = "$ino" ] &&
	    grep -q "left as it was\|failed" "$tmp/err"
	verdict "fault ${f%:*}: exit ${f##*:}, the old file untouched" \
	    "exit $rc"
done
ctl_reset() {
	curl -sS --max-time 10 -o /dev/null -X POST "$control/reset" || exit 99
}
ctl_reset

# The module's configuration names the issuer and the file.
cat >"$tmp/pam_bearer.conf" <<CONF
issuer = $iss
audience = ssh
jwks_file = $tmp/lib/from-conf.json
CONF
run "$bt" fetch-jwks --config "$tmp/pam_bearer.conf"
[ "$rc" -eq 0 ] && [ "$(kids "$tmp/lib/from-conf.json")" = "$(fixture_kids)" ]
verdict "issuer and jwks_file from the module's configuration" "exit $rc"
# Only the issuer and jwks_file are needed: a file without audience (given
# on each PAM line instead) is fine, as the hourly timer needs.
printf 'issuer = %s\njwks_file = %s\n' "$iss" "$tmp/lib/noaud.json" \
    >"$tmp/noaud.conf"
run "$bt" fetch-jwks --config "$tmp/noaud.conf"
[ "$rc" -eq 0 ] && [ "$(kids "$tmp/lib/noaud.json")" = "$(fixture_kids)" ]
verdict "a file without audience (on the PAM lines) still serves" "exit $rc"
# A file with no issuer: say which and how to give it.
printf 'audience = ssh\njwks_file = %s\n' "$tmp/lib/noiss.json" \
    >"$tmp/noiss.conf"
run "$bt" fetch-jwks --config "$tmp/noiss.conf"
[ "$rc" -eq 3 ] && [ ! -e "$tmp/lib/noiss.json" ] &&
    grep -q "no issuer: give --issuer or set it" "$tmp/err"
verdict "a file without issuer: exit 3, says what to give" "exit $rc"
# A file the parser refuses: exit 3, says where.
printf 'issuer = %s\nbogus_key = 1\n' "$iss" >"$tmp/bad.conf"
run "$bt" fetch-jwks --config "$tmp/bad.conf"
[ "$rc" -eq 3 ] &&
    grep -q "give --issuer and --output, or fix the module's" "$tmp/err"
verdict "an unreadable configuration: exit 3, says why" "exit $rc"
run "$bt" fetch-jwks --issuer "$iss/" --output "$out"
expect "an issuer that differs by a trailing slash: exit 3" 3 \
    "trailing slash" err

# The man page's bootstrap (curl of the IdP's certs) as at Keycloak: a
# "use":"enc" key is in the file from the start.  And an IdP that gives
# no kid (LemonLDAP::NG's default), its file written by fetch-jwks.
kc=$tmp/lib/kc.json
nk=$tmp/lib/nokid.json
fault '{"endpoint":"jwks","mode":"enc-jwks","count":1}'
curl -fsS --max-time 10 -o "$kc.new" "$iss/jwks" && mv "$kc.new" "$kc" &&
    grep -q '"use":"enc"' "$kc" || exit 99
fault '{"endpoint":"jwks","mode":"nokid-jwks","count":1}'
run "$bt" fetch-jwks --issuer "$iss" --output "$nk"
[ "$rc" -eq 0 ] && [ -z "$(kids "$nk")" ] &&
    [ "$(grep -o '"kty"' "$nk" | wc -l)" -eq 2 ]
verdict "an IdP's keys without kid are taken" "exit $rc"

# Key rotation: the fixture makes new keys at each start.
old=$(kids "$out")
idp_stop idp
idp_start idp2 --port "$port"
idp_ready idp2
run "$bt" fetch-jwks --issuer "$iss" --output "$out" --keep-retired 1h
new=$(fixture_kids)
union=$(printf '%s%s' "$old" "$new" | tr ' ' '\n' | grep . | sort |
    tr '\n' ' ')
k=$(kids "$out")
[ "$rc" -eq 0 ] && [ "$k" = "$union" ] &&
    [ "$(grep -o 'x-pam-bearer-retired-at' "$out" | wc -l)" -eq 2 ]
verdict "after a rotation the 2 retired keys stay, marked ($k)"
# verify loads the JWKS before it reads the token: exit 3 means the file
# does not load, 1 that it did and the (empty) token was refused.
printf 'issuer = %s\naudience = ssh\njwks_file = %s\n' "$iss" "$out" \
    >"$tmp/v.conf"
run "$bt" verify --config "$tmp/v.conf" - </dev/null
[ "$rc" -eq 1 ]
verdict "the module's loader takes the file with retired keys" "exit $rc"

# The rotation with the enc key in the file (and still served, as Keycloak
# does): the new keys come in, the enc key goes, the old ones are retired,
# and a token the IdP signs with its new key verifies.
fault '{"endpoint":"jwks","mode":"enc-jwks","count":-1}'
run "$bt" fetch-jwks --issuer "$iss" --output "$kc" --keep-retired 1h
sed 's/^/#   /' "$tmp/err"
k=$(kids "$kc")
[ "$rc" -eq 0 ] && [ "$k" = "$union" ] && ! grep -q '"enc"' "$kc" &&
    [ "$(grep -o 'x-pam-bearer-retired-at' "$kc" | wc -l)" -eq 2 ]
verdict "rotation with an enc key in the file: new keys in, enc out ($k)" \
    "exit $rc"
ctl_reset
curl -sS --max-time 10 -d client_id=bearer-cli -d 'scope=openid ssh' \
    "$iss/device/auth" >"$tmp/da.json" || exit 99
dc=$(sed -n 's/.*"device_code":"\([^"]*\)".*/\1/p' "$tmp/da.json")
curl -sS --max-time 10 -o /dev/null -H 'content-type: application/json' \
    --data '{}' "$control/approve" || exit 99
tok=$(curl -sS --max-time 10 -d client_id=bearer-cli -d "device_code=$dc" \
    -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
    "$iss/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$tok" ] || exit 99
printf 'issuer = %s\naudience = ssh\njwks_file = %s\n' "$iss" "$kc" \
    >"$tmp/kc.conf"
runin "$tok" "$bt" verify --config "$tmp/kc.conf" -
expect "a token signed by the IdP's new key verifies" 0 \
    "token valid for user 'alice'" out
run "$bt" fetch-jwks --issuer "$iss" --output "$kc" --keep-retired 0
[ "$rc" -eq 0 ] && [ "$(kids "$kc")" = "$new" ]
verdict "--keep-retired 0 drops the retired keys at once" "exit $rc"

# Without kid the retired keys are told apart by the key itself, kept and
# marked, and the file loads.
fault '{"endpoint":"jwks","mode":"nokid-jwks","count":1}'
run "$bt" fetch-jwks --issuer "$iss" --output "$nk" --keep-retired 1h
[ "$rc" -eq 0 ] && [ "$(grep -o '"kty"' "$nk" | wc -l)" -eq 4 ] &&
    [ "$(grep -o 'x-pam-bearer-retired-at' "$nk" | wc -l)" -eq 2 ]
verdict "rotation without kid: the 2 old keys are kept, marked" "exit $rc"
printf 'issuer = %s\naudience = ssh\njwks_file = %s\n' "$iss" "$nk" \
    >"$tmp/nk.conf"
run "$bt" verify --config "$tmp/nk.conf" - </dev/null
[ "$rc" -eq 1 ]
verdict "the module's loader takes the kid-less file" "exit $rc"
printf '{"keys":[]}' >"$tmp/lib/empty.json"
printf 'issuer = %s\naudience = ssh\njwks_file = %s\n' "$iss" \
    "$tmp/lib/empty.json" >"$tmp/v2.conf"
run "$bt" verify --config "$tmp/v2.conf" - </dev/null
expect "(and refuses an empty set: exit 3)" 3
at1=$(grep -o '"x-pam-bearer-retired-at":[0-9]*' "$out" | sort)
sleep 1
run "$bt" fetch-jwks --issuer "$iss" --output "$out" --keep-retired 1h
at2=$(grep -o '"x-pam-bearer-retired-at":[0-9]*' "$out" | sort)
[ "$rc" -eq 0 ] && [ -n "$at1" ] && [ "$at1" = "$at2" ]
verdict "a later fetch keeps the retired-at times (no reset of the grace)"
# --drop: a retired key goes at once; a key the IdP still publishes is
# refused (the next run would bring it back), the file left as it was.
cp "$out" "$tmp/before-drop.json"
gone=$(printf '%s' "$old" | tr ' ' '\n' | grep . | head -n 1 |
    sed 's/"kid":"\(.*\)"/\1/')
live=$(fixture_kids | tr ' ' '\n' | grep . | head -n 1 |
    sed 's/"kid":"\(.*\)"/\1/')
run "$bt" fetch-jwks --issuer "$iss" --output "$out" --keep-retired 1h \
    --drop "$live"
[ "$rc" -eq 1 ] && grep -q "still publishes key '$live'" "$tmp/err" &&
    cmp -s "$out" "$tmp/before-drop.json"
verdict "--drop of a key the IdP publishes: exit 1, file untouched" "exit $rc"
run "$bt" fetch-jwks --issuer "$iss" --output "$out" --keep-retired 1h \
    --drop "$gone" --drop no-such-kid
[ "$rc" -eq 0 ] && ! grep -q "\"$gone\"" "$out" &&
    [ "$(grep -o 'x-pam-bearer-retired-at' "$out" | wc -l)" -eq 1 ] &&
    grep -q "no retired key 'no-such-kid'" "$tmp/out"
verdict "--drop of a retired key: gone at once, the other kept" "exit $rc"
# Durations are read as the module reads them (common/parse.c): digits
# and one unit of s m h d w, at most a year.
for d in 1y 367d +5 ' 5' 5hh; do
	run "$bt" fetch-jwks --issuer "$iss" --output "$out" --keep-retired "$d"
	[ "$rc" -eq 2 ] && grep -q "keep-retired takes a duration" "$tmp/err"
	verdict "--keep-retired '$d' is a usage error" "exit $rc"
done
run "$bt" fetch-jwks --issuer "$iss" --output "$out" --keep-retired 2w
[ "$rc" -eq 0 ] && grep -q 'x-pam-bearer-retired-at' "$out"
verdict "--keep-retired 2w keeps the retired keys" "exit $rc"
run "$bt" fetch-jwks --issuer "$iss" --output "$out" --keep-retired 1s
k=$(kids "$out")
[ "$rc" -eq 0 ] && [ "$k" = "$(fixture_kids)" ]
verdict "past the grace period the retired keys go ($k)"
rm -f "$out"
chmod 775 "$tmp/lib"
run "$bt" fetch-jwks --issuer "$iss" --output "$out"
[ "$rc" -eq 1 ] && [ ! -e "$out" ] && grep -q "0755" "$tmp/err"
verdict "a group-writable output directory is refused" "exit $rc"
chmod 755 "$tmp/lib"

# jwks_file as a symbolic link to the file elsewhere: a sync follows it,
# unchanged (the target's mtime is the sync) or changed (the target is
# replaced atomically), and the link stays a link.
mkdir -m 755 "$tmp/real" || exit 99
real=$tmp/real/jwks.json
lnk=$tmp/lib/link.json
run "$bt" fetch-jwks --issuer "$iss" --output "$real"
[ "$rc" -eq 0 ] && ln -s ../real/jwks.json "$lnk" || exit 99
touch -d "@$(($(date +%s) - 3600))" "$real"
m0=$(stat -c %Y "$real")
run "$bt" fetch-jwks --issuer "$iss" --output "$lnk"
sed 's/^/#   /' "$tmp/err"
[ "$rc" -eq 0 ] && grep -q unchanged "$tmp/out" && [ -L "$lnk" ] &&
    [ "$(stat -c %Y "$real")" -gt "$m0" ]
verdict "unchanged through a symlinked jwks_file: the target's mtime moves" \
    "exit $rc"
printf '{"keys":[]}' >"$real"
run "$bt" fetch-jwks --issuer "$iss" --output "$lnk"
[ "$rc" -eq 0 ] && grep -q written "$tmp/out" && [ -L "$lnk" ] &&
    [ "$(kids "$real")" = "$(fixture_kids)" ]
verdict "changed through a symlinked jwks_file: the target replaced" "exit $rc"
# A file others can write is neither touched nor replaced; the message
# says what to fix.
chmod 664 "$real"
run "$bt" fetch-jwks --issuer "$iss" --output "$lnk"
expect "a group-writable target: exit 1, what to fix" 1 \
    "writable by no one else (owner $(id -u), mode 0664)" err
chmod 644 "$real"
# The link's own directory counts: the module would refuse it too.
chmod 775 "$tmp/lib"
run "$bt" fetch-jwks --issuer "$iss" --output "$lnk"
[ "$rc" -eq 1 ] && grep -q "directory $tmp/lib (owner $(id -u), mode 0775)" \
    "$tmp/err"
verdict "a link in a group-writable directory is refused" "exit $rc"
chmod 755 "$tmp/lib"

# A set at its limits: 256 retired keys in the old file and the IdP's keys
# do not fit the 256 keys the module loads; the longest retired go first,
# the IdP's keys are written.
many=$tmp/lib/many.json
node -e '
const c = require("crypto"), now = Math.floor(Date.now() / 1000), keys = [];
for (let i = 0; i < 256; i++) {
	const k = c.generateKeyPairSync("ed25519").publicKey.export(
	    { format: "jwk" });
	k.kid = "old-" + i;
	k["x-pam-bearer-retired-at"] = now - 60 - i;
	keys.push(k);
}
process.stdout.write(JSON.stringify({ keys }));' >"$many" || exit 99
n_idp=$(fixture_kids | wc -w)
has_idp_kids() {
	for f in $(fixture_kids); do
		printf '%s' "$1" | grep -qF "$f" || return 1
	done
}
run "$bt" fetch-jwks --issuer "$iss" --output "$many" --keep-retired 1h
sed 's/^/#   /' "$tmp/err"
k=$(kids "$many")
[ "$rc" -eq 0 ] && [ "$(printf '%s' "$k" | wc -w)" -eq 256 ] &&
    grep -q "$n_idp retired keys dropped before their time" "$tmp/out" &&
    printf '%s' "$k" | grep -q '"kid":"old-0"' &&
    ! printf '%s' "$k" | grep -q '"kid":"old-255"' && has_idp_kids "$k"
verdict "256 retired keys and a rotation: the oldest go, the IdP's in" \
    "exit $rc"

# Keys without kid pile up over rotations, and a token without kid is tried
# with 8 keys at most: past that the longest retired kid-less keys go.
nkm=$tmp/lib/nokid-many.json
node -e '
const c = require("crypto"), now = Math.floor(Date.now() / 1000), keys = [];
for (let i = 0; i < 10; i++) {
	const k = c.generateKeyPairSync("ed25519").publicKey.export(
	    { format: "jwk" });
	k["x-pam-bearer-retired-at"] = now - 60 - i;
	keys.push(k);
}
process.stdout.write(JSON.stringify({ keys }));' >"$nkm" || exit 99
oldest_x=$(node -e 'const s = JSON.parse(require("fs").readFileSync(
    process.argv[1])); process.stdout.write(s.keys[9].x)' "$nkm") || exit 99
fault '{"endpoint":"jwks","mode":"nokid-jwks","count":1}'
run "$bt" fetch-jwks --issuer "$iss" --output "$nkm" --keep-retired 1h
sed 's/^/#   /' "$tmp/err"
[ "$rc" -eq 0 ] && [ "$(grep -o '"kty"' "$nkm" | wc -l)" -eq 8 ] &&
    grep -q "tried with at most 8 keys" "$tmp/out" &&
    ! grep -qF "$oldest_x" "$nkm"
verdict "kid-less keys: at most 8 kept, the longest retired go" "exit $rc"

# Several issuers (pam_bearer.conf(5), issuers_dir): a people IdP and a
# CI-like issuer, the fixture started twice with its own keys each.
# fetch-jwks with no --issuer refreshes each issuer's own file; verify
# chooses by the token's iss as the module does, and never with another
# issuer's keys.
fixture_token() {
	curl -sS --max-time 10 -d client_id=bearer-cli -d 'scope=openid ssh' \
	    "$1/device/auth" >"$tmp/da.json" || exit 99
	dc=$(sed -n 's/.*"device_code":"\([^"]*\)".*/\1/p' "$tmp/da.json")
	curl -sS --max-time 10 -o /dev/null -H 'content-type: application/json' \
	    --data '{}' "$2/approve" || exit 99
	curl -sS --max-time 10 -d client_id=bearer-cli -d "device_code=$dc" \
	    -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
	    "$1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
idp_start ppl --issuer-path /people
idp_start ci --issuer-path /ci
idp_ready ppl
idp_ready ci
iss_p=$(idp_field ppl issuer)
iss_c=$(idp_field ci issuer)
m=$tmp/multi
mkdir -m 755 "$m" "$m/d" || exit 99
printf 'issuer = %s\naudience = ssh\njwks_file = %s/people.json\n' \
    "$iss_p" "$m" >"$m/d/10-people.conf"
printf 'issuer = %s\naudience = ssh\njwks_file = %s/ci.json\n' "$iss_c" \
    "$m" >"$m/d/20-ci.conf"
printf 'issuers_dir = %s/d\n' "$m" >"$m/pam_bearer.conf"
run "$bt" fetch-jwks --config "$m/pam_bearer.conf"
sed 's/^/#   /' "$tmp/err"
kp=$(kids "$m/people.json")
kc=$(kids "$m/ci.json")
[ "$rc" -eq 0 ] && [ -n "$kp" ] && [ -n "$kc" ] && [ "$kp" != "$kc" ] &&
    [ "$kp" = "$(curl -sS --max-time 10 "$iss_p/jwks" |
    grep -o '"kid":"[^"]*"' | sort | tr '\n' ' ')" ]
verdict "fetch-jwks with no --issuer refreshes every issuer's file" \
    "exit $rc"
run "$bt" fetch-jwks --config "$m/pam_bearer.conf" --output "$m/x.json"
expect "fetch-jwks: --output with several issuers needs --issuer" 2 \
    "need --issuer" err
tp=$(fixture_token "$iss_p" "$(idp_field ppl control)")
tc=$(fixture_token "$iss_c" "$(idp_field ci control)")
[ -n "$tp" ] && [ -n "$tc" ] || exit 99
runin "$tp" "$bt" verify --config "$m/pam_bearer.conf" -
expect "verify: the people IdP's token picks its file" 0 "10-people.conf" \
    err
runin "$tc" "$bt" verify --config "$m/pam_bearer.conf" -
expect "verify: the CI issuer's token picks its file" 0 "20-ci.conf" err
# The CI issuer's file pointing at the people IdP's keys: refused.
printf 'issuer = %s\naudience = ssh\njwks_file = %s/people.json\n' \
    "$iss_c" "$m" >"$m/d/20-ci.conf"
runin "$tc" "$bt" verify --config "$m/pam_bearer.conf" -
expect "verify: a token is never checked with another issuer's keys" 1
rm "$m/d/20-ci.conf" && printf 'issuer = %s\naudience = ssh\n' \
    "https://other.example" >"$m/d/30-other.conf" || exit 99
runin "$tc" "$bt" verify --config "$m/pam_bearer.conf" -
expect "verify: no configuration for the token's issuer" 1 \
    "no configuration for issuer '$iss_c'" err
idp_stop ppl
idp_stop ci

# The systemd units.
if command -v systemd-analyze >/dev/null 2>&1 &&
    [ -n "${PB_HELPER_BUILD:-}" ] && [ -n "${PB_HELPER_SRC:-}" ]; then
	mkdir "$tmp/units" || exit 99
	sed "s|^ExecStart=.*|ExecStart=$bt fetch-jwks|" \
	    "$PB_HELPER_BUILD/pam-bearer-jwks.service" \
	    >"$tmp/units/pam-bearer-jwks.service" || exit 99
	cp "$PB_HELPER_SRC/pam-bearer-jwks.timer" "$tmp/units/" || exit 99
	run systemd-analyze verify --man=no \
	    "$tmp/units/pam-bearer-jwks.service" \
	    "$tmp/units/pam-bearer-jwks.timer"
	sed 's/^/#   /' "$tmp/err"
	[ "$rc" -eq 0 ] && ! grep -q "pam-bearer-jwks" "$tmp/err"
	verdict "systemd-analyze verify: the units are clean" "exit $rc"
else
	ok "systemd-analyze verify # SKIP no systemd-analyze"
fi
tl_done
