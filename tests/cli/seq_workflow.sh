#!/bin/sh
# The sequence VAE from the command line: train, eval, sample, reconstruct,
# interpolate, encode on a small language; the same bits on 1 and 2 threads;
# and the bad inputs (one line on stderr, exit 1 or 2, nothing written).
# usage: seq_workflow.sh VGAE
set -u
vgae=$1
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# 400 strings a^n b^n (n = 1..4), half of them ending in c; one line far too long
awk 'BEGIN { srand(1); for (i = 0; i < 400; i++) { n = 1 + int(rand() * 4); s = "";
             for (k = 0; k < n; k++) s = s "a"; for (k = 0; k < n; k++) s = s "b";
             if (rand() < 0.5) s = s "c"; print s }
             s = ""; for (k = 0; k < 40; k++) s = s "ab"; print s }' >"$tmp/lang.txt"
small="--embed 8 --enc-hidden 24 --dec-hidden 32 --latent 4 --free-bits 1 --lr 0.005 --batch 16 --max-len 12"

"$vgae" seq train --data "$tmp/lang.txt" $small --epochs 30 --json -o "$tmp/m.seq" >"$tmp/train.json" \
    2>"$tmp/progress" || { fail "seq train"; cat "$tmp/progress"; }
grep -Eq '^epoch  30/30  train loss +[0-9.]+ \(recon +[0-9.]+ \+ KL +[0-9.]+\) chars +[0-9.]+%  valid -ELBO +[0-9.]+ \(recon +[0-9.]+ \+ KL +[0-9.]+\) chars +[0-9.]+% +[0-9.]+ s$' \
    "$tmp/progress" && ok "progress per epoch" || { fail "progress"; cat "$tmp/progress"; }
grep -q 'note: .*lang.txt: 1 lines longer than 12 characters left out (the first: line 401)' "$tmp/progress" \
    && ok "the long line counted" || { fail "long line note"; cat "$tmp/progress"; }
grep -Eq '"train_sequences":360,"valid_sequences":40,"alphabet":3,' "$tmp/train.json" && ok "train JSON" \
    || { fail "train JSON"; cat "$tmp/train.json"; }

"$vgae" seq eval --model "$tmp/m.seq" --iw-samples 20 --json --quiet >"$tmp/eval.json" || fail "seq eval"
grep -Eq '^\{"sequences":40,"neg_elbo":[0-9.]+,"recon":[0-9.]+,"kl":[0-9.]+,"per_char":[0-9.]+,"char_accuracy":[0-9.]+,"greedy_exact":[0-9.]+,"iw_nll":[0-9.]+,"iw_samples":20,"active_units":[0-4],"latent":4\}$' \
    "$tmp/eval.json" && ok "eval JSON" || { fail "eval JSON"; cat "$tmp/eval.json"; }
# eval reproduces the validation loss training reported (the same lines, the same draws)
a=$(json_field valid_neg_elbo "$tmp/train.json") b=$(json_field neg_elbo "$tmp/eval.json")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "eval reproduces the validation loss $a" || fail "valid loss: train $a, eval $b"
# the language is learned: most held-out strings come back exactly, and z is used
awk -v r="$(json_field greedy_exact "$tmp/eval.json")" -v k="$(json_field kl "$tmp/eval.json")" \
    'BEGIN { exit !(r >= 0.75 && k > 1) }' && ok "greedy reconstruction $(json_field greedy_exact "$tmp/eval.json")" \
    || fail "reconstruction or KL too low: $(cat "$tmp/eval.json")"
"$vgae" seq eval --model "$tmp/m.seq" --quiet >"$tmp/eval.txt" && grep -Eq '^  active units +[0-4] of 4$' "$tmp/eval.txt" \
    && ok "eval table" || { fail "eval table"; cat "$tmp/eval.txt"; }

"$vgae" seq sample --model "$tmp/m.seq" --count 50 -o "$tmp/s.txt" 2>"$tmp/sample.err" || fail "seq sample"
[ "$(wc -l <"$tmp/s.txt")" -eq 50 ] && grep -Eq '^50 samples \(temperature 1\): [0-9]+ distinct \([0-9.]+%\), [0-9]+ ended within 12 characters, [0-9]+ not among the 360 training sequences' \
    "$tmp/sample.err" && ok "samples and their summary" || { fail "sample"; cat "$tmp/sample.err"; }
"$vgae" seq sample --model "$tmp/m.seq" --count 5 --temperature 0 --quiet | grep -Eqv '^[abc]*$' \
    && fail "greedy samples outside the alphabet" || ok "greedy samples"
"$vgae" seq reconstruct --model "$tmp/m.seq" --count 5 >"$tmp/r.tsv" 2>/dev/null || fail "seq reconstruct"
[ "$(head -1 "$tmp/r.tsv")" = "$(printf 'line\tsequence\treconstruction\texact')" ] && [ "$(wc -l <"$tmp/r.tsv")" -eq 6 ] \
    && ok "reconstruct table" || { fail "reconstruct"; cat "$tmp/r.tsv"; }
"$vgae" seq reconstruct --model "$tmp/m.seq" --text aabb --quiet | grep -q '	aabb	' && ok "reconstruct --text" \
    || fail "reconstruct --text"
"$vgae" seq interpolate --model "$tmp/m.seq" --from-text ab --to-text aaaabbbbc --steps 5 --quiet >"$tmp/i.txt" \
    || fail "seq interpolate"
[ "$(grep -c '^[01]\.[0-9]*	' "$tmp/i.txt")" -eq 5 ] && grep -q '^1.000	aaaabbbbc$' "$tmp/i.txt" && ok "interpolate" \
    || { fail "interpolate"; cat "$tmp/i.txt"; }
"$vgae" seq interpolate --model "$tmp/m.seq" --from 1 --to 2 --quiet >/dev/null && ok "interpolate by index" \
    || fail "interpolate --from --to"
"$vgae" seq encode --model "$tmp/m.seq" -o "$tmp/codes.w2v" --quiet || fail "seq encode"
[ "$(head -1 "$tmp/codes.w2v")" = "40 4" ] && [ "$(wc -l <"$tmp/codes.w2v.scores.tsv")" -eq 41 ] \
    && head -1 "$tmp/codes.w2v.scores.tsv" | grep -q '^line	sequence	neg_elbo$' && ok "encode and scores" \
    || fail "encode output"
"$vgae" seq encode --model "$tmp/m.seq" --data "$tmp/lang.txt" --all -o "$tmp/all.npy" --quiet \
    && [ "$(wc -l <"$tmp/all.npy.scores.tsv")" -eq 401 ] && ok "encode --all" || fail "encode --all"
# without validation lines: no validation figures, not zeros
"$vgae" seq train --data "$tmp/lang.txt" $small --epochs 1 --valid-frac 0 -o "$tmp/nv.seq" 2>/dev/null \
    | grep -q 'no validation lines (--valid-frac 0)' && ok "no validation lines" || fail "--valid-frac 0"
"$vgae" seq train --data "$tmp/lang.txt" $small --epochs 1 --valid-frac 0 --json --quiet -o "$tmp/nv.seq" \
    | grep -q '"valid_neg_elbo":null' && ok "no validation figures in JSON" || fail "--valid-frac 0 JSON"
leftovers "$tmp"

# the same seed: the same model's figures and the same samples on 1 and 2 threads
for t in 1 2; do
    "$vgae" seq train --data "$tmp/lang.txt" $small --batch 64 --enc-hidden 96 --dec-hidden 160 --epochs 3 --threads $t --quiet \
        --json -o "$tmp/t$t.seq" | sed 's/"seconds_per_epoch":[0-9.]*//' >"$tmp/t$t.json" || fail "train on $t threads"
    "$vgae" seq sample --model "$tmp/t$t.seq" --count 30 --threads $t --quiet >"$tmp/t$t.txt" || fail "sample on $t"
done
cmp -s "$tmp/t1.json" "$tmp/t2.json" && cmp -s "$tmp/t1.txt" "$tmp/t2.txt" && ok "the same bits on 1 and 2 threads" \
    || { fail "threads differ"; cat "$tmp/t1.json" "$tmp/t2.json"; }

# ---- bad input ----
: >"$tmp/empty.txt"
expect_error empty-file 1 'empty.txt: no sequences \(the file is empty or blank\)' -- seq train --data "$tmp/empty.txt" -o "$tmp/x.seq"
printf 'abc\n\001\002\377binary\n' >"$tmp/junk.bin"
expect_error binary-junk 1 'junk.bin:2: byte 1 \(0x01\) is not UTF-8 text' -- seq train --data "$tmp/junk.bin" -o "$tmp/x.seq"
printf 'ab\n%s\n' "$(printf 'a%.0s' $(seq 1 20))" >"$tmp/long.txt"
expect_error all-too-long 1 'long.txt: no sequence kept|at least 2 are needed' -- seq train --data "$tmp/long.txt" --max-len 1 -o "$tmp/x.seq"
expect_error unknown-character 1 "--text: character 3, 'x', is not in the model's alphabet" -- seq reconstruct --model "$tmp/m.seq" --text abx
expect_error unknown-character-interpolate 1 "--to-text: character 1, 'z', is not in the model's alphabet" -- seq interpolate --model "$tmp/m.seq" --from-text ab --to-text zz
expect_error too-long-text 1 "--text has 13 characters, more than the model's 12" -- seq reconstruct --model "$tmp/m.seq" --text aaaaaabbbbbbc
expect_error no-data 2 'no sequences: give --data FILE' -- seq train -o "$tmp/x.seq"
expect_error no-file 1 'nothere' -- seq train --data "$tmp/nothere" -o "$tmp/x.seq"
expect_error not-a-model 1 'not a vgae model file' -- seq eval --model "$tmp/lang.txt"
expect_error half-interpolation 2 'give both --from-text and --to-text' -- seq interpolate --model "$tmp/m.seq" --from-text ab
expect_error unwritable-samples 1 'nodir/s\.txt: cannot write' -- seq sample --model "$tmp/m.seq" -o "$tmp/nodir/s.txt"
expect_error encode-unwritable-scores 1 'nodir/s\.tsv: cannot write' -- seq encode --model "$tmp/m.seq" -o "$tmp/c2.npy" --scores "$tmp/nodir/s.tsv"
[ -e "$tmp/c2.npy" ] && fail "codes written although the scores could not be"
[ -e "$tmp/x.seq" ] && fail "a model was written after an error"
leftovers "$tmp"

echo "$fails failures"
[ "$fails" -eq 0 ]
