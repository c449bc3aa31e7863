#!/bin/sh
# vgae partition: one line per node with its part, every part used; METIS
# cuts far fewer edges of a block-structured graph than a random split; the
# same seed gives the same file; -o DIR writes a manifest and a file per
# part, the same bytes for the same seed; bad arguments give one line on
# stderr, a non-zero exit and no file.
# usage: partition.sh VGAE
set -u
vgae=$1
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# 4 blocks of 100 nodes, ~2000 edges, 95% of them inside the blocks
"$vgae" generate sbm --nodes 400 --edges 2000 --blocks 4 --inside 0.95 --seed 2 --quiet -o "$tmp/g.mtx" \
    || fail "generate"

# parts FILE P: FILE has 400 lines, each a part in 0..P-1, every part used
parts() {
    lines=$(wc -l <"$1")
    used=$(sort -u "$1" | tr '\n' ' ')
    want=$(seq 0 $(($2 - 1)) | tr '\n' ' ')
    [ "$lines" -eq 400 ] && [ "$used" = "$want" ] && ok "$(basename "$1"): 400 lines, parts $used" \
        || fail "$(basename "$1"): $lines lines, parts '$used' (want '$want')"
}
# cut FILE: the edge cut the summary printed, in percent (integer part)
cut() { sed -n 's/.*edge cut [0-9]* of [0-9]* edges (\([0-9]*\)\..*/\1/p' "$1"; }

"$vgae" partition --graph "$tmp/g.mtx" --parts 4 --method random --seed 1 --assignment "$tmp/random.part" >"$tmp/out" \
    || fail "random: $(cat "$tmp/out")"
parts "$tmp/random.part" 4
grep -q '^  part      nodes     edges in       halo$' "$tmp/out" && ok "the table's header" \
    || fail "table: $(cat "$tmp/out")"
random_cut=$(cut "$tmp/out")
# a random split into 4 cuts ~3/4 of the edges
[ "${random_cut:-0}" -ge 60 ] && ok "random cut ${random_cut}%" || fail "random cut '${random_cut}'%"
"$vgae" partition --graph "$tmp/g.mtx" --parts 4 --method random --seed 1 --quiet --assignment "$tmp/again.part" \
    && cmp -s "$tmp/random.part" "$tmp/again.part" && ok "the same seed, the same file" || fail "seeded random"
"$vgae" partition --graph "$tmp/g.mtx" --parts 3 --method contiguous --quiet --assignment "$tmp/runs.part" \
    || fail "contiguous"
sort -c -n "$tmp/runs.part" 2>/dev/null && ok "contiguous: runs in the node order" || fail "contiguous order"

if "$vgae" partition --graph "$tmp/g.mtx" --parts 4 --method metis --assignment "$tmp/metis.part" >"$tmp/out" 2>"$tmp/err"; then
    parts "$tmp/metis.part" 4
    metis_cut=$(cut "$tmp/out")
    # the blocks themselves cut ~5%: METIS must find something close
    [ "${metis_cut:-100}" -le 15 ] && ok "metis cut ${metis_cut}%" || fail "metis cut '${metis_cut}'%"
elif grep -q "without METIS" "$tmp/err"; then
    ok "a build without METIS says so: $(cat "$tmp/err")"
else
    fail "metis: $(cat "$tmp/err")"
fi

# the directory: a manifest naming every part, the assignment, a file per part; twice the same bytes
"$vgae" partition --graph "$tmp/g.mtx" --parts 3 --method random --quiet -o "$tmp/dir" || fail "-o DIR"
[ -f "$tmp/dir/manifest" ] && [ -f "$tmp/dir/part-2.vgae" ] && [ ! -e "$tmp/dir/part-3.vgae" ] \
    && grep -q '^parts 3$' "$tmp/dir/manifest" && grep -q '^blocks 64$' "$tmp/dir/manifest" \
    && [ "$(grep -c '^part [0-9]* file part-[0-9]*\.vgae ' "$tmp/dir/manifest")" -eq 3 ] \
    && ok "-o DIR: manifest, 3 part files" || fail "-o DIR: $(ls "$tmp/dir")"
parts "$tmp/dir/assignment" 3
"$vgae" partition --graph "$tmp/g.mtx" --parts 3 --method random --quiet -o "$tmp/dir2" \
    && cmp -s "$tmp/dir/part-1.vgae" "$tmp/dir2/part-1.vgae" && ok "the same seed, the same part files" \
    || fail "seeded part files"
"$vgae" partition --graph "$tmp/g.mtx" --parts 2 --method random --quiet -o "$tmp/dir" \
    && [ ! -e "$tmp/dir/part-2.vgae" ] && ok "2 parts over 3: the third part file gone" || fail "re-partition"
: >"$tmp/dir2/notes"
expect_error "a foreign directory" 1 "holds 'notes', which is not a partition's" -- \
    partition --graph "$tmp/g.mtx" --parts 2 -o "$tmp/dir2"
rm -rf "$tmp/dir" "$tmp/dir2"

expect_error "no parts" 2 "give the number of parts" -- partition --graph "$tmp/g.mtx" -o "$tmp/bad.part"
expect_error "zero parts" 2 "--parts" -- partition --graph "$tmp/g.mtx" --parts 0 -o "$tmp/bad.part"
expect_error "more parts than blocks" 2 "--parts 65 is more than the 64 blocks \(raise --blocks\)" -- \
    partition --graph "$tmp/g.mtx" --parts 65 -o "$tmp/bad.part"
expect_error "more blocks than nodes" 2 "--blocks 401 is more than the graph's 400 nodes" -- \
    partition --graph "$tmp/g.mtx" --parts 2 --blocks 401 -o "$tmp/bad.part"
expect_error "no output" 2 "give the directory to write with -o DIR" -- partition --graph "$tmp/g.mtx" --parts 2
expect_error "unknown method" 2 "unknown partition method 'kway' \(metis, contiguous or random\)" -- \
    partition --graph "$tmp/g.mtx" --parts 2 --method kway -o "$tmp/bad.part"
expect_error "missing graph" 1 "missing\.mtx" -- partition --graph "$tmp/missing.mtx" --parts 2 -o "$tmp/bad.part"
[ -e "$tmp/bad.part" ] && fail "a failed run left $tmp/bad.part" || ok "no file from the failed runs"
leftovers "$tmp"
echo "$fails failures"
[ "$fails" -eq 0 ]
