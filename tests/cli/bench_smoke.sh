#!/bin/sh
# Runs tools/bench in its quick mode without the PyTorch reference, on small
# stand-ins for the datasets made from the test data: every case must give its
# row, and a missing dataset folder must give one clear line and exit 1.
# usage: bench_smoke.sh VGAE BENCH TEST_DATA_DIR
set -u
vgae=$1 bench=$2 data=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no $py"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# The planted-partition graph as MatrixMarket, under each Planetoid name.
mkdir "$tmp/data"
awk '!/^#/ && NF >= 2 { u = $1 + 1; v = $2 + 1; if (u < v) { t = u; u = v; v = t }
       e[++m] = u " " v; if (u > n) n = u }
     END { print "%%MatrixMarket matrix coordinate pattern symmetric"; print n, n, m
           for (i = 1; i <= m; i++) print e[i] }' "$data/planted.edges" >"$tmp/adjacency.mtx"
for name in cora citeseer pubmed; do
    mkdir "$tmp/data/$name" && cp "$tmp/adjacency.mtx" "$tmp/data/$name/"
done
ln -s "$data/tinyidx" "$tmp/data/mnist"

"$py" "$bench" --quick --no-reference --vgae "$vgae" --data "$tmp/data" >"$tmp/out" 2>"$tmp/err"
status=$?
cat "$tmp/out"
if [ $status -ne 0 ]; then
    fail "exit status $status"
    cat "$tmp/err"
fi
grep -Eq '^case +side +s/epoch +total s +peak MB +kernels +result' "$tmp/out" || fail "no table header"
for row in '^cora +vgae +[0-9.]+ +[0-9.]+ +[0-9]+ +[^ ]+.* AUC 0\.[0-9]{4} AP' \
           '^citeseer +vgae ' '^pubmed +vgae .*<= 20 s, <= 100 MB +n/a' '^cora-sampled +vgae --loss sampled ' \
           '^threads +vgae --threads 1 ' '^ +vgae --threads 2 .*[0-9.]+x +[0-9.]+x +\(whole run\)' 'the target is for the decoder: tools/bench_decoder cora: [0-9.]+ ms on 1 thread' \
           '^mnist +vgae .*test loss [0-9.]+' '^seq +vgae .*valid -ELBO [0-9.]+' '^scale ' '^pyg +vgae, gnm 2,000 nodes ' '^ +pyg-style, gnm 2,000 nodes +not run' '^ +pytorch +not run \(--no-reference\)' \
           '^machine: .*logical CPUs' '^command: tools/bench --quick' ; do
    grep -Eq -- "$row" "$tmp/out" || fail "no line matching /$row/"
done
grep -q '^bench: cora vgae: done in' "$tmp/err" || fail "no progress on stderr"

# No torch: the reference is skipped with a note, and the rest still runs.
"$py" "$bench" --quick --cases cora --python "$tmp/no-python" --vgae "$vgae" --data "$tmp/data" \
    >"$tmp/out" 2>"$tmp/err" || fail "exit status $? without the reference's Python"
grep -q "^reference: skipped: $tmp/no-python not found" "$tmp/out" || fail "no note on the missing reference"

# A missing dataset folder: one line naming it, exit 1, before anything runs.
rm -r "$tmp/data/citeseer"
"$py" "$bench" --quick --no-reference --vgae "$vgae" --data "$tmp/data" >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 1 ] || fail "missing dataset: exit status $status, expected 1"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'dataset folder citeseer not found.*data/citeseer' "$tmp/err" \
    || { fail "missing dataset: stderr is not the one expected line"; cat "$tmp/err"; }
[ -s "$tmp/out" ] && fail "missing dataset: stdout not empty"

"$py" "$bench" --quick --no-reference --vgae "$vgae" --data "$tmp/nothere" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "data folder $tmp/nothere does not exist" "$tmp/err" || fail "missing --data folder"

[ $fails -eq 0 ] && echo "bench smoke test passed" || exit 1
