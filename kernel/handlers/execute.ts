/**
 * execute_request: run a cell and report its streams, displays, value and errors, honouring
 * silent, store_history, user_expressions, allow_stdin and stop_on_error. A cell that is only a
 * help request (`model.fit?`, `?layers.Dense`) is answered with a pager payload (exec/help.ts).
 */
import type { Handler } from "./types.js";
import type { Kernel } from "../kernel.js";
import type { Message } from "../wire/message.js";
import { bundleOf } from "../display/bundle.js";
import { HANDLE } from "../display/api.js";
import { languageService } from "../language-seam.js";
import type { BeforeExecute } from "../language/index.js";
import { log } from "../log.js";
import { usesOnlyDefined } from "../convert/simple.js";
import { helpPayload, helpRequest } from "../exec/help.js";

interface ExecuteContent {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

let silentCells = 0;

/** TSDL_TRACE=1 logs where each cell's time went (kernel log, stderr of the process). */
const TRACE = process.env.TSDL_TRACE === "1";
function trace(label: string, marks: [string, number][]): void {
  const parts = marks.slice(1).map(([name, t], i) => `${name} ${(t - marks[i][1]).toFixed(2)}`);
  log(`${label}: ${parts.join(", ")} ms`);
}

export const execute_request: Handler = async (kernel, msg, channel) => {
  // A Stop from here to the reply stops this request's cell, even before its script starts.
  kernel.interrupts.openRequest();
  await execute(kernel, msg, channel);
};

const execute: Handler = async (kernel, msg, channel) => {
  const c = msg.content as ExecuteContent;
  const silent = c.silent ?? false;
  const storeHistory = silent ? false : (c.store_history ?? true);
  if (storeHistory) kernel.executionCount++;
  const count = kernel.executionCount;
  const label = storeHistory ? `In[${count}]` : `<cell ${++silentCells}>`;
  if (!silent) kernel.publish("execute_input", { code: c.code, execution_count: count });
  kernel.lastExecute = msg;
  kernel.allowStdin = c.allow_stdin ?? false;

  const marks: [string, number][] = [["start", performance.now()]];
  // A cell that can only use names already defined (`1 + 1` in a session's first moments) runs
  // without waiting for the runtime, which may still be loading; any other cell waits for it.
  const standalone = Object.keys(c.user_expressions ?? {}).length === 0 && usesOnlyDefined(c.code, globalThis);
  const runtime = standalone ? null : await kernel.loadInBackground();
  if (kernel.runtimeWarning && !runtime) {
    kernel.streams.push("stderr", kernel.runtimeWarning);
    kernel.runtimeWarning = null;
  }

  let code = c.code;
  const lang = await languageService();
  if (TRACE) marks.push(["runtime+service", performance.now()]);
  // `model.fit?` / `?layers.Dense`: IPython's help, answered in the pager; never converted (not TypeScript).
  const help = helpRequest(code);
  if (help) {
    if (storeHistory) kernel.history.add(count, c.code);
    const payload = await helpPayload(kernel, help, lang);
    kernel.allowStdin = false;
    kernel.streams.flush();
    const user_expressions = await evaluateUserExpressions(kernel, c.user_expressions ?? {});
    await kernel.reply(channel, msg, "execute_reply", { status: "ok", execution_count: count, user_expressions, payload }, { status: "ok" });
    return;
  }
  let lateDiagnostics: Promise<string | undefined> | undefined;
  // Silent code comes from front ends (not the person), so it is neither type-checked nor
  // given magics, and its declarations do not join the session that completion sees.
  if (lang.beforeExecute && !silent) {
    // %strict and the type check must never cost a cell its reply: if they throw, the cell runs unchecked.
    const before: BeforeExecute = await lang.beforeExecute(code, { deferDiagnostics: true }).catch((e: Error) => {
      log(`language service: beforeExecute failed: ${e.message}`);
      return { code, block: false };
    });
    if (before.notice) kernel.streams.push("stdout", before.notice);
    if (before.diagnosticsText) kernel.streams.push("stderr", before.diagnosticsText);
    code = before.code;
    if (TRACE) marks.push(["beforeExecute", performance.now()]);
    lateDiagnostics = before.diagnostics;
    if (before.block) {
      const error = before.error ?? { ename: "TSError", evalue: "the cell has type errors (see above)", traceback: [before.diagnosticsText ?? ""] };
      if (storeHistory) kernel.history.add(count, c.code);
      await fail(kernel, msg, channel, count, error, c.stop_on_error ?? true);
      return;
    }
  }

  if (storeHistory) kernel.history.add(count, c.code);
  // A language service still loading is stopped from the cell's start until the request has been
  // answered, its idle status included (client.ts, pauseLoading): resumed right after the script,
  // it took a core back while the outputs and the reply were still being sent (a stopped process
  // wakes with the scheduler's credit, even at the lowest priority). Not before this point: with
  // `%strict on`, beforeExecute waits for the service's check.
  let resume: (() => void) | null | undefined;
  try {
    try {
      // execute_input (and anything before it) leaves before the cell can block this thread.
      await kernel.sockets.drainIopub();
      if (TRACE) marks.push(["drain", performance.now()]);
      resume = lang.pauseLoading?.();
      const r = await kernel.executor.run(code, label);
      if (TRACE) {
        const { convert, compile } = kernel.executor.lastTimings;
        marks.push(["run", performance.now()]);
        log(`${label}: run = convert ${convert.toFixed(2)} + compile ${compile.toFixed(2)} + evaluate`);
      }
      await sendDiagnostics(kernel, lateDiagnostics, lang.ready?.() ?? false);
      if (TRACE) marks.push(["diagnostics", performance.now()]);
      kernel.streams.flush();
      const isHandle = (r.value as Record<symbol, unknown> | null)?.[HANDLE] === true;
      if (r.hasValue && r.value !== undefined && !isHandle && !silent) {
        const data = bundleOf(r.value);
        kernel.publish("execute_result", { execution_count: count, data, metadata: {} });
        if (storeHistory && typeof data["text/plain"] === "string") kernel.history.setOutput(count, data["text/plain"]);
      }
    } catch (e) {
      await sendDiagnostics(kernel, lateDiagnostics, lang.ready?.() ?? false);
      await fail(kernel, msg, channel, count, kernel.executor.cells.describe(e), c.stop_on_error ?? true);
      return;
    } finally {
      kernel.allowStdin = false;
    }
    const user_expressions = await evaluateUserExpressions(kernel, c.user_expressions ?? {});
    await kernel.reply(channel, msg, "execute_reply", {
      status: "ok",
      execution_count: count,
      user_expressions,
      payload: [],
    }, { status: "ok" });
  } finally {
    // After the kernel's idle status, which handle() publishes when this returns.
    if (resume) setImmediate(resume);
  }
  if (TRACE) trace(label, [...marks, ["reply", performance.now()]]);
};

/**
 * Type errors of a cell that ran anyway (no %strict) go to its stderr before the reply. The
 * check runs in the language service's process alongside the cell; the reply waits for it at
 * most a second, and only when the service has loaded (a cell run while it still loads, in the
 * first seconds of a session, is answered at once). A check that comes later still goes to the
 * cell, with the cell as its parent: JupyterLab keeps listening to a cell after its reply and
 * shows it there, the classic Notebook does for the latest cell, and jupyter console prints it;
 * nbconvert stops reading a cell at its idle status, so there a late check is not recorded.
 */
const DIAGNOSTICS_WAIT_MS = 1000;

async function sendDiagnostics(kernel: Kernel, diagnostics: Promise<string | undefined> | undefined, serviceReady: boolean): Promise<void> {
  if (!diagnostics) return;
  let timer: NodeJS.Timeout | undefined;
  const late = Symbol("late");
  // A check that is already done (a re-run cell's) is taken at once; otherwise, with the service
  // loaded, it is waited for up to the bound.
  let text = await Promise.race([diagnostics, Promise.resolve(late)]);
  if (text === late && serviceReady) {
    text = await Promise.race([diagnostics, new Promise<typeof late>((r) => (timer = setTimeout(() => r(late), DIAGNOSTICS_WAIT_MS)))]);
    clearTimeout(timer);
  }
  if (text === late) {
    const parent = kernel.current;
    void diagnostics.then((t) => t && kernel.publish("stream", { name: "stderr", text: t }, parent));
  } else if (text) {
    kernel.streams.push("stderr", text);
  }
}

async function fail(
  kernel: Kernel,
  msg: Message,
  channel: "shell" | "control" | "stdin",
  count: number,
  error: { ename: string; evalue: string; traceback: string[] },
  stopOnError: boolean,
): Promise<void> {
  kernel.streams.flush();
  kernel.publish("error", { ...error });
  await kernel.reply(channel, msg, "execute_reply", { status: "error", execution_count: count, ...error, user_expressions: {}, payload: [] }, { status: "error" });
  if (stopOnError) await abortQueued(kernel);
}

/**
 * After an error, the cells already sent behind this one are answered "aborted" without
 * running, as ipykernel does: running cell 5 after cell 4 failed only makes more errors.
 */
async function abortQueued(kernel: Kernel): Promise<void> {
  // Let requests that were sent together with the failing one arrive from the socket first.
  await new Promise((r) => setTimeout(r, 20));
  for (const queued of kernel.takeQueuedExecutes()) {
    kernel.publish("status", { execution_state: "busy" }, queued);
    await kernel.reply("shell", queued, "execute_reply", { status: "aborted", execution_count: kernel.executionCount }, { status: "aborted" });
    kernel.publish("status", { execution_state: "idle" }, queued);
  }
}

async function evaluateUserExpressions(kernel: Kernel, exprs: Record<string, string>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(exprs)) {
    try {
      const r = await kernel.executor.run(expr, `<cell ${++silentCells}>`);
      out[name] = { status: "ok", data: bundleOf(r.value), metadata: {} };
    } catch (e) {
      out[name] = { status: "error", ...kernel.executor.cells.describe(e) };
    }
  }
  return out;
}
