/**
 * What a notebook user sees in the real kernel over ZeroMQ (issue 18, parts 4 and 5): Keras
 * objects as one short line (a cell's value, console.log, template strings, arrays of them), help
 * with `?` in the pager as ipykernel sends it, and `prompt()` / `confirm()` / `alert()` through
 * the stdin channel — synchronously, as in a browser and in Deno.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startKernel, type KernelClient, type Message } from "./helpers/kernel-client.js";
import { helpRequest } from "../kernel/exec/help.js";

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  await k.execute("0");
});
afterAll(async () => {
  await k?.stop();
});

/** Runs a cell that must not fail; returns its outputs. */
async function ok(code: string, content: Record<string, unknown> = {}) {
  const r = await k.execute(code, content);
  expect(r.errors, `cell failed: ${JSON.stringify(r.errors)}`).toEqual([]);
  expect(r.reply.content.status).toBe("ok");
  return r;
}

const plain = async (code: string) => (await ok(code)).results[0]?.["text/plain"];

describe("Keras objects read as one line", () => {
  beforeAll(async () => {
    await ok(`layers.resetLayerNames();
utils.setRandomSeed(1);
const model = models.Sequential([layers.Dense(512, { activation: "relu", inputShape: [784] }), layers.Dense(10, { activation: "softmax" })]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
const history = await model.fit(randomNormal([64, 784]), utils.toCategorical(tensor(Array.from({ length: 64 }, (_, i) => i % 10), "int32"), 10), { epochs: 2, batchSize: 32, verbose: 0 });`);
  });

  test("a layer as a cell's value is Keras's line with its units and activation", async () => {
    expect(await plain("model.layers[0]")).toBe("<Dense name=dense, units=512, activation=relu, built=True>");
  });

  test("a model's value is its line as text/plain and its summary table as text/html", async () => {
    const r = await ok("model");
    expect(r.results[0]["text/plain"]).toBe("<Sequential name=sequential, built=True>");
    expect(String(r.results[0]["text/html"])).toContain("<td style=\"text-align:left;padding:2px 12px\">dense (Dense)</td>");
  });

  test("an array of layers is a list of lines", async () => {
    expect(await plain("[model.layers]")).toBe(
      "[\n  [\n    <Dense name=dense, units=512, activation=relu, built=True>,\n    <Dense name=dense_1, units=10, activation=softmax, built=True>\n  ]\n]",
    );
  });

  test("the optimizer, a loss, a callback and the History are lines too", async () => {
    expect(await plain("model.optimizer")).toBe("<RMSprop learning_rate=0.001, rho=0.9>");
    expect(await plain("new losses.CategoricalCrossentropy({ fromLogits: true })")).toBe("<CategoricalCrossentropy from_logits=True>");
    expect(await plain("new callbacks.EarlyStopping({ patience: 2 })")).toBe("<EarlyStopping monitor=val_loss, patience=2, restore_best_weights=False>");
    const h = await ok("history");
    expect(h.results[0]["text/plain"]).toBe("<History epochs=2, metrics=[accuracy, loss]>");
    expect(String(h.results[0]["text/html"])).toContain('<table class="tsdl-history">');
  });

  test("console.log and template strings print the same lines", async () => {
    const r = await ok("console.log(model.layers[1]); console.log(`${model} with ${model.optimizer}`); console.log({ best: model.layers[0] })");
    expect(r.stdout).toBe(
      "<Dense name=dense_1, units=10, activation=softmax, built=True>\n" +
        "<Sequential name=sequential, built=True> with <RMSprop learning_rate=0.001, rho=0.9>\n" +
        "{ best: <Dense name=dense, units=512, activation=relu, built=True> }\n",
    );
  });
});

describe("help with ? in the pager", () => {
  /** The single page payload of a help cell's reply (jupyter_kernel_test's test_pager asserts this shape). */
  async function page(code: string): Promise<{ reply: Message; data: Record<string, string> }> {
    const r = await ok(code);
    expect(r.results).toEqual([]);
    const payload = r.reply.content.payload as { source: string; data: Record<string, string>; start: number }[];
    expect(payload).toHaveLength(1);
    expect(payload[0].source).toBe("page");
    expect(payload[0].start).toBe(0);
    return { reply: r.reply, data: payload[0].data };
  }

  test("model.fit? pages fit's signature and documentation", async () => {
    const { data } = await page("model.fit?");
    expect(data["text/plain"]).toMatch(/fit\(x: .*Promise<History>/);
    expect(data["text/plain"]).toMatch(/Example:/);
    expect(data["text/markdown"]).toMatch(/^```ts\n.*fit\(/);
  });

  test("?layers.Dense, layers.Dense?? and surrounding whitespace page Dense's documentation", async () => {
    for (const cell of ["?layers.Dense", "  layers.Dense??\n", "layers . Dense?"]) {
      const { data } = await page(cell);
      expect(data["text/plain"], cell).toMatch(/Dense/);
      expect(data["text/plain"], cell).toMatch(/units/);
    }
  });

  test("help on data pages its value too; the cell counts in history like any other", async () => {
    const before = (await ok("1")).reply.content.execution_count as number;
    const { reply, data } = await page("model?");
    expect(reply.content.execution_count).toBe(before + 1);
    expect(data["text/plain"]).toContain("Value: <Sequential name=sequential, built=True>");
  });

  test("a type pages its declaration and documentation", async () => {
    const { data } = await page("layers.LayerOptions?");
    expect(data["text/plain"]).toMatch(/^interface LayerOptions\n\nOptions every layer accepts/);
  });

  test("an unknown name prints IPython's 'not found' and pages nothing", async () => {
    for (const name of ["noSuchThing", "model.noSuchMethod"]) {
      const r = await ok(`${name}?`);
      expect(r.reply.content.payload).toEqual([]);
      expect(r.stdout).toBe(`Object \`${name}\` not found.\n`);
    }
  });

  test("only a cell that is one name with ? or ?? on one side is a help request", () => {
    expect(helpRequest(" ?model.fit\n")).toEqual({ name: "model.fit", detailLevel: 0 });
    expect(helpRequest("model.fit??")).toEqual({ name: "model.fit", detailLevel: 1 });
    for (const code of ["model", "?model?", "model???", "a ? b : c", "a?.b", "a ?? b", "x?\ny", "f()?", "model.fit?;", "// x?"]) {
      expect(helpRequest(code), code).toBeNull();
    }
  });

  test("a ternary, optional chaining and ?? are code, not help requests", async () => {
    expect(await plain("const yes = true; yes ? 'a' : 'b'")).toBe("'a'");
    expect(await plain("const maybe: { x?: number } | undefined = { x: 3 }; maybe?.x")).toBe("3");
    expect(await plain("null ?? 'fallback'")).toBe("'fallback'");
    const r = await ok("yes ? model : 0");
    expect(r.reply.content.payload).toEqual([]);
    expect(r.results[0]["text/plain"]).toBe("<Sequential name=sequential, built=True>");
  });
});

test("with the language service off (TSDL_LANGUAGE=off), help still pages what the session knows", async () => {
  const bare = await startKernel({ env: { TSDL_LANGUAGE: "off" } });
  try {
    await bare.execute("const t = tensor([1, 2]); function twice(x: number) { return 2 * x }");
    const data = async (code: string) => ((await bare.execute(code)).reply.content.payload as { data: Record<string, string> }[])[0]?.data;
    expect((await data("t?"))?.["text/plain"]).toBe("Value: tensor([1., 2.], shape=[2], dtype=float32)");
    expect((await data("twice?"))?.["text/plain"]).toBe("twice: [Function: twice]");
    const missing = await bare.execute("nothing?");
    expect(missing.stdout).toBe("Object `nothing` not found.\n");
  } finally {
    await bare.stop();
  }
});

describe("prompt(), confirm() and alert() wait for the person, as in a browser and in Deno", () => {
  /** The input_request of execute request `id` number `n` (0-based), once it has come. */
  const inputRequest = (id: string, n = 0) =>
    k.waitFor(() => k.stdinMessages.filter((m) => m.parent_header.msg_id === id)[n], `input_request ${n + 1} of ${id}`);
  const answer = (req: Message, value: string) => k.send("stdin", "input_reply", { value }, { parent: req.header });

  test("prompt() returns the answer synchronously; what the cell printed before it is already shown", async () => {
    const id = await k.sendExecute(`console.log("a"); display("b"); console.log("c"); const who = prompt("Name?"); "hi " + who`, { allow_stdin: true });
    const req = await inputRequest(id);
    expect(req.content).toEqual({ prompt: "Name?", password: false });
    // All three outputs left before the kernel blocked (the second and third waited in the IOPub queue).
    const shown = await k.waitFor(() => {
      const out = k.iopubFor(id).filter((m) => m.header.msg_type === "stream" || m.header.msg_type === "display_data");
      return out.length >= 3 ? out : undefined;
    }, "the outputs before the prompt", 5000);
    expect(shown.map((m) => m.content.text ?? m.content.data)).toEqual(["a\n", { "text/plain": "'b'" }, "c\n"]);
    expect(await k.heartbeat()).toBe(true);
    await answer(req, "Ada");
    const r = await k.collect(id);
    expect(r.results[0]["text/plain"]).toBe("'hi Ada'");
  });

  test("prompt's default answers an empty reply, confirm is true for y, alert waits for Enter", async () => {
    const id = await k.sendExecute(`const epochs = prompt("Epochs?", "5"); const sure = confirm("Train?"); alert("Starting"); [epochs, sure]`, { allow_stdin: true });
    const first = await inputRequest(id, 0);
    expect(first.content.prompt).toBe("Epochs? [5]");
    await answer(first, "");
    const second = await inputRequest(id, 1);
    expect(second.content.prompt).toBe("Train? [y/N] ");
    await answer(second, "y");
    const third = await inputRequest(id, 2);
    expect(third.content.prompt).toBe("Starting [Enter] ");
    await answer(third, "");
    expect((await k.collect(id)).results[0]["text/plain"]).toBe("[ '5', true ]");
  });

  test("without allow_stdin (nbconvert), prompt is null, confirm false, and alert prints its message", async () => {
    const r = await ok(`[prompt("Name?"), confirm("Sure?"), alert("Note this")]`, { allow_stdin: false });
    expect(r.results[0]["text/plain"]).toBe("[ null, false, undefined ]");
    expect(r.stdout).toBe("Note this\n");
    expect(k.stdinMessages.filter((m) => m.parent_header.msg_id === r.reply.parent_header.msg_id)).toEqual([]);
  });

  test("a Stop while prompt() waits ends the cell with KeyboardInterrupt, by message or by signal, and the kernel goes on", async () => {
    for (const [how, cell] of [
      ["interrupt_request", `prompt("In the script?")`],
      ["interrupt_request", `await Promise.resolve(); prompt("After an await?")`],
      ["SIGINT", `prompt("Signalled?")`],
    ] as const) {
      const id = await k.sendExecute(cell, { allow_stdin: true });
      await inputRequest(id);
      if (how === "SIGINT") k.signalInterrupt();
      else await k.request("control", "interrupt_request", {});
      const r = await k.collect(id, 10_000);
      expect(r.errors.map((e) => e.ename), `${how}: ${cell}`).toEqual(["KeyboardInterrupt"]);
    }
    // An answer to a withdrawn prompt is ignored; prompts and input() still work.
    const stale = k.stdinMessages.at(-1)!;
    await answer(stale, "late");
    const id = await k.sendExecute(`[prompt("Again?"), await input("And? ")]`, { allow_stdin: true });
    await answer(await inputRequest(id, 0), "one");
    await answer(await inputRequest(id, 1), "two");
    expect((await k.collect(id)).results[0]["text/plain"]).toBe("[ 'one', 'two' ]");
    expect(await plain("6 * 7")).toBe("42");
  });
});
