#!/bin/sh
# The pictures: every --plot / --roc / --pr writes a PNG that decodes, has
# the expected size, is not blank and shows the series' colours; the SVG
# twins are well-formed XML with their axis labels; a picture that cannot be
# written is an error naming the path, with no file left behind.
# usage: plots.sh VGAE PNG_CHECK DATA_DIR
set -u
vgae=$1
check=$2
data=$3
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
blue=1f77b4 orange=ff7f0e green=2ca02c

# png FILE WIDTH HEIGHT MIN_COLOURS [RRGGBB...]: decodes, size, colours, ink, each colour present
png() {
    f=$1 w=$2 h=$3 min=$4
    shift 4
    if ! out=$("$check" "$f" "$@"); then fail "$f does not decode"; return; fi
    set -- $out
    [ "$1" -eq "$w" ] && [ "$2" -eq "$h" ] || { fail "$f is $1 x $2, expected $w x $h"; return; }
    [ "$3" -ge "$min" ] || { fail "$f has $3 colours, expected at least $min"; return; }
    [ "$4" -ge 20 ] && [ "$4" -le 600 ] || { fail "$f: $4 per mille ink (blank or flooded)"; return; }
    k=5
    while [ "$k" -le $# ]; do
        eval "c=\${$k}"
        [ "$c" -ge 30 ] || { fail "$f: a series colour has only $c pixels"; return; }
        k=$((k + 1))
    done
    ok "$(basename "$f"): $1 x $2, $3 colours, $4 per mille ink"
}

# svg FILE LABEL...: well-formed, each label a <text>
svg() {
    f=$1
    shift
    if [ ! -x "$py" ]; then ok "$(basename "$f") (no $py to parse it)"; return; fi
    if "$py" - "$f" "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
texts = [t.text for t in root.iter(ns + "text")]
missing = [label for label in sys.argv[2:] if label not in texts]
lines = len(list(root.iter(ns + "polyline")))
if root.tag != ns + "svg" or missing or lines < 3:
    print("tag", root.tag, "missing", missing, "polylines", lines)
    sys.exit(1)
PY
    then ok "$(basename "$f") is SVG with its labels"; else fail "$f: not the SVG expected"; fi
}

g="$data/planted.edges"
"$vgae" linkpred --graph "$g" --epochs 30 --runs 2 --quiet --plot "$tmp/lp.png" >/dev/null || fail "linkpred --plot"
png "$tmp/lp.png" 1560 380 20 "$blue" "$orange"
"$vgae" linkpred --graph "$g" --epochs 30 --quiet --plot "$tmp/lp.svg" >/dev/null || fail "linkpred --plot svg"
svg "$tmp/lp.svg" epoch loss "validation figure" "validation AUC" "validation AP"
"$vgae" train --graph "$g" --model gae --epochs 30 --quiet -o "$tmp/m.vgae" --plot "$tmp/train.png" >/dev/null ||
    fail "train --plot"
png "$tmp/train.png" 1040 380 20 "$blue" "$orange"
"$vgae" eval --model "$tmp/m.vgae" --roc "$tmp/roc.png" --pr "$tmp/pr.svg" --baselines --quiet >/dev/null ||
    fail "eval --roc --pr"
png "$tmp/roc.png" 580 440 20 "$blue" "$orange" "$green"
svg "$tmp/pr.svg" recall precision chance
"$vgae" train --dataset karate --epochs 50 --quiet -o "$tmp/k.vgae" >/dev/null || fail "train karate"
"$vgae" embed --model "$tmp/k.vgae" -o "$tmp/k.npy" --plot "$tmp/emb.png" || fail "embed --plot"
png "$tmp/emb.png" 760 600 10 "$blue" "$orange"
"$vgae" vae train --data "$data/tinyidx" --epochs 3 --hidden 16 --latent 2 --quiet -o "$tmp/v.vae" \
    --plot "$tmp/vae.png" >/dev/null || fail "vae train --plot"
png "$tmp/vae.png" 1040 380 20 "$blue" "$orange" "$green"

# latent traversals: 2 dimensions x 11 steps of 8x8 images, 2 pixels apart, zoom 2
"$vgae" vae traverse --model "$tmp/v.vae" -o "$tmp/trav.png" >"$tmp/trav.txt" || fail "vae traverse"
if out=$("$check" "$tmp/trav.png"); then
    set -- $out
    [ "$1" -eq 224 ] && [ "$2" -eq 44 ] && [ "$3" -ge 10 ] && ok "trav.png: $1 x $2, $3 grays" ||
        fail "trav.png is $1 x $2 with $3 grays, expected 224 x 44 and at least 10"
else
    fail "trav.png does not decode"
fi
[ "$(grep -c '^ *[12] ' "$tmp/trav.txt")" -eq 2 ] && ok "traverse prints a row per dimension" ||
    fail "traverse's rows: $(cat "$tmp/trav.txt")"
expect_error traverse-bad-image 2 '--image is a test image number below 40' -- vae traverse --model "$tmp/v.vae" \
    --image 40 -o "$tmp/no.png"
[ ! -e "$tmp/no.png" ] || fail "a refused traverse left a file"
# eval: the KL per dimension adds up to the KL, and the active units are counted
"$vgae" vae eval --model "$tmp/v.vae" --json >"$tmp/eval.json" || fail "vae eval --json"
if [ -x "$py" ] && "$py" - "$tmp/eval.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kl, act = d["kl_per_dim"], d["activity"]
ok = len(kl) == 2 and len(act) == 2 and abs(sum(kl) - d["test_kl"]) <= 1e-9 * abs(d["test_kl"]) \
    and d["active_units"] == sum(a > 0.01 for a in act) and min(act) >= 0
sys.exit(0 if ok else 1)
PY
then ok "eval: KL per dimension sums to the KL; active units"; else fail "eval's per-dimension figures: $(cat "$tmp/eval.json")"; fi

# the conditional VAE: two classes (horizontal and vertical bars)
"$vgae" vae train --data "$data/tinyidx" --conditional --epochs 20 --hidden 16 --latent 2 --lr 0.01 --batch 32 \
    --quiet -o "$tmp/c.vae" >/dev/null || fail "vae train --conditional"
"$vgae" info --model "$tmp/c.vae" | grep -qx 'classes: 2' && ok "the model file says 2 classes" ||
    fail "no classes in the model file"
"$vgae" vae sample --model "$tmp/c.vae" --by-label --cols 6 --zoom 1 -o "$tmp/cs.png" || fail "sample --by-label"
if out=$("$check" "$tmp/cs.png"); then
    set -- $out
    [ "$1" -eq 62 ] && [ "$2" -eq 22 ] && ok "by-label grid: 2 rows of 6" || fail "cs.png is $1 x $2, expected 62 x 22"
else
    fail "cs.png does not decode"
fi
"$vgae" vae sample --model "$tmp/c.vae" --label 1 --count 4 --cols 4 -o "$tmp/c1.png" || fail "sample --label 1"
"$vgae" vae eval --model "$tmp/c.vae" --iw-samples 20 --sample-accuracy 50 --quiet >"$tmp/ceval.txt" ||
    fail "vae eval of a conditional model"
grep -Eq '^class-conditional draws recognized as their class: [0-9.]+% \(50 per class' "$tmp/ceval.txt" &&
    grep -Eq 'gets [0-9.]+% of the test images right' "$tmp/ceval.txt" && ok "eval --sample-accuracy" ||
    fail "eval --sample-accuracy: $(cat "$tmp/ceval.txt")"
expect_error sample-accuracy-unconditional 2 '--sample-accuracy needs a conditional model' -- vae eval \
    --model "$tmp/v.vae" --sample-accuracy 5
expect_error label-out-of-range 2 '--label 2: the model knows labels 0..1' -- vae sample --model "$tmp/c.vae" \
    --label 2 -o "$tmp/no.png"
expect_error label-unconditional 2 '--label and --by-label need a conditional model' -- vae sample \
    --model "$tmp/v.vae" --label 0 -o "$tmp/no.png"
[ ! -e "$tmp/no.png" ] || fail "a refused sample left a file"

# the vector-quantized VAE: trains, evaluates with its codebook's use, draws its pictures
"$vgae" vae train --data "$data/tinyidx" --latent-kind vq --codebook 32 --codes 2 --latent 8 --epochs 10 \
    --hidden 16 --lr 0.01 --batch 32 --quiet -o "$tmp/q.vae" >/dev/null || fail "vae train --latent-kind vq"
"$vgae" vae eval --model "$tmp/q.vae" >"$tmp/qeval.txt" || fail "vae eval of a vq model"
grep -Eq '^codebook: [0-9]+ of 32 codes used on these images, perplexity [0-9.]+' "$tmp/qeval.txt" &&
    ok "vq eval: codes used and perplexity" || fail "vq eval: $(cat "$tmp/qeval.txt")"
"$vgae" vae reconstruct --model "$tmp/q.vae" --count 5 --zoom 1 -o "$tmp/qr.png" || fail "vq reconstruct"
"$vgae" vae sample --model "$tmp/q.vae" --count 8 --cols 4 --zoom 1 -o "$tmp/qs.png" || fail "vq sample"
if out=$("$check" "$tmp/qs.png"); then
    set -- $out
    [ "$1" -eq 42 ] && [ "$2" -eq 22 ] && ok "vq sample grid 4 x 2" || fail "qs.png is $1 x $2, expected 42 x 22"
else
    fail "qs.png does not decode"
fi
expect_error vq-manifold 1 'the manifold is a grid over a Gaussian latent space' -- vae manifold \
    --model "$tmp/q.vae" -o "$tmp/no.png"
expect_error vq-iwae 1 'the vq latent layer has no density' -- vae eval --model "$tmp/q.vae" --iw-samples 5
[ ! -e "$tmp/no.png" ] || fail "a refused vq picture left a file"

# errors: a folder that is not there; nothing is left behind
expect_error plot-missing-folder 1 "$tmp/no/such/lp.png" -- linkpred --graph "$g" --epochs 5 --quiet \
    --plot "$tmp/no/such/lp.png"
expect_error baselines-without-curves 2 'give --roc FILE or --pr FILE' -- eval --model "$tmp/m.vgae" --baselines
leftovers "$tmp"
echo "$fails failures"
[ "$fails" -eq 0 ]
