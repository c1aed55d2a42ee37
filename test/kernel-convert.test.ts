/**
 * Converting a cell (kernel/convert), without sockets: what the rewrite hoists, that the result
 * runs as a script, and that JavaScript positions map back to the cell's own lines and columns.
 */
import { describe, test, expect } from "vitest";
import vm from "node:vm";
import fc from "fast-check";
import { convertCell, convertToData, fromData, CellSyntaxError } from "../kernel/convert/index.js";
import { simpleExpression, usesOnlyDefined } from "../kernel/convert/simple.js";

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

describe("one-expression cells converted without the parser (kernel/convert/simple.ts)", () => {
  const full = async (code: string) => {
    try {
      return await convertToData(code);
    } catch {
      return null;
    }
  };

  test("a plain expression gets exactly the full conversion, positions included", async () => {
    for (const code of ["1 + 1", "model.summary()", "  x.shape[0] ;\n", "a ? b : c", "f(a)(b)[2]", "x = 5", "a?.b ?? -c", "(\n  x +\n  yy.z\n)"]) {
      const fast = simpleExpression(code);
      expect(fast, code).not.toBeNull();
      const reference = (await full(code))!;
      expect(fast!.js, code).toBe(reference.js);
      expect(fast!.hasValue).toBe(true);
      expect(fast!.names).toEqual([]);
      const [a, b] = [fromData(code, fast!), fromData(code, reference)];
      const lines = reference.js.split("\n");
      for (let line = 1; line <= lines.length; line++) {
        for (let column = 1; column <= lines[line - 1].length; column++) {
          expect(a.originalPosition(line, column), `${code} at ${line}:${column}`).toEqual(b.originalPosition(line, column));
        }
      }
    }
  });

  test("what is not one plain expression takes the full path", () => {
    for (const code of [
      "", " ;", "let [a] = [1]", "const x = 1", "f<T>(x)", "x as number", "x!", "010", "'s'", "`t`", "a / b", "// c",
      "a; b", "{ a: 1 }", "import('fs')", "a) + (b", "@dec", "#x", "a < b", "type X = 1", "π + 1",
    ]) {
      expect(simpleExpression(code), code).toBeNull();
    }
  });

  test("whenever it answers, the full converter agrees (random cells: expressions and token soup)", async () => {
    const ws = fc.constantFrom("", " ", "\n", "  ");
    const { expr } = fc.letrec<{ expr: string; atom: string }>((tie) => ({
      atom: fc.constantFrom("a", "b1", "$", "_x", "0", "1.5", "2e3", "0x1f", "09", "let", "await", "this", "null"),
      expr: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        tie("atom"),
        fc.tuple(fc.constantFrom("-", "!", "~", "typeof ", "void ", "await ", "new ", "++"), tie("expr")).map(([o, e]) => o + e),
        fc.tuple(tie("expr"), fc.constantFrom("+", "-", "*", "%", "==", "&&", "||", "??", "^", ">", ">>", "=", "in", ",", "**"), ws, tie("expr")).map(([a, o, w, b]) => `${a} ${o}${w}${b}`),
        fc.tuple(tie("expr"), fc.constantFrom(".x", "?.y", "!", "++", "[0]", "()", "(a, b)", " as T")).map(([e, s]) => e + s),
        fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
        fc.tuple(ws, tie("expr"), ws).map(([u, e, v]) => `(${u}${e}${v})`),
        fc.tuple(tie("expr"), tie("expr")).map(([a, b]) => `[${a}, ${b}]`),
      ),
    }));
    const soup = fc.array(fc.constantFrom("a", "0", "+", "=", "!", "?", ":", ",", ".", "(", ")", "[", "]", ">", " ", "\n", ";", "let", "new"), { minLength: 1, maxLength: 12 }).map((p) => p.join(""));
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(expr, soup), fc.constantFrom("", ";", " ;\n"), async (body, tail) => {
        const code = body + tail;
        const fast = simpleExpression(code);
        if (fast === null) return;
        answered++;
        const reference = await full(code);
        expect(reference, code).not.toBeNull();
        expect(fast.js, code).toBe(reference!.js);
        expect(reference!.names, code).toEqual([]);
        expect(reference!.hasValue, code).toBe(true);
      }),
      { numRuns: 3000, seed: 20261202 },
    );
    // The property means something only if the fast path answered often.
    expect(answered).toBeGreaterThan(400);
  });
});

describe("cells that need nothing the runtime defines (usesOnlyDefined)", () => {
  test("one expression whose free names all exist runs without waiting for the runtime", () => {
    expect(usesOnlyDefined("1 + 1", {})).toBe(true);
    expect(usesOnlyDefined("Math.max(1, 2e3) + 0x1f", globalThis)).toBe(true);
    expect(usesOnlyDefined("x.shape[0] ;", { x: 1 })).toBe(true);
    expect(usesOnlyDefined("a?.tensor + b . layers", { a: 1, b: 2 })).toBe(true); // property names are not free
    expect(usesOnlyDefined("typeof q === void 0", {})).toBe(false); // q is a free name
    expect(usesOnlyDefined("new Date() !== null", globalThis)).toBe(true);
  });

  test("a name not defined yet, or a cell that is not one plain expression, waits", () => {
    expect(usesOnlyDefined("tensor([1, 2])", {})).toBe(false);
    expect(usesOnlyDefined("x + 1", {})).toBe(false);
    expect(usesOnlyDefined("const x = 1", globalThis)).toBe(false);
    expect(usesOnlyDefined("'a' + 1", globalThis)).toBe(false);
    expect(usesOnlyDefined("", globalThis)).toBe(false);
  });
});
