#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# mkvectors.sh OUTDIR MKTOKEN
#
# Make the test keys in OUTDIR with MKTOKEN (tests/tools/mktoken), as
# OpenSSH's mktestdata.sh does: nothing secret is committed, every run makes
# fresh keys.  Tests find the directory through $PB_TESTDATA.
#
#   rsa2048.pem rsa2048b.pem rsa1024.pem rsa3072.pem   RSA private keys
#   ec256.pem ec384.pem ec521.pem ed25519.pem          EC and Ed25519 keys
#   hmac32.key hmac64.key    HMAC secrets of 32 and 64 bytes, mode 0600:
#                            lower-case hex text without a newline, so the
#                            "one trailing newline is dropped" rule of
#                            hmac_secret_file never shortens them
#   jwks.json                the public keys:
#       kid "rsa1"     rsa2048   alg RS256, use sig
#       kid "ec1"      ec256
#       kid "ec384"    ec384
#       kid "ec521"    ec521
#       kid "ed1"      ed25519
#       kid "rsa-pss"  rsa2048b  alg PS256
#     (rsa1024 and rsa3072 are not in it.)
#
# RSA key generation is the slow part (about a second in all): only four
# RSA keys are made, two of them in the background.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 OUTDIR MKTOKEN" >&2
	exit 2
fi
out=$1
mk=$2
case $mk in
*/*) ;;
*) mk=./$mk ;;
esac
if [ ! -x "$mk" ]; then
	echo "$0: $mk is not executable" >&2
	exit 2
fi

mkdir -p "$out"
umask 077

# The slow keys in parallel; wait for each and check its status.
"$mk" genkey rsa3072 "$out/rsa3072.pem" &
p1=$!
"$mk" genkey rsa2048 "$out/rsa2048b.pem" &
p2=$!
"$mk" genkey rsa2048 "$out/rsa2048.pem"
"$mk" genkey rsa1024 "$out/rsa1024.pem"
for t in ec256 ec384 ec521 ed25519; do
	"$mk" genkey "$t" "$out/$t.pem"
done
wait "$p1"
wait "$p2"

# hexkey BYTES FILE: 2*BYTES hex characters of /dev/urandom, no newline.
hexkey() {
	dd if=/dev/urandom bs="$1" count=1 2>/dev/null |
	    od -An -v -tx1 | tr -d ' \n' >"$2.tmp"
	n=$(wc -c <"$2.tmp" | tr -d ' ')
	if [ "$n" -ne $(($1 * 2)) ]; then
		echo "$0: short read from /dev/urandom for $2" >&2
		exit 1
	fi
	chmod 600 "$2.tmp"
	mv -f "$2.tmp" "$2"
}
hexkey 16 "$out/hmac32.key"
hexkey 32 "$out/hmac64.key"

"$mk" jwks \
	--kid rsa1 --alg RS256 --use sig "$out/rsa2048.pem" \
	--kid ec1 "$out/ec256.pem" \
	--kid ec384 "$out/ec384.pem" \
	--kid ec521 "$out/ec521.pem" \
	--kid ed1 "$out/ed25519.pem" \
	--kid rsa-pss --alg PS256 "$out/rsa2048b.pem" >"$out/jwks.json.tmp"
chmod 644 "$out/jwks.json.tmp"
mv -f "$out/jwks.json.tmp" "$out/jwks.json"
