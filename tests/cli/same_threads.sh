#!/bin/sh
# Runs the same `vgae linkpred --json` at 1 and at 2 threads and requires the
# same output apart from the timings: the same seed gives the same numbers
# whatever the thread count.
# usage: same_threads.sh VGAE ARGS...
set -u
vgae=$1
shift
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
for t in 1 2; do
    "$vgae" linkpred "$@" --json --quiet --threads $t >"$tmp/$t.json" || { echo "FAIL: exit $? at $t threads"; exit 1; }
    sed 's/"train_seconds":[^,]*,//g' "$tmp/$t.json" >"$tmp/$t.cut"
done
grep -q '"test_auc":0\.' "$tmp/1.cut" || { echo "FAIL: no test_auc in"; cat "$tmp/1.json"; exit 1; }
if ! cmp -s "$tmp/1.cut" "$tmp/2.cut"; then
    echo "FAIL: 1 and 2 threads differ"
    cat "$tmp/1.json" "$tmp/2.json"
    exit 1
fi
echo "same output at 1 and 2 threads:"
cat "$tmp/1.json"
