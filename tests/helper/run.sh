#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# run.sh: start the IdP fixture (tests/idp/server.js) twice, run
# check_oauth against it, stop it.  Run by "make check" from the build
# directory tests/helper; by hand:
#
#   PB_IDP_DIR=/abs/tests/idp PB_HELPER_TESTS=/abs/build/tests/helper sh run.sh
#
# The two fixtures listen on free ports (port 0) of 127.0.0.1:
#   PB_IDP_ISSUER, PB_IDP_CONTROL              issuer path /realms/test,
#                                              interval 1 (most tests)
#   PB_IDP_PLAIN_ISSUER, PB_IDP_PLAIN_CONTROL  no path (discovery tests)
# are exported to check_oauth.  Proxy variables are cleared: the tests talk
# to 127.0.0.1 only, and name lookups of .invalid hosts must fail here.
#
# Environment:
#   PB_IDP_DIR       the fixture (default: ../idp next to this script)
#   PB_HELPER_TESTS  where check_oauth is (default: .)
#   PB_VALGRIND=1    run check_oauth under valgrind with CK_FORK=no; fails
#                    on any error or definite leak
#   PB_KEEP_LOG=1    keep the fixtures' stderr and say where it is
#
# Exit 77 (skip) without node, without $PB_IDP_DIR/node_modules (run
# "npm ci" there) or without check_oauth (no check library); 99 when a
# fixture does not start.
set -u

here=$(cd "$(dirname "$0")" && pwd)
idp=${PB_IDP_DIR:-$here/../idp}
prog=${PB_HELPER_TESTS:-.}/check_oauth

if [ ! -x "$prog" ]; then
	echo "run.sh: $prog not built (no check library?): skipping"
	exit 77
fi
if ! command -v node >/dev/null 2>&1; then
	echo "run.sh: node not found: skipping"
	exit 77
fi
if [ ! -d "$idp/node_modules/oidc-provider" ]; then
	echo "run.sh: no $idp/node_modules (cd tests/idp && npm ci):" \
	    "skipping"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-helper.XXXXXX") || exit 99
pids=
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	if [ "${PB_KEEP_LOG:-0}" = 1 ]; then
		echo "run.sh: fixture logs kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME ARGS...: start a fixture; its ready line lands in $tmp/NAME.out.
start() {
	name=$1
	shift
	node "$idp/server.js" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids="$pids $!"
	eval "${name}_pid=\$!"
}

# ready NAME: wait up to 30 s for NAME's ready line.
ready() {
	pid=
	eval "pid=\$${1}_pid"
	i=0
	while ! grep -q '}' "$tmp/$1.out" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 300 ]; then
			echo "run.sh: the $1 fixture did not start:" >&2
			tail -n 20 "$tmp/$1.err" >&2
			exit 99
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

field() {
	sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$tmp/$1.out"
}

unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY

start main --issuer-path /realms/test --config '{"interval":1}'
start plain
ready main
ready plain

PB_IDP_ISSUER=$(field main issuer)
PB_IDP_CONTROL=$(field main control)
PB_IDP_PLAIN_ISSUER=$(field plain issuer)
PB_IDP_PLAIN_CONTROL=$(field plain control)
export PB_IDP_ISSUER PB_IDP_CONTROL PB_IDP_PLAIN_ISSUER PB_IDP_PLAIN_CONTROL
echo "run.sh: fixtures at $PB_IDP_ISSUER and $PB_IDP_PLAIN_ISSUER"

if [ "${PB_VALGRIND:-0}" = 1 ]; then
	# libtool wrapper: run valgrind on the real binary.
	echo "run.sh: under valgrind (CK_FORK=no)"
	real=$prog
	[ -x "${PB_HELPER_TESTS:-.}/.libs/check_oauth" ] &&
	    real=${PB_HELPER_TESTS:-.}/.libs/check_oauth
	CK_FORK=no valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
	    --error-exitcode=1 "$real"
	rc=$?
else
	"$prog"
	rc=$?
fi
if [ $rc -ne 0 ]; then
	echo "run.sh: check_oauth failed ($rc); fixture stderr:" >&2
	tail -n 20 "$tmp/main.err" >&2
fi
exit $rc
