/**
 * Images from tensors: a 28×28 digit, or a grid of them with labels, as PNG (encoded by pngjs).
 *
 * Pixels are scaled up by whole pixels (nearest neighbour) so a 28×28 digit is big enough to
 * read and stays sharp; browsers would blur a small PNG they enlarge. Single-channel images are
 * mapped through a colormap: "gray" (0 black, max white) or "binary" (0 white, max black, the
 * chapter's `plt.cm.binary`).
 */
import { createRequire } from "node:module";
import type { MimeBundle } from "./sink.js";
import { escapeHtml } from "./html.js";
import { checkOptions, type OptionTable } from "../options.js";

/** A tensor (anything with shape and data()) or nested JS arrays. */
export type ImageInput = { readonly shape: readonly number[]; data(): ArrayLike<number> } | number[][] | number[][][] | number[][][][];

/** Options shared by `imageBundle` and `imagesBundle` (`display.image`, `plot.image`, `plot.images`). */
export interface ImageOptions {
  /** Colormap of single-channel images: "gray" (default) or "binary" (ink black on white). */
  cmap?: "gray" | "binary";
  /** Value shown as black ("gray") or white ("binary"). Default 0. */
  vmin?: number;
  /**
   * Value shown at full intensity. Default: 255 for integer data, 1 for floats in [0, 1],
   * otherwise the largest value.
   */
  vmax?: number;
  /** Screen pixels per image pixel. Default: an image about 140 px wide (in a grid 56 px). */
  scale?: number;
  /**
   * Stretch each image from its own smallest value (black) to its own largest (white), as
   * matplotlib's imshow does: for weights and activation maps, whose ranges differ from image to
   * image and go below zero. Overrides vmin/vmax. Default false.
   */
  normalize?: boolean;
}

/** Every key of ImageOptions. */
export const IMAGE_OPTIONS: OptionTable<ImageOptions> = { cmap: true, vmin: true, vmax: true, scale: true, normalize: true };

/** Options of `imagesBundle`. */
export interface ImagesOptions extends ImageOptions {
  /** A label under each image: numbers, strings, a 1-D tensor of classes or a 2-D one-hot tensor. Default none. */
  labels?: LabelInput;
  /** Predicted classes, shown next to the labels (red where they differ). Default none. */
  predictions?: LabelInput;
  /** Images per row. Default up to 10. */
  columns?: number;
  /** Most images shown; the rest are counted in the text. Default 40. */
  max?: number;
}

/** Every key of ImagesOptions. */
export const IMAGES_OPTIONS: OptionTable<ImagesOptions> = { labels: true, predictions: true, columns: true, max: true, ...IMAGE_OPTIONS };

/**
 * Checks the options of `fn` (an image function): their keys, and the colormap's name.
 * @example checkImageOptions("display.image", { cmap: "binary" }, IMAGE_OPTIONS)
 */
export function checkImageOptions<T extends ImageOptions>(fn: string, options: T | undefined, table: OptionTable<T>): T {
  const o = checkOptions(fn, options, table);
  if (o.cmap !== undefined && o.cmap !== "gray" && o.cmap !== "binary") {
    throw new Error(`${fn}: cmap must be "gray" or "binary" (ink black on white), received ${JSON.stringify(o.cmap)}`);
  }
  if (o.normalize !== undefined && typeof o.normalize !== "boolean") {
    throw new Error(`${fn}: normalize must be true or false, received ${JSON.stringify(o.normalize)}`);
  }
  return o;
}

export type LabelInput = readonly (number | string)[] | { readonly shape: readonly number[]; data(): ArrayLike<number> };

/** Pixels of one image after reading its tensor: height × width × channels, values as given. */
interface Pixels {
  height: number;
  width: number;
  channels: number;
  data: ArrayLike<number>;
  integer: boolean;
}

type PngModule = typeof import("pngjs");
let png: PngModule | null = null;

/** pngjs is loaded on the first image only, synchronously (it is CommonJS). */
function pngjs(): PngModule {
  png ??= createRequire(import.meta.url)("pngjs") as PngModule;
  return png;
}

/**
 * One image as a MIME bundle: PNG, with a text sketch as text/plain.
 * @example display(imageBundle(trainImages.get(4)))
 */
export function imageBundle(image: ImageInput, options?: ImageOptions): MimeBundle {
  const o = checkImageOptions("imageBundle", options, IMAGE_OPTIONS);
  const { batch, shape } = readBatch(image, "imageBundle", false);
  const px = batch[0];
  const scale = o.scale ?? Math.max(1, Math.round(140 / Math.max(px.height, px.width)));
  const rgba = toRgba(px, o);
  const encoded = encodePng(upscale(rgba, px.width, px.height, scale), px.width * scale, px.height * scale);
  return {
    "image/png": encoded.toString("base64"),
    "text/plain": `image ${shape.join("×")}\n${sketch(px, o)}`,
  };
}

/**
 * A grid of images as one PNG, and with labels an HTML grid with a caption under each.
 * @example display(imagesBundle(trainImages.slice(0, 10), { labels: trainLabels.slice(0, 10) }))
 */
export function imagesBundle(images: ImageInput, options?: ImagesOptions): MimeBundle {
  const o = checkImageOptions("imagesBundle", options, IMAGES_OPTIONS);
  const max = o.max ?? 40;
  // Only the images shown are read from the tensor (plot.images(trainImages) reads 40, not 60,000).
  const shown = firstRows(images, max);
  const { batch, shape } = readBatch(shown.rows, "imagesBundle", true, max);
  const labels = o.labels !== undefined ? readLabels(firstRows(o.labels, max).rows, "labels") : undefined;
  const predictions = o.predictions !== undefined ? readLabels(firstRows(o.predictions, max).rows, "predictions") : undefined;
  for (const [name, l] of [["labels", labels], ["predictions", predictions]] as const) {
    if (l && l.length < batch.length) {
      throw new Error(`imagesBundle: ${name} has ${l.length} entries for ${batch.length} images; give one per image`);
    }
  }
  const { height, width } = batch[0];
  const columns = Math.max(1, Math.min(o.columns ?? 10, batch.length));
  const rows = Math.ceil(batch.length / columns);
  const scale = o.scale ?? Math.max(1, Math.round(56 / Math.max(height, width)));
  const tile = { w: width * scale, h: height * scale };
  const gap = Math.max(2, scale);
  const gridW = columns * tile.w + (columns - 1) * gap;
  const gridH = rows * tile.h + (rows - 1) * gap;
  const grid = Buffer.alloc(gridW * gridH * 4, 255);
  const tiles: Buffer[] = [];
  batch.forEach((px, i) => {
    const big = upscale(toRgba(px, o), width, height, scale);
    tiles.push(big);
    const x0 = (i % columns) * (tile.w + gap);
    const y0 = Math.floor(i / columns) * (tile.h + gap);
    for (let y = 0; y < tile.h; y++) big.copy(grid, ((y0 + y) * gridW + x0) * 4, y * tile.w * 4, (y + 1) * tile.w * 4);
  });
  const count = shown.total > batch.length ? `first ${batch.length} of ${shown.total}` : `${batch.length}`;
  const captions = batch.map((_, i) => caption(labels?.[i], predictions?.[i]));
  const textLines = [`${count} images ${shape.slice(1).join("×")}`];
  if (labels || predictions) textLines.push(`${labels ? "labels" : "predictions"}: ${captions.map((c) => c.text).join(" ")}`);
  const bundle: MimeBundle = {
    "image/png": encodePng(grid, gridW, gridH).toString("base64"),
    "text/plain": textLines.join("\n"),
  };
  if (labels || predictions) {
    const figures = tiles.map((t, i) => {
      const src = `data:image/png;base64,${encodePng(t, tile.w, tile.h).toString("base64")}`;
      const c = captions[i];
      const color = c.wrong ? "#c62828" : "inherit";
      return (
        `<figure style="margin:0;text-align:center"><img src="${src}" width="${tile.w}" height="${tile.h}" alt="${escapeHtml(c.text)}">` +
        `<figcaption style="font-family:var(--jp-code-font-family,monospace);color:${color}">${escapeHtml(c.text)}</figcaption></figure>`
      );
    });
    bundle["text/html"] =
      `<div class="tsdl-images" style="display:grid;grid-template-columns:repeat(${columns},${tile.w}px);gap:${gap * 2}px ${gap}px">` +
      figures.join("") +
      `</div>`;
  }
  return bundle;
}

function caption(label: string | undefined, predicted: string | undefined): { text: string; wrong: boolean } {
  if (predicted === undefined) return { text: label ?? "", wrong: false };
  if (label === undefined) return { text: predicted, wrong: false };
  return { text: label === predicted ? label : `${label}→${predicted}`, wrong: label !== predicted };
}

/**
 * The first `n` entries along the first axis (a tensor's own slice, an array's slice; an
 * array-like without slice() whole), and how many entries there are in all.
 */
function firstRows<T extends ImageInput | LabelInput>(x: T, n: number): { rows: T; total: number } {
  if (Array.isArray(x)) return { rows: (x.length > n ? x.slice(0, n) : x) as T, total: x.length };
  const t = x as { shape?: readonly number[]; slice?: (start: number, end: number) => T } | null;
  const total = t?.shape?.[0] ?? 0;
  return { rows: typeof t?.slice === "function" && total > n ? t.slice(0, n) : x, total };
}

/** Reads labels: strings and numbers as given; a 2-D tensor (one-hot or probabilities) by its argmax. */
function readLabels(input: LabelInput, name: string): string[] {
  if (Array.isArray(input)) return input.map(String);
  const t = input as { shape: readonly number[]; data(): ArrayLike<number> };
  if (typeof t.data !== "function" || !Array.isArray(t.shape)) {
    throw new Error(`imagesBundle: ${name} must be an array or a tensor, received ${typeof input}`);
  }
  const data = t.data();
  if (t.shape.length === 1) return Array.from(data, (v) => String(v));
  if (t.shape.length === 2) {
    const [n, k] = t.shape;
    return Array.from({ length: n }, (_, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (data[i * k + j] > data[i * k + best]) best = j;
      return String(best);
    });
  }
  throw new Error(`imagesBundle: ${name} must be 1-D (classes) or 2-D (one-hot), received shape [${t.shape.join(", ")}]`);
}

/** Reads a tensor or nested arrays into per-image pixels (at most `max` of a batch), checking the shape. */
function readBatch(input: ImageInput, fn: string, isBatch: boolean, max = Infinity): { batch: Pixels[]; shape: number[] } {
  let shape: number[];
  let data: ArrayLike<number>;
  let integer: boolean;
  if (Array.isArray(input)) {
    shape = nestedShape(input);
    data = (input as unknown[]).flat(Infinity) as number[];
    integer = (data as number[]).every((v) => Number.isInteger(v));
  } else if (input && typeof (input as { data?: unknown }).data === "function") {
    const t = input as { shape: readonly number[]; data(): ArrayLike<number>; dtype?: string };
    shape = [...t.shape];
    data = t.data();
    integer = t.dtype !== undefined ? t.dtype !== "float32" : !(data instanceof Float32Array || data instanceof Float64Array);
  } else {
    throw new Error(`${fn}: expected a tensor or nested arrays of pixels, received ${input === null ? "null" : typeof input}`);
  }
  const rank = isBatch ? shape.length - 1 : shape.length;
  const channelsLast = rank === 3 ? shape[shape.length - 1] : 1;
  if ((rank !== 2 && rank !== 3) || ![1, 3, 4].includes(channelsLast) || shape.some((d) => d < 1)) {
    const wanted = isBatch ? "[n, height, width] or [n, height, width, 1|3|4]" : "[height, width] or [height, width, 1|3|4]";
    throw new Error(`${fn}: expected ${isBatch ? "a batch of images" : "an image"} of shape ${wanted}, received [${shape.join(", ")}]`);
  }
  const n = isBatch ? Math.min(shape[0], max) : 1;
  const [height, width] = isBatch ? [shape[1], shape[2]] : [shape[0], shape[1]];
  const per = height * width * channelsLast;
  const batch = Array.from({ length: n }, (_, i) => ({
    height,
    width,
    channels: channelsLast,
    data: subarray(data, i * per, (i + 1) * per),
    integer,
  }));
  return { batch, shape };
}

function subarray(data: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  if (ArrayBuffer.isView(data)) return (data as unknown as Float32Array).subarray(start, end);
  return Array.prototype.slice.call(data, start, end) as number[];
}

function nestedShape(a: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = a;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/** The value range shown: [vmin, vmax] from the options or guessed from the data. */
function valueRange(px: Pixels, options: ImageOptions): [number, number] {
  if (options.normalize) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < px.data.length; i++) {
      if (px.data[i] < lo) lo = px.data[i];
      if (px.data[i] > hi) hi = px.data[i];
    }
    return [lo, hi];
  }
  const vmin = options.vmin ?? 0;
  if (options.vmax !== undefined) return [vmin, options.vmax];
  if (px.integer) return [vmin, 255];
  let hi = -Infinity;
  for (let i = 0; i < px.data.length; i++) if (px.data[i] > hi) hi = px.data[i];
  return [vmin, hi <= 1 ? 1 : hi];
}

/** Pixels → RGBA bytes at the image's own size. */
function toRgba(px: Pixels, options: ImageOptions): Buffer {
  const [lo, hi] = valueRange(px, options);
  const span = hi - lo || 1;
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)));
  const out = Buffer.alloc(px.width * px.height * 4);
  const binary = options.cmap === "binary";
  for (let i = 0; i < px.width * px.height; i++) {
    const o = i * 4;
    if (px.channels === 1) {
      const g = byte(px.data[i]);
      out[o] = out[o + 1] = out[o + 2] = binary ? 255 - g : g;
      out[o + 3] = 255;
    } else {
      out[o] = byte(px.data[i * px.channels]);
      out[o + 1] = byte(px.data[i * px.channels + 1]);
      out[o + 2] = byte(px.data[i * px.channels + 2]);
      out[o + 3] = px.channels === 4 ? byte(px.data[i * 4 + 3]) : 255;
    }
  }
  return out;
}

/** Nearest-neighbour enlargement by a whole factor. */
function upscale(rgba: Buffer, width: number, height: number, scale: number): Buffer {
  if (scale === 1) return rgba;
  const W = width * scale;
  const out = Buffer.alloc(W * height * scale * 4);
  for (let y = 0; y < height * scale; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < W; x++) rgba.copy(out, (y * W + x) * 4, (sy * width + Math.floor(x / scale)) * 4, (sy * width + Math.floor(x / scale)) * 4 + 4);
  }
  return out;
}

function encodePng(rgba: Buffer, width: number, height: number): Buffer {
  const { PNG } = pngjs();
  const image = new PNG({ width, height });
  rgba.copy(image.data);
  return PNG.sync.write(image, { colorType: 6 });
}

const SHADES = " .:-=+*#%@";

/**
 * A character sketch of an image for terminals: one character per pixel across, rows halved
 * (characters are about twice as tall as wide), denser characters for more ink.
 */
function sketch(px: Pixels, options: ImageOptions): string {
  const step = Math.max(1, Math.ceil(px.width / 64));
  const [lo, hi] = valueRange(px, options);
  const span = hi - lo || 1;
  const at = (y: number, x: number) => {
    const i = (y * px.width + x) * px.channels;
    let v = 0;
    for (let c = 0; c < Math.min(px.channels, 3); c++) v += px.data[i + c];
    return (v / Math.min(px.channels, 3) - lo) / span;
  };
  const lines: string[] = [];
  for (let y = 0; y < px.height; y += 2 * step) {
    let line = "";
    for (let x = 0; x < px.width; x += step) {
      const v = Math.max(at(y, x), y + step < px.height ? at(y + step, x) : 0);
      line += SHADES[Math.max(0, Math.min(SHADES.length - 1, Math.round(v * (SHADES.length - 1))))];
    }
    lines.push(line.trimEnd());
  }
  return lines.join("\n");
}
