#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# dpop.sh: DPoP-bound sessions end to end (DESIGN.md section 5, "Tokens
# bound to a key"), against the real IdP fixture (tests/idp/server.js)
# with oidc-provider's DPoP feature on, and a second one with it off:
# login binds the tokens (cnf.jkt is the stored key's thumbprint, as
# status and a proof's header say), every token request carries a proof,
# a refresh stays bound, the IdP refuses the refresh token replayed
# without the key's proof, the use_dpop_nonce retry, bearer-token proof
# (claims, signature key, ath, refused for an unbound session), dpop = no
# and an old session without a key (unbound, working), dpop = yes against
# an issuer without DPoP (a clear refusal), and the private key in no
# output and not in the access token cache.  Sessions go to the file store
# (the keyring path is session.sh's; the stored JSON is the same).  Run by
# "make check" from tests/helper; by hand:
#
#   PB_BEARER_TOKEN=/abs/helper/bearer-token PB_IDP_DIR=/abs/tests/idp \
#   sh dpop.sh
#
# Every check prints "ok N - what" or "not ok N - what"; exit 0 when all
# pass, 1 otherwise, 77 (skip) without node, the fixture's node_modules or
# curl, 99 when the setup is broken.  PB_KEEP_LOG=1 keeps the temp dir.
set -u

tl_name=dpop.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"

: "${PB_BEARER_TOKEN:?dpop.sh: set PB_BEARER_TOKEN to the built bearer-token}"
tl_need_idp
tl_need_tools "apt-get install curl" curl
for f in "$PB_BEARER_TOKEN" "$PB_BEARER_TOKEN-net"; do
	if [ ! -x "$f" ]; then
		echo "dpop.sh: $f is not built" >&2
		exit 99
	fi
done
tl_mktemp pb-dpop
tl_isolate
bt=$PB_BEARER_TOKEN
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy \
    NO_PROXY BEARER_TOKEN_PROFILE

idp_start idp --issuer-path /realms/test \
    --config '{"interval":1,"auto_approve":"approve"}'
idp_start plain --config '{"interval":1,"auto_approve":"approve","dpop":false}'
idp_ready idp
idp_ready plain
iss=$(idp_field idp issuer)
control=$(idp_field idp control)
plain_iss=$(idp_field plain issuer)
echo "# fixtures at $iss (DPoP) and $plain_iss (no DPoP)"

# js EXPR FILE...: print the value of EXPR with node (CommonJS: require
# works); a, b...: the files' texts, j: the first one parsed when it is JSON.
js() {
	js_e=$1
	shift
	node -e '
const fs = require("fs"), crypto = require("crypto");
const f = process.argv.slice(1).map((p) => fs.readFileSync(p, "utf8"));
const [a, b] = f;
let j;
try { j = JSON.parse(a); } catch { j = undefined; }
const jwt = (t) => t.trim().split(".").slice(0, 2).map((s) =>
    JSON.parse(Buffer.from(s, "base64url").toString("utf8")));
const b64sha = (s) => crypto.createHash("sha256").update(s)
    .digest("base64url");
const thumb = (k) => b64sha(JSON.stringify({ crv: k.crv, kty: k.kty,
    x: k.x, y: k.y }));
const v = (() => { return ('"$js_e"'); })();
process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));
' "$@"
}
# jkt_of FILE: cnf.jkt of the access token in FILE, as decode shows it.
jkt_of() {
	"$bt" decode <"$1" 2>/dev/null |
	    sed -n 's/^[[:space:]]*"jkt":[[:space:]]*"\([^"]*\)".*/\1/p'
}
# holds WHAT EXPR FILE...: ok WHAT when EXPR (see js) is true.
holds() {
	h_what=$1
	shift
	h_v=$(js "$@")
	[ "$h_v" = true ]
	verdict "$h_what" "$h_v"
}
# keep: add $tmp/out and $tmp/err to what the "no key in any output"
# check reads at the end.
keep() {
	cat "$tmp/out" "$tmp/err" >>"$tmp/all-output"
}
# stored_json PROFILE: the file store's session of PROFILE.
stored_json() {
	echo "$XDG_STATE_HOME/bearer-token/$1.json"
}

cfg=$XDG_CONFIG_HOME/bearer-token/config
mkdir -m 700 "$XDG_CONFIG_HOME/bearer-token" || exit 99
{
	for p in b nonce; do
		printf '[profile %s]\nissuer = %s\nclient_id = bearer-cli\n' \
		    "$p" "$iss"
		printf 'store = file\ntimeout = 5\n\n'
	done
	printf '[profile no]\nissuer = %s\nclient_id = bearer-cli\n' "$iss"
	printf 'store = file\ntimeout = 5\ndpop = no\n\n'
	printf '[profile old]\nissuer = %s\nclient_id = bearer-cli\n' "$iss"
	printf 'store = file\ntimeout = 5\n\n'
	printf '[profile yes]\nissuer = %s\nclient_id = bearer-cli\n' "$iss"
	printf 'store = file\ntimeout = 5\ndpop = yes\n\n'
	printf '[profile pyes]\nissuer = %s\nclient_id = bearer-cli\n' \
	    "$plain_iss"
	printf 'store = file\ntimeout = 5\ndpop = yes\n\n'
	printf '[profile pauto]\nissuer = %s\nclient_id = bearer-cli\n' \
	    "$plain_iss"
	printf 'store = file\ntimeout = 5\n\n'
	printf '[profile bad]\nissuer = %s\nclient_id = bearer-cli\n' "$iss"
	printf 'dpop = maybe\n'
} >"$cfg"
: >"$tmp/all-output"

# --- 1. login binds the tokens to the stored key ------------------------------
ctl POST reset
run "$bt" login --profile b --json --no-qr
keep
expect "login (dpop = auto, the IdP offers ES256) exits 0" 0
tail -n 1 "$tmp/out" >"$tmp/login.json"
jkt_login=$(js 'j.dpop === true && /^[A-Za-z0-9_-]{43}$/.test(j.jkt) ?
    j.jkt : ""' \
    "$tmp/login.json")
[ -n "$jkt_login" ]
verdict "login --json says dpop true and the key's thumbprint (jkt)"
run "$bt" status --profile b --json
keep
expect "status --json exits 0" 0
jkt_status=$(js 'j.dpop === true ? j.jkt : ""' "$tmp/out")
[ -n "$jkt_status" ] && [ "$jkt_status" = "$jkt_login" ]
verdict "status --json: dpop true, the same jkt" "$jkt_status"
run "$bt" status --profile b
keep
expect "status says the session is bound" 0 \
    "bound:         yes, to a DPoP key (thumbprint $jkt_login)" out
run "$bt" get --profile b
keep
expect "get exits 0" 0
cp "$tmp/out" "$tmp/b0.tok"
jkt0=$(jkt_of "$tmp/b0.tok")
[ -n "$jkt0" ] && [ "$jkt0" = "$jkt_login" ]
verdict "the access token's cnf.jkt (decode) is the stored key's thumbprint" \
    "token $jkt0, key $jkt_login"
JKT=$jkt_login holds "the stored session holds the private JWK of it" \
    'thumb(JSON.parse(j.dpop_key)) === process.env.JKT &&
    typeof JSON.parse(j.dpop_key).d === "string"' "$(stored_json b)"
ctl GET requests
holds "every device code poll carried a DPoP proof" \
    'j.filter((r) => r.endpoint === "token").length > 0 &&
    j.filter((r) => r.endpoint === "token").every((r) => r.dpop)' \
    "$tmp/ctl.json"

# --- 2. the login proof -------------------------------------------------------
nonce=n0nce-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
run "$bt" proof --profile b --host host.example --nonce "$nonce"
keep
expect "proof exits 0" 0
cp "$tmp/out" "$tmp/proof"
"$bt" get --profile b >"$tmp/b-now.tok" 2>/dev/null
NONCE=$nonce JKT=$jkt_login js 'JSON.stringify((() => {
    const [h, c] = jwt(a), t = b.trim();
    return [h.typ === "dpop+jwt", h.alg === "ES256",
	Object.keys(h.jwk).sort().join() === "crv,kty,x,y",
	thumb(h.jwk) === process.env.JKT, c.htm === "SSH",
	c.htu === "ssh://host.example", c.nonce === process.env.NONCE,
	c.ath === b64sha(t), typeof c.jti === "string" && c.jti.length >= 16,
	Math.abs(c.iat - Date.now() / 1000) < 60];
})())' "$tmp/proof" "$tmp/b-now.tok" >"$tmp/x"
x=$(cat "$tmp/x")
[ "$x" = '[true,true,true,true,true,true,true,true,true,true]' ]
verdict "the proof: typ, alg, public jwk, htm, htu, nonce, ath, jti, iat" \
    "$x"
holds "the proof's signature verifies with its header's key (node)" \
    '(() => {
    const [h, p, s] = a.trim().split(".");
    const hd = JSON.parse(Buffer.from(h, "base64url").toString());
    const key = crypto.createPublicKey({ key: hd.jwk, format: "jwk" });
    return crypto.verify("sha256", Buffer.from(h + "." + p),
	{ key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
})()' "$tmp/proof"
run "$bt" proof --profile b --host host.example --nonce "$nonce"
keep
holds "two proofs differ in jti" \
    'jwt(a)[1].jti !== jwt(b)[1].jti' "$tmp/proof" "$tmp/out"
run "$bt" proof --profile b --host host.example
expect "proof without --nonce: usage error (2)" 2 "--nonce" err
run "$bt" proof --profile b --host 'evil.example/x' --nonce "$nonce"
expect "proof refuses a host with '/' (2)" 2
# The decision of pam_bearer's proof checks is not made here (common/).

# --- 3. a refresh stays bound; the refresh token needs the key ----------------
run "$bt" get --profile b --min-ttl 86400
keep
expect "a forced refresh exits 0" 0
cp "$tmp/out" "$tmp/b1.tok"
jkt1=$(jkt_of "$tmp/b1.tok")
! cmp -s "$tmp/b0.tok" "$tmp/b1.tok" && [ "$jkt1" = "$jkt_login" ]
verdict "the refreshed token is new and bound to the same key"
run "$bt" status --profile b --json
jkt_after=$(js 'j.jkt' "$tmp/out")
[ "$jkt_after" = "$jkt_login" ]
verdict "the refresh keeps the session's key" "$jkt_after"
rt=$(js 'j.refresh_token' "$(stored_json b)")
code=$(curl -sS -o "$tmp/replay.json" -w '%{http_code}' --max-time 10 \
    -d grant_type=refresh_token -d client_id=bearer-cli \
    --data-urlencode "refresh_token=$rt" "$iss/token")
rt=
err=$(js 'j.error' "$tmp/replay.json")
[ "$code" = 400 ] && { [ "$err" = invalid_grant ] ||
    [ "$err" = invalid_dpop_proof ]; }
verdict "the IdP refuses the refresh token replayed without the key's proof" \
    "HTTP $code, $err"
run "$bt" get --profile b --min-ttl 86400
expect "the session still refreshes after the refused replay" 0
[ "$(jkt_of "$tmp/out")" = "$jkt_login" ]
verdict "and stays bound"

# --- 4. use_dpop_nonce: once more with the server's nonce ---------------------
ctl POST config '{"dpop_nonce":true}'
run "$bt" login --profile nonce --json --no-qr
keep
expect "login while the IdP requires a DPoP nonce exits 0" 0
tail -n 1 "$tmp/out" >"$tmp/nonce.json"
holds "and the session is bound" \
    'j.dpop === true' "$tmp/nonce.json"
ctl GET counters
cp "$tmp/ctl.json" "$tmp/c0.json"
run "$bt" get --profile nonce --min-ttl 86400
keep
ctl GET counters
expect "a refresh while the IdP requires a nonce exits 0" 0
d=$(js 'j.token_refresh_token - JSON.parse(b).token_refresh_token' \
    "$tmp/ctl.json" "$tmp/c0.json")
[ "$d" = 2 ]
verdict "the refresh asked twice: use_dpop_nonce, then with the nonce" "$d"
ctl POST config '{"dpop_nonce":false}'

# --- 5. unbound sessions: dpop = no, an old session, the proof refused --------
run "$bt" login --profile no --json --no-qr
keep
expect "login with dpop = no exits 0" 0
tail -n 1 "$tmp/out" >"$tmp/no.json"
holds "login --json says dpop false" \
    'j.dpop === false && j.jkt === undefined' "$tmp/no.json"
run "$bt" get --profile no --min-ttl 86400
expect "dpop = no: a refresh works" 0
[ -z "$(jkt_of "$tmp/out")" ]
verdict "dpop = no: the access token has no cnf.jkt"
run "$bt" status --profile no
expect "status says the session is not bound" 0 "bound:         no" out
run "$bt" proof --profile no --host host.example --nonce "$nonce"
expect "proof for an unbound session exits 4 with a message" 4 \
    "not bound to a key" err
[ ! -s "$tmp/out" ]
verdict "and prints nothing on stdout"
holds "dpop = no stores the session as before DPoP (no dpop_key)" \
    'j.dpop_key === undefined' "$(stored_json no)"
# That is the old format: under dpop = auto it stays valid and unbound.
cp "$(stored_json no)" "$(stored_json old)" || exit 99
run "$bt" status --profile old --json
expect "status of a session stored without a key exits 0" 0
holds "it is read as unbound (dpop = auto)" 'j.dpop === false' "$tmp/out"
run "$bt" get --profile old --min-ttl 86400
expect "and refreshes (no proof: its refresh token is not bound)" 0
[ -z "$(jkt_of "$tmp/out")" ]
verdict "its access token stays unbound"

# --- 6. dpop = yes where the IdP cannot bind; auto there ----------------------
run "$bt" login --profile pyes --json --no-qr
expect "dpop = yes at an issuer without DPoP: login fails (exit 3)" 3 \
    "dpop = yes, but the IdP does not offer DPoP" err
[ ! -e "$(stored_json pyes)" ]
verdict "and stores nothing"
run "$bt" login --profile pauto --json --no-qr
expect "dpop = auto at an issuer without DPoP: login works, unbound" 0
holds "and says dpop false" \
    'JSON.parse(a.trim().split("\n").pop()).dpop === false' \
    "$tmp/out"
run "$bt" login --profile yes --json --no-qr
keep
expect "dpop = yes at an issuer with DPoP: login works, bound" 0 '"dpop":true' out
run "$bt" status --profile bad
expect "dpop = maybe is a configuration error (3)" 3 \
    "dpop must be auto, yes or no" err

# --- 6b. a dpop_key that is not a non-empty string: damaged, not unbound --
cp "$(stored_json b)" "$tmp/b.json.keep"
for v in 42 '""' null '{}'; do
	V=$v node -e 'const fs = require("fs"), f = process.argv[1];
	    const j = JSON.parse(fs.readFileSync(f));
	    j.dpop_key = JSON.parse(process.env.V);
	    fs.writeFileSync(f, JSON.stringify(j));' "$(stored_json b)" ||
	    exit 99
	cp "$(stored_json b)" "$tmp/b.json.bad"
	ctl GET counters
	cp "$tmp/ctl.json" "$tmp/c0.json"
	run "$bt" get --profile b --min-ttl 86400
	ctl GET counters
	d=$(js 'j.token_refresh_token - JSON.parse(b).token_refresh_token' \
	    "$tmp/ctl.json" "$tmp/c0.json")
	[ "$rc" -eq 4 ] && [ ! -s "$tmp/out" ] && [ "$d" = 0 ] &&
	    grep -qF "stored session is damaged" "$tmp/err" &&
	    cmp -s "$(stored_json b)" "$tmp/b.json.bad"
	verdict "dpop_key $v: exit 4, damaged, nothing sent, session kept" \
	    "exit $rc, $d refreshes"
	cp "$tmp/b.json.keep" "$(stored_json b)"
done

# --- 7. the private key is never shown, never cached --------------------------
leak=0
for p in b nonce yes; do
	d=$(js 'JSON.parse(j.dpop_key).d' "$(stored_json "$p")")
	[ -n "$d" ] || leak=$((leak + 100))
	grep -qF -- "$d" "$tmp/all-output" && leak=$((leak + 1))
	grep -rqF -- "$d" "$XDG_RUNTIME_DIR" && leak=$((leak + 1))
done
d=
[ "$leak" -eq 0 ]
verdict "no output and no cache file holds a byte of a private key" "$leak"

tl_done
