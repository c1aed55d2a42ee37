/**
 * The kernel's handle on the language service: completion, inspection and type checking of
 * cells, computed in a worker thread that starts loading TypeScript in the background. Nothing
 * here waits for it except a completion or inspection (the first may take a second) and, with
 * `%strict on`, a cell's type check.
 *
 * @example
 * const language = startLanguageService({ cwd: process.cwd() });
 * await language.complete("network.fi", 10);      // complete_reply content
 * await language.inspect("tensor", 6, 0);         // inspect_reply content
 * const plan = await language.beforeExecute(code); // %strict, type errors; see ExecutePlan
 */
import { Worker } from "node:worker_threads";
import { parseStrictMagic, strictFromEnvironment, describeStrict } from "./strict.js";
import type { WorkerReply, WorkerRequest } from "./protocol.js";
import type { CellCheck, CompleteReply, InspectReply } from "./types.js";

export type { CellCheck, CellDiagnostic, CompleteReply, CompletionType, InspectReply } from "./types.js";
export { parseStrictMagic } from "./strict.js";

export interface LanguageServiceOptions {
  /** The notebook's folder (default: the kernel's working directory). */
  cwd?: string;
  /** Start with `%strict on` (default: `TSDL_STRICT` from the environment). */
  strict?: boolean;
}

/** What the kernel does with a cell about to run; see {@link LanguageService.beforeExecute}. */
export interface ExecutePlan {
  /** The code to run: `%strict` lines blanked out. */
  code: string;
  /** Text for a stdout stream before anything else (the answer to `%strict on|off`). */
  notice?: string;
  /**
   * Set when the cell must not run (`%strict on` and type errors, or a malformed `%strict`):
   * send `text` as a stderr stream and an execute_reply/error with these fields.
   */
  blocked?: { ename: string; evalue: string; traceback: string[]; text: string };
  /**
   * After running the cell (before execute_reply): the type errors to send as a stderr stream,
   * or undefined when there are none or the language service was still loading.
   */
  typeErrors(): Promise<string | undefined>;
  /** Call once the cell ran (even if it threw): its declarations join the session. */
  ran(): void;
}

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
  /** Resolves when ready (never rejects: a failed worker resolves it and answers empty). */
  readonly ready: Promise<void>;
  /** How long loading took in the worker, in ms, once ready. */
  loadMs: number | null = null;
  /** The preloaded names the globals file declares, once ready. */
  globals: string[] = [];
  /** Why the worker stopped, if it did. */
  failure: string | null = null;

  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(options: LanguageServiceOptions = {}) {
    this.strict = options.strict ?? strictFromEnvironment();
    const here = import.meta.url;
    const url = new URL(here.endsWith(".ts") ? "./worker.ts" : "./worker.js", here);
    this.worker = new Worker(url, { workerData: { cwd: options.cwd ?? process.cwd() } });
    // The kernel exits when it is told to, whatever this thread is doing.
    this.worker.unref();
    let markReady!: () => void;
    this.ready = new Promise<void>((r) => (markReady = r));
    this.worker.on("message", (m: WorkerReply) => {
      if ("ready" in m) {
        this.isReady = true;
        this.loadMs = m.ready.ms;
        this.globals = m.ready.globals;
        markReady();
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ("error" in m) p.reject(new Error(`language service: ${m.error}`));
      else p.resolve(m.result);
    });
    const fail = (why: string): void => {
      this.failure ??= why;
      markReady();
      for (const p of this.pending.values()) p.reject(new Error(`language service stopped: ${why}`));
      this.pending.clear();
    };
    this.worker.on("error", (e) => fail(e.stack ?? e.message));
    this.worker.on("exit", (code) => fail(`worker exited with code ${code}`));
  }

  private request<T>(r: RequestBody): Promise<T> {
    if (this.failure) return Promise.reject(new Error(`language service stopped: ${this.failure}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...r, id });
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

  /** A cell that ran: its top-level declarations join the session (queued while loading). */
  addCell(code: string): void {
    if (this.failure) return;
    this.worker.postMessage({ id: 0, op: "addCell", code } satisfies WorkerRequest);
  }

  /** The generated globals declaration file (for inspection and tests). */
  globalsText(): Promise<string> {
    return this.request<string>({ op: "globals" });
  }

  /**
   * Everything the kernel does about types around one execute_request:
   *
   * ```ts
   * const plan = await language.beforeExecute(code);
   * if (plan.notice) stream("stdout", plan.notice);
   * if (plan.blocked) { stream("stderr", plan.blocked.text); replyError(plan.blocked); return; }
   * ...run plan.code...
   * const errors = await plan.typeErrors(); if (errors) stream("stderr", errors);
   * plan.ran();
   * ```
   *
   * The check starts in the worker at once and runs alongside the cell; without `%strict on`
   * it never waits for the service to load (a cell run while it loads is simply not checked).
   */
  async beforeExecute(code: string): Promise<ExecutePlan> {
    const magic = parseStrictMagic(code);
    let notice: string | undefined;
    if (magic.strict !== undefined) this.strict = magic.strict;
    if (magic.strict !== undefined || magic.query) notice = describeStrict(this.strict) + "\n";
    const plan: ExecutePlan = {
      code: magic.code,
      notice,
      typeErrors: async () => undefined,
      ran: () => this.addCell(magic.code),
    };
    if (magic.problem) {
      plan.blocked = { ename: "UsageError", evalue: magic.problem, traceback: [magic.problem], text: magic.problem + "\n" };
      plan.ran = () => {};
      return plan;
    }
    if (magic.code.trim() === "") return plan;
    if (this.strict) {
      const result = await this.check(magic.code).catch(() => null);
      if (result && result.diagnostics.some((d) => d.category === "error")) {
        const n = result.diagnostics.filter((d) => d.category === "error").length;
        const evalue = `${n} type error${n === 1 ? "" : "s"} in the cell; it did not run (%strict on; \`%strict off\` runs cells with type errors)`;
        plan.blocked = { ename: "TSError", evalue, traceback: [result.text, `TSError: ${evalue}`], text: result.text };
        plan.ran = () => {};
      } else if (result?.text) {
        plan.typeErrors = async () => result.text;
      }
      return plan;
    }
    if (!this.isReady) return plan;
    const checking = this.check(magic.code).then((r) => r.text || undefined, () => undefined);
    plan.typeErrors = () => checking;
    return plan;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Starts the language service's worker; call once the kernel's sockets are up. */
export function startLanguageService(options: LanguageServiceOptions = {}): LanguageService {
  return new LanguageService(options);
}
