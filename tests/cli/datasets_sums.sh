#!/bin/sh
# The bundled datasets are the files datasets/README.md lists: every sha256
# there matches, and every file under datasets/ (but the README) is listed.
# usage: datasets_sums.sh DATASETS_DIR
set -u
dir=$1
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
grep -E '^[0-9a-f]{64}  [^ ]+$' "$dir/README.md" >"$tmp/sums"
[ -s "$tmp/sums" ] || { echo "FAIL: no sha256 lines in $dir/README.md"; exit 1; }
(cd "$dir" && sha256sum --strict -c "$tmp/sums") || { echo "FAIL: a checksum differs"; exit 1; }
(cd "$dir" && find . -type f ! -name README.md | sed 's|^\./||' | sort) >"$tmp/files"
sed 's/^[0-9a-f]*  //' "$tmp/sums" | sort >"$tmp/listed"
if ! cmp -s "$tmp/files" "$tmp/listed"; then
    echo "FAIL: files and the README's list differ:"
    diff "$tmp/listed" "$tmp/files"
    exit 1
fi
echo "$(wc -l <"$tmp/files") files, all listed, all sums match"
