/**
 * Messages between the kernel (client.ts) and the language service's process (server.ts).
 * `id` 0 is for messages that expect no answer (`addCell`) and for the service's "ready".
 *
 * @example { id: 3, op: "complete", code: "network.fi", cursorPos: 10 }
 */
export type ServiceRequest =
  | { id: number; op: "complete" | "inspect"; code: string; cursorPos: number }
  | { id: number; op: "check" | "addCell"; code: string }
  /** Nothing to do: the kernel's rehearsal (exec/rehearsal.ts) warming its side of the channel. */
  | { id: 0; op: "rehearse" };

export type ServiceReply =
  | { id: number; result: unknown }
  | { id: number; error: string }
  | { id: 0; ready: true };
