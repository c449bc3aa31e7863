#!/bin/sh
# meson install into a scratch folder, then: every installed header, the
# library, the tool and vgae.pc are there; a program compiled and linked with
# `pkg-config --cflags --libs vgae` against the installed copy runs; the
# installed tool runs.
# usage: installed.sh BUILD_DIR PROGRAM.c SANITIZE(b_sanitize, or none)
set -u
build=$1
program=$2
sanitize=${3:-none}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 \
    || { cat "$tmp/install.log"; fail "meson install"; exit 1; }
pc=$(find "$tmp/root" -name vgae.pc | head -1)
[ -n "$pc" ] && ok "vgae.pc installed" || { fail "no vgae.pc"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")
root="$tmp/root$prefix"
pkg() { PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$root" "$@" vgae; }
includedir=$(pkg --variable=includedir)
libdir=$(pkg --variable=libdir)
for h in vgae.h core/version.h core/export.h nn/real.h vae/latent.h models/graph_ae.h models/image_vae.h; do
    [ -f "$includedir/vgae/$h" ] || fail "header vgae/$h not installed"
done
n=$(find "$includedir/vgae" -name '*.h' | wc -l)
src=$(cd "$(dirname "$0")/../../include/vgae" && find . -name '*.h' | wc -l)
[ "$n" -eq $((src + 1)) ] && ok "$n headers installed (version.h generated)" || fail "$n headers installed, $src + 1 expected"
ls "$libdir"/libvgae.so* >/dev/null 2>&1 && ok "libvgae.so installed" || fail "no libvgae.so in $libdir"
[ -x "$root/bin/vgae" ] && ok "bin/vgae installed" || fail "no bin/vgae"
[ "$(pkg --modversion)" = "$(sed -n 's/^#define VGAE_VERSION_STRING "\(.*\)"/\1/p' "$includedir/vgae/core/version.h")" ] \
    && ok "pkg-config's version is the header's" || fail "versions differ"

extra=""
[ "$sanitize" != none ] && extra="-fsanitize=$sanitize"
# shellcheck disable=SC2046 # pkg-config's flags are words
if cc -std=c11 -Wall -Wextra -Werror $extra $(pkg --cflags) "$program" -o "$tmp/program" \
    $(pkg --libs) -Wl,-rpath,"$libdir" 2>"$tmp/cc.log"; then
    ok "a program builds against the installed library with pkg-config"
else
    cat "$tmp/cc.log"
    fail "building against the installed library"
fi
if [ -x "$tmp/program" ] && "$tmp/program"; then ok "it runs"; else fail "the program failed"; fi
ldd "$tmp/program" 2>/dev/null | grep -q "$libdir/libvgae.so" && ok "it runs on the installed copy" \
    || fail "the program did not load the installed libvgae.so"
LD_LIBRARY_PATH="$libdir" "$root/bin/vgae" version | grep -q '^vgae ' && ok "the installed vgae runs" \
    || fail "the installed vgae"
[ -f "$root/share/vgae/datasets/cora/adjacency.mtx.gz" ] && [ -f "$root/share/vgae/datasets/README.md" ] &&
    ok "the bundled datasets installed" || fail "no share/vgae/datasets/cora"
man=$(find "$tmp/root" -path '*/man1/vgae.1' | head -n 1)
[ -n "$man" ] && grep -q '^\.TH VGAE 1' "$man" && ok "the manual page installed ($(echo "$man" | sed "s|^$tmp/root||"))" ||
    fail "no man1/vgae.1"
[ -f "$root/share/bash-completion/completions/vgae" ] && ok "the bash completion installed" ||
    fail "no share/bash-completion/completions/vgae"
# The Python module, where Debian's python3 looks (when it was built)
ext=$(find "$tmp/root" -name '_vgae*.so' | head -n 1)
if [ -n "$ext" ]; then
    site=$(dirname "$(dirname "$ext")")
    [ -f "$site/vgae/__init__.py" ] && ok "the Python module installed in $(echo "$site" | sed "s|^$tmp/root||")" ||
        fail "no vgae/__init__.py beside the extension"
    /usr/bin/python3 -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$(echo "$site" | sed "s|^$tmp/root||")" &&
        ok "a folder on /usr/bin/python3's sys.path" || fail "$site is not on /usr/bin/python3's sys.path"
    pre=""
    for rt in asan ubsan; do
        ldd "$ext" | grep -q "lib$rt" && pre="$pre $(cc -print-file-name="lib$rt.so")"
    done
    if /usr/bin/python3 -c 'import numpy' 2>/dev/null &&
        env LD_PRELOAD="$pre" ASAN_OPTIONS=detect_leaks=0 LD_LIBRARY_PATH="$libdir" PYTHONPATH="$site" \
            /usr/bin/python3 -c 'import vgae, sys; g = vgae.load_dataset("karate"); sys.exit(g.n_nodes != 34 or not vgae.__file__.startswith(sys.argv[1]))' "$site"; then
        ok "the installed module imports and loads a dataset"
    else
        fail "the installed Python module"
    fi
fi
echo "$fails failures"
[ "$fails" -eq 0 ]
