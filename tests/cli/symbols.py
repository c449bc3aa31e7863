#!/usr/bin/env python3
"""libvgae.so exports exactly what the installed headers declare.

usage: symbols.py LIBVGAE.so INCLUDE_DIR [INCLUDE_DIR ...]

Reads every header under the include folders (vgae/**/*.h, the generated
version.h too), takes the functions they declare at file scope (not the
static inline ones, not function-pointer typedefs), and compares them with
the functions `nm -D --defined-only` lists. Also checks that every such
declaration carries VGAE_EXPORT, so that exporting stays a decision written
in the header. Prints the differences; exit 1 if there are any."""
import glob
import os
import re
import subprocess
import sys


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def declarations(path):
    """(name, exported) for each function declared at file scope."""
    text = strip_comments(open(path).read())
    text = re.sub(r"#ifdef __cplusplus.*?#endif", " ", text, flags=re.S)  # extern "C" { and }
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)  # preprocessor lines
    found = []
    depth = 0
    statement = ""
    for ch in text:
        if ch == "{":
            if depth == 0 and re.search(r"\)\s*$", statement):  # an inline function's body
                found.append(("inline", statement))
            depth += 1
            statement = "" if depth == 1 else statement
            continue
        if ch == "}":
            depth -= 1
            if depth == 0:
                statement = ""
            continue
        if depth == 0:
            if ch == ";":
                found.append(("decl", statement))
                statement = ""
            else:
                statement += ch
    out = []
    for kind, st in found:
        st = " ".join(st.split())
        if kind == "inline" or st.startswith("typedef") or "static inline" in st:
            continue
        m = re.search(r"\b(vgae_\w+)\s*\(", st)
        if not m or "(*" in st:
            continue
        out.append((m.group(1), st.startswith("VGAE_EXPORT ") or " VGAE_EXPORT " in st))
    return out


def main():
    lib, dirs = sys.argv[1], sys.argv[2:]
    headers = []
    for d in dirs:
        headers += glob.glob(os.path.join(d, "vgae", "**", "*.h"), recursive=True)
    declared, unmarked = set(), []
    for h in sorted(set(headers)):
        for name, exported in declarations(h):
            declared.add(name)
            if not exported:
                unmarked.append("%s: %s" % (os.path.relpath(h), name))
    nm = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True)
    exported = set()
    for line in nm.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtWiI":
            exported.add(parts[2])
    others = sorted(exported - declared)
    missing = sorted(declared - exported)
    print("%d functions declared in %d headers; %d exported by %s" % (len(declared), len(set(headers)), len(exported), os.path.basename(lib)))
    for name in others:
        print("exported but in no installed header: %s" % name)
    for name in missing:
        print("declared but not exported: %s" % name)
    for where in unmarked:
        print("declared without VGAE_EXPORT: %s" % where)
    if len(declared) < 100:
        print("too few declarations found: the header parser is broken")
        return 1
    return 1 if others or missing or unmarked else 0


if __name__ == "__main__":
    sys.exit(main())
