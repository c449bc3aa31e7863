#!/bin/bash
# Checkpoint and resume from the command line: train, linkpred and vae train
# stopped again and again at random moments (SIGINT, SIGTERM, kill -9), each
# time resumed with --resume on 1 or 2 threads, end with the same figures,
# model and embeddings as the run that was never stopped; checkpoints of
# other runs are refused with one line.
# usage: resume.sh VGAE DATA_DIR [TRIALS]
set -u
vgae=$1
data=$2
trials=${3:-3}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
graph=$data/planted.edges
stops=0
RANDOM=7

# The figures of a JSON report, without times and the model's path.
figures() { sed -e 's/"train_seconds":[0-9.e+-]*,\?//g' -e 's/"seconds_per_epoch":[0-9.e+-]*,\?//g' \
                -e 's/"model":"[^"]*",\?//' "$1"; }

# stop_and_resume NAME WAIT ARGS...: runs `vgae ARGS --checkpoint C`, stopping
# it after a random wait (up to WAIT hundredths of a second) with SIGINT,
# SIGTERM or SIGKILL in turn, and again with
# --resume C (when a checkpoint exists) until it completes; its stdout ends
# in $tmp/NAME.out. A stop must give exit 130 / 143 / 137 (or 0 if it came
# too late) and leave no temporary file.
stop_and_resume() {
    local name=$1 most=$2
    shift 2
    local ck=$tmp/$name.ckpt k=0 rc sig pid
    rm -f "$ck"
    while :; do
        local resume=()
        [ -f "$ck" ] && resume=(--resume "$ck")
        "$vgae" "$@" --threads $((k % 2 + 1)) --checkpoint "$ck" --checkpoint-every 3 "${resume[@]}" \
            >"$tmp/$name.out" 2>"$tmp/$name.err" &
        pid=$!
        if [ $k -lt 40 ]; then
            sleep "$(printf '%d.%02d' $(( (RANDOM % most + 1) / 100 )) $(( (RANDOM % most + 1) % 100 )))"
            sig=$(( k % 3 ))
            case $sig in 0) kill -INT $pid 2>/dev/null ;; 1) kill -TERM $pid 2>/dev/null ;; 2) kill -KILL $pid 2>/dev/null ;; esac
        fi
        wait $pid 2>/dev/null
        rc=$?
        k=$((k + 1))
        [ $rc -eq 0 ] && break
        case $rc in
            130 | 143 | 137) stops=$((stops + 1)) ;;
            *) fail "$name: a stop ended with exit $rc: $(tail -1 "$tmp/$name.err")"; return ;;
        esac
        # SIGKILL cannot be caught: a checkpoint being written then leaves its
        # temporary file (the checkpoint itself is the old one, whole)
        if [ $rc -ne 137 ] && ls -A "$tmp" | grep -q '^\.'; then
            fail "$name: temporary files left after exit $rc: $(ls -A "$tmp")"; return
        fi
        rm -f "$tmp"/.*.ckpt.*
        if [ $rc -ne 137 ] && grep -q "checkpoint" "$tmp/$name.err" &&
            ! grep -q -- "--resume $ck" "$tmp/$name.err"; then
            fail "$name: the stop's message does not say how to go on: $(cat "$tmp/$name.err")"
        fi
    done
    ok "$name: completed after $((k - 1)) stops"
}

for t in $(seq 1 "$trials"); do
    # train: model selection with early stopping, dropout; model and embeddings compared
    args=(train --dataset cora --epochs 60 --val-every 4 --patience 6 --dropout 0.1 --seed $t --json --quiet)
    "$vgae" "${args[@]}" -o "$tmp/want.vgae" >"$tmp/want.json" || fail "train"
    stop_and_resume train 90 "${args[@]}" -o "$tmp/got.vgae"
    if [ "$(figures "$tmp/want.json")" = "$(figures "$tmp/train.out")" ]; then
        ok "train $t: the same figures"
    else
        fail "train $t: $(cat "$tmp/want.json") vs $(cat "$tmp/train.out")"
    fi
    "$vgae" embed --model "$tmp/want.vgae" -o "$tmp/want.npy" --quiet &&
        "$vgae" embed --model "$tmp/got.vgae" -o "$tmp/got.npy" --quiet &&
        cmp -s "$tmp/want.npy" "$tmp/got.npy" && ok "train $t: the same embeddings" ||
        fail "train $t: other embeddings"

    # linkpred: three runs, the sampled loss with edge masking, a stop in any of them
    args=(linkpred --graph "$graph" --runs 3 --loss sampled --mask-rate 0.5 --epochs 150 --seed $((t + 10))
          --json --quiet)
    "$vgae" "${args[@]}" >"$tmp/want.json" || fail "linkpred"
    stop_and_resume linkpred 30 "${args[@]}"
    if [ "$(figures "$tmp/want.json")" = "$(figures "$tmp/linkpred.out")" ]; then
        ok "linkpred $t: the same figures"
    else
        fail "linkpred $t: $(cat "$tmp/want.json") vs $(cat "$tmp/linkpred.out")"
    fi

    # vae train: stops inside epochs too; the model's weights compared
    args=(vae train --data "$data/tinyidx" --epochs 400 --hidden 64 --latent 4 --batch 16 --seed $t --json --quiet)
    "$vgae" "${args[@]}" -o "$tmp/want.vae" >"$tmp/want.json" || fail "vae train"
    stop_and_resume vae 30 "${args[@]}" -o "$tmp/got.vae"
    "$vgae" vae encode --model "$tmp/want.vae" -o "$tmp/w.npy" --quiet &&
        "$vgae" vae encode --model "$tmp/got.vae" -o "$tmp/g.npy" --quiet &&
        cmp -s "$tmp/w.npy" "$tmp/g.npy" && [ "$(figures "$tmp/want.json")" = "$(figures "$tmp/vae.out")" ] &&
        ok "vae train $t: the same figures and codes" ||
        fail "vae train $t: $(cat "$tmp/want.json") vs $(cat "$tmp/vae.out")"
done
echo "stops: $stops"

# ---- checkpoints of other runs ----
"$vgae" train --graph "$graph" --epochs 6 --seed 1 --quiet --checkpoint "$tmp/a.ckpt" --checkpoint-every 3 \
    -o "$tmp/a.vgae" --json >/dev/null || fail "train with a checkpoint"
expect_error "another seed is refused" 1 "a checkpoint of another seed: seed 1 there, 2 here" -- \
    train --graph "$graph" --epochs 6 --seed 2 --quiet --resume "$tmp/a.ckpt" -o "$tmp/b.vgae"
expect_error "other options are refused" 1 "a checkpoint of other options: hidden 32 there, 16 here" -- \
    train --graph "$graph" --epochs 6 --seed 1 --hidden 16 --quiet --resume "$tmp/a.ckpt" -o "$tmp/b.vgae"
expect_error "another graph is refused" 1 "a checkpoint of another graph" -- \
    train --dataset karate --epochs 6 --seed 1 --quiet --resume "$tmp/a.ckpt" -o "$tmp/b.vgae"
"$vgae" split --graph "$graph" --seed 5 -o "$tmp/s.tsv" || fail "split"
expect_error "another split is refused" 1 "a checkpoint of another split" -- \
    train --graph "$graph" --split "$tmp/s.tsv" --epochs 6 --seed 1 --quiet --resume "$tmp/a.ckpt" -o "$tmp/b.vgae"
expect_error "another command's checkpoint is refused" 1 "a checkpoint of 'vgae train', not of 'vgae linkpred'" -- \
    linkpred --graph "$graph" --epochs 6 --seed 1 --quiet --resume "$tmp/a.ckpt"
expect_error "a model file is not a checkpoint" 1 "not a checkpoint" -- \
    train --graph "$graph" --epochs 6 --seed 1 --quiet --resume "$tmp/a.vgae" -o "$tmp/b.vgae"
expect_error "a checkpoint to standard output is refused" 1 "not '-'" -- \
    train --graph "$graph" --epochs 6 --quiet --checkpoint - -o "$tmp/b.vgae"
expect_error "a checkpoint into a missing folder is refused before training" 1 "$tmp/none/c.ckpt" -- \
    train --graph "$graph" --epochs 6 --quiet --checkpoint "$tmp/none/c.ckpt" -o "$tmp/b.vgae"
[ -e "$tmp/b.vgae" ] && fail "a refused resume wrote a model"
# the checkpoint is a model file too: info and eval read it as the model at its epoch
"$vgae" info --model "$tmp/a.ckpt" | grep -q "^epochs_trained: 6$" && ok "info reads a checkpoint" ||
    fail "info of a checkpoint"
leftovers "$tmp"
[ $fails -eq 0 ] && echo "all resume checks passed" || exit 1
