"""Keras's side of test/keras-parity.test.ts: computes every case of spec.json with Keras 3 on
TensorFlow and writes the answers to result.json, case by case (an error in one case is that
case's answer, so the others still compare)."""
import json
import os
import sys
import traceback

import keras
import numpy as np
import tensorflow as tf

work = sys.argv[1]
spec = json.load(open(os.path.join(work, "spec.json")))
f32 = lambda a: tf.constant(np.asarray(a, dtype="float32"))


def tolist(x):
    if isinstance(x, (list, tuple)):
        return [tolist(v) for v in x]
    if x is None:
        return None
    return np.asarray(x).astype("float64").tolist()


def activation(case):
    x = f32(case["x"])
    g = f32(case["g"])
    fn = keras.activations.get(case["name"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
        s = tf.reduce_sum(y * g)
    return {"y": tolist(y), "dx": tolist(tape.gradient(s, x))}


def layer(case):
    lyr = keras.layers.deserialize({"class_name": case["class_name"], "config": case["config"], "module": "keras.layers"})
    xs = [f32(v) for v in case["x"]] if case["multi"] else f32(case["x"])
    lyr(xs)  # builds
    if case["weights"]:
        lyr.set_weights([np.asarray(w, dtype="float32") for w in case["weights"]])
    g = f32(case["g"])
    watched = xs if case["multi"] else [xs]
    with tf.GradientTape() as tape:
        for v in watched:
            tape.watch(v)
        y = lyr(xs, training=case["training"])
        s = tf.reduce_sum(y * g)
    grads = tape.gradient(s, watched + [v.value for v in lyr.trainable_weights])
    return {
        "y": tolist(y),
        "dx": tolist(grads[: len(watched)]),
        "dw": tolist(grads[len(watched):]),
        "weights_after": tolist(lyr.get_weights()),
    }


def loss(case):
    cls = getattr(keras.losses, case["class_name"])
    fn = cls(**case["config"])
    yt = f32(case["y_true"]) if case.get("y_true_dtype") != "int32" else tf.constant(np.asarray(case["y_true"], dtype="int32"))
    yp = f32(case["y_pred"])
    with tf.GradientTape() as tape:
        tape.watch(yp)
        value = fn(yt, yp)
    return {"value": float(value), "dy": tolist(tape.gradient(value, yp))}


def metric(case):
    m = getattr(keras.metrics, case["class_name"])(**case["config"])
    for yt, yp in case["batches"]:
        m.update_state(np.asarray(yt, dtype="float32"), np.asarray(yp, dtype="float32"))
    return {"value": float(m.result())}


def optimizer(case):
    opt = keras.optimizers.deserialize({"class_name": case["class_name"], "config": case["config"], "module": "keras.optimizers"})
    variables = [keras.Variable(np.asarray(w, dtype="float32")) for w in case["weights"]]
    steps = []
    for grads in case["grads"]:
        opt.apply_gradients(zip([f32(g) for g in grads], variables))
        steps.append(tolist([v.numpy() for v in variables]))
    return {"steps": steps}


def train(case):
    model = keras.models.load_model(os.path.join(work, case["file"]))
    x = [np.asarray(v, dtype="float32") for v in case["x"]] if case["multi"] else np.asarray(case["x"], dtype="float32")
    y = np.asarray(case["y"], dtype=case.get("y_dtype", "float32"))
    logs = model.train_on_batch(x, y, return_dict=True)
    return {"weights": tolist(model.get_weights()), "loss": float(logs["loss"])}


KINDS = {"activation": activation, "layer": layer, "loss": loss, "metric": metric, "optimizer": optimizer, "train": train}
out = {}
for case in spec["cases"]:
    try:
        out[case["id"]] = KINDS[case["kind"]](case)
    except Exception:
        out[case["id"]] = {"error": traceback.format_exc()}
json.dump(out, open(os.path.join(work, "result.json"), "w"))
