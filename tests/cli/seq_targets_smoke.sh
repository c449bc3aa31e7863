#!/bin/sh
# tools/seq-targets end to end on the tiny SMILES file with a tiny model: it
# must print every figure's row against its target (validity judged with
# RDKit when python3-rdkit is installed, said to be unchecked when not),
# and a failing vgae command must end it with that command's message.
# usage: seq_targets_smoke.sh VGAE SEQ_TARGETS TEST_DATA_DIR
set -u
vgae=$1 script=$2 data=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no $py"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

"$py" "$script" --vgae "$vgae" --data "$data/tiny.smi" --epochs 2 --samples 20 --threads 1 -- \
    --embed 4 --enc-hidden 8 --dec-hidden 8 --latent 2 --valid-frac 0.2 >"$tmp/out" 2>"$tmp/err"
status=$?
cat "$tmp/out"
[ $status -eq 0 ] || fail "exit status $status: $(cat "$tmp/err")"
for row in "KL per held-out sequence" "active units" "greedy exact reconstruction, held-out" \
    "valid prior samples (RDKit)"; do
    grep -q "^$row" "$tmp/out" || fail "no row '$row'"
done
grep -q "^[0-9]* training and [0-9]* held-out molecules" "$tmp/out" || fail "no summary line"
if "$py" -c "import rdkit" 2>/dev/null; then
    grep -q "unique among the valid" "$tmp/out" || fail "RDKit is here but no uniqueness row"
else
    grep -q "not checked: no python3-rdkit" "$tmp/out" || fail "no RDKit and no note saying so"
fi

# a training option vgae refuses: one line naming the command, exit 1
"$py" "$script" --vgae "$vgae" --data "$data/tiny.smi" --epochs 1 -- --latent 0 >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 1 ] || fail "a refused option: exit status $status, not 1"
grep -q "seq-targets: .*seq train failed" "$tmp/err" || fail "a refused option: $(cat "$tmp/err")"
echo "$fails failures"
[ $fails -eq 0 ]
