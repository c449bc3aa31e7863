#!/bin/sh
# The model-file workflow end to end: split -> train -> eval -> embed -> predict
# -> info, the round trips, and every bad input the model commands must refuse
# with one line on stderr, exit 1 and no file left behind.
# usage: model_workflow.sh VGAE DATA_DIR
set -u
vgae=$1
data=$2
graph=$data/planted.edges
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# ---- the workflow ----
"$vgae" split --graph "$graph" --seed 7 -o "$tmp/split.tsv" || fail "split"
# format version 3: row counts and an end line; hard negatives (160 nodes: 40 per held-out edge)
head -1 "$tmp/split.tsv" | grep -q '^# vgae split 3$' || fail "split header"
tail -1 "$tmp/split.tsv" | grep -Eq '^# end 0x[0-9a-f]{8}$' || fail "split end line"
grep -q '^# hard_negatives 40$' "$tmp/split.tsv" || fail "split hard negatives header"
[ "$(grep -c '^test_hard' "$tmp/split.tsv")" -eq $((46 * 40)) ] && ok "40 hard negatives per test edge" \
    || fail "test_hard rows: $(grep -c '^test_hard' "$tmp/split.tsv")"
# without them, no hard_negatives header, and the same pairs otherwise
"$vgae" split --graph "$graph" --seed 7 --hard-negatives 0 -o "$tmp/split1.tsv" || fail "split without hard negatives"
grep -q '^# hard_negatives' "$tmp/split1.tsv" && fail "split1 header" || ok "no hard negatives, no header for them"
[ "$(grep -v '_hard' "$tmp/split.tsv" | grep -v '^# \(hard_negatives\|end\)')" = \
  "$(grep -v '^# end' "$tmp/split1.tsv")" ] && ok "hard negatives change no other pair" || fail "the pairs differ"
# a split cut short, or a set of it gone, is refused (it was read with the rest missing)
grep -v '^test' "$tmp/split.tsv" >"$tmp/no-test.tsv"
expect_error split-without-test 1 'no-test\.tsv:[0-9]+: the header gives [0-9]+ test rows, the file has 0' \
    -- train --graph "$graph" --split "$tmp/no-test.tsv" -o "$tmp/m.vgae"
head -n 100 "$tmp/split.tsv" >"$tmp/cut.tsv"
expect_error split-cut-short 1 'cut\.tsv:100: the file ends without its .# end. line: it was cut short' \
    -- train --graph "$graph" --split "$tmp/cut.tsv" -o "$tmp/m.vgae"
"$vgae" train --graph "$graph" --split "$tmp/split.tsv" --epochs 40 --seed 7 --quiet --json \
    -o "$tmp/model.vgae" >"$tmp/train.json" || fail "train"
"$vgae" eval --model "$tmp/model.vgae" --json >"$tmp/eval.json" || fail "eval"
for k in test_auc test_ap val_auc val_ap test_mrr test_hits@100 val_hard_hits@10; do
    a=$(json_field $k "$tmp/train.json") b=$(json_field $k "$tmp/eval.json")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "eval reproduces $k $a"; else fail "$k: train $a, eval $b"; fi
done
# eval on 1 and 2 threads, and with the split file given, gives the same
"$vgae" eval --model "$tmp/model.vgae" --json --threads 1 --split "$tmp/split.tsv" >"$tmp/eval1.json" 2>/dev/null
cmp -s "$tmp/eval.json" "$tmp/eval1.json" && ok "eval with the split file, 1 thread" || fail "eval with --split differs"
# training without --split makes the same split from the same seed
"$vgae" train --graph "$graph" --epochs 40 --seed 7 --quiet --json -o "$tmp/model2.vgae" >"$tmp/train2.json" || fail "train without --split"
cmp -s "$tmp/train.json" "$tmp/train2.json" || [ "$(json_field test_auc "$tmp/train.json")" = "$(json_field test_auc "$tmp/train2.json")" ] \
    && ok "the seed's split equals the written one" || fail "train without --split differs"

"$vgae" info --model "$tmp/model.vgae" >"$tmp/info" || fail "info --model"
grep -q '^kind: vgae$' "$tmp/info" && grep -q '^tensor: gcn.w0 160 x 32$' "$tmp/info" && grep -q '^seed: 7$' "$tmp/info" \
    && grep -q '^format_version: 2$' "$tmp/info" && grep -q '^hard_negatives: 40 per held-out edge$' "$tmp/info" \
    && grep -q '^hits_k: 10,20,50,100$' "$tmp/info" && grep -q '^test_mrr: 0\.' "$tmp/info" \
    && ok "info --model" || { fail "info --model output"; cat "$tmp/info"; }
# a model trained without hard negatives is a version 1 file, as before
"$vgae" train --graph "$graph" --split "$tmp/split1.tsv" --epochs 5 --quiet -o "$tmp/model1.vgae" >/dev/null || fail "train on split1"
"$vgae" info --model "$tmp/model1.vgae" | grep -q '^format_version: 1$' && ok "version 1 model without hard negatives" \
    || fail "model1 version"

for f in w2v tsv npy mtx; do
    "$vgae" embed --model "$tmp/model.vgae" -o "$tmp/emb.$f" --quiet || fail "embed $f"
done
[ "$(head -1 "$tmp/emb.w2v")" = "160 16" ] && ok "w2v header" || fail "w2v header '$(head -1 "$tmp/emb.w2v")'"
[ "$(wc -l <"$tmp/emb.w2v")" -eq 161 ] || fail "w2v lines"
head -c 6 "$tmp/emb.npy" | od -c | grep -q 'N   U   M   P   Y' && ok "npy magic" || fail "npy magic"
# numpy reads the .npy and it holds the w2v file's numbers (where numpy is installed)
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    /usr/bin/python3 - "$tmp/emb.npy" "$tmp/emb.w2v" <<'PY' && ok "numpy.load agrees with the w2v file" || fail "numpy check"
import sys, numpy
a = numpy.load(sys.argv[1])
lines = open(sys.argv[2]).read().split("\n")
n, d = map(int, lines[0].split(" "))
w = numpy.array([[float(x) for x in l.split(" ")[1:]] for l in lines[1:n + 1]], dtype=numpy.float32)
names = [l.split(" ")[0] for l in lines[1:n + 1]]
assert a.dtype == numpy.float32 and a.shape == (160, 16) == (n, d), (a.dtype, a.shape)
assert names == [str(i) for i in range(n)]
assert (a == w).all()
PY
else
    echo "note: no numpy in /usr/bin/python3; the .npy is checked by its magic only"
fi
"$vgae" embed --model "$tmp/model.vgae" -o - --format tsv --quiet | head -1 | grep -q "^node	d0	d1" \
    && ok "embed to stdout" || fail "embed to stdout"
"$vgae" embed --model "$tmp/model.vgae" --sample -o "$tmp/sample.w2v" --quiet || fail "embed --sample"
cmp -s "$tmp/emb.w2v" "$tmp/sample.w2v" && fail "--sample gave the means" || ok "embed --sample draws"

printf '0 1\n# a comment\n5 100\n' >"$tmp/pairs"
"$vgae" predict --model "$tmp/model.vgae" --pairs "$tmp/pairs" >"$tmp/pred" || fail "predict --pairs"
[ "$(wc -l <"$tmp/pred")" -eq 2 ] && grep -Eq '^0	1	0\.[0-9]+' "$tmp/pred" && ok "predict --pairs" || { fail "predict output"; cat "$tmp/pred"; }
"$vgae" predict --model "$tmp/model.vgae" --node 0 --top 5 >"$tmp/top" || fail "predict --node"
[ "$(wc -l <"$tmp/top")" -eq 6 ] && ok "predict --top" || { fail "predict --top output"; cat "$tmp/top"; }
leftovers "$tmp"

# ---- bad input: one line, exit 1, nothing left behind ----
cp "$tmp/model.vgae" "$tmp/trunc.vgae"
head -c 3000 "$tmp/model.vgae" >"$tmp/trunc.vgae"
expect_error truncated 1 'trunc\.vgae: truncated or corrupted model file \(CRC-32 mismatch\)' -- eval --model "$tmp/trunc.vgae"
cp "$tmp/model.vgae" "$tmp/flip.vgae"
# change one byte (to a value it cannot already have)
b=$(od -An -tu1 -j2000 -N1 "$tmp/flip.vgae" | tr -d ' ')
printf "\\$(printf %o $(((b + 1) % 256)))" | dd of="$tmp/flip.vgae" bs=1 seek=2000 conv=notrunc 2>/dev/null
cmp -s "$tmp/model.vgae" "$tmp/flip.vgae" && fail "the byte flip changed nothing"
expect_error corrupted 1 'flip\.vgae: truncated or corrupted model file \(CRC-32 mismatch\)' -- eval --model "$tmp/flip.vgae"
printf 'this is not a model\n' >"$tmp/text.vgae"
expect_error wrong-magic 1 'text\.vgae: not a vgae model file \(wrong magic\)' -- info --model "$tmp/text.vgae"
printf 'VGAEMODL\010\000\000\000rest' >"$tmp/newer.vgae"
expect_error newer-version 1 'newer\.vgae: model file format version 8 is newer than this vgae reads \(7\)' -- eval --model "$tmp/newer.vgae"
expect_error split-smaller-graph 1 'split\.tsv:3: the split is for a graph of 160 nodes, this graph has 5' -- train --graph "$data/star.edges" --split "$tmp/split.tsv" -o "$tmp/x.vgae"
# the same nodes and edge count, one edge moved: only the checksum tells
sed '3d' "$graph" >"$tmp/moved.edges"
echo "0 159" >>"$tmp/moved.edges"
expect_error split-other-graph 1 'split\.tsv: .*made for another graph' -- train --graph "$tmp/moved.edges" --split "$tmp/split.tsv" -o "$tmp/x.vgae"
[ -e "$tmp/x.vgae" ] && fail "a model was written after a split error"
expect_error model-other-graph-checksum 1 'trained on another graph \(checksum 0x[0-9a-f]{8}, this graph 0x[0-9a-f]{8}\); use --force' -- eval --model "$tmp/model.vgae" --graph "$tmp/moved.edges"
"$vgae" eval --model "$tmp/model.vgae" --graph "$tmp/moved.edges" --force --quiet >/dev/null && ok "--force applies it anyway" || fail "--force"
expect_error model-other-graph 1 'trained on a graph of 160 nodes, not 5' -- eval --model "$tmp/model.vgae" --graph "$data/star.edges"
printf '0 1\n3 999\n' >"$tmp/badpairs"
expect_error unknown-node 1 'badpairs:2: node .999. is not in the graph' -- predict --model "$tmp/model.vgae" --pairs "$tmp/badpairs"
expect_error unknown-top-node 1 "node 'x' is not in the graph" -- predict --model "$tmp/model.vgae" --node x
expect_error unwritable-model 1 'nodir/m\.vgae: cannot write: No such file or directory' -- train --graph "$graph" --epochs 2 --quiet -o "$tmp/nodir/m.vgae"
expect_error unwritable-embedding 1 'nodir/e\.w2v: cannot write' -- embed --model "$tmp/model.vgae" -o "$tmp/nodir/e.w2v"
# found in review: JSON never holds nan; unknown split options are named
"$vgae" train --graph "$graph" --test-frac 0 --epochs 2 --json --quiet -o "$tmp/notest.vgae" >"$tmp/notest.json" || fail "train --test-frac 0"
grep -q '"test_auc":null,"test_ap":null' "$tmp/notest.json" && ok "no test set: null in JSON" || { fail "JSON with nan"; cat "$tmp/notest.json"; }
cp "$graph" "$tmp/q\"uote.edges"
"$vgae" linkpred --graph "$tmp/q\"uote.edges" --epochs 2 --json --quiet | grep -qF 'q\"uote.edges","model"' \
    && ok "JSON escapes a quote in a path" || fail "JSON string escaping"
rm -f "$tmp/q\"uote.edges"
expect_error split-unknown-option 2 "unknown argument '--seedling'" -- split --graph "$graph" --seedling 3 -o "$tmp/x.tsv"
printf '0 1\n0 2\n0 3\n1 2\n1 3\n2 3\n' >"$tmp/k4.edges"
expect_error sampled-complete 1 'the training graph is complete' -- train --graph "$tmp/k4.edges" --val-frac 0 --test-frac 0 --loss sampled -o "$tmp/x.vgae"
expect_error model-missing 1 'nothere\.vgae: cannot open' -- eval --model "$tmp/nothere.vgae"
# found in review: --format applies to the model's own graph file too
expect_error format-of-the-models-graph 1 'planted\.edges:1: not a MatrixMarket file' -- eval --model "$tmp/model.vgae" --format mtx
# and --runs at the largest seed counts on past it
"$vgae" linkpred --graph "$graph" --epochs 2 --seed 2147483647 --runs 2 --json --quiet | grep -q '"seed":2147483648,' \
    && ok "seeds past 2^31 - 1" || fail "--runs at the largest seed"
"$vgae" train --graph "$graph" --model gae --epochs 2 --quiet -o "$tmp/gae.vgae" >/dev/null || fail "train gae"
expect_error sample-gae 2 '--sample needs a VGAE model' -- embed --model "$tmp/gae.vgae" --sample -o "$tmp/s.w2v"
[ -e "$tmp/s.w2v" ] && fail "an embedding file was written after an error"
leftovers "$tmp"

echo "$fails failures"
[ "$fails" -eq 0 ]
