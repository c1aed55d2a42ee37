/**
 * Every notebook in notebooks/ runs top to bottom under `jupyter nbconvert --execute` on the
 * installed tsdl kernel, and its saved outputs are what a reader should see: no error except in
 * cells tagged `raises-exception` (and those do raise), no type error under any cell, every code
 * cell executed, every chart with the SVG that renderers without Vega show, and, per notebook,
 * the numbers the chapter prints (shapes, dtypes, parameter counts, accuracies above the
 * chapter's thresholds).
 *
 * Notebooks run one after another, each in a fresh kernel, with TSDL_STRICT=1 so a type error
 * stops its cell (and shows up here) instead of being printed after nbconvert stopped listening.
 * A notebook with no entry in CHECKS gets the generic assertions only; an entry may give a
 * longer timeout.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./helpers/kernel-client.js";
import { installKernelspec } from "./helpers/jupyter.js";

type MimeBundle = Record<string, string | string[] | object>;
interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error" | "update_display_data";
  name?: "stdout" | "stderr";
  text?: string | string[];
  data?: MimeBundle;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: { tags?: string[] };
  execution_count?: number | null;
  outputs?: Output[];
}

const join_ = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

/** An executed notebook, with look-ups for the assertions below. */
class Executed {
  readonly code: Cell[];
  constructor(readonly name: string, readonly cells: Cell[]) {
    this.code = cells.filter((c) => c.cell_type === "code");
  }

  /** The one code cell whose source contains `fragment`. */
  cell(fragment: string): Cell {
    const found = this.code.filter((c) => join_(c.source).includes(fragment));
    if (found.length !== 1) throw new Error(`${this.name}: ${found.length} code cells contain ${JSON.stringify(fragment)}; the checks need exactly one`);
    return found[0];
  }

  /** What the cell printed and returned as text: its streams and the text/plain of its results and displays. */
  text(fragment: string): string {
    return (this.cell(fragment).outputs ?? [])
      .map((o) => (o.output_type === "stream" ? join_(o.text) : o.data ? join_(o.data["text/plain"] as string | string[]) : ""))
      .join("\n");
  }

  /** The cell's displays and results that carry `mime`. */
  withMime(fragment: string, mime: string): Output[] {
    return (this.cell(fragment).outputs ?? []).filter((o) => o.data && mime in o.data);
  }

  /** The number printed after `label` in the cell's text (the first match). */
  number(fragment: string, label: RegExp): number {
    const text = this.text(fragment);
    const m = new RegExp(`${label.source}\\s*(-?[0-9.]+(?:e[-+]?[0-9]+)?)`).exec(text);
    if (!m) throw new Error(`${this.name}: no number after ${label} in the output of the cell with ${JSON.stringify(fragment)}:\n${text}`);
    return Number(m[1]);
  }
}

interface NotebookCheck {
  /** Seconds for nbconvert to run the whole notebook (a cell's own limit is the same). Default 300. */
  timeoutS?: number;
  /** Assertions on the executed notebook, after the generic ones. */
  check?: (nb: Executed) => void;
}

const VEGA_LITE = "application/vnd.vegalite.v5+json";

/** Per-notebook assertions, keyed by file name. */
const CHECKS: Record<string, NotebookCheck> = {
  "01-first-neural-network.ipynb": {
    check(nb) {
      expect(nb.text("trainImages.shape")).toBe("[ 60000, 28, 28 ]");
      expect(nb.text("trainImages.dtype")).toBe("'uint8'");
      expect(nb.text("[testImages.shape, testLabels.shape]")).toBe("[ [ 10000, 28, 28 ], [ 10000 ] ]");
      expect(nb.withMime("display.image(trainImages.get(4)", "image/png")).toHaveLength(1);
      expect(nb.text("display.image(trainImages.get(4)")).toMatch(/\n9$/);
      const summary = nb.text('loss: "categorical_crossentropy"');
      expect(summary).toMatch(/dense \(Dense\)\s+│ \(None, 512\)\s+│\s+401,920 │/);
      expect(summary).toMatch(/dense_1 \(Dense\)\s+│ \(None, 10\)\s+│\s+5,130 │/);
      expect(summary).toContain("Total params: 407,050 (1.55 MB)");
      const fit = nb.text("await model.fit(x, y,");
      for (let e = 1; e <= 5; e++) expect(fit).toContain(`Epoch ${e}/5\n469/469 ━━━━━━━━━━━━━━━━━━━━`);
      expect(nb.number("await model.fit(x, y,", /Epoch 5\/5\n469\/469 .*accuracy:/)).toBeGreaterThan(0.98);
      expect(nb.withMime("await plot(history)", VEGA_LITE)).toHaveLength(1);
      expect(nb.number("model.evaluate(xTest, yTest)", /test_acc:/)).toBeGreaterThanOrEqual(0.978);
      expect(nb.withMime("plot.images(testImages.slice(0, 10)", "image/png")).toHaveLength(1);
      expect(nb.number("mistakes.push(i)", /^/)).toBeLessThan(250);
      expect(nb.withMime("mistakes.push(i)", "image/png")).toHaveLength(1);
      expect(nb.text("sparseModel.fit(")).toContain("Epoch 5/5\n469/469");
      expect(nb.number("sparseModel.evaluate(", /test_acc:/)).toBeGreaterThanOrEqual(0.978);
      expect(nb.text("testAcc >= 0.978")).toMatch(/^test accuracy 0\.9[89]\d\d ≥ 0\.978 \(one-hot labels\), 0\.9[89]\d\d \(integer labels\)\n$/);
    },
  },
  "02-tensors.ipynb": {
    check(nb) {
      expect(nb.text("const s = tensor(12)")).toBe("[ 0, [] ]");
      expect(nb.text("const v = tensor([12, 3, 6, 14, 7])")).toContain("[ 1, [ 5 ] ]");
      expect(nb.text("const m = tensor([")).toContain("[ 2, [ 3, 5 ] ]");
      expect(nb.text("const cube = stack(")).toBe("[ 3, [ 3, 3, 5 ] ]");
      expect(nb.text("const { ndim, shape, dtype } = trainImages")).toBe("ndim 3, shape (60000, 28, 28), dtype uint8\n");
      expect(nb.text("trainImages.slice(10, 100).shape")).toBe("[ 90, 28, 28 ]");
      expect(nb.text("const batch = trainImages.slice(")).toContain("[ 128, 28, 28 ]");
      expect(nb.text("console.log(String(relu(a.add(b))))")).toContain("Float32Array(6) [ 11, 18, 33, 36, 55, 54 ]");
      expect(nb.text("const xb = arange(320)")).toContain("[  0., 101., 202., 303., 404., 505., 606., 707., 808., 909.]");
      expect(nb.text("maximum(randomUniform([64, 3, 32, 10])")).toBe("[ 64, 3, 32, 10 ]");
      expect(nb.text("naiveVectorDot([1, 2, 3]")).toBe("[ 32, 32 ]");
      expect(nb.text("dot(images, W).shape")).toBe("[ 128, 512 ]");
      expect(nb.text("r.reshape([2, 3])")).toContain("shape=[2, 3]");
      // The two cells that raise name both shapes.
      expect(nb.cell(".add(tensor([1, 2]))").outputs).toContainEqual(expect.objectContaining({ ename: "Error", evalue: expect.stringContaining("add: shapes [2, 3] and [2] cannot be broadcast together") }));
      expect(nb.cell("dot(images, randomNormal([512, 10]))").outputs).toContainEqual(expect.objectContaining({ evalue: "matmul: shapes [128, 784] and [512, 10] do not line up (784 ≠ 512)" }));
      for (const fragment of ["vector addition", "a rotation", "moonX.T.get(0)"]) expect(nb.withMime(fragment, VEGA_LITE)).toHaveLength(1);
      expect(nb.withMime("snake(true)", VEGA_LITE)).toHaveLength(2);
      expect(nb.number("moonModel.fit(", /accuracy after 100 epochs:/)).toBeGreaterThanOrEqual(0.97);
      expect(nb.withMime("moonModel.fit(", VEGA_LITE)).toHaveLength(1);
    },
  },
  "03-gradient-descent.ipynb": {
    timeoutS: 420,
    check(nb) {
      expect(nb.text("(f(2 + h) - f(2)) / h")).toContain("h = 0.000001 (f(2 + h) - f(2)) / h = 8.000003");
      expect(nb.text("const dfdx = grad(")).toBe("8");
      expect(nb.text("valueAndGrad(layerLoss)")).toContain("gradient shapes: W [4,3], b [3]");
      const numeric = nb.number("const numeric =", /finite difference/);
      const auto = nb.number("const numeric =", /autograd/);
      expect(Math.abs(numeric - auto)).toBeLessThan(2e-3);
      expect(nb.withMime("x after each step", VEGA_LITE)).toHaveLength(1);
      const firstEpoch = nb.text("const sgdLosses =");
      const loss = (label: string) => Number(new RegExp(`^${label}: epoch 1, loss ([0-9.]+)`, "m").exec(firstEpoch)?.[1]);
      // One epoch each from the same start: momentum beats plain SGD, RMSprop beats both.
      expect(loss("SGD with momentum")).toBeLessThan(loss("SGD"));
      expect(loss("RMSprop")).toBeLessThan(loss("SGD with momentum"));
      expect(nb.withMime("training loss, first epoch", VEGA_LITE)).toHaveLength(1);
      expect(nb.text("await train(weights, rmspropRule, 4")).toMatch(/RMSprop: epoch 5, loss/);
      const byHand = nb.number("await train(weights, rmspropRule, 4", /by hand: test accuracy/);
      const fit = nb.number("fitAccuracy.toFixed(4)", /fit: test accuracy/);
      expect(byHand).toBeGreaterThanOrEqual(0.975);
      expect(fit).toBeGreaterThanOrEqual(0.975);
      expect(Math.abs(byHand - fit)).toBeLessThan(0.005);
    },
  },
  "04-training-with-keras.ipynb": {
    check(nb) {
      const unbuilt = nb.text("const fromList = models.Sequential([");
      expect(unbuilt.match(/│ \?\s+│\s+0 \(unbuilt\) │/g)).toHaveLength(3);
      const summary = nb.text('model.add(layers.Input({ shape: [784] }))');
      expect(summary).toContain('Model: "is_it_a_zero"');
      expect(summary).toMatch(/│\s+25,120 │[\s\S]*│\s+330 │[\s\S]*│\s+11 │/);
      expect(summary).toContain("Total params: 25,461 (99.46 KB)");
      expect(nb.text("layer.getWeights()")).toContain("(784, 32) and (32)");
      expect(nb.number("const isZero =", /zeros:/)).toBeCloseTo(0.0987, 3);
      expect(nb.text('loss: "binary_crossentropy"')).toContain("Epoch 3/3\n375/375");
      const rmsprop = nb.number("zeroAccuracy.toFixed(4)}`)", /test accuracy:/);
      expect(rmsprop).toBeGreaterThanOrEqual(0.99);
      expect(nb.text("new optimizers.SGD({ learningRate: 1e-4 })")).toContain("binary_accuracy:");
      const slow = nb.number("slowAccuracy.toFixed(4)", /SGD at 1e-4/);
      expect(slow).toBeLessThan(0.95);
      expect(nb.withMime("slowAccuracy.toFixed(4)", VEGA_LITE)).toHaveLength(1);
      const graph = nb.text("const twoHalves = models.Model(");
      expect(graph).toContain('Model: "two_halves"');
      expect(graph).toContain("Connected to");
      expect(graph).toMatch(/│ top_half\s+│ \(None, 392\)\s+│\s+0 │ -/);
      expect(graph).toMatch(/│ concatenate\s+│ \(None, 128\)\s+│\s+0 │ dense_\d+\[0\]\[0\],/);
      expect(graph).toContain("Total params: 51,594");
      const both = nb.number("twoHalves.fit(", /test accuracy with both halves:/);
      expect(both).toBeGreaterThanOrEqual(0.95);
      expect(nb.number("const [, topOnly]", /top half only:/)).toBeLessThan(both);
      expect(nb.number("const [, topOnly]", /bottom half only:/)).toBeLessThan(both);
    },
  },
  "05-regression-and-regularization.ipynb": {
    timeoutS: 420,
    check(nb) {
      expect(nb.text("datasets.cars.loadRows()")).toMatch(/^406 rows\n/);
      expect(nb.text("datasets.cars.loadData()")).toContain("x [313,9] and [79,9]; columns: Cylinders, Displacement, Horsepower, Weight_in_lbs, Acceleration, Year, USA, Europe, Japan");
      expect(nb.text("const standardize =")).toContain("deviations after: 1.00 1.00 1.00 1.00 1.00 1.00 1.00 1.00 1.00");
      expect(nb.number("line.layers[0].getWeights()", /mpg ≈/)).toBeLessThan(-4); // more power, fewer miles per gallon
      const mae = (name: string) => nb.number("const testMae =", new RegExp(`${name}\\s+test MAE`));
      expect(mae("horsepower only, linear")).toBeLessThan(4.5);
      expect(mae("all columns, linear")).toBeLessThan(mae("horsepower only, linear"));
      expect(mae("all columns, 64-64 ReLU")).toBeLessThan(mae("all columns, linear"));
      expect(mae("all columns, 64-64 ReLU")).toBeLessThan(2.6);
      for (const fragment of ["fuel economy against power", "a linear unit", "await plot(deepHistory", "prediction against truth"]) {
        expect(nb.withMime(fragment, VEGA_LITE)).toHaveLength(1);
      }
      // Over-fitting, then its cure: the plain network's validation loss turns up after its low;
      // each regularized network ends below the plain one's.
      const runs = nb.text("const [name, h] of Object.entries(runs)");
      const of = (name: string) => {
        const m = new RegExp(`^${name}: training accuracy ([0-9.]+), validation loss lowest at epoch \\d+ \\(([0-9.]+)\\), ([0-9.]+) at epoch 30`, "m").exec(runs);
        if (!m) throw new Error(`no summary line for ${name} in:\n${runs}`);
        return { trainAcc: Number(m[1]), best: Number(m[2]), final: Number(m[3]) };
      };
      const plain = of("plain");
      expect(plain.trainAcc).toBe(1);
      expect(plain.final).toBeGreaterThan(plain.best * 1.1);
      expect(of("dropout").final).toBeLessThan(plain.final);
      expect(of("BN \\+ dropout").final).toBeLessThan(plain.final);
      expect(nb.withMime('perEpoch("val_loss")', VEGA_LITE)).toHaveLength(2);
    },
  },
  "06-convnets.ipynb": {
    // The fit is ~45 s on a quiet 2-core machine; the limit leaves room for a loaded one.
    timeoutS: 900,
    check(nb) {
      const summary = nb.text("const inputs = Input({ shape: [28, 28, 1] })");
      expect(summary).toMatch(/conv2d \(Conv2D\)\s+│ \(None, 26, 26, 32\)\s+│\s+320 │/);
      expect(summary).toMatch(/max_pooling2d_1 \(MaxPooling2D\)\s+│ \(None, 5, 5, 64\)\s+│\s+0 │/);
      expect(summary).toContain("Total params: 104,202 (407.04 KB)");
      const fit = nb.text("await model.fit(x, trainLabels");
      for (let e = 1; e <= 5; e++) expect(fit).toContain(`Epoch ${e}/5\n938/938 ━━━━━━━━━━━━━━━━━━━━`);
      expect(nb.withMime("await plot(history)", VEGA_LITE)).toHaveLength(1);
      expect(nb.number("model.evaluate(xTest, testLabels)", /test_acc:/)).toBeGreaterThanOrEqual(0.99);
      // What the network sees: the first layer's filters and a digit's activation maps, as images.
      expect(nb.text("model.layers[1].getWeights()")).toBe("[ 3, 3, 1, 32 ]");
      expect(nb.withMime("kernel.transpose([3, 0, 1, 2])", "image/png")).toHaveLength(1);
      expect(nb.withMime("a1.get(0).transpose", "image/png")).toHaveLength(1);
      expect(nb.withMime("a2.get(0).transpose", "image/png")).toHaveLength(1);
    },
  },
};

const notebooksDir = join(REPO_ROOT, "notebooks");
const notebooks = readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();

describe("the notebooks, executed by nbconvert", () => {
  it("include the chapter's five", () => {
    expect(notebooks).toEqual(expect.arrayContaining(Object.keys(CHECKS)));
  });

  for (const name of notebooks) {
    const { timeoutS = 300, check } = CHECKS[name] ?? {};
    it(`${name} runs top to bottom and shows what it should`, () => {
      const { env } = installKernelspec();
      const out = mkdtempSync(join(tmpdir(), "tsdl-notebooks-"));
      const started = Date.now();
      const r = spawnSync(
        "jupyter",
        ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.kernel_name=tsdl", `--ExecutePreprocessor.timeout=${timeoutS}`, "--output-dir", out, join(notebooksDir, name)],
        { env: { ...env, TSDL_STRICT: "1" }, encoding: "utf8", timeout: (timeoutS + 60) * 1000 },
      );
      expect(r.status, `nbconvert failed on ${name}:\n${r.stderr}`).toBe(0);
      console.log(`${name}: executed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const nb = new Executed(name, JSON.parse(readFileSync(join(out, name), "utf8")).cells);

      const problems: string[] = [];
      for (const cell of nb.code) {
        const first = join_(cell.source).split("\n")[0];
        const outputs = cell.outputs ?? [];
        if (typeof cell.execution_count !== "number") problems.push(`not executed: ${first}`);
        const raises = cell.metadata.tags?.includes("raises-exception") ?? false;
        const errors = outputs.filter((o) => o.output_type === "error");
        if (errors.length && !raises) problems.push(`error in "${first}": ${errors[0].ename}: ${errors[0].evalue}`);
        if (raises && !errors.length) problems.push(`tagged raises-exception but raised nothing: ${first}`);
        for (const o of outputs) {
          const text = o.output_type === "stream" ? join_(o.text) : "";
          if (/error TS\d+/.test(text)) problems.push(`type error under "${first}": ${text}`);
          // A chart must show where Vega does not run (classic Notebook, nbconvert's HTML, GitHub).
          if (o.data && VEGA_LITE in o.data) {
            if (!join_(o.data["image/svg+xml"] as string | string[]).startsWith("<svg")) problems.push(`chart without image/svg+xml in "${first}"`);
            if (!join_(o.data["text/html"] as string | string[]).includes("<svg")) problems.push(`chart without its SVG in text/html in "${first}"`);
          }
        }
      }
      expect(problems).toEqual([]);
      check?.(nb);
      // Kept when a check fails, for a look at what the notebook showed.
      rmSync(out, { recursive: true, force: true });
    }, (timeoutS + 90) * 1000);
  }
});
