/**
 * Convolution throughput per layer shape: tsdl's conv2d forward, input gradient and kernel
 * gradient (through the addon, as the runtime calls them) in GFLOP/s, next to tsdl's own GEMM on
 * the same M, N, K with contiguous operands — so the table says what im2col, chunking and
 * col2im cost on top of the GEMM (or save: a chunk's patches stay in L2). Also max pooling and
 * its gradient in GB/s, and the conv + pool time of one training step of the book's network.
 *
 * Shapes: the Deep Learning with Python convnet (ch. 8) at batch 64 — conv1 28×28×1→32,
 * conv2 13×13×32→64, conv3 5×5×64→128, all 3×3 "valid" — plus a "same", stride-2 layer.
 * FLOPs are 2·M·N·K with M = batch·outH·outW, N = outChannels, K = kh·kw·inChannels, for each of
 * the three passes (the input gradient of conv1 is never computed in training: its input is
 * the data).
 *
 * Each thread count runs in its own child process (TSDL_NUM_THREADS), best-of timing.
 * Usage: npm run bench -- conv [--quick]. Prints a table, then one JSON line.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import type { Conv2dGeometry, MatmulOptions, NativeBuffer, Pool2dGeometry } from "../runtime/backend/backend.js";
import { getBackend } from "../runtime/backend/index.js";

interface Layer {
  name: string;
  g: Conv2dGeometry;
  /** The step of training runs its input gradient. */
  inputGrad: boolean;
}

function conv(name: string, batch: number, h: number, w: number, c: number, o: number, k: number, stride = 1, same = false, inputGrad = true): Layer {
  const out = (n: number) => (same ? Math.ceil(n / stride) : Math.floor((n - k) / stride) + 1);
  const pad = (n: number) => (same ? Math.floor(Math.max((out(n) - 1) * stride + k - n, 0) / 2) : 0);
  return {
    name,
    inputGrad,
    g: {
      batch, inHeight: h, inWidth: w, inChannels: c, outHeight: out(h), outWidth: out(w), outChannels: o,
      kernelHeight: k, kernelWidth: k, strideHeight: stride, strideWidth: stride, dilationHeight: 1, dilationWidth: 1,
      padTop: pad(h), padLeft: pad(w),
    },
  };
}

const LAYERS: Layer[] = [
  conv("conv1 28×28×1→32", 64, 28, 28, 1, 32, 3, 1, false, false),
  conv("conv2 13×13×32→64", 64, 13, 13, 32, 64, 3),
  conv("conv3 5×5×64→128", 64, 5, 5, 64, 128, 3),
  conv("same s2 32×32×64→128", 64, 32, 32, 64, 128, 3, 2, true),
];

function pool(name: string, batch: number, h: number, c: number): { name: string; g: Pool2dGeometry } {
  const o = Math.floor((h - 2) / 2) + 1;
  return {
    name,
    g: { batch, inHeight: h, inWidth: h, channels: c, outHeight: o, outWidth: o, poolHeight: 2, poolWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 },
  };
}
const POOLS = [pool("maxpool 26×26×32", 64, 26, 32), pool("maxpool 11×11×64", 64, 11, 64)];

/** Best seconds per call of fn over about `budget` seconds (the minimum filters out other load). */
function best(fn: () => void, budget: number): number {
  for (let i = 0; i < 3; i++) fn();
  let b = Infinity;
  const end = performance.now() + budget * 1000;
  do {
    const t = performance.now();
    fn();
    b = Math.min(b, (performance.now() - t) / 1000);
  } while (performance.now() < end);
  return b;
}

interface LayerResult {
  fwd: number; dx: number | null; dw: number;
  gemmFwd: number; gemmDx: number; gemmDw: number;
  ms: number;
}

function measure(budget: number): { layers: LayerResult[]; pools: { fwdMs: number; bwdMs: number; fwdGBs: number; bwdGBs: number }[] } {
  const be = getBackend();
  const buf = (n: number, seed: number): NativeBuffer => {
    const b = be.alloc("float32", n);
    be.randomUniform(b, seed, 0, -1, 1);
    return b;
  };
  const layers = LAYERS.map((l, i) => {
    const g = l.g;
    const M = g.batch * g.outHeight * g.outWidth, N = g.outChannels, K = g.kernelHeight * g.kernelWidth * g.inChannels;
    const gf = (s: number) => (2 * M * N * K) / s / 1e9;
    const x = buf(g.batch * g.inHeight * g.inWidth * g.inChannels, i * 10 + 1);
    const w = buf(K * N, i * 10 + 2);
    const bias = buf(N, i * 10 + 3);
    const y = buf(M * N, i * 10 + 4);
    const dx = be.alloc("float32", g.batch * g.inHeight * g.inWidth * g.inChannels);
    const dw = be.alloc("float32", K * N);
    const fwd = best(() => be.conv2d(x, w, y, { ...g, bias, activation: "relu" }), budget);
    const dxs = best(() => be.conv2dInputGrad(y, w, dx, g), budget);
    const dws = best(() => be.conv2dKernelGrad(x, y, dw, g), budget);
    // The same three GEMMs on contiguous matrices.
    const P = buf(M * K, i * 10 + 5);
    const dP = be.alloc("float32", M * K);
    const gemm = (a: NativeBuffer, b: NativeBuffer, c: NativeBuffer, o: MatmulOptions) => best(() => be.matmul(a, b, c, o), budget);
    const gemmFwd = gemm(P, w, y, { m: M, n: N, k: K });
    const gemmDx = gemm(y, w, dP, { m: M, n: K, k: N, transB: true });
    const gemmDw = gemm(P, y, dw, { m: K, n: N, k: M, transA: true });
    for (const b of [x, w, bias, y, dx, dw, P, dP]) be.release(b);
    return {
      fwd: gf(fwd), dx: l.inputGrad ? gf(dxs) : null, dw: gf(dws),
      gemmFwd: gf(gemmFwd), gemmDx: gf(gemmDx), gemmDw: gf(gemmDw),
      ms: (fwd + (l.inputGrad ? dxs : 0) + dws) * 1000,
    };
  });
  const pools = POOLS.map((p, i) => {
    const g = p.g;
    const nIn = g.batch * g.inHeight * g.inWidth * g.channels, nOut = g.batch * g.outHeight * g.outWidth * g.channels;
    const x = buf(nIn, 100 + i), y = be.alloc("float32", nOut), arg = be.alloc("int32", nOut), dx = be.alloc("float32", nIn);
    const f = best(() => be.pool2d("max", x, y, arg, g), budget);
    const b = best(() => be.pool2dGrad("max", y, arg, dx, g), budget);
    for (const t of [x, y, arg, dx]) be.release(t);
    return { fwdMs: f * 1000, bwdMs: b * 1000, fwdGBs: ((nIn + 2 * nOut) * 4) / f / 1e9, bwdGBs: ((nIn + 2 * nOut) * 4) / b / 1e9 };
  });
  return { layers, pools };
}

function main(): void {
  const args = process.argv.slice(2);
  const budget = args.includes("--quick") ? 0.15 : 0.5;
  if (args[0] === "--child") {
    console.log(JSON.stringify(measure(budget)));
    return;
  }
  const cores = cpus().length;
  const threadCounts = cores > 1 ? [1, cores] : [1];
  const results: Record<number, ReturnType<typeof measure>> = {};
  for (const t of threadCounts) {
    const child = spawnSync(process.execPath, [process.argv[1], "--child", ...args], {
      encoding: "utf8",
      env: { ...process.env, TSDL_NUM_THREADS: String(t) },
    });
    if (child.status !== 0) throw new Error(`bench conv: child for ${t} thread(s) failed:\n${child.stderr}`);
    results[t] = JSON.parse(child.stdout.trim().split("\n").pop() as string);
  }
  const b = getBackend();
  console.log(`conv2d GFLOP/s per layer shape (batch 64) vs tsdl's GEMM on the same M, N, K — ${b.description}; ${cores} cores; ${new Date().toISOString().slice(0, 10)}`);
  console.log("(a shared machine: figures are best-of, and still move with other load)");
  for (const t of threadCounts) {
    console.log(`\n${t} thread(s)`);
    console.log(["layer".padEnd(24), "fwd".padStart(7), "gemm".padStart(7), "dx".padStart(7), "gemm".padStart(7), "dw".padStart(7), "gemm".padStart(7), "ms/step".padStart(8)].join(" "));
    LAYERS.forEach((l, i) => {
      const r = results[t].layers[i];
      const f = (v: number | null) => (v === null ? "—" : v.toFixed(1)).padStart(7);
      console.log([l.name.padEnd(24), f(r.fwd), f(r.gemmFwd), f(r.dx), f(r.gemmDx), f(r.dw), f(r.gemmDw), r.ms.toFixed(3).padStart(8)].join(" "));
    });
    POOLS.forEach((p, i) => {
      const r = results[t].pools[i];
      console.log(`${p.name.padEnd(24)} fwd ${r.fwdMs.toFixed(3)} ms (${r.fwdGBs.toFixed(1)} GB/s), bwd ${r.bwdMs.toFixed(3)} ms (${r.bwdGBs.toFixed(1)} GB/s)`);
    });
    // One training step of the book's network: the three convolutions' passes and both pools.
    const step = results[t].layers.slice(0, 3).reduce((a, r) => a + r.ms, 0) + results[t].pools.reduce((a, r) => a + r.fwdMs + r.bwdMs, 0);
    console.log(`book network, conv + pool per step of 64: ${step.toFixed(2)} ms → ${((step * 938) / 1000).toFixed(2)} s per epoch of 938 steps (the rest of the step not counted)`);
  }
  console.log(JSON.stringify({
    bench: "conv",
    date: new Date().toISOString(),
    backend: b.description,
    cores,
    layers: LAYERS.map((l, i) => ({ name: l.name, ...l.g, ...Object.fromEntries(threadCounts.map((t) => [`threads${t}`, results[t].layers[i]])) })),
    pools: POOLS.map((p, i) => ({ name: p.name, ...p.g, ...Object.fromEntries(threadCounts.map((t) => [`threads${t}`, results[t].pools[i]])) })),
  }));
}

main();
