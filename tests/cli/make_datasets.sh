#!/bin/sh
# tools/make-datasets --check: the conversion of the raw Planetoid files gives
# the bundled files' text (and the prepared plain files beside raw/, if any).
# Skipped without the raw files in a folder of $VGAE_DATA, or without numpy
# and scipy in /usr/bin/python3.
# usage: make_datasets.sh TOOLS_DIR DATASETS_DIR
set -u
tools=$1 out=$2
raw=""
old_ifs=$IFS; IFS=:
for d in ${VGAE_DATA:-}; do
    [ -f "$d/cora/raw/ind.cora.graph" ] && [ -f "$d/citeseer/raw/ind.citeseer.graph" ] &&
        [ -f "$d/pubmed/raw/ind.pubmed.graph" ] && raw=$d && break
done
IFS=$old_ifs
[ -n "$raw" ] || { echo "SKIP: the raw Planetoid files are not in VGAE_DATA"; exit 77; }
/usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null || { echo "SKIP: no numpy/scipy in /usr/bin/python3"; exit 77; }
/usr/bin/python3 "$tools/make-datasets" --raw "$raw" --out "$out" --check
