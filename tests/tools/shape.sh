#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Fails when a C source of common/, pam/ or helper/ is out of shape (the
# README's "Hacking" rules): a line over 80 columns (a tab counts up to
# the next multiple of 8), a file over 600 lines, a function over 80
# lines, counted from its name line to its closing brace (KNF: the name
# starts a line, the braces of the body stand alone in column 0).
# Prints file:line: what, for each.  Exit 0: none, 1: some, 99: no
# sources.
#
# The exceptions are listed below by name.  An exception that no longer
# applies (the file or function is back in shape, or gone) fails too, so
# that the lists only shrink.

top=${PB_SRCDIR:-${srcdir:-.}/..}

# Files allowed over 600 lines: tables and help texts, which read best
# whole, and files not split yet.
long_files='
'
# file:function allowed over 80 lines (tables aside, none should be).
long_functions='
'
# Files being reshaped (issue 9) and not checked at all until they are:
# empty this list as they land.
pending='
'

if ! ls "$top"/common/*.c >/dev/null 2>&1; then
	echo "shape.sh: no C sources under $top/common" >&2
	exit 99
fi

files=$(cd "$top" && find common pam helper -name '*.[ch]' -type f \
    2>/dev/null | LC_ALL=C sort)

# shellcheck disable=SC2086 # one word per file; paths have no spaces
out=$(cd "$top" && awk -v long_files="$long_files" \
    -v long_functions="$long_functions" -v pending="$pending" '
function listed(list, key) {
	return index(list, "\n" key "\n") > 0
}
function cols(s,	n, i) {
	n = 0
	for (i = 1; i <= length(s); i++)
		n = substr(s, i, 1) == "\t" ? n + 8 - n % 8 : n + 1
	return n
}
# A finding, held back for a pending file.
function bad(line, what) {
	nbad++
	if (!listed(pending, file))
		printf "%s:%d: %s\n", file, line, what
}
function endfile() {
	if (file == "")
		return
	if (last > 600 && !listed(long_files, file))
		bad(last, last " lines (at most 600)")
	else if (last <= 600 && listed(long_files, file))
		bad(last, last " lines: take it off long_files")
	if (listed(pending, file) && nbad == 0)
		printf "%s: in shape: take it off pending\n", file
	seen[file] = 1
}
# Every name of list that no file of this run bears.
function gone(list, what,	n, i, k, f) {
	n = split(list, k, "\n")
	for (i = 1; i <= n; i++) {
		if (k[i] == "")
			continue
		f = k[i]
		sub(/:.*/, "", f)
		if (!(f in seen))
			printf "%s: no such file: take it off %s\n", k[i], what
		else if (what == "long_functions" && !(k[i] in fns))
			printf "%s: no such function: take it off %s\n", \
			    k[i], what
	}
}
FNR == 1 {
	endfile()
	file = FILENAME
	nbad = start = body = 0
}
{
	last = FNR
	if (cols($0) > 80)
		bad(FNR, cols($0) " columns (at most 80)")
}
/^[A-Za-z_][A-Za-z0-9_]*\(/ && !body {
	name = $0
	sub(/\(.*/, "", name)
	start = FNR
	next
}
# A prototype, not a definition.
start && !body && /;[[:space:]]*$/ {
	start = 0
	next
}
/^\{/ && !body {
	if (!start)
		bad(FNR, "a body with no name line before it (KNF)")
	body = 1
	next
}
body && /^\}/ {
	n = FNR - start + 1
	key = file ":" name
	fns[key] = 1
	if (start && n > 80 && !listed(long_functions, key))
		bad(start, name "() is " n " lines (at most 80)")
	else if (start && n <= 80 && listed(long_functions, key))
		bad(start, name "() is " n " lines: take it off " \
		    "long_functions")
	start = body = 0
}
END {
	endfile()
	gone(long_files, "long_files")
	gone(long_functions, "long_functions")
	gone(pending, "pending")
}' $files)

n=$(printf '%s\n' "$files" | grep -c .)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "shape.sh: out of shape (80 columns, 600 lines a file, 80 a" \
	    "function; see the lists in tests/tools/shape.sh)" >&2
	exit 1
fi
echo "shape.sh: $n files under common/ pam/ helper/ in shape"
exit 0
