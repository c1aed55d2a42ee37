/**
 * What a person sees running tsdl from plain Node: the same progress bar, redrawn in place in a
 * terminal and one line per epoch when the output is a pipe or a file; plots print as text.
 * Runs the built runtime (dist/) in a real child process, through a pipe and through a
 * pseudo-terminal made by `script`.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const RUNTIME = join(resolve(import.meta.dirname, ".."), "dist", "runtime", "index.js");

/** Two epochs of 30 steps, 5 ms each, then the learning curves. */
const SCRIPT = `
import { Progbar, plot } from ${JSON.stringify(pathToFileURL(RUNTIME).href)};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let epoch = 0; epoch < 2; epoch++) {
  const bar = new Progbar({ target: 30, verbose: 1, epoch, epochs: 2 });
  for (let step = 1; step <= 30; step++) { await sleep(5); bar.update(step, [["accuracy", 0.9], ["loss", 0.25]]); }
  bar.finish([["accuracy", 0.9], ["loss", 0.25], ["val_accuracy", 0.95], ["val_loss", 0.125]]);
}
await plot({ loss: [0.5, 0.25], val_loss: [0.6, 0.4] });
`;

const LINE = (epoch: number) =>
  new RegExp(`^Epoch ${epoch}/2\\n30/30 ━{20} \\d+s \\d+ms/step - accuracy: 0\\.9000 - loss: 0\\.2500 - val_accuracy: 0\\.9500 - val_loss: 0\\.1250$`, "m");
const PLOT_TEXT = "loss (2 epochs)\n  training    █▁  0.5000 → 0.2500\n  validation  █▁  0.6000 → 0.4000\n";

function runNode(viaTerminal: boolean): string {
  if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run \`npm run build\` first`);
  const node = [process.execPath, "--input-type=module", "-e", SCRIPT];
  const r = viaTerminal
    ? spawnSync("script", ["-qec", node.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" "), "/dev/null"], { encoding: "utf8", timeout: 60_000 })
    : spawnSync(node[0], node.slice(1), { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node exited with ${r.status}: ${r.stderr}${r.error ?? ""}`);
  return r.stdout;
}

describe("from plain Node the progress bar renders in the terminal", () => {
  it("prints the header and one final line per epoch when stdout is a pipe, then the plot as text", () => {
    const out = runNode(false);
    expect(out).not.toContain("\r");
    expect(out).not.toContain("\x1b[");
    const lines = out.split("\n");
    expect(lines).toHaveLength(4 + PLOT_TEXT.split("\n").length);
    expect(lines.slice(0, 2).join("\n")).toMatch(LINE(1));
    expect(lines.slice(2, 4).join("\n")).toMatch(LINE(2));
    expect(lines.slice(4).join("\n")).toBe(PLOT_TEXT);
  });

  it("redraws the line in place with Keras's colors in a terminal", () => {
    const out = runNode(true).replace(/\r\n/g, "\n");
    expect(out).toContain("\x1b[32m━");
    const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
    // Each epoch: several redraws of the same line, the last one being the final Keras line.
    for (const epoch of [1, 2]) {
      const start = plain.indexOf(`Epoch ${epoch}/2\n`);
      const end = plain.indexOf("\n", start + 10);
      const redraws = plain.slice(start + 10, end).split("\r").slice(1);
      expect(redraws.length).toBeGreaterThan(1);
      expect(`Epoch ${epoch}/2\n${redraws[redraws.length - 1].trimEnd()}`).toMatch(LINE(epoch));
    }
    expect(plain.endsWith(PLOT_TEXT)).toBe(true);
  });
});
