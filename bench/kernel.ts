/**
 * Kernel latency, as a notebook sees it: measured from a real Jupyter client (jupyter_client,
 * through Debian's /usr/bin/python3), tsdl as installed (language service on) side by side
 * with Deno's kernel, tslab, tsdl with `TSDL_LANGUAGE=off`, and the floor — a bare Node +
 * zeromq + vm kernel this benchmark provides (bench/lib/bare-kernel.ts) — in one run:
 *
 * - start → ready: from `KernelManager.start_kernel()` to the reply of a kernel_info_request
 *   sent right away (ZeroMQ holds it until the kernel binds);
 * - the first cell of the session, `1 + 1`, sent as soon as IOPub delivers: → execute_reply
 *   and → status idle;
 * - the first cell of another fresh session as nbconvert sends it, after jupyter_client's
 *   `wait_for_ready()` (kernel_info until IOPub works, then IOPub drained until 0.2 s of quiet);
 * - `1 + 1` round trips after warm-up: → execute_reply, and → status idle (median and p95).
 *
 * The starts of the kernels alternate (start 1 of each, then start 2 of each, …), and so do the
 * round trips (one cell to each kernel in turn), so a change in the shared machine's speed
 * touches all of them alike. Peers are installed into .bench/ by
 * this program (never dependencies of tsdl); every kernelspec goes into a temporary prefix.
 * Prints a table and one JSON line.
 *
 *   npm run bench -- kernel [--starts 7] [--rounds 300] [--warmup 30] [--no-tslab] [--no-deno]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, option, quantile } from "./lib/stats.js";
import { tslabCli } from "./lib/tslab.js";
import { installDenoKernel, DENO_VERSION } from "./lib/deno.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

const starts = option("starts", 7);
const rounds = option("rounds", 300);
const warmup = option("warmup", 30);
const withTslab = !process.argv.includes("--no-tslab");
const withDeno = !process.argv.includes("--no-deno");

const DRIVER = String.raw`
import json, sys, time
from queue import Empty
from jupyter_client import KernelManager
names, starts, warmup, rounds = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def run(kc, code):
    t0 = time.perf_counter()
    mid = kc.execute(code)
    while True:
        m = kc.get_shell_msg(timeout=60)
        if m["parent_header"].get("msg_id") == mid: break
    t1 = time.perf_counter()
    # tslab now and then never publishes a cell's idle status: count it as lost after 10 s
    # instead of failing the whole run (the table says how many were lost).
    try:
        while True:
            m = kc.get_iopub_msg(timeout=10)
            if m["parent_header"].get("msg_id") == mid and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle": break
    except Empty:
        return (t1 - t0) * 1000, None
    return (t1 - t0) * 1000, (time.perf_counter() - t0) * 1000

def iopub_joined(kc):
    # Short tries: the cell must follow the moment IOPub delivers. (A 1 s wait per try, as
    # before, sent it up to a second late now and then, into whatever the kernel does then.)
    deadline = time.time() + 60
    while time.time() < deadline:
        mid = kc.kernel_info()
        try:
            while kc.get_iopub_msg(timeout=0.05)["parent_header"].get("msg_id") != mid: pass
            return
        except Empty:
            pass
    raise RuntimeError("iopub never carried a reply to kernel_info within 60 s")

out = {n: {"ready_s": [], "first_reply_ms": [], "first_idle_ms": [], "nb_first_reply_ms": [], "nb_first_idle_ms": [], "reply_ms": [], "idle_ms": [], "idle_lost": 0} for n in names}
kept = []

def started(name):
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    return km, kc

def first_cell(km, kc, r, key):
    """Times the session's first cell into r[key + "_reply_ms"] and r[key + "_idle_ms"], then ends the session."""
    a, b = run(kc, "1 + 1")
    r[key + "_reply_ms"].append(a)
    if b is not None: r[key + "_idle_ms"].append(b)
    kc.stop_channels()
    km.shutdown_kernel(now=False)

for i in range(starts):
    for name in names:
        r = out[name]
        t0 = time.perf_counter()
        km, kc = started(name)
        mid = kc.kernel_info()
        while True:
            m = kc.get_shell_msg(timeout=120)
            if m["parent_header"].get("msg_id") == mid: break
        r["ready_s"].append(time.perf_counter() - t0)
        # The reply came on shell; IOPub (a PUB socket) may still be joining, and a status
        # message published before it joined is lost: wait until IOPub delivers, then send the
        # session's first cell at once (the harshest case: the kernel has had no idle moment).
        iopub_joined(kc)
        first_cell(km, kc, r, "first")
        # As nbconvert sends it: another fresh session, the first cell after jupyter_client's
        # wait_for_ready (kernel_info until IOPub works, then IOPub drained until 0.2 s of quiet).
        km, kc = started(name)
        kc.wait_for_ready(timeout=120)
        first_cell(km, kc, r, "nb_first")
# The round trips: one more session of every kernel, started after all the timed starts (a
# kernel left running would warm up while the next one's start is timed), then cells taken in
# turns (one to each kernel, round after round), so that the machine's changing speed touches
# them all alike.
for name in names:
    km, kc = started(name)
    kc.wait_for_ready(timeout=120)
    iopub_joined(kc)
    kept.append((name, km, kc))
for name, km, kc in kept:
    for _ in range(warmup): run(kc, "1 + 1")
time.sleep(3)  # let background loading finish: the steady state
for _ in range(warmup):
    for name, km, kc in kept: run(kc, "1 + 1")
for _ in range(rounds):
    for name, km, kc in kept:
        r = out[name]
        a, b = run(kc, "1 + 1"); r["reply_ms"].append(a)
        if b is None: r["idle_lost"] += 1
        else: r["idle_ms"].append(b)
for name, km, kc in kept:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
print(json.dumps(out))
`;

function must(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  // timeout: a kernel a failed driver left behind must not hold its pipe open forever.
  const r = spawnSync(cmd, args, { encoding: "utf8", ...opts, maxBuffer: 1 << 26, timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`bench/kernel: \`${cmd} ${args.join(" ")}\` failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

function writeKernelspec(prefix: string, name: string, spec: Record<string, unknown>): void {
  const dir = join(prefix, "share", "jupyter", "kernels", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec));
}

const prefix = mkdtempSync(join(tmpdir(), "tsdl-bench-kernels-"));
must(process.execPath, [join(root, "dist", "kernel", "cli.js"), "install", "--prefix", prefix]);
writeKernelspec(prefix, "tsdl-language-off", {
  argv: [process.execPath, join(root, "dist", "kernel", "cli.js"), "kernel", "{connection_file}"],
  display_name: "tsdl, TSDL_LANGUAGE=off", language: "typescript", interrupt_mode: "message", env: { TSDL_LANGUAGE: "off" },
});
writeKernelspec(prefix, "bare-node", {
  argv: [process.execPath, join(root, "dist", "bench", "lib", "bare-kernel.js"), "{connection_file}"],
  display_name: "bare Node + zeromq + vm", language: "javascript",
});
const kernels = ["tsdl", "tsdl-language-off", "bare-node"];
if (withDeno) {
  installDenoKernel(prefix, "deno");
  kernels.push("deno");
}
if (withTslab) {
  const cli = tslabCli();
  must(process.execPath, [cli, "install", "--python", "/usr/bin/python3", "--binary", cli, "--prefix", prefix]);
  kernels.push("tslab");
}

const driver = join(prefix, "drive.py");
writeFileSync(driver, DRIVER);
const env = {
  ...process.env,
  JUPYTER_PATH: join(prefix, "share", "jupyter"),
  // Connection files and IPython's folder in the scratch prefix, not the home directory.
  JUPYTER_RUNTIME_DIR: join(prefix, "runtime"),
  IPYTHONDIR: join(prefix, "ipython"),
  PYDEVD_DISABLE_FILE_VALIDATION: "1",
  PYTHONWARNINGS: "ignore",
};
console.error(`measuring ${kernels.join(", ")}: ${starts} starts each (alternating), then ${warmup}+${warmup} warm-up and ${rounds} timed "1 + 1" cells…`);
type Raw = {
  ready_s: number[];
  first_reply_ms: number[];
  first_idle_ms: number[];
  nb_first_reply_ms: number[];
  nb_first_idle_ms: number[];
  reply_ms: number[];
  idle_ms: number[];
  idle_lost: number;
};
const raw = JSON.parse(must("/usr/bin/python3", [driver, kernels.join(","), String(starts), String(warmup), String(rounds)], { env }).trim().split("\n").pop()!) as Record<string, Raw>;
rmSync(prefix, { recursive: true, force: true });

const figures = Object.fromEntries(
  kernels.map((k) => {
    const r = raw[k];
    return [k, {
      ready_s: median(r.ready_s),
      first_reply_ms: median(r.first_reply_ms),
      first_idle_ms: median(r.first_idle_ms),
      nb_first_reply_ms: median(r.nb_first_reply_ms),
      nb_first_idle_ms: median(r.nb_first_idle_ms),
      reply_ms: median(r.reply_ms),
      idle_ms: median(r.idle_ms),
      idle_p95_ms: quantile(r.idle_ms, 0.95),
      idle_lost: r.idle_lost,
    }];
  }),
);

const label: Record<string, string> = {
  tsdl: "tsdl", "tsdl-language-off": "tsdl, language off", "bare-node": "bare Node", deno: `Deno ${DENO_VERSION}`, tslab: "tslab",
};
const rows: [string, keyof (typeof figures)[string], string, number][] = [
  ["start → ready (median)", "ready_s", "s", 3],
  ["first cell `1 + 1`, sent as IOPub joins → reply (median)", "first_reply_ms", "ms", 1],
  ["first cell `1 + 1`, sent as IOPub joins → idle (median)", "first_idle_ms", "ms", 1],
  ["first cell `1 + 1`, after wait_for_ready (nbconvert) → reply", "nb_first_reply_ms", "ms", 1],
  ["first cell `1 + 1`, after wait_for_ready (nbconvert) → idle", "nb_first_idle_ms", "ms", 1],
  ["`1 + 1` → reply (median)", "reply_ms", "ms", 2],
  ["`1 + 1` → idle (median)", "idle_ms", "ms", 2],
  ["`1 + 1` → idle (p95)", "idle_p95_ms", "ms", 2],
];
const header = ["metric", ...kernels.map((k) => label[k]), "tsdl / bare", ...(withDeno ? ["tsdl / Deno"] : [])];
const lines = rows.map(([name, key, unit, digits]) => {
  const cells = kernels.map((k) => `${(figures[k][key] as number).toFixed(digits)} ${unit}`);
  const ratio = (other: string) => ((figures.tsdl[key] as number) / (figures[other][key] as number)).toFixed(2);
  return [name, ...cells, ratio("bare-node"), ...(withDeno ? [ratio("deno")] : [])];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const fmt = (l: string[]) => "| " + l.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
console.log(`Kernel latency through jupyter_client, ${new Date().toISOString().slice(0, 10)}: medians of ${starts} starts; round trips over ${rounds} cells`);
console.log(fmt(header));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const l of lines) console.log(fmt(l));
const lost = kernels.filter((k) => figures[k].idle_lost > 0).map((k) => `${label[k]} never sent ${figures[k].idle_lost} of ${rounds} idle statuses`);
if (lost.length) console.log(`(${lost.join("; ")}: left out of its idle figures)`);
console.log(JSON.stringify({ bench: "kernel", date: new Date().toISOString(), node: process.version, starts, rounds, figures, raw }));
