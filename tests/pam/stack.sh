#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# stack.sh: run check_pam, the PAM stack tests, with syslog_shim.so
# preloaded so that the module's pam_syslog() lines go to a file the tests
# read ($PB_SYSLOG_FILE, in a temporary directory).  Run by "make check"
# from the build directory tests/pam; by hand:
#
#   PB_MODULE=/abs/pam_bearer.so PB_TESTDATA=/abs/tests/data sh stack.sh
#
# Environment:
#   PB_MODULE        the module to test (absolute path), required
#   PB_TESTDATA      keys and jwks.json made by mkvectors.sh, required
#   PB_PAM_BUILDDIR  where check_pam and .libs/*.so are (default: .)
#   PB_PAM_SRCDIR    where valgrind.supp is (default: this script's dir)
#   PB_STRESS_N      authentications per thread in the stress test
#                    (default 1000; 20 under valgrind)
#   PB_VALGRIND=1    run under valgrind --leak-check=full with CK_FORK=no;
#                    fails on any error or definite leak
#   PB_KEEP_LOG=1    keep the log file and say where it is
#
# Exit 77 (skip) when libpam has no pam_start_confdir() (Linux-PAM < 1.4)
# or check is missing; 99 when the test setup itself is broken.
set -u

builddir=${PB_PAM_BUILDDIR:-.}
srcdir_pam=${PB_PAM_SRCDIR:-$(dirname "$0")}

prog=$builddir/check_pam
if [ ! -x "$prog" ]; then
	echo "stack.sh: $prog not built (no check library?): skipping"
	exit 77
fi
: "${PB_MODULE:?stack.sh: set PB_MODULE to the built pam_bearer.so}"
: "${PB_TESTDATA:?stack.sh: set PB_TESTDATA to the tests/data directory}"
if [ ! -f "$PB_MODULE" ]; then
	echo "stack.sh: no module at $PB_MODULE" >&2
	exit 99
fi
if [ ! -f "$PB_TESTDATA/jwks.json" ]; then
	echo "stack.sh: no $PB_TESTDATA/jwks.json (make check in tests/" \
	    "makes it)" >&2
	exit 99
fi

shim=$builddir/.libs/syslog_shim.so
expect=$builddir/.libs/pam_expect.so
for f in "$shim" "$expect"; do
	if [ ! -f "$f" ]; then
		echo "stack.sh: $f not built" >&2
		exit 99
	fi
done
# Absolute paths: libpam loads modules from them, whatever the cwd.
shim=$(cd "$(dirname "$shim")" && pwd)/syslog_shim.so
expect=$(cd "$(dirname "$expect")" && pwd)/pam_expect.so

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pb-stack.XXXXXX") || exit 99
keep=${PB_KEEP_LOG:-0}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ "$keep" = 1 ]; then
		echo "stack.sh: log kept in $tmp/syslog, failed tests' files" \
		    "in $tmp/pbtest.*"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

PB_SYSLOG_FILE=$tmp/syslog
PB_EXPECT_MODULE=$expect
# Each test's files (configuration, service files, keys) go under $tmp
# too: a failed test leaves them behind (no teardown), here they are
# removed or kept with the log.
TMPDIR=$tmp
export PB_SYSLOG_FILE PB_EXPECT_MODULE PB_MODULE PB_TESTDATA TMPDIR
# A sanitizer build links libasan into check_pam; the shim comes first in
# the preload list, which ASan would otherwise refuse.
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0
export ASAN_OPTIONS

# deny_users compares uids: nss_wrapper (Debian's libnss-wrapper), when
# installed, gives check_pam the system's users plus a second uid-0
# account pb-toor and pb-nobody with nobody's uid, without touching
# /etc/passwd.  Without it that test says it skipped.
preload=$shim
nssw=
for f in /usr/lib/*/libnss_wrapper.so /usr/lib64/libnss_wrapper.so \
    /usr/lib/libnss_wrapper.so /usr/local/lib/libnss_wrapper.so; do
	[ -f "$f" ] && nssw=$f && break
done
if [ -n "$nssw" ]; then
	{ cat /etc/passwd &&
	    echo 'pb-toor:x:0:0:second uid 0:/root:/bin/sh' &&
	    echo 'pb-nobody:x:65534:65534:nobody:/nonexistent:/bin/false'
	} >"$tmp/passwd" || exit 99
	cp /etc/group "$tmp/group" || exit 99
	NSS_WRAPPER_PASSWD=$tmp/passwd
	NSS_WRAPPER_GROUP=$tmp/group
	export NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
	preload="$shim $nssw"
else
	echo "stack.sh: no libnss_wrapper.so (apt-get install" \
	    "libnss-wrapper): the deny_users uid test is skipped"
fi

# check_pam is a plain executable unless libtool made a wrapper script.
run_prog() {
	if head -c 2 "$prog" | grep -q '^#!'; then
		"${PB_LIBTOOL:-$builddir/../../libtool}" --mode=execute "$@"
	else
		"$@"
	fi
}

start=$(date +%s)
if [ "${PB_VALGRIND:-0}" = 1 ]; then
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "stack.sh: PB_VALGRIND=1 but no valgrind: skipping"
		exit 77
	fi
	: "${PB_STRESS_N:=20}"
	CK_FORK=no
	export PB_STRESS_N CK_FORK
	# Check's default per-test timeout is too short under valgrind.
	: "${CK_TIMEOUT_MULTIPLIER:=20}"
	export CK_TIMEOUT_MULTIPLIER
	LD_PRELOAD=$preload run_prog valgrind --quiet --leak-check=full \
	    --errors-for-leak-kinds=definite --error-exitcode=1 \
	    --show-leak-kinds=definite --track-origins=yes \
	    --suppressions="$srcdir_pam/valgrind.supp" "$prog"
	rc=$?
else
	: "${PB_STRESS_N:=1000}"
	export PB_STRESS_N
	LD_PRELOAD=$preload run_prog "$prog"
	rc=$?
fi
end=$(date +%s)
echo "stack.sh: check_pam exited $rc after $((end - start)) s," \
    "PB_STRESS_N=$PB_STRESS_N, valgrind=${PB_VALGRIND:-0}"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
	keep=1
fi
exit "$rc"
