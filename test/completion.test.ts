/**
 * Completion in cells (complete_request → complete_reply) through the real kernel over ZeroMQ:
 * the names a notebook user reaches for, with the replaced range in code points and the kinds
 * JupyterLab shows (`metadata._jupyter_types_experimental`).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";

let k: KernelClient;

beforeAll(async () => {
  k = await startKernel();
  // The tests below are of the language service's completions. Before it has loaded, the
  // session's values answer (tested apart, below); an inspection waits for it.
  await k.request("shell", "inspect_request", { code: "tensor", cursor_pos: 6, detail_level: 0 });
});
afterAll(async () => {
  await k?.stop();
});

interface Completion {
  status: string;
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: { _jupyter_types_experimental: { start: number; end: number; text: string; type: string; signature?: string }[] };
}

/** Completes at the `‸` in `cell` (the marker is removed; the cursor counts code points). */
async function complete(cell: string): Promise<Completion & { typed: (m: Completion) => string; type: (name: string) => string | undefined; signature: (name: string) => string | undefined }> {
  const at = cell.indexOf("‸");
  expect(at, "the cell marks the cursor with ‸").toBeGreaterThanOrEqual(0);
  const code = cell.slice(0, at) + cell.slice(at + 1);
  const reply = await k.request("shell", "complete_request", { code, cursor_pos: [...cell.slice(0, at)].length });
  expect(reply.header.msg_type).toBe("complete_reply");
  const c = reply.content as unknown as Completion;
  const chars = [...code];
  const find = (name: string) => c.metadata._jupyter_types_experimental.find((t) => t.text === name);
  return {
    ...c,
    typed: (m) => chars.slice(m.cursor_start, m.cursor_end).join(""),
    type: (name) => find(name)?.type,
    signature: (name) => find(name)?.signature,
  };
}

async function run(code: string): Promise<void> {
  const r = await k.execute(code);
  expect(r.reply.content.status, `cell failed: ${JSON.stringify(r.errors)}`).toBe("ok");
}

describe("completion in the first cell", () => {
  test("the preloaded display API completes before any cell ran", async () => {
    const c = await complete("display.ht‸");
    expect(c.status).toBe("ok");
    expect(c.matches).toContain("html");
    expect(c.typed(c)).toBe("ht");
    expect(c.type("html")).toBe("function");
    expect(c.signature("html")).toMatch(/html\(html: string\)/);
  });

  test("preloaded global functions complete by their first letters", async () => {
    const c = await complete("clearOu‸");
    expect(c.matches[0]).toBe("clearOutput");
    expect(c.cursor_start).toBe(0);
    expect(c.cursor_end).toBe(7);
    expect(c.type("clearOutput")).toBe("function");
  });
});

describe("completion of the preloaded runtime", () => {
  test("tensor and its relatives complete in the first cell, with their signatures", async () => {
    const c = await complete("tens‸");
    expect(c.matches).toEqual(expect.arrayContaining(["tensor", "Tensor"]));
    expect(c.type("tensor")).toBe("function");
    expect(c.type("Tensor")).toBe("class");
    expect(c.signature("tensor")).toMatch(/^function tensor\(data: /);
  });

  test("Keras names complete in the first cell: layers.De offers Dense, models.Seq offers Sequential", async () => {
    const l = await complete("layers.De‸");
    expect(l.matches[0]).toBe("Dense");
    expect(l.typed(l)).toBe("De");
    expect(l.type("Dense")).toBe("class");
    const m = await complete("const model = models.Seq‸");
    expect(m.matches[0]).toBe("Sequential");
    expect(m.type("Sequential")).toBe("class");
  });

  test("network.fi offers fit on a model built in an earlier cell", async () => {
    await run('const network = models.Sequential([layers.Dense(10, { activation: "softmax" })]);');
    const c = await complete("await network.fi‸");
    expect(c.matches).toEqual(["fit"]);
    expect([c.cursor_start, c.cursor_end]).toEqual([14, 16]);
    expect(c.type("fit")).toBe("function");
    expect(c.signature("fit")).toMatch(/fit\(x: .*\): Promise<History>/);
  });

  test('inside compile({ optimizer: "rm" }) the optimizer names offer rmsprop; losses, metrics and activations too', async () => {
    const o = await complete('network.compile({ optimizer: "rm‸" })');
    expect(o.matches[0]).toBe("rmsprop");
    expect(o.typed(o)).toBe("rm");
    const l = await complete('network.compile({ optimizer: "rmsprop", loss: "categorical_c‸" })');
    expect(l.matches).toEqual(["categorical_crossentropy"]);
    const m = await complete('network.compile({ optimizer: "rmsprop", loss: "mse", metrics: ["acc‸"] })');
    expect(m.matches).toContain("accuracy");
    const a = await complete('layers.Dense(512, { activation: "re‸" })');
    expect(a.matches[0]).toBe("relu");
  });

  test("a tensor made in an earlier cell completes its methods", async () => {
    await run("const images = tensor([[0, 255], [128, 64]]);");
    const c = await complete("images.resh‸");
    expect(c.matches).toEqual(["reshape"]);
    expect(c.type("reshape")).toBe("function");
    const all = await complete("images.‸");
    expect(all.matches).toEqual(expect.arrayContaining(["shape", "dtype", "reshape"]));
    expect(all.matches.filter((m) => m.startsWith("_"))).toEqual([]);
    const s = await complete("images.sh‸");
    expect(s.signature("shape")).toMatch(/shape: readonly number\[\]/);
  });
});

describe("completion around line magics", () => {
  test("a continuation line that starts with % (modulo) is code, not a magic", async () => {
    const c = await complete('const parity = 7\n  % 2 === 1 ? "odd" : "even";\nparity.toUpperC‸');
    expect(c.matches).toContain("toUpperCase");
  });
});

describe("completion of what earlier cells declared", () => {
  test("a member of an object from an earlier cell completes, replacing only what was typed", async () => {
    await run("const network = { fit(epochs: number) { return epochs; }, fill: 'x', summary() {} };");
    const c = await complete("network.fi‸");
    expect(c.matches).toEqual(expect.arrayContaining(["fit", "fill"]));
    expect(c.matches).not.toContain("summary");
    expect([c.cursor_start, c.cursor_end]).toEqual([8, 10]);
    expect(c.type("fit")).toBe("function");
    expect(c.type("fill")).toBe("property");
  });

  test("names declared in earlier cells complete with their inferred types", async () => {
    await run("let learningRate = 0.01;\nfunction schedule(epoch: number) { return learningRate / (1 + epoch); }\nclass Trainer { epochs = 5 }");
    const c = await complete("const lr = learn‸");
    expect(c.matches[0]).toBe("learningRate");
    expect(c.type("learningRate")).toBe("variable");
    expect(c.signature("learningRate")).toBe("let learningRate: number");
    const s = await complete("sched‸");
    expect(s.type("schedule")).toBe("function");
    expect(s.signature("schedule")).toBe("function schedule(epoch: number): number");
    const t = await complete("new Trai‸");
    expect(t.type("Trainer")).toBe("class");
    const m = await complete("new Trainer().ep‸");
    expect(m.matches).toEqual(["epochs"]);
  });

  test("names a cell declared before it threw are known to later cells", async () => {
    const r = await k.execute('const partialResult = { loss: 0.3 };\nthrow new Error("stopped half-way");');
    expect(r.reply.content.status).toBe("error");
    const c = await complete("partialResult.lo‸");
    expect(c.matches).toEqual(["loss"]);
  });

  test("a re-run cell that declares a name again completes with the new type", async () => {
    await run("const batch = 128;");
    await run("const batch = 'mini';");
    const c = await complete("batch.toUpp‸");
    expect(c.matches).toContain("toUpperCase");
  });

  test("a string-literal union offers its values inside the quotes", async () => {
    await run("function compileWith(options: { optimizer: 'rmsprop' | 'adam' | 'sgd' | (string & {}) }) { return options; }");
    const c = await complete('compileWith({ optimizer: "rm‸" })');
    expect(c.matches).toEqual(["rmsprop"]);
    expect(c.typed(c)).toBe("rm");
    expect(c.type("rmsprop")).toBe("string");
  });

  test("members of Node's modules and npm packages complete from their typings", async () => {
    await run('import * as path from "node:path";\nimport { Dealer } from "zeromq";');
    const p = await complete("path.jo‸");
    expect(p.matches).toContain("join");
    expect(p.type("join")).toBe("function");
    const z = await complete("new Dealer().conn‸");
    expect(z.matches).toContain("connect");
    const zi = await complete("Deal‸");
    expect(zi.type("Dealer")).toBe("class");
  });
});

describe("positions", () => {
  test("cursor positions count code points, so an emoji before the cursor does not shift them", async () => {
    const c = await complete('const face = "😀😀"; face.toLow‸');
    expect(c.matches).toContain("toLowerCase");
    expect(c.typed(c)).toBe("toLow");
    expect(c.cursor_end).toBe([...'const face = "😀😀"; face.toLow'].length);
  });

  test("completion works on a later line of a multi-line cell", async () => {
    const c = await complete("const a = 1;\nconst b = [1, 2];\nb.forE‸");
    expect(c.matches).toEqual(["forEach"]);
    expect(c.cursor_start).toBe("const a = 1;\nconst b = [1, 2];\nb.".length);
  });

  test("where nothing matches the reply is ok with no matches", async () => {
    const c = await complete("network.zzzq‸");
    expect(c.status).toBe("ok");
    expect(c.matches).toEqual([]);
  });
});

describe("a cell run before the language service has loaded", () => {
  test("runs at once, and its names complete once the service is there", async () => {
    const fresh = await startKernel();
    try {
      // Sent right after kernel_info: the language service is still loading in its worker.
      const r = await fresh.execute("const startedEarly = { ready: true, epochs: 5 };\nstartedEarly.epochs");
      expect(r.reply.content.status).toBe("ok");
      expect(r.results[0]["text/plain"]).toBe("5");
      const reply = await fresh.request("shell", "complete_request", { code: "startedEarly.re", cursor_pos: 15 });
      expect(reply.content.matches).toEqual(["ready"]);
    } finally {
      await fresh.stop();
    }
  });
});

describe("a TypeScript module next to the notebook", () => {
  test("its exports complete with their documentation once a cell imported it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsdl-notebook-"));
    writeFileSync(join(dir, "helpers.ts"), "/** Scales pixels to [0, 1]. @example scale(255) */\nexport function scale(pixel: number): number { return pixel / 255; }\n");
    const nb = await startKernel({ cwd: dir });
    try {
      const r = await nb.execute('import { scale } from "./helpers.ts";\nscale(51)');
      expect(r.reply.content.status, JSON.stringify(r.errors)).toBe("ok");
      const c = await nb.request("shell", "complete_request", { code: "sca", cursor_pos: 3 });
      expect(c.content.matches).toEqual(["scale"]);
      const i = await nb.request("shell", "inspect_request", { code: "scale", cursor_pos: 5, detail_level: 0 });
      expect((i.content.data as Record<string, string>)["text/plain"]).toContain("Scales pixels to [0, 1].");
    } finally {
      await nb.stop();
    }
  });
});

describe("completion from the session's values (before the service has loaded, or with it off)", () => {
  let off: KernelClient;
  beforeAll(async () => {
    // With the service off the values are all there is, so what they answer can be asserted.
    off = await startKernel({ env: { TSDL_LANGUAGE: "off" } });
  });
  afterAll(async () => {
    await off?.stop();
  });
  const completeOff = async (code: string) =>
    (await off.request("shell", "complete_request", { code, cursor_pos: [...code].length })).content as unknown as Completion;
  const kinds = (c: Completion) => Object.fromEntries(c.metadata._jupyter_types_experimental.map((t) => [t.text, t.type]));

  test("globals, Node's objects' members and the runtime's namespaces complete, with their kinds", async () => {
    const g = await completeOff("clearOu");
    expect(g).toMatchObject({ status: "ok", matches: ["clearOutput"], cursor_start: 0, cursor_end: 7 });
    expect(kinds(g)).toEqual({ clearOutput: "function" });
    const m = await completeOff("x = Math.fl");
    expect(m).toMatchObject({ matches: ["floor"], cursor_start: 9, cursor_end: 11 });
    const d = await completeOff("layers.De");
    expect(d.matches).toEqual(expect.arrayContaining(["Dense"]));
    expect(kinds(d).Dense).toBe("class");
    const t = await completeOff("tens");
    expect(t.matches).toEqual(expect.arrayContaining(["tensor", "Tensor"]));
    expect(kinds(t).Tensor).toBe("class");
  });

  test("names from earlier cells and their members, along a chain of names, in code points", async () => {
    const r = await off.execute("const run = { history: { loss: [1], lossWeights: 2, acc: [0] }, label: 'a' };\nclass Model7 { units = 3; _secret = 1; predict() { return 1; } }\nconst model7 = new Model7();");
    expect(r.reply.content.status).toBe("ok");
    expect((await completeOff("ru")).matches).toContain("run");
    expect((await completeOff("run.history.lo")).matches).toEqual(["loss", "lossWeights"]);
    expect((await completeOff("run ?. history\n  .ac")).matches).toEqual(["acc"]);
    const p = await completeOff("model7.");
    expect(p.matches).toEqual(["predict", "units"]);
    expect(kinds(p)).toEqual({ predict: "function", units: "property" });
    expect((await completeOff("model7._")).matches).toEqual(["_secret"]);
    const e = await completeOff("'😀'; run.la");
    expect(e).toMatchObject({ matches: ["label"], cursor_start: 9, cursor_end: 11 });
  });

  test("nothing is run to complete: no getter, call or element is followed, no literal completed", async () => {
    const r = await off.execute("let reads = 0;\nconst lazy = { get inner() { reads++; return { deep: 1 }; }, list: [{ first: 1 }], make() { reads++; return { made: 1 }; } };");
    expect(r.reply.content.status).toBe("ok");
    for (const code of ["lazy.inner.de", "lazy.make().ma", "lazy.list[0].fi", "1.5", "'text'.le"]) {
      expect((await completeOff(code)).matches, code).toEqual([]);
    }
    expect((await completeOff("lazy.")).matches).toEqual(["inner", "list", "make"]);
    expect((await off.execute("reads")).results[0]["text/plain"]).toBe("0");
  });

  test("TSDL_LANGUAGE=off turns type checks off: a cell with a type error runs, with nothing on stderr", async () => {
    const r = await off.execute('const n: number = "five";\nn');
    expect(r.reply.content.status).toBe("ok");
    expect(r.results[0]["text/plain"]).toBe("'five'");
    expect(r.stderr).toBe("");
  });
});
