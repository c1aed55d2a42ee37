#!/usr/bin/env node
// `npm run bench -- NAME` runs bench/NAME.ts (compiled to dist/bench/NAME.js by the build).
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const names = readdirSync(join(root, "bench")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]\nbenchmarks: ${names.join(", ") || "(none yet)"}`);
  process.exit(2);
}
const script = join(root, "dist", "bench", `${name}.js`);
if (!existsSync(script)) {
  console.error(`bench: ${script} is missing; run \`npm run build\` first`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ["--expose-gc", script, ...args], { stdio: "inherit" });
process.exit(r.status ?? 1);
