/**
 * Running TypeScript cells in the real kernel process: hoisting and re-runs, top-level await,
 * imports from the notebook's folder, values, streams, displays, errors and input.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";

/** A notebook folder with an ESM-only npm package and a TypeScript file next to the notebook. */
function notebookFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "tsdl-notebook-"));
  const pkg = join(dir, "node_modules", "greeter-esm");
  mkdirSync(join(pkg, "dist"), { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({
    name: "greeter-esm", version: "1.0.0", type: "module", exports: { ".": { import: "./dist/index.js" } },
  }));
  writeFileSync(join(pkg, "dist", "index.js"), `export default function greet(n) { return "hello " + n }\nexport const version = "1.0.0";\n`);
  writeFileSync(join(dir, "shapes.ts"), `import { scale } from "./scale";\nexport interface Pt { x: number; y: number }\nexport function area(w: number, h: number): number { return scale(w * h) }\n`);
  writeFileSync(join(dir, "scale.ts"), `export const scale = (v: number): number => v * 10;\n`);
  return dir;
}

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel({ cwd: notebookFolder() });
  await k.execute("0"); // the runtime's load warning, if any, lands here
});
afterAll(async () => {
  await k?.stop();
});

const value = async (code: string) => {
  const r = await k.execute(code);
  expect(r.errors).toEqual([]);
  return r.results[0]?.["text/plain"];
};

describe("declarations live across cells", () => {
  test("let, const, var, function, class, enum and destructuring declared in one cell are visible in later cells", async () => {
    await value(`let a = 1; const b: number = 2; var c = 3
function add(x: number, y: number): number { return x + y }
class Point { constructor(public x: number, public y: number) {} }
enum Color { Red, Green = 5 }
const { p, q: [r] } = { p: 4, q: [5] }
interface Unused { z: string }`);
    expect(await value("[a, b, c, add(a, b), new Point(1, 2), Color.Green, Color[5], p, r]")).toBe("[ 1, 2, 3, 3, Point { x: 1, y: 2 }, 5, 'Green', 4, 5 ]");
  });

  test("re-running a cell that declares a const and a class works", async () => {
    const cell = "const answer = 41 + 1\nclass Model { layers = 2 }\nnew Model()";
    expect(await value(cell)).toBe("Model { layers: 2 }");
    expect(await value(cell)).toBe("Model { layers: 2 }");
    expect(await value("answer")).toBe("42");
  });

  test("a function from an earlier cell sees later changes to the variables it closes over", async () => {
    await value("let counter = 0; function bump() { return ++counter }");
    await value("bump(); bump()");
    expect(await value("counter")).toBe("2");
  });

  test("top-level await works, with the value of the final expression returned", async () => {
    expect(await value("const later = await new Promise<string>((r) => setTimeout(() => r('done'), 20)); later.toUpperCase()")).toBe("'DONE'");
    expect(await value("for await (const v of (async function* () { yield 1; yield 2 })()) console.log(v)\nlater")).toBe("'done'");
  });
});

describe("imports", () => {
  test("an ESM-only npm package resolves from the notebook's folder, default and named imports", async () => {
    expect(await value(`import greet, { version } from "greeter-esm"\ngreet("tsdl") + " " + version`)).toBe("'hello tsdl 1.0.0'");
    expect(await value("greet('again')")).toBe("'hello again'");
  });

  test("a namespace import and a dynamic import() work", async () => {
    expect(await value(`import * as g from "greeter-esm"\nconst m = await import("greeter-esm");\n[g.version, m.default === g.default]`)).toBe("[ '1.0.0', true ]");
  });

  test("a local .ts file next to the notebook is imported, with its own extensionless imports", async () => {
    expect(await value(`import { area, type Pt } from "./shapes.ts"\nconst pt: Pt = { x: 1, y: 2 }\narea(2, 3)`)).toBe("60");
    expect(await value(`import { area as a2 } from "./shapes"\na2(1, 1)`)).toBe("10");
  });

  test("Node's built-in modules import by name", async () => {
    expect(await value(`import { basename } from "node:path"\nimport os from "os"\n[basename("/a/b.ts"), typeof os.cpus]`)).toBe("[ 'b.ts', 'function' ]");
  });

  test("a missing package is an error that names the package and the folder", async () => {
    const r = await k.execute(`import x from "no-such-package-here"`);
    expect(r.errors[0].evalue).toMatch(/cannot find package "no-such-package-here" from .*tsdl-notebook-/);
  });
});

describe("values and streams", () => {
  test("the final expression's value is the execute_result, as util.inspect shows it", async () => {
    const r = await k.execute("({ name: 'x', list: [1, 2, 3], nested: { deep: new Map([[1, 'a']]) } })");
    expect(r.results).toEqual([{ "text/plain": "{ name: 'x', list: [ 1, 2, 3 ], nested: { deep: Map(1) { 1 => 'a' } } }" }]);
    expect((await k.execute("const nothing = 1")).results).toEqual([]);
    expect((await k.execute("undefined")).results).toEqual([]);
  });

  test("an object with a tsdl.display method returns its own MIME bundle", async () => {
    const r = await k.execute(`({ [Symbol.for("tsdl.display")]() { return { "text/html": "<b>t</b>", "text/plain": "t" } } })`);
    expect(r.results).toEqual([{ "text/html": "<b>t</b>", "text/plain": "t" }]);
  });

  test("console.log/info/warn/error and process.stdout/stderr writes arrive as streams, in order, before the reply", async () => {
    const r = await k.execute(`console.log("one"); console.info("two"); console.warn("three"); console.error("four")
process.stdout.write("five\\n"); process.stderr.write("six\\n"); console.log({ seven: 7 })`);
    expect(r.streams).toEqual([
      { name: "stdout", text: "one\ntwo\n" },
      { name: "stderr", text: "three\nfour\n" },
      { name: "stdout", text: "five\n" },
      { name: "stderr", text: "six\n" },
      { name: "stdout", text: "{ seven: 7 }\n" },
    ]);
    const replyAt = k.iopubMessages.length;
    expect(replyAt).toBeGreaterThan(0);
  });

  test("output printed after an await is still the cell's output", async () => {
    const r = await k.execute("await new Promise((r) => setTimeout(r, 30)); console.log('late')");
    expect(r.stdout).toBe("late\n");
  });
});

describe("execute_request options", () => {
  test("silent runs the code without execute_input, result or a new execution count", async () => {
    const before = (await k.execute("1")).reply.content.execution_count;
    const r = await k.execute("globalThis.silentRan = true; 5", { silent: true });
    expect(r.iopub.map((m) => m.header.msg_type)).toEqual(["status", "status"]);
    expect(r.reply.content.execution_count).toBe(before);
    expect(await value("silentRan")).toBe("true");
  });

  test("store_history: false leaves the execution count and history alone", async () => {
    const before = (await k.execute("1")).reply.content.execution_count;
    const r = await k.execute("2", { store_history: false });
    expect(r.reply.content.execution_count).toBe(before);
    const next = await k.execute("3");
    expect(next.reply.content.execution_count).toBe((before as number) + 1);
  });

  test("user_expressions are evaluated after the cell and returned in the reply", async () => {
    const r = await k.execute("const ue = 6", { user_expressions: { doubled: "ue * 2", bad: "nope.nope" } });
    expect(r.reply.content.user_expressions.doubled).toEqual({ status: "ok", data: { "text/plain": "12" }, metadata: {} });
    expect(r.reply.content.user_expressions.bad).toMatchObject({ status: "error", ename: "ReferenceError" });
  });

  test("an error aborts the cells queued behind it; with stop_on_error false it does not", async () => {
    const first = await k.sendExecute("throw new Error('stop here')");
    const second = await k.sendExecute("globalThis.ranAfterError = true");
    expect((await k.collect(first)).reply.content.status).toBe("error");
    expect((await k.collect(second)).reply.content.status).toBe("aborted");
    expect(await value("typeof globalThis.ranAfterError")).toBe("'undefined'");

    const third = await k.sendExecute("throw new Error('keep going')", { stop_on_error: false });
    const fourth = await k.sendExecute("'ran'");
    expect((await k.collect(third)).reply.content.status).toBe("error");
    expect((await k.collect(fourth)).results[0]["text/plain"]).toBe("'ran'");
  });
});

describe("errors", () => {
  test("a thrown error's traceback points at the cell's own line and column, not the kernel's files", async () => {
    const r = await k.execute(`interface Opts { n: number }
function check(o: Opts): void {
  if (o.n > 1) throw new RangeError("n too large: " + o.n)
}
check({ n: 1 })
check({ n: 5 })`);
    expect(r.reply.content).toMatchObject({ status: "error", ename: "RangeError", evalue: "n too large: 5" });
    const [e] = r.errors;
    expect(e.ename).toBe("RangeError");
    const n = r.reply.content.execution_count;
    const tb = e.traceback.join("\n");
    expect(tb).toContain(`at check (In[${n}]:3:22)`);
    expect(tb).toContain(`In[${n}]:6:1`);
    expect(tb).toContain(`3 |   if (o.n > 1) throw new RangeError("n too large: " + o.n)`);
    expect(tb).not.toMatch(/dist\/kernel|node:internal/);
    expect(tb).not.toContain(`In[${n}]:1:1`); // the kernel's wrapper around the cell is not shown
  });

  test("a TypeScript syntax error names the line and column", async () => {
    const r = await k.execute("const ok = 1\nconst broken = (1 +\nconst after = 2");
    expect(r.errors[0].ename).toBe("SyntaxError");
    expect(r.errors[0].evalue).toMatch(/line 3, column 1/);
    expect(r.errors[0].traceback.join("\n")).toContain("3 | const after = 2");
  });

  test("a re-run cell's error names the run that failed, also when its script is reused", async () => {
    // `nothing.here.x` is a plain expression: its second run reuses the first run's script
    // (executor.ts); the one with `=>` makes a function, so each run compiles its own.
    await value("var nothing = { here: undefined as any }; 0");
    for (const code of ["nothing.here.x", "nothing.here.x", "[1].map((i) => nothing.here.x)", "[1].map((i) => nothing.here.x)"]) {
      const r = await k.execute(code);
      const n = r.reply.content.execution_count;
      const tb = r.errors[0].traceback.join("\n");
      expect(r.errors[0].ename, code).toBe("TypeError");
      expect(tb, code).toContain(`In[${n}], line 1:`);
      expect(tb.match(/In\[\d+\]:\d+:\d+/g), tb).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^In\\[${n}\\]:1:`))]));
      expect(tb.match(/In\[\d+\]/g)!.every((m) => m === `In[${n}]`), tb).toBe(true);
    }
    // A reused script sees the session as it is now.
    await value("nothing.here = { x: 42 }");
    expect(await value("nothing.here.x")).toBe("42");
  });

  test("throwing a non-Error value is reported too", async () => {
    const r = await k.execute("throw { code: 7 }");
    expect(r.errors[0]).toMatchObject({ ename: "Uncaught", evalue: "{ code: 7 }" });
  });
});

describe("the display API", () => {
  test("display, display.html/markdown/svg/png/json send display_data with the right MIME types", async () => {
    const r = await k.execute(`display({ a: 1 }); display.html("<i>h</i>"); display.markdown("# M"); display.svg("<svg/>")
display.png(new Uint8Array([137, 80, 78, 71])); display.json({ j: [1] })`);
    const data = r.displays.map((m) => m.content.data);
    expect(data[0]).toEqual({ "text/plain": "{ a: 1 }" });
    expect(data[1]["text/html"]).toBe("<i>h</i>");
    expect(data[2]["text/markdown"]).toBe("# M");
    expect(data[3]["image/svg+xml"]).toBe("<svg/>");
    expect(data[4]["image/png"]).toBe(Buffer.from([137, 80, 78, 71]).toString("base64"));
    expect(data[5]["application/json"]).toEqual({ j: [1] });
    expect(r.results).toEqual([]);
  });

  test("a display handle updates its output in place and clearOutput clears the cell", async () => {
    const r = await k.execute("const shown = display.html('<p>1</p>'); shown.update('<p>2</p>'); clearOutput({ wait: true })");
    const [show, update] = r.displays;
    expect(show.header.msg_type).toBe("display_data");
    expect(update.header.msg_type).toBe("update_display_data");
    expect(update.content.transient.display_id).toBe(show.content.transient.display_id);
    expect(update.content.data["text/html"]).toBe("<p>2</p>");
    expect(r.iopub.find((m) => m.header.msg_type === "clear_output")?.content).toEqual({ wait: true });
  });

  test("display() of an object with a tsdl.display method uses its bundle", async () => {
    const r = await k.execute(`display({ [Symbol.for("tsdl.display")]: () => ({ "text/plain": "custom" }) })`);
    expect(r.displays[0].content.data).toEqual({ "text/plain": "custom" });
  });
});

describe("input", () => {
  test("await input() asks the front end through input_request when stdin is allowed", async () => {
    const id = await k.sendExecute(`const who = await input("Name? "); "hi " + who`, { allow_stdin: true });
    const req = await k.waitFor(() => k.stdinMessages.find((m) => m.parent_header.msg_id === id), "input_request");
    expect(req.header.msg_type).toBe("input_request");
    expect(req.content).toEqual({ prompt: "Name? ", password: false });
    await k.send("stdin", "input_reply", { value: "Ada" }, { parent: req.header });
    const r = await k.collect(id);
    expect(r.results[0]["text/plain"]).toBe("'hi Ada'");
  });

  test("a Stop while input() waits withdraws the prompt with KeyboardInterrupt, and many prompts leave no listeners behind", async () => {
    // Twelve prompts in one cell (one AbortSignal): an answered prompt must not leave its abort
    // listener on it (Node warns from the eleventh).
    const id = await k.sendExecute(`let said = ""; for (let i = 0; i < 12; i++) said += await input("Again? "); said`, { allow_stdin: true });
    for (let i = 0; i < 12; i++) {
      const req = await k.waitFor(() => k.stdinMessages.filter((m) => m.parent_header.msg_id === id)[i], `input_request ${i + 1}`);
      await k.send("stdin", "input_reply", { value: "y" }, { parent: req.header });
    }
    const answered = await k.collect(id);
    expect(answered.results[0]["text/plain"]).toBe("'yyyyyyyyyyyy'");
    expect(answered.stderr).not.toContain("MaxListeners");
    expect(k.log).not.toContain("MaxListeners");
    // Stop the moment the prompt arrives, many times: a SIGINT raised while Node swapped its
    // SIGINT handling around the cell's script used to be lost, leaving the cell waiting forever.
    for (let i = 0; i < 30; i++) {
      const id = await k.sendExecute(`await input("Name? ")`, { allow_stdin: true });
      await k.waitFor(() => k.stdinMessages.find((m) => m.parent_header.msg_id === id), "input_request");
      await k.request("control", "interrupt_request", {});
      const r = await k.collect(id, 10_000);
      expect(r.errors[0].ename).toBe("KeyboardInterrupt");
      expect(r.stderr).not.toContain("MaxListeners");
    }
    expect(k.log).not.toContain("MaxListeners");
  });

  test("input() without allow_stdin throws a clear error", async () => {
    const r = await k.execute(`await input("Name? ")`, { allow_stdin: false });
    expect(r.errors[0].evalue).toMatch(/does not accept input.*allow_stdin/);
  });
});

describe("resilience", () => {
  test("cells still run after esbuild's service process is killed by a signal", async () => {
    // What a SIGINT to the kernel's whole process group (Jupyter's signal-mode interrupt) does.
    const r = await k.execute(`import { execSync } from "node:child_process"
const children = execSync("ps -o pid= --ppid " + process.pid).toString().trim().split(/\\s+/).filter(Boolean).map(Number)
let signalled = 0
for (const pid of children) try { process.kill(pid, "SIGINT"); signalled++ } catch { /* the ps shell itself, already gone */ }
signalled`);
    expect(Number(r.results[0]["text/plain"])).toBeGreaterThan(0);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(await value("class Survivor { ok: boolean = true }\nconst s: Survivor = new Survivor(); s")).toBe("Survivor { ok: true }");
    const e = await k.execute("const z: number = 1\nthrow new Error('mapped')");
    expect(e.errors[0].traceback.join("\n")).toMatch(/In\[\d+\]:2:7/);
    expect(k.log).toContain("transpiling cells with TypeScript from now on");
  });
});

describe("the runtime seam", () => {
  test("a runtime that fails to import leaves a working kernel and one clear warning in the first cell", async () => {
    const other = await startKernel({ env: { TSDL_RUNTIME_MODULE: "file:///nonexistent/runtime/index.js" } });
    try {
      // A cell with a declaration waits for the runtime (one like `1 + 1` need not: see simple.ts).
      const first = await other.execute("const one = 1;\none + 1");
      expect(first.stderr).toMatch(/^tsdl: the runtime .* failed to load/);
      expect(first.results[0]["text/plain"]).toBe("2");
      const second = await other.execute("const two = 2;\ntwo + 2");
      expect(second.stderr).toBe("");
    } finally {
      await other.stop();
    }
  });

  test("the runtime's exports become globals and its display calls become display messages on the running cell", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-fake-runtime-"));
    const file = join(dir, "index.mjs");
    writeFileSync(file, `let sink = null;
export function setDisplaySink(s) { sink = s; }
export function progress(n) { const h = sink.show({ "text/plain": "0/" + n }); h.update({ "text/plain": n + "/" + n }); return sink.kind; }
export const answer = 42;`);
    const other = await startKernel({ env: { TSDL_RUNTIME_MODULE: pathToFileURL(file).href } });
    try {
      const r = await other.execute("[answer, progress(3)]");
      expect(r.results[0]["text/plain"]).toBe("[ 42, 'notebook' ]");
      expect(r.displays.map((m) => [m.header.msg_type, m.content.data["text/plain"]])).toEqual([
        ["display_data", "0/3"],
        ["update_display_data", "3/3"],
      ]);
    } finally {
      await other.stop();
    }
  });
});
