/**
 * The types of valueAndGrad and grad, checked by the TypeScript compiler as a notebook cell or a
 * script would be: a parameter structure written as an `interface` is accepted (TypeScript gives
 * interfaces no index signature, so a plain `Params` constraint refused it with "Type
 * instantiation is excessively deep"), and what cannot hold gradients is still refused.
 */
import { expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./helpers/kernel-client.js";

/** The compiler's errors for `source`, which imports the runtime's TypeScript source. */
function typeErrors(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "tsdl-autograd-types-"));
  try {
    const file = join(dir, "cell.ts");
    writeFileSync(file, `import { valueAndGrad, grad, tensor, variable, zeros, softmaxCrossEntropy, type Tensor, type Variable } from ${JSON.stringify(join(REPO_ROOT, "runtime", "index.js"))};\n${source}`);
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ["node"],
    });
    return ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start!).line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("valueAndGrad takes weights declared as an interface, and types their gradients", () => {
  expect(typeErrors(`
interface Weights { w: Variable; b: Variable }
const lossOf = (p: Weights, x: Tensor, y: Tensor) => softmaxCrossEntropy(x.matmul(p.w).add(p.b), y, { sparse: true });
const weights: Weights = { w: variable(zeros([3, 2])), b: variable(zeros([2])) };
const [loss, grads] = valueAndGrad(lossOf)(weights, zeros([4, 3]), zeros([4], "int32"));
const gw: Tensor = grads.w;
const gb: Tensor = grads["b"];
const gx: Tensor = grad((x: Tensor) => x.square().sum())(tensor([1, 2]));
const [, gs] = valueAndGrad((ps: Tensor[]) => ps[0].sum())([tensor([1])]);
const g0: Tensor = gs[0];
`)).toEqual([]);
}, 60_000);

test("valueAndGrad refuses a number, and a structure with a member that is not a tensor", () => {
  const errors = typeErrors(`
valueAndGrad((n: number) => tensor(n));
valueAndGrad((s: { a: string }) => tensor(1))({ a: "x" });
`);
  expect(errors).toHaveLength(2);
  expect(errors[0]).toMatch(/^2: .*Type 'object' is not assignable to type 'number'/);
  expect(errors[1]).toMatch(/^3: .*'string' is not assignable to type 'never'/);
}, 60_000);
