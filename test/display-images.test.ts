import { afterEach, describe, expect, it } from "vitest";
import pngjs from "pngjs";
import { imageBundle, imagesBundle } from "../runtime/display/images.js";
import { plot } from "../runtime/plot/index.js";
import { setDisplaySink, type DisplaySink } from "../runtime/display/sink.js";
import { RecordingSink } from "./display-recording-sink.js";

const { PNG } = pngjs;
const decode = (b64: unknown) => PNG.sync.read(Buffer.from(String(b64), "base64"));
/** A 28×28 "digit": a bright vertical bar in columns 12–15, rows 4–23. */
const digit = (value = 255) => Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (x >= 12 && x <= 15 && y >= 4 && y <= 23 ? value : 0)));
const pixel = (png: ReturnType<typeof decode>, x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];

let previous: DisplaySink | null = null;
afterEach(() => {
  if (previous) setDisplaySink(previous);
  previous = null;
});

describe("a 28×28 digit shows as a PNG", () => {
  it("is enlarged to 140×140 by whole pixels, ink white on black", () => {
    const png = decode(imageBundle(digit())["image/png"]);
    expect([png.width, png.height]).toEqual([140, 140]);
    expect(pixel(png, 13 * 5 + 2, 10 * 5)).toEqual([255, 255, 255, 255]);
    expect(pixel(png, 2, 2)).toEqual([0, 0, 0, 255]);
    // Nearest neighbour: the edge between pixel 11 and 12 stays sharp.
    expect(pixel(png, 12 * 5 - 1, 50)).toEqual([0, 0, 0, 255]);
    expect(pixel(png, 12 * 5, 50)).toEqual([255, 255, 255, 255]);
  });

  it("draws black ink on white with the binary colormap, as the chapter does", () => {
    const png = decode(imageBundle(digit(), { cmap: "binary", scale: 1 })["image/png"]);
    expect([png.width, png.height]).toEqual([28, 28]);
    expect(pixel(png, 13, 10)).toEqual([0, 0, 0, 255]);
    expect(pixel(png, 0, 0)).toEqual([255, 255, 255, 255]);
  });

  it("reads floats in [0, 1] as intensities and float32 data from typed arrays", () => {
    const t = { shape: [2, 2], dtype: "float32", data: () => new Float32Array([0, 0.5, 1, 0.25]) };
    const png = decode(imageBundle(t, { scale: 1 })["image/png"]);
    expect(pixel(png, 1, 0)).toEqual([128, 128, 128, 255]);
    expect(pixel(png, 0, 1)).toEqual([255, 255, 255, 255]);
  });

  it("sketches the digit in characters for a terminal", () => {
    const text = String(imageBundle(digit())["text/plain"]);
    const lines = text.split("\n");
    expect(lines[0]).toBe("image 28×28");
    expect(lines.slice(1)).toHaveLength(14);
    expect(lines[5]).toBe("            @@@@");
    expect(lines[1]).toBe("");
  });

  it("says which shapes it can show", () => {
    expect(() => imageBundle({ shape: [28], data: () => new Uint8Array(28) })).toThrow(
      "imageBundle: expected an image of shape [height, width] or [height, width, 1|3|4], received [28]",
    );
  });
});

describe("a grid of digits shows with labels", () => {
  const batch = { shape: [12, 28, 28], dtype: "uint8", data: () => new Uint8Array(12 * 28 * 28).map((_, i) => (i % 28 === 13 ? 255 : 0)) };

  it("lays the images out ten to a row in one PNG", () => {
    const bundle = imagesBundle(batch);
    const png = decode(bundle["image/png"]);
    // 56-px tiles, 2-px gaps: 10 columns, 2 rows.
    expect([png.width, png.height]).toEqual([10 * 56 + 9 * 2, 2 * 56 + 2]);
    expect(bundle["text/plain"]).toBe("12 images 28×28");
    expect(bundle["text/html"]).toBeUndefined();
  });

  it("puts each label under its image, and marks wrong predictions", () => {
    const labels = { shape: [12, 10], dtype: "float32", data: () => new Float32Array(120).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)) };
    const predictions = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 7];
    const bundle = imagesBundle(batch, { labels, predictions });
    const html = String(bundle["text/html"]);
    expect(html.match(/<img /g)).toHaveLength(12);
    const captions = [...html.matchAll(/<figcaption[^>]*>([^<]*)<\/figcaption>/g)].map((m) => m[1]);
    expect(captions).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "1→7"]);
    expect(html).toContain('color:#c62828">1→7');
    expect(bundle["text/plain"]).toBe("12 images 28×28\nlabels: 0 1 2 3 4 5 6 7 8 9 0 1→7");
  });

  it("shows at most the first forty images and says how many there were", () => {
    const many = { shape: [100, 28, 28], dtype: "uint8", data: () => new Uint8Array(100 * 28 * 28) };
    expect(String(imagesBundle(many)["text/plain"])).toBe("first 40 of 100 images 28×28");
    expect(() => imagesBundle(batch, { labels: [1, 2] })).toThrow("imagesBundle: labels has 2 entries for 12 images; give one per image");
  });

  it("normalize stretches each image over its own range: a convnet's filters and activation maps", () => {
    // Two 1×3 "filters": one of weights in [-0.25, 0.5], one in [0, 1/64]; both span black to white.
    const filters = { shape: [2, 1, 3], dtype: "float32", data: () => new Float32Array([-0.25, 0.125, 0.5, 0, 1 / 128, 1 / 64]) };
    const png = decode(imagesBundle(filters, { normalize: true, scale: 1 })["image/png"]);
    const gap = 2;
    const row = (x0: number) => [0, 1, 2].map((x) => pixel(png, x0 + x, 0)[0]);
    expect(row(0)).toEqual([0, 128, 255]);
    expect(row(3 + gap)).toEqual([0, 128, 255]);
    // Without it the negative weights are black and the small ones nearly so.
    const plain = decode(imagesBundle(filters, { scale: 1 })["image/png"]);
    expect([pixel(plain, 0, 0)[0], pixel(plain, 3 + gap + 2, 0)[0]]).toEqual([0, 4]);
    expect(() => imagesBundle(filters, { normalize: "yes" as never })).toThrow('imagesBundle: normalize must be true or false, received "yes"');
  });

  it("appears under the cell through plot.images and plot.image", () => {
    const sink = new RecordingSink("notebook");
    previous = setDisplaySink(sink);
    plot.images(batch, { labels: Array.from({ length: 12 }, (_, i) => i % 10) });
    plot.image(digit());
    expect(sink.displays.map((d) => Object.keys(d.current).sort())).toEqual([
      ["image/png", "text/html", "text/plain"],
      ["image/png", "text/plain"],
    ]);
  });
});
