/**
 * The tensor layer's own costs: JS overhead per op (tiny tensors, so the kernel is negligible)
 * with and without a gradient tape, and one training step of the chapter's network
 * (784 → 512 relu → 10, batch 128, softmax cross-entropy, RMSprop) through dense /
 * softmaxCrossEntropy / gradients / withScope, as fit runs it.
 *
 * Run: npm run build && npm run bench -- tensor-ops
 */
import { backendInfo } from "../runtime/backend/index.js";
import { tensor, zeros, randomNormal, randomUniform } from "../runtime/tensor/create.js";
import { variable } from "../runtime/tensor/variable.js";
import { backend, withScope } from "../runtime/tensor/engine.js";
import { add, dense, softmaxCrossEntropy } from "../runtime/ops/index.js";
import { gradients } from "../runtime/autograd/grad.js";
import type { NativeBuffer } from "../runtime/backend/backend.js";

function time(fn: () => void, reps: number, warmup = Math.min(50, reps)): number {
  for (let i = 0; i < warmup; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / reps; // µs
}

const a = tensor([1, 2, 3, 4]);
const b = tensor([5, 6, 7, 8]);
const opUs = time(() => withScope(() => { add(a, b); }), 100_000);
const w = variable(tensor([1, 2, 3, 4]));
const tapedUs = time(() => withScope(() => { gradients(() => add(w, b).sum(), [w]); }), 20_000);

const x = randomUniform([128, 784]);
const y = tensor(Int32Array.from({ length: 128 }, (_, i) => i % 10));
const w1 = variable(randomNormal([784, 512], { stddev: 0.05 }));
const b1 = variable(zeros([512]));
const w2 = variable(randomNormal([512, 10], { stddev: 0.05 }));
const b2 = variable(zeros([10]));
const params = [w1, b1, w2, b2];
const slots: NativeBuffer[] = params.map((p) => {
  const s = backend().alloc("float32", p.size);
  backend().fill(s, 0);
  return s;
});
const step = () =>
  withScope(() => {
    const { grads } = gradients(
      () => softmaxCrossEntropy(dense(dense(x, w1, b1, "relu"), w2, b2, "linear"), y, { sparse: true }),
      params,
    );
    backend().rmspropUpdate(params.map((p) => p.buffer), grads.map((g) => g.buffer), slots, 0.001, 0.9, 1e-7);
  });
// A step runs slower for its first ~100 calls (the JIT and the allocator settle; fit's first 50
// steps take ~1.4× the later ones), so it is timed after 300.
const stepMs = time(step, 500, 300) / 1e3;

const rows = [
  ["op (add of [4], in a scope)", `${opUs.toFixed(2)} µs`],
  ["taped add + sum + backward of [4]", `${tapedUs.toFixed(2)} µs`],
  ["training step 784-512-10, batch 128", `${stepMs.toFixed(3)} ms`],
  ["→ 469 steps (one MNIST epoch)", `${(stepMs * 469 / 1e3).toFixed(3)} s`],
];
console.log(`backend: ${backendInfo().description}`);
for (const [k, v] of rows) console.log(`${k.padEnd(40)} ${v}`);
console.log(JSON.stringify({ bench: "tensor-ops", opUs, tapedUs, stepMs, epochS: (stepMs * 469) / 1e3, date: new Date().toISOString() }));
