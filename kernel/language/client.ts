/**
 * The kernel's side of the language service: a client of the service's own process
 * (server.ts, at the lowest scheduling priority) that restarts it if it dies, remembers the
 * checks of cells it has seen, and handles `%strict`. Nothing here waits for the service except
 * a completion or inspection (the first may take a second) and, with `%strict on`, a cell's
 * type check.
 *
 * @example
 * const language = new LanguageService({ cwd: process.cwd() });
 * await language.complete("network.fi", 10);      // complete_reply content
 * await language.inspect("tensor", 6, 0);         // inspect_reply content
 * const b = await language.beforeExecute(code);   // %strict, type errors; see BeforeExecute
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { log } from "../log.js";
import { startLanguageServer, type StartedServer } from "./start.js";
import { parseStrictMagic, strictFromEnvironment, describeStrict } from "./strict.js";
import type { ServiceReply, ServiceRequest } from "./protocol.js";
import type { CellCheck, CompleteReply, InspectReply } from "./types.js";

export interface LanguageServiceOptions {
  /** The notebook's folder (default: the kernel's working directory). */
  cwd?: string;
  /** Start with `%strict on` (default: `TSDL_STRICT` from the environment). */
  strict?: boolean;
  /**
   * Start the process only at launch() (a completion or an inspection launches it too); what is
   * sent to it meanwhile waits. The kernel launches it once its first requests are answered.
   */
  launchLater?: boolean;
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

/** A completion, inspection or check that uses more processor time has hung: the service is restarted. */
const REQUEST_CPU_LIMIT_S = 20;
const MAX_RESTARTS = 3;

type RequestBody = ServiceRequest extends infer R ? (R extends ServiceRequest ? Omit<R, "id"> : never) : never;

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
  /** True once the service has loaded TypeScript, the runtime's declarations and the globals. */
  isReady = false;
  /** Resolves when the service is first ready, or has stopped for good. */
  readonly loaded: Promise<void>;
  private onLoaded!: () => void;
  /** Why the service stopped, if it did. */
  failure: string | null = null;

  /** The service's process; null until launched. */
  private server: ChildProcess | null = null;
  /** What was sent before the process was launched, in order. */
  private readonly unsent: ServiceRequest[] = [];
  private readonly cwd: string;
  private lastAdded: string | null = null;
  /** Every cell added, to replay into a restarted service. */
  private readonly cells: string[] = [];
  private restarts = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** The service's process while pauseLoading() holds it stopped. */
  private paused: ChildProcess | null = null;
  /** Checks of cells by their text, valid until the session changes (check()). */
  private readonly checks = new Map<string, Promise<CellCheck>>();

  constructor(options: LanguageServiceOptions = {}) {
    this.strict = options.strict ?? strictFromEnvironment();
    this.cwd = options.cwd ?? process.cwd();
    this.loaded = new Promise((resolve) => (this.onLoaded = resolve));
    if (!options.launchLater) this.watch(startLanguageServer(this.cwd));
    // A stopped service must not outlive the kernel: let it go on, see its channel close, exit.
    process.once("exit", () => this.paused?.kill("SIGCONT"));
  }

  /**
   * Stops the service's process while a cell computes, if it is still loading, and returns what
   * lets it go on (null when there is nothing to stop). At the lowest priority it takes no core
   * a cell wants, but loading — a second of parsing over a heap of ~200 MB — still shares the
   * caches and the memory bus with the cell: it cost the first epoch of the chapter's first fit
   * ~0.3 s of 0.75 (measured, notebook bench, language service on and off). Once loaded, its
   * work per cell is small and runs alongside the cell.
   */
  pauseLoading(): (() => void) | null {
    const server = this.server;
    if (this.isReady || this.failure || this.paused || !server) return null;
    if (!server.kill("SIGSTOP")) return null;
    this.paused = server;
    return () => {
      if (this.paused !== server) return;
      this.paused = null;
      server.kill("SIGCONT");
    };
  }

  /**
   * Starts the service's process, if it has not started (see LanguageServiceOptions.launchLater).
   * Spawning it takes this thread ~20 ms, and its first second of loading slows the kernel's own
   * start-up even at the lowest priority: launched with the kernel, it made kernel_info's answer
   * ~85 ms later (measured through jupyter_client, 0.31 s against 0.22 s without the service).
   */
  launch(): void {
    if (this.server || this.failure) return;
    this.watch(startLanguageServer(this.cwd));
    for (const r of this.unsent.splice(0)) this.post(r);
  }

  private watch(started: StartedServer): void {
    const server = started.process;
    this.server = server;
    const onMessage = (m: ServiceReply) => {
      if ("ready" in m) {
        this.isReady = true;
        this.onLoaded();
        if (process.env.TSDL_TRACE === "1") log(`start-up: the language service is ready at ${performance.now().toFixed(0)} ms`);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ("error" in m) p.reject(new Error(`language service: ${m.error}`));
      else p.resolve(m.result);
    };
    let why = "";
    server.on("error", (e) => (why = e.stack ?? e.message));
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (server !== this.server) return;
      this.isReady = false;
      for (const p of this.pending.values()) p.reject(new Error(`language service stopped: ${why || (signal ?? `exit code ${code}`)}`));
      this.pending.clear();
      // A crash (out of memory on a pathological type) or a request that never ended: start
      // again with the session's cells, a few times; after that, answer empty.
      if (this.restarts++ < MAX_RESTARTS) {
        this.watch(startLanguageServer(this.cwd));
        for (const cell of this.cells) this.post({ id: 0, op: "addCell", code: cell });
      } else {
        this.failure = why || `the service exited with ${signal ?? `code ${code}`}`;
        this.onLoaded();
      }
    };
    server.on("message", onMessage);
    server.on("exit", onExit);
    const early = started.takeEarly();
    if (early.error) why = early.error.stack ?? early.error.message;
    for (const m of early.messages) onMessage(m as ServiceReply);
    if (early.exit) queueMicrotask(() => onExit(early.exit!.code, early.exit!.signal));
  }

  private post(r: ServiceRequest): void {
    if (this.server) this.server.send(r);
    else this.unsent.push(r);
  }

  private request<T>(r: RequestBody): Promise<T> {
    if (this.failure) return Promise.reject(new Error(`language service stopped: ${this.failure}`));
    const id = this.nextId++;
    const server = this.server;
    return new Promise<T>((resolve, reject) => {
      // Only a loaded service is watched (loading itself may take seconds on a busy machine),
      // and by the processor time it spends, not the time on the clock: at the lowest priority
      // it may wait minutes for a core while a cell trains, without having hung.
      const hung = this.isReady && server ? hangWatch(server, REQUEST_CPU_LIMIT_S, () => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        reject(new Error(`language service: ${r.op} used more than ${REQUEST_CPU_LIMIT_S} s of processor time; restarting it`));
        server.kill();
      }) : undefined;
      const done = <V>(f: (v: V) => void) => (v: V) => {
        if (hung) clearInterval(hung);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve as (v: unknown) => void), reject: done(reject) });
      this.post({ ...r, id } as ServiceRequest);
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

  /**
   * The cell's type errors against the session; waits for loading. Checks are remembered by
   * the cell's text until the session changes (a cell with other text is added), so re-running
   * a cell costs no round trip to the service.
   */
  check(code: string): Promise<CellCheck> {
    let checked = this.checks.get(code);
    if (!checked) {
      checked = this.request<CellCheck>({ op: "check", code });
      checked.catch(() => this.checks.delete(code));
      this.checks.set(code, checked);
    }
    return checked;
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
    // The session changes: other cells' checks are stale. This cell's (taken just before, against
    // the session without it) stays: run again, its own names shadow the session's copies.
    for (const other of this.checks.keys()) if (other !== code) this.checks.delete(other);
    this.post({ id: 0, op: "addCell", code });
  }

  /**
   * What beforeExecute runs for a cell, without a cell: the magic's parse and a message down the
   * channel that the service ignores (exec/rehearsal.ts). The first message sent on a channel
   * costs ~0.4 ms of setting up its serializer; a session's first cell no longer pays it.
   */
  rehearse(): void {
    parseStrictMagic("%strict\nconst rehearsal = 1");
    if (!this.failure) this.post({ id: 0, op: "rehearse" });
  }

  /**
   * Handles `%strict` and type-checks the cell against the session. Without `%strict on` it
   * never waits for the check: the check runs alongside the cell (see BeforeExecute.diagnostics),
   * also while the service is still loading, when it is answered once loading is done.
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
    if (magic.code.trim() === "" || this.failure) return result;
    if (!this.strict && options.deferDiagnostics) {
      result.diagnostics = this.check(magic.code).then((r) => r.text || undefined, () => undefined);
      this.addCell(magic.code);
      return result;
    }
    // `%strict on`: the cell waits for its check, so the service must start now.
    this.launch();
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

/**
 * Calls `onHung` once `child` has used `limitS` seconds of processor time from now (read from
 * /proc every few seconds); where /proc is missing, once `limitS` seconds have passed.
 */
function hangWatch(child: ChildProcess, limitS: number, onHung: () => void): NodeJS.Timeout {
  const cpuSeconds = (): number | null => {
    try {
      // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name): user and system time.
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      return null;
    }
  };
  const start = cpuSeconds();
  const began = performance.now();
  const timer = setInterval(() => {
    const now = cpuSeconds();
    const used = start !== null && now !== null ? now - start : (performance.now() - began) / 1000;
    if (used >= limitS) {
      clearInterval(timer);
      onHung();
    }
  }, 2000);
  timer.unref();
  return timer;
}

/** Linux's USER_HZ: /proc reports processor time in these ticks on every architecture Node runs on. */
const CLOCK_TICKS = 100;
