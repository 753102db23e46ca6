#!/usr/bin/env python3
"""Times softmax regression epochs in PyTorch (CPU) on a Lockstep dataset directory, for the
side-by-side in docs/performance.md (issue #19: softmax k = 10 on 1M × 64, goal >= 5x faster).

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy
    lockstep generate --task softmax --classes 10 --rows 1048576 --features 64 --out /tmp/sm1m
    /tmp/torchvenv/bin/python scripts/softmax-torch-bench.py /tmp/sm1m 10 4096 3

The model is nn.Linear(d, k) from zeros, nn.CrossEntropyLoss (mean), optim.SGD(lr 0.1), batches in
storage order (X and y already in memory as tensors: the epoch time is the training alone), on
every core torch uses (torch.get_num_threads()). Prints one line per epoch: seconds.
"""
import sys, time
import numpy as np
import torch

path, k, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
X = torch.from_numpy(np.load(f"{path}/X.npy", mmap_mode="r")[:].astype(np.float32))
y = torch.from_numpy(np.load(f"{path}/y.npy").astype(np.int64))
n, d = X.shape
model = torch.nn.Linear(d, k)
torch.nn.init.zeros_(model.weight); torch.nn.init.zeros_(model.bias)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
lossf = torch.nn.CrossEntropyLoss()
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {n} x {d}, k {k}, batch {batch}")
for e in range(epochs):
    t0 = time.perf_counter()
    for s in range(0, n, batch):
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(X[s:s + batch]), y[s:s + batch])
        loss.backward()
        opt.step()
    print(f"epoch {e + 1}: {time.perf_counter() - t0:.4f} s, last batch loss {loss.item():.6f}")
