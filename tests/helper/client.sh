#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# client.sh: what a user of bearer-token meets outside the happy desktop
# path, against the real IdP fixture (tests/idp/server.js), file store (no
# Secret Service needed):
#   - no XDG_RUNTIME_DIR (su -, cron, containers): the access token is
#     cached in the state directory (said once), two gets make one refresh,
#     askpass answers a long token's continuation prompts from that cache,
#     and the cache keeps the trust rules (mode, owner, no symlink);
#   - status --json: refresh_token and dpop are JSON booleans;
#   - login when the IdP goes away while it polls: exit 5, "unreachable";
#   - login at an IdP whose discovery lists no device flow: the grant
#     types it offers, no advice to change the client.
# Run by "make check" from tests/helper; by hand:
#
#   PB_BEARER_TOKEN=/abs/helper/bearer-token PB_IDP_DIR=/abs/tests/idp \
#   sh client.sh
#
# Exit 0 when all checks pass, 1 otherwise, 77 (skip) without node, the
# fixture's node_modules or curl, 99 when the setup is broken.
set -u

tl_name=client.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"

: "${PB_BEARER_TOKEN:?client.sh: set PB_BEARER_TOKEN to the built bearer-token}"
tl_need_idp
tl_need_tools "apt-get install curl" curl
for f in "$PB_BEARER_TOKEN" "$PB_BEARER_TOKEN-net"; do
	if [ ! -x "$f" ]; then
		echo "client.sh: $f is not built" >&2
		exit 99
	fi
done
bt=$PB_BEARER_TOKEN
ap=$(dirname "$bt")/bearer-askpass
tl_mktemp pb-client
tl_isolate
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY BEARER_TOKEN_PROFILE BEARER_TOKEN_SSH_RUN \
    BEARER_TOKEN_SSH_TARGET BEARER_TOKEN_SSH_FRESH

idp_start idp --config '{"interval":1,"auto_approve":"approve"}'
# The one that goes away while login polls: no approval, a short code.
idp_start gone --config '{"interval":1,"device_ttl":8}'
idp_ready idp
idp_ready gone
iss=$(idp_field idp issuer)
gone_iss=$(idp_field gone issuer)
gone_ctl=$(idp_field gone control)
control=$(idp_field idp control)
echo "# fixtures at $iss and $gone_iss"

# nort CMD...: CMD without XDG_RUNTIME_DIR, as under su - or cron.
nort() {
	env -u XDG_RUNTIME_DIR "$@"
}
# refreshes: how many refresh_token grants the fixture has answered.
refreshes() {
	ctl GET counters
	sed -n 's/.*"token_refresh_token":\([0-9]*\).*/\1/p' "$tmp/ctl.json"
}

cfg=$XDG_CONFIG_HOME/bearer-token/config
mkdir -m 700 "$XDG_CONFIG_HOME/bearer-token" || exit 99
for p in nr nr2 nodev gone kra krb krc qr; do
	i=$iss
	[ "$p" = gone ] && i=$gone_iss
	printf '[profile %s]\nissuer = %s\nclient_id = bearer-cli\n' "$p" "$i"
	printf 'timeout = 3\n'
	case $p in
	kr*) printf 'store = auto\n\n' ;;
	*) printf 'store = file\n\n' ;;
	esac
done >"$cfg"
disk=$XDG_STATE_HOME/bearer-token/cache
uid=$(id -u)
if [ -d "/run/user/$uid" ] && [ -O "/run/user/$uid" ]; then
	# The helper would use pam_systemd's directory, rightly.
	tl_skip "/run/user/$uid exists: cannot test a missing runtime dir"
fi

# --- 1. no XDG_RUNTIME_DIR: the cache on disk, one refresh --------------
# Logged in from a desktop session; then a cron job without the runtime
# directory gets a token twice.
run "$bt" login --profile nr --no-qr
expect "login (with XDG_RUNTIME_DIR)" 0
r0=$(refreshes)
run nort "$bt" get --profile nr
expect "get without XDG_RUNTIME_DIR exits 0" 0
cp "$tmp/out" "$tmp/g1.tok"
cp "$tmp/err" "$tmp/g1.err"
run nort "$bt" get --profile nr
expect "a second get without XDG_RUNTIME_DIR exits 0" 0
cp "$tmp/err" "$tmp/g2.err"
r1=$(refreshes)
[ $((r1 - r0)) -eq 1 ] && cmp -s "$tmp/out" "$tmp/g1.tok"
verdict "two gets without XDG_RUNTIME_DIR: one refresh, the same token" \
    "refreshes: $((r1 - r0))"
# (No command substitution in verdict's arguments: it would reset $?.)
grep -qF "no XDG_RUNTIME_DIR: caching the access token in" "$tmp/g1.err" &&
    grep -qF "on disk" "$tmp/g1.err"
verdict "the first get says the cache is on disk"
[ ! -s "$tmp/g2.err" ]
verdict "the second get says nothing"
run nort "$bt" login --profile nr2 --no-qr
expect "a login of another profile without XDG_RUNTIME_DIR" 0
! grep -qF "caching the access token" "$tmp/err"
verdict "... does not say it again (once per user)"
modes=$(stat -c %a "$disk" "$disk/nr.cache" 2>&1 | tr '\n' ' ')
[ "$modes" = "700 600 " ]
verdict "the on-disk cache: directory 0700, file 0600" "$modes"
[ ! -e "$XDG_RUNTIME_DIR/bearer-token/nr2.cache" ]
verdict "nothing in the runtime directory for a login without it"
[ -e "$disk/nr2.cache" ] || nok "the login without it cached on disk"
run "$bt" logout --profile nr2
[ "$rc" -eq 0 ] && [ ! -e "$disk/nr2.cache" ]
verdict "logout with XDG_RUNTIME_DIR also removes the on-disk cache" \
    "exit $rc"
# The desktop session still has its own cache, and shares the lock.
run "$bt" get --profile nr
expect "get with XDG_RUNTIME_DIR still works" 0
[ ! -e "$disk/nr.lock" ] && [ -e "$XDG_STATE_HOME/bearer-token/nr.lock" ]
verdict "one lock for both, in the state directory"

# "su alice" keeps the caller's XDG_RUNTIME_DIR, which is not alice's:
# not a 0700 directory of ours, so it counts as unset (XDG spec).
mkdir -m 755 "$tmp/other-run" || exit 99
r0=$(refreshes)
run env XDG_RUNTIME_DIR="$tmp/other-run" "$bt" get --profile nr
run env XDG_RUNTIME_DIR="$tmp/other-run" "$bt" get --profile nr
r1=$(refreshes)
[ "$rc" -eq 0 ] && [ "$r1" -eq "$r0" ] && [ ! -s "$tmp/err" ] &&
    [ ! -e "$tmp/other-run/bearer-token" ]
verdict "an XDG_RUNTIME_DIR not ours (0755): the disk cache, quietly" \
    "exit $rc, refreshes $((r1 - r0))"

# --- 2. askpass answers a long token's continuations from the disk cache
ctl POST config '{"fat_groups":true}'
run nort "$bt" get --profile nr --min-ttl 86400
tr -d '\n' <"$tmp/out" >"$tmp/fat.raw"
len=$(wc -c <"$tmp/fat.raw")
[ "$rc" -eq 0 ] && [ "$len" -gt 2500 ]
verdict "a refreshed long token without XDG_RUNTIME_DIR ($len bytes)" \
    "exit $rc"
r0=$(refreshes)
: >"$tmp/joined"
prompt="(alice@h) Bearer token: "
parts=0
while [ "$parts" -lt 20 ]; do
	run nort env BEARER_TOKEN_PROFILE=nr BEARER_TOKEN_SSH_RUN=run1 \
	    "$ap" "$prompt"
	[ "$rc" -eq 0 ] || break
	parts=$((parts + 1))
	line=$(cat "$tmp/out")
	case $line in
	*\\) printf '%s' "${line%\\}" >>"$tmp/joined"
	     off=$(wc -c <"$tmp/joined")
	     prompt="(alice@h) Bearer token (continued at byte $off): " ;;
	*) printf '%s' "$line" >>"$tmp/joined"
	   break ;;
	esac
done
r1=$(refreshes)
[ "$parts" -ge 3 ] && cmp -s "$tmp/joined" "$tmp/fat.raw" &&
    [ "$r1" -eq "$r0" ]
verdict "askpass without XDG_RUNTIME_DIR: $parts parts make the token, no refresh" \
    "exit $rc, refreshes $((r1 - r0))"
ctl POST config '{"fat_groups":false}'

# --- 3. the on-disk cache keeps the trust rules ---------------------------
chmod 755 "$disk"
run nort "$bt" get --profile nr
[ "$rc" -eq 0 ] && grep -qF "must be owned by uid" "$tmp/err" &&
    grep -qF "0700" "$tmp/err"
verdict "a 0755 cache directory is refused, with the fix (get still works)" \
    "exit $rc"
chmod 700 "$disk"
chmod 644 "$disk/nr.cache"
r0=$(refreshes)
run nort "$bt" get --profile nr
r1=$(refreshes)
[ "$rc" -eq 0 ] && [ "$r1" -eq $((r0 + 1)) ] &&
    grep -qF "0600" "$tmp/err"
verdict "a 0644 cache file is not used (a refresh, and why)" \
    "exit $rc, refreshes $((r1 - r0))"
rm -f "$disk/nr.cache"
mv "$disk" "$disk.real"
ln -s "$disk.real" "$disk"
r0=$(refreshes)
run nort "$bt" get --profile nr
r1=$(refreshes)
[ "$rc" -eq 0 ] && [ ! -e "$disk.real/nr.cache" ]
verdict "a symlinked cache directory is not used" "exit $rc"
rm -f "$disk"
mv "$disk.real" "$disk"

# --- 4. status --json: booleans -------------------------------------------
run "$bt" status --profile nr --json
expect "status --json exits 0" 0
grep -qF '"refresh_token":true' "$tmp/out" &&
    grep -qE '"dpop":(true|false)' "$tmp/out"
verdict "status --json: refresh_token and dpop are JSON booleans"

# --- 5. an IdP without the device flow ---------------------------------
ctl POST config '{"device_flow":false}'
run "$bt" login --profile nodev --no-qr
expect "login at an IdP without the device flow: exit 3" 3 \
    "offers no device flow" err
expect "... names what discovery lacks" 3 \
    "lists no device_authorization_endpoint" err
grep -qF "(grant_types_supported): " "$tmp/err" &&
    grep -qF "authorization_code" "$tmp/err"
verdict "... lists the grant types it offers"
! grep -qF "device_code" "$tmp/err" && ! grep -qF "for client" "$tmp/err" &&
    ! grep -qF -- "--browser" "$tmp/err"
verdict "... and gives no advice about the client, nor a flag that does not \
exist"
ctl POST config '{"device_flow":true}'

# --- 6. the IdP goes away while login polls -----------------------------
# The fixture issues the code, answers the first poll, then stops; login
# keeps polling (backing off) until the code expires, then exits 5.
"$bt" login --profile gone --no-qr >"$tmp/gone.out" 2>"$tmp/gone.err" &
lpid=$!
tl_track "$lpid"
i=0
control=$gone_ctl
until ctl GET polls && grep -q '[0-9]' "$tmp/ctl.json"; do
	[ $i -lt 100 ] || break
	sleep 0.1
	i=$((i + 1))
done
control=$(idp_field idp control)
idp_stop gone
wait "$lpid"
rc=$?
tl_untrack "$lpid"
cp "$tmp/gone.err" "$tmp/err"
: >"$tmp/out"
expect "login when the IdP stops answering mid-poll: exit 5" 5 \
    "IdP unreachable" err
! grep -qF "not approved in time" "$tmp/err" && grep -qF "retrying" "$tmp/err"
verdict "... said it retried, and not 'not approved in time'"

# --- 7. the Secret Service: absent, without a usable keyring, locked -----
# kr_login MODE PROFILE: login on a private bus whose gnome-keyring runs
# without a login keyring (nokeyring) or with its login keyring locked
# (locked); or login, lock the keyring, then a get that must refresh
# (lockedget); output in $tmp/out and $tmp/err, status in $rc.
kr_login() {
	rm -rf "$XDG_DATA_HOME/keyrings"
	cat >"$tmp/kr.sh" <<-'EOS'
	if [ "$1" != nokeyring ]; then
		echo client-test | gnome-keyring-daemon --foreground \
		    --components=secrets --unlock >/dev/null 2>&1 &
	else
		gnome-keyring-daemon --foreground --components=secrets \
		    >/dev/null 2>&1 &
	fi
	gk=$!
	i=0
	until dbus-send --session --print-reply --dest=org.freedesktop.DBus \
	    / org.freedesktop.DBus.ListNames 2>/dev/null |
	    grep -q '"org.freedesktop.secrets"'; do
		[ $i -lt 100 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	case $1 in
	locked) secret-tool store --label=x k v <<EOP ||
	x
	EOP
		echo "kr.sh: cannot store in the fresh keyring" >&2 ;;
	lockedget) "$2" login --profile "$3" --no-qr 2>/dev/null ||
		echo "kr.sh: login failed" >&2 ;;
	esac
	[ "$1" = nokeyring ] || dbus-send --session --print-reply \
	    --dest=org.freedesktop.secrets /org/freedesktop/secrets \
	    org.freedesktop.Secret.Service.Lock \
	    array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
	if [ "$1" = lockedget ]; then
		"$2" get --profile "$3" --min-ttl 86400 >/dev/null
	else
		"$2" login --profile "$3" --no-qr
	fi
	rc=$?
	kill "$gk"
	wait "$gk"
	exit $rc
	EOS
	run dbus-run-session -- sh "$tmp/kr.sh" "$1" "$bt" "$2"
}
if command -v dbus-run-session >/dev/null 2>&1 &&
    command -v gnome-keyring-daemon >/dev/null 2>&1 &&
    command -v secret-tool >/dev/null 2>&1; then
	run "$bt" login --profile krc --no-qr
	expect "store = auto, no session bus: login uses the file" 0 \
	    "no Secret Service found" err
	expect "... and says how to use a keyring" 0 "start one" err
	kr_login nokeyring kra
	expect "a Secret Service without a login keyring: login uses the file" \
	    0 "default keyring is missing or locked" err
	! grep -qF "no Secret Service found" "$tmp/err" &&
	    grep -qF "gnome-keyring-daemon --replace --unlock" "$tmp/err"
	verdict "... not 'no Secret Service found', and says how to unlock it"
	kr_login locked krb
	[ "$rc" -ne 0 ] && grep -qF "the keyring is locked and was not unlocked" \
	    "$tmp/err" && ! grep -qF "no Secret Service found" "$tmp/err"
	verdict "a locked login keyring: login fails, says it is locked and \
how to unlock it" "exit $rc"
	kr_login lockedget krb
	[ "$rc" -ne 0 ] && grep -qF "the keyring is locked and was not unlocked" \
	    "$tmp/err" && ! grep -qF "no token stored" "$tmp/err" &&
	    ! grep -qF "login" "$tmp/err"
	verdict "a session in a keyring locked since: get says it is locked, \
not 'run login'" "exit $rc"
else
	echo "# no dbus-run-session, gnome-keyring-daemon or secret-tool: \
Secret Service checks skipped"
fi

# --- 8. login on an 80 x 24 terminal (tmux) ------------------------------
# The URL and the code must stay on screen under the QR code; without
# UTF-8 the wide code does not fit and is left out with a note.
# tmux_login LANG: login in a detached 80 x 24 tmux, the screen when it
# waits in $tmp/screen.
tmux_login() {
	tm="tmux -u -S $tmp/tmux.sock"
	$tm new-session -d -x 80 -y 24 env LANG="$1" LC_ALL="$1" TERM=xterm \
	    "$bt" login --profile qr
	i=0
	: >"$tmp/screen"
	until grep -q "Waiting for approval" "$tmp/screen"; do
		[ $i -lt 100 ] || break
		sleep 0.1
		i=$((i + 1))
		$tm capture-pane -p >"$tmp/screen" 2>/dev/null
	done
	$tm kill-server 2>/dev/null
	cp "$tmp/screen" "$tmp/err"
	: >"$tmp/out"
}
if command -v tmux >/dev/null 2>&1; then
	ctl POST config '{"auto_approve":null}'
	tmux_login C.UTF-8
	blocks=$(grep -c '[▀▄█]' "$tmp/screen")
	grep -qF "$iss/device" "$tmp/screen" &&
	    grep -qE "and enter the code:  [A-Z]{4}-[A-Z]{4}" "$tmp/screen" &&
	    grep -qF "Waiting for approval" "$tmp/screen" && [ "$blocks" -ge 15 ]
	verdict "login on 80x24, UTF-8: the QR code ($blocks lines), then the \
URL, the code and the countdown, all on screen"
	cp "$tmp/screen" "$tmp/screen.utf8"
	tmux_login C
	grep -qF "$iss/device" "$tmp/screen" &&
	    grep -qE "and enter the code:  [A-Z]{4}-[A-Z]{4}" "$tmp/screen" &&
	    grep -qF "characters, this terminal is 80x24; UTF-8 halves it)" \
	    "$tmp/screen"
	verdict "login on 80x24, no UTF-8: no QR code, says why; URL and code \
on screen"
	ctl POST config '{"auto_approve":"approve"}'
else
	echo "# no tmux: the 80x24 login check skipped"
fi

tl_done
