/**
 * Saving and loading whole models and weights.
 *
 * `model.save(dir)` writes two files into the folder `dir`:
 *   model.json            — format, class name, architecture config, compile settings, and the
 *                           weights manifest (name, shape, byte offset of each weight), naming
 *                           the weights file and its SHA-256;
 *   weights-<hash>.bin    — every weight as little-endian float32, concatenated in manifest
 *                           order; <hash> is the first 16 hex digits of the file's SHA-256.
 * `saveWeights(dir)` writes the same weights file with weights.json (the manifest alone).
 *
 * Why the weights file is named by its content: the two files must stay a pair. Renaming each
 * into place atomically is not enough — a crash between the two renames would pair the old
 * model.json with the new weights. So the new weights go under a new name first (whole, via a
 * temporary file), then model.json is replaced in one rename (the moment the save happens),
 * and only then are weights files that no manifest names any more removed. Killed at any
 * point, the folder holds the old pair or the new one (plus, at worst, an unused weights file
 * or a temporary file, removed by the next save). Loading checks the weights file against the
 * SHA-256 in its manifest, so a damaged file is an error that names it, never wrong weights.
 * (A folder swap would give the same guarantee but would also replace anything else a person
 * keeps in that folder.)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fsyncDir, removeStaleTemps, writeFileAtomic } from "../atomicFile.js";
import { fromHost } from "../tensor/create.js";
import type { Variable } from "../tensor/variable.js";
import type { Model } from "./model.js";
import { saveKerasFile, saveWeightsH5 } from "./keras/save.js";
import { loadWeightsH5 } from "./keras/weights.js";

export const FORMAT = "tsdl-model";
export const FORMAT_VERSION = 1;

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: "float32";
  /** Byte offset in the weights file. */
  offset: number;
}

/** What a manifest (model.json or weights.json) says about its weights file. */
export interface WeightsRef {
  weights: WeightEntry[];
  /** The weights file's name in the folder ("weights.bin" in folders saved before the hash names). */
  weightsFile?: string;
  weightsBytes?: number;
  /** SHA-256 (hex) of the weights file; absent in folders saved before it was recorded. */
  weightsSha256?: string;
}

/** The manifests a folder may hold; every weights file they name is kept. */
const MANIFESTS = ["model.json", "weights.json"];
/** Weights files this module writes (and may remove once no manifest names them). */
const WEIGHTS_FILE = /^weights(-[0-9a-f]{16})?\.bin$/;

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

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function prepareDir(path: string, what: string): void {
  if (existsSync(path) && !statSync(path).isDirectory()) throw new Error(`${what}: '${path}' exists and is not a folder`);
  mkdirSync(path, { recursive: true });
}

/** The weights file a manifest in `dir` names, or null (no such manifest, or unreadable). */
function namedWeightsFile(dir: string, manifest: string): string | null {
  try {
    const json = JSON.parse(readFileSync(join(dir, manifest), "utf8")) as WeightsRef;
    return json.weightsFile ?? "weights.bin";
  } catch {
    return null;
  }
}

/**
 * Writes one save into `dir`: the weights file under its content name, then the manifest, then
 * removes what no manifest needs (see the header for why in this order).
 */
function writeSave(dir: string, manifestName: string, model: Model, fields: (ref: WeightsRef) => Record<string, unknown>): void {
  removeStaleTemps(dir, "tmp", ["model.json.", "weights.json.", "weights-", "weights.bin."]);
  const { manifest, bytes } = packWeights(model.weights);
  const digest = sha256(bytes);
  const weightsFile = `weights-${digest.slice(0, 16)}.bin`;
  writeFileAtomic(join(dir, weightsFile), bytes);
  // The weights file's name must be on disk before a manifest naming it replaces the old one.
  fsyncDir(dir);
  const ref: WeightsRef = { weights: manifest, weightsFile, weightsBytes: bytes.length, weightsSha256: digest };
  writeFileAtomic(join(dir, manifestName), JSON.stringify(fields(ref), null, 1));
  // The new manifest must be on disk before the old weights go, or a power cut could leave a
  // manifest that names a removed file.
  fsyncDir(dir);
  const keep = new Set(MANIFESTS.map((m) => namedWeightsFile(dir, m)));
  for (const name of readdirSync(dir)) {
    if (WEIGHTS_FILE.test(name) && !keep.has(name)) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Which format a path asks for: Keras 3's `.keras` zip, Keras 3's `.weights.h5`, or tsdl's folder.
 * A plain `.h5` is Keras 2's legacy format, which tsdl neither writes nor reads. @internal
 */
export function formatOf(path: string, what: string): "keras" | "weights.h5" | "folder" {
  if (typeof path !== "string" || path === "") throw new Error(`${what}: expected a path, received ${JSON.stringify(path)}`);
  if (/\.keras$/i.test(path)) return "keras";
  if (/\.weights\.h5$/i.test(path)) return "weights.h5";
  if (/\.(h5|hdf5)$/i.test(path)) {
    throw new Error(`${what}: '${path}' names a legacy Keras 2 HDF5 file, which tsdl does not read or write; use a '.keras' file (the whole model), '.weights.h5' (weights only) or a folder (tsdl's own format)`);
  }
  return "folder";
}

/** model.save(path). @internal */
export function saveModel(model: Model, path: string): void {
  const format = formatOf(path, "save");
  if (format === "keras") return saveKerasFile(model, path);
  if (format === "weights.h5") throw new Error(`save: '${path}' names a weights file; use saveWeights() for '.weights.h5', or save the whole model as '.keras'`);
  if (!model.built) throw new Error(`${model.name}: save() needs a built model (give an input shape, or fit/predict once)`);
  prepareDir(path, "save");
  writeSave(path, "model.json", model, (ref) => ({
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    className: model.className,
    config: model.getConfig(),
    compileConfig: model.compiled?.config ?? null,
    ...ref,
  }));
}

/** model.saveWeights(path). @internal */
export function saveWeightsTo(model: Model, path: string): void {
  const format = formatOf(path, "saveWeights");
  if (format === "weights.h5") return saveWeightsH5(model, path);
  if (format === "keras") throw new Error(`saveWeights: '${path}' names a whole-model file; use save() for '.keras', or saveWeights('….weights.h5')`);
  if (!model.built) throw new Error(`${model.name}: saveWeights() needs a built model`);
  prepareDir(path, "saveWeights");
  writeSave(path, "weights.json", model, (ref) => ({ format: FORMAT + "-weights", formatVersion: FORMAT_VERSION, ...ref }));
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

/**
 * Reads the weights file that the manifest `json` (read from `manifestFile` in `dir`) names into
 * the variables (same order, names and shapes), after checking its length and SHA-256. @internal
 */
export function applyWeights(vars: Variable[], json: WeightsRef, dir: string, manifestFile: string): void {
  const name = json.weightsFile ?? "weights.bin";
  if (typeof name !== "string" || !WEIGHTS_FILE.test(name)) {
    throw new Error(`loadWeights: ${manifestFile} names the weights file ${JSON.stringify(name)}; expected weights-<hash>.bin or weights.bin in the same folder`);
  }
  const binFile = join(dir, name);
  if (!existsSync(binFile)) throw new Error(`loadWeights: ${binFile} does not exist (${manifestFile} names it)`);
  const buf = readFileSync(binFile);
  if (json.weightsBytes !== undefined && buf.length !== json.weightsBytes) {
    throw new Error(`loadWeights: ${binFile} holds ${buf.length} bytes; its manifest says ${json.weightsBytes} (truncated or corrupt file)`);
  }
  if (json.weightsSha256 !== undefined && sha256(buf) !== json.weightsSha256) {
    throw new Error(`loadWeights: ${binFile} does not match the SHA-256 that ${manifestFile} records (corrupt file)`);
  }
  const manifest = json.weights;
  if (!Array.isArray(manifest)) throw new Error(`loadWeights: ${manifestFile} has no weights list`);
  if (manifest.length !== vars.length) {
    throw new Error(`loadWeights: ${binFile} holds ${manifest.length} weights; the model has ${vars.length}`);
  }
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  // Weights are matched by name when the names pair them one to one: a functional model's layers
  // were listed in another order before they followed Keras's, and such folders still load.
  const names = vars.map((v) => v.name);
  const byName = new Set(names).size === names.length && manifest.every((e) => names.includes(e.name)) ? new Map(manifest.map((e) => [e.name, e])) : null;
  vars.forEach((v, i) => {
    const e = byName?.get(v.name) ?? manifest[i];
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
  const format = formatOf(path, "loadWeights");
  if (format === "weights.h5") return loadWeightsH5(model, path);
  if (format === "keras") throw new Error(`loadWeights: '${path}' is a whole model; load it with models.loadModel('${path}')`);
  // A folder may hold both manifests (saveWeights, then save, or the other way round): the one
  // written last names the newest weights.
  const [manifestFile] = MANIFESTS.map((m) => join(path, m))
    .filter((f) => existsSync(f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!manifestFile) throw new Error(`loadWeights: ${path} holds neither model.json nor weights.json`);
  applyWeights(model.weights, readJson(manifestFile) as unknown as WeightsRef, path, manifestFile);
}
