/**
 * loadModel(path): rebuilds a model saved by `model.save(path)` — architecture, weights, and the
 * compile settings (optimizer with its configuration, loss, metrics; the optimizer's state starts fresh).
 */
import { join } from "node:path";
import { layerFromConfig } from "../layers/registry.js";
import { InputLayer } from "../layers/input.js";
import type { Layer } from "../layers/layer.js";
import type { SymbolicTensor } from "../layers/symbolic.js";
import { Model } from "./model.js";
import { SequentialModel } from "./sequential.js";
import { applyWeights, FORMAT, formatOf, readJson, type WeightsRef } from "./save.js";
import { loadKerasFile, type LoadModelOptions } from "./keras/load.js";
import { checkOptions, type OptionTable, type WithSnakeCase } from "../options.js";
import type { LossLike } from "../losses/index.js";
import { get as getOptimizer } from "../optimizers/index.js";
import { metricFromConfig, type SavedMetric } from "../metrics/index.js";

type LayerEntry = { className: string; config: Record<string, unknown>; inbound?: [string, number][][] };

/** A metric as the first format saved it: { className, name, threshold } without a config. */
type FirstSavedMetric = { className: string; name: string; threshold?: number };

function savedMetric(entry: SavedMetric | FirstSavedMetric): SavedMetric {
  if (typeof entry === "string" || "config" in entry) return entry;
  return { className: entry.className, config: { name: entry.name, ...(entry.threshold === undefined ? {} : { threshold: entry.threshold }) } };
}

function rebuildSequential(config: Record<string, unknown>, file: string): Model {
  const layers = (config.layers as LayerEntry[] | undefined) ?? [];
  if (!Array.isArray(layers)) throw new Error(`loadModel: ${file} has no layers list`);
  const model = new SequentialModel([], { name: config.name as string | undefined });
  if (Array.isArray(config.inputShape)) model.add(new InputLayer({ shape: config.inputShape as number[] }));
  for (const l of layers) model.add(layerFromConfig(l.className, l.config));
  return model;
}

function rebuildFunctional(config: Record<string, unknown>, file: string): Model {
  const entries = config.layers as LayerEntry[];
  if (!Array.isArray(entries)) throw new Error(`loadModel: ${file} has no layers list`);
  const layers = new Map<string, Layer>();
  const outputsOf = new Map<string, SymbolicTensor[]>();
  for (const e of entries) {
    const layer = layerFromConfig(e.className, e.config);
    layers.set(layer.name, layer);
    outputsOf.set(layer.name, layer instanceof InputLayer ? [layer.output] : []);
  }
  const pending = entries.filter((e) => e.className !== "InputLayer").map((e) => ({ name: e.config.name as string, calls: [...(e.inbound ?? [])] }));
  const resolve = ([name, idx]: [string, number]) => outputsOf.get(name)?.[idx];
  // Apply calls whose inputs exist until none is left (shared layers are called several times).
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of pending) {
      while (p.calls.length > 0) {
        const ins = p.calls[0].map(resolve);
        if (ins.some((t) => t === undefined)) break;
        const layer = layers.get(p.name)!;
        const out = layer.apply(ins.length === 1 ? ins[0]! : (ins as SymbolicTensor[]));
        outputsOf.get(p.name)!.push(out);
        p.calls.shift();
        progress = true;
      }
    }
  }
  const stuck = pending.filter((p) => p.calls.length > 0);
  if (stuck.length) throw new Error(`loadModel: ${file}: cannot connect layers ${stuck.map((p) => p.name).join(", ")} (their inputs are missing)`);
  const ref = (r: [string, number]) => {
    const t = resolve(r);
    if (!t) throw new Error(`loadModel: ${file}: unknown tensor ${r[0]}[${r[1]}]`);
    return t;
  };
  return new Model({ inputs: (config.inputs as [string, number][]).map(ref), outputs: (config.outputs as [string, number][]).map(ref), name: config.name as string });
}

const LOAD_MODEL_OPTIONS: OptionTable<LoadModelOptions> = { compile: true };

/**
 * Loads a whole model: a Keras 3 `.keras` file (written by Keras's `model.save` or tsdl's), or a
 * folder written by tsdl's `model.save(folder)`. Options: `compile` (default true): compile it
 * as it was saved, the optimizer's state included.
 * @example const model = loadModel("mnist.keras"); model.evaluate(xTest, yTest);
 */
export function loadModel(path: string, options?: WithSnakeCase<LoadModelOptions>): Model {
  const o = checkOptions("loadModel", options, LOAD_MODEL_OPTIONS);
  const format = formatOf(path, "loadModel");
  if (format === "keras") return loadKerasFile(path, o);
  if (format === "weights.h5") throw new Error(`loadModel: '${path}' holds only weights; build the model, then model.loadWeights('${path}')`);
  const file = join(path, "model.json");
  const json = readJson(file);
  if (json.format !== FORMAT) throw new Error(`loadModel: ${file} is not a tsdl model (format ${JSON.stringify(json.format)}; expected "${FORMAT}")`);
  const config = json.config as Record<string, unknown>;
  if (!config || typeof config !== "object") throw new Error(`loadModel: ${file} has no architecture config`);
  let model: Model;
  try {
    model = json.className === "Sequential" ? rebuildSequential(config, file) : rebuildFunctional(config, file);
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith("loadModel") ? msg : `loadModel: ${file}: ${msg}`);
  }
  applyWeights(model.weights, json as unknown as WeightsRef, path, file);
  const cc = json.compileConfig as { optimizer: { className: string; config: Record<string, unknown> }; loss: { name: string }[]; metrics: (SavedMetric | FirstSavedMetric)[][] } | null;
  if (cc && o.compile !== false) {
    // The optimizer: same class and hyper-parameters, fresh state.
    const optimizer = getOptimizer(cc.optimizer);
    // A user's own metric class cannot be rebuilt from JSON: the model loads without it.
    const unknown: string[] = [];
    const metrics = cc.metrics.map((list) =>
      list.flatMap((entry) => {
        const saved = savedMetric(entry);
        const metric = metricFromConfig(saved);
        if (metric === null && typeof saved === "object") unknown.push(`'${saved.config.name}' (${saved.className})`);
        return metric === null ? [] : [metric];
      }),
    );
    if (unknown.length) console.warn(`loadModel: ${file}: left out metric ${unknown.join(", ")}, a class tsdl cannot rebuild; compile the model again to use it`);
    model.compile({ optimizer, loss: cc.loss as unknown as LossLike[], metrics });
  }
  return model;
}
