#!/bin/sh
# Runs one vgae command line and checks its exit status, stderr and stdout.
#
# usage: check.sh [--status N] [--err ERE] [--out ERE]... [--needs-dataset NAME] -- VGAE ARGS...
#   --status N          expected exit status (default 0); 1 and 2 also require that
#                       stderr is exactly one line and stdout is empty
#   --err ERE           stderr must match this extended regular expression
#   --out ERE           some line of stdout must match it exactly (repeatable)
#   --needs-dataset D   skip (exit 77) unless dataset D is in one of $VGAE_DATA's folders
set -u
status=0
err=""
outs=""
nl='
'
while [ $# -gt 0 ]; do
    case "$1" in
    --status) status=$2; shift 2 ;;
    --err) err=$2; shift 2 ;;
    --out) outs="$outs$2$nl"; shift 2 ;;
    --needs-dataset)
        found=""
        old_ifs=$IFS; IFS=:
        for d in ${VGAE_DATA:-}; do [ -n "$d" ] && [ -d "$d/$2" ] && found=1; done
        IFS=$old_ifs
        if [ -z "$found" ]; then echo "SKIP: dataset $2 not in VGAE_DATA"; exit 77; fi
        shift 2 ;;
    --) shift; break ;;
    *) echo "check.sh: unknown option $1" >&2; exit 99 ;;
    esac
done

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/out" 2>"$tmp/err"
got=$?
fail=0
say() { echo "FAIL: $*"; fail=1; }

[ "$got" -eq "$status" ] || say "exit status $got, expected $status"
if [ "$status" -ne 0 ]; then
    lines=$(wc -l <"$tmp/err")
    [ "$lines" -eq 1 ] || say "stderr has $lines lines, expected exactly 1"
    [ -s "$tmp/out" ] && say "stdout is not empty on failure"
fi
if [ -n "$err" ] && ! grep -Eq -- "$err" "$tmp/err"; then say "stderr does not match /$err/"; fi
printf '%s' "$outs" | while IFS= read -r pattern; do
    [ -z "$pattern" ] && continue
    grep -Exq -- "$pattern" "$tmp/out" || { echo "FAIL: no stdout line matches /^$pattern\$/"; exit 1; }
done || fail=1

if [ "$fail" -ne 0 ]; then
    echo "--- command: $*"
    echo "--- stdout:"; cat "$tmp/out"
    echo "--- stderr:"; cat "$tmp/err"
    exit 1
fi
echo "ok: $*"
exit 0
