/**
 * The heartbeat and control sockets live on their own thread so that a cell stuck in a
 * synchronous loop neither looks dead to the client (heartbeat keeps echoing) nor becomes
 * impossible to interrupt by message: an interrupt_request is handed to the main thread, and when
 * that thread is stuck in a cell's script it is turned into SIGINT to this very process, which
 * breaks the script exactly as a signal-mode interrupt does (kernel/exec/interrupt.ts says why
 * not always SIGINT). Every other control message is forwarded to the main thread, which
 * answers through us.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Reply, Router } from "zeromq";
import { Signer } from "./signer.js";
import { deserialize, makeHeader, serialize, WireError } from "./message.js";
import { SendQueue } from "./send-queue.js";
import { SHARED, SIGNAL_AFTER_MS } from "../exec/interrupt.js";

export interface ControlWorkerData {
  hbEndpoint: string;
  controlEndpoint: string;
  key: string;
  session: string;
  /** Interrupts.shared of the main thread. */
  shared: Int32Array;
}

/** Messages the worker posts to the main thread. */
export type FromControlWorker =
  | { type: "ready" }
  | { type: "error"; text: string }
  | { type: "log"; text: string }
  | { type: "control"; frames: Uint8Array[] }
  | { type: "interrupt"; cell: number };

/** Messages the main thread posts to the worker. */
export type ToControlWorker = { type: "send"; frames: Uint8Array[] } | { type: "close" };

const data = workerData as ControlWorkerData;
const port = parentPort!;
const signer = new Signer(data.key);
const hb = new Reply({ linger: 0 });
const control = new Router({ linger: 0 });
const controlOut = new SendQueue(control);

async function heartbeat(): Promise<void> {
  for await (const frames of hb) await hb.send(frames);
}

async function controlLoop(): Promise<void> {
  for await (const frames of control) {
    let msg;
    try {
      msg = deserialize(frames, signer);
    } catch (e) {
      if (e instanceof WireError) {
        port.postMessage({ type: "log", text: `dropped a control message: ${e.message}` });
        continue;
      }
      throw e;
    }
    if (msg.header.msg_type === "interrupt_request") {
      await interrupt();
      const reply = {
        identities: msg.identities,
        header: makeHeader("interrupt_reply", data.session),
        parent_header: msg.header,
        metadata: {},
        content: { status: "ok" },
        buffers: [],
      };
      await controlOut.send(serialize(reply, signer));
      continue;
    }
    port.postMessage({ type: "control", frames });
  }
}

/**
 * Asks the main thread to stop the running cell; raises SIGINT when the thread has not taken the
 * request within SIGNAL_AFTER_MS and is still inside the same cell's script (a synchronous loop).
 */
async function interrupt(): Promise<void> {
  const { shared } = data;
  const cell = Atomics.load(shared, SHARED.cell);
  const acks = Atomics.load(shared, SHARED.ack);
  // Read by the main thread as the cell starts, however busy it is now.
  Atomics.store(shared, SHARED.stop, cell);
  port.postMessage({ type: "interrupt", cell } satisfies FromControlWorker);
  const wait = Atomics.waitAsync(shared, SHARED.ack, acks, SIGNAL_AFTER_MS);
  const outcome = wait.async ? await wait.value : wait.value;
  if (outcome === "timed-out" && Atomics.load(shared, SHARED.inScript) === 1 && Atomics.load(shared, SHARED.cell) === cell) {
    process.kill(process.pid, "SIGINT");
  }
}

port.on("message", (m: ToControlWorker) => {
  if (m.type === "send") controlOut.send(m.frames.map((f) => Buffer.from(f)));
  if (m.type === "close") {
    void controlOut.drain().then(() => {
      hb.close();
      control.close();
      port.close();
    });
  }
});

try {
  await hb.bind(data.hbEndpoint);
  await control.bind(data.controlEndpoint);
  port.postMessage({ type: "ready" });
  void heartbeat().catch(() => {});
  void controlLoop().catch((e) => port.postMessage({ type: "log", text: `control loop ended: ${e}` }));
} catch (e) {
  port.postMessage({ type: "error", text: (e as Error).message });
}
