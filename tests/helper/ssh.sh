#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# ssh.sh: SSH login end to end (DESIGN.md section 4, sshd).  A real sshd on
# a free port of 127.0.0.1, with its own host key and configuration, PAM
# service "pbtest-sshd-PID" (sshd names its PAM service after its program
# name, so it runs through a link of that name) whose auth stack is the
# built pam_bearer.so; the IdP fixture issues tokens for the local user
# root; the client is "bearer-token ssh", fed by bearer-askpass from a
# private gnome-keyring session.  Checks:
#   - login, then "bearer-token ssh root@127.0.0.1 CMD" runs CMD, and
#     sshd's log says keyboard-interactive/pam accepted it;
#   - the same with a token over 2,500 bytes (the fixture's fat_groups),
#     which goes in parts;
#   - refused: a token for another user, a token with another audience, an
#     expired token (given by a fixed askpass, since bearer-token would
#     refresh it).
# Needs root (sshd, /etc/pam.d), /usr/sbin/sshd (openssh-server), ssh,
# ssh-keygen, node and the fixture, dbus and gnome-keyring; exits 77
# (skip) without them.  Removes its PAM service file and stops every
# process it started (/run/sshd, sshd's privilege separation directory,
# is made when missing and left).
#
# Environment: PB_BEARER_TOKEN (the built front), PB_PAM_MODULE (the built
# pam_bearer.so), PB_IDP_DIR; PB_KEEP_LOG=1 keeps the temp dir.
set -u

tl_name=ssh.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"

if [ "${1:-}" != --on-bus ]; then
	: "${PB_BEARER_TOKEN:?ssh.sh: set PB_BEARER_TOKEN}"
	: "${PB_PAM_MODULE:?ssh.sh: set PB_PAM_MODULE}"
	[ "$(id -u)" -eq 0 ] || tl_skip "not root (sshd and /etc/pam.d)"
	[ -x /usr/sbin/sshd ] ||
	    tl_skip "no /usr/sbin/sshd (apt-get install openssh-server)"
	tl_need_idp
	tl_need_tools "apt-get install openssh-client" ssh ssh-keygen
	tl_need_tools "apt-get install dbus gnome-keyring" \
	    dbus-run-session dbus-send gnome-keyring-daemon
	tl_need_tools "apt-get install curl" curl
	[ -f "$PB_PAM_MODULE" ] || { echo "ssh.sh: no $PB_PAM_MODULE" >&2
	    exit 99; }
	# sshd is not built with ASan, so it cannot load a module that is.
	if ldd "$PB_PAM_MODULE" 2>/dev/null | grep -q 'libasan\|libubsan'; then
		tl_skip "the module is a sanitizer build, which sshd cannot load"
	fi
	tl_mktemp pb-ssh
	tl_isolate
	PB_SSH_TMP=$tmp PB_IDP_DIR=$tl_idp
	export PB_SSH_TMP PB_IDP_DIR
	tl_on_bus
	exit $?
fi

tl_adopt "$PB_SSH_TMP"
tl_need_idp
bt=$PB_BEARER_TOKEN
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY BEARER_TOKEN_PROFILE SSH_AUTH_SOCK
umask 022
service=pbtest-sshd-$$
pamfile=/etc/pam.d/$service
trap 'rm -f "$pamfile"; tl_cleanup' EXIT
trap 'exit 129' HUP

idp_start idp --config '{"interval":1,"auto_approve":"approve","username":"root"}'
keyring_start
idp_ready idp
iss=$(idp_field idp issuer)
control=$(idp_field idp control)
echo "# fixture at $iss"

# ctl ROUTE JSON: POST to the control API.
ctl() {
	curl -sS --max-time 10 -o /dev/null -H 'content-type: application/json' \
	    --data "$2" "$control/$1" || exit 99
}

# --- the server side ---------------------------------------------------------
srv=$tmp/srv
mkdir -m 755 "$srv" || exit 99
curl -sS --max-time 10 -o "$srv/jwks.json" "$iss/jwks" || exit 99
# leeway 0: the expired-token check need not wait out the default leeway
# (fixture and sshd share this clock).
cat >"$srv/pam_bearer.conf" <<CONF
issuer = $iss
audience = ssh
jwks_file = $srv/jwks.json
leeway = 0
# The test logs in as root, which deny_users refuses by default.
deny_users =
# The fixture binds tokens (DPoP): the login proof names the host the
# client reaches, 127.0.0.1 here.
host_names = 127.0.0.1
CONF
[ -s "$srv/pam_bearer.conf" ] || exit 99
cat >"$pamfile" <<PAM
# ssh.sh test service, removed when the test ends
auth     sufficient $PB_PAM_MODULE config=$srv/pam_bearer.conf
auth     required   pam_deny.so
account  required   pam_permit.so
session  required   pam_permit.so
password required   pam_deny.so
PAM
[ -s "$pamfile" ] || exit 99
port=$(node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port);
    s.close(); });') || exit 99
ssh-keygen -q -t ed25519 -N '' -f "$srv/hostkey" || exit 99
cat >"$srv/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $srv/hostkey
PidFile $srv/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
PermitRootLogin yes
AuthenticationMethods keyboard-interactive
StrictModes no
LogLevel VERBOSE
CONF
[ -s "$srv/sshd_config" ] || exit 99
mkdir -p /run/sshd	# sshd's privilege separation directory
ln -s /usr/sbin/sshd "$srv/$service" || exit 99
"$srv/$service" -D -e -f "$srv/sshd_config" 2>"$srv/sshd.log" &
tl_track $!
sshd_pid=$!
i=0
while ! grep -q "Server listening on 127.0.0.1 port $port" "$srv/sshd.log"; do
	if ! kill -0 "$sshd_pid" 2>/dev/null || [ $i -ge 100 ]; then
		echo "ssh.sh: sshd did not start:" >&2
		cat "$srv/sshd.log" >&2
		exit 99
	fi
	sleep 0.1
	i=$((i + 1))
done
echo "# sshd (PAM service $service) on 127.0.0.1:$port"

# --- the client side ---------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/bearer-token" || exit 99
{
	for p in default alice aud; do
		printf '[profile %s]\nissuer = %s\n' "$p" "$iss"
		printf 'client_id = bearer-cli\nscope = openid offline_access ssh\n\n'
	done
} >"$XDG_CONFIG_HOME/bearer-token/config"
sshopts="-F /dev/null -p $port -o StrictHostKeyChecking=no
    -o UserKnownHostsFile=/dev/null -o NumberOfPasswordPrompts=1
    -o LogLevel=ERROR"

accepted() {
	grep -c "Accepted keyboard-interactive/pam for root from 127.0.0.1" \
	    "$srv/sshd.log"
}

# try WHAT PROFILE: "bearer-token ssh" as root with PROFILE's token.
try() {
	# shellcheck disable=SC2086 # $sshopts is a word list
	run env BEARER_TOKEN_PROFILE="$2" "$bt" ssh $sshopts root@127.0.0.1 \
	    echo pb-ssh-ok
}

run "$bt" login
expect "bearer-token login (the fixture approves as root)" 0
a0=$(accepted)
try "token for root" default
[ "$rc" -eq 0 ] && grep -qx pb-ssh-ok "$tmp/out" &&
    [ "$(accepted)" -eq $((a0 + 1)) ]
verdict "bearer-token ssh root@127.0.0.1 runs the command; sshd: keyboard-interactive/pam accepted" "exit $rc"

ctl config '{"fat_groups":true}'
run "$bt" get --min-ttl 86400
len=$(wc -c <"$tmp/out")
[ "$rc" -eq 0 ] && [ "$len" -gt 2501 ]
verdict "a refreshed token with fat groups is over 2,500 bytes ($len)"
a0=$(accepted)
try "fat token" default
[ "$rc" -eq 0 ] && grep -qx pb-ssh-ok "$tmp/out" &&
    [ "$(accepted)" -eq $((a0 + 1)) ]
verdict "the same with the long token (over OpenSSH's 1023 bytes: only in parts)" "exit $rc"
# bearer-askpass itself: parts that add up to the token, and no token for
# a prompt that is not pam_bearer's.
ap=$(dirname "$bt")/bearer-askpass
run "$bt" get
cp "$tmp/out" "$srv/fat.jwt"
tr -d '\n' <"$srv/fat.jwt" >"$srv/fat.raw"
: >"$srv/joined"
off=0
parts=0
badlen=0
prompt="(root@127.0.0.1) Bearer token: "
while [ "$parts" -lt 20 ]; do
	run "$ap" "$prompt"
	[ "$rc" -eq 0 ] || break
	parts=$((parts + 1))
	line=$(cat "$tmp/out")
	case $line in
	*\\) [ "${#line}" -eq 1001 ] || badlen=$((badlen + 1))
	     printf '%s' "${line%\\}" >>"$srv/joined"
	     off=$((off + ${#line} - 1))
	     prompt="(root@127.0.0.1) Bearer token (continued at byte $off): " ;;
	*) [ "${#line}" -le 1000 ] || badlen=$((badlen + 1))
	   printf '%s' "$line" >>"$srv/joined"
	   break ;;
	esac
done
rawlen=$(wc -c <"$srv/fat.raw")
[ "$parts" -eq $(((rawlen + 999) / 1000)) ] && [ "$badlen" -eq 0 ] &&
    cmp -s "$srv/joined" "$srv/fat.raw"
verdict "bearer-askpass: $parts parts of at most 1000 bytes, ending in '\\' while more follow, make the token"
run setsid env -u BEARER_TOKEN_ASKPASS_FALLBACK "$ap" "root@127.0.0.1's password: " </dev/null
[ "$rc" -ne 0 ] && [ ! -s "$tmp/out" ]
verdict "bearer-askpass: another prompt, no terminal: fails, prints nothing" "exit $rc"
run env BEARER_TOKEN_ASKPASS_FALLBACK=/bin/echo "$ap" "Enter passphrase: "
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "Enter passphrase: " ]
verdict "bearer-askpass: another prompt goes to the fallback, never the token"
ctl config '{"fat_groups":false}'

failed() {
	grep -c "Failed keyboard-interactive/pam for root from 127.0.0.1" \
	    "$srv/sshd.log"
}
# refused: ssh failed, nothing ran, and sshd says the module said no.
refused() {
	[ "$rc" -ne 0 ] && ! grep -q pb-ssh-ok "$tmp/out" &&
	    [ "$(accepted)" -eq "$a0" ] && [ "$(failed)" -gt "$f0" ]
}

ctl config '{"username":"alice"}'
run env BEARER_TOKEN_PROFILE=alice "$bt" login
expect "login of profile alice (a token for alice)" 0
a0=$(accepted)
f0=$(failed)
try "token for alice" alice
refused
verdict "refused: a token for another user" "exit $rc"

ctl config '{"username":"root","audience":"not-ssh"}'
run env BEARER_TOKEN_PROFILE=aud "$bt" login
expect "login of profile aud (audience not-ssh)" 0
a0=$(accepted)
f0=$(failed)
try "wrong audience" aud
refused
verdict "refused: a token with another audience" "exit $rc"

ctl config '{"audience":"ssh","access_ttl":2}'
run "$bt" get --min-ttl 86400
cp "$tmp/out" "$srv/expired.jwt"
exp=$(sed 's/^[^.]*\.\([^.]*\)\..*/\1/' "$srv/expired.jwt" |
    tr '_-' '/+' | base64 -d 2>/dev/null | sed -n 's/.*"exp":\([0-9]*\).*/\1/p')
while [ -n "$exp" ] && [ "$(date +%s)" -lt $((exp + 1)) ]; do
	sleep 0.2
done
cat >"$srv/fixed-askpass" <<ASK
#!/bin/sh
case \$1 in
*"Bearer token"*) cat "$srv/expired.jwt" ;;
*) exit 1 ;;
esac
ASK
chmod 755 "$srv/fixed-askpass"
a0=$(accepted)
f0=$(failed)
# shellcheck disable=SC2086 # $sshopts is a word list
run env SSH_ASKPASS="$srv/fixed-askpass" SSH_ASKPASS_REQUIRE=force ssh $sshopts \
    -o PreferredAuthentications=keyboard-interactive root@127.0.0.1 \
    echo pb-ssh-ok
[ -n "$exp" ] && refused
verdict "refused: an expired token (exp $exp)" "exit $rc"
grep -E "Failed keyboard-interactive/pam|authentication failure|Failed" \
    "$srv/sshd.log" | sed 's/^/# sshd: /' | tail -n 5
tl_done
