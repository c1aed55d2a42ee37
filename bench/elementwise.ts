/**
 * Element-wise and reduction throughput in GB/s, next to the machine's memcpy bandwidth
 * (a backend `copy` of the same size), with 1 thread and with all cores.
 * Sizes: 16 Mi elements (64 MiB per operand, far beyond the caches) and 128×512 (one MNIST
 * hidden activation, cache-resident: what a training step actually runs).
 *
 * Usage: npm run bench -- elementwise [--quick]
 * Prints a table, then one JSON line.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { getBackend } from "../runtime/backend/index.js";

interface Row {
  op: string;
  size: number;
  gbps: number;
}

const SIZES = [16 << 20, 128 * 512];

function measure(budget: number): Row[] {
  const b = getBackend();
  const rows: Row[] = [];
  for (const n of SIZES) {
    const x = b.alloc("float32", n), y = b.alloc("float32", n), out = b.alloc("float32", n), s = b.alloc("float32", 1);
    b.randomUniform(x, 1, 0, -1, 1);
    b.randomUniform(y, 2, 0, -1, 1);
    const cols = 512;
    const bias = b.alloc("float32", cols);
    b.randomUniform(bias, 3, 0, -1, 1);
    // bytes each op must move at least once: reads + writes
    const ops: [string, () => void, number][] = [
      ["memcpy (copy)", () => b.copy(x, 0, out, 0, n), 8],
      ["add", () => b.binary("add", x, [n], y, [n], out, [n]), 12],
      ["add (row broadcast)", () => b.binary("add", x, [n / cols, cols], bias, [cols], out, [n / cols, cols]), 8],
      ["relu", () => b.unary("relu", x, out), 8],
      ["relu grad", () => b.unaryGrad("relu", x, y, out), 12],
      ["sum (all)", () => b.reduce("sum", x, [n], [0], s), 4],
      ["sum (axis 0)", () => b.reduce("sum", x, [n / cols, cols], [0], bias), 4],
      ["softmax (rows of 512)", () => b.softmax(x, out, n / cols, cols, false), 8],
      ["rmsprop update", () => b.rmspropUpdate([out], [y], [x], 1e-9, 0.9, 1e-7), 20],
    ];
    for (const [op, fn, bytesPerElem] of ops) {
      fn();
      const reps = Math.max(1, Math.floor(2e7 / n));
      let best = Infinity;
      const end = performance.now() + budget * 1000;
      do {
        const t = performance.now();
        for (let r = 0; r < reps; r++) fn();
        best = Math.min(best, (performance.now() - t) / 1000 / reps);
      } while (performance.now() < end);
      rows.push({ op, size: n, gbps: (bytesPerElem * n) / best / 1e9 });
    }
    for (const buf of [x, y, out, s, bias]) b.release(buf);
  }
  return rows;
}

function main(): void {
  const args = process.argv.slice(2);
  const budget = args.includes("--quick") ? 0.1 : 0.4;
  if (args[0] === "--child") {
    console.log(JSON.stringify(measure(budget)));
    return;
  }
  const cores = cpus().length;
  const threadCounts = cores > 1 ? [1, cores] : [1];
  const results: Record<number, Row[]> = {};
  for (const t of threadCounts) {
    const child = spawnSync(process.execPath, [process.argv[1], "--child", ...args], {
      encoding: "utf8",
      env: { ...process.env, TSDL_NUM_THREADS: String(t) },
    });
    if (child.status !== 0) throw new Error(`bench elementwise: child for ${t} thread(s) failed:\n${child.stderr}`);
    results[t] = JSON.parse(child.stdout.trim().split("\n").pop() as string) as Row[];
  }
  console.log(`Element-wise GB/s (bytes each op must read + write) — ${getBackend().description}; ${new Date().toISOString().slice(0, 10)}`);
  console.log(["op".padEnd(24), "elements".padStart(10), ...threadCounts.flatMap((t) => [`${t}T GB/s`.padStart(10), "of memcpy".padStart(10)])].join(" "));
  results[threadCounts[0]].forEach((r, i) => {
    const cells = threadCounts.flatMap((t) => {
      const row = results[t][i];
      const memcpy = results[t].find((q) => q.size === row.size && q.op.startsWith("memcpy"))!.gbps;
      return [row.gbps.toFixed(1).padStart(10), `${Math.round((row.gbps / memcpy) * 100)}%`.padStart(10)];
    });
    console.log([r.op.padEnd(24), String(r.size).padStart(10), ...cells].join(" "));
  });
  console.log(JSON.stringify({ bench: "elementwise", date: new Date().toISOString(), backend: getBackend().description, cores, results }));
}

main();
