"""vgae: variational graph autoencoders (VGAE, GAE and the tuned recipe) and the
image VAE, from Python, on libvgae. The same seeds give the same numbers as
the `vgae` command line, and the files (splits, models) are the same files.

    >>> import vgae
    >>> g = vgae.load_dataset("cora")                 # or vgae.Graph.from_scipy(A, features=X)
    >>> s = vgae.split(g, val=0.05, test=0.1, seed=42)
    >>> m = vgae.VGAE(recipe="tuned", seed=42).fit(g, s)
    >>> m.evaluate()["test_auc"]
    >>> Z = m.embed()                                 # numpy array, nodes x latent
    >>> m.predict([[0, 633], [0, 1]])                 # edge probabilities
    >>> m.save("cora.vgae"); m2 = vgae.load("cora.vgae")

Arrays go in as numpy arrays and are read in place when their dtype and
layout allow (int32 pairs, float32 C-contiguous images); results come back
as numpy arrays. Errors are Python exceptions carrying the library's
message (ValueError, OSError and FileNotFoundError, MemoryError). Training releases
the GIL; Ctrl-C stops a graph model's fit after the current epoch and
raises KeyboardInterrupt, leaving the model as it was after that epoch.
Needs numpy; Graph.adjacency and Graph.from_scipy need scipy.
"""
import os

import numpy as np

from . import _vgae

__all__ = ["Graph", "Split", "VGAE", "GAE", "ImageVAE", "load_dataset", "load_graph", "split", "load",
           "load_images", "recipes", "__version__"]
__version__ = _vgae.version()

_KINDS = ("vgae", "gae")
_LOSSES = ("full", "sampled")
_PROPAGATIONS = ("gcn", "lightgcn")
_NORMS = ("none", "layer", "batch")
_DECODERS = ("inner", "hadamard")
_SELECTS = ("auc", "ap", "mrr", "hits")
_CONDITIONS = ("none", "labels")
_CHOICES = {"kind": _KINDS, "loss": _LOSSES, "propagation": _PROPAGATIONS, "norm": _NORMS,
            "decoder": _DECODERS, "select": _SELECTS, "condition": _CONDITIONS}
_SETS = {"train": 0, "val": 1, "val_negatives": 2, "test": 3, "test_negatives": 4,
         "val_hard": 5, "test_hard": 6}


def _threads(threads):
    if threads is None:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    return int(threads)


def _pairs(pairs):
    """An (m, 2) int32 C-contiguous array of node pairs (no copy when it already is one)."""
    p = np.ascontiguousarray(pairs, dtype=np.int32)
    if p.ndim != 2 or p.shape[1] != 2:
        p = p.reshape(-1, 2)
    return p


def recipes():
    """The names of the recipes (kipf2016, tuned)."""
    return _vgae.recipe_names()


class Graph:
    """A simple undirected graph with optional node features, labels and names.

    Make one with Graph.from_scipy, Graph.from_edges, load_dataset or load_graph.
    """

    def __init__(self, _capsule, _info):
        self._cap = _capsule
        self._info = dict(_info)
        self._arrays = None

    @classmethod
    def from_scipy(cls, A, features=None, names=None, labels=None):
        """From a square scipy.sparse (or dense) adjacency matrix: nonzeros are
        edges, made undirected, self-loops dropped. features: N x F (sparse or
        dense; stored as float32); labels: N ints (-1 = none); names: N strings."""
        import scipy.sparse as sp
        A = sp.coo_matrix(A)
        if A.shape[0] != A.shape[1]:
            raise ValueError("the adjacency matrix is %d x %d, not square" % A.shape)
        keep = A.row != A.col
        pairs = np.stack([A.row[keep], A.col[keep]], axis=1)
        return cls.from_edges(A.shape[0], pairs, features=features, names=names, labels=labels)

    @classmethod
    def from_edges(cls, n, edges, features=None, names=None, labels=None):
        """From n nodes and an (m, 2) array of node pairs (0-based), as from_scipy."""
        feat = None
        if features is not None:
            import scipy.sparse as sp
            F = sp.csr_matrix(features, dtype=np.float32)
            F.sum_duplicates()
            F.sort_indices()
            feat = (F.shape[0], F.shape[1], np.ascontiguousarray(F.indptr, dtype=np.int64),
                    np.ascontiguousarray(F.indices, dtype=np.int32), np.ascontiguousarray(F.data, dtype=np.float32))
        lab = None if labels is None else np.ascontiguousarray(labels, dtype=np.int32)
        nm = None if names is None else [str(x) for x in names]
        cap, info = _vgae.dataset_from_pairs(int(n), _pairs(edges), feat, lab, nm)
        return cls(cap, info)

    def _get_arrays(self):
        if self._arrays is None:
            self._arrays = _vgae.dataset_arrays(self._cap)
        return self._arrays

    @property
    def n_nodes(self):
        return self._info["nodes"]

    @property
    def n_edges(self):
        """Undirected edges."""
        return self._info["edges"]

    @property
    def name(self):
        return self._info.get("name")

    @property
    def note(self):
        """What a user should know about the data (PubMed: no features here), or None."""
        return self._info.get("note")

    @property
    def adjacency(self):
        """The symmetric adjacency matrix, scipy.sparse.csr_matrix of int8 ones."""
        import scipy.sparse as sp
        n, rowptr, adj, _, _, _ = self._get_arrays()
        indptr = np.frombuffer(rowptr, dtype=np.int64)
        indices = np.frombuffer(adj, dtype=np.int32)
        return sp.csr_matrix((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(n, n))

    @property
    def edges(self):
        """The undirected edges as an (m, 2) int32 array, u < v."""
        n, rowptr, adj, _, _, _ = self._get_arrays()
        indptr = np.frombuffer(rowptr, dtype=np.int64)
        indices = np.frombuffer(adj, dtype=np.int32)
        rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr))
        keep = rows < indices
        return np.stack([rows[keep], indices[keep]], axis=1)

    @property
    def features(self):
        """Node features as scipy.sparse.csr_matrix (float32), or None."""
        f = self._get_arrays()[3]
        if f is None:
            return None
        import scipy.sparse as sp
        rows, cols, indptr, indices, data = f
        return sp.csr_matrix((np.frombuffer(data, dtype=np.float32), np.frombuffer(indices, dtype=np.int32),
                              np.frombuffer(indptr, dtype=np.int64)), shape=(rows, cols))

    @property
    def labels(self):
        """Node labels (int32, -1 = none), or None."""
        lab = self._get_arrays()[4]
        return None if lab is None else np.frombuffer(lab, dtype=np.int32)

    @property
    def names(self):
        """Node names from the file, or None."""
        return self._get_arrays()[5]

    def __repr__(self):
        return "<vgae.Graph%s: %d nodes, %d edges, %s features%s>" % (
            " " + self.name if self.name else "", self.n_nodes, self.n_edges,
            self._info["features"] or "no", ", %d classes" % self._info["classes"] if self._info["classes"] else "")


def load_dataset(name):
    """A bundled or $VGAE_DATA dataset by name: "cora", "citeseer", "pubmed", ..."""
    cap, info = _vgae.load_dataset(name, None)
    return Graph(cap, info)


def load_graph(path):
    """A graph file (MatrixMarket, edge list, GraphML, ...; gzip too) or a dataset folder."""
    cap, info = _vgae.load_dataset(None, os.fspath(path))
    return Graph(cap, info)


class Split:
    """A link-prediction split of a graph's edges: training edges, validation
    and test edges with as many non-edges each, and hard negatives per held-out
    edge. The same files as `vgae split`."""

    def __init__(self, _capsule, _info, graph, seed):
        self._cap = _capsule
        self._info = dict(_info)
        self.graph = graph
        self.seed = seed

    def pairs(self, which):
        """One set as an (m, 2) int32 array: train, val, val_negatives, test,
        test_negatives, val_hard, test_hard (hard negatives: hard_negatives
        rows per held-out edge, in order)."""
        if which not in _SETS:
            raise ValueError("no set %r (one of %s)" % (which, ", ".join(_SETS)))
        return np.frombuffer(_vgae.split_pairs(self._cap, _SETS[which]), dtype=np.int32).reshape(-1, 2)

    @property
    def train_edges(self):
        return self.pairs("train")

    @property
    def test_edges(self):
        return self.pairs("test")

    @property
    def test_negatives(self):
        return self.pairs("test_negatives")

    @property
    def val_edges(self):
        return self.pairs("val")

    @property
    def val_negatives(self):
        return self.pairs("val_negatives")

    @property
    def hard_negatives(self):
        return self._info["hard_negatives"]

    def save(self, path):
        """Writes the split file (`vgae train --split FILE` reads it)."""
        _vgae.split_save(self._cap, os.fspath(path), self.graph._cap, int(self.seed))

    @classmethod
    def load(cls, path, graph, force=False):
        """Reads a split file of graph (its checksum must match unless force)."""
        (cap, info), seed = _vgae.split_load(os.fspath(path), graph._cap, bool(force))
        return cls(cap, info, graph, seed)

    def __repr__(self):
        i = self._info
        return "<vgae.Split: %d train, %d val, %d test edges, %d hard negatives each, seed %d>" % (
            i["train"], i["val"], i["test"], i["hard_negatives"], self.seed)


def split(graph, val=0.05, test=0.1, seed=42, hard_negatives="auto"):
    """A seeded split of graph's edges, the same as `vgae split --seed SEED`."""
    hard = -1 if hard_negatives == "auto" else int(hard_negatives)
    cap, info = _vgae.split_make(graph._cap, float(val), float(test), hard, int(seed))
    return Split(cap, info, graph, seed)


class VGAE:
    """A variational graph autoencoder (Kipf & Welling 2016) and its family.

    VGAE(hidden=32, latent=16, epochs=200, lr=0.01, recipe=None, seed=42,
    threads=None, verbose=False, **options). recipe: "kipf2016" (the
    defaults) or "tuned" (the best recipe found on validation data; the
    README's "Link prediction quality"); options given here apply on top of
    it. The other options are the command line's, with underscores:
    model ("vgae"/"gae"), loss ("full"/"sampled"), layers, hops, propagation
    ("gcn"/"lightgcn"), bias, dropout, norm, residual, l2_scale, l2_learn,
    decoder ("inner"/"hadamard"), decoder_hidden, degree_term, negatives,
    mask_rate, adversarial, weight_decay, encoder_decay, val_every, select,
    patience, beta, features (False: featureless), structure_input,
    condition ("labels": a conditional VGAE on the graph's labels); the KL
    schedule kl_anneal ("constant"/"linear"/"cyclical"), kl_warmup,
    kl_cycles, kl_ratio, capacity, capacity_epochs, capacity_gamma.

    After fit: history_ (the loss and validation figures of every tenth
    epoch), result_ (test and validation figures, epochs, seconds).
    """

    _kind = None

    def __init__(self, hidden=None, latent=None, epochs=None, lr=None, recipe=None, seed=42, threads=None,
                 verbose=False, **options):
        self.recipe = recipe
        self.seed = int(seed)
        self.threads = threads
        self.verbose = verbose
        self.options = dict(options, hidden=hidden, latent=latent, epochs=epochs, lr=lr)
        if "model" in self.options:
            self.options["kind"] = self.options.pop("model")
        if self._kind is not None:
            self.options.setdefault("kind", self._kind)
        for key, value in list(self.options.items()):
            if isinstance(value, bool):
                self.options[key] = int(value)
            elif key in _CHOICES and isinstance(value, str):
                if value not in _CHOICES[key]:
                    raise ValueError("%s: %r is not one of %s" % (key, value, ", ".join(_CHOICES[key])))
                self.options[key] = _CHOICES[key].index(value)
        self._cap = None
        self.graph = None
        self.history_ = []
        self.result_ = None

    def _settings(self, graph):
        wants_features = self.options.get("features") in (None, 1)
        features = bool(wants_features and graph._info["features"])
        o = _vgae.recipe(self.recipe or "kipf2016", features)
        for key, value in self.options.items():
            if value is not None:
                o[key] = value
        if isinstance(o.get("hops"), int):
            o["hops"] = [o["hops"]]
        return o

    def fit(self, graph, split=None, checkpoint=None, checkpoint_every=10, resume=None):
        """Trains on split's training edges (a fresh split from the model's
        seed if None, as `vgae train` makes one), with model selection if the
        settings ask for it. Returns self.

        checkpoint: a file that keeps the whole training state, written every
        checkpoint_every epochs and when Ctrl-C stops the fit (the
        KeyboardInterrupt comes after it is written). resume: a checkpoint of
        this same fit (graph, split, settings, seed) to go on from; the fit
        then ends as if it had never stopped, bit for bit, and checkpoints
        keep going to it unless checkpoint names another file. history_
        holds the epochs of this call."""
        if split is not None and split.graph is not graph:
            raise ValueError("the split is of another Graph object")
        self.graph = graph
        self._cap = _vgae.gae_new(graph._cap, None if split is None else split._cap, self._settings(graph),
                                  self.seed, _threads(self.threads))
        if resume is not None:
            _vgae.gae_resume(self._cap, os.fspath(resume))
        path = checkpoint if checkpoint is not None else resume
        if path is not None:
            _vgae.gae_checkpoints(self._cap, os.fspath(path), int(checkpoint_every))
        self.result_, self.history_ = _vgae.gae_fit(self._cap, 10, bool(self.verbose))
        return self

    def _need(self):
        if self._cap is None:
            raise RuntimeError("the model is not fitted: call fit(graph) first")

    def evaluate(self, split=None):
        """Test and validation figures (AUC, AP, Hits@K, MRR) on split (default:
        the model's own), as `vgae eval` prints them."""
        self._need()
        return _vgae.gae_evaluate(self._cap, None if split is None else split._cap)

    def embed(self, sample=False, seed=None):
        """Node embeddings, nodes x latent (float32): the means of q(z|X, A), or
        with sample=True a draw (VGAE only) from the seed's noise stream."""
        self._need()
        s = None
        if sample:
            s = int(self.seed if seed is None else seed)
        rows, cols, data = _vgae.gae_embed(self._cap, s)
        return np.frombuffer(data, dtype=np.float32).reshape(rows, cols)

    get_embedding = embed  # as karateclub names it

    def predict(self, pairs):
        """Edge probabilities of (m, 2) node pairs, from the model's decoder."""
        self._need()
        return np.frombuffer(_vgae.gae_score(self._cap, _pairs(pairs)), dtype=np.float64)

    def save(self, path):
        """Writes the model file (the CLI's eval, embed, predict read it)."""
        self._need()
        _vgae.model_save(self._cap, os.fspath(path))

    @property
    def split_(self):
        """The split the model was trained on."""
        self._need()
        info = _vgae.gae_info(self._cap)
        cap, sinfo = info["split"]
        return Split(cap, sinfo, self.graph, info["seed"])

    @property
    def settings_(self):
        """Every option of the fitted model (recipe and options resolved)."""
        self._need()
        o = _vgae.gae_info(self._cap)["options"]
        for key, names in _CHOICES.items():
            o[key] = names[o[key]]
        o["model"] = o.pop("kind")
        return o

    def __repr__(self):
        return "<vgae.%s recipe=%s seed=%d%s>" % (type(self).__name__, self.recipe or "kipf2016", self.seed,
                                                  " fitted" if self._cap is not None else "")


class GAE(VGAE):
    """The plain graph autoencoder: VGAE(model="gae")."""
    _kind = "gae"


def load_images(folder, which="train"):
    """MNIST-style IDX images of a folder: (images float32 n x h x w in [0, 1],
    labels uint8 or None). which: "train" or "t10k"."""
    n, h, w, pixels, labels, _ = _vgae.load_images(os.fspath(folder), which)
    X = np.frombuffer(pixels, dtype=np.float32).reshape(n, h, w)
    y = None if labels is None else np.frombuffer(labels, dtype=np.uint8)
    return X, y


def _labels(y, n):
    if y is None:
        return None
    y = np.ascontiguousarray(y)
    if y.shape != (n,):
        raise ValueError("labels: %d of them for %d images" % (y.size, n))
    if y.size and (y.min() < 0 or y.max() > 255):
        raise ValueError("labels must be 0..255")
    return y.astype(np.uint8, copy=False)


def _images(X, y=None):
    X = np.asarray(X)
    if X.dtype == np.uint8:
        X = X.astype(np.float32) / np.float32(255)
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim == 2:
        side = int(round(np.sqrt(X.shape[1])))
        if side * side != X.shape[1]:
            raise ValueError("images of %d pixels are not square: give an n x h x w array" % X.shape[1])
        X = X.reshape(len(X), side, side)
    if X.ndim != 3:
        raise ValueError("images: an n x h x w array (or n x pixels of square images), not %d-D" % X.ndim)
    return (X, X.shape[0], X.shape[1], X.shape[2], _labels(y, X.shape[0]))


class ImageVAE:
    """The dense image VAE (Kingma & Welling 2013), as `vgae vae train`.

    ImageVAE(hidden=(400,), latent=20, epochs=10, batch=128, lr=1e-3,
    beta=1.0, binarize=False, conditional=False, kl_anneal="constant",
    kl_warmup=10, kl_cycles=4, kl_ratio=0.5, capacity=0, capacity_epochs=0,
    capacity_gamma=1000, latent_kind="gaussian", codes=1, codebook=512,
    commitment=0.25, vq_ema=0, restart=True, seed=42). fit(X, y=None, X_test=None, y_test=None)
    trains on images (n x h x w, float in [0, 1] or uint8), evaluating
    X_test after every epoch (history_); conditional=True learns p(x | y)
    from the labels y (the conditional VAE). transform(X, y) gives the codes
    (means of q(z|x)), decode(Z, y) pixel probabilities, evaluate(X, y) the
    negative ELBO per image; y only for a conditional model.
    """

    def __init__(self, hidden=(400,), latent=20, epochs=10, batch=128, lr=1e-3, beta=1.0, binarize=False,
                 conditional=False, kl_anneal="constant", kl_warmup=10, kl_cycles=4, kl_ratio=0.5, capacity=0,
                 capacity_epochs=0, capacity_gamma=1000, latent_kind="gaussian", codes=1, codebook=512,
                 commitment=0.25, vq_ema=0.0, restart=True, seed=42, threads=None, verbose=False):
        self.hidden = [int(h) for h in (hidden if np.iterable(hidden) else [hidden])]
        self.latent, self.epochs, self.batch = int(latent), int(epochs), int(batch)
        self.lr, self.beta, self.binarize = float(lr), float(beta), bool(binarize)
        self.conditional = bool(conditional)
        self.kl = (str(kl_anneal), float(kl_warmup), int(kl_cycles), float(kl_ratio), float(capacity),
                   float(capacity_epochs), float(capacity_gamma))
        if latent_kind not in ("gaussian", "vq"):
            raise ValueError("latent_kind: %r is not one of gaussian, vq" % (latent_kind,))
        self.vq = (("gaussian", "vq").index(latent_kind), int(codes), int(codebook), float(commitment), float(vq_ema),
                   bool(restart))
        self.seed, self.threads, self.verbose = int(seed), threads, verbose
        self.classes_ = 0
        self._cap = None
        self.history_ = []

    def fit(self, X, y=None, X_test=None, y_test=None, checkpoint=None, checkpoint_every=1, resume=None):
        """Trains on the images X (labels y for a conditional model), scoring
        X_test after each epoch. checkpoint: a file that keeps the whole
        training state, written every checkpoint_every epochs and when
        Ctrl-C stops training (inside an epoch: at the batch reached).
        resume: a checkpoint of this same training (images, settings, seed)
        to go on from, bit for bit as if it had never stopped; checkpoints
        keep going to it unless checkpoint names another file. history_
        holds the epochs of this call. Returns self."""
        if self.conditional and y is None:
            raise ValueError("a conditional model needs the labels y")
        train = _images(X, y if self.conditional else None)
        test = None if X_test is None else _images(X_test, y_test if self.conditional else None)
        self.classes_ = int(train[4].max()) + 1 if self.conditional else 0
        self._cap = _vgae.vae_new(train, self.hidden, self.latent, self.batch, self.lr, self.epochs,
                                  int(self.binarize), self.beta, self.seed, _threads(self.threads), self.classes_,
                                  self.kl, self.vq)
        if resume is not None:
            _vgae.vae_resume(self._cap, train, os.fspath(resume))
        path = checkpoint if checkpoint is not None else resume
        path = None if path is None else os.fspath(path)
        self.history_ = []
        first = _vgae.vae_info(self._cap)["epochs_trained"] + 1
        try:
            for epoch in range(first, self.epochs + 1):
                loss = _vgae.vae_train_epoch(self._cap, train)
                if path is not None and epoch % int(checkpoint_every) == 0:
                    _vgae.vae_checkpoint(self._cap, train, path)
                row = {"epoch": epoch, "train_loss": loss}
                if test is not None:
                    row.update(("test_" + k, v) for k, v in _vgae.vae_evaluate(self._cap, test).items())
                self.history_.append(row)
                if self.verbose:
                    print("epoch %3d/%d  train loss %.3f%s" % (
                        epoch, self.epochs, row["train_loss"],
                        "  test loss %.3f" % row["test_neg_elbo"] if test is not None else ""), flush=True)
        except KeyboardInterrupt:
            # wherever Ctrl-C came (in an epoch: the batch reached; between
            # calls: the epochs done), the model's state is whole
            if path is not None:
                _vgae.vae_checkpoint(self._cap, train, path)
            raise
        return self

    def _need(self):
        if self._cap is None:
            raise RuntimeError("the model is not fitted: call fit(X) first")

    def evaluate(self, X, y=None):
        """Mean negative ELBO, reconstruction and KL per image (nats)."""
        self._need()
        return _vgae.vae_evaluate(self._cap, _images(X, y))

    def transform(self, X, y=None):
        """The codes (means of q(z|x)), n x latent float32."""
        self._need()
        rows, cols, data = _vgae.vae_encode(self._cap, _images(X, y))
        return np.frombuffer(data, dtype=np.float32).reshape(rows, cols)

    def decode(self, Z, y=None):
        """Pixel probabilities for codes Z (n x latent), n x h x w float32."""
        self._need()
        info = _vgae.vae_info(self._cap)
        Z = np.ascontiguousarray(Z, dtype=np.float32).reshape(-1, info["latent"])
        rows, cols, data = _vgae.vae_decode(self._cap, Z, len(Z), _labels(y, len(Z)))
        return np.frombuffer(data, dtype=np.float32).reshape(rows, info["height"], info["width"])

    def save(self, path):
        self._need()
        _vgae.model_save(self._cap, os.fspath(path))


def load(path, graph=None, force=False, threads=None):
    """A model file written by save() or the CLI: a VGAE/GAE (on graph, or the
    data its file names) or an ImageVAE."""
    kind, cap, ds = _vgae.model_load(os.fspath(path), None if graph is None else graph._cap, bool(force),
                                     _threads(threads))
    if kind == "image-vae":
        info = _vgae.vae_info(cap)
        anneal, warmup, cycles, ratio, capacity, capacity_epochs, gamma = info["kl"]
        kind, codes, codebook, commitment, ema, restart = info["vq"]
        m = ImageVAE(hidden=info["hidden"], latent=info["latent"], epochs=info["epochs"], batch=info["batch"],
                     lr=info["lr"], beta=info["beta"], binarize=bool(info["binarize"]),
                     conditional=info["classes"] > 0, kl_anneal=anneal, kl_warmup=warmup, kl_cycles=cycles,
                     kl_ratio=ratio, capacity=capacity, capacity_epochs=capacity_epochs, capacity_gamma=gamma,
                     latent_kind=("gaussian", "vq")[kind], codes=codes, codebook=codebook, commitment=commitment,
                     vq_ema=ema, restart=bool(restart), seed=info["seed"], threads=threads)
        m.classes_ = info["classes"]
        m._cap = cap
        return m
    if graph is None:
        graph = Graph(*ds)
    info = _vgae.gae_info(cap)
    m = (GAE if info["options"]["kind"] == 1 else VGAE)(seed=info["seed"], threads=threads)
    m._cap = cap
    m.graph = graph
    return m
