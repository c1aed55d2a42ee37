/**
 * Errors that escape a cell — an unhandled rejection, a throw in a timer, an event handler, a
 * callback — are reported in a cell's output and never end the kernel: its variables stay and it
 * answers the next cell. `process.exit()` ends the kernel cleanly, with the status asked for.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";

/** How long a report may take to arrive after the cell that started the work replied. */
const REPORT_WAIT_MS = 15_000;
const ABORTED = /terminate called|Napi::Error|Aborted|core dumped/;

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  const r = await k.execute("let kept = 41 + 1");
  expect(r.reply.content.status).toBe("ok");
});
afterAll(async () => {
  await k?.stop();
});

/** Runs `code` as a cell; resolves with its number and its reply once it is done. */
async function run(code: string) {
  const id = await k.sendExecute(code);
  const r = await k.collect(id);
  return { id, n: r.reply.content.execution_count as number, r };
}

/** The stderr text of request `id` once it contains `needle` (the report may come after the reply). */
function stderrOf(id: string, needle: string): Promise<string> {
  const text = () =>
    k.iopubFor(id)
      .filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr")
      .map((m) => m.content.text as string)
      .join("");
  return k.waitFor(() => (text().includes(needle) ? text() : undefined), `stderr containing ${JSON.stringify(needle)}`, REPORT_WAIT_MS);
}

/** The kernel is still there: it answers a cell, and a variable from before the escape has its value. */
async function stillAlive(): Promise<void> {
  const r = await k.execute("kept");
  expect(r.errors).toEqual([]);
  expect(r.results[0]?.["text/plain"]).toBe("42");
  expect(k.proc.exitCode).toBeNull();
}

// Each cell throws `message` on its line 3 (the cell's own numbering, not the transpiled JavaScript's).
const escapes: [kind: string, message: string, code: string][] = [
  ["a throw in a timer", "timer escaped", `let late = 1;
setTimeout(() => {
  throw new Error("timer escaped");
}, 10);`],
  ["a throw in setImmediate", "setImmediate escaped", `let later = 1;
setImmediate(() => {
  throw new Error("setImmediate escaped");
});`],
  ["a throw in queueMicrotask", "queueMicrotask escaped", `let micro = 1;
queueMicrotask(() => {
  throw new Error("queueMicrotask escaped");
});`],
  ["a throw in process.nextTick", "process.nextTick escaped", `let tick = 1;
process.nextTick(() => {
  throw new Error("process.nextTick escaped");
});`],
  ["a throw in an fs callback", "fs callback escaped: ENOENT", `import { readFile } from "node:fs";
readFile("/no/such/file/for/tsdl", (err) => {
  throw new Error("fs callback escaped: " + err?.code);
});`],
  ["an 'error' event nobody listens to", "nobody listened", `import { EventEmitter } from "node:events";
const quiet = new EventEmitter();
setTimeout(() => quiet.emit("error", new Error("nobody listened")), 10);`],
  ["a throw in an event listener", "listener escaped", `const bus = new (await import("node:events")).EventEmitter();
bus.on("tick", () => {
  throw new Error("listener escaped");
});
setTimeout(() => bus.emit("tick"), 10);`],
];

describe("errors that escape a cell are reported in its output, never fatal", () => {
  test.each(escapes)("%s after the cell finished is reported in its output; the kernel and its variables stay", async (_, message, code) => {
    const { id, n, r } = await run(code);
    expect(r.reply.content.status).toBe("ok");
    const text = await stderrOf(id, message);
    expect(text).toContain("Uncaught error in a callback");
    expect(text).toContain(`Error\x1b[0m: ${message}`);
    expect(text).toContain(`In[${n}]:3:`);
    expect(text).toContain(`In[${n}], line 3:`);
    await stillAlive();
  });

  test("an async function called without await that throws is reported in the cell that called it", async () => {
    const defined = await run(`async function load(): Promise<string> {
  throw new Error("no file");
}`);
    // Not the cell's last expression: that value would be awaited, and the cell would fail.
    const { id, n, r } = await run("load();\nlet afterLoad = true;");
    expect(r.reply.content.status).toBe("ok");
    const text = await stderrOf(id, "no file");
    expect(text).toContain("Unhandled promise rejection");
    expect(text).toContain("Error\x1b[0m: no file");
    // The frame that threw is in the cell that defined load, the call in the cell that ran it.
    expect(text).toContain(`at load (In[${defined.n}]:2:`);
    expect(text).toContain(`In[${n}]:1:`);
    expect(text).toContain(`In[${defined.n}], line 2:`);
    await stillAlive();
  });

  test("a rejection the running cell left unawaited is reported in that cell, which still succeeds", async () => {
    const { id, r } = await run(`load();
await new Promise((resolve) => setTimeout(resolve, 200));
"finished"`);
    expect(r.reply.content.status).toBe("ok");
    expect(r.errors).toEqual([]);
    expect(r.results[0]?.["text/plain"]).toBe("'finished'");
    expect(await stderrOf(id, "no file")).toContain("Unhandled promise rejection");
    await stillAlive();
  });

  test("an error escaping while another cell runs goes to the running cell, which is not marked failed", async () => {
    // The callback is an earlier cell's; the running cell sets it off and keeps going.
    const earlier = await run(`const alarm = new (await import("node:events")).EventEmitter();
alarm.on("ring", () => setTimeout(() => {
  throw new Error("from an earlier cell");
}, 0));`);
    const { id, r } = await run(`alarm.emit("ring");
await new Promise((resolve) => setTimeout(resolve, 300));
"still fine"`);
    expect(r.reply.content.status).toBe("ok");
    expect(r.results[0]?.["text/plain"]).toBe("'still fine'");
    const text = await stderrOf(id, "from an earlier cell");
    expect(text).toContain(`In[${earlier.n}], line 3:`);
    expect(k.iopubFor(earlier.id).some((m) => m.header.msg_type === "stream" && String(m.content.text).includes("from an earlier cell"))).toBe(false);
    await stillAlive();
  });

  test("a thrown non-Error value and a rejection with no reason are reported too", async () => {
    const thrown = await run(`setTimeout(() => { throw { code: 7 } }, 10);`);
    expect(await stderrOf(thrown.id, "code: 7")).toContain("Uncaught");
    const rejected = await run(`Promise.reject(undefined);\n1`);
    expect(await stderrOf(rejected.id, "Unhandled promise rejection")).toContain("undefined");
    await stillAlive();
  });

  test("an error escaping the kernel's own code goes to the kernel log with its stack, and a line to the cell", async () => {
    // The kernel's importer, called straight from a timer: no cell is on the rejection's stack.
    const { id } = await run(`setTimeout(__tsdl.import, 0, "no-such-package-for-tsdl");`);
    expect(await stderrOf(id, "escaped the kernel's own code")).toContain('cannot find package "no-such-package-for-tsdl"');
    await k.waitFor(() => (/in the kernel's own code: Error: import: cannot find package[^\n]*\n\s+at .*kernel\/exec\/imports\.[jt]s/.test(k.log) ? true : undefined), "the stack in the kernel log", REPORT_WAIT_MS);
    await stillAlive();
  });
});

/** Resolves with how the process ended. */
function ended(k: KernelClient): Promise<{ code: number | null; signal: string | null }> {
  const { proc } = k;
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  return new Promise((ok) => proc.once("exit", (code, signal) => ok({ code, signal })));
}

describe("process.exit() in a cell ends the kernel cleanly", () => {
  test("process.exit(3) exits with status 3, without an abort", async () => {
    const k = await startKernel();
    try {
      await k.execute("let kept = 1");
      await k.sendExecute("process.exit(3)");
      expect(await ended(k)).toEqual({ code: 3, signal: null });
      expect(k.log).not.toMatch(ABORTED);
      expect(await k.heartbeat(500)).toBe(false);
    } finally {
      await k.stop();
    }
  });

  test("process.exit() after tensors exist and a model was trained exits with status 0", async () => {
    const k = await startKernel();
    try {
      const r = await k.execute(`const x = randomNormal([256, 20]);
const y = utils.toCategorical(tensor(Array.from({ length: 256 }, (_, i) => i % 3)), 3);
const model = models.Sequential([layers.Dense(64, { activation: "relu", inputShape: [20] }), layers.Dense(3, { activation: "softmax" })]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy" });
await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0 });
const kept = dot(x, randomNormal([20, 512]));
kept.shape`);
      expect(r.errors).toEqual([]);
      await k.sendExecute("process.exit()");
      expect(await ended(k)).toEqual({ code: 0, signal: null });
      expect(k.log).not.toMatch(ABORTED);
    } finally {
      await k.stop();
    }
  });
});
