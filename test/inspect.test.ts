/**
 * Inspection (inspect_request, Shift-Tab in JupyterLab) through the real kernel over ZeroMQ:
 * the signature and documentation of what is under the cursor, inferred types of the user's
 * own names, and found: false where there is nothing to show.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startKernel, type KernelClient } from "./helpers/kernel-client.js";

let k: KernelClient;

beforeAll(async () => {
  k = await startKernel();
});
afterAll(async () => {
  await k?.stop();
});

interface Inspection {
  status: string;
  found: boolean;
  data: Record<string, string>;
}

/** Inspects at the `‸` in `cell` (removed; the cursor counts code points). */
async function inspect(cell: string): Promise<Inspection> {
  const at = cell.indexOf("‸");
  const code = cell.slice(0, at) + cell.slice(at + 1);
  const reply = await k.request("shell", "inspect_request", { code, cursor_pos: [...cell.slice(0, at)].length, detail_level: 0 });
  expect(reply.header.msg_type).toBe("inspect_reply");
  return reply.content as unknown as Inspection;
}

async function run(code: string): Promise<void> {
  const r = await k.execute(code);
  expect(r.reply.content.status, `cell failed: ${JSON.stringify(r.errors)}`).toBe("ok");
}

test("Shift-Tab on a preloaded function shows its signature, documentation and example", async () => {
  const r = await inspect("display.html‸");
  expect(r.status).toBe("ok");
  expect(r.found).toBe(true);
  const text = r.data["text/plain"];
  expect(text).toMatch(/html\(html: string\): DisplayHandle/);
  expect(text).toContain("Shows HTML.");
  expect(text).toMatch(/Example:\n\s+display\.html\(/);
  expect(r.data["text/markdown"]).toContain("```ts\n");
});

test("the preloaded display function documents itself in the first cell", async () => {
  const r = await inspect("disp‸lay(1)");
  expect(r.found).toBe(true);
  expect(r.data["text/plain"]).toMatch(/^const display: DisplayApi/);
  expect(r.data["text/plain"]).toContain("Example:");
});

test("Shift-Tab on a runtime namespace lists what it holds", async () => {
  const r = await inspect("models‸");
  expect(r.found).toBe(true);
  expect(r.data["text/plain"]).toMatch(/^namespace models/);
  expect(r.data["text/plain"]).toMatch(/Exports: .*Sequential/);
});

test("Shift-Tab on a layer and on fit shows the runtime's documentation and example", async () => {
  const dense = await inspect("layers.Dense‸(512)");
  expect(dense.found).toBe(true);
  expect(dense.data["text/plain"]).toMatch(/^Dense\(units: number, options\?: /);
  expect(dense.data["text/plain"]).toContain("Example:");
  await run("const net = models.Sequential([layers.Dense(10)]);");
  const fit = await inspect("net.fit‸(");
  expect(fit.found).toBe(true);
  expect(fit.data["text/plain"]).toMatch(/fit\(x: .*Promise<History>/);
  expect(fit.data["text/plain"]).toContain("Example:");
  expect((await inspect("net‸")).data["text/plain"]).toMatch(/^const net: /);
});

test("a name from an earlier cell shows its inferred type", async () => {
  await run("const losses = [0.5, 0.25];\nconst best = { epoch: 3, loss: Math.min(...losses) };");
  expect((await inspect("losses‸")).data["text/plain"]).toBe("const losses: number[]");
  expect((await inspect("best.ep‸och")).data["text/plain"]).toBe("(property) epoch: number");
});

test("a user's documented function shows its JSDoc and example", async () => {
  await run("/**\n * Scales a learning rate down as epochs pass.\n * @example decay(0.1, 3)\n */\nfunction decay(rate: number, epoch: number) { return rate / (1 + epoch); }");
  const r = await inspect("decay‸(0.1, 2)");
  expect(r.found).toBe(true);
  expect(r.data["text/plain"]).toContain("function decay(rate: number, epoch: number): number");
  expect(r.data["text/plain"]).toContain("Scales a learning rate down as epochs pass.");
  expect(r.data["text/plain"]).toMatch(/Example:\n\s+decay\(0\.1, 3\)/);
});

test("inside a call's arguments it shows the function being called", async () => {
  const r = await inspect("decay(0.1, ‸)");
  expect(r.found).toBe(true);
  expect(r.data["text/plain"]).toContain("decay(rate: number, epoch: number): number");
});

test("a method of a Node module shows its signature", async () => {
  await run('import * as path from "node:path";');
  const r = await inspect("path.basename‸");
  expect(r.found).toBe(true);
  expect(r.data["text/plain"]).toMatch(/basename\(path: string/);
});

test("where there is nothing to inspect the reply is ok with found false", async () => {
  const r = await inspect("   ‸   ");
  expect(r.status).toBe("ok");
  expect(r.found).toBe(false);
  expect(r.data).toEqual({});
});
