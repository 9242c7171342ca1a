#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# completion.sh: helper/completion/bearer-token, the bash completion,
# loaded into bash (without bash-completion, then with it when it is
# installed) and asked what it completes: every command that the built
# "bearer-token help" lists (a new command without completion fails
# here), every option its "help COMMAND" shows, the profile names of a
# test configuration, ssh's own completion after "bearer-token ssh"
# (bash-completion's _ssh), and nothing for the git-credential-bearer and
# bearer-askpass links.  Run by "make check" from tests/helper; by hand:
#
#   PB_BEARER_TOKEN=/abs/helper/bearer-token PB_HELPER_SRC=/abs/helper \
#   sh completion.sh
set -u

tl_name=completion.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=testlib.sh
. "$(dirname "$0")/testlib.sh"
: "${PB_BEARER_TOKEN:?completion.sh: set PB_BEARER_TOKEN to bearer-token}"
: "${PB_HELPER_SRC:?completion.sh: set PB_HELPER_SRC to the helper sources}"
comp=$PB_HELPER_SRC/completion/bearer-token
bashcomp=${PB_BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
if [ ! -x "$PB_BEARER_TOKEN" ] || [ ! -f "$comp" ]; then
	echo "completion.sh: no $PB_BEARER_TOKEN or $comp" >&2
	exit 99
fi
tl_need_tools "the completion is for bash" bash
tl_mktemp pb-completion
n=0
fails=0

# complete [--bc] LINE: what the completion offers for LINE (the cursor
# at its end, words split at blanks and "=" as readline does) in a fresh
# bash, one word a line, into $tmp/out; with --bc, bash-completion is
# loaded first.
complete_line() {
	pre=:
	if [ "$1" = --bc ]; then
		pre=". '$bashcomp'"
		shift
	fi
	HOME=$tmp XDG_CONFIG_HOME=$tmp/xdg bash --norc --noprofile -c '
		eval "$1"
		. "$2" || exit 99
		line=$3
		read -ra COMP_WORDS <<<"${line//=/ = }"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		COMPREPLY=()
		_bearer_token bearer-token "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' completion "$pre" "$comp" "$1" \
	    >"$tmp/out" 2>"$tmp/err"
}

# offers WHAT LINE WORD...: the completion of LINE includes every WORD.
offers() {
	what=$1 line=$2
	shift 2
	complete_line "$line"
	missing=
	for w in "$@"; do
		grep -qxF -e "$w" "$tmp/out" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then
		ok "$what"
	else
		nok "$what: '$line' misses$missing"
	fi
}

# The commands, as "bearer-token help" lists them (two-space indented
# lines after "commands:"; continuation lines are indented further).
"$PB_BEARER_TOKEN" help >"$tmp/help" 2>&1 || {
	echo "completion.sh: bearer-token help failed" >&2
	exit 99
}
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p' "$tmp/help")
if [ "$(echo "$cmds" | wc -w)" -lt 10 ]; then
	echo "completion.sh: cannot read the commands of bearer-token help" >&2
	exit 99
fi
# shellcheck disable=SC2086 # one word per command
offers "every command of bearer-token help" "bearer-token " $cmds help
# shellcheck disable=SC2086
offers "every command after help" "bearer-token help " $cmds

# Each command's options: those of its usage line and of the lines of
# its help that start with one (the option table), but not those of
# examples such as "git config --global".
for c in $cmds; do
	"$PB_BEARER_TOKEN" help "$c" >"$tmp/help.$c" 2>&1
	opts=$(sed -n -e 's/^usage: //p' -e '/^ *--/p' "$tmp/help.$c" |
	    grep -o -e '--[a-z][a-z-]*' | sort -u)
	# shellcheck disable=SC2086 # one word per option
	offers "the options of $c" "bearer-token $c --" --help $opts
done

# Profile names, from the default file and from --config; no other line
# of the file is taken for one.
mkdir -p "$tmp/xdg/bearer-token"
cat >"$tmp/xdg/bearer-token/config" <<'EOF'
# [profile commented]
[profile alpha]
issuer = https://idp.example/
  [ profile beta.x-1 ]
client_id = c
[profilenot]
EOF
printf '[profile gamma]\n' >"$tmp/other.conf"
complete_line "bearer-token get --profile "
if [ "$(sort "$tmp/out" | tr '\n' ' ')" = "alpha beta.x-1 " ]; then
	ok "--profile completes the [profile NAME] sections"
else
	nok "--profile completes the [profile NAME] sections"
fi
offers "--profile=NAME" "bearer-token login --profile=b" beta.x-1
offers "--profile of --config FILE" \
    "bearer-token status --config $tmp/other.conf --profile g" gamma
offers "--profile after ssh" "bearer-token ssh --profile a" alpha
offers "ssh's own options first" "bearer-token ssh --f" --fresh
offers "--store" "bearer-token get --store " auto secret-service file
offers "git-credential's operations" "bearer-token git-credential " \
    get store erase

# The links are run by git and ssh: no completion of their own.
if bash --norc --noprofile -c '. "$1" && complete -p bearer-token &&
    ! complete -p git-credential-bearer && ! complete -p bearer-askpass' \
    completion "$comp" >"$tmp/out" 2>"$tmp/err"; then
	ok "bearer-token completed, its links not"
else
	nok "bearer-token completed, its links not"
fi

# With bash-completion: "bearer-token ssh" hands over to ssh's completion
# (its -o options), and --config completes file names with _filedir.
if [ -f "$bashcomp" ]; then
	complete_line --bc "bearer-token ssh --profile alpha -o BatchM"
	if grep -qx 'BatchMode=\?' "$tmp/out"; then
		ok "ssh's completion after bearer-token ssh"
	else
		nok "ssh's completion after bearer-token ssh"
	fi
	offers "--config completes files with bash-completion" \
	    "bearer-token get --config $tmp/oth" "$tmp/other.conf"
else
	n=$((n + 1))
	echo "ok $n - # SKIP no $bashcomp (Debian: bash-completion)"
fi
tl_done
