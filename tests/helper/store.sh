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

tl_name=store.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"
prog=${PB_HELPER_TESTS:-.}/check_store

if [ "${1:-}" != --on-bus ]; then
	[ -x "$prog" ] || tl_skip "$prog not built (no check library?)"
	tl_need_tools "apt-get install dbus gnome-keyring" \
	    dbus-run-session dbus-send gnome-keyring-daemon
	tl_mktemp pb-store
	tl_isolate
	PB_STORE_TMP=$tmp
	export PB_STORE_TMP
	# Absolute, so that the inner run finds check_store from any cwd.
	PB_HELPER_TESTS=$(cd "${PB_HELPER_TESTS:-.}" && pwd)
	export PB_HELPER_TESTS
	tl_on_bus
	exit $?
fi

# On the private bus from here on.
tl_adopt "$PB_STORE_TMP"
keyring_start

"$prog"
rc=$?
if [ $rc -ne 0 ]; then
	echo "store.sh: check_store failed ($rc); daemon stderr:" >&2
	tail -n 20 "$tmp/gkd.err" >&2
fi
exit $rc
