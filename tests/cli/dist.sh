#!/bin/sh
# Training across processes: vgae linkpred --partitions on partitions of one
# graph into 1, 2, 3 and 4 parts gives the same AUC/AP bits and the same
# embedding file (sampled and full loss) as one process; a process count
# that is not the partition's, a damaged part and options the distributed
# model lacks each end every process with one message and exit 1, no hang,
# no file. Runs mpirun on the loopback (4 processes oversubscribe 2 cores).
# Without MPI in the build, or without mpirun, the one-process runs alone.
# usage: dist.sh VGAE SUPPRESSIONS
set -u
vgae=$1
supp=$2
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# Open MPI as root (CI), quiet about the loopback, and its own leaks kept
# out of LeakSanitizer's report (its components stay loaded so that the
# suppressions can name them)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_mca_base_component_disable_dlclose=1 OMPI_MCA_btl=self,vader
export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:fast_unwind_on_malloc=0"
mpi=0
if "$vgae" version | grep -q "MPI: Open MPI" && command -v mpirun >/dev/null 2>&1; then
    mpi=1
else
    echo "note: no MPI in this build or no mpirun: one process only"
fi
# run P ARGS...: vgae on P processes (P = 1 without mpirun)
run() {
    p=$1
    shift
    if [ "$p" -eq 1 ]; then
        timeout 300 "$vgae" "$@"
    else
        timeout 300 mpirun --oversubscribe -np "$p" -x LSAN_OPTIONS -x ASAN_OPTIONS -x UBSAN_OPTIONS \
            -x OMPI_MCA_mca_base_component_disable_dlclose "$vgae" "$@"
    fi
}

"$vgae" generate sbm --nodes 400 --edges 2400 --blocks 4 --inside 0.9 --seed 5 --quiet -o "$tmp/g.mtx" \
    || fail "generate"
procs="1"
[ "$mpi" -eq 1 ] && procs="1 2 3 4"
for p in $procs; do
    "$vgae" partition --graph "$tmp/g.mtx" --parts "$p" --blocks 16 --seed 3 --quiet -o "$tmp/part$p" \
        || fail "partition into $p"
done
# figures LOSS P: the run's test AUC and AP as printed
for loss in sampled full; do
    first=""
    for p in $procs; do
        if [ "$loss" = full ] && [ "$p" -eq 2 ]; then continue; fi
        run "$p" linkpred --partitions "$tmp/part$p" --loss "$loss" --epochs 40 --threads 1 --json --quiet \
            --embed "$tmp/emb-$loss-$p.npy" >"$tmp/out" 2>"$tmp/err" || { fail "$loss on $p: $(cat "$tmp/err")"; continue; }
        got="$(json_field test_auc "$tmp/out") $(json_field test_ap "$tmp/out")"
        if [ -z "$first" ]; then
            first=$got
            auc=$(json_field test_auc "$tmp/out")
            # one process's vgae (no partitions) on this graph, 40 epochs, 5 seeds: test AUC
            # 72.7 +- 5.8 (sampled), 72.8 +- 4.4 (full); chance is 0.5: above 0.6 it learned
            awk -v a="$auc" 'BEGIN { exit !(a > 0.6) }' && ok "$loss on 1 process: test AUC $auc" \
                || fail "$loss on 1 process: test AUC $auc"
        elif [ "$got" = "$first" ] && cmp -s "$tmp/emb-$loss-1.npy" "$tmp/emb-$loss-$p.npy"; then
            ok "$loss on $p processes: the same AUC/AP bits ($got) and embeddings as on 1"
        else
            fail "$loss on $p processes: '$got' against '$first' on 1, or other embeddings"
        fi
    done
done
# threads change nothing either
run 1 linkpred --partitions "$tmp/part1" --loss sampled --epochs 40 --threads 2 --json --quiet \
    --embed "$tmp/emb-t2.npy" >/dev/null 2>"$tmp/err" && cmp -s "$tmp/emb-t2.npy" "$tmp/emb-sampled-1.npy" \
    && ok "2 threads: the same embeddings" || fail "2 threads: $(cat "$tmp/err")"
# the far ends' codes gathered whole (auto here: a process's non-edges touch
# most other rows) or fetched row by row: the same bits
if [ "$mpi" -eq 1 ]; then
    for p in 2 4; do
        for far in gather fetch; do
            run "$p" linkpred --partitions "$tmp/part$p" --loss sampled --epochs 40 --threads 1 --json --quiet \
                --far-rows "$far" --embed "$tmp/emb-$far-$p.npy" >/dev/null 2>"$tmp/err" \
                && cmp -s "$tmp/emb-$far-$p.npy" "$tmp/emb-sampled-1.npy" \
                && ok "--far-rows $far on $p processes: the same embeddings as on 1" \
                || fail "--far-rows $far on $p processes: $(cat "$tmp/err")"
        done
    done
fi

# one_error NAME REGEX P ARGS...: exit 1, one line on stderr matching, nothing on stdout
one_error() {
    name=$1 regex=$2 p=$3
    shift 3
    run "$p" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    lines=$(grep -c '^vgae' "$tmp/err")
    if [ "$got" -eq 0 ] || [ "$got" -eq 124 ]; then
        fail "$name: exit $got"
    elif [ "$lines" -ne 1 ] || ! grep -Eq -- "$regex" "$tmp/err"; then
        fail "$name: stderr '$(cat "$tmp/err")' is not one line matching /$regex/"
    elif [ -s "$tmp/out" ]; then
        fail "$name: stdout not empty"
    else
        ok "$name: $(grep '^vgae' "$tmp/err")"
    fi
}
if [ "$mpi" -eq 1 ]; then
    one_error "3 parts on 2 processes" "the partition has 3 parts: run it on 3 processes" 2 \
        linkpred --partitions "$tmp/part3" --loss sampled --epochs 5 --quiet
    cp -r "$tmp/part2" "$tmp/bad2"
    printf 'garbage' | dd of="$tmp/bad2/part-1.vgae" bs=1 seek=300 conv=notrunc 2>/dev/null
    one_error "a damaged part on process 1" "part-1\.vgae.*(CRC|corrupted)" 2 \
        linkpred --partitions "$tmp/bad2" --loss sampled --epochs 5 --quiet --embed "$tmp/never.npy"
    [ -e "$tmp/never.npy" ] && fail "a failed run wrote its embeddings" || ok "no embeddings from the failed run"
fi
one_error "dropout" "does not support --dropout" 1 linkpred --partitions "$tmp/part1" --dropout 0.5 --quiet
one_error "a missing directory" "missing/manifest" 1 linkpred --partitions "$tmp/missing" --quiet
expect_error "--far-rows alone" 2 "--far-rows goes with --partitions" -- \
    linkpred --graph "$tmp/g.mtx" --far-rows fetch
expect_error "--embed alone" 2 "--embed goes with --partitions" -- linkpred --graph "$tmp/g.mtx" --embed "$tmp/e.npy"
expect_error "--partitions and a graph" 2 "no --dataset or --graph" -- \
    linkpred --partitions "$tmp/part1" --graph "$tmp/g.mtx"
leftovers "$tmp"
echo "$fails failures"
[ "$fails" -eq 0 ]
