#!/bin/sh
# Cleans the raw Planetoid graph of a dataset with vgae and checks the counts
# against the figures of the datasets' README: the raw adjacency lists hold
# self-loops and repeats that the prepared adjacency.mtx no longer has.
# usage: planetoid_raw.sh VGAE TOOLS_DIR NAME NODES EDGES SELF_LOOPS
set -u
vgae=$1 tools=$2 name=$3 nodes=$4 edges=$5 loops=$6
raw=""
old_ifs=$IFS; IFS=:
for d in ${VGAE_DATA:-}; do [ -f "$d/$name/raw/ind.$name.graph" ] && raw="$d/$name/raw/ind.$name.graph"; done
IFS=$old_ifs
[ -n "$raw" ] || { echo "SKIP: raw $name graph not in VGAE_DATA"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
python3 "$tools/planetoid_edges.py" "$raw" "$tmp/raw.edges" || exit 1
"$vgae" info --quiet --graph "$tmp/raw.edges" >"$tmp/info" || exit 1
cat "$tmp/info"
grep -qx "nodes: $nodes" "$tmp/info" && grep -qx "edges: $edges" "$tmp/info" &&
    grep -qx "self_loops_dropped: $loops" "$tmp/info" || { echo "FAIL: figures differ"; exit 1; }
