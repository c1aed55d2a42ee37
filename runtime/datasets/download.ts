/**
 * Synchronous HTTP(S) download into a file, with progress.
 *
 * `mnist.loadData()` is synchronous as in Keras, yet a download is I/O. A worker thread does the
 * transfer while this thread waits on a shared counter (Atomics.wait with a short timeout), waking
 * to redraw the progress line; so loadData stays synchronous and the progress still goes through
 * the display sink. The worker only moves bytes; checking them is the caller's job.
 *
 * A Stop in the notebook ends the waiting thread's script without running its `finally` (V8
 * terminates it), so nothing there can end the worker. Instead the waiting thread beats a
 * counter on each wake-up, and a worker that sees no beat for ABANDON_MS gives the download up
 * and deletes its file: a stopped download neither runs on nor leaves a partial file behind.
 */
import { Worker } from "node:worker_threads";
import { getDisplaySink } from "../display/sink.js";

/** How long the worker goes on without a beat from the waiting thread before it gives up. */
const ABANDON_MS = 3000;

// Runs in the worker (CommonJS, eval'd): GET with redirects, stream into `dest`, publish
// [state, beat, received, total] through the shared arrays; state 1 = done, 2 = failed.
const WORKER_CODE = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { url, dest, shared, message, abandonMs } = workerData;
const state = new Int32Array(shared, 0, 2);
const sizes = new Float64Array(shared, 8, 2);
const msg = new Uint8Array(message);
let req = null;
let out = null;
function finish(code, text) {
  if (text) msg.set(Buffer.from(String(text)).subarray(0, msg.length - 1));
  Atomics.store(state, 0, code);
  Atomics.notify(state, 0);
}
let beat = -1;
let beatAt = Date.now();
setInterval(() => {
  const now = Atomics.load(state, 1);
  if (now !== beat) { beat = now; beatAt = Date.now(); return; }
  if (Date.now() - beatAt < abandonMs) return;
  if (req) req.destroy();
  if (out) out.destroy();
  fs.rmSync(dest, { force: true });
  process.exit(0);
}, 250);
function get(u, redirects) {
  const lib = u.startsWith("https:") ? require("node:https") : require("node:http");
  req = lib.get(u, { timeout: 60000 }, (res) => {
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects < 5) {
      res.resume();
      return get(new URL(res.headers.location, u).toString(), redirects + 1);
    }
    if (res.statusCode !== 200) {
      res.resume();
      return finish(2, "HTTP " + res.statusCode + " from " + u);
    }
    sizes[1] = Number(res.headers["content-length"] || 0);
    out = fs.createWriteStream(dest);
    res.on("data", (chunk) => { sizes[0] += chunk.length; Atomics.notify(state, 0); });
    res.on("error", (e) => finish(2, e.message));
    out.on("error", (e) => finish(2, e.message));
    out.on("finish", () => {
      if (sizes[1] && sizes[0] !== sizes[1]) finish(2, "connection closed after " + sizes[0] + " of " + sizes[1] + " bytes");
      else finish(1);
    });
    res.pipe(out);
  });
  req.on("timeout", () => req.destroy(new Error("timed out after 60 s without data")));
  req.on("error", (e) => finish(2, e.message + " (" + u + ")"));
}
get(url, 0);
`;

function mb(n: number): string {
  return (n / 1048576).toFixed(1) + " MB";
}

/**
 * Downloads `url` into the file `dest` (created or overwritten), blocking until done; prints a
 * progress line through the display sink. Throws with the URL and the reason on any failure.
 * Example: `downloadSync("https://…/train-labels-idx1-ubyte.gz", "/tmp/x.part")`
 */
export function downloadSync(url: string, dest: string, label = url): void {
  const shared = new SharedArrayBuffer(24);
  const message = new SharedArrayBuffer(1024);
  const state = new Int32Array(shared, 0, 2);
  const sizes = new Float64Array(shared, 8, 2);
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { url, dest, shared, message, abandonMs: ABANDON_MS } });
  const sink = getDisplaySink();
  const tty = sink.kind === "tty";
  let lastDraw = 0;
  const line = () => {
    const [got, total] = [sizes[0], sizes[1]];
    const pct = total ? ` ${Math.floor((100 * got) / total)}%` : "";
    return `Downloading ${label}:${pct} ${mb(got)}${total ? " / " + mb(total) : ""}`;
  };
  if (!tty) sink.write(`Downloading ${label} from ${url}\n`);
  try {
    while (Atomics.load(state, 0) === 0) {
      Atomics.wait(state, 0, 0, 100);
      Atomics.add(state, 1, 1);
      const now = Date.now();
      if (tty && now - lastDraw > 100) {
        sink.write("\r" + line());
        lastDraw = now;
      }
    }
  } finally {
    void worker.terminate();
  }
  if (tty) sink.write("\r" + line() + "\n");
  if (Atomics.load(state, 0) !== 1) {
    const bytes = new Uint8Array(message);
    const end = bytes.indexOf(0);
    const reason = Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString();
    throw new Error(`download of ${label} from ${url} failed: ${reason}`);
  }
}
