/**
 * A model's architecture as Keras 3's `config.json` holds it, both ways: a Sequential's list of
 * layer configs, or a functional model's layers with their `inbound_nodes` (each call's input
 * tensors as `__keras_tensor__` entries whose `keras_history` is [layer, node, tensor]) and its
 * `input_layers` / `output_layers`.
 *
 * The order of a functional model's layers matters beyond looks: `model.weights.h5` names each
 * layer's group by its class and its rank among the layers of that class (`dense`, `dense_1`,
 * …) in `model.layers` order, which Keras computes from the graph (ops/function.py, map_graph:
 * deepest first, ties in the order a depth-first walk from the outputs meets them). keras
 * Order() reproduces it, so a file tsdl writes puts each weight where Keras will look for it.
 */
import type { Layer } from "../../layers/layer.js";
import { InputLayer } from "../../layers/input.js";
import type { SymbolicTensor, Shape } from "../../layers/symbolic.js";
import type { Model } from "../model.js";

/** The parts of a functional model's graph the format needs. */
export interface GraphView {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Layer calls in an order where each call's inputs come first. */
  order: SymbolicTensor[];
}

/** The model's graph (Model keeps it protected; the file format is a friend of the class). */
export function graphOf(model: Model): GraphView {
  const g = (model as unknown as { graph: GraphView | null }).graph;
  if (!g) throw new Error(`${model.name}: the model is not built`);
  return g;
}

/** The call's index among the calls of its layer that belong to this model (Keras numbers them so). */
export function nodeIndex(t: SymbolicTensor, g: GraphView): number {
  const layer = t.node.layer;
  if (layer instanceof InputLayer) return 0;
  return layer.inboundNodes.filter((n) => n === t || g.order.includes(n)).indexOf(t);
}

/**
 * The model's layers in Keras's `model.layers` order for the same graph (inputs included, as
 * Keras lists them for a functional model).
 */
export function kerasOrder(g: GraphView): Layer[] {
  const finished = new Set<SymbolicTensor>();
  const inProgress = new Set<SymbolicTensor>();
  const nodesInDecreasingDepth: SymbolicTensor[] = [];
  const opIndex = new Map<Layer, number>();
  const isInput = (t: SymbolicTensor) => t.node.layer instanceof InputLayer;
  const visit = (t: SymbolicTensor): void => {
    if (finished.has(t)) return;
    if (inProgress.has(t)) throw new Error(`the graph has a cycle at '${t.name}'`);
    if (!opIndex.has(t.node.layer)) opIndex.set(t.node.layer, opIndex.size);
    inProgress.add(t);
    if (!isInput(t)) for (const i of t.node.inputs) visit(i);
    finished.add(t);
    inProgress.delete(t);
    nodesInDecreasingDepth.push(t);
  };
  for (const o of g.outputs) visit(o);
  const inGraph = new Set(nodesInDecreasingDepth);
  const nodeDepth = new Map<SymbolicTensor, number>();
  const opDepth = new Map<Layer, number>();
  for (const node of [...nodesInDecreasingDepth].reverse()) {
    if (!nodeDepth.has(node)) nodeDepth.set(node, 0);
    const depth = Math.max(nodeDepth.get(node)!, opDepth.get(node.node.layer) ?? 0);
    opDepth.set(node.node.layer, depth);
    nodeDepth.set(node, depth);
    if (isInput(node)) continue;
    for (const parent of node.node.inputs) {
      if (!inGraph.has(parent)) continue;
      nodeDepth.set(parent, Math.max(depth + 1, nodeDepth.get(parent) ?? 0));
    }
  }
  for (const i of g.inputs) {
    if (!opDepth.has(i.node.layer)) {
      opDepth.set(i.node.layer, 0);
      opIndex.set(i.node.layer, -1);
    }
  }
  const depths = [...new Set(opDepth.values())].sort((a, b) => b - a);
  const layers: Layer[] = [];
  for (const d of depths) {
    const ops = [...opDepth.entries()].filter(([, v]) => v === d).map(([l]) => l);
    ops.sort((a, b) => opIndex.get(a)! - opIndex.get(b)!);
    layers.push(...ops);
  }
  return layers;
}

/** The model's layers in Keras's `model.layers` order (a Sequential's without its input). */
export function kerasLayers(model: Model): Layer[] {
  return model.className === "Sequential" ? model.layers : kerasOrder(graphOf(model));
}

/** A Keras tensor entry of inbound_nodes / the model's inputs and outputs. */
function kerasTensor(t: SymbolicTensor, g: GraphView): Record<string, unknown> {
  return { class_name: "__keras_tensor__", config: { shape: [...t.shape], dtype: "float32", keras_history: [t.node.layer.name, nodeIndex(t, g), 0] } };
}

/** The calls of `layer` in this graph, in Keras's node order. */
export function callsOf(layer: Layer, g: GraphView): SymbolicTensor[] {
  if (layer instanceof InputLayer) return [];
  return layer.inboundNodes.filter((n) => g.order.includes(n));
}

/** The input shape(s) a layer was built for (its first call's), for Keras's build_config. */
export function buildShape(call: SymbolicTensor): Shape | Shape[] {
  const ins = call.node.inputs;
  return ins.length === 1 ? [...ins[0].shape] : ins.map((i) => [...i.shape]);
}

/** `inbound_nodes` of a layer of a functional model. */
export function inboundNodes(layer: Layer, g: GraphView): Record<string, unknown>[] {
  return callsOf(layer, g).map((call) => {
    const ins = call.node.inputs.map((i) => kerasTensor(i, g));
    return { args: [ins.length === 1 ? ins[0] : ins], kwargs: {} };
  });
}

/** `input_layers` / `output_layers`: [layer name, node index, tensor index] per tensor. */
export function tensorRefs(ts: SymbolicTensor[], g: GraphView): [string, number, number][] {
  return ts.map((t) => [t.node.layer.name, nodeIndex(t, g), 0]);
}

/** One keras_history reference read from a file: [layer, node, tensor]. */
export type KerasRef = [string, number, number];

/** Reads a `__keras_tensor__` entry (or a bare [layer, node, tensor] triple) into its reference. */
export function readRef(v: unknown, owner: string): KerasRef {
  const history = (v as { config?: { keras_history?: unknown } })?.config?.keras_history ?? v;
  if (!Array.isArray(history) || typeof history[0] !== "string" || typeof history[1] !== "number") {
    throw new Error(`${owner}: an input ${JSON.stringify(v)} is not a Keras tensor reference`);
  }
  return [history[0], history[1], typeof history[2] === "number" ? history[2] : 0];
}

/** `input_layers` / `output_layers` as a list of references (Keras writes one triple, a list, or a dict). */
export function readRefList(v: unknown, owner: string): KerasRef[] {
  if (Array.isArray(v) && v.length === 3 && typeof v[0] === "string") return [readRef(v, owner)];
  if (Array.isArray(v)) return v.map((x) => readRef(x, owner));
  if (v && typeof v === "object") return Object.values(v).map((x) => readRef(x, owner));
  throw new Error(`${owner}: cannot read ${JSON.stringify(v)} as the model's inputs or outputs`);
}
