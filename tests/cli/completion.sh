#!/bin/bash
# The generated bash completion offers the commands, the vae subcommands,
# a command's options, an option's choices, dataset names and file names.
# usage: completion.sh COMPLETION_SCRIPT VGAE
set -u
script=$1
vgae=$2
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC1090
. "$script" || { echo "FAIL: the script does not load"; exit 1; }
fails=0
complete_words() { # words...: the completions of the last word
    COMP_WORDS=("$vgae" "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _vgae
    echo "${COMPREPLY[*]}"
}
expect() { # want words...
    want=$1
    shift
    got=$(complete_words "$@")
    if [ "$got" = "$want" ]; then echo "ok: vgae $* -> $got"; else echo "FAIL: vgae $*: '$got', expected '$want'"; fails=$((fails + 1)); fi
}
expect "linkpred" lin
expect "train traverse" vae tr
expect "train" vae trai
expect "--recipe" linkpred --rec
expect "kipf2016 tuned" linkpred --recipe ""
expect "inner hadamard" train --decoder ""
expect "--binarize" vae train --bin
expect "none dynamic" vae train --binarize ""
expect "cora" linkpred --dataset co
expect "gnm" generate gn
expect "--roc" eval --ro
touch "$tmp/plot-me.png"
expect "$tmp/plot-me.png" linkpred --plot "$tmp/plot-"
expect "" linkpred --epochs ""
[ "$fails" -eq 0 ]
