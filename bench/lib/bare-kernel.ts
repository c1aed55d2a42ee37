/**
 * The floor of the kernel benchmark: the smallest Jupyter kernel Node can be — zeromq, HMAC
 * signing and `vm`, no TypeScript, no runtime, no language service. What tsdl adds to a round
 * trip is measured against this, in the same run, through the same client.
 *
 * It answers kernel_info_request, execute_request (the cell as JavaScript in this realm, its value
 * as execute_result) and shutdown_request, publishes status busy/idle around each, and echoes
 * heartbeats. Run by the benchmark's kernelspec: `node bare-kernel.js CONNECTION_FILE`.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import vm from "node:vm";
import { Publisher, Reply, Router } from "zeromq";

const conn = JSON.parse(readFileSync(process.argv[2], "utf8"));
const at = (port: number) => `${conn.transport}://${conn.ip}:${port}`;
const session = randomUUID();
const DELIM = "<IDS|MSG>";

const sign = (parts: Buffer[]) => {
  const h = createHmac("sha256", conn.key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

interface Msg {
  ids: Buffer[];
  header: Record<string, unknown>;
  content: Record<string, unknown>;
}

function frames(ids: Buffer[], type: string, parent: Record<string, unknown>, content: Record<string, unknown>): Buffer[] {
  const header = { msg_id: randomUUID(), session, username: "bare", date: new Date().toISOString(), msg_type: type, version: "5.3" };
  const parts = [header, parent, {}, content].map((o) => Buffer.from(JSON.stringify(o)));
  return [...ids, Buffer.from(DELIM), Buffer.from(sign(parts)), ...parts];
}

function parse(raw: Buffer[]): Msg | null {
  const d = raw.findIndex((f) => f.toString() === DELIM);
  if (d < 0 || raw[d + 1].toString() !== sign(raw.slice(d + 2, d + 6))) return null;
  const [header, , , content] = raw.slice(d + 2, d + 6).map((p) => JSON.parse(p.toString()));
  return { ids: raw.slice(0, d), header, content };
}

const shell = new Router();
const control = new Router();
const iopub = new Publisher();
const hb = new Reply();
await Promise.all([shell.bind(at(conn.shell_port)), control.bind(at(conn.control_port)), iopub.bind(at(conn.iopub_port)), hb.bind(at(conn.hb_port))]);
const stdin = new Router();
await stdin.bind(at(conn.stdin_port));

let count = 0;
const publish = (type: string, parent: Record<string, unknown>, content: Record<string, unknown>) =>
  iopub.send(frames([Buffer.from(`kernel.${session}.${type}`)], type, parent, content));

async function handle(socket: Router, m: Msg): Promise<void> {
  const type = m.header.msg_type as string;
  await publish("status", m.header, { execution_state: "busy" });
  if (type === "kernel_info_request") {
    await socket.send(frames(m.ids, "kernel_info_reply", m.header, {
      status: "ok", protocol_version: "5.3", implementation: "bare-node", implementation_version: "0",
      language_info: { name: "javascript", version: process.versions.node, file_extension: ".js" }, banner: "", help_links: [],
    }));
  } else if (type === "execute_request") {
    const n = ++count;
    await publish("execute_input", m.header, { code: m.content.code, execution_count: n });
    try {
      const value = vm.runInThisContext(String(m.content.code));
      if (value !== undefined) await publish("execute_result", m.header, { execution_count: n, data: { "text/plain": inspect(value) }, metadata: {} });
      await socket.send(frames(m.ids, "execute_reply", m.header, { status: "ok", execution_count: n, user_expressions: {}, payload: [] }));
    } catch (e) {
      const error = { ename: (e as Error).name ?? "Error", evalue: String((e as Error).message ?? e), traceback: [] };
      await publish("error", m.header, error);
      await socket.send(frames(m.ids, "execute_reply", m.header, { status: "error", execution_count: n, ...error }));
    }
  } else if (type === "shutdown_request") {
    await socket.send(frames(m.ids, "shutdown_reply", m.header, { status: "ok", restart: false }));
    await publish("status", m.header, { execution_state: "idle" });
    process.exit(0);
  }
  await publish("status", m.header, { execution_state: "idle" });
}

async function serve(socket: Router): Promise<void> {
  for await (const raw of socket) {
    const m = parse(raw);
    if (m) await handle(socket, m);
  }
}
void serve(shell);
void serve(control);
for await (const [ping] of hb) await hb.send(ping);
