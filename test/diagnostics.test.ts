/**
 * Type errors in cells through the real kernel over ZeroMQ: shown under the cell with the
 * cell's own line and column, never stopping it unless `%strict on` asks for that.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";

let k: KernelClient;

beforeAll(async () => {
  k = await startKernel();
  // Type errors are shown once the language service has loaded (it never delays a cell); an
  // inspection waits for it.
  await k.request("shell", "inspect_request", { code: "tensor", cursor_pos: 6, detail_level: 0 });
});
afterAll(async () => {
  await k?.stop();
});

/**
 * Runs a cell that has type errors and returns its outputs with the errors' text. The kernel
 * waits a bounded time for the check before replying and sends a late one after the reply, so
 * on a busy machine the text may follow the reply: wait for it.
 */
async function executeWithTypeErrors(code: string) {
  const id = await k.sendExecute(code);
  const r = await k.collect(id);
  const stderrOf = () => k.iopubFor(id).filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text as string).join("");
  const stderr = await k.waitFor(() => (/ - error TS\d+/.test(stderrOf()) ? stderrOf() : undefined), "the cell's type errors");
  return { ...r, stderr };
}

test("a type error is shown with the cell's line and column, and the cell still runs", async () => {
  const r = await executeWithTypeErrors('console.log("before");\nconst epochs: number = "five";\nconsole.log("ran", epochs)');
  expect(r.reply.content.status).toBe("ok");
  expect(r.stdout).toBe("before\nran five\n");
  expect(r.stderr).toContain("cell:2:7 - error TS2322: Type 'string' is not assignable to type 'number'.");
  expect(r.stderr).toContain('2 const epochs: number = "five";');
});

test("a cell that only has type errors still runs and shows its value", async () => {
  const r = await executeWithTypeErrors("const width: string = 28;\nwidth");
  expect(r.reply.content.status).toBe("ok");
  expect(r.results[0]["text/plain"]).toBe("28");
  expect(r.stderr).toMatch(/^cell:1:7 - error TS2322/m);
});

test("errors point into the cell that has them, whatever earlier cells declared", async () => {
  const setup = await k.execute("function scale(x: number, by: number) {\n  return x * by;\n}\nconst factor = 2;");
  expect(setup.stderr).toBe("");
  const r = await executeWithTypeErrors("const a = scale(1, factor);\n\nconst b =\n    scale(a, 'two');");
  expect(r.reply.content.status).toBe("ok");
  expect(r.stderr).toContain("cell:4:14 - error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.");
});

test("a correct cell using earlier names, top-level await and Node's globals shows nothing", async () => {
  const r = await k.execute("const doubled = await Promise.resolve(scale(3, factor));\nsetTimeout(() => {}, 0);\nconsole.log(doubled)");
  expect(r.stdout).toBe("6\n");
  expect(r.stderr).toBe("");
});

test("%strict on stops a cell with type errors, and %strict off lets it run again", async () => {
  const on = await k.execute("%strict on");
  expect(on.reply.content.status).toBe("ok");
  expect(on.stdout).toContain("%strict on: cells with type errors do not run");

  const blocked = await k.execute('const rate: number = "fast";\nconsole.log("ran")');
  expect(blocked.reply.content.status).toBe("error");
  expect(blocked.reply.content.ename).toBe("TSError");
  expect(blocked.reply.content.evalue).toContain("1 type error in the cell");
  expect(blocked.stdout).toBe("");
  expect(blocked.stderr + blocked.errors.map((e) => e.traceback.join("\n")).join("\n")).toContain("cell:1:7 - error TS2322");

  const clean = await k.execute('const rate: number = 0.1;\nconsole.log("ran", rate)');
  expect(clean.reply.content.status).toBe("ok");
  expect(clean.stdout).toBe("ran 0.1\n");

  const off = await executeWithTypeErrors('%strict off\nconst speed: number = "fast";\nconsole.log("ran anyway")');
  expect(off.reply.content.status).toBe("ok");
  expect(off.stdout).toContain("ran anyway");
  expect(off.stderr).toContain("cell:2:7 - error TS2322");
});

test("a misspelt %strict argument says what it accepts and runs nothing", async () => {
  const r = await k.execute('%strict maybe\nconsole.log("ran")');
  expect(r.reply.content.status).toBe("error");
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain('%strict: expected "on" or "off", received "maybe"');
});

test("a kernel started with TSDL_STRICT=1 is strict from its first cell", async () => {
  const strict = await startKernel({ env: { TSDL_STRICT: "1" } });
  try {
    // The first cell waits for the language service: strict mode needs the check before running.
    const r = await strict.execute('const epochs: number = "five";\nconsole.log("ran")');
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("TSError");
    expect(r.stdout).toBe("");
    const ok = await strict.execute("const epochs: number = 5;\nconsole.log('ran', epochs)");
    expect(ok.stdout).toBe("ran 5\n");
  } finally {
    await strict.stop();
  }
});
