#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Lints the man pages with "mandoc -T lint -W warning": any message fails.
# The pages are $PB_MAN_PAGES (default: every *.[1-8] page) in $srcdir.
# Exit 0: clean, 1: messages (printed), 77: no mandoc (skip), 99: no pages.

dir=${srcdir:-.}
mandoc=${MANDOC:-mandoc}

if ! command -v "$mandoc" >/dev/null 2>&1; then
	echo "lint.sh: $mandoc not found, skipping" >&2
	exit 77
fi

if [ -n "$PB_MAN_PAGES" ]; then
	pages=$PB_MAN_PAGES
else
	pages=$(cd "$dir" && ls ./*.[1-8] 2>/dev/null)
fi
if [ -z "$pages" ]; then
	echo "lint.sh: no man pages in $dir" >&2
	exit 99
fi

status=0
for p in $pages; do
	if [ ! -f "$dir/$p" ]; then
		echo "lint.sh: $dir/$p is missing" >&2
		status=1
		continue
	fi
	# mandoc's exit status ignores messages below its -W level; any
	# output at all counts as a failure here.
	out=$("$mandoc" -T lint -W warning "$dir/$p" 2>&1)
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		status=1
	else
		echo "ok: $p"
	fi
done
exit $status
