import { describe, expect, it } from "vitest";
import { optimizers, tensor, variable } from "../runtime/index.js";

// One weight vector and one gradient; each optimizer's two steps against its formula in plain JS.
const w0 = [0.5, -1.0, 2.0];
const g = [0.1, -0.3, 0.02];

function steps(opt: optimizers.Optimizer, n: number): number[] {
  const w = variable(tensor(w0));
  for (let i = 0; i < n; i++) opt.applyGradients([tensor(g)], [w]);
  return Array.from(w.data());
}

function expectClose(actual: number[], expected: number[]): void {
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
}

describe("optimizers follow Keras's update rules and defaults", () => {
  it("'rmsprop' has learning rate 0.001, rho 0.9 and epsilon 1e-7 inside the square root", () => {
    const opt = optimizers.get("rmsprop") as optimizers.RMSprop;
    expect([opt.learningRate, opt.rho, opt.epsilon]).toEqual([0.001, 0.9, 1e-7]);
    const v = [0, 0, 0];
    const w = [...w0];
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < 3; i++) {
        v[i] = 0.9 * v[i] + 0.1 * g[i] * g[i];
        w[i] -= (0.001 * g[i]) / Math.sqrt(v[i] + 1e-7);
      }
    }
    expectClose(steps(opt, 2), w);
  });

  it("SGD with momentum: vel = momentum·vel − lr·g; w += vel", () => {
    const opt = new optimizers.SGD({ learningRate: 1e-2, momentum: 0.9 });
    const vel = [0, 0, 0];
    const w = [...w0];
    for (let s = 0; s < 2; s++) for (let i = 0; i < 3; i++) {
      vel[i] = 0.9 * vel[i] - 0.01 * g[i];
      w[i] += vel[i];
    }
    expectClose(steps(opt, 2), w);
    expect(new optimizers.SGD().learningRate).toBe(0.01);
  });

  it("Adam with bias correction and AdamW's decoupled weight decay", () => {
    const run = (wd: number) => {
      const m = [0, 0, 0];
      const v = [0, 0, 0];
      const w = [...w0];
      for (let t = 1; t <= 2; t++) {
        const lr = (0.001 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
        for (let i = 0; i < 3; i++) {
          w[i] -= 0.001 * wd * w[i];
          m[i] = 0.9 * m[i] + 0.1 * g[i];
          v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
          w[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + 1e-7);
        }
      }
      return w;
    };
    expectClose(steps(optimizers.get("adam"), 2), run(0));
    expectClose(steps(new optimizers.AdamW({ weightDecay: 0.1 }), 2), run(0.1));
  });

  it("Adagrad starts its accumulator at 0.1", () => {
    const acc = [0.1, 0.1, 0.1];
    const w = [...w0];
    for (let s = 0; s < 2; s++) for (let i = 0; i < 3; i++) {
      acc[i] += g[i] * g[i];
      w[i] -= (0.001 * g[i]) / Math.sqrt(acc[i] + 1e-7);
    }
    expectClose(steps(optimizers.get("Adagrad"), 2), w);
  });

  it("names resolve in snake_case, camelCase and Keras's class spelling", () => {
    expect(optimizers.get("RMSprop")).toBeInstanceOf(optimizers.RMSprop);
    expect(optimizers.get("adamW")).toBeInstanceOf(optimizers.AdamW);
    expect(() => new optimizers.SGD({ learningRate: -1 })).toThrow("SGD: learningRate must be a positive number, received -1");
  });
});
