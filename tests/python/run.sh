#!/bin/sh
# Runs a Python test of the vgae module from the build folder with Debian's
# python3. In a sanitizer build the extension needs the sanitizer runtimes
# loaded first (LD_PRELOAD); Python's own allocations at exit are not ours,
# so leak checking is off there. Skipped without numpy and scipy.
# usage: run.sh PACKAGE_DIR TEST.py ARGS...
set -u
pkg=$1
shift
py=/usr/bin/python3
"$py" -c 'import numpy, scipy' 2>/dev/null || { echo "SKIP: no numpy/scipy for $py"; exit 77; }
ext=$(ls "$pkg"/vgae/_vgae*.so 2>/dev/null | head -n 1)
[ -n "$ext" ] || { echo "FAIL: no extension in $pkg/vgae"; exit 1; }
pre=""
for rt in asan ubsan; do
    if ldd "$ext" | grep -q "lib$rt"; then
        lib=$(cc -print-file-name="lib$rt.so")
        pre="$pre $lib"
    fi
done
if [ -n "$pre" ]; then
    export LD_PRELOAD="$pre"
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
fi
PYTHONPATH="$pkg" exec "$py" "$@"
