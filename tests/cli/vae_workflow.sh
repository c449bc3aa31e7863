#!/bin/sh
# The image VAE from the command line: train, eval, the pictures, encode, and
# the bad inputs (one line on stderr, exit 1 or 2, nothing written).
# usage: vae_workflow.sh VGAE DATA_DIR
set -u
vgae=$1
data=$2/tinyidx
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# width and height of a PNG from its IHDR chunk (big-endian at bytes 16 and 20)
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $3*256+$4 "x" $7*256+$8}'; }
png_ok() { # FILE WxH
    if head -c 8 "$1" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' && [ "$(png_size "$1")" = "$2" ]; then
        ok "$1 is a $2 PNG"
    else
        fail "$1: not a $2 PNG ($(png_size "$1"))"
    fi
}

"$vgae" vae train --data "$data" --hidden 32 --latent 2 --batch 32 --lr 0.01 --epochs 15 --json \
    -o "$tmp/m.vae" >"$tmp/train.json" 2>"$tmp/progress" || fail "vae train"
grep -Eq '^epoch  15/15  train loss +[0-9.]+  test loss +[0-9.]+ \(recon [0-9.]+ \+ KL [0-9.]+\) +[0-9.]+ s$' "$tmp/progress" \
    && ok "progress per epoch" || { fail "progress"; cat "$tmp/progress"; }
"$vgae" vae eval --model "$tmp/m.vae" --iw-samples 50 --json --quiet >"$tmp/eval.json" || fail "vae eval"
grep -Eq '^\{"test_neg_elbo":[0-9.]+,"test_recon":[0-9.]+,"test_kl":[0-9.]+,"images":40,"iw_nll":[0-9.]+,"iw_samples":50,"active_units":[0-2],"kl_per_dim":\[[0-9.e+-]+,[0-9.e+-]+\],"activity":\[[0-9.e+-]+,[0-9.e+-]+\]\}$' "$tmp/eval.json" \
    && ok "eval JSON" || { fail "eval JSON"; cat "$tmp/eval.json"; }
# eval reproduces the test loss training reported (the same draws)
a=$(json_field test_neg_elbo "$tmp/train.json") b=$(json_field test_neg_elbo "$tmp/eval.json")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "eval reproduces the test loss $a" || fail "test loss: train $a, eval $b"
# an IWAE estimate lies below the negative ELBO (a tighter bound; the margin is far above the noise here)
awk -v e="$(json_field test_neg_elbo "$tmp/eval.json")" -v w="$(json_field iw_nll "$tmp/eval.json")" \
    'BEGIN { exit !(w < e) }' && ok "IWAE below the ELBO" || fail "IWAE not below the ELBO"

"$vgae" vae sample --model "$tmp/m.vae" --count 12 --cols 4 --zoom 1 -o "$tmp/s.png" && png_ok "$tmp/s.png" 42x32  # 4 x 8 + 5 x 2 gaps wide, 3 rows
"$vgae" vae manifold --model "$tmp/m.vae" --size 5 --zoom 2 -o "$tmp/m.png" && png_ok "$tmp/m.png" 104x104  # (5 x 8 + 6 x 2) x zoom 2
"$vgae" vae reconstruct --model "$tmp/m.vae" --count 6 --zoom 1 -o "$tmp/r.png" && png_ok "$tmp/r.png" 62x22
"$vgae" vae interpolate --model "$tmp/m.vae" --from 2 --to 5 --steps 7 --zoom 1 -o "$tmp/i.png" && png_ok "$tmp/i.png" 72x12
"$vgae" vae encode --model "$tmp/m.vae" -o "$tmp/codes.w2v" || fail "vae encode"
[ "$(head -1 "$tmp/codes.w2v")" = "40 2" ] && [ "$(wc -l <"$tmp/codes.w2v.scores.tsv")" -eq 41 ] \
    && head -1 "$tmp/codes.w2v.scores.tsv" | grep -q '^image	label	neg_elbo$' && ok "encode and scores" || fail "encode output"
leftovers "$tmp"

# found in review: a model trained for no epoch still knows its data
"$vgae" vae train --data "$data" --hidden 8 --latent 2 --epochs 0 --quiet -o "$tmp/z.vae" >/dev/null || fail "train 0 epochs"
"$vgae" vae eval --model "$tmp/z.vae" --json --quiet | grep -q '"images":40' && ok "eval of an untrained model" \
    || fail "eval after 0 epochs"

# ---- bad input ----
"$vgae" vae train --data "$data" --latent 3 --epochs 1 --quiet -o "$tmp/l3.vae" >/dev/null || fail "train latent 3"
expect_error manifold-needs-2d 2 'needs a 2-D latent space; this model has 3' -- vae manifold --model "$tmp/l3.vae" -o "$tmp/x.png"
mkdir "$tmp/bad"
cp "$data/t10k-labels-idx1-ubyte" "$tmp/bad/t10k-images-idx3-ubyte"
cp "$data/t10k-labels-idx1-ubyte" "$tmp/bad/t10k-labels-idx1-ubyte"
cp "$data/train-images-idx3-ubyte.gz" "$data/train-labels-idx1-ubyte.gz" "$tmp/bad/"
expect_error idx-wrong-magic 1 't10k-images-idx3-ubyte: not an IDX image file' -- vae train --data "$tmp/bad" -o "$tmp/x.vae"
head -c 1000 "$data/t10k-images-idx3-ubyte" >"$tmp/bad/t10k-images-idx3-ubyte"
expect_error idx-truncated 1 't10k-images-idx3-ubyte: truncated' -- vae train --data "$tmp/bad" -o "$tmp/x.vae"
cp "$data/t10k-images-idx3-ubyte" "$tmp/bad/t10k-images-idx3-ubyte"
gzip -dc "$data/train-labels-idx1-ubyte.gz" >"$tmp/bad/t10k-labels-idx1-ubyte"
expect_error idx-count-mismatch 1 't10k-labels-idx1-ubyte: 300 labels for 40 images' -- vae train --data "$tmp/bad" -o "$tmp/x.vae"
expect_error no-data 2 'no images: give --data DIR, a folder with MNIST.s four IDX files \(tools/fetch-mnist DIR downloads them' -- vae train -o "$tmp/x.vae"
expect_error no-folder 1 'nothere' -- vae train --data "$tmp/nothere" -o "$tmp/x.vae"
expect_error not-a-vae 1 'not a vgae model file' -- vae eval --model "$data/README"
expect_error unwritable-png 1 'nodir/s\.png: cannot write' -- vae sample --model "$tmp/m.vae" -o "$tmp/nodir/s.png"
[ -e "$tmp/x.vae" ] && fail "a model was written after an error"
expect_error encode-unwritable-scores 1 'nodir/s\.tsv: cannot write' -- vae encode --model "$tmp/m.vae" -o "$tmp/c2.npy" --scores "$tmp/nodir/s.tsv"
[ -e "$tmp/c2.npy" ] && fail "codes written although the scores could not be"
leftovers "$tmp"

echo "$fails failures"
[ "$fails" -eq 0 ]
