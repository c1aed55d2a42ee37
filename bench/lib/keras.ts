/**
 * Keras 3 on tensorflow-cpu, the reference for Keras behaviour and a peer in benchmarks: installed
 * on first use into a scratch venv, .bench/keras-venv (never a dependency of tsdl), from the local
 * wheel index that this machine kind's image carries. pip's default index is out of reach here and
 * pip would wait on it, so the index comes from `pip config list` and is passed as --index-url.
 *
 * Tests and benchmarks share the venv; a second process that finds the install in progress waits
 * for it (a lock folder) instead of installing twice.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const TENSORFLOW_VERSION = "2.21.0";

/** The project's root: the nearest folder above this module whose package.json is tsdl's (this
 * module runs from bench/lib in tests and from dist/bench/lib in benchmarks). */
function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === "tsdl") return dir;
    } catch {}
  }
  throw new Error(`no tsdl package.json above ${fileURLToPath(import.meta.url)}`);
}

const VENV = join(projectRoot(), ".bench", "keras-venv");
const PYTHON = join(VENV, "bin", "python");
const READY = join(VENV, ".tsdl-installed");
const LOCK = `${VENV}.lock`;

/** The local indexes named by `pip config list` (index-url, extra-index-url, find-links) as pip arguments. */
function localIndexArguments(): string[] {
  const r = spawnSync("pip", ["config", "list"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pip config list failed: ${r.stderr}`);
  const settings = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^[^.]*\.([a-z-]+)='(.*)'$/.exec(line.trim());
    if (m) settings.set(m[1], m[2]);
  }
  const indexes = [settings.get("index-url"), ...(settings.get("extra-index-url") ?? "").split(/\s+/)].filter((s): s is string => !!s);
  if (indexes.length === 0) throw new Error("pip config list names no package index: Keras cannot be installed offline here");
  const args = ["--index-url", indexes[0], ...indexes.slice(1).flatMap((i) => ["--extra-index-url", i])];
  const links = settings.get("find-links");
  if (links) args.push("--find-links", links);
  return args;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The venv's python, with tensorflow-cpu and Keras 3 importable; installs them once (about two
 * minutes). Throws with pip's output when the install fails.
 * @example spawnSync(kerasPython(), ["-c", "import keras; print(keras.__version__)"])
 */
export function kerasPython(): string {
  if (existsSync(READY)) return PYTHON;
  mkdirSync(join(VENV, ".."), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another process installs: wait for it, unless its lock is older than 15 minutes (it died).
      if (existsSync(READY)) return PYTHON;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 15 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {}
      sleep(1000);
    }
  }
  try {
    if (existsSync(READY)) return PYTHON;
    console.error(`installing tensorflow-cpu==${TENSORFLOW_VERSION} (Keras 3) into ${VENV} from the local wheel index (once)…`);
    rmSync(VENV, { recursive: true, force: true });
    const venv = spawnSync("python3", ["-m", "venv", VENV], { encoding: "utf8" });
    if (venv.status !== 0) throw new Error(`python3 -m venv ${VENV} failed:\n${venv.stderr}`);
    const pip = spawnSync(PYTHON, ["-m", "pip", "install", "--quiet", ...localIndexArguments(), `tensorflow-cpu==${TENSORFLOW_VERSION}`], {
      encoding: "utf8",
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" },
    });
    if (pip.status !== 0) throw new Error(`pip install tensorflow-cpu==${TENSORFLOW_VERSION} failed:\n${pip.stderr}${pip.stdout}`);
    const probe = spawnSync(PYTHON, ["-c", "import keras, tensorflow; print(keras.__version__)"], { encoding: "utf8" });
    if (probe.status !== 0) throw new Error(`Keras installed but cannot be imported:\n${probe.stderr}`);
    spawnSync("touch", [READY]);
    return PYTHON;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
