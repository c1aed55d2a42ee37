/**
 * The kernel's side of the converter thread (worker.ts): converts cells there and rebuilds
 * them here, so parsing and transpiling never block the thread that answers requests and runs
 * cells, and loading TypeScript happens in parallel with the kernel's start-up.
 *
 * @example const t = new ConverterThread(); const cell = await t.convert("1 + 1"); cell.js;
 */
import type { Worker } from "node:worker_threads";
import { startConverterThread, type StartedConverter } from "./start.js";
import { simpleExpression } from "./simple.js";
import { cachedConverter, convertToData, fromData, type ConvertedCell, type ConvertedData } from "./index.js";
import { isComplete } from "./is-complete.js";
import { CellSyntaxError } from "./rewrite.js";
import type { IsCompleteReply } from "./is-complete.js";
import { log } from "../log.js";

const TRACE = process.env.TSDL_TRACE === "1";

export type ConverterRequest = { id: number; op: "convert" | "isComplete"; code: string };

export type ConverterReply =
  | { id: number; data: ConvertedData }
  | { id: number; isComplete: IsCompleteReply }
  | { id: number; syntaxError: { description: string; line: number; column: number; sourceLine: string } }
  | { id: number; error: string }
  | { id: 0; ready: true };

/**
 * A thread that dies before it has loaded TypeScript is replaced this many times; then cells are
 * converted in the kernel's own thread. A thread that dies while converting (a cell that runs it
 * out of memory) is always replaced: converting such a cell here would end the kernel.
 */
const MAX_START_FAILURES = 3;

export class ConverterThread {
  private worker: Worker | null;
  private startFailures = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { op: ConverterRequest["op"]; code: string; resolve: (r: ConverterReply) => void; reject: (e: Error) => void }>();
  /** Cells converted before, by their exact text (cachedConverter). */
  readonly convert: (code: string) => Promise<ConvertedCell>;
  /** Resolves once the first thread has loaded TypeScript (or has died trying). */
  readonly ready: Promise<void>;
  private onReady!: () => void;

  /** `started`: a thread already started with startConverterThread() (cli.ts does, first thing). */
  constructor(started: StartedConverter = startConverterThread()) {
    this.ready = new Promise((resolve) => (this.onReady = resolve));
    this.worker = this.watch(started);
    this.convert = cachedConverter(async (code) => {
      const simple = simpleExpression(code);
      if (simple) return fromData(code, simple);
      const reply = await this.request("convert", code);
      if ("data" in reply) return fromData(code, reply.data);
      throw this.errorOf(reply);
    });
  }

  private watch(started: StartedConverter): Worker {
    const { worker } = started;
    let loaded = false;
    const onMessage = (reply: ConverterReply) => {
      if ("ready" in reply) {
        loaded = true;
        this.onReady();
        if (TRACE) log(`start-up: the converter thread is ready at ${performance.now().toFixed(0)} ms`);
        return;
      }
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      p?.resolve(reply);
    };
    let why = "";
    worker.on("error", (e) => (why = e.stack ?? e.message));
    // A thread that died (out of memory on a pathological cell) is replaced; what it held is
    // asked again of the new one, except the request that was running when it died.
    const onExit = (code: number) => {
      if (worker !== this.worker) return;
      this.onReady();
      const waiting = [...this.pending.values()];
      this.pending.clear();
      if (loaded || ++this.startFailures < MAX_START_FAILURES) this.worker = this.watch(startConverterThread());
      else {
        this.worker = null;
        log(`the converter thread failed to start ${this.startFailures} times (${why || `exit code ${code}`}); converting cells on the kernel's thread`);
      }
      const [first, ...rest] = waiting;
      first?.reject(new Error(`the cell converter stopped (${why || `exit code ${code}`}) while converting this cell`));
      for (const p of rest) void this.request(p.op, p.code).then(p.resolve, p.reject);
    };
    worker.on("message", onMessage);
    worker.on("exit", onExit);
    const early = started.takeEarly();
    if (early.error) why = early.error.stack ?? early.error.message;
    for (const m of early.messages) onMessage(m as ConverterReply);
    if (early.exitCode !== null) queueMicrotask(() => onExit(early.exitCode!));
    return worker;
  }

  private request(op: ConverterRequest["op"], code: string): Promise<ConverterReply> {
    const worker = this.worker;
    if (!worker) {
      return Promise.resolve(op === "isComplete" ? { id: 0, isComplete: isComplete(code) } : convertToData(code).then((data) => ({ id: 0, data })));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op, code, resolve, reject });
      worker.postMessage({ id, op, code } satisfies ConverterRequest);
    });
  }

  private errorOf(reply: ConverterReply): Error {
    if ("syntaxError" in reply) {
      const s = reply.syntaxError;
      return new CellSyntaxError(s.description, s.line, s.column, s.sourceLine);
    }
    return new Error(`the cell converter failed: ${"error" in reply ? reply.error : "no answer"}`);
  }

  /** is_complete_reply content for a console's input. */
  async isComplete(code: string): Promise<IsCompleteReply> {
    const reply = await this.request("isComplete", code);
    if ("isComplete" in reply) return reply.isComplete;
    return { status: "invalid" };
  }
}

