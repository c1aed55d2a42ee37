/**
 * A save killed half-way: a child Node process saves an 8 MB model into one folder again and
 * again, each save with every weight and the optimizer's learning rate set to the save's number,
 * and is killed with SIGKILL at a random moment, many times over. After each kill the folder must
 * load, and hold one whole save — the weights and model.json of the same save (never a mix), the
 * newest finished one or the one under way — and nothing a later save does not clean up.
 */
import { afterAll, expect, onTestFinished, test } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadModel, optimizers } from "../runtime/index.js";
import { REPO_ROOT } from "./helpers/kernel-client.js";

const RUNTIME = pathToFileURL(join(REPO_ROOT, "dist", "runtime", "index.js")).href;
const ROUNDS = 30;

// argv: folder, first save number. Prints "ready", then "saved N" after each save returns.
const CHILD = `
const { Sequential, layers, optimizers, full } = await import(${JSON.stringify(RUNTIME)});
const [dir, first] = process.argv.slice(-2);
const model = Sequential([layers.Dense(1024, { inputShape: [1024] }), layers.Dense(1024), layers.Dense(10)]);
console.log("ready");
for (let i = Number(first); ; i++) {
  model.setWeights(model.weights.map((w) => full(w.shape, i)));
  model.compile({ optimizer: new optimizers.SGD({ learningRate: i }), loss: "mse" });
  model.save(dir);
  console.log("saved " + i);
}
`;

const dir = mkdtempSync(join(tmpdir(), "tsdl-save-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Round {
  saved: number[];
  killedAfterMs: number;
}

/** Starts a child that saves from `first` on, kills it `delay(saved)` ms after it is ready. */
async function killedSaver(first: number, waitForOneSave: boolean, delayMs: () => number): Promise<Round> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, dir, String(first)], { stdio: ["ignore", "pipe", "pipe"] });
  const saved: number[] = [];
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  // However the round ends (a failed assertion, a timeout), the saver does not outlive it.
  onTestFinished(() => void child.kill("SIGKILL"));
  await new Promise<void>((ok, fail) => {
    child.stdout.on("data", (d) => {
      out += d;
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("saved ")) saved.push(Number(line.slice(6)));
        if ((line === "ready" && !waitForOneSave) || (line.startsWith("saved ") && waitForOneSave)) ok();
      }
    });
    child.once("exit", (code) => fail(new Error(`the saving process ended (${code}) before it was killed: ${err}`)));
  });
  const killedAfterMs = delayMs();
  await new Promise((r) => setTimeout(r, killedAfterMs));
  child.kill("SIGKILL");
  await exited;
  for (const line of out.split("\n")) if (line.startsWith("saved ")) saved.push(Number(line.slice(6)));
  return { saved, killedAfterMs };
}

/** The save number the folder holds, after checking that its weights all carry that number. */
function savedNumber(): number {
  const model = loadModel(dir);
  const n = (model.optimizer as optimizers.SGD).learningRate;
  const values = model.getWeights();
  model.weights.forEach((w, i) => {
    const data = values[i].data() as Float32Array;
    const odd = data.findIndex((v) => v !== n);
    if (odd >= 0) throw new Error(`model.json is save ${n}, but ${w.name}[${odd}] is ${data[odd]}: weights of another save`);
  });
  return n;
}

test(`a save killed at ${ROUNDS} random moments always leaves one whole save, the newest finished or the one under way`, async () => {
  // Round 0 finishes one save, so the folder has an old save to keep; it also times a save.
  const started = performance.now();
  const first = await killedSaver(1, true, () => 0);
  const saveMs = Math.max(20, (performance.now() - started) / 4);
  let held = savedNumber();
  expect(held).toBeGreaterThanOrEqual(Math.max(...first.saved));
  const kills: string[] = [];
  let replaced = 0;
  for (let round = 1; round < ROUNDS; round++) {
    const from = round * 1000;
    const r = await killedSaver(from, false, () => Math.random() * 3 * saveMs);
    const before = held;
    held = savedNumber();
    kills.push(`${r.killedAfterMs.toFixed(0)} ms: ${r.saved.length} saves, folder holds ${held}`);
    // The newest finished save, or the one the kill interrupted after its model.json was in place.
    const newest = r.saved.length ? r.saved[r.saved.length - 1] : before;
    const next = r.saved.length ? newest + 1 : from;
    expect([newest, next], `round ${round}, killed ${kills.at(-1)}`).toContain(held);
    if (held !== before) replaced++;
  }
  // The kills must have come while saves replaced one another, or the test proved nothing.
  expect(replaced, kills.join("\n")).toBeGreaterThan(ROUNDS / 2);
  // What killed saves left behind (temporary files, an unused weights file) goes at the next save.
  loadModel(dir).save(dir);
  const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as { weightsFile: string };
  expect(readdirSync(dir).sort()).toEqual([json.weightsFile, "model.json"].sort());
  expect(savedNumber()).toBe(held);
}, 180_000);
