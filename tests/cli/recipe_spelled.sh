#!/bin/sh
# `--recipe tuned` is the settings the README spells out: the same JSON as the
# options given one by one (with features, and featureless), and not the same
# as those options with one of them changed, so the comparison can fail; and
# --no-structure-input turns off what the recipe turned on.
# usage: recipe_spelled.sh VGAE PLANTED_EDGES
set -u
vgae=$1
graph=$2
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
# 160 nodes in 16 blocks of 10: a one-hot of the block and a one-hot of i mod 7
awk 'BEGIN { print "%%MatrixMarket matrix coordinate real general"; print "160 23 320";
             for (i = 0; i < 160; i++) { printf "%d %d 1\n", i + 1, int(i / 10) + 1;
                                         printf "%d %d 1\n", i + 1, 17 + i % 7 } }' >"$tmp/x.mtx"
run() { # NAME ARGS...: the JSON without the timings into $tmp/NAME
    name=$1
    shift
    "$vgae" linkpred --graph "$graph" --epochs 30 --json --quiet "$@" >"$tmp/$name.json" ||
        { echo "FAIL: exit $? for $*"; exit 1; }
    sed 's/"train_seconds":[^,]*,//g' "$tmp/$name.json" >"$tmp/$name"
    grep -q '"test_auc":0\.' "$tmp/$name" || { echo "FAIL: no test_auc for $*"; cat "$tmp/$name.json"; exit 1; }
}
common="--model gae --loss sampled --decoder hadamard --layers 1 --hops 1 --latent 128
        --mask-rate 0.5 --lr 0.01 --val-every 10 --select auc"
# shellcheck disable=SC2086
{
run feat-recipe --features "$tmp/x.mtx" --recipe tuned
run feat-spelled --features "$tmp/x.mtx" $common --dropout 0.7 --l2-scale 1.8
run feat-other --features "$tmp/x.mtx" $common --dropout 0.5 --l2-scale 1.8
run bare-recipe --recipe tuned
run bare-spelled $common --dropout 0.5 --structure-input --degree-term --encoder-decay 1e-4
run bare-other $common --dropout 0.5 --structure-input --degree-term
run off-recipe --recipe tuned --no-structure-input
run off-spelled $common --dropout 0.5 --degree-term --encoder-decay 1e-4
run off-other $common --dropout 0.5 --degree-term
}
fail=0
for k in feat bare off; do
    if ! cmp -s "$tmp/$k-recipe" "$tmp/$k-spelled"; then
        echo "FAIL: $k: --recipe tuned differs from its options spelled out"
        cat "$tmp/$k-recipe.json" "$tmp/$k-spelled.json"
        fail=1
    fi
    if cmp -s "$tmp/$k-recipe" "$tmp/$k-other"; then
        echo "FAIL: $k: other settings give the same figures, the comparison shows nothing"
        fail=1
    fi
done
[ $fail = 0 ] && echo "--recipe tuned = its settings, with features, featureless, and with --no-structure-input" && cat "$tmp/feat-recipe.json"
exit $fail
