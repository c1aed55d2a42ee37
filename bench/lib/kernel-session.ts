/**
 * A small Jupyter client for benchmarks that drive the built kernel (dist/kernel/cli.js) as a
 * frontend does: a connection file on free loopback ports, signed messages over ZeroMQ (the
 * kernel's own wire code), a reply plus status idle per cell. It knows the kernel's process id,
 * so a benchmark can read /proc. (The tests have a fuller client, with forged signatures and
 * interrupts, in test/helpers/; bench/ is compiled without test/, so this one keeps to what a
 * benchmark needs.)
 *
 * @example const k = await KernelSession.start(); const r = await k.execute("1 + 1"); r.value // "2"
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freePorts } from "./ports.js";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Dealer, Subscriber } from "zeromq";
import { deserialize, makeHeader, serialize, type Message } from "../../kernel/wire/message.js";
import { Signer } from "../../kernel/wire/signer.js";

const CLI = fileURLToPath(new URL("../../kernel/cli.js", import.meta.url));

/** What one cell produced. */
export interface CellResult {
  status: string;
  /** The execute_result's text/plain, or "" when the cell had no value. */
  value: string;
  stdout: string;
  /** ename: evalue of each error. */
  errors: string[];
  /** display_data and update_display_data messages. */
  displays: number;
}


export class KernelSession {
  private readonly session = randomUUID();
  private readonly shell = new Dealer({ linger: 0 });
  private readonly control = new Dealer({ linger: 0 });
  private readonly iopub = new Subscriber({ linger: 0 });
  private readonly replies = new Map<string, Message>();
  private readonly outputs = new Map<string, Message[]>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly proc: ChildProcess,
    private readonly signer: Signer,
    private readonly dir: string,
  ) {}

  /** The kernel's process id. */
  get pid(): number {
    return this.proc.pid!;
  }

  /** Starts the kernel with `env` added to this process's environment; resolves once it answers. */
  static async start(env: NodeJS.ProcessEnv = {}): Promise<KernelSession> {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-bench-"));
    const [shell_port, control_port, iopub_port, stdin_port, hb_port] = await freePorts(5);
    const conn = { transport: "tcp", ip: "127.0.0.1", shell_port, control_port, iopub_port, stdin_port, hb_port, key: randomUUID(), signature_scheme: "hmac-sha256" };
    const file = join(dir, "kernel.json");
    writeFileSync(file, JSON.stringify(conn));
    const proc = spawn(process.execPath, [CLI, "kernel", file], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
    // The kernel never outlives the benchmark, even one that fails.
    process.once("exit", () => proc.kill("SIGKILL"));
    const k = new KernelSession(proc, new Signer(conn.key), dir);
    const at = (port: number) => `tcp://127.0.0.1:${port}`;
    k.shell.routingId = k.session;
    k.iopub.subscribe("");
    k.shell.connect(at(shell_port));
    k.control.connect(at(control_port));
    k.iopub.connect(at(iopub_port));
    void k.read(k.shell, (m) => k.replies.set(m.parent_header.msg_id as string, m));
    void k.read(k.control, (m) => k.replies.set(m.parent_header.msg_id as string, m));
    void k.read(k.iopub, (m) => {
      const parent = m.parent_header.msg_id as string | undefined;
      if (parent) k.outputs.set(parent, [...(k.outputs.get(parent) ?? []), m]);
    });
    // IOPub joins asynchronously: ask for kernel_info until its status reaches us on IOPub too.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const id = await k.send("shell", "kernel_info_request", {});
      try {
        await k.until(() => k.idleOf(id), 1000);
        k.outputs.delete(id);
        return k;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`the kernel did not answer within 60 s: ${(e as Error).message}`);
      }
    }
  }

  private async read(socket: Dealer | Subscriber, on: (m: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        on(deserialize(frames, this.signer));
        for (const w of [...this.waiters]) w();
      }
    } catch {
      // the socket was closed
    }
  }

  private async send(channel: "shell" | "control", type: string, content: Record<string, unknown>): Promise<string> {
    const msg: Message = { identities: [], header: makeHeader(type, this.session, "bench"), parent_header: {}, metadata: {}, content, buffers: [] };
    await this[channel].send(serialize(msg, this.signer));
    return msg.header.msg_id;
  }

  private idleOf(id: string): Message | undefined {
    return this.outputs.get(id)?.find((m) => m.header.msg_type === "status" && m.content.execution_state === "idle");
  }

  private until<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((ok, fail) => {
      const poll = () => {
        const v = check();
        if (v === undefined) return;
        this.waiters.delete(poll);
        clearTimeout(timer);
        ok(v);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(poll);
        fail(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(poll);
      poll();
    });
  }

  /** Runs a cell and waits for its reply and idle status. `storeHistory: false` for probes. */
  async execute(code: string, options: { storeHistory?: boolean; timeoutMs?: number } = {}): Promise<CellResult> {
    const id = await this.send("shell", "execute_request", {
      code, silent: false, store_history: options.storeHistory ?? true, user_expressions: {}, allow_stdin: false, stop_on_error: false,
    });
    const timeout = options.timeoutMs ?? 600_000;
    const reply = await this.until(() => this.replies.get(id), timeout);
    await this.until(() => this.idleOf(id), timeout);
    const out = this.outputs.get(id) ?? [];
    this.outputs.delete(id);
    this.replies.delete(id);
    const of = (type: string) => out.filter((m) => m.header.msg_type === type);
    return {
      status: reply.content.status as string,
      value: (of("execute_result")[0]?.content.data as Record<string, string> | undefined)?.["text/plain"] ?? "",
      stdout: of("stream").filter((m) => m.content.name === "stdout").map((m) => m.content.text).join(""),
      errors: of("error").map((m) => `${m.content.ename}: ${m.content.evalue}`),
      displays: of("display_data").length + of("update_display_data").length,
    };
  }

  /** shutdown_request, then waits for the process to end (killing it after 10 s). */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      const exited = new Promise((ok) => this.proc.once("exit", ok));
      await this.send("control", "shutdown_request", { restart: false });
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10_000))]);
      if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
    }
    for (const s of [this.shell, this.control, this.iopub]) s.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
