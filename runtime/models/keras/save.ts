/**
 * Writing Keras 3 files: `model.save("m.keras")` and `model.saveWeights("m.weights.h5")`.
 *
 * A `.keras` file is a zip of three entries, as Keras 3 writes it (saving_lib.py):
 *   metadata.json     {"keras_version", "date_saved"} — the format version tsdl follows, and when
 *   config.json       {module, class_name, config, registered_name, build_config, compile_config}
 *   model.weights.h5  the weights and the optimizer's state (weights.ts)
 * The zip's entries are stored, not deflated, as Keras stores them (zip.ts says why). The file is
 * written whole or not at all (writeFileAtomic: a temporary file in the same folder, flushed,
 * renamed), so a crash leaves the previous file or the new one.
 *
 * This module imports no model class (model.ts imports it through save.ts).
 */
import { mkdirSync } from "node:fs";
import { basename, dirname } from "node:path";
import { removeStaleTemps, writeFileAtomic } from "../../atomicFile.js";
import type { Layer } from "../../layers/layer.js";
import type { Model } from "../model.js";
import { writeH5 } from "./hdf5.js";
import { writeZip } from "./zip.js";
import { layerToKeras } from "./layers.js";
import { buildShape, callsOf, graphOf, inboundNodes, kerasLayers, kerasOrder, tensorRefs } from "./graph.js";
import { dtypePolicy, kerasJson, lossToKeras, metricToKeras, optimizerToKeras } from "./objects.js";
import { weightsToH5 } from "./weights.js";

/** The Keras release whose format tsdl writes and reads (and was tested against). */
export const KERAS_FORMAT_VERSION = "3.15.1";

/** Keras's build_config of a layer: the input shape its first call had. */
function layerBuildConfig(layer: Layer, model: Model, previous: Layer | null): Record<string, unknown> {
  if (!layer.built || layer.weights.length === 0) return {};
  if (model.className === "Sequential") {
    const shape = previous ? previous.outputShape : graphOf(model).inputs[0].shape;
    return shape ? { build_config: { input_shape: [...shape] } } : {};
  }
  const first = callsOf(layer, graphOf(model))[0];
  return first ? { build_config: { input_shape: buildShape(first) } } : {};
}

function layerEntry(layer: Layer): Record<string, unknown> {
  return { module: "keras.layers", class_name: layer.className, config: layerToKeras(layer), registered_name: null };
}

/** The architecture part of config.json. */
function architecture(model: Model): Record<string, unknown> {
  const g = graphOf(model);
  if (model.className === "Sequential") {
    const input = g.inputs[0];
    const stack = model.layers;
    const layers = [layerEntry(input.node.layer), ...stack.map((l, i) => ({ ...layerEntry(l), ...layerBuildConfig(l, model, i === 0 ? null : stack[i - 1]) }))];
    return {
      module: "keras",
      class_name: "Sequential",
      config: { name: model.name, trainable: true, dtype: dtypePolicy(), layers, build_input_shape: [...input.shape] },
      registered_name: null,
      build_config: { input_shape: [...input.shape] },
    };
  }
  const layers = kerasOrder(g).map((l) => ({ ...layerEntry(l), ...layerBuildConfig(l, model, null), name: l.name, inbound_nodes: inboundNodes(l, g) }));
  return {
    module: "keras.src.models.functional",
    class_name: "Functional",
    config: { name: model.name, trainable: true, layers, input_layers: tensorRefs(g.inputs, g), output_layers: tensorRefs(g.outputs, g) },
    registered_name: "Functional",
    build_config: { input_shape: null },
  };
}

/**
 * compile()'s settings as Keras's compile_config, or null when the model is not compiled or its
 * loss is a function of the user's own (Keras could not rebuild it: the model is saved
 * uncompiled, with a warning). A metric class of the user's own is left out, with a warning.
 */
function compileConfig(model: Model, file: string): Record<string, unknown> | null {
  const c = model.compiled;
  if (!c) return null;
  const losses = c.losses.map(lossToKeras);
  const custom = c.losses.filter((_, i) => losses[i] === null);
  if (custom.length) {
    console.warn(`save: ${file}: the loss '${custom[0].name}' is a function of your own, which Keras cannot rebuild; the model is saved without its compile settings (compile it again after loading)`);
    return null;
  }
  const left: string[] = [];
  const metrics = c.config.metrics.map((list) =>
    list.flatMap((m) => {
      const k = metricToKeras(m);
      if (k === null && typeof m === "object") left.push(`'${m.config.name}' (${m.className})`);
      return k === null ? [] : [k];
    }),
  );
  if (left.length) console.warn(`save: ${file}: left out metric ${left.join(", ")}, a class Keras cannot rebuild`);
  const single = losses.length === 1;
  return {
    optimizer: optimizerToKeras(c.optimizer),
    loss: single ? losses[0] : losses,
    loss_weights: null,
    metrics: single ? metrics[0] : metrics,
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}

/** "2026-12-02@10:54:29", as Keras dates a save (local time). */
function dateSaved(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Writes bytes to `path` atomically, creating its folder, after removing temporary files of killed saves there. */
function writeOut(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir, "tmp", [basename(path) + "."]);
  writeFileAtomic(path, bytes);
}

/** model.save("m.keras"). @internal */
export function saveKerasFile(model: Model, path: string): void {
  if (!model.built) throw new Error(`${model.name}: save() needs a built model (give an input shape, or fit/predict once)`);
  const config = { ...architecture(model), compile_config: compileConfig(model, path) };
  if (config.compile_config === null) delete (config as Record<string, unknown>).compile_config;
  const weights = writeH5(weightsToH5(model, kerasLayers(model)), `save: ${path}`);
  const enc = (o: unknown) => new TextEncoder().encode(kerasJson(o));
  writeOut(
    path,
    writeZip([
      ["metadata.json", enc({ keras_version: KERAS_FORMAT_VERSION, date_saved: dateSaved() })],
      ["config.json", enc(config)],
      ["model.weights.h5", weights],
    ]),
  );
}

/** model.saveWeights("m.weights.h5"). @internal */
export function saveWeightsH5(model: Model, path: string): void {
  if (!model.built) throw new Error(`${model.name}: saveWeights() needs a built model`);
  writeOut(path, writeH5(weightsToH5(model, kerasLayers(model)), `saveWeights: ${path}`));
}
