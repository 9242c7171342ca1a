#!/bin/bash
# Self-test of the IdP fixture: starts server.js twice (issuer with and
# without a path) and drives it with curl only; JSON checks use jsonq.js.
# One line per step, then "N passed, N failed". Exit status 1 on any failure.
# Needs: node (18+), curl, and `npm ci` done in this directory.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
Q="$HERE/jsonq.js"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/idp-selftest.XXXXXX")
PASSED=0
FAILED=0
PIDS=()
T0=$(date +%s)

cleanup() {
	local pid
	for pid in "${PIDS[@]}" ${JQ_PID:-}; do
		kill -TERM "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One node process evaluates every JSON check (see jsonq.js --serve).
coproc JQ { exec node "$Q" --serve; }
# ask MODE FILE EXPR... : answer in REPLY
ask() {
	local IFS=$'\x1f'
	printf '%s\n' "$*" >&"${JQ[1]}"
	IFS= read -r REPLY <&"${JQ[0]}" || REPLY="fail jsonq.js co-process died"
}

# setenv NAME VALUE : env.NAME in check expressions
setenv() { ask s "$1" "$2"; }

pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1${2:+ -- $2}"; }

if [ ! -d "$HERE/node_modules/oidc-provider" ]; then
	echo "FAIL node_modules missing: run 'npm ci' in $HERE"
	echo "0 passed, 1 failed"
	exit 1
fi

# req CURL-ARGS... : sets CODE (HTTP status, 000 when none), RC (curl's exit), BODY
req() {
	CODE=$(curl -sS -o "$TMP/body" -w '%{http_code}' --max-time 10 "$@" 2>"$TMP/curl.err")
	RC=$?
	BODY=$(cat "$TMP/body" 2>/dev/null)
	rm -f "$TMP/body"
}

# expect DESC HTTP-STATUS [JS-EXPR...] : the status and every expression over BODY
expect() {
	local desc=$1 code=$2
	shift 2
	if [ "$CODE" != "$code" ]; then
		fail "$desc" "HTTP $CODE (curl $RC), wanted $code: $(printf %s "$BODY" | head -c 300)"
		return 1
	fi
	if [ $# -gt 0 ]; then
		printf %s "$BODY" >"$TMP/check"
		ask e "$TMP/check" "$@"
		if [ "$REPLY" != ok ]; then
			fail "$desc" "${REPLY#fail }; body: $(printf %s "$BODY" | head -c 400)"
			return 1
		fi
	fi
	pass "$desc"
}

# jv VAR EXPR : set VAR to a value from BODY (empty and status 1 when none)
jv() {
	printf %s "$BODY" >"$TMP/check"
	ask p "$TMP/check" "$2"
	if [ "${REPLY%% *}" = ok ]; then
		printf -v "$1" %s "${REPLY#ok }"
	else
		printf -v "$1" %s ""
		return 1
	fi
}

ctl_get() { req "$CTL/$1"; }
ctl_post() { req -H 'content-type: application/json' -d "${2:-{\}}" "$CTL/$1"; }

DC_GRANT='urn:ietf:params:oauth:grant-type:device_code'
device_auth() { req -d client_id=bearer-cli --data-urlencode "scope=${1:-openid offline_access ssh}" "$ISSUER/device/auth"; }
poll() { req -d client_id=bearer-cli -d "grant_type=$DC_GRANT" -d "device_code=$1" "$ISSUER/token"; }
refresh() { req -d client_id=bearer-cli -d grant_type=refresh_token -d "refresh_token=$1" "$ISSUER/token"; }

# start_server NAME ARGS... : starts server.js in the background
start_server() {
	local name=$1
	shift
	node "$HERE/server.js" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PIDS+=("$!")
	eval "PID_$name=$!"
}

# wait_server NAME : waits for the ready line, sets ISSUER, CTL, PORT, PID
wait_server() {
	local name=$1
	PID=$(eval echo "\$PID_$name")
	for _ in $(seq 1 300); do
		grep -q '}' "$TMP/$name.out" 2>/dev/null && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! BODY=$(head -n 1 "$TMP/$name.out") || [ -z "$BODY" ]; then
		fail "$name: server ready line" "$(tail -n 5 "$TMP/$name.err")"
		return 1
	fi
	jv ISSUER j.issuer
	jv CTL j.control
	jv PORT j.port
	setenv ISSUER "$ISSUER"
	return 0
}

# stop_server : SIGTERM, then the exit status must be 0 within 3 s
stop_server() {
	local desc=$1 st
	kill -TERM "$PID"
	for _ in $(seq 1 30); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$PID" 2>/dev/null; then
		fail "$desc" "still running 3 s after SIGTERM"
		kill -KILL "$PID"
		return
	fi
	wait "$PID"
	st=$?
	if [ "$st" = 0 ]; then pass "$desc"; else fail "$desc" "exit status $st"; fi
}

# ---------------------------------------------------------------------------
# Both servers start at once (startup is mostly loading oidc-provider).
start_server path --issuer-path /realms/test
start_server root

# ======================= issuer with a path ================================
if wait_server path; then
	CODE=200 RC=0
	expect "path: ready line names issuer, port and control URL" 200 \
		'j.issuer === `http://127.0.0.1:${j.port}/realms/test`' \
		'j.control === `http://127.0.0.1:${j.port}/__control`'

	# --- discovery and JWKS
	req "$ISSUER/.well-known/openid-configuration"
	expect "path: discovery issuer matches exactly, endpoints carry the path" 200 \
		'j.issuer === env.ISSUER' \
		'j.device_authorization_endpoint === env.ISSUER + "/device/auth"' \
		'j.token_endpoint === env.ISSUER + "/token"' \
		'j.jwks_uri === env.ISSUER + "/jwks"' \
		'j.revocation_endpoint === env.ISSUER + "/token/revocation"' \
		'j.introspection_endpoint === env.ISSUER + "/token/introspection"' \
		'j.grant_types_supported.includes("urn:ietf:params:oauth:grant-type:device_code")'
	req "$ISSUER/jwks"
	printf %s "$BODY" >"$TMP/jwks.json"
	setenv IDP_JWKS "$TMP/jwks.json"
	expect "path: jwks has an RS256 and an ES256 public key, nothing private" 200 \
		'j.keys.some(k => k.kty === "RSA" && k.alg === "RS256" && k.kid)' \
		'j.keys.some(k => k.kty === "EC" && k.crv === "P-256" && k.alg === "ES256" && k.kid)' \
		'j.keys.every(k => k.use === "sig" && !("d" in k) && !("p" in k))'
	req "http://127.0.0.1:$PORT/.well-known/openid-configuration"
	expect "path: requests outside the issuer path get 404" 404

	# --- device authorization, public client, client_id in the body
	ctl_post config '{"interval": 2, "device_ttl": 120}'
	expect "path: control config sets interval and device_ttl" 200 \
		'j.interval === 2' 'j.device_ttl === 120'
	device_auth
	expect "path: device authorization (public client, no Authorization header)" 200 \
		'typeof j.device_code === "string" && j.device_code.length > 20' \
		'/^[A-Z]{4}-[A-Z]{4}$/.test(j.user_code)' \
		'j.verification_uri === env.ISSUER + "/device"' \
		'j.verification_uri_complete.startsWith(env.ISSUER + "/device?user_code=")' \
		'j.expires_in === 120' 'j.interval === 2'
	jv DC j.device_code
	jv UC j.user_code

	poll "$DC"
	expect "path: poll before approval: authorization_pending" 400 'j.error === "authorization_pending"'

	ctl_post config '{"slow_down": 2}'
	poll "$DC"
	expect "path: slow_down fault, poll 1 of 2" 400 'j.error === "slow_down"'
	poll "$DC"
	expect "path: slow_down fault, poll 2 of 2" 400 'j.error === "slow_down"'
	poll "$DC"
	expect "path: after K slow_down answers, back to authorization_pending" 400 'j.error === "authorization_pending"'
	ctl_get polls
	expect "path: control polls lists 4 increasing ms timestamps" 200 \
		'Array.isArray(j) && j.length === 4' \
		'j.every((t, i) => Number.isInteger(t) && t > 1.6e12 && (i === 0 || t >= j[i - 1]))'

	ctl_post approve "{\"user_code\": \"$UC\", \"action\": \"approve\", \"login\": \"alice\"}"
	expect "path: control approve (scripted form posts) succeeds" 200 \
		'j.ok === true' 'j.steps.some(s => s.startsWith("POST prompt=login"))' \
		'j.steps.some(s => s.startsWith("POST prompt=consent"))'
	ctl_get device_codes
	expect "path: control device_codes shows the code approved" 200 \
		"j.some(e => e.user_code === '$UC' && e.state === 'approved')"

	poll "$DC"
	expect "path: poll after approval returns tokens" 200 \
		'typeof j.access_token === "string"' 'typeof j.refresh_token === "string"' \
		'j.token_type === "Bearer"' 'j.expires_in === 300' \
		'j.scope.split(" ").includes("ssh")'
	jv AT j.access_token
	jv RT1 j.refresh_token
	expect "path: access token is an RFC 9068 JWT (typ at+jwt, RS256, kid)" 200 \
		'jwt(j.access_token).header.typ === "at+jwt"' \
		'jwt(j.access_token).header.alg === "RS256"' \
		"file('$TMP/jwks.json').keys.some(k => k.kid === jwt(j.access_token).header.kid)"
	expect "path: access token claims iss, aud, sub, exp, groups, preferred_username, scope" 200 \
		'jwt(j.access_token).payload.iss === env.ISSUER' \
		'jwt(j.access_token).payload.aud === "ssh"' \
		'jwt(j.access_token).payload.sub === "alice"' \
		'jwt(j.access_token).payload.exp === jwt(j.access_token).payload.iat + 300' \
		'Math.abs(jwt(j.access_token).payload.iat - Date.now() / 1000) < 60' \
		'jwt(j.access_token).payload.preferred_username === "alice"' \
		'JSON.stringify(jwt(j.access_token).payload.groups) === JSON.stringify(["users", "ssh-users"])' \
		'jwt(j.access_token).payload.scope.split(" ").includes("ssh")' \
		'jwt(j.access_token).payload.client_id === "bearer-cli"' \
		'typeof jwt(j.access_token).payload.jti === "string"'
	expect "path: access token signature verifies with the served JWKS" 200 \
		"verify(j.access_token, file('$TMP/jwks.json'))"

	# --- refresh token rotation and family revocation
	refresh "$RT1"
	expect "path: refresh returns a new access token and a rotated refresh token" 200 \
		'typeof j.access_token === "string"' \
		"typeof j.refresh_token === 'string' && j.refresh_token !== '$RT1'" \
		'jwt(j.access_token).payload.sub === "alice"' \
		'jwt(j.access_token).payload.aud === "ssh"' \
		"jwt(j.access_token).payload.jti !== jwt('$AT').payload.jti"
	jv RT2 j.refresh_token
	refresh "$RT1"
	expect "path: reusing the rotated refresh token fails (invalid_grant)" 400 'j.error === "invalid_grant"'
	refresh "$RT2"
	expect "path: reuse killed the family: the newest refresh token fails too" 400 'j.error === "invalid_grant"'
	poll "$DC"
	expect "path: device code is single-use (invalid_grant)" 400 'j.error === "invalid_grant"'

	# --- auto-approval, another login, fat token, ES256, array audience
	ctl_post config '{"auto_approve": "approve", "auto_approve_delay_ms": 0, "username": "bob", "fat_groups": true, "alg": "ES256", "audience": ["ssh", "git"], "access_ttl": 60}'
	expect "path: control config accepts auto_approve, fat_groups, alg, audience list" 200 \
		'j.auto_approve === "approve" && j.fat_groups === true && j.alg === "ES256"'
	device_auth
	jv DC j.device_code
	for _ in $(seq 1 50); do
		poll "$DC"
		[ "$CODE" = 400 ] && jv ERR j.error && [ "$ERR" = authorization_pending ] || break
		sleep 0.1
	done
	expect "path: auto-approved device code yields a fat ES256 token for bob (> 2500 bytes)" 200 \
		'j.access_token.length > 2500' \
		'jwt(j.access_token).header.alg === "ES256"' \
		'jwt(j.access_token).payload.sub === "bob"' \
		'jwt(j.access_token).payload.preferred_username === "bob"' \
		'jwt(j.access_token).payload.groups.length >= 66' \
		'JSON.stringify(jwt(j.access_token).payload.aud) === JSON.stringify(["ssh", "git"])' \
		'jwt(j.access_token).payload.exp - jwt(j.access_token).payload.iat === 60' \
		"verify(j.access_token, file('$TMP/jwks.json'))"
	jv RT3 j.refresh_token

	# --- introspection and revocation (public client authenticates by client_id)
	req -d client_id=bearer-cli -d "token=$RT3" "$ISSUER/token/introspection"
	expect "path: introspection of a live refresh token: active" 200 \
		'j.active === true' 'j.sub === "bob"' 'j.client_id === "bearer-cli"'
	req -d client_id=bearer-cli -d "token=$RT3" -d token_type_hint=refresh_token "$ISSUER/token/revocation"
	expect "path: revocation (RFC 7009) answers 200" 200
	req -d client_id=bearer-cli -d "token=$RT3" "$ISSUER/token/introspection"
	expect "path: introspection after revocation: active false" 200 'j.active === false'
	refresh "$RT3"
	expect "path: revoked refresh token no longer refreshes" 400 'j.error === "invalid_grant"'
	req -d client_id=bearer-cli -d token=no-such-token "$ISSUER/token/revocation"
	expect "path: revocation of an unknown token answers 200 too" 200

	# --- deny and expiry
	ctl_post reset
	expect "path: control reset restores the start config" 200 \
		'j.config.interval === null && j.config.username === "alice" && j.config.auto_approve === null'
	device_auth
	expect "path: without configured interval the response omits it" 200 '!("interval" in j)'
	jv DC j.device_code
	ctl_post approve '{"action": "deny"}'
	expect "path: control approve with action deny (latest pending code)" 200 'j.ok === true && j.action === "deny"'
	poll "$DC"
	expect "path: denied device code polls access_denied" 400 'j.error === "access_denied"'

	ctl_post config '{"device_ttl": 1}'
	device_auth
	expect "path: device_ttl sets expires_in" 200 'j.expires_in === 1'
	jv DC_EXPIRE j.device_code
	T_EXPIRE=$(date +%s%N)

	# --- confidential client
	req -u bearer-conf:bearer-conf-secret -d 'scope=openid offline_access' "$ISSUER/device/auth"
	expect "path: confidential client authenticates with client_secret_basic" 200 'typeof j.device_code === "string"'
	req -d client_id=bearer-conf-post -d client_secret=bearer-conf-secret -d 'scope=openid' "$ISSUER/device/auth"
	expect "path: second confidential client authenticates with client_secret_post" 200 'typeof j.device_code === "string"'
	req -u bearer-conf:wrong -d 'scope=openid' "$ISSUER/device/auth"
	expect "path: confidential client with a wrong secret: invalid_client" 401 'j.error === "invalid_client"'

	# --- faults
	ctl_post reset
	ctl_post fault '{"endpoint": "token", "mode": "500"}'
	expect "path: control fault accepted" 200 'j.ok === true'
	poll bogus
	expect "path: fault token 500 gives HTTP 500" 500 'j.error === "server_error"'
	poll bogus
	expect "path: fault count 1: the next token request is normal again" 400 'j.error === "invalid_grant"'

	ctl_post fault '{"endpoint": "device", "mode": "garbage"}'
	device_auth
	expect "path: fault device garbage: 200 with a body that is not JSON" 200 'j === undefined && raw.length > 0'

	ctl_post fault '{"endpoint": "revocation", "mode": "503", "count": 2}'
	req -d client_id=bearer-cli -d token=x "$ISSUER/token/revocation"
	expect "path: fault revocation 503 (1 of 2)" 503
	req -d client_id=bearer-cli -d token=x "$ISSUER/token/revocation"
	expect "path: fault revocation 503 (2 of 2)" 503
	req -d client_id=bearer-cli -d token=x "$ISSUER/token/revocation"
	expect "path: revocation normal after count is used up" 200

	ctl_post fault '{"endpoint": "jwks", "mode": "bad-jwks"}'
	req "$ISSUER/jwks"
	expect "path: fault jwks bad-jwks serves broken keys (RSA e=1, 512-bit, EC off curve)" 200 \
		'j.keys.some(k => k.kty === "RSA" && k.e === "AQ")' \
		'j.keys.some(k => k.kty === "RSA" && Buffer.from(k.n, "base64url").length === 64)' \
		'j.keys.some(k => k.kty === "EC")' \
		'!j.keys.some(k => file(env.IDP_JWKS).keys.some(g => g.kid === k.kid))'

	ctl_post fault '{"endpoint": "jwks", "mode": "reset"}'
	req "$ISSUER/jwks"
	if [ "$RC" = 56 ] || [ "$RC" = 52 ]; then pass "path: fault jwks reset: connection reset (curl exit $RC)"; else fail "path: fault jwks reset" "curl exit $RC, HTTP $CODE"; fi

	ctl_post fault '{"endpoint": "discovery", "mode": "hang"}'
	t=$(date +%s%N)
	req --max-time 1 "$ISSUER/.well-known/openid-configuration"
	t=$((($(date +%s%N) - t) / 1000000))
	if [ "$RC" = 28 ] && [ "$t" -ge 900 ]; then pass "path: fault discovery hang: no answer (curl timed out after ${t} ms)"; else fail "path: fault discovery hang" "curl exit $RC after $t ms"; fi
	req "$ISSUER/.well-known/openid-configuration"
	expect "path: discovery answers again after the hang" 200 'j.issuer === env.ISSUER'

	ctl_post fault '{"endpoint": "token", "mode": "503", "grant_type": "refresh_token", "count": -1}'
	expect "path: control fault with grant_type filter and count -1" 200
	poll bogus
	expect "path: grant_type filter leaves device_code polls alone" 400 'j.error === "invalid_grant"'
	refresh bogus
	expect "path: grant_type filter hits refresh_token requests" 503
	refresh bogus
	expect "path: count -1 keeps the fault on" 503
	ctl_get fault
	expect "path: control GET fault lists the active fault" 200 'j.token.mode === "503" && j.token.remaining === -1'
	ctl_post fault '{"endpoint": "token", "mode": "none"}'
	refresh bogus
	expect "path: mode none clears the fault" 400 'j.error === "invalid_grant"'

	ctl_post fault '{"endpoint": "token", "mode": "delay", "delay_ms": 700}'
	t=$(date +%s%N)
	poll bogus
	t=$((($(date +%s%N) - t) / 1000000))
	if [ "$CODE" = 400 ] && [ "$t" -ge 650 ]; then pass "path: fault token delay answers late (${t} ms)"; else fail "path: fault token delay" "HTTP $CODE after $t ms"; fi

	ctl_post fault '{"endpoint": "token", "mode": "teapot"}'
	expect "path: control fault rejects an unknown mode" 400
	ctl_post config '{"no_such_key": 1}'
	expect "path: control config rejects an unknown key" 400
	ctl_post config '{"interval": "5"}'
	expect "path: control config rejects a bad value" 400

	# --- counters
	ctl_post reset
	req "$ISSUER/.well-known/openid-configuration"
	req "$ISSUER/.well-known/openid-configuration"
	req "$ISSUER/jwks"
	device_auth
	poll bogus
	refresh bogus
	refresh bogus
	req -d client_id=bearer-cli -d token=x "$ISSUER/token/revocation"
	req -d client_id=bearer-cli -d token=x "$ISSUER/token/introspection"
	ctl_get counters
	expect "path: counters count requests per endpoint and grant type" 200 \
		'j.discovery === 2' 'j.jwks === 1' 'j.device_authorization === 1' \
		'j.token === 3' 'j.token_device_code === 1' 'j.token_refresh_token === 2' \
		'j.revocation === 1' 'j.introspection === 1'

	# --- enforce_interval: polling faster than the interval earns slow_down
	ctl_post config '{"enforce_interval": true, "interval": 1}'
	device_auth
	jv DC j.device_code
	poll "$DC"
	expect "path: enforce_interval: first poll is pending" 400 'j.error === "authorization_pending"'
	poll "$DC"
	expect "path: enforce_interval: an immediate second poll gets slow_down" 400 'j.error === "slow_down"'

	# --- the device code issued with device_ttl 1 has expired by now
	while [ $((($(date +%s%N) - T_EXPIRE) / 1000000)) -lt 2200 ]; do sleep 0.1; done
	poll "$DC_EXPIRE"
	expect "path: expired device code polls expired_token" 400 'j.error === "expired_token"'

	# --- SIGTERM with a hung request pending
	ctl_post fault '{"endpoint": "token", "mode": "hang"}'
	curl -s --max-time 10 -d x=y "$ISSUER/token" >/dev/null 2>&1 &
	HUNG=$!
	sleep 0.3
	stop_server "path: SIGTERM stops the server (exit 0) despite a hung request"
	wait "$HUNG" 2>/dev/null
fi

# ======================= issuer without a path =============================
if wait_server root; then
	req "$ISSUER/.well-known/openid-configuration"
	expect "root: discovery issuer matches exactly (no path, no trailing slash)" 200 \
		'j.issuer === env.ISSUER' '/^http:\/\/127\.0\.0\.1:\d+$/.test(j.issuer)' \
		'j.token_endpoint === env.ISSUER + "/token"' \
		'j.device_authorization_endpoint === env.ISSUER + "/device/auth"'
	req "$ISSUER/jwks"
	printf %s "$BODY" >"$TMP/jwks-root.json"
	device_auth 'openid offline_access'
	expect "root: device authorization" 200 'typeof j.device_code === "string"'
	jv DC j.device_code
	jv UC j.user_code
	BODY=$(node "$HERE/approve.js" "$ISSUER" "$UC" approve carol)
	CODE="exit $?" RC=0
	expect "root: approve.js command approves as carol" "exit 0" 'j.ok === true' 'j.steps.length >= 5'
	poll "$DC"
	expect "root: tokens for carol, iss without a path, scope without ssh still a JWT" 200 \
		'jwt(j.access_token).header.typ === "at+jwt"' \
		'jwt(j.access_token).payload.iss === env.ISSUER' \
		'jwt(j.access_token).payload.sub === "carol"' \
		'jwt(j.access_token).payload.aud === "ssh"' \
		'jwt(j.access_token).payload.scope === "openid offline_access"' \
		"verify(j.access_token, file('$TMP/jwks-root.json'))"
	jv RT j.refresh_token
	refresh "$RT"
	expect "root: refresh works" 200 "j.refresh_token !== '$RT'"
	jv RT j.refresh_token
	poll "$DC"
	expect "root: polling a used device code again: invalid_grant" 400 'j.error === "invalid_grant"'
	refresh "$RT"
	expect "root: ... and that replay revoked the grant (refresh now invalid_grant)" 400 'j.error === "invalid_grant"'
	stop_server "root: SIGTERM stops the server (exit 0)"
fi

echo "selftest took $(($(date +%s) - T0)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
