#!/bin/sh
# The generated manual page has a section for every command and names every
# option of every command's help; man renders it without a warning.
# usage: man_page.sh VGAE.1 VGAE
set -u
page=$1
vgae=$2
shift 2
fails=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
grep -q '^\.TH VGAE 1' "$page" || { echo "FAIL: no .TH header"; exit 1; }
commands=$("$vgae" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z]\{2,\}\) .*/\1/p')
for c in $commands; do
    if [ "$c" = vae ]; then
        subs=$("$vgae" vae --help | sed -n 's/^  \([a-z]\{2,\}\)  .*/\1/p')
        for s in $subs; do set -- "$@" "vae $s"; done
    else
        set -- "$@" "$c"
    fi
done
for c in "$@"; do
    grep -q "^\\.SS \"vgae $c\"" "$page" || { echo "FAIL: no section for vgae $c"; fails=$((fails + 1)); continue; }
    # shellcheck disable=SC2086 # the command's words
    for opt in $("$vgae" $c --help | sed -n 's/^  \(-[a-z], \)\{0,1\}\(--[a-z0-9[-]*\).*/\2/p' | sed 's/\[no-\]//;s/\[//'); do
        esc=$(echo "$opt" | sed 's/-/\\\\-/g')
        grep -q -- "$esc" "$page" || { echo "FAIL: vgae $c: $opt is not in the page"; fails=$((fails + 1)); }
    done
done
if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$page" >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: man -l failed"; fails=$((fails + 1)); }
    [ -s "$tmp/err" ] && { echo "FAIL: man warns:"; cat "$tmp/err"; fails=$((fails + 1)); }
    grep -q "vgae linkpred" "$tmp/out" || { echo "FAIL: the rendered page lacks vgae linkpred"; fails=$((fails + 1)); }
fi
echo "$# commands, $fails failures"
[ "$fails" -eq 0 ]
