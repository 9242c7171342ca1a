#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# store.sh: run check_store (helper/store.c) against a real Secret Service
# (DESIGN.md section 4): a private session bus from dbus-run-session and
# gnome-keyring-daemon --foreground --components=secrets --unlock (password
# on stdin) with HOME, XDG_DATA_HOME, XDG_RUNTIME_DIR, XDG_STATE_HOME and
# XDG_CONFIG_HOME in a temp dir.  Waits until org.freedesktop.secrets is on
# the bus, runs the tests, stops the daemon and removes the temp dir.
#
# Environment:
#   PB_HELPER_TESTS  where check_store is (default: .)
#   PB_KEEP_LOG=1    keep the temp dir (the daemon's stderr) and say where
#
# Exit 77 (skip) without check_store, dbus-run-session, dbus-send or
# gnome-keyring-daemon; 99 when the keyring does not come up.
set -u

prog=${PB_HELPER_TESTS:-.}/check_store

if [ "${1:-}" != --on-bus ]; then
	if [ ! -x "$prog" ]; then
		echo "store.sh: $prog not built (no check library?): skipping"
		exit 77
	fi
	for t in dbus-run-session dbus-send gnome-keyring-daemon; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "store.sh: $t not found (apt-get install dbus" \
			    "gnome-keyring): skipping"
			exit 77
		fi
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-store.XXXXXX") || exit 99
	cleanup() {
		if [ "${PB_KEEP_LOG:-0}" = 1 ]; then
			echo "store.sh: temp dir kept in $tmp"
		else
			rm -rf "$tmp"
		fi
	}
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	for d in home data run state config; do
		mkdir -m 700 "$tmp/$d" || exit 99
	done
	HOME=$tmp/home XDG_DATA_HOME=$tmp/data XDG_RUNTIME_DIR=$tmp/run
	XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
	PB_STORE_TMP=$tmp
	export HOME XDG_DATA_HOME XDG_RUNTIME_DIR XDG_STATE_HOME \
	    XDG_CONFIG_HOME PB_STORE_TMP
	unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY \
	    GNOME_KEYRING_CONTROL
	# Absolute, so that the inner run finds check_store from any cwd.
	PB_HELPER_TESTS=$(cd "${PB_HELPER_TESTS:-.}" && pwd)
	export PB_HELPER_TESTS
	dbus-run-session -- "${SHELL:-/bin/sh}" "$0" --on-bus
	exit $?
fi

# On the private bus from here on.
tmp=$PB_STORE_TMP
printf 'pb-store-test\n' | gnome-keyring-daemon --foreground \
    --components=secrets --unlock >"$tmp/gkd.out" 2>"$tmp/gkd.err" &
gkd=$!
trap 'kill -TERM "$gkd" 2>/dev/null; wait "$gkd" 2>/dev/null' EXIT

i=0
while ! dbus-send --session --print-reply --dest=org.freedesktop.DBus \
    / org.freedesktop.DBus.ListNames 2>/dev/null |
    grep -q '"org.freedesktop.secrets"'; do
	if ! kill -0 "$gkd" 2>/dev/null || [ $i -ge 100 ]; then
		echo "store.sh: gnome-keyring-daemon did not start:" >&2
		tail -n 20 "$tmp/gkd.err" >&2
		exit 99
	fi
	sleep 0.1
	i=$((i + 1))
done

"$prog"
rc=$?
if [ $rc -ne 0 ]; then
	echo "store.sh: check_store failed ($rc); daemon stderr:" >&2
	tail -n 20 "$tmp/gkd.err" >&2
fi
exit $rc
