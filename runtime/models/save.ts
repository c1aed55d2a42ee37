/**
 * Saving and loading whole models and weights.
 *
 * `model.save(dir)` writes two files into the folder `dir`:
 *   model.json  — format, class name, architecture config, compile settings, and the weights
 *                 manifest (name, shape, byte offset of each weight);
 *   weights.bin — every weight as little-endian float32, concatenated in manifest order.
 * Each file is written to a temporary name then renamed, so a crash never leaves a half-written
 * file under the real name. `saveWeights(dir)` writes weights.bin plus weights.json (the manifest).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { fromHost } from "../tensor/create.js";
import type { Variable } from "../tensor/variable.js";
import type { Model } from "./model.js";

export const FORMAT = "tsdl-model";
export const FORMAT_VERSION = 1;

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: "float32";
  /** Byte offset in weights.bin. */
  offset: number;
}

/** Writes `data` to `path` atomically (temporary file in the same folder, then rename). */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function packWeights(vars: Variable[]): { manifest: WeightEntry[]; bytes: Uint8Array } {
  const total = vars.reduce((n, v) => n + v.size, 0);
  const all = new Float32Array(total);
  const manifest: WeightEntry[] = [];
  let at = 0;
  for (const v of vars) {
    const data = v.dtype === "float32" ? (v.data() as Float32Array) : Float32Array.from(v.data() as ArrayLike<number>);
    all.set(data, at);
    manifest.push({ name: v.name, shape: [...v.shape], dtype: "float32", offset: at * 4 });
    at += v.size;
  }
  // Float32Array is little-endian on every platform Node runs on (x86-64, arm64).
  return { manifest, bytes: new Uint8Array(all.buffer) };
}

function prepareDir(path: string, what: string): void {
  if (existsSync(path) && !statSync(path).isDirectory()) throw new Error(`${what}: '${path}' exists and is not a folder`);
  mkdirSync(path, { recursive: true });
}

/** model.save(path). @internal */
export function saveModel(model: Model, path: string): void {
  if (!model.built) throw new Error(`${model.name}: save() needs a built model (give an input shape, or fit/predict once)`);
  prepareDir(path, "save");
  const { manifest, bytes } = packWeights(model.weights);
  writeAtomic(join(path, "weights.bin"), bytes);
  const json = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    className: model.className,
    config: model.getConfig(),
    compileConfig: model.compiled?.config ?? null,
    weights: manifest,
    weightsFile: "weights.bin",
    weightsBytes: bytes.length,
  };
  writeAtomic(join(path, "model.json"), JSON.stringify(json, null, 1));
}

/** model.saveWeights(path). @internal */
export function saveWeightsTo(model: Model, path: string): void {
  if (!model.built) throw new Error(`${model.name}: saveWeights() needs a built model`);
  prepareDir(path, "saveWeights");
  const { manifest, bytes } = packWeights(model.weights);
  writeAtomic(join(path, "weights.bin"), bytes);
  writeAtomic(join(path, "weights.json"), JSON.stringify({ format: FORMAT + "-weights", formatVersion: FORMAT_VERSION, weights: manifest, weightsBytes: bytes.length }, null, 1));
}

/** Reads and checks a JSON file, naming it in every error. */
export function readJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new Error(`loadModel: ${file} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`loadModel: ${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!parsed || typeof parsed !== "object") throw new Error(`loadModel: ${file} does not hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/** Reads weights.bin against a manifest into the variables (same order, names and shapes). @internal */
export function applyWeights(vars: Variable[], manifest: WeightEntry[], binFile: string, expectBytes: number | undefined): void {
  if (!existsSync(binFile)) throw new Error(`loadWeights: ${binFile} does not exist`);
  const buf = readFileSync(binFile);
  if (expectBytes !== undefined && buf.length !== expectBytes) {
    throw new Error(`loadWeights: ${binFile} holds ${buf.length} bytes; its manifest says ${expectBytes} (truncated or corrupt file)`);
  }
  if (!Array.isArray(manifest)) throw new Error(`loadWeights: the manifest for ${binFile} has no weights list`);
  if (manifest.length !== vars.length) {
    throw new Error(`loadWeights: ${binFile} holds ${manifest.length} weights; the model has ${vars.length}`);
  }
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  vars.forEach((v, i) => {
    const e = manifest[i];
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.shape.length !== v.shape.length || e.shape.some((d, k) => d !== v.shape[k])) {
      throw new Error(`loadWeights: weight ${i} ('${e.name}') in ${binFile} has shape [${e.shape.join(", ")}]; the model's '${v.name}' has [${v.shape.join(", ")}]`);
    }
    if (e.offset + size * 4 > bytes.length) throw new Error(`loadWeights: ${binFile} is truncated: '${e.name}' ends at byte ${e.offset + size * 4} of ${bytes.length}`);
    const copy = new Float32Array(size);
    new Uint8Array(copy.buffer).set(bytes.subarray(e.offset, e.offset + size * 4));
    v.assign(fromHost(copy, e.shape, "float32"));
  });
}

/** model.loadWeights(path): a folder from saveWeights() or save(). @internal */
export function loadWeightsFrom(model: Model, path: string): void {
  const manifestFile = existsSync(join(path, "weights.json")) ? join(path, "weights.json") : join(path, "model.json");
  const json = readJson(manifestFile);
  applyWeights(model.weights, json.weights as WeightEntry[], join(path, "weights.bin"), json.weightsBytes as number | undefined);
}
