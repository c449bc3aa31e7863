#!/bin/sh
# Progress on a terminal redraws one line in place with the time left, and
# ends it with a newline; piped, it is plain lines without carriage returns.
# usage: progress_tty.sh VGAE GRAPH
set -u
vgae=$1 graph=$2
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
command -v script >/dev/null || { echo "SKIP: no script(1) to make a terminal"; exit 77; }
fails=0
# script(1) gives the command a pseudo-terminal and records what it printed
script -qec "'$vgae' linkpred --graph '$graph' --epochs 200 --every 10 --runs 2 >/dev/null" "$tmp/tty.log" \
    >/dev/null 2>&1 || { echo "FAIL: linkpred on a terminal"; fails=1; }
cr=$(tr -cd '\r' <"$tmp/tty.log" | wc -c)
grep -q 'left' "$tmp/tty.log" || { echo "FAIL: no time left shown on a terminal"; fails=1; }
grep -q 'run 2/2  seed 43  epoch  200/200' "$tmp/tty.log" || { echo "FAIL: no final progress"; fails=1; }
[ "$cr" -ge 40 ] || { echo "FAIL: $cr carriage returns on a terminal, expected a redraw per report"; fails=1; }
"$vgae" linkpred --graph "$graph" --epochs 200 --every 10 --runs 2 2>"$tmp/pipe.log" >/dev/null ||
    { echo "FAIL: linkpred piped"; fails=1; }
[ "$(tr -cd '\r' <"$tmp/pipe.log" | wc -c)" -eq 0 ] || { echo "FAIL: carriage returns when piped"; fails=1; }
[ "$(grep -c 'epoch' "$tmp/pipe.log")" -eq 42 ] || { echo "FAIL: piped: $(grep -c epoch "$tmp/pipe.log") lines"; fails=1; }
grep -q 'left' "$tmp/pipe.log" && { echo "FAIL: time left when piped"; fails=1; }
# the library's steps without callbacks of their own: generating a graph, writing it
script -qec "'$vgae' generate ba --nodes 100000 --edges 500000 -o '$tmp/ba.mtx'" "$tmp/gen.log" >/dev/null 2>&1 ||
    { echo "FAIL: generate on a terminal"; fails=1; }
grep -q 'generating \.\.\.' "$tmp/gen.log" && grep -q 'writing: done in' "$tmp/gen.log" ||
    { echo "FAIL: generate shows no steps on a terminal"; fails=1; }
"$vgae" generate ba --nodes 100000 --edges 500000 -o "$tmp/ba2.mtx" 2>"$tmp/gen2.log" >/dev/null ||
    { echo "FAIL: generate piped"; fails=1; }
[ "$(grep -c 'done in' "$tmp/gen2.log")" -eq 2 ] && [ "$(tr -cd '\r' <"$tmp/gen2.log" | wc -c)" -eq 0 ] ||
    { echo "FAIL: generate piped: $(cat "$tmp/gen2.log")"; fails=1; }
"$vgae" generate ba --nodes 1000 --edges 5000 --quiet -o "$tmp/ba3.mtx" 2>"$tmp/gen3.log" >/dev/null
[ -s "$tmp/gen3.log" ] && { echo "FAIL: generate --quiet printed progress"; fails=1; }
# vae train: a redrawn line within each epoch on a terminal, the epoch lines with the time left
data=$(dirname "$graph")/tinyidx
script -qec "'$vgae' vae train --data '$data' --epochs 3 --batch 8 -o '$tmp/v.vae'" "$tmp/vae.log" >/dev/null 2>&1 ||
    { echo "FAIL: vae train on a terminal"; fails=1; }
grep -q 'training' "$tmp/vae.log" && grep -q 'epoch   1/3 .* s, [0-9.]* s left' "$tmp/vae.log" ||
    { echo "FAIL: vae train shows no progress on a terminal: $(tr '\r' '\n' <"$tmp/vae.log" | head -5)"; fails=1; }
"$vgae" vae train --data "$data" --epochs 3 --batch 8 -o "$tmp/v2.vae" 2>"$tmp/vae2.log" >/dev/null
[ "$(tr -cd '\r' <"$tmp/vae2.log" | wc -c)" -eq 0 ] && ! grep -q 'training:' "$tmp/vae2.log" ||
    { echo "FAIL: vae train piped redraws"; fails=1; }
[ "$fails" -eq 0 ] && echo "ok: $cr redraws on a terminal, plain lines piped; generate and vae train show their steps"
exit "$fails"
