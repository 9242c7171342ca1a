# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=sh
#
# testlib.sh: shell pieces shared by the helper tests (run.sh, store.sh,
# cli.sh, session.sh).  Source it after setting tl_name (the script's name,
# for messages); it only defines functions and variables:
#
#   tl_skip MSG                 say "NAME: MSG: skipping" and exit 77
#   tl_need_tools HINT TOOL...  exit 77 unless every TOOL is on PATH
#   tl_need_idp                 exit 77 without node or the fixture's
#                               node_modules; sets tl_idp
#   tl_mktemp PREFIX            a temp dir in $tmp, removed on exit (kept
#                               with PB_KEEP_LOG=1); every process given to
#                               tl_track is stopped first
#   tl_adopt DIR                the same for a dir made by a parent process
#                               (the --on-bus half of a script): stops the
#                               tracked processes, leaves DIR alone
#   tl_track PID                stop PID (SIGTERM, then wait) on exit
#   tl_untrack PID              forget PID (reaped already: no signal to
#                               a reused PID later)
#   tl_stop PID                 stop PID now and forget it
#   tl_isolate                  HOME and the XDG directories under $tmp,
#                               no session bus or display inherited
#   tl_on_bus                   run this script again as "$0 --on-bus"
#                               under dbus-run-session; returns its
#                               status
#   keyring_start               gnome-keyring-daemon --components=secrets
#                               --unlock on the current session bus, and
#                               wait (10 s at most) until it owns
#                               org.freedesktop.secrets; sets gkd_pid
#   idp_start NAME ARGS...      start tests/idp/server.js ARGS...; its ready
#                               line lands in $tmp/NAME.out, its stderr in
#                               $tmp/NAME.err; sets NAME_pid
#   idp_ready NAME              wait (30 s at most) for NAME's ready line
#   idp_field NAME KEY          a string field of NAME's ready line
#   idp_stop NAME               stop NAME now (SIGTERM, wait)
#   ctl METHOD ROUTE [JSON]     the fixture's control API at $control
#                               (answer in $tmp/ctl.json; exit 99 unless
#                               HTTP 200)
#
# and the check counting of cli.sh and session.sh: ok WHAT, nok WHAT (which
# also shows $tmp/out and $tmp/err), verdict WHAT [DETAIL] (ok or nok by
# the status of the command before it), run CMD..., runin INPUT CMD...,
# expect WHAT RC [STRING out|err], and tl_done, which prints "1..N" and
# exits 1 when a check failed.  Failures to set up exit 99.

tl_name=${tl_name:-test}
tl_here=$(cd "$(dirname "$0")" && pwd)
tl_pids=
tl_owner=0
tmp=

tl_skip() {
	echo "$tl_name: $1: skipping"
	exit 77
}

tl_need_tools() {
	tl_hint=$1
	shift
	for tl_t in "$@"; do
		command -v "$tl_t" >/dev/null 2>&1 ||
		    tl_skip "$tl_t not found ($tl_hint)"
	done
}

tl_need_idp() {
	tl_idp=${PB_IDP_DIR:-$tl_here/../idp}
	command -v node >/dev/null 2>&1 || tl_skip "node not found"
	[ -d "$tl_idp/node_modules/oidc-provider" ] ||
	    tl_skip "no $tl_idp/node_modules (cd tests/idp && npm ci)"
}

tl_track() {
	tl_pids="$tl_pids $1"
}

tl_untrack() {
	tl_left=
	for tl_p in $tl_pids; do
		[ "$tl_p" = "$1" ] || tl_left="$tl_left $tl_p"
	done
	tl_pids=$tl_left
}

tl_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	tl_untrack "$1"
}

tl_cleanup() {
	for tl_p in $tl_pids; do
		kill -TERM "$tl_p" 2>/dev/null
	done
	for tl_p in $tl_pids; do
		wait "$tl_p" 2>/dev/null
	done
	tl_pids=
	[ "$tl_owner" = 1 ] && [ -n "$tmp" ] || return 0
	if [ "${PB_KEEP_LOG:-0}" = 1 ]; then
		echo "$tl_name: temp dir kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}

tl_traps() {
	trap tl_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

tl_mktemp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 99
	tl_owner=1
	tl_traps
}

tl_adopt() {
	tmp=$1
	tl_owner=0
	tl_traps
}

tl_isolate() {
	for tl_d in home data run state config; do
		mkdir -m 700 "$tmp/$tl_d" || exit 99
	done
	HOME=$tmp/home XDG_DATA_HOME=$tmp/data XDG_RUNTIME_DIR=$tmp/run
	XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
	export HOME XDG_DATA_HOME XDG_RUNTIME_DIR XDG_STATE_HOME \
	    XDG_CONFIG_HOME
	unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY \
	    GNOME_KEYRING_CONTROL
}

# tl_syslog_start: the module's log lines, when no syslog daemon serves
# /dev/log (a container) and python3 is there: a listener made here binds
# /dev/log and appends each message to $tmp/syslog as one line; sets
# tl_made_log=1 (the caller removes /dev/log on exit) and have_log=1.
# With a daemon, have_log=0 and the caller leaves its log checks out.
tl_syslog_start() {
	# shellcheck disable=SC2034 # read by the scripts that source this
	have_log=0 tl_made_log=0
	if [ -e /dev/log ] || ! command -v python3 >/dev/null 2>&1; then
		echo "# /dev/log is a syslog daemon's: the module's log is" \
		    "not checked"
		return 0
	fi
	: >"$tmp/syslog"
	: >"$tmp/syslogd.out"
	python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
f = open(sys.argv[1], "ab", buffering=0)
print("ready", flush=True)
while True:
    f.write(s.recv(65536).rstrip(b"\0\n") + b"\n")' "$tmp/syslog" \
	    >"$tmp/syslogd.out" 2>&1 &
	tl_track $!
	tl_syslog_pid=$!
	# shellcheck disable=SC2034 # read by the scripts that source this
	tl_made_log=1
	tl_syslog_i=0
	while ! grep -q ready "$tmp/syslogd.out"; do
		kill -0 "$tl_syslog_pid" 2>/dev/null &&
		    [ $tl_syslog_i -lt 50 ] || exit 99
		sleep 0.1
		tl_syslog_i=$((tl_syslog_i + 1))
	done
	# shellcheck disable=SC2034 # read by the scripts that source this
	have_log=1
}

tl_on_bus() {
	dbus-run-session -- "${SHELL:-/bin/sh}" "$0" --on-bus
}

keyring_start() {
	printf '%s-keyring\n' "$tl_name" >"$tmp/gkd.pw"
	gnome-keyring-daemon --foreground --components=secrets --unlock \
	    <"$tmp/gkd.pw" >"$tmp/gkd.out" 2>"$tmp/gkd.err" &
	gkd_pid=$!
	tl_track "$gkd_pid"
	tl_i=0
	while ! dbus-send --session --print-reply \
	    --dest=org.freedesktop.DBus / org.freedesktop.DBus.ListNames \
	    2>/dev/null | grep -q '"org.freedesktop.secrets"'; do
		if ! kill -0 "$gkd_pid" 2>/dev/null || [ $tl_i -ge 100 ]; then
			echo "$tl_name: gnome-keyring-daemon did not start:" >&2
			tail -n 20 "$tmp/gkd.err" >&2
			exit 99
		fi
		sleep 0.1
		tl_i=$((tl_i + 1))
	done
}

idp_start() {
	tl_n=$1
	shift
	node "$tl_idp/server.js" "$@" >"$tmp/$tl_n.out" 2>"$tmp/$tl_n.err" &
	tl_track $!
	eval "${tl_n}_pid=\$!"
}

idp_ready() {
	tl_p=
	eval "tl_p=\$${1}_pid"
	tl_i=0
	while ! grep -q '}' "$tmp/$1.out" 2>/dev/null; do
		if ! kill -0 "$tl_p" 2>/dev/null || [ $tl_i -ge 300 ]; then
			echo "$tl_name: the $1 fixture did not start:" >&2
			tail -n 20 "$tmp/$1.err" >&2
			exit 99
		fi
		sleep 0.1
		tl_i=$((tl_i + 1))
	done
}

idp_field() {
	sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$tmp/$1.out"
}

idp_stop() {
	tl_q=
	eval "tl_q=\$${1}_pid"
	tl_stop "$tl_q"
}

# ctl METHOD ROUTE [JSON]: the fixture's control API at $control; the
# answer in $tmp/ctl.json; anything but HTTP 200 exits 99.
# shellcheck disable=SC2154 # control: set by the script that sources this
ctl() {
	if [ $# -ge 3 ]; then
		code=$(curl -sS -o "$tmp/ctl.json" -w '%{http_code}' \
		    --max-time 10 -X "$1" -H 'content-type: application/json' \
		    --data "$3" "$control/$2")
	else
		code=$(curl -sS -o "$tmp/ctl.json" -w '%{http_code}' \
		    --max-time 10 -X "$1" "$control/$2")
	fi
	if [ "$code" != 200 ]; then
		echo "$tl_name: $1 /__control/$2: HTTP $code:" \
		    "$(cat "$tmp/ctl.json")" >&2
		exit 99
	fi
}

# --- checks ---------------------------------------------------------------

n=0
fails=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
nok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	if [ -s "$tmp/out" ]; then
		sed 's/^/#   stdout: /' "$tmp/out"
	fi
	if [ -s "$tmp/err" ]; then
		sed 's/^/#   stderr: /' "$tmp/err"
	fi
}

# verdict WHAT [DETAIL]: ok WHAT when the command just before succeeded,
# else nok "WHAT (DETAIL)".  No command substitution in the arguments: it
# would replace the status.
verdict() {
	tl_st=$?
	if [ "$tl_st" -eq 0 ]; then
		ok "$1"
	else
		nok "$1${2:+ ($2)}"
	fi
}

# verdict_cat WHAT FILE...: verdict with the files' text as the DETAIL,
# read only after the status is taken.
verdict_cat() {
	tl_st=$?
	tl_what=$1
	shift
	if [ "$tl_st" -eq 0 ]; then
		ok "$tl_what"
	else
		nok "$tl_what ($(cat "$@" 2>/dev/null))"
	fi
}

# run CMD...: status in $rc, output in $tmp/out and $tmp/err.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
# runin INPUT CMD...: as run, INPUT on stdin.
runin() {
	tl_in=$1
	shift
	printf '%s\n' "$tl_in" | "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect WHAT RC [STRING FILE]: check $rc and, optionally, that FILE (out
# or err) holds the fixed string.
expect() {
	if [ "$rc" -ne "$2" ]; then
		nok "$1 (exit $rc, wanted $2)"
	elif [ $# -ge 4 ] && ! grep -qF -- "$3" "$tmp/$4"; then
		nok "$1 ($4 lacks '$3')"
	else
		ok "$1"
	fi
}

# tl_done: the plan line; exit 1 when a check failed, else 0.
tl_done() {
	echo "1..$n"
	if [ "$fails" -ne 0 ]; then
		echo "$tl_name: $fails of $n checks failed" >&2
		exit 1
	fi
	exit 0
}
