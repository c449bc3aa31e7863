#!/bin/sh
# The redesign of issue 12 changed no number: linkpred (VGAE full and sampled
# loss, GAE) on Cora, two epochs of the image VAE on MNIST and the anomaly
# scores and codes of vae encode print, to the last digit, what they printed
# before it (tests/data/bits, one file per OpenBLAS kernel family; the image
# VAE's two lines were recorded again when issue 17 cut its batches into
# lanes, see tests/data/bits/README). Later
# versions may add figures to the JSON (Hits@K, MRR): every "key":value the
# recording holds must be printed still, with the same value. Skipped
# without Cora and MNIST in $VGAE_DATA.
# usage: same_bits.sh VGAE BITS_DIR
set -u
vgae=$1
bits=$2
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

mnist=""
for d in $(echo "${VGAE_DATA:-}" | tr ':' ' '); do
    [ -f "$d/mnist/train-images-idx3-ubyte.gz" ] && mnist="$d/mnist"
done
if ! "$vgae" info --quiet --dataset cora >/dev/null 2>&1 || [ -z "$mnist" ]; then
    echo "skipped: needs cora and mnist in \$VGAE_DATA"
    exit 77
fi
family=$("$vgae" version --json | sed -n 's/.*"blas_kernels":"\([^"]*\)".*/\1/p')
want="$bits/$family.txt"
if [ ! -f "$want" ]; then
    echo "FAIL: no recorded figures for OpenBLAS kernels '$family' in $bits"
    exit 1
fi
echo "OpenBLAS kernels: $family"
for args in "" "--loss sampled" "--model gae"; do
    # shellcheck disable=SC2086 # the options are words
    "$vgae" linkpred --dataset cora --seed 42 --json --quiet $args | sed 's/"train_seconds":[0-9.e+-]*,//'
done >"$tmp/got"
"$vgae" vae train --data "$mnist" --epochs 2 -o "$tmp/m.vae" --json --quiet \
    | sed 's/,"seconds_per_epoch":[0-9.e+-]*//' >>"$tmp/got"
# the anomaly scores and codes of vae encode, by their sha256
"$vgae" vae encode --model "$tmp/m.vae" -o "$tmp/codes.npy" --quiet
echo "encode $(sha256sum <"$tmp/codes.npy.scores.tsv" | cut -c1-64) $(sha256sum <"$tmp/codes.npy" | cut -c1-64)" >>"$tmp/got"
n=1
for what in "linkpred cora VGAE" "linkpred cora VGAE sampled loss" "linkpred cora GAE" "vae train 2 epochs" \
    "vae encode: scores and codes"; do
    a=$(sed -n "${n}p" "$want") b=$(sed -n "${n}p" "$tmp/got")
    same=0
    if [ -n "$b" ] && [ "$a" = "$b" ]; then
        same=1
    elif [ -n "$b" ] && [ "${a#\{}" != "$a" ]; then
        # each "key":value of the recording, followed by , or } in the output
        missing=$(printf '%s\n' "$a" | grep -o '"[^"]*":[^],{}[]*[,}]' | sed 's/[,}]$//' | while read -r tok; do
            case "$b" in *"$tok,"* | *"$tok}"*) ;; *) echo "$tok" ;; esac
        done)
        [ -z "$missing" ] && same=1
    fi
    if [ "$same" = 1 ]; then ok "$what: the same bits"; else fail "$what: before $a, now $b"; fi
    n=$((n + 1))
done
echo "$fails failures"
[ "$fails" -eq 0 ]
