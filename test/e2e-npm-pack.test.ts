/**
 * `npm pack` makes a package that installs in an empty folder, and `npx tsdl install` from
 * there registers a kernel that runs a notebook (executed with nbconvert), tensors included.
 */
import { test, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./helpers/kernel-client.js";
import { jupyterEnv } from "./helpers/jupyter.js";

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 300_000, ...opts });
  expect(r.status, `${cmd} ${args.join(" ")}\n${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

test("the packed tarball installs in an empty folder and its `npx tsdl install` registers a working kernel", { timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "tsdl-pack-"));
  // The tests run against the built tree; packing must not rebuild it (prepare) under them.
  const packed = run("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: REPO_ROOT }).trim().split("\n").pop()!;
  const app = join(work, "app");
  mkdirSync(app);
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(work, packed)], { cwd: app });

  const prefix = join(work, "jupyter");
  run("npx", ["--no-install", "tsdl", "install", "--prefix", prefix], { cwd: app });
  const spec = JSON.parse(readFileSync(join(prefix, "share", "jupyter", "kernels", "tsdl", "kernel.json"), "utf8"));
  expect(spec.argv[1]).toBe(join(app, "node_modules", "tsdl", "dist", "kernel", "cli.js"));

  const notebook = {
    cells: [
      { cell_type: "code", id: "c1", execution_count: null, metadata: {}, outputs: [], source: "const n: number = 21\nn * 2" },
      // The runtime's native addon travels in the tarball (built for this platform; no install script runs).
      { cell_type: "code", id: "c2", execution_count: null, metadata: {}, outputs: [], source: "dot(tensor([[1, -1], [0, 2]]), tensor([1, 0])).toArray()" },
    ],
    metadata: { kernelspec: { name: "tsdl", display_name: "TypeScript (tsdl)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(app, "check.ipynb"), JSON.stringify(notebook));
  const out = run("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--stdout", "check.ipynb"], { cwd: app, env: jupyterEnv(prefix) });
  const cells = JSON.parse(out).cells as { outputs: { output_type: string; data?: Record<string, unknown> }[] }[];
  const value = (i: number) => [cells[i].outputs.find((o) => o.output_type === "execute_result")?.data?.["text/plain"]].flat().join("");
  expect(value(0)).toBe("42");
  expect(value(1)).toBe("[ 1, 0 ]");
});
