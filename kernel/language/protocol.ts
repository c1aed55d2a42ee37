/**
 * Messages between the kernel's thread (index.ts) and the language service's (worker.ts).
 * `id` 0 is for messages that expect no answer (`addCell`) and for the worker's "ready".
 *
 * @example { id: 3, op: "complete", code: "network.fi", cursorPos: 10 }
 */
export type WorkerRequest =
  | { id: number; op: "complete" | "inspect"; code: string; cursorPos: number }
  | { id: number; op: "check" | "addCell"; code: string };

export type WorkerReply =
  | { id: number; result: unknown }
  | { id: number; error: string }
  | { id: 0; ready: true };
