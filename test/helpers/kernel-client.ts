/**
 * A Jupyter protocol client for tests: starts the real kernel process (`node dist/kernel/cli.js
 * kernel FILE`) with a connection file on free loopback ports, talks ZeroMQ to it, signs what it
 * sends (or forges on purpose), and collects IOPub by parent.
 *
 * @example
 * const k = await startKernel();
 * const r = await k.execute("console.log('hi'); 1 + 1");
 * r.stdout // "hi\n"; r.results[0]["text/plain"] // "2"
 * await k.stop();
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freePorts } from "../../bench/lib/ports.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { Dealer, Request, Subscriber } from "zeromq";
import { Signer } from "../../kernel/wire/signer.js";
import { deserialize, makeHeader, serialize, type Message } from "../../kernel/wire/message.js";

export type { Message };
export type Channel = "shell" | "control" | "stdin";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const KERNEL_CLI = join(REPO_ROOT, "dist", "kernel", "cli.js");
export { freePorts };


/**
 * Writes a connection file with free ports and a random key; returns its path and contents.
 * `overrides` replace fields (`{ key: "" }`); a field set to undefined is left out of the file.
 */
export async function writeConnectionFile(dir = mkdtempSync(join(tmpdir(), "tsdl-test-")), overrides: Record<string, unknown> = {}) {
  const [shell_port, control_port, iopub_port, stdin_port, hb_port] = await freePorts(5);
  const conn: Record<string, any> = {
    transport: "tcp", ip: "127.0.0.1", shell_port, control_port, iopub_port, stdin_port, hb_port,
    key: randomUUID(), signature_scheme: "hmac-sha256", kernel_name: "tsdl", ...overrides,
  };
  const path = join(dir, "kernel.json");
  writeFileSync(path, JSON.stringify(conn));
  return { path, conn };
}

export interface ExecuteResult {
  reply: Message;
  /** Every IOPub message whose parent is this request, in order. */
  iopub: Message[];
  streams: { name: string; text: string }[];
  stdout: string;
  stderr: string;
  /** execute_result data bundles. */
  results: Record<string, any>[];
  /** display_data and update_display_data messages. */
  displays: Message[];
  /** error contents ({ ename, evalue, traceback }). */
  errors: { ename: string; evalue: string; traceback: string[] }[];
}

export interface StartOptions {
  /** The kernel's working directory (the notebook's folder); the repository root by default. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Fields that replace those of the generated connection file (`{ key: "", ip: "127.0.0.2" }`). */
  connection?: Record<string, unknown>;
}

export class KernelClient {
  readonly session = randomUUID();
  readonly signer: Signer;
  readonly shell = new Dealer({ linger: 0 });
  readonly control = new Dealer({ linger: 0 });
  readonly stdin = new Dealer({ linger: 0 });
  readonly iopub = new Subscriber({ linger: 0 });
  /** Every IOPub message received, in order. */
  readonly iopubMessages: Message[] = [];
  /** Every message received on stdin (input_request). */
  readonly stdinMessages: Message[] = [];
  private readonly replies = new Map<string, Message>();
  private readonly waiters = new Set<() => void>();
  /** Why messages received from the kernel failed to deserialize (none, normally). */
  readonly undecodable: string[] = [];
  private stderrText = "";

  constructor(
    readonly proc: ChildProcess,
    readonly conn: Record<string, any>,
    readonly connectionFile: string,
  ) {
    this.signer = new Signer(conn.key);
    // Shell and stdin share one identity, as jupyter_client does, so input_request finds us.
    this.shell.routingId = this.session;
    this.stdin.routingId = this.session;
    proc.stderr?.on("data", (d) => {
      this.stderrText += d;
      this.wake();
    });
  }

  /** What the kernel process wrote to its real stderr (its own log). */
  get log(): string {
    return this.stderrText;
  }

  endpoint(port: number): string {
    return `tcp://${this.conn.ip}:${port}`;
  }

  async connect(): Promise<void> {
    this.iopub.subscribe("");
    this.shell.connect(this.endpoint(this.conn.shell_port));
    this.control.connect(this.endpoint(this.conn.control_port));
    this.stdin.connect(this.endpoint(this.conn.stdin_port));
    this.iopub.connect(this.endpoint(this.conn.iopub_port));
    void this.readLoop(this.shell, (m) => this.replies.set(m.parent_header.msg_id as string, m));
    void this.readLoop(this.control, (m) => this.replies.set(m.parent_header.msg_id as string, m));
    void this.readLoop(this.stdin, (m) => this.stdinMessages.push(m));
    void this.readLoop(this.iopub, (m) => this.iopubMessages.push(m));
  }

  private async readLoop(socket: Dealer | Subscriber, onMessage: (m: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        try {
          onMessage(deserialize(frames, this.signer));
        } catch (e) {
          // A message from the kernel that does not verify is a kernel bug a test should see.
          this.undecodable.push((e as Error).message);
        }
        this.wake();
      }
    } catch {
      // the socket was closed
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits until the kernel's log (its stderr) matches `pattern`; resolves with the match. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray> {
    return this.waitFor(() => this.stderrText.match(pattern) ?? undefined, `the kernel log to match ${pattern}`, timeoutMs);
  }

  /** Sends `frames` as they are (no delimiter, signature or JSON added): for malformed messages. */
  async sendFrames(channel: Channel, frames: (Buffer | Uint8Array | string)[]): Promise<void> {
    await this[channel].send(frames);
  }

  /**
   * Resolves when `check()` returns something other than undefined; rejects after `timeoutMs`.
   * It checks again whenever the kernel sends something, and every 50 ms for state outside the
   * messages (a process's state in /proc).
   */
  waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 45_000): Promise<T> {
    return new Promise((ok, fail) => {
      const stop = () => {
        this.waiters.delete(poll);
        clearTimeout(timer);
        clearInterval(ticks);
      };
      const done = () => {
        const v = check();
        if (v === undefined) return false;
        stop();
        ok(v);
        return true;
      };
      const poll = () => void done();
      const timer = setTimeout(() => {
        stop();
        fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; kernel log:\n${this.stderrText}`));
      }, timeoutMs);
      const ticks = setInterval(poll, 50);
      if (!done()) this.waiters.add(poll);
    });
  }

  /** Builds a message; `signature` replaces the real HMAC (to test forged messages). */
  frames(msgType: string, content: Record<string, unknown>, opts: { signature?: string; parent?: Message["header"] } = {}) {
    const msg: Message = {
      identities: [],
      header: makeHeader(msgType, this.session, "test"),
      parent_header: opts.parent ?? {},
      metadata: {},
      content,
      buffers: [],
    };
    const frames = serialize(msg, this.signer);
    if (opts.signature !== undefined) frames[1] = Buffer.from(opts.signature);
    return { msg, frames };
  }

  /** Sends a message and returns its msg_id without waiting. */
  async send(
    channel: Channel,
    msgType: string,
    content: Record<string, unknown> = {},
    opts: { signature?: string; parent?: Message["header"] } = {},
  ): Promise<string> {
    const { msg, frames } = this.frames(msgType, content, opts);
    await this[channel].send(frames);
    return msg.header.msg_id;
  }

  /** Waits for the reply to `msgId` (shell or control). */
  reply(msgId: string, timeoutMs?: number): Promise<Message> {
    return this.waitFor(() => this.replies.get(msgId), `the reply to ${msgId}`, timeoutMs);
  }

  /** The reply to `msgId` if it came, else undefined (does not wait). */
  replyIfAny(msgId: string): Message | undefined {
    return this.replies.get(msgId);
  }

  /** Sends a request and waits for its reply. */
  async request(channel: Channel, msgType: string, content: Record<string, unknown> = {}, timeoutMs?: number): Promise<Message> {
    return this.reply(await this.send(channel, msgType, content), timeoutMs);
  }

  /** IOPub messages whose parent is `msgId`. */
  iopubFor(msgId: string): Message[] {
    return this.iopubMessages.filter((m) => m.parent_header.msg_id === msgId);
  }

  /** Waits for status idle with parent `msgId`. */
  idle(msgId: string, timeoutMs?: number): Promise<Message> {
    return this.waitFor(
      () => this.iopubFor(msgId).find((m) => m.header.msg_type === "status" && m.content.execution_state === "idle"),
      `status idle for ${msgId}`,
      timeoutMs,
    );
  }

  /** Sends an execute_request (defaults as a notebook sends them) without waiting. */
  sendExecute(code: string, content: Record<string, unknown> = {}): Promise<string> {
    return this.send("shell", "execute_request", {
      code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...content,
    });
  }

  /** Sends execute_request and waits for it to end (reply and idle). */
  async execute(code: string, content: Record<string, unknown> = {}, timeoutMs?: number): Promise<ExecuteResult> {
    return this.collect(await this.sendExecute(code, content), timeoutMs);
  }

  /** Waits for a sent execute_request to finish and sorts its outputs. */
  async collect(id: string, timeoutMs?: number): Promise<ExecuteResult> {
    const reply = await this.reply(id, timeoutMs);
    await this.idle(id, timeoutMs);
    const iopub = this.iopubFor(id);
    const of = (t: string) => iopub.filter((m) => m.header.msg_type === t);
    const streams = of("stream").map((m) => ({ name: m.content.name as string, text: m.content.text as string }));
    return {
      reply,
      iopub,
      streams,
      stdout: streams.filter((s) => s.name === "stdout").map((s) => s.text).join(""),
      stderr: streams.filter((s) => s.name === "stderr").map((s) => s.text).join(""),
      results: of("execute_result").map((m) => m.content.data as Record<string, any>),
      displays: iopub.filter((m) => m.header.msg_type === "display_data" || m.header.msg_type === "update_display_data"),
      errors: of("error").map((m) => m.content as ExecuteResult["errors"][number]),
    };
  }

  /** True when the heartbeat echoes within `timeoutMs`. */
  async heartbeat(timeoutMs = 2000): Promise<boolean> {
    const req = new Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    req.connect(this.endpoint(this.conn.hb_port));
    try {
      await req.send("ping");
      const [echo] = await req.receive();
      return echo.toString() === "ping";
    } catch {
      return false;
    } finally {
      req.close();
    }
  }

  /** Sends SIGINT to the kernel process (interrupt_mode "signal"). */
  signalInterrupt(): void {
    this.proc.kill("SIGINT");
  }

  /** Resolves with the exit code when the process ends. */
  exited(): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve(this.proc.exitCode);
    return new Promise((ok) => this.proc.once("exit", (code) => ok(code)));
  }

  close(): void {
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
  }

  /** shutdown_request, then waits for the process to end (kills it if it does not). */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      try {
        await this.request("control", "shutdown_request", { restart: false }, 5000);
        await Promise.race([this.exited(), new Promise((r) => setTimeout(r, 5000))]);
      } catch {
        // fall through to kill
      }
      if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    }
    this.close();
  }
}

/**
 * Starts the built kernel on free ports and connects; resolves once IOPub is subscribed
 * (the kernel's iopub_welcome arrived) and kernel_info_reply came back.
 */
/**
 * This process's environment without the TSDL_* settings of whoever runs the tests
 * (`TSDL_WARMUP=off`, `TSDL_LANGUAGE=off`, … change what a kernel does); TSDL_CACHE_DIR stays,
 * which vitest.config.ts points at a scratch folder. A test sets what it needs in `opts.env`.
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TSDL_") || k === "TSDL_CACHE_DIR"));
}

export async function startKernel(opts: StartOptions = {}): Promise<KernelClient> {
  const { path, conn } = await writeConnectionFile(undefined, opts.connection);
  const proc = spawn(process.execPath, [KERNEL_CLI, "kernel", path], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...inheritedEnv(), ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const client = new KernelClient(proc, conn, path);
  await client.connect();
  await client.waitFor(() => client.iopubMessages.find((m) => m.header.msg_type === "iopub_welcome"), "iopub_welcome", 20_000);
  await client.request("shell", "kernel_info_request", {}, 20_000);
  return client;
}
