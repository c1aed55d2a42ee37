import { describe, expect, test } from "vitest";
import { tensor, Tensor, variable, valueAndGrad, grad, zeros, randomNormal, dense, softmaxCrossEntropy, setRandomSeed } from "../runtime/index.js";
import { gradients } from "../runtime/autograd/grad.js";
import { activeTape } from "../runtime/autograd/tape.js";

describe("valueAndGrad and grad", () => {
  test("valueAndGrad(f)(params, x, y) differentiates with respect to params; data passes through", () => {
    const x = tensor([[1, 2]]);
    const y = tensor([[3]]);
    const params = { w: tensor([[1], [1]]), b: tensor([0.5]) };
    const f = (p: typeof params, x: Tensor, y: Tensor) => x.matmul(p.w).add(p.b).sub(y).square().sum();
    const [loss, grads] = valueAndGrad(f)(params, x, y);
    expect(loss.item()).toBe(0.25);
    expect(grads.w.toArray()).toEqual([[1], [2]]);
    expect(grads.b.toArray()).toEqual([1]);
  });

  test("integer labels as a constant argument need no gradient", () => {
    const labels = tensor([1, 0], "int32");
    const [loss, dz] = valueAndGrad((z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y))(zeros([2, 2]), labels);
    expect(loss.item()).toBeCloseTo(Math.log(2), 6);
    expect(dz.toArray()).toEqual([[0.25, -0.25], [-0.25, 0.25]]);
  });

  test("an array of parameters gets an array of gradients", () => {
    const [g0, g1] = grad((ps: Tensor[]) => ps[0].mul(ps[1]).sum())([tensor([2]), tensor([5])]);
    expect([g0.item(), g1.item()]).toEqual([5, 2]);
  });

  test("argnums picks several arguments; grads has one entry per listed argument", () => {
    const f = (x: Tensor, c: Tensor, y: Tensor) => x.mul(y).add(c).sum();
    const [value, [dx, dy]] = valueAndGrad(f, { argnums: [0, 2] })(tensor([1, 2]), tensor([0]), tensor([3, 4]));
    expect(value.item()).toBe(11);
    expect(dx.toArray()).toEqual([3, 4]);
    expect(dy.toArray()).toEqual([1, 2]);
    expect(() => grad(f, { argnums: [3] })(tensor([1]), tensor([1]), tensor([1]))).toThrow(
      "grad: argnums lists argument 3, but the function was called with 3 argument(s) (allowed: 0..2)",
    );
  });

  test("grad of x² is 2x", () => {
    const dx = grad((x: Tensor) => x.square().sum())(tensor([1, 2, 3]));
    expect(dx.toArray()).toEqual([2, 4, 6]);
  });

  test("an argument the value does not depend on gets zeros", () => {
    const [, [, dz]] = valueAndGrad((x: Tensor, _z: Tensor) => x.sum(), { argnums: [0, 1] })(tensor([1]), tensor([[1, 2]]));
    expect(dz.toArray()).toEqual([[0, 0]]);
  });

  test("a non-scalar value is refused with its shape and the fix", () => {
    expect(() => grad((x: Tensor) => x.mul(2))(tensor([1, 2]))).toThrow(
      "grad: the function must return a scalar (one element) to differentiate; it returned shape [2] (reduce it with .sum() or .mean())",
    );
  });

  test("an integer argument is refused: only float32 carries gradients", () => {
    expect(() => grad((x: Tensor) => x.sum())(tensor([1], "int32"))).toThrow(/only float32 tensors carry gradients; parameter 0 has dtype int32/);
  });

  test("a non-tensor argument is named", () => {
    expect(() => grad((x: Tensor) => x.sum())(3 as never)).toThrow(/grad: argument 0 must be a Tensor/);
  });
});

describe("ops without a gradient", () => {
  test("comparisons, argmax and integer casts are constants to the gradient", () => {
    const x = tensor([-1, 2, 3]);
    const dx = grad((x: Tensor) => x.mul(x.greater(0).astype("float32")).sum())(x);
    expect(dx.toArray()).toEqual([0, 1, 1]);
    const dy = grad((x: Tensor) => x.mul(x.astype("int32").astype("float32")).sum())(tensor([1.5, 2.5]));
    expect(dy.toArray()).toEqual([1, 2]);
    const dz = grad((x: Tensor) => x.sum().add(x.argmax().astype("float32")))(x);
    expect(dz.toArray()).toEqual([1, 1, 1]);
  });
});

describe("the tape", () => {
  test("nothing is recorded outside a gradient computation, even on variables", () => {
    const w = variable(tensor([1, 2]));
    const y = w.mul(3);
    expect(activeTape()).toBeNull();
    expect(y._tape).toBeNull();
  });

  test("the tape of a step is freed and closed after backward", () => {
    const w = variable(tensor([1, 2]));
    gradients(() => w.square().sum(), [w]);
    expect(activeTape()).toBeNull();
  });

  test("an error inside the function closes the tape and unwatches the parameters", () => {
    const w = variable(tensor([1, 2]));
    expect(() => gradients(() => w.mul(2).matmul(zeros([3, 3])), [w])).toThrow(/matmul/);
    expect(activeTape()).toBeNull();
    expect(w._tape).toBeNull();
    const { grads } = gradients(() => w.square().sum(), [w]);
    expect(grads[0].toArray()).toEqual([2, 4]);
  });

  test("gradients() is the training loop's form: the loss of a dense network and its gradients", () => {
    setRandomSeed(3);
    const x = randomNormal([8, 4]);
    const y = tensor([0, 1, 2, 0, 1, 2, 0, 1], "int32");
    const w = variable(randomNormal([4, 3]), { name: "kernel" });
    const b = variable(zeros([3]), { name: "bias" });
    const { value, grads } = gradients(() => softmaxCrossEntropy(dense(x, w, b, "linear"), y, { sparse: true }), [w, b]);
    expect(value.shape).toEqual([]);
    expect(grads[0].shape).toEqual([4, 3]);
    expect(grads[1].shape).toEqual([3]);
    // One plain gradient-descent step lowers the loss.
    w.assign(w.sub(grads[0].mul(0.5)));
    b.assign(b.sub(grads[1].mul(0.5)));
    const after = softmaxCrossEntropy(dense(x, w, b, "linear"), y, { sparse: true });
    expect(after.item()).toBeLessThan(value.item());
  });
});
