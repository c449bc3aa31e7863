#!/usr/bin/python3
"""PyTorch reference for vgae's sequence VAE (vgae seq train), for benchmarks.

The same model and training as vgae seq train's defaults: characters embedded
(32, one table for both ends), a bidirectional LSTM encoder (256 each way)
whose last states (at each sequence's own last character) give the mean and
log-variance of a 56-dimensional Gaussian; z = mean + exp(logvar / 2) eps; an
LSTM decoder (256) reading START c_1 .. c_L with teacher forcing, z beside
every step's input (the same model as vgae's z Wz added to every step's gates:
[e, z] Wx = e We + z Wz), a softmax over the next character or END; word
dropout 0.1 on the decoder's input characters; loss per sequence = the
characters' cross-entropy + beta * w(t) * sum_j max(0.05 * B, KL_j) / B (beta
0.1, free bits per dimension, KL annealed linearly over 5 epochs); Adam lr
2e-3; gradient norm clipped at 5; batches of 64 cut from pools of 32 batches
sorted by length, the batches shuffled. vgae's initialisation: embeddings
N(0, 1), LSTM weights uniform within 1/sqrt(hidden), forget gates' bias 1,
the linear layers and z's weights Glorot uniform with zero biases. The same lines are held out as vgae's split
would be in number (the last --valid-frac of a seeded permutation; the
permutation itself is numpy's, not vgae's Philox one: the benchmark compares
speed, and the data's size and lengths are the same).

--pack feeds the LSTMs packed sequences (torch skips the padding) instead of
padded batches as vgae does; tools/bench runs both and keeps the faster.

Training time is measured over the training batches only. One JSON line at
the end. Run it in the environment tools/bench gives it (see
tools/reference/vgae_torch.py).
"""

import argparse
import gzip
import json
import math
import os
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vgae_torch import runtime_fields, setup_threads  # noqa: E402

END, START, BLANK, FIRST = 0, 1, 2, 3


def die(message):
    print("seq_vae_torch: " + message, file=sys.stderr)
    sys.exit(1)


def read_sequences(path, max_len):
    """The sequences of a file as vgae reads it: .smi[.gz] the first blank-separated field, .csv the first
    column, else the whole line; those of 1..max_len characters."""
    opener = gzip.open if path.endswith(".gz") else open
    stem = path[:-3] if path.endswith(".gz") else path
    kind = "smi" if stem.endswith((".smi", ".smiles")) else "csv" if stem.endswith(".csv") else "lines"
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if kind == "smi":
                fields = line.split()
                line = fields[0] if fields else ""
            elif kind == "csv":
                line = line.split(",")[0].strip('"')
            if 1 <= len(line) <= max_len:
                out.append(line)
    return out


class SeqVAE(nn.Module):
    def __init__(self, vocab, embed, enc_hidden, dec_hidden, latent):
        super().__init__()
        self.emb = nn.Embedding(vocab, embed)
        # the two directions as two LSTMs, as vgae has them (a bidirectional
        # nn.LSTM on a padded batch would start its backward pass in the padding)
        self.enc_f = nn.LSTM(embed, enc_hidden)
        self.enc_b = nn.LSTM(embed, enc_hidden)
        self.mu = nn.Linear(2 * enc_hidden, latent)
        self.logvar = nn.Linear(2 * enc_hidden, latent)
        self.dec = nn.LSTM(embed + latent, dec_hidden)
        self.out = nn.Linear(dec_hidden, vocab)

    def encode(self, tokens, lengths, pack):
        last = []
        for lstm, t in ((self.enc_f, tokens), (self.enc_b, reverse_within(tokens, lengths))):
            x = self.emb(t)  # T x B x E
            if pack:
                _, (h, _) = lstm(nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False))
                last.append(h[0])
            else:  # each sequence's state at its own last character
                h, _ = lstm(x)
                idx = (lengths - 1).view(1, -1, 1).expand(1, -1, h.shape[2])
                last.append(h.gather(0, idx).squeeze(0))
        last = torch.cat(last, dim=1)
        return self.mu(last), self.logvar(last)

    def decode(self, inputs, z, lengths, pack):
        x = self.emb(inputs)
        x = torch.cat([x, z.unsqueeze(0).expand(x.shape[0], -1, -1)], dim=2)
        if pack:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths + 1, enforce_sorted=False)
            h, _ = self.dec(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, total_length=x.shape[0])
        else:
            h, _ = self.dec(x)
        return self.out(h)


def reverse_within(tokens, lengths):
    """Each column's first lengths[b] tokens reversed, the padding left after."""
    t = tokens.shape[0]
    pos = torch.arange(t).view(-1, 1)
    src = (lengths.view(1, -1) - 1 - pos).clamp(min=0)
    rev = tokens.gather(0, src)
    return torch.where(pos < lengths.view(1, -1), rev, torch.zeros_like(rev))


def batches(seqs, batch, rng):
    """vgae's order: shuffled, pools of 32 batches sorted by length, cut, the batches shuffled."""
    n = len(seqs)
    perm = rng.permutation(n)
    pool = 32 * batch
    out = []
    for p0 in range(0, n, pool):
        part = sorted(perm[p0:p0 + pool], key=lambda i: len(seqs[i]))
        out += [part[b:b + batch] for b in range(0, len(part), batch)]
    return [out[k] for k in rng.permutation(len(out))]


def tensors(seqs, idx, index, word_dropout, rng):
    lengths = torch.tensor([len(seqs[i]) for i in idx])
    t = int(lengths.max()) + 1
    tok = torch.zeros(t, len(idx), dtype=torch.long)
    dec = torch.zeros(t, len(idx), dtype=torch.long)
    for b, i in enumerate(idx):
        ids = [FIRST + index[c] for c in seqs[i]]
        tok[:len(ids), b] = torch.tensor(ids)
        drop = [BLANK if word_dropout > 0 and rng.random() < word_dropout else c for c in ids]
        dec[0, b] = START
        dec[1:len(ids) + 1, b] = torch.tensor(drop)
    return tok, dec, lengths


def batch_loss(model, seqs, idx, index, o, rng, beta_w, pack, train):
    tok, dec, lengths = tensors(seqs, idx, index, o.word_dropout if train else 0, rng)
    b = len(idx)
    mean, logvar = model.encode(tok[:-1], lengths, pack)
    z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
    logits = model.decode(dec, z, lengths, pack)
    steps = torch.arange(logits.shape[0]).view(-1, 1)
    mask = (steps <= lengths.view(1, -1)).float()
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[2]), tok.reshape(-1), reduction="none")
    recon = (ce * mask.reshape(-1)).sum()
    kl_dims = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).sum(0)
    kl = kl_dims.sum()
    floored = torch.clamp(kl_dims, min=o.free_bits * b).sum() if train and o.free_bits > 0 else kl
    loss = (recon + beta_w * floored) / b
    right = ((logits.argmax(2) == tok).float() * mask).sum()
    return loss, recon.item(), kl.item(), right.item(), mask.sum().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--valid-frac", type=float, default=0.1)
    ap.add_argument("--max-len", type=int, default=120)
    ap.add_argument("--embed", type=int, default=32)
    ap.add_argument("--enc-hidden", type=int, default=256)
    ap.add_argument("--dec-hidden", type=int, default=256)
    ap.add_argument("--latent", type=int, default=56)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--kl-warmup", type=float, default=5)
    ap.add_argument("--word-dropout", type=float, default=0.1)
    ap.add_argument("--free-bits", type=float, default=0.05)
    ap.add_argument("--clip", type=float, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pack", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    o = ap.parse_args()
    setup_threads(o.threads)
    torch.manual_seed(o.seed)
    rng = np.random.default_rng(o.seed)
    seqs = read_sequences(o.data, o.max_len)
    if len(seqs) < 2:
        die("%s: fewer than 2 sequences" % o.data)
    perm = rng.permutation(len(seqs))
    k = max(1, round(o.valid_frac * len(seqs))) if o.valid_frac > 0 else 0
    train = [seqs[i] for i in sorted(perm[:len(seqs) - k])]
    alphabet = sorted(set("".join(train)))
    index = {c: i for i, c in enumerate(alphabet)}
    valid = [s for s in (seqs[i] for i in sorted(perm[len(seqs) - k:])) if all(c in index for c in s)]
    model = SeqVAE(FIRST + len(alphabet), o.embed, o.enc_hidden, o.dec_hidden, o.latent)
    with torch.no_grad():  # vgae's initialisation
        for lstm in (model.enc_f, model.enc_b, model.dec):  # forget gates' bias 1 (torch has two biases: one holds it)
            h = lstm.hidden_size
            lstm.bias_ih_l0.zero_()
            lstm.bias_ih_l0[h:2 * h].fill_(1.0)
            lstm.bias_hh_l0.zero_()
        for lin in (model.mu, model.logvar, model.out):  # Glorot uniform, zero bias (torch's default is narrower)
            nn.init.xavier_uniform_(lin.weight)
            lin.bias.zero_()
        # z's weights into the decoder's gates: vgae's Wz, Glorot over latent x 4 hidden
        r = math.sqrt(6.0 / (o.latent + 4 * o.dec_hidden))
        model.dec.weight_ih_l0[:, o.embed:].uniform_(-r, r)
    opt = torch.optim.Adam(model.parameters(), lr=o.lr)
    train_seconds, valid_figures, loss_sum = [], {}, 0.0
    for epoch in range(o.epochs):
        model.train()
        order = batches(train, o.batch, rng)
        t0 = time.perf_counter()
        loss_sum = 0.0
        for k_, idx in enumerate(order):
            w = min(1.0, (epoch + k_ / len(order)) / o.kl_warmup) if o.kl_warmup > 0 else 1.0
            loss, *_ = batch_loss(model, train, idx, index, o, rng, o.beta * w, o.pack, True)
            opt.zero_grad()
            loss.backward()
            if o.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), o.clip)
            opt.step()
            loss_sum += loss.item() * len(idx)
        train_seconds.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            rec = kl = right = chars = 0.0
            for b0 in range(0, len(valid), o.batch):
                idx = list(range(b0, min(b0 + o.batch, len(valid))))
                _, r, k2, g, c = batch_loss(model, valid, idx, index, o, rng, 1.0, o.pack, False)
                rec, kl, right, chars = rec + r, kl + k2, right + g, chars + c
        n = max(1, len(valid))
        valid_figures = {"valid_neg_elbo": (rec + kl) / n, "valid_recon": rec / n, "valid_kl": kl / n,
                         "valid_char_accuracy": right / max(1, chars)}
        if not o.quiet:
            print("epoch %3d/%d  train loss %8.3f  valid -ELBO %8.3f (recon %.3f + KL %.3f)  %.2f s"
                  % (epoch + 1, o.epochs, loss_sum / len(train), valid_figures["valid_neg_elbo"],
                     valid_figures["valid_recon"], valid_figures["valid_kl"], train_seconds[-1]), file=sys.stderr)
    result = {"epochs": o.epochs, "train_sequences": len(train), "valid_sequences": len(valid),
              "alphabet": len(alphabet), "train_loss": loss_sum / len(train),
              "seconds_per_epoch": sum(train_seconds) / max(1, len(train_seconds)),
              "train_seconds": train_seconds, "pack": o.pack, "total_seconds": time.perf_counter() - T_START}
    result.update(valid_figures)
    result.update(runtime_fields())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
