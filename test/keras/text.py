"""Keras's side of test/keras-text.test.ts: what Keras 3 prints — model.summary() for the models of
spec.json, keras.utils.Progbar driven by a scripted clock, and fit/evaluate/predict's progress
output — captured as text into result.json."""
import io
import json
import os
import sys

import keras
import numpy as np
from keras.src.utils import progbar as progbar_module

work = sys.argv[1]
spec = json.load(open(os.path.join(work, "spec.json")))
out = {"summaries": {}, "progbars": {}, "runs": {}}


def capture(fn):
    """What fn prints to stdout (Keras writes progress with sys.stdout.write)."""
    saved = sys.stdout
    sys.stdout = buffer = io.StringIO()
    try:
        fn()
    finally:
        sys.stdout = saved
    return buffer.getvalue()


for s in spec["summaries"]:
    if "file" in s:
        model = keras.models.load_model(os.path.join(work, s["file"]))
    else:
        model = keras.Sequential([keras.layers.deserialize({"class_name": c["class_name"], "config": c["config"], "module": "keras.layers"}) for c in s["layers"]], name=s["name"])
    lines = []
    model.summary(print_fn=lambda text, line_break=None: lines.append(text))
    out["summaries"][s["id"]] = "\n".join(lines)

real_time = progbar_module.time.time
for p in spec["progbars"]:
    times = iter(p["times"])
    progbar_module.time.time = lambda: next(times)

    def run():
        bar = keras.utils.Progbar(p["target"], verbose=p["verbose"], unit_name=p.get("unit", "step"), stateless_metrics=set())
        for e in p["events"]:
            bar.update(e["current"], [(k, float(x)) for k, x in e["values"]], finalize=e["finalize"])

    out["progbars"][p["id"]] = capture(run)
progbar_module.time.time = real_time

for r in spec["runs"]:
    model = keras.models.load_model(os.path.join(work, r["file"]))
    x = np.asarray(r["x"], dtype="float32")
    y = np.asarray(r["y"], dtype="float32")
    val = (np.asarray(r["val_x"], dtype="float32"), np.asarray(r["val_y"], dtype="float32")) if "val_x" in r else None
    text = capture(lambda: model.fit(x, y, epochs=r["epochs"], batch_size=r["batch_size"], shuffle=False, verbose=r["verbose"], validation_data=val))
    text += capture(lambda: model.evaluate(x, y, batch_size=r["batch_size"], verbose=r["verbose"]))
    text += capture(lambda: model.predict(x, batch_size=r["batch_size"], verbose=r["verbose"]))
    out["runs"][r["id"]] = text

json.dump(out, open(os.path.join(work, "result.json"), "w"))
