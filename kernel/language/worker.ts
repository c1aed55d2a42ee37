/**
 * The language service's thread: loads TypeScript and the session's program away from the
 * kernel's event loop, then answers requests in the order they were sent (so an `addCell`
 * sent before a completion is part of it).
 *
 * @example new Worker(new URL("./worker.js", import.meta.url), { workerData: { cwd: process.cwd() } })
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerReply, WorkerRequest } from "./protocol.js";

const port = parentPort!;
const queue: WorkerRequest[] = [];
let handle: ((r: WorkerRequest) => void) | null = null;
port.on("message", (r: WorkerRequest) => (handle ? handle(r) : queue.push(r)));

const { CellLanguageService } = await import("./service.js");
const service = new CellLanguageService({ cwd: (workerData as { cwd: string }).cwd });
service.warmUp();
port.postMessage({ id: 0, ready: true } satisfies WorkerReply);

handle = (r) => {
  try {
    const result =
      r.op === "complete" ? service.complete(r.code, r.cursorPos)
      : r.op === "inspect" ? service.inspect(r.code, r.cursorPos)
      : r.op === "check" ? service.check(r.code)
      : service.addCell(r.code);
    if (r.id !== 0) port.postMessage({ id: r.id, result } satisfies WorkerReply);
  } catch (e) {
    if (r.id !== 0) port.postMessage({ id: r.id, error: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies WorkerReply);
  }
};
for (const r of queue.splice(0)) handle(r);
