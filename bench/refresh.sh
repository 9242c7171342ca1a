#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# refresh.sh: what "bearer-token get" costs when it must refresh, against
# the IdP fixture (tests/idp) and a private gnome-keyring, next to the
# cached get and a bare fork+exec in the same run.  Figures only; nothing
# fails on time.  Run from the build directory after "make":
#
#   sh /path/to/src/bench/refresh.sh [RUNS]
#
# Each refresh is "get --min-ttl 86400" (the fixture's tokens live 300 s, so
# every call refreshes): discovery is not repeated (login stored the
# endpoints), the keyring is read and written, the rotated refresh token
# saved before the token is printed.  The same with store = file shows
# what the keyring costs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
tl_name=refresh.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../tests/helper/testlib.sh
. "$here/../tests/helper/testlib.sh"

if [ "${1:-}" != --on-bus ]; then
	runs=${1:-50}
	bt=$(pwd)/helper/bearer-token
	gb=$(pwd)/bench/get_bench
	[ -x "$bt" ] && [ -x "$gb" ] ||
	    { echo "refresh.sh: run it from a build directory after make" >&2
	    exit 2; }
	PB_IDP_DIR=$here/../tests/idp
	export PB_IDP_DIR
	tl_need_idp
	tl_need_tools "apt-get install dbus gnome-keyring" \
	    dbus-run-session dbus-send gnome-keyring-daemon
	tl_mktemp pb-refresh
	tl_isolate
	PB_BENCH_TMP=$tmp PB_BENCH_BT=$bt PB_BENCH_GB=$gb PB_BENCH_RUNS=$runs
	export PB_BENCH_TMP PB_BENCH_BT PB_BENCH_GB PB_BENCH_RUNS
	tl_on_bus
	exit $?
fi

tl_adopt "$PB_BENCH_TMP"
tl_need_idp
bt=$PB_BENCH_BT
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY BEARER_TOKEN_PROFILE
idp_start idp --config '{"interval":1,"auto_approve":"approve"}'
keyring_start
idp_ready idp
iss=$(idp_field idp issuer)
mkdir -p "$XDG_CONFIG_HOME/bearer-token"
cat >"$XDG_CONFIG_HOME/bearer-token/config" <<CONF
scope = openid offline_access ssh
[profile keyring]
issuer = $iss
client_id = bearer-cli
store = secret-service
[profile file]
issuer = $iss
client_id = bearer-cli
store = file
CONF
for p in keyring file; do
	if ! "$bt" login --profile "$p" >/dev/null 2>"$tmp/login.err"; then
		echo "refresh.sh: login ($p) failed:" >&2
		cat "$tmp/login.err" >&2
		exit 1
	fi
done
echo "# $PB_BENCH_RUNS runs each, IdP fixture at $iss"
echo "## refresh, session in the Secret Service"
"$PB_BENCH_GB" -n "$PB_BENCH_RUNS" --run "$bt" get --profile keyring \
    --min-ttl 86400 || exit 1
echo "## refresh, session in the file store"
"$PB_BENCH_GB" -n "$PB_BENCH_RUNS" --run "$bt" get --profile file \
    --min-ttl 86400 || exit 1
echo "## cached get (the token just refreshed)"
"$PB_BENCH_GB" -n "$PB_BENCH_RUNS" --run "$bt" get --profile keyring ||
    exit 1
