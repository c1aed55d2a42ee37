/**
 * The documentation Shift-Tab shows: every preloaded name of the runtime and the display API
 * answers inspect_request (through the real kernel over ZeroMQ) with its JSDoc, functions and
 * classes with an example; and no public function, class, method or option of the runtime
 * lacks its JSDoc (kernel/language/doc-coverage.ts).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";
import { undocumented } from "../kernel/language/doc-coverage.js";

let k: KernelClient;

beforeAll(async () => {
  k = await startKernel();
});
afterAll(async () => {
  await k?.stop();
});

async function inspect(code: string): Promise<{ found: boolean; text: string }> {
  const reply = await k.request("shell", "inspect_request", { code, cursor_pos: [...code].length, detail_level: 0 });
  const content = reply.content as { found: boolean; data: Record<string, string> };
  return { found: content.found, text: content.data["text/plain"] ?? "" };
}

test("Shift-Tab on every preloaded name shows its documentation, and an example for functions and classes", async () => {
  const runtime = (await import("../runtime/index.js")) as Record<string, unknown>;
  const names = [...Object.keys(runtime).filter((n) => !(n in globalThis)), "display", "clearOutput", "input", "prompt", "confirm", "alert", "comms"];
  expect(names).toEqual(expect.arrayContaining(["tensor", "models", "layers", "display"]));
  const missing: string[] = [];
  for (const name of names) {
    const r = await inspect(name);
    const [signature, ...doc] = r.text.split("\n\n");
    // Functions, classes and Keras-style constructors (`const Dense: typeof DenseLayer & ((units…) => …)`).
    const isCallable = /^(function|class)\b/.test(signature ?? "") || /=>/.test(signature ?? "");
    if (!r.found || doc.join("").trim() === "") missing.push(`${name}: no documentation`);
    else if (isCallable && !r.text.includes("Example:")) missing.push(`${name}: no example`);
  }
  expect(missing).toEqual([]);
});

test("every public function, class, method and option of the runtime and the display API has JSDoc", () => {
  expect(undocumented()).toEqual([]);
});
