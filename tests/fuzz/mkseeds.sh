#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# mkseeds.sh [MKTOKEN]
#
# Regenerate the seed corpora of the fuzz targets other than fuzz_verify
# (whose seeds come from mkcorpus.sh): corpus/TARGET/ next to this script,
# a few dozen small files each, in the input format that fuzz_TARGET.c
# describes.  Everything is written here but the JWK Sets, whose keys
# MKTOKEN (tests/tools/mktoken; default: $PB_MKTOKEN, else
# build/tests/tools/mktoken) generates in a temporary directory that is
# deleted: only public keys are committed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mk=${1:-${PB_MKTOKEN:-$here/../../build/tests/tools/mktoken}}
if [ ! -x "$mk" ]; then
	echo "$0: $mk is not executable (build tests/tools/mktoken first)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# seed TARGET NAME: stdin becomes corpus/TARGET/NAME.
seed() {
	cat >"$tmp/out/$1/$2"
}
# put TARGET NAME FORMAT [ARG...]: printf's output is the seed.
put() {
	t=$1
	n=$2
	shift 2
	# shellcheck disable=SC2059
	printf "$@" >"$tmp/out/$t/$n"
}

targets="jwks conf usermap denylist conv profile cache session oauth git askpass"
for t in $targets; do
	mkdir -p "$tmp/out/$t"
done

# --- jwks: pb_jwks_parse() --------------------------------------------------
for k in rsa2048 ec256 ec384 ec521 ed25519; do
	"$mk" genkey "$k" "$tmp/$k.pem"
done
printf 'a fine secret of 32 bytes or so.' >"$tmp/hmac"
"$mk" jwks --kid r1 --alg RS256 --use sig "$tmp/rsa2048.pem" \
    --kid e1 --alg ES256 "$tmp/ec256.pem" --kid e2 "$tmp/ec384.pem" \
    --kid e3 --alg ES512 "$tmp/ec521.pem" --kid o1 --alg EdDSA \
    "$tmp/ed25519.pem" | seed jwks all.json
"$mk" jwks "$tmp/rsa2048.pem" | seed jwks rsa-bare.json
"$mk" jwks --kid enc --use enc --alg RSA-OAEP "$tmp/rsa2048.pem" \
    --kid sig --alg ES256 "$tmp/ec256.pem" | seed jwks enc-and-sig.json
"$mk" jwks --kid e1 "$tmp/ec256.pem" --kid e1 "$tmp/ec384.pem" |
    seed jwks dup-kid.json
"$mk" jwks --kid ed "$tmp/ed25519.pem" | seed jwks ed25519.json
"$mk" jwks --kid h --alg HS256 --secret "$tmp/hmac" | seed jwks oct.json
"$mk" jwks --kid h --secret "$tmp/hmac" --kid r "$tmp/rsa2048.pem" |
    seed jwks oct-and-rsa.json
"$mk" jwk --kid single "$tmp/ec521.pem" | seed jwks single-jwk.json
ed=$(cat "$tmp/out/jwks/ed25519.json")
# Finding 1 of issue 11: the identity point and other small-order keys.
printf '%s' "$ed" | sed 's/"x":"[^"]*"/"x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"/' |
    seed jwks ed25519-identity.json
printf '%s' "$ed" | sed 's/"x":"[^"]*"/"x":"7P___________________________________________38"/' |
    seed jwks ed25519-noncanonical.json
printf '%s' "$ed" | sed 's/"crv":"Ed25519"/"crv":"Ed448"/' |
    seed jwks ed448.json
printf '%s' "$(cat "$tmp/out/jwks/rsa-bare.json")" |
    sed 's/"e":"AQAB"/"e":"Aw"/' | seed jwks rsa-e3.json
printf '%s' "$(cat "$tmp/out/jwks/all.json")" |
    sed 's/"use":"sig"/"use":"sig","key_ops":["verify"]/' |
    seed jwks key-ops.json
printf '%s' "$(cat "$tmp/out/jwks/all.json")" |
    sed 's/"kty":"EC"/"kty":"EC","x5c":["MIIB"],"ext":true/' |
    seed jwks extra-members.json
put jwks empty.json '{"keys":[]}'
put jwks not-array.json '{"keys":{"kty":"RSA"}}'
put jwks dup-member.json '{"keys":[],"keys":[]}'
put jwks ec-off-curve.json '{"keys":[{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}'
put jwks rsa-small.json '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}'
put jwks unicode.json '{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"\\u00e9\\ud83d\\ude00","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'

# --- conf: pam_bearer.conf --------------------------------------------------
put conf minimal.conf 'issuer = https://idp.example/realms/r\naudience = ssh\njwks_file = /etc/pam_bearer/jwks.json\n'
put conf full.conf '%s\n' '# pam_bearer.conf' \
    'issuer = https://idp.example/realms/r https://alias.example' \
    'audience = ssh "urn:example:ssh host"' \
    'jwks_file = /var/lib/pam_bearer/jwks.json' \
    'algorithms = RS256 ES256 EdDSA' 'username_claim = preferred_username' \
    'usermap_file = /etc/pam_bearer/usermap' 'leeway = 60' \
    'max_token_age = 3600' 'require_scope = ssh' \
    'groups_claim = /realm_access/roles' \
    'require_groups = "Domain Admins" ops' 'require_claim = acr=mfa' \
    'require_claim = /amr/0=pwd' 'denylist_file = /etc/pam_bearer/deny' \
    'replay_cache = /run/pam_bearer/replay' 'max_token_size = 16384' \
    'prompt = "Token: "'
put conf hmac.conf 'issuer = https://i\naudience = a\nalgorithms = HS256 hs512\nhmac_secret_file = /etc/pam_bearer/secret\n'
put conf bom-crlf.conf '\357\273\277issuer = https://i\r\naudience = a\r\njwks_file = /j\r\n'
put conf bad-lines.conf 'issuer https://i\n= value\nleeway = -1\nleeway = 86401\nmax_token_size = 1\nalgorithms = none\nunknown_key = 1\nisuser = typo\n'
put conf dup-key.conf 'issuer = https://a\nissuer = https://b\naudience = x\njwks_file = /j\n'
put conf quotes.conf 'issuer = "https://a b" "unterminated\nrequire_groups = "a\\"b" "c\\\\d"\naudience = "" x\n'
put conf nul.conf 'issuer = https://i\000\naudience = a\n'
put conf long-line.conf 'issuer = https://%0300d\n' 1
put conf claims.conf 'require_claim = =x\nrequire_claim = a/b=\nrequire_claim = /a~1b/~0c=1\ngroups_claim = //\nusername_claim = /x/0\n'
put conf prompt.conf 'prompt = no quotes\nprompt = "\\n\\t"\nprompt = ""\n'
put conf args 'leeway=30\njwks_file=/etc/j\nalgorithms=ES256\nrequire_claim=acr=mfa\nnot_an_arg\n=\ndebug\n'
put conf comments.conf '   # indented comment\n\t\n;not a comment\nissuer=https://i#x\n'

# --- usermap: VALUE, newline, the file --------------------------------------
put usermap simple 'alice@example.com\nalice@example.com alice\nbob@example.com bob\n'
put usermap spaces 'Alice Smith\n# display names hold spaces\nAlice Smith\talice\n  Bob  Jones   bob  \n'
put usermap missing 'carol\nalice a\nbob b\n'
put usermap dup 'x\nx u1\ny u2\nx u3\n'
put usermap one-field 'x\nlonely\nx y\n'
put usermap crlf 'a\r\na alice\r\nb bob\r\n'
put usermap empty 'a\n'
put usermap nul 'a\na al\000ice\nb bob\n'
put usermap utf8 'J\303\274rgen\nJ\303\274rgen juergen\n\377\376 bad\n'
put usermap no-newline 'a\na alice'

# --- denylist: JTI, newline, SUB, newline, the file -------------------------
put denylist jti-hit 'jti-1\nalice\n# revoked\njti-1\n'
put denylist sub-hit 'jti-2\nmallory\n  mallory  \n'
put denylist miss 'jti-3\nalice\njti-1\nbob\n'
put denylist no-jti '\nalice\nalice\r\n'
put denylist none '\n\n#\n\n'
put denylist nul 'b\na\nx\000a\nb\n'
put denylist uuids '4f1c9a1e-0b7e-4c8e-9d1a-2f3b4c5d6e7f\nsub\n%s\n' \
    0b5e0f94-3c1b-4a2e-8e4d-8a3c2b1d0e9f 4f1c9a1e-0b7e-4c8e-9d1a-2f3b4c5d6e7f

# --- conv: FLAGS, then the answers to the module's prompts -------------------
tok=eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjLTEifQ.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl
put conv one '0%s' "$tok"
put conv three-parts '0eyJhbGciOiJFUzI1NiJ9\\\n.eyJzdWIiOiJhIn0\\\n.c2ln'
put conv empty '0'
put conv only-backslash '0\\\n\\\n%s' "$tok"
put conv runs-out '0abc\\'
put conv conv-fails '2abc\\'
put conv too-big '1%0300d' 1
put conv parts-too-big '1%0200d\\\n%0100d' 1 2
put conv nul '0ab\000c\\\nd'
put conv ssh-cut '0%01023d\n%s' 7 "$tok"
put conv many '0%s' "$(i=0; while [ $i -lt 20 ]; do printf 'a\\\n'; i=$((i + 1)); done)"

# --- profile: PROFILE, newline, the file --------------------------------------
put profile default '\nissuer = https://idp.example/realms/r\nclient_id = pam-bearer\n'
put profile profiles 'work\n# defaults\nscope = openid offline_access\n[profile work]\nissuer = https://idp.example\nclient_id = c\naudience = ssh\nresource = https://api.example/\nstore = file\nca_file = /etc/ssl/ca.pem\ntimeout = 20\n[profile home]\nissuer = http://127.0.0.1:8080\nclient_id = h\n'
put profile secret 'c\n[profile c]\nissuer = https://i\nclient_id = c\nclient_secret = s3cr3t\nclient_auth = client_secret_post\n'
put profile bad 'x\n[profile x\n[profile]\n[profile x]\nissuer\nstore = keyring\ntimeout = 0\ntimeout = 301\nclient_auth = none\nunknown = 1\n'
put profile missing-section 'nope\n[profile other]\nissuer = https://i\nclient_id = c\n'
put profile bad-profile '.hidden\nissuer = https://i\nclient_id = c\n'
put profile crlf 'p\r\n[profile p]\r\nissuer = https://i\r\nclient_id = c\r\n'
put profile nul '\nissuer = https://i\000\nclient_id = c\n'
put profile quotes '\nissuer = "https://i"\nclient_id = c d\nscope = "a b"\n'

# --- cache: the file (profile default, issuer, client_id, scope, audience) --
cache_head='bearer-token-cache 1\nissuer=https://idp.example/realms/r\nclient_id=pam-bearer\nscope=openid offline_access\naudience=ssh\n'
put cache good "${cache_head}expires_at=1800003600\nobtained_at=1800000000\naccess_token=eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n"
put cache other-scope 'bearer-token-cache 1\nissuer=https://idp.example/realms/r\nclient_id=pam-bearer\nscope=openid\naudience=ssh\nexpires_at=1\nobtained_at=0\naccess_token=t\n'
put cache no-audience 'bearer-token-cache 1\nissuer=https://idp.example/realms/r\nclient_id=pam-bearer\nscope=openid offline_access\nexpires_at=1\nobtained_at=0\naccess_token=t\n'
put cache resource "${cache_head}resource=https://api.example/\nexpires_at=1\nobtained_at=0\naccess_token=t\n"
put cache dup-key "${cache_head}scope=x\nexpires_at=1\nobtained_at=0\naccess_token=t\n"
put cache big-time "${cache_head}expires_at=999999999999\nobtained_at=0000000000000\naccess_token=t\n"
put cache no-newline "${cache_head}expires_at=1\nobtained_at=0\naccess_token=t"
put cache bad-magic 'bearer-token-cache 2\naccess_token=t\n'
put cache unknown-key "${cache_head}refresh_token=r\nexpires_at=1\nobtained_at=0\naccess_token=t\n"
put cache nul-token "${cache_head}expires_at=1\nobtained_at=0\naccess_token=a\000b\n"

# --- session: the stored JSON ----------------------------------------------
put session full '{"v":1,"refresh_token":"rt-abc.def","token_endpoint":"https://idp.example/token","revocation_endpoint":"https://idp.example/revoke","subject":"248289761001","username":"alice","logged_in_at":1800000000}'
put session minimal '{"refresh_token":"","token_endpoint":"https://t","logged_in_at":0}'
put session escapes '{"refresh_token":"a\\"b\\\\c\\u00e9\\ud83d\\ude00","token_endpoint":"https://t","subject":"\\u202e","logged_in_at":1.0e9}'
put session null-members '{"refresh_token":"r","token_endpoint":"https://t","revocation_endpoint":null,"subject":1,"username":[],"logged_in_at":1800000000}'
put session dup '{"refresh_token":"r","refresh_token":"s","token_endpoint":"https://t","logged_in_at":1}'
put session bad-time '{"refresh_token":"r","token_endpoint":"https://t","logged_in_at":-1}'
put session nul-escape '{"refresh_token":"a\\u0000b","token_endpoint":"https://t","logged_in_at":1}'
put session not-object '["refresh_token"]'
put session deep '{"refresh_token":"r","token_endpoint":"https://t","logged_in_at":1,"x":[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]}'

# --- oauth: OP STATUS BODY [NUL STATUS BODY]... (fuzz_oauth.c) --------------
disc='{"issuer":"https://idp.example/realms/r","device_authorization_endpoint":"https://idp.example/device","token_endpoint":"https://idp.example/token","revocation_endpoint":"https://idp.example/revoke","jwks_uri":"https://idp.example/certs"}'
put oauth discovery 'a0%s' "$disc"
put oauth discovery-other-issuer 'a0{"issuer":"https://idp.example/realms/r/","token_endpoint":"https://t"}'
put oauth discovery-http-endpoint 'a0{"issuer":"https://idp.example/realms/r","token_endpoint":"http://evil.example/token","jwks_uri":null}'
put oauth discovery-loopback 'a0{"issuer":"https://idp.example/realms/r","token_endpoint":"http://127.0.0.1:8080/t","device_authorization_endpoint":"http://[::1]/d"}'
put oauth discovery-404 'a8<html>not found</html>'
dev='{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT","verification_uri":"https://idp.example/device","verification_uri_complete":"https://idp.example/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}'
put oauth device 'b0%s' "$dev"
put oauth device-confidential '\3420%s' "$dev"
put oauth device-google 'b0{"device_code":"d","user_code":"u","verification_url":"https://www.google.com/device","expires_in":"1800"}'
put oauth device-bad-user-code 'b0{"device_code":"d","user_code":"\\u001b[2J","verification_uri":"https://v","expires_in":10,"interval":0}'
put oauth device-error 'b1{"error":"invalid_client","error_description":"client-SECRET-3f9a is wrong"}'
put oauth device-denied 'b3{"error":"access_denied"}'
tok='{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln","token_type":"Bearer","expires_in":300,"refresh_token":"rt-2","id_token":"id.t.x","scope":"openid offline_access"}'
put oauth poll-ok 'c0%s' "$tok"
put oauth poll-pending 'c1{"error":"authorization_pending"}'
put oauth poll-github-200-error 'c0{"error":"slow_down","interval":10}'
put oauth poll-dpop 'c0{"access_token":"a","token_type":"DPoP"}'
put oauth poll-newline-token 'c0{"access_token":"a\\nusername=root","token_type":"bearer","expires_in":1e3}'
put oauth wait-sequence 'd1{"error":"authorization_pending"}\0001{"error":"slow_down"}\0005\0004{}\0000%s' "$tok"
put oauth wait-expired 'd1{"error":"authorization_pending"}\0001{"error":"expired_token"}'
put oauth wait-denied 'd2{"error":"access_denied","error_uri":"https://x"}'
put oauth refresh-ok 'e0%s' "$tok"
put oauth refresh-no-rotation 'e0{"access_token":"a","expires_in":60}'
put oauth refresh-invalid-grant 'e1{"error":"invalid_grant","error_description":"Token is not active"}'
put oauth refresh-bare-400 'e1'
put oauth refresh-lemonldap 'e1{"error":"invalid_request"}'
put oauth refresh-500 'e5{"error":"server_error"}'
put oauth refresh-echo-token 'e2{"error":"invalid_client","error_description":"refresh-SECRET-77c1"}'
put oauth refresh-confidential '\3440%s' "$tok"
# An IdP that echoes what we sent into "error" (found by this target):
# the message must not quote the refresh token, device code or secret.
put oauth echo-refresh-in-error 'e1{"error":"refresh-SECRET-77c1"}'
put oauth echo-device-code-500 'c5{"error":"x device-SECRET-b2e4"}'
put oauth echo-secret-in-error '\3421{"error":"client-SECRET-3f9a"}'
put oauth echo-revoke-error 'f1{"error":"refresh-SECRET-77c1"}'
# A secret the IdP puts in another member is its own doing (quoted as is).
put oauth echo-secret-in-token-type '\3440{"access_token":"a","token_type":"client-SECRET-3f9a"}'
# "\x9c" + "lient-SECRET-..." in a message is an escape, not an echo.
put oauth escape-not-echo '\3440{"access_token":"a","token_type":"\234lient-SECRET-3f9a"}'
put oauth revoke-ok 'f0'
put oauth revoke-error 'f1{"error":"unsupported_token_type"}'
put oauth redirect 'e7Location: https://evil'

# --- git: credential input on stdin ------------------------------------------
put git get 'protocol=https\nhost=git.example.com\n\n'
put git capability 'capability[]=authtype\nprotocol=https\nhost=git.example.com\npath=org/repo.git\n\n'
put git erase 'protocol=https\nhost=h\nusername=alice\npassword=eyJ.old.token\n\n'
put git credential 'capability[]=authtype\nauthtype=Bearer\ncredential=eyJ.x.y\nprotocol=https\nhost=h\n\n'
put git http 'protocol=http\nhost=h\n\n'
put git dup 'username=a\nusername=b\npassword=p\npassword=q\n\n'
put git no-blank 'protocol=https\nhost=h'
put git crlf 'protocol=https\r\nhost=h\r\n\r\n'
put git nul 'protocol=https\000\nusername=a\000b\n\n'
put git empty-values 'protocol=\nusername=\npassword=\n=\nnoequals\n\n'
put git after-blank 'protocol=https\n\nusername=root\n'

# --- askpass: the prompt ----------------------------------------------------
put askpass first 'Bearer token: '
put askpass ssh-prefix '(alice@host.example) Bearer token: '
put askpass next 'Bearer token (continued at byte 1000): '
put askpass next-prefix '(root@h) Bearer token (continued at byte 2000): '
put askpass zero 'Bearer token (continued at byte 0): '
put askpass huge 'Bearer token (continued at byte 99999999999999999999999): '
put askpass sign 'Bearer token (continued at byte -1): '
put askpass password "alice@host's password: "
put askpass hostkey 'The authenticity of host '"'"'h (1.2.3.4)'"'"' can'"'"'t be established.\nAre you sure you want to continue connecting (yes/no/[fingerprint])? '
put askpass paren '(a) (b) Bearer token: '
put askpass custom 'Token: '

for t in $targets; do
	rm -rf "$here/corpus/$t"
	mkdir -p "$here/corpus/$t"
	cp "$tmp/out/$t"/* "$here/corpus/$t/"
	echo "$0: $(find "$here/corpus/$t" -type f | wc -l) seeds in" \
	    "corpus/$t"
done
