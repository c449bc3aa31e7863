#!/usr/bin/python3
"""PyTorch reference for the MNIST VAE of pytorch/examples (784-400-20-400-784), for benchmarks.

The model and training are those of the pytorch/examples VAE: a ReLU MLP
encoder to the mean and log-variance of a 20-dimensional Gaussian, a ReLU MLP
decoder with a sigmoid output, the loss = binary cross-entropy summed over
pixels + KL to N(0, I), Adam with lr 1e-3, batches of 128 in a new random
order every epoch, grayscale targets in [0, 1]. MNIST is read from the IDX
files with numpy (torchvision is not needed).

--loader examples feeds the batches as pytorch/examples does: a DataLoader
over a Dataset returning one 1x28x28 float tensor per image (what ToTensor
gives), collated into batches. --loader tensor keeps the whole training set
as one tensor and slices batches out of it by index: the fastest way in torch.

Training time is measured over the training batches only; the test pass is
timed separately. One JSON line at the end (see --help). Run it in the
environment tools/bench gives it (see tools/reference/vgae_torch.py).
"""

import argparse
import gzip
import json
import os
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vgae_torch import runtime_fields, setup_threads  # noqa: E402


def die(message):
    print("vae_torch: " + message, file=sys.stderr)
    sys.exit(1)


def read_idx_images(folder, stem):
    """uint8 images (count x rows*cols) and their (rows, cols), from STEM-images-idx3-ubyte[.gz] in folder."""
    for name in (stem + "-images-idx3-ubyte.gz", stem + "-images-idx3-ubyte",
                 stem + "-images.idx3-ubyte"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            break
    else:
        die("%s: no %s-images-idx3-ubyte[.gz]" % (folder, stem))
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 16:
        die("%s: too short for an IDX header" % path)
    magic, count, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
    if magic != 0x803:
        die("%s: not an IDX image file (magic 0x%x)" % (path, magic))
    if len(raw) != 16 + int(count) * int(rows) * int(cols):
        die("%s: %d bytes of pixels, the header says %d x %d x %d"
            % (path, len(raw) - 16, count, rows, cols))
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(int(count), int(rows) * int(cols))
    return pixels, (int(rows), int(cols))


class ImageDataset(torch.utils.data.Dataset):
    """One 1 x rows x cols float tensor in [0, 1] per image, as torchvision's MNIST with ToTensor gives."""

    def __init__(self, images, shape):
        self.images = images
        self.shape = (1,) + shape

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = torch.from_numpy(self.images[i].reshape(self.shape).copy())
        return img.float().div(255.0), 0


class VAE(torch.nn.Module):
    def __init__(self, pixels, hidden, latent):
        super().__init__()
        self.pixels = pixels
        self.enc = torch.nn.Linear(pixels, hidden)
        self.enc_mean = torch.nn.Linear(hidden, latent)
        self.enc_logvar = torch.nn.Linear(hidden, latent)
        self.dec = torch.nn.Linear(latent, hidden)
        self.dec_out = torch.nn.Linear(hidden, pixels)

    def forward(self, x):
        h = F.relu(self.enc(x.reshape(-1, self.pixels)))
        mean, logvar = self.enc_mean(h), self.enc_logvar(h)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.dec_out(F.relu(self.dec(z)))), mean, logvar


def neg_elbo(recon, x, mean, logvar):
    """Summed over the batch: BCE over pixels + KL(q || N(0, I))."""
    bce = F.binary_cross_entropy(recon, x.reshape(recon.shape), reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mean.pow(2) - logvar.exp())
    return bce + kl


def batches(images, shape, batch, shuffle, loader, gen):
    """Yield float batches in [0, 1]: through a DataLoader, or sliced from one tensor."""
    if loader == "examples":
        dl = torch.utils.data.DataLoader(ImageDataset(images, shape), batch_size=batch,
                                         shuffle=shuffle, generator=gen)
        for x, _ in dl:
            yield x
    else:
        n = images.shape[0]
        order = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
        for start in range(0, n, batch):
            yield images[order[start:start + batch]]


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="JSON fields: impl, loader, epochs, images, train_seconds (training batches only), "
               "seconds_per_epoch, test_seconds (one test pass), setup_seconds, train_loss (last epoch, "
               "per image), test_neg_elbo (per image), blas_kernels, blas_threads, torch_cpu_capability, "
               "torch_threads, torch_version, openblas_coretype_env.")
    p.add_argument("--data", help="folder with the MNIST IDX files (default: $VGAE_DATA/mnist)")
    p.add_argument("--loader", choices=["examples", "tensor"], default="examples")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--hidden", type=int, default=400)
    p.add_argument("--latent", type=int, default=20)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--limit", type=int, default=0, help="use the first N training images (all)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2, help="torch threads (2; 0 = torch's default)")
    p.add_argument("--quiet", action="store_true", help="no progress")
    args = p.parse_args()
    if args.epochs < 1:
        p.error("--epochs must be at least 1")

    folder = args.data
    if not folder:
        dirs = [d for d in os.environ.get("VGAE_DATA", "").split(":") if d]
        folder = next((os.path.join(d, "mnist") for d in dirs if os.path.isdir(os.path.join(d, "mnist"))), None)
        if not folder:
            die("give --data DIR (no mnist/ folder under $VGAE_DATA)")
    if not os.path.isdir(folder):
        die("%s: no such folder" % folder)
    train_u8, shape = read_idx_images(folder, "train")
    test_u8, test_shape = read_idx_images(folder, "t10k")
    if shape != test_shape:
        die("%s: train images are %dx%d, test images %dx%d" % ((folder,) + shape + test_shape))
    if args.limit > 0:
        train_u8 = train_u8[:args.limit]
    setup_threads(args.threads)
    if args.loader == "tensor":
        train = torch.from_numpy(train_u8.astype(np.float32) / 255.0)
        test = torch.from_numpy(test_u8.astype(np.float32) / 255.0)
    else:
        train, test = train_u8, test_u8

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = VAE(train_u8.shape[1], args.hidden, args.latent)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    setup_seconds = time.perf_counter() - T_START

    train_seconds = test_seconds = 0.0
    train_loss = test_loss = float("nan")
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        total = 0.0
        for x in batches(train, shape, args.batch, True, args.loader, gen):
            opt.zero_grad()
            recon, mean, logvar = model(x)
            loss = neg_elbo(recon, x, mean, logvar)
            loss.backward()
            total += loss.item()
            opt.step()
        t1 = time.perf_counter()
        train_loss = total / len(train_u8)
        model.eval()
        total = 0.0
        with torch.no_grad():
            for x in batches(test, shape, args.batch, False, args.loader, gen):
                recon, mean, logvar = model(x)
                total += neg_elbo(recon, x, mean, logvar).item()
        t2 = time.perf_counter()
        test_loss = total / len(test_u8)
        train_seconds += t1 - t0
        test_seconds = t2 - t1
        if not args.quiet:
            print("epoch %3d/%d  train loss %8.3f  test loss %8.3f  train %.2f s  test %.2f s"
                  % (epoch, args.epochs, train_loss, test_loss, t1 - t0, t2 - t1), file=sys.stderr)

    result = {
        "impl": "pytorch", "loader": args.loader, "epochs": args.epochs, "images": len(train_u8),
        "train_seconds": train_seconds, "seconds_per_epoch": train_seconds / args.epochs,
        "test_seconds": test_seconds, "setup_seconds": setup_seconds,
        "train_loss": train_loss, "test_neg_elbo": test_loss,
    }
    result.update(runtime_fields())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
