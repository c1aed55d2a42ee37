/**
 * Reading Keras 3's `.keras` files: `models.loadModel("m.keras")` rebuilds a Sequential or
 * functional model from config.json (layers through the table in layers.ts), puts the weights of
 * model.weights.h5 into it, and compiles it as compile_config says, the optimizer's state
 * included, so `fit` continues where Keras stopped.
 *
 * What tsdl cannot compute is an error naming it — a layer class, a setting, an activation —
 * and never a model that silently computes something else. A compile setting tsdl lacks (a loss
 * weight, a schedule) leaves the model uncompiled with a warning, as Keras does when compile
 * fails while loading.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Layer } from "../../layers/layer.js";
import { InputLayer } from "../../layers/input.js";
import { BatchNormalizationLayer } from "../../layers/batchNormalization.js";
import type { SymbolicTensor } from "../../layers/symbolic.js";
import { Model } from "../model.js";
import { SequentialModel } from "../sequential.js";
import { metricFromConfig, type MetricLike } from "../../metrics/index.js";
import { readH5 } from "./hdf5.js";
import { readZip } from "./zip.js";
import { inputFromKeras, layerFromKeras, layerOwner } from "./layers.js";
import { readRef, readRefList, type KerasRef } from "./graph.js";
import { isKerasObject, lossFromKeras, metricFromKeras, optimizerFromKeras } from "./objects.js";
import { weightsFromH5 } from "./weights.js";

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** Compile the model as it was saved (optimizer with its state, loss, metrics). Default true. */
  compile?: boolean;
}

type LayerEntry = { class_name?: unknown; config?: Record<string, unknown>; inbound_nodes?: unknown; name?: unknown; module?: unknown };

function rebuildSequential(config: Record<string, unknown>, file: string): { model: Model; layers: Layer[]; entries: LayerEntry[] } {
  const entries = config.layers as LayerEntry[];
  if (!Array.isArray(entries)) throw new Error(`${file}: config.json has no layers list`);
  const model = new SequentialModel([], typeof config.name === "string" ? { name: config.name } : {});
  const layers: Layer[] = [];
  entries.forEach((e, i) => {
    if (e.class_name === "InputLayer") {
      if (i !== 0) throw new Error(`${file}: an InputLayer may only come first in a Sequential`);
      model.add(inputFromKeras(e.config ?? {}));
      return;
    }
    const layer = layerFromKeras(e);
    layers.push(layer);
    model.add(layer);
  });
  if (!model.built && Array.isArray(config.build_input_shape)) model.build(config.build_input_shape as (number | null)[]);
  return { model, layers, entries: entries.filter((e) => e.class_name !== "InputLayer") };
}

function rebuildFunctional(config: Record<string, unknown>, file: string): { model: Model; layers: Layer[]; entries: LayerEntry[] } {
  const entries = config.layers as LayerEntry[];
  if (!Array.isArray(entries)) throw new Error(`${file}: config.json has no layers list`);
  const byName = new Map<string, Layer>();
  const outputsOf = new Map<string, SymbolicTensor[]>();
  const layers = entries.map((e) => {
    const layer = layerFromKeras(e);
    byName.set(layer.name, layer);
    outputsOf.set(layer.name, layer instanceof InputLayer ? [layer.output] : []);
    return layer;
  });
  // Each layer's calls, applied in order once their inputs exist (a shared layer's second call
  // may wait for a layer listed after it).
  const pending = entries.map((e, i) => {
    const owner = layerOwner(String(e.class_name), layers[i].name);
    const nodes = layers[i] instanceof InputLayer ? [] : Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [];
    const calls = nodes.map((node: unknown) => {
      const n = node as { args?: unknown[]; kwargs?: Record<string, unknown> };
      if (!n || !Array.isArray(n.args)) throw new Error(`${file}: ${owner}: an inbound node ${JSON.stringify(node).slice(0, 200)} is not in Keras 3's format`);
      const extra = Object.entries(n.kwargs ?? {}).filter(([, v]) => v !== null && v !== undefined);
      if (extra.length) throw new Error(`${file}: ${owner} is called with ${extra.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}, which tsdl does not support`);
      if (n.args.length !== 1) throw new Error(`${file}: ${owner} is called with ${n.args.length} positional arguments; tsdl layers take one (a tensor or a list)`);
      const a = n.args[0];
      return { list: Array.isArray(a), refs: (Array.isArray(a) ? a : [a]).map((t) => readRef(t, `${file}: ${owner}`)) };
    });
    return { layer: layers[i], calls };
  });
  const resolve = ([name, node, tensor]: KerasRef): SymbolicTensor | undefined => (tensor === 0 ? outputsOf.get(name)?.[node] : undefined);
  for (let progress = true; progress; ) {
    progress = false;
    for (const p of pending) {
      while (p.calls.length > 0) {
        const ins = p.calls[0].refs.map(resolve);
        if (ins.some((t) => t === undefined)) break;
        const out = p.layer.apply(p.calls[0].list ? (ins as SymbolicTensor[]) : ins[0]!);
        outputsOf.get(p.layer.name)!.push(out);
        p.calls.shift();
        progress = true;
      }
    }
  }
  const stuck = pending.filter((p) => p.calls.length > 0);
  if (stuck.length) {
    const missing = stuck[0].calls[0].refs.filter((r) => resolve(r) === undefined).map((r) => `${r[0]}[${r[1]}][${r[2]}]`);
    throw new Error(`${file}: cannot connect ${stuck.map((p) => `'${p.layer.name}'`).join(", ")}: the input ${missing.join(", ")} is not produced by any layer`);
  }
  const tensor = (r: KerasRef) => {
    const t = resolve(r);
    if (!t) throw new Error(`${file}: the model's input or output ${r[0]}[${r[1]}][${r[2]}] is not in the graph`);
    return t;
  };
  const inputs = readRefList(config.input_layers, file).map(tensor);
  const outputs = readRefList(config.output_layers, file).map(tensor);
  const model = new Model({ inputs, outputs, ...(typeof config.name === "string" ? { name: config.name } : {}) });
  return { model, layers, entries };
}

/** Keras may write BatchNormalization's axis as the last axis's index: anything else is a different normalization. */
function checkBatchNormAxes(layers: Layer[], entries: LayerEntry[], file: string): void {
  layers.forEach((l, i) => {
    const axis = entries[i]?.config?.axis;
    if (!(l instanceof BatchNormalizationLayer) || typeof axis !== "number" || axis === -1) return;
    const rank = l.outputShape?.length;
    if (rank !== undefined && axis !== rank - 1) throw new Error(`${file}: ${layerOwner("BatchNormalization", l.name)}: axis ${axis} is not supported by tsdl (the last axis, ${rank - 1}, only)`);
  });
}

/** Per-output lists from a Keras compile setting that may be one value, a list, or a dict by output name. */
function perOutput<T>(v: unknown, outputs: string[], what: string, nested: (x: unknown) => boolean): unknown[] {
  if (v && typeof v === "object" && !Array.isArray(v) && !isKerasObject(v)) {
    const d = v as Record<string, unknown>;
    return outputs.map((o) => {
      if (!(o in d)) throw new Error(`${what} names outputs ${Object.keys(d).join(", ")}; the model's are ${outputs.join(", ")}`);
      return d[o] as T;
    });
  }
  if (outputs.length > 1 && Array.isArray(v) && v.length === outputs.length && v.every(nested)) return v;
  return outputs.map(() => v);
}

/** Compiles the model as Keras's compile_config says; a setting tsdl lacks leaves it uncompiled, with a warning. */
function compileFromKeras(model: Model, cc: Record<string, unknown>, file: string): void {
  try {
    for (const key of ["loss_weights", "weighted_metrics"]) {
      if (cc[key] !== null && cc[key] !== undefined) throw new Error(`${key} is not supported by tsdl`);
    }
    const optimizer = optimizerFromKeras(cc.optimizer ?? "rmsprop");
    const outputs = model.outputNames;
    const losses = perOutput(cc.loss, outputs, "loss", (x) => typeof x === "string" || isKerasObject(x)).map(lossFromKeras);
    const metricLists = cc.metrics === null || cc.metrics === undefined ? outputs.map(() => []) : perOutput(cc.metrics, outputs, "metrics", Array.isArray);
    const metrics = metricLists.map((list) => (Array.isArray(list) ? list : [list]).map((m) => metricFromConfig(metricFromKeras(m)) as MetricLike));
    model.compile({ optimizer, loss: losses, metrics });
  } catch (e) {
    console.warn(`loadModel: ${file}: the model is loaded without its compile settings: ${(e as Error).message}`);
  }
}

/** loadModel("m.keras"). @internal */
export function loadKerasFile(path: string, options: LoadModelOptions = {}): Model {
  if (!existsSync(path)) throw new Error(`loadModel: ${path} does not exist`);
  const zip = readZip(readFileSync(path), path);
  const configBytes = zip.get("config.json");
  if (!configBytes) throw new Error(`loadModel: ${path} holds no config.json (entries: ${[...zip.keys()].join(", ")}); is it a .keras file?`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(configBytes));
  } catch (e) {
    throw new Error(`loadModel: ${path}: config.json is not valid JSON (${(e as Error).message})`);
  }
  const weightsBytes = zip.get("model.weights.h5");
  if (!weightsBytes) {
    const npz = zip.has("model.weights.npz") ? " (its weights are in the npz format, which tsdl does not read: save with the default weights_format='h5')" : "";
    throw new Error(`loadModel: ${path} holds no model.weights.h5${npz}`);
  }
  const config = (json.config ?? {}) as Record<string, unknown>;
  let built: ReturnType<typeof rebuildSequential>;
  try {
    if (json.class_name === "Sequential") built = rebuildSequential(config, path);
    else if (json.class_name === "Functional" || json.class_name === "Model") built = rebuildFunctional(config, path);
    else throw new Error(`${path}: the model class ${String(json.class_name)} cannot be loaded: tsdl reads Sequential and functional models (a subclassed model's call() is Python code)`);
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith("loadModel") ? msg : `loadModel: ${msg.startsWith(path) ? msg : `${path}: ${msg}`}`);
  }
  const { model, layers, entries } = built;
  checkBatchNormAxes(layers, entries, path);
  const cc = json.compile_config as Record<string, unknown> | null | undefined;
  if (cc && options.compile !== false) compileFromKeras(model, cc, path);
  const weights = readH5(weightsBytes, `${path} (model.weights.h5)`);
  // Keras's model.layers order for the h5 groups: the config lists the layers in it (a
  // Sequential's without its InputLayer).
  try {
    weightsFromH5(weights, layers, model.compiled?.optimizer ?? null, path);
  } catch (e) {
    throw new Error(`loadModel: ${(e as Error).message}`);
  }
  return model;
}
