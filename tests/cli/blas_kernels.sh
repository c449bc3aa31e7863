#!/bin/sh
# The BLAS kernels vgae runs with: the user's OPENBLAS_CORETYPE stands; without
# it, a CPU with AVX2 and FMA must get AVX2 or AVX-512 kernels (OpenBLAS 0.3.21
# falls back to generic ones on CPUs it does not know; vgae then re-executes
# itself with a better choice).
# usage: blas_kernels.sh VGAE
set -u
vgae=$1
fail=0
say() { echo "FAIL: $*"; fail=1; }

out=$(OPENBLAS_CORETYPE=Prescott "$vgae" version --json) || say "version --json failed"
case "$out" in
*'"blas_kernels":"Prescott","blas_kernels_origin":"from OPENBLAS_CORETYPE=Prescott"'*) ;;
*) say "the user's OPENBLAS_CORETYPE=Prescott was not kept: $out" ;;
esac

out=$(env -u OPENBLAS_CORETYPE "$vgae" version --json) || say "version --json failed"
echo "without OPENBLAS_CORETYPE: $out"
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    case "$out" in
    *'"blas_kernels":"'[Hh]aswell'"'* | *'"blas_kernels":"'[Zz]en'"'* | *'"blas_kernels":"'[Ss]kylake[Xx]'"'* | \
    *'"blas_kernels":"'[Cc]ooper[Ll]ake'"'* | *'"blas_kernels":"'[Ss]apphire[Rr]apids'"'*) ;;
    *) say "an AVX2 CPU runs generic BLAS kernels: $out" ;;
    esac
fi

# --verbose works with any command and reports on stderr, leaving stdout alone
err=$("$vgae" version --json -v 2>&1 >/dev/null) || say "version -v failed"
case "$err" in
*"OpenBLAS kernels: "*"vgae kernels: x86-64"*) ;;
*) say "--verbose did not report the kernels: $err" ;;
esac
# the default thread count leaves out a processor kept busy by another process
sh -c 'while :; do :; done' &
spin=$!
sleep 0.3
line=$("$vgae" version | grep '^threads:')
kill "$spin"
echo "with a busy loop running: $line"
case "$line" in
*" busy with other work"*) ;;
*) say "vgae version does not report busy processors: $line" ;;
esac
busy=$(printf '%s\n' "$line" | sed -n 's/.*, \([0-9][0-9]*\) busy with other work.*/\1/p')
[ -n "$busy" ] && [ "$busy" -ge 1 ] || say "a busy loop was not seen: $line"
[ "$fail" -eq 0 ] && echo "ok"
exit "$fail"
