/**
 * Warms the runtime up before a host's first request: a notebook kernel calls it while it
 * waits, so the first `fit` of a session does not pay for V8 compiling the training step's
 * code, the thread pool starting and the GEMM buffers being touched for the first time.
 *
 * It trains a model of the chapter's shape (784 → 512 relu → 10 softmax, rmsprop, categorical
 * cross-entropy, accuracy, batch 128) on constant data, a few steps at a time, and waits
 * whenever the host says it is busy, so a request that arrives is delayed by one round at
 * most (a few milliseconds). It leaves nothing behind that a user could see: its layers and
 * model carry explicit names (the `dense`, `dense_1`, … counters are untouched), its weights
 * and data are constants (the random stream, and so a seeded session, is untouched), and it
 * prints nothing.
 *
 * @example await warmUp({ whenIdle: () => kernel.whenIdle() });
 */
import { ones, tensor } from "./tensor/create.js";
import { Sequential } from "./models/sequential.js";
import { Dense } from "./layers/dense.js";
import { Input } from "./layers/input.js";
import { oneHot } from "./ops/index.js";

export interface WarmUpOptions {
  /** Resolves when the host has no request in hand; awaited before every round. */
  whenIdle?: () => Promise<void>;
  /** Training steps in all (default 60: after them the first 100 steps of a fit run as fast as a later epoch's, measured). */
  steps?: number;
  /** Steps per round, between which a request can be taken (default 2). */
  stepsPerRound?: number;
}

export async function warmUp(options: WarmUpOptions = {}): Promise<void> {
  const { whenIdle = async () => {}, steps = 60, stepsPerRound = 2 } = options;
  const batch = 128;
  await whenIdle();
  const model = new Sequential(
    [
      // Named, so the warm-up takes no number from the input_layer, dense, sequential counters.
      Input({ shape: [784], name: "tsdl_warmup_input" }),
      Dense(512, { activation: "relu", kernelInitializer: "ones", name: "tsdl_warmup_hidden" }),
      Dense(10, { activation: "softmax", kernelInitializer: "zeros", name: "tsdl_warmup_output" }),
    ],
    { name: "tsdl_warmup" },
  );
  model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });
  const x = ones([batch * stepsPerRound, 784]).mul(1 / 784);
  const y = oneHot(tensor(Array.from({ length: batch * stepsPerRound }, (_, i) => i % 10), "int32"), 10);
  for (let done = 0; done < steps; done += stepsPerRound) {
    await whenIdle();
    await model.fit(x, y, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 });
  }
}
