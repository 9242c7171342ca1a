#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# mkcorpus.sh [MKTOKEN]
#
# Regenerate the token verify seeds next to this script: jwks.json (public
# keys, read by fuzz_verify.c) and corpus/verify/ (tokens signed by those
# keys, valid at fuzz_verify.c's PB_FUZZ_NOW = 1800000000, plus broken
# variants and JSON seeds).  The private keys live in a temporary directory
# and are deleted: only public material is committed, so jwks.json and
# corpus/verify/ always change together.  MKTOKEN is tests/tools/mktoken
# (default: $PB_MKTOKEN, else build/tests/tools/mktoken); build it with
# "make -C build/tests tools/mktoken".  The other targets' seeds come from
# mkseeds.sh.
#
# The policy these tokens satisfy is the one fuzz_verify.c configures:
# issuer https://issuer.example (alias https://alias.example), audience
# pam-bearer-fuzz, scope ssh, a group "Domain Admins" or ops in
# /realm_access/roles, acr=mfa, max_token_age 3600.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mk=${1:-${PB_MKTOKEN:-$here/../../build/tests/tools/mktoken}}
if [ ! -x "$mk" ]; then
	echo "$0: $mk is not executable (build tests/tools/mktoken first)" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
out=$tmp/corpus
mkdir "$out"

"$mk" genkey rsa2048 "$tmp/rsa.pem"
"$mk" genkey rsa2048 "$tmp/rsa-enc.pem"
"$mk" genkey ec256 "$tmp/ec.pem"
"$mk" genkey ed25519 "$tmp/ed.pem"

# rsa-1 has no alg, so it serves RS256 and PS256; rsa-enc is an encryption
# key, which the verifier must skip.
"$mk" jwks --kid rsa-1 --use sig "$tmp/rsa.pem" \
    --kid ec-1 --alg ES256 --use sig "$tmp/ec.pem" \
    --kid ed-1 --alg EdDSA "$tmp/ed.pem" \
    --kid rsa-enc --alg RSA-OAEP --use enc "$tmp/rsa-enc.pem" \
    >"$tmp/jwks.json"

iat=1799999900
exp=1800003600
good='{"iss":"https://issuer.example","sub":"alice","aud":"pam-bearer-fuzz",'
good=$good'"exp":'$exp',"nbf":'$iat',"iat":'$iat',"jti":"jti-1",'
good=$good'"scope":"openid ssh","realm_access":{"roles":["dev","ops"]},'
good=$good'"acr":"mfa"}'
# RFC 9068 shape: typ at+jwt, aud array, scp array, one group as a string.
at='{"iss":"https://alias.example","sub":"bob","aud":["urn:x","pam-bearer-fuzz"],'
at=$at'"exp":'$exp',"iat":'$iat',"client_id":"c","jti":"jti-2",'
at=$at'"scp":["openid","ssh"],"realm_access":{"roles":"Domain Admins"},'
at=$at'"acr":"mfa","amr":["pwd","mfa"]}'

# sign NAME MKTOKEN-SIGN-ARG...: corpus/NAME, without mktoken's newline.
sign() {
	name=$1
	shift
	tok=$("$mk" sign "$@")
	printf '%s' "$tok" >"$out/$name"
}

sign rs256.jwt --alg RS256 --key "$tmp/rsa.pem" --kid rsa-1 --claims "$good"
sign ps256.jwt --alg PS256 --key "$tmp/rsa.pem" --kid rsa-1 --claims "$good"
sign es256.jwt --alg ES256 --key "$tmp/ec.pem" --kid ec-1 --claims "$good"
sign eddsa.jwt --alg EdDSA --key "$tmp/ed.pem" --kid ed-1 --claims "$good"
# No kid: allowed when exactly one key fits the algorithm.
sign ed25519-nokid.jwt --alg Ed25519 --key "$tmp/ed.pem" --typ "" \
    --claims "$good"
sign es256-at-jwt.jwt --alg ES256 --key "$tmp/ec.pem" --kid ec-1 \
    --typ at+jwt --claims "$at"
# Signed correctly, rejected after the signature.
sign expired.jwt --alg RS256 --key "$tmp/rsa.pem" --kid rsa-1 \
    --claims "$(printf '%s' "$good" | sed 's/"exp":[0-9]*/"exp":1799990000/')"
sign wrong-aud.jwt --alg ES256 --key "$tmp/ec.pem" --kid ec-1 \
    --claims "$(printf '%s' "$good" | sed 's/pam-bearer-fuzz/someone-else/')"
sign dup-sub.jwt --alg EdDSA --key "$tmp/ed.pem" --kid ed-1 \
    --claims "$(printf '%s' "$good" | sed 's/"sub":"alice"/"sub":"alice","sub":"root"/')"
# Rejected before the signature.
sign alg-none.jwt --alg none --header '{"alg":"none","typ":"JWT"}' \
    --claims "$good"
sign crit.jwt --alg ES256 --key "$tmp/ec.pem" \
    --header '{"alg":"ES256","kid":"ec-1","crit":["exp"],"exp":1}' \
    --claims "$good"
# Algorithm confusion: HS256 keyed with the RSA public key's PEM.
openssl pkey -in "$tmp/rsa.pem" -pubout -out "$tmp/rsa-pub.pem" 2>/dev/null
sign hs256-confusion.jwt --alg HS256 --secret "$tmp/rsa-pub.pem" \
    --kid rsa-1 --claims "$good"
# Not strict base64url, and not three segments.
printf '%s==' "$(cat "$out/es256.jwt")" >"$out/padded.jwt"
printf '%s' "$(cut -d. -f1,2 "$out/rs256.jwt")" >"$out/two-segments.jwt"
# Seeds for the JSON, claims and JWK Set parsers.
printf '%s' "$good" >"$out/claims.json"
cp "$tmp/jwks.json" "$out/jwks.json"

rm -rf "$here/corpus/verify"
mkdir -p "$here/corpus/verify"
cp "$out"/* "$here/corpus/verify/"
cp "$tmp/jwks.json" "$here/jwks.json"
echo "$0: wrote $here/jwks.json and" \
    "$(find "$here/corpus/verify" -type f | wc -l) seeds in" \
    "$here/corpus/verify"
