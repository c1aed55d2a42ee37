/**
 * The chapter where the user meets it: notebooks/01-first-neural-network.ipynb executed top to
 * bottom by nbconvert (its ExecutePreprocessor, through Debian's /usr/bin/python3) on the tsdl
 * kernel as installed — a fresh session, language service on, progress bar on — against the same
 * training as a plain Node script (examples/mnist.ts, progress bar on, into a pipe), in one run:
 *
 * - the fit cell's time, read from the executed notebook (nbconvert records when the kernel
 *   sent the cell's execute_input and its execute_reply), against the script's fit;
 * - each epoch of that first fit: when its progress bar drew its final line (the kernel's
 *   message times), the first from execute_input, against the script's epochs.
 *
 * The notebook and the script alternate, `--runs` times each; the table shows medians.
 *
 *   npm run bench -- notebook [--runs 3]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, option } from "./lib/stats.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const runs = option("runs", 3);

const DRIVER = String.raw`
import json, sys
from datetime import datetime
import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

class Timed(ExecutePreprocessor):
    """nbconvert's executor, noting when each progress-bar message of the fit cell was sent."""
    fit_index = None
    bars = {}
    def process_message(self, msg, cell, cell_index):
        if cell_index == self.fit_index and msg["msg_type"] in ("display_data", "update_display_data"):
            display_id = msg["content"].get("transient", {}).get("display_id")
            text = msg["content"].get("data", {}).get("text/plain", "")
            if display_id: self.bars[display_id] = (msg["header"]["date"], text)
        return super().process_message(msg, cell, cell_index)

def seconds(a, b):
    parse = lambda s: s if isinstance(s, datetime) else datetime.fromisoformat(str(s).replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()

nb = nbformat.read(sys.argv[1], as_version=4)
ep = Timed(timeout=1800, kernel_name="tsdl", record_timing=True)
ep.fit_index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "model.fit(" in c.source)
ep.preprocess(nb, {"metadata": {"path": sys.argv[2]}})
fit = nb.cells[ep.fit_index]
timing = fit.metadata["execution"]
ends = sorted(date for date, text in ep.bars.values())
start = timing["iopub.execute_input"]
check = next(c for c in nb.cells if c.cell_type == "code" and "testAcc >= 0.978" in c.source)
print(json.dumps({
    "fitSeconds": seconds(start, timing["shell.execute_reply"]),
    "epochEnds": [seconds(start, e) for e in ends],
    "check": "".join(o.get("text", "") for o in check.outputs),
}))
`;

function must(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env, maxBuffer: 1 << 26, timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`bench/notebook: \`${cmd} ${args.join(" ")}\` failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split("\n").pop()!) as T;
const epochsOf = (ends: number[]) => ends.map((e, i) => e - (i === 0 ? 0 : ends[i - 1]));

const prefix = mkdtempSync(join(tmpdir(), "tsdl-bench-notebook-"));
const env = {
  ...process.env,
  JUPYTER_PATH: join(prefix, "share", "jupyter"),
  JUPYTER_RUNTIME_DIR: join(prefix, "runtime"),
  IPYTHONDIR: join(prefix, "ipython"),
  PYDEVD_DISABLE_FILE_VALIDATION: "1",
  PYTHONWARNINGS: "ignore",
};
must(process.execPath, [join(root, "dist", "kernel", "cli.js"), "install", "--prefix", prefix], env);
const driver = join(prefix, "execute.py");
writeFileSync(driver, DRIVER);

type Run = { fitSeconds: number; epochs: number[] };
const notebook: Run[] = [];
const script: Run[] = [];
for (let i = 0; i < runs; i++) {
  console.error(`run ${i + 1}/${runs}: notebooks/01-first-neural-network.ipynb through nbconvert, then examples/mnist.ts…`);
  const nb = lastJson<{ fitSeconds: number; epochEnds: number[]; check: string }>(
    must("/usr/bin/python3", [driver, join(root, "notebooks", "01-first-neural-network.ipynb"), join(root, "notebooks")], env),
  );
  if (!/≥ 0\.978/.test(nb.check)) throw new Error(`bench/notebook: the notebook's check cell said ${JSON.stringify(nb.check)}`);
  notebook.push({ fitSeconds: nb.fitSeconds, epochs: epochsOf(nb.epochEnds) });
  const sc = lastJson<{ fitSeconds: number; epochEnds: number[] }>(
    must(process.execPath, [join(root, "dist", "examples", "mnist.js"), "--seed", "3", "--json"], env),
  );
  script.push({ fitSeconds: sc.fitSeconds, epochs: epochsOf(sc.epochEnds) });
}
rmSync(prefix, { recursive: true, force: true });

const summary = (rs: Run[]) => {
  const epochs = rs[0].epochs.map((_, e) => median(rs.map((r) => r.epochs[e])));
  const later = median(epochs.slice(1));
  return { fitSeconds: median(rs.map((r) => r.fitSeconds)), epochs, firstEpochOverLater: epochs[0] / later };
};
const nb = summary(notebook);
const sc = summary(script);
const ratio = nb.fitSeconds / sc.fitSeconds;
const row = (name: string, s: typeof nb) =>
  `| ${name.padEnd(40)} | ${s.fitSeconds.toFixed(2).padStart(8)} | ${s.epochs.map((e) => e.toFixed(2)).join(", ").padEnd(30)} | ${s.firstEpochOverLater.toFixed(2).padStart(11)} |`;
console.log(`The chapter's 5-epoch fit (rmsprop, batch 128, progress bar on), ${new Date().toISOString().slice(0, 10)}, medians of ${runs} runs`);
console.log(`| ${"where".padEnd(40)} | fit (s)  | ${"epochs (s)".padEnd(30)} | 1st / later |`);
console.log(`|${"-".repeat(42)}|----------|${"-".repeat(32)}|-------------|`);
console.log(row("notebook, first fit of a fresh kernel", nb));
console.log(row("plain Node script (examples/mnist.ts)", sc));
console.log(`notebook / script: ${ratio.toFixed(2)}×`);
console.log(JSON.stringify({ bench: "notebook", date: new Date().toISOString(), node: process.version, runs, notebook: nb, script: sc, ratio, raw: { notebook, script } }));
