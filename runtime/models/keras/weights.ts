/**
 * `model.weights.h5` (inside a `.keras` file, or alone as `*.weights.h5`) in Keras 3's layout:
 *
 *   layers/<group>/vars          attribute name = the layer's name
 *   layers/<group>/vars/0, /1 …  the layer's weights: trainable first, in creation order (Dense:
 *                                kernel, bias; BatchNormalization: gamma, beta, moving_mean,
 *                                moving_variance)
 *   optimizer/vars               attribute name = the optimizer's name
 *   optimizer/vars/0             iterations (int64 scalar)
 *   optimizer/vars/1             learning rate (float32 scalar)
 *   optimizer/vars/2 …           per trainable weight, in model order, each of the optimizer's
 *                                state tensors in turn (Adam: m, v of the first weight, then …)
 *   vars                         attribute name = the model's name
 *
 * `<group>` is not the layer's name but its class in snake_case, numbered among the layers of
 * that class in `model.layers` order (`dense`, `dense_1`, …), as Keras addresses saved state.
 */
import type { Layer } from "../../layers/layer.js";
import type { Variable } from "../../tensor/variable.js";
import { fromHost } from "../../tensor/create.js";
import type { Optimizer } from "../../optimizers/optimizer.js";
import type { Model } from "../model.js";
import { existsSync, readFileSync } from "node:fs";
import { readH5, type H5Entry } from "./hdf5.js";
import { kerasLayers } from "./graph.js";
import { kerasSnakeCase, optimizerSlotNames, shortestFloat32 } from "./objects.js";

/** Each layer's group name under `layers/`, in the order given. */
export function layerGroups(layers: readonly Layer[]): Map<Layer, string> {
  const used = new Map<string, number>();
  const out = new Map<Layer, string>();
  for (const l of layers) {
    const base = kerasSnakeCase(l.className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    out.set(l, n === undefined ? base : `${base}_${n + 1}`);
  }
  return out;
}

function floats(v: Variable): Float32Array {
  const d = v.data();
  return d instanceof Float32Array ? Float32Array.from(d) : Float32Array.from(d as ArrayLike<number>);
}

/** Initial state values of an optimizer that has not updated a weight yet (Adagrad starts at its initial accumulator). */
function initialSlot(opt: Optimizer, v: Variable): Float32Array {
  const init = opt.className === "Adagrad" ? ((opt.getConfig() as { initialAccumulatorValue?: number }).initialAccumulatorValue ?? 0.1) : 0;
  return new Float32Array(v.size).fill(init);
}

/**
 * The HDF5 entries of a model's weights (and of its optimizer, when compiled). `layers` is the
 * model's layer list in Keras's order.
 */
export function weightsToH5(model: Model, layers: readonly Layer[]): H5Entry[] {
  const entries: H5Entry[] = [{ kind: "group", path: "layers", attrs: {} }];
  for (const [layer, group] of layerGroups(layers)) {
    entries.push({ kind: "group", path: `layers/${group}`, attrs: {} });
    entries.push({ kind: "group", path: `layers/${group}/vars`, attrs: { name: layer.name } });
    layer.weights.forEach((w, i) => entries.push({ kind: "dataset", path: `layers/${group}/vars/${i}`, shape: [...w.shape], dtype: "float32", data: floats(w) }));
  }
  const opt = model.compiled?.optimizer;
  if (opt) {
    entries.push({ kind: "group", path: "optimizer", attrs: {} });
    entries.push({ kind: "group", path: "optimizer/vars", attrs: { name: opt.name } });
    entries.push({ kind: "dataset", path: "optimizer/vars/0", shape: [], dtype: "int64", data: BigInt64Array.from([BigInt(opt.iterations)]) });
    entries.push({ kind: "dataset", path: "optimizer/vars/1", shape: [], dtype: "float32", data: Float32Array.from([opt.learningRate]) });
    // The whole state, its initial values before the first update: Keras builds its optimizer
    // when it compiles a loaded model and skips (with a warning) a saved state of another size.
    let k = 2;
    for (const v of layers.flatMap((l) => l.trainableWeights)) {
      const slots = opt.slotsOf(v);
      for (let s = 0; s < opt.slotsPerVariable; s++) {
        const data = slots ? Float32Array.from(slots[s].data() as Float32Array) : initialSlot(opt, v);
        entries.push({ kind: "dataset", path: `optimizer/vars/${k++}`, shape: [...v.shape], dtype: "float32", data });
      }
    }
  }
  entries.push({ kind: "group", path: "vars", attrs: { name: model.name } });
  return entries;
}

type Dataset = Extract<H5Entry, { kind: "dataset" }>;

/** The datasets `<path>/0`, `<path>/1`, … in number order. */
function numbered(byPath: Map<string, H5Entry>, path: string): Dataset[] {
  const out: Dataset[] = [];
  for (let i = 0; ; i++) {
    const e = byPath.get(`${path}/${i}`);
    if (!e || e.kind !== "dataset") return out;
    out.push(e);
  }
}

function asFloat32(d: Dataset, file: string): Float32Array {
  if (d.dtype === "float32") return d.data as Float32Array;
  if (d.dtype === "float64") return Float32Array.from(d.data as Float64Array);
  throw new Error(`${file}: '${d.path}' holds ${d.dtype} values; weights are float32`);
}

/**
 * Puts the weights an h5 file holds into the layers (Keras's order, which names the groups) and,
 * when `optimizer` is given and the file holds its state, into the optimizer. Every layer's
 * count and shapes are checked first, so a mismatch changes nothing.
 */
export function weightsFromH5(entries: readonly H5Entry[], layers: readonly Layer[], optimizer: Optimizer | null, file: string): void {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const assignments: [Variable, Float32Array][] = [];
  for (const [layer, group] of layerGroups(layers)) {
    const path = `layers/${group}/vars`;
    const saved = numbered(byPath, path);
    const want = layer.weights;
    if (saved.length !== want.length) {
      const savedName = (byPath.get(path) as { attrs?: Record<string, unknown> } | undefined)?.attrs?.name;
      const where = byPath.has(path) ? `${path}${savedName ? ` (saved from layer '${savedName}')` : ""} holds ${saved.length}` : `there is no ${path}`;
      throw new Error(`${file}: layer '${layer.name}' (${layer.className}) has ${want.length} weights (${want.map((w) => `${w.name} [${w.shape.join(", ")}]`).join(", ") || "none"}); ${where}`);
    }
    saved.forEach((d, i) => {
      const v = want[i];
      if (d.shape.length !== v.shape.length || d.shape.some((n, k) => n !== v.shape[k])) {
        throw new Error(`${file}: '${d.path}' has shape [${d.shape.join(", ")}]; layer '${layer.name}' expects [${v.shape.join(", ")}] for ${v.name}`);
      }
      assignments.push([v, asFloat32(d, file)]);
    });
  }
  for (const [v, data] of assignments) v.assign(fromHost(data, [...v.shape], "float32"));
  if (optimizer) optimizerFromH5(byPath, layers, optimizer, file);
}

/** The optimizer's iterations, learning rate and state, when the file holds them for this model. */
function optimizerFromH5(byPath: Map<string, H5Entry>, layers: readonly Layer[], opt: Optimizer, file: string): void {
  const saved = numbered(byPath, "optimizer/vars");
  if (saved.length < 2) return;
  const vars = layers.flatMap((l) => l.trainableWeights);
  const per = opt.slotsPerVariable;
  const stateCount = saved.length - 2;
  if (stateCount !== 0 && stateCount !== per * vars.length) {
    // What Keras does too: the weights load, the optimizer starts fresh, and a warning says so.
    console.warn(`${file}: the saved optimizer holds ${saved.length} variables; ${opt.className} over this model keeps ${2 + per * vars.length} (${optimizerSlotNames(opt).join(", ") || "no state"} per trainable weight): its state is not loaded`);
    return;
  }
  const it = saved[0].data[0];
  opt.iterations = Number(it);
  opt.learningRate = shortestFloat32(Number(saved[1].data[0]));
  if (stateCount === 0) return;
  let k = 2;
  for (const v of vars) {
    const slots = [];
    for (let s = 0; s < per; s++) {
      const d = saved[k++];
      if (d.shape.length !== v.shape.length || d.shape.some((n, i) => n !== v.shape[i])) {
        throw new Error(`${file}: '${d.path}' has shape [${d.shape.join(", ")}]; the optimizer's state for ${v.name} is [${v.shape.join(", ")}]`);
      }
      slots.push(fromHost(asFloat32(d, file), [...v.shape], "float32"));
    }
    opt.setSlots(v, slots);
  }
}

/** model.loadWeights("m.weights.h5"): a file Keras's save_weights or tsdl's saveWeights wrote. @internal */
export function loadWeightsH5(model: Model, path: string): void {
  if (!model.built) throw new Error(`${model.name}: loadWeights() needs a built model (give an input shape, or fit/predict once)`);
  if (!existsSync(path)) throw new Error(`loadWeights: ${path} does not exist`);
  const entries = readH5(readFileSync(path), path);
  weightsFromH5(entries, kerasLayers(model), model.compiled?.optimizer ?? null, path);
}
