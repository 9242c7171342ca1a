#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# ssh.sh: SSH login end to end (DESIGN.md sections 4 and 5, sshd).  A
# real sshd on a free port of 127.0.0.1, with its own host key and
# configuration, PAM service "pbtest-sshd-PID" (sshd names its PAM service
# after its program name, so it runs through a link of that name) whose
# auth stack is the built pam_bearer.so with host_names = 127.0.0.1; the
# IdP fixture issues DPoP-bound tokens for the local user root; the client
# is "bearer-token ssh", fed by bearer-askpass from a private
# gnome-keyring session.  Checks:
#   - a bound login (dpop = yes), then "bearer-token ssh root@127.0.0.1
#     CMD" runs CMD, sshd's log says keyboard-interactive/pam accepted it
#     and the module's that the proof came (by key);
#   - the same with a token over 2,500 bytes (the fixture's fat_groups),
#     which goes in parts, then the proof;
#   - refused: a token for another user, a token with another audience, an
#     expired token (given by a fixed askpass, since bearer-token would
#     refresh it);
#   - a stolen token: a second, "evil" sshd (service "pbtest-evil-PID",
#     the test-only tests/pam/pam_record.so) asks the module's prompts with
#     its own nonce and records the answers; ssh reaches it as evil.example
#     (a ProxyCommand to 127.0.0.1).  The recorded proof names
#     evil.example; replayed at the good sshd with the token, refused
#     (nonce), the token alone refused (proof required); a relay, the good
#     host's nonce signed for evil.example, refused (host name), and the
#     same path signed for 127.0.0.1 accepted;
#   - ssh_hosts = 127.0.0.1: askpass answers evil.example nothing;
#   - require_pop = yes refuses an unbound token (dpop = no) that
#     require_pop = no accepts.
# The module's log lines are read from /dev/log, which this script serves
# (python3) when no syslog daemon does; with one, those checks are left
# out.
# Needs root (sshd, /etc/pam.d), /usr/sbin/sshd (openssh-server), ssh,
# ssh-keygen, node and the fixture, dbus and gnome-keyring; exits 77
# (skip) without them.  Removes its PAM service files (and /dev/log when
# it made it) and stops every process it started (/run/sshd, sshd's
# privilege separation directory, is made when missing and left).
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
evil_service=pbtest-evil-$$
evil_pamfile=/etc/pam.d/$evil_service
trap 'rm -f "$pamfile" "$evil_pamfile"; tl_cleanup' EXIT
trap 'exit 129' HUP

# The evil server's PAM module (tests/pam, built by its make check).
pamb=${PB_PAM_MODULE%/pam/.libs/pam_bearer.so}/tests/pam
recorder=$pamb/.libs/pam_record.so
[ -f "$recorder" ] || make -C "$pamb" pam_record.la >/dev/null 2>&1
[ -f "$recorder" ] || {
	echo "ssh.sh: no $recorder (make -C tests/pam check)" >&2
	exit 99
}
# The module's log lines: sshd's PAM child sends them to /dev/log.  With no
# syslog daemon (a container), a listener made here keeps them in
# $tmp/syslog and /dev/log goes on exit; with one, the checks of the
# module's log lines are left out (said below).
tl_syslog_start
[ "$tl_made_log" = 0 ] ||
    trap 'rm -f "$pamfile" "$evil_pamfile" /dev/log; tl_cleanup' EXIT

idp_start idp --config '{"interval":1,"auto_approve":"approve","username":"root"}'
keyring_start
idp_ready idp
iss=$(idp_field idp issuer)
control=$(idp_field idp control)
echo "# fixture at $iss"


# --- the server side ---------------------------------------------------------
srv=$tmp/srv
mkdir -m 755 "$srv" || exit 99
curl -sS --max-time 10 -o "$srv/jwks.json" "$iss/jwks" || exit 99
# srv_conf LEEWAY [LINE]: the module's configuration (read at every
# login).  Leeway 0 only for the expired-token check, which then need not
# wait out a leeway (fixture and sshd share this clock): a proof's iat
# must also be within it, and a login that crosses a second would fail.
srv_conf() {
	cat >"$srv/pam_bearer.conf" <<CONF
issuer = $iss
audience = ssh
jwks_file = $srv/jwks.json
leeway = $1
# What the client calls this host: ssh's "(root@127.0.0.1)" and ssh -G.
host_names = 127.0.0.1
# The test logs in as root, which deny_users refuses by default.
deny_users =
${2:-}
CONF
	[ -s "$srv/pam_bearer.conf" ] || exit 99
}
srv_conf 5
cat >"$pamfile" <<PAM
# ssh.sh test service, removed when the test ends
auth     sufficient $PB_PAM_MODULE config=$srv/pam_bearer.conf
auth     required   pam_deny.so
account  required   pam_permit.so
session  required   pam_permit.so
password required   pam_deny.so
PAM
[ -s "$pamfile" ] || exit 99
# sshd_up DIR SERVICE [LINES]: a new sshd on a free port of 127.0.0.1, its
# files in DIR, PAM service SERVICE, its log in DIR/sshd.log, LINES first
# in its configuration (sshd takes a keyword's first value); sets up_port.
sshd_up() {
	up_port=$(node -e 'const s = require("net").createServer();
	    s.listen(0, "127.0.0.1", () => { console.log(s.address().port);
	    s.close(); });') || exit 99
	ssh-keygen -q -t ed25519 -N '' -f "$1/hostkey" || exit 99
	cat >"$1/sshd_config" <<CONF
${3:-}
Port $up_port
ListenAddress 127.0.0.1
HostKey $1/hostkey
PidFile $1/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
PermitRootLogin yes
AuthenticationMethods keyboard-interactive
StrictModes no
LogLevel VERBOSE
CONF
	[ -s "$1/sshd_config" ] || exit 99
	mkdir -p /run/sshd	# sshd's privilege separation directory
	ln -s /usr/sbin/sshd "$1/$2" || exit 99
	"$1/$2" -D -e -f "$1/sshd_config" 2>"$1/sshd.log" &
	tl_track $!
	up_pid=$!
	up_i=0
	while ! grep -q "Server listening on 127.0.0.1 port $up_port" \
	    "$1/sshd.log"; do
		if ! kill -0 "$up_pid" 2>/dev/null || [ $up_i -ge 100 ]; then
			echo "ssh.sh: sshd did not start:" >&2
			cat "$1/sshd.log" >&2
			exit 99
		fi
		sleep 0.1
		up_i=$((up_i + 1))
	done
	echo "# sshd (PAM service $2) on 127.0.0.1:$up_port"
}
sshd_up "$srv" "$service"
port=$up_port

# --- the client side ---------------------------------------------------------
# Profiles: default (bound: dpop = yes), alice and aud (refused before
# any proof), unbound (dpop = no), nosess (never logged in).  client_config [SSH_HOSTS]: ssh_hosts
# of the default profile.
client_config() {
	{
		printf '[profile default]\nissuer = %s\ndpop = yes\n' "$iss"
		printf 'client_id = bearer-cli\nscope = openid offline_access ssh\n'
		[ -z "${1:-}" ] || printf 'ssh_hosts = %s\n' "$1"
		printf '\n[profile unbound]\ndpop = no\n'
		printf 'issuer = %s\nclient_id = bearer-cli\n' "$iss"
		printf 'scope = openid offline_access ssh\n\n'
		for p in alice aud nosess; do
			printf '[profile %s]\nissuer = %s\n' "$p" "$iss"
			printf 'client_id = bearer-cli\n'
			printf 'scope = openid offline_access ssh\n\n'
		done
	} >"$XDG_CONFIG_HOME/bearer-token/config"
}
mkdir -p "$XDG_CONFIG_HOME/bearer-token" || exit 99
client_config
# The client's ssh_config: 127.0.0.1 is the good sshd; evil.example (set up
# further down) reaches the evil one on 127.0.0.1 through a ProxyCommand,
# so that ssh, ssh -G and the "(root@evil.example)" prefix name it so.
cat >"$tmp/pipe.js" <<'JS'
const s = require("net").connect(Number(process.argv[2]), "127.0.0.1");
process.stdin.pipe(s);
s.pipe(process.stdout);
s.on("error", () => process.exit(1));
s.on("close", () => process.exit(0));
JS
sshcfg=$tmp/ssh_config
ssh_config() {
	cat >"$sshcfg" <<CONF
Host evil.example
	Port ${evil_port:-1}
	ProxyCommand node $tmp/pipe.js %p
Host *
	Port $port
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	NumberOfPasswordPrompts 1
	LogLevel ERROR
CONF
}
ssh_config
# -n: ssh never reads the terminal the tests may run on (issue 12).
sshopts="-n -F $sshcfg"

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

# modlog: the good sshd's module lines.
modlog() {
	[ "$have_log" = 1 ] || return 0
	grep -a "pam_bearer($service:auth): " "$tmp/syslog"
}
# proved N: the module logged N logins accepted with a proof (or its log
# is not read).
proved() {
	[ "$have_log" = 1 ] || return 0
	[ "$(modlog | grep -c "accepted token for 'root': .*, proof by key '")" \
	    -eq "$1" ]
}
# why TEXT: the module logged TEXT since mark (or its log is not read);
# up to 2 s for the line to reach the listener.
why() {
	[ "$have_log" = 1 ] || return 0
	why_i=0
	until modlog | tail -n +$((m0 + 1)) | grep -qF -- "$1"; do
		[ "$why_i" -lt 20 ] || return 1
		sleep 0.1
		why_i=$((why_i + 1))
	done
}
# mark: counts before a check: accepted (a0), proofs (p0), log lines (m0).
mark() {
	a0=$(accepted)
	p0=0 m0=0
	[ "$have_log" = 1 ] || return 0
	p0=$(modlog | grep -c "accepted token for 'root': .*, proof by key '")
	m0=$(modlog | wc -l)
}

run "$bt" login
expect "bearer-token login (the fixture approves as root)" 0
run "$bt" status
expect "the session is bound (profile dpop = yes)" 0 "bound:         yes" out
mark
try "token for root" default
[ "$rc" -eq 0 ] && grep -qx pb-ssh-ok "$tmp/out" &&
    [ "$(accepted)" -eq $((a0 + 1)) ]
verdict "bearer-token ssh root@127.0.0.1 runs the command; sshd: keyboard-interactive/pam accepted" "exit $rc"
proved $((p0 + 1))
verdict "the module accepted the bound token with its proof (log: proof by \
key)"
! grep -q "ssh -G failed\|askpass" "$tmp/err"
verdict "bearer-token ssh knew TARGET from ssh -G; askpass said nothing"

ctl POST config '{"fat_groups":true}'
run "$bt" get --min-ttl 86400
len=$(wc -c <"$tmp/out")
[ "$rc" -eq 0 ] && [ "$len" -gt 2501 ]
verdict "a refreshed token with fat groups is over 2,500 bytes ($len)"
mark
try "fat token" default
[ "$rc" -eq 0 ] && grep -qx pb-ssh-ok "$tmp/out" &&
    [ "$(accepted)" -eq $((a0 + 1)) ] && proved $((p0 + 1))
verdict "the same with the long token (over OpenSSH's 1023 bytes: in parts, \
then the proof)" "exit $rc"
# su -, cron, containers: no XDG_RUNTIME_DIR, the parts come from the
# access token cache in the state directory.
mark
# shellcheck disable=SC2086 # $sshopts is a word list
run env -u XDG_RUNTIME_DIR BEARER_TOKEN_PROFILE=default "$bt" ssh $sshopts \
    root@127.0.0.1 echo pb-ssh-ok
[ "$rc" -eq 0 ] && grep -qx pb-ssh-ok "$tmp/out" &&
    [ "$(accepted)" -eq $((a0 + 1)) ]
verdict "the long token without XDG_RUNTIME_DIR (cached in the state \
directory)" "exit $rc"
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
	*\\) [ "${#line}" -eq 501 ] || badlen=$((badlen + 1))
	     printf '%s' "${line%\\}" >>"$srv/joined"
	     off=$((off + ${#line} - 1))
	     prompt="(root@127.0.0.1) Bearer token (continued at byte $off): " ;;
	*) [ "${#line}" -le 500 ] || badlen=$((badlen + 1))
	   printf '%s' "$line" >>"$srv/joined"
	   break ;;
	esac
done
rawlen=$(wc -c <"$srv/fat.raw")
[ "$parts" -eq $(((rawlen + 499) / 500)) ] && [ "$badlen" -eq 0 ] &&
    cmp -s "$srv/joined" "$srv/fat.raw"
verdict "bearer-askpass: $parts parts of at most 500 bytes, ending in '\\' while more follow, make the token"
run setsid env -u BEARER_TOKEN_ASKPASS_FALLBACK "$ap" "root@127.0.0.1's password: " </dev/null
[ "$rc" -ne 0 ] && [ ! -s "$tmp/out" ]
verdict "bearer-askpass: another prompt, no terminal: fails, prints nothing" "exit $rc"
run env BEARER_TOKEN_ASKPASS_FALLBACK=/bin/echo "$ap" "Enter passphrase: "
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "Enter passphrase: " ]
verdict "bearer-askpass: another prompt goes to the fallback, never the token"
ctl POST config '{"fat_groups":false}'

failed() {
	grep -c "Failed keyboard-interactive/pam for root from 127.0.0.1" \
	    "$srv/sshd.log"
}
# refused: ssh failed, nothing ran, and sshd says the module said no.
refused() {
	[ "$rc" -ne 0 ] && ! grep -q pb-ssh-ok "$tmp/out" &&
	    [ "$(accepted)" -eq "$a0" ] && [ "$(failed)" -gt "$f0" ]
}

ctl POST config '{"username":"alice"}'
run env BEARER_TOKEN_PROFILE=alice "$bt" login
expect "login of profile alice (a token for alice)" 0
a0=$(accepted)
f0=$(failed)
try "token for alice" alice
refused
verdict "refused: a token for another user" "exit $rc"

ctl POST config '{"username":"root","audience":"not-ssh"}'
run env BEARER_TOKEN_PROFILE=aud "$bt" login
expect "login of profile aud (audience not-ssh)" 0
a0=$(accepted)
f0=$(failed)
try "wrong audience" aud
refused
verdict "refused: a token with another audience" "exit $rc"

# --- refusals a user can act on (issue 12) ----------------------------------
# The fallback askpass records every prompt that askpass hands on (a
# password prompt would reach the terminal so).
cat >"$srv/rec-askpass" <<ASK
#!/bin/sh
printf '%s\n' "\$1" >>"$srv/fallback.log"
exit 1
ASK
chmod 755 "$srv/rec-askpass"
# pam_stack SECOND: the test service with SECOND as its second auth line.
pam_stack() {
	sed -i "s|^auth     required .*|auth     required   $1|" "$pamfile"
	grep -q "^auth     required   $1\$" "$pamfile" || exit 99
}
connections() {
	grep -c "Connection from 127.0.0.1" "$srv/sshd.log"
}
# refuse_run PROFILE [SSH-ARGS]: bearer-token ssh as root with PROFILE,
# ssh's own messages on (LogLevel INFO), prompts for others recorded, and
# ssh's default of three rounds (what bearer-token ssh sets is tested).
sed '/NumberOfPasswordPrompts/d' "$sshcfg" >"$tmp/ssh_config.3" || exit 99
refuse_run() {
	: >"$srv/fallback.log"
	rf_p=$1
	shift
	a0=$(accepted)
	f0=$(failed)
	mark
	run env BEARER_TOKEN_ASKPASS_FALLBACK="$srv/rec-askpass" "$bt" ssh \
	    --profile "$rf_p" -F "$tmp/ssh_config.3" -o LogLevel=INFO "$@" \
	    root@127.0.0.1 echo pb-ssh-ok
}
said() {
	grep -cF -- "$1" "$tmp/err"
}

refuse_run alice
refused && [ "$(failed)" -eq $((f0 + 1)) ] && [ ! -s "$srv/fallback.log" ]
verdict "bearer-token ssh: a refused token ends after one attempt, no \
prompt handed on" "exit $rc"
[ "$(said "Bearer token refused; the server's log says why.")" -eq 1 ] &&
    [ "$(said "if 127.0.0.1 did not log you in with the token")" -eq 1 ] &&
    [ "$(said "Check the session: bearer-token status --profile alice")" \
    -eq 1 ] && [ "$(said "bearer-token verify there")" -eq 1 ]
verdict "and says so: the module's message (ssh), then what to check \
(status, the admin's verify)"
grep -v "^Warning: Permanently added" "$tmp/err" | sed 's/^/# user sees: /'
why "token rejected for 'root': token is for 'alice', not 'root'"
verdict "the module logged the reason, which the user was not shown"

srv_conf 5 "show_reason = yes"
refuse_run aud
refused && [ "$(said "Bearer token refused: aud does not contain 'ssh'")" \
    -eq 1 ]
verdict "show_reason = yes: the user reads the reason (wrong audience)"
srv_conf 5

# A second module that prompts: sshd before 10.3 puts the module's
# message before its prompt, where askpass finds it.
pam_stack "pam_unix.so nodelay"
refuse_run alice
refused && [ "$(failed)" -eq $((f0 + 1)) ] && [ ! -s "$srv/fallback.log" ] &&
    [ "$(said "127.0.0.1 says: Bearer token refused; the server's log says \
why.")" -eq 1 ] && [ "$(said "127.0.0.1 refused the bearer token")" -eq 1 ] &&
    [ "$(said "did not log you in")" -eq 0 ]
verdict "pam_unix below: askpass finds the refusal in 'Password:' and \
answers nothing; no prompt reached the terminal" "exit $rc"
# Plain ssh with bearer-askpass: explained, then as before.
: >"$srv/fallback.log"
# shellcheck disable=SC2086 # $sshopts is a word list
run env BEARER_TOKEN_PROFILE=alice SSH_ASKPASS="$ap" SSH_ASKPASS_REQUIRE=force \
    BEARER_TOKEN_ASKPASS_FALLBACK="$srv/rec-askpass" ssh $sshopts \
    -o PreferredAuthentications=keyboard-interactive root@127.0.0.1 \
    echo pb-ssh-ok
[ "$rc" -ne 0 ] && [ "$(said "127.0.0.1 refused the bearer token")" -eq 1 ] &&
    grep -q "Password: " "$srv/fallback.log"
verdict "plain ssh: askpass explains the refusal, then hands the password \
prompt on as before" "exit $rc"
pam_stack pam_deny.so

# The module's first prompt again after a whole answer: refused.
refuse_run alice -o NumberOfPasswordPrompts=3
refused && [ "$(said "127.0.0.1 refused the bearer token")" -eq 1 ] &&
    [ "$(said "did not log you in")" -eq 0 ] && [ ! -s "$srv/fallback.log" ]
verdict "NumberOfPasswordPrompts=3: the token prompt again means refused; \
said once" "exit $rc"
[ "$have_log" = 0 ] || { why "token rejected" &&
    [ "$(modlog | tail -n +$((m0 + 1)) | grep -c "token rejected")" -eq 1 ]; }
verdict "and the token went out once"

# A host that offers passwords too (Debian's default): after the refused
# token ssh tries "password", whose prompt askpass answers nothing.
pw=$tmp/pw
mkdir -m 755 "$pw" || exit 99
sshd_up "$pw" "$service" "PasswordAuthentication yes
AuthenticationMethods any"
refuse_run alice -p "$up_port"
[ "$rc" -ne 0 ] && [ ! -s "$srv/fallback.log" ] &&
    [ "$(said "127.0.0.1 refused the bearer token")" -eq 1 ] &&
    [ "$(said "did not log you in")" -eq 0 ]
verdict "sshd with passwords too: ssh's password prompt after the refused \
token is not handed on" "exit $rc"

# No session: no connection at all.
c0=$(connections)
refuse_run nosess
[ "$rc" -eq 4 ] && [ "$(connections)" -eq "$c0" ] &&
    [ "$(said "no session, so ssh was not started: run 'bearer-token login \
--profile nosess' first")" -eq 1 ]
verdict "bearer-token ssh with no session: says how to log in, does not \
connect" "exit $rc"

ctl POST config '{"audience":"ssh","access_ttl":2}'
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
srv_conf 0
a0=$(accepted)
f0=$(failed)
# shellcheck disable=SC2086 # $sshopts is a word list
run env SSH_ASKPASS="$srv/fixed-askpass" SSH_ASKPASS_REQUIRE=force ssh $sshopts \
    -o PreferredAuthentications=keyboard-interactive root@127.0.0.1 \
    echo pb-ssh-ok
[ -n "$exp" ] && refused
verdict "refused: an expired token (exp $exp)" "exit $rc"
srv_conf 5
grep -E "Failed keyboard-interactive/pam|authentication failure|Failed" \
    "$srv/sshd.log" | sed 's/^/# sshd: /' | tail -n 5
ctl POST config '{"access_ttl":300}'

# --- a stolen token and proof (DESIGN.md section 5) ---------------------------
# The evil sshd: pam_record.so asks the module's prompts, its own nonce in
# the proof prompt, and writes the answers to $evil/rec.
evil=$tmp/evil
mkdir -m 755 "$evil" || exit 99
enonce=evi1N0nceAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
cat >"$evil_pamfile" <<PAM
# ssh.sh test service (a recorder), removed when the test ends
auth     required   $recorder dir=$evil/rec host=evil nonce=$enonce
account  required   pam_permit.so
session  required   pam_permit.so
password required   pam_deny.so
PAM
[ -s "$evil_pamfile" ] || exit 99
sshd_up "$evil" "$evil_service"
evil_port=$up_port
ssh_config
# evil: "bearer-token ssh root@evil.example", the recorder's files fresh.
evil() {
	rm -rf "$evil/rec"
	mkdir -m 700 "$evil/rec" || exit 99
	# shellcheck disable=SC2086 # $sshopts is a word list
	run "$bt" ssh $sshopts root@evil.example echo pb-ssh-ok
}
# claim FILE NAME: claim NAME (a string) of the JWS in FILE.
claim() {
	node -e 'const fs = require("fs");
	const p = fs.readFileSync(process.argv[1], "utf8").split(".")[1];
	const c = JSON.parse(Buffer.from(p, "base64url").toString());
	process.stdout.write(String(c[process.argv[2]]));' "$1" "$2" 2>/dev/null
}
# A fixed askpass for plain ssh: the token of file $RA_TOKEN (in parts),
# the proof prompt answered by $RA_PROOF: file:PATH (that proof),
# host:NAME (bearer-token proof for NAME and the prompt's nonce) or none.
cat >"$srv/replay-askpass" <<ASK
#!/bin/sh
p=\$1
case \$p in
*"Bearer token: ") off=0 ;;
*"Bearer token (continued at byte "*)
	off=\${p##*at byte }; off=\${off%%)*} ;;
*"Bearer proof for "*)
	case \$RA_PROOF in
	file:*) cat "\${RA_PROOF#file:}"; echo; exit 0 ;;
	host:*) n=\${p##*, nonce }; n=\${n%: }
		exec "$bt" proof --host "\${RA_PROOF#host:}" --nonce "\$n" ;;
	*) exit 1 ;;
	esac ;;
*) exit 1 ;;
esac
len=\$(wc -c <"\$RA_TOKEN")
tail -c +\$((off + 1)) "\$RA_TOKEN" | head -c 1000
[ \$((off + 1000)) -lt "\$len" ] && printf '\\\\'
echo
ASK
chmod 755 "$srv/replay-askpass"
# replay TOKEN PROOF: plain ssh to the good sshd with replay-askpass.
replay() {
	# shellcheck disable=SC2086 # $sshopts is a word list
	run env RA_TOKEN="$1" RA_PROOF="$2" SSH_ASKPASS="$srv/replay-askpass" \
	    SSH_ASKPASS_REQUIRE=force ssh $sshopts \
	    -o PreferredAuthentications=keyboard-interactive root@127.0.0.1 \
	    echo pb-ssh-ok
}

run "$bt" get
tr -d '\n' <"$tmp/out" >"$srv/now.jwt"
evil
[ "$rc" -ne 0 ] && cmp -s "$evil/rec/token" "$srv/now.jwt" &&
    [ -s "$evil/rec/proof" ] &&
    grep -qx "Bearer proof for evil, nonce $enonce: " "$evil/rec/prompts"
verdict "the evil sshd recorded the token and a proof (askpass answered)" \
    "exit $rc"
p_htu=$(claim "$evil/rec/proof" htu)
p_nonce=$(claim "$evil/rec/proof" nonce)
[ "$p_htu" = ssh://evil.example ] && [ "$p_nonce" = "$enonce" ]
verdict "the recorded proof: for TARGET evil.example (not the server's \
'evil'), the evil nonce" "$p_htu $p_nonce"

mark
f0=$(failed)
replay "$evil/rec/token" "file:$evil/rec/proof"
refused && why "proof nonce does not match the one sent"
verdict "refused: the recorded token and proof replayed at the good sshd \
(log: nonce does not match)" "exit $rc"
mark
f0=$(failed)
replay "$evil/rec/token" none
refused &&
    why "proof required: the token is bound to a key (cnf.jkt) and no proof"
verdict "refused: the recorded token alone (log: proof required)" "exit $rc"

# The relay: the good host's prompt and nonce, a proof for evil.example.
run "$bt" get
tr -d '\n' <"$tmp/out" >"$srv/now.jwt"
mark
f0=$(failed)
replay "$srv/now.jwt" host:evil.example
refused && why "proof names host 'evil.example', this host is '127.0.0.1'"
verdict "refused: a proof for evil.example with the good host's own nonce \
(log: proof names host)" "exit $rc"
mark
replay "$srv/now.jwt" host:127.0.0.1
[ "$rc" -eq 0 ] && [ "$(accepted)" -eq $((a0 + 1)) ] &&
    proved $((p0 + 1))
verdict "and the same askpass with a proof for 127.0.0.1 logs in (the host \
name made the difference)" "exit $rc"

# ssh_hosts: askpass answers no prompt of a host outside it.
client_config 127.0.0.1
evil
[ "$rc" -ne 0 ] && [ ! -s "$evil/rec/token" ] && [ ! -s "$evil/rec/proof" ] &&
    grep -qF "host 'evil.example' is not in ssh_hosts" "$tmp/err"
verdict "ssh_hosts = 127.0.0.1: askpass answers evil.example nothing \
(nothing recorded)" "exit $rc"
mark
try "ssh_hosts" default
[ "$rc" -eq 0 ] && [ "$(accepted)" -eq $((a0 + 1)) ]
verdict "and still logs in at 127.0.0.1" "exit $rc"
client_config

# require_pop = yes: an unbound token (dpop = no) is refused.
run env BEARER_TOKEN_PROFILE=unbound "$bt" login
expect "login of profile unbound (dpop = no)" 0
mark
try "unbound" unbound
[ "$rc" -eq 0 ] && [ "$(accepted)" -eq $((a0 + 1)) ] &&
    proved "$p0"
verdict "require_pop = no: the unbound token logs in, without a proof" \
    "exit $rc"
srv_conf 5 "require_pop = yes"
mark
f0=$(failed)
try "unbound, require_pop" unbound
refused && why "proof required: the token is not bound"
verdict "require_pop = yes: refused (log: proof required, not bound)" "exit $rc"
mark
try "bound, require_pop" default
[ "$rc" -eq 0 ] && proved $((p0 + 1))
verdict "require_pop = yes: the bound token with its proof logs in" "exit $rc"
srv_conf 5
modlog | sed 's/.*pam_bearer([^)]*): /# module: /' | tail -n 8
tl_done
