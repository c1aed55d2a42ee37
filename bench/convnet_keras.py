"""Keras 3 on tensorflow-cpu, the book's MNIST convnet, for bench/convnet.ts (run with the venv
python that bench/lib/keras.ts installs).

The book's code ("Introduction to convnets"), with the data read from the same IDX files as tsdl
and PyTorch: Input(28, 28, 1) -> Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) ->
MaxPooling2D(2) -> Conv2D(128, 3, relu) -> Flatten -> Dense(10, softmax); rmsprop,
sparse_categorical_crossentropy, batch 64, shuffled each epoch. Keras's defaults otherwise
(TensorFlow picks its own thread pools; jit_compile is given by the caller, "auto" by default).

Usage: python convnet_keras.py DATA_DIR EPOCHS [JIT]   (JIT: auto | true | false)
Prints one JSON line: secondsPerEpoch, testAcc, keras, tensorflow, jitCompile, params.
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


def images(path, n):
    return idx(path, 16).reshape(n, 28, 28, 1).astype("float32") / 255


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
    jit = {"auto": "auto", "true": True, "false": False}[sys.argv[3] if len(sys.argv) > 3 else "auto"]
    keras.utils.set_random_seed(0)
    x = images(f"{data_dir}/train-images-idx3-ubyte", 60000)
    y = idx(f"{data_dir}/train-labels-idx1-ubyte", 8).astype("int64")
    xt = images(f"{data_dir}/t10k-images-idx3-ubyte", 10000)
    yt = idx(f"{data_dir}/t10k-labels-idx1-ubyte", 8).astype("int64")
    layers = keras.layers
    inputs = keras.Input(shape=(28, 28, 1))
    h = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(inputs)
    h = layers.MaxPooling2D(pool_size=2)(h)
    h = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(h)
    h = layers.MaxPooling2D(pool_size=2)(h)
    h = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(h)
    h = layers.Flatten()(h)
    outputs = layers.Dense(10, activation="softmax")(h)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
    timer = EpochTimes()
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0, callbacks=[timer])
    _, acc = model.evaluate(xt, yt, verbose=0)
    print(json.dumps({
        "secondsPerEpoch": timer.times,
        "testAcc": float(acc),
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "jitCompile": str(sys.argv[3] if len(sys.argv) > 3 else "auto"),
        "params": model.count_params(),
    }))


if __name__ == "__main__":
    main()
