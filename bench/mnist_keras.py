"""Keras 3 on tensorflow-cpu, the chapter's training, for bench/mnist.ts (run with the venv python
that bench/lib/keras.ts installs; never a dependency of tsdl).

The chapter's code, with the data read from the same IDX files as tsdl and PyTorch:
Sequential([Dense(512, relu), Dense(10, softmax)]), rmsprop, categorical_crossentropy, batch 128,
60,000 images shuffled each epoch, verbose 0. Keras's defaults otherwise (TensorFlow picks its own
thread pools, oneDNN on, jit_compile "auto").

Usage: python mnist_keras.py DATA_DIR EPOCHS
Prints one JSON line: secondsPerEpoch, testAcc, keras, tensorflow.
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def idx(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


class EpochTimes(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def main():
    data_dir, epochs = sys.argv[1], int(sys.argv[2])
    keras.utils.set_random_seed(0)
    x = idx(f"{data_dir}/train-images-idx3-ubyte", 16).reshape(60000, 784).astype("float32") / 255
    y = keras.utils.to_categorical(idx(f"{data_dir}/train-labels-idx1-ubyte", 8))
    xt = idx(f"{data_dir}/t10k-images-idx3-ubyte", 16).reshape(10000, 784).astype("float32") / 255
    yt = keras.utils.to_categorical(idx(f"{data_dir}/t10k-labels-idx1-ubyte", 8))
    model = keras.Sequential([keras.layers.Dense(512, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimes()
    model.fit(x, y, epochs=epochs, batch_size=128, verbose=0, callbacks=[timer])
    _, acc = model.evaluate(xt, yt, verbose=0)
    print(json.dumps({"secondsPerEpoch": timer.times, "testAcc": float(acc), "keras": keras.__version__, "tensorflow": tf.__version__}))


if __name__ == "__main__":
    main()
