#!/bin/sh
# vgae generate: each kind makes the graph it says (counts checked with vgae
# info), the same seed gives the same file, .gz output reads back, and bad
# arguments give one line on stderr, a non-zero exit and no file.
# usage: generate.sh VGAE
set -u
vgae=$1
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# info_has FILE LINE...: every LINE is a line of `vgae info --graph FILE`
info_has() {
    f=$1
    shift
    "$vgae" info --quiet --graph "$f" >"$tmp/info" 2>&1 || { fail "info on $f: $(cat "$tmp/info")"; return; }
    for want in "$@"; do
        grep -qx -- "$want" "$tmp/info" || { fail "$f: no line '$want' in: $(tr '\n' ' ' <"$tmp/info")"; return; }
    done
    ok "$(basename "$f"): $*"
}

"$vgae" generate gnm --nodes 200 --edges 1000 --seed 3 -o "$tmp/gnm.mtx" >"$tmp/out" || fail "generate gnm"
grep -qx 'gnm graph: 200 nodes, 1000 edges, written to .*gnm\.mtx' "$tmp/out" && ok "summary line" \
    || fail "summary line: $(cat "$tmp/out")"
info_has "$tmp/gnm.mtx" "nodes: 200" "edges: 1000" "self_loops_dropped: 0" "duplicates_dropped: 0"
head -2 "$tmp/gnm.mtx" | grep -q '^% vgae generate gnm --nodes 200 --edges 1000 --seed 3 (igraph ' \
    && ok "the file says how it was made" || fail "comment line: $(head -2 "$tmp/gnm.mtx")"

# Barabasi-Albert with k = 1000 / 200 = 5 edges per node: node i links to min(i, 5) earlier ones
"$vgae" generate ba --nodes 200 --edges 1000 --quiet -o "$tmp/ba.mtx" || fail "generate ba"
info_has "$tmp/ba.mtx" "nodes: 200" "edges: 985" "components: 1" "duplicates_dropped: 0"
# sbm and geo: about the asked-for number of edges
for kind in sbm geo; do
    "$vgae" generate $kind --nodes 300 --edges 1500 --quiet -o "$tmp/$kind.mtx" || fail "generate $kind"
    info_has "$tmp/$kind.mtx" "nodes: 300" "self_loops_dropped: 0" "duplicates_dropped: 0"
    e=$(sed -n 's/^edges: //p' "$tmp/info")
    [ "${e:-0}" -gt 1300 ] && [ "${e:-0}" -lt 1700 ] && ok "$kind: $e edges, about 1500" || fail "$kind: $e edges"
done
"$vgae" generate sbm --nodes 300 --edges 1500 --blocks 3 --inside 1 --quiet -o "$tmp/sbm3.mtx" || fail "sbm --blocks 3 --inside 1"
info_has "$tmp/sbm3.mtx" "components: 3"

# the same seed gives the same file; another seed another one; gzip reads back
"$vgae" generate gnm --nodes 200 --edges 1000 --seed 3 --quiet -o "$tmp/again.mtx" || fail "generate again"
cmp -s "$tmp/gnm.mtx" "$tmp/again.mtx" && ok "same seed, same file" || fail "same seed, different files"
"$vgae" generate gnm --nodes 200 --edges 1000 --seed 4 --quiet -o "$tmp/other.mtx" || fail "generate seed 4"
cmp -s "$tmp/gnm.mtx" "$tmp/other.mtx" && fail "seeds 3 and 4 gave the same file" || ok "another seed, another file"
"$vgae" generate gnm --nodes 200 --edges 1000 --seed 3 --quiet -o "$tmp/gnm.mtx.gz" || fail "generate .gz"
gzip -dc "$tmp/gnm.mtx.gz" | cmp -s - "$tmp/gnm.mtx" && ok ".gz holds the same text" || fail ".gz differs"
info_has "$tmp/gnm.mtx.gz" "nodes: 200" "edges: 1000"
"$vgae" generate gnm --nodes 20 --edges 30 -o - | head -1 | grep -q '^%%MatrixMarket matrix coordinate pattern symmetric$' \
    && ok "-o - writes to standard output" || fail "-o -"
# the generated file trains
"$vgae" linkpred --graph "$tmp/sbm.mtx" --loss sampled --epochs 5 --quiet --json | grep -q '"test_auc":0\.' \
    && ok "linkpred reads the generated graph" || fail "linkpred on a generated graph"

# bad arguments: one line, exit 2 (command line) or 1 (impossible graph), no file
expect_error no-kind 2 'give the kind of graph' -- generate --nodes 10 --edges 20 -o "$tmp/x.mtx"
expect_error unknown-kind 2 "unknown graph generator 'er'" -- generate er --nodes 10 --edges 20 -o "$tmp/x.mtx"
expect_error no-size 2 'give the size with --nodes N and --edges M' -- generate gnm --nodes 10 -o "$tmp/x.mtx"
expect_error no-output 2 'give the file to write with -o FILE' -- generate gnm --nodes 10 --edges 20
expect_error bad-nodes 2 "--nodes expects an integer in 1\.\.2147483646, not 'ten'" -- generate gnm --nodes ten --edges 20 -o "$tmp/x.mtx"
expect_error zero-edges 2 "--edges expects an integer in 1\.\." -- generate gnm --nodes 10 --edges 0 -o "$tmp/x.mtx"
expect_error blocks-not-sbm 2 '--blocks and --inside are for sbm, not gnm' -- generate gnm --nodes 10 --edges 20 --blocks 2 -o "$tmp/x.mtx"
expect_error bad-inside 2 "--inside expects a number in \[0, 1\], not '2'" -- generate sbm --nodes 10 --edges 20 --inside 2 -o "$tmp/x.mtx"
expect_error second-kind 2 "unknown argument 'ba'" -- generate gnm ba --nodes 10 --edges 20 -o "$tmp/x.mtx"
expect_error too-many-edges 1 'gnm: 46 edges do not fit in 10 nodes \(at most 45\)' -- generate gnm --nodes 10 --edges 46 -o "$tmp/x.mtx"
expect_error ba-too-few-edges 1 'ba: each node brings edges / nodes = 0 edges' -- generate ba --nodes 10 --edges 9 -o "$tmp/x.mtx"
expect_error sbm-impossible 1 'sbm: .* both must be at most 1' -- generate sbm --nodes 10 --edges 40 --blocks 5 -o "$tmp/x.mtx"
expect_error geo-too-dense 1 'geo: 40 edges need a radius above 1/2' -- generate geo --nodes 10 --edges 40 -o "$tmp/x.mtx"
expect_error absurd-nodes 1 'gnm: 100000000 nodes for 1 edges is more than the graph readers accept' -- generate gnm --nodes 100000000 --edges 1 -o "$tmp/x.mtx"
expect_error unwritable 1 'nodir/x\.mtx: cannot write' -- generate gnm --nodes 10 --edges 20 -o "$tmp/nodir/x.mtx"
[ -e "$tmp/x.mtx" ] && fail "a file was written after an error"
leftovers "$tmp"

echo "$fails failures"
[ "$fails" -eq 0 ]
