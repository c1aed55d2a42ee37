/**
 * Starts the converter thread (worker.ts) with nothing but node:worker_threads loaded, so the
 * kernel can start it before importing anything else (cli.ts): it begins loading TypeScript at
 * once. What the thread says before the kernel's ConverterThread (thread.ts) listens is kept.
 *
 * @example const started = startConverterThread(); …; new ConverterThread(started);
 */
import { Worker } from "node:worker_threads";
import { entryPoint } from "../paths.js";

export interface StartedConverter {
  worker: Worker;
  /** Messages the thread sent before anyone listened, in order, its error and exit code if it ended. */
  takeEarly(): { messages: unknown[]; error: Error | null; exitCode: number | null };
}

export function startConverterThread(): StartedConverter {
  const worker = new Worker(entryPoint("convert/worker.js", "converter.bundle.js"));
  // The kernel exits when it is told to, whatever this thread is doing.
  worker.unref();
  const messages: unknown[] = [];
  let exitCode: number | null = null;
  let error: Error | null = null;
  const onMessage = (m: unknown) => messages.push(m);
  const onExit = (code: number) => (exitCode = code);
  // An 'error' nobody listens to would end the process, before the kernel can report anything.
  const onError = (e: Error) => (error = e);
  worker.on("message", onMessage);
  worker.on("exit", onExit);
  worker.on("error", onError);
  return {
    worker,
    takeEarly() {
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      worker.off("error", onError);
      return { messages, error, exitCode };
    },
  };
}
