#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# packages.sh: the Debian packages of debian/ on this machine, end to end
# (issue 12), as the README's install section tells an admin:
#   - build them with dpkg-buildpackage -us -uc -b from a copy of the
#     working tree (the files git sees: tracked and untracked but not
#     ignored), so that the build directory is not disturbed; the build
#     must leave no file there that .gitignore does not cover;
#   - bearer-token (a static-pie) has Built-Using: glibc (= VERSION);
#   - lintian: no errors;
#   - snapshot /etc/pam.d, /usr/share/pam-configs and pam-auth-update's
#     state in /var/lib/pam; dpkg -i both packages: the module in
#     /lib/MULTIARCH/security, the profile, nothing in /etc/pam.d changed
#     (the profile is Default: no);
#   - a real sshd whose PAM service (a unique name, through a link of that
#     name to sshd) is "@include common-auth": a token signed with a key
#     of the test (tests/tools/mktoken), its JWK Set at the package's
#     /var/lib/pam_bearer/jwks.json, /etc/security/pam_bearer.conf
#     written here (services = that name).  The token login fails
#     before "pam-auth-update --enable bearer" and works after it;
#     common-auth then has the line first; a throwaway user's
#     password, typed at the module's prompt, still logs in through
#     pam_unix with that one prompt; with services naming another
#     service, the module stays out: no token prompt, no token login,
#     the password still logs in;
#   - tests/system/sudo.sh with the installed /usr/bin/bearer-token and
#     module: bearer-token sudo with a 3 KB token through the real sudo;
#   - the timer and service pass systemd-analyze verify;
#   - systemctl enable the timer (and start it when systemd runs here);
#     dpkg -i the same packages again (the upgrade path): the timer stays
#     enabled (and active), and the maintainer scripts restart enabled
#     units on upgrade, start none on install, stop them on remove;
#   - dpkg --purge both: /etc/pam.d,
#     /usr/share/pam-configs and /var/lib/pam are byte for byte as before,
#     and no file of the packages is left (the enable link, /var/lib/
#     pam_bearer included).
# A trap undoes everything on any failure: purge, the common-* files and
# pam-auth-update's state from the snapshot, the PAM service file, the
# configuration (an existing one is put back), the user, sshd.
#
# Needs root (dpkg, /etc), a git checkout, dpkg-buildpackage, debhelper,
# lintian, sshd, ssh; exits 77 with the reason otherwise, or when either
# package is installed already (the test would purge it).
# Environment: PB_MKTOKEN (the built tests/tools/mktoken; scripts/check
# sets it); PB_KEEP_LOG=1 keeps the temp dir.
set -u
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

skip() { echo "packages.sh: skipped: $*"; exit 77; }
die() { echo "packages.sh: FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }
# dpkg_wait ARG...: dpkg, retried for up to 5 minutes while another
# process (apt-get of a parallel scripts/check) holds dpkg's lock.
dpkg_wait() {
	local i
	for ((i = 0; i < 150; i++)); do
		dpkg "$@" >"$tmp/dpkg.out" 2>&1 && { cat "$tmp/dpkg.out"; return 0; }
		grep -q 'lock was locked\|is locked by another' "$tmp/dpkg.out" ||
		    { cat "$tmp/dpkg.out"; return 1; }
		sleep 2
	done
	cat "$tmp/dpkg.out"
	return 1
}

root=$(cd "$(dirname "$0")/../.." && pwd)
pkgs=(libpam-bearer bearer-token)

[[ $(id -u) -eq 0 ]] || skip "not root (dpkg -i, /etc/pam.d)"
[[ -n ${PB_MKTOKEN:-} && -x ${PB_MKTOKEN:-} ]] ||
    skip "PB_MKTOKEN is not the built tests/tools/mktoken" \
    "(make -C BUILD/tests tools/mktoken)"
git -C "$root" rev-parse --git-dir >/dev/null 2>&1 ||
    skip "$root is not a git checkout"
for t in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian \
    pam-auth-update:libpam-runtime ssh:openssh-client \
    ssh-keygen:openssh-client; do
	command -v "${t%%:*}" >/dev/null 2>&1 ||
	    skip "no ${t%%:*} (apt-get install ${t#*:})"
done
[[ -x /usr/sbin/sshd ]] || skip "no /usr/sbin/sshd (apt-get install" \
    "openssh-server)"
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	[[ $st == *not-installed* || -z $st ]] ||
	    skip "$p is on this machine already ($st): not purging it"
done
# One run at a time on a machine: the package names cannot be made unique.
exec 8>/run/lock/pam-bearer-packages-test.lock || die "no lock file"
flock -w 600 8 || skip "another packages.sh held its lock for 10 minutes"

tmp=$(mktemp -d /tmp/pb-packages.XXXXXX) || die "mktemp"
chmod 755 "$tmp"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
service=pbpkg-sshd-$$
pamfile=/etc/pam.d/$service
conf=/etc/security/pam_bearer.conf
link=/etc/systemd/system/timers.target.wants/pam-bearer-jwks.timer
statedirs=(/etc/pam.d /usr/share/pam-configs /var/lib/pam)
sshd_pid=
installed=
made_user=

# --- the trap -----------------------------------------------------------------
# The snapshot: sha256sum of every file of statedirs (snap.sums) and the
# files themselves (snap.tar).  Other tests add and remove their own
# uniquely named files in /etc/pam.d meanwhile: those are not ours to judge
# or to restore.  managed PATH: a file pam-auth-update or the packages may
# write.
managed() {
	case $1 in
	/etc/pam.d/common-* | /usr/share/pam-configs/* | /var/lib/pam/*)
		return 0 ;;
	esac
	return 1
}
# state_diff: print "changed PATH", "gone PATH" and "new PATH" against the
# snapshot, for files that are managed or were there before (changed).
state_diff() {
	local f
	sha256sum -c "$tmp/snap.sums" 2>/dev/null | while IFS= read -r f; do
		case $f in
		*": FAILED open or read") f=${f%: FAILED open or read}
			managed "$f" && echo "gone $f" ;;
		*": FAILED") echo "changed ${f%: FAILED}" ;;
		esac
	done
	find "${statedirs[@]}" -type f | while IFS= read -r f; do
		grep -qxF -- "$f" "$tmp/snap.paths" && continue
		managed "$f" || [[ $f == "$pamfile" ]] && echo "new $f"
	done
}
# restore_state: put back what state_diff names from the snapshot.
restore_state() {
	local what f
	[[ -f $tmp/snap.sums ]] || return 0
	state_diff | while read -r what f; do
		case $what in
		new) rm -f "$f" ;;
		*) tar -xpf "$tmp/snap.tar" -C / "${f#/}" ;;
		esac
	done
}
cleanup() {
	local rc=$?
	[[ -n $sshd_pid ]] && kill "$sshd_pid" 2>/dev/null
	rm -f "$pamfile"
	[[ -n $made_user ]] && userdel "$user"
	if [[ -n $installed ]]; then
		echo "# cleanup: dpkg --purge ${pkgs[*]}"
		dpkg_wait --purge "${pkgs[@]}" >>"$tmp/dpkg.log" 2>&1
		rm -f "$link"
	fi
	restore_state
	if [[ -f $tmp/conf.orig ]]; then
		cp -p "$tmp/conf.orig" "$conf"
	else
		rm -f "$conf"
	fi
	if ((rc != 0)) && [[ -f $tmp/sshd.log ]]; then
		echo "--- sshd log"; tail -n 30 "$tmp/sshd.log"
	fi
	if [[ -n ${PB_KEEP_LOG:-} ]]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP INT TERM

# --- build --------------------------------------------------------------------
src=$tmp/src
mkdir "$src" || die "mkdir"
(cd "$root" && git ls-files -z -co --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
    tar -cf - --null -T -) | tar -xf - -C "$src" || die "copying the tree"
find "$src" ! -type d -printf '%P\n' | sort >"$tmp/before.list"
echo "# dpkg-buildpackage -us -uc -b in a copy of the tree ($src)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -n 40 "$tmp/build.log"
	die "dpkg-buildpackage failed"
fi
debs=()
for p in "${pkgs[@]}"; do
	debs+=("$(echo "$tmp/${p}_"*_*.deb)")
	[[ -f ${debs[-1]} ]] || die "no $p package built"
done
pass "dpkg-buildpackage built ${pkgs[*]}"
# The static-pie front carries glibc's code: Policy 7.8.
bu=$(dpkg-deb -f "${debs[1]}" Built-Using)
[[ $bu == "$(dpkg-query -W -f='${source:Package} (= ${source:Version})' \
    libc6-dev)" ]] || die "bearer-token's Built-Using is '$bu', not libc6-dev's"
pass "bearer-token: Built-Using: $bu"

# Every file the build made must be one .gitignore covers.
find "$src" ! -type d -printf '%P\n' | sort | comm -13 "$tmp/before.list" - |
    (cd "$root" && git check-ignore --no-index -v -n --stdin) |
    sed -n 's/^::\t//p' >"$tmp/unignored"
[[ ! -s $tmp/unignored ]] || { head "$tmp/unignored"
	die "the build leaves files git sees (.gitignore)"; }
pass "the build left only files .gitignore covers"

lintian --fail-on error "$tmp"/*.changes >"$tmp/lintian.log" 2>&1
lrc=$?
grep -v '^running with root' "$tmp/lintian.log"
[[ $lrc -eq 0 ]] && ! grep -q '^E:' "$tmp/lintian.log" ||
    die "lintian reports errors"
pass "lintian: no errors"

# --- install -----------------------------------------------------------------
[[ -f $conf ]] && cp -p "$conf" "$tmp/conf.orig"
find "${statedirs[@]}" -type f -print0 | xargs -0 sha256sum >"$tmp/snap.sums"
cut -c67- "$tmp/snap.sums" >"$tmp/snap.paths"
tar -cpf "$tmp/snap.tar" -C / "${statedirs[@]#/}" ||
    die "cannot snapshot ${statedirs[*]}"
installed=1
dpkg_wait -i "${debs[@]}" >"$tmp/dpkg.log" 2>&1 ||
    { cat "$tmp/dpkg.log"; die "dpkg -i failed"; }
dpkg -L "${pkgs[@]}" | sort -u >"$tmp/ours.list"
mod=/lib/$multiarch/security/pam_bearer.so
[[ -f $mod && -f /usr/share/pam-configs/bearer && -d /var/lib/pam_bearer ]] ||
    die "not installed: $mod, /usr/share/pam-configs/bearer or" \
    "/var/lib/pam_bearer"
[[ ! -e /lib/$multiarch/security/pam_bearer.la ]] || die "a .la in the PAM dir"
state_diff | grep ' /etc/pam\.d/' >"$tmp/diff"
[[ ! -s $tmp/diff ]] || { cat "$tmp/diff"
	die "dpkg -i changed /etc/pam.d (the profile is Default: no)"; }
pass "dpkg -i: $mod, the profile, /etc/pam.d untouched"

# --- the server: keys, configuration, sshd -----------------------------------
mk=$PB_MKTOKEN
iss=https://pbpkg.invalid/realm-$$
"$mk" genkey ec256 "$tmp/key.pem" || die "mktoken genkey"
"$mk" jwks --kid k1 --alg ES256 "$tmp/key.pem" >/var/lib/pam_bearer/jwks.json ||
    die "mktoken jwks"
chmod 644 /var/lib/pam_bearer/jwks.json
# The package's default jwks_file; root may log in here (deny_users empty),
# as the test's sshd user is root; tokens only in this test's service.
# write_conf SERVICES: the configuration with that services line.
write_conf() {
	cat >"$conf" <<CONF || die "writing $conf"
# packages.sh test configuration, removed when the test ends
issuer = $iss
audience = ssh
deny_users =
services = $1
CONF
	chmod 644 "$conf"
}
write_conf "$service"
now=$(date +%s)
"$mk" sign --alg ES256 --key "$tmp/key.pem" --kid k1 --claims \
    "{\"iss\":\"$iss\",\"aud\":\"ssh\",\"sub\":\"root\",\"iat\":$now,\
\"exp\":$((now + 600))}" \
    >"$tmp/token" || die "mktoken sign"

cat >"$pamfile" <<PAM || die "writing $pamfile"
# packages.sh test service, removed when the test ends
@include common-auth
@include common-account
session  required  pam_permit.so
password required  pam_deny.so
PAM
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
    LocalAddr => "127.0.0.1:0")->sockport') || die "no free port"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/hostkey" || die "ssh-keygen"
cat >"$tmp/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $tmp/hostkey
PidFile $tmp/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
PermitRootLogin yes
AuthenticationMethods keyboard-interactive
StrictModes no
LogLevel VERBOSE
CONF
mkdir -p /run/sshd
ln -s /usr/sbin/sshd "$tmp/$service" || die "ln sshd"
"$tmp/$service" -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
sshd_pid=$!
for ((i = 0; ; i++)); do
	grep -q "Server listening on 127.0.0.1 port $port" "$tmp/sshd.log" &&
	    break
	kill -0 "$sshd_pid" 2>/dev/null && ((i < 100)) ||
	    { cat "$tmp/sshd.log"; die "sshd did not start"; }
	sleep 0.1
done
echo "# sshd (PAM service $service: @include common-auth) on port $port"

# login USER FILE: ssh USER@127.0.0.1 answering its prompts with FILE's
# content (an askpass, no terminal); sets rc, 0 when the command ran and
# sshd logged the PAM login, and prompts, how many prompts it answered.
accepted() { grep -c "Accepted keyboard-interactive/pam for $1 " \
    "$tmp/sshd.log"; }
login() {
	local a0
	a0=$(accepted "$1")
	printf '#!/bin/sh\necho "$1" >>%s\nexec cat %s\n' "$tmp/asked" "$2" \
	    >"$tmp/askpass"
	chmod 700 "$tmp/askpass"
	: >"$tmp/asked"
	SSH_ASKPASS=$tmp/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=: \
	    timeout -k 5 30 setsid -w ssh -n -p "$port" -F /dev/null \
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    -o PreferredAuthentications=keyboard-interactive \
	    -o NumberOfPasswordPrompts=1 -o LogLevel=ERROR \
	    "$1@127.0.0.1" echo pb-pkg-ok >"$tmp/ssh.out" 2>"$tmp/ssh.err"
	rc=$?
	[[ $rc -eq 0 ]] && grep -qx pb-pkg-ok "$tmp/ssh.out" &&
	    (($(accepted "$1") == a0 + 1)) || rc=${rc/#0/1}
	prompts=$(wc -l <"$tmp/asked")
}

# A throwaway local user with a password: pam_unix's half of the stack.
user=pbpkg$$
useradd -M -d /nonexistent -s /bin/sh "$user" || die "useradd $user"
made_user=1
openssl rand -hex 12 >"$tmp/password" || die "openssl rand"
printf '%s:%s\n' "$user" "$(cat "$tmp/password")" | chpasswd ||
    die "chpasswd"

login root "$tmp/token"
[[ $rc -ne 0 ]] || die "a token logged in before the profile was enabled"
pass "before pam-auth-update --enable bearer: the token login fails"
login "$user" "$tmp/password"
[[ $rc -eq 0 ]] || { cat "$tmp/ssh.err"
	die "$user's password login fails even without the profile"; }

pam-auth-update --enable bearer >>"$tmp/dpkg.log" 2>&1 ||
    die "pam-auth-update --enable bearer failed"
sp='[[:space:]]'
grep -Eq "^auth$sp+\\[success=[0-9]+ default=ignore]$sp+pam_bearer\\.so$sp*\$" \
    /etc/pam.d/common-auth || { cat /etc/pam.d/common-auth
	die "common-auth has no pam_bearer.so line"; }
grep -m 1 '^auth' /etc/pam.d/common-auth | grep -q 'pam_bearer\.so' || {
	cat /etc/pam.d/common-auth; die "pam_bearer.so is not the first module"; }
grep -Eq '^auth.*pam_unix\.so.* try_first_pass' /etc/pam.d/common-auth ||
    die "pam_unix in common-auth lost try_first_pass"
pass "pam-auth-update --enable bearer: common-auth has pam_bearer.so first"

login root "$tmp/token"
[[ $rc -eq 0 && $prompts -eq 1 ]] || { cat "$tmp/ssh.err"
	die "the token login failed (exit $rc, $prompts prompts)"; }
grep -q 'Bearer token' "$tmp/asked" || { cat "$tmp/asked"
	die "the token login did not go through the module's prompt"; }
pass "a token login through sshd and common-auth (the installed module)"
login "$user" "$tmp/password"
[[ $rc -eq 0 && $prompts -eq 1 ]] || { cat "$tmp/ssh.err"
	die "a password at the token prompt did not reach pam_unix" \
	    "(exit $rc, $prompts prompts)"; }
pass "a password at the module's prompt logs in through pam_unix, one prompt"

# A service that services leaves out: no token prompt, no token login,
# and the password still works through pam_unix.
write_conf "pbpkg-other-$$"
login root "$tmp/token"
[[ $rc -ne 0 ]] || die "a token logged in to a service not in services"
! grep -q 'Bearer token' "$tmp/asked" || { cat "$tmp/asked"
	die "the module prompted in a service not in services"; }
login "$user" "$tmp/password"
[[ $rc -eq 0 && $prompts -eq 1 ]] || { cat "$tmp/ssh.err"
	die "a password login failed in a service not in services" \
	    "(exit $rc, $prompts prompts)"; }
pass "a service not in services: no token prompt or login; passwords work"

# --- sudo, with the installed helper and module -------------------------------
# tests/system/sudo.sh run with the packages' files instead of the build's:
# bearer-token sudo from /usr/bin, the module from the PAM directory, a
# 3 KB token of the IdP fixture through the real sudo.
if PB_BEARER_TOKEN=/usr/bin/bearer-token PB_PAM_MODULE=$mod \
    PB_IDP_DIR=${PB_IDP_DIR:-$root/tests/idp} \
    sh "$root/tests/system/sudo.sh" >"$tmp/sudo.log" 2>&1; then
	pass "sudo.sh with the installed bearer-token and module:" \
	    "$(grep -c '^ok' "$tmp/sudo.log") checks"
else
	rc=$?
	cat "$tmp/sudo.log"
	[[ $rc -eq 77 ]] || die "sudo.sh with the installed files (exit $rc)"
	echo "# sudo.sh skipped with the installed files"
fi

# --- the timer ---------------------------------------------------------------
if systemd-analyze verify --man=no /lib/systemd/system/pam-bearer-jwks.timer \
    /lib/systemd/system/pam-bearer-jwks.service >"$tmp/verify.log" 2>&1 &&
    ! grep -q . "$tmp/verify.log"; then
	pass "systemd-analyze verify: the timer and service"
else
	cat "$tmp/verify.log"
	die "systemd-analyze verify"
fi
systemctl enable pam-bearer-jwks.timer >>"$tmp/dpkg.log" 2>&1 &&
    [[ -h $link ]] || die "systemctl enable pam-bearer-jwks.timer"

# --- reinstall (the upgrade path) --------------------------------------------
# dh_installsystemd's snippets: the postinst starts (install) or restarts
# (upgrade) through deb-systemd-invoke, which skips a unit neither enabled
# nor running; the prerm stops the units on remove only; no preinst stop.
dpkg-deb -e "${debs[0]}" "$tmp/ctl" || die "dpkg-deb -e ${debs[0]}"
grep -q '_dh_action=restart' "$tmp/ctl/postinst" &&
    grep -q 'deb-systemd-invoke $_dh_action .*pam-bearer-jwks\.timer' \
    "$tmp/ctl/postinst" || { cat "$tmp/ctl/postinst"
	die "the postinst does not restart pam-bearer-jwks.timer on upgrade"; }
grep -q '"$1" = remove' "$tmp/ctl/prerm" &&
    grep -q 'deb-systemd-invoke stop .*pam-bearer-jwks\.timer' \
    "$tmp/ctl/prerm" || { cat "$tmp/ctl/prerm"
	die "the prerm does not stop pam-bearer-jwks.timer on remove"; }
! grep -qs 'deb-systemd-invoke stop' "$tmp/ctl/preinst" ||
    die "the preinst stops the units on upgrade"
pass "maintainer scripts: start or restart only enabled units, stop on remove"
timer_state() {
	if [[ $(ps -p 1 -o comm=) == systemd ]]; then
		systemctl is-active pam-bearer-jwks.timer
	else
		echo no-systemd
	fi
}
[[ $(timer_state) == no-systemd ]] ||
    systemctl start pam-bearer-jwks.timer >>"$tmp/dpkg.log" 2>&1 ||
    die "systemctl start pam-bearer-jwks.timer"
state=$(timer_state)
dpkg_wait -i "${debs[@]}" >>"$tmp/dpkg.log" 2>&1 ||
    { cat "$tmp/dpkg.log"; die "dpkg -i of the same packages again failed"; }
[[ -h $link ]] || die "the reinstall disabled pam-bearer-jwks.timer"
[[ $(timer_state) == "$state" ]] ||
    die "the reinstall left pam-bearer-jwks.timer $(timer_state), was $state"
if [[ $state == no-systemd ]]; then
	pass "dpkg -i again: the timer stays enabled (systemd is not PID 1" \
	    "here: its active state is not checked, only the scripts above)"
else
	pass "dpkg -i again: the timer stays enabled and $state"
fi

# --- purge -------------------------------------------------------------------
kill "$sshd_pid"; wait "$sshd_pid" 2>/dev/null; sshd_pid=
rm -f "$pamfile"
dpkg_wait --purge "${pkgs[@]}" >>"$tmp/dpkg.log" 2>&1 ||
    { cat "$tmp/dpkg.log"; die "dpkg --purge failed"; }
installed=
state_diff >"$tmp/diff"
[[ ! -s $tmp/diff ]] || { cat "$tmp/diff"
	die "after purge, PAM files differ from the snapshot"; }
pass "dpkg --purge: /etc/pam.d, pam-configs and /var/lib/pam as before"
left=()
while IFS= read -r f; do
	[[ -e $f && ! -d $f ]] && left+=("$f")
done <"$tmp/ours.list"
[[ -e /var/lib/pam_bearer ]] && left+=(/var/lib/pam_bearer)
[[ -e $link || -h $link ]] && left+=("$link")
[[ ${#left[@]} -eq 0 ]] || die "left after purge: ${left[*]}"
pass "no file of the packages left (the timer's link, /var/lib/pam_bearer)"
