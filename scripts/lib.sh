# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Shared helpers for scripts/check and scripts/demo: the Debian package list,
# installing what is missing, logging, and configuring a build directory.
# Source it; it defines functions and variables only.

# The Debian packages the build and the tests need, one per line, so that an
# issue that needs one more adds one line here and nowhere else.
PB_PACKAGES=(
	build-essential
	autoconf
	automake
	libtool
	autoconf-archive	# AX_APPEND_COMPILE_FLAGS, AX_ADD_FORTIFY_SOURCE
	pkg-config
	libssl-dev
	openssl			# tests/fuzz/mkcorpus.sh, test vectors
	libcjson-dev
	libpam0g-dev
	check
	libcurl4-openssl-dev
	libsecret-1-dev
	libqrencode-dev		# QR codes for bearer-token login (optional)
	valgrind
	mandoc
	clang			# the libFuzzer target
	libclang-rt-14-dev	# libFuzzer and the sanitizer runtimes for clang
	shellcheck		# the "shell lint" suite
	curl			# tests/idp/selftest.sh
	dbus			# dbus-run-session, dbus-send: tests/helper/store.sh
	gnome-keyring		# the Secret Service of tests/helper/store.sh
	libsecret-tools		# secret-tool: tests/helper/session.sh
	strace			# tests/helper/session.sh: no secret in argv/env
	openssh-server		# sshd for tests/helper/ssh.sh
	openssh-client		# ssh: bearer-token ssh, tests/helper/ssh.sh
	pamtester		# scripts/demo: the PAM stack by hand
	sudo			# tests/system/sudo.sh: the real sudo
	libnss-wrapper		# tests/pam: a second uid-0 user for deny_users
	debhelper		# dpkg-buildpackage of debian/: tests/system
	lintian			# tests/system/packages.sh: no errors
	python3			# scripts/ptykeys, /dev/log in the ssh and sudo tests
	git			# tests/helper/git.sh: the real git
	chromium		# tests/idp/chromium.js: the browser login's browser
	xdg-utils		# xdg-open: bearer-token login --browser, its test
)

# Node.js runs the IdP fixture (tests/idp).  A Node that is already there
# (as on the CI machines, Node 20 with npm) is used as it is: Debian's
# nodejs and npm are installed only when no node is found at all.
PB_NODE_PACKAGES=(nodejs npm)

# Repository root (this file lives in scripts/).
PB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ -t 1 && -z ${NO_COLOR:-} ]]; then
	pb_c_bold=$'\e[1m' pb_c_red=$'\e[31m' pb_c_green=$'\e[32m'
	pb_c_yellow=$'\e[33m' pb_c_off=$'\e[0m'
else
	pb_c_bold='' pb_c_red='' pb_c_green='' pb_c_yellow='' pb_c_off=''
fi

# step MSG: announce what comes next.
step() { printf '%s==> %s%s\n' "$pb_c_bold" "$*" "$pb_c_off"; }
# ok MSG / warn MSG / fail MSG: report an outcome (fail does not exit).
ok() { printf '%s  ok%s   %s\n' "$pb_c_green" "$pb_c_off" "$*"; }
warn() { printf '%s  warn%s %s\n' "$pb_c_yellow" "$pb_c_off" "$*" >&2; }
fail() { printf '%s  FAIL%s %s\n' "$pb_c_red" "$pb_c_off" "$*" >&2; }
# die MSG: report and exit 1.
die() { fail "$*"; exit 1; }

# pb_ncpu: the number of processors, for make -j.
pb_ncpu() { nproc 2>/dev/null || echo 2; }

# pb_as_root CMD...: run CMD as root (directly, or through sudo).
pb_as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "not root and no sudo: cannot run: $*"
	fi
}

# pb_missing_packages PKG...: print the packages that are not installed.
pb_missing_packages() {
	local p st
	for p in "$@"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $st == "install ok installed" ]] || printf '%s\n' "$p"
	done
}

# pb_install_deps: install what is missing of PB_PACKAGES (apt-get update
# runs first, only when something is missing).
pb_install_deps() {
	local -a missing
	command -v dpkg-query >/dev/null 2>&1 ||
	    die "dpkg-query not found: this script needs Debian (12) or a derivative"
	mapfile -t missing < <(pb_missing_packages "${PB_PACKAGES[@]}")
	if [[ ${#missing[@]} -eq 0 ]]; then
		ok "all ${#PB_PACKAGES[@]} Debian packages present"
		return 0
	fi
	step "installing ${#missing[@]} Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	pb_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
	    die "apt-get update failed"
	pb_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -q -y \
	    --no-install-recommends "${missing[@]}" ||
	    die "apt-get install failed: ${missing[*]}"
	mapfile -t missing < <(pb_missing_packages "${PB_PACKAGES[@]}")
	[[ ${#missing[@]} -eq 0 ]] || die "still missing: ${missing[*]}"
	ok "Debian packages installed"
}

# pb_install_idp: Node.js when missing, then the fixture's npm packages
# exactly as the lockfile pins them (npm ci), unless they are current.
pb_install_idp() {
	local idp=$PB_ROOT/tests/idp
	if ! command -v node >/dev/null 2>&1; then
		PB_PACKAGES+=("${PB_NODE_PACKAGES[@]}")
		pb_install_deps
	fi
	command -v npm >/dev/null 2>&1 || die "node is there but npm is not"
	if [[ -d $idp/node_modules && -f $idp/node_modules/.package-lock.json &&
	    ! $idp/package-lock.json -nt $idp/node_modules/.package-lock.json ]]
	then
		ok "IdP fixture packages present (node $(node --version))"
		return 0
	fi
	step "npm ci in tests/idp (node $(node --version))"
	(cd "$idp" && npm ci --no-audit --no-fund --loglevel=error) ||
	    die "npm ci failed in tests/idp"
	ok "IdP fixture packages installed"
}

# pb_unconfigure_in_tree: an in-tree build ("./configure && make" in the
# source tree, as a source install does) makes configure refuse the
# out-of-tree builds in build/.  The scripts build out of tree regardless,
# so they undo that build with "make distclean" (its objects and
# config.status; configure stays), and say so.  Nothing else is touched:
# "./configure && make" there makes it again.
pb_unconfigure_in_tree() {
	[[ -e $PB_ROOT/config.status ]] || return 0
	warn "the source tree is configured in place; running 'make distclean'" \
	    "in $PB_ROOT (these scripts build out of tree, in build/)"
	if [[ ! -f $PB_ROOT/Makefile ]] ||
	    ! make -C "$PB_ROOT" distclean >/dev/null; then
		fail "'make distclean' in $PB_ROOT failed; remove" \
		    "$PB_ROOT/config.status and the build's files by hand"
		return 1
	fi
}

# pb_autogen: generate configure when it is missing or older than
# configure.ac (after that, automake's rebuild rules keep the generated files
# current), after undoing an in-tree build (pb_unconfigure_in_tree).
pb_autogen() {
	pb_unconfigure_in_tree || return 1
	if [[ -x $PB_ROOT/configure &&
	    ! $PB_ROOT/configure.ac -nt $PB_ROOT/configure ]]; then
		return 0
	fi
	(cd "$PB_ROOT" && ./autogen.sh)
}

# pb_configure DIR [CONFIGURE-ARG...]: configure a build in DIR (created;
# relative to the repository root unless absolute).  A DIR configured before
# with the same arguments is kept as it is: its Makefiles rerun configure
# themselves when configure changes.
pb_configure() {
	local dir=$1 want have=
	shift
	[[ $dir == /* ]] || dir=$PB_ROOT/$dir
	pb_autogen || return 1
	mkdir -p "$dir" || return 1
	want=$(printf '%q ' "$@")
	[[ -f $dir/.pb-configure-args ]] && have=$(<"$dir/.pb-configure-args")
	if [[ -f $dir/config.status && -f $dir/Makefile && $have == "$want" ]]; then
		echo "$dir: configured already with: $want"
		return 0
	fi
	rm -f "$dir/.pb-configure-args"
	(cd "$dir" && "$PB_ROOT/configure" "$@") || return 1
	printf '%s' "$want" >"$dir/.pb-configure-args"
}

# pb_build DIR [CONFIGURE-ARG...]: configure DIR and run make there.
pb_build() {
	local dir=$1
	pb_configure "$@" || return 1
	[[ $dir == /* ]] || dir=$PB_ROOT/$dir
	make -C "$dir" -j"$(pb_ncpu)"
}
