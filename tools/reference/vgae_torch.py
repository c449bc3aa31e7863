#!/usr/bin/python3
"""PyTorch port of the reference VGAE/GAE (Kipf & Welling 2016, tkipf/gae), for benchmarks.

It trains the way the reference does: the edge split of its mask_test_edges
(10% of the edges for test, 5% for validation, as many sampled non-edges), a
two-layer GCN encoder over a sparse normalized adjacency and sparse features,
an inner-product decoder scored over the dense N x N matrix, the reference's
weighted BCE and KL scales, Adam, and validation ROC AUC / AP after every
step. It prints one JSON line at the end (see the epilog of --help).

What differs from the reference; none of it changes the model, the loss or
the data it trains on: PyTorch instead of TensorFlow 1 (torch's Adam adds
epsilon to the bias-corrected root, TF1's to the raw one, a negligible
difference); the split's membership tests use hash sets instead of O(E) array
scans; pairs are scored from the two embedding rows instead of a full N x N
product (the same values); the dense target A_train + I is built once instead
of being converted from sparse on every step.

Run it the way tools/bench does, for torch's best speed: OPENBLAS_NUM_THREADS=1
(torch runs its own threads; OpenBLAS's threads on top of them make it several
times slower), a fast OPENBLAS_CORETYPE (SkylakeX), ATEN_CPU_CAPABILITY=avx512
on AVX-512 CPUs, and MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1000000000000 so
that the N x N temporaries do not page-fault afresh every epoch.
"""

import argparse
import ctypes
import json
import math
import os
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402

# scipy and scikit-learn are imported where used (main() loads them before
# anything is timed), so that vae_torch.py can share the helpers below
# without loading them.


# ---------------------------------------------------------------------------
# The runtime: which BLAS kernels and how many threads


def blas_info():
    """(kernel name, thread count) of the OpenBLAS this process has loaded, or ("unknown", None)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]}
    except OSError:
        paths = set()
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)  # already loaded: dlopen returns the same library
            lib.openblas_get_corename.restype = ctypes.c_char_p
            name = lib.openblas_get_corename().decode()
            threads = int(lib.openblas_get_num_threads())
            return name, threads
        except (OSError, AttributeError):
            continue
    return "unknown", None


def setup_threads(threads):
    """Set torch's intra-op threads and warn when OpenBLAS is set up to slow torch down."""
    if threads > 0:
        torch.set_num_threads(threads)
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: OPENBLAS_NUM_THREADS is not 1: OpenBLAS threads on top of torch's "
              "make this slower (tools/bench sets it)", file=sys.stderr)


def cpu_capability():
    """The SIMD level of torch's own kernels (AVX2, AVX512, ...), from its build summary."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def runtime_fields():
    kernels, blas_threads = blas_info()
    return {
        "blas_kernels": kernels,
        "blas_threads": blas_threads,
        "torch_cpu_capability": cpu_capability(),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
    }


def die(message):
    print("vgae_torch: " + message, file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------------------
# Data


def find_dataset(name, data_dirs):
    """The folder NAME/ under the first of data_dirs that has it."""
    tried = []
    for d in data_dirs:
        folder = os.path.join(d, name)
        tried.append(folder)
        if os.path.isfile(os.path.join(folder, "adjacency.mtx")):
            return folder
    die("dataset '%s' not found: no adjacency.mtx in %s" % (name, ", ".join(tried) or "(no folders given)"))


def load_graph(folder, use_features):
    """The adjacency (symmetric CSR without diagonal, float64) and features (CSR or None)."""
    import scipy.io
    import scipy.sparse as sp

    adj = sp.csr_matrix(scipy.io.mmread(os.path.join(folder, "adjacency.mtx")), dtype=np.float64)
    adj = ((adj + adj.T) > 0).astype(np.float64)
    adj = (adj - sp.diags(adj.diagonal())).tocsr()
    adj.eliminate_zeros()
    features = None
    path = os.path.join(folder, "features.mtx")
    if use_features and os.path.isfile(path):
        features = sp.csr_matrix(scipy.io.mmread(path), dtype=np.float32)
        if features.shape[0] != adj.shape[0]:
            die("%s has %d rows but the graph has %d nodes" % (path, features.shape[0], adj.shape[0]))
    return adj, features


def split_edges(adj, rng, val_frac=0.05, test_frac=0.10):
    """The reference's mask_test_edges: held-out positives and as many random non-edges.

    Each undirected edge (i < j) is one candidate. After a random permutation
    the first floor(E/20) go to validation and the next floor(E/10) to test.
    Test negatives are pairs (i, j), i != j, drawn uniformly, that are no edge
    of the full graph and not yet drawn (either orientation). Validation
    negatives are checked, as in the reference, only against the training and
    validation edges and the negatives drawn so far.
    """
    n = adj.shape[0]
    upper = adj.tocoo()
    keep = upper.row < upper.col
    edges = np.stack([upper.row[keep], upper.col[keep]], axis=1).astype(np.int64)
    edges = edges[np.lexsort((edges[:, 1], edges[:, 0]))]
    n_test = int(math.floor(edges.shape[0] * test_frac))
    n_val = int(math.floor(edges.shape[0] * val_frac))
    order = rng.permutation(edges.shape[0])
    val_edges = edges[order[:n_val]]
    test_edges = edges[order[n_val:n_val + n_test]]
    train_edges = edges[order[n_val + n_test:]]

    def both_ways(pairs):
        s = set(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
        return s | {(b, a) for a, b in s}

    def draw(count, forbidden):
        drawn, seen = [], set()
        while len(drawn) < count:
            i, j = int(rng.randint(0, n)), int(rng.randint(0, n))
            if i == j or (i, j) in forbidden or (i, j) in seen:
                continue
            drawn.append((i, j))
            seen.add((i, j))
            seen.add((j, i))
        return np.array(drawn, dtype=np.int64).reshape(-1, 2)

    test_false = draw(len(test_edges), both_ways(edges))
    val_false = draw(len(val_edges), both_ways(train_edges) | both_ways(val_edges))
    return train_edges, val_edges, val_false, test_edges, test_false


def gcn_normalize(adj_train):
    """D^-1/2 (A + I) D^-1/2 as a scipy COO matrix."""
    import scipy.sparse as sp

    a = adj_train + sp.eye(adj_train.shape[0])
    d = np.power(np.asarray(a.sum(1)).ravel(), -0.5)
    return (sp.diags(d) @ a @ sp.diags(d)).tocoo()


def to_torch_sparse(m):
    m = m.tocoo()
    idx = torch.from_numpy(np.vstack([m.row, m.col]).astype(np.int64))
    val = torch.from_numpy(m.data.astype(np.float32))
    return torch.sparse_coo_tensor(idx, val, m.shape).coalesce()


# ---------------------------------------------------------------------------
# Model


def glorot(fan_in, fan_out, gen):
    r = math.sqrt(6.0 / (fan_in + fan_out))
    w = torch.empty(fan_in, fan_out).uniform_(-r, r, generator=gen)
    return w.requires_grad_()


class GraphAutoencoder:
    """Two GCN layers to (mean, log sigma), and the inner product of the codes as logits."""

    def __init__(self, n_features, hidden, latent, variational, gen):
        self.variational = variational
        self.w0 = glorot(n_features, hidden, gen)
        self.w_mean = glorot(hidden, latent, gen)
        self.w_logstd = glorot(hidden, latent, gen) if variational else None

    def parameters(self):
        return [w for w in (self.w0, self.w_mean, self.w_logstd) if w is not None]

    def encode(self, a_hat, x):
        h = torch.relu(torch.sparse.mm(a_hat, torch.sparse.mm(x, self.w0)))
        mean = torch.sparse.mm(a_hat, h @ self.w_mean)
        logstd = torch.sparse.mm(a_hat, h @ self.w_logstd) if self.variational else None
        return mean, logstd


def score_pairs(mean, pos, neg):
    """ROC AUC and AP of sigmoid(mean_u . mean_v) for positive and negative pairs (scikit-learn)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    m = mean.detach().numpy()
    pairs = np.concatenate([pos, neg])
    logits = np.einsum("ij,ij->i", m[pairs[:, 0]], m[pairs[:, 1]])
    scores = 1.0 / (1.0 + np.exp(-logits))
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    return float(roc_auc_score(labels, scores)), float(average_precision_score(labels, scores))


# ---------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="JSON fields: impl, model, dataset, nodes, edges, features, epochs, train_seconds "
               "(the loop: steps and per-epoch validation, as the reference times it), "
               "train_seconds_per_epoch, step_seconds_per_epoch, eval_seconds_per_epoch, "
               "epoch_seconds (each epoch's time), "
               "setup_seconds (imports, reading, split), test_auc, test_ap, val_auc, val_ap, "
               "final_loss, blas_kernels, blas_threads, torch_cpu_capability, torch_threads, torch_version, "
               "openblas_coretype_env.")
    p.add_argument("--dataset", default="cora", help="folder NAME/ under --data (cora)")
    p.add_argument("--data", action="append",
                   help="folder holding the datasets (repeatable; default: $VGAE_DATA, colon-separated)")
    p.add_argument("--model", choices=["vgae", "gae"], default="vgae")
    p.add_argument("--no-features", action="store_true", help="X = I (automatic without features.mtx)")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--latent", type=int, default=16)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2, help="torch threads (2; 0 = torch's default)")
    p.add_argument("--every", type=int, default=10, help="progress on stderr every N epochs (10)")
    p.add_argument("--quiet", action="store_true", help="no progress")
    args = p.parse_args()
    if args.epochs < 1:
        p.error("--epochs must be at least 1")
    import scipy.io  # noqa: F401  (all imports before the setup time is taken, as the reference has them)
    import scipy.sparse as sp
    import sklearn.metrics  # noqa: F401

    data_dirs = args.data or [d for d in os.environ.get("VGAE_DATA", "").split(":") if d]
    folder = find_dataset(args.dataset, data_dirs)
    adj, features = load_graph(folder, not args.no_features)
    n = adj.shape[0]
    setup_threads(args.threads)

    rng = np.random.RandomState(args.seed)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train_edges, val_pos, val_neg, test_pos, test_neg = split_edges(adj, rng)

    ones = np.ones(len(train_edges))
    adj_train = sp.csr_matrix((ones, (train_edges[:, 0], train_edges[:, 1])), shape=(n, n))
    adj_train = adj_train + adj_train.T
    s = float(adj_train.sum())
    pos_weight = torch.tensor((n * n - s) / s)
    norm = n * n / ((n * n - s) * 2.0)

    a_hat = to_torch_sparse(gcn_normalize(adj_train))
    x = to_torch_sparse(features if features is not None else sp.identity(n, dtype=np.float32, format="coo"))
    target = torch.from_numpy((adj_train + sp.eye(n)).toarray().astype(np.float32)).reshape(-1)
    del adj_train

    model = GraphAutoencoder(x.shape[1], args.hidden, args.latent, args.model == "vgae", gen)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    setup_seconds = time.perf_counter() - T_START
    if not args.quiet:
        print("%s on %s: %d nodes, %d edges, %s; %d train edges; setup %.2f s"
              % (args.model.upper(), args.dataset, n, adj.nnz // 2,
                 "%d features" % x.shape[1] if features is not None else "featureless",
                 len(train_edges), setup_seconds), file=sys.stderr)

    step_total = eval_total = 0.0
    epoch_seconds = []
    loop_start = time.perf_counter()
    loss_value = float("nan")
    val_auc = val_ap = float("nan")
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        mean, logstd = model.encode(a_hat, x)
        z = mean + torch.randn(mean.shape) * torch.exp(logstd) if model.variational else mean
        logits = (z @ z.t()).reshape(-1)
        loss = norm * torch.nn.functional.binary_cross_entropy_with_logits(
            logits, target, pos_weight=pos_weight)
        if model.variational:
            kl = (0.5 / n) * torch.mean(torch.sum(1 + 2 * logstd - mean.pow(2) - torch.exp(logstd).pow(2), 1))
            loss = loss - kl
        loss.backward()
        opt.step()
        loss_value = float(loss)
        del logits, loss, z
        t1 = time.perf_counter()
        # as the reference: encode again with the updated weights, score the validation pairs
        with torch.no_grad():
            mean, _ = model.encode(a_hat, x)
        val_auc, val_ap = score_pairs(mean, val_pos, val_neg)
        t2 = time.perf_counter()
        step_total += t1 - t0
        epoch_seconds.append(t2 - t0)
        eval_total += t2 - t1
        if not args.quiet and (epoch % args.every == 0 or epoch == args.epochs or epoch == 1):
            print("epoch %4d/%d  loss %.5f  val AUC %.4f  AP %.4f  epoch %.4f s  (step %.4f s)  total %.2f s"
                  % (epoch, args.epochs, loss_value, val_auc, val_ap, t2 - t0, t1 - t0,
                     t2 - loop_start), file=sys.stderr)
    train_seconds = time.perf_counter() - loop_start

    with torch.no_grad():
        mean, _ = model.encode(a_hat, x)
    test_auc, test_ap = score_pairs(mean, test_pos, test_neg)
    if not args.quiet:
        print("test AUC %.4f  AP %.4f; training %.2f s, %.4f s per epoch"
              % (test_auc, test_ap, train_seconds, train_seconds / args.epochs), file=sys.stderr)
    result = {
        "impl": "pytorch", "model": args.model, "dataset": args.dataset, "nodes": n,
        "edges": adj.nnz // 2, "features": features is not None, "epochs": args.epochs,
        "train_seconds": train_seconds, "train_seconds_per_epoch": train_seconds / args.epochs,
        "step_seconds_per_epoch": step_total / args.epochs,
        "eval_seconds_per_epoch": eval_total / args.epochs,
        "setup_seconds": setup_seconds, "test_auc": test_auc, "test_ap": test_ap,
        "val_auc": val_auc, "val_ap": val_ap, "final_loss": loss_value,
        "epoch_seconds": [round(t, 6) for t in epoch_seconds],
    }
    result.update(runtime_fields())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
