"""Keras's side of test/keras-files.test.ts: loads the .keras and .weights.h5 files tsdl wrote,
writes its own for tsdl to load, and answers what it predicted and trained (result.json)."""
import json
import os
import sys
import warnings

import h5py
import keras
import numpy as np

work = sys.argv[1]
spec = json.load(open(os.path.join(work, "spec.json")))
path = lambda name: os.path.join(work, name)
f32 = lambda a: np.asarray(a, dtype="float32")
out = {}
caught = []
warnings.showwarning = lambda message, *a, **k: caught.append(str(message))

def tolist(x):
    if isinstance(x, (list, tuple)):
        return [tolist(v) for v in x]
    return np.asarray(x).astype("float64").tolist()

def h5_layout(h5file):
    """Every group and dataset of an h5 file: path → [kind, shape, dtype, attrs]."""
    items = {}
    def visit(name, obj):
        attrs = {k: (v.decode() if isinstance(v, bytes) else (v if isinstance(v, str) else float(v))) for k, v in obj.attrs.items()}
        if isinstance(obj, h5py.Dataset):
            items[name] = ["dataset", list(obj.shape), str(obj.dtype), attrs]
        else:
            items[name] = ["group", None, None, attrs]
    h5file.visititems(visit)
    return items

def keras_file_layout(file):
    import zipfile
    with zipfile.ZipFile(file) as z:
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json"))
        names = z.namelist()
        z.extract("model.weights.h5", path("layout-tmp"))
    with h5py.File(path("layout-tmp/model.weights.h5")) as f:
        layout = h5_layout(f)
    return {"entries": names, "config": config, "metadata": meta, "h5": layout}

xc = f32(spec["xc"])
xq = f32(spec["xq"])
yc = f32(spec["yc"])
x = f32(spec["x"])
x2 = f32(spec["x2"])
y = f32(spec["y"])
y2 = f32(spec["y2"])

# ---- tsdl's files in Keras ---------------------------------------------------------------------
t_seq = keras.models.load_model(path("t-seq.keras"))
out["t_seq_pred"] = tolist(t_seq.predict(x, verbose=0))
out["t_seq_iterations"] = int(t_seq.optimizer.iterations.numpy())
out["t_seq_optimizer"] = type(t_seq.optimizer).__name__
out["t_seq_layout"] = keras_file_layout(path("t-seq.keras"))
t_seq.save(path("t-seq-resaved.keras"))
out["t_seq_resaved_layout"] = keras_file_layout(path("t-seq-resaved.keras"))
out["t_seq_summary"] = []
t_seq.summary(print_fn=lambda s, **k: out["t_seq_summary"].append(s))

twin = keras.models.clone_model(t_seq)
twin.load_weights(path("t-seq.weights.h5"))
out["t_weights_pred"] = tolist(twin.predict(x, verbose=0))

t_fun = keras.models.load_model(path("t-fun.keras"))
out["t_fun_pred"] = tolist(t_fun.predict([x, x2], verbose=0))
out["t_fun_layout"] = keras_file_layout(path("t-fun.keras"))
t_fun.save(path("t-fun-resaved.keras"))
out["t_fun_resaved_layout"] = keras_file_layout(path("t-fun-resaved.keras"))
out["t_fun_losses"] = [str(l) for l in (t_fun.loss if isinstance(t_fun.loss, list) else [t_fun.loss])]

# tsdl trained this one two steps; one more step here must land where tsdl's third step did.
t_cont = keras.models.load_model(path("t-cont.keras"))
out["t_cont_iterations_before"] = int(t_cont.optimizer.iterations.numpy())
t_cont.train_on_batch(x, y)
out["t_cont_next_weights"] = tolist(t_cont.get_weights())

t_conv = keras.models.load_model(path("t-conv.keras"))
out["t_conv_pred"] = tolist(t_conv.predict(xc, verbose=0))
out["t_conv_layers"] = [type(l).__name__ for l in t_conv.layers]
t_conv1d = keras.models.load_model(path("t-conv1d.keras"))
out["t_conv1d_pred"] = tolist(t_conv1d.predict(xq, verbose=0))

# ---- Keras's files for tsdl --------------------------------------------------------------------
keras.utils.set_random_seed(1)
k_seq = keras.Sequential([
    keras.Input((x.shape[1],)),
    keras.layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-3), name="hidden"),
    keras.layers.Dropout(0.3),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(y.shape[1], activation="softmax"),
], name="keras_sequential")
k_seq.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
k_seq.fit(x, y, epochs=3, batch_size=8, verbose=0)
k_seq.save(path("k-seq.keras"))
k_seq.save_weights(path("k-seq.weights.h5"))
out["k_seq_pred"] = tolist(k_seq.predict(x, verbose=0))
out["k_seq_weights"] = tolist(k_seq.get_weights())
out["k_seq_eval"] = tolist(k_seq.evaluate(x, y, verbose=0))

a = keras.Input((x.shape[1],), name="a")
b = keras.Input((x2.shape[1],), name="b")
shared = keras.layers.Dense(6, activation="tanh", name="shared")
h = keras.layers.Concatenate(name="join")([keras.layers.Dense(4, name="pa")(a), b])
r = keras.layers.Reshape((2, (4 + x2.shape[1]) // 2), name="fold")(h)
f = keras.layers.Flatten(name="unfold")(r)
s = keras.layers.Add(name="sum")([shared(f), shared(keras.layers.Activation("sigmoid", name="squash")(f))])
o1 = keras.layers.Dense(y.shape[1], activation="softmax", name="classes")(s)
o2 = keras.layers.Dense(1, name="value")(s)
k_fun = keras.Model([a, b], [o1, o2], name="keras_functional")
k_fun.compile(optimizer=keras.optimizers.RMSprop(0.01), loss=["categorical_crossentropy", "mse"], metrics=[["accuracy"], ["mae"]])
k_fun.fit([x, x2], [y, y2], epochs=2, batch_size=8, verbose=0)
k_fun.save(path("k-fun.keras"))
out["k_fun_pred"] = tolist(k_fun.predict([x, x2], verbose=0))
out["k_fun_layers"] = [l.name for l in k_fun.layers]

# Keras trains this two steps and saves; its third step is what tsdl must reach after loading.
keras.utils.set_random_seed(2)
k_cont = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(8, activation="relu"), keras.layers.BatchNormalization(), keras.layers.Dense(y.shape[1], activation="softmax")])
k_cont.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
k_cont.train_on_batch(x, y)
k_cont.train_on_batch(x, y)
k_cont.save(path("k-cont.keras"))
k_cont.train_on_batch(x, y)
out["k_cont_next_weights"] = tolist(k_cont.get_weights())

keras.utils.set_random_seed(3)
k_conv = keras.Sequential([
    keras.Input(xc.shape[1:]),
    keras.layers.Conv2D(4, 3, activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(5, 2, padding="same"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(yc.shape[1], activation="softmax"),
])
k_conv.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
k_conv.fit(xc, yc, epochs=2, batch_size=4, verbose=0)
k_conv.save(path("k-conv.keras"))
out["k_conv_pred"] = tolist(k_conv.predict(xc, verbose=0))
k_conv1d = keras.Sequential([
    keras.Input(xq.shape[1:]),
    keras.layers.Conv1D(4, 3, activation="tanh", padding="causal"),
    keras.layers.MaxPooling1D(2),
    keras.layers.AveragePooling1D(2),
    keras.layers.Flatten(),
    keras.layers.Dense(yc.shape[1], activation="softmax"),
])
k_conv1d.compile(optimizer="sgd", loss="categorical_crossentropy")
k_conv1d.fit(xq, yc, epochs=1, batch_size=4, verbose=0)
k_conv1d.save(path("k-conv1d.keras"))
out["k_conv1d_pred"] = tolist(k_conv1d.predict(xq, verbose=0))

# What tsdl cannot compute must name itself.
keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), keras.layers.LayerNormalization(), keras.layers.Dense(2)]).save(path("k-unsupported-layer.keras"))
keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, kernel_constraint=keras.constraints.NonNeg(), name="constrained")]).save(path("k-unsupported-setting.keras"))
m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="plain")])
m.compile(optimizer=keras.optimizers.RMSprop(centered=True), loss="mse")
m.save(path("k-unsupported-optimizer.keras"))

out["keras_version"] = keras.__version__
out["warnings"] = caught
json.dump(out, open(path("result.json"), "w"))
