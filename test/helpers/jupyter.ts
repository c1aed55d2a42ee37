/**
 * Real Jupyter front ends for end-to-end tests: the kernelspec installed with `tsdl install
 * --prefix` into a temporary folder (never the user's), and the environment that makes
 * Debian's `jupyter` commands find it.
 *
 * @example const { env } = installKernelspec(); spawnSync("jupyter", ["kernelspec", "list"], { env });
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KERNEL_CLI } from "./kernel-client.js";

export interface JupyterPrefix {
  prefix: string;
  /** Environment for jupyter commands: JUPYTER_PATH → the prefix, runtime and config in temp folders. */
  env: NodeJS.ProcessEnv;
}

let installed: JupyterPrefix | null = null;

/** Installs the tsdl kernelspec into a temporary prefix once per test file. */
export function installKernelspec(): JupyterPrefix {
  if (installed) return installed;
  const prefix = mkdtempSync(join(tmpdir(), "tsdl-jupyter-prefix-"));
  const env = jupyterEnv(prefix);
  // In the plain environment the `jupyter kernelspec install` it runs creates ~/.ipython and
  // ~/.local/share/jupyter.
  const r = spawnSync(process.execPath, [KERNEL_CLI, "install", "--prefix", prefix], { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`tsdl install --prefix ${prefix} failed:\n${r.stderr}${r.stdout}`);
  installed = { prefix, env };
  return installed;
}

/** The environment that points Jupyter at `prefix` and keeps its runtime files out of $HOME. */
export function jupyterEnv(prefix: string): NodeJS.ProcessEnv {
  const scratch = mkdtempSync(join(tmpdir(), "tsdl-jupyter-home-"));
  return {
    ...process.env,
    JUPYTER_PATH: join(prefix, "share", "jupyter"),
    JUPYTER_RUNTIME_DIR: join(scratch, "runtime"),
    JUPYTER_CONFIG_DIR: join(scratch, "config"),
    JUPYTER_DATA_DIR: join(scratch, "data"),
    IPYTHONDIR: join(scratch, "ipython"),
    // Debian's Python 3.11 prints a debugger warning on every jupyter start without this.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    PYTHONWARNINGS: "ignore",
  };
}
