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

tl_name=run.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"
prog=${PB_HELPER_TESTS:-.}/check_oauth

[ -x "$prog" ] || tl_skip "$prog not built (no check library?)"
tl_need_idp
tl_mktemp pb-helper

unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY

idp_start main --issuer-path /realms/test --config '{"interval":1}'
idp_start plain
idp_ready main
idp_ready plain

PB_IDP_ISSUER=$(idp_field main issuer)
PB_IDP_CONTROL=$(idp_field main control)
PB_IDP_PLAIN_ISSUER=$(idp_field plain issuer)
PB_IDP_PLAIN_CONTROL=$(idp_field plain control)
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
