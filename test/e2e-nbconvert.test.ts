/**
 * `jupyter nbconvert --to notebook --execute` runs notebooks/hello.ipynb with the installed
 * "tsdl" kernelspec, and the saved notebook holds the outputs a person expects to see.
 */
import { test, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./helpers/kernel-client.js";
import { installKernelspec } from "./helpers/jupyter.js";

test("nbconvert executes the hello notebook and saves streams, execute_result, display_data and the error", { timeout: 300_000 }, () => {
  const { env } = installKernelspec();
  const out = mkdtempSync(join(tmpdir(), "tsdl-nbconvert-"));
  const r = spawnSync(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=tsdl", "--ExecutePreprocessor.timeout=240", "--output-dir", out, join(REPO_ROOT, "notebooks", "hello.ipynb")],
    { env, encoding: "utf8", timeout: 290_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const nb = JSON.parse(readFileSync(join(out, "hello.ipynb"), "utf8"));
  const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
  // nbformat saves multi-line strings as lists of lines.
  const text = (t: string | string[]) => (Array.isArray(t) ? t.join("") : t);
  const outputs = code.map((c: { outputs: any[] }) => c.outputs);

  const stream = (name: string) => outputs[0].filter((o: any) => o.name === name).map((o: any) => text(o.text)).join("");
  expect(stream("stdout")).toBe("hello from TypeScript\n");
  expect(stream("stderr")).toContain("(this line goes to stderr)\n");

  expect(outputs[1]).toHaveLength(1);
  expect(outputs[1][0]).toMatchObject({ output_type: "execute_result", execution_count: 2 });
  expect(text(outputs[1][0].data["text/plain"])).toBe("[ 2, 12 ]");

  expect(outputs[2].map((o: any) => o.output_type)).toEqual(["display_data", "display_data"]);
  expect(text(outputs[2][0].data["text/html"])).toBe("<b>hello</b>, 2 points");
  expect(text(outputs[2][1].data["text/markdown"])).toBe("**markdown** too");

  expect(text(outputs[3][0].data["text/plain"])).toBe("20");

  const [error] = outputs[4];
  expect(error).toMatchObject({ output_type: "error", ename: "RangeError", evalue: "expected a positive number, received -1" });
  expect(error.traceback.join("\n")).toContain("at mustBePositive (In[5]:2:21)");
});
