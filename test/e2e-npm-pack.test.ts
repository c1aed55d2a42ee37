/**
 * `npm pack` makes a package that a plain `npm install tsdl-0.1.0.tgz` installs in an empty
 * folder, and `npx tsdl install` from there registers a kernel that runs a notebook (executed
 * with nbconvert), tensors included. npm resolves the tarball's dependency ranges against a
 * registry on 127.0.0.1 that serves the project's own installed dependencies, with an empty
 * cache of its own: no network, and nothing an earlier run left in ~/.npm.
 */
import { test, expect, onTestFinished } from "vitest";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./helpers/kernel-client.js";
import { jupyterEnv } from "./helpers/jupyter.js";
import { npmEnv, startLocalRegistry } from "./helpers/local-registry.js";

// Asynchronous: the registry answers from this process while npm runs.
async function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    const { stdout } = await promisify(execFile)(cmd, args, { encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20, ...opts });
    return stdout;
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${(e as Error).message}\n${stderr ?? ""}\n${stdout ?? ""}`);
  }
}

test("the packed tarball installs in an empty folder and its `npx tsdl install` registers a working kernel", { timeout: 600_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), "tsdl-pack-"));
  onTestFinished(() => rmSync(work, { recursive: true, force: true }));
  const registry = await startLocalRegistry(REPO_ROOT, join(work, "registry"));
  onTestFinished(() => registry.close());
  const env = npmEnv(registry.url, join(work, "npm-cache"), work);
  // The tests run against the built tree; packing must not rebuild it (prepare) under them.
  const packed = (await run("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: REPO_ROOT, env })).trim().split("\n").pop()!;
  const app = join(work, "app");
  mkdirSync(app);
  // A user's new project (npm init): without a package.json here npm installs into the nearest
  // folder above that has one, or a node_modules (e.g. /tmp's).
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
  await run("npm", ["install", join(work, packed)], { cwd: app, env });
  // The native library travels in the tarball: it was not built in the user's folder.
  expect(readFileSync(join(app, "node_modules", "tsdl", "build", "Release", "tsdl.node")).length).toBeGreaterThan(0);

  const prefix = join(work, "jupyter");
  const jupyter = jupyterEnv(prefix);
  await run("npx", ["--no-install", "tsdl", "install", "--prefix", prefix], { cwd: app, env: npmEnv(registry.url, join(work, "npm-cache"), work, jupyter) });
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
  const out = await run("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--stdout", "check.ipynb"], { cwd: app, env: jupyter });
  const cells = JSON.parse(out).cells as { outputs: { output_type: string; data?: Record<string, unknown> }[] }[];
  const value = (i: number) => [cells[i].outputs.find((o) => o.output_type === "execute_result")?.data?.["text/plain"]].flat().join("");
  expect(value(0)).toBe("42");
  expect(value(1)).toBe("[ 1, 0 ]");
});
