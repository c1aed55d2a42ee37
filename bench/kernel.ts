/**
 * Kernel latency, measured from a real Jupyter client (jupyter_client, through Debian's
 * /usr/bin/python3), tsdl side by side with tslab in one run:
 *
 * - start → kernel_info_reply: from `KernelManager.start_kernel()` to the reply of one
 *   kernel_info_request sent right away (ZeroMQ holds it until the kernel binds);
 * - `1 + 1` round trip after warm-up: execute_request → execute_reply, and → status idle.
 *
 * tslab is installed into .bench/tslab by this program on first use (never a dependency of
 * tsdl); both kernelspecs go into a temporary prefix. Prints a table and one JSON line.
 *
 *   npm run bench -- kernel [--starts 5] [--rounds 200] [--warmup 30] [--no-tslab]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, option } from "./lib/stats.js";
import { tslabCli } from "./lib/tslab.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

const starts = option("starts", 5);
const rounds = option("rounds", 200);
const warmup = option("warmup", 30);
const withTslab = !process.argv.includes("--no-tslab");

const DRIVER = String.raw`
import json, sys, time
from queue import Empty
from jupyter_client import KernelManager
name, starts, warmup, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

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
    deadline = time.time() + 60
    while time.time() < deadline:
        mid = kc.kernel_info()
        try:
            while kc.get_iopub_msg(timeout=1)["parent_header"].get("msg_id") != mid: pass
            return
        except Empty:
            pass
    raise RuntimeError("iopub never carried a reply to kernel_info within 60 s")

ready, reply, idle, lost = [], [], [], 0
for i in range(starts):
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    mid = kc.kernel_info()
    while True:
        m = kc.get_shell_msg(timeout=120)
        if m["parent_header"].get("msg_id") == mid: break
    ready.append(time.perf_counter() - t0)
    # The reply came on shell; IOPub (a PUB socket) may still be joining, and a status message
    # published before it joined is lost: wait until IOPub is seen to deliver (untimed).
    iopub_joined(kc)
    if i == starts - 1:
        for _ in range(warmup): run(kc, "1 + 1")
        time.sleep(2)  # let background loading (language services) finish: steady state
        for _ in range(warmup): run(kc, "1 + 1")
        for _ in range(rounds):
            a, b = run(kc, "1 + 1"); reply.append(a)
            if b is None: lost += 1
            else: idle.append(b)
    kc.stop_channels()
    km.shutdown_kernel(now=False)
print(json.dumps({"kernel": name, "ready_s": ready, "reply_ms": reply, "idle_ms": idle, "idle_lost": lost}))
`;

function must(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  // timeout: a kernel a failed driver left behind must not hold its pipe open forever.
  const r = spawnSync(cmd, args, { encoding: "utf8", ...opts, maxBuffer: 1 << 26, timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`bench/kernel: \`${cmd} ${args.join(" ")}\` failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const prefix = mkdtempSync(join(tmpdir(), "tsdl-bench-kernels-"));
must(process.execPath, [join(root, "dist", "kernel", "cli.js"), "install", "--prefix", prefix]);
const kernels = ["tsdl"];
if (withTslab) {
  const cli = tslabCli();
  must(process.execPath, [cli, "install", "--python", "/usr/bin/python3", "--binary", cli, "--prefix", prefix]);
  kernels.push("tslab");
}

const driver = join(prefix, "drive.py");
writeFileSync(driver, DRIVER);
const env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter"), PYDEVD_DISABLE_FILE_VALIDATION: "1", PYTHONWARNINGS: "ignore" };
const results: Record<string, { ready_s: number; reply_ms: number; idle_ms: number; idle_lost: number; ready_all_s: number[] }> = {};
for (const name of kernels) {
  console.error(`measuring ${name}: ${starts} starts, ${warmup}+${warmup} warm-up and ${rounds} timed "1 + 1" cells…`);
  const out = must("/usr/bin/python3", [driver, name, String(starts), String(warmup), String(rounds)], { env });
  const r = JSON.parse(out.trim().split("\n").pop()!);
  results[name] = { ready_s: median(r.ready_s), reply_ms: median(r.reply_ms), idle_ms: median(r.idle_ms), idle_lost: r.idle_lost, ready_all_s: r.ready_s };
}

const rows: [string, string, (r: (typeof results)[string]) => number, number][] = [
  ["start → kernel_info_reply (median)", "s", (r) => r.ready_s, 3],
  ["`1 + 1` → execute_reply (median)", "ms", (r) => r.reply_ms, 2],
  ["`1 + 1` → status idle (median)", "ms", (r) => r.idle_ms, 2],
];
const header = ["metric", ...kernels, ...(withTslab ? ["tsdl / tslab"] : [])];
const lines = rows.map(([label, unit, get, digits]) => {
  const cells = kernels.map((k) => `${get(results[k]).toFixed(digits)} ${unit}`);
  if (withTslab) cells.push((get(results.tsdl) / get(results.tslab)).toFixed(2));
  return [label, ...cells];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const fmt = (l: string[]) => "| " + l.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
console.log(fmt(header));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const l of lines) console.log(fmt(l));
const lostNote = kernels.filter((k) => results[k].idle_lost > 0).map((k) => `${k} never sent ${results[k].idle_lost} of ${rounds} idle statuses`);
if (lostNote.length) console.log(`(${lostNote.join("; ")}: left out of its idle median)`);
rmSync(prefix, { recursive: true, force: true });
console.log(JSON.stringify({ bench: "kernel", date: new Date().toISOString(), node: process.version, starts, rounds, results }));
