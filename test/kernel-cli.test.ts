/**
 * The `tsdl` command: `tsdl install` registers the kernelspec through `jupyter kernelspec
 * install`, and `tsdl kernel FILE` refuses a bad connection file with a clear error.
 */
import { describe, test, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KERNEL_CLI } from "./helpers/kernel-client.js";
import { jupyterEnv } from "./helpers/jupyter.js";

// Scratch Jupyter and IPython folders: `jupyter kernelspec install` would create ~/.ipython and ~/.local/share/jupyter.
const scratch = jupyterEnv(mkdtempSync(join(tmpdir(), "tsdl-cli-jupyter-")));
const tsdl = (...args: string[]) => spawnSync(process.execPath, [KERNEL_CLI, ...args], { encoding: "utf8", timeout: 30_000, env: scratch });

describe("tsdl install", () => {
  test("--prefix writes kernel.json and both logos, and Jupyter lists the kernel", () => {
    const prefix = mkdtempSync(join(tmpdir(), "tsdl-cli-prefix-"));
    const r = tsdl("install", "--prefix", prefix);
    expect(r.status, r.stderr).toBe(0);
    const dir = join(prefix, "share", "jupyter", "kernels", "tsdl");
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(spec).toMatchObject({
      argv: [process.execPath, KERNEL_CLI, "kernel", "{connection_file}"],
      display_name: "TypeScript (tsdl)",
      language: "typescript",
      interrupt_mode: "message",
    });
    expect(existsSync(join(dir, "logo-32x32.png"))).toBe(true);
    expect(existsSync(join(dir, "logo-64x64.png"))).toBe(true);
    const list = spawnSync("jupyter", ["kernelspec", "list", "--json"], { env: jupyterEnv(prefix), encoding: "utf8" });
    expect(JSON.parse(list.stdout).kernelspecs.tsdl.spec.display_name).toBe("TypeScript (tsdl)");
  });

  test("an unknown option is refused with the usage", () => {
    const r = tsdl("install", "--everywhere");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option "--everywhere"');
    expect(r.stderr).toContain("tsdl install [--user | --sys-prefix | --prefix PATH]");
  });
});

describe("tsdl kernel", () => {
  test("a missing connection file is a clear error and a non-zero exit", () => {
    const r = tsdl("kernel", "/nonexistent/kernel-1.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read connection file /nonexistent/kernel-1.json");
  });

  test("a connection file that is not JSON, or lacks a port, is named in the error", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-cli-conn-"));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    const notJson = tsdl("kernel", join(dir, "bad.json"));
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/bad\.json is not JSON/);
    writeFileSync(join(dir, "noport.json"), JSON.stringify({ ip: "127.0.0.1", transport: "tcp", key: "k", shell_port: 1, control_port: 2, iopub_port: 3, stdin_port: 4 }));
    const noPort = tsdl("kernel", join(dir, "noport.json"));
    expect(noPort.status).toBe(1);
    expect(noPort.stderr).toContain('"hb_port" must be a port number 0–65535, received undefined');
  });

  test("no command prints the usage and exits non-zero", () => {
    const r = tsdl();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("tsdl kernel CONNECTION_FILE");
  });
});
