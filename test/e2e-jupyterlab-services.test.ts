/**
 * The client library JupyterLab uses (@jupyterlab/services) against a real Jupyter server that
 * the test starts on a free loopback port with a token: start the tsdl kernel by name, execute,
 * read IOPub, interrupt, restart and shut down.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { freePorts } from "./helpers/kernel-client.js";
import { installKernelspec } from "./helpers/jupyter.js";

let server: ChildProcess;
let serverLog = "";
let settings: ServerConnection.ISettings;
let manager: KernelManager;
let kernel: Kernel.IKernelConnection;

async function waitForServer(base: string, token: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${base}api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Jupyter server did not answer on ${base} within 60 s; its log:\n${serverLog}`);
}

beforeAll(async () => {
  const { env } = installKernelspec();
  const [port] = await freePorts(1);
  const token = randomUUID();
  server = spawn(
    "jupyter",
    ["notebook", "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--NotebookApp.token=${token}`, "--allow-root", "--NotebookApp.port_retries=0"],
    { env, cwd: mkdtempSync(join(tmpdir(), "tsdl-lab-")), stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout!.on("data", (d) => (serverLog += d));
  server.stderr!.on("data", (d) => (serverLog += d));
  const base = `http://127.0.0.1:${port}/`;
  await waitForServer(base, token);
  settings = ServerConnection.makeSettings({
    baseUrl: base,
    wsUrl: `ws://127.0.0.1:${port}/`,
    token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    fetch,
    Request,
    Headers,
  });
  manager = new KernelManager({ serverSettings: settings });
  await manager.ready;
  kernel = await manager.startNew({ name: "tsdl" });
});

afterAll(async () => {
  try {
    if (kernel && !kernel.isDisposed) await kernel.shutdown();
  } catch {
    // already gone
  }
  manager?.dispose();
  server?.kill("SIGTERM");
});

/** Runs code and returns the reply with the IOPub messages it produced. */
async function run(code: string) {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code });
  future.onIOPub = (msg) => void iopub.push(msg);
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { reply, iopub };
}

describe("the tsdl kernel through @jupyterlab/services and a Jupyter server", () => {
  test("starts by name and reports its kernel info", async () => {
    expect(kernel.name).toBe("tsdl");
    const info = await kernel.info;
    expect(info.implementation).toBe("tsdl");
    expect(info.language_info.name).toBe("typescript");
  });

  test("executes a cell and delivers its stream and result on IOPub", async () => {
    const { reply, iopub } = await run("const base = 20; console.log('from lab'); base + 1");
    expect(reply.content.status).toBe("ok");
    const stream = iopub.find((m) => m.header.msg_type === "stream") as KernelMessage.IStreamMsg;
    expect(stream.content.text).toBe("from lab\n");
    const result = iopub.find((m) => m.header.msg_type === "execute_result") as KernelMessage.IExecuteResultMsg;
    expect(result.content.data["text/plain"]).toBe("21");
  });

  test("interrupts a running synchronous loop and keeps the session", async () => {
    const future = kernel.requestExecute({ code: "while (true) {}" });
    await new Promise((r) => setTimeout(r, 500));
    await kernel.interrupt();
    const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
    expect(reply.content.status).toBe("error");
    expect((reply.content as KernelMessage.IReplyErrorContent).ename).toBe("KeyboardInterrupt");
    const { iopub } = await run("base");
    expect((iopub.find((m) => m.header.msg_type === "execute_result") as KernelMessage.IExecuteResultMsg).content.data["text/plain"]).toBe("20");
  });

  test("restarts into a fresh session that still runs cells", async () => {
    await kernel.restart();
    const { reply } = await run("typeof base");
    expect(reply.content.status).toBe("ok");
    const { iopub } = await run("typeof base");
    expect((iopub.find((m) => m.header.msg_type === "execute_result") as KernelMessage.IExecuteResultMsg).content.data["text/plain"]).toBe("'undefined'");
  });

  test("shuts down and leaves the server with no running kernel", async () => {
    await kernel.shutdown();
    const r = await fetch(`${settings.baseUrl}api/kernels`, { headers: { Authorization: `token ${settings.token}` } });
    expect(await r.json()).toEqual([]);
  });
});
