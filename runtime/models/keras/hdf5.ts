/**
 * HDF5 for Keras 3's `model.weights.h5`, through h5wasm (libhdf5 compiled to WebAssembly, an npm
 * dependency), called synchronously.
 *
 * Why a worker: `model.save()` and `loadModel()` are synchronous, as in Keras (ModelCheckpoint
 * saves from inside fit, a script reads a model on one line), but h5wasm initializes its
 * WebAssembly module asynchronously. So the HDF5 work runs in a worker thread, started on first
 * use (h5wasm loads there once, ~0.5 s) and kept for the process's later calls; the calling thread
 * posts a request and blocks on an Atomics.wait until the worker has answered, then takes the
 * answer with receiveMessageOnPort. The worker is unref'd: it never keeps a process alive.
 *
 * Why bytes in and out: h5wasm's Node build reads and writes the host file system (Emscripten's
 * NODERAWFS), but a `.keras` file holds the HDF5 file inside a zip, and every file the runtime
 * writes goes through writeFileAtomic. So the worker writes an HDF5 file to a private temporary
 * folder and returns its bytes, and reads bytes it is given the same way; the caller does the
 * real file I/O. HDF5's own error stack is turned into exceptions (h5wasm's throwing error
 * handler), so nothing is printed to the process's stderr.
 *
 * The worker's code is a string run with `eval: true`: the runtime runs from TypeScript sources
 * under vitest, from dist/ and from a bundle, and a worker file path would differ in each.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The element types Keras's weights use (float32 weights, the optimizer's int64 iteration count). */
export type H5Dtype = "float32" | "float64" | "int32" | "int64" | "uint8";
export type H5Array = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** A group (with its string or number attributes) or a dataset, by its path from the root ("" is the root). */
export type H5Entry =
  | { kind: "group"; path: string; attrs: Record<string, string | number> }
  | { kind: "dataset"; path: string; shape: number[]; dtype: H5Dtype; data: H5Array };

/** The 8-byte signature every HDF5 file starts with (at offset 0 for files Keras and h5py write). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

const WORKER_SOURCE = String.raw`
const { workerData } = require("node:worker_threads");
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { port, signal, h5wasmUrl } = workerData;
const TYPES = { float32: "<f", float64: "<d", int32: "<i", int64: "<q", uint8: "|u1" };
const NAMES = { "<f": "float32", "<d": "float64", "<i": "int32", "<q": "int64", "|u1": "uint8", "<B": "uint8" };
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array };
let h5 = null;
async function load() {
  if (h5) return h5;
  const mod = await import(h5wasmUrl);
  const Module = await mod.ready;
  Module.activate_throwing_error_handler();
  h5 = mod;
  return h5;
}
function scratch(fn) {
  const dir = mkdtempSync(join(tmpdir(), "tsdl-h5-"));
  try { return fn(join(dir, "file.h5")); } finally { rmSync(dir, { recursive: true, force: true }); }
}
function group(file, path) {
  let g = file;
  for (const part of path.split("/").filter(Boolean)) {
    g = g.keys().includes(part) ? g.get(part) : g.create_group(part);
    if (!g || g.type !== "Group") throw new Error("'" + path + "' is not a group");
  }
  return g;
}
function write(entries) {
  return scratch((tmp) => {
    const f = new h5.File(tmp, "w");
    try {
      for (const e of entries) {
        if (e.kind === "group") {
          const g = group(f, e.path);
          for (const [k, v] of Object.entries(e.attrs)) g.create_attribute(k, v);
        } else {
          const cut = e.path.lastIndexOf("/");
          const parent = group(f, cut < 0 ? "" : e.path.slice(0, cut));
          parent.create_dataset({ name: e.path.slice(cut + 1), data: e.data, shape: e.shape, dtype: TYPES[e.dtype] });
        }
      }
    } finally { f.close(); }
    return new Uint8Array(readFileSync(tmp));
  });
}
function attrsOf(obj) {
  const out = {};
  for (const [k, a] of Object.entries(obj.attrs)) {
    const v = a.value;
    if (typeof v === "string" || typeof v === "number") out[k] = v;
    else if (typeof v === "bigint") out[k] = Number(v);
  }
  return out;
}
function read(bytes) {
  return scratch((tmp) => {
    writeFileSync(tmp, bytes);
    const f = new h5.File(tmp, "r");
    const out = [];
    const visit = (g, path) => {
      out.push({ kind: "group", path, attrs: attrsOf(g) });
      for (const key of g.keys()) {
        const child = g.get(key);
        const p = path ? path + "/" + key : key;
        if (child && child.type === "Group") visit(child, p);
        else if (child && child.type === "Dataset") {
          const dtype = NAMES[child.dtype];
          if (!dtype) throw new Error("dataset '" + p + "' has element type " + JSON.stringify(child.dtype) + "; tsdl reads float32, float64, int32, int64 and uint8");
          let data = child.value;
          if (!ArrayBuffer.isView(data)) data = ARRAYS[dtype].from([data]);
          out.push({ kind: "dataset", path: p, shape: child.shape, dtype, data });
        }
      }
    };
    try { visit(f, ""); } finally { f.close(); }
    return out;
  });
}
port.on("message", async (req) => {
  let answer;
  try {
    await load();
    answer = { ok: true, value: req.op === "write" ? write(req.entries) : read(req.bytes) };
  } catch (e) {
    answer = { ok: false, message: e && e.message ? e.message : String(e) };
  }
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

/** Where h5wasm's Node build is, from this module's folder up (the runtime may run from sources, dist or a bundle). */
function h5wasmEntry(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths("h5wasm") ?? []) {
    const file = join(dir, "h5wasm", "dist", "node", "hdf5_hl.js");
    if (existsSync(file)) return pathToFileURL(file).href;
  }
  throw new Error("the npm package h5wasm (tsdl's HDF5 library) is not installed next to tsdl; reinstall tsdl's dependencies (npm ci)");
}

interface Bridge {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
}

let bridge: Bridge | null = null;

function start(): Bridge {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, signal, h5wasmUrl: h5wasmEntry() }, transferList: [port2] });
  worker.unref();
  port1.unref();
  // A worker that dies is replaced on the next call (its error is the caller's when it was waiting).
  worker.on("error", () => {
    if (bridge?.worker === worker) bridge = null;
  });
  worker.on("exit", () => {
    if (bridge?.worker === worker) bridge = null;
  });
  return { worker, port: port1, signal };
}

/** Seconds a call may take (h5wasm's first load included) before it is given up. */
const TIMEOUT_S = 120;

function call<T>(request: Record<string, unknown>, what: string): T {
  const b = (bridge ??= start());
  Atomics.store(b.signal, 0, 0);
  b.port.postMessage(request);
  const waited = Atomics.wait(b.signal, 0, 0, TIMEOUT_S * 1000);
  const message = receiveMessageOnPort(b.port)?.message as { ok: boolean; value?: T; message?: string } | undefined;
  if (!message) {
    void b.worker.terminate();
    bridge = null;
    throw new Error(`${what}: the HDF5 worker ${waited === "timed-out" ? `did not answer within ${TIMEOUT_S} s` : "stopped without answering"}`);
  }
  if (!message.ok) throw new Error(`${what}: ${message.message}`);
  return message.value as T;
}

/**
 * An HDF5 file's bytes holding these groups and datasets (parents are created as needed).
 * @example writeH5([{ kind: "group", path: "vars", attrs: { name: "sequential" } }])
 */
export function writeH5(entries: readonly H5Entry[], what = "HDF5"): Uint8Array {
  return call<Uint8Array>({ op: "write", entries }, what);
}

/**
 * Every group and dataset in an HDF5 file's bytes, parents before children. `file` names it in errors.
 * @example readH5(readFileSync("m.weights.h5"), "m.weights.h5")
 */
export function readH5(bytes: Uint8Array, file: string): H5Entry[] {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error(`${file} is not an HDF5 file (it does not start with HDF5's signature)`);
  return call<H5Entry[]>({ op: "read", bytes }, file);
}
