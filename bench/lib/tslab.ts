/**
 * tslab, the peer kernel of the kernel and completion benchmarks: installed into .bench/tslab
 * on first use (never a dependency of tsdl).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const TSLAB_VERSION = "1.0.22";

/** The path of tslab's command (a Node script), installing it first if needed. @example tslabCli() */
export function tslabCli(): string {
  const dir = fileURLToPath(new URL("../../../.bench/tslab", import.meta.url));
  const cli = join(dir, "node_modules", "tslab", "bin", "tslab");
  if (existsSync(cli)) return cli;
  mkdirSync(dir, { recursive: true });
  console.error(`installing tslab@${TSLAB_VERSION} into ${dir} (once)…`);
  // npm's own output goes to stderr: a benchmark's stdout ends with its JSON line.
  const r = spawnSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--ignore-scripts", `tslab@${TSLAB_VERSION}`], {
    stdio: ["ignore", process.stderr, "inherit"],
  });
  if (r.status !== 0 || !existsSync(cli)) throw new Error(`could not install tslab@${TSLAB_VERSION} into ${dir}`);
  return cli;
}
