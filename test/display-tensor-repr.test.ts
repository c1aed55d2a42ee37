import { describe, expect, it } from "vitest";
import "../runtime/display/tensor-display.js";
import { tensor, zeros } from "../runtime/tensor/create.js";
import { DISPLAY } from "../runtime/display/sink.js";

const bundle = (t: { [DISPLAY](): Record<string, unknown> }) => t[DISPLAY]();

describe("a tensor shows its shape, dtype and values", () => {
  it("keeps the NumPy-like text as text/plain", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(bundle(t)["text/plain"]).toBe(t.toString());
  });

  it("shows a small 2-D tensor as an HTML table with a shape and dtype caption", () => {
    const html = String(bundle(tensor([[1.5, -2], [0.1234567, 4]]))["text/html"]);
    expect(html).toContain("<caption style=\"text-align:left\">Tensor shape=[2, 2] dtype=float32</caption>");
    const cells = [...html.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual(["1.5", "-2", "0.123457", "4"]);
  });

  it("writes integer and boolean tensors as they are", () => {
    const ints = String(bundle(tensor([[1, 2, 3]], "int32"))["text/html"]);
    expect([...ints.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(["1", "2", "3"]);
    expect(ints).toContain("dtype=int32");
    const bools = String(bundle(tensor([[1, 0]], "bool"))["text/html"]);
    expect([...bools.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(["true", "false"]);
  });

  it("keeps large or non-2-D tensors to text", () => {
    expect(bundle(zeros([28, 28]))["text/html"]).toBeUndefined();
    expect(bundle(zeros([2, 2, 2]))["text/html"]).toBeUndefined();
    expect(bundle(tensor([1, 2, 3]))["text/html"]).toBeUndefined();
  });
});
