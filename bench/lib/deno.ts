/**
 * Deno's Jupyter kernel, the peer of the kernel benchmark: npm's `deno` package installed into
 * .bench/deno on first use (never a dependency of tsdl), its kernelspec written by
 * `deno jupyter --install` into a scratch home and copied into the benchmark's Jupyter prefix.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const DENO_VERSION = "2.9.6";

/** Installs the Deno kernel's kernelspec as `name` under `prefix`/share/jupyter/kernels. @example installDenoKernel(prefix) */
export function installDenoKernel(prefix: string, name = "deno"): void {
  const dir = fileURLToPath(new URL("../../../.bench/deno", import.meta.url));
  const deno = join(dir, "node_modules", ".bin", "deno");
  if (!existsSync(deno)) {
    mkdirSync(dir, { recursive: true });
    console.error(`installing deno@${DENO_VERSION} into ${dir} (once)…`);
    // The package carries the binary for this platform as an optional dependency: no script runs.
    const r = spawnSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", `deno@${DENO_VERSION}`], {
      stdio: ["ignore", process.stderr, "inherit"],
    });
    if (r.status !== 0 || !existsSync(deno)) throw new Error(`could not install deno@${DENO_VERSION} into ${dir}`);
  }
  // `deno jupyter --install` writes into $HOME's Jupyter data folder: a scratch home, then copied.
  const home = mkdtempSync(join(tmpdir(), "tsdl-bench-deno-home-"));
  const r = spawnSync(deno, ["jupyter", "--install", "--name", name], { encoding: "utf8", env: { ...process.env, HOME: home } });
  const spec = join(home, ".local", "share", "jupyter", "kernels", name);
  if (r.status !== 0 || !existsSync(join(spec, "kernel.json"))) throw new Error(`deno jupyter --install failed:\n${r.stderr}${r.stdout}`);
  cpSync(spec, join(prefix, "share", "jupyter", "kernels", name), { recursive: true });
  rmSync(home, { recursive: true, force: true });
}
