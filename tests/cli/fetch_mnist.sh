#!/bin/sh
# tools/fetch-mnist against an HTTP server on the loopback (the test machines
# have no internet) serving the shared MNIST files: it downloads the four
# files byte for byte, keeps good ones on a second run, and refuses a
# truncated or missing file with a message naming it, leaving nothing behind.
# Skipped without MNIST in a folder of $VGAE_DATA.
# usage: fetch_mnist.sh TOOLS_DIR
set -u
tools=$1
py=/usr/bin/python3
mnist=""
for d in $(echo "${VGAE_DATA:-}" | tr ':' ' '); do
    [ -f "$d/mnist/train-labels-idx1-ubyte.gz" ] && mnist="$d/mnist"
done
[ -n "$mnist" ] || { echo "SKIP: no mnist/ in VGAE_DATA"; exit 77; }
tmp=$(mktemp -d) || exit 99
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir "$tmp/good" "$tmp/bad" "$tmp/www"
cp "$mnist"/*.gz "$tmp/good/"
# bad/: the train labels cut short, the test labels missing
cp "$mnist"/train-images-idx3-ubyte.gz "$mnist"/t10k-images-idx3-ubyte.gz "$tmp/bad/"
head -c 1000 "$mnist/train-labels-idx1-ubyte.gz" >"$tmp/bad/train-labels-idx1-ubyte.gz"
(cd "$tmp/www" && ln -s ../good good && ln -s ../bad bad)
"$py" -u -m http.server --bind 127.0.0.1 --directory "$tmp/www" 0 >"$tmp/server.log" 2>&1 &
server=$!
port=""
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$tmp/server.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.25
done
[ -n "$port" ] || { echo "FAIL: the HTTP server did not start"; cat "$tmp/server.log"; exit 1; }
url="http://127.0.0.1:$port"

"$py" "$tools/fetch-mnist" "$tmp/out" --base-url "$url/good" >"$tmp/log" 2>&1 || fail "download: $(cat "$tmp/log")"
for f in "$mnist"/*.gz; do
    cmp -s "$f" "$tmp/out/$(basename "$f")" || fail "$(basename "$f") differs from the served file"
done
grep -q "done: vgae vae train --data $tmp/out" "$tmp/log" || fail "no closing line: $(cat "$tmp/log")"
"$py" "$tools/fetch-mnist" "$tmp/out" --base-url "$url/nowhere" >"$tmp/log" 2>&1 || fail "second run: $(cat "$tmp/log")"
[ "$(grep -c 'already there, checksums right' "$tmp/log")" -eq 4 ] || fail "second run downloaded again: $(cat "$tmp/log")"

"$py" "$tools/fetch-mnist" "$tmp/out2" --base-url "$url/bad" >"$tmp/log" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "a truncated file was accepted"
grep -q "train-labels-idx1-ubyte.gz: the downloaded file has 1000 bytes, not 28881" "$tmp/log" ||
    fail "truncated file: message '$(cat "$tmp/log")'"
[ ! -e "$tmp/out2/train-labels-idx1-ubyte.gz" ] || fail "the truncated file was kept"
[ -z "$(ls -A "$tmp/out2" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$tmp/out2")"
rm -f "$tmp/bad/train-labels-idx1-ubyte.gz"
cp "$mnist/train-labels-idx1-ubyte.gz" "$tmp/bad/"
"$py" "$tools/fetch-mnist" "$tmp/out2" --base-url "$url/bad" >"$tmp/log" 2>&1 && fail "a missing file was accepted"
grep -qi "t10k-labels-idx1-ubyte.gz: .*not found" "$tmp/log" || fail "missing file: message '$(cat "$tmp/log")'"
[ -z "$(ls -A "$tmp/out2" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$tmp/out2")"

[ "$fails" -eq 0 ] || exit 1
echo "ok: download, keep, truncated and missing files"
