/**
 * One kernel process: the sockets, the session state (execution count, history, comms, the
 * running cell) and the dispatch of every request to the handler named after its msg_type,
 * with status busy/idle around each. Shell requests run one at a time, in order; control
 * requests are answered at once.
 *
 * @example const k = new Kernel(readConnectionFile(path)); await k.start();
 */
import { randomUUID } from "node:crypto";
import type { ConnectionInfo } from "./wire/connection.js";
import { Signer } from "./wire/signer.js";
import { KernelSockets, type Channel } from "./wire/sockets.js";
import { makeHeader, type Message } from "./wire/message.js";
import { StreamCapture } from "./exec/streams.js";
import { Interrupts, KeyboardInterrupt } from "./exec/interrupt.js";
import { Executor } from "./exec/executor.js";
import { Importer } from "./exec/imports.js";
import { History } from "./history.js";
import { CommManager } from "./comm.js";
import { KernelDisplaySink } from "./display/sink.js";
import { makeDisplay } from "./display/api.js";
import { handlers } from "./handlers/index.js";
import { preloadTypeScript, loadEsbuild } from "./convert/index.js";
import { log } from "./log.js";
import { languageService } from "./language-seam.js";


export class Kernel {
  readonly session = randomUUID();
  readonly sockets: KernelSockets;
  readonly streams: StreamCapture;
  readonly interrupts = new Interrupts();
  readonly executor = new Executor(this.interrupts);
  readonly history = new History();
  readonly comms: CommManager;
  readonly sink: KernelDisplaySink;
  readonly importer = new Importer(process.cwd());
  executionCount = 0;
  /** The request whose outputs are being produced now (an execute_request, a comm message). */
  current: Message | null = null;
  /** The last execute_request: outputs from timers after a cell ended go there, as in ipykernel. */
  lastExecute: Message | null = null;
  /** The running execute_request allows input_request. */
  allowStdin = false;
  /** Set once when the runtime failed to import; shown in the first cell's stderr. */
  runtimeWarning: string | null = null;
  private readonly queue: { channel: Channel; msg: Message }[] = [];
  private draining = false;
  private pendingInput: { resolve: (v: string) => void; reject: (e: Error) => void } | null = null;

  constructor(readonly conn: ConnectionInfo) {
    this.sockets = new KernelSockets(conn, new Signer(conn.key), this.session);
    this.streams = new StreamCapture((name, text) => this.publish("stream", { name, text }));
    this.sink = new KernelDisplaySink(
      (type, content) => this.publish(type, content),
      () => this.streams.flush(),
      (text) => this.streams.push("stdout", text),
    );
    this.comms = new CommManager((type, content, metadata) => this.publish(type, content, undefined, metadata));
  }

  async start(): Promise<void> {
    this.streams.install();
    this.interrupts.install();
    this.installGlobals();
    await this.sockets.bind({
      onMessage: (channel, msg) => this.onMessage(channel, msg),
      onInterrupt: (cell) => this.interrupts.fromControl(cell),
      shared: this.interrupts.shared,
    });
    this.publish("status", { execution_state: "starting" }, null);
    this.watchParent();
    // The language worker is its own thread: starting it now (not after the runtime has loaded)
    // brings the first completion ~0.3 s earlier; with it, process start → kernel_info_reply
    // measured 0.188 s on 2 cores (npm run bench -- kernel, README).
    void languageService().then((lang) => lang.start?.({ cwd: process.cwd() }));
    // Everything heavy loads after the first kernel_info_reply (or shortly after start if none
    // comes): loading TypeScript blocks this thread for a few hundred ms, and a client waiting
    // for kernel_info must not wait for it.
    setTimeout(() => this.loadInBackground(), 500).unref();
  }

  private background: Promise<Record<string, unknown> | null> | null = null;

  /**
   * Starts loading TypeScript, esbuild and the runtime (once; the language service started with
   * the sockets); resolves with the runtime module (null when it failed to load). The first cell
   * awaits it.
   */
  loadInBackground(): Promise<Record<string, unknown> | null> {
    if (this.background) return this.background;
    this.background = this.loadRuntime();
    preloadTypeScript();
    void loadEsbuild().catch(() => {});
    return this.background;
  }

  /**
   * Ends the kernel when the front end that started it dies without shutting it down (a killed
   * `jupyter console`), as ipykernel's parent poller does; jupyter_client sets JPY_PARENT_PID.
   */
  private watchParent(): void {
    const parent = Number(process.env.JPY_PARENT_PID);
    if (!Number.isInteger(parent) || parent <= 1) return;
    const timer = setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        log(`the front end (pid ${parent}) is gone; shutting down`);
        void this.shutdown();
      }
    }, 1000);
    timer.unref();
  }

  private installGlobals(): void {
    const { display, clearOutput } = makeDisplay(this.sink);
    const g = globalThis as Record<string, unknown>;
    const define = (name: string, value: unknown) =>
      Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
    define("display", display);
    define("clearOutput", clearOutput);
    define("input", (prompt = "", options: { password?: boolean } = {}) => this.input(String(prompt), options.password ?? false));
    define("comms", this.comms.api());
    define("__tsdl", {
      import: (spec: string) => this.importer.import(spec),
      require: (spec: string) => this.importer.require(spec),
    });
    this.importer.preset.set("tsdl", async () => (await this.loadInBackground()) ?? {});
  }

  /** Imports the runtime, makes its exports globals and plugs the kernel's display sink into it. */
  private async loadRuntime(): Promise<Record<string, unknown> | null> {
    try {
      // TSDL_RUNTIME_MODULE lets tests (and people debugging the runtime) load another module.
      const url = process.env.TSDL_RUNTIME_MODULE ?? new URL("../runtime/index.js", import.meta.url).href;
      const rt = (await import(url)) as Record<string, unknown>;
      const g = globalThis as Record<string, unknown>;
      for (const [name, value] of Object.entries(rt)) {
        if (name !== "default" && !(name in g)) Object.defineProperty(g, name, { value, writable: true, configurable: true });
      }
      (rt.setDisplaySink as ((s: unknown) => void) | undefined)?.(this.sink);
      const requestInterrupt = rt.requestInterrupt as (() => void) | undefined;
      if (typeof requestInterrupt === "function") this.interrupts.onInterrupt = requestInterrupt;
      // beginCell clears a stale stop and the tensor scopes a stopped cell left open. It is a
      // hook for the kernel alone, so it comes from the runtime's cell.js (the same module
      // instance the runtime uses), not from its index, whose exports become cell globals.
      const cell = (await import(new URL("./cell.js", url).href).catch(() => null)) as { beginCell?: () => void } | null;
      if (typeof cell?.beginCell === "function") this.interrupts.onCellStart = cell.beginCell;
      return rt;
    } catch (e) {
      this.runtimeWarning =
        `tsdl: the runtime (tensors, models, layers, plot) failed to load, so its names are not defined ` +
        `in cells; plain TypeScript still runs. Cause: ${(e as Error).message}\n`;
      log(this.runtimeWarning.trim());
      return null;
    }
  }

  private onMessage(channel: Channel, msg: Message): void {
    if (channel === "stdin") {
      if (msg.header.msg_type === "input_reply" && this.pendingInput) {
        const p = this.pendingInput;
        this.pendingInput = null;
        p.resolve(String(msg.content.value ?? ""));
      }
      return;
    }
    if (channel === "control") {
      void this.handle(channel, msg);
      return;
    }
    this.queue.push({ channel, msg });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const { channel, msg } = this.queue.shift()!;
        await this.handle(channel, msg);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Execute requests waiting in the shell queue (aborted after an error with stop_on_error). */
  takeQueuedExecutes(): Message[] {
    const taken = this.queue.filter((q) => q.msg.header.msg_type === "execute_request").map((q) => q.msg);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].msg.header.msg_type === "execute_request") this.queue.splice(i, 1);
    return taken;
  }

  private async handle(channel: Channel, msg: Message): Promise<void> {
    const type = msg.header.msg_type;
    const handler = handlers[type];
    if (!handler) {
      log(`ignored a ${channel} message of unknown type ${JSON.stringify(type)}`);
      return;
    }
    this.publish("status", { execution_state: "busy" }, msg);
    const previous = this.current;
    if (channel === "shell") this.current = msg;
    try {
      await handler(this, msg, channel);
    } catch (e) {
      log(`${type} handler failed: ${(e as Error).stack ?? e}`);
    } finally {
      this.streams.flush();
      if (channel === "shell") this.current = previous;
      this.publish("status", { execution_state: "idle" }, msg);
    }
  }

  /** Publishes on IOPub with the running request (or `parent`) as parent header. */
  publish(msgType: string, content: Record<string, unknown>, parent?: Message | null, metadata: Record<string, unknown> = {}): void {
    const p = parent === undefined ? (this.current ?? this.lastExecute) : parent;
    void this.sockets.publish({
      identities: [],
      header: makeHeader(msgType, this.session),
      parent_header: p?.header ?? {},
      metadata,
      content,
      buffers: [],
    });
  }

  /** Sends the reply to `request` on its channel. */
  reply(channel: Channel, request: Message, msgType: string, content: Record<string, unknown>, metadata: Record<string, unknown> = {}): Promise<void> {
    return this.sockets.send(channel, {
      identities: request.identities,
      header: makeHeader(msgType, this.session),
      parent_header: request.header,
      metadata,
      content,
      buffers: [],
    });
  }

  /** `await input("Name? ")` in a cell: asks the front end through input_request on stdin. */
  async input(prompt: string, password: boolean): Promise<string> {
    const request = this.current;
    if (!this.allowStdin || !request || request.header.msg_type !== "execute_request") {
      throw new Error(
        "input(): this front end does not accept input (the execute_request has allow_stdin: false, " +
          "as with nbconvert); run the cell in JupyterLab, Notebook or jupyter console, or pass the value in code",
      );
    }
    this.streams.flush();
    // A Stop while waiting aborts the cell's signal: the prompt is withdrawn with KeyboardInterrupt.
    // The listener goes when the answer comes (once only removes it when it fires: a loop of
    // prompts in one cell would otherwise pile listeners on that cell's signal).
    const signal = this.interrupts.signal;
    const answer = new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        if (this.pendingInput?.reject !== reject) return;
        this.pendingInput = null;
        reject(new KeyboardInterrupt());
      };
      this.pendingInput = {
        resolve: (v) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(v);
        },
        reject,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    await this.sockets.send("stdin", {
      identities: request.identities,
      header: makeHeader("input_request", this.session),
      parent_header: request.header,
      metadata: {},
      content: { prompt, password },
      buffers: [],
    });
    return answer;
  }

  /** Closes the sockets and ends the process (a restart is the client starting a new one). */
  async shutdown(): Promise<void> {
    this.streams.flush();
    await this.sockets.close();
    process.exit(0);
  }
}
