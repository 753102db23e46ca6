#!/usr/bin/env python3
"""Makes Tests/Fixtures/softmax-torch.json: PyTorch's step-by-step trajectory for `loss: softmax`
(multinomial logistic regression, `nn.CrossEntropyLoss()` with mean reduction, `optim.SGD`), the
oracle of the softmax trainer. Run once, in a scratch venv (torch is not a test dependency):

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy scikit-learn
    /tmp/torchvenv/bin/python scripts/softmax-torch.py > Tests/Fixtures/softmax-torch.json

(torch from https://download.pytorch.org/whl/cpu or PyPI; the JSON records the versions used.)

Lockstep's softmax model, the layout of every weight list here: d features, k classes, the d × k
weights FEATURE-MAJOR, W[j*k + c] (= torch's `linear.weight.T` flattened row-major = sklearn's
`coef_.T`), then the k biases. z = x·W + b; the loss of a batch is the mean over its rows of
CrossEntropy(z, y) = logsumexp(z) − z[y]; labels are class indices 0 … k − 1.

Each case trains `nn.Linear(d, k)` in float32 (one thread, deterministic algorithms) from `start`
with `SGD(lr, momentum)` (PyTorch semantics: buf = g at the first step, then buf = m·buf + g;
w −= lr·buf; no dampening, no Nesterov). `alpha` > 0 is `weight_decay=alpha` on the weight group
only (the bias is not penalised): Lockstep's mean CE + (α/2)·‖W‖², its gradient added before the
momentum. Batches are taken in storage order, no shuffling, `batchSize` rows each; the last batch
of an epoch may be short and is averaged over its own rows; the rows restart at 0 each epoch.

Fields (top level): `torch`, `numpy`, `python` (versions), `layout` (the sentence above), `cases`.
Per case:
  name, rows (n), features (d), classes (k), lr, batchSize, epochs, momentum, alpha (floats/ints)
  X           n·d float32 bit patterns ("%08x", big-endian hex of the IEEE bits), row-major
  y           n ints, the class of each row
  start       {"weights": d·k hex float32 (layout above), "biases": k hex float32}
  steps       one per optimizer step, in order:
              {"epoch" (0-based), "step" (1-based, global), "firstRow", "batchRows",
               "loss" (the batch's mean CE before the update, float32 as a JSON number),
               "lossBits" (its hex bits), "weights" (d·k hex float32 after the update),
               "biases" (k hex float32 after the update)}
  float64Deviation  max |torch float32 − the same run in numpy float64| over every parameter of
                    every step (the script's own check of the semantics above; a tolerance guide:
                    float32 rounding, not algorithmic difference)
  lossDeviation     the same for the losses
Training starts from zeros unless the case's name says otherwise.
"""
import json
import struct
import sys

import numpy as np
import torch
from sklearn.datasets import load_iris

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def bits(a):
    return ["%08x" % v for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def bits1(x):
    return "%08x" % np.float32(x).view(np.uint32)


def standardized(X):
    """Standardised in float64 (population std), then stored as float32: what Lockstep trains on."""
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32)


def reference64(X, y, k, W0, b0, lr, batch, epochs, momentum, alpha):
    """The same run in float64 numpy: the check that the semantics written above are torch's."""
    X = X.astype(np.float64)
    W, b = W0.astype(np.float64).copy(), b0.astype(np.float64).copy()
    bufW = bufb = None
    out = []
    n = len(y)
    for _ in range(epochs):
        for s in range(0, n, batch):
            xb, yb = X[s:s + batch], y[s:s + batch]
            z = xb @ W + b
            z = z - z.max(1, keepdims=True)
            lse = np.log(np.exp(z).sum(1))
            loss = np.mean(lse - z[np.arange(len(yb)), yb])
            P = np.exp(z - lse[:, None])
            P[np.arange(len(yb)), yb] -= 1
            gW = xb.T @ P / len(yb) + alpha * W
            gb = P.mean(0)
            if momentum:
                bufW = gW if bufW is None else momentum * bufW + gW
                bufb = gb if bufb is None else momentum * bufb + gb
                gW, gb = bufW, bufb
            W -= lr * gW
            b -= lr * gb
            out.append((loss, W.copy(), b.copy()))
    return out


def case(name, X, y, k, lr, batch, epochs, momentum=0.0, alpha=0.0, W0=None, b0=None):
    n, d = X.shape
    assert X.dtype == np.float32 and y.min() >= 0 and y.max() < k
    W0 = np.zeros((d, k), np.float32) if W0 is None else W0.astype(np.float32)
    b0 = np.zeros(k, np.float32) if b0 is None else b0.astype(np.float32)
    model = torch.nn.Linear(d, k)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(W0.T.copy()))
        model.bias.copy_(torch.from_numpy(b0.copy()))
    groups = [{"params": [model.weight], "weight_decay": alpha}, {"params": [model.bias], "weight_decay": 0.0}]
    opt = torch.optim.SGD(groups, lr=lr, momentum=momentum)
    ce = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    steps = []
    for epoch in range(epochs):
        for s in range(0, n, batch):
            opt.zero_grad()
            loss = ce(model(Xt[s:s + batch]), yt[s:s + batch])
            loss.backward()
            opt.step()
            W = model.weight.detach().numpy().T  # d × k, feature-major when flattened row-major
            b = model.bias.detach().numpy()
            steps.append({
                "epoch": epoch, "step": len(steps) + 1, "firstRow": s, "batchRows": int(min(batch, n - s)),
                "loss": float(loss.item()), "lossBits": bits1(loss.item()),
                "weights": bits(W), "biases": bits(b),
                "_W": W.astype(np.float64).copy(), "_b": b.astype(np.float64).copy(),
            })
    ref = reference64(X, y, k, W0, b0, lr, batch, epochs, momentum, alpha)
    assert len(ref) == len(steps)
    dev = max(max(np.abs(st["_W"] - rW).max(), np.abs(st["_b"] - rb).max()) for st, (_, rW, rb) in zip(steps, ref))
    ldev = max(abs(st["loss"] - rl) for st, (rl, _, _) in zip(steps, ref))
    assert dev < 1e-4 and ldev < 1e-4, (name, dev, ldev)
    for st in steps:
        del st["_W"], st["_b"]
    return {
        "name": name, "rows": n, "features": d, "classes": k, "lr": lr, "batchSize": batch, "epochs": epochs,
        "momentum": momentum, "alpha": alpha,
        "X": bits(X), "y": [int(v) for v in y],
        "start": {"weights": bits(W0), "biases": bits(b0)},
        "steps": steps,
        "float64Deviation": float(dev), "lossDeviation": float(ldev),
    }


def synthetic(n, d, k, seed, noise=1.0):
    """Gaussian features, labels from a random linear softmax model plus Gumbel noise (every class present)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    W = rng.standard_normal((d, k))
    b = 0.3 * rng.standard_normal(k)
    y = np.argmax(X.astype(np.float64) @ W + b + noise * rng.gumbel(size=(n, k)), axis=1)
    assert len(np.unique(y)) == k
    return X, y


iris_X, iris_y = load_iris(return_X_y=True)
iris_X = standardized(iris_X)
X4, y4 = synthetic(200, 5, 4, seed=7)
X10, y10 = synthetic(300, 8, 10, seed=11)
rng = np.random.default_rng(5)
W_start = (0.1 * rng.standard_normal((5, 4))).astype(np.float32)
b_start = np.array([0.25, -0.5, 0.125, 0.0], np.float32)

cases = [
    case("iris standardized, batch 32 (short last batch of 22), lr 0.1, 3 epochs", iris_X, iris_y, 3, 0.1, 32, 3),
    case("iris standardized, full batch 150, lr 0.5, 8 steps", iris_X, iris_y, 3, 0.5, 150, 8),
    case("synthetic 200x5x4, batch 50, lr 0.2, momentum 0.9, 3 epochs", X4, y4, 4, 0.2, 50, 3, momentum=0.9),
    case("synthetic 200x5x4 from a non-zero start, batch 64 (short last batch of 8), lr 0.05, 2 epochs",
         X4, y4, 4, 0.05, 64, 2, W0=W_start, b0=b_start),
    case("synthetic 200x5x4, batch 40, lr 0.1, l2 alpha 0.05 (weight_decay on W only), momentum 0.5, 2 epochs",
         X4, y4, 4, 0.1, 40, 2, momentum=0.5, alpha=0.05),
    case("synthetic 300x8x10 (k = 10), batch 128 (short last batch of 44), lr 0.5, 2 epochs", X10, y10, 10, 0.5, 128, 2),
]
layout = ("d x k weights feature-major W[j*k + c] (torch linear.weight.T row-major, sklearn coef_.T), then k biases; "
          "float32 bit patterns as %08x hex")
json.dump({"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0], "layout": layout,
           "cases": cases}, sys.stdout, separators=(",", ":"))
print()
