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
import { makeHeader, quote, type Message } from "./wire/message.js";
import { StreamCapture } from "./exec/streams.js";
import { Interrupts, KeyboardInterrupt } from "./exec/interrupt.js";
import { Executor } from "./exec/executor.js";
import { reportEscapedErrors } from "./exec/escaped.js";
import { rehearseExecute } from "./exec/rehearsal.js";
import { ConverterThread } from "./convert/thread.js";
import type { StartedConverter } from "./convert/start.js";
import type { SigintWatch } from "./exec/sigint-watch.js";
import type { MainSockets } from "./wire/main-sockets.js";
import { Importer } from "./exec/imports.js";
import { History } from "./history.js";
import { CommManager } from "./comm.js";
import { KernelDisplaySink } from "./display/sink.js";
import { makeDisplay } from "./display/api.js";
import { handlers } from "./handlers/index.js";
import { loadRuntime, type RuntimeHost } from "./runtime-seam.js";
import { log } from "./log.js";
import { languageService } from "./language-seam.js";


/**
 * The quiet (no request) after which the kernel rehearses the execute path, starts the language
 * service and loads the runtime. (Rehearsing 1 ms after kernel_info's answer instead made a
 * first cell sent at once no faster, and IOPub slower to join: the rehearsal takes 6-25 ms
 * while the converter thread loads.)
 */
const QUIET_MS = 25;
/** How long a kernel that receives no cell waits before it warms the runtime up anyway. */
const WARM_UP_AFTER_MS = 1000;
/** The warm-up waits for the language service this long at most. */
const WARM_UP_LATEST_MS = 5000;

export class Kernel {
  readonly session = randomUUID();
  readonly sockets: KernelSockets;
  readonly streams: StreamCapture;
  readonly interrupts = new Interrupts();
  /** Parses and transpiles cells on its own thread (started as early as possible: see cli.ts). */
  readonly converter: ConverterThread;
  readonly executor: Executor;
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

  /**
   * `converter`, `sigintWatch`, `mainSockets`: the converter thread, SIGINT's watchdog thread and
   * shell and IOPub bound, if the caller made them already (cli.ts does, first thing). Without
   * `sigintWatch` the kernel listens for SIGINT itself.
   */
  constructor(
    readonly conn: ConnectionInfo,
    private readonly options: {
      converter?: StartedConverter;
      sigintWatch?: SigintWatch;
      mainSockets?: MainSockets;
    } = {},
  ) {
    this.converter = new ConverterThread(options.converter);
    this.executor = new Executor(this.interrupts, this.converter.convert);
    this.sockets = new KernelSockets(conn, new Signer(conn.key), this.session, options.mainSockets);
    this.streams = new StreamCapture((name, text) => this.publish("stream", { name, text }));
    this.sink = new KernelDisplaySink(
      (type, content) => this.publish(type, content),
      () => this.streams.flush(),
      (text) => this.streams.push("stdout", text),
    );
    this.comms = new CommManager((type, content, metadata) => this.publish(type, content, undefined, metadata));
  }

  async start(): Promise<void> {
    reportEscapedErrors(this);
    this.streams.install();
    this.interrupts.install(this.options.sigintWatch);
    this.installGlobals();
    // The language service's client; its process starts once the first requests are answered
    // (launchLanguageService), and what cells send it meanwhile waits.
    void languageService().then((lang) => lang.start?.({ cwd: process.cwd(), launchLater: true }));
    await this.sockets.bind({
      onMessage: (channel, msg) => this.onMessage(channel, msg),
      onInterrupt: (cell) => this.interrupts.fromControl(cell),
      shared: this.interrupts.shared,
    });
    if (process.env.TSDL_TRACE === "1") log(`start-up: the sockets are bound at ${performance.now().toFixed(0)} ms`);
    // The rehearsal and the runtime's load wait for a moment without requests (startWhenQuiet).
    this.startWhenQuiet();
    this.publish("status", { execution_state: "starting" }, null);
    this.watchParent();
    void this.warmUp();
  }

  private background: Promise<RuntimeHost | null> | null = null;
  /** The execute path's rehearsal while it runs (exec/rehearsal.ts); shell requests wait for it. */
  private rehearsal: Promise<void> | null = null;
  private quietTimer: NodeJS.Timeout | null = null;

  /**
   * Once no request has come for QUIET_MS: rehearses the execute path, starts the language
   * service's process, then loads the runtime, one step per turn of the event loop while no
   * request comes (quietSteps). Each takes this thread (~5-10, ~10-20 and ~20 ms), and a client
   * sends its first requests in a burst — kernel_info, then at once a cell (nbconvert, a
   * benchmark) or comm_info and history (JupyterLab) — which must not queue behind them: a `1 + 1`
   * sent right after kernel_info used to wait ~20 ms for the runtime's compile it does not need.
   * A cell that needs the runtime starts its load itself (execute.ts), at once. Called at start
   * and whenever the kernel becomes idle, until the load has started.
   */
  private startWhenQuiet(): void {
    if (this.background) return;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      void this.quietSteps();
    }, QUIET_MS);
    this.quietTimer.unref();
  }

  /** How many of quietSteps' steps are done. */
  private stepsDone = 0;

  /**
   * The steps of startWhenQuiet, each in its own turn of the event loop: a request that arrives
   * during one is read before the next, which then waits for the next quiet moment (settle()
   * calls startWhenQuiet again), so it waits for one step at most.
   */
  private async quietSteps(): Promise<void> {
    const steps = [() => this.rehearse(), () => this.launchLanguageService(), () => void this.loadInBackground()];
    while (this.stepsDone < steps.length && !this.background && this.inFlight === 0 && this.queue.length === 0) {
      await steps[this.stepsDone++]();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Rehearses the execute path (startWhenQuiet's first step; shell requests wait for it to end). */
  private rehearse(): Promise<void> {
    const started = performance.now();
    return (this.rehearsal = rehearseExecute(this)
      .then(() => {
        if (process.env.TSDL_TRACE === "1") log(`start-up: the execute path was rehearsed in ${(performance.now() - started).toFixed(1)} ms`);
      })
      .catch((e: Error) => log(`the execute path's rehearsal failed (the first cell is only slower): ${e.stack ?? e}`))
      .finally(() => (this.rehearsal = null)));
  }

  /**
   * Starts the language service's process (once; a completion or inspection starts it too). Not
   * with the kernel: spawning it takes this thread ~20 ms, and its loading, even at the lowest
   * priority, slowed the kernel's own start — kernel_info was answered ~85 ms later than with
   * the service off (through jupyter_client). At the first quiet moment, or once the session's
   * first cell is answered if requests never pause: a cell's type check waits for it meanwhile
   * (execute.ts reports a late one to the cell).
   */
  private launchLanguageService(): void {
    if (this.languageLaunched) return;
    this.languageLaunched = true;
    void languageService().then((lang) => lang.launch?.());
  }

  private languageLaunched = false;

  /** Loads the runtime (once); resolves with it, or null when it failed to load. Cells await it. */
  loadInBackground(): Promise<RuntimeHost | null> {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    return (this.background ??= this.loadRuntime());
  }

  /** Requests being handled now (shell and control); the warm-up runs only while it is 0. */
  private inFlight = 0;
  private onFirstCellDone!: () => void;
  /** Resolves when the session's first cell has been answered. */
  private readonly firstCellDone = new Promise<void>((resolve) => (this.onFirstCellDone = resolve));
  private idleWaiters: (() => void)[] = [];

  /** Wakes whoever waits for the kernel to be idle, if it is. */
  private settle(): void {
    if (this.inFlight !== 0 || this.queue.length !== 0) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
    this.startWhenQuiet();
  }

  /** Resolves when no request is being handled (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Trains the runtime's warm-up model a few steps at a time while the kernel waits for
   * requests (runtime/warmup.ts), so the session's first fit runs at the speed of later ones.
   * A request that arrives waits one round at most; `TSDL_WARMUP=off` skips it.
   */
  private async warmUp(): Promise<void> {
    if (/^(0|off|false|no)$/i.test(process.env.TSDL_WARMUP ?? "")) return;
    // Not before the session's first cell, which needs the processor more (a client sends it
    // as soon as the kernel answers), or a second of quiet (someone reading the notebook); and
    // not before the language service has loaded, which at its low priority would wait for the
    // warm-up, and the first completion with it (a few seconds at most).
    const quiet = new Promise<void>((resolve) => setTimeout(resolve, WARM_UP_AFTER_MS).unref());
    const language = languageService().then((lang) => lang.whenLoaded?.());
    const loadedOrLate = Promise.race([language, new Promise<void>((resolve) => setTimeout(resolve, WARM_UP_LATEST_MS).unref())]);
    // By then the runtime is loaded or loading (startWhenQuiet, or a cell that needed it).
    await Promise.all([this.converter.ready, Promise.race([this.firstCellDone, quiet]), loadedOrLate]);
    const host = await this.loadInBackground();
    if (!host?.warmUp) return;
    const started = performance.now();
    try {
      await host.warmUp({ whenIdle: () => this.whenIdle().then(() => new Promise((r) => setImmediate(r))) });
      log(`runtime warmed up in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    } catch (e) {
      log(`runtime warm-up stopped: ${(e as Error).message}`);
    }
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
    // The web's synchronous dialogs, as Deno's Jupyter kernel defines them (see inputSync).
    define("prompt", (message: unknown = "Prompt", defaultValue: unknown = "", options: { password?: boolean } = {}) => {
      const shown = String(message) + (defaultValue !== "" && defaultValue != null ? ` [${String(defaultValue)}]` : "");
      const answer = this.inputSync(shown, options?.password ?? false);
      return answer === "" ? String(defaultValue ?? "") : answer;
    });
    define("confirm", (message: unknown = "Confirm") => {
      const answer = this.inputSync(`${String(message)} [y/N] `, false);
      return answer === "y" || answer === "Y";
    });
    define("alert", (message: unknown = "Alert") => {
      if (this.inputSync(`${String(message)} [Enter] `, false) === null) this.streams.push("stdout", `${String(message)}\n`);
    });
    define("comms", this.comms.api());
    define("__tsdl", {
      import: (spec: string) => this.importer.import(spec),
      require: (spec: string) => this.importer.require(spec),
    });
    this.importer.preset.set("tsdl", async () => (await this.loadInBackground())?.api ?? {});
  }

  /** Imports the runtime, makes its exports globals and plugs the kernel's display sink into it. */
  private async loadRuntime(): Promise<RuntimeHost | null> {
    try {
      const host = await loadRuntime();
      const rt = host.api;
      const g = globalThis as Record<string, unknown>;
      for (const [name, value] of Object.entries(rt)) {
        if (name !== "default" && !(name in g)) Object.defineProperty(g, name, { value, writable: true, configurable: true });
      }
      (rt.setDisplaySink as ((s: unknown) => void) | undefined)?.(this.sink);
      const requestInterrupt = rt.requestInterrupt as (() => void) | undefined;
      if (typeof requestInterrupt === "function") this.interrupts.onInterrupt = requestInterrupt;
      if (host.beginCell) this.interrupts.onCellStart = host.beginCell;
      if (process.env.TSDL_TRACE === "1") log(`start-up: the runtime is loaded at ${performance.now().toFixed(0)} ms`);
      return host;
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
      } else {
        const why = msg.header.msg_type !== "input_reply" ? "only input_reply is expected there" : "no input() is waiting";
        log(`ignored a stdin message of type ${quote(msg.header.msg_type)}: ${why}`);
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
      if (this.rehearsal) await this.rehearsal;
      while (this.queue.length > 0) {
        const { channel, msg } = this.queue.shift()!;
        await this.handle(channel, msg);
      }
    } finally {
      this.draining = false;
      // The last message drained may have had no handler (then handle() settled nothing).
      this.settle();
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
      log(`ignored a ${channel} message of unknown type ${quote(type)}`);
      return;
    }
    this.publish("status", { execution_state: "busy" }, msg);
    this.inFlight++;
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
      this.inFlight--;
      this.settle();
      if (type === "execute_request") {
        this.onFirstCellDone();
        if (!this.languageLaunched) setImmediate(() => this.launchLanguageService());
      }
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
    await this.sendInputRequest(request, prompt, password);
    return answer;
  }

  /** Sends an input_request on stdin for the cell of `request` (input() and prompt() both ask this way). */
  private sendInputRequest(request: Message, prompt: string, password: boolean): Promise<void> {
    return this.sockets.send("stdin", {
      identities: request.identities,
      header: makeHeader("input_request", this.session),
      parent_header: request.header,
      metadata: {},
      content: { prompt, password },
      buffers: [],
    });
  }

  /**
   * `prompt("Name?")` in a cell: asks the front end through input_request and blocks this thread
   * until the input_reply arrives, as a browser's prompt() blocks its page — the answer, or null
   * when the client does not accept input (`allow_stdin: false`, as with nbconvert), which is
   * what Deno's Jupyter kernel and a browser without a person (prompt's "cancel") return. The
   * control thread receives the reply (KernelSockets.waitForStdin); a Stop while it waits throws
   * KeyboardInterrupt. Outputs printed before it are handed to ZeroMQ first, so the person sees
   * them above the prompt.
   */
  inputSync(prompt: string, password: boolean): string | null {
    const request = this.current;
    if (!this.allowStdin || !request || request.header.msg_type !== "execute_request") return null;
    if (this.interrupts.stopRequested()) throw new KeyboardInterrupt();
    this.streams.flush();
    this.sockets.flushIopubSync();
    let answer: string | null = null;
    const pending = { resolve: (v: string) => void (answer = v), reject: () => {} };
    // Replaces a waiting `await input()`'s (none can wait while this thread is blocked here, except
    // one whose cell a Stop already ended): the reply that comes is this prompt's.
    this.pendingInput = pending;
    try {
      void this.sendInputRequest(request, prompt, password);
      const outcome = this.sockets.waitForStdin(
        (channel, msg) => this.onMessage(channel, msg),
        () => answer !== null,
        () => this.interrupts.stopRequested(),
      );
      if (outcome === "stopped") throw new KeyboardInterrupt();
      return answer;
    } finally {
      if (this.pendingInput === pending) this.pendingInput = null;
    }
  }

  /** Closes the sockets and ends the process (a restart is the client starting a new one). */
  async shutdown(): Promise<void> {
    this.streams.flush();
    await this.sockets.close();
    process.exit(0);
  }
}
