#!/usr/bin/python3
"""PyTorch Geometric's featureless VGAE with negative sampling, re-implemented on torch's sparse ops, for benchmarks.

The fastest Python peer of `vgae linkpred --loss sampled --no-features` on
large graphs is PyTorch Geometric's VGAE (torch_geometric.nn.VGAE with
GCNConv layers, its examples/autoencoder.py). Debian has no PyG, so this
script trains the same model the same way with torch alone (torch 1.13 in
Debian 12), in the configuration PyG runs at its fastest:

- the GCN propagation matrix D^-1/2 (A + I) D^-1/2 of the training graph is
  built once and cached (GCNConv(cached=True)), as a coalesced sparse COO
  tensor multiplied with torch.sparse.mm (2.5x faster forward and backward
  than a CSR tensor in torch 1.13 here); the mean and log-std layers share
  one sparse product of their 2 x 16 columns (PyG makes two);
- featureless: the first layer's input is the identity, so its product is
  the N x 32 weight itself (an embedding), as in vgae;
- each epoch draws as many negative pairs as there are training edges,
  uniformly over the N^2 pairs with the edges and self-pairs removed by a
  sorted lookup (torch_geometric.utils.negative_sampling, method "sparse"),
  and minimizes the mean BCE of the positive and negative inner products
  plus the KL divergence / N (VGAE.recon_loss + kl_loss / N); log-std is
  clamped at 10 as PyG does; Adam with lr 0.01;
- the split: 5% of the edges for validation, 10% for test (RandomLinkSplit's
  defaults in the example); test AUC / AP against as many random non-edges.

Each undirected training edge is one positive pair, as in vgae (PyG's
train_pos_edge_index holds both directions: twice the pairs for the same
loss up to a constant; this halves the reference's decoder work).

Run it as tools/bench does: OPENBLAS_NUM_THREADS=1, torch's own threads
(--threads), MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1000000000000.
Prints one JSON line at the end: epoch_seconds (each epoch: negatives,
forward, backward, Adam), train_seconds_per_epoch (their median after the
first), test_auc, test_ap, nodes, edges, peak and the runtime (torch
version, threads, kernels).
"""

import argparse
import json
import os
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vgae_torch import runtime_fields, setup_threads  # noqa: E402


def die(message):
    print("vgae_pyg: " + message, file=sys.stderr)
    sys.exit(1)


def read_mtx_edges(path):
    """Undirected edges (i < j, unique, no self-loops, 0-based) and the node count of a MatrixMarket file."""
    with open(path, "rb") as f:
        line = f.readline()
        if not line.startswith(b"%%MatrixMarket"):
            die("%s: not a MatrixMarket file" % path)
        line = f.readline()
        while line.startswith(b"%"):
            line = f.readline()
        dims = line.split()
        if len(dims) != 3:
            die("%s: no size line" % path)
        rows, cols, nnz = (int(x) for x in dims)
        data = np.array(f.read().split(), dtype=np.int64)  # row col [value] per entry
    if rows != cols:
        die("%s: %d x %d is not square" % (path, rows, cols))
    per = data.size // nnz if nnz else 2
    if per not in (2, 3) or data.size != per * nnz:
        die("%s: %d numbers for %d entries" % (path, data.size, nnz))
    data = data.reshape(nnz, per)
    u, v = data[:, 0] - 1, data[:, 1] - 1
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    key = np.unique(a[keep] * rows + b[keep])
    return rows, np.stack([key // rows, key % rows])


def split(edges, rng, val_frac=0.05, test_frac=0.10):
    perm = rng.permutation(edges.shape[1])
    nv, nt = int(edges.shape[1] * val_frac), int(edges.shape[1] * test_frac)
    return edges[:, perm[nv + nt:]], edges[:, perm[:nv]], edges[:, perm[nv:nv + nt]]


def propagation(n, train):
    """D^-1/2 (A + I) D^-1/2 of the undirected training graph, sparse COO float32, coalesced."""
    loops = torch.arange(n)
    row = torch.cat([train[0], train[1], loops])
    col = torch.cat([train[1], train[0], loops])
    deg = torch.bincount(row, minlength=n).float()
    dinv = deg.pow(-0.5)
    val = dinv[row] * dinv[col]
    order = torch.argsort(row * n + col)
    coo = torch.sparse_coo_tensor(torch.stack([row[order], col[order]]), val[order], (n, n))
    return coo.coalesce()


def negatives(n, count, pos_keys, gen):
    """count pairs (i, j), i != j, that are no training edge (either orientation), uniform over the rest."""
    out = []
    need = count
    while need > 0:
        idx = torch.randint(n * n, (int(need * 1.1) + 16,), generator=gen)
        i, j = idx // n, idx % n
        a, b = torch.minimum(i, j), torch.maximum(i, j)
        key = a * n + b
        pos = torch.searchsorted(pos_keys, key).clamp(max=pos_keys.numel() - 1)
        ok = (i != j) & (pos_keys[pos] != key)
        pair = torch.stack([i[ok], j[ok]])[:, :need]
        out.append(pair)
        need -= pair.shape[1]
    return torch.cat(out, dim=1)


class VGAE(torch.nn.Module):
    def __init__(self, n, hidden=32, latent=16):
        super().__init__()

        def glorot(rows, cols):
            r = (6.0 / (rows + cols)) ** 0.5
            return torch.nn.Parameter(torch.empty(rows, cols).uniform_(-r, r))

        self.w0 = glorot(n, hidden)  # featureless: X W0 = W0
        self.b0 = torch.nn.Parameter(torch.zeros(hidden))
        self.w1 = glorot(hidden, 2 * latent)  # [W_mu, W_logstd]
        self.b1 = torch.nn.Parameter(torch.zeros(2 * latent))
        self.latent = latent

    def encode(self, adj):
        h = torch.relu(torch.sparse.mm(adj, self.w0) + self.b0)
        out = torch.sparse.mm(adj, h @ self.w1) + self.b1
        mu, logstd = out[:, :self.latent], out[:, self.latent:].clamp(max=10)
        return mu, logstd


def bce_logits_pairs(z, pairs, positive):
    logit = (z[pairs[0]] * z[pairs[1]]).sum(dim=1)
    target = torch.ones_like(logit) if positive else torch.zeros_like(logit)
    return torch.nn.functional.binary_cross_entropy_with_logits(logit, target)


def auc_ap(pos, neg):
    scores = np.concatenate([pos, neg])
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    order = np.argsort(-scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[np.argsort(scores, kind="mergesort")] = np.arange(1, len(scores) + 1)
    auc = (ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))
    hits = labels[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    ap = (precision * hits).sum() / hits.sum()
    return float(auc), float(ap)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="Prints one JSON line.")
    p.add_argument("--graph", required=True, help="a MatrixMarket graph")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch's threads (0: its default)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    setup_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    n, edges = read_mtx_edges(a.graph)
    train, val, test = split(edges, rng)
    train_t = torch.from_numpy(train)
    pos_keys = torch.from_numpy(np.sort(edges[0] * n + edges[1]))
    adj = propagation(n, train_t)
    model = VGAE(n)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    setup_seconds = time.perf_counter() - T_START
    epoch_seconds = []
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        opt.zero_grad()
        mu, logstd = model.encode(adj)
        z = mu + torch.randn_like(mu) * torch.exp(logstd)
        neg = negatives(n, train_t.shape[1], pos_keys, gen)
        recon = bce_logits_pairs(z, train_t, True) + bce_logits_pairs(z, neg, False)
        kl = -0.5 / n * torch.mean(torch.sum(1 + 2 * logstd - mu ** 2 - logstd.exp() ** 2, dim=1))
        loss = recon + kl
        loss.backward()
        opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
        if not a.quiet:
            print("epoch %d/%d  loss %.5f  %.2f s" % (epoch + 1, a.epochs, loss.item(), epoch_seconds[-1]),
                  file=sys.stderr)
    with torch.no_grad():
        mu, _ = model.encode(adj)
        t = torch.from_numpy(test)
        tneg = negatives(n, t.shape[1], pos_keys, gen)
        pos_s = (mu[t[0]] * mu[t[1]]).sum(dim=1).numpy()
        neg_s = (mu[tneg[0]] * mu[tneg[1]]).sum(dim=1).numpy()
    auc, ap = auc_ap(pos_s, neg_s)
    steady = epoch_seconds[1:] if len(epoch_seconds) > 1 else epoch_seconds
    result = {"model": "pyg-style vgae", "nodes": n, "edges": int(edges.shape[1]),
              "train_edges": int(train.shape[1]), "epochs": a.epochs,
              "epoch_seconds": [round(s, 6) for s in epoch_seconds],
              "train_seconds_per_epoch": float(np.median(steady)),
              "setup_seconds": round(setup_seconds, 3), "test_auc": auc, "test_ap": ap}
    result.update(runtime_fields())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
