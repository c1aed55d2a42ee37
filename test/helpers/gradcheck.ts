/**
 * The gradient check shared by the op test files: central differences of sum(f(inputs)·R), R a
 * fixed random tensor, against the tape's gradient, element by element.
 * @example checkGradients((x) => x.square(), [tensor([1, 2, 3])]);
 */
import { expect } from "vitest";
import { tensor, Tensor, grad, randomNormal, mul } from "../../runtime/index.js";

export type Fn = (...xs: Tensor[]) => Tensor;

export function checkGradients(f: Fn, inputs: Tensor[], { eps = 1e-2, rtol = 2e-2, atol = 2e-3 } = {}): void {
  const out = f(...inputs);
  const r = randomNormal([...out.shape]);
  const objective: Fn = (...xs) => mul(f(...xs), r).sum();
  const analytic = grad(objective, { argnums: inputs.map((_, i) => i) })(...inputs) as Tensor[];
  const hosts = inputs.map((x) => x.data() as Float32Array);
  inputs.forEach((x, i) => {
    expect(analytic[i].shape).toEqual(x.shape);
    const g = analytic[i].data();
    for (let j = 0; j < hosts[i].length; j++) {
      const at = (delta: number) => {
        const h = Float32Array.from(hosts[i]);
        h[j] += delta;
        const xs = inputs.map((y, k) => (k === i ? tensor(h, { shape: [...x.shape] }) : y));
        return objective(...xs).item();
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      if (Math.abs(g[j] - numeric) > atol + rtol * Math.abs(numeric)) {
        throw new Error(`input ${i}, element ${j}: analytic ${g[j]} vs numeric ${numeric}`);
      }
    }
  });
}
