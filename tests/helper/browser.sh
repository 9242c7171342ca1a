#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# browser.sh: login in the browser (authorization code with PKCE on a
# loopback redirect, DESIGN.md section 3) against the real IdP fixture
# (tests/idp/server.js, client bearer-cli), file store, with the fixture's
# scripted browser (tests/idp/approve.js --browser) playing the user:
#   - the URL line on stderr, the authorization URL's parameters
#     (S256, prompt=consent with offline_access), --json's line;
#   - the listener on 127.0.0.1 only, 404 for another path, 400 for a
#     callback without the login's state (the login goes on and completes),
#     closed after the one valid callback; another user's connection
#     dropped unanswered even with the state (as root only);
#   - idle clients, more than the listener's slots, do not hold it up;
#   - logged in: status, get, a refresh; the name shown and stored from
#     the verified ID token only, never the access token's;
#   - denied in the browser, an error page that escapes what the IdP said
#     (a line break in it shown as '?'), an iss of another issuer, no iss
#     though the IdP says it sends one (RFC 9207), nobody coming (--wait);
#   - the grant: --browser/--device, grant = browser, auto with a display
#     and xdg-open (which runs $BROWSER: the scripted browser) and auto
#     without a display (the device flow);
#   - redirect_port: the listener and the redirect_uri on that port, and
#     a port in use refused with exit 3.
# Run by "make check" from tests/helper; by hand:
#
#   PB_BEARER_TOKEN=/abs/helper/bearer-token PB_IDP_DIR=/abs/tests/idp \
#   sh browser.sh
#
# Exit 0 when all checks pass, 1 otherwise, 77 (skip) without node, the
# fixture's node_modules or curl, 99 when the setup is broken.
set -u

tl_name=browser.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"

: "${PB_BEARER_TOKEN:?browser.sh: set PB_BEARER_TOKEN to the built program}"
tl_need_idp
tl_need_tools "apt-get install curl" curl
for f in "$PB_BEARER_TOKEN" "$PB_BEARER_TOKEN-net"; do
	if [ ! -x "$f" ]; then
		echo "browser.sh: $f is not built" >&2
		exit 99
	fi
done
bt=$PB_BEARER_TOKEN
ap=$tl_idp/approve.js
tl_mktemp pb-browser
tl_isolate
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY BEARER_TOKEN_PROFILE BROWSER

idp_start idp --config '{"interval":1}'
idp_ready idp
iss=$(idp_field idp issuer)
control=$(idp_field idp control)
echo "# fixture at $iss"

cfg=$XDG_CONFIG_HOME/bearer-token/config
mkdir -m 700 "$XDG_CONFIG_HOME/bearer-token" || exit 99
for p in b g o f n; do
	printf '[profile %s]\nissuer = %s\nclient_id = bearer-cli\n' "$p" "$iss"
	printf 'store = file\ntimeout = 5\n'
	case $p in
	g) printf 'grant = browser\n' ;;
	o) printf 'scope = openid\n' ;;
	n) printf 'scope = offline_access ssh\n' ;;
	esac
	echo
done >"$cfg"

# login_bg NAME ARGS...: "bearer-token login ARGS..." in the background,
# stdout in $tmp/NAME.out, stderr in $tmp/NAME.err; sets bg.
login_bg() {
	lb_n=$1
	shift
	"$bt" login "$@" >"$tmp/$lb_n.out" 2>"$tmp/$lb_n.err" &
	bg=$!
	tl_track "$bg"
}
# login_end NAME: wait for the login in the background; its status in $rc
# and its output in $tmp/out and $tmp/err (for expect).
login_end() {
	wait "$bg"
	rc=$?
	tl_untrack "$bg"
	cp "$tmp/$1.out" "$tmp/out"
	cp "$tmp/$1.err" "$tmp/err"
}
# url_of NAME: the URL of NAME's "Open this page to log in: URL" line
# (waiting 15 s at most); sets url, port and state.  1 when none came.
url_of() {
	uo_i=0
	while ! grep -q '^Open this page to log in: ' "$tmp/$1.err"; do
		[ $uo_i -ge 150 ] && return 1
		sleep 0.1
		uo_i=$((uo_i + 1))
	done
	url=$(sed -n 's/^Open this page to log in: //p' "$tmp/$1.err")
	uo_re='.*redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\([0-9]*\)%2Fcallback'
	port=$(printf '%s\n' "$url" | sed -n "s/$uo_re.*/\\1/p")
	state=$(printf '%s\n' "$url" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')
	[ -n "$port" ] && [ -n "$state" ]
}
# browse ACTION: the scripted browser at $url; its JSON line in
# $tmp/browse.json, its status in $brc.
browse() {
	node "$ap" --browser "$url" "$1" >"$tmp/browse.json" 2>&1
	brc=$?
}
# get_status URLPATH: the HTTP status of GET http://127.0.0.1:$port/PATH
# (000 when nothing answers), the page in $tmp/page.
get_status() {
	curl -sS -o "$tmp/page" -w '%{http_code}' --max-time 5 \
	    "http://127.0.0.1:$port$1" 2>/dev/null
}
# listening PORT: the sockets listening on PORT in /proc/net/tcp and
# tcp6, as "address:port" in hex, one a line.
listening() {
	lp_hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    awk -v p=":$lp_hex" '$4 == "0A" && substr($2, length($2) - 4) == p \
	    { print $2 }'
}

# --- 1. the browser login, with a stranger at the listener ---------------
login_bg ok --profile b --browser --wait 60 --json
if url_of ok; then ok "login --browser prints the URL line"
else nok "login --browser prints the URL line"; fi
case $url in
"$iss"/auth\?response_type=code\&client_id=bearer-cli\&*) ok "the URL is the \
authorization endpoint's, response_type=code" ;;
*) nok "the URL is the authorization endpoint's ($url)" ;;
esac
for want in code_challenge_method=S256 prompt=consent \
    scope=openid%20offline_access nonce= code_challenge=; do
	case $url in
	*[?\&]"$want"*) ok "the URL has $want" ;;
	*) nok "the URL has $want ($url)" ;;
	esac
done
grep -q '"authorization_url":"' "$tmp/ok.out"
verdict "--json prints the URL as a JSON line"
socks=$(listening "$port")
[ "$socks" = "0100007F:$(printf '%04X' "$port")" ]
verdict "the listener is on 127.0.0.1 only" "$socks"
code=$(get_status /)
[ "$code" = 404 ]
verdict "another path gets 404" "$code"
code=$(get_status "/callback?code=stolen&state=not-the-state")
[ "$code" = 400 ] && grep -q 'not the answer' "$tmp/page"
verdict "a callback without the login's state gets 400" "$code"
code=$(get_status "/callback?code=stolen&state=again")
[ "$code" = 400 ]
verdict "and so does the next one" "$code"
kill -0 "$bg" 2>/dev/null
verdict "the login goes on after it"
# Another user's process, even with the state (readable in the browser's
# command line), is dropped at accept: no answer, and the login goes on.
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "# not root (or no setpriv): another user's callback not checked"
else
	code=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    curl -sS -o /dev/null -w '%{http_code}' --max-time 5 \
	    "http://127.0.0.1:$port/callback?state=$state&error=access_denied" \
	    2>/dev/null)
	[ "$code" = 000 ] && kill -0 "$bg" 2>/dev/null
	verdict "another user's callback with the state gets no answer" "$code"
	grep -q 'another user (uid [0-9]*) connected' "$tmp/ok.err"
	verdict "another user's connection is noted"
fi
# Clients that connect and say nothing must not hold up the login, not
# even 300 of them (more than the listener's slots and backlog).
node -e 'const net = require("net"), port = Number(process.argv[1]);
    let n = 0;
    for (let i = 0; i < 300; i++) { const s = net.connect(port, "127.0.0.1",
        () => { if (++n === 300) console.log("connected"); });
        s.on("error", () => {}); }
    setTimeout(() => process.exit(0), 30000);' "$port" >"$tmp/idle.out" &
idle=$!
tl_track "$idle"
i=0
while [ $i -lt 100 ] && ! grep -q connected "$tmp/idle.out"; do
	sleep 0.1
	i=$((i + 1))
done
t0=$(date +%s)
browse approve
t1=$(date +%s)
tl_stop "$idle"
[ $((t1 - t0)) -le 8 ]
verdict "300 idle clients do not hold up the browser" "$((t1 - t0)) s"
[ "$brc" = 0 ] && grep -q '"status":200' "$tmp/browse.json" &&
    grep -q 'go back to the terminal' "$tmp/browse.json"
verdict_cat "the browser comes back to a page that says to go back" \
    "$tmp/browse.json"
login_end ok
expect "login --browser logs in" 0 "Logged in to $iss as alice" err
notes=$(grep -c 'did not carry this login' "$tmp/err")
[ "$notes" = 1 ]
verdict "the strangers' callbacks were noted, once" "$notes"
grep -q '"status":"logged_in"' "$tmp/out"
verdict "--json's result line"
code=$(get_status "/callback?state=$state")
[ "$code" = 000 ]
verdict "the listener is closed after the callback" "$code"
if grep -v '^Open this page to log in: ' "$tmp/err" | grep -qF "$state"
then
	nok "stderr shows the state only in the URL"
else
	ok "stderr shows the state only in the URL"
fi

run "$bt" status --profile b
expect "status after the browser login" 0 "alice" out
run "$bt" get --profile b
expect "get prints a token" 0 "." out
ctl GET counters
before=$(sed -n 's/.*"token_refresh_token":\([0-9]*\).*/\1/p' "$tmp/ctl.json")
run "$bt" get --profile b --min-ttl 86400
ctl GET counters
after=$(sed -n 's/.*"token_refresh_token":\([0-9]*\).*/\1/p' "$tmp/ctl.json")
[ "$rc" = 0 ] && [ "$after" -gt "$before" ]
verdict "the browser login's refresh token refreshes" \
    "rc $rc, $before -> $after"

# --- 2. refused --------------------------------------------------------
login_bg deny --profile b --browser --wait 60
url_of deny || nok "deny: no URL line"
browse deny
[ "$brc" = 0 ] && grep -q 'login was refused' "$tmp/browse.json"
verdict_cat "denied: the page says the login was refused" \
    "$tmp/browse.json"
login_end deny
expect "denied in the browser: exit 1" 1 "login denied" err
grep -q 'access_denied' "$tmp/err"
verdict "denied: the IdP's error is named"

login_bg esc --profile b --browser --wait 60
url_of esc || nok "escape: no URL line"
desc=%3Cscript%3Ex%3C%2Fscript%3E%0Anext
enc_iss=$(printf '%s' "$iss" | sed 's/:/%3A/g; s|/|%2F|g')
code=$(get_status "/callback?state=$state&iss=$enc_iss&error=invalid_scope\
&error_description=$desc")
[ "$code" = 200 ] && grep -q '&lt;script&gt;' "$tmp/page" &&
    ! grep -q '<script>' "$tmp/page"
verdict "an error page escapes the IdP's words" "$code"
grep -q 'script&gt;?next' "$tmp/page"
verdict "a line break in the IdP's words is shown as '?'"
login_end esc
expect "an IdP error other than access_denied: exit 3" 3 "invalid_scope" err

login_bg iss --profile b --browser --wait 60
url_of iss || nok "iss: no URL line"
code=$(get_status "/callback?state=$state&code=x&iss=http%3A%2F%2Fevil.example")
[ "$code" = 400 ]
verdict "an iss of another issuer gets 400" "$code"
login_end iss
expect "an iss of another issuer ends the login (RFC 9207)" 3 "RFC 9207" err

# The fixture says it sends iss (authorization_response_iss_parameter_
# supported): an answer with the login's state and no iss is refused.
login_bg noiss --profile b --browser --wait 60
url_of noiss || nok "no iss: no URL line"
code=$(get_status "/callback?state=$state&code=bogus")
[ "$code" = 400 ] && grep -q 'does not name the issuer' "$tmp/page"
verdict "an answer without iss gets 400 when the IdP sends iss" "$code"
login_end noiss
expect "an answer without iss ends the login (RFC 9207)" 3 \
    "names no issuer (iss), though $iss says it always does (RFC 9207)" err

login_bg late --profile b --browser --wait 2
url_of late || nok "late: no URL line"
login_end late
expect "nobody comes within --wait: exit 1" 1 \
    "no answer came from the browser in 2 s" err

login_bg cons --profile o --browser --wait 1
url_of cons || nok "no offline_access: no URL line"
case $url in
*prompt=consent*) nok "no prompt=consent without offline_access ($url)" ;;
*) ok "no prompt=consent without offline_access" ;;
esac
login_end cons

# --- 3. the code exchange --------------------------------------------------
# browse_login NAME ARGS...: a login in the browser approved by the
# scripted browser; its status in $rc, its output in $tmp/out, $tmp/err.
browse_login() {
	bl_n=$1
	shift
	login_bg "$bl_n" --browser --wait 60 "$@"
	url_of "$bl_n" || nok "$bl_n: no URL line"
	browse approve
	login_end "$bl_n"
}
ctl POST fault \
    '{"endpoint":"token","mode":"503","grant_type":"authorization_code"}'
browse_login x503 --profile f
expect "the token endpoint fails the code exchange: exit 5" 5 \
    "login failed" err
ctl POST fault '{"endpoint":"token","mode":"answer","status":400,
    "answer":{"error":"invalid_grant"},"grant_type":"authorization_code"}'
browse_login xig --profile f
expect "the code refused (invalid_grant): exit 1" 1 \
    "refused the authorization code" err
ctl POST reset
run "$bt" status --profile f
expect "no session is kept after a failed exchange" 4

# The ID token: checked with the IdP's JWKS before a name is shown.
ctl POST fault '{"endpoint":"jwks","mode":"bad-jwks"}'
browse_login xjw --profile f
expect "an ID token no key of the IdP verifies: exit 1" 1 \
    "the ID token is refused" err
grep -q 'Logged in' "$tmp/err"
[ $? -ne 0 ]
verdict "no name shown for a refused ID token"
grep -q 'revoked at the IdP' "$tmp/err"
verdict "the session of a refused ID token is revoked"
ctl POST fault '{"endpoint":"jwks","mode":"503"}'
browse_login xj5 --profile f
expect "the JWKS cannot be fetched: exit 5" 5 "the ID token is refused" err
ctl POST reset
run "$bt" status --profile f
expect "no session is kept after a refused ID token" 4
browse_login noid --profile n
expect "without openid in the scope no ID token is needed" 0 \
    "Logged in to $iss" err

# The name comes from the verified ID token only: with this scope it has
# sub but no preferred_username, and the access token's (unverified)
# preferred_username, made "mallory" here, must not stand in for it.
ctl POST config '{"extra_claims":{"preferred_username":"mallory"}}'
browse_login vname --profile f --json
expect "a browser login names the ID token's sub" 0 \
    "Logged in to $iss as alice (profile f)" err
if grep -q mallory "$tmp/err" "$tmp/out"; then
	nok "the access token's unverified name is not shown"
else
	ok "the access token's unverified name is not shown"
fi
run "$bt" status --profile f --json
expect "status after it" 0 '"subject":"alice"' out
if grep -q mallory "$tmp/out"; then
	nok "nor stored with the session ($(cat "$tmp/out"))"
else
	ok "nor stored with the session"
fi
ctl POST reset

# --- 4. a fixed redirect port (redirect_port, for IdPs that match the ------
# redirect URI exactly, port included) --------------------------------------
free_port() {
	node -e 'const s = require("net").createServer();
	    s.listen(0, "127.0.0.1", () => {
	    console.log(s.address().port); s.close(); });'
}
fp=$(free_port)
printf '[profile p]\nissuer = %s\nclient_id = bearer-cli\nstore = file\n' \
    "$iss" >>"$cfg"
printf 'redirect_port = %s\n' "$fp" >>"$cfg"
login_bg fx --profile p --browser --wait 60
url_of fx || nok "redirect_port: no URL line"
[ "$port" = "$fp" ]
verdict "redirect_port: the redirect_uri carries that port" "$port vs $fp"
socks=$(listening "$fp")
[ "$socks" = "0100007F:$(printf '%04X' "$fp")" ]
verdict "redirect_port: the listener is on 127.0.0.1:$fp" "$socks"
browse approve
login_end fx
expect "redirect_port: the login completes" 0 "Logged in to $iss as alice" err
# At once again: the last login's connection in TCP's TIME_WAIT on that
# port must not make it "in use" (SO_REUSEADDR).
login_bg fx2 --profile p --browser --wait 60
url_of fx2 || nok "redirect_port again: no URL line"
browse approve
login_end fx2
expect "redirect_port: a login right after the last works" 0 \
    "Logged in to $iss as alice" err
# The port taken by another listener: a clear error, exit 3 (config).
node -e 'require("net").createServer().listen(Number(process.argv[1]),
    "127.0.0.1"); setTimeout(() => {}, 30000);' "$fp" &
busy=$!
tl_track "$busy"
i=0
while [ -z "$(listening "$fp")" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
run "$bt" login --profile b --browser --wait 5 --redirect-port "$fp"
expect "redirect_port in use: exit 3" 3 \
    "port $fp on 127.0.0.1 is in use (another login running?)" err
grep -q 'choose another redirect_port' "$tmp/err"
verdict "redirect_port in use: the message says what to do"
grep -q '^Open this page to log in: ' "$tmp/err"
[ $? -ne 0 ]
verdict "redirect_port in use: no URL is shown"
tl_stop "$busy"
run "$bt" login --profile b --browser --redirect-port 80
expect "--redirect-port 80: config error" 3 \
    "redirect_port is a port, 1024 to 65535" err

# --- 5. which grant --------------------------------------------------------
run "$bt" login --profile b --browser --device
expect "--browser with --device: usage error" 2 "exclude each other" err
run "$bt" login --profile b --wait 0
expect "--wait 0: usage error" 2 "--wait takes seconds" err

login_bg g --profile g --wait 1
url_of g
verdict "grant = browser logs in in the browser"
login_end g

ctl POST config '{"auto_approve":"approve"}'
run "$bt" login --profile g --device --json --no-qr
expect "--device overrides grant = browser" 0 '"user_code"' out
run "$bt" login --profile b --json --no-qr
expect "auto without a display: the device flow" 0 '"user_code"' out
ctl POST reset

if ! command -v xdg-open >/dev/null 2>&1; then
	echo "# xdg-open not found (apt-get install xdg-utils): auto with a" \
	    "display is not checked"
else
	# The "browser" xdg-open runs: the scripted one, on the URL given.
	# It notes its session first.
	cat >"$tmp/browser" <<EOF
#!/bin/sh
awk '{ print \$6 }' /proc/\$\$/stat >'$tmp/xdg.sid'
exec node '$ap' --browser "\$1" >'$tmp/xdg.json' 2>&1
EOF
	chmod 755 "$tmp/browser"
	# xdg-open (generic, no desktop running) prefers an installed
	# browser's .desktop file to $BROWSER: none but the isolated dirs.
	run env DISPLAY=:99 BROWSER="$tmp/browser" \
	    XDG_DATA_DIRS="$tmp/none" XDG_CONFIG_DIRS="$tmp/none" \
	    "$bt" login --profile b --wait 60 --no-qr
	expect "auto with a display: xdg-open opens the browser" 0 \
	    "Logged in to $iss as alice" err
	grep -q '"status":200' "$tmp/xdg.json"
	verdict_cat "xdg-open ran \$BROWSER, which came back to the callback" \
	    "$tmp/xdg.json"
	grep -q '^Open this page to log in: ' "$tmp/err"
	verdict "the URL line is printed with a browser too"
	[ "$(cat "$tmp/xdg.sid")" != "$(awk '{ print $6 }' /proc/$$/stat)" ]
	verdict "xdg-open runs in a session of its own"
fi

tl_done
