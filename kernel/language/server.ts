/**
 * The language service's process: loads TypeScript and the session's program, then answers
 * requests in the order they were sent (so an `addCell` sent before a completion is part of it).
 *
 * It is a process of its own, started by the kernel (client.ts), so that it can run at the
 * lowest scheduling priority: every one of its threads (V8's compiler and garbage-collector
 * threads included) gets a core only when the kernel's cell, its thread pool and everything
 * else at normal priority leave one free. A type check therefore never slows a cell that
 * computes; it finishes in the gaps, or when the cell is done.
 *
 * @example startLanguageServer(process.cwd()) // language/start.ts: the kernel runs it under nice
 */
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";
import { requireCached, saveCodeCaches } from "../code-cache.js";
import { typescriptFile } from "../convert/typescript.js";
import type { ServiceReply, ServiceRequest } from "./protocol.js";

/** The lowest priority for every thread of this process (threads started later inherit it). */
function lowerPriority(): void {
  const lowest = 19;
  try {
    // On Linux a priority belongs to a thread: each of them is set.
    for (const tid of readdirSync("/proc/self/task")) setPriority(Number(tid), lowest);
  } catch {
    try {
      setPriority(lowest); // elsewhere it is the whole process's
    } catch {
      // Not allowed here: the service still works, at normal priority.
    }
  }
}
lowerPriority();

const send = (m: ServiceReply) => process.send!(m);
const queue: ServiceRequest[] = [];
let handle: ((r: ServiceRequest) => void) | null = null;
process.on("message", (r: ServiceRequest) => (handle ? handle(r) : queue.push(r)));
// The kernel is gone (its channel closed): nothing left to serve.
process.on("disconnect", () => process.exit(0));

// ts-morph's copy of TypeScript, through the code cache, before ts-morph itself asks for it.
requireCached(typescriptFile(), "language");
const { CellLanguageService } = await import("./service.js");
const service = new CellLanguageService({ cwd: process.argv[2] ?? process.cwd() });
service.warmUp();
saveCodeCaches();
send({ id: 0, ready: true });

handle = (r) => {
  if (r.op === "rehearse") return;
  try {
    const result =
      r.op === "complete" ? service.complete(r.code, r.cursorPos)
      : r.op === "inspect" ? service.inspect(r.code, r.cursorPos)
      : r.op === "check" ? service.check(r.code)
      : service.addCell(r.code);
    if (r.id !== 0) send({ id: r.id, result });
  } catch (e) {
    if (r.id !== 0) send({ id: r.id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
};
for (const r of queue.splice(0)) handle(r);
