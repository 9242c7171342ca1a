#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# browser_chromium.sh: bearer-token login --browser (DESIGN.md section 3)
# with a real browser, Debian's headless chromium driven over its DevTools
# protocol by tests/idp/chromium.js, against the IdP fixture, file store:
#   - auto mode with a display (DISPLAY=:99; no X server is needed, as
#     xdg-open's generic mode runs $BROWSER, here tests/idp/browser-chromium):
#     login picks the browser (no device authorization at the IdP), prints
#     the page to open, chromium signs in as carol and consents, the
#     callback page tells the user to go back to the terminal, login exits
#     0; status shows carol; get prints a token for carol that verifies as
#     the module would;
#   - login --browser where the user presses Cancel in chromium: refused,
#     exit 1, and the callback page says so;
#   - login --browser with no display: the printed page, opened in
#     chromium by hand (the driver run directly), logs dave in.
# Each login waits 45 s at most (--wait), the driver 30 s, a device code
# (a build that wrongly picks the device flow) lives 20 s.
# Run by "make check" from tests/helper.  Exits 77 without chromium,
# xdg-open, node, curl or the fixture's node_modules, when bearer-token
# has no login --browser, and under the valgrind run (PB_VALGRIND=1:
# chromium under valgrind is not wanted); 99 when the setup is broken.
set -u

tl_name=browser_chromium.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"

: "${PB_BEARER_TOKEN:?browser_chromium.sh: set PB_BEARER_TOKEN}"
bt=$PB_BEARER_TOKEN
if [ "${PB_VALGRIND:-0}" = 1 ]; then
	tl_skip "the valgrind run leaves chromium out"
fi
tl_need_tools "apt-get install chromium" chromium
tl_need_tools "apt-get install xdg-utils" xdg-open
tl_need_tools "apt-get install curl" curl
tl_need_idp
if [ ! -x "$bt" ]; then
	echo "$tl_name: $bt is not built" >&2
	exit 99
fi
if ! "$bt" login --help 2>&1 | grep -q -- '--browser'; then
	tl_skip "bearer-token login has no --browser yet"
fi
wrapper=$tl_idp/browser-chromium
if [ ! -x "$wrapper" ]; then
	echo "$tl_name: $wrapper is not executable" >&2
	exit 99
fi

tl_mktemp pb-browser-chromium
tl_isolate

# chromium_stop: the driver of the last run, if it is still there, then
# chromium's whole process group (the driver's pid file names both).
chromium_stop() {
	[ -s "$tmp/chromium.pids" ] || return 0
	read -r cs_driver cs_group <"$tmp/chromium.pids"
	kill -TERM "$cs_driver" 2>/dev/null
	cs_i=0
	while kill -0 "$cs_driver" 2>/dev/null && [ $cs_i -lt 50 ]; do
		sleep 0.1
		cs_i=$((cs_i + 1))
	done
	kill -KILL -- "-$cs_group" 2>/dev/null
	rm -f "$tmp/chromium.pids"
}
trap 'chromium_stop; tl_cleanup' EXIT

# xdg-open's generic mode: no desktop detected, no handler for http in
# the MIME databases (a chromium.desktop there would start a chromium
# with a window), so it runs $BROWSER.  chromium.js puts its profile
# under TMPDIR, which is $tmp.
mkdir "$tmp/empty" || exit 99
unset BROWSER XDG_CURRENT_DESKTOP XDG_SESSION_DESKTOP DESKTOP_SESSION \
    KDE_FULL_SESSION GNOME_DESKTOP_SESSION_ID MATE_DESKTOP_SESSION_ID \
    BEARER_TOKEN_PROFILE http_proxy https_proxy HTTP_PROXY HTTPS_PROXY \
    all_proxy ALL_PROXY
DISPLAY=:99 BROWSER=$wrapper TMPDIR=$tmp
XDG_DATA_DIRS=$tmp/empty XDG_CONFIG_DIRS=$tmp/empty
PB_CHROMIUM_OUT=$tmp/chromium.json PB_CHROMIUM_ERR=$tmp/chromium.err
PB_CHROMIUM_PIDS=$tmp/chromium.pids
export DISPLAY BROWSER TMPDIR XDG_DATA_DIRS XDG_CONFIG_DIRS \
    PB_CHROMIUM_OUT PB_CHROMIUM_ERR PB_CHROMIUM_PIDS
umask 077

idp_start idp --config '{"device_ttl":20}'
idp_ready idp
iss=$(idp_field idp issuer)
control=$(idp_field idp control)
mkdir -p "$XDG_CONFIG_HOME/bearer-token" || exit 99
cat >"$XDG_CONFIG_HOME/bearer-token/config" <<EOF
[profile default]
issuer = $iss
client_id = bearer-cli
scope = openid offline_access ssh
store = file
EOF

# login ARGS...: bearer-token login ARGS... (in the background, so that a
# signal reaches the trap at once); then the driver, which login started
# through xdg-open in a session of its own and does not wait for, has 20 s
# to finish (its pid file goes last), else it is stopped.  The driver's
# line in $tmp/chromium.json.
login() {
	: >"$tmp/chromium.json"
	: >"$tmp/chromium.err"
	"$bt" login --no-qr --wait 45 "$@" >"$tmp/out" 2>"$tmp/err" &
	lg_pid=$!
	tl_track "$lg_pid"
	wait "$lg_pid"
	rc=$?
	tl_untrack "$lg_pid"
	lg_i=0
	while [ -e "$tmp/chromium.pids" ] && [ $lg_i -lt 200 ]; do
		sleep 0.1
		lg_i=$((lg_i + 1))
	done
	chromium_stop
}

# page: whether chromium's last page was the redirect_uri of the URL that
# login printed (without its query); its text in $tmp/page.
page() {
	rm -f "$tmp/page"
	sed -n 's/^Open this page to log in: //p' "$tmp/err" | head -n 1 |
	    node -e 'const fs = require("fs");
const u = new URL(fs.readFileSync(0, "utf8").trim());
const r = new URL(u.searchParams.get("redirect_uri"));
const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
if (j.url !== r.origin + r.pathname) process.exit(1);
fs.writeFileSync(process.argv[2], j.text);' "$tmp/chromium.json" \
	    "$tmp/page" 2>/dev/null
}

# jwt_claim FILE NAME: a string claim of the JWT in FILE (no check).
jwt_claim() {
	node -e 'const fs = require("fs");
const t = fs.readFileSync(process.argv[1], "utf8").trim().split(".")[1];
const p = JSON.parse(Buffer.from(t, "base64url").toString());
process.stdout.write(String(p[process.argv[2]]));' "$1" "$2"
}

# --- 1. auto mode with a display: the browser, through chromium ------------
ctl POST reset
PB_CHROMIUM_ARGS="--login carol" login
expect "login (auto, DISPLAY set) exits 0" 0
grep -q "^Open this page to log in: $iss/auth?" "$tmp/err"
verdict "login prints the page to open on stderr"
ctl GET counters
grep -q '"device_authorization":0[,}]' "$tmp/ctl.json"
verdict_cat "auto mode with a display took the browser (no device flow)" \
    "$tmp/ctl.json"
page
verdict_cat "chromium ended at the printed redirect_uri" \
    "$tmp/chromium.json" "$tmp/chromium.err"
grep -qi 'terminal' "$tmp/page" 2>/dev/null &&
    ! grep -qiE 'refused|denied|failed' "$tmp/page"
verdict_cat "the callback page tells the user to go back to the terminal" \
    "$tmp/page"
run "$bt" status
grep -qE '^user:[[:space:]]+carol( |$)' "$tmp/out"
verdict "status after the browser login shows the user carol"
run "$bt" get
expect "get after the browser login exits 0" 0
cp "$tmp/out" "$tmp/token"
[ "$(jwt_claim "$tmp/token" sub)" = carol ] &&
    [ "$(jwt_claim "$tmp/token" iss)" = "$iss" ]
verdict "the token is for carol, from the fixture"
mkdir "$tmp/pam" || exit 99
curl -sS --max-time 10 -o "$tmp/pam/jwks.json" "$iss/jwks" || exit 99
printf 'issuer = %s\naudience = ssh\njwks_file = %s\n' "$iss" \
    "$tmp/pam/jwks.json" >"$tmp/pam/pam_bearer.conf"
run "$bt" verify --config "$tmp/pam/pam_bearer.conf" --user carol \
    <"$tmp/token"
expect "the token verifies as the module would (verify --user carol)" 0 \
    "token valid for user 'carol'" out

# --- 2. --browser, and the user presses Cancel in chromium -----------------
PB_CHROMIUM_ARGS="--deny" login --browser
expect "login --browser refused in chromium exits 1" 1
page
verdict_cat "chromium ended at the redirect_uri after Cancel" \
    "$tmp/chromium.json" "$tmp/chromium.err"
grep -qiE 'denied|refused|cancel' "$tmp/page" 2>/dev/null
verdict_cat "the callback page says the login was refused" \
    "$tmp/page"
# --- 3. no display: the printed URL, followed by hand in chromium ----------
# login --browser without a display opens nothing; a person (here the
# driver, run directly) opens the printed page.
: >"$tmp/err"
(unset DISPLAY BROWSER
exec "$bt" login --browser --no-qr --wait 45 >"$tmp/out" 2>"$tmp/err") &
lg_pid=$!
tl_track "$lg_pid"
i=0
url=
while [ -z "$url" ] && [ $i -lt 100 ] && kill -0 "$lg_pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
	url=$(sed -n 's/^Open this page to log in: //p' "$tmp/err")
done
node "$tl_idp/chromium.js" --login dave --pid-file "$tmp/chromium.pids" \
    "$url" >"$tmp/chromium.json" 2>"$tmp/chromium.err"
verdict_cat "chromium follows the URL printed without a display" \
    "$tmp/chromium.err"
wait "$lg_pid"
rc=$?
tl_untrack "$lg_pid"
chromium_stop
expect "login --browser without a display exits 0" 0
run "$bt" status
grep -qE '^user:[[:space:]]+dave( |$)' "$tmp/out"
verdict "status shows the user dave"
tl_done
