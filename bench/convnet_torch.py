"""PyTorch on the CPU, the book's MNIST convnet, for bench/convnet.ts (run with Debian's /usr/bin/python3).

The same network, data and training as tsdl's: Conv2D(32, 3, relu) -> MaxPooling2D(2) ->
Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Conv2D(128, 3, relu) -> Flatten -> Dense(10), softmax
cross-entropy on integer labels, RMSprop(lr=1e-3, alpha=0.9, eps=1e-7), batch 64, shuffled each
epoch, pixels scaled to [0, 1]. Weights start as Keras's do (glorot_uniform kernels, zero biases)
so the two train alike. PyTorch lays images out channels-first (NCHW), its native layout; Flatten
then orders the 1,152 features differently from Keras, which changes nothing about speed or
accuracy. Convolutions run through oneDNN (Debian's build has it).

Usage: python3 convnet_torch.py DATA_DIR EPOCHS THREADS   (THREADS: torch.set_num_threads)
Prints one JSON line: secondsPerEpoch, testAcc, torch, threads.
"""
import json
import sys
import time

import numpy as np
import torch


def idx(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def images(path, n):
    return torch.from_numpy(idx(path, 16).reshape(n, 1, 28, 28).astype(np.float32) / 255)


def main():
    data_dir, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = images(f"{data_dir}/train-images-idx3-ubyte", 60000)
    y = torch.from_numpy(idx(f"{data_dir}/train-labels-idx1-ubyte", 8).astype(np.int64))
    xt = images(f"{data_dir}/t10k-images-idx3-ubyte", 10000)
    yt = torch.from_numpy(idx(f"{data_dir}/t10k-labels-idx1-ubyte", 8).astype(np.int64))
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(3 * 3 * 128, 10),
    )
    for m in model:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(60000)
        for i in range(0, 60000, 64):
            b = perm[i : i + 64]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[b]), y[b])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        correct = sum((model(xt[i : i + 1000]).argmax(1) == yt[i : i + 1000]).sum().item() for i in range(0, 10000, 1000))
    print(json.dumps({"secondsPerEpoch": times, "testAcc": correct / 10000, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
