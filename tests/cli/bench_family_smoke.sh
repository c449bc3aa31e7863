#!/bin/sh
# Runs tools/bench-vae-family on the tiny IDX folder of the test data: every
# variant must give its row of the table, after the CPU and kernels lines
# (the times are not judged: a test is no place for timing), and a missing
# folder must give one clear line and a non-zero exit.
# usage: bench_family_smoke.sh VGAE BENCH TEST_DATA_DIR
set -u
vgae=$1 bench=$2 data=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no $py"; exit 77; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

out=$("$py" "$bench" --vgae "$vgae" --data "$data/tinyidx" --epochs 1 --rounds 1 --target 1e9 2>/dev/null)
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc"
for line in '^CPU: .*; vgae threads [0-9]+ in every run$' '^kernels: OpenBLAS .*, core x86-64' \
            '^\| variant \| what \| s/epoch' '^\| plain \| .* \| 1\.00 \|' '^\| conditional \|' \
            '^\| beta 4, cyclical \|' '^\| capacity \|' '^\| vq \|' '^\| vq, ema \|'; do
    printf '%s\n' "$out" | grep -Eq "$line" && echo "ok: $line" || fail "no line matching $line"
done
err=$("$py" "$bench" --vgae "$vgae" --data "$data/no-such-folder" 2>&1 >/dev/null)
rc=$?
[ "$rc" -ne 0 ] && printf '%s\n' "$err" | grep -q 'no MNIST folder at .*no-such-folder' &&
    echo "ok: a missing folder" || fail "a missing folder: status $rc, '$err'"
[ "$fails" -eq 0 ] || { printf '%s\n' "$out"; exit 1; }
