"""The Python module against the command-line tool on the same seeds: the
same splits, embeddings (bit for bit) and figures; model and split files
shared both ways; errors as exceptions; the GIL released during training;
Ctrl-C stops a fit cleanly. usage: test_module.py VGAE_EXE DATA_DIR"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

import vgae

VGAE, DATA = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
failures = []


def check(name, cond, detail=""):
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " " + str(detail)), flush=True)
    if not cond:
        failures.append(name)


def cli(*args):
    r = subprocess.run([VGAE] + [str(a) for a in args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("vgae %s: %s" % (" ".join(map(str, args)), r.stderr))
    return r.stdout


def raises(name, exc, fn, pattern):
    try:
        fn()
    except exc as e:
        check(name, pattern in str(e), "message %r lacks %r" % (str(e), pattern))
        return
    except Exception as e:  # noqa: BLE001 - the wrong kind is the failure reported
        check(name, False, "raised %s: %s" % (type(e).__name__, e))
        return
    check(name, False, "no exception")


# ---- Cora, the 2016 VGAE: split, train, embed, eval against the CLI ----
g = vgae.load_dataset("cora")
check("cora loads", (g.n_nodes, g.n_edges, g.features.shape, int(g.labels.max())) == (2708, 5278, (2708, 1433), 6), g)
s = vgae.split(g, seed=7)
s.save(os.path.join(tmp, "py.split"))
cli("split", "--dataset", "cora", "--seed", 7, "-o", os.path.join(tmp, "cli.split"))
s_cli = vgae.Split.load(os.path.join(tmp, "cli.split"), g)
check("the split is the CLI's", all(np.array_equal(s.pairs(k), s_cli.pairs(k)) for k in
                                    ("train", "val", "val_negatives", "test", "test_negatives", "test_hard")))
cli("train", "--dataset", "cora", "--split", os.path.join(tmp, "py.split"), "--seed", 3, "--epochs", 60,
    "-o", os.path.join(tmp, "cli.vgae"), "--quiet")
cli("embed", "--model", os.path.join(tmp, "cli.vgae"), "-o", os.path.join(tmp, "cli.npy"))
m = vgae.VGAE(epochs=60, seed=3).fit(g, s_cli)
Z = m.embed()
check("embeddings equal the CLI's bit for bit", np.array_equal(Z, np.load(os.path.join(tmp, "cli.npy"))))
want = json.loads(cli("eval", "--model", os.path.join(tmp, "cli.vgae"), "--json"))
got = m.evaluate()
check("figures equal the CLI's", all(got[k] == want[k] for k in got if k in want) and "test_mrr" in got,
      {k: (got[k], want.get(k)) for k in got if got[k] != want.get(k)})
m.save(os.path.join(tmp, "py.vgae"))
want2 = json.loads(cli("eval", "--model", os.path.join(tmp, "py.vgae"), "--json"))
check("the CLI reads the module's model file", want2["test_auc"] == got["test_auc"])
m2 = vgae.load(os.path.join(tmp, "cli.vgae"))
check("the module reads the CLI's model file", np.array_equal(m2.embed(), Z) and m2.graph.name == "cora")
pairs = np.array([[0, 633], [0, 1], [5, 7]], dtype=np.int32)
p = m.predict(pairs)
check("predict gives probabilities", p.shape == (3,) and np.all((p > 0) & (p < 1)), p)
check("embeddings and scores are writable arrays", Z.flags.writeable and p.flags.writeable)
zs = m.embed(sample=True)
cli("embed", "--model", os.path.join(tmp, "cli.vgae"), "--sample", "-o", os.path.join(tmp, "cli_s.npy"))
check("sampled embeddings equal the CLI's", np.array_equal(zs, np.load(os.path.join(tmp, "cli_s.npy"))))
check("history every tenth epoch", [h["epoch"] for h in m.history_][:3] == [1, 10, 20] and
      m.history_[-1]["epoch"] == 60, m.history_[:3])

# ---- the tuned recipe, featureless, on a small graph ----
planted = os.path.join(DATA, "planted.edges")
gp = vgae.load_graph(planted)
cli("train", "--graph", planted, "--recipe", "tuned", "--epochs", 40, "--seed", 5, "-o",
    os.path.join(tmp, "t.vgae"), "--quiet")
cli("embed", "--model", os.path.join(tmp, "t.vgae"), "-o", os.path.join(tmp, "t.npy"))
mt = vgae.VGAE(recipe="tuned", epochs=40, seed=5).fit(gp)
check("tuned recipe (featureless) equals the CLI's", np.array_equal(mt.embed(), np.load(os.path.join(tmp, "t.npy"))))
check("tuned settings resolved", mt.settings_["model"] == "gae" and mt.settings_["decoder"] == "hadamard"
      and mt.settings_["degree_term"] == 1, mt.settings_)
# a VGAE under a cyclical KL schedule and a capacity, against the CLI
cli("train", "--graph", planted, "--epochs", 30, "--seed", 5, "--kl-anneal", "cyclical", "--kl-cycles", 3,
    "--capacity", 0.5, "-o", os.path.join(tmp, "k.vgae"), "--quiet")
cli("embed", "--model", os.path.join(tmp, "k.vgae"), "-o", os.path.join(tmp, "k.npy"))
mk = vgae.VGAE(epochs=30, seed=5, kl_anneal="cyclical", kl_cycles=3, capacity=0.5).fit(gp)
check("KL schedule (graph) equals the CLI's", np.array_equal(mk.embed(), np.load(os.path.join(tmp, "k.npy"))))
raises("unknown KL annealing", ValueError, lambda: vgae.VGAE(kl_anneal="cosine").fit(gp), "unknown KL annealing 'cosine'")
# conditioned on node labels (the planted blocks), against the CLI; a graph without labels is refused
y = np.loadtxt(os.path.join(DATA, "planted-labels.txt"), dtype=np.int32)
gl = vgae.Graph.from_edges(gp.n_nodes, gp.edges, labels=y)
cli("train", "--graph", planted, "--labels", os.path.join(DATA, "planted-labels.txt"), "--condition", "labels",
    "--epochs", 30, "--seed", 5, "-o", os.path.join(tmp, "c.vgae"), "--quiet")
cli("embed", "--model", os.path.join(tmp, "c.vgae"), "-o", os.path.join(tmp, "c.npy"))
mc = vgae.VGAE(epochs=30, seed=5, condition="labels").fit(gl)
check("conditioned on labels equals the CLI's", np.array_equal(mc.embed(), np.load(os.path.join(tmp, "c.npy"))))
raises("condition without labels", Exception, lambda: vgae.VGAE(condition="labels").fit(gp), "needs the nodes' labels")
gn = vgae.load_graph(os.path.join(DATA, "names.ncol"))
check("node names kept", gn.names is not None and len(gn.names) == gn.n_nodes and all(gn.names), gn.names)

# ---- from scipy: the same graph and features give the same numbers ----
g2 = vgae.Graph.from_scipy(g.adjacency, features=g.features, labels=g.labels)
check("from_scipy round trip", (g2.n_nodes, g2.n_edges) == (g.n_nodes, g.n_edges) and
      (g2.adjacency != g.adjacency).nnz == 0 and (g2.features != g.features).nnz == 0)
s2 = vgae.split(g2, seed=7)
check("a split of the same graph is the same", np.array_equal(s2.test_edges, s.test_edges))
m3 = vgae.VGAE(epochs=60, seed=3).fit(g2, s2)
check("same data from scipy, same embeddings", np.array_equal(m3.embed(), Z))

# ---- errors ----
raises("unknown dataset", FileNotFoundError, lambda: vgae.load_dataset("nosuchset"), "dataset 'nosuchset' not found")
raises("missing file", FileNotFoundError, lambda: vgae.load_graph(os.path.join(tmp, "none.mtx")),
       "none.mtx: cannot open")
raises("pair out of range", IndexError, lambda: m.predict([[0, 99999]]), "nodes are 0..2707")
raises("unknown option", TypeError, lambda: vgae.VGAE(colour=3).fit(gp), "unknown model option 'colour'")
raises("bad choice", ValueError, lambda: vgae.VGAE(decoder="bilinear"), "decoder: 'bilinear' is not one of")
raises("split of another graph", ValueError, lambda: vgae.Split.load(os.path.join(tmp, "py.split"), gp),
       "py.split:3: the split is for a graph of 2708 nodes, this graph has 160")
raises("bad recipe", ValueError, lambda: vgae.VGAE(recipe="best").fit(gp), "unknown recipe 'best'")
raises("bad model setting", ValueError, lambda: vgae.VGAE(latent=0).fit(gp), "latent")
raises("not fitted", RuntimeError, lambda: vgae.VGAE().embed(), "not fitted")
raises("bad labels", ValueError,
       lambda: vgae.Graph.from_edges(3, [[0, 1], [1, 2]], labels=[0, -5, 1]), "node 1 has label -5")

# ---- the GIL is released while a model trains ----
ticks = [0]
done = threading.Event()


def count():
    while not done.is_set():
        ticks[0] += 1
        time.sleep(0.001)


t = threading.Thread(target=count)
t.start()
start = time.time()
vgae.VGAE(epochs=200, seed=1).fit(g, s)
elapsed = time.time() - start
done.set()
t.join()
check("another thread runs during fit (GIL released)", ticks[0] > 20 * elapsed, (ticks[0], elapsed))

# ---- Ctrl-C stops a fit cleanly ----
child = r'''
import sys, vgae
g = vgae.load_dataset("cora")
m = vgae.VGAE(epochs=1000000, seed=1, verbose=True)
try:
    m.fit(g)
except KeyboardInterrupt as e:
    print("stopped:", e, flush=True)
    print("embedding", m.embed().shape, flush=True)
'''
env = dict(os.environ)
proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                        env=env)
line = proc.stderr.readline()  # the first progress line: training runs
time.sleep(0.5)
proc.send_signal(signal.SIGINT)
out, err = proc.communicate(timeout=60)
check("Ctrl-C stops the fit with KeyboardInterrupt", proc.returncode == 0 and "stopped: interrupted after" in out
      and "embedding (2708, 16)" in out, (proc.returncode, line, out, err[-500:]))

# ---- checkpoints: fits stopped by Ctrl-C go on from their checkpoint, bit for bit ----
def stopped_child(code, path):
    """Runs code (argv[1]: the checkpoint) and stops it with SIGINT after its first progress line."""
    proc = subprocess.Popen([sys.executable, "-c", code, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))
    proc.stderr.readline()
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=120)


ck = os.path.join(tmp, "py.ckpt")
out, err = stopped_child(r'''
import sys, vgae
g = vgae.load_dataset("cora")
try:
    vgae.VGAE(epochs=300, seed=2, verbose=True).fit(g, checkpoint=sys.argv[1], checkpoint_every=1000)
    print("finished", flush=True)
except KeyboardInterrupt as e:
    print("stopped:", e, flush=True)
''', ck)
check("Ctrl-C during fit writes a checkpoint", "stopped: interrupted after" in out and "checkpoint" in out
      and os.path.exists(ck), (out, err[-300:]))
want = vgae.VGAE(epochs=300, seed=2).fit(g)
got = vgae.VGAE(epochs=300, seed=2).fit(g, resume=ck)
check("the resumed fit ends as the one never stopped", np.array_equal(want.embed(), got.embed()) and
      want.result_["test_auc"] == got.result_["test_auc"] and want.result_["final_loss"] == got.result_["final_loss"])
raises("a checkpoint of other settings is refused", ValueError,
       lambda: vgae.VGAE(epochs=300, seed=2, lr=0.02).fit(g, resume=ck), "other options: lr 0.01 there, 0.02 here")
tiny = os.path.join(DATA, "tinyidx")
ick = os.path.join(tmp, "image.ckpt")
out, err = stopped_child(r'''
import sys, vgae
X, y = vgae.load_images(sys.argv[2], "train")
sys.stderr.write("training\n")
sys.stderr.flush()
try:
    vgae.ImageVAE(hidden=32, latent=4, epochs=800, batch=16, seed=5, verbose=True).fit(
        X, checkpoint=sys.argv[1], checkpoint_every=1000000)
    print("finished", flush=True)
except KeyboardInterrupt as e:
    print("stopped:", e, flush=True)
'''.replace("sys.argv[2]", repr(tiny)), ick)
check("Ctrl-C during an image VAE's training writes a checkpoint", "stopped:" in out and
      os.path.exists(ick), (out, err[-300:]))
X, _ = vgae.load_images(tiny, "train")
want = vgae.ImageVAE(hidden=32, latent=4, epochs=800, batch=16, seed=5).fit(X)
got = vgae.ImageVAE(hidden=32, latent=4, epochs=800, batch=16, seed=5).fit(X, resume=ick)
check("the resumed image VAE ends as the one never stopped", np.array_equal(want.transform(X), got.transform(X))
      and want.history_[-1]["train_loss"] == got.history_[-1]["train_loss"])
raises("a checkpoint of other images is refused", ValueError,
       lambda: vgae.ImageVAE(hidden=32, latent=4, epochs=800, batch=16, seed=5).fit(X[:200], resume=ick),
       "other training images")

# ---- the image VAE against vgae vae train (needs MNIST in $VGAE_DATA) ----
mnist = next((os.path.join(d, "mnist") for d in os.environ.get("VGAE_DATA", "").split(":")
              if d and os.path.exists(os.path.join(d, "mnist", "t10k-images-idx3-ubyte.gz"))), None)
if mnist:
    X, y = vgae.load_images(mnist, "train")
    Xt, yt = vgae.load_images(mnist, "t10k")
    check("MNIST loads", X.shape == (60000, 28, 28) and Xt.shape == (10000, 28, 28) and y[0] == 5)
    r = json.loads(cli("vae", "train", "--data", mnist, "--epochs", 1, "--limit", 3000, "--hidden", 64,
                       "--latent", 8, "-o", os.path.join(tmp, "m.vae"), "--json", "--quiet"))
    v = vgae.ImageVAE(hidden=64, latent=8, epochs=1).fit(X[:3000], X_test=Xt)
    check("image VAE: the CLI's test loss", v.history_[-1]["test_neg_elbo"] == r["test_neg_elbo"],
          (v.history_[-1], r))
    cli("vae", "encode", "--model", os.path.join(tmp, "m.vae"), "-o", os.path.join(tmp, "codes.npy"), "--quiet")
    codes = v.transform(Xt)
    check("image VAE: the CLI's codes", np.array_equal(codes, np.load(os.path.join(tmp, "codes.npy"))))
    v2 = vgae.load(os.path.join(tmp, "m.vae"))
    check("image VAE file read back", np.array_equal(v2.transform(Xt), codes))
    dec = v.decode(codes[:4])
    check("decode gives pixel probabilities", dec.shape == (4, 28, 28) and dec.min() >= 0 and dec.max() <= 1)
    # the conditional VAE under a KL warm-up, against the CLI
    r = json.loads(cli("vae", "train", "--data", mnist, "--epochs", 1, "--limit", 3000, "--hidden", 64,
                       "--latent", 8, "--conditional", "--kl-anneal", "linear", "--kl-warmup", 0.5,
                       "-o", os.path.join(tmp, "c.vae"), "--json", "--quiet"))
    c = vgae.ImageVAE(hidden=64, latent=8, epochs=1, conditional=True, kl_anneal="linear", kl_warmup=0.5)
    c.fit(X[:3000], y[:3000], X_test=Xt, y_test=yt)
    check("conditional VAE with a warm-up: the CLI's test loss", c.history_[-1]["test_neg_elbo"] == r["test_neg_elbo"]
          and c.classes_ == 10, (c.history_[-1], r))
    cli("vae", "encode", "--model", os.path.join(tmp, "c.vae"), "-o", os.path.join(tmp, "ccodes.npy"), "--quiet")
    check("conditional VAE: the CLI's codes", np.array_equal(c.transform(Xt, yt),
                                                             np.load(os.path.join(tmp, "ccodes.npy"))))
    c2 = vgae.load(os.path.join(tmp, "c.vae"))
    check("conditional file read back", c2.conditional and c2.classes_ == 10 and c2.kl[0] == "linear")
    threes = c.decode(np.zeros((2, 8)), [3, 3])
    check("decode of a class", threes.shape == (2, 28, 28))
    raises("conditional without labels", ValueError, lambda: c.transform(Xt[:5]),
           "a conditional model needs the images' labels")
    # the vector-quantized VAE against the CLI
    r = json.loads(cli("vae", "train", "--data", mnist, "--epochs", 1, "--limit", 2000, "--hidden", 64,
                       "--latent", 16, "--latent-kind", "vq", "--codes", 4, "--codebook", 64,
                       "-o", os.path.join(tmp, "q.vae"), "--json", "--quiet"))
    q = vgae.ImageVAE(hidden=64, latent=16, epochs=1, latent_kind="vq", codes=4, codebook=64)
    q.fit(X[:2000], X_test=Xt)
    check("vq VAE: the CLI's test loss", q.history_[-1]["test_neg_elbo"] == r["test_neg_elbo"], (q.history_[-1], r))
    q2 = vgae.load(os.path.join(tmp, "q.vae"))
    check("vq file read back", q2.vq[0] == 1 and q2.vq[1] == 4 and q2.vq[2] == 64 and
          np.array_equal(q2.transform(Xt[:50]), q.transform(Xt[:50])))
else:
    print("skipped: the image VAE checks (no mnist/ in VGAE_DATA)")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
