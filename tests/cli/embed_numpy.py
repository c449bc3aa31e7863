# Checks the embedding files of test_embed's export_for_numpy with numpy: same names and float32 bits in every format.
import os
import sys

import numpy as np

NAMES = ["alpha", "caf\u00e9", "\u03a9", "x/y", "1e5"]
F32 = np.finfo(np.float32)
# the values of export_for_numpy in tests/unit/test_embed.c, 5 nodes x 3 columns, row-major
VALUES = [0.1, -2.5, 1e-8, F32.max, F32.tiny, 2.0**-149, 123456.789, -0.0,
          np.float32(1.0) / np.float32(3.0), 7.0, -1e30, 0.0, 65504.0, -3.25e-20, 2.0]
WANT = np.array(VALUES, dtype=np.float32).reshape(5, 3)


def same_bits(what, got):
    got = np.asarray(got, dtype=np.float32)
    if got.shape != WANT.shape or not np.array_equal(got.view(np.uint32), WANT.view(np.uint32)):
        sys.exit("FAIL: %s: values differ\ngot\n%r\nwant\n%r" % (what, got, WANT))


def lines_of(path):
    with open(path, "rb") as f:  # bytes: '\n' is the only line end, names decode strictly
        data = f.read()
    if not data.endswith(b"\n"):
        sys.exit("FAIL: %s does not end in a newline" % path)
    return [line.decode("utf-8") for line in data[:-1].split(b"\n")]


def main():
    folder = sys.argv[1]

    # .npy: numpy's own reader, without pickles
    path = os.path.join(folder, "emb.npy")
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        if version != (1, 0) or f.tell() % 64 != 0:
            sys.exit("FAIL: emb.npy: version %r, data at offset %d" % (version, f.tell()))
        if shape != (5, 3) or fortran or dtype != np.dtype("<f4"):
            sys.exit("FAIL: emb.npy: header %r %r %r" % (shape, fortran, dtype))
    arr = np.load(path, allow_pickle=False)
    if arr.dtype != np.dtype("<f4") or arr.shape != (5, 3):
        sys.exit("FAIL: emb.npy: dtype %s, shape %r" % (arr.dtype, arr.shape))
    same_bits("emb.npy", arr)

    # word2vec text, split as gensim's text reader splits it
    lines = lines_of(os.path.join(folder, "emb.w2v"))
    n, d = (int(x) for x in lines[0].split())
    rows = [line.split(" ") for line in lines[1:]]
    if (n, d) != arr.shape or len(rows) != n or any(len(r) != d + 1 for r in rows):
        sys.exit("FAIL: emb.w2v: header %d x %d, rows %r" % (n, d, rows))
    if [r[0] for r in rows] != NAMES:
        sys.exit("FAIL: emb.w2v: names %r" % [r[0] for r in rows])
    same_bits("emb.w2v", [[np.float32(x) for x in r[1:]] for r in rows])
    if not np.array_equal(np.array([[np.float32(x) for x in r[1:]] for r in rows]).view(np.uint32),
                          arr.view(np.uint32)):
        sys.exit("FAIL: emb.w2v and emb.npy differ")

    # tsv
    lines = lines_of(os.path.join(folder, "emb.tsv"))
    if lines[0].split("\t") != ["node", "d0", "d1", "d2"]:
        sys.exit("FAIL: emb.tsv: header %r" % lines[0])
    rows = [line.split("\t") for line in lines[1:]]
    if [r[0] for r in rows] != NAMES:
        sys.exit("FAIL: emb.tsv: names %r" % [r[0] for r in rows])
    same_bits("emb.tsv", [[np.float32(x) for x in r[1:]] for r in rows])

    # MatrixMarket array: column-major values; scipy's reader too when it is there
    path = os.path.join(folder, "emb.mtx")
    lines = lines_of(path)
    if lines[0] != "%%MatrixMarket matrix array real general" or not lines[1].startswith("%"):
        sys.exit("FAIL: emb.mtx: banner %r" % lines[:2])
    if lines[2].split() != ["5", "3"] or len(lines) != 3 + 15:
        sys.exit("FAIL: emb.mtx: size line %r, %d lines" % (lines[2], len(lines)))
    same_bits("emb.mtx", np.array([np.float32(x) for x in lines[3:]]).reshape(3, 5).T)
    try:
        import scipy.io
    except ImportError:
        print("scipy not installed: emb.mtx checked by hand only")
    else:
        same_bits("emb.mtx (scipy.io.mmread)", np.asarray(scipy.io.mmread(path)))

    print("numpy %s reads emb.npy as %s %r; w2v, tsv and mtx hold the same names and float32 bits"
          % (np.__version__, arr.dtype, arr.shape))


main()
