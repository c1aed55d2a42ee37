#!/usr/bin/env node
/**
 * The `tsdl` command.
 *
 * ```
 * tsdl install [--user | --sys-prefix | --prefix PATH] [--name NAME] [--display-name TEXT]
 * tsdl kernel CONNECTION_FILE      (what the installed kernelspec runs)
 * ```
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { VERSION } from "./version.js";
import { entryPoint, PACKAGE_ROOT } from "./paths.js";

const USAGE = `usage:
  tsdl install [--user | --sys-prefix | --prefix PATH] [--name NAME] [--display-name TEXT]
      registers the "TypeScript (tsdl)" Jupyter kernel (through \`jupyter kernelspec install\`)
  tsdl kernel CONNECTION_FILE
      runs the kernel (Jupyter does this, with the connection file it wrote)`;


function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Writes the kernelspec into a temporary folder and installs it with `jupyter kernelspec install`. */
function install(args: string[]): void {
  let name = "tsdl";
  let displayName: string | null = null;
  const jupyterArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--user" || a === "--sys-prefix") jupyterArgs.push(a);
    else if (a === "--prefix") {
      const p = args[++i];
      if (!p) fail("tsdl install: --prefix needs a path (e.g. --prefix /tmp/jupyter-prefix)");
      jupyterArgs.push("--prefix", p);
    } else if (a.startsWith("--prefix=")) jupyterArgs.push("--prefix", a.slice(9));
    else if (a === "--name") name = args[++i] ?? fail("tsdl install: --name needs a value");
    else if (a === "--display-name") displayName = args[++i] ?? fail("tsdl install: --display-name needs a value");
    else fail(`tsdl install: unknown option ${JSON.stringify(a)}\n${USAGE}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "tsdl-kernelspec-"));
  const spec = JSON.parse(readFileSync(join(PACKAGE_ROOT, "kernelspec", "kernel.json"), "utf8"));
  const cli = fileURLToPath(import.meta.url);
  spec.argv = spec.argv.map((a: string) => a.replace("{node}", process.execPath).replace("{cli}", cli));
  if (displayName) spec.display_name = displayName;
  spec.metadata = { tsdl: { version: VERSION } };
  const target = join(dir, name);
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  for (const logo of ["logo-32x32.png", "logo-64x64.png"]) copyFileSync(join(PACKAGE_ROOT, "kernelspec", logo), join(target, logo));
  const r = spawnSync("jupyter", ["kernelspec", "install", target, "--name", name, ...jupyterArgs], { encoding: "utf8" });
  rmSync(dir, { recursive: true, force: true });
  if (r.error) fail(`tsdl install: cannot run \`jupyter\` (${r.error.message}); install Jupyter first (Debian: apt install jupyter-client)`, 1);
  if (r.status !== 0) fail(`tsdl install: \`jupyter kernelspec install\` failed:\n${r.stderr}`, 1);
  process.stdout.write(`${(r.stderr + r.stdout).trim()}\ninstalled the "${spec.display_name}" kernel as "${name}"\n`);
}

async function kernel(args: string[]): Promise<void> {
  const [file] = args;
  if (!file || args.length > 1) fail(`tsdl kernel: expected exactly one CONNECTION_FILE\n${USAGE}`);
  const { readConnectionFile } = await import("./wire/connection.js");
  let conn;
  try {
    conn = readConnectionFile(file);
  } catch (e) {
    fail((e as Error).message, 1);
  }
  // Shell and IOPub first (loading zeromq, ~15 ms, then binding): a client connects the moment
  // it has started the kernel, and one refused waits for ZeroMQ's next attempt (see
  // wire/main-sockets.ts). What it sends waits in ZeroMQ until the kernel reads it.
  const { bindMainSockets } = await import("./wire/main-sockets.js");
  let mainSockets;
  try {
    mainSockets = await bindMainSockets(conn);
  } catch (e) {
    fail(`tsdl kernel: cannot start: ${(e as Error).message}`, 1);
  }
  if (process.env.TSDL_TRACE === "1") process.stderr.write(`[tsdl] start-up: shell and IOPub are bound at ${performance.now().toFixed(0)} ms\n`);
  // Then SIGINT's watchdog thread (exec/sigint-watch.ts) and the converter thread, which loads
  // TypeScript on the other core while this thread loads the kernel: a first cell sent right
  // after kernel_info finds it ready. Both start before the kernel's code is imported.
  const { startSigintWatch } = await import("./exec/sigint-watch.js");
  const sigintWatch = startSigintWatch();
  const { startConverterThread } = await import("./convert/start.js");
  const converterThread = startConverterThread();
  const { Kernel } = (await import(entryPoint("kernel.js", "kernel.bundle.js").href)) as typeof import("./kernel.js");
  try {
    await new Kernel(conn, { converter: converterThread, sigintWatch, mainSockets }).start();
  } catch (e) {
    // Open sockets at exit can make zeromq's addon abort instead of exiting (sockets.ts, closeBeforeExit).
    for (const socket of [mainSockets!.shell, mainSockets!.iopub]) if (!socket.closed) socket.close();
    fail(`tsdl kernel: cannot start: ${(e as Error).message}`, 1);
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === "install") install(rest);
else if (command === "kernel") await kernel(rest);
else if (command === "--version" || command === "-v") {
  process.stdout.write(VERSION + "\n");
} else if (command === "--help" || command === "-h") process.stdout.write(USAGE + "\n");
else fail(command ? `tsdl: unknown command ${JSON.stringify(command)}\n${USAGE}` : USAGE);
