#!/bin/sh
# Every command's --help ends with two example command lines of that
# command, and every option an example uses is one the help lists.
# usage: help_examples.sh VGAE
set -u
vgae=$1
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
commands=$("$vgae" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z]\{2,\}\) .*/\1/p')
# the commands with subcommands of their own
groups="vae seq"
for g in $groups; do
    [ -n "$("$vgae" $g --help | sed -n 's/^  \([a-z]\{2,\}\)  .*/\1/p')" ] || { echo "FAIL: no $g command list"; exit 1; }
done
[ -n "$commands" ] || { echo "FAIL: no command list"; exit 1; }
check_help() {
    name=$1
    shift
    "$@" --help >"$tmp/help" 2>&1 || { fail "$name --help failed"; return; }
    tail -n 3 "$tmp/help" >"$tmp/last"
    [ "$(sed -n 1p "$tmp/last")" = "Examples:" ] || { fail "$name: help does not end with Examples:"; return; }
    n=$(sed -n '2,3p' "$tmp/last" | grep -c "^  vgae $name\( \|$\)")
    [ "$n" -eq 2 ] || [ "$name" = "" ] || { fail "$name: the last two lines are not 'vgae $name' commands"; return; }
    for opt in $(sed -n '2,3p' "$tmp/last" | grep -o -- ' --[a-z0-9-]*' | sort -u); do
        grep -Eq -- "^  (-[a-z], )?(--\\[no-\\])?${opt#--}( |$)|^  (-[a-z], )?$opt( |$)" "$tmp/help" ||
            fail "$name: its example uses $opt, which its help does not list"
    done
    ok "$name --help ends with two examples"
}
"$vgae" --help | tail -n 3 | head -n 1 | grep -qx "Examples:" && ok "vgae --help ends with examples" ||
    fail "vgae --help has no examples"
for c in $commands; do
    case " $groups " in *" $c "*) continue ;; esac
    check_help "$c" "$vgae" "$c"
done
for g in $groups; do
    "$vgae" $g --help | tail -n 3 | head -n 1 | grep -qx "Examples:" && ok "vgae $g --help ends with examples" ||
        fail "vgae $g --help has no examples"
    for c in $("$vgae" $g --help | sed -n 's/^  \([a-z]\{2,\}\)  .*/\1/p'); do
        check_help "$g $c" "$vgae" $g "$c"
    done
done
echo "$fails failures"
[ "$fails" -eq 0 ]
