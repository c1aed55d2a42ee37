/**
 * Stopping a cell: a synchronous loop and an awaited operation are both interrupted, by signal
 * (interrupt_mode "signal", what Jupyter does) and by interrupt_request on the control channel,
 * ending with KeyboardInterrupt and leaving the kernel and its variables as they were.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, startKernel, type KernelClient } from "./helpers/kernel-client.js";
import { Interrupts, SHARED } from "../kernel/exec/interrupt.js";

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  await k.execute("const kept = 'still here'; let loops = 0");
});
afterAll(async () => {
  await k?.stop();
});

/** Waits until the cell has started running (its execute_input was published), plus a little. */
async function running(id: string): Promise<void> {
  await k.waitFor(() => k.iopubFor(id).find((m) => m.header.msg_type === "execute_input"), "execute_input");
  await new Promise((r) => setTimeout(r, 300));
}

const interruptKinds = {
  "a signal": async () => k.signalInterrupt(),
  "an interrupt_request": async () => {
    const r = await k.request("control", "interrupt_request", {});
    expect(r.content.status).toBe("ok");
  },
};

describe.each(Object.entries(interruptKinds))("an interrupt by %s", (_, interrupt) => {
  test("stops a synchronous `while (true) {}` with KeyboardInterrupt and keeps every variable", async () => {
    const id = await k.sendExecute("loops++; while (true) {}");
    await running(id);
    await interrupt();
    const r = await k.collect(id, 10_000);
    expect(r.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.errors[0].ename).toBe("KeyboardInterrupt");
    const after = await k.execute("[kept, loops > 0]");
    expect(after.results[0]["text/plain"]).toBe("[ 'still here', true ]");
  });

  test("cancels an awaited long operation with KeyboardInterrupt and aborts the cell's AbortSignal", async () => {
    const id = await k.sendExecute(`const signal = (globalThis as any)[Symbol.for("tsdl.interrupt")] as AbortSignal
signal.addEventListener("abort", () => { (globalThis as any).sawAbort = (signal.reason as Error).name })
await new Promise((r) => setTimeout(r, 60_000))`);
    await running(id);
    await interrupt();
    const r = await k.collect(id, 10_000);
    expect(r.errors[0].ename).toBe("KeyboardInterrupt");
    expect((await k.execute("[kept, (globalThis as any).sawAbort]")).results[0]["text/plain"]).toBe("[ 'still here', 'KeyboardInterrupt' ]");
  });

  test("inside a tensor scope (as in a training step) leaves no scope open for the next cell", async () => {
    // The module the kernel loaded its runtime from (the same instance: the same URL), which
    // shows the kernel the engine's scopes; scopeDepth is not one of the cells' globals.
    const engine = pathToFileURL(join(REPO_ROOT, "dist", "runtime", "host.bundle.js")).href;
    await k.execute(`const engine = await import(${JSON.stringify(engine)})`);
    const id = await k.sendExecute("engine.withScope(() => { while (true) {} })");
    await running(id);
    await interrupt();
    expect((await k.collect(id, 10_000)).errors[0].ename).toBe("KeyboardInterrupt");
    // A stopped synchronous cell runs no finally: the kernel's beginCell closes the scope.
    expect((await k.execute("engine.scopeDepth()")).results[0]["text/plain"]).toBe("0");
    // That hook is the kernel's: it is not one of the cell's globals.
    expect((await k.execute("typeof beginCell")).results[0]["text/plain"]).toBe("'undefined'");
  });

  test("does not leak into the next cell", async () => {
    const r = await k.execute("await new Promise((r) => setTimeout(r, 400)); 'finished'");
    expect(r.errors).toEqual([]);
    expect(r.results[0]["text/plain"]).toBe("'finished'");
  });
});

// interrupt_request only (what Jupyter sends to tsdl, interrupt_mode "message"): a SIGINT that
// arrives just before the script starts can wait in Node's signal queue until the loop it
// should stop is already spinning (README, Known limits).
test("an interrupt_request right after execute_input stops a cell whose script has not started yet", async () => {
  // A cell nobody has seen: it is type-checked and transpiled after execute_input, before it runs.
  const id = await k.sendExecute(`const early${Date.now()}: number = 1; while (true) {}`);
  await k.waitFor(() => k.iopubFor(id).find((m) => m.header.msg_type === "execute_input"), "execute_input");
  await interruptKinds["an interrupt_request"]();
  expect((await k.collect(id, 10_000)).errors[0].ename).toBe("KeyboardInterrupt");
  expect((await k.execute("kept")).results[0]["text/plain"]).toBe("'still here'");
});

describe("while a cell runs a long synchronous loop", () => {
  test("the heartbeat keeps answering", async () => {
    const id = await k.sendExecute("const until = Date.now() + 5000; while (Date.now() < until) {}");
    await running(id);
    expect(await k.heartbeat(3000)).toBe(true);
    expect(k.replyIfAny(id)).toBeUndefined();
    await k.collect(id);
  });
});

describe("an interrupt with nothing running", () => {
  test("is answered and changes nothing", async () => {
    const r = await k.request("control", "interrupt_request", {});
    expect(r.content.status).toBe("ok");
    await new Promise((r) => setTimeout(r, 100));
    expect((await k.execute("kept")).results[0]["text/plain"]).toBe("'still here'");
  });
});

// SIGINT is taken by Node's watchdog, kept running by a thread of the kernel's own
// (kernel/exec/sigint-watch.ts): between cells that thread takes it, during a cell's script the
// script is broken. Neither may let a signal through to Node's default action (the kernel's end).
describe("SIGINT between cells and in a row", () => {
  test("signals with nothing running change nothing, and a loop after them is still stopped", async () => {
    for (let i = 0; i < 5; i++) {
      k.signalInterrupt();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await k.execute("kept")).results[0]["text/plain"]).toBe("'still here'");
    const id = await k.sendExecute("while (true) {}");
    await running(id);
    k.signalInterrupt();
    expect((await k.collect(id, 10_000)).errors[0].ename).toBe("KeyboardInterrupt");
  });

  test("ten loops in a row, each stopped by its own signal", async () => {
    for (let i = 0; i < 10; i++) {
      const id = await k.sendExecute(`loops++; while (true) {}`);
      await k.waitFor(() => k.iopubFor(id).find((m) => m.header.msg_type === "execute_input"), "execute_input");
      await new Promise((r) => setTimeout(r, 30));
      k.signalInterrupt();
      expect((await k.collect(id, 10_000)).errors[0].ename).toBe("KeyboardInterrupt");
    }
    expect((await k.execute("kept")).results[0]["text/plain"]).toBe("'still here'");
  });

  test("a cell that listens for SIGINT itself: later Stops still end awaited work, and the kernel lives", async () => {
    const other = await startKernel();
    try {
      await other.execute(`let heard = 0; process.on("SIGINT", () => { heard++ })`);
      for (let i = 0; i < 3; i++) {
        const id = await other.sendExecute("await new Promise((r) => setTimeout(r, 60_000))");
        await other.waitFor(() => other.iopubFor(id).find((m) => m.header.msg_type === "execute_input"), "execute_input");
        await new Promise((r) => setTimeout(r, 200));
        other.signalInterrupt();
        expect((await other.collect(id, 10_000)).errors[0].ename).toBe("KeyboardInterrupt");
      }
      // A signal inside a synchronous loop: no longer breaks it (the log says why), but is heard
      // once it ends, and the kernel lives.
      const id = await other.sendExecute("const until = Date.now() + 1500; while (Date.now() < until) {}");
      await other.waitFor(() => other.iopubFor(id).find((m) => m.header.msg_type === "execute_input"), "execute_input");
      await new Promise((r) => setTimeout(r, 300));
      other.signalInterrupt();
      await other.collect(id, 10_000);
      // Node runs the listener when its event loop next polls, which may come after the cell's
      // reply: ask until it has (a kernel the signal had ended would not answer at all).
      let heard = "";
      for (let i = 0; i < 50 && heard !== "4"; i++) {
        heard = (await other.execute("heard")).results[0]["text/plain"];
        if (heard !== "4") await new Promise((r) => setTimeout(r, 100));
      }
      expect(heard).toBe("4");
      expect(other.log).toContain("a cell listens for SIGINT");
    } finally {
      await other.stop();
    }
  });
});

// The main thread's side of a Stop, without sockets or timing: which request a Stop belongs to.
describe("Interrupts: a Stop belongs to the request it came in", () => {
  test("a Stop before the cell starts stops it as it starts; the next request's cell runs", () => {
    const interrupts = new Interrupts();
    interrupts.openRequest();
    interrupts.interrupt(); // type check or transpile still running: no cell yet
    const stopped = interrupts.begin();
    expect(stopped.signal.aborted).toBe(true);
    stopped.end();
    interrupts.openRequest();
    const next = interrupts.begin();
    expect(next.signal.aborted).toBe(false);
    next.end();
  });

  test("the control thread's mark is seen by a thread that never read its message", () => {
    const interrupts = new Interrupts();
    interrupts.openRequest();
    // What control-worker.ts does before posting; the main thread is busy and reads no message.
    Atomics.store(interrupts.shared, SHARED.stop, Atomics.load(interrupts.shared, SHARED.cell));
    const guard = interrupts.begin();
    expect(guard.signal.aborted).toBe(true);
    guard.end();
    // The message, read late after the request ended, stops nothing in the next one.
    interrupts.openRequest();
    interrupts.fromControl(Atomics.load(interrupts.shared, SHARED.cell) - 1);
    const next = interrupts.begin();
    expect(next.signal.aborted).toBe(false);
    next.end();
  });
});
