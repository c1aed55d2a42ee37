/**
 * Completion and inspection latency with 50 earlier cells in the session, tsdl side by side
 * with tslab in the same run, both driven through jupyter_client (Debian's /usr/bin/python3)
 * so that the client's own overhead is the same for both.
 *
 * Measured per kernel: start → kernel_info ready; the first completion right after ready (and
 * since start; tsdl answers it from the session's values while its language service loads),
 * then an inspection (which waits for the service: when it is there, since start); then, after
 * 50 cells that declare values, functions and classes, 60 completions and 60 inspections: p50
 * and p95 (inspection's first one separately).
 *
 * tslab is installed into .bench/tslab on first use (bench/lib/tslab.ts; never a dependency);
 * `--no-tslab` measures tsdl alone.
 *
 * @example npm run bench -- completion          # prints a table, then one JSON line
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { option } from "./lib/stats.js";
import { tslabCli } from "./lib/tslab.js";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSDL_CLI = join(ROOT, "dist", "kernel", "cli.js");
const PYTHON = "/usr/bin/python3";

/** 50 cells as a notebook grows: values, functions, classes, an interface, imports. */
function cells(): string[] {
  const out: string[] = ['import * as path from "node:path";'];
  for (let i = 1; out.length < 50; i++) {
    if (i % 10 === 0) out.push(`interface Config${i} { epochs: number; rate: number; name: string }\nconst config${i}: Config${i} = { epochs: ${i}, rate: 0.01, name: "run ${i}" };`);
    else if (i % 5 === 0) out.push(`class Model${i} {\n  units = ${i};\n  /** Predicts. */\n  predict(x: number[]): number[] { return x.map((v) => v * this.units); }\n}\nconst model${i} = new Model${i}();`);
    else out.push(`const v${i} = { value: ${i}, label: "cell ${i}", values: [${i}, ${i + 1}] };\nfunction f${i}(x: number): number { return x + v${i}.value; }`);
  }
  return out;
}

/** [code, cursor] pairs at the end of the code: members, globals, earlier names. */
const COMPLETIONS: string[] = [
  "v49.lab", "model45.pre", "config40.ep", "f12(v3.va", "Math.fl", "console.lo", "path.jo", "const z = v1", "[1, 2].ma", "mod",
];
const INSPECTIONS: string[] = ["v7", "f3", "model45.predict", "config40", "Math.floor", "path.join", "console.log", "f12(v3.value"];

const DRIVER = String.raw`
import json, os, sys, time
spec = json.loads(sys.argv[1])
os.environ["JUPYTER_PATH"] = spec["jupyter_path"]
from jupyter_client.manager import KernelManager

def shell_reply(kc, msg_id, timeout=60):
    while True:
        m = kc.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id:
            return m

def wait_idle(kc, msg_id, timeout=120):
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

km = KernelManager(kernel_name=spec["kernel"])
t0 = time.perf_counter()
km.start_kernel(cwd=spec["cwd"])
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=120)
ready = time.perf_counter() - t0
t1 = time.perf_counter()
mid = kc.complete("console.lo", 10)
first = shell_reply(kc, mid)
first_completion = time.perf_counter() - t1
first_matches = first["content"].get("matches", [])
mid = kc.inspect("console.log", 11, 0)
first_inspection = shell_reply(kc, mid)
first_inspection_s = time.perf_counter() - t1
for code in spec["cells"]:
    mid = kc.execute(code)
    r = shell_reply(kc, mid, 120)
    wait_idle(kc, mid)
completion_ms, found = [], 0
for i in range(spec["n"]):
    code = spec["completions"][i % len(spec["completions"])]
    t = time.perf_counter()
    mid = kc.complete(code, len(code))
    r = shell_reply(kc, mid)
    completion_ms.append((time.perf_counter() - t) * 1000)
    found += 1 if r["content"].get("matches") else 0
inspect_ms, inspect_found = [], 0
for i in range(spec["n"] + 1):
    code = spec["inspections"][i % len(spec["inspections"])]
    t = time.perf_counter()
    mid = kc.inspect(code, len(code), 0)
    r = shell_reply(kc, mid)
    inspect_ms.append((time.perf_counter() - t) * 1000)
    inspect_found += 1 if r["content"].get("found") else 0
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps({
    "kernel": spec["kernel"], "ready_s": ready, "first_completion_s": first_completion,
    "first_completion_since_start_s": ready + first_completion, "first_completion_matches": first_matches[:5],
    "first_inspection_since_start_s": ready + first_inspection_s, "first_inspection_found": first_inspection["content"].get("found"),
    "completion_p50_ms": pct(completion_ms, 50), "completion_p95_ms": pct(completion_ms, 95),
    "completion_with_matches": found, "completions": len(completion_ms),
    "inspect_first_ms": inspect_ms[0], "inspect_p50_ms": pct(inspect_ms[1:], 50), "inspect_p95_ms": pct(inspect_ms[1:], 95),
    "inspect_found": inspect_found, "inspections": len(inspect_ms),
}))
`;

interface Result {
  kernel: string;
  ready_s: number;
  first_completion_s: number;
  first_completion_since_start_s: number;
  first_inspection_since_start_s: number;
  completion_p50_ms: number;
  completion_p95_ms: number;
  completion_with_matches: number;
  completions: number;
  inspect_first_ms: number;
  inspect_p50_ms: number;
  inspect_p95_ms: number;
  inspect_found: number;
  inspections: number;
}

function kernelspec(dir: string, name: string, argv: string[]): void {
  mkdirSync(join(dir, "kernels", name), { recursive: true });
  writeFileSync(join(dir, "kernels", name, "kernel.json"), JSON.stringify({ argv, display_name: name, language: "typescript" }));
}

function measure(jupyterPath: string, kernel: string, n: number): Result {
  const spec = { jupyter_path: jupyterPath, kernel, cwd: ROOT, cells: cells(), completions: COMPLETIONS, inspections: INSPECTIONS, n };
  const r = spawnSync(PYTHON, ["-c", DRIVER, JSON.stringify(spec)], { encoding: "utf8", timeout: 600_000 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`bench completion: ${kernel} failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(line) as Result;
}

const n = option("requests", 60);
const dir = mkdtempSync(join(tmpdir(), "tsdl-bench-completion-"));
kernelspec(dir, "tsdl-bench", [process.execPath, TSDL_CLI, "kernel", "{connection_file}"]);
const results = [measure(dir, "tsdl-bench", n)];
if (!process.argv.includes("--no-tslab")) {
  kernelspec(dir, "tslab-bench", [process.execPath, tslabCli(), "kernel", "--config-path", "{connection_file}"]);
  results.push(measure(dir, "tslab-bench", n));
}

const f = (x: number, d = 1) => x.toFixed(d);
console.log(`completion and inspection with 50 earlier cells, ${n} requests each, through jupyter_client (${new Date().toISOString().slice(0, 10)})`);
console.log("| kernel | ready | first completion after ready (since start) | first inspection since start | completion p50 / p95 | inspect first | inspect p50 / p95 | answered |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(
    `| ${r.kernel.replace("-bench", "")} | ${f(r.ready_s, 2)} s | ${f(r.first_completion_s, 2)} s (${f(r.first_completion_since_start_s, 2)} s) | ${f(r.first_inspection_since_start_s, 2)} s | ` +
      `${f(r.completion_p50_ms)} / ${f(r.completion_p95_ms)} ms | ${f(r.inspect_first_ms)} ms | ${f(r.inspect_p50_ms)} / ${f(r.inspect_p95_ms)} ms | ` +
      `${r.completion_with_matches}/${r.completions} completions, ${r.inspect_found}/${r.inspections} inspections |`,
  );
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: "completion", date: new Date().toISOString(), cells: 50, requests: n, results }));
