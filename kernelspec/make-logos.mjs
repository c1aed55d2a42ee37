#!/usr/bin/env node
// Draws the kernel's logos (TypeScript blue, a white "T" over a three-layer network motif) with
// pngjs. The PNGs are committed; run this only to change them: `node kernelspec/make-logos.mjs`.
import { PNG } from "pngjs";
import { writeFileSync } from "node:fs";

for (const size of [32, 64]) {
  const png = new PNG({ width: size, height: size });
  const s = size / 32;
  const set = (x, y, [r, g, b, a]) => {
    const i = (y * size + x) * 4;
    png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = a;
  };
  const radius = 5 * s;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const cx = Math.min(Math.max(x, radius), size - 1 - radius);
    const cy = Math.min(Math.max(y, radius), size - 1 - radius);
    const inside = (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
    set(x, y, inside ? [49, 120, 198, 255] : [0, 0, 0, 0]);
  }
  const white = [255, 255, 255, 255];
  const rect = (x0, y0, x1, y1) => {
    for (let y = Math.round(y0 * s); y < Math.round(y1 * s); y++) for (let x = Math.round(x0 * s); x < Math.round(x1 * s); x++) set(x, y, white);
  };
  rect(5, 6, 19, 9); // the T's bar
  rect(10.5, 9, 13.5, 26); // the T's stem
  for (const [x, y] of [[22, 8], [22, 15], [22, 22], [27, 11.5], [27, 18.5]]) rect(x - 1.5, y - 1.5, x + 1.5, y + 1.5); // neurons
  writeFileSync(new URL(`./logo-${size}x${size}.png`, import.meta.url), PNG.sync.write(png));
}
