#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Fails when the C sources of common/, pam/, helper/, tests/ or bench/
# call a function the house style bans (STYLE.md 2.2): unbounded copies
# and formatting, string parsers without error reporting, getenv (use
# secure_getenv), and realloc (it leaves the old block, which may hold a
# secret, unwiped).  Prints file:line: text for each call.  Exit 0: none,
# 1: some, 99: no sources.
#
# Lines that are comments (starting with "/*", "*" or "//") are not
# checked, so a comment may name a banned function.

top=${PB_SRCDIR:-${srcdir:-.}/..}
banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|strtok|getenv|realloc'

if ! ls "$top"/common/*.c >/dev/null 2>&1; then
	echo "banned.sh: no C sources under $top/common" >&2
	exit 99
fi

# The tests and benchmarks too: they run as root beside the module.
files=$(find "$top/common" "$top/pam" "$top/helper" "$top/tests" \
    "$top/bench" -name node_modules -prune -o -name '*.[ch]' -type f \
    -print 2>/dev/null | sort)

# shellcheck disable=SC2086 # one word per file; paths have no spaces
hits=$(grep -nHE "\\<($banned)[[:space:]]*\\(" $files |
    grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/\*|\*|//)')

n=$(printf '%s\n' "$files" | grep -c .)
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed "s|^$top/||"
	echo "banned.sh: banned calls found (STYLE.md 2.2: $banned)" >&2
	exit 1
fi
echo "banned.sh: $n files under common/ pam/ helper/ tests/ bench/ clean"
exit 0
