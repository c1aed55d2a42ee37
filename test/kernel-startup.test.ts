/**
 * A fresh session, as a notebook meets it: the language service yields the processor to cells,
 * a type error in the very first cell still reaches that cell, and the runtime's warm-up (which
 * trains a small model while the kernel waits) leaves nothing a user could notice.
 */
import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { afterEach, expect, test } from "vitest";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";
import { Input, models, layers, randomNormal, utils } from "../runtime/index.js";

let k: KernelClient | null = null;
afterEach(async () => {
  await k?.stop();
  k = null;
});

/** Pids of the children of `pid` whose command line matches `pattern`. */
function childrenOf(pid: number, pattern: RegExp): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return ppid === pid && pattern.test(readFileSync(`/proc/${d}/cmdline`, "utf8"));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The nice value of every thread of process `pid` (field 19 of /proc/PID/task/TID/stat). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => threadNicenessOf(pid, Number(tid)));
}

/** The niceness of thread `tid` of process `pid`. */
function threadNicenessOf(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

test("the language service runs in its own process with every thread at the lowest priority; in the kernel only the converter thread is below normal", async () => {
  k = await startKernel();
  const kernel = k;
  // An inspection waits for the service to load: by then all its threads are running.
  const r = await kernel.request("shell", "inspect_request", { code: "layers.Dense", cursor_pos: 12, detail_level: 0 });
  expect(r.content.found).toBe(true);
  const [server] = await kernel.waitFor(() => {
    const found = childrenOf(kernel.proc.pid!, SERVICE);
    return found.length ? found : undefined;
  }, "the language service's process");
  const nice = threadNiceness(server);
  expect(nice.length).toBeGreaterThan(3);
  expect(new Set(nice)).toEqual(new Set([19]));
  // The kernel's threads keep the priority they were started with (the suite's own), the main
  // thread first, except the converter thread, which lowers itself to 10: its start-up work must
  // not take a core from a client's first requests.
  const normal = getPriority();
  const kernelNice = threadNiceness(kernel.proc.pid!);
  expect(threadNicenessOf(kernel.proc.pid!, kernel.proc.pid!)).toBe(normal);
  expect(kernelNice.filter((n) => n !== normal)).toEqual([10]);
  expect(kernelNice.filter((n) => n === normal).length).toBeGreaterThan(5);
});

/** The state letter of process `pid` (R, S, T for stopped, …), or null once it is gone. */
function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return null;
  }
}

const SERVICE = /language(\.bundle|\/server)\.js/;

test("a cell that computes while the service still loads has it stopped, and it loads once the cell is done", async () => {
  k = await startKernel();
  const kernel = k;
  const [server] = await kernel.waitFor(() => {
    const found = childrenOf(kernel.proc.pid!, SERVICE);
    return found.length ? found : undefined;
  }, "the language service's process");
  const id = await kernel.sendExecute("const until = Date.now() + 3000; while (Date.now() < until) {}\n'done'");
  await kernel.waitFor(() => (kernel.iopubFor(id).some((m) => m.header.msg_type === "execute_input") ? true : undefined), "the cell to start");
  await kernel.waitFor(() => (processState(server) === "T" ? true : undefined), "the service to be stopped while the cell runs");
  expect((await kernel.collect(id)).results[0]["text/plain"]).toBe("'done'");
  expect(processState(server)).not.toBe("T");
  // The service then loads: an inspection (which waits for it) is answered.
  const r = await kernel.request("shell", "inspect_request", { code: "layers.Dense", cursor_pos: 12, detail_level: 0 });
  expect(r.content.found).toBe(true);
});

test("a kernel killed while its service is stopped takes the service with it", async () => {
  k = await startKernel();
  const kernel = k;
  const [server] = await kernel.waitFor(() => {
    const found = childrenOf(kernel.proc.pid!, SERVICE);
    return found.length ? found : undefined;
  }, "the language service's process");
  await kernel.sendExecute("const until = Date.now() + 60000; while (Date.now() < until) {}");
  await kernel.waitFor(() => (processState(server) === "T" ? true : undefined), "the service to be stopped while the cell runs");
  kernel.proc.kill("SIGKILL");
  await kernel.waitFor(() => (processState(server) === null || processState(server) === "Z" ? true : undefined), "the service to end with the kernel");
});

test("a type error in the first cell of a fresh session reaches that cell, however late the service loads", async () => {
  k = await startKernel();
  const kernel = k;
  // Sent at once: the language service is still loading, so the cell is answered before its check.
  const id = await kernel.sendExecute('const epochs: number = "five";\nconsole.log("ran", epochs)');
  const r = await kernel.collect(id);
  expect(r.reply.content.status).toBe("ok");
  expect(r.stdout).toBe("ran five\n");
  const stderrOf = () =>
    kernel.iopubFor(id).filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text as string).join("");
  const stderr = await kernel.waitFor(() => (/ - error TS\d+/.test(stderrOf()) ? stderrOf() : undefined), "the first cell's type error");
  expect(stderr).toContain("cell:1:7 - error TS2322: Type 'string' is not assignable to type 'number'.");
});

test("the execute path's rehearsal leaves no trace: nothing published, the first cell is In[1], history holds only the person's cells", async () => {
  k = await startKernel({ env: { TSDL_TRACE: "1" } });
  await k.request("shell", "kernel_info_request", {});
  // After a moment without requests the kernel rehearses, then loads the runtime.
  await k.waitForLog(/the execute path was rehearsed/, 30_000);
  await k.waitForLog(/the runtime is loaded/, 30_000);
  const r = await k.execute("21 * 2");
  expect(r.reply.content.execution_count).toBe(1);
  expect(r.results[0]["text/plain"]).toBe("42");
  // A cell that throws still shows its own name: the rehearsal's scripts are never In[n].
  const e = await k.execute("null.x");
  expect(e.errors[0].traceback.join("\n")).toMatch(/In\[2\]/);
  expect(e.errors[0].traceback.join("\n")).not.toMatch(/rehearsal/);
  const h = await k.request("shell", "history_request", { hist_access_type: "tail", n: 10, output: false, raw: true });
  expect(h.content.history.map((row: unknown[]) => row[2])).toEqual(["21 * 2", "null.x"]);
  // Every IOPub message answers a request a client sent (the rehearsal's own is made up: its
  // messages would name it), or is the kernel's "starting".
  const mine = new Set([r.reply, e.reply].map((m) => m.parent_header.msg_id));
  const strays = k.iopubMessages.filter((m) =>
    m.parent_header.msg_type === "execute_request" ? !mine.has(m.parent_header.msg_id as string)
    : m.parent_header.msg_type === undefined ? m.header.msg_type !== "iopub_welcome" && m.content.execution_state !== "starting"
    : !String(m.parent_header.msg_type).endsWith("_request"),
  );
  expect(strays.map((m) => [m.header.msg_type, m.content, m.parent_header])).toEqual([]);
  // The language service took the rehearsal's message and added nothing to the session (an
  // inspection waits for the service, so the completions below are its own, not the values').
  await k.request("shell", "inspect_request", { code: "Math", cursor_pos: 4, detail_level: 0 });
  const c = await k.request("shell", "complete_request", { code: "rehearsa", cursor_pos: 8 });
  expect(c.content.status).toBe("ok");
  expect(c.content.matches).not.toContain("rehearsal");
  const d = await k.request("shell", "complete_request", { code: "Math.ma", cursor_pos: 7 });
  expect(d.content.matches).toContain("max");
});

test("the warm-up leaves no trace: layer and model names, and a seeded random stream, are those of a fresh process", async () => {
  k = await startKernel();
  // The first cell seeds the stream; the warm-up trains between this cell and the next.
  const first = await k.execute("utils.setRandomSeed(7);\nconsole.log(JSON.stringify(randomNormal([3]).toArray()))");
  await k.waitForLog(/runtime warmed up/, 60_000);
  const second = await k.execute(
    "const m = models.Sequential([layers.Dense(2, { inputShape: [3] })]);\n" +
      "console.log(JSON.stringify([m.name, m.layers[0].name, Input({ shape: [1] }).name, randomNormal([3]).toArray()]))",
  );
  expect(second.errors).toEqual([]);

  // The same in this plain process, where nothing warms up.
  utils.setRandomSeed(7);
  const a = randomNormal([3]).toArray();
  const plain = models.Sequential([layers.Dense(2, { inputShape: [3] })]);
  const input = Input({ shape: [1] });
  const b = randomNormal([3]).toArray();
  expect(JSON.parse(first.stdout)).toEqual(a);
  expect(JSON.parse(second.stdout)).toEqual([plain.name, plain.layers[0].name, input.name, b]);
  // Nothing of the kernel's own escaped on the way (start-up, warm-up, cells).
  expect(k.log).not.toMatch(/in the kernel's own code/);
  expect(plain.name).toBe("sequential");
});
