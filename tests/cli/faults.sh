#!/bin/bash
# Outputs and runs under faults: devices, FIFOs and symbolic links as output
# paths, a full disk, a file-size limit, a folder, a missing folder, standard
# output closed early; SIGINT and SIGTERM during training (exit 130 and 143,
# one line, nothing written), and kill -9 at random moments (the output is
# either absent or whole).
# usage: faults.sh VGAE DATA_DIR
set -u
vgae=$1
data=$2
graph=$data/planted.edges
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
out=$tmp/out.d
mkdir "$out"

# ---- output paths that are not regular files ----
# a FIFO: its reader gets the split, and it stays a FIFO
mkfifo "$out/fifo"
cat "$out/fifo" >"$tmp/from-fifo" &
reader=$!
"$vgae" split --graph "$graph" --seed 3 -o "$out/fifo" 2>"$tmp/err" || fail "split to a FIFO: $(cat "$tmp/err")"
wait $reader
"$vgae" split --graph "$graph" --seed 3 -o "$tmp/split.tsv" || fail "split"
cmp -s "$tmp/from-fifo" "$tmp/split.tsv" && [ -p "$out/fifo" ] && ok "a FIFO is written, not replaced" \
    || fail "the FIFO's reader got $(wc -c <"$tmp/from-fifo") bytes; $(stat -c %F "$out/fifo")"
rm "$out/fifo"
# a symbolic link: the file it names gets the output, the link stays
echo old >"$tmp/target.tsv"
ln -s "$tmp/target.tsv" "$out/link.tsv"
"$vgae" split --graph "$graph" --seed 3 -o "$out/link.tsv" || fail "split to a symbolic link"
[ -L "$out/link.tsv" ] && cmp -s "$tmp/target.tsv" "$tmp/split.tsv" && ok "a symbolic link is followed" \
    || fail "symbolic link: $(stat -c %F "$out/link.tsv"), target $(head -c 40 "$tmp/target.tsv")"
rm "$out/link.tsv"
ln -s "$tmp/nowhere/x.tsv" "$out/dangling.tsv"
expect_error dangling-link 1 'dangling\.tsv: cannot write: a symbolic link to a missing or unreachable file' \
    -- split --graph "$graph" -o "$out/dangling.tsv"
rm "$out/dangling.tsv"
# a full disk: a device node like /dev/full (made here when root may, so that a
# regression replaces this node and not the machine's /dev/full)
full=/dev/full
if [ "$(id -u)" -eq 0 ] && mknod "$out/full" c 1 7 2>/dev/null; then full=$out/full; fi
expect_error full-disk 1 'full: cannot write: No space left on device' -- split --graph "$graph" -o "$full"
[ -c "$full" ] && ok "the device stays a device" || fail "$full is now $(stat -c %F "$full")"
[ "$full" = /dev/full ] || rm "$full"
leftovers "$out"

# ---- a write that fails half way (a file-size limit of 8 KiB): the old file stays ----
echo "the old content" >"$out/kept.tsv"
(trap '' XFSZ; ulimit -f 8; "$vgae" split --graph "$graph" -o "$out/kept.tsv") >/dev/null 2>"$tmp/err"
status=$?
[ "$status" -eq 1 ] && grep -q 'kept\.tsv: cannot write: File too large' "$tmp/err" &&
    [ "$(cat "$out/kept.tsv")" = "the old content" ] && ok "a failed write leaves the old file" \
    || fail "file-size limit: exit $status, '$(cat "$tmp/err")', kept.tsv: $(head -c 40 "$out/kept.tsv")"
leftovers "$out"

# ---- folders: the path is one, or it is missing (found before training) ----
expect_error path-is-a-folder 1 'out\.d: is a directory' -- split --graph "$graph" -o "$out"
expect_error missing-folder 1 'no/such/m\.vgae: cannot write: No such file or directory' \
    -- train --graph "$graph" --epochs 100000 -o "$tmp/no/such/m.vgae"
expect_error missing-plot-folder 1 'no/p\.png: cannot write: No such file or directory' \
    -- linkpred --graph "$graph" --epochs 100000 --plot "$tmp/no/p.png"
expect_error vae-missing-folder 1 'no/v\.vae: cannot write: No such file or directory' \
    -- vae train --data "$data/tinyidx" --epochs 100000 -o "$tmp/no/v.vae"
if [ "$(id -u)" -ne 0 ]; then # root writes anywhere
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
    expect_error read-only-folder 1 'ro/s\.tsv: cannot write: Permission denied' \
        -- split --graph "$graph" -o "$tmp/ro/s.tsv"
fi

# ---- deeply nested input: refused with one line, no crash (the parsers' own depth limits) ----
awk 'BEGIN { printf "<?xml version=\"1.0\"?><graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">";
             printf "<graph edgedefault=\"undirected\">"; for (i = 0; i < 100000; i++) printf "<data>";
             for (i = 0; i < 100000; i++) printf "</data>"; print "</graph></graphml>" }' >"$tmp/deep.graphml"
expect_error deep-graphml 1 'deep\.graphml: ' -- info --graph "$tmp/deep.graphml"
awk 'BEGIN { printf "graph [ "; for (i = 0; i < 100000; i++) printf "x [ ";
             for (i = 0; i < 100000; i++) printf "] "; print "]" }' >"$tmp/deep.gml"
expect_error deep-gml 1 'deep\.gml: gml: ' -- info --graph "$tmp/deep.gml"

# ---- standard output closed early ----
"$vgae" split --dataset cora -o - 2>"$tmp/err" | head -1 >/dev/null # 8 MB
status=${PIPESTATUS[0]}
[ "$status" -eq 1 ] && [ "$(cat "$tmp/err")" = "vgae: cannot write to standard output: Broken pipe" ] &&
    ok "standard output closed early" || fail "| head -1: exit $status, '$(cat "$tmp/err")'"

# ---- signals during training: exit 128 + signal, one line, nothing written ----
stop_during() { # NAME SIGNAL STATUS REGEX OUTPUT -- ARGS
    name=$1 sig=$2 want=$3 regex=$4 output=$5
    shift 6
    "$vgae" "$@" >"$tmp/sig.out" 2>"$tmp/err" &
    pid=$!
    # wait until it trains (its progress shows), then signal
    for _ in $(seq 200); do grep -q 'epoch' "$tmp/err" && break; sleep 0.05; done
    kill -s "$sig" $pid
    wait $pid
    got=$?
    last=$(tail -1 "$tmp/err")
    if [ "$got" -eq "$want" ] && echo "$last" | grep -Eq "$regex" && [ ! -e "$output" ]; then
        ok "$name"
    else
        fail "$name: exit $got, last line '$last', $output $( [ -e "$output" ] && echo exists || echo absent)"
    fi
    leftovers "$(dirname "$output")"
}
stop_during sigint-train INT 130 '^vgae: interrupted after [0-9]+ of 100000 epochs \(SIGINT\); nothing written$' \
    "$out/m.vgae" -- train --graph "$graph" --epochs 100000 -o "$out/m.vgae"
stop_during sigterm-linkpred TERM 143 '^vgae: interrupted after [0-9]+ of 100000 epochs \(SIGTERM\); nothing written$' \
    "$out/p.png" -- linkpred --graph "$graph" --epochs 100000 --plot "$out/p.png"
stop_during sigterm-vae-train TERM 143 '^vgae: interrupted in epoch [0-9]+ after [0-9]+ of [0-9]+ images \(SIGTERM\); nothing written$' \
    "$out/v.vae" -- vae train --data "$data/tinyidx" --epochs 100000 --batch 1 -o "$out/v.vae"

# ---- kill -9 at random moments: the output is absent or whole ----
# (a run of about 0.5 s here, 3 s under the sanitizers; the kills spread over it)
"$vgae" train --graph "$graph" --epochs 2000 --seed 3 --quiet -o "$tmp/ref.vgae" >/dev/null || fail "reference model"
figures() { "$vgae" eval --model "$1" --json 2>/dev/null | sed 's/"model":"[^"]*",//'; }
figures "$tmp/ref.vgae" >"$tmp/ref.json"
start=$(date +%s%N)
"$vgae" train --graph "$graph" --epochs 2000 --seed 3 --quiet -o "$out/timed.vgae" >/dev/null
span=$(( ($(date +%s%N) - start) / 1000000 + 50 )) # ms
rm -f "$out/timed.vgae"
trials=40 whole=0 absent=0
for k in $(seq $trials); do
    rm -f "$out/k.vgae"
    "$vgae" train --graph "$graph" --epochs 2000 --seed 3 --quiet -o "$out/k.vgae" >/dev/null 2>&1 &
    pid=$!
    ms=$(( (k * 7919) % span ))
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ -e "$out/k.vgae" ]; then
        if figures "$out/k.vgae" | cmp -s - "$tmp/ref.json"; then
            whole=$((whole + 1))
        else
            fail "kill -9 trial $k (at $ms ms) left a damaged model file"
        fi
    else
        absent=$((absent + 1))
    fi
    rm -f "$out"/.k.vgae.* # a killed process cannot remove its temporary file; the output is what counts
done
[ $((whole + absent)) -eq $trials ] && ok "kill -9 at random moments of a ${span} ms run, $trials trials: $absent left no file, $whole a whole one"

[ "$fails" -eq 0 ]
