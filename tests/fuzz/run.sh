#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# run.sh [-t SECONDS] [-o OUTDIR] [-c CORPUS] TARGET...
#
# Run each libFuzzer target (a path such as fuzz/fuzz_conf) for SECONDS
# (default 30), one after another, on a fresh copy of its seed corpus
# CORPUS/NAME (NAME is the target's name without "fuzz_"), with
# LeakSanitizer on.  OUTDIR/NAME.log is the log, OUTDIR/NAME/ the working
# corpus and any crash, leak or timeout input.  Prints one line per target:
#
#   fuzz_conf: 123456 execs, cov 1234, ft 5678, corpus 50 (30 s): ok
#
# and exits 1 when any target has a sanitizer or libFuzzer report (the
# lines around it are printed), 0 otherwise.
#
# The targets (tests/fuzz/fuzz_*.c), each a parser that sees untrusted
# bytes:
#   verify    a token through the whole verifier (pb_jwt_verify)
#   jwks      the JWK Set loader and key selection (pb_jwks_parse)
#   conf      pam_bearer.conf and module arguments (pb_conf_load)
#   usermap   usermap_file (pb_usermap_lookup)
#   denylist  denylist_file (pb_denylist_check)
#   conv      the token read from the PAM conversation (pb_conv_token)
#   profile   the helper's INI config (pb_profile_load)
#   cache     the access token cache file (pb_token_cache_read)
#   session   the stored session JSON (session.c's stored_parse)
#   oauth     discovery, device authorization, token and error answers
#   git       git's credential input (git_credential.c's git_read)
#   askpass   the askpass prompt parser (askpass.c's module_prompt)
set -u

secs=30
out=fuzz-out
corpus=$(dirname "$0")/corpus
while getopts t:o:c: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	c) corpus=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-o OUTDIR] [-c CORPUS] TARGET..." >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
	echo "$0: no target" >&2
	exit 2
fi

# The largest input worth trying, per target (libFuzzer's default is 4096).
# conf: every line with an unknown key costs an edit distance to each key,
# so short inputs keep its rate up.
max_len() {
	case $1 in
	verify|jwks) echo 20000 ;;
	conf) echo 2048 ;;
	profile|usermap|denylist|cache) echo 8192 ;;
	oauth|session) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

# What a finding looks like in a log (fuzzutil.c prints "contract broken").
reports='runtime error:|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)'
reports="$reports|SUMMARY: |contract broken"

mkdir -p "$out" || exit 1
rc=0
for t in "$@"; do
	base=$(basename "$t")
	name=${base#fuzz_}
	log=$out/$name.log
	work=$out/$name
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts" || exit 1
	if [ -d "$corpus/$name" ]; then
		cp "$corpus/$name"/* "$work/corpus/" 2>/dev/null
	fi
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$t" -max_total_time="$secs" -max_len="$(max_len "$name")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	n=$(find "$work/corpus" -type f | wc -l)
	verdict=ok
	if [ "$st" -ne 0 ] || grep -Eq "$reports" "$log"; then
		verdict="FAILED (exit $st), see $log"
		rc=1
	fi
	echo "$base: ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}," \
	    "corpus $n ($secs s): $verdict"
	if [ "$verdict" != ok ]; then
		grep -E -B2 -A30 "==ERROR|$reports|fuzz: " "$log" | head -n 80
		ls -l "$work/artifacts"
	fi
done
exit $rc
