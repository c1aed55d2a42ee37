/**
 * Keras 3 (on tensorflow-cpu, in the scratch venv of bench/lib/keras.ts) as the tests' reference:
 * one Python process per test file, given a JSON spec and answering a JSON result, so TensorFlow
 * is imported once per file (~5–8 s here) however many cases the file checks.
 *
 * The first call on a fresh machine installs the venv (about two minutes; a lock makes
 * concurrent test files wait for one install): call it from a beforeAll with a long timeout.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kerasPython } from "../../bench/lib/keras.js";

/** A folder for one test file's exchange with Keras, removed by `done()`. */
export function kerasWorkDir(prefix: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `tsdl-${prefix}-`));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs `test/keras/<script>` with the venv's python on `spec` (written as spec.json into `dir`,
 * where the script also finds and leaves files) and returns what it wrote to result.json.
 * Throws with Python's stderr when the script fails.
 */
export function runKeras<T = Record<string, unknown>>(script: string, dir: string, spec: unknown, timeoutMs = 300_000): T {
  const python = kerasPython();
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
  const path = fileURLToPath(new URL(`../keras/${script}`, import.meta.url));
  const r = spawnSync(python, [path, dir], {
    encoding: "utf8",
    timeout: timeoutMs,
    // No TensorFlow chatter; oneDNN's reordered sums off, so float32 results do not depend on the
    // machine's thread count (a difference at the 1e-7 level, but it would move from run to run).
    // COLUMNS and LINES left out: Keras sizes summary() by the terminal, and with no terminal
    // (a notebook, a pipe) by Python's fallback of 80 columns, which is what tsdl matches.
    env: { ...withoutTerminalSize(process.env), TF_CPP_MIN_LOG_LEVEL: "3", TF_ENABLE_ONEDNN_OPTS: "0", KERAS_BACKEND: "tensorflow", PYTHONHASHSEED: "0", CUDA_VISIBLE_DEVICES: "" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${script} failed (status ${r.status}${r.signal ? `, signal ${r.signal}` : ""}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as T;
}

function withoutTerminalSize(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { COLUMNS: _c, LINES: _l, ...rest } = env;
  return rest;
}

/** Largest |a − b| / max(|b|, floor) over two nested arrays of numbers; throws when their shapes differ. */
export function maxRelDiff(a: unknown, b: unknown, floor = 1e-3): number {
  const fa = flat(a);
  const fb = flat(b);
  if (fa.length !== fb.length) throw new Error(`arrays of ${fa.length} and ${fb.length} numbers`);
  let worst = 0;
  for (let i = 0; i < fa.length; i++) {
    if (Number.isNaN(fa[i]) && Number.isNaN(fb[i])) continue;
    worst = Math.max(worst, Math.abs(fa[i] - fb[i]) / Math.max(Math.abs(fb[i]), floor));
  }
  return worst;
}

function flat(x: unknown): number[] {
  if (typeof x === "number") return [x];
  if (x === null) return [NaN];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.flatMap(flat);
  throw new Error(`not a number array: ${JSON.stringify(x)?.slice(0, 80)}`);
}
