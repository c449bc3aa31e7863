#!/bin/sh
# Runs test_embed with VGAE_EMBED_OUT set, then reads its embedding files back with numpy.
#
# usage: embed_numpy.sh TEST_EMBED CHECK.py
# Exits 77 (skipped) unless /usr/bin/python3 exists and imports numpy.
set -u
py=/usr/bin/python3
if [ ! -x "$py" ]; then
    echo "SKIP: $py not found"
    exit 77
fi
if ! "$py" -c 'import numpy' 2>/dev/null; then
    echo "SKIP: numpy is not installed for $py"
    exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/out" || exit 99
if ! VGAE_EMBED_OUT="$tmp/out" "$1" >"$tmp/log" 2>&1; then
    cat "$tmp/log"
    echo "FAIL: $1 failed"
    exit 1
fi
for f in emb.w2v emb.tsv emb.npy emb.mtx; do
    if [ ! -f "$tmp/out/$f" ]; then
        echo "FAIL: $1 did not write $f"
        exit 1
    fi
done
exec "$py" "$2" "$tmp/out"
