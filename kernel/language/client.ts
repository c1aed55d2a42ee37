/**
 * The kernel thread's side of the language service: a client of the worker thread
 * (worker.ts) that loads TypeScript in the background, restarts it if it dies, and handles
 * `%strict`. Nothing here waits for the worker except a completion or inspection (the first
 * may take a second) and, with `%strict on`, a cell's type check.
 *
 * @example
 * const language = new LanguageService({ cwd: process.cwd() });
 * await language.complete("network.fi", 10);      // complete_reply content
 * await language.inspect("tensor", 6, 0);         // inspect_reply content
 * const b = await language.beforeExecute(code);   // %strict, type errors; see BeforeExecute
 */
import { Worker } from "node:worker_threads";
import { parseStrictMagic, strictFromEnvironment, describeStrict } from "./strict.js";
import type { WorkerReply, WorkerRequest } from "./protocol.js";
import type { CellCheck, CompleteReply, InspectReply } from "./types.js";

export interface LanguageServiceOptions {
  /** The notebook's folder (default: the kernel's working directory). */
  cwd?: string;
  /** Start with `%strict on` (default: `TSDL_STRICT` from the environment). */
  strict?: boolean;
}

/**
 * What the kernel does with a cell about to run (kernel/language-seam.ts):
 * `diagnosticsText` goes to the cell's stderr; `block` stops the cell (reported with `error`).
 */
export interface BeforeExecute {
  /** The code to run: `%strict` lines blanked out (line numbers stay as typed). */
  code: string;
  /** True when the cell must not run: `%strict on` and type errors, or a malformed `%strict`. */
  block: boolean;
  /** Type errors (`cell:3:7 - error TS2345: …`) for a stderr stream; absent when none. */
  diagnosticsText?: string;
  /** The error to report when blocked: ename "TSError" (or "UsageError" for a bad `%strict`). */
  error?: { ename: string; evalue: string; traceback: string[] };
  /** Text for a stdout stream: the answer to `%strict on|off`. */
  notice?: string;
  /**
   * With `{ deferDiagnostics: true }` and `%strict off`: the type check runs alongside the cell;
   * await this after running it (before execute_reply) and send the text, if any, to stderr.
   */
  diagnostics?: Promise<string | undefined>;
}

export interface BeforeExecuteOptions {
  /** Do not wait for the type check before running (see {@link BeforeExecute.diagnostics}). */
  deferDiagnostics?: boolean;
}

/** A completion, inspection or check that takes longer has hung: the worker is restarted. */
const REQUEST_TIMEOUT_MS = 20_000;
const MAX_RESTARTS = 3;

type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;

const EMPTY_COMPLETION = (cursorPos: number): CompleteReply => ({
  status: "ok",
  matches: [],
  cursor_start: cursorPos,
  cursor_end: cursorPos,
  metadata: { _jupyter_types_experimental: [] },
});

export class LanguageService {
  /** `%strict on`: type errors stop the cell. */
  strict: boolean;
  /** True once the worker has loaded TypeScript, the runtime's declarations and the globals. */
  isReady = false;
  /** Why the worker stopped, if it did. */
  failure: string | null = null;

  private worker!: Worker;
  private readonly cwd: string;
  private lastAdded: string | null = null;
  /** Every cell added, to replay into a restarted worker. */
  private readonly cells: string[] = [];
  private restarts = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(options: LanguageServiceOptions = {}) {
    this.strict = options.strict ?? strictFromEnvironment();
    this.cwd = options.cwd ?? process.cwd();
    this.spawn();
  }

  private spawn(): void {
    const here = import.meta.url;
    const url = new URL(here.endsWith(".ts") ? "./worker.ts" : "./worker.js", here);
    const worker = new Worker(url, { workerData: { cwd: this.cwd } });
    this.worker = worker;
    // The kernel exits when it is told to, whatever this thread is doing.
    worker.unref();
    worker.on("message", (m: WorkerReply) => {
      if ("ready" in m) {
        this.isReady = true;
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ("error" in m) p.reject(new Error(`language service: ${m.error}`));
      else p.resolve(m.result);
    });
    let why = "";
    worker.on("error", (e) => (why = e.stack ?? e.message));
    worker.on("exit", (code) => {
      if (worker !== this.worker) return;
      this.isReady = false;
      for (const p of this.pending.values()) p.reject(new Error(`language service stopped: ${why || `exit code ${code}`}`));
      this.pending.clear();
      // A crash (out of memory on a pathological type) or a request that never ended: start
      // again with the session's cells, a few times; after that, answer empty.
      if (this.restarts++ < MAX_RESTARTS) {
        this.spawn();
        for (const cell of this.cells) this.worker.postMessage({ id: 0, op: "addCell", code: cell } satisfies WorkerRequest);
      } else {
        this.failure = why || `worker exited with code ${code}`;
      }
    });
  }

  private request<T>(r: RequestBody): Promise<T> {
    if (this.failure) return Promise.reject(new Error(`language service stopped: ${this.failure}`));
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise<T>((resolve, reject) => {
      // Only a loaded service is timed: loading itself may take seconds on a busy machine.
      const timer = this.isReady
        ? setTimeout(() => {
            if (!this.pending.has(id)) return;
            this.pending.delete(id);
            reject(new Error(`language service: ${r.op} took longer than ${REQUEST_TIMEOUT_MS} ms; restarting it`));
            void worker.terminate();
          }, REQUEST_TIMEOUT_MS)
        : undefined;
      timer?.unref();
      const done = <V>(f: (v: V) => void) => (v: V) => {
        clearTimeout(timer);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve as (v: unknown) => void), reject: done(reject) });
      worker.postMessage({ ...r, id });
    });
  }

  /** complete_reply content for `cursorPos` (code points) in `code`; waits for loading. */
  async complete(code: string, cursorPos: number): Promise<CompleteReply> {
    try {
      return await this.request<CompleteReply>({ op: "complete", code, cursorPos });
    } catch {
      return EMPTY_COMPLETION(cursorPos);
    }
  }

  /** inspect_reply content (found false when nothing is at the cursor); waits for loading. */
  async inspect(code: string, cursorPos: number, _detailLevel = 0): Promise<InspectReply> {
    try {
      return await this.request<InspectReply>({ op: "inspect", code, cursorPos });
    } catch {
      return { status: "ok", found: false, data: {}, metadata: {} };
    }
  }

  /** The cell's type errors against the session; waits for loading. */
  check(code: string): Promise<CellCheck> {
    return this.request<CellCheck>({ op: "check", code });
  }

  /**
   * A cell that runs: its top-level declarations join the session (queued while loading).
   * beforeExecute adds every cell it lets run (the kernel hoists a cell's names, so they exist
   * even when it throws half-way); re-running the same cell adds nothing new.
   */
  addCell(code: string): void {
    if (this.failure || code === this.lastAdded) return;
    this.lastAdded = code;
    this.cells.push(code);
    this.worker.postMessage({ id: 0, op: "addCell", code } satisfies WorkerRequest);
  }

  /**
   * Handles `%strict` and type-checks the cell against the session. Without `%strict on` it
   * never waits for the service to load: a cell run while it loads is simply not checked.
   *
   * ```ts
   * const b = await language.beforeExecute(code, { deferDiagnostics: true });
   * if (b.notice) stream("stdout", b.notice);
   * if (b.block) { stream("stderr", b.diagnosticsText); replyError(b.error); return; }
   * if (b.diagnosticsText) stream("stderr", b.diagnosticsText);
   * ...run b.code...
   * const later = await b.diagnostics; if (later) stream("stderr", later);
   * ```
   */
  async beforeExecute(code: string, options: BeforeExecuteOptions = {}): Promise<BeforeExecute> {
    const magic = parseStrictMagic(code);
    const result: BeforeExecute = { code: magic.code, block: false };
    if (magic.strict !== undefined) this.strict = magic.strict;
    if (magic.strict !== undefined || magic.query) result.notice = describeStrict(this.strict) + "\n";
    if (magic.problem) {
      const traceback = [magic.problem];
      return { ...result, block: true, diagnosticsText: magic.problem + "\n", error: { ename: "UsageError", evalue: magic.problem, traceback } };
    }
    if (magic.code.trim() === "") return result;
    if (!this.strict && !this.isReady) {
      this.addCell(magic.code);
      return result;
    }
    if (!this.strict && options.deferDiagnostics) {
      result.diagnostics = this.check(magic.code).then((r) => r.text || undefined, () => undefined);
      this.addCell(magic.code);
      return result;
    }
    const checked = await this.check(magic.code).catch(() => null);
    const errors = checked?.diagnostics.filter((d) => d.category === "error").length ?? 0;
    if (checked?.text) result.diagnosticsText = checked.text;
    if (this.strict && errors > 0 && checked) {
      const evalue = `${errors} type error${errors === 1 ? "" : "s"} in the cell, so it did not run (%strict on; \`%strict off\` runs cells with type errors)`;
      result.block = true;
      result.error = { ename: "TSError", evalue, traceback: [checked.text, `TSError: ${evalue}`] };
    } else {
      this.addCell(magic.code);
    }
    return result;
  }
}

