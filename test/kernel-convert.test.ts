/**
 * Converting a cell (kernel/convert), without sockets: what the rewrite hoists, that the result
 * runs as a script, and that JavaScript positions map back to the cell's own lines and columns.
 */
import { describe, test, expect } from "vitest";
import vm from "node:vm";
import { convertCell, CellSyntaxError } from "../kernel/convert/index.js";

/** Runs converted code the way the executor does and returns the cell's value. */
async function runCell(code: string): Promise<unknown> {
  const cell = await convertCell(code);
  return new vm.Script(cell.js, { filename: "convert-test" }).runInThisContext();
}

describe("converting a cell", () => {
  test("top-level declarations of every kind are named for hoisting", async () => {
    const cell = await convertCell(`const a = 1, { b, c: [d] } = { b: 2, c: [3] }
let e: number; var f = 0
function g() {} class H {} enum I { X } namespace J { export const k = 1 }
import L, { m as n, type T } from "pkg"; import * as o from "pkg"; import p = require("pkg")
interface Q {} type R = string`);
    expect(cell.names.sort()).toEqual(["H", "I", "J", "L", "a", "b", "d", "e", "f", "g", "n", "o", "p"].sort());
  });

  test("the final expression is the value, and a declaration is not", async () => {
    expect((await convertCell("1 + 1")).hasValue).toBe(true);
    expect((await convertCell("const z = 1")).hasValue).toBe(false);
    expect(await runCell("const convA: number = 20; const convB = await Promise.resolve(22); convA + convB")).toBe(42);
  });

  test("a JavaScript position maps back to the cell's line and column", async () => {
    const code = "const first = 1\n\nfunction boom(n: number): never {\n  throw new Error(`n=${n}`)\n}\nboom(first)";
    const cell = await convertCell(code);
    const error = await new vm.Script(cell.js, { filename: "map-test" }).runInThisContext().catch((e: Error) => e);
    const [, line, column] = /map-test:(\d+):(\d+)/.exec(error.stack)!;
    expect(cell.originalPosition(Number(line), Number(column))).toEqual({ line: 4, column: 9 });
  });

  test("a syntax error names the line, the column and the text of the line", async () => {
    const error = await convertCell("const ok = 1\nlet broken = ;").catch((e) => e);
    expect(error).toBeInstanceOf(CellSyntaxError);
    expect(error).toMatchObject({ line: 2, column: 14, sourceLine: "let broken = ;", description: "Expression expected." });
  });
});

describe("namespaces and what only esbuild refuses", () => {
  test("a namespace is a global that later cells use", async () => {
    expect(await runCell("namespace ConvNs { export const k = 7 }\nConvNs.k")).toBe(7);
    expect(await runCell("ConvNs.k + 1")).toBe(8);
  });

  test("code TypeScript parses but esbuild refuses is a syntax error at the cell's line", async () => {
    const error = await convertCell("const fine = 1\nfine + 1 = 2").catch((e) => e);
    expect(error).toBeInstanceOf(CellSyntaxError);
    expect(error.line).toBe(2);
  });
});
