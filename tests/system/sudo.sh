#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# sudo.sh: sudo end to end (issue 12).  The real sudo(8) as a throwaway
# user (useradd, a unique name, removed after), allowed to run id(1) as
# root by a sudoers drop-in (/etc/sudoers.d/pbtest-sudo-PID, checked with
# visudo -c) that also gives that user the PAM service pbtest-sudo-PID
# (sudoers' pam_service): auth sufficient the built pam_bearer.so with a
# test configuration, pam_deny.so after.  /etc/pam.d/sudo itself is never
# touched, so a test that compares /etc/pam.d at the same time (the
# package test) sees nothing of this one; it is checked unchanged at the
# end, with /etc/sudoers and the list of /etc/sudoers.d.
# The IdP fixture issues the user's tokens, about 3 KB (fat_groups); the
# user's profiles keep their sessions in files (store = file): "default"
# bound to a key (dpop = yes: the login proof, in parts), "plain" not
# (dpop = no), "other" a token for another user.  Checks:
#   - "bearer-token sudo -- id -u" prints 0: the 3 KB token went in parts
#     of at most 500 bytes (sudo drops answers of 512 bytes or more), then
#     the proof for this host's name in parts; no kept proof is left;
#   - the same for the unbound profile, chosen with --profile;
#   - refused: a token for another user (nothing runs);
#   - sudo -A with an askpass that sends the token whole: sudo drops it,
#     and the module's log gives the hint (parts of at most 500 bytes).
# The module's log lines are read from /dev/log, which this script serves
# (python3) when nothing else does; when something does (a syslog daemon,
# or another test's listener), those checks are left out.  The user runs with its own HOME and XDG_RUNTIME_DIR.
# Needs root, sudo, visudo, useradd, runuser, node and the fixture; exits
# 77 (skip) with the reason without them.  Removes the user, its sudo
# time stamp, the drop-in, the PAM file (and /dev/log when it made it) in
# a trap, also on failure, and stops every process it started.
#
# Environment: PB_BEARER_TOKEN (the built front), PB_PAM_MODULE (the built
# pam_bearer.so), PB_IDP_DIR; PB_KEEP_LOG=1 keeps the temp dir.
set -u

tl_name=sudo.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../helper/testlib.sh
. "$(dirname "$0")/../helper/testlib.sh"

: "${PB_BEARER_TOKEN:?sudo.sh: set PB_BEARER_TOKEN}"
: "${PB_PAM_MODULE:?sudo.sh: set PB_PAM_MODULE}"
[ "$(id -u)" -eq 0 ] ||
    tl_skip "not root (useradd, /etc/sudoers.d, /etc/pam.d)"
command -v sudo >/dev/null 2>&1 || tl_skip "no sudo (apt-get install sudo)"
tl_need_tools "apt-get install sudo" visudo
tl_need_tools "apt-get install passwd util-linux" useradd userdel runuser
tl_need_tools "apt-get install curl" curl
tl_need_idp
[ -f "$PB_PAM_MODULE" ] || { echo "sudo.sh: no $PB_PAM_MODULE" >&2
    exit 99; }
# sudo is not built with ASan, so it cannot load a module that is.
if ldd "$PB_PAM_MODULE" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	tl_skip "the module is a sanitizer build, which sudo cannot load"
fi
bt=$PB_BEARER_TOKEN
tl_mktemp pb-sudo
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY BEARER_TOKEN_PROFILE
umask 022

u=pbsudo$$
service=pbtest-sudo-$$
pamfile=/etc/pam.d/$service
dropin=/etc/sudoers.d/$service
# What must be as it was at the end: never written here.
etc_state() {
	(cd /etc && sha256sum pam.d/sudo sudoers sudoers.d/*) 2>&1
}
etc_state >"$tmp/etc.before"
cleanup() {
	rm -f "$dropin" "$pamfile"
	[ "${tl_made_log:-0}" = 0 ] || rm -f /dev/log
	if id "$u" >/dev/null 2>&1 && ! userdel "$u"; then
		echo "sudo.sh: cannot remove user $u (userdel $u)" >&2
	fi
	rm -f "/run/sudo/ts/$u" "/var/lib/sudo/lectured/$u"
}
trap 'cleanup; tl_cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the user ----------------------------------------------------------------
# Its home in $tmp, which it may cross (711) but not read.
uh=$tmp/u
chmod 711 "$tmp" || exit 99
useradd -M -d "$uh" -s /bin/sh -c "pam-bearer sudo.sh" "$u" || exit 99
mkdir -m 700 "$uh" || exit 99
for d in run state config config/bearer-token; do
	mkdir -m 700 "$uh/$d" || exit 99
done
chown -R "$u:" "$uh" || exit 99
# as_user CMD...: CMD as the user, with its own HOME and XDG directories.
as_user() {
	runuser -u "$u" -- env -i HOME="$uh" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    LANG=C.UTF-8 XDG_RUNTIME_DIR="$uh/run" XDG_STATE_HOME="$uh/state" \
	    XDG_CONFIG_HOME="$uh/config" "$@" </dev/null
}

# --- the module's log ----------------------------------------------------------
tl_syslog_start
# modlog: the module's lines from this test's sudo service.
modlog() {
	grep -a "pam_bearer($service:auth): " "$tmp/syslog" 2>/dev/null
}
# mark, then logged TEXT: the module logged TEXT since mark (or its log is
# not read).
mark() {
	m0=0
	[ "$have_log" = 1 ] || return 0
	m0=$(modlog | wc -l)
}
logged() {
	[ "$have_log" = 1 ] || return 0
	lg_i=0
	# The listener may write the line a moment after sudo returns.
	until modlog | tail -n +$((m0 + 1)) | grep -qF -- "$1"; do
		[ "$lg_i" -lt 20 ] || return 1
		sleep 0.1
		lg_i=$((lg_i + 1))
	done
}
# not_logged TEXT: the module did not log TEXT since mark (or its log is
# not read).
not_logged() {
	[ "$have_log" = 1 ] || return 0
	! modlog | tail -n +$((m0 + 1)) | grep -qF -- "$1"
}

# --- the fixture -------------------------------------------------------------
idp_start idp --config "{\"interval\":1,\"auto_approve\":\"approve\",\
\"username\":\"$u\",\"fat_groups\":36}"
idp_ready idp
iss=$(idp_field idp issuer)
control=$(idp_field idp control)
echo "# fixture at $iss; user $u"

# --- the server side: module configuration, PAM service, sudoers ---------------
srv=$tmp/srv
mkdir -m 755 "$srv" || exit 99
curl -sS --max-time 10 -o "$srv/jwks.json" "$iss/jwks" || exit 99
# host_names unset: the proof names this host as gethostname says.
cat >"$srv/pam_bearer.conf" <<CONF
issuer = $iss
audience = ssh
jwks_file = $srv/jwks.json
leeway = 5
CONF
cat >"$pamfile" <<PAM
# sudo.sh test service, removed when the test ends
auth     sufficient $PB_PAM_MODULE config=$srv/pam_bearer.conf
auth     required   pam_deny.so
account  required   pam_permit.so
session  required   pam_permit.so
password required   pam_deny.so
PAM
[ -s "$pamfile" ] || exit 99
# No time stamp (every run authenticates), one try, no lecture.
cat >"$tmp/sudoers" <<SUDO
# sudo.sh test drop-in, removed when the test ends
Defaults:$u pam_service=$service, timestamp_timeout=0, passwd_tries=1
Defaults:$u lecture=never, !syslog
$u ALL=(root) /usr/bin/id
SUDO
visudo -cqf "$tmp/sudoers" || { echo "sudo.sh: drop-in refused" >&2
    exit 99; }
install -m 440 "$tmp/sudoers" "$dropin" || exit 99
if ! visudo -cq; then
	echo "sudo.sh: visudo -c fails with the drop-in" >&2
	exit 99
fi
echo "# sudoers drop-in $dropin, PAM service $service"

# --- the client side ---------------------------------------------------------
{
	printf '[profile default]\nissuer = %s\nclient_id = bearer-cli\n' "$iss"
	printf 'scope = openid offline_access ssh\nstore = file\ndpop = yes\n\n'
	for p in plain other; do
		printf '[profile %s]\nissuer = %s\nclient_id = bearer-cli\n' \
		    "$p" "$iss"
		printf 'scope = openid offline_access ssh\nstore = file\n'
		printf 'dpop = no\n\n'
	done
} >"$uh/config/bearer-token/config"
chown "$u:" "$uh/config/bearer-token/config" || exit 99
chmod 600 "$uh/config/bearer-token/config" || exit 99

run as_user "$bt" login --no-qr
expect "bearer-token login as $u (store = file, dpop = yes)" 0
run as_user "$bt" status
expect "the session is bound" 0 "bound:         yes" out
run as_user "$bt" get
len=$(tr -d '\n' <"$tmp/out" | wc -c)
[ "$rc" -eq 0 ] && [ "$len" -gt 2800 ] && [ "$len" -lt 4096 ]
verdict "the user's token is about 3 KB ($len bytes)" "exit $rc"

run as_user env BEARER_TOKEN_PROFILE=plain "$bt" login --no-qr
expect "login of profile plain (store = file, dpop = no)" 0

# --- bearer-token sudo ---------------------------------------------------------
mark
run as_user "$bt" sudo -- id -u
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = 0 ]
verdict "bearer-token sudo -- id -u as $u prints 0 (bound token, proof)" \
    "exit $rc"
logged "accepted token for '$u'" && logged ", proof by key '"
verdict "the module accepted the token with its proof (log)"
not_logged "no answer"
verdict "no part was dropped (log: no 'no answer')"
[ -z "$(find "$uh/run" "$uh/state" -name 'proof.*' 2>/dev/null)" ]
verdict "askpass left no kept proof behind"

mark
run as_user "$bt" sudo --profile plain -- id -u
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = 0 ]
verdict "bearer-token sudo --profile plain (unbound) -- id -u prints 0" \
    "exit $rc"
logged "accepted token for '$u'" && not_logged "proof by key"
verdict "the module accepted the unbound token, no proof (log)"

# A token for another user: refused, nothing runs.
ctl POST config '{"username":"pbsudo-other"}'
run as_user env BEARER_TOKEN_PROFILE=other "$bt" login --no-qr
expect "login of profile other (a token for pbsudo-other)" 0
ctl POST config "{\"username\":\"$u\"}"
mark
run as_user "$bt" sudo --profile other -- id -u
[ "$rc" -ne 0 ] && [ ! -s "$tmp/out" ]
verdict "refused: a token for another user, nothing runs" "exit $rc"
logged "token rejected for '$u'"
verdict "the module says why (log: token rejected)"

# The plain askpass path: the token whole, which sudo drops (512 bytes or
# more) with no word of its own; the module's hint says what to do.
run as_user "$bt" get --profile plain
tr -d '\n' <"$tmp/out" >"$uh/whole.jwt"
# (sudo reads 1023 bytes of it at most, then closes the pipe.)
printf '#!/bin/sh\n{ cat %s/whole.jwt; echo; } 2>/dev/null\n' "$uh" \
    >"$uh/whole-askpass"
chmod 700 "$uh/whole-askpass"
chown "$u:" "$uh/whole.jwt" "$uh/whole-askpass" || exit 99
mark
run as_user env SUDO_ASKPASS="$uh/whole-askpass" sudo -A -- id -u
[ "$rc" -ne 0 ] && [ ! -s "$tmp/out" ]
verdict "sudo -A with the token whole: refused, nothing runs" "exit $rc"
logged "the PAM client returned no answer to the token prompt (from byte \
0); if it is sudo or another client that drops answers of 512 bytes"
verdict "the module's hint names sudo's 512 bytes and the parts (log)"

# --- the system as it was -------------------------------------------------------
cleanup
etc_state >"$tmp/etc.after"
diff "$tmp/etc.before" "$tmp/etc.after" | sed 's/^/# /'
cmp -s "$tmp/etc.before" "$tmp/etc.after" && [ ! -e "$dropin" ] &&
    [ ! -e "$pamfile" ] && ! id "$u" >/dev/null 2>&1 && visudo -cq
verdict "drop-in, PAM service and user removed; /etc/pam.d/sudo, sudoers \
unchanged"
tl_done
