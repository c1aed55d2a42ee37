"""PyTorch on the CPU, the chapter's training, for bench/mnist.ts (run with Debian's /usr/bin/python3).

Same network and data as tsdl: 784 -> Dense(512, relu) -> Dense(10), softmax cross-entropy,
RMSprop(lr=1e-3, alpha=0.9, eps=1e-7), batch 128, shuffled each epoch. Best setting on this
machine kind: ONE intra-op thread, OpenBLAS with 2 threads (OPENBLAS_NUM_THREADS=2 set by the
caller) - two spinning pools on 2 cores are 5x slower. Prints one JSON line.
Usage: python3 mnist_torch.py DATA_DIR EPOCHS
"""
import json
import sys
import time

import numpy as np
import torch


def idx(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    data_dir, epochs = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.from_numpy(idx(f"{data_dir}/train-images-idx3-ubyte", 16).reshape(60000, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx(f"{data_dir}/train-labels-idx1-ubyte", 8).astype(np.int64))
    xt = torch.from_numpy(idx(f"{data_dir}/t10k-images-idx3-ubyte", 16).reshape(10000, 784).astype(np.float32) / 255)
    yt = torch.from_numpy(idx(f"{data_dir}/t10k-labels-idx1-ubyte", 8).astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(60000)
        for i in range(0, 60000, 128):
            idx_b = perm[i : i + 128]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx_b]), y[idx_b])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).float().mean().item()
    print(json.dumps({"secondsPerEpoch": times, "testAcc": acc, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
