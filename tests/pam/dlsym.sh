#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# dlsym.sh: the built module exports exactly the five PAM entry points
# (STYLE.md 2.1, the pam-u2f exported-symbols test), and pulls in neither
# libcurl nor glib, gio, gobject or libsecret (DESIGN.md: sshd and sudo
# load it).  Needs nm and readelf (binutils); skips (77) without them.
set -u

: "${PB_MODULE:?dlsym.sh: set PB_MODULE to the built pam_bearer.so}"
if [ ! -f "$PB_MODULE" ]; then
	echo "dlsym.sh: no module at $PB_MODULE" >&2
	exit 99
fi
for t in nm readelf; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "dlsym.sh: no $t: skipping"
		exit 77
	fi
done

fail=0
want='pam_sm_acct_mgmt
pam_sm_authenticate
pam_sm_close_session
pam_sm_open_session
pam_sm_setcred'

# Defined dynamic symbols, names only, without @VERSION suffixes.
if ! syms=$(nm -D --defined-only "$PB_MODULE"); then
	echo "dlsym.sh: nm failed on $PB_MODULE" >&2
	exit 99
fi
got=$(printf '%s\n' "$syms" | awk 'NF >= 3 { print $3 } NF == 2 { print $2 }' |
    sed 's/@.*//' | sort -u)
if [ "$got" != "$want" ]; then
	echo "dlsym.sh: FAIL: $PB_MODULE exports:"
	printf '%s\n' "$got" | sed 's/^/  /'
	echo "dlsym.sh: expected exactly:"
	printf '%s\n' "$want" | sed 's/^/  /'
	fail=1
else
	echo "dlsym.sh: exports exactly the five pam_sm_* entry points"
fi

if ! dyn=$(readelf -d "$PB_MODULE"); then
	echo "dlsym.sh: readelf failed on $PB_MODULE" >&2
	exit 99
fi
needed=$(printf '%s\n' "$dyn" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
if [ -z "$needed" ]; then
	echo "dlsym.sh: FAIL: no NEEDED entries (is this the shared object?)"
	fail=1
fi
bad=$(printf '%s\n' "$needed" |
    grep -E '^lib(curl|glib|gio|gobject|gmodule|gthread|secret)[-.]' || true)
if [ -n "$bad" ]; then
	echo "dlsym.sh: FAIL: $PB_MODULE needs:"
	printf '%s\n' "$bad" | sed 's/^/  /'
	fail=1
else
	echo "dlsym.sh: NEEDED: $(printf '%s\n' "$needed" | tr '\n' ' ')"
fi
exit "$fail"
